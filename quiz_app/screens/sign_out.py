"""Sign out page: see quiz_app.views.sign_out."""

from quiz_app.views import sign_out

sign_out.render()
