"""我们的节日 (§四(二)2): a festival visit for a key group, made from the festival's template in one step.

The dialog shows, before anything is saved, the day (the festival's next date), the title the
template gives, and how many recipients of the key group the visit will serve.
"""

from __future__ import annotations

from datetime import date

from ...errors import StationError
from ...i18n import _
from ...services import activities as svc
from ...services import catalogue as cat_svc
from ...services import festivals as fest
from ...services.timefmt import WEEKDAYS
from ..common import AppContext, dialog_buttons, error_label
from ..qt import QComboBox, QDialog, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget
from .activity_dialog import py_time, time_edit


class FestivalDialog(QDialog):
    """Pick a festival and a key group; the visit is created on the festival's day with the group's recipients."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None,
                 festival: str | None = None, key_group_id: int | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or date.today()
        self.saved_id: int | None = None
        self.setWindowTitle(_("我们的节日 · 节日慰问活动"))
        self.setMinimumWidth(560)
        with ctx.db.session(write=False) as session:
            groups = cat_svc.list_key_groups(session, ctx.actor)
            self._counts = {g.id: len(svc.festival_recipients(session, ctx.actor, g.id)) for g in groups}

        self.festival = QComboBox()
        for t in fest.festival_templates():
            day = fest.next_festival_date(t.festival, self.today)
            self.festival.addItem(
                _("{f}（{d} {w}）").format(f=fest.FESTIVAL_NAMES[t.festival], d=day.isoformat(), w=WEEKDAYS[day.weekday()]),
                t.festival,
            )
        self.group = QComboBox()
        for g in groups:
            self.group.addItem(_("{g}（{n} 人）").format(g=g.name, n=self._counts[g.id]), g.id)
        self.start = time_edit(fest.festival_templates()[0].start)
        self.place = QLineEdit()
        self.day_label = QLabel()
        self.title_label = QLabel(wordWrap=True)
        self.title_label.setStyleSheet("font-weight: bold;")
        self.recipients_label = QLabel(wordWrap=True)
        self.description = QLabel(wordWrap=True)
        self.description.setStyleSheet("color: #555;")
        self.error = error_label()

        form = QFormLayout()
        form.addRow(_("节日"), self.festival)
        form.addRow(_("重点对象"), self.group)
        form.addRow(_("日期"), self.day_label)
        form.addRow(_("开始时间"), self.start)
        form.addRow(_("地点"), self.place)
        form.addRow(_("活动名称"), self.title_label)
        form.addRow(_("服务对象"), self.recipients_label)
        form.addRow(_("活动内容"), self.description)
        layout = QVBoxLayout(self)
        hint = QLabel(_("按节日模板一步建好慰问活动：日期是节日当天，服务对象是这一类重点对象中所有在册的居民。"
                        "建好后可以在活动列表里修改、排班。"), wordWrap=True)
        hint.setStyleSheet("color: #555;")
        layout.addWidget(hint)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, _("创建活动")))

        if festival is not None:
            self.festival.setCurrentIndex(max(0, self.festival.findData(festival)))
        if key_group_id is not None:
            self.group.setCurrentIndex(max(0, self.group.findData(key_group_id)))
        self.festival.currentIndexChanged.connect(lambda _i: self._festival_changed())
        self.group.currentIndexChanged.connect(lambda _i: self.update_preview())
        self._festival_changed()

    def template(self) -> fest.FestivalTemplate:
        return fest.festival_template(self.festival.currentData())

    def day(self) -> date:
        return fest.next_festival_date(self.festival.currentData(), self.today)

    def _festival_changed(self) -> None:
        t = self.template()
        self.start.setTime(time_edit(t.start).time())
        self.place.setText(t.place)
        self.description.setText(t.description)
        self.update_preview()

    def update_preview(self) -> None:
        t = self.template()
        day = self.day()
        days_left = (day - self.today).days
        when = _("今天") if days_left == 0 else _("还有 {n} 天").format(n=days_left)
        self.day_label.setText(_("{d} {w}（{when}）").format(d=day.isoformat(), w=WEEKDAYS[day.weekday()], when=when))
        group_name = self.group.currentText().rsplit("（", 1)[0]
        self.title_label.setText(t.title_for(group_name))
        n = self._counts.get(self.group.currentData(), 0)
        self.recipients_label.setText(
            _("{g}共 {n} 位在册服务对象，全部纳入；需要志愿者 {v} 人，时长 {m} 分钟。").format(
                g=group_name, n=n, v=t.volunteers_needed, m=t.minutes)
            if n else _("{g}还没有在册的服务对象，请先在“服务对象与走访”登记。").format(g=group_name)
        )

    def accept(self) -> None:
        self.error.clear()
        try:
            with self.ctx.db.session() as session:
                self.saved_id = svc.create_festival_activity(
                    session, self.ctx.actor, self.festival.currentData(), self.group.currentData(),
                    today=self.today, start=py_time(self.start), place=self.place.text(),
                )
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()

    @classmethod
    def ask(cls, ctx: AppContext, parent: QWidget | None = None, *, today: date | None = None) -> int | None:
        """Open the dialog; the new activity's id, or None if cancelled."""
        dialog = cls(ctx, parent, today=today)
        return dialog.saved_id if dialog.exec() else None

