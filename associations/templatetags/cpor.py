from django import template
from django.template.defaultfilters import linebreaksbr, stringfilter
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from associations import policy, prefill
from associations.models import ClaimStatus
from core.text import code_point, describe, hidden_characters, hidden_parts
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
    if policy.awaits_dispute_answer(status):
        return _("Answer to your dispute expected by")
    return _("Decision expected by")


@register.filter
def template_origin(document) -> str | None:
    return prefill.template_origin(document)


@register.filter
def unicode_domain(name: str) -> str:
    return display_domain(name)


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


def _field_errors(form, where: str = "") -> list[str]:
    """Each visible field's errors as a link to the field: a group of radio buttons has no one
    label target, so its first button is."""
    return [
        format_html(
            '<a class="alert-link" href="#{}">{}{}: {}</a>',
            field.id_for_label or f"{field.auto_id}_0",
            where,
            field.label,
            error,
        )
        for field in form.visible_fields()
        for error in field.errors
    ]


@register.simple_tag(takes_context=True)
def error_summary(context, form, rows=None) -> str:
    """The form's errors (and its claim rows', when given) at the top of the page, each a link
    to its field, so a refused file is named with its reason where the page starts; and, when
    files were chosen, that they must be chosen again: a browser cannot keep them."""
    items = [*form.non_field_errors(), *_field_errors(form)]
    if rows is not None:
        items += rows.non_form_errors()
        for number, row in enumerate(rows, start=1):
            where = format_html("{} · ", _("Claim row %(number)d") % {"number": number})
            items += [format_html("{}{}", where, error) for error in row.non_field_errors()]
            items += _field_errors(row, where)
    lost = ""
    if context["request"].FILES:
        lost = _("Browsers cannot keep chosen files: choose the documents again.")
    if not items and not lost:
        return ""
    if not items:
        return format_html('<div class="alert alert-warning" role="status">{}</div>', lost)
    return format_html(
        '<div class="alert alert-danger" role="alert" data-error-summary="true">'
        '<p class="fw-bold mb-1">{}</p><ul class="mb-0">{}</ul>{}</div>',
        _("Please correct the following:"),
        format_html_join("", "<li>{}</li>", ((item,) for item in items)),
        format_html('<p class="mb-0 mt-1">{}</p>', lost) if lost else "",
    )


@register.filter
@stringfilter
def reveal_hidden(text: str) -> str:
    """Free text as a reviewer must read it: each hidden format character replaced by a visible
    mark (so an override no longer turns the text round), under a warning naming them;
    escaped, line breaks kept."""
    marked = format_html_join(
        "",
        "{}",
        (
            (
                format_html(
                    '<mark class="cpor-hidden" title="{}">[{}]</mark>',
                    describe(part),
                    code_point(part),
                )
                if hidden
                else part,
            )
            for part, hidden in hidden_parts(text)
        ),
    )
    found = hidden_characters(text)
    if not found:
        return linebreaksbr(marked)
    warning = ngettext(
        "A hidden character that changes how this text reads is shown marked: %(characters)s.",
        "Hidden characters that change how this text reads are shown marked: %(characters)s.",
        len(found),
    ) % {"characters": ", ".join(found)}
    return format_html(
        '<strong class="cpor-overdue" data-hidden-characters="true">⚠ {}</strong><br>{}',
        warning,
        linebreaksbr(marked),
    )
