"""My cohorts page: see quiz_app.views.my_cohorts."""

from quiz_app.views import my_cohorts

my_cohorts.render()
