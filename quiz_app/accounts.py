"""Accounts and cohorts: sign-up, sign-in with lockout, sessions, devices, join codes."""

from __future__ import annotations

import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from quiz_app import fonts, formatting
from quiz_app.auth import hash_password, verify_password
from quiz_app.clock import Clock, LocalTime, SystemClock, iso, parse
from quiz_app.errors import QuizError
from quiz_app.store import LookalikeTaken, Row, Store
from quiz_app.usernames import LOOKALIKES, normalise_username

LEARNER = "learner"
INSTRUCTOR = "instructor"
MIN_PASSWORD = 8
MAX_FAILED_SIGNINS = 5
LOCK_MINUTES = 15
DEVICE_FAILURES = 5
DEVICE_DAYS = 180
SESSION_HOURS = 12
HANDOFF_SECONDS = 60
NO_MATCH = "That username and password do not match."
WRONG_CURRENT = "That is not your current password."
PASSWORDS_DIFFER = "The two passwords differ."
# Session tokens, device tokens and hand-off codes: URL-safe base64 of 32 random bytes.
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")
# Join codes avoid look-alike characters (0/O, 1/I/L) so they survive being read aloud.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Letters that show nothing though Unicode counts them as letters (Hangul fillers, the
# Mongolian vowel separator, the blank Braille pattern).
BLANK_LETTERS = frozenset("\u115f\u1160\u180e\u2800\u3164\uffa0")
# Scripts whose letters pass for each other's; a username uses at most one of them.
LOOKALIKE_SCRIPTS = ("LATIN", "GREEK", "CYRILLIC")


class AccountError(QuizError):
    """Sign-up or sign-in refused, with the reason in words."""


class AccountLocked(AccountError):
    """Too many failed sign-ins: this username is refused for a while, password unchecked,
    on browsers where it has not signed in before."""


class NameFixed(AccountError):
    """The display name is printed on an issued certificate, so it is no longer changed here."""


class BadJoinCode(QuizError):
    """No cohort has that join code, or its cohort takes no one any more."""


class AlreadyJoined(QuizError):
    """The learner is already in the cohort of that join code; nothing changed."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: str

    @property
    def is_instructor(self) -> bool:
        return self.role == INSTRUCTOR

    @classmethod
    def from_row(cls, row: Row) -> User:
        return cls(row["id"], row["username"], row["display_name"], row["role"])


@dataclass(frozen=True)
class Licence:
    """A learner's professional licence as their profile holds it (printed on the
    certificates issued after it is given); either part may be missing."""

    number: str | None = None
    jurisdiction: str | None = None


@dataclass(frozen=True)
class NewSession:
    """A session just started by a sign-in: its id, which only the server keeps, and the
    one-time code with which the browser claims the session's token."""

    id: int
    handoff: str


@dataclass(frozen=True)
class BrowserCookies:
    """What a browser that claimed its session is given: the session token, how many
    seconds it lasts, and a new device token (None: the browser's own stays valid)."""

    session_token: str
    session_seconds: int
    device_token: str | None


@dataclass(frozen=True)
class SignedIn:
    """A browser's unexpired session and its user."""

    session_id: int
    user: User


def _invisible(c: str) -> bool:
    """True for a character that shows nothing on its own: format characters (zero-width
    spaces and joiners), spaces, combining marks, blank letters."""
    return unicodedata.category(c) in ("Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Mc") or (
        c in BLANK_LETTERS
    )


def _script(c: str) -> str:
    """The script a character's Unicode name starts with: LATIN, CYRILLIC, DIGIT..."""
    return unicodedata.name(c, "UNNAMED").split()[0]


def _described(c: str) -> str:
    return f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_name(text: str, what: str) -> str:
    """A name as typed, NFC-normalised and trimmed; raises QuizError for unusable text.

    Control, surrogate and private-use characters, and the bidirectional overrides
    that make text display differently from what it says, are refused.
    """
    text = unicodedata.normalize("NFC", text).strip()
    if not text or len(text) > 100:
        raise AccountError(f"Enter {what} (1 to 100 characters).")
    if all(_invisible(c) for c in text):
        raise AccountError(
            f"{what.capitalize()} would look blank: it has only invisible characters, "
            "spaces or combining marks."
        )
    if any(
        unicodedata.category(c) in ("Cc", "Cs", "Co")
        or "\u202a" <= c <= "\u202e"
        or "\u2066" <= c <= "\u2069"
        for c in text
    ):
        raise AccountError(f"{what.capitalize()} contains characters that cannot be shown.")
    return text


def printed_name_check(name: str) -> None:
    """Raise AccountError when the certificate could not print `name` (`fonts.unprintable`
    is the rule; the certificate never prints a name with a character left out)."""
    missing = fonts.unprintable(name)
    if missing:
        raise AccountError(
            f"Your name is printed on your certificate, and the certificate cannot print "
            f"{fonts.describe(missing)}. Write your name without "
            f"{'it' if len(missing) == 1 else 'them'}, or as it is spelt in another script."
        )


def check_new_account(username: str, display_name: str, password: str) -> None:
    """Raise AccountError when a new account's details are not acceptable.

    `username` is already normalised. One that would look blank, has an invisible
    character or mixes Latin, Greek and Cyrillic letters is refused, saying why.
    """
    if all(_invisible(c) for c in username):
        raise AccountError(
            "A username needs letters or digits you can see: this one would look blank."
        )
    hidden = next((c for c in username if _invisible(c)), None)
    if hidden is not None and not hidden.isspace():
        raise AccountError(
            f"A username cannot contain invisible characters or combining marks "
            f"(it has {_described(hidden)})."
        )
    if not 3 <= len(username) <= 40 or not all(c.isalnum() or c in "._-" for c in username):
        raise AccountError("A username is 3 to 40 letters, digits, dots, dashes or underscores.")
    scripts = {_script(c): c for c in username if _script(c) in LOOKALIKE_SCRIPTS}
    if len(scripts) > 1:
        foreign = [c for script, c in sorted(scripts.items()) if script != "LATIN"]
        raise AccountError(
            f"A username cannot mix {' and '.join(s.title() for s in sorted(scripts))} letters, "
            f"whose look-alikes let it pass for another name (it has {_described(foreign[0])})."
        )
    check_display_name(display_name)
    check_new_password(password)


def check_display_name(display_name: str) -> str:
    """The display name as stored (`clean_name`), or AccountError when it is unusable or
    the certificate could not print it: the rule for sign-up and for a change of name."""
    name = clean_name(display_name, "your name")
    printed_name_check(name)
    return name


def check_new_password(password: str, repeat: str | None = None) -> None:
    """Raise AccountError when `password` is too short for an account, or when it was
    typed twice (`repeat`) and the two differ: the rule for sign-up, change and reset."""
    if repeat is not None and password != repeat:
        raise AccountError(PASSWORDS_DIFFER)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password needs at least {MIN_PASSWORD} characters.")


class Accounts:
    """Sign-up, sign-in and cohort membership, over a Store and a Clock; `local` is the
    course's time zone, whose day a cohort's end date is."""

    def __init__(self, store: Store, clock: Clock | None = None, local: LocalTime | None = None):
        self.store = store
        self.clock = clock or SystemClock()
        self.local = local or LocalTime()

    def sign_up(self, username: str, display_name: str, password: str, role: str = LEARNER) -> User:
        """Create an account; raises AccountError (or UsernameTaken) with the reason.

        A username that would look like another account's is refused by the store's
        insert itself (a UNIQUE index on the skeleton), so two sign-ups at once cannot
        both take look-alikes; the message says which characters pass for which.
        """
        username = normalise_username(username)
        check_new_account(username, display_name, password)
        display_name = check_display_name(display_name)
        try:
            user_id = self.store.create_user(
                username, display_name, role, hash_password(password), iso(self.clock.now())
            )
        except LookalikeTaken:
            raise AccountError(_lookalike_message(username)) from None
        return User(user_id, username, display_name, role)

    def sign_in(self, username: str, password: str, device_token: str | None = None) -> User:
        """The user whose password this is; raises AccountError, or AccountLocked (see
        `_check_password`)."""
        return self._check_password(username, password, device_token, NO_MATCH)

    def _check_password(
        self, username: str, password: str, device_token: str | None, no_match: str
    ) -> User:
        """The user whose password this is; raises AccountError starting with `no_match`
        for a wrong password, or AccountLocked.

        Every password check first takes a ticket, in one write, from one of two counts:
        - a browser holding a valid `device_token` of the account (one it signed in on)
          takes it from that device: DEVICE_FAILURES failures in a row and the device
          is forgotten, so its later sign-ins count as from any other browser;
        - any other browser takes it from the username's guard: at most
          MAX_FAILED_SIGNINS checks per window, which lasts LOCK_MINUTES from its first
          check and, once full, LOCK_MINUTES from its last.
        With no ticket left, AccountLocked is raised without checking the password, so
        parallel guesses cannot exceed the limit. A success clears the count it came from.
        An unknown username is counted, checked against a dummy hash and answered
        exactly as a wrong password for a real account is. A blank username or password is
        refused first, saying what is missing, and counts as no attempt.
        """
        given = {"username": username.strip(), "password": password}
        if missing := [what for what, text in given.items() if not text]:
            raise AccountError(f"Enter your {' and '.join(missing)}.")
        now = self.clock.now()
        name = normalise_username(username)
        row = self.store.user_by_username(name)
        guard_key = signin_guard_key(name)
        device_hash = token_hash(device_token) if device_token else None
        ticket = self.store.take_signin_ticket(
            guard_key,
            device_hash,
            row["id"] if row else None,
            iso(now),
            iso(now + timedelta(minutes=LOCK_MINUTES)),
            MAX_FAILED_SIGNINS,
            DEVICE_FAILURES,
        )
        if ticket["checks"] is None:
            raise AccountLocked(_locked_message(parse(ticket["locked_until"]) - now))
        used_device = device_hash if ticket["device"] else None
        if verify_password(password, row["password_hash"] if row else _DUMMY_HASH) and row:
            self.store.signin_succeeded(guard_key, used_device)
            return User.from_row(row)
        if used_device is not None:
            left = DEVICE_FAILURES - ticket["checks"]
            if self.store.forget_failing_device(used_device, DEVICE_FAILURES):
                raise AccountError(
                    f"{no_match} After {DEVICE_FAILURES} failed attempts this browser is no "
                    "longer recognised for this username."
                )
            raise AccountError(
                f"{no_match} After {_more(left)}, this browser will no longer be recognised "
                "for this username."
            )
        left = MAX_FAILED_SIGNINS - ticket["checks"]
        if left <= 0:
            raise AccountLocked(
                f"{MAX_FAILED_SIGNINS} failed sign-ins: this username is locked for "
                f"{LOCK_MINUTES} minutes on browsers where it has not signed in before."
            )
        raise AccountError(
            f"{no_match} {_more(left)} will lock this username for {LOCK_MINUTES} minutes "
            "on browsers where it has not signed in before."
        )

    def start_session(self, user: User) -> NewSession:
        """A new session for a signed-in user, valid for SESSION_HOURS, and its hand-off code.

        The session has no token yet: the browser gets one by sending the hand-off code,
        once, within HANDOFF_SECONDS (see `claim_session`). Only hashes are stored.
        """
        code = secrets.token_urlsafe(32)
        now = self.clock.now()
        session_id = self.store.create_session(
            user.id,
            token_hash(code),
            iso(now + timedelta(seconds=HANDOFF_SECONDS)),
            iso(now),
            iso(now + timedelta(hours=SESSION_HOURS)),
        )
        return NewSession(session_id, code)

    def claim_session(
        self, code: str, device_token: str | None = None, presented_token: str | None = None
    ) -> BrowserCookies | None:
        """The cookies for the browser that sends an unused, unexpired hand-off code, or None.

        A fresh session token is minted for the code's session. The session token the
        browser presented, if any, is revoked. Unless `device_token` is a valid device
        token of the same user, a new device token comes with it (DEVICE_DAYS long).
        """
        if not TOKEN.fullmatch(code):
            return None
        token, device = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self.clock.now()
        claimed = self.store.claim_session(
            token_hash(code),
            token_hash(token),
            iso(now),
            token_hash(presented_token) if presented_token else None,
            token_hash(device_token) if device_token else None,
            token_hash(device),
            iso(now + timedelta(days=DEVICE_DAYS)),
        )
        if claimed is None:
            return None
        seconds = int((parse(claimed["expires_at"]) - now).total_seconds())
        return BrowserCookies(token, seconds, device if claimed["new_device"] else None)

    def resume_session(self, token: str) -> SignedIn | None:
        """The session and user of an unexpired session token, or None."""
        if not TOKEN.fullmatch(token):
            return None
        row = self.store.session_of_token(token_hash(token), iso(self.clock.now()))
        return SignedIn(row["session_id"], User.from_row(row)) if row else None

    def session_user(self, session_id: int) -> User | None:
        """The user of an unexpired, unrevoked session, or None (one primary-key lookup)."""
        row = self.store.session_user(session_id, iso(self.clock.now()))
        return User.from_row(row) if row else None

    def end_session(self, session_id: int) -> None:
        """Revoke a session: it signs no page or browser in any more."""
        self.store.delete_session(session_id)

    def end_session_of_token(self, token: str) -> None:
        """Revoke the session that has this token, if any."""
        if TOKEN.fullmatch(token):
            self.store.delete_session_of_token(token_hash(token))

    def user(self, user_id: int) -> User | None:
        row = self.store.user(user_id)
        return User.from_row(row) if row else None

    def name_fixed(self, user: User) -> bool:
        """Whether a certificate has been issued to `user`: it prints their name, which
        is then fixed (a correction goes through the instructor)."""
        return self.store.has_certificate(user.id)

    def change_display_name(self, user: User, display_name: str) -> User:
        """The user with a new display name, checked as sign-up checks it; raises
        AccountError for an unusable name, NameFixed once a certificate has been issued
        (decided by the update itself, so an issue at the same moment cannot slip by)."""
        name = check_display_name(display_name)
        if not self.store.set_display_name(user.id, name):
            raise NameFixed(
                "The name on an issued certificate is fixed, so it cannot be changed here; "
                "ask your instructor to correct it."
            )
        return User(user.id, user.username, name, user.role)

    def licence(self, user: User) -> Licence:
        row = self.store.user(user.id)
        if row is None:
            return Licence()
        return Licence(row["licence_number"], row["licence_jurisdiction"])

    def change_licence(self, user: User, number: str, jurisdiction: str) -> Licence:
        """Store the learner's licence number and jurisdiction (blank clears a part),
        checked as names are (at most 100 characters, nothing invisible, printable on a
        certificate). Certificates already issued keep the licence they were issued with."""
        parts = []
        for text, what in ((number, "your licence number"), (jurisdiction, "the jurisdiction")):
            if not text.strip():
                parts.append(None)
                continue
            cleaned = clean_name(text, what)
            missing = fonts.unprintable(cleaned)
            if missing:
                raise AccountError(
                    f"{what.capitalize()} is printed on your certificate, which cannot print "
                    f"{fonts.describe(missing)}."
                )
            parts.append(cleaned)
        self.store.set_licence(user.id, parts[0], parts[1])
        return Licence(parts[0], parts[1])

    def change_password(
        self,
        user: User,
        current: str,
        new: str,
        repeat: str,
        keep_session_id: int | None,
        device_token: str | None = None,
    ) -> None:
        """Set a new password after checking the current one, and revoke every session of
        the user but `keep_session_id` (the browser that asked stays signed in).

        The current password is checked as a sign-in is, from the same counts (this
        browser's device, else the username's guard): a wrong one is a failed sign-in
        and can lock the username (AccountLocked). Raises AccountError (WRONG_CURRENT,
        or the new password's rule) and changes nothing then.
        """
        check_new_password(new, repeat)
        self._check_password(user.username, current, device_token, WRONG_CURRENT)
        self.store.set_password(user.id, hash_password(new), keep_session_id)

    def cohort_to_join(self, join_code: str) -> Row:
        """The cohort a learner may join with this code (spaces, dashes and case ignored);
        raises BadJoinCode, saying why, for an empty or unknown code or a cohort that is
        archived or ended (before today, in the course's time zone)."""
        code = join_code.strip().upper().replace(" ", "").replace("-", "")
        if not code:
            raise BadJoinCode("Enter the join code your instructor gave you.")
        cohort = self.store.cohort_by_code(code)
        if cohort is None:
            raise BadJoinCode(
                f'No cohort has the join code "{join_code.strip()}". Check it with your instructor.'
            )
        if cohort["archived_at"]:
            raise BadJoinCode(_closed_message(cohort, "archived"))
        if cohort["ends_on"] and cohort["ends_on"] < self._today():
            raise BadJoinCode(_closed_message(cohort, "ended"))
        return cohort

    def join(self, user: User, join_code: str) -> Row:
        """Join the cohort with this code; raises BadJoinCode (see `cohort_to_join`), or
        AlreadyJoined for a member. The store checks archive and end date again in the
        insert, so a cohort archived or ended meanwhile is refused all the same."""
        cohort = self.cohort_to_join(join_code)
        outcome = self.store.join_cohort(
            cohort["id"], user.id, iso(self.clock.now()), self._today()
        )
        if outcome == "already":
            raise AlreadyJoined(f"You are already in {cohort['name']}.")
        if outcome != "joined":
            raise BadJoinCode(_closed_message(cohort, outcome))
        return cohort

    def _today(self) -> str:
        """Today in the course's time zone, as YYYY-MM-DD."""
        return self.local.day(iso(self.clock.now())).isoformat()

    def cohorts_joined(self, user: User) -> list[Row]:
        return self.store.cohorts_joined(user.id)

    def create_cohort(
        self,
        instructor: User,
        name: str,
        starts_on: date | None = None,
        ends_on: date | None = None,
    ) -> Row:
        """Create a cohort with a fresh join code; raises QuizError for bad input."""
        if not instructor.is_instructor:
            raise QuizError("Only instructors create cohorts.")
        name = clean_name(name, "a cohort name")
        if starts_on and ends_on and ends_on < starts_on:
            raise QuizError("A cohort cannot end before it starts.")
        cohort_id = self.store.create_cohort(
            name,
            new_join_code(),
            instructor.id,
            starts_on.isoformat() if starts_on else None,
            ends_on.isoformat() if ends_on else None,
            iso(self.clock.now()),
        )
        row = self.store.cohort(cohort_id)
        assert row is not None
        return row

    def rename_cohort(self, instructor: User, cohort_id: int, name: str) -> Row:
        """Rename the instructor's cohort; raises QuizError for a bad name or another's
        cohort. Reports show the new name (the rename counts as a change of the cohort's
        reports, see m010_report_versions)."""
        cohort = self.owned_cohort(instructor, cohort_id)
        self.store.rename_cohort(cohort["id"], clean_name(name, "a cohort name"))
        row = self.store.cohort(cohort["id"])
        assert row is not None
        return row

    def archive_cohort(self, instructor: User, cohort_id: int, archived: bool = True) -> None:
        """Archive the instructor's cohort (no one joins it any more; members, attempts
        and reports stay), or with `archived` False take it out of the archive."""
        cohort = self.owned_cohort(instructor, cohort_id)
        self.store.set_cohort_archived(cohort["id"], iso(self.clock.now()) if archived else None)

    def rotate_join_code(self, instructor: User, cohort_id: int) -> str:
        """Give the instructor's cohort a new join code; the old one stops working."""
        cohort = self.owned_cohort(instructor, cohort_id)
        code = new_join_code()
        self.store.set_join_code(cohort["id"], code)
        return code

    def owned_cohort(self, instructor: User, cohort_id: int) -> Row:
        """The cohort if this instructor owns it; raises QuizError otherwise."""
        cohort = self.store.cohort(cohort_id)
        if cohort is None or cohort["instructor_id"] != instructor.id:
            raise QuizError("That cohort does not exist or is not yours.")
        return cohort


def _closed_message(cohort: Row, why: str) -> str:
    """Why a learner cannot join `cohort`: it was archived, or it `ended`."""
    if why == "archived":
        return f"{cohort['name']} is archived and takes no new learners. Ask your instructor."
    ended = date.fromisoformat(cohort["ends_on"])
    return (
        f"{cohort['name']} ended on {ended.day} {ended.strftime('%B %Y')} and takes no new "
        "learners. Ask your instructor."
    )


def _lookalike_message(username: str) -> str:
    """Why `username` is refused though nobody has it: it would look like a taken one."""
    passing = dict.fromkeys(c for c in username if c.translate(LOOKALIKES) != c)
    why = ", ".join(f"{_described(c)} looks like {c.translate(LOOKALIKES)!r}" for c in passing)
    return (
        f'The username "{username}" would look the same as one already taken'
        f"{f' ({why})' if why else ''}; choose another."
    )


def signin_guard_key(username: str) -> str:
    """The key of a username's sign-in guard (its lock), existing account or not."""
    return token_hash(normalise_username(username))


def token_hash(token: str) -> str:
    """What the database keeps of a token or code: its SHA-256, in hex."""
    return hashlib.sha256(token.encode()).hexdigest()


def _more(count: int) -> str:
    return formatting.plural(count, "more failed attempt")


def _locked_message(remaining: timedelta) -> str:
    minutes = max(1, -(-int(remaining.total_seconds()) // 60))
    return (
        "This username is locked after repeated failed sign-ins; try again in "
        f"{formatting.plural(minutes, 'minute')}, or sign in on a browser where you have "
        "signed in before."
    )


_DUMMY_HASH = hash_password(secrets.token_hex(8))
