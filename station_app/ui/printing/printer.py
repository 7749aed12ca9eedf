"""Printing a PDF on a QPrinter: each page rendered by pdfium at the printer's resolution (at most
300 dpi) and fitted, centred, into the printable area; landscape pages go on landscape paper.

The page range, page order, copies and collation chosen in the print dialog are honoured (copies by
the driver where it can, else by repeating pages). Painting on a QPrinter is allowed off the GUI
thread, so ``print_pdf`` runs behind a progress dialog when given a parent widget.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ..qt import QImage, QPageLayout, QPainter, QPrinter, QRectF, QWidget
from .pdf_pages import POINTS_PER_INCH, PdfPages
from .worker import JobCancelled, run_with_progress

MAX_DPI = 300


class PrintCancelled(JobCancelled):
    """The user cancelled a print run part-way."""

    def __init__(self) -> None:
        super().__init__(_("打印已取消。"))


def print_pdf(
    path: str | Path,
    printer: QPrinter,
    parent: QWidget | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> bool:
    """Print the PDF at ``path`` on ``printer`` as the print dialog set it up.

    With a ``parent`` the pages are printed on a worker thread behind a modal progress dialog (取消
    stops the run; a failure is shown there) and the answer is whether everything was printed.
    Without one it prints in the calling thread, reporting ``progress(done, total)`` per printed page
    and stopping with PrintCancelled when ``cancelled()`` turns True; a failure raises StationError.
    """
    if parent is None:
        _print(Path(path), printer, progress, cancelled)
        return True

    def job(job_progress: Callable[[int, int], None], job_cancelled: Callable[[], bool]) -> bool:
        def both(done: int, total: int) -> None:
            job_progress(done, total)
            if progress is not None:
                progress(done, total)

        _print(Path(path), printer, both, job_cancelled)
        return True

    return bool(run_with_progress(parent, _("正在打印……"), job))


def pages_to_print(printer: QPrinter, count: int) -> list[int]:
    """0-based indices of the pages to print, in order, copies repeated where the driver cannot."""
    indices = list(range(count))
    if printer.printRange() == QPrinter.PrintRange.PageRange:
        ranges = printer.pageRanges()
        if not ranges.isEmpty():
            indices = [i for i in indices if ranges.contains(i + 1)]
        elif printer.fromPage() > 0:
            last = printer.toPage() or count
            indices = [i for i in indices if printer.fromPage() <= i + 1 <= last]
    if printer.pageOrder() == QPrinter.PageOrder.LastPageFirst:
        indices.reverse()
    copies = 1 if printer.supportsMultipleCopies() else max(1, printer.copyCount())
    if copies == 1:
        return indices
    if printer.collateCopies():
        return indices * copies
    return [i for i in indices for _copy in range(copies)]


def _print(path: Path, printer: QPrinter, progress: Callable[[int, int], None] | None,
           cancelled: Callable[[], bool] | None) -> None:
    with PdfPages(path) as pages:
        sequence = pages_to_print(printer, len(pages))
        if not sequence:
            raise StationError(_("所选的页码范围里没有页面（这份文件共 {n} 页）。").format(n=len(pages)))
        if not printer.docName():
            printer.setDocName(path.stem)
        painter = QPainter()
        try:
            for done, index in enumerate(sequence):
                if cancelled is not None and cancelled():
                    if painter.isActive():
                        printer.abort()
                    raise PrintCancelled()
                width, height = pages.size(index)
                landscape = width > height
                wanted = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
                if printer.pageLayout().orientation() != wanted:
                    printer.setPageOrientation(wanted)  # takes effect from the next page; some drivers refuse
                if done == 0:
                    if not painter.begin(printer):
                        raise StationError(_("无法开始打印：打印机不可用，或输出文件无法写入。"))
                elif not printer.newPage():
                    raise StationError(_("打印到第 {n} 页时出错，打印机没有接受新的一页。").format(n=index + 1))
                paper_landscape = printer.pageLayout().orientation() == QPageLayout.Orientation.Landscape
                _draw_page(painter, printer, pages, index, (width, height), rotate=landscape != paper_landscape)
                if progress is not None:
                    progress(done + 1, len(sequence))
        finally:
            if painter.isActive():
                painter.end()


def _draw_page(painter: QPainter, printer: QPrinter, pages: PdfPages, index: int,
               size_pt: tuple[float, float], *, rotate: bool) -> None:
    """Page ``index`` fitted and centred in the printable area, turned a quarter if the paper is the other way."""
    area = printer.pageLayout().paintRectPixels(printer.resolution())
    width_pt, height_pt = size_pt
    across, down = (height_pt, width_pt) if rotate else (width_pt, height_pt)
    scale = min(area.width() / across, area.height() / down)  # device pixels per point
    dpi = min(MAX_DPI, printer.resolution(), scale * POINTS_PER_INCH)
    image: QImage = pages.render(index, dpi)
    shown_w, shown_h = across * scale, down * scale
    x = (area.width() - shown_w) / 2
    y = (area.height() - shown_h) / 2
    if not rotate:
        painter.drawImage(QRectF(x, y, shown_w, shown_h), image)
        return
    painter.save()
    painter.translate(x + shown_w, y)
    painter.rotate(90)  # the page's top edge runs down the paper's right side
    painter.drawImage(QRectF(0, 0, shown_h, shown_w), image)
    painter.restore()
