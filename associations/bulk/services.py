"""Every write of bulk filing: a batch is uploaded, parsed by the worker, then filed by it.

Filing is one task and one transaction: every chosen row becomes a draft, or none does and the
batch page says which row stopped it. The organisation's row is locked while a batch files, so
two uploads of one file filed at once cannot both miss each other's drafts.
"""

import json
import logging
import zlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from associations import services
from associations.bulk.errors import BatchError
from associations.bulk.rows import Lookups, assess, filing_refusal, request_key
from associations.bulk.spreadsheet import Row, read_rows
from associations.forms import ACKNOWLEDGED_IN
from associations.models import Batch, BatchDocument, BatchRow
from associations.uploads import Upload
from partners.models import Organisation

logger = logging.getLogger(__name__)
# Rows one task assesses (about 2 ms each at a million claims): well inside the cluster's
# 60-second timeout.
CHUNK_ROWS = 1000
# How long a parse's rows and a filing's progress stay in the cache: longer than either runs.
PROGRESS_SECONDS = 3600


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
        _enqueue_parse(batch.pk)
    return batch


def _enqueue_parse(batch_id: int, chunk: int | None = None) -> None:
    services.enqueue_after_commit(
        "associations.bulk.tasks.parse_batch",
        batch_id,
        *(() if chunk is None else (chunk,)),
        group="bulk",
        label=f"the parsing of batch {batch_id}",
    )


def batch_parse(*, batch_id: int, chunk: int | None = None) -> Batch | None:
    """Assess a chunk of rows (whole request keys, about `CHUNK_ROWS`), or count the verdicts
    once every row has one. None when another task holds the batch or it has moved on.

    The upload's task (no `chunk`) assesses the first chunk not yet assessed with the batch's
    row locked (skip locked), then queues every chunk left, which the cluster's workers assess
    in parallel (`chunk`: its index in `_chunks`). A chunk keeps each task well inside the
    cluster's timeout and shows the progress on the page after each commit. A chunk delivered
    twice is assessed once (its rows are looked for first, and inserted skipping conflicts);
    the task that records the last rows, the batch locked, counts the verdicts.
    """
    if chunk is not None:
        return _parse_chunk(batch_id, chunk)
    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update(skip_locked=True)
            .select_related("organisation")
            .filter(pk=batch_id, status__in=(Batch.Status.QUEUED, Batch.Status.PARSING))
            .first()
        )
        if batch is None:
            return None
        with translation.override(batch.language):
            try:
                rows = _file_rows(batch)
            except ValidationError as error:  # checked at upload: a limit lowered since then
                return _failed(batch, error)
            done = set(batch.rows.values_list("number", flat=True))
            chunks = _chunks(rows)
            pending = [index for index, part in enumerate(chunks) if part[0].number not in done]
            chunk_rows = chunks[pending[0]] if pending else []
            assessed = assess(batch.organisation, chunk_rows, Lookups(batch.organisation))
        BatchRow.objects.bulk_create(
            [item.unsaved(batch) for item in assessed], ignore_conflicts=True
        )
        batch = _record_progress(batch.pk, len(rows))
        if batch.status == Batch.Status.PARSING:
            for index in pending[1:]:
                _enqueue_parse(batch.pk, index)
    return batch


def _parse_chunk(batch_id: int, index: int) -> Batch | None:
    """One chunk queued by the upload's task, assessed without holding the batch."""
    batch = (
        Batch.objects.select_related("organisation")
        .filter(pk=batch_id, status=Batch.Status.PARSING)
        .first()
    )
    if batch is None:
        return None
    with translation.override(batch.language):
        try:
            rows = _file_rows(batch)
        except ValidationError as error:
            with transaction.atomic():
                return _failed(batch, error)
        chunks = _chunks(rows)
        if index >= len(chunks) or batch.rows.filter(number=chunks[index][0].number).exists():
            return None
        assessed = assess(batch.organisation, chunks[index], Lookups(batch.organisation))
    with transaction.atomic():
        BatchRow.objects.bulk_create(
            [item.unsaved(batch) for item in assessed], ignore_conflicts=True
        )
        return _record_progress(batch.pk, len(rows))


def _failed(batch: Batch, error: ValidationError) -> Batch:
    logger.warning("Batch %s could not be read", batch.pk, exc_info=True)
    batch.status = Batch.Status.FAILED
    batch.failure = " ".join(error.messages)
    batch.save(update_fields=["status", "failure"])
    return batch


def _record_progress(batch_id: int, total_rows: int) -> Batch:
    """The rows assessed so far, counted with the batch locked: the chunk that records the last
    of them sees every other chunk's (committed before it got the lock) and counts the verdicts."""
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    batch.total_rows = total_rows
    batch.progress = batch.rows.count()
    batch.moved_at = timezone.now()
    if batch.progress < batch.total_rows:
        batch.status = Batch.Status.PARSING
        batch.save(update_fields=["total_rows", "progress", "status", "moved_at"])
        return batch
    cache.delete(_rows_key(batch.pk))
    counts = dict(batch.rows.order_by().values_list("verdict").annotate(count=Count("pk")))
    batch.ok_count = counts.get(BatchRow.Verdict.OK, 0)
    batch.warning_count = counts.get(BatchRow.Verdict.WARNING, 0)
    batch.error_count = counts.get(BatchRow.Verdict.ERROR, 0)
    batch.duplicate_count = counts.get(BatchRow.Verdict.DUPLICATE, 0)
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
            "moved_at",
        ]
    )
    return batch


def _file_rows(batch: Batch) -> list[Row]:
    """The file's rows, read once for all the chunks of a parse (openpyxl takes about 0.3 ms a
    row, as long as a chunk's checks for 5,000 rows) and kept compressed in the cache until
    the last chunk; read from the file again if the cache lost them."""
    cached = cache.get(_rows_key(batch.pk))
    if cached is not None:
        return [Row(number, cells) for number, cells in json.loads(zlib.decompress(cached))]
    with batch.file.open("rb") as stored:
        content = stored.read()
    rows = list(read_rows(content, batch.original_name))
    if len(rows) > CHUNK_ROWS:
        packed = json.dumps([[row.number, row.cells] for row in rows]).encode()
        cache.set(_rows_key(batch.pk), zlib.compress(packed), PROGRESS_SECONDS)
    return rows


def _rows_key(batch_id: int) -> str:
    return f"cpor:batch-rows:{batch_id}"


def _chunks(rows: list[Row]) -> list[list[Row]]:
    """The file's request keys in its order, cut into chunks of about CHUNK_ROWS rows: the same
    cut for every task of a batch."""
    groups = defaultdict(list)
    for row in rows:
        groups[request_key(row)].append(row)
    chunks, chunk = [], []
    for group in groups.values():
        chunk += group
        if len(chunk) >= CHUNK_ROWS:
            chunks.append(chunk)
            chunk = []
    return [*chunks, chunk] if chunk else chunks


@dataclass(frozen=True)
class BatchProof:
    """One proof of execution for every request of a batch, its acknowledgements confirmed."""

    description: str
    uploads: list[Upload]


def batch_file_queue(*, actor, batch: Batch, proof: BatchProof | None = None) -> Batch:
    """Hand a previewed batch to the worker to file, its proof stored with it.

    The claim is a conditional UPDATE from "ready" to "filing": of two clicks or two tabs, one
    queues the batch and the other is told it is already being filed.
    """
    with transaction.atomic():
        updated = Batch.objects.filter(
            Q(ok_count__gt=0) | Q(warning_count__gt=0), pk=batch.pk, status=Batch.Status.READY
        ).update(
            status=Batch.Status.FILING,
            filer=actor,
            submit=proof is not None,
            proof_description=proof.description if proof else "",
            refusal="",
            language=translation.get_language() or "en",
            moved_at=timezone.now(),
        )
        if not updated:
            raise BatchError(_refusal_code(Batch.objects.get(pk=batch.pk)))
        for upload in proof.uploads if proof else []:
            BatchDocument.objects.create(
                batch_id=batch.pk,
                file=upload.file,
                original_name=upload.file.name[:255],
                content_type=upload.content_type,
                template_mark=upload.template_mark,
            )
        services.enqueue_after_commit(
            "associations.bulk.tasks.file_batch",
            batch.pk,
            group="bulk",
            label=f"the filing of batch {batch.pk}",
        )
    return Batch.objects.get(pk=batch.pk)


def _refusal_code(batch: Batch) -> str:
    if batch.status == Batch.Status.FILED:
        return "already_filed"
    if batch.status == Batch.Status.FILING:
        return "filing"
    if batch.status == Batch.Status.READY:
        return "nothing_to_file"
    return "not_ready"


def filing_progress(batch: Batch) -> int:
    """Rows the worker has filed so far: kept in the cache, since the filing's own transaction
    shows nothing to the page until it commits."""
    return cache.get(_progress_key(batch.pk), 0)


def _progress_key(batch_id: int) -> str:
    return f"cpor:batch-filing:{batch_id}"


def batch_file(*, batch_id: int, now: datetime | None = None) -> Batch | None:
    """File every row without errors, one request per request key, all or none; submitted for
    the checks at once when the batch carries a proof. None when another task holds the batch
    or it is not waiting to be filed (a task delivered twice files once).

    The rows are read through the forms again inside the transaction (an MPN ID may have left
    its program, a row may have been filed since the preview): any that no longer passes
    refuses the batch, which is ready again with the reason.
    """
    now = now or timezone.now()
    with transaction.atomic():
        batch = (
            Batch.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organisation", "filer")
            .filter(pk=batch_id, status=Batch.Status.FILING)
            .first()
        )
        if batch is None:
            return None
        with translation.override(batch.language):
            try:
                with transaction.atomic():
                    _file(batch, now)
            except BatchError as error:
                batch.status = Batch.Status.READY
                batch.refusal = error.message
                batch.save(update_fields=["status", "refusal"])
                return batch
        batch.status = Batch.Status.FILED
        batch.filed_at = now
        batch.save(update_fields=["status", "filed_at"])
    cache.delete(_progress_key(batch_id))
    return batch


def _file(batch: Batch, now: datetime) -> None:
    Organisation.objects.select_for_update().get(pk=batch.organisation_id)
    chosen = list(
        batch.rows.filter(verdict__in=(BatchRow.Verdict.OK, BatchRow.Verdict.WARNING)).order_by(
            "number"
        )
    )
    rows = [Row(number=row.number, cells=row.cells) for row in chosen]
    # The directory checks run again when a draft is submitted; here only what may have
    # changed a row's filing: its MPN ID's enrolment, a request filed since the preview.
    assessed = assess(batch.organisation, rows, Lookups(batch.organisation), preflight=False)
    refused = [item for item in assessed if item.verdict == BatchRow.Verdict.ERROR]
    refused += [item for item in assessed if item.verdict == BatchRow.Verdict.DUPLICATE]
    if refused:
        raise BatchError(
            "rows_changed", reasons="; ".join(filing_refusal(item) for item in refused[:5])
        )
    by_key = defaultdict(list)
    for item in assessed:
        by_key[request_key(item.row)].append(item)
    uploads = [
        Upload(
            file=File(document.file.open("rb"), name=document.original_name),
            content_type=document.content_type,
            template_mark=document.template_mark,
        )
        for document in batch.documents.all()
    ]
    filed = {}
    for items in by_key.values():
        fields = items[0].fields
        if batch.submit:
            fields = {
                **fields,
                "proof_description": batch.proof_description,
                **dict.fromkeys(ACKNOWLEDGED_IN, True),
            }
        request = services.request_create(
            actor=batch.filer,
            organisation=batch.organisation,
            fields=fields,
            rows=[item.claim for item in items],
            uploads=uploads,
            submit=batch.submit,
            now=now,
        )
        for item in items:
            filed[item.row.number] = request
        cache.set(_progress_key(batch.pk), len(filed), PROGRESS_SECONDS)
    for upload in uploads:
        upload.file.close()
    for row in chosen:
        row.request = filed[row.number]
    BatchRow.objects.bulk_update(chosen, ["request"])
    batch.requests.add(*{request.pk for request in filed.values()})


# A busy batch the worker has not moved on for this long is stuck: its task was lost or
# failed every attempt (a chunk or a filing takes well under a minute).
STUCK_AFTER = timedelta(hours=1)
_STOPPED_READING = _("The worker stopped reading this file. Nothing was filed; upload it again.")
STUCK = {
    Batch.Status.QUEUED: _STOPPED_READING,
    Batch.Status.PARSING: _STOPPED_READING,
    Batch.Status.FILING: _(
        "The worker stopped filing these rows. Nothing was filed (a batch files all of its rows "
        "or none); upload the file again to file them."
    ),
}


def sweep_stuck_batches(*, now: datetime | None = None) -> int:
    """Mark every batch stuck in the worker for over `STUCK_AFTER` as failed, with the reason
    in the uploader's language. A conditional UPDATE: a batch the worker moves on meanwhile
    (it holds the row while it works) no longer matches."""
    cutoff = (now or timezone.now()) - STUCK_AFTER
    swept = 0
    for status, reason in STUCK.items():
        stuck = Batch.objects.filter(status=status, moved_at__lt=cutoff)
        for language in set(stuck.values_list("language", flat=True)):
            with translation.override(language):
                swept += stuck.filter(language=language).update(
                    status=Batch.Status.FAILED, failure=str(reason)
                )
    if swept:
        logger.warning("Swept %s bulk filing batches stuck in the worker", swept)
    return swept
