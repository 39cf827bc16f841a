"""The mission themes of the reference data, with translatable labels (DESIGN.md, seeds/)."""

from django.utils.translation import gettext_lazy as _

THEME_LABELS = {
    "ecology": _("Ecology and sustainable development"),
    "health": _("Prevention and health"),
    "school-dropout": _("Fight against school drop-out and solidarity work camps"),
    "global-citizenship": _("Education for development and international solidarity"),
    "education": _("Education"),
    "environment": _("Environment"),
    "decentralisation": _("Support to decentralisation"),
}


def theme_label(code: str, name: str):
    """A theme's label: its translation when the code is one of the reference themes."""
    return THEME_LABELS.get(code, name)
