"""The bulk filing spreadsheet: its columns, the template, and reading an upload safely.

An upload is refused with a clear message, before anything is stored, when it is empty, too
large, not what its name says (a renamed executable), an XLSX that would unpack to more than
`CPOR_BULK_MAX_UNPACKED_BYTES` (the sizes are read from the zip's directory before openpyxl
parses anything), a CSV that is not UTF-8 or UTF-16 text, a sheet whose header is not the
template's, or more rows than `CPOR_BULK_MAX_ROWS`. Cells are read as typed: a formula
(`=...`) is text, never evaluated; openpyxl runs in read-only, streaming mode.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from associations.csv_export import cell as neutralised
from associations.uploads import is_office_document
from core.text import clean_line
from partners.catalog import Activity, SolutionArea

COLUMNS = (
    "claim_name",
    "tenant_id",
    "domain",
    "solution_area",
    "activity",
    "mpn_id",
    "product",
    "subscription_id",
    "customer_contact_name",
    "customer_contact_title",
    "customer_contact_email",
    "partner_contact_name",
    "partner_contact_email",
    "solution_seller_name",
    "isv_product_name",
    "opt_out_of_incentives",
    "public_sector",
    "proof_description",
)
# Rows that share these become one request with several claims (the request key).
KEY_COLUMNS = (
    "tenant_id",
    "domain",
    "solution_area",
    "activity",
    "mpn_id",
    "customer_contact_name",
    "customer_contact_title",
    "customer_contact_email",
    "partner_contact_name",
    "partner_contact_email",
)
ERROR_COLUMN = "errors"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_SUFFIXES = (".xlsx", ".csv")
_WIDEST = 64  # columns read per row: a forged dimension record cannot widen the rows
_BLANK_ROWS_READ = 10_000  # blank rows tolerated beyond the row limit (formatted, empty)
_TEMPLATE_ROWS = 5000  # rows the template's drop-down lists cover
_BINARY_SIGNATURES = (b"MZ", b"\x7fELF", b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"\xca\xfe")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # never in text a spreadsheet saves


@dataclass(frozen=True)
class Row:
    number: int  # the row's number in the spreadsheet, as the partner sees it
    cells: dict[str, str]


def cell_text(value) -> str:
    """A cell as text, as the partner typed it (a number typed into the MPN ID column too)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def check_upload(upload) -> int:
    """Refuse a file that is not a readable template; returns its number of rows."""
    upload.name = name = clean_line(upload.name)
    if upload.size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    limit = settings.CPOR_BULK_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if PurePosixPath(name).suffix.lower() not in _SUFFIXES:
        raise ValidationError(
            _("%(name)s is not a spreadsheet: upload the template as .xlsx or .csv.")
            % {"name": name},
            code="file_type",
        )
    upload.seek(0)
    content = upload.read()
    upload.seek(0)
    count = sum(1 for _row in read_rows(content, name))
    if count == 0:
        raise ValidationError(
            _("%(name)s has the header but no rows to file.") % {"name": name}, code="no_rows"
        )
    return count


def read_rows(content: bytes, name: str) -> Iterator[Row]:
    """The non-blank rows under the header; raises ValidationError for an unreadable file."""
    if PurePosixPath(name).suffix.lower() == ".xlsx":
        rows = _xlsx_rows(content, name)
    else:
        rows = _csv_rows(content, name)
    header_number, header = _header(rows, name)
    positions = _positions(header, name)
    limit = settings.CPOR_BULK_MAX_ROWS
    count = 0
    for number, values in rows:
        texts = [cell_text(value) for value in values]
        blank = not any(texts)
        if number - header_number > limit + _BLANK_ROWS_READ or (count >= limit and not blank):
            raise ValidationError(
                _("%(name)s has more than %(limit)s rows; split it into several files.")
                % {"name": name, "limit": f"{limit:,}"},
                code="too_many_rows",
            )
        if blank:
            continue
        count += 1
        yield Row(
            number=number,
            cells={
                column: texts[index] if index < len(texts) else ""
                for column, index in positions.items()
            },
        )


def _content_error(name: str) -> ValidationError:
    return ValidationError(
        _("The content of %(name)s does not match its file type. Upload the original file.")
        % {"name": name},
        code="file_content",
    )


def _xlsx_rows(content: bytes, name: str) -> Iterator[tuple[int, tuple]]:
    archive_file = io.BytesIO(content)
    if not content.startswith(b"PK\x03\x04") or not is_office_document(archive_file, ".xlsx"):
        raise _content_error(name)
    with zipfile.ZipFile(archive_file) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > settings.CPOR_BULK_MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("%(name)s would unpack to %(size)s, more than a spreadsheet of claims needs.")
            % {"name": name, "size": filesizeformat(unpacked)},
            code="too_large_unpacked",
        )
    workbook = None
    try:
        workbook = openpyxl.load_workbook(archive_file, read_only=True, keep_links=False)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never trust the dimension record's size
        yield from enumerate(sheet.iter_rows(max_col=_WIDEST, values_only=True), start=1)
    except Exception as error:  # a malformed part fails in openpyxl or the XML parser, anyhow
        raise ValidationError(
            _("%(name)s could not be read as an XLSX workbook.") % {"name": name},
            code="unreadable",
        ) from error
    finally:
        if workbook is not None:
            workbook.close()


def _decode(content: bytes, name: str) -> str:
    """UTF-8 (with or without a byte order mark) or UTF-16 with its mark, as Excel saves them;
    a code page such as Windows-1250 cannot be told apart reliably, so it is refused. Text
    with control characters (a NUL byte) is binary content renamed to .csv."""
    if content.startswith(_BINARY_SIGNATURES):
        raise _content_error(name)
    encoding = "utf-16" if content.startswith((b"\xff\xfe", b"\xfe\xff")) else "utf-8-sig"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError:
        if encoding == "utf-16":
            raise _content_error(name) from None
        raise ValidationError(
            _(
                "%(name)s is not UTF-8 text (it may be saved in a code page such as "
                "Windows-1250). In Excel, save it as “CSV UTF-8”, or use the XLSX template."
            )
            % {"name": name},
            code="encoding",
        ) from None
    if _CONTROL.search(text):
        raise _content_error(name)
    return text


def _csv_rows(content: bytes, name: str) -> Iterator[tuple[int, list]]:
    text = _decode(content, name)
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, values in enumerate(reader, start=1):
            yield number, values[:_WIDEST]
    except csv.Error as error:
        raise ValidationError(
            _("%(name)s could not be read as CSV.") % {"name": name}, code="unreadable"
        ) from error


def _header(rows: Iterator[tuple[int, Iterable]], name: str) -> tuple[int, list[str]]:
    for number, values in rows:
        header = [cell_text(value).casefold() for value in values]
        if any(header):
            return number, header
    raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")


def _positions(header: list[str], name: str) -> dict[str, int]:
    named = [title for title in header if title]
    missing = [column for column in COLUMNS if column not in named]
    unknown = [title for title in named if title not in COLUMNS and title != ERROR_COLUMN]
    repeated = sorted({title for title in named if named.count(title) > 1})
    if missing or unknown or repeated:
        problems = []
        if missing:
            problems.append(_("missing columns: %(columns)s") % {"columns": ", ".join(missing)})
        if unknown:
            problems.append(
                _("unknown columns: %(columns)s") % {"columns": ", ".join(unknown[:10])}
            )
        if repeated:
            problems.append(
                _("repeated columns: %(columns)s") % {"columns": ", ".join(repeated[:10])}
            )
        raise ValidationError(
            _(
                "The first row of %(name)s is not the template's header (%(problems)s). "
                "Download the template and keep its first row as it is."
            )
            % {"name": name, "problems": "; ".join(problems)},
            code="header",
        )
    return {column: header.index(column) for column in COLUMNS}


@dataclass(frozen=True)
class TemplateLists:
    """What the template's drop-down lists offer: the organisation's own choices."""

    mpn_ids: list[str]
    products: list[str]
    example: dict[str, str]


def choice_labels() -> tuple[list[str], list[str]]:
    return [str(label) for label in SolutionArea.labels], [str(label) for label in Activity.labels]


def template_xlsx(lists: TemplateLists) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "claims"
    sheet.append(list(COLUMNS))
    sheet.append([lists.example.get(column, "") for column in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index)].width = max(
            14, len(column) + 2
        )
    areas, activities = choice_labels()
    options = workbook.create_sheet("lists")
    options.sheet_state = "hidden"
    for index, values in enumerate(
        (areas, activities, lists.mpn_ids or [""], lists.products or [""]), start=1
    ):
        letter = openpyxl.utils.get_column_letter(index)
        for row, value in enumerate(values, start=1):
            options.cell(row=row, column=index, value=value).number_format = "@"
        validation = DataValidation(
            type="list",
            formula1=f"=lists!${letter}$1:${letter}${len(values)}",
            allow_blank=True,
            showErrorMessage=False,  # a value typed by hand is checked on upload, with reasons
        )
        target = ("solution_area", "activity", "mpn_id", "product")[index - 1]
        column_letter = openpyxl.utils.get_column_letter(COLUMNS.index(target) + 1)
        validation.add(f"{column_letter}2:{column_letter}{_TEMPLATE_ROWS + 1}")
        sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_csv(lists: TemplateLists) -> bytes:
    return rows_csv([list(COLUMNS), [lists.example.get(column, "") for column in COLUMNS]])


def rows_csv(rows: Iterable[list]) -> bytes:
    """UTF-8 with a byte order mark (so Excel reads it as UTF-8), cells neutralised."""
    output = io.StringIO()
    writer = csv.writer(output)
    for row in rows:
        writer.writerow([neutralised(value) for value in row])
    return ("\ufeff" + output.getvalue()).encode("utf-8")


def rows_xlsx(rows: Iterable[list]) -> bytes:
    """A write-only workbook of the rows, cells neutralised like the CSV export."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("claims")
    for row in rows:
        sheet.append([neutralised(value) for value in row])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
