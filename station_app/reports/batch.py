"""Render a batch of print-centre documents: into one PDF, or one PDF per document in a folder.

Before anything is written every text of every document is checked against the bundled fonts
(:func:`~station_app.reports.fonts.check_printable`), so a name no font can draw stops the batch
with a message naming the person and the character instead of printing a blank. Files are written
under temporary names and renamed into place only when the whole batch is done: a cancel or an
error leaves no file of this call behind (and an older file of the same name untouched).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from ..errors import StationError, ValidationError
from .certificates import printable_texts, write_certificates
from .documents import HonourCertificate, HonourRoll, RecordCertificate, StarCertificate
from .fonts import check_printable

Document = StarCertificate | HonourCertificate | RecordCertificate | HonourRoll

WORDING = {
    "cancelled": "已取消，没有生成文件。",
    "one_file_single": "服务记录证明和光荣榜每份单独成一个文件，不能和其他文件合并打印。请选择“每份一个文件”。",
    "unknown": "不认识的打印文件：{kind}",
    "unnamed": "证书",
}

_UNSAFE = re.compile(r'[/\\:*?"<>|\x00-\x1f]')


class PrintCancelled(StationError):
    """The user cancelled a batch; nothing it started was left on disk."""

    def __init__(self, message: str = WORDING["cancelled"]) -> None:
        super().__init__(message)


def safe_stem(stem: str) -> str:
    """A file name without / \\ : * ? " < > | (or control characters), never empty or hidden."""
    cleaned = _UNSAFE.sub("_", stem).strip().strip(".")
    return cleaned or WORDING["unnamed"]


def _draw_single(doc: Document, path: Path) -> None:
    """A document that is its own file (several portrait pages, or an A3 poster)."""
    if isinstance(doc, RecordCertificate):
        from .record_certificate import record_certificate

        record_certificate(doc, path)
    elif isinstance(doc, HonourRoll):
        from .honour_roll import honour_roll

        honour_roll(doc, path)
    elif isinstance(doc, (StarCertificate, HonourCertificate)):
        write_certificates([doc], path)
    else:
        raise ValidationError(WORDING["unknown"].format(kind=type(doc).__name__))


def _temp_beside(path: Path) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".part.pdf", dir=path.parent)
    os.close(fd)
    return Path(name)


def render(
    items: Sequence[tuple[str, Document]],
    out: Path,
    *,
    one_file: bool,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Path]:
    """Draw ``items`` ((file_stem, document) pairs); returns the files written.

    ``one_file``: every star / honour certificate, one page each, into the PDF ``out``. A service
    record or an honour roll is a file of its own, so with ``one_file`` it must be the only item.
    Otherwise ``out`` is a folder (created if need be) that receives ``<file_stem>.pdf`` per item
    (a stem used twice gets " (2)", " (3)" …). ``progress(done, total)`` is called after each
    document; when ``cancelled()`` turns true the batch stops, removes what it wrote and raises
    :class:`PrintCancelled`.
    """
    out = Path(out)
    total = len(items)
    if total == 0:
        return []
    check_printable(printable_texts(doc) for _stem, doc in items)

    def step(done: int) -> None:
        if progress is not None:
            progress(done, total)
        if cancelled is not None and cancelled():
            raise PrintCancelled()

    if cancelled is not None and cancelled():
        raise PrintCancelled()
    if one_file:
        return [_one_file([doc for _stem, doc in items], out, step)]
    return _per_item(items, out, step)


def _one_file(docs: list[Document], out: Path, step: Callable[[int], None]) -> Path:
    singles = [doc for doc in docs if isinstance(doc, (RecordCertificate, HonourRoll))]
    if singles and len(docs) > 1:
        raise ValidationError(WORDING["one_file_single"])
    out.parent.mkdir(parents=True, exist_ok=True)
    if singles:
        temp = _temp_beside(out)
        try:
            _draw_single(singles[0], temp)
            step(1)
            os.replace(temp, out)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return out
    # write_certificates writes beside ``out`` and renames; a raise from the per-page callback
    # (a cancel) leaves nothing.
    return write_certificates(docs, out, on_page=step)


def _per_item(items: Sequence[tuple[str, Document]], folder: Path, step: Callable[[int], None]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    finals: list[Path] = []
    taken: set[str] = set()
    for stem, _doc in items:
        base = safe_stem(stem)
        name, n = base, 1
        while name.casefold() in taken:
            n += 1
            name = f"{base} ({n})"
        taken.add(name.casefold())
        finals.append(folder / f"{name}.pdf")
    temps: list[Path] = []
    try:
        for done, ((_stem, doc), final) in enumerate(zip(items, finals, strict=True), start=1):
            temp = _temp_beside(final)
            temps.append(temp)
            _draw_single(doc, temp)
            step(done)
        for temp, final in zip(temps, finals, strict=True):
            os.replace(temp, final)
    except BaseException:
        for temp in temps:
            temp.unlink(missing_ok=True)
        raise
    return finals
