"""Store.bulk_load: many rows from a stream of batches, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from quiz_app.store import Row, Store

pytestmark = pytest.mark.both_backends  # the store-level tests run on SQLite and PostgreSQL

CREATED = "2026-01-01T00:00:00+00:00"


def _users(first: int, count: int) -> list[Row]:
    return [
        {
            "id": n,
            "username": f"user{n}",
            "display_name": f"User {n}",
            "role": "learner",
            "password_hash": "x",
            "created_at": CREATED,
        }
        for n in range(first, first + count)
    ]


def test_every_batch_is_stored_in_order(store: Store) -> None:
    store.bulk_load({"users": _users(n, 10)} for n in range(1, 50, 10))
    assert [r["id"] for r in store.table_rows("users")] == list(range(1, 51))


def test_a_batch_that_fails_undoes_the_batches_before_it(store: Store) -> None:
    def batches() -> Iterator[dict[str, list[Row]]]:
        yield {"users": _users(1, 10)}
        yield {"users": _users(11, 10)}
        raise RuntimeError("the source of rows broke")

    with pytest.raises(RuntimeError, match="broke"):
        store.bulk_load(batches())
    assert store.table_rows("users") == []
    with pytest.raises(Exception, match="UNIQUE"):
        store.bulk_load([{"users": _users(1, 5)}, {"users": _users(5, 5)}])
    assert store.table_rows("users") == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda row: row.pop("display_name"), id="fewer-columns"),
        pytest.param(lambda row: row.update(name=row.pop("display_name")), id="others"),
    ],
)
def test_rows_must_share_their_columns(store: Store, change) -> None:
    rows = _users(1, 3)
    change(rows[2])
    with pytest.raises(ValueError, match="do not all have the columns"):
        store.bulk_load([{"users": rows}])
    assert store.table_rows("users") == []


@pytest.mark.parametrize(
    "table, rows",
    [
        pytest.param("sqlite_master", [{"name": "x"}], id="not-a-data-table"),
        pytest.param("users", [{"id); DROP TABLE users; --": 1}], id="not-a-column-name"),
    ],
)
def test_refuses_what_is_not_a_data_table_column(store: Store, table: str, rows: list[Row]) -> None:
    with pytest.raises(ValueError, match="cannot bulk-load"):
        store.bulk_load([{table: rows}])
    assert store.table_rows("users") == []
