"""What the API says about each thing. Serializers only shape data: reads come from
selectors (already prefetched), writes go to services."""

import functools
import itertools
import operator
from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from employers.models import Employer, Nomination, Opportunity
from hubs.models import Hub, Sector
from learners.academic import YEAR_GROUPS, year_group_on
from learners.models import Experience, Learner, Participation, SkillRating
from learners.progress import DESIGN_CRITERIA, days
from learners.services import duration_to_hours
from outcomes.models import Framework, MeaningfulCriterion, Objective, Outcome, Tier
from programmes.models import PlannedActivity, ProgrammePlan
from reports.models import ReportRun
from schools.models import School, Trust

from .base import ApiModelSerializer, ApiSerializer
from .datetimes import UtcDateTimeField

YEAR_GROUP_CHOICES = [(year, f"Year {year}") for year in YEAR_GROUPS]


class SectorSerializer(ApiModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "slug"]


class HubSerializer(ApiModelSerializer):
    class Meta:
        model = Hub
        fields = ["id", "name", "region", "growth_sectors", "meaningful_criteria"]
        fields += ["ks3_virtual_cap_days"]


class TrustSerializer(ApiModelSerializer):
    class Meta:
        model = Trust
        fields = ["id", "name"]


class SchoolSerializer(ApiModelSerializer):
    class Meta:
        model = School
        fields = ["id", "urn", "name", "type", "local_authority", "fsm_percent", "hub", "trust"]


class EmployerSerializer(ApiModelSerializer):
    class Meta:
        model = Employer
        fields = ["id", "name", "companies_house_number", "size_band", "is_sme", "sector"]
        fields += ["postcode"]


# The framework, nested as it reads: tiers > outcomes > objectives, with the criteria.
class ObjectiveSerializer(ApiModelSerializer):
    class Meta:
        model = Objective
        fields = ["id", "code", "text"]


class OutcomeSerializer(ApiModelSerializer):
    objectives = ObjectiveSerializer(many=True)

    class Meta:
        model = Outcome
        fields = ["id", "code", "name", "description", "objectives"]


class TierSerializer(ApiModelSerializer):
    outcomes = OutcomeSerializer(many=True)

    class Meta:
        model = Tier
        fields = ["id", "code", "level", "name", "outcomes"]


class CriterionSerializer(ApiModelSerializer):
    class Meta:
        model = MeaningfulCriterion
        fields = ["code", "text"]


class FrameworkSerializer(ApiModelSerializer):
    tiers = TierSerializer(many=True)
    criteria = CriterionSerializer(many=True)

    class Meta:
        model = Framework
        fields = ["version", "name", "publisher", "note", "tiers", "criteria"]


class PupilSerializer(ApiModelSerializer):
    year_group = serializers.SerializerMethodField()

    class Meta:
        model = Learner
        fields = ["id", "upn", "legal_first_name", "preferred_first_name", "surname"]
        fields += ["year_group", "cohort", "registration_group", "fsm", "disadvantaged"]
        fields += ["send", "looked_after", "school", "left_on", "pseudonymised_on"]
        fields += ["updated_at"]

    def get_year_group(self, pupil) -> int:
        return year_group_on(pupil.cohort, timezone.localdate())


class PupilRecordSerializer(ApiSerializer):
    """One pupil as the MIS holds them; the same columns and rules as the CSV import."""

    upn = serializers.CharField(max_length=13)
    legal_first_name = serializers.CharField(max_length=100)
    preferred_first_name = serializers.CharField(
        max_length=100, required=False, allow_blank=True, default=""
    )
    surname = serializers.CharField(max_length=100)
    year_group = serializers.ChoiceField(choices=YEAR_GROUP_CHOICES)
    registration_group = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )
    fsm = serializers.BooleanField(default=False)
    disadvantaged = serializers.BooleanField(default=False)
    send = serializers.ChoiceField(choices=Learner.SEND.choices, default=Learner.SEND.NONE)
    looked_after = serializers.BooleanField(default=False)
    left_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day the pupil left the school, if they have; null says they are on "
        "its roll. Leave it out to keep what is recorded.",
    )


class PupilUpsertSerializer(ApiSerializer):
    pupils = PupilRecordSerializer(many=True, allow_empty=False, max_length=5000)


class PupilUpsertResultSerializer(ApiSerializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    moved = serializers.IntegerField(
        help_text="Pupils who joined at once from a school that had recorded them as left."
    )
    awaiting_release = serializers.SerializerMethodField(
        help_text="How many pupils sent are on another school's roll: that school has been "
        "asked to release them, and nothing of theirs changed."
    )
    awaiting_release_upns = serializers.ListField(
        source="awaiting_release",
        child=serializers.CharField(),
        help_text="The UPNs, as you sent them, of the pupils awaiting release.",
    )

    def get_awaiting_release(self, result) -> int:
        return len(result.awaiting_release)


class DaysField(serializers.DecimalField):
    """Hours in the database, days (of five hours) on the wire."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=8, decimal_places=2, read_only=True, **kwargs)

    def to_representation(self, value):
        return super().to_representation(days(value))


@functools.lru_cache(maxsize=4096)
def _days_text(hours) -> str:
    """DaysField's output for a number of hours. A page of 1,000 pupils has 14,000 of
    them but only a few hundred distinct values (hours come in halves), and the decimal
    arithmetic was a fifth of the page's time."""
    return f"{days(hours):f}"


def _days_reader(source: str):
    def read(row):
        return _days_text(row[source])

    return read


def _days(source: str, counts: str) -> DaysField:
    return DaysField(source=source, help_text=f"Days (of 5 hours): {counts}")


def _count(counts: str) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, help_text=counts)


def _verdict(meaning: str) -> serializers.BooleanField:
    return serializers.BooleanField(read_only=True, help_text=meaning)


class TierListField(serializers.ListField):
    """The tiers (1-3) of the experiences a pupil attended, from reached_t1..t3 annotations
    with the given prefix (`ks3_`, `ks4_` or none for any year group)."""

    # Every answer there can be, by which of the three tiers were reached: a page of 1,000
    # pupils reads 4,000 tier lists, and building each afresh was a tenth of its time. The
    # lists are shared between rows, so nothing may change them after this.
    ANSWERS = {
        reached: [tier for tier, yes in zip((1, 2, 3), reached, strict=True) if yes]
        for reached in itertools.product((False, True), repeat=3)
    }

    def __init__(self, *, stage: str = "", **kwargs):
        self.stage = stage
        self.tier_names = [(tier, f"{stage}reached_t{tier}") for tier in (1, 2, 3)]
        self._reached = operator.itemgetter(*(name for _, name in self.tier_names))
        child = serializers.IntegerField(min_value=1, max_value=3)
        super().__init__(child=child, read_only=True, **kwargs)

    def get_attribute(self, pupil):
        return self.ANSWERS[tuple(map(bool, self._reached(pupil)))]


PROGRESS_STATUSES = ["ten_days_met", "behind", "on_track"]
DEPRECATED_PROGRESS_FIELDS = [
    "ks3_days",
    "ks3_virtual_days",
    "ks4_days",
    "ks4_placement_days",
    "total_days",
    "reached_tiers",
]


# Fields whose representation of a values() row's value is the value itself: an int, a bool
# (Django's converters make SQLite's 0 and 1 booleans) or a str.
AS_THEY_ARE = (serializers.IntegerField, serializers.BooleanField, serializers.CharField)


@extend_schema_serializer(deprecate_fields=DEPRECATED_PROGRESS_FIELDS)
class PupilProgressSerializer(ApiModelSerializer):
    """A pupil's ten-day progress as at `as_at`: every figure the pupil's timeline page
    shows, from learners.progress.with_progress (the one implementation). Days are counted
    days (meaningful by the hub's criteria, attended, in a setting that counts: not in
    school), credited to the key stage of the pupil's year group on the day. The deprecated
    names stay for one release: use the `_counted` / `_logged` / `_uncapped` names, which
    say what they count."""

    pupil = serializers.IntegerField(source="pk", read_only=True, help_text="The pupil's id.")
    upn = serializers.CharField(read_only=True, help_text="The pupil's UPN.")
    school = serializers.IntegerField(
        source="school_id", read_only=True, help_text="The id of the pupil's school."
    )
    year_group = serializers.SerializerMethodField(
        help_text="The pupil's year group (7-13) on `as_at`."
    )
    as_at = serializers.SerializerMethodField(
        help_text="The date the figures are as at: experiences after it are not counted."
    )
    ks3_in_person_days = _days(
        "ks3_in_person_hours", "counted days in Years 7-9 that were not virtual."
    )
    ks3_virtual_days_logged = _days(
        "ks3_virtual_hours", "counted virtual days in Years 7-9, all of them (not capped)."
    )
    ks3_virtual_days_counted = _days(
        "ks3_virtual_counted_hours",
        "the virtual days of Years 7-9 that count toward the KS3 week: "
        "ks3_virtual_days_logged capped at the hub's virtual cap (2.5 days by default).",
    )
    ks3_days_counted = _days(
        "ks3_hours",
        "days toward the KS3 week: ks3_in_person_days + ks3_virtual_days_counted.",
    )
    ks3_expected_days = _days(
        "ks3_expected_hours",
        "the pro-rata share of the KS3 week's 5 days for the part of Years 7-9 elapsed by "
        "`as_at` (5 once Year 9 is over); fewer ks3_days_counted during KS3 is behind.",
    )
    ks4_days_counted = _days(
        "ks4_hours", "counted days in Years 10-11 of any kind (placements or not)."
    )
    ks4_placement_days_counted = _days(
        "ks4_placement_hours",
        "days toward the KS4 week: counted days in Years 10-11 of placements in person at a "
        "workplace.",
    )
    ks4_expected_days = _days(
        "ks4_expected_hours",
        "the pro-rata share of the KS4 week's 5 days for the part of Years 10-11 elapsed by "
        "`as_at`; fewer ks4_placement_days_counted during KS4 is behind.",
    )
    total_days_uncapped = _days(
        "total_hours",
        "every counted day in any year group, virtual time not capped (the timeline page's "
        "'All counted days'); so it can exceed ks3_days_counted + ks4_days_counted.",
    )
    ks3_employers = _count("Distinct employers of the counted experiences in Years 7-9.")
    ks4_employers = _count("Distinct employers of the counted experiences in Years 10-11.")
    ks3_sectors = _count("Distinct sectors of the counted experiences in Years 7-9.")
    ks4_sectors = _count("Distinct sectors of the counted experiences in Years 10-11.")
    ks3_tiers_reached = TierListField(
        stage="ks3_",
        help_text="equalex tiers (1-3) of experiences attended in Years 7-9, counted or not.",
    )
    ks4_tiers_reached = TierListField(
        stage="ks4_",
        help_text="equalex tiers (1-3) of experiences attended in Years 10-11, counted or not.",
    )
    tiers_reached = TierListField(
        help_text="equalex tiers (1-3) of experiences attended in any year group, counted or not."
    )
    ks3_week_met = _verdict(
        "ks3_days_counted is at least 5 and the counted KS3 experiences had at least two "
        "different employers."
    )
    ks4_week_met = _verdict("ks4_placement_days_counted is at least 5.")
    ten_days_met = _verdict("Both ks3_week_met and ks4_week_met.")
    behind = _verdict(
        "During KS3, ks3_days_counted is below ks3_expected_days; during KS4, "
        "ks4_placement_days_counted is below ks4_expected_days. Never in Years 12-13."
    )
    status = serializers.SerializerMethodField(
        help_text="As the timeline page shows it: `ten_days_met` if both weeks are met, else "
        "`behind` if behind, else `on_track`."
    )

    # Deprecated: the same figures under names that do not say what they count.
    ks3_days = _days("ks3_hours", "deprecated, use ks3_days_counted.")
    ks3_virtual_days = _days("ks3_virtual_hours", "deprecated, use ks3_virtual_days_logged.")
    ks4_days = _days("ks4_hours", "deprecated, use ks4_days_counted.")
    ks4_placement_days = _days("ks4_placement_hours", "deprecated, use ks4_placement_days_counted.")
    total_days = _days("total_hours", "deprecated, use total_days_uncapped.")
    reached_tiers = TierListField(help_text="Deprecated, use tiers_reached.")

    class Meta:
        model = Learner
        fields = ["pupil", "upn", "school", "year_group", "as_at", "ks3_in_person_days"]
        fields += ["ks3_virtual_days_logged", "ks3_virtual_days_counted", "ks3_days_counted"]
        fields += ["ks3_expected_days", "ks4_days_counted", "ks4_placement_days_counted"]
        fields += ["ks4_expected_days", "total_days_uncapped", "ks3_employers"]
        fields += ["ks4_employers", "ks3_sectors", "ks4_sectors", "ks3_tiers_reached"]
        fields += ["ks4_tiers_reached", "tiers_reached", "ks3_week_met", "ks4_week_met"]
        fields += ["ten_days_met", "behind", "status", *DEPRECATED_PROGRESS_FIELDS]

    @classmethod
    def row_names(cls) -> tuple[str, ...]:
        """The columns of a pupil's row (with_progress(...).values()) that the fields read,
        with the hub and school its read is audited under. Rows, not Learner instances: a
        page of 1,000 pupils with some forty figures each cost more to build as models."""
        if "_row_names" not in cls.__dict__:
            names = {"pk", "hub_id", "school_id", "cohort", "ten_days_met", "behind"}
            for field in cls().fields.values():
                if isinstance(field, TierListField):
                    names.update(name for _, name in field.tier_names)
                elif not isinstance(field, serializers.SerializerMethodField):
                    names.add(field.source)
            cls._row_names = tuple(sorted(names))
        return cls._row_names

    def get_year_group(self, pupil) -> int:
        return year_group_on(pupil["cohort"], self.context["as_at"])

    @extend_schema_field(OpenApiTypes.DATE)
    def get_as_at(self, pupil):
        return self.context["as_at"].isoformat()

    @extend_schema_field(serializers.ChoiceField(choices=PROGRESS_STATUSES))
    def get_status(self, pupil) -> str:
        if pupil["ten_days_met"]:
            return "ten_days_met"
        return "behind" if pupil["behind"] else "on_track"

    def to_representation(self, pupil):
        """The same values as DRF's field-by-field loop, built directly from the declared
        fields: the loop costs about 0.1 ms a pupil, most of a 1,000-pupil page. The
        declared fields still make the schema; tests compare this with the loop's output
        (test_api_progress_fields), and schemathesis and the oracle check it too."""
        names, readers = self._fast_readers()
        return dict(zip(names, [read(pupil) for read in readers], strict=True))

    def _fast_readers(self):
        if getattr(self, "_readers", None) is None:
            self._readers = (list(self.fields), self._reader_per_field())
        return self._readers

    def _reader_per_field(self) -> list:
        """Each field's value read its cheapest way, in the fields' order: a row's value
        as it is (integers, booleans and text, already of their type in a values() row)
        by itemgetter, hours as days' text from a cache, tiers from their table, the date
        and year groups worked out once a page, the rest field by field."""
        page_readers = self._page_readers()
        readers = []
        for name, field in self.fields.items():
            if isinstance(field, DaysField):
                readers.append(_days_reader(field.source))
            elif isinstance(field, TierListField):
                readers.append(field.get_attribute)
            elif isinstance(field, serializers.SerializerMethodField):
                readers.append(page_readers.get(name) or getattr(self, field.method_name))
            elif type(field) in AS_THEY_ARE:
                readers.append(operator.itemgetter(field.source))
            else:
                readers.append(self._reader(field))
        return readers

    def _page_readers(self) -> dict:
        """The method fields that are the same for the whole page (the date) or for a
        whole cohort (the year group), worked out once rather than a thousand times."""
        as_at = self.context["as_at"]
        as_at_text = as_at.isoformat()
        year_group_of = functools.cache(lambda cohort: year_group_on(cohort, as_at))
        return {
            "as_at": lambda pupil: as_at_text,
            "year_group": lambda pupil: year_group_of(pupil["cohort"]),
        }

    @staticmethod
    def _reader(field):
        source, convert = field.source, field.to_representation

        def read(pupil):
            value = pupil[source]
            return None if value is None else convert(value)

        return read

    def loop_representation(self, pupil):
        """DRF's own field-by-field output, for the test that the fast path equals it."""
        return super().to_representation(pupil)


class ParticipationSerializer(ApiModelSerializer):
    pupil = serializers.IntegerField(source="learner_id", read_only=True)

    class Meta:
        model = Participation
        fields = ["id", "pupil", "hours_attended", "absent", "employer_feedback_given"]
        fields += ["reflection_done", "updated_at"]
        read_only_fields = fields


class IdListField(serializers.ListField):
    """Ids of a many-to-many relation: read from the selector's prefetch (no query per
    row), written as a list of ids for the service to check against the actor's scope."""

    def __init__(self, **kwargs):
        super().__init__(child=serializers.IntegerField(min_value=1), **kwargs)

    def get_attribute(self, instance):
        return [related.pk for related in getattr(instance, self.source).all()]


class CriteriaField(serializers.ListField):
    def __init__(self, **kwargs):
        super().__init__(child=serializers.ChoiceField(choices=DESIGN_CRITERIA), **kwargs)

    def get_attribute(self, experience):
        return [code for code in DESIGN_CRITERIA if getattr(experience, f"meets_{code.lower()}")]


class QuarterHoursField(serializers.DecimalField):
    """Hours to the quarter hour, refused in the form's words (learners.services owns the
    rule) rather than DRF's "no more than 2 decimal places", which would let 1.1 through."""

    def validate_precision(self, value):
        try:
            duration_to_hours(value, "hours")
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict["duration"]) from error
        return super().validate_precision(value)


class ExperienceSerializer(ApiModelSerializer):
    """An experience and every pupil's part in it. To log one for a class, send `pupils`."""

    pupils = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        write_only=True,
        min_length=1,
        max_length=2000,
        help_text="Ids of the pupils who took part; each is credited the whole duration.",
    )
    criteria = CriteriaField(
        required=False,
        default=list,
        help_text="Meaningful criteria met by design (M1-M5); M6 and M7 are per pupil.",
    )
    employers = IdListField(required=False, default=list)
    sectors = IdListField(required=False, default=list)
    objectives = IdListField(required=False, default=list)
    participations = ParticipationSerializer(many=True, read_only=True)
    duration_hours = QuarterHoursField(
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.25"),
        max_value=Decimal(500),
        help_text="In hours, to the quarter hour (1.25, not 1.1); a day is 5 hours.",
    )
    end_date = serializers.DateField(required=False, allow_null=True)
    allow_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="A new experience on the same day as one of your school's, of the same kind "
        "or title, with some of the same pupils, is refused with 409 (naming the existing "
        "one) as a likely duplicate. Send true when it really is a separate event. "
        "Changes to an experience are not checked.",
    )

    class Meta:
        model = Experience
        fields = ["id", "school", "title", "kind", "setting", "tier", "start_date", "end_date"]
        fields += ["academic_year", "duration_hours", "criteria", "employers", "sectors"]
        fields += ["objectives", "pupils", "participations", "created_at", "updated_at"]
        fields += ["allow_duplicate"]
        read_only_fields = ["school", "academic_year", "created_at", "updated_at"]


class ReportSerializer(ApiModelSerializer):
    pupil = serializers.IntegerField(source="learner_id", read_only=True, allow_null=True)
    downloads = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = ["id", "kind", "hub", "school", "pupil", "year_group", "as_at", "status"]
        fields += ["progress", "error", "requested_at", "finished_at", "downloads"]
        read_only_fields = fields

    @extend_schema_field(
        {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    )
    def get_downloads(self, run):
        if run.status != ReportRun.Status.DONE:
            return {}
        request = self.context["request"]
        from django.urls import reverse

        outputs = ["json"] + [name for name in ("csv", "pdf") if getattr(run, name)]
        return {
            name: request.build_absolute_uri(
                reverse("api:report-download", kwargs={"pk": run.pk, "output": name})
            )
            for name in outputs
        }


class ReportRequestSerializer(ApiSerializer):
    kind = serializers.ChoiceField(choices=ReportRun.Kind.choices)
    as_at = serializers.DateField(required=False, help_text="Defaults to today.")
    school = serializers.IntegerField(required=False, min_value=1)
    pupil = serializers.IntegerField(required=False, min_value=1)
    year_group = serializers.ChoiceField(choices=YEAR_GROUP_CHOICES, required=False)

    def validate(self, data):
        needs = {
            ReportRun.Kind.SCHOOL_B6: ["school"],
            ReportRun.Kind.COHORT_CSV: ["school", "year_group"],
            ReportRun.Kind.PUPIL_RECORD: ["pupil"],
            ReportRun.Kind.HUB_DASHBOARD: [],
        }[data["kind"]]
        missing = {name: "This report needs it." for name in needs if name not in data}
        if missing:
            raise serializers.ValidationError(missing)
        return data


class SchoolProgressRowSerializer(ApiSerializer):
    year_group = serializers.IntegerField()
    pupils = serializers.IntegerField()
    on_track = serializers.IntegerField()
    behind = serializers.IntegerField()
    ks3_met = serializers.IntegerField()
    ks4_met = serializers.IntegerField()
    fsm_on_track_pct = serializers.IntegerField(allow_null=True)
    others_on_track_pct = serializers.IntegerField(allow_null=True)


class CompassAnswerSerializer(ApiSerializer):
    code = serializers.CharField()
    question = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    band = serializers.CharField()


class SchoolProgressSerializer(ApiSerializer):
    school = serializers.IntegerField()
    as_at = serializers.DateField()
    year_groups = SchoolProgressRowSerializer(many=True)
    compass = CompassAnswerSerializer(many=True)


class NationalHubSerializer(ApiSerializer):
    name = serializers.CharField()
    region = serializers.CharField()
    as_at = serializers.DateField(allow_null=True)
    totals = serializers.DictField(allow_null=True)


class MeSerializer(ApiSerializer):
    user = serializers.EmailField()
    role = serializers.CharField(allow_null=True)
    hub = serializers.IntegerField(allow_null=True)
    school = serializers.IntegerField(allow_null=True)
    trust = serializers.IntegerField(allow_null=True)
    # A trust lead's scope: the trust's schools, and those granting it named pupils.
    trust_schools = serializers.ListField(child=serializers.IntegerField())
    trust_schools_sharing_pupils = serializers.ListField(child=serializers.IntegerField())
    employer = serializers.IntegerField(allow_null=True)
    token = serializers.DictField(allow_null=True)


class OpportunitySerializer(ApiModelSerializer):
    """An opportunity as offered; `places_held` counts every school's held places."""

    objectives = IdListField(required=False, default=list)
    hubs = IdListField(
        source="visible_to_hubs", help_text="Partner hubs whose schools may see and nominate."
    )
    places_held = serializers.IntegerField(read_only=True)
    places_left = serializers.IntegerField(read_only=True)
    year_groups = serializers.ListField(
        child=serializers.ChoiceField(choices=YEAR_GROUP_CHOICES), min_length=1, max_length=7
    )
    end_date = serializers.DateField(required=False, allow_null=True)
    capacity = serializers.IntegerField(min_value=1, max_value=1000)
    criteria = CriteriaField(
        required=False,
        default=list,
        help_text="Meaningful criteria its design meets (M1-M5), copied to the experience "
        "recorded when attendance is confirmed.",
    )

    class Meta:
        model = Opportunity
        fields = ["id", "employer", "title", "description", "kind", "setting", "tier"]
        fields += ["objectives", "sector", "start_date", "end_date", "capacity", "year_groups"]
        fields += ["postcode", "accessibility_notes", "status", "hubs", "places_held"]
        fields += ["places_left", "criteria", "attendance_confirmed_at", "updated_at"]
        # The day itself: what the pupil and the school need to know to arrive.
        fields += ["starts_at", "ends_at", "address", "dress_code", "onsite_contact_name"]
        fields += ["onsite_contact_phone", "what_to_bring"]
        read_only_fields = ["employer", "status", "attendance_confirmed_at", "updated_at"]


class SchoolNominationSerializer(ApiModelSerializer):
    """A school's own nomination, with why the allocation decided as it did."""

    pupil = serializers.IntegerField(source="learner_id", read_only=True)

    class Meta:
        model = Nomination
        fields = ["id", "opportunity", "pupil", "shared_support_needs", "interested_in_sector"]
        fields += ["status", "decision_reason", "explanation", "created_at", "updated_at"]
        read_only_fields = fields


class SharedNominationSerializer(ApiSerializer):
    """All an employer may know of a nominated pupil: first name, year group (on the first
    day) and the support needs the school chose to share."""

    id = serializers.IntegerField(source="pk")
    opportunity = serializers.IntegerField(source="opportunity_id")
    first_name = serializers.SerializerMethodField()
    year_group = serializers.SerializerMethodField()
    shared_support_needs = serializers.CharField()
    status = serializers.ChoiceField(choices=Nomination.Status.choices)
    decision_reason = serializers.CharField()
    updated_at = UtcDateTimeField()

    def get_first_name(self, row) -> str:
        return row["learner__preferred_first_name"] or row["learner__legal_first_name"]

    def get_year_group(self, row) -> int:
        return year_group_on(row["learner__cohort"], row["opportunity__start_date"])


class NominationRequestSerializer(ApiSerializer):
    opportunity = serializers.IntegerField(min_value=1)
    pupils = serializers.ListField(
        child=serializers.IntegerField(min_value=1), min_length=1, max_length=500
    )
    shared_support_needs = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=1000),
        required=False,
        default=dict,
        help_text="Pupil id -> the words the employer will see (optional).",
    )
    interested_in_sector = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        default=list,
        help_text="Ids of pupils interested in the opportunity's sector.",
    )


class NominationDecisionSerializer(ApiSerializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class AllocationRunSerializer(ApiSerializer):
    offered = serializers.IntegerField()
    not_offered = serializers.IntegerField()


class ReflectionSerializer(ApiModelSerializer):
    """A pupil's reflection on one experience, in their words (M7 evidence). A reflection
    the careers leader hid comes with `hidden` true and its words left out."""

    pupil = serializers.IntegerField(source="learner_id")
    experience = serializers.IntegerField(source="participation.experience_id")
    hidden = serializers.BooleanField()
    # Null when the careers leader hid the reflection.
    what_i_did = serializers.CharField(allow_null=True)
    what_i_learned = serializers.CharField(allow_null=True)
    what_next = serializers.CharField(allow_null=True)
    skills_used = serializers.SerializerMethodField()

    class Meta:
        from pupils.models import Reflection

        model = Reflection
        fields = ["id", "pupil", "participation", "experience", "written_by", "hidden"]
        fields += ["what_i_did", "what_i_learned", "skills_used", "what_next"]
        fields += ["created_at", "updated_at"]

    def get_skills_used(self, reflection) -> list[str] | None:
        names = self.context.get("skill_names", {})
        return [names[pk] for pk in reflection.skills_used if pk in names]

    def to_representation(self, reflection):
        data = super().to_representation(reflection)
        if reflection.hidden:
            for name in ("what_i_did", "what_i_learned", "skills_used", "what_next"):
                data[name] = None
        return data


class SkillRatingSerializer(ApiModelSerializer):
    """A Skills Builder rating (steps 0-15): the pupil's own before and after an
    experience, a teacher's or an employer's."""

    pupil = serializers.IntegerField(source="learner_id")
    skill = serializers.CharField(source="skill.name")

    class Meta:
        model = SkillRating
        fields = ["id", "pupil", "skill", "step", "rater", "moment", "rated_on", "experience"]


# -- The programme planner (programmes/): plans, their activities and what they cover. A
#    plan says who takes part by a rule (the whole year, some groups...), never by name.


class ProgrammePlanSerializer(ApiModelSerializer):
    """A school's programme for one cohort (Years 7-11), or a hub's template for one
    (`is_template`: no school, no cohort). Its activities are at /planned-activities/?plan=
    and what it covers of the framework at /plans/{id}/coverage/."""

    is_template = serializers.BooleanField(read_only=True)
    activity_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProgrammePlan
        fields = ["id", "hub", "school", "cohort", "title", "summary", "status", "is_template"]
        fields += ["copied_from", "activity_count", "published_at", "updated_at"]
        read_only_fields = fields


class RelatedValuesField(serializers.ListField):
    """An attribute of each related row of a many-to-many relation, from the prefetch."""

    def __init__(self, attribute: str, child, **kwargs):
        self.attribute = attribute
        super().__init__(child=child, read_only=True, **kwargs)

    def get_attribute(self, instance):
        related = getattr(instance, self.source).all()
        return [getattr(row, self.attribute) for row in related]


class PlannedActivitySerializer(ApiModelSerializer):
    """One activity of a plan: what, when (year group and term), how long each pupil taking
    part should get, and who takes part (`audience`, with `groups` when only some
    registration groups do)."""

    expected_days = DaysField(
        source="expected_hours", help_text="expected_hours in days (of 5 hours)."
    )
    groups = serializers.ListField(child=serializers.CharField(), read_only=True)
    objectives = IdListField(read_only=True)
    objective_codes = RelatedValuesField("code", serializers.CharField(), source="objectives")
    sectors = IdListField(read_only=True)
    sector_names = RelatedValuesField("name", serializers.CharField(), source="sectors")
    employers = IdListField(read_only=True)

    class Meta:
        model = PlannedActivity
        fields = ["id", "plan", "title", "kind", "setting", "tier", "year_group", "term"]
        fields += ["expected_hours", "expected_days", "audience", "groups", "objectives"]
        fields += ["objective_codes", "sectors", "sector_names", "employers", "updated_at"]
        read_only_fields = fields


class CoveredObjectiveSerializer(ApiSerializer):
    code = serializers.CharField()
    outcome = serializers.CharField(help_text="The code of the outcome it belongs to.")
    covered = serializers.BooleanField(help_text="Some activity of the plan targets it.")
    year_groups = serializers.ListField(
        child=serializers.IntegerField(), help_text="The year groups with activities targeting it."
    )
    activities = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the activities targeting it."
    )
    delivered = serializers.BooleanField(
        help_text="An experience was logged against one of those activities."
    )


class CoverageTotalsSerializer(ApiSerializer):
    objectives = serializers.IntegerField(help_text="Objectives of the current framework.")
    covered = serializers.IntegerField(help_text="Objectives the plan's activities target.")
    delivered = serializers.IntegerField(
        help_text="Objectives of activities against which an experience was logged."
    )
    outcomes = serializers.IntegerField(help_text="Outcomes of the current framework.")
    outcomes_covered = serializers.IntegerField(help_text="Outcomes with an objective covered.")


class TierStartSerializer(ApiSerializer):
    tier = serializers.IntegerField()
    year_group = serializers.IntegerField(
        allow_null=True, help_text="Where the tier first appears; null when it is not planned."
    )
    term = serializers.CharField(allow_null=True)


class OutOfOrderSerializer(ApiSerializer):
    tier = serializers.IntegerField()
    starts_before = serializers.IntegerField(
        help_text="The lower tier it starts before (or that is not planned at all)."
    )


class ProgressionSerializer(ApiSerializer):
    progresses = serializers.BooleanField(
        help_text="Each tier starts no earlier than the tiers below it."
    )
    starts = TierStartSerializer(many=True)
    out_of_order = OutOfOrderSerializer(many=True)


class PlanCoverageSerializer(ApiSerializer):
    plan = serializers.IntegerField()
    totals = CoverageTotalsSerializer()
    objectives = CoveredObjectiveSerializer(many=True)
    progression = ProgressionSerializer()


def plan_coverage_data(plan, coverage, progression) -> dict:
    """PlanCoverageSerializer's data from programmes.rules' Coverage and Progression."""
    objectives = []
    for group in coverage.outcomes:
        for row in group.rows:
            years = sorted(row.by_year)
            objectives.append(
                {
                    "code": row.objective.code,
                    "outcome": group.outcome.code,
                    "covered": row.covered,
                    "year_groups": years,
                    "activities": [a.pk for year in years for a in row.by_year[year]],
                    "delivered": row.delivered,
                }
            )
    return {
        "plan": plan.pk,
        "totals": {
            "objectives": coverage.objectives,
            "covered": coverage.covered,
            "delivered": coverage.delivered,
            "outcomes": len(coverage.outcomes),
            "outcomes_covered": coverage.outcomes_covered,
        },
        "objectives": objectives,
        "progression": {
            "progresses": progression.progresses,
            "starts": progression.starts,
            "out_of_order": [
                {"tier": tier, "starts_before": lower} for tier, lower in progression.out_of_order
            ],
        },
    }
