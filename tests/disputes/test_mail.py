"""Mail after commit: one clean subject line, each message on its own, failures retried later
through the cluster's scheduler, and the customer's decline link never held back by the
partner's mail."""

import smtplib
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.urls import reverse
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule
from django_q.scheduler import scheduler

from associations.models import ClaimStatus
from core.mail import ATTEMPTS
from disputes import services


class RefusingBackend(EmailBackend):
    """The SMTP server refuses the next `refusals[address]` messages to an address."""

    refusals: Counter = Counter()

    def send_messages(self, messages):
        for message in messages:
            address = message.to[0]
            if self.refusals[address]:
                self.refusals[address] -= 1
                raise smtplib.SMTPRecipientsRefused({address: (450, b"mailbox busy")})
        return super().send_messages(messages)


@pytest.fixture
def refusals(settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    RefusingBackend.refusals = Counter()
    return RefusingBackend.refusals


@pytest.fixture
def crafted_claim(global_admin, file_claim):
    """A name with a header in it, as a crafted POST left it before names were cleaned."""
    claim = file_claim(global_admin)
    claim.request.claim_name = "Contoso\r\nBcc: everyone@example.com"
    claim.request.save(update_fields=["claim_name"])
    return claim


def test_a_line_break_in_the_name_neither_fails_the_approval_nor_holds_a_mail_back(
    client, reviewer, crafted_claim, django_capture_on_commit_callbacks
):
    client.force_login(reviewer)
    url = reverse("admin:disputes_review", args=[crafted_claim.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "approve", "approve-note": "Complete"})

    assert response.status_code == 302
    crafted_claim.refresh_from_db()
    assert crafted_claim.status == ClaimStatus.APPROVED
    customer, partner = mail.outbox  # the customer's first
    assert customer.to == [crafted_claim.request.customer_contact_email]
    assert "/consent/" in customer.body
    reference = crafted_claim.request.reference
    assert partner.subject == f"{reference}: Contoso Bcc: everyone@example.com"
    assert partner.bcc == []


def _run_due_retries() -> None:
    """The cluster's scheduler, as if each retry's time had come (the test settings run the
    tasks it starts synchronously)."""
    Schedule.objects.filter(func="core.mail.deliver").update(next_run=timezone.now())
    scheduler(broker=get_broker())


def test_a_refused_mail_is_retried_later_and_holds_no_other_mail_back(
    refusals, reviewer, crafted_claim, django_capture_on_commit_callbacks, caplog
):
    customer = crafted_claim.request.customer_contact_email
    refusals[customer] = 1

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(actor=reviewer, claim=crafted_claim)

    assert [message.to[0] for message in mail.outbox] == [crafted_claim.request.author.email]
    assert f"Mail to {customer} failed; tried again in 0:01:00" in caplog.text
    retry = Schedule.objects.get(func="core.mail.deliver")
    assert retry.schedule_type == Schedule.ONCE
    assert timezone.now() + timedelta(seconds=50) < retry.next_run
    assert retry.next_run <= timezone.now() + timedelta(minutes=1)

    _run_due_retries()

    assert [message.to[0] for message in mail.outbox][-1] == customer
    assert "/consent/" in mail.outbox[-1].body
    assert not Schedule.objects.filter(func="core.mail.deliver").exists()


def test_a_mail_that_keeps_failing_is_given_up_after_its_attempts_and_the_decision_stays(
    refusals, reviewer, crafted_claim, django_capture_on_commit_callbacks, caplog
):
    customer = crafted_claim.request.customer_contact_email
    refusals[customer] = ATTEMPTS

    with django_capture_on_commit_callbacks(execute=True):
        services.claim_approve(actor=reviewer, claim=crafted_claim)
    for _ in range(ATTEMPTS - 1):
        _run_due_retries()

    crafted_claim.refresh_from_db()
    assert crafted_claim.status == ClaimStatus.APPROVED
    assert [message.to[0] for message in mail.outbox] == [crafted_claim.request.author.email]
    assert f"Mail to {customer} failed {ATTEMPTS} times; given up" in caplog.text
    assert not Schedule.objects.filter(func="core.mail.deliver").exists()
