"""Solution areas, activities and the rules that pair them (DESIGN.md section 2).

These are program rules, not catalog data: the products themselves are imported, but which
activity fits which solution area, and through which purchase channels, is policy.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class SolutionArea(models.TextChoices):
    BUSINESS_APPLICATIONS = "business_applications", _("Business Applications")
    MICROSOFT_365 = "microsoft_365", _("Microsoft 365")


class Activity(models.TextChoices):
    PRE_SALES = "pre_sales", _("Pre-sales")
    USAGE = "usage", _("Usage")
    REVENUE_ASSOCIATION = "revenue_association", _("Revenue association")


class Channel(models.TextChoices):
    VOLUME_LICENSING = "volume_licensing", _("Volume licensing (Enterprise Agreement)")
    WEB_DIRECT = "web_direct", _("Web Direct")
    CSP = "csp", _("Cloud Solution Provider (CSP)")


@dataclass(frozen=True)
class ActivityRule:
    solution_area: SolutionArea
    activity: Activity
    choose_when: Promise
    allowed_channels: frozenset[Channel] | None  # None: any channel

    def allows_channel(self, channel: str) -> bool:
        return self.allowed_channels is None or channel in self.allowed_channels


_NOT_CSP = frozenset({Channel.VOLUME_LICENSING, Channel.WEB_DIRECT})

ACTIVITY_RULES: tuple[ActivityRule, ...] = (
    ActivityRule(
        SolutionArea.BUSINESS_APPLICATIONS,
        Activity.PRE_SALES,
        _(
            "You influenced the customer's purchase of an eligible product and claim pre-sales "
            "incentives. Only for products bought through volume licensing or Web Direct."
        ),
        _NOT_CSP,
    ),
    ActivityRule(
        SolutionArea.BUSINESS_APPLICATIONS,
        Activity.USAGE,
        _(
            "You drive adoption and usage of an eligible workload and claim usage incentives. "
            "Only for products bought through volume licensing or Web Direct."
        ),
        _NOT_CSP,
    ),
    ActivityRule(
        SolutionArea.BUSINESS_APPLICATIONS,
        Activity.REVENUE_ASSOCIATION,
        _(
            "You influenced the choice of product as a business influencer. Revenue association "
            "only, no incentive payment. Only for products bought through volume licensing or "
            "Web Direct."
        ),
        _NOT_CSP,
    ),
    ActivityRule(
        SolutionArea.MICROSOFT_365,
        Activity.USAGE,
        _(
            "You drive adoption and usage of an eligible workload and claim usage incentives; "
            "you may opt out of incentive payments. Any purchase channel."
        ),
        None,
    ),
)


def activity_rule(solution_area: str, activity: str) -> ActivityRule | None:
    """The rule for a pair, or None when the activity does not exist in that solution area."""
    for rule in ACTIVITY_RULES:
        if rule.solution_area == solution_area and rule.activity == activity:
            return rule
    return None
