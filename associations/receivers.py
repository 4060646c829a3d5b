from django_q.tasks import async_task

from associations.models import AssociationRequest, ClaimStatus

RECHECK_BATCH = 5000  # subscriptions per task, so one task stays well inside the worker timeout
SETTLED = (ClaimStatus.ENDED, ClaimStatus.WITHDRAWN, ClaimStatus.REJECTED_FINAL)


def recheck_after_import(sender, subscriptions=None, **kwargs):
    """A directory import may have ended subscriptions: re-check, in the worker, the approved
    claims of the changed ones only (all approved claims when the import did not list them)."""
    if subscriptions is None:
        async_task("associations.tasks.recheck_approved_subscriptions", group="lifecycle")
        return
    rows = [(str(sub), str(tenant), product) for sub, tenant, product in subscriptions]
    for start in range(0, len(rows), RECHECK_BATCH):
        async_task(
            "associations.tasks.recheck_changed_subscriptions",
            rows[start : start + RECHECK_BATCH],
            group="lifecycle",
        )


def domains_in_use(sender, names, **kwargs) -> set[str]:
    """Domains named by a request with a claim still in play: moving one to another tenant
    would change what its checks and reviewers read."""
    in_play = [status for status in ClaimStatus if status not in SETTLED]
    return set(
        AssociationRequest.objects.filter(domain__in=names, claims__status__in=in_play)
        .values_list("domain", flat=True)
        .distinct()
    )
