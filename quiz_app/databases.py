"""What names a database: an SQLite file's path, or a PostgreSQL database's URL.

`--db` and $QUIZ_DB take either; `quiz_app.store.open_store` opens either. Nothing here
connects or reads: this is how the name is told apart and shown (a URL never with its
password)."""

from __future__ import annotations

import urllib.parse
from pathlib import Path

URL_SCHEMES = ("postgresql://", "postgres://")


def is_url(target: object) -> bool:
    """True when `target` names a PostgreSQL database rather than an SQLite file."""
    return isinstance(target, str) and target.startswith(URL_SCHEMES)


def shown_url(url: str) -> str:
    """`url` without its password, for messages and logs."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=f"{parts.username}:***@{host}").geturl()


class Database:
    """What --db names: an SQLite file (`path`), or a PostgreSQL database (`url`)."""

    def __init__(self, given: str | Path):
        self.url = given if is_url(given) else None
        self.path = None if self.url is not None else Path(given)

    @property
    def target(self) -> str | Path:
        """What `quiz_app.store.open_store` takes."""
        return self.url if self.url is not None else self.path  # type: ignore[return-value]

    def __str__(self) -> str:
        return shown_url(self.url) if self.url is not None else str(self.path)

    def exists(self) -> bool:
        """Whether the file exists; a server's database is taken to (opening it says)."""
        return self.url is not None or self.path.exists()  # type: ignore[union-attr]

    def resolved(self) -> str:
        """The file's absolute path, or the URL: what $QUIZ_DB is given."""
        return self.url if self.url is not None else str(self.path.resolve())  # type: ignore[union-attr]

    def shown_resolved(self) -> str:
        return shown_url(self.url) if self.url is not None else str(self.path.resolve())  # type: ignore[union-attr]
