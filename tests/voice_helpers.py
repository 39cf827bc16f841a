"""A completed placement and its questionnaire link, the way the platform makes them."""

import datetime
import re

from django.core import mail
from django.utils import timezone

from missions.services import (
    add_months,
    placement_complete,
    placement_confirm,
    placement_deploy,
    placement_nominate,
)
from tests.factories import checklist_done, eligible_volunteer, make_mission
from voice.services import questionnaires_send

LINK = re.compile(r"/q/([A-Za-z0-9_-]+)/")

ANSWERS = {
    "satisfaction": 5,
    "content": 4,
    "preparation": 2,
    "welcome": 5,
    "safety": 4,
    "skills": "Animation d’ateliers, gestion de projet",
    "plan": "job",
    "comments": "Une expérience très riche",
}


def recent_mission(**fields):
    """A mission of six months that ended on the last day of the previous month: its volunteers
    are asked about it today (``voice.services.QUESTIONNAIRE_WINDOW``)."""
    return make_mission(start=add_months(timezone.localdate().replace(day=1), -6), **fields)


def completed_placement(
    *, mission=None, email="awa@example.org", complete=True, early_return="", **volunteer
):
    """A placement deployed on its mission's first day and back on its last (``early_return``:
    a month before it, for that reason); by default on a mission that ended last month."""
    mission = mission or recent_mission()
    placement = placement_nominate(
        mission=mission,
        volunteer=eligible_volunteer(
            mission.quota.sending, on=mission.start_date, email=email, **volunteer
        ),
        user=None,
    )
    placement_confirm(placement=placement, user=None)
    checklist_done(placement)
    placement_deploy(placement=placement, user=None, departure_date=mission.start_date)
    if complete:
        back = mission.end_date - datetime.timedelta(days=30) if early_return else mission.end_date
        placement_complete(
            placement=placement, user=None, return_date=back, early_return_reason=early_return
        )
    placement.refresh_from_db()
    return placement


def send_and_get_token(capture, **kwargs) -> str:
    """Run the daily sending, and read the token of the last e-mail sent."""
    with capture(execute=True):
        questionnaires_send(**kwargs)
    return LINK.findall(mail.outbox[-1].body)[-1]
