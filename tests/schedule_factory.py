"""Activities, shifts, trainings and volunteers for scheduling tests, built straight with the ORM.

The activities service is written elsewhere; these helpers do not depend on it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from station_app.db import Database
from station_app.models import (
    Activity,
    Recipient,
    Shift,
    TrainingEnrolment,
    TrainingSession,
    Volunteer,
)
from station_app.services import volunteers as vol_svc
from station_app.services.auth import Actor
from station_app.services.pinyin import name_keys
from station_app.services.records import skills_named

from .idnumbers import make_id

SAT, SUN, WED = 5, 6, 2
MORNING, AFTERNOON, EVENING = 0, 1, 2


def future_day(weekday: int = SAT, weeks_ahead: int = 2) -> date:
    """A date on ``weekday`` at least ``weeks_ahead`` weeks from today (always in the future)."""
    day = date.today() + timedelta(weeks=weeks_ahead)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def slots(*pairs: tuple[int, int]) -> int:
    """An availability mask from (weekday, day part) pairs."""
    mask = 0
    for weekday, part in pairs:
        mask |= vol_svc.availability_bit(weekday, part)
    return mask


_seq = iter(range(100, 1000))


def make_volunteer(
    db: Database, actor: Actor, name: str, *, skills: Sequence[str] = (), availability: int = 0, building: str = "",
    backbone: bool = False, approve: bool = True, birth: str = "19800101",
) -> int:
    """A volunteer entered through the roster's service, then 已注册 (unless ``approve`` is False)."""
    seq = f"{next(_seq):03d}"
    data = vol_svc.VolunteerInput(
        name=name, id_number=make_id("442000", birth, seq), phone=f"13800{seq}111"[:11], skills=list(skills),
        availability=availability, building=building, unit="1单元" if building else "", is_backbone=backbone,
    )
    with db.session() as session:
        vid = vol_svc.register_volunteer(session, actor, data)
    if approve:  # as the station head's review would (a clerk may not review)
        with db.session() as session:
            volunteer = session.get(Volunteer, vid)
            volunteer.status = vol_svc.Status.REGISTERED.value
            volunteer.volunteer_no = f"SQ0101-T{seq}"
            volunteer.registered_on = date.today()
    return vid


def set_status(db: Database, volunteer_id: int, status: str) -> None:
    with db.session() as session:
        session.get(Volunteer, volunteer_id).status = status


def make_recipient(db: Database, actor: Actor, name: str, building: str) -> int:
    initials, pinyin = name_keys(name)
    with db.session() as session:
        recipient = Recipient(
            station_id=actor.station_id, name=name, name_initials=initials, name_pinyin=pinyin, gender="女",
            birth_date=date(1940, 5, 1), building=building, unit="1单元", room="301",
        )
        session.add(recipient)
        session.flush()
        return recipient.id


def make_activity(
    db: Database, actor: Actor, *, title: str = "健康义诊", day: date | None = None, hours: tuple[int, int] = (9, 11),
    shifts: Sequence[tuple[str, datetime, datetime, int]] | None = None, capacity: int = 5,
    required_training: str | None = None, skills: Sequence[str] = (), recipient_ids: Sequence[int] = (),
    status: str = "planned", place: str = "服务站活动室",
) -> tuple[int, list[int]]:
    """An activity with its shifts; one shift over the whole time unless ``shifts`` are given.

    Returns (activity id, shift ids in the order given).
    """
    day = day or future_day()
    starts_at, ends_at = at(day, hours[0]), at(day, hours[1])
    shift_specs = list(shifts) if shifts is not None else [("", starts_at, ends_at, capacity)]
    with db.session() as session:
        recipients = [session.get(Recipient, rid) for rid in recipient_ids]
        activity = Activity(
            station_id=actor.station_id, category="help", title=title, place=place,
            starts_at=min(s[1] for s in shift_specs), ends_at=max(s[2] for s in shift_specs),
            volunteers_needed=sum(s[3] for s in shift_specs), required_training=required_training,
            lead_social_worker="林社工", status=status, created_by_id=actor.user_id,
            skills=skills_named(session, list(skills)),
        )
        session.add(activity)
        session.flush()
        if recipients:
            from station_app.models import activity_recipients

            session.execute(activity_recipients.insert(), [
                {"activity_id": activity.id, "recipient_id": r.id} for r in recipients
            ])
        made = [Shift(activity_id=activity.id, label=label, starts_at=s, ends_at=e, capacity=cap)
                for label, s, e, cap in shift_specs]
        session.add_all(made)
        session.flush()
        return activity.id, [s.id for s in made]


def set_activity_status(db: Database, activity_id: int, status: str) -> None:
    with db.session() as session:
        session.get(Activity, activity_id).status = status


def make_training(
    db: Database, actor: Actor, volunteer_ids: Sequence[int], *, kind: str = "pre_service",
    attendance: str | None = "present", starts_at: datetime | None = None, hours: int = 2, status: str = "held",
    topic: str = "义诊岗前培训",
) -> int:
    """A training session with these volunteers enrolled (and their attendance, once held)."""
    starts_at = starts_at or at(date.today() - timedelta(days=10), 14)
    with db.session() as session:
        training = TrainingSession(
            station_id=actor.station_id, kind=kind, topic=topic, trainer="王医生", place="服务站会议室",
            starts_at=starts_at, ends_at=starts_at + timedelta(hours=hours), credit_minutes=hours * 60, capacity=30,
            status=status, created_by_id=actor.user_id,
        )
        session.add(training)
        session.flush()
        for vid in volunteer_ids:
            session.add(TrainingEnrolment(
                session_id=training.id, volunteer_id=vid, enrolled_by_id=actor.user_id, attendance=attendance,
                credited_minutes=hours * 60 if attendance in ("present", "late") else 0,
            ))
        return training.id


def add_assignment(
    db: Database, activity_id: int, shift_id: int, volunteer_id: int, *, role: str = "member", status: str = "assigned"
) -> int:
    """An assignment row as it was made at the time (past shifts cannot be assigned through the service)."""
    from station_app.models import Assignment

    with db.session() as session:
        shift = session.get(Shift, shift_id)
        row = Assignment(shift_id=shift_id, activity_id=activity_id, volunteer_id=volunteer_id, role=role,
                         status=status, starts_at=shift.starts_at, ends_at=shift.ends_at)
        session.add(row)
        session.flush()
        return row.id
