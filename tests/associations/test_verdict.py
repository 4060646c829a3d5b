"""One verdict over a request of several claims: each claim decided on its own, in one pass."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.models import Claim, ClaimStatus, StatusEvent
from associations.verdict import request_record_verdict
from disputes.models import ArbitrationCase
from tests.builders import (
    make_mpn,
    make_product,
    make_request,
    make_subscription,
    make_tenant,
    make_validating_request,
)


def _validating(organisation, author, tenant, rows):
    return make_validating_request(
        organisation,
        author,
        tenant=tenant,
        products=[(product, str(subscription.pk)) for product, subscription in rows],
        mpn=make_mpn(organisation),
    )


def _verdict_queries(request) -> int:
    with CaptureQueriesContext(connection) as queries:
        request_record_verdict(request_id=request.pk)
    return len(queries)


def test_contested_duplicate_failing_and_clean_claims_are_decided_in_one_verdict(
    global_admin, outsider, tenant
):
    products = [make_product(code) for code in ("d365-sales", "d365-service", "d365-field")]
    held, ours_already, clean = (make_subscription(tenant, p) for p in products)
    foreign = make_subscription(make_tenant(name="Fabrikam"), products[0])
    ours = global_admin.membership.organisation
    theirs = make_request(
        outsider.membership.organisation,
        outsider,
        tenant=tenant,
        products=[(products[0], str(held.pk))],
    )
    earlier, _its_copy = (
        make_request(
            ours, global_admin, tenant=tenant, products=[(products[1], str(ours_already.pk))]
        )
        for _ in range(2)
    )
    request = _validating(
        ours,
        global_admin,
        tenant,
        [
            (products[0], held),
            (products[1], ours_already),
            (products[2], clean),
            (products[0], foreign),
        ],
    )

    request_record_verdict(request_id=request.pk)

    contested, duplicate, passed, failed = request.claims.order_by("pk")
    rival = theirs.claims.get()
    rival.refresh_from_db()
    case = ArbitrationCase.objects.get()
    assert (contested.status, rival.status) == (ClaimStatus.IN_ARBITRATION,) * 2
    assert set(case.claims.all()) == {contested, rival}
    assert contested.due_at == case.due_at
    assert duplicate.status == ClaimStatus.ACTION_NEEDED
    assert duplicate.check_results.failed().get().related_request == earlier
    assert (passed.status, passed.due_at is not None) == (ClaimStatus.UNDER_REVIEW, True)
    assert failed.status == ClaimStatus.ACTION_NEEDED
    assert set(failed.check_results.failed().values_list("code", flat=True)) == {
        "subscription_not_in_tenant"
    }
    moves = StatusEvent.objects.filter(request=request, from_status=ClaimStatus.VALIDATING)
    assert sorted(moves.values_list("claim", "to_status")) == [
        (claim.pk, claim.status) for claim in (contested, duplicate, passed, failed)
    ]
    assert StatusEvent.objects.get(claim=duplicate, action="claim.checks_failed").payload == {
        "checks": ["subscription_already_claimed"]
    }
    lines = request.comments.get().body.splitlines()[1:5]
    assert lines == [
        "- D365 Sales: In arbitration",
        "- D365 Service: Action needed",
        "- D365 Field: Under review",
        "- D365 Sales: Action needed",
    ]


def test_a_verdict_costs_the_same_queries_for_one_claim_or_five(global_admin, tenant):
    organisation = global_admin.membership.organisation
    products = [make_product(f"d365-app-{number}") for number in range(5)]
    other = make_tenant(domains=("fabrikam.com",), name="Fabrikam")
    one = _validating(
        organisation, global_admin, tenant, [(products[0], make_subscription(tenant, products[0]))]
    )
    five = _validating(
        organisation, global_admin, other, [(p, make_subscription(other, p)) for p in products]
    )

    assert _verdict_queries(five) == _verdict_queries(one)
    assert Claim.objects.filter(status=ClaimStatus.UNDER_REVIEW).count() == 6
