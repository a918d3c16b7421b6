"""Users, their sessions and devices, and password resets."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from quiz_app.records import Row
from quiz_app.store.base import (
    Engine,
    LookalikeTaken,
    UsernameTaken,
)
from quiz_app.usernames import username_skeleton

_SET_PASSWORD = "UPDATE users SET password_hash = ? WHERE id = ?"


def _unique_column(exc: sqlite3.IntegrityError) -> str | None:
    """The `table.column` a UNIQUE constraint failure names (one-column indexes), or None
    for any other integrity error."""
    if getattr(exc, "sqlite_errorname", None) != "SQLITE_CONSTRAINT_UNIQUE":
        return None
    prefix, message = "UNIQUE constraint failed: ", str(exc)
    return message.removeprefix(prefix) if message.startswith(prefix) else None


class UserRows(Engine):
    # -- users -----------------------------------------------------------------------

    def create_user(
        self, username: str, display_name: str, role: str, password_hash: str, now: str
    ) -> int:
        """Insert a user with the skeleton of `username` (`usernames.username_skeleton`).

        One INSERT decides, under the UNIQUE indexes on username and skeleton: raises
        UsernameTaken when the username exists, LookalikeTaken (naming the account) when
        another username has the same skeleton.
        """
        skeleton = username_skeleton(username)

        def insert(conn: sqlite3.Connection) -> int:
            try:
                ((made,),) = conn.execute(
                    "INSERT INTO users (username, display_name, role, password_hash,"
                    " created_at, skeleton) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                    (username, display_name, role, password_hash, now, skeleton),
                ).fetchall()
            except sqlite3.IntegrityError as exc:
                column = _unique_column(exc)
                if column not in ("users.username", "users.skeleton"):
                    raise
                taken = conn.execute(
                    "SELECT username FROM users WHERE skeleton = ?", (skeleton,)
                ).fetchone()
                # Both indexes fail for the same username; SQLite names only one.
                if column == "users.username" or taken is None or taken[0] == username:
                    raise UsernameTaken(
                        f'The username "{username}" is taken; choose another.'
                    ) from None
                raise LookalikeTaken(username, taken[0]) from None
            return int(made)

        return self.write(insert)

    def user(self, user_id: int) -> Row | None:
        return self.first("SELECT * FROM users WHERE id = ?", (user_id,))

    def user_by_username(self, username: str) -> Row | None:
        return self.first("SELECT * FROM users WHERE username = ?", (username,))

    def user_by_skeletons(self, skeletons: Iterable[str]) -> Row | None:
        """The first account (lowest id) whose username has one of these skeletons, or
        None: one indexed lookup per skeleton, in one query."""
        return self.first(
            "SELECT * FROM users WHERE skeleton IN (SELECT value FROM json_each(?))"
            " ORDER BY id LIMIT 1",
            (json.dumps(list(skeletons)),),
        )

    def set_display_name(self, user_id: int, display_name: str) -> bool:
        """Change a user's display name unless a certificate has been issued to them, in
        one statement; True when it was changed."""
        return (
            self.execute(
                "UPDATE users SET display_name = ? WHERE id = ? AND NOT EXISTS"
                " (SELECT 1 FROM certificates WHERE user_id = users.id)",
                (display_name, user_id),
            )
            > 0
        )

    def set_licence(self, user_id: int, number: str | None, jurisdiction: str | None) -> None:
        """Store (or, with None, clear) a user's licence number and jurisdiction."""
        self.execute(
            "UPDATE users SET licence_number = ?, licence_jurisdiction = ? WHERE id = ?",
            (number, jurisdiction, user_id),
        )

    def set_password(self, user_id: int, password_hash: str, keep_session_id: int | None) -> None:
        """Store a new password hash and delete every session of the user but
        `keep_session_id`, in one write."""

        def change(conn: sqlite3.Connection) -> None:
            conn.execute(_SET_PASSWORD, (password_hash, user_id))
            conn.execute(
                "DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?", (user_id, keep_session_id)
            )

        self.write(change)

    def take_signin_ticket(
        self,
        guard_key: str,
        device_hash: str | None,
        user_id: int | None,
        now: str,
        lock_until: str,
        limit: int,
        device_limit: int,
    ) -> Row:
        """Allow one password check, or refuse it, in one write (so parallel guesses queue).

        With `device_hash` naming a live device of `user_id` that has had fewer than
        `device_limit` failures, the check is the device's: {"device": True, "checks": n}
        (n counts this check). Otherwise it is the guard's: while the guard of
        `guard_key` has given fewer than `limit` checks since it was opened (a new guard
        is open until `lock_until`), {"device": False, "checks": n}; the `limit`-th check
        keeps the guard until `lock_until`. Refused: {"device": False, "checks": None,
        "locked_until": ...}. Guards past their time are dropped first.
        """

        def take(conn: sqlite3.Connection) -> Row:
            conn.execute("DELETE FROM signin_guards WHERE renews_at <= ?", (now,))
            if device_hash is not None:
                mine = conn.execute(
                    "UPDATE devices SET failures = failures + 1 WHERE token_hash = ?"
                    " AND user_id = ? AND expires_at > ? AND failures < ? RETURNING failures",
                    (device_hash, user_id, now, device_limit),
                ).fetchall()
                if mine:
                    return {"device": True, "checks": mine[0][0]}
            taken = conn.execute(
                "INSERT INTO signin_guards (key, checks, renews_at) VALUES (?, 1, ?)"
                " ON CONFLICT (key) DO UPDATE SET checks = checks + 1,"
                " renews_at = CASE WHEN checks + 1 >= ? THEN excluded.renews_at"
                " ELSE renews_at END"
                " WHERE checks < ? RETURNING checks",
                (guard_key, lock_until, limit, limit),
            ).fetchall()
            if taken:
                return {"device": False, "checks": taken[0][0]}
            until = conn.execute(
                "SELECT renews_at FROM signin_guards WHERE key = ?", (guard_key,)
            ).fetchone()[0]
            return {"device": False, "checks": None, "locked_until": until}

        return self.write(take)

    def signin_succeeded(self, guard_key: str, device_hash: str | None) -> None:
        """Clear the count a successful check was taken from: the device's, else the guard."""
        if device_hash is not None:
            sql, key = "UPDATE devices SET failures = 0 WHERE token_hash = ?", device_hash
        else:
            sql, key = "DELETE FROM signin_guards WHERE key = ?", guard_key
        self.execute(sql, (key,))

    def forget_failing_device(self, device_hash: str, limit: int) -> bool:
        """Delete the device if it has had `limit` failures; True when it was deleted."""
        return (
            self.execute(
                "DELETE FROM devices WHERE token_hash = ? AND failures >= ?", (device_hash, limit)
            )
            > 0
        )

    # -- sessions and devices ----------------------------------------------------------

    def create_session(
        self, user_id: int, handoff_hash: str, handoff_expires_at: str, now: str, expires_at: str
    ) -> int:
        """A new session without a token yet, claimable once with the hand-off code; its id.

        Expired sessions and devices of the user are dropped.
        """

        def insert(conn: sqlite3.Connection) -> int:
            for table in ("sessions", "devices"):
                conn.execute(
                    f"DELETE FROM {table} WHERE user_id = ? AND expires_at <= ?", (user_id, now)
                )
            ((made,),) = conn.execute(
                "INSERT INTO sessions (user_id, created_at, expires_at, handoff_hash,"
                " handoff_expires_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
                (user_id, now, expires_at, handoff_hash, handoff_expires_at),
            ).fetchall()
            return int(made)

        return self.write(insert)

    def claim_session(
        self,
        handoff_hash: str,
        token_hash: str,
        now: str,
        presented_hash: str | None,
        device_hash: str | None,
        new_device_hash: str,
        device_expires_at: str,
    ) -> Row | None:
        """Give the session of an unused, unexpired hand-off code its token, in one write.

        The code is used up. The session the browser presented (`presented_hash`), if it
        is another, is deleted. Unless `device_hash` is a live device of the session's
        user, the device `new_device_hash` is created. Returns {"user_id", "expires_at",
        "new_device": bool}, or None when the code is unknown, used or expired.
        """

        def claim(conn: sqlite3.Connection) -> Row | None:
            claimed = conn.execute(
                "UPDATE sessions SET token_hash = ?, handoff_hash = NULL,"
                " handoff_expires_at = NULL WHERE handoff_hash = ? AND handoff_expires_at > ?"
                " AND expires_at > ? RETURNING id, user_id, expires_at",
                (token_hash, handoff_hash, now, now),
            ).fetchall()
            if not claimed:
                return None
            session_id, user_id, expires_at = claimed[0]
            if presented_hash is not None:
                conn.execute(
                    "DELETE FROM sessions WHERE token_hash = ? AND id != ?",
                    (presented_hash, session_id),
                )
            known = conn.execute(
                "SELECT 1 FROM devices WHERE token_hash = ? AND user_id = ? AND expires_at > ?",
                (device_hash, user_id, now),
            ).fetchone()
            if known is None:
                conn.execute(
                    "INSERT INTO devices (token_hash, user_id, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?)",
                    (new_device_hash, user_id, now, device_expires_at),
                )
            return {"user_id": user_id, "expires_at": expires_at, "new_device": known is None}

        return self.write(claim)

    def session_user(self, session_id: int, now: str) -> Row | None:
        """The user of an unexpired session, by the session's id, or None."""
        return self.first(
            "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.id = ? AND s.expires_at > ?",
            (session_id, now),
        )

    def session_of_token(self, token_hash: str, now: str) -> Row | None:
        """The user of the unexpired session with this token, with its "session_id", or None."""
        return self.first(
            "SELECT s.id AS session_id, u.* FROM sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.expires_at > ?",
            (token_hash, now),
        )

    def delete_session(self, session_id: int) -> None:
        self.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def delete_session_of_token(self, token_hash: str) -> None:
        self.execute("DELETE FROM sessions WHERE token_hash = ?", (token_hash,))

    # -- password resets -------------------------------------------------------------

    def create_password_reset(
        self, user_id: int, token_hash: str, now: str, expires_at: str, issued_by: int | None
    ) -> None:
        """A new reset link for the user; their older unused links are deleted in the same
        write, so only the newest works."""

        def insert(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL", (user_id,)
            )
            conn.execute(
                "INSERT INTO password_resets (token_hash, user_id, issued_by, created_at,"
                " expires_at) VALUES (?, ?, ?, ?, ?)",
                (token_hash, user_id, issued_by, now, expires_at),
            )

        self.write(insert)

    def password_reset_user(self, token_hash: str, now: str) -> Row | None:
        """The user of an unused, unexpired reset link, or None."""
        return self.first(
            "SELECT u.* FROM password_resets r JOIN users u ON u.id = r.user_id"
            " WHERE r.token_hash = ? AND r.used_at IS NULL AND r.expires_at > ?",
            (token_hash, now),
        )

    def use_password_reset(
        self, token_hash: str, now: str, password_hash: str, guard_key: str
    ) -> int | None:
        """Use an unused, unexpired reset link, in one write: mark it used, store the new
        password hash, delete every session of its user, clear the sign-in guard
        `guard_key` (their username's lock) and their devices' failure counts. Returns
        the user's id, or None (nothing changed) when the link is unknown, used or
        expired."""

        def use(conn: sqlite3.Connection) -> int | None:
            used = conn.execute(
                "UPDATE password_resets SET used_at = ? WHERE token_hash = ?"
                " AND used_at IS NULL AND expires_at > ? RETURNING user_id",
                (now, token_hash, now),
            ).fetchall()
            if not used:
                return None
            user_id = int(used[0][0])
            conn.execute(_SET_PASSWORD, (password_hash, user_id))
            conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))
            conn.execute("UPDATE devices SET failures = 0 WHERE user_id = ?", (user_id,))
            conn.execute("DELETE FROM signin_guards WHERE key = ?", (guard_key,))
            return user_id

        return self.write(use)
