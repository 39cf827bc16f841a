"""Rules that apps above ``missions`` add to a volunteer's nomination and confirmation: a
programme's scheme (Service Civique, VSI…) has its own ages and experience. Each check is named
by its dotted path in ``settings.NOMINATION_CHECKS`` (as Django names password validators), takes
(mission, volunteer, periods) and raises ``DomainError``; ``missions`` imports nothing from
above."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from django.conf import settings
from django.utils.module_loading import import_string


def checks() -> Iterator[Callable]:
    for path in getattr(settings, "NOMINATION_CHECKS", ()):
        yield import_string(path)
