"""The benchmark run: prepare the data, run the scenarios, write the report."""

import time

import django
from django.conf import settings

from bench import db


def prepare(args):
    """The bench database at the requested scale: reused when the marker says it matches."""
    database = settings.DATABASES["default"]
    db.create_database(database)
    django.setup()
    from django.db import connection

    from bench import generate

    plan = generate.Plan.for_scale(args.scale, args.seed)
    marker = None if args.regenerate else generate.read_marker()
    fits = (
        marker is not None
        and marker.generator_version == generate.GENERATOR_VERSION
        and marker.plan.get("scale") == plan.scale
        and marker.plan.get("seed") == plan.seed
    )
    if fits:
        print(
            f"bench: reusing the data of {marker.generated_at} in {database['NAME']} "
            f"(scale {plan.scale}); --regenerate rebuilds it"
        )
        generate.migrate_schema()  # new migrations of the app (indexes) apply to the old data
        return marker
    print(f"bench: generating scale {plan.scale} into {database['NAME']}")
    connection.close()
    db.create_database(database, drop=True)
    started = time.perf_counter()
    generate.migrate_schema()
    print(f"  [generate] schema migrated ({time.perf_counter() - started:.1f} s)")
    marker = generate.generate(plan)
    print(f"bench: data generated in {marker.seconds:.0f} s: {marker.counts}")
    return marker


def run(args) -> int:
    marker = prepare(args)
    if args.generate_only:
        return 0
    from bench import scenarios

    return scenarios.run_all(args, marker)
