"""Sign-in codes: what a pupil types instead of a password.

A code is CODE_LENGTH symbols from a 32-symbol alphabet with no look-alikes (no I, O, 0
or 1), drawn by `secrets`: 12 symbols carry 60 bits. It is printed once for the pupil and
kept only as a keyed digest (HMAC-SHA256 under the project's secret key), so a copy of
the database does not reveal a working code, and looking a code up by its digest needs no
name or school typed beside it.

How guessable: with every one of England's 3.3 million pupils holding a live code at
once, one guess finds some pupil's code with probability 3.3e6 / 2^60, about 3e-12. The
sign-in page allows settings.ACCOUNT_RATE_LIMITS["pupil_code_failed"] wrong codes per
address: 60 per 15 minutes (a class behind one school address may mistype) is 5,760 a
day, so one address guessing for a whole year (2.1 million tries) succeeds with
probability about 6 in a million (tests/test_pupil_sign_in.py computes it from these
constants). Codes expire (a week by default), so far fewer are live at once in practice.
"""

import secrets

from django.utils.crypto import salted_hmac

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
GROUP = 4
BITS_PER_SYMBOL = 5  # len(ALPHABET) == 2**5
_SALT = "equalex.pupils.sign-in-code"


def code_new() -> str:
    """A fresh code, as printed: ABCD-EFGH-JKLM."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + GROUP] for i in range(0, CODE_LENGTH, GROUP))


def code_normalise(typed: str) -> str:
    """What the pupil typed, as the code's symbols: case, spaces and dashes do not matter;
    an O typed for a 0 or the like cannot matter either, as neither is ever printed."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def code_digest(typed: str) -> str | None:
    """The digest a code is stored and looked up by; None when the text cannot be a code
    (so nothing is looked up for it)."""
    symbols = code_normalise(typed)
    if len(symbols) != CODE_LENGTH or not set(symbols) <= set(ALPHABET):
        return None
    return salted_hmac(_SALT, symbols, algorithm="sha256").hexdigest()


def entropy_bits() -> int:
    return CODE_LENGTH * BITS_PER_SYMBOL
