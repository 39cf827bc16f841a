from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """One row, touched by a periodic task: tells whether a Celery worker is running."""

    last_seen = models.DateTimeField(_("last seen"))
    hostname = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.hostname} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class DataVersion(models.Model):
    """A counter per kind of data, raised after each transaction that changed it commits.

    Cached pages and aggregates are keyed by it (``core.versions``): the next request after a
    change misses the cache and recomputes, whichever process serves it.
    """

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    value = models.PositiveBigIntegerField(_("value"), default=0)

    class Meta:
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.name} v{self.value}"
