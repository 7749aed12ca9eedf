"""A ledger document on screen: its facts, its first table large, the others beside it, and its notes.

The same :class:`LedgerDocument` is written to Excel and PDF, so what the screen shows is what
the export says. Tables are ``RowsModel`` views (a month can hold thousands of lines); a
correction shows in grey under its record, the totals row shaded.
"""

from __future__ import annotations

from html import escape

from ...i18n import _
from ...services.ledger_export import LedgerDocument, Row, Table, cell_text
from ..qt import QColor, QHeaderView, QLabel, QSplitter, Qt, QTabWidget, QVBoxLayout, QWidget
from ..rows_model import Column, RowsModel, RowsTable

SUB_INK = QColor("#777777")
TOTAL_FILL = QColor("#eeeeee")
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def _model(table: Table) -> tuple[RowsModel, list[Row]]:
    total = Row(table.totals) if table.totals is not None else None
    rows = list(table.rows) + ([total] if total is not None else [])

    def column(n: int, title: str, kind: str) -> Column[Row]:
        return Column(
            title, lambda r: cell_text(r.values[n], kind),
            align=RIGHT if kind in ("hours", "count") else None,
            foreground=lambda r: SUB_INK if r.sub else None,
            background=lambda r: TOTAL_FILL if r is total else None,
            tooltip=lambda r: cell_text(r.values[n], kind) if kind == "text" and r.values[n] else None,
        )

    model = RowsModel([column(n, c.title, c.kind) for n, c in enumerate(table.columns)], id_of=id)
    model.set_rows(rows)
    return model, rows


def table_view(table: Table) -> RowsTable:
    model, _rows = _model(table)
    view = RowsTable(model)
    header = view.horizontalHeader()
    for n, column in enumerate(table.columns):
        view.setColumnWidth(n, int(column.width * 7 + 12))
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    if table.totals is not None:  # the totals label over the blank cells after it, as printed
        label_end = next((n for n, v in enumerate(table.totals) if n and v is not None), len(table.totals))
        if label_end > 1:
            view.setSpan(model.rowCount() - 1, 0, 1, label_end)
    return view


class DocumentView(QWidget):
    """Shows one ledger document; ``tables`` are the on-screen tables, in the document's order."""

    def __init__(self, placeholder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.placeholder = placeholder
        self.facts = QLabel(wordWrap=True)
        self.facts.setTextFormat(Qt.TextFormat.RichText)
        self.notes = QLabel(wordWrap=True)
        self.notes.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes.setStyleSheet("background: #f7f7f7; border: 1px solid #cccccc; padding: 6px;")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.side = QTabWidget()
        self.tables: list[RowsTable] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.facts)
        layout.addWidget(self.splitter, 1)
        layout.addWidget(self.notes)
        self.set_document(None)

    def set_document(self, doc: LedgerDocument | None) -> None:
        for view in self.tables:
            view.setParent(None)
            view.deleteLater()
        self.tables = []
        self.side.clear()
        self.side.setParent(None)
        if doc is None:
            self.facts.setText(f"<span style='color:#666'>{escape(self.placeholder)}</span>")
            self.notes.hide()
            return
        self.facts.setText(self._facts_html(doc))
        first, *others = doc.tables
        main = table_view(first)
        self.tables.append(main)
        self.splitter.addWidget(main)
        for table in others:
            view = table_view(table)
            self.tables.append(view)
            self.side.addTab(view, table.title)
        if others:
            self.splitter.addWidget(self.side)
            self.splitter.setStretchFactor(0, 7)
            self.splitter.setStretchFactor(1, 3)
            self.splitter.setSizes([7000, 3000])  # proportions: the records get most of the width
        self.notes.setText("\n".join(doc.notes))
        self.notes.setVisible(bool(doc.notes))

    @staticmethod
    def _facts_html(doc: LedgerDocument) -> str:
        title = escape(f"{doc.title}　{doc.subtitle}".strip())
        facts = "　　".join(f"<span style='color:#666'>{escape(k)}</span> {escape(v)}" for k, v in doc.facts)
        return f"<b style='font-size:15px'>{title}</b><br/>{facts}"


NO_SELECTION = _("请先选择要查看的台账。")
