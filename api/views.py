"""API endpoints. Each declares the capability of each action; querysets come from
selectors or the scoped managers, so a row of another tenant is never even found."""

from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from access.audit import audit_many, audit_rows
from access.models import AuditEvent
from access.roles import Role
from employers import services as employer_services
from employers.models import Employer, Nomination, Opportunity
from employers.selectors import employer_list, nominations_shared, opportunity_list
from equalex.rows import driver_typed
from hubs.models import Hub, Sector
from hubs.selectors import actor_hub
from learners import services as learner_services
from learners.duplicates import LikelyDuplicate
from learners.models import Experience, Learner, Participation, SkillRating
from learners.progress import ProgressRules, with_progress
from learners.pupil_csv import pupil_import_apply, pupil_records_preview
from learners.selectors import school_progress_summary
from outcomes.selectors import current_framework
from programmes.models import PlannedActivity, ProgrammePlan
from programmes.selectors import plan_overview
from pupils.models import Reflection
from reports.models import ReportRun
from reports.selectors import national_hub_totals, national_hub_totals_live
from reports.services import report_request
from schools.models import School, Trust

from . import filters
from . import serializers as s
from .base import ScopedAPIView, ScopedViewSet
from .errors import LikelyDuplicateSerializer

AS_AT = OpenApiParameter(
    "as_at",
    OpenApiTypes.DATE,
    description="Progress as at this date (default: today), from 2000-01-01 to 2099-12-31.",
)


# Progress is computed per cohort from the date; outside these years it means nothing (and
# the pro-rata arithmetic would leave the calendar).
AS_AT_RANGE = (date(2000, 1, 1), date(2099, 12, 31))


def _as_at(request) -> date:
    field = serializers.DateField(
        validators=[MinValueValidator(AS_AT_RANGE[0]), MaxValueValidator(AS_AT_RANGE[1])]
    )
    raw = request.query_params.get("as_at")
    if not raw:
        return timezone.localdate()
    try:
        return field.run_validation(raw)
    except serializers.ValidationError as error:
        raise serializers.ValidationError({"as_at": error.detail}) from error


class DirectoryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Organisations and reference lists: each role sees the rows its scope allows."""

    capabilities = {"list": "directory.view", "retrieve": "directory.view"}
    ordering_fields = ["id", "name"]


class HubViewSet(DirectoryViewSet):
    model = Hub
    serializer_class = s.HubSerializer

    def scoped_queryset(self):
        return Hub.objects.prefetch_related("growth_sectors")


class TrustViewSet(DirectoryViewSet):
    model = Trust
    serializer_class = s.TrustSerializer

    def scoped_queryset(self):
        return Trust.objects.all()


class SchoolViewSet(DirectoryViewSet):
    model = School
    capabilities = {**DirectoryViewSet.capabilities, "progress": "progress.view"}
    serializer_class = s.SchoolSerializer
    filterset_class = filters.SchoolFilter

    def scoped_queryset(self):
        return School.objects.all()

    @extend_schema(parameters=[AS_AT], responses=s.SchoolProgressSerializer)
    @action(detail=True)
    def progress(self, request, pk=None):
        """Per year group on track / behind and weeks met, and Compass Q1-Q4."""
        school = self.get_object()
        as_at = _as_at(request)
        summary = school_progress_summary(actor=self.actor, school_id=school.pk, as_at=as_at)
        data = {
            "school": school.pk,
            "as_at": as_at,
            "year_groups": summary["rows"],
            "compass": [
                {"code": a.code, "question": a.question, "band": a.band}
                | {"numerator": a.numerator, "denominator": a.denominator}
                for a in summary["compass"]
            ],
        }
        return Response(s.SchoolProgressSerializer(data).data)


class EmployerViewSet(DirectoryViewSet):
    model = Employer
    serializer_class = s.EmployerSerializer
    filterset_class = filters.EmployerFilter

    def scoped_queryset(self):
        return employer_list(actor=self.actor)


class SectorViewSet(DirectoryViewSet):
    model = Sector
    serializer_class = s.SectorSerializer

    def scoped_queryset(self):
        return Sector.objects.all()


class FrameworkView(ScopedAPIView):
    """The current equalex framework: tiers, outcomes, objectives and meaningful criteria."""

    capabilities = {"get": "framework.view"}

    @extend_schema(responses=s.FrameworkSerializer)
    def get(self, request):
        return Response(s.FrameworkSerializer(current_framework()).data)


class PupilViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Named pupils of the token's school. Every read is audited."""

    model = Learner

    capabilities = {
        "list": "pupil.view_named",
        "retrieve": "pupil.view_named",
        "bulk_upsert": "pupil.import",
        "progress": "progress.view",
    }
    serializer_class = s.PupilSerializer
    filterset_class = filters.PupilFilter
    ordering_fields = ["id", "updated_at", "surname", "cohort"]

    def scoped_queryset(self):
        return Learner.objects.all()

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_many(self.actor, AuditEvent.Action.VIEW, self._page)
        return response

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    def retrieve(self, request, *args, **kwargs):
        pupil = self.get_object()
        audit_many(self.actor, AuditEvent.Action.VIEW, [pupil])
        return Response(self.get_serializer(pupil).data)

    @extend_schema(parameters=[AS_AT], responses=s.PupilProgressSerializer)
    @action(detail=True)
    def progress(self, request, pk=None):
        """This pupil's ten-day progress as at a date: the figures of /progress/pupils/ (the
        same serializer), every figure of the pupil's timeline page. Audited."""
        as_at = _as_at(request)
        pupil = pupils_with_progress(self.actor, self.get_queryset(), as_at).get(pk=pk)
        audit_rows(self.actor, AuditEvent.Action.VIEW, Learner, [pupil])
        return Response(s.PupilProgressSerializer(pupil, context={"as_at": as_at}).data)

    @extend_schema(
        request=s.PupilUpsertSerializer,
        responses={200: s.PupilUpsertResultSerializer},
        description="Create or update pupils by UPN, all or nothing: any bad record and "
        "nothing is saved; every problem comes back with its record's index "
        "(`pupils.3.upn`). Same rules as the CSV import: a UPN on another school's roll does "
        "not move the pupil; that school is asked to release them (`awaiting_release`), "
        "unless it recorded them as left, when they move here at once (`moved`).",
    )
    @action(detail=False, methods=["post"], url_path="bulk-upsert")
    def bulk_upsert(self, request):
        payload = s.PupilUpsertSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        records = [
            {key: _as_text(value) for key, value in record.items()}
            for record in payload.validated_data["pupils"]
        ]
        school_id = self.actor.school_id
        preview = pupil_records_preview(actor=self.actor, school_id=school_id, records=records)
        if preview.problems:
            errors = [{} for _ in records]
            for problem in preview.problems:
                errors[problem.line]["upn"] = [problem.message]
            raise serializers.ValidationError({"pupils": errors})
        result = pupil_import_apply(actor=self.actor, school_id=school_id, rows=preview.rows)
        return Response(s.PupilUpsertResultSerializer(result).data)


def _as_text(value) -> str:
    if value is None:  # left_on: null, on the roll
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


class PupilProgressViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Each pupil's ten-day progress as at a date, computed by the same rules as the pages
    and reports: every figure of the pupil's timeline page. Reads are audited (they name
    pupils by UPN)."""

    model = Learner
    capabilities = {"list": "progress.view"}
    serializer_class = s.PupilProgressSerializer
    filter_backends = [filters.FilterBackend]
    filterset_class = filters.PupilFilter

    def scoped_queryset(self):
        return pupils_with_progress(self.actor, Learner.objects.all(), self._as_at())

    def _as_at(self):
        if not hasattr(self, "_as_at_value"):
            self._as_at_value = _as_at(self.request)
        return self._as_at_value

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "as_at": self._as_at()}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        audit_rows(self.actor, AuditEvent.Action.VIEW, Learner, page)
        return page

    @extend_schema(parameters=[AS_AT])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


class LikelyDuplicateError(exceptions.APIException):
    """409 in the API's error shape, naming the experiences it duplicates (best match
    first): {"type": "client_error", "errors": [{"code": "likely_duplicate", ...}],
    "existing_experience": 123, "existing_experiences": [123]}."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "likely_duplicate"

    def __init__(self, duplicate: LikelyDuplicate):
        super().__init__(duplicate.messages[0])
        ids = [match.experience_id for match in duplicate.matches]
        self.extra_body = {"existing_experience": ids[0], "existing_experiences": ids}


def pupils_with_progress(actor, pupils, as_at: date):
    """Pupils (a scoped queryset) with every figure the timeline page shows, as at a date,
    as rows of PupilProgressSerializer.row_names(): one query, whatever the number of
    pupils."""
    hub = actor_hub(actor=actor)
    if hub is None:
        raise Hub.DoesNotExist("The token's hub is out of its scope.")
    rules = ProgressRules.for_hub(hub)
    progress = with_progress(pupils, rules=rules, as_at=as_at, variety=True)
    return driver_typed(progress.values(*s.PupilProgressSerializer.row_names()))


class ExperienceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ScopedViewSet,
):
    """Experiences of the token's school with every pupil's part in them."""

    model = Experience

    capabilities = {
        "list": "progress.view",
        "retrieve": "progress.view",
        "create": "experience.log",
        "update": "experience.log",
        "partial_update": "experience.log",
        "destroy": "experience.delete",
    }
    serializer_class = s.ExperienceSerializer
    filterset_class = filters.ExperienceFilter
    ordering_fields = ["id", "start_date", "updated_at"]

    def scoped_queryset(self):
        return Experience.objects.prefetch_related(
            Prefetch("participations", queryset=Participation.objects.order_by("learner_id")),
            "employers",
            "sectors",
            "objectives",
        )

    @extend_schema(
        responses={
            201: s.ExperienceSerializer,
            409: OpenApiResponse(
                LikelyDuplicateSerializer,
                description="A likely duplicate of an experience already logged: same day, "
                "same kind or title, some of the same pupils. Nothing was saved; resend with "
                '`"allow_duplicate": true` if it is a separate event.',
            ),
        }
    )
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        allow_duplicate = data.pop("allow_duplicate", False)
        try:
            experience = learner_services.experience_log(
                actor=self.actor, allow_duplicate=allow_duplicate, **_experience_args(data)
            )
        except LikelyDuplicate as duplicate:
            raise LikelyDuplicateError(duplicate) from duplicate
        serializer.instance = experience  # with what was saved (experience_log's prefetch)

    def perform_update(self, serializer):
        data = serializer.validated_data
        data.pop("allow_duplicate", None)  # only a new experience is checked
        if "pupils" not in data:
            data["pupils"] = [p.learner_id for p in serializer.instance.participations.all()]
        arguments = _experience_args(data)
        learner_services.experience_update(
            actor=self.actor,
            experience_id=serializer.instance.pk,
            pupil_ids=arguments.pop("pupil_ids"),
            **arguments,
        )
        serializer.instance = self.scoped_queryset().get(pk=serializer.instance.pk)

    def perform_destroy(self, instance):
        learner_services.experience_delete(actor=self.actor, experience_id=instance.pk)


def _experience_args(data: dict) -> dict:
    renamed = {"pupils": "pupil_ids", "employers": "employer_ids", "sectors": "sector_ids"}
    renamed["objectives"] = "objective_ids"
    return {renamed.get(name, name): value for name, value in data.items()}


REPORT_KIND_CAPABILITY = {
    ReportRun.Kind.SCHOOL_B6: "report.school",
    ReportRun.Kind.COHORT_CSV: "report.pupil",
    ReportRun.Kind.PUPIL_RECORD: "report.pupil",
    ReportRun.Kind.HUB_DASHBOARD: "report.hub",
}


class ReportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Reports: POST asks for one (202, with its status URL in Location); poll it until
    `status` is done, then follow `downloads`."""

    model = ReportRun

    capabilities = {
        "list": "report.school",
        "retrieve": "report.school",
        "create": "report.school",
        "download": "report.school",
    }
    serializer_class = s.ReportSerializer
    filterset_class = filters.ReportFilter
    ordering_fields = ["id", "requested_at", "as_at"]

    def scoped_queryset(self):
        return ReportRun.objects.all()

    @extend_schema(request=s.ReportRequestSerializer, responses={202: s.ReportSerializer})
    def create(self, request, *args, **kwargs):
        wanted = s.ReportRequestSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        if not self.actor.can(REPORT_KIND_CAPABILITY[data["kind"]]):
            raise serializers.ValidationError({"kind": "You cannot ask for this kind of report."})
        run = report_request(
            actor=self.actor,
            kind=data["kind"],
            as_at=data.get("as_at") or timezone.localdate(),
            school_id=data.get("school"),
            pupil_id=data.get("pupil"),
            year_group=data.get("year_group"),
        )
        location = reverse("api:report-detail", kwargs={"pk": run.pk})
        return Response(
            self.get_serializer(run).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": request.build_absolute_uri(location)},
        )

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY),
            (200, "application/json"): OpenApiResponse(OpenApiTypes.OBJECT),
        }
    )
    @action(detail=True, url_path=r"download/(?P<output>json|csv|pdf)")
    def download(self, request, pk=None, output=None):
        """A finished report's output: its JSON summary, CSV or PDF."""
        run = self.get_object()
        if run.status != ReportRun.Status.DONE:
            raise Http404
        if output == "json":
            return JsonResponse(run.summary or {})
        field = {"pdf": run.pdf, "csv": run.csv}[output]
        if not field:
            raise Http404
        name = f"{run.kind}-{run.as_at:%Y-%m-%d}.{output}"
        return FileResponse(field.open("rb"), as_attachment=True, filename=name)


class NationalView(ScopedAPIView):
    """Each hub's totals, live as at today (or, with reading=latest, from each hub's latest
    built reading by as-at date): nothing below hub level."""

    capabilities = {"get": "report.national"}

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "reading",
                str,
                enum=["live", "latest"],
                description="live (default): counted now, as at today. latest: each hub's "
                "latest built dashboard by as-at date (formal Compass readings).",
            )
        ],
        responses=s.NationalHubSerializer(many=True),
    )
    def get(self, request):
        reading = request.query_params.get("reading", "live")
        if reading not in ("live", "latest"):
            raise serializers.ValidationError({"reading": "Choose live or latest."})
        select = national_hub_totals if reading == "latest" else national_hub_totals_live
        rows = select(actor=self.actor)
        return Response(s.NationalHubSerializer(rows, many=True).data)


class MeView(ScopedAPIView):
    """Who the API thinks you are: your role, organisation and token."""

    capabilities = {"get": "home.view"}

    @extend_schema(responses=s.MeSerializer)
    def get(self, request):
        actor, token = self.actor, request.auth
        data = {
            "user": request.user.email,
            "role": actor.role.value if actor.role else None,
            "hub": actor.hub_id,
            "school": actor.school_id,
            "trust": actor.trust_id,
            "trust_schools": list(actor.trust_school_ids),
            "trust_schools_sharing_pupils": list(actor.trust_named_pupil_school_ids),
            "employer": actor.employer_id,
            "token": {"name": token.name, "read_only": token.read_only}
            if hasattr(token, "read_only")
            else None,
        }
        return Response(s.MeSerializer(data).data)


class NoPlaceLeftError(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "no_place_left"


class OpportunityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Opportunities: an employer's own (drafts included) or those offered to your hub."""

    model = Opportunity
    capabilities = {
        "list": "opportunity.view",
        "retrieve": "opportunity.view",
        "create": "opportunity.manage",
        "publish": "opportunity.manage",
        "close": "opportunity.manage",
        "allocation_run": "nomination.decide",
    }
    serializer_class = s.OpportunitySerializer
    filterset_class = filters.OpportunityFilter
    ordering_fields = ["id", "start_date", "updated_at"]

    def scoped_queryset(self):
        return opportunity_list(actor=self.actor)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        sector = data.pop("sector", None)
        opportunity = employer_services.opportunity_create(
            actor=self.actor,
            hub_ids=data.pop("visible_to_hubs"),
            objective_ids=data.pop("objectives"),
            sector_id=sector.pk if sector else None,
            **data,
        )
        serializer.instance = self.scoped_queryset().get(pk=opportunity.pk)

    @extend_schema(request=None, responses=s.OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Offer a draft to its hubs' schools; refused while a hub's safety check is
        missing or expires before the first day."""
        employer_services.opportunity_publish(actor=self.actor, opportunity=self.get_object())
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=s.OpportunitySerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """No more nominations; places already held stay held."""
        employer_services.opportunity_close(actor=self.actor, opportunity=self.get_object())
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=s.AllocationRunSerializer)
    @action(detail=True, methods=["post"], url_path="allocation-run")
    def allocation_run(self, request, pk=None):
        """Offer the free places to waiting nominations in the fair order (disadvantaged and
        SEND pupils, then those furthest behind, then sector interest). The school sees
        why; the employer sees how many."""
        decisions = employer_services.allocation_run(
            actor=self.actor, opportunity=self.get_object()
        )
        offered = sum(1 for decision in decisions if decision.offered)
        return Response({"offered": offered, "not_offered": len(decisions) - offered})


class NominationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, ScopedViewSet
):
    """Nominations. Schools see their own with the allocation's reasons; employers see only
    a nominated pupil's first name, year group and the support needs the school shared."""

    model = Nomination
    capabilities = {
        "list": "nomination.view",
        "retrieve": "nomination.view",
        "create": "opportunity.nominate",
        "allocate": "nomination.decide",
        "decide": "nomination.decide",
    }
    filterset_class = filters.NominationFilter
    ordering_fields = ["id", "updated_at"]

    def scoped_queryset(self):
        if self.actor.role == Role.EMPLOYER:
            return nominations_shared(actor=self.actor)
        return Nomination.objects.all()

    def get_serializer_class(self):
        if getattr(self, "swagger_fake_view", False) or self.actor.role != Role.EMPLOYER:
            return s.SchoolNominationSerializer
        return s.SharedNominationSerializer

    @extend_schema(
        request=s.NominationRequestSerializer,
        responses={201: s.SchoolNominationSerializer(many=True)},
    )
    def create(self, request, *args, **kwargs):
        wanted = s.NominationRequestSerializer(data=request.data)
        wanted.is_valid(raise_exception=True)
        data = wanted.validated_data
        opportunity = Opportunity.objects.get(pk=data["opportunity"])
        created = employer_services.nomination_create(
            actor=self.actor,
            opportunity=opportunity,
            learners=Learner.objects.filter(pk__in=data["pupils"]).only("pk"),
            shared_support_needs={int(k): v for k, v in data["shared_support_needs"].items()},
            interested_in_sector=data["interested_in_sector"],
        )
        body = s.SchoolNominationSerializer(created, many=True).data
        return Response(body, status=status.HTTP_201_CREATED)

    def _decided(self, decide):
        nomination = Nomination.objects.get(pk=self.kwargs["pk"])  # 404 before anything else
        try:
            decide(nomination)
        except employer_services.NoPlaceLeft as full:
            raise NoPlaceLeftError(full.messages[0]) from full
        return Response(self.get_serializer(self.get_queryset().get(pk=nomination.pk)).data)

    @extend_schema(
        request=None, responses={200: s.SharedNominationSerializer, 409: OpenApiTypes.OBJECT}
    )
    @action(detail=True, methods=["post"])
    def allocate(self, request, pk=None):
        """Offer this pupil a place; 409 when every place is taken."""
        return self._decided(
            lambda n: employer_services.place_allocate(actor=self.actor, nomination=n)
        )

    @extend_schema(
        request=s.NominationDecisionSerializer,
        responses={200: s.SharedNominationSerializer, 409: OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        """Accept (taking a place if the pupil holds none) or decline with a reason."""
        Nomination.objects.get(pk=pk)  # another employer's nomination is 404, whatever the body
        decision = s.NominationDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        return self._decided(
            lambda n: employer_services.nomination_decide(
                actor=self.actor, nomination=n, **decision.validated_data
            )
        )


class ReflectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Pupils' reflections on their experiences, in their own words (M7 evidence): read by
    the school's staff and their integrations; only the pupil writes them, on their pages.
    Every read is audited."""

    model = Reflection
    capabilities = {"list": "reflection.view", "retrieve": "reflection.view"}
    serializer_class = s.ReflectionSerializer
    filterset_class = filters.ReflectionFilter
    ordering_fields = ["id", "updated_at"]

    def scoped_queryset(self):
        return Reflection.objects.select_related("participation").order_by("pk")

    def get_serializer_context(self):
        from outcomes.models import Skill

        return {**super().get_serializer_context(), "skill_names": _skill_names(Skill)}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        audit_many(self.actor, AuditEvent.Action.VIEW, [r for r in self._page if not r.hidden])
        return response

    def paginate_queryset(self, queryset):
        self._page = super().paginate_queryset(queryset)
        return self._page

    def retrieve(self, request, *args, **kwargs):
        reflection = self.get_object()
        if not reflection.hidden:
            audit_many(self.actor, AuditEvent.Action.VIEW, [reflection])
        return Response(self.get_serializer(reflection).data)


def _skill_names(skill_model) -> dict[int, str]:
    return dict(skill_model.objects.values_list("pk", "name"))


class SkillRatingViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Skills Builder ratings of the school's pupils: their own before and after each
    experience (pupils/), a teacher's and an employer's."""

    model = SkillRating
    capabilities = {"list": "reflection.view"}
    serializer_class = s.SkillRatingSerializer
    filterset_class = filters.SkillRatingFilter
    ordering_fields = ["id", "rated_on"]

    def scoped_queryset(self):
        return SkillRating.objects.select_related("skill").order_by("pk")


class ProgrammePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Programme plans, read only. A school's token: its plans for its cohorts (drafts only
    to its careers leaders) and its hub's published templates. A hub lead's: the hub's
    templates (drafts included) and its schools' published plans. A plan names no pupil:
    its activities say who takes part by a rule."""

    model = ProgrammePlan
    capabilities = dict.fromkeys(("list", "retrieve", "coverage"), "programme.view")
    serializer_class = s.ProgrammePlanSerializer
    filterset_class = filters.ProgrammePlanFilter
    ordering_fields = ["id", "updated_at", "cohort"]

    def scoped_queryset(self):
        return ProgrammePlan.objects.annotate(activity_count=Count("activities")).order_by("pk")

    @extend_schema(responses=s.PlanCoverageSerializer)
    @action(detail=True)
    def coverage(self, request, pk=None):
        """The plan against the current framework, as the plan page shows it: which
        objectives its activities target and in which year groups, which were delivered (an
        experience logged against one of those activities), and whether its tiers progress
        from Tier 1 to Tier 3. Totals only: nothing about any pupil."""
        plan = self.get_object()
        overview = plan_overview(
            actor=self.actor, plan=plan, as_at=timezone.localdate(), with_pupils=False
        )
        data = s.plan_coverage_data(plan, overview.coverage, overview.progression)
        return Response(s.PlanCoverageSerializer(data).data)


class PlannedActivityViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """The activities of the plans you read (see /plans/), read only; `plan` filters one
    plan's."""

    model = PlannedActivity
    capabilities = {"list": "programme.view", "retrieve": "programme.view"}
    serializer_class = s.PlannedActivitySerializer
    filterset_class = filters.PlannedActivityFilter
    ordering_fields = ["id", "updated_at"]

    def scoped_queryset(self):
        return PlannedActivity.objects.prefetch_related(
            "objectives", "sectors", "employers"
        ).order_by("pk")
