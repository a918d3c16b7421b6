"""Bank browser page: see quiz_app.views.bank_browser."""

from quiz_app.views import bank_browser

bank_browser.render()
