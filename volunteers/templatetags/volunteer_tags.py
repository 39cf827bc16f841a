import datetime
from html import escape

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.links import around_key
from core.widgets import country_choices
from volunteers.eligibility import age_on
from volunteers.models import Volunteer

register = template.Library()


@register.filter
def age(birth_date, on=None):
    """Whole years on ``on`` (default: today)."""
    if birth_date is None:
        return ""
    return age_on(birth_date, on or timezone.localdate())


def row_age(volunteer: Volunteer, on) -> str:
    """The age on ``on``; of an anonymised volunteer, whose day of birth was erased, the two
    ages their year of birth allows ("24 or 25"), as their page says."""
    if not volunteer.is_anonymised:
        return str(age(volunteer.birth_date, on))
    year = volunteer.birth_date.year
    youngest = age_on(datetime.date(year, 12, 31), on)
    oldest = age_on(datetime.date(year, 1, 1), on)
    if youngest == oldest:
        return str(youngest)
    return _("%(youngest)d or %(oldest)d") % {"youngest": youngest, "oldest": oldest}


@register.simple_tag
def eligibility_badge(eligible: bool | None) -> str:
    """The "eligible / not eligible" badge (a tag: it is drawn on every row of the list); None:
    the verdict cannot be told (``eligibility.Eligibility``)."""
    if eligible is None:
        return format_html(
            '<span class="badge text-bg-secondary" data-testid="eligibility-badge">{}</span>',
            _("Cannot be determined"),
        )
    if eligible:
        return format_html(
            '<span class="badge badge-eligible" data-testid="eligibility-badge">{}</span>',
            _("Eligible"),
        )
    return format_html(
        '<span class="badge badge-ineligible" data-testid="eligibility-badge">{}</span>',
        _("Not eligible"),
    )


@register.simple_tag
def volunteer_rows(volunteers, *, today, show_agency: bool) -> str:
    """The rows of the volunteer list, written in Python: fifty rows through the template
    engine were a third of the page's time (docs/performance.md). Every value is escaped."""
    label = {
        name: escape(text)
        for name, text in (
            ("age", _("Age")),
            ("nationality", _("Nationality")),
            ("status", _("Status")),
            ("eligibility", _("Eligibility")),
            ("themes", _("Themes")),
            ("agency", _("Agency")),
        )
    }
    anonymised, diaspora = escape(_("Anonymised volunteer")), escape(_("diaspora"))
    badges = {verdict: eligibility_badge(verdict) for verdict in (True, False, None)}
    statuses = {value: escape(text) for value, text in Volunteer.Status.choices}
    nationalities = dict(country_choices())
    head, tail = map(escape, around_key("volunteers:detail"))
    rows = []
    for v in volunteers:
        name = anonymised if v.is_anonymised else escape(f"{v.last_name.upper()} {v.first_name}")
        badge = f' <span class="badge text-bg-light border">{diaspora}</span>' if v.diaspora else ""
        code = v.nationality.code
        agency = (
            f'<td data-label="{label["agency"]}">{escape(v.sending_agency.acronym)}</td>'
            if show_agency
            else ""
        )
        rows.append(
            "<tr>"
            f'<td class="text-sm-nowrap"><a href="{head}{v.pk}{tail}">{name}</a>{badge}</td>'
            f'<td class="text-sm-end" data-label="{label["age"]}">{row_age(v, today)}</td>'
            f'<td data-label="{label["nationality"]}">'
            f"{escape(nationalities.get(code, code))}</td>"
            f'<td data-label="{label["status"]}">{statuses.get(v.status, "")}</td>'
            f'<td data-label="{label["eligibility"]}">{badges[v.eligible]}</td>'
            f'<td class="small" data-label="{label["themes"]}">'
            f"{' · '.join(escape(str(theme)) for theme in v.theme_list)}</td>"
            f"{agency}</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 -- every value escaped above
