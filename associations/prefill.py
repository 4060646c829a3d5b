"""What a request's proof template is filled with, and the mark that ties a document to it.

The mark is the request's reference and a short signature of it: a reviewer sees whether the
newest proof was made from this request's template (or from another's), and nobody can make a
mark for a request without the site's secret. It never blocks anything: a scan of a printed
template carries no readable mark.
"""

import hmac

from django.core import signing

from associations.models import AssociationRequest, ProofDocument
from associations.policy import FINAL_STATUSES
from associations.proof_template import ClaimedProduct, TemplateContent, read_mark
from associations.uploads import ACCEPTED
from partners.catalog import activity_rule
from validation.domains import display_domain
from validation.models import Tenant

_SALT = "cpor.proof-template"
MARKED_TYPES = frozenset({ACCEPTED[".pdf"][0], ACCEPTED[".docx"][0]})


def _mark(reference: str) -> str:
    return f"{reference}.{signing.Signer(salt=_SALT).signature(reference)[:10]}"


def template_mark(request: AssociationRequest) -> str:
    return _mark(request.reference)


def template_content(request: AssociationRequest) -> TemplateContent:
    """The request as the customer signs it: its live claims (a withdrawn or ended one is no
    longer claimed), the customer's name from the directory when it knows the tenant."""
    tenant = Tenant.objects.filter(pk=request.tenant_id).values_list("display_name", flat=True)
    claims = (
        request.claims.exclude(status__in=FINAL_STATUSES).select_related("product").order_by("pk")
    )
    rule = activity_rule(request.solution_area, request.activity)
    return TemplateContent(
        reference=request.reference,
        mark=template_mark(request),
        partner=request.organisation.name,
        mpn_id=request.mpn.mpn_id,
        mpn_location=request.mpn.location_name,
        customer=tenant.first() or request.claim_name,
        tenant_id=str(request.tenant_id),
        domain=display_domain(request.domain),
        products=tuple(
            ClaimedProduct(claim.product.name, str(claim.subscription_id or "")) for claim in claims
        ),
        activity=request.get_activity_display(),
        activity_description=str(rule.choose_when) if rule else "",
        public_sector=request.public_sector,
    )


def mark_of_upload(file, content_type: str) -> str:
    """The template mark an uploaded PDF or Word document carries, else ""."""
    if content_type not in MARKED_TYPES:
        return ""
    file.seek(0)
    mark = read_mark(file.read())
    file.seek(0)
    return mark or ""


def template_origin(document: ProofDocument) -> str | None:
    """The reference of the request whose template the document was made from (its own, or
    another's), None for any other document or a mark the site did not sign."""
    reference = document.template_mark.partition(".")[0]
    if reference and hmac.compare_digest(document.template_mark, _mark(reference)):
        return reference
    return None
