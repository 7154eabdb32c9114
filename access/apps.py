from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "access"
    verbose_name = "Access and audit"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from . import checks, rls, signals  # noqa: F401

        # Every application connection's statements carry their actor (access.rls).
        connection_created.connect(rls.install, dispatch_uid="equalex-rls")
        post_migrate.connect(_grant_app_role, sender=self, dispatch_uid="equalex-rls-grants")


def _grant_app_role(using="default", **kwargs):
    """After every migrate: the application role may use every table, including any a
    later migration created (the owner's default privileges cover most; this covers all)."""
    from django.db import connections

    from . import rls

    connection = connections[using]
    role = rls.app_role()
    if connection.vendor != "postgresql" or not role:
        return
    with rls.as_table_owner("grants"), connection.cursor() as cursor:
        rls.ensure_app_role(cursor, role)
        for statement in rls.grant_statements(role):
            cursor.execute(statement)
