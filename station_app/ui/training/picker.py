"""Picking several volunteers at once (报名培训, and any list that takes registered volunteers).

Search as in the roster (name, pinyin initials, phone, ID-number tail, volunteer number); tick
the ones wanted; ticks survive a new search. Only 已注册 volunteers can be ticked: others who
match are listed greyed, with their status, so the user sees why they are not offered. Saving
runs the caller's ``submit`` in one unit of work; a refusal shows in the red line and changes
nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

from ...errors import StationError
from ...i18n import _
from ...services import volunteers as vol_svc
from ..common import AppContext, dialog_buttons, error_label
from ..qt import QColor, QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, Qt, QVBoxLayout, QWidget

USER = Qt.ItemDataRole.UserRole
GREY = QColor("#888888")
Submit = Callable[[Session, list[int]], Any]


class VolunteerPickerDialog(QDialog):
    """Tick registered volunteers; ``submit(session, ids)`` saves them (its result is ``saved``)."""

    MAX_SHOWN = 60
    MAX_OTHERS = 10  # matching volunteers who may not be picked, shown greyed

    def __init__(
        self, ctx: AppContext, title: str, submit: Submit, *, ok_text: str = "", taken: Iterable[int] = (),
        taken_label: str = "", parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.submit = submit
        self.saved: Any = None
        self.taken = set(taken)  # already on the list: shown, not tickable
        self.taken_label = taken_label or _("已在名单中")
        self.chosen: dict[int, str] = {}  # id → name, kept across searches
        self.setWindowTitle(title)
        self.setMinimumSize(600, 460)
        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母、电话、身份证后四位、志愿者编号"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #555;")
        self.chosen_label = QLabel()
        self.chosen_label.setWordWrap(True)
        self.error = error_label()
        self.search.textChanged.connect(lambda _text: self.run_search())
        self.results.itemChanged.connect(self._item_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        layout.addWidget(self.chosen_label)
        layout.addWidget(self.error)
        layout.addWidget(dialog_buttons(self, ok_text or _("确定")))
        self.run_search()

    # --- the list --------------------------------------------------------------------------------
    def run_search(self) -> None:
        text = self.search.text()
        actor = self.ctx.actor
        registered = vol_svc.RosterFilter(text=text, status=vol_svc.Status.REGISTERED)
        with self.ctx.db.session(write=False) as session:
            ids = vol_svc.roster_ids(session, actor, registered, sort="name")
            shown_ids = ids[: self.MAX_SHOWN]
            others: list[int] = []
            if text.strip():
                every = vol_svc.roster_ids(session, actor, vol_svc.RosterFilter(text=text), sort="name")
                registered_set = set(ids)
                others = [i for i in every if i not in registered_set][: self.MAX_OTHERS]
            rows = vol_svc.roster_rows(session, actor, shown_ids + others)
        self.results.blockSignals(True)
        self.results.clear()
        for vid in shown_ids:
            r = rows.get(vid)
            if r is None:
                continue
            text_line = f"{r.name}　{r.volunteer_no}　{r.gender} {r.age}岁　{r.phone}" + (_("　骨干") if r.is_backbone else "")
            if r.skills:
                text_line += f"　{r.skills}"
            item = QListWidgetItem(text_line)
            item.setData(USER, vid)
            if vid in self.taken:
                item.setText(f"{text_line}　（{self.taken_label}）")
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsUserCheckable)
                item.setForeground(GREY)
            else:
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Checked if vid in self.chosen else Qt.CheckState.Unchecked)
            self.results.addItem(item)
        for vid in others:
            r = rows.get(vid)
            if r is None:
                continue
            item = QListWidgetItem(_("{n}　{no}　{s}（只有已注册的志愿者可以选）").format(
                n=r.name, no=r.volunteer_no or _("尚无编号"), s=r.status))
            item.setData(USER, vid)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled & ~Qt.ItemFlag.ItemIsUserCheckable)
            item.setForeground(GREY)
            self.results.addItem(item)
        self.results.blockSignals(False)
        if len(ids) > self.MAX_SHOWN:
            self.hint.setText(_("找到 {n} 位已注册志愿者，只显示前 {m} 位，请输入更多文字缩小范围。").format(
                n=len(ids), m=self.MAX_SHOWN))
        elif not ids:
            self.hint.setText(_("没有找到已注册的志愿者。"))
        else:
            self.hint.setText(_("找到 {n} 位已注册志愿者，请勾选。").format(n=len(ids)))
        self._show_chosen()

    def _item_changed(self, item: QListWidgetItem) -> None:
        vid = item.data(USER)
        if item.checkState() == Qt.CheckState.Checked:
            self.chosen[vid] = item.text().split("　", 1)[0]
        else:
            self.chosen.pop(vid, None)
        self._show_chosen()

    def _show_chosen(self) -> None:
        if not self.chosen:
            self.chosen_label.setText(_("尚未选择。"))
        else:
            self.chosen_label.setText(_("已选 {n} 人：{names}").format(n=len(self.chosen), names="、".join(self.chosen.values())))

    def tick(self, volunteer_id: int, checked: bool = True) -> bool:
        """Tick a listed volunteer (as a click on the box would); False if not listed or not tickable."""
        for i in range(self.results.count()):
            item = self.results.item(i)
            if item.data(USER) == volunteer_id and item.flags() & Qt.ItemFlag.ItemIsEnabled:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return True
        return False

    def listed(self) -> dict[int, bool]:
        """Volunteer id → whether it can be ticked, for what the list shows now."""
        return {
            self.results.item(i).data(USER): bool(self.results.item(i).flags() & Qt.ItemFlag.ItemIsEnabled)
            for i in range(self.results.count())
        }

    def chosen_ids(self) -> list[int]:
        return list(self.chosen)

    # --- saving ------------------------------------------------------------------------------------
    def accept(self) -> None:
        self.error.clear()
        ids = self.chosen_ids()
        if not ids:
            self.error.setText(_("请先勾选至少一位志愿者。"))
            return
        try:
            with self.ctx.db.session() as session:
                self.saved = self.submit(session, ids)
        except StationError as exc:
            self.error.setText(exc.message)
            return
        super().accept()

    @classmethod
    def ask(
        cls, ctx: AppContext, title: str, submit: Submit, *, ok_text: str = "", taken: Iterable[int] = (),
        taken_label: str = "", parent: QWidget | None = None,
    ) -> Any:  # noqa: ANN401 - what submit returned, or None when cancelled
        dialog = cls(ctx, title, submit, ok_text=ok_text, taken=taken, taken_label=taken_label, parent=parent)
        return dialog.saved if dialog.exec() else None
