"""Mail leaves after the change that causes it commits, each message on its own.

A mail that fails (the SMTP server is down or refuses an address) must neither undo the change
nor keep the change's other mails from leaving, so each is its own robust on_commit callback.
A failed one is tried again later through a one-off django-q2 schedule: a database row, which
the cluster runs whatever its broker (a task handed to Redis is never handed out twice, and
Redis may be the part that is down). Subjects are cut to one clean line here, whatever text they
were built from: a line break in a header refuses the mail.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import schedule

from core.text import clean_line

logger = logging.getLogger(__name__)

SUBJECT_LENGTH = 150
ATTEMPTS = 6  # the first try, then after 1, 2, 4, 8 and 16 minutes: half an hour in all


def mail_after_commit(subject: str, body: str, recipient: str) -> None:
    safe_subject = clean_line(subject, limit=SUBJECT_LENGTH)
    # A lambda, not a functools.partial: Django logs a robust callback's failure by __qualname__.
    transaction.on_commit(lambda: deliver(safe_subject, body, recipient), robust=True)


def deliver(subject: str, body: str, recipient: str, attempt: int = 1) -> None:
    """Send one mail; if it fails, schedule the next attempt, with back-off."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    except OSError:  # smtplib's errors, a refused connection, a timeout
        if attempt >= ATTEMPTS:
            logger.error("Mail to %s failed %d times; given up", recipient, attempt, exc_info=True)
            return
        delay = timedelta(minutes=2 ** (attempt - 1))
        logger.warning("Mail to %s failed; tried again in %s", recipient, delay, exc_info=True)
        schedule(
            "core.mail.deliver",
            subject,
            body,
            recipient,
            attempt + 1,
            schedule_type=Schedule.ONCE,
            next_run=timezone.now() + delay,
        )
