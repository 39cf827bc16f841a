"""The anonymisation reaches what the placements keep of the person: pre-departure documents
(passport, medical certificate), the notes and reasons written about them, their
questionnaire's texts, the host's comments and the notes of their support after return."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from missions.checklist import ChecklistItem, DepartureOverride
from missions.departures import checklist_item_update
from missions.models import FollowUp, Placement
from missions.services import placement_confirm, placement_nominate
from tests.factories import eligible_volunteer, make_mission
from voice.models import HostAssessment, Questionnaire, SupportAction
from volunteers.services import volunteer_anonymise

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SECRET = "Mensah, passeport AB123, asthme"


def test_anonymising_erases_documents_and_texts_kept_by_the_placements(
    django_capture_on_commit_callbacks,
):
    mission = make_mission(start=datetime.date(2018, 1, 1))
    volunteer = eligible_volunteer(mission.quota.sending)
    placement = placement_nominate(mission=mission, volunteer=volunteer, user=None)
    placement = placement_confirm(placement=placement, user=None)
    passport = ChecklistItem.objects.get(placement=placement, kind="passport")
    with django_capture_on_commit_callbacks(execute=True):
        checklist_item_update(
            item=passport,
            user=None,
            status="done",
            note=SECRET,
            document=SimpleUploadedFile("passeport-mensah.pdf", PDF),
        )
    passport.refresh_from_db()
    stored, storage = passport.document.name, passport.document.storage
    assert storage.exists(stored)
    placement.reason = placement.early_return_note = SECRET
    placement.save()  # a version in the history with the texts
    DepartureOverride.objects.create(placement=placement, reason=SECRET)
    follow_up = FollowUp.objects.create(
        placement=placement, due_month=3, due_date=datetime.date(2019, 4, 1), note=SECRET
    )
    SupportAction.objects.create(follow_up=follow_up, kind="training", note=SECRET)
    Questionnaire.objects.create(
        placement=placement, satisfaction=4, skills=SECRET, comments=SECRET
    )
    HostAssessment.objects.create(placement=placement, contribution=5, comments=SECRET)

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_anonymise(volunteer=volunteer, user=None)

    assert not storage.exists(stored)
    passport.refresh_from_db()
    assert (passport.document.name, passport.document_name, passport.note) == ("", "", "")
    assert passport.status == "done"  # what was done stays done
    texts = [
        *Placement.objects.filter(pk=placement.pk).values_list("reason", "early_return_note"),
        *Placement.history.filter(id=placement.pk).values_list("reason", "early_return_note"),
        *DepartureOverride.objects.values_list("reason"),
        *FollowUp.objects.values_list("note"),
        *FollowUp.history.values_list("note"),
        *SupportAction.objects.values_list("note"),
        *Questionnaire.objects.values_list("skills", "comments"),
        *HostAssessment.objects.values_list("comments"),
    ]
    assert len(texts) >= 9 and not any(SECRET in text for row in texts for text in row)
    # The figures stay for the statistics.
    assert Questionnaire.objects.get().satisfaction == 4
    assert HostAssessment.objects.get().contribution == 5
    assert SupportAction.objects.get().kind == "training"
