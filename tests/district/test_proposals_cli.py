"""`proposal add|list|answer|withdraw` (issue #13) on a real district and township, the rows
carried by the real export and import in between."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from db.models import AuditEntry, Contract, Organisation, Proposal, Voucher
from db.models.org import Book
from desktop_app.cli import main
from desktop_app.core.services.users import create_user
from tests.sync.conftest import SyncPair


def _village(pair: SyncPair) -> tuple[str, str, str]:
    """(USCC, a voucher "YYYY-MM-N", a contract number) of a village with both."""
    pair.carry(pair.town, pair.district)
    with pair.district.read() as s:
        for org in s.scalars(select(Organisation).where(Organisation.level == "村").order_by(Organisation.uscc)):
            contract = s.scalar(select(Contract.number).where(Contract.organisation_id == org.id))
            v = s.execute(select(Voucher.period, Voucher.number).join(Book, Book.id == Voucher.book_id)
                          .where(Book.organisation_id == org.id).order_by(Voucher.period, Voucher.number)).first()
            if contract and v:
                return org.uscc, f"{v[0]}-{v[1]}", contract
    raise AssertionError("no village with a voucher and a contract")


@pytest.fixture(autouse=True)
def _cli_login(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proposals are written by logged-in users (issue #16): the demo township's 会计 kuaiji and
    the district's own user quji (made in ``_district_user``), both with the demo password."""
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "demo1234")


def _district_user(pair: SyncPair) -> None:
    with pair.district.begin() as s:  # a new district database: no administrator yet
        create_user(s, username="quji", display_name="区经管站", password="demo1234", roles=["district_admin"],
                    must_change_password=False)


def _id(out: str) -> str:
    found = re.search(r"\[([0-9a-f]{8})\]", out)
    assert found, out
    return found.group(1)


def test_propose_answer_and_list_from_the_command_line(sync_pair: SyncPair, capsys: pytest.CaptureFixture[str]) -> None:
    uscc, voucher, contract = _village(sync_pair)
    _district_user(sync_pair)
    d, t = str(sync_pair.district.path), str(sync_pair.town.path)
    assert main(["--user", "quji", "proposal", "add", "--db", d, "--org", uscc, "--voucher", voucher, "--kind", "科目用错",
                 "--text", "应记入公益支出"]) == 0
    first = _id(out := capsys.readouterr().out)
    assert "已向" in out and "记-" in out and "请在下次同步时" in out
    assert main(["--user", "quji", "proposal", "add", "--db", d, "--org", uscc, "--contract", contract, "--kind", "合同超期",
                 "--text", "合同已到期"]) == 0
    second = _id(capsys.readouterr().out)
    assert main(["--user", "quji", "proposal", "list", "--db", d]) == 0
    out = capsys.readouterr().out
    assert f"[{first}] 待答复" in out and f"[{second}] 待答复" in out and "共 2 条更正建议：待答复 2 条" in out

    assert main(["--user", "quji", "proposal", "answer", first, "--db", d, "--accept"]) == 1  # the district does not answer
    assert "乡镇的数据库中答复" in capsys.readouterr().err

    sync_pair.carry(sync_pair.district, sync_pair.town)
    assert main(["--user", "kuaiji", "proposal", "list", "--db", t, "--status", "待答复"]) == 0
    assert "共 2 条更正建议：待答复 2 条" in capsys.readouterr().out
    assert main(["--user", "kuaiji", "proposal", "answer", first, "--db", t, "--accept", "--ref", "记-0031 红字冲销"]) == 0
    assert "已答复" in capsys.readouterr().out
    assert main(["--user", "kuaiji", "proposal", "answer", second, "--db", t, "--reject"]) == 1
    assert "驳回理由不能为空" in capsys.readouterr().err
    assert main(["--user", "kuaiji", "proposal", "answer", second, "--db", t, "--accept", "--reject", "--reason", "x"]) == 1
    assert "中的一个" in capsys.readouterr().err
    assert main(["--user", "kuaiji", "proposal", "answer", second, "--db", t, "--reject", "--reason", "已续签"]) == 0
    capsys.readouterr()
    assert main(["--user", "kuaiji", "proposal", "add", "--db", t, "--org", uscc, "--contract", contract, "--kind", "其他",
                 "--text", "x"]) == 1  # a township does not propose
    assert "区经管站在区级数据库中提出" in capsys.readouterr().err

    sync_pair.carry(sync_pair.town, sync_pair.district)
    assert main(["--user", "quji", "proposal", "list", "--db", d]) == 0
    out = capsys.readouterr().out
    assert f"[{first}] 已采纳" in out and f"[{second}] 已驳回" in out and "已续签" in out and "记-0031 红字冲销" in out
    assert main(["--user", "quji", "proposal", "withdraw", second, "--db", d]) == 1
    assert "不能撤回" in capsys.readouterr().err
    with sync_pair.district.read() as s:
        audited = s.scalars(select(AuditEntry.actor).where(AuditEntry.entity == "proposal")).all()
        assert audited == ["quji", "quji"]  # by the logged-in district user


def test_add_refuses_a_request_naming_no_target_or_two(sync_pair: SyncPair, capsys: pytest.CaptureFixture[str]) -> None:
    uscc, voucher, contract = _village(sync_pair)
    _district_user(sync_pair)
    d = str(sync_pair.district.path)
    for extra in ([], ["--voucher", voucher, "--contract", contract]):
        assert main(["--user", "quji", "proposal", "add", "--db", d, "--org", uscc, *extra, "--kind", "其他", "--text", "x"]) == 1
        assert "中的一个指定" in capsys.readouterr().err
    assert main(["--user", "quji", "proposal", "add", "--db", d, "--org", "91320115MA00000000", "--contract", contract,
                 "--kind", "其他", "--text", "x"]) == 1
    assert "找不到代码为" in capsys.readouterr().err
    with sync_pair.district.read() as s:
        assert s.scalar(select(func.count()).select_from(Proposal)) == 0
