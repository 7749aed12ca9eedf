"""The time bank (回馈, §三.6): volunteers exchange earned service hours for community services.

Accounts
    A volunteer's *earned* minutes are their counted service minutes (``hours.counted_for``:
    corrections applied, waiting and rejected entries left out, training never included). Every
    redemption is a ``TimeBankEntry`` with two postings that sum to zero: the volunteer's account
    −m and the station's account +m. The *balance* is earned + the sum of the volunteer's
    postings. A reversal (冲正) is a new entry with the opposite postings; nothing is edited or
    deleted (entries are links of the evidence chain, written with ``chain.append``).

Stars are not money
    Star levels are computed from counted service minutes only, so redeeming hours lowers the
    balance and never the star level (``hours.star_level(balance.earned)`` is unchanged by a
    redemption).

One click, one redemption
    The redeem dialog makes a ``request_token`` once; a second save with the same token returns
    the entry the first one wrote. The chain head is locked before the balance is read, so two
    clerks redeeming at once (PostgreSQL) are served one after the other and cannot overspend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..i18n import _
from ..models import (
    ServiceItem,
    ServiceRecord,
    Station,
    TimeBankEntry,
    TimeBankPosting,
    Volunteer,
)
from ..reports.receipt import Receipt
from . import audit, chain
from .auth import Actor, Permission, require
from .hours import counted_for, hours_text, star_level
from .records import load_for_station
from .validation import clean_text
from .volunteers import Status

QUARTER = 15
MAX_QUANTITY = 99
MAX_PROVIDER = 100
MAX_NOTE = 500
KIND_LABELS = {"redeem": _("兑换"), "reversal": _("冲正"), "transfer": _("转入前已兑换（结转）")}
VOLUNTEER_ACCOUNT = "volunteer"
STATION_ACCOUNT = "station"


# --- data the screens get ----------------------------------------------------------------------
@dataclass(frozen=True)
class Balance:
    """A volunteer's time-bank account, in minutes. ``redeemed`` is the sum of their postings (≤ 0)."""

    volunteer_id: int
    name: str
    volunteer_no: str
    earned: int
    redeemed: int
    balance: int

    @property
    def star_level(self) -> int:
        """From earned (counted service) minutes only: redemptions never lower it."""
        return star_level(self.earned)


@dataclass(frozen=True)
class RedeemableItem:
    id: int
    name: str
    category: str
    price_minutes: int

    @property
    def label(self) -> str:
        return _("{n}（{h} 小时/次）").format(n=self.name, h=hours_text(self.price_minutes))


@dataclass(frozen=True)
class EntryRow:
    """One time-bank entry as lists show it; ``signed_minutes`` is its posting on the volunteer's account."""

    id: int
    seq: int
    kind: str  # redeem / reversal
    receipt_no: str
    volunteer_id: int
    volunteer_name: str
    volunteer_no: str
    service_name: str
    quantity: int
    minutes: int
    signed_minutes: int
    provider: str
    received_on: date
    note: str
    recorder_name: str
    entered_at: datetime
    reverses_id: int | None = None
    reverses_receipt_no: str = ""  # a reversal: the entry it reverses
    reversed_by_receipt_no: str = ""  # a redemption that was reversed: the reversal's number

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    @property
    def can_reverse(self) -> bool:
        return self.kind == "redeem" and not self.reversed_by_receipt_no


@dataclass(frozen=True)
class StationLedger:
    entries: list[EntryRow]
    period_total: int  # the station account's postings over the entries listed
    station_total: int  # the station account's balance, all time


@dataclass
class RedeemInput:
    volunteer_id: int
    service_item_id: int
    quantity: int = 1
    provider: str = ""  # who provided the service: a team, a volunteer, a merchant
    received_on: date | None = None
    note: str = ""
    request_token: str = ""


# --- reading -----------------------------------------------------------------------------------
def _volunteer(session: Session, actor: Actor, volunteer_id: int) -> Volunteer:
    return load_for_station(session, actor, Volunteer, volunteer_id, _("找不到这位志愿者。"))


def _postings_sum(session: Session, volunteer_id: int, *, up_to_seq: int | None = None) -> int:
    query = select(func.coalesce(func.sum(TimeBankPosting.minutes), 0)).where(
        TimeBankPosting.account == VOLUNTEER_ACCOUNT, TimeBankPosting.volunteer_id == volunteer_id
    )
    if up_to_seq is not None:
        query = query.join(TimeBankEntry, TimeBankEntry.id == TimeBankPosting.entry_id).where(
            TimeBankEntry.seq <= up_to_seq
        )
    return int(session.scalar(query) or 0)


def _balance_of(session: Session, actor: Actor, volunteer: Volunteer) -> Balance:
    earned = counted_for(session, actor.station_id, volunteer.id)
    redeemed = _postings_sum(session, volunteer.id)
    return Balance(volunteer.id, volunteer.name, volunteer.volunteer_no or "", earned, redeemed, earned + redeemed)


def balance(session: Session, actor: Actor, volunteer_id: int) -> Balance:
    """Earned (counted service minutes), redeemed (postings, ≤ 0) and the balance (their sum).

    Redemptions never lower the star level: stars use counted service minutes only
    (``Balance.star_level`` is ``hours.star_level(earned)``).
    """
    require(actor, Permission.VIEW)
    return _balance_of(session, actor, _volunteer(session, actor, volunteer_id))


def redeemable_items(session: Session, actor: Actor) -> list[RedeemableItem]:
    """Active menu items marked redeemable that have a price, in the menu's order."""
    require(actor, Permission.VIEW)
    rows = session.scalars(
        select(ServiceItem)
        .where(
            ServiceItem.station_id == actor.station_id,
            ServiceItem.active.is_(True),
            ServiceItem.redeemable.is_(True),
            ServiceItem.redeem_minutes > 0,
        )
        .order_by(ServiceItem.sort_order, ServiceItem.id)
    )
    return [RedeemableItem(i.id, i.name, i.category, i.redeem_minutes or 0) for i in rows]


def _rows(session: Session, entries: list[TimeBankEntry]) -> list[EntryRow]:
    if not entries:
        return []
    ids = [e.id for e in entries]
    volunteer_ids = {e.volunteer_id for e in entries}
    people = {
        v.id: (v.name, v.volunteer_no or "")
        for v in session.execute(select(Volunteer.id, Volunteer.name, Volunteer.volunteer_no).where(
            Volunteer.id.in_(volunteer_ids)))
    }
    signed = dict(session.execute(
        select(TimeBankPosting.entry_id, TimeBankPosting.minutes).where(
            TimeBankPosting.entry_id.in_(ids), TimeBankPosting.account == VOLUNTEER_ACCOUNT)
    ).all())
    reversed_by = dict(session.execute(
        select(TimeBankEntry.reverses_id, TimeBankEntry.receipt_no).where(TimeBankEntry.reverses_id.in_(ids))
    ).all())
    originals = dict(session.execute(
        select(TimeBankEntry.id, TimeBankEntry.receipt_no).where(
            TimeBankEntry.id.in_([e.reverses_id for e in entries if e.reverses_id]))
    ).all())
    return [
        EntryRow(
            e.id, e.seq, e.kind, e.receipt_no, e.volunteer_id, *people.get(e.volunteer_id, ("", "")),
            e.service_name, e.quantity, e.minutes, int(signed.get(e.id, 0)), e.provider, e.received_on, e.note,
            e.recorder_name, e.entered_at, e.reverses_id, originals.get(e.reverses_id, ""),
            reversed_by.get(e.id, ""),
        )
        for e in entries
    ]


def history(session: Session, actor: Actor, volunteer_id: int) -> list[EntryRow]:
    """The volunteer's time-bank entries, newest first."""
    require(actor, Permission.VIEW)
    _volunteer(session, actor, volunteer_id)
    entries = session.scalars(
        select(TimeBankEntry)
        .where(TimeBankEntry.station_id == actor.station_id, TimeBankEntry.volunteer_id == volunteer_id)
        .order_by(TimeBankEntry.seq.desc())
    ).all()
    return _rows(session, list(entries))


def station_ledger(
    session: Session, actor: Actor, date_from: date | None = None, date_to: date | None = None
) -> StationLedger:
    """Every entry of the station received in the period (oldest first), with the station account's totals."""
    require(actor, Permission.VIEW)
    query = select(TimeBankEntry).where(TimeBankEntry.station_id == actor.station_id)
    if date_from is not None:
        query = query.where(TimeBankEntry.received_on >= date_from)
    if date_to is not None:
        query = query.where(TimeBankEntry.received_on <= date_to)
    entries = list(session.scalars(query.order_by(TimeBankEntry.received_on, TimeBankEntry.seq)))
    station_postings = select(func.coalesce(func.sum(TimeBankPosting.minutes), 0)).where(
        TimeBankPosting.station_id == actor.station_id, TimeBankPosting.account == STATION_ACCOUNT
    )
    period = station_postings.where(TimeBankPosting.entry_id.in_([e.id for e in entries])) if entries else None
    return StationLedger(
        _rows(session, entries),
        int(session.scalar(period) or 0) if period is not None else 0,
        int(session.scalar(station_postings) or 0),
    )


def entry(session: Session, actor: Actor, entry_id: int) -> EntryRow:
    require(actor, Permission.VIEW)
    row = load_for_station(session, actor, TimeBankEntry, entry_id, _("找不到这笔兑换记录。"))
    return _rows(session, [row])[0]


# --- writing -----------------------------------------------------------------------------------
def _lock_chain(session: Session, station_id: int) -> None:
    """Take the chain head's lock now (``chain.append`` would take it later), before reading any balance.

    Every chained write of the station waits here until this unit of work ends, so the balance read
    next cannot be spent by another clerk in between (PostgreSQL; SQLite writers are serial anyway).
    """
    chain.lock_head(session, station_id)  # the lock append takes, taken before the balance is read


def _by_token(session: Session, actor: Actor, token: str) -> TimeBankEntry | None:
    return session.scalar(
        select(TimeBankEntry).where(TimeBankEntry.station_id == actor.station_id, TimeBankEntry.request_token == token)
    )


def _token(value: str) -> str:
    token = (value or "").strip()
    if not token or len(token) > 40:
        raise ValidationError(_("缺少本次操作的编号（请重新打开兑换窗口）。"), field="request_token")
    return token


def _receipt_no(session: Session, actor: Actor, today: date) -> str:
    code = session.scalar(select(Station.code).where(Station.id == actor.station_id)) or ""
    prefix = f"{code}-HK{today.year}-"
    issued = session.scalar(
        select(func.count()).select_from(TimeBankEntry).where(
            TimeBankEntry.station_id == actor.station_id, TimeBankEntry.receipt_no.like(f"{prefix}%"))
    ) or 0
    return f"{prefix}{issued + 1:05d}"


def _post(session: Session, actor: Actor, row: TimeBankEntry, volunteer_minutes: int) -> None:
    """The entry's two postings: the volunteer's account and the station's, summing to zero."""
    session.add_all([
        TimeBankPosting(entry_id=row.id, account=VOLUNTEER_ACCOUNT, volunteer_id=row.volunteer_id,
                        station_id=actor.station_id, minutes=volunteer_minutes),
        TimeBankPosting(entry_id=row.id, account=STATION_ACCOUNT, volunteer_id=None,
                        station_id=actor.station_id, minutes=-volunteer_minutes),
    ])
    session.flush()


def _checked_quantity(quantity: object) -> int:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(
            _("数量应为 1 到 {m} 之间的整数（兑换至少一次）。").format(m=MAX_QUANTITY), field="quantity"
        )
    return quantity


def _checked_date(received_on: date | None, today: date) -> date:
    if not isinstance(received_on, date):
        raise ValidationError(_("请填写接受服务的日期。"), field="received_on")
    if received_on > today:
        raise ValidationError(
            _("接受服务的日期 {d} 在将来：兑换只能登记已经接受的服务。").format(d=received_on.isoformat()),
            field="received_on",
        )
    return received_on


def _redeemable_item(session: Session, actor: Actor, item_id: int) -> ServiceItem:
    item = load_for_station(session, actor, ServiceItem, item_id, _("找不到这个服务项目。"))
    if not item.active:
        raise ValidationError(_("“{n}”已停用，不能兑换。").format(n=item.name), field="service_item_id")
    if not item.redeemable:
        raise ValidationError(
            _("“{n}”不是可用服务时长兑换的项目（服务菜单中未勾选“可用服务时长兑换”）。").format(n=item.name),
            field="service_item_id",
        )
    if not item.redeem_minutes or item.redeem_minutes <= 0:
        raise ValidationError(
            _("“{n}”还没有兑换价（每次多少小时），请站长在服务菜单中设置。").format(n=item.name),
            field="service_item_id",
        )
    return item


def redeem(session: Session, actor: Actor, data: RedeemInput, *, today: date | None = None) -> EntryRow:
    """Exchange hours for a redeemable service; returns the entry (the first one, for a repeated token)."""
    require(actor, Permission.REDEEM_HOURS)
    today = today or date.today()
    token = _token(data.request_token)
    quantity = _checked_quantity(data.quantity)
    received_on = _checked_date(data.received_on, today)
    provider = clean_text(data.provider, label=_("服务提供方"), field="provider", max_len=MAX_PROVIDER)
    if not provider:
        raise ValidationError(_("请填写服务提供方（哪支服务队、哪位志愿者或哪家商户提供了服务）。"), field="provider")
    note = clean_text(data.note, label=_("备注"), field="note", max_len=MAX_NOTE)
    _lock_chain(session, actor.station_id)
    earlier = _by_token(session, actor, token)
    if earlier is not None:
        return _rows(session, [earlier])[0]
    volunteer = _volunteer(session, actor, data.volunteer_id)
    if volunteer.status != Status.REGISTERED.value:
        raise ValidationError(
            _("{n} 的状态是“{s}”：只有已注册的志愿者可以兑换时长。").format(
                n=volunteer.name, s=Status(volunteer.status).label),
            field="volunteer_id",
        )
    item = _redeemable_item(session, actor, data.service_item_id)
    minutes = (item.redeem_minutes or 0) * quantity
    account = _balance_of(session, actor, volunteer)
    if minutes > account.balance:
        raise ValidationError(
            _("余额不足：{n} 可用 {a} 小时，本次兑换需要 {m} 小时。").format(
                n=volunteer.name, a=hours_text(max(account.balance, 0)), m=hours_text(minutes)),
            field="quantity",
        )
    row = TimeBankEntry(
        kind="redeem", volunteer_id=volunteer.id, reverses_id=None, service_item_id=item.id, service_name=item.name,
        quantity=quantity, minutes=minutes, provider=provider, received_on=received_on, note=note,
        receipt_no=_receipt_no(session, actor, today), request_token=token, recorder_id=actor.user_id,
        recorder_name=actor.display_name,
    )
    chain.append(session, actor.station_id, row)
    _post(session, actor, row, -minutes)
    audit.record(
        session, actor, "redeem", "time_bank_entry", row.id,
        summary=_("时长兑换 {no}：{n} 兑换“{s}”×{q}，{h} 小时").format(
            no=row.receipt_no, n=volunteer.name, s=item.name, q=quantity, h=hours_text(minutes)),
        changes={"balance": [account.balance, account.balance - minutes]},
    )
    return _rows(session, [row])[0]


def reverse(
    session: Session, actor: Actor, entry_id: int, reason: str, request_token: str, *, today: date | None = None
) -> EntryRow:
    """Reverse (冲正) a redemption with a new entry carrying the opposite postings; the original stays."""
    require(actor, Permission.REDEEM_HOURS)
    today = today or date.today()
    token = _token(request_token)
    reason = clean_text(reason, label=_("冲正原因"), field="reason", max_len=MAX_NOTE)
    if not reason:
        raise ValidationError(_("冲正必须写明原因。"), field="reason")
    _lock_chain(session, actor.station_id)
    earlier = _by_token(session, actor, token)
    if earlier is not None:
        return _rows(session, [earlier])[0]
    original = load_for_station(session, actor, TimeBankEntry, entry_id, _("找不到这笔兑换记录。"))
    if original.kind != "redeem":
        raise ValidationError(
            _("{no} 本身是一笔冲正，冲正不能再冲正；如需再次兑换，请重新办理兑换。").format(no=original.receipt_no),
            field="entry_id",
        )
    done = session.scalar(select(TimeBankEntry).where(TimeBankEntry.reverses_id == original.id))
    if done is not None:
        raise ValidationError(
            _("{no} 已经冲正过（冲正凭证 {r}），一笔兑换只能冲正一次。").format(no=original.receipt_no, r=done.receipt_no),
            field="entry_id",
        )
    row = TimeBankEntry(
        kind="reversal", volunteer_id=original.volunteer_id, reverses_id=original.id,
        service_item_id=original.service_item_id, service_name=original.service_name, quantity=original.quantity,
        minutes=original.minutes, provider=original.provider, received_on=today, note=reason,
        receipt_no=_receipt_no(session, actor, today), request_token=token, recorder_id=actor.user_id,
        recorder_name=actor.display_name,
    )
    chain.append(session, actor.station_id, row)
    _post(session, actor, row, original.minutes)
    name = session.scalar(select(Volunteer.name).where(Volunteer.id == original.volunteer_id)) or ""
    audit.record(
        session, actor, "reverse", "time_bank_entry", row.id,
        summary=_("冲正 {no}（原兑换 {o}）：{n} 退回 {h} 小时").format(
            no=row.receipt_no, o=original.receipt_no, n=name, h=hours_text(original.minutes)),
        changes={"reason": [None, reason]},
    )
    return _rows(session, [row])[0]


# --- the receipt -------------------------------------------------------------------------------
def _balance_after(session: Session, row: TimeBankEntry) -> int:
    """The volunteer's balance just after this entry, as the chain stood then (later changes left out)."""
    earned = session.scalar(
        select(func.coalesce(func.sum(ServiceRecord.delta_minutes), 0)).where(
            ServiceRecord.station_id == row.station_id, ServiceRecord.volunteer_id == row.volunteer_id,
            ServiceRecord.seq < row.seq)
    ) or 0
    return int(earned) + _postings_sum(session, row.volunteer_id, up_to_seq=row.seq)


def receipt(session: Session, actor: Actor, entry_id: int) -> Receipt:
    """What the printed receipt (兑换凭证, or 冲正凭证 for a reversal) shows; no ID number or phone."""
    require(actor, Permission.VIEW)
    row = load_for_station(session, actor, TimeBankEntry, entry_id, _("找不到这笔兑换记录。"))
    shown = _rows(session, [row])[0]
    station = session.get(Station, actor.station_id)
    if station is None:
        raise NotFound(_("找不到本站。"))
    return Receipt(
        station_name=station.name, receipt_no=row.receipt_no, kind=row.kind,
        original_receipt_no=shown.reverses_receipt_no, volunteer_name=shown.volunteer_name,
        volunteer_no=shown.volunteer_no, service_name=row.service_name, quantity=row.quantity,
        hours=hours_text(row.minutes), provider=row.provider, received_on=row.received_on,
        balance_after=hours_text(_balance_after(session, row)), recorder=row.recorder_name,
        entered_on=row.entered_at.astimezone().date(),
        note=row.note,
    )
