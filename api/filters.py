"""Query filters, each declared by hand: django-filter's Meta.fields would build a query on
the model's default manager when the class is defined, outside any request and so outside
any scope (the scoped manager rightly refuses). Related rows are filtered by id.

Every number, date and datetime filter is bounded, so a value out of the database's range
answers 400 instead of reaching PostgreSQL (tests/test_api_filter_fuzz.py throws values at
every filter the schema lists)."""

from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field

from employers.models import Employer, Nomination, Opportunity
from learners.academic import cohort_for
from learners.models import Experience, Learner, Participation, SkillRating
from programmes.models import PlannedActivity, ProgrammePlan, Term
from reports.models import ReportRun
from schools.models import School

F = django_filters

BIGINT_MAX = 2**63 - 1  # ids are PostgreSQL bigints
YEARS = {"min_value": 1900, "max_value": 2200}  # cohorts and academic years


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the request names none of the view's filters.
    Its filter set deep-copies every filter and form field for each request; on an
    unfiltered page of 1,000 pupils that was 2 ms of copying to filter nothing."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(
            request.query_params, filterset_class.base_filters
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _names_a_filter(params, filters) -> bool:
    # By prefix: a filter of two parameters (a range's "x_min" and "x_max") counts too;
    # a parameter that only looks like one costs the filter set's work, nothing else.
    return any(param.startswith(name) for param in params for name in filters)


class UtcIsoDateTimeField(forms.DateTimeField):
    """ISO 8601 with any offset (or none, read as UTC), normalised to UTC: PostgreSQL
    refuses offsets beyond +/-15:59, and a moment that leaves the calendar in UTC is bad
    input, not a server error."""

    default_error_messages = {
        "invalid": "Enter a moment in ISO 8601, e.g. 2026-12-02T03:04:05Z or "
        "2026-12-02T03:04:05+01:00."
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            moment = parse_datetime(str(value).strip())
            if moment is not None and moment.tzinfo is None:
                return moment.replace(tzinfo=UTC)
            if moment is not None:
                return moment.astimezone(UTC)
        except (ValueError, OverflowError):
            pass
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class UpdatedSinceFilter(F.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField

    def __init__(self, **kwargs):
        kwargs.setdefault("lookup_expr", "gte")
        super().__init__(**kwargs)


class IntegerFilter(F.NumberFilter):
    """Whole numbers only, within the range given (1.5 or 10**30 is a 400, not a query); the
    schema states the range, so clients (and the schema fuzzer) know it."""

    field_class = forms.IntegerField

    def __init__(self, *, min_value: int, max_value: int, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)
        extend_schema_field({"type": "integer", "minimum": min_value, "maximum": max_value})(self)


def id_filter(field_name: str, **kwargs) -> IntegerFilter:
    return IntegerFilter(field_name=field_name, min_value=1, max_value=BIGINT_MAX, **kwargs)


UPDATED_SINCE = "(ISO 8601, any offset; without one, UTC); send the previous sync's `as_of`."


class SchoolFilter(F.FilterSet):
    hub = id_filter("hub_id")
    trust = id_filter("trust_id")
    type = F.ChoiceFilter(choices=School.Type.choices)
    local_authority = F.CharFilter(lookup_expr="iexact")


class EmployerFilter(F.FilterSet):
    sector = id_filter("sector_id")
    size_band = F.ChoiceFilter(choices=Employer.SizeBand.choices)


class PupilFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        label=f"Only pupils changed at or after this moment {UPDATED_SINCE}",
    )
    upn = F.CharFilter(lookup_expr="iexact")
    year_group = IntegerFilter(
        method="filter_year_group", min_value=7, max_value=13, label="Year group today (7-13)."
    )
    cohort = IntegerFilter(**YEARS, label="The academic year the pupil was in Year 7.")
    registration_group = F.CharFilter(lookup_expr="iexact")
    fsm = F.BooleanFilter()
    disadvantaged = F.BooleanFilter()
    send = F.ChoiceFilter(choices=Learner.SEND.choices)

    def filter_year_group(self, queryset, name, value):
        return queryset.filter(cohort=cohort_for(int(value), timezone.localdate()))


class ExperienceFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        method="filter_changed_since",
        label="Only experiences that changed, or whose pupils' attendance, feedback or "
        f"reflections changed, at or after this moment {UPDATED_SINCE}",
    )
    starts_after = F.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = F.DateFilter(field_name="start_date", lookup_expr="lte")
    kind = F.ChoiceFilter(choices=Experience.Kind.choices)
    setting = F.ChoiceFilter(choices=Experience.Setting.choices)
    tier = IntegerFilter(min_value=1, max_value=3)
    academic_year = IntegerFilter(**YEARS)

    def filter_changed_since(self, queryset, name, value):
        # An experience has changed when it or any pupil's part in it (attendance,
        # feedback, reflection) has.
        touched = Participation.objects.filter(experience=OuterRef("pk"), updated_at__gte=value)
        return queryset.filter(Q(updated_at__gte=value) | Exists(touched))


class ReportFilter(F.FilterSet):
    kind = F.ChoiceFilter(choices=ReportRun.Kind.choices)
    status = F.ChoiceFilter(choices=ReportRun.Status.choices)
    school = id_filter("school_id")
    as_at = F.DateFilter()


class OpportunityFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        label=f"Only opportunities changed at or after this moment {UPDATED_SINCE}",
    )
    status = F.ChoiceFilter(choices=Opportunity.Status.choices)
    sector = id_filter("sector_id")
    employer = id_filter("employer_id")
    tier = IntegerFilter(min_value=1, max_value=3)
    starts_after = F.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = F.DateFilter(field_name="start_date", lookup_expr="lte")


class NominationFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        label=f"Only nominations changed at or after this moment {UPDATED_SINCE}",
    )
    opportunity = id_filter("opportunity_id")
    status = F.ChoiceFilter(choices=Nomination.Status.choices)


class ReflectionFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        label=f"Only reflections written or changed at or after this moment {UPDATED_SINCE}",
    )
    pupil = id_filter("learner_id", label="One pupil's, by id.")
    hidden = F.BooleanFilter(field_name="hidden_at", lookup_expr="isnull", exclude=True)


class SkillRatingFilter(F.FilterSet):
    pupil = id_filter("learner_id", label="One pupil's, by id.")
    rater = F.ChoiceFilter(choices=SkillRating.Rater.choices)
    moment = F.ChoiceFilter(choices=SkillRating.Moment.choices)
    rated_since = F.DateFilter(field_name="rated_on", lookup_expr="gte")


class ProgrammePlanFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        label="Only plans changed (their details, status or an activity saved) at or after "
        f"this moment {UPDATED_SINCE}",
    )
    status = F.ChoiceFilter(choices=ProgrammePlan.Status.choices)
    template = F.BooleanFilter(
        field_name="school",
        lookup_expr="isnull",
        label="true: only the hub's templates; false: only schools' plans.",
    )
    school = id_filter("school_id")
    cohort = IntegerFilter(**YEARS, label="The academic year the cohort was in Year 7.")


class PlannedActivityFilter(F.FilterSet):
    updated_since = UpdatedSinceFilter(
        field_name="updated_at",
        label=f"Only activities changed at or after this moment {UPDATED_SINCE}",
    )
    plan = id_filter("plan_id", label="One plan's, by id.")
    year_group = IntegerFilter(min_value=7, max_value=11)
    term = F.ChoiceFilter(choices=Term.choices)
    tier = IntegerFilter(min_value=1, max_value=3)
    kind = F.ChoiceFilter(choices=Experience.Kind.choices)
    audience = F.ChoiceFilter(choices=PlannedActivity.Audience.choices)
