"""The proof template names everything a reviewer looks for, in both formats, and its mark is
read back from a document made here and from nothing else."""

import io
import os
import sys
import zipfile
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from fpdf import FPDF
from PIL import Image
from pypdf import PdfReader, PdfWriter

from associations.proof_template import (
    SECTIONS,
    ClaimedProduct,
    TemplateContent,
    docx_document,
    pdf_document,
    read_mark,
)

MARK = "CPOR-000123.k3J9x0aQ1z"
CONTENT = TemplateContent(
    reference="CPOR-000123",
    mark=MARK,
    partner="Contoso Česko s.r.o.",
    mpn_id="1234567",
    mpn_location="Praha, Czechia",
    customer="Žluťoučký kůň a.s.",
    tenant_id="0f8fad5b-d9cb-469f-a165-70867728950e",
    domain="příklad.cz",
    products=(
        ClaimedProduct("Dynamics 365 Sales", "6d5c8f1e-1b2a-4c3d-9e8f-0a1b2c3d4e5f"),
        ClaimedProduct("Exchange Online", ""),
    ),
    activity="Deployment",
    activity_description="Mailboxes moved and users trained: ěščřžýáíéůú.",
    public_sector=False,
)
FIELDS = (
    CONTENT.reference,
    CONTENT.partner,
    CONTENT.mpn_id,
    CONTENT.mpn_location,
    CONTENT.customer,
    CONTENT.tenant_id,
    CONTENT.domain,
    "Dynamics 365 Sales",
    "6d5c8f1e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
    "Exchange Online",
    CONTENT.activity,
    CONTENT.activity_description,
    f"Template {MARK}",
)
DISCLOSURE = "Public-sector disclosure"


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    texts = [paragraph.text for paragraph in document.paragraphs]
    texts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    texts += [paragraph.text for paragraph in document.sections[0].footer.paragraphs]
    return " ".join(" ".join(texts).split())


def _pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


both_formats = pytest.mark.parametrize(
    ("render", "read"), [(docx_document, _docx_text), (pdf_document, _pdf_text)]
)


def _docx_without_metadata(data: bytes) -> bytes:
    document = docx.Document(io.BytesIO(data))
    document.core_properties.identifier = document.core_properties.keywords = ""
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pdf_rewritten(data: bytes, *, password: str | None = None) -> bytes:
    """The pages again, without the document information (as some converters leave them)."""
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(data)).pages:
        writer.add_page(page)
    if password is not None:
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


@both_formats
def test_both_formats_name_every_field_and_every_section(render, read):
    text = read(render(CONTENT))
    for field in FIELDS:
        assert field in text
    for title in SECTIONS.values():
        assert str(title) in text
    assert "Proof of execution for CPOR-000123" in text
    assert "None (Microsoft 365 workload)" in text


def test_sections_are_numbered_in_the_documents_order():
    assert list(SECTIONS) == [
        "partner",
        "customer",
        "products",
        "activity",
        "services",
        "acknowledgement",
        "signature",
    ]
    assert str(SECTIONS["services"]) == "5. Services delivered"


def test_czech_diacritics_survive_in_the_pdf_text():
    text = _pdf_text(pdf_document(CONTENT))
    assert "Žluťoučký kůň a.s." in text
    assert "ěščřžýáíéůú" in text
    assert "příklad.cz" in text


@both_formats
def test_the_public_sector_paragraph_appears_only_when_asked(render, read):
    assert DISCLOSURE not in read(render(CONTENT))
    assert DISCLOSURE in read(render(replace(CONTENT, public_sector=True)))


@pytest.mark.parametrize("render", [docx_document, pdf_document])
def test_the_mark_is_read_back(render):
    assert read_mark(render(CONTENT)) == MARK


def test_the_mark_is_carried_in_the_metadata():
    assert docx.Document(io.BytesIO(docx_document(CONTENT))).core_properties.keywords == MARK
    assert PdfReader(io.BytesIO(pdf_document(CONTENT))).metadata["/Keywords"] == MARK


def test_the_mark_is_read_from_the_text_when_the_metadata_is_gone():
    pdf = _pdf_rewritten(pdf_document(CONTENT))
    assert "/Keywords" not in (PdfReader(io.BytesIO(pdf)).metadata or {})
    assert read_mark(pdf) == MARK
    assert read_mark(_docx_without_metadata(docx_document(CONTENT))) == MARK


def test_the_mark_is_read_from_a_pdf_that_opens_without_a_password():
    assert read_mark(_pdf_rewritten(pdf_document(CONTENT), password="")) == MARK


def test_a_pdf_that_needs_a_password_has_no_mark():
    assert read_mark(_pdf_rewritten(pdf_document(CONTENT), password="secret")) is None


def _plain_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Signed. CPOR-000123.short")
    pdf.set_keywords("CPOR-123.k3J9x0aQ1z")
    return bytes(pdf.output())


def _plain_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Signed. CPOR-000123.k3J9x0aQ1zTOOLONG")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    return buffer.getvalue()


def _our_docx_padded(*, thumbnail_mb: int = 0, extra_parts: int = 0) -> bytes:
    """Our DOCX with a thumbnail that inflates to many megabytes (python-docx would hold it in
    memory) or with many more parts: either way, not a document made here."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_document(CONTENT))) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as padded,
    ):
        for member in source.infolist():
            with padded.open(member.filename, "w", force_zip64=True) as part:
                part.write(source.read(member))
                if member.filename == "docProps/thumbnail.jpeg":
                    for _ in range(thumbnail_mb):
                        part.write(b"\0" * 1024 * 1024)
        for number in range(extra_parts):
            padded.writestr(f"customXml/extra{number}.xml", "<x/>")
    return buffer.getvalue()


def test_a_docx_is_read_for_its_mark_parts_only_and_not_when_split_into_too_many():
    assert read_mark(_our_docx_padded(thumbnail_mb=1, extra_parts=10)) == MARK
    assert read_mark(_our_docx_padded(thumbnail_mb=64)) == MARK  # never unpacked
    assert read_mark(_our_docx_padded(extra_parts=1000)) is None


def test_a_docx_body_is_never_parsed():
    """A small upload can hold millions of paragraphs; the mark is never in the body."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(docx_document(CONTENT))) as ours,
        zipfile.ZipFile(buffer, "w") as changed,
    ):
        for item in ours.infolist():
            body = b"<w:p" * 1000 if item.filename == "word/document.xml" else ours.read(item)
            changed.writestr(item, body)

    assert read_mark(buffer.getvalue()) == MARK


@both_formats
def test_a_reference_past_999999_keeps_its_mark(render, read):
    content = replace(CONTENT, reference="CPOR-1000000", mark="CPOR-1000000.k3J9x0aQ1z")

    assert read_mark(render(content)) == "CPOR-1000000.k3J9x0aQ1z"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(_plain_pdf(), id="pdf-without-a-mark"),
        pytest.param(_plain_docx(), id="docx-without-a-mark"),
        pytest.param(Path(sys.executable).resolve().read_bytes(), id="executable"),
        pytest.param(b"MZ\x90\x00" + os.urandom(512), id="renamed-exe"),
        pytest.param(os.urandom(4096), id="random-bytes"),
        pytest.param(b"%PDF-1.7\n" + os.urandom(4096), id="random-after-a-pdf-header"),
        pytest.param(b"PK\x03\x04" + os.urandom(4096), id="random-after-a-zip-header"),
        pytest.param(b"", id="empty"),
        pytest.param(docx_document(CONTENT)[:5000], id="truncated-docx"),
        pytest.param(pdf_document(CONTENT)[:2000], id="truncated-pdf"),
        pytest.param(_png(), id="image"),
    ],
)
def test_read_mark_finds_nothing_in_other_files(data):
    assert read_mark(data) is None
