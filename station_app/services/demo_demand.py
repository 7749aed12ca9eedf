"""Demand-side demo data: households of the key groups, their visits and needs, the projects
designed from them, recruitment notices and applications.

Everything goes through the services the screens use (so histories, audit entries and rules
are real); only the registration dates of households are moved into the past afterwards, so
the overdue-visit list has something to show. The pools are data, in
``resources/data/demo_demand.json``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import (
    Need,
    NeedStatusChange,
    Project,
    Recipient,
    Recruitment,
    RecruitmentApplication,
    Skill,
    Station,
    Team,
    Volunteer,
    volunteer_skills,
)
from ..resources import load_json
from .auth import Actor
from .catalogue import list_key_groups, list_menu
from .needs import NeedInput, NeedStatus, change_need_status, list_needs
from .projects import ProjectInput, create_project
from .recipients import RecipientInput, VisitInput, create_recipient, record_visit
from .recruitment import RecruitmentInput, apply_new_resident, apply_volunteer, publish_recruitment
from .validation import age_on
from .volunteers import Status, VolunteerInput, register_volunteer

METHODS = (("home", 0.6), ("phone", 0.25), ("online", 0.1), ("suggestion_box", 0.05))
URGENCY = (("normal", 0.6), ("soon", 0.3), ("urgent", 0.1))
# The guardian or contact person: born how many years after the recipient, and their gender.
GUARDIAN_YEARS = {"儿子": 27, "女儿": 27, "侄子": 30, "祖母": -55, "祖父": -57, "母亲": -30, "父亲": -32,
                  "妻子": -2, "丈夫": 2}
GUARDIAN_GENDER = {"儿子": "男", "女儿": "女", "侄子": "男", "祖母": "女", "祖父": "男", "母亲": "女", "父亲": "男",
                   "妻子": "女", "丈夫": "男"}
SAME_SURNAME = frozenset({"儿子", "女儿", "侄子", "父亲", "祖父"})
# How many residents sign up through the notices (one per project, as long as volunteers remain).
DEMAND_NEW_RESIDENTS = 3
CLOSE_REASONS = ("家属已自行解决", "服务对象表示暂时不需要", "已转介街道民政办跟进")


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _years_ago(today: date, years: int, rng: random.Random) -> date:
    return date(today.year - years, rng.randint(1, 12), rng.randint(1, 28))


def build_demand_demo(
    session: Session, admin: Actor, clerk: Actor, rng: random.Random, gen, today: date,  # noqa: ANN001 - PersonGenerator
    *, new_residents: int = DEMAND_NEW_RESIDENTS,
) -> None:
    """Add the demand side to a freshly built demo station (inside the demo's unit of work).

    ``new_residents`` residents sign up through the notices, each becoming a volunteer in 申请中.
    """
    spec = load_json("demo_demand.json")
    groups = {g.name: g.id for g in list_key_groups(session, admin)}
    menu = {i.name: i.id for i in list_menu(session, admin)}
    leaders = spec["visitors"]["building_leaders"]

    for household in spec["households"]:
        for _n in range(household["count"]):
            age = rng.randint(*household["age"])
            gender = rng.choice(("男", "女"))
            birth = _years_ago(today, age, rng)
            name = gen.name(gender, birth.year)
            child = age < 18
            building, unit, room = gen.address(True)
            guardian_relation = rng.choice(household["guardian"])
            guardian_year = min(birth.year + GUARDIAN_YEARS[guardian_relation], today.year - 20)
            guardian = gen.name(GUARDIAN_GENDER[guardian_relation], guardian_year)
            if guardian_relation in SAME_SURNAME and len(guardian) == len(name):
                guardian = name[0] + guardian[1:]  # children and grandchildren share the family name
            recipient_id = create_recipient(
                session,
                clerk,
                RecipientInput(
                    name=name, gender=gender, birth_date=birth, building=building, unit=unit, room=room,
                    phone="" if child or rng.random() < 0.3 else gen.phone(),
                    guardian_name=guardian, guardian_relation=guardian_relation, guardian_phone=gen.phone(),
                    key_group_ids=[groups[g] for g in household["groups"]],
                    notes=rng.choice(("", "", "耳背，上门请多敲几次门", "白天家中无人，建议晚上联系")),
                ),
                today=today,
            )
            registered = today - timedelta(days=rng.randint(40, 240))
            session.execute(
                update(Recipient).where(Recipient.id == recipient_id).values(
                    created_at=datetime.combine(registered, time(9, 30)).astimezone(),
                )
            )
            _visits(session, clerk, rng, household, recipient_id, registered, today, menu, leaders)

    _work_the_needs(session, clerk, rng)
    left = new_residents
    for project in spec["projects"]:
        left -= _project(session, admin, clerk, rng, gen, project, groups, today, new_resident=left > 0)
    for _n in range(left):  # a project found no needs to answer: its resident applies at the desk instead
        register_volunteer(session, clerk, _resident(gen.person(Status.APPLYING, today), []), today=today)
    _spread_over_time(session, rng, today)


def _moment(day: date, rng: random.Random) -> datetime:
    """A time in office hours on ``day``, local time."""
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))).astimezone()


def _spread_over_time(session: Session, rng: random.Random, today: date) -> None:
    """The services stamp everything with the moment the demo was built; spread the needs' histories,
    the notices and the sign-ups over the weeks they would really have taken."""
    changes = session.execute(
        select(NeedStatusChange.id, Need.id, Need.raised_on, Project.starts_on)
        .join(Need, Need.id == NeedStatusChange.need_id)
        .outerjoin(Project, Project.id == NeedStatusChange.project_id)
        .order_by(Need.id, NeedStatusChange.id)
    ).all()
    cursor: date = today
    current_need = None
    for change_id, need_id, raised_on, project_starts in changes:
        if need_id != current_need:  # the first step: recorded on the day it was raised
            current_need, day = need_id, raised_on
        else:  # each later step some days after the one before (linking: once the project runs)
            earliest = max(cursor + timedelta(days=1), project_starts or cursor)
            day = min(earliest + timedelta(days=rng.randint(0, max((today - earliest).days, 0) // 2)), today)
        cursor = day
        session.execute(update(NeedStatusChange).where(NeedStatusChange.id == change_id)
                        .values(changed_at=_moment(day, rng)))
    for notice_id, starts_on in session.execute(
        select(Recruitment.id, Project.starts_on).join(Project, Project.id == Recruitment.project_id)
    ):
        published = starts_on + timedelta(days=1)
        session.execute(update(Recruitment).where(Recruitment.id == notice_id).values(published_at=_moment(published, rng)))
        span = max((today - published).days, 0)
        for application_id in session.scalars(
            select(RecruitmentApplication.id).where(RecruitmentApplication.recruitment_id == notice_id)
            .order_by(RecruitmentApplication.id)
        ):
            day = published + timedelta(days=rng.randint(0, span))
            session.execute(update(RecruitmentApplication).where(RecruitmentApplication.id == application_id)
                            .values(applied_at=_moment(day, rng)))


def _visits(session: Session, clerk: Actor, rng: random.Random, household: dict, recipient_id: int,
            registered: date, today: date, menu: dict[str, int], leaders: list[str]) -> None:
    """One to four visits since registration; the first finds most of the needs."""
    span = (today - registered).days
    days = sorted(rng.sample(range(0, span), k=min(span, rng.randint(1, 4))))
    # A few households fall behind: their last visit was long ago.
    if rng.random() < 0.3:
        days = [d for d in days if d < span - 45] or days[:1]
    asked: set[str] = set()
    for n, offset in enumerate(days):
        by_leader = rng.random() < 0.35
        needs: list[NeedInput] = []
        count = rng.randint(1, 2) if n == 0 else int(rng.random() < 0.35)
        fresh = [item for item in household["needs"] if item not in asked]  # nobody asks twice for the same
        for item in rng.sample(fresh, k=min(count, len(fresh))):
            asked.add(item)
            needs.append(NeedInput(recipient_id, service_item_id=menu[item], urgency=_pick(rng, URGENCY),
                                   preferred_note=rng.choice(("", "周末上午", "工作日下午", "晚饭后"))))
        free = [text for text in household["free_needs"] if text not in asked]
        if free and rng.random() < 0.25:
            asked.add(text := rng.choice(free))
            needs.append(NeedInput(recipient_id, free_text=text, urgency=_pick(rng, URGENCY)))
        record_visit(
            session,
            clerk,
            VisitInput(
                recipient_id=recipient_id, visited_on=registered + timedelta(days=offset),
                visitor_kind="building_leader" if by_leader else "staff",
                visitor_name=rng.choice(leaders) if by_leader else clerk.display_name,
                method=_pick(rng, METHODS), findings=rng.choice(household["findings"]),
            ),
            needs,
            today=today,
        )


def _work_the_needs(session: Session, clerk: Actor, rng: random.Random) -> None:
    """Staff have assessed most needs and closed a few; the newest still wait for assessment."""
    for need in list_needs(session, clerk):
        roll = rng.random()
        if roll < 0.08:
            change_need_status(session, clerk, need.id, NeedStatus.CLOSED, rng.choice(CLOSE_REASONS))
        elif roll < 0.7:
            change_need_status(session, clerk, need.id, NeedStatus.PENDING_MATCH)


def _project(session: Session, admin: Actor, clerk: Actor, rng: random.Random, gen, spec: dict,  # noqa: ANN001
             groups: dict[str, int], today: date, *, new_resident: bool) -> bool:
    """A project from the unmet needs it answers, its recruitment notice and some applicants.

    Returns whether a new resident signed up (as ``new_resident`` asks, if the project was made)."""
    wanted = set(spec["needs_from"])
    need_ids = [n.id for n in list_needs(session, clerk) if n.status == NeedStatus.PENDING_MATCH and n.what in wanted]
    if not need_ids:
        return False
    need_ids = need_ids[: max(1, int(len(need_ids) * 0.8))]  # some needs still wait for the next project
    team_id = session.scalar(select(Team.id).where(Team.station_id == admin.station_id, Team.name == spec["team"]))
    starts = today - timedelta(days=rng.randint(10, 40))
    project_id = create_project(
        session,
        clerk,
        ProjectInput(
            name=spec["name"], category=spec["category"], key_group_ids=[groups[g] for g in spec["groups"]],
            goal=spec["goal"], starts_on=starts, ends_on=starts + timedelta(days=30 * spec["months"]),
            lead_social_worker=spec["lead"], partner_team_id=team_id,
        ),
        need_ids,
    )
    # The first needs of a running project have been served already.
    for need_id in need_ids[: len(need_ids) // 3]:
        change_need_status(session, clerk, need_id, NeedStatus.DONE)

    notice = spec["recruitment"]
    station_phone = session.scalar(select(Station.contact_phone).where(Station.id == admin.station_id)) or gen.phone()
    recruitment_id = publish_recruitment(
        session,
        clerk,
        RecruitmentInput(
            project_id=project_id, title=notice["title"], requirements=notice["requirements"],
            skills=notice["skills"], min_age=notice["min_age"], max_age=notice["max_age"],
            service_time_note=notice["time_note"], slots=notice["slots"],
            deadline=today + timedelta(days=notice["days"]), contact_name=spec["lead"], contact_phone=station_phone,
        ),
        today=today,
    )
    # Registered volunteers with a matching skill and of the right age sign up, about half the slots.
    candidates = list(
        session.execute(
            select(Volunteer.id, Volunteer.birth_date)
            .join(volunteer_skills, volunteer_skills.c.volunteer_id == Volunteer.id)
            .join(Skill, Skill.id == volunteer_skills.c.skill_id)
            .where(Volunteer.station_id == admin.station_id, Volunteer.status == Status.REGISTERED.value,
                   Skill.name.in_(notice["skills"]))
            .order_by(Volunteer.id)
            .distinct()
        )
    )
    fitting = [vid for vid, birth in candidates if notice["min_age"] <= age_on(birth, today) <= notice["max_age"]]
    for volunteer_id in rng.sample(fitting, k=min(len(fitting), notice["slots"] // 2)):
        apply_volunteer(session, clerk, recruitment_id, volunteer_id, today=today)
    # One resident saw the poster and came to the station: a new application for the roster's review.
    if not new_resident:
        return False
    person = gen.person(Status.APPLYING, today)
    while not notice["min_age"] <= age_on(person.birth_date, today) <= notice["max_age"]:
        person = gen.person(Status.APPLYING, today)
    apply_new_resident(
        session, clerk, recruitment_id, _resident(person, notice["skills"][:1]),
        note="看到小区公告栏的招募海报来报名", today=today,
    )
    return True


def _resident(person, skills: list[str]) -> VolunteerInput:  # noqa: ANN001 - a DemoPerson
    return VolunteerInput(
        name=person.name, id_number=person.id_number, phone=person.phone, political_status=person.political_status,
        is_owner=person.is_owner, building=person.building, unit=person.unit, room=person.room,
        skills=skills, availability=person.availability,
    )
