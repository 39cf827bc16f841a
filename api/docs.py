"""The schema's view (in English), the reference page read from it, and the token scheme it
documents."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView

from . import reference as ref
from . import schema

# drf-spectacular learns the token scheme when the module declaring it is loaded.
TOKEN_SCHEME = schema.TokenScheme


@extend_schema(exclude=True)
class EnglishSchemaView(SpectacularAPIView):
    """The schema is written in English whatever the request's language (its titles come from
    the models' translated verbose names)."""

    def dispatch(self, request, *args, **kwargs):
        with schema.GENERATION, translation.override("en"):
            response = super().dispatch(request, *args, **kwargs)
            response.render()
        return response


@login_not_required
@require_GET
def reference(request):
    """The API reference for people: public, like the schema it is read from."""
    return render(request, "api/reference.html", {"api": ref.reference()})
