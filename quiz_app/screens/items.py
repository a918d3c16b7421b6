"""Items page: see quiz_app.views.items."""

from quiz_app.views import items

items.render()
