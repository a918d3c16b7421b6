"""What a username is and what it looks like: pure functions the accounts, the store and
its migrations share.

A username's skeleton (`username_skeleton`) is stored beside it under a UNIQUE index, so
the database itself refuses a second account that would look the same. Changing
LOOKALIKES or LOOKALIKE_PAIRS changes skeletons: it needs a migration that recomputes
the stored ones.
"""

from __future__ import annotations

import unicodedata

# Each look-alike (after NFKC and casefold, so lower case only) and the Latin letter it
# passes for: a small, hand-picked part of Unicode's confusables (UTS #39).
LOOKALIKES = str.maketrans(
    "асԁеһіјӏорԛѕухԝү"  # Cyrillic
    "αγηικνορτυχω"  # Greek
    "ıɑɡǀɩ01",  # Latin and digits
    "acdehijlopqsyxwyaynikvoptuxwiagliol",
)
LOOKALIKE_PAIRS = (("rn", "m"), ("vv", "w"))


def normalise_username(username: str) -> str:
    """A username as stored and looked up: NFKC, trimmed, casefolded (sign-up and sign-in
    both go through this, so `ＡＮＡ`, `Ana` and `ana` are one account)."""
    return unicodedata.normalize("NFKC", username).strip().casefold()


def username_skeleton(username: str) -> str:
    """What a username looks like: normalised, each look-alike letter or digit folded to
    the Latin letter it passes for (`раураӏ`, `paypa1` and `paypal` share a skeleton)."""
    skeleton = normalise_username(username).translate(LOOKALIKES)
    for pair, single in LOOKALIKE_PAIRS:
        skeleton = skeleton.replace(pair, single)
    return skeleton
