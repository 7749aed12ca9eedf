"""Two stations in one database (the city-wide PostgreSQL mode): each sees and changes only its own rows."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from station_app.db import Database, open_database
from station_app.errors import DuplicateError, NotFound
from station_app.models import ServiceItem, User
from station_app.services import (
    activities,
    city,
    honours,
    ledger,
    ledger_views,
    needs,
    overview,
    projects,
    recipients,
    recruitment,
    stars,
    teams,
    timebank,
    training,
)
from station_app.services import volunteers as vol
from station_app.services.auth import Actor, Role, authenticate
from station_app.services.stations import StationSetup

from .conftest import setup_station
from .idnumbers import make_id

PASSWORD = "station-2014"


def second_station(database: Database, code: str = "DQ0201", admin: str = "zhuyuan") -> Actor:
    """A city administrator (set up once) adds another station; returns its 站长."""
    with database.session() as session:
        if not city.has_city_admin(session):
            city.first_city_admin(session, city="中山市", username="city", display_name="市志愿者联合会", password=PASSWORD)
    with database.session() as session:
        city_actor = authenticate(session, "city", PASSWORD)
    with database.session() as session:
        station_id = city.create_station(session, city_actor, StationSetup(
            city="中山市", town="东区街道", community="竹苑社区", station_name=f"竹苑物业志愿服务站{code}",
            station_code=code, address="中山市东区竹苑路6号", contact_person="冯站长", contact_phone="0760-88345678",
            admin_username=admin, admin_display_name="冯站长", admin_password=PASSWORD, admin_password_confirm=PASSWORD,
        ))
    with database.session() as session:
        user = session.scalar(select(User).where(User.username == admin))
        return Actor(user.id, user.username, user.display_name, Role.ADMIN, station_id)


@dataclass(frozen=True)
class Rows:
    volunteer: int
    record: int
    recipient: int
    need: int
    activity: int
    project: int
    notice: int
    team: int


def populate(database: Database, admin: Actor, *, person: str, resident: str, sequence: str) -> Rows:
    """A registered volunteer with hours, a household with a need, a project, a notice and an activity."""
    today = date.today()
    now = datetime.now()
    with database.session() as s:
        item = s.scalars(select(ServiceItem).where(ServiceItem.station_id == admin.station_id,
                                                   ServiceItem.active.is_(True)).order_by(ServiceItem.id)).first()
        vid = vol.register_volunteer(s, admin, vol.VolunteerInput(
            name=person, id_number=make_id("442000", "19900101", sequence), phone="13912345678"))
        vol.review_volunteer(s, admin, vid, approve=True)
        record = ledger.record_single(s, admin, ledger.SingleInput(
            volunteer_id=vid, service_item_id=item.id, place="小区活动室",
            starts_at=datetime.combine(today, time(7, 0)), ends_at=datetime.combine(today, time(8, 30))), now=now)
        rid = recipients.create_recipient(s, admin, recipients.RecipientInput(
            name=resident, gender="女", birth_date=date(1940, 1, 1), phone="13812345678"))
        need_id = needs.add_need(s, admin, needs.NeedInput(recipient_id=rid, service_item_id=item.id))
        other_need = needs.add_need(s, admin, needs.NeedInput(recipient_id=rid, free_text="陪同复诊"))
        pid = projects.create_project(s, admin, projects.ProjectInput(
            name=f"{person}的项目", category=item.category, starts_on=today, ends_on=today + timedelta(days=60),
            lead_social_worker="刘社工"), [need_id])
        notice = recruitment.publish_recruitment(s, admin, recruitment.RecruitmentInput(
            project_id=pid, title=f"{person}招募", slots=5, deadline=today + timedelta(days=10),
            contact_name="联系人", contact_phone="13912345678"))
        tomorrow = datetime.combine(today + timedelta(days=1), time(9, 0))
        aid = activities.create_activity(s, admin, activities.ActivityInput(
            title=f"{person}的活动", starts_at=tomorrow, ends_at=tomorrow + timedelta(hours=2), place="活动室",
            service_item_id=item.id, volunteers_needed=5, required_training=None, skills=[]))
        team_id = next(t.id for t in teams.list_teams(s, admin))
        assert other_need
    return Rows(vid, record, rid, need_id, aid, pid, notice, team_id)


@pytest.fixture
def two(db: Database) -> tuple[Database, Actor, Rows, Actor, Rows]:
    a = setup_station(db)
    b = second_station(db)
    rows_a = populate(db, a, person="张三丰", resident="王阿婆", sequence="111")
    rows_b = populate(db, b, person="李四海", resident="赵阿公", sequence="222")
    return db, a, rows_a, b, rows_b


def _names_seen(database: Database, actor: Actor) -> dict[str, set[str]]:
    today = date.today()
    with database.session(write=False) as s:
        roster = vol.roster_rows(s, actor, vol.roster_ids(s, actor, vol.RosterFilter()))
        ov = overview.station_overview(s, actor, today)
        return {
            "roster": {r.name for r in roster.values()},
            "search": {r.name for r in vol.roster_rows(s, actor, vol.roster_ids(s, actor, vol.RosterFilter(text="1391"))).values()},
            "recipients": {r.name for r in recipients.list_recipients(s, actor)},
            "needs": {n.recipient_name for n in needs.list_needs(s, actor, needs.NeedFilter())},
            "projects": {p.name for p in projects.list_projects(s, actor)},
            "notices": {r.title for r in recruitment.list_recruitments(s, actor)},
            "activities": {a.title for a in activities.list_activities(s, actor, activities.ActivityFilter())},
            "ledger": {r.volunteer_name for r in ledger.ledger_rows(s, actor)},
            "stars": {r.name for r in stars.star_overview(s, actor, limit=None).rows},
            "overview": {n.recipient_name for n in ov.longest_open},
            "month": {line.name for line in ledger_views.month_ledger(s, actor, today.year, today.month).lines},
            "bank": {e.volunteer_name for e in timebank.station_ledger(s, actor, today - timedelta(days=1), today).entries},
        }


def test_each_station_lists_only_its_own(two):
    db, a, _rows_a, b, _rows_b = two
    seen_a, seen_b = _names_seen(db, a), _names_seen(db, b)
    for key in ("roster", "search", "ledger", "stars", "month"):
        assert seen_a[key] == {"张三丰"}, key
        assert seen_b[key] == {"李四海"}, key
    for key in ("recipients", "needs", "overview"):
        assert seen_a[key] == {"王阿婆"}, key
        assert seen_b[key] == {"赵阿公"}, key
    assert seen_a["projects"] == {"张三丰的项目"} and seen_b["projects"] == {"李四海的项目"}
    assert seen_a["notices"] == {"张三丰招募"} and seen_b["notices"] == {"李四海招募"}
    assert seen_a["activities"] == {"张三丰的活动"} and seen_b["activities"] == {"李四海的活动"}
    assert seen_a["bank"] == seen_b["bank"] == set()
    with db.session(write=False) as s:
        assert honours.honours_of(s, a, "volunteer", _rows_b.volunteer) == []
    with db.session(write=False) as s:
        assert sum(vol.count_by_status(s, a).values()) == 1
        assert stars.level_distribution(s, b)[0] == 1


def test_by_id_access_across_stations_is_refused(two):
    db, a, rows_a, _b, rows_b = two
    today = date.today()
    reads = [
        lambda s: vol.get_volunteer(s, a, rows_b.volunteer),
        lambda s: recipients.get_recipient(s, a, rows_b.recipient),
        lambda s: recipients.list_visits(s, a, rows_b.recipient),
        lambda s: needs.need_history(s, a, rows_b.need),
        lambda s: projects.get_project(s, a, rows_b.project),
        lambda s: recruitment.get_recruitment(s, a, rows_b.notice),
        lambda s: recruitment.poster_data(s, a, rows_b.notice),
        lambda s: activities.get_activity(s, a, rows_b.activity),
        lambda s: activities.roster_data(s, a, rows_b.activity),
        lambda s: ledger.ledger_row(s, a, rows_b.record),
        lambda s: ledger.line_history(s, a, rows_b.record),
        lambda s: ledger_views.volunteer_ledger(s, a, rows_b.volunteer),
        lambda s: ledger_views.activity_ledger(s, a, rows_b.activity),
        lambda s: ledger_views.project_ledger(s, a, rows_b.project),
        lambda s: ledger_views.team_ledger(s, a, rows_b.team, today.replace(month=1, day=1), today),
        lambda s: stars.volunteer_awards(s, a, rows_b.volunteer),
        lambda s: stars.find(s, a, rows_b.volunteer),
        lambda s: timebank.balance(s, a, rows_b.volunteer),
        lambda s: training.volunteer_training_history(s, a, rows_b.volunteer),
    ]
    for n, read in enumerate(reads):
        with db.session(write=False) as s, pytest.raises(NotFound):
            read(s)
            pytest.fail(f"read {n} saw another station's row")
    writes = [
        lambda s: vol.change_status(s, a, rows_b.volunteer, vol.Status.SUSPENDED, "暂停"),
        lambda s: vol.review_volunteer(s, a, rows_b.volunteer, approve=False, reason="不通过"),
        lambda s: needs.change_need_status(s, a, rows_b.need, needs.NeedStatus.CLOSED, "关闭"),
        lambda s: projects.close_project(s, a, rows_b.project, "结束"),
        lambda s: recruitment.close_recruitment(s, a, rows_b.notice, "结束"),
        lambda s: recruitment.apply_volunteer(s, a, rows_a.notice, rows_b.volunteer),
        lambda s: activities.set_status(s, a, rows_b.activity, "cancelled", "取消"),
        lambda s: activities.delete_activity(s, a, rows_b.activity),
        lambda s: ledger.request_correction(s, a, rows_b.record, None, None, 30, "更正"),
        lambda s: ledger.decide(s, a, rows_b.record, True, "批准"),
        lambda s: stars.confirm_award(s, a, rows_b.volunteer, 1, today),
        lambda s: recipients.set_recipient_active(s, a, rows_b.recipient, False, "搬走"),
        lambda s: teams.update_team(s, a, rows_b.team, teams.TeamInput(name="改名")),
    ]
    for n, write in enumerate(writes):
        with pytest.raises(NotFound):
            with db.session() as s:
                write(s)
            pytest.fail(f"write {n} changed another station's row")
    # Nothing of station B moved.
    with db.session(write=False) as s:
        b = _b
        assert vol.get_volunteer(s, b, rows_b.volunteer).status == vol.Status.REGISTERED
        assert activities.get_activity(s, b, rows_b.activity).status == "planned"
        assert projects.get_project(s, b, rows_b.project).status == "active"
        assert ledger.ledger_row(s, b, rows_b.record).line.minutes == 90


def test_an_id_number_registered_elsewhere_is_refused_without_naming_the_person(two):
    db, a, _rows_a, _b, _rows_b = two
    with db.session() as s, pytest.raises(DuplicateError) as refused:
        vol.register_volunteer(s, a, vol.VolunteerInput(
            name="李四海", id_number=make_id("442000", "19900101", "222"), phone="13912345678"))
    assert "其他站点" in refused.value.message and "李四海" not in refused.value.message
    assert refused.value.existing_id is None  # the form offers nothing to open


@pytest.mark.postgres
def test_two_concurrent_station_sessions_on_postgresql(pg_url, tmp_path):
    """Two PCs at two stations at once: interleaved registrations and hours, each its own engine; both commit."""
    setup_db = open_database(pg_url, backup_dir=tmp_path / "b0")
    a = setup_station(setup_db)
    b = second_station(setup_db)
    setup_db.dispose()
    engines = [open_database(pg_url, backup_dir=tmp_path / f"b{n}") for n in (1, 2)]
    barrier = threading.Barrier(2, timeout=60)
    errors: list[BaseException] = []
    seen_mid: dict[str, set[str]] = {}
    names = {"A": ("陈一", "陈二", "陈三"), "B": ("林一", "林二", "林三")}

    def work(tag: str, database: Database, actor: Actor, sequence: int) -> None:
        try:
            today, now = date.today(), datetime.now()
            with database.session() as s:
                item = s.scalar(select(ServiceItem.id).where(ServiceItem.station_id == actor.station_id).limit(1))
                ids = []
                for n, name in enumerate(names[tag]):
                    barrier.wait()  # one registration each, in step: the two transactions interleave
                    vid = vol.register_volunteer(s, actor, vol.VolunteerInput(
                        name=name, id_number=make_id("442000", f"1985010{n + 1}", f"{sequence}{n}1"),
                        phone="13912345678"))
                    vol.review_volunteer(s, actor, vid, approve=True)
                    ids.append(vid)
                for n, vid in enumerate(ids):
                    barrier.wait()
                    ledger.record_single(s, actor, ledger.SingleInput(
                        volunteer_id=vid, service_item_id=item, place="活动室",
                        starts_at=datetime.combine(today, time(6 + n, 0)),
                        ends_at=datetime.combine(today, time(6 + n, 45))), now=now)
                barrier.wait()  # both transactions open, neither committed: each sees its own only
                seen_mid[tag] = {r.volunteer_name for r in ledger.ledger_rows(s, actor)}
            barrier.wait()
        except BaseException as exc:  # reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=work, args=("A", engines[0], a, 1)),
               threading.Thread(target=work, args=("B", engines[1], b, 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    try:
        assert errors == []
        assert seen_mid == {"A": set(names["A"]), "B": set(names["B"])}
        for database, actor, tag in ((engines[0], b, "B"), (engines[1], a, "A")):  # the other PC's engine
            with database.session(write=False) as s:
                rows = ledger.ledger_rows(s, actor)
                assert {r.volunteer_name for r in rows} == set(names[tag])  # both committed
                assert sum(r.line.minutes for r in rows) == 3 * 45
                numbers = {v.volunteer_no for v in vol.roster_rows(
                    s, actor, vol.roster_ids(s, actor, vol.RosterFilter())).values()}
                code = "SQ0101" if actor is a else "DQ0201"
                assert numbers == {f"{code}-{n:06d}" for n in (1, 2, 3)}
    finally:
        for database in engines:
            database.dispose()
