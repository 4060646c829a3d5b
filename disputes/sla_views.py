"""The reviewers' SLA dashboard in the admin, and its CSV export.

Reviewers (the permission to decide) only: it names reviewers and counts every organisation's
claims, so a staff user outside the team gets 403, a partner the admin's login.
"""

import csv
from datetime import date, timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from associations.csv_export import Echo, cell
from disputes.admin import DECIDE
from disputes.sla import Period, service_levels

BAR_WIDTH = 170
ROW_HEIGHT = 14
WEEK_WIDTH = 24
WEEK_CHART_HEIGHT = 120
MAX_PERIOD = timedelta(days=3 * 366)  # a week per chart bar and table row
EARLIEST = date(2000, 1, 1)  # before the portal; keeps the period's moments in range


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("Decided from"), required=False)
    date_to = forms.DateField(label=_("Decided until"), required=False)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            raise forms.ValidationError(_("The first day comes after the last one."))
        today = timezone.localdate()
        if any(day and not EARLIEST <= day <= today + MAX_PERIOD for day in (first, last)):
            raise forms.ValidationError(
                _("Choose days from %(earliest)s until three years from today.")
                % {"earliest": formats.date_format(EARLIEST, "DATE_FORMAT")}
            )
        if (last or today) - (first or last or today) > MAX_PERIOD:
            raise forms.ValidationError(_("Choose a period of at most three years."))
        return cleaned

    def period(self) -> Period:
        """The chosen days, a missing end filled from the default, the default when invalid."""
        today = timezone.localdate()
        default = Period.default(today)
        if not self.is_valid():
            return default
        last = self.cleaned_data["date_to"] or today
        first = self.cleaned_data["date_from"] or min(default.first, last)
        return Period(first, last)


def _reviewer(request) -> None:
    if not request.user.has_perm(DECIDE):
        raise PermissionDenied


def _charted(service) -> dict:
    """Bar geometry for the SVG charts (the tables beside them carry the same numbers)."""
    backlog = service.backlog
    backlog_bars = [
        {
            "label": label,
            "total": total,
            "width": _share(total, backlog.max_bucket, BAR_WIDTH),
            "y": ROW_HEIGHT * index,
        }
        for index, (label, _counts, total) in enumerate(backlog.rows)
    ]
    top = service.max_week
    week_bars = []
    for index, week in enumerate(service.weeks):
        on_time = _share(week.on_time, top, WEEK_CHART_HEIGHT)
        late = _share(week.late, top, WEEK_CHART_HEIGHT)
        other = _share(week.decided, top, WEEK_CHART_HEIGHT) - on_time - late
        week_bars.append(
            {
                "week": week,
                "x": index * WEEK_WIDTH,
                "on_time": on_time,
                "late": late,
                "other": max(other, 0),
                "late_y": WEEK_CHART_HEIGHT - on_time - late,
                "other_y": WEEK_CHART_HEIGHT - on_time - late - max(other, 0),
                "on_time_y": WEEK_CHART_HEIGHT - on_time,
            }
        )
    reviewer_bars = [
        {
            "tally": tally,
            "width": _share(tally.on_time_share or 0, 100, BAR_WIDTH),
            "y": ROW_HEIGHT * index,
        }
        for index, tally in enumerate(service.reviewers)
    ]
    return {
        "backlog_bars": backlog_bars,
        "week_bars": week_bars,
        "week_chart_width": WEEK_WIDTH * max(len(week_bars), 1),
        "week_chart_height": WEEK_CHART_HEIGHT,
        "reviewer_bars": reviewer_bars,
        "backlog_chart_height": ROW_HEIGHT * len(backlog_bars),
        "reviewer_chart_height": ROW_HEIGHT * max(len(reviewer_bars), 1),
        "bar_width": BAR_WIDTH,
    }


def _share(value: int, top: int, length: int) -> int:
    return round(length * value / top) if top else 0


def sla_dashboard(request):
    _reviewer(request)
    form = PeriodForm(request.GET or None)
    service = service_levels(form.period())
    return render(
        request,
        "admin/disputes/sla.html",
        {
            **admin.site.each_context(request),
            "title": gettext("Review service levels"),
            "form": form,
            "service": service,
            "query": request.GET.urlencode(),
            **_charted(service),
        },
    )


def _rows(service):
    yield ["section", "label", "measure", "value"]
    for label, counts, total in service.backlog.rows:
        for (status, _name), count in zip(service.backlog.statuses, counts, strict=True):
            yield ["backlog", label, status, count]
        yield ["backlog", label, "total", total]
    for section, tallies in (("week", service.weeks), ("reviewer", service.reviewers)):
        for tally in tallies:
            for measure in ("decided", "on_time", "late", "on_time_share"):
                yield [section, tally.label, measure, getattr(tally, measure)]


def sla_export(request):
    _reviewer(request)
    service = service_levels(PeriodForm(request.GET or None).period())
    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        (writer.writerow([cell(value) for value in row]) for row in _rows(service)),
        content_type="text/csv; charset=utf-8",
    )
    period = service.period
    name = f"cpor-review-sla-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
