import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Every view is imported now rather than by the first request, then the start-up's objects are
# set aside from the garbage collector. Otherwise each full collection walks the ~190,000
# objects of the loaded project: a pause of about 90 ms every forty requests or so, which
# lands on whichever request is running (docs/performance.md).
get_resolver().url_patterns  # noqa: B018 -- imports the URLconf and every view
gc.collect()
gc.freeze()
