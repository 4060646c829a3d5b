"""The MPN audit against hand-computed data: counts, the three flags, drill-downs, CSV."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from associations.models import AssociationRequest, Claim, ClaimStatus
from partners.catalog import SolutionArea
from partners.models import Enrolment
from tests.builders import make_mpn, make_product, make_request, make_subscription, make_tenant

BA, M365 = SolutionArea.BUSINESS_APPLICATIONS, SolutionArea.MICROSOFT_365
AUDIT = reverse("mpn_audit")


@pytest.fixture
def data(organisation, global_admin, outsider):
    """Prague (FastTrack, BA+M365): 2 BA claims (one failed) + 1 M365 claim for Contoso.
    Brno (BA, later unenrolled): 1 BA claim for Contoso. Ostrava: nothing.
    Another organisation: 1 claim that must never be counted."""
    prague = make_mpn(
        organisation,
        mpn_id="1234567",
        enrolled_in=(BA, M365),
        partner_type="FastTrack Ready Partner",
    )
    brno = make_mpn(organisation, mpn_id="1234568", enrolled_in=(BA,))
    make_mpn(organisation, mpn_id="1234569", enrolled_in=())
    contoso = make_tenant(domains=("contoso.com",))
    fabrikam = make_tenant(domains=("fabrikam.cz",), name="Fabrikam")
    sales, service = make_product("d365-sales"), make_product("d365-customer-service")
    teams = make_product("teams", M365)
    make_subscription(contoso, teams)

    def file(mpn, tenant, product, area=BA, activity="pre_sales", **kwargs):
        sub = "" if area == M365 else str(make_subscription(tenant, product).pk)
        return make_request(
            organisation,
            global_admin,
            tenant=tenant,
            products=[(product, sub or None)],
            mpn=mpn,
            solution_area=area,
            activity=activity,
            **kwargs,
        )

    file(prague, contoso, sales)
    file(prague, fabrikam, service, domain="wrong.example")  # action needed
    file(prague, contoso, teams, area=M365, activity="usage")
    file(brno, contoso, service, activity="usage")
    Enrolment.objects.filter(mpn=brno).delete()
    make_request(
        outsider.membership.organisation,
        outsider,
        tenant=contoso,
        products=[(sales, str(make_subscription(contoso, sales).pk))],
    )
    return prague, brno


def _row(response, mpn_id):
    return next(r for r in response.context["audit"].rows if r.mpn.mpn_id == mpn_id)


def test_counts_per_mpn_id_by_status_area_and_activity(client, billing_admin, data):
    client.force_login(billing_admin)

    response = client.get(AUDIT)

    prague = _row(response, "1234567")
    assert prague.total == 3
    assert prague.by_status == {ClaimStatus.UNDER_REVIEW: 2, ClaimStatus.ACTION_NEEDED: 1}
    assert prague.by_area == {BA: 2, M365: 1}
    assert prague.by_activity == {"pre_sales": 2, "usage": 1}
    brno = _row(response, "1234568")
    assert (brno.total, brno.by_activity) == (1, {"usage": 1})
    assert _row(response, "1234569").total == 0
    assert response.context["audit"].total == 4


def test_the_three_risk_flags(client, billing_admin, data):
    client.force_login(billing_admin)

    page = client.get(AUDIT)
    text = page.text

    assert 'data-flag="special_partner_type" data-mpn="1234567"' in text
    assert 'data-flag="not_enrolled" data-mpn="1234568" data-area="business_applications"' in text
    assert 'data-flag="not_enrolled" data-mpn="1234567"' not in text
    shared = page.context["audit"].shared_customers
    assert [(c.domain, c.mpn_ids, c.claims) for c in shared] == [
        ("contoso.com", ["1234567", "1234568"], 3)
    ]


def test_a_chart_draws_one_bar_per_mpn_id(client, billing_admin, data):
    client.force_login(billing_admin)

    text = client.get(AUDIT).text

    assert 'data-chart="claims-per-mpn"' in text
    assert 'data-mpn-bar="1234567" data-claims="3"' in text
    assert 'data-mpn-bar="1234568" data-claims="1"' in text


def test_drilling_down_from_a_count_lists_the_claims_behind_it(client, billing_admin, data):
    client.force_login(billing_admin)

    page = client.get(reverse("request_list"), {"mpn": "1234567", "status": "action_needed"})

    rows = page.context["page"].rows
    assert [r.domain for r in rows] == ["wrong.example"]
    assert (
        f'href="{reverse("request_list")}?mpn=1234567&amp;status=action_needed&amp;"'
        in client.get(AUDIT).text
    )


def test_the_date_range_limits_the_counts(client, billing_admin, data):
    long_ago = timezone.now() - timedelta(days=400)
    AssociationRequest.objects.filter(mpn__mpn_id="1234568").update(created_at=long_ago)
    Claim.objects.filter(mpn__mpn_id="1234568").update(filed_at=long_ago)
    client.force_login(billing_admin)
    since = (timezone.localdate() - timedelta(days=30)).isoformat()

    response = client.get(AUDIT, {"date_from": since})

    assert _row(response, "1234568").total == 0
    assert response.context["audit"].shared_customers == []
    assert _row(response, "1234567").total == 3


def test_the_audit_csv_streams_the_grouped_counts_with_flags(client, billing_admin, data):
    client.force_login(billing_admin)

    response = client.get(reverse("mpn_audit_export"))

    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sum(int(r["claims"]) for r in rows) == 4
    brno = [r for r in rows if r["mpn_id"] == "1234568"]
    assert [(r["status"], r["claims"], r["flag_not_enrolled"]) for r in brno] == [
        ("under_review", "1", "yes")
    ]
    assert {r["flag_special_partner_type"] for r in rows if r["mpn_id"] == "1234567"} == {"yes"}


@pytest.mark.parametrize("persona", ["global_admin", "incentives_admin", "billing_admin"])
def test_every_cpor_role_may_audit(client, persona, request, data):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(AUDIT).status_code == 200


def test_other_roles_get_the_role_page(client, other_role):
    client.force_login(other_role)

    assert client.get(AUDIT).status_code == 403
    assert client.get(reverse("mpn_audit_export")).status_code == 403


def test_the_audit_runs_a_fixed_number_of_queries(
    client, billing_admin, data, django_assert_num_queries
):
    client.force_login(billing_admin)
    client.get(AUDIT)

    # session, user with membership and organisation, MPN IDs, enrolments, programs, grouped
    # counts, shared customers (with their total), their MPN IDs, their domains
    with django_assert_num_queries(9):
        client.get(AUDIT)


def test_claims_keep_their_copies_of_the_request_in_step(
    client, global_admin, organisation, django_capture_on_commit_callbacks
):
    """The audit reads the claims' copies; editing a draft's MPN ID moves its claims too."""
    from associations.services import request_update
    from tests.builders import request_fields

    tenant = make_tenant(domains=("contoso.com",))
    sales = make_product("d365-sales")
    first, second = make_mpn(organisation), make_mpn(organisation)
    draft = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(make_subscription(tenant, sales).pk))],
        mpn=first,
        submit=False,
    )
    claim = draft.claims.get()
    assert (claim.organisation_id, claim.mpn_id, claim.filed_at) == (
        organisation.pk,
        first.pk,
        draft.created_at,
    )

    request_update(
        actor=global_admin,
        request=draft,
        rows=[],
        uploads=[],
        submit=False,
        fields=request_fields(
            tenant_id=tenant.tenant_id,
            domain="contoso.com",
            solution_area=BA,
            activity="usage",
            mpn=second,
        ),
    )

    claim.refresh_from_db()
    assert (claim.mpn_id, claim.activity, claim.solution_area) == (second.pk, "usage", BA)
