"""What a process serving requests does once it is loaded."""

import gc

from django.urls import get_resolver


def freeze_loaded_objects() -> None:
    """Import every view now rather than on the first request, then set the objects loaded so
    far aside from the garbage collector. Otherwise each full collection walks the ~190,000
    objects of the loaded project: a pause of about 90 ms every forty requests or so, which
    lands on whichever request is running (docs/performance.md). Called by ``config/wsgi.py``
    (each gunicorn worker) and by the bench before its in-process pages."""
    get_resolver().url_patterns  # noqa: B018 -- imports the URLconf and every view
    gc.collect()
    gc.freeze()
