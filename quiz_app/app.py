"""Entry script: it only routes (quiz_app.routes); each page is a file under pages/."""

from quiz_app.routes import route

route()
