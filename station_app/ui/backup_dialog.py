"""系统 → 备份与恢复, and the start-up checks: the integrity dialog and the network-share warning.

The dialog lists the copies in the backups folder beside the database (newest first, with the
station and volunteer count read from each copy), makes a copy now (into that folder, or to a file
of the user's choosing such as a USB stick), and restores one (from the list or a file) after a
confirmation that names what will be replaced and where the replaced file is kept. After a restore
the program does not go on with the old engine: the main window closes and ``run_gui`` opens the
database anew and asks for a login (the restored database has its own accounts and passwords).
Only users with Permission.BACKUP (站长) can back up or restore; others see the list.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..db import sqlite_path
from ..errors import StationError
from ..i18n import _
from ..services import backup
from ..services.auth import Permission
from .common import AppContext, show_error
from .qt import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

WARN_STYLE = "color: #b00020;"
POLICY = _(
    "每天第一次启动程序时、以及每次退出程序时自动备份。保留最近 {n} 份自动备份，另外保留过去 {m} 个月每月最后一份；"
    "手动备份、升级前的副本和恢复前另存的数据库不会被自动删除。备份文件夹和数据库在同一台电脑上，"
    "电脑损坏时会一起丢失：请定期用“备份到其他位置…”复制到 U 盘或其他电脑。"
).format(n=backup.KEEP_NEWEST, m=backup.KEEP_MONTHS)


class BackupDialog(QDialog):
    HEADERS = (_("时间"), _("类型"), _("站点"), _("志愿者人数"), _("大小"), _("文件名"), _("状态"))

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.backups: list[backup.BackupInfo] = []
        self.restored: backup.RestoreResult | None = None
        self.setWindowTitle(_("备份与恢复"))
        self.resize(960, 520)
        layout = QVBoxLayout(self)

        self.server_note = ""
        try:
            self.db_path: Path | None = backup.sqlite_file(ctx.db.url)
        except StationError as exc:
            self.db_path = None
            self.server_note = exc.message
        self.where = QLabel(wordWrap=True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if self.db_path is not None:
            self.where.setText(_("数据库文件：{f}\n备份文件夹：{d}").format(
                f=self.db_path, d=backup.backup_dir_for(self.db_path)))
        else:
            self.where.setText(self.server_note)
        layout.addWidget(self.where)
        self.network = QLabel(wordWrap=True)
        self.network.setStyleSheet(WARN_STYLE)
        warning = backup.network_share_warning(self.db_path) if self.db_path is not None else None
        self.network.setText(warning or "")
        self.network.setVisible(bool(warning))
        layout.addWidget(self.network)
        if self.db_path is not None:
            policy = QLabel(POLICY, wordWrap=True)
            layout.addWidget(policy)

        self.table = QTableWidget(0, len(self.HEADERS))
        self.table.setHorizontalHeaderLabels(self.HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table)

        may = ctx.actor.can(Permission.BACKUP) and self.db_path is not None
        self.backup_button = QPushButton(_("立即备份"))
        self.backup_button.setToolTip(_("把当前数据库复制一份到备份文件夹"))
        self.backup_button.clicked.connect(lambda: self.backup_now())
        self.export_button = QPushButton(_("备份到其他位置…"))
        self.export_button.setToolTip(_("把当前数据库复制到您选择的文件，例如 U 盘上"))
        self.export_button.clicked.connect(self.backup_elsewhere)
        self.restore_button = QPushButton(_("恢复所选…"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.file_button = QPushButton(_("从文件恢复…"))
        self.file_button.clicked.connect(self.restore_from_file)
        for button in (self.backup_button, self.export_button, self.restore_button, self.file_button):
            button.setEnabled(may)
        self.permission_note = QLabel()
        if self.db_path is not None and not ctx.actor.can(Permission.BACKUP):
            self.permission_note.setText(_("只有站长可以备份和恢复数据库；您可以查看备份列表。"))
        row = QHBoxLayout()
        for button in (self.backup_button, self.export_button, self.restore_button, self.file_button):
            row.addWidget(button)
        row.addWidget(self.permission_note)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText(_("关闭"))
        close.rejected.connect(self.reject)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    # --- what tests patch -------------------------------------------------------------------------
    @staticmethod
    def confirm_restore(parent: QWidget | None, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, _("确认恢复"), text, parent=parent)
        yes = box.addButton(_("恢复"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(_("取消"), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is yes

    @staticmethod
    def choose_backup_file(parent: QWidget | None, folder: str) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(parent, _("选择备份文件"), folder, _("备份文件 (*.db);;所有文件 (*)"))
        return path or None

    @staticmethod
    def choose_target_file(parent: QWidget | None, suggested: str) -> str | None:
        path, _filter = QFileDialog.getSaveFileName(parent, _("备份到"), suggested, _("备份文件 (*.db)"))
        return path or None

    @staticmethod
    def tell(parent: QWidget | None, title: str, text: str) -> None:
        QMessageBox.information(parent, title, text)

    # --- the list ---------------------------------------------------------------------------------
    def reload(self) -> None:
        self.backups = backup.list_backups(self.db_path) if self.db_path is not None else []
        self.table.setRowCount(len(self.backups))
        for r, info in enumerate(self.backups):
            cells = (
                info.made_at.strftime("%Y-%m-%d %H:%M:%S"), info.kind_label, info.station_name or "—",
                "—" if info.volunteers is None else str(info.volunteers), info.size_text, info.path.name,
                _("不可用：{p}").format(p=info.problem) if info.problem else _("可用"),
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        if self.backups:
            self.table.selectRow(0)

    def selected(self) -> backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    # --- actions ----------------------------------------------------------------------------------
    def backup_now(self, to: Path | None = None) -> backup.BackupInfo | None:
        try:
            info = backup.backup_now(self.ctx.db, self.ctx.actor, to=to)
        except StationError as exc:
            show_error(self, exc.message)
            return None
        self.reload()
        if to is None:
            for r, shown in enumerate(self.backups):
                if shown.path == info.path:
                    self.table.selectRow(r)
        else:
            self.tell(self, _("备份完成"), _("已备份到：{f}\n（{s}，站点“{st}”，志愿者 {n} 人）").format(
                f=info.path, s=info.size_text, st=info.station_name or "—", n=info.volunteers or 0))
        return info

    def backup_elsewhere(self) -> None:
        if self.db_path is None:
            return
        stamp = datetime.now().strftime("%Y%m%d")
        path = self.choose_target_file(self, str(Path.home() / f"{self.db_path.stem}-{stamp}.db"))
        if path:
            self.backup_now(Path(path))

    def restore_selected(self) -> None:
        info = self.selected()
        if info is None:
            show_error(self, _("请先在列表中选择一份备份。"))
            return
        self.restore_from(info.path)

    def restore_from_file(self) -> None:
        if self.db_path is None:
            return
        path = self.choose_backup_file(self, str(backup.backup_dir_for(self.db_path)))
        if path:
            self.restore_from(Path(path))

    def restore_from(self, source: Path) -> backup.RestoreResult | None:
        """Check, confirm, restore; then close the main window so that the program opens the database anew."""
        from .printing.worker import BackgroundJob

        assert self.db_path is not None
        try:
            info = backup.check_backup_file(source)
        except StationError as exc:
            show_error(self, exc.message, _("不能用这个文件恢复"))
            return None
        folder = backup.backup_dir_for(self.db_path)
        text = _(
            "将用备份\n  {f}\n  （{t}，{k}，站点“{s}”，志愿者 {n} 人）\n替换当前数据库\n  {d}\n\n"
            "当前数据库会先另存到 {b}，文件名为 {stem}-replaced-日期-时间.db，不会删除，以后还可以用它恢复回来。\n"
            "这份备份之后录入的数据将不在恢复后的数据库中。恢复后程序回到登录界面，请用备份中的账号和密码登录。\n\n"
            "确定恢复吗？"
        ).format(
            f=source, t=info.made_at.strftime("%Y-%m-%d %H:%M"), k=info.kind_label, s=info.station_name or "—",
            n="—" if info.volunteers is None else info.volunteers, d=self.db_path, b=folder, stem=self.db_path.stem,
        )
        if not self.confirm_restore(self, text):
            return None
        BackgroundJob.stop_all()  # nothing may keep writing to the old database
        self.ctx.db.dispose()  # the engine's connections closed; nothing uses it after this
        try:
            result = backup.restore(self.ctx.db.url, source, self.ctx.actor)
        except StationError as exc:
            show_error(self, exc.message, _("恢复没有完成"))
            return None
        self.restored = result
        self.tell(self, _("恢复完成"), _(
            "已从 {f} 恢复数据库。\n原来的数据库已另存为：\n  {r}\n\n程序现在关闭主窗口并重新打开数据库，请重新登录。"
        ).format(f=source.name, r=result.replaced))
        self.accept()
        window = self.parent()
        if window is not None:
            window.restart_requested = True  # run_gui opens the database anew and asks for a login
            window.close()
        return result


# --- start-up ----------------------------------------------------------------------------------------
class IntegrityDialog(QDialog):
    """The database failed its start-up check: what happened, the newest good backup, restore it or quit."""

    def __init__(self, report: backup.IntegrityReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(_("数据库检查未通过"))
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        title = QLabel(_("数据库文件可能已损坏"))
        title.setStyleSheet("font-size: 16px; font-weight: bold; color: #b00020;")
        layout.addWidget(title)
        self.text = QLabel(report.explanation, wordWrap=True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.text)
        layout.addStretch(1)
        buttons = QDialogButtonBox()
        self.restore_button = None
        if report.newest_good is not None:
            self.restore_button = buttons.addButton(_("从这份备份恢复"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.quit_button = buttons.addButton(_("退出程序"), QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @classmethod
    def ask(cls, report: backup.IntegrityReport, parent: QWidget | None = None) -> bool:
        """True: restore the newest good backup; False: quit, nothing changed."""
        return cls(report, parent).exec() == QDialog.DialogCode.Accepted


def startup_check(url: str) -> bool:
    """Check the database file before it is opened; False: the program should stop (nothing changed)."""
    try:
        path = backup.sqlite_file(url)
    except StationError:
        return True  # a server database: the server checks itself
    report = backup.integrity_check(path)
    if report.ok:
        return True
    if report.newest_good is None:
        IntegrityDialog.ask(report)  # what happened and what to do; only 退出程序 is offered
        return False
    if not IntegrityDialog.ask(report):
        return False
    try:
        result = backup.restore(url, report.newest_good.path, damaged=True)
    except StationError as exc:
        QMessageBox.critical(None, _("恢复没有完成"), exc.message)
        return False
    QMessageBox.information(None, _("恢复完成"), _(
        "已从 {f} 恢复数据库。\n损坏的数据库文件已另存为：\n  {r}\n（可交给技术人员检查）。"
    ).format(f=result.restored.path.name, r=result.replaced))
    return True


def show_network_warning(url: str, parent: QWidget | None = None) -> QMessageBox | None:
    """A non-blocking warning when the database file lies on a network share (once per start)."""
    path = sqlite_path(url)
    warning = backup.network_share_warning(path) if path is not None else None
    if not warning:
        return None
    box = QMessageBox(QMessageBox.Icon.Warning, _("数据库在网络共享上"), warning, parent=parent)
    box.setWindowModality(Qt.WindowModality.NonModal)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.show()
    return box
