"""Retention (privacy.retention): each rule at its boundary, files gone from storage, the
audit count of each rule, and a second run that changes nothing.

A row on the last day of its period is kept; a day later it is gone.
"""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from access.actor import actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.roles import Role
from privacy import retention

from .employer_world import make_nomination, make_opportunity, make_pupils, make_vetting

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
SYSTEM = system_actor("retention")


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Each test's uploads in its own directory: deleting files is what is tested.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def system():
    with acting_as(SYSTEM):
        yield


def _consent(opportunity, pupil, n):
    from employers.models import ParentalConsent

    nomination = make_nomination(opportunity, pupil, status="accepted")
    with all_tenants_UNSAFE("test"):
        return ParentalConsent.objects.create(
            hub_id=pupil.hub_id,
            school_id=pupil.school_id,
            nomination=nomination,
            token_digest=f"{n:064d}",
            sent_to="" if n % 2 else "parent@example.org",
            answer=ParentalConsent.Answer.GIVEN,
            signed_by="Pat Parent",
            note="Asthma: inhaler in the front pocket. Emergency: 07700 900123.",
            answered_at=timezone.now() - 60 * DAY,
        )


def test_consent_details_go_a_period_after_the_placement_ends_and_the_answer_stays(world, system):
    from employers.models import ParentalConsent

    days = 30
    today = timezone.localdate()
    pupils = make_pupils(world.a.school, 3)
    consents = {}
    # Ended the day before the period's last day, on it, and the day after it.
    for n, ended in enumerate(
        (today - (days - 1) * DAY, today - days * DAY, today - (days + 1) * DAY)
    ):
        opportunity = make_opportunity(
            world.a.employer, [world.a.hub], start_date=ended - DAY, end_date=ended
        )
        consents[ended] = _consent(opportunity, pupils[n], n)

    assert retention.consent_details_clear(today=today, days=days) == 1
    fresh = {c.pk: c for c in ParentalConsent.objects.all()}
    for ended, consent in consents.items():
        after = fresh[consent.pk]
        if ended < today - days * DAY:
            assert (after.signed_by, after.note, after.sent_to) == ("", "", "")
        else:
            assert after.signed_by == "Pat Parent" and "Asthma" in after.note
        # The yes/no answer and when it was given stay, whatever happened to the details.
        assert after.answer == ParentalConsent.Answer.GIVEN
        assert after.answered_at == consent.answered_at
    assert retention.consent_details_clear(today=today, days=days) == 0


def _stored(vetting, field, content=b"%PDF-1.4 doc"):
    getattr(vetting, field).save(f"{field}.pdf", ContentFile(content), save=True)
    return getattr(vetting, field).name


def test_expired_vetting_documents_are_deleted_from_storage_a_period_after_expiry(world, system):
    from employers.models import EmployerVetting

    days = 365
    today = timezone.localdate()
    old = make_vetting(world.a.employer, world.a.hub, expires=today - (days + 1) * DAY)
    last_day = make_vetting(world.a.sibling_employer, world.a.hub, expires=today - days * DAY)
    storage = EmployerVetting._meta.get_field("insurance_certificate").storage
    old_names = [_stored(old, "insurance_certificate"), _stored(old, "risk_assessment")]
    kept_name = _stored(last_day, "insurance_certificate")

    assert retention.vetting_documents_expired_delete(today=today, days=days) == 2
    assert not any(storage.exists(name) for name in old_names)
    old.refresh_from_db()
    assert not old.insurance_certificate and not old.risk_assessment
    assert old.supervisor_name == "Sam Supervisor"  # the check itself stays
    assert storage.exists(kept_name)
    last_day.refresh_from_db()
    assert last_day.insurance_certificate.name == kept_name
    assert retention.vetting_documents_expired_delete(today=today, days=days) == 0


def test_replaced_vetting_documents_are_deleted_a_period_after_being_replaced(world):
    from employers.models import EmployerVetting, ReplacedVettingDocument
    from employers.services import vetting_submit

    employer = actor_for_user(world.a.users[Role.EMPLOYER])
    storage = EmployerVetting._meta.get_field("insurance_certificate").storage

    def submit(content):
        with acting_as(employer):
            return vetting_submit(
                actor=employer,
                hub_id=world.a.hub.pk,
                insurance_expires=timezone.localdate() + 300 * DAY,
                supervisor_name="Sam",
                insurance_certificate=SimpleUploadedFile("elh.pdf", content),
            )

    first = submit(b"%PDF first").insurance_certificate.name
    second = submit(b"%PDF second").insurance_certificate.name
    current = submit(b"%PDF third").insurance_certificate.name
    assert storage.exists(first) and storage.exists(second)  # kept as evidence for now
    now = timezone.now()
    with acting_as(SYSTEM):
        ReplacedVettingDocument.objects.filter(name=first).update(replaced_at=now - 366 * DAY)
        ReplacedVettingDocument.objects.filter(name=second).update(replaced_at=now - 364 * DAY)

        assert retention.vetting_documents_replaced_delete(now=now, days=365) == 1
        assert not storage.exists(first)
        assert storage.exists(second) and storage.exists(current)
        assert list(ReplacedVettingDocument.objects.values_list("name", flat=True)) == [second]
        assert EmployerVetting.objects.get().insurance_certificate.name == current
        assert retention.vetting_documents_replaced_delete(now=now, days=365) == 0


def test_invitations_go_a_period_after_they_expire_or_are_accepted(world, system):
    from accounts.models import Invitation

    now = timezone.now()
    days = 30

    def invite(email, **fields):
        return Invitation.objects.create(
            email=email, role=Role.SCHOOL_STAFF, school=world.a.school, **fields
        ).pk

    expired_long_ago = invite("a@example.org", expires_at=now - (days * DAY + DAY))
    expired_lately = invite("b@example.org", expires_at=now - (days * DAY - DAY))
    accepted_long_ago = invite(
        "c@example.org", expires_at=now - 40 * DAY, accepted_at=now - (days * DAY + DAY)
    )
    pending = invite("d@example.org")

    assert retention.invitations_delete(now=now, days=days) == 2
    left = set(Invitation.objects.values_list("pk", flat=True))
    assert left == {expired_lately, pending}
    assert expired_long_ago not in left and accepted_long_ago not in left
    assert retention.invitations_delete(now=now, days=days) == 0


def test_api_tokens_unused_for_a_period_are_deleted(world, system):
    from api.models import ApiToken
    from hubs.models import Membership

    user = world.a.users[Role.CAREERS_LEADER]
    membership = Membership.objects.get(user=user)
    now = timezone.now()
    days = 365

    def token(name, *, created, used=None, revoked=None):
        made = ApiToken.objects.create(
            user=user, membership=membership, name=name, digest=name, hint=name[:12]
        )
        ApiToken.objects.filter(pk=made.pk).update(
            created_at=created, last_used_at=used, revoked_at=revoked
        )
        return name

    long_ago, lately = now - (days + 1) * DAY, now - (days - 1) * DAY
    token("used-long-ago", created=long_ago - DAY, used=long_ago)
    token("used-lately", created=long_ago, used=lately)
    token("never-used-old", created=long_ago)
    token("never-used-new", created=lately)
    token("revoked-long-ago", created=long_ago, used=now, revoked=long_ago)

    assert retention.unused_tokens_delete(now=now, days=days) == 3
    assert set(ApiToken.objects.values_list("name", flat=True)) == {"used-lately", "never-used-new"}
    assert retention.unused_tokens_delete(now=now, days=days) == 0


def test_expired_sessions_are_deleted(db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    now = timezone.now()
    keys = {}
    for name, expires in (("expired", now - timedelta(seconds=1)), ("live", now + DAY)):
        store = SessionStore()
        store["x"] = name
        store.create()
        Session.objects.filter(pk=store.session_key).update(expire_date=expires)
        keys[name] = store.session_key

    assert retention.expired_sessions_delete(now=now) == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [keys["live"]]
    assert retention.expired_sessions_delete(now=now) == 0


def test_audit_events_are_kept_for_the_set_years(world, system):
    from access.models import AuditEvent

    now = timezone.now()
    boundary = retention.years_before(now, 6)

    def event(at):
        made = AuditEvent.all_tenants_UNSCOPED.create(
            actor_description="test", action="view", model="learners.Learner", object_pk="1"
        )
        AuditEvent.all_tenants_UNSCOPED.filter(pk=made.pk).update(at=at)
        return made.pk

    too_old = event(boundary - DAY)
    within = event(boundary + DAY)
    assert retention.audit_events_delete(now=now, years=6) == 1
    pks = set(AuditEvent.all_tenants_UNSCOPED.values_list("pk", flat=True))
    assert within in pks and too_old not in pks
    assert retention.audit_events_delete(now=now, years=6) == 0


def test_years_before_a_leap_day():
    from datetime import datetime

    assert retention.years_before(datetime(2028, 2, 29, 12), 6) == datetime(2022, 2, 28, 12)


def test_applying_all_rules_audits_each_count_once_and_a_second_run_changes_nothing(
    world, system, settings
):
    from access.models import AuditEvent
    from accounts.models import Invitation
    from employers.models import ParentalConsent

    settings.RETAIN_INVITATION_DAYS = 10  # the periods come from settings
    now = timezone.now()
    today = timezone.localdate()
    ended = today - 31 * DAY
    opportunity = make_opportunity(
        world.a.employer, [world.a.hub], start_date=ended, end_date=ended
    )
    _consent(opportunity, make_pupils(world.a.school, 1)[0], 2)
    Invitation.objects.create(
        email="gone@example.org",
        role=Role.SCHOOL_STAFF,
        school=world.a.school,
        expires_at=now - 11 * DAY,
    )
    Invitation.objects.create(
        email="kept@example.org",
        role=Role.SCHOOL_STAFF,
        school=world.a.school,
        expires_at=now - 9 * DAY,
    )

    first = retention.retention_apply(actor=SYSTEM, now=now)
    assert first["consent details"] == 1 and first["invitations"] == 1
    assert set(first) == {
        "year 11 leavers",
        "leavers pseudonymised",
        "consent details",
        "expired vetting documents",
        "replaced vetting documents",
        "invitations",
        "unused API tokens",
        "expired sessions",
        "expired subject access exports",
        "audit events",
    }
    events = AuditEvent.objects.filter(object_pk__startswith="retention: ")
    assert {e.object_pk.removeprefix("retention: "): e.rows for e in events} == first
    consent_event = events.get(object_pk="retention: consent details")
    assert consent_event.model == "employers.ParentalConsent"
    assert consent_event.actor_description == "system: retention"
    assert consent_event.changed_fields == [
        "signed_by",
        "note",
        "sent_to",
        "emergency_contact_name",
        "emergency_contact_phone",
        "medical_needs",
        "travel_arrangements",
        "share_needs_with_employer",
    ]
    assert consent_event.school_id is None  # not in any school's own audit trail

    consent = ParentalConsent.objects.get()
    assert consent.answer == "given" and consent.signed_by == ""
    snapshot = list(ParentalConsent.objects.values()), list(Invitation.objects.values())

    second = retention.retention_apply(actor=SYSTEM, now=now)
    assert set(second.values()) == {0}
    assert (list(ParentalConsent.objects.values()), list(Invitation.objects.values())) == snapshot
    assert events.all().count() == 20  # each run records each rule once, with its count


def test_only_the_system_applies_retention(world):
    from django.core.exceptions import PermissionDenied

    careers_leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(careers_leader), pytest.raises(PermissionDenied):
        retention.retention_apply(actor=careers_leader)


def test_the_nightly_task_runs_as_the_system(world, settings):
    from access.models import AuditEvent
    from privacy.tasks import apply_retention

    entry = settings.CELERY_BEAT_SCHEDULE["apply-retention"]
    assert entry["task"] == "privacy.tasks.apply_retention"
    counts = apply_retention.apply(kwargs=entry["kwargs"]).get()
    assert set(counts) >= {"consent details", "audit events"}
    with all_tenants_UNSAFE("test"):
        assert AuditEvent.objects.filter(actor_description="system: retention").count() == len(
            counts
        )
