"""阳光台账 (Sunshine Ledger): offline books, 三资 ledgers and disclosure for village collectives."""

APP_NAME = "阳光台账"
