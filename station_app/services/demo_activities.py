"""Activity demo data: two months of a station's schedule (§三.4).

Past activities that were held (已完成) with volunteers on their shifts and a few needs they
met; one cancelled by a typhoon warning; this month's planned ones, some already staffed; a
weekly 社区巡逻 series; a monthly 健康义诊 series that needs 岗前培训 (staffed only with volunteers
who attended it); “我们的节日” visits from the festival templates; partner teams (school,
hospital, enterprise, social organisation) where the station has them.

Everything goes through the services the screens use, each step told the moment it would
have happened (``now``); afterwards the creation and assignment timestamps are moved to those
moments. The plan is data, in ``resources/data/demo_activities.json``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..errors import StationError
from ..models import Activity, Assignment, KeyGroup, Need, ServiceItem, Team, Volunteer
from ..resources import load_json
from . import activities as svc
from .assignments import assign_volunteer, check_assignment
from .auth import Actor
from .needs import NeedStatus, change_need_status
from .volunteers import Status

MAX_TRIES_PER_PLACE = 6  # candidates looked at per free place before giving up on it
# What a clerk writes when going ahead despite a warning, by the warning.
OVERRIDE_REASONS = {
    "outside_availability": "电话确认过，本人这次可以参加",
    "missing_skill": "做现场秩序和引导，不需要专业技能",
    "training_overlap": "本人说明这次培训改参加下一期",
    "lead_not_backbone": "参加过多次同类活动，熟悉流程，由社工指定带队",
}


@dataclass(frozen=True)
class ActivityDemo:
    activity_ids: list[int] = field(default_factory=list)
    done_ids: list[int] = field(default_factory=list)
    series_ids: list[int] = field(default_factory=list)  # ActivitySeries ids
    festival_ids: list[int] = field(default_factory=list)


def _on_weekday(day: date, weekday: int | None, direction: int) -> date:
    """``day`` moved back (-1) or forward (+1) to the nearest ``weekday`` (0 = Monday); as it is if None."""
    if weekday is None:
        return day
    return day + timedelta(days=((weekday - day.weekday()) % 7) if direction > 0 else -((day.weekday() - weekday) % 7))


def _hm(text: str) -> time:
    hour, minute = (int(p) for p in text.split(":"))
    return time(hour, minute)


class _Builder:
    def __init__(self, session: Session, actor: Actor, rng: random.Random, today: date,
                 prefer: Sequence[int], trained: Sequence[int]) -> None:
        self.session, self.actor, self.rng, self.today = session, actor, rng, today
        self.now = datetime.combine(today, time(8, 0))
        self.spec = load_json("demo_activities.json")
        self.items = dict(session.execute(
            select(ServiceItem.name, ServiceItem.id).where(ServiceItem.station_id == actor.station_id,
                                                           ServiceItem.active.is_(True))
        ).all())
        self.partners: dict[str, int] = {}
        for team_id, org_type in session.execute(
            select(Team.id, Team.org_type).where(Team.station_id == actor.station_id, Team.kind == "visiting",
                                                 Team.active.is_(True)).order_by(Team.id)
        ):
            self.partners.setdefault(org_type, team_id)
        self.volunteers = list(session.scalars(
            select(Volunteer.id).where(Volunteer.station_id == actor.station_id,
                                       Volunteer.status == Status.REGISTERED.value).order_by(Volunteer.id)
        ))
        registered = set(self.volunteers)
        self.prefer = [v for v in prefer if v in registered]
        self.trained = list(trained)
        self.moments: list[tuple[int, datetime]] = []  # (activity id, when it was created)
        self.assigned_moments: list[tuple[int, datetime]] = []  # (activity id, when it was staffed)
        self.lead_workers = self.spec["social_workers"]

    # --- one activity ---------------------------------------------------------------------------
    def input(self, entry: dict, day: date, *, need_ids: Sequence[int] = ()) -> svc.ActivityInput:
        starts_at = datetime.combine(day, _hm(entry["start"]))
        shifts = [
            svc.ShiftInput(starts_at + timedelta(minutes=begin), starts_at + timedelta(minutes=end), capacity, label)
            for label, begin, end, capacity in entry["shifts"]
        ]
        partner = entry.get("partner") or ""
        return svc.ActivityInput(
            title=entry["title"], starts_at=starts_at, ends_at=starts_at + timedelta(minutes=entry["minutes"]),
            place=entry["place"], service_item_id=self.items.get(entry["item"]), category="help",
            description=entry.get("description", ""), shifts=shifts,
            lead_social_worker=self.rng.choice(self.lead_workers), partner_team_id=self.partners.get(partner),
            need_ids=list(need_ids),
        )

    def unmet_needs(self, item_name: str | None, limit: int) -> list[int]:
        item_id = self.items.get(item_name or "")
        if item_id is None:
            return []
        ids = list(self.session.scalars(
            select(Need.id).where(Need.station_id == self.actor.station_id, Need.service_item_id == item_id,
                                  Need.status.in_([NeedStatus.PENDING_ASSESSMENT.value, NeedStatus.PENDING_MATCH.value]))
            .order_by(Need.raised_on, Need.id)
        ))
        return ids[:limit]

    def staff(self, activity_id: int, now: datetime, fill: float, pool: Sequence[int] | None = None) -> int:
        """Put volunteers on each shift (a lead first where a backbone fits), as a clerk checking each one."""
        detail = svc.get_activity(self.session, self.actor, activity_id)
        pool = list(pool if pool is not None else self.volunteers)
        if not pool:
            return 0
        placed = 0
        in_pool = set(pool)
        for shift in detail.shifts:
            wanted = max(1, round(shift.capacity * fill)) if fill > 0 else 0
            favourites = [v for v in self.prefer if v in in_pool]
            chosen_first = set(favourites)
            others = [v for v in pool if v not in chosen_first]
            self.rng.shuffle(favourites)
            self.rng.shuffle(others)
            candidates = favourites + others
            tries = 0
            on_shift = 0
            for volunteer_id in candidates:
                if on_shift >= wanted or tries >= wanted * MAX_TRIES_PER_PLACE:
                    break
                tries += 1
                role = "lead" if on_shift == 0 and volunteer_id in self.prefer else "member"
                problems = check_assignment(self.session, self.actor, shift.id, volunteer_id, role=role, now=now)
                if any(p.hard for p in problems) or (problems and self.rng.random() < 0.7):
                    continue
                try:
                    assign_volunteer(self.session, self.actor, shift.id, volunteer_id, role=role,
                                     override_reason="；".join(OVERRIDE_REASONS[p.code] for p in problems), now=now)
                except StationError:
                    continue
                on_shift += 1
                placed += 1
        if placed:
            self.assigned_moments.append((activity_id, now))
        return placed

    # --- the story --------------------------------------------------------------------------------
    def past(self, done_ids: list[int]) -> list[int]:
        ids = []
        for entry in self.spec["past"]:
            day = _on_weekday(self.today - timedelta(days=entry["days_ago"]), entry.get("weekday"), -1)
            created = datetime.combine(day - timedelta(days=self.rng.randint(6, 12)), time(10, 0))
            needs = self.unmet_needs(entry.get("need_item"), 2)
            activity_id = svc.create_activity(self.session, self.actor, self.input(entry, day, need_ids=needs),
                                              now=created)
            self.moments.append((activity_id, created))
            self.staff(activity_id, created + timedelta(days=2), fill=1.0)
            starts_at = datetime.combine(day, _hm(entry["start"]))
            svc.set_status(self.session, self.actor, activity_id, "in_progress", now=starts_at)
            svc.set_status(self.session, self.actor, activity_id, "done",
                           now=starts_at + timedelta(minutes=entry["minutes"] + 15))
            for need_id in needs:
                change_need_status(self.session, self.actor, need_id, NeedStatus.DONE, "活动中已上门服务")
            ids.append(activity_id)
            done_ids.append(activity_id)
        entry = self.spec["cancelled"]
        day = _on_weekday(self.today - timedelta(days=entry["days_ago"]), entry.get("weekday"), -1)
        created = datetime.combine(day - timedelta(days=14), time(10, 0))
        activity_id = svc.create_activity(self.session, self.actor, self.input(entry, day), now=created)
        self.moments.append((activity_id, created))
        self.staff(activity_id, created + timedelta(days=3), fill=0.5)
        svc.set_status(self.session, self.actor, activity_id, "cancelled", entry["reason"],
                       now=datetime.combine(day - timedelta(days=1), time(16, 0)))
        ids.append(activity_id)
        return ids

    def past_patrol(self, done_ids: list[int]) -> list[int]:
        """The weekly patrol has run every Saturday for months, its regulars (the keen volunteers) on it."""
        entry = self.spec["patrol"]
        last = _on_weekday(self.today - timedelta(days=1), entry["weekday"], -1)
        first = last - timedelta(weeks=entry["past_weeks"] - 1)
        created = datetime.combine(first - timedelta(days=7), time(10, 0))
        rule = svc.RecurrenceRule("weekly", first, last, weekdays=(entry["weekday"],))
        ids = svc.create_series(self.session, self.actor, self.input(entry, first), rule, now=created)
        for activity_id in ids:
            self.moments.append((activity_id, created))
            starts_at = svc.get_activity(self.session, self.actor, activity_id).starts_at
            self.staff(activity_id, starts_at - timedelta(days=2), fill=1.0)
            svc.set_status(self.session, self.actor, activity_id, "in_progress", now=starts_at)
            svc.set_status(self.session, self.actor, activity_id, "done",
                           now=starts_at + timedelta(minutes=entry["minutes"] + 15))
            done_ids.append(activity_id)
        return ids

    def planned(self) -> list[int]:
        ids = []
        for entry in self.spec["planned"]:
            day = _on_weekday(self.today + timedelta(days=entry["in_days"]), entry.get("weekday"), 1)
            created = self.now - timedelta(days=self.rng.randint(1, 5))
            needs = self.unmet_needs(entry.get("need_item"), 3)
            activity_id = svc.create_activity(self.session, self.actor, self.input(entry, day, need_ids=needs),
                                              now=created)
            self.moments.append((activity_id, created))
            if entry.get("assign"):
                self.staff(activity_id, self.now, fill=0.6)
            ids.append(activity_id)
        return ids

    def patrol(self) -> tuple[int | None, list[int]]:
        entry = self.spec["patrol"]
        first = self.today + timedelta(days=1)
        first += timedelta(days=(entry["weekday"] - first.weekday()) % 7)
        rule = svc.RecurrenceRule("weekly", first, first + timedelta(weeks=entry["weeks"] - 1),
                                  weekdays=(entry["weekday"],))
        ids = svc.create_series(self.session, self.actor, self.input(entry, first), rule, now=self.now)
        for activity_id in ids[:2]:  # the next two Saturdays already have their patrollers
            self.staff(activity_id, self.now, fill=1.0)
        return self._series_of(ids[0]), ids

    def clinic(self) -> tuple[int | None, list[int]]:
        entry = self.spec["clinic"]
        day = self.today.replace(day=min(entry["month_day"], 28))
        if day <= self.today:
            day = (day.replace(day=1) + timedelta(days=32)).replace(day=entry["month_day"])
        last = day
        for _n in range(entry["months"] - 1):
            last = (last.replace(day=1) + timedelta(days=32)).replace(day=min(entry["month_day"], 28))
        rule = svc.RecurrenceRule("monthly", day, last, month_day=entry["month_day"])
        data = self.input(entry, day, need_ids=self.unmet_needs(entry.get("need_item"), 3))
        ids = svc.create_series(self.session, self.actor, data, rule, now=self.now)
        if self.trained:
            self.staff(ids[0], self.now, fill=0.5, pool=self.trained)  # only volunteers who had 岗前培训
        return self._series_of(ids[0]), ids

    def festivals(self) -> list[int]:
        groups = dict(self.session.execute(
            select(KeyGroup.name, KeyGroup.id).where(KeyGroup.station_id == self.actor.station_id)
        ).all())
        ids = []
        for festival, group in self.spec["festivals"]:
            if group not in groups:
                continue
            try:
                activity_id = svc.create_festival_activity(self.session, self.actor, festival, groups[group],
                                                           today=self.today, now=self.now)
            except StationError:  # no recipients in that group on this station
                continue
            ids.append(activity_id)
        return ids

    def _series_of(self, activity_id: int) -> int | None:
        return self.session.scalar(select(Activity.series_id).where(Activity.id == activity_id))

    def move_timestamps(self) -> None:
        """Creation and staffing happened when the story says, not when the demo ran."""
        for activity_id, created in self.moments:
            self.session.execute(update(Activity).where(Activity.id == activity_id)
                                 .values(created_at=created.astimezone(), updated_at=created.astimezone()))
        for activity_id, staffed in self.assigned_moments:
            self.session.execute(update(Assignment).where(Assignment.activity_id == activity_id)
                                 .values(assigned_at=staffed.astimezone()))


def build_activity_demo(
    session: Session, actor: Actor, rng: random.Random, today: date, *,
    prefer: Sequence[int] = (), trained: Sequence[int] = (),
) -> ActivityDemo:
    """Add the activity schedule to a demo station (inside the demo's unit of work).

    ``actor`` needs EDIT_SCHEDULE and EDIT_DEMAND (the clerk or the administrator). ``prefer``:
    volunteers to staff first (the training demo's keen ones, so they grow into backbone
    candidates); ``trained``: who attended 岗前培训 (the only ones the 健康义诊 clinic may take).
    """
    b = _Builder(session, actor, rng, today, prefer, trained)
    done: list[int] = []
    ids = b.past(done)
    ids += b.past_patrol(done)
    ids += b.planned()
    patrol_series, patrol_ids = b.patrol()
    clinic_series, clinic_ids = b.clinic()
    festival_ids = b.festivals()
    b.move_timestamps()
    return ActivityDemo(
        activity_ids=ids + patrol_ids + clinic_ids + festival_ids,
        done_ids=done,
        series_ids=[s for s in (patrol_series, clinic_series) if s is not None],
        festival_ids=festival_ids,
    )
