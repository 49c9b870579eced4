"""One ``--book`` rule for every command (issue #16, the house): an organisation's only book is
meant when ``--book`` is left out; with several books every command refuses and lists them, the
members' ``distribute`` as much as the funds commands (it used to pick the 股份经济合作社 silently)."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.cli import main
from desktop_app.commands import resolve_book
from desktop_app.core.errors import NotFoundError, ValidationError
from desktop_app.core.services.orgs import create_book
from tests.funds.conftest import Env, table_counts

USCC = "N2320115MF00000121"


def _committee(env: Env) -> str:
    with env.db.begin("test") as s:
        book = create_book(s, organisation_id=env.book.organisation_id, name="东湖村村民委员会", kind="村民委员会",
                           start_period="2026-01", user=env.maker)
    return book.code


def test_the_only_book_is_meant_and_a_named_book_is_found_by_code_or_id(env: Env) -> None:
    with env.db.read() as s:
        assert resolve_book(s, USCC, None).id == env.book.id
        assert resolve_book(s, USCC, env.book.code).id == env.book.id
        assert resolve_book(s, USCC, str(env.book.id)).id == env.book.id
        with pytest.raises(NotFoundError) as missing:
            resolve_book(s, USCC, "XX99")
    assert "没有编号为 XX99 的账套" in str(missing.value) and env.book.code in str(missing.value)


def test_several_books_and_no_book_named_is_refused_with_the_list(env: Env) -> None:
    committee = _committee(env)
    with env.db.read() as s:
        with pytest.raises(ValidationError) as refused:
            resolve_book(s, USCC, None)
        assert resolve_book(s, USCC, committee).name == "东湖村村民委员会"
    text = str(refused.value)
    assert "有多个账套，请用 --book 指定" in text
    assert f"{env.book.code} 东湖村股份经济合作社" in text and f"{committee} 东湖村村民委员会" in text


@pytest.mark.parametrize("argv", [
    ["distribute", "--org", USCC, "--year", "2026", "--amount-for-members", "100"],  # members.py
    ["close-period", "--org", USCC, "--period", "2026-01"],  # funds.py
])
def test_commands_of_both_areas_refuse_the_same_way_and_write_nothing(env: Env, tmp_path: Path, argv: list[str],
                                                                      monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    committee = _committee(env)
    before = table_counts(env)
    env.db.close()
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    code = main([*argv, "--db", str(tmp_path / "funds.db"), "--user", "sh2"])
    err = capsys.readouterr().err
    assert code == 1
    assert "有多个账套，请用 --book 指定" in err and committee in err and env.book.code in err
    from db.migrate import open_database

    env.db = open_database(tmp_path / "funds.db")
    after = table_counts(env)
    business = lambda counts: {k: v for k, v in counts.items() if "audit" not in k and "change" not in k}  # noqa: E731
    assert business(after) == business(before)  # the login is audited; nothing else is written
