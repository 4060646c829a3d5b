"""Every write of bulk filing: a batch is uploaded, parsed by the worker, then filed.

Filing is one transaction: every chosen row becomes a draft, or none does and the partner is
told which row stopped it. The organisation's row is locked while a batch files, so two
uploads of one file filed at once cannot both miss each other's drafts.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation

from associations import services
from associations.bulk.errors import BatchError
from associations.bulk.rows import Assessed, Lookups, assess, filing_refusal, request_key
from associations.bulk.spreadsheet import Row, read_rows
from associations.forms import ACKNOWLEDGED_IN
from associations.models import Batch, BatchRow
from associations.uploads import Upload
from partners.models import Organisation

logger = logging.getLogger(__name__)
_PROGRESS_EVERY = 200  # rows between two progress updates of the page


def batch_create(*, actor, organisation: Organisation, upload, total_rows: int) -> Batch:
    """Store a checked upload (`spreadsheet.check_upload`) and queue it for the worker."""
    with transaction.atomic():
        batch = Batch.objects.create(
            organisation=organisation,
            author=actor,
            original_name=upload.name[:255],
            file=upload,
            total_rows=total_rows,
            language=translation.get_language() or "en",
        )
        services.enqueue_after_commit(
            "associations.bulk.tasks.parse_batch",
            batch.pk,
            group="bulk",
            label=f"the parsing of batch {batch.pk}",
        )
    return batch


def batch_parse(*, batch_id: int) -> Batch | None:
    """Read and pre-flight every row. The batch is claimed by a conditional UPDATE, so a task
    delivered twice parses it once; None when another run has it."""
    if not Batch.objects.filter(pk=batch_id, status=Batch.Status.QUEUED).update(
        status=Batch.Status.PARSING, progress=0
    ):
        return None
    batch = Batch.objects.select_related("organisation").get(pk=batch_id)
    with translation.override(batch.language):
        with batch.file.open("rb") as stored:
            content = stored.read()
        try:
            rows = list(read_rows(content, batch.original_name))
        except ValidationError as error:  # checked at upload: a limit lowered since then
            logger.warning("Batch %s could not be read", batch_id, exc_info=True)
            Batch.objects.filter(pk=batch_id).update(
                status=Batch.Status.FAILED, failure=" ".join(error.messages)
            )
            return batch
        assessed = _assess_with_progress(batch, rows)
        with transaction.atomic():
            BatchRow.objects.filter(batch=batch).delete()
            BatchRow.objects.bulk_create([item.unsaved(batch) for item in assessed])
            counts = defaultdict(int)
            for item in assessed:
                counts[item.verdict] += 1
            batch.total_rows = batch.progress = len(assessed)
            batch.ok_count = counts[BatchRow.Verdict.OK]
            batch.warning_count = counts[BatchRow.Verdict.WARNING]
            batch.error_count = counts[BatchRow.Verdict.ERROR]
            batch.duplicate_count = counts[BatchRow.Verdict.DUPLICATE]
            batch.status = Batch.Status.READY
            batch.save(
                update_fields=[
                    "total_rows",
                    "progress",
                    "ok_count",
                    "warning_count",
                    "error_count",
                    "duplicate_count",
                    "status",
                ]
            )
    return batch


def _assess_with_progress(batch: Batch, rows: list[Row]) -> list[Assessed]:
    """The rows in chunks of whole request keys, the progress saved after each."""
    lookups = Lookups(batch.organisation)
    groups = defaultdict(list)
    for row in rows:
        groups[request_key(row)].append(row)
    assessed, chunk, done = {}, [], 0
    for group in groups.values():
        chunk += group
        if len(chunk) >= _PROGRESS_EVERY:
            done += _assess_chunk(batch, chunk, lookups, assessed, done)
            chunk = []
    _assess_chunk(batch, chunk, lookups, assessed, done)
    return [assessed[row.number] for row in rows]


def _assess_chunk(batch, chunk, lookups, assessed, done) -> int:
    for item in assess(batch.organisation, chunk, lookups):
        assessed[item.row.number] = item
    Batch.objects.filter(pk=batch.pk).update(progress=done + len(chunk))
    return len(chunk)


@dataclass(frozen=True)
class BatchProof:
    """One proof of execution for every request of a batch, its acknowledgements confirmed."""

    description: str
    uploads: list[Upload]


def batch_file(
    *, actor, batch: Batch, proof: BatchProof | None = None, now: datetime | None = None
) -> Batch:
    """File every row without errors as drafts, one request per request key; all or none.
    With a `proof`, every request carries it and is submitted for the checks at once.

    The rows are assessed again inside the transaction (an MPN ID may have left its program, a
    row may have been filed since the preview): any that no longer passes refuses the batch.
    """
    now = now or timezone.now()
    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=batch.organisation_id)
        batch = Batch.objects.select_for_update().select_related("organisation").get(pk=batch.pk)
        if batch.status == Batch.Status.FILED:
            raise BatchError("already_filed")
        if batch.status != Batch.Status.READY:
            raise BatchError("not_ready")
        chosen = list(
            batch.rows.filter(verdict__in=(BatchRow.Verdict.OK, BatchRow.Verdict.WARNING)).order_by(
                "number"
            )
        )
        if not chosen:
            raise BatchError("nothing_to_file")
        rows = [Row(number=row.number, cells=row.cells) for row in chosen]
        assessed = assess(batch.organisation, rows, Lookups(batch.organisation))
        refused = [item for item in assessed if item.verdict == BatchRow.Verdict.ERROR]
        refused += [item for item in assessed if item.verdict == BatchRow.Verdict.DUPLICATE]
        if refused:
            raise BatchError(
                "rows_changed", reasons="; ".join(filing_refusal(item) for item in refused[:5])
            )
        by_key = defaultdict(list)
        for item in assessed:
            by_key[request_key(item.row)].append(item)
        filed = {}
        for items in by_key.values():
            fields = items[0].fields
            if proof is not None:
                fields = {
                    **fields,
                    "proof_description": proof.description,
                    **dict.fromkeys(ACKNOWLEDGED_IN, True),
                }
            request = services.request_create(
                actor=actor,
                organisation=batch.organisation,
                fields=fields,
                rows=[item.claim for item in items],
                uploads=proof.uploads if proof else [],
                submit=proof is not None,
                now=now,
            )
            for item in items:
                filed[item.row.number] = request
        for row in chosen:
            row.request = filed[row.number]
        BatchRow.objects.bulk_update(chosen, ["request"])
        batch.requests.add(*{request.pk for request in filed.values()})
        batch.status = Batch.Status.FILED
        batch.filed_at = now
        batch.save(update_fields=["status", "filed_at"])
    return batch
