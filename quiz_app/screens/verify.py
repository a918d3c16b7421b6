"""Verify page: see quiz_app.views.verify."""

from quiz_app.views import verify

verify.render()
