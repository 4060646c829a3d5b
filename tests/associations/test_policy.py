"""The claim policy: what each status allows, for whom, until when; and the services agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from associations import policy, services
from associations.choices import ClaimStatus, Reason
from associations.models import Claim
from associations.policy import Action, ActionRefused
from associations.templatetags.cpor import due_label
from disputes import services as reviews
from partners.models import Membership, Role
from tests.builders import make_mpn, make_request, set_status

S = ClaimStatus
NOW = timezone.now()

PARTNER = {
    S.DRAFT: {"edit", "delete"},
    S.VALIDATING: {"withdraw", "add_proof"},
    S.ACTION_NEEDED: {"edit", "withdraw", "add_proof"},
    S.UNDER_REVIEW: {"withdraw", "add_proof"},
    S.IN_ARBITRATION: {"withdraw", "add_proof"},
    S.INFO_REQUESTED: {"withdraw", "add_proof", "answer"},
    S.APPROVED: {"add_proof", "disassociate"},
    S.REJECTED: {"dispute"},
    S.DISPUTED: {"add_proof"},
    S.REJECTED_FINAL: set(),
    S.ENDED: set(),
    S.WITHDRAWN: set(),
}
REVIEWER = {
    S.UNDER_REVIEW: {"approve", "reject", "request_information"},
    S.IN_ARBITRATION: {"request_information", "decide_case"},
    S.INFO_REQUESTED: {"decide_case"},
    S.DISPUTED: {"request_information", "answer_dispute", "decide_case"},
    S.APPROVED: {"decide_case"},
}


def _claim(status, *, changed=NOW, reason=""):
    return Claim(pk=1, status=status, status_changed_at=changed, reason=reason)


def _member(role):
    return Membership(role=role)


@pytest.mark.parametrize("status", list(S))
def test_each_status_allows_the_partner_exactly_its_actions(status):
    allowed = policy.claim_actions(_claim(status), now=NOW, membership=_member(Role.GLOBAL_ADMIN))

    assert set(allowed) == PARTNER[status]


@pytest.mark.parametrize("status", list(S))
def test_each_status_allows_a_reviewer_who_decides_exactly_its_actions(status):
    allowed = policy.claim_actions(_claim(status), now=NOW, can_decide=True)

    assert set(allowed) == REVIEWER.get(status, set())


@pytest.mark.parametrize("role", [Role.BILLING_ADMIN, Role.OTHER])
def test_readers_and_other_roles_are_allowed_nothing(role):
    assert policy.claim_actions(_claim(S.APPROVED), now=NOW, membership=_member(role)) == {}


def test_a_rejection_can_be_disputed_until_its_window_closes_and_says_until_when():
    rejected = _claim(S.REJECTED, changed=NOW - timedelta(days=29))
    writer = _member(Role.INCENTIVES_ADMIN)

    allowed = policy.claim_actions(rejected, now=NOW, membership=writer)
    late = policy.claim_actions(rejected, now=NOW + timedelta(days=2), membership=writer)

    assert allowed["dispute"].until == rejected.status_changed_at + timedelta(days=30)
    assert "dispute" not in late
    assert policy.refusal(rejected, Action.DISPUTE, now=NOW + timedelta(days=2)) == (
        "dispute_window_closed"
    )


def test_a_rejection_disputed_before_cannot_be_disputed_again():
    rejected = _claim(S.REJECTED)

    assert policy.refusal(rejected, Action.DISPUTE, now=NOW, disputed_before=True) == (
        "already_disputed"
    )


def test_only_a_claim_ended_with_its_subscription_offers_a_follow_up():
    ended = _claim(S.ENDED, reason=Reason.SUBSCRIPTION_ENDED)
    disassociated = _claim(S.ENDED, reason=Reason.PARTNER_REQUEST)
    writer = _member(Role.GLOBAL_ADMIN)

    assert "follow_up" in policy.claim_actions(ended, now=NOW, membership=writer)
    assert "follow_up" not in policy.claim_actions(disassociated, now=NOW, membership=writer)


def test_the_dispute_refusal_names_the_window_of_the_setting(settings):
    settings.CPOR_DEADLINES = {**settings.CPOR_DEADLINES, "dispute_window_days": 10}

    assert "within 10 days" in str(ActionRefused("dispute_window_closed").message)


def test_a_request_offers_what_one_of_its_claims_allows_and_deletes_only_whole_drafts():
    writer = _member(Role.GLOBAL_ADMIN)
    draft, rejected = _claim(S.DRAFT), _claim(S.REJECTED)
    rejected.pk = 2

    mixed = policy.request_actions([draft, rejected], now=NOW, membership=writer)
    only_drafts = policy.request_actions([draft], now=NOW, membership=writer)

    assert set(mixed.request) == {"edit", "comment"}
    assert set(only_drafts.request) == {"edit", "delete", "comment"} and only_drafts.draft
    assert mixed.claims[2].keys() == {"dispute"}


def test_no_comment_while_the_checks_run():
    checking = policy.request_actions(
        [_claim(S.VALIDATING)], now=NOW, membership=_member(Role.GLOBAL_ADMIN)
    )

    assert checking.checking and "comment" not in checking.request


# The services take an action exactly when the policy allows it, in every status.
SERVICES = {
    Action.WITHDRAW: lambda claim, user: services.request_withdraw(
        actor=user, request=claim.request
    ),
    Action.DELETE: lambda claim, user: services.request_delete_draft(
        actor=user, request=claim.request
    ),
    Action.ADD_PROOF: lambda claim, user: services.proof_add(
        actor=user, request=claim.request, claim=claim, description="newer", uploads=[]
    ),
    Action.DISASSOCIATE: lambda claim, user: services.claim_disassociate(
        actor=user, claim=claim, reason_text="no longer working with them"
    ),
    Action.APPROVE: lambda claim, user: reviews.claim_approve(actor=user, claim=claim),
    Action.REJECT: lambda claim, user: reviews.claim_reject(
        actor=user, claim=claim, reason=Reason.INSUFFICIENT_PROOF
    ),
    Action.REQUEST_INFORMATION: lambda claim, user: reviews.claim_request_information(
        actor=user, claim=claim, reason=Reason.NO_SIGNATURE, question="Signed?"
    ),
    Action.DECLINE: lambda claim, user: reviews.claim_customer_decline(claim=claim),
}


@pytest.mark.parametrize("action", list(SERVICES))
@pytest.mark.parametrize("status", list(S))
def test_the_service_takes_the_action_exactly_when_the_policy_allows_it(
    action, status, global_admin, reviewer, tenant, sales, subscription
):
    organisation = global_admin.membership.organisation
    request = make_request(
        organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=make_mpn(organisation),
        submit=False,
    )
    claim = request.claims.get()
    set_status(claim, status)
    allowed = policy.refusal(claim, action, now=timezone.now()) is None
    user = reviewer if action in policy.REVIEWER_ACTIONS else global_admin

    try:
        SERVICES[action](claim, user)
    except ActionRefused:
        refused = True
    else:
        refused = False

    assert refused is not allowed


@pytest.mark.parametrize("status", ClaimStatus.values)
def test_only_a_disputed_claims_due_date_is_its_disputes_answer(status):
    disputed = status == ClaimStatus.DISPUTED
    assert policy.awaits_dispute_answer(status) is disputed
    assert (due_label(status) == "Answer to your dispute expected by") is disputed
