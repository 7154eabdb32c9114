"""Row-level security on pupil-level tables: the second wall (access.rls)."""

from django.db import migrations


# The pupil-level tables at this point of the history (later apps' tables get their
# policies from their own migrations: pupils.0002).
TABLES = (
    "learners_learner",
    "learners_participation",
    "learners_skillrating",
    "learners_pupilprogress",
    "employers_nomination",
    "employers_parentalconsent",
    "reports_reportrun",
)


def forwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from access import rls

    with connection.cursor() as cursor:
        role = rls.app_role()
        if role:
            rls.ensure_app_role(cursor, role)
            for statement in rls.grant_statements(role):
                cursor.execute(statement)
        for statement in rls.policy_statements(TABLES):
            cursor.execute(statement)


def backwards(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    from access import rls

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DROP POLICY IF EXISTS {rls.POLICY_NAME} ON {table}")
            cursor.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0004_audit_log_export_and_sign_in_actions"),
        ("learners", "0008_leavers"),
        ("employers", "0007_privacy_help_texts"),
        ("reports", "0003_privacy_help_texts"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
