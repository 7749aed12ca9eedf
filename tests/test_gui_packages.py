"""Transfer packages on screen: 导出转移包 on the roster, 系统 → 导入转移包… with trust and preview, and the
volunteer's file showing what they did elsewhere. Driven as a person would; screenshots in /tmp/shots."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from station_app.db import open_database
from station_app.models import Volunteer
from station_app.services import chain
from station_app.services import packages as pkg
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.main_window import MainWindow
from station_app.ui.printing.signing import PasswordDialog
from station_app.ui.qt import QDialogButtonBox, QMessageBox
from station_app.ui.transfer import export_dialog, import_flow

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .idnumbers import make_id
from .shots import shot
from .test_packages import WANG_ID, export, fill_origin, make_station, register

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def origin(tmp_path: Path):
    database = open_database(f"sqlite:///{tmp_path / 'origin.db'}")
    yield fill_origin(database, make_station(database, "SQ0202", "竹苑物业志愿服务站"))
    database.dispose()


@pytest.fixture
def ctx(sqlite_db):
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, message, *a: shown.append(message))
    return shown


@pytest.fixture
def window(qtbot, ctx):
    w = MainWindow(ctx)
    qtbot.addWidget(w)
    return w


def test_importing_through_the_menu_trusts_previews_and_shows_the_history(
        qtbot, monkeypatch, window, ctx, origin, tmp_path, errors):
    here = register(ctx.db, ctx.actor, "王芳", WANG_ID, phone="13511112222", building="9栋")
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    info = pkg.open_package(path)
    seen: dict[str, object] = {}

    def trust(parent, package, can_trust):  # noqa: ANN001, ANN202
        dialog = import_flow.TrustDialog(package, can_trust, parent)
        qtbot.addWidget(dialog)
        seen["fingerprint"] = dialog.fingerprint.text()
        shot(dialog, "transfer-trust")
        return True

    def choose(parent, preview):  # noqa: ANN001, ANN202
        dialog = import_flow.PreviewDialog(preview, parent)
        qtbot.addWidget(dialog)
        rows = {dialog.diffs.item(r, 1).text(): r for r in range(dialog.diffs.rowCount())}
        seen["diff_rows"] = sorted(rows)
        phone = next(c for _vid, field, c in dialog.choices if field == "phone")
        phone.setCurrentIndex(phone.findData(import_flow.THEIRS))
        shot(dialog, "transfer-preview")
        return dialog.resolutions()

    monkeypatch.setattr(import_flow, "ask_file", lambda _parent: str(path))
    monkeypatch.setattr(import_flow.TrustDialog, "ask", trust)
    monkeypatch.setattr(import_flow.PreviewDialog, "ask", choose)
    monkeypatch.setattr(import_flow, "inform", lambda _p, _t, text: seen.setdefault("summary", text))
    assert window.import_package_action.isEnabled()
    window.import_package_action.trigger()
    qtbot.waitUntil(lambda: "summary" in seen, timeout=10_000)
    assert not errors
    assert seen["fingerprint"] == info.fingerprint  # grouped in fours, as read over the phone
    assert len(info.fingerprint.split(" ")) == 8
    assert seen["diff_rows"] == ["楼栋", "联系电话"]
    assert "服务记录（含更正、审批）：新增 4" in seen["summary"]
    with ctx.db.session(write=False) as session:
        wang = session.get(Volunteer, here)
        assert (wang.phone, wang.building) == ("13900001111", "9栋")  # phone taken, building kept
    # the roster's detail panel shows what the volunteer did at the other station
    assert window.roster.select_volunteer(here)
    html = window.roster.detail.toHtml()
    assert "在其他站点的记录" in html and "岗前培训：志愿服务礼仪" in html and "竹苑物业志愿服务站（SQ0202）" in html
    window.roster.detail.resize(420, 760)
    shot(window.roster.detail, "transfer-detail")


def test_a_changed_package_is_refused_on_screen(qtbot, monkeypatch, window, ctx, origin, tmp_path, errors):
    path = export(origin, tmp_path / "wang.zsvpkg", [origin.wang])
    data = path.read_bytes()
    bad = tmp_path / "bad.zsvpkg"
    bad.write_bytes(data[:300] + bytes([data[300] ^ 0x20]) + data[301:])
    monkeypatch.setattr(import_flow, "ask_file", lambda _parent: str(bad))
    monkeypatch.setattr(import_flow.TrustDialog, "ask", lambda *a: pytest.fail("a changed package reached trust"))
    window.import_package_action.trigger()
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert "改动" in errors[0] or "损坏" in errors[0]
    with ctx.db.session(write=False) as session:
        assert session.scalar(select(Volunteer.id)) is None


def test_only_an_administrator_may_trust_a_station(qtbot, sqlite_db, ctx, origin, tmp_path):
    info = pkg.open_package(export(origin, tmp_path / "wang.zsvpkg", [origin.wang]))
    dialog = import_flow.TrustDialog(info, False)
    qtbot.addWidget(dialog)
    box = dialog.findChild(QDialogButtonBox)
    assert not box.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    clerk = add_user(sqlite_db, ctx.actor, "clerk", Role.CLERK)
    w = MainWindow(AppContext(db=sqlite_db, actor=clerk, station_name="康华"))
    qtbot.addWidget(w)
    assert not w.import_package_action.isEnabled() and not w.roster.package_button.isVisibleTo(w)


def test_exporting_from_the_roster(qtbot, monkeypatch, window, ctx, tmp_path, errors):
    vid = register(ctx.db, ctx.actor, "陈静", _id())
    register(ctx.db, ctx.actor, "林嘉堃", _id("19850101", "078"))
    window.roster.refresh()
    assert window.roster.select_volunteer(vid)
    seen: dict[str, object] = {}

    def ask(c, selected, listed, parent):  # noqa: ANN001, ANN202
        dialog = export_dialog.ExportDialog(c, selected, listed, parent)
        qtbot.addWidget(dialog)
        seen["options"] = [b.text() for b in (dialog.one, dialog.many, dialog.station)]
        shot(dialog, "transfer-export")
        return dialog.choice()

    monkeypatch.setattr(export_dialog.ExportDialog, "ask", ask)
    monkeypatch.setattr(export_dialog.ExportDialog, "ask_path", lambda _p, suggested: str(tmp_path / Path(suggested).name))
    monkeypatch.setattr(PasswordDialog, "ask", lambda *_a: ADMIN_PASSWORD)
    monkeypatch.setattr(export_dialog, "inform", lambda _p, _t, text: seen.setdefault("summary", text))
    window.roster.package_button.click()
    qtbot.waitUntil(lambda: "summary" in seen, timeout=10_000)
    assert not errors
    assert seen["options"][0] == "选中的志愿者：陈静" and "2 名志愿者" in seen["options"][1]
    [written] = list(tmp_path.glob("SQ0101-陈静-*.zsvpkg"))
    info = pkg.open_package(written)
    assert info.scope == "volunteer" and info.counts["volunteers.jsonl"] == 1
    with ctx.db.session(write=False) as session:
        fingerprint = chain.fingerprint(chain.station_public_key(session, ctx.actor.station_id))
    assert fingerprint in seen["summary"]


def _id(birth: str = "19900101", seq: str = "045") -> str:
    return make_id("442000", birth, seq)
