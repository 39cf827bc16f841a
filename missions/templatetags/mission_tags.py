"""The mission list's rows, written in Python."""

from html import escape

from django import template
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.links import around_key
from core.templatetags.badges import badge_class

register = template.Library()


@register.simple_tag
def mission_rows(missions) -> str:
    """The rows of the mission list, written in Python with the markup the template gave them:
    fifty rows through the template engine were about half of the page's time
    (docs/performance.md). Every value is escaped."""
    label = {
        name: escape(text)
        for name, text in (
            ("host_structure", _("Host structure")),
            ("direction", _("Direction")),
            ("period", _("Period")),
            ("theme", _("Theme")),
            ("places_taken", _("Places taken")),
            ("status", _("Status")),
        )
    }
    awaiting = escape(_("Nominations awaiting a decision"))
    head, tail = map(escape, around_key("missions:detail"))
    rows = []
    for m in missions:
        period = (
            f"{escape(date_format(m.start_date, 'SHORT_DATE_FORMAT'))} – "
            f"{escape(date_format(m.end_date, 'SHORT_DATE_FORMAT'))}"
        )
        nominated = (
            f' <span class="badge text-bg-warning" title="{awaiting}">+{int(m.nominated)}</span>'
            if m.nominated
            else ""
        )
        status = (
            f'<span class="badge {escape(badge_class(m.status))}">'
            f"{escape(str(m.get_status_display()))}</span>"
        )
        rows.append(
            "<tr>"
            f'<td><a href="{head}{int(m.pk)}{tail}">{escape(m.title)}</a></td>'
            f'<td data-label="{label["host_structure"]}">{escape(m.host_structure.name)}'
            f'<div class="small text-body-secondary">{escape(m.city)}</div></td>'
            f'<td class="text-sm-nowrap" data-label="{label["direction"]}">'
            f"{escape(str(m.sending_acronym))} → {escape(str(m.receiving_acronym))}"
            f'<div class="small text-body-secondary">{escape(m.quota.agreement.reference)} · '
            f"{int(m.quota.cohort)}</div></td>"
            f'<td class="text-sm-nowrap" data-label="{label["period"]}">{period}</td>'
            f'<td data-label="{label["theme"]}">{escape(str(m.theme))}</td>'
            f'<td class="text-sm-end" data-label="{label["places_taken"]}">'
            f"{int(m.taken)} / {int(m.places)}{nominated}</td>"
            f'<td data-label="{label["status"]}">{status}</td>'
            "</tr>"
        )
    return mark_safe("".join(rows))  # noqa: S308 -- every value written above is escaped


@register.simple_tag(takes_context=True)
def candidate_rows(context, candidates, *, quota) -> str:
    """The rows of the nominate page's candidates (``selectors.describe_candidates``), written
    in Python with the markup the template gave them, as the mission list's rows."""
    token = context.get("csrf_token")
    csrf = (
        f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
        if token and token != "NOTPROVIDED"  # noqa: S105 -- Django's marker, not a secret
        else ""
    )
    eligible = f'<span class="badge text-bg-success">{escape(_("Eligible"))}</span>'
    not_eligible = f'<span class="badge text-bg-danger">{escape(_("Not eligible"))}</span>'
    here = f'<span class="badge text-bg-light border">{escape(_("Already nominated"))}</span>'
    busy = (
        f'<span class="badge text-bg-light border">{escape(_("Placed on overlapping dates"))}'
        "</span>"
    )
    nominate = escape(_("Nominate"))
    places_left = quota.remaining > 0
    rows = []
    for v in candidates:
        if v.eligible:
            verdict = eligible
        else:
            reasons = "".join(f"{escape(str(r))} " for r in v.eligibility.reasons)
            verdict = f'{not_eligible}<div class="small text-body-secondary">{reasons}</div>'
        if v.here:
            action = here
        elif v.busy:
            action = busy
        elif v.eligible and places_left:
            action = (
                f'<form method="post">{csrf}<input type="hidden" name="volunteer" '
                f'value="{int(v.pk)}"><button class="btn btn-sm btn-primary" type="submit">'
                f"{nominate}</button></form>"
            )
        else:
            action = ""
        rows.append(
            f'<tr data-volunteer="{int(v.pk)}">'
            f"<td>{escape(v.full_name)}"
            f'<div class="small text-body-secondary">{escape(str(v.get_status_display()))}</div>'
            f"</td><td>{int(v.eligibility.age)}</td><td>{verdict}</td>"
            f'<td class="text-end">{action}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 -- every value written above is escaped
