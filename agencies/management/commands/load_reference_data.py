from django.core.management.base import BaseCommand

from agencies.reference import load_reference_data


class Command(BaseCommand):
    help = "Create or update the reference agencies and mission themes (idempotent)."

    def handle(self, *args, **options):
        load_reference_data()
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
