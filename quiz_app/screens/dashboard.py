"""Dashboard page: see quiz_app.views.dashboard."""

from quiz_app.views import dashboard

dashboard.render()
