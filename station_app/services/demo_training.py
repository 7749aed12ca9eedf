"""Training demo data: a year of the station's training sessions, a few upcoming ones and one
cancelled, with enrolments and attendance (§三.3 组织培训).

Everything goes through the training services the screens use (so the rules, histories and
audit entries are real), each step told the moment it would have happened (``now``); afterwards
the creation, enrolment and marking timestamps are moved to those moments. The sessions are
data, in ``resources/data/demo_training.json``.

What comes out
    The clinic volunteers (skill 医疗护理 / 急救, or members of the hospital's team) mostly have
    岗前培训, so 健康义诊 can be staffed; a handful of keen volunteers attend nearly everything and
    pass the default backbone rule's training hours — they become backbone *candidates* once
    they also have enough 已完成 activities (the activity demo should favour
    ``TrainingDemo.keen_volunteer_ids``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Skill, Team, TeamMember, TrainingEnrolment, TrainingSession, Volunteer, volunteer_skills
from ..resources import load_json
from .auth import Actor
from .training import (
    AttendanceMark,
    SessionInput,
    TrainingKind,
    cancel_session,
    create_session,
    enrol_volunteers,
    mark_attendance,
)
from .volunteers import Status

HISTORY_DAYS = 350  # the first past session, this many days ago
SATURDAY, WEDNESDAY = 5, 2
DAY_START, EVENING_START = time(9, 0), time(19, 30)
ATTENDANCE_ODDS = {  # (present, late, absent)
    "keen": (0.9, 0.06, 0.04),
    "other": (0.78, 0.1, 0.12),
}


@dataclass(frozen=True)
class TrainingDemo:
    session_ids: list[int] = field(default_factory=list)
    keen_volunteer_ids: list[int] = field(default_factory=list)  # attend nearly everything: backbone material
    pre_service_volunteer_ids: list[int] = field(default_factory=list)  # attended a held 岗前培训


@dataclass(frozen=True)
class _Person:
    id: int
    registered_on: date
    clinic: bool


def _people(session: Session, actor: Actor, spec: dict, today: date) -> list[_Person]:
    """The station's registered volunteers, and whether each is one of the clinic volunteers."""
    medical = set(session.scalars(
        select(volunteer_skills.c.volunteer_id)
        .join(Skill, Skill.id == volunteer_skills.c.skill_id)
        .where(Skill.name.in_(spec["medical_skills"]))
    ))
    medical |= set(session.scalars(
        select(TeamMember.volunteer_id).join(Team, Team.id == TeamMember.team_id)
        .where(Team.station_id == actor.station_id, Team.name == spec["medical_team"])
    ))
    rows = session.execute(
        select(Volunteer.id, Volunteer.registered_on, Volunteer.is_backbone)
        .where(Volunteer.station_id == actor.station_id, Volunteer.status == Status.REGISTERED.value)
        .order_by(Volunteer.id)
    ).all()
    return [_Person(vid, registered_on or today - timedelta(days=HISTORY_DAYS + 30), vid in medical)
            for vid, registered_on, _backbone in rows]


def _slot(day: date, evening: bool) -> datetime:
    """The nearest Saturday morning (or Wednesday evening) on or before ``day``."""
    weekday = WEDNESDAY if evening else SATURDAY
    day -= timedelta(days=(day.weekday() - weekday) % 7)
    return datetime.combine(day, EVENING_START if evening else DAY_START)


def _input(entry: dict, starts_at: datetime, place: str, capacity: int) -> SessionInput:
    minutes = round(entry["hours"] * 60)
    return SessionInput(
        kind=TrainingKind(entry["kind"]).value, topic=entry["topic"], trainer=entry["trainer"], place=place,
        starts_at=starts_at, ends_at=starts_at + timedelta(minutes=minutes), credit_minutes=None, capacity=capacity,
    )


def _attendance(rng: random.Random, keen: bool, credit: int) -> tuple[str, int | None]:
    present, late, _absent = ATTENDANCE_ODDS["keen" if keen else "other"]
    r = rng.random()
    if r < present:
        return "present", None
    if r < present + late:
        # Half of those late lose half an hour of credit.
        return "late", credit - 30 if credit > 30 and rng.random() < 0.5 else None
    return "absent", None


def build_training_demo(session: Session, actor: Actor, rng: random.Random, today: date) -> TrainingDemo:
    """Add the training side to a demo station that already has registered volunteers.

    ``actor`` needs EDIT_SCHEDULE (the clerk or the administrator). Runs inside the demo's unit of work.
    """
    spec = load_json("demo_training.json")
    people = _people(session, actor, spec, today)
    if not people:
        return TrainingDemo()
    clinic = [p for p in people if p.clinic]
    # The keen ones were registered before the year began, so they could come all year.
    veterans = [p for p in people if not p.clinic and p.registered_on <= today - timedelta(days=HISTORY_DAYS)]
    pool = veterans or [p for p in people if not p.clinic] or people
    keen = rng.sample(pool, min(spec["keen_volunteers"], len(pool)))
    keen_ids = {p.id for p in keen}
    places = spec["places"]
    trained_pre_service: set[int] = set()
    session_ids: list[int] = []
    moments: list[tuple[int, datetime, datetime, datetime | None]] = []  # (id, created, starts, marked)

    past = spec["past"]
    step = (HISTORY_DAYS - 7) / max(len(past) - 1, 1)
    for n, entry in enumerate(past):
        starts_at = _slot(today - timedelta(days=round(HISTORY_DAYS - n * step)), entry["evening"])
        capacity = rng.choice((30, 40))
        data = _input(entry, starts_at, rng.choice(places), capacity)
        created = starts_at - timedelta(days=rng.randint(7, 14))
        session_id = create_session(session, actor, data, now=created)
        known = [p for p in people if p.registered_on <= starts_at.date()]
        chosen = [p for p in known if p.id in keen_ids and rng.random() < 0.9]
        if entry["kind"] == TrainingKind.PRE_SERVICE:
            chosen += [p for p in known if p.clinic and p.id not in trained_pre_service and rng.random() < 0.8]
        others = [p for p in known if p not in chosen]
        want = rng.randint(10, 22)
        chosen += rng.sample(others, max(0, min(want - len(chosen), len(others))))
        chosen = chosen[:capacity]
        if not chosen:
            continue
        enrolment_ids = enrol_volunteers(session, actor, session_id, [p.id for p in chosen])
        credit = session.get(TrainingSession, session_id).credit_minutes  # type: ignore[union-attr]
        marks = []
        for person, enrolment_id in zip(chosen, enrolment_ids, strict=True):
            attendance, minutes = _attendance(rng, person.id in keen_ids, credit)
            marks.append(AttendanceMark(enrolment_id, attendance, minutes))
            if entry["kind"] == TrainingKind.PRE_SERVICE and attendance != "absent":
                trained_pre_service.add(person.id)
        marked = data.ends_at + timedelta(minutes=rng.randint(20, 90))  # type: ignore[operator]
        mark_attendance(session, actor, session_id, marks, now=marked)
        session_ids.append(session_id)
        moments.append((session_id, created, starts_at, marked))

    now = datetime.combine(today, time(8, 0))
    for entry in spec["upcoming"]:
        starts_at = _slot(today + timedelta(days=entry["in_days"]), entry["evening"])
        if starts_at <= now:
            starts_at += timedelta(days=7)
        capacity = 30
        data = _input(entry, starts_at, places[0], capacity)
        created = now - timedelta(days=rng.randint(1, 6))
        session_id = create_session(session, actor, data, now=created)
        if entry["kind"] == TrainingKind.PRE_SERVICE:
            chosen = [p for p in clinic if p.id not in trained_pre_service]
        else:
            chosen = rng.sample(people, min(rng.randint(5, 14), len(people)))
        if chosen:
            enrol_volunteers(session, actor, session_id, [p.id for p in chosen[:capacity]])
        session_ids.append(session_id)
        moments.append((session_id, created, starts_at, None))

    entry = spec["cancelled"]
    starts_at = _slot(today + timedelta(days=entry["in_days"]), entry["evening"])
    if starts_at <= now:
        starts_at += timedelta(days=7)
    created = now - timedelta(days=12)
    session_id = create_session(session, actor, _input(entry, starts_at, places[1], 30), now=created)
    enrol_volunteers(session, actor, session_id, [p.id for p in rng.sample(people, min(6, len(people)))])
    cancel_session(session, actor, session_id, entry["reason"])
    session_ids.append(session_id)
    moments.append((session_id, created, starts_at, None))

    _move_timestamps(session, rng, moments, now)
    return TrainingDemo(
        session_ids=session_ids, keen_volunteer_ids=sorted(keen_ids),
        pre_service_volunteer_ids=sorted(trained_pre_service),
    )


def _aware(moment: datetime) -> datetime:
    return moment.astimezone()  # naive local wall-clock → aware, as the UTC columns store it


def _move_timestamps(
    session: Session, rng: random.Random, moments: list[tuple[int, datetime, datetime, datetime | None]], now: datetime
) -> None:
    """Creation, enrolment and marking happened when the story says, not when the demo ran."""
    for session_id, created, starts_at, marked in moments:
        session.execute(
            update(TrainingSession).where(TrainingSession.id == session_id).values(created_at=_aware(created))
        )
        latest = min(starts_at, now)
        enrolled = created + (latest - created) * rng.uniform(0.2, 0.8)
        values: dict = {"enrolled_at": _aware(enrolled)}
        if marked is not None:
            values["marked_at"] = _aware(marked)
        session.execute(update(TrainingEnrolment).where(TrainingEnrolment.session_id == session_id).values(**values))
