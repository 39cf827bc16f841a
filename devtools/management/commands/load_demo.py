from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from devtools.demo import demo_usernames, load_demo


class Command(BaseCommand):
    help = "Load the demo data built from the seed texts (idempotent; refused when DEBUG is off)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "load_demo refuses to run with DEBUG off: demo data is not for production."
            )
        load_demo()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"Demo logins (password: {settings.DEMO_PASSWORD!r}): admin, "
            + ", ".join(demo_usernames())
        )
