"""The Qt binding itself: regressions in PySide6 that would crash the program."""

from __future__ import annotations

import sys

import pytest

from station_app.ui.qt import Qt, QTableWidgetItem

pytestmark = pytest.mark.gui


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on")
def test_table_items_keep_their_references_to_none(qtbot):
    """PySide6 6.12.0 released a reference to None on every QTableWidgetItem.setData and
    setTextAlignment; the overview's tables at a large station then aborted the program
    ("Fatal Python error: deallocating None"). pyproject.toml holds PySide6 below 6.12."""
    item = QTableWidgetItem("甲")
    before = sys.getrefcount(None)
    for n in range(500):
        item.setData(Qt.ItemDataRole.UserRole, n)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
    assert sys.getrefcount(None) - before > -100
