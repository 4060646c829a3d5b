"""Every error of the API as RFC 9457 problem details (`application/problem+json`).

`type` is stable per error (clients branch on it): `urn:cpor:problem:<code>`, where a refused
transition's code is the domain error's own (associations/errors.py, associations/policy.py),
so the API and the pages refuse in the same words.
"""

from django.core.exceptions import BadRequest
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


def problem_type(code: str) -> str:
    return f"urn:cpor:problem:{code}"


class FormInvalid(exceptions.APIException):
    """A form of the pages refused the input: its field errors, keyed by field name."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: dict):
        super().__init__(_("The input is not valid; see the errors of each field."))
        self.errors = errors


def field_error(field: str, message: str, code: str = "invalid") -> FormInvalid:
    """One field's error, for input that no form of the pages reads."""
    return FormInvalid({field: [{"message": message, "code": code}]})


def form_errors(form) -> dict:
    """A form's (or a formset's) errors as {field: [{"message", "code"}]}."""
    return {name: list(errors) for name, errors in form.errors.get_json_data().items()}


def plain_problem(status_code: int, kind: str, title: str, detail: str = "") -> JsonResponse:
    """A problem answered outside DRF's views: a URL no API view matches, or refused before
    any view runs."""
    body = {"type": problem_type(kind), "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    return JsonResponse(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def is_api(request) -> bool:
    return request.path_info.startswith("/api/v1/")


@csrf_exempt  # answers 404 to every method; nothing to protect
def not_found(request, path=""):
    return plain_problem(status.HTTP_404_NOT_FOUND, "not-found", _("Not found"))


def problem(status_code: int, kind: str, title: str, detail: str = "", **extra) -> Response:
    body = {"type": problem_type(kind), "title": title, "status": status_code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


# The DRF errors' stable codes and titles, by class.
_TITLES = (
    (exceptions.NotAuthenticated, "unauthenticated", gettext_lazy("Authentication needed")),
    (exceptions.AuthenticationFailed, "unauthenticated", gettext_lazy("Authentication needed")),
    (exceptions.PermissionDenied, "forbidden", gettext_lazy("Not allowed")),
    (exceptions.NotFound, "not-found", gettext_lazy("Not found")),
    (exceptions.MethodNotAllowed, "method-not-allowed", gettext_lazy("Method not allowed")),
    (exceptions.NotAcceptable, "not-acceptable", gettext_lazy("Not acceptable")),
    (
        exceptions.UnsupportedMediaType,
        "unsupported-media-type",
        gettext_lazy("Unsupported media type"),
    ),
    (exceptions.Throttled, "rate-limited", gettext_lazy("Too many requests")),
    (exceptions.ParseError, "malformed-request", gettext_lazy("Malformed request")),
    (exceptions.ValidationError, "invalid", gettext_lazy("Invalid input")),
    (FormInvalid, "invalid", gettext_lazy("Invalid input")),
)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return problem(
            status.HTTP_409_CONFLICT,
            exc.code,
            _("The action is refused"),
            str(exc.message),
            code=exc.code,
        )
    if isinstance(exc, BadRequest):
        exc = exceptions.ParseError(str(exc))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    code, title = next(
        ((code, str(title)) for cls, code, title in _TITLES if isinstance(exc, cls)),
        ("error", _("Error")),
    )
    extra = {}
    if isinstance(exc, FormInvalid):
        extra["errors"] = exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        extra["errors"] = exc.get_full_details()
    detail = "" if isinstance(exc, exceptions.ValidationError) else str(exc.detail)
    answer = problem(response.status_code, code, title, detail, **extra)
    for name, value in response.headers.items():
        if name in ("Retry-After", "WWW-Authenticate", "Allow"):
            answer[name] = value
    return answer
