"""The floor: the partner's request list served by ONE hand-written SQL query.

Same middleware (session, user), the same access decorator (membership) and the same template
as `associations.views.request_list`; only the page's data comes from a single query that
returns each request with its MPN ID and its claims (status and product name, as JSON). The
benchmark reports every page's time as a ratio to this.
"""

import json

from django.db import connection
from django.shortcuts import render
from django.utils.dateparse import parse_datetime

from associations.models import AssociationRequest, ClaimStatus
from associations.selectors import PAGE_SIZE, ListRow, Page, RequestFilters
from partners.access import cpor_member_required
from partners.catalog import Activity, SolutionArea

SELECT = """
SELECT r.id, r.claim_name, r.domain, r.tenant_id, r.solution_area, r.activity, r.created_at,
       m.mpn_id,
       (SELECT json_agg(json_build_array(c.status, p.name) ORDER BY c.id)
          FROM associations_claim c JOIN validation_product p ON p.id = c.product_id
         WHERE c.request_id = r.id) AS claims
  FROM associations_associationrequest r
  JOIN partners_mpnid m ON m.id = r.mpn_id
 WHERE r.organisation_id = %(org)s
"""
BEFORE = "   AND r.id < %(before)s\n"
STATUS = """   AND EXISTS (SELECT 1 FROM associations_claim s
                WHERE s.request_id = r.id AND s.status = %(status)s)
"""
ORDER = " ORDER BY r.id DESC LIMIT %(limit)s"


def floor_sql(*, before: bool, status: bool) -> str:
    """The one query, with only the conditions in use (no `%s IS NULL OR ...` tricks, which
    keep PostgreSQL from planning the filter as a semi-join)."""
    return SELECT + (BEFORE if before else "") + (STATUS if status else "") + ORDER


def _row(record) -> ListRow:
    """The same row type the portal's list renders, built from the one query's record."""
    pk, claim_name, domain, tenant_id, area, activity, created_at, mpn_id, claims = record
    if isinstance(claims, str):  # Django may hand json back as text
        claims = json.loads(claims)
    if isinstance(created_at, str):  # pragma: no cover (psycopg returns datetimes)
        created_at = parse_datetime(created_at)
    return ListRow(
        pk,
        claim_name,
        domain,
        tenant_id,
        area,
        activity,
        created_at,
        mpn_id,
        claims=[(status, name) for status, name in claims or []],
    )


@cpor_member_required
def floor_request_list(request):
    status = request.GET.get("status", "")
    status = status if status in ClaimStatus.values else ""
    before = AssociationRequest.pk_from_reference(request.GET.get("before", ""))
    with connection.cursor() as cursor:
        cursor.execute(
            floor_sql(before=before is not None, status=bool(status)),
            {
                "org": request.membership.organisation_id,
                "before": before,
                "status": status or None,
                "limit": PAGE_SIZE + 1,
            },
        )
        records = cursor.fetchall()
    rows = [_row(record) for record in records[:PAGE_SIZE]]
    page = Page(
        rows=rows,
        newer=rows[0].pk if before is not None and rows else None,
        older=rows[-1].pk if len(records) > PAGE_SIZE else None,
    )
    query = request.GET.copy()
    for name in ("before", "after"):
        query.pop(name, None)
    return render(
        request,
        "associations/request_list.html",
        {
            "page": page,
            "filters": RequestFilters(status=status),
            "query": query.urlencode(),
            "statuses": ClaimStatus.choices,
            "areas": SolutionArea.choices,
            "activities": Activity.choices,
        },
    )
