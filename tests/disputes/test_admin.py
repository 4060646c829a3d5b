"""Reviewers decide in the admin; partners cannot reach it; nobody edits the timeline."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from associations.models import ClaimStatus, StatusEvent
from disputes.models import ArbitrationCase
from tests.builders import enable_totp, make_user, set_status


def test_the_queue_lists_claims_oldest_deadline_first_and_marks_overdue(
    client, global_admin, outsider, reviewer, file_claim
):
    from datetime import timedelta

    from django.utils import timezone

    late = file_claim(global_admin)
    late.due_at = timezone.now() - timedelta(days=1)
    late.save()
    client.force_login(reviewer)

    page = client.get(reverse("admin:disputes_reviewclaim_changelist"))

    assert page.status_code == 200
    assert 'data-overdue="true"' in page.text
    assert late.request.reference in page.text


def test_the_queue_holds_only_claims_awaiting_a_reviewer_whatever_the_filter(
    client, global_admin, outsider, reviewer, file_claim
):
    waiting = file_claim(global_admin)
    in_arbitration = file_claim(outsider)
    decided = file_claim(make_user(global_admin.membership.organisation, "global_admin"))
    for claim, status in (
        (waiting, ClaimStatus.UNDER_REVIEW),
        (in_arbitration, ClaimStatus.IN_ARBITRATION),
        (decided, ClaimStatus.APPROVED),
    ):
        set_status(claim, status)
    client.force_login(reviewer)
    queue = reverse("admin:disputes_reviewclaim_changelist")

    def listed(query):
        return {claim.pk for claim in client.get(queue, query).context["cl"].result_list}

    assert listed({}) == {waiting.pk, in_arbitration.pk}
    assert listed({"status": "in_arbitration"}) == {in_arbitration.pk}
    assert listed({"status": "approved"}) == {waiting.pk, in_arbitration.pk}


def test_a_reviewer_approves_a_claim_from_its_review_page(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    client.force_login(reviewer)
    url = reverse("admin:disputes_review", args=[claim.pk])

    assert "Approve" in client.get(url).text
    response = client.post(url, {"action": "approve", "approve-note": "Complete"})

    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.APPROVED


def test_a_reviewer_decides_a_case_from_its_page(
    client, global_admin, outsider, reviewer, file_claim
):
    mine = file_claim(global_admin)
    theirs = file_claim(outsider)
    case = ArbitrationCase.objects.get()
    client.force_login(reviewer)
    url = reverse("admin:disputes_case", args=[case.pk])

    page = client.get(url).text
    assert "Northwind Traders" in page and "Adatum Consulting" in page
    client.post(url, {"action": "decide", "decide-winner": theirs.pk, "decide-rationale": "Better"})

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == (ClaimStatus.REJECTED, ClaimStatus.APPROVED)


def test_a_reviewer_requests_information_from_one_party_of_a_case(
    client, global_admin, outsider, reviewer, file_claim
):
    file_claim(global_admin)
    theirs = file_claim(outsider)
    client.force_login(reviewer)

    client.post(
        reverse("admin:disputes_case", args=[ArbitrationCase.objects.get().pk]),
        {
            "action": "information",
            "information-claim": theirs.pk,
            "information-reason": "no_signature",
            "information-question": "Signature?",
        },
    )

    theirs.refresh_from_db()
    assert theirs.status == ClaimStatus.INFO_REQUESTED


def test_staff_without_the_decide_permission_can_look_but_not_decide(
    client, global_admin, file_claim
):
    claim = file_claim(global_admin)
    viewer = make_user(None, username="auditor", is_staff=True)
    enable_totp(viewer)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_reviewclaim", content_type__app_label="disputes")
    )
    client.force_login(viewer)
    url = reverse("admin:disputes_review", args=[claim.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "approve"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW


@pytest.mark.parametrize("page", ["admin:index", "admin:disputes_reviewclaim_changelist"])
def test_a_partner_user_cannot_reach_the_admin(client, global_admin, page):
    client.force_login(global_admin)

    response = client.get(reverse(page))

    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_reviewers_cannot_delete_or_edit_timeline_events(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    event = StatusEvent.objects.filter(claim=claim).first()
    client.force_login(reviewer)

    delete = client.post(
        reverse("admin:associations_statusevent_delete", args=[event.pk]), {"post": "yes"}
    )
    change = client.post(
        reverse("admin:associations_statusevent_change", args=[event.pk]), {"action": "x"}
    )

    assert delete.status_code == 403
    assert change.status_code == 403
    assert StatusEvent.objects.filter(pk=event.pk).exists()


def test_reviewers_download_proof_documents_as_attachments(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    document = claim.request.proofs.get().documents.get()
    client.force_login(reviewer)

    response = client.get(reverse("admin:disputes_document", args=[document.pk]))

    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "page",
    [
        "admin:associations_associationrequest_changelist",
        "admin:associations_claim_changelist",
        "admin:associations_checkresult_changelist",
        "admin:associations_proof_changelist",
        "admin:associations_comment_changelist",
        "admin:associations_statusevent_changelist",
        "admin:disputes_arbitrationcase_changelist",
        "admin:disputes_informationrequest_changelist",
        "admin:disputes_dispute_changelist",
        "admin:partners_enrolmentevent_changelist",
    ],
)
def test_reviewers_can_list_every_record_of_the_flow(
    client, global_admin, reviewer, file_claim, page
):
    file_claim(global_admin)
    client.force_login(reviewer)

    assert client.get(reverse(page)).status_code == 200
    assert client.get(reverse(page), {"q": "1"}).status_code == 200


@pytest.mark.parametrize(
    "page",
    [
        "admin:associations_associationrequest_changelist",
        "admin:associations_claim_changelist",
        "admin:associations_checkresult_changelist",
        "admin:associations_proof_changelist",
        "admin:associations_comment_changelist",
        "admin:associations_statusevent_changelist",
        "admin:disputes_informationrequest_changelist",
        "admin:disputes_dispute_changelist",
    ],
)
def test_record_lists_run_the_same_queries_for_one_request_or_many(
    client, reviewer, file_claim, page
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partners.models import Role
    from tests.builders import make_organisation

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(page)).status_code == 200
        return len(captured)

    client.force_login(reviewer)
    client.get(reverse("admin:index"))  # a session's first page also checks its MFA, once
    file_claim(make_user(make_organisation("Records 0"), Role.GLOBAL_ADMIN))
    one_request = queries()
    for number in range(1, 5):
        file_claim(make_user(make_organisation(f"Records {number}"), Role.GLOBAL_ADMIN))

    assert queries() == one_request


def test_an_unfiltered_big_table_is_counted_by_estimate_a_filtered_one_exactly(
    client, global_admin, outsider, reviewer, file_claim, monkeypatch
):
    """COUNT(*) over millions of timeline rows would cost more than the rest of the page."""
    from django.db import connection

    from associations.admin import EstimatedCountPaginator

    file_claim(global_admin)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE associations_statusevent")
    estimate = StatusEvent.objects.count()
    file_claim(outsider)  # more events since the statistics were taken
    monkeypatch.setattr(EstimatedCountPaginator, "ESTIMATE_ABOVE", 0)
    client.force_login(reviewer)
    events = reverse("admin:associations_statusevent_changelist")

    unfiltered = client.get(events).context["cl"]
    filtered = client.get(events, {"action__exact": "claim.submitted"}).context["cl"]

    assert StatusEvent.objects.count() > estimate
    assert unfiltered.result_count == estimate
    assert filtered.result_count == StatusEvent.objects.filter(action="claim.submitted").count()


@pytest.mark.parametrize("claims", [1, 6])
def test_the_review_queue_runs_a_fixed_number_of_queries(
    client, reviewer, file_claim, claims, django_assert_num_queries
):
    from partners.models import Role
    from tests.builders import make_organisation

    for number in range(claims):
        file_claim(make_user(make_organisation(f"Queue {number}"), Role.GLOBAL_ADMIN))
    client.force_login(reviewer)
    client.get(reverse("admin:disputes_reviewclaim_changelist"))

    # session, user with membership, two permission look-ups, the count, the page of claims
    # with their request, organisation and product
    with django_assert_num_queries(6):
        client.get(reverse("admin:disputes_reviewclaim_changelist"))


def test_the_timeline_reads_as_labels_for_the_partner_and_the_reviewer(
    client, global_admin, reviewer, file_claim
):
    claim = file_claim(global_admin)
    client.force_login(global_admin)
    partner_page = client.get(reverse("request_detail", args=[claim.request.reference])).text
    client.force_login(reviewer)
    review_page = client.get(reverse("admin:disputes_review", args=[claim.pk])).text

    for page in (partner_page, review_page):
        assert "Submitted for checks" in page
        assert "Checks passed" in page
    assert "Validating → Under review" in review_page
