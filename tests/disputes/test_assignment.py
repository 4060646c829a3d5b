"""Reviewers take, release and assign claims and cases; holding organises, never blocks."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from associations.models import ClaimStatus, StatusEvent
from disputes import services
from disputes.errors import ReviewError
from disputes.models import ArbitrationCase
from tests.builders import enable_totp, make_user


@pytest.fixture
def lead(second_reviewer):
    """A reviewer who may assign work to others."""
    second_reviewer.user_permissions.add(
        Permission.objects.get(content_type__app_label="disputes", codename="assign")
    )
    return second_reviewer


def _work(client, claim, **data):
    return client.post(reverse("admin:disputes_claim_work", args=[claim.pk]), data)


def _events(claim, action):
    return list(StatusEvent.objects.filter(claim=claim, action=action))


def test_a_reviewer_takes_a_claim_and_the_queue_and_timeline_show_it(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    client.force_login(reviewer)

    response = _work(client, claim, work="take")

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.assignee == reviewer
    [event] = _events(claim, "review.taken")
    assert (event.actor, event.payload) == (reviewer, {"assignee": "reviewer", "previous": None})
    page = client.get(reverse("admin:disputes_review", args=[claim.pk])).text
    assert 'data-holder="reviewer"' in page
    queue = client.get(reverse("admin:disputes_reviewclaim_changelist"))
    assert '<td class="field-assignee nowrap">reviewer</td>' in queue.text


def test_the_second_reviewer_sees_the_holder_and_takes_over_only_after_confirming(
    client, global_admin, reviewer, second_reviewer, file_claim
):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(second_reviewer)

    page = client.get(reverse("admin:disputes_review", args=[claim.pk])).text
    assert 'data-holder="reviewer"' in page
    confirmation = _work(client, claim, work="take")

    assert confirmation.status_code == 200
    assert 'data-form="take-over"' in confirmation.text
    claim.refresh_from_db()
    assert claim.assignee == reviewer

    _work(client, claim, work="take", confirm=str(reviewer.pk))

    claim.refresh_from_db()
    assert claim.assignee == second_reviewer
    event = _events(claim, "review.taken")[-1]
    assert (event.actor, event.payload) == (
        second_reviewer,
        {"assignee": "second-reviewer", "previous": "reviewer"},
    )


def test_a_confirmation_for_another_holder_asks_again(
    client, global_admin, reviewer, second_reviewer, lead, file_claim
):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(lead)

    response = _work(client, claim, work="take", confirm="999999")

    assert response.status_code == 200
    claim.refresh_from_db()
    assert claim.assignee == reviewer


def test_a_holder_releases_a_claim(client, global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(reviewer)

    _work(client, claim, work="release")

    claim.refresh_from_db()
    assert (claim.assignee, claim.assigned_at) == (None, None)
    assert len(_events(claim, "review.released")) == 1


def test_a_reviewer_without_the_assign_permission_cannot_release_or_assign_for_others(
    client, global_admin, reviewer, second_reviewer, file_claim
):
    claim = file_claim(global_admin)
    services.claim_assign(actor=second_reviewer, claim=claim, assignee=second_reviewer)
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_review", args=[claim.pk])).text
    released = _work(client, claim, work="release", confirm=str(second_reviewer.pk))
    assigned = _work(client, claim, work="assign", **{"assign-assignee": reviewer.pk})

    assert 'data-form="assign"' not in page
    assert (released.status_code, assigned.status_code) == (403, 403)
    claim.refresh_from_db()
    assert claim.assignee == second_reviewer


def test_a_reviewer_with_the_assign_permission_assigns_to_another_reviewer(
    client, global_admin, reviewer, lead, file_claim
):
    claim = file_claim(global_admin)
    client.force_login(lead)

    page = client.get(reverse("admin:disputes_review", args=[claim.pk])).text
    assert 'data-form="assign"' in page
    _work(client, claim, work="assign", **{"assign-assignee": reviewer.pk})

    claim.refresh_from_db()
    assert claim.assignee == reviewer
    [event] = _events(claim, "review.assigned")
    assert (event.actor, event.payload["assignee"]) == (lead, "reviewer")


@pytest.mark.parametrize("value", ["abc", "1\x00", "9" * 40, ""])
def test_a_malformed_or_unknown_assignee_is_a_form_error(
    client, global_admin, lead, file_claim, value
):
    claim = file_claim(global_admin)
    client.force_login(lead)

    response = _work(client, claim, work="assign", **{"assign-assignee": value})

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.assignee is None


def test_only_a_reviewer_can_be_assigned(client, global_admin, lead, file_claim):
    claim = file_claim(global_admin)
    staff = make_user(None, username="helpdesk", is_staff=True)
    client.force_login(lead)

    _work(client, claim, work="assign", **{"assign-assignee": staff.pk})
    _work(client, claim, work="assign", **{"assign-assignee": global_admin.pk})

    claim.refresh_from_db()
    assert claim.assignee is None


def test_a_staff_user_outside_the_reviewers_group_sees_none_of_it(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    staff = make_user(None, username="helpdesk", is_staff=True)
    enable_totp(staff)
    client.force_login(staff)

    index = client.get(reverse("admin:index"))
    review = client.get(reverse("admin:disputes_review", args=[claim.pk]))
    taken = _work(client, claim, work="take")

    assert "data-queues" not in index.text
    assert (review.status_code, taken.status_code) == (403, 403)
    claim.refresh_from_db()
    assert claim.assignee is None


def test_a_partner_cannot_take_work(client, global_admin, file_claim):
    claim = file_claim(global_admin)
    client.force_login(global_admin)

    response = _work(client, claim, work="take")

    assert response.status_code == 302
    assert "/login/" in response.url
    claim.refresh_from_db()
    assert claim.assignee is None


def test_get_on_post_only_url_gives_405(client, global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    client.force_login(reviewer)

    response = client.get(reverse("admin:disputes_claim_work", args=[claim.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize("work", ["steal", "take\x00", ""])
def test_an_unknown_work_action_is_a_bad_request(client, global_admin, reviewer, file_claim, work):
    claim = file_claim(global_admin)
    client.force_login(reviewer)

    assert _work(client, claim, work=work).status_code == 400


@pytest.mark.parametrize("pk", ["abc", "1%00", "9" * 30])
def test_a_malformed_or_unknown_id_is_not_found_or_a_bad_request(client, reviewer, pk):
    client.force_login(reviewer)

    response = client.post(f"/admin/disputes/reviewclaim/{pk}/work/", {"work": "take"}, follow=True)

    assert response.status_code in (400, 404)


def test_decided_work_can_no_longer_be_taken(client, global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    services.claim_approve(actor=reviewer, claim=claim)
    client.force_login(reviewer)

    response = _work(client, claim, work="take")

    assert response.status_code == 302
    claim.refresh_from_db()
    assert (claim.status, claim.assignee) == (ClaimStatus.APPROVED, None)


def test_a_case_is_taken_and_each_party_timeline_records_it(
    client, global_admin, outsider, reviewer, file_claim
):
    mine, theirs = file_claim(global_admin), file_claim(outsider)
    case = ArbitrationCase.objects.get()
    client.force_login(reviewer)

    client.post(reverse("admin:disputes_case_work", args=[case.pk]), {"work": "take"})

    case.refresh_from_db()
    assert case.assignee == reviewer
    assert len(_events(mine, "review.taken")) == len(_events(theirs, "review.taken")) == 1
    page = client.get(reverse("admin:disputes_case", args=[case.pk])).text
    assert 'data-holder="reviewer"' in page
    cases = client.get(reverse("admin:disputes_arbitrationcase_changelist")).text
    assert '<td class="field-assignee nowrap">reviewer</td>' in cases


def test_the_partner_never_sees_the_review_team_at_work(client, global_admin, reviewer, file_claim):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(global_admin)

    page = client.get(reverse("request_detail", args=[claim.request.reference])).text

    assert 'data-event="review.taken"' not in page
    assert "Taken by a reviewer" not in page


def test_the_information_request_and_dispute_lists_show_the_claim_holder(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    services.claim_request_information(
        actor=reviewer, claim=claim, reason="no_proof", question="Signed?"
    )
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_informationrequest_changelist")).text

    assert '<td class="field-claim__assignee">reviewer</td>' in page


def test_the_decision_records_the_holder_and_the_decider(
    global_admin, reviewer, second_reviewer, file_claim
):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)

    services.claim_approve(actor=second_reviewer, claim=claim)

    [event] = _events(claim, "claim.approved")
    assert event.actor == second_reviewer
    assert (event.payload["assignee"], event.payload["decided_by"]) == (
        "reviewer",
        "second-reviewer",
    )


def test_two_reviewers_taking_at_once_never_overwrite_each_other(
    global_admin, reviewer, second_reviewer, file_claim
):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)

    # The second reviewer's page showed nobody holding it.
    with pytest.raises(ReviewError, match="meanwhile"):
        services.claim_assign(
            actor=second_reviewer, claim=claim, assignee=second_reviewer, holder_seen=None
        )

    claim.refresh_from_db()
    assert claim.assignee == reviewer


def test_passing_on_work_another_reviewer_holds_is_confirmed_first(
    client, global_admin, reviewer, lead, file_claim
):
    claim = file_claim(global_admin)
    services.claim_assign(actor=reviewer, claim=claim, assignee=reviewer)
    client.force_login(lead)
    data = {"work": "assign", "assign-assignee": lead.pk}

    confirmation = _work(client, claim, **data)
    claim.refresh_from_db()
    assert 'data-form="take-over"' in confirmation.text and claim.assignee == reviewer

    _work(client, claim, **data, confirm=str(reviewer.pk))
    claim.refresh_from_db()
    assert claim.assignee == lead
    assert _events(claim, "review.assigned") == [] and len(_events(claim, "review.taken")) == 2
