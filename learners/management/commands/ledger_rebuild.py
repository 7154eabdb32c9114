from django.core.management.base import BaseCommand

from access.context import all_tenants_UNSAFE
from learners.ledger import ledger_rebuild


class Command(BaseCommand):
    help = (
        "Count every pupil's progress ledger row from raw (first deployment, or after data "
        "loaded past the services). Safe while the platform runs: a school at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hub", type=int, action="append", help="Only this hub (repeat).")

    def handle(self, *args, hub=None, **options):
        with all_tenants_UNSAFE("progress ledger rebuild"):
            for result in ledger_rebuild(hub):
                state = "current" if result.current else "rules changed meanwhile: recount again"
                self.stdout.write(
                    f"hub {result.hub_id}: {result.schools} schools, {result.pupils} pupils, "
                    f"{state}"
                )
