from django.db import models
from django.utils.translation import gettext_lazy as _


class Theme(models.Model):
    """A mission theme (reference data). ``code`` is stable; the name is translated in the UI."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=150)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name"]

    def __str__(self):
        return str(self.label)

    @property
    def label(self):
        from .themes import THEME_LABELS

        return THEME_LABELS.get(self.code, self.name)
