"""Accent-insensitive search (issue 18): missions (title, city) and host structures (name, city) searched whatever their accents: GIN trigram indexes on
``UPPER(f_unaccent(column))``, the expression of ``column__unaccented__icontains``
(``core.search``), which replace the plain ``UPPER(column)`` ones of 0008. PostgreSQL only; the model state does not change."""

from django.db import migrations

from core.search import unaccent_index_operations

NEW = {
    "mission_title_unaccent_trgm": ("missions_mission", "title"),
    "mission_city_unaccent_trgm": ("missions_mission", "city"),
    "hoststructure_name_unaccent_trgm": ("agencies_hoststructure", "name"),
    "hoststructure_city_unaccent_trgm": ("agencies_hoststructure", "city"),
}
OLD = {
    "mission_title_trgm": ("missions_mission", "title"),
    "mission_city_trgm": ("missions_mission", "city"),
    "hoststructure_name_trgm": ("agencies_hoststructure", "name"),
}


class Migration(migrations.Migration):
    dependencies = [("missions", "0012_checklists_for_confirmed_placements"), ("core", "0005_unaccent_search_function")]

    operations = unaccent_index_operations(NEW, OLD)
