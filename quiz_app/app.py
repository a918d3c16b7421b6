"""Entry script: it only routes (quiz_app.routes); each page is a module under views/."""

from quiz_app.routes import route

route()
