"""Django's migrate, run as the login role that owns the tables (access.rls): schema
changes and data migrations are the owner's work, not an actor's."""

from django.core.management.commands.migrate import Command as DjangoMigrate

from access.rls import as_table_owner


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        with as_table_owner("migrate"):
            return super().handle(*args, **options)
