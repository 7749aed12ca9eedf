"""Recipients (服务对象), their visits (走访) and the recurring visit rules of the key groups.

The plan (§三.1) has staff and building leaders visit key-group households regularly and
note what they need. A recipient is due for a visit every N days, N being the shortest
visit interval among their active key groups; a visit is recorded together with the needs
it found, in one unit of work.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..errors import StationError, ValidationError
from ..i18n import _
from ..models import KeyGroup, Need, Recipient, Visit, recipient_key_groups, utcnow
from . import audit
from . import needs as needs_svc
from .auth import Actor, Permission, require
from .masking import mask_phone
from .pinyin import name_keys
from .records import like_escape, load_for_station
from .validation import EARLIEST_BIRTH, age_on, as_date, clean_text, optional_phone, validate_name

GENDERS = ("男", "女")

VISITOR_KINDS = {"staff": _("社区工作人员"), "building_leader": _("楼组长")}
VISIT_METHODS = {"home": _("入户"), "phone": _("电话"), "online": _("线上"), "suggestion_box": _("意见箱")}

MAX_NOTES = 2000
MAX_FINDINGS = 2000


# --- plain data ------------------------------------------------------------------------------
@dataclass
class RecipientInput:
    """What the recipient form sends; strings are validated and normalised by the service."""

    name: str
    gender: str
    birth_date: date | str
    building: str = ""
    unit: str = ""
    room: str = ""
    phone: str = ""
    guardian_name: str = ""
    guardian_relation: str = ""
    guardian_phone: str = ""
    key_group_ids: Sequence[int] = ()
    notes: str = ""


@dataclass(frozen=True)
class RecipientDetail:
    id: int
    version: int
    name: str
    gender: str
    birth_date: date
    age: int
    building: str
    unit: str
    room: str
    phone: str
    guardian_name: str
    guardian_relation: str
    guardian_phone: str
    revealed: bool  # False: phones and address are masked
    key_group_ids: list[int]
    key_group_names: list[str]
    notes: str
    active: bool
    inactive_reason: str
    registered_on: date
    visit_interval_days: int | None
    last_visit: date | None
    next_due: date | None


@dataclass(frozen=True)
class RecipientRow:
    id: int
    name: str
    gender: str
    age: int
    key_groups: list[str]
    contact: str  # masked: the recipient's phone, else the guardian with a masked phone
    active: bool
    inactive_reason: str
    last_visit: date | None
    next_due: date | None
    days_overdue: int  # 0 unless the next visit is past due

    @property
    def overdue(self) -> bool:
        return self.days_overdue > 0


@dataclass
class VisitInput:
    recipient_id: int
    visited_on: date | str
    visitor_kind: str = "staff"
    visitor_name: str = ""
    method: str = "home"
    findings: str = ""


@dataclass(frozen=True)
class VisitRow:
    id: int
    recipient_id: int
    visited_on: date
    visitor_kind: str
    visitor_kind_label: str
    visitor_name: str
    method: str
    method_label: str
    findings: str
    need_count: int


@dataclass(frozen=True)
class OverdueVisit:
    recipient_id: int
    name: str
    key_groups: list[str]
    interval_days: int  # the shortest visit rule among the recipient's active key groups
    last_visit: date | None
    due_on: date
    days_overdue: int


@dataclass
class _Schedule:
    """One recipient's visit rule and last visit, read with grouped queries."""

    interval: int | None = None
    last_visit: date | None = None
    registered_on: date | None = None
    groups: list[str] = field(default_factory=list)

    def next_due(self) -> date | None:
        if self.interval is None:
            return None
        start = self.last_visit or self.registered_on
        return start + timedelta(days=self.interval) if start else None


NO_SCHEDULE = _Schedule()


# --- validation ------------------------------------------------------------------------------
def _validated(data: RecipientInput, today: date) -> dict:
    """Normalise and check every field; raises ValidationError naming the first bad one."""
    name = validate_name(data.name)
    gender = (data.gender or "").strip()
    if gender not in GENDERS:
        raise ValidationError(_("请选择性别（男或女）。"), field="gender")
    birth = as_date(data.birth_date, label=_("出生日期"), field="birth_date")
    if birth > today:
        raise ValidationError(_("出生日期 {d} 晚于今天，请核对。").format(d=birth.isoformat()), field="birth_date")
    if birth < EARLIEST_BIRTH:
        raise ValidationError(_("出生日期不能早于1900年，请核对。"), field="birth_date")
    phone = optional_phone(data.phone, label=_("本人电话"), field="phone")
    guardian_phone = optional_phone(data.guardian_phone, label=_("监护人/联系人电话"), field="guardian_phone")
    guardian_name = ""
    if (data.guardian_name or "").strip():
        guardian_name = validate_name(data.guardian_name, field="guardian_name", label=_("监护人/联系人姓名"))
    guardian_relation = clean_text(data.guardian_relation, label=_("与本人关系"), field="guardian_relation", max_len=20)
    if guardian_phone and not guardian_name:
        raise ValidationError(_("填写了监护人/联系人电话，请同时填写其姓名。"), field="guardian_name")
    if not phone and not guardian_phone:
        # A household nobody can reach cannot be visited or served.
        raise ValidationError(
            _("请至少填写本人电话或监护人/联系人电话中的一个，否则无法联系到这户人家。"), field="phone"
        )
    initials, full = name_keys(name)
    return {
        "name": name,
        "name_initials": initials,
        "name_pinyin": full,
        "gender": gender,
        "birth_date": birth,
        "building": clean_text(data.building, label=_("楼栋"), field="building", max_len=20),
        "unit": clean_text(data.unit, label=_("单元"), field="unit", max_len=20),
        "room": clean_text(data.room, label=_("房号"), field="room", max_len=20),
        "phone": phone,
        "guardian_name": guardian_name,
        "guardian_relation": guardian_relation,
        "guardian_phone": guardian_phone,
        "notes": clean_text(data.notes, label=_("备注"), field="notes", max_len=MAX_NOTES),
        "key_group_ids": sorted(set(data.key_group_ids)),
    }


def _key_groups(session: Session, actor: Actor, ids: Sequence[int], keep: Sequence[int] = ()) -> list[KeyGroup]:
    """The station's key groups with these ids; retired ones only if the recipient already has them."""
    if not ids:
        return []
    groups = list(session.scalars(select(KeyGroup).where(KeyGroup.id.in_(ids), KeyGroup.station_id == actor.station_id)))
    if len(groups) != len(set(ids)):
        raise ValidationError(_("所选重点对象类别不存在或不属于本站。"), field="key_group_ids")
    retired = [g.name for g in groups if not g.active and g.id not in keep]
    if retired:
        raise ValidationError(
            _("重点对象类别“{n}”已停用，不能再选。").format(n="、".join(retired)), field="key_group_ids"
        )
    return sorted(groups, key=lambda g: (g.sort_order, g.id))


def _snapshot(r: Recipient) -> dict:
    return {
        "name": r.name,
        "gender": r.gender,
        "birth_date": r.birth_date,
        "building": r.building,
        "unit": r.unit,
        "room": r.room,
        "phone": r.phone,
        "guardian_name": r.guardian_name,
        "guardian_relation": r.guardian_relation,
        "guardian_phone": r.guardian_phone,
        "notes": r.notes,
        "key_groups": [g.name for g in r.key_groups],
    }


def _apply(session: Session, actor: Actor, recipient: Recipient, values: dict) -> None:
    keep = [g.id for g in recipient.key_groups]
    for key, value in values.items():
        if key != "key_group_ids":
            setattr(recipient, key, value)
    recipient.key_groups = _key_groups(session, actor, values["key_group_ids"], keep)


def _load(session: Session, actor: Actor, recipient_id: int) -> Recipient:
    return load_for_station(session, actor, Recipient, recipient_id, _("找不到这位服务对象（可能不属于本站）。"))


_STALE = _("这位服务对象的资料刚被其他人修改过，请关闭后重新打开再改。")


# --- commands --------------------------------------------------------------------------------
def create_recipient(session: Session, actor: Actor, data: RecipientInput, *, today: date | None = None) -> int:
    require(actor, Permission.EDIT_DEMAND)
    values = _validated(data, today or date.today())
    recipient = Recipient(station_id=actor.station_id, active=True)
    _apply(session, actor, recipient, values)
    session.add(recipient)
    session.flush()
    audit.record(
        session, actor, "create", "recipient", recipient.id,
        summary=_("登记服务对象：{name}").format(name=recipient.name),
        changes=audit.diff({}, _snapshot(recipient)),
    )
    return recipient.id


def update_recipient(
    session: Session,
    actor: Actor,
    recipient_id: int,
    data: RecipientInput,
    *,
    expected_version: int,
    today: date | None = None,
) -> None:
    """Save an edit; refused if someone else saved the same recipient since it was opened."""
    require(actor, Permission.EDIT_DEMAND)
    recipient = _load(session, actor, recipient_id)
    if recipient.version != expected_version:
        raise StationError(_STALE)
    values = _validated(data, today or date.today())
    before = _snapshot(recipient)
    _apply(session, actor, recipient, values)
    changes = audit.diff(before, _snapshot(recipient))
    if not changes:
        return
    try:
        # Touch the row so a key-group-only edit bumps the version too.
        recipient.updated_at = utcnow()
        session.flush()
    except StaleDataError as exc:
        raise StationError(_STALE) from exc
    audit.record(
        session, actor, "update", "recipient", recipient.id,
        summary=_("修改服务对象资料：{name}").format(name=recipient.name), changes=changes,
    )


def set_recipient_active(session: Session, actor: Actor, recipient_id: int, active: bool, reason: str) -> None:
    """Stop serving a recipient (moved away, passed away …) or take them back; never deletes."""
    require(actor, Permission.EDIT_DEMAND)
    recipient = _load(session, actor, recipient_id)
    if recipient.active == active:
        raise ValidationError(
            (_("{name}已经是在册状态。") if active else _("{name}已经停用了。")).format(name=recipient.name)
        )
    reason = clean_text(reason, label=_("原因"), field="reason", max_len=500)
    if not reason:
        raise ValidationError(
            _("请填写停用的原因（如：已搬离小区、已去世）。") if not active else _("请填写恢复的原因。"), field="reason"
        )
    recipient.active = active
    recipient.inactive_reason = "" if active else reason
    audit.record(
        session, actor, "status", "recipient", recipient.id,
        summary=(_("恢复服务对象：{name}") if active else _("停用服务对象：{name}")).format(name=recipient.name),
        changes={"active": [not active, active], "reason": [None, reason]},
    )


# --- schedules (grouped queries, never one query per recipient) --------------------------------
def _schedules(session: Session, actor: Actor, recipient_ids: Sequence[int] | None = None) -> dict[int, _Schedule]:
    """Key groups, visit interval and last visit of the station's recipients (or of some of them)."""
    rkg = recipient_key_groups
    groups_q = (
        select(rkg.c.recipient_id, KeyGroup.name, KeyGroup.visit_interval_days, KeyGroup.active)
        .join(KeyGroup, KeyGroup.id == rkg.c.key_group_id)
        .join(Recipient, Recipient.id == rkg.c.recipient_id)
        .where(Recipient.station_id == actor.station_id)
        .order_by(rkg.c.recipient_id, KeyGroup.sort_order, KeyGroup.id)
    )
    visits_q = (
        select(Visit.recipient_id, func.max(Visit.visited_on))
        .where(Visit.station_id == actor.station_id)
        .group_by(Visit.recipient_id)
    )
    if recipient_ids is not None:
        groups_q = groups_q.where(rkg.c.recipient_id.in_(recipient_ids))
        visits_q = visits_q.where(Visit.recipient_id.in_(recipient_ids))
    out: dict[int, _Schedule] = {}
    for recipient_id, name, interval, active in session.execute(groups_q):
        s = out.setdefault(recipient_id, _Schedule())
        s.groups.append(name)
        if active and interval is not None:
            s.interval = interval if s.interval is None else min(s.interval, interval)
    for recipient_id, last in session.execute(visits_q):
        out.setdefault(recipient_id, _Schedule()).last_visit = last
    return out


def _local_date(moment: datetime) -> date:
    return moment.astimezone().date()


def overdue_visits(session: Session, actor: Actor, today: date | None = None) -> list[OverdueVisit]:
    """Active recipients whose next visit is past due, most overdue first.

    Someone never visited is due ``interval`` days after they were registered.
    """
    require(actor, Permission.VIEW)
    today = today or date.today()
    rkg = recipient_key_groups
    # The rule per recipient: the shortest interval among their active key groups.
    rules = (
        select(rkg.c.recipient_id.label("rid"), func.min(KeyGroup.visit_interval_days).label("interval"))
        .join(KeyGroup, KeyGroup.id == rkg.c.key_group_id)
        .where(KeyGroup.active.is_(True), KeyGroup.visit_interval_days.is_not(None))
        .group_by(rkg.c.recipient_id)
        .subquery()
    )
    last_visits = (
        select(Visit.recipient_id.label("rid"), func.max(Visit.visited_on).label("last"))
        .where(Visit.station_id == actor.station_id)
        .group_by(Visit.recipient_id)
        .subquery()
    )
    rows = session.execute(
        select(Recipient.id, Recipient.name, Recipient.created_at, rules.c.interval, last_visits.c.last)
        .join(rules, rules.c.rid == Recipient.id)
        .outerjoin(last_visits, last_visits.c.rid == Recipient.id)
        .where(Recipient.station_id == actor.station_id, Recipient.active.is_(True))
    ).all()
    due: list[tuple[int, str, int, date | None, date]] = []
    for rid, name, created_at, interval, last in rows:
        due_on = (last or _local_date(created_at)) + timedelta(days=interval)
        if due_on < today:
            due.append((rid, name, interval, last, due_on))
    if not due:
        return []
    groups = _group_names(session, [d[0] for d in due])
    result = [
        OverdueVisit(rid, name, groups.get(rid, []), interval, last, due_on, (today - due_on).days)
        for rid, name, interval, last, due_on in due
    ]
    result.sort(key=lambda o: (-o.days_overdue, o.name, o.recipient_id))
    return result


def _group_names(session: Session, recipient_ids: Sequence[int]) -> dict[int, list[str]]:
    rkg = recipient_key_groups
    out: dict[int, list[str]] = {}
    for rid, name in session.execute(
        select(rkg.c.recipient_id, KeyGroup.name)
        .join(KeyGroup, KeyGroup.id == rkg.c.key_group_id)
        .where(rkg.c.recipient_id.in_(recipient_ids))
        .order_by(KeyGroup.sort_order, KeyGroup.id)
    ):
        out.setdefault(rid, []).append(name)
    return out


# --- queries ---------------------------------------------------------------------------------
def _mask_address(text: str, reveal: bool) -> str:
    return text if reveal or not text else "***"


def get_recipient(session: Session, actor: Actor, recipient_id: int, *, reveal: bool = False) -> RecipientDetail:
    """One recipient's file. ``reveal`` shows phones and address in full and is audited."""
    require(actor, Permission.VIEW)
    if reveal:
        require(actor, Permission.REVEAL_PERSONAL)
    r = _load(session, actor, recipient_id)
    if reveal:
        audit.record(
            session, actor, "reveal", "recipient", r.id, summary=_("查看完整个人信息：{name}").format(name=r.name)
        )
    schedule = _schedules(session, actor, [r.id]).get(r.id, _Schedule())
    schedule.registered_on = _local_date(r.created_at)
    return RecipientDetail(
        id=r.id,
        version=r.version,
        name=r.name,
        gender=r.gender,
        birth_date=r.birth_date,
        age=age_on(r.birth_date, date.today()),
        building=_mask_address(r.building, reveal),
        unit=_mask_address(r.unit, reveal),
        room=_mask_address(r.room, reveal),
        phone=r.phone if reveal else mask_phone(r.phone),
        guardian_name=r.guardian_name,
        guardian_relation=r.guardian_relation,
        guardian_phone=r.guardian_phone if reveal else mask_phone(r.guardian_phone),
        revealed=reveal,
        key_group_ids=[g.id for g in r.key_groups],
        key_group_names=[g.name for g in r.key_groups],
        notes=r.notes,
        active=r.active,
        inactive_reason=r.inactive_reason,
        registered_on=schedule.registered_on,
        visit_interval_days=schedule.interval,
        last_visit=schedule.last_visit,
        next_due=schedule.next_due() if r.active else None,
    )


def _search_condition(text: str):  # noqa: ANN202 - a SQL expression or None
    """Name, pinyin initials or full pinyin, guardian's name, or digits of a phone."""
    text = unicodedata.normalize("NFKC", text).strip()
    if not text:
        return None
    esc = like_escape(text)
    if re.fullmatch(r"[A-Za-z]+", text):
        lowered = esc.lower()
        return or_(
            Recipient.name_initials.like(f"{lowered}%", escape="\\"),
            Recipient.name_pinyin.like(f"{lowered}%", escape="\\"),
        )
    if re.fullmatch(r"[0-9\-]+", text):
        return or_(
            Recipient.phone.like(f"%{esc}%", escape="\\"), Recipient.guardian_phone.like(f"%{esc}%", escape="\\")
        )
    return or_(Recipient.name.like(f"%{esc}%", escape="\\"), Recipient.guardian_name.like(f"%{esc}%", escape="\\"))


def _contact(phone: str, guardian_name: str, guardian_relation: str, guardian_phone: str) -> str:
    if phone:
        return mask_phone(phone)
    who = guardian_name + (f"（{guardian_relation}）" if guardian_relation else "")
    return f"{who} {mask_phone(guardian_phone)}".strip()


def list_recipients(
    session: Session,
    actor: Actor,
    text: str = "",
    key_group_id: int | None = None,
    include_inactive: bool = False,
    *,
    today: date | None = None,
) -> list[RecipientRow]:
    """The register, by pinyin of the name; contacts masked; visit schedule from grouped queries."""
    require(actor, Permission.VIEW)
    today = today or date.today()
    r = Recipient
    query = select(
        r.id, r.name, r.gender, r.birth_date, r.phone, r.guardian_name, r.guardian_relation, r.guardian_phone,
        r.active, r.inactive_reason, r.created_at,
    ).where(r.station_id == actor.station_id)
    condition = _search_condition(text)
    if condition is not None:
        query = query.where(condition)
    if key_group_id is not None:
        query = query.where(
            r.id.in_(
                select(recipient_key_groups.c.recipient_id).where(recipient_key_groups.c.key_group_id == key_group_id)
            )
        )
    if not include_inactive:
        query = query.where(r.active.is_(True))
    rows = session.execute(query.order_by(r.active.desc(), r.name_pinyin, r.id)).all()
    # Whole-station aggregates when the list is long, or just these ids: two grouped queries either way.
    ids = [row.id for row in rows]
    schedules = _schedules(session, actor, ids if len(ids) <= 500 else None)
    out: list[RecipientRow] = []
    for row in rows:
        s = schedules.get(row.id) or NO_SCHEDULE
        next_due = None
        if row.active and s.interval is not None:
            next_due = (s.last_visit or _local_date(row.created_at)) + timedelta(days=s.interval)
        out.append(
            RecipientRow(
                id=row.id,
                name=row.name,
                gender=row.gender,
                age=age_on(row.birth_date, today),
                key_groups=list(s.groups),
                contact=_contact(row.phone, row.guardian_name, row.guardian_relation, row.guardian_phone),
                active=row.active,
                inactive_reason=row.inactive_reason,
                last_visit=s.last_visit,
                next_due=next_due,
                days_overdue=max(0, (today - next_due).days) if next_due else 0,
            )
        )
    return out


# --- visits ----------------------------------------------------------------------------------
def _validated_visit(session: Session, actor: Actor, visit: VisitInput, today: date) -> tuple[Recipient, dict]:
    recipient = _load(session, actor, visit.recipient_id)
    if not recipient.active:
        raise ValidationError(
            _("{name}已停用（{reason}），不能再记录走访；如需恢复请先点“恢复”。").format(
                name=recipient.name, reason=recipient.inactive_reason or _("未写原因")
            ),
            field="recipient_id",
        )
    visited_on = as_date(visit.visited_on, label=_("走访日期"), field="visited_on")
    if visited_on > today:
        raise ValidationError(
            _("走访日期 {d} 晚于今天：走访要在走访之后记录。").format(d=visited_on.isoformat()), field="visited_on"
        )
    if visited_on < recipient.birth_date:
        raise ValidationError(
            _("走访日期 {d} 早于{name}的出生日期，请核对。").format(d=visited_on.isoformat(), name=recipient.name),
            field="visited_on",
        )
    if visit.visitor_kind not in VISITOR_KINDS:
        raise ValidationError(_("请选择走访人身份（社区工作人员或楼组长）。"), field="visitor_kind")
    if visit.method not in VISIT_METHODS:
        raise ValidationError(_("请选择走访方式（入户、电话、线上或意见箱）。"), field="method")
    visitor_name = validate_name(visit.visitor_name, field="visitor_name", label=_("走访人姓名"))
    return recipient, {
        "visited_on": visited_on,
        "visitor_kind": visit.visitor_kind,
        "visitor_name": visitor_name,
        "method": visit.method,
        "findings": clean_text(visit.findings, label=_("走访情况"), field="findings", max_len=MAX_FINDINGS),
    }


def record_visit(
    session: Session,
    actor: Actor,
    visit: VisitInput,
    needs: Sequence[needs_svc.NeedInput] = (),
    *,
    today: date | None = None,
) -> int:
    """Record a visit and the needs it found, all or nothing; returns the visit's id."""
    require(actor, Permission.EDIT_DEMAND)
    recipient, values = _validated_visit(session, actor, visit, today or date.today())
    for n, need in enumerate(needs, start=1):
        if need.recipient_id not in (None, recipient.id):
            raise ValidationError(
                _("第 {n} 项需求不是{name}的，不能记在这次走访里。").format(n=n, name=recipient.name), field="needs"
            )
    # A savepoint: a bad need undoes the visit and the needs before it, even if the caller goes on.
    with session.begin_nested():
        row = Visit(station_id=actor.station_id, recipient_id=recipient.id, created_by_id=actor.user_id, **values)
        session.add(row)
        session.flush()
        for n, need in enumerate(needs, start=1):
            try:
                needs_svc.add_need(
                    session, actor, replace(need, recipient_id=recipient.id),
                    visit_id=row.id, raised_on=values["visited_on"],
                )
            except ValidationError as exc:
                raise ValidationError(
                    _("第 {n} 项需求：").format(n=n) + exc.message, field=f"needs.{n - 1}.{exc.field or ''}"
                ) from exc
        audit.record(
            session, actor, "create", "visit", row.id,
            summary=_("记录走访：{name}，{d}，{how}，发现需求 {k} 项").format(
                name=recipient.name, d=values["visited_on"].isoformat(), how=VISIT_METHODS[values["method"]],
                k=len(needs),
            ),
            changes=audit.diff({}, {"recipient_id": recipient.id, **values}),
        )
    return row.id


def list_visits(session: Session, actor: Actor, recipient_id: int) -> list[VisitRow]:
    """A recipient's visits, newest first, with how many needs each found."""
    require(actor, Permission.VIEW)
    _load(session, actor, recipient_id)
    need_counts = (
        select(Need.visit_id.label("vid"), func.count().label("n"))
        .where(Need.recipient_id == recipient_id, Need.visit_id.is_not(None))
        .group_by(Need.visit_id)
        .subquery()
    )
    rows = session.execute(
        select(Visit, func.coalesce(need_counts.c.n, 0))
        .outerjoin(need_counts, need_counts.c.vid == Visit.id)
        .where(Visit.recipient_id == recipient_id, Visit.station_id == actor.station_id)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    ).all()
    return [
        VisitRow(
            id=v.id,
            recipient_id=v.recipient_id,
            visited_on=v.visited_on,
            visitor_kind=v.visitor_kind,
            visitor_kind_label=VISITOR_KINDS.get(v.visitor_kind, v.visitor_kind),
            visitor_name=v.visitor_name,
            method=v.method,
            method_label=VISIT_METHODS.get(v.method, v.method),
            findings=v.findings,
            need_count=count,
        )
        for v, count in rows
    ]
