"""The exceptions the app raises, each named for the condition a person can act on.

Every error carries a message meant for a person; the CLI and the pages show it as is.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a bank file, located by file and line."""

    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class QuizError(Exception):
    """Base class of every error the app turns into a message instead of a traceback."""

    exit_code = 1


class BankError(QuizError):
    """The question banks are invalid; `problems` lists every reason, in file order."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
