"""Issue 14 in a browser, at a school of 1,500 pupils: class logging from a year group with
the employer picked by keyboard alone, the import preview, and the pupil page's placements.
Full-page screenshots go to var/screenshots/logging/ (not in git)."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from access.context import all_tenants_UNSAFE
from access.roles import Role

from .shots import shot as screenshot
from .test_browser import axe_violations, sign_in

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

PER_YEAR, GROUPS = 300, "ABCDEFGHIJ"


def shot(page, name):
    screenshot(page, "logging", name)


@pytest.fixture
def big_school(world):
    """1,500 pupils in Years 7-11, ten registration groups of 30 a year, and 40 partner
    employers besides the world's: enough that no list of them fits on a page."""
    from employers.models import Employer
    from learners.academic import cohort_for
    from learners.models import Learner
    from learners.upn import upn_with_check_letter

    today = date.today()
    with all_tenants_UNSAFE("test big school"):
        Learner.objects.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                legal_first_name=f"Kid{n:04d}",
                surname=f"Year{year}Pupil{n:04d}",
                registration_group=f"{year}{GROUPS[(n // 30) % 10]}",
                upn=upn_with_check_letter(f"8886{year:02d}{n:06d}"),
                cohort=cohort_for(year, today),
            )
            for year in range(7, 12)
            for n in range(PER_YEAR)
        )
        employers = Employer.objects.bulk_create(
            Employer(name=f"{trade} {n}", size_band="small")
            for n, trade in enumerate(
                ["Bakery", "Garage", "Hospital", "Law firm", "Builders"] * 8, start=1
            )
        )
        Employer.hubs.through.objects.bulk_create(
            Employer.hubs.through(employer_id=e.pk, hub_id=world.a.hub.pk) for e in employers
        )
        assert Learner.objects.filter(school=world.a.school).count() == 1500 + 1
    return world


def fill_what_happened(page, *, kind, setting):
    page.get_by_label("Title").fill("Bakery visit")
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Setting").select_option(label=setting)
    page.get_by_label("equalex tier").select_option(label="T2 Investigate & Explore")
    page.get_by_label("First day").fill(f"{date.today() - timedelta(days=1):%Y-%m-%d}")
    page.get_by_label("Length").fill("2")
    page.get_by_label("Unit").select_option(label="days")


def test_class_logging_from_a_year_group_with_the_employer_picked_by_keyboard(
    page, live_server, big_school
):
    world = big_school
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/experiences/new/")
    expect(page.get_by_text("No pupils listed yet")).to_be_visible()
    expect(page.get_by_role("checkbox", name=re.compile("Pupil"))).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "1-class-logging-start")

    # Start from the year group.
    page.get_by_label("Year group").select_option(label="Year 8")
    page.get_by_role("button", name="Find pupils").click()
    expect(page.get_by_role("table")).to_contain_text("300 pupils shown")
    page.get_by_label("Select all pupils shown").check()

    fill_what_happened(page, kind="Employer-set project or challenge", setting="In school")
    page.get_by_label(re.compile("^M1 ")).check()

    # The employer, by keyboard alone: type, arrow down, Enter; Escape closes the list.
    combobox = page.get_by_role("combobox", name="Employers")
    combobox.focus()
    page.keyboard.type("bakery 1")
    expect(combobox).to_have_attribute("aria-expanded", "true")
    listbox = page.get_by_role("listbox", name="Employers")
    # "Bakery 1", "Bakery 11", "Bakery 16", ... narrowed by what was typed.
    expect(listbox.get_by_role("option").first).to_have_text("Bakery 1")
    page.keyboard.press("ArrowDown")
    shot(page, "2a-employer-picker-open")
    page.keyboard.press("Enter")
    expect(listbox.get_by_role("option", name="Bakery 1", exact=True)).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("Escape")
    expect(combobox).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Control+a")
    page.keyboard.type("garage 2")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")  # chooses: it does not submit the form
    page.keyboard.press("Escape")
    chosen = page.get_by_role("list", name="Chosen employers")
    expect(chosen.get_by_role("listitem")).to_have_count(2)
    # A chosen employer can be removed by keyboard as well.
    remove = chosen.get_by_role("button", name="Remove Garage 2")
    remove.focus()
    page.keyboard.press("Enter")
    expect(chosen.get_by_role("listitem")).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="Garage 2 removed")).to_have_count(1)
    # Tab moves on to the sectors' picker, not through every employer.
    page.get_by_role("combobox", name="Employers").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("combobox", name="Sectors")).to_be_focused()
    selected = page.eval_on_selector(
        "select[name=employers]", "s => Array.from(s.selectedOptions, o => o.text)"
    )
    assert selected == ["Bakery 1"]
    page.get_by_text("Learning objectives (optional)").click()
    page.get_by_label(re.compile("^Learners understand that there are different types")).check()
    assert axe_violations(page) == []
    shot(page, "2-class-logging-form-filled")

    # A project done in school: recorded, but it counts zero days, and the review says why.
    page.get_by_role("button", name="Review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check and confirm")
    verdict = page.get_by_role("region", name="Will it count toward the ten days?")
    expect(verdict).to_contain_text("No: it will be recorded, but it counts zero days.")
    expect(verdict).to_contain_text("Done in school: a valuable encounter")
    expect(verdict).to_contain_text("M2 is underpinned by learning outcomes")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("2 days (10 hours) for each pupil")
    expect(facts).to_contain_text("Bakery 1")
    expect(facts).to_contain_text("T2 Investigate & Explore")
    expect(facts).to_contain_text("300 in Year 8")
    expect(facts).to_contain_text("Learners understand that there are different types")
    assert axe_violations(page) == []
    shot(page, "3-review-does-not-count")

    # Back to change it: a visit to the workplace that meets M1-M3 counts.
    page.get_by_role("button", name="Go back and change").click()
    expect(page.get_by_role("table")).to_contain_text("300 pupils shown")
    expect(page.get_by_role("list", name="Chosen employers")).to_contain_text("Bakery 1")
    page.get_by_label("Kind").select_option(label="Workplace visit")
    page.get_by_label("Setting").select_option(label="At a workplace, in person")
    for code in ("M2", "M3"):
        page.get_by_label(re.compile(f"^{code} ")).check()
    page.get_by_role("button", name="Review").click()
    verdict = page.get_by_role("region", name="Will it count toward the ten days?")
    expect(verdict).to_contain_text("Yes. Each pupil who attends gets 2 days (10 hours)")
    assert axe_violations(page) == []
    shot(page, "4-review-counts")

    page.get_by_role("button", name="Confirm and log for 300 pupils").click()
    expect(page.get_by_role("status").first).to_contain_text("for 300 pupils")
    shot(page, "5-logged")
    from learners.models import Experience

    with all_tenants_UNSAFE("test"):
        saved = Experience.objects.get(title="Bakery visit")
        assert saved.participations.count() == 300
        assert [e.name for e in saved.employers.all()] == ["Bakery 1"]
        assert saved.setting == "workplace" and saved.duration_hours == 10


def test_the_import_preview_lists_new_updated_moving_and_bad_rows(page, live_server, big_school):
    from learners.upn import upn_with_check_letter

    world = big_school
    ours, theirs = world.a.pupil, world.b.pupil
    header = "UPN,Legal first name,Preferred first name,Surname,Year group,Registration group,FSM,Disadvantaged,SEND,Looked after\n"  # noqa: E501
    text = (
        header
        + f"{upn_with_check_letter('888999000001')},Zo\ufffd,,Br\ufffdnte,7,7A,N,N,N,N\n"
        + f"{ours.upn},Amelia,Millie,{ours.surname}-Jones,9,9B,Y,N,N,N\n"
        + f"{theirs.upn},Oliver,,Mover,9,9A,N,N,N,N\n"
        + f"{upn_with_check_letter('888999000002')},Bad,,Year,15,9A,N,N,N,N\n"
    )
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/pupils/import/")
    page.get_by_label("CSV file from your MIS").set_input_files(
        {"name": "pupils.csv", "mimeType": "text/csv", "buffer": text.encode("utf-8")}
    )
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing has been saved")
    assert alert.bounding_box()["y"] < page.locator("dl.facts").bounding_box()["y"]
    rows = page.get_by_role("table").last
    expect(rows.get_by_role("row", name=re.compile("Zo.*New pupil"))).to_contain_text(
        "a character could not be read"
    )
    expect(rows.get_by_role("row", name=re.compile("Jones, Amelia"))).to_contain_text(
        f"Was Amelia {ours.surname}"
    )
    expect(rows.get_by_role("row", name=re.compile("Mover, Oliver"))).to_contain_text(
        "Moving here from another school"
    )
    expect(rows.get_by_role("row", name=re.compile("Year, Bad"))).to_contain_text(
        "Unknown year group"
    )
    expect(page.get_by_text(theirs.surname)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("Confirm import"))).to_have_count(0)
    assert axe_violations(page) == []
    shot(page, "6-import-preview")
    page.get_by_role("link", name=re.compile(r"^Names to check \(1\)")).click()
    expect(page.get_by_role("table").last).to_contain_text("rows 1 to 1 of 1")
    assert axe_violations(page) == []


def test_the_pupil_page_shows_a_placement_consent_and_the_parents_details(
    page, live_server, big_school
):
    from django.utils import timezone

    from employers.models import ParentalConsent

    from .employer_world import make_nomination, make_opportunity, make_vetting

    world = big_school
    make_vetting(world.a.employer, world.a.hub)
    opportunity = make_opportunity(
        world.a.employer, [world.a.hub], title="Week at the engineering works"
    )
    nomination = make_nomination(opportunity, world.a.pupil, status="accepted")
    with all_tenants_UNSAFE("test"):
        ParentalConsent.objects.create(
            hub_id=nomination.hub_id,
            school_id=nomination.school_id,
            nomination=nomination,
            token_digest="browser-digest",
            answer=ParentalConsent.Answer.GIVEN,
            signed_by="Pat Parent",
            emergency_contact_name="Pat Parent",
            emergency_contact_phone="07700 900123",
            medical_needs="Asthma: carries an inhaler.",
            share_needs_with_employer=True,
            answered_at=timezone.now(),
        )
    waiting = make_nomination(
        make_opportunity(world.a.employer, [world.a.hub], title="Garage open day"),
        world.a.pupil,
        status="offered",
    )
    assert waiting.pk
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/pupils/{world.a.pupil.pk}/")
    table = page.get_by_role("table", name=re.compile("put forward for"))
    expect(
        table.get_by_role("row", name=re.compile("Week at the engineering works"))
    ).to_contain_text("Given by Pat Parent")
    expect(table.get_by_role("row", name=re.compile("Garage open day"))).to_contain_text(
        "Not asked yet"
    )
    # The parent's details stay folded away until the careers leader opens them.
    expect(page.get_by_text("Asthma: carries an inhaler.")).to_be_hidden()
    page.get_by_text("Details from Pat Parent").click()
    expect(page.get_by_text("Asthma: carries an inhaler.")).to_be_visible()
    expect(page.get_by_role("link", name="07700 900123")).to_have_attribute(
        "href", "tel:07700900123"
    )
    expect(page.get_by_text("Shared with the employer's supervisor")).to_be_visible()
    assert axe_violations(page) == []
    shot(page, "7-pupil-page")
