"""City-wide mode: the dashboard adds up, its checklist is evidenced, each administrator sees their scope only."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from station_app.cli import main
from station_app.db import Database, open_database
from station_app.errors import DuplicateError, PermissionDenied, ValidationError
from station_app.models import AuditEntry, ServiceItem, Station, Team, User
from station_app.services import activities, city, ledger_export, projects, recruitment, stations, training
from station_app.services import volunteers as vol
from station_app.services.auth import Actor, Role, authenticate
from station_app.services.demo import DEMO_PASSWORD, build_demo
from station_app.services.demo_city import STATIONS
from station_app.services.hours import counted_minutes
from station_app.services.stations import StationSetup

from .conftest import pg_schema, setup_station
from .idnumbers import make_id

TODAY = date.today()
PASSWORD = "station-2014"


def login(database: Database, username: str, password: str = DEMO_PASSWORD) -> Actor:
    with database.session() as session:
        return authenticate(session, username, password)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def city_demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The demo with its city part (five stations, two towns), built once per database for the tests that read it."""
    with ExitStack() as stack:
        tmp = tmp_path_factory.mktemp("city")
        url = f"sqlite:///{tmp / 'city.db'}" if request.param == "sqlite" else stack.enter_context(pg_schema())
        database = open_database(url, backup_dir=tmp / "backups")
        stack.callback(database.dispose)
        build_demo(database, volunteers=40, city=True)
        yield database


def test_dashboard_totals_are_the_sum_of_the_stations(city_demo):
    actor = login(city_demo, "city")
    with city_demo.session(write=False) as s:
        dash = city.dashboard(s, actor, TODAY.year)
        station_count = len(s.scalars(select(Station.id)).all())
    assert len(dash.stations) == station_count == 1 + len(STATIONS)
    assert {t.name for t in dash.towns} == {"石岐街道", "东区街道"}
    parts = [s.figures for s in dash.stations]
    f = dash.figures
    assert f.volunteers == sum(p.volunteers for p in parts) > 0
    assert f.minutes == sum(p.minutes for p in parts) > 0
    assert f.by_month == tuple(sum(p.by_month[m] for p in parts) for m in range(12))
    for category in city.CATEGORIES:
        assert f.by_category[category] == sum(p.by_category[category] for p in parts)
    for level in range(1, 6):
        assert f.stars[level] == sum(p.stars[level] for p in parts)
    assert sum(f.by_category.values()) == sum(f.by_month) == f.minutes
    for town in dash.towns:
        assert town.figures.minutes == sum(s.figures.minutes for s in town.stations)
        assert town.figures.volunteers == sum(s.figures.volunteers for s in town.stations)
    assert sum(t.figures.minutes for t in dash.towns) == f.minutes
    assert f.stars[1] > 0  # the demo's keen volunteers were confirmed


def test_station_figures_match_what_the_station_itself_counts(city_demo):
    """The hours the city sees are the hours the station's ledger counts; the volunteers its roster counts."""
    actor = login(city_demo, "city")
    with city_demo.session(write=False) as s:
        dash = city.dashboard(s, actor, TODAY.year)
        for figures in dash.stations:
            head = s.scalar(select(User).where(User.station_id == figures.station_id, User.role == "admin"))
            station_admin = Actor(head.id, head.username, head.display_name, Role.ADMIN, figures.station_id)
            now = counted_minutes(s, figures.station_id, until=date(TODAY.year, 12, 31))
            before = counted_minutes(s, figures.station_id, until=date(TODAY.year - 1, 12, 31))
            assert figures.figures.minutes == sum(now.values()) - sum(before.values())
            assert figures.figures.volunteers == vol.count_by_status(s, station_admin)[vol.Status.REGISTERED]
            from station_app.services import stars

            confirmed = [r.confirmed_level for r in stars.star_overview(s, station_admin, limit=None).rows]
            assert {lv: confirmed.count(lv) for lv in range(1, 6)} == figures.figures.stars


def test_demo_checklist_is_evidenced(city_demo):
    actor = login(city_demo, "city")
    with city_demo.session(write=False) as s:
        dash = city.dashboard(s, actor, TODAY.year)
    by_code = {s.code: s for s in dash.stations}
    model = by_code["SQ0102"]
    assert model.demonstration_ready and [c.label for c in model.checklist] == [label for _k, label in city.CHECKS]
    rules = next(c for c in model.checklist if c.key == "rules")
    assert "骨干认定规则" in rules.evidence and "时长审批上限" in rules.evidence
    new = by_code["DQ0202"]
    site = next(c for c in new.checklist if c.key == "site")
    assert not site.ok and "缺：地址、联系电话" in site.evidence
    team = next(c for c in new.checklist if c.key == "team")
    assert not team.ok and "需 ≥ 20" in team.evidence
    assert not new.demonstration_ready
    assert by_code["DQ0203"].note.startswith("离线站点（数据包导入，截至 ")
    assert by_code["SQ0101"].note == ""
    assert dash.demonstration_ready == sum(s.passed == 6 for s in dash.stations) >= 2


def test_town_administrator_sees_only_their_town(city_demo):
    town_admin = login(city_demo, "shiqi")
    with city_demo.session(write=False) as s:
        dash = city.dashboard(s, town_admin, TODAY.year)
        whole = city.dashboard(s, login(city_demo, "city"), TODAY.year)
        listed = city.list_stations(s, town_admin)
    assert dash.scope.label == "石岐街道" and dash.scope.town_id is not None
    assert {s.code for s in dash.stations} == {"SQ0101", "SQ0102"} == {r.code for r in listed}
    shiqi = next(t for t in whole.towns if t.name == "石岐街道")
    assert dash.figures == shiqi.figures
    assert dash.figures.minutes < whole.figures.minutes


def test_dashboard_exports_to_excel(city_demo, tmp_path):
    actor = login(city_demo, "city")
    with city_demo.session(write=False) as s:
        dash = city.dashboard(s, actor, TODAY.year)
    path = ledger_export.write_xlsx(city.dashboard_document(dash), tmp_path / "dash.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["各镇区", "各站点", "按类别", "按月份", "示范站点六有"]
    sheet = book["示范站点六有"]
    texts = [str(c.value) for row in sheet.iter_rows() for c in row if c.value]
    assert "悦来花园物业志愿服务站" in texts and "✓" in texts and "✗" in texts


# --- permissions, creating stations and administrators ---------------------------------------------
@pytest.fixture
def city_admin(db: Database) -> Actor:
    setup_station(db)
    with db.session() as s:
        city.first_city_admin(s, city="中山市", username="city", display_name="市志愿者联合会", password=PASSWORD)
    return login(db, "city", PASSWORD)


def _setup(code: str = "DQ0201", admin: str = "zhuyuan", **changes) -> StationSetup:
    values = dict(city="中山市", town="东区街道", community="竹苑社区", station_name="竹苑物业志愿服务站",
                  station_code=code, address="", contact_person="", contact_phone="", admin_username=admin,
                  admin_display_name="冯站长", admin_password=PASSWORD, admin_password_confirm=PASSWORD)
    values.update(changes)
    return StationSetup(**values)


def test_city_admin_adds_a_station_whose_head_can_log_in(db, city_admin):
    with db.session() as s:
        station_id = city.create_station(s, city_admin, _setup())
    head = login(db, "zhuyuan", PASSWORD)
    assert head.station_id == station_id and head.role is Role.ADMIN
    with db.session(write=False) as s:
        info = stations.station_info(s, head)
        assert (info.town, info.community, info.code) == ("东区街道", "竹苑社区", "DQ0201")
        assert len(s.scalars(select(Team).where(Team.station_id == station_id)).all()) >= 5  # its own teams
        assert s.scalars(select(ServiceItem).where(ServiceItem.station_id == station_id)).first() is not None
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "station")).one()
        assert entry.username == "city" and "竹苑物业志愿服务站" in entry.summary
        assert [r.code for r in city.list_stations(s, city_admin)] == ["SQ0101", "DQ0201"]
        assert next(r for r in city.list_stations(s, city_admin) if r.code == "DQ0201").heads == "zhuyuan"


def test_bad_stations_are_refused_and_nothing_is_added(db, city_admin):
    with pytest.raises(DuplicateError, match="SQ0101"), db.session() as s:
        city.create_station(s, city_admin, _setup(code="sq0101"))
    with pytest.raises(ValidationError, match="两次输入的密码不一致"), db.session() as s:
        city.create_station(s, city_admin, _setup(admin_password_confirm="other-pass"))
    with pytest.raises(ValidationError, match="站点编号"), db.session() as s:
        city.create_station(s, city_admin, _setup(code="竹苑"))
    with pytest.raises(DuplicateError, match="admin"), db.session() as s:
        city.create_station(s, city_admin, _setup(admin="admin"))
    with db.session(write=False) as s:
        assert len(s.scalars(select(Station.id)).all()) == 1


def test_permissions(db, city_admin):
    station_admin = login(db, "admin", PASSWORD)
    with db.session() as s:
        city.create_station(s, city_admin, _setup())
        town_id = s.scalar(select(Station.id))  # any id: refused before it is looked at
        town_id = city.town_id_named(s, "东区街道")
        city.create_admin(s, city_admin, username="dongqu", display_name="东区", role=Role.TOWN, password=PASSWORD,
                          town_id=town_id)
    town_admin = login(db, "dongqu", PASSWORD)
    with db.session() as s:
        for actor in (station_admin, town_admin):
            with pytest.raises(PermissionDenied):
                city.create_station(s, actor, _setup(code="DQ0299", admin="other"))
            with pytest.raises(PermissionDenied):
                city.create_admin(s, actor, username="x1", display_name="x", role=Role.CITY, password=PASSWORD)
        with pytest.raises(PermissionDenied):
            city.dashboard(s, station_admin, TODAY.year)
        # Above the stations, not inside one: a city administrator reads no station's roster.
        with pytest.raises(PermissionDenied):
            vol.roster_ids(s, city_admin, vol.RosterFilter())
        with pytest.raises(ValidationError, match="镇区"):
            city.create_admin(s, city_admin, username="x2", display_name="x", role=Role.TOWN, password=PASSWORD)
        with pytest.raises(ValidationError, match="站长"):
            city.create_admin(s, city_admin, username="x3", display_name="x", role=Role.ADMIN, password=PASSWORD)
        with pytest.raises(ValidationError, match="已经有市级管理员"):
            city.first_city_admin(s, city="中山市", username="x4", display_name="x", password=PASSWORD)
        assert [a.username for a in city.list_admins(s, city_admin)] == ["city", "dongqu"]
        assert [r.code for r in city.dashboard(s, town_admin, TODAY.year).stations] == ["DQ0201"]


def _run_activity(s, head: Actor, item_id: int, days_ago: int) -> None:
    starts = datetime.combine(TODAY - timedelta(days=days_ago), time(9, 0))
    aid = activities.create_activity(s, head, activities.ActivityInput(
        title=f"义诊{days_ago}", starts_at=starts, ends_at=starts + timedelta(hours=2), place="活动室",
        service_item_id=item_id, volunteers_needed=5, required_training=None, skills=[]),
        now=starts - timedelta(days=3))
    activities.set_status(s, head, aid, "in_progress", now=starts)
    activities.set_status(s, head, aid, "done", now=starts + timedelta(hours=2))


def test_checklist_follows_the_station_data(db, city_admin):
    """Each of the six turns ✓ when the station's own data shows it, with the facts in its evidence."""
    with db.session() as s:
        station_id = city.create_station(s, city_admin, _setup())
    head = login(db, "zhuyuan", PASSWORD)

    def checks() -> dict[str, city.CheckItem]:
        with db.session(write=False) as s:
            dash = city.dashboard(s, city_admin, TODAY.year)
        return {c.key: c for c in next(x for x in dash.stations if x.station_id == station_id).checklist}

    assert not any(c.ok for c in checks().values())
    with db.session() as s:
        stations.update_station(s, head, stations.StationEdit("竹苑物业志愿服务站", "中山市东区竹苑路6号", "冯伟强",
                                                              "0760-88345678"))
        team_id = s.scalar(select(Team.id).where(Team.station_id == station_id, Team.name == "助老服务队"))
        for n in range(city.MIN_REGISTERED_VOLUNTEERS):
            vid = vol.register_volunteer(s, head, vol.VolunteerInput(
                name="王" + "一二三四五六七八九十"[n % 10] + "甲乙"[n // 10], phone="13912345678",
                id_number=make_id("442000", f"1980{n // 28 + 1:02d}{n % 28 + 1:02d}", "515"),
                team_ids=[team_id] if n < city.MIN_OWN_TEAM_MEMBERS else []))
            vol.review_volunteer(s, head, vid, approve=True)
        item = s.scalars(select(ServiceItem).where(ServiceItem.station_id == station_id)).first()
        for days_ago in range(2, 2 + city.MIN_RECENT_ACTIVITIES):
            _run_activity(s, head, item.id, days_ago)
    got = checks()
    assert got["site"].ok and "中山市东区竹苑路6号" in got["site"].evidence
    assert got["team"].ok and f"已注册志愿者 {city.MIN_REGISTERED_VOLUNTEERS} 人" in got["team"].evidence
    assert got["activity"].ok and f"完成活动 {city.MIN_RECENT_ACTIVITIES} 次" in got["activity"].evidence
    assert not got["project"].ok and not got["rules"].ok and not got["publicity"].ok

    with db.session() as s:
        training.set_backbone_rule(s, head, training.BackboneRule(10, 8, 12))
        from station_app.services import needs, recipients

        rid = recipients.create_recipient(s, head, recipients.RecipientInput(
            name="黄阿婆", gender="女", birth_date=date(1938, 6, 12), phone="13812345678"))
        need = needs.add_need(s, head, needs.NeedInput(recipient_id=rid, service_item_id=item.id))
        pid = projects.create_project(s, head, projects.ProjectInput(
            name="银龄关爱", category=item.category, starts_on=TODAY, ends_on=TODAY + timedelta(days=90),
            lead_social_worker="李晓敏"), [need])
        recruitment.publish_recruitment(s, head, recruitment.RecruitmentInput(
            project_id=pid, title="招募银龄关爱志愿者", slots=5, deadline=TODAY + timedelta(days=10),
            contact_name="冯伟强", contact_phone="13912345678"))
    got = checks()
    assert all(c.ok for c in got.values())
    assert "银龄关爱" in got["project"].evidence
    assert "骨干认定规则" in got["rules"].evidence
    assert "发布招募 1 次" in got["publicity"].evidence


def test_first_start_of_a_city_needs_no_station(tmp_path):
    database = open_database(f"sqlite:///{tmp_path / 'c.db'}", backup_dir=tmp_path / "b")
    try:
        with database.session() as s:
            city.first_city_admin(s, city="中山市", username="city", display_name="市志愿者联合会", password=PASSWORD)
        actor = login(database, "city", PASSWORD)
        with database.session() as s:
            dash = city.dashboard(s, actor, TODAY.year)
            assert dash.stations == [] and dash.figures.minutes == 0 and dash.scope.label == "中山市"
            city.create_station(s, actor, _setup())
        with database.session(write=False) as s:
            assert [x.code for x in city.dashboard(s, actor, TODAY.year).stations] == ["DQ0201"]
    finally:
        database.dispose()


# --- the command line ---------------------------------------------------------------------------------
def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_city_setup_stations_admins_and_dashboard(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'city.db'}"
    code, out, _err = run(monkeypatch, capsys, ["--database", url, "init-city", "--admin", "city",
                                                "--admin-name", "市志愿者联合会", "--password-stdin"], f"{PASSWORD}\n")
    assert code == 0 and "city" in out
    code, out, err = run(monkeypatch, capsys, [
        "--database", url, "add-station", "--as", "city", "--password-stdin", "--admin-password-stdin",
        "--town", "东区街道", "--community", "竹苑社区", "--station", "竹苑物业志愿服务站", "--code", "dq0201",
        "--address", "中山市东区竹苑路6号", "--contact", "冯伟强", "--phone", "0760-88345678", "--admin", "zhuyuan",
    ], f"{PASSWORD}\nzhuyuan-2014\n")
    assert code == 0, err
    assert "DQ0201" in out
    code, out, err = run(monkeypatch, capsys, [
        "--database", url, "useradd", "--as", "city", "--username", "dongqu", "--role", "town", "--town", "东区街道",
        "--password-stdin"], f"{PASSWORD}\n{PASSWORD}\n")
    assert code == 0, err
    code, out, err = run(monkeypatch, capsys, ["--database", url, "city-dashboard", "--as", "dongqu",
                                               "--password-stdin", "--evidence", "-o", str(tmp_path / "d.xlsx")],
                         f"{PASSWORD}\n")
    assert code == 0, err
    assert "东区街道志愿服务数据看板" in out and "竹苑物业志愿服务站" in out
    assert "有阵地✓" in out and "有队伍✗" in out and "已注册志愿者 0 人（需 ≥ 20）" in out
    assert Path(tmp_path / "d.xlsx").exists()
    # A station's 站长 is refused, with the reason.
    code, _out, err = run(monkeypatch, capsys, ["--database", url, "city-dashboard", "--as", "zhuyuan",
                                                "--password-stdin"], "zhuyuan-2014\n")
    assert code == 2 and "查看全市或本镇区的数据看板" in err
