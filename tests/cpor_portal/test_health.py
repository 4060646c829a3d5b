import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_database_and_cache_and_a_missing_worker(client):
    response = client.get(reverse("healthz"))

    body = response.json()
    assert body["checks"]["database"] == {"ok": True}
    assert body["checks"]["cache"] == {"ok": True}
    assert body["checks"]["worker"] == {"ok": False, "clusters": 0}
    assert body["status"] == "unhealthy"
    assert response.status_code == 503


@pytest.mark.django_db
def test_healthz_is_get_only(client):
    assert client.post(reverse("healthz")).status_code == 405
