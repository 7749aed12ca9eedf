"""PDF pages as images, through pdfium (PySide6-Essentials has no QtPdf): for the preview and for printing.

PDFium may not be called from two threads at once, not even on different documents, so every call
goes through one lock: the preview (GUI thread) and a print job (worker thread) can run together.
A document is read into memory when opened, so the file behind it can be replaced or deleted while
it is shown (Windows would refuse to while pdfium held it open).
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path

import pypdfium2 as pdfium

from ...errors import StationError
from ...i18n import _
from ..qt import QImage

_PDFIUM = threading.RLock()
_OPEN: weakref.WeakSet[PdfPages] = weakref.WeakSet()  # closed at exit by close_all()
POINTS_PER_INCH = 72.0


def close_all() -> None:
    """Close every document still open (the program is ending; pdfium would complain at exit)."""
    for pages in list(_OPEN):
        pages.close()


class PdfPages:
    """An open PDF: its page count, page sizes (points, as displayed) and pages rendered to images."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise StationError(_("无法读取文件 {f}：{e}").format(f=self.path, e=exc.strerror or exc)) from exc
        with _PDFIUM:
            try:
                self._pdf: pdfium.PdfDocument | None = pdfium.PdfDocument(data)
            except pdfium.PdfiumError as exc:
                raise StationError(_("文件 {f} 不是可以打开的 PDF 文件。").format(f=self.path.name)) from exc
            self._count = len(self._pdf)
        _OPEN.add(self)

    def __enter__(self) -> PdfPages:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        with _PDFIUM:
            if self._pdf is not None:
                self._pdf.close()
                self._pdf = None

    def size(self, index: int) -> tuple[float, float]:
        """Width and height of page ``index`` (0-based) in points, rotation applied."""
        with _PDFIUM:
            return self._document().get_page_size(index)

    def sizes(self) -> list[tuple[float, float]]:
        with _PDFIUM:
            pdf = self._document()
            return [pdf.get_page_size(i) for i in range(self._count)]

    def render(self, index: int, dpi: float) -> QImage:
        """Page ``index`` (0-based) on white at ``dpi``; the image owns its pixels and knows its resolution."""
        with _PDFIUM:
            page = self._document()[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH, prefer_bgrx=True, rev_byteorder=True)  # RGBX bytes
                image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                               QImage.Format.Format_RGBX8888).copy()
            finally:
                page.close()
        dots_per_metre = round(dpi / 0.0254)
        image.setDotsPerMeterX(dots_per_metre)
        image.setDotsPerMeterY(dots_per_metre)
        return image

    def _document(self) -> pdfium.PdfDocument:
        if self._pdf is None:
            raise ValueError("the PDF has been closed")
        return self._pdf


def page_count(path: str | Path) -> int:
    """How many pages the PDF at ``path`` has (StationError with a Chinese message if it cannot be read)."""
    with PdfPages(path) as pages:
        return len(pages)


def render_page(path: str | Path, index: int, dpi: float) -> QImage:
    """Page ``index`` (0-based) of the PDF at ``path`` rendered at ``dpi``."""
    with PdfPages(path) as pages:
        return pages.render(index, dpi)
