"""The 台账与打印 tab (ledger views with Excel and PDF export) and the 校验台账 dialog."""
