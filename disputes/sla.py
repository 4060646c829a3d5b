"""The review team's service levels: what waits and how long, and what was decided on time.

A fixed handful of queries at any size: the backlog is one GROUP BY over the queue's statuses
(ages bucketed by business-day boundaries computed here, not per row in SQL), the decisions one
GROUP BY each over a partial index of the decision events, which keep the deadline the claim
had when it was decided (`StatusEvent.due_at`).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.models import Claim, StatusEvent
from associations.policy import AWAITING_REVIEWER, REVIEW_DECISIONS, REVIEW_QUEUE_STATUSES
from core.deadlines import subtract_business_days
from disputes.models import ArbitrationCase

# Age buckets in business days: (label, lower bound); a claim is in the last bucket it reaches.
AGE_BUCKETS = (
    (_("under 2 business days"), 0),
    (_("2 to 4 business days"), 2),
    (_("5 to 9 business days"), 5),
    (_("10 business days or more"), 10),
)
DEFAULT_WEEKS = 12
LIST_LENGTH = 10

_ON_TIME = Q(due_at__isnull=False, created_at__lte=F("due_at"))
_LATE = Q(due_at__isnull=False, created_at__gt=F("due_at"))


@dataclass
class Period:
    """Decisions from the start of `first` to the end of `last`, both local dates."""

    first: date
    last: date

    @classmethod
    def default(cls, today: date) -> "Period":
        return cls(today - timedelta(weeks=DEFAULT_WEEKS) + timedelta(days=1), today)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time.min))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time.min))


@dataclass
class Tally:
    label: object  # a week's Monday, a reviewer's name
    decided: int = 0
    on_time: int = 0
    late: int = 0

    @property
    def on_time_share(self) -> int | None:
        """Per cent of the decisions with a deadline that were on time; None without any."""
        timed = self.on_time + self.late
        return round(100 * self.on_time / timed) if timed else None


@dataclass
class Backlog:
    statuses: list
    rows: list = field(default_factory=list)  # (bucket label, {status: count}, total)
    total: int = 0
    max_bucket: int = 0


@dataclass
class Service:
    period: Period
    backlog: Backlog
    weeks: list[Tally]
    reviewers: list[Tally]
    oldest: list
    owner_cases: list
    owner_case_count: int

    @property
    def decided(self) -> Tally:
        total = Tally(_("All decisions"))
        for week in self.weeks:
            total.decided += week.decided
            total.on_time += week.on_time
            total.late += week.late
        return total

    @property
    def max_week(self) -> int:
        return max((week.decided for week in self.weeks), default=0)


def service_levels(period: Period, *, now: datetime | None = None) -> Service:
    now = now or timezone.now()
    owner_cases = ArbitrationCase.objects.filter(
        status=ArbitrationCase.Status.OPEN, working_with_owner=True
    )
    return Service(
        period=period,
        backlog=_backlog(now),
        weeks=_weeks(period),
        reviewers=_reviewers(period),
        oldest=list(
            Claim.objects.filter(status__in=REVIEW_QUEUE_STATUSES)
            .select_related("request", "product")
            .order_by(F("due_at").asc(nulls_last=True), "id")[:LIST_LENGTH]
        ),
        owner_cases=list(
            owner_cases.select_related("product").order_by("due_at", "id")[:LIST_LENGTH]
        ),
        owner_case_count=owner_cases.count(),
    )


def _backlog(now: datetime) -> Backlog:
    """Claims in the queue by status and by business days since they entered that status."""
    bucket = Case(
        *[
            When(status_changed_at__lte=subtract_business_days(now, lower), then=Value(index))
            for index, (_label, lower) in reversed(list(enumerate(AGE_BUCKETS)))
            if lower
        ],
        default=Value(0),
        output_field=IntegerField(),
    )
    counts = {
        (row["status"], row["bucket"]): row["claims"]
        for row in Claim.objects.filter(status__in=REVIEW_QUEUE_STATUSES)
        .annotate(bucket=bucket)
        .values("status", "bucket")
        .annotate(claims=Count("id"))
        .order_by()
    }
    backlog = Backlog(statuses=[(status, status.label) for status in REVIEW_QUEUE_STATUSES])
    for index, (label, _lower) in enumerate(AGE_BUCKETS):
        by_status = {status: counts.get((status, index), 0) for status in REVIEW_QUEUE_STATUSES}
        total = sum(by_status.values())
        backlog.rows.append((label, [by_status[status] for status in REVIEW_QUEUE_STATUSES], total))
        backlog.total += total
        backlog.max_bucket = max(backlog.max_bucket, total)
    return backlog


def _decisions(period: Period):
    return StatusEvent.objects.filter(
        action__in=REVIEW_DECISIONS,
        from_status__in=AWAITING_REVIEWER,
        created_at__gte=period.start,
        created_at__lt=period.end,
    )


def _tally(label, row: dict) -> Tally:
    return Tally(label, decided=row["decided"], on_time=row["on_time"], late=row["late"])


def _counts():
    return {
        "decided": Count("id"),
        "on_time": Count("id", filter=_ON_TIME),
        "late": Count("id", filter=_LATE),
    }


def _weeks(period: Period) -> list[Tally]:
    """Every week of the period, those without a decision too, so the chart has no gaps."""
    found = {
        row["week"].date(): row
        for row in _decisions(period)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(**_counts())
        .order_by()
    }
    weeks, monday = [], period.first - timedelta(days=period.first.weekday())
    while monday <= period.last:
        weeks.append(_tally(monday, found.get(monday, {"decided": 0, "on_time": 0, "late": 0})))
        monday += timedelta(weeks=1)
    return weeks


def _reviewers(period: Period) -> list[Tally]:
    rows = (
        _decisions(period)
        .values("actor__username")
        .annotate(**_counts())
        .order_by("-decided", "actor__username")
    )
    return [_tally(row["actor__username"] or _("(deleted user)"), row) for row in rows]
