"""The second wall: PostgreSQL row-level security on pupil-level tables (access.rls).

Every query here is raw SQL through Django's connection that forgets every filter, so
nothing but the database's policies decides which rows come back.
"""

import pytest
from django.db import connection, transaction

from access.actor import Actor, actor_for_user, system_actor
from access.context import acting_as, all_tenants_UNSAFE
from access.rls import POLICIES, past_the_wall
from access.roles import Role
from tests.employer_world import make_nomination, make_opportunity

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is PostgreSQL's"
)

PUPIL_TABLES = [table for table in POLICIES if table != "reports_reportrun"]


def rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# What a statement that names a pupil-level table runs as: these probes read only the
# role and settings, so they name one in a comment (statements naming none skip the
# prefix, see test_a_statement_naming_no_pupil_table_runs_without_the_prefix).
PUPIL_TABLE_NAMED = " /* learners_learner */"


def probe(sql):
    return rows(sql + PUPIL_TABLE_NAMED)


def schools_seen(table):
    return {school_id for (school_id,) in rows(f"SELECT school_id FROM {table}")}


def actor(world_side, role):
    return actor_for_user(world_side.users[role])


@pytest.fixture
def nominated(world):
    """Side A's employer has nominations from both of A's schools; B's employer none."""
    opportunity = make_opportunity(world.a.employer, [world.a.hub])
    make_nomination(opportunity, world.a.pupil)
    make_nomination(opportunity, world.a.sibling_pupil)
    other = make_opportunity(world.a.sibling_employer, [world.a.hub])
    make_nomination(other, world.b.pupil)  # B's pupil, nominated to A's other employer
    from datetime import date

    from employers.models import ParentalConsent
    from learners.models import PupilProgress, SkillRating
    from outcomes.models import Skill

    with all_tenants_UNSAFE("test consent, ratings and ledger"):
        skill = Skill.objects.first()
        for side in world.sides():
            for pupil in (side.pupil, side.sibling_pupil):
                common = {"hub_id": pupil.hub_id, "school_id": pupil.school_id, "learner": pupil}
                SkillRating.objects.create(
                    **common, skill=skill, step=3, rater="self", rated_on=date(2025, 10, 2)
                )
                PupilProgress.objects.create(
                    **common, counted_by="test", counted_on=date(2025, 10, 2)
                )
        # Pupil voice: an account, a reflection and an interest of a pupil in each hub.
        from pupils.models import OpportunityInterest, Reflection

        for side in world.sides():
            common = {"hub_id": side.hub.pk, "school_id": side.school.pk}
            Reflection.objects.create(
                **common,
                participation=side.participation,
                learner=side.pupil,
                what_i_did="Did",
                what_i_learned="Learned",
            )
            OpportunityInterest.objects.create(
                **common, learner=side.pupil, opportunity=opportunity, why="Why"
            )
        for nomination in opportunity.nominations.all():
            ParentalConsent.objects.create(
                hub_id=nomination.hub_id,
                school_id=nomination.school_id,
                nomination=nomination,
                token_digest=f"digest-{nomination.pk}",
            )
    return opportunity


def test_statements_run_as_a_role_that_neither_owns_the_tables_nor_bypasses_the_policies(
    world,
):
    with acting_as(actor(world.a, Role.CAREERS_LEADER)):
        [(user, superuser, bypass)] = probe(
            "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        owners = {
            owner
            for (owner,) in rows(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE tablename = ANY(%s)",
                [list(POLICIES)],
            )
        }
        enabled = rows(
            "SELECT bool_and(relrowsecurity) FROM pg_class WHERE relname = ANY(%s)",
            [list(POLICIES)],
        )
    assert user == "equalex_app"
    assert not superuser and not bypass
    assert user not in owners
    assert enabled == [(True,)]


def test_a_school_sees_only_its_own_pupil_rows_even_when_the_query_forgets_every_filter(
    world, nominated
):
    with all_tenants_UNSAFE("test: what is there"):
        everywhere = {table: schools_seen(table) for table in PUPIL_TABLES}
    # The world has rows of several schools in every table, so hiding is not emptiness.
    assert all(len(schools) >= 2 for schools in everywhere.values()), everywhere
    for role in (Role.CAREERS_LEADER, Role.SCHOOL_STAFF):
        with acting_as(actor(world.a, role)):
            for table in PUPIL_TABLES:
                assert schools_seen(table) <= {world.a.school.pk}, (role, table)
            assert rows("SELECT count(*) FROM learners_learner") == [(1,)]
            assert rows("SELECT id FROM learners_learner WHERE upn = %s", [world.b.pupil.upn]) == []


def test_report_runs_follow_the_access_rules(world):
    with acting_as(actor(world.a, Role.CAREERS_LEADER)):
        assert schools_seen("reports_reportrun") == {world.a.school.pk}
    with acting_as(actor(world.b, Role.SCHOOL_STAFF)):
        assert schools_seen("reports_reportrun") == {world.b.school.pk}
    with acting_as(actor(world.a, Role.HUB_LEAD)):
        hubs = {hub for (hub,) in rows("SELECT hub_id FROM reports_reportrun")}
        assert hubs == {world.a.hub.pk}
    with acting_as(actor(world.a, Role.EMPLOYER)):
        assert rows("SELECT id FROM reports_reportrun") == []


def test_no_actor_sees_no_pupil_rows(world, settings):
    settings.EQUALEX_DB_NO_ACTOR_SEES_ALL = False  # as outside the tests
    for table in POLICIES:
        assert rows(f"SELECT count(*) FROM {table}") == [(0,)], table


def test_a_hub_lead_sees_its_hubs_pupils_only_for_totals(world):
    lead = actor(world.a, Role.HUB_LEAD)
    with acting_as(lead):
        for table in PUPIL_TABLES:
            assert schools_seen(table) == set(), table
    with acting_as(lead.for_aggregates()):
        assert schools_seen("learners_learner") == {world.a.school.pk, world.a.sibling_school.pk}
        assert schools_seen("learners_participation") == {
            world.a.school.pk,
            world.a.sibling_school.pk,
        }


def test_a_national_analyst_sees_every_pupil_only_for_totals(world):
    analyst = actor_for_user(world.national_analyst)
    with acting_as(analyst):
        assert rows("SELECT count(*) FROM learners_learner") == [(0,)]
    with acting_as(analyst.for_aggregates()):
        assert rows("SELECT count(*) FROM learners_learner") == [(4,)]


def test_an_employer_reaches_pupils_only_through_its_own_nominations(world, nominated):
    with acting_as(actor(world.a, Role.EMPLOYER)):
        learners = {pk for (pk,) in rows("SELECT id FROM learners_learner")}
        nominations = rows("SELECT learner_id FROM employers_nomination")
        consents = rows("SELECT count(*) FROM employers_parentalconsent")
        participations = {pk for (pk,) in rows("SELECT id FROM learners_participation")}
        ledger = rows("SELECT count(*) FROM learners_pupilprogress")
        ratings = rows("SELECT count(*) FROM learners_skillrating")
    assert learners == {world.a.pupil.pk, world.a.sibling_pupil.pk}
    assert {pk for (pk,) in nominations} == learners
    assert consents == [(2,)]
    # The participations of the experiences it took part in, not its pupils' others.
    assert participations == {world.a.participation.pk}
    assert ledger == [(0,)] and ratings == [(0,)]
    with acting_as(actor(world.b, Role.EMPLOYER)):
        assert rows("SELECT count(*) FROM learners_learner") == [(0,)]
        assert rows("SELECT count(*) FROM employers_nomination") == [(0,)]


def test_a_school_cannot_write_a_pupil_row_into_another_school(world):
    from django.db.utils import ProgrammingError

    with acting_as(actor(world.a, Role.CAREERS_LEADER)):
        with pytest.raises(ProgrammingError, match="row-level security"), transaction.atomic():
            rows(
                "UPDATE learners_learner SET school_id = %s WHERE id = %s RETURNING id",
                [world.b.school.pk, world.a.pupil.pk],
            )
        # Another school's row is not there to change.
        assert (
            rows(
                "UPDATE learners_learner SET surname = 'X' WHERE id = %s RETURNING id",
                [world.b.pupil.pk],
            )
            == []
        )


def test_the_orms_explicit_bypass_passes_the_database_wall_too_and_nothing_else_does(world):
    from learners.models import Learner

    with acting_as(actor(world.a, Role.CAREERS_LEADER)):
        assert Learner.all_tenants_UNSCOPED.count() == 4
        assert Learner.objects.count() == 1
        # The bypass covers its own statements only, not the raw SQL around them.
        assert rows("SELECT count(*) FROM learners_learner") == [(1,)]
        with past_the_wall("test"):
            assert rows("SELECT count(*) FROM learners_learner") == [(4,)]
        assert rows("SELECT count(*) FROM learners_learner") == [(1,)]
    with acting_as(system_actor("test")):
        assert rows("SELECT count(*) FROM learners_learner") == [(4,)]


def test_actors_following_each_other_on_one_connection_and_transaction_never_share_rows(
    world,
):
    # The whole test runs in one transaction on one connection: each statement sets its
    # own actor, so nothing of the previous actor's stays.
    a, b = actor(world.a, Role.CAREERS_LEADER), actor(world.b, Role.CAREERS_LEADER)
    for _ in range(2):
        with acting_as(a):
            assert schools_seen("learners_learner") == {world.a.school.pk}
            with acting_as(b):
                assert schools_seen("learners_learner") == {world.b.school.pk}
            assert schools_seen("learners_learner") == {world.a.school.pk}


@pytest.mark.django_db(transaction=True)
def test_in_autocommit_the_settings_end_with_their_statement():
    """Outside a transaction each statement and its settings are one transaction: what a
    transaction pooler needs (nothing is left on the server connection)."""
    staff = Actor(role=Role.SCHOOL_STAFF, school_id=1, hub_id=1)
    with acting_as(staff):
        assert probe("SELECT current_setting('equalex.school_ids', true), current_user") == [
            ("1", "equalex_app")
        ]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:  # the driver's own cursor: no prefix
        cursor.execute("SELECT current_setting('equalex.system', true), current_user")
        system, user = cursor.fetchone()
    assert system in ("", None)
    assert user == connection.settings_dict["USER"]


def test_system_statements_run_as_the_login_role_that_owns_the_tables(world):
    with acting_as(actor(world.a, Role.CAREERS_LEADER)), transaction.atomic():
        assert probe("SELECT current_user") == [("equalex_app",)]
        # Even later in the same transaction, a system statement is the owner's again.
        with all_tenants_UNSAFE("test"):
            assert probe("SELECT current_user, current_setting('equalex.system')") == [
                (connection.settings_dict["USER"], "on")
            ]
        assert probe("SELECT current_user") == [("equalex_app",)]


def test_the_policies_leave_the_querys_own_index_usable(world):
    with acting_as(actor(world.a, Role.CAREERS_LEADER)), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            line
            for (line,) in rows(
                "EXPLAIN SELECT * FROM learners_participation WHERE school_id = %s",
                [world.a.school.pk],
            )
        )
    assert "Seq Scan" not in plan, plan
    assert "Index" in plan and "InitPlan" in plan, plan


def test_a_trust_lead_sees_named_rows_only_of_the_schools_that_grant_them(world, nominated):
    from schools.models import TrustPupilAccess

    lead = actor(world.a, Role.TRUST_LEAD)  # Trust A holds School A1 only
    with acting_as(lead):
        for table in PUPIL_TABLES:
            assert schools_seen(table) == set(), table  # no grant: no named rows
    with acting_as(lead.for_aggregates()):
        assert schools_seen("learners_learner") == {world.a.school.pk}  # totals: its school
    with all_tenants_UNSAFE("test: the school grants its trust"):
        TrustPupilAccess.objects.create(
            school=world.a.school, hub=world.a.hub, trust_id=world.a.school.trust_id
        )
    with acting_as(actor(world.a, Role.TRUST_LEAD)):
        for table in PUPIL_TABLES:
            assert schools_seen(table) <= {world.a.school.pk}, table
        assert schools_seen("learners_learner") == {world.a.school.pk}
        assert rows("SELECT id FROM learners_learner WHERE upn = %s", [world.b.pupil.upn]) == []


def test_a_statement_naming_no_pupil_table_runs_without_the_prefix(world):
    with acting_as(actor(world.a, Role.CAREERS_LEADER)):
        assert rows("SELECT current_user, current_setting('equalex.role', true)") == [
            (connection.settings_dict["USER"], "")
        ]
        assert probe("SELECT current_user, current_setting('equalex.role', true)") == [
            ("equalex_app", "careers_leader")
        ]


PUPIL_VOICE_TABLES = ["pupils_pupilaccount", "pupils_reflection", "pupils_opportunityinterest"]


def test_pupil_voice_rows_reach_only_the_schools_staff_and_the_pupil_themselves(world, nominated):
    from access.context import acting_as as acting
    from schools.models import TrustPupilAccess

    with all_tenants_UNSAFE("test: the trust lead is granted side A's pupils"):
        TrustPupilAccess.objects.create(
            school=world.a.school, hub=world.a.hub, trust=world.a.school.trust
        )
    # Totals and granted named pupils reach other pupil-level tables, never these.
    for who in (
        actor(world.a, Role.HUB_LEAD).for_aggregates(),
        actor(world.a, Role.NATIONAL_ANALYST).for_aggregates(),
        actor(world.a, Role.TRUST_LEAD),
        actor(world.a, Role.TRUST_LEAD).for_aggregates(),
        actor(world.a, Role.EMPLOYER),
    ):
        with acting(who):
            for table in PUPIL_VOICE_TABLES:
                assert rows(f"SELECT count(*) FROM {table}") == [(0,)], (who.role, table)
    with acting(actor(world.a, Role.PUPIL)):
        for table in PUPIL_VOICE_TABLES:
            assert schools_seen(table) == {world.a.school.pk}, table
        [(learner,)] = rows("SELECT DISTINCT learner_id FROM pupils_reflection")
        assert learner == world.a.pupil.pk
        assert rows("SELECT count(*) FROM learners_learner") == [(1,)]
