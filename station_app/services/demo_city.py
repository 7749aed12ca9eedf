"""The city-wide demo: more stations in two towns, a 市级管理员 and a 镇区管理员 (``station-app demo --city``).

Built on top of the one-station demo (``demo.build_demo(..., city=True)``), in the same unit of work,
through the same services the screens use: the city administrator adds each station with its
站长, who registers and approves volunteers, runs activities and records their hours, and (at the
stronger stations) designs projects, publishes notices, sets rules, confirms stars and gives
honours. The stations differ on purpose, so the demonstration-station checklist shows ✓ and ✗:
a model station, an ordinary one, a new one still short of most things, and an offline station
whose records arrive in transfer packages (``imported_at``).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import ServiceItem, Station, Team, Town, User, Volunteer
from . import activities, chain, city, honours, ledger, needs, projects, recipients, recruitment, stars, training
from .auth import Actor, Role
from .hours import STAR_THRESHOLDS, star_level
from .stations import StationSetup
from .volunteers import Status, VolunteerInput, register_volunteer, review_volunteer

CITY_ADMIN = "city"
TOWN_ADMIN = "shiqi"


@dataclass(frozen=True)
class _Spec:
    town: str
    community: str
    name: str
    code: str
    admin: str
    admin_name: str
    address: str
    contact: str
    phone: str
    volunteers: int
    activities: int  # completed in the last twelve months
    keen: int  # volunteers with more than 100 hours (one star)
    model: bool = False  # projects, notices, rules, honours: the whole checklist
    checkpoint: bool = False
    offline: bool = False


STATIONS = (
    _Spec("石岐街道", "悦来社区", "悦来花园物业志愿服务站", "SQ0102", "yuelai", "何丽娟", "中山市石岐街道悦来南路28号悦来花园管理处",
          "何丽娟", "0760-88234567", 48, 8, 3, model=True, checkpoint=True),
    _Spec("东区街道", "竹苑社区", "竹苑新村物业志愿服务站", "DQ0201", "zhuyuan", "冯伟强", "中山市东区竹苑路6号竹苑新村物业中心",
          "冯伟强", "0760-88345678", 32, 5, 2, checkpoint=True),
    _Spec("东区街道", "松苑社区", "松苑小区物业志愿服务站", "DQ0202", "songyuan", "吴嘉怡", "", "吴嘉怡", "", 14, 2, 0),
    _Spec("东区街道", "库充社区", "金域名都物业志愿服务站", "DQ0203", "jinyu", "郑国华", "中山市东区库充大街3号金域名都会所",
          "郑国华", "0760-88456789", 26, 6, 1, model=True, offline=True),
)


def build_city_demo(session: Session, rng: random.Random, gen, today: date, password: str) -> None:  # noqa: ANN001
    """The city's administrators and the extra stations, on top of the one-station demo."""
    city.first_city_admin(session, city=city.city_name(session), username=CITY_ADMIN, display_name="市志愿者联合会",
                          password=password)
    city_user = session.scalar(select(User).where(User.username == CITY_ADMIN))
    city_actor = Actor(city_user.id, city_user.username, city_user.display_name, Role.CITY, None)
    for spec in STATIONS:
        station_id = city.create_station(session, city_actor, StationSetup(
            city=city.city_name(session), town=spec.town, community=spec.community, station_name=spec.name,
            station_code=spec.code, address=spec.address, contact_person=spec.contact, contact_phone=spec.phone,
            admin_username=spec.admin, admin_display_name=spec.admin_name, admin_password=password,
            admin_password_confirm=password,
        ))
        admin_id = session.scalar(select(User.id).where(User.username == spec.admin))
        admin = Actor(admin_id, spec.admin, spec.admin_name, Role.ADMIN, station_id)
        _Station(session, admin, spec, rng, gen, today, password).build()
        if spec.offline:
            session.execute(update(Station).where(Station.id == station_id)
                            .values(imported_at=datetime.combine(today - timedelta(days=9), time(17, 30)).astimezone()))
    town_id = session.scalar(select(Town.id).where(Town.name == STATIONS[0].town))
    city.create_admin(session, city_actor, username=TOWN_ADMIN, display_name="石岐街道志愿服务中心", role=Role.TOWN,
                      password=password, town_id=town_id)


class _Station:
    def __init__(self, session: Session, admin: Actor, spec: _Spec, rng: random.Random, gen, today: date,  # noqa: ANN001
                 password: str) -> None:
        self.session, self.admin, self.spec, self.rng, self.gen = session, admin, spec, rng, gen
        self.today, self.password = today, password
        self.items = session.execute(
            select(ServiceItem.id, ServiceItem.name, ServiceItem.category)
            .where(ServiceItem.station_id == admin.station_id, ServiceItem.active.is_(True)).order_by(ServiceItem.id)
        ).all()
        by_category: dict[str, list] = {}
        for item in self.items:
            by_category.setdefault(item.category, []).append(item)
        # A few menu items of each category, so that the hours spread over the six actions.
        self.menu = [rng.choice(group) for group in by_category.values()]
        self.teams = dict(session.execute(select(Team.name, Team.id).where(Team.station_id == admin.station_id)).all())

    def build(self) -> None:
        volunteer_ids = self.volunteers()
        keen = volunteer_ids[: self.spec.keen]
        self.activities(volunteer_ids)
        self.hours(keen)
        if self.spec.model:
            self.demand()
            training.set_backbone_rule(self.session, self.admin, training.BackboneRule(8, 6, 12))
            ledger.set_approval_limit(self.session, self.admin, 6 * 60)
            self.honour(volunteer_ids[0])
        if self.spec.checkpoint:
            key = chain.unlock_signing_key(self.session, self.admin, self.password)
            chain.make_checkpoint(self.session, self.admin, key, today=self.today)

    def volunteers(self) -> list[int]:
        """Registered volunteers, joined three years ago or less; a few still applying."""
        ids = []
        for n in range(self.spec.volunteers):
            applied = self.today - timedelta(days=self.rng.randint(400, 1100) if n < self.spec.keen else
                                             self.rng.randint(60, 1000))
            p = self.gen.person(Status.REGISTERED, applied)
            vid = register_volunteer(self.session, self.admin, VolunteerInput(
                name=p.name, id_number=p.id_number, phone=p.phone, gender=p.gender, birth_date=p.birth_date,
                political_status=p.political_status, is_owner=p.is_owner, building=p.building, unit=p.unit,
                room=p.room, is_backbone=p.is_backbone, emergency_contact=p.emergency_contact,
                emergency_phone=p.emergency_phone, skills=p.skills, availability=p.availability,
                team_ids=[self.teams[t] for t in p.teams if t in self.teams], notes=p.notes,
            ), today=applied)
            if n >= self.spec.volunteers - 2:
                continue  # the newest two wait for review
            review_volunteer(self.session, self.admin, vid, approve=True)
            # Approved back then: the demo's history starts before today.
            self.session.execute(update(Volunteer).where(Volunteer.id == vid).values(
                registered_on=applied + timedelta(days=3), status=Status.REGISTERED.value,
            ).execution_options(synchronize_session="fetch"))
            ids.append(vid)
        return ids

    def activities(self, volunteer_ids: list[int]) -> None:
        """Completed activities over the last year, each with the hours of those who came."""
        for n in range(self.spec.activities):
            item = self.menu[n % len(self.menu)]
            day = self.today - timedelta(days=12 + n * (330 // max(1, self.spec.activities)) + self.rng.randint(0, 9))
            starts = datetime.combine(day, time(9 if n % 2 else 14, 0))
            ends = starts + timedelta(hours=2)
            joined = [v for v in volunteer_ids if self._registered_by(v, day)]
            if not joined:
                continue
            aid = activities.create_activity(self.session, self.admin, activities.ActivityInput(
                title=item.name, starts_at=starts, ends_at=ends, place=f"{self.spec.name.removesuffix('物业志愿服务站')}活动室",
                service_item_id=item.id, volunteers_needed=10, required_training=None, skills=[],
            ), now=starts - timedelta(days=7))
            activities.set_status(self.session, self.admin, aid, "in_progress", now=starts)
            activities.set_status(self.session, self.admin, aid, "done", now=ends + timedelta(minutes=15))
            came = self.rng.sample(joined, min(len(joined), self.rng.randint(4, 9)))
            ledger.record_activity_hours(self.session, self.admin, aid, [ledger.EntryLine(v) for v in came],
                                         now=ends + timedelta(hours=2))

    def _registered_by(self, volunteer_id: int, day: date) -> bool:
        registered = self.session.scalar(select(Volunteer.registered_on).where(Volunteer.id == volunteer_id))
        return registered is not None and registered <= day

    def hours(self, keen: list[int]) -> None:
        """Everyday services by the keenest volunteers: enough for a first star, which the 站长 confirms."""
        for vid in keen:
            registered = self.session.scalar(select(Volunteer.registered_on).where(Volunteer.id == vid))
            target = STAR_THRESHOLDS[0] + self.rng.randint(2, 30) * 60
            done, day = 0, registered + timedelta(days=2)
            while done < target and day < self.today:
                item = self.rng.choice(self.menu)
                starts = datetime.combine(day, time(self.rng.choice((9, 14, 19)), 0))
                minutes = self.rng.choice((120, 180, 240))
                ledger.record_single(self.session, self.admin, ledger.SingleInput(
                    volunteer_id=vid, service_item_id=item.id, place=f"{self.spec.name.removesuffix('物业志愿服务站')}",
                    starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                ), now=starts + timedelta(minutes=minutes + 60))
                done += minutes
                day += timedelta(days=self.rng.randint(4, 9))
            level = star_level(done)
            if level:
                stars.confirm_award(self.session, self.admin, vid, level, self.today - timedelta(days=self.rng.randint(1, 20)))

    def demand(self) -> None:
        """A household's need, a project designed from it and its recruitment notice."""
        gender = self.rng.choice(("男", "女"))
        rid = recipients.create_recipient(self.session, self.admin, recipients.RecipientInput(
            name=self.gen.name(gender, 1940), gender=gender, birth_date=date(1940, 3, 8), building="2 栋", phone=self.gen.phone(),
        ), today=self.today)
        item = self.menu[0]
        need_id = needs.add_need(self.session, self.admin, needs.NeedInput(recipient_id=rid, service_item_id=item.id),
                                 raised_on=self.today - timedelta(days=40))
        pid = projects.create_project(self.session, self.admin, projects.ProjectInput(
            name=f"邻里守望·{item.name}", category=item.category, goal="每周为小区有需要的住户提供上门服务。",
            starts_on=self.today - timedelta(days=30), ends_on=self.today + timedelta(days=150),
            lead_social_worker="社工 " + self.gen.name("女", 1990),
        ), [need_id])
        recruitment.publish_recruitment(self.session, self.admin, recruitment.RecruitmentInput(
            project_id=pid, title=f"招募：{item.name}志愿者", requirements="热心公益，每月能参加两次以上。", slots=10,
            deadline=self.today + timedelta(days=20), contact_name=self.spec.contact, contact_phone=self.spec.phone,
        ), today=self.today - timedelta(days=3))

    def honour(self, volunteer_id: int) -> None:
        title = next(t for t in honours.list_titles(self.session, self.admin, active_only=True)
                     if t.target_kind == "volunteer")
        honours.award_honour(self.session, self.admin, honours.HonourInput(
            title_id=title.id, target_id=volunteer_id, awarded_on=self.today - timedelta(days=25),
            issuer=f"{self.spec.community}居民委员会", citation="长期坚持服务小区居民，热心助人，带动邻里参与志愿服务。",
        ))


__all__ = ["CITY_ADMIN", "STATIONS", "TOWN_ADMIN", "build_city_demo"]
