"""Headless Chromium (Debian's, driven by Playwright) against a live server."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from access.roles import Role

from .conftest import PASSWORD

pytestmark = [
    pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning"),
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def sign_in(page, live_server, email):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()


def test_a_careers_leader_signs_in_sees_their_pupils_and_not_another_schools(
    page, live_server, world
):
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{world.a.school.name}: where we are"
    )

    page.get_by_role("link", name="Year 9").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    expect(page.get_by_label("Year group")).to_have_value("9")
    expect(page.get_by_role("link", name="PupilA, Amelia")).to_be_visible()
    expect(page.get_by_text("SiblingA")).to_have_count(0)

    page.get_by_role("link", name="PupilA, Amelia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Amelia PupilA")
    expect(page.get_by_text(world.a.pupil.upn)).to_be_visible()

    response = page.goto(f"{live_server.url}/pupils/{world.b.pupil.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("PupilB")).to_have_count(0)


def test_the_home_page_can_be_used_by_keyboard_alone(page, live_server, world):
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{world.a.school.name}: where we are"
    )
    page.goto(f"{live_server.url}/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    # Tabbing on from the main landmark reaches the first year group link.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Year 7":
            break
    assert page.evaluate("document.activeElement.textContent") == "Year 7"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pupils")
    expect(page.get_by_label("Year group")).to_have_value("7")


def test_a_careers_leader_logs_one_experience_for_a_class_of_30(page, live_server, world):
    from datetime import date, timedelta

    from access.context import all_tenants_UNSAFE
    from learners.academic import cohort_for
    from learners.models import Learner
    from learners.upn import upn_with_check_letter

    with all_tenants_UNSAFE("test class"):
        Learner.objects.bulk_create(
            Learner(
                hub_id=world.a.hub.pk,
                school=world.a.school,
                legal_first_name=f"Kid{n:02d}",
                surname=f"Class{n:02d}",
                registration_group="9X",
                upn=upn_with_check_letter(f"888777{n:06d}"),
                cohort=cohort_for(9, date.today()),
            )
            for n in range(30)
        )
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/progress/year/9/?as_at={date.today():%Y-%m-%d}")
    before = page.get_by_role("row", name=re.compile("Class00, Kid00")).get_by_role("cell")
    expect(before.nth(1)).to_have_text("0")

    page.goto(f"{live_server.url}/experiences/new/")
    page.get_by_label("Title").fill("Hospital insight day")
    page.get_by_label("Kind").select_option(label="Insight day")
    page.get_by_label("Setting").select_option(label="At a workplace, in person")
    page.get_by_label("equalex tier").select_option(label="T2 Investigate & Explore")
    page.get_by_label("First day").fill(f"{date.today() - timedelta(days=1):%Y-%m-%d}")
    page.get_by_label("Length").fill("1")
    page.get_by_label("Unit").select_option(label="days")
    for code in ("M1", "M2", "M3"):
        page.get_by_label(re.compile(f"^{code} ")).check()
    # Employers are picked from a searchable list (static/js/multi-picker.js), not ticked.
    page.get_by_role("combobox", name="Employers").fill("Employer A")
    page.get_by_role("option", name="Employer A", exact=True).click()
    page.get_by_label("Year group").select_option(label="Year 9")
    page.get_by_label("Registration group").select_option("9X")
    page.get_by_role("button", name="Find pupils").click()
    expect(page.get_by_role("table").last).to_contain_text("30 pupils shown")
    page.get_by_label("Select all pupils shown").check()
    page.get_by_role("button", name="Review").click()
    page.get_by_role("button", name="Confirm and log for 30 pupils").click()
    expect(page.get_by_role("status")).to_contain_text("for 30 pupils")

    page.goto(f"{live_server.url}/progress/year/9/?as_at={date.today():%Y-%m-%d}")
    for n in (0, 17, 29):
        cells = page.get_by_role("row", name=re.compile(f"Class{n:02d}, Kid{n:02d}")).get_by_role(
            "cell"
        )
        expect(cells.nth(1)).to_have_text("1")  # KS3 days
    page.screenshot(path="/tmp/cohort.png", full_page=True)


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page):
    # Evaluated through the DevTools protocol, not added as an inline <script> tag, which
    # the Content Security Policy refuses.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
    ]


@pytest.mark.parametrize(
    ("role", "paths"),
    [
        (None, ["/accounts/login/"]),
        (
            Role.CAREERS_LEADER,
            [
                "/",
                "/pupils/?year=9",
                "/progress/",
                "/progress/year/9/",
                "/experiences/new/",
                "/experiences/",
                "/pupils/import/",
                "/framework/",
                "/invitations/new/",
                "/opportunities/",
            ],
        ),
        (Role.HUB_LEAD, ["/", "/hub/rules/", "/reports/hub/"]),
        (Role.EMPLOYER, ["/", "/employers/opportunities/", "/employers/checks/"]),
        (Role.NATIONAL_ANALYST, ["/", "/reports/national/"]),
    ],
)
def test_pages_have_no_axe_accessibility_violations(page, live_server, world, role, paths):
    if role is not None:
        sign_in(page, live_server, world.a.users[role].email)
    found = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    assert found == {}


def test_a_pupils_timeline_has_no_axe_accessibility_violations(page, live_server, world):
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/pupils/{world.a.pupil.pk}/")
    assert axe_violations(page) == []


def test_the_whole_placement_path_from_offer_to_the_pupils_timeline(page, live_server, world):
    """Employer publishes, careers leader nominates, employer accepts, a parent consents by
    the emailed link, the employer confirms attendance with feedback, and the pupil's
    timeline shows the new days."""
    from django.core import mail
    from django.utils import timezone

    from .employer_world import make_vetting

    make_vetting(world.a.employer, world.a.hub)
    employer, leader = world.a.users[Role.EMPLOYER], world.a.users[Role.CAREERS_LEADER]
    today = timezone.localdate()

    # The employer offers a one-day placement today and publishes it.
    sign_in(page, live_server, employer.email)
    page.goto(f"{live_server.url}/employers/opportunities/new/")
    page.get_by_label("Title").fill("Bridge design day")
    page.get_by_label("Kind").select_option("placement")
    page.get_by_label("Setting").select_option("workplace")
    page.get_by_label("equalex tier").select_option("3")
    page.get_by_label("First day").fill(today.isoformat())
    page.get_by_label("Places").fill("2")
    page.get_by_label("Year 9").check()
    page.get_by_label(world.a.hub.name).check()
    for criterion in ("M1 has", "M2 is", "M3 involves"):
        page.get_by_label(criterion).check()
    page.get_by_role("button", name="Save as a draft").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nominations for “Bridge design day”")
    page.get_by_role("button", name="Sign out").click()

    # The careers leader nominates Amelia.
    sign_in(page, live_server, leader.email)
    page.goto(f"{live_server.url}/opportunities/")
    page.get_by_role("link", name="Bridge design day").click()
    page.get_by_label("PupilA, Amelia").check()
    page.get_by_label("Support needs to share for Amelia PupilA").fill("Prefers written steps")
    page.get_by_role("button", name="Nominate the chosen pupils").click()
    expect(page.get_by_text("Nominated 1 pupil.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The employer accepts her (seeing only her first name and shared needs).
    sign_in(page, live_server, employer.email)
    page.goto(f"{live_server.url}/employers/opportunities/")
    page.get_by_role("link", name="Bridge design day").click()
    expect(page.get_by_text("Prefers written steps")).to_be_visible()
    expect(page.get_by_text("PupilA")).to_have_count(0)
    page.get_by_role("button", name="Accept Amelia").click()
    expect(page.get_by_text("Accepted.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The careers leader asks her parent for consent; the parent answers from the email.
    sign_in(page, live_server, leader.email)
    page.goto(f"{live_server.url}/opportunities/")
    page.get_by_role("link", name="Bridge design day").click()
    expect(page.get_by_text("1 pupil with a place has no parental consent yet")).to_be_visible()
    page.get_by_label("Parent or carer's email for Amelia").fill("parent@example.org")
    page.get_by_role("button", name="Ask for consent for Amelia PupilA").click()
    page.get_by_role("button", name="Sign out").click()
    [email] = [m for m in mail.outbox if m.to == ["parent@example.org"]]
    path = next(word for word in email.body.split() if "/consent/" in word).split("8000", 1)[1]
    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Consent for Amelia's work experience"
    )
    assert axe_violations(page) == []
    page.get_by_label("Yes, I give consent").check()
    page.get_by_label("Emergency contact's name").fill("Pat PupilA")
    page.get_by_label("Emergency contact's phone number").fill("07700 900123")
    page.get_by_label("Your full name").fill("Pat PupilA")
    page.get_by_role("button", name="Send your answer").click()
    expect(page.get_by_text("Consent given by Pat PupilA")).to_be_visible()

    # The employer confirms attendance with feedback, on one screen.
    sign_in(page, live_server, employer.email)
    page.goto(f"{live_server.url}/employers/opportunities/")
    page.get_by_role("link", name="Bridge design day").click()
    page.get_by_role("link", name="Confirm attendance and give feedback").click()
    assert axe_violations(page) == []
    expect(page.get_by_role("checkbox", name="Amelia attended")).to_be_checked()
    page.get_by_label("Feedback for Amelia").fill("Asked sharp questions about load paths.")
    page.get_by_role("button", name="Confirm attendance and feedback").click()
    expect(page.get_by_text("Recorded 1 pupil as attending and 0 absent.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # Amelia's timeline shows the day, counted.
    sign_in(page, live_server, leader.email)
    page.goto(f"{live_server.url}/pupils/{world.a.pupil.pk}/")
    # The timeline's row (the placements table above it names the opportunity too).
    timeline = page.get_by_role("table", name="Every experience, oldest first")
    row = timeline.get_by_role("row").filter(has_text="Bridge design day")
    expect(row).to_contain_text(world.a.employer.name)
    expect(row.get_by_role("cell").nth(-2)).to_have_text("Yes")
    expect(row).to_contain_text("5")


def test_htmx_the_api_docs_and_the_admin_work_under_the_content_security_policy(
    page, live_server, world
):
    """The pages with the most script: the report's htmx progress bar, Swagger UI and the
    Django admin. Any CSP refusal on them fails the test (conftest's console check)."""
    from django.utils import timezone

    from access.context import all_tenants_UNSAFE
    from reports.models import ReportRun

    with all_tenants_UNSAFE("test run"):
        run = ReportRun.objects.create(
            kind=ReportRun.Kind.SCHOOL_B6,
            hub_id=world.a.hub.pk,
            school=world.a.school,
            as_at=timezone.localdate(),
            status=ReportRun.Status.RUNNING,
            progress=40,
        )
    sign_in(page, live_server, world.a.users[Role.CAREERS_LEADER].email)
    page.goto(f"{live_server.url}/reports/school/{world.a.school.pk}/")
    expect(page.locator("#run-status [role=status]")).to_have_text("40%")
    with all_tenants_UNSAFE("test run"):
        ReportRun.objects.filter(pk=run.pk).update(progress=70)
    expect(page.locator("#run-status [role=status]")).to_have_text("70%")  # htmx polled
    with all_tenants_UNSAFE("test run"):
        ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.Status.DONE, progress=100)
    expect(page.locator("#run-status")).to_have_count(0)  # HX-Refresh showed the report
    # allauth's TOTP set-up draws its QR code as a data: image.
    page.goto(f"{live_server.url}/accounts/2fa/totp/activate/")
    if page.get_by_role("heading", name="Confirm Access").is_visible():  # allauth reauth
        page.get_by_label("Password:").fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("img").first).to_be_visible()
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="Sign out").click()

    page.goto(f"{live_server.url}/api/v1/docs/")
    expect(page.get_by_role("heading", name=re.compile("equalex API"))).to_be_visible()
    expect(page.get_by_text("/api/v1/pupils/", exact=True).first).to_be_visible()

    sign_in(page, live_server, world.superuser.email)
    page.goto(f"{live_server.url}/admin/")
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
    page.goto(f"{live_server.url}/admin/hubs/hub/{world.a.hub.pk}/change/")
    expect(page.get_by_role("button", name="Save", exact=True)).to_be_visible()
