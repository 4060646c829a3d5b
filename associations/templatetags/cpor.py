from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from associations.models import ClaimStatus
from validation.domains import display_domain

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


@register.simple_tag
def status_badge(status: str) -> str:
    """A simple tag, not an inclusion template: the list renders one per claim."""
    return format_html(
        '<span class="badge {}">{}</span>', _BADGE[status], ClaimStatus(status).label
    )


@register.filter
def due_label(status: str) -> str:
    """What a claim's due date is the date of: a disputed claim waits for the dispute's answer."""
    if status == ClaimStatus.DISPUTED:
        return _("Answer to your dispute expected by")
    return _("Decision expected by")


@register.filter
def unicode_domain(name: str) -> str:
    return display_domain(name)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)
