# The name indexes carry the search text: a search walks the name order without reading the
# table (volunteers.selectors.SearchReader). The new ones first, then the old.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0006_alter_downloadrecord_kind'),
        ('volunteers', '0020_volunteer_search_text'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='volunteer',
            index=models.Index(fields=['sending_agency', 'last_name', 'first_name', 'id'], include=('search_text', 'status', 'anonymised_at'), name='volunteer_agency_name_search'),
        ),
        migrations.AddIndex(
            model_name='volunteer',
            index=models.Index(fields=['last_name', 'first_name', 'id'], include=('search_text',), name='volunteer_name_search'),
        ),
        migrations.RemoveIndex(
            model_name='volunteer',
            name='volunteer_agency_name_idx',
        ),
        migrations.RemoveIndex(
            model_name='volunteer',
            name='volunteer_name_idx',
        ),
    ]
