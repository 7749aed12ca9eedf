"""A canvas that knows how many pages there are: for "第 x 页 共 y 页" and running headers.

ReportLab draws a page before it knows the next, so the canvas holds each finished page back and,
when the document is saved, calls ``decorate(canvas, number, total)`` on every page before writing
it out. What ``decorate`` draws lies over the page's content (footers, running headers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from reportlab.pdfgen.canvas import Canvas

Decorate = Callable[[Canvas, int, int], None]


def numbered_canvas(decorate: Decorate) -> type[Canvas]:
    """A Canvas class for ``doc.build(story, canvasmaker=...)`` that calls ``decorate`` on each page."""

    class NumberedCanvas(Canvas):
        def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - ReportLab's signature
            super().__init__(*args, **kwargs)
            self._held: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - ReportLab's name
            self._held.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._held)
            for number, state in enumerate(self._held, start=1):
                self.__dict__.update(state)
                self.saveState()
                decorate(self, number, total)
                self.restoreState()
                super().showPage()
            super().save()

    return NumberedCanvas


def long_date(d: date | None) -> str:
    """2026年12月1日 (a date), or "—" for none."""
    if d is None:
        return "—"
    return f"{d.year}年{d.month}月{d.day}日"
