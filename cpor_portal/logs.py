"""Log filters that keep an ordinary refusal, and an outage, to one line per request."""

import http.client
import logging


class OneLineRefusals(logging.Filter):
    """django.request: a 4xx is an ordinary answer (another organisation's object, an action
    the role may not take), not a fault, so it keeps its line ("Forbidden (Permission denied):
    /associations/...") without the traceback Django attaches when an Http404 or
    PermissionDenied was raised. A 503 (the database unreachable, every request while it
    lasts) keeps one line too, naming the error instead of its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if not record.exc_info or status is None:
            return True
        if status == http.client.SERVICE_UNAVAILABLE:
            error = record.exc_info[1]
            first_line = next(iter(str(error).strip().splitlines()), "")
            record.msg = f"{record.getMessage()} ({type(error).__name__}: {first_line})"
            record.args = None
        elif status >= http.client.INTERNAL_SERVER_ERROR:
            return True
        record.exc_info = None
        record.exc_text = None
        return True


class WithoutRefusals(logging.Filter):
    """django.server (runserver's request lines): a 4xx has been logged by django.request
    already, with its reason, so its request line would only say it twice."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", 0)
        return not http.client.BAD_REQUEST <= status < http.client.INTERNAL_SERVER_ERROR
