"""Ledger views (台账): what each shows and how it adds up, corrections, waiting and rejected entries included."""

from __future__ import annotations

from datetime import date, time

import pytest
from sqlalchemy import event, select

from station_app.db import Database
from station_app.errors import NotFound, ValidationError
from station_app.models import (
    Activity,
    Honour,
    HonourTitle,
    Project,
    ServiceRecord,
    StarAward,
    Team,
    TeamMember,
    Volunteer,
)
from station_app.services import chain, ledger_views
from station_app.services.auth import Actor
from station_app.services.hours import counted_for

from .conftest import ADMIN_PASSWORD
from .ledger_factory import add_correction, add_record
from .schedule_factory import make_activity, make_training, make_volunteer

Y = date.today().year - 1  # last year: every date in it is in the past


def decide(db: Database, actor: Actor, target_id: int, decision: str) -> int:
    """An administrator's decision on a waiting record (approve adds its minutes, reject adds nothing)."""
    with db.session() as session:
        target = session.get(ServiceRecord, target_id)
        row = ServiceRecord(
            kind="decision", volunteer_id=target.volunteer_id, target_id=target.id, content=target.content,
            category=target.category, service_date=target.service_date, decision=decision,
            reason="核实" if decision == "approved" else "时长与签到表不符",
            delta_minutes=target.minutes if decision == "approved" else 0,
            recorder_id=actor.user_id, recorder_name=actor.display_name,
        )
        chain.append(session, actor.station_id, row)
        return row.id


def history(db: Database, admin: Actor, volunteer: int) -> dict[str, int]:
    """Two years of service: a corrected record, a waiting one, a rejected one and an approved big day."""
    ids = {
        "corrected": add_record(db, admin, volunteer, 180, on=date(Y - 1, 3, 1), category="help",
                                content="探访独居老人"),
        "plain": add_record(db, admin, volunteer, 90, on=date(Y, 1, 5), category="环境保护", content="楼道清洁"),
        "waiting": add_record(db, admin, volunteer, 600, on=date(Y, 2, 1), needs_approval=True, content="社区义诊"),
        "rejected": add_record(db, admin, volunteer, 480, on=date(Y, 2, 8), needs_approval=True, content="文艺汇演"),
        "approved": add_record(db, admin, volunteer, 540, on=date(Y, 3, 8), start=time(8), needs_approval=True,
                               category="culture", content="重阳游园会"),
    }
    add_correction(db, admin, ids["corrected"], 120, reason="签退时间记错")
    decide(db, admin, ids["rejected"], "rejected")
    decide(db, admin, ids["approved"], "approved")
    return ids


def award_and_honour(db: Database, admin: Actor, volunteer: int) -> None:
    with db.session() as session:
        chain.append(session, admin.station_id, StarAward(
            volunteer_id=volunteer, level=1, minutes_at_award=6000, certificate_no="SQ0101-XJ-0001",
            confirmed_on=date(Y, 6, 1), confirmed_by_id=admin.user_id, confirmed_by_name=admin.display_name,
        ))
        title = session.scalar(select(HonourTitle).where(HonourTitle.station_id == admin.station_id,
                                                         HonourTitle.name == "年度优秀志愿者"))
        if title is None:  # seeded at setup; made here if the seed changes
            title = HonourTitle(station_id=admin.station_id, name="年度优秀志愿者", target_kind="volunteer")
            session.add(title)
            session.flush()
        chain.append(session, admin.station_id, Honour(
            title_id=title.id, title=title.name, target_kind="volunteer", volunteer_id=volunteer,
            target_name="李志愿", awarded_on=date(Y, 12, 5), issuer="仁厚社区居委会", citation="常年探访独居老人",
            certificate_no="SQ0101-JX-0001", recorder_id=admin.user_id, recorder_name=admin.display_name,
        ))


@pytest.fixture
def volunteer(db: Database, admin: Actor) -> int:
    return make_volunteer(db, admin, "李志愿")


def ledger(db: Database, actor: Actor, volunteer_id: int) -> ledger_views.VolunteerLedger:
    with db.session(write=False) as session:
        return ledger_views.volunteer_ledger(session, actor, volunteer_id)


def test_volunteer_totals_use_corrections_and_leave_out_waiting_and_rejected(
    db: Database, admin: Actor, volunteer: int
):
    ids = history(db, admin, volunteer)
    view = ledger(db, admin, volunteer)
    assert view.total_minutes == 120 + 90 + 540 == 750
    with db.session(write=False) as session:
        assert counted_for(session, admin.station_id, volunteer) == view.total_minutes
    assert view.by_year == [(Y - 1, 120), (Y, 630)]
    assert dict(view.by_category) == {"文化行动": 540, "帮扶行动": 120, "环境保护": 90}
    status = {line.record_id: line.status for line in view.lines}
    assert status == {ids["corrected"]: "counted", ids["plain"]: "counted", ids["waiting"]: "pending",
                      ids["rejected"]: "rejected", ids["approved"]: "counted"}
    [corrected] = [line for line in view.lines if line.record_id == ids["corrected"]]
    assert (corrected.original_minutes, corrected.minutes) == (180, 120)
    assert [(c.reason, c.status) for c in corrected.corrections] == [("签退时间记错", "approved")]
    assert view.star_level == 0
    assert [line.service_date for line in view.lines] == sorted(line.service_date for line in view.lines)


def test_crossing_one_hundred_hours_gives_one_star(db: Database, admin: Actor, volunteer: int):
    add_record(db, admin, volunteer, 99 * 60 + 45, on=date(Y, 4, 1), start=time(0, 0))
    assert ledger(db, admin, volunteer).star_level == 0
    add_record(db, admin, volunteer, 15, on=date(Y, 4, 2))
    view = ledger(db, admin, volunteer)
    assert view.total_minutes == 6000 and view.star_level == 1


def test_training_awards_and_honours_stand_alongside(db: Database, admin: Actor, volunteer: int):
    add_record(db, admin, volunteer, 60, on=date(Y, 5, 1))
    make_training(db, admin, [volunteer], topic="急救知识培训", hours=3)
    award_and_honour(db, admin, volunteer)
    view = ledger(db, admin, volunteer)
    assert [t.topic for t in view.training.rows] == ["急救知识培训"]
    assert view.training.total_minutes == 180 and view.total_minutes == 60  # training never counts as service
    assert [(a.level, a.certificate_no, a.review_status) for a in view.awards] == [(1, "SQ0101-XJ-0001", "有效")]
    assert [(h.title, h.awarded_on, h.certificate_no) for h in view.honours] == [
        ("年度优秀志愿者", date(Y, 12, 5), "SQ0101-JX-0001")]


def test_id_number_is_masked_for_every_role(db: Database, admin: Actor, viewer: Actor, volunteer: int):
    with db.session(write=False) as session:
        full = session.get(Volunteer, volunteer).id_number
    for actor in (admin, viewer):  # the roster's audited 显示完整信息 is the one place to see it whole
        masked = ledger(db, actor, volunteer).volunteer.id_number
        assert masked != full and "*" in masked and masked.endswith(full[-4:])


def test_another_stations_or_a_missing_volunteer_is_not_found(db: Database, admin: Actor):
    with db.session(write=False) as session, pytest.raises(NotFound, match="找不到这名志愿者"):
        ledger_views.volunteer_ledger(session, admin, 99999)


def test_activity_and_project_ledgers(db: Database, admin: Actor, volunteer: int):
    other = make_volunteer(db, admin, "王小明")
    first, _shifts = make_activity(db, admin, title="重阳敬老探访", day=date(Y, 10, 11))
    second, _shifts = make_activity(db, admin, title="楼道清洁日", day=date(Y, 10, 18))
    with db.session() as session:
        project = Project(station_id=admin.station_id, name="银龄关爱", category="help", starts_on=date(Y, 1, 1),
                          ends_on=date(Y, 12, 31), lead_social_worker="林社工", created_by_id=admin.user_id)
        session.add(project)
        session.flush()
        project_id = project.id
        for aid in (first, second):
            session.get(Activity, aid).project_id = project_id
    r1 = add_record(db, admin, volunteer, 120, on=date(Y, 10, 11), activity_id=first)
    add_record(db, admin, other, 120, on=date(Y, 10, 11), activity_id=first)
    add_record(db, admin, other, 90, on=date(Y, 10, 18), activity_id=second)
    add_record(db, admin, volunteer, 300, on=date(Y, 10, 18), activity_id=second, needs_approval=True)
    add_correction(db, admin, r1, 105)
    with db.session(write=False) as session:
        act = ledger_views.activity_ledger(session, admin, first)
        proj = ledger_views.project_ledger(session, admin, project_id)
    assert act.title == "重阳敬老探访" and act.project_name == "银龄关爱"
    assert act.total_minutes == 225 and act.people == 2
    assert sorted(n.name for n in act.lines) == ["李志愿", "王小明"]
    assert proj.total_minutes == 315 and proj.people == 2
    assert [(a.title, a.people, a.minutes) for a in proj.activities] == [
        ("重阳敬老探访", 2, 225), ("楼道清洁日", 1, 90)]
    assert {n.activity_title for n in proj.lines} == {"重阳敬老探访", "楼道清洁日"}


def test_team_ledger_counts_members_in_the_period(db: Database, admin: Actor, volunteer: int):
    other = make_volunteer(db, admin, "王小明")
    outsider = make_volunteer(db, admin, "赵外人")
    with db.session() as session:
        team = Team(station_id=admin.station_id, name="银龄服务队")
        session.add(team)
        session.flush()
        team_id = team.id
        session.add_all([TeamMember(team_id=team_id, volunteer_id=v) for v in (volunteer, other)])
    add_record(db, admin, volunteer, 120, on=date(Y, 3, 1))
    add_record(db, admin, volunteer, 60, on=date(Y - 1, 3, 1))  # before the period
    add_record(db, admin, other, 45, on=date(Y, 5, 1))
    add_record(db, admin, outsider, 600, on=date(Y, 5, 1))
    with db.session(write=False) as session:
        view = ledger_views.team_ledger(session, admin, team_id, date(Y, 1, 1), date(Y, 12, 31))
        with pytest.raises(ValidationError, match="早于开始日期"):
            ledger_views.team_ledger(session, admin, team_id, date(Y, 12, 31), date(Y, 1, 1))
    assert [(m.name, m.services, m.minutes, m.total_minutes) for m in view.members] == [
        ("李志愿", 1, 120, 180), ("王小明", 1, 45, 45)]
    assert view.total_minutes == 165


def test_month_ledger_lists_counted_records_and_the_latest_checkpoint(db: Database, admin: Actor, volunteer: int):
    ids = history(db, admin, volunteer)
    with db.session() as session:
        key = chain.unlock_signing_key(session, admin, ADMIN_PASSWORD)
        signed = chain.make_checkpoint(session, admin, key, date(Y, 3, 31))
    with db.session(write=False) as session:
        feb = ledger_views.month_ledger(session, admin, Y, 2)
        march = ledger_views.month_ledger(session, admin, Y - 1, 3)
    assert feb.lines == [] and feb.total_minutes == 0 and feb.waiting == 1  # waiting and rejected are not listed
    assert [n.line.record_id for n in march.lines] == [ids["corrected"]]
    assert march.total_minutes == 120 and march.by_category == [("帮扶行动", 120)]
    assert march.checkpoint == signed and len(march.fingerprint.split()) == 8
    with db.session(write=False) as session:
        for bad in ((Y, 13), (1899, 1)):
            with pytest.raises(ValidationError):
                ledger_views.month_ledger(session, admin, *bad)


def test_parse_month():
    assert ledger_views.parse_month("2026-11") == (2026, 11)
    assert ledger_views.parse_month("2026年3月") == (2026, 3)
    for bad in ("2026-13", "11-2026", ""):
        with pytest.raises(ValidationError, match="YYYY-MM"):
            ledger_views.parse_month(bad)


def test_party_ledger_groups_party_and_league_members(db: Database, admin: Actor, viewer: Actor, volunteer: int):
    league = make_volunteer(db, admin, "周团员")
    masses = make_volunteer(db, admin, "钱群众")
    applicant = make_volunteer(db, admin, "孙申请", approve=False)  # not registered, no hours: not listed
    with db.session() as session:
        session.get(Volunteer, volunteer).political_status = "party_member"
        session.get(Volunteer, league).political_status = "league_member"
        session.get(Volunteer, applicant).political_status = "party_member"
    history(db, admin, volunteer)
    add_record(db, admin, league, 60, on=date(Y, 7, 1))
    add_record(db, admin, league, 60, on=date(Y - 1, 7, 1))
    add_record(db, admin, masses, 600, on=date(Y, 7, 1))
    with db.session(write=False) as session:
        view = ledger_views.party_ledger(session, viewer, Y)
    party, youth = view.groups
    assert [(r.name, r.services, r.minutes, r.total_minutes) for r in party.rows] == [("李志愿", 2, 630, 750)]
    assert [(r.name, r.services, r.minutes, r.total_minutes) for r in youth.rows] == [("周团员", 1, 60, 120)]
    assert view.total_minutes == 690 and "*" in party.rows[0].id_number


def test_one_volunteers_ledger_takes_the_same_queries_for_five_lines_or_fifty(
    db: Database, admin: Actor, volunteer: int
):
    """No query per line: the number of statements does not grow with the volunteer's history."""

    def statements() -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            ledger(db, admin, volunteer)
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    first = [add_record(db, admin, volunteer, 60, on=date(Y, 1, d)) for d in range(1, 6)]
    add_correction(db, admin, first[0], 30)
    few = statements()
    more = [add_record(db, admin, volunteer, 60, on=date(Y, 2, 1 + d % 28), start=time(d % 20)) for d in range(45)]
    add_correction(db, admin, more[3], 45)
    assert statements() == few
