from django_q.tasks import async_task


def recheck_after_import(sender, **kwargs):
    """A directory import may have ended subscriptions: re-check approved claims in the worker."""
    async_task("associations.tasks.recheck_approved_subscriptions", group="lifecycle")
