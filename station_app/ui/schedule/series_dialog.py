"""新建周期活动: the activity form plus a rule (每周 on chosen weekdays / 每月 on a day), with a
live preview of how many activities it will make."""

from __future__ import annotations

from datetime import date, timedelta

from ...errors import StationError
from ...i18n import _
from ...services import activities as svc
from ..common import AppContext
from ..demand.projects import date_edit
from ..qt import (
    QButtonGroup,
    QCheckBox,
    QDate,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QSpinBox,
    QWidget,
)
from .activity_dialog import ActivityDialog

PREVIEW_DAYS = 6  # dates listed in the preview before "…"


class SeriesDialog(ActivityDialog):
    """A recurring activity: each day of the rule gets an ordinary activity with the same times and shifts.

    The date field is the first day; every occurrence can later be edited on its own.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, day: date | None = None,
                 today: date | None = None) -> None:
        super().__init__(ctx, None, parent, day=day, today=today)
        self.setWindowTitle(_("新建周期活动"))
        self.setMinimumSize(1000, 780)
        first = self.day.date().toPython()
        self._first = first

        self.weekly = QRadioButton(_("每周"))
        self.monthly = QRadioButton(_("每月"))
        self.frequency = QButtonGroup(self)
        self.frequency.addButton(self.weekly)
        self.frequency.addButton(self.monthly)
        self.weekly.setChecked(True)
        self.interval = QSpinBox()
        self.interval.setRange(1, 52)
        self.interval.setSuffix(_(" 周一次"))
        self.weekday_boxes = [QCheckBox(name) for name in svc.WEEKDAYS]
        self.weekday_boxes[first.weekday()].setChecked(True)
        self.month_day = QSpinBox()
        self.month_day.setRange(1, 31)
        self.month_day.setValue(first.day)
        self.month_day.setPrefix(_("每月 "))
        self.month_day.setSuffix(_(" 日"))
        self.last_date = date_edit(first + timedelta(weeks=12))
        for widget in (self.interval, self.month_day, self.last_date):
            widget.setMaximumWidth(160)
        self.preview = QLabel(wordWrap=True)
        self.preview.setStyleSheet("color: #1565c0;")

        how = QHBoxLayout()
        how.addWidget(self.weekly)
        how.addWidget(self.monthly)
        how.addSpacing(12)
        how.addWidget(QLabel(_("每")))
        how.addWidget(self.interval)
        how.addStretch(1)
        days = QHBoxLayout()
        for box in self.weekday_boxes:
            days.addWidget(box)
        days.addStretch(1)
        days_widget = QWidget()
        days_widget.setLayout(days)
        days.setContentsMargins(0, 0, 0, 0)
        rule = QFormLayout()
        rule.addRow(_("重复方式"), how)
        rule.addRow(_("每周的哪几天"), days_widget)
        rule.addRow(_("每月的哪一天"), self.month_day)
        rule.addRow(_("重复到"), self.last_date)
        rule.addRow(self.preview)
        box = QGroupBox(_("重复规则（第一次在上面的日期）"))
        box.setLayout(rule)
        self.layout_.insertWidget(1, box)
        self.needs_hint_text = _("已勾选 {n} 条需求，由第一次活动对接（变为“已对接”）；各次活动都服务所选的服务对象。")
        self._count_needs()
        self.fields.update({"frequency": self.weekly, "interval": self.interval, "weekdays": self.weekday_boxes[0],
                            "month_day": self.month_day, "last_date": self.last_date})

        self.day.dateChanged.connect(lambda *_a: self._first_day_changed())
        for signal in (self.weekly.toggled, self.interval.valueChanged, self.month_day.valueChanged,
                       self.last_date.dateChanged):
            signal.connect(lambda *_a: self.update_preview())
        for box_ in self.weekday_boxes:
            box_.toggled.connect(lambda *_a: self.update_preview())
        self.update_preview()

    def _first_day_changed(self) -> None:
        """The weekday and the month day follow the first date while they still match the old one."""
        old, new = self._first, self.day.date().toPython()
        self._first = new
        ticked = [n for n, box in enumerate(self.weekday_boxes) if box.isChecked()]
        if ticked == [old.weekday()]:
            self.weekday_boxes[old.weekday()].setChecked(False)
            self.weekday_boxes[new.weekday()].setChecked(True)
        if self.month_day.value() == old.day:
            self.month_day.setValue(new.day)
        self.update_preview()

    def rule(self) -> svc.RecurrenceRule:
        weekly = self.weekly.isChecked()
        return svc.RecurrenceRule(
            frequency="weekly" if weekly else "monthly",
            first_date=self.day.date().toPython(),
            last_date=self.last_date.date().toPython(),
            interval=self.interval.value(),
            weekdays=tuple(n for n, box in enumerate(self.weekday_boxes) if box.isChecked()) if weekly else (),
            month_day=None if weekly else self.month_day.value(),
        )

    def set_rule(self, *, weekly: bool = True, weekdays: tuple[int, ...] = (), month_day: int | None = None,
                 interval: int = 1, last_date: date | None = None) -> None:
        (self.weekly if weekly else self.monthly).setChecked(True)
        for n, box in enumerate(self.weekday_boxes):
            box.setChecked(n in weekdays)
        if month_day is not None:
            self.month_day.setValue(month_day)
        self.interval.setValue(interval)
        if last_date is not None:
            self.last_date.setDate(QDate(last_date.year, last_date.month, last_date.day))

    def update_preview(self) -> None:
        weekly = self.weekly.isChecked()
        for box in self.weekday_boxes:
            box.setEnabled(weekly)
        self.month_day.setEnabled(not weekly)
        self.interval.setSuffix(_(" 周一次") if weekly else _(" 个月一次"))
        try:
            dates = svc.check_rule(self.rule())
        except StationError as exc:
            self.preview.setStyleSheet("color: #b00020;")
            self.preview.setText(exc.message)
            self.count = 0
            return
        self.count = len(dates)
        shown = "、".join(f"{d.month}月{d.day}日" for d in dates[:PREVIEW_DAYS]) + ("……" if len(dates) > PREVIEW_DAYS
                                                                               else "")
        self.preview.setStyleSheet("color: #1565c0;")
        self.preview.setText(_("将生成 {n} 次活动：{d}").format(n=len(dates), d=shown))

    def save(self, session, data: svc.ActivityInput) -> None:  # noqa: ANN001 - a Session
        self.saved_ids = svc.create_series(session, self.ctx.actor, data, self.rule())
        self.saved_id = self.saved_ids[0]

    @classmethod
    def ask(cls, ctx: AppContext, parent: QWidget | None = None, *, day: date | None = None) -> list[int] | None:  # type: ignore[override]
        """Open the dialog; the ids of the activities made, or None if cancelled."""
        dialog = cls(ctx, parent, day=day)
        return dialog.saved_ids if dialog.exec() else None
