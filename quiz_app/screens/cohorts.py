"""Cohorts page: see quiz_app.views.cohorts."""

from quiz_app.views import cohorts

cohorts.render()
