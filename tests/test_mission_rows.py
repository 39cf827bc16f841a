"""The mission list's rows are written in Python (``missions.templatetags.mission_tags``): held
here to the markup Django's template engine gave them, escaping included."""

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
