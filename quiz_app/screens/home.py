"""Home page: see quiz_app.views.home."""

from quiz_app.views import home

home.render()
