"""从Excel导入: a roster sheet previewed row by row (新增 / 已有 / 错误 with the reasons), the good rows
imported in one go, the failed ones saved to a sheet to fix; the import template; the Excel exports.

Reading the sheet and importing run on a worker thread behind a progress dialog with 取消
(``ui/printing/worker.run_with_progress``); the services do the work (``services/roster_import``,
``services/excel_export``).
"""

from __future__ import annotations

from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ...services import excel_export
from ...services import roster_import as svc
from ...services.auth import Permission
from ..common import AppContext, show_error
from ..printing.worker import run_with_progress
from ..qt import (
    QCheckBox,
    QColor,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)
from ..rows_model import CENTER, Column, RowsModel, RowsTable

EXCEL_FILTER = _("Excel 工作簿 (*.xlsx)")
VERDICT_COLOURS = {
    svc.Verdict.NEW: QColor("#1b7f3b"),
    svc.Verdict.EXISTING: QColor("#1f5fa8"),
    svc.Verdict.ERROR: QColor("#b00020"),
    svc.Verdict.SKIPPED: QColor("#888888"),
}
VERDICT_BACKGROUNDS = {svc.Verdict.ERROR: QColor("#fdecee")}


def ask_open_path(parent: QWidget | None) -> str | None:
    """The roster file to import (tests patch this)."""
    path, _filter = QFileDialog.getOpenFileName(parent, _("选择要导入的花名册"), str(Path.home()), EXCEL_FILTER)
    return path or None


def ask_save_path(parent: QWidget | None, title: str, suggested: str) -> str | None:
    """Where to save an .xlsx (tests patch this); ``.xlsx`` is added when left off."""
    path, _filter = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), EXCEL_FILTER)
    if not path:
        return None
    return path if path.lower().endswith(".xlsx") else path + ".xlsx"


PREVIEW_COLUMNS: tuple[Column[svc.RowVerdict], ...] = (
    Column(_("行号"), lambda r: str(r.row_number), align=CENTER),
    Column(_("姓名"), lambda r: r.name),
    Column(_("身份证号"), lambda r: r.id_display),
    Column(_("结果"), lambda r: r.verdict.label, align=CENTER, foreground=lambda r: VERDICT_COLOURS[r.verdict],
           background=lambda r: VERDICT_BACKGROUNDS.get(r.verdict)),
    Column(_("原因 / 与库中的差异"), lambda r: r.reason_text, tooltip=lambda r: "\n".join(r.reasons) or None),
)


class RosterImportDialog(QDialog):
    """The preview of one sheet; 导入N条 imports the 新增 rows, 保存错误行… writes the failed ones."""

    imported = Signal(list)  # the new volunteers' ids

    def __init__(self, ctx: AppContext, preview: svc.ImportPreview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.preview = preview
        self.result: svc.ImportResult | None = None
        self.setWindowTitle(_("从Excel导入志愿者 — {f}").format(f=preview.file_name))
        self.setMinimumSize(860, 560)
        self.resize(1000, 640)

        recognised = "、".join(svc.FIELD_LABELS[f] for f in sorted(preview.fields, key=preview.fields.get))
        used = set(preview.fields.values())
        ignored = [h for i, h in enumerate(preview.headers) if i not in used]
        info = _("工作表“{s}”，第 {r} 行是表头。识别的列：{cols}。").format(
            s=preview.sheet, r=preview.header_row, cols=recognised)
        if ignored:
            info += _("不导入的列：{cols}。").format(cols="、".join(ignored))
        self.info = QLabel(info, wordWrap=True)
        self.info.setStyleSheet("color: #555;")
        self.counts = QLabel()
        self.counts.setStyleSheet("font-size: 14px; padding: 4px 0;")
        self.filter = QComboBox()
        self.filter.addItem(_("全部行"), None)
        for verdict in svc.Verdict:
            self.filter.addItem(verdict.label, verdict)

        self.model: RowsModel[svc.RowVerdict] = RowsModel(PREVIEW_COLUMNS, parent=self)
        self.table = RowsTable(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, width in enumerate((50, 90, 170, 150)):
            self.table.setColumnWidth(col, width)

        may_review = ctx.actor.can(Permission.REVIEW_VOLUNTEERS)
        self.approve = QCheckBox(_("直接审核通过（成为“已注册”，按表中顺序发放志愿者编号）"))
        self.approve.setChecked(may_review)
        self.approve.setEnabled(may_review)
        if not may_review:
            self.approve.setToolTip(_("录入员导入的志愿者为“申请中”，由站长审核。"))
        self.import_button = QPushButton()
        self.import_button.setDefault(True)
        self.errors_button = QPushButton(_("保存错误行…"))
        self.errors_button.setToolTip(_("把有错误的行连同“错误原因”保存为 Excel：改好后可再次导入这个文件"))
        self.close_button = QPushButton(_("关闭"))
        self.detail = QLabel(_("选中一行可在这里看到完整的原因。"), wordWrap=True)
        self.detail.setStyleSheet("padding: 4px; background: #f6f6f6; border: 1px solid #ddd;")
        self.detail.setMinimumHeight(56)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.done_label = QLabel(wordWrap=True)
        self.done_label.setStyleSheet("color: #1b7f3b;")

        top = QHBoxLayout()
        top.addWidget(self.counts, 1)
        top.addWidget(QLabel(_("显示：")))
        top.addWidget(self.filter)
        buttons = QHBoxLayout()
        buttons.addWidget(self.approve)
        buttons.addStretch(1)
        buttons.addWidget(self.errors_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addWidget(self.done_label)
        layout.addLayout(buttons)

        self.filter.currentIndexChanged.connect(lambda _i: self.show_rows())
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_detail())
        self.import_button.clicked.connect(lambda: self.import_rows())
        self.errors_button.clicked.connect(lambda: self.save_errors())
        self.close_button.clicked.connect(self.accept)
        self.show_rows()
        self._update()

    # --- showing -------------------------------------------------------------------------------
    def show_rows(self) -> None:
        verdict = self.filter.currentData()
        rows = self.preview.rows if verdict is None else [r for r in self.preview.rows if r.verdict == verdict]
        self.model.set_rows(rows)

    def _show_detail(self) -> None:
        rows = self.table.selected_row_numbers()
        row = self.model.row(rows[0]) if rows else None
        if row is None:
            return
        head = _("第 {r} 行　{n}　{v}").format(r=row.row_number, n=row.name or "—", v=row.verdict.label)
        self.detail.setText(head + ("\n" + "\n".join(row.reasons) if row.reasons else ""))

    def _update(self) -> None:
        p = self.preview
        parts = [
            f"<span style='color:{VERDICT_COLOURS[v].name()}'>{v.label} <b>{p.count(v)}</b></span>"
            for v in svc.Verdict if v != svc.Verdict.SKIPPED or p.count(v)
        ]
        self.counts.setText("　".join(parts))
        new = p.count(svc.Verdict.NEW)
        self.import_button.setText(_("导入 {n} 条").format(n=new))
        self.import_button.setEnabled(new > 0 and self.result is None and self.ctx.actor.can(Permission.EDIT_VOLUNTEERS))
        self.errors_button.setEnabled(bool(p.error_rows))

    # --- actions -------------------------------------------------------------------------------
    def import_rows(self) -> svc.ImportResult | None:
        approve = self.approve.isChecked()
        ctx, preview = self.ctx, self.preview

        def work(progress, cancelled):  # noqa: ANN001, ANN202 - on the worker thread: no widgets here
            with ctx.db.session() as session:
                return svc.import_rows(session, ctx.actor, preview, approve=approve, progress=progress,
                                       cancelled=cancelled)

        result = run_with_progress(self, _("正在导入志愿者……"), work)
        if result is None:
            return None
        self.result = result
        state = _("已注册") if result.registered else _("申请中，等待站长审核")
        self.done_label.setText(_("已导入 {n} 名志愿者（{s}）。").format(n=result.imported, s=state))
        self._update()
        self.imported.emit(result.volunteer_ids)
        return result

    def save_errors(self) -> Path | None:
        stem = Path(self.preview.file_name).stem
        path = ask_save_path(self, _("保存错误行"), _("{f}-错误行.xlsx").format(f=stem))
        if path is None:
            return None
        try:
            written = svc.write_error_sheet(self.preview, path)
        except StationError as exc:
            show_error(self, exc.message)
            return None
        self.done_label.setText(_("已保存 {n} 行错误到 {f}：按“错误原因”一列改好后，再从Excel导入这个文件。").format(
            n=len(self.preview.error_rows), f=written))
        return written


# --- entry points for the tab ------------------------------------------------------------------------
def open_import(parent: QWidget, ctx: AppContext, path: str | None = None) -> RosterImportDialog | None:
    """Ask for a file (unless given), read it behind a progress dialog and open the preview (not modal-blocking)."""
    path = path or ask_open_path(parent)
    if not path:
        return None

    def work(progress, cancelled):  # noqa: ANN001, ANN202
        with ctx.db.session(write=False) as session:
            return svc.preview(session, ctx.actor, path, progress=progress, cancelled=cancelled)

    preview = run_with_progress(parent, _("正在读取花名册……"), work)
    if preview is None:
        return None
    if not preview.rows:
        QMessageBox.information(parent, _("从Excel导入"), _("表头下面没有数据行。"))
        return None
    dialog = RosterImportDialog(ctx, preview, parent)
    dialog.open()
    return dialog


def save_template(parent: QWidget) -> Path | None:
    path = ask_save_path(parent, _("保存导入模板"), _("志愿者花名册导入模板.xlsx"))
    if path is None:
        return None
    try:
        written = svc.write_template(path)
    except svc.StationError as exc:
        show_error(parent, exc.message)
        return None
    QMessageBox.information(parent, _("下载导入模板"), _("模板已保存到 {f}。\n按“填写说明”一页填好后，用“从Excel导入…”导入。").format(f=written))
    return written


def export_excel(parent: QWidget, ctx: AppContext, kind: str) -> Path | None:
    """导出Excel… for the roster, the needs or the awards: ask where, write it (a big roster off the GUI thread)."""
    path = ask_save_path(parent, _("导出Excel"), excel_export.default_file_name(kind, ctx.station_name))
    if path is None:
        return None

    def work(progress, cancelled):  # noqa: ANN001, ANN202
        with ctx.db.session() as session:
            return excel_export.export(session, ctx.actor, kind, path)

    done = run_with_progress(parent, _("正在导出……"), work)
    if done is None:
        return None
    written, count = done
    QMessageBox.information(parent, _("导出Excel"), _("已导出{k}（{n} 行）：\n{f}").format(
        k=excel_export.KIND_LABELS[kind], n=count, f=written))
    return written
