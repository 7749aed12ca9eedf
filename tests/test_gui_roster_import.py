"""从Excel导入 through the roster tab: the preview, 导入N条, 保存错误行…, the template and the exports."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from station_app.models import Volunteer
from station_app.services import roster_import as ri
from station_app.services.auth import Role
from station_app.services.volunteers import Status, VolunteerInput, register_volunteer
from station_app.ui.common import AppContext
from station_app.ui.demand.needs import NeedsPage
from station_app.ui.qt import QMessageBox, Qt
from station_app.ui.roster import import_dialog
from station_app.ui.roster.import_dialog import RosterImportDialog
from station_app.ui.roster.tab import RosterTab

from . import roster_sheets as sheets
from .conftest import add_user, setup_station
from .shots import shot

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def admin_ctx(sqlite_db):
    admin = setup_station(sqlite_db)
    with sqlite_db.session() as session:
        register_volunteer(session, admin, VolunteerInput(name="蒋老伯", id_number=sheets.EXISTING, phone="13900000001"))
    return AppContext(db=sqlite_db, actor=admin, station_name="康华花园物业志愿服务站")


@pytest.fixture
def messages(monkeypatch):
    """Message boxes answered at once, their texts kept."""
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text, *a: said.append(text))
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *a: said.append(text))
    return said


def _open(qtbot, tab: RosterTab, monkeypatch, path) -> RosterImportDialog:
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda _parent: str(path))
    tab.import_button.click()
    dialog = tab.findChild(RosterImportDialog)
    assert dialog is not None and dialog.isVisible()
    qtbot.addWidget(dialog)
    return dialog


def test_preview_import_and_error_rows(qtbot, admin_ctx, tmp_path, monkeypatch, messages):
    tab = RosterTab(admin_ctx)
    qtbot.addWidget(tab)
    assert tab.model.rowCount() == 1
    dialog = _open(qtbot, tab, monkeypatch, sheets.messy_roster(tmp_path / "花名册.xlsx"))
    model = dialog.model
    assert model.rowCount() == 17
    row_of = {model.index(r, 0).data(): r for r in range(model.rowCount())}
    assert model.index(row_of["6"], 3).data() == "错误"
    assert "丢失" in model.index(row_of["6"], 4).data()
    assert model.index(row_of["6"], 3).data(Qt.ItemDataRole.ForegroundRole).name() == "#b00020"
    assert model.index(row_of["21"], 3).data() == "已有（身份证号相同）"
    assert model.index(row_of["4"], 2).data() == sheets.GOOD[:6] + "********" + sheets.GOOD[-4:]
    assert "新增 <b>10</b>" in dialog.counts.text() and "错误 <b>6</b>" in dialog.counts.text()
    assert "第 3 行是表头" in dialog.info.text() and "序号" in dialog.info.text()  # 序号 is not imported
    assert dialog.import_button.text() == "导入 10 条" and dialog.approve.isChecked()
    dialog.filter.setCurrentIndex(dialog.filter.findData(ri.Verdict.ERROR))
    assert model.rowCount() == 6
    dialog.table.selectRow(1)
    assert "4.4200019960308E+17" in dialog.detail.text() and "第 6 行" in dialog.detail.text()
    shot(dialog, "roster_import_preview")

    out = tmp_path / "错误行.xlsx"
    monkeypatch.setattr(import_dialog, "ask_save_path", lambda *_a: str(out))
    dialog.errors_button.click()
    assert load_workbook(out).active.max_row == 7 and "已保存 6 行错误" in dialog.done_label.text()

    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None)
    assert "已导入 10 名志愿者（已注册）" in dialog.done_label.text()
    assert not dialog.import_button.isEnabled()  # imported once only
    assert tab.model.rowCount() == 11  # the roster shows them
    with admin_ctx.db.session(write=False) as session:
        statuses = list(session.scalars(select(Volunteer.status)))
    assert statuses.count(Status.REGISTERED.value) == 10
    shot(tab, "roster_after_import")


def test_clerk_imports_applications(qtbot, sqlite_db, tmp_path, monkeypatch, messages):
    admin = setup_station(sqlite_db)
    clerk = add_user(sqlite_db, admin, "clerk", Role.CLERK)
    tab = RosterTab(AppContext(db=sqlite_db, actor=clerk))
    qtbot.addWidget(tab)
    dialog = _open(qtbot, tab, monkeypatch, sheets.simple_roster(tmp_path / "r.xlsx", 4))
    assert not dialog.approve.isEnabled() and not dialog.approve.isChecked()
    assert not dialog.errors_button.isEnabled()
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None)
    assert "申请中" in dialog.done_label.text()
    assert "4 名申请待审核" in tab.count_label.text()


def test_a_failed_import_changes_nothing(qtbot, admin_ctx, tmp_path, monkeypatch, messages):
    tab = RosterTab(admin_ctx)
    qtbot.addWidget(tab)
    dialog = _open(qtbot, tab, monkeypatch, sheets.simple_roster(tmp_path / "r.xlsx", 6))
    late = dialog.preview.rows[3]
    with admin_ctx.db.session() as session:  # registered at the desk meanwhile
        register_volunteer(session, admin_ctx.actor, late.data)
    dialog.import_button.click()
    assert dialog.result is None
    assert any(f"第 {late.row_number} 行" in m and "没有导入任何一行" in m for m in messages)
    tab.refresh()
    assert tab.model.rowCount() == 2


def test_viewer_cannot_import_and_bad_file(qtbot, sqlite_db, tmp_path, monkeypatch, messages):
    admin = setup_station(sqlite_db)
    viewer = add_user(sqlite_db, admin, "viewer", Role.VIEWER)
    tab = RosterTab(AppContext(db=sqlite_db, actor=viewer))
    qtbot.addWidget(tab)
    assert not tab.import_button.isEnabled() and tab.export_button.isEnabled()
    admin_tab = RosterTab(AppContext(db=sqlite_db, actor=admin))
    qtbot.addWidget(admin_tab)
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_bytes(b"not a workbook")
    monkeypatch.setattr(import_dialog, "ask_open_path", lambda _parent: str(bogus))
    admin_tab.import_button.click()
    assert admin_tab.findChild(RosterImportDialog) is None
    assert any("不是 Excel 工作簿" in m for m in messages)


def test_template_and_export_buttons(qtbot, admin_ctx, tmp_path, monkeypatch, messages):
    tab = RosterTab(admin_ctx)
    qtbot.addWidget(tab)
    monkeypatch.setattr(import_dialog, "ask_save_path", lambda _p, _t, suggested: str(tmp_path / suggested))
    tab.template_button.click()
    assert (tmp_path / "志愿者花名册导入模板.xlsx").exists()
    tab.export_button.click()
    exported = list(tmp_path.glob("志愿者花名册-*.xlsx"))
    assert len(exported) == 1 and "康华花园" in exported[0].name
    assert load_workbook(exported[0]).active["E2"].value == sheets.EXISTING
    page = NeedsPage(admin_ctx)
    qtbot.addWidget(page)
    page.export_button.click()
    assert list(tmp_path.glob("需求清单-*.xlsx"))
    assert any("已导出需求清单（0 行）" in m for m in messages)
