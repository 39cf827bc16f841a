"""core.models.QuickChoiceLabels: ``get_FOO_display()`` from a table built once per field says
what Django's own method says, in every language, for every model with choices."""

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from core.models import QuickChoiceLabels

APPS = {"core", "agencies", "volunteers", "exchanges", "missions", "evaluations", "reports",
        "voice", "programmes", "dashboard", "api"}  # fmt: skip
OURS = [
    model
    for model in apps.get_models()
    if model._meta.app_label in APPS and not model.__name__.startswith("Historical")
]
WITH_CHOICES = [
    (model, field)
    for model in OURS
    for field in model._meta.fields
    if isinstance(field.choices, list)
]


def test_every_model_with_choices_in_the_code_reads_its_labels_from_the_table():
    with_choices = {model for model, _ in WITH_CHOICES}
    assert len(with_choices) > 20
    assert [m.__name__ for m in with_choices if not issubclass(m, QuickChoiceLabels)] == []


@pytest.mark.parametrize("language", ["fr", "en", "es"])
def test_the_labels_are_djangos(language):
    with translation.override(language):
        for model, field in WITH_CHOICES:
            display = getattr(model, f"get_{field.name}_display")
            for value in [*(v for v, _ in field.flatchoices), "not-a-choice", None]:
                instance = model(**{field.attname: value})
                assert display(instance) == models.Model._get_FIELD_display(instance, field), (
                    model,
                    field.name,
                    value,
                )


def test_the_label_follows_the_language():
    from reports.models import Report

    report = Report(status="done")
    with translation.override("fr"):
        french = report.get_status_display()
    with translation.override("en"):
        english = report.get_status_display()
    assert (french, english) == ("Terminé", "Done")
