"""On-demand quota reports, from the agreement page (one agreement) and the reports page (the
acting agency's agreements, or all of them for administrators)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.csv import DELIMITER_CHOICES
from core.dates import validate_year
from core.errors import DomainError

from .quota_report import quota_report_request, quota_report_scope


class QuotaReportForm(forms.Form):
    SCOPES = [("agreement", gettext_lazy("This agreement")),
              ("agency", gettext_lazy("My agency’s agreements")),
              ("all", gettext_lazy("All agreements"))]  # fmt: skip

    scope = forms.ChoiceField(label=gettext_lazy("Scope"), choices=SCOPES)
    agreement = forms.IntegerField(required=False, widget=forms.HiddenInput)
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=[("pdf", "PDF"), ("csv", "CSV")], initial="pdf"
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    first_year = forms.IntegerField(
        label=gettext_lazy("Cohorts from"), required=False, validators=[validate_year]
    )
    last_year = forms.IntegerField(
        label=gettext_lazy("Cohorts to"), required=False, validators=[validate_year]
    )
    threshold = forms.IntegerField(
        label=gettext_lazy("Imbalance threshold (volunteers)"),
        help_text=gettext_lazy("Empty: each agreement’s own threshold."),
        required=False,
        min_value=0,
        max_value=1000,
    )
    delimiter = forms.ChoiceField(
        label=gettext_lazy("CSV separator"), choices=DELIMITER_CHOICES, required=False
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("first_year"), cleaned.get("last_year")
        if first and last and first > last:
            self.add_error("last_year", _("The last cohort year comes before the first."))
        if cleaned.get("scope") == "agreement" and not cleaned.get("agreement"):
            self.add_error("scope", _("Choose an agreement."))
        return cleaned


@require_POST
def quota_report_create(request):
    form = QuotaReportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("reports:index")
    data = form.cleaned_data
    membership = request.membership
    agreement, agency = quota_report_scope(
        user=request.user,
        scope=data["scope"],
        agreement_id=data["agreement"],
        acting_agency=membership.agency if membership else None,
    )
    try:
        report = quota_report_request(
            user=request.user,
            agreement=agreement,
            agency=agency,
            file_format=data["file_format"],
            language=data["language"],
            first_year=data["first_year"],
            last_year=data["last_year"],
            threshold=data["threshold"],
            delimiter=data["delimiter"],
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("reports:index")
    if report.enqueued is False:
        messages.warning(
            request,
            _(
                "The task service cannot be reached: your report is recorded as queued and will "
                "be produced as soon as it is back."
            ),
        )
    else:
        messages.success(request, _("Report requested."))
    return redirect("reports:detail", report.pk)
