from django import template

from associations.models import ClaimStatus

register = template.Library()

_BADGE = {
    ClaimStatus.DRAFT: "text-bg-secondary",
    ClaimStatus.VALIDATING: "text-bg-info",
    ClaimStatus.ACTION_NEEDED: "text-bg-danger",
    ClaimStatus.UNDER_REVIEW: "text-bg-primary",
    ClaimStatus.IN_ARBITRATION: "text-bg-warning",
    ClaimStatus.INFO_REQUESTED: "text-bg-warning",
    ClaimStatus.APPROVED: "text-bg-success",
    ClaimStatus.REJECTED: "text-bg-dark",
    ClaimStatus.DISPUTED: "text-bg-warning",
    ClaimStatus.REJECTED_FINAL: "text-bg-dark",
    ClaimStatus.ENDED: "text-bg-light border",
    ClaimStatus.WITHDRAWN: "text-bg-light border",
}


@register.inclusion_tag("associations/_status.html")
def status_badge(status: str):
    return {"status": status, "label": ClaimStatus(status).label, "css": _BADGE[status]}


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)
