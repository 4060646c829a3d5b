"""Concurrent submissions and decisions for one claim key, from several organisations at once.

Real threads, each with its own PostgreSQL connection, released together by a barrier: one
arbitration case results, and never more than one owner.
"""

import threading
import time

import pytest
from django.db import connection, transaction

from associations.models import CheckResult, Claim, ClaimStatus
from associations.verdict import lock_keys, request_record_verdict
from disputes import services
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase
from partners.models import Role
from tests.builders import (
    make_mpn,
    make_organisation,
    make_user,
    make_validating_request,
    set_status,
)
from tests.threads import race

pytestmark = pytest.mark.django_db(transaction=True)

PARTIES = 6


@pytest.fixture
def filed(tenant, sales, subscription):
    """One validating request for the same key from each of several organisations."""
    requests = []
    for number in range(PARTIES):
        organisation = make_organisation(f"Partner {number}")
        user = make_user(organisation, Role.GLOBAL_ADMIN)
        requests.append(
            make_validating_request(
                organisation,
                user,
                tenant=tenant,
                products=[(sales, str(subscription.pk))],
                mpn=make_mpn(organisation),
            )
        )
    return requests


def test_simultaneous_verdicts_open_exactly_one_case_with_every_claim(filed):
    results = race([lambda r=r: request_record_verdict(request_id=r.pk) for r in filed])

    assert not [r for r in results if isinstance(r, Exception)]
    case = ArbitrationCase.objects.get()
    claims = Claim.objects.filter(request__in=filed)
    assert set(case.claims.all()) == set(claims)
    assert set(claims.values_list("status", flat=True)) == {ClaimStatus.IN_ARBITRATION}


def test_simultaneous_decisions_leave_one_owner(filed, reviewer):
    for request in filed:
        request_record_verdict(request_id=request.pk)
    case = ArbitrationCase.objects.get()
    claims = list(case.claims.order_by("pk"))

    results = race(
        [
            lambda claim=claim: services.case_decide(
                actor=reviewer, case=case, winner=claim, rationale="race"
            )
            for claim in claims
        ]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == len(claims) - 1
    assert all(isinstance(e, ReviewError) and e.code == "case_closed" for e in errors)
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).count() == 1


def test_simultaneous_approvals_without_a_case_are_held_to_one_by_the_database(filed, reviewer):
    # Claims that reached review without meeting each other (e.g. before the arbitration app
    # was installed): the partial unique constraint is the last line of defence.
    claims = [request.claims.get() for request in filed]
    set_status(claims, ClaimStatus.UNDER_REVIEW)

    results = race(
        [
            lambda claim=claim: services.claim_approve(actor=reviewer, claim=claim)
            for claim in claims
        ]
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert all(isinstance(e, ReviewError) and e.code == "key_taken" for e in errors)
    assert len(errors) == len(claims) - 1
    assert Claim.objects.filter(status=ClaimStatus.APPROVED).count() == 1


def _key_lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0]


def _start_waiting(function, results: list, waiters: int) -> threading.Thread:
    """Start `function` in a thread and return once it waits for a key lock."""

    def run():
        try:
            results.append(function())
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    for _ in range(500):
        if _key_lock_waiters() >= waiters:
            return thread
        time.sleep(0.01)
    raise AssertionError(f"no verdict waits for the key lock: {results}")


def test_a_duplicate_found_while_its_original_waits_for_the_key_lock_is_recorded(
    global_admin, tenant, sales, subscription
):
    # The newer request's verdict gets the key first and records the older request as the
    # original of its duplicate while the older one's verdict holds its own request row and
    # waits for that key: neither may wait for the other.
    organisation = global_admin.membership.organisation
    older, newer = (
        make_validating_request(
            organisation,
            global_admin,
            tenant=tenant,
            products=[(sales, str(subscription.pk))],
            mpn=make_mpn(organisation),
        )
        for _ in range(2)
    )
    results = []

    with transaction.atomic():
        lock_keys([older.claims.get().key])
        threads = [
            _start_waiting(lambda: request_record_verdict(request_id=newer.pk), results, 1),
            _start_waiting(lambda: request_record_verdict(request_id=older.pk), results, 2),
        ]
    for thread in threads:
        thread.join(timeout=60)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert older.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert newer.claims.get().status == ClaimStatus.ACTION_NEEDED
    assert CheckResult.objects.failed().get(request=newer).related_request == older
