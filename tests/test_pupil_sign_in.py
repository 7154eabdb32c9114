"""Pupil accounts (issue 15): a careers leader opens access and prints codes; a pupil signs
in with a code alone. Codes expire, are re-issuable, rate-limited, kept only as digests,
and cannot be guessed in the attempts allowed."""

import time
from datetime import timedelta
from fractions import Fraction

import pytest
from allauth.core.internal.ratelimit import parse_rates
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from access.actor import actor_for_user
from access.context import acting_as, all_tenants_UNSAFE
from access.models import AuditEvent
from access.roles import Role
from pupils import codes
from pupils.middleware import PUPIL_SIGNED_IN_AT
from pupils.models import PupilAccount
from pupils.services import pupil_access_disable, pupil_access_enable

pytestmark = pytest.mark.django_db

ENGLAND_PUPILS = 3_300_000


def open_access(world, pupils=None, days=7):
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        return pupil_access_enable(
            actor=leader, learner_ids=[p.pk for p in pupils or [world.a.pupil]], valid_days=days
        )


def sign_in(client, code):
    return client.post(reverse("pupil_sign_in"), {"code": code})


def test_a_pupil_signs_in_with_the_code_alone_and_lands_on_their_ten_days(client, world):
    (issued,) = open_access(world)
    response = sign_in(client, issued.code)
    assert response.status_code == 302
    assert response["Location"] == reverse("pupil_home")
    page = client.get(reverse("pupil_home"))
    assert page.status_code == 200
    assert "My ten days" in page.content.decode()
    assert world.a.pupil.first_name in page.content.decode()


def test_case_spaces_and_dashes_do_not_matter(client, world):
    (issued,) = open_access(world)
    typed = issued.code.replace("-", " ").lower()
    assert sign_in(client, typed).status_code == 302


def test_the_code_is_kept_only_as_a_digest(world, unscoped):
    (issued,) = open_access(world)
    account = PupilAccount.all_tenants_UNSCOPED.get(learner=world.a.pupil)
    symbols = codes.code_normalise(issued.code)
    assert account.code_digest == codes.code_digest(issued.code)
    assert symbols not in account.code_digest
    assert issued.code not in str(PupilAccount.all_tenants_UNSCOPED.values().get(pk=account.pk))


def test_an_expired_code_no_longer_works(client, world, unscoped):
    (issued,) = open_access(world, days=1)
    PupilAccount.all_tenants_UNSCOPED.filter(learner=world.a.pupil).update(
        code_expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = sign_in(client, issued.code)
    assert response.status_code == 400
    assert "did not work" in response.content.decode()


def test_issuing_again_replaces_the_old_code(client, world):
    (first,) = open_access(world)
    (second,) = open_access(world)
    assert first.code != second.code
    assert sign_in(client, first.code).status_code == 400
    assert sign_in(client, second.code).status_code == 302


def test_a_wrong_code_says_nothing_about_whose_it_might_be(client, world):
    open_access(world)
    response = sign_in(client, "ABCD-EFGH-JKLM")
    body = response.content.decode()
    assert response.status_code == 400
    assert world.a.pupil.first_name not in body and world.a.pupil.surname not in body


def test_wrong_codes_are_rate_limited_per_address_even_before_a_right_one(client, world):
    (issued,) = open_access(world)
    (limit,) = parse_rates(settings.ACCOUNT_RATE_LIMITS["pupil_code_failed"])
    for _ in range(limit.amount):
        assert sign_in(client, "ZZZZ-ZZZZ-ZZZZ").status_code == 400
    blocked = sign_in(client, issued.code)
    assert blocked.status_code == 429
    assert "Too many codes" in blocked.content.decode()
    assert client.get(reverse("pupil_home")).status_code == 302  # not signed in


def test_a_code_cannot_be_guessed_in_the_attempts_allowed():
    (limit,) = parse_rates(settings.ACCOUNT_RATE_LIMITS["pupil_code_failed"])
    attempts_a_year = int(limit.amount * (365 * 24 * 3600 // limit.duration))
    space = len(codes.ALPHABET) ** codes.CODE_LENGTH
    assert codes.entropy_bits() == 60 and space == 2**60
    # Every pupil in England holding a live code at once, one address guessing all year.
    chance = Fraction(attempts_a_year * ENGLAND_PUPILS, space)
    assert chance < Fraction(1, 100_000)  # about 6 in a million
    # And no code the generator makes has a look-alike symbol.
    assert not set("IO01") & set(codes.ALPHABET)
    assert all(
        set(codes.code_normalise(codes.code_new())) <= set(codes.ALPHABET) for _ in range(50)
    )


def test_every_pupil_sign_in_and_every_failed_code_is_audited(client, world, unscoped):
    (issued,) = open_access(world)
    sign_in(client, "ZZZZ-ZZZZ-ZZZZ")
    sign_in(client, issued.code)
    account = PupilAccount.all_tenants_UNSCOPED.get(learner=world.a.pupil)
    signed_in = AuditEvent.all_tenants_UNSCOPED.get(action=AuditEvent.Action.SIGN_IN)
    assert (signed_in.user_id, signed_in.object_pk, signed_in.school_id) == (
        account.user_id,
        str(account.pk),
        world.a.school.pk,
    )
    failed = AuditEvent.all_tenants_UNSCOPED.get(
        action=AuditEvent.Action.SIGN_IN_FAILED, model="pupils.PupilAccount"
    )
    assert failed.school_id is None and failed.user_id is None


def test_closing_access_signs_the_pupil_out_at_their_next_page(client, world):
    (issued,) = open_access(world)
    sign_in(client, issued.code)
    assert client.get(reverse("pupil_home")).status_code == 200
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader):
        assert pupil_access_disable(actor=leader, learner_ids=[world.a.pupil.pk]) == 1
    assert client.get(reverse("pupil_home")).status_code == 302
    assert sign_in(client, issued.code).status_code == 400


def test_a_pupil_session_ends_when_idle_and_after_its_longest_time(client, world):
    (issued,) = open_access(world)
    sign_in(client, issued.code)
    client.get(reverse("pupil_home"))
    assert client.session.get_expiry_age() == settings.PUPIL_IDLE_SECONDS
    session = client.session
    session[PUPIL_SIGNED_IN_AT] = time.time() - settings.PUPIL_SESSION_MAX_SECONDS - 1
    session.save()
    response = client.get(reverse("pupil_home"))
    assert response.status_code == 302 and response["Location"] == reverse("pupil_sign_in")
    assert client.get(reverse("pupil_home")).status_code == 302


def test_a_pupil_cannot_reach_password_or_email_pages(client, world):
    (issued,) = open_access(world)
    sign_in(client, issued.code)
    for name in ("account_set_password", "account_email", "mfa_index", "api_tokens"):
        response = client.get(reverse(name))
        assert response.status_code in (302, 404), name
        if response.status_code == 302:
            assert response["Location"] == reverse("pupil_home"), name


def test_only_a_careers_leader_opens_access_and_only_for_their_own_roll(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    staff = actor_for_user(world.a.users[Role.SCHOOL_STAFF])
    with acting_as(staff), pytest.raises(PermissionDenied):
        pupil_access_enable(actor=staff, learner_ids=[world.a.pupil.pk], valid_days=7)
    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    with acting_as(leader), pytest.raises(ValidationError):
        pupil_access_enable(actor=leader, learner_ids=[world.a.sibling_pupil.pk], valid_days=7)
    with acting_as(leader), pytest.raises(ValidationError):
        pupil_access_enable(actor=leader, learner_ids=[world.a.pupil.pk], valid_days=365)
    with all_tenants_UNSAFE("test"):
        assert not PupilAccount.objects.filter(learner=world.a.sibling_pupil).exists()
        # The world's own account of the side's pupil has no code: none was issued.
        assert PupilAccount.objects.get(learner=world.a.pupil).code_digest is None


def test_a_pupil_who_moved_school_cannot_sign_in_with_the_old_schools_code(client, world):
    (issued,) = open_access(world)
    from learners.models import Learner

    with all_tenants_UNSAFE("test: the pupil moves"):
        Learner.all_tenants_UNSCOPED.filter(pk=world.a.pupil.pk).update(
            school_id=world.a.sibling_school.pk
        )
    assert sign_in(client, issued.code).status_code == 400


def test_a_careers_leader_gives_school_sign_in_addresses_all_or_nothing(world, unscoped):
    from django.core.exceptions import ValidationError

    from accounts.models import User
    from pupils.services import pupil_sign_in_addresses_set

    leader = actor_for_user(world.a.users[Role.CAREERS_LEADER])
    user_id = PupilAccount.all_tenants_UNSCOPED.get(learner=world.a.pupil).user_id
    with acting_as(leader):
        with pytest.raises(ValidationError) as refused:
            pupil_sign_in_addresses_set(
                actor=leader, addresses={world.a.pupil.pk: world.a.users[Role.HUB_LEAD].email}
            )
        assert "already someone else's sign-in" in str(refused.value)
        with pytest.raises(ValidationError):
            pupil_sign_in_addresses_set(actor=leader, addresses={world.a.pupil.pk: "not-an-email"})
        assert User.objects.get(pk=user_id).email.endswith("@pupils.equalex.invalid")
        assert (
            pupil_sign_in_addresses_set(
                actor=leader, addresses={world.a.pupil.pk: "Amelia.P@School-A1.example.org"}
            )
            == 1
        )
    assert User.objects.get(pk=user_id).email == "amelia.p@school-a1.example.org"
    with acting_as(leader):
        pupil_sign_in_addresses_set(actor=leader, addresses={world.a.pupil.pk: ""})
    assert User.objects.get(pk=user_id).email.endswith("@pupils.equalex.invalid")


def test_a_pupil_gets_no_password_reset_email(client, world, mailoutbox, unscoped):
    from accounts.models import User

    user_id = PupilAccount.all_tenants_UNSCOPED.get(learner=world.a.pupil).user_id
    User.objects.filter(pk=user_id).update(email="amelia.p@school-a1.example.org")
    client.post(reverse("account_reset_password"), {"email": "amelia.p@school-a1.example.org"})
    assert mailoutbox == []
    client.post(
        reverse("account_reset_password"), {"email": world.a.users[Role.SCHOOL_STAFF].email}
    )
    assert len(mailoutbox) == 1
