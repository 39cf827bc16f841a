import pytest


def test_it_answers_200_with_the_state_of_each_service(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True


def test_it_needs_no_login(client, db):
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("fixture", ["closed_port", "hung_port"])
def test_it_answers_503_when_the_broker_is_unreachable(client, db, settings, request, fixture):
    port = request.getfixturevalue(fixture)
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False


def test_it_refuses_post(client, db):
    assert client.post("/healthz").status_code == 405


def test_a_failure_names_no_exception_to_an_anonymous_caller(client, db, settings, closed_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False}
    body = response.content.decode()
    assert "Error" not in body and "Exception" not in body and "Refused" not in body
