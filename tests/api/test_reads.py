"""The read endpoints: scoped to the token's organisation, fixed query counts, problems."""

import csv
import io
import json
import uuid

import pytest
from django.urls import reverse

from associations.models import AssociationRequest
from tests.api.conftest import bearer, file_request
from tests.builders import make_mpn, make_request
from validation.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["read_token", "file_token"])
def any_token(request):
    return request.getfixturevalue(request.param)


def test_list_shows_only_the_organisations_requests(client, any_token, filed, theirs):
    response = client.get(reverse("api_request_list"), **bearer(any_token))
    assert response.status_code == 200
    body = response.json()
    assert [row["reference"] for row in body["results"]] == [filed.reference]
    assert body["results"][0]["claims"][0]["product"]
    assert body["older"] is None and body["newer"] is None


def test_list_pages_with_keyset_cursors(client, read_token, global_admin, tenant, sales):
    requests = [file_request(global_admin, tenant, sales) for _ in range(27)]
    first = client.get(reverse("api_request_list"), **bearer(read_token)).json()
    assert len(first["results"]) == 25
    assert first["results"][0]["id"] == requests[-1].pk
    second = client.get(first["older"], **bearer(read_token)).json()
    assert [row["id"] for row in second["results"]] == [requests[1].pk, requests[0].pk]
    back = client.get(second["newer"], **bearer(read_token)).json()
    assert back["results"] == first["results"]


def test_list_filters_as_the_page_does(client, read_token, filed, global_admin, tenant, sales):
    other = file_request(global_admin, tenant, sales, domain="contoso.com")
    response = client.get(reverse("api_request_list"), {"q": filed.reference}, **bearer(read_token))
    assert [row["id"] for row in response.json()["results"]] == [filed.pk]
    status = other.claims.get().status
    response = client.get(reverse("api_request_list"), {"status": status}, **bearer(read_token))
    assert other.pk in [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    "query",
    [{"status": "nope"}, {"date_from": "yesterday"}, {"q": "x" * 201}, {"before": "abc"}],
)
def test_an_invalid_filter_is_a_400_problem(client, read_token, query):
    response = client.get(reverse("api_request_list"), query, **bearer(read_token))
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "urn:cpor:problem:invalid"
    assert set(response.json()["errors"]) == set(query)


def test_a_nul_byte_in_the_query_is_400(client, read_token):
    response = client.get(reverse("api_request_list"), {"q": "a\x00"}, **bearer(read_token))
    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_runs_a_fixed_number_of_queries(
    client, read_token, global_admin, tenant, sales, count, django_assert_num_queries
):
    for _ in range(count):
        file_request(global_admin, tenant, sales)
    client.get(reverse("api_me"), **bearer(read_token))  # the last use, written once a minute
    # the token with its organisation and user; the rate limit's count (one UPDATE of the
    # token's row); the rows
    with django_assert_num_queries(3):
        client.get(reverse("api_request_list"), **bearer(read_token))


def test_detail_has_claims_checks_proofs_timeline_and_actions(client, file_token, filed):
    response = client.get(
        reverse("api_request_detail", args=[filed.reference]), **bearer(file_token)
    )
    assert response.status_code == 200
    body = response.json()
    claim = body["claims"][0]
    assert claim["status"] == filed.claims.get().status
    assert {"code", "problem", "what_to_do"} <= set((claim["failed_checks"] or [{}])[0]) or (
        claim["failed_checks"] == []
    )
    assert body["proofs"][0]["documents"][0]["name"] == "proof.pdf"
    assert [event["action"] for event in body["timeline"]][:2] == [
        "request.created",
        "claim.submitted",
    ]
    assert body["timeline"][0]["actor"] == "global"
    assert "withdraw" in [action["action"] for action in claim["actions"]]


def test_a_read_token_is_offered_no_action(client, read_token, filed):
    body = client.get(
        reverse("api_request_detail", args=[filed.reference]), **bearer(read_token)
    ).json()
    assert body["claims"][0]["actions"] == []
    assert body["actions"] == []


def test_failed_checks_carry_their_codes(client, read_token, global_admin, sales):
    organisation = global_admin.membership.organisation
    request = make_request(
        organisation,
        global_admin,
        tenant=Tenant(tenant_id=uuid.uuid4()),  # no customer has it
        domain="nobody.example",
        products=[(sales, str(uuid.uuid4()))],
        mpn=make_mpn(organisation),
    )
    body = client.get(
        reverse("api_request_detail", args=[request.reference]), **bearer(read_token)
    ).json()
    assert "tenant_not_found" in [check["code"] for check in body["failed_checks"]]
    assert body["failed_checks"][0]["problem"]


@pytest.mark.parametrize("reference", ["abc", "CPOR-", "9" * 30, "%00"])
def test_a_malformed_reference_is_404(client, read_token, reference):
    response = client.get(f"/api/v1/requests/{reference}", **bearer(read_token))
    assert response.status_code in (400, 404)
    assert response.status_code != 500


def test_outsider_gets_404(client, outsider_token, filed):
    response = client.get(
        reverse("api_request_detail", args=[filed.reference]), **bearer(outsider_token)
    )
    assert response.status_code == 404
    assert response.json()["type"] == "urn:cpor:problem:not-found"


def test_mpn_ids_with_enrolments(client, read_token, filed, theirs):
    body = client.get(reverse("api_mpn_list"), **bearer(read_token)).json()
    assert [row["mpn_id"] for row in body] == [filed.mpn.mpn_id]
    assert body[0]["enrolments"][0]["solution_area"] == "business_applications"


def test_audit_counts(client, read_token, filed, theirs):
    body = client.get(reverse("api_audit"), **bearer(read_token)).json()
    assert body["total"] == 1
    assert body["rows"][0]["mpn_id"] == filed.mpn.mpn_id


def test_export_csv_and_ndjson(client, read_token, filed, theirs):
    AssociationRequest.objects.filter(pk=filed.pk).update(claim_name="=HYPERLINK(evil)")
    response = client.get(reverse("api_claims_export"), **bearer(read_token))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 2
    assert rows[1][0] == filed.reference and rows[1][1] == "'=HYPERLINK(evil)"
    response = client.get(reverse("api_claims_export"), {"format": "ndjson"}, **bearer(read_token))
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["reference"] for line in lines] == [filed.reference]


def test_export_refuses_an_unknown_format(client, read_token):
    response = client.get(reverse("api_claims_export"), {"format": "xlsx"}, **bearer(read_token))
    assert response.status_code == 400


@pytest.mark.parametrize("count", [1, 8])
def test_the_detail_runs_a_fixed_number_of_queries(
    client, file_token, filed, count, django_assert_num_queries
):
    for _ in range(count):
        client.post(
            reverse("api_comment", args=[filed.reference]),
            {"body": "note"},
            content_type="application/json",
            **bearer(file_token),
        )
    # the token, the rate limit's count, the request, its claims with their failed checks,
    # the request's checks, proofs with documents, comments, timeline
    with django_assert_num_queries(10):
        client.get(reverse("api_request_detail", args=[filed.reference]), **bearer(file_token))


def test_a_proof_document_is_downloaded_as_an_attachment(client, read_token, outsider_token, filed):
    document = filed.proofs.get().documents.get()
    url = reverse("api_document", args=[filed.reference, document.pk])
    response = client.get(url, **bearer(read_token))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(url, **bearer(outsider_token)).status_code == 404
    other = f"/api/v1/requests/{filed.reference}/documents/abc"
    assert client.get(other, **bearer(read_token)).status_code == 404
