"""全市看板 / 镇区看板: totals, each town and station, hours by category and month, and the “六有” checklist."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ...services import city as svc
from ...services.hours import MAX_LEVEL, hours_text
from ...services.ledger_export import write_xlsx
from ..common import AppContext, list_over_detail, run_service, show_error
from ..qt import (
    QAbstractItemView,
    QColor,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPainter,
    QPushButton,
    QSpinBox,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

OK_COLOUR = QColor("#1b7f3b")
MISSING_COLOUR = QColor("#b00020")
STAR_TITLES = tuple(_("{n}星").format(n="一二三四五"[lv - 1]) for lv in range(1, MAX_LEVEL + 1))


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _cell(value: object, *, number: bool = False, bold: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(str(value))
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if bold:
        font = item.font()
        font.setBold(True)
        item.setFont(font)
    return item


class BarChart(QWidget):
    """Horizontal bars with their label and hours: drawn with QPainter, no chart library."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.items: list[tuple[str, int]] = []
        self.setMinimumSize(320, 200)

    def set_items(self, items: list[tuple[str, int]]) -> None:
        self.items = items
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802 - Qt's name
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        line = metrics.height() + 8
        painter.drawText(8, metrics.ascent() + 4, self.title)
        if not self.items:
            return
        label_width = max(metrics.horizontalAdvance(label) for label, _m in self.items) + 16
        value_width = metrics.horizontalAdvance("00000.00 小时") + 8
        top = line + 8
        span = max(1, self.width() - label_width - value_width - 16)
        row = max(line, min(line * 2, (self.height() - top - 8) // max(1, len(self.items))))
        largest = max((m for _l, m in self.items), default=0) or 1
        for n, (label, minutes) in enumerate(self.items):
            y = top + n * row
            painter.setPen(self.palette().windowText().color())
            painter.drawText(8, y + (row + metrics.ascent()) // 2 - 2, label)
            width = int(span * max(0, minutes) / largest)
            painter.fillRect(label_width, y + 4, max(1 if minutes else 0, width), row - 8, QColor("#3a7bd5"))
            painter.drawText(label_width + width + 6, y + (row + metrics.ascent()) // 2 - 2,
                             _("{h} 小时").format(h=hours_text(minutes)))


class CityDashboard(QWidget):
    """The dashboard tab of a city or town administrator."""

    STATION_HEADERS = (_("镇区"), _("站点"), _("编号"), _("志愿者"), _("服务时长（小时）"), _("星级志愿者"),
                       *(label for _k, label in svc.CHECKS), _("说明"))
    FIRST_CHECK = 6

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.dash: svc.Dashboard | None = None
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(date.today().year)
        self.year.setSuffix(_(" 年"))
        self.year.valueChanged.connect(lambda _v: self.refresh())
        self.export_button = QPushButton(_("导出Excel…"))
        self.export_button.clicked.connect(lambda: self.export_excel())
        self.heading = QLabel()
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.heading.setFont(font)
        self.totals = QLabel(wordWrap=True)
        self.status = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addStretch(1)
        top.addWidget(QLabel(_("年份")))
        top.addWidget(self.year)
        top.addWidget(self.export_button)

        self.towns = _table([_("镇区"), _("站点"), _("示范达标"), _("志愿者"), _("服务时长（小时）"), *STAR_TITLES])
        self.stations = _table(list(self.STATION_HEADERS))
        self.stations.itemSelectionChanged.connect(self._show_evidence)
        self.evidence = QTextBrowser()
        self.evidence.setPlaceholderText(_("选中一个站点，这里显示“六有”每一项的依据。"))
        self.evidence.setMinimumHeight(self.evidence.fontMetrics().lineSpacing() * 9)  # the heading and the six, unscrolled
        self.towns.horizontalHeader().setStretchLastSection(False)
        over = QWidget()
        column = QVBoxLayout(over)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.towns)
        column.addWidget(list_over_detail(self.stations, self.evidence, (3, 1)), 1)

        self.by_category = BarChart(_("按服务类别（小时）"))
        self.by_month = BarChart(_("按月份（小时）"))
        charts = QWidget()
        row = QHBoxLayout(charts)
        row.addWidget(self.by_category, 1)
        row.addWidget(self.by_month, 1)

        self.pages = QTabWidget()
        self.pages.addTab(over, _("镇区与站点"))
        self.pages.addTab(charts, _("类别与月份"))

        line = QFrame(frameShape=QFrame.Shape.HLine)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.totals)
        layout.addWidget(line)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.status)
        self.refresh()

    # --- loading --------------------------------------------------------------------------------
    def refresh(self) -> None:
        dash = run_service(self, self.ctx, lambda s: svc.dashboard(s, self.ctx.actor, self.year.value()), write=False)
        if dash is None:
            return
        self.dash = dash
        f = dash.figures
        title = _("全市看板") if dash.scope.town_id is None else _("镇区看板")
        self.heading.setText(f"{dash.scope.label} · {title}")
        stars = "　".join(f"{t} {f.stars.get(lv, 0)}" for lv, t in zip(range(1, MAX_LEVEL + 1), STAR_TITLES, strict=True))
        self.totals.setText(_(
            "站点 <b>{n}</b> 个（示范达标 <b>{r}</b> 个）　　已注册志愿者 <b>{v}</b> 人　　{y} 年服务时长 <b>{h}</b> 小时"
            "　　星级志愿者 <b>{k}</b> 人（{stars}）").format(
            n=len(dash.stations), r=dash.demonstration_ready, v=f.volunteers, y=dash.year, h=hours_text(f.minutes),
            k=f.starred, stars=stars))
        self._fill_towns(dash)
        self._fill_stations(dash)
        self.by_category.set_items([(c, f.by_category.get(c, 0)) for c in svc.CATEGORIES])
        self.by_month.set_items([(_("{m}月").format(m=m + 1), f.by_month[m]) for m in range(12)])
        self.status.setText(_("统计日期 {d}。服务时长为当年计入台账的时长；志愿者为当前已注册人数；星级为截至年底有效的最高认定。").format(
            d=dash.today.isoformat()))

    def _fill_towns(self, dash: svc.Dashboard) -> None:
        rows = [(t.name, len(t.stations), t.demonstration_ready, t.figures) for t in dash.towns]
        rows.append((_("合计"), len(dash.stations), dash.demonstration_ready, dash.figures))
        self.towns.setRowCount(len(rows))
        for r, (name, n, ready, f) in enumerate(rows):
            total = r == len(rows) - 1
            values = (name, n, ready, f.volunteers, hours_text(f.minutes), *(f.stars.get(lv, 0) for lv in range(1, MAX_LEVEL + 1)))
            for c, value in enumerate(values):
                self.towns.setItem(r, c, _cell(value, number=c > 0, bold=total))
        # Every town and the 合计 row in sight: the table is as tall as its rows.
        self.towns.resizeRowsToContents()
        height = self.towns.horizontalHeader().height() + 2 * self.towns.frameWidth() + sum(
            self.towns.rowHeight(r) for r in range(self.towns.rowCount()))
        self.towns.setFixedHeight(min(height + 2, 320))

    def _fill_stations(self, dash: svc.Dashboard) -> None:
        stations = dash.stations
        self.stations.setRowCount(len(stations))
        for r, s in enumerate(stations):
            f = s.figures
            values = (s.town, s.name, s.code, f.volunteers, hours_text(f.minutes), f.starred)
            for c, value in enumerate(values):
                self.stations.setItem(r, c, _cell(value, number=c >= 3))
            for n, check in enumerate(s.checklist):
                item = _cell("✓" if check.ok else "✗")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setForeground(OK_COLOUR if check.ok else MISSING_COLOUR)
                item.setToolTip(f"{check.label}：{check.evidence}")
                self.stations.setItem(r, self.FIRST_CHECK + n, item)
            self.stations.setItem(r, self.FIRST_CHECK + len(s.checklist), _cell(s.note))
        if stations:
            self.stations.selectRow(0)
        else:
            self.evidence.clear()

    def _show_evidence(self) -> None:
        row = self.stations.currentRow()
        if self.dash is None or not 0 <= row < len(self.dash.stations):
            self.evidence.clear()
            return
        s = self.dash.stations[row]
        lines = [f"<b>{s.name}</b>（{s.code}，{s.town} {s.community}）" + (f"　<i>{s.note}</i>" if s.note else ""),
                 _("示范站点“六有”：达到 {p}/{n} 项").format(p=s.passed, n=len(s.checklist))]
        for check in s.checklist:
            colour = OK_COLOUR.name() if check.ok else MISSING_COLOUR.name()
            lines.append(f"<span style='color:{colour}'>{'✓' if check.ok else '✗'} {check.label}</span>　{check.evidence}")
        self.evidence.setHtml("<br>".join(lines))

    # --- export ---------------------------------------------------------------------------------
    @staticmethod
    def ask_path(parent: QWidget, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, _("导出看板"), suggested, _("Excel 工作簿 (*.xlsx)"))
        if not path:
            return None
        return path if path.lower().endswith(".xlsx") else path + ".xlsx"

    def export_excel(self, path: str | None = None) -> Path | None:
        if self.dash is None:
            show_error(self, _("看板还没有数据。"))
            return None
        document = svc.dashboard_document(self.dash)
        path = path or self.ask_path(self, str(Path.home() / f"{document.file_stem}.xlsx"))
        if not path:
            return None
        if not path.lower().endswith(".xlsx"):
            path += ".xlsx"
        try:
            written = write_xlsx(document, Path(path))
        except StationError as exc:
            show_error(self, exc.message)
            return None
        except OSError as exc:
            show_error(self, _("无法写入文件 {f}：{e}").format(f=path, e=exc.strerror or exc))
            return None
        self.status.setText(_("已导出：{p}").format(p=written))
        return written
