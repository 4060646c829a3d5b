"""Mail leaves after the change that causes it commits, each message on its own.

A mail that fails (the SMTP server is down or refuses an address) must neither undo the change
nor keep the change's other mails from leaving, so each is its own robust on_commit callback;
a failed one is handed to the worker, which retries it (django-q2 re-delivers a failed task
after Q_CLUSTER["retry"] seconds, up to "max_attempts" times). Subjects are cut to one clean
line here, whatever text they were built from: a line break in a header refuses the mail.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django_q.tasks import async_task

from core.text import clean_line

logger = logging.getLogger(__name__)

SUBJECT_LENGTH = 150


def mail_after_commit(subject: str, body: str, recipient: str) -> None:
    safe_subject = clean_line(subject, limit=SUBJECT_LENGTH)
    # A lambda, not a functools.partial: Django logs a robust callback's failure by __qualname__.
    transaction.on_commit(lambda: _send_or_retry(safe_subject, body, recipient), robust=True)


def deliver(subject: str, body: str, recipient: str) -> None:
    """The worker's task: it raises when the mail fails, so django-q2 tries again."""
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])


def _send_or_retry(subject: str, body: str, recipient: str) -> None:
    try:
        deliver(subject, body, recipient)
    except OSError:  # smtplib's errors and refused connections
        logger.warning("Mail to %s failed; the worker retries it", recipient, exc_info=True)
        async_task("core.mail.deliver", subject, body, recipient, group="mail")
