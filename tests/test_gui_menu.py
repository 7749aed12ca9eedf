"""The 服务菜单 page, the key group dialog and the Monday overview, driven as a person would."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from station_app.models import Need, ServiceItem
from station_app.services import catalogue as cat
from station_app.services.auth import Role
from station_app.services.needs import NeedStatus
from station_app.ui.common import AppContext
from station_app.ui.demand.menu import (
    KeyGroupEditDialog,
    KeyGroupsDialog,
    MenuItemDialog,
    MenuPage,
    format_minutes,
)
from station_app.ui.demand.overview import OverviewPage

from .conftest import add_user, setup_station
from .test_overview import add_need, add_recipient, add_visit, days_ago, make_station

pytestmark = pytest.mark.gui


@pytest.fixture
def admin(sqlite_db):
    return setup_station(sqlite_db)


@pytest.fixture
def page(qtbot, sqlite_db, admin):
    widget = MenuPage(AppContext(db=sqlite_db, actor=admin))
    qtbot.addWidget(widget)
    return widget


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; act returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def row_of(page: MenuPage, name: str) -> dict[str, str]:
    row = page.shown_names().index(name)
    return {page.HEADERS[c]: page.table.item(row, c).text() for c in range(page.table.columnCount())}


def item_count(db) -> int:
    with db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(ServiceItem))


def test_durations_read_as_people_say_them():
    assert format_minutes(90) == "1 小时 30 分"
    assert format_minutes(120) == "2 小时"
    assert format_minutes(45) == "45 分钟"


def test_the_page_lists_the_six_actions_with_their_services(page):
    labels = [page.categories.item(i).text() for i in range(page.categories.count())]
    assert labels[0].startswith("全部类别")
    assert [label.split("（")[0] for label in labels[1:]] == ["帮扶行动", "便民行动", "文明行动", "平安行动",
                                                            "护苗行动", "文化行动"]
    page.categories.setCurrentRow(2)  # 便民行动
    assert {"维修家电", "代交水电费", "代送快递"} <= set(page.shown_names())
    assert row_of(page, "维修家电")["收费"] == "低偿"
    assert row_of(page, "维修家电")["所需技能"] == "家电维修"
    assert page.count_label.text() == f"共 {len(page.items)} 项"


def test_add_a_menu_item_through_the_dialog(page, monkeypatch, sqlite_db):
    page.categories.setCurrentRow(6)  # 文化行动: the new item goes elsewhere, the page follows it

    def fill(dialog: MenuItemDialog) -> int:
        assert dialog.category.currentText() == "文化行动"  # starts in the category being looked at
        dialog.category.setCurrentIndex(dialog.category.findData("help"))
        dialog.name.setText("上门送餐")
        dialog.description.setPlainText("给行动不便的老人送午餐")
        dialog.hours.setValue(1)
        dialog.minutes.setValue(30)
        dialog.skills.setText("驾驶，陪伴聊天")
        dialog.low_cost.setChecked(True)
        dialog.redeemable.setChecked(True)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, fill)
    page.add_button.click()
    assert page.current_category() == cat.Category.HELP
    assert page.selected().name == "上门送餐"
    assert row_of(page, "上门送餐") == {
        "类别": "帮扶行动", "名称": "上门送餐", "说明": "给行动不便的老人送午餐", "一般用时": "1 小时 30 分",
        "所需技能": "陪伴聊天、驾驶", "所需培训": "", "收费": "低偿", "时长兑换": "可兑换 1.5 小时", "状态": "在用",
    }


def test_a_zero_duration_is_refused_in_the_dialog_and_nothing_is_saved(page, monkeypatch, sqlite_db):
    before = item_count(sqlite_db)
    seen = {}

    def fill(dialog: MenuItemDialog) -> int:
        dialog.name.setText("上门送餐")
        dialog.hours.setValue(0)
        dialog.minutes.setValue(0)
        dialog.accept()
        seen["error"] = dialog.error.text()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, fill)
    page.add_button.click()
    assert seen["error"] == "一般用时应在 5 分钟到 24 小时之间。"
    assert item_count(sqlite_db) == before
    assert "上门送餐" not in page.shown_names()


def test_a_duplicate_name_is_refused_in_the_dialog(page, monkeypatch):
    seen = {}

    def fill(dialog: MenuItemDialog) -> int:
        dialog.category.setCurrentIndex(dialog.category.findData("convenience"))
        dialog.name.setText("维修家电")
        dialog.accept()
        seen["error"] = dialog.error.text()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, fill)
    page.add_button.click()
    assert "“便民行动”里已经有“维修家电”了" in seen["error"]


def test_retire_an_item_it_hides_unless_retired_are_shown_then_bring_it_back(page):
    page.categories.setCurrentRow(2)  # 便民行动
    assert page.select_item(next(i.id for i in page.items if i.name == "代送快递"))
    assert page.toggle_button.text() == "停用"
    page.toggle_button.click()
    assert "代送快递" not in page.shown_names()
    assert "另有 1 项已停用" in page.count_label.text()

    page.show_retired.setChecked(True)
    assert row_of(page, "代送快递")["状态"] == "已停用"
    assert page.current_category() == cat.Category.CONVENIENCE  # the filter keeps the category
    assert page.select_item(next(i.id for i in page.items if i.name == "代送快递"))
    assert page.toggle_button.text() == "启用"
    page.toggle_button.click()
    assert row_of(page, "代送快递")["状态"] == "在用"
    page.show_retired.setChecked(False)
    assert "代送快递" in page.shown_names() and "已停用" not in page.count_label.text()


def test_edit_an_item_and_untick_in_use_retires_it(page, monkeypatch):
    page.categories.setCurrentRow(2)
    assert page.select_item(next(i.id for i in page.items if i.name == "维修家电"))

    def fill(dialog: MenuItemDialog) -> int:
        assert (dialog.name.text(), dialog.hours.value(), dialog.skills.text()) == ("维修家电", 1, "家电维修")
        assert dialog.low_cost.isChecked() and dialog.redeemable.isChecked()
        dialog.minutes.setValue(15)
        dialog.active.setChecked(False)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, fill)
    page.edit_button.click()
    assert "维修家电" not in page.shown_names()
    page.show_retired.setChecked(True)
    assert row_of(page, "维修家电")["一般用时"] == "1 小时 15 分"
    assert row_of(page, "维修家电")["状态"] == "已停用"


def test_required_training_shows_in_the_table_and_is_chosen_in_the_dialog(page, monkeypatch):
    page.categories.setCurrentRow(2)  # 便民行动
    assert row_of(page, "健康义诊")["所需培训"] == "岗前培训"
    assert row_of(page, "维修家电")["所需培训"] == ""
    assert page.select_item(next(i.id for i in page.items if i.name == "维修家电"))

    def fill(dialog: MenuItemDialog) -> int:
        combo = dialog.required_training
        assert [combo.itemText(i) for i in range(combo.count())] == [
            "无", "集中辅导", "座谈交流", "案例分析", "技能培训", "岗前培训"]
        assert combo.currentText() == "无"
        combo.setCurrentIndex(combo.findText("技能培训"))
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, fill)
    page.edit_button.click()
    assert row_of(page, "维修家电")["所需培训"] == "技能培训"

    # Opening 健康义诊 shows its requirement; choosing 无 clears it.
    assert page.select_item(next(i.id for i in page.items if i.name == "健康义诊"))

    def clear(dialog: MenuItemDialog) -> int:
        assert dialog.required_training.currentText() == "岗前培训"
        dialog.required_training.setCurrentIndex(0)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, MenuItemDialog, clear)
    page.edit_button.click()
    assert row_of(page, "健康义诊")["所需培训"] == ""


def test_skills_complete_after_the_last_separator(page, qtbot):
    dialog = MenuItemDialog(page.ctx, parent=page)
    qtbot.addWidget(dialog)
    completer = dialog.skills.completer()
    dialog.skills.setText("驾驶、家电")
    assert completer.splitPath(dialog.skills.text()) == ["家电"]
    completer.setCompletionPrefix(dialog.skills.text())  # what the line edit does as one types
    assert completer.completionCount() >= 1
    assert completer.currentCompletion() == "驾驶、家电维修"  # the skill typed first is kept


def test_a_viewer_reads_the_menu_with_editing_disabled_and_told_why(qtbot, sqlite_db, admin, monkeypatch):
    viewer = add_user(sqlite_db, admin, "viewer", Role.VIEWER)
    page = MenuPage(AppContext(db=sqlite_db, actor=viewer))
    qtbot.addWidget(page)
    assert len(page.shown_names()) > 40
    page.table.selectRow(0)
    for button in (page.add_button, page.edit_button, page.toggle_button):
        assert not button.isEnabled()
        assert button.toolTip() == "当前账号（只读）没有“管理服务菜单和重点对象类别”的权限，只能查看。"
    assert page.groups_button.isEnabled()

    shown = {}

    def look(dialog: KeyGroupsDialog) -> int:
        dialog.table.selectRow(0)
        shown["rows"] = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
        shown["enabled"] = [b.isEnabled() for b in (dialog.add_button, dialog.edit_button, dialog.toggle_button)]
        return 0

    answer(monkeypatch, KeyGroupsDialog, look)
    page.groups_button.click()
    assert shown["rows"][0] == "空巢老人" and shown["enabled"] == [False, False, False]


def test_key_groups_change_interval_clear_it_add_and_retire(qtbot, page, monkeypatch):
    dialog = KeyGroupsDialog(page.ctx, parent=page)
    qtbot.addWidget(dialog)

    def cells(name: str) -> list[str]:
        row = [g.name for g in dialog.groups].index(name)
        return [dialog.table.item(row, c).text() for c in range(3)]

    assert cells("空巢老人") == ["空巢老人", "每 14 天", "在用"]

    def edit(name: str | None, interval: int | None, *, expect_error: str = "") -> None:
        def fill(d: KeyGroupEditDialog) -> int:
            if name is not None:
                d.name.setText(name)
            d.has_rule.setChecked(interval is not None)
            if interval is not None:
                d.interval.setValue(interval)
            d.accept()
            assert d.error.text() == expect_error
            return d.result()

        answer(monkeypatch, KeyGroupEditDialog, fill)

    assert dialog.select_group("空巢老人")
    edit(None, 7)
    dialog.edit_button.click()
    assert cells("空巢老人") == ["空巢老人", "每 7 天", "在用"]

    assert dialog.select_group("农民工")
    edit(None, None)
    dialog.edit_button.click()
    assert cells("农民工") == ["农民工", "不定期", "在用"]

    edit("独居老人", 10)
    dialog.add_button.click()
    assert cells("独居老人") == ["独居老人", "每 10 天", "在用"]
    assert dialog.selected().name == "独居老人"

    edit("空巢老人", 10, expect_error="已经有“空巢老人”这个类别了。")
    dialog.add_button.click()
    assert [g.name for g in dialog.groups].count("空巢老人") == 1

    assert dialog.select_group("流动儿童")
    dialog.toggle_button.click()
    assert cells("流动儿童")[2] == "已停用"
    assert dialog.toggle_button.text() == "启用"
    with page.ctx.db.session(write=False) as session:
        active = [g.name for g in cat.list_key_groups(session, page.ctx.actor)]
    assert "流动儿童" not in active and "独居老人" in active


# --- the overview ---------------------------------------------------------------------------
def test_overview_shows_the_numbers_and_follows_changes(qtbot, sqlite_db, admin):
    ids = make_station(sqlite_db, admin)
    page = OverviewPage(AppContext(db=sqlite_db, actor=admin))
    qtbot.addWidget(page)

    def big() -> tuple[str, str, str]:
        return page.unmet.value.text(), page.matched.value.text(), page.overdue.value.text()

    assert big() == ("5", "38%", "3 户")
    assert "已对接或已完成 3 条 ÷ 除已关闭外的全部需求 8 条" == page.matched.note.text()
    assert f"{date.today().year}年" in page.date_label.text()

    table = page.groups_table
    rows = [table.verticalHeaderItem(r).text() for r in range(table.rowCount())]
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert rows[-1] == "合计（每条需求计一次）" and headers[-1] == "合计"
    assert table.item(rows.index("空巢老人"), headers.index("便民行动")).text() == "1"
    assert table.item(rows.index("合计（每条需求计一次）"), headers.index("合计")).text() == "5"

    cell = page.needs_table.item
    needs = [(cell(r, 0).text(), cell(r, 1).text(), cell(r, 6).text()) for r in range(page.needs_table.rowCount())]
    assert needs[0] == ("张三", "社区巡逻", "40 天")
    visits = [(page.visits_table.item(r, 0).text(), page.visits_table.item(r, 3).text(),
               page.visits_table.item(r, 5).text()) for r in range(page.visits_table.rowCount())]
    assert visits == [("陈伯", "从未走访", "36 天"), ("王阿婆", days_ago(20).isoformat(), "6 天"),
                      ("赵大哥", days_ago(61).isoformat(), "1 天")]

    # The week's work: 陈伯 visited, two new needs for a new household, a need matched.
    add_visit(sqlite_db, admin, ids["陈伯"], date.today())
    rid = add_recipient(sqlite_db, admin, "周爷爷", ["空巢老人"], registered_days_ago=2)
    add_need(sqlite_db, admin, rid, "理发", NeedStatus.PENDING_ASSESSMENT)
    add_need(sqlite_db, admin, rid, "代送快递", NeedStatus.PENDING_MATCH)
    with sqlite_db.session() as session:
        need = session.scalar(select(Need).where(Need.recipient_id == ids["李小明"], Need.free_text == ""))
        need.status = NeedStatus.MATCHED.value
    assert big() == ("5", "38%", "3 户")  # nothing changes until 刷新
    page.refresh_button.click()
    # Unmet 5 + 2 − 1 = 6; matched (3 + 1) / (11 − 1) = 40%; 陈伯 no longer overdue.
    assert big() == ("6", "40%", "2 户")
    assert table.item(rows.index("空巢老人"), headers.index("便民行动")).text() == "3"
    assert [page.visits_table.item(r, 0).text() for r in range(page.visits_table.rowCount())] == ["王阿婆", "赵大哥"]


def test_double_clicking_a_row_names_the_need_or_household(qtbot, sqlite_db, admin):
    ids = make_station(sqlite_db, admin)
    page = OverviewPage(AppContext(db=sqlite_db, actor=admin))
    qtbot.addWidget(page)
    with qtbot.waitSignal(page.recipient_activated) as signal:
        page.visits_table.doubleClicked.emit(page.visits_table.model().index(0, 2))
    assert signal.args == [ids["陈伯"]]
    with qtbot.waitSignal(page.need_activated) as signal:
        page.needs_table.doubleClicked.emit(page.needs_table.model().index(0, 1))
    assert signal.args == [page.overview.longest_open[0].need_id]


def test_a_long_overdue_list_shows_the_most_overdue_and_says_how_many(qtbot, sqlite_db, admin, monkeypatch):
    from station_app.ui.demand import overview as overview_ui

    monkeypatch.setattr(overview_ui, "OVERDUE_SHOWN", 2)
    make_station(sqlite_db, admin)  # 陈伯 36 days, 王阿婆 6 days, 赵大哥 1 day overdue
    page = OverviewPage(AppContext(db=sqlite_db, actor=admin))
    qtbot.addWidget(page)
    names = [page.visits_table.item(r, 0).text() for r in range(page.visits_table.rowCount())]
    assert names == ["陈伯", "王阿婆"]
    assert "共 3 户" in page.visits_box.title() and "逾期最久的 2 户" in page.visits_box.title()
    assert page.overdue.value.text() == "3 户"
