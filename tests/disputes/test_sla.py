"""The reviewers' SLA dashboard: the backlog by business days waited, the decisions per week and
per reviewer on time or late, the queue's first items, the cases waiting on an owner; its CSV,
its permissions, its bad input and its fixed number of queries."""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import Claim, ClaimStatus, Reason, StatusEvent
from core.deadlines import subtract_business_days
from disputes import services
from disputes.roles import ensure_reviewers_group
from disputes.sla import Period, service_levels
from tests.builders import (
    enable_totp,
    make_mpn,
    make_request,
    make_subscription,
    make_user,
    set_status,
)

PAGE = reverse("review_sla")
EXPORT = reverse("review_sla_export")


@pytest.fixture
def under_review(organisation, global_admin, tenant, sales):
    mpn = make_mpn(organisation)

    def claims(count: int, *, now=None) -> list[Claim]:
        return [
            make_request(
                organisation,
                global_admin,
                tenant=tenant,
                products=[(sales, str(make_subscription(tenant, sales).pk))],
                mpn=mpn,
                now=now,
            ).claims.get()
            for _ in range(count)
        ]

    return claims


def _aged(claim: Claim, business_days: int, now: datetime) -> None:
    Claim.objects.filter(pk=claim.pk).update(
        status_changed_at=subtract_business_days(now, business_days) - timedelta(minutes=1)
    )


def _week_of(moment: datetime) -> date:
    day = timezone.localdate(moment)
    return day - timedelta(days=day.weekday())


def test_the_backlog_counts_claims_by_status_and_business_days_waited(under_review):
    now = timezone.now()
    _fresh, two, five, ten = under_review(4)
    for claim, age in ((two, 2), (five, 5), (ten, 12)):
        _aged(claim, age, now)
    set_status(five, ClaimStatus.DISPUTED)
    done = under_review(1)[0]
    set_status(done, ClaimStatus.APPROVED)  # out of the queue: not counted

    backlog = service_levels(Period.default(timezone.localdate()), now=now).backlog

    statuses = [status for status, _label in backlog.statuses]
    by_bucket = [dict(zip(statuses, counts, strict=True)) for _label, counts, _t in backlog.rows]
    assert [total for _label, _counts, total in backlog.rows] == [1, 1, 1, 1]
    assert by_bucket[0][ClaimStatus.UNDER_REVIEW] == 1
    assert by_bucket[2][ClaimStatus.DISPUTED] == 1
    assert by_bucket[3][ClaimStatus.UNDER_REVIEW] == 1
    assert backlog.total == 4


def test_decisions_record_their_deadline_and_count_on_time_or_late(under_review, reviewer):
    filed = timezone.now() - timedelta(days=20)
    early, late, asked = under_review(3, now=filed)
    services.claim_approve(actor=reviewer, claim=early, now=early.due_at - timedelta(hours=1))
    late_at = late.due_at + timedelta(days=1)
    services.claim_reject(actor=reviewer, claim=late, reason=Reason.INSUFFICIENT_PROOF, now=late_at)
    services.claim_request_information(
        actor=reviewer,
        claim=asked,
        reason=Reason.NO_SIGNATURE,
        question="Please send the signed proof.",
        now=asked.due_at - timedelta(hours=2),
    )

    decision = StatusEvent.objects.get(claim=late, action="claim.rejected")
    assert decision.due_at == late.due_at  # the deadline in force, though the claim's is cleared
    period = Period(timezone.localdate(filed), timezone.localdate(late_at))
    service = service_levels(period)

    assert (service.decided.decided, service.decided.on_time, service.decided.late) == (3, 2, 1)
    assert service.decided.on_time_share == 67
    [tally] = service.reviewers
    assert (tally.label, tally.decided, tally.on_time, tally.late) == ("reviewer", 3, 2, 1)
    weeks = {week.label: week for week in service.weeks}
    assert weeks[_week_of(late_at)].late == 1
    assert sum(week.decided for week in service.weeks) == 3
    assert service.weeks[0].label <= period.first < service.weeks[0].label + timedelta(weeks=1)


def test_decisions_outside_the_period_and_other_events_are_not_counted(under_review, reviewer):
    filed = timezone.now() - timedelta(weeks=14)
    old, withdrawn = under_review(2, now=filed)
    services.claim_approve(actor=reviewer, claim=old, now=filed + timedelta(hours=1))
    set_status(withdrawn, ClaimStatus.WITHDRAWN)

    service = service_levels(Period.default(timezone.localdate()))

    assert service.decided.decided == 0
    assert service.reviewers == []
    assert len(service.weeks) in (12, 13)  # every week of the period, empty ones too
    assert service.decided.on_time_share is None


def test_the_queue_first_items_and_the_cases_waiting_on_an_owner(
    client, reviewer, under_review, file_claim, outsider, global_admin
):
    soon, later = under_review(2)
    Claim.objects.filter(pk=soon.pk).update(due_at=timezone.now() - timedelta(days=1))
    owner = file_claim(global_admin)
    services.claim_approve(actor=reviewer, claim=owner)
    challenger = file_claim(outsider)
    case = challenger.cases.get()
    services.case_mark_working_with_owner(actor=reviewer, case=case)

    client.force_login(reviewer)
    page = client.get(PAGE)

    assert page.status_code == 200
    text = page.content.decode()
    assert text.index(f'data-claim="{soon.pk}"') < text.index(f'data-claim="{later.pk}"')
    assert f'data-case="{case.pk}"' in text
    assert "1 case waiting on the current owner" in text
    assert 'data-chart="backlog"' in text


def test_the_page_shows_a_reviewers_decisions_in_the_chosen_period(client, reviewer, under_review):
    claim = under_review(1)[0]
    services.claim_approve(actor=reviewer, claim=claim)
    client.force_login(reviewer)

    page = client.get(PAGE, {"date_from": "2026-01-01", "date_to": timezone.localdate()})

    assert page.status_code == 200
    assert b'data-reviewer="reviewer"' in page.content
    assert b'data-total-decided="1"' in page.content
    assert b"100 % of those with a deadline on time" in page.content


def test_the_csv_export_carries_the_tables_and_neutralises_formulas(client, under_review):
    evil = make_user(None, username="=cmd", is_staff=True)
    evil.groups.add(ensure_reviewers_group())
    enable_totp(evil)
    claim = under_review(1)[0]
    services.claim_approve(actor=evil, claim=claim)
    client.force_login(evil)

    response = client.get(EXPORT)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["section", "label", "measure", "value"]
    assert ["reviewer", "'=cmd", "decided", "1"] in rows
    assert ["backlog", "under 2 business days", "total", "0"] in rows
    assert sum(1 for row in rows if row[0] == "week" and row[2] == "decided") >= 12


@pytest.mark.parametrize("url", [PAGE, EXPORT])
def test_only_reviewers_see_the_dashboard(client, url, global_admin):
    client.force_login(global_admin)
    assert client.get(url).status_code == 302  # a partner: the admin's sign-in

    staff = make_user(None, username="helpdesk", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_claim"))
    enable_totp(staff)
    client.force_login(staff)
    assert client.get(url).status_code == 403

    client.logout()
    assert client.get(url).status_code == 302


def test_the_navigation_links_the_dashboard_for_reviewers_only(client, reviewer):
    client.force_login(reviewer)
    assert PAGE.encode() in client.get(reverse("admin:index")).content

    staff = make_user(None, username="helpdesk", is_staff=True)
    enable_totp(staff)
    client.force_login(staff)
    assert PAGE.encode() not in client.get(reverse("admin:index")).content


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "yesterday"}, b"Enter a valid date."),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, b"The first day comes after"),
        ({"date_to": "9" * 5000}, b"Enter a valid date."),
        ({"date_from": "99999-01-01"}, b"Enter a valid date."),
        ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, b"Choose days from"),
        ({"date_from": "2001-01-01"}, b"at most three years"),
        ({"date_from": "9999-12-25", "date_to": "9999-12-31"}, b"until three years from today"),
        ({"date_from": "0001-01-01", "date_to": "0001-01-07"}, b"Choose days from"),
    ],
)
def test_a_bad_period_is_explained_and_the_default_shown(client, reviewer, query, message):
    client.force_login(reviewer)

    page = client.get(PAGE, query)

    assert page.status_code == 200
    assert message in page.content
    assert client.get(EXPORT, query).status_code == 200


def test_a_nul_byte_in_the_period_is_a_bad_request(client, reviewer):
    client.force_login(reviewer)
    assert client.get(PAGE, {"date_from": "2026-01-01\x00"}).status_code == 400


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, reviewer, under_review, django_assert_num_queries
):
    client.force_login(reviewer)
    client.get(PAGE)  # the session and the user's permissions, cached from here on
    with CaptureQueriesContext(connection) as small:
        client.get(PAGE)
    claims = under_review(6)
    for claim in claims[:3]:
        services.claim_approve(actor=reviewer, claim=claim)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(PAGE)
