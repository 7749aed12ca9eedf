"""The 时长录入 tab: hour entry for activities and single services, the ledger, approvals."""
