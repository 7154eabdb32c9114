"""Create an API token for a user from the command line (operators, the demo's README)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from access.actor import actor_for_user
from access.context import acting_as
from api.services import api_token_create


class Command(BaseCommand):
    help = "Create an API token acting as a user in their first membership; prints it once."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="command line")
        parser.add_argument("--write", action="store_true", help="Read-write (default: read).")

    def handle(self, *args, email, name, write, **options):
        user = get_user_model().objects.filter(email__iexact=email).first()
        if user is None:
            raise CommandError(f"No user has the email {email}.")
        actor = actor_for_user(user)
        if actor.membership_id is None:
            raise CommandError(f"{email} has no membership, so a token could see nothing.")
        with acting_as(actor):
            token, secret = api_token_create(actor=actor, name=name, read_only=not write)
        access = "read-only" if token.read_only else "read-write"
        self.stderr.write(f"A {access} token for {email} as {token.membership}:")
        self.stdout.write(secret)
