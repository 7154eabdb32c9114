"""Row-level security on the pupil-voice tables, and the pupil's own-record branch on the
pupil-level tables (access.rls.PUPIL_LEARNER): the policies are recreated as they now are."""

from django.db import migrations


# The tables whose policies this migration (re)creates, frozen at this point of the
# history: the pupil-level tables gain the pupil's own-record branch, the pupil-voice
# tables get theirs. A later migration names its own.
TABLES = (
    "learners_learner",
    "learners_participation",
    "learners_skillrating",
    "learners_pupilprogress",
    "pupils_pupilaccount",
    "pupils_reflection",
    "pupils_opportunityinterest",
)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from access import rls

    with connection.cursor() as cursor:
        for statement in rls.policy_statements(TABLES):
            cursor.execute(statement)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from access import rls

    with connection.cursor() as cursor:
        for table in ("pupils_pupilaccount", "pupils_reflection", "pupils_opportunityinterest"):
            cursor.execute(f"DROP POLICY IF EXISTS {rls.POLICY_NAME} ON {table}")
            cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [
        ("pupils", "0001_initial"),
        ("access", "0006_audit_user_without_constraint"),
        ("learners", "0010_skillrating_moment"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
