"""Reviewers see where a partner's free text holds hidden characters (a direction override, a
zero-width space): each is a visible mark in its place under a warning, the rest escaped.
The partner's answer and dispute lose their control characters and refuse a NUL byte."""

import pytest
from django.urls import reverse

from associations.models import AssociationRequest, Reason
from disputes import services
from disputes.models import ArbitrationCase, Dispute, InformationRequest
from tests.builders import pdf_upload

RLO = "\u202e"
MARK = '<mark class="cpor-hidden" title="U+202E RIGHT-TO-LEFT OVERRIDE">[U+202E]</mark>'
WARNING = (
    "A hidden character that changes how this text reads is shown marked: "
    "U+202E RIGHT-TO-LEFT OVERRIDE."
)


def _comment(client, user, claim, body):
    client.force_login(user)
    response = client.post(
        reverse("request_comment", args=[claim.request.reference]), {"body": body}
    )
    assert response.status_code == 302


def _review_page(client, reviewer, claim) -> str:
    client.force_login(reviewer)
    page = client.get(reverse("admin:disputes_review", args=[claim.pk]))
    assert page.status_code == 200
    return page.text


def test_the_review_page_marks_a_hidden_character_in_a_comment_and_warns(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    _comment(client, global_admin, claim, f"Approved by the CIO:\r\nInvoice{RLO}fdp.exe")

    page = _review_page(client, reviewer, claim)

    assert f"⚠ {WARNING}</strong><br>Approved by the CIO:<br>Invoice{MARK}fdp.exe" in page
    assert RLO not in page


def test_marked_text_is_still_escaped(client, global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    _comment(client, global_admin, claim, f"<script>alert(1)</script>{RLO}<b>")

    page = _review_page(client, reviewer, claim)

    assert f"&lt;script&gt;alert(1)&lt;/script&gt;{MARK}&lt;b&gt;" in page
    assert "<script>alert(1)" not in page


def test_text_without_hidden_characters_shows_no_warning(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    _comment(client, global_admin, claim, "Signed by Eliška Nováková\non 2 Nov")

    page = _review_page(client, reviewer, claim)

    assert "Signed by Eliška Nováková<br>on 2 Nov" in page
    assert 'data-hidden-characters="true"' not in page
    assert "cpor-hidden" not in page


def test_a_newer_proof_description_with_a_zero_width_space_is_marked_on_the_card(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    client.force_login(global_admin)
    client.post(
        reverse("proof_add", args=[claim.request.reference]),
        {"claim": claim.pk, "description": "Signed\u200b protocol", "documents": pdf_upload()},
    )

    page = _review_page(client, reviewer, claim)

    assert (
        'Signed<mark class="cpor-hidden" title="U+200B ZERO WIDTH SPACE">[U+200B]</mark> protocol'
        in page
    )
    assert "U+200B ZERO WIDTH SPACE." in page


def test_the_case_page_marks_hidden_characters_in_a_partys_column(
    client, global_admin, outsider, reviewer, file_claim
):
    first = file_claim(global_admin)
    file_claim(outsider)
    _comment(client, global_admin, first, f"Our proof{RLO}")
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_case", args=[ArbitrationCase.objects.get().pk]))

    assert f"Our proof{MARK}" in page.text
    assert WARNING in page.text


def test_a_name_stored_before_names_were_checked_is_marked_on_the_card(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    AssociationRequest.objects.filter(pk=claim.request_id).update(
        customer_contact_name=f"Alex{RLO} Customer"
    )

    page = _review_page(client, reviewer, claim)

    assert f"Alex{MARK} Customer" in page
    assert RLO not in page


@pytest.fixture
def rejected(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    return services.claim_reject(actor=reviewer, claim=claim, reason=Reason.INSUFFICIENT_PROOF)


def _dispute(client, claim, statement):
    return client.post(
        reverse("claim_dispute", args=[claim.request.reference, claim.pk]),
        {"statement": statement, "documents": pdf_upload("new.pdf"), "confirm": "on"},
    )


def test_a_dispute_is_saved_without_its_escapes_and_shown_marked_to_the_reviewer(
    client, global_admin, reviewer, rejected
):
    client.force_login(global_admin)

    response = _dispute(client, rejected, f"The proof\r\nwas signed\x1b[0m{RLO}")

    assert response.status_code == 302
    assert Dispute.objects.get().statement == f"The proof\nwas signed[0m{RLO}"
    page = _review_page(client, reviewer, rejected)
    assert WARNING in page
    assert f"The proof<br>was signed[0m{MARK}" in page


@pytest.mark.parametrize(
    ("statement", "error"),
    [
        ("The proof\x00", "Null characters are not allowed."),
        ("x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
    ],
)
def test_a_dispute_with_a_nul_or_over_the_limit_is_refused_and_kept(
    client, global_admin, rejected, statement, error
):
    client.force_login(global_admin)

    response = _dispute(client, rejected, statement)

    assert response.status_code == 400
    assert error in response.text
    assert response.context["form"]["statement"].value() == statement
    assert not Dispute.objects.exists()


@pytest.fixture
def asked(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_SIGNATURE, question="Where is it?"
    )
    return claim


def _answer(client, claim, answer):
    return client.post(
        reverse("information_answer", args=[claim.request.reference, claim.pk]),
        {"answer": answer},
    )


def test_an_answer_is_saved_without_its_escapes_and_marked_on_the_admin_page(
    client, global_admin, reviewer, asked
):
    client.force_login(global_admin)

    assert _answer(client, asked, f"Signed\x07 copy{RLO}").status_code == 302

    info = InformationRequest.objects.get()
    assert info.answer == f"Signed copy{RLO}"
    client.force_login(reviewer)
    page = client.get(reverse("admin:disputes_informationrequest_change", args=[info.pk]))
    assert page.status_code == 200
    assert f"Signed copy{MARK}" in page.text
    assert WARNING in page.text
    assert "Where is it?" in page.text


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ("Signed\x00", "Null characters are not allowed."),
        ("x" * 5001, "Ensure this value has at most 5000 characters (it has 5001)."),
    ],
)
def test_an_answer_with_a_nul_or_over_the_limit_is_refused(
    client, global_admin, asked, answer, error
):
    client.force_login(global_admin)

    response = _answer(client, asked, answer)

    assert response.status_code == 400
    assert error in response.text
    assert InformationRequest.objects.get().answered_at is None


def test_a_reviewers_rationale_is_marked_on_the_decided_case(
    client, global_admin, outsider, reviewer, file_claim
):
    winner = file_claim(global_admin)
    file_claim(outsider)
    case = ArbitrationCase.objects.get()
    services.case_decide(actor=reviewer, case=case, winner=winner, rationale=f"Newer{RLO} proof")
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_case", args=[case.pk])).text

    assert f"Newer{MARK} proof" in page


def test_the_record_pages_of_the_admin_mark_hidden_characters_too(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    _comment(client, global_admin, claim, f"Invoice{RLO}fdp.exe")
    comment = claim.request.comments.get(body__contains=RLO)
    # Text from before names and reasons were cleaned, or from a free-text field.
    AssociationRequest.objects.filter(pk=claim.request_id).update(
        proof_description=f"Signed{RLO}fdp.exe"
    )
    type(claim).objects.filter(pk=claim.pk).update(reason_text=f"Moved{RLO}fdp.exe")
    client.force_login(reviewer)

    pages = {
        "Invoice": reverse("admin:associations_comment_change", args=[comment.pk]),
        "Signed": reverse("admin:associations_associationrequest_change", args=[claim.request_id]),
        "Moved": reverse("admin:associations_claim_change", args=[claim.pk]),
    }

    for text, url in pages.items():
        page = client.get(url)
        assert page.status_code == 200, url
        assert f"{text}{MARK}fdp.exe" in page.text, url
        assert RLO not in page.text, url
