"""Activities (开展活动, §三.4): what, where, when, for whom, and who leads; their shifts, recurring
series, festival visits (“我们的节日”, §四(二)2), and the calendar.

Every activity has at least one shift (班次); volunteers are assigned to shifts (see
``services.assignments``). An activity serves recipients and/or needs: linking an unmet need
makes it 已对接 with history pointing at the activity; cancelling the activity sends it back
to 待对接. Scheduled times are naive local wall-clock datetimes (see ``models.schedule``).
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import (
    Activity,
    ActivitySeries,
    Assignment,
    KeyGroup,
    Need,
    NeedStatusChange,
    Project,
    Recipient,
    ServiceItem,
    ServiceRecord,
    Shift,
    Station,
    Team,
    TrainingSession,
    Volunteer,
    activity_recipients,
    recipient_key_groups,
    utcnow,
)
from ..reports.activity_roster import RosterData, RosterPerson, RosterShift
from . import audit
from . import needs as needs_svc
from .auth import Actor, Permission, Role, require
from .catalogue import Category
from .masking import mask_phone
from .records import like_escape, load_for_station, skills_named
from .teams import checked_partner
from .timefmt import WEEKDAYS, when_text
from .training import TrainingKind
from .validation import validate_name

STALE_MESSAGE = _("这个活动刚被其他人改过，请关闭后重新打开再改。")
# Limits that keep a typo from filling the calendar.
MAX_ACTIVITY_DAYS = 7
MAX_OCCURRENCES = 200
MAX_SERIES_DAYS = 2 * 366
MAX_CAPACITY = 999
# ActivityInput.required_training's default: take the menu item's requirement.
FROM_ITEM = "from_item"


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return ACTIVITY_STATUS_LABELS[self]


ACTIVITY_STATUS_LABELS = {
    ActivityStatus.PLANNED: _("计划"),
    ActivityStatus.IN_PROGRESS: _("进行中"),
    ActivityStatus.DONE: _("已完成"),
    ActivityStatus.CANCELLED: _("已取消"),
}
TRAINING_STATUS_LABELS = {"planned": _("计划"), "held": _("已举行"), "cancelled": _("已取消")}
# Statuses whose details can still change.
EDITABLE = (ActivityStatus.PLANNED, ActivityStatus.IN_PROGRESS)


# --- input and output ---------------------------------------------------------------------------
@dataclass
class ShiftInput:
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int = 1
    label: str = ""
    id: int | None = None  # an existing shift, when editing


@dataclass
class ActivityInput:
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    place: str
    service_item_id: int | None = None
    category: str | None = None  # needed only without a menu item; otherwise the item's
    project_id: int | None = None
    description: str = ""
    shifts: Sequence[ShiftInput] = ()
    # Used when no shifts are given: one shift over the whole activity with this many places.
    volunteers_needed: int | None = None
    required_training: str | None = FROM_ITEM  # a TrainingKind value, None, or FROM_ITEM
    skills: Sequence[str] | None = None  # None: the menu item's skills
    recipient_ids: Sequence[int] = ()
    need_ids: Sequence[int] = ()
    lead_social_worker: str = ""
    partner_team_id: int | None = None
    partner_org: str = ""


@dataclass(frozen=True)
class RecurrenceRule:
    """每周 on some weekdays every N weeks, or 每月 on a day every N months, from first to last date."""

    frequency: str  # "weekly" / "monthly"
    first_date: date
    last_date: date
    interval: int = 1
    weekdays: Sequence[int] = ()  # weekly: 0 = Monday … 6 = Sunday
    month_day: int | None = None  # monthly: 1–31 (a month without it uses its last day)


@dataclass(frozen=True)
class ShiftInfo:
    id: int
    label: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    assigned: int

    @property
    def display_label(self) -> str:
        return self.label or _("全程")

    @property
    def time_range(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


@dataclass(frozen=True)
class ActivityRow:
    id: int
    title: str
    category: Category
    category_label: str
    service_item: str
    project_name: str
    place: str
    starts_at: datetime
    ends_at: datetime
    status: ActivityStatus
    status_label: str
    assigned: int
    needed: int
    lead_social_worker: str
    partner: str
    series_id: int | None
    festival: str | None
    version: int

    @property
    def when(self) -> str:
        return when_text(self.starts_at, self.ends_at)


@dataclass(frozen=True)
class ActivityDetail:
    id: int
    version: int
    title: str
    category: Category
    category_label: str
    service_item_id: int | None
    service_item: str
    project_id: int | None
    project_name: str
    description: str
    place: str
    starts_at: datetime
    ends_at: datetime
    volunteers_needed: int
    assigned: int
    required_training: str | None
    required_training_label: str
    skills: list[str]
    shifts: list[ShiftInfo]
    recipients: list[tuple[int, str]]  # (id, name)
    needs: list[needs_svc.NeedRow]
    lead_social_worker: str
    partner_team_id: int | None
    partner_team: str
    partner_org: str
    status: ActivityStatus
    status_label: str
    status_reason: str
    series_id: int | None
    series_rule: str  # e.g. "每周六，2026-12-05 至 2027-03-27", "" when not recurring
    series_detached: bool
    festival: str | None
    festival_name: str
    key_group_id: int | None
    key_group: str

    @property
    def partner(self) -> str:
        return " / ".join(p for p in (self.partner_team, self.partner_org) if p)

    @property
    def when(self) -> str:
        return when_text(self.starts_at, self.ends_at)


@dataclass(frozen=True)
class CalendarItem:
    """An activity or a training session for the calendar (the UI turns it into its CalendarEntry)."""

    kind: str  # "activity" / "training"
    id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    detail: str = ""


@dataclass
class ActivityFilter:
    start: date | None = None  # inclusive
    end: date | None = None  # inclusive
    status: str | None = None
    category: str | None = None
    project_id: int | None = None
    series_id: int | None = None
    text: str = ""


# --- small helpers ------------------------------------------------------------------------------
def _now(now: datetime | None) -> datetime:
    return (now or datetime.now()).replace(second=0, microsecond=0, tzinfo=None)


def _fmt(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _minute(value: datetime | None, *, label: str, field: str) -> datetime:
    if value is None:
        raise ValidationError(_("请填写{label}。").format(label=label), field=field)
    if not isinstance(value, datetime):
        raise ValidationError(_("{label}填写有误。").format(label=label), field=field)
    return value.replace(second=0, microsecond=0, tzinfo=None)


def _load(session: Session, actor: Actor, activity_id: int, *, for_update: bool = False) -> Activity:
    return load_for_station(session, actor, Activity, activity_id, _("找不到这个活动。"), for_update=for_update)


def assigned_by_shift(session: Session, shift_ids: Sequence[int]) -> dict[int, int]:
    """Volunteers currently assigned (not cancelled) on each shift."""
    if not shift_ids:
        return {}
    query = (
        select(Assignment.shift_id, func.count())
        .where(Assignment.shift_id.in_(list(shift_ids)), Assignment.status == "assigned")
        .group_by(Assignment.shift_id)
    )
    return {sid: int(n) for sid, n in session.execute(query)}


def _assigned_by_activity(session: Session, activity_ids: Sequence[int] | None, station_id: int) -> dict[int, int]:
    query = (
        select(Assignment.activity_id, func.count())
        .join(Activity, Activity.id == Assignment.activity_id)
        .where(Activity.station_id == station_id, Assignment.status == "assigned")
        .group_by(Assignment.activity_id)
    )
    if activity_ids is not None:
        if not activity_ids:
            return {}
        query = query.where(Assignment.activity_id.in_(list(activity_ids)))
    return {aid: int(n) for aid, n in session.execute(query)}


def _shift_name(label: str, n: int) -> str:
    return label or _("第 {n} 个班次").format(n=n)


# --- validation ---------------------------------------------------------------------------------
def _validated(
    session: Session, actor: Actor, data: ActivityInput, *, now: datetime, existing: Activity | None = None
) -> dict:
    """Everything but the shifts and the needs, checked and tidied; raises before anything changes."""
    title = (data.title or "").strip()
    if not title:
        raise ValidationError(_("请填写活动名称。"), field="title")
    if len(title) > 100:
        raise ValidationError(_("活动名称不能超过 100 个字。"), field="title")

    item: ServiceItem | None = None
    if data.service_item_id is not None:
        item = session.get(ServiceItem, data.service_item_id)
        if item is None or item.station_id != actor.station_id:
            raise ValidationError(_("所选的服务菜单项目不存在或不属于本站。"), field="service_item_id")
        unchanged = existing is not None and existing.service_item_id == item.id
        if not item.active and not unchanged:
            raise ValidationError(
                _("“{n}”已从服务菜单停用，请选择其他项目。").format(n=item.name), field="service_item_id"
            )
        category = Category(item.category)
    else:
        try:
            category = Category(data.category or "")
        except ValueError:
            raise ValidationError(
                _("请选择服务菜单项目，或者选择活动类别（六大行动之一）。"), field="category"
            ) from None

    project_id = data.project_id
    if project_id is not None:
        project = session.get(Project, project_id)
        if project is None or project.station_id != actor.station_id:
            raise ValidationError(_("所选的项目不存在或不属于本站。"), field="project_id")
        unchanged = existing is not None and existing.project_id == project_id
        if project.status != "active" and not unchanged:
            raise ValidationError(_("项目“{n}”已结束，不能再为它安排活动。").format(n=project.name), field="project_id")

    place = (data.place or "").strip()
    if not place:
        raise ValidationError(_("请填写活动地点。"), field="place")
    if len(place) > 100:
        raise ValidationError(_("活动地点不能超过 100 个字。"), field="place")
    description = (data.description or "").strip()
    if len(description) > 2000:
        raise ValidationError(_("活动说明不能超过 2000 个字。"), field="description")

    starts_at = _minute(data.starts_at, label=_("开始时间"), field="starts_at")
    ends_at = _minute(data.ends_at, label=_("结束时间"), field="ends_at")
    if ends_at <= starts_at:
        if ends_at < starts_at:
            message = _("结束时间 {e} 早于开始时间 {s}，请核对活动时间。")
        else:
            message = _("结束时间 {e} 与开始时间 {s} 相同，活动至少要有 1 分钟。")
        raise ValidationError(message.format(e=_fmt(ends_at), s=_fmt(starts_at)), field="ends_at")
    if ends_at - starts_at > timedelta(days=MAX_ACTIVITY_DAYS):
        raise ValidationError(
            _("一次活动最长 {d} 天；更长的安排请建成周期活动或项目。").format(d=MAX_ACTIVITY_DAYS), field="ends_at"
        )
    moved = existing is None or existing.starts_at != starts_at
    if moved and starts_at < now:
        what = _("活动不能安排在过去") if existing is None else _("活动不能改到过去的时间")
        raise ValidationError(
            _("{what}：开始时间 {s} 已经过去了（现在是 {n}）。").format(what=what, s=_fmt(starts_at), n=_fmt(now)),
            field="starts_at",
        )

    training = data.required_training
    if training == FROM_ITEM:
        training = item.required_training if item is not None else None
    if training:
        try:
            training = TrainingKind(training).value
        except ValueError:
            raise ValidationError(_("所需培训的类型不对。"), field="required_training") from None
    else:
        training = None

    if data.skills is None:
        skills = sorted(s.name for s in item.skills) if item is not None else []
    else:
        skills = sorted({s.strip() for s in data.skills if s and s.strip()})
    if any(len(s) > 50 for s in skills):
        raise ValidationError(_("技能名称不能超过 50 个字。"), field="skills")

    recipient_ids = sorted(set(data.recipient_ids or ()))
    recipients: list[Recipient] = []
    if recipient_ids:
        found = {r.id: r for r in session.scalars(select(Recipient).where(Recipient.id.in_(recipient_ids)))}
        kept = set()
        if existing is not None:
            kept = set(session.scalars(
                select(activity_recipients.c.recipient_id).where(activity_recipients.c.activity_id == existing.id)
            ))
        for rid in recipient_ids:
            r = found.get(rid)
            if r is None or r.station_id != actor.station_id:
                raise ValidationError(
                    _("所选服务对象（编号 {id}）不存在或不属于本站。").format(id=rid), field="recipient_ids"
                )
            if not r.active and rid not in kept:
                raise ValidationError(
                    _("{n}已停用（{why}），不能再作为活动的服务对象。").format(n=r.name, why=r.inactive_reason),
                    field="recipient_ids",
                )
        recipients = [found[rid] for rid in recipient_ids]

    lead = (data.lead_social_worker or "").strip()
    if lead:
        lead = validate_name(lead, field="lead_social_worker", label=_("负责社工"))
    team_id, partner_org = checked_partner(session, actor, data.partner_team_id, data.partner_org)
    return {
        "title": title,
        "service_item_id": item.id if item is not None else None,
        "category": category.value,
        "project_id": project_id,
        "place": place,
        "description": description,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "required_training": training,
        "skills": skills,
        "recipients": recipients,
        "lead_social_worker": lead,
        "partner_team_id": team_id,
        "partner_org": partner_org,
    }


def _validated_shifts(data: ActivityInput, starts_at: datetime, ends_at: datetime) -> list[dict]:
    """The shifts as dicts (id, label, starts_at, ends_at, capacity); one over the whole activity if none."""
    if not data.shifts:
        needed = data.volunteers_needed
        if not isinstance(needed, int) or needed < 1:
            raise ValidationError(_("请填写需要的志愿者人数（至少 1 人），或者添加班次。"), field="volunteers_needed")
        if needed > MAX_CAPACITY:
            raise ValidationError(
                _("需要的志愿者人数不能超过 {m} 人。").format(m=MAX_CAPACITY), field="volunteers_needed"
            )
        return [{"id": None, "label": "", "starts_at": starts_at, "ends_at": ends_at, "capacity": needed}]
    out = []
    for n, s in enumerate(data.shifts, start=1):
        label = (s.label or "").strip()
        name = _shift_name(label, n)
        if len(label) > 50:
            raise ValidationError(_("班次名称不能超过 50 个字：{l}").format(l=label[:20]), field="shifts")
        s_start = _minute(s.starts_at, label=_("{s}的开始时间").format(s=name), field="shifts")
        s_end = _minute(s.ends_at, label=_("{s}的结束时间").format(s=name), field="shifts")
        if s_end <= s_start:
            raise ValidationError(
                _("班次“{s}”的结束时间 {e} 要晚于开始时间 {b}。").format(
                    s=name, e=f"{s_end:%H:%M}", b=f"{s_start:%H:%M}"
                ),
                field="shifts",
            )
        if s_start < starts_at or s_end > ends_at:
            raise ValidationError(
                _("班次“{s}”（{b}–{e}）超出了活动时间 {ab} 至 {ae}，请调整班次或活动时间。").format(
                    s=name, b=_fmt(s_start), e=_fmt(s_end), ab=_fmt(starts_at), ae=_fmt(ends_at)
                ),
                field="shifts",
            )
        capacity = s.capacity
        if not isinstance(capacity, int) or capacity < 1:
            raise ValidationError(_("班次“{s}”的名额至少 1 人。").format(s=name), field="shifts")
        if capacity > MAX_CAPACITY:
            raise ValidationError(_("班次“{s}”的名额不能超过 {m} 人。").format(s=name, m=MAX_CAPACITY), field="shifts")
        out.append({"id": s.id, "label": label, "starts_at": s_start, "ends_at": s_end, "capacity": capacity})
    return out


def _check_new_needs(session: Session, actor: Actor, need_ids: Sequence[int]) -> list[Need]:
    """Needs to link: this station's and still unmet; refused by name otherwise."""
    ids = sorted(set(need_ids))
    if not ids:
        return []
    found = {n.id: n for n in session.scalars(select(Need).where(Need.id.in_(ids)))}
    out = []
    for need_id in ids:
        need = found.get(need_id)
        if need is None or need.station_id != actor.station_id:
            raise ValidationError(_("所选需求（编号 {id}）不存在或不属于本站。").format(id=need_id), field="need_ids")
        status = needs_svc.NeedStatus(need.status)
        if status not in needs_svc.UNMET:
            what = need.service_item.name if need.service_item is not None else need.free_text
            raise ValidationError(
                _("需求“{r} — {w}”目前是“{s}”，只有待评估或待对接的需求才能由活动来对接。").format(
                    r=need.recipient.name, w=what, s=status.label
                ),
                field="need_ids",
            )
        out.append(need)
    return out


def _snapshot(a: Activity, recipient_ids: Sequence[int]) -> dict:
    return {
        "title": a.title,
        "service_item_id": a.service_item_id,
        "category": a.category,
        "project_id": a.project_id,
        "place": a.place,
        "description": a.description,
        "starts_at": a.starts_at,
        "ends_at": a.ends_at,
        "volunteers_needed": a.volunteers_needed,
        "required_training": a.required_training,
        "skills": [s.name for s in a.skills],
        "recipient_ids": sorted(recipient_ids),
        "lead_social_worker": a.lead_social_worker,
        "partner_team_id": a.partner_team_id,
        "partner_org": a.partner_org,
        "shifts": [f"{s.label} {_fmt(s.starts_at)}–{s.ends_at:%H:%M} ×{s.capacity}" for s in a.shifts],
    }


def _set_recipients(session: Session, activity: Activity, recipients: Sequence[Recipient]) -> None:
    session.execute(delete(activity_recipients).where(activity_recipients.c.activity_id == activity.id))
    if recipients:
        session.execute(
            activity_recipients.insert(), [{"activity_id": activity.id, "recipient_id": r.id} for r in recipients]
        )


def _load_recipients(session: Session, activity: Activity) -> list[Recipient]:
    return list(session.scalars(
        select(Recipient)
        .join(activity_recipients, activity_recipients.c.recipient_id == Recipient.id)
        .where(activity_recipients.c.activity_id == activity.id)
        .order_by(Recipient.name_pinyin, Recipient.id)
    ))


def _with_need_recipients(recipients: list[Recipient], needs: Sequence[Need]) -> list[Recipient]:
    """The recipients an activity serves include those whose needs it serves."""
    seen = {r.id for r in recipients}
    out = list(recipients)
    for need in needs:
        if need.recipient_id not in seen:
            seen.add(need.recipient_id)
            out.append(need.recipient)
    return out


# --- commands -----------------------------------------------------------------------------------
def create_activity(
    session: Session, actor: Actor, data: ActivityInput, *, now: datetime | None = None,
    _series_id: int | None = None, _festival: tuple[str, int] | None = None,
) -> int:
    """Schedule an activity (计划); its needs become 已对接. Refused input changes nothing."""
    require(actor, Permission.EDIT_SCHEDULE)
    now = _now(now)
    values = _validated(session, actor, data, now=now)
    shifts = _validated_shifts(data, values["starts_at"], values["ends_at"])
    needs = _check_new_needs(session, actor, data.need_ids or ())
    recipients = _with_need_recipients(values.pop("recipients"), needs)
    skills = skills_named(session, values.pop("skills"))
    activity = Activity(
        station_id=actor.station_id,
        status=ActivityStatus.PLANNED.value,
        volunteers_needed=sum(s["capacity"] for s in shifts),
        created_by_id=actor.user_id,
        series_id=_series_id,
        festival=_festival[0] if _festival else None,
        key_group_id=_festival[1] if _festival else None,
        skills=skills,
        shifts=[Shift(label=s["label"], starts_at=s["starts_at"], ends_at=s["ends_at"], capacity=s["capacity"])
                for s in shifts],
        **values,
    )
    session.add(activity)
    session.flush()
    _set_recipients(session, activity, recipients)
    audit.record(
        session, actor, "create", "activity", activity.id,
        summary=_("新建活动：{t}（{d}）").format(t=activity.title, d=_fmt(activity.starts_at)),
        changes=audit.diff({}, _snapshot(activity, [r.id for r in recipients]))
        | ({"need_ids": [None, [n.id for n in needs]]} if needs else {}),
    )
    if needs:
        needs_svc.link_needs_to_activity(session, actor, [n.id for n in needs], activity.id)
    return activity.id


def update_activity(
    session: Session, actor: Actor, activity_id: int, data: ActivityInput, *, expected_version: int,
    now: datetime | None = None,
) -> None:
    """Save an edit of a planned or running activity.

    Shifts keep their volunteers: a moved shift moves its assignments; a shift cannot be
    removed while volunteers are on it, nor get fewer places than are taken. Needs ticked
    anew become 已对接; needs unticked go back to 待对接. Editing one occurrence of a series
    detaches it from the series.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    now = _now(now)
    activity = _load(session, actor, activity_id, for_update=True)
    if activity.version != expected_version:
        raise StationError(STALE_MESSAGE)
    status = ActivityStatus(activity.status)
    if status not in EDITABLE:
        raise ValidationError(
            _("活动“{t}”{s}，不能再修改。").format(t=activity.title, s=status.label), field="status"
        )
    values = _validated(session, actor, data, now=now, existing=activity)
    wanted = _validated_shifts(data, values["starts_at"], values["ends_at"])
    current = {s.id: s for s in activity.shifts}
    if not data.shifts and len(current) == 1:
        wanted[0]["id"] = next(iter(current))  # the single whole-activity shift stays the same shift
    counts = assigned_by_shift(session, list(current))
    for n, w in enumerate(wanted, start=1):
        if w["id"] is None:
            continue
        shift = current.get(w["id"])
        if shift is None:
            raise ValidationError(
                _("班次“{s}”不属于这个活动，请重新打开活动再改。").format(s=_shift_name(w["label"], n)), field="shifts"
            )
        taken = counts.get(shift.id, 0)
        if w["capacity"] < taken:
            raise ValidationError(
                _("班次“{s}”已经排了 {k} 人，名额不能少于 {k}；请先在排班中取消多出的志愿者。").format(
                    s=_shift_name(w["label"], n), k=taken
                ),
                field="shifts",
            )
        moved = (w["starts_at"], w["ends_at"]) != (shift.starts_at, shift.ends_at)
        if moved and w["starts_at"] != shift.starts_at and w["starts_at"] < now:
            raise ValidationError(
                _("班次“{s}”不能改到过去的时间：{b} 已经过去了。").format(
                    s=_shift_name(w["label"], n), b=_fmt(w["starts_at"])
                ),
                field="shifts",
            )
        if moved and taken:
            _check_moved_shift(session, shift, w["starts_at"], w["ends_at"], _shift_name(w["label"], n))
    kept_ids = {w["id"] for w in wanted if w["id"] is not None}
    for shift in activity.shifts:
        if shift.id not in kept_ids and counts.get(shift.id, 0):
            raise ValidationError(
                _("班次“{s}”已经排了 {k} 人，不能删除；请先在排班中取消他们。").format(
                    s=shift.label or _("全程"), k=counts[shift.id]
                ),
                field="shifts",
            )
    for n, w in enumerate(wanted, start=1):
        if w["id"] is None and w["starts_at"] < now:
            raise ValidationError(
                _("新加的班次“{s}”不能安排在过去：{b} 已经过去了。").format(
                    s=_shift_name(w["label"], n), b=_fmt(w["starts_at"])
                ),
                field="shifts",
            )
    linked = {n.id for n in session.scalars(
        select(Need).where(Need.activity_id == activity.id, Need.status == needs_svc.NeedStatus.MATCHED.value)
    )}
    wanted_needs = set(data.need_ids or ())
    new_needs = _check_new_needs(session, actor, sorted(wanted_needs - linked))
    dropped_needs = sorted(linked - wanted_needs)

    # Every check passed: apply.
    before = _snapshot(activity, [r.id for r in _load_recipients(session, activity)])
    recipients = _with_need_recipients(values.pop("recipients"), new_needs)
    activity.skills = skills_named(session, values.pop("skills"))
    for key, value in values.items():
        setattr(activity, key, value)
    removed = [shift for shift in activity.shifts if shift.id not in kept_ids]
    for shift in removed:
        session.execute(delete(Assignment).where(Assignment.shift_id == shift.id))  # cancelled ones only
        activity.shifts.remove(shift)
    for w in wanted:
        if w["id"] is None:
            activity.shifts.append(
                Shift(label=w["label"], starts_at=w["starts_at"], ends_at=w["ends_at"], capacity=w["capacity"])
            )
            continue
        shift = current[w["id"]]
        if (w["starts_at"], w["ends_at"]) != (shift.starts_at, shift.ends_at):
            for assignment in session.scalars(select(Assignment).where(Assignment.shift_id == shift.id)):
                assignment.starts_at, assignment.ends_at = w["starts_at"], w["ends_at"]
        shift.label, shift.starts_at, shift.ends_at, shift.capacity = (
            w["label"], w["starts_at"], w["ends_at"], w["capacity"]
        )
    activity.volunteers_needed = sum(w["capacity"] for w in wanted)
    session.flush()
    activity.shifts.sort(key=lambda s: (s.starts_at, s.id))
    _set_recipients(session, activity, recipients)
    changes = audit.diff(before, _snapshot(activity, [r.id for r in recipients]))
    if new_needs:
        changes["need_ids"] = [None, [n.id for n in new_needs]]
    if dropped_needs:
        changes["removed_need_ids"] = [dropped_needs, None]
    if not changes:
        return
    if activity.series_id is not None and not activity.series_detached:
        activity.series_detached = True
        changes["series_detached"] = [False, True]
    flag_modified(activity, "title")  # a shifts- or recipients-only edit must bump the version too
    try:
        session.flush()
    except StaleDataError as exc:
        raise StationError(STALE_MESSAGE) from exc
    audit.record(
        session, actor, "update", "activity", activity.id,
        summary=_("修改活动：{t}").format(t=activity.title), changes=changes,
    )
    if dropped_needs:
        needs_svc.unlink_needs_from_activity(
            session, actor, dropped_needs, activity.id, _("不再由活动“{t}”服务").format(t=activity.title)
        )
    if new_needs:
        needs_svc.link_needs_to_activity(session, actor, [n.id for n in new_needs], activity.id)


def _check_moved_shift(session: Session, shift: Shift, starts_at: datetime, ends_at: datetime, name: str) -> None:
    """A staffed shift may move only where none of its volunteers is already booked elsewhere."""
    on_shift = select(Assignment.volunteer_id).where(Assignment.shift_id == shift.id, Assignment.status == "assigned")
    clash = session.execute(
        select(Volunteer.name, Activity.title, Assignment.starts_at, Assignment.ends_at)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .join(Activity, Activity.id == Assignment.activity_id)
        .where(
            Assignment.volunteer_id.in_(on_shift), Assignment.status == "assigned", Assignment.shift_id != shift.id,
            Assignment.starts_at < ends_at, Assignment.ends_at > starts_at,
        )
        .order_by(Assignment.starts_at)
    ).first()
    if clash is not None:
        who, title, other_start, other_end = clash
        raise ValidationError(
            _("班次“{s}”改到 {span} 后，{who}会与已排的活动“{t}”（{other}）时间重叠；请先在排班中调整。").format(
                s=name, span=when_text(starts_at, ends_at), who=who, t=title, other=when_text(other_start, other_end)
            ),
            field="shifts",
        )


def _cancel(session: Session, actor: Actor, activity: Activity, reason: str) -> None:
    """Cancel (the checks were made): assignments end, linked needs go back to 待对接."""
    old = activity.status
    activity.status = ActivityStatus.CANCELLED.value
    activity.status_reason = reason
    for assignment in session.scalars(
        select(Assignment).where(Assignment.activity_id == activity.id, Assignment.status == "assigned")
    ):
        assignment.status = "cancelled"
        assignment.cancelled_at = utcnow()
        assignment.cancel_reason = _("活动已取消：{r}").format(r=reason)
    audit.record(
        session, actor, "status", "activity", activity.id,
        summary=_("取消活动：{t}（{d}）").format(t=activity.title, d=_fmt(activity.starts_at)),
        changes={"status": [old, activity.status], "reason": [None, reason]},
    )
    linked = list(session.scalars(select(Need.id).where(Need.activity_id == activity.id)))
    if linked:
        needs_svc.unlink_needs_from_activity(
            session, actor, linked, activity.id, _("活动“{t}”已取消：{r}").format(t=activity.title, r=reason)
        )


def _clean_reason(reason: str, prompt: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(prompt, field="reason")
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    return reason


def set_status(
    session: Session, actor: Actor, activity_id: int, new_status: ActivityStatus | str, reason: str = "",
    *, now: datetime | None = None,
) -> None:
    """开始 / 完成 once the activity has started; 取消 with a reason; an administrator may reopen a
    completed activity (with a reason). Nothing else moves."""
    require(actor, Permission.EDIT_SCHEDULE)
    now = _now(now)
    activity = _load(session, actor, activity_id, for_update=True)
    old, new = ActivityStatus(activity.status), ActivityStatus(new_status)
    if old == new:
        raise ValidationError(_("活动“{t}”已经是“{s}”了。").format(t=activity.title, s=old.label), field="status")
    if new == ActivityStatus.CANCELLED:
        if old not in EDITABLE:
            raise ValidationError(
                _("活动“{t}”{s}，不能取消。").format(t=activity.title, s=old.label), field="status"
            )
        _cancel(session, actor, activity, _clean_reason(reason, _("请填写取消活动的原因（会记入操作日志）。")))
        return
    if old == ActivityStatus.CANCELLED:
        raise ValidationError(_("活动“{t}”已取消，不能再改状态；需要的话请重新安排一次。").format(t=activity.title),
                              field="status")
    if old == ActivityStatus.DONE:
        if actor.role is not Role.ADMIN:
            raise ValidationError(
                _("活动“{t}”已完成，只有站长/管理员可以填写原因撤销“已完成”。").format(t=activity.title), field="status"
            )
        if new != ActivityStatus.IN_PROGRESS:
            raise ValidationError(_("已完成的活动只能撤回为“进行中”。"), field="status")
        reason = _clean_reason(reason, _("请填写撤销“已完成”的原因（会记入操作日志）。"))
        blocker = service_record_blocker(session, activity)
        if blocker:
            raise ValidationError(blocker, field="status")
    elif new == ActivityStatus.PLANNED:
        raise ValidationError(_("进行中的活动不能改回“计划”。"), field="status")
    elif now < activity.starts_at:
        verb = _("开始") if new == ActivityStatus.IN_PROGRESS else _("完成")
        raise ValidationError(
            _("活动“{t}”要到 {s} 才开始，现在还不能标为{v}。").format(
                t=activity.title, s=_fmt(activity.starts_at), v=verb
            ),
            field="status",
        )
    activity.status = new.value
    activity.status_reason = (reason or "").strip()
    audit.record(
        session, actor, "status", "activity", activity.id,
        summary=_("活动 {t}：{o} → {n}").format(t=activity.title, o=old.label, n=new.label),
        changes={"status": [old.value, new.value]} | ({"reason": [None, reason]} if reason else {}),
    )


def service_record_blocker(session: Session, activity: Activity) -> str | None:
    """Why recorded service hours forbid deleting or reopening this activity, or None.

    The ledger is append-only evidence pointing at the activity: the one place both
    ``deletion_blocker`` and reopening a 已完成 activity ask.
    """
    recorded = session.scalar(
        select(func.count()).select_from(ServiceRecord).where(
            ServiceRecord.activity_id == activity.id, ServiceRecord.kind == "record"
        )
    )
    if recorded:
        return _("活动“{t}”已登记了 {n} 条服务时长记录，台账只能追加，不能删除活动或撤销“已完成”；"
                 "时长有误请在“时长录入”里申请更正。").format(t=activity.title, n=recorded)
    return None


def deletion_blocker(session: Session, activity: Activity) -> str | None:
    """Why this activity cannot be deleted, or None. The one place deletion rules live."""
    status = ActivityStatus(activity.status)
    if status == ActivityStatus.DONE:
        return _("已完成的活动会有服务时长记录，不能删除，只能由站长/管理员填写原因撤销“已完成”后改为取消。")
    if status == ActivityStatus.IN_PROGRESS:
        return _("活动“{t}”正在进行中，不能删除；不办了请改为“取消活动”。").format(t=activity.title)
    assigned = session.scalar(
        select(func.count()).where(Assignment.activity_id == activity.id, Assignment.status == "assigned")
    )
    if assigned:
        return _("活动“{t}”已经排了 {n} 名志愿者，不能删除；不办了请改为“取消活动”。").format(
            t=activity.title, n=assigned
        )
    traced = session.scalar(
        select(func.count()).select_from(NeedStatusChange).where(NeedStatusChange.activity_id == activity.id)
    )
    if traced:
        return _("活动“{t}”对接过需求，需求的历史记录指向它，不能删除；请改为“取消活动”。").format(t=activity.title)
    return service_record_blocker(session, activity)


def delete_activity(session: Session, actor: Actor, activity_id: int) -> None:
    """Delete a planned or cancelled activity that has left no trace (no volunteers on it, no needs)."""
    require(actor, Permission.EDIT_SCHEDULE)
    activity = _load(session, actor, activity_id, for_update=True)
    blocker = deletion_blocker(session, activity)
    if blocker:
        raise ValidationError(blocker, field="status")
    snapshot = _snapshot(activity, [r.id for r in _load_recipients(session, activity)])
    title, starts_at = activity.title, activity.starts_at
    session.execute(delete(Assignment).where(Assignment.activity_id == activity.id))
    session.execute(delete(activity_recipients).where(activity_recipients.c.activity_id == activity.id))
    session.delete(activity)
    session.flush()
    audit.record(
        session, actor, "delete", "activity", activity_id,
        summary=_("删除活动：{t}（{d}）").format(t=title, d=_fmt(starts_at)),
        changes={k: [v, None] for k, v in snapshot.items()},
    )


# --- recurrence ---------------------------------------------------------------------------------
def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    total = year * 12 + (month - 1) + n
    return total // 12, total % 12 + 1


def _checked_rule(rule: RecurrenceRule) -> RecurrenceRule:
    if rule.frequency not in ("weekly", "monthly"):
        raise ValidationError(_("请选择重复方式：每周或每月。"), field="frequency")
    if not isinstance(rule.interval, int) or not 1 <= rule.interval <= 52:
        raise ValidationError(_("重复间隔应在 1 到 52 之间。"), field="interval")
    if rule.last_date < rule.first_date:
        raise ValidationError(
            _("重复的截止日期 {l} 早于第一次的日期 {f}。").format(
                l=rule.last_date.isoformat(), f=rule.first_date.isoformat()
            ),
            field="last_date",
        )
    if rule.frequency == "weekly":
        if not rule.weekdays or any(not 0 <= d <= 6 for d in rule.weekdays):
            raise ValidationError(_("每周重复请至少选择一天（周一至周日）。"), field="weekdays")
    elif rule.month_day is None or not 1 <= rule.month_day <= 31:
        raise ValidationError(_("每月重复请填写几号（1 至 31 日）。"), field="month_day")
    return rule


def occurrence_dates(rule: RecurrenceRule, *, limit: int | None = None) -> list[date]:
    """The days a rule makes, in order (stopping after ``limit`` if given)."""
    _checked_rule(rule)
    out: list[date] = []
    if rule.frequency == "weekly":
        days = set(rule.weekdays)
        week0 = rule.first_date - timedelta(days=rule.first_date.weekday())
        monday = week0
        while monday <= rule.last_date:
            for wd in sorted(days):
                day = monday + timedelta(days=wd)
                if rule.first_date <= day <= rule.last_date:
                    out.append(day)
                    if limit is not None and len(out) >= limit:
                        return out
            monday += timedelta(weeks=rule.interval)
        return out
    assert rule.month_day is not None
    n = 0
    while True:
        year, month = _add_months(rule.first_date.year, rule.first_date.month, n)
        first_of_month = date(year, month, 1)
        if first_of_month > rule.last_date:
            return out
        day = date(year, month, min(rule.month_day, _calendar.monthrange(year, month)[1]))
        if rule.first_date <= day <= rule.last_date:
            out.append(day)
            if limit is not None and len(out) >= limit:
                return out
        n += rule.interval


def count_occurrences(rule: RecurrenceRule) -> int:
    """How many activities the rule would make (for the dialog's live preview)."""
    return len(occurrence_dates(rule))


def check_rule(rule: RecurrenceRule) -> list[date]:
    """The rule's dates, or a refusal saying why (too many, too long, none)."""
    dates = occurrence_dates(rule)
    span = (rule.last_date - rule.first_date).days
    if span > MAX_SERIES_DAYS:
        raise ValidationError(
            _("重复时间跨度超过 2 年（{f} 至 {l}），会生成 {n} 次活动；请把截止日期提前到 2 年之内。").format(
                f=rule.first_date.isoformat(), l=rule.last_date.isoformat(), n=len(dates)
            ),
            field="last_date",
        )
    if len(dates) > MAX_OCCURRENCES:
        raise ValidationError(
            _("这个重复规则会生成 {n} 次活动，一次最多 {m} 次；请提前截止日期或拉长间隔。").format(
                n=len(dates), m=MAX_OCCURRENCES
            ),
            field="last_date",
        )
    if not dates:
        raise ValidationError(
            _("{f} 至 {l} 之间没有符合重复规则的日子，不会生成任何活动。").format(
                f=rule.first_date.isoformat(), l=rule.last_date.isoformat()
            ),
            field="weekdays",
        )
    return dates


def describe_rule(frequency: str, interval: int, weekdays: int | Sequence[int], month_day: int | None,
                  first_date: date, last_date: date) -> str:
    """每周六 / 每 2 周的周二、周四 / 每月 15 日, with the period."""
    if frequency == "weekly":
        days = [d for d in range(7) if weekdays & (1 << d)] if isinstance(weekdays, int) else sorted(set(weekdays))
        names = "、".join(WEEKDAYS[d] for d in days)
        what = _("每{n}").format(n=names) if interval == 1 else _("每 {k} 周的{n}").format(k=interval, n=names)
    else:
        what = (_("每月 {d} 日") if interval == 1 else _("每 {k} 个月的 {d} 日")).format(k=interval, d=month_day)
    return _("{w}，{f} 至 {l}").format(w=what, f=first_date.isoformat(), l=last_date.isoformat())


def create_series(
    session: Session, actor: Actor, data: ActivityInput, rule: RecurrenceRule, *, now: datetime | None = None
) -> list[int]:
    """A recurring activity: one ordinary activity per day of the rule, with the same times and shifts.

    ``data``'s date is the pattern's (its times and shifts are moved to each day). Needs are
    served by the first occurrence; recipients by every one.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    now = _now(now)
    dates = check_rule(rule)
    # Validate the pattern once on the first day, so a bad field is named before anything is made.
    first = _moved(data, dates[0])
    _validated(session, actor, first, now=now)
    _validated_shifts(first, first.starts_at, first.ends_at)  # type: ignore[arg-type]
    weekdays = sum(1 << d for d in set(rule.weekdays)) if rule.frequency == "weekly" else 0
    series = ActivitySeries(
        station_id=actor.station_id, frequency=rule.frequency, interval=rule.interval, weekdays=weekdays,
        month_day=rule.month_day if rule.frequency == "monthly" else None, first_date=rule.first_date,
        last_date=rule.last_date, created_by_id=actor.user_id,
        description=describe_rule(rule.frequency, rule.interval, weekdays, rule.month_day, rule.first_date,
                                  rule.last_date)[:200],
    )
    session.add(series)
    session.flush()
    ids = []
    for n, day in enumerate(dates):
        occurrence = _moved(data, day)
        if n:
            occurrence.need_ids = ()
        ids.append(create_activity(session, actor, occurrence, now=now, _series_id=series.id))
    audit.record(
        session, actor, "create", "activity_series", series.id,
        summary=_("新建周期活动：{t}（{r}，共 {n} 次）").format(t=data.title, r=series.description, n=len(ids)),
        changes={"activity_ids": [None, ids]},
    )
    return ids


def _moved(data: ActivityInput, day: date) -> ActivityInput:
    """A copy of ``data`` with its times (and its shifts') moved to ``day``."""
    if data.starts_at is None or data.ends_at is None:
        raise ValidationError(_("请填写开始时间和结束时间。"), field="starts_at")
    offset = day - data.starts_at.date()
    shifts = [
        ShiftInput(
            starts_at=s.starts_at + offset if s.starts_at else None, ends_at=s.ends_at + offset if s.ends_at else None,
            capacity=s.capacity, label=s.label,
        )
        for s in data.shifts
    ]
    return ActivityInput(
        title=data.title, starts_at=data.starts_at + offset, ends_at=data.ends_at + offset, place=data.place,
        service_item_id=data.service_item_id, category=data.category, project_id=data.project_id,
        description=data.description, shifts=shifts, volunteers_needed=data.volunteers_needed,
        required_training=data.required_training, skills=data.skills, recipient_ids=data.recipient_ids,
        need_ids=data.need_ids, lead_social_worker=data.lead_social_worker, partner_team_id=data.partner_team_id,
        partner_org=data.partner_org,
    )


def cancel_series_from(
    session: Session, actor: Actor, activity_id: int, reason: str, *, now: datetime | None = None
) -> int:
    """Cancel this occurrence and every later planned one of its series; how many were cancelled."""
    require(actor, Permission.EDIT_SCHEDULE)
    activity = _load(session, actor, activity_id, for_update=True)
    if activity.series_id is None:
        raise ValidationError(_("活动“{t}”不是周期活动。").format(t=activity.title), field="series_id")
    reason = _clean_reason(reason, _("请填写取消的原因（会记入操作日志）。"))
    later = list(session.scalars(
        select(Activity)
        .where(Activity.series_id == activity.series_id, Activity.starts_at >= activity.starts_at,
               Activity.status == ActivityStatus.PLANNED.value)
        .order_by(Activity.starts_at)
        .with_for_update()
    ))
    if activity.status in (s.value for s in EDITABLE) and activity not in later:
        later.insert(0, activity)
    if not later:
        raise ValidationError(_("这个周期活动从这一次起已没有计划中的活动可以取消。"), field="status")
    for occurrence in later:
        _cancel(session, actor, occurrence, reason)
    return len(later)


# --- festivals ----------------------------------------------------------------------------------
def create_festival_activity(
    session: Session, actor: Actor, festival_key: str, key_group_id: int, *, year: int | None = None,
    today: date | None = None, start: time | None = None, place: str | None = None,
    now: datetime | None = None,
) -> int:
    """“我们的节日”: a festival visit to a key group in one step, from the festival's template.

    On the festival's day (this year's if not past, else next year's; or ``year``'s), titled
    from the template, for every active recipient of the key group.
    """
    from . import festivals

    require(actor, Permission.EDIT_SCHEDULE)
    template = festivals.festival_template(festival_key)
    group = session.get(KeyGroup, key_group_id)
    if group is None or group.station_id != actor.station_id:
        raise ValidationError(_("所选的重点对象类别不存在或不属于本站。"), field="key_group_id")
    if today is not None and now is None and today != date.today():
        now = datetime.combine(today, time(0, 0))  # "as of that day" (tests, planning ahead)
    now = _now(now)
    today = today or now.date()
    day = festivals.festival_date(festival_key, year) if year is not None else festivals.next_festival_date(
        festival_key, today
    )
    name = festivals.FESTIVAL_NAMES[festival_key]
    recipients = festival_recipients(session, actor, key_group_id)
    if not recipients:
        raise ValidationError(
            _("“{g}”还没有在册的服务对象，无法安排{f}慰问；请先在“服务对象与走访”登记。").format(g=group.name, f=name),
            field="key_group_id",
        )
    clash = session.scalar(
        select(Activity.id).where(
            Activity.station_id == actor.station_id, Activity.festival == festival_key,
            Activity.key_group_id == key_group_id, Activity.status != ActivityStatus.CANCELLED.value,
            Activity.starts_at >= datetime.combine(day, time(0, 0)),
            Activity.starts_at < datetime.combine(day + timedelta(days=1), time(0, 0)),
        )
    )
    if clash is not None:
        raise ValidationError(
            _("{d} 已经有为“{g}”安排的{f}活动了，不用再建一次。").format(d=day.isoformat(), g=group.name, f=name),
            field="festival",
        )
    item = session.scalar(
        select(ServiceItem).where(ServiceItem.station_id == actor.station_id, ServiceItem.name == template.service_item,
                                  ServiceItem.active.is_(True))
    )
    starts_at = datetime.combine(day, start or template.start)
    data = ActivityInput(
        title=template.title_for(group.name),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=template.minutes),
        place=(place if place is not None else template.place),
        service_item_id=item.id if item is not None else None,
        category=Category.CULTURE.value,
        description=template.description,
        volunteers_needed=template.volunteers_needed,
        recipient_ids=recipients,
    )
    return create_activity(session, actor, data, now=now, _festival=(festival_key, key_group_id))


def festival_recipients(session: Session, actor: Actor, key_group_id: int) -> list[int]:
    """Active recipients of a key group: whom a festival visit for that group serves."""
    require(actor, Permission.VIEW)
    return list(session.scalars(
        select(Recipient.id)
        .join(recipient_key_groups, recipient_key_groups.c.recipient_id == Recipient.id)
        .where(recipient_key_groups.c.key_group_id == key_group_id, Recipient.station_id == actor.station_id,
               Recipient.active.is_(True))
        .order_by(Recipient.name_pinyin, Recipient.id)
    ))


# --- queries ------------------------------------------------------------------------------------
def _like(text: str) -> str:
    return f"%{like_escape(text)}%"


def _partner(team_name: str | None, org: str) -> str:
    return " / ".join(p for p in (team_name or "", org) if p)


def list_activities(session: Session, actor: Actor, flt: ActivityFilter | None = None) -> list[ActivityRow]:
    """Activities by start time, with how many volunteers are assigned of how many needed."""
    require(actor, Permission.VIEW)
    flt = flt or ActivityFilter()
    a = Activity
    query = (
        select(a.id, a.title, a.category, ServiceItem.name, Project.name, a.place, a.starts_at, a.ends_at, a.status,
               a.volunteers_needed, a.lead_social_worker, Team.name, a.partner_org, a.series_id, a.festival, a.version)
        .outerjoin(ServiceItem, ServiceItem.id == a.service_item_id)
        .outerjoin(Project, Project.id == a.project_id)
        .outerjoin(Team, Team.id == a.partner_team_id)
        .where(a.station_id == actor.station_id)
    )
    if flt.start is not None:
        query = query.where(a.ends_at >= datetime.combine(flt.start, time(0, 0)))
    if flt.end is not None:
        query = query.where(a.starts_at < datetime.combine(flt.end + timedelta(days=1), time(0, 0)))
    if flt.status:
        query = query.where(a.status == ActivityStatus(flt.status).value)
    if flt.category:
        query = query.where(a.category == Category(flt.category).value)
    if flt.project_id is not None:
        query = query.where(a.project_id == flt.project_id)
    if flt.series_id is not None:
        query = query.where(a.series_id == flt.series_id)
    text = (flt.text or "").strip()
    if text:
        pattern = _like(text)
        query = query.where(or_(
            a.title.like(pattern, escape="\\"), a.place.like(pattern, escape="\\"),
            a.lead_social_worker.like(pattern, escape="\\"), a.partner_org.like(pattern, escape="\\"),
            ServiceItem.name.like(pattern, escape="\\"), Team.name.like(pattern, escape="\\"),
        ))
    rows = session.execute(query.order_by(a.starts_at, a.id)).all()
    counts = _assigned_by_activity(session, [r[0] for r in rows] if len(rows) <= 500 else None, actor.station_id)
    out = []
    for (aid, title, category, item_name, project_name, place, starts_at, ends_at, status, needed, lead,
         team_name, org, series_id, festival, version) in rows:
        cat, st = Category(category), ActivityStatus(status)
        out.append(ActivityRow(
            id=aid, title=title, category=cat, category_label=cat.label, service_item=item_name or "",
            project_name=project_name or "", place=place, starts_at=starts_at, ends_at=ends_at, status=st,
            status_label=st.label, assigned=counts.get(aid, 0), needed=needed, lead_social_worker=lead,
            partner=_partner(team_name, org), series_id=series_id, festival=festival, version=version,
        ))
    return out


def get_activity(session: Session, actor: Actor, activity_id: int) -> ActivityDetail:
    """One activity with its shifts (and how full each is), recipients and needs."""
    require(actor, Permission.VIEW)
    a = session.scalar(
        select(Activity).options(selectinload(Activity.shifts), selectinload(Activity.skills))
        .where(Activity.id == activity_id, Activity.station_id == actor.station_id)
    )
    if a is None:
        raise NotFound(_("找不到这个活动。"))
    counts = assigned_by_shift(session, [s.id for s in a.shifts])
    recipients = _load_recipients(session, a)
    item_name = session.scalar(select(ServiceItem.name).where(ServiceItem.id == a.service_item_id)) if (
        a.service_item_id) else None
    project_name = session.scalar(select(Project.name).where(Project.id == a.project_id)) if a.project_id else None
    team_name = session.scalar(select(Team.name).where(Team.id == a.partner_team_id)) if a.partner_team_id else None
    group_name = session.scalar(select(KeyGroup.name).where(KeyGroup.id == a.key_group_id)) if a.key_group_id else None
    series_rule = ""
    if a.series_id is not None:
        series = session.get(ActivitySeries, a.series_id)
        series_rule = series.description if series is not None else ""
    festival_name = ""
    if a.festival:
        from .festivals import FESTIVAL_NAMES

        festival_name = FESTIVAL_NAMES.get(a.festival, a.festival)
    category, status = Category(a.category), ActivityStatus(a.status)
    shifts = [ShiftInfo(s.id, s.label, s.starts_at, s.ends_at, s.capacity, counts.get(s.id, 0)) for s in a.shifts]
    return ActivityDetail(
        id=a.id, version=a.version, title=a.title, category=category, category_label=category.label,
        service_item_id=a.service_item_id, service_item=item_name or "", project_id=a.project_id,
        project_name=project_name or "", description=a.description, place=a.place, starts_at=a.starts_at,
        ends_at=a.ends_at, volunteers_needed=a.volunteers_needed, assigned=sum(s.assigned for s in shifts),
        required_training=a.required_training,
        required_training_label=TrainingKind(a.required_training).label if a.required_training else "",
        skills=[s.name for s in a.skills], shifts=shifts, recipients=[(r.id, r.name) for r in recipients],
        needs=needs_svc.list_needs(session, actor, needs_svc.NeedFilter(activity_id=a.id)),
        lead_social_worker=a.lead_social_worker, partner_team_id=a.partner_team_id, partner_team=team_name or "",
        partner_org=a.partner_org, status=status, status_label=status.label, status_reason=a.status_reason,
        series_id=a.series_id, series_rule=series_rule, series_detached=a.series_detached, festival=a.festival,
        festival_name=festival_name, key_group_id=a.key_group_id, key_group=group_name or "",
    )


def calendar_entries(session: Session, actor: Actor, start: date, end: date) -> list[CalendarItem]:
    """Activities and training sessions from ``start`` to ``end`` (inclusive), by start time."""
    require(actor, Permission.VIEW)
    lo, hi = datetime.combine(start, time(0, 0)), datetime.combine(end + timedelta(days=1), time(0, 0))
    rows = session.execute(
        select(Activity.id, Activity.title, Activity.starts_at, Activity.ends_at, Activity.status, Activity.place,
               Activity.volunteers_needed)
        .where(Activity.station_id == actor.station_id, Activity.starts_at < hi, Activity.ends_at > lo)
    ).all()
    counts = _assigned_by_activity(session, [r[0] for r in rows], actor.station_id)
    out = []
    for aid, title, starts_at, ends_at, status, place, needed in rows:
        st = ActivityStatus(status)
        out.append(CalendarItem(
            "activity", aid, title, starts_at, ends_at, st.value, st.label,
            _("{p} · 已排 {a}/{n} 人").format(p=place, a=counts.get(aid, 0), n=needed),
        ))
    for sid, kind, topic, starts_at, ends_at, status, place in session.execute(
        select(TrainingSession.id, TrainingSession.kind, TrainingSession.topic, TrainingSession.starts_at,
               TrainingSession.ends_at, TrainingSession.status, TrainingSession.place)
        .where(TrainingSession.station_id == actor.station_id, TrainingSession.starts_at < hi,
               TrainingSession.ends_at > lo)
    ):
        try:
            kind_label = TrainingKind(kind).label
        except ValueError:
            kind_label = kind
        out.append(CalendarItem(
            "training", sid, topic, starts_at, ends_at, status, TRAINING_STATUS_LABELS.get(status, status),
            _("{k} · {p}").format(k=kind_label, p=place),
        ))
    out.sort(key=lambda e: (e.starts_at, e.kind, e.id))
    return out


def roster_data(session: Session, actor: Actor, activity_id: int, *, reveal: bool = False) -> RosterData:
    """The day's roster (排班签到表) of an activity: its facts and each shift's volunteers.

    Phones are masked unless ``reveal`` (which needs the permission and is audited).
    """
    require(actor, Permission.VIEW)
    if reveal:
        require(actor, Permission.REVEAL_PERSONAL)
    d = get_activity(session, actor, activity_id)
    people: dict[int, list[RosterPerson]] = {s.id: [] for s in d.shifts}
    for shift_id, name, number, phone, role, backbone in session.execute(
        select(Assignment.shift_id, Volunteer.name, Volunteer.volunteer_no, Volunteer.phone, Assignment.role,
               Volunteer.is_backbone)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(Assignment.activity_id == activity_id, Assignment.status == "assigned")
        .order_by(Assignment.shift_id, Assignment.role.desc(), Volunteer.name_pinyin, Volunteer.id)
    ):
        people.setdefault(shift_id, []).append(RosterPerson(
            name=name, volunteer_no=number or "", phone=phone if reveal else mask_phone(phone or ""), role=role,
            is_backbone=bool(backbone),
        ))
    # Leads first within each shift.
    for rows in people.values():
        rows.sort(key=lambda p: 0 if p.role == "lead" else 1)
    if reveal:
        audit.record(session, actor, "reveal", "activity", d.id,
                     summary=_("打印含完整电话的排班表：{t}").format(t=d.title))
    station_name = session.scalar(select(Station.name).where(Station.id == actor.station_id)) or ""
    return RosterData(
        station_name=station_name, title=d.title, category_label=d.category_label, service_item=d.service_item,
        project_name=d.project_name, starts_at=d.starts_at, ends_at=d.ends_at, place=d.place,
        lead_social_worker=d.lead_social_worker, partner=d.partner, recipients=len(d.recipients),
        required_training_label=d.required_training_label, skills=d.skills, description=d.description,
        status_label=d.status_label,
        shifts=[RosterShift(s.display_label, s.starts_at, s.ends_at, s.capacity, people.get(s.id, []))
                for s in d.shifts],
    )
