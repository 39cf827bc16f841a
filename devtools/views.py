from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def bare(request):
    """The base template without a query: the benchmark's ceiling of the stack (make bench)."""
    return render(request, "base.html")
