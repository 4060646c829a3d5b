"""Approving many claims under review with one note: each through the single approval's service,
and one that changed after the reviewer confirmed the list is skipped and reported."""

import re
from collections import Counter

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from associations.models import Claim, ClaimStatus, Reason, StatusEvent
from associations.services import Upload
from disputes import services
from tests.builders import (
    enable_totp,
    make_mpn,
    make_request,
    make_subscription,
    make_user,
    pdf_upload,
)

QUEUE = reverse("admin:disputes_reviewclaim_changelist")


@pytest.fixture
def queue(organisation, global_admin, tenant, sales):
    """Claims under review, each for its own subscription: nobody competes."""
    mpn = make_mpn(organisation)

    def claims(count: int) -> list[Claim]:
        return [
            make_request(
                organisation,
                global_admin,
                tenant=tenant,
                products=[(sales, str(make_subscription(tenant, sales).pk))],
                mpn=mpn,
            ).claims.get()
            for _ in range(count)
        ]

    return claims


def _ask(client, claims):
    return client.post(
        QUEUE,
        {"action": "approve_selected", ACTION_CHECKBOX_NAME: [c.pk for c in claims], "index": "0"},
    )


def _confirm(client, claims, page, note="Proof complete"):
    seen = dict(re.findall(r'name="(seen-\d+)" value="([^"]+)"', page.text))
    return client.post(
        QUEUE,
        {
            "action": "approve_selected",
            ACTION_CHECKBOX_NAME: [c.pk for c in claims],
            "confirm": "yes",
            "approve-note": note,
            **seen,
        },
        follow=True,
    )


def test_200_claims_approved_in_bulk_with_one_changed_underneath_199_approved_1_reported(
    client, reviewer, global_admin, queue, django_capture_on_commit_callbacks
):
    claims = queue(200)
    client.force_login(reviewer)
    confirmation = _ask(client, claims)
    assert confirmation.status_code == 200
    assert confirmation.text.count('name="seen-') == 200
    # Underneath: a question asked and answered; the claim is back under review, but not as seen.
    changed = claims[57]
    services.claim_request_information(
        actor=reviewer, claim=changed, reason=Reason.NO_SIGNATURE, question="Signed by whom?"
    )
    services.information_answer(
        actor=global_admin,
        claim=changed,
        answer="By the CIO.",
        uploads=[Upload(file=pdf_upload(), content_type="application/pdf")],
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        done = _confirm(client, claims, confirmation)

    statuses = Counter(Claim.objects.filter(pk__in=[c.pk for c in claims]).values_list("status"))
    assert statuses == {(ClaimStatus.APPROVED,): 199, (ClaimStatus.UNDER_REVIEW,): 1}
    changed.refresh_from_db()
    assert changed.status == ClaimStatus.UNDER_REVIEW
    shown = [str(message) for message in done.context["messages"]]
    assert shown[0] == "199 claims approved; their partners and customers are told."
    assert shown[1].startswith(f"{changed.request.reference} · ")
    assert "changed since the list was shown" in shown[1]
    approvals = StatusEvent.objects.filter(action="claim.approved")
    assert approvals.count() == 199
    notes = {
        (actor, payload["note"]) for actor, payload in approvals.values_list("actor", "payload")
    }
    assert notes == {(reviewer.pk, "Proof complete")}
    assert len(mail.outbox) == 2 * 199  # the customer's and the partner's, for each claim


def test_a_listed_claim_that_left_the_review_meanwhile_is_reported_not_dropped(
    client, reviewer, queue, django_capture_on_commit_callbacks
):
    waiting, asked = queue(2)
    client.force_login(reviewer)
    confirmation = _ask(client, [waiting, asked])
    services.claim_request_information(
        actor=reviewer, claim=asked, reason=Reason.OLD_DATES, question="Dates?"
    )

    with django_capture_on_commit_callbacks(execute=True):
        done = _confirm(client, [waiting, asked], confirmation)

    shown = [str(message) for message in done.context["messages"]]
    assert shown[0] == "1 claim approved; its partner and customer are told."
    assert shown[1].startswith(f"{asked}: ")
    asked.refresh_from_db()
    assert asked.status == ClaimStatus.INFO_REQUESTED


def test_claims_the_policy_does_not_let_approve_are_listed_apart_and_left_alone(
    client, reviewer, queue, django_capture_on_commit_callbacks
):
    waiting, asked = queue(2)
    services.claim_request_information(
        actor=reviewer, claim=asked, reason=Reason.OLD_DATES, question="Dates?"
    )
    client.force_login(reviewer)

    confirmation = _ask(client, [waiting, asked])
    with django_capture_on_commit_callbacks(execute=True):
        _confirm(client, [waiting, asked], confirmation)

    refused = confirmation.text.split('data-refused="true"')[1]
    assert f'data-claim="{asked.pk}"' in refused
    assert confirmation.text.count('name="seen-') == 1
    asked.refresh_from_db()
    waiting.refresh_from_db()
    assert (waiting.status, asked.status) == (ClaimStatus.APPROVED, ClaimStatus.INFO_REQUESTED)


def test_a_garbled_or_missing_seen_value_is_a_changed_claim(client, reviewer, queue):
    first, second = queue(2)
    client.force_login(reviewer)

    client.post(
        QUEUE,
        {
            "action": "approve_selected",
            ACTION_CHECKBOX_NAME: [first.pk, second.pk],
            "confirm": "yes",
            f"seen-{first.pk}": "yesterday\x00",
        },
    )

    assert set(Claim.objects.values_list("status", flat=True)) == {ClaimStatus.UNDER_REVIEW}


def test_staff_without_the_decide_permission_get_no_bulk_approval(client, queue):
    (claim,) = queue(1)
    viewer = make_user(None, username="auditor", is_staff=True)
    enable_totp(viewer)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_reviewclaim", content_type__app_label="disputes")
    )
    client.force_login(viewer)

    page = client.get(QUEUE)
    tried = client.post(
        QUEUE, {"action": "approve_selected", ACTION_CHECKBOX_NAME: [claim.pk], "index": "0"}
    )

    assert page.status_code == 200
    assert "approve_selected" not in page.text
    assert tried.status_code in {200, 302}
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


def test_staff_outside_the_reviewers_see_no_queue(client, queue):
    queue(1)
    outsider = make_user(None, username="clerk", is_staff=True)
    enable_totp(outsider)
    client.force_login(outsider)

    assert client.get(QUEUE).status_code == 403


def test_an_impossible_seen_time_counts_as_not_seen_and_is_reported(client, reviewer, queue):
    claim = queue(1)[0]
    client.force_login(reviewer)

    done = client.post(
        QUEUE,
        {
            "action": "approve_selected",
            ACTION_CHECKBOX_NAME: [claim.pk],
            "confirm": "yes",
            "approve-note": "Proof complete",
            f"seen-{claim.pk}": "2024-99-99T00:00",
        },
        follow=True,
    )

    assert done.status_code == 200
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
