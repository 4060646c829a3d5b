"""EXPLAIN ANALYZE of the slowest query of every page, for the report's appendix."""

from django.db import connection


def explain(sql: str, max_lines: int = 30) -> str:
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return "(not a SELECT)"
    try:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            lines = [row[0] for row in cursor.fetchall()]
    except Exception as error:  # a query that cannot be re-run as text
        return f"(EXPLAIN failed: {error})"
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], f"... ({len(lines) - max_lines + 1} more lines)"]
    return "\n".join(lines)


def explain_misses(results) -> dict[str, tuple[float, str, str]]:
    """name -> (ms, sql, plan) of the slowest query of each timed page."""
    found = {}
    for result in results:
        if not result.slowest_sql:
            continue
        ms, sql = result.slowest_sql[0]
        found[result.name] = (ms, sql, explain(sql))
    return found
