"""The mission list's rows are written in Python (``missions.templatetags.mission_tags``): held
here to the markup Django's template engine gave them, escaping included."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from agencies.models import HostStructure
from core import language_session
from missions import selectors
from missions.models import Mission
from missions.services import placement_nominate
from tests.factories import (
    HostStructureFactory,
    ThemeFactory,
    eligible_volunteer,
    make_mission,
    manager_of,
)
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

# The rows as the list's template wrote them before ``mission_rows``.
TEMPLATE_ROWS = """{% load i18n links %}
  {% translate "Host structure" as host_structure_label %}{% translate "Direction" as direction_label %}{% translate "Period" as period_label %}{% translate "Theme" as theme_label %}{% translate "Places taken" as places_taken_label %}{% translate "Status" as status_label %}
  {% for m in missions %}
    <tr>
      <td><a href="{{ m.pk|pk_url:'missions:detail' }}">{{ m.title }}</a></td>
      <td data-label="{{ host_structure_label }}">{{ m.host_structure.name }}<div class="small text-body-secondary">{{ m.city }}</div></td>
      <td class="text-sm-nowrap" data-label="{{ direction_label }}">{{ m.sending_acronym }} → {{ m.receiving_acronym }}<div class="small text-body-secondary">{{ m.quota.agreement.reference }} · {{ m.quota.cohort }}</div></td>
      <td class="text-sm-nowrap" data-label="{{ period_label }}">{{ m.start_date|date:"SHORT_DATE_FORMAT" }} – {{ m.end_date|date:"SHORT_DATE_FORMAT" }}</td>
      <td data-label="{{ theme_label }}">{{ m.theme }}</td>
      <td class="text-sm-end" data-label="{{ places_taken_label }}">{{ m.taken }} / {{ m.places }}{% if m.nominated %} <span class="badge text-bg-warning" title="{% translate 'Nominations awaiting a decision' %}">+{{ m.nominated }}</span>{% endif %}</td>
      <td data-label="{{ status_label }}">{% include "missions/_status_badge.html" with status=m.status label=m.get_status_display %}</td>
    </tr>
  {% endfor %}"""  # noqa: E501


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("language", ["fr", "es", "en"])
def test_the_rows_written_in_python_are_the_templates_rows(client, language):
    first = make_mission(title="<b>Santé & eau</b>")
    structure = first.host_structure
    HostStructure.objects.filter(pk=structure.pk).update(name='Centre "L\'Espoir" <i>')
    Mission.objects.filter(pk=first.pk).update(city="Lomé & <Kara>")
    second = make_mission(
        quota=first.quota,
        title="Éducation",
        theme=ThemeFactory(name="Santé <b>"),
        host_structure=HostStructureFactory(agency=first.quota.receiving),
        status=Mission.Status.FILLED,
    )
    placement_nominate(mission=first, volunteer=eligible_volunteer(first.quota.sending), user=None)
    user = manager_of(first.quota.sending)
    missions = selectors.mark_placement_counts(
        list(selectors.mission_list(user=user, filters=selectors.MissionFilters()))
    )
    assert {m.pk for m in missions} == {first.pk, second.pk}
    assert any(m.nominated for m in missions)
    client.force_login(user)
    with translation.override(language):
        expected = Template(TEMPLATE_ROWS).render(
            Context({"missions": missions, "request": RequestFactory().get("/")})
        )
        session = client.session
        session[language_session.SESSION_KEY] = language
        session.save()
        page = client.get("/missions/").content.decode()
    body = page[page.index("<tbody>") + len("<tbody>") : page.index("</tbody>")]
    assert _squeezed(body) == _squeezed(expected)
    assert "&lt;b&gt;Santé &amp; eau&lt;/b&gt;" in body and "<b>Santé" not in body


TEMPLATE_CANDIDATES = """{% load i18n %}
  {% for v in page.object_list %}
    <tr data-volunteer="{{ v.pk }}">
      <td>{{ v.full_name }}<div class="small text-body-secondary">{{ v.get_status_display }}</div></td>
      <td>{{ v.eligibility.age }}</td>
      <td>{% if v.eligible %}<span class="badge text-bg-success">{% translate "Eligible" %}</span>{% else %}<span class="badge text-bg-danger">{% translate "Not eligible" %}</span><div class="small text-body-secondary">{% for r in v.eligibility.reasons %}{{ r }} {% endfor %}</div>{% endif %}</td>
      <td class="text-end">
        {% if v.here %}<span class="badge text-bg-light border">{% translate "Already nominated" %}</span>
        {% elif v.busy %}<span class="badge text-bg-light border">{% translate "Placed on overlapping dates" %}</span>
        {% elif v.eligible and quota.remaining > 0 %}<form method="post">{% csrf_token %}<input type="hidden" name="volunteer" value="{{ v.pk }}"><button class="btn btn-sm btn-primary" type="submit">{% translate "Nominate" %}</button></form>{% endif %}
      </td>
    </tr>
  {% endfor %}"""  # noqa: E501


@pytest.mark.parametrize("language", ["fr", "es"])
def test_the_candidates_written_in_python_are_the_templates_rows(client, language):
    mission = make_mission(places=4)
    sending = mission.quota.sending
    nominated = eligible_volunteer(sending, last_name="<Amadou & Co>")
    placement_nominate(mission=mission, volunteer=nominated, user=None)
    eligible_volunteer(sending, last_name="Bako")
    too_old = eligible_volunteer(sending, last_name="Coulibaly")
    Volunteer.objects.filter(pk=too_old.pk).update(birth_date=datetime.date(1980, 1, 1))
    busy = eligible_volunteer(sending, last_name="Diallo")
    other = make_mission(quota=mission.quota, title="Autre", start=mission.start_date)
    placement_nominate(mission=other, volunteer=busy, user=None)
    user = manager_of(sending)
    client.force_login(user)
    session = client.session
    session[language_session.SESSION_KEY] = language
    session.save()
    page = client.get(f"/missions/{mission.pk}/nominate/")
    html = page.content.decode()
    rows, _ = selectors.nomination_page(
        mission=mission, q="", eligible_only=False, number=1, per_page=50
    )
    with translation.override(language):
        expected = Template(TEMPLATE_CANDIDATES).render(
            Context(
                {
                    "page": rows,
                    "quota": selectors.mission_quota_places(mission=mission),
                    "csrf_token": page.context["csrf_token"],
                }
            )
        )
    body = html[html.index("<tbody>") + len("<tbody>") : html.index("</tbody>")]
    assert _squeezed(body) == _squeezed(expected)
    assert body.count('name="csrfmiddlewaretoken"') == 1  # Bako only: the others can't be
    assert "&lt;Amadou &amp; Co&gt;" in body
