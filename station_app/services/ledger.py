"""Hour entry (时长录入) and the append-only service ledger: records, corrections, approvals.

What a record is
    One volunteer's service: for an activity (its assignment, or a walk-in) or outside one
    (业主互助 everyday help, from the service menu), with what the 《志愿服务记录办法》 asks for —
    content, category, place, person served, date and time span, minutes, attendance,
    evaluation, organiser, recorder and when it was entered. Rows are appended to the station's
    chain (``chain.append``) and never changed or deleted.

The rules every new time span obeys (a refusal names the volunteer and the rule, writes nothing)
    - the volunteer is 已注册 (new records only: an old record of someone since suspended can
      still be corrected);
    - the end is after the start, and the span is at most 24 hours;
    - minutes > 0 (a correction may give 0: 作废), in quarter hours, and no more than the span;
    - not in the future (the end has come) and not before the volunteer registered;
    - no overlap with the volunteer's other service (the effective times of records that count or
      wait for approval; rejected and void ones are free);
    - at most 24 hours per calendar day (a record belongs to the day it starts);
    - a record that takes the volunteer's day above the station's approval limit (default 8 h)
      waits for an administrator (待审批, ``delta_minutes`` 0) unless an administrator enters it.

Corrections and decisions
    A correction gives new start, end and minutes for a record that counts, with a mandatory
    reason, on the record's own date. It adds nothing until an administrator approves it; the
    decision adds new minus currently counted minutes. An administrator's own correction is
    approved at once. A decision that lowers a volunteer's hours flags confirmed star awards the
    hours no longer reach (``hours.flag_awards_below``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from ..errors import NotFound, ValidationError
from ..i18n import _
from ..models import Activity, Assignment, Recipient, ServiceItem, ServiceRecord, Shift, Station, Volunteer
from . import audit, chain, hours
from . import settings as settings_svc
from .activities import ActivityStatus
from .auth import Actor, Permission, Role, require
from .catalogue import Category
from .records import load_for_station
from .timefmt import when_text
from .validation import clean_text
from .volunteers import Status

# --- vocabulary ----------------------------------------------------------------------------------
ATTENDANCE_LABELS = {"present": _("出席"), "late": _("迟到"), "absent": _("缺席")}
EVALUATION_LABELS = {"excellent": _("优秀"), "good": _("良好"), "pass": _("合格"), "improve": _("需改进")}
KIND_LABELS = {"record": _("原始记录"), "correction": _("更正申请"), "decision": _("审批")}
DECISION_LABELS = {"approved": _("批准"), "rejected": _("不批准")}
APPROVAL_LIMIT_KEY = "approval_limit_minutes"
DEFAULT_APPROVAL_LIMIT = 8 * 60
DAY_MINUTES = 24 * 60
MIN_APPROVAL_LIMIT = 60
MAX_NOTE = 2000
LIVE_STATUSES = ("counted", "pending")  # lines whose time is taken (overlap, day totals)


def span_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """Whole minutes from start to end (0 when the end is not after the start)."""
    return max(0, int((ends_at - starts_at).total_seconds() // 60))


def default_minutes(starts_at: datetime, ends_at: datetime) -> int:
    """What a span counts by default: its length down to the quarter hour."""
    return hours.round_to_quarter(span_minutes(starts_at, ends_at))


def hours_label(minutes: int) -> str:
    return _("{h} 小时").format(h=hours.hours_text(minutes))


def _minute(value: datetime) -> datetime:
    """Naive wall-clock time to the minute (an aware time converted to local first)."""
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _now(now: datetime | None) -> datetime:
    return _minute(now or datetime.now())


def _t(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


# --- inputs --------------------------------------------------------------------------------------
@dataclass
class EntryLine:
    """One line of an activity's hour sheet: an assignment, or a walk-in (``assignment_id`` None)."""

    volunteer_id: int
    assignment_id: int | None = None
    attendance: str = "present"  # present / late / absent (absent records nothing)
    starts_at: datetime | None = None  # None: the shift's (or, for a walk-in, the activity's) times
    ends_at: datetime | None = None
    minutes: int | None = None  # None: the span down to the quarter hour
    evaluation: str = "good"
    evaluation_note: str = ""


@dataclass
class SingleInput:
    """Service outside an activity (业主互助 and other everyday help from the menu)."""

    volunteer_id: int | None
    service_item_id: int | None
    place: str
    starts_at: datetime | None
    ends_at: datetime | None
    minutes: int | None = None
    recipient_id: int | None = None
    served_person: str = ""
    evaluation: str = "good"
    evaluation_note: str = ""
    organiser: str = ""  # "" → the station's name


# --- outputs -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FinishedActivity:
    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    status_label: str
    assigned: int  # assignments not cancelled
    recorded: int  # service records entered for it (walk-ins included)

    @property
    def when(self) -> str:
        return when_text(self.starts_at, self.ends_at)

    @property
    def entered(self) -> bool:
        return self.recorded > 0

    @property
    def progress(self) -> str:
        if not self.recorded:
            return _("待登记")
        return _("已登记 {n} 人").format(n=self.recorded)


@dataclass(frozen=True)
class SheetRow:
    volunteer_id: int
    name: str
    volunteer_no: str
    assignment_id: int | None  # None: a walk-in already recorded
    shift_label: str
    role_label: str
    starts_at: datetime  # the shift's times (prefilled)
    ends_at: datetime
    recorded: hours.LedgerLine | None  # set: the row is locked and shows its ledger line

    @property
    def default_minutes(self) -> int:
        return default_minutes(self.starts_at, self.ends_at)

    @property
    def locked(self) -> bool:
        return self.recorded is not None


@dataclass(frozen=True)
class EntrySheet:
    activity_id: int
    title: str
    place: str
    category_label: str
    starts_at: datetime
    ends_at: datetime
    organiser: str
    rows: list[SheetRow]

    @property
    def when(self) -> str:
        return when_text(self.starts_at, self.ends_at)

    @property
    def entered(self) -> bool:
        return any(r.locked for r in self.rows)


@dataclass(frozen=True)
class LedgerRow:
    """A ledger line with the volunteer's name and the status as staff read it."""

    line: hours.LedgerLine
    volunteer_name: str
    volunteer_no: str

    @property
    def status_label(self) -> str:
        label = hours.LINE_STATUS[self.line.status]
        return label + _("（更正待审批）") if self.line.has_pending_correction else label

    @property
    def when(self) -> str:
        line = self.line
        if line.starts_at and line.ends_at:
            return when_text(line.starts_at, line.ends_at)
        return line.service_date.isoformat()

    @property
    def hours_text(self) -> str:
        line = self.line
        text = hours.hours_text(line.minutes)
        if line.minutes != line.original_minutes:
            text += _("（原 {o}）").format(o=hours.hours_text(line.original_minutes))
        return text


@dataclass(frozen=True)
class PendingItem:
    target_id: int  # the record or correction to decide on
    record_id: int  # the record itself (for its history)
    kind: str  # record / correction
    kind_label: str  # 超额记录 / 更正 / 作废
    volunteer_id: int
    volunteer_name: str
    service_date: date
    content: str
    old_text: str  # what counts now
    new_text: str  # what would count
    day_total_minutes: int  # the volunteer's day with this approved
    reason: str
    recorder_name: str
    entered_at: datetime


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    seq: int
    kind: str
    kind_label: str
    when: str  # the time span it gives ("" for decisions)
    minutes_text: str
    delta_minutes: int
    text: str  # reason, decision note, or the record's content
    by: str
    entered_at: datetime


# --- loading -------------------------------------------------------------------------------------
@dataclass
class _Person:
    id: int
    name: str
    volunteer_no: str
    status: str
    registered_on: date | None


def _people(session: Session, actor: Actor, volunteer_ids: Iterable[int], *, lock: bool = False) -> dict[int, _Person]:
    """The station's volunteers with these ids; locked (in id order) so two writers check one at a time."""
    ids = sorted(set(volunteer_ids))
    if not ids:
        return {}
    query = (
        select(Volunteer)
        .where(Volunteer.id.in_(ids), Volunteer.station_id == actor.station_id)
        .order_by(Volunteer.id)
    )
    if lock:
        query = query.with_for_update()
    found = {
        v.id: _Person(v.id, v.name, v.volunteer_no or "", v.status, v.registered_on) for v in session.scalars(query)
    }
    missing = [i for i in ids if i not in found]
    if missing:
        raise NotFound(_("找不到志愿者（编号 {id}）。").format(id=missing[0]))
    return found


def _station_name(session: Session, actor: Actor) -> str:
    return session.scalar(select(Station.name).where(Station.id == actor.station_id)) or ""


def _category_label(code: str) -> str:
    try:
        return Category(code).label
    except ValueError:
        return code


def approval_limit(session: Session, station_id: int) -> int:
    return settings_svc.get_int(session, station_id, APPROVAL_LIMIT_KEY, DEFAULT_APPROVAL_LIMIT)


def get_approval_limit(session: Session, actor: Actor) -> int:
    """Minutes per volunteer per day above which a clerk's entry waits for approval."""
    require(actor, Permission.VIEW)
    return approval_limit(session, actor.station_id)


def set_approval_limit(session: Session, actor: Actor, minutes: int) -> None:
    """Change the station's approval limit (administrators), in quarter hours from 1 to 24 hours."""
    require(actor, Permission.MANAGE_RULES)
    if not isinstance(minutes, int) or not MIN_APPROVAL_LIMIT <= minutes <= DAY_MINUTES or minutes % hours.QUARTER:
        raise ValidationError(
            _("审批线应在 1 到 24 小时之间，按刻钟（0.25 小时）计。"), field="approval_limit"
        )
    before = approval_limit(session, actor.station_id)
    if before == minutes:
        return
    settings_svc.set_int(session, actor.station_id, APPROVAL_LIMIT_KEY, minutes)
    audit.record(
        session, actor, "update", "station", actor.station_id,
        summary=_("修改时长审批线：每人每天超过 {h} 小时需站长审批").format(h=hours.hours_text(minutes)),
        changes={APPROVAL_LIMIT_KEY: [before, minutes]},
    )


# --- the rules -----------------------------------------------------------------------------------
@dataclass
class _Span:
    """A time span being checked: a new record, or a correction's new values."""

    volunteer_id: int
    service_date: date
    starts_at: datetime
    ends_at: datetime
    minutes: int


@dataclass
class _Checker:
    """Checks new spans against the ledger and against each other (one batch, one unit of work)."""

    session: Session
    station_id: int
    now: datetime
    people: dict[int, _Person]
    accepted: list[_Span] = field(default_factory=list)

    def lines_of(self, volunteer_id: int, day: date) -> list[hours.LedgerLine]:
        """The volunteer's live lines from the day before to the day after (spans may cross midnight)."""
        lines = hours.ledger_lines(
            self.session, self.station_id, volunteer_ids=[volunteer_id],
            date_from=day - timedelta(days=1), date_to=day + timedelta(days=1),
        )
        return [line for line in lines if line.status in LIVE_STATUSES]

    def check_times(self, name: str, starts_at: datetime | None, ends_at: datetime | None,
                    minutes: int | None, *, allow_zero: bool = False) -> tuple[datetime, datetime, int]:
        """End after start, at most 24 h, in the past; minutes in quarter hours within the span."""
        if starts_at is None or ends_at is None:
            raise ValidationError(_("{n}：请填写服务的开始和结束时间。").format(n=name), field="starts_at")
        starts_at, ends_at = _minute(starts_at), _minute(ends_at)
        if ends_at <= starts_at:
            raise ValidationError(
                _("{n}：结束时间 {e} 不晚于开始时间 {s}（结束须晚于开始）。").format(n=name, e=_t(ends_at), s=_t(starts_at)),
                field="ends_at",
            )
        span = span_minutes(starts_at, ends_at)
        if span > DAY_MINUTES:
            raise ValidationError(
                _("{n}：一条记录的时间不能超过 24 小时（{s} 至 {e}）；连续几天的服务请按天分别登记。").format(
                    n=name, s=_t(starts_at), e=_t(ends_at)),
                field="ends_at",
            )
        if ends_at > self.now:
            raise ValidationError(
                _("{n}：结束时间 {e} 还没到，不能登记将来的服务时长。").format(n=name, e=_t(ends_at)), field="ends_at"
            )
        if minutes is None:
            minutes = hours.round_to_quarter(span)
            if minutes <= 0:
                raise ValidationError(
                    _("{n}：服务不足 15 分钟（{s} 至 {e}），无法计时长（时长须大于 0）。").format(
                        n=name, s=_t(starts_at), e=f"{ends_at:%H:%M}"),
                    field="minutes",
                )
        if not isinstance(minutes, int) or isinstance(minutes, bool):
            raise ValidationError(_("{n}：时长必须是数字。").format(n=name), field="minutes")
        if minutes < 0 or (minutes == 0 and not allow_zero):
            raise ValidationError(_("{n}：时长必须大于 0。").format(n=name), field="minutes")
        if minutes % hours.QUARTER:
            raise ValidationError(
                _("{n}：时长按刻钟计，应为 0.25 小时的整数倍（现为 {m} 分钟）。").format(n=name, m=minutes), field="minutes"
            )
        if minutes > span:
            raise ValidationError(
                _("{n}：时长 {h} 超过了实际服务时间 {s} 至 {e}（{l}）。").format(
                    n=name, h=hours_label(minutes), s=_t(starts_at), e=f"{ends_at:%H:%M}", l=hours_label(span)),
                field="minutes",
            )
        return starts_at, ends_at, minutes

    def check_registered(self, person: _Person, day: date) -> None:
        if person.status != Status.REGISTERED.value:
            raise ValidationError(
                _("{n}的状态是“{s}”，只有已注册的志愿者可以登记服务时长。").format(
                    n=person.name, s=Status(person.status).label),
                field="volunteer",
            )
        self.check_not_before_registration(person, day)

    @staticmethod
    def check_not_before_registration(person: _Person, day: date) -> None:
        if person.registered_on is not None and day < person.registered_on:
            raise ValidationError(
                _("{n}于 {r} 注册，不能登记注册之前（{d}）的服务时长。").format(
                    n=person.name, r=person.registered_on.isoformat(), d=day.isoformat()),
                field="starts_at",
            )

    def check_ledger(self, span: _Span, *, excluding: int | None = None) -> int:
        """No overlap and at most 24 h that day; returns the day's minutes with this span."""
        name = self.people[span.volunteer_id].name
        others = [line for line in self.lines_of(span.volunteer_id, span.service_date) if line.record_id != excluding]
        for line in others:
            if line.starts_at and line.ends_at and line.minutes and _overlaps(span, line.starts_at, line.ends_at):
                raise ValidationError(
                    _("{n}：{s} 至 {e} 与已登记的服务“{c}”（{w}）时间重叠，同一时间不能重复计时长。").format(
                        n=name, s=_t(span.starts_at), e=f"{span.ends_at:%H:%M}", c=line.content,
                        w=when_text(line.starts_at, line.ends_at)),
                    field="starts_at",
                )
        for other in self.accepted:
            if other.volunteer_id == span.volunteer_id and _overlaps(span, other.starts_at, other.ends_at):
                raise ValidationError(
                    _("{n}：这次填写的两段时间 {a} 和 {b} 重叠，同一时间不能重复计时长。").format(
                        n=name, a=when_text(other.starts_at, other.ends_at), b=when_text(span.starts_at, span.ends_at)),
                    field="starts_at",
                )
        day_total = (
            sum(line.minutes for line in others if line.service_date == span.service_date)
            + sum(o.minutes for o in self.accepted
                  if o.volunteer_id == span.volunteer_id and o.service_date == span.service_date)
            + span.minutes
        )
        if day_total > DAY_MINUTES:
            raise ValidationError(
                _("{n}：{d} 一天的服务时长合计会达到 {h}，每人每天最多 24 小时。").format(
                    n=name, d=span.service_date.isoformat(), h=hours_label(day_total)),
                field="minutes",
            )
        self.accepted.append(span)
        return day_total


def _overlaps(span: _Span, starts_at: datetime, ends_at: datetime) -> bool:
    return span.starts_at < ends_at and starts_at < span.ends_at


def _evaluation(name: str, evaluation: str, note: str) -> tuple[str, str]:
    if evaluation not in EVALUATION_LABELS:
        raise ValidationError(_("{n}：请选择评价（优秀、良好、合格或需改进）。").format(n=name), field="evaluation")
    return evaluation, clean_text(note, label=_("{n}的评价说明").format(n=name), field="evaluation_note", max_len=MAX_NOTE)


# --- activity hour sheets ------------------------------------------------------------------------
def _finished(activity: Activity, now: datetime) -> None:
    if activity.status == ActivityStatus.CANCELLED.value:
        raise ValidationError(_("活动“{t}”已取消，不能登记服务时长。").format(t=activity.title))
    if activity.ends_at > now:
        raise ValidationError(
            _("活动“{t}”要到 {e} 才结束，结束后才能登记服务时长。").format(t=activity.title, e=_t(activity.ends_at))
        )


def finished_activities(
    session: Session, actor: Actor, *, since: date | None = None, now: datetime | None = None, limit: int = 500
) -> list[FinishedActivity]:
    """Activities that have ended (not cancelled) since ``since``: those with no hours entered first."""
    require(actor, Permission.VIEW)
    now = _now(now)
    since = since or (now.date() - timedelta(days=365))
    assigned = (
        select(func.count()).where(Assignment.activity_id == Activity.id, Assignment.status == "assigned")
        .correlate(Activity).scalar_subquery()
    )
    recorded = (
        select(func.count()).where(ServiceRecord.activity_id == Activity.id, ServiceRecord.kind == "record")
        .correlate(Activity).scalar_subquery()
    )
    rows = session.execute(
        select(Activity.id, Activity.title, Activity.place, Activity.starts_at, Activity.ends_at, Activity.status,
               assigned, recorded)
        .where(
            Activity.station_id == actor.station_id, Activity.status != ActivityStatus.CANCELLED.value,
            Activity.ends_at <= now, Activity.ends_at >= datetime.combine(since, datetime.min.time()),
        )
        .order_by(Activity.starts_at.desc(), Activity.id.desc())
        .limit(limit)
    ).all()
    out = [
        FinishedActivity(aid, title, place, s, e, ActivityStatus(status).label, n_assigned or 0, n_recorded or 0)
        for aid, title, place, s, e, status, n_assigned, n_recorded in rows
    ]
    return sorted(out, key=lambda a: a.entered)  # stable: newest first within each group


def activity_entry_sheet(session: Session, actor: Actor, activity_id: int, *, now: datetime | None = None) -> EntrySheet:
    """A finished activity's volunteers with the shifts' times, and what is already recorded."""
    require(actor, Permission.VIEW)
    activity = load_for_station(session, actor, Activity, activity_id, _("找不到这个活动。"))
    _finished(activity, _now(now))
    lines = hours.ledger_lines(session, actor.station_id, activity_id=activity.id)
    by_assignment = {line.assignment_id: line for line in lines if line.assignment_id is not None}
    assignments = session.execute(
        select(Assignment.id, Assignment.volunteer_id, Assignment.role, Shift.label, Shift.starts_at, Shift.ends_at,
               Volunteer.name, Volunteer.volunteer_no)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(Assignment.activity_id == activity.id, Assignment.status == "assigned")
        .order_by(Shift.starts_at, Shift.id, Volunteer.name_pinyin, Volunteer.id)
    ).all()
    rows = [
        SheetRow(vid, name, no or "", aid, label or _("全程"), _("带队") if role == "lead" else "", s, e,
                 by_assignment.get(aid))
        for aid, vid, role, label, s, e, name, no in assignments
    ]
    walk_ins = [line for line in lines if line.assignment_id is None]
    if walk_ins:
        names = {p.id: p for p in _people(session, actor, [line.volunteer_id for line in walk_ins]).values()}
        rows += [
            SheetRow(line.volunteer_id, names[line.volunteer_id].name, names[line.volunteer_id].volunteer_no, None,
                     _("临时参加"), "", line.starts_at or activity.starts_at, line.ends_at or activity.ends_at, line)
            for line in walk_ins
        ]
    return EntrySheet(activity.id, activity.title, activity.place, _category_label(activity.category),
                      activity.starts_at, activity.ends_at, _station_name(session, actor), rows)


def _needs_approval(actor: Actor, day_total: int, limit: int) -> bool:
    return actor.role is not Role.ADMIN and day_total > limit


def _new_record(actor: Actor, span: _Span, waits: bool, **values: object) -> ServiceRecord:
    return ServiceRecord(
        kind="record", volunteer_id=span.volunteer_id, service_date=span.service_date, starts_at=span.starts_at,
        ends_at=span.ends_at, minutes=span.minutes, needs_approval=waits, delta_minutes=0 if waits else span.minutes,
        decision="", recorder_id=actor.user_id, recorder_name=actor.display_name, **values,
    )


def record_activity_hours(
    session: Session, actor: Actor, activity_id: int, lines: Sequence[EntryLine], recorder_note: str = "", *,
    now: datetime | None = None,
) -> list[int]:
    """Record a finished activity's hours in one go; returns the new record ids.

    Every line is checked before anything is written: one line breaking a rule refuses the
    whole batch, naming the volunteer and the rule. 缺席 lines record nothing.
    """
    require(actor, Permission.RECORD_HOURS)
    now = _now(now)
    activity = load_for_station(session, actor, Activity, activity_id, _("找不到这个活动。"))
    _finished(activity, now)
    present = [line for line in lines if line.attendance != "absent"]
    if not lines:
        raise ValidationError(_("没有要登记的志愿者。"))
    people = _people(session, actor, [line.volunteer_id for line in lines], lock=True)
    for line in lines:
        if line.attendance not in ATTENDANCE_LABELS:
            raise ValidationError(
                _("{n}：请选择出席、迟到或缺席。").format(n=people[line.volunteer_id].name), field="attendance"
            )
    note = clean_text(recorder_note, label=_("备注"), field="recorder_note", max_len=MAX_NOTE)
    assignments = {
        a.id: a for a in session.scalars(select(Assignment).where(Assignment.activity_id == activity.id))
    }
    shifts = {s.id: s for s in activity.shifts}
    recorded = set(session.scalars(
        select(ServiceRecord.assignment_id).where(
            ServiceRecord.activity_id == activity.id, ServiceRecord.kind == "record",
            ServiceRecord.assignment_id.is_not(None))
    ))
    assigned_volunteers = {a.volunteer_id for a in assignments.values() if a.status == "assigned"}
    checker = _Checker(session, actor.station_id, now, people)
    limit = approval_limit(session, actor.station_id)
    seen: set[int | None] = set()
    drafts: list[tuple[EntryLine, _Span, bool, str, str]] = []
    for line in present:
        person = people[line.volunteer_id]
        name = person.name
        if line.assignment_id is not None:
            assignment = assignments.get(line.assignment_id)
            if assignment is None or assignment.volunteer_id != line.volunteer_id:
                raise ValidationError(_("{n}不在活动“{t}”的排班里。").format(n=name, t=activity.title))
            if assignment.status != "assigned":
                raise ValidationError(_("{n}在活动“{t}”的排班已取消，不能按排班登记；到场了请作为临时参加的志愿者添加。").format(
                    n=name, t=activity.title))
            if line.assignment_id in recorded or line.assignment_id in seen:
                raise ValidationError(_("{n}在活动“{t}”的时长已经登记过了，不能重复登记；有误请申请更正。").format(
                    n=name, t=activity.title))
            seen.add(line.assignment_id)
            shift = shifts[assignment.shift_id]
            default_start, default_end = shift.starts_at, shift.ends_at
        else:
            if line.volunteer_id in assigned_volunteers:
                raise ValidationError(
                    _("{n}在活动“{t}”有排班，请在排班的那一行登记，不要作为临时参加的志愿者重复添加。").format(
                        n=name, t=activity.title))
            default_start, default_end = activity.starts_at, activity.ends_at
        starts_at, ends_at, minutes = checker.check_times(
            name, line.starts_at or default_start, line.ends_at or default_end, line.minutes)
        checker.check_registered(person, starts_at.date())
        evaluation, evaluation_note = _evaluation(name, line.evaluation, line.evaluation_note)
        span = _Span(line.volunteer_id, starts_at.date(), starts_at, ends_at, minutes)
        day_total = checker.check_ledger(span)
        drafts.append((line, span, _needs_approval(actor, day_total, limit), evaluation, evaluation_note))
    organiser = _station_name(session, actor)
    category = _category_label(activity.category)
    ids = []
    for line, span, waits, evaluation, evaluation_note in drafts:
        row = _new_record(
            actor, span, waits, activity_id=activity.id, assignment_id=line.assignment_id,
            service_item_id=activity.service_item_id, content=activity.title, category=category,
            place=activity.place, organiser=organiser, attendance=line.attendance, evaluation=evaluation,
            evaluation_note=evaluation_note, reason=note,
        )
        chain.append(session, actor.station_id, row)
        ids.append(row.id)
        _audit_record(session, actor, row, people[span.volunteer_id].name)
    absent = [people[line.volunteer_id].name for line in lines if line.attendance == "absent"]
    audit.record(
        session, actor, "record_hours", "activity", activity.id,
        summary=_("登记活动时长：{t}（计时长 {p} 人，缺席 {a} 人）").format(t=activity.title, p=len(ids), a=len(absent)),
        changes={"service_record_ids": [None, ids], "absent_volunteer_ids": [
            None, [line.volunteer_id for line in lines if line.attendance == "absent"]]},
    )
    return ids


def _audit_record(session: Session, actor: Actor, row: ServiceRecord, name: str) -> None:
    status = _("待审批") if row.needs_approval else _("已计入")
    audit.record(
        session, actor, "create", "service_record", row.id,
        summary=_("台账第 {s} 条服务记录：{n}，{c}，{w}，{h}（{st}）").format(
            s=row.seq, n=name, c=row.content, w=when_text(row.starts_at, row.ends_at), h=hours_label(row.minutes),
            st=status),
        changes={"minutes": [None, row.minutes], "delta_minutes": [None, row.delta_minutes]},
    )


# --- single records ------------------------------------------------------------------------------
def record_single(session: Session, actor: Actor, data: SingleInput, *, now: datetime | None = None) -> int:
    """Record one service outside an activity; returns the record id."""
    require(actor, Permission.RECORD_HOURS)
    now = _now(now)
    if data.volunteer_id is None:
        raise ValidationError(_("请选择志愿者。"), field="volunteer")
    people = _people(session, actor, [data.volunteer_id], lock=True)
    person = people[data.volunteer_id]
    if data.service_item_id is None:
        raise ValidationError(_("{n}：请选择服务项目（服务菜单）。").format(n=person.name), field="service_item")
    item = load_for_station(session, actor, ServiceItem, data.service_item_id, _("找不到这个服务项目。"))
    place = clean_text(data.place, label=_("服务地点"), field="place", max_len=100)
    if not place:
        raise ValidationError(_("{n}：请填写服务地点。").format(n=person.name), field="place")
    served = clean_text(data.served_person, label=_("服务对象"), field="served_person", max_len=100)
    recipient_id = None
    if data.recipient_id is not None:
        recipient = load_for_station(session, actor, Recipient, data.recipient_id, _("找不到这位服务对象。"))
        recipient_id, served = recipient.id, served or recipient.name
    organiser = clean_text(data.organiser, label=_("组织单位"), field="organiser", max_len=100)
    checker = _Checker(session, actor.station_id, now, people)
    starts_at, ends_at, minutes = checker.check_times(person.name, data.starts_at, data.ends_at, data.minutes)
    checker.check_registered(person, starts_at.date())
    evaluation, note = _evaluation(person.name, data.evaluation, data.evaluation_note)
    span = _Span(person.id, starts_at.date(), starts_at, ends_at, minutes)
    day_total = checker.check_ledger(span)
    row = _new_record(
        actor, span, _needs_approval(actor, day_total, approval_limit(session, actor.station_id)),
        service_item_id=item.id, content=item.name, category=_category_label(item.category), place=place,
        recipient_id=recipient_id, served_person=served, organiser=organiser or _station_name(session, actor),
        attendance="present", evaluation=evaluation, evaluation_note=note,
    )
    chain.append(session, actor.station_id, row)
    _audit_record(session, actor, row, person.name)
    return row.id


# --- corrections and decisions -------------------------------------------------------------------
def _line_of(session: Session, actor: Actor, record_id: int) -> hours.LedgerLine:
    lines = hours.ledger_lines(session, actor.station_id, record_ids=[record_id])
    if not lines:
        raise NotFound(_("找不到这条服务记录。"))
    return lines[0]


def _load_row(session: Session, actor: Actor, row_id: int) -> ServiceRecord:
    return load_for_station(session, actor, ServiceRecord, row_id, _("找不到这条服务记录。"))


def _reason(text: str, prompt: str) -> str:
    reason = clean_text(text, label=_("原因"), field="reason", max_len=MAX_NOTE)
    if not reason:
        raise ValidationError(prompt, field="reason")
    return reason


def request_correction(
    session: Session, actor: Actor, record_id: int, new_start: datetime | None, new_end: datetime | None,
    new_minutes: int | None, reason: str, *, now: datetime | None = None,
) -> int:
    """Ask to correct a record (new minutes 0: 作废); returns the correction's id.

    An administrator's correction is approved at once; a clerk's waits for one.
    """
    require(actor, Permission.RECORD_HOURS)
    now = _now(now)
    record = _load_row(session, actor, record_id)
    if record.kind != "record":
        raise ValidationError(_("只能更正服务记录本身，不能更正更正或审批。"))
    people = _people(session, actor, [record.volunteer_id], lock=True)
    person = people[record.volunteer_id]
    line = _line_of(session, actor, record.id)
    if line.status == "pending":
        raise ValidationError(_("{n}的这条记录还在等待审批，请先审批再更正。").format(n=person.name))
    if line.status == "rejected":
        raise ValidationError(_("{n}的这条记录未获批准，不计时长，不能更正；需要的话请重新录入。").format(n=person.name))
    if line.status == "void":
        raise ValidationError(_("{n}的这条记录已作废，不能再更正；需要的话请重新录入。").format(n=person.name))
    if line.has_pending_correction:
        raise ValidationError(
            _("{n}的这条记录已有一条更正在等待审批，一条记录同时只能有一条待审批的更正。").format(n=person.name))
    reason = _reason(reason, _("请填写更正原因（必填，会和更正一起留在台账里）。"))
    if new_minutes == 0:  # 作废: the times stay as they are
        new_start = new_start or line.starts_at
        new_end = new_end or line.ends_at
    checker = _Checker(session, actor.station_id, now, people)
    starts_at, ends_at, minutes = checker.check_times(person.name, new_start, new_end, new_minutes, allow_zero=True)
    if starts_at.date() != record.service_date:
        raise ValidationError(
            _("更正不能改日期，请作废后重新录入（原记录是 {d} 的服务）。").format(d=record.service_date.isoformat()),
            field="starts_at",
        )
    if (starts_at, ends_at, minutes) == (line.starts_at, line.ends_at, line.minutes):
        raise ValidationError(_("更正后的时间和时长与现在的一样，没有要更正的内容。"), field="minutes")
    checker.check_not_before_registration(person, starts_at.date())
    if minutes:
        checker.check_ledger(_Span(person.id, record.service_date, starts_at, ends_at, minutes), excluding=record.id)
    admin = actor.role is Role.ADMIN
    correction = ServiceRecord(
        kind="correction", volunteer_id=record.volunteer_id, target_id=record.id, activity_id=record.activity_id,
        assignment_id=record.assignment_id, service_item_id=record.service_item_id, content=record.content,
        category=record.category, place=record.place, recipient_id=record.recipient_id,
        served_person=record.served_person, organiser=record.organiser, service_date=record.service_date,
        starts_at=starts_at, ends_at=ends_at, minutes=minutes, attendance=record.attendance,
        evaluation=record.evaluation, evaluation_note=record.evaluation_note, needs_approval=not admin,
        decision="", reason=reason, delta_minutes=0, recorder_id=actor.user_id, recorder_name=actor.display_name,
    )
    chain.append(session, actor.station_id, correction)
    what = _("作废") if minutes == 0 else _("{a} → {b}").format(a=hours_label(line.minutes), b=hours_label(minutes))
    audit.record(
        session, actor, "correct", "service_record", record.id,
        summary=_("申请更正台账第 {s} 条服务记录：{n}，{d}，{w}（原因：{r}）").format(
            s=record.seq, n=person.name, d=record.service_date.isoformat(), w=what, r=reason),
        changes={"minutes": [line.minutes, minutes], "starts_at": [line.starts_at, starts_at],
                 "ends_at": [line.ends_at, ends_at], "correction_id": [None, correction.id]},
    )
    if admin:
        _append_decision(session, actor, correction, True, _("站长录入的更正，直接生效"), person.name)
    return correction.id


def _decided(session: Session, target_id: int) -> ServiceRecord | None:
    return session.scalar(
        select(ServiceRecord).where(ServiceRecord.target_id == target_id, ServiceRecord.kind == "decision")
        .order_by(ServiceRecord.seq.desc()).limit(1)
    )


def decide(
    session: Session, actor: Actor, target_id: int, approve: bool, note: str = "", *, now: datetime | None = None
) -> int:
    """Approve or reject a record waiting for approval, or a correction; returns the decision's id."""
    require(actor, Permission.APPROVE_HOURS)
    target = _load_row(session, actor, target_id)
    people = _people(session, actor, [target.volunteer_id], lock=True)
    name = people[target.volunteer_id].name
    if target.kind == "decision":
        raise ValidationError(_("这是一条审批，不能再审批。"))
    if target.kind == "record" and not target.needs_approval:
        raise ValidationError(_("{n}的这条记录录入时已直接计入，不需要审批。").format(n=name))
    earlier = _decided(session, target.id)
    if earlier is not None:
        raise ValidationError(
            _("这一条已经由{u}于 {d} {x}，不能重复审批。").format(
                u=earlier.recorder_name, d=f"{earlier.entered_at.astimezone():%Y-%m-%d %H:%M}",
                x=DECISION_LABELS.get(earlier.decision, earlier.decision)),
        )
    if not approve:
        note = _reason(note, _("不批准时请填写说明（会告知录入人，并留在台账里）。"))
    else:
        note = clean_text(note, label=_("说明"), field="note", max_len=MAX_NOTE)
    if approve and target.kind == "correction" and target.minutes:
        checker = _Checker(session, actor.station_id, _now(now), people)
        checker.check_ledger(
            _Span(target.volunteer_id, target.service_date, target.starts_at, target.ends_at, target.minutes),
            excluding=target.target_id,
        )
    return _append_decision(session, actor, target, approve, note, name)


def _append_decision(
    session: Session, actor: Actor, target: ServiceRecord, approve: bool, note: str, name: str
) -> int:
    record_id = target.id if target.kind == "record" else target.target_id
    line = _line_of(session, actor, record_id)
    if not approve:
        delta = 0
    elif target.kind == "record":
        delta = target.minutes
    else:
        delta = target.minutes - line.counted_minutes
    decision = ServiceRecord(
        kind="decision", volunteer_id=target.volunteer_id, target_id=target.id, activity_id=target.activity_id,
        assignment_id=target.assignment_id, service_item_id=target.service_item_id, content=target.content,
        category=target.category, place=target.place, organiser=target.organiser, service_date=target.service_date,
        starts_at=None, ends_at=None, minutes=0, attendance="", evaluation="", needs_approval=False,
        decision="approved" if approve else "rejected", reason=note, delta_minutes=delta,
        recorder_id=actor.user_id, recorder_name=actor.display_name,
    )
    chain.append(session, actor.station_id, decision)
    what = _("超额记录") if target.kind == "record" else (_("作废") if target.minutes == 0 else _("更正"))
    audit.record(
        session, actor, "approve" if approve else "reject", "service_record", record_id,
        summary=_("{x}{w}：{n}，{d}，{c}，计入变化 {h}").format(
            x=DECISION_LABELS["approved" if approve else "rejected"], w=what, n=name,
            d=target.service_date.isoformat(), c=target.content, h=hours.hours_text(delta)),
        changes={"decision": [None, decision.decision], "delta_minutes": [None, delta], "target_id": [None, target.id]},
    )
    if delta < 0:
        hours.flag_awards_below(
            session, actor, target.volunteer_id,
            _("台账第 {s} 条服务记录（{d}）更正为 {h}：{r}").format(
                s=line.seq, d=target.service_date.isoformat(), h=hours_label(target.minutes), r=target.reason),
        )
    return decision.id


# --- what waits, what the ledger shows -----------------------------------------------------------
def pending_items(session: Session, actor: Actor) -> list[PendingItem]:
    """Records over the approval limit and corrections that wait for an administrator, oldest first."""
    require(actor, Permission.VIEW)
    decision = aliased(ServiceRecord)
    undecided = ~exists().where(and_(decision.target_id == ServiceRecord.id, decision.kind == "decision"))
    waiting = session.scalars(
        select(ServiceRecord).where(
            ServiceRecord.station_id == actor.station_id,
            ServiceRecord.kind.in_(("record", "correction")),
            ServiceRecord.needs_approval.is_(True),
            undecided,
        ).order_by(ServiceRecord.seq)
    ).all()
    if not waiting:
        return []
    record_ids = {w.id if w.kind == "record" else w.target_id for w in waiting}
    lines = {line.record_id: line for line in hours.ledger_lines(session, actor.station_id, record_ids=record_ids)}
    names = {p.id: p.name for p in _people(session, actor, [w.volunteer_id for w in waiting]).values()}
    out = []
    for w in waiting:
        line = lines[w.id if w.kind == "record" else w.target_id]
        day = _day_minutes(session, actor, w.volunteer_id, w.service_date)
        if w.kind == "record":
            label, old, new, total = _("超额记录"), _("未计入"), _span_text(w.starts_at, w.ends_at, w.minutes), day + w.minutes
        else:
            label = _("作废") if w.minutes == 0 else _("更正")
            old = _span_text(line.starts_at, line.ends_at, line.minutes)
            new = _("作废（0 小时）") if w.minutes == 0 else _span_text(w.starts_at, w.ends_at, w.minutes)
            total = day - line.minutes + w.minutes
        out.append(PendingItem(
            w.id, line.record_id, w.kind, label, w.volunteer_id, names.get(w.volunteer_id, ""), w.service_date, w.content, old, new,
            total, w.reason if w.kind == "correction" else "", w.recorder_name, w.entered_at,
        ))
    return out


def _day_minutes(session: Session, actor: Actor, volunteer_id: int, day: date) -> int:
    """The volunteer's counted minutes that day (waiting entries left out)."""
    lines = hours.ledger_lines(session, actor.station_id, volunteer_ids=[volunteer_id], date_from=day, date_to=day)
    return sum(line.minutes for line in lines if line.status == "counted")


def _span_text(starts_at: datetime | None, ends_at: datetime | None, minutes: int) -> str:
    if starts_at and ends_at:
        return f"{when_text(starts_at, ends_at)}　{hours_label(minutes)}"
    return hours_label(minutes)


def ledger_rows(
    session: Session, actor: Actor, *, date_from: date | None = None, date_to: date | None = None,
    volunteer_ids: Iterable[int] | None = None, status: str | None = None, limit: int = 2000,
) -> list[LedgerRow]:
    """The station's ledger lines in a period, newest first, with names; ``status`` filters by line status."""
    require(actor, Permission.VIEW)
    lines = hours.ledger_lines(session, actor.station_id, volunteer_ids=volunteer_ids, date_from=date_from,
                               date_to=date_to)
    if status:
        lines = [line for line in lines if line.status == status]
    lines = list(reversed(lines))[:limit]
    if not lines:
        return []
    people = _people(session, actor, [line.volunteer_id for line in lines])
    return [LedgerRow(line, people[line.volunteer_id].name, people[line.volunteer_id].volunteer_no) for line in lines]


def ledger_row(session: Session, actor: Actor, record_id: int) -> LedgerRow:
    require(actor, Permission.VIEW)
    line = _line_of(session, actor, record_id)
    person = _people(session, actor, [line.volunteer_id])[line.volunteer_id]
    return LedgerRow(line, person.name, person.volunteer_no)


def line_history(session: Session, actor: Actor, record_id: int) -> list[HistoryEntry]:
    """A record, its corrections and every decision, in ledger order: nothing is ever hidden."""
    require(actor, Permission.VIEW)
    record = _load_row(session, actor, record_id)
    if record.kind != "record":
        raise NotFound(_("找不到这条服务记录。"))
    rows = [record]
    frontier = [record.id]
    while frontier:
        followers = session.scalars(select(ServiceRecord).where(ServiceRecord.target_id.in_(frontier))).all()
        rows.extend(followers)
        frontier = [r.id for r in followers if r.kind == "correction"]
    out = []
    for r in sorted(rows, key=lambda r: r.seq):
        if r.kind == "decision":
            label = _("审批：{d}").format(d=DECISION_LABELS.get(r.decision, r.decision))
            when, minutes_text, text = "", "", r.reason
        else:
            label = KIND_LABELS[r.kind]
            if r.kind == "record" and r.needs_approval:
                label += _("（超过审批线，待审批）")
            when = when_text(r.starts_at, r.ends_at) if r.starts_at and r.ends_at else r.service_date.isoformat()
            minutes_text = _("作废") if r.kind == "correction" and r.minutes == 0 else hours_label(r.minutes)
            text = r.reason if r.kind == "correction" else _record_text(r)
        out.append(HistoryEntry(r.id, r.seq, r.kind, label, when, minutes_text, r.delta_minutes, text,
                                r.recorder_name, r.entered_at))
    return out


def _record_text(r: ServiceRecord) -> str:
    parts = [r.content, r.category, r.place]
    if r.served_person:
        parts.append(_("服务对象：{p}").format(p=r.served_person))
    if r.attendance:
        parts.append(ATTENDANCE_LABELS.get(r.attendance, r.attendance))
    if r.evaluation:
        parts.append(_("评价：{e}").format(e=EVALUATION_LABELS.get(r.evaluation, r.evaluation))
                     + (f"（{r.evaluation_note}）" if r.evaluation_note else ""))
    parts.append(_("组织：{o}").format(o=r.organiser))
    if r.reason:
        parts.append(_("备注：{n}").format(n=r.reason))
    return "　".join(p for p in parts if p)
