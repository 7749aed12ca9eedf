"""Starting the GUI: fonts, the database, first-start set-up, login, the main window."""

from __future__ import annotations

import sys

from .. import config
from ..db import Database, open_database
from ..errors import DatabaseProblem
from ..i18n import _
from ..services.auth import Actor
from ..services.stations import is_initialised, station_info
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
    try:
        return open_database(url, backup_dir=config.backups_dir())
    except DatabaseProblem as exc:
        QMessageBox.critical(None, _("无法打开数据库"), exc.message)
        return None


def start_session(db: Database) -> MainWindow | None:
    """First-start set-up if needed, then login; the main window, or None if the user gave up."""
    with db.session(write=False) as session:
        ready = is_initialised(session)
    if not ready and not StationSetupDialog.ask(db):
        return None
    actor: Actor | None = LoginDialog.ask(db)
    if actor is None:
        return None
    with db.session(write=False) as session:
        info = station_info(session, actor)
    return MainWindow(AppContext(db=db, actor=actor, station_name=info.name))


def run_gui(url: str) -> int:
    app = application()
    db = open_or_explain(url)
    if db is None:
        return 2
    try:
        window = start_session(db)
        if window is None:
            return 0
        window.show()
        return app.exec()
    finally:
        BackgroundJob.stop_all()  # a batch still drawing is cancelled, its partial files removed
        close_all_pdfs()
        db.dispose()
