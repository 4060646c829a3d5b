"""The embedded PostgreSQL used when DATABASE_URL is unset.

A fresh machine then needs no database set-up: the `pgserver` package ships PostgreSQL 16,
initialises the data directory on first use and listens on a Unix socket inside it (trust auth,
no TCP port to collide with). The server is left running between commands (each manage.py call
would otherwise pay a restart); `manage.py devserver` and the test session stop it when they
are done with it.
"""

import warnings
from pathlib import Path

DATABASE_NAME = "cpor"

# pgserver's platformdirs warns, on every use, that containers lack XDG_RUNTIME_DIR; harmless
# here because the socket lives in pgdata.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR", category=UserWarning)

_started_here: set[Path] = set()


def _server(pgdata: Path):
    import pgserver  # Imported here so deployments with DATABASE_URL never load it.

    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    # pgserver keeps one handle per folder and starts the server only when it creates it: a
    # server this process stopped is started again here (the outage tests do).
    if not _is_running(pgdata):
        with server._lock:
            server.ensure_postgres_running()
    return server


def _is_running(pgdata: Path) -> bool:
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(pgdata)
    return info is not None and info.is_running()


def embedded_database(pgdata: Path) -> dict:
    """Start (or reuse) the server in `pgdata` and return a Django DATABASES entry for it."""
    if not _is_running(pgdata):
        _started_here.add(pgdata)
    server = _server(pgdata)
    # DATABASE_NAME is a constant of ours, not input.
    found = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
    if "(0 rows)" in found:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "HOST": str(server.get_postmaster_info().socket_dir),
        "CONN_MAX_AGE": 0,
    }


def started_here(pgdata: Path) -> bool:
    """Did this process start the server (so it should also stop it)?"""
    return pgdata in _started_here


def stop_embedded_database(pgdata: Path) -> None:
    from pgserver._commands import pg_ctl

    if _is_running(pgdata):
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=_server(pgdata).system_user)
