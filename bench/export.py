"""The CSV export of the organisation with 100,000 claims: time and memory, in subprocesses."""

import json
import os
import subprocess
import sys

from bench.process import ROOT
from bench.scenarios import Result

FLAT_RATIO = 1.5  # peak allocations of the big export vs. one about a tenth of its size
FLAT_SLACK_MIB = 4.0


def probe(username: str, url: str, *, traced: bool) -> dict:
    command = [sys.executable, "-m", "bench.probe_export", "--username", username, "--url", url]
    if traced:
        command.append("--tracemalloc")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    for line in done.stdout.splitlines():
        if line.startswith("PROBE "):
            return json.loads(line.removeprefix("PROBE "))
    raise RuntimeError(f"export probe failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def export_scenarios(args, marker) -> list[Result]:
    username = marker.big_org_users["global_admin"]
    url = "/associations/export.csv"
    small_url = url + "?status=rejected"
    print("bench: CSV export (subprocesses)", flush=True)
    try:
        timed = [probe(username, url, traced=False) for _ in range(3)]
        traced = probe(username, url, traced=True)
        small = probe(username, small_url, traced=True)
    except Exception as error:
        return [Result("export", "CSV export", url, note=f"failed: {error}"[:300])]
    seconds = sorted(run["seconds"] for run in timed)
    rows = timed[0]["rows"]
    flat = traced["traced_peak_mib"] <= FLAT_RATIO * small["traced_peak_mib"] + FLAT_SLACK_MIB
    results = [
        Result(
            "export",
            f"CSV export: {rows:,} rows ({timed[0]['bytes'] / 2**20:.1f} MiB)",
            url,
            median_ms=seconds[1] * 1000,
            p95_ms=seconds[-1] * 1000,
            samples=len(seconds),
            value=f"{rows / seconds[1]:,.0f} rows/s",
            target="(time reported, no target)",
        ),
        Result(
            "export",
            "CSV export: peak memory",
            url,
            value=(
                f"Python peak {traced['traced_peak_mib']:.1f} MiB for {traced['rows']:,} rows vs "
                f"{small['traced_peak_mib']:.1f} MiB for {small['rows']:,} rows; "
                f"RSS growth {max(r['rss_growth_mib'] for r in timed):.1f} MiB"
            ),
            target=(
                f"flat: peak ≤ {FLAT_RATIO:g}x the peak of the small export "
                f"+ {FLAT_SLACK_MIB:g} MiB"
            ),
            met=flat,
        ),
    ]
    for result in results:
        print(f"  {result.name}: {result.value}", flush=True)
    return results
