"""Tamper evidence for the change log and the audit log (security.md DB-AU-3, DB-IN-2): an HMAC chain of seals.

Every row of `core_objectchange` and `core_auditevent` gets one `AuditSeal`, in the order sealed, and every
retention purge gets one too:

    row_hash = H(canonical JSON of the row's columns)            (a purge seal: of its `detail`)
    mac      = HMAC(key, "v1|<algorithm>|<seq>|<previous mac>|<table>|<row id>|<row_hash>")

H and the HMAC use SM3 when this Python's OpenSSL provides it (`hashlib.new("sm3")`), else SHA-256; each seal
names its algorithm. The key is `TUIJIN_AUDIT_MAC_KEY`.

Rows are sealed after they commit, by `audit_seal()` (command `seal_audit`, every few minutes), not when written:
concurrent writers would fork a chain computed at insert, and the audit tables refuse the UPDATE that would store a
MAC on the row itself. The sealer runs under a lock (a PostgreSQL advisory lock; SQLite serialises writers), finds
the rows without a seal in both tables, including late commits with a lower id than rows already sealed, and seals
them oldest first. `audit_verify()` walks the seals in order and reports the first broken link.
"""

import hashlib
import heapq
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import AuditEvent, AuditSeal, ObjectChange

__all__ = [
    "PURGE",
    "SEALED_TABLES",
    "ChainBreak",
    "SealResult",
    "VerifyReport",
    "audit_seal",
    "audit_verify",
    "canonical_row",
    "chain_algorithm",
    "chain_head",
    "chain_lock",
    "hash_detail",
    "hash_row",
    "seal_mac",
    "seal_purge",
    "unsealed_count",
]

SEALED_TABLES: dict[str, type[models.Model]] = {"core_objectchange": ObjectChange, "core_auditevent": AuditEvent}
PURGE = "purge"  # table_name of a purge seal
FORMAT = "v1"
BATCH = 2000
_LOCK_KEY = 0x54554A4E  # PostgreSQL advisory lock id of the sealer ("TUJN")


def chain_algorithm() -> str:
    """The hash of new seals: SM3 when this Python's OpenSSL offers it (HMAC-SM3), else SHA-256 (HMAC-SHA256)."""
    try:
        hashlib.new("sm3")
    except ValueError:
        return "sha256"
    return "sm3"


def _key() -> bytes:
    key = settings.TUIJIN_AUDIT_MAC_KEY
    if key:
        return key.encode()
    # Development and tests only: a key derived from SECRET_KEY, so a checkout works without configuration. A
    # deployment sets TUIJIN_AUDIT_MAC_KEY; the deploy checks tuijin.E003/E004 refuse this fallback outside DEBUG.
    return hmac.new(settings.SECRET_KEY.encode(), b"tuijin audit seal chain", hashlib.sha256).digest()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, date | Decimal | UUID):
        return str(value)
    return value


def canonical_row(obj) -> str:
    """Every column of the row as stored (foreign keys as ids, times in UTC), as JSON with sorted keys."""
    data = {f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def hash_row(obj, algorithm: str) -> str:
    return hashlib.new(algorithm, canonical_row(obj).encode()).hexdigest()


def hash_detail(detail: dict, algorithm: str) -> str:
    """The row hash of a purge seal: of its `detail` (strings and integers only, so it reads back the same)."""
    text = json.dumps(detail, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.new(algorithm, text.encode()).hexdigest()


def seal_mac(*, algorithm: str, seq: int, prev_mac: str, table: str, row_id: int | None, row_hash: str) -> str:
    message = f"{FORMAT}|{algorithm}|{seq}|{prev_mac}|{table}|{'' if row_id is None else row_id}|{row_hash}"
    return hmac.new(_key(), message.encode(), algorithm).hexdigest()


def chain_lock() -> None:
    """Serialise sealers and purges until the end of the current transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    elif connection.vendor == "sqlite":
        # An UPDATE that matches no row takes SQLite's write lock at once (no trigger fires): a second sealer then
        # waits here instead of failing when it tries to write a seal the first one is writing too.
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_auditseal SET seq = seq WHERE 1 = 0")
    else:  # pragma: no cover - Tuijin runs on SQLite and PostgreSQL
        list(AuditSeal.objects.select_for_update().order_by("-seq")[:1])


def _unsealed(table: str):
    sealed = AuditSeal.objects.filter(table_name=table, row_id=OuterRef("pk"))
    return SEALED_TABLES[table]._default_manager.filter(~Exists(sealed))


def unsealed_count() -> int:
    return sum(_unsealed(table).count() for table in SEALED_TABLES)


def chain_head() -> tuple[int, str]:
    """(seq, mac) of the newest seal; (0, "") before the first."""
    head = AuditSeal.objects.order_by("-seq").values_list("seq", "mac").first()
    return head if head else (0, "")


def seal_purge(detail: dict, *, after: tuple[int, str]) -> AuditSeal:
    """Append the seal of a retention purge after the seal `after` = (seq, mac), which the purge may just have
    deleted. The caller holds `chain_lock()`."""
    algorithm = chain_algorithm()
    seq, prev = after
    digest = hash_detail(detail, algorithm)
    mac = seal_mac(algorithm=algorithm, seq=seq + 1, prev_mac=prev, table=PURGE, row_id=None, row_hash=digest)
    return AuditSeal.objects.create(
        seq=seq + 1, table_name=PURGE, row_id=None, row_hash=digest, mac=mac, algorithm=algorithm, detail=detail
    )


def _seal_batch(limit: int) -> int:
    """Seal up to `limit` rows of each table, oldest first; returns how many were sealed."""
    streams = []
    bound = None  # when a table has more unsealed rows than fetched, seal nothing newer than the last one fetched
    for order, table in enumerate(SEALED_TABLES):
        rows = list(_unsealed(table).order_by("pk")[: limit + 1])
        if len(rows) > limit:
            rows = rows[:limit]
            bound = rows[-1].time if bound is None else min(bound, rows[-1].time)
        streams.append([(row.time, order, row.pk, table, row) for row in rows])
    merged = list(heapq.merge(*streams, key=lambda item: item[:3]))
    if bound is not None:  # a prefix of the merge, so each table's rows stay in id order
        cut = next((i for i, item in enumerate(merged) if item[0] > bound), len(merged))
        merged = merged[: max(cut, 1)]
    if not merged:
        return 0
    algorithm = chain_algorithm()
    seq, prev = chain_head()
    now = timezone.now()
    seals = []
    for _time, _order, pk, table, row in merged:
        seq += 1
        digest = hash_row(row, algorithm)
        prev = seal_mac(algorithm=algorithm, seq=seq, prev_mac=prev, table=table, row_id=pk, row_hash=digest)
        seals.append(
            AuditSeal(
                seq=seq, table_name=table, row_id=pk, row_hash=digest, mac=prev, algorithm=algorithm, sealed_at=now
            )
        )
    AuditSeal.objects.bulk_create(seals, batch_size=500)
    return len(seals)


@dataclass
class SealResult:
    sealed: int
    head_seq: int
    head_mac: str


def audit_seal(*, batch: int = BATCH) -> SealResult:
    """Seal every committed row that has no seal yet, `batch` rows per table and transaction. Inside an outer
    transaction (the purge) the batches are savepoints of it."""
    total = 0
    while True:
        with transaction.atomic():
            chain_lock()
            sealed = _seal_batch(batch)
        total += sealed
        if sealed == 0:
            break
    seq, mac = chain_head()
    return SealResult(total, seq, mac)


# --- verification ---------------------------------------------------------------------------------------------

TABLE_LABELS = {"core_objectchange": "变更记录", "core_auditevent": "安全审计事件", PURGE: "清理记录"}


@dataclass
class ChainBreak:
    """The first broken link: `kind` is seal_missing, seal_altered, row_missing, row_changed or unverifiable."""

    kind: str
    seq: int
    table: str = ""
    row_id: int | None = None
    note: str = ""

    def describe(self) -> str:
        what = {
            "seal_missing": "封签缺失（序号不连续，封签被删除）",
            "seal_altered": "封签被改动（校验码不符；若从未改动，请确认 TUIJIN_AUDIT_MAC_KEY 与加封时相同）",
            "row_missing": "记录已不存在（被删除，且不在合法清理的范围内）",
            "row_changed": "记录内容与封签不符（记录被改动）",
            "unverifiable": "无法校验",
        }[self.kind]
        where = f"序号 {self.seq}"
        if self.table:
            where += f"，表 {self.table}（{TABLE_LABELS.get(self.table, self.table)}）"
        if self.row_id is not None:
            where += f"，记录编号 {self.row_id}"
        return f"{where}：{what}" + (f"。{self.note}" if self.note else "")


@dataclass
class VerifyReport:
    seals: int = 0
    rows: int = 0
    purges: int = 0
    first_seq: int = 0
    head_seq: int = 0
    head_mac: str = ""
    algorithms: set[str] = field(default_factory=set)
    sealed_now: int = 0
    unsealed: int = 0
    broken: ChainBreak | None = None


def _start(first: AuditSeal, report: VerifyReport) -> str | None:
    """The MAC the first remaining seal chains to: "" for seq 1, else the anchor a purge seal recorded when it
    deleted the seals before it. None when no purge explains the missing start."""
    if first.seq == 1:
        return ""
    for purge in AuditSeal.objects.filter(table_name=PURGE).order_by("-seq"):
        if purge.detail.get("through_seq") == first.seq - 1:
            return str(purge.detail.get("anchor_mac", ""))
    report.broken = ChainBreak("seal_missing", 1, note=f"序号 1–{first.seq - 1} 的封签不存在，也没有清理记录说明")
    return None


def _check(seal: AuditSeal, prev_mac: str, rows: dict[str, dict[int, Any]]) -> ChainBreak | None:
    if seal.algorithm not in ("sm3", "sha256") or (seal.algorithm == "sm3" and chain_algorithm() != "sm3"):
        return ChainBreak("unverifiable", seal.seq, seal.table_name, seal.row_id, f"本机不支持算法 {seal.algorithm}")
    expected = seal_mac(
        algorithm=seal.algorithm,
        seq=seal.seq,
        prev_mac=prev_mac,
        table=seal.table_name,
        row_id=seal.row_id,
        row_hash=seal.row_hash,
    )
    if not hmac.compare_digest(expected, seal.mac):
        return ChainBreak("seal_altered", seal.seq, seal.table_name, seal.row_id)
    if seal.table_name == PURGE:
        if hash_detail(seal.detail, seal.algorithm) != seal.row_hash:
            return ChainBreak("seal_altered", seal.seq, seal.table_name, None, "清理记录的内容被改动")
        return None
    if seal.table_name not in SEALED_TABLES or seal.row_id is None:
        return ChainBreak("seal_altered", seal.seq, seal.table_name, seal.row_id, "封签指向未知的表")
    row = rows[seal.table_name].get(seal.row_id)
    if row is None:
        return ChainBreak("row_missing", seal.seq, seal.table_name, seal.row_id)
    if hash_row(row, seal.algorithm) != seal.row_hash:
        return ChainBreak("row_changed", seal.seq, seal.table_name, seal.row_id)
    return None


def audit_verify(*, seal: bool = True, chunk: int = 1000) -> VerifyReport:
    """Seal what is pending (unless `seal=False`), then walk every seal in order: the sequence has no gap, each MAC
    chains to the previous one, each sealed row still exists and hashes the same. Stops at the first break."""
    report = VerifyReport()
    if seal:
        report.sealed_now = audit_seal().sealed
    first = AuditSeal.objects.order_by("seq").first()
    if first is None:
        report.unsealed = unsealed_count()
        return report
    report.first_seq = first.seq
    prev_mac = _start(first, report)
    if prev_mac is None:
        return report
    expected_seq = first.seq
    last_seq = first.seq - 1
    while True:
        seals = list(AuditSeal.objects.filter(seq__gt=last_seq).order_by("seq")[:chunk])
        if not seals:
            break
        rows = {
            table: model._default_manager.in_bulk(
                [s.row_id for s in seals if s.table_name == table and s.row_id is not None]
            )
            for table, model in SEALED_TABLES.items()
        }
        for item in seals:
            if item.seq != expected_seq:
                report.broken = ChainBreak(
                    "seal_missing", expected_seq, note=f"序号 {expected_seq}–{item.seq - 1} 的封签不存在"
                )
                return report
            broken = _check(item, prev_mac, rows)
            if broken is not None:
                report.broken = broken
                return report
            report.seals += 1
            report.algorithms.add(item.algorithm)
            if item.table_name == PURGE:
                report.purges += 1
            else:
                report.rows += 1
            prev_mac = item.mac
            expected_seq += 1
        last_seq = seals[-1].seq
        report.head_seq, report.head_mac = seals[-1].seq, seals[-1].mac
    report.unsealed = unsealed_count()
    return report
