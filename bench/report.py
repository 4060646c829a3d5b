"""The Markdown report: figures, the DESIGN.md section 7 targets, the machine."""

import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path

import django
from django.conf import settings
from django.db import connection

RESULTS = Path(__file__).resolve().parent / "results"

TARGETS = [
    (
        "list",
        "Partner's request list (first, deep, filtered pages): median < 25 ms, "
        "≤ 1.5x floor, fixed query count",
    ),
    (
        "search",
        "Partner's request list by date range and by domain (no floor: its SQL has no such "
        "filter): median < 25 ms, fixed query count",
    ),
    ("detail", "Request detail: median < 25 ms, fixed query count"),
    ("queue", "Reviewers' queue (admin changelists): median < 25 ms"),
    (
        "dashboard",
        "Dashboard, the partners' landing page (no DESIGN target; held to the pages' 25 ms), "
        "fixed query count",
    ),
    (
        "records",
        "Admin lists of every record on the biggest tables (no DESIGN target; held to the "
        "queue's 25 ms)",
    ),
    ("audit", "MPN audit of the organisation with 100,000 claims: median < 300 ms"),
    ("export", "CSV export of 100,000 rows in flat memory"),
    ("worker", "Worker ≥ 200 claims/s; submission → verdict ≤ 2 s at the median"),
    ("webhooks", "Webhook delivery ≥ 200 deliveries/s to a local receiver through the worker"),
    ("load", "List page holds 300 requests/s under load with no errors"),
]


def _machine() -> list[tuple[str, str]]:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        pg = cursor.fetchone()[0].split(" on ")[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        size = cursor.fetchone()[0]
    db = settings.DATABASES["default"]
    where = (
        "embedded (pgserver)"
        if settings.EMBEDDED_DATABASE
        else f"{db.get('HOST') or 'local socket'}:{db.get('PORT') or 5432}"
    )
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            cwd=RESULTS.parent.parent,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            # Earlier reports are not code: a run right after another one is still "clean".
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results"],
            capture_output=True,
            text=True,
            cwd=RESULTS.parent.parent,
            check=False,
        ).stdout.strip()
    except OSError:
        commit, dirty = "?", ""
    return [
        ("CPU", f"{os.cpu_count()} cores ({cpu})"),
        ("memory", memory),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("PostgreSQL", f"{pg}, {where}, shared_buffers {shared_buffers}"),
        ("database", f"{db['NAME']}, {size}"),
        ("code", f"{commit}{' + uncommitted changes' if dirty else ''}"),
    ]


def _ms(value) -> str:
    return "" if value is None else f"{value:,.1f}"


def _met(value) -> str:
    return {True: "✅ met", False: "❌ missed", None: ""}[value]


def render(args, marker, results, explained) -> str:
    now = datetime.now().astimezone()
    counts = marker.counts
    lines = [
        "# CPOR Portal benchmark",
        "",
        f"{now:%Y-%m-%d %H:%M %Z}, scale {marker.plan['scale']:g}: "
        f"{counts.get('associations_claim', 0):,} claims in "
        f"{counts.get('associations_associationrequest', 0):,} requests of "
        f"{counts.get('partners_organisation', 0):,} organisations, "
        f"{counts.get('validation_tenant', 0):,} tenants "
        f"(data generated {marker.generated_at} in {marker.seconds:.0f} s; "
        f"`python -m bench --scale {marker.plan['scale']:g}`).",
        "",
        "Server time: the Django test client in-process (middleware, session, view, template; "
        "streamed responses consumed), the database over its socket, "
        f"{args.reps} timed requests per page after {3} warm-ups; the query count is that of one "
        "more request. *Floor*: the same list rows fetched by one hand-written SQL query "
        "(`bench/floor.py`) behind the same middleware and access check, rendered by the same "
        "template. The list's rows are rendered once per distinct content (a fragment cache "
        "keyed by the rows' values), so repeated requests run their SQL but not the rows' "
        "template; *rows rendered afresh* empties that cache before every request (floor and "
        "page alike; the navigation's and the filters' fragments go too), an upper bound of "
        "what a page whose data just changed costs.",
        "",
        "| scenario | median ms | p95 ms | SQL queries | ratio to floor | figure | target | |",
        "|---|--:|--:|--:|--:|---|---|---|",
    ]
    for r in results:
        queries = "" if r.queries is None else str(r.queries)
        if r.queries_small is not None:
            queries += f" ({r.queries_small} on small data)"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else ""
        if r.ratio is not None and r.group != "list":
            ratio += " (list floor)"
        lines.append(
            f"| {r.name} | {_ms(r.median_ms)} | {_ms(r.p95_ms)} | {queries} | {ratio} | "
            f"{r.value} | {r.target} | {_met(r.met)} |"
        )
    lines += ["", "## DESIGN.md section 7 targets", ""]
    for group, text in TARGETS:
        members = [r for r in results if r.group == group]
        if not members:
            verdict = "not run"
        elif any(r.met is False for r in members):
            missed = ", ".join(r.name for r in members if r.met is False)
            verdict = f"❌ missed ({missed})"
        elif any(r.note.startswith(("failed", "skipped")) for r in members):
            verdict = "⚠️ not measured: " + "; ".join(r.note for r in members if r.note)
        else:
            verdict = "✅ met"
        lines.append(f"- {text}: {verdict}")
    notes = [(r.name, r.note) for r in results if r.note]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- {name}: {note}" for name, note in notes]
    lines += ["", "## Machine", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in _machine()]
    before, after = getattr(args, "load_before", None), getattr(args, "load_after", None)
    if before and after:
        lines.append(
            f"| load average | {before[0]:.2f} before the scenarios, {after[0]:.2f} after "
            "(1 min; anything else running on the machine skews the figures) |"
        )
    if reference := getattr(args, "cpu_reference", None):
        lines.append(
            "| CPU reference | "
            + ", ".join(f"{ms:.0f} ms {when}" for when, ms in reference)
            + " (a fixed pure-Python workload, best of five; lower is faster) |"
        )
    if (stalls := getattr(args, "pressure", None)) and any(found for _when, found in stalls):
        lines.append(
            "| pressure stalls | "
            + "; ".join(
                f"{when}: " + ", ".join(f"{name} {share:.0f} %" for name, share in found.items())
                for when, found in stalls
            )
            + " (share of the last minute that tasks waited, /proc/pressure) |"
        )
    lines += [
        f"| settings | DEBUG off, CONN_MAX_AGE 60, Q_WORKERS {settings.Q_CLUSTER['workers']}, "
        f"gunicorn {args.web_workers} sync workers, "
        f"sessions {settings.SESSION_ENGINE.rsplit('.', 1)[-1]} |",
        "",
        "## Slowest query of each page (EXPLAIN ANALYZE)",
        "",
    ]
    for name, (ms, sql, plan) in explained.items():
        lines += [
            "<details>",
            f"<summary>{name}: {ms:.1f} ms</summary>",
            "",
            "```sql",
            sql[:3000],
            "```",
            "",
            "```",
            plan,
            "```",
            "</details>",
            "",
        ]
    return "\n".join(lines) + "\n"


def write(text: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d-%H%M")
    (RESULTS / "latest.md").write_text(text)
    dated = RESULTS / f"{stamp}.md"
    dated.write_text(text)
    print(f"bench: report written to {RESULTS / 'latest.md'} and {dated}")
    return dated
