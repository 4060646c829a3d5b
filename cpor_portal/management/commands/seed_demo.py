from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand
from django.db import transaction

from associations.models import AssociationRequest
from associations.services import ClaimRow, request_create
from associations.verdict import request_record_verdict
from disputes.roles import ensure_reviewers_group
from partners.members import invitation_send
from partners.models import Membership, MpnId
from validation.importers import import_directory, import_partners
from validation.management.json_import import read_json
from validation.models import Product, Subscription

DEMO_DIR = Path(settings.BASE_DIR) / "demo"
DEMO_PASSWORD = "cpor-demo"  # noqa: S105 (published demo logins, development only)
REVIEWER_USERNAME = "reviewer"
# A second reviewer, who may also assign work to others: four eyes need two people.
LEAD_REVIEWER_USERNAME = "lead-reviewer"
# Invited, not joined: seed_demo mails the invitation (the console backend prints it).
INVITED_USERNAME = "nw-invited"
# `make sso-demo` runs a local OpenID Connect provider on this port with this person, whose
# ID token names Northwind's Entra tenant (demo/partners.json) and says MFA was used.
SSO_DEMO_PORT = 9400
SSO_DEMO_USER = {
    "sub": "eva-entra",
    "email": "global@northwind.example",
    "name": "Eva Novak",
    "tid": "9f8e7d6c-5b4a-4c3d-8e2f-1a2b3c4d5e6f",
    "oid": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
    "xms_edov": True,
    "amr": ["pwd", "mfa"],
}
# Adatum already claims Woodgrove Bank's Dynamics 365 Sales subscription, so a Northwind request
# for it goes to arbitration.
COMPETED_CLAIM_NAME = "Woodgrove Dynamics 365 Sales roll-out"
COMPETED_SUBSCRIPTION = "5ab00000-0000-4000-8000-a30000000001"


class Command(BaseCommand):
    help = "Load the demo organisations, users and customers (idempotent) and print the logins."

    def handle(self, *args, **options):
        with transaction.atomic():
            partners = import_partners(
                read_json(DEMO_DIR / "partners.json"),
                on_user_created=self._demo_user_created,
            )
            directory = import_directory(read_json(DEMO_DIR / "directory.json"))
            self._ensure_reviewer(REVIEWER_USERNAME)
            self._ensure_reviewer(LEAD_REVIEWER_USERNAME).user_permissions.add(
                Permission.objects.get(content_type__app_label="disputes", codename="assign")
            )
            competed = self._ensure_competed_claim()
        if competed is not None:
            request_record_verdict(request_id=competed.pk)
        self.stdout.write(f"Partners: {partners.summary()}")
        self.stdout.write(f"Directory: {directory.summary()}")
        self._print_logins()

    @classmethod
    def _demo_user_created(cls, user, organisation) -> None:
        if user.username == INVITED_USERNAME:
            invitation_send(user=user, organisation=organisation, language=settings.LANGUAGE_CODE)
        else:
            cls._give_demo_password(user)

    @staticmethod
    def _give_demo_password(user) -> None:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])

    def _ensure_reviewer(self, username: str):
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"is_staff": True, "email": f"{username}@vendor.example"},
        )
        if created:
            self._give_demo_password(user)
        user.groups.add(ensure_reviewers_group())
        return user

    def _ensure_competed_claim(self) -> AssociationRequest | None:
        if AssociationRequest.objects.filter(claim_name=COMPETED_CLAIM_NAME).exists():
            return None
        subscription = Subscription.objects.select_related("tenant").get(pk=COMPETED_SUBSCRIPTION)
        author = get_user_model().objects.get(username="ad-global")
        return request_create(
            actor=author,
            organisation=author.membership.organisation,
            fields={
                "claim_name": COMPETED_CLAIM_NAME,
                "tenant_id": subscription.tenant_id,
                "domain": "woodgrove.example",
                "solution_area": "business_applications",
                "activity": "pre_sales",
                "mpn": MpnId.objects.get(mpn_id="2345678"),
                "customer_contact_name": "Robin Woodgrove",
                "customer_contact_title": "Head of Sales Operations",
                "customer_contact_email": "robin@woodgrove.example",
                "partner_contact_name": "Lena Weber",
                "partner_contact_email": "global@adatum.example",
                "proof_description": "Pre-sales workshops and a signed statement of work.",
                "ack_customer_signature": True,
                "ack_current_dates": True,
                "ack_partner_services": True,
                "ack_all_products": True,
            },
            rows=[
                ClaimRow(
                    product=Product.objects.get(code="d365-sales"),
                    subscription_id=COMPETED_SUBSCRIPTION,
                )
            ],
            uploads=[],
            submit=True,
        )

    def _print_logins(self) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        memberships = (
            Membership.objects.select_related("user", "organisation")
            .exclude(user__username=INVITED_USERNAME)
            .order_by("organisation__name", "role", "user__username")
        )
        for membership in memberships:
            self.stdout.write(
                f"  {membership.user.username:<15} {membership.get_role_display():<30} "
                f"{membership.organisation.name}"
            )
        self.stdout.write(f"  {REVIEWER_USERNAME:<15} {'Reviewer (Django admin)':<30} /admin/")
        self.stdout.write(
            f"  {LEAD_REVIEWER_USERNAME:<15} {'Reviewer who assigns work':<30} /admin/"
        )
        self.stdout.write(
            "  Reviewers set up two-factor authentication (an authenticator app) first.\n"
            f"  {INVITED_USERNAME} (petra@northwind.example) is invited, not joined: the "
            "invitation mail with its link is printed above when the demo data is first loaded "
            "(Team page: Send the invitation again).\n"
            "  Single sign-on: `make sso-demo` runs the portal with a local OpenID Connect "
            'provider; "Sign in with Microsoft", then choose eva-entra (Eva Novak, Northwind).'
        )
