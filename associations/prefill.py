"""What a request's proof template is filled with, and the mark that ties a document to it.

The mark is the request's reference and a short signature of it: a reviewer sees whether the
newest proof was made from this request's template (or from another's), and nobody can make a
mark for a request without the site's secret. It never blocks anything: a scan of a printed
template carries no readable mark.
"""

import hmac

from django.conf import settings
from django.core import signing

from associations.models import AssociationRequest, ProofDocument
from associations.policy import FINAL_STATUSES
from associations.proof_template import ClaimedProduct, TemplateContent
from partners.catalog import activity_rule
from validation.domains import display_domain
from validation.models import Tenant

_SALT = "cpor.proof-template"


def _mark(reference: str, key=None) -> str:
    return f"{reference}.{signing.Signer(key=key, salt=_SALT).signature(reference)[:10]}"


def template_mark(request: AssociationRequest) -> str:
    return _mark(request.reference)


def live_claims(request: AssociationRequest):
    return request.claims.exclude(status__in=FINAL_STATUSES)


def template_content(request: AssociationRequest) -> TemplateContent:
    """The request as the customer signs it: its live claims (a withdrawn or ended one is no
    longer claimed); the customer's name from the directory only when the request's domain is
    one of the tenant's (a GUID typed into a draft must not reveal whose tenant it is), else
    the domain."""
    tenant = Tenant.objects.filter(pk=request.tenant_id, domains__name=request.domain).values_list(
        "display_name", flat=True
    )
    claims = live_claims(request).select_related("product").order_by("pk")
    rule = activity_rule(request.solution_area, request.activity)
    return TemplateContent(
        reference=request.reference,
        mark=template_mark(request),
        partner=request.organisation.name,
        mpn_id=request.mpn.mpn_id,
        mpn_location=request.mpn.location_name,
        customer=tenant.first() or display_domain(request.domain),
        tenant_id=str(request.tenant_id),
        domain=display_domain(request.domain),
        products=tuple(
            ClaimedProduct(claim.product.name, str(claim.subscription_id or "")) for claim in claims
        ),
        activity=request.get_activity_display(),
        activity_description=str(rule.choose_when) if rule else "",
        public_sector=request.public_sector,
    )


def template_origin(document: ProofDocument) -> str | None:
    """The reference of the request whose template the document was made from (its own, or
    another's), None for any other document or a mark the site did not sign."""
    reference = document.template_mark.partition(".")[0]
    keys = (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)  # a mark outlives a key change
    if reference and any(
        hmac.compare_digest(document.template_mark, _mark(reference, key)) for key in keys
    ):
        return reference
    return None
