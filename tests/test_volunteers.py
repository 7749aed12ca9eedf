"""Volunteers: registration, review, status changes, edits, privacy, the roster and teams."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select, text

from station_app.db import Database
from station_app.errors import DuplicateError, PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, Community, Station, Volunteer
from station_app.services import audit
from station_app.services.auth import Actor, Role, create_user
from station_app.services.teams import TeamInput, create_team, list_teams
from station_app.services.volunteers import (
    RosterFilter,
    Status,
    VolunteerInput,
    change_status,
    get_volunteer,
    register_volunteer,
    review_volunteer,
    roster_ids,
    roster_rows,
    update_volunteer,
)

from .idnumbers import make_id


def full_width(text_: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text_)


ZHANG_ID = make_id("442000", "19900101", "123")  # male (3 is odd), born 1990-01-01
LI_ID = make_id("442000", "19851215", "246")  # female
WANG_ID = make_id("110101", "20000520", "357")  # male
OUYANG_ID = make_id("440101", "19700303", "468")  # female
ZHANG_ID_CORRECTED = make_id("442000", "19900101", "125")  # ends in X
X_ID = make_id("442000", "19800808", "107")  # male, ends in X
assert ZHANG_ID_CORRECTED.endswith("X") and X_ID.endswith("X")


def zhang(**changes) -> VolunteerInput:
    return replace(VolunteerInput(name="张三丰", id_number=ZHANG_ID, phone="13812345678"), **changes)


def register(db: Database, actor: Actor, data: VolunteerInput) -> int:
    with db.session() as session:
        return register_volunteer(session, actor, data)


def review(db: Database, actor: Actor, volunteer_id: int, *, approve: bool = True, reason: str = "") -> str | None:
    with db.session() as session:
        return review_volunteer(session, actor, volunteer_id, approve=approve, reason=reason)


def detail(db: Database, actor: Actor, volunteer_id: int, *, reveal: bool = False):
    with db.session() as session:
        return get_volunteer(session, actor, volunteer_id, reveal=reveal)


def volunteer_count(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(Volunteer))


def audit_count(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


def team_id(db: Database, actor: Actor, name: str) -> int:
    with db.session(write=False) as session:
        return next(t.id for t in list_teams(session, actor) if t.name == name)


# --- registration and review -------------------------------------------------------------------
def test_registration_is_an_application_without_number(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang(skills=["电工"]))
    d = detail(db, clerk, volunteer_id)
    assert d.status == Status.APPLYING and d.status.label == "申请中"
    assert d.volunteer_no == ""
    assert (d.name, d.gender, d.birth_date) == ("张三丰", "男", date(1990, 1, 1))
    assert d.skills == ["电工"]


def test_approval_issues_numbers_in_sequence(db: Database, admin: Actor):
    first = register(db, admin, zhang())
    second = register(db, admin, VolunteerInput(name="李四", id_number=LI_ID, phone="13900001111"))
    assert review(db, admin, first) == "SQ0101-000001"
    assert review(db, admin, second) == "SQ0101-000002"
    d = detail(db, admin, first)
    assert d.status == Status.REGISTERED and d.status.label == "已注册"
    assert d.volunteer_no == "SQ0101-000001"
    assert d.reviewed_by == "陈站长"
    assert d.registered_on == date.today()


def test_each_station_numbers_its_own_volunteers(db: Database, admin: Actor):
    review(db, admin, register(db, admin, zhang()))
    with db.session() as session:
        community_id = session.scalar(select(Community.id))
        other = Station(community_id=community_id, name="另一个服务站", code="SQ0102", next_volunteer_seq=1)
        session.add(other)
        session.flush()
        other_admin_id = create_user(session, None, username="admin2", display_name="李站长", role=Role.ADMIN,
                                     password="password-2", station_id=other.id)
        other_admin = Actor(other_admin_id, "admin2", "李站长", Role.ADMIN, other.id)
    other_volunteer = register(db, other_admin, VolunteerInput(name="李四", id_number=LI_ID, phone="13900001111"))
    assert review(db, other_admin, other_volunteer) == "SQ0102-000001"
    second = register(db, admin, VolunteerInput(name="王小明", id_number=WANG_ID, phone="13700002222"))
    assert review(db, admin, second) == "SQ0101-000002"


def test_reject_requires_a_reason_and_records_it(db: Database, admin: Actor):
    volunteer_id = register(db, admin, zhang())
    for blank in ("", "   "):
        with pytest.raises(ValidationError, match="必须填写原因") as excinfo:
            review(db, admin, volunteer_id, approve=False, reason=blank)
        assert excinfo.value.field == "reason"
    assert detail(db, admin, volunteer_id).status == Status.APPLYING

    assert review(db, admin, volunteer_id, approve=False, reason="不在本小区居住") is None
    d = detail(db, admin, volunteer_id)
    assert d.status == Status.REJECTED and d.status.label == "未通过"
    assert d.status_reason == "不在本小区居住"
    assert d.volunteer_no == ""
    with db.session(write=False) as session:
        entry = audit.history(session, "volunteer", volunteer_id)[0]
    assert entry.action == "review" and entry.changes["reason"] == [None, "不在本小区居住"]

    # A rejection uses up no number.
    other = register(db, admin, VolunteerInput(name="李四", id_number=LI_ID, phone="13900001111"))
    assert review(db, admin, other) == "SQ0101-000001"


def test_only_applying_volunteers_can_be_reviewed(db: Database, admin: Actor):
    volunteer_id = register(db, admin, zhang())
    review(db, admin, volunteer_id)
    for approve, reason in ((True, ""), (False, "重复审核")):
        with pytest.raises(ValidationError, match="只有“申请中”的志愿者才能审核") as excinfo:
            review(db, admin, volunteer_id, approve=approve, reason=reason)
        assert "已注册" in excinfo.value.message
    d = detail(db, admin, volunteer_id)
    assert (d.status, d.volunteer_no) == (Status.REGISTERED, "SQ0101-000001")


# --- duplicates and bad input ----------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(X_ID, id="same"),
        pytest.param(X_ID[:-1] + "x", id="lower-case-x"),
        pytest.param(full_width(X_ID), id="full-width"),
        pytest.param(f" {X_ID[:6]} {X_ID[6:14]} {X_ID[14:]} ", id="spaces"),
    ],
)
def test_duplicate_id_number_refused(db: Database, admin: Actor, typed: str):
    existing = register(db, admin, VolunteerInput(name="赵六", id_number=X_ID, phone="13812345678"))
    review(db, admin, existing)
    audit_before = audit_count(db)

    with pytest.raises(DuplicateError) as excinfo:
        register(db, admin, VolunteerInput(name="赵六", id_number=typed, phone="13900001111"))

    error = excinfo.value
    assert error.existing_id == existing and error.field == "id_number"
    assert "赵六" in error.message and "SQ0101-000001" in error.message and "已注册" in error.message
    assert X_ID not in error.message  # the message shows the number masked
    assert volunteer_count(db) == 1 and audit_count(db) == audit_before


def test_duplicate_of_an_applicant_names_the_applicant(db: Database, clerk: Actor):
    existing = register(db, clerk, zhang())
    with pytest.raises(DuplicateError) as excinfo:
        register(db, clerk, zhang(name="张三", phone="13900001111"))
    assert excinfo.value.existing_id == existing
    assert "张三丰" in excinfo.value.message and "申请中" in excinfo.value.message


def test_editing_into_someone_elses_id_number_refused(db: Database, clerk: Actor):
    first = register(db, clerk, zhang())
    second = register(db, clerk, VolunteerInput(name="李四", id_number=LI_ID, phone="13900001111"))
    version = detail(db, clerk, second).version
    with pytest.raises(DuplicateError) as excinfo, db.session() as session:
        update_volunteer(session, clerk, second, VolunteerInput(name="李四", id_number=ZHANG_ID, phone="13900001111"),
                         expected_version=version)
    assert excinfo.value.existing_id == first
    assert detail(db, clerk, second, reveal=True).id_number == LI_ID


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        pytest.param({"gender": "女"}, "gender", "性别", id="gender"),
        pytest.param({"birth_date": "1990-01-02"}, "birth_date", "出生日期", id="birth-date-text"),
        pytest.param({"birth_date": date(1991, 1, 1)}, "birth_date", "出生日期", id="birth-date"),
        pytest.param({"phone": "12345"}, "phone", "手机号码应为11位", id="short-phone"),
        pytest.param({"phone": "138-1234-567a"}, "phone", "电话", id="letter-in-phone"),
        pytest.param({"phone": "  "}, "phone", "联系电话不能为空", id="no-phone"),
        pytest.param({"id_number": ZHANG_ID[:-1] + ("0" if ZHANG_ID[-1] != "0" else "1")}, "id_number", "校验位",
                     id="bad-check-digit"),
        pytest.param({"name": "张三1"}, "name", "数字", id="digit-in-name"),
    ],
)
def test_bad_registration_refused_and_nothing_written(db: Database, clerk: Actor, changes, field, words):
    audit_before = audit_count(db)
    with pytest.raises(ValidationError) as excinfo:
        register(db, clerk, zhang(**changes))
    assert excinfo.value.field == field
    assert words in excinfo.value.message
    assert volunteer_count(db) == 0 and audit_count(db) == audit_before


def test_matching_gender_and_birth_date_accepted(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang(gender="男", birth_date="1990年1月1日"))
    assert detail(db, clerk, volunteer_id).birth_date == date(1990, 1, 1)


def test_unknown_team_refused(db: Database, clerk: Actor):
    with pytest.raises(ValidationError, match="服务队不存在"):
        register(db, clerk, zhang(team_ids=[99999]))
    assert volunteer_count(db) == 0


# --- status changes ---------------------------------------------------------------------------------
def move(db: Database, actor: Actor, volunteer_id: int, status: Status, reason: str) -> None:
    with db.session() as session:
        change_status(session, actor, volunteer_id, status, reason)


def test_suspend_needs_a_reason(db: Database, admin: Actor):
    volunteer_id = register(db, admin, zhang())
    review(db, admin, volunteer_id)
    with pytest.raises(ValidationError, match="原因") as excinfo:
        move(db, admin, volunteer_id, Status.SUSPENDED, " ")
    assert excinfo.value.field == "reason"
    assert detail(db, admin, volunteer_id).status == Status.REGISTERED

    move(db, admin, volunteer_id, Status.SUSPENDED, "外出务工半年")
    d = detail(db, admin, volunteer_id)
    assert (d.status.label, d.status_reason) == ("暂停", "外出务工半年")
    with db.session(write=False) as session:
        entry = audit.history(session, "volunteer", volunteer_id)[0]
    assert entry.action == "status" and "暂停" in entry.summary


def test_resuming_is_a_review_decision(db: Database, admin: Actor, clerk: Actor):
    volunteer_id = register(db, admin, zhang())
    review(db, admin, volunteer_id)
    move(db, clerk, volunteer_id, Status.SUSPENDED, "生病住院")
    with pytest.raises(PermissionDenied, match="审核志愿者"):
        move(db, clerk, volunteer_id, Status.REGISTERED, "已康复")
    assert detail(db, admin, volunteer_id).status == Status.SUSPENDED
    move(db, admin, volunteer_id, Status.REGISTERED, "已康复")
    assert detail(db, admin, volunteer_id).status == Status.REGISTERED


def test_withdrawn_volunteer_can_apply_again_and_keeps_number(db: Database, admin: Actor):
    volunteer_id = register(db, admin, zhang())
    review(db, admin, volunteer_id)
    move(db, admin, volunteer_id, Status.WITHDRAWN, "搬离小区")
    assert detail(db, admin, volunteer_id).status.label == "已退出"
    move(db, admin, volunteer_id, Status.APPLYING, "搬回小区")
    assert detail(db, admin, volunteer_id).status == Status.APPLYING
    assert review(db, admin, volunteer_id) == "SQ0101-000001"


@pytest.mark.parametrize(
    ("approved", "target", "words"),
    [
        (False, Status.SUSPENDED, "不能把志愿者从“申请中”改为“暂停”"),
        (False, Status.REGISTERED, "不能把志愿者从“申请中”改为“已注册”"),
        (True, Status.APPLYING, "不能把志愿者从“已注册”改为“申请中”"),
        (True, Status.REJECTED, "不能把志愿者从“已注册”改为“未通过”"),
    ],
)
def test_illegal_status_moves_refused(db: Database, admin: Actor, approved: bool, target: Status, words: str):
    volunteer_id = register(db, admin, zhang())
    if approved:
        review(db, admin, volunteer_id)
    before = detail(db, admin, volunteer_id).status
    with pytest.raises(ValidationError, match=words):
        move(db, admin, volunteer_id, target, "试试看")
    assert detail(db, admin, volunteer_id).status == before


# --- edits ---------------------------------------------------------------------------------------
def test_stale_edit_refused(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang())
    opened = detail(db, clerk, volunteer_id).version
    with db.session() as session:  # someone else saves first
        update_volunteer(session, clerk, volunteer_id, zhang(phone="13911112222"), expected_version=opened)
    with pytest.raises(StationError, match="刚被其他人修改过"), db.session() as session:
        update_volunteer(session, clerk, volunteer_id, zhang(phone="13733334444"), expected_version=opened)
    assert detail(db, clerk, volunteer_id, reveal=True).phone == "13911112222"


def test_edit_saves_skills(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang(skills=["电工"]))
    d = detail(db, clerk, volunteer_id)
    with db.session() as session:
        update_volunteer(session, clerk, volunteer_id, zhang(skills=["理发", "摄影", "理发"]), expected_version=d.version)
    d = detail(db, clerk, volunteer_id)
    assert sorted(d.skills) == ["摄影", "理发"]


def test_stale_edit_refused_after_skills_only_edit(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang(skills=["电工"]))
    opened = detail(db, clerk, volunteer_id).version
    with db.session() as session:  # someone else adds a skill and saves
        update_volunteer(session, clerk, volunteer_id, zhang(skills=["电工", "理发"]), expected_version=opened)
    with pytest.raises(StationError, match="刚被其他人修改过"), db.session() as session:
        update_volunteer(session, clerk, volunteer_id, zhang(skills=["电工"], phone="13733334444"),
                         expected_version=opened)
    assert sorted(detail(db, clerk, volunteer_id).skills) == ["理发", "电工"]



def test_edit_joins_two_teams(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang())
    elderly, medical = team_id(db, clerk, "助老服务队"), team_id(db, clerk, "医疗服务队")
    d = detail(db, clerk, volunteer_id)
    with db.session() as session:
        update_volunteer(session, clerk, volunteer_id, zhang(team_ids=[elderly, medical]), expected_version=d.version)
    assert sorted(detail(db, clerk, volunteer_id).team_names) == ["助老服务队", "医疗服务队"]


def test_edit_team_change_audited_with_team(db: Database, clerk: Actor):
    elderly, medical = team_id(db, clerk, "助老服务队"), team_id(db, clerk, "医疗服务队")
    volunteer_id = register(db, clerk, zhang(team_ids=[elderly]))
    d = detail(db, clerk, volunteer_id)
    with db.session() as session:
        update_volunteer(session, clerk, volunteer_id, zhang(team_ids=[medical]), expected_version=d.version)
    assert detail(db, clerk, volunteer_id).team_names == ["医疗服务队"]
    with db.session(write=False) as session:
        entry = audit.history(session, "volunteer", volunteer_id)[0]
    assert entry.changes["team_ids"] == [[elderly], [medical]]


def test_edit_audit_masks_id_number_and_phone(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang(emergency_contact="张君宝", emergency_phone="13700005555"))
    version = detail(db, clerk, volunteer_id).version
    with db.session() as session:
        update_volunteer(session, clerk, volunteer_id,
                         zhang(id_number=ZHANG_ID_CORRECTED, phone="13987654321", emergency_contact="张君宝",
                               emergency_phone="13700006666"),
                         expected_version=version)

    with db.session(write=False) as session:
        entry = audit.history(session, "volunteer", volunteer_id)[0]
        everything = str(session.execute(text("SELECT * FROM audit_log")).all())
    assert entry.action == "update" and entry.username == "clerk"
    assert entry.changes["id_number"] == ["442000********" + ZHANG_ID[-4:], "442000********" + ZHANG_ID_CORRECTED[-4:]]
    assert entry.changes["phone"] == ["138****5678", "139****4321"]
    assert entry.changes["emergency_phone"] == ["137****5555", "137****6666"]
    for raw in (ZHANG_ID, ZHANG_ID_CORRECTED, "13812345678", "13987654321", "13700005555", "13700006666"):
        assert raw not in everything


# --- privacy --------------------------------------------------------------------------------------
def test_details_masked_unless_revealed(db: Database, clerk: Actor):
    volunteer_id = register(db, clerk, zhang(building="3栋", unit="2单元", room="501", emergency_contact="张君宝",
                                             emergency_phone="13700005555"))
    entries_before = audit_count(db)
    d = detail(db, clerk, volunteer_id)
    assert not d.revealed
    assert d.id_number == "442000********" + ZHANG_ID[-4:]
    assert d.phone == "138****5678"
    assert d.emergency_phone == "137****5555"
    assert (d.building, d.unit, d.room) == ("***", "***", "***")
    assert audit_count(db) == entries_before  # an ordinary look is not logged

    d = detail(db, clerk, volunteer_id, reveal=True)
    assert d.revealed
    assert (d.id_number, d.phone, d.emergency_phone) == (ZHANG_ID, "13812345678", "13700005555")
    assert (d.building, d.unit, d.room) == ("3栋", "2单元", "501")
    with db.session(write=False) as session:
        entry = audit.history(session, "volunteer", volunteer_id)[0]
    assert (entry.action, entry.username) == ("reveal", "clerk")
    assert "张三丰" in entry.summary


def test_viewer_sees_masked_data_only(db: Database, clerk: Actor, viewer: Actor):
    volunteer_id = register(db, clerk, zhang())
    entries_before = audit_count(db)
    assert detail(db, viewer, volunteer_id).phone == "138****5678"
    with pytest.raises(PermissionDenied, match="查看完整的身份证号和电话"):
        detail(db, viewer, volunteer_id, reveal=True)
    assert audit_count(db) == entries_before


# --- the roster -----------------------------------------------------------------------------------
@pytest.fixture
def roster(db: Database, admin: Actor) -> dict[str, int]:
    """Four volunteers; 张三丰 and 王小明 approved (SQ0101-000001 and -000002)."""
    elderly, medical = team_id(db, admin, "助老服务队"), team_id(db, admin, "医疗服务队")
    people = {
        "张三丰": register(db, admin, zhang(skills=["电工"], political_status="party_member", is_backbone=True,
                                          team_ids=[elderly])),
        "李四": register(db, admin, VolunteerInput(name="李四", id_number=LI_ID, phone="13900001111",
                                                 skills=["医疗"])),
        "王小明": register(db, admin, VolunteerInput(name="王小明", id_number=WANG_ID, phone="0760-88123456",
                                                  skills=["电工", "摄影"], political_status="league_member",
                                                  team_ids=[medical])),
        "欧阳娜娜": register(db, admin, VolunteerInput(name="欧阳娜娜", id_number=OUYANG_ID, phone="15011112222",
                                                   is_backbone=True)),
    }
    review(db, admin, people["张三丰"])
    review(db, admin, people["王小明"])
    return people


def names(db: Database, actor: Actor, roster: dict[str, int], flt: RosterFilter, sort: str = "id",
          descending: bool = False) -> list[str]:
    by_id = {v: k for k, v in roster.items()}
    with db.session(write=False) as session:
        return [by_id[i] for i in roster_ids(session, actor, flt, sort, descending)]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        pytest.param("zsf", ["张三丰"], id="initials"),
        pytest.param("ZSF", ["张三丰"], id="initials-upper"),
        pytest.param("zs", ["张三丰"], id="initials-prefix"),
        pytest.param("zhangsan", ["张三丰"], id="pinyin-prefix"),
        pytest.param("oyn", ["欧阳娜娜"], id="initials-compound"),
        pytest.param("三丰", ["张三丰"], id="chinese-substring"),
        pytest.param("小", ["王小明"], id="chinese-single"),
        pytest.param("12345678", ["张三丰"], id="mobile-digits"),
        pytest.param("88123456", ["王小明"], id="landline-digits"),
        pytest.param(ZHANG_ID[-4:], ["张三丰"], id="id-tail"),
        pytest.param(WANG_ID[-6:], ["王小明"], id="id-tail-6"),
        pytest.param("电工", ["张三丰", "王小明"], id="skill"),
        pytest.param("摄影", ["王小明"], id="skill-2"),
        pytest.param("SQ0101-000002", ["王小明"], id="volunteer-no"),
        pytest.param("sq0101-000002", ["王小明"], id="volunteer-no-lower"),
        pytest.param("000001", ["张三丰"], id="volunteer-no-digits"),
        pytest.param("%", [], id="percent-is-literal"),
        pytest.param("_", [], id="underscore-is-literal"),
        pytest.param("xyz", [], id="no-match"),
    ],
)
def test_roster_search(db: Database, viewer: Actor, roster: dict[str, int], typed: str, expected: list[str]):
    assert names(db, viewer, roster, RosterFilter(text=typed)) == expected


def test_search_finds_id_tail_with_lower_case_x(db: Database, admin: Actor):
    volunteer_id = register(db, admin, VolunteerInput(name="赵六", id_number=X_ID, phone="13812345678"))
    with db.session(write=False) as session:
        assert roster_ids(session, admin, RosterFilter(text=X_ID[-4:].lower())) == [volunteer_id]


def test_roster_filters(db: Database, admin: Actor, roster: dict[str, int]):
    elderly = team_id(db, admin, "助老服务队")
    assert names(db, admin, roster, RosterFilter(status=Status.REGISTERED)) == ["张三丰", "王小明"]
    assert names(db, admin, roster, RosterFilter(status=Status.APPLYING)) == ["李四", "欧阳娜娜"]
    assert names(db, admin, roster, RosterFilter(team_id=elderly)) == ["张三丰"]
    assert names(db, admin, roster, RosterFilter(political_status="league_member")) == ["王小明"]
    assert names(db, admin, roster, RosterFilter(backbone_only=True)) == ["张三丰", "欧阳娜娜"]
    assert names(db, admin, roster, RosterFilter(skill="电工")) == ["张三丰", "王小明"]
    assert names(db, admin, roster, RosterFilter(text="电工", status=Status.REGISTERED, backbone_only=True)) == ["张三丰"]


def test_roster_sorting(db: Database, admin: Actor, roster: dict[str, int]):
    by_name = ["李四", "欧阳娜娜", "王小明", "张三丰"]  # lisi, ouyangnana, wangxiaoming, zhangsanfeng
    assert names(db, admin, roster, RosterFilter(), sort="name") == by_name
    assert names(db, admin, roster, RosterFilter(), sort="name", descending=True) == by_name[::-1]
    youngest_first = ["王小明", "张三丰", "李四", "欧阳娜娜"]  # born 2000, 1990, 1985, 1970
    assert names(db, admin, roster, RosterFilter(), sort="age") == youngest_first
    assert names(db, admin, roster, RosterFilter(), sort="age", descending=True) == youngest_first[::-1]


def test_roster_rows_mask_personal_data(db: Database, viewer: Actor, roster: dict[str, int]):
    with db.session(write=False) as session:
        rows = roster_rows(session, viewer, list(roster.values()), today=date(2026, 6, 1))
    row = rows[roster["张三丰"]]
    assert row.volunteer_no == "SQ0101-000001"
    assert (row.name, row.gender, row.age) == ("张三丰", "男", 36)
    assert row.id_number == "442000********" + ZHANG_ID[-4:]
    assert row.phone == "138****5678"
    assert (row.political_status, row.status, row.is_backbone, row.skills) == ("中共党员", "已注册", True, "电工")
    other = rows[roster["王小明"]]
    assert other.phone == "0760-****3456"
    assert sorted(other.skills.split("、")) == ["摄影", "电工"]
    assert rows[roster["李四"]].status == "申请中" and rows[roster["李四"]].volunteer_no == ""
    everything = str(rows)
    for raw in (ZHANG_ID, LI_ID, WANG_ID, OUYANG_ID, "13812345678", "13900001111", "88123456", "15011112222"):
        assert raw not in everything


# --- teams ------------------------------------------------------------------------------------------
def teams_by_name(db: Database, actor: Actor) -> dict:
    with db.session(write=False) as session:
        return {t.name: t for t in list_teams(session, actor)}


def test_new_station_has_default_own_teams(db: Database, viewer: Actor):
    teams = teams_by_name(db, viewer)
    assert {"助老服务队", "医疗服务队", "社区巡逻队"} <= teams.keys()
    assert all(t.kind == "own" and t.member_count == 0 for t in teams.values())


def test_create_own_and_visiting_teams(db: Database, clerk: Actor):
    with db.session() as session:
        create_team(session, clerk, TeamInput(name="楼栋巡查队", contact_name="刘队长", contact_phone="138 1234 5678"))
        create_team(session, clerk, TeamInput(name="中山市人民医院义诊队", kind="visiting", org_type="医院",
                                              org_name="中山市人民医院"))
    teams = teams_by_name(db, clerk)
    own, visiting = teams["楼栋巡查队"], teams["中山市人民医院义诊队"]
    assert (own.kind, own.contact_phone, own.org_name) == ("own", "13812345678", "")
    assert (visiting.kind, visiting.org_type, visiting.org_name) == ("visiting", "医院", "中山市人民医院")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        pytest.param(TeamInput(name="义诊队", kind="visiting", org_type="医院"), "org_name", id="no-org-name"),
        pytest.param(TeamInput(name="义诊队", kind="visiting", org_name="人民医院"), "org_type", id="no-org-type"),
        pytest.param(TeamInput(name="义诊队", kind="visiting", org_name="人民医院", org_type="星际舰队"), "org_type",
                     id="unknown-org-type"),
        pytest.param(TeamInput(name="  "), "name", id="no-name"),
        pytest.param(TeamInput(name="义诊队", contact_phone="12345"), "phone", id="bad-phone"),
    ],
)
def test_bad_team_refused(db: Database, clerk: Actor, data: TeamInput, field: str):
    before = teams_by_name(db, clerk).keys()
    with pytest.raises(ValidationError) as excinfo, db.session() as session:
        create_team(session, clerk, data)
    assert excinfo.value.field == field
    assert teams_by_name(db, clerk).keys() == before


def test_duplicate_team_name_refused(db: Database, clerk: Actor):
    existing = team_id(db, clerk, "助老服务队")
    with pytest.raises(DuplicateError) as excinfo, db.session() as session:
        create_team(session, clerk, TeamInput(name=" 助老服务队 "))
    assert excinfo.value.existing_id == existing
    assert "本站已有名为“助老服务队”的服务队" in excinfo.value.message


def test_viewer_cannot_create_teams(db: Database, viewer: Actor):
    with pytest.raises(PermissionDenied, match="管理服务队"), db.session() as session:
        create_team(session, viewer, TeamInput(name="楼栋巡查队"))
    assert "楼栋巡查队" not in teams_by_name(db, viewer)


def test_member_count(db: Database, admin: Actor, roster: dict[str, int]):
    teams = teams_by_name(db, admin)
    assert teams["助老服务队"].member_count == 1
    assert teams["医疗服务队"].member_count == 1
    assert teams["社区巡逻队"].member_count == 0
    patrol = teams["社区巡逻队"].id
    register(db, admin, VolunteerInput(name="赵六", id_number=X_ID, phone="13812345678", team_ids=[patrol]))
    assert teams_by_name(db, admin)["社区巡逻队"].member_count == 1
