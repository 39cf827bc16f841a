"""The filters of the volunteer list (and of its export): every one is a SQL condition."""

from __future__ import annotations

import copy
import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.http import QueryDict
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BaseCSVWidget

from agencies import rules as access
from agencies.models import Agency, Theme
from agencies.selectors import agencies_visible_to
from core.dates import validate_date
from core.widgets import (
    CodeSelect,
    CountrySelect,
    PerLanguage,
    QuickSelect,
    country_choices,
    style_fields,
)

from .models import Language, LanguageSkill, Volunteer
from .selectors import age_between_q, eligible_q, matching

# A search whose words are all shorter than this matches most of a register (the trigram
# indexes need three characters): the list asks for more instead of sorting a hundred thousand
# matches, and leaves it out, as its export does.
MIN_SEARCH_LENGTH = 3


def search_too_short(term: str) -> bool:
    return bool(term.split()) and max(len(word) for word in term.split()) < MIN_SEARCH_LENGTH


class SortSelect(BaseCSVWidget, CodeSelect):
    """The sort's select (``CodeSelect``). django-filters takes a sort's widget as a class (a
    CSV widget's, or it makes one per request), so this class keeps its one filter's markup."""

    shared_markup = PerLanguage()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.markup = self.shared_markup


class NameOrdering(django_filters.OrderingFilter):
    """The list's sorts, the name on the last name then the first name, as the list's default
    order and its index (``volunteer_agency_name_search``) have it: by the last name alone,
    the id would order the people who share it."""

    THEN = {"last_name": "first_name", "-last_name": "-first_name"}

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = []
        for param in value:
            field = self.get_ordering_value(param)
            ordering += [field, self.THEN[field]] if field in self.THEN else [field]
        return qs.order_by(*ordering)


class VolunteerFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", _("The upper age is below the lower one."))
        return data


class VolunteerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("Name or e-mail"), "type": "search"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Volunteer.Status.choices, widget=CodeSelect()
    )
    nationality = django_filters.ChoiceFilter(
        label=_("Nationality"), choices=country_choices, widget=CountrySelect
    )
    theme = django_filters.ModelChoiceFilter(
        label=_("Theme"), queryset=Theme.objects.all(), method="filter_theme", widget=QuickSelect
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=Language.choices,
        method="filter_language",
        widget=CodeSelect(),
    )
    age_min = django_filters.NumberFilter(
        label=_("Age from"), method="filter_age", min_value=0, max_value=120
    )
    age_max = django_filters.NumberFilter(
        label=_("Age to"), method="filter_age", min_value=0, max_value=120
    )
    eligible_on = django_filters.DateFilter(
        label=_("Eligible on"),
        method="filter_eligible",
        validators=[validate_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    sending_agency = django_filters.ModelChoiceFilter(
        label=_("Agency"), queryset=Agency.objects.none(), widget=QuickSelect
    )
    ordering = NameOrdering(
        label=_("Sort by"),
        widget=SortSelect,
        fields=(
            ("last_name", "name"),
            ("birth_date", "birth_date"),
            ("nationality", "nationality"),
            ("status", "status"),
            ("updated_at", "updated"),
        ),
        # The descending sorts' labels too: django-filters would write them once, in the
        # language active when this module is imported ("Nom (décroissant)" in English).
        field_labels={
            "last_name": _("Name"),
            "-name": _("Name (descending)"),
            "birth_date": _("Birth date"),
            "-birth_date": _("Birth date (descending)"),
            "nationality": _("Nationality"),
            "-nationality": _("Nationality (descending)"),
            "status": _("Status"),
            "-status": _("Status (descending)"),
            "updated_at": _("Last change"),
            "-updated": _("Last change (descending)"),
        },
    )

    class Meta:
        model = Volunteer
        fields = []
        form = VolunteerFilterForm

    def __init__(self, data=None, queryset=None, *, user, request=None, prefix=None):
        # ``FilterSet.__init__``, but each filter copied with its own ``extra`` instead of deep
        # copied with its choices, labels and widgets (3 ms of the list page): what a filter
        # changes per request is its own attributes and ``extra`` (the queryset of a model
        # choice); a field deep-copies the widget it is given.
        # Written for django-filters 25.2 (a filter's ``extra``, ``_field`` and ``method``):
        # check it again when upgrading it.
        if queryset is None:
            queryset = Volunteer.objects.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {}
        for name, base in self.base_filters.items():
            filter_ = copy.copy(base)
            filter_.extra = dict(base.extra)
            filter_.__dict__.pop("_field", None)  # built from this copy's own ``extra``
            if base.method is not None:  # a method bound to this copy, not to the class's filter
                filter_.method = base.method
            filter_.model, filter_.parent = queryset.model, self
            self.filters[name] = filter_
        self.user = user
        # The agency filter only helps users who see several agencies (and admins).
        if access.is_admin(user):
            self.filters["sending_agency"].queryset = agencies_visible_to(user)
        elif len(ids := access.agency_ids_of(user)) > 1:
            self.filters["sending_agency"].queryset = Agency.objects.filter(pk__in=ids)
        else:
            del self.filters["sending_agency"]

    @property
    def form(self):
        """The filters' form: this request's fields (each filter's own copy, built for it) in a
        plain form, where ``FilterSet.form`` builds a form class per request and the form then
        deep-copies its fields."""
        if not hasattr(self, "_form"):
            form = self._meta.form(self.data if self.is_bound else None, prefix=self.form_prefix)
            form.fields = {name: filter_.field for name, filter_ in self.filters.items()}
            self._form = style_fields(form)
        return self._form

    def offer_themes(self, themes: list[tuple[int, str]]) -> None:
        """The theme select's options: ``themes`` (``selectors.mark_themes``, read with the
        page's rows) instead of a query of its own."""
        field = self.form.fields["theme"]
        field.widget.choices = [("", field.empty_label), *themes]

    def filter_search(self, queryset, name, value):
        return queryset if search_too_short(value) else matching(queryset, value)

    def filter_theme(self, queryset, name, value):
        through = Volunteer.themes.through
        return queryset.filter(
            Exists(through.objects.filter(volunteer=OuterRef("pk"), theme=value))
        )

    def filter_language(self, queryset, name, value):
        return queryset.filter(
            Exists(LanguageSkill.objects.filter(volunteer=OuterRef("pk"), language=value))
        )

    def filter_age(self, queryset, name, value):
        today = timezone.localdate()
        bound = {"min_age" if name == "age_min" else "max_age": int(value)}
        return queryset.filter(age_between_q(today, **bound))

    def filter_eligible(self, queryset, name, value):
        return queryset.filter(eligible_q(value))

    @property
    def order(self) -> list[str]:
        """The sort chosen, then the id: a total order, whose keys a keyset page starts after
        (``core.keyset``). Equal names must not swap between pages; the id breaks ties in the
        sort's direction, so that a descending sort reads its (…, id) index backwards instead
        of sorting every row."""
        order = [str(field) for field in super().qs.query.order_by] or ["last_name", "first_name"]
        return [*order, "-pk" if order[0].startswith("-") else "pk"]

    @property
    def qs(self):
        return super().qs.order_by(*self.order)

    @property
    def unsearched(self):
        """The list as filtered and sorted, without its search: the register a search reads
        in order (``selectors.search_page``)."""
        queryset = self.queryset.all()
        for name, value in self.form.cleaned_data.items():
            if name != "q":
                queryset = self.filters[name].filter(queryset, value)
        return queryset.order_by(*self.order)


def filters_shown(filters: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(label, value shown) of each filter an export was asked with (``export_jobs.
    export_filters``), in the list's order and words: a choice or a sort by its label, a theme
    or an agency by its name, a date as the pages write it; a value no longer known (a theme
    deleted since), as it was typed."""
    shown = []
    for name, filter_ in VolunteerFilter.base_filters.items():
        if values := filters.get(name):
            values_shown = ", ".join(_value_shown(filter_, value) for value in values)
            shown.append((str(filter_.label), values_shown))
    return shown


def _value_shown(filter_, value: str) -> str:
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        model = filter_.queryset.model  # the class's queryset: the agencies' is set per user
        found = model._default_manager.filter(pk=value).first() if value.isdigit() else None
        return str(found) if found is not None else value
    if isinstance(filter_, django_filters.DateFilter):
        try:
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    choices = filter_.extra.get("choices")
    if callable(choices):
        choices = choices()
    return str(dict(choices).get(value, value)) if choices else value
