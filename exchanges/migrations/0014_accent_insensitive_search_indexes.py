"""Accent-insensitive search (issue 18): agreements' titles searched whatever their accents: GIN trigram indexes on
``UPPER(f_unaccent(column))``, the expression of ``column__unaccented__icontains``
(``core.search``). PostgreSQL only; the model state does not change."""

from django.db import migrations

from core.search import unaccent_index_operations

NEW = {"agreement_title_unaccent_trgm": ("exchanges_agreement", "title")}
OLD = {}


class Migration(migrations.Migration):
    dependencies = [("exchanges", "0013_approval_asked_once_per_version"), ("core", "0005_unaccent_search_function")]

    operations = unaccent_index_operations(NEW, OLD)
