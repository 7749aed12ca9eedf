"""The roster table model: holds matching ids, fetches rows a page at a time (sorting and filtering in SQL)."""

from __future__ import annotations

from collections import OrderedDict

from ...i18n import _
from ...services import volunteers as svc
from ..common import AppContext
from ..qt import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex

# (key, header, sortable). Masked columns do not sort: the order would give the numbers away.
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("volunteer_no", _("志愿者编号"), True),
    ("name", _("姓名"), True),
    ("gender", _("性别"), True),
    ("age", _("年龄"), True),
    ("id_number", _("身份证号"), False),
    ("phone", _("联系电话"), False),
    ("political_status", _("政治面貌"), True),
    ("status", _("状态"), True),
    ("is_backbone", _("骨干"), True),
    ("skills", _("服务技能"), False),
)
ID_ROLE = Qt.ItemDataRole.UserRole + 1


class RosterModel(QAbstractTableModel):
    PAGE_SIZE = 200
    CACHE_ROWS = 5000

    def __init__(self, ctx: AppContext, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.ctx = ctx
        self.filter = svc.RosterFilter()
        self.sort_key = "volunteer_no"
        self.descending = False
        self._loaded = False
        self._ids: list[int] = []
        self._rows: OrderedDict[int, svc.RosterRow | None] = OrderedDict()

    # --- loading -----------------------------------------------------------------------------
    def reload(self) -> None:
        """Run the id query again (after a filter, sort or data change)."""
        self.beginResetModel()
        with self.ctx.db.session(write=False) as session:
            self._ids = svc.roster_ids(session, self.ctx.actor, self.filter, self.sort_key, self.descending)
        self._rows.clear()
        self._loaded = True
        self.endResetModel()

    def set_filter(self, flt: svc.RosterFilter) -> None:
        self.filter = flt
        self.reload()

    def invalidate(self, volunteer_id: int) -> None:
        """Forget one cached row (after it was edited) and repaint it."""
        self._rows.pop(volunteer_id, None)
        row = self.row_of(volunteer_id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _fetch_page(self, row: int) -> None:
        start = max(0, row - self.PAGE_SIZE // 4)
        page = [i for i in self._ids[start : start + self.PAGE_SIZE] if i not in self._rows]
        with self.ctx.db.session(write=False) as session:
            found = svc.roster_rows(session, self.ctx.actor, page)
        for volunteer_id in page:
            self._rows[volunteer_id] = found.get(volunteer_id)  # None: removed meanwhile
        while len(self._rows) > self.CACHE_ROWS:
            self._rows.popitem(last=False)

    def row_data(self, row: int) -> svc.RosterRow | None:
        volunteer_id = self._ids[row]
        if volunteer_id not in self._rows:
            self._fetch_page(row)
        else:
            self._rows.move_to_end(volunteer_id)
        return self._rows.get(volunteer_id)

    # --- lookups -----------------------------------------------------------------------------
    def volunteer_id(self, row: int) -> int | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, volunteer_id: int) -> int | None:
        try:
            return self._ids.index(volunteer_id)
        except ValueError:
            return None

    # --- Qt model interface ------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201
        if not index.isValid() or not (0 <= index.row() < len(self._ids)):
            return None
        if role == ID_ROLE:
            return self._ids[index.row()]
        if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[index.column()][0] in ("age", "gender", "is_backbone"):
            return Qt.AlignmentFlag.AlignCenter
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        row = self.row_data(index.row())
        if row is None:
            return _("（已删除）") if index.column() == 1 else ""
        key = COLUMNS[index.column()][0]
        value = getattr(row, key)
        if key == "is_backbone":
            return _("骨干") if value else ""
        return str(value)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: ANN201, N802
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            return COLUMNS[section][1]
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not (0 <= column < len(COLUMNS)) or not COLUMNS[column][2]:
            return
        key, descending = COLUMNS[column][0], order == Qt.SortOrder.DescendingOrder
        if self._loaded and (key, descending) == (self.sort_key, self.descending):
            return
        self.sort_key, self.descending = key, descending
        if self._loaded:  # before the first load, the view is only telling us its initial order
            self.reload()
