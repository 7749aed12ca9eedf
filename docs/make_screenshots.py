"""Regenerate the screenshots in docs/screenshots/ from a demo database (offscreen Qt).

Run:  QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
OUT = Path(__file__).resolve().parent / "screenshots"


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="station-shots-"))
    os.environ["STATION_APP_DATA_DIR"] = str(workdir)

    from station_app.db import open_database
    from station_app.services import volunteers as svc
    from station_app.services.auth import authenticate
    from station_app.services.demo import DEMO_ADMIN, DEMO_PASSWORD, build_demo
    from station_app.ui.app import application
    from station_app.ui.audit_dialog import AuditDialog
    from station_app.ui.station_dialog import StationDialog
    from station_app.ui.common import AppContext
    from station_app.ui.login_dialog import LoginDialog
    from station_app.ui.main_window import MainWindow
    from station_app.ui.roster.review_dialog import ReviewDialog
    from station_app.ui.roster.volunteer_dialog import VolunteerDialog
    from station_app.ui.setup_dialog import StationSetupDialog
    from station_app.ui.teams_dialog import TeamsDialog
    from station_app.ui.users_dialog import UsersDialog

    app = application()
    OUT.mkdir(parents=True, exist_ok=True)

    def save(widget, name: str, size: tuple[int, int] | None = None) -> None:  # noqa: ANN001
        if size:
            widget.resize(*size)
        widget.show()
        app.processEvents()
        widget.grab().save(str(OUT / f"{name}.png"))
        print("wrote", OUT / f"{name}.png")

    empty = open_database(f"sqlite:///{workdir / 'empty.db'}")
    setup = StationSetupDialog(empty)
    setup.community.setText("仁厚社区")
    setup.station_name.setText("康华花园物业志愿服务站")
    setup.station_code.setText("SQ0101")
    setup.admin_name.setText("陈站长")
    save(setup, "setup", (560, 640))

    db = open_database(f"sqlite:///{workdir / 'demo.db'}")
    build_demo(db, volunteers=300, seed=2014)
    login = LoginDialog(db, "康华花园物业志愿服务站")
    login.username.setText(DEMO_ADMIN)
    save(login, "login")
    with db.session() as session:
        actor = authenticate(session, DEMO_ADMIN, DEMO_PASSWORD)
    ctx = AppContext(db=db, actor=actor, station_name="康华花园物业志愿服务站")

    window = MainWindow(ctx)
    window.roster.table.selectRow(3)
    save(window, "main-window", (1280, 760))

    window.roster.search.setText("zs")
    window.roster.apply_filter()
    window.roster.table.selectRow(0)
    save(window, "roster-search", (1280, 760))

    dialog = VolunteerDialog(ctx)
    dialog.name.setText("林嘉堃")
    dialog.id_number.setText("44200019900101109x")  # lower-case x is accepted
    dialog.id_number.editingFinished.emit()
    dialog.phone.setText("1381234567")
    dialog.accept()  # refused: the phone has 10 digits; the message shows under the form
    save(dialog, "volunteer-form", (680, 760))

    with db.session(write=False) as session:
        applying = svc.roster_ids(session, actor, svc.RosterFilter(status=svc.Status.APPLYING))
    save(ReviewDialog(ctx, applying[0]), "review", (560, 600))
    save(TeamsDialog(ctx), "teams", (760, 420))
    save(UsersDialog(ctx), "users", (560, 300))
    save(StationDialog(ctx), "station", (480, 300))
    save(AuditDialog(ctx), "audit-log", (1000, 480))
    return 0


if __name__ == "__main__":
    sys.exit(main())
