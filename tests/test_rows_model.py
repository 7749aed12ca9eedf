"""The list-backed table model behind the big demand lists: a valid Qt model, cells computed on demand."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from station_app.ui.qt import QColor, Qt
from station_app.ui.rows_model import (
    CENTER,
    ID_ROLE,
    Column,
    RowsModel,
    RowsTable,
    select_ids,
    select_rows,
    view_texts,
)

pytestmark = pytest.mark.gui

RED = QColor("#b00020")
PINK = QColor("#fde2e1")


@dataclass(frozen=True)
class Household:
    id: int
    name: str
    age: int
    overdue: bool = False
    note: str = ""


COLUMNS = (
    Column("姓名", lambda r: r.name, background=lambda r: PINK if r.overdue else None,
           tooltip=lambda r: r.note),
    Column("年龄", lambda r: str(r.age), align=CENTER, foreground=lambda r: RED if r.age >= 80 else None),
)


def households(n: int) -> list[Household]:
    return [Household(id=100 + k, name=f"居民{k}", age=60 + k % 40, overdue=k % 3 == 0) for k in range(n)]


@pytest.fixture
def table(qtbot):
    view = RowsTable(RowsModel(COLUMNS), multi=True)
    qtbot.addWidget(view)
    return view


def test_is_a_valid_qt_model_empty_filled_and_refilled(qtmodeltester):
    model = RowsModel(COLUMNS)
    qtmodeltester.check(model)
    model.set_rows(households(30))
    qtmodeltester.check(model)
    model.set_rows(households(5))
    qtmodeltester.check(model)
    model.set_rows([])
    qtmodeltester.check(model)


def test_cells_show_text_alignment_colours_tooltip_and_id(table):
    model = table.model()
    model.set_rows([Household(7, "何丽华", 82, overdue=True, note="腿脚不便"), Household(8, "欧阳明", 64)])
    assert view_texts(table) == [["何丽华", "82"], ["欧阳明", "64"]]
    assert table.rowCount() == 2 and table.columnCount() == 2
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(2)] == ["姓名", "年龄"]
    grandma, neighbour = model.index(0, 1), model.index(1, 1)
    assert grandma.data(Qt.ItemDataRole.TextAlignmentRole) == CENTER
    assert grandma.data(Qt.ItemDataRole.ForegroundRole) == RED
    assert neighbour.data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) == PINK
    assert model.index(1, 0).data(Qt.ItemDataRole.BackgroundRole) is None
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == "腿脚不便"
    assert model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole) is None  # empty: no tooltip box
    assert model.index(1, 1).data(ID_ROLE) == 8
    assert not model.flags(grandma) & Qt.ItemFlag.ItemIsEditable


def test_selecting_by_id_skips_those_not_shown_and_replaces_the_selection(table):
    table.model().set_rows(households(10))
    assert select_ids(table, [103, 104, 108, 999]) == [3, 4, 8]
    assert table.selected_row_numbers() == [3, 4, 8]
    assert table.currentIndex().row() == 3
    select_ids(table, [101])
    assert table.selected_row_numbers() == [1]
    select_ids(table, [])
    assert table.selected_row_numbers() == []


def test_a_new_list_finds_ids_in_their_new_rows(table):
    model = table.model()
    model.set_rows(households(10))
    assert model.row_of(105) == 5
    model.set_rows(list(reversed(households(10))))
    assert model.row_of(105) == 4 and model.row(4).name == "居民5"
    assert model.row(10) is None and model.row_of(555) is None


def test_thousands_of_rows_select_at_once(qtbot, table):
    """One selection per call, not one per row (how fast it is lives in bench/bench_demand.py)."""
    model = table.model()
    model.set_rows(households(24_000))
    changes: list[object] = []
    table.selectionModel().selectionChanged.connect(lambda *args: changes.append(args))
    select_ids(table, [100 + k for k in range(24_000)])  # one run: all of them
    assert len(table.selected_row_numbers()) == 24_000 and len(changes) <= 2
    changes.clear()
    every_other = select_rows(table, range(0, 24_000, 2))  # replacing a big selection by 12,000 pieces
    assert len(every_other) == 12_000 and len(changes) <= 2  # not one signal per row
    assert table.selected_row_numbers()[:3] == [0, 2, 4] and len(table.selected_row_numbers()) == 12_000
