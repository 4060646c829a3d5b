"""The automated look-ups of DESIGN.md section 4, as plain functions over a directory.

They know nothing of requests or claims in the database: they take the typed values and a
`Directory`, and return the codes of every check that fails (all of them, not the first, so the
partner fixes everything in one go).
"""

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings

from partners.catalog import SolutionArea, activity_rule
from validation.models import Domain, Product, Subscription, SubscriptionState, Tenant


class DirectoryUnavailable(Exception):
    """A transient failure of the directory; the caller retries later."""


class Directory(Protocol):
    def tenant_exists(self, tenant_id: uuid.UUID) -> bool: ...

    def domain_tenant(self, domain: str) -> uuid.UUID | None: ...

    def subscription(self, subscription_id: uuid.UUID) -> Subscription | None: ...

    def tenant_subscriptions(
        self, tenant_id: uuid.UUID, product: Product
    ) -> list[Subscription]: ...


class DatabaseDirectory:
    """The imported directory tables, memoised for the life of one instance (one verdict):
    the checks ask the same questions of a tenant several times per claim."""

    def __init__(self):
        self._tenants: dict = {}
        self._subscriptions: dict = {}
        self._tenant_subscriptions: dict = {}
        self._domains: dict = {}

    def prefetch(self, tenant_ids: Iterable[uuid.UUID], domains: Iterable[str]) -> None:
        """Read what many requests ask at once (a chunk of a bulk upload): their tenants, the
        tenants' subscriptions and the domains named, in three queries instead of several a
        request."""
        tenant_ids = set(tenant_ids)
        known = set(Tenant.objects.filter(pk__in=tenant_ids).values_list("pk", flat=True))
        self._tenants.update((tenant_id, tenant_id in known) for tenant_id in tenant_ids)
        by_tenant = defaultdict(list)
        for subscription in Subscription.objects.select_related("product").filter(
            tenant_id__in=known
        ):
            by_tenant[subscription.tenant_id].append(subscription)
            self._subscriptions[subscription.pk] = subscription
        self._tenant_subscriptions.update((tenant_id, by_tenant[tenant_id]) for tenant_id in known)
        domains = set(domains)
        found = dict(
            Domain.objects.filter(name__in=domains)
            .order_by("-pk")  # the first, as `domain_tenant` reads it, wins
            .values_list("name", "tenant_id")
        )
        self._domains.update((domain, found.get(domain)) for domain in domains)

    def tenant_exists(self, tenant_id):
        if tenant_id not in self._tenants:
            self._tenants[tenant_id] = Tenant.objects.filter(pk=tenant_id).exists()
        return self._tenants[tenant_id]

    def domain_tenant(self, domain):
        if domain in self._domains:
            known = self._domains[domain]
        else:
            known = Domain.objects.filter(name=domain).values_list("tenant_id", flat=True).first()
        if known is None and settings.CPOR_OPENID_RESOLVER:
            from validation.resolver import resolve_domain_tenant

            return resolve_domain_tenant(domain)
        return known

    def subscription(self, subscription_id):
        if subscription_id not in self._subscriptions:
            self._subscriptions[subscription_id] = (
                Subscription.objects.select_related("product").filter(pk=subscription_id).first()
            )
        return self._subscriptions[subscription_id]

    def tenant_subscriptions(self, tenant_id, product):
        if tenant_id not in self._tenant_subscriptions:
            loaded = list(
                Subscription.objects.select_related("product").filter(tenant_id=tenant_id)
            )
            self._tenant_subscriptions[tenant_id] = loaded
            # A claim's subscription is usually one of its tenant's: no second look-up.
            self._subscriptions.update((s.pk, s) for s in loaded)
        return [s for s in self._tenant_subscriptions[tenant_id] if s.product_id == product.pk]


@dataclass(frozen=True)
class ClaimInput:
    product: Product
    subscription_id: str | None  # as typed; None for a per-tenant (Microsoft 365) claim


def _as_uuid(value: str | uuid.UUID | None) -> uuid.UUID | None:
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None


Outcomes = dict[str, bool]  # check code -> passed, for every check that applied, in order


def failures(outcomes: Outcomes) -> list[str]:
    return [code for code, passed in outcomes.items() if not passed]


def evaluate_request(directory: Directory, *, tenant_id: uuid.UUID, domain: str) -> Outcomes:
    if not directory.tenant_exists(tenant_id):
        return {"tenant_not_found": False}
    return {
        "tenant_not_found": True,
        "domain_tenant_mismatch": directory.domain_tenant(domain) == tenant_id,
    }


def check_request(directory: Directory, *, tenant_id: uuid.UUID, domain: str) -> list[str]:
    return failures(evaluate_request(directory, tenant_id=tenant_id, domain=domain))


def evaluate_claim(
    directory: Directory,
    *,
    tenant_id: uuid.UUID,
    solution_area: str,
    activity: str,
    claim: ClaimInput,
) -> Outcomes:
    """Claim-level checks; the tenant may not exist (the request-level check reports that)."""
    tenant_known = directory.tenant_exists(tenant_id)
    in_tenant = directory.tenant_subscriptions(tenant_id, claim.product) if tenant_known else []
    outcomes = {"product_not_in_tenant": bool(in_tenant)} if tenant_known else {}
    if solution_area == SolutionArea.BUSINESS_APPLICATIONS:
        outcomes |= _evaluate_subscription(directory, tenant_id, activity, claim)
    elif in_tenant:
        outcomes |= _evaluate_tenant_workload(in_tenant)
    return outcomes


def check_claim(
    directory: Directory,
    *,
    tenant_id: uuid.UUID,
    solution_area: str,
    activity: str,
    claim: ClaimInput,
) -> list[str]:
    return failures(
        evaluate_claim(
            directory,
            tenant_id=tenant_id,
            solution_area=solution_area,
            activity=activity,
            claim=claim,
        )
    )


def _evaluate_subscription(directory, tenant_id, activity, claim) -> Outcomes:
    # Not a GUID, a tenant's or another object's GUID, or unknown: none is a subscription ID.
    subscription_id = _as_uuid(claim.subscription_id)
    subscription = directory.subscription(subscription_id) if subscription_id else None
    if subscription is None:
        return {"not_a_subscription_id": False}
    outcomes = {
        "not_a_subscription_id": True,
        "subscription_not_in_tenant": subscription.tenant_id == tenant_id,
    }
    if subscription.product.solution_area != SolutionArea.BUSINESS_APPLICATIONS:
        outcomes["subscription_not_dynamics"] = False
    else:
        outcomes["subscription_not_dynamics"] = True
        outcomes["subscription_product_mismatch"] = subscription.product_id == claim.product.pk
    rule = activity_rule(SolutionArea.BUSINESS_APPLICATIONS, activity)
    if rule is not None:
        outcomes["subscription_is_csp"] = rule.allows_channel(subscription.channel)
    outcomes["subscription_not_provisioned"] = subscription.provisioned
    outcomes["subscription_inactive"] = subscription.counts
    return outcomes


def _evaluate_tenant_workload(subscriptions: list[Subscription]) -> Outcomes:
    """A Microsoft 365 workload is claimed per tenant: one live subscription of it is enough."""
    counting = [sub for sub in subscriptions if sub.counts]
    if not counting:
        return {"subscription_inactive": False}
    return {
        "subscription_inactive": True,
        "subscription_not_provisioned": any(sub.provisioned for sub in counting),
    }


def claim_warnings(
    directory: Directory, *, tenant_id: uuid.UUID, solution_area: str, claim: ClaimInput
) -> list[str]:
    """What passes but will not last: the claimed subscription (or, per tenant, every live one
    of the workload) is only in grace."""
    # The tenant's subscriptions of the product: one look-up for all of a request's claims.
    live = directory.tenant_subscriptions(tenant_id, claim.product)
    if solution_area == SolutionArea.BUSINESS_APPLICATIONS:
        live = [s for s in live if s.pk == _as_uuid(claim.subscription_id)]
    live = [subscription for subscription in live if subscription.counts]
    in_grace = bool(live) and all(s.state == SubscriptionState.IN_GRACE for s in live)
    return ["subscription_in_grace"] if in_grace else []


def contact_domains(contact_email: str) -> list[str]:
    """The domains an address may be at for its tenant: its own and each parent domain."""
    domain = contact_email.rpartition("@")[2].strip().rstrip(".").lower()
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return []
    labels = domain.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def request_warnings(
    directory: Directory, *, tenant_id: uuid.UUID, contact_email: str
) -> list[str]:
    """The customer's contact should be at the customer: the decline link is mailed there. An
    address at a subdomain of one of the tenant's domains counts."""
    candidates = contact_domains(contact_email)
    if any(directory.domain_tenant(candidate) == tenant_id for candidate in candidates):
        return []
    return ["contact_outside_tenant"]
