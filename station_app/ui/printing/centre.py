"""证书打印: the print centre page of the 台账与打印 tab.

Choose what to print on the left (星级证书, 荣誉证书, 服务记录证明, 光荣榜, or an earlier print from
打印记录 to print again), see it on the right, then 打印… or 另存为 PDF…. A certificate counts as issued
(and the next print of it is a marked reprint) once it has been printed or saved; a 服务记录证明 takes
its number when it is made, so making one issues it. Many certificates at once (批量导出…) are drawn
in the background with progress and 取消, into one PDF or one file per person.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ...errors import StationError
from ...i18n import _
from ...reports.batch import render
from ...services import certificates as certs
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ..awards.stars import lock_buttons, note_label, status_label
from ..common import AppContext, confirm, run_service, show_error
from ..demand.projects import date_edit
from ..qt import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
)
from ..rows_model import CENTER, Column, RowsModel, RowsTable, select_ids
from .preview import PdfPreview
from .signing import signing_key
from .worker import run_with_progress

USER = Qt.ItemDataRole.UserRole
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
QUICK = 3  # documents drawn at once; more go to the background with a progress dialog


def _printed_text(times: int) -> str:
    return _("未打印") if times == 0 else _("已打印 {n} 次").format(n=times)


def draw(parent: QWidget, printables: Sequence[certs.Printable], out: Path, *, one_file: bool,
         title: str) -> list[Path] | None:
    """Draw the documents into ``out``: a few at once, more in the background with progress and 取消.

    Returns the files written, or None when it was refused (the reason shown) or cancelled.
    """
    items = [(p.file_stem, p.document) for p in printables]
    if len(items) <= QUICK:
        try:
            return render(items, out, one_file=one_file)
        except StationError as exc:
            show_error(parent, exc.message)
        except OSError as exc:
            show_error(parent, _("无法写入文件 {f}：{e}").format(f=out, e=exc.strerror or exc))
        return None
    return run_with_progress(parent, title or _("正在生成……"), lambda progress, cancelled: render(
        items, out, one_file=one_file, progress=progress, cancelled=cancelled))


def book_issued(parent: QWidget, ctx: AppContext, printables: Sequence[certs.Printable], status: QLabel) -> int:
    """Book printed or saved certificates as issued, saying so in ``status``; the count booked (0 if refused)."""
    booked = run_service(parent, ctx, lambda s: certs.record_issued(s, ctx.actor, printables))
    if booked:
        status.setText(_("已登记发放 {n} 份证书。").format(n=booked))
    return booked or 0


def suggested_name(printables: Sequence[certs.Printable]) -> str:
    """The file name 另存为 offers: the certificate's own, or "星级志愿者证书_12份.pdf" for several."""
    if len(printables) == 1:
        return f"{printables[0].file_stem}.pdf"
    return _("{k}_{n}份.pdf").format(k=certs.KIND_LABELS[printables[0].kind], n=len(printables))


def set_widths(table: RowsTable, widths: Sequence[int]) -> None:
    """Fixed column widths (pixels) that fit a certificate number or a date on one line."""
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


class CentrePreview(PdfPreview):
    """The preview, telling the page when its document has gone to a printer or into a file."""

    def __init__(self, on_output: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.on_output = on_output

    def print_document(self) -> bool:
        done = super().print_document()
        if done:
            self.on_output()
        return done

    def save_as(self) -> Path | None:
        saved = super().save_as()
        if saved is not None:
            self.on_output()
        return saved


# --- the panels on the left ------------------------------------------------------------------------
class ChoicePanel(QWidget):
    """A multi-select list of certificates to print, its filters on top and 全选 below."""

    COLUMNS: tuple[Column, ...] = ()
    WIDTHS: tuple[int, ...] = ()
    NOUN = ""  # 共 {n} 项…

    def __init__(self, ctx: AppContext, filters: Sequence[QWidget], id_of: Callable,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model: RowsModel = RowsModel(self.COLUMNS, id_of=id_of)
        self.table = RowsTable(self.model, multi=True)
        set_widths(self.table, self.WIDTHS)
        self.count = QLabel()
        self.all_button = QPushButton(_("全选"))
        self.all_button.clicked.connect(self.table.selectAll)
        top = QHBoxLayout()
        for widget in filters:
            top.addWidget(widget, 1 if isinstance(widget, QLineEdit) else 0)
        top.addStretch(0 if any(isinstance(w, QLineEdit) for w in filters) else 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.all_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

    def show_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        self.count.setText(_("共 {n} 项{k}").format(n=len(rows), k=self.NOUN))

    def selected(self) -> list:
        return [self.model.rows[n] for n in self.table.selected_row_numbers()]


class StarPanel(ChoicePanel):
    """Confirmed star awards, the never-printed ones first offered."""

    COLUMNS = (
        Column(_("姓名"), lambda r: r.name),
        Column(_("志愿者编号"), lambda r: r.volunteer_no),
        Column(_("星级"), lambda r: "★" * r.level, align=CENTER, tooltip=lambda r: r.level_name),
        Column(_("认定时长"), lambda r: r.hours_text, align=RIGHT),
        Column(_("认定日期"), lambda r: r.confirmed_on.isoformat()),
        Column(_("证书编号"), lambda r: r.certificate_no),
        Column(_("打印"), lambda r: _printed_text(r.times_printed) if r.review_status != "flagged" else _("复核中")),
    )
    WIDTHS = (80, 130, 70, 70, 90, 150, 80)
    NOUN = _("星级认定")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.search = QLineEdit(placeholderText=_("搜索姓名、拼音首字母、志愿者编号或证书编号"), clearButtonEnabled=True)
        self.unprinted = QCheckBox(_("只看未打印的"))
        self.unprinted.setChecked(True)
        super().__init__(ctx, [self.search, self.unprinted], lambda r: r.award_id, parent)
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self.unprinted.toggled.connect(lambda _on: self.refresh())

    def refresh(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.show_rows(certs.award_choices(session, self.ctx.actor, unprinted_only=self.unprinted.isChecked(),
                                               search=self.search.text()))

    def prepare(self, session: Session, ctx: AppContext, key) -> list[certs.Printable]:  # noqa: ANN001
        return certs.star_certificates(session, ctx.actor, key, [r.award_id for r in self.selected()])

    def nothing_chosen(self) -> str:
        return _("请先在列表中选择要打印证书的志愿者（可多选，或点“全选”）。")

    def show_volunteer(self, volunteer_id: int) -> None:
        """Offer this volunteer's awards, printed or not, selected."""
        self.unprinted.setChecked(False)
        self.search.clear()
        self._timer.stop()
        self.refresh()
        ids = [r.award_id for r in self.model.rows if r.volunteer_id == volunteer_id]
        select_ids(self.table, ids)


class HonourPanel(ChoicePanel):
    COLUMNS = (
        Column(_("称号"), lambda r: r.title),
        Column(_("获得者"), lambda r: r.target_name),
        Column(_("类别"), lambda r: r.target_kind_label),
        Column(_("颁发日期"), lambda r: r.awarded_on.isoformat()),
        Column(_("证书编号"), lambda r: r.certificate_no),
        Column(_("打印"), lambda r: _printed_text(r.times_printed)),
    )
    WIDTHS = (120, 110, 90, 90, 150, 80)
    NOUN = _("嘉许")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.year = QComboBox()
        super().__init__(ctx, [QLabel(_("颁发年份")), self.year], lambda r: r.honour_id, parent)
        self.year.currentIndexChanged.connect(lambda _i: self.load())

    def refresh(self) -> None:
        from ...services import honours

        with self.ctx.db.session(write=False) as session:
            years = honours.honour_years(session, self.ctx.actor)
        current = self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        self.year.addItem(_("全部年份"), None)
        for y in years:
            self.year.addItem(str(y), y)
        index = self.year.findData(current)
        self.year.setCurrentIndex(index if index >= 0 else 0)
        self.year.blockSignals(False)
        self.load()

    def load(self) -> None:
        with self.ctx.db.session(write=False) as session:
            self.show_rows(certs.honour_choices(session, self.ctx.actor, year=self.year.currentData()))

    def prepare(self, session: Session, ctx: AppContext, key) -> list[certs.Printable]:  # noqa: ANN001
        return certs.honour_certificates(session, ctx.actor, key, [r.honour_id for r in self.selected()])

    def nothing_chosen(self) -> str:
        return _("请先在列表中选择要打印的嘉许（可多选）。")


class RecordPanel(QWidget):
    """A volunteer and a period for a 志愿服务记录证明."""

    MAX_SHOWN = 100

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母、电话、身份证后四位、志愿者编号"),
                                clearButtonEnabled=True)
        self.results = QListWidget()
        today = date.today()
        self.date_from = date_edit(date(today.year, 1, 1))
        self.date_to = date_edit(today)
        period = QHBoxLayout()
        period.addWidget(QLabel(_("服务期间")))
        period.addWidget(self.date_from)
        period.addWidget(QLabel(_("至")))
        period.addWidget(self.date_to)
        period.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.results, 1)
        layout.addLayout(period)
        layout.addWidget(note_label(_(
            "证明列出期间内已计入台账的服务记录和培训、截止日期前获得的星级和嘉许；身份证号遮盖显示，上门服务的地点只写到楼栋。"
            "开具即登记证明编号，之后可在“打印记录”中补打。")))
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(self._timer.start)

    def refresh(self) -> None:
        if not self.results.count():
            self.run_search()

    def run_search(self) -> None:
        flt = vol_svc.RosterFilter(text=self.search.text())
        with self.ctx.db.session(write=False) as session:
            ids = vol_svc.roster_ids(session, self.ctx.actor, flt, sort="name")[: self.MAX_SHOWN]
            rows = vol_svc.roster_rows(session, self.ctx.actor, ids)
        self.results.clear()
        for vid in ids:
            r = rows[vid]
            item = QListWidgetItem(f"{r.name}　{r.volunteer_no or r.status}")
            item.setData(USER, vid)
            self.results.addItem(item)

    def volunteer_id(self) -> int | None:
        item = self.results.currentItem()
        return item.data(USER) if item is not None else None

    def choose(self, volunteer_id: int, name: str = "") -> bool:
        self.search.setText(name)
        self._timer.stop()
        self.run_search()
        for n in range(self.results.count()):
            if self.results.item(n).data(USER) == volunteer_id:
                self.results.setCurrentRow(n)
                return True
        return False


class RollPanel(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.year = QSpinBox(minimum=2000, maximum=2100, value=date.today().year)
        row = QHBoxLayout()
        row.addWidget(QLabel(_("年度")))
        row.addWidget(self.year)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(note_label(_(
            "光荣榜（A3 海报）列出该年度获得嘉许的志愿者、服务队和项目，以及该年度认定星级的志愿者，"
            "可张贴在服务站公告栏（行动方案 §二.6）。文字可在“系统 → 文书模板与印章”中修改。")))
        layout.addStretch(1)

    def refresh(self) -> None:
        pass


class IssuesPanel(QWidget):
    """打印记录: every certificate printed, newest first; one can be printed again (marked 补打)."""

    COLUMNS = (
        Column(_("打印时间"), lambda r: r.issued_at.astimezone().strftime("%Y-%m-%d %H:%M")),
        Column(_("类别"), lambda r: r.kind_label),
        Column(_("证书编号"), lambda r: r.certificate_no),
        Column(_("对象"), lambda r: r.subject),
        Column(_("次数"), lambda r: _("首次") if r.copy == 1 else _("补打（第 {n} 次）").format(n=r.copy), align=CENTER),
        Column(_("经办人"), lambda r: r.issued_by),
    )

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.search = QLineEdit(placeholderText=_("搜索姓名或证书编号"), clearButtonEnabled=True)
        self.kind = QComboBox()
        self.kind.addItem(_("全部类别"), None)
        for kind in (certs.STAR, certs.HONOUR, certs.RECORD):
            self.kind.addItem(certs.KIND_LABELS[kind], kind)
        self.model: RowsModel[certs.IssueRow] = RowsModel(self.COLUMNS, id_of=lambda r: r.issue_id)
        self.table = RowsTable(self.model)
        set_widths(self.table, (125, 120, 150, 80, 100, 70))
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.kind)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._timer = QTimer(self, singleShot=True, interval=300)
        self._timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._timer.start)
        self.kind.currentIndexChanged.connect(lambda _i: self.refresh())

    def refresh(self) -> None:
        with self.ctx.db.session(write=False) as session:
            rows = certs.issued_list(session, self.ctx.actor, kind=self.kind.currentData(), search=self.search.text())
        self.model.set_rows(rows)
        self.count.setText(_("共 {n} 条打印记录").format(n=len(rows)))

    def selected(self) -> certs.IssueRow | None:
        numbers = self.table.selected_row_numbers()
        return self.model.rows[numbers[0]] if numbers else None


# --- the page ---------------------------------------------------------------------------------------
class PrintCentrePage(QWidget):
    """证书打印: choose, preview, print or save; batch export in the background."""

    STAR, HONOUR, RECORD, ROLL, ISSUES = range(5)
    KINDS = (_("星级志愿者证书"), _("荣誉证书"), _("志愿服务记录证明"), _("光荣榜"), _("打印记录（补打）"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pending: list[certs.Printable] = []  # shown in the preview, not yet booked as issued
        self.kind = QComboBox()
        self.kind.addItems(list(self.KINDS))
        self.stars = StarPanel(ctx)
        self.honours = HonourPanel(ctx)
        self.record = RecordPanel(ctx)
        self.roll = RollPanel(ctx)
        self.issues = IssuesPanel(ctx)
        self.panels = QStackedWidget()
        for panel in (self.stars, self.honours, self.record, self.roll, self.issues):
            self.panels.addWidget(panel)
        self.one_file = QRadioButton(_("合并为一个 PDF"))
        self.per_person = QRadioButton(_("每人一个文件"))
        self.one_file.setChecked(True)
        self._output = QButtonGroup(self)
        self._output.addButton(self.one_file)
        self._output.addButton(self.per_person)
        self.preview_button = QPushButton(_("生成预览"))
        self.export_button = QPushButton(_("批量导出…"))
        self.preview_button.clicked.connect(lambda: self.make_preview())
        self.export_button.clicked.connect(lambda: self.export())
        self.status = status_label()
        self.preview = CentrePreview(self.book_pending)

        kind_row = QHBoxLayout()
        kind_row.addWidget(QLabel(_("打印")))
        kind_row.addWidget(self.kind, 1)
        output_row = QHBoxLayout()
        output_row.addWidget(self.one_file)
        output_row.addWidget(self.per_person)
        output_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.preview_button)
        buttons.addWidget(self.export_button)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(kind_row)
        column.addWidget(self.panels, 1)
        column.addLayout(output_row)
        column.addLayout(buttons)
        column.addWidget(self.status)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([2000, 3000])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.may_print = lock_buttons(ctx, Permission.PRINT_CERTIFICATES, self.export_button)
        self._kind_changed(0)

    # --- switching ----------------------------------------------------------------------------------
    def _kind_changed(self, index: int) -> None:
        self.panels.setCurrentIndex(index)
        batch = index in (self.STAR, self.HONOUR)
        for widget in (self.one_file, self.per_person, self.export_button):
            widget.setVisible(batch)
        self.preview_button.setText({
            self.RECORD: _("开具并预览"), self.ROLL: _("生成光荣榜"), self.ISSUES: _("补打所选"),
        }.get(index, _("生成预览")))
        certificate = index != self.ROLL
        self.preview_button.setEnabled(self.may_print or not certificate)
        self.preview_button.setToolTip("" if self.preview_button.isEnabled() else _(
            "当前账号（{role}）没有“{p}”的权限。").format(role=self.ctx.actor.role.label,
                                                      p=Permission.PRINT_CERTIFICATES.value))
        self.panels.currentWidget().refresh()

    def refresh(self) -> None:
        self.panels.currentWidget().refresh()

    def show_kind(self, index: int) -> None:
        self.kind.setCurrentIndex(index)

    def show_volunteer_awards(self, volunteer_id: int) -> None:
        self.show_kind(self.STAR)
        self.stars.show_volunteer(volunteer_id)

    def show_record_for(self, volunteer_id: int, name: str = "") -> None:
        self.show_kind(self.RECORD)
        self.record.choose(volunteer_id, name)

    # --- making documents -------------------------------------------------------------------------
    def _draw(self, printables: Sequence[certs.Printable], out: Path, *, one_file: bool,
              title: str) -> list[Path] | None:
        return draw(self, printables, out, one_file=one_file, title=title)

    def _show(self, path: Path, printables: Sequence[certs.Printable], suggested: str, *, pending: bool) -> None:
        self.pending = list(printables) if pending else []
        self.preview.set_pdf(path, suggested)
        if pending:
            self.status.setText(_("已生成 {n} 份的预览。打印或另存为 PDF 后记为已发放。").format(n=len(printables)))

    def make_preview(self) -> bool:
        index = self.kind.currentIndex()
        if index == self.ROLL:
            return self._preview_roll()
        if index == self.ISSUES:
            return self._preview_reprint()
        if index == self.RECORD:
            return self._make_record()
        printables = self._prepare_chosen()
        if not printables:
            return False
        path = scratch_file(printables[0].file_stem if len(printables) == 1 else "batch")
        if self._draw(printables, path, one_file=True, title=_("正在生成证书……")) is None:
            return False
        self._show(path, printables, suggested_name(printables), pending=True)
        return True

    def _preview_roll(self) -> bool:
        year = self.roll.year.value()
        printable = run_service(self, self.ctx, lambda s: certs.honour_roll(s, self.ctx.actor, year), write=False)
        if printable is None:
            return False
        path = scratch_file(printable.file_stem)
        if self._draw([printable], path, one_file=True, title="") is None:
            return False
        self._show(path, [printable], f"{printable.file_stem}.pdf", pending=False)
        self.status.setText(_("{y}年光荣榜已生成。").format(y=year))
        return True

    def _make_record(self) -> bool:
        volunteer_id = self.record.volunteer_id()
        if volunteer_id is None:
            show_error(self, _("请先在列表中选择一名志愿者。"))
            return False
        start, end = self.record.date_from.date().toPython(), self.record.date_to.date().toPython()
        key = signing_key(self, self.ctx)
        if key is None:
            return False
        made = run_service(self, self.ctx, lambda s: make_record_certificate(s, self.ctx, key, volunteer_id, start, end))
        if made is None:
            return False
        printable, path = made
        self._show(path, [printable], f"{printable.file_stem}.pdf", pending=False)
        self.status.setText(_("已开具志愿服务记录证明 {n}（服务 {h} 小时，{c} 条记录）。").format(
            n=printable.certificate_no, h=printable.document.total_hours_text, c=printable.document.record_count))
        return True

    def _preview_reprint(self) -> bool:
        row = self.issues.selected()
        if row is None:
            show_error(self, _("请先在打印记录中选择要补打的证书。"))
            return False
        printable = run_service(self, self.ctx, lambda s: certs.reprint(s, self.ctx.actor, row.issue_id), write=False)
        if printable is None:
            return False
        path = scratch_file(printable.file_stem)
        if self._draw([printable], path, one_file=True, title="") is None:
            return False
        self._show(path, [printable], f"{printable.file_stem}.pdf", pending=True)
        self.status.setText(_("补打预览：证书上注明“补打”。打印或另存为 PDF 后登记为第 {n} 次打印。").format(n=printable.copy))
        return True

    def book_pending(self) -> None:
        """The previewed certificates went to a printer or a file: book them as issued (once)."""
        if not self.pending:
            return
        printables, self.pending = self.pending, []
        if book_issued(self, self.ctx, printables, self.status):
            self.panels.currentWidget().refresh()

    # --- batch export -------------------------------------------------------------------------------
    @staticmethod
    def ask_target(parent: QWidget, per_person: bool, suggested: str) -> str | None:
        """A folder (one file per person) or a PDF file to export to; None if cancelled."""
        if per_person:
            return QFileDialog.getExistingDirectory(parent, _("选择保存证书的文件夹"), str(Path.home())) or None
        path, _filter = QFileDialog.getSaveFileName(parent, _("保存证书"), str(Path.home() / suggested),
                                                    _("PDF 文件 (*.pdf)"))
        return path or None

    def _prepare_chosen(self) -> list[certs.Printable] | None:
        """The chosen star or honour certificates, signed (the password asked once a session)."""
        panel = self.stars if self.kind.currentIndex() == self.STAR else self.honours
        if not panel.selected():
            show_error(self, panel.nothing_chosen())
            return None
        key = signing_key(self, self.ctx)
        if key is None:
            return None
        return run_service(self, self.ctx, lambda s: panel.prepare(s, self.ctx, key), write=False)

    def export(self) -> bool:
        printables = self._prepare_chosen()
        if not printables:
            return False
        panel = self.stars if self.kind.currentIndex() == self.STAR else self.honours
        per_person = self.per_person.isChecked()
        kind_label = certs.KIND_LABELS[printables[0].kind]
        chosen = self.ask_target(self, per_person, suggested_name(printables))
        if not chosen:
            return False
        target = Path(chosen)
        if not per_person and target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        reprints = sum(1 for p in printables if p.copy > 1)
        if reprints and not confirm(self, _("所选的 {n} 份中有 {r} 份以前打印过，这次会作为补打，证书上注明“补打”。继续吗？").format(
                n=len(printables), r=reprints)):
            return False
        paths = self._draw(printables, target, one_file=not per_person,
                           title=_("正在生成 {n} 份{k}……").format(n=len(printables), k=kind_label))
        if paths is None:
            return False
        booked = run_service(self, self.ctx, lambda s: certs.record_issued(s, self.ctx.actor, printables))
        panel.refresh()
        where = target if not per_person else _("文件夹 {d}（{n} 个文件）").format(d=target, n=len(paths))
        self.status.setText(_("已生成 {n} 份{k}：{w}。已登记发放 {b} 份。").format(
            n=len(printables), k=kind_label, w=where, b=booked or 0))
        if not per_person:
            self._show(target, printables, target.name, pending=False)
        else:
            QMessageBox.information(self, _("批量导出"), self.status.text())
        return True


# --- printing from other screens -------------------------------------------------------------------
class CertificatePreviewDialog(QDialog):
    """Certificates in a preview window; printing or saving them books them as issued (once)."""

    def __init__(self, ctx: AppContext, path: Path, printables: Sequence[certs.Printable], title: str, *,
                 pending: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pending = list(printables) if pending else []
        self.setWindowTitle(title)
        self.resize(1000, 760)
        self.preview = CentrePreview(self.book_pending)
        self.preview.set_pdf(path, suggested_name(printables))
        self.status = status_label()
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bottom)

    def book_pending(self) -> None:
        """Printed or saved: book the certificates as issued (once)."""
        if not self.pending:
            return
        printables, self.pending = self.pending, []
        book_issued(self, self.ctx, printables, self.status)

    def done(self, result: int) -> None:
        self.preview.clear()
        super().done(result)


_scratch: list[tempfile.TemporaryDirectory] = []
_scratch_numbers = itertools.count(1)


def scratch_file(stem: str) -> Path:
    """A new file name in this process's scratch folder for previews (removed when the program ends)."""
    if not _scratch:
        _scratch.append(tempfile.TemporaryDirectory(prefix="station-print-"))
    return Path(_scratch[0].name) / f"{next(_scratch_numbers):04d}-{stem}.pdf"


def make_record_certificate(session: Session, ctx: AppContext, key, volunteer_id: int, start: date,  # noqa: ANN001
                            end: date) -> tuple[certs.Printable, Path]:
    """Make, draw and book a 志愿服务记录证明 in one unit of work: its number is issued with the paper."""
    printable = certs.record_certificate(session, ctx.actor, key, volunteer_id, start, end)
    path = scratch_file(printable.file_stem)
    render([(printable.file_stem, printable.document)], path, one_file=True)
    certs.record_issued(session, ctx.actor, [printable])
    return printable, path


def print_certificates(
    parent: QWidget, ctx: AppContext, prepare: Callable[[Session, object], list[certs.Printable]], title: str,
) -> CertificatePreviewDialog | None:
    """Sign and draw certificates (``prepare(session, key)``), then show them to print or save.

    For the 打印证书 buttons of other screens; the dialog is returned already shown (modal in use).
    """
    key = signing_key(parent, ctx)
    if key is None:
        return None
    printables = run_service(parent, ctx, lambda s: prepare(s, key), write=False)
    if not printables:
        return None
    path = scratch_file(printables[0].file_stem if len(printables) == 1 else "batch")
    if draw(parent, printables, path, one_file=True, title=_("正在生成 {n} 份证书……").format(n=len(printables))) is None:
        return None
    dialog = CertificatePreviewDialog(ctx, path, printables, title, pending=True, parent=parent)
    dialog.open()
    return dialog
