"""Small builders for test data; each takes only what a test cares about."""

import itertools
import uuid

from django.contrib.auth import get_user_model

from partners.catalog import Channel, SolutionArea
from partners.models import Enrolment, IncentiveProgram, Membership, MpnId, Organisation, Role
from validation.models import Domain, Product, Subscription, SubscriptionState, Tenant

_sequence = itertools.count(1)


def make_organisation(name: str | None = None) -> Organisation:
    return Organisation.objects.create(name=name or f"Partner {next(_sequence)}")


def make_program(solution_area: str = SolutionArea.BUSINESS_APPLICATIONS) -> IncentiveProgram:
    program, _ = IncentiveProgram.objects.get_or_create(
        solution_area=solution_area, defaults={"name": f"{solution_area} incentives"}
    )
    return program


def make_mpn(
    organisation: Organisation,
    *,
    mpn_id: str | None = None,
    enrolled_in: tuple[str, ...] = (SolutionArea.BUSINESS_APPLICATIONS,),
    partner_type: str = "",
) -> MpnId:
    mpn = MpnId.objects.create(
        organisation=organisation,
        mpn_id=mpn_id or f"{1000000 + next(_sequence)}",
        location_name="Prague",
        country="CZ",
        partner_type=partner_type,
    )
    for area in enrolled_in:
        Enrolment.objects.create(mpn=mpn, program=make_program(area))
    return mpn


def make_user(organisation: Organisation | None = None, role: str = Role.GLOBAL_ADMIN, **fields):
    number = next(_sequence)
    user = get_user_model().objects.create_user(
        username=fields.pop("username", f"user{number}"),
        email=fields.pop("email", f"user{number}@partner.example"),
        password="pw",
        **fields,
    )
    if organisation is not None:
        Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


def make_product(
    code: str = "d365-sales", solution_area: str = SolutionArea.BUSINESS_APPLICATIONS
) -> Product:
    product, _ = Product.objects.get_or_create(
        code=code, defaults={"name": code.replace("-", " ").title(), "solution_area": solution_area}
    )
    return product


def make_tenant(*, domains: tuple[str, ...] = (), name: str = "Contoso") -> Tenant:
    tenant = Tenant.objects.create(tenant_id=uuid.uuid4(), display_name=name)
    for domain in domains:
        Domain.objects.create(name=domain, tenant=tenant)
    return tenant


def make_subscription(
    tenant: Tenant,
    product: Product | None = None,
    *,
    channel: str = Channel.VOLUME_LICENSING,
    state: str = SubscriptionState.ACTIVE,
    provisioned: bool = True,
) -> Subscription:
    return Subscription.objects.create(
        subscription_id=uuid.uuid4(),
        tenant=tenant,
        product=product or make_product(),
        channel=channel,
        state=state,
        provisioned=provisioned,
    )
