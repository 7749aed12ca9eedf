"""Star levels: thresholds, the overview, newly eligible, confirming with a certificate, reviews."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import create_engine, func, literal, select

from station_app.db import Database
from station_app.errors import PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, StarAward
from station_app.services import chain, hours, stars
from station_app.services.auth import Actor

from .ledger_factory import add_correction, add_record
from .schedule_factory import make_volunteer, set_status

H = 60  # minutes in an hour
TODAY = date.today()


# --- thresholds (pure) ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("minutes", "level"),
    [(0, 0), (int(99.75 * H), 0), (100 * H, 1), (300 * H - 15, 1), (300 * H, 2), (600 * H, 3), (1000 * H, 4),
     (int(1499.75 * H), 4), (1500 * H, 5), (10_000 * H, 5)],
)
def test_the_thresholds_of_section_three_six(minutes: int, level: int):
    assert hours.star_level(minutes) == level


@given(st.integers(min_value=0, max_value=20_000 * H), st.integers(min_value=0, max_value=2_000 * H))
def test_more_hours_never_lower_the_level_and_five_is_the_top(minutes: int, more: int):
    assert 0 <= hours.star_level(minutes) <= hours.star_level(minutes + more) <= 5


@given(st.integers(min_value=0, max_value=2_000 * 4))
def test_the_level_is_the_number_of_thresholds_reached(quarters: int):
    minutes = quarters * 15
    assert hours.star_level(minutes) == sum(minutes >= t * H for t in (100, 300, 600, 1000, 1500))
    nxt = hours.next_threshold(minutes)
    assert nxt is None if minutes >= 1500 * H else (nxt > minutes and hours.star_level(nxt) == hours.star_level(minutes) + 1)


@given(st.integers(min_value=0, max_value=1600 * 4))
def test_sql_level_agrees_with_star_level(quarters: int):
    """The overview filters by level in SQL; that must be the very rule star_level applies."""
    with _memory_engine().connect() as conn:
        value = conn.scalar(select(stars._level_case(literal(quarters * 15))))
    assert value == hours.star_level(quarters * 15)


_engine = []


def _memory_engine():
    if not _engine:
        _engine.append(create_engine("sqlite://"))
    return _engine[0]


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture
def volunteer(db: Database, admin: Actor) -> int:
    return make_volunteer(db, admin, "李志愿")


def served(db: Database, admin: Actor, volunteer_id: int, total_hours: float, days_ago: int = 1) -> list[int]:
    """Records adding up to ``total_hours``, at most 8 h a day, ending ``days_ago`` days ago."""
    left, ids, day = int(total_hours * H), [], TODAY - timedelta(days=days_ago)
    while left > 0:
        chunk = min(left, 8 * H)
        ids.append(add_record(db, admin, volunteer_id, chunk, on=day))
        left -= chunk
        day -= timedelta(days=1)
    return ids


def count(db: Database, model) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def eligible(db: Database, actor: Actor) -> list[stars.StarRow]:
    with db.session(write=False) as session:
        return stars.newly_eligible(session, actor)


def confirm(db: Database, actor: Actor, volunteer_id: int, level: int, on: date = TODAY) -> stars.AwardRow:
    with db.session() as session:
        return stars.confirm_award(session, actor, volunteer_id, level, on)


# --- overview ------------------------------------------------------------------------------------
def test_overview_lists_registered_volunteers_with_hours_levels_and_the_next_star(db: Database, admin: Actor):
    a = make_volunteer(db, admin, "张一星")
    b = make_volunteer(db, admin, "王新人")
    c = make_volunteer(db, admin, "赵申请", approve=False)
    served(db, admin, a, 100.5)
    served(db, admin, b, 12)
    add_record(db, admin, c, 60)
    with db.session(write=False) as session:
        overview = stars.star_overview(session, admin)
        distribution = stars.level_distribution(session, admin)
        only_one = stars.star_overview(session, admin, level=1)
        searched = stars.star_overview(session, admin, search="王")
        paged = stars.star_overview(session, admin, limit=1, offset=1)
    assert [(r.name, r.hours, r.level, r.stars) for r in overview.rows] == [
        ("张一星", "100.5", 1, "★☆☆☆☆"), ("王新人", "12", 0, "未达星级")]
    assert overview.total == 2  # the applicant is not listed
    assert overview.rows[0].to_next_text == "还差 199.5 小时达二星级志愿者"
    assert overview.rows[0].confirmed_text == "未认定"
    assert distribution == {0: 1, 1: 1, 2: 0, 3: 0, 4: 0, 5: 0}
    assert [r.name for r in only_one.rows] == ["张一星"]
    assert [r.name for r in searched.rows] == ["王新人"]
    assert [r.name for r in paged.rows] == ["王新人"] and paged.total == 2


def test_waiting_and_corrected_hours_count_as_the_ledger_says(db: Database, admin: Actor, volunteer: int):
    [first] = served(db, admin, volunteer, 8)
    add_record(db, admin, volunteer, 4 * H, on=TODAY - timedelta(days=3), needs_approval=True)
    add_correction(db, admin, first, 6 * H)
    with db.session(write=False) as session:
        [row] = stars.star_overview(session, admin).rows
    assert row.minutes == 6 * H


# --- newly eligible and confirming ---------------------------------------------------------------
def test_crossing_one_hundred_hours_makes_a_volunteer_newly_eligible(db: Database, admin: Actor, volunteer: int):
    served(db, admin, volunteer, 99.75, days_ago=2)
    assert eligible(db, admin) == []
    add_record(db, admin, volunteer, 15)
    [row] = eligible(db, admin)
    assert (row.volunteer_id, row.level, row.confirmed_level, row.hours) == (volunteer, 1, 0, "100")


def test_confirming_issues_a_certificate_and_the_volunteer_leaves_the_list(db: Database, admin: Actor, volunteer: int):
    served(db, admin, volunteer, 101)
    other = make_volunteer(db, admin, "周二号")
    served(db, admin, other, 100)
    award = confirm(db, admin, volunteer, 1)
    year = TODAY.year
    assert award.certificate_no == f"SQ0101-XJ{year}-0001"
    assert (award.level, award.minutes_at_award, award.confirmed_by_name, award.confirmed_on) == (1, 101 * H, "陈站长", TODAY)
    assert [r.volunteer_id for r in eligible(db, admin)] == [other]
    second = confirm(db, admin, other, 1)
    assert second.certificate_no == f"SQ0101-XJ{year}-0002"
    last_year = confirm(db, admin, make_and_serve(db, admin, "吴去年", 100), 1, date(year - 1, 12, 30))
    assert last_year.certificate_no == f"SQ0101-XJ{year - 1}-0001"
    with db.session(write=False) as session:
        report = chain.verify_chain(session, admin.station_id, ())
        [line] = [r for r in stars.star_overview(session, admin).rows if r.volunteer_id == volunteer]
        audits = session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == "star_award")).all()
    assert report.ok
    assert line.confirmed_text == "一星级志愿者"
    assert any(f"SQ0101-XJ{year}-0001" in s for s in audits)


def make_and_serve(db: Database, admin: Actor, name: str, total_hours: float) -> int:
    vid = make_volunteer(db, admin, name)
    served(db, admin, vid, total_hours)
    return vid


def test_a_jump_of_two_levels_is_confirmed_at_the_highest(db: Database, admin: Actor, volunteer: int):
    served(db, admin, volunteer, 320)
    [row] = eligible(db, admin)
    assert row.level == 2
    with db.session() as session:
        [award] = stars.confirm_all(session, admin, [volunteer], TODAY)
    assert award.level == 2 and eligible(db, admin) == []


def test_confirming_twice_or_above_the_hours_is_refused_and_writes_nothing(db: Database, admin: Actor, volunteer: int):
    served(db, admin, volunteer, 150)
    with pytest.raises(ValidationError, match="未达二星级志愿者所需的 300 小时"):
        confirm(db, admin, volunteer, 2)
    confirm(db, admin, volunteer, 1)
    awards = count(db, StarAward)
    with pytest.raises(ValidationError, match="已认定为一星级志愿者"):
        confirm(db, admin, volunteer, 1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        confirm(db, admin, volunteer, 1, TODAY + timedelta(days=1))
    assert count(db, StarAward) == awards


def test_only_registered_volunteers_and_only_administrators(db: Database, admin: Actor, clerk: Actor, volunteer: int):
    served(db, admin, volunteer, 100)
    with pytest.raises(PermissionDenied):
        confirm(db, clerk, volunteer, 1)
    set_status(db, volunteer, "suspended")
    assert eligible(db, admin) == []
    with pytest.raises(ValidationError, match="只能为已注册的志愿者认定星级"):
        confirm(db, admin, volunteer, 1)
    assert count(db, StarAward) == 0


def test_confirm_all_is_one_unit_of_work(db: Database, admin: Actor, volunteer: int):
    served(db, admin, volunteer, 100)
    short = make_and_serve(db, admin, "钱差一点", 99)
    with pytest.raises(ValidationError, match="钱差一点"), db.session() as session:
        stars.confirm_all(session, admin, [volunteer, short], TODAY)
    assert count(db, StarAward) == 0
    with pytest.raises(ValidationError, match="请先勾选"), db.session() as session:
        stars.confirm_all(session, admin, [], TODAY)


# --- corrections and reviews ---------------------------------------------------------------------
def flagged_volunteer(db: Database, admin: Actor, volunteer: int) -> stars.AwardRow:
    records = served(db, admin, volunteer, 104)
    award = confirm(db, admin, volunteer, 1)
    add_correction(db, admin, records[0], 2 * H, reason="签到表核对：实际服务 2 小时")
    with db.session() as session:
        flagged = hours.flag_awards_below(session, admin, volunteer, "签到表核对：实际服务 2 小时")
    assert flagged == [award.id]
    return award


def test_a_correction_below_the_level_flags_the_award_for_review(db: Database, admin: Actor, volunteer: int):
    award = flagged_volunteer(db, admin, volunteer)
    with db.session(write=False) as session:
        [row] = stars.flagged_awards(session, admin)
        [line] = stars.star_overview(session, admin).rows
        history = stars.volunteer_awards(session, admin, volunteer)
    assert (row.certificate_no, row.status_label, row.level_now) == (award.certificate_no, "待复核", 0)
    assert row.minutes_now == 98 * H and "签到表核对" in row.review_note
    assert line.confirmed_level == 0 and line.level == 0
    assert [a.status_label for a in history] == ["待复核"]
    assert count(db, StarAward) == 1  # flagged, not deleted


def test_an_award_under_review_blocks_a_new_confirmation(db: Database, admin: Actor, volunteer: int):
    flagged_volunteer(db, admin, volunteer)
    served(db, admin, volunteer, 10, days_ago=30)  # back above 100 h
    assert eligible(db, admin) == []
    with pytest.raises(ValidationError, match="正待复核"):
        confirm(db, admin, volunteer, 1)


def test_keep_leaves_the_award_in_force(db: Database, admin: Actor, volunteer: int):
    award = flagged_volunteer(db, admin, volunteer)
    with db.session() as session:
        stars.review_award(session, admin, award.id, True, "经核实另有服务记录未录入，保留认定")
    with db.session(write=False) as session:
        assert stars.flagged_awards(session, admin) == []
        [line] = stars.star_overview(session, admin).rows
        [kept] = stars.volunteer_awards(session, admin, volunteer)
    assert line.confirmed_level == 1 and kept.status_label == "复核后保留" and kept.reviewed_at is not None
    with pytest.raises(StationError, match="不在待复核状态"), db.session() as session:
        stars.review_award(session, admin, award.id, False, "再撤销")


def test_revoke_ends_the_award_and_a_new_crossing_is_eligible_again(db: Database, admin: Actor, volunteer: int):
    award = flagged_volunteer(db, admin, volunteer)
    with db.session() as session:
        stars.review_award(session, admin, award.id, False, "时长不足，撤销认定")
    with db.session(write=False) as session:
        [revoked] = stars.volunteer_awards(session, admin, volunteer)
        assert chain.verify_chain(session, admin.station_id, ()).ok  # the review is outside the hash
    assert revoked.status_label == "已撤销"
    served(db, admin, volunteer, 3, days_ago=40)
    [row] = eligible(db, admin)
    assert row.level == 1
    assert confirm(db, admin, volunteer, 1).certificate_no.endswith("-0002")


def test_a_review_needs_a_note_and_an_administrator(db: Database, admin: Actor, clerk: Actor, volunteer: int):
    award = flagged_volunteer(db, admin, volunteer)
    with pytest.raises(ValidationError, match="请填写复核说明"), db.session() as session:
        stars.review_award(session, admin, award.id, False, "  ")
    with pytest.raises(PermissionDenied), db.session() as session:
        stars.review_award(session, clerk, award.id, True, "保留")
    with db.session(write=False) as session:
        [still] = stars.flagged_awards(session, admin)
    assert still.review_status == "flagged"


def test_simultaneous_confirmations_get_distinct_numbers_and_no_double_award(db: Database, admin: Actor):
    """Six staff windows at once: five volunteers, one of them clicked twice. Numbers never repeat."""
    import threading

    people = [make_and_serve(db, admin, f"并发{'甲乙丙丁戊'[n]}", 100) for n in range(5)]
    results: list[str] = []
    refusals: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(people) + 1)

    def confirm_one(volunteer_id: int) -> None:
        try:
            barrier.wait()
            results.append(confirm(db, admin, volunteer_id, 1).certificate_no)
        except ValidationError as exc:
            refusals.append(exc.message)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=confirm_one, args=(v,)) for v in [*people, people[0]]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == [f"SQ0101-XJ{TODAY.year}-{n:04d}" for n in range(1, 6)]
    assert len(refusals) == 1 and "已认定为一星级志愿者" in refusals[0]
    assert count(db, StarAward) == 5
