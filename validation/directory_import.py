"""The customer directory import: every row validated, then the file applied set-based.

Rows are cleaned one by one as they stream in (the same fields and messages as before), written
to temporary files in COPY's text format, then loaded by COPY into temporary tables and applied
in a few statements within one transaction: an UPDATE of the rows that differ, an INSERT of the
new ones, and for a full import a count of the rows the file no longer lists (deleted only with
`prune`). An unchanged row is compared and left alone, so a re-import writes nothing. A
`changes` file applies what it lists, removals included, and leaves everything else alone.
"""

import tempfile
from collections.abc import Callable, Iterable
from uuid import UUID

from django import forms
from django.db import connection, transaction

from core.forms import OneLineField
from partners.catalog import Channel, SolutionArea
from validation.directory_files import ImportRowError, Record
from validation.domains import normalise_domain
from validation.import_rows import (
    ImportReport,
    check_text,
    clean_row,
    remember_cleaned,
    rows_of,
)
from validation.models import Domain, Product, Subscription, SubscriptionState, Tenant
from validation.signals import directory_domains_in_use, directory_imported

# Above this many changed subscriptions the re-check runs over all approved claims (one query)
# instead of carrying the list to the worker.
LISTED_CHANGES_LIMIT = 50_000
REMOVAL_KINDS = ("tenant", "domain", "subscription")
# Dropped at the end too: inside an outer transaction (a test) ON COMMIT comes too late.
TEMPORARY = ("s_product", "s_tenant", "s_domain", "s_subscription", "s_remove")


class DomainField(forms.CharField):
    def clean(self, value):
        return normalise_domain(super().clean(value))


class ProductRow(forms.Form):
    code = forms.SlugField(max_length=64)
    name = OneLineField(max_length=200)
    solution_area = forms.ChoiceField(choices=SolutionArea.choices)


class TenantRow(forms.Form):
    tenant_id = forms.UUIDField()
    display_name = OneLineField(max_length=200)


class DomainRow(forms.Form):
    name = DomainField(max_length=253)
    initial = forms.NullBooleanField(required=False)


class SubscriptionRow(forms.Form):
    subscription_id = forms.UUIDField()
    product = forms.SlugField(max_length=64)
    channel = forms.ChoiceField(choices=Channel.choices)
    provisioned = forms.NullBooleanField(required=False)
    state = forms.ChoiceField(choices=SubscriptionState.choices)


remember_cleaned(
    ProductRow.base_fields["solution_area"],
    DomainRow.base_fields["initial"],
    *(SubscriptionRow.base_fields[name] for name in ("product", "channel", "provisioned", "state")),
)

REMOVAL_FIELDS = {
    "tenant": forms.UUIDField(),
    "domain": DomainField(max_length=253),
    "subscription": forms.UUIDField(),
}

_BOOL = {True: "t", False: "f", None: "f"}  # a domain's `initial`: absent means no
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if type(value) is str:
        return value.translate(_ESCAPES)
    if isinstance(value, UUID):
        return str(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value).translate(_ESCAPES)


class _Stage:
    """One temporary table's rows, spooled to a file in COPY's text format until the COPY."""

    BATCH = 5000

    def __init__(self, table: str, columns: str):
        self.table = table
        self.columns = columns
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (directory_apply closes it)
        self.lines: list[str] = []

    def add(self, *values) -> None:
        self.add_plain(*map(_copy_value, values))

    def add_plain(self, *values: str) -> None:
        """Values that need no escaping: cleaned UUIDs, codes, choices, domain names."""
        self.lines.append("\t".join(values))
        if len(self.lines) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self.lines:
            self.file.write(("\n".join(self.lines) + "\n").encode("utf-8"))
            self.lines.clear()

    def load(self, cursor) -> None:
        self._flush()
        self.file.seek(0)
        cursor.execute(f"CREATE TEMP TABLE {self.table} ({self.columns}) ON COMMIT DROP")
        names = ", ".join(column.split()[0] for column in self.columns.split(", "))
        with cursor.cursor.copy(f"COPY {self.table} ({names}) FROM STDIN") as copy:
            while chunk := self.file.read(1 << 20):
                copy.write(chunk)


def _stages() -> dict[str, _Stage]:
    return {
        "product": _Stage("stage_product", "seq int, code text, name text, solution_area text"),
        "tenant": _Stage("stage_tenant", "seq int, tenant_id uuid, display_name text"),
        "domain": _Stage(
            "stage_domain", "seq int, position text, name text, tenant_id uuid, is_initial bool"
        ),
        "subscription": _Stage(
            "stage_subscription",
            "seq int, position text, subscription_id uuid, tenant_id uuid, product text, "
            "channel text, provisioned bool, state text",
        ),
        "remove": _Stage("stage_remove", "seq int, kind text, key text"),
    }


def _stage_record(stages: dict[str, _Stage], record: Record, seq: int, changes: bool) -> int:
    """Clean one record into the stages; returns the number of rows it held. Each row's
    `seq` is its number in the file, so the last of two rows with one key wins."""
    position, row = record.position, record.row
    if record.kind == "product":
        product = clean_row(ProductRow, row, position)
        stages["product"].add(seq, product["code"], product["name"], product["solution_area"])
        return 1
    if record.kind == "remove":
        if not changes:
            raise ImportRowError(position, "removals belong in a --changes file")
        kind, key = _removal(row, position)
        stages["remove"].add(seq, kind, key)
        return 1
    tenant = clean_row(TenantRow, row, position, nested=("domains", "subscriptions"))
    tenant_id = str(tenant["tenant_id"])
    stages["tenant"].add(seq, tenant_id, tenant["display_name"])
    rows = 1
    for index, domain_row in enumerate(rows_of(row, "domains", f"{position}.")):
        domain_position = f"{position}.domains[{index}]"
        domain = clean_row(DomainRow, domain_row, domain_position)
        stages["domain"].add_plain(
            str(seq + rows), domain_position, domain["name"], tenant_id, _BOOL[domain["initial"]]
        )
        rows += 1
    for index, sub_row in enumerate(rows_of(row, "subscriptions", f"{position}.")):
        sub_position = f"{position}.subscriptions[{index}]"
        sub = clean_row(SubscriptionRow, sub_row, sub_position)
        stages["subscription"].add_plain(
            str(seq + rows),
            sub_position,
            str(sub["subscription_id"]),
            tenant_id,
            sub["product"],
            sub["channel"],
            "f" if sub["provisioned"] is False else "t",
            sub["state"],
        )
        rows += 1
    return rows


def _removal(row, position: str) -> tuple[str, str]:
    if not isinstance(row, dict) or len(row) != 1 or next(iter(row)) not in REMOVAL_KINDS:
        raise ImportRowError(
            position, 'a removal is one of {"tenant": ID}, {"domain": NAME}, {"subscription": ID}'
        )
    kind, value = next(iter(row.items()))
    check_text(value, f"{position}.{kind}")
    try:
        return kind, str(REMOVAL_FIELDS[kind].clean(value))
    except forms.ValidationError as error:
        raise ImportRowError(f"{position}.{kind}", " ".join(error.messages)) from None


def directory_apply(
    *,
    records: Iterable[Record],
    changes: bool = False,
    prune: bool = False,
    allow_moves: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the records in one transaction; the first bad row raises ImportRowError."""
    report = ImportReport()
    stages = _stages()
    try:
        for record in records:
            rows = _stage_record(stages, record, report.rows, changes)
            report.rows += rows
            if progress is not None:
                progress(rows)
        with transaction.atomic(), connection.cursor() as cursor:
            for stage in stages.values():
                stage.load(cursor)
            _check_products(cursor)
            _deduplicate(cursor)
            _check_moves(cursor, report, allow_moves)
            cursor.execute(
                "CREATE TEMP TABLE changed_subscription "
                "(subscription_id uuid, tenant_id uuid, product_id int) ON COMMIT DROP"
            )
            _apply(cursor, report)
            if changes:
                _remove_listed(cursor, report)
            else:
                _missing(cursor, report, prune)
            changed = _changed_subscriptions(cursor)
            cursor.execute(f"DROP TABLE changed_subscription, {', '.join(TEMPORARY)}")
            if report.changed:
                transaction.on_commit(
                    lambda: directory_imported.send(sender=directory_apply, subscriptions=changed)
                )
    finally:
        for stage in stages.values():
            stage.file.close()
    return report


def _check_products(cursor) -> None:
    cursor.execute(
        f"""SELECT s.position, s.product FROM stage_subscription s
        WHERE NOT EXISTS (SELECT 1 FROM {Product._meta.db_table} p WHERE p.code = s.product)
        AND NOT EXISTS (SELECT 1 FROM stage_product p WHERE p.code = s.product)
        ORDER BY s.seq LIMIT 1"""
    )
    unknown = cursor.fetchone()
    if unknown:
        raise ImportRowError(f"{unknown[0]}.product", f"unknown product {unknown[1]!r}")


def _deduplicate(cursor) -> None:
    """The last row of a key wins, as it did when rows were upserted one by one."""
    for table, key in (
        ("product", "code"),
        ("tenant", "tenant_id"),
        ("domain", "name"),
        ("subscription", "subscription_id"),
        ("remove", "kind, key"),
    ):
        cursor.execute(
            f"CREATE TEMP TABLE s_{table} ON COMMIT DROP AS SELECT DISTINCT ON ({key}) * "
            f"FROM stage_{table} ORDER BY {key}, seq DESC"
        )
        cursor.execute(f"DROP TABLE stage_{table}")
        cursor.execute(f"ANALYZE s_{table}")


def _check_moves(cursor, report: ImportReport, allow_moves: bool) -> None:
    cursor.execute(
        f"""SELECT s.position, s.name, d.tenant_id, s.tenant_id
        FROM s_domain s JOIN {Domain._meta.db_table} d ON d.name = s.name
        WHERE d.tenant_id <> s.tenant_id ORDER BY s.seq"""
    )
    moves = cursor.fetchall()
    report.moved_domains = len(moves)
    if not moves or allow_moves:
        return
    names = [move[1] for move in moves]
    in_use = set()
    for _receiver, used in directory_domains_in_use.send(sender=directory_apply, names=names):
        in_use |= set(used)
    for position, name, old, new in moves:
        if name in in_use:
            raise ImportRowError(
                f"{position}.name",
                f"{name} would move from tenant {old} to tenant {new}, and claims use it "
                "(--allow-moves moves it)",
            )


def _count(cursor, label, report: ImportReport, updated_sql: str, created_sql: str) -> None:
    cursor.execute(f"SELECT count(*) FROM s_{label}")
    total = cursor.fetchone()[0]
    cursor.execute(updated_sql)
    updated = cursor.rowcount
    cursor.execute(created_sql)
    created = cursor.rowcount
    name = {
        "product": Product,
        "tenant": Tenant,
        "domain": Domain,
        "subscription": Subscription,
    }[label]._meta.verbose_name_plural
    report.created[name] += created
    report.updated[name] += updated
    report.unchanged[name] += total - created - updated


def _apply(cursor, report: ImportReport) -> None:
    products = Product._meta.db_table
    tenants = Tenant._meta.db_table
    domains = Domain._meta.db_table
    subscriptions = Subscription._meta.db_table
    _count(
        cursor,
        "product",
        report,
        f"""UPDATE {products} t SET name = s.name, solution_area = s.solution_area
        FROM s_product s WHERE t.code = s.code
        AND (t.name, t.solution_area) IS DISTINCT FROM (s.name, s.solution_area)""",
        f"""INSERT INTO {products} (code, name, solution_area)
        SELECT code, name, solution_area FROM s_product s
        WHERE NOT EXISTS (SELECT 1 FROM {products} t WHERE t.code = s.code)""",
    )
    _count(
        cursor,
        "tenant",
        report,
        f"""UPDATE {tenants} t SET display_name = s.display_name
        FROM s_tenant s WHERE t.tenant_id = s.tenant_id AND t.display_name <> s.display_name""",
        f"""INSERT INTO {tenants} (tenant_id, display_name)
        SELECT tenant_id, display_name FROM s_tenant s
        WHERE NOT EXISTS (SELECT 1 FROM {tenants} t WHERE t.tenant_id = s.tenant_id)""",
    )
    _count(
        cursor,
        "domain",
        report,
        f"""UPDATE {domains} t SET tenant_id = s.tenant_id, is_initial = s.is_initial
        FROM s_domain s WHERE t.name = s.name
        AND (t.tenant_id, t.is_initial) IS DISTINCT FROM (s.tenant_id, s.is_initial)""",
        f"""INSERT INTO {domains} (name, tenant_id, is_initial)
        SELECT name, tenant_id, is_initial FROM s_domain s
        WHERE NOT EXISTS (SELECT 1 FROM {domains} t WHERE t.name = s.name)""",
    )
    staged = f"""SELECT s.subscription_id, s.tenant_id, p.id AS product_id, s.channel,
        s.provisioned, s.state FROM s_subscription s JOIN {products} p ON p.code = s.product"""
    columns = "(tenant_id, product_id, channel, provisioned, state)"
    # The old row, joined again, gives the values before the update: the claims they carried
    # are the ones to re-check.
    _count(
        cursor,
        "subscription",
        report,
        f"""WITH changed AS (
            UPDATE {subscriptions} t SET tenant_id = s.tenant_id, product_id = s.product_id,
            channel = s.channel, provisioned = s.provisioned, state = s.state
            FROM ({staged}) s, {subscriptions} old
            WHERE t.subscription_id = s.subscription_id
            AND old.subscription_id = t.subscription_id
            AND (t.tenant_id, t.product_id, t.channel, t.provisioned, t.state)
                IS DISTINCT FROM (s.tenant_id, s.product_id, s.channel, s.provisioned, s.state)
            RETURNING old.subscription_id, old.tenant_id, old.product_id
        ) INSERT INTO changed_subscription SELECT * FROM changed""",
        f"""INSERT INTO {subscriptions} (subscription_id, {columns[1:]}
        SELECT subscription_id, tenant_id, product_id, channel, provisioned, state
        FROM ({staged}) s
        WHERE NOT EXISTS (SELECT 1 FROM {subscriptions} t
            WHERE t.subscription_id = s.subscription_id)""",
    )


def _delete(cursor, report: ImportReport, model, where: str) -> None:
    """Delete the rows `where` selects (subscriptions first, and a tenant's rows with it)."""
    table = model._meta.db_table
    if model is Tenant:
        _delete(
            cursor,
            report,
            Subscription,
            f"tenant_id IN (SELECT tenant_id FROM {table} WHERE {where})",
        )
        _delete(
            cursor, report, Domain, f"tenant_id IN (SELECT tenant_id FROM {table} WHERE {where})"
        )
    if model is Subscription:
        cursor.execute(
            f"""WITH gone AS (DELETE FROM {table} WHERE {where}
            RETURNING subscription_id, tenant_id, product_id)
            INSERT INTO changed_subscription SELECT * FROM gone"""
        )
    else:
        cursor.execute(f"DELETE FROM {table} WHERE {where}")
    report.removed[model._meta.verbose_name_plural] += cursor.rowcount


def _remove_listed(cursor, report: ImportReport) -> None:
    for model, key, kind, cast in (
        (Subscription, "subscription_id", "subscription", "::uuid"),
        (Domain, "name", "domain", ""),
        (Tenant, "tenant_id", "tenant", "::uuid"),
    ):
        _delete(
            cursor,
            report,
            model,
            f"{key} IN (SELECT key{cast} FROM s_remove WHERE kind = '{kind}')",
        )


MISSING = (
    (Subscription, "subscription_id"),
    (Domain, "name"),
    (Tenant, "tenant_id"),
)


def _missing(cursor, report: ImportReport, prune: bool) -> None:
    """A full import lists the whole directory: what it no longer lists is counted, and
    deleted only when asked, as a truncated file must not empty the directory."""
    for model, key in MISSING:
        label = model._meta.model_name
        table = model._meta.db_table
        where = f"NOT EXISTS (SELECT 1 FROM s_{label} s WHERE s.{key} = {table}.{key})"
        if prune:
            _delete(cursor, report, model, where)
        else:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE {where}")
            report.would_remove[model._meta.verbose_name_plural] += cursor.fetchone()[0]


def _changed_subscriptions(cursor) -> list[tuple[UUID, UUID, int]] | None:
    """The changed or removed subscriptions as they were, or None when too many to list."""
    cursor.execute("SELECT count(*) FROM changed_subscription")
    if cursor.fetchone()[0] > LISTED_CHANGES_LIMIT:
        return None
    cursor.execute("SELECT DISTINCT * FROM changed_subscription")
    return cursor.fetchall()
