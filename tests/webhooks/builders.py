from webhooks.models import EventType
from webhooks.services import endpoint_create


def make_endpoint(organisation, actor, url="https://hooks.partner.example/cpor", types=None):
    return endpoint_create(
        actor=actor,
        organisation=organisation,
        url=url,
        event_types=types or list(EventType.values),
    )
