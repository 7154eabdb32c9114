"""Every URL in the project, for every role in two hubs and two schools.

The table below is the designed access matrix. A route the project gains without a row
here (or a view without an access rule) fails `test_every_route_has_a_designed_rule`.
"""

from urllib.parse import urlparse

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from access.context import all_tenants_UNSAFE
from access.roles import Role

from .matrix import (
    ALL_OK,
    ANON,
    HUB_ONLY,
    LOGIN,
    NOT_FOUND,
    OK,
    OWN_ONLY,
    PUPIL_OWN,
    ROLES,
    SCHOOL_STAFF_ALL,
    SCHOOL_STAFF_OWN,
    TRUST_AGGREGATES,
    TRUST_NAMED,
    VARIANTS,
    everyone,
    only,
    reflection_on,
    trust_variant_setup,
)
from .test_api_access_matrix import API_DESIGNED, API_PUBLIC

SCHOOL_STAFF_ALL_ROWS = {Role.CAREERS_LEADER: ALL_OK, Role.SCHOOL_STAFF: ALL_OK}
SCHOOL_STAFF_OWN_ROWS = {Role.CAREERS_LEADER: OWN_ONLY, Role.SCHOOL_STAFF: OWN_ONLY}
POST_ONLY_FOR_PLANNERS = {
    Role.CAREERS_LEADER: dict.fromkeys(VARIANTS, 405),
    Role.HUB_LEAD: dict.fromkeys(VARIANTS, 405),
}

# route name -> (object kind, fixed kwargs or None; {role: {variant: expected}}).
# Anonymous visitors always go to the login page.
DESIGNED = {
    # A pupil's home is My ten days.
    "home": (None, everyone(OK, pupil=302)),
    # The framework's text is public reference: a pupil may read it too.
    "framework": (None, everyone(OK, pupil=OK)),
    "pupil_list": (None, only({Role.CAREERS_LEADER: ALL_OK, Role.SCHOOL_STAFF: ALL_OK})),
    "pupil_detail": (
        "pupil",
        only({Role.CAREERS_LEADER: OWN_ONLY, Role.SCHOOL_STAFF: OWN_ONLY, **TRUST_NAMED}),
    ),
    "school_detail": (
        "school",
        only(
            {
                Role.HUB_LEAD: HUB_ONLY,
                Role.CAREERS_LEADER: OWN_ONLY,
                Role.SCHOOL_STAFF: OWN_ONLY,
                **TRUST_AGGREGATES,
            }
        ),
    ),
    # A trust lead's read-only list of a school's pupils, where the school grants it.
    "trust_school_pupils": ("school", only(TRUST_NAMED)),
    # The school's settings (its grant to its trust): its careers leader only.
    "school_settings": (None, only({Role.CAREERS_LEADER: ALL_OK})),
    "employer_detail": (
        "employer",
        only(
            {
                Role.HUB_LEAD: HUB_ONLY,
                Role.CAREERS_LEADER: HUB_ONLY,
                Role.SCHOOL_STAFF: HUB_ONLY,
                Role.EMPLOYER: OWN_ONLY,
                Role.NATIONAL_ANALYST: ALL_OK,
            }
        ),
    ),
    "invitation_new": (
        None,
        only({Role.HUB_LEAD: ALL_OK, Role.CAREERS_LEADER: ALL_OK, Role.EMPLOYER: ALL_OK}),
    ),
    "pupil_skill_new": ("pupil", SCHOOL_STAFF_OWN),
    "experiences": (None, SCHOOL_STAFF_ALL),
    "experience_new": (None, SCHOOL_STAFF_ALL),
    "experience_detail": ("experience", SCHOOL_STAFF_OWN),
    "experience_edit": ("experience", SCHOOL_STAFF_OWN),
    "experience_delete": ("experience", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "participation_edit": ("participation", SCHOOL_STAFF_OWN),
    "school_summary": (None, SCHOOL_STAFF_ALL),
    "cohort": ({"year_group": 9}, SCHOOL_STAFF_ALL),
    "hub_rules": (None, only({Role.HUB_LEAD: ALL_OK})),
    "pupil_import": (None, only({Role.CAREERS_LEADER: ALL_OK})),
    "pupil_import_confirm": (None, only({Role.CAREERS_LEADER: dict.fromkeys(VARIANTS, 302)})),
    # The rows of the file last previewed; with none, back to the upload page.
    "pupil_import_rows": (None, only({Role.CAREERS_LEADER: dict.fromkeys(VARIANTS, 302)})),
    "pupil_import_template": (None, only({Role.CAREERS_LEADER: ALL_OK})),
    "school_report": (
        "school",
        only(
            {
                Role.HUB_LEAD: HUB_ONLY,
                Role.CAREERS_LEADER: OWN_ONLY,
                Role.SCHOOL_STAFF: OWN_ONLY,
                **TRUST_AGGREGATES,
            }
        ),
    ),
    "hub_dashboard": (None, only({Role.HUB_LEAD: ALL_OK})),
    "api_tokens": (None, everyone(OK)),
    # POST only; test_api_tokens checks who may revoke which token.
    "api_token_revoke": ({"token_id": 1}, everyone(405)),
    "national_report": (None, only({Role.NATIONAL_ANALYST: ALL_OK})),
    # Pupil voice (pupils/): a pupil's own pages; "participation" objects are the pupil's
    # own experience (own), another pupil's of the hub (sibling) or of the other hub.
    "pupil_home": (None, only({Role.PUPIL: ALL_OK})),
    "pupil_record_pdf": (None, only({Role.PUPIL: ALL_OK})),
    "pupil_opportunities": (None, only({Role.PUPIL: ALL_OK})),
    "pupil_reflect": ("participation", only(PUPIL_OWN)),
    "pupil_skills_compare": ("participation", only(PUPIL_OWN)),
    "pupil_rate_skills": ("pupil_skills", only(PUPIL_OWN)),
    # POST only (tests/test_pupil_pages.py: a pupil's interest in what they may ask for).
    "pupil_interest": ("opportunity", only({Role.PUPIL: dict.fromkeys(VARIANTS, 405)})),
    # The careers leader opens and closes pupil access, prints codes, hides reflections.
    "pupil_access": (None, only({Role.CAREERS_LEADER: ALL_OK})),
    "reflection_hide": ("reflection", only({Role.CAREERS_LEADER: dict.fromkeys(VARIANTS, 405)})),
    "pupil_record": ("pupil", SCHOOL_STAFF_OWN),
    "cohort_csv": ({"year_group": 9}, SCHOOL_STAFF_ALL),
    "report_run_status": (
        "report",
        only(
            {
                Role.HUB_LEAD: HUB_ONLY,
                Role.CAREERS_LEADER: OWN_ONLY,
                Role.SCHOOL_STAFF: OWN_ONLY,
                **TRUST_AGGREGATES,
            }
        ),
    ),
    "report_run_download": (
        "report_pdf",
        only(
            {
                Role.HUB_LEAD: HUB_ONLY,
                Role.CAREERS_LEADER: OWN_ONLY,
                Role.SCHOOL_STAFF: OWN_ONLY,
                **TRUST_AGGREGATES,
            }
        ),
    ),
    "employer_opportunities": (None, only({Role.EMPLOYER: ALL_OK})),
    "opportunity_new": (None, only({Role.EMPLOYER: ALL_OK})),
    "opportunity_publish": ("opportunity", only({Role.EMPLOYER: OWN_ONLY})),
    "opportunity_nominations": ("opportunity", only({Role.EMPLOYER: OWN_ONLY})),
    "opportunity_browse": (None, SCHOOL_STAFF_ALL),
    "placement_board": (None, only({Role.CAREERS_LEADER: ALL_OK})),
    "opportunity_nominate": ("opportunity", only({Role.CAREERS_LEADER: HUB_ONLY})),
    "opportunity_attendance": ("opportunity", only({Role.EMPLOYER: OWN_ONLY})),
    "vetting_for_employer": (None, only({Role.EMPLOYER: ALL_OK})),
    "vetting_review": (None, only({Role.HUB_LEAD: ALL_OK})),
    "vetting_document": (
        "vetting_document",
        only({Role.EMPLOYER: OWN_ONLY, Role.HUB_LEAD: HUB_ONLY}),
    ),
    "employer_add": (None, only({Role.HUB_LEAD: ALL_OK})),
    "employer_requests": (None, only({Role.HUB_LEAD: ALL_OK})),
    "employer_request_detail": ("employer_request", only({Role.HUB_LEAD: HUB_ONLY})),
    "employer_partners": (None, only({Role.EMPLOYER: ALL_OK})),
    "pupil_leave": ("pupil", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "transfer_arrivals": (None, only({Role.CAREERS_LEADER: ALL_OK})),
    "transfer_requests": (None, only({Role.CAREERS_LEADER: ALL_OK, Role.HUB_LEAD: ALL_OK})),
    # A request for a pupil of the user's school (own), of the other school of the hub,
    # which has no careers leader (sibling), or one the user's school made for a pupil of
    # the other hub (foreign: the asking school never decides). A hub lead decides only
    # for the school with no active careers leader.
    "transfer_request": (
        "transfer",
        only(
            {
                Role.CAREERS_LEADER: OWN_ONLY,
                Role.HUB_LEAD: {"own": NOT_FOUND, "sibling": OK, "foreign": NOT_FOUND},
            }
        ),
    ),
    # The audit trail: a careers leader's school, a hub lead's hub-level actions (which
    # rows: test_audit_log_page). The CSV is a download, as the page.
    "audit_log": (None, only({Role.CAREERS_LEADER: ALL_OK, Role.HUB_LEAD: ALL_OK})),
    "audit_log_csv": (None, only({Role.CAREERS_LEADER: ALL_OK, Role.HUB_LEAD: ALL_OK})),
    # Erasure, two people: a careers leader asks about their own pupil; careers leaders
    # and hub leads see requests (which: test_erasure) and confirm by POST only.
    "pupil_erase": ("pupil", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "erasures": (None, only({Role.CAREERS_LEADER: ALL_OK, Role.HUB_LEAD: ALL_OK})),
    # Subject access export: a careers leader asks about their own pupil; only they see
    # the export and download it (own), not a colleague of the same school (sibling: an
    # export another careers leader asked for) nor the other hub's (foreign).
    "pupil_subject_access": ("pupil", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "subject_access_export": ("sar", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "subject_access_status": ("sar", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "subject_access_download": ("sar_zip", only({Role.CAREERS_LEADER: OWN_ONLY})),
    # The programme planner (programmes/): "plan" objects are the published plan of the
    # side's school (own), of its sibling school (sibling) or of the other hub's (foreign);
    # a hub lead reads its schools' published plans and changes only its templates
    # (tests/test_programme_pages.py: templates and drafts).
    "programme_home": (None, only({Role.HUB_LEAD: ALL_OK, **SCHOOL_STAFF_ALL_ROWS})),
    "programme_plan_new": (None, only({Role.HUB_LEAD: ALL_OK, Role.CAREERS_LEADER: ALL_OK})),
    "hub_programmes": (None, only({Role.HUB_LEAD: ALL_OK})),
    "programme_plan": ("plan", only({Role.HUB_LEAD: HUB_ONLY, **SCHOOL_STAFF_OWN_ROWS})),
    "programme_plan_pupils": ("plan", SCHOOL_STAFF_OWN),
    "programme_plan_delete": ("plan", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "programme_activity_new": ("plan", only({Role.CAREERS_LEADER: OWN_ONLY})),
    "programme_activity_edit": ("activity", only({Role.CAREERS_LEADER: OWN_ONLY})),
    # POST only.
    "programme_plan_edit": ("plan", only(POST_ONLY_FOR_PLANNERS)),
    "programme_plan_publish": ("plan", only(POST_ONLY_FOR_PLANNERS)),
    "programme_activity_delete": ("activity", only(POST_ONLY_FOR_PLANNERS)),
    "erasure_confirm": (
        {"erasure_id": 1},
        only(
            {
                Role.CAREERS_LEADER: dict.fromkeys(VARIANTS, 405),
                Role.HUB_LEAD: dict.fromkeys(VARIANTS, 405),
            }
        ),
    ),
}
# Reachable by anyone, signed in or not.
PUBLIC = {
    "healthz": None,
    # A pupil signs in with the code their careers leader printed.
    "pupil_sign_in": None,
    "invitation_accept": "token",
    "consent_answer": "token",
    "employer_request_new": None,
    # What the platform holds about pupils: for parents and pupils, without an account.
    "privacy": None,
}
THIRD_PARTY_MODULES = ("allauth.",)


def walk(patterns, prefix="", source="equalex.urls"):
    """Yield (name, pattern); each pattern is tagged with the URLconf module it came from."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            conf = entry.urlconf_name
            conf_source = conf if isinstance(conf, str) else getattr(conf, "__name__", source)
            yield from walk(entry.url_patterns, namespace, conf_source)
        elif isinstance(entry, URLPattern):
            entry.source_urlconf = source
            # Unnamed patterns keep their namespace ("admin:") so they are classified too.
            yield (f"{prefix}{entry.name}" if entry.name else prefix or None), entry


def is_third_party(pattern) -> bool:
    return pattern.source_urlconf.startswith(THIRD_PARTY_MODULES) or getattr(
        pattern.callback, "__module__", ""
    ).startswith(THIRD_PARTY_MODULES)


def project_routes():
    return list(walk(get_resolver().url_patterns))


def unruled_routes(routes):
    """Routes of our own with no access rule in code, or none in the designed matrix."""
    unruled = []
    for name, pattern in routes:
        module = getattr(pattern.callback, "__module__", "")
        if (name and name.startswith("admin:")) or is_third_party(pattern):
            continue
        rule = getattr(pattern.callback, "access_rule", None)
        if rule is not None and rule[0] == "api":
            if not _api_route_designed(name, rule[1]):
                unruled.append(f"{name}: API route or action missing from the API matrix")
            continue
        if name in API_PUBLIC and rule == ("public", None):
            continue
        if rule is None or name not in {**DESIGNED, **PUBLIC}:
            unruled.append(f"{name} ({module})")
        elif rule[0] == "public" and name not in PUBLIC:
            unruled.append(f"{name} is public in code but not in the designed matrix")
        elif rule[0] == "capability" and name not in DESIGNED:
            unruled.append(f"{name} has a capability but no designed expectation")
    return unruled


def _api_route_designed(name, capability_of_method) -> bool:
    """Every method the route serves has a row in the API matrix."""
    return name in API_DESIGNED and set(capability_of_method) <= set(API_DESIGNED[name][1])


def test_every_route_has_a_designed_rule():
    assert unruled_routes(project_routes()) == []


def test_a_new_route_without_a_rule_is_caught():
    from django.http import HttpResponse
    from django.urls import path

    from access.routes import requires

    def sneaky(request):
        return HttpResponse("all the pupils")

    routes = list(
        walk(
            [
                path("sneaky/", sneaky, name="sneaky"),
                path("ruled-but-undesigned/", requires("home.view")(sneaky), name="undesigned"),
            ]
        )
    )
    assert len(unruled_routes(routes)) == 2


def _object_for(kind, side, other, role, variant):
    if kind in ("report", "report_pdf"):
        kind = "report"
    if kind == "pupil_skills":
        kind = "participation"
    if kind == "reflection":
        participation = _object_for("participation", side, other, role, variant)
        return reflection_on(participation)
    if kind in ("experience", "participation", "report"):
        return {
            "own": getattr(side, kind),
            "sibling": getattr(side, f"sibling_{kind}"),
            "foreign": getattr(other, kind),
        }[variant]
    if kind == "pupil":
        return {"own": side.pupil, "sibling": side.sibling_pupil, "foreign": other.pupil}[variant]
    if kind == "school":
        return {"own": side.school, "sibling": side.sibling_school, "foreign": other.school}[
            variant
        ]
    if kind == "employer":
        return {"own": side.employer, "sibling": side.sibling_employer, "foreign": other.employer}[
            variant
        ]
    if kind == "opportunity":
        # A published opportunity of the side's employer, its sibling (same hub) or the
        # other hub's employer; made per test, rolled back with it.
        from .employer_world import make_opportunity

        employer, hub = {
            "own": (side.employer, side.hub),
            "sibling": (side.sibling_employer, side.hub),
            "foreign": (other.employer, other.hub),
        }[variant]
        return make_opportunity(employer, [hub])
    if kind == "vetting_document":
        from .employer_world import make_vetting_with_document

        employer, hub = {
            "own": (side.employer, side.hub),
            "sibling": (side.sibling_employer, side.hub),
            "foreign": (other.employer, other.hub),
        }[variant]
        return make_vetting_with_document(employer, hub)
    if kind == "employer_request":
        # A request to join the side's hub (own), a partnership request from the sibling
        # employer to the same hub (sibling), a request to the other hub (foreign).
        from employers.models import EmployerRequest

        hub, employer = {
            "own": (side.hub, None),
            "sibling": (side.hub, side.sibling_employer),
            "foreign": (other.hub, None),
        }[variant]
        with all_tenants_UNSAFE("test"):
            return EmployerRequest.objects.create(
                kind="partner" if employer else "join",
                hub=hub,
                employer=employer,
                name="Asking Ltd",
                size_band="small",
                contact_name="Ash Asker",
                contact_email="ash@asking.example",
            )
    if kind == "transfer":
        from django.utils import timezone

        from learners.models import PupilTransfer

        pupil, to_school = {
            "own": (side.pupil, other.school),
            "sibling": (side.sibling_pupil, other.school),
            "foreign": (other.pupil, side.school),
        }[variant]
        with all_tenants_UNSAFE("test"):
            return PupilTransfer.objects.create(
                learner=pupil,
                from_school_id=pupil.school_id,
                from_hub_id=pupil.hub_id,
                to_school=to_school,
                to_hub_id=to_school.hub_id,
                sent={"upn": pupil.upn, "surname": "Sent", "legal_first_name": "Only"},
                requested_at=timezone.now(),
            )
    if kind in ("sar", "sar_zip"):
        # Asked for by the side's careers leader (own), by a colleague at the same school
        # (sibling), or by the other hub's careers leader (foreign).
        from .sar_world import make_built_export, second_careers_leader

        if variant == "own":
            return make_built_export(side.pupil, side.users[Role.CAREERS_LEADER])
        if variant == "sibling":
            return make_built_export(side.pupil, second_careers_leader(side.school))
        return make_built_export(other.pupil, other.users[Role.CAREERS_LEADER])
    if kind in ("plan", "activity"):
        from .programme_world import add_activities, make_plan

        school = {"own": side.school, "sibling": side.sibling_school, "foreign": other.school}[
            variant
        ]
        plan = make_plan(school, side.pupil.cohort)
        activity = add_activities(plan, [{"title": "Visit"}])[0]
        return plan if kind == "plan" else activity
    raise AssertionError(f"No test object for URL kwarg kind {kind!r}: add one")


def _kwargs(name, kind, obj):
    if kind == "pupil_skills":
        return {"participation_id": obj.pk, "moment": "before"}
    if isinstance(kind, dict):
        return kind
    if kind == "report_pdf":
        return {"run_id": obj.pk, "output": "pdf"}
    if kind == "report":
        return {"run_id": obj.pk}
    if kind == "vetting_document":
        return {"vetting_id": obj.pk, "document": "insurance"}
    if kind == "sar":
        return {"export_id": obj.pk}
    if kind == "sar_zip":
        return {"export_id": obj.pk, "output": "zip"}
    return {f"{kind}_id": obj.pk} if kind else {}


CASES = [
    (name, role, variant, side)
    for name, (kind, _) in DESIGNED.items()
    for role in ROLES
    for variant in (VARIANTS if isinstance(kind, str) else ("own",))
    for side in ("a", "b")
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role", "variant", "side_name"), CASES)
def test_designed_matrix(client, module_world, name, role, variant, side_name):
    kind, table = DESIGNED[name]
    side = getattr(module_world, side_name)
    other = module_world.b if side_name == "a" else module_world.a
    obj = _object_for(kind, side, other, role, variant) if isinstance(kind, str) else None
    url = reverse(name, kwargs=_kwargs(name, kind, obj))
    if role != ANON:
        client.force_login(side.users[trust_variant_setup(module_world, side, other, role)])
    response = client.get(url)
    expected = LOGIN if role == ANON else table[role][variant]
    if expected == LOGIN:
        assert response.status_code == 302
        assert urlparse(response["Location"]).path == reverse("account_login")
    else:
        assert response.status_code == expected, (name, role, variant, side_name)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [ANON, *Role])
def test_public_routes_answer_everyone(client, module_world, role):
    from accounts.models import Invitation

    with all_tenants_UNSAFE("test"):
        invitation = Invitation.objects.create(
            email="new.person@example.org", role=Role.SCHOOL_STAFF, school=module_world.a.school
        )
    if role != ANON:
        client.force_login(module_world.a.users[role])
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("invitation_accept", args=[invitation.token])).status_code == 200
    assert client.get(reverse("invitation_accept", args=["not-a-token"])).status_code == 410
    # A consent link answers only with its own token (test_consent covers a real one).
    assert client.get(reverse("consent_answer", args=["not-a-token"])).status_code == 410
    assert client.get(reverse("employer_request_new")).status_code == 200
    assert client.get(reverse("privacy")).status_code == 200


def _admin_cases():
    cases = []
    for name, _pattern in project_routes():
        if not (name and name.startswith("admin:")) or name == "admin:":
            continue
        cases.append(name)
    return sorted(set(cases))


def _admin_kwargs(name, pattern_keys):
    with all_tenants_UNSAFE("test"):
        kwargs = {}
        if "app_label" in pattern_keys:
            kwargs["app_label"] = "learners"
        if "object_id" in pattern_keys or "id" in pattern_keys:
            from django.contrib.auth import get_user_model

            model = next(
                (
                    m
                    for m in admin.site._registry
                    if name.startswith(f"admin:{m._meta.app_label}_{m._meta.model_name}_")
                ),
                get_user_model(),  # UserAdmin names its password route auth_user_...
            )
            obj = (
                model.all_tenants_UNSCOPED.first()
                if hasattr(model, "all_tenants_UNSCOPED")
                else model._default_manager.first()
            )
            # Models with no rows in the test world (allauth's) get an id that matches none.
            kwargs["object_id" if "object_id" in pattern_keys else "id"] = (
                str(obj.pk) if obj else "999999"
            )
        if "content_type_id" in pattern_keys:
            from django.contrib.contenttypes.models import ContentType

            from learners.models import Learner

            kwargs["content_type_id"] = ContentType.objects.get_for_model(Learner).pk
            kwargs["object_id"] = str(Learner.all_tenants_UNSCOPED.first().pk)
        return kwargs


ADMIN_OPEN = {"admin:login", "admin:logout", "admin:view_on_site", "admin:autocomplete"}
# The audit log is written by the platform, never by hand, not even by operators;
ADMIN_REFUSED_TO_EVERYONE = {
    "admin:access_auditevent_add",
    "admin:access_auditevent_delete",
    # A parent's answer comes only from the parent's link.
    "admin:employers_parentalconsent_add",
    # The reconciliation's findings are what it found: written by the task only.
    "admin:learners_ledgercheck_add",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", _admin_cases())
@pytest.mark.parametrize("role", [ANON, *Role, "superuser"])
def test_admin_is_for_platform_operators_only(client, module_world, name, role):
    pattern = dict(project_routes())[name]
    keys = set(pattern.pattern.converters) | set(
        pattern.pattern.regex.groupindex if hasattr(pattern.pattern, "regex") else ()
    )
    url = reverse(name, kwargs=_admin_kwargs(name, keys))
    if role == "superuser":
        client.force_login(module_world.superuser)
    elif role != ANON:
        client.force_login(module_world.a.users[role])
    response = client.get(url)
    if name in ADMIN_OPEN:
        assert response.status_code < 500
        if name == "admin:autocomplete":  # refuses everyone without its query parameters
            assert response.status_code != 200
    elif role == "superuser" and name in ADMIN_REFUSED_TO_EVERYONE:
        assert response.status_code == 403
    elif role == "superuser":
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 302:
            assert "/admin/login/" not in response["Location"]
    else:
        assert response.status_code == 302
        assert urlparse(response["Location"]).path == reverse("admin:login")


def _third_party_cases():
    return sorted(
        {
            name
            for name, pattern in project_routes()
            if name
            and is_third_party(pattern)
            and not pattern.pattern.converters
            and not getattr(pattern.pattern, "regex", None).groupindex
            and _reversible_without_arguments(name)
        }
    )


def _reversible_without_arguments(name) -> bool:
    # A pattern without arguments of its own can sit under a prefix that has some
    # (allauth's single sign-on routes: oidc/<provider_id>/login/).
    try:
        reverse(name)
    except NoReverseMatch:
        return False
    return True


@pytest.mark.django_db
@pytest.mark.parametrize("name", _third_party_cases())
@pytest.mark.parametrize("role", [ANON, Role.CAREERS_LEADER, Role.EMPLOYER])
def test_account_pages_never_fail_or_leak(client, module_world, name, role):
    if role != ANON:
        client.force_login(module_world.a.users[role])
    response = client.get(reverse(name))
    # allauth answers 404 for MFA pages of a factor the user has not enrolled, and 401 on
    # its single sign-on error page (socialaccount_login_error).
    assert response.status_code in (200, 302, 401, 404, 405), (name, response.status_code)
    body = response.content.decode(errors="replace")
    assert module_world.b.pupil.surname not in body
    assert module_world.a.pupil.surname not in body
