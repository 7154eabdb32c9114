"""Unique Pupil Numbers: the DfE check-letter rule, with errors a careers leader can act on."""

from stdnum.gb.upn import calc_check_digit, compact
from stdnum.util import isdigits

# DfE's check-letter alphabet: 23 letters, I, O and S left out.
CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


class InvalidUPN(ValueError):
    pass


def upn_validate(value: str) -> str:
    """Return the UPN in canonical form or raise InvalidUPN saying what is wrong.

    Permanent UPNs end in a digit; temporary ones (issued while the permanent one is
    traced) end in a check-alphabet letter. Both carry the same check letter rule.
    """
    upn = compact(value or "")
    if len(upn) != 13:
        raise InvalidUPN(f"A UPN has 13 characters; {upn or 'this'!r} has {len(upn)}.")
    if upn[0] not in CHECK_LETTERS:
        raise InvalidUPN(f"A UPN starts with a check letter (not I, O or S); {upn!r} does not.")
    if not isdigits(upn[1:12]) or not (upn[12].isdigit() or upn[12] in CHECK_LETTERS):
        raise InvalidUPN(
            f"Characters 2-12 of a UPN are digits and the last a digit or a letter; {upn!r} is not."
        )
    expected = calc_check_digit(upn[1:])
    if upn[0] != expected:
        raise InvalidUPN(f"The check letter of {upn!r} should be {expected}, not {upn[0]}.")
    return upn


def upn_is_temporary(upn: str) -> bool:
    return upn[-1].isalpha()


def upn_with_check_letter(body: str) -> str:
    """Add the check letter to the 12 characters after it (for demo data and tests)."""
    return calc_check_digit(body) + body
