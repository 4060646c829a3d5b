"""The proof-of-execution template: a pre-filled document for the customer to sign.

A reviewer's most common questions about a proof are a missing signature, missing dates, no
description of the service and a claimed product the document does not name; the template has a
numbered section for each, so the request form can point at them (`SECTIONS`). Both formats are
built from one outline (`_outline`), so the DOCX and the PDF never say different things.

Each document carries an opaque mark (in its metadata and in its footer) that `read_mark` finds
again in an uploaded proof, so a reviewer can see whether it was made from this request's template.
Every text is translated on rendering, in the active language (the reader's, on a page).
"""

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import docx
import pypdf
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.document import Document as DocxDocument
from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.shared import Mm
from fpdf import FPDF, FontFace, XPos, YPos
from pypdf import PdfReader


@dataclass(frozen=True)
class ClaimedProduct:
    name: str
    subscription_id: str  # "" for a Microsoft 365 workload


@dataclass(frozen=True)
class TemplateContent:
    reference: str  # "CPOR-000123"
    mark: str  # opaque token embedded in the document, e.g. "CPOR-000123.k3J9x0aQ1z"
    partner: str
    mpn_id: str
    mpn_location: str
    customer: str  # the tenant's display name
    tenant_id: str
    domain: str  # Unicode form
    products: tuple[ClaimedProduct, ...]
    activity: str
    activity_description: str
    public_sector: bool


# The order is the numbering, which the request form quotes: append, never reorder.
_TITLES = {
    "partner": gettext_lazy("Partner"),
    "customer": gettext_lazy("Customer"),
    "products": gettext_lazy("Products and workloads claimed"),
    "activity": gettext_lazy("Activity"),
    "services": gettext_lazy("Services delivered"),
    "acknowledgement": gettext_lazy("Customer's acknowledgement"),
    "signature": gettext_lazy("Customer's signature"),
}
_NUMBER = {anchor: number for number, anchor in enumerate(_TITLES, start=1)}
# Lazy, because the module is imported once and read in each user's language.
SECTIONS: dict[str, Promise] = {
    anchor: format_lazy("{}. {}", _NUMBER[anchor], title) for anchor, title in _TITLES.items()
}

# The format the portal issues; anything else in a document is not our mark.
_MARK = re.compile(r"(?<![\w-])CPOR-\d{6,}\.[A-Za-z0-9_-]{10}(?![\w-])", re.ASCII)

_FONTS = Path(__file__).resolve().parent / "fonts"
_FONT = "DejaVu"  # bundled: a fresh machine may have no font with Czech glyphs

# A4 with 20 mm margins leaves 170 mm of text width.
_PAGE_W, _PAGE_H, _MARGIN = 210, 297, 20
_LABEL_COLUMNS = (50, 120)
_PRODUCT_COLUMNS = (90, 80)  # a subscription ID is 73 mm at 10 pt
_FILL_IN_ROW = 10
_SERVICES_ROW = 45
_SIGNATURE_ROW = 20

# read_mark's limits: a document with thousands of parts is not one of ours, and the mark is on
# every page, so the first few suffice.
_MAX_ZIP_MEMBERS = 1000
_MAX_PART_BYTES = 256 * 1024  # a core properties part or a footer is a few kilobytes
_FOOTER = re.compile(r"word/footer\d*\.xml")
_TAG = re.compile(r"<[^>]*>")
# Far below pypdf's defaults (75 MB a stream): a template's page is a few kilobytes, and a small
# upload must not inflate to hundreds of megabytes while the mark is looked for.
_PDF_LIMIT = 2_000_000
_PDF_LIMITS = {
    "zlib_maximum_output_length": _PDF_LIMIT,
    "lzw_maximum_output_length": _PDF_LIMIT,
    "run_length_maximum_output_length": _PDF_LIMIT,
    "array_based_stream_maximum_output_length": _PDF_LIMIT,
    "stream_decoding_work_maximum_length": 4 * _PDF_LIMIT,
    "stream_parsing_work_maximum_count": 200_000,
}
_PAGES_READ = 3


@dataclass(frozen=True)
class _Heading:
    text: str


@dataclass(frozen=True)
class _Text:
    text: str


@dataclass(frozen=True)
class _Table:
    rows: tuple[tuple[str, str], ...]
    widths: tuple[int, int] = _LABEL_COLUMNS
    header: tuple[str, str] | None = None  # else the first column holds labels, in bold
    row_height: int | None = None  # a minimum, in mm: room to write by hand


_Block = _Heading | _Text | _Table


def _title(content: TemplateContent) -> str:
    return _("Proof of execution for %(reference)s") % {"reference": content.reference}


def _footer(content: TemplateContent) -> str:
    return _("%(reference)s · Template %(mark)s") % {
        "reference": content.reference,
        "mark": content.mark,
    }


def _heading(anchor: str) -> _Heading:
    return _Heading(str(SECTIONS[anchor]))


def _outline(content: TemplateContent) -> list[_Block]:
    """Everything below the title, in order, whatever the format."""
    blank = ""
    blocks: list[_Block] = [
        _Text(
            # Translators: the numbers are those of the "Services delivered" and "Customer's
            # signature" sections of the proof template.
            _(
                "The partner completes section %(services)s. The customer checks the other "
                "sections, signs section %(signature)s, and the partner uploads the signed "
                "document to request %(reference)s."
            )
            % {
                "services": _NUMBER["services"],
                "signature": _NUMBER["signature"],
                "reference": content.reference,
            }
        ),
        _heading("partner"),
        _Table(
            (
                (_("Name"), content.partner),
                (_("MPN ID"), content.mpn_id),
                (_("Location"), content.mpn_location),
            )
        ),
        _heading("customer"),
        _Table(
            (
                (_("Name"), content.customer),
                (_("Tenant ID"), content.tenant_id),
                (_("Domain"), content.domain),
            )
        ),
        _heading("products"),
        _Table(
            tuple(
                (product.name, product.subscription_id or _("None (Microsoft 365 workload)"))
                for product in content.products
            ),
            widths=_PRODUCT_COLUMNS,
            header=(_("Product or workload"), _("Subscription ID")),
        ),
        _heading("activity"),
        _Table(
            (
                (_("Activity"), content.activity),
                (_("Description"), content.activity_description),
            )
        ),
        _heading("services"),
        _Text(
            _(
                "To be completed by the partner: describe the services delivered for the "
                "products and workloads in section %(products)s, and when they were delivered."
            )
            % {"products": _NUMBER["products"]}
        ),
        _Table(((_("Services delivered"), blank),), row_height=_SERVICES_ROW),
        _Table(((_("Start date"), blank), (_("End date"), blank)), row_height=_FILL_IN_ROW),
        _heading("acknowledgement"),
        _Text(
            _(
                "%(customer)s acknowledges that %(partner)s, named in section %(partner_section)s, "
                "delivered the services described in section %(services_section)s for the "
                "products and workloads listed in section %(products_section)s, and agrees that "
                "%(partner)s is recorded as its partner of record for them."
            )
            % {
                "customer": content.customer,
                "partner": content.partner,
                "partner_section": _NUMBER["partner"],
                "services_section": _NUMBER["services"],
                "products_section": _NUMBER["products"],
            }
        ),
    ]
    if content.public_sector:
        blocks.append(
            _Text(
                _(
                    "Public-sector disclosure: %(customer)s confirms that naming a partner of "
                    "record complies with the public-sector rules that bind it, and that no gift "
                    "or payment was offered or exchanged for it."
                )
                % {"customer": content.customer}
            )
        )
    blocks += [
        _heading("signature"),
        _Text(_("Signed on behalf of %(customer)s:") % {"customer": content.customer}),
        _Table(
            ((_("Name"), blank), (_("Job title"), blank), (_("Date"), blank)),
            row_height=_FILL_IN_ROW,
        ),
        _Table(((_("Signature"), blank),), row_height=_SIGNATURE_ROW),
    ]
    return blocks


def docx_document(content: TemplateContent) -> bytes:
    """The template as a Word document the partner can type into before it is signed."""
    document = docx.Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(_PAGE_W), Mm(_PAGE_H)
    section.left_margin = section.right_margin = Mm(_MARGIN)
    section.top_margin = section.bottom_margin = Mm(_MARGIN)
    section.footer.paragraphs[0].text = _footer(content)

    title = _title(content)
    properties = document.core_properties
    properties.title = title
    properties.author = content.partner
    properties.comments = ""  # the default template's says "generated by python-docx"
    properties.created = properties.modified = datetime.now(tz=UTC)
    # Both: Word keeps keywords (its "Tags") on saving; identifier is not shown to be edited.
    properties.identifier = properties.keywords = content.mark

    document.add_heading(title, level=0)
    for block in _outline(content):
        if isinstance(block, _Heading):
            document.add_heading(block.text, level=1)
        elif isinstance(block, _Text):
            document.add_paragraph(block.text)
        else:
            _docx_table(document, block)

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _all_rows(block: _Table) -> tuple[tuple[str, str], ...]:
    return ((block.header,) if block.header else ()) + block.rows


def _docx_table(document: DocxDocument, block: _Table) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.autofit = False
    for index, cells in enumerate(_all_rows(block)):
        row = table.add_row()
        if block.row_height:
            row.height, row.height_rule = Mm(block.row_height), WD_ROW_HEIGHT_RULE.AT_LEAST
        for column, (cell, text) in enumerate(zip(row.cells, cells, strict=True)):
            cell.width = Mm(block.widths[column])
            run = cell.paragraphs[0].add_run(text)
            run.bold = index == 0 if block.header else column == 0


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self._footer_text = footer_text
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN)
        self.add_font(_FONT, "", _FONTS / "DejaVuSans.ttf")
        self.add_font(_FONT, "B", _FONTS / "DejaVuSans-Bold.ttf")

    def footer(self) -> None:
        self.set_y(-_MARGIN + 5)
        self.set_font(_FONT, size=8)
        self.cell(0, 5, self._footer_text, align="C")


def pdf_document(content: TemplateContent) -> bytes:
    """The template as a PDF to print, sign and scan (or to sign electronically)."""
    title = _title(content)
    pdf = _Pdf(_footer(content))
    pdf.set_title(title)
    pdf.set_author(content.partner)
    pdf.set_subject(title)
    pdf.set_keywords(content.mark)
    pdf.add_page()
    pdf.set_font(_FONT, "B", 16)
    pdf.multi_cell(0, 9, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    for block in _outline(content):
        pdf.ln(3)
        if isinstance(block, _Heading):
            pdf.set_font(_FONT, "B", 12)
            pdf.multi_cell(0, 7, block.text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        elif isinstance(block, _Text):
            pdf.set_font(_FONT, size=10)
            pdf.multi_cell(0, 5, block.text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        else:
            _pdf_table(pdf, block)
    return bytes(pdf.output())


def _pdf_table(pdf: FPDF, block: _Table) -> None:
    pdf.set_font(_FONT, size=10)
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=block.widths,
        width=sum(block.widths),
        align="LEFT",
        text_align="LEFT",
        v_align="TOP",
        first_row_as_headings=bool(block.header),
        headings_style=bold,
        min_row_height=block.row_height,
        padding=1.5,
    ) as table:
        for label, value in _all_rows(block):
            row = table.row()
            row.cell(label, style=None if block.header else bold)
            row.cell(value)


def read_mark(data: bytes) -> str | None:
    """The mark of a DOCX or PDF made here, or None: a hint for the reviewer, never a blocker.

    Metadata first (it survives re-saving), then the text (it survives a converter that drops
    the metadata).
    """
    try:
        if b"%PDF-" in data[:1024]:  # readers accept a header anywhere in the first kilobyte
            return _first_mark(_pdf_texts(data))
        if data.startswith(b"PK\x03\x04"):
            return _first_mark(_docx_texts(data))
    # Any upload reaches this: pypdf, python-docx, zipfile and lxml each raise their own errors
    # (and more on hostile input), and a document we cannot read simply carries no mark.
    except Exception:
        return None
    return None


def _first_mark(texts: Iterable[object]) -> str | None:
    for text in texts:
        if isinstance(text, str) and (match := _MARK.search(text)):
            return match.group()
    return None


def _docx_texts(data: bytes) -> Iterator[str]:
    """The mark's two places only, read raw: the core properties and the footers. The body is
    never parsed (a small upload can hold millions of empty paragraphs); tags are dropped from
    a footer, since a word processor may split its text into runs."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        if len(members) > _MAX_ZIP_MEMBERS:
            return
        for member in members:
            if member.filename == "docProps/core.xml" or _FOOTER.fullmatch(member.filename):
                with archive.open(member) as part:
                    xml = part.read(_MAX_PART_BYTES).decode("utf-8", "replace")
                yield _TAG.sub("", xml) if member.filename != "docProps/core.xml" else xml


def _pdf_texts(data: bytes) -> Iterator[str]:
    with pypdf.apply_configuration(**_PDF_LIMITS):
        yield from _pdf_parts(data)


def _pdf_parts(data: bytes) -> Iterator[str]:
    reader = PdfReader(io.BytesIO(data))
    # A PDF "protected" against editing opens without a password: read it like any other.
    if reader.is_encrypted and not reader.decrypt(""):
        return
    metadata = reader.metadata or {}
    for key in ("/Keywords", "/Subject"):
        yield str(metadata.get(key, ""))
    for page in reader.pages[:_PAGES_READ]:
        yield page.extract_text()
