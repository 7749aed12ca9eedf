"""A demo database: one realistic, reproducible station to try the program on.

Used by ``station-app demo``, the screenshots and the roster benchmark (100,000 volunteers).
The same seed gives the same people. Nobody in it is real: names are drawn from common
Chinese names, ID numbers are made up (valid per GB 11643-1999, so they pass the same
checks as real ones) and phone numbers are random.

Most volunteers are written in bulk with SQLAlchemy Core, in chunks, because going through
``register_volunteer`` one by one is far too slow at 100,000. The whole build is one unit of
work: interrupted, it leaves the database as it was. The last few are
registered and reviewed through the real services, so the audit log holds real entries and
those code paths run against the generated data too.

The pools (names, skills, regions, teams, reasons) are data, in
``resources/data/demo_names.json``.
"""

from __future__ import annotations

import logging
import random
import time
from bisect import bisect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from functools import cache, lru_cache
from operator import mul
from typing import Any, Generic, TypeVar

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ..db import Database
from ..errors import StationError, ValidationError
from ..i18n import _
from ..models import Skill, Station, Team, TeamMember, User, Volunteer, volunteer_skills
from ..resources import load_json
from . import audit
from .auth import Actor, Role, create_user
from .demo_activities import build_activity_demo
from .demo_demand import DEMAND_NEW_RESIDENTS, build_demand_demo
from .demo_ledger import build_ledger_demo
from .demo_printing import build_printing_demo
from .demo_training import build_training_demo
from .demo_transfer import build_transfer_demo
from .pinyin import name_keys
from .stations import StationSetup, initialise_station, is_initialised
from .teams import TeamInput, create_team
from .validation import age_on
from .volunteers import (
    DAY_PARTS,
    WEEKDAYS,
    Status,
    VolunteerInput,
    availability_bit,
    register_volunteer,
    review_volunteer,
)

log = logging.getLogger(__name__)

DEMO_ADMIN = "admin"
DEMO_CLERK = "clerk"
DEMO_VIEWER = "viewer"
DEMO_PASSWORD = "demo1234"

#: Volunteers written per bulk insert (and per progress report).
CHUNK_SIZE = 5000
#: What happens to the newest applicants, who go through the real services, in this order.
SERVICE_PATH_DECISIONS: tuple[Status, ...] = (
    Status.REGISTERED,
    Status.REGISTERED,
    Status.REGISTERED,
    Status.REJECTED,
    Status.APPLYING,
)
#: How far back the station's history goes.
HISTORY_DAYS = 4 * 365
#: Share of each status among the bulk volunteers.
STATUS_WEIGHTS: Mapping[Status, float] = {
    Status.REGISTERED: 0.79,
    Status.APPLYING: 0.10,
    Status.REJECTED: 0.03,
    Status.SUSPENDED: 0.03,
    Status.WITHDRAWN: 0.05,
}
#: Age today (inclusive ranges) → weight: many retirees and working-age adults, some students.
AGE_BANDS: Mapping[tuple[int, int], float] = {
    (16, 18): 5,
    (19, 22): 5,
    (23, 28): 8,
    (29, 40): 17,
    (41, 54): 22,
    (55, 65): 26,
    (66, 78): 17,
}
MIN_AGE = 16
SHARE_FEMALE = 0.58
SHARE_OWNER = 0.62
SHARE_TENANT_WITH_ADDRESS = 0.45
SHARE_EMERGENCY_CONTACT = 0.5
SHARE_NO_AVAILABILITY = 0.05
BACKBONE_SHARE = {Status.REGISTERED: 0.10, Status.SUSPENDED: 0.05}
SKILL_COUNT_WEIGHTS = (25, 40, 25, 10)  # 0, 1, 2 or 3 skills
# Chance of being free in each part of the day (上午, 下午, 晚上), on weekdays and at weekends.
AVAILABILITY_PROFILES: Mapping[str, tuple[tuple[float, float, float], tuple[float, float, float]]] = {
    "student": ((0.02, 0.05, 0.12), (0.45, 0.50, 0.15)),
    "worker": ((0.04, 0.04, 0.30), (0.45, 0.40, 0.20)),
    "retiree": ((0.55, 0.35, 0.15), (0.35, 0.25, 0.10)),
}
# Bulk indexes that always get an unusual name, so even a small demo shows them.
FORCED_NAME_KINDS = {2: "minority", 5: "compound", 8: "rare", 12: "rare", 17: "compound"}

CHINA_TZ = timezone(timedelta(hours=8))
OFFICE_OPENS = timedelta(hours=8, minutes=30)
OFFICE_HOURS = timedelta(hours=9)

# GB 11643-1999 check character: ISO 7064 MOD 11-2.
_ID_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
_ID_CHECK = "10X98765432"

T = TypeVar("T")


def id_check_character(body: str) -> str:
    """The 18th character of an ID number whose first 17 digits are ``body``."""
    if len(body) != 17:
        raise ValueError("an ID number body has 17 digits")
    return _ID_CHECK[sum(map(mul, map(int, body), _ID_WEIGHTS)) % 11]


@cache
def _availability_odds(profile: str) -> tuple[tuple[int, float], ...]:
    """(bit, chance of being free) for every slot of the week, for one availability profile."""
    weekday_odds, weekend_odds = AVAILABILITY_PROFILES[profile]
    return tuple(
        (availability_bit(day, part), (weekend_odds if day >= 5 else weekday_odds)[part])
        for day in range(len(WEEKDAYS))
        for part in range(len(DAY_PARTS))
    )


def _years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _office_time(day: date, fraction: float) -> datetime:
    """A moment in the station's office hours on ``day`` (local time), as an aware UTC datetime."""
    local = datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ) + OFFICE_OPENS + OFFICE_HOURS * fraction
    return local.astimezone(UTC)


def _local_day(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class _Weighted(Generic[T]):
    """Items with relative weights, drawn with a given random generator."""

    items: tuple[T, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, weights: Mapping[T, float]) -> _Weighted[T]:
        items = tuple(weights)
        total, cumulative = 0.0, []
        for item in items:
            total += float(weights[item])
            cumulative.append(total)
        return cls(items, tuple(cumulative))

    def pick(self, rng: random.Random) -> T:
        # What rng.choices(items, cum_weights=...) does, without its per-call overhead.
        return self.items[bisect(self.cum_weights, rng.random() * self.cum_weights[-1])]


@dataclass(frozen=True)
class _TeamRule:
    """Join ``team`` with chance ``p_when`` if the person fits every condition given, else ``p``."""

    team: str
    p: float
    p_when: float
    min_age: int = 0
    max_age: int = 200
    owner_only: bool = False
    political_any: frozenset[str] | None = None
    skills_any: frozenset[str] | None = None

    @classmethod
    def from_json(cls, rule: Mapping[str, Any]) -> _TeamRule:
        when = rule["when"]
        return cls(
            team=rule["team"],
            p=rule["p"],
            p_when=rule["p_when"],
            min_age=when.get("min_age", 0),
            max_age=when.get("max_age", 200),
            owner_only=bool(when.get("owner")),
            political_any=frozenset(when["political_any"]) if "political_any" in when else None,
            skills_any=frozenset(when["skills_any"]) if "skills_any" in when else None,
        )

    def chance(self, age: int, owner: bool, political: str, skills: Sequence[str]) -> float:
        fits = (
            self.min_age <= age <= self.max_age
            and (owner or not self.owner_only)
            and (self.political_any is None or political in self.political_any)
            and (self.skills_any is None or not self.skills_any.isdisjoint(skills))
        )
        return self.p_when if fits else self.p


@dataclass(frozen=True)
class _Pools:
    """The contents of demo_names.json, prepared for drawing."""

    raw: Mapping[str, Any]
    surnames: _Weighted[str]
    compound_surnames: _Weighted[str]
    given_names: Mapping[str, Mapping[str, tuple[str, ...]]]  # gender → era/"rare" → names
    minority_names: tuple[Mapping[str, str], ...]
    local_region: str
    local_share: float
    migrant_regions: _Weighted[str]
    phone_prefixes: tuple[str, ...]
    skills_by_age: Mapping[int, _Weighted[str]]
    skill_names: tuple[str, ...]
    team_rules: tuple[_TeamRule, ...]
    statuses: _Weighted[Status]
    age_bands: _Weighted[tuple[int, int]]
    skill_counts: _Weighted[int]


@lru_cache(maxsize=1)
def _pools() -> _Pools:
    raw = load_json("demo_names.json")
    skills = raw["skills"]
    skills_by_age = {
        age: _Weighted.of({s["name"]: s["weight"] for s in skills if s["ages"][0] <= age <= s["ages"][1]})
        for age in range(MIN_AGE, 130)
    }
    return _Pools(
        raw=raw,
        surnames=_Weighted.of(raw["surnames"]),
        compound_surnames=_Weighted.of(raw["compound_surnames"]),
        given_names={g: {k: tuple(v) for k, v in pools.items()} for g, pools in raw["given_names"].items()},
        minority_names=tuple(raw["minority_names"]),
        local_region=raw["regions"]["local"],
        local_share=raw["regions"]["local_share"],
        migrant_regions=_Weighted.of(raw["regions"]["migrant"]),
        phone_prefixes=tuple(raw["phone_prefixes"]),
        skills_by_age=skills_by_age,
        skill_names=tuple(s["name"] for s in skills),
        team_rules=tuple(_TeamRule.from_json(r) for r in raw["team_rules"]),
        statuses=_Weighted.of(STATUS_WEIGHTS),
        age_bands=_Weighted.of(AGE_BANDS),
        skill_counts=_Weighted.of(dict(enumerate(SKILL_COUNT_WEIGHTS))),
    )


@dataclass(frozen=True)
class DemoPerson:
    """One generated volunteer, before it is written."""

    name: str
    gender: str
    birth_date: date
    id_number: str
    phone: str
    political_status: str
    is_owner: bool
    building: str
    unit: str
    room: str
    is_backbone: bool
    emergency_contact: str
    emergency_phone: str
    skills: tuple[str, ...]
    availability: int
    teams: tuple[str, ...]
    status: Status
    status_reason: str
    notes: str


class PersonGenerator:
    """Draws plausible volunteers from the pools; deterministic for a given ``random.Random``."""

    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.pools = _pools()
        self.used_ids: set[str] = set()

    # --- pieces ---------------------------------------------------------------------------
    def age(self) -> int:
        low, high = self.pools.age_bands.pick(self.rng)
        return self.rng.randint(low, high)

    def birth_date(self, applied_on: date) -> date:
        """A birth date for someone aged 16–78 today who was at least 16 when they applied."""
        age = self.age()
        earliest = _years_before(self.today, age + 1) + timedelta(days=1)
        latest = _years_before(self.today, age)
        birth = earliest + timedelta(days=self.rng.randint(0, (latest - earliest).days))
        youngest_allowed = _years_before(applied_on, MIN_AGE)
        if birth > youngest_allowed:
            birth = youngest_allowed - timedelta(days=self.rng.randint(0, 730))
        return birth

    def name(self, gender: str, birth_year: int, kind: str | None = None) -> str:
        """A name fitting the gender and generation; ``kind`` forces "compound" or "rare"."""
        rng, pools = self.rng, self.pools
        if kind == "compound" or (kind is None and rng.random() < pools.raw["compound_surname_share"]):
            surname = pools.compound_surnames.pick(rng)
        else:
            surname = pools.surnames.pick(rng)
        by_era = pools.given_names[gender]
        if kind == "rare" or (kind is None and rng.random() < pools.raw["rare_share"]):
            era = "rare"
        elif birth_year <= 1970:
            era = "old"
        elif birth_year <= 1990:
            era = "mid"
        else:
            era = "young"
        return surname + rng.choice(by_era[era])

    def id_number(self, region: str, birth: date, gender: str) -> str:
        """A valid, so far unused ID number; the sequence's last digit is odd for men."""
        prefix = f"{region}{birth:%Y%m%d}"
        male = gender == "男"
        for _attempt in range(200):
            body = f"{prefix}{self.rng.randrange(500) * 2 + male:03d}"
            number = body + id_check_character(body)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number
        raise StationError(_("演示数据生成失败：同一天出生的人数过多，无法分配不重复的身份证号。"))

    def phone(self) -> str:
        return f"{self.rng.choice(self.pools.phone_prefixes)}{self.rng.randrange(10**8):08d}"

    def political_status(self, age: int) -> str:
        r = self.rng.random()
        if age <= 28:
            shares = [("league_member", 0.6 if age < 18 else 0.55)]
            if age >= 18:
                shares += [("party_member", 0.05), ("probationary_party_member", 0.03)]
        else:
            shares = [("party_member", 0.24), ("probationary_party_member", 0.02), ("democratic_party", 0.015)]
        for code, share in shares:
            if r < share:
                return code
            r -= share
        return "masses"

    def address(self, owner: bool) -> tuple[str, str, str]:
        if not owner and self.rng.random() >= SHARE_TENANT_WITH_ADDRESS:
            return "", "", ""
        spec = self.pools.raw["address"]
        rng = self.rng
        return (
            spec["building_format"].format(n=rng.randint(1, spec["buildings"])),
            spec["unit_format"].format(n=rng.randint(1, spec["units"])),
            f"{rng.randint(1, spec['floors'])}{rng.randint(1, spec['doors']):02d}",
        )

    def skills(self, age: int) -> tuple[str, ...]:
        count = self.pools.skill_counts.pick(self.rng)
        pool = self.pools.skills_by_age[age]
        chosen: set[str] = set()
        for _attempt in range(count * 4):
            if len(chosen) == count:
                break
            chosen.add(pool.pick(self.rng))
        return tuple(sorted(chosen))

    def availability(self, age: int, gender: str) -> int:
        if self.rng.random() < SHARE_NO_AVAILABILITY:
            return 0
        if age <= 22:
            profile = "student"
        elif age >= (60 if gender == "男" else 55):
            profile = "retiree"
        else:
            profile = "worker"
        rnd = self.rng.random
        mask = 0
        for bit, odds in _availability_odds(profile):
            if rnd() < odds:
                mask |= bit
        return mask or availability_bit(5, 0)  # at least Saturday morning

    def teams(self, age: int, owner: bool, political: str, skills: Sequence[str]) -> tuple[str, ...]:
        rnd = self.rng.random
        return tuple(rule.team for rule in self.pools.team_rules if rnd() < rule.chance(age, owner, political, skills))

    # --- a whole person -----------------------------------------------------------------------
    def person(self, status: Status, applied_on: date, name_kind: str | None = None) -> DemoPerson:
        rng, pools = self.rng, self.pools
        if name_kind == "minority":
            entry = rng.choice(pools.minority_names)
            gender, region, name = entry["gender"], entry["region"], entry["name"]
            birth = self.birth_date(applied_on)
        else:
            gender = "女" if rng.random() < SHARE_FEMALE else "男"
            region = pools.local_region if rng.random() < pools.local_share else pools.migrant_regions.pick(rng)
            birth = self.birth_date(applied_on)
            if name_kind is None and rng.random() < pools.raw["minority_share"]:
                entry = rng.choice(pools.minority_names)
                gender, region, name = entry["gender"], entry["region"], entry["name"]
            else:
                name = self.name(gender, birth.year, name_kind)
        age = age_on(birth, self.today)
        political = self.political_status(age)
        owner = rng.random() < SHARE_OWNER
        building, unit, room = self.address(owner)
        skills = self.skills(age)
        emergency_contact = emergency_phone = ""
        if rng.random() < SHARE_EMERGENCY_CONTACT:
            contact_gender = rng.choice(("男", "女"))
            emergency_contact = self.name(contact_gender, rng.randint(1950, 2000))
            emergency_phone = self.phone()
        reasons = pools.raw["reasons"].get(status.value, ())
        return DemoPerson(
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=self.id_number(region, birth, gender),
            phone=self.phone(),
            political_status=political,
            is_owner=owner,
            building=building,
            unit=unit,
            room=room,
            is_backbone=rng.random() < BACKBONE_SHARE.get(status, 0.0),
            emergency_contact=emergency_contact,
            emergency_phone=emergency_phone,
            skills=skills,
            availability=self.availability(age, gender),
            teams=() if status == Status.REJECTED else self.teams(age, owner, political, skills),
            status=status,
            status_reason=rng.choice(reasons) if reasons else "",
            notes=rng.choice(pools.raw["notes"]) if rng.random() < pools.raw["notes_share"] else "",
        )


@dataclass
class _Timeline:
    """When bulk volunteers applied and were reviewed.

    Reviews are spread over the station's history in the order volunteers are generated, so
    volunteer numbers rise with the registration date, as they would have been issued.
    Applications still waiting for review came in during the last month.
    """

    rng: random.Random
    today: date
    reviewed_total: int
    reviewed_so_far: int = 0

    def applying(self) -> datetime:
        day = self.today - timedelta(days=self.rng.randint(1, 30))
        return _office_time(day, self.rng.random())

    def reviewed(self) -> tuple[datetime, datetime]:
        """(applied_at, reviewed_at) for the next reviewed volunteer."""
        position = (self.reviewed_so_far + 0.9 * self.rng.random()) / max(self.reviewed_total, 1)
        self.reviewed_so_far += 1
        start = self.today - timedelta(days=HISTORY_DAYS + 1)
        day_offset, fraction = divmod(position * HISTORY_DAYS, 1.0)
        reviewed_at = _office_time(start + timedelta(days=int(day_offset)), fraction)
        applied_day = _local_day(reviewed_at) - timedelta(days=self.rng.randint(1, 14))
        return _office_time(applied_day, self.rng.random()), reviewed_at

    def status_changed(self, reviewed_at: datetime) -> datetime:
        """When a registered volunteer was later suspended or withdrew."""
        first = _local_day(reviewed_at) + timedelta(days=1)
        last = max(first, self.today - timedelta(days=1))
        day = first + timedelta(days=self.rng.randint(0, (last - first).days))
        return _office_time(day, self.rng.random())


def _refuse_if_initialised(session: Session) -> None:
    if is_initialised(session):
        raise StationError(
            _("这个数据库里已经有站点资料，不能再生成演示数据：演示数据只能放进一个新的空数据库，以免和真实资料混在一起。")
        )


def _actor(session: Session, user_id: int, role: Role) -> Actor:
    user = session.get(User, user_id)
    assert user is not None
    return Actor(user.id, user.username, user.display_name, role, user.station_id)


def _set_up(session: Session, rng: random.Random, gen: PersonGenerator) -> tuple[Actor, Actor, str]:
    """The station, its accounts, the visiting teams and the skill list; returns (admin, clerk, code)."""
    pools = _pools()
    spec = pools.raw["station"]
    station_id = initialise_station(
        session,
        StationSetup(
            city=spec["city"], town=spec["town"], community=spec["community"], station_name=spec["station_name"],
            station_code=spec["station_code"], address=spec["address"], contact_person=spec["contact_person"],
            contact_phone=spec["contact_phone"], admin_username=DEMO_ADMIN,
            admin_display_name=spec["admin_display_name"], admin_password=DEMO_PASSWORD,
            admin_password_confirm=DEMO_PASSWORD,
        ),
    )
    admin_id = session.scalar(select(User.id).where(User.username == DEMO_ADMIN))
    assert admin_id is not None
    admin = _actor(session, admin_id, Role.ADMIN)
    clerk: Actor | None = None
    for account in pools.raw["accounts"]:
        role = Role(account["role"])
        user_id = create_user(
            session, admin, username=account["username"], display_name=account["display_name"], role=role,
            password=DEMO_PASSWORD, station_id=station_id,
        )
        if role == Role.CLERK:
            clerk = _actor(session, user_id, role)
    for team in pools.raw["visiting_teams"]:
        contact_gender = rng.choice(("男", "女"))
        create_team(
            session,
            admin,
            TeamInput(
                name=team["name"], kind="visiting", org_type=team["org_type"], org_name=team["org_name"],
                contact_name=gen.name(contact_gender, rng.randint(1965, 1995)), contact_phone=gen.phone(),
                description=team["description"],
            ),
        )
    existing = set(session.scalars(select(Skill.name)))
    missing = [{"name": n} for n in pools.skill_names if n not in existing]
    if missing:
        session.execute(insert(Skill.__table__), missing)
    code = session.scalar(select(Station.code).where(Station.id == station_id))
    assert code is not None
    return admin, clerk or admin, code


def _volunteer_row(
    person: DemoPerson,
    *,
    station_id: int,
    volunteer_no: str | None,
    applied_at: datetime,
    reviewed_at: datetime | None,
    reviewed_by_id: int | None,
    updated_at: datetime,
    keys: Callable[[str], tuple[str, str]],
) -> dict[str, Any]:
    """Every column of a ``volunteers`` row (a Core insert applies no ORM defaults we rely on)."""
    initials, full = keys(person.name)
    return {
        "station_id": station_id,
        "volunteer_no": volunteer_no,
        "name": person.name,
        "name_initials": initials,
        "name_pinyin": full,
        "gender": person.gender,
        "birth_date": person.birth_date,
        "id_number": person.id_number,
        "id_tail": person.id_number[-4:],
        "phone": person.phone,
        "political_status": person.political_status,
        "is_owner": person.is_owner,
        "building": person.building,
        "unit": person.unit,
        "room": person.room,
        "is_backbone": person.is_backbone,
        "emergency_contact": person.emergency_contact,
        "emergency_phone": person.emergency_phone,
        "availability": person.availability,
        "status": person.status.value,
        "status_reason": person.status_reason,
        "applied_at": applied_at,
        "reviewed_at": reviewed_at,
        "reviewed_by_id": reviewed_by_id,
        "registered_on": _local_day(reviewed_at) if volunteer_no is not None and reviewed_at else None,
        "notes": person.notes,
        "created_at": applied_at,
        "updated_at": updated_at,
        "version": 1,
    }


def build_demo(
    db: Database,
    *,
    volunteers: int = 300,
    seed: int = 2014,
    progress: Callable[[int, int], None] | None = None,
    today: date | None = None,
    city: bool = False,
) -> None:
    """Fill an empty database with a demo station and ``volunteers`` generated volunteers.

    ``city`` adds the city-wide demo (``demo_city``): four more stations in two towns, the
    市级管理员 ``city`` and the 镇区管理员 ``shiqi``, for the 全市看板.

    Accounts ``admin`` (站长), ``clerk`` (录入员) and ``viewer`` (只读) share the password
    ``DEMO_PASSWORD``. Raises :class:`StationError` if the database already has a station:
    demo data never goes into a database with real data. ``progress(done, total)`` is
    called after each chunk. The same ``seed`` and ``today`` give the same volunteers.
    """
    if volunteers < 0:
        raise ValidationError(_("志愿者人数不能为负数。"), field="volunteers")
    today = today or date.today()
    started = time.perf_counter()
    rng = random.Random(seed)
    gen = PersonGenerator(rng, today)
    pools = _pools()

    # One unit of work for the whole build: a crash or a cancel leaves the database as it
    # was, never half a demo.
    with db.session() as session:
        _refuse_if_initialised(session)
        admin, clerk, station_code = _set_up(session, rng, gen)
        team_ids = {name: id_ for name, id_ in session.execute(select(Team.name, Team.id))}
        skill_ids = {name: id_ for name, id_ in session.execute(select(Skill.name, Skill.id))}
        station_id = admin.station_id
        assert station_id is not None

        service_count = min(len(SERVICE_PATH_DECISIONS), volunteers)
        # Residents who sign up through a recruitment notice count among the volunteers too.
        new_residents = min(DEMAND_NEW_RESIDENTS, volunteers - service_count)
        bulk_count = volunteers - service_count - new_residents
        statuses = [pools.statuses.pick(rng) for _ in range(bulk_count)]
        timeline = _Timeline(rng, today, reviewed_total=sum(s != Status.APPLYING for s in statuses))
        seq = 1
        name_cache: dict[str, tuple[str, str]] = {}

        def keys(name: str) -> tuple[str, str]:
            found = name_cache.get(name)
            if found is None:
                found = name_cache[name] = name_keys(name)
            return found

        table = Volunteer.__table__
        for chunk_start in range(0, bulk_count, CHUNK_SIZE):
            rows: list[dict[str, Any]] = []
            people: list[tuple[DemoPerson, date]] = []
            for index in range(chunk_start, min(chunk_start + CHUNK_SIZE, bulk_count)):
                status = statuses[index]
                if status == Status.APPLYING:
                    applied_at, reviewed_at = timeline.applying(), None
                else:
                    applied_at, reviewed_at = timeline.reviewed()
                person = gen.person(status, _local_day(applied_at), FORCED_NAME_KINDS.get(index))
                volunteer_no = None
                if status in (Status.REGISTERED, Status.SUSPENDED, Status.WITHDRAWN):
                    volunteer_no = f"{station_code}-{seq:06d}"
                    seq += 1
                updated_at = reviewed_at or applied_at
                if status in (Status.SUSPENDED, Status.WITHDRAWN):
                    assert reviewed_at is not None
                    updated_at = timeline.status_changed(reviewed_at)
                rows.append(
                    _volunteer_row(
                        person, station_id=station_id, volunteer_no=volunteer_no, applied_at=applied_at,
                        reviewed_at=reviewed_at, reviewed_by_id=admin.user_id if reviewed_at else None,
                        updated_at=updated_at, keys=keys,
                    )
                )
                people.append((person, _local_day(reviewed_at or applied_at)))
            # A plain executemany, then the new ids by ID number: RETURNING in parameter order
            # makes SQLAlchemy insert one row per statement on SQLite, several times slower.
            before = session.scalar(select(func.coalesce(func.max(table.c.id), 0)))
            session.execute(insert(table), rows)
            new_ids = {
                number: id_ for number, id_ in session.execute(
                    select(table.c.id_number, table.c.id).where(table.c.id > before)
                )
            }
            ids = [new_ids[row["id_number"]] for row in rows]
            skill_rows = [
                {"volunteer_id": vid, "skill_id": skill_ids[s]}
                for vid, (p, _day) in zip(ids, people, strict=True)
                for s in p.skills
            ]
            member_rows = [
                {"team_id": team_ids[t], "volunteer_id": vid, "joined_on": day}
                for vid, (p, day) in zip(ids, people, strict=True)
                for t in p.teams
                if t in team_ids
            ]
            if skill_rows:
                session.execute(insert(volunteer_skills), skill_rows)
            if member_rows:
                session.execute(insert(TeamMember.__table__), member_rows)
            session.execute(
                update(Station.__table__).where(Station.id == station_id).values(next_volunteer_seq=seq)
            )
            if progress is not None:
                progress(chunk_start + len(rows), volunteers)

        # The newest applicants: entered by the clerk and reviewed by the administrator,
        # through the same services the screens use.
        for decision in SERVICE_PATH_DECISIONS[:service_count]:
            person = gen.person(decision, today)
            volunteer_id = register_volunteer(
                session,
                clerk,
                VolunteerInput(
                    name=person.name, id_number=person.id_number, phone=person.phone, gender=person.gender,
                    birth_date=person.birth_date, political_status=person.political_status,
                    is_owner=person.is_owner, building=person.building, unit=person.unit, room=person.room,
                    is_backbone=person.is_backbone, emergency_contact=person.emergency_contact,
                    emergency_phone=person.emergency_phone, skills=person.skills, availability=person.availability,
                    team_ids=[team_ids[t] for t in person.teams if t in team_ids], notes=person.notes,
                ),
                today=today,
            )
            if decision != Status.APPLYING:
                review_volunteer(
                    session, admin, volunteer_id, approve=decision == Status.REGISTERED, reason=person.status_reason
                )

        # The demand side: households, visits, needs, projects, recruitment and applications.
        build_demand_demo(session, admin, clerk, rng, gen, today, new_residents=new_residents)

        # Training and the activity schedule, each with its own random stream so adding them left
        # the volunteers and the demand side of a given seed as they were.
        trained = build_training_demo(session, clerk, random.Random(seed + 4), today)
        build_activity_demo(
            session, clerk, random.Random(seed + 5), today,
            prefer=trained.keen_volunteer_ids, trained=trained.pre_service_volunteer_ids,
        )
        # The service ledger on top: hours, star levels, honours, the time bank and a signed checkpoint.
        build_ledger_demo(session, admin, clerk, random.Random(seed + 6), today, password=DEMO_PASSWORD)
        # The print centre: a seal, and the certificates printed so far.
        build_printing_demo(session, admin, today, password=DEMO_PASSWORD)
        # A volunteer who moved in from another station, with the transfer package they brought.
        build_transfer_demo(session, admin, PersonGenerator(random.Random(seed + 9), today), today, DEMO_PASSWORD)
        if city:  # more stations, a city and a town administrator: the 全市看板 has a city to show
            from .demo_city import build_city_demo

            build_city_demo(session, random.Random(seed + 7), PersonGenerator(random.Random(seed + 8), today), today,
                            DEMO_PASSWORD)

        audit.record(
            session, admin, "demo", "station", station_id,
            summary=_("生成演示数据：{n} 名志愿者（随机种子 {seed}）").format(n=volunteers, seed=seed),
            changes={"volunteers": [None, volunteers], "seed": [None, seed]},
        )
    if progress is not None:
        progress(volunteers, volunteers)
    log.debug("demo database built: %d volunteers in %.1f s", volunteers, time.perf_counter() - started)


__all__ = [
    "DEMO_ADMIN",
    "DEMO_CLERK",
    "DEMO_PASSWORD",
    "DEMO_VIEWER",
    "DemoPerson",
    "PersonGenerator",
    "build_demo",
    "id_check_character",
]
