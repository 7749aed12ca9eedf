"""Assigning volunteers to activity shifts (排班), with checks that explain themselves, §三.3–4.

Checks
    ``check_assignment`` lists every problem with putting a volunteer on a shift, each as a
    ``Problem`` whose Chinese message names what is wrong (the other activity and its time, the
    missing training, the volunteer's free slots, the shift's capacity …).

    Hard problems block: the volunteer is not 已注册; they are already on another active shift
    that overlaps this one; the shift is full; they never attended the training the activity
    requires; the activity is cancelled or done; the shift is over; they are already on this
    shift; the shift already has a lead (see below).

    Soft problems warn and may be overridden with a reason, which is stored with the
    assignment: the shift falls outside the volunteer's weekly availability (上午 before 12:00,
    下午 12:00–18:00, 晚上 from 18:00); the volunteer has none of the activity's skills (an
    activity needing 医疗护理 and 测血压 is served by a team, so one matching skill is enough);
    they are enrolled in a training session at the same time; a lead who is not a backbone
    volunteer (骨干).

One lead per shift
    A lead (带队) answers for the shift on the day: the roster printout and the sign-in sheet
    name one person the social worker calls. Two leads blur that, so a second lead is a hard
    problem that names the current one; to change the lead, cancel theirs and assign again.

Concurrency
    ``assign_volunteer`` locks the shift row, then the volunteer row (always in that order, so
    two clerks never deadlock): two clerks cannot overfill a shift, nor book one volunteer on
    two overlapping shifts, on PostgreSQL. SQLite writers are serialised by ``BEGIN IMMEDIATE``.

An assignment that was cancelled is reactivated when the volunteer is assigned to the same
shift again (one row per shift and volunteer); both moves are audited.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFound, StationError, ValidationError
from ..i18n import _
from ..models import (
    Activity,
    Assignment,
    Shift,
    Skill,
    TrainingEnrolment,
    TrainingSession,
    Volunteer,
    activity_skills,
    utcnow,
    volunteer_skills,
)
from . import audit
from . import volunteers as vol_svc
from .auth import Actor, Permission, require
from .masking import mask_phone
from .training import TRAINING_KIND_LABELS, TrainingKind, trained_volunteer_ids

ROLES = {"member": _("队员"), "lead": _("带队")}
ACTIVITY_STATUS_LABELS = {
    "planned": _("计划"), "in_progress": _("进行中"), "done": _("已完成"), "cancelled": _("已取消"),
}
CLOSED_ACTIVITY = ("done", "cancelled")
MAX_REASON = 2000
# Day parts of the availability grid, by the hour they end: 上午 <12:00, 下午 12–18, 晚上 ≥18.
SLOT_ENDS = (12, 18, 24)
ALL_SLOTS = (1 << vol_svc.AVAILABILITY_BITS) - 1


# --- time helpers (also used by suggestions) ---------------------------------------------------
def slot_of(hour: int) -> int:
    """0 上午, 1 下午, 2 晚上."""
    return next(i for i, end in enumerate(SLOT_ENDS) if hour < end)


def shift_slots(starts_at: datetime, ends_at: datetime) -> int:
    """The availability bits (weekday × day part) a shift touches; 09:00–13:00 on Saturday is 周六上午+下午."""
    if ends_at - starts_at >= timedelta(days=7):
        return ALL_SLOTS
    mask = 0
    moment = starts_at
    while moment < ends_at:
        slot = slot_of(moment.hour)
        mask |= vol_svc.availability_bit(moment.weekday(), slot)
        moment = datetime.combine(moment.date(), time()) + timedelta(hours=SLOT_ENDS[slot])
    return mask


def span_text(starts_at: datetime, ends_at: datetime) -> str:
    """"2025-06-14（周六）09:00–11:00", or both dates when it runs past midnight."""
    day = f"{starts_at:%Y-%m-%d}（{vol_svc.WEEKDAYS[starts_at.weekday()]}）"
    if starts_at.date() == ends_at.date():
        return f"{day}{starts_at:%H:%M}–{ends_at:%H:%M}"
    return f"{day}{starts_at:%H:%M} – {ends_at:%Y-%m-%d} {ends_at:%H:%M}"


def shift_name(label: str, starts_at: datetime, ends_at: datetime) -> str:
    return label or span_text(starts_at, ends_at)


def training_label(kind: str | None) -> str:
    if not kind:
        return ""
    try:
        return TRAINING_KIND_LABELS[TrainingKind(kind)]
    except ValueError:
        return kind


# --- problems ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """One reason a volunteer should not (hard) or might not (soft) be put on a shift."""

    code: str  # not_registered, overlap, shift_full, missing_training, activity_closed, shift_past,
    #            already_assigned, lead_taken, outside_availability, missing_skill, training_overlap,
    #            lead_not_backbone
    hard: bool
    message: str


class AssignmentRefused(ValidationError):
    """Hard problems: nothing was saved. ``problems`` lists them."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(_("不能安排：") + "\n".join(p.message for p in self.problems))


class OverrideRequired(StationError):
    """Soft problems and no reason given: nothing was saved. Ask for a reason and try again."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(
            _("安排前请说明理由：") + "\n".join(p.message for p in self.problems)
        )


def _hard(code: str, message: str) -> Problem:
    return Problem(code, True, message)


def _soft(code: str, message: str) -> Problem:
    return Problem(code, False, message)


def load_shift(session: Session, actor: Actor, shift_id: int, *, for_update: bool = False) -> tuple[Shift, Activity]:
    query = (
        select(Shift, Activity)
        .join(Activity, Activity.id == Shift.activity_id)
        .where(Shift.id == shift_id, Activity.station_id == actor.station_id)
    )
    if for_update:
        query = query.with_for_update(of=Shift)
    row = session.execute(query).one_or_none()
    if row is None:
        raise NotFound(_("找不到这个班次（可能已被删除）。"))
    return row[0], row[1]


def _load_volunteer(session: Session, actor: Actor, volunteer_id: int, *, for_update: bool = False) -> Volunteer:
    query = select(Volunteer).where(Volunteer.id == volunteer_id, Volunteer.station_id == actor.station_id)
    if for_update:
        query = query.with_for_update()
    volunteer = session.scalar(query)
    if volunteer is None:
        raise NotFound(_("找不到这名志愿者（可能不属于本站）。"))
    return volunteer


def _overlapping(session: Session, volunteer_id: int, shift: Shift) -> list[tuple[str, str, datetime, datetime]]:
    """The volunteer's other active assignments overlapping the shift: (activity, shift label, start, end)."""
    rows = session.execute(
        select(Activity.title, Shift.label, Assignment.starts_at, Assignment.ends_at)
        .join(Activity, Activity.id == Assignment.activity_id)
        .join(Shift, Shift.id == Assignment.shift_id)
        .where(
            Assignment.volunteer_id == volunteer_id,  # ix_assignments_volunteer_start
            Assignment.starts_at < shift.ends_at,
            Assignment.ends_at > shift.starts_at,
            Assignment.status == "assigned",
            Assignment.shift_id != shift.id,
            Activity.status != "cancelled",
        )
        .order_by(Assignment.starts_at, Assignment.id)
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def overlapping_training(
    session: Session, station_id: int, starts_at: datetime, ends_at: datetime, volunteer_ids: Sequence[int] | None = None
) -> dict[int, tuple[str, datetime, datetime]]:
    """Volunteers enrolled in a (not cancelled) training session overlapping the time: id → (topic, start, end)."""
    query = (
        select(TrainingEnrolment.volunteer_id, TrainingSession.topic, TrainingSession.starts_at, TrainingSession.ends_at)
        .join(TrainingSession, TrainingSession.id == TrainingEnrolment.session_id)
        .where(
            TrainingSession.station_id == station_id,
            TrainingSession.status != "cancelled",
            TrainingSession.starts_at < ends_at,
            TrainingSession.ends_at > starts_at,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    if volunteer_ids is not None:
        query = query.where(TrainingEnrolment.volunteer_id.in_(list(volunteer_ids)))
    found: dict[int, tuple[str, datetime, datetime]] = {}
    for vid, topic, start, end in session.execute(query):
        found.setdefault(vid, (topic, start, end))
    return found


def active_on_shift(session: Session, shift_id: int) -> list[tuple[int, str, str]]:
    """(volunteer id, role, name) of the shift's active assignments."""
    rows = session.execute(
        select(Assignment.volunteer_id, Assignment.role, Volunteer.name)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(Assignment.shift_id == shift_id, Assignment.status == "assigned")
    ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def availability_warning(name: str, availability: int, shift_mask: int) -> str | None:
    """The soft warning when the shift's day parts are not all among the volunteer's free slots."""
    missing = shift_mask & ~availability
    if not missing:
        return None
    slots = vol_svc.describe_availability(shift_mask)
    if not availability:
        return _("{name}没有登记每周的空闲时间，不能确认{slots}是否有空。").format(name=name, slots=slots)
    return _("{name}登记的空闲时间是{avail}，不含这个班次的{slots}。").format(
        name=name, avail=vol_svc.describe_availability(availability), slots=vol_svc.describe_availability(missing)
    )


def _problems(
    session: Session, actor: Actor, shift: Shift, activity: Activity, volunteer: Volunteer, role: str, now: datetime
) -> tuple[list[Problem], Assignment | None]:
    """Every problem (hard first), and the volunteer's existing row on this shift, if any."""
    name = volunteer.name
    label = shift_name(shift.label, shift.starts_at, shift.ends_at)
    problems: list[Problem] = []
    status = vol_svc.Status(volunteer.status)
    if status != vol_svc.Status.REGISTERED:
        problems.append(_hard("not_registered", _("{name}目前是“{s}”，只有已注册的志愿者才能排班。").format(
            name=name, s=status.label)))
    if activity.status in CLOSED_ACTIVITY:
        problems.append(_hard("activity_closed", _("活动“{t}”{s}，不能再排班。").format(
            t=activity.title, s=ACTIVITY_STATUS_LABELS[activity.status])))
    if shift.ends_at <= now:
        problems.append(_hard("shift_past", _("班次“{label}”已于 {e:%Y-%m-%d %H:%M} 结束，不能再排班。").format(
            label=label, e=shift.ends_at)))
    existing = session.scalar(
        select(Assignment).where(Assignment.shift_id == shift.id, Assignment.volunteer_id == volunteer.id)
    )
    if existing is not None and existing.status == "assigned":
        problems.append(_hard("already_assigned", _("{name}已经排在班次“{label}”了。").format(name=name, label=label)))
    for title, other_label, start, end in _overlapping(session, volunteer.id, shift)[:3]:
        where = f"{title}（{other_label}）" if other_label else title
        problems.append(_hard("overlap", _("{name}在 {span} 已排在活动“{w}”，与这个班次时间重叠。").format(
            name=name, span=span_text(start, end), w=where)))
    on_shift = active_on_shift(session, shift.id)
    if len(on_shift) >= shift.capacity and (existing is None or existing.status != "assigned"):
        problems.append(_hard("shift_full", _("班次“{label}”已满：名额 {c} 人，已排 {n} 人。").format(
            label=label, c=shift.capacity, n=len(on_shift))))
    if activity.required_training and volunteer.id not in trained_volunteer_ids(
        session, activity.station_id, activity.required_training, [volunteer.id]
    ):
        kind = training_label(activity.required_training)
        problems.append(_hard("missing_training", _("{name}还没有参加过{k}，活动“{t}”要求先参加{k}。").format(
            name=name, k=kind, t=activity.title)))
    if role == "lead":
        leads = [n for vid, r, n in on_shift if r == "lead" and vid != volunteer.id]
        if leads:
            problems.append(_hard("lead_taken", _("班次“{label}”已有带队志愿者{lead}，每个班次只设一名带队。").format(
                label=label, lead=leads[0])))

    warning = availability_warning(name, volunteer.availability, shift_slots(shift.starts_at, shift.ends_at))
    if warning:
        problems.append(_soft("outside_availability", warning))
    wanted = list(session.scalars(
        select(Skill.name).join(activity_skills, activity_skills.c.skill_id == Skill.id)
        .where(activity_skills.c.activity_id == activity.id).order_by(Skill.name)
    ))
    if wanted:
        held = set(session.scalars(
            select(volunteer_skills.c.skill_id).join(activity_skills, activity_skills.c.skill_id == volunteer_skills.c.skill_id)
            .where(volunteer_skills.c.volunteer_id == volunteer.id, activity_skills.c.activity_id == activity.id)
        ))
        if not held:
            problems.append(_soft("missing_skill", _("{name}没有登记这个活动需要的技能：{s}。").format(
                name=name, s="、".join(wanted))))
    clash = overlapping_training(session, activity.station_id, shift.starts_at, shift.ends_at, [volunteer.id])
    if volunteer.id in clash:
        topic, start, end = clash[volunteer.id]
        problems.append(_soft("training_overlap", _("{name}报名了培训“{t}”（{span}），与这个班次时间重叠。").format(
            name=name, t=topic, span=span_text(start, end))))
    if role == "lead" and not volunteer.is_backbone:
        problems.append(_soft("lead_not_backbone", _("{name}不是骨干志愿者，安排为带队需要说明理由。").format(name=name)))
    return problems, existing


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationError(_("排班角色只能是队员或带队。"), field="role")


def check_assignment(
    session: Session, actor: Actor, shift_id: int, volunteer_id: int, *, role: str = "member",
    now: datetime | None = None,
) -> list[Problem]:
    """Every problem with putting the volunteer on the shift, hard ones first; [] means it is fine."""
    require(actor, Permission.VIEW)
    _check_role(role)
    shift, activity = load_shift(session, actor, shift_id)
    volunteer = _load_volunteer(session, actor, volunteer_id)
    return _problems(session, actor, shift, activity, volunteer, role, now or datetime.now())[0]


def assign_volunteer(
    session: Session, actor: Actor, shift_id: int, volunteer_id: int, *, role: str = "member",
    override_reason: str = "", now: datetime | None = None,
) -> int:
    """Put a volunteer on a shift; returns the assignment id.

    Hard problems raise ``AssignmentRefused``; soft ones raise ``OverrideRequired`` unless a
    reason is given, which is then stored with the warnings it overrode.
    """
    require(actor, Permission.EDIT_SCHEDULE)
    _check_role(role)
    reason = (override_reason or "").strip()
    if len(reason) > MAX_REASON:
        raise ValidationError(_("理由不能超过 {n} 个字。").format(n=MAX_REASON), field="override_reason")
    shift, activity = load_shift(session, actor, shift_id, for_update=True)
    volunteer = _load_volunteer(session, actor, volunteer_id, for_update=True)
    problems, existing = _problems(session, actor, shift, activity, volunteer, role, now or datetime.now())
    hard = [p for p in problems if p.hard]
    if hard:
        raise AssignmentRefused(hard)
    soft = [p for p in problems if not p.hard]
    if soft and not reason:
        raise OverrideRequired(soft)
    warnings = "\n".join(p.message for p in soft)
    kept_reason = reason if soft else ""
    label = shift_name(shift.label, shift.starts_at, shift.ends_at)
    if existing is not None:  # cancelled before: the same row comes back
        assignment = existing
        assignment.status = "assigned"
        assignment.cancel_reason = ""
        assignment.cancelled_at = None
        summary = _("重新排班：{name} → {t}（{label}）")
    else:
        assignment = Assignment(shift_id=shift.id, activity_id=activity.id, volunteer_id=volunteer.id)
        session.add(assignment)
        summary = _("排班：{name} → {t}（{label}）")
    assignment.starts_at = shift.starts_at
    assignment.ends_at = shift.ends_at
    assignment.role = role
    assignment.warnings = warnings
    assignment.override_reason = kept_reason
    assignment.assigned_by_id = actor.user_id
    assignment.assigned_at = utcnow()
    session.flush()
    audit.record(
        session, actor, "create", "assignment", assignment.id,
        summary=summary.format(name=volunteer.name, t=activity.title, label=label),
        changes={
            "activity_id": [None, activity.id], "shift_id": [None, shift.id], "volunteer_id": [None, volunteer.id],
            "role": [None, role], "warnings": [None, warnings], "override_reason": [None, kept_reason],
        },
    )
    return assignment.id


def cancel_assignment(session: Session, actor: Actor, assignment_id: int, reason: str) -> None:
    """Take a volunteer off a shift (取消排班) with a reason; the row stays, with the reason."""
    require(actor, Permission.EDIT_SCHEDULE)
    row = session.execute(
        select(Assignment, Activity, Volunteer.name)
        .join(Activity, Activity.id == Assignment.activity_id)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(Assignment.id == assignment_id, Activity.station_id == actor.station_id)
        .with_for_update(of=Assignment)
    ).one_or_none()
    if row is None:
        raise NotFound(_("找不到这条排班记录。"))
    assignment, activity, name = row
    if assignment.status != "assigned":
        raise ValidationError(_("{name}的这次排班已经取消过了。").format(name=name))
    if activity.status == "done":
        raise ValidationError(_("活动“{t}”已完成，排班记录不能再更改。").format(t=activity.title))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写取消排班的原因，例如“临时有事”。"), field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(_("原因不能超过 {n} 个字。").format(n=MAX_REASON), field="reason")
    assignment.status = "cancelled"
    assignment.cancel_reason = reason
    assignment.cancelled_at = utcnow()
    audit.record(
        session, actor, "status", "assignment", assignment.id,
        summary=_("取消排班：{name} → {t}").format(name=name, t=activity.title),
        changes={"status": ["assigned", "cancelled"], "reason": [None, reason]},
    )


# --- reading -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class AssignmentRow:
    id: int
    shift_id: int
    shift_label: str  # the shift's label, or its time when it has none
    starts_at: datetime
    ends_at: datetime
    volunteer_id: int
    name: str
    volunteer_no: str
    phone: str  # masked
    role: str
    role_label: str
    is_backbone: bool
    warnings: str
    override_reason: str


def _assignment_rows(session: Session, actor: Actor, condition) -> list[AssignmentRow]:  # noqa: ANN001
    rows = session.execute(
        select(Assignment, Shift.label, Volunteer.name, Volunteer.volunteer_no, Volunteer.phone, Volunteer.is_backbone)
        .join(Shift, Shift.id == Assignment.shift_id)
        .join(Activity, Activity.id == Assignment.activity_id)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(condition, Assignment.status == "assigned", Activity.station_id == actor.station_id)
        .order_by(Shift.starts_at, Shift.id, Assignment.role != "lead", Volunteer.name_pinyin, Volunteer.id)
    ).all()
    return [
        AssignmentRow(
            id=a.id, shift_id=a.shift_id, shift_label=shift_name(label, a.starts_at, a.ends_at),
            starts_at=a.starts_at, ends_at=a.ends_at, volunteer_id=a.volunteer_id, name=name,
            volunteer_no=number or "", phone=mask_phone(phone), role=a.role, role_label=ROLES.get(a.role, a.role),
            is_backbone=bool(backbone), warnings=a.warnings, override_reason=a.override_reason,
        )
        for a, label, name, number, phone, backbone in rows
    ]


def shift_assignments(session: Session, actor: Actor, shift_id: int) -> list[AssignmentRow]:
    """The shift's active assignments: the lead first, then by name."""
    require(actor, Permission.VIEW)
    return _assignment_rows(session, actor, Assignment.shift_id == shift_id)


def activity_assignments(session: Session, actor: Actor, activity_id: int) -> list[AssignmentRow]:
    """Every active assignment of the activity, shift by shift (for the roster printout)."""
    require(actor, Permission.VIEW)
    return _assignment_rows(session, actor, Assignment.activity_id == activity_id)


def assigned_counts(session: Session, activity_ids: Sequence[int]) -> dict[int, int]:
    """Active assignments per activity (activities with none are left out)."""
    if not activity_ids:
        return {}
    rows = session.execute(
        select(Assignment.activity_id, func.count())
        .where(Assignment.activity_id.in_(list(activity_ids)), Assignment.status == "assigned")
        .group_by(Assignment.activity_id)
    )
    return {aid: int(n) for aid, n in rows}


@dataclass(frozen=True)
class ShiftOverview:
    id: int
    label: str  # as entered ("" when the activity has one unnamed shift)
    name: str  # the label, or the time when there is none
    starts_at: datetime
    ends_at: datetime
    capacity: int
    assigned: int
    lead_name: str  # "" when the shift has no lead yet
    is_past: bool

    @property
    def is_full(self) -> bool:
        return self.assigned >= self.capacity


@dataclass(frozen=True)
class ActivityOverview:
    id: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime
    status: str
    status_label: str
    required_training: str | None
    required_training_label: str  # "" when none
    skills: list[str]
    lead_social_worker: str
    shifts: list[ShiftOverview] = field(default_factory=list)

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_ACTIVITY


def shift_overview(session: Session, actor: Actor, activity_id: int, *, now: datetime | None = None) -> ActivityOverview:
    """The activity's header and its shifts with how many are assigned, for the 排班 dialog."""
    require(actor, Permission.VIEW)
    now = now or datetime.now()
    activity = session.scalar(
        select(Activity).where(Activity.id == activity_id, Activity.station_id == actor.station_id)
    )
    if activity is None:
        raise NotFound(_("找不到这个活动（可能已被删除）。"))
    shifts = list(session.scalars(select(Shift).where(Shift.activity_id == activity.id).order_by(Shift.starts_at, Shift.id)))
    counts: dict[int, int] = {}
    leads: dict[int, str] = {}
    for shift_id, role, name in session.execute(
        select(Assignment.shift_id, Assignment.role, Volunteer.name)
        .join(Volunteer, Volunteer.id == Assignment.volunteer_id)
        .where(Assignment.activity_id == activity.id, Assignment.status == "assigned")
    ):
        counts[shift_id] = counts.get(shift_id, 0) + 1
        if role == "lead":
            leads[shift_id] = name
    skills = list(session.scalars(
        select(Skill.name).join(activity_skills, activity_skills.c.skill_id == Skill.id)
        .where(activity_skills.c.activity_id == activity.id).order_by(Skill.name)
    ))
    return ActivityOverview(
        id=activity.id, title=activity.title, place=activity.place, starts_at=activity.starts_at,
        ends_at=activity.ends_at, status=activity.status,
        status_label=ACTIVITY_STATUS_LABELS.get(activity.status, activity.status),
        required_training=activity.required_training, required_training_label=training_label(activity.required_training),
        skills=skills, lead_social_worker=activity.lead_social_worker,
        shifts=[
            ShiftOverview(
                id=s.id, label=s.label, name=shift_name(s.label, s.starts_at, s.ends_at), starts_at=s.starts_at,
                ends_at=s.ends_at, capacity=s.capacity, assigned=counts.get(s.id, 0), lead_name=leads.get(s.id, ""),
                is_past=s.ends_at <= now,
            )
            for s in shifts
        ],
    )
