"""City-wide mode in the main window: a city or town administrator gets the dashboard instead of the station tabs.

``install_city(window)`` is called by ``MainWindow`` for such an account: the 全市看板 (or 镇区看板)
tab, the 站点 page for a city administrator, and the menus without the station-only entries (a
city administrator works above the stations and has no station of their own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...i18n import _
from ...services.auth import Permission, Role
from .dashboard import CityDashboard
from .stations import AdminsDialog, StationsPage

if TYPE_CHECKING:
    from ..main_window import MainWindow

CITY_DASHBOARD_TITLE = _("全市看板")
TOWN_DASHBOARD_TITLE = _("镇区看板")
STATIONS_TITLE = _("站点")
# Menu entries that work on one station's data: not offered above the stations.
STATION_ONLY_ACTIONS = ("audit_action", "verify_action", "verify_certificate_action", "templates_action")
STATION_ONLY_TEXTS = (_("站点信息…"),)


def install_city(window: MainWindow) -> None:
    ctx = window.ctx
    actor = ctx.actor
    window.dashboard = CityDashboard(ctx)
    title = CITY_DASHBOARD_TITLE if actor.role is Role.CITY else TOWN_DASHBOARD_TITLE
    window.tabs.addTab(window.dashboard, title)
    window.stations_page = None
    if actor.can(Permission.MANAGE_STATIONS):
        window.stations_page = StationsPage(ctx)
        window.tabs.addTab(window.stations_page, STATIONS_TITLE)
    window.tabs.currentChanged.connect(window._refresh_current)
    window.setCentralWidget(window.tabs)
    window._build_menus()
    for name in STATION_ONLY_ACTIONS:
        action = getattr(window, name, None)
        if action is not None:
            action.setVisible(False)
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        for action in menu.actions() if menu is not None else ():
            if action.text() in STATION_ONLY_TEXTS:
                action.setVisible(False)
    backup_action = getattr(window, "backup_action", None)
    if backup_action is not None:
        backup_action.setEnabled(actor.can(Permission.BACKUP))
    # 用户管理 for a city administrator: the town and city administrators.
    users = window.users_action
    users.triggered.disconnect()
    users.setEnabled(actor.can(Permission.MANAGE_STATIONS))
    users.triggered.connect(lambda: AdminsDialog(ctx, window).exec())
    window.statusBar().showMessage(
        _("{scope}    用户：{u}（{r}）").format(scope=ctx.station_name, u=actor.display_name, r=actor.role.label)
    )


__all__ = ["CityDashboard", "StationsPage", "install_city"]
