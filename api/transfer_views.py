"""The school's arrivals, read only: pupils it asked another school to release.

Kept apart from api/views.py: only what the school sent itself and the outcome, never the
pupil's record, their history or the other school (learners.transfers)."""

from rest_framework import mixins, serializers

from learners.models import PupilTransfer
from learners.transfers import transfer_arrivals

from .base import ScopedViewSet


class SentSerializer(serializers.Serializer):
    upn = serializers.CharField()
    legal_first_name = serializers.CharField()
    preferred_first_name = serializers.CharField(allow_blank=True)
    surname = serializers.CharField()
    cohort = serializers.IntegerField()
    registration_group = serializers.CharField(allow_blank=True)
    fsm = serializers.BooleanField()
    disadvantaged = serializers.BooleanField()
    send = serializers.CharField()
    looked_after = serializers.BooleanField()


class ArrivalSerializer(serializers.ModelSerializer):
    sent = SentSerializer(help_text="What your school sent, as it sent it.")
    pupil = serializers.SerializerMethodField(
        help_text="The pupil's id once released to your school; null until then."
    )

    class Meta:
        model = PupilTransfer
        fields = [
            "id",
            "status",
            "automatic",
            "sent",
            "requested_at",
            "decided_at",
            "decline_reason",
            "pupil",
        ]
        read_only_fields = fields

    def get_pupil(self, transfer) -> int | None:
        released = transfer.status == PupilTransfer.Status.RELEASED
        return transfer.learner_id if released else None


class TransferArrivalViewSet(mixins.ListModelMixin, ScopedViewSet):
    """Pupils your school imported who were on another school's roll, and whether that
    school released them (`status`), declined (with `decline_reason`) or the request was
    cancelled because the pupil joined another school first."""

    model = PupilTransfer
    capabilities = {"list": "transfer.arrivals"}
    serializer_class = ArrivalSerializer
    filter_backends = []

    def scoped_queryset(self):
        return transfer_arrivals(actor=self.actor)
