"""Transfer packages on screen: 导出转移包 on the roster, 系统 → 导入转移包…, and the history a volunteer brought along."""
