"""Starting the GUI: fonts, the database, first-start set-up, login, the main window."""

from __future__ import annotations

import sys

from .. import config
from ..db import Database, open_database, sqlite_path
from ..errors import DatabaseProblem
from ..i18n import _
from ..services import backup, city
from ..services.auth import Actor
from ..services.stations import is_initialised, station_info
from .backup_dialog import show_network_warning, startup_check
from .common import AppContext
from .fonts import register_fonts
from .login_dialog import LoginDialog
from .main_window import MainWindow
from .printing.pdf_pages import close_all as close_all_pdfs
from .printing.worker import BackgroundJob
from .qt import QApplication, QMessageBox
from .setup_dialog import StationSetupDialog


def application() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("StationApp")
    app.setApplicationDisplayName(_("物业志愿服务站管理系统"))
    register_fonts(app)
    return app


def open_or_explain(url: str) -> Database | None:
    path = sqlite_path(url)
    try:
        # Before-upgrade copies go where the other backups of this file are (系统 → 备份与恢复 lists them).
        return open_database(url, backup_dir=backup.backup_dir_for(path) if path else config.backups_dir())
    except DatabaseProblem as exc:
        QMessageBox.critical(None, _("无法打开数据库"), exc.message)
        return None


def start_session(db: Database) -> MainWindow | None:
    """First-start set-up if needed, then login; the main window, or None if the user gave up."""
    with db.session(write=False) as session:
        ready = is_initialised(session) or city.has_city_admin(session)  # a city's shared database: stations come later
    if not ready and not StationSetupDialog.ask(db):
        return None
    actor: Actor | None = LoginDialog.ask(db)
    if actor is None:
        return None
    with db.session(write=False) as session:
        name = station_info(session, actor).name if actor.station_id is not None else city.scope_label(session, actor)
    return MainWindow(AppContext(db=db, actor=actor, station_name=name))


def run_gui(url: str) -> int:
    app = application()
    if not startup_check(url):  # a damaged database: explained, restored only with consent
        return 2
    db = open_or_explain(url)
    if db is None:
        return 2
    backup.automatic_backup(url)  # when the newest automatic copy is older than a day
    warned = False
    try:
        while True:
            window = start_session(db)
            if window is None:
                return 0
            window.show()
            if not warned:  # once per start, not blocking
                show_network_warning(url, window)
                warned = True
            code = app.exec()
            if not getattr(window, "restart_requested", False):
                return code
            # A restore replaced the database: nothing goes on with the old engine; open it anew, log in again.
            db.dispose()
            reopened = open_or_explain(url)
            if reopened is None:
                return 2
            db = reopened
    finally:
        BackgroundJob.stop_all()  # a batch still drawing is cancelled, its partial files removed
        close_all_pdfs()
        db.dispose()
        backup.automatic_backup(url, at_close=True)
