"""系统 → 备份与恢复, and the start-up checks, as a station head meets them."""

from __future__ import annotations

import hashlib
import sqlite3
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from station_app.db import open_database
from station_app.services import backup
from station_app.services.auth import Role
from station_app.ui import app as app_module
from station_app.ui import backup_dialog
from station_app.ui.backup_dialog import BackupDialog, IntegrityDialog
from station_app.ui.common import AppContext
from station_app.ui.login_dialog import LoginDialog
from station_app.ui.main_window import MainWindow
from station_app.ui.qt import QApplication, QMessageBox

from .conftest import add_user, setup_station
from .shots import shot

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


def usernames(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT username FROM users"))


@pytest.fixture
def station(tmp_path: Path):
    path = tmp_path / "station.db"
    db = open_database(f"sqlite:///{path}", backup_dir=tmp_path / "backups")
    admin = setup_station(db)
    yield db, admin, path
    db.dispose()


@pytest.fixture
def messages(monkeypatch):
    """The message boxes the screens show, recorded instead of shown."""
    shown: list[tuple[str, str]] = []
    for name in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, name, staticmethod(lambda parent, title, text, *a, **k: shown.append((title, text))))
    monkeypatch.setattr(BackupDialog, "tell", staticmethod(lambda parent, title, text: shown.append((title, text))))
    return shown


def test_backup_now_appears_in_the_list(qtbot, station, messages):
    db, admin, path = station
    backup.make_backup(path, backup.AUTO, now=datetime(2026, 5, 1, 7, 30))
    window = MainWindow(AppContext(db=db, actor=admin, station_name="康华花园物业志愿服务站"))
    qtbot.addWidget(window)
    assert window.backup_action.text() == "备份与恢复…" and window.backup_action.isEnabled()
    dialog = BackupDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert str(path) in dialog.where.text() and str(path.parent / "backups") in dialog.where.text()

    dialog.backup_button.click()

    assert dialog.table.rowCount() == 2
    top = [dialog.table.item(0, c).text() for c in range(dialog.table.columnCount())]
    assert top[1] == "手动备份" and top[2] == "康华花园物业志愿服务站" and top[3] == "0" and top[6] == "可用"
    assert top[5].startswith("station-manual-") and (path.parent / "backups" / top[5]).is_file()
    assert dialog.table.item(1, 1).text() == "自动备份" and dialog.table.item(1, 0).text() == "2026-05-01 07:30:00"
    assert dialog.selected().path.name == top[5]  # the new copy is selected
    assert messages == []
    shot(dialog, "backup-dialog")


def test_others_see_the_list_but_cannot_back_up_or_restore(qtbot, station):
    db, admin, path = station
    backup.make_backup(path)
    clerk = add_user(db, admin, "clerk", Role.CLERK)
    dialog = BackupDialog(AppContext(db=db, actor=clerk))
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    buttons = (dialog.backup_button, dialog.export_button, dialog.restore_button, dialog.file_button)
    assert not any(b.isEnabled() for b in buttons)
    assert "只有站长" in dialog.permission_note.text()


def test_restore_through_the_dialog_closes_the_window_and_keeps_the_replaced_file(qtbot, station, messages, monkeypatch):
    db, admin, path = station
    saved = backup.make_backup(path)
    add_user(db, admin, "later", Role.CLERK)  # entered after the backup
    window = MainWindow(AppContext(db=db, actor=admin, station_name="康华花园物业志愿服务站"))
    qtbot.addWidget(window)
    window.show()
    dialog = BackupDialog(window.ctx, window)
    qtbot.addWidget(dialog)
    asked: list[str] = []

    monkeypatch.setattr(BackupDialog, "confirm_restore", staticmethod(lambda parent, text: asked.append(text) or False))
    dialog.table.selectRow(0)
    dialog.restore_button.click()
    assert len(asked) == 1 and usernames(path) == ["admin", "later"]  # 取消: nothing changed
    assert window.isVisible() and not getattr(window, "restart_requested", False)

    monkeypatch.setattr(BackupDialog, "confirm_restore", staticmethod(lambda parent, text: asked.append(text) or True))
    dialog.restore_button.click()

    text = asked[-1]
    assert saved.path.name in text and str(path) in text  # what replaces what
    assert str(path.parent / "backups") in text and "station-replaced-" in text  # where the replaced file is kept
    assert usernames(path) == ["admin"]
    replaced = list((path.parent / "backups").glob("station-replaced-*.db"))
    assert len(replaced) == 1 and usernames(replaced[0]) == ["admin", "later"]
    assert messages and messages[-1][0] == "恢复完成" and replaced[0].name in messages[-1][1]
    assert "重新登录" in messages[-1][1]
    assert window.restart_requested and not window.isVisible()  # the old engine is not used again


def test_restore_from_a_file_that_is_not_a_backup_is_refused(qtbot, station, messages, monkeypatch, tmp_path):
    db, admin, path = station
    sheet = tmp_path / "花名册.db"
    sheet.write_text("姓名,电话\n", encoding="utf-8")
    dialog = BackupDialog(AppContext(db=db, actor=admin))
    qtbot.addWidget(dialog)
    monkeypatch.setattr(BackupDialog, "choose_backup_file", staticmethod(lambda parent, folder: str(sheet)))
    monkeypatch.setattr(BackupDialog, "confirm_restore", staticmethod(lambda parent, text: pytest.fail("asked")))
    dialog.file_button.click()
    assert messages == [("不能用这个文件恢复", messages[0][1])] and "不是 SQLite 数据库文件" in messages[0][1]
    assert usernames(path) == ["admin"] and not list((path.parent / "backups").glob("*replaced*"))


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096 * 2: 4096 * 5] = b"\xff" * (4096 * 3)
    path.write_bytes(bytes(data))


def test_startup_integrity_failure_dialog(qtbot, station, messages, monkeypatch):
    db, _admin, path = station
    good = backup.make_backup(path, backup.AUTO, now=datetime(2026, 4, 1, 18, 30))
    db.dispose()
    _damage(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    url = f"sqlite:///{path}"

    report = backup.integrity_check(path)
    dialog = IntegrityDialog(report)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "数据库检查未通过"
    assert good.path.name in dialog.text.text() and "2026-04-01 18:30" in dialog.text.text()
    assert dialog.restore_button.text() == "从这份备份恢复" and dialog.quit_button.text() == "退出程序"
    shot(dialog, "backup-integrity")

    seen = []
    monkeypatch.setattr(IntegrityDialog, "ask", classmethod(lambda cls, r, parent=None: seen.append(r) or False))
    assert backup_dialog.startup_check(url) is False  # 退出程序: nothing changed
    assert seen[0].newest_good.path == good.path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before

    monkeypatch.setattr(IntegrityDialog, "ask", classmethod(lambda cls, r, parent=None: True))
    assert backup_dialog.startup_check(url) is True
    assert messages[-1][0] == "恢复完成"
    assert backup.integrity_check(path).ok and usernames(path) == ["admin"]
    kept = list((path.parent / "backups").glob("station-replaced-*.db"))
    assert len(kept) == 1 and hashlib.sha256(kept[0].read_bytes()).hexdigest() == before
    open_database(url).dispose()


def test_startup_check_without_a_backup_only_offers_to_quit(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "station.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200 + b"garbage" * 500)
    dialog = IntegrityDialog(backup.integrity_check(path))
    qtbot.addWidget(dialog)
    assert dialog.restore_button is None and "没有可用的备份" in dialog.text.text()
    monkeypatch.setattr(IntegrityDialog, "ask", classmethod(lambda cls, r, parent=None: True))
    assert backup_dialog.startup_check(f"sqlite:///{path}") is False


def test_network_share_warning_shown_without_blocking(qtbot, station, monkeypatch):
    db, admin, path = station
    window = MainWindow(AppContext(db=db, actor=admin))
    qtbot.addWidget(window)
    assert backup_dialog.show_network_warning(db.url, window) is None  # a local disk
    monkeypatch.setattr(backup, "network_share_warning", lambda p: f"数据库文件 {p} 位于网络共享上（cifs）。")
    box = backup_dialog.show_network_warning(db.url, window)
    assert box is not None and box.isVisible() and not box.isModal()
    assert "网络共享" in box.text()
    box.close()


def test_run_gui_backs_up_reopens_after_a_restore_and_backs_up_at_close(qtbot, station, monkeypatch, messages):
    """The whole start: check, open, automatic copy, login; a restore returns to the login; a copy at close."""
    db, admin, path = station
    saved = backup.make_backup(path)
    add_user(db, admin, "later", Role.CLERK)
    db.dispose()
    logins = []

    def login(cls, database, station_name="", parent=None):
        logins.append(usernames(path))
        return admin

    monkeypatch.setattr(LoginDialog, "ask", classmethod(login))
    monkeypatch.setattr(BackupDialog, "confirm_restore", staticmethod(lambda parent, text: True))
    runs = []

    def fake_exec():
        window = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        qtbot.addWidget(window)
        runs.append(window)
        if len(runs) == 1:
            BackupDialog(window.ctx, window).restore_from(saved.path)
        else:
            window.close()
        return 0

    app = QApplication.instance()
    monkeypatch.setattr(app, "exec", fake_exec)
    assert app_module.run_gui(f"sqlite:///{path}") == 0

    assert logins == [["admin", "later"], ["admin"]]  # logged in again, to the restored database
    assert runs[0].ctx.db is not runs[1].ctx.db
    kinds = [b.kind for b in backup.list_backups(path)]
    assert kinds.count(backup.AUTO) == 2  # one at start (none was there), one at close
    assert kinds.count(backup.REPLACED) == 1 and kinds.count(backup.MANUAL) == 1
