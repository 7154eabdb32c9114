import os
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.cache import cache

from access.context import all_tenants_UNSAFE
from access.roles import Role

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# live server thread are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    from django.conf import settings

    # A deliberately slow hash protects real passwords; test users need none of that.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Row-level security (access.rls): the tests' own set-up and assertions outside any
    # actor (refresh_from_db, related objects) see every row, as before the wall; requests,
    # API calls and tasks still run under their actor's policies, and
    # tests/test_row_level_security.py turns this off to show that no actor sees nothing.
    settings.EQUALEX_DB_NO_ACTOR_SEES_ALL = True
    # Each xdist worker gets its own Redis database for the cache: the tests clear the
    # cache (rate limits, throttles) and must not clear another worker's counters. They
    # follow the run's own database (REDIS_URL's, the broker's), so a second run on the
    # same machine with another REDIS_URL database clears none of this run's either.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    cache = settings.CACHES["default"]
    if worker.startswith("gw") and "redis" in cache["BACKEND"].lower():
        url = urlsplit(cache["LOCATION"])
        run_database = int(url.path.strip("/") or 0)
        database = (run_database + 1 + int(worker[2:])) % 16
        cache["LOCATION"] = urlunsplit(url._replace(path=f"/{database}"))


@pytest.fixture(autouse=True)
def _fresh_cache():
    # allauth's rate limits live in the cache; one test's failed logins must not leak.
    cache.clear()
    yield
    cache.clear()


@dataclass
class Side:
    """One hub's world: two schools, their pupils, employers, and a user per role."""

    hub: object
    school: object
    sibling_school: object
    pupil: object
    sibling_pupil: object
    employer: object
    sibling_employer: object
    users: dict = field(default_factory=dict)
    experience: object = None
    sibling_experience: object = None
    participation: object = None
    sibling_participation: object = None
    report: object = None
    sibling_report: object = None


@dataclass
class World:
    a: Side
    b: Side
    national_analyst: object
    superuser: object

    def sides(self):
        return (self.a, self.b)


def _make_side(tag: str, la_code: str, urn_base: int, sector) -> Side:
    from accounts.models import User
    from employers.models import Employer
    from hubs.models import Hub, Membership
    from learners.academic import cohort_for
    from learners.models import Learner
    from learners.upn import upn_with_check_letter
    from schools.models import School, Trust

    hub = Hub.objects.create(name=f"Hub {tag}", region=f"Region {tag}")
    trust = Trust.objects.create(name=f"Trust {tag}")
    school = School.objects.create(
        hub=hub,
        trust=trust,
        urn=str(urn_base),
        name=f"School {tag}1",
        local_authority="Somewhere",
        fsm_percent="22.5",
    )
    sibling = School.objects.create(
        hub=hub,
        urn=str(urn_base + 1),
        name=f"School {tag}2",
        type=School.Type.SPECIAL,
        local_authority="Somewhere",
        fsm_percent="41.0",
    )
    cohort = cohort_for(9, date.today())
    pupil = Learner.objects.create(
        school=school,
        upn=upn_with_check_letter(f"{la_code}123425001"),
        legal_first_name="Amelia",
        surname=f"Pupil{tag}",
        cohort=cohort,
        fsm=True,
    )
    sibling_pupil = Learner.objects.create(
        school=sibling,
        upn=upn_with_check_letter(f"{la_code}123425002"),
        legal_first_name="Oliver",
        surname=f"Sibling{tag}",
        cohort=cohort,
    )
    employer = Employer.objects.create(name=f"Employer {tag}", size_band="small", sector=sector)
    employer.hubs.add(hub)
    sibling_employer = Employer.objects.create(name=f"Other employer {tag}", size_band="large")
    sibling_employer.hubs.add(hub)
    users = {}
    for role, org in (
        (Role.HUB_LEAD, {"hub": hub}),
        (Role.CAREERS_LEADER, {"school": school}),
        (Role.SCHOOL_STAFF, {"school": school}),
        (Role.EMPLOYER, {"employer": employer}),
        # The trust of the side's school (not its sibling); no school grants it named
        # pupils until a test does (tests/matrix.py's trust variants).
        (Role.TRUST_LEAD, {"trust": trust}),
    ):
        user = User.objects.create_user(f"{role.value}.{tag}@example.org".lower(), PASSWORD)
        Membership.objects.create(user=user, role=role, **org)
        users[role] = user
    # The side's pupil, signed in as themselves (pupils/): their account opened by the
    # school, as pupils.services.pupil_access_enable would.
    from pupils.models import PupilAccount

    pupil_user = User.objects.create_user(f"pupil.{tag}@pupils.equalex.invalid".lower())
    Membership.objects.create(user=pupil_user, role=Role.PUPIL, school=school)
    PupilAccount.objects.create(learner=pupil, user=pupil_user, hub=hub, school=school)
    users[Role.PUPIL] = pupil_user
    side = Side(hub, school, sibling, pupil, sibling_pupil, employer, sibling_employer, users)
    side.experience, side.participation = _make_experience(school, pupil, employer)
    side.sibling_experience, side.sibling_participation = _make_experience(
        sibling, sibling_pupil, sibling_employer
    )
    side.report = _make_report(school)
    side.sibling_report = _make_report(sibling)
    return side


def _make_report(school):
    """A finished school report with a small PDF, as a worker would leave it."""
    from django.core.files.base import ContentFile

    from reports.models import ReportRun

    run = ReportRun.objects.create(
        kind=ReportRun.Kind.SCHOOL_B6,
        hub_id=school.hub_id,
        school=school,
        as_at=date(2025, 12, 31),
        status=ReportRun.Status.DONE,
        progress=100,
        summary={"kind": "school_b6"},
    )
    run.pdf.save(f"test-{run.pk}.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return run


def _make_experience(school, pupil, employer):
    from learners.models import Experience, Participation

    experience = Experience.objects.create(
        school=school,
        title=f"Visit to {employer.name}",
        kind="workplace_visit",
        setting="workplace",
        tier=1,
        start_date=date(2025, 10, 1),
        end_date=date(2025, 10, 1),
        duration_hours=5,
        meets_m1=True,
        meets_m2=True,
        meets_m3=True,
    )
    experience.employers.add(employer)
    participation = Participation.objects.create(
        hub_id=school.hub_id,
        school=school,
        experience=experience,
        learner=pupil,
        hours_attended=5,
    )
    return experience, participation


def ensure_reference_data():
    """Transactional tests flush every table, data migrations' rows included: put the
    framework and the sector list back when they are gone."""
    import importlib

    from django.apps import apps

    from hubs.models import Sector
    from outcomes.loading import DATA_DIR, framework_load
    from outcomes.models import Framework

    if not Framework.objects.exists():
        framework_load(apps, DATA_DIR / "equalex-framework-2025.json")
    if not Sector.objects.exists():
        importlib.import_module("hubs.migrations.0003_load_sectors").load(apps, None)


def build_world() -> World:
    from accounts.models import User
    from hubs.models import Membership, Sector

    ensure_reference_data()

    with all_tenants_UNSAFE("test world"):
        sector = Sector.objects.first()
        a = _make_side("A", "888", 100001, sector)
        b = _make_side("B", "806", 200001, sector)
        analyst = User.objects.create_user("analyst@example.org", PASSWORD)
        Membership.objects.create(user=analyst, role=Role.NATIONAL_ANALYST)
        superuser = User.objects.create_superuser("admin@example.org", PASSWORD)
        for side in (a, b):
            side.users[Role.NATIONAL_ANALYST] = analyst
    return World(a, b, analyst, superuser)


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        # A savepoint kept open for the module and rolled back at its end.
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def unscoped():
    """For assertions that read the database directly, outside any request."""
    with all_tenants_UNSAFE("test assertions"):
        yield


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _no_csp_violations(request):
    """A browser test fails if the Content Security Policy refused anything on a page it
    visited (Chromium says so on the console: "Refused to execute inline script ...")."""
    if request.node.get_closest_marker("browser") is None:
        yield
        return
    page = request.getfixturevalue("page")
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text
            else None
        ),
    )
    yield
    assert refused == []


def pytest_report_header(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    broker = settings.CELERY_BROKER_URL.split("@")[-1]
    return [
        f"equalex tests: database {database['ENGINE'].rsplit('.', 1)[-1]} "
        f"{database.get('HOST') or ''} {database['NAME']}; broker {broker}"
    ]
