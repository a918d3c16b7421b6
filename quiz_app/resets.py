"""Password-reset links: one-time, valid for an hour, issued by an instructor of the
learner's cohort or by `quiz-app reset-password`; no email server is assumed, so the
link is shown to whoever issued it, to pass on.

The database keeps only a hash of a link's token. A new link for an account makes its
older unused ones stop working. Using a link sets the password, revokes every session
of the account and clears its sign-in lock; the person then signs in with the new
password. Tokens are never logged nor put into a message.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from quiz_app.accounts import (
    TOKEN,
    Accounts,
    User,
    check_new_password,
    signin_guard_key,
    token_hash,
)
from quiz_app.addresses import page_address
from quiz_app.auth import hash_password
from quiz_app.clock import Clock, SystemClock, iso
from quiz_app.errors import QuizError
from quiz_app.store import Store

RESET_MINUTES = 60
RESET_PAGE = "reset_password"  # the signed-out page a link opens (views/reset_password.py)
TOKEN_PARAM = "token"
NOT_VALID = (
    "This password reset link does not work: it has been used, it has expired (links last "
    f"{RESET_MINUTES} minutes), or a newer one was made. Ask your instructor for a new link."
)


class ResetRefused(QuizError):
    """No reset link for that account or by that person, or the link does not work."""


@dataclass(frozen=True)
class ResetLink:
    """A reset link just issued: whose account, its token (shown once, never stored) and
    when it expires (stored UTC text)."""

    user: User
    token: str
    expires_at: str

    def address(self, base: str) -> str:
        """The link under the app's address `base` (see quiz_app/addresses.py)."""
        return page_address(base, RESET_PAGE, {TOKEN_PARAM: self.token})


class PasswordResets:
    """Issue and use password-reset links, over a Store and a Clock."""

    def __init__(self, store: Store, clock: Clock | None = None):
        self.store = store
        self.clock = clock or SystemClock()

    def issue(self, user: User, issued_by: User | None = None) -> ResetLink:
        """A new link for `user`, valid for RESET_MINUTES; their older unused links stop
        working. No check of who asks: see `issue_for_learner` and `issue_for_username`."""
        token = secrets.token_urlsafe(32)
        now = self.clock.now()
        expires_at = iso(now + timedelta(minutes=RESET_MINUTES))
        self.store.create_password_reset(
            user.id, token_hash(token), iso(now), expires_at, issued_by.id if issued_by else None
        )
        return ResetLink(user, token, expires_at)

    def issue_for_learner(self, instructor: User, learner_id: int) -> ResetLink:
        """A link for a learner in one of `instructor`'s own cohorts; raises ResetRefused
        for anyone else (a learner of other cohorts only, an instructor, no such user)."""
        learner = Accounts(self.store, self.clock).user(learner_id)
        if (
            not instructor.is_instructor
            or learner is None
            or learner.is_instructor
            or not self.store.teaches(instructor.id, learner.id)
        ):
            raise ResetRefused("You can make reset links only for learners in your own cohorts.")
        return self.issue(learner, instructor)

    def issue_for_username(self, username: str) -> ResetLink:
        """A link for the account with this username (the command line's); raises
        ResetRefused when there is none."""
        row = self.store.user_by_username(username.strip())
        if row is None:
            raise ResetRefused(f'no account has the username "{username.strip()}"')
        return self.issue(User.from_row(row))

    def holder(self, token: str) -> User | None:
        """The user whose unused, unexpired link this is, or None."""
        if not TOKEN.fullmatch(token):
            return None
        row = self.store.password_reset_user(token_hash(token), iso(self.clock.now()))
        return User.from_row(row) if row else None

    def use(self, token: str, password: str, repeat: str) -> User:
        """Set the password of the link's user and use the link up: every session of the
        user is revoked and the username's sign-in lock cleared. Raises AccountError for
        a password the rules refuse (the link still works then), ResetRefused (NOT_VALID)
        for a link that does not work."""
        check_new_password(password, repeat)
        user = self.holder(token)
        if user is None:
            raise ResetRefused(NOT_VALID)
        used = self.store.use_password_reset(
            token_hash(token),
            iso(self.clock.now()),
            hash_password(password),
            signin_guard_key(user.username),
        )
        if used is None:  # used or expired between the two statements
            raise ResetRefused(NOT_VALID)
        return user
