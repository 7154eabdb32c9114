"""The access rules, as data.

SCOPES: model label -> role -> the filter that role's rows must match. A role missing
from a model's table sees none of its rows; a model missing from the table cannot be
queried at all (see scoping.ScopedManager). CAPABILITIES: action -> roles allowed.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from .actor import Actor
from .roles import Role

ScopeRule = Callable[[Actor], Q | None]

EVERYTHING = Q()
R = Role
SCHOOL_ROLES = (R.CAREERS_LEADER, R.SCHOOL_STAFF)
ALL_ROLES = frozenset(Role)
# Everyone who works with the platform; a pupil has their own pages (pupils/) and no more.
STAFF_ROLES = ALL_ROLES - {R.PUPIL}


def _trusts_in_hub(actor: Actor) -> Q:
    from schools.models import School

    return Q(pk__in=School.all_tenants_UNSCOPED.filter(hub_id=actor.hub_id).values("trust_id"))


def _employers_partnered_with(hub_ids) -> Q:
    return Q(hubs__in=hub_ids) if hub_ids else Q(pk__in=[])


def _for_aggregates(actor: Actor, condition: Q) -> Q | None:
    return condition if actor.purpose == "aggregates" else None


def _own_school(actor: Actor) -> Q:
    return Q(school_id=actor.school_id)


def _in_ids(ids) -> Q:
    return Q(pk__in=ids) if ids else Q(pk__in=[])


def _trust_pupils(actor: Actor) -> Q:
    """A trust lead: totals over every school of the trust (actor.for_aggregates(), as a
    hub lead's), rows only of the schools that grant the trust their named pupils."""
    if actor.purpose == "aggregates":
        return Q(school_id__in=actor.trust_school_ids)
    return Q(school_id__in=actor.trust_named_pupil_school_ids)


def _trust_granted_rows(actor: Actor) -> Q:
    # A school's own rows (experiences, skill ratings) behind a pupil's page: only where
    # the school grants it, never as totals (hub leads get none of these either).
    return Q(school_id__in=actor.trust_named_pupil_school_ids)


def _own_record(actor: Actor) -> Q:
    # A pupil's own rows: their record, participations, ratings, reflections.
    return Q(learner_id=actor.learner_id) if actor.learner_id else Q(pk__in=[])


def _experiences_of_pupil(actor: Actor) -> Q:
    from learners.models import Participation

    if not actor.learner_id:
        return Q(pk__in=[])
    mine = Participation.all_tenants_UNSCOPED.filter(learner_id=actor.learner_id)
    return Q(pk__in=mine.values("experience_id"))


def _opportunities_for_pupil(actor: Actor) -> Q:
    # What their school could nominate them for (published, offered to the hub); the
    # pupil's own year and travel band are the selector's business (pupils.selectors).
    return Q(visible_to_hubs=actor.hub_id, status="published")


def _published_templates(actor: Actor, prefix: str = "") -> Q:
    # A hub's published programme templates, for its schools to copy.
    return Q(hub_id=actor.hub_id, school__isnull=True, **{f"{prefix}status": "published"})


def _hubs_of_trust(actor: Actor) -> Q:
    from schools.models import School

    return Q(pk__in=School.all_tenants_UNSCOPED.filter(trust_id=actor.trust_id).values("hub_id"))


def _opportunities_for_school(actor: Actor) -> Q:
    # Published ones offered to the school's hub, and any the school has nominated to
    # (so a closed opportunity's nominations keep their context).
    from employers.models import Nomination

    nominated = Nomination.all_tenants_UNSCOPED.filter(school_id=actor.school_id)
    return Q(visible_to_hubs=actor.hub_id) & (
        Q(status="published") | Q(pk__in=nominated.values("opportunity_id"))
    )


def _transfers_of_schools_without_a_careers_leader(actor: Actor) -> Q:
    # A hub lead decides for a school of their hub only while it has no active careers
    # leader; otherwise the school decides itself and the hub lead sees none of it.
    from hubs.models import Membership

    led = Membership.all_tenants_UNSCOPED.filter(
        role=R.CAREERS_LEADER, user__is_active=True, school__isnull=False
    ).values("school_id")
    return Q(from_hub_id=actor.hub_id) & ~Q(from_school_id__in=led)


# Rows that belong to one school (and follow a pupil who moves): its staff see them.
SCHOOL_OWNED: dict[Role, ScopeRule] = {R.CAREERS_LEADER: _own_school, R.SCHOOL_STAFF: _own_school}
# Pupil-level rows also feed hub, trust and national totals, never as rows
# (actor.for_aggregates()); a trust lead reads them as rows where the school grants it.
PUPIL_LEVEL: dict[Role, ScopeRule] = {
    **SCHOOL_OWNED,
    R.TRUST_LEAD: _trust_pupils,
    R.HUB_LEAD: lambda a: _for_aggregates(a, Q(hub_id=a.hub_id)),
    R.NATIONAL_ANALYST: lambda a: _for_aggregates(a, EVERYTHING),
}

SCOPES: dict[str, dict[Role, ScopeRule]] = {
    "hubs.Hub": {
        R.NATIONAL_ANALYST: lambda a: EVERYTHING,
        R.HUB_LEAD: lambda a: Q(pk=a.hub_id),
        R.CAREERS_LEADER: lambda a: Q(pk=a.hub_id),
        R.SCHOOL_STAFF: lambda a: Q(pk=a.hub_id),
        R.EMPLOYER: lambda a: Q(pk__in=a.partner_hub_ids),
        # The hubs its schools are in (a trust may span hubs): their names and rules.
        R.TRUST_LEAD: _hubs_of_trust,
        # Their hub's rules decide what counts toward their ten days.
        R.PUPIL: lambda a: Q(pk=a.hub_id),
    },
    "hubs.Membership": {
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id) | Q(school__hub_id=a.hub_id),
        R.CAREERS_LEADER: _own_school,
        R.SCHOOL_STAFF: lambda a: Q(user_id=a.user_id),
        R.EMPLOYER: lambda a: Q(employer_id=a.employer_id),
        R.NATIONAL_ANALYST: lambda a: Q(user_id=a.user_id),
        R.TRUST_LEAD: lambda a: Q(user_id=a.user_id),
        R.PUPIL: lambda a: Q(user_id=a.user_id),
    },
    "schools.Trust": {
        R.HUB_LEAD: _trusts_in_hub,
        R.CAREERS_LEADER: lambda a: Q(pk=a.trust_id),
        R.SCHOOL_STAFF: lambda a: Q(pk=a.trust_id),
        R.TRUST_LEAD: lambda a: Q(pk=a.trust_id),
    },
    "schools.School": {
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id),
        R.CAREERS_LEADER: lambda a: Q(pk=a.school_id),
        R.SCHOOL_STAFF: lambda a: Q(pk=a.school_id),
        R.TRUST_LEAD: lambda a: _in_ids(a.trust_school_ids),
        R.PUPIL: lambda a: Q(pk=a.school_id),
    },
    # A school's grant to its trust lead of its named pupils: the school's careers leader
    # gives and takes it back; the trust lead sees the grants its schools gave it.
    "schools.TrustPupilAccess": {
        R.CAREERS_LEADER: _own_school,
        R.TRUST_LEAD: lambda a: Q(trust_id=a.trust_id, school_id__in=a.trust_school_ids),
    },
    "employers.Employer": {
        R.NATIONAL_ANALYST: lambda a: EVERYTHING,
        R.HUB_LEAD: lambda a: _employers_partnered_with([a.hub_id]),
        R.CAREERS_LEADER: lambda a: _employers_partnered_with([a.hub_id]),
        R.SCHOOL_STAFF: lambda a: _employers_partnered_with([a.hub_id]),
        R.EMPLOYER: lambda a: Q(pk=a.employer_id),
    },
    # A hub's safety check of an employer: its hub lead approves it, every school reuses it.
    "employers.EmployerVetting": {
        R.EMPLOYER: lambda a: Q(employer_id=a.employer_id),
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id),
        R.CAREERS_LEADER: lambda a: Q(hub_id=a.hub_id),
        R.SCHOOL_STAFF: lambda a: Q(hub_id=a.hub_id),
    },
    # Requests to join equalex or to partner with a hub: the hub asked decides; an
    # employer sees its own partnership requests (a join request is the requester's, who
    # has no account yet).
    "employers.EmployerRequest": {
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id),
        R.EMPLOYER: lambda a: Q(employer_id=a.employer_id, kind="partner"),
    },
    # Drafts are the employer's own; hubs see what was offered to them.
    "employers.Opportunity": {
        R.EMPLOYER: lambda a: Q(employer_id=a.employer_id),
        R.HUB_LEAD: lambda a: Q(visible_to_hubs=a.hub_id) & ~Q(status="draft"),
        R.CAREERS_LEADER: _opportunities_for_school,
        R.SCHOOL_STAFF: _opportunities_for_school,
        R.PUPIL: _opportunities_for_pupil,
    },
    # Pupil-level; an employer sees only nominations to its own opportunities (and reads
    # them through employers.selectors, which shares first name and year group only).
    "employers.Nomination": {
        **PUPIL_LEVEL,
        R.EMPLOYER: lambda a: Q(opportunity__employer_id=a.employer_id),
    },
    # A parent's answer is the school's record; the employer reads only the answer, through
    # its nominations (employers.selectors.attendance_sheet).
    "employers.ParentalConsent": SCHOOL_OWNED,
    "learners.Learner": {**PUPIL_LEVEL, R.PUPIL: lambda a: _in_ids([a.learner_id])},
    "learners.Experience": {
        **SCHOOL_OWNED,
        R.TRUST_LEAD: _trust_granted_rows,
        R.PUPIL: _experiences_of_pupil,
    },
    # A participation follows its pupil's current school, not the organising school.
    "learners.Participation": {**PUPIL_LEVEL, R.PUPIL: _own_record},
    # Pupil-level: rows to the school (and a pupil their own); hub, trust and national
    # totals of self-rated change (pupils.selectors.self_rated_change), never rows.
    "learners.SkillRating": {**PUPIL_LEVEL, R.PUPIL: _own_record},
    # The progress ledger: a pupil's figures, seen wherever the pupil is.
    "learners.PupilProgress": {**PUPIL_LEVEL, R.PUPIL: _own_record},
    # Pupil voice (pupils/): a pupil's account, reflections and interests are the pupil's
    # and their school's staff's; never a hub's, trust's or employer's rows.
    "pupils.PupilAccount": {**SCHOOL_OWNED, R.PUPIL: _own_record},
    "pupils.Reflection": {**SCHOOL_OWNED, R.PUPIL: _own_record},
    "pupils.OpportunityInterest": {**SCHOOL_OWNED, R.PUPIL: _own_record},
    # Programme plans (programmes/): a school's plans to its staff (drafts to its careers
    # leaders only) and, once published, to its hub lead; a hub's templates to its lead
    # (drafts too) and, once published, to its schools. No pupil is named in a plan.
    "programmes.ProgrammePlan": {
        R.CAREERS_LEADER: lambda a: _own_school(a) | _published_templates(a),
        R.SCHOOL_STAFF: lambda a: (
            Q(school_id=a.school_id, status="published") | _published_templates(a)
        ),
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id) & (Q(school__isnull=True) | Q(status="published")),
        # Its schools' published plans, for their Benchmark 6 reports' programme page.
        R.TRUST_LEAD: lambda a: Q(school_id__in=a.trust_school_ids, status="published"),
    },
    "programmes.PlannedActivity": {
        R.CAREERS_LEADER: lambda a: _own_school(a) | _published_templates(a, "plan__"),
        R.SCHOOL_STAFF: lambda a: (
            Q(school_id=a.school_id, plan__status="published") | _published_templates(a, "plan__")
        ),
        R.HUB_LEAD: lambda a: (
            Q(hub_id=a.hub_id) & (Q(school__isnull=True) | Q(plan__status="published"))
        ),
        R.TRUST_LEAD: lambda a: Q(school_id__in=a.trust_school_ids, plan__status="published"),
    },
    # A count of writes per school, read with the figures it versions (never as rows).
    "learners.SchoolLedgerVersion": PUPIL_LEVEL,
    # A request to take a pupil on another school's roll: the asking school sees its
    # arrivals (through learners.transfers, only what it sent itself), the pupil's school
    # sees requests for its pupils, a hub lead those it must decide.
    "learners.PupilTransfer": {
        R.CAREERS_LEADER: lambda a: Q(to_school_id=a.school_id) | Q(from_school_id=a.school_id),
        R.HUB_LEAD: _transfers_of_schools_without_a_careers_leader,
    },
    # Hub leads see their hub's reports; schools their own (pupil records included).
    "reports.ReportRun": {
        **SCHOOL_OWNED,
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id, learner__isnull=True),
        # Analysts read hub dashboards' hub-level totals (reports.selectors), nothing else.
        R.NATIONAL_ANALYST: lambda a: Q(kind="hub_dashboard", status="done"),
        # A trust lead: its schools' Benchmark 6 reports (totals), never a pupil's record
        # or a cohort's named CSV, grant or not.
        R.TRUST_LEAD: lambda a: Q(school_id__in=a.trust_school_ids, kind="school_b6"),
    },
    # Erasure, two people (privacy.erasure): the school's careers leaders see its requests;
    # the hub lead, who may be the second person, its hub's (never the pupil's name).
    "privacy.ErasureRequest": {
        R.CAREERS_LEADER: _own_school,
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id),
    },
    # A subject access export copies a pupil's whole record: only the careers leader who
    # asked for it sees it, not their colleagues (privacy.sar).
    "privacy.SubjectAccessExport": {
        R.CAREERS_LEADER: lambda a: Q(school_id=a.school_id, requested_by_id=a.user_id),
    },
    "accounts.Invitation": {
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id) | Q(school__hub_id=a.hub_id),
        R.CAREERS_LEADER: _own_school,
        R.EMPLOYER: lambda a: Q(employer_id=a.employer_id),
    },
    # The audit trail (access.selectors.audit_events): a school's careers leader sees every
    # event about their school's rows, whoever acted; a hub lead sees only the hub's own
    # actions (events with the hub and no school), never a school's pupils through it.
    # Platform admins read the rest in the admin.
    "access.AuditEvent": {
        R.CAREERS_LEADER: _own_school,
        R.HUB_LEAD: lambda a: Q(hub_id=a.hub_id, school_id__isnull=True),
    },
    # A token is its owner's alone: nobody else, whatever their role, sees it.
    "api.ApiToken": dict.fromkeys(STAFF_ROLES, lambda a: Q(user_id=a.user_id)),
}

CAPABILITIES: dict[str, frozenset[Role]] = {
    "home.view": ALL_ROLES,
    "framework.view": ALL_ROLES,
    # Organisations and reference lists; the scoped managers decide which rows.
    "directory.view": STAFF_ROLES,
    "api.token": STAFF_ROLES,
    # A pupil's own pages: their ten days, reflections, skills, what they'd like to try.
    "pupil.self": frozenset({R.PUPIL}),
    # Switching pupil access on or off for a class, printing sign-in codes, hiding a
    # reflection: the careers leader.
    "pupil.access": frozenset({R.CAREERS_LEADER}),
    "reflection.view": frozenset(SCHOOL_ROLES),
    "hub.view": frozenset({R.HUB_LEAD, R.NATIONAL_ANALYST}),
    "hub.configure": frozenset({R.HUB_LEAD}),
    "school.view": frozenset({R.HUB_LEAD, R.TRUST_LEAD, *SCHOOL_ROLES}),
    # The school's own settings (its grant to its trust).
    "school.configure": frozenset({R.CAREERS_LEADER}),
    "employer.view": frozenset({R.HUB_LEAD, R.EMPLOYER, *SCHOOL_ROLES, R.NATIONAL_ANALYST}),
    # A trust lead reads named pupils (read only) of the schools that grant it; the scope
    # (access.rules._trust_pupils) answers 404 for the others.
    "pupil.view_named": frozenset({*SCHOOL_ROLES, R.TRUST_LEAD}),
    "pupil.change": frozenset(SCHOOL_ROLES),
    "pupil.import": frozenset({R.CAREERS_LEADER}),
    "pupil.leave": frozenset({R.CAREERS_LEADER}),
    # Erasure: a careers leader asks, a second person (another careers leader of the
    # school, or the hub lead) confirms; privacy.erasure checks they are not the same.
    "erasure.request": frozenset({R.CAREERS_LEADER}),
    "erasure.confirm": frozenset({R.CAREERS_LEADER, R.HUB_LEAD}),
    # A subject access request: a careers leader exports everything held about a pupil.
    "sar.request": frozenset({R.CAREERS_LEADER}),
    # Asking for a pupil on another school's roll happens through the import.
    "transfer.request": frozenset({R.CAREERS_LEADER}),
    "transfer.arrivals": frozenset({R.CAREERS_LEADER}),
    "transfer.decide": frozenset({R.CAREERS_LEADER, R.HUB_LEAD}),
    "experience.log": frozenset(SCHOOL_ROLES),
    "experience.delete": frozenset({R.CAREERS_LEADER}),
    "progress.view": frozenset(SCHOOL_ROLES),
    "report.school": frozenset({R.HUB_LEAD, R.TRUST_LEAD, *SCHOOL_ROLES}),
    "report.pupil": frozenset(SCHOOL_ROLES),
    "report.hub": frozenset({R.HUB_LEAD}),
    "report.national": frozenset({R.NATIONAL_ANALYST}),
    "staff.invite": frozenset({R.HUB_LEAD, R.CAREERS_LEADER, R.EMPLOYER}),
    # A hub lead adds employers and decides requests to join or partner with the hub.
    "employer.onboard": frozenset({R.HUB_LEAD}),
    # An employer asks another hub to partner with it.
    "employer.partner": frozenset({R.EMPLOYER}),
    "audit.view": frozenset({R.CAREERS_LEADER, R.HUB_LEAD}),
    "opportunity.view": frozenset({R.EMPLOYER, R.HUB_LEAD, *SCHOOL_ROLES}),
    "nomination.view": frozenset({R.EMPLOYER, *SCHOOL_ROLES}),
    "opportunity.manage": frozenset({R.EMPLOYER}),
    "opportunity.browse": frozenset(SCHOOL_ROLES),
    "opportunity.nominate": frozenset({R.CAREERS_LEADER}),
    "nomination.decide": frozenset({R.EMPLOYER}),
    "consent.request": frozenset({R.CAREERS_LEADER}),
    "attendance.confirm": frozenset({R.EMPLOYER}),
    "vetting.approve": frozenset({R.HUB_LEAD}),
    # The programme planner: a school's staff read its published plans, its careers
    # leaders plan; a hub lead writes templates and reads across the hub's schools.
    "programme.view": frozenset({R.HUB_LEAD, *SCHOOL_ROLES}),
    "programme.plan": frozenset({R.CAREERS_LEADER}),
    "programme.template": frozenset({R.HUB_LEAD}),
    # Either of the two above (the pages they share); the services check which.
    "programme.write": frozenset({R.CAREERS_LEADER, R.HUB_LEAD}),
    "vetting.documents": frozenset({R.EMPLOYER, R.HUB_LEAD}),
}

# Which roles each inviter may invite (the organisation comes from the inviter's scope).
INVITABLE_ROLES: dict[Role, tuple[Role, ...]] = {
    R.HUB_LEAD: (R.HUB_LEAD, R.CAREERS_LEADER, R.SCHOOL_STAFF, R.EMPLOYER),
    R.CAREERS_LEADER: (R.CAREERS_LEADER, R.SCHOOL_STAFF),
    R.EMPLOYER: (R.EMPLOYER,),
}


def scope_filter(model_label: str, actor: Actor) -> Q | None:
    """The filter an actor's queries on a model must match; None means no rows at all."""
    if actor.sees_everything:
        return EVERYTHING
    rules = SCOPES[model_label]
    if actor.role is None or actor.role not in rules:
        return None
    return rules[actor.role](actor)  # a rule may itself answer None: no rows
