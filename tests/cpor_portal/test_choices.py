"""The |display filter: the label `get_<field>_display()` gives, in the active language."""

from django.template import Context, Template
from django.utils import translation

from associations.models import Claim, ClaimStatus, StatusEvent

TEMPLATE = Template('{% load choices %}{{ obj|display:"status" }}')


def render(obj) -> str:
    return TEMPLATE.render(Context({"obj": obj}))


def test_it_shows_the_label_get_display_shows():
    claim = Claim(status=ClaimStatus.IN_ARBITRATION)

    assert render(claim) == claim.get_status_display() == "In arbitration"


def test_it_follows_the_active_language_from_one_render_to_the_next():
    """The mapping is built once per field, so its labels must stay untranslated in it."""
    claim = Claim(status=ClaimStatus.APPROVED)

    english = render(claim)
    with translation.override("cs"):
        czech = render(claim)
    again = render(claim)

    assert english == again == "Approved"
    with translation.override("cs"):
        assert czech == claim.get_status_display() != english


def test_a_value_without_a_choice_shows_as_it_is_stored():
    event = StatusEvent(action="claim.retired_long_ago")

    rendered = Template('{% load choices %}{{ obj|display:"action" }}').render(
        Context({"obj": event})
    )

    assert rendered == event.get_action_display() == "claim.retired_long_ago"
