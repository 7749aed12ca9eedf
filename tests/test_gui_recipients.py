"""The 服务对象与走访 and 需求 pages, driven as a person would (dialogs answered in place)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from station_app.models import AuditEntry, Need, Recipient, Visit
from station_app.services import audit
from station_app.services.auth import Role
from station_app.services.catalogue import list_key_groups, list_menu
from station_app.services.recipients import RecipientInput, create_recipient
from station_app.ui.common import AppContext
from station_app.ui.demand.needs import URGENCY_COLOURS, NeedHistoryDialog, NeedsPage
from station_app.ui.demand.recipients import (
    OVERDUE_BACKGROUND,
    OVERDUE_FOREGROUND,
    RecipientDialog,
    RecipientsPage,
)
from station_app.ui.demand.visit_dialog import VisitDialog
from station_app.ui.qt import QColor, QMessageBox, Qt
from station_app.ui.rows_model import view_texts

from .conftest import add_user, setup_station

pytestmark = pytest.mark.gui


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db))


@pytest.fixture
def page(qtbot, ctx):
    widget = RecipientsPage(ctx)
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def messages(monkeypatch):
    """Message boxes answered at once; what they said is kept."""
    said: list[str] = []

    def record(parent, title, text, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        said.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", staticmethod(record))
    monkeypatch.setattr(QMessageBox, "information", staticmethod(record))
    return said


def answer(monkeypatch, dialog_class, act):
    """Replace a dialog's exec() with a person filling it in; act returns the dialog's result."""
    monkeypatch.setattr(dialog_class, "exec", lambda self: act(self))


def counts(ctx) -> tuple[int, int, int]:
    with ctx.db.session(write=False) as session:
        return tuple(session.scalar(select(func.count()).select_from(m)) for m in (Recipient, Visit, Need))


def menu_ids(ctx) -> dict[str, int]:
    with ctx.db.session(write=False) as session:
        return {i.name: i.id for i in list_menu(session, ctx.actor)}


def add_grandma(ctx) -> int:
    with ctx.db.session() as session:
        groups = {g.name: g.id for g in list_key_groups(session, ctx.actor)}
        return create_recipient(session, ctx.actor, RecipientInput(
            name="何丽华", gender="女", birth_date="1942-03-08", phone="13726901234", building="3栋", room="501",
            key_group_ids=[groups["空巢老人"]]))


# --- recipients --------------------------------------------------------------------------------
def test_add_a_recipient_with_two_key_groups(page, monkeypatch):
    def fill(dialog: RecipientDialog) -> int:
        dialog.name.setText("何丽华")
        dialog.gender.setCurrentIndex(dialog.gender.findData("女"))
        dialog.birth_date.setText("1942年3月8日")
        dialog.building.setText("3栋")
        dialog.phone.setText("137 2690 1234")
        dialog.check_key_groups(["空巢老人", "残疾人"])
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, RecipientDialog, fill)
    page.add_button.click()
    [row] = view_texts(page.table)
    assert row[0] == "何丽华" and row[3] == "空巢老人、残疾人" and row[4] == "137****1234"
    assert row[5] == "未走访" and row[6] == (date.today() + timedelta(days=14)).isoformat()
    text = page.detail.toPlainText()
    assert "何丽华" in text and "每 14 天" in text and "137****1234" in text and "3栋" not in text


@pytest.mark.parametrize(
    ("name", "birth", "phone", "words"),
    [
        ("", "1942-03-08", "13726901234", "请填写姓名"),
        ("何丽华", (date.today() + timedelta(days=3)).isoformat(), "13726901234", "晚于今天"),
        ("何丽华", "1942-02-30", "13726901234", "不存在"),
        ("何丽华", "1942-03-08", "", "至少填写本人电话或监护人/联系人电话"),
    ],
)
def test_bad_recipient_shows_the_message_and_writes_nothing(page, monkeypatch, name, birth, phone, words):
    seen: list[str] = []

    def fill(dialog: RecipientDialog) -> int:
        dialog.name.setText(name)
        dialog.gender.setCurrentIndex(dialog.gender.findData("女"))
        dialog.birth_date.setText(birth)
        dialog.phone.setText(phone)
        dialog.accept()
        seen.append(dialog.error.text())
        return dialog.result()

    answer(monkeypatch, RecipientDialog, fill)
    page.add_button.click()
    assert words in seen[0]
    assert counts(page.ctx) == (0, 0, 0) and page.table.rowCount() == 0


def test_edit_reveals_in_the_form_and_saves(page, monkeypatch):
    recipient_id = add_grandma(page.ctx)
    page.refresh()
    assert page.select_recipient(recipient_id)

    def fill(dialog: RecipientDialog) -> int:
        assert dialog.phone.text() == "13726901234" and dialog.building.text() == "3栋"  # full, for editing
        dialog.phone.setText("13987654321")
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, RecipientDialog, fill)
    page.edit_button.click()
    assert view_texts(page.table)[0][4] == "139****4321"


def test_reveal_button_shows_full_contact_and_is_audited(page):
    recipient_id = add_grandma(page.ctx)
    page.refresh()
    page.select_recipient(recipient_id)
    assert "13726901234" not in page.detail.toPlainText()
    page.reveal_button.click()
    assert "13726901234" in page.detail.toPlainText() and "3栋" in page.detail.toPlainText()
    with page.ctx.db.session(write=False) as session:
        assert audit.history(session, "recipient", recipient_id)[0].action == "reveal"


def test_deactivate_with_a_reason_then_restore(page, monkeypatch, messages):
    recipient_id = add_grandma(page.ctx)
    page.refresh()
    page.select_recipient(recipient_id)
    monkeypatch.setattr(page, "ask_reason", lambda title, prompt: "")
    page.status_button.click()
    assert any("请填写停用的原因" in m for m in messages)  # refused: nothing changed
    assert page.selected_row().active
    monkeypatch.setattr(page, "ask_reason", lambda title, prompt: "已搬离小区")
    page.status_button.click()
    row = view_texts(page.table)[0]
    assert row[6] == "已停用：已搬离小区"
    assert page.status_button.text() == "恢复" and not page.visit_button.isEnabled()
    monkeypatch.setattr(page, "ask_reason", lambda title, prompt: "又搬回来了")
    page.status_button.click()
    assert page.selected_row().active and page.visit_button.isEnabled()


def test_overdue_filter(page):
    recipient_id = add_grandma(page.ctx)
    with page.ctx.db.session() as session:
        from sqlalchemy import update

        from station_app.models import utcnow

        session.execute(update(Recipient).where(Recipient.id == recipient_id)
                        .values(created_at=utcnow() - timedelta(days=20)))
        create_recipient(session, page.ctx.actor, RecipientInput(name="欧阳明", gender="男", birth_date="1960-01-01",
                                                                  phone="0760-88123456"))
    page.refresh()
    assert page.table.rowCount() == 2
    page.overdue_only.setChecked(True)
    [row] = view_texts(page.table)
    assert row[0] == "何丽华" and "逾期 6 天" in row[6]
    assert "1 位逾期未走访" in page.count_label.text()


# --- visits and the needs page --------------------------------------------------------------------
def test_record_a_visit_with_two_needs_and_work_them_on_the_needs_page(qtbot, page, monkeypatch, messages):
    ctx = page.ctx
    items = menu_ids(ctx)
    recipient_id = add_grandma(ctx)
    page.refresh()
    page.select_recipient(recipient_id)

    def fill(dialog: VisitDialog) -> int:
        assert dialog.visitor_name.text() == "陈站长"  # the signed-in user, for a staff visit
        dialog.method.setCurrentIndex(dialog.method.findData("home"))
        dialog.findings.setPlainText("冰箱不制冷，水费未交")
        first = dialog.add_need_row()
        first.set_item(items["维修家电"])
        first.urgency.setCurrentIndex(first.urgency.findData("soon"))
        first.preferred_note.setText("周末上午")
        dialog.add_need_row(item_id=items["代交水电费"])
        dialog.add_need_row(free_text="多余的一行")
        dialog.remove_need_row(2)
        dialog.accept()
        return dialog.result()

    answer(monkeypatch, VisitDialog, fill)
    page.visit_button.click()
    assert counts(ctx) == (1, 1, 2)
    text = page.detail.toPlainText()
    assert "走访记录（1）" in text and "发现需求 2 项" in text and "冰箱不制冷" in text
    assert "维修家电" in text and "代交水电费" in text
    assert view_texts(page.table)[0][5] == date.today().isoformat()

    needs = NeedsPage(ctx)
    qtbot.addWidget(needs)
    rows = view_texts(needs.table)
    assert [(r[0], r[1], r[2], r[3], r[4]) for r in rows] == [
        ("何丽华", "维修家电", "便民行动", "较急", "待评估"),
        ("何丽华", "代交水电费", "便民行动", "一般", "待评估"),
    ]
    ids = [r.id for r in needs.rows]

    # Nothing selected: a message, no signal.
    requested: list[list[int]] = []
    needs.create_project_requested.connect(requested.append)
    needs.project_button.click()
    assert requested == [] and "请先在列表中选择" in messages[-1]

    needs.select_needs(ids)
    assert needs.selected_need_ids() == ids
    needs.assess_button.click()
    assert [r[4] for r in view_texts(needs.table)] == ["待对接", "待对接"]
    needs.select_needs(ids)
    with qtbot.waitSignal(needs.create_project_requested) as signal:
        needs.project_button.click()
    assert signal.args == [ids]

    needs.select_needs(ids[1:])
    monkeypatch.setattr(needs, "ask_reason", lambda title, prompt: "家属已代交")
    needs.close_button.click()
    assert [r.status.label for r in needs.rows] == ["待对接"]  # 未满足 is the default filter
    needs.status_filter.setCurrentIndex(needs.status_filter.findData("closed"))
    [closed] = view_texts(needs.table)
    assert closed[1] == "代交水电费" and closed[4] == "已关闭"
    needs.select_needs(ids[1:])
    shown: list[NeedHistoryDialog] = []
    answer(monkeypatch, NeedHistoryDialog, lambda d: shown.append(d) or 0)
    needs.history_button.click()
    history = view_texts(shown[0].table)
    assert [(h[1], h[2]) for h in history] == [("—", "待评估"), ("待评估", "待对接"), ("待对接", "已关闭")]
    assert history[-1][3] == "家属已代交"
    shown[0].deleteLater()


def test_closing_without_a_reason_changes_nothing(qtbot, ctx, monkeypatch, messages):
    items = menu_ids(ctx)
    recipient_id = add_grandma(ctx)
    from station_app.services.needs import NeedInput
    from station_app.services.recipients import VisitInput, record_visit

    with ctx.db.session() as session:
        record_visit(session, ctx.actor, VisitInput(recipient_id, date.today(), "staff", "陈站长", "home"),
                     [NeedInput(None, service_item_id=items["维修家电"])])
    needs = NeedsPage(ctx)
    qtbot.addWidget(needs)
    needs.select_needs([needs.rows[0].id])
    monkeypatch.setattr(needs, "ask_reason", lambda title, prompt: "  ")
    needs.close_button.click()
    assert "请填写原因" in messages[-1]
    assert [r[4] for r in view_texts(needs.table)] == ["待评估"]


def test_bad_visit_shows_the_message_and_writes_nothing(page, monkeypatch):
    ctx = page.ctx
    items = menu_ids(ctx)
    recipient_id = add_grandma(ctx)
    page.refresh()
    page.select_recipient(recipient_id)
    audit_before = _audit_count(ctx)
    seen: list[str] = []

    def attempt(setup):  # noqa: ANN001
        def fill(dialog: VisitDialog) -> int:
            setup(dialog)
            dialog.accept()
            seen.append(dialog.error.text())
            return dialog.result()

        answer(monkeypatch, VisitDialog, fill)
        page.visit_button.click()

    def empty_need(dialog: VisitDialog) -> None:
        dialog.add_need_row(item_id=items["维修家电"])
        dialog.add_need_row()  # neither a menu item nor text

    def future(dialog: VisitDialog) -> None:
        dialog.visited_on.setText((date.today() + timedelta(days=1)).isoformat())

    def building_leader_without_name(dialog: VisitDialog) -> None:
        dialog.visitor_kind.setCurrentIndex(dialog.visitor_kind.findData("building_leader"))
        assert dialog.visitor_name.text() == ""

    for setup in (empty_need, future, building_leader_without_name):
        attempt(setup)
    assert "第 2 项需求：请从服务菜单选择需求" in seen[0]
    assert "晚于今天" in seen[1]
    assert "请填写走访人姓名" in seen[2]
    assert counts(ctx) == (1, 0, 0) and _audit_count(ctx) == audit_before
    assert "还没有走访记录" in page.detail.toPlainText()


def double_click(qtbot, table, pos) -> None:  # noqa: ANN001
    """As a person does it: press, release, then the second click (Qt 6 item views want the press)."""
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def test_overdue_and_deactivated_households_stand_out(page, monkeypatch):
    recipient_id = add_grandma(page.ctx)
    with page.ctx.db.session() as session:
        from sqlalchemy import update

        from station_app.models import utcnow

        session.execute(update(Recipient).where(Recipient.id == recipient_id)
                        .values(created_at=utcnow() - timedelta(days=20)))
        other = create_recipient(session, page.ctx.actor, RecipientInput(
            name="欧阳明", gender="男", birth_date="1960-01-01", phone="0760-88123456"))
    page.refresh()
    model = page.table.model()
    grandma = model.row_of(recipient_id)
    colours = {role: [model.index(grandma, c).data(role) for c in range(model.columnCount())]
               for role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole)}
    assert all(c == OVERDUE_BACKGROUND for c in colours[Qt.ItemDataRole.BackgroundRole])  # the whole row
    assert colours[Qt.ItemDataRole.ForegroundRole][6] == OVERDUE_FOREGROUND  # 下次走访 in red
    assert model.index(grandma, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(model.row_of(other), 0).data(Qt.ItemDataRole.BackgroundRole) is None

    page.select_recipient(other)
    monkeypatch.setattr(page, "ask_reason", lambda title, prompt: "已搬离小区")
    page.status_button.click()
    shown = model.row_of(other)
    assert model.index(shown, 0).data(Qt.ItemDataRole.ForegroundRole) == QColor("#888888")  # greyed


def test_the_selected_household_stays_selected_and_double_click_edits(qtbot, page, monkeypatch):
    add_grandma(page.ctx)
    with page.ctx.db.session() as session:
        other = create_recipient(session, page.ctx.actor, RecipientInput(
            name="欧阳明", gender="男", birth_date="1960-01-01", phone="0760-88123456"))
    page.refresh()
    assert page.selected_id() is None and not page.edit_button.isEnabled()
    assert page.select_recipient(other)
    assert "欧阳明" in page.detail.toPlainText() and page.edit_button.isEnabled()
    page.refresh()
    assert page.selected_id() == other and page.edit_button.isEnabled()
    assert not page.select_recipient(10_000) and page.selected_id() == other  # not shown: selection kept

    edited: list[int | None] = []
    answer(monkeypatch, RecipientDialog, lambda dialog: edited.append(dialog.recipient_id) or 0)
    cell = page.table.visualRect(page.table.model().index(page.table.model().row_of(other), 0)).center()
    double_click(qtbot, page.table, cell)
    assert edited == [other]


def test_needs_page_keeps_the_selection_colours_urgency_and_double_click_shows_history(qtbot, ctx, monkeypatch):
    items = menu_ids(ctx)
    recipient_id = add_grandma(ctx)
    from station_app.services.needs import NeedInput
    from station_app.services.recipients import VisitInput, record_visit

    with ctx.db.session() as session:
        record_visit(session, ctx.actor, VisitInput(recipient_id, date.today(), "staff", "陈站长", "home"), [
            NeedInput(None, service_item_id=items["维修家电"], urgency="urgent", description="冰箱不制冷"),
            NeedInput(None, service_item_id=items["代交水电费"]),
            NeedInput(None, free_text="陪同复诊", urgency="soon", preferred_note="周二上午"),
        ])
    needs = NeedsPage(ctx)
    qtbot.addWidget(needs)
    model = needs.table.model()
    assert [r[3] for r in view_texts(needs.table)] == ["紧急", "一般", "较急"]
    urgency = [model.index(n, 3).data(Qt.ItemDataRole.ForegroundRole) for n in range(3)]
    assert urgency == [URGENCY_COLOURS["urgent"], None, URGENCY_COLOURS["soon"]]
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole) == "冰箱不制冷"
    assert model.index(2, 1).data(Qt.ItemDataRole.ToolTipRole) == "希望时间：周二上午"
    assert "显示 3 条需求，其中未满足 3 条" in needs.count_label.text()

    ids = [r.id for r in needs.rows]
    needs.select_needs([ids[0], ids[2]])
    assert needs.selected_need_ids() == [ids[0], ids[2]] and not needs.history_button.isEnabled()
    needs.assess_button.click()  # both move on; the list is re-read and they stay selected
    assert [r[4] for r in view_texts(needs.table)] == ["待对接", "待评估", "待对接"]
    assert needs.selected_need_ids() == [ids[0], ids[2]] and not needs.assess_button.isEnabled()
    needs.search.setText("复诊")
    needs.refresh()  # the filter hides one of them
    assert needs.selected_need_ids() == [ids[2]] and needs.history_button.isEnabled()

    shown: list[NeedHistoryDialog] = []
    answer(monkeypatch, NeedHistoryDialog, lambda d: shown.append(d) or 0)
    cell = needs.table.visualRect(model.index(0, 1)).center()
    double_click(qtbot, needs.table, cell)
    assert [h[2] for h in view_texts(shown[0].table)] == ["待评估", "待对接"]
    shown[0].deleteLater()


def _audit_count(ctx) -> int:
    with ctx.db.session(write=False) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry))


# --- roles -------------------------------------------------------------------------------------
def test_viewer_sees_but_cannot_change(qtbot, ctx):
    recipient_id = add_grandma(ctx)
    viewer = add_user(ctx.db, ctx.actor, "viewer", Role.VIEWER)
    view_ctx = AppContext(db=ctx.db, actor=viewer)
    page = RecipientsPage(view_ctx)
    needs = NeedsPage(view_ctx)
    qtbot.addWidget(page)
    qtbot.addWidget(needs)
    page.select_recipient(recipient_id)
    assert "137****1234" in page.detail.toPlainText()
    assert not page.add_button.isEnabled() and not page.edit_button.isEnabled()
    assert not page.visit_button.isEnabled() and not page.status_button.isEnabled()
    assert page.reveal_button.isHidden()
    assert not needs.project_button.isEnabled() and not needs.assess_button.isEnabled()
