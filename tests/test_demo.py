"""The demo database: a realistic, reproducible station that staff and screenshots can use."""

from __future__ import annotations

import io
import json
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from station_app.cli import main
from station_app.db import Database, open_database
from station_app.errors import StationError
from station_app.models import AuditEntry, Station, Team, TeamMember, User, Volunteer
from station_app.resources import load_json
from station_app.services import audit
from station_app.services.auth import Actor, Role, authenticate
from station_app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo, id_check_character
from station_app.services.pinyin import name_keys
from station_app.services.stations import station_info
from station_app.services.teams import list_teams
from station_app.services.validation import age_on, parse_id_number, validate_name, validate_phone
from station_app.services.volunteers import (
    AVAILABILITY_BITS,
    POLITICAL_STATUSES,
    RosterFilter,
    Status,
    count_by_status,
    get_volunteer,
    review_volunteer,
    roster_ids,
    roster_rows,
)

from .conftest import pg_schema, setup_station
from .idnumbers import make_id

TODAY = date.today()
COMPOUND_SURNAMES = ("欧阳", "司徒", "司马", "上官", "诸葛")


def login(db: Database, username: str, password: str = DEMO_PASSWORD) -> Actor:
    with db.session() as session:
        return authenticate(session, username, password)


def all_volunteers(db: Database) -> list[Volunteer]:
    """Every volunteer with their skills, detached (a read-only unit of work rolls back, which would expire them)."""
    with db.session(write=False) as session:
        people = list(session.scalars(select(Volunteer).order_by(Volunteer.id).options(selectinload(Volunteer.skills))))
        session.expunge_all()
        return people


def fingerprint(db: Database) -> list[tuple]:
    """What a user sees of the generated people, in order (timestamps of the run left out)."""
    with db.session(write=False) as session:
        rows = session.scalars(select(Volunteer).order_by(Volunteer.id))
        return [
            (
                v.name, v.gender, v.birth_date, v.id_number, v.phone, v.political_status, v.status,
                v.status_reason, v.volunteer_no, v.is_backbone, v.availability, v.building, v.room,
                tuple(s.name for s in v.skills), tuple(sorted(m.team.name for m in v.memberships)),
            )
            for v in rows
        ]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """One 300-volunteer demo per database, built once and shared by this module's tests that only read it."""
    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'station.db'}"
        else:
            url = stack.enter_context(pg_schema())
        database = open_database(url, backup_dir=tmp_path_factory.mktemp("backups"))
        stack.callback(database.dispose)
        build_demo(database, volunteers=300, today=TODAY)
        yield database


def test_demo_accounts_station_and_teams(demo: Database):
    admin = login(demo, DEMO_ADMIN)
    assert admin.role == Role.ADMIN
    assert login(demo, "clerk").role == Role.CLERK
    assert login(demo, "viewer").role == Role.VIEWER
    with pytest.raises(StationError):
        login(demo, DEMO_ADMIN, "wrong-password")

    with demo.session(write=False) as session:
        info = station_info(session, admin)
        teams = list_teams(session, admin)
    assert info.city == "中山市" and info.town in load_json("regions.json")["中山市"]
    assert info.name.endswith("物业志愿服务站")
    own = [t for t in teams if t.kind == "own"]
    visiting = [t for t in teams if t.kind == "visiting"]
    assert {t.name for t in own} == {t["name"] for t in load_json("default_teams.json")}
    assert {t.org_type for t in visiting} >= {"医院", "学校", "企业", "社会组织"}
    assert all(t.org_name and t.contact_name and validate_phone(t.contact_phone) for t in visiting)
    # Teams have members, and the party members' team is made of party members.
    assert sum(t.member_count > 0 for t in teams) >= 8
    with demo.session(write=False) as session:
        party_team = session.scalar(select(Team.id).where(Team.name == "党员志愿服务队"))
        statuses = session.scalars(
            select(Volunteer.political_status).join(TeamMember).where(TeamMember.team_id == party_team)
        ).all()
    assert statuses and set(statuses) <= {"party_member", "probationary_party_member"}


def test_every_generated_person_passes_the_programs_own_checks(demo: Database):
    people = all_volunteers(demo)
    assert len(people) == 300
    for v in people:
        info = parse_id_number(v.id_number, today=TODAY)
        assert info.number == v.id_number and info.region_known, v.id
        assert (info.gender, info.birth_date) == (v.gender, v.birth_date), v.id
        assert v.id_tail == v.id_number[-4:]
        assert 16 <= age_on(v.birth_date, TODAY) <= 78
        assert validate_phone(v.phone) == v.phone and len(v.phone) == 11
        if v.emergency_phone:
            assert validate_phone(v.emergency_phone) == v.emergency_phone
            assert validate_name(v.emergency_contact) == v.emergency_contact
        assert validate_name(v.name) == v.name and len(v.name) >= 2
        assert (v.name_initials, v.name_pinyin) == name_keys(v.name)
        assert v.political_status in POLITICAL_STATUSES
        assert 0 <= v.availability < 1 << AVAILABILITY_BITS
        assert len(v.skills) <= 3
        if v.is_owner:
            assert v.building.endswith("栋") and v.unit.endswith("单元") and v.room.isdigit()
    assert len({v.id_number for v in people}) == len(people)

    regions = Counter(v.id_number[:6] for v in people)
    assert regions["442000"] > len(people) / 2  # mostly registered in Zhongshan
    assert {code[:2] for code in regions} >= {"44", "43", "45"}  # and migrants from elsewhere
    names = [v.name for v in people]
    assert any("·" in n for n in names)
    assert any(n.startswith(COMPOUND_SURNAMES) for n in names)
    assert any(len(n) == 2 for n in names) and any(len(n) == 3 for n in names)
    rare = {c for g in load_json("demo_names.json")["given_names"].values() for n in g["rare"] for c in n}
    assert any(set(n[1:]) & rare for n in names)
    assert Counter(v.gender for v in people)["女"] > 100 and Counter(v.gender for v in people)["男"] > 80

    political = Counter(v.political_status for v in people)
    assert political["masses"] == max(political.values())
    assert 0.10 < political["party_member"] / len(people) < 0.30
    assert political["league_member"] > 0
    backbone = sum(v.is_backbone for v in people) / len(people)
    assert 0.03 < backbone < 0.15
    assert sum(bool(v.skills) for v in people) > len(people) / 2


def test_statuses_numbers_and_review_queue(demo: Database):
    admin = login(demo, DEMO_ADMIN)
    with demo.session(write=False) as session:
        counts = count_by_status(session, admin)
        applying = roster_ids(session, admin, RosterFilter(status=Status.APPLYING))
        station = session.scalar(select(Station))
        code, next_seq = station.code, station.next_volunteer_seq
    assert counts[Status.REGISTERED] > 200
    assert counts[Status.APPLYING] >= 10 and len(applying) == counts[Status.APPLYING]
    assert all(counts[s] > 0 for s in Status)

    now = datetime.now(UTC)
    people = all_volunteers(demo)
    numbered = [v for v in people if v.volunteer_no]
    for v in people:
        has_number = Status(v.status) in (Status.REGISTERED, Status.SUSPENDED, Status.WITHDRAWN)
        assert (v.volunteer_no is not None) == has_number, v.id
        assert (v.registered_on is not None) == has_number
        assert v.applied_at <= now and v.created_at <= now and v.version >= 1
        if v.reviewed_at is not None:
            assert v.applied_at <= v.reviewed_at <= now
        if Status(v.status) in (Status.REJECTED, Status.SUSPENDED, Status.WITHDRAWN):
            assert v.status_reason, v.id
    assert len({v.volunteer_no for v in numbered}) == len(numbered)
    seqs = sorted(int(v.volunteer_no.removeprefix(f"{code}-")) for v in numbered)
    assert seqs == list(range(1, len(numbered) + 1))
    # Numbers were issued in the order volunteers were registered.
    by_number = sorted(numbered, key=lambda v: v.volunteer_no)
    bulk = [v for v in by_number if v.registered_on and v.registered_on < TODAY]
    assert [v.registered_on for v in bulk] == sorted(v.registered_on for v in bulk)

    # The next approval continues the sequence instead of colliding with a generated number.
    with demo.session() as session:
        number = review_volunteer(session, admin, applying[0], approve=True)
    assert number == f"{code}-{next_seq:06d}" == f"{code}-{len(numbered) + 1:06d}"


def test_roster_finds_generated_volunteers_and_files_open(demo: Database):
    admin = login(demo, DEMO_ADMIN)
    people = all_volunteers(demo)
    target = next(v for v in people if v.status == Status.REGISTERED and len(v.name) == 3 and v.skills)
    initials, _full = name_keys(target.name)
    with demo.session(write=False) as session:
        assert target.id in roster_ids(session, admin, RosterFilter(text=initials))
        assert target.id in roster_ids(session, admin, RosterFilter(text=target.phone[-4:]))
        assert target.id in roster_ids(session, admin, RosterFilter(text=target.volunteer_no))
        row = roster_rows(session, admin, [target.id], today=TODAY)[target.id]
    assert row.name == target.name and target.phone not in row.phone  # masked in the list
    assert row.skills
    with demo.session() as session:
        detail = get_volunteer(session, admin, target.id, reveal=True)
    assert detail.id_number == target.id_number and detail.skills == sorted(detail.skills)


def test_audit_log_records_the_generation_without_personal_data(demo: Database):
    admin = login(demo, DEMO_ADMIN)
    with demo.session(write=False) as session:
        entries = audit.recent(session, admin, limit=20_000)  # the whole log: the ledger alone writes thousands
        raw = [json.dumps(e.changes, ensure_ascii=False) + e.summary for e in entries]
    actions = Counter(e.action for e in entries)
    assert actions["demo"] == 1 and actions["review"] >= 1
    assert any(e.action == "create" and e.entity == "volunteer" for e in entries)
    assert any(e.username == "clerk" and e.entity == "volunteer" for e in entries)  # entered by the clerk
    numbers_and_phones = {v.id_number for v in all_volunteers(demo)} | {v.phone for v in all_volunteers(demo)}
    assert not any(value in text for value in numbers_and_phones for text in raw)


def test_same_seed_same_people_other_seed_other_people(db: Database, tmp_path: Path):
    build_demo(db, volunteers=120, seed=5, today=TODAY)
    twin = open_database(f"sqlite:///{tmp_path / 'twin.db'}")
    other = open_database(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        build_demo(twin, volunteers=120, seed=5, today=TODAY)
        build_demo(other, volunteers=120, seed=6, today=TODAY)
        assert fingerprint(db) == fingerprint(twin)
        theirs = fingerprint(other)
        assert fingerprint(db) != theirs
        assert not {p[3] for p in fingerprint(db)} & {p[3] for p in theirs}  # no shared ID numbers
    finally:
        twin.dispose()
        other.dispose()


def test_refuses_a_database_that_already_has_a_station(db: Database):
    setup_station(db)

    def counts() -> tuple[int, ...]:
        with db.session(write=False) as session:
            tables = (Volunteer, User, Team, AuditEntry, Station)
            return tuple(session.scalar(select(func.count()).select_from(t)) for t in tables)

    before = counts()
    with pytest.raises(StationError, match="已经有站点"):
        build_demo(db, volunteers=50)
    assert counts() == before


def test_refuses_to_run_twice(db: Database):
    build_demo(db, volunteers=10, today=TODAY)
    with pytest.raises(StationError):
        build_demo(db, volunteers=10, today=TODAY)
    assert len(all_volunteers(db)) == 10


@pytest.mark.parametrize("volunteers", [0, 3])
def test_tiny_demo(db: Database, volunteers: int):
    build_demo(db, volunteers=volunteers, today=TODAY)
    assert len(all_volunteers(db)) == volunteers
    assert login(db, DEMO_ADMIN).role == Role.ADMIN


def test_twenty_thousand_volunteers_with_progress(sqlite_db: Database):
    reports: list[tuple[int, int]] = []
    build_demo(sqlite_db, volunteers=20_000, seed=7, progress=lambda done, total: reports.append((done, total)))
    with sqlite_db.session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(Volunteer)) == 20_000
        assert session.scalar(select(func.count(func.distinct(Volunteer.id_number)))) == 20_000
    assert len(reports) >= 4 and reports[-1] == (20_000, 20_000)
    assert [d for d, _t in reports] == sorted(d for d, _t in reports)


def test_id_check_character_follows_gb11643():
    for body in ("44200019900101123", "11010519491231002", "44200019800808107", "65310119860101001"):
        assert body + id_check_character(body) == make_id(body[:6], body[6:14], body[14:])


def test_demo_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["--database", url, "demo", "--volunteers", "40"]) == 0
    out = capsys.readouterr().out
    assert DEMO_ADMIN in out and DEMO_PASSWORD in out
    assert "市级管理员 city" in out  # the city-wide demo comes with it: someone can try the 全市看板 at once
    # A second run into the same database is refused; nothing is mixed in.
    assert main(["--database", url, "demo", "--volunteers", "40"]) == 2
    assert "演示数据" in capsys.readouterr().err
    db = open_database(url)
    try:
        home = [v for v in all_volunteers(db) if v.station_id == 1]
        assert len(home) == 40
        with db.session(write=False) as session:
            assert session.scalar(select(func.count()).select_from(Station)) == 5
            assert session.scalar(select(func.count()).select_from(User).where(User.role.in_(["city", "town"]))) == 2
    finally:
        db.dispose()
    # --no-city: the one station only.
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    assert main(["--database", url, "demo", "--volunteers", "40", "--no-city"]) == 0
    assert "市级管理员" not in capsys.readouterr().out
    db = open_database(url)
    try:
        assert len(all_volunteers(db)) == 40
    finally:
        db.dispose()


def test_interrupted_build_leaves_the_database_empty(db: Database):
    """A crash or Ctrl+C half-way leaves no half-built demo behind: the next run simply works."""

    def interrupt(done: int, total: int) -> None:
        if done < total:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        build_demo(db, volunteers=6_000, seed=3, progress=interrupt)
    with db.session(write=False) as session:
        assert session.scalar(select(func.count(Volunteer.id))) == 0
        assert session.scalar(select(func.count(Station.id))) == 0
    build_demo(db, volunteers=50, seed=3)
    with db.session(write=False) as session:
        assert session.scalar(select(func.count(Volunteer.id))) == 50


def test_probationary_party_members_are_stored(sqlite_db: Database):
    build_demo(sqlite_db, volunteers=2_000, seed=11)
    with sqlite_db.session(write=False) as session:
        counts = dict(session.execute(select(Volunteer.political_status, func.count()).group_by(Volunteer.political_status)).all())
    assert counts.get("probationary_party_member", 0) > 0
    assert counts["masses"] > counts["party_member"] > counts["probationary_party_member"]


def test_demo_fills_every_screen_of_the_demand_tab(demo: Database):
    """Someone opening 需求菜单 in the demo finds households, needs in every state, projects,
    a notice with applicants (one a new resident awaiting review) and overdue visits."""
    from station_app.services.needs import NeedStatus, list_needs
    from station_app.services.overview import station_overview
    from station_app.services.projects import list_projects
    from station_app.services.recipients import list_recipients, list_visits
    from station_app.services.recruitment import get_recruitment, list_recruitments

    admin = login(demo, DEMO_ADMIN)
    with demo.session(write=False) as session:
        households = list_recipients(session, admin)
        groups = {g for h in households for g in h.key_groups}
        assert {"空巢老人", "留守儿童", "流动儿童", "残疾人", "困难职工", "农民工", "低保户", "社区矫正对象"} <= groups
        assert all(list_visits(session, admin, h.id) for h in households)
        assert {n.status for n in list_needs(session, admin)} == set(NeedStatus)
        projects = list_projects(session, admin)
        assert len(projects) >= 2 and all(p.needs_total for p in projects)
        notices = list_recruitments(session, admin, today=TODAY)
        applicants = [a for n in notices for a in get_recruitment(session, admin, n.id, today=TODAY).applicants]
        assert {a.volunteer_status_label for a in applicants} >= {"已注册", "申请中"}
        overview = station_overview(session, admin, TODAY)
        assert overview.unmet_total > 0 and overview.overdue_visits and 0 < overview.matched_share < 1
        # The volunteer count asked for includes the residents who signed up through a notice.
        assert session.scalar(select(func.count()).select_from(Volunteer)) == 300


def test_demo_fills_the_ledger_star_honour_and_time_bank_screens(demo: Database):
    """Someone opening 台账, 星级, 嘉许 and 回馈 in the demo finds every screen filled with history
    that obeys the ledger's rules, and 校验台账 finds the chain whole and signed."""
    from station_app.models import Activity, Assignment, ServiceRecord
    from station_app.services import chain, honours, ledger, stars, timebank
    from station_app.services.hours import ledger_lines

    admin = login(demo, DEMO_ADMIN)
    with demo.session(write=False) as session:
        station_id = admin.station_id
        report = chain.verify_chain(session, station_id)
        assert report.ok, report.problems[:3]
        checkpoints = chain.stored_checkpoints(session, station_id)
        assert checkpoints and checkpoints[-1].count == report.count > 2000 and report.checkpoints_checked >= 1

        # 星级: about 25 with one star or more, 8 with two, 3 with three, one with four.
        levels = stars.level_distribution(session, admin)
        reached = {n: sum(count for level, count in levels.items() if level >= n) for n in range(1, 6)}
        assert 18 <= reached[1] <= 32 and 5 <= reached[2] <= 12 and 2 <= reached[3] <= 4
        assert reached[4] == 1 and reached[5] == 0
        newly = stars.newly_eligible(session, admin)
        assert 3 <= len(newly) <= 8 and all(row.level > row.confirmed_level for row in newly)
        flagged = stars.flagged_awards(session, admin)
        assert len(flagged) == 1 and flagged[0].level_now < flagged[0].level and flagged[0].review_note
        confirmed = {row.volunteer_id for row in stars.star_overview(session, admin, limit=None).rows
                     if row.confirmed_level}
        assert len(confirmed) >= reached[1] - len(newly) - 1

        # 时长审批: days over the limit and a correction wait; others were approved, rejected or voided.
        pending = ledger.pending_items(session, admin)
        assert sum(p.kind == "record" for p in pending) >= 2 and any(p.kind == "correction" and p.reason for p in pending)
        lines = ledger_lines(session, station_id)
        assert {line.status for line in lines} == {"counted", "pending", "rejected", "void"}
        assert any(c.status == "approved" for line in lines for c in line.corrections)

        # Every rule held: registered first, at most 24 hours a day, no overlapping service.
        registered = dict(session.execute(select(Volunteer.id, Volunteer.registered_on)).all())
        live = sorted((line for line in lines if line.status in ("counted", "pending")),
                      key=lambda line: (line.volunteer_id, line.starts_at))
        per_day: Counter[tuple[int, date]] = Counter()
        for before, line in zip([None, *live], live, strict=False):
            assert registered[line.volunteer_id] <= line.service_date
            per_day[line.volunteer_id, line.service_date] += line.minutes
            if before is not None and before.volunteer_id == line.volunteer_id:
                assert before.ends_at <= line.starts_at, (before, line)
        assert max(per_day.values()) <= 24 * 60
        singles = [line for line in lines if line.activity_id is None]
        assert sum(line.service_date.weekday() >= 5 for line in singles) > len(singles) / 5  # weekends too
        assert {line.evaluation for line in lines} >= {"excellent", "good"}

        # 活动时长: every finished activity with volunteers on it has its hours, late arrivals and walk-ins.
        done = session.scalars(
            select(Activity.id).where(Activity.status == "done", Activity.id.in_(
                select(Assignment.activity_id).where(Assignment.status == "assigned")))
        ).all()
        recorded = set(session.scalars(select(ServiceRecord.activity_id).where(ServiceRecord.kind == "record")))
        assert done and set(done) <= recorded
        at_activities = [line for line in lines if line.activity_id is not None]
        assert any(line.attendance == "late" for line in at_activities)
        assert any(line.assignment_id is None for line in at_activities)

        # 嘉许: last year's honours and a project commended this year, each with a citation.
        given = honours.list_honours(session, admin)
        last_year = Counter(h.title for h in given if h.awarded_on.year == TODAY.year - 1)
        assert last_year == {"年度优秀志愿者": 3, "最美志愿者": 1, "优秀服务队": 1}
        assert [h.target_kind for h in given if h.title == "优秀志愿服务项目"] == ["project"]
        assert all(len(h.citation) > 30 for h in given)

        # 回馈: a dozen redemptions, one reversed with its reason, and nobody's balance below zero.
        entries = timebank.station_ledger(session, admin).entries
        assert sum(e.kind == "redeem" for e in entries) >= 10
        reversals = [e for e in entries if e.kind == "reversal"]
        assert len(reversals) == 1 and reversals[0].note and reversals[0].reverses_receipt_no
        assert {e.provider for e in entries} >= {"康华理发店"}
        for volunteer_id in {e.volunteer_id for e in entries} | confirmed:
            assert timebank.balance(session, admin, volunteer_id).balance >= 0
