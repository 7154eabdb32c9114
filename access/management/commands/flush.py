"""Django's flush (tests between transactional cases), run as the owner of the tables:
TRUNCATE is the owner's, and the application role has no TRUNCATE privilege."""

from django.core.management.commands.flush import Command as DjangoFlush

from access.rls import as_table_owner


class Command(DjangoFlush):
    def handle(self, *args, **options):
        with as_table_owner("flush"):
            return super().handle(*args, **options)
