"""系统 → 导入转移包…: choose the file, verify it, trust an unknown station once, preview, import, summary.

Every step that reads the package runs behind a progress dialog (a station package may hold 100,000
records); the import itself is one unit of work, so 取消 or a refusal leaves the database as it was.
"""

from __future__ import annotations

from ...errors import StationError
from ...i18n import _
from ...services import packages as pkg
from ...services.auth import Permission
from ..common import AppContext, dialog_buttons, run_service, show_error
from ..printing.worker import run_with_progress
from ..qt import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFont,
    QHeaderView,
    QLabel,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

KEEP, THEIRS = "ours", "theirs"


def inform(parent: QWidget | None, title: str, text: str) -> None:
    """The closing summary (tests replace it)."""
    QMessageBox.information(parent, title, text)


def ask_file(parent: QWidget | None) -> str | None:
    path, _filter = QFileDialog.getOpenFileName(parent, _("选择转移包"), "", _("转移包 (*.zsvpkg);;所有文件 (*)"))
    return path or None


class TrustDialog(QDialog):
    """An unknown station key: who it claims to be, its fingerprint, and the warning to compare it by phone."""

    def __init__(self, info: pkg.PackageInfo, can_trust: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("信任其他站点的密钥"))
        self.setMinimumWidth(520)
        who = QLabel(_("这个转移包来自：<b>{n}</b>（编号 {c}）<br/>{t} {m}<br/>由 {u} 于 {d} 导出").format(
            n=info.origin_name, c=info.origin_code, t=info.origin_town, m=info.origin_community, u=info.created_by,
            d=info.created_at.astimezone().strftime("%Y-%m-%d %H:%M")))
        who.setWordWrap(True)
        first = QLabel(_("本站还没有信任过这个站点的签名密钥。它的密钥指纹是："))
        first.setWordWrap(True)
        self.fingerprint = QLabel(info.fingerprint)
        font = QFont(self.fingerprint.font())
        font.setPointSize(font.pointSize() + 5)
        font.setBold(True)
        font.setFamilies(["DejaVu Sans Mono", "Monospace", *font.families()])
        self.fingerprint.setFont(font)
        self.fingerprint.setStyleSheet("padding:8px;background:#f4f4f4;border:1px solid #ccc")
        warning = QLabel(_("⚠ 请打电话给 {n}（用您自己查到的号码，不要用包里或邮件里给的号码），"
                           "请对方在“导出转移包”完成时的提示里读出本站密钥指纹，和上面逐组核对。"
                           "全部一致才能信任；不一致说明文件可能被调包，请不要导入。").format(n=info.origin_name))
        warning.setWordWrap(True)
        warning.setStyleSheet("color:#a12000")
        layout = QVBoxLayout(self)
        for widget in (who, first, self.fingerprint, warning):
            layout.addWidget(widget)
        if not can_trust:
            only = QLabel(_("只有站长/管理员可以信任其他站点的密钥。"))
            only.setStyleSheet("color:#a12000")
            layout.addWidget(only)
        buttons = dialog_buttons(self, _("已核对一致，信任这个站点"))
        buttons.buttons()[0].setEnabled(can_trust)
        layout.addWidget(buttons)

    @staticmethod
    def ask(parent: QWidget | None, info: pkg.PackageInfo, can_trust: bool) -> bool:
        dialog = TrustDialog(info, can_trust, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        return accepted


class PreviewDialog(QDialog):
    """What the import will add, and for each volunteer already here the fields that differ, with a choice."""

    def __init__(self, preview: pkg.Preview, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.setWindowTitle(_("导入转移包：预览"))
        self.setMinimumSize(820, 540)
        lines = preview.lines()
        head = [line for line in lines if not line.startswith(" ")]
        summary = QLabel("<br/>".join(head))
        summary.setWordWrap(True)
        self.people = QTableWidget(len(preview.volunteers), 6)
        self.people.setHorizontalHeaderLabels(
            [_("姓名"), _("原编号"), _("身份证号"), _("处理"), _("新增服务记录"), _("计入时长（小时）")])
        for row, v in enumerate(preview.volunteers):
            verdict = v.verdict_label + (_("（本站编号 {n}）").format(n=v.local_no) if v.local_no else "")
            for col, text in enumerate((v.name, v.origin_no, v.id_masked, verdict, str(v.new.get("record", 0)),
                                        pkg.hours_text(v.minutes))):
                self.people.setItem(row, col, QTableWidgetItem(text))
        self._table_style(self.people)
        diffs = [(v, d) for v in preview.volunteers for d in v.diffs]
        self.diffs = QTableWidget(len(diffs), 5)
        self.diffs.setHorizontalHeaderLabels([_("志愿者"), _("项目"), _("本站现在"), _("转移包里"), _("采用")])
        self.choices: list[tuple[int, str, QComboBox]] = []
        for row, (v, d) in enumerate(diffs):
            for col, text in enumerate((v.name, d.label, d.ours, d.theirs)):
                self.diffs.setItem(row, col, QTableWidgetItem(text))
            combo = QComboBox()
            combo.addItem(_("保留本站的"), KEEP)
            combo.addItem(_("采用转入的"), THEIRS)
            self.diffs.setCellWidget(row, 4, combo)
            self.choices.append((v.origin_id, d.field, combo))
        self._table_style(self.diffs)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(QLabel(_("志愿者（同一身份证号的人会与本站已有的档案合并，不会重复登记）：")))
        layout.addWidget(self.people, 3)
        if diffs:
            layout.addWidget(QLabel(_("资料不同的地方（默认保留本站的，逐项可改为采用转入的）：")))
            layout.addWidget(self.diffs, 2)
        note = QLabel(_("服务记录会作为新条目追加到本站台账（注明来源站点和原条目），计入星级和时长；"
                        "培训、星级、嘉许和兑换作为“在其他站点的记录”只读保存；在原站已兑换的时长结转一次，余额与原站一致。"
                        "导入一次完成，中途取消或出错不会留下任何内容。"))
        note.setWordWrap(True)
        note.setStyleSheet("color:#555")
        layout.addWidget(note)
        layout.addWidget(dialog_buttons(self, _("导入")))

    @staticmethod
    def _table_style(table: QTableWidget) -> None:
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)

    def resolutions(self) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        for origin_id, field_name, combo in self.choices:
            if combo.currentData() == THEIRS:
                out.setdefault(origin_id, set()).add(field_name)
        return out

    @staticmethod
    def ask(parent: QWidget | None, preview: pkg.Preview) -> dict[int, set[str]] | None:
        dialog = PreviewDialog(preview, parent)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        answer = dialog.resolutions() if accepted else None
        dialog.deleteLater()
        return answer


def _check_trust(parent: QWidget | None, ctx: AppContext, info: pkg.PackageInfo) -> bool:
    """The origin key is trusted here, or an administrator trusts it now; False stops the import."""
    try:
        with ctx.db.session(write=False) as session:
            pkg.check_origin(session, ctx.actor, info)
        return True
    except pkg.UntrustedKey:
        pass
    except StationError as exc:
        show_error(parent, exc.message, _("不能导入"))
        return False
    if not TrustDialog.ask(parent, info, ctx.actor.can(Permission.IMPORT_PACKAGES)):
        return False
    return run_service(parent, ctx, lambda s: pkg.trust_key(s, ctx.actor, info)) is not None


def import_package(parent: QWidget | None, ctx: AppContext, path: str | None = None) -> pkg.ImportResult | None:
    """The whole import; returns what was imported, or None (cancelled or refused, the reason shown)."""
    path = path or ask_file(parent)
    if not path:
        return None
    info = run_with_progress(parent, _("正在核验转移包…"), lambda _p, _c: pkg.open_package(path))
    if info is None or not _check_trust(parent, ctx, info):
        return None

    def read(_progress, _cancelled):  # noqa: ANN001, ANN202
        with ctx.db.session(write=False) as session:
            return pkg.preview(session, ctx.actor, info)

    preview = run_with_progress(parent, _("正在读取转移包…"), read)
    if preview is None:
        return None
    resolutions = PreviewDialog.ask(parent, preview)
    if resolutions is None:
        return None

    def write(progress, cancelled):  # noqa: ANN001, ANN202
        with ctx.db.session() as session:
            return pkg.import_package(session, ctx.actor, info, resolutions=resolutions, progress=progress,
                                      cancelled=cancelled)

    result = run_with_progress(parent, _("正在导入转移包…"), write)
    if result is not None:
        inform(parent, _("导入完成"), _("已从 {n}（{c}）导入：\n\n{r}").format(
            n=info.origin_name, c=info.origin_code, r="\n".join(result.lines())))
    return result
