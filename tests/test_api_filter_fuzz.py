"""Every number, date and datetime query parameter of every list endpoint, as the OpenAPI
schema lists them (so a filter added tomorrow is fuzzed too), gets generated values, in
and far out of range, with a real token against the test database: none may answer 5xx.

Bounded: a few dozen examples per parameter, no shrinking database."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from access.roles import Role
from api.schema import ScopedSchemaGenerator

from .api_helpers import bearer, token_for

EXAMPLES = 30
# Roles tried in turn for each endpoint: the first that may list it is used.
ROLES = [Role.CAREERS_LEADER, Role.HUB_LEAD, Role.EMPLOYER, Role.NATIONAL_ANALYST]


def _fuzzed_parameters() -> list[tuple[str, str, str]]:
    """(list path, query parameter, kind) for every number/date/datetime parameter."""
    schema = ScopedSchemaGenerator().get_schema(request=None, public=True)
    found = []
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            if parameter["in"] != "query":
                continue
            kind = _kind(parameter.get("schema", {}))
            if kind:
                found.append((path, parameter["name"], kind))
    return found


def _kind(schema: dict) -> str | None:
    if schema.get("type") in ("integer", "number"):
        return "number"
    if schema.get("type") == "string" and schema.get("format") in ("date", "date-time"):
        return schema["format"]
    return None


def _offset(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


NUMBERS = st.one_of(
    st.integers().map(str),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e30", "-1e30", "9223372036854775808", "-0", "0x10", "", " 7 ", "1_0"]),
)
# Years PostgreSQL and Python disagree about, and the edges of both calendars.
YEARS = st.one_of(st.integers(min_value=0, max_value=10001), st.sampled_from([1, 9999]))
DATES = st.one_of(
    st.dates().map(str),
    st.tuples(YEARS, st.integers(0, 13), st.integers(0, 32)).map(
        lambda ymd: f"{ymd[0]:04d}-{ymd[1]:02d}-{ymd[2]:02d}"
    ),
    st.text(max_size=12),
)
DATETIMES = st.one_of(
    st.tuples(st.datetimes(), st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1)).map(
        lambda pair: pair[0].isoformat() + _offset(pair[1])
    ),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    DATES,
    st.sampled_from(["0001-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", "now"]),
)
VALUES = {"number": NUMBERS, "date": DATES, "date-time": DATETIMES}


@pytest.fixture(scope="module")
def tokens(module_world, django_db_blocker):
    with django_db_blocker.unblock():
        return {role: token_for(module_world.a.users[role]) for role in ROLES}


def _headers_for(client, tokens, path):
    for role in ROLES:
        headers = bearer(tokens[role])
        if client.get(path, **headers).status_code == 200:
            return headers
    raise AssertionError(f"no role may list {path}")


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "name", "kind"), _fuzzed_parameters())
def test_no_filter_value_makes_a_list_endpoint_fail(client, tokens, path, name, kind):
    headers = _headers_for(client, tokens, path)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(value=VALUES[kind])
    def answers_without_server_error(value):
        response = client.get(path, {name: value}, **headers)
        assert response.status_code in (200, 400), (path, name, value, response.content[:500])

    answers_without_server_error()


def test_the_fuzz_covers_every_filter_kind_of_every_list_endpoint():
    covered = {(path, name) for path, name, _ in _fuzzed_parameters()}
    assert ("/api/v1/pupils/", "updated_since") in covered
    assert ("/api/v1/experiences/", "tier") in covered
    assert ("/api/v1/progress/pupils/", "as_at") in covered
    assert ("/api/v1/reports/", "as_at") in covered
    assert ("/api/v1/schools/", "hub") in covered
