"""The embedded PostgreSQL start-up used when DATABASE_URL is unset."""

import tempfile
from pathlib import Path

import psycopg

from cpor_portal.embedded_db import (
    DATABASE_NAME,
    embedded_database,
    started_here,
    stop_embedded_database,
)


def test_a_fresh_data_directory_is_initialised_started_reused_and_stopped():
    # A short path: PostgreSQL's Unix socket lives in the data directory.
    with tempfile.TemporaryDirectory(prefix="cpor-pg-", dir="/tmp") as folder:
        pgdata = Path(folder) / "pgdata"

        entry = embedded_database(pgdata)
        again = embedded_database(pgdata)

        assert started_here(pgdata)
        assert entry == again
        assert (entry["ENGINE"], entry["NAME"]) == ("django.db.backends.postgresql", DATABASE_NAME)
        with psycopg.connect(host=entry["HOST"], dbname=entry["NAME"], user=entry["USER"]) as conn:
            assert conn.execute("SHOW server_version_num").fetchone()[0] >= "160000"
        stop_embedded_database(pgdata)
        assert not (pgdata / "postmaster.pid").exists()
        assert (pgdata / "PG_VERSION").exists()
