"""The main window: one tab per step of the plan's workflow."""

from __future__ import annotations

from .. import __version__
from ..i18n import _
from ..services.auth import Permission
from .audit_dialog import AuditDialog
from .common import AppContext
from .demand.tab import DemandTab
from .qt import QAction, QLabel, QMainWindow, QMessageBox, Qt, QTabWidget, QVBoxLayout, QWidget
from .roster.tab import RosterTab
from .schedule.tab import ScheduleTab
from .station_dialog import StationDialog
from .training.tab import TrainingTab
from .users_dialog import PasswordDialog, UsersDialog

# Tabs later work fills in: (title, what it will hold). They say so plainly instead of faking a screen.
DEMAND_TITLE = _("需求菜单")
ROSTER_TITLE = _("志愿者花名册")
TRAINING_TITLE = _("培训")
SCHEDULE_TITLE = _("活动排班")
PLANNED_TABS = (
    (_("时长录入"), _("活动结束后的服务时长登记与更正。")),
    (_("星级与嘉许"), _("星级认定（累计 100/300/600/1000/1500 小时）与荣誉嘉许。")),
    (_("回馈"), _("用服务时长兑换社区服务（时间银行）。")),
    (_("台账与打印"), _("服务台账、星级证书、荣誉证书、志愿服务记录证明的打印。")),
)
TAB_ORDER = (DEMAND_TITLE, ROSTER_TITLE, TRAINING_TITLE, SCHEDULE_TITLE, *[t for t, _d in PLANNED_TABS])


def _planned_tab(title: str, description: str) -> QWidget:
    page = QWidget()
    layout = QVBoxLayout(page)
    label = QLabel(
        f"<h2>{title}</h2><p>{_('此功能尚未开放，将在后续版本中提供：')}</p><p>{description}</p>"
    )
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    layout.addWidget(label)
    return page


class MainWindow(QMainWindow):
    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setWindowTitle(_("物业志愿服务站管理系统") + (f" — {ctx.station_name}" if ctx.station_name else ""))
        self.resize(1280, 800)
        self.tabs = QTabWidget()
        self.roster = RosterTab(ctx)
        self.demand = DemandTab(ctx)
        self.training = TrainingTab(ctx)
        self.schedule = ScheduleTab(ctx)
        built = {
            ROSTER_TITLE: self.roster, DEMAND_TITLE: self.demand, TRAINING_TITLE: self.training,
            SCHEDULE_TITLE: self.schedule,
        }
        planned = dict(PLANNED_TABS)
        for title in TAB_ORDER:
            self.tabs.addTab(built.get(title) or _planned_tab(title, planned[title]), title)
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
        system.addAction(self.users_action)
        system.addAction(self.audit_action)
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
