"""The demo comes with bank statements: 银行对账 opens on an earlier month 已对账 and a later one
auto-matched but not marked, whose 未达账项 are the bank's own items (结息 or a subsidy, 手续费) and the books'
entry not yet at the bank."""

from __future__ import annotations

from sqlalchemy import select

from db.migrate import Database
from db.models import AuditEntry, BankStatementLine
from desktop_app.core.demo.funds import CURRENT_PERIOD
from desktop_app.core.periods import add_months
from desktop_app.core.services.bank_reconcile import close_checklist_items, reconciliation_report
from desktop_app.core.services.bank_statements import bank_accounts
from desktop_app.core.services.orgs import list_books, list_organisations

FIRST, SECOND = add_months(CURRENT_PERIOD, -2), add_months(CURRENT_PERIOD, -1)


def _village_books(s):  # type: ignore[no-untyped-def]
    return [b for o in list_organisations(s) for b in list_books(s, o.id) if b.start_period <= FIRST]


def test_every_book_has_two_statements_the_first_reconciled(demo_db: Database) -> None:
    with demo_db.begin("t") as s:
        seen = 0
        for book in _village_books(s):
            accounts = bank_accounts(s, book.id)
            for acc in accounts:
                first = reconciliation_report(s, book.id, acc.code, FIRST)
                if first.statement_lines == 0:
                    continue  # a book with no bank movement in the month (the township's own)
                seen += 1
                assert acc.first_period == FIRST
                assert first.reconciled and first.balanced
                assert first.bank_in_book_not == () and first.bank_out_book_not == ()
                second = reconciliation_report(s, book.id, acc.code, SECOND)
                assert not second.reconciled and second.balanced and second.statement_lines > 0
                assert [i.summary for i in second.bank_in_book_not] == (  # interest is paid in a quarter's last month
                    ["结息 活期存款利息"] if int(SECOND[5:]) % 3 == 0 else ["财政直达 村级公益事业补助"])
                assert [i.summary for i in second.bank_out_book_not] == ["手续费 网银年费及转账手续费"]
                assert len(second.book_in_bank_not) + len(second.book_out_bank_not) == 1  # in transit
                assert second.adjusted_book == second.adjusted_bank
                # the month-close checklist sees the first month reconciled, the second not
                assert [i.ok for i in close_checklist_items(s, book.id, FIRST)] == [True]
                assert [i.ok for i in close_checklist_items(s, book.id, SECOND)] == [False]
        assert seen >= 6


def test_statements_came_in_through_the_import_service(demo_db: Database) -> None:
    with demo_db.begin("t") as s:
        names = set(s.scalars(select(BankStatementLine.source_name)))
        assert names and all(n.endswith(".csv") and "对账单" in n for n in names)
        rows = s.scalars(select(BankStatementLine).where(BankStatementLine.period == SECOND)).all()
        assert all(r.balance is not None and r.source_row >= 2 for r in rows)
        imports = s.scalars(select(AuditEntry).where(AuditEntry.action == "import",
                                                   AuditEntry.entity == "bank_statement_line")).all()
        assert len(imports) == len(names)
        marks = s.scalars(select(AuditEntry).where(AuditEntry.action == "reconcile")).all()
        assert len(marks) == len(names) // 2
