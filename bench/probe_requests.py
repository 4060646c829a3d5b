"""N requests of one page in one process, for counting instructions when wall time drifts.

    valgrind --tool=callgrind .venv/bin/python -m bench.probe_requests 50
    valgrind --tool=callgrind .venv/bin/python -m bench.probe_requests 150

The difference of the two totals ("Collected"), divided by 100, is one request's instructions
without the start-up: repeatable on a machine whose speed swings, so two versions of the code
compare exactly (run each against its own copy of the data, `CPOR_BENCH_DB`).
"""

import argparse
import os


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("requests", type=int)
    parser.add_argument("--url", default="/associations/")
    parser.add_argument("--username", default="big-global")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.test import Client

    client = Client(raise_request_exception=True)
    client.force_login(User.objects.get(username=args.username))
    for _ in range(5):  # warm: the session's first page, the fragment caches
        assert client.get(args.url).status_code == 200
    for _ in range(args.requests):
        client.get(args.url)


if __name__ == "__main__":
    main()
