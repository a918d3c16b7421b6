"""Hostile values go into the store and come back unchanged."""

from __future__ import annotations

import json

import pytest

from quiz_app.store import Store

ODD = [
    "x" * 2_000_000,
    "nul \x00 byte",
    "Zoë Ó Súilleabháin — 日本語 🩺 \u202e reversed \u200b zero-width",
    "<script>alert('x')</script>",
    '=HYPERLINK("http://evil")',
    "Robert'); DROP TABLE users;--",
    "\ud800 lone surrogate",
]


@pytest.mark.parametrize(
    "value", ODD, ids=["2MB", "nul", "unicode", "html", "formula", "sql", "surrogate"]
)
def test_answer_round_trips(store: Store, value: str) -> None:
    store.create_user("ana", "Ana", "learner", "x", "t")
    attempt = store.create_attempt(
        {
            "user_id": 1,
            "quiz_id": "q",
            "quiz_title": "Q",
            "mode": "practice",
            "seed": 1,
            "slots": "[]",
            "position": 0,
            "started_at": "t",
        }
    )[0]
    store.record_answer(attempt, "q1", {"text": value}, 0.0, "h", "t")
    assert json.loads(store.responses(attempt)[0]["answer"]) == {"text": value}


@pytest.mark.parametrize("name", ODD[1:6], ids=["nul", "unicode", "html", "formula", "sql"])
def test_names_round_trip(store: Store, name: str) -> None:
    user_id = store.create_user("u", name, "learner", "x", "t")
    assert store.user(user_id)["display_name"] == name
    assert store.query("SELECT count(*) AS n FROM users") == [{"n": 1}]
