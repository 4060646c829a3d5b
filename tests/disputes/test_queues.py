"""The review team's queues: my work, unassigned, overdue and due soon, counted on the index."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.deadlines import add_business_days
from disputes import services
from disputes.models import ArbitrationCase
from partners.models import Role
from tests.builders import make_organisation, make_user

QUEUE = "admin:disputes_reviewclaim_changelist"


def _due(claim, moment):
    claim.due_at = moment
    claim.save(update_fields=["due_at"])
    return claim


def _listed(client, queue, url=QUEUE):
    return [row.pk for row in client.get(reverse(url), {"queue": queue}).context["cl"].result_list]


@pytest.fixture
def claims(global_admin, file_claim):
    """`count` claims of as many organisations, all for the shared key (they compete)."""

    def make(count):
        return [
            file_claim(make_user(make_organisation(f"Queue {n}"), Role.GLOBAL_ADMIN))
            for n in range(count)
        ]

    return make


def test_my_work_lists_what_i_hold_oldest_deadline_first(client, reviewer, second_reviewer, claims):
    now = timezone.now()
    later, sooner, theirs, nobodys = claims(4)
    for claim, days in ((later, 4), (sooner, 1), (theirs, 2), (nobodys, 3)):
        _due(claim, now + timedelta(days=days))
    for claim, holder in ((later, reviewer), (sooner, reviewer), (theirs, second_reviewer)):
        services.claim_assign(actor=holder, claim=claim, assignee=holder)
    client.force_login(reviewer)

    assert _listed(client, "mine") == [sooner.pk, later.pk]
    assert _listed(client, "unassigned") == [nobodys.pk]


def test_a_decided_claim_leaves_my_work(client, reviewer, claims):
    [claim] = claims(1)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    services.claim_approve(actor=reviewer, claim=claim)
    client.force_login(reviewer)

    assert _listed(client, "mine") == []


def test_overdue_and_due_soon_count_business_days_as_the_deadlines_do(client, reviewer, claims):
    now = timezone.now()
    late, soon, edge, far = claims(4)
    _due(late, now - timedelta(hours=1))
    _due(soon, add_business_days(now, 1))
    _due(edge, add_business_days(now, 2) - timedelta(minutes=1))
    _due(far, add_business_days(now, 2) + timedelta(minutes=1))
    client.force_login(reviewer)

    assert _listed(client, "overdue") == [late.pk]
    assert _listed(client, "due_soon") == [soon.pk, edge.pk]


def test_the_index_counts_each_queue_for_the_reviewer(client, reviewer, claims):
    now = timezone.now()
    mine, late, _other = claims(3)
    services.claim_assign(actor=reviewer, claim=mine, assignee=reviewer)
    _due(late, now - timedelta(days=1))
    client.force_login(reviewer)

    page = client.get(reverse("admin:index")).text

    assert 'data-queue="mine"' in page
    assert f'href="{reverse(QUEUE)}?queue=mine" data-claims="1"' in page
    assert f'href="{reverse(QUEUE)}?queue=unassigned" data-claims="2"' in page
    assert f'href="{reverse(QUEUE)}?queue=overdue" data-claims="1"' in page
    cases = reverse("admin:disputes_arbitrationcase_changelist")
    # The three claims compete for one key: one open case, nobody holds it.
    assert f'href="{cases}?queue=unassigned" data-cases="1"' in page
    assert f'href="{cases}?queue=mine" data-cases="0"' in page


@pytest.mark.parametrize("count", [1, 12])
def test_the_index_takes_a_fixed_number_of_queries(
    client, reviewer, claims, count, django_assert_num_queries
):
    claims(count)
    client.force_login(reviewer)
    client.get(reverse("admin:index"))

    # the admin index's own five (session, user, permission look-ups), two capped counts
    # (claims, cases) for each of the four queues and the proposals' capped count, whatever
    # the number of claims
    with django_assert_num_queries(14):
        client.get(reverse("admin:index"))


@pytest.mark.parametrize("count", [1, 12])
@pytest.mark.parametrize("queue", ["mine", "unassigned", "overdue", "due_soon"])
def test_every_queue_takes_a_fixed_number_of_queries(
    client, reviewer, claims, count, queue, django_assert_num_queries
):
    for claim in claims(count):
        services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(reviewer)
    client.get(reverse(QUEUE), {"queue": queue})

    # session, user with membership, two permission look-ups, the count, the page of claims
    # with their request, organisation, product and holder
    with django_assert_num_queries(6):
        client.get(reverse(QUEUE), {"queue": queue})


def test_cases_have_the_same_queues(client, global_admin, outsider, reviewer, file_claim):
    file_claim(global_admin)
    file_claim(outsider)
    case = ArbitrationCase.objects.get()
    client.force_login(reviewer)
    cases = "admin:disputes_arbitrationcase_changelist"

    assert _listed(client, "unassigned", cases) == [case.pk]
    services.case_assign(actor=reviewer, case=case, assignee=reviewer)
    assert _listed(client, "mine", cases) == [case.pk]
    assert _listed(client, "unassigned", cases) == []


@pytest.mark.parametrize("queue", ["nobody", "mine\x00", "x" * 500])
def test_an_unknown_queue_never_breaks_the_list(client, reviewer, claims, queue):
    claims(1)
    client.force_login(reviewer)

    response = client.get(reverse(QUEUE), {"queue": queue})

    assert response.status_code in (200, 302, 400)
