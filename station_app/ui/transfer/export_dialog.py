"""导出转移包…: the selected volunteer, the volunteers listed on the roster, or (administrators) the whole station."""

from __future__ import annotations

from pathlib import Path

from ...i18n import _
from ...services import chain
from ...services import packages as pkg
from ..common import AppContext, dialog_buttons, run_service
from ..printing.signing import signing_key
from ..printing.worker import run_with_progress
from ..qt import QButtonGroup, QDialog, QFileDialog, QLabel, QMessageBox, QRadioButton, QVBoxLayout, QWidget

SELECTED, LISTED, STATION = "selected", "listed", "station"


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """The closing message (tests replace it)."""
    QMessageBox.information(parent, title, text)


class ExportDialog(QDialog):
    """Which volunteers go into the package."""

    def __init__(self, ctx: AppContext, selected: tuple[int, str] | None, listed: list[int],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("导出转移包"))
        self.setMinimumWidth(460)
        self.selected, self.listed = selected, listed
        intro = QLabel(_("转移包是一个签了本站密钥的文件（.zsvpkg），可以拷到另一个站点的电脑上导入："
                         "志愿者资料、培训、服务记录及更正、星级、嘉许和兑换记录都在里面。"))
        intro.setWordWrap(True)
        self.group = QButtonGroup(self)
        self.one = QRadioButton(_("选中的志愿者：{n}").format(n=selected[1]) if selected else _("选中的志愿者（未选择）"))
        self.one.setEnabled(selected is not None)
        self.many = QRadioButton(_("花名册当前列出的 {n} 名志愿者").format(n=len(listed)))
        self.many.setEnabled(bool(listed))
        self.station = QRadioButton(_("整个站点（全部志愿者、服务队和台账，用于上报或备用电脑）"))
        for button, key in ((self.one, SELECTED), (self.many, LISTED), (self.station, STATION)):
            self.group.addButton(button)
            button.setProperty("choice", key)
        (self.one if selected else self.many if listed else self.station).setChecked(True)
        note = QLabel(_("转移包含身份证号、电话等个人信息，请妥善保管，用完删除。"))
        note.setWordWrap(True)
        note.setStyleSheet("color:#a15c00")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for button in (self.one, self.many, self.station):
            layout.addWidget(button)
        layout.addWidget(note)
        layout.addWidget(dialog_buttons(self, _("选择保存位置…")))

    def choice(self) -> tuple[list[int], bool]:
        key = self.group.checkedButton().property("choice")
        if key == STATION:
            return [], True
        return ([self.selected[0]] if key == SELECTED and self.selected else list(self.listed)), False

    @staticmethod
    def ask(ctx: AppContext, selected: tuple[int, str] | None, listed: list[int],
            parent: QWidget | None) -> tuple[list[int], bool] | None:
        dialog = ExportDialog(ctx, selected, listed, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        answer = dialog.choice() if accepted else None
        dialog.deleteLater()
        return answer

    @staticmethod
    def ask_path(parent: QWidget | None, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, _("保存转移包"), suggested, _("转移包 (*.zsvpkg)"))
        return path or None


def export_package(parent: QWidget | None, ctx: AppContext, selected: tuple[int, str] | None,
                   listed: list[int]) -> pkg.ExportResult | None:
    """The whole export: choose who, where, open the key, write with progress, say what was written."""
    answer = ExportDialog.ask(ctx, selected, listed, parent)
    if answer is None:
        return None
    ids, whole = answer
    name = run_service(parent, ctx, lambda s: pkg.default_file_name(s, ctx.actor, ids, whole), write=False)
    if name is None:
        return None
    path = ExportDialog.ask_path(parent, str(Path.home() / name))
    if not path:
        return None
    key = signing_key(parent, ctx)
    if key is None:
        return None

    def job(progress, cancelled):  # noqa: ANN001, ANN202
        with ctx.db.session() as session:
            return pkg.export_package(session, ctx.actor, key, path, volunteer_ids=ids, whole_station=whole,
                                      progress=progress, cancelled=cancelled)

    result = run_with_progress(parent, _("正在导出转移包…"), job)
    if result is not None:
        c = result.counts
        public = run_service(parent, ctx, lambda s: chain.station_public_key(s, ctx.actor.station_id), write=False)
        inform(parent, _("导出转移包"), _(
            "已导出到：\n{f}\n\n志愿者 {v} 名，服务记录 {r} 条，星级认定 {a} 条，嘉许 {h} 条，兑换 {b} 条，培训 {t} 次。\n"
            "请把这个文件交给接收站点。对方第一次导入本站的转移包时，会打电话和您核对本站的密钥指纹：\n\n{k}").format(
            k=chain.fingerprint(public) if public else "",
            f=result.path, v=c["volunteers.jsonl"], r=c["service_records.jsonl"], a=c["star_awards.jsonl"],
            h=c["honours.jsonl"], b=c["time_bank_entries.jsonl"], t=c["training.jsonl"]))
    return result
