"""The MPN audit pages: every CPOR role of the organisation may read them."""

import csv

from django.db.models import Count
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from associations.audit import (
    ACTIVITY_COLUMNS,
    AREA_COLUMNS,
    STATUS_COLUMNS,
    audit_claims,
    mpn_audit,
    organisation_mpn_rows,
)
from associations.csv_export import Echo, cell
from associations.forms import RequestFilterForm
from partners.access import cpor_member_required

CHART_BAR_WIDTH = 520
CHART_ROW_HEIGHT = 10


@cpor_member_required
def audit_page(request):
    form = RequestFilterForm(request.GET)
    filters = form.filters()
    audit = mpn_audit(request.membership, date_from=filters.date_from, date_to=filters.date_to)
    for index, row in enumerate(audit.rows):
        row.bar = round(CHART_BAR_WIDTH * row.total / audit.max_total) if audit.max_total else 0
        row.y = CHART_ROW_HEIGHT * index
    return render(
        request,
        "associations/mpn_audit.html",
        {
            "audit": audit,
            "form": form,
            "filters": filters,
            "range_query": _range_query(filters),
            "statuses": STATUS_COLUMNS,
            "areas": AREA_COLUMNS,
            "activities": ACTIVITY_COLUMNS,
            "chart_width": CHART_BAR_WIDTH,
            "chart_height": CHART_ROW_HEIGHT * max(len(audit.rows), 1),
        },
    )


def _range_query(filters) -> str:
    parts = []
    if filters.date_from:
        parts.append(f"date_from={filters.date_from.isoformat()}")
    if filters.date_to:
        parts.append(f"date_to={filters.date_to.isoformat()}")
    return "&".join(parts)


AUDIT_HEADER = [
    "mpn_id",
    "location",
    "partner_type",
    "enrolled_in",
    "status",
    "solution_area",
    "activity",
    "claims",
    "flag_special_partner_type",
    "flag_not_enrolled",
]


def _audit_rows(membership, filters):
    yield AUDIT_HEADER
    rows = organisation_mpn_rows(membership)
    grouped = (
        audit_claims(membership, filters.date_from, filters.date_to)
        .values_list("mpn_id", "status", "solution_area", "activity")
        .order_by("mpn__mpn_id", "status", "solution_area", "activity")
        .annotate(n=Count("*"))
    )
    for mpn_pk, status, area, activity, count in grouped.iterator():
        row = rows[mpn_pk]
        yield [
            row.mpn.mpn_id,
            row.mpn.location_name,
            row.mpn.partner_type,
            " ".join(sorted(row.enrolled_areas)),
            status,
            area,
            activity,
            count,
            "yes" if row.special_type else "",
            "" if area in row.enrolled_areas else "yes",
        ]


@cpor_member_required
def audit_export(request):
    filters = RequestFilterForm(request.GET).filters()
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (
            writer.writerow([cell(v) for v in row])
            for row in _audit_rows(request.membership, filters)
        ),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="cpor-mpn-audit-{stamp}.csv"'
    return response
