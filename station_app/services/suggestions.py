"""Suggested volunteers for an open shift (推荐志愿者), each with the reasons for its rank.

Who is suggested
    Registered volunteers (已注册) of the station who can take the shift: those already on an
    overlapping active shift (this one included) and, when the activity requires a training,
    those who never attended it are left out — assigning them would be refused anyway.
    Volunteers who would only raise soft warnings (outside their free slots, none of the
    skills) stay in the list, lower down, with the warnings shown.

How they are ranked (a score out of 100, higher first; ties by name pinyin, then id)
    - skills (30): the share of the activity's skills the volunteer has registered;
    - availability (25): the share of the shift's day parts (周六上午 …) among their free slots;
    - neighbourhood (15): lives in the same building as a recipient the activity serves
      (directly, or through the needs linked to it);
    - fairness (20): fewer recent service minutes first, 20 × m / (m + minutes) where m is the
      candidates' median (at least one hour) — someone with no recent service gets the full 20;
    - lead (10): a backbone volunteer (骨干) while the shift has no lead yet; they are
      suggested as the lead.

Performance
    A handful of set-based queries, whatever the number of volunteers: registered volunteers,
    their skills among the activity's, recent minutes per volunteer, who overlaps the shift,
    who holds the training, the recipients' buildings, training sessions at the same time.
    Reasons are written only for the volunteers shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..i18n import _
from ..models import (
    Activity,
    Assignment,
    Need,
    Recipient,
    ServiceRecord,
    Shift,
    Skill,
    Volunteer,
    activity_recipients,
    activity_skills,
    volunteer_skills,
)
from . import volunteers as vol_svc
from .assignments import (
    CLOSED_ACTIVITY,
    active_on_shift,
    availability_warning,
    load_shift,
    overlapping_training,
    shift_slots,
    span_text,
    training_label,
)
from .auth import Actor, Permission, require
from .training import trained_volunteer_ids

SKILL_WEIGHT = 30.0
AVAILABILITY_WEIGHT = 25.0
BUILDING_WEIGHT = 15.0
FAIRNESS_WEIGHT = 20.0
LEAD_WEIGHT = 10.0
MIN_TYPICAL_MINUTES = 60


@dataclass(frozen=True)
class Suggestion:
    volunteer_id: int
    name: str
    volunteer_no: str
    rank: int  # 1 = best
    score: float  # 0–100
    reasons: list[str]  # why they fit, in Chinese
    warnings: list[str]  # soft problems an assignment would have to override
    as_lead: bool  # suggested as the shift's lead (a backbone volunteer, no lead yet)
    recent_minutes: int
    is_backbone: bool


def _minutes_between(session: Session, start, end):  # noqa: ANN001, ANN202 - SQL expressions
    """``end - start`` in minutes, as each database computes it."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 1440.0
    return func.extract("epoch", end - start) / 60.0


def recent_service_minutes(session: Session, station_id: int, since: datetime, until: datetime) -> dict[int, int]:
    """Counted service minutes per volunteer from the ledger, for service dated ``since`` to ``until``.

    ``SUM(delta_minutes)`` of the station's ledger rows (see ``models/ledger.py``): corrections
    applied, entries waiting for approval or rejected left out. Dates are whole days, so service
    on ``until``'s day counts. One index range (``ix_service_records_station_date``).
    """
    rows = session.execute(
        select(ServiceRecord.volunteer_id, func.sum(ServiceRecord.delta_minutes))
        .where(
            ServiceRecord.station_id == station_id,
            ServiceRecord.service_date >= since.date(),
            ServiceRecord.service_date <= until.date(),
        )
        .group_by(ServiceRecord.volunteer_id)
    )
    return {vid: int(total or 0) for vid, total in rows if total}


RecentMinutes = Callable[[Session, int, datetime, datetime], dict[int, int]]


def _busy(session: Session, station_id: int, starts_at: datetime, ends_at: datetime) -> set[int]:
    """Registered volunteers on an active assignment overlapping the time (this shift's own included).

    An assignment lasts as long as its shift, so one that overlaps started at most the longest
    shift's length before ``starts_at``: that bounds each volunteer's index range.
    """
    longest = session.scalar(select(func.max(_minutes_between(session, Shift.starts_at, Shift.ends_at))))
    if longest is None:
        return set()
    earliest = starts_at - timedelta(minutes=float(longest) + 1)
    registered = select(Volunteer.id).where(
        Volunteer.station_id == station_id, Volunteer.status == vol_svc.Status.REGISTERED.value
    )
    return set(session.scalars(
        select(Assignment.volunteer_id)
        .join(Activity, Activity.id == Assignment.activity_id)
        .where(
            Assignment.volunteer_id.in_(registered),
            Assignment.starts_at >= earliest,
            Assignment.starts_at < ends_at,
            Assignment.ends_at > starts_at,
            Assignment.status == "assigned",
            Activity.status != "cancelled",
        )
        .distinct()
    ))


def _recipient_buildings(session: Session, activity_id: int) -> set[str]:
    """Buildings of the recipients the activity serves, directly or through its needs."""
    direct = (
        select(Recipient.building)
        .join(activity_recipients, activity_recipients.c.recipient_id == Recipient.id)
        .where(activity_recipients.c.activity_id == activity_id)
    )
    through_needs = (
        select(Recipient.building).join(Need, Need.recipient_id == Recipient.id).where(Need.activity_id == activity_id)
    )
    buildings = session.scalars(direct.union(through_needs))
    return {b.strip() for b in buildings if b and b.strip()}


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.1f}"


def suggest_volunteers(
    session: Session, actor: Actor, shift_id: int, *, limit: int = 30, recent_days: int = 90,
    now: datetime | None = None, recent: RecentMinutes = recent_service_minutes,
) -> list[Suggestion]:
    """The best ``limit`` volunteers for the shift, best first; [] when it cannot take anyone more."""
    require(actor, Permission.VIEW)
    now = now or datetime.now()
    shift, activity = load_shift(session, actor, shift_id)
    station_id = activity.station_id
    on_shift = active_on_shift(session, shift.id)
    if activity.status in CLOSED_ACTIVITY or shift.ends_at <= now or len(on_shift) >= shift.capacity:
        return []
    needs_lead = not any(role == "lead" for _vid, role, _name in on_shift)

    volunteers = session.execute(
        select(Volunteer.id, Volunteer.name, Volunteer.name_pinyin, Volunteer.volunteer_no, Volunteer.availability,
               Volunteer.building, Volunteer.is_backbone)
        .where(Volunteer.station_id == station_id, Volunteer.status == vol_svc.Status.REGISTERED.value)
    ).all()
    excluded = _busy(session, station_id, shift.starts_at, shift.ends_at)
    trained: set[int] | None = None
    if activity.required_training:
        trained = trained_volunteer_ids(session, station_id, activity.required_training)

    wanted = session.execute(
        select(Skill.id, Skill.name).join(activity_skills, activity_skills.c.skill_id == Skill.id)
        .where(activity_skills.c.activity_id == activity.id).order_by(Skill.name)
    ).all()
    held: dict[int, list[str]] = {}
    if wanted:
        names = dict(wanted)
        for vid, skill_id in session.execute(
            select(volunteer_skills.c.volunteer_id, volunteer_skills.c.skill_id)
            .join(Volunteer, Volunteer.id == volunteer_skills.c.volunteer_id)
            .where(volunteer_skills.c.skill_id.in_(list(names)), Volunteer.station_id == station_id)
        ):
            held.setdefault(vid, []).append(names[skill_id])
    minutes = recent(session, station_id, now - timedelta(days=recent_days), now)
    buildings = _recipient_buildings(session, activity.id)

    shift_mask = shift_slots(shift.starts_at, shift.ends_at)
    shift_bits = bin(shift_mask).count("1") or 1
    candidates = [v for v in volunteers if v.id not in excluded and (trained is None or v.id in trained)]
    typical = max(MIN_TYPICAL_MINUTES, median(minutes.get(v.id, 0) for v in candidates) if candidates else 0)
    scored = []
    for v in candidates:
        score = 0.0
        if wanted:
            score += SKILL_WEIGHT * len(held.get(v.id, ())) / len(wanted)
        score += AVAILABILITY_WEIGHT * bin(v.availability & shift_mask).count("1") / shift_bits
        if buildings and v.building.strip() in buildings:
            score += BUILDING_WEIGHT
        score += FAIRNESS_WEIGHT * typical / (typical + minutes.get(v.id, 0))
        if needs_lead and v.is_backbone:
            score += LEAD_WEIGHT
        scored.append((-round(score, 3), v.name_pinyin, v.id, score, v))
    scored.sort(key=lambda t: t[:3])

    clashes = overlapping_training(session, station_id, shift.starts_at, shift.ends_at,
                                   [t[2] for t in scored[:limit]])
    may_reveal = actor.can(Permission.REVEAL_PERSONAL)
    median_minutes = median(minutes.get(v.id, 0) for v in candidates) if candidates else 0
    kind = training_label(activity.required_training)
    result = []
    for rank, (_key, _pinyin, vid, score, v) in enumerate(scored[:limit], start=1):
        reasons: list[str] = []
        warnings: list[str] = []
        mine = [n for _i, n in wanted if n in held.get(vid, ())]
        if mine:
            reasons.append(_("技能匹配：{s}").format(s="、".join(mine)))
        elif wanted:
            warnings.append(_("{name}没有登记这个活动需要的技能：{s}。").format(
                name=v.name, s="、".join(n for _i, n in wanted)))
        if v.availability & shift_mask == shift_mask:
            reasons.append(_("{slots}有空").format(slots=vol_svc.describe_availability(shift_mask)))
        else:
            warning = availability_warning(v.name, v.availability, shift_mask)
            if warning:
                warnings.append(warning)
        if kind:
            reasons.append(_("已参加{k}").format(k=kind))
        building = v.building.strip()
        if buildings and building in buildings:
            # The building is part of an address: named only to those who may see addresses.
            reasons.append(_("与服务对象同住{b}").format(b=building) if may_reveal else _("与服务对象同住一栋楼"))
        served = minutes.get(vid, 0)
        fewer = _("（较少）") if served < median_minutes or served == 0 else ""
        reasons.append(_("近{d}天服务 {h} 小时{f}").format(d=recent_days, h=_hours(served), f=fewer))
        as_lead = needs_lead and bool(v.is_backbone)
        if as_lead:
            reasons.append(_("骨干，可任带队"))
        elif v.is_backbone:
            reasons.append(_("骨干志愿者"))
        if vid in clashes:
            topic, start, end = clashes[vid]
            warnings.append(_("{name}报名了培训“{t}”（{span}），与这个班次时间重叠。").format(
                name=v.name, t=topic, span=span_text(start, end)))
        result.append(Suggestion(
            volunteer_id=vid, name=v.name, volunteer_no=v.volunteer_no or "", rank=rank, score=round(score, 1),
            reasons=reasons, warnings=warnings, as_lead=as_lead, recent_minutes=served, is_backbone=bool(v.is_backbone),
        ))
    return result
