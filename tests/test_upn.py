import pytest

from learners.upn import InvalidUPN, upn_is_temporary, upn_validate, upn_with_check_letter

# Worked by hand from the DfE rule: weights 2..13 on characters 2..13, sum mod 23, letter
# from A B C D E F G H J K L M N P Q R T U V W X Y Z.
VALID_PERMANENT = "B801200005001"
VALID_TEMPORARY = upn_with_check_letter("80120000500A")


def test_it_accepts_a_valid_permanent_upn():
    assert upn_validate(VALID_PERMANENT) == VALID_PERMANENT


def test_it_accepts_lower_case_and_spaces_and_returns_the_canonical_form():
    assert upn_validate(" b801 2000 05001 ") == VALID_PERMANENT


def test_it_names_the_right_check_letter_when_the_letter_is_wrong():
    with pytest.raises(InvalidUPN, match="should be B, not A"):
        upn_validate("A801200005001")


@pytest.mark.parametrize("value", ["B80120000500", "B8012000050011", ""])
def test_it_refuses_the_wrong_length(value):
    with pytest.raises(InvalidUPN, match="13 characters"):
        upn_validate(value)


def test_it_refuses_letters_in_the_middle():
    with pytest.raises(InvalidUPN, match="digits"):
        upn_validate("B80120000A001")


@pytest.mark.parametrize("letter", ["I", "O", "S"])
def test_it_refuses_check_letters_outside_the_dfe_alphabet(letter):
    with pytest.raises(InvalidUPN, match="check letter"):
        upn_validate(letter + "801200005001")


def test_it_accepts_a_temporary_upn_ending_in_a_letter():
    assert VALID_TEMPORARY[-1] == "A"
    assert upn_validate(VALID_TEMPORARY) == VALID_TEMPORARY
    assert upn_is_temporary(VALID_TEMPORARY)
    assert not upn_is_temporary(VALID_PERMANENT)


def test_it_checks_the_letter_of_a_temporary_upn_too():
    wrong = ("C" if VALID_TEMPORARY[0] != "C" else "D") + VALID_TEMPORARY[1:]
    with pytest.raises(InvalidUPN, match="check letter"):
        upn_validate(wrong)


def test_the_check_letter_matches_a_hand_computed_sum():
    body = "801200005001"
    total = sum(int(digit) * weight for weight, digit in enumerate(body, start=2))
    assert upn_with_check_letter(body)[0] == "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]
