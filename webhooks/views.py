"""/webhooks/: a Global admin's endpoints, their secrets (shown once) and deliveries."""

from functools import wraps

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partners.access import cpor_member_required
from webhooks import selectors, services
from webhooks.errors import WebhookError
from webhooks.forms import EndpointForm


def _admin(view):
    """A member's page for the Global admin only: other roles get 403."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        selectors.require_global_admin(request.membership)
        return view(request, *args, **kwargs)

    return cpor_member_required(wrapped)


@_admin
@require_GET
def endpoint_list(request):
    return render(
        request,
        "webhooks/endpoint_list.html",
        {"endpoints": selectors.endpoints_for(request.membership)},
    )


@never_cache  # the one answer that carries the secret
@_admin
@require_http_methods(["GET", "POST"])
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(
                actor=request.user,
                organisation=request.membership.organisation,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
            )
        except WebhookError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "webhooks/endpoint_created.html", {"endpoint": endpoint})
    return render(request, "webhooks/endpoint_form.html", {"form": form})


@_admin
@require_GET
def endpoint_detail(request, pk: int):
    endpoint = selectors.endpoint_get_for_user(request.membership, pk)
    before = request.GET.get("before")
    if before is not None and not (before.isascii() and before.isdigit() and len(before) < 19):
        return HttpResponseBadRequest(_("The page asked for is not valid."))
    deliveries, next_before = selectors.recent_deliveries(
        endpoint, before=int(before) if before else None
    )
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "deliveries": deliveries, "next_before": next_before},
    )


@_admin
@require_http_methods(["GET", "POST"])
def endpoint_delete(request, pk: int):
    endpoint = selectors.endpoint_get_for_user(request.membership, pk)
    if request.method == "POST":
        services.endpoint_delete(actor=request.user, endpoint=endpoint)
        messages.success(request, _("The endpoint %(url)s is deleted.") % {"url": endpoint.url})
        return redirect("webhook_list")
    return render(request, "webhooks/endpoint_delete.html", {"endpoint": endpoint})


@_admin
@require_POST
def endpoint_enable(request, pk: int):
    endpoint = selectors.endpoint_get_for_user(request.membership, pk)
    try:
        services.endpoint_enable(actor=request.user, endpoint=endpoint)
    except WebhookError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The endpoint is enabled again."))
    return redirect("webhook_detail", pk=endpoint.pk)


@_admin
@require_POST
def delivery_resend(request, pk: int, delivery_pk: int):
    delivery = selectors.delivery_get_for_user(request.membership, pk, delivery_pk)
    try:
        services.delivery_resend(actor=request.user, delivery=delivery)
    except WebhookError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The delivery is queued to be sent again."))
    return redirect("webhook_detail", pk=pk)
