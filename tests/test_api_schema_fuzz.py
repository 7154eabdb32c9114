"""schemathesis drives the live API over its whole OpenAPI schema, with the read-write token
of a careers leader, a hub lead and an employer, and must find no server error and no
response that breaks the schema."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

from access.roles import Role

from .api_helpers import token_for
from .conftest import build_world

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance"
CHECKS += ",status_code_conformance"


@pytest.fixture
def fuzzed_world(transactional_db):
    from equalex.celery import app

    world = build_world()
    yield world
    # Reports asked for while fuzzing are queued for a worker that never comes.
    app.control.purge()


@pytest.mark.parametrize("role", [Role.CAREERS_LEADER, Role.HUB_LEAD, Role.EMPLOYER])
@override_settings(EQUALEX_API_RATE="100000/hour")
def test_schemathesis_finds_no_server_error_and_no_schema_violation(
    live_server, fuzzed_world, role
):
    secret = token_for(fuzzed_world.a.users[role])
    command = [
        str(SCHEMATHESIS),
        "run",
        f"{live_server.url}/api/v1/schema/",
        "--header",
        f"Authorization: Bearer {secret}",
        "--max-examples",
        "25",
        "--phases",
        "examples,coverage,fuzzing",
        "--checks",
        CHECKS,
        "--seed",
        "42",
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--no-color",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
