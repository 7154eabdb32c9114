import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from access.roles import Role

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CAREERS_LEADER, Role.SCHOOL_STAFF])
def test_staff_who_see_named_pupils_must_enrol_mfa_when_required(client, world, settings, role):
    settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True
    client.force_login(world.a.users[role])
    response = client.get(reverse("pupil_detail", args=[world.a.pupil.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.HUB_LEAD, Role.EMPLOYER, Role.NATIONAL_ANALYST])
def test_roles_without_named_pupils_are_not_forced_to_enrol(client, world, settings, role):
    settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True
    client.force_login(world.a.users[role])
    assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_staff_with_totp_enrolled_pass(client, world, settings):
    from allauth.mfa.models import Authenticator

    settings.EQUALEX_REQUIRE_MFA_FOR_PUPIL_ACCESS = True
    leader = world.a.users[Role.CAREERS_LEADER]
    Authenticator.objects.create(user=leader, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(leader)
    assert client.get(reverse("pupil_detail", args=[world.a.pupil.pk])).status_code == 200


def test_production_settings_pass_the_deployment_check_without_warnings():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "equalex.settings.production",
        "SECRET_KEY": "k" * 20 + "Zq8#vR2!mW5$pL9^tX3&yB7*cN1@dF6%hJ4",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1/equalex"),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
        "ALLOWED_HOSTS": "equalex.example.org",
        "EQUALEX_SITE_URL": "https://equalex.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "equalex.settings.production", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
