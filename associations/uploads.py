"""Proof-of-execution documents: size-limited, and accepted by their content, not their name.

The first bytes are sniffed with puremagic; a file is accepted only when its content belongs to
the family its extension claims (a `.pdf` that is really an executable is refused). The stored
content type comes from this table, never from the browser. The name loses its control and
hidden characters first (`Invoice\u202efdp.exe` would read as `Invoiceexe.pdf`), so the check,
the reviewer and the download all see the name it really has.
"""

import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

import puremagic
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from associations.proof_template import read_mark
from core.text import clean_line

_OOXML = frozenset({".docx", ".xlsx", ".pptx"})
_OLE = frozenset({".doc", ".xls", ".ppt", ".msg"})
_JPEG = frozenset({".jpg", ".jpeg", ".jpe", ".jfif"})
_MARKED = frozenset({".pdf", ".docx"})  # the proof template's two formats

# extension -> (content type we serve it as, extensions puremagic may report for its content)
ACCEPTED = {
    ".pdf": ("application/pdf", frozenset({".pdf"})),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _OOXML,
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _OOXML),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _OOXML,
    ),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
    ".ppt": ("application/vnd.ms-powerpoint", _OLE),
    ".msg": ("application/vnd.ms-outlook", _OLE),
    ".eml": ("message/rfc822", frozenset({".eml"})),
    ".png": ("image/png", frozenset({".png"})),
    ".jpg": ("image/jpeg", _JPEG),
    ".jpeg": ("image/jpeg", _JPEG),
    ".gif": ("image/gif", frozenset({".gif"})),
}
ACCEPT_ATTRIBUTE = ",".join(sorted(ACCEPTED))
_SNIFF_BYTES = 8192


@dataclass(frozen=True)
class Upload:
    """An uploaded file that passed the checks, with the content type we serve it as."""

    file: object
    content_type: str
    template_mark: str = ""  # the proof template's mark it carries, for the reviewers


def check_document(upload) -> Upload:
    upload.name = name = clean_line(upload.name)
    limit = settings.CPOR_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s."),
            code="too_large",
            params={
                "name": name,
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(limit),
            },
        )
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in ACCEPTED:
        raise ValidationError(
            _(
                "%(name)s is not an accepted kind of file. "
                "Use PDF, Office documents, images or e-mail files."
            ),
            code="file_type",
            params={"name": name},
        )
    content_type, family = ACCEPTED[suffix]
    upload.seek(0)
    head = upload.read(_SNIFF_BYTES)
    upload.seek(0)
    try:
        found = {match.extension for match in puremagic.magic_string(head)}
    except puremagic.PureError:
        found = set()
    if not found & family or (suffix in _OOXML and not is_office_document(upload, suffix)):
        raise ValidationError(
            _(
                "The content of %(name)s does not match its file type. "
                "Upload the original document."
            ),
            code="file_content",
            params={"name": name},
        )
    return Upload(
        file=upload, content_type=content_type, template_mark=_template_mark(upload, suffix)
    )


def _template_mark(upload, suffix: str) -> str:
    """Read here, with the other checks and before any row is locked: a hint, never a refusal."""
    if suffix not in _MARKED:
        return ""
    upload.seek(0)
    mark = read_mark(upload.read())
    upload.seek(0)
    return mark or ""


# The part folder each Office Open XML format must have; any ZIP file sniffs like one.
_OOXML_PARTS = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}


def is_office_document(upload, suffix: str) -> bool:
    """A real Office document, and one without macros (vbaProject.bin)."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)
    part = _OOXML_PARTS[suffix]
    return (
        "[Content_Types].xml" in names
        and any(name.startswith(part) for name in names)
        and not any(name.lower().endswith("vbaproject.bin") for name in names)
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsField(forms.FileField):
    """Several proof documents at once, each checked by `check_document`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        checked, errors = [], []
        for upload in files:
            try:
                checked.append(check_document(super().clean(upload, initial)))
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return checked


def document_response(document, content_type: str | None = None) -> FileResponse:
    """A stored proof document as a download under its original name, never rendered by the
    browser (nosniff): the partner's pages, the reviewers' admin and the API send it so."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=content_type or document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
