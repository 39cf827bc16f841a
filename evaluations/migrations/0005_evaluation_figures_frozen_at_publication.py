"""Published evaluation versions keep their figures as of publication (issue 18, point 2).

The versions published before this migration get theirs computed here, as near to their
publication as the database allows: the placements nominated and the follow-ups recorded up to
the moment of publication, with the status they have now (the earlier statuses are not kept).
The computation is written out with the migration's models rather than imported, so that it
stays what it was when the code changes (``evaluations.selectors.evaluation_figures`` is the one
used at publication).
"""

from django.conf import settings
from django.db import migrations, models
from django.db.models import Count

USED = ("confirmed", "deployed", "completed")


def figures_as_of_publication(evaluation, apps) -> dict:
    Quota = apps.get_model("exchanges", "Quota")
    Placement = apps.get_model("missions", "Placement")
    FollowUp = apps.get_model("missions", "FollowUp")
    Finding = apps.get_model("evaluations", "Finding")
    # A cohort is a year (exchanges 0012); an evaluation's cohort is a text naming one.
    cohort = evaluation.cohort.strip()
    quotas = list(
        Quota.objects.filter(
            agreement_id=evaluation.agreement_id, cohort=int(cohort) if cohort.isdigit() else None
        )
        .select_related("sending", "receiving")
        .order_by("sending__acronym")
    )
    placements = Placement.objects.filter(
        quota__in=quotas, nominated_at__lte=evaluation.published_at
    )
    used = dict(
        placements.filter(status__in=USED)
        .order_by()
        .values_list("quota")
        .annotate(n=Count("pk"))
    )
    by_outcome = placements.order_by("status").values_list("status").annotate(n=Count("pk"))
    follow_ups = (
        FollowUp.objects.filter(
            placement__quota__in=quotas,
            recorded_at__isnull=False,
            recorded_at__lte=evaluation.published_at,
        )
        .order_by("situation")
        .values_list("situation")
        .annotate(n=Count("pk"))
    )
    rows = []
    for q in quotas:
        places = q.places if q.approved_places is None else q.approved_places
        rows.append(
            {
                "sending": q.sending.acronym,
                "receiving": q.receiving.acronym,
                "places": places,
                "used": used.get(q.pk, 0),
                "remaining": places - used.get(q.pk, 0),
            }
        )
    recommendations = Finding.objects.filter(evaluation=evaluation, kind="recommendation")
    return {
        "quotas": rows,
        "placements_by_outcome": dict(by_outcome),
        "insertion_follow_ups": {situation or "": n for situation, n in follow_ups},
        "recommendations": {
            str(pk): status for pk, status in recommendations.values_list("pk", "follow_up")
        },
    }


def freeze_published(apps, schema_editor):
    Evaluation = apps.get_model("evaluations", "Evaluation")
    for evaluation in Evaluation.objects.filter(status="published", figures__isnull=True):
        evaluation.figures = figures_as_of_publication(evaluation, apps)
        evaluation.save(update_fields=["figures"])


class Migration(migrations.Migration):

    dependencies = [
        ('agencies', '0004_host_structure_duplicate_message'),
        ('evaluations', '0004_recommendation_owner_is_a_party'),
        ('exchanges', '0012_quota_cohort_is_a_year'),
        ('missions', '0012_checklists_for_confirmed_placements'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='evaluation',
            name='figures',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='figures at publication'),
        ),
        migrations.AddField(
            model_name='historicalevaluation',
            name='figures',
            field=models.JSONField(blank=True, editable=False, null=True, verbose_name='figures at publication'),
        ),
        migrations.RunPython(freeze_published, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='evaluation',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('figures__isnull', False), _connector='OR'), name='evaluation_published_has_figures'),
        ),
    ]
