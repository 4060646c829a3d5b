"""Fill the bench database fast: Django's `migrate` for the schema, then COPY for the rows.

At scale 1: 10,000 partner organisations (one of them with 100,000 claims over six MPN IDs),
200,000 customer tenants with two domains and five to six subscriptions each, and 1,000,000
claims in about 525,000 requests (1-3 claims each) with the proof, documents, comments, status
events, check results, information requests, disputes and arbitration cases that go with them.

Rows are formatted in Python and streamed by a second thread through `cursor.copy`, while the
secondary indexes, unique constraints and foreign keys of the loaded tables are dropped; they are
re-created afterwards, which also validates every row against them (`one_approved_claim_per_key`,
`one_open_case_per_key`, every foreign key). The data is deterministic for a given scale and seed.
"""

import queue
import random
import threading
import time
from bisect import bisect
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import psycopg
import psycopg.sql
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.db import connection

from associations.choices import Event
from bench.db import connect_kwargs

GENERATOR_VERSION = 3
MARKER_TABLE = "bench_meta"
PASSWORD = "bench-password"  # noqa: S105 (benchmark data only, never a real account)

DAY = 86_400
NULL = "\\N"

# (id, code, name): the demo catalog's products.
BA_PRODUCTS = [
    (1, "d365-sales", "Dynamics 365 Sales"),
    (2, "d365-customer-service", "Dynamics 365 Customer Service"),
    (3, "d365-field-service", "Dynamics 365 Field Service"),
    (4, "d365-business-central", "Dynamics 365 Business Central"),
    (5, "power-apps", "Power Apps Premium"),
]
M365_PRODUCTS = [
    (6, "exchange", "Exchange Online"),
    (7, "sharepoint", "SharePoint Online"),
    (8, "teams", "Microsoft Teams"),
    (9, "onedrive", "OneDrive for Business"),
    (10, "intune", "Microsoft Intune"),
]
BA = "business_applications"
M365 = "microsoft_365"
BA_ACTIVITIES = ["pre_sales", "usage", "revenue_association"]
ACTIVITY_INDEX = {"pre_sales": 0, "usage": 1, "revenue_association": 2}
BA_SLOTS = 3  # subscription slots 0-2 hold Dynamics products, 3-5 Microsoft 365 workloads
CHANNELS = ["volume_licensing", "web_direct", "csp"]

# Claim status mixes (weights) for requests filed long ago and in the last weeks.
OLD_MIX = {
    "approved": 400,
    "ended": 170,
    "rejected": 160,
    "rejected_final": 40,
    "withdrawn": 120,
    "action_needed": 90,
    "under_review": 8,
    "info_requested": 3,
    "disputed": 3,
}
RECENT_MIX = {
    "approved": 230,
    "rejected": 60,
    "withdrawn": 40,
    "action_needed": 180,
    "under_review": 400,
    "info_requested": 50,
    "disputed": 10,
}
RECENT_FROM = 0.97  # the newest 3% of the claims are "recent"
VALIDATING_FROM = 0.999  # the newest 0.1%: some requests still being checked
# One result per check that ran (validation/checks.py), passed or failed.
REQUEST_CHECKS = ["tenant_not_found", "domain_tenant_mismatch"]
BA_CHECKS = [
    "product_not_in_tenant",
    "not_a_subscription_id",
    "subscription_not_in_tenant",
    "subscription_not_dynamics",
    "subscription_product_mismatch",
    "subscription_is_csp",
    "subscription_not_provisioned",
    "subscription_inactive",
    "subscription_already_claimed",
]
M365_CHECKS = [
    "product_not_in_tenant",
    "subscription_inactive",
    "subscription_not_provisioned",
    "subscription_already_claimed",
]
FAILING = {  # the checks an "action needed" claim fails
    BA: [
        "subscription_inactive",
        "subscription_is_csp",
        "subscription_not_provisioned",
        "subscription_already_claimed",
        "subscription_product_mismatch",
    ],
    M365: ["subscription_inactive", "subscription_not_provisioned", "subscription_already_claimed"],
}
FINAL_ACTIONS = {
    "action_needed": (Event.CLAIM_CHECKS_FAILED, "validating"),
    "under_review": (Event.CLAIM_CHECKS_PASSED, "validating"),
    "in_arbitration": (Event.CLAIM_CONTESTED, "validating"),
    "approved": (Event.CLAIM_APPROVED, "under_review"),
    "rejected": (Event.CLAIM_REJECTED, "under_review"),
    "rejected_final": (Event.DISPUTE_REFUSED, "disputed"),
    "ended": (Event.CLAIM_DISASSOCIATED, "approved"),
    "withdrawn": (Event.CLAIM_WITHDRAWN, "under_review"),
    "info_requested": (Event.CLAIM_INFO_REQUESTED, "under_review"),
    "disputed": (Event.CLAIM_DISPUTED, "rejected"),
}
REASONS = {
    "rejected": ["insufficient_proof"] * 7 + ["no_response"] * 2 + ["customer_declined"],
    "rejected_final": ["insufficient_proof"],
    "ended": ["subscription_ended"] * 3 + ["partner_request"],
    "withdrawn": ["partner_request"],
}
QUEUE_DUE_DAYS = 7
COUNTRIES = ["CZ", "DE", "FR", "GB", "US", "PL", "NL", "SE", "ES", "IT"]


@dataclass
class Plan:
    scale: float
    seed: int
    organisations: int
    tenants: int
    reserved_tenants: int  # never claimed in the data: the worker scenarios file against them
    claims: int
    big_org_claims: int

    @classmethod
    def for_scale(cls, scale: float, seed: int = 42) -> "Plan":
        tenants = max(1_500, round(200_000 * scale))
        return cls(
            scale=scale,
            seed=seed,
            organisations=max(30, round(10_000 * scale)),
            tenants=tenants,
            reserved_tenants=min(1_000, tenants // 3),
            claims=max(3_000, round(1_000_000 * scale)),
            big_org_claims=max(1_000, round(100_000 * scale)),
        )


@dataclass
class Generated:
    """What the scenarios need to know about the data; stored in the marker table."""

    plan: dict
    generator_version: int = GENERATOR_VERSION
    generated_at: str = ""
    seconds: float = 0.0
    counts: dict = field(default_factory=dict)
    big_org_id: int = 1
    big_org_users: dict = field(default_factory=dict)  # role -> username
    superuser: str = "bench-admin"
    reviewer: str = "bench-reviewer"
    max_ids: dict = field(default_factory=dict)  # table -> max id after generation
    reserved_tenants: list = field(default_factory=list)  # [first, last] tenant index
    password: str = PASSWORD


def tenant_uuid(ti: int) -> str:
    return f"7e000000-0000-4000-8000-{ti:012x}"


def subscription_uuid(ti: int, slot: int) -> str:
    return f"5b000000-0000-4000-8000-{ti * 8 + slot:012x}"


def tenant_domain(ti: int) -> str:
    return f"customer{ti}.example"


def ba_slots(ti: int) -> int:
    return 2 + ti % 2


def slot_product(ti: int, slot: int) -> int:
    if slot < BA_SLOTS:
        return BA_PRODUCTS[(ti + slot) % 5][0]
    return M365_PRODUCTS[(ti + slot) % 5][0]


def _mix(ti: int, slot: int, salt: int) -> int:
    return ((ti * 8 + slot) * 2654435761 + salt * 40503) % 1000


def subscription_terms(ti: int, slot: int, reserved: bool) -> tuple[str, str, bool]:
    """(channel, state, provisioned) of a subscription; reserved tenants pass every check."""
    if reserved:
        return "volume_licensing", "active", True
    h = _mix(ti, slot, 1)
    channel = CHANNELS[0] if h < 600 else CHANNELS[1] if h < 900 else CHANNELS[2]
    h = _mix(ti, slot, 2)
    state = (
        "active"
        if h < 900
        else "in_grace"
        if h < 940
        else "expired"
        if h < 970
        else "disabled"
        if h < 990
        else "deleted"
    )
    return channel, state, _mix(ti, slot, 3) < 985


# --- schema ----------------------------------------------------------------------------------

TABLES = {
    "auth_user": "id password last_login is_superuser username first_name last_name email "
    "is_staff is_active date_joined",
    "partners_organisation": "id name created_at",
    "partners_incentiveprogram": "id solution_area name",
    "partners_mpnid": "id organisation_id mpn_id location_name country partner_type",
    "partners_enrolment": "id mpn_id program_id enrolled_at enrolled_by_id",
    "partners_membership": "id user_id organisation_id role",
    "validation_product": "id code name solution_area",
    "validation_tenant": "tenant_id display_name",
    "validation_domain": "id name tenant_id is_initial",
    "validation_subscription": "subscription_id tenant_id product_id channel provisioned state",
    "associations_associationrequest": "id organisation_id author_id mpn_id claim_name tenant_id "
    "domain solution_area activity customer_contact_name customer_contact_title "
    "customer_contact_email partner_contact_name partner_contact_email solution_seller_name "
    "isv_product_name opt_out_of_incentives proof_description ack_customer_signature "
    "ack_current_dates ack_partner_services ack_all_products created_at submitted_at",
    "associations_claim": "id request_id product_id subscription_id tenant_id activity "
    "organisation_id mpn_id solution_area filed_at status status_changed_at due_at reason "
    "reason_text",
    "associations_checkresult": "id request_id claim_id code passed related_request_id checked_at",
    "associations_proof": "id request_id claim_id description author_id created_at",
    "associations_proofdocument": "id proof_id file original_name content_type size",
    "associations_comment": "id request_id author_id kind body created_at",
    "associations_statusevent": "id request_id claim_id action actor_id from_status to_status "
    "reason payload created_at",
    "disputes_arbitrationcase": "id tenant_id product_id activity subscription_id status "
    "opened_at due_at overdue_flagged_at working_with_owner winner_id decided_at decided_by_id "
    "rationale",
    "disputes_arbitrationcase_claims": "id arbitrationcase_id claim_id",
    "disputes_informationrequest": "id claim_id reviewer_id reason question return_status "
    "asked_at due_at answered_at answer",
    "disputes_dispute": "id claim_id statement filed_by_id filed_at due_at answered_at "
    "answered_by_id upheld rationale",
}


def _log(message: str) -> None:
    print(f"  [generate] {message}", flush=True)


def _default_missing_columns(conn) -> list[str]:
    """Columns the generator does not fill (added to the app after it was written) get their
    model field's default for the load, so a new `language = CharField(blank=True)` needs no
    change here. Returns the statements that remove those temporary defaults again."""
    from django.apps import apps

    models = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    undo = []
    for table, columns in TABLES.items():
        filled = set(columns.split())
        missing = conn.execute(
            """
            SELECT column_name FROM information_schema.columns
             WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL
               AND NOT (column_name = ANY(%s))
            """,
            [table, list(filled)],
        ).fetchall()
        for (column,) in missing:
            model_field = next(
                (f for f in models[table]._meta.concrete_fields if f.column == column), None
            )
            if model_field is None or (not model_field.has_default() and not model_field.blank):
                raise RuntimeError(
                    f"{table}.{column} is required and has no default: teach bench/generate.py"
                )
            value = model_field.get_db_prep_save(model_field.get_default(), connection)
            literal = psycopg.sql.Literal(value).as_string(conn)
            conn.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {literal}')
            undo.append(f'ALTER TABLE {table} ALTER COLUMN "{column}" DROP DEFAULT')
            _log(f"{table}.{column} is filled with its default {literal}")
    return undo


def _constraints_and_indexes(conn) -> list[tuple[str, str, str, str]]:
    """(kind, table, name, definition) of the secondary indexes, unique constraints and foreign
    keys of the loaded tables: dropped before COPY, re-created after it."""
    tables = list(TABLES)
    found = []
    for table, name, kind, definition in conn.execute(
        """
        SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
          FROM pg_constraint c
         WHERE c.conrelid::regclass::text = ANY(%s) AND c.contype IN ('f', 'u')
        """,
        [tables],
    ):
        found.append(("fk" if kind == "f" else "unique", table, name, definition))
    for table, name, definition in conn.execute(
        """
        SELECT i.indrelid::regclass::text, ci.relname, pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
         WHERE i.indrelid::regclass::text = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    ):
        found.append(("index", table, name, definition))
    return found


def _drop(conn, items) -> None:
    for kind, table, name, _definition in sorted(items, key=lambda item: item[0] != "fk"):
        if kind == "index":
            conn.execute(f'DROP INDEX "{name}"')
        else:
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')


def _recreate(database: dict, items) -> None:
    """Indexes and unique constraints on two connections, then foreign keys (which validate)."""

    def run(statement: str) -> None:
        with psycopg.connect(**connect_kwargs(database)) as conn:
            conn.execute("SET maintenance_work_mem = '512MB'")
            conn.execute(statement)

    def statement(kind, table, name, definition) -> str:
        if kind == "index":
            return definition
        return f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'

    heavy_first = sorted(items, key=lambda item: item[1] not in _BIG_TABLES)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda i: run(statement(*i)), [i for i in heavy_first if i[0] != "fk"]))
        list(pool.map(lambda i: run(statement(*i)), [i for i in heavy_first if i[0] == "fk"]))


_BIG_TABLES = {
    "associations_claim",
    "associations_statusevent",
    "associations_associationrequest",
    "associations_proof",
    "associations_comment",
    "validation_subscription",
    "validation_domain",
}


# --- COPY ------------------------------------------------------------------------------------


class CopyStream:
    """Buffers rows per table and sends them with COPY from a second thread and connection,
    so the server parses one batch while Python formats the next."""

    BATCH_ROWS = 40_000

    def __init__(self, database: dict):
        self.database = database
        self.buffers: dict[str, list[str]] = {table: [] for table in TABLES}
        self.counts: dict[str, int] = dict.fromkeys(TABLES, 0)
        self.pending: dict[str, int] = dict.fromkeys(TABLES, 0)  # extra rows of add_many
        self.queue: queue.Queue = queue.Queue(maxsize=6)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._send, daemon=True)
        self.thread.start()

    def _send(self) -> None:
        try:
            with psycopg.connect(**connect_kwargs(self.database)) as conn:
                conn.execute("SET synchronous_commit = off")
                while (item := self.queue.get()) is not None:
                    table, data = item
                    columns = ", ".join(TABLES[table].split())
                    statement = f"COPY {table} ({columns}) FROM STDIN"
                    with conn.cursor() as cursor, cursor.copy(statement) as copy:
                        copy.write(data)
        except BaseException as error:  # reported by the main thread
            self.error = error
            while self.queue.get() is not None:  # unblock the producer
                pass

    def add(self, table: str, line: str) -> None:
        buffer = self.buffers[table]
        buffer.append(line)
        if len(buffer) >= self.BATCH_ROWS:
            self.flush(table)

    def add_many(self, table: str, lines: str, count: int) -> None:
        """Several rows at once (`count` lines in `lines`)."""
        buffer = self.buffers[table]
        buffer.append(lines)
        self.pending[table] += count - 1
        if len(buffer) + self.pending[table] >= self.BATCH_ROWS:
            self.flush(table)

    def flush(self, table: str) -> None:
        buffer = self.buffers[table]
        if buffer:
            self.counts[table] += len(buffer) + self.pending[table]
            self.pending[table] = 0
            if self.error:
                raise RuntimeError(f"COPY failed: {self.error}") from self.error
            self.queue.put((table, "".join(buffer).encode()))
            self.buffers[table] = []

    def close(self) -> None:
        for table in TABLES:
            self.flush(table)
        self.queue.put(None)
        self.thread.join()
        if self.error:
            raise RuntimeError(f"COPY failed: {self.error}") from self.error


def _ts(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(sep=" ")


def _b(value: bool) -> str:
    return "t" if value else "f"


# --- the generator ---------------------------------------------------------------------------


class Generator:
    def __init__(self, plan: Plan, database: dict):
        self.plan = plan
        self.rng = random.Random(plan.seed)
        self.out = CopyStream(database)
        self.now = time.time() - 3_600
        self.start = self.now - 5 * 365 * DAY
        self.ids: dict[str, int] = {}
        self.approved: dict[int, tuple] = {}  # claim key -> (claim id, org id, ti, product, act)
        self.approved_keys: list[int] = []
        self.open_cases: dict[int, list] = {}  # claim key -> case
        self.cases: list[list] = []

    def next_id(self, table: str) -> int:
        value = self.ids.get(table, 0) + 1
        self.ids[table] = value
        return value

    # Catalog, partners, users -------------------------------------------------------------

    def catalog(self) -> None:
        for pk, code, name in BA_PRODUCTS:
            self.out.add("validation_product", f"{pk}\t{code}\t{name}\t{BA}\n")
        for pk, code, name in M365_PRODUCTS:
            self.out.add("validation_product", f"{pk}\t{code}\t{name}\t{M365}\n")
        self.out.add("partners_incentiveprogram", f"1\t{BA}\tBusiness Applications incentives\n")
        self.out.add("partners_incentiveprogram", f"2\t{M365}\tMicrosoft 365 incentives\n")

    def partners(self) -> None:
        plan = self.plan
        password = make_password(PASSWORD)
        joined = _ts(self.start - 30 * DAY)
        n = plan.organisations
        self.org_mpns: list[list[tuple[int, set]]] = [[] for _ in range(n + 1)]
        for org in range(1, n + 1):
            name = "Big Partner a.s." if org == 1 else f"Partner {org:05d} s.r.o."
            self.out.add("partners_organisation", f"{org}\t{name}\t{joined}\n")
            count = 6 if org == 1 else 1 + (org % 3 == 0) + (org % 7 == 0)
            for k in range(count):
                mpn = self.next_id("partners_mpnid")
                if org == 1:
                    areas = [{BA, M365}, {BA, M365}, {BA}, {M365}, {BA, M365}, set()][k]
                    partner_type = "FastTrack Ready Partner" if k == 0 else ""
                else:
                    areas = {a for a, keep in ((BA, mpn % 5 != 4), (M365, mpn % 3 != 2)) if keep}
                    areas = areas or {BA}
                    partner_type = "FastTrack Ready Partner" if mpn % 37 == 0 else ""
                self.out.add(
                    "partners_mpnid",
                    f"{mpn}\t{org}\t{1_000_000 + mpn}\tLocation {k + 1}\t"
                    f"{COUNTRIES[(org + k) % len(COUNTRIES)]}\t{partner_type}\n",
                )
                for program, area in ((1, BA), (2, M365)):
                    if area in areas:
                        self.out.add(
                            "partners_enrolment",
                            f"{self.next_id('partners_enrolment')}\t{mpn}\t{program}\t{joined}"
                            f"\t{NULL}\n",
                        )
                self.org_mpns[org].append((mpn, areas))
        # One Global admin per organisation (user id = organisation id) authors its requests;
        # the big organisation also has an Incentives and a Billing admin.
        for org in range(1, n + 1):
            username = "big-global" if org == 1 else f"org{org}-global"
            self._user(org, username, f"{username}@partner{org}.example", password, joined)
            self._membership(org, org, "global_admin")
        self.users = {"global_admin": "big-global"}
        for role, username in (
            ("incentives_admin", "big-incentives"),
            ("billing_admin", "big-billing"),
        ):
            user = n + len(self.users)
            self._user(user, username, f"{username}@partner1.example", password, joined)
            self._membership(user, 1, role)
            self.users[role] = username
        self.superuser_id = n + 3
        self._user(
            self.superuser_id,
            "bench-admin",
            "admin@vendor.example",
            password,
            joined,
            superuser=True,
        )
        self.reviewer_id = n + 4
        self._user(
            self.reviewer_id,
            "bench-reviewer",
            "reviewer@vendor.example",
            password,
            joined,
            staff=True,
        )
        self.ids["auth_user"] = n + 4
        # Organisations other than the big one file with a Zipf-like skew.
        weights = [1 / (rank**0.8) for rank in range(1, n)]
        self.org_choices = list(range(2, n + 1))
        self.org_cum = []
        total = 0.0
        for weight in weights:
            total += weight
            self.org_cum.append(total)
        self.big_mpn_weights = [30, 25, 15, 10, 15, 5]

    def _user(self, pk, username, email, password, joined, superuser=False, staff=False):
        self.out.add(
            "auth_user",
            f"{pk}\t{password}\t{NULL}\t{_b(superuser)}\t{username}\tBench\tUser {pk}\t{email}"
            f"\t{_b(superuser or staff)}\tt\t{joined}\n",
        )

    def _membership(self, user, org, role):
        self.out.add(
            "partners_membership",
            f"{self.next_id('partners_membership')}\t{user}\t{org}\t{role}\n",
        )

    # Customer directory ---------------------------------------------------------------------

    def directory(self) -> None:
        plan = self.plan
        first_reserved = plan.tenants - plan.reserved_tenants
        add = self.out.add
        domain_id = 0
        for ti in range(plan.tenants):
            tid = tenant_uuid(ti)
            add("validation_tenant", f"{tid}\tCustomer {ti:06d} Ltd\n")
            domain_id += 1
            add("validation_domain", f"{domain_id}\tt{ti}.onmicrosoft.com\t{tid}\tt\n")
            domain_id += 1
            add("validation_domain", f"{domain_id}\t{tenant_domain(ti)}\t{tid}\tf\n")
            reserved = ti >= first_reserved
            for slot in (*range(ba_slots(ti)), 3, 4, 5):
                channel, state, provisioned = subscription_terms(ti, slot, reserved)
                add(
                    "validation_subscription",
                    f"{subscription_uuid(ti, slot)}\t{tid}\t{slot_product(ti, slot)}\t{channel}"
                    f"\t{_b(provisioned)}\t{state}\n",
                )
        self.ids["validation_domain"] = domain_id
        self.claimable_tenants = first_reserved

    # Requests and claims --------------------------------------------------------------------

    def requests(self) -> None:
        plan = self.plan
        rng = self.rng
        total, big_left = plan.claims, plan.big_org_claims
        done = 0
        org_pool: list[int] = []
        old_mix = _table(OLD_MIX)
        recent_mix = _table(RECENT_MIX)
        span = self.now - self.start - 2 * DAY
        while done < total:
            progress = done / total
            created = self.start + progress * span + rng.random() * 60
            left = total - done
            if big_left > 0 and rng.random() < big_left / left:
                org = 1
            else:
                if not org_pool:
                    org_pool = rng.choices(self.org_choices, cum_weights=self.org_cum, k=10_000)
                org = org_pool.pop()
            recent = progress >= RECENT_FROM
            made = self._request(org, created, recent, progress, recent_mix if recent else old_mix)
            done += made
            if org == 1:
                big_left -= made
        self._write_cases()

    def _pick_mpn(self, org: int, area: str) -> int:
        mpns = self.org_mpns[org]
        if org == 1:
            return mpns[self.rng.choices(range(6), weights=self.big_mpn_weights)[0]][0]
        enrolled = [mpn for mpn, areas in mpns if area in areas]
        if enrolled and self.rng.random() < 0.97:
            return self.rng.choice(enrolled)
        return self.rng.choice(mpns)[0]

    def _request(self, org, created, recent, progress, mix) -> int:
        rng = self.rng
        kind = "normal"
        r = rng.random()
        if recent and r < 0.05:
            kind = "contest_open"
        elif not recent and r < 0.012:
            kind = "contest_lost"
        if kind != "normal":
            contest = self._contest_key(org)
            if contest is None:
                kind = "normal"
        if kind == "normal":
            ti = rng.randrange(self.claimable_tenants)
            if rng.random() < 0.65:
                area = BA
                activity = BA_ACTIVITIES[bisect((0.5, 0.85), rng.random())]
                slots = rng.sample(range(ba_slots(ti)), min(ba_slots(ti), _claim_count(rng)))
            else:
                area, activity = M365, "usage"
                slots = rng.sample((3, 4, 5), _claim_count(rng))
            draft = rng.random() < (0.06 if recent else 0.004)
            validating = not draft and progress >= VALIDATING_FROM and rng.random() < 0.4
        else:
            ti, slot, activity, owner_claim, owner_key = contest
            area = BA if slot < BA_SLOTS else M365
            slots = [slot]
            draft = validating = False
        rid = self.next_id("associations_associationrequest")
        author = org
        mpn = self._pick_mpn(org, area)
        created_s = _ts(created)
        submitted = created + 60 + rng.random() * 3_000
        submitted_s = NULL if draft else _ts(submitted)
        tid = tenant_uuid(ti)
        domain = tenant_domain(ti)
        opt_out = _b(area == M365 and rng.random() < 0.05)
        self.out.add(
            "associations_associationrequest",
            f"{rid}\t{org}\t{author}\t{mpn}\tCustomer {ti:06d} {activity.replace('_', '-')}"
            f"\t{tid}\t{domain}\t{area}\t{activity}\tJana Novakova\tCIO\tcio@{domain}"
            f"\tPetr Svoboda\tsales@partner{org}.example\t\t\t{opt_out}"
            f"\tStatement of work signed by the customer, with the services delivered.\tt\tt\tt\tt"
            f"\t{created_s}\t{submitted_s}\n",
        )
        proof = self.next_id("associations_proof")
        self.out.add(
            "associations_proof",
            f"{proof}\t{rid}\t{NULL}\tStatement of work signed by the customer.\t{author}"
            f"\t{created_s}\n",
        )
        if rng.random() < 0.4:
            self._document(proof)
        self._event(rid, NULL, Event.REQUEST_CREATED, author, "", "", "", created_s)
        if not draft and not validating:
            self._checks(rid, NULL, REQUEST_CHECKS, (), submitted_s)
        decided_any = False
        for slot in slots:
            if draft:
                status = "draft"
            elif validating:
                status = "validating"
            elif kind == "contest_open":
                status = "in_arbitration"
            elif kind == "contest_lost":
                status = "rejected"
            else:
                status = mix[int(rng.random() * len(mix))]
            claim = self._claim(
                rid, org, author, ti, slot, area, activity, status, submitted, kind, mpn, created_s
            )
            if kind != "normal":
                self._case(
                    kind, owner_key, owner_claim, claim, org, (ti, slot, activity), submitted
                )
            decided_any = decided_any or status not in ("draft", "validating")
        if decided_any:
            body = f"The automated checks of CPOR-{rid:06d} have finished."
            self.out.add(
                "associations_comment",
                f"{self.next_id('associations_comment')}\t{rid}\t{NULL}\tsystem\t{body}"
                f"\t{_ts(submitted + 30)}\n",
            )
            if rng.random() < 0.08:
                self.out.add(
                    "associations_comment",
                    f"{self.next_id('associations_comment')}\t{rid}\t{author}\tpartner"
                    f"\tThe customer confirmed the signed statement of work.\t"
                    f"{_ts(submitted + 3_600)}\n",
                )
        return len(slots)

    def _claim(
        self, rid, org, author, ti, slot, area, activity, status, submitted, kind, mpn, filed_s
    ) -> int:
        rng = self.rng
        cid = self.next_id("associations_claim")
        product = slot_product(ti, slot)
        key = ((ti * 8 + slot) * 4) + ACTIVITY_INDEX[activity]
        if status == "approved":
            channel, state, _provisioned = subscription_terms(ti, slot, False)
            if key in self.approved:
                status = "rejected" if rng.random() < 0.5 else "ended"
            elif area == BA and (state not in ("active", "in_grace") or channel == "csp"):
                status = "ended"
            else:
                self.approved[key] = (cid, org, ti, slot, activity)
                self.approved_keys.append(key)
        changed = submitted + 60 if status in ("validating", "draft") else submitted + 120
        if status not in ("draft", "validating", "action_needed", "under_review"):
            changed += rng.random() * 40 * DAY
        changed = min(changed, self.now)
        due = NULL
        if status in ("under_review", "in_arbitration", "info_requested", "disputed"):
            due = _ts(changed + QUEUE_DUE_DAYS * DAY)
        reason = "lost_arbitration" if kind == "contest_lost" else ""
        if not reason and status in REASONS:
            reason = rng.choice(REASONS[status])
        sub = subscription_uuid(ti, slot) if area == BA else NULL
        changed_s = _ts(changed)
        self.out.add(
            "associations_claim",
            f"{cid}\t{rid}\t{product}\t{sub}\t{tenant_uuid(ti)}\t{activity}\t{org}\t{mpn}"
            f"\t{area}\t{filed_s}\t{status}\t{changed_s}\t{due}\t{reason}\t\n",
        )
        submitted_s = _ts(submitted)
        if status != "draft":
            self._event(
                rid, cid, Event.CLAIM_SUBMITTED, author, "draft", "validating", "", submitted_s
            )
        if status in FINAL_ACTIONS:
            action, before = FINAL_ACTIONS[status]
            if reason == "subscription_ended":
                action = Event.CLAIM_SUBSCRIPTION_ENDED
            actor = self.reviewer_id if before != "validating" else NULL
            self._event(rid, cid, action, actor, before, status, reason, changed_s)
        if status not in ("draft", "validating"):
            failed = ()
            if status == "action_needed":
                failed = rng.sample(FAILING[area], 1 + (rng.random() < 0.3))
            self._checks(rid, cid, BA_CHECKS if area == BA else M365_CHECKS, failed, submitted_s)
        if status == "info_requested":
            self.out.add(
                "disputes_informationrequest",
                f"{self.next_id('disputes_informationrequest')}\t{cid}\t{self.reviewer_id}"
                f"\tno_signature\tPlease send the statement of work signed by the customer."
                f"\tunder_review\t{changed_s}\t{_ts(changed + 20 * DAY)}\t{NULL}\t\n",
            )
        elif status == "disputed":
            self.out.add(
                "disputes_dispute",
                f"{self.next_id('disputes_dispute')}\t{cid}\tWe delivered the services; see the"
                f" new proof.\t{author}\t{changed_s}\t{due}\t{NULL}\t{NULL}\t{NULL}\t\n",
            )
        if status in ("under_review", "info_requested", "disputed") and rng.random() < 0.3:
            proof = self.next_id("associations_proof")
            self.out.add(
                "associations_proof",
                f"{proof}\t{rid}\t{cid}\tNewer proof: signed acceptance protocol.\t{author}"
                f"\t{changed_s}\n",
            )
            self._document(proof)
        return cid

    def _checks(self, rid, cid, codes, failed, when) -> None:
        first = self.ids.get("associations_checkresult", 0) + 1
        self.ids["associations_checkresult"] = first + len(codes) - 1
        self.out.add_many(
            "associations_checkresult",
            "".join(
                f"{first + n}\t{rid}\t{cid}\t{code}\t{'f' if code in failed else 't'}\t{NULL}"
                f"\t{when}\n"
                for n, code in enumerate(codes)
            ),
            len(codes),
        )

    def _document(self, proof: int) -> None:
        pk = self.next_id("associations_proofdocument")
        self.out.add(
            "associations_proofdocument",
            f"{pk}\t{proof}\tproof/bench-{pk:08d}.pdf\tstatement-of-work.pdf\tapplication/pdf"
            f"\t{180_000 + pk % 50_000}\n",
        )

    def _event(self, rid, cid, action, actor, before, after, reason, when) -> None:
        self.out.add(
            "associations_statusevent",
            f"{self.next_id('associations_statusevent')}\t{rid}\t{cid}\t{action}\t{actor}"
            f"\t{before}\t{after}\t{reason}\t{{}}\t{when}\n",
        )

    # Arbitration ------------------------------------------------------------------------------

    def _contest_key(self, org: int):
        """An approved key of another organisation to compete for, or None."""
        if not self.approved_keys:
            return None
        for _attempt in range(5):
            key = self.approved_keys[int(self.rng.random() * len(self.approved_keys))]
            owner_claim, owner_org, ti, slot, activity = self.approved[key]
            case = self.open_cases.get(key)
            if owner_org == org or (case is not None and len(case[1]) >= 4):
                continue
            if case is not None and any(o == org for o in case[2]):
                continue
            return ti, slot, activity, owner_claim, key
        return None

    def _case(self, kind, key, owner_claim, claim, org, where, submitted) -> None:
        opened = min(submitted + 180, self.now)
        if kind == "contest_open":
            case = self.open_cases.get(key)
            if case is None:
                case = [
                    "open",
                    [owner_claim],
                    [self.approved[key][1]],
                    where,
                    opened,
                    None,
                ]
                self.open_cases[key] = case
                self.cases.append(case)
            case[1].append(claim)
            case[2].append(org)
        else:
            decided = min(opened + self.rng.random() * 20 * DAY, self.now)
            self.cases.append(["decided", [owner_claim, claim], [], where, opened, decided])

    def _write_cases(self) -> None:
        for status, claims, _orgs, (ti, slot, activity), opened, decided in self.cases:
            pk = self.next_id("disputes_arbitrationcase")
            sub = subscription_uuid(ti, slot) if slot < BA_SLOTS else NULL
            due = _ts(opened + QUEUE_DUE_DAYS * DAY)
            if status == "open":
                tail = f"f\t{NULL}\t{NULL}\t{NULL}\t"
            else:
                tail = (
                    f"f\t{claims[0]}\t{_ts(decided)}\t{self.reviewer_id}"
                    f"\tThe current owner's proof is stronger and more recent."
                )
            self.out.add(
                "disputes_arbitrationcase",
                f"{pk}\t{tenant_uuid(ti)}\t{slot_product(ti, slot)}\t{activity}\t{sub}\t{status}"
                f"\t{_ts(opened)}\t{due}\t{NULL}\t{tail}\n",
            )
            for claim in claims:
                self.out.add(
                    "disputes_arbitrationcase_claims",
                    f"{self.next_id('disputes_arbitrationcase_claims')}\t{pk}\t{claim}\n",
                )


def _claim_count(rng: random.Random) -> int:
    r = rng.random()
    return 1 if r < 0.35 else 2 if r < 0.75 else 3


def _table(mix: dict[str, int]) -> list[str]:
    """A lookup list in which each status appears in proportion to its weight."""
    return [status for status, weight in mix.items() for _ in range(weight)]


# --- entry points ----------------------------------------------------------------------------


def read_marker() -> Generated | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [MARKER_TABLE])
        if cursor.fetchone()[0] is None:
            return None
        cursor.execute(f"SELECT value FROM {MARKER_TABLE} WHERE key = 'generated'")
        row = cursor.fetchone()
    if row is None:
        return None
    value = row[0]
    if isinstance(value, str):
        import json

        value = json.loads(value)
    return Generated(**value)


def _write_marker(generated: Generated) -> None:
    import json

    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} (key text PRIMARY KEY, value jsonb)"
        )
        cursor.execute(
            f"INSERT INTO {MARKER_TABLE} (key, value) VALUES ('generated', %s::jsonb) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [json.dumps(asdict(generated))],
        )


def migrate_schema() -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def generate(plan: Plan) -> Generated:
    """Fill an empty, freshly migrated bench database."""
    database = settings.DATABASES["default"]
    started = time.perf_counter()
    connection.close()
    with psycopg.connect(**connect_kwargs(database)) as conn:
        items = _constraints_and_indexes(conn)
        _drop(conn, items)
        undo_defaults = _default_missing_columns(conn)
    _log(f"dropped {len(items)} indexes and constraints of {len(TABLES)} tables for the load")
    gen = Generator(plan, database)
    gen.catalog()
    gen.partners()
    gen.directory()
    _log(f"partners and directory formatted ({time.perf_counter() - started:.1f} s)")
    gen.requests()
    gen.out.close()
    loaded = time.perf_counter()
    _log(f"rows copied ({loaded - started:.1f} s); re-creating indexes and constraints")
    _recreate(database, items)
    indexed = time.perf_counter()
    _log(f"indexes and constraints re-created and validated ({indexed - loaded:.1f} s)")
    with psycopg.connect(**connect_kwargs(database)) as conn:
        for statement in undo_defaults:
            conn.execute(statement)
        for table in TABLES:
            column = "id" if "id" in TABLES[table].split() else None
            if column:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"GREATEST((SELECT max(id) FROM {table}), 1))"
                )
        conn.execute("VACUUM (ANALYZE)")
    _log(f"VACUUM ANALYZE done ({time.perf_counter() - indexed:.1f} s)")
    _finish_with_orm()
    counts = {table: n for table, n in gen.out.counts.items() if n}
    generated = Generated(
        plan=asdict(plan),
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - started, 1),
        counts=counts,
        big_org_users=gen.users,
        max_ids=_max_ids(),
        reserved_tenants=[plan.tenants - plan.reserved_tenants, plan.tenants - 1],
    )
    _write_marker(generated)
    return generated


def _finish_with_orm() -> None:
    from django.contrib.auth.models import Group, User

    reviewers = Group.objects.filter(name="Reviewers").first()
    if reviewers is not None:
        User.objects.get(username="bench-reviewer").groups.add(reviewers)


def _max_ids() -> dict:
    with connection.cursor() as cursor:
        found = {}
        for table in (
            "associations_associationrequest",
            "associations_claim",
            "disputes_arbitrationcase",
            "auth_user",
        ):
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")
            found[table] = cursor.fetchone()[0]
    return found
