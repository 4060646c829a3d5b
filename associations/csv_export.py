"""Streaming CSV: rows are written as they are read, so an export of any size runs in flat
memory, and cells that a spreadsheet would run as formulas are neutralised."""

from validation.domains import display_domain

_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class Echo:
    """A file-like object whose write returns the line, for csv.writer in a generator."""

    def write(self, value):
        return value


def cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_PREFIXES) else text


EXPORT_HEADER = [
    "reference",
    "claim_name",
    "status",
    "product",
    "subscription_id",
    "tenant_id",
    "domain",
    "solution_area",
    "activity",
    "mpn_id",
    "created_at",
    "submitted_at",
]


def export_rows(claims):
    """The claims export's rows, header first, for the page's CSV and the API's CSV or NDJSON."""
    yield EXPORT_HEADER
    for claim in claims.iterator(chunk_size=2000):
        req = claim.request
        yield [
            req.reference,
            req.claim_name,
            claim.status,
            claim.product.name,
            claim.subscription_id,
            req.tenant_id,
            display_domain(req.domain),
            req.solution_area,
            req.activity,
            req.mpn.mpn_id,
            req.created_at.isoformat(),
            req.submitted_at.isoformat() if req.submitted_at else "",
        ]
