"""The evidence chain: append-only links over service records, star awards, honours and the time
bank, the station's Ed25519 signing key, and signed checkpoints.

Each chained row stores its position ``seq`` in the station's chain, the hash of the link before
it and its own hash: SHA-256 over the previous hash and a canonical JSON of the row's content.
``verify_chain`` recomputes every hash and reports a changed row (its hash no longer matches), a
removed row (a gap in the positions, or a head that points past the last row) and a rebuilt
chain (a checkpoint's head hash that the chain no longer has at that position).

A checkpoint is the chain's length and head hash on a date, signed with the station's private
key. The private key is stored only encrypted with an administrator's password, so whoever holds
the database file can recompute hashes but cannot sign a checkpoint for a rebuilt chain; and a
checkpoint printed on a monthly ledger can be typed back in years later.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import (
    ChainHead,
    Honour,
    LedgerCheckpoint,
    ServiceRecord,
    StarAward,
    Station,
    StationKey,
    StationKeyShare,
    TimeBankEntry,
    User,
)
from ..models.ledger import ChainedMixin
from . import audit
from .auth import Actor, Permission, Role, require

GENESIS = "0" * 64
CHAINED = (ServiceRecord, StarAward, Honour, TimeBankEntry)
TABLE_LABELS = {
    "service_records": _("服务记录"),
    "star_awards": _("星级认定"),
    "honours": _("嘉许"),
    "time_bank_entries": _("时长兑换"),
}
# Columns outside the hash: the link's own columns, and an award's review state (not evidence).
_UNHASHED = {"id", "prev_hash", "entry_hash", "review_status", "review_note", "reviewed_at"}
_BATCH = 5000


# --- hashing ------------------------------------------------------------------------------
def _plain(value: Any) -> Any:  # noqa: ANN401
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _hashed_columns(model: type[ChainedMixin]) -> list[str]:
    return [c.key for c in model.__table__.columns if c.key not in _UNHASHED]  # type: ignore[attr-defined]


def content_of(row: ChainedMixin) -> dict[str, Any]:
    """The row's hashed content, keyed by column, with the table's name."""
    content = {key: _plain(getattr(row, key)) for key in _hashed_columns(type(row))}
    content["table"] = row.__tablename__  # type: ignore[attr-defined]
    return content


def link_hash(prev_hash: str, content: dict[str, Any]) -> str:
    text = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


# --- appending ----------------------------------------------------------------------------
def lock_head(session: Session, station_id: int) -> ChainHead:
    """Lock the station's chain head until commit: appends (and reads that must not race them,
    such as a balance before a redemption or the next certificate number) queue behind it.

    The lock lasts until the transaction ends, so it is taken once per transaction: later calls
    in the same transaction return the head already held.
    """
    held = session.info.setdefault(_HELD_HEADS, {})
    head = held.get(station_id)
    if head is not None:
        return head
    head = session.scalar(select(ChainHead).where(ChainHead.station_id == station_id).with_for_update())
    if head is None:
        head = ChainHead(station_id=station_id, count=0, head_hash=GENESIS)
        session.add(head)
        session.flush()
    held[station_id] = head
    return head


_HELD_HEADS = "station_app.chain.held_heads"


@event.listens_for(Session, "after_transaction_end")
def _release_heads(session: Session, transaction: SessionTransaction) -> None:
    """The database released the lock with the transaction (commit or rollback): forget the head."""
    if transaction.parent is None:
        session.info.pop(_HELD_HEADS, None)


def append(session: Session, station_id: int, row: ChainedMixin) -> ChainedMixin:
    """Add ``row`` as the next link of the station's chain (locking the head until commit).

    Every column the row will ever have must be set before this; defaults are filled here.
    """
    head = lock_head(session, station_id)
    row.station_id = station_id  # type: ignore[attr-defined]
    for column in type(row).__table__.columns:  # type: ignore[attr-defined]
        if getattr(row, column.key) is None and column.default is not None and column.key not in _UNHASHED:
            default = column.default.arg
            setattr(row, column.key, default(None) if callable(default) else default)
    row.seq = head.count + 1
    row.prev_hash = head.head_hash
    row.entry_hash = link_hash(head.head_hash, content_of(row))
    session.add(row)
    session.flush()
    head.count = row.seq
    head.head_hash = row.entry_hash
    return row


def head_of(session: Session, station_id: int) -> tuple[int, str]:
    head = session.get(ChainHead, station_id)
    return (0, GENESIS) if head is None else (head.count, head.head_hash)


# --- the station key ------------------------------------------------------------------------
def _wrap(private_key: Ed25519PrivateKey, password: str) -> str:
    return private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(password.encode()),
    ).decode()


def _raw_public(private_key: Ed25519PrivateKey) -> str:
    return private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()


def fingerprint(public_key_hex: str) -> str:
    """A short, readable fingerprint of a public key: 8 groups of 4 hex digits."""
    digest = hashlib.sha256(bytes.fromhex(public_key_hex)).hexdigest()[:32].upper()
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def station_public_key(session: Session, station_id: int) -> str | None:
    """The station's public key (hex), or None before its first administrator logged in."""
    return session.scalar(select(StationKey.public_key).where(StationKey.station_id == station_id))


def ensure_station_key(session: Session, station_id: int, user_id: int, password: str) -> bool:
    """Make the station's key pair if it has none, wrapped with this administrator's password.

    Returns True when a key was made. Called when a station is set up and when an
    administrator logs in (stations set up before keys existed get theirs then).
    """
    if session.get(StationKey, station_id) is not None:
        return False
    private_key = Ed25519PrivateKey.generate()
    session.add(StationKey(station_id=station_id, public_key=_raw_public(private_key)))
    session.add(StationKeyShare(station_id=station_id, user_id=user_id, encrypted_private_key=_wrap(private_key, password)))
    session.flush()
    return True


def _unwrap(share: StationKeyShare, password: str) -> Ed25519PrivateKey | None:
    try:
        key = serialization.load_pem_private_key(share.encrypted_private_key.encode(), password.encode())
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, Ed25519PrivateKey) else None


def unlock_signing_key(session: Session, actor: Actor, password: str) -> Ed25519PrivateKey:
    """The station's private key, opened with the acting administrator's password."""
    require(actor, Permission.SIGN_LEDGER)
    share = session.get(StationKeyShare, (actor.station_id, actor.user_id))
    if share is None:
        raise StationError(
            _("您的账号还没有本站的签名密钥（密钥在站点建立时交给第一位站长）。请用持有密钥的站长账号签署。")
        )
    key = _unwrap(share, password)
    if key is None:
        raise ValidationError(_("密码不正确，无法打开本站的签名密钥。"), field="password")
    return key


def key_holders(session: Session, station_id: int) -> set[int]:
    """Ids of the users who hold a share of the station's private key."""
    return set(session.scalars(select(StationKeyShare.user_id).where(StationKeyShare.station_id == station_id)))


def share_signing_key(session: Session, actor: Actor, password: str, user_id: int, user_password: str) -> None:
    """Give another administrator of the station their own share of the signing key.

    Both are at the PC: the key holder opens the key with their password, and the new holder's
    password (checked against their account) wraps their copy. Audited.
    """
    from .auth import verify_password

    require(actor, Permission.SIGN_LEDGER)
    user = session.get(User, user_id)
    if user is None or user.station_id != actor.station_id:
        raise NotFound(_("找不到这个账号。"))
    if user.role != Role.ADMIN.value or not user.active:
        raise ValidationError(_("签名密钥只能交给本站在用的站长/管理员账号。"), field="user")
    if session.get(StationKeyShare, (actor.station_id, user.id)) is not None:
        raise ValidationError(_("{u} 已经持有本站的签名密钥。").format(u=user.display_name), field="user")
    key = unlock_signing_key(session, actor, password)
    if not verify_password(user_password, user.password_hash):
        raise ValidationError(_("{u} 的密码不正确。").format(u=user.display_name), field="user_password")
    session.add(StationKeyShare(station_id=actor.station_id, user_id=user.id, encrypted_private_key=_wrap(key, user_password)))
    audit.record(
        session, actor, "share_key", "user", user.id, summary=_("把本站签名密钥交给 {u}").format(u=user.username)
    )


def rewrap_after_password_change(session: Session, user_id: int, old_password: str, new_password: str) -> None:
    """Keep a user's key share readable after they change their own password."""
    for share in session.scalars(select(StationKeyShare).where(StationKeyShare.user_id == user_id)):
        key = _unwrap(share, old_password)
        if key is not None:
            share.encrypted_private_key = _wrap(key, new_password)


def drop_shares(session: Session, user_id: int) -> None:
    """A password reset by someone else makes the user's share unreadable: remove it."""
    for share in session.scalars(select(StationKeyShare).where(StationKeyShare.user_id == user_id)):
        session.delete(share)


# --- checkpoints ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Checkpoint:
    """A checkpoint as printed or exported; ``signature`` is empty when typed without one."""

    count: int
    head_hash: str
    made_on: date | None = None
    station_code: str = ""
    signature: str = ""

    def message(self) -> bytes:
        made_on = self.made_on.isoformat() if self.made_on else ""
        return f"station-app checkpoint v1|{self.station_code}|{self.count}|{made_on}|{self.head_hash}".encode()

    def text(self) -> str:
        """One line that ``parse_checkpoint`` reads back."""
        parts = [
            "checkpoint-v1",
            f"station={self.station_code}",
            f"count={self.count}",
            f"date={self.made_on.isoformat() if self.made_on else ''}",
            f"head={self.head_hash}",
        ]
        if self.signature:
            parts.append(f"sig={self.signature}")
        return " ".join(parts)


def grouped(hex_text: str, size: int = 4) -> str:
    """Hex in groups for paper: ``ab12 cd34 …``."""
    return " ".join(hex_text[i : i + size] for i in range(0, len(hex_text), size))


_FIELD = re.compile(r"(station|count|date|head|sig)\s*[=:：]\s*([^\s=]+(?:\s+[0-9a-fA-F]{4}(?=\s|$))*)")


def parse_checkpoint(text: str) -> Checkpoint:
    """Read a checkpoint line as exported, or as typed from paper.

    Accepts ``checkpoint-v1 station=… count=N date=… head=HEX sig=HEX`` with the hex in groups
    or not, and the short paper form ``N HEX`` (count and head only).
    """
    cleaned = text.strip()
    if not cleaned:
        raise ValidationError(_("检查点是空的。"), field="checkpoint")
    found = {name: value for name, value in _FIELD.findall(cleaned)}
    if not found:
        parts = cleaned.split(maxsplit=1)
        if len(parts) != 2:
            raise ValidationError(_("看不懂这个检查点：应为“条目数 链头哈希”或导出的检查点行。"), field="checkpoint")
        found = {"count": parts[0], "head": parts[1]}
    try:
        count = int(found.get("count", ""))
    except ValueError:
        raise ValidationError(_("检查点的条目数不是整数。"), field="checkpoint") from None
    head = re.sub(r"[\s-]", "", found.get("head", "")).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", head):
        raise ValidationError(_("检查点的链头哈希应为 64 位十六进制数字（0–9、a–f），请核对。"), field="checkpoint")
    made_on = None
    if found.get("date"):
        try:
            made_on = date.fromisoformat(found["date"])
        except ValueError:
            raise ValidationError(_("检查点的日期写法不对，应为 YYYY-MM-DD。"), field="checkpoint") from None
    signature = re.sub(r"[\s-]", "", found.get("sig", "")).lower()
    return Checkpoint(count, head, made_on, found.get("station", ""), signature)


def parse_checkpoint_lines(lines: Iterable[str]) -> list[Checkpoint]:
    """Checkpoints one a line, as exported or typed (blank lines and ``#`` comments skipped).

    The first mistyped line is refused, named by its number and beginning.
    """
    found = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            found.append(parse_checkpoint(text))
        except ValidationError as exc:
            raise ValidationError(
                _("第 {n} 行检查点（{t}）：{e}").format(n=number, t=text[:40], e=exc.message), field="checkpoint"
            ) from exc
    return found


def _station_code(session: Session, station_id: int) -> str:
    return session.scalar(select(Station.code).where(Station.id == station_id)) or ""


def make_checkpoint(
    session: Session, actor: Actor, private_key: Ed25519PrivateKey, today: date | None = None
) -> Checkpoint | None:
    """Sign the chain's current head; None when the last checkpoint already covers it."""
    require(actor, Permission.SIGN_LEDGER)
    station_id = actor.station_id
    public_hex = station_public_key(session, station_id)
    if public_hex is None or _raw_public(private_key) != public_hex:
        raise StationError(_("这把密钥不是本站的签名密钥。"))
    count, head_hash = head_of(session, station_id)
    if count == 0:
        return None
    if session.scalar(
        select(LedgerCheckpoint.id).where(LedgerCheckpoint.station_id == station_id, LedgerCheckpoint.count == count)
    ):
        return None
    unsigned = Checkpoint(count, head_hash, today or date.today(), _station_code(session, station_id))
    signature = private_key.sign(unsigned.message()).hex()
    session.add(
        LedgerCheckpoint(
            station_id=station_id,
            count=count,
            head_hash=head_hash,
            made_on=unsigned.made_on,
            signature=signature,
            made_by_id=actor.user_id,
        )
    )
    audit.record(
        session, actor, "checkpoint", "ledger", count, summary=_("签署台账检查点：第 {n} 条").format(n=count)
    )
    return Checkpoint(count, head_hash, unsigned.made_on, unsigned.station_code, signature)


def stored_checkpoints(session: Session, station_id: int) -> list[Checkpoint]:
    code = _station_code(session, station_id)
    rows = session.scalars(
        select(LedgerCheckpoint).where(LedgerCheckpoint.station_id == station_id).order_by(LedgerCheckpoint.count)
    )
    return [Checkpoint(r.count, r.head_hash, r.made_on, code, r.signature) for r in rows]


def latest_checkpoint(session: Session, station_id: int) -> Checkpoint | None:
    checkpoints = stored_checkpoints(session, station_id)
    return checkpoints[-1] if checkpoints else None


def signature_valid(public_key_hex: str | None, checkpoint: Checkpoint) -> bool:
    if not public_key_hex or not checkpoint.signature:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(public_key_hex)).verify(
            bytes.fromhex(checkpoint.signature), checkpoint.message()
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def checkpoint_on_login(session: Session, user: User, password: str, today: date | None = None) -> None:
    """At an administrator's login: make the station key if missing, and sign the new head."""
    if user.station_id is None:
        return
    ensure_station_key(session, user.station_id, user.id, password)
    share = session.get(StationKeyShare, (user.station_id, user.id))
    if share is None:
        return
    key = _unwrap(share, password)
    if key is None:
        return
    actor = Actor(user.id, user.username, user.display_name, Role.ADMIN, user.station_id)
    make_checkpoint(session, actor, key, today)


# --- verifying ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainProblem:
    seq: int | None
    table: str
    row_id: int | None
    message: str


@dataclass
class VerifyReport:
    station_code: str
    count: int
    head_hash: str
    checked: int = 0
    checkpoints_checked: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    public_key: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _links(session: Session, station_id: int) -> Iterator[tuple[int, str, ChainedMixin]]:
    """Every link of the station's chain, in order, streamed table by table and merged."""

    def rows_of(model: type[ChainedMixin]) -> Iterator[tuple[int, str, ChainedMixin]]:
        query = (
            select(model)
            .where(model.station_id == station_id)  # type: ignore[attr-defined]
            .order_by(model.seq)
            .execution_options(yield_per=_BATCH)
        )
        for row in session.scalars(query):
            yield row.seq, model.__tablename__, row  # type: ignore[attr-defined]

    return heapq.merge(*(rows_of(model) for model in CHAINED), key=lambda link: link[0])


def verify_chain(
    session: Session, station_id: int, checkpoints: Iterable[Checkpoint] = (), *, with_stored: bool = True
) -> VerifyReport:
    """Check every link, and the chain against the stored checkpoints and those given."""
    count, head_hash = head_of(session, station_id)
    public_hex = station_public_key(session, station_id)
    report = VerifyReport(_station_code(session, station_id), count, head_hash, public_key=public_hex)
    given = list(checkpoints)
    stored = stored_checkpoints(session, station_id) if with_stored else []
    wanted: dict[int, list[tuple[Checkpoint, bool]]] = {}
    for checkpoint in stored:
        wanted.setdefault(checkpoint.count, []).append((checkpoint, True))
    for checkpoint in given:
        wanted.setdefault(checkpoint.count, []).append((checkpoint, False))

    def problem(seq: int | None, table: str, row_id: int | None, message: str) -> None:
        report.problems.append(ChainProblem(seq, table, row_id, message))

    for checkpoint, is_stored in (pair for pairs in wanted.values() for pair in pairs):
        if is_stored and not signature_valid(public_hex, checkpoint):
            problem(
                checkpoint.count, "", None,
                _("库中保存的第 {n} 条检查点签名无效：检查点或本站公钥被改动过。").format(n=checkpoint.count),
            )
        elif not is_stored and checkpoint.signature and not signature_valid(public_hex, checkpoint):
            problem(
                checkpoint.count, "", None,
                _("给出的第 {n} 条检查点签名与本站公钥不符：它不是本站签发的，或本站公钥被替换过。").format(
                    n=checkpoint.count
                ),
            )
        if checkpoint.count > count:
            problem(
                checkpoint.count, "", None,
                _("检查点记录台账曾有 {n} 条，现在只有 {c} 条：末尾的记录被删除了。").format(n=checkpoint.count, c=count),
            )

    expected_seq, prev = 1, GENESIS
    for seq, table, row in _links(session, station_id):
        label = TABLE_LABELS[table]
        row_id = row.id  # type: ignore[attr-defined]
        if seq < expected_seq:
            problem(seq, table, row_id, _("台账第 {s} 条（{t}）与另一条的位置重复。").format(s=seq, t=label))
            continue
        if seq > expected_seq:
            problem(
                expected_seq, table, None,
                _("第 {a}–{b} 条不见了：记录被删除了。").format(a=expected_seq, b=seq - 1)
                if seq - 1 > expected_seq
                else _("第 {a} 条不见了：记录被删除了。").format(a=expected_seq),
            )
            prev = row.prev_hash  # carry on from here, so one removal is reported once
        if row.prev_hash != prev:
            problem(seq, table, row_id, _("台账第 {s} 条（{t}）与前一条接不上：链被改动过。").format(s=seq, t=label))
        if link_hash(row.prev_hash, content_of(row)) != row.entry_hash:
            problem(
                seq, table, row_id,
                _("台账第 {s} 条（{t}）的内容与它的哈希不符：这条记录在程序之外被改动过。").format(s=seq, t=label),
            )
        for checkpoint, _is_stored in wanted.get(seq, []):
            if checkpoint.head_hash != row.entry_hash:
                problem(
                    seq, table, row_id,
                    _("第 {s} 条与 {d} 的检查点不符：这之前的台账被重建过。").format(
                        s=seq, d=checkpoint.made_on.isoformat() if checkpoint.made_on else _("给出")
                    ),
                )
            report.checkpoints_checked += 1
        prev = row.entry_hash
        expected_seq = seq + 1
        report.checked += 1
        # Checked links leave the session one by one (expunge_all would invalidate the streaming
        # results of the other tables): memory stays at one batch per table on any length of ledger.
        session.expunge(row)
    if expected_seq - 1 != count:
        problem(
            expected_seq, "", None,
            _("台账应有 {c} 条，实际只有 {n} 条：末尾的记录被删除了。").format(c=count, n=expected_seq - 1)
            if expected_seq - 1 < count
            else _("台账有 {n} 条，但链头只记到第 {c} 条：链头被改动过。").format(c=count, n=expected_seq - 1),
        )
    elif prev != head_hash:
        problem(count, "", None, _("链头与最后一条记录不符：链头被改动过。"))
    return report

