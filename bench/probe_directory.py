"""Run in a subprocess by bench.directory: one step of the directory import, on the bench data.

Every step runs in a transaction that is rolled back, so the bench data stays as generated:
`first` empties the directory (products stay: claims hold them) and imports the file; `reimport`
imports it over the unchanged directory; `copy` empties it and loads the same rows with a plain
COPY (the floor); `delta` imports a --changes file and re-checks the claims of the subscriptions
it changed, as the worker's tasks would. Prints one JSON line: seconds, rows, the peak resident
set of the process and what the step reports.
"""

import argparse
import json
import os
import resource
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--step", choices=["first", "reimport", "copy", "delta"], required=True)
    parser.add_argument("--file", required=True)
    parser.add_argument("--copy-dir", default="")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection, transaction

    from validation.directory_files import is_json_lines, read_records
    from validation.directory_import import directory_apply

    out = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            if args.step in {"first", "copy"}:
                cursor.execute("DELETE FROM validation_subscription")
                cursor.execute("DELETE FROM validation_domain")
                cursor.execute("DELETE FROM validation_tenant")
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            started = time.perf_counter()
            if args.step == "copy":
                rows = 0
                for table in ("validation_tenant", "validation_domain", "validation_subscription"):
                    with (
                        open(os.path.join(args.copy_dir, table), "rb") as source,
                        cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy,
                    ):
                        while chunk := source.read(1 << 20):
                            rows += chunk.count(b"\n")
                            copy.write(chunk)
                out["rows"] = rows
            else:
                from pathlib import Path

                with open(args.file, "rb") as stream:
                    report = directory_apply(
                        records=read_records(stream, json_lines=is_json_lines(Path(args.file))),
                        changes=args.step == "delta",
                    )
                out["rows"] = report.rows
                out["summary"] = report.summary()
                if args.step == "delta":
                    out["ended"] = _recheck(args.file)
            out["seconds"] = time.perf_counter() - started
            out["rss_before_mib"] = before / 1024
            out["rss_peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        transaction.set_rollback(True)
    print("PROBE " + json.dumps(out), flush=True)


def _recheck(path: str) -> int:
    """What the worker's tasks do after the import, in batches as the receiver enqueues them."""
    from associations.receivers import RECHECK_BATCH
    from associations.tasks import recheck_changed_subscriptions
    from validation.models import Subscription

    ids = []
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            ids += [sub["subscription_id"] for sub in json.loads(line).get("subscriptions", [])]
    rows = [
        (str(sub), str(tenant), product)
        for sub, tenant, product in Subscription.objects.filter(pk__in=ids).values_list(
            "subscription_id", "tenant_id", "product_id"
        )
    ]
    return sum(
        recheck_changed_subscriptions(rows[start : start + RECHECK_BATCH])
        for start in range(0, len(rows), RECHECK_BATCH)
    )


if __name__ == "__main__":
    main()
