"""A PDF on screen before it is printed: pages one under another, zoom, 打印… and 另存为 PDF….

Only the pages in (or next to) the visible part of the scroll area are rendered, when they are painted,
and a few are kept, so a thousand-page document opens as fast as a one-page one. Page sizes come from
the PDF without rendering, so the scroll bar is right from the start.
"""

from __future__ import annotations

import bisect
import functools
import shutil
from collections import OrderedDict
from pathlib import Path

from ...errors import StationError
from ...i18n import _
from ..common import show_error
from ..qt import (
    QAbstractPrintDialog,
    QColor,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QImage,
    QLabel,
    QPainter,
    QPen,
    QPrintDialog,
    QPrinter,
    QPushButton,
    QRectF,
    QScrollArea,
    Qt,
    QVBoxLayout,
    QWidget,
)
from .pdf_pages import POINTS_PER_INCH, PdfPages
from .printer import print_pdf

MAX_PREVIEW_DPI = 200
CACHED_PAGES = 12
FIT_WIDTH = 0.0


def _close_all(documents: list[PdfPages]) -> None:
    while documents:
        documents.pop().close()


class _PageCanvas(QWidget):
    """The pages stacked vertically at one scale; paints (and renders) only what is exposed."""

    GAP = 14
    MARGIN = 14

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: PdfPages | None = None
        self.sizes: list[tuple[float, float]] = []
        self.scale = 1.0  # screen pixels per PDF point
        self._tops: list[int] = []
        self._cache: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("#d6d6d6"))
        self.setPalette(palette)

    def set_document(self, pages: PdfPages | None) -> None:
        self.pages = pages
        self.sizes = pages.sizes() if pages is not None else []
        self._cache.clear()
        self.relayout()

    def set_scale(self, scale: float) -> None:
        if abs(scale - self.scale) > 1e-6:
            self.scale = scale
            self.relayout()

    def relayout(self) -> None:
        self._tops = []
        top = self.MARGIN
        widest = 0
        for width, height in self.sizes:
            self._tops.append(top)
            top += round(height * self.scale) + self.GAP
            widest = max(widest, round(width * self.scale))
        self.setFixedSize(widest + 2 * self.MARGIN, top - self.GAP + self.MARGIN if self.sizes else 0)
        self.update()

    def page_rect(self, index: int) -> QRectF:
        width, height = self.sizes[index]
        w, h = round(width * self.scale), round(height * self.scale)
        return QRectF((self.width() - w) / 2, self._tops[index], w, h)

    def page_at(self, y: int) -> int:
        """The index of the page at (or just above) height ``y``."""
        return max(0, bisect.bisect_right(self._tops, y) - 1)

    def image(self, index: int) -> QImage:
        ratio = self.devicePixelRatioF()
        dpi = min(MAX_PREVIEW_DPI, max(24, round(self.scale * POINTS_PER_INCH * ratio)))
        key = (index, dpi)
        image = self._cache.get(key)
        if image is None:
            assert self.pages is not None
            image = self.pages.render(index, dpi)
            self._cache[key] = image
            while len(self._cache) > CACHED_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return image

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if not self.sizes:
            return
        exposed = event.rect()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        index = self.page_at(exposed.top())
        while index < len(self.sizes) and self._tops[index] <= exposed.bottom():
            rect = self.page_rect(index)
            painter.fillRect(rect.translated(3, 3), QColor("#9e9e9e"))  # a shadow under the sheet
            try:
                painter.drawImage(rect, self.image(index))
            except Exception:  # a damaged page must not stop the others from showing
                painter.fillRect(rect, QColor("white"))
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _("这一页无法显示"))
            painter.setPen(QPen(QColor("#777777"), 1))
            painter.drawRect(rect)
            index += 1
        painter.end()


class PdfPreview(QWidget):
    """A PDF's pages with zoom, 打印… and 另存为 PDF…; ``set_pdf(path)`` shows one, ``clear()`` empties it."""

    ZOOMS = ((_("适合宽度"), FIT_WIDTH), ("50%", 0.5), ("75%", 0.75), ("100%", 1.0), ("150%", 1.5), ("200%", 2.0))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._path: Path | None = None
        self._pages: PdfPages | None = None
        self._open: list[PdfPages] = []  # what a deleted preview still has to close (not self: it is gone)
        self.destroyed.connect(functools.partial(_close_all, self._open))
        self.suggested_name = ""
        self.count_label = QLabel()
        self.zoom = QComboBox()
        for text, value in self.ZOOMS:
            self.zoom.addItem(text, value)
        self.zoom.currentIndexChanged.connect(lambda _index: self._apply_zoom())
        self.status = QLabel()
        self.status.setStyleSheet("color: #555;")
        self.print_button = QPushButton(_("打印…"))
        self.save_button = QPushButton(_("另存为 PDF…"))
        self.print_button.clicked.connect(lambda: self.print_document())
        self.save_button.clicked.connect(lambda: self.save_as())
        self.canvas = _PageCanvas()
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.canvas)
        self.scroll.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)  # fit-width does not flicker
        self.scroll.setBackgroundRole(self.canvas.backgroundRole())
        self.scroll.viewport().setPalette(self.canvas.palette())
        self.empty = QLabel(_("没有可预览的文件。"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: #777;")
        bar = QHBoxLayout()
        bar.addWidget(self.count_label)
        bar.addWidget(QLabel(_("缩放")))
        bar.addWidget(self.zoom)
        bar.addWidget(self.status, 1)
        bar.addWidget(self.print_button)
        bar.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.empty, 1)
        self.clear()

    # --- the document ----------------------------------------------------------------------------
    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def page_count(self) -> int:
        return len(self._pages) if self._pages is not None else 0

    def set_pdf(self, path: str | Path, suggested_name: str | None = None) -> bool:
        """Show the PDF at ``path`` (``suggested_name``: the file name 另存为 offers); False if it cannot be read."""
        self.clear()
        try:
            pages = PdfPages(path)
        except StationError as exc:
            self.empty.setText(exc.message)
            return False
        self._path = Path(path)
        self._pages = pages
        self._open.append(pages)
        self.suggested_name = suggested_name or self._path.name
        self.canvas.set_document(pages)
        self.count_label.setText(_("共 {n} 页").format(n=len(pages)))
        self.scroll.setVisible(True)
        self.empty.setVisible(False)
        for widget in (self.zoom, self.print_button, self.save_button):
            widget.setEnabled(True)
        self._apply_zoom()
        self.scroll.verticalScrollBar().setValue(0)
        return True

    def clear(self) -> None:
        self.canvas.set_document(None)
        _close_all(self._open)
        self._pages = None
        self._path = None
        self.suggested_name = ""
        self.count_label.setText("")
        self.status.setText("")
        self.empty.setText(_("没有可预览的文件。"))
        self.scroll.setVisible(False)
        self.empty.setVisible(True)
        for widget in (self.zoom, self.print_button, self.save_button):
            widget.setEnabled(False)

    def page_image(self, index: int) -> QImage:
        """Page ``index`` as the preview shows it at the current zoom."""
        return self.canvas.image(index)

    # --- zoom --------------------------------------------------------------------------------------
    def set_zoom(self, value: float) -> None:
        """``FIT_WIDTH`` (0) or a factor of the page's real size (1.0 = 100%)."""
        index = self.zoom.findData(value)
        self.zoom.setCurrentIndex(index if index >= 0 else 0)
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        if not self.canvas.sizes:
            return
        value = self.zoom.currentData() or FIT_WIDTH
        if value == FIT_WIDTH:
            widest = max(width for width, _height in self.canvas.sizes)
            room = self.scroll.viewport().width() - 2 * _PageCanvas.MARGIN
            scale = max(0.1, room / widest)
        else:
            scale = value * self.logicalDpiX() / POINTS_PER_INCH
        self.canvas.set_scale(scale)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._apply_zoom()

    # --- print and save ----------------------------------------------------------------------------
    @staticmethod
    def ask_printer(parent: QWidget | None) -> QPrinter | None:
        """The print dialog; the printer as the user set it up, or None if they cancelled."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(_("打印"))
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintSelection, False)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintCurrentPage, False)
        dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, True)
        if isinstance(parent, PdfPreview) and parent.page_count:
            dialog.setMinMax(1, parent.page_count)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return printer if accepted else None

    @staticmethod
    def ask_save_path(parent: QWidget | None, suggested: str) -> str | None:
        """Where to save a copy; None if the user cancelled."""
        path, _filter = QFileDialog.getSaveFileName(
            parent, _("另存为 PDF"), str(Path.home() / suggested), _("PDF 文件 (*.pdf)"))
        return path or None

    def print_document(self) -> bool:
        """打印…: the print dialog, then every chosen page with a progress dialog. True if it was printed."""
        if self._path is None:
            return False
        printer = self.ask_printer(self)
        if printer is None:
            return False
        if print_pdf(self._path, printer, parent=self):
            self.status.setText(_("已送往打印机：{p}").format(p=printer.printerName() or printer.outputFileName()))
            return True
        return False

    def save_as(self) -> Path | None:
        """另存为 PDF…: a byte-for-byte copy where the user chooses; None if cancelled or it failed (said why)."""
        if self._path is None:
            return None
        chosen = self.ask_save_path(self, self.suggested_name or self._path.name)
        if not chosen:
            return None
        target = Path(chosen)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        try:
            if target.resolve() != self._path.resolve():
                shutil.copyfile(self._path, target)
        except OSError as exc:
            show_error(self, _("无法保存文件 {f}：{e}").format(f=target, e=exc.strerror or exc))
            return None
        self.status.setText(_("已保存：{p}").format(p=target))
        return target


class PreviewDialog(QDialog):
    """A PDF preview in its own window, for screens that produce a document to look at and print."""

    def __init__(self, path: str | Path, title: str, parent: QWidget | None = None,
                 suggested_name: str | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 760)
        self.preview = PdfPreview()
        self.preview.set_pdf(path, suggested_name)
        close = QPushButton(_("关闭"))
        close.clicked.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.preview, 1)
        layout.addLayout(bottom)

    def done(self, result: int) -> None:
        self.preview.clear()  # let go of the document now, not when Python collects the dialog
        super().done(result)

    @staticmethod
    def show_pdf(parent: QWidget | None, path: str | Path, title: str, suggested_name: str | None = None) -> None:
        """Show the PDF at ``path`` in a modal preview window until the user closes it."""
        dialog = PreviewDialog(path, title, parent, suggested_name)
        dialog.exec()
        dialog.deleteLater()
