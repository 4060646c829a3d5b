"""Real threads for race tests: each has its own PostgreSQL connection."""

import threading

from django.db import connection


def race(functions) -> list:
    """Run the functions at the same moment in threads; return each result or exception."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def run(index, function):
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
