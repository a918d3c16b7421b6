"""Progress page: see quiz_app.views.progress."""

from quiz_app.views import progress

progress.render()
