"""Every API route and method, for every role, signed in through the browser session, a
read-write token and a read-only token, against own, sibling and foreign objects.

API_DESIGNED is the designed matrix; a route the API gains without a row here, or an action
without a capability, fails test_access_matrix.test_every_route_has_a_designed_rule.
"""

import json

import pytest
from django.urls import reverse

from access.roles import Role

from .api_helpers import bearer, token_for, token_made_directly
from .matrix import (
    ALL_OK,
    HUB_ONLY,
    MATRIX_ROLES,
    OWN_AND_FOREIGN,
    OWN_ONLY,
    TRUST_AGGREGATES,
    TRUST_ALL,
    TRUST_GRANTED,
    TRUST_NAMED,
    TRUST_SPANNING,
    TRUST_VARIANTS,
    VARIANTS,
    everyone,
    only,
    reflection_on,
    trust_variant_setup,
)

R = Role
ALLOWED = "allowed"  # got past authentication and the access rule: 2xx, or 400 for a bad body
SCHOOL_ROLES_ALL = only({R.CAREERS_LEADER: ALL_OK, R.SCHOOL_STAFF: ALL_OK})
SCHOOL_ROLES_OWN = only({R.CAREERS_LEADER: OWN_ONLY, R.SCHOOL_STAFF: OWN_ONLY})
REPORT_READERS = only(
    {R.HUB_LEAD: HUB_ONLY, R.CAREERS_LEADER: OWN_ONLY, R.SCHOOL_STAFF: OWN_ONLY, **TRUST_AGGREGATES}
)

PROGRAMME_READERS = only(
    {R.HUB_LEAD: HUB_ONLY, R.CAREERS_LEADER: OWN_ONLY, R.SCHOOL_STAFF: OWN_ONLY}
)
PROGRAMME_READERS_ALL = only({R.HUB_LEAD: ALL_OK, R.CAREERS_LEADER: ALL_OK, R.SCHOOL_STAFF: ALL_OK})


def _allowed(table):
    return {
        role: {v: ALLOWED if e == 200 else e for v, e in row.items()} for role, row in table.items()
    }


# route name -> (object kind or None, {method: {role: {variant: expected}}})
API_DESIGNED = {
    "api:hub-list": (None, {"GET": everyone(200)}),
    "api:hub-detail": (
        "hub",
        {
            "GET": only(
                {
                    R.NATIONAL_ANALYST: ALL_OK,
                    R.HUB_LEAD: OWN_ONLY,
                    R.CAREERS_LEADER: OWN_ONLY,
                    R.SCHOOL_STAFF: OWN_ONLY,
                    R.EMPLOYER: OWN_ONLY,
                    # The hubs of the trust's schools: the other hub once the trust spans it.
                    R.TRUST_LEAD: OWN_ONLY,
                    TRUST_GRANTED: OWN_ONLY,
                    TRUST_SPANNING: OWN_AND_FOREIGN,
                }
            )
        },
    ),
    "api:trust-list": (None, {"GET": everyone(200)}),
    "api:trust-detail": (
        "trust",
        {
            "GET": only(
                {
                    R.HUB_LEAD: OWN_ONLY,
                    R.CAREERS_LEADER: OWN_ONLY,
                    R.SCHOOL_STAFF: OWN_ONLY,
                    **dict.fromkeys((R.TRUST_LEAD, *TRUST_VARIANTS), OWN_ONLY),
                }
            )
        },
    ),
    "api:school-list": (None, {"GET": everyone(200)}),
    "api:school-detail": (
        "school",
        {
            "GET": only(
                {
                    R.HUB_LEAD: HUB_ONLY,
                    R.CAREERS_LEADER: OWN_ONLY,
                    R.SCHOOL_STAFF: OWN_ONLY,
                    **TRUST_AGGREGATES,
                }
            )
        },
    ),
    "api:school-progress": ("school", {"GET": SCHOOL_ROLES_OWN}),
    "api:employer-list": (None, {"GET": everyone(200)}),
    "api:employer-detail": (
        "employer",
        {
            "GET": only(
                {
                    R.HUB_LEAD: HUB_ONLY,
                    R.CAREERS_LEADER: HUB_ONLY,
                    R.SCHOOL_STAFF: HUB_ONLY,
                    R.EMPLOYER: OWN_ONLY,
                    R.NATIONAL_ANALYST: ALL_OK,
                }
            )
        },
    ),
    "api:sector-list": (None, {"GET": everyone(200)}),
    "api:sector-detail": ("sector", {"GET": everyone(200)}),
    "api:framework": (None, {"GET": everyone(200)}),
    "api:me": (None, {"GET": everyone(200)}),
    "api:national-hubs": (None, {"GET": only({R.NATIONAL_ANALYST: ALL_OK})}),
    # A trust lead's list holds the pupils of schools that grant it (none without a grant:
    # test_trust checks which).
    "api:pupil-list": (
        None,
        {"GET": only({R.CAREERS_LEADER: ALL_OK, R.SCHOOL_STAFF: ALL_OK, **TRUST_ALL})},
    ),
    "api:pupil-detail": (
        "pupil",
        {"GET": only({R.CAREERS_LEADER: OWN_ONLY, R.SCHOOL_STAFF: OWN_ONLY, **TRUST_NAMED})},
    ),
    "api:pupil-bulk-upsert": (None, {"POST": _allowed(only({R.CAREERS_LEADER: ALL_OK}))}),
    "api:pupil-progress-list": (None, {"GET": SCHOOL_ROLES_ALL}),
    "api:pupil-progress": ("pupil", {"GET": SCHOOL_ROLES_OWN}),
    "api:experience-list": (None, {"GET": SCHOOL_ROLES_ALL, "POST": _allowed(SCHOOL_ROLES_ALL)}),
    "api:experience-detail": (
        "experience",
        {
            "GET": SCHOOL_ROLES_OWN,
            "PUT": _allowed(SCHOOL_ROLES_OWN),
            "PATCH": _allowed(SCHOOL_ROLES_OWN),
            "DELETE": _allowed(only({R.CAREERS_LEADER: OWN_ONLY})),
        },
    ),
    "api:report-list": (
        None,
        {
            "GET": only(
                {R.HUB_LEAD: ALL_OK, R.CAREERS_LEADER: ALL_OK, R.SCHOOL_STAFF: ALL_OK, **TRUST_ALL}
            ),
            "POST": _allowed(
                only(
                    {
                        R.HUB_LEAD: ALL_OK,
                        R.CAREERS_LEADER: ALL_OK,
                        R.SCHOOL_STAFF: ALL_OK,
                        **TRUST_ALL,
                    }
                )
            ),
        },
    ),
    "api:opportunity-list": (
        None,
        {
            "GET": only(
                {R.EMPLOYER: ALL_OK, R.HUB_LEAD: ALL_OK, R.CAREERS_LEADER: ALL_OK}
                | {R.SCHOOL_STAFF: ALL_OK}
            ),
            "POST": _allowed(only({R.EMPLOYER: ALL_OK})),
        },
    ),
    "api:opportunity-detail": (
        "opportunity",
        {
            "GET": only(
                {R.EMPLOYER: OWN_ONLY, R.HUB_LEAD: HUB_ONLY, R.CAREERS_LEADER: HUB_ONLY}
                | {R.SCHOOL_STAFF: HUB_ONLY}
            )
        },
    ),
    "api:opportunity-publish": ("opportunity", {"POST": _allowed(only({R.EMPLOYER: OWN_ONLY}))}),
    "api:opportunity-close": ("opportunity", {"POST": _allowed(only({R.EMPLOYER: OWN_ONLY}))}),
    "api:opportunity-allocation-run": (
        "opportunity",
        {"POST": _allowed(only({R.EMPLOYER: OWN_ONLY}))},
    ),
    "api:nomination-list": (
        None,
        {
            "GET": only({R.EMPLOYER: ALL_OK, R.CAREERS_LEADER: ALL_OK, R.SCHOOL_STAFF: ALL_OK}),
            "POST": _allowed(only({R.CAREERS_LEADER: ALL_OK})),
        },
    ),
    "api:nomination-detail": (
        "nomination",
        {"GET": only({R.EMPLOYER: OWN_ONLY, R.CAREERS_LEADER: OWN_ONLY, R.SCHOOL_STAFF: OWN_ONLY})},
    ),
    "api:nomination-allocate": ("nomination", {"POST": _allowed(only({R.EMPLOYER: OWN_ONLY}))}),
    "api:nomination-decide": ("nomination", {"POST": _allowed(only({R.EMPLOYER: OWN_ONLY}))}),
    "api:report-detail": ("report", {"GET": REPORT_READERS}),
    "api:report-download": ("report_pdf", {"GET": REPORT_READERS}),
    # The school's own requests for pupils on other rolls (only what it sent).
    "api:transfer-arrival-list": (None, {"GET": only({R.CAREERS_LEADER: ALL_OK})}),
    # Pupil voice, read only: the school's staff and their tokens; never a pupil.
    "api:reflection-list": (None, {"GET": SCHOOL_ROLES_ALL}),
    "api:reflection-detail": ("reflection", {"GET": SCHOOL_ROLES_OWN}),
    "api:skill-rating-list": (None, {"GET": SCHOOL_ROLES_ALL}),
    # The programme planner, read only: the school's staff (a school's plan) and its hub lead
    # (its schools' published plans); never a trust lead, employer, analyst or pupil.
    # "plan" / "activity": the published plan of the side's school (own), of its sibling
    # school (sibling) or of the other hub's school (foreign), or an activity of it.
    "api:plan-list": (None, {"GET": PROGRAMME_READERS_ALL}),
    "api:plan-detail": ("plan", {"GET": PROGRAMME_READERS}),
    # "template": the side's hub's published template (own), its draft one (sibling: only
    # the hub lead reads a draft) or the other hub's published template (foreign).
    "api:plan-coverage": (
        "template",
        {"GET": only({R.HUB_LEAD: HUB_ONLY, R.CAREERS_LEADER: OWN_ONLY, R.SCHOOL_STAFF: OWN_ONLY})},
    ),
    "api:planned-activity-list": (None, {"GET": PROGRAMME_READERS_ALL}),
    "api:planned-activity-detail": ("activity", {"GET": PROGRAMME_READERS}),
}
API_PUBLIC = {"api:schema", "api:docs"}
AUTH_MODES = ("session", "token", "read-only token")


def _object(world, kind, side, other, variant):
    if kind in ("hub", "trust"):
        own = side.hub if kind == "hub" else side.school.trust
        foreign = other.hub if kind == "hub" else other.school.trust
        return {"own": own, "foreign": foreign}.get(variant)
    if kind == "sector":
        return side.employer.sector
    if kind in ("opportunity", "nomination"):
        return _employer_object(kind, side, other, variant)
    if kind == "reflection":
        participation = _object(world, "participation", side, other, variant)
        return reflection_on(participation)
    if kind in ("plan", "activity", "template"):
        return _programme_object(kind, side, other, variant)
    kind = "report" if kind == "report_pdf" else kind
    attribute = {"pupil": "pupil", "school": "school", "employer": "employer"}.get(kind, kind)
    return {
        "own": getattr(side, attribute),
        "sibling": getattr(side, f"sibling_{attribute}"),
        "foreign": getattr(other, attribute),
    }[variant]


def _employer_object(kind, side, other, variant):
    """A published opportunity of the side's employer (own), of the other employer in the
    same hub (sibling) or of the other hub's (foreign); a nomination to it of a pupil of
    the own, sibling or foreign school. Made inside the test, rolled back with it."""
    from .employer_world import make_nomination, make_opportunity

    hub, employer, pupil = {
        "own": (side.hub, side.employer, side.pupil),
        "sibling": (side.hub, side.sibling_employer, side.sibling_pupil),
        "foreign": (other.hub, other.employer, other.pupil),
    }[variant]
    opportunity = make_opportunity(employer, [hub])
    return opportunity if kind == "opportunity" else make_nomination(opportunity, pupil)


def _programme_object(kind, side, other, variant):
    """A published plan (with one activity) of the own, sibling or foreign school, or a
    template of the side's hub (own: published; sibling: a draft) or the other hub's. Made
    inside the test, rolled back with it."""
    from .programme_world import add_activities, make_plan, make_template

    if kind == "template":
        hub, status = {
            "own": (side.hub, "published"),
            "sibling": (side.hub, "draft"),
            "foreign": (other.hub, "published"),
        }[variant]
        return make_template(hub, status=status, activities=[{"title": "Visit"}])
    school = {"own": side.school, "sibling": side.sibling_school, "foreign": other.school}[variant]
    plan = make_plan(school, side.pupil.cohort)
    activity = add_activities(plan, [{"title": "Visit"}])[0]
    return plan if kind == "plan" else activity


def _variants(kind):
    if kind is None or kind == "sector":
        return ("own",)
    if kind in ("hub", "trust"):
        return ("own", "foreign")
    return VARIANTS


CASES = [
    (name, method, role, variant, mode)
    for name, (kind, methods) in API_DESIGNED.items()
    for method in methods
    for role in ["anonymous", *MATRIX_ROLES]
    for variant in _variants(kind)
    for mode in AUTH_MODES
    if not (mode == "read-only token" and method == "GET")
    and not (role == "anonymous" and mode != "session")
]


@pytest.fixture(scope="module")
def tokens(module_world, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            (role, read_only): (
                # A pupil cannot make a token; one made past the service is refused anyway.
                token_made_directly(module_world.a.users[role], read_only=read_only)
                if role == R.PUPIL
                else token_for(module_world.a.users[role], read_only=read_only)
            )
            for role in Role
            for read_only in (False, True)
        }


def _call(client, method, url, headers):
    body = json.dumps({})
    return client.generic(method, url, body, content_type="application/json", **headers)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method", "role", "variant", "mode"), CASES)
def test_api_matrix(client, module_world, tokens, name, method, role, variant, mode):
    kind, methods = API_DESIGNED[name]
    side, other = module_world.a, module_world.b
    kwargs = {}
    if kind:
        obj = _object(module_world, kind, side, other, variant)
        kwargs = {"pk": obj.pk}
        if kind == "report_pdf":
            kwargs["output"] = "pdf"
    url = reverse(name, kwargs=kwargs)
    headers = {}
    # A token scoped to the trust follows the grants of the moment, as a session does.
    user_role = (
        trust_variant_setup(module_world, side, other, role) if role != "anonymous" else role
    )
    if role != "anonymous" and mode == "session":
        client.force_login(side.users[user_role])
    elif role != "anonymous":
        headers = bearer(tokens[(user_role, mode == "read-only token")])
    response = _call(client, method, url, headers)
    status = response.status_code
    if role == "anonymous":
        assert status == 401, (name, method, status)
        return
    expected = methods[method][role][variant]
    if mode == "read-only token" and ALLOWED in methods[method][role].values():
        # Refused before any object is looked up, so the answer says nothing about it.
        expected = 403
    if expected == ALLOWED:
        assert status in (200, 201, 202, 204, 400), (name, method, role, variant, mode, status)
    else:
        assert status == expected, (name, method, role, variant, mode, status, response.content)


# Strings that only the other hub's rows contain, and, for school staff, the sibling school's.
def _markers(world, role):
    other = world.b
    markers = [other.pupil.upn, other.pupil.surname, other.school.name, other.experience.title]
    if role in (R.CAREERS_LEADER, R.SCHOOL_STAFF, R.TRUST_LEAD):
        side = world.a
        markers += [side.sibling_pupil.upn, side.sibling_pupil.surname, side.sibling_school.name]
    return markers


LIST_ROUTES = [
    name for name, (kind, methods) in API_DESIGNED.items() if kind is None and "GET" in methods
]


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIST_ROUTES)
@pytest.mark.parametrize("role", list(Role))
def test_no_list_shows_another_tenants_rows(client, module_world, tokens, name, role):
    response = client.get(reverse(name), **bearer(tokens[(role, False)]))
    body = response.content.decode()
    leaked = [marker for marker in _markers(module_world, role) if marker in body]
    assert leaked == [], (name, role)


@pytest.mark.django_db
def test_the_schema_and_docs_are_public(client, module_world):
    assert client.get(reverse("api:schema")).status_code == 200
    assert client.get(reverse("api:docs")).status_code == 200


HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
UNDESIGNED = [
    (name, method)
    for name, (kind, methods) in API_DESIGNED.items()
    for method in HTTP_METHODS
    if method not in methods
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "method"), UNDESIGNED)
def test_a_method_a_route_does_not_have_answers_405_listing_those_it_has(
    client, module_world, tokens, name, method
):
    """Whatever the role and whoever owns the object: the route's methods are public (the
    schema lists them), so 405 leaks nothing; a role refused a method the route has gets
    404 (test_api_matrix)."""
    kind, methods = API_DESIGNED[name]
    kwargs = {}
    if kind:
        kwargs = {"pk": _object(module_world, kind, module_world.a, module_world.b, "own").pk}
        if kind == "report_pdf":
            kwargs["output"] = "pdf"
    allowed = set(methods) | ({"HEAD"} if "GET" in methods else set())
    for role in (R.CAREERS_LEADER, R.EMPLOYER):
        headers = bearer(tokens[(role, False)])
        response = _call(client, method, reverse(name, kwargs=kwargs), headers)
        assert response.status_code == 405, (name, method, role, response.status_code)
        assert set(response["Allow"].split(", ")) == allowed, (name, method, response["Allow"])
