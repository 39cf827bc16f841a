"""Users who act for no agency get every page answered, their lists empty, never a server
error: a programme's viewer (no membership), the members of an agency an administrator
deactivated. Their lists are empty by construction: the ORM has no SQL to run for them."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from agencies.models import Agency
from tests.test_access_matrix import all_rows, matrix_demo  # noqa: F401 -- the fixture

LISTS = {"volunteers:index", "missions:index", "exchanges:index", "evaluations:index"}
GET_ROWS = [row for row in all_rows() if row.method == "get"]


@pytest.mark.parametrize("who", ["daect-viewer", "cnpv-officer of a deactivated CNPV"])
@pytest.mark.parametrize("row", GET_ROWS, ids=[row.case_id("") for row in GET_ROWS])
def test_a_user_of_no_active_agency_meets_no_server_error(matrix_demo, row, who):  # noqa: F811
    username = who.split()[0]
    if "deactivated" in who:
        Agency.objects.filter(acronym="CNPV").update(is_active=False)
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username=username))
    response = client.get(row.path(), row.data() if callable(row.data) else row.data)
    assert response.status_code < 500
    if row.name in LISTS and not row.variant:
        assert response.status_code == 200
