"""The worker's entry points: retries, the sweep that loses nothing, provisioning re-checks."""

from datetime import timedelta

from django.utils import timezone
from django_q.models import Schedule

from associations import tasks
from associations.models import ClaimStatus, StatusEvent
from tests.builders import make_mpn, make_request, make_subscription
from validation.checks import DatabaseDirectory, DirectoryUnavailable


def _draft(user, tenant, sales, subscription):
    return make_request(
        user.membership.organisation,
        user,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
        mpn=make_mpn(user.membership.organisation),
        submit=False,
    )


def _submit(request, user, django_capture_on_commit_callbacks, *, execute: bool):
    from associations.services import _submit

    with django_capture_on_commit_callbacks(execute=execute):
        _submit(request, request.claims.all(), actor=user, now=timezone.now())


def test_a_directory_outage_keeps_the_request_validating_and_retries_with_back_off(
    global_admin, tenant, sales, monkeypatch, django_capture_on_commit_callbacks
):
    request = _draft(global_admin, tenant, sales, make_subscription(tenant, sales))
    _submit(request, global_admin, django_capture_on_commit_callbacks, execute=False)

    def unavailable(self, tenant_id):
        raise DirectoryUnavailable

    monkeypatch.setattr(DatabaseDirectory, "tenant_exists", unavailable)
    assert tasks.validate_request(request.pk) == "retry_scheduled"
    assert tasks.validate_request(request.pk, attempt=2) == "retry_scheduled"

    assert request.claims.get().status == ClaimStatus.VALIDATING
    retries = Schedule.objects.filter(func="associations.tasks.validate_request").order_by("pk")
    assert [s.args for s in retries] == [f"({request.pk}, 2)", f"({request.pk}, 3)"]
    delays = [(s.next_run - timezone.now()).total_seconds() for s in retries]
    assert 0 < delays[0] <= 5 < delays[1] <= 10
    assert tasks.validate_request(request.pk, attempt=tasks.MAX_ATTEMPTS) == "gave_up"

    monkeypatch.undo()
    assert tasks.validate_request(request.pk, attempt=3) == "done"
    assert request.claims.get().status == ClaimStatus.UNDER_REVIEW


def test_the_sweep_requeues_requests_left_validating(
    global_admin, tenant, sales, django_capture_on_commit_callbacks
):
    request = _draft(global_admin, tenant, sales, make_subscription(tenant, sales))
    _submit(request, global_admin, django_capture_on_commit_callbacks, execute=False)
    request.claims.update(status_changed_at=timezone.now() - timedelta(hours=1))

    assert tasks.requeue_stale_validations() == 1  # sync mode: validated at once

    assert request.claims.get().status == ClaimStatus.UNDER_REVIEW
    assert tasks.requeue_stale_validations() == 0


def test_the_sweep_leaves_fresh_validations_to_their_task(
    global_admin, tenant, sales, django_capture_on_commit_callbacks
):
    request = _draft(global_admin, tenant, sales, make_subscription(tenant, sales))
    _submit(request, global_admin, django_capture_on_commit_callbacks, execute=False)

    assert tasks.requeue_stale_validations() == 0
    assert request.claims.get().status == ClaimStatus.VALIDATING


def test_an_unprovisioned_subscription_is_rechecked_until_it_appears(
    global_admin, tenant, sales, django_capture_on_commit_callbacks
):
    subscription = make_subscription(tenant, sales, provisioned=False)
    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
    )
    claim = request.claims.get()
    assert claim.status == ClaimStatus.ACTION_NEEDED

    assert tasks.recheck_unprovisioned() == 0
    assert StatusEvent.objects.filter(claim=claim).count() == 2  # no churn while waiting

    subscription.provisioned = True
    subscription.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.recheck_unprovisioned() == 1

    claim.refresh_from_db()
    assert claim.status == ClaimStatus.UNDER_REVIEW
    assert "claim.provisioning_rechecked" in StatusEvent.objects.filter(claim=claim).values_list(
        "action", flat=True
    )


def test_the_provisioning_recheck_stops_after_seven_days(global_admin, tenant, sales):
    subscription = make_subscription(tenant, sales, provisioned=False)
    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
    )
    request.claims.update(status_changed_at=timezone.now() - timedelta(days=8))
    subscription.provisioned = True
    subscription.save()

    assert tasks.recheck_unprovisioned() == 0
    assert request.claims.get().status == ClaimStatus.ACTION_NEEDED


def test_a_claim_with_other_failures_is_not_rechecked(global_admin, tenant, sales):
    subscription = make_subscription(tenant, sales, provisioned=False, state="expired")
    request = make_request(
        global_admin.membership.organisation,
        global_admin,
        tenant=tenant,
        products=[(sales, str(subscription.pk))],
    )
    subscription.provisioned = True
    subscription.save()

    assert tasks.recheck_unprovisioned() == 0
    assert request.claims.get().status == ClaimStatus.ACTION_NEEDED


def test_the_schedules_exist_after_migrate(db):
    assert set(Schedule.objects.values_list("func", "schedule_type")) >= {
        ("associations.tasks.requeue_stale_validations", "I"),
        ("associations.tasks.recheck_unprovisioned", "D"),
    }
