"""The 活动排班 tab: the activity list (with its dialogs) and a week / month calendar of activities
and training sessions, festivals marked (§三.3–4, §四(二)2)."""

from __future__ import annotations

from datetime import date
from html import escape

from ...i18n import _
from ...services import activities as svc
from ...services import training as training_svc
from ..common import AppContext, PagedTab, run_service
from ..qt import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from .activities import ActivitiesPage, DetailDialog, detail_html
from .calendar import CalendarEntry, CalendarView


def load_entries(ctx: AppContext, start: date, end: date) -> list[CalendarEntry]:
    """The calendar's loader: the service's plain items as the view's entries."""
    with ctx.db.session(write=False) as session:
        items = svc.calendar_entries(session, ctx.actor, start, end)
    return [CalendarEntry(i.kind, i.id, i.title, i.starts_at, i.ends_at, i.status, i.status_label, i.detail)
            for i in items]


class CalendarPage(QWidget):
    """日历: double-click an activity to open it, a training to see it, an empty day to schedule on it."""

    def __init__(self, ctx: AppContext, activities: ActivitiesPage, parent: QWidget | None = None, *,
                 today: date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.activities = activities
        self.view = CalendarView(lambda start, end: load_entries(ctx, start, end), today=today)
        self.view.entry_activated.connect(self.open_entry)
        self.view.day_activated.connect(self.new_on_day)
        self.add_button = QPushButton(_("新建活动"))
        self.add_button.setEnabled(activities.can_edit)
        self.add_button.clicked.connect(lambda: self.new_on_day(None))
        hint = QLabel(_("双击活动打开它；双击某一天的空白处，在那一天新建活动。红字为传统节日，青字为学雷锋日、国际志愿者日等志愿服务纪念日。"))
        hint.setStyleSheet("color: #555;")
        bar = QHBoxLayout()
        bar.addWidget(hint, 1)
        bar.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)

    def refresh(self) -> None:
        self.view.refresh()

    def open_entry(self, kind: str, entry_id: int) -> None:
        if kind == "training":
            self.show_training(entry_id)
            return
        detail = run_service(self, self.ctx, lambda s: svc.get_activity(s, self.ctx.actor, entry_id), write=False)
        if detail is None:
            return
        if detail.status in svc.EDITABLE and self.activities.can_edit:
            self.activities.edit_activity(entry_id)
        else:
            DetailDialog.show_html(self, detail.title, detail_html(detail))
        self.view.refresh()

    def show_training(self, session_id: int) -> None:
        d = run_service(self, self.ctx, lambda s: training_svc.get_session(s, self.ctx.actor, session_id), write=False)
        if d is None:
            return
        r = d.row
        lines = [
            f"<b style='font-size:14px'>{escape(r.topic)}</b>　{r.kind_label} · <b>{r.status_label}</b>",
            _("时间：{w}　地点：{p}").format(w=escape(r.when), p=escape(r.place)),
            _("讲师：{t}　学时：{h}").format(t=escape(r.trainer), h=r.credit_text),
            _("报名 {e} / 名额 {c} 人，已签到 {a} 人").format(e=r.enrolled, c=r.capacity, a=r.attended),
            _("报名、签到请到“培训”页办理。"),
        ]
        DetailDialog.show_html(self, r.topic, "<br/>".join(lines))

    def new_on_day(self, day: date | None) -> None:
        if not self.activities.can_edit:
            return
        if self.activities.add_activity(day) is not None:
            self.view.refresh()


class ScheduleTab(PagedTab):
    """活动列表 and 日历, each reading fresh data when shown."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None) -> None:
        self.activities = ActivitiesPage(ctx, today=today)
        self.calendar = CalendarPage(ctx, self.activities, today=today)
        super().__init__(ctx, [(self.activities, _("活动列表")), (self.calendar, _("日历"))], parent)
