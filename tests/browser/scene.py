"""One organisation with a claim in every state a page shows differently, for the browser tests
that visit every page (accessibility); built through the services, as the tests of each
transition do."""

from dataclasses import dataclass, field

from associations.models import AssociationRequest, Claim, Reason
from partners.catalog import SolutionArea
from partners.invitations import invitation_token
from partners.members import member_invite
from partners.models import Role
from tests import builders

SPECIAL_PARTNER_TYPE = "FastTrack Ready Partner"


@dataclass
class Scene:
    """What the pages are about: the users who see them and a request per claim state."""

    users: dict[str, object]
    reviewer: object
    requests: dict[str, AssociationRequest] = field(default_factory=dict)
    invitation_token: str = ""
    case_pk: int = 0

    def claim(self, state: str) -> Claim:
        return self.requests[state].claims.get()


def build_scene() -> Scene:
    from associations.services import claim_disassociate, request_withdraw
    from disputes.models import ArbitrationCase, ResponseTemplate
    from disputes.roles import ensure_reviewers_group
    from disputes.services import (
        claim_approve,
        claim_dispute,
        claim_reject,
        claim_request_information,
    )

    organisation = builders.make_organisation("Northwind Traders")
    competitor = builders.make_organisation("Adatum Consulting")
    users = {
        role: builders.make_user(organisation, role, username=f"nw-{role}")
        for role in (Role.GLOBAL_ADMIN, Role.INCENTIVES_ADMIN, Role.BILLING_ADMIN, Role.OTHER)
    }
    author = users[Role.GLOBAL_ADMIN]
    rival = builders.make_user(competitor, Role.GLOBAL_ADMIN, username="ad-global")
    reviewer = builders.make_user(None, username="reviewer", is_staff=True)
    reviewer.groups.add(ensure_reviewers_group())
    reviewer.totp_secret = builders.enable_totp(reviewer)
    # The reviewers' pages offer templates for every kind of answer (the migration's defaults
    # are gone once a browser test has emptied the tables).
    ResponseTemplate.objects.get_or_create(
        kind=ResponseTemplate.Kind.INFORMATION,
        reason="no_signature",
        name="No signature",
        defaults={"text_en": "Please sign {product}.", "text_cs": "Podepište {product}."},
    )
    for kind in (ResponseTemplate.Kind.REJECTION, ResponseTemplate.Kind.CASE_DECISION):
        ResponseTemplate.objects.get_or_create(
            kind=kind,
            name="Proof",
            defaults={"text_en": "About {product}.", "text_cs": "K produktu {product}."},
        )

    mpn = builders.make_mpn(organisation, mpn_id="1234567", partner_type=SPECIAL_PARTNER_TYPE)
    builders.make_mpn(organisation, mpn_id="1234569", enrolled_in=())
    builders.make_mpn(
        organisation,
        mpn_id="1234568",
        enrolled_in=(SolutionArea.BUSINESS_APPLICATIONS, SolutionArea.MICROSOFT_365),
    )
    product = builders.make_product("d365-sales")
    tenant = builders.make_tenant(domains=("woodgrove.example",), name="Woodgrove Bank")
    builders.make_tenant(domains=("fabrikam.cz",), name="Fabrikam")

    def filed(**kwargs) -> AssociationRequest:
        subscription = builders.make_subscription(tenant, product)
        return builders.make_request(
            organisation,
            author,
            tenant=tenant,
            mpn=mpn,
            products=[(product, str(subscription.subscription_id))],
            **kwargs,
        )

    requests = {
        "draft": filed(submit=False),
        "action_needed": builders.make_request(
            organisation,
            author,
            tenant=tenant,
            mpn=mpn,
            domain="fabrikam.cz",
            products=[(product, str(tenant.tenant_id))],
        ),
        "under_review": filed(),
        "approved": filed(),
        "rejected": filed(),
        "info_requested": filed(),
        "disputed": filed(),
        "withdrawn": filed(),
        "ended": filed(),
    }
    scene = Scene(users=users, reviewer=reviewer, requests=requests)
    claim_approve(actor=reviewer, claim=scene.claim("approved"))
    request_withdraw(actor=author, request=requests["withdrawn"])
    claim_approve(actor=reviewer, claim=scene.claim("ended"))
    claim_disassociate(
        actor=author, claim=scene.claim("ended"), reason_text="We no longer work with them."
    )
    claim_reject(
        actor=reviewer,
        claim=scene.claim("rejected"),
        reason=Reason.INSUFFICIENT_PROOF,
        note="The proof is not signed.",
    )
    claim_request_information(
        actor=reviewer,
        claim=scene.claim("info_requested"),
        reason=Reason.NO_SIGNATURE,
        question="Please send the signed statement of work.",
    )
    claim_reject(actor=reviewer, claim=scene.claim("disputed"), reason=Reason.INSUFFICIENT_PROOF)
    claim_dispute(
        actor=author,
        claim=scene.claim("disputed"),
        statement="The customer's CIO signed the attached proof.",
        uploads=[],
    )

    subscription = builders.make_subscription(tenant, product)
    requests["validating"] = builders.make_validating_request(
        organisation,
        author,
        tenant=tenant,
        mpn=mpn,
        products=[(product, str(subscription.subscription_id))],
    )

    contested = builders.make_subscription(tenant, product)
    rows = [(product, str(contested.subscription_id))]
    requests["in_arbitration"] = builders.make_request(
        organisation, author, tenant=tenant, mpn=mpn, products=rows
    )
    builders.make_request(competitor, rival, tenant=tenant, products=rows)
    scene.case_pk = ArbitrationCase.objects.get().pk

    invited = member_invite(
        actor=author,
        organisation=organisation,
        email="petra@northwind.example",
        first_name="Petra",
        last_name="Svobodova",
        role=Role.INCENTIVES_ADMIN,
    )
    scene.invitation_token = invitation_token(invited.user)
    return scene
