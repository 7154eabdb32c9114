from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Count, F, Func, IntegerField, Q, Value
from django.urls import reverse
from django.utils import timezone

from access import rls
from employers.models import Employer, EmployerVetting, Nomination, Opportunity
from employers.rules import (
    PlacementState,
    attendance_problem,
    needs_parental_consent,
    placement_state,
    vetting_problem,
)
from hubs.postcodes import within_band_q
from learners.academic import cohort_for, year_group_on
from learners.models import Learner
from schools.models import School


def employer_list(*, actor):
    return Employer.objects.select_related("sector").prefetch_related("hubs").order_by("name")


def _with_places(opportunities):
    # Counted over every school's nominations: a number about the opportunity, no rows.
    if rls.app_role():
        # Row-level security shows a school only its own nominations, so PostgreSQL counts
        # all of them in a function that returns the number alone (access.rls).
        held = _nominations_counted(Nomination.HOLDS_A_PLACE)
        every = _nominations_counted(Nomination.Status.values)
    else:
        held = Count("nominations", filter=Q(nominations__status__in=Nomination.HOLDS_A_PLACE))
        every = Count("nominations")
    return opportunities.annotate(
        places_held=held, places_left=F("capacity") - held, nomination_count=every
    )


def _nominations_counted(statuses):
    return Func(
        F("pk"),
        Value([str(status) for status in statuses]),  # the driver sends a text[]
        function=rls.NOMINATIONS_COUNTED,
        output_field=IntegerField(),
    )


def employer_opportunities(*, actor):
    """The employer's own opportunities, drafts included, with their places taken."""
    return _with_places(
        Opportunity.objects.filter(employer_id=actor.employer_id).select_related("sector")
    ).order_by("-start_date", "title")


def opportunity_get(*, actor, opportunity_id: int) -> Opportunity:
    """One opportunity in the actor's scope; Opportunity.DoesNotExist otherwise."""
    return _with_places(Opportunity.objects.select_related("employer", "sector")).get(
        pk=opportunity_id
    )


def opportunity_list(*, actor):
    """Every opportunity in the actor's scope (an employer's own, drafts included; those
    offered to a school's or hub's hub), with their places taken."""
    return _with_places(Opportunity.objects.select_related("employer", "sector")).prefetch_related(
        "objectives", "visible_to_hubs"
    )


def opportunity_browse(
    *,
    actor,
    sector_id: int | None = None,
    tier: int | None = None,
    year_group: int | None = None,
    distance: str = "",
):
    """Published opportunities offered to the school's hub, soonest first, filtered.

    distance: a hubs.postcodes.DistanceBand around the actor's school's postcode (ignored
    when the school has none on record).
    """
    opportunities = Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED)
    if distance:
        school_postcode = (
            School.objects.filter(pk=actor.school_id).values_list("postcode", flat=True).first()
        )
        if school_postcode:
            opportunities = opportunities.filter(within_band_q(distance, school_postcode))
    if sector_id:
        opportunities = opportunities.filter(sector_id=sector_id)
    if tier:
        opportunities = opportunities.filter(tier=tier)
    if year_group:
        if connection.features.supports_json_field_contains:
            opportunities = opportunities.filter(year_groups__contains=[year_group])
        else:  # SQLite (the demo) cannot look inside a JSON list; a hub's offers are few
            opportunities = opportunities.filter(
                pk__in=[
                    o.pk for o in opportunities.only("year_groups") if year_group in o.year_groups
                ]
            )
    return _with_places(opportunities.select_related("employer", "sector")).order_by(
        "start_date", "title"
    )


def vetting_for(*, actor, opportunity: Opportunity, hub_id: int):
    return EmployerVetting.objects.filter(
        employer_id=opportunity.employer_id, hub_id=hub_id
    ).first()


@dataclass(frozen=True)
class SharedPupil:
    """All an employer may know of a nominated pupil (DESIGN section 3): first name, year
    group and the support needs the school chose to share. Never surname, UPN or flags,
    nor the allocation's explanation (it names them)."""

    nomination_id: int
    first_name: str
    year_group: int
    school_name: str  # the nominating school: who to talk to about the pupil
    shared_support_needs: str
    status: str
    status_label: str
    decision_reason: str

    @property
    def holds_a_place(self) -> bool:
        return self.status in Nomination.HOLDS_A_PLACE


def nominations_received(*, actor, opportunity: Opportunity) -> list[SharedPupil]:
    """The nominations to one of the employer's opportunities, as the employer sees them.

    The pupil is read through the nomination only (the employer cannot query pupils), and
    only the shared columns are selected.
    """
    labels = dict(Nomination.Status.choices)
    rows = (
        Nomination.objects.filter(opportunity=opportunity)
        .order_by("created_at", "pk")
        .values(
            "pk",
            "learner__preferred_first_name",
            "learner__legal_first_name",
            "learner__cohort",
            "school__name",
            "shared_support_needs",
            "status",
            "decision_reason",
        )
    )
    return [
        SharedPupil(
            nomination_id=row["pk"],
            first_name=row["learner__preferred_first_name"] or row["learner__legal_first_name"],
            year_group=year_group_on(row["learner__cohort"], opportunity.start_date),
            school_name=row["school__name"],
            shared_support_needs=row["shared_support_needs"],
            status=row["status"],
            status_label=labels[row["status"]],
            decision_reason=row["decision_reason"],
        )
        for row in rows
    ]


SHARED_NOMINATION_FIELDS = (
    "pk",
    "opportunity_id",
    "learner__preferred_first_name",
    "learner__legal_first_name",
    "learner__cohort",
    "opportunity__start_date",
    "shared_support_needs",
    "status",
    "decision_reason",
    "updated_at",
)


def nominations_shared(*, actor):
    """Nominations to the employer's opportunities as rows of the shared columns only
    (see SharedPupil): never the pupil object, so nothing else can be read by mistake."""
    return Nomination.objects.values(*SHARED_NOMINATION_FIELDS)


def school_nominations(*, actor, opportunity: Opportunity):
    """The actor's school's nominations to an opportunity, with the allocation's reasons."""
    return (
        Nomination.objects.filter(opportunity=opportunity)
        .select_related("learner", "consent")
        .order_by("learner__surname", "learner__legal_first_name")
    )


def nominable_pupils(*, actor, opportunity: Opportunity):
    """The school's pupils in an eligible year group on the first day, not yet nominated."""
    cohorts = [cohort_for(year, opportunity.start_date) for year in opportunity.year_groups]
    return (
        Learner.objects.filter(school_id=actor.school_id, cohort__in=cohorts)
        .exclude(pk__in=Nomination.objects.filter(opportunity=opportunity).values("learner_id"))
        .order_by("-cohort", "registration_group", "surname", "legal_first_name")
    )


def _employer_ratings(opportunity: Opportunity, learner_ids) -> dict[int, tuple]:
    """The Skills Builder rating the employer saved for each pupil on this opportunity
    (skill id, step, skill name), so the attendance screen shows what was saved.

    The employer cannot read rating rows: they are read here, unscoped, for the pupils
    holding a place on its own opportunity (the caller's scoped nominations), and only
    the employer's own ratings leave."""
    from learners.models import SkillRating

    rows = SkillRating.all_tenants_UNSCOPED.filter(
        learner_id__in=learner_ids,
        experience__opportunity_id=opportunity.pk,
        rater=SkillRating.Rater.EMPLOYER,
    ).values_list("learner_id", "skill_id", "step", "skill__name")
    return {learner: (skill, step, name) for learner, skill, step, name in rows}


def attendance_sheet(*, actor, opportunity: Opportunity):
    """The pupils holding a place, as the employer sees them on the attendance screen:
    shared columns, whether consent allows them to attend, and what was recorded."""
    consent_needed = needs_parental_consent(opportunity)
    rows = (
        Nomination.objects.filter(opportunity=opportunity, status__in=Nomination.HOLDS_A_PLACE)
        .order_by("pk")
        .values(
            "pk",
            "learner_id",
            "learner__preferred_first_name",
            "learner__legal_first_name",
            "learner__cohort",
            "shared_support_needs",
            "consent__answer",
            "participation__hours_attended",
            "participation__absent",
            "participation__feedback_text",
        )
    )
    rows = list(rows)
    ratings = _employer_ratings(opportunity, [row["learner_id"] for row in rows])
    no_rating = (None, None, "")
    return [
        {
            "nomination_id": row["pk"],
            "first_name": row["learner__preferred_first_name"] or row["learner__legal_first_name"],
            "year_group": year_group_on(row["learner__cohort"], opportunity.start_date),
            "shared_support_needs": row["shared_support_needs"],
            **dict(
                zip(
                    ("skill_id", "skill_step", "skill_name"),
                    ratings.get(row["learner_id"], no_rating),
                    strict=True,
                )
            ),
            "problem": attendance_problem(
                consent_needed=consent_needed, consent_answer=row["consent__answer"]
            ),
            "recorded": row["participation__hours_attended"] is not None,
            "attended": row["participation__hours_attended"] is None
            or not row["participation__absent"],
            "hours": row["participation__hours_attended"],
            "feedback": row["participation__feedback_text"] or "",
        }
        for row in rows
    ]


# -- The careers leader's placement board


@dataclass
class BoardRow:
    nomination_id: int
    learner_id: int
    pupil_name: str
    first_name: str
    registration_group: str
    opportunity_id: int
    opportunity_title: str
    employer_name: str
    start_date: date
    state: PlacementState
    consent: object | None  # the ParentalConsent, when one was asked for


@dataclass
class Board:
    year_group: int
    rows: list[BoardRow]
    counts: dict[str, int] = field(default_factory=dict)  # state key -> pupils

    @property
    def not_answered(self) -> list[BoardRow]:
        return [row for row in self.rows if row.state.key == "consent_asked"]

    @property
    def to_ask(self) -> list[BoardRow]:
        return [row for row in self.rows if row.state.can_ask_for_consent]


def placement_board(*, actor, year_group: int, today: date | None = None) -> Board:
    """Every nomination of the actor's school's pupils in a year group, with its state
    (employers.rules.placement_state) and the parent's consent. One query, whatever the
    number of pupils."""
    today = today or timezone.localdate()
    nominations = (
        Nomination.objects.filter(learner__cohort=cohort_for(year_group, today))
        .select_related("learner", "opportunity__employer", "consent", "participation")
        .order_by("learner__surname", "learner__legal_first_name", "opportunity__start_date", "pk")
    )
    rows, counts = [], {}
    for n in nominations:
        opportunity, learner = n.opportunity, n.learner
        consent = getattr(n, "consent", None)
        participation = n.participation
        state = placement_state(
            status=n.status,
            consent_needed=needs_parental_consent(opportunity),
            consent_answer=consent.answer if consent else None,
            attendance_recorded=participation is not None,
            absent=bool(participation and participation.absent),
            feedback_given=bool(participation and participation.employer_feedback_given),
            start_date=opportunity.start_date,
            today=today,
        )
        counts[state.key] = counts.get(state.key, 0) + 1
        rows.append(
            BoardRow(
                nomination_id=n.pk,
                learner_id=learner.pk,
                pupil_name=f"{learner.surname}, {learner.first_name}",
                first_name=learner.first_name,
                registration_group=learner.registration_group,
                opportunity_id=opportunity.pk,
                opportunity_title=opportunity.title,
                employer_name=opportunity.employer.name,
                start_date=opportunity.start_date,
                state=state,
                consent=consent,
            )
        )
    return Board(year_group=year_group, rows=rows, counts=counts)


def consent_details_for_employer(*, actor, opportunity: Opportunity) -> dict[int, dict]:
    """What a parent agreed the employer's supervisor may see, per nomination holding a
    place: the emergency contact always (the pupil is in the employer's care), medical or
    access needs only where the parent chose to share them. Travel stays with the school."""
    rows = Nomination.objects.filter(
        opportunity=opportunity,
        status__in=Nomination.HOLDS_A_PLACE,
        consent__answer="given",
    ).values(
        "pk",
        "consent__emergency_contact_name",
        "consent__emergency_contact_phone",
        "consent__medical_needs",
        "consent__share_needs_with_employer",
    )
    return {
        row["pk"]: {
            "emergency_contact_name": row["consent__emergency_contact_name"],
            "emergency_contact_phone": row["consent__emergency_contact_phone"],
            "medical_needs": row["consent__medical_needs"]
            if row["consent__share_needs_with_employer"]
            else "",
        }
        for row in rows
    }


# -- The employer's next steps


@dataclass(frozen=True)
class NextStep:
    text: str
    url: str
    link_text: str


def employer_next_steps(*, actor, today: date | None = None) -> list[NextStep]:
    """What the employer should do next, most urgent first: safety checks to send before a
    draft can be published, nominations waiting for a decision, attendance due, and the
    host-again question. A fixed number of queries."""
    today = today or timezone.localdate()
    steps = []
    opportunities = list(
        _with_places(
            Opportunity.objects.filter(employer_id=actor.employer_id).annotate(
                waiting=Count(
                    "nominations", filter=Q(nominations__status=Nomination.Status.NOMINATED)
                )
            )
        )
        .prefetch_related("visible_to_hubs")
        .order_by("start_date", "title")
    )
    vettings = {v.hub_id: v for v in EmployerVetting.objects.filter(employer_id=actor.employer_id)}
    employer_name = (
        Employer.objects.filter(pk=actor.employer_id).values_list("name", flat=True).first()
    )
    checks_url = reverse("vetting_for_employer")
    for o in opportunities:
        if o.status != Opportunity.Status.DRAFT:
            continue
        for hub in o.visible_to_hubs.all():
            problem = vetting_problem(
                vettings.get(hub.pk),
                employer_name=employer_name,
                hub_name=hub.name,
                day=o.start_date,
            )
            if problem and hub.pk not in vettings:
                steps.append(
                    NextStep(
                        f"Send your safety check for {hub.name} before you publish “{o.title}”.",
                        checks_url,
                        "Send a safety check",
                    )
                )
            elif problem:
                steps.append(
                    NextStep(
                        f"“{o.title}” cannot be published yet: {problem}",
                        checks_url,
                        "Your safety checks",
                    )
                )
            else:
                steps.append(
                    NextStep(
                        f"“{o.title}” is ready to publish.",
                        reverse("opportunity_publish", args=[o.pk]),
                        f"Publish “{o.title}”",
                    )
                )
    for o in opportunities:
        if o.status == Opportunity.Status.PUBLISHED and o.waiting:
            steps.append(
                NextStep(
                    f"{o.waiting} nomination{'s' * (o.waiting != 1)} waiting for “{o.title}”.",
                    reverse("opportunity_nominations", args=[o.pk]),
                    f"Decide on nominations for “{o.title}”",
                )
            )
    for o in opportunities:
        if o.places_held and o.start_date <= today and o.attendance_confirmed_at is None:
            steps.append(
                NextStep(
                    f"Attendance is due for “{o.title}” ({o.start_date:%-d %B %Y}).",
                    reverse("opportunity_attendance", args=[o.pk]),
                    f"Confirm attendance for “{o.title}”",
                )
            )
        elif o.attendance_confirmed_at and o.host_again is None:
            steps.append(
                NextStep(
                    f"Would you host pupils again after “{o.title}”?",
                    reverse("opportunity_attendance", args=[o.pk]) + "#host-again",
                    f"Answer for “{o.title}”",
                )
            )
    return steps


def hub_hosting_capacity(*, actor, hub_id: int) -> int:
    """Places the hub's partner employers said they would offer again: for each employer,
    its latest answer to "would you host again, and how many?" among opportunities offered
    to the hub (a "no" counts 0). Read by the hub dashboard."""
    answers = (
        Opportunity.objects.filter(visible_to_hubs=hub_id, host_again_answered_at__isnull=False)
        .order_by("employer_id", "-host_again_answered_at")
        .values("employer_id", "host_again", "host_again_places")
    )
    latest = {}
    for answer in answers:
        latest.setdefault(answer["employer_id"], answer)
    return sum(a["host_again_places"] or 0 for a in latest.values() if a["host_again"])
