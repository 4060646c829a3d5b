"""The directory import on the benchmark's directory, from JSON Lines, in subprocesses.

The bench database's own directory is written out as JSON Lines (all of it, and its first
half for the second size), with the same rows in COPY's text format for the floor. Each probe
(bench/probe_directory.py) rolls back, so the data stays as generated.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from django.db import connection

from bench.process import ROOT
from bench.scenarios import LIST_URL, Result, _timed, client_for, slowdown

RATE_TARGET = 20_000  # rows a second (issue 18)
MEMORY_TARGET_MIB = 200
DELTA_SUBSCRIPTIONS = 10_000
DELTA_TARGET_S = 10.0

TENANT_JSON = """
SELECT json_build_object(
  'tenant_id', t.tenant_id, 'display_name', t.display_name,
  'domains', (SELECT coalesce(json_agg(json_build_object('name', d.name, 'initial', d.is_initial)
              ORDER BY d.name), '[]') FROM validation_domain d WHERE d.tenant_id = t.tenant_id),
  'subscriptions', (SELECT coalesce(json_agg(json_build_object(
      'subscription_id', s.subscription_id, 'product', p.code, 'channel', s.channel,
      'provisioned', s.provisioned, 'state', s.state) ORDER BY s.subscription_id), '[]')
    FROM validation_subscription s JOIN validation_product p ON p.id = s.product_id
    WHERE s.tenant_id = t.tenant_id))::text
FROM validation_tenant t {where} ORDER BY t.tenant_id {limit}
"""


def _copy_out(sql: str, path: Path) -> None:
    with (
        connection.cursor() as cursor,
        path.open("wb") as out,
        cursor.cursor.copy(f"COPY ({sql}) TO STDOUT") as copy,
    ):
        for chunk in copy:
            out.write(chunk)


def _write_jsonl(path: Path, *, limit: int | None = None, where: str = "") -> None:
    with connection.cursor() as cursor, path.open("w", encoding="utf-8") as out:
        cursor.execute("SELECT code, name, solution_area FROM validation_product ORDER BY code")
        for code, name, area in cursor.fetchall():
            product = {"code": code, "name": name, "solution_area": area}
            out.write(json.dumps({"product": product}) + "\n")
    sql = TENANT_JSON.format(where=where, limit=f"LIMIT {limit}" if limit else "")
    with path.open("ab") as out, connection.cursor() as cursor:
        # COPY's text format would double the JSON's backslashes; CSV with a delimiter and a
        # quote that JSON text never holds writes each line as it is.
        csv = "FORMAT csv, DELIMITER E'\\x02', QUOTE E'\\x01'"
        with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH ({csv})") as copy:
            for chunk in copy:
                out.write(chunk)


def _write_delta(path: Path) -> int:
    """10,000 live subscriptions expire, those of approved claims first: a --changes file."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT c.subscription_id FROM associations_claim c
            JOIN validation_subscription s ON s.subscription_id = c.subscription_id
            WHERE c.status = 'approved' AND s.state IN ('active', 'in_grace') LIMIT %s""",
            [DELTA_SUBSCRIPTIONS],
        )
        chosen = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            """SELECT subscription_id FROM validation_subscription
            WHERE state IN ('active', 'in_grace') LIMIT %s""",
            [2 * DELTA_SUBSCRIPTIONS],
        )
        claimed = set(chosen)
        others = [row[0] for row in cursor.fetchall() if row[0] not in claimed]
        chosen += others[: DELTA_SUBSCRIPTIONS - len(chosen)]
        cursor.execute(
            """SELECT t.tenant_id, t.display_name, s.subscription_id, p.code, s.channel,
            s.provisioned FROM validation_subscription s
            JOIN validation_tenant t ON t.tenant_id = s.tenant_id
            JOIN validation_product p ON p.id = s.product_id
            WHERE s.subscription_id = ANY(%s) ORDER BY t.tenant_id""",
            [chosen],
        )
        tenants: dict = {}
        for tenant_id, name, sub, code, channel, provisioned in cursor.fetchall():
            row = tenants.setdefault(
                tenant_id, {"tenant_id": str(tenant_id), "display_name": name, "subscriptions": []}
            )
            row["subscriptions"].append(
                {
                    "subscription_id": str(sub),
                    "product": code,
                    "channel": channel,
                    "provisioned": provisioned,
                    "state": "expired",
                }
            )
    path.write_text("".join(json.dumps(row) + "\n" for row in tenants.values()))
    return len(chosen)


def probe(step: str, path: Path, copy_dir: Path | None = None, *, meanwhile=None) -> dict:
    """Run one probe; `meanwhile(running)` is called while it runs (to time pages)."""
    command = [sys.executable, "-m", "bench.probe_directory", "--step", step, "--file", str(path)]
    if copy_dir:
        command += ["--copy-dir", str(copy_dir)]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
        if meanwhile is not None:
            meanwhile(lambda: process.poll() is None)
        process.wait(timeout=3600)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in stdout.splitlines():
        if line.startswith("PROBE "):
            return json.loads(line.removeprefix("PROBE "))
    raise RuntimeError(f"directory probe {step} failed:\n{stderr[-4000:]}")


class PageWatch:
    """The list and a detail page of the big organisation, timed in turn before and while an
    import runs."""

    def __init__(self, marker):
        big = marker.big_org_id
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT max(id) FROM associations_associationrequest"
                " WHERE organisation_id = %s AND submitted_at IS NOT NULL",
                [big],
            )
            detail = cursor.fetchone()[0]
        self.client = client_for(marker.big_org_users["global_admin"])
        self.urls = [LIST_URL, f"/associations/CPOR-{detail:06d}/"]
        self.before = {url: [_timed(self.client, url) for _ in range(30)] for url in self.urls}
        self.during = {url: [] for url in self.urls}

    def __call__(self, running) -> None:
        while running():
            for url in self.urls:
                self.during[url].append(_timed(self.client, url))

    def results(self) -> list[Result]:
        return [
            slowdown("directory", f"{name} while the import runs", url, self.before[url], times)
            for name, (url, times) in zip(
                ("request list", "request detail"), self.during.items(), strict=True
            )
        ]


def directory_scenarios(args, marker) -> list[Result]:
    print("bench: directory import (subprocesses)", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM validation_tenant")
            tenants = cursor.fetchone()[0]
        full, half, delta = folder / "full.jsonl", folder / "half.jsonl", folder / "delta.jsonl"
        try:
            _write_jsonl(full)
            _write_jsonl(half, limit=tenants // 2)
            for table in ("validation_tenant", "validation_domain", "validation_subscription"):
                _copy_out(f"SELECT * FROM {table}", folder / table)
            changed = _write_delta(delta)
            connection.close()
            small = probe("first", half)
            watch = PageWatch(marker)
            first = probe("first", full, meanwhile=watch)
            again = probe("reimport", full)
            floor = probe("copy", full, folder)
            recheck = probe("delta", delta)
        except Exception as error:
            return [Result("directory", "directory import", note=f"failed: {error}"[:300])]
    rate = first["rows"] / first["seconds"]
    floor_rate = floor["rows"] / floor["seconds"]
    flat = first["rss_peak_mib"] <= small["rss_peak_mib"] * 1.25
    results = [
        Result(
            "directory",
            f"Directory import from JSON Lines: {first['rows']:,} rows",
            median_ms=first["seconds"] * 1000,
            samples=1,
            value=(
                f"{rate:,.0f} rows/s; plain COPY of the same rows {floor_rate:,.0f} rows/s "
                f"(import {floor_rate / rate:.1f}x slower)"
            ),
            target=f"≥ {RATE_TARGET:,} rows/s",
            met=rate >= RATE_TARGET,
        ),
        Result(
            "directory",
            "Directory import: peak memory",
            value=(
                f"{first['rss_peak_mib']:.0f} MiB for {first['rows']:,} rows, "
                f"{small['rss_peak_mib']:.0f} MiB for {small['rows']:,}"
            ),
            target=f"< {MEMORY_TARGET_MIB} MiB and flat",
            met=first["rss_peak_mib"] < MEMORY_TARGET_MIB and flat,
        ),
        Result(
            "directory",
            "Directory re-import (nothing changes)",
            median_ms=again["seconds"] * 1000,
            samples=1,
            value=f"{again['rows'] / again['seconds']:,.0f} rows/s",
            target="no slower than the first import",
            met=again["seconds"] <= first["seconds"],
        ),
        Result(
            "directory",
            f"Directory delta: {changed:,} subscriptions expire, re-check",
            median_ms=recheck["seconds"] * 1000,
            samples=1,
            value=f"{recheck['ended']:,} approved claims ended",
            target=f"< {DELTA_TARGET_S:g} s to the last ended claim",
            met=recheck["seconds"] < DELTA_TARGET_S,
        ),
    ]
    results += watch.results()
    for result in results:
        print(f"  {result.name}: {result.value} ({result.median_ms or 0:.0f} ms)", flush=True)
    return results
