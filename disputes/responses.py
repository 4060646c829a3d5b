"""Response templates: the placeholders each kind may use, checking a template's text, and the
texts a review page offers, filled in for its claims in the language of the partner who filed.

A case's rationale reaches every party, so its templates know no partner's name or reference;
the other kinds name only the partner the text is sent to (its own name).
"""

import string
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from associations.models import Claim
from core.deadlines import due
from disputes.models import ResponseTemplate
from disputes.services.common import date_text
from partners.models import Membership

Kind = ResponseTemplate.Kind

PLACEHOLDERS = {
    Kind.INFORMATION: ("product", "reference", "partner", "deadline"),
    Kind.REJECTION: ("product", "reference", "partner", "deadline"),
    Kind.DISPUTE_ANSWER: ("product", "reference", "partner"),
    Kind.CASE_DECISION: ("product",),
}
# The date a text's {deadline} names: the partner's answer is due, the time to dispute ends.
_DEADLINES = {
    Kind.INFORMATION: "information_business_days",
    Kind.REJECTION: "dispute_window_days",
}


def check_text(kind: str, text: str) -> None:
    """Refuse a text whose placeholders the kind does not fill (a typo would reach the
    partner as `{prodcut}`, a format spec or attribute could reach into the value)."""
    allowed = PLACEHOLDERS[kind]
    try:
        fields = [part for part in string.Formatter().parse(text) if part[1] is not None]
    except ValueError:
        raise ValidationError(
            _("A brace is not closed. Write {{ or }} for a brace in the text."),
            code="braces",
        ) from None
    for _literal, name, spec, conversion in fields:
        if name not in allowed or spec or conversion:
            raise ValidationError(
                _("“{%(name)s}” is no placeholder of this kind of text. Use %(allowed)s."),
                code="placeholder",
                params={
                    "name": name
                    + (f"!{conversion}" if conversion else "")
                    + (f":{spec}" if spec else ""),
                    "allowed": ", ".join(f"{{{field}}}" for field in allowed),
                },
            )


def _languages(claims: list[Claim]) -> dict[int, str]:
    """The language of each claim's partner (the author's choice), in one query."""
    authors = {claim.request.author_id for claim in claims}
    chosen = dict(Membership.objects.filter(user_id__in=authors).values_list("user_id", "language"))
    return {
        claim.pk: chosen.get(claim.request.author_id) or settings.LANGUAGE_CODE for claim in claims
    }


def _filled(template: ResponseTemplate, language: str, claim: Claim, now: datetime) -> str:
    text = template.text_cs if language == "cs" else template.text_en
    with translation.override(language):
        values = {
            "product": claim.product.name,
            "reference": claim.request.reference,
            "partner": claim.request.organisation.name,
        }
        if template.kind in _DEADLINES:
            values["deadline"] = date_text(due(_DEADLINES[template.kind], now))
    allowed = {name: values[name] for name in PLACEHOLDERS[template.kind]}
    try:
        return text.format_map(allowed)
    except (KeyError, ValueError, IndexError):  # saved before the kind changed: shown as typed
        return text


def offered(kinds, claims: list[Claim], *, now: datetime) -> dict[str, dict]:
    """For each kind, the active templates as {id: {name, reason, texts}}: `texts` holds the
    text filled for each claim (by its id), or, for a case's rationale that every party reads,
    the text in each party's language one after the other under the key "all"."""
    languages = _languages(claims)
    result = {kind: {} for kind in kinds}
    for template in ResponseTemplate.objects.filter(kind__in=kinds, active=True):
        if template.kind == Kind.CASE_DECISION:
            first = {}
            for claim in claims:
                first.setdefault(languages[claim.pk], claim)
            texts = {
                "all": "\n\n".join(
                    _filled(template, language, claim, now) for language, claim in first.items()
                )
            }
        else:
            texts = {
                str(claim.pk): _filled(template, languages[claim.pk], claim, now)
                for claim in claims
            }
        result[template.kind][str(template.pk)] = {
            "name": template.name,
            "reason": template.reason,
            "texts": texts,
        }
    return result
