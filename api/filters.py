"""Query filters, each declared by hand: django-filter's Meta.fields would build a query on
the model's default manager when the class is defined, outside any request and so outside
any scope (the scoped manager rightly refuses). Related rows are filtered by id."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from employers.models import Employer, Nomination, Opportunity
from learners.academic import cohort_for
from learners.models import Experience, Learner, Participation
from reports.models import ReportRun
from schools.models import School

F = django_filters


class SchoolFilter(F.FilterSet):
    hub = F.NumberFilter(field_name="hub_id")
    trust = F.NumberFilter(field_name="trust_id")
    type = F.ChoiceFilter(choices=School.Type.choices)
    local_authority = F.CharFilter(lookup_expr="iexact")


class EmployerFilter(F.FilterSet):
    sector = F.NumberFilter(field_name="sector_id")
    size_band = F.ChoiceFilter(choices=Employer.SizeBand.choices)


class PupilFilter(F.FilterSet):
    updated_since = F.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Only pupils changed at or after this moment (ISO 8601); send the previous "
        "sync's `as_of`.",
    )
    upn = F.CharFilter(lookup_expr="iexact")
    year_group = F.NumberFilter(method="filter_year_group", label="Year group today (7-13).")
    cohort = F.NumberFilter()
    registration_group = F.CharFilter(lookup_expr="iexact")
    fsm = F.BooleanFilter()
    disadvantaged = F.BooleanFilter()
    send = F.ChoiceFilter(choices=Learner.SEND.choices)

    def filter_year_group(self, queryset, name, value):
        return queryset.filter(cohort=cohort_for(int(value), timezone.localdate()))


class ExperienceFilter(F.FilterSet):
    updated_since = F.IsoDateTimeFilter(
        method="filter_changed_since",
        label="Only experiences that changed, or whose pupils' attendance, feedback or "
        "reflections changed, at or after this moment (ISO 8601).",
    )
    starts_after = F.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = F.DateFilter(field_name="start_date", lookup_expr="lte")
    kind = F.ChoiceFilter(choices=Experience.Kind.choices)
    setting = F.ChoiceFilter(choices=Experience.Setting.choices)
    tier = F.NumberFilter()
    academic_year = F.NumberFilter()

    def filter_changed_since(self, queryset, name, value):
        # An experience has changed when it or any pupil's part in it (attendance,
        # feedback, reflection) has.
        touched = Participation.objects.filter(experience=OuterRef("pk"), updated_at__gte=value)
        return queryset.filter(Q(updated_at__gte=value) | Exists(touched))


class ReportFilter(F.FilterSet):
    kind = F.ChoiceFilter(choices=ReportRun.Kind.choices)
    status = F.ChoiceFilter(choices=ReportRun.Status.choices)
    school = F.NumberFilter(field_name="school_id")
    as_at = F.DateFilter()


class OpportunityFilter(F.FilterSet):
    updated_since = F.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    status = F.ChoiceFilter(choices=Opportunity.Status.choices)
    sector = F.NumberFilter(field_name="sector_id")
    employer = F.NumberFilter(field_name="employer_id")
    tier = F.NumberFilter()
    starts_after = F.DateFilter(field_name="start_date", lookup_expr="gte")
    starts_before = F.DateFilter(field_name="start_date", lookup_expr="lte")


class NominationFilter(F.FilterSet):
    updated_since = F.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")
    opportunity = F.NumberFilter(field_name="opportunity_id")
    status = F.ChoiceFilter(choices=Nomination.Status.choices)
