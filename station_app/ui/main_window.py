"""The main window: one tab per step of the plan's workflow."""

from __future__ import annotations

from .. import __version__
from ..i18n import _
from ..services.auth import Permission
from .audit_dialog import AuditDialog
from .awards.tab import AwardsTab
from .backup_dialog import BackupDialog
from .common import AppContext
from .demand.tab import DemandTab
from .hours.tab import HoursTab
from .ledger.tab import LedgerTab
from .ledger.verify_dialog import VerifyDialog
from .printing.templates_dialog import TemplatesDialog
from .printing.verify_dialog import VerifyCertificateDialog
from .qt import QAction, QMainWindow, QMessageBox, QTabWidget
from .roster.tab import RosterTab
from .schedule.tab import ScheduleTab
from .station_dialog import StationDialog
from .timebank.tab import TimeBankTab
from .training.tab import TrainingTab
from .users_dialog import PasswordDialog, UsersDialog

DEMAND_TITLE = _("需求菜单")
ROSTER_TITLE = _("志愿者花名册")
TRAINING_TITLE = _("培训")
SCHEDULE_TITLE = _("活动排班")
HOURS_TITLE = _("时长录入")
AWARDS_TITLE = _("星级与嘉许")
TIMEBANK_TITLE = _("回馈")
LEDGER_TITLE = _("台账与打印")
TAB_ORDER = (
    DEMAND_TITLE, ROSTER_TITLE, TRAINING_TITLE, SCHEDULE_TITLE, HOURS_TITLE, AWARDS_TITLE, TIMEBANK_TITLE, LEDGER_TITLE
)


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(_("物业志愿服务站管理系统") + (f" — {ctx.station_name}" if ctx.station_name else ""))
        self.resize(1280, 800)
        self.tabs = QTabWidget()
        if ctx.actor.station_id is None:  # a city or town administrator: the dashboard, not a station's tabs
            from .city import install_city

            install_city(self)
            return
        self.roster = RosterTab(ctx)
        self.demand = DemandTab(ctx)
        self.training = TrainingTab(ctx)
        self.schedule = ScheduleTab(ctx)
        self.hours = HoursTab(ctx)
        self.awards = AwardsTab(ctx)
        self.timebank = TimeBankTab(ctx)
        self.ledger = LedgerTab(ctx)
        built = {
            ROSTER_TITLE: self.roster, DEMAND_TITLE: self.demand, TRAINING_TITLE: self.training,
            SCHEDULE_TITLE: self.schedule, HOURS_TITLE: self.hours, AWARDS_TITLE: self.awards,
            TIMEBANK_TITLE: self.timebank, LEDGER_TITLE: self.ledger,
        }
        for title in TAB_ORDER:
            self.tabs.addTab(built[title], title)
        self.tabs.setCurrentWidget(self.roster)
        # A tab shows fresh data when it is opened: attendance marked on 培训 changes the suggestions on 活动排班.
        self.tabs.currentChanged.connect(self._refresh_current)
        self.setCentralWidget(self.tabs)
        self._show_status()
        self._build_menus()

    def _refresh_current(self, _index: int) -> None:
        refresh = getattr(self.tabs.currentWidget(), "refresh", None)
        if refresh is not None:
            refresh()

    def edit_station(self) -> None:
        if StationDialog(self.ctx, self).exec():
            self.setWindowTitle(_("物业志愿服务站管理系统") + f" — {self.ctx.station_name}")
            self._show_status()

    def import_package(self) -> None:
        from .transfer.import_flow import import_package

        if import_package(self, self.ctx) is None:
            return
        if hasattr(self, "roster"):
            self.roster.refresh()
        elif hasattr(self, "dashboard"):  # a city administrator: an offline station's package counts now
            self.dashboard.refresh()

    def _show_status(self) -> None:
        actor = self.ctx.actor
        self.statusBar().showMessage(
            _("站点：{s}    用户：{u}（{r}）").format(s=self.ctx.station_name, u=actor.display_name, r=actor.role.label)
        )

    def _build_menus(self) -> None:
        menu = self.menuBar()
        file_menu = menu.addMenu(_("文件"))
        quit_action = QAction(_("退出"), self)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        system = menu.addMenu(_("系统"))
        station_action = QAction(_("站点信息…"), self)
        station_action.triggered.connect(self.edit_station)
        system.addAction(station_action)
        self.users_action = QAction(_("用户管理…"), self)
        self.users_action.setEnabled(self.ctx.actor.can(Permission.MANAGE_USERS))
        self.users_action.triggered.connect(lambda: UsersDialog(self.ctx, self).exec())
        password_action = QAction(_("修改我的密码…"), self)
        password_action.triggered.connect(
            lambda: PasswordDialog(self.ctx, self.ctx.actor.user_id, self.ctx.actor.username, self).exec()
        )
        self.audit_action = QAction(_("审计日志…"), self)
        self.audit_action.setEnabled(self.ctx.actor.can(Permission.VIEW_AUDIT))
        self.audit_action.triggered.connect(lambda: AuditDialog(self.ctx, self).exec())
        self.verify_action = QAction(_("校验台账…"), self)
        self.verify_action.setToolTip(_("检查服务台账有没有在程序之外被改动或删除，并可签署检查点"))
        self.verify_action.triggered.connect(lambda: VerifyDialog(self.ctx, self).exec())
        self.verify_certificate_action = QAction(_("校验证书…"), self)
        self.verify_certificate_action.setToolTip(_("扫描或输入证书上的二维码内容，离线核验证书真伪"))
        self.verify_certificate_action.triggered.connect(lambda: VerifyCertificateDialog(self.ctx, self).exec())
        self.templates_action = QAction(_("文书模板与印章…"), self)
        self.templates_action.setToolTip(_("修改证书、证明和光荣榜的文字，设置印章图片"))
        self.templates_action.triggered.connect(lambda: TemplatesDialog(self.ctx, self).exec())
        system.addAction(self.users_action)
        system.addAction(self.audit_action)
        system.addAction(self.verify_action)
        system.addAction(self.verify_certificate_action)
        system.addAction(self.templates_action)
        self.backup_action = QAction(_("备份与恢复…"), self)
        self.backup_action.setToolTip(_("立即备份、查看自动备份，或用备份恢复数据库"))
        self.backup_action.triggered.connect(lambda: BackupDialog(self.ctx, self).exec())
        system.addAction(self.backup_action)
        self.import_package_action = QAction(_("导入转移包…"), self)
        self.import_package_action.setToolTip(_("导入其他站点导出的转移包：志愿者档案、服务记录，或整个站点"))
        self.import_package_action.setEnabled(self.ctx.actor.can(Permission.IMPORT_PACKAGES))
        self.import_package_action.triggered.connect(self.import_package)
        system.addAction(self.import_package_action)
        system.addAction(password_action)

        help_menu = menu.addMenu(_("帮助"))
        about = QAction(_("关于"), self)
        about.triggered.connect(
            lambda: QMessageBox.about(
                self, _("关于"),
                _("物业志愿服务站管理系统 {v}\n依据《中山市社区志愿服务行动方案》（2014）。\n全部数据保存在本机，不联网。").format(
                    v=__version__
                ),
            )
        )
        help_menu.addAction(about)
