"""The ten-day progress rules (DESIGN section 2), in one place, computed in the database.

Pages, reports and the API all call these functions; nothing else re-implements a rule.
Every figure is an aggregate over participations: no Python loop over pupils' rows.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Expression,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.db.models.lookups import GreaterThanOrEqual

from .models import Experience, Participation

HOURS_PER_DAY = Decimal(5)
WEEK_HOURS = Decimal(25)  # "a week" = 5 days of 5 hours
COUNTING_SETTINGS = (
    Experience.Setting.WORKPLACE,
    Experience.Setting.VIRTUAL,
    Experience.Setting.COMMUNITY,
)
DESIGN_CRITERIA = ("M1", "M2", "M3", "M4", "M5")
ALL_CRITERIA = (*DESIGN_CRITERIA, "M6", "M7")
KS3_OFFSETS = (0, 2)  # academic year minus cohort: Years 7-9
KS4_OFFSETS = (3, 4)  # Years 10-11
# Output types shared by every expression built here: a field is costly to construct
# (its choices, validators) and a page builds dozens of expressions.
HOURS = DecimalField(max_digits=8, decimal_places=2)
WHOLE = IntegerField()
FLAG = BooleanField()
ZERO = Value(Decimal(0), output_field=HOURS)


@dataclass(frozen=True)
class ProgressRules:
    """A hub's counting rules; the defaults are DESIGN's."""

    meaningful_criteria: tuple[str, ...] = ("M1", "M2", "M3")
    ks3_virtual_cap_hours: Decimal = Decimal("12.5")
    # The day the hub's progress ledger (learners.ledger) is current as at under exactly
    # these rules, or None: with_progress then counts from raw participations. Not part of
    # the rules' identity.
    ledger_on: date | None = field(default=None, compare=False)

    @classmethod
    def of(cls, meaningful_criteria, ks3_virtual_cap_days) -> ProgressRules:
        """A hub's rules from its two settings (always counted from raw)."""
        return cls(
            meaningful_criteria=tuple(sorted(meaningful_criteria)),
            ks3_virtual_cap_hours=Decimal(ks3_virtual_cap_days) * HOURS_PER_DAY,
        )

    # The hub's fields for_hub reads.
    HUB_FIELDS = (
        "meaningful_criteria",
        "ks3_virtual_cap_days",
        "ledger_counted_by",
        "ledger_counted_on",
    )

    @classmethod
    def for_hub(cls, hub) -> ProgressRules:
        rules = cls.of(hub.meaningful_criteria, hub.ks3_virtual_cap_days)
        if hub.ledger_counted_by and hub.ledger_counted_by == rules.key:
            return replace(rules, ledger_on=hub.ledger_counted_on)
        return rules

    @property
    def key(self) -> str:
        """What the ledger's rows were counted by: equal keys, equal rules."""
        cap = self.ks3_virtual_cap_hours.quantize(Decimal("0.01"))
        return f"{','.join(self.meaningful_criteria)}|{cap}"

    @property
    def raw(self) -> ProgressRules:
        """The same rules, always counted from raw participations."""
        return replace(self, ledger_on=None)


def round_half_up(value: Fraction, places: int) -> Decimal:
    """An exact value rounded half away from zero: 6.25 -> 6.3, -0.05 -> -0.1. (Python's
    round() on floats rounds 6.25 to 6.2 and misses ties its binary floats cannot hold.)"""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: int = 1):
    """The one published percentage: part/whole rounded half up to `places` decimals (a
    float, or an int for whole percentages, as the JSON summaries carry them); None when
    there is nobody to count."""
    if not whole:
        return None
    value = round_half_up(Fraction(100 * part, whole), places)
    return float(value) if places else int(value)


def days(hours) -> Decimal:
    return (Decimal(hours or 0) / HOURS_PER_DAY).quantize(Decimal("0.01"))


# -- Conditions on a participation (prefix "" from Participation, "participations__" from
#    Learner). They are the single statement of what counts.


def _p(prefix: str, lookup: str) -> str:
    return f"{prefix}{lookup}"


def meaningful_q(rules: ProgressRules, prefix: str = "") -> Q:
    condition = Q()
    for code in rules.meaningful_criteria:
        if code in DESIGN_CRITERIA:
            condition &= Q(**{_p(prefix, f"experience__meets_{code.lower()}"): True})
        elif code == "M6":
            condition &= Q(**{_p(prefix, "employer_feedback_given"): True})
        elif code == "M7":
            condition &= Q(**{_p(prefix, "reflection_done"): True})
    return condition


def counts_q(rules: ProgressRules, *, as_at: date | None = None, prefix: str = "") -> Q:
    """A participation counts toward the ten days: right setting, meaningful, attended."""
    condition = (
        Q(**{_p(prefix, "experience__setting__in"): COUNTING_SETTINGS})
        & meaningful_q(rules, prefix)
        & Q(**{_p(prefix, "hours_attended__gt"): 0})
    )
    if as_at is not None:
        condition &= Q(**{_p(prefix, "experience__start_date__lte"): as_at})
    return condition


def _stage_q(offsets, prefix: str, cohort) -> Q:
    low, high = offsets
    year = _p(prefix, "experience__academic_year")
    return Q(**{f"{year}__gte": cohort + low, f"{year}__lte": cohort + high})


def ks3_q(prefix: str = "", cohort=None) -> Q:
    return _stage_q(KS3_OFFSETS, prefix, cohort if cohort is not None else F("cohort"))


def ks4_q(prefix: str = "", cohort=None) -> Q:
    return _stage_q(KS4_OFFSETS, prefix, cohort if cohort is not None else F("cohort"))


def placement_q(prefix: str = "") -> Q:
    """The KS4 week counts only placements in person at a real workplace."""
    return Q(
        **{
            _p(prefix, "experience__kind"): Experience.Kind.PLACEMENT,
            _p(prefix, "experience__setting"): Experience.Setting.WORKPLACE,
        }
    )


def virtual_q(prefix: str = "") -> Q:
    return Q(**{_p(prefix, "experience__setting"): Experience.Setting.VIRTUAL})


# -- Pro-rata expectations: depend only on cohort and date, so computed per cohort.


@functools.lru_cache(maxsize=512)
def _stage_fraction(cohort: int, as_at: date, first_offset: int, years: int) -> Fraction:
    start = date(cohort + first_offset, 9, 1)
    end = date(cohort + first_offset + years, 9, 1)
    elapsed = (as_at - start).days
    return Fraction(min(max(elapsed, 0), (end - start).days), (end - start).days)


@functools.lru_cache(maxsize=512)
def expected_hours(cohort: int, as_at: date) -> tuple[Decimal, Decimal]:
    """Hours a pupil should have by `as_at` to be on track: (KS3 week, KS4 placement week)."""
    # From the exact share, rounded once (through a float, 25 x 1/3 could publish 8.33 or
    # 8.34 depending on the binary value).
    ks3 = round_half_up(Fraction(WEEK_HOURS) * _stage_fraction(cohort, as_at, 0, 3), 2)
    ks4 = round_half_up(Fraction(WEEK_HOURS) * _stage_fraction(cohort, as_at, 3, 2), 2)
    return ks3, ks4


def _distinct_count(field: str, offsets, rules: ProgressRules, as_at: date) -> Coalesce:
    """Distinct employers or sectors of a pupil's counted experiences in one key stage.

    Correlated to the outer (scoped) pupil row, so it reads only that pupil's history.
    """
    rows = (
        Participation.all_tenants_UNSCOPED.filter(
            counts_q(rules, as_at=as_at),
            _stage_q(offsets, "", OuterRef("cohort")),
            learner=OuterRef("pk"),
        )
        .order_by()
        .values("learner")
        .annotate(n=Count(f"experience__{field}", distinct=True))
        .values("n")
    )
    return _PerPupil(Subquery(rows, output_field=WHOLE), Value(0))


def _columns(expression) -> list:
    """The plain columns an expression reads (what PostgreSQL needs in a GROUP BY)."""
    from django.db.models.expressions import Col

    if isinstance(expression, Col):
        return [expression]
    found = []
    for source in expression.get_source_expressions():
        if source is not None and hasattr(source, "get_source_expressions"):
            found += _columns(source)
    return found


class _ByPupil(ExpressionWrapper):
    """A per-pupil expression (of the cohort, say) grouped by the columns it reads, not by
    itself: a GROUP BY of the pupil's key lets PostgreSQL hash instead of sorting every
    participation row by long CASE expressions."""

    def get_group_by_cols(self):
        return _columns(self.expression)


class _PerPupil(Coalesce):
    """COALESCE(correlated subquery, 0) that groups by the pupil's columns, not by itself.

    Left to Django, the whole expression joins the GROUP BY and PostgreSQL evaluates the
    subquery once per participation row; grouped by its outer columns it runs once a pupil.
    """

    def get_group_by_cols(self):
        return [
            col for source in self.get_source_expressions() for col in source.get_group_by_cols()
        ]


def reads_ledger(rules: ProgressRules, as_at: date) -> bool:
    """Current figures (as at today) come from the ledger when the hub's is current."""
    from django.utils import timezone

    return rules.ledger_on is not None and as_at == rules.ledger_on == timezone.localdate()


LEDGER_HOURS = (
    "ks3_in_person_hours",
    "ks3_virtual_hours",
    "ks3_virtual_counted_hours",
    "ks3_hours",
    "ks4_hours",
    "ks4_placement_hours",
    "total_hours",
)
LEDGER_COUNTS = (
    "ks3_employers",
    "ks4_employers",
    "ks3_sectors",
    "ks4_sectors",
    *(f"{stage}reached_t{tier}" for stage in ("", "ks3_", "ks4_") for tier in (1, 2, 3)),
)
LEDGER_VERDICTS = ("ks3_week_met", "ks4_week_met", "ten_days_met")
# Every figure with_progress(variety=True) computes that does not depend on the day beyond
# "experiences up to it": what a ledger row stores.
LEDGER_FIGURES = (*LEDGER_HOURS, *LEDGER_COUNTS, *LEDGER_VERDICTS)


def with_progress(
    learners,
    *,
    rules: ProgressRules,
    as_at: date,
    variety: bool = False,
    cohorts=None,
    figures=None,
):
    """Annotate a Learner queryset with every progress figure as at a date.

    Hours: ks3_in_person_hours, ks3_virtual_hours, ks3_hours (virtual capped), ks4_hours,
    ks4_placement_hours, total_hours (every counted hour, virtual uncapped), ks3_expected_hours
    and ks4_expected_hours (the pro-rata share). Variety: ks3_employers (the KS3 week needs
    two) and, with variety=True, ks4_employers, ks3_sectors, ks4_sectors. Tiers: reached_t1..t3
    (any year group) and, with variety=True, ks3_reached_t1..t3 and ks4_reached_t1..t3; a
    tier is reached by attending an experience of it, counted or not. With variety=True
    also ks3_virtual_counted_hours (virtual hours within the hub's cap).
    Verdicts: ks3_week_met, ks4_week_met, ten_days_met, behind (against the pro-rata share
    of the current stage's week).

    As at today, for a hub whose ledger is current (reads_ledger), every figure but the
    pro-rata ones is read from the pupil's ledger row, which this same function filled
    from raw participations (learners.ledger); otherwise all are counted from raw here.

    `cohorts`, when the caller has already limited the pupils to some cohorts (a year
    group's page), spares building the calendar figures' branches for the others;
    `figures`, the stored figures a page shows, spares reading the rest from the ledger.
    """
    if reads_ledger(rules, as_at):
        return _with_dated_figures(_from_ledger(learners, figures), as_at, cohorts)
    counted = _counted_from_raw(learners, rules, as_at, variety)
    return _with_dated_figures(counted, as_at, cohorts)


def _from_ledger(learners, figures=None):
    """The stored figures of each pupil's ledger row (or these of them, with the two the
    verdict "behind" reads); no row (nothing counted yet) is zero."""
    defaults = {
        **dict.fromkeys(LEDGER_HOURS, ZERO),
        **dict.fromkeys(LEDGER_COUNTS, Value(0)),
        **dict.fromkeys(LEDGER_VERDICTS, Value(False)),
    }
    if figures is not None:
        wanted = {*figures, "ks3_hours", "ks4_placement_hours"}
        defaults = {name: value for name, value in defaults.items() if name in wanted}
    # Joined on the pupil's school and hub as well as the pupil: rows always carry them
    # (ledger_refresh writes both), and it lets PostgreSQL carry a page's "this school" or
    # "this hub" over to the ledger's own indexes instead of hashing every ledger row.
    joined = learners.annotate(
        counted=FilteredRelation(
            "ledger", condition=Q(ledger__school_id=F("school_id"), ledger__hub_id=F("hub_id"))
        )
    )
    return joined.annotate(
        **{name: Coalesce(F(f"counted__{name}"), default) for name, default in defaults.items()}
    )


def _with_dated_figures(queryset, as_at: date, only_cohorts=None):
    """The figures that move with the calendar, not with the pupil's history: the pro-rata
    expectation, the pupil's current stage and whether they are behind it. A branch per
    cohort in school on the day (or per cohort of only_cohorts among them)."""
    from .academic import academic_year_of

    cohorts = [
        c
        for c in range(as_at.year - 8, as_at.year + 1)
        if only_cohorts is None or c in only_cohorts
    ]
    year = academic_year_of(as_at)
    # Behind: fewer counted hours than the exact pro-rata share of the current stage's
    # week (KS3 for Years 7-9, the KS4 placement week for Years 10-11), compared in
    # integers: hours x length < 25 x elapsed. (A share rounded to 0.01 first would call a
    # pupil on track who has 0.25 hours against an exact share of 0.2509.)
    behind = {}
    for c in cohorts:
        if 0 <= year - c <= 2:
            share = _stage_fraction(c, as_at, 0, 3)
            behind[c] = (0, share.denominator, WEEK_HOURS * share.numerator)
        elif 3 <= year - c <= 4:
            share = _stage_fraction(c, as_at, 3, 2)
            behind[c] = (1, share.denominator, WEEK_HOURS * share.numerator)
    return queryset.annotate(
        ks3_expected_hours=_ByCohort({c: expected_hours(c, as_at)[0] for c in cohorts}),
        ks4_expected_hours=_ByCohort({c: expected_hours(c, as_at)[1] for c in cohorts}),
        stage_offset=_ByPupil(Value(year) - F("cohort"), output_field=WHOLE),
        behind=_BehindByCohort(behind),
    )


def _number_placeholder(connection) -> str:
    # SQLite (the demo) receives a Decimal as text, and text compares greater than any
    # number there: cast it, as Django's own expressions do on SQLite.
    return "CAST(%s AS NUMERIC)" if connection.vendor == "sqlite" else "%s"


class _ByCohort(Expression):
    """CASE cohort WHEN c THEN hours ... ELSE 0 END: the pro-rata share of each cohort in
    school, one expression node. Case(When(cohort=c)...) built the same SQL from a lookup
    per cohort, and building and hashing those cost a page more than reading its rows."""

    output_field = HOURS

    def __init__(self, hours_by_cohort: dict[int, Decimal]):
        super().__init__()
        self.hours_by_cohort = hours_by_cohort
        self.cohort = F("cohort")

    def get_source_expressions(self):
        return [self.cohort]

    def set_source_expressions(self, expressions):
        (self.cohort,) = expressions

    def as_sql(self, compiler, connection):
        cohort_sql, cohort_params = compiler.compile(self.cohort)
        number = _number_placeholder(connection)
        branches, params = [], list(cohort_params)
        for cohort, hours in self.hours_by_cohort.items():
            branches.append(f"WHEN %s THEN {number}")
            params += [cohort, hours]
        if not branches:
            return number, [Decimal(0)]
        sql = f"CASE {cohort_sql} {' '.join(branches)} ELSE {number} END"
        return sql, [*params, Decimal(0)]

    def get_group_by_cols(self):
        return _columns(self.cohort)


class _BehindByCohort(Expression):
    """CASE cohort WHEN c THEN hours x length < 25 x elapsed ... ELSE false END, where
    hours are the KS3 hours for a cohort in Years 7-9 and the KS4 placement hours for one
    in Years 10-11: `behind`, one expression node (see _ByCohort)."""

    output_field = FLAG

    def __init__(self, comparisons: dict[int, tuple[int, int, Decimal]]):
        super().__init__()
        # cohort -> (0 for KS3 hours or 1 for KS4 placement hours, length, 25 x elapsed)
        self.comparisons = comparisons
        self.sources = [F("cohort"), F("ks3_hours"), F("ks4_placement_hours")]

    def get_source_expressions(self):
        return self.sources

    def set_source_expressions(self, expressions):
        self.sources = list(expressions)

    def as_sql(self, compiler, connection):
        cohort, *hours = (compiler.compile(source) for source in self.sources)
        if not self.comparisons:
            return "%s", [False]
        number = _number_placeholder(connection)
        branches, params = [], list(cohort[1])
        for c, (stage, length, bound) in self.comparisons.items():
            stage_sql, stage_params = hours[stage]
            branches.append(f"WHEN %s THEN ({stage_sql}) * %s < {number}")
            params += [c, *stage_params, length, bound]
        return f"CASE {cohort[0]} {' '.join(branches)} ELSE %s END", [*params, False]

    def get_group_by_cols(self):
        return _columns(self.sources[0])


def _counted_from_raw(learners, rules: ProgressRules, as_at: date, variety: bool):
    p = "participations__"
    counted = counts_q(rules, as_at=as_at, prefix=p)
    hours = f"{p}hours_attended"

    def total(condition):
        return Coalesce(Sum(hours, filter=counted & condition), ZERO)

    attended = Q(**{f"{hours}__gt": 0}, **{f"{p}experience__start_date__lte": as_at})
    queryset = learners.annotate(
        ks3_in_person_hours=total(ks3_q(p) & ~virtual_q(p)),
        ks3_virtual_hours=total(ks3_q(p) & virtual_q(p)),
        ks4_hours=total(ks4_q(p)),
        ks4_placement_hours=total(ks4_q(p) & placement_q(p)),
        total_hours=total(Q()),
        reached_t1=Count("pk", filter=attended & Q(**{f"{p}experience__tier": 1})),
        reached_t2=Count("pk", filter=attended & Q(**{f"{p}experience__tier": 2})),
        reached_t3=Count("pk", filter=attended & Q(**{f"{p}experience__tier": 3})),
    ).annotate(
        ks3_employers=_distinct_count("employers", KS3_OFFSETS, rules, as_at),
        ks3_hours=F("ks3_in_person_hours")
        + Least(F("ks3_virtual_hours"), Value(rules.ks3_virtual_cap_hours)),
    )
    if variety:
        # What one pupil's page and the API show; hub-wide totals (grouped_progress) never
        # ask for it, so their query stays as it was.
        queryset = queryset.annotate(
            ks4_employers=_distinct_count("employers", KS4_OFFSETS, rules, as_at),
            ks3_sectors=_distinct_count("sectors", KS3_OFFSETS, rules, as_at),
            ks4_sectors=_distinct_count("sectors", KS4_OFFSETS, rules, as_at),
            ks3_virtual_counted_hours=Least(
                F("ks3_virtual_hours"), Value(rules.ks3_virtual_cap_hours)
            ),
            **{
                f"{stage}_reached_t{tier}": Count(
                    "pk", filter=attended & in_stage & Q(**{f"{p}experience__tier": tier})
                )
                for stage, in_stage in (("ks3", ks3_q(p)), ("ks4", ks4_q(p)))
                for tier in (1, 2, 3)
            },
        )
    queryset = queryset.annotate(
        # CASE decides the hours first, so the employer count (a subquery) only runs for
        # pupils who already have the five days: totals over a whole hub need no more.
        ks3_week_met=Case(
            When(ks3_hours__lt=WEEK_HOURS, then=Value(False)),
            default=GreaterThanOrEqual(_distinct_count("employers", KS3_OFFSETS, rules, as_at), 2),
            output_field=FLAG,
        ),
        ks4_week_met=ExpressionWrapper(Q(ks4_placement_hours__gte=WEEK_HOURS), output_field=FLAG),
    )
    return queryset.annotate(
        # SQL cannot reuse ks3_week_met's column, so its employer subquery would run again
        # here for every pupil with a KS3 week; CASE asks the rare KS4 week first, so the
        # subquery only runs for the few pupils who already have both weeks' hours.
        ten_days_met=Case(
            When(ks4_placement_hours__lt=WEEK_HOURS, then=Value(False)),
            default=F("ks3_week_met"),
            output_field=FLAG,
        ),
    )


def behind_first(learners):
    """Disadvantaged pupils who are behind first, then others behind, then the rest."""
    return learners.annotate(
        priority=Case(
            When(behind=True, disadvantaged=True, then=Value(0)),
            When(behind=True, then=Value(1)),
            default=Value(2),
            output_field=WHOLE,
        )
    ).order_by("priority", "surname", "legal_first_name", "pk")


def participations_with_verdict(participations, *, rules: ProgressRules):
    """Each participation with `counts` (the same rule as the totals) and its year offset."""
    return participations.annotate(
        counts=ExpressionWrapper(counts_q(rules), output_field=FLAG),
        offset=ExpressionWrapper(
            F("experience__academic_year") - F("learner__cohort"), output_field=WHOLE
        ),
    )


IN_SCHOOL_REASON = "done in school: a valuable encounter, but it counts zero days"
# What each per-pupil criterion waits for, in words, while the experience is being logged.
PER_PUPIL_CRITERIA = {
    "M6": "the employer gave feedback (M6)",
    "M7": "the pupil reflected (M7)",
}


def why_not_counted(participation, rules: ProgressRules) -> list[str]:
    """Plain-language reasons a participation did not count (for the pupil's timeline)."""
    experience = participation.experience
    reasons = []
    if experience.setting == Experience.Setting.IN_SCHOOL:
        reasons.append(IN_SCHOOL_REASON)
    missing = [
        code
        for code in rules.meaningful_criteria
        if (code in DESIGN_CRITERIA and not getattr(experience, f"meets_{code.lower()}"))
        or (code == "M6" and not participation.employer_feedback_given)
        or (code == "M7" and not participation.reflection_done)
    ]
    if missing:
        reasons.append(f"not meaningful: does not meet {', '.join(missing)}")
    if participation.hours_attended <= 0:
        reasons.append("absent")
    return reasons


def duration_in_words(hours) -> str:
    """A length as DESIGN shows it: days, with the hours in brackets ("2 days (10 hours)",
    "half a day (2.5 hours)", "1.5 days (7.5 hours)")."""
    hours = Decimal(hours or 0)
    in_days = days(hours).normalize()
    hours_text = f"{hours.normalize():f} hour{'s' * (hours != 1)}"
    if in_days == Decimal("0.5"):
        return f"half a day ({hours_text})"
    return f"{in_days:f} day{'s' * (in_days != 1)} ({hours_text})"


@dataclass(frozen=True)
class ExperienceVerdict:
    """Whether an experience, as designed, will count toward the ten days for the pupils
    who attend it, in plain words: `reasons` why not (empty when it counts), `waits_for`
    the per-pupil criteria the hub requires that each pupil's record must show first, and
    `notes` on how it counts for some of the pupils (the KS4 week, the virtual cap)."""

    counts: bool
    reasons: tuple[str, ...] = ()
    waits_for: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


def experience_verdict(
    *, kind: str, setting: str, criteria, rules: ProgressRules, year_groups=()
) -> ExperienceVerdict:
    """The rules of counts_q and the key-stage weeks, stated for an experience before it is
    logged (the review step of class logging). `criteria` are the design criteria it meets
    (M1-M5); `year_groups` those of its pupils on its first day."""
    reasons = []
    if setting not in COUNTING_SETTINGS:
        reasons.append(IN_SCHOOL_REASON)
    met = set(criteria)
    missing = [c for c in rules.meaningful_criteria if c in DESIGN_CRITERIA and c not in met]
    if missing:
        reasons.append(f"not meaningful: does not meet {', '.join(missing)}")
    waits_for = tuple(
        PER_PUPIL_CRITERIA[c] for c in rules.meaningful_criteria if c in PER_PUPIL_CRITERIA
    )
    notes = []
    if not reasons:
        in_ks4 = sorted({y for y in year_groups if y in (10, 11)})
        is_placement = kind == Experience.Kind.PLACEMENT and setting == Experience.Setting.WORKPLACE
        # Which of the two weeks the days go to, so the careers leader knows what it buys.
        if any(7 <= y <= 9 for y in year_groups):
            notes.append("For pupils in Years 7-9 it counts toward the KS3 week.")
        if in_ks4 and is_placement:
            notes.append("For pupils in Years 10-11 it counts toward the KS4 placement week.")
        if in_ks4 and not is_placement:
            notes.append(
                "For pupils in Years 10-11 it adds to their total days but not to the KS4 "
                "week, which counts only placements in person at a workplace."
            )
        if setting == Experience.Setting.VIRTUAL and any(7 <= y <= 9 for y in year_groups):
            notes.append(
                "Virtual time counts toward the KS3 week up to "
                f"{duration_in_words(rules.ks3_virtual_cap_hours)} per pupil."
            )
    return ExperienceVerdict(
        counts=not reasons, reasons=tuple(reasons), waits_for=waits_for, notes=tuple(notes)
    )


# -- Compass supplementary questions


COMPASS_BANDS = (
    "None",
    "A few (1-25%)",
    "Some (26-50%)",
    "Most (51-75%)",
    "Overwhelming majority (76-90%)",
    "Almost All (91-99%)",
    "All (100%)",
    "Don't know",
)


def compass_band(numerator: int, denominator: int) -> str:
    """The Compass answer band for numerator/denominator, compared exactly (no floats)."""
    if denominator == 0:
        return COMPASS_BANDS[7]
    share = Fraction(numerator, denominator)
    if share == 0:
        return COMPASS_BANDS[0]
    for band, upper in zip(COMPASS_BANDS[1:5], (25, 50, 75, 90), strict=True):
        if share <= Fraction(upper, 100):
            return band
    return COMPASS_BANDS[5] if share < 1 else COMPASS_BANDS[6]


@dataclass(frozen=True)
class CompassAnswer:
    code: str
    question: str
    numerator: int
    denominator: int

    @property
    def band(self) -> str:
        return compass_band(self.numerator, self.denominator)

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return round_half_up(Fraction(100 * self.numerator, self.denominator), 1)


def compass_answers(learners, *, rules: ProgressRules, as_at: date) -> list[CompassAnswer]:
    """Q1-Q4 for a school's pupils (a scoped Learner queryset), in one query.

    KS3 population: Year 9 in the academic year of `as_at`; KS4: Year 11. Experiences count
    up to `as_at`.
    """
    from .academic import academic_year_of

    year = academic_year_of(as_at)
    progress = with_progress(
        learners.filter(cohort__in=(year - 2, year - 4)), rules=rules, as_at=as_at
    )
    y9, y11 = Q(cohort=year - 2), Q(cohort=year - 4)
    totals = progress.aggregate(
        q1_d=Count("pk", filter=y9),
        q1_n=Count("pk", filter=y9 & Q(ks3_week_met=True)),
        q2_d=Count("pk", filter=y9 & Q(fsm=True)),
        q2_n=Count("pk", filter=y9 & Q(fsm=True, ks3_week_met=True)),
        q3_d=Count("pk", filter=y11),
        q3_n=Count("pk", filter=y11 & Q(ks4_week_met=True)),
        q4_d=Count("pk", filter=y11 & Q(fsm=True)),
        q4_n=Count("pk", filter=y11 & Q(fsm=True, ks4_week_met=True)),
    )
    texts = {
        "Q1": "Pupils with a variety of meaningful workplace experiences totalling a week by "
        "the end of KS3",
        "Q2": "FSM pupils with the same by the end of KS3",
        "Q3": "Pupils with meaningful placements totalling a week by the end of KS4",
        "Q4": "FSM pupils with the same by the end of KS4",
    }
    return [
        CompassAnswer(code, texts[code], totals[f"{code.lower()}_n"], totals[f"{code.lower()}_d"])
        for code in ("Q1", "Q2", "Q3", "Q4")
    ]


def compass_dates(as_at: date) -> list[date]:
    """The formal readings of the academic year containing `as_at`: 31 Dec, 31 Mar, 31 Jul."""
    from .academic import academic_year_of

    year = academic_year_of(as_at)
    return [date(year, 12, 31), date(year + 1, 3, 31), date(year + 1, 7, 31)]


# -- Group totals over the per-pupil figures, still in one database query


GROUP_MEASURES = {
    "pupils": "COUNT(*)",
    "behind": "COUNT(*) FILTER (WHERE behind)",
    "ks3_met": "COUNT(*) FILTER (WHERE ks3_week_met)",
    "ks4_met": "COUNT(*) FILTER (WHERE ks4_week_met)",
    # From the two weeks' columns: selecting ten_days_met would run the KS3 subquery again.
    "ten_days_met": "COUNT(*) FILTER (WHERE ks3_week_met AND ks4_week_met)",
    "fsm": "COUNT(*) FILTER (WHERE fsm)",
    "fsm_behind": "COUNT(*) FILTER (WHERE fsm AND behind)",
    "send": "COUNT(*) FILTER (WHERE send <> 'N')",
    "send_behind": "COUNT(*) FILTER (WHERE send <> 'N' AND behind)",
    "y9": "COUNT(*) FILTER (WHERE stage_offset = 2)",
    "y9_ks3_met": "COUNT(*) FILTER (WHERE stage_offset = 2 AND {ks3_met})",
    "y9_fsm": "COUNT(*) FILTER (WHERE stage_offset = 2 AND fsm)",
    "y9_fsm_ks3_met": "COUNT(*) FILTER (WHERE stage_offset = 2 AND fsm AND {ks3_met})",
    "y11": "COUNT(*) FILTER (WHERE stage_offset = 4)",
    "y11_ks4_met": "COUNT(*) FILTER (WHERE stage_offset = 4 AND ks4_week_met)",
    "y11_fsm": "COUNT(*) FILTER (WHERE stage_offset = 4 AND fsm)",
    "y11_fsm_ks4_met": "COUNT(*) FILTER (WHERE stage_offset = 4 AND fsm AND ks4_week_met)",
    "total_hours": "COALESCE(SUM(total_hours), 0)",
}
GROUPINGS = {"school": "school_id", "cohort": "cohort", "hub": "hub_id"}
# Measures that need every pupil's KS3 verdict; the others need it for Year 9 only.
EVERY_KS3_VERDICT = frozenset({"ks3_met", "ten_days_met"})


def grouped_progress(
    learners, *, rules: ProgressRules, as_at: date, by: str, measures=None
) -> list[dict]:
    """Totals of the per-pupil verdicts, grouped by school, cohort or hub, in one query.

    The per-pupil figures come from with_progress (the same rules as every page); this only
    wraps its SQL in an outer GROUP BY, so nothing is counted in Python. `measures` names
    the GROUP_MEASURES wanted (all by default): without ks3_met or ten_days_met, the KS3
    employer variety (a subquery per pupil) is looked up for Year 9 pupils only.
    """
    from django.db import connections

    column = GROUPINGS[by]
    names = list(measures or GROUP_MEASURES)
    progress = with_progress(
        learners, rules=rules, as_at=as_at, figures=("ks3_week_met", "ks4_week_met", "total_hours")
    )
    columns = ["school_id", "cohort", "hub_id", "fsm", "send", "behind", "ks4_week_met"]
    columns += ["stage_offset", "total_hours"]
    if EVERY_KS3_VERDICT & set(names):
        ks3_column = "ks3_week_met"
    else:
        ks3_column = "y9_ks3_week_met"
        progress = progress.annotate(
            y9_ks3_week_met=Case(
                When(stage_offset=2, then=F("ks3_week_met")),
                default=Value(False),
                output_field=FLAG,
            )
        )
    inner = progress.order_by().values(*columns, ks3_column)
    sql, params = inner.query.sql_with_params()
    measures = ", ".join(
        f"{GROUP_MEASURES[name].format(ks3_met=ks3_column)} AS {name}" for name in names
    )
    outer = (
        f"SELECT {column} AS key, {measures} FROM ({sql}) AS per_pupil "  # noqa: S608
        f"GROUP BY {column} ORDER BY {column}"
    )
    with connections[inner.db].cursor() as cursor:
        cursor.execute(outer, params)
        keys = [c[0] for c in cursor.description]
        return [dict(zip(keys, row, strict=True)) for row in cursor.fetchall()]
