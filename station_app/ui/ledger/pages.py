"""The pages of the 台账与打印 tab: per volunteer, activity or project, team, month, and party members.

Each page picks what to show, reads the view in one read-only unit of work, shows its document
(``view.DocumentView``) and exports that same document: 导出 Excel / 导出 PDF ask for a file
(``QFileDialog``) unless a path is passed, as tests do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from ...errors import StationError
from ...i18n import _
from ...reports.ledger_pdf import write_pdf
from ...services import ledger_views
from ...services import projects as projects_svc
from ...services import teams as teams_svc
from ...services import volunteers as vol_svc
from ...services.auth import Permission
from ...services.ledger_export import LedgerDocument, document_of, write_xlsx
from ..awards.stars import lock_buttons
from ..common import AppContext, show_error
from ..demand.projects import date_edit
from ..printing.centre import CertificatePreviewDialog
from ..printing.record_dialog import issue_record_certificate
from ..qt import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .view import DocumentView

USER = Qt.ItemDataRole.UserRole
FILE_KINDS = {".xlsx": _("Excel 工作簿 (*.xlsx)"), ".pdf": _("PDF 文件 (*.pdf)")}


def ask_path(parent: QWidget, suggested: str, suffix: str) -> str | None:
    """Where to save: the file dialog, the suffix added when the user left it off."""
    path, _filter = QFileDialog.getSaveFileName(parent, _("导出台账"), suggested, FILE_KINDS[suffix])
    if not path:
        return None
    return path if path.lower().endswith(suffix) else path + suffix


class LedgerPage(QWidget):
    """A page with its choosers on top, the document below, and the two export buttons."""

    placeholder = _("请先选择要查看的台账。")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.view: object | None = None
        self.document: LedgerDocument | None = None
        self.shown = DocumentView(self.placeholder)
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        self.excel_button = QPushButton(_("导出 Excel"))
        self.pdf_button = QPushButton(_("导出 PDF"))
        self.print_button = QPushButton(_("打印预览…"))
        self.excel_button.clicked.connect(lambda: self.export_excel())
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        self.print_button.clicked.connect(lambda: self.print_preview())
        self.controls = QHBoxLayout()
        self.build_controls(self.controls)
        self.controls.addStretch(1)
        self.controls.addWidget(self.excel_button)
        self.controls.addWidget(self.pdf_button)
        self.controls.addWidget(self.print_button)
        layout = QVBoxLayout(self)
        layout.addLayout(self.controls)
        layout.addWidget(self.body(), 1)
        layout.addWidget(self.status)
        self._show(None)

    # --- what a page fills in ------------------------------------------------------------------
    def build_controls(self, row: QHBoxLayout) -> None:
        """Add the page's choosers to the top row."""

    def body(self) -> QWidget:
        return self.shown

    def read(self, session: Session) -> object | None:
        """The ledger view for the current choice (None: nothing chosen)."""
        return None

    def refresh(self) -> None:
        """Called when the page is shown: read the current choice again (new records show)."""
        if self.view is not None:
            self.load()

    # --- loading and exporting ---------------------------------------------------------------
    def load(self) -> bool:
        """Read and show the chosen ledger; a refusal (bad period, not found) shows its message."""
        try:
            with self.ctx.db.session(write=False) as session:
                view = self.read(session)
        except StationError as exc:
            show_error(self, exc.message)
            return False
        self._show(view)
        return view is not None

    def _show(self, view: object | None) -> None:
        self.view = view
        self.document = document_of(view) if view is not None else None
        self.shown.set_document(self.document)
        self.excel_button.setEnabled(self.document is not None)
        self.pdf_button.setEnabled(self.document is not None)
        self.print_button.setEnabled(self.document is not None)
        self.status.setText("")

    def export_excel(self, path: str | None = None) -> Path | None:
        return self._export(".xlsx", path, write_xlsx)

    def export_pdf(self, path: str | None = None) -> Path | None:
        return self._export(".pdf", path, write_pdf)

    def print_preview(self) -> Path | None:
        """The ledger as it prints, in a preview window with 打印… and 另存为 PDF…."""
        from ..printing.centre import scratch_file

        doc = self.document
        if doc is None:
            show_error(self, self.placeholder)
            return None
        written = self._export(".pdf", str(scratch_file(doc.file_stem)), write_pdf, quiet=True)
        if written is not None:
            self.show_preview(written, doc.title, f"{doc.file_stem}.pdf")
        return written

    def show_preview(self, path: Path, title: str, suggested: str) -> None:
        from ..printing.preview import PreviewDialog

        PreviewDialog.show_pdf(self, path, title, suggested)

    def _export(self, suffix: str, path: str | None, write: Callable[[LedgerDocument, Path], Path], *,
                quiet: bool = False) -> Path | None:
        doc = self.document
        if doc is None:
            show_error(self, self.placeholder)
            return None
        path = path or ask_path(self, str(Path.home() / f"{doc.file_stem}{suffix}"), suffix)
        if not path:
            return None
        try:
            written = write(doc, Path(path))
        except StationError as exc:
            show_error(self, exc.message)
            return None
        except OSError as exc:
            show_error(self, _("无法写入文件 {f}：{e}").format(f=path, e=exc.strerror or exc))
            return None
        if not quiet:
            self.status.setText(_("已导出：{p}").format(p=written))
        return written


# --- 志愿者台账 ------------------------------------------------------------------------------------
class VolunteerLedgerPage(LedgerPage):
    """Search a volunteer; their history with totals, training, awards and honours beside it."""

    placeholder = _("在左侧搜索并选择一名志愿者，查看其服务记录台账。")
    MAX_SHOWN = 100

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.controls.addWidget(self.record_button)

    def build_controls(self, row: QHBoxLayout) -> None:
        self.volunteer_id: int | None = None
        self.record_button = QPushButton(_("开具服务记录证明…"))
        self.record_button.clicked.connect(lambda: self.issue_record())
        self.may_print = lock_buttons(self.ctx, Permission.PRINT_CERTIFICATES, self.record_button)
        self.search = QLineEdit(placeholderText=_("搜索：姓名、拼音首字母、电话、身份证后四位、志愿者编号"))
        self.search.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.search.textChanged.connect(lambda _text: self.run_search())
        self.results.currentItemChanged.connect(self._picked)
        row.addWidget(QLabel(_("志愿者服务记录：记录按日期排列，更正显示在原记录下方。")))

    def body(self) -> QWidget:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.search)
        column.addWidget(self.results, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self.shown)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 4)
        splitter.setSizes([1000, 4000])  # proportions: a narrow search list, the ledger beside it
        self.run_search()
        return splitter

    def run_search(self) -> None:
        flt = vol_svc.RosterFilter(text=self.search.text())
        with self.ctx.db.session(write=False) as session:
            ids = vol_svc.roster_ids(session, self.ctx.actor, flt, sort="name")[: self.MAX_SHOWN]
            rows = vol_svc.roster_rows(session, self.ctx.actor, ids)
        self.results.blockSignals(True)
        self.results.clear()
        for vid in ids:
            r = rows[vid]
            item = QListWidgetItem(f"{r.name}　{r.volunteer_no or r.status}")
            item.setData(USER, vid)
            self.results.addItem(item)
        self.results.blockSignals(False)

    def _picked(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None = None) -> None:
        if item is not None:
            self.show_volunteer(item.data(USER))

    def show_volunteer(self, volunteer_id: int) -> bool:
        self.volunteer_id = volunteer_id
        return self.load()

    def read(self, session: Session) -> object | None:
        if self.volunteer_id is None:
            return None
        return ledger_views.volunteer_ledger(session, self.ctx.actor, self.volunteer_id)

    def _show(self, view: object | None) -> None:
        super()._show(view)
        if self.may_print:
            self.record_button.setEnabled(view is not None)
            self.record_button.setToolTip(_("为这名志愿者开具一份志愿服务记录证明（开具即登记证明编号）。")
                                          if view is not None else self.placeholder)

    def issue_record(self) -> CertificatePreviewDialog | None:
        """开具服务记录证明 for the volunteer shown: the period, then the certificate to print or save."""
        view = self.view
        if not isinstance(view, ledger_views.VolunteerLedger):
            show_error(self, self.placeholder)
            return None
        days = [d for d in (view.volunteer.registered_on, *(line.service_date for line in view.lines[:1])) if d]
        return issue_record_certificate(self, self.ctx, view.volunteer.id, view.volunteer.name,
                                        first_day=min(days) if days else None)


# --- 活动/项目台账 -----------------------------------------------------------------------------------
class ActivityLedgerPage(LedgerPage):
    """One activity's records, or a project's activities and records."""

    placeholder = _("选择一个活动或项目，查看参与的志愿者和服务时长。")
    KINDS = (("activity", _("活动")), ("project", _("项目")))

    def build_controls(self, row: QHBoxLayout) -> None:
        self.kind = QComboBox()
        for code, label in self.KINDS:
            self.kind.addItem(label, code)
        self.choice = QComboBox()
        self.choice.setMinimumWidth(320)
        self.kind.currentIndexChanged.connect(lambda _i: self.fill_choices())
        self.choice.activated.connect(lambda _i: self.load())
        row.addWidget(QLabel(_("按")))
        row.addWidget(self.kind)
        row.addWidget(self.choice)
        self.fill_choices()

    def fill_choices(self) -> None:
        actor = self.ctx.actor
        with self.ctx.db.session(write=False) as session:
            if self.kind.currentData() == "project":
                choices = [(p.id, f"{p.name}（{p.period}）") for p in projects_svc.list_projects(session, actor)]
            else:
                choices = ledger_views.activity_choices(session, actor)
        current = self.choice.currentData()
        self.choice.clear()
        self.choice.addItem(_("（请选择）"), None)
        for cid, text in choices:
            self.choice.addItem(text, cid)
        if current is not None and self.choice.findData(current) > 0:
            self.choice.setCurrentIndex(self.choice.findData(current))
        else:
            self._show(None)

    def refresh(self) -> None:
        self.fill_choices()  # activities held and projects made since show
        super().refresh()

    def show_item(self, kind: str, item_id: int) -> bool:
        self.kind.setCurrentIndex(0 if kind == "activity" else 1)
        self.fill_choices()
        index = self.choice.findData(item_id)
        if index < 0:
            return False
        self.choice.setCurrentIndex(index)
        return self.load()

    def read(self, session: Session) -> object | None:
        chosen = self.choice.currentData()
        if chosen is None:
            return None
        if self.kind.currentData() == "project":
            return ledger_views.project_ledger(session, self.ctx.actor, chosen)
        return ledger_views.activity_ledger(session, self.ctx.actor, chosen)


# --- 服务队台账 -------------------------------------------------------------------------------------
class TeamLedgerPage(LedgerPage):
    """A team's members and their hours in a period."""

    placeholder = _("选择服务队和统计期间，点“查看”。")

    def build_controls(self, row: QHBoxLayout) -> None:
        today = date.today()
        self.team = QComboBox()
        self.team.setMinimumWidth(200)
        self.date_from = date_edit(date(today.year, 1, 1))
        self.date_to = date_edit(today)
        show = QPushButton(_("查看"))
        show.clicked.connect(lambda: self.load())
        widgets = (QLabel(_("服务队")), self.team, QLabel(_("期间")), self.date_from, QLabel("—"), self.date_to, show)
        for widget in widgets:
            row.addWidget(widget)
        self.fill_teams()

    def fill_teams(self) -> None:
        with self.ctx.db.session(write=False) as session:
            teams = teams_svc.list_teams(session, self.ctx.actor)
        current = self.team.currentData()
        self.team.clear()
        for t in teams:
            self.team.addItem(_("{n}（{m} 人）").format(n=t.name, m=t.member_count), t.id)
        if current is not None and self.team.findData(current) >= 0:
            self.team.setCurrentIndex(self.team.findData(current))

    def refresh(self) -> None:
        self.fill_teams()  # a team made since shows
        super().refresh()

    def read(self, session: Session) -> object | None:
        team_id = self.team.currentData()
        if team_id is None:
            return None
        return ledger_views.team_ledger(
            session, self.ctx.actor, team_id, self.date_from.date().toPython(), self.date_to.date().toPython()
        )


# --- 月度台账 ---------------------------------------------------------------------------------------
class MonthLedgerPage(LedgerPage):
    """Every counted record of a month, with the latest signed checkpoint printed at its foot."""

    placeholder = _("选择月份，点“查看”。")

    def build_controls(self, row: QHBoxLayout) -> None:
        today = date.today()
        last_month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(last_month[0])
        self.year.setSuffix(_(" 年"))
        self.month = QComboBox()
        for m in range(1, 13):
            self.month.addItem(_("{m} 月").format(m=m), m)
        self.month.setCurrentIndex(last_month[1] - 1)
        show = QPushButton(_("查看"))
        show.clicked.connect(lambda: self.load())
        self.verify_button = QPushButton(_("校验台账…"))
        self.verify_button.clicked.connect(self.open_verify)
        for widget in (QLabel(_("月份")), self.year, self.month, show, self.verify_button):
            row.addWidget(widget)

    def set_month(self, year: int, month: int) -> bool:
        self.year.setValue(year)
        self.month.setCurrentIndex(month - 1)
        return self.load()

    def read(self, session: Session) -> object | None:
        return ledger_views.month_ledger(session, self.ctx.actor, self.year.value(), self.month.currentData())

    def open_verify(self) -> None:
        from .verify_dialog import VerifyDialog

        VerifyDialog(self.ctx, self).exec()
        if self.view is not None:
            self.load()  # a checkpoint signed there prints on the month


# --- 党团服务 ---------------------------------------------------------------------------------------
class PartyLedgerPage(LedgerPage):
    """Party and Youth League members' hours in a year, for the 党团服务平台."""

    placeholder = _("选择年份，点“查看”。")

    def build_controls(self, row: QHBoxLayout) -> None:
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(_(" 年"))
        show = QPushButton(_("查看"))
        show.clicked.connect(lambda: self.load())
        for widget in (QLabel(_("年度")), self.year, show,
                       QLabel(_("中共党员（含预备党员）和共青团员的年度服务时长，用于党团服务平台。"))):
            row.addWidget(widget)

    def read(self, session: Session) -> object | None:
        return ledger_views.party_ledger(session, self.ctx.actor, self.year.value())

