"""History page: see quiz_app.views.history."""

from quiz_app.views import history

history.render()
