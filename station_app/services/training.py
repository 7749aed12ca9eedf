"""Training (组织培训, §三.3): sessions, enrolment, attendance, and who holds which training.

Training time is recorded apart from service time and never counts toward star levels: it is
called *training minutes / hours* (培训时长) everywhere here, never service hours.

The life of a session
    计划 (planned) → 已举行 (held) once attendance is marked, or → 已取消 (cancelled) with a reason.
    A planned session is edited freely (it may not be moved into the past). Once held, its
    attendance is evidence: its kind, times and credited length no longer change, and a
    correction of someone's attendance needs a reason and is audited with the old and new value.
    A cancelled session takes no enrolments and no attendance.

Credit
    ``credit_minutes`` is what one attendance is worth; by default the session's length to the
    quarter hour below. 出席 earns it, 迟到 earns it unless the user gives fewer minutes, 缺席
    earns nothing.

Backbone track (骨干培养)
    A station rule kept in its settings: at least N training hours and M activities (the
    volunteer's assignments that were not cancelled, on activities marked 已完成), optionally
    within the last K months. Registered volunteers who meet it and are not yet 骨干 are the
    candidates; confirming one sets their backbone flag.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import (
    Activity,
    Assignment,
    Station,
    TrainingEnrolment,
    TrainingSession,
    User,
    Volunteer,
    utcnow,
)
from ..reports.signin import SigninRow, SigninSection, SigninSheet
from . import audit
from . import settings as settings_svc
from .auth import Actor, Permission, require
from .masking import mask_phone
from .records import like_escape, load_for_station
from .timefmt import when_text
from .validation import clean_text
from .volunteers import Status


class TrainingKind(StrEnum):
    COACHING = "coaching"
    DISCUSSION = "discussion"
    CASE_STUDY = "case_study"
    SKILLS = "skills"
    PRE_SERVICE = "pre_service"

    @property
    def label(self) -> str:
        return TRAINING_KIND_LABELS[self]


TRAINING_KIND_LABELS = {
    TrainingKind.COACHING: _("集中辅导"),
    TrainingKind.DISCUSSION: _("座谈交流"),
    TrainingKind.CASE_STUDY: _("案例分析"),
    TrainingKind.SKILLS: _("技能培训"),
    TrainingKind.PRE_SERVICE: _("岗前培训"),
}

# Attendance that counts as having had the training.
ATTENDED = ("present", "late")


def trained_volunteer_ids(
    session: Session, station_id: int, kind: str, volunteer_ids: Iterable[int] | None = None
) -> set[int]:
    """Volunteers of the station who attended (出席 or 迟到) a held session of this kind."""
    query = (
        select(TrainingEnrolment.volunteer_id)
        .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
        .where(
            TrainingSession.station_id == station_id,
            TrainingSession.kind == kind,
            TrainingSession.status == "held",
            TrainingEnrolment.attendance.in_(ATTENDED),
        )
        .distinct()
    )
    if volunteer_ids is not None:
        ids = list(volunteer_ids)
        if not ids:
            return set()
        query = query.where(TrainingEnrolment.volunteer_id.in_(ids))
    return set(session.scalars(query))


# --- vocabulary ----------------------------------------------------------------------------------
SESSION_STATUSES = {"planned": _("计划"), "held": _("已举行"), "cancelled": _("已取消")}
ATTENDANCE_LABELS = {"present": _("出席"), "late": _("迟到"), "absent": _("缺席")}
NOT_MARKED = _("未登记")
QUARTER = 15  # minutes: credit is counted in quarter hours
MAX_SESSION_MINUTES = 24 * 60
MAX_CAPACITY = 999
STALE_MESSAGE = _("这次培训刚被其他人改过，请关闭后重新打开再改。")
REGISTERED = Status.REGISTERED.value  # 已注册: the only volunteers who may enrol


def kind_label(kind: str | None) -> str:
    try:
        return TrainingKind(kind).label if kind else ""
    except ValueError:
        return kind or ""


def hours_text(minutes: int) -> str:
    """Training minutes as people say them: 150 → "2.5 小时", 60 → "1 小时", 45 → "0.75 小时"."""
    return _("{h} 小时").format(h=f"{minutes / 60:.2f}".rstrip("0").rstrip("."))


def default_credit(starts_at: datetime, ends_at: datetime) -> int:
    """The session's length in minutes, down to the quarter hour."""
    length = int((ends_at - starts_at).total_seconds() // 60)
    return max(0, length - length % QUARTER)


# --- data the screens get ------------------------------------------------------------------------
@dataclass
class SessionInput:
    kind: str
    topic: str
    trainer: str
    place: str
    starts_at: datetime | None
    ends_at: datetime | None
    credit_minutes: int | None = None  # None: the session's length, to the quarter hour below
    capacity: int = 30
    notes: str = ""


@dataclass
class SessionFilter:
    starts_on: date | None = None  # sessions starting on or after this day
    ends_on: date | None = None  # … and on or before this day
    kind: str | None = None
    status: str | None = None
    text: str = ""  # in the topic, trainer or place


@dataclass(frozen=True)
class SessionRow:
    id: int
    version: int
    kind: TrainingKind
    kind_label: str
    topic: str
    trainer: str
    place: str
    starts_at: datetime
    ends_at: datetime
    credit_minutes: int
    capacity: int
    enrolled: int
    attended: int  # 出席 + 迟到
    unmarked: int  # enrolled, attendance not yet marked
    status: str  # planned / held / cancelled
    status_label: str
    cancel_reason: str
    notes: str

    @property
    def when(self) -> str:
        return when_text(self.starts_at, self.ends_at)

    @property
    def credit_text(self) -> str:
        return hours_text(self.credit_minutes)


@dataclass(frozen=True)
class EnrolmentRow:
    id: int
    volunteer_id: int
    name: str
    volunteer_no: str
    phone: str  # masked
    volunteer_status: str
    is_backbone: bool
    attendance: str | None  # None until marked; present / late / absent
    attendance_label: str
    credited_minutes: int
    enrolled_at: datetime
    marked_at: datetime | None
    marked_by: str


@dataclass(frozen=True)
class SessionDetail:
    row: SessionRow
    enrolments: list[EnrolmentRow]
    created_by: str
    started: bool  # the start time has come (attendance may be marked)

    @property
    def id(self) -> int:
        return self.row.id


@dataclass(frozen=True)
class AttendanceMark:
    enrolment_id: int
    attendance: str  # present / late / absent
    credited_minutes: int | None = None  # 迟到 only: fewer minutes than the session's credit


@dataclass(frozen=True)
class TrainingHistoryRow:
    session_id: int
    starts_at: datetime
    ends_at: datetime
    kind: TrainingKind
    kind_label: str
    topic: str
    trainer: str
    session_status: str
    session_status_label: str
    attendance: str | None
    attendance_label: str  # 出席 / 迟到 / 缺席; 已报名 before the session is held; 培训已取消
    credited_minutes: int


@dataclass(frozen=True)
class TrainingHistory:
    volunteer_id: int
    rows: list[TrainingHistoryRow]
    total_minutes: int  # training minutes credited (never service hours)
    kinds_attended: list[str] = field(default_factory=list)  # labels, in TrainingKind order

    @property
    def total_text(self) -> str:
        return hours_text(self.total_minutes)


# --- validation ----------------------------------------------------------------------------------
def _minute(value: datetime) -> datetime:
    """Naive local wall-clock time to the minute (an aware time is converted to local first)."""
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _validated(data: SessionInput) -> dict:
    try:
        kind = TrainingKind(data.kind)
    except ValueError:
        raise ValidationError(_("请选择培训类型。"), field="kind") from None
    topic = (data.topic or "").strip()
    if not topic:
        raise ValidationError(_("请填写培训主题。"), field="topic")
    if len(topic) > 100:
        raise ValidationError(_("培训主题不能超过 100 个字。"), field="topic")
    # Free text, not a legal name: "梁医生（市人民医院）" is how a station writes its trainer.
    trainer = clean_text(data.trainer, label=_("讲师"), field="trainer", max_len=50)
    if not trainer:
        raise ValidationError(_("请填写讲师。"), field="trainer")
    place = (data.place or "").strip()
    if not place:
        raise ValidationError(_("请填写培训地点。"), field="place")
    if len(place) > 100:
        raise ValidationError(_("培训地点不能超过 100 个字。"), field="place")
    if data.starts_at is None:
        raise ValidationError(_("请填写开始时间。"), field="starts_at")
    if data.ends_at is None:
        raise ValidationError(_("请填写结束时间。"), field="ends_at")
    starts_at, ends_at = _minute(data.starts_at), _minute(data.ends_at)
    if ends_at <= starts_at:
        raise ValidationError(
            _("结束时间 {e} 不晚于开始时间 {s}，请核对培训时间。").format(
                e=f"{ends_at:%Y-%m-%d %H:%M}", s=f"{starts_at:%Y-%m-%d %H:%M}"
            ),
            field="ends_at",
        )
    length = int((ends_at - starts_at).total_seconds() // 60)
    if length > MAX_SESSION_MINUTES:
        raise ValidationError(_("一次培训不能超过 24 小时；连续几天的培训请按天分场次登记。"), field="ends_at")
    credit = data.credit_minutes
    if credit is None:
        credit = default_credit(starts_at, ends_at)
        if credit <= 0:
            raise ValidationError(_("培训不足 15 分钟，无法计培训时长，请核对培训时间。"), field="ends_at")
    if not isinstance(credit, int) or credit <= 0:
        raise ValidationError(_("培训时长必须大于 0。"), field="credit_minutes")
    if credit % QUARTER:
        raise ValidationError(_("培训时长按刻钟计（0.25 小时的整数倍）。"), field="credit_minutes")
    if credit > length:
        raise ValidationError(
            _("培训时长 {c} 超过了培训本身的长度 {l}。").format(c=hours_text(credit), l=hours_text(length)),
            field="credit_minutes",
        )
    capacity = data.capacity
    if not isinstance(capacity, int) or not 1 <= capacity <= MAX_CAPACITY:
        raise ValidationError(_("名额应在 1 到 {n} 人之间。").format(n=MAX_CAPACITY), field="capacity")
    notes = clean_text(data.notes, label=_("备注"), field="notes", max_len=2000)
    return {
        "kind": kind.value, "topic": topic, "trainer": trainer, "place": place, "starts_at": starts_at,
        "ends_at": ends_at, "credit_minutes": credit, "capacity": capacity, "notes": notes,
    }


def _check_not_past(starts_at: datetime, now: datetime) -> None:
    if starts_at < now:
        raise ValidationError(
            _("开始时间 {s} 已经过去了，不能把培训安排在过去。").format(s=f"{starts_at:%Y-%m-%d %H:%M}"),
            field="starts_at",
        )


def _snapshot(t: TrainingSession) -> dict:
    return {
        "kind": t.kind, "topic": t.topic, "trainer": t.trainer, "place": t.place, "starts_at": t.starts_at,
        "ends_at": t.ends_at, "credit_minutes": t.credit_minutes, "capacity": t.capacity, "notes": t.notes,
    }


def _load(session: Session, actor: Actor, session_id: int, *, for_update: bool = False) -> TrainingSession:
    return load_for_station(session, actor, TrainingSession, session_id, _("找不到这次培训。"), for_update=for_update)


def _now(now: datetime | None) -> datetime:
    return _minute(now) if now is not None else datetime.now().replace(second=0, microsecond=0)


def _enrolled_count(session: Session, session_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(TrainingEnrolment).where(TrainingEnrolment.session_id == session_id)
    ) or 0


# --- sessions ------------------------------------------------------------------------------------
def create_session(session: Session, actor: Actor, data: SessionInput, *, now: datetime | None = None) -> int:
    """Plan a training session (新建培训); it may not start in the past."""
    require(actor, Permission.EDIT_SCHEDULE)
    values = _validated(data)
    _check_not_past(values["starts_at"], _now(now))
    training = TrainingSession(station_id=actor.station_id, status="planned", created_by_id=actor.user_id, **values)
    session.add(training)
    session.flush()
    audit.record(
        session, actor, "create", "training_session", training.id,
        summary=_("新建培训：{k}·{t}（{w}）").format(
            k=kind_label(training.kind), t=training.topic, w=when_text(training.starts_at, training.ends_at)
        ),
        changes=audit.diff({}, _snapshot(training)),
    )
    return training.id


# Fields a held session keeps as they were: its attendance was marked against them.
LOCKED_WHEN_HELD = ("kind", "starts_at", "ends_at", "credit_minutes")


def update_session(
    session: Session, actor: Actor, session_id: int, data: SessionInput, *, expected_version: int,
    now: datetime | None = None,
) -> None:
    """Save an edit (修改). A held session keeps its kind, times and credit; a cancelled one is closed."""
    require(actor, Permission.EDIT_SCHEDULE)
    training = _load(session, actor, session_id, for_update=True)
    if training.version != expected_version:
        raise StationError(STALE_MESSAGE)
    if training.status == "cancelled":
        raise ValidationError(_("这次培训已取消，不能再修改。"))
    values = _validated(data)
    if training.status == "held":
        for key in LOCKED_WHEN_HELD:
            if values[key] != getattr(training, key):
                raise ValidationError(
                    _("这次培训已经登记了出勤，培训类型、时间和培训时长不能再改（出勤记录以它们为准）。"), field=key
                )
    elif values["starts_at"] != training.starts_at:
        _check_not_past(values["starts_at"], _now(now))
    enrolled = _enrolled_count(session, training.id)
    if values["capacity"] < enrolled:
        raise ValidationError(
            _("已有 {n} 人报名，名额不能少于 {n} 人。").format(n=enrolled), field="capacity"
        )
    before = _snapshot(training)
    for key, value in values.items():
        setattr(training, key, value)
    changes = audit.diff(before, _snapshot(training))
    if not changes:
        return
    try:
        session.flush()
    except StaleDataError as exc:
        raise StationError(STALE_MESSAGE) from exc
    audit.record(
        session, actor, "update", "training_session", training.id,
        summary=_("修改培训：{t}").format(t=training.topic), changes=changes,
    )


def cancel_session(session: Session, actor: Actor, session_id: int, reason: str) -> None:
    """Cancel a planned session (取消培训) with a reason; its enrolments stay on record."""
    require(actor, Permission.EDIT_SCHEDULE)
    training = _load(session, actor, session_id, for_update=True)
    if training.status == "cancelled":
        raise ValidationError(_("这次培训已经取消了。"))
    if training.status == "held":
        raise ValidationError(_("这次培训已经举行并登记了出勤，不能取消。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写取消培训的原因（会记入操作日志）。"), field="reason")
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    training.status = "cancelled"
    training.cancel_reason = reason
    audit.record(
        session, actor, "status", "training_session", training.id,
        summary=_("取消培训：{t}").format(t=training.topic),
        changes={"status": ["planned", "cancelled"], "reason": [None, reason]},
    )


# --- enrolment -----------------------------------------------------------------------------------
def enrol_volunteers(session: Session, actor: Actor, session_id: int, volunteer_ids: Sequence[int]) -> list[int]:
    """Enrol several volunteers (报名) at once; all or none.

    Only 已注册 volunteers, each once, within the capacity. A refusal names who and why, and
    nobody of the batch is enrolled. Returns the new enrolments' ids.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    ids = list(dict.fromkeys(volunteer_ids))
    if not ids:
        raise ValidationError(_("请先选择要报名的志愿者。"), field="volunteer_ids")
    training = _load(session, actor, session_id, for_update=True)  # one batch at a time per session
    if training.status == "cancelled":
        raise ValidationError(_("培训“{t}”已取消，不能再报名。").format(t=training.topic))
    volunteers = {
        v.id: v for v in session.scalars(
            select(Volunteer).where(Volunteer.id.in_(ids), Volunteer.station_id == actor.station_id)
        )
    }
    already = set(session.scalars(
        select(TrainingEnrolment.volunteer_id).where(
            TrainingEnrolment.session_id == training.id, TrainingEnrolment.volunteer_id.in_(ids)
        )
    ))
    problems: list[str] = []
    for vid in ids:
        v = volunteers.get(vid)
        if v is None:
            problems.append(_("编号 {id} 的志愿者不存在或不属于本站").format(id=vid))
        elif v.status != REGISTERED:
            problems.append(
                _("{n}目前是“{s}”，只有已注册的志愿者才能报名培训").format(n=v.name, s=Status(v.status).label)
            )
        elif vid in already:
            problems.append(_("{n}已经报过名了").format(n=v.name))
    if problems:
        raise ValidationError(
            _("没有报名任何人：") + "；".join(problems) + _("。"), field="volunteer_ids"
        )
    enrolled = _enrolled_count(session, training.id)
    free = training.capacity - enrolled
    if len(ids) > free:
        raise ValidationError(
            _("名额不够：这次培训 {c} 个名额已报 {e} 人，只剩 {f} 个，这次选了 {n} 人。没有报名任何人；"
              "请少选几位，或先把名额改大。").format(c=training.capacity, e=enrolled, f=max(free, 0), n=len(ids)),
            field="volunteer_ids",
        )
    rows = [
        TrainingEnrolment(session_id=training.id, volunteer_id=vid, enrolled_by_id=actor.user_id, credited_minutes=0)
        for vid in ids
    ]
    session.add_all(rows)
    session.flush()
    names = [volunteers[vid].name for vid in ids]
    audit.record(
        session, actor, "update", "training_session", training.id,
        summary=_("培训报名：{t} ← {names}").format(t=training.topic, names="、".join(names)),
        changes={"enrolled_volunteer_ids": [None, ids]},
    )
    return [r.id for r in rows]


def _load_enrolment(session: Session, actor: Actor, enrolment_id: int) -> tuple[TrainingEnrolment, TrainingSession]:
    row = session.execute(
        select(TrainingEnrolment, TrainingSession)
        .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
        .where(TrainingEnrolment.id == enrolment_id, TrainingSession.station_id == actor.station_id)
    ).first()
    if row is None:
        raise NotFound(_("找不到这条报名记录。"))
    return row[0], row[1]


def withdraw_enrolment(session: Session, actor: Actor, enrolment_id: int) -> None:
    """Take a volunteer off a session's list (移除) while their attendance is not marked."""
    require(actor, Permission.EDIT_SCHEDULE)
    enrolment, training = _load_enrolment(session, actor, enrolment_id)
    name = session.scalar(select(Volunteer.name).where(Volunteer.id == enrolment.volunteer_id)) or ""
    if training.status == "cancelled":
        raise ValidationError(_("培训已取消，名单保留原样，不能再移除。"))
    if enrolment.attendance is not None:
        raise ValidationError(
            _("{n}的出勤已经登记（{a}），不能移除；如登记有误，请用“登记出勤”更正并写明原因。").format(
                n=name, a=ATTENDANCE_LABELS.get(enrolment.attendance, enrolment.attendance)
            )
        )
    session.delete(enrolment)
    audit.record(
        session, actor, "update", "training_session", training.id,
        summary=_("移除培训报名：{n} ← {t}").format(n=name, t=training.topic),
        changes={"enrolled_volunteer_ids": [[enrolment.volunteer_id], None]},
    )


# --- attendance ----------------------------------------------------------------------------------
def mark_attendance(
    session: Session, actor: Actor, session_id: int, marks: Sequence[AttendanceMark], *, reason: str = "",
    now: datetime | None = None,
) -> int:
    """Record who came (登记出勤): 出席, 迟到 or 缺席 for every enrolled volunteer not yet marked.

    The first marking makes the session 已举行. Marks that change an earlier one are
    corrections: they need ``reason`` and are audited with the old and new values. Returns how
    many enrolments changed.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    training = _load(session, actor, session_id, for_update=True)
    if training.status == "cancelled":
        raise ValidationError(_("培训“{t}”已取消，不能登记出勤。").format(t=training.topic))
    if _now(now) < training.starts_at:
        raise ValidationError(
            _("培训还没有开始（{s}），开始后才能登记出勤。").format(s=f"{training.starts_at:%Y-%m-%d %H:%M}")
        )
    enrolments = {e.id: e for e in training.enrolments}
    if not enrolments:
        raise ValidationError(_("这次培训还没有人报名，无法登记出勤；请先把到场的志愿者加入名单。"))
    people = session.execute(
        select(Volunteer.id, Volunteer.name, Volunteer.volunteer_no)
        .where(Volunteer.id.in_([e.volunteer_id for e in enrolments.values()]))
    ).all()
    names = {vid: name for vid, name, _no in people}
    labels = {vid: f"{name} {no or ''}".strip() for vid, name, no in people}  # names may repeat; numbers do not
    credit = training.credit_minutes
    wanted: dict[int, tuple[str, int]] = {}
    for mark in marks:
        enrolment = enrolments.get(mark.enrolment_id)
        if enrolment is None:
            raise ValidationError(_("报名记录（编号 {id}）不属于这次培训。").format(id=mark.enrolment_id))
        name = names.get(enrolment.volunteer_id, "")
        if mark.enrolment_id in wanted:
            raise ValidationError(_("{n}的出勤登记了两次。").format(n=name))
        if mark.attendance not in ATTENDANCE_LABELS:
            raise ValidationError(_("请为{n}选择出席、迟到或缺席。").format(n=name), field="attendance")
        minutes = {"present": credit, "absent": 0}.get(mark.attendance)
        if minutes is None:  # late
            minutes = credit if mark.credited_minutes is None else mark.credited_minutes
            if not isinstance(minutes, int) or not 0 < minutes <= credit or minutes % QUARTER:
                raise ValidationError(
                    _("迟到的{n}计入的培训时长应在 0.25 到 {h} 之间，按刻钟（0.25 小时）计。").format(
                        n=name, h=hours_text(credit)
                    ),
                    field="credited_minutes",
                )
        wanted[mark.enrolment_id] = (mark.attendance, minutes)
    missing = [names.get(e.volunteer_id, "") for eid, e in enrolments.items()
               if e.attendance is None and eid not in wanted]
    if missing:
        raise ValidationError(
            _("还有 {k} 人没有登记出勤：{n}。每位报名的志愿者都要登记出席、迟到或缺席。").format(
                k=len(missing), n="、".join(missing)
            ),
            field="attendance",
        )
    first: list[tuple[TrainingEnrolment, str, int]] = []
    corrections: list[tuple[TrainingEnrolment, str, int]] = []
    for eid, (attendance, minutes) in wanted.items():
        enrolment = enrolments[eid]
        if enrolment.attendance is None:
            first.append((enrolment, attendance, minutes))
        elif (enrolment.attendance, enrolment.credited_minutes) != (attendance, minutes):
            corrections.append((enrolment, attendance, minutes))
    reason = (reason or "").strip()
    if corrections and not reason:
        changed = "、".join(
            _("{n}（{a} → {b}）").format(
                n=names.get(e.volunteer_id, ""), a=_attendance_text(e.attendance, e.credited_minutes, credit),
                b=_attendance_text(a, m, credit),
            )
            for e, a, m in corrections
        )
        raise ValidationError(
            _("更正已登记的出勤需要填写原因（会记入操作日志）：{c}。").format(c=changed), field="reason"
        )
    if len(reason) > 2000:
        raise ValidationError(_("原因不能超过 2000 个字。"), field="reason")
    marked_at = utcnow()
    for enrolment, attendance, minutes in first:
        enrolment.attendance, enrolment.credited_minutes = attendance, minutes
        enrolment.marked_at, enrolment.marked_by_id = marked_at, actor.user_id
    for enrolment, attendance, minutes in corrections:
        old = (enrolment.attendance, enrolment.credited_minutes)
        enrolment.attendance, enrolment.credited_minutes = attendance, minutes
        enrolment.marked_at, enrolment.marked_by_id = marked_at, actor.user_id
        name = names.get(enrolment.volunteer_id, "")
        audit.record(
            session, actor, "update", "training_enrolment", enrolment.id,
            summary=_("更正培训出勤：{n}，{t}：{a} → {b}").format(
                n=name, t=training.topic, a=_attendance_text(old[0], old[1], credit),
                b=_attendance_text(attendance, minutes, credit),
            ),
            changes={"attendance": [old[0], attendance], "credited_minutes": [old[1], minutes],
                     "reason": [None, reason]},
        )
    if first:
        counts = {key: sum(1 for _e, a, _m in first if a == key) for key in ATTENDANCE_LABELS}
        changes: dict[str, list] = {
            "attendance": [None, {labels.get(e.volunteer_id, ""): a for e, a, _m in first}],
            "credited_minutes": [None, sum(m for _e, _a, m in first)],
        }
        if training.status == "planned":
            training.status = "held"
            changes["status"] = ["planned", "held"]
        audit.record(
            session, actor, "update", "training_session", training.id,
            summary=_("登记培训出勤：{t}（出席 {p}，迟到 {l}，缺席 {a}）").format(
                t=training.topic, p=counts["present"], l=counts["late"], a=counts["absent"]
            ),
            changes=changes,
        )
    try:
        session.flush()
    except StaleDataError as exc:
        raise StationError(STALE_MESSAGE) from exc
    return len(first) + len(corrections)


def _attendance_text(attendance: str | None, minutes: int, credit: int) -> str:
    label = ATTENDANCE_LABELS.get(attendance or "", NOT_MARKED)
    if attendance == "late" and minutes != credit:
        return _("{a}，计 {h}").format(a=label, h=hours_text(minutes))
    return label


# --- queries -------------------------------------------------------------------------------------
def _counts(session: Session, session_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """Session id → (enrolled, attended, not yet marked)."""
    if not session_ids:
        return {}
    e = TrainingEnrolment
    rows = session.execute(
        select(e.session_id, e.attendance, func.count()).where(e.session_id.in_(session_ids))
        .group_by(e.session_id, e.attendance)
    )
    result: dict[int, list[int]] = {}
    for sid, attendance, n in rows:
        counts = result.setdefault(sid, [0, 0, 0])
        counts[0] += n
        if attendance in ATTENDED:
            counts[1] += n
        elif attendance is None:
            counts[2] += n
    return {sid: (c[0], c[1], c[2]) for sid, c in result.items()}


def _row(t: TrainingSession, counts: tuple[int, int, int]) -> SessionRow:
    kind = TrainingKind(t.kind)
    return SessionRow(
        id=t.id, version=t.version, kind=kind, kind_label=kind.label, topic=t.topic, trainer=t.trainer,
        place=t.place, starts_at=t.starts_at, ends_at=t.ends_at, credit_minutes=t.credit_minutes,
        capacity=t.capacity, enrolled=counts[0], attended=counts[1], unmarked=counts[2], status=t.status,
        status_label=SESSION_STATUSES.get(t.status, t.status), cancel_reason=t.cancel_reason, notes=t.notes,
    )


def list_sessions(session: Session, actor: Actor, flt: SessionFilter | None = None) -> list[SessionRow]:
    """Sessions, newest start first, with how many enrolled, attended and are still to be marked."""
    require(actor, Permission.VIEW)
    flt = flt or SessionFilter()
    query = select(TrainingSession).where(TrainingSession.station_id == actor.station_id)
    if flt.starts_on is not None:
        query = query.where(TrainingSession.starts_at >= datetime.combine(flt.starts_on, time()))
    if flt.ends_on is not None:
        query = query.where(TrainingSession.starts_at < datetime.combine(flt.ends_on + timedelta(days=1), time()))
    if flt.kind:
        query = query.where(TrainingSession.kind == flt.kind)
    if flt.status:
        query = query.where(TrainingSession.status == flt.status)
    text = (flt.text or "").strip()
    if text:
        pattern = f"%{like_escape(text)}%"
        query = query.where(or_(
            TrainingSession.topic.like(pattern, escape="\\"), TrainingSession.trainer.like(pattern, escape="\\"),
            TrainingSession.place.like(pattern, escape="\\"),
        ))
    sessions = list(session.scalars(query.order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())))
    counts = _counts(session, [t.id for t in sessions])
    return [_row(t, counts.get(t.id, (0, 0, 0))) for t in sessions]


def get_session(session: Session, actor: Actor, session_id: int, *, now: datetime | None = None) -> SessionDetail:
    """One session with its enrolments (by name), phones masked."""
    require(actor, Permission.VIEW)
    t = _load(session, actor, session_id)
    users = dict(session.execute(select(User.id, User.display_name).where(User.station_id == actor.station_id)).all())
    rows = session.execute(
        select(TrainingEnrolment, Volunteer)
        .join(Volunteer, Volunteer.id == TrainingEnrolment.volunteer_id)
        .where(TrainingEnrolment.session_id == t.id)
        .order_by(Volunteer.name_pinyin, Volunteer.id)
    ).all()
    enrolments = [
        EnrolmentRow(
            id=e.id, volunteer_id=v.id, name=v.name, volunteer_no=v.volunteer_no or "", phone=mask_phone(v.phone),
            volunteer_status=Status(v.status).label, is_backbone=v.is_backbone, attendance=e.attendance,
            attendance_label=ATTENDANCE_LABELS.get(e.attendance or "", NOT_MARKED),
            credited_minutes=e.credited_minutes, enrolled_at=e.enrolled_at, marked_at=e.marked_at,
            marked_by=users.get(e.marked_by_id, "") if e.marked_by_id else "",
        )
        for e, v in rows
    ]
    counts = (len(enrolments), sum(1 for e in enrolments if e.attendance in ATTENDED),
              sum(1 for e in enrolments if e.attendance is None))
    return SessionDetail(
        row=_row(t, counts), enrolments=enrolments,
        created_by=users.get(t.created_by_id, "") if t.created_by_id else "",
        started=_now(now) >= t.starts_at,
    )


def volunteer_training_history(session: Session, actor: Actor, volunteer_id: int) -> TrainingHistory:
    """A volunteer's trainings, newest first, and their total training hours (not service hours)."""
    require(actor, Permission.VIEW)
    load_for_station(session, actor, Volunteer, volunteer_id, _("找不到这名志愿者（可能已被删除或不属于本站）。"))
    rows = []
    kinds: set[str] = set()
    total = 0
    query = (
        select(TrainingEnrolment, TrainingSession)
        .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
        .where(TrainingEnrolment.volunteer_id == volunteer_id, TrainingSession.station_id == actor.station_id)
        .order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
    )
    for e, t in session.execute(query):
        kind = TrainingKind(t.kind)
        if t.status == "cancelled":
            label = _("培训已取消")
        elif e.attendance is None:
            label = _("已报名") if t.status == "planned" else NOT_MARKED
        else:
            label = ATTENDANCE_LABELS.get(e.attendance, e.attendance)
        credited = e.credited_minutes if t.status == "held" else 0
        if t.status == "held" and e.attendance in ATTENDED:
            kinds.add(kind.value)
        total += credited
        rows.append(TrainingHistoryRow(
            session_id=t.id, starts_at=t.starts_at, ends_at=t.ends_at, kind=kind, kind_label=kind.label,
            topic=t.topic, trainer=t.trainer, session_status=t.status,
            session_status_label=SESSION_STATUSES.get(t.status, t.status), attendance=e.attendance,
            attendance_label=label, credited_minutes=credited,
        ))
    return TrainingHistory(
        volunteer_id=volunteer_id, rows=rows, total_minutes=total,
        kinds_attended=[k.label for k in TrainingKind if k.value in kinds],
    )


def signin_sheet_data(session: Session, actor: Actor, session_id: int) -> SigninSheet:
    """What the session's sign-in sheet (签到表) prints: its facts and the enrolled volunteers."""
    require(actor, Permission.VIEW)
    detail = get_session(session, actor, session_id)
    r = detail.row
    if r.status == "cancelled":
        raise ValidationError(_("培训“{t}”已取消，不需要打印签到表。").format(t=r.topic))
    station = session.get(Station, actor.station_id)
    station_name = station.name if station is not None else ""
    facts = [
        (_("培训主题"), r.topic), (_("类型"), r.kind_label), (_("讲师"), r.trainer), (_("地点"), r.place),
        (_("时间"), r.when), (_("培训时长"), r.credit_text),
        (_("报名人数"), _("{e} 人（名额 {c} 人）").format(e=r.enrolled, c=r.capacity)),
    ]
    rows = [
        SigninRow(number=n, name=e.name, volunteer_no=e.volunteer_no, phone=e.phone,
                  note=_("骨干") if e.is_backbone else "")
        for n, e in enumerate(detail.enrolments, start=1)
    ]
    return SigninSheet(
        title=_("{s}培训签到表").format(s=station_name),
        facts=facts,
        sections=[SigninSection(heading="", rows=rows)],
        footer=_("{s}　培训时长计入培训记录，不计入志愿服务时长").format(s=station_name),
    )


# --- backbone track (骨干培养) -------------------------------------------------------------------
@dataclass(frozen=True)
class BackboneRule:
    min_training_hours: int = 12
    min_activities: int = 10
    months: int = 12  # look back this many months; 0: all of the volunteer's record

    def describe(self) -> str:
        period = _("近 {m} 个月内").format(m=self.months) if self.months else _("累计")
        parts = []
        if self.min_training_hours:
            parts.append(_("培训满 {h} 小时").format(h=self.min_training_hours))
        if self.min_activities:
            parts.append(_("参加活动满 {a} 次").format(a=self.min_activities))
        return period + _("且").join(parts)


DEFAULT_BACKBONE_RULE = BackboneRule()
RULE_KEYS = {
    "min_training_hours": "backbone.min_training_hours",
    "min_activities": "backbone.min_activities",
    "months": "backbone.months",
}
MAX_RULE_HOURS = 1000
MAX_RULE_ACTIVITIES = 1000
MAX_RULE_MONTHS = 120


@dataclass(frozen=True)
class BackboneCandidate:
    volunteer_id: int
    name: str
    volunteer_no: str
    phone: str  # masked
    training_minutes: int  # within the rule's period
    activities: int  # done activities within the rule's period
    last_training: date | None

    @property
    def training_text(self) -> str:
        return hours_text(self.training_minutes)


def get_backbone_rule(session: Session, actor: Actor) -> BackboneRule:
    require(actor, Permission.VIEW)
    return _rule(session, actor.station_id)


def _rule(session: Session, station_id: int | None) -> BackboneRule:
    stored = settings_svc.get_many(session, station_id or 0, tuple(RULE_KEYS.values()))
    return BackboneRule(**{
        name: settings_svc.parse_int(stored.get(key), getattr(DEFAULT_BACKBONE_RULE, name))
        for name, key in RULE_KEYS.items()
    })


def set_backbone_rule(session: Session, actor: Actor, rule: BackboneRule) -> None:
    """Change the station's backbone rule (administrators: 设置骨干认定等规则)."""
    require(actor, Permission.MANAGE_RULES)
    for value, top, name, label in (
        (rule.min_training_hours, MAX_RULE_HOURS, "min_training_hours", _("培训时长")),
        (rule.min_activities, MAX_RULE_ACTIVITIES, "min_activities", _("参加活动次数")),
        (rule.months, MAX_RULE_MONTHS, "months", _("统计期间")),
    ):
        if not isinstance(value, int) or not 0 <= value <= top:
            raise ValidationError(_("{l}应在 0 到 {n} 之间。").format(l=label, n=top), field=name)
    if not rule.min_training_hours and not rule.min_activities:
        raise ValidationError(
            _("培训时长和参加活动次数不能都为 0，否则所有已注册志愿者都会成为骨干候选人。"), field="min_training_hours"
        )
    before = _rule(session, actor.station_id)
    station_id = actor.station_id or 0
    for name, key in RULE_KEYS.items():
        settings_svc.set_int(session, station_id, key, getattr(rule, name))
    changes = audit.diff(before.__dict__, rule.__dict__)
    if changes:
        audit.record(
            session, actor, "update", "station", actor.station_id,
            summary=_("修改骨干认定规则：{r}").format(r=rule.describe()), changes=changes,
        )


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _progress(
    session: Session, station_id: int, rule: BackboneRule, today: date, volunteer_ids: Sequence[int] | None = None
) -> tuple[dict[int, tuple[int, date | None]], dict[int, int]]:
    """(volunteer → (training minutes, last training day), volunteer → done activities) in the rule's period."""
    since = datetime.combine(months_before(today, rule.months), time()) if rule.months else None
    e, t = TrainingEnrolment, TrainingSession
    training_q = (
        select(e.volunteer_id, func.sum(e.credited_minutes), func.max(t.starts_at))
        .join(t, t.id == e.session_id)
        .where(t.station_id == station_id, t.status == "held", e.attendance.in_(ATTENDED))
        .group_by(e.volunteer_id)
    )
    a, act = Assignment, Activity
    activity_q = (
        select(a.volunteer_id, func.count(func.distinct(a.activity_id)))
        .join(act, act.id == a.activity_id)
        .where(act.station_id == station_id, act.status == "done", a.status == "assigned")
        .group_by(a.volunteer_id)
    )
    if since is not None:
        training_q = training_q.where(t.starts_at >= since)
        activity_q = activity_q.where(act.starts_at >= since)
    if volunteer_ids is not None:
        training_q = training_q.where(e.volunteer_id.in_(list(volunteer_ids)))
        activity_q = activity_q.where(a.volunteer_id.in_(list(volunteer_ids)))
    training = {
        vid: (int(minutes or 0), last.date() if last else None) for vid, minutes, last in session.execute(training_q)
    }
    activities = {vid: int(n) for vid, n in session.execute(activity_q)}
    return training, activities


def _meets(rule: BackboneRule, minutes: int, activities: int) -> bool:
    return minutes >= rule.min_training_hours * 60 and activities >= rule.min_activities


def backbone_candidates(session: Session, actor: Actor, *, today: date | None = None) -> list[BackboneCandidate]:
    """Registered volunteers who meet the station's backbone rule and are not yet 骨干, most trained first."""
    require(actor, Permission.VIEW)
    today = today or date.today()
    rule = _rule(session, actor.station_id)
    training, activities = _progress(session, actor.station_id or 0, rule, today)
    qualified = [
        vid for vid in set(training) | set(activities)
        if _meets(rule, training.get(vid, (0, None))[0], activities.get(vid, 0))
    ]
    if not qualified:
        return []
    query = select(Volunteer).where(
        Volunteer.id.in_(qualified), Volunteer.station_id == actor.station_id, Volunteer.status == REGISTERED,
        Volunteer.is_backbone.is_(False),
    )
    result = [
        BackboneCandidate(
            volunteer_id=v.id, name=v.name, volunteer_no=v.volunteer_no or "", phone=mask_phone(v.phone),
            training_minutes=training.get(v.id, (0, None))[0], activities=activities.get(v.id, 0),
            last_training=training.get(v.id, (0, None))[1],
        )
        for v in session.scalars(query.order_by(Volunteer.name_pinyin, Volunteer.id))
    ]
    result.sort(key=lambda c: (-c.training_minutes, -c.activities))  # stable: by name within a tie
    return result


def confirm_backbone(
    session: Session, actor: Actor, volunteer_ids: Sequence[int], *, today: date | None = None
) -> None:
    """Confirm candidates as 骨干 (认定为骨干): all or none, each must meet the rule now."""
    require(actor, Permission.EDIT_VOLUNTEERS)
    ids = list(dict.fromkeys(volunteer_ids))
    if not ids:
        raise ValidationError(_("请先选择要认定为骨干的志愿者。"))
    today = today or date.today()
    rule = _rule(session, actor.station_id)
    volunteers = {
        v.id: v for v in session.scalars(
            select(Volunteer).where(Volunteer.id.in_(ids), Volunteer.station_id == actor.station_id).with_for_update()
        )
    }
    training, activities = _progress(session, actor.station_id or 0, rule, today, ids)
    problems = []
    for vid in ids:
        v = volunteers.get(vid)
        minutes, done = training.get(vid, (0, None))[0], activities.get(vid, 0)
        if v is None:
            problems.append(_("编号 {id} 的志愿者不存在或不属于本站").format(id=vid))
        elif v.is_backbone:
            problems.append(_("{n}已经是骨干").format(n=v.name))
        elif v.status != REGISTERED:
            problems.append(_("{n}不是已注册的志愿者").format(n=v.name))
        elif not _meets(rule, minutes, done):
            problems.append(_("{n}还不符合条件（培训 {h}，参加活动 {a} 次）").format(
                n=v.name, h=hours_text(minutes), a=done))
    if problems:
        raise ValidationError(
            _("没有认定任何人：") + "；".join(problems) + _("。骨干认定条件：{r}。").format(r=rule.describe())
        )
    for vid in ids:
        v = volunteers[vid]
        v.is_backbone = True
        minutes, done = training.get(vid, (0, None))[0], activities.get(vid, 0)
        audit.record(
            session, actor, "update", "volunteer", v.id,
            summary=_("认定为骨干：{n}（培训 {h}，参加活动 {a} 次）").format(n=v.name, h=hours_text(minutes), a=done),
            changes={"is_backbone": [False, True], "rule": [None, rule.describe()]},
        )
    try:
        session.flush()
    except StaleDataError as exc:
        raise StationError(_("这名志愿者的资料刚被其他人修改过，请刷新后再认定。")) from exc
