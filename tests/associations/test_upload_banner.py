"""After a refused upload the top of the page names the file and the reason and links to the
field; the field shows that refusal alone; the typed form is kept and nothing is saved."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.models import AssociationRequest, Proof, ProofDocument
from tests.builders import PDF_BYTES, form_data, make_mpn, make_request, pdf_upload

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
REFUSAL = "The content of invoice.pdf does not match its file type. Upload the original document."
ATTACH = "Attach at least one document of proof of execution."
CHOOSE_AGAIN = "Browsers cannot keep chosen files: choose the documents again."


@pytest.fixture
def data(organisation, tenant, sales, subscription):
    return form_data(
        tenant_id=tenant.tenant_id,
        domain="contoso.com",
        mpn=make_mpn(organisation),
        rows=[(sales, str(subscription.pk))],
    )


def _summary(page: str) -> str:
    """The error summary at the top of the page."""
    found = re.search(
        r'<div class="alert alert-danger" role="alert" data-error-summary.*?</div>', page
    )
    assert found, "no error summary"
    return found.group()


def _post(client, documents, data, url=None):
    return client.post(url or reverse("request_create"), {**data, "documents": documents})


def test_the_summary_names_the_refused_file_and_its_reason_and_links_to_the_field(
    client, global_admin, data
):
    client.force_login(global_admin)

    response = _post(client, SimpleUploadedFile("invoice.pdf", EXE), data)

    assert response.status_code == 400
    summary = _summary(response.text)
    assert (
        f'<a class="alert-link" href="#id_documents">Proof of execution documents: {REFUSAL}</a>'
        in summary
    )
    assert CHOOSE_AGAIN in summary
    assert summary.index("data-error-summary") < response.text.index("<form")
    assert 'id="id_documents"' in response.text


def test_a_refused_file_is_not_also_told_to_attach_a_document(client, global_admin, data):
    client.force_login(global_admin)

    response = _post(client, SimpleUploadedFile("invoice.pdf", EXE), data)

    assert response.context["form"].errors["documents"] == [REFUSAL]
    assert ATTACH not in response.text


def test_the_typed_form_is_kept_and_nothing_is_saved(client, global_admin, data):
    client.force_login(global_admin)

    response = _post(client, SimpleUploadedFile("invoice.pdf", EXE), data)

    form = response.context["form"]
    for name in ("claim_name", "customer_contact_email", "proof_description"):
        assert form[name].value() == data[name]
    assert (
        response.context["rows"].forms[0]["subscription_id"].value()
        == data["claims-0-subscription_id"]
    )
    assert AssociationRequest.objects.count() == 0
    assert ProofDocument.objects.count() == 0


def test_only_the_refused_one_of_several_files_is_named_and_all_must_be_chosen_again(
    client, global_admin, data
):
    client.force_login(global_admin)

    response = _post(
        client,
        [pdf_upload("signed.pdf"), SimpleUploadedFile("tool.exe", EXE)],
        data,
    )

    summary = _summary(response.text)
    assert "tool.exe is not an accepted kind of file" in summary
    assert "signed.pdf" not in summary
    assert CHOOSE_AGAIN in summary


def test_submitting_without_any_document_still_asks_for_one_at_the_top_and_at_the_field(
    client, global_admin, data
):
    client.force_login(global_admin)

    response = client.post(reverse("request_create"), data)

    assert response.context["form"].errors["documents"] == [ATTACH]
    summary = _summary(response.text)
    assert f'href="#id_documents">Proof of execution documents: {ATTACH}</a>' in summary
    assert CHOOSE_AGAIN not in summary


def test_other_errors_with_chosen_files_say_to_choose_them_again(client, global_admin, data):
    client.force_login(global_admin)

    response = _post(client, pdf_upload(), {**data, "claim_name": ""})

    summary = _summary(response.text)
    assert 'href="#id_claim_name">Claim name: This field is required.</a>' in summary
    assert CHOOSE_AGAIN in summary
    assert "Proof of execution documents" not in summary


def test_check_now_with_a_chosen_file_says_to_choose_it_again(client, global_admin, data):
    client.force_login(global_admin)

    response = _post(client, pdf_upload(), {**data, "action": "check"})

    assert response.status_code == 200
    assert "data-error-summary" not in response.text
    assert f'<div class="alert alert-warning" role="status">{CHOOSE_AGAIN}</div>' in response.text


def test_a_page_without_errors_or_files_has_no_summary(client, global_admin):
    client.force_login(global_admin)

    page = client.get(reverse("request_create")).text

    assert "data-error-summary" not in page
    assert CHOOSE_AGAIN not in page


@pytest.fixture
def filed(organisation, global_admin, tenant, sales, subscription):
    return make_request(
        organisation, global_admin, tenant=tenant, products=[(sales, str(subscription.pk))]
    )


def test_newer_proof_with_a_refused_file_is_summed_up_the_same_way(client, global_admin, filed):
    client.force_login(global_admin)

    response = client.post(
        reverse("proof_add", args=[filed.reference]),
        {
            "claim": filed.claims.get().pk,
            "description": "Signed protocol",
            "documents": SimpleUploadedFile("invoice.pdf", EXE),
        },
    )

    assert response.status_code == 400
    summary = _summary(response.text)
    assert f'href="#id_documents">Documents: {REFUSAL}</a>' in summary
    assert CHOOSE_AGAIN in summary
    assert response.context["form"]["description"].value() == "Signed protocol"
    assert Proof.objects.filter(request=filed).count() == 1  # the request's own


def test_a_file_name_loses_its_hidden_characters_before_it_is_checked(client, global_admin, data):
    """`Invoice\u202efdp.exe` reads as `Invoiceexe.pdf`: the refusal names what it really is."""
    client.force_login(global_admin)

    response = _post(client, SimpleUploadedFile("Invoice\u202efdp.exe", EXE), data)

    assert response.context["form"].errors["documents"] == [
        "Invoicefdp.exe is not an accepted kind of file. "
        "Use PDF, Office documents, images or e-mail files."
    ]
    assert "\u202e" not in response.text


def test_an_accepted_file_is_stored_and_served_under_its_neutralised_name(
    client, global_admin, data
):
    client.force_login(global_admin)

    response = _post(
        client, SimpleUploadedFile("Proto\u200bcol\x1b\u202e.pdf", PDF_BYTES), {**data}
    )

    assert response.status_code == 302
    document = ProofDocument.objects.get()
    assert document.original_name == "Protocol.pdf"
    download = client.get(
        reverse("document_download", args=[document.proof.request.reference, document.pk])
    )
    assert download["Content-Disposition"] == 'attachment; filename="Protocol.pdf"'
    download.close()


def test_the_summary_links_a_choice_of_buttons_and_a_claim_rows_field_to_their_inputs(
    client, global_admin, data
):
    client.force_login(global_admin)
    data = {**data, "activity": "no-such-activity", "claims-0-subscription_id": "not-a-guid"}

    response = _post(client, pdf_upload(), data)

    summary = _summary(response.text)
    assert 'href="#id_activity_0">Activity: ' in summary
    assert 'id="id_activity_0"' in response.text
    assert 'href="#id_claims-0-subscription_id">Claim row 1 · Subscription ID: ' in summary
    assert 'href="#"' not in summary
