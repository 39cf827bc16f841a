import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Membership
from core.dates import validate_date


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("The system that will use it, e.g. “National volunteer register”."),
    )
    role = forms.ChoiceField(
        label=_("Acts as"),
        choices=Membership.Role.choices,
        initial=Membership.Role.PARTNER,
        help_text=_("The token has the rights of a member of the agency with this role."),
    )
    expires_on = forms.DateField(
        label=_("Expires on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_date],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("expires_on", timezone.localdate() + datetime.timedelta(days=365))
