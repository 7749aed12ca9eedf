"""Service-ledger demo data: hours, star levels, honours, the time bank and a signed checkpoint.

The station's service history as staff would have entered it, in the order it happened:

- everyday help outside activities (业主互助: 敬老助老陪伴, 楼道保洁, 服务站值班, 四点半课堂 …) by a
  core of volunteers since they registered, so that at 300 volunteers about 25 have reached one
  star, 8 two, 3 three and one four stars (the story keeps that size for bigger demos);
- the hours of the finished activities (the Saturday patrol and the others): most present, some
  late, a few absent, a walk-in or two;
- quarterly star confirmations (认定) of whoever the 新达星级 list shows, the last one a few weeks
  ago, so that about five volunteers who crossed a threshold since are still waiting;
- entries over the day's approval limit (waiting, approved, rejected and entered again),
  corrections (approved, waiting, one record voided) and a correction that takes a confirmed
  one-star volunteer below 100 hours, so 待复核 has one award;
- last year's honours, a dozen time-bank redemptions and one reversal;
- a checkpoint signed with the administrator's key at the end.

Every row goes through the services the screens use (``ledger``, ``stars``, ``honours``,
``timebank``, ``chain``), so every rule is checked and every link is chained. The plan is made
first (who serves when, how long), then carried out in time order with each service told the
moment it happened (``now`` / ``on`` / ``today``). Deterministic for a given ``random.Random``
and ``today``.
"""

from __future__ import annotations

import math
import random
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import (
    Activity,
    Assignment,
    Community,
    KeyGroup,
    Project,
    Recipient,
    ServiceItem,
    Shift,
    Skill,
    Station,
    Team,
    Volunteer,
    recipient_key_groups,
    volunteer_skills,
)
from . import chain, honours, ledger, stars, timebank
from .activities import ActivityStatus
from .auth import Actor
from .hours import QUARTER, STAR_THRESHOLDS, hours_text, star_level
from .volunteers import Status

HOUR = 60
# The core's size at 300 volunteers (about 230 registered); smaller demos get proportionally fewer.
FULL_STORY_REGISTERED = 230
# How many volunteers of each kind, and their counted hours (total, activities included).
TIERS: tuple[tuple[str, int, tuple[float, float], float], ...] = (
    # name, count, (lowest, highest) hours, years registered at least
    ("four", 1, (1010, 1080), 3.2),
    ("three", 2, (610, 720), 2.6),
    ("two", 4, (310, 460), 2.0),
    ("one", 12, (112, 230), 1.1),
    ("light", 25, (3, 40), 0.15),
)
NEWLY_ELIGIBLE = ((STAR_THRESHOLDS[1], 2.2), (STAR_THRESHOLDS[0], 1.0), (STAR_THRESHOLDS[0], 1.0),
                  (STAR_THRESHOLDS[0], 1.0), (STAR_THRESHOLDS[0], 1.0))  # (threshold crossed lately, years)
# Hours a year someone can keep up, by stage of life.
MAX_HOURS_A_YEAR = {"retiree": 320, "worker": 160, "student": 80}
LIGHT_CAP = 95 * HOUR  # light volunteers stay below one star, activities included
ROUND_MONTHS = (1, 4, 7, 10)  # star confirmations on the 10th of these months
LAST_ROUND_AT_LEAST_DAYS_AGO = 14
ENTRY_DELAY_DAYS = 9  # a week's sheets are entered the Monday after: done this many days before a round, counted at it

# Everyday help from the menu: durations (minutes), where, whom (a key group), the skill it needs.
EVERYDAY: dict[str, tuple[tuple[int, ...], str, str, str]] = {
    "敬老助老陪伴": ((90, 120, 150), "home", "空巢老人", ""),
    "生活照顾": ((120, 150, 180), "home", "空巢老人", ""),
    "义务保洁": ((90, 120, 150), "stairwell", "", ""),
    "文明督导": ((90, 120), "sorting", "", ""),
    "信息咨询": ((180, 210, 240), "duty", "", ""),
    "代交水电费": ((60, 75), "office", "空巢老人", ""),
    "社区巡逻": ((120,), "patrol", "", ""),
    "学业辅导": ((90, 120), "classroom", "留守儿童", "教学辅导"),
    "维修家电": ((60, 90, 120), "anyhome", "", "家电维修"),
    "医疗护理帮扶": ((90, 120), "home", "空巢老人", "医疗护理"),
    "理发": ((90, 120, 150), "room", "空巢老人", "理发"),
    "心理健康辅导": ((60, 90), "room", "", "心理咨询"),
    "邻里矛盾调解": ((90, 120), "room", "", "法律咨询"),
    "群众文艺团队": ((120, 150), "garden", "", "文艺表演"),
    "托养照护": ((180, 240), "daycare", "残疾人", "医疗护理"),
}
PLACES = {
    "duty": "康华花园志愿服务站值班室",
    "office": "小区物业服务中心",
    "patrol": "小区东门至地下车库",
    "classroom": "社区活动室（四点半课堂）",
    "room": "服务站活动室",
    "garden": "小区中心花园",
    "daycare": "仁厚社区日间照料中心",
}
BUILDINGS = 18
EVALUATIONS = (("good", 0.60), ("excellent", 0.33), ("pass", 0.07))
NOTES = {
    "excellent": ("耐心细致，老人很满意", "主动帮老人提菜上楼", "带新志愿者熟悉流程", "发现楼道杂物堵塞消防通道，及时报物业清理",
                  "服务对象家属来电致谢"),
    "good": ("按时到岗，服务认真", "和服务对象沟通顺畅"),
    "pass": ("中途接电话离开约十分钟",),
}
LATE_MINUTES = (15, 20, 30, 40)
SHARE_LATE, SHARE_ABSENT = 0.07, 0.04
WALK_INS = 2
# Days over the approval limit: (menu item, start, end, note); the first three are left waiting.
LONG_DAYS = (
    ("生活照顾", time(8, 30), time(18, 0), "独居老人搬家，帮忙打包、搬运和整理新居"),
    ("托养照护", time(8, 0), time(17, 30), "日间照料中心护理员请假，全天顶岗照护"),
    ("生活照顾", time(7, 30), time(18, 0), "台风过后帮独居老人清理进水的房间"),
    ("医疗护理帮扶", time(8, 0), time(18, 30), "老人突发肺炎住院，子女在外地，全天在医院陪护"),
    ("医疗护理帮扶", time(8, 0), time(19, 0), "陪同行动不便的老人到市人民医院复查"),
)
APPROVE_NOTE = "核实属实：医院陪护记录和家属证明已收，同意计入"
REJECT_NOTE = "签到表显示当天 14:00 已离开，请按实际服务时间重新录入"
# Time-bank redemptions: menu item → who provides it.
PROVIDERS = {
    "理发": "康华理发店",
    "维修家电": "康华物业员工志愿服务队",
    "家政服务": "助老服务队",
    "生活照顾": "助老服务队",
    "医疗护理帮扶": "中山市人民医院医疗志愿服务队",
    "免费体检": "中山市人民医院医疗志愿服务队",
    "心理健康辅导": "康乐社工志愿服务队",
    "学业辅导": "中山纪念中学青年志愿者服务队",
    "代送快递": "业主志愿服务队",
    "法律援助咨询": "社区咨询服务组",
}
REDEMPTIONS = 12
REVERSAL_REASON = "康华理发店当天临时停业，服务未提供，退回时长"
REDEEM_NOTES = {"学业辅导": ("为孩子兑换", "为孙子兑换"), "理发": ("本人兑换", "为家中老人兑换")}
REDEEM_NOTE = ("本人兑换", "为家中老人兑换", "")
VOLUNTEER_DAY = (12, 5)  # 国际志愿者日: last year's honours are given then
HONOUR_TEAM = "社区巡逻队"
PROJECT_HONOUR_AFTER_DAYS = 35


# --- the plan ------------------------------------------------------------------------------------
@dataclass
class _Person:
    id: int
    name: str
    registered_on: date
    profile: str  # retiree / worker / student
    backbone: bool
    skills: frozenset[str]


@dataclass
class _Single:
    """A planned single record (service outside an activity)."""

    volunteer_id: int
    item: str
    starts_at: datetime
    ends_at: datetime
    place: str
    recipient_id: int | None
    served_person: str
    evaluation: str
    note: str

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


@dataclass
class _Plan:
    people: dict[int, _Person]
    busy: dict[int, set[date]] = field(default_factory=lambda: defaultdict(set))
    # (service day, minutes) of everything counted, per volunteer, to steer totals and choose people.
    served: dict[int, list[tuple[date, int]]] = field(default_factory=lambda: defaultdict(list))
    singles: list[_Single] = field(default_factory=list)
    taken: set[int] = field(default_factory=set)  # volunteers given a role in the story

    def minutes(self, volunteer_id: int, *, until: date | None = None, since: date | None = None) -> int:
        return sum(m for d, m in self.served[volunteer_id]
                   if (until is None or d <= until) and (since is None or d >= since))

    def add(self, single: _Single) -> None:
        self.singles.append(single)
        self.busy[single.volunteer_id].add(single.starts_at.date())
        self.served[single.volunteer_id].append((single.starts_at.date(), single.minutes))


def _profile(birth: date, today: date) -> str:
    age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return "student" if age < 23 else "worker" if age < 55 else "retiree"


def _quarter_up(minutes: float) -> int:
    return int(math.ceil(minutes / QUARTER)) * QUARTER


def _pick_weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    r, total = rng.random() * sum(w for _v, w in pairs), 0.0
    for value, weight in pairs:
        total += weight
        if r < total:
            return value
    return pairs[-1][0]


class _Story:
    """Plans the ledger demo, then carries it out through the services in time order."""

    def __init__(self, session: Session, admin: Actor, clerk: Actor, rng: random.Random, today: date,
                 password: str) -> None:
        self.session, self.admin, self.clerk, self.rng, self.today = session, admin, clerk, rng, today
        self.password = password
        self.now = datetime.combine(today, time(8, 0))  # the build happens before office hours
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        station_id = admin.station_id
        self.items = dict(session.execute(
            select(ServiceItem.name, ServiceItem.id).where(ServiceItem.station_id == station_id,
                                                           ServiceItem.active.is_(True))
        ).all())
        skills: dict[int, set[str]] = defaultdict(set)
        for vid, name in session.execute(
            select(volunteer_skills.c.volunteer_id, Skill.name).join(Skill, Skill.id == volunteer_skills.c.skill_id)
        ):
            skills[vid].add(name)
        people = {
            vid: _Person(vid, name, registered_on, _profile(birth, today), backbone, frozenset(skills[vid]))
            for vid, name, registered_on, birth, backbone in session.execute(
                select(Volunteer.id, Volunteer.name, Volunteer.registered_on, Volunteer.birth_date, Volunteer.is_backbone)
                .where(Volunteer.station_id == station_id, Volunteer.status == Status.REGISTERED.value,
                       Volunteer.registered_on.is_not(None), Volunteer.registered_on < today)
                .order_by(Volunteer.id)
            )
        }
        self.plan = _Plan(people)
        # Who is asked first for a part in the story: backbone volunteers, then (for the core) retirees.
        luck = {vid: rng.random() for vid in people}
        self.by_preference = {
            retiree_first: sorted(people.values(), key=lambda p, rf=retiree_first: (
                not p.backbone, rf and p.profile != "retiree", luck[p.id], p.id))
            for retiree_first in (True, False)
        }
        self.scale = min(1.0, len(people) / FULL_STORY_REGISTERED)
        self.recipients: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for rid, name, building, unit, room, group in session.execute(
            select(Recipient.id, Recipient.name, Recipient.building, Recipient.unit, Recipient.room, KeyGroup.name)
            .join(recipient_key_groups, recipient_key_groups.c.recipient_id == Recipient.id)
            .join(KeyGroup, KeyGroup.id == recipient_key_groups.c.key_group_id)
            .where(Recipient.station_id == station_id, Recipient.active.is_(True))
            .order_by(Recipient.id, KeyGroup.id)
        ):
            self.recipients[group].append((rid, name, f"{building}{unit}{room}"))
        rounds = [date(y, m, 10) for y in range(today.year - 5, today.year + 1) for m in ROUND_MONTHS]
        self.rounds = [d for d in rounds if d <= today - timedelta(days=LAST_ROUND_AT_LEAST_DAYS_AGO)]
        self.last_round = self.rounds[-1]
        self.activity_records: dict[int, list[tuple[int, int | None, datetime, datetime, int]]] = {}
        self.special: dict[str, int] = {}  # role in the story → volunteer id

    def count(self, full: int) -> int:
        return int(round(full * self.scale))

    def at(self, moment: datetime, action: Callable[[], None]) -> None:
        self.events.append((min(moment, self.now), len(self.events), action))

    # --- where, whom, when -------------------------------------------------------------------------
    def where(self, item: str) -> tuple[str, int | None, str]:
        """(place, recipient id, person served) for a single record of ``item``."""
        _durations, kind, group, _skill = EVERYDAY[item]
        rng = self.rng
        if group and self.recipients.get(group) and kind in ("home", "room", "office", "classroom", "daycare"):
            rid, name, address = rng.choice(self.recipients[group])
            place = (address or "服务对象家中") if kind == "home" else PLACES[kind]
            return place, rid, name
        if kind in ("home", "anyhome"):
            return f"{rng.randint(1, BUILDINGS)}栋{rng.randint(1, 3)}单元{rng.randint(2, 18)}{rng.randint(1, 4):02d}", None, ""
        if kind == "stairwell":
            return f"{rng.randint(1, BUILDINGS)}栋{rng.randint(1, 3)}单元楼道", None, ""
        if kind == "sorting":
            return f"{rng.randint(1, BUILDINGS)}栋垃圾分类投放点", None, ""
        return PLACES[kind], None, ""

    def habits(self, person: _Person) -> list[str]:
        """The two to four kinds of help someone keeps doing: everyday ones and what their skills allow."""
        rng = self.rng
        general = [i for i, (_d, _k, _g, skill) in EVERYDAY.items() if not skill and i in self.items]
        skilled = [i for i, (_d, _k, _g, skill) in EVERYDAY.items() if skill in person.skills and i in self.items]
        if person.profile == "student":
            general = [i for i in general if i not in ("信息咨询", "代交水电费")]
        chosen = rng.sample(general, k=min(len(general), rng.randint(1, 2))) + skilled[:2]
        duty = "信息咨询"  # half a day on the station's duty roster: what the core's retirees do most
        core = person.id in self.plan.taken and self.tier.get(person.id) != "light"
        if person.profile == "retiree" and duty in general and (core or rng.random() < 0.3):
            chosen = [duty] + [i for i in chosen if i != duty]
        return chosen or general[:1]

    def start_time(self, person: _Person, day: date, item: str, minutes: int) -> time:
        weekend = day.weekday() >= 5
        if item == "学业辅导" and not weekend:
            return time(16, 30) if person.profile == "retiree" else time(19, 0)
        if person.profile != "retiree" and not weekend:
            return time(19, 0)
        if minutes >= 180:
            return self.rng.choice((time(8, 30), time(9, 0), time(14, 0)))
        return self.rng.choice((time(8, 30), time(9, 0), time(9, 30), time(14, 30), time(15, 0)))

    def day_weight(self, person: _Person, day: date) -> float:
        weekend = day.weekday() >= 5
        if person.profile == "retiree":
            return 0.6 if weekend else 1.0
        if person.profile == "worker":
            return 1.0 if weekend else 0.3
        return 1.0 if weekend else 0.08

    def free_days(self, person: _Person, first: date, last: date, n: int) -> list[date]:
        """``n`` days between ``first`` and ``last`` the volunteer has nothing else on, spread by habit."""
        rng, busy = self.rng, self.plan.busy[person.id]
        keyed = []
        day = first
        while day <= last:
            if day not in busy:
                keyed.append((rng.random() ** (1.0 / self.day_weight(person, day)), day))
            day += timedelta(days=1)
        keyed.sort(reverse=True)
        return sorted(d for _k, d in keyed[:n])

    # --- planning single records ---------------------------------------------------------------------
    def sessions(self, person: _Person, minutes: int) -> list[tuple[str, int]]:
        """(item, minutes) adding up to ``minutes`` (within 45 minutes over), in the person's habits."""
        rng = self.rng
        habits = self.habits(person)
        cap = 150 if person.profile != "retiree" else 240
        out: list[tuple[str, int]] = []
        left = minutes
        while left > 0:
            item = habits[0] if rng.random() < 0.5 else rng.choice(habits)
            length = min(rng.choice(EVERYDAY[item][0]), cap)
            if left <= length:
                length = max(HOUR, _quarter_up(left))
            out.append((item, length))
            left -= length
        return out

    def plan_singles(self, person: _Person, minutes: int, first: date, last: date) -> int:
        """Plan single records adding about ``minutes`` between two days; returns the minutes planned."""
        if minutes <= 0 or first > last:
            return 0
        sessions = self.sessions(person, minutes)
        days = self.free_days(person, first, last, len(sessions))
        self.rng.shuffle(sessions)
        planned = 0
        for day, (item, length) in zip(days, sessions, strict=False):
            starts_at = datetime.combine(day, self.start_time(person, day, item, length))
            place, recipient_id, served = self.where(item)
            evaluation = _pick_weighted(self.rng, EVALUATIONS)
            note = self.rng.choice(NOTES[evaluation]) if self.rng.random() < 0.08 else ""
            self.plan.add(_Single(person.id, item, starts_at, starts_at + timedelta(minutes=length), place,
                                  recipient_id, served, evaluation, note))
            planned += length
        return planned

    def first_day(self, person: _Person) -> date:
        return person.registered_on + timedelta(days=self.rng.randint(3, 20))

    # --- activities ----------------------------------------------------------------------------------
    def plan_activities(self) -> None:
        """Attendance at every finished activity, walk-ins included; their time is taken first."""
        rng, plan = self.rng, self.plan
        rows = self.session.execute(
            select(Activity.id, Activity.starts_at, Activity.ends_at, Activity.title, Assignment.id,
                   Assignment.volunteer_id, Shift.starts_at, Shift.ends_at)
            .join(Assignment, Assignment.activity_id == Activity.id)
            .join(Shift, Shift.id == Assignment.shift_id)
            .where(Activity.station_id == self.admin.station_id, Activity.status == ActivityStatus.DONE.value,
                   Assignment.status == "assigned", Activity.ends_at <= self.now)
            .order_by(Activity.starts_at, Activity.id, Shift.starts_at, Assignment.id)
        ).all()
        by_activity: dict[int, list] = defaultdict(list)
        spans: dict[int, tuple[datetime, datetime, str]] = {}
        for aid, a_start, a_end, title, asg_id, vid, s_start, s_end in rows:
            spans[aid] = (a_start, a_end, title)
            person = plan.people.get(vid)
            if person is None or person.registered_on > s_start.date():
                continue  # not registered then (or no longer): the sheet leaves them out
            by_activity[aid].append((asg_id, vid, s_start, s_end))
        for aid, lines in by_activity.items():
            planned: list[ledger.EntryLine] = []
            for asg_id, vid, s_start, s_end in lines:
                r = rng.random()
                attendance = "absent" if r < SHARE_ABSENT else "late" if r < SHARE_ABSENT + SHARE_LATE else "present"
                starts_at = s_start
                if attendance == "late":
                    starts_at = s_start + timedelta(minutes=rng.choice(LATE_MINUTES))
                    if ledger.default_minutes(starts_at, s_end) <= 0:
                        attendance, starts_at = "present", s_start
                late = int((starts_at - s_start).total_seconds() // 60)
                note = f"迟到 {late} 分钟，按实际到场时间计" if late else ""
                planned.append(self.entry_line(vid, asg_id, attendance, starts_at, s_end, note))
            if all(p.attendance == "absent" for p in planned):
                planned[0].attendance = "present"
            self.activity_records[aid] = []
            for line in planned:
                self.take_activity_time(aid, line, line.starts_at, line.ends_at)
            self.schedule_activity(aid, spans[aid][1], planned)
        self.plan_walk_ins(spans, by_activity)

    def entry_line(self, vid: int, asg_id: int | None, attendance: str, starts_at: datetime,
                   ends_at: datetime, note: str = "") -> ledger.EntryLine:
        evaluation = "pass" if note else _pick_weighted(self.rng, EVALUATIONS)
        if not note and self.rng.random() < 0.1:
            note = self.rng.choice(NOTES[evaluation])
        return ledger.EntryLine(vid, asg_id, attendance, starts_at, ends_at, None, evaluation, note)

    def take_activity_time(self, aid: int, line: ledger.EntryLine, starts_at: datetime, ends_at: datetime) -> None:
        if line.attendance == "absent":
            return
        minutes = ledger.default_minutes(starts_at, ends_at)
        self.plan.busy[line.volunteer_id].add(starts_at.date())
        self.plan.served[line.volunteer_id].append((starts_at.date(), minutes))
        self.activity_records[aid].append((line.volunteer_id, line.assignment_id, starts_at, ends_at, minutes))

    def plan_walk_ins(self, spans: dict[int, tuple[datetime, datetime, str]], by_activity: dict[int, list]) -> None:
        """A neighbour or two who came along without being on the schedule (not the weekly patrol)."""
        titles = {}
        for aid, (_s, _e, title) in spans.items():
            titles.setdefault(title, aid)
        candidates = [aid for title, aid in titles.items() if "巡逻" not in title and aid in by_activity]
        for aid in self.rng.sample(candidates, k=min(WALK_INS, len(candidates))):
            a_start, a_end, _title = spans[aid]
            assigned = {vid for _a, vid, _s, _e in by_activity[aid]}
            people = [p for p in self.plan.people.values()
                      if p.id not in assigned and p.registered_on <= a_start.date() - timedelta(days=30)
                      and a_start.date() not in self.plan.busy[p.id]]
            if not people:
                continue
            person = self.rng.choice(people)
            line = self.entry_line(person.id, None, "present", a_start, a_end, "临时参加，现场签到")
            line.evaluation = "good"
            self.take_activity_time(aid, line, a_start, a_end)
            self.walk_ins.setdefault(aid, []).append(line)

    def schedule_activity(self, aid: int, ends_at: datetime, lines: list[ledger.EntryLine]) -> None:
        moment = datetime.combine(ends_at.date() + timedelta(days=1), time(10, 0))

        def record() -> None:
            ledger.record_activity_hours(self.session, self.clerk, aid, lines + self.walk_ins.get(aid, []),
                                         now=max(min(moment, self.now), ends_at))

        self.at(moment, record)

    # --- who plays which part ------------------------------------------------------------------------
    def candidates(self, years: float, *, retiree_first: bool) -> Iterator[_Person]:
        """Registered long enough and not yet in the story; backbone (and retirees) first."""
        since = self.today - timedelta(days=int(years * 365.25))
        order = self.by_preference[retiree_first]
        return (p for p in order if p.id not in self.plan.taken and p.registered_on <= since)

    def capacity(self, person: _Person, first: date, last: date) -> int:
        return int(MAX_HOURS_A_YEAR[person.profile] * HOUR * max(0, (last - first).days) / 365.25)

    def plan_tiers(self) -> None:
        end = self.today - timedelta(days=1)
        for name, full, (low, high), years in TIERS:
            wanted = self.count(full)
            if name == "four" and self.scale >= 0.5:
                wanted = 1
            for person in self.candidates(years, retiree_first=name != "light"):
                if wanted <= 0:
                    break
                first = self.first_day(person)
                already = self.plan.minutes(person.id)
                ceiling = min(high * HOUR, self.capacity(person, first, end) + already)
                if name == "light":
                    ceiling = min(ceiling, LIGHT_CAP)
                if ceiling < low * HOUR or already > ceiling:
                    continue
                target = self.rng.randint(int(low * HOUR), int(ceiling)) // QUARTER * QUARTER
                self.plan.taken.add(person.id)
                self.tier[person.id] = name
                self.plan_steadily(person, target, first, end)
                wanted -= 1

    def plan_steadily(self, person: _Person, target: int, first: date, end: date) -> None:
        """Single records reaching ``target`` minutes in all, spread evenly, the last star reached
        before the last confirmation round (so only the newly eligible wait on 新达星级)."""
        cutoff = self.last_round - timedelta(days=ENTRY_DELAY_DAYS)
        reached = max((t for t in STAR_THRESHOLDS if t <= target), default=0)
        if first >= cutoff:
            self.plan_singles(person, target - self.plan.minutes(person.id), first, end)
            return
        share = (cutoff - first).days / max(1, (end - first).days)
        before = min(target, max(int(target * share), reached + 2 * HOUR if reached else 0))
        self.plan_singles(person, before - self.plan.minutes(person.id, until=cutoff), first, cutoff)
        self.plan_singles(person, target - self.plan.minutes(person.id), cutoff + timedelta(days=1), end)

    def plan_newly_eligible(self) -> None:
        """Volunteers who crossed a threshold after the last confirmation round: 新达星级 shows them."""
        before = self.last_round - timedelta(days=ENTRY_DELAY_DAYS)
        after, end = self.last_round + timedelta(days=1), self.today - timedelta(days=1)
        left = self.count(len(NEWLY_ELIGIBLE))
        for threshold, years in NEWLY_ELIGIBLE:
            if left <= 0:
                break
            for person in self.candidates(years, retiree_first=True):
                first = self.first_day(person)
                already_before = self.plan.minutes(person.id, until=before)
                already_after = self.plan.minutes(person.id, since=after)
                goal_before = threshold - self.rng.randint(4, 12) * HOUR
                if already_before > goal_before - HOUR or self.capacity(person, first, before) < goal_before:
                    continue
                self.plan.taken.add(person.id)
                self.newly.add(person.id)
                done = already_before + self.plan_singles(person, goal_before - already_before - HOUR, first, before)
                goal_after = threshold + self.rng.randint(2, 10) * HOUR
                self.plan_singles(person, goal_after - done - already_after, after, end)
                left -= 1
                break

    def plan_flagged(self) -> None:
        """A one-star volunteer just over 100 hours, confirmed, whose hours a correction later lowers."""
        if len(self.rounds) < 2:
            return
        last = self.rounds[-2] - timedelta(days=ENTRY_DELAY_DAYS)
        for person in self.candidates(1.5, retiree_first=True):
            if self.plan.served[person.id] or person.profile != "retiree":
                continue  # no activities: their total is exactly what is planned here
            first = self.first_day(person)
            if self.capacity(person, first, last) < STAR_THRESHOLDS[0] + 10 * HOUR:
                continue
            self.plan.taken.add(person.id)
            self.special["flagged"] = person.id
            self.plan_singles(person, STAR_THRESHOLDS[0] + self.rng.choice((15, 30, 45)), first, last)
            return

    def plan_long_days(self) -> None:
        """Days over the approval limit, entered by the clerk: three wait, one approved, one rejected.

        Given to core volunteers whose tier leaves room for the hours an approval adds.
        """
        days_ago = (3, 6, 9, 33, 40)
        people = [self.plan.people[vid] for vid, tier in sorted(self.tier.items())
                  if tier in ("one", "two", "three", "four") and self.plan.people[vid].profile == "retiree"]
        self.rng.shuffle(people)
        long_days = []
        for (item, start, end, note), ago in zip(LONG_DAYS, days_ago, strict=True):
            day = self.today - timedelta(days=ago)
            person = next((p for p in people if day not in self.plan.busy[p.id] and p.registered_on < day), None)
            if person is None or item not in self.items:
                continue
            people.remove(person)
            self.plan.busy[person.id].add(day)
            _place, recipient_id, served = self.where(item)
            place = "中山市人民医院住院部" if item == "医疗护理帮扶" else _place
            single = _Single(person.id, item, datetime.combine(day, start), datetime.combine(day, end),
                             place, recipient_id, served, "excellent", note)
            long_days.append(single)
            self.special[f"long_day_{len(long_days)}"] = person.id
            if len(long_days) == 4:  # approved
                self.plan.served[person.id].append((day, single.minutes))
            elif len(long_days) == 5:  # rejected, then entered again until 14:00
                self.plan.served[person.id].append((day, 14 * HOUR - start.hour * HOUR - start.minute))
        self.long_days = long_days

    # --- carrying it out ---------------------------------------------------------------------------
    def single_input(self, s: _Single, *, ends_at: datetime | None = None) -> ledger.SingleInput:
        return ledger.SingleInput(
            volunteer_id=s.volunteer_id, service_item_id=self.items[s.item], place=s.place, starts_at=s.starts_at,
            ends_at=ends_at or s.ends_at, recipient_id=s.recipient_id,
            served_person="" if s.recipient_id else s.served_person, evaluation=s.evaluation,
            evaluation_note=s.note,
        )

    def schedule_singles(self) -> None:
        """The clerk enters each week's sign-in sheets on the Monday after, one batch a week."""
        self.record_ids: dict[int, int] = {}  # id(single) → record id
        weeks: dict[date, list[_Single]] = defaultdict(list)
        for single in sorted(self.plan.singles, key=lambda s: s.starts_at):
            weeks[_entered(single)].append(single)
        for moment, batch in sorted(weeks.items()):
            self.at(moment, self._record_week(batch, moment))

    def _record_week(self, batch: list[_Single], moment: datetime) -> Callable[[], None]:
        def record() -> None:
            when = min(moment, self.now)
            ids = [ledger.record_single(self.session, self.clerk, self.single_input(s), now=when) for s in batch]
            self.record_ids.update(zip((id(s) for s in batch), ids, strict=True))
        return record

    def schedule_rounds(self) -> None:
        for day in self.rounds:
            def confirm(on: date = day) -> None:
                eligible = [row.volunteer_id for row in stars.newly_eligible(self.session, self.admin)]
                if eligible:
                    stars.confirm_all(self.session, self.admin, eligible, on)
            self.at(datetime.combine(day, time(10, 0)), confirm)

    def schedule_long_days(self) -> None:
        for n, single in enumerate(self.long_days):
            entered = single.ends_at + timedelta(hours=15)

            def enter(s: _Single = single, n: int = n, at: datetime = entered) -> None:
                record_id = ledger.record_single(self.session, self.clerk, self.single_input(s), now=at)
                if n == 3:
                    ledger.decide(self.session, self.admin, record_id, True, APPROVE_NOTE, now=at + timedelta(days=1))
                elif n == 4:
                    ledger.decide(self.session, self.admin, record_id, False, REJECT_NOTE, now=at + timedelta(days=1))
                    again = _Single(s.volunteer_id, s.item, s.starts_at, s.starts_at.replace(hour=14, minute=0),
                                    s.place, s.recipient_id, s.served_person, "good", "按签到表重新录入")
                    ledger.record_single(self.session, self.clerk, self.single_input(again),
                                         now=at + timedelta(days=2))

            self.at(entered, enter)

    def schedule_corrections(self) -> None:
        """A sign-out time corrected and approved, one correction waiting, one record voided, one flagged."""
        exclude = set(self.special.values()) | self.newly
        recent = self.today - timedelta(days=12)
        singles = [s for s in self.plan.singles if s.volunteer_id not in exclude]

        def margin_ok(vid: int, minus: int) -> bool:
            total = self.plan.minutes(vid)
            return star_level(total - minus) == star_level(total)

        # Approved: an activity record whose volunteer left earlier than the shift's end.
        for aid in sorted(self.activity_records):
            options = [r for r in self.activity_records[aid] if r[4] >= 90 and margin_ok(r[0], 30)
                       and r[0] not in exclude]
            if options:
                vid, _asg, s_start, s_end, _m = options[0]
                self.special["corrected"] = vid
                self.at(datetime.combine(s_end.date() + timedelta(days=3), time(11, 0)),
                        self._correct_activity(aid, vid, s_end))
                exclude.add(vid)
                break
        # Waiting: family say the service ran half an hour longer.
        asked = datetime.combine(self.today - timedelta(days=1), time(16, 0))
        waiting = [s for s in singles if recent <= s.starts_at.date() and _entered(s) < asked
                   and s.volunteer_id not in exclude and s.ends_at.hour < 21]
        if waiting:
            single = waiting[-1]
            self.special["waiting"] = single.volunteer_id
            self.at(asked, self._correct_single(
                single, single.ends_at + timedelta(minutes=30),
                f"服务对象家属反映实际服务到 {single.ends_at + timedelta(minutes=30):%H:%M}，补正签退时间",
                at=asked, approve=False))
            exclude.add(single.volunteer_id)
        # Voided: entered for someone who did not come.
        light = [s for s in singles if s.volunteer_id not in exclude and margin_ok(s.volunteer_id, s.minutes)
                 and self.last_round < s.starts_at.date() < recent]
        if light:
            single = light[0]
            self.special["voided"] = single.volunteer_id
            at = _entered(single) + timedelta(days=2)
            self.at(at, self._correct_single(
                single, None, "志愿者本人反映当天临时有事未能前往，系误录，申请作废", at=at, approve=True, void=True))
        # Flagged: the confirmed one-star volunteer's sign-out time was wrong.
        flagged = self.special.get("flagged")
        if flagged is not None:
            total = self.plan.minutes(flagged)
            cut = total - STAR_THRESHOLDS[0] + QUARTER
            mine = [s for s in self.plan.singles if s.volunteer_id == flagged and s.minutes >= cut + QUARTER]
            if mine:
                single = mine[-1]
                new_end = single.ends_at - timedelta(minutes=cut)
                reason = f"复核签到表发现签退时间录错：实际 {new_end:%H:%M} 离开，录入时误写为 {single.ends_at:%H:%M}"
                at = datetime.combine(self.today - timedelta(days=self.rng.randint(4, 9)), time(15, 0))
                self.at(at, self._correct_single(single, new_end, reason, at=at, approve=True))

    def _correct_activity(self, aid: int, vid: int, s_end: datetime) -> Callable[[], None]:
        def correct() -> None:
            line = next(x for x in ledger.activity_entry_sheet(self.session, self.clerk, aid, now=self.now).rows
                        if x.volunteer_id == vid and x.recorded is not None)
            recorded = line.recorded
            assert recorded is not None and recorded.starts_at is not None and recorded.ends_at is not None
            new_end = recorded.ends_at - timedelta(minutes=30)
            at = min(datetime.combine(s_end.date() + timedelta(days=3), time(11, 0)), self.now)
            correction = ledger.request_correction(
                self.session, self.clerk, recorded.record_id, recorded.starts_at, new_end, None,
                f"签退时间录错：实际 {new_end:%H:%M} 签退，录入时按排班时间填成了 {recorded.ends_at:%H:%M}", now=at)
            ledger.decide(self.session, self.admin, correction, True, "已核对签到表",
                          now=min(at + timedelta(days=1), self.now))
        return correct

    def _correct_single(self, single: _Single, new_end: datetime | None, reason: str, *, at: datetime,
                        approve: bool, void: bool = False) -> Callable[[], None]:
        """The clerk asks for a correction (new sign-out time, or 作废) and the administrator approves it next day."""
        def correct() -> None:
            record_id = self.record_ids[id(single)]
            asked = min(at, self.now)
            correction = ledger.request_correction(
                self.session, self.clerk, record_id, single.starts_at, new_end or single.ends_at,
                0 if void else None, reason, now=asked)
            if approve:
                ledger.decide(self.session, self.admin, correction, True, "同意作废" if void else "已核对签到表，同意更正",
                              now=min(asked + timedelta(days=1), self.now))
        return correct

    # --- honours, time bank, checkpoint ------------------------------------------------------------
    def schedule_honours(self) -> None:
        year = self.today.year - 1
        on = date(year, *VOLUNTEER_DAY)
        self.at(datetime.combine(on, time(10, 0)), lambda: self.give_honours(year, on))
        # The demo's projects began this autumn: the oldest is commended once it has shown results.
        project = self.session.execute(
            select(Project.id, Project.name, Project.starts_on).where(Project.station_id == self.admin.station_id)
            .order_by(Project.starts_on, Project.id).limit(1)
        ).first()
        if project is not None:
            given = min(project.starts_on + timedelta(days=PROJECT_HONOUR_AFTER_DAYS), self.today - timedelta(days=1))
            if given > project.starts_on:
                self.at(datetime.combine(given, time(10, 0)),
                        lambda: self.honour_project(project.id, project.name, given))

    def honour_project(self, project_id: int, name: str, on: date) -> None:
        titles = {t.name: t.id for t in honours.list_titles(self.session, self.admin, active_only=True)}
        if "优秀志愿服务项目" not in titles:
            return
        citation = (f"“{name}”从居民的实际需求出发，组织志愿者定期上门、常态服务，需求对接准、服务成效好，"
                    "居民满意度高，已形成可持续的服务机制，特授予优秀志愿服务项目称号。")
        honours.award_honour(self.session, self.admin, honours.HonourInput(
            titles["优秀志愿服务项目"], project_id, on, self.issuer(), citation))

    def issuer(self) -> str:
        """Who gives the station's honours: the community's residents' committee."""
        community = self.session.scalar(
            select(Community.name).join(Station, Station.community_id == Community.id)
            .where(Station.id == self.admin.station_id)
        )
        return f"{community}居民委员会" if community else self.station_name()

    def station_name(self) -> str:
        return self.session.scalar(select(Station.name).where(Station.id == self.admin.station_id)) or ""

    def give_honours(self, year: int, on: date) -> None:
        session, admin = self.session, self.admin
        titles = {t.name: t.id for t in honours.list_titles(session, admin, active_only=True)}
        issuer, station = self.issuer(), self.station_name()
        start = date(year, 1, 1)
        served_year = {vid: [(d, m) for d, m in served if start <= d <= on] for vid, served in self.plan.served.items()}
        singles_year: dict[int, list[_Single]] = defaultdict(list)
        for s in self.plan.singles:
            if start <= s.starts_at.date() <= on:
                singles_year[s.volunteer_id].append(s)
        ranked = sorted(((sum(m for _d, m in v), vid) for vid, v in served_year.items() if v), reverse=True)
        flagged = self.special.get("flagged")  # not while their star award awaits review
        ranked = [(m, vid) for m, vid in ranked if vid != flagged]
        best = ranked[:3]
        told: set[str] = set()  # each citation tells a different deed
        for minutes, vid in best:
            if "年度优秀志愿者" not in titles:
                break
            main = _main_item(singles_year[vid], told)
            told.add(main)
            citation = (f"{year}年参加志愿服务{len(served_year[vid])}次，累计{hours_text(minutes)}小时。"
                        f"{_deed(main)}风雨无阻，服务对象和居民交口称赞，特授予{year}年度优秀志愿者称号。")
            honours.award_honour(session, admin, honours.HonourInput(titles["年度优秀志愿者"], vid, on, issuer, citation))
        chosen = {vid for _m, vid in best}
        counts = Counter(s.volunteer_id for s in self.plan.singles if s.item == "敬老助老陪伴")
        visits = sorted(((n, vid) for vid, n in counts.items() if vid not in chosen and vid != flagged), reverse=True)
        if visits and visits[0][0] and "最美志愿者" in titles:
            count, vid = visits[0]
            person = self.plan.people[vid]
            citation = (f"自{person.registered_on.year}年加入服务站以来，坚持每周上门陪伴空巢老人，累计探访{count}次，"
                        f"谁家老人身体不适、谁家水电有问题，都记在心上。用行动诠释了“奉献、友爱、互助、进步”的志愿精神。")
            honours.award_honour(session, admin, honours.HonourInput(titles["最美志愿者"], vid, on, station, citation))
        team = session.scalar(select(Team.id).where(Team.station_id == admin.station_id, Team.name == HONOUR_TEAM,
                                                    Team.active.is_(True)))
        if team is not None and "优秀服务队" in titles:
            citation = (f"{year}年坚持每周六晚巡查小区消防通道、电动车充电和门禁，风雨无阻，"
                        "及时发现并协助消除多处安全隐患，守护了小区的平安。")
            honours.award_honour(session, admin, honours.HonourInput(titles["优秀服务队"], team, on, issuer, citation))
    def schedule_time_bank(self) -> None:
        prices = {i.name: i for i in timebank.redeemable_items(self.session, self.clerk)}
        offers = [name for name in PROVIDERS if name in prices]
        exclude = set(self.special.values())
        people = [vid for vid in sorted(self.plan.taken) if vid not in exclude
                  and self.plan.minutes(vid) >= STAR_THRESHOLDS[0]]
        if not offers or not people:
            return
        planned = []
        for n in range(self.count(REDEMPTIONS)):
            vid = self.rng.choice(people)
            item = "理发" if n == 0 and "理发" in offers else self.rng.choice(offers)
            quantity = 2 if item in ("理发", "代送快递") and self.rng.random() < 0.3 else 1
            day = self.today - timedelta(days=self.rng.randint(3, 300))
            if self.plan.minutes(vid, until=day - timedelta(days=3)) < prices[item].price_minutes * quantity + 20 * HOUR:
                continue
            planned.append((day, vid, item, quantity))
        planned.sort()
        reverse_at = next((i for i, p in enumerate(planned) if p[2] == "理发" and p[0] < self.today - timedelta(days=2)),
                          None)
        for n, (day, vid, item, quantity) in enumerate(planned):
            token = f"demo-{self.rng.getrandbits(64):016x}"
            note = self.rng.choice(REDEEM_NOTES.get(item, REDEEM_NOTE))

            def redeem(day: date = day, vid: int = vid, item: str = item, quantity: int = quantity,
                       token: str = token, note: str = note, reverse: bool = n == reverse_at) -> None:
                entry = timebank.redeem(self.session, self.clerk, timebank.RedeemInput(
                    vid, prices[item].id, quantity, PROVIDERS[item], day, note, token), today=day)
                if reverse:
                    timebank.reverse(self.session, self.clerk, entry.id, REVERSAL_REASON, token + "-r",
                                     today=day + timedelta(days=1))

            self.at(datetime.combine(day, time(16, 0)), redeem)

    def sign(self) -> None:
        key = chain.unlock_signing_key(self.session, self.admin, self.password)
        chain.make_checkpoint(self.session, self.admin, key, self.today)

    # --- the whole story -------------------------------------------------------------------------------
    def run(self) -> None:
        self.walk_ins: dict[int, list[ledger.EntryLine]] = {}
        self.long_days: list[_Single] = []
        self.tier: dict[int, str] = {}
        self.newly: set[int] = set()
        self.plan_activities()
        self.plan_flagged()
        self.plan_newly_eligible()
        self.plan_tiers()
        self.plan_long_days()
        self.schedule_singles()
        self.schedule_rounds()
        self.schedule_long_days()
        self.schedule_corrections()
        self.schedule_honours()
        self.schedule_time_bank()
        for _moment, _n, action in sorted(self.events, key=lambda e: (e[0], e[1])):
            action()
        self.sign()


def _entered(single: _Single) -> datetime:
    """When the clerk enters a single record: 09:00 on the Monday after the week it was done."""
    day = single.starts_at.date()
    return datetime.combine(day + timedelta(days=7 - day.weekday()), time(9, 0))


def _main_item(singles: list[_Single], told: set[str]) -> str:
    """What someone did most often, preferring what the other citations have not told yet."""
    counts = Counter(s.item for s in singles)
    return max(sorted(counts), key=lambda k: (k not in told, counts[k])) if counts else ""


DEEDS = {
    "敬老助老陪伴": "常年上门陪伴空巢老人，",
    "生活照顾": "为行动不便的老人代购、做饭、打扫，",
    "义务保洁": "带头清理楼道杂物和卫生死角，",
    "文明督导": "坚持在垃圾分类投放点值守督导，",
    "信息咨询": "每周在服务站值班，为居民答疑解难，",
    "代交水电费": "为老人代交水电燃气费，",
    "社区巡逻": "坚持参加晚间巡逻，",
    "学业辅导": "在四点半课堂为留守、流动儿童辅导功课，",
    "维修家电": "义务为住户维修小家电，",
    "医疗护理帮扶": "为老人测血压、提醒用药、陪同就医，",
    "理发": "为老人义务理发，",
    "心理健康辅导": "为孤寡老人做心理疏导，",
    "邻里矛盾调解": "耐心调解邻里纠纷，",
    "群众文艺团队": "组织文艺队排练演出，",
    "托养照护": "在日间照料中心协助照护，",
}


def _deed(item: str) -> str:
    return DEEDS.get(item, "积极参加社区志愿服务，")


def build_ledger_demo(
    session: Session, admin: Actor, clerk: Actor, rng: random.Random, today: date, *, password: str
) -> None:
    """Add the service ledger to a demo station (inside the demo's unit of work).

    ``admin`` approves, confirms, honours and signs (``password`` opens the station's signing
    key); ``clerk`` enters hours and redemptions.
    """
    _Story(session, admin, clerk, rng, today, password).run()


__all__ = ["build_ledger_demo"]
