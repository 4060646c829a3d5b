"""Format errors show at once beside the field, the input is kept and nothing is saved."""

import uuid

import pytest
from django.urls import reverse

from associations.models import AssociationRequest, Claim, ClaimStatus, Proof
from partners.catalog import SolutionArea
from tests.builders import (
    form_data,
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    pdf_upload,
)

NEW = reverse("request_create")


@pytest.fixture
def setup(organisation):
    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    subscription = make_subscription(tenant, sales)
    mpn = make_mpn(organisation, mpn_id="1234567")
    return tenant, sales, subscription, mpn


def _data(setup, **overrides):
    tenant, sales, subscription, mpn = setup
    rows = overrides.pop("rows", [(sales, str(subscription.pk))])
    return form_data(
        tenant_id=overrides.pop("tenant_id", tenant.tenant_id),
        domain=overrides.pop("domain", "contoso.com"),
        mpn=overrides.pop("mpn", mpn),
        rows=rows,
        **overrides,
    )


def _post(client, data):
    return client.post(NEW, {**data, "documents": pdf_upload()})


def test_the_form_lists_only_enrolled_mpn_ids_and_links_the_incentives_overview(
    client, global_admin, organisation, setup
):
    make_mpn(organisation, mpn_id="7654321", enrolled_in=())
    client.force_login(global_admin)

    page = client.get(NEW)

    assert "1234567" in page.text
    assert "7654321" not in page.text
    assert reverse("incentives") in page.text
    assert "Ask your Global admin" in page.text
    assert "Revenue association only, no incentive payment" in page.text


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"tenant_id": "contoso"}, "tenant_id", "must be a GUID"),
        ({"domain": "not a domain"}, "domain", "Enter a domain name"),
        (
            {"activity": "revenue_association", "solution_area": "microsoft_365"},
            "activity",
            "not an activity of",
        ),
        ({"ack_current_dates": ""}, "ack_current_dates", "Confirm this before submitting"),
        ({"customer_contact_email": "nobody"}, "customer_contact_email", "valid email"),
        ({"claim_name": ""}, "claim_name", "required"),
    ],
)
def test_a_format_error_is_shown_beside_its_field_and_nothing_is_saved(
    client, global_admin, setup, override, field, message
):
    client.force_login(global_admin)
    data = _data(setup)
    data.update(override)
    data = {key: value for key, value in data.items() if value != ""}

    response = _post(client, data)

    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert response.context["form"]["partner_contact_name"].value() == "Pat Partner"
    assert AssociationRequest.objects.count() == 0
    assert Proof.objects.count() == 0


def test_a_subscription_id_that_is_not_a_guid_is_refused_in_the_form(client, global_admin, setup):
    _tenant, sales, _subscription, _mpn = setup
    client.force_login(global_admin)

    response = _post(client, _data(setup, rows=[(sales, "sub-123")]))

    assert response.status_code == 400
    assert (
        response.context["rows"]
        .forms[0]
        .errors["subscription_id"][0]
        .startswith("This is not a subscription ID")
    )
    assert response.context["rows"].forms[0]["subscription_id"].value() == "sub-123"
    assert AssociationRequest.objects.count() == 0


def test_a_business_applications_product_needs_its_subscription_id(client, global_admin, setup):
    _tenant, sales, _subscription, _mpn = setup
    client.force_login(global_admin)

    response = _post(client, _data(setup, rows=[(sales, "")]))

    assert (
        "Give the subscription ID" in response.context["rows"].forms[0].errors["subscription_id"][0]
    )


def test_a_product_of_another_solution_area_is_refused(client, global_admin, setup):
    teams = make_product("teams", SolutionArea.MICROSOFT_365)
    client.force_login(global_admin)

    response = _post(client, _data(setup, rows=[(teams, str(uuid.uuid4()))]))

    assert (
        "not a Business Applications product"
        in response.context["rows"].forms[0].errors["product"][0]
    )


def test_an_mpn_id_not_enrolled_for_the_solution_area_is_refused(
    client, global_admin, organisation, setup
):
    m365_only = make_mpn(organisation, mpn_id="2222222", enrolled_in=(SolutionArea.MICROSOFT_365,))
    client.force_login(global_admin)

    response = _post(client, _data(setup, mpn=m365_only))

    assert "not enrolled in the Business Applications" in response.context["form"].errors["mpn"][0]


def test_another_organisations_mpn_id_cannot_be_chosen(
    client, global_admin, other_organisation, setup
):
    foreign = make_mpn(other_organisation, mpn_id="3333333")
    client.force_login(global_admin)

    response = _post(client, _data(setup, mpn=foreign))

    assert "mpn" in response.context["form"].errors
    assert AssociationRequest.objects.count() == 0


def test_revenue_association_needs_the_seller_and_isv_product(client, global_admin, setup):
    client.force_login(global_admin)

    response = _post(client, _data(setup, activity="revenue_association"))

    errors = response.context["form"].errors
    assert "solution_seller_name" in errors and "isv_product_name" in errors


def test_a_request_needs_at_least_one_product(client, global_admin, setup):
    client.force_login(global_admin)

    response = _post(client, _data(setup, rows=[(None, "")]))

    assert response.status_code == 400
    assert "Add at least one product" in response.text
    assert AssociationRequest.objects.count() == 0


def test_check_now_shows_the_verdict_and_saves_nothing(client, global_admin, setup):
    client.force_login(global_admin)
    make_tenant(domains=("fabrikam.cz",), name="Fabrikam")

    response = _post(client, _data(setup, domain="fabrikam.cz", action="check"))

    assert response.status_code == 200
    assert 'data-check="domain_tenant_mismatch"' in response.text
    assert AssociationRequest.objects.count() == 0
    assert Claim.objects.count() == 0


def test_check_now_warns_of_arbitration_without_naming_the_competitor(
    client, global_admin, outsider, setup
):
    tenant, sales, subscription, _mpn = setup
    make_request(
        outsider.membership.organisation,
        outsider,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
    )
    client.force_login(global_admin)

    response = _post(client, _data(setup, action="check"))

    assert 'data-competition="true"' in response.text
    assert "Adatum" not in response.text
    assert (
        AssociationRequest.objects.filter(organisation=global_admin.membership.organisation).count()
        == 0
    )


def test_a_draft_is_saved_without_acknowledgements_and_without_checks(
    client, global_admin, setup, django_capture_on_commit_callbacks
):
    client.force_login(global_admin)
    data = _data(setup, action="draft")
    for name in ("ack_customer_signature", "ack_current_dates"):
        data.pop(name)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _post(client, data)

    request = AssociationRequest.objects.get()
    assert response.url == reverse("request_detail", args=[request.reference])
    assert request.claims.get().status == ClaimStatus.DRAFT
    assert request.submitted_at is None
    assert callbacks == []


def test_check_now_on_a_fix_does_not_call_the_request_a_duplicate_of_itself(
    client, global_admin, organisation, setup
):
    tenant, sales, subscription, mpn = setup
    make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    failed = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=mpn,
        domain="fabrikam.cz",
    )
    claim = failed.claims.get()
    client.force_login(global_admin)
    data = _data(setup, action="check", **{"claims-INITIAL_FORMS": "1"})
    data["claims-0-claim"] = claim.pk

    response = client.post(reverse("request_edit", args=[failed.reference]), data)

    assert response.status_code == 200
    assert "Checks pass" in response.text
    assert "subscription_already_claimed" not in response.text


def test_check_now_says_nothing_of_competitors_when_the_checks_fail(
    client, global_admin, outsider, setup
):
    tenant, sales, subscription, _mpn = setup
    make_request(
        outsider.membership.organisation,
        outsider,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
    )
    client.force_login(global_admin)

    response = _post(client, _data(setup, action="check", domain="unknown.example"))

    assert 'data-check="domain_tenant_mismatch"' in response.text
    assert "data-competition" not in response.text


@pytest.mark.django_db
def test_a_nul_byte_in_the_search_answers_400(client, global_admin):
    client.force_login(global_admin)

    assert client.get(reverse("request_list"), {"q": "con\x00toso"}).status_code == 400
    assert client.get(reverse("request_export"), {"q": "\x00"}).status_code == 400


def test_check_now_needs_only_the_customer_area_activity_and_products(client, global_admin, setup):
    tenant, sales, subscription, _mpn = setup
    client.force_login(global_admin)
    data = {
        "tenant_id": str(tenant.tenant_id),
        "domain": "contoso.com",
        "solution_area": "business_applications",
        "activity": "pre_sales",
        "action": "check",
        "claims-TOTAL_FORMS": "1",
        "claims-INITIAL_FORMS": "0",
        "claims-0-product": sales.pk,
        "claims-0-subscription_id": str(subscription.pk),
    }

    response = client.post(NEW, data)

    assert response.status_code == 200
    assert "Checks pass" in response.text
    assert not response.context["form"].errors
    assert AssociationRequest.objects.count() == 0


def test_check_now_tells_of_the_organisations_own_earlier_claim(
    client, global_admin, organisation, setup
):
    tenant, sales, subscription, mpn = setup
    earlier = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=mpn,
    )
    client.force_login(global_admin)

    response = _post(client, _data(setup, action="check"))

    assert 'data-check="subscription_already_claimed"' in response.text
    assert reverse("request_detail", args=[earlier.reference]) in response.text
