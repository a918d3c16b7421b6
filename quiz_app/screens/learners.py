"""Learners page: see quiz_app.views.learners."""

from quiz_app.views import learners

learners.render()
