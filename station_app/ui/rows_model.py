"""A read-only table over a list of rows the service already returned: no per-cell objects.

``QTableWidget`` builds one ``QTableWidgetItem`` per cell, which for 24,000 needs × 8 columns costs
far more than reading them. ``RowsModel`` keeps the list and computes each cell when the view asks
(only the visible ones), from column definitions::

    columns = [
        Column(_("姓名"), lambda r: r.name),
        Column(_("年龄"), lambda r: str(r.age), align=CENTER),
        Column(_("紧急程度"), lambda r: r.urgency_label, foreground=lambda r: RED if r.urgent else None),
    ]
    model = RowsModel(columns, id_of=lambda r: r.id)
    table = RowsTable(model, multi=True)
    model.set_rows(rows)
    select_ids(table, [12, 13])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .qt import (
    QAbstractItemView,
    QAbstractTableModel,
    QColor,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTableView,
)

R = TypeVar("R")
Index = QModelIndex | QPersistentModelIndex

CENTER = Qt.AlignmentFlag.AlignCenter
ID_ROLE = Qt.ItemDataRole.UserRole  # the row's id (whatever ``id_of`` returns)
_ROLE = Qt.ItemDataRole


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header and how a row shows in it. Colour and tooltip functions may return None."""

    header: str
    text: Callable[[R], str]
    align: Qt.AlignmentFlag | None = None
    foreground: Callable[[R], QColor | None] | None = None
    background: Callable[[R], QColor | None] | None = None
    tooltip: Callable[[R], str | None] | None = None


class RowsModel(QAbstractTableModel, Generic[R]):
    """Rows (e.g. a service's frozen dataclasses) shown through ``Column`` definitions; read-only, flat."""

    def __init__(self, columns: Sequence[Column[R]], id_of: Callable[[R], Any] = lambda r: r.id,
                 parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.columns = tuple(columns)
        self.id_of = id_of
        self._rows: list[R] = []
        self._row_of: dict[Any, int] | None = None  # id -> row number, built when first asked

    # --- the rows ----------------------------------------------------------------------------
    def set_rows(self, rows: list[R]) -> None:
        """Show these rows instead (the view's selection is cleared, as after any reset)."""
        self.beginResetModel()
        self._rows = rows
        self._row_of = None
        self.endResetModel()

    @property
    def rows(self) -> list[R]:
        return self._rows

    def row(self, n: int) -> R | None:
        return self._rows[n] if 0 <= n < len(self._rows) else None

    def row_of(self, row_id: Any) -> int | None:  # noqa: ANN401
        """The row number showing this id, or None if it is not shown."""
        if self._row_of is None:
            self._row_of = {self.id_of(r): n for n, r in enumerate(self._rows)}
        return self._row_of.get(row_id)

    # --- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: Index, role: int = _ROLE.DisplayRole):  # noqa: ANN201
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= col < len(self.columns)):
            return None
        column, r = self.columns[col], self._rows[row]
        if role == _ROLE.DisplayRole:
            return column.text(r)
        if role == _ROLE.TextAlignmentRole:
            return column.align
        if role == _ROLE.ForegroundRole:
            return column.foreground(r) if column.foreground else None
        if role == _ROLE.BackgroundRole:
            return column.background(r) if column.background else None
        if role == _ROLE.ToolTipRole:
            return (column.tooltip(r) or None) if column.tooltip else None
        if role == ID_ROLE:
            return self.id_of(r)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole):  # noqa: ANN201, N802
        if role != _ROLE.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            return self.columns[section].header
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._rows):
            return str(section + 1)
        return None

    # flags() is deliberately not overridden: QAbstractTableModel's (enabled, selectable, no children,
    # not editable) is what a read-only list wants, and staying in C++ matters: the header asks
    # every row's flags when it paints with thousands of rows selected (0.6 s from Python at 24,000).


class RowsTable(QTableView):
    """A read-only table that selects whole rows, over a ``RowsModel``.

    ``rowCount()``/``columnCount()`` answer as ``QTableWidget``'s do, for code that only counts.
    """

    def __init__(self, model: RowsModel, *, multi: bool = False, row_height: int = 26,
                 parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.setModel(model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection if multi
                              else QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        vertical = self.verticalHeader()
        vertical.setVisible(False)
        vertical.setSectionResizeMode(vertical.ResizeMode.Fixed)  # no per-row size hints on big lists
        vertical.setDefaultSectionSize(row_height)

    def rowCount(self) -> int:  # noqa: N802
        return self.model().rowCount()

    def columnCount(self) -> int:  # noqa: N802
        return self.model().columnCount()

    def selected_row_numbers(self) -> list[int]:
        """The selected rows' numbers, top to bottom.

        Read from the selection's ranges (whole rows, as this table selects): ``selectedRows()``
        builds one index per row and costs 0.2 s when 24,000 are selected.
        """
        rows: set[int] = set()
        for selected in self.selectionModel().selection():
            rows.update(range(selected.top(), selected.bottom() + 1))
        return sorted(rows)


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive numbers: [1, 2, 3, 7] -> [(1, 3), (7, 7)]."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def select_rows(view: QTableView, rows: Iterable[int], *, scroll: bool = True) -> list[int]:
    """Select exactly these rows (whole rows) at once; the first becomes current and is scrolled to.

    One ``QItemSelection`` with a range per run of consecutive rows, so selecting thousands of
    rows costs two selection signals (cleared, selected) and one repaint, not one per row.
    Returns the rows selected.
    """
    model, selection_model = view.model(), view.selectionModel()
    last_column = model.columnCount() - 1
    numbers = [n for n in rows if 0 <= n < model.rowCount()]
    flags = QItemSelectionModel.SelectionFlag
    selection = QItemSelection()
    if last_column >= 0:
        for first, last in _runs(numbers):
            selection.select(model.index(first, 0), model.index(last, last_column))
    # Clear, then select: Qt's ClearAndSelect diffs the old selection against the new one, which takes
    # seconds when thousands of separate rows replace a big selection. The ranges already span whole
    # rows; the Rows flag would expand them again, also quadratically in their number.
    selection_model.clearSelection()
    if len(selection):
        selection_model.select(selection, flags.Select)
    if numbers and last_column >= 0:
        first = model.index(min(numbers), 0)
        selection_model.setCurrentIndex(first, flags.NoUpdate)  # keyboard moves from here
        if scroll:
            view.scrollTo(first)
    return sorted(set(numbers))


def select_ids(view: QTableView, ids: Iterable[Any], *, scroll: bool = True) -> list[int]:
    """Select the rows showing these ids (those not shown are skipped); see ``select_rows``."""
    model: RowsModel = view.model()
    found = (model.row_of(i) for i in ids)
    return select_rows(view, (n for n in found if n is not None), scroll=scroll)


def view_texts(view: QAbstractItemView) -> list[list[str]]:
    """What a table shows, cell by cell (works for any table model, ``QTableWidget``'s too)."""
    model = view.model()
    return [[model.index(r, c).data() or "" for c in range(model.columnCount())] for r in range(model.rowCount())]
