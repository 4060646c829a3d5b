"""The write endpoints: the pages' forms and services through the API, with each scope."""

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.urls import reverse

from api.models import IdempotentAnswer
from associations.choices import Reason
from associations.models import AssociationRequest, ClaimStatus, Comment, Proof, StatusEvent
from disputes import services as review_services
from tests.api.conftest import bearer, request_body
from tests.builders import pdf_upload, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(global_admin, tenant, sales):
    return request_body(global_admin.membership.organisation, tenant, sales)


def _post(client, url, token, data=None, multipart=False, **headers):
    if multipart:
        return client.post(url, data or {}, **bearer(token), **headers)
    return client.post(url, data or {}, content_type="application/json", **bearer(token), **headers)


def _url(name, *args):
    return reverse(name, args=args)


def test_a_file_token_creates_a_draft_recorded_with_its_name(client, file_token, body):
    response = _post(client, _url("api_request_list"), file_token, body)
    assert response.status_code == 201, response.json()
    created = AssociationRequest.objects.get(pk=response.json()["id"])
    assert created.claims.get().status == ClaimStatus.DRAFT
    assert created.author == file_token.user
    event = StatusEvent.objects.get(request=created)
    assert event.actor == file_token.user
    assert response.json()["timeline"][0]["actor"] == "CRM sync"


def test_a_read_token_filing_gets_403_and_nothing_is_saved(client, read_token, body):
    response = _post(client, _url("api_request_list"), read_token, body)
    assert response.status_code == 403
    assert response.json()["type"] == "urn:cpor:problem:forbidden"
    assert not AssociationRequest.objects.exists()


def test_field_errors_come_as_problem_details(client, file_token, body):
    body.update(claim_name="\x00", mpn_id="9999999", tenant_id="nope")
    body["claims"][0]["product"] = 0
    response = _post(client, _url("api_request_list"), file_token, body)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"claim_name", "mpn_id", "tenant_id", "claims[0].product"} <= set(errors)
    assert not AssociationRequest.objects.exists()


@pytest.mark.parametrize(
    "payload", [[1, 2], {"claims": "nope"}, {"claims": [1]}, {"claim_name": {"a": 1}}]
)
def test_a_malformed_body_is_400(client, file_token, payload):
    response = _post(client, _url("api_request_list"), file_token, payload)
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["api_request_list", "api_check_new"])
@pytest.mark.parametrize(
    "change",
    [
        {"mpn_id": "12\x0034"},
        {"mpn_id": "\ud800"},
        {"mpn_id": "1" * 5000},
        {"claim_name": "Contoso \ud800"},
        {"claims": [{"product": 1, "subscription_id": "\udfff"}]},
    ],
    ids=["nul-mpn", "surrogate-mpn", "long-mpn", "surrogate-name", "surrogate-row"],
)
def test_an_mpn_id_or_text_no_database_can_store_is_a_field_error(
    client, file_token, body, url, change
):
    response = _post(client, _url(url), file_token, {**body, **change})
    if url == "api_check_new" and change.get("mpn_id", "\ud800") != "\ud800":
        # "Check now" weighs the customer and the claims only: an MPN ID is the submit's
        # (but text no database can store is refused before any form reads it).
        assert response.status_code == 200, response.content
    else:
        assert response.status_code == 400, response.content
        assert set(response.json()["errors"]) & {"mpn_id", "claim_name", "claims"}
    assert not AssociationRequest.objects.exists()


def test_json_nested_past_pythons_limit_is_400(client, file_token, filed):
    for url in (_url("api_request_list"), _url("api_comment", filed.reference)):
        response = client.post(
            url, "[" * 200_000, content_type="application/json", **bearer(file_token)
        )
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
    multipart = _post(
        client, _url("api_request_list"), file_token, {"claims": "[" * 200_000}, multipart=True
    )
    assert multipart.status_code == 400
    assert "claims" in multipart.json()["errors"]


def test_unparsable_json_is_400(client, file_token):
    response = client.post(
        _url("api_request_list"), "{", content_type="application/json", **bearer(file_token)
    )
    assert response.status_code == 400
    assert response.json()["type"] == "urn:cpor:problem:malformed-request"


def test_draft_gets_documents_then_is_submitted(client, file_token, body):
    draft = _post(client, _url("api_request_list"), file_token, body).json()
    reference = draft["reference"]
    refused = _post(client, _url("api_request_submit", reference), file_token)
    assert refused.status_code == 400
    assert "documents" in refused.json()["errors"]
    response = client.patch(
        _url("api_request_detail", reference),
        encode_multipart(BOUNDARY, {"documents": pdf_upload(), "claim_name": "Renamed"}),
        content_type=MULTIPART_CONTENT,
        **bearer(file_token),
    )
    assert response.status_code == 200, response.json()
    assert response.json()["claim_name"] == "Renamed"
    assert response.json()["proofs"][0]["documents"]
    submitted = _post(client, _url("api_request_submit", reference), file_token)
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["claims"][0]["status"] == ClaimStatus.VALIDATING


def test_check_now_saves_nothing(client, file_token, body):
    body["tenant_id"] = "00000000-0000-4000-8000-000000000000"
    response = _post(client, _url("api_check_new"), file_token, body)
    assert response.status_code == 200, response.json()
    assert "tenant_not_found" in [check["code"] for check in response.json()["failed_checks"]]
    assert not AssociationRequest.objects.exists()


def test_outsider_gets_404_and_nothing_changes(client, outsider_token, filed):
    before = list(filed.claims.values_list("status", flat=True))
    for name in ("api_withdraw", "api_comment", "api_request_submit", "api_proof"):
        assert _post(client, _url(name, filed.reference), outsider_token).status_code == 404
    claim = filed.claims.get()
    for name in ("api_disassociate", "api_dispute", "api_answer"):
        url = _url(name, filed.reference, claim.pk)
        assert _post(client, url, outsider_token, {"reason": "x"}).status_code == 404
    response = client.patch(
        _url("api_request_detail", filed.reference),
        {"claim_name": "Theirs"},
        content_type="application/json",
        **bearer(outsider_token),
    )
    assert response.status_code == 404
    assert list(filed.claims.values_list("status", flat=True)) == before
    assert not Comment.objects.filter(kind=Comment.Kind.PARTNER).exists()


def test_withdraw_then_withdraw_again_is_a_409_with_the_policys_code(client, file_token, filed):
    response = _post(client, _url("api_withdraw", filed.reference), file_token)
    assert response.status_code == 200
    assert response.json()["claims"][0]["status"] == ClaimStatus.WITHDRAWN
    again = _post(client, _url("api_withdraw", filed.reference), file_token)
    assert again.status_code == 409
    assert again.json()["type"] == "urn:cpor:problem:not_withdrawable"
    assert again.json()["code"] == "not_withdrawable"


@pytest.mark.parametrize(
    "text", ["\x00", "x" * 5001, "", "\ud800"], ids=["nul", "long", "empty", "surrogate"]
)
def test_comment_refuses_bad_text(client, file_token, filed, text):
    response = _post(client, _url("api_comment", filed.reference), file_token, {"body": text})
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_comment_is_added(client, file_token, filed):
    response = _post(client, _url("api_comment", filed.reference), file_token, {"body": "Hi"})
    assert response.status_code == 201
    assert response.json()["comments"][-1]["body"] == "Hi"
    assert response.json()["comments"][-1]["author"] == "CRM sync"


def test_proof_upload_follows_the_pages_content_rules(client, file_token, filed):
    claim = filed.claims.get()
    url = _url("api_proof", filed.reference)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("proof.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    refused = _post(
        client, url, file_token, {"claim": claim.pk, "description": "d", "documents": fake}, True
    )
    assert refused.status_code == 400
    assert "documents" in refused.json()["errors"]
    response = _post(
        client,
        url,
        file_token,
        {"claim": claim.pk, "description": "Signed", "documents": pdf_upload()},
        True,
    )
    assert response.status_code == 201, response.json()
    assert Proof.objects.filter(claim=claim, author=file_token.user).exists()


def test_disassociate_ends_an_approved_claim(client, file_token, filed):
    claim = filed.claims.get()
    set_status(claim, ClaimStatus.APPROVED)
    url = _url("api_disassociate", filed.reference, claim.pk)
    response = _post(client, url, file_token, {"reason": "Customer left"})
    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ENDED and claim.reason_text == "Customer left"


def test_dispute_a_rejection(client, file_token, filed):
    claim = filed.claims.get()
    set_status(claim, ClaimStatus.REJECTED)
    url = _url("api_dispute", filed.reference, claim.pk)
    response = _post(
        client, url, file_token, {"statement": "It was signed", "documents": pdf_upload()}, True
    )
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DISPUTED


def test_answer_an_information_request(client, file_token, filed, reviewer):
    claim = filed.claims.get()
    set_status(claim, ClaimStatus.UNDER_REVIEW)
    review_services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_SIGNATURE, question="Signed by whom?"
    )
    url = _url("api_answer", filed.reference, claim.pk)
    response = _post(client, url, file_token, {"answer": "By the CIO."})
    assert response.status_code == 200, response.json()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_a_non_numeric_claim_id_is_404(client, file_token, filed):
    url = f"/api/v1/requests/{filed.reference}/claims/abc/disassociate"
    assert _post(client, url, file_token, {"reason": "x"}).status_code == 404


def test_delete_a_draft(client, file_token, body):
    draft = _post(client, _url("api_request_list"), file_token, body).json()
    response = client.delete(_url("api_request_detail", draft["reference"]), **bearer(file_token))
    assert response.status_code == 204
    assert not AssociationRequest.objects.exists()


def test_an_idempotent_retry_returns_the_first_answer_and_files_once(client, file_token, body):
    headers = {"HTTP_IDEMPOTENCY_KEY": "create-1"}
    first = _post(client, _url("api_request_list"), file_token, body, **headers)
    retry = _post(client, _url("api_request_list"), file_token, body, **headers)
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert AssociationRequest.objects.count() == 1
    elsewhere = _post(client, _url("api_check_new"), file_token, body, **headers)
    assert elsewhere.status_code == 422
    assert IdempotentAnswer.objects.count() == 1


def test_an_invalid_idempotency_key_is_400(client, file_token, body):
    response = _post(
        client, _url("api_request_list"), file_token, body, HTTP_IDEMPOTENCY_KEY="x" * 256
    )
    assert response.status_code == 400
    assert not AssociationRequest.objects.exists()


def test_the_rate_limit_answers_429_with_retry_after(client, read_token, settings):
    settings.API_RATE_LIMIT = "2/minute"
    for _ in range(2):
        assert client.get(reverse("api_me"), **bearer(read_token)).status_code == 200
    response = client.get(reverse("api_me"), **bearer(read_token))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["type"] == "urn:cpor:problem:rate-limited"


def test_answers_are_kept_a_day_then_the_key_may_be_sent_again(client, file_token, body):
    from datetime import timedelta

    from django.utils import timezone

    from api.services import idempotent_answers_expire

    headers = {"HTTP_IDEMPOTENCY_KEY": "daily"}
    _post(client, _url("api_request_list"), file_token, body, **headers)
    assert idempotent_answers_expire(now=timezone.now() + timedelta(hours=23)) == 0
    assert idempotent_answers_expire(now=timezone.now() + timedelta(hours=25)) == 1
    again = _post(client, _url("api_request_list"), file_token, body, **headers)
    assert again.status_code == 201 and "Idempotent-Replayed" not in again
    assert AssociationRequest.objects.count() == 2


def test_a_read_token_gets_403_on_every_write_and_nothing_changes(client, read_token, filed):
    claim = filed.claims.get()
    before = claim.status
    for name, args in (
        ("api_request_submit", [filed.reference]),
        ("api_withdraw", [filed.reference]),
        ("api_comment", [filed.reference]),
        ("api_proof", [filed.reference]),
        ("api_check_existing", [filed.reference]),
        ("api_check_new", []),
        ("api_answer", [filed.reference, claim.pk]),
        ("api_dispute", [filed.reference, claim.pk]),
        ("api_disassociate", [filed.reference, claim.pk]),
    ):
        response = _post(client, _url(name, *args), read_token, {"body": "x", "reason": "x"})
        assert response.status_code == 403, name
    patch = client.patch(
        _url("api_request_detail", filed.reference),
        {"claim_name": "x"},
        content_type="application/json",
        **bearer(read_token),
    )
    assert patch.status_code == 403
    delete = client.delete(_url("api_request_detail", filed.reference), **bearer(read_token))
    assert delete.status_code == 403
    claim.refresh_from_db()
    assert claim.status == before
    assert not Comment.objects.filter(kind=Comment.Kind.PARTNER).exists()


def test_get_on_a_post_only_url_gives_405(client, file_token, filed):
    response = client.get(_url("api_withdraw", filed.reference), **bearer(file_token))
    assert response.status_code == 405
    assert response.json()["type"] == "urn:cpor:problem:method-not-allowed"


def test_a_whole_filing_through_the_api(client, file_token, body):
    """Draft, documents, submit, the checks' verdict, then the request as the CRM reads it."""
    from associations.verdict import request_record_verdict

    reference = _post(client, _url("api_request_list"), file_token, body).json()["reference"]
    client.patch(
        _url("api_request_detail", reference),
        encode_multipart(BOUNDARY, {"documents": pdf_upload()}),
        content_type=MULTIPART_CONTENT,
        **bearer(file_token),
    )
    _post(client, _url("api_request_submit", reference), file_token)
    request_record_verdict(request_id=AssociationRequest.pk_from_reference(reference))
    body = client.get(_url("api_request_detail", reference), **bearer(file_token)).json()
    claim = body["claims"][0]
    assert claim["status"] == ClaimStatus.UNDER_REVIEW, claim
    assert claim["failed_checks"] == []
    assert {"claim_id": claim["id"], "kind": "decision", "at": claim["due_at"]} in body["deadlines"]
    assert {event["actor"] for event in body["timeline"] if event["action"] != "claim.checked"} <= {
        "CRM sync",
        "CPOR Portal",
    }


def test_the_rate_limit_counts_per_token_and_starts_again_in_the_next_window(
    client, read_token, file_token, settings
):
    from datetime import timedelta

    from api.models import ApiToken

    settings.API_RATE_LIMIT = "1/hour"
    assert client.get(reverse("api_me"), **bearer(read_token)).status_code == 200
    assert client.get(reverse("api_me"), **bearer(read_token)).status_code == 429
    assert client.get(reverse("api_me"), **bearer(file_token)).status_code == 200  # its own

    ApiToken.objects.filter(pk=read_token.pk).update(
        window_start=ApiToken.objects.get(pk=read_token.pk).window_start - timedelta(hours=1)
    )
    assert client.get(reverse("api_me"), **bearer(read_token)).status_code == 200
