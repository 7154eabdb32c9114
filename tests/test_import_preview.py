"""The import preview lists the rows as read (issue 14): new, updated, leaving and moving
here, names shown so they can be checked, encoding damage flagged, a page at a time."""

import re

import pytest
from django.urls import reverse

from access.roles import Role
from learners.pupil_csv import name_warnings

from .test_pupil_import import HEADER, count, upload, upn

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    return client


def test_each_row_says_what_will_happen_to_it(leader, world):
    ours, theirs = world.a.pupil, world.b.pupil
    text = (
        HEADER
        + f"{upn(21)},Nadia,,Begum,7,7A,N,N,N,N\n"
        + f"{ours.upn},Amelia,Millie,Renamed,9,9B,Y,N,N,N\n"
        + f"{theirs.upn},Oliver,,Mover,9,9A,N,N,N,N\n"
    )
    page = upload(leader, text).content.decode()
    rows = re.findall(r"<tr[^>]*>\s*<td class=\"num\">(\d+)</td>(.*?)</tr>", page, re.S)
    assert [line for line, _ in rows] == ["2", "3", "4"]
    assert "Begum, Nadia" in rows[0][1] and "New pupil" in rows[0][1]
    assert "Renamed, Amelia" in rows[1][1] and "Updated" in rows[1][1]
    assert f"Was Amelia {ours.surname}" in rows[1][1]
    assert "Mover, Oliver" in rows[2][1] and "Moving here from another school" in rows[2][1]
    # Nothing of the other school's record: only what the file says.
    assert theirs.surname not in page


def test_a_leaving_date_shows_the_pupil_as_leaving(client, world):
    ours = world.a.pupil
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    text = (
        HEADER.rstrip("\n")
        + ",Leaving date\n"
        + f"{ours.upn},Amelia,,{ours.surname},9,9B,Y,N,N,N,18/07/2025\n"
    )
    page = upload(client, text).content.decode()
    assert "Of whom leaving</dt><dd>1" in page
    assert 'Leaving<br><span class="hint">Left on 18 July 2025</span>' in page


def test_nothing_has_been_saved_stands_above_the_counts(leader):
    text = HEADER + f"{upn(22)},Good,,Row,8,8A,N,N,N,N\n{upn(23)},Bad,,Row,15,8A,N,N,N,N\n"
    page = upload(leader, text).content.decode()
    assert page.index("Nothing has been saved") < page.index("New pupils")
    assert "Needs fixing" in page and "Row, Good" in page


def test_a_replacement_character_is_marked_and_counted(leader):
    text = (
        HEADER + f"{upn(24)},Zo\ufffd,,Br\ufffdnte,9,9A,N,N,N,N\n{upn(25)},Ann,,Lee,9,9A,N,N,N,N\n"
    )
    response = upload(leader, text)
    page = response.content.decode()
    assert response.status_code == 200  # flagged for checking, not refused
    assert "1 name looks wrong" in page
    assert page.count('<mark class="replacement">') == 2
    assert "a character could not be read" in page
    checked = leader.get(reverse("pupil_import_rows"), {"show": "check"}).content.decode()
    assert "Names to check: rows 1 to 1 of 1" in checked
    assert "Lee, Ann" not in checked


def test_a_file_read_as_windows_1252_says_so(leader):
    text = HEADER + f"{upn(26)},Siân,,Brontë,9,9A,N,N,N,N\n"
    page = upload(leader, text, encoding="cp1252").content.decode()
    assert "File read as</dt><dd>Windows-1252" in page
    assert "Brontë, Siân" in page


@pytest.mark.parametrize(
    ("names", "warned"),
    [
        (("Zoë", "O’Neill"), False),
        (("JOÃO", "Silva"), False),
        (("ZoÃ«", "Smith"), True),
        (("Aoife", "Oâ€™Neill"), True),
        (("Zo\ufffd", "Smith"), True),
    ],
)
def test_garbled_names_are_told_apart_from_accented_ones(names, warned):
    assert bool(name_warnings(*names)) is warned


def test_a_large_file_is_shown_a_page_at_a_time(leader):
    text = HEADER + "".join(
        f"{upn(1000 + n)},Kid{n},,Class{n:04d},9,9A,N,N,N,N\n" for n in range(250)
    )
    first = upload(leader, text).content.decode()
    assert "All rows: rows 1 to 100 of 250" in first
    assert "Class0099" in first and "Class0100" not in first
    third = leader.get(reverse("pupil_import_rows"), {"page": 3}).content.decode()
    assert "rows 201 to 250 of 250" in third and "Class0249" in third
    before = count()
    assert leader.post(reverse("pupil_import_confirm")).status_code == 302
    assert count() == before + 250
    # The listing goes with the import: another look asks for a file again.
    assert leader.get(reverse("pupil_import_rows")).status_code == 302
