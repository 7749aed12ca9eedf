"""The print centre's generic pieces: PDF preview, printing, saving, background jobs, the signing key
and 校验证书, driven as a person would (printing goes to a PDF file, which is how Qt prints offscreen)."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from station_app.errors import StationError
from station_app.reports.fonts import HEI, register_fonts
from station_app.services import certificates
from station_app.services.auth import Role
from station_app.ui.common import AppContext
from station_app.ui.printing import pdf_pages, signing
from station_app.ui.printing.preview import FIT_WIDTH, PdfPreview, PreviewDialog
from station_app.ui.printing.printer import print_pdf
from station_app.ui.printing.verify_dialog import VerifyCertificateDialog
from station_app.ui.printing.worker import BackgroundJob, JobCancelled, run_with_progress
from station_app.ui.qt import QApplication, QMessageBox, QPrinter, QProgressDialog, QTimer

from .conftest import ADMIN_PASSWORD, add_user, setup_station
from .shots import shot

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


# --- fixtures --------------------------------------------------------------------------------------
@pytest.fixture
def three_pages(tmp_path: Path) -> Path:
    """A portrait page, a landscape page, a portrait page, each saying which it is."""
    register_fonts()
    path = tmp_path / "三页.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, size in ((1, A4), (2, landscape(A4)), (3, A4)):
        pdf.setPageSize(size)
        width, height = size
        pdf.setLineWidth(6)
        pdf.rect(36, 36, width - 72, height - 72)
        pdf.setFont(HEI, 36)
        pdf.drawCentredString(width / 2, height / 2, f"第 {number} 页" + ("（横向）" if width > height else ""))
        pdf.showPage()
    pdf.save()
    return path


@pytest.fixture
def ctx(sqlite_db) -> AppContext:
    return AppContext(db=sqlite_db, actor=setup_station(sqlite_db), station_name="康华花园物业志愿服务站")


@pytest.fixture
def errors(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, message, *a: shown.append(message))
    return shown


@pytest.fixture
def infos(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _parent, _title, message, *a: shown.append(message))
    return shown


def pdf_printer(path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def inked(image) -> int:
    """How many sampled pixels are not white (a blank page has none)."""
    step = max(1, min(image.width(), image.height()) // 80)
    return sum(
        1
        for x in range(0, image.width(), step)
        for y in range(0, image.height(), step)
        if image.pixelColor(x, y).lightness() < 200
    )


def orientations(path: Path) -> list[str]:
    return ["横" if float(p.mediabox.width) > float(p.mediabox.height) else "竖" for p in PdfReader(str(path)).pages]


# --- pages and preview -------------------------------------------------------------------------------
def test_pages_render_to_images_with_ink(three_pages):
    assert pdf_pages.page_count(three_pages) == 3
    portrait = pdf_pages.render_page(three_pages, 0, 50)
    wide = pdf_pages.render_page(three_pages, 1, 50)
    assert portrait.height() > portrait.width() and wide.width() > wide.height()
    assert inked(portrait) > 20


def test_a_file_that_is_not_a_pdf_is_refused_in_chinese(tmp_path):
    junk = tmp_path / "坏文件.pdf"
    junk.write_bytes(b"not a pdf at all")
    with pytest.raises(StationError, match="不是可以打开的 PDF"):
        pdf_pages.page_count(junk)


def test_preview_shows_page_count_pages_and_zoom(qtbot, three_pages):
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.resize(760, 820)
    assert not preview.print_button.isEnabled()  # nothing to print yet
    preview.show()
    assert preview.set_pdf(three_pages)
    assert preview.count_label.text() == "共 3 页"
    assert preview.print_button.isEnabled() and preview.save_button.isEnabled()
    assert inked(preview.page_image(0)) > 20
    wide = preview.canvas.page_rect(1)
    assert wide.width() > wide.height()  # the landscape page is shown landscape
    # 适合宽度: the widest page fills the visible width, so no horizontal scrolling.
    assert preview.canvas.width() <= preview.scroll.viewport().width()
    shot(preview, "print_preview_fit")
    preview.set_zoom(2.0)
    assert preview.canvas.width() > preview.scroll.viewport().width()
    preview.set_zoom(FIT_WIDTH)
    preview.clear()
    assert preview.count_label.text() == "" and not preview.print_button.isEnabled()


def test_preview_of_a_long_document_renders_only_what_is_seen(qtbot, tmp_path, monkeypatch):
    path = tmp_path / "长.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number in range(300):
        pdf.drawString(72, 720, f"page {number + 1}")
        pdf.showPage()
    pdf.save()
    rendered: list[int] = []
    real = pdf_pages.PdfPages.render
    monkeypatch.setattr(pdf_pages.PdfPages, "render", lambda self, i, dpi: rendered.append(i) or real(self, i, dpi))
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.resize(700, 800)
    preview.show()
    preview.set_pdf(path)
    preview.grab()  # paint what is visible, as the screen would
    assert preview.count_label.text() == "共 300 页"
    assert 1 <= len(set(rendered)) <= 4 and max(rendered) < 4


def test_preview_dialog_shows_the_pdf_under_a_title(qtbot, three_pages):
    dialog = PreviewDialog(three_pages, "预览：星级证书")
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "预览：星级证书"
    assert dialog.preview.count_label.text() == "共 3 页"
    dialog.reject()
    assert dialog.preview.page_count == 0  # the document was let go


# --- printing ----------------------------------------------------------------------------------------
def test_print_pdf_prints_every_page_the_right_way_round(qtbot, three_pages, tmp_path):
    out = tmp_path / "printed.pdf"
    seen: list[tuple[int, int]] = []
    assert print_pdf(three_pages, pdf_printer(out), progress=lambda done, total: seen.append((done, total)))
    assert orientations(out) == ["竖", "横", "竖"]
    assert seen[-1] == (3, 3)
    first = pdf_pages.render_page(out, 0, 40)
    assert inked(first) > 20  # the page's picture is on the paper


def test_print_pdf_honours_page_range_and_copies(qtbot, three_pages, tmp_path):
    out = tmp_path / "range.pdf"
    printer = pdf_printer(out)
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    printer.setCopyCount(2)
    printer.setCollateCopies(True)
    print_pdf(three_pages, printer)
    assert orientations(out) == ["横", "竖", "横", "竖"]


def test_print_button_prints_through_the_dialog_and_progress(qtbot, three_pages, tmp_path, monkeypatch, errors):
    out = tmp_path / "from-button.pdf"
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(three_pages)
    monkeypatch.setattr(PdfPreview, "ask_printer", staticmethod(lambda parent: pdf_printer(out)))
    preview.print_button.click()
    assert errors == []
    assert len(PdfReader(str(out)).pages) == 3
    assert "已送往打印机" in preview.status.text()


def test_print_cancelled_in_the_print_dialog_prints_nothing(qtbot, three_pages, monkeypatch):
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(three_pages)
    monkeypatch.setattr(PdfPreview, "ask_printer", staticmethod(lambda parent: None))
    assert preview.print_document() is False


# --- saving ------------------------------------------------------------------------------------------
def test_save_as_copies_the_file(qtbot, three_pages, tmp_path, monkeypatch, errors):
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(three_pages, suggested_name="星级证书.pdf")
    asked: list[str] = []
    target = tmp_path / "保存" / "副本"
    target.parent.mkdir()
    monkeypatch.setattr(PdfPreview, "ask_save_path",
                        staticmethod(lambda parent, suggested: asked.append(suggested) or str(target)))
    preview.save_button.click()
    assert asked == ["星级证书.pdf"]
    saved = target.with_name("副本.pdf")  # the .pdf ending is added
    assert saved.read_bytes() == three_pages.read_bytes()
    assert errors == [] and "已保存" in preview.status.text()


def test_save_as_into_a_missing_folder_says_why(qtbot, three_pages, tmp_path, monkeypatch, errors):
    preview = PdfPreview()
    qtbot.addWidget(preview)
    preview.set_pdf(three_pages)
    monkeypatch.setattr(PdfPreview, "ask_save_path",
                        staticmethod(lambda parent, suggested: str(tmp_path / "没有这个文件夹" / "x.pdf")))
    assert preview.save_as() is None
    assert len(errors) == 1 and "无法保存文件" in errors[0]


# --- background jobs -----------------------------------------------------------------------------------
def test_job_reports_progress_and_its_result(qtbot):
    def work(progress, cancelled):
        for step in range(1, 11):
            progress(step, 10)
        return "完成"

    job = BackgroundJob(work)
    seen: list[tuple[int, int]] = []
    job.progressed.connect(lambda done, total: seen.append((done, total)))
    with qtbot.waitSignal(job.succeeded, timeout=5000) as blocker:
        job.start()
    assert blocker.args == ["完成"]
    assert seen == [(step, 10) for step in range(1, 11)]
    assert job.done and not job.running and not job.cancelled


def test_job_failure_comes_back_as_its_message(qtbot):
    def work(progress, cancelled):
        raise StationError("打印机缺纸。")

    job = BackgroundJob(work)
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        job.start()
    assert blocker.args == ["打印机缺纸。"] and not job.cancelled


def test_unexpected_error_is_logged_without_its_text(qtbot, caplog):
    secret = "4401011990" + "01011234"  # not spelled out where the traceback quotes the source line

    def work(progress, cancelled):
        raise ValueError(f"身份证号 {secret}")

    job = BackgroundJob(work)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        job.start()
    assert "意外错误" in blocker.args[0]
    assert "ValueError" in caplog.text and "440101199001011234" not in caplog.text


def test_cancel_is_seen_by_the_job(qtbot):
    started = threading.Event()
    saw: list[bool] = []

    def work(progress, cancelled):
        started.set()
        for _tick in range(500):
            if cancelled():
                saw.append(True)
                raise JobCancelled()
            threading.Event().wait(0.01)
        return "没取消"

    job = BackgroundJob(work)
    with qtbot.waitSignal(job.failed, timeout=10_000) as blocker:
        job.start()
        assert started.wait(5)
        job.cancel()
    assert saw == [True] and job.cancelled
    assert blocker.args == ["已取消。"]


def test_run_with_progress_returns_the_result_or_shows_the_error(qtbot, errors):
    assert run_with_progress(None, "正在生成……", lambda progress, cancelled: 42) == 42
    assert run_with_progress(None, "正在生成……", lambda progress, cancelled: _raise("模板缺少字段。")) is None
    assert errors == ["模板缺少字段。"]
    assert not any(isinstance(w, QProgressDialog) and w.isVisible() for w in QApplication.topLevelWidgets())


def _raise(message: str):
    raise StationError(message)


def test_run_with_progress_cancel_button_says_cancelled(qtbot, errors, infos):
    def work(progress, cancelled):
        for step in range(1000):
            if cancelled():
                raise JobCancelled()
            progress(step, 1000)
            threading.Event().wait(0.01)
        return "没取消"

    def press_cancel():
        dialogs = [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        if not dialogs:
            QTimer.singleShot(20, press_cancel)
            return
        dialogs[0].canceled.emit()  # what its 取消 button does

    QTimer.singleShot(50, press_cancel)
    assert run_with_progress(None, "正在打印……", work) is None
    assert infos == ["已取消。"] and errors == []


# --- the signing key ----------------------------------------------------------------------------------
def test_signing_key_asks_once_per_session(qtbot, ctx, monkeypatch, errors):
    asked: list[str] = []
    monkeypatch.setattr(signing.PasswordDialog, "ask", staticmethod(lambda parent, text: asked.append(text) or ADMIN_PASSWORD))
    key = signing.signing_key(None, ctx)
    assert isinstance(key, Ed25519PrivateKey)
    assert "签名密钥" in asked[0] and "登录密码" in asked[0]
    assert signing.signing_key(None, ctx) is key and len(asked) == 1  # kept for this session
    fresh = AppContext(db=ctx.db, actor=ctx.actor, station_name=ctx.station_name)  # signed in again
    assert signing.signing_key(None, fresh) is not None and len(asked) == 2
    assert errors == []


def test_wrong_password_or_cancel_gives_no_key(qtbot, ctx, monkeypatch, errors):
    monkeypatch.setattr(signing.PasswordDialog, "ask", staticmethod(lambda parent, text: "wrong-password"))
    assert signing.signing_key(None, ctx) is None
    assert len(errors) == 1 and "密码不正确" in errors[0]
    monkeypatch.setattr(signing.PasswordDialog, "ask", staticmethod(lambda parent, text: None))
    assert signing.signing_key(None, ctx) is None and len(errors) == 1  # cancelling is not an error


def test_administrator_without_the_key_is_told(qtbot, ctx, monkeypatch, errors):
    second = add_user(ctx.db, ctx.actor, "admin2", Role.ADMIN)
    other = AppContext(db=ctx.db, actor=second, station_name=ctx.station_name)
    monkeypatch.setattr(signing.PasswordDialog, "ask", staticmethod(lambda parent, text: "password-1"))
    assert signing.signing_key(None, other) is None
    assert len(errors) == 1 and "还没有本站的签名密钥" in errors[0]


def test_password_dialog_returns_what_was_typed(qtbot):
    dialog = signing.PasswordDialog("打印证书要用站点签名密钥为二维码签名，请输入您的登录密码。")
    qtbot.addWidget(dialog)
    dialog.password.setText("secret")
    assert dialog.password.text() == "secret"
    shot(dialog, "print_password")


# --- 校验证书 -------------------------------------------------------------------------------------------
VALID = certificates.Verification(
    valid=True,
    reason="",
    kind_label="星级志愿者证书",
    facts=(("证书编号", "SQ0101-XJ2026-0001"), ("姓名", "张三"), ("星级", "三星级"), ("累计时长", "312.5 小时")),
    station="康华花园物业志愿服务站（SQ0101）",
    on_record="本站已于 2026-12-01 打印（共 2 次）",
)
INVALID = certificates.Verification(valid=False, reason="内容被改动：签名与证书内容不符。", station="康华花园物业志愿服务站（SQ0101）")


def test_verify_dialog_shows_a_valid_certificate_after_a_scan(qtbot, ctx, monkeypatch, errors):
    payloads: list[str] = []
    monkeypatch.setattr(certificates, "verify_payload", lambda session, text: payloads.append(text) or VALID)
    dialog = VerifyCertificateDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.payload.setPlainText("SVC1.SQ0101.XJ.abc\n")  # the scanner ends with Enter
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=3000)
    assert payloads == ["SVC1.SQ0101.XJ.abc"]
    assert "证书有效" in dialog.verdict.text() and "1b5e20" in dialog.verdict.styleSheet()
    assert dialog.kind.text() == "星级志愿者证书"
    details = dialog.details.text()
    for text in ("证书编号", "SQ0101-XJ2026-0001", "张三", "三星级", "312.5 小时", "SQ0101", "共 2 次"):
        assert text in details
    assert dialog.payload.textCursor().hasSelection()  # the next scan replaces this one
    assert errors == []
    shot(dialog, "verify_certificate_valid")


def test_verify_dialog_shows_an_invalid_certificate_and_why(qtbot, ctx, monkeypatch, errors):
    monkeypatch.setattr(certificates, "verify_payload", lambda session, text: INVALID)
    dialog = VerifyCertificateDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.payload.setPlainText("SVC1.SQ0101.XJ.tampered")
    assert dialog.result is None  # no Enter yet: nothing checked
    dialog.check_button.click()
    assert dialog.result is INVALID
    assert "证书无效" in dialog.verdict.text() and "b00020" in dialog.verdict.styleSheet()
    assert "内容被改动" in dialog.details.text() and "原因" in dialog.details.text()
    shot(dialog, "verify_certificate_invalid")


def test_verify_dialog_with_nothing_typed_asks_for_a_scan(qtbot, ctx, monkeypatch):
    monkeypatch.setattr(certificates, "verify_payload", lambda session, text: pytest.fail("nothing to check"))
    dialog = VerifyCertificateDialog(ctx)
    qtbot.addWidget(dialog)
    dialog.check_button.click()
    assert dialog.result is None and "请先扫描" in dialog.verdict.text()
