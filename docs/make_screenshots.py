"""Regenerate the screenshots in docs/screenshots/ from a demo database (offscreen Qt).

Run:  QT_QPA_PLATFORM=offscreen python docs/make_screenshots.py
"""

from __future__ import annotations

import os
import subprocess
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
    from station_app.ui.common import AppContext
    from station_app.ui.login_dialog import LoginDialog
    from station_app.ui.main_window import MainWindow
    from station_app.ui.roster.review_dialog import ReviewDialog
    from station_app.ui.roster.volunteer_dialog import VolunteerDialog
    from station_app.ui.setup_dialog import StationSetupDialog
    from station_app.ui.station_dialog import StationDialog
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

    demand_screenshots(ctx, window, save)
    return 0


def demand_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 需求菜单 tab: each page, its dialogs (shown, never exec'd) and the recruitment poster."""
    from station_app.reports.poster import recruitment_poster
    from station_app.services import needs as needs_svc
    from station_app.services import recruitment as recruitment_svc
    from station_app.ui.demand.menu import KeyGroupsDialog
    from station_app.ui.demand.needs import NeedHistoryDialog
    from station_app.ui.demand.projects import ProjectDialog
    from station_app.ui.demand.recipients import RecipientDialog
    from station_app.ui.demand.recruitment import RecruitmentDialog
    from station_app.ui.demand.visit_dialog import VisitDialog
    from station_app.ui.qt import Qt

    actor = ctx.actor
    demand = window.demand
    window.tabs.setCurrentWidget(demand)

    demand.show_page(demand.overview)
    save(window, "demand-overview", (1280, 760))

    # A household with a visit history and needs, the way staff look one up.
    with ctx.db.session(write=False) as session:
        every_need = needs_svc.list_needs(session, actor, needs_svc.NeedFilter())
    per_recipient: dict[int, int] = {}
    for need in every_need:
        per_recipient[need.recipient_id] = per_recipient.get(need.recipient_id, 0) + 1
    busiest = max(per_recipient, key=lambda rid: (per_recipient[rid], -rid))
    demand.show_page(demand.recipients)
    demand.recipients.select_recipient(busiest)
    save(window, "demand-recipients", (1280, 760))

    form = RecipientDialog(ctx, parent=window)
    form.name.setText("黄丽华")
    form.gender.setCurrentIndex(max(0, form.gender.findText("女")))
    form.birth_date.setText("1938-06-12")
    form.building.setText("康华花园 3 栋")
    form.unit.setText("2 单元")
    form.room.setText("502")
    form.guardian_name.setText("陈志明")
    form.guardian_relation.setText("儿子")
    form.guardian_phone.setText("13926012345")
    form.check_key_groups(["空巢老人", "残疾人"])
    form.notes.setPlainText("独居，儿子在广州工作，每周末回来。")
    save(form, "recipient-form")  # its natural size, as it opens
    form.close()

    row = demand.recipients.selected_row()
    visit = VisitDialog(ctx, busiest, row.name if row else "", window)
    visit.findings.setPlainText("老人精神不错，膝盖不好，上下楼吃力；厨房灯管坏了一个月。")
    menu_items = {item.label: item.id for item in visit.menu}
    first = next((i for label, i in menu_items.items() if "家电" in label or "维修" in label), None)
    visit.add_need_row(item_id=first, urgency="soon", preferred_note="周末上午", description="厨房灯管不亮")
    visit.add_need_row(free_text="陪同去医院复诊", urgency="normal", preferred_note="每月第二个周二上午")
    save(visit, "visit-form", (900, 600))
    visit.close()

    demand.show_page(demand.needs)
    demand.needs.table.selectRow(3)
    save(window, "demand-needs", (1280, 760))

    # The history of a need that went the whole way (待评估 → … → 已完成).
    with ctx.db.session(write=False) as session:
        done = [n for n in every_need if n.status == needs_svc.NeedStatus.DONE]
        histories = {n.id: needs_svc.need_history(session, actor, n.id) for n in done[:20]}
    shown = max(done[:20], key=lambda n: len(histories[n.id]))
    history = NeedHistoryDialog(histories[shown.id], f"需求历史：{shown.recipient_name} — {shown.what}", window)
    save(history, "need-history")
    history.close()

    demand.show_page(demand.projects)
    demand.projects.table.selectRow(0)
    save(window, "demand-projects", (1280, 760))

    unmet = [n.id for n in every_need if n.status in needs_svc.UNMET]
    project = ProjectDialog(ctx, unmet[:2], window)
    project.name.setText("银龄关爱·家电义修")
    project.goal.setPlainText("每月为辖区空巢、高龄老人上门检修一次家电，三个月内处理完登记的维修需求。")
    project.lead.setText("李晓敏")
    for i in range(project.key_groups.count()):
        item = project.key_groups.item(i)
        if item.text() in ("空巢老人", "残疾人"):
            item.setCheckState(Qt.CheckState.Checked)
    save(project, "project-form", (720, project.sizeHint().height()))
    project.close()

    # The notice with the most applicants, its first applicant selected.
    with ctx.db.session(write=False) as session:
        notices = recruitment_svc.list_recruitments(session, actor)
    notice = max(notices, key=lambda r: (r.status == "open", r.slots_used))
    demand.show_page(demand.recruitment)
    demand.recruitment.select_recruitment(notice.id)
    demand.recruitment.applicants.selectRow(0)
    save(window, "demand-recruitment", (1280, 760))

    publish = RecruitmentDialog(ctx, project_id=demand.projects.selected_id(), parent=window)
    publish.requirements.setPlainText("上门为老人检修家电、更换灯管；两人一组，注意用电安全。")
    publish.skills.setText("家电维修、电工")
    publish.min_age.setValue(18)
    publish.max_age.setValue(65)
    publish.service_times.boxes[(5, 0)].setChecked(True)  # 周六上午
    publish.service_time_note.setText("每月第一个周六 9:00–11:00")
    save(publish, "recruitment-form")  # its natural size, as it opens
    publish.close()

    demand.show_page(demand.menu)
    demand.menu.table.selectRow(1)
    save(window, "demand-menu", (1280, 760))
    groups = KeyGroupsDialog(ctx, window)
    groups.table.selectRow(0)
    save(groups, "key-groups", (520, 440))
    groups.close()

    with ctx.db.session(write=False) as session:
        data = recruitment_svc.poster_data(session, actor, notice.id)
    with tempfile.TemporaryDirectory(prefix="station-poster-") as tmp:
        pdf = Path(tmp) / "poster.pdf"
        recruitment_poster(data, pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", str(pdf), str(OUT / "recruitment-poster")],
                       check=True)
    print("wrote", OUT / "recruitment-poster.png")


if __name__ == "__main__":
    sys.exit(main())
