"""The second wall: PostgreSQL row-level security on pupil-level tables.

The scoping layer (access.scoping) filters every ORM query by the actor. Behind it, the
database itself hides pupil rows from any statement whose actor may not see them, so a
query that forgets its filter (raw SQL, a related-object lookup, a wrong rule) still
returns only the actor's rows. docs/row-level-security.md explains the design.

How a statement learns its actor: every statement the application sends on a connection
is prefixed, in the same round trip, with one SELECT of set_config(..., true) calls that
switch to the application role (settings.EQUALEX_DB_APP_ROLE, which neither owns the
tables nor bypasses RLS) and set the actor's settings (equalex.role, equalex.hub_id,
equalex.school_id, equalex.school_ids, equalex.trust_school_ids, equalex.employer_id,
equalex.purpose, equalex.system). PostgreSQL runs a multi-statement string as one
transaction when none is open, and inside an open one the settings last until the next
statement sets them again: either way each statement runs under its own actor and the
settings are transaction-local, so nothing outlives the transaction (safe with
persistent connections and with a transaction pooler such as PgBouncer).

With no actor set the statement still runs as the application role with empty settings:
no pupil rows (fail closed). System actors (tasks, commands, demo data) and platform
admins set equalex.system = 'on' and stay the login role; so do the ORM's own bypass,
`all_tenants_UNSCOPED` (see access.scoping), and `past_the_wall(reason)`. Migrations,
`flush` and ANALYZE run as the login role with no prefix at all (`as_table_owner`).
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager

from django.conf import settings

# The pupil-level tables and the expression each one's policy adds to every statement.
# Every setting is read once per statement, in an uncorrelated sub-SELECT (an InitPlan),
# and compared with a plain column, so the per-row cost is a comparison with a parameter
# and the query's own indexed conditions (school_id = ..., hub_id = ...) still drive the
# plan. Settings that were never set read as NULL and match nothing.
_SETTING = "NULLIF(current_setting('equalex.{name}', true), '')"
SEES_ALL = (
    "(SELECT coalesce(current_setting('equalex.system', true) = 'on', false)"
    " OR coalesce(current_setting('equalex.role', true) = 'national_analyst'"
    " AND current_setting('equalex.purpose', true) = 'aggregates', false))"
)
# Schools whose pupils' rows the actor sees: a school's staff their own; a trust's lead
# the schools that grant the trust their named pupils, or, for totals, all the trust's.
SCHOOL_IDS = (
    "(SELECT CASE WHEN current_setting('equalex.role', true)"
    " IN ('careers_leader', 'school_staff', 'trust_lead') THEN string_to_array("
    + _SETTING.format(name="school_ids")
    + ", ',')::bigint[] END)"
)
# Every school of a trust lead's trust (its schools' Benchmark 6 reports).
TRUST_SCHOOL_IDS = (
    "(SELECT CASE WHEN current_setting('equalex.role', true) = 'trust_lead' THEN "
    "string_to_array(" + _SETTING.format(name="trust_school_ids") + ", ',')::bigint[] END)"
)
# A hub lead's hub, for totals only (actor.for_aggregates()).
AGGREGATE_HUB = (
    "(SELECT CASE WHEN current_setting('equalex.role', true) = 'hub_lead'"
    " AND current_setting('equalex.purpose', true) = 'aggregates' THEN "
    + _SETTING.format(name="hub_id")
    + "::bigint END)"
)
# An employer reaches pupils only through nominations to its own opportunities. Each list
# comes from a function (created by the migration, see FUNCTIONS) rather than a subquery
# written into the policy: the planner plans a function call in no time, where subqueries
# (with the nominations table's own policy inside) made every statement on these tables
# several times slower to plan, for a branch only employers use. They run as the owner,
# read the settings themselves and answer NULL for anyone but an employer.
_EMPLOYER_LISTS = {
    "opportunities": "SELECT array_agg(o.id) FROM employers_opportunity o"
    " WHERE o.employer_id = {employer}",
    "nominations": "SELECT array_agg(n.id) FROM employers_nomination n"
    " JOIN employers_opportunity o ON o.id = n.opportunity_id WHERE o.employer_id = {employer}",
    "learners": "SELECT array_agg(DISTINCT n.learner_id) FROM employers_nomination n"
    " JOIN employers_opportunity o ON o.id = n.opportunity_id WHERE o.employer_id = {employer}",
    "experiences": "SELECT array_agg(ee.experience_id) FROM learners_experience_employers ee"
    " WHERE ee.employer_id = {employer}",
}


def _employer_list(name: str) -> str:
    return f"(SELECT equalex_employer_{name}())::bigint[]"


def _employer_function(name: str, query: str) -> str:
    employer = _SETTING.format(name="employer_id") + "::bigint"
    body = query.format(employer=employer)
    return (
        f"CREATE OR REPLACE FUNCTION equalex_employer_{name}() RETURNS bigint[] "
        "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public AS $$ "
        "SELECT CASE WHEN current_setting('equalex.role', true) = 'employer' THEN "
        f"({body}) END $$"
    )


# A signed-in pupil's own record (pupils/): their rows and nobody else's.
PUPIL_LEARNER = (
    "(SELECT CASE WHEN current_setting('equalex.role', true) = 'pupil' THEN "
    + _SETTING.format(name="learner_id")
    + "::bigint END)"
)
OWN_RECORD = f"learner_id = {PUPIL_LEARNER}"


# A school's own staff only (not a trust lead, whose school_ids a grant may fill).
STAFF_SCHOOL_IDS = (
    "(SELECT CASE WHEN current_setting('equalex.role', true)"
    " IN ('careers_leader', 'school_staff') THEN string_to_array("
    + _SETTING.format(name="school_ids")
    + ", ',')::bigint[] END)"
)
SYSTEM = "(SELECT coalesce(current_setting('equalex.system', true) = 'on', false))"
PUPIL_VOICE = f"school_id = ANY ({STAFF_SCHOOL_IDS}::bigint[]) OR {SYSTEM} OR {OWN_RECORD}"


def _pupil_level(*extra: str) -> str:
    # The commonest case first (a school's own rows), so most rows need one comparison.
    return " OR ".join(
        (
            f"school_id = ANY ({SCHOOL_IDS}::bigint[])",
            f"hub_id = {AGGREGATE_HUB}",
            SEES_ALL,
            *extra,
        )
    )


POLICIES: dict[str, str] = {
    "learners_learner": _pupil_level(
        f"id = ANY ({_employer_list('learners')})", f"id = {PUPIL_LEARNER}"
    ),
    "learners_participation": _pupil_level(
        f"experience_id = ANY ({_employer_list('experiences')})", OWN_RECORD
    ),
    "learners_skillrating": _pupil_level(OWN_RECORD),
    "learners_pupilprogress": _pupil_level(OWN_RECORD),
    # Pupil voice: the school's staff and the pupil themselves; never totals, a trust, a
    # hub or an employer (as access.rules).
    "pupils_pupilaccount": PUPIL_VOICE,
    "pupils_reflection": PUPIL_VOICE,
    "pupils_opportunityinterest": PUPIL_VOICE,
    "employers_nomination": _pupil_level(
        f"opportunity_id = ANY ({_employer_list('opportunities')})"
    ),
    "employers_parentalconsent": _pupil_level(
        f"nomination_id = ANY ({_employer_list('nominations')})"
    ),
    # As access.rules: a school's runs (pupil records included) to its staff, a hub's
    # runs about no single pupil to its lead, finished hub dashboards to analysts.
    "reports_reportrun": " OR ".join(
        (
            "(SELECT coalesce(current_setting('equalex.system', true) = 'on', false))",
            f"school_id = ANY ({SCHOOL_IDS}::bigint[])",
            "(learner_id IS NULL AND hub_id = (SELECT CASE WHEN current_setting('equalex.role',"
            " true) = 'hub_lead' THEN " + _SETTING.format(name="hub_id") + "::bigint END))",
            "(kind = 'hub_dashboard' AND status = 'done' AND (SELECT coalesce("
            "current_setting('equalex.role', true) = 'national_analyst', false)))",
            f"(kind = 'school_b6' AND school_id = ANY ({TRUST_SCHOOL_IDS}::bigint[]))",
        )
    ),
}
POLICY_NAME = "equalex_actor_scope"

# Numbers about an opportunity counted over every school's nominations (places held): the
# function runs as its owner, past the policies, and returns the count alone.
NOMINATIONS_COUNTED = "equalex_nominations_counted"
FUNCTIONS = [
    f"CREATE OR REPLACE FUNCTION {NOMINATIONS_COUNTED}(opportunity bigint, statuses text[]) "  # noqa: S608
    "RETURNS integer LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, public "
    "AS $$ SELECT count(*)::integer FROM employers_nomination "
    "WHERE opportunity_id = opportunity AND status = ANY(statuses) $$",
    *(_employer_function(name, query) for name, query in _EMPLOYER_LISTS.items()),
]


def policy_statements(tables=None) -> list[str]:
    """SQL that (re)creates the policies (of `tables`, or every one): run by migrations,
    idempotent. A migration names the tables that exist at its point in the history."""
    statements = list(FUNCTIONS)
    for table, expression in POLICIES.items():
        if tables is not None and table not in tables:
            continue
        statements += [
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}",
            # FOR ALL: USING hides rows from reads, updates and deletes; the same expression
            # checks new and changed rows (an insert into another school fails loudly).
            f"CREATE POLICY {POLICY_NAME} ON {table} FOR ALL USING ({expression})",
        ]
    return statements


def app_role() -> str:
    """The role every application statement runs as; empty when the wall is off (SQLite)."""
    return getattr(settings, "EQUALEX_DB_APP_ROLE", "") or ""


def grant_statements(role: str) -> list[str]:
    """Privileges the application role needs: data, not schema. Idempotent."""
    return [
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
        # Tables later migrations create (as this same owner) get the same grants.
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE "
        f"ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE "
        f"ON SEQUENCES TO {role}",
    ]


def ensure_app_role(cursor, role: str) -> None:
    """Create the application role if it is missing: no login, not an owner, no BYPASSRLS.
    The login role (the owner) must be allowed to SET ROLE to it, which a superuser or a
    role with CREATEROLE that creates it is."""
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    if cursor.fetchone() is None:
        # Roles are the cluster's: another database's migration may create it meanwhile.
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN NOSUPERUSER NOBYPASSRLS; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    (is_superuser,) = cursor.fetchone()
    if not is_superuser:
        cursor.execute(f"GRANT {role} TO current_user")


# --- what each statement carries ------------------------------------------------------

_past_the_wall: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "equalex_rls_bypass", default=None
)
_as_owner: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "equalex_rls_owner", default=None
)


@contextmanager
def past_the_wall(reason: str):
    """Statements inside see every pupil row, whoever acts: for writes that must reach
    past the actor's rows by design (the progress ledger of pupils an employer's
    attendance touched, a pupil moving school). The ORM's bypass, all_tenants_UNSCOPED,
    uses it for its own queries. Say why."""
    if not reason:
        raise ValueError("Say why the statements need every pupil row.")
    token = _past_the_wall.set(reason)
    try:
        yield
    finally:
        _past_the_wall.reset(token)


@contextmanager
def as_table_owner(reason: str):
    """Statements inside run as the login role, which owns the tables: migrations, flush,
    ANALYZE. Nothing that serves a request or a task may use it."""
    token = _as_owner.set(reason)
    try:
        yield
    finally:
        _as_owner.reset(token)


def settings_for(actor) -> dict[str, str]:
    """The actor, as the equalex.* settings the policies read."""
    values = {
        "role": "",
        "hub_id": "",
        "school_id": "",
        "school_ids": "",
        "trust_school_ids": "",
        "employer_id": "",
        "learner_id": "",
        "purpose": "",
        "system": "",
    }
    if actor is None:
        return values
    if actor.sees_everything:
        values["system"] = "on"
    if actor.role is not None:
        values["role"] = str(actor.role.value)
    if actor.hub_id is not None:
        values["hub_id"] = str(int(actor.hub_id))
    if actor.school_id is not None:
        values["school_id"] = str(int(actor.school_id))
        values["school_ids"] = str(int(actor.school_id))
    if actor.trust_school_ids:
        # As access.rules._trust_pupils: named rows only of the schools that grant them.
        trust_schools = ",".join(str(int(pk)) for pk in actor.trust_school_ids)
        named = actor.trust_school_ids
        if actor.purpose != "aggregates":
            named = actor.trust_named_pupil_school_ids
        values["school_ids"] = ",".join(str(int(pk)) for pk in named)
        values["trust_school_ids"] = trust_schools
    if actor.employer_id is not None:
        values["employer_id"] = str(int(actor.employer_id))
    if actor.learner_id is not None:
        values["learner_id"] = str(int(actor.learner_id))
    if actor.purpose == "aggregates":
        values["purpose"] = "aggregates"
    return values


_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyz_0123456789,")


def scope_sql(role: str, actor, *, fresh: bool = False) -> str:
    """The statement prefix: the application role and the actor's settings, local to the
    transaction the statement runs in.

    fresh: the statement opens its transaction (autocommit, or the first statement after
    BEGIN), which starts with the login role and no equalex.* settings (nothing here ever
    sets them at session level), so only what differs from that is set. Inside an open
    transaction a previous statement's values are still there: everything is set again.
    """
    values = settings_for(actor)
    if _past_the_wall.get() is not None:
        values["system"] = "on"
    elif actor is None and getattr(settings, "EQUALEX_DB_NO_ACTOR_SEES_ALL", False):
        # Tests only (tests/conftest.py): their own set-up and assertions outside any
        # request, task or acting_as read as before; requests and tasks keep their actor.
        values["system"] = "on"
    # System statements skip the role switch ('none' is the login role): where the login
    # role owns the tables (the default deployment, CI, the benches) they bypass the
    # policies outright, so the planner never sees a policy it cannot rule out; behind a
    # pooler whose login role owns nothing, equalex.system = 'on' lets them see every row.
    switch = "none" if values["system"] == "on" else role
    calls = [] if fresh and switch == "none" else [f"set_config('role', '{switch}', true)"]
    for name, value in values.items():
        if fresh and not value:
            continue
        # Values are ids, role names and fixed words, checked here because they are
        # written into the statement as literals (so the statement's own placeholders,
        # positional or named, stay as they are).
        if not _ALLOWED.issuperset(value):
            raise ValueError(f"Unexpected character in equalex.{name}: {value!r}")
        calls.append(f"set_config('equalex.{name}', '{value}', true)")
    return "SELECT " + ", ".join(calls) + "; "


_TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK")


def with_actor_scope(execute, sql, params, many, context):
    """The execute wrapper installed on every application connection (see install)."""
    role = app_role()
    if not role or _as_owner.get() is not None or not isinstance(sql, str):
        return execute(sql, params, many, context)
    if sql.lstrip()[:9].upper().startswith(_TRANSACTION_CONTROL):
        # Savepoints touch no rows, and a rollback must run even in a failed transaction.
        return execute(sql, params, many, context)
    if not any(table in sql for table in POLICIES):
        # A statement that names no pupil-level table cannot read or write one (no
        # views, triggers or database-level cascades lead there), so it needs neither
        # the role nor the actor: most of a page's statements (session, user, hub, audit)
        # skip the prefix and its cost.
        return execute(sql, params, many, context)
    raw = context["connection"].connection
    status = raw.info.transaction_status if raw is not None else None
    if status == 3:  # TRANSACTION_STATUS_INERROR
        return execute(sql, params, many, context)
    from .context import current_actor_or_none

    # The prefix's literals have no % of their own, so the driver's interpolation of the
    # statement's parameters is unchanged.
    fresh = status == 0  # TRANSACTION_STATUS_IDLE: this statement opens a transaction
    prefix = scope_sql(role, current_actor_or_none(), fresh=fresh)
    return execute(prefix + sql, params, many, context)


def install(sender=None, connection=None, **kwargs):
    """connection_created receiver: wrap the new connection's statements."""
    from django.db.backends.base.base import NO_DB_ALIAS

    if connection is None or connection.vendor != "postgresql":
        return
    if connection.alias == NO_DB_ALIAS:  # creating or dropping databases: the owner's work
        return
    if with_actor_scope not in connection.execute_wrappers:
        connection.execute_wrappers.insert(0, with_actor_scope)
