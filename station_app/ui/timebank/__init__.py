"""The 回馈 tab: time-bank accounts, redemptions, reversals, receipts and the station ledger."""
