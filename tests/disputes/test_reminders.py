"""Reminders: an information request 5 and then 1 business day before it is due, a rejection 5
days before its dispute window closes; once each, and only while the partner can still act.

February 2027 has no Czech public holiday, so only weekends are skipped.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse
from django_q.models import Schedule

from associations.choices import Event
from associations.models import ClaimStatus, Comment, Reason, StatusEvent
from disputes import services, tasks
from tests.builders import set_status
from tests.threads import race

PRAGUE = ZoneInfo("Europe/Prague")


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2027, month, day, hour, minute, tzinfo=PRAGUE)


# Asked on Tuesday 2 February at 10:00, the answer is due 14 business days later: on Monday
# 22 February at 10:00. Its reminders are due on Monday 15 and Friday 19 February at 10:00.
ASKED = at(2, 10)
# Rejected on Monday 1 February at 10:00: the dispute window closes on 3 March at 10:00, and
# its reminder is due 5 days before, on Friday 26 February at 10:00.
REJECTED = at(1, 10)


@pytest.fixture
def question(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin, now=at(1, 9))
    return services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_SIGNATURE, question="Signed?", now=ASKED
    )


@pytest.fixture
def rejected(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin, now=at(1, 9))
    return services.claim_reject(
        actor=reviewer, claim=claim, reason=Reason.INSUFFICIENT_PROOF, now=REJECTED
    )


@pytest.fixture
def sweep(django_capture_on_commit_callbacks):
    """Run the hourly sweep at `now`, mail leaving as after commit; the number it sent."""

    def run(now: datetime) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return tasks.remind_partners(now=now)

    return run


def reminders(claim, action: Event = Event.CLAIM_INFORMATION_REMINDER) -> list[int]:
    """The days each reminder of the claim named, oldest first."""
    events = StatusEvent.objects.filter(claim=claim, action=action).order_by("created_at")
    return [event.payload["days"] for event in events]


def test_a_question_is_reminded_five_and_then_one_business_day_before_it_is_due_once_each(
    global_admin, question, sweep
):
    claim = question.claim
    assert sweep(at(15, 9, 30)) == 0

    assert sweep(at(15, 10, 30)) == 1

    (message,) = mail.outbox
    assert message.to == [global_admin.email]
    assert message.subject.startswith(claim.request.reference)
    answer_url = reverse("information_answer", args=[claim.request.reference, claim.pk])
    for text in (claim.request.reference, "within 5 business days", "22 Feb 2027", answer_url):
        assert text in message.body
    comment = claim.request.comments.filter(kind=Comment.Kind.SYSTEM).last()
    assert comment.body == message.body
    assert sweep(at(15, 11, 30)) == sweep(at(19, 9, 30)) == 0

    assert sweep(at(19, 10, 30)) == 1

    assert "within 1 business day, by 22 Feb 2027" in mail.outbox[-1].body
    assert sweep(at(19, 11, 30)) == sweep(at(21, 12)) == 0
    assert reminders(claim) == [5, 1]
    assert len(mail.outbox) == 2


def test_a_weekend_leaves_as_many_business_days_as_the_friday_before(question, sweep):
    # Saturday 13 February, 9 calendar days before the due date: 6 business days are left.
    assert sweep(at(13, 12)) == sweep(at(14, 23)) == 0

    # Saturday 20 February, first seen then: 1 business day is left, as on Friday.
    assert sweep(at(20, 12)) == 1

    assert reminders(question.claim) == [1]  # never the 5-day one once the 1-day one is due
    assert sweep(at(20, 13)) == sweep(at(22, 9)) == 0


def test_a_sweep_that_first_sees_a_question_late_still_sends_the_five_day_reminder(question, sweep):
    assert sweep(at(17, 12)) == 1  # 3 business days left

    assert sweep(at(19, 10, 30)) == 1
    assert reminders(question.claim) == [5, 1]


def test_a_reminded_question_costs_the_next_sweeps_only_their_two_selections(
    question, sweep, django_assert_num_queries
):
    assert sweep(at(15, 10, 30)) == 1

    with django_assert_num_queries(2):
        assert sweep(at(15, 11, 30)) == 0


def test_an_answered_question_is_not_reminded(global_admin, question, sweep):
    services.information_answer(
        actor=global_admin, claim=question.claim, answer="Signed", uploads=[], now=at(10, 9)
    )

    assert sweep(at(15, 10, 30)) == sweep(at(19, 10, 30)) == 0
    assert mail.outbox == []


def test_a_claim_that_moved_on_is_not_reminded_of_its_question(question, sweep):
    set_status(question.claim, ClaimStatus.WITHDRAWN)

    assert sweep(at(19, 10, 30)) == 0
    assert services.information_request_remind(info=question, now=at(19, 10, 30)) is False


def test_a_question_past_its_due_date_is_left_to_the_expiry(question, sweep):
    assert sweep(at(22, 10, 30)) == 0
    assert reminders(question.claim) == []


def test_a_new_question_is_reminded_anew(global_admin, reviewer, question, sweep):
    assert sweep(at(19, 10, 30)) == 1
    claim = question.claim
    services.information_answer(
        actor=global_admin, claim=claim, answer="Signed", uploads=[], now=at(19, 11)
    )
    # Asked again on Monday 22 February: due on Friday 12 March, reminded from 5 March.
    services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.OLD_DATES, question="Dates?", now=at(22, 10)
    )

    assert sweep(at(5, 9, 30, month=3)) == 0
    assert sweep(at(5, 10, 30, month=3)) == 1
    assert reminders(claim) == [1, 5]


def test_the_reminder_is_written_in_the_authors_language(global_admin, question, sweep):
    global_admin.membership.language = "cs"
    global_admin.membership.save(update_fields=["language"])

    assert sweep(at(15, 10, 30)) == 1

    assert "22. 2. 2027" in mail.outbox[0].body
    assert "22. 2. 2027" in question.claim.request.comments.last().body


def test_a_rejection_is_reminded_once_five_days_before_its_dispute_window_closes(
    global_admin, rejected, sweep
):
    assert sweep(at(26, 9, 30)) == 0

    assert sweep(at(26, 10, 30)) == 1

    (message,) = mail.outbox
    assert message.to == [global_admin.email]
    dispute_url = reverse("claim_dispute", args=[rejected.request.reference, rejected.pk])
    for text in (rejected.request.reference, "within 5 days, on 3 Mar 2027", dispute_url):
        assert text in message.body
    assert rejected.request.comments.last().body == message.body
    assert sweep(at(26, 11, 30)) == sweep(at(3, 9, month=3)) == 0
    assert reminders(rejected, Event.CLAIM_DISPUTE_REMINDER) == [5]


def test_a_rejection_first_seen_after_its_window_closed_is_not_reminded(rejected, sweep):
    assert sweep(at(3, 10, 30, month=3)) == 0
    assert mail.outbox == []


def test_a_disputed_rejection_is_not_reminded_even_when_rejected_again(
    global_admin, rejected, sweep
):
    services.claim_dispute(
        actor=global_admin, claim=rejected, statement="Signed now", uploads=[], now=at(2, 9)
    )
    assert sweep(at(26, 10, 30)) == 0

    # Approved on dispute, then declined by the customer: rejected again, never disputable.
    set_status(rejected, ClaimStatus.REJECTED)

    assert sweep(at(27, 10, 30)) == 0
    assert services.claim_remind_dispute(claim=rejected, now=at(27, 10, 30)) is False
    assert mail.outbox == []


def test_the_reminder_schedule_exists_after_migrate(db):
    assert Schedule.objects.filter(
        func="disputes.tasks.remind_partners", schedule_type="H"
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_one_reminder(global_admin, reviewer, file_claim):
    claim = file_claim(global_admin, now=at(1, 9))
    services.claim_request_information(
        actor=reviewer, claim=claim, reason=Reason.NO_SIGNATURE, question="Signed?", now=ASKED
    )
    outbox = len(mail.outbox)

    results = race([lambda: tasks.remind_partners(now=at(15, 10, 30))] * 2)

    assert sorted(results) == [0, 1]
    assert reminders(claim) == [5]
    assert len(mail.outbox) == outbox + 1
