"""Accent-insensitive search (issue 18): the volunteers' names searched whatever their accents: GIN trigram indexes on
``UPPER(f_unaccent(column))``, the expression of ``column__unaccented__icontains``
(``core.search``), which replace the plain ``UPPER(column)`` ones of 0002 (the e-mail keeps its own). PostgreSQL only; the model state does not change."""

from django.db import migrations

from core.search import unaccent_index_operations

NEW = {
    "volunteer_first_name_unaccent_trgm": ("volunteers_volunteer", "first_name"),
    "volunteer_last_name_unaccent_trgm": ("volunteers_volunteer", "last_name"),
}
OLD = {
    "volunteer_first_name_trgm": ("volunteers_volunteer", "first_name"),
    "volunteer_last_name_trgm": ("volunteers_volunteer", "last_name"),
}


class Migration(migrations.Migration):
    dependencies = [("volunteers", "0016_export_csv_separator"), ("core", "0005_unaccent_search_function")]

    operations = unaccent_index_operations(NEW, OLD)
