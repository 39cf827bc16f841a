"""Who sees a volunteer, and who exports contact details (agencies.rules): the cases where a rule
that lost one condition would still pass the matrix, which reads the demo from ANVT's side."""

import csv
import io

from django.urls import reverse

from agencies.models import Membership
from missions.models import Placement
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, VolunteerFactory
from volunteers.models import VolunteerExport
from volunteers.selectors import volunteers_exportable_by, volunteers_visible_to

MALI = "Lutte contre le décrochage scolaire à Magnambougou"  # hosted by CNPV, sent by ANVT


def _placed_in_mali():
    """An ANVT volunteer placed on a CNPV mission, and on no mission of VASE's."""
    placement = (
        Placement.objects.filter(mission__title=MALI)
        .exclude(volunteer__placements__quota__receiving__acronym="VASE")
        .select_related("volunteer", "quota__receiving", "volunteer__sending_agency")
        .order_by("pk")
        .first()
    )
    assert placement.quota.receiving.acronym == "CNPV"
    assert placement.volunteer.sending_agency.acronym == "ANVT"
    return placement.volunteer


def test_it_hides_a_volunteer_placed_with_a_third_agency(demo, client, login):
    volunteer = _placed_in_mali()
    detail = reverse("volunteers:detail", args=[volunteer.pk])

    # The host agency sees the volunteer nominated to its mission (its members reach them from
    # the mission's page)...
    host = login("cnpv-officer")
    assert volunteers_visible_to(host).filter(pk=volunteer.pk).exists()

    # ...an agency that neither sends nor hosts them does not, though it has placements too.
    user = login("vase-officer")
    assert Placement.objects.filter(quota__receiving__acronym="VASE").exists()
    assert client.get(detail).status_code == 404
    assert not volunteers_visible_to(user).filter(pk=volunteer.pk).exists()
    listed = client.get(reverse("volunteers:index"), {"q": volunteer.last_name})
    assert listed.status_code == 200
    assert detail.encode() not in listed.content


def _exported_emails(client, user, capture):
    """The cells of the user's export of the list, through the job (run on commit here)."""
    with capture(execute=True):
        assert client.post(reverse("volunteers:export"), {"format": "csv"}).status_code == 302
    export = VolunteerExport.objects.filter(requested_by=user).latest("pk")
    assert export.status == VolunteerExport.Status.DONE
    response = client.get(reverse("volunteers:export_download", args=[export.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return {cell for row in csv.reader(io.StringIO(content), delimiter=";") for cell in row}


def test_it_exports_only_the_agencies_where_the_user_manages_volunteers(
    db, client, tasks_in_process, django_capture_on_commit_callbacks
):
    """An officer of A who is an evaluator in B exports A's register, not B's contacts."""
    agency_a, agency_b = AgencyFactory(), AgencyFactory()
    of_a = VolunteerFactory(sending_agency=agency_a, email="ama@a.example.org")
    of_b = VolunteerFactory(sending_agency=agency_b, email="kossi@b.example.org")
    user = UserFactory()
    MembershipFactory(user=user, agency=agency_a, role=Membership.Role.OFFICER)
    MembershipFactory(user=user, agency=agency_b, role=Membership.Role.EVALUATOR)
    client.force_login(user)

    cells = _exported_emails(client, user, django_capture_on_commit_callbacks)

    assert of_a.email in cells
    assert of_b.email not in cells
    # B's volunteers stay readable to the evaluator: it is the export that is refused them.
    assert volunteers_visible_to(user).filter(pk=of_b.pk).exists()
    assert set(volunteers_exportable_by(user)) == {of_a}
