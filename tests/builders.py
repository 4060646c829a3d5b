"""Small builders for test data; each takes only what a test cares about."""

import itertools
import time
import uuid

import pyotp
from allauth.mfa.totp.internal.auth import TOTP
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


def totp_code(secret: str) -> str:
    """The authenticator app's current code, read with at least 3 seconds of its 30-second step
    left, so the server checks it in the same step (allauth accepts no other)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return pyotp.TOTP(secret).now()


def enable_totp(user) -> str:
    """An authenticator app for the user, as allauth's set-up page leaves it; returns its
    secret, from which `totp_code(secret)` computes the current code."""
    secret = pyotp.random_base32()
    TOTP.activate(user, secret)
    return secret


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


def make_request(
    organisation: Organisation,
    author,
    *,
    tenant: Tenant,
    products: list[tuple[Product, str | None]],
    domain: str | None = None,
    solution_area: str = SolutionArea.BUSINESS_APPLICATIONS,
    activity: str = "pre_sales",
    mpn: MpnId | None = None,
    contact: str | None = None,
    submit: bool = True,
    now=None,
):
    """A request filed through the services; when submitted, the verdict is recorded at once
    (what the worker would do), because test transactions never commit."""
    from associations.services import ClaimRow, Upload, request_create
    from associations.verdict import request_record_verdict

    mpn = mpn or make_mpn(organisation, enrolled_in=(solution_area,))
    request = request_create(
        actor=author,
        organisation=organisation,
        fields=request_fields(
            tenant_id=tenant.tenant_id,
            domain=domain or tenant.domains.values_list("name", flat=True).first() or "x.example",
            solution_area=solution_area,
            activity=activity,
            mpn=mpn,
            **({"customer_contact_email": contact} if contact else {}),
        ),
        rows=[ClaimRow(product=product, subscription_id=sub) for product, sub in products],
        uploads=[Upload(file=pdf_upload(), content_type="application/pdf")],
        submit=submit,
        now=now,
    )
    if submit:
        request_record_verdict(request_id=request.pk, now=now)
    return request


def set_status(claims, status: str) -> None:
    """Put claims (one, or an iterable) straight into `status`, past the services: for a test
    that starts from a state (often one no service reaches, as after a race) rather than walks
    to it. The only place tests write the column."""
    from associations.models import Claim

    claims = [claims] if isinstance(claims, Claim) else list(claims)
    Claim.objects.filter(pk__in=[claim.pk for claim in claims]).update(status=status)
    for claim in claims:
        claim.status = status


def make_validating_request(organisation: Organisation, author, **kwargs):
    """A submitted request whose verdict has not run yet: its claims are `validating` and no
    task is queued, so a test runs the verdict itself, when and where it wants."""
    from associations.models import ClaimStatus

    request = make_request(organisation, author, submit=False, **kwargs)
    set_status(request.claims.all(), ClaimStatus.VALIDATING)
    return request


def request_fields(**overrides) -> dict:
    fields = {
        "claim_name": "Dynamics roll-out",
        "customer_contact_name": "Alex Customer",
        "customer_contact_title": "CIO",
        "customer_contact_email": "alex@customer.example",
        "partner_contact_name": "Pat Partner",
        "partner_contact_email": "pat@partner.example",
        "solution_seller_name": "",
        "isv_product_name": "",
        "opt_out_of_incentives": False,
        "proof_description": "Workshops and deployment, signed by the customer.",
        "ack_customer_signature": True,
        "ack_current_dates": True,
        "ack_partner_services": True,
        "ack_all_products": True,
    }
    fields.update(overrides)
    return fields


PDF_BYTES = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def pdf_upload(name: str = "proof.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def form_data(
    *,
    tenant_id,
    domain: str,
    mpn: MpnId,
    rows: list[tuple[Product, str]],
    solution_area: str = SolutionArea.BUSINESS_APPLICATIONS,
    activity: str = "pre_sales",
    action: str = "submit",
    initial_rows: int = 0,
    **overrides,
) -> dict:
    """POST data of the request form (multipart), as a browser would send it."""
    data = {
        key: ("on" if value is True else value)
        for key, value in request_fields().items()
        if value is not False
    }
    data.update(
        {
            "tenant_id": str(tenant_id),
            "domain": domain,
            "solution_area": solution_area,
            "activity": activity,
            "mpn": mpn.pk,
            "action": action,
            "claims-TOTAL_FORMS": str(len(rows)),
            "claims-INITIAL_FORMS": str(initial_rows),
            "claims-MIN_NUM_FORMS": "0",
            "claims-MAX_NUM_FORMS": "20",
        }
    )
    for index, (product, subscription) in enumerate(rows):
        data[f"claims-{index}-product"] = product.pk if product else ""
        data[f"claims-{index}-subscription_id"] = subscription or ""
    data.update(overrides)
    return data


def sign_in(client, username: str, *, password: str = "pw", totp_secret: str | None = None):
    """Sign in through allauth's pages, as a person does (force_login records no sign-in, so
    the MFA pages would ask for the password again); returns the last response."""
    from django.urls import reverse

    response = client.post(reverse("account_login"), {"login": username, "password": password})
    if totp_secret is not None:
        response = client.post(reverse("mfa_authenticate"), {"code": totp_code(totp_secret)})
    return response


def bulk_row(*, tenant, mpn: MpnId, product: Product, subscription=None, **overrides) -> dict:
    """One row of the bulk filing template, as a partner fills it in (`subscription`: a
    Subscription, or the text typed)."""
    domain = tenant.domains.values_list("name", flat=True).first() or "x.example"
    row = {
        "claim_name": "Dynamics roll-out",
        "tenant_id": str(tenant.tenant_id),
        "domain": domain,
        "solution_area": "Business Applications",
        "activity": "Pre-sales",
        "mpn_id": mpn.mpn_id,
        "product": product.name,
        "subscription_id": str(getattr(subscription, "pk", subscription or "")),
        "customer_contact_name": "Alex Customer",
        "customer_contact_title": "CIO",
        "customer_contact_email": f"alex@{domain}",
        "partner_contact_name": "Pat Partner",
        "partner_contact_email": "pat@partner.example",
        "solution_seller_name": "",
        "isv_product_name": "",
        "opt_out_of_incentives": "no",
        "public_sector": "no",
        "proof_description": "Workshops and deployment, signed by the customer.",
    }
    row.update(overrides)
    return row


def bulk_xlsx(rows: list[dict], *, header: list[str] | None = None) -> bytes:
    """A workbook of the rows under the template's header, as openpyxl saves it."""
    import io

    import openpyxl

    from associations.bulk.spreadsheet import COLUMNS

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    columns = header or list(COLUMNS)
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(column, "") for column in columns])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def bulk_csv(rows: list[dict], *, encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    import csv
    import io

    from associations.bulk.spreadsheet import COLUMNS

    output = io.StringIO()
    writer = csv.writer(output, delimiter=delimiter)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row.get(column, "") for column in COLUMNS])
    return output.getvalue().encode(encoding)
