"""Look-alike usernames are refused by the database itself: sign-ups at once, the
store's insert alone, and databases from before the skeleton existed."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from quiz_app.accounts import AccountError, Accounts
from quiz_app.auth import hash_password
from quiz_app.clock import ManualClock
from quiz_app.migrations import migrations
from quiz_app.store import LookalikeTaken, Store, UsernameTaken

# Eight ways to write what looks like "paypal", each a valid username on its own:
# Latin, upper case, digit one, Cyrillic with palochka, Cyrillic with a digit, Latin
# dental click, Latin alpha, and both.
PAYPALS = [
    "paypal",
    "PayPal",
    "paypa1",
    "\u0440\u0430\u0443\u0440\u0430\u04cf",
    "\u0440\u0430\u0443\u0440\u04301",
    "paypa\u01c0",
    "p\u0251ypal",
    "p\u0251yp\u0251\u01c0",
]
REFUSED = "would look the same as one already taken|is taken"
PASSWORD = "password123"


@pytest.mark.parametrize("stores", ["one", "each"], ids=["one-store", "a-store-per-thread"])
def test_simultaneous_lookalike_sign_ups_let_exactly_one_in(db_path: Path, stores: str) -> None:
    shared = Store(db_path)
    start = threading.Barrier(len(PAYPALS))
    outcomes: dict[str, object] = {}

    def sign_up(username: str) -> None:
        store = shared if stores == "one" else Store(db_path)
        accounts = Accounts(store, ManualClock())
        start.wait()
        try:
            outcomes[username] = accounts.sign_up(username, "Someone", PASSWORD)
        except (AccountError, UsernameTaken) as exc:
            outcomes[username] = exc

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in PAYPALS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refused = {name: o for name, o in outcomes.items() if isinstance(o, Exception)}
    assert len(outcomes) == len(PAYPALS)
    assert len(refused) == len(PAYPALS) - 1, outcomes
    for name, exc in refused.items():
        assert any(part in str(exc) for part in REFUSED.split("|")), (name, exc)
    assert len(shared.table_rows("users")) == 1


@pytest.mark.both_backends
def test_the_insert_alone_refuses_a_lookalike(store: Store) -> None:
    store.create_user("paypal", "First", "learner", "x", "t")
    with pytest.raises(LookalikeTaken, match='would look the same as "paypal"') as refused:
        store.create_user("\u0440\u0430\u0443\u0440\u0430\u04cf", "Second", "learner", "x", "t")
    assert refused.value.taken == "paypal"
    with pytest.raises(UsernameTaken, match='"paypal" is taken') as same:
        store.create_user("paypal", "Third", "learner", "x", "t")
    assert not isinstance(same.value, LookalikeTaken)
    assert [row["username"] for row in store.table_rows("users")] == ["paypal"]


def test_lookalikes_from_before_the_skeleton_keep_signing_in(db_path: Path) -> None:
    """A database from before m011 with two accounts that look alike opens: both sign in,
    the first keeps the skeleton, and a third look-alike is refused."""
    cyrillic = "\u0440\u0430\u0443\u0435\u0435"
    old = Database(db_path)
    old.enable_wal()
    migrations.apply(old, stop_before="m011_username_skeletons")
    for user_id, name in [(1, "payee"), (2, cyrillic), (3, "ana")]:
        old["users"].insert(
            {"id": user_id, "username": name, "display_name": name, "role": "learner",
             "password_hash": hash_password(PASSWORD), "created_at": "2026-01-01"}
        )  # fmt: skip
    old.close()

    store = Store(db_path)
    accounts = Accounts(store, ManualClock())
    assert {r["username"]: r["skeleton"] for r in store.table_rows("users")} == {
        "payee": "payee",
        cyrillic: None,
        "ana": "ana",
    }
    assert accounts.sign_in("PAYEE", PASSWORD).username == "payee"
    assert accounts.sign_in(cyrillic.upper(), PASSWORD).username == cyrillic
    with pytest.raises(AccountError, match="LATIN SMALL LETTER ALPHA looks like 'a'"):
        accounts.sign_up("p\u0251yee", "Third", PASSWORD)
    assert accounts.sign_up("anna", "Anna", PASSWORD).username == "anna"
