"""Proof documents are accepted by their content, size-limited, and stored under random names."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from associations.models import AssociationRequest, ProofDocument
from tests.builders import (
    PDF_BYTES,
    form_data,
    make_mpn,
    make_product,
    make_subscription,
    make_tenant,
)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
EML = (
    b"From: alex@customer.example\r\nTo: pat@partner.example\r\nSubject: Sign-off\r\n"
    b"Date: Mon, 2 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n\r\nApproved.\r\n"
)
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64


@pytest.fixture
def data(organisation):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    subscription = make_subscription(tenant, sales)
    return form_data(
        tenant_id=tenant.tenant_id,
        domain="contoso.com",
        mpn=make_mpn(organisation),
        rows=[(sales, str(subscription.pk))],
        action="draft",
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("signed.pdf", PDF_BYTES, "application/pdf"),
        (
            "Protocol.DOCX",
            _docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("photo.png", PNG, "image/png"),
        ("approval.eml", EML, "message/rfc822"),
    ],
)
def test_accepted_documents_are_stored_under_a_random_name_with_a_sniffed_type(
    client, global_admin, data, name, content, content_type
):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_create"),
        {
            **data,
            "documents": SimpleUploadedFile(name, content, content_type="application/octet-stream"),
        },
    )

    assert response.status_code == 302
    document = ProofDocument.objects.get()
    assert (document.original_name, document.content_type) == (name, content_type)
    assert name.split(".")[0] not in document.file.name
    assert document.file.name.startswith("proof/")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("invoice.pdf", EXE, "does not match its file type"),
        ("tool.exe", EXE, "not an accepted kind of file"),
        ("notes.txt", b"hello", "not an accepted kind of file"),
        ("fake.docx", PDF_BYTES, "does not match its file type"),
    ],
)
def test_a_refused_document_keeps_the_rest_of_the_form_and_saves_nothing(
    client, global_admin, data, name, content, message
):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_create"),
        {**data, "documents": SimpleUploadedFile(name, content, content_type="application/pdf")},
    )

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors["documents"])
    assert response.context["form"]["claim_name"].value() == data["claim_name"]
    assert AssociationRequest.objects.count() == 0


def test_a_document_over_the_size_limit_is_refused(client, global_admin, data, settings):
    settings.CPOR_MAX_UPLOAD_BYTES = len(PDF_BYTES) - 1
    client.force_login(global_admin)

    response = client.post(
        reverse("request_create"),
        {**data, "documents": SimpleUploadedFile("big.pdf", PDF_BYTES)},
    )

    assert "the limit is" in " ".join(response.context["form"].errors["documents"])
    assert AssociationRequest.objects.count() == 0


def test_several_documents_are_accepted_at_once(client, global_admin, data):
    client.force_login(global_admin)

    client.post(
        reverse("request_create"),
        {
            **data,
            "documents": [
                SimpleUploadedFile("a.pdf", PDF_BYTES),
                SimpleUploadedFile("b.png", PNG),
            ],
        },
    )

    assert sorted(ProofDocument.objects.values_list("original_name", flat=True)) == [
        "a.pdf",
        "b.png",
    ]


def test_a_document_is_served_as_an_attachment_that_browsers_do_not_sniff(
    client, global_admin, data
):
    client.force_login(global_admin)
    client.post(
        reverse("request_create"), {**data, "documents": SimpleUploadedFile("a.pdf", PDF_BYTES)}
    )
    document = ProofDocument.objects.get()
    request = document.proof.request

    response = client.get(reverse("document_download", args=[request.reference, document.pk]))

    assert response["Content-Disposition"] == 'attachment; filename="a.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES


def _zip(**members) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name.replace("__", "/"), content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [
        _zip(**{"payload.exe": "MZ"}),
        _zip(**{"[Content_Types].xml": "<Types/>", "xl__workbook.xml": "<w/>"}),
        _zip(
            **{
                "[Content_Types].xml": "<T/>",
                "word__document.xml": "<w/>",
                "word__vbaProject.bin": "x",
            }
        ),
    ],
    ids=["any-zip", "a-spreadsheet-named-docx", "macros"],
)
def test_a_zip_that_is_not_a_plain_word_document_is_refused_as_docx(
    client, global_admin, data, content
):
    client.force_login(global_admin)

    response = client.post(
        reverse("request_create"),
        {**data, "documents": SimpleUploadedFile("evil.docx", content)},
    )

    assert response.status_code == 400
    assert "does not match its file type" in " ".join(response.context["form"].errors["documents"])
