"""The service menu and the key groups: the seed, edits, retiring, refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.db import Database
from station_app.errors import DuplicateError, PermissionDenied, ValidationError
from station_app.models import AuditEntry, KeyGroup, Need, Recipient, ServiceItem
from station_app.services.auth import Actor
from station_app.services.catalogue import (
    Category,
    MenuItemInput,
    create_menu_item,
    get_menu_item,
    list_key_groups,
    list_menu,
    save_key_group,
    set_menu_item_active,
    update_menu_item,
)
from station_app.services.needs import NeedFilter, NeedStatus, list_needs

MEAL = MenuItemInput(
    category="help", name="上门送餐", description="给行动不便的老人送午餐", typical_minutes=45,
    skills=["驾驶", "  陪伴聊天 ", "驾驶", ""], charge="low_cost", redeemable=True,
)


def menu(db: Database, actor: Actor, **kw) -> list:
    with db.session(write=False) as session:
        return list_menu(session, actor, **kw)


def groups(db: Database, actor: Actor, **kw) -> dict:
    with db.session(write=False) as session:
        return {g.name: g for g in list_key_groups(session, actor, **kw)}


def create(db: Database, actor: Actor, data: MenuItemInput = MEAL) -> int:
    with db.session() as session:
        return create_menu_item(session, actor, data)


def item_count(db: Database) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(ServiceItem))


def audit_summaries(db: Database, entity: str) -> list[str]:
    with db.session(write=False) as session:
        return list(session.scalars(select(AuditEntry.summary).where(AuditEntry.entity == entity)
                                    .order_by(AuditEntry.id)))


# --- the seed -----------------------------------------------------------------------------
def test_seeded_menu_has_the_six_actions_and_the_everyday_services(db, admin):
    items = menu(db, admin)
    assert [c.label for c in Category] == ["帮扶行动", "便民行动", "文明行动", "平安行动", "护苗行动", "文化行动"]
    # Listed category by category, in the plan's order, each with its services.
    seen = []
    for item in items:
        if not seen or seen[-1] != item.category:
            seen.append(item.category)
    assert seen == list(Category)
    by_name = {i.name: i for i in items}
    for everyday in ("维修家电", "代交水电费", "代送快递"):
        assert by_name[everyday].category == Category.CONVENIENCE and by_name[everyday].active
    assert by_name["维修家电"].label == "便民行动 · 维修家电"
    assert by_name["维修家电"].skills == ["家电维修"]
    assert all(5 <= i.typical_minutes <= 24 * 60 and i.charge in ("free", "low_cost") for i in items)
    assert {"结对帮扶", "社区巡逻", "学业辅导", "邻里文化节", "义务保洁"} <= set(by_name)


def test_seeded_key_groups_have_their_visit_rules(db, admin):
    found = groups(db, admin)
    assert list(found) == ["空巢老人", "留守儿童", "流动儿童", "残疾人", "困难职工", "农民工", "低保户", "社区矫正对象"]
    assert found["空巢老人"].visit_interval_days == 14
    assert found["农民工"].visit_interval_days == 60


# --- menu items -----------------------------------------------------------------------------
def test_an_administrator_adds_a_menu_item(db, admin, clerk):
    item_id = create(db, admin)
    with db.session(write=False) as session:
        item = get_menu_item(session, clerk, item_id)  # everyone may read it
    assert (item.category, item.name, item.typical_minutes, item.charge, item.redeemable, item.active) == (
        Category.HELP, "上门送餐", 45, "low_cost", True, True,
    )
    assert item.skills == ["陪伴聊天", "驾驶"]  # trimmed, blanks and repeats dropped
    help_items = menu(db, admin, category=Category.HELP)
    assert help_items[-1].name == "上门送餐"  # added at the end of its category
    assert audit_summaries(db, "service_item") == ["新增服务菜单项目：上门送餐"]


def test_a_duplicate_name_in_the_same_category_is_refused_even_if_retired(db, admin):
    item_id = create(db, admin)
    with db.session() as session:
        set_menu_item_active(session, admin, item_id, False)
    before = item_count(db)
    with pytest.raises(DuplicateError) as exc, db.session() as session:
        create_menu_item(session, admin, replace(MEAL, name=" 上门送餐 "))
    assert "“帮扶行动”里已经有“上门送餐”了" in exc.value.message and exc.value.existing_id == item_id
    assert item_count(db) == before
    # The same name under another action is a different service.
    other = create(db, admin, replace(MEAL, category="culture"))
    assert other != item_id


def test_renaming_onto_another_item_is_refused(db, admin):
    item_id = create(db, admin)
    with pytest.raises(DuplicateError), db.session() as session:
        update_menu_item(session, admin, item_id, replace(MEAL, name="生活照顾"))
    with db.session(write=False) as session:
        assert get_menu_item(session, admin, item_id).name == "上门送餐"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"typical_minutes": 0}, "typical_minutes", "一般用时应在 5 分钟到 24 小时之间。"),
        ({"typical_minutes": 4}, "typical_minutes", "一般用时应在 5 分钟到 24 小时之间。"),
        ({"typical_minutes": 24 * 60 + 1}, "typical_minutes", "一般用时应在 5 分钟到 24 小时之间。"),
        ({"name": "   "}, "name", "服务名称不能为空。"),
        ({"category": ""}, "category", "请选择服务类别。"),
        ({"charge": "paid"}, "charge", "请选择无偿或低偿。"),
    ],
)
def test_bad_menu_input_is_refused_with_a_chinese_message_and_nothing_written(db, admin, changes, field, message):
    before = item_count(db)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        create_menu_item(session, admin, replace(MEAL, **changes))
    assert (exc.value.field, exc.value.message) == (field, message)
    assert item_count(db) == before


def test_boundary_durations_are_accepted(db, admin):
    short = create(db, admin, replace(MEAL, name="代取药品", typical_minutes=5))
    long = create(db, admin, replace(MEAL, name="全天陪护", typical_minutes=24 * 60))
    with db.session(write=False) as session:
        assert get_menu_item(session, admin, short).typical_minutes == 5
        assert get_menu_item(session, admin, long).typical_minutes == 24 * 60


def test_a_retired_item_leaves_the_menu_but_stays_on_an_existing_need(db, admin):
    repair = next(i for i in menu(db, admin) if i.name == "维修家电")
    with db.session() as session:
        recipient = Recipient(station_id=admin.station_id, name="王阿婆", name_initials="wap", name_pinyin="wangapo",
                              gender="女", birth_date=date(1940, 5, 1))
        session.add(recipient)
        session.flush()
        session.add(Need(station_id=admin.station_id, recipient_id=recipient.id, service_item_id=repair.id,
                         status=NeedStatus.PENDING_MATCH.value, raised_on=date.today() - timedelta(days=3)))
    with db.session() as session:
        set_menu_item_active(session, admin, repair.id, False)

    assert "维修家电" not in [i.name for i in menu(db, admin)]
    retired = next(i for i in menu(db, admin, include_retired=True) if i.name == "维修家电")
    assert not retired.active
    with db.session(write=False) as session:
        needs = list_needs(session, admin, NeedFilter())
    assert [(n.recipient_name, n.what, n.category_label) for n in needs] == [("王阿婆", "维修家电", "便民行动")]
    assert audit_summaries(db, "service_item")[-1] == "停用服务菜单项目：维修家电"

    # Brought back, it is offered again.
    with db.session() as session:
        set_menu_item_active(session, admin, repair.id, True)
    assert "维修家电" in [i.name for i in menu(db, admin)]


def test_editing_an_item_changes_it_and_audits_what_changed(db, admin):
    item_id = create(db, admin)
    with db.session() as session:
        update_menu_item(session, admin, item_id, replace(MEAL, typical_minutes=90, skills=["烹饪"], active=False))
    with db.session(write=False) as session:
        item = get_menu_item(session, admin, item_id)
        summary, changes = session.execute(
            select(AuditEntry.summary, AuditEntry.changes).where(AuditEntry.entity == "service_item")
            .order_by(AuditEntry.id.desc()).limit(1)
        ).one()
    assert (item.typical_minutes, item.skills, item.active) == (90, ["烹饪"], False)
    assert summary == "停用服务菜单项目：上门送餐"
    assert changes["typical_minutes"] == [45, 90]


@pytest.mark.parametrize("who", ["viewer", "clerk"])
def test_only_administrators_change_the_menu(db, admin, who, request):
    actor = request.getfixturevalue(who)
    repair = next(i for i in menu(db, admin) if i.name == "维修家电")
    before = item_count(db)
    attempts = [
        lambda s: create_menu_item(s, actor, MEAL),
        lambda s: update_menu_item(s, actor, repair.id, replace(MEAL, name="修电器")),
        lambda s: set_menu_item_active(s, actor, repair.id, False),
        lambda s: save_key_group(s, actor, None, "独居老人", 7),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as exc, db.session() as session:
            attempt(session)
        assert "没有“管理服务菜单和重点对象类别”的权限" in exc.value.message
    assert item_count(db) == before
    assert next(i for i in menu(db, admin) if i.id == repair.id).name == "维修家电"
    assert "独居老人" not in groups(db, admin, include_retired=True)
    assert menu(db, actor)  # but they read it


# --- key groups ---------------------------------------------------------------------------
def test_key_group_added_renamed_interval_changed_and_cleared(db, admin):
    with db.session() as session:
        group_id = save_key_group(session, admin, None, " 独居老人 ", 7)
    found = groups(db, admin)
    assert list(found)[-1] == "独居老人" and found["独居老人"].visit_interval_days == 7
    with db.session() as session:
        save_key_group(session, admin, group_id, "独居高龄老人", 10)
    assert groups(db, admin)["独居高龄老人"].visit_interval_days == 10
    with db.session() as session:
        save_key_group(session, admin, group_id, "独居高龄老人", None)  # no recurring visit
    assert groups(db, admin)["独居高龄老人"].visit_interval_days is None
    assert audit_summaries(db, "key_group") == [
        "新增重点对象类别：独居老人", "修改重点对象类别：独居高龄老人", "修改重点对象类别：独居高龄老人",
    ]


@pytest.mark.parametrize("interval", [0, -3, 367])
def test_an_impossible_visit_interval_is_refused(db, admin, interval):
    group = groups(db, admin)["空巢老人"]
    with pytest.raises(ValidationError) as exc, db.session() as session:
        save_key_group(session, admin, group.id, "空巢老人", interval)
    assert exc.value.message == "走访周期应在 1 到 366 天之间（不需要定期走访请留空）。"
    assert exc.value.field == "visit_interval_days"
    assert groups(db, admin)["空巢老人"].visit_interval_days == 14


def test_key_group_boundaries_names_and_duplicates(db, admin):
    group = groups(db, admin)["农民工"]
    with db.session() as session:
        save_key_group(session, admin, group.id, "农民工", 366)
        save_key_group(session, admin, None, "新市民", 1)
    assert groups(db, admin)["农民工"].visit_interval_days == 366
    with pytest.raises(ValidationError, match="名称不能为空"), db.session() as session:
        save_key_group(session, admin, None, "  ", 30)
    with pytest.raises(DuplicateError, match="已经有“空巢老人”这个类别了"), db.session() as session:
        save_key_group(session, admin, group.id, "空巢老人", 30)
    assert "农民工" in groups(db, admin)


def test_a_retired_key_group_stays_on_its_recipients(db, admin):
    group = groups(db, admin)["流动儿童"]
    with db.session() as session:
        key_group = session.get(KeyGroup, group.id)
        session.add(Recipient(station_id=admin.station_id, name="小林", name_initials="xl", name_pinyin="xiaolin",
                              gender="男", birth_date=date(2015, 3, 1), key_groups=[key_group]))
    with db.session() as session:
        save_key_group(session, admin, group.id, "流动儿童", 30, active=False)
    assert "流动儿童" not in groups(db, admin)
    assert not groups(db, admin, include_retired=True)["流动儿童"].active
    with db.session(write=False) as session:
        recipient = session.scalar(select(Recipient).where(Recipient.name == "小林"))
        assert [g.name for g in recipient.key_groups] == ["流动儿童"]


# --- required training ------------------------------------------------------------------------
def test_the_shipped_medical_items_require_pre_service_training_as_the_migration_sets(db, admin):
    """健康义诊 and 免费体检 need 岗前培训 on a new station, the same items migration 0003 marks on old ones."""
    import importlib

    migration = importlib.import_module("station_app.migrations.versions.20261130_0003_training_activities_shifts_assignments")
    required = {i.name: i.required_training for i in menu(db, admin) if i.required_training}
    assert required == {"健康义诊": "pre_service", "免费体检": "pre_service"}
    assert set(required) == set(migration.PRE_SERVICE_ITEMS)
    by_name = {i.name: i for i in menu(db, admin)}
    assert by_name["健康义诊"].required_training_label == "岗前培训"
    assert by_name["维修家电"].required_training is None and by_name["维修家电"].required_training_label == ""


def test_an_item_requires_a_training_kind_then_none_and_each_change_is_audited(db, admin):
    item_id = create(db, admin, replace(MEAL, required_training="skills"))
    with db.session(write=False) as session:
        assert get_menu_item(session, admin, item_id).required_training_label == "技能培训"
    with db.session() as session:
        update_menu_item(session, admin, item_id, replace(MEAL, required_training="pre_service"))
    with db.session() as session:
        update_menu_item(session, admin, item_id, replace(MEAL, required_training=""))  # the combo's 无
    with db.session(write=False) as session:
        assert get_menu_item(session, admin, item_id).required_training is None
        changes = list(session.scalars(
            select(AuditEntry.changes).where(AuditEntry.entity == "service_item", AuditEntry.entity_id == item_id)
            .order_by(AuditEntry.id)
        ))
    assert [c.get("required_training") for c in changes] == [
        [None, "skills"], ["skills", "pre_service"], ["pre_service", None],
    ]


def test_an_unknown_training_kind_is_refused_and_nothing_changes(db, admin):
    before = item_count(db)
    with pytest.raises(ValidationError) as exc, db.session() as session:
        create_menu_item(session, admin, replace(MEAL, required_training="first_aid"))
    assert exc.value.field == "required_training"
    assert exc.value.message.startswith("所需培训“first_aid”不是培训类型之一（集中辅导、座谈交流、案例分析、技能培训、岗前培训）")
    assert item_count(db) == before
    item_id = create(db, admin, replace(MEAL, required_training="pre_service"))
    with pytest.raises(ValidationError), db.session() as session:
        update_menu_item(session, admin, item_id, replace(MEAL, required_training="first_aid"))
    with db.session(write=False) as session:
        assert get_menu_item(session, admin, item_id).required_training == "pre_service"
