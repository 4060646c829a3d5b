"""django-q2 entry points: they take ids and call a service."""

from webhooks.services import deliveries_sweep, endpoint_deliver


def deliver_endpoint(endpoint_id: int) -> int:
    return endpoint_deliver(endpoint_id=endpoint_id)


def deliver_due() -> int:
    """The minutely schedule: retries that have come due."""
    return deliveries_sweep()
