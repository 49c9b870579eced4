"""A session keeps each book's chart (funds_base.book_accounts) and forgets it when an account is
written through it or its transaction ends: the second read asks SQLite nothing, every change is seen."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from db.models import Account
from desktop_app.core.services.funds_base import book_accounts, forget_charts
from desktop_app.core.services.orgs import add_sub_account
from tests.funds.conftest import make_env


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL the session's engine sends while the block runs."""
    sent: list[str] = []
    engine = session.get_bind()

    def note(conn: object, cursor: object, sql: str, *args: object) -> None:
        sent.append(sql)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def test_the_chart_is_read_once_per_session_and_each_caller_owns_its_copy(tmp_path: Path) -> None:
    env = make_env(tmp_path / "a.db")
    with env.db.begin("test") as s:
        first = book_accounts(s, env.book.id)
        assert "10201" in first and first["102"].is_leaf is False
        first.pop("101")  # a caller's copy: the kept chart is not touched
        with statements(s) as sent:
            again = book_accounts(s, env.book.id)
        assert sent == [] and "101" in again and again == book_accounts(s, env.book.id)


def test_an_account_added_renamed_or_updated_in_the_session_is_seen_at_once(tmp_path: Path) -> None:
    env = make_env(tmp_path / "b.db")
    with env.db.begin("test") as s:
        assert "10202" not in book_accounts(s, env.book.id)
        add_sub_account(s, book_id=env.book.id, parent_code="102", code="10202", name="邮储银行", user=env.maker)
        chart = book_accounts(s, env.book.id)
        assert chart["10202"].name == "邮储银行" and chart["10202"].is_leaf

        account = s.execute(select(Account).where(Account.book_id == env.book.id, Account.code == "10202")).scalar_one()
        book_accounts(s, env.book.id)
        account.name = "邮储银行江宁支行"  # a change not yet flushed
        assert book_accounts(s, env.book.id)["10202"].name == "邮储银行江宁支行"

        book_accounts(s, env.book.id)
        s.execute(update(Account).where(Account.id == account.id).values(active=False))  # an ORM statement
        assert book_accounts(s, env.book.id)["10202"].active is False


def test_a_write_outside_the_orm_is_seen_after_forget_charts_and_a_new_transaction_reads_afresh(tmp_path: Path) -> None:
    env = make_env(tmp_path / "c.db")
    with env.db.begin("test") as s:
        book_accounts(s, env.book.id)
        s.connection().exec_driver_sql("UPDATE account SET name = '农村商业银行' WHERE code = '10201'")
        forget_charts(s)
        assert book_accounts(s, env.book.id)["10201"].name == "农村商业银行"
    with env.db.sessions() as s:
        book_accounts(s, env.book.id)
        s.connection().exec_driver_sql("UPDATE account SET name = '农商行' WHERE code = '10201'")
        s.commit()  # the transaction ends: what another writer did since may now be seen
        assert book_accounts(s, env.book.id)["10201"].name == "农商行"
