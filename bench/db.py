"""The bench database: created on the portal's server next to its own database."""

import psycopg
from psycopg import sql


def connect_kwargs(database: dict, dbname: str | None = None) -> dict:
    """psycopg connection arguments for a Django DATABASES entry (optionally another name)."""
    kwargs = {"dbname": dbname or database["NAME"], "autocommit": True}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("USER", "user")):
        if database.get(key):
            kwargs[name] = str(database[key])
    if database.get("PASSWORD"):
        kwargs["password"] = database["PASSWORD"]
    return kwargs


def _maintenance_db(database: dict) -> psycopg.Connection:
    """A connection to the server that does not use the bench database."""
    last_error = None
    for name in ("postgres", "template1"):
        try:
            return psycopg.connect(**connect_kwargs(database, name))
        except psycopg.OperationalError as error:  # no such database, or no access
            last_error = error
    raise last_error


def database_exists(database: dict) -> bool:
    with _maintenance_db(database) as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
    return found is not None


def create_database(database: dict, *, drop: bool = False) -> None:
    name = sql.Identifier(database["NAME"])
    with _maintenance_db(database) as conn:
        if drop:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def server_version(database: dict) -> str:
    with psycopg.connect(**connect_kwargs(database)) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]
