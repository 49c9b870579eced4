"""合同 as a kind of the import pipeline (issue #15): 计费周期 (按合同年度) gives the form's schedule,
the 合同台账 export re-imports into a fresh organisation and into the same one (更新已有: nothing
changes), the template imports cleanly, a village's own sheet is read by synonyms, and every bad
cell is named by row and column with nothing written. Real SQLite files, real xlsx, the real CLI."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from db.migrate import open_database
from db.models import AuditEntry, ContractInstallment
from desktop_app.cli import main
from desktop_app.core.services.contracts import list_contracts
from desktop_app.core.services.receipts import record_receipt
from desktop_app.excel import contracts_xlsx as x
from desktop_app.excel.importers import run_import, write_template
from tests.contracts.conftest import RIC, USCC, Env, make_env


def _installments(env: Env, contract_id: uuid.UUID) -> list[tuple[int, date, date, date, D]]:
    with env.db.begin() as s:
        rows = s.scalars(select(ContractInstallment).where(ContractInstallment.contract_id == contract_id,
                                                           ContractInstallment.deleted.is_(False))
                         .order_by(ContractInstallment.seq))
        return [(i.seq, i.period_start, i.period_end, i.due_date, i.amount) for i in rows]


def _by_number(env: Env) -> dict[str, Any]:
    with env.db.begin() as s:
        return {c.number: c for c in list_contracts(s, env.org.id)}


def _sheet(path: Path, header: list[str], rows: list[list[object]], *, title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if title:
        ws.append([title])
        ws.append(["填报单位：东湖村股份经济合作社", None, None, "单位：元"])
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _import(env: Env, path: Path, mode: str = "add", *, apply: bool = True) -> Any:
    with env.db.begin("test") as s:
        return run_import(s, "contracts", path, organisation_id=env.org.id, book_id=env.book.id,
                          mode=mode, apply=apply, user=env.user)  # type: ignore[arg-type]


def _form_contract(env: Env, tmp_path: Path, qtbot: Any) -> Any:
    """The six-year contract typed into the real contract form (offscreen), 计费周期 = 按合同年度."""
    from desktop_app.ui.context import AppContext
    from desktop_app.ui.forms import FormDialog
    from desktop_app.ui.pages import contracts_forms as cf
    from desktop_app.ui.settings import WindowSettings

    ctx = AppContext(env.db, env.user, WindowSettings(tmp_path / "s.json"))
    saved: list[Any] = []

    def save(v: dict[str, Any]) -> Any:
        saved.append(ctx.call(cf.svc.create_contract, cf._input(env.org.id, env.book.id, v), user=ctx.user))
        return saved[-1]

    dialog = FormDialog("新增合同", cf.contract_fields(ctx, env.org.id), save,
                        values={"written": True, "start_date": date(2024, 7, 1), "end_date": date(2030, 6, 30)})
    qtbot.addWidget(dialog)
    form = dialog.form
    for name, text in (("number", "HT-061"), ("name", "村部门面租赁合同"), ("subject", "村部一楼门面"),
                       ("counterparty_name", "张三"), ("counterparty_id_number", RIC), ("escalation_pct", "5")):
        form.widget(name).setText(text)  # type: ignore[attr-defined]
    form.widget("annual_rent").setValue(D("10000.00"))  # type: ignore[attr-defined]
    form.widget("escalation_years").setValue(3)  # type: ignore[attr-defined]
    for name, data in (("kind", "资产租赁"), ("payment_mode", "年付"), ("billing_align", "contract")):
        box = form.widget(name)
        box.setCurrentIndex(box.findData(data))  # type: ignore[attr-defined]
    assert form.widget("billing_align").currentText() == "按合同年度"  # type: ignore[attr-defined]
    assert dialog.try_save(), form.errors()
    return saved[0]


def test_the_issues_six_year_contract_imports_to_the_forms_61500(env: Env, tmp_path: Path, qtbot: Any) -> None:
    """The form's 计费周期 = 按合同年度 and the Excel column 计费周期 = 按合同年度 give the same schedule."""
    form = _form_contract(env, tmp_path, qtbot)
    header = ["合同编号", "合同名称", "合同类型", "标的", "承包方名称", "承包方类型", "证件号码", "起始日期", "终止日期",
              "期限（年）", "年租金", "递增条款", "付款方式", "计费周期", "缴款期限（天）"]
    row = ["HT-062", "村部门面租赁合同", "资产租赁", "村部一楼门面", "张三", "个人", RIC, date(2024, 7, 1),
           date(2030, 6, 30), 6, "10,000元", "每3年递增5%", "年付", "按合同年度", 30]
    calendar = [*row[:13], "按自然年度", 30]
    calendar[0] = "HT-063"
    check, done = _import(env, _sheet(tmp_path / "six.xlsx", header, [row, calendar]))
    assert check.ok and done is not None and done.added == 2, check.problems
    c = _by_number(env)
    form_plan = _installments(env, form.id)
    excel_plan = _installments(env, c["HT-062"].id)
    assert sum(i[4] for i in form_plan) == sum(i[4] for i in excel_plan) == D("61500.00")
    assert [i[1:] for i in excel_plan] == [i[1:] for i in form_plan]  # every period, due date and amount
    assert c["HT-062"].billing_align == "contract" and c["HT-062"].escalation_pct == 5
    # the same contract billed by the calendar (the form's default, and an import without the column)
    assert sum(i[4] for i in _installments(env, c["HT-063"].id)) == D("61486.22")


def _village(env: Env) -> None:
    """Contracts of every shape the form makes."""
    env.create(number="HT-001")  # 12,000 a year 2026–2030, 按自然年度
    env.create(number="HT-002", name="果园承包合同", subject="南山果园", price_basis="单价", unit_price=D("700.50"),
               area_mu=D("30.5"), annual_rent=None, land_class="园地", location="南山", escalation_pct=D("5"),
               escalation_years=3, billing_align="contract", start_date=date(2024, 7, 1), end_date=date(2030, 6, 30),
               signed_on=date(2024, 6, 20), payment_mode="半年付", due_days=15, counterparty_phone="13900000000")
    env.create(number="HT-003", name="厂房租赁合同", kind="资产租赁", subject="一号厂房", counterparty_name="东湖商贸有限公司",
               counterparty_kind="单位", counterparty_id_number=USCC, payment_mode="季付", written=False,
               deposit_required=D("3000.00"), notes="=危险的备注", start_date=date(2025, 3, 15),
               end_date=date(2028, 3, 14), annual_rent=D("36500.00"))
    env.create(number="HT-004", name="林地一次性发包", payment_mode="一次性", land_class="林地", area_mu=D("120.1234"),
               counterparty_id_number=None, counterparty_name="李四", start_date=date(2025, 1, 1),
               end_date=date(2034, 12, 31), annual_rent=D("4800.00"))


def _export_cli(env: Env, out: Path) -> Path:
    db = str(env.db.path)
    env.db.close()
    assert main(["--user", "kj", "export", "contracts", "--org", env.org.uscc, "--as-of", "2026-03-01", "--db", db,
                 "--out", str(out)]) == 0
    env.db = open_database(Path(db))
    return out


_SAME = ("number", "name", "kind", "subject", "location", "land_class", "area_mu", "counterparty_name",
         "counterparty_kind", "counterparty_id_number", "counterparty_phone", "signed_on", "start_date", "end_date",
         "price_basis", "annual_rent", "unit_price", "escalation_pct", "escalation_years", "payment_mode",
         "billing_align", "due_days", "deposit_required", "written", "notes", "status")


def test_export_reimports_into_a_fresh_organisation_and_unchanged_into_the_same(
        env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    _village(env)
    out = _export_cli(env, tmp_path / "合同台账.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws is not None and "计费周期" in [c.value for c in ws[3]]

    fresh = make_env(tmp_path / "fresh.db")
    try:
        check, done = _import(fresh, out)
        assert check.ok, [str(p) for p in check.problems]
        assert done is not None and done.added == 4
        assert [s.reason for s in check.skipped] == ["标题行", "标题行", "合计行"]
        assert any("民主程序" in n for n in check.notes)
        assert not any("乡镇备案日期" in n for n in check.notes)  # the filing is imported (none here)
        old, new = _by_number(env), _by_number(fresh)
        assert sorted(new) == sorted(old) == ["HT-001", "HT-002", "HT-003", "HT-004"]
        for number, was in old.items():
            assert {k: getattr(new[number], k) for k in _SAME} == {k: getattr(was, k) for k in _SAME}, number
            assert _installments(fresh, new[number].id) == _installments(env, was.id), number
    finally:
        fresh.db.close()

    check, done = _import(env, out, "update")
    assert check.ok and done is not None, check.problems
    assert (done.added, done.updated, check.count("unchanged")) == (0, 0, 4)
    check, done = _import(env, out, "skip")
    assert done is not None and (done.added, check.count("skipped")) == (0, 4)
    check, done = _import(env, out, "add")
    assert done is None and [p.message.split("。")[0] for p in check.problems] == [
        f"HT-00{i} 已登记" for i in (1, 2, 3, 4)]


def test_update_goes_through_update_contract_and_a_refused_edit_is_a_problem(env: Env, tmp_path: Path) -> None:
    _village(env)
    with env.db.begin() as s:
        rows = list_contracts(s, env.org.id)
    out = tmp_path / "c.xlsx"
    x.export_contracts(out, rows, scope="东湖村", org_names={env.org.id: "东湖村"}, mask_ids=False)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    head = {c.value: c.column for c in ws[3]}
    ws.cell(4, head["年租金"], 13000)  # HT-001: the rent
    ws.cell(5, head["计费周期"], "按自然年度")  # HT-002: the billing basis
    ws.cell(6, head["联系电话"], "13811112222")  # HT-003: the counterparty's phone and the note
    ws.cell(6, head["备注"], "保证金已交")
    wb.save(out)
    check, _ = _import(env, out, "update", apply=False)
    assert check.ok, check.problems
    changes = {o.key: [str(c) for c in o.changes] for o in check.outcomes if o.status == "changed"}
    assert changes == {"HT-001": ["年租金：12000 → 13000"], "HT-002": ["计费周期：按合同年度 → 按自然年度"],
                       "HT-003": ["联系电话：（空） → 13811112222", "备注：=危险的备注 → 保证金已交"]}

    cid = _by_number(env)["HT-001"].id
    with env.db.begin("test") as s:  # money received: the rent can no longer change
        record_receipt(s, cid, received_on=date(2026, 3, 10), amount="5000", method="银行", user=env.user)
    check, done = _import(env, out, "update")
    assert done is None
    rent = openpyxl.utils.get_column_letter(head["年租金"])
    assert [str(p) for p in check.problems] == [
        f"第4行{rent}列“年租金”：该合同已有收款记录，不能修改租金条款；请签订补充协议（续签）或终止后重新登记"]
    assert _by_number(env)["HT-003"].counterparty_phone is None  # nothing written: not even the good rows

    ws.cell(4, head["年租金"], 12000)
    wb.save(out)
    check, done = _import(env, out, "update")
    assert done is not None and (done.added, done.updated) == (0, 2), check.problems
    got = _by_number(env)
    assert got["HT-002"].billing_align == "calendar" and got["HT-003"].counterparty_phone == "13811112222"
    assert got["HT-002"].area_mu == D("30.5") and got["HT-002"].unit_price == D("700.50")  # kept as registered
    with env.db.begin() as s:
        audit = s.execute(select(AuditEntry.summary).order_by(AuditEntry.n)).scalars().all()
    assert any(a.startswith("修改合同 HT-002，重新生成应收期次") for a in audit)
    assert any(a.startswith("修改合同 HT-003") for a in audit)
    assert any("导入合同" in a for a in audit)


def test_template_with_its_examples_imports_cleanly(env: Env, tmp_path: Path) -> None:
    path = write_template("contracts", tmp_path / "t.xlsx", examples=True)
    check, _ = _import(env, path, apply=False)
    assert check.ok and check.count("new") == 2, check.problems
    # the template as a user gets it: the examples on their own sheet, never imported by mistake
    check, _ = _import(env, x.write_import_template(tmp_path / "old.xlsx"), apply=False)
    assert not check.ok and [p.message for p in check.problems] == [
        "表头下没有数据行：请在表头下逐行填写要导入的数据（模板“示例”工作表中的示例不会导入）"]
    assert [r[0] for r in openpyxl.load_workbook(tmp_path / "old.xlsx")["示例"].iter_rows(min_row=4, values_only=True)
            if r[0]] != []
    book = openpyxl.load_workbook(tmp_path / "t.xlsx")
    sheet = book.worksheets[0]
    head = {c.value: c.column for c in sheet[3]}  # below the template's title and note
    assert sheet.cell(50, head["证件号码"]).number_format == "@"  # typed numbers keep all 18 digits
    info = book["填写说明"]
    assert any(r[0] == "计费周期" and "按合同年度" in (r[3] or "") for r in info.iter_rows(values_only=True))
    check, done = _import(env, tmp_path / "t.xlsx")
    assert done is not None and done.added == 2
    got = _by_number(env)
    assert got["HT2026-002"].billing_align == "contract" and got["HT2026-002"].counterparty_kind == "单位"
    assert got["HT2026-001"].escalation_years == 3 and got["HT2026-001"].escalation_pct == 5
    # the import's own entry belongs to the organisation: its 组织 column and filter find it
    from desktop_app.core.services.audit_trail import AuditFilter, audit_page
    from desktop_app.core.services.users import create_user

    with env.db.begin("test") as s:
        supervisor = create_user(s, username="jd", display_name="赵监督", password="secret1", roles=["supervisor"])
    with env.db.read() as s:
        rows = audit_page(s, AuditFilter(organisation_id=env.org.id, action="import"), user=supervisor).rows
    assert [(r.organisation, r.summary) for r in rows] == [(env.org.name, "从 合同台账 表导入合同：新增 2 份")]


def test_a_villages_own_sheet_is_read_by_synonyms(env: Env, tmp_path: Path) -> None:
    """No 承包方类型 column (judged from the 证件号码 or the name), 期限 instead of an end date,
    units and Chinese dates in cells, a title, a 合计 and a sign-off line."""
    header = ["序号", "合同号", "合同名称", "合同类型", "标的物", "乙方", "身份证号码", "起租日期", "到期日期", "期限",
              "年承包费", "递增条款", "缴费方式", "计租方式"]
    rows: list[list[object]] = [
        [1, "DH-01", "鱼塘承包", "资源发包", "东湖鱼塘", "张 三", RIC.lower(), "2024年7月1日", "2030.6.30", "6年", "1万元",
         "每三年递增5%", "按年", "合同年度"],
        [2, "DH-02", "荒山承包", "资源发包", "西山", "王五", None, "2025-01-01", None, 10, "800", "无", "年付", None],
        [3, "DH-03", "厂房租赁", "资产租赁", "一号厂房", "东湖商贸有限公司", USCC, 20250301, 20280228, 3, "36,500",
         None, "季付", "按自然年度"],
        [4, "DH-04", "水面养殖", "资源发包", "北塘", "东湖水产养殖专业合作社", None, "2025/1/1", "2027/12/31", None, "1,500元/年",
         None, "年付", None],
        ["合计", None, None, None, None, None, None, None, None, None, "48800", None, None, None],
        ["填表人：王会计", None, None, None, None, None, None, None, None, None, None, None, None, None],
    ]
    check, done = _import(env, _sheet(tmp_path / "v.xlsx", header, rows, title="东湖村集体经济合同台账"))
    assert check.ok and done is not None and done.added == 4, [str(p) for p in check.problems]
    assert [s.reason for s in check.skipped] == ["标题行", "标题行", "合计行", "说明行"]
    assert "承包方类型未填的 4 行：按证件号码或名称判断为个人或单位，请在预览中核对" in check.notes
    got = _by_number(env)
    one, two = got["DH-01"], got["DH-02"]
    assert (one.counterparty_name, one.counterparty_id_number, one.annual_rent) == ("张三", RIC, D("10000.00"))
    assert (one.billing_align, one.escalation_pct, one.escalation_years) == ("contract", 5, 3)
    assert sum(i[4] for i in _installments(env, one.id)) == D("61500.00")
    assert two.end_date == date(2034, 12, 31) and two.escalation_pct == 0  # 期限 10 年 gives the end
    assert [got[n].counterparty_kind for n in ("DH-01", "DH-02", "DH-03", "DH-04")] == ["个人", "个人", "单位", "单位"]
    assert got["DH-03"].start_date == date(2025, 3, 1) and got["DH-03"].annual_rent == D("36500.00")


def test_masked_ids_keep_the_registered_number_and_an_organisation_column_is_checked(
        env: Env, tmp_path: Path) -> None:
    _village(env)
    with env.db.begin() as s:
        rows = list_contracts(s, env.org.id)
    out = tmp_path / "masked.xlsx"
    x.export_contracts(out, rows, scope="东湖村", org_names={env.org.id: "东湖村"}, mask_ids=True)
    check, done = _import(env, out, "update")
    assert check.ok and done is not None and (done.added, done.updated) == (0, 0), check.problems
    assert "证件号码已隐去中间八位的 2 行：保留已登记的号码" in check.notes
    assert _by_number(env)["HT-001"].counterparty_id_number == RIC
    fresh = make_env(tmp_path / "fresh.db")
    try:
        check, done = _import(fresh, out)
        assert done is None and [(p.row, p.message[:11]) for p in check.problems] == [(4, "“110105****"), (5, "“110105****")]
    finally:
        fresh.db.close()
    two = tmp_path / "two.xlsx"  # an --all export of two villages: the 组织 column says whose each row is
    x.export_contracts(two, rows, scope="全部组织", org_names={env.org.id: "东湖村", uuid.uuid4(): "西湖村"}, mask_ids=False)
    wb = openpyxl.load_workbook(two)
    ws = wb.active
    assert ws is not None and ws.cell(3, 1).value == "组织"
    ws.cell(5, 1, "西湖村")
    wb.save(two)
    check, done = _import(env, two, "update")
    assert done is None and [str(p) for p in check.problems] == [
        "文件的“组织”列有 2 个组织（东湖村、西湖村…），合同只能导入到当前组织；请按组织分开文件后分别导入"]


def test_cli_imports_the_export_in_every_mode(env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    _village(env)
    out = _export_cli(env, tmp_path / "c.xlsx")
    db = str(env.db.path)
    env.db.close()
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    head = {c.value: c.column for c in ws[3]}
    ws.cell(5, head["计费周期"], "按自然年度")
    wb.save(out)
    capsys.readouterr()
    args = ["--user", "kj", "import", "contracts", str(out), "--org", "320115106201", "--db", db]
    assert main([*args, "--mode", "update", "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "第5行 HT-002 果园承包合同：计费周期：按合同年度 → 按自然年度" in said and "检查通过；未写入" in said
    assert main([*args, "--mode", "update"]) == 0
    assert "已导入合同：新增 0 份，更新 1 份，已有未动 3 份" in capsys.readouterr().out
    assert main(args) == 1  # 仅新增: every number is registered
    assert main(["template", "contracts", "--examples", "--out", str(tmp_path / "t.xlsx")]) == 0
    assert main(["--user", "kj", "import", "contracts", str(tmp_path / "t.xlsx"), "--org", "320115106201",
                 "--db", db]) == 0
    env.db = open_database(Path(db))
    assert _by_number(env)["HT-002"].billing_align == "calendar" and len(_by_number(env)) == 6


def test_every_bad_cell_is_named_at_once_and_nothing_is_written(env: Env, tmp_path: Path) -> None:
    header = ["合同编号", "合同名称", "合同类型", "标的", "承包方名称", "承包方类型", "证件号码", "起始日期", "终止日期",
              "期限（年）", "计价方式", "年租金", "单价（元/亩·年）", "面积（亩）", "递增条款", "递增比例（%）", "付款方式",
              "计费周期"]
    good = ["E-1", "鱼塘", "资源发包", "鱼塘", "张三", "个人", RIC, date(2026, 1, 1), date(2030, 12, 31), 5, "年租金",
            12000, None, None, "每3年递增5%", None, "年付", "按自然年度"]

    def bad(number: str, cols: dict[str, object] | None = None) -> list[object]:
        row = {**dict(zip(header, good, strict=True)), "合同编号": number, **(cols or {})}
        return [row[h] for h in header]

    rows = [good, bad("E-2", {"期限（年）": 4}), bad("E-3", {"计费周期": "按月"}), bad("E-4", {"递增条款": "逐年递增"}),
            bad("E-5", {"递增比例（%）": 3}), bad("E-6", {"起始日期": "2026年2月30日"}), bad("E-7", {"年租金": "一万"}),
            bad("E-8", {"计价方式": "单价", "单价（元/亩·年）": 100, "面积（亩）": 10}), bad("E-1"),
            bad("E-9", {"证件号码": RIC[:6] + "********" + RIC[-4:]}), bad("E-10", {"付款方式": "月付"}),
            bad("E-11", {"证件号码": USCC})]
    check, done = _import(env, _sheet(tmp_path / "bad.xlsx", header, rows))
    assert done is None
    assert [str(p) for p in check.problems] == [
        "第3行J列“期限（年）”：期限 4 年与起止日期 2026-01-01 至 2030-12-31（5 年）不符；请核对起止日期，或清空期限",
        "第4行R列“计费周期”：计费周期“按月”无法识别，应填“按自然年度”或“按合同年度”",
        "第5行O列“递增条款”：递增条款“逐年递增”无法识别，应写成“每3年递增5%”；不递增写“无”，也可改填“递增比例（%）”和"
        "“递增间隔（年）”两列",
        "第6行P列“递增比例（%）”：3 与O列“递增条款”“每3年递增5%”不符，请只填一处或改为一致",
        "第7行H列“起始日期”：“2026年2月30日”不是存在的日期（2026年没有2月30日）",
        "第8行L列“年租金”：“一万”不是年租金：请只填写数字，可带单位“元”，如 1,200",
        "第9行L列“年租金”：年租金 12,000.00 与按单价 100 元/亩、面积 10 亩算得的 1,000.00 不符；"
        "按单价计租时年租金由单价和面积算出，请改为一致或清空年租金",
        "第10行A列“合同编号”：E-1 与第2行重复",
        "第11行G列“证件号码”：“110105********002X”是隐去中间八位的号码，不能导入；请填写完整的证件号码，或清空该格",
        "第12行Q列“付款方式”：付款方式“月付”无效，应为：年付、半年付、季付、一次性",
        "第13行G列“证件号码”：身份证号只能是数字，最后一位可以是 X",  # a company's code for a 个人
    ]
    assert _by_number(env) == {}


@pytest.mark.parametrize(("text", "want"), [
    ("每3年递增5%", (D(5), 3)), ("每三年递增5\uff05", (D(5), 3)), ("每 2 年上浮 3.5 %", (D("3.5"), 2)),
    ("每十年增长10%", (D(10), 10)), ("每十二年递增1%", (D(1), 12)), ("无", (D(0), 0)), ("不递增", (D(0), 0)),
    (None, None)])
def test_escalation_clause_as_people_write_it(text: object, want: object) -> None:
    from desktop_app.excel.import_contracts import read_escalation

    assert read_escalation(text) == want


def test_billing_basis_words() -> None:
    from desktop_app.core.cellvalues import CellError
    from desktop_app.excel.import_contracts import read_align

    assert [read_align(t) for t in ("按合同年度", "合同年度", "按自然年度（季度）", "自然年", " 按 合同 年度 ", None)] == [
        "contract", "contract", "calendar", "calendar", "contract", None]
    with pytest.raises(CellError, match="应填“按自然年度”或“按合同年度”"):
        read_align("按月")


def test_a_parcel_is_linked_by_its_code(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.resources import create_parcel

    with env.db.begin("test") as s:
        parcel = create_parcel(s, organisation_id=env.org.id, code="D01", name="东大田", land_class="耕地",
                               area_mu=D("12.3456"), status="机动地", user=env.user)
    header = ["合同编号", "合同名称", "合同类型", "标的", "地块编号", "承包方名称", "起始日期", "终止日期", "年租金", "付款方式"]
    rows: list[list[object]] = [["P-1", "东大田发包", "资源发包", "东大田", "D01", "王五", "2026-01-01", "2028-12-31", 3000, "年付"],
                                ["P-2", "西大田发包", "资源发包", "西大田", "X99", "王六", "2026-01-01", "2028-12-31", 3000, "年付"]]
    check, done = _import(env, _sheet(tmp_path / "p.xlsx", header, rows))
    assert done is None and [str(p) for p in check.problems] == [
        "第3行E列“地块编号”：本组织没有地块编号为“X99”的地块；请先在资源台账中登记，或清空该格"]
    check, done = _import(env, _sheet(tmp_path / "p.xlsx", header, rows[:1]))
    assert done is not None and done.added == 1, check.problems
    assert _by_number(env)["P-1"].parcel_id == parcel.id
    check, done = _import(env, _sheet(tmp_path / "p2.xlsx", [h for h in header if h != "地块编号"],
                                      [[c for i, c in enumerate(rows[0]) if i != 4]]), "update")
    assert done is not None and check.count("unchanged") == 1  # no 地块编号 column: the link stays
    assert _by_number(env)["P-1"].parcel_id == parcel.id


def test_the_import_dialogs_check_shows_the_contract_changes_and_notes(env: Env, tmp_path: Path) -> None:
    """What the 合同 page's 导入 dialog shows (its ``inspect``, on the dialog's own write transaction)."""
    from desktop_app.ui.import_dialog import inspect

    _village(env)
    with env.db.begin() as s:
        rows = list_contracts(s, env.org.id)
    out = tmp_path / "c.xlsx"
    x.export_contracts(out, rows, scope="东湖村", org_names={env.org.id: "东湖村"}, mask_ids=False)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    assert ws is not None
    head = {c.value: c.column for c in ws[3]}
    ws.cell(4, head["递增条款"], "每2年递增3%")
    wb.save(out)
    with env.db.begin("kj") as s:
        seen = inspect(s, "contracts", out, organisation_id=env.org.id, book_id=env.book.id, mode="update")
    assert seen.ok and seen.key_label == "合同编号" and seen.counts.get("changed", 1) == 1
    assert [str(c) for o in seen.check.outcomes if o.status == "changed" for c in o.changes] == [
        "递增比例（%）：0 → 3", "递增间隔（年）：0 → 2"]
    assert any("民主程序" in n for n in seen.notes)
    assert _by_number(env)["HT-001"].escalation_years == 0  # a check writes nothing


def test_a_new_contracts_status_comes_from_the_export(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.contracts import set_contract_status

    env.create(number="S-1", status="草拟")
    disputed = env.create(number="S-2")
    ended = env.create(number="S-3")
    env.create(number="S-4")
    with env.db.begin("test") as s:
        set_contract_status(s, disputed, "纠纷", reason="边界争议", user=env.user)
        set_contract_status(s, ended, "终止", on=date(2026, 2, 1), reason="承包方退包", user=env.user)
        rows = list_contracts(s, env.org.id, as_of=date(2026, 3, 1))
    assert [r.state for r in rows] == ["草拟", "纠纷", "已终止", "履行中"]
    out = tmp_path / "s.xlsx"
    x.export_contracts(out, rows, scope="东湖村", org_names={env.org.id: "东湖村"}, as_of=date(2026, 3, 1), mask_ids=False)
    fresh = make_env(tmp_path / "fresh.db")
    try:
        check, done = _import(fresh, out)
        assert done is not None and done.added == 4, check.problems
        assert "第6行的合同在文件中为“已终止”：终止日期未在文件中，按履行中登记；请导入后在合同页逐份办理终止" in check.notes
        assert {n: c.status for n, c in _by_number(fresh).items()} == {"S-1": "草拟", "S-2": "纠纷", "S-3": "履行中",
                                                                      "S-4": "履行中"}
    finally:
        fresh.db.close()
    check, done = _import(env, out, "update")  # the registered contracts' status is not the import's to change
    assert done is not None and check.count("unchanged") == 4


def _linked_village(env: Env) -> dict[str, uuid.UUID]:
    """A parcel D01 and an asset ZC-01, a contract on each, the first filed with the township."""
    from desktop_app.core.services.assets import create_asset
    from desktop_app.core.services.contract_records import add_filing
    from desktop_app.core.services.resources import create_parcel

    with env.db.begin("test") as s:
        parcel = create_parcel(s, organisation_id=env.org.id, code="D01", name="东大田", land_class="耕地",
                               area_mu=D("12.3456"), status="机动地", user=env.user)
        asset = create_asset(s, organisation_id=env.org.id, book_id=env.book.id, user=env.user, code="ZC-01",
                             name="一号厂房", category="房屋及建筑物", nature="经营性", acquired_on=date(2026, 1, 20),
                             original_value=D("10000.00"), useful_life_months=36, residual_rate=D(4))
    first = env.create(number="HT-101", subject="东大田", parcel_id=parcel.id)
    env.create(number="HT-102", name="厂房租赁合同", kind="资产租赁", subject="一号厂房", asset_id=asset.id,
               counterparty_name="东湖商贸有限公司", counterparty_kind="单位", counterparty_id_number=USCC)
    with env.db.begin("test") as s:
        add_filing(s, first, filed_on=date(2026, 1, 10), user=env.user)
    return {"D01": parcel.id, "ZC-01": asset.id}


def test_the_export_carries_the_parcel_asset_and_filing_into_a_fresh_organisation(
        env: Env, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Reviewer defect 6: the 合同台账 had no 地块编号/资产编号, so an import elsewhere lost the links
    (and the parcel's 合同编号 with them); 乡镇备案日期 was announced as not imported."""
    from desktop_app.core.services.assets import create_asset
    from desktop_app.core.services.resources import create_parcel

    monkeypatch.setenv("SUNSHINE_LEDGER_PASSWORD", "secret1")
    _linked_village(env)
    out = _export_cli(env, tmp_path / "合同台账.xlsx")
    ws = openpyxl.load_workbook(out).active
    assert ws is not None
    head = [c.value for c in ws[3]]
    rows = {r[head.index("合同编号")]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[0] != "合计"}
    assert (rows["HT-101"][head.index("地块编号")], rows["HT-101"][head.index("资产编号")]) == ("D01", None)
    assert (rows["HT-102"][head.index("地块编号")], rows["HT-102"][head.index("资产编号")]) == (None, "ZC-01")

    fresh = make_env(tmp_path / "fresh.db")
    try:
        check, done = _import(fresh, out)  # no parcel or asset yet: said at the cells, nothing written
        assert done is None and [str(p) for p in check.problems] == [
            "第4行E列“地块编号”：本组织没有地块编号为“D01”的地块；请先在资源台账中登记，或清空该格",
            "第5行F列“资产编号”：本组织没有资产编号为“ZC-01”的资产；请先在资产台账中登记，或清空该格"]
        with fresh.db.begin("test") as s:
            parcel = create_parcel(s, organisation_id=fresh.org.id, code="D01", name="东大田", land_class="耕地",
                                   area_mu=D("12.3456"), status="机动地", user=fresh.user)
            asset = create_asset(s, organisation_id=fresh.org.id, book_id=fresh.book.id, user=fresh.user,
                                 code="ZC-01", name="一号厂房", category="房屋及建筑物", nature="经营性",
                                 acquired_on=date(2026, 1, 20), original_value=D("10000.00"),
                                 useful_life_months=36, residual_rate=D(4))
        check, done = _import(fresh, out)
        assert done is not None and done.added == 2, check.problems
        new = _by_number(fresh)
        assert (new["HT-101"].parcel_id, new["HT-102"].asset_id) == (parcel.id, asset.id)
        assert (new["HT-101"].filed_on, new["HT-102"].filed_on) == (date(2026, 1, 10), None)
        again = _export_cli(fresh, tmp_path / "again.xlsx")

        def data(path: Path) -> list[tuple[Any, ...]]:
            sheet = openpyxl.load_workbook(path).active
            assert sheet is not None
            return [r for r in sheet.iter_rows(min_row=3, values_only=True)]

        assert data(again) == data(out)
    finally:
        fresh.db.close()
    check, done = _import(env, out, "update")  # the same organisation: nothing to change
    assert done is not None and (done.added, done.updated, check.count("unchanged")) == (0, 0, 2), check.problems


def test_a_filing_date_registers_the_filing_of_a_contract_that_has_none(env: Env, tmp_path: Path) -> None:
    from desktop_app.core.services.contract_records import add_filing

    first = env.create(number="HT-201")
    second = env.create(number="HT-202")
    with env.db.begin("test") as s:
        add_filing(s, second, filed_on=date(2026, 2, 1), user=env.user)
    header = ["合同编号", "合同名称", "合同类型", "标的", "承包方名称", "起始日期", "终止日期", "年租金", "付款方式",
              "乡镇备案日期"]
    base = ["鱼塘承包合同", "资源发包", "东湖鱼塘", "张三", "2026-01-01", "2030-12-31", 12000, "年付"]
    path = _sheet(tmp_path / "f.xlsx", header, [["HT-201", *base, "2026-01-15"], ["HT-202", *base, "2026-03-01"]])
    check, done = _import(env, path, "update")
    assert done is not None and (done.added, done.updated) == (0, 1), check.problems
    assert {o.key: [str(c) for c in o.changes] for o in check.outcomes} == {
        "HT-201": ["乡镇备案日期：（空） → 2026-01-15"], "HT-202": []}
    assert any("第3行" in n and "已有备案的合同不由导入修改" in n for n in check.notes), check.notes
    got = _by_number(env)
    assert (got["HT-201"].filed_on, got["HT-202"].filed_on) == (date(2026, 1, 15), date(2026, 2, 1))
    assert got["HT-201"].id == first
