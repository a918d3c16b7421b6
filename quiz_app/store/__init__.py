"""The store: the one package that speaks SQL, over SQLite through sqlite-utils.

The database runs in WAL mode with foreign keys on, `synchronous=FULL` (an
acknowledged answer survives a crash or power cut) and a busy timeout. No connection
is ever used by two threads at once: every write goes through the Store's writer thread
(`quiz_app.writer`: group commit, each caller gets its own committed result or an
exception), and each read borrows a connection from a small pool for its duration.
Streamlit runs every script run in a short-lived thread, so a pool, rather than a
connection per thread, spares each rerun from opening a new one.

A database busy in another process is waited for: "database is locked" never reaches a
person; after a long wait they get StoreBusy instead. Storage failures (full disk,
read-only or damaged file, a file deleted or replaced while the app runs) raise
StoreError with a plain message.

The package splits the Store along its concerns, one module each (users, cohorts,
attempts, certificates, reports, problem reports, upkeep), each a part written against
`base.Engine`: `Store` puts them on `base.StoreBase` (SQLite), `PostgresStore` on
`postgres.PostgresBase` (PostgreSQL, in the making). SQL stays inside this package.
"""

from __future__ import annotations

from pathlib import Path

from quiz_app.databases import is_url
from quiz_app.store.attempts import AttemptRows
from quiz_app.store.base import (
    DATA_TABLES,
    AttemptClosed,
    DeadlinePassed,
    EvaluationSubmitted,
    LookalikeTaken,
    NotFound,
    Row,
    StoreBase,
    StoreBusy,
    StoreError,
    UsernameTaken,
    check_database_file,
)
from quiz_app.store.certificates import CertificateRows
from quiz_app.store.cohorts import CohortRows
from quiz_app.store.postgres import PostgresBase
from quiz_app.store.problems import ProblemReportRows
from quiz_app.store.reports import ReportRows
from quiz_app.store.upkeep import UpkeepRows
from quiz_app.store.users import UserRows

# the parts of the Store, each written once against base.Engine, on either engine
PARTS = (UserRows, CohortRows, AttemptRows, CertificateRows, ReportRows, ProblemReportRows,
         UpkeepRows)  # fmt: skip


class Store(*PARTS, StoreBase):
    """All reads and writes of one SQLite file. Safe to share between threads.

    Opening creates the file if need be and applies pending migrations; raises
    StoreError when the file is not a usable quiz database (`check_database_file`).
    `read_only` opens an existing file as it is: no file is created, no migration is
    applied, nothing is written (`write` raises StoreError), and SQLite is asked for
    read-only connections, so the file is never changed or locked against the app.
    """


class PostgresStore(*PARTS, PostgresBase):
    """The same Store on a PostgreSQL database, by its postgresql:// URL (in the making:
    the contract tests, tests/test_store_contract.py, say which parts run on it so far;
    no command or page opens one yet)."""


def open_store(
    target: str | Path, *, migrate: bool = True, read_only: bool = False
) -> Store | PostgresStore:
    """The Store of what `target` names: a postgresql:// URL (PostgresStore) or an SQLite
    file (Store); the options as each takes them."""
    if is_url(target):
        return PostgresStore(str(target), migrate=migrate, read_only=read_only)
    return Store(target, migrate=migrate, read_only=read_only)


__all__ = [
    "DATA_TABLES",
    "AttemptClosed",
    "DeadlinePassed",
    "EvaluationSubmitted",
    "LookalikeTaken",
    "NotFound",
    "PostgresStore",
    "Row",
    "Store",
    "StoreBase",
    "StoreBusy",
    "StoreError",
    "UsernameTaken",
    "check_database_file",
    "open_store",
]
