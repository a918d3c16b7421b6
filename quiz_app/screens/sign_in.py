"""Sign in page: see quiz_app.views.sign_in."""

from quiz_app.views import sign_in

sign_in.render()
