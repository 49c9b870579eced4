"""``require_role`` keeps what it read for the rest of the transaction (issue #18: a batch checks
the user for every book it writes), and forgets it the moment the user or the user's
organisations change through the session, or the transaction (or a savepoint) is rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from db.models import Book, Organisation, User
from desktop_app.core.errors import PermissionDenied
from desktop_app.core.rows import UserRow
from desktop_app.core.services.auth import require_role
from desktop_app.core.services.users import list_users, set_user_organisations, update_user


def _users(db) -> dict[str, UserRow]:
    with db.read() as s:
        return {u.username: u for u in list_users(s)}


def _two_books(s) -> tuple[Book, Book]:
    books = list(s.scalars(select(Book).join(Organisation, Organisation.id == Book.organisation_id)
                           .where(Organisation.level == "村").order_by(Book.id)))
    first = books[0]
    other = next(b for b in books if b.organisation_id != first.organisation_id)
    return first, other


def test_a_user_disabled_in_the_same_transaction_is_refused_at_once(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        book, _ = _two_books(s)
        require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)  # read and kept
        update_user(s, users["kuaiji"].id, actor=users["admin"], active=False)
        with pytest.raises(PermissionDenied, match="已停用"):
            require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)


def test_roles_changed_in_the_same_transaction_count_at_once(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        book, _ = _two_books(s)
        require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)
        update_user(s, users["kuaiji"].id, actor=users["admin"], roles=["supervisor"])
        with pytest.raises(PermissionDenied, match="记账员"):
            require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)
        # changed on the object without a service or a flush: still seen
        s.get(User, users["kuaiji"].id).roles = "bookkeeper"
        assert require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id).roles == ("bookkeeper",)


def test_organisations_limited_in_the_same_transaction_count_at_once(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        mine, other = _two_books(s)
        require_role(s, users["kuaiji"], "bookkeeper", book_id=other.id)  # all organisations: allowed, kept
        set_user_organisations(s, users["kuaiji"].id, [mine.organisation_id], actor=users["admin"])
        require_role(s, users["kuaiji"], "bookkeeper", book_id=mine.id)
        with pytest.raises(PermissionDenied, match="只负责指定的组织"):
            require_role(s, users["kuaiji"], "bookkeeper", book_id=other.id)


def test_a_rolled_back_savepoint_leaves_no_kept_check_behind(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        mine, other = _two_books(s)
        savepoint = s.begin_nested()
        set_user_organisations(s, users["kuaiji"].id, [mine.organisation_id], actor=users["admin"])
        with pytest.raises(PermissionDenied, match="只负责指定的组织"):
            require_role(s, users["kuaiji"], "bookkeeper", book_id=other.id)  # the limit read and kept
        savepoint.rollback()
        require_role(s, users["kuaiji"], "bookkeeper", book_id=other.id)  # the limit is gone again


def test_an_orm_update_statement_on_users_is_seen(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        book, _ = _two_books(s)
        require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)
        s.execute(update(User).where(User.id == users["kuaiji"].id).values(active=False))
        s.expire_all()
        with pytest.raises(PermissionDenied, match="已停用"):
            require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)


def test_the_next_transaction_reads_the_user_again(demo_db) -> None:
    users = _users(demo_db)
    with demo_db.begin() as s:
        book, _ = _two_books(s)
        require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)
    with demo_db.begin() as s:
        update_user(s, users["kuaiji"].id, actor=users["admin"], active=False)
    with demo_db.begin() as s, pytest.raises(PermissionDenied, match="已停用"):
        require_role(s, users["kuaiji"], "bookkeeper", book_id=book.id)
