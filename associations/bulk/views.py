"""The "Bulk filing" section: template, upload, preview, filing, rows with errors."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from associations.bulk import selectors, services
from associations.bulk.forms import BatchSubmitForm, BatchUploadForm
from associations.bulk.spreadsheet import (
    COLUMNS,
    ERROR_COLUMN,
    XLSX_TYPE,
    rows_csv,
    rows_xlsx,
    template_csv,
    template_xlsx,
)
from associations.models import BatchRow
from core.errors import DomainError
from partners.access import cpor_member_required
from validation.errors import CHECKS, WARNINGS

ROWS_PER_PAGE = 50
_KINDS = {
    "xlsx": (XLSX_TYPE, template_xlsx, rows_xlsx),
    "csv": ("text/csv", template_csv, rows_csv),
}


def _attachment(content: bytes, kind: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=_KINDS[kind][0])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@cpor_member_required(write=True)
@require_http_methods(["GET", "POST"])
def bulk_home(request):
    form = BatchUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        batch = services.batch_create(
            actor=request.user,
            organisation=request.membership.organisation,
            upload=form.cleaned_data["file"],
            total_rows=form.total_rows,
        )
        messages.success(request, _("Uploaded. The rows are being read; this page updates itself."))
        return redirect("batch_detail", batch_id=batch.pk)
    return render(
        request,
        "associations/bulk/home.html",
        {
            "form": form,
            "batches": selectors.batch_list(request.membership),
            "max_rows": settings.CPOR_BULK_MAX_ROWS,
        },
        status=400 if request.method == "POST" else 200,
    )


@cpor_member_required
@require_safe
def bulk_template(request, kind):
    """Every CPOR role may download the template (DESIGN.md section 8: "template only")."""
    if kind not in _KINDS:
        raise Http404
    content = _KINDS[kind][1](selectors.template_lists(request.membership))
    return _attachment(content, kind, f"cpor-bulk-template.{kind}")


@cpor_member_required
@require_safe
def batch_detail(request, batch_id):
    batch = selectors.batch_get_for_user(request.membership, batch_id)
    return _render_batch(request, batch, BatchSubmitForm())


def _render_batch(request, batch, submit_form, status=200):
    verdict = request.GET.get("verdict", "")
    if verdict not in BatchRow.Verdict.values:
        verdict = ""
    page = Paginator(selectors.batch_rows(batch, verdict), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "associations/bulk/batch.html",
        {
            "batch": batch,
            "page": page,
            "verdict": verdict,
            "verdicts": BatchRow.Verdict.choices,
            "checks": CHECKS,
            "warnings": WARNINGS,
            "fileable": batch.ok_count + batch.warning_count,
            "filed_rows": services.filing_progress(batch)
            if batch.status == batch.Status.FILING
            else 0,
            "submit_form": submit_form,
        },
        status=status,
    )


@cpor_member_required
@require_POST
def batch_file(request, batch_id):
    batch = selectors.batch_get_for_user(request.membership, batch_id)
    return _queue(request, batch, None)


@cpor_member_required
@require_POST
def batch_submit(request, batch_id):
    """File the rows and submit them at once, with one proof for the whole batch."""
    batch = selectors.batch_get_for_user(request.membership, batch_id)
    form = BatchSubmitForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_batch(request, batch, form, status=400)
    proof = services.BatchProof(
        description=form.cleaned_data["proof_description"],
        uploads=form.cleaned_data["documents"],
    )
    return _queue(request, batch, proof)


def _queue(request, batch, proof):
    """The worker files the batch: thousands of rows take longer than a web request may."""
    try:
        services.batch_file_queue(actor=request.user, batch=batch, proof=proof)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The rows are being filed; this page updates itself."))
    return redirect("batch_detail", batch_id=batch.pk)


@cpor_member_required
@require_safe
def batch_errors(request, batch_id, kind):
    """The rows with errors, as uploaded, with a column saying what to fix."""
    if kind not in _KINDS:
        raise Http404
    batch = selectors.batch_get_for_user(request.membership, batch_id)
    rows = selectors.batch_rows(batch, BatchRow.Verdict.ERROR)
    content = _KINDS[kind][2](
        [
            [*COLUMNS, ERROR_COLUMN],
            *(
                [*(row.cells.get(column, "") for column in COLUMNS), _error_text(row)]
                for row in rows.iterator()
            ),
        ]
    )
    return _attachment(content, kind, f"cpor-bulk-{batch.pk}-errors.{kind}")


def _error_text(row: BatchRow) -> str:
    parts = [f"{column}: {message}" if column else message for column, message in row.errors]
    parts += [f"{code}: {CHECKS[code].message}" for code in row.checks if code in CHECKS]
    return " | ".join(parts)
