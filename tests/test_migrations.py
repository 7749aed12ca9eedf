"""Data written at an earlier schema survives the upgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select, text

from station_app.db import Database, open_database, upgrade
from station_app.models import KeyGroup, ServiceItem, Team, User, Volunteer
from station_app.services.auth import authenticate
from station_app.services.catalogue import list_key_groups, list_menu

from .conftest import ADMIN_PASSWORD
from .idnumbers import complete as make_id


def _fill_at_0001(database: Database) -> None:
    """A station as revision 0001 left it: organisation, an administrator, a team, two volunteers."""
    from station_app.services.auth import hash_password

    with database.engine.begin() as conn:
        conn.execute(text("INSERT INTO cities (id, name) VALUES (1, '中山市')"))
        conn.execute(text("INSERT INTO towns (id, city_id, name) VALUES (1, 1, '石岐街道')"))
        conn.execute(text("INSERT INTO communities (id, town_id, name) VALUES (1, 1, '莲塘社区')"))
        conn.execute(text(
            "INSERT INTO stations (id, community_id, name, code, address, contact_person, contact_phone,"
            " next_volunteer_seq, created_at) VALUES (1, 1, '莲塘花园物业志愿服务站', 'LTHY', '', '', '', 2,"
            " '2026-01-05 08:00:00')"
        ))
        conn.execute(
            text(
                "INSERT INTO users (id, username, display_name, role, password_hash, station_id, active,"
                " created_at) VALUES (1, 'admin', '李站长', 'admin', :h, 1, :t, '2026-01-05 08:00:00')"
            ),
            {"h": hash_password(ADMIN_PASSWORD), "t": True},
        )
        conn.execute(text(
            "INSERT INTO teams (id, station_id, name, kind, org_type, org_name, contact_name, contact_phone,"
            " description, active, created_at) VALUES (1, 1, '助老服务队', 'own', '', '', '', '', '', :t,"
            " '2026-01-05 08:00:00')"
        ), {"t": True})
        for n, (name, initials, status, number) in enumerate(
            [("王秀英", "wxy", "registered", "LTHY-000001"), ("陈志强", "czq", "applying", None)], start=1
        ):
            conn.execute(
                text(
                    "INSERT INTO volunteers (id, station_id, volunteer_no, name, name_initials, name_pinyin,"
                    " gender, birth_date, id_number, id_tail, phone, political_status, is_owner, building, unit,"
                    " room, is_backbone, emergency_contact, emergency_phone, availability, status, status_reason,"
                    " applied_at, registered_on, notes, created_at, updated_at, version)"
                    " VALUES (:id, 1, :no, :name, :ini, :ini, '女', '1960-03-08', :idn, :tail, '13800000000',"
                    " 'masses', :f, '3', '1', '502', :f, '', '', 0, :status, '', '2026-01-06 08:00:00',"
                    " NULL, '', '2026-01-06 08:00:00', '2026-01-06 08:00:00', 1)"
                ),
                {
                    "id": n, "no": number, "name": name, "ini": initials, "status": status, "f": False,
                    "idn": make_id(f"44200019600308{n:03d}"), "tail": make_id(f"44200019600308{n:03d}")[-4:],
                },
            )
        conn.execute(text("INSERT INTO team_members (team_id, volunteer_id, joined_on) VALUES (1, 1, '2026-01-06')"))


def _check_after_upgrade(database: Database) -> None:
    with database.session(write=False) as session:
        volunteers = session.execute(select(Volunteer.name, Volunteer.volunteer_no, Volunteer.status)
                                     .order_by(Volunteer.id)).all()
        assert [tuple(v) for v in volunteers] == [("王秀英", "LTHY-000001", "registered"), ("陈志强", None, "applying")]
        assert session.scalar(select(func.count()).select_from(Team)) == 1
        assert session.scalar(select(User.display_name)) == "李站长"
        # The station set up before the demand tables existed now has the plan's menu and key groups.
        assert session.scalar(select(func.count()).select_from(ServiceItem)) > 40
        assert session.scalar(select(func.count()).select_from(KeyGroup)) == 8
    with database.session() as session:
        admin = authenticate(session, "admin", ADMIN_PASSWORD)
        menu = list_menu(session, admin)
        assert {i.category.label for i in menu} == {"帮扶行动", "便民行动", "文明行动", "平安行动", "护苗行动", "文化行动"}
        repair = next(i for i in menu if i.name == "维修家电")
        assert repair.skills == ["家电维修"] and repair.charge == "low_cost"
        groups = {g.name: g.visit_interval_days for g in list_key_groups(session, admin)}
        assert groups["空巢老人"] == 14


def test_sqlite_station_from_0001_keeps_its_data(tmp_path: Path):
    path = tmp_path / "station.db"
    url = f"sqlite:///{path}"
    database = Database(url)
    upgrade(database.engine, "0001")
    _fill_at_0001(database)
    database.dispose()

    database = open_database(url, backup_dir=tmp_path / "backups")
    try:
        _check_after_upgrade(database)
    finally:
        database.dispose()
    assert list((tmp_path / "backups").glob("station-before-upgrade-0001-*.db"))


def test_postgresql_station_from_0001_keeps_its_data(pg_url: str, tmp_path: Path):
    database = Database(pg_url)
    upgrade(database.engine, "0001")
    _fill_at_0001(database)
    database.dispose()

    database = open_database(pg_url, backup_dir=tmp_path / "backups")
    try:
        _check_after_upgrade(database)
    finally:
        database.dispose()
