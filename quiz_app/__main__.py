"""`python -m quiz_app` is `quiz-app`."""

from quiz_app.cli import main

main()
