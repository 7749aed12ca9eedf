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
    training_screenshots(ctx, window, save)
    schedule_screenshots(ctx, window, save)
    hours_screenshots(ctx, window, save)
    awards_screenshots(ctx, window, save)
    timebank_screenshots(ctx, window, save)
    ledger_screenshots(ctx, window, save)
    printing_screenshots(ctx, window, save)
    transfer_screenshots(ctx, window, save)
    city_screenshots(ctx, window, save)
    backup_screenshots(ctx, window, save)
    excel_screenshots(ctx, window, save)
    return 0


def pdf_to_png(pdf: Path, name: str, *, last_page: bool = False, dpi: int = 70) -> None:
    """The first page of a printout (or its last, where a monthly ledger prints its checkpoint), as the guide shows it."""
    pages = ["-f", str(pdf_pages(pdf)), "-l", str(pdf_pages(pdf))] if last_page else []
    subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", *pages, str(pdf), str(OUT / name)], check=True)
    print("wrote", OUT / f"{name}.png")


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return next(int(line.split()[-1]) for line in info.splitlines() if line.startswith("Pages:"))


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
        pdf_to_png(pdf, "recruitment-poster")


def training_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 培训 tab: the sessions and their dialogs, the sign-in sheet, 骨干培养, a volunteer's training
    history on the roster, and a menu item that requires a training."""
    from station_app.reports.signin import signin_sheet
    from station_app.services import catalogue as cat_svc
    from station_app.services import training as training_svc
    from station_app.ui.demand.menu import MenuItemDialog
    from station_app.ui.qt import QApplication, QSplitter
    from station_app.ui.training.picker import VolunteerPickerDialog
    from station_app.ui.training.sessions import AttendanceDialog, SessionDialog

    actor = ctx.actor
    training = window.training
    window.tabs.setCurrentWidget(training)
    with ctx.db.session(write=False) as session:
        every = training_svc.list_sessions(session, actor, training_svc.SessionFilter())
    held = [r for r in every if r.status == "held" and r.enrolled]
    upcoming = sorted((r for r in every if r.status == "planned" and r.enrolled), key=lambda r: r.starts_at)
    latest = max(held, key=lambda r: r.starts_at)  # the last training held: its attendance shows below the list

    training.show_page(training.sessions)
    training.sessions.show_session(latest.id)
    save(window, "training-sessions", (1280, 760))

    form = SessionDialog(ctx, parent=window)
    form.kind.setCurrentIndex(form.kind.findData(training_svc.TrainingKind.PRE_SERVICE.value))
    form.topic.setText("健康义诊岗前培训：血压测量与急救常识")
    form.trainer.setText("梁秀珍（市人民医院护士长）")
    form.place.setText("服务站活动室")
    form.capacity.setValue(20)
    form.notes.setPlainText("参加过的志愿者才能排到“健康义诊”。请带笔记本。")
    save(form, "training-form")  # its natural size, as it opens
    form.close()

    # 报名: the next training that has places left, a few volunteers ticked after a search.
    target = next((r for r in upcoming if r.enrolled < r.capacity), upcoming[0])
    with ctx.db.session(write=False) as session:
        detail = training_svc.get_session(session, actor, target.id)
    picker = VolunteerPickerDialog(
        ctx, f"报名培训：{target.topic}（还剩 {target.capacity - target.enrolled} 个名额）", lambda s, ids: None,
        ok_text="报名", taken=[e.volunteer_id for e in detail.enrolments], taken_label="已报名", parent=window,
    )
    picker.search.setText("李")
    ticked = 0
    for vid, may in picker.listed().items():
        if may and ticked < 2 and picker.tick(vid):
            ticked += 1
    save(picker, "training-enrol", (640, 500))
    picker.close()

    # 登记出勤 for a training already marked: a correction (one volunteer was late), with its reason.
    attendance = AttendanceDialog(ctx, latest.id, window)
    present = [e for e in attendance.detail.enrolments if e.attendance == "present"]
    if present:
        late = present[1 if len(present) > 1 else 0].name
        attendance.set_attendance(late, "late", max(0.25, latest.credit_minutes / 60 - 0.5))
        attendance.reason.setPlainText(f"核对签到表：{late}签到晚了半小时，按实到时间计。")
    save(attendance, "training-attendance", (760, 560))
    attendance.close()

    with ctx.db.session(write=False) as session:
        sheet = training_svc.signin_sheet_data(session, actor, target.id)
    with tempfile.TemporaryDirectory(prefix="station-signin-") as tmp:
        pdf = Path(tmp) / "signin.pdf"
        signin_sheet(sheet, pdf)
        pdf_to_png(pdf, "training-signin")

    training.show_page(training.backbone)
    backbone = training.backbone
    if backbone.candidates:
        backbone.table.selectRow(0)
    save(window, "training-backbone", (1280, 760))

    # A keen volunteer's file: the training history under the personal details.
    with ctx.db.session(write=False) as session:
        candidates = training_svc.backbone_candidates(session, actor)
    roster = window.roster
    window.tabs.setCurrentWidget(roster)
    roster.search.setText("")
    roster.apply_filter()
    if candidates:
        roster.select_volunteer(candidates[0].volunteer_id)
    splitter = roster.findChild(QSplitter)
    sizes = splitter.sizes()
    splitter.setSizes([sum(sizes) - 500, 500])  # the panel dragged wider, as staff do to read a file
    QApplication.processEvents()
    heading = roster.detail.document().find("培训记录")
    bar = roster.detail.verticalScrollBar()
    bar.setValue(bar.value() + roster.detail.cursorRect(heading).top() - 6)  # scrolled so that 培训记录 shows
    save(window, "roster-training", (1280, 760))
    splitter.setSizes(sizes)

    with ctx.db.session(write=False) as session:
        menu = cat_svc.list_menu(session, actor)
    clinic = next(m for m in menu if m.required_training)
    item_form = MenuItemDialog(ctx, clinic, parent=window)
    save(item_form, "menu-item-form")  # its natural size, as it opens
    item_form.close()


def schedule_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 活动排班 tab: the activity list, its dialogs (new, recurring, festival, 排班 with suggestions,
    a refusal and a warning, cancelling), the roster printout, and the calendar by month and by week."""
    from datetime import date, time, timedelta

    from station_app.reports.activity_roster import activity_roster
    from station_app.services import activities as act_svc
    from station_app.services import assignments as assign_svc
    from station_app.services import catalogue as cat_svc
    from station_app.services import training as training_svc
    from station_app.services import volunteers as vol_svc
    from station_app.ui.qt import QTime
    from station_app.ui.schedule.activities import CancelDialog
    from station_app.ui.schedule.activity_dialog import ActivityDialog
    from station_app.ui.schedule.assign_dialog import AssignDialog, OverrideDialog
    from station_app.ui.schedule.festival_dialog import FestivalDialog
    from station_app.ui.schedule.series_dialog import SeriesDialog

    actor = ctx.actor
    today = date.today()
    schedule = window.schedule
    page = schedule.activities
    window.tabs.setCurrentWidget(schedule)
    schedule.show_page(page)

    with ctx.db.session(write=False) as session:
        upcoming = act_svc.list_activities(session, actor, act_svc.ActivityFilter(start=today))
        menu = cat_svc.list_menu(session, actor)
        groups = cat_svc.list_key_groups(session, actor)
    clinic_item = next(m for m in menu if m.required_training)
    # The next 健康义诊 (it needs 岗前培训), already partly staffed.
    clinic = next(r for r in upcoming if r.service_item == clinic_item.name and r.status == "planned")
    patrols = [r for r in upcoming if r.series_id is not None and r.service_item != clinic_item.name]
    page.select_activity(clinic.id)
    save(window, "schedule-activities", (1280, 760))

    form = ActivityDialog(ctx, parent=window)
    form.select_item(clinic_item.name)  # brings its category, skills and 上岗要求 (须参加过岗前培训)
    form.title.setText("健康义诊·冬季加场")
    form.place.setText("康华花园会所一楼")
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 + 14)
    form.set_day(saturday)
    form.ends.setTime(QTime(12, 0))
    form.shift_table.set_row(0, label="上午一班", end=time(10, 30), capacity=3)
    form.shift_table.add_row("上午二班", time(10, 30), time(12, 0), 3)
    form.lead.setText("林嘉欣")
    hospital = next((i for i in range(form.partner_team.count()) if "医" in form.partner_team.itemText(i)), 0)
    form.partner_team.setCurrentIndex(hospital)
    form.description.setPlainText("测血压、测血糖、用药咨询；志愿者须参加过岗前培训。")
    save(form, "activity-form", (1100, 680))
    form.close()

    series = SeriesDialog(ctx, parent=window)
    patrol_item = next((m for m in menu if m.name == "社区巡逻"), None)
    if patrol_item is not None:
        series.select_item(patrol_item.name)
    series.title.setText("周三晚间楼道安全巡查")
    series.place.setText("小区东门集合")
    series.lead.setText("梁志华")
    wednesday = today + timedelta(days=(2 - today.weekday()) % 7 or 7)
    series.set_day(wednesday)
    series.starts.setTime(QTime(19, 30))
    series.ends.setTime(QTime(21, 0))
    series.set_rule(weekly=True, weekdays=(2,), last_date=wednesday + timedelta(weeks=11))
    save(series, "series-form", (1100, 800))
    series.close()

    elderly = next((g.id for g in groups if g.name == "空巢老人"), None)
    festival = FestivalDialog(ctx, window, festival="spring_festival", key_group_id=elderly)
    save(festival, "festival-form")  # its natural size, as it opens
    festival.close()

    # 排班 for the 健康义诊: the suggestions with their reasons, a selected one ready to assign.
    assign = AssignDialog(ctx, clinic.id, window)
    if assign.suggestions:
        assign.suggestion_table.selectRow(0)
    save(assign, "assign-dialog", (1180, 720))

    # An untrained volunteer put on it anyway (as with 按姓名/编号查找): refused, with the reason.
    shift_id = assign.current_shift_id()
    with ctx.db.session(write=False) as session:
        registered = vol_svc.roster_ids(session, actor, vol_svc.RosterFilter(status=vol_svc.Status.REGISTERED),
                                        sort="name")
        trained = training_svc.trained_volunteer_ids(session, actor.station_id, clinic_item.required_training,
                                                     registered)
        untrained = next(vid for vid in registered if vid not in trained
                         and any(p.code == "missing_training"
                                 for p in assign_svc.check_assignment(session, actor, shift_id, vid)))
    assign.assign(untrained, "member")
    save(assign, "assign-refused", (1180, 720))
    assign.close()

    # A warning that can be overridden with a reason: someone not free at that time on an unstaffed patrol.
    later = next(r for r in reversed(patrols) if r.assigned == 0)
    with ctx.db.session(write=False) as session:
        patrol = act_svc.get_activity(session, actor, later.id)
        soft: list = []
        for vid in registered:
            problems = assign_svc.check_assignment(session, actor, patrol.shifts[0].id, vid)
            if problems and not any(p.hard for p in problems):
                soft = problems
                break
    override = OverrideDialog(soft, window)
    override.reason.setPlainText("本人电话确认，这周三晚上可以来。")
    save(override, "assign-override")  # its natural size, as it opens
    override.close()

    cancel = CancelDialog("取消活动", f"取消活动“{later.title}”：请填写原因。排好的志愿者会一并取消，对接的需求退回“待对接”。",
                          True, window)
    cancel.reason.setPlainText("小区消防设施检修，当晚暂停巡逻。")
    save(cancel, "activity-cancel")  # its natural size, as it opens
    cancel.close()

    with ctx.db.session(write=False) as session:
        data = act_svc.roster_data(session, actor, clinic.id)
    with tempfile.TemporaryDirectory(prefix="station-roster-") as tmp:
        pdf = Path(tmp) / "roster.pdf"
        activity_roster(data, pdf)
        pdf_to_png(pdf, "schedule-roster")

    calendar = schedule.calendar
    schedule.show_page(calendar)
    calendar.view.set_mode("month")
    calendar.view.go_to(today)
    save(window, "schedule-calendar-month", (1280, 760))
    calendar.view.set_mode("week")
    save(window, "schedule-calendar-week", (1280, 760))


def hours_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 时长录入 tab: an activity's hour sheet, a single record (业主互助), the ledger with a correction being
    asked for (as the 录入员 does) and a record's history, and 待审批 as the 站长 sees it.

    Nothing is saved: forms are filled in and dialogs shown, never accepted, so the demo stays as it was.
    """
    from datetime import date, timedelta

    from station_app.services import catalogue as cat_svc
    from station_app.services import ledger as ledger_svc
    from station_app.services import recipients as rec_svc
    from station_app.services import teams as teams_svc
    from station_app.services import volunteers as vol_svc
    from station_app.services.auth import authenticate
    from station_app.services.demo import DEMO_CLERK, DEMO_PASSWORD
    from station_app.ui.common import AppContext
    from station_app.ui.hours.ledger import CorrectionDialog, HistoryDialog
    from station_app.ui.qt import QDate, QTime

    actor = ctx.actor
    tab = window.hours
    window.tabs.setCurrentWidget(tab)

    # 活动时长登记: an activity whose hours are not entered yet, being marked (one late, one absent); when the demo
    # has entered them all, the latest sheet with someone absent (open to 补登) and someone late (in the ledger).
    page = tab.activity
    tab.show_page(page)
    with ctx.db.session(write=False) as session:
        finished = ledger_svc.finished_activities(session, actor)
        sheets = {a.id: ledger_svc.activity_entry_sheet(session, actor, a.id) for a in finished}

    def absent_and_late(sheet: ledger_svc.EntrySheet) -> bool:
        absent = any(r.recorded is None and r.assignment_id is not None for r in sheet.rows)
        late = any(r.recorded is not None and r.recorded.attendance == "late" for r in sheet.rows)
        return absent and late

    fresh = next((a for a in finished if not a.entered and len(sheets[a.id].rows) >= 3), None)
    chosen = fresh or next((a for a in finished if absent_and_late(sheets[a.id])), finished[0])
    page.select_activity(chosen.id)
    if fresh is not None:
        rows = page.entries.open_rows()
        late, absent = rows[1], rows[-1]
        late.attendance.setCurrentIndex(late.attendance.findData("late"))
        late.starts.setTime(late.starts.time().addSecs(20 * 60))
        late.note.setText("迟到 20 分钟，按实到时间计")
        absent.attendance.setCurrentIndex(absent.attendance.findData("absent"))
        page.note.setText("按排班签到表登记")
    save(window, "hours-activity", (1280, 760))

    # 单条记录: an owner volunteer's visit to an elderly neighbour yesterday morning (业主互助).
    single = tab.single
    tab.show_page(single)
    with ctx.db.session(write=False) as session:
        owners = next((t.id for t in teams_svc.list_teams(session, actor) if t.name == "业主志愿服务队"), None)
        ids = vol_svc.roster_ids(session, actor, vol_svc.RosterFilter(status=vol_svc.Status.REGISTERED,
                                                                      team_id=owners), sort="name")
        person = vol_svc.roster_rows(session, actor, ids[:1])[ids[0]]
        visit = next(m for m in cat_svc.list_menu(session, actor) if m.name == "敬老助老陪伴")
        elderly = next((g.id for g in cat_svc.list_key_groups(session, actor) if g.name == "空巢老人"), None)
        neighbour = rec_svc.list_recipients(session, actor, key_group_id=elderly)[0]
    single.set_volunteer(person.id, f"{person.name}　{person.volunteer_no}")
    single.item.setCurrentIndex(single.item.findData(visit.id))
    single.place.setText("康华花园 3 栋 2 单元 502")
    single.served.setCurrentIndex(max(0, single.served.findText(neighbour.name)))
    yesterday = date.today() - timedelta(days=1)
    single.day.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    single.starts.setTime(QTime(9, 30))
    single.ends.setTime(QTime(11, 0))
    single.evaluation.setCurrentIndex(single.evaluation.findData("excellent"))
    single.evaluation_note.setText("陪老人聊天、读报，顺手整理了药盒")
    single.organiser.setText("康华花园业主志愿服务队")
    save(window, "hours-single", (1280, 760))

    # 记录与更正: the last 30 days, the record with a correction waiting selected; an approved correction's history.
    ledger = tab.ledger
    tab.show_page(ledger)
    waiting = next((r for r in ledger.rows if r.line.has_pending_correction), None)
    if waiting is not None:
        ledger.select_record(waiting.line.record_id)
    save(window, "hours-ledger", (1280, 760))
    with ctx.db.session(write=False) as session:
        rows = ledger_svc.ledger_rows(session, actor)
    corrected = next((r for r in rows if r.line.status == "counted" and not r.line.has_pending_correction
                      and any(c.status == "approved" for c in r.line.corrections)), None)
    if corrected is not None:
        history = HistoryDialog(ctx, corrected.line.record_id, window)
        save(history, "hours-history", (1100, 300))
        history.close()

    # 申请更正, as the 录入员 sees it: an activity record where the volunteer left half an hour early.
    with ctx.db.session() as session:
        clerk = AppContext(ctx.db, authenticate(session, DEMO_CLERK, DEMO_PASSWORD), ctx.station_name)
    early = next(r for r in rows if r.line.activity_id and r.line.status == "counted" and not r.line.corrections
                 and r.line.attendance == "present" and r.line.minutes >= 90)
    correction = CorrectionDialog(clerk, early, window)
    correction.ends.setTime(correction.ends.time().addSecs(-30 * 60))
    correction.reason.setPlainText("核对排班签到表：签退时间比活动结束早半小时，按实际时间更正。")
    save(correction, "hours-correction")  # its natural size, as it opens
    correction.close()

    pending = tab.pending
    tab.show_page(pending)
    save(window, "hours-pending", (1280, 760))


def awards_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 星级与嘉许 tab: the overview, 新达星级 with two ticked, 待复核, the honours and the 授予嘉许 dialog."""
    from station_app.ui.awards.honours import HonourDialog

    tab = window.awards
    window.tabs.setCurrentWidget(tab)
    tab.show_page(tab.overview)
    save(window, "awards-overview", (1280, 760))

    eligible = tab.eligible
    tab.show_page(eligible)
    for row in eligible.rows[:2]:
        eligible.check(row.name)
    save(window, "awards-eligible", (1280, 760))

    review = tab.review
    tab.show_page(review)
    if review.rows:
        review.table.selectRow(0)
    save(window, "awards-review", (1280, 760))

    honours = tab.honours
    tab.show_page(honours)
    save(window, "awards-honours", (1280, 760))

    # 授予嘉许: this year's 年度优秀志愿者 for a volunteer who has just reached a new star level.
    dialog = HonourDialog(ctx, window)
    dialog.choose_title("年度优秀志愿者")
    name = eligible.rows[0].name if eligible.rows else ""
    dialog.search.setText(name[:1])  # the surname: the list shows everyone it fits
    dialog.load_targets()
    dialog.choose_target(name)
    dialog.issuer.setText("仁厚社区居民委员会")
    dialog.citation.setPlainText("一年来坚持每周上门陪伴小区的独居老人，风雨无阻；还带动邻居一起参加志愿服务。")
    save(dialog, "awards-honour-dialog")  # its natural size, as it opens
    dialog.close()


def timebank_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 回馈 tab: an account with its redemptions, the 兑换 dialog, the station's 兑换台账 (a reversal among them)
    and a receipt. The dialog is shown, never accepted."""
    from collections import Counter
    from datetime import date

    from station_app.reports.receipt import write_receipt
    from station_app.services import timebank as bank_svc
    from station_app.ui.timebank.dialogs import RedeemDialog

    actor = ctx.actor
    tab = window.timebank
    window.tabs.setCurrentWidget(tab)
    with ctx.db.session(write=False) as session:
        entries = bank_svc.station_ledger(session, actor, date(2000, 1, 1), date.today()).entries
        items = bank_svc.redeemable_items(session, actor)
    # The volunteer who redeemed most (a reversal shows on 兑换台账), so that the balance is below the hours earned.
    redeemed = Counter(e.volunteer_id for e in entries if e.kind == "redeem" and not e.reversed_by_receipt_no)
    shown = next(e for e in entries if e.volunteer_id == max(redeemed, key=lambda vid: (redeemed[vid], -vid)))

    account = tab.account
    tab.show_page(account)
    account.search.setText(shown.volunteer_name[:1])  # the surname, as staff type it
    account.select_volunteer(shown.volunteer_id)
    account.history.selectRow(0)
    save(window, "bank-account", (1280, 760))

    redeem = RedeemDialog(ctx, account.account, items, window)
    haircut = next((i for i in items if i.label.startswith("理发")), items[0])
    redeem.item.setCurrentIndex(redeem.item.findData(haircut.id))
    redeem.quantity.setValue(2)
    redeem.provider.setText("康华理发店")
    redeem.note.setText("本人和母亲各理发一次")
    save(redeem, "bank-redeem")  # its natural size, as it opens
    redeem.close()

    tab.show_page(tab.ledger)
    save(window, "bank-ledger", (1280, 760))

    plain = next(e for e in reversed(entries) if e.kind == "redeem" and not e.reversed_by_receipt_no)
    with ctx.db.session(write=False) as session:
        data = bank_svc.receipt(session, actor, plain.id)
    with tempfile.TemporaryDirectory(prefix="station-receipt-") as tmp:
        pdf = Path(tmp) / "receipt.pdf"
        write_receipt(data, pdf)
        pdf_to_png(pdf, "bank-receipt", dpi=90)  # A5: a little larger, to read


def ledger_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """The 台账与打印 tab (a volunteer with stars, honours and training; last month with its checkpoint, and its PDF;
    党团服务) and 系统 → 校验台账 with a checkpoint typed in from the printed monthly ledger."""
    from datetime import date

    from station_app.reports.ledger_pdf import write_pdf
    from station_app.services import chain, ledger_views
    from station_app.services import stars as stars_svc
    from station_app.ui.ledger.verify_dialog import VerifyDialog
    from station_app.ui.qt import Qt

    actor = ctx.actor
    tab = window.ledger
    window.tabs.setCurrentWidget(tab)

    # The volunteer whose file has the most in it: star awards, honours and training.
    with ctx.db.session(write=False) as session:
        starred = [r.volunteer_id for r in stars_svc.star_overview(session, actor).rows if r.level]
        files = [ledger_views.volunteer_ledger(session, actor, vid) for vid in starred]
    full = [f for f in files if f.awards and f.honours and f.training.rows] or files
    person = max(full, key=lambda f: (len(f.awards) + len(f.honours) + len(f.training.rows), -f.volunteer.id))
    page = tab.volunteer
    tab.show_page(page)
    page.search.setText(person.volunteer.name[:1])  # the surname, as staff type it
    for n in range(page.results.count()):
        if page.results.item(n).data(Qt.ItemDataRole.UserRole) == person.volunteer.id:
            page.results.setCurrentRow(n)
    page.shown.parentWidget().setSizes([230, 1010])  # the search list dragged narrower, to read the ledger
    page.shown.splitter.setSizes([560, 450])
    side = page.shown.side
    side.setCurrentIndex(next((n for n in range(side.count()) if side.tabText(n) == "星级认定"), 0))
    save(window, "ledger-volunteer", (1280, 760))

    today = date.today()
    last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    month = tab.month
    tab.show_page(month)
    month.set_month(*last_month)
    month.shown.splitter.setSizes([880, 370])  # the records wider than the totals beside them
    save(window, "ledger-month", (1280, 760))
    with tempfile.TemporaryDirectory(prefix="station-month-") as tmp:
        pdf = Path(tmp) / "month.pdf"
        write_pdf(month.document, pdf)
        pdf_to_png(pdf, "ledger-month-pdf", last_page=True)

    party = tab.party
    tab.show_page(party)
    party.load()
    party.shown.splitter.setSizes([930, 320])  # the party members' table wide enough for its hours
    save(window, "ledger-party", (1280, 760))

    # 校验台账, with the checkpoint copied from the foot of the printed monthly ledger typed in.
    with ctx.db.session(write=False) as session:
        checkpoint = chain.latest_checkpoint(session, actor.station_id)
    verify = VerifyDialog(ctx, window)
    if checkpoint is not None:
        verify.extra.setPlainText(f"{checkpoint.count} {chain.grouped(checkpoint.head_hash)}")
        verify.verify()
    save(verify, "verify", (720, 520))
    verify.close()


def printing_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """证书打印 (two unprinted star certificates previewed, a 志愿服务记录证明 made, 打印记录 with a reprint), the
    certificate, record certificate and honour-roll PDFs, 文书模板与印章, and 校验证书 with a genuine and a changed
    QR payload. Making the record certificate issues its number in this throwaway demo database."""
    from datetime import date

    from sqlalchemy import select

    from station_app.models import CertificateIssue
    from station_app.reports.batch import render
    from station_app.services import certificates as certs
    from station_app.services import ledger_views
    from station_app.services.demo import DEMO_PASSWORD
    from station_app.services.hours import counted_minutes
    from station_app.ui.printing import signing
    from station_app.ui.printing.templates_dialog import TemplatesDialog
    from station_app.ui.printing.verify_dialog import VerifyCertificateDialog
    from station_app.ui.qt import QSplitter
    from station_app.ui.rows_model import select_ids

    actor = ctx.actor
    today = date.today()
    tab = window.ledger
    window.tabs.setCurrentWidget(tab)
    page = tab.printing
    tab.show_page(page)
    splitter = page.findChild(QSplitter)
    splitter.setSizes([640, 610])  # the list dragged wider, so that its 证书编号 and 打印 columns show

    # The signing key is opened with the 站长's password once per session: the password box answered here.
    asked = signing.PasswordDialog.__dict__["ask"]
    signing.PasswordDialog.ask = staticmethod(lambda _parent, _text: DEMO_PASSWORD)
    try:
        # 星级志愿者证书: the latest round's awards, not yet printed; two of them previewed.
        page.show_kind(page.STAR)
        stars = page.stars
        stars.refresh()
        select_ids(stars.table, [r.award_id for r in stars.model.rows[:2]])
        page.make_preview()
        save(window, "print-stars", (1280, 760))
        star_pdf = page.preview.path
        if star_pdf is not None:
            pdf_to_png(star_pdf, "print-star-pdf", dpi=80)

        # 志愿服务记录证明: this year's third busiest volunteer (the demo made certificates for the first two).
        with ctx.db.session(write=False) as session:
            before = counted_minutes(session, actor.station_id, until=date(today.year - 1, 12, 31))
            now = counted_minutes(session, actor.station_id, until=today)
            this_year = sorted(((now[v] - before.get(v, 0), v) for v in now), key=lambda item: (-item[0], item[1]))
            volunteer_id = this_year[min(2, len(this_year) - 1)][1]
            name = ledger_views.volunteer_ledger(session, actor, volunteer_id).volunteer.name
        page.show_kind(page.RECORD)
        splitter.setSizes([420, 830])  # a short list here: the certificate wider
        page.record.choose(volunteer_id, name)
        page.make_preview()
        save(window, "print-record", (1280, 760))
        record_pdf = page.preview.path
        if record_pdf is not None:
            pdf_to_png(record_pdf, "print-record-pdf")

        # 打印记录（补打）: the star certificate the demo already printed twice, previewed for a third print.
        page.show_kind(page.ISSUES)
        splitter.setSizes([640, 610])
        issues = page.issues
        issues.refresh()
        reprinted = next((r for r in issues.model.rows if r.copy > 1), None)
        if reprinted is not None:
            select_ids(issues.table, [reprinted.issue_id])
            page.make_preview()
        issues.table.scrollToTop()  # the newest prints, the record certificate just made first
        save(window, "print-issues", (1280, 760))
    finally:
        signing.PasswordDialog.ask = asked

    # 光荣榜 of last year (A3): its honours and star awards.
    with ctx.db.session(write=False) as session:
        roll = certs.honour_roll(session, actor, today.year - 1)
    with tempfile.TemporaryDirectory(prefix="station-roll-") as tmp:
        pdf = Path(tmp) / "roll.pdf"
        render([(roll.file_stem, roll.document)], pdf, one_file=True)
        pdf_to_png(pdf, "print-roll-pdf", dpi=50)

    templates = TemplatesDialog(ctx, window)
    save(templates, "print-templates")  # its natural size, as it opens
    templates.close()

    # 校验证书: a star certificate's QR text as the scanner types it; then the same with the hours changed.
    with ctx.db.session(write=False) as session:
        payload = session.scalars(select(CertificateIssue.payload).where(CertificateIssue.kind == certs.STAR)
                                  .order_by(CertificateIssue.id)).first()
    verify = VerifyCertificateDialog(ctx, window)
    verify.payload.setPlainText(payload)
    verify.check()
    save(verify, "verify-certificate-valid", (640, 520))
    parts = payload.split("|")
    minutes = 3 + certs.PAYLOAD_FIELDS[certs.STAR].index("minutes")
    value = int(parts[minutes])
    parts[minutes] = str(value + 600 if value // 600 % 10 != 9 else value - 600)  # the hours' tens digit changed
    verify.payload.setPlainText("|".join(parts))
    verify.check()
    save(verify, "verify-certificate-invalid", (640, 520))
    verify.close()


def excel_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """从Excel导入: a roster sheet as a station keeps it (a title row, ID numbers Excel has cut short, a person
    already on file, full-width digits) previewed with a row's reasons shown; and the roster tab's Excel buttons."""
    import tempfile

    from openpyxl import Workbook
    from sqlalchemy import select
    from stdnum.cn import ric

    from station_app.models import Volunteer
    from station_app.services import roster_import
    from station_app.ui.roster.import_dialog import RosterImportDialog

    def person(birth: str, seq: str) -> str:
        body = f"442000{birth}{seq}"
        return body + ric.calc_check_digit(body + "?")

    with ctx.db.session(write=False) as session:
        on_file = session.execute(select(Volunteer.name, Volunteer.id_number).limit(1)).one()
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["康华花园业主志愿服务队花名册（2026年3月）"])
    ws.merge_cells("A1:H1")
    ws.append(["序号", "姓名", "身份证号码", "联系电话", "政治面貌", "楼栋", "特长", "登记日期"])
    rows = [
        ("黄志强", person("19750312", "135"), "13902281234", "中共党员", "3栋", "水电维修", "2026-3-5"),
        ("何丽娟", person("19820527", "246").translate(str.maketrans("0123456789", "０１２３４５６７８９")),
         "13826053311", "群众", "3栋", "唱歌、舞蹈", "2026/03/05"),
        ("梁伟明", float(person("19680802", "159")), "13500112233", "群众", "5栋", "", "2026年3月5日"),
        ("罗小燕", "4.4200019900101E+17", "13711226655", "共青团员", "5栋", "", 46086),
        (on_file.name, on_file.id_number, "13800000000", "群众", "1栋", "", "20260305"),
        ("吴志伟", person("19910101", "171").lower(), 76088123456, "群众", "6栋", "急救", "2026-03-05"),
        ("郭秀兰", "442000550101123", "13612345678", "无党派", "6栋", "", "2026-03-05"),
    ]
    for n, row in enumerate(rows, start=1):
        ws.append([n, *row])
    path = Path(tempfile.mkdtemp(prefix="station-excel-")) / "业主志愿服务队花名册.xlsx"
    wb.save(path)
    with ctx.db.session(write=False) as session:
        preview = roster_import.preview(session, ctx.actor, path)
    dialog = RosterImportDialog(ctx, preview, window)
    dialog.table.selectRow(next(n for n, r in enumerate(preview.rows) if r.verdict == roster_import.Verdict.ERROR))
    save(dialog, "roster-import-preview", (1000, 620))
    dialog.close()

    window.tabs.setCurrentWidget(window.roster)
    save(window, "roster-excel-buttons", (1280, 760))


def backup_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """系统 → 备份与恢复 with a few weeks of automatic copies and a manual one, the restore confirmation
    (asked, then declined: nothing is restored), and the start-up dialog for a damaged copy of the database."""
    import shutil
    from datetime import datetime, timedelta

    from station_app.services import backup
    from station_app.ui.backup_dialog import BackupDialog, IntegrityDialog
    from station_app.ui.qt import QMessageBox

    path = backup.sqlite_file(ctx.db.url)
    now = datetime.now().replace(hour=18, minute=2, second=0, microsecond=0)
    for days in (40, 12, 5, 4, 3, 2, 1):
        backup.make_backup(path, backup.AUTO, now=now - timedelta(days=days, minutes=days * 7))
    backup.make_backup(path, backup.MANUAL, now=now - timedelta(days=1, hours=-1))
    dialog = BackupDialog(ctx, window)
    save(dialog, "backup-dialog", (980, 520))

    # 恢复所选…: the confirmation names what replaces what and where the replaced file is kept.
    asked: list[str] = []
    confirm = BackupDialog.__dict__["confirm_restore"]
    BackupDialog.confirm_restore = staticmethod(lambda _parent, text: asked.append(text) or False)
    try:
        dialog.table.selectRow(1)
        dialog.restore_selected()
    finally:
        BackupDialog.confirm_restore = confirm
    dialog.close()
    box = QMessageBox(QMessageBox.Icon.Warning, "确认恢复", asked[0], parent=window)
    box.addButton("恢复", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    save(box, "backup-confirm")
    box.close()

    # A damaged copy of the database beside its automatic backups: what the program says at start-up.
    with tempfile.TemporaryDirectory(prefix="station-damaged-") as tmp:
        damaged = Path(tmp) / "station.db"
        backup.make_backup(path, to=damaged)
        folder = backup.backup_dir_for(damaged)
        folder.mkdir()
        for info in backup.list_backups(path)[:3]:
            if info.kind == backup.AUTO:
                shutil.copyfile(info.path, folder / info.path.name.replace(path.stem + "-", "station-", 1))
        data = bytearray(damaged.read_bytes())
        data[4096 * 3: 4096 * 6] = b"\xff" * (4096 * 3)
        damaged.write_bytes(bytes(data))
        integrity = IntegrityDialog(backup.integrity_check(damaged), window)
        save(integrity, "backup-integrity", (680, integrity.sizeHint().height()))
        integrity.close()


def city_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """City-wide mode: the 全市看板 (a station short of the “六有” selected), its charts, 站点 with 新建站点 and
    管理员账号, and the 镇区看板 of the town administrator. A demo of its own, with the city part (``--city``)."""
    from station_app.db import open_database
    from station_app.services import city
    from station_app.services.auth import authenticate
    from station_app.services.demo import DEMO_PASSWORD, build_demo
    from station_app.ui.city.stations import AddStationDialog, AdminsDialog
    from station_app.ui.common import AppContext
    from station_app.ui.main_window import MainWindow

    workdir = Path(tempfile.mkdtemp(prefix="station-city-"))
    db = open_database(f"sqlite:///{workdir / 'city.db'}", backup_dir=workdir / "backups")
    build_demo(db, volunteers=300, seed=2014, city=True)
    try:
        for username in ("city", "shiqi"):
            with db.session() as session:
                actor = authenticate(session, username, DEMO_PASSWORD)
                scope = city.scope_label(session, actor)
            city_window = MainWindow(AppContext(db=db, actor=actor, station_name=scope))
            dash = city_window.dashboard
            if username == "shiqi":
                save(city_window, "town-dashboard", (1280, 760))
                city_window.close()
                continue
            codes = [s.code for s in dash.dash.stations]
            dash.stations.selectRow(codes.index("DQ0201") if "DQ0201" in codes else 0)
            save(city_window, "city-dashboard", (1280, 760))
            dash.pages.setCurrentIndex(1)
            save(city_window, "city-charts", (1280, 760))
            dash.pages.setCurrentIndex(0)

            page = city_window.stations_page
            city_window.tabs.setCurrentWidget(page)
            save(city_window, "city-stations", (1280, 760))
            add = AddStationDialog(city_window.ctx, city_window)
            add.town.setCurrentText("东区街道")
            add.community.setText("岐关社区")
            add.station_name.setText("岐关花园物业志愿服务站")
            add.station_code.setText("DQ0204")
            add.address.setText("中山市东区岐关西路8号岐关花园管理处")
            add.contact.setText("梁志坚")
            add.phone.setText("0760-88567890")
            add.admin_username.setText("qiguan")
            add.admin_name.setText("梁志坚")
            save(add, "city-add-station")  # its natural size, as it opens; shown, never accepted
            add.close()
            admins = AdminsDialog(city_window.ctx, city_window)
            save(admins, "city-admins", (620, 300))
            admins.close()
            city_window.close()
    finally:
        db.dispose()


def transfer_screenshots(ctx, window, save) -> None:  # noqa: ANN001 - AppContext, MainWindow, the save helper
    """转移包: the roster's 导出转移包 dialog; a package from an unknown station (the trust dialog with its
    fingerprint, then the preview with a differing field); and the file of the demo's moved-in volunteer."""
    import tempfile
    from datetime import date

    from sqlalchemy import select

    from station_app.db import open_database
    from station_app.models import TransferredHistory, Volunteer
    from station_app.services import packages as pkg
    from station_app.services.demo import DEMO_PASSWORD
    from station_app.services.demo_transfer import _origin_package
    from station_app.ui.qt import QTextBrowser
    from station_app.ui.roster.detail import detail_html, load_detail
    from station_app.ui.transfer.export_dialog import ExportDialog
    from station_app.ui.transfer.import_flow import PreviewDialog, TrustDialog

    roster = window.roster
    window.tabs.setCurrentWidget(roster)
    roster.search.setText("")
    roster.apply_filter()
    with ctx.db.session(write=False) as session:
        moved = session.scalar(select(TransferredHistory.volunteer_id).limit(1))
        name = session.get(Volunteer, moved).name
    roster.select_volunteer(moved)
    listed = [roster.model.volunteer_id(r) for r in range(roster.model.rowCount())]
    export = ExportDialog(ctx, (moved, name), listed, window)
    save(export, "transfer-export")
    export.close()
    save(window, "transfer-roster", (1280, 760))
    with ctx.db.session(write=False) as session:  # the volunteer's whole file, as the detail panel scrolls it
        file_html = detail_html(*load_detail(session, ctx.actor, moved))
    panel = QTextBrowser()
    panel.setHtml(file_html)
    save(panel, "transfer-detail", (460, 900))
    panel.close()

    with tempfile.TemporaryDirectory() as scratch, ctx.db.session(write=False) as session:
        person = session.scalars(select(Volunteer).where(
            Volunteer.station_id == ctx.actor.station_id, Volunteer.status == "registered", Volunteer.id != moved,
            Volunteer.registered_on.is_not(None)).order_by(Volunteer.registered_on.desc()).limit(1)).one()
        origin = open_database(f"sqlite:///{Path(scratch) / 'origin.db'}")
        try:
            path = _origin_package(origin, person, "13926081234", date.today(), DEMO_PASSWORD, Path(scratch),
                                   code="SQ0203", name="阳光花园物业志愿服务站")
        finally:
            origin.dispose()
        info = pkg.open_package(path)
        trust = TrustDialog(info, True, window)
        save(trust, "transfer-trust")
        trust.close()
        pkg.trust_key(session, ctx.actor, info)  # in a unit of work that is rolled back: shown, not kept
        preview = PreviewDialog(pkg.preview(session, ctx.actor, info), window)
        save(preview, "transfer-preview", (900, 560))
        preview.close()


if __name__ == "__main__":
    sys.exit(main())
