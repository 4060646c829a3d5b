"""django-q2 entry point of bulk filing: takes the batch's id, the service does the rest."""

from associations.bulk.services import batch_file, batch_parse, sweep_stuck_batches


def parse_batch(batch_id: int, chunk: int | None = None) -> str:
    return "done" if batch_parse(batch_id=batch_id, chunk=chunk) is not None else "skipped"


def file_batch(batch_id: int) -> str:
    return "done" if batch_file(batch_id=batch_id) is not None else "skipped"


def sweep_batches() -> int:
    """Every 15 minutes (migration 0017): batches stuck in the worker are marked as failed."""
    return sweep_stuck_batches()
