"""Recipients (服务对象), visits (走访) with their needs, visit rules and the overdue list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select, text, update

from station_app.db import Database
from station_app.errors import PermissionDenied, StationError, ValidationError
from station_app.models import AuditEntry, Community, Need, Recipient, Station, Visit
from station_app.services import audit
from station_app.services.auth import Actor, Role, create_user
from station_app.services.catalogue import list_key_groups, list_menu, save_key_group, seed_catalogue
from station_app.services.needs import NeedFilter, NeedInput, NeedStatus, list_needs
from station_app.services.recipients import (
    RecipientInput,
    VisitInput,
    create_recipient,
    get_recipient,
    list_recipients,
    list_visits,
    overdue_visits,
    record_visit,
    set_recipient_active,
    update_recipient,
)

TODAY = date.today()


def group_ids(db: Database, actor: Actor) -> dict[str, int]:
    with db.session(write=False) as session:
        return {g.name: g.id for g in list_key_groups(session, actor)}


def menu_ids(db: Database, actor: Actor) -> dict[str, int]:
    with db.session(write=False) as session:
        return {i.name: i.id for i in list_menu(session, actor)}


def grandma(db: Database, actor: Actor, **changes) -> RecipientInput:
    groups = group_ids(db, actor)
    data = RecipientInput(
        name="何丽华", gender="女", birth_date="1942-03-08", building="3栋", unit="2单元", room="501",
        phone="13726901234", guardian_name="何志强", guardian_relation="儿子", guardian_phone="13800002222",
        key_group_ids=[groups["空巢老人"], groups["残疾人"]], notes="独居，腿脚不便",
    )
    return replace(data, **changes)


def create(db: Database, actor: Actor, data: RecipientInput) -> int:
    with db.session() as session:
        return create_recipient(session, actor, data)


def detail(db: Database, actor: Actor, recipient_id: int, *, reveal: bool = False):
    with db.session() as session:
        return get_recipient(session, actor, recipient_id, reveal=reveal)


def rows(db: Database, actor: Actor, **kwargs):
    with db.session(write=False) as session:
        return list_recipients(session, actor, **kwargs)


def count(db: Database, model) -> int:  # noqa: ANN001
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(model))


def backdate(db: Database, recipient_id: int, days: int) -> None:
    """Pretend the recipient was registered ``days`` ago."""
    from datetime import datetime, timezone

    moment = datetime.now(timezone.utc) - timedelta(days=days)
    with db.session() as session:
        session.execute(update(Recipient).where(Recipient.id == recipient_id).values(created_at=moment))


def visit(db: Database, actor: Actor, recipient_id: int, on: date, needs=(), **changes) -> int:  # noqa: ANN001
    data = replace(VisitInput(recipient_id=recipient_id, visited_on=on, visitor_kind="staff", visitor_name="陈站长",
                              method="home", findings="家中一切正常"), **changes)
    with db.session() as session:
        return record_visit(session, actor, data, needs)


# --- the register --------------------------------------------------------------------------------
def test_create_and_list_with_masked_contact_and_key_groups(db: Database, clerk: Actor):
    recipient_id = create(db, clerk, grandma(db, clerk))
    [row] = rows(db, clerk)
    assert row.id == recipient_id and row.name == "何丽华" and row.gender == "女"
    assert row.age == TODAY.year - 1942 - ((TODAY.month, TODAY.day) < (3, 8))
    assert row.key_groups == ["空巢老人", "残疾人"]
    assert row.contact == "137****1234"
    assert row.last_visit is None and row.next_due == TODAY + timedelta(days=14)  # 空巢老人: every 14 days
    with db.session(write=False) as session:
        entry = audit.history(session, "recipient", recipient_id)[0]
    assert entry.action == "create" and "何丽华" in entry.summary
    assert entry.changes["phone"] == [None, "137****1234"]
    assert entry.changes["guardian_phone"] == [None, "138****2222"]
    assert entry.changes["building"] == [None, "***"]
    assert entry.changes["key_groups"] == [None, ["残疾人", "空巢老人"]]


def test_contact_falls_back_to_the_guardian(db: Database, clerk: Actor):
    groups = group_ids(db, clerk)
    create(db, clerk, RecipientInput(name="小明", gender="男", birth_date="2015-06-01", guardian_name="王秀英",
                                     guardian_relation="祖母", guardian_phone="13900003333",
                                     key_group_ids=[groups["留守儿童"]]))
    [row] = rows(db, clerk)
    assert row.contact == "王秀英（祖母） 139****3333"


def test_search_by_pinyin_name_and_phone_and_filter_by_key_group(db: Database, clerk: Actor):
    groups = group_ids(db, clerk)
    create(db, clerk, grandma(db, clerk))
    create(db, clerk, RecipientInput(name="欧阳明", gender="男", birth_date="1960-01-01", phone="0760-88123456",
                                     key_group_ids=[groups["困难职工"]]))

    def names(**kwargs) -> list[str]:
        return [r.name for r in rows(db, clerk, **kwargs)]

    assert names() == ["何丽华", "欧阳明"]  # by pinyin
    assert names(text="hlh") == ["何丽华"]
    assert names(text="ＯＵＹＡＮＧ") == ["欧阳明"]  # full-width from an IME
    assert names(text="丽") == ["何丽华"]
    assert names(text="何志强") == ["何丽华"]  # the guardian's name
    assert names(text="8812") == ["欧阳明"]
    assert names(key_group_id=groups["困难职工"]) == ["欧阳明"]
    assert names(key_group_id=groups["低保户"]) == []


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "  "}, "name", "请填写姓名"),
        ({"gender": ""}, "gender", "性别"),
        ({"birth_date": (TODAY + timedelta(days=1)).isoformat()}, "birth_date", "晚于今天"),
        ({"birth_date": "1899-12-31"}, "birth_date", "1900"),
        ({"birth_date": "2020-02-30"}, "birth_date", "不存在"),
        ({"phone": "", "guardian_phone": ""}, "phone", "至少填写本人电话或监护人/联系人电话"),
        ({"phone": "1234"}, "phone", "本人电话"),
        ({"guardian_phone": "0760-12"}, "guardian_phone", "监护人/联系人电话"),
        ({"guardian_name": ""}, "guardian_name", "请同时填写其姓名"),
        ({"key_group_ids": [999999]}, "key_group_ids", "不存在或不属于本站"),
    ],
)
def test_bad_recipient_refused_and_nothing_written(db: Database, clerk: Actor, changes, field, words):
    data = grandma(db, clerk, **changes)
    audit_before = count(db, AuditEntry)
    with pytest.raises(ValidationError, match=words) as info, db.session() as session:
        create_recipient(session, clerk, data)
    assert info.value.field == field
    assert count(db, Recipient) == 0 and count(db, AuditEntry) == audit_before


def test_key_groups_of_another_station_or_retired_refused(db: Database, admin: Actor):
    with db.session() as session:
        community_id = session.scalar(select(Community.id))
        other = Station(community_id=community_id, name="另一个服务站", code="SQ0102", next_volunteer_seq=1)
        session.add(other)
        session.flush()
        seed_catalogue(session, other.id)
        other_admin_id = create_user(session, None, username="admin2", display_name="李站长", role=Role.ADMIN,
                                     password="password-2", station_id=other.id)
    other_admin = Actor(other_admin_id, "admin2", "李站长", Role.ADMIN, other.id)
    foreign = group_ids(db, other_admin)["空巢老人"]
    with pytest.raises(ValidationError, match="不存在或不属于本站"), db.session() as session:
        create_recipient(session, admin, grandma(db, admin, key_group_ids=[foreign]))
    mine = group_ids(db, admin)["低保户"]
    with db.session() as session:
        save_key_group(session, admin, mine, "低保户", 30, active=False)
    with pytest.raises(ValidationError, match="“低保户”已停用"), db.session() as session:
        create_recipient(session, admin, grandma(db, admin, key_group_ids=[mine]))
    assert count(db, Recipient) == 0
    # Other station's recipients are invisible here.
    create(db, other_admin, grandma(db, other_admin))
    assert rows(db, admin) == []


def test_edit_and_stale_edit(db: Database, clerk: Actor, admin: Actor):
    groups = group_ids(db, clerk)
    recipient_id = create(db, clerk, grandma(db, clerk))
    version = detail(db, clerk, recipient_id).version
    # A key-group-only edit still bumps the version ...
    with db.session() as session:
        update_recipient(session, clerk, recipient_id, grandma(db, clerk, key_group_ids=[groups["空巢老人"]]),
                         expected_version=version)
    d = detail(db, clerk, recipient_id)
    assert d.key_group_names == ["空巢老人"] and d.version != version
    # ... so an edit from the older copy is refused instead of silently undoing it.
    with pytest.raises(StationError, match="刚被其他人修改过"), db.session() as session:
        update_recipient(session, admin, recipient_id, grandma(db, admin, phone="13911112222"),
                         expected_version=version)
    assert detail(db, clerk, recipient_id, reveal=True).phone == "13726901234"
    with db.session(write=False) as session:
        entry = audit.history(session, "recipient", recipient_id)[1]  # [0] is the reveal
    assert entry.action == "update" and entry.changes == {"key_groups": [["残疾人", "空巢老人"], ["空巢老人"]]}


def test_edit_audit_masks_phones_and_address(db: Database, clerk: Actor):
    recipient_id = create(db, clerk, grandma(db, clerk))
    version = detail(db, clerk, recipient_id).version
    with db.session() as session:
        update_recipient(session, clerk, recipient_id,
                         grandma(db, clerk, phone="13987654321", guardian_phone="13611115555", room="502"),
                         expected_version=version)
    with db.session(write=False) as session:
        entry = audit.history(session, "recipient", recipient_id)[0]
        everything = str(session.execute(text("SELECT * FROM audit_log")).all())
    assert entry.changes["phone"] == ["137****1234", "139****4321"]
    assert entry.changes["guardian_phone"] == ["138****2222", "136****5555"]
    assert entry.changes["room"] == ["***", "***"]
    for raw in ("13726901234", "13987654321", "13800002222", "13611115555"):
        assert raw not in everything


def test_details_masked_unless_revealed_and_reveal_audited(db: Database, clerk: Actor, viewer: Actor):
    recipient_id = create(db, clerk, grandma(db, clerk))
    before = count(db, AuditEntry)
    d = detail(db, viewer, recipient_id)
    assert not d.revealed
    assert (d.phone, d.guardian_phone) == ("137****1234", "138****2222")
    assert (d.building, d.unit, d.room) == ("***", "***", "***")
    assert d.guardian_name == "何志强" and d.notes == "独居，腿脚不便"
    assert count(db, AuditEntry) == before  # an ordinary look is not logged
    with pytest.raises(PermissionDenied, match="查看完整的身份证号和电话"):
        detail(db, viewer, recipient_id, reveal=True)
    assert count(db, AuditEntry) == before

    d = detail(db, clerk, recipient_id, reveal=True)
    assert (d.phone, d.guardian_phone, d.building, d.room) == ("13726901234", "13800002222", "3栋", "501")
    with db.session(write=False) as session:
        entry = audit.history(session, "recipient", recipient_id)[0]
    assert (entry.action, entry.username) == ("reveal", "clerk") and "何丽华" in entry.summary


def test_deactivate_needs_a_reason_and_keeps_the_record(db: Database, clerk: Actor):
    recipient_id = create(db, clerk, grandma(db, clerk))
    with pytest.raises(ValidationError, match="请填写停用的原因"), db.session() as session:
        set_recipient_active(session, clerk, recipient_id, False, "  ")
    assert detail(db, clerk, recipient_id).active
    with db.session() as session:
        set_recipient_active(session, clerk, recipient_id, False, "已搬离小区")
    assert rows(db, clerk) == []
    [row] = rows(db, clerk, include_inactive=True)
    assert not row.active and row.inactive_reason == "已搬离小区" and row.next_due is None
    with pytest.raises(ValidationError, match="已停用（已搬离小区）"):
        visit(db, clerk, recipient_id, TODAY)
    with pytest.raises(ValidationError, match="已经停用了"), db.session() as session:
        set_recipient_active(session, clerk, recipient_id, False, "再停一次")
    with db.session() as session:
        set_recipient_active(session, clerk, recipient_id, True, "又搬回来了")
    assert [r.name for r in rows(db, clerk)] == ["何丽华"]
    with db.session(write=False) as session:
        actions = [(e.action, e.changes.get("reason")) for e in audit.history(session, "recipient", recipient_id)]
    assert actions[:2] == [("status", [None, "又搬回来了"]), ("status", [None, "已搬离小区"])]
    assert count(db, Recipient) == 1


# --- visits and needs ----------------------------------------------------------------------------
def test_visit_with_two_needs_from_the_menu(db: Database, clerk: Actor):
    items = menu_ids(db, clerk)
    recipient_id = create(db, clerk, grandma(db, clerk))
    on = TODAY - timedelta(days=2)
    visit_id = visit(db, clerk, recipient_id, on, needs=[
        NeedInput(recipient_id=None, service_item_id=items["维修家电"], urgency="soon", preferred_note="周末上午"),
        NeedInput(recipient_id=recipient_id, free_text="帮忙读报", description="眼睛不好"),
    ])
    with db.session(write=False) as session:
        needs = list_needs(session, clerk, NeedFilter(recipient_id=recipient_id))
        stored_visit_ids = session.scalars(select(Need.visit_id).order_by(Need.id)).all()
        visits = list_visits(session, clerk, recipient_id)
    assert [(n.what, n.category_label, n.status, n.raised_on) for n in needs] == [
        ("维修家电", "便民行动", NeedStatus.PENDING_ASSESSMENT, on),
        ("帮忙读报", "", NeedStatus.PENDING_ASSESSMENT, on),
    ]
    assert stored_visit_ids == [visit_id, visit_id]
    [v] = visits
    assert (v.visited_on, v.visitor_kind_label, v.visitor_name, v.method_label, v.need_count) == (
        on, "社区工作人员", "陈站长", "入户", 2)
    assert rows(db, clerk)[0].last_visit == on
    with db.session(write=False) as session:
        entry = audit.history(session, "visit", visit_id)[0]
    assert "何丽华" in entry.summary and "2 项" in entry.summary


def test_a_bad_need_undoes_the_whole_visit(db: Database, clerk: Actor):
    items = menu_ids(db, clerk)
    recipient_id = create(db, clerk, grandma(db, clerk))
    audit_before = count(db, AuditEntry)
    good = NeedInput(recipient_id=None, service_item_id=items["维修家电"])
    bad = NeedInput(recipient_id=None)  # neither a menu item nor text
    with pytest.raises(ValidationError, match="第 2 项需求：请从服务菜单选择需求"):
        visit(db, clerk, recipient_id, TODAY, needs=[good, bad])
    # Even a caller that carries on and commits writes nothing of it (the visit runs in a savepoint).
    with db.session() as session:
        with pytest.raises(ValidationError):
            record_visit(session, clerk, VisitInput(recipient_id, TODAY, "staff", "陈站长", "home"), [good, bad])
    assert (count(db, Visit), count(db, Need), count(db, AuditEntry)) == (0, 0, audit_before)


def test_a_need_of_someone_else_refused(db: Database, clerk: Actor):
    first = create(db, clerk, grandma(db, clerk))
    second = create(db, clerk, grandma(db, clerk, name="李桂芳"))
    with pytest.raises(ValidationError, match="第 1 项需求不是何丽华的"):
        visit(db, clerk, first, TODAY, needs=[NeedInput(recipient_id=second, free_text="买菜")])
    assert count(db, Visit) == 0


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"visited_on": TODAY + timedelta(days=1)}, "visited_on", "晚于今天"),
        ({"visited_on": "1941-01-01"}, "visited_on", "早于何丽华的出生日期"),
        ({"visited_on": "2024-13-01"}, "visited_on", "月份"),
        ({"visited_on": ""}, "visited_on", "请填写走访日期"),
        ({"visitor_name": ""}, "visitor_name", "请填写走访人姓名"),
        ({"visitor_kind": "mayor"}, "visitor_kind", "走访人身份"),
        ({"method": "letter"}, "method", "走访方式"),
    ],
)
def test_bad_visit_refused(db: Database, clerk: Actor, changes, field, words):
    recipient_id = create(db, clerk, grandma(db, clerk))
    with pytest.raises(ValidationError, match=words) as info:
        visit(db, clerk, recipient_id, TODAY, **changes)
    assert info.value.field == field
    assert count(db, Visit) == 0


# --- visit rules and the overdue list -----------------------------------------------------------
def test_overdue_visits_follow_the_key_group_rules(db: Database, admin: Actor):
    groups = group_ids(db, admin)
    # 空巢老人 every 14 days (+ 农民工 60: the shortest rule wins); never visited, registered 20 days ago.
    lonely = create(db, admin, grandma(db, admin, key_group_ids=[groups["空巢老人"], groups["农民工"]]))
    backdate(db, lonely, 20)
    # 留守儿童 every 30 days; last visited 40 days ago (an older visit does not count).
    child = create(db, admin, grandma(db, admin, name="王小军", birth_date="2014-05-01",
                                      key_group_ids=[groups["留守儿童"]]))
    backdate(db, child, 100)
    visit(db, admin, child, TODAY - timedelta(days=70))
    visit(db, admin, child, TODAY - timedelta(days=40))
    # Visited 5 days ago: not due yet.
    fine = create(db, admin, grandma(db, admin, name="赵大爷", key_group_ids=[groups["空巢老人"]]))
    backdate(db, fine, 60)
    visit(db, admin, fine, TODAY - timedelta(days=5))
    # A key group without a rule: never overdue.
    with db.session() as session:
        no_rule = save_key_group(session, admin, None, "其他困难群众", None)
    free = create(db, admin, grandma(db, admin, name="钱阿姨", key_group_ids=[no_rule]))
    backdate(db, free, 400)
    # Inactive: not on the list.
    gone = create(db, admin, grandma(db, admin, name="孙奶奶", key_group_ids=[groups["空巢老人"]]))
    backdate(db, gone, 400)
    with db.session() as session:
        set_recipient_active(session, admin, gone, False, "已去世")

    with db.session(write=False) as session:
        overdue = overdue_visits(session, admin, TODAY)
    assert [(o.name, o.key_groups, o.last_visit, o.due_on, o.days_overdue) for o in overdue] == [
        ("王小军", ["留守儿童"], TODAY - timedelta(days=40), TODAY - timedelta(days=10), 10),
        ("何丽华", ["空巢老人", "农民工"], None, TODAY - timedelta(days=6), 6),
    ]
    by_name = {r.name: r for r in rows(db, admin)}
    assert by_name["王小军"].overdue and by_name["王小军"].days_overdue == 10
    assert not by_name["赵大爷"].overdue and by_name["赵大爷"].next_due == TODAY + timedelta(days=9)
    assert by_name["钱阿姨"].next_due is None

    # The rule is the station's to change: 空巢老人 every 7 days makes 赵大爷 due too; retiring the
    # 留守儿童 group removes its rule.
    with db.session() as session:
        save_key_group(session, admin, groups["空巢老人"], "空巢老人", 3)
        save_key_group(session, admin, groups["留守儿童"], "留守儿童", 30, active=False)
    with db.session(write=False) as session:
        names = [(o.name, o.days_overdue) for o in overdue_visits(session, admin, TODAY)]
    assert names == [("何丽华", 17), ("赵大爷", 2)]


def test_overdue_list_is_a_few_grouped_queries(db: Database, admin: Actor):
    groups = group_ids(db, admin)
    for n in range(12):
        rid = create(db, admin, grandma(db, admin, name="张" + "一二三四五六七八九十甲乙"[n],
                                        key_group_ids=[groups["空巢老人"]]))
        backdate(db, rid, 30)
        if n % 2:
            visit(db, admin, rid, TODAY - timedelta(days=20))
    statements: list[str] = []
    with db.session(write=False) as session:
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(session.connection(), "before_cursor_execute", listener)
        overdue = overdue_visits(session, admin, TODAY)
        listed = list_recipients(session, admin)
    assert len(overdue) == 12 and len(listed) == 12
    assert len(statements) <= 5  # not one query per recipient


# --- permissions ---------------------------------------------------------------------------------
def test_viewer_reads_but_cannot_change(db: Database, clerk: Actor, viewer: Actor):
    recipient_id = create(db, clerk, grandma(db, clerk))
    visit(db, clerk, recipient_id, TODAY)
    before = (count(db, Recipient), count(db, Visit), count(db, AuditEntry))
    assert [r.name for r in rows(db, viewer)] == ["何丽华"]
    with db.session(write=False) as session:
        assert len(list_visits(session, viewer, recipient_id)) == 1
        assert overdue_visits(session, viewer, TODAY) == []
    version = detail(db, viewer, recipient_id).version
    for action in (
        lambda s: create_recipient(s, viewer, grandma(db, clerk, name="李四")),
        lambda s: update_recipient(s, viewer, recipient_id, grandma(db, clerk), expected_version=version),
        lambda s: set_recipient_active(s, viewer, recipient_id, False, "已搬离"),
        lambda s: record_visit(s, viewer, VisitInput(recipient_id, TODAY, "staff", "王五", "phone")),
    ):
        with pytest.raises(PermissionDenied, match="登记服务对象、走访"), db.session() as session:
            action(session)
    assert (count(db, Recipient), count(db, Visit), count(db, AuditEntry)) == before
