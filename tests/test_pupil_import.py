import pytest
from django.urls import reverse

from access.context import all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from learners.models import Learner, Participation
from learners.pupil_csv import template_csv
from learners.upn import upn_with_check_letter

pytestmark = pytest.mark.django_db

HEADER = "UPN,Legal first name,Preferred first name,Surname,Year group,Registration group,FSM,Disadvantaged,SEND,Looked after\n"  # noqa: E501


def upn(n: int) -> str:
    return upn_with_check_letter(f"888{n:09d}")


def upload(client, text, encoding="utf-8"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(
        reverse("pupil_import"), {"file": SimpleUploadedFile("pupils.csv", data, "text/csv")}
    )


def confirm(client):
    return client.post(reverse("pupil_import_confirm"))


def count():
    with all_tenants_UNSAFE("test"):
        return Learner.objects.count()


@pytest.fixture
def leader(client, world):
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    return client


def test_a_clean_file_previews_then_imports_whole(leader, world):
    text = HEADER + f"{upn(1)},Amira,,Khan,9,9B,Y,Y,K,N\n{upn(2)},Leo,Lee,Hart,Y10,10A,N,N,,N\n"
    before = count()
    preview = upload(leader, text)
    page = preview.content.decode()
    assert preview.status_code == 200 and "Confirm import of 2 pupils" in page
    assert count() == before
    assert confirm(leader).status_code == 302
    assert count() == before + 2
    with all_tenants_UNSAFE("test"):
        leo = Learner.objects.get(upn=upn(2))
        assert (leo.preferred_first_name, leo.school_id, leo.send) == (
            "Lee",
            world.a.school.pk,
            "N",
        )
        assert AuditEvent.objects.filter(
            model="learners.Learner", action="create", object_pk=str(leo.pk)
        ).exists()


@pytest.mark.parametrize(
    ("row", "problem"),
    [
        ("A801200005001,Amy,,Bell,9,9B,N,N,N,N", "should be B, not A"),
        ("B80120000500,Amy,,Bell,9,9B,N,N,N,N", "13 characters"),
        ("{upn},Amy,,Bell,6,9B,N,N,N,N", "unknown year group"),
        ("{upn},Amy,,Bell,Year 14,9B,N,N,N,N", "unknown year group"),
        ("{upn},,,Bell,9,9B,N,N,N,N", "Legal first name is missing"),
        ("{upn},Amy,,Bell,9,9B,maybe,N,N,N", "FSM must be Y or N"),
        ("{upn},Amy,,Bell,9,9B,N,N,X,N", "SEND must be N, K"),
    ],
)
def test_each_kind_of_bad_row_is_reported_with_its_line_and_nothing_is_saved(
    leader, world, row, problem
):
    good = f"{upn(3)},Good,,Row,8,8A,N,N,N,N\n"
    text = HEADER + good + row.format(upn=upn(4)) + "\n"
    before = count()
    response = upload(leader, text)
    page = response.content.decode()
    assert response.status_code == 422
    assert problem in page
    assert '<th scope="row">3</th>' in page  # the bad row is line 3 (header is line 1)
    assert "Confirm import" not in page
    assert confirm(leader).status_code == 302
    assert count() == before


def test_a_duplicate_upn_names_both_lines(leader):
    text = (
        HEADER
        + f"{upn(5)},A,,B,9,9A,N,N,N,N\n{upn(6)},C,,D,9,9A,N,N,N,N\n{upn(5)},E,,F,9,9A,N,N,N,N\n"
    )
    page = upload(leader, text).content.decode()
    assert "duplicate UPN: also on line 2" in page
    assert '<th scope="row">4</th>' in page


def test_missing_columns_and_empty_files_are_reported(leader):
    assert (
        "Missing columns: Year group"
        in upload(leader, "UPN,Legal first name,Surname\nX,Y,Z\n").content.decode()
    )
    assert "The submitted file is empty" in upload(leader, "").content.decode()
    assert "The file is empty" in upload(leader, "\n").content.decode()


def test_every_bad_row_is_listed_then_the_corrected_file_imports(leader):
    bad = HEADER + f"A801200005001,A,,B,9,9A,N,N,N,N\n{upn(7)},C,,D,15,9A,N,N,N,N\n"
    page = upload(leader, bad).content.decode()
    assert page.count('<th scope="row">') == 2
    before = count()
    fixed = HEADER + f"B801200005001,A,,B,9,9A,N,N,N,N\n{upn(7)},C,,D,9,9A,N,N,N,N\n"
    assert upload(leader, fixed).status_code == 200
    confirm(leader)
    assert count() == before + 2


def test_reimporting_updates_pupils_by_upn(leader, world):
    existing = world.a.pupil
    text = HEADER + f"{existing.upn},Amelia,,Renamed,9,9C,Y,Y,E,N\n"
    page = upload(leader, text).content.decode()
    assert "Pupils updated</dt><dd>1" in page
    before = count()
    confirm(leader)
    assert count() == before
    with all_tenants_UNSAFE("test"):
        existing.refresh_from_db()
    assert (existing.surname, existing.registration_group, existing.send) == ("Renamed", "9C", "E")


def test_a_pupil_on_another_schools_roll_stays_there_until_that_school_releases_them(client, world):
    # A UPN alone no longer moves a pupil (issue 11): tests/test_pupil_transfers.py covers
    # asking, releasing, declining and leavers.
    staying = world.b.pupil
    client.force_login(world.a.users[Role.CAREERS_LEADER])
    page = upload(client, HEADER + f"{staying.upn},Oliver,,Mover,9,9A,N,N,N,N\n").content.decode()
    assert "another school's roll</dt><dd>1" in page
    assert staying.surname not in page
    confirm(client)
    with all_tenants_UNSAFE("test"):
        staying.refresh_from_db()
        assert staying.school_id == world.b.school.pk and staying.surname != "Mover"
        assert Participation.objects.filter(learner=staying, school=world.b.school).count() == 1
    assert client.get(reverse("pupil_detail", args=[staying.pk])).status_code == 404
    client.force_login(world.b.users[Role.CAREERS_LEADER])
    assert client.get(reverse("pupil_detail", args=[staying.pk])).status_code == 200


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1252"])
def test_utf8_with_bom_and_windows_1252_files_keep_their_names(leader, encoding):
    text = HEADER + f"{upn(8)},Zoë,,O’Neill,9,9A,N,N,N,N\n{upn(9)},Siân,,Brontë,9,9A,N,N,N,N\n"
    assert upload(leader, text, encoding=encoding).status_code == 200
    confirm(leader)
    with all_tenants_UNSAFE("test"):
        assert Learner.objects.get(upn=upn(8)).surname == "O’Neill"
        assert Learner.objects.get(upn=upn(9)).legal_first_name == "Siân"


def test_an_unreadable_file_is_refused(leader):
    page = upload(leader, b"\x81\x8d\x8f\x90\x9d UPN").content.decode()
    assert "encoding is unreadable" in page


def test_confirming_without_a_preview_saves_nothing(leader):
    before = count()
    assert confirm(leader).status_code == 302
    assert count() == before


def test_the_template_passes_its_own_preview(leader):
    template = leader.get(reverse("pupil_import_template"))
    assert template["Content-Type"].startswith("text/csv")
    assert upload(leader, template_csv()).status_code == 200
