"""Data written at an earlier schema survives the upgrade, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from station_app.db import Database, open_database, upgrade
from station_app.models import KeyGroup, ServiceItem, Team, User, Volunteer
from station_app.services.auth import Actor, Role, authenticate
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






def _fill_at_0002(database: Database) -> None:
    """Revision 0002's demand data on top of 0001's station: a household in a key group, a visit, a need, a project."""
    _fill_at_0001(database)
    upgrade(database.engine, "0002")
    with database.engine.begin() as conn:
        clinic = conn.execute(text("SELECT id FROM service_items WHERE name = '健康义诊'")).scalar_one()
        group = conn.execute(text("SELECT id FROM key_groups WHERE name = '空巢老人'")).scalar_one()
        conn.execute(text(
            "INSERT INTO recipients (id, station_id, name, name_initials, name_pinyin, gender, birth_date, building,"
            " unit, room, phone, guardian_name, guardian_relation, guardian_phone, notes, active, inactive_reason,"
            " created_at, updated_at, version) VALUES (1, 1, '何桂芳', 'hgf', 'heguifang', '女', '1941-05-02', '3',"
            " '1', '201', '', '', '', '', '', :t, '', '2026-02-01 08:00:00', '2026-02-01 08:00:00', 1)"
        ), {"t": True})
        conn.execute(text("INSERT INTO recipient_key_groups (recipient_id, key_group_id) VALUES (1, :g)"), {"g": group})
        conn.execute(text(
            "INSERT INTO visits (id, station_id, recipient_id, visited_on, visitor_kind, visitor_name, method,"
            " findings, created_by_id, created_at) VALUES (1, 1, 1, '2026-02-01', 'staff', '李站长', 'home',"
            " '血压偏高', 1, '2026-02-01 08:00:00')"
        ))
        conn.execute(text(
            "INSERT INTO projects (id, station_id, name, category, goal, starts_on, ends_on, lead_social_worker,"
            " partner_team_id, partner_org, status, created_by_id, created_at, version) VALUES (1, 1, '长者健康守护',"
            " 'help', '', '2026-02-01', '2026-12-31', '梁社工', NULL, '', 'active', 1, '2026-02-01 08:00:00', 1)"
        ))
        conn.execute(text(
            "INSERT INTO needs (id, station_id, recipient_id, visit_id, service_item_id, free_text, description,"
            " urgency, preferred_times, preferred_note, status, project_id, raised_on, created_by_id, created_at,"
            " updated_at, version) VALUES (1, 1, 1, 1, :item, '', '', 'normal', 0, '', 'matched', 1, '2026-02-01',"
            " 1, '2026-02-01 08:00:00', '2026-02-01 08:00:00', 1)"
        ), {"item": clinic})
        conn.execute(text(
            "INSERT INTO need_status_changes (id, need_id, from_status, to_status, reason, project_id, changed_by_id,"
            " changed_at) VALUES (1, 1, 'pending_match', 'matched', '', 1, 1, '2026-02-01 08:00:00')"
        ))
        # The station edited the clinic item's duration before the upgrade: that stays.
        conn.execute(text("UPDATE service_items SET typical_minutes = 150 WHERE id = :i"), {"i": clinic})


def _check_after_0002_upgrade(database: Database) -> None:
    from station_app.models import Activity, Need, NeedStatusChange, Project, Recipient, TrainingSession

    _check_after_upgrade(database)
    with database.session(write=False) as session:
        need = session.scalars(select(Need)).one()
        assert (need.recipient.name, need.status, need.project_id, need.activity_id) == ("何桂芳", "matched", 1, None)
        assert need.service_item.typical_minutes == 150
        assert [h.to_status for h in session.scalars(select(NeedStatusChange))] == ["matched"]
        assert session.scalar(select(Project.name)) == "长者健康守护"
        assert [g.name for g in session.scalars(select(Recipient)).one().key_groups] == ["空巢老人"]
        # The data step: the shipped menu's medical items now require 岗前培训; others require nothing.
        required = dict(session.execute(select(ServiceItem.name, ServiceItem.required_training)).all())
        assert required["健康义诊"] == required["免费体检"] == "pre_service"
        assert required["维修家电"] is None
        assert session.scalar(select(func.count()).select_from(Activity)) == 0
        assert session.scalar(select(func.count()).select_from(TrainingSession)) == 0






def _fill_at_0003(database: Database) -> None:
    """Revision 0003's schedule on top of 0002: a held training with attendance, a done activity with an assignment."""
    _fill_at_0002(database)
    upgrade(database.engine, "0003")
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE volunteers SET registered_on = '2026-01-10' WHERE id = 1"))
        conn.execute(text(
            "INSERT INTO training_sessions (id, station_id, kind, topic, trainer, place, starts_at, ends_at,"
            " credit_minutes, capacity, status, cancel_reason, notes, created_by_id, created_at, version)"
            " VALUES (1, 1, 'pre_service', '义诊协助须知', '梁社工', '活动室', '2026-03-01 09:00:00',"
            " '2026-03-01 11:00:00', 120, 20, 'held', '', '', 1, '2026-02-20 08:00:00', 1)"
        ))
        conn.execute(text(
            "INSERT INTO training_enrolments (id, session_id, volunteer_id, enrolled_at, enrolled_by_id, attendance,"
            " credited_minutes, marked_at, marked_by_id) VALUES (1, 1, 1, '2026-02-21 08:00:00', 1, 'present', 120,"
            " '2026-03-01 12:00:00', 1)"
        ))
        conn.execute(text(
            "INSERT INTO activities (id, station_id, project_id, service_item_id, category, title, description, place,"
            " starts_at, ends_at, volunteers_needed, required_training, lead_social_worker, partner_team_id,"
            " partner_org, status, status_reason, series_id, series_detached, festival, key_group_id, created_by_id,"
            " created_at, updated_at, version) VALUES (1, 1, 1, NULL, 'help', '三月健康义诊', '', '活动室',"
            " '2026-03-08 09:00:00', '2026-03-08 11:30:00', 2, 'pre_service', '梁社工', NULL, '', 'done', '', NULL,"
            " :f, NULL, NULL, 1, '2026-03-01 08:00:00', '2026-03-08 12:00:00', 1)"
        ), {"f": False})
        conn.execute(text(
            "INSERT INTO activity_shifts (id, activity_id, label, starts_at, ends_at, capacity)"
            " VALUES (1, 1, '', '2026-03-08 09:00:00', '2026-03-08 11:30:00', 2)"
        ))
        conn.execute(text(
            "INSERT INTO assignments (id, shift_id, activity_id, volunteer_id, starts_at, ends_at, role, status,"
            " warnings, override_reason, cancel_reason, assigned_by_id, assigned_at, cancelled_at) VALUES (1, 1, 1, 1,"
            " '2026-03-08 09:00:00', '2026-03-08 11:30:00', 'member', 'assigned', '', '', '', 1,"
            " '2026-03-02 08:00:00', NULL)"
        ))


def _check_after_0003_upgrade(database: Database) -> None:
    from station_app.models import (
        Activity,
        Assignment,
        ChainHead,
        HonourTitle,
        ServiceRecord,
        StationKey,
        TrainingEnrolment,
    )
    from station_app.services import chain

    _check_after_0002_upgrade_keeping_schedule(database)
    with database.session(write=False) as session:
        assert session.scalar(select(Activity.title)) == "三月健康义诊"
        assert session.scalar(select(Assignment.status)) == "assigned"
        assert session.scalar(select(TrainingEnrolment.credited_minutes)) == 120
        # The data step: an empty chain, the default honour titles, and prices for redeemable items.
        head = session.get(ChainHead, 1)
        assert (head.count, head.head_hash) == (0, chain.GENESIS)
        assert set(session.scalars(select(HonourTitle.name))) == {"优秀服务队", "优秀志愿服务项目", "年度优秀志愿者", "最美志愿者"}
        priced = session.execute(
            select(ServiceItem.redeemable, ServiceItem.redeem_minutes, ServiceItem.typical_minutes)
        ).all()
        assert all((minutes == typical) if redeemable else minutes is None for redeemable, minutes, typical in priced)
        assert session.scalar(select(func.count()).select_from(ServiceRecord)) == 0
        assert session.get(StationKey, 1) is None  # it needs the administrator's password …
    with database.session() as session:
        authenticate(session, "admin", ADMIN_PASSWORD)  # … and is made at their first login
    with database.session(write=False) as session:
        assert session.get(StationKey, 1) is not None
        assert chain.verify_chain(session, 1).ok


def _fill_at_0004(database: Database) -> None:
    """Revision 0004's ledger on top of 0003: the admin's key made at login, and a service record in the chain."""
    from datetime import date, datetime

    from station_app.models import ServiceRecord
    from station_app.services import chain

    _fill_at_0003(database)
    upgrade(database.engine, "0004")
    # The admin's login at 0004 made the key; the ORM's User has columns 0004 lacks, so no login here.
    actor = Actor(1, "admin", "李站长", Role.ADMIN, 1)
    with database.session() as session:
        chain.ensure_station_key(session, 1, actor.user_id, ADMIN_PASSWORD)
    with database.session() as session:
        chain.append(session, 1, ServiceRecord(
            kind="record", volunteer_id=1, activity_id=1, content="三月健康义诊", category="help", place="活动室",
            organiser="李站长", service_date=date(2026, 3, 8), starts_at=datetime(2026, 3, 8, 9, 0),
            ends_at=datetime(2026, 3, 8, 11, 30), minutes=150, attendance="present", evaluation="good",
            needs_approval=False, delta_minutes=150, recorder_id=actor.user_id, recorder_name=actor.display_name,
        ))


def _check_after_0004_upgrade(database: Database) -> None:
    from datetime import date

    from station_app.models import CertificateIssue
    from station_app.services import certificates, chain

    with database.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(CertificateIssue)) == 0
        assert chain.verify_chain(session, 1).ok
    with database.session() as session:
        actor = authenticate(session, "admin", ADMIN_PASSWORD)
    with database.session() as session:  # the new table takes the station's first record certificate
        key = chain.unlock_signing_key(session, actor, ADMIN_PASSWORD)
        printable = certificates.record_certificate(session, actor, key, 1, date(2026, 1, 1), date(2026, 3, 31))
        certificates.record_issued(session, actor, [printable])
    assert printable.document.name == "王秀英" and printable.document.total_hours_text == "2.5"
    with database.session(write=False) as session:
        assert certificates.verify_payload(session, printable.document.stamp.qr_payload).valid


def _fill_at_0005(database: Database) -> None:
    """Revision 0005 on top of 0004: a record certificate booked as issued."""
    _fill_at_0004(database)
    upgrade(database.engine, "0005")
    with database.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO certificate_issues (id, station_id, kind, certificate_no, copy, subject, volunteer_id,"
            " star_award_id, honour_id, payload, content, issued_at, issued_by_id, issued_by_name)"
            " VALUES (1, 1, 'record', 'LTHY-JL2026-0001', 1, '王秀英', 1, NULL, NULL, 'ZSV1|R|LTHY|x', '{}',"
            " '2026-04-01 08:00:00', 1, '李站长')"
        ))


def _check_after_0005_upgrade(database: Database) -> None:
    from station_app.models import CertificateIssue, PackageImport, Station, TrustedStationKey
    from station_app.services import chain

    with database.session(write=False) as session:
        issue = session.scalars(select(CertificateIssue)).one()
        assert (issue.certificate_no, issue.subject, issue.copy) == ("LTHY-JL2026-0001", "王秀英", 1)
        assert chain.verify_chain(session, 1).ok
        assert session.scalar(select(Station.imported_at)) is None  # the station works in this database
        assert session.scalar(select(User.town_id)) is None
        assert session.scalar(select(func.count()).select_from(PackageImport)) == 0
        assert session.scalar(select(func.count()).select_from(TrustedStationKey)) == 0
    with database.session() as session:
        actor = authenticate(session, "admin", ADMIN_PASSWORD)
    assert actor.role is Role.ADMIN and actor.station_id == 1


def _check_after_0002_upgrade_keeping_schedule(database: Database) -> None:
    """0002's checks, except that this station now has the activity 0003's fill added."""
    with database.session(write=False) as session:
        volunteers = session.execute(select(Volunteer.name, Volunteer.status).order_by(Volunteer.id)).all()
        assert [tuple(v) for v in volunteers] == [("王秀英", "registered"), ("陈志强", "applying")]
        assert session.scalar(select(User.display_name)) == "李站长"


@pytest.mark.parametrize(
    ("revision", "fill", "check"),
    [
        pytest.param("0001", _fill_at_0001, _check_after_upgrade, id="from-0001"),
        pytest.param("0002", _fill_at_0002, _check_after_0002_upgrade, id="from-0002-demand"),
        pytest.param("0003", _fill_at_0003, _check_after_0003_upgrade, id="from-0003-schedule"),
        pytest.param("0004", _fill_at_0004, _check_after_0004_upgrade, id="from-0004-ledger"),
        pytest.param("0005", _fill_at_0005, _check_after_0005_upgrade, id="from-0005-certificates"),
    ],
)
def test_a_station_keeps_its_data_through_the_upgrade(db_url: str, tmp_path: Path, revision: str, fill, check):
    """A station filled at an earlier revision opens (upgraded to head) with everything kept."""
    database = Database(db_url)
    upgrade(database.engine, "0001")
    fill(database)  # each fill upgrades as far as its own revision
    database.dispose()

    database = open_database(db_url, backup_dir=tmp_path / "backups")
    try:
        check(database)
    finally:
        database.dispose()
    if db_url.startswith("sqlite"):  # the file was copied before the upgrade
        assert list((tmp_path / "backups").glob(f"station-before-upgrade-{revision}-*.db"))
