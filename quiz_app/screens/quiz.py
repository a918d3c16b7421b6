"""Quiz page: see quiz_app.views.quiz."""

from quiz_app.views import quiz

quiz.render()
