import json

from django.core.management.base import BaseCommand, CommandError

from core.health import check_broker, check_database


class Command(BaseCommand):
    help = "Check the database and the broker, as /healthz does; exit 1 if one fails."

    def handle(self, *args, **options):
        checks = {"database": check_database(), "broker": check_broker()}
        self.stdout.write(json.dumps(checks))
        if not all(check["ok"] for check in checks.values()):
            raise CommandError("unhealthy")
