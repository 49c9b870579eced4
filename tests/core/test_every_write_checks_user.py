"""Issue #16: every write service takes the acting user and checks it (``auth.require_role``).

Parsed with ``ast``: a public function of ``desktop_app/core/services`` writes when it adds,
merges or deletes through the session, executes INSERT/UPDATE/DELETE, records an audit entry,
bulk-inserts, or calls a function (of its module or another service module) that does. Such a
function must take ``user`` (not ``user=None``) and call ``require_role`` itself or call a
checked service. A private
(underscore) helper may stay user-less: the public function that calls it is the one checked.
"""

from __future__ import annotations

import ast
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.base import Base
from desktop_app.core.errors import PermissionDenied
from desktop_app.core.rows import UserRow
from tests.contracts.conftest import Env, make_env

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "desktop_app" / "core" / "services"
PKG = "desktop_app.core.services"

# Calls that write by themselves (method name on the session / a function name).
WRITE_METHODS = {"add", "add_all", "delete", "merge", "bulk_insert_mappings", "bulk_save_objects"}
WRITE_FUNCS = {"record_audit", "bulk_insert", "insert", "update", "delete"}
CHECKS = {"require_role", "acting_user"}  # acting_user: a real, active user acting on itself
USER_PARAMS = {"user", "actor", "maker"}  # the acting user's parameter (users.py says actor, bulk posting maker)
# Writes that are no one's act on the books (why, beside each).
EXEMPT = {
    "auth.attempt_login": "a login is recorded before anyone is known; it is the check itself",
    "auth.authenticate": "attempt_login raising on refusal",
    "assets_common.write_history": "a card's history line, written beside the audit entry of a checked write",
    "balances.apply_voucher_totals": "the derived month totals, kept in step by the checked posting services",
    "balances.rebuild_totals": "the derived month totals, rebuilt after a sync import (no user's act)",
    "users.create_user": "a new database's first administrator is made before anyone can act (note 38); "
                         "after that _admin requires a 系统管理员",
}
# Writes still without a checked user, each with what is to be done (issue #16: all done). Nothing
# may be added: a new write service takes ``user`` and checks it; the list may only shrink.
PENDING: dict[str, str] = {}


@dataclass
class Func:
    module: str
    name: str
    params: set[str]
    writes_here: bool = False
    checks_here: bool = False
    calls: set[tuple[str, str]] = field(default_factory=set)  # (module, name)


def _called_name(node: ast.Call) -> tuple[str | None, str | None]:
    f = node.func
    if isinstance(f, ast.Name):
        return None, f.id
    if isinstance(f, ast.Attribute):
        base = f.value.id if isinstance(f.value, ast.Name) else None
        return base, f.attr
    return None, None


def _module_funcs(path: Path) -> dict[str, Func]:
    module = path.stem
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: dict[str, tuple[str, str]] = {}  # local name -> (module, function)
    modules: dict[str, str] = {}  # local name -> service module
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(PKG + "."):
                src = node.module[len(PKG) + 1:]
                for a in node.names:
                    imported[a.asname or a.name] = (src, a.name)
            elif node.module == PKG:
                for a in node.names:
                    modules[a.asname or a.name] = a.name
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith(PKG + ".") and a.asname:
                    modules[a.asname] = a.name[len(PKG) + 1:]
    found: dict[str, Func] = {}
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef):
            continue
        args = node.args
        positional = args.posonlyargs + args.args
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        # a user that may be left out (``user=None``) is not a user the function is sure to check
        params = {a.arg for a, d in [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults,
                                                                                    strict=True)]
                  if not (isinstance(d, ast.Constant) and d.value is None)}
        fn = Func(module, node.name, params)
        for sub in ast.walk(node):
            if not isinstance(sub, ast.Call):
                continue
            base, name = _called_name(sub)
            if name is None:
                continue
            if name in CHECKS:
                fn.checks_here = True
            if base is not None and name in WRITE_METHODS and base in {"session", "s", "db"}:
                fn.writes_here = True
            elif base is None and name in WRITE_FUNCS and name not in imported:
                fn.writes_here = True
            if base is None:
                fn.calls.add(imported.get(name, (module, name)))
            elif base in modules:
                fn.calls.add((modules[base], name))
        found[node.name] = fn
    return found


def _all_funcs() -> dict[tuple[str, str], Func]:
    funcs: dict[tuple[str, str], Func] = {}
    for path in sorted(SERVICES.glob("*.py")):
        for name, fn in _module_funcs(path).items():
            funcs[(fn.module, name)] = fn
    return funcs


def _closure(funcs: dict[tuple[str, str], Func], base: str) -> set[tuple[str, str]]:
    marked = {k for k, f in funcs.items() if getattr(f, base)}
    changed = True
    while changed:
        changed = False
        for k, f in funcs.items():
            if k in marked:
                continue
            if base == "checks_here" and not f.params & USER_PARAMS:
                continue
            if any(c in marked for c in f.calls):
                marked.add(k)
                changed = True
    return marked


def unchecked_writes() -> list[str]:
    funcs = _all_funcs()
    writers = _closure(funcs, "writes_here")
    checked = {k for k in _closure(funcs, "checks_here") if funcs[k].params & USER_PARAMS}
    return sorted(f"{m}.{n}" for (m, n) in writers
                  if not n.startswith("_") and (m, n) not in checked)


def test_every_public_write_service_takes_and_checks_the_user() -> None:
    offenders = [name for name in unchecked_writes() if name not in EXEMPT and name not in PENDING]
    assert offenders == [], "write services without a checked user: " + ", ".join(offenders)


def test_pending_only_shrinks() -> None:
    still = set(unchecked_writes())
    assert [name for name in PENDING if name not in still] == [], "done: remove from PENDING"
    assert [name for name in EXEMPT if name not in still] == [], "checks now: remove from EXEMPT"


# --- behaviour: a representative write of each area, refused to the wrong user, writes nothing ---



@dataclass
class Village:
    env: Env
    other_org: uuid.UUID
    intruders: dict[str, UserRow]
    officer: UserRow  # a 区级管理员
    supervisor: UserRow


@pytest.fixture
def village(tmp_path: Path) -> Iterator[Village]:
    """One village (东湖) with its book and bookkeeper, a second village, and four users who must
    not write 东湖's records: a 监督, a 记账员 limited to the second village, a made-up row (an id
    this database never issued, claiming 记账员) and a 记账员 who has been disabled; and a 区级管理员."""
    from desktop_app.core.services.orgs import create_organisation, create_region
    from desktop_app.core.services.users import create_user, set_user_organisations, update_user

    env = make_env(tmp_path / "perms.db")
    with env.db.begin("test") as s:
        admin = create_user(s, username="admin", display_name="管理员", password="secret1", roles=["sysadmin"])
        create_region(s, code="320115106202", name="西岗村村民委员会", user=env.user)
        other = create_organisation(s, name="西岗村股份经济合作社", level="村", uscc="N2320115MF00000222",
                                    region_code="320115106202", user=env.user)
        supervisor = create_user(s, username="jd", display_name="赵监督", password="secret1", roles=["supervisor"],
                                 actor=admin)
        limited = create_user(s, username="xg", display_name="西岗会计", password="secret1", roles=["bookkeeper"],
                              actor=admin)
        set_user_organisations(s, limited.id, [other.id], actor=admin)
        retired = create_user(s, username="ty", display_name="钱离任", password="secret1", roles=["bookkeeper"],
                              actor=admin)
        update_user(s, retired.id, active=False, actor=admin)
        officer = create_user(s, username="quji", display_name="区经管站", password="secret1",
                              roles=["district_admin"], actor=admin)
    ghost = UserRow(uuid.uuid4(), "kj", "王会计", ("bookkeeper", "sysadmin"), True)
    yield Village(env, other.id, {"监督": supervisor, "限其他村": limited, "冒名": ghost, "停用": retired},
                  officer, supervisor)
    env.db.close()


def _counts(s: Session) -> dict[str, int]:
    return {t.name: s.scalar(select(func.count()).select_from(t)) or 0 for t in Base.metadata.sorted_tables}


def _contract(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.contracts import create_contract

    return create_contract(s, v.env.contract(number="HT-X"), user=user)


def _household(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.members import create_household

    return create_household(s, organisation_id=v.env.org.id, number="901", user=user)


def _organisation(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.orgs import update_organisation

    return update_organisation(s, v.env.org.id, phone="025-52100000", user=user)


def _book(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.orgs import create_book

    return create_book(s, organisation_id=v.env.org.id, name="东湖村村民委员会", kind="村民委员会",
                       start_period="2026-01", user=user)


def _parcel(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.resources import create_parcel

    return create_parcel(s, organisation_id=v.env.org.id, code="DK-9", name="后湾", land_class="耕地",
                         area_mu=Decimal("3.5"), status="机动地", user=user)


def _project(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.projects import create_project

    return create_project(s, organisation_id=v.env.org.id, code="XM-9", name="光伏", kind="光伏", status="申报",
                          user=user)


def _stocktake(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.stocktake import start_stocktake

    return start_stocktake(s, book_id=v.env.book.id, name="年度清查", started_on=date(2026, 11, 1), user=user)


def _disclosure(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.disclosure import update_disclosure_settings

    return update_disclosure_settings(s, v.env.org.id, phone="025-52101234", user=user)


def _distribution(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.distribution_query import update_distribution_settings

    return update_distribution_settings(s, v.env.org.id, reserve_rate=Decimal("20"), user=user)


def _review(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.contract_review import set_reference_price

    return set_reference_price(s, v.env.org.id, "耕地", "900", user=user)


def _person(v: Village, s: Session) -> tuple[uuid.UUID, uuid.UUID]:
    """A household with its head, made by the village's bookkeeper (rolled back with a refused write)."""
    from desktop_app.core.ids import make_ric
    from desktop_app.core.services.members import add_member, create_household
    from desktop_app.core.services.shares import ensure_default_share_types

    ensure_default_share_types(s, v.env.org.id, user=v.env.user)
    h = create_household(s, organisation_id=v.env.org.id, number="902", group_name="第一组", user=v.env.user)
    m = add_member(s, organisation_id=v.env.org.id, household_id=h.id, name="周立新", relation="户主",
                   ric=make_ric("320115", date(1970, 5, 6), 31), confirmed_on=date(2019, 12, 31), user=v.env.user)
    return h.id, m.id


def _share_types(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.shares import ensure_default_share_types

    return ensure_default_share_types(s, v.env.org.id, user=user)


def _household_edit(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.members import update_household

    return update_household(s, _person(v, s)[0], group_name="第二组", user=user)


def _member_edit(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.members import update_member

    return update_member(s, _person(v, s)[1], note="已核对", user=user)


def _member_event(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.members import record_membership_event

    return record_membership_event(s, _person(v, s)[1], kind="迁出", event_date=date(2026, 3, 1), basis="户口迁出证明",
                                   user=user)


def _share_adjust(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.shares import adjust_shares, list_share_types

    member = _person(v, s)[1]
    kind = next(t.id for t in list_share_types(s, v.env.org.id) if t.name == "人口股")
    return adjust_shares(s, member_id=member, share_type_id=kind, new_shares=Decimal("1.5"),
                         event_date=date(2026, 3, 1), basis="2026年成员大会决议", user=user)


def _member_import(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.ids import make_ric
    from desktop_app.core.services.members import MemberInput
    from desktop_app.core.services.members_import import (
        ImportRow,
        apply_member_import,
        validate_member_import,
    )

    rows = [ImportRow(2, MemberInput("903", "吴春华", make_ric("320115", date(1968, 2, 3), 41), "户主", "第一组"),
                      {"人口股": 1})]
    preview = validate_member_import(s, v.env.org.id, rows, today=date(2026, 11, 23))
    assert preview.ok, preview.errors
    return apply_member_import(s, preview, event_date=date(2019, 12, 31), basis="2019年清产核资", user=user)


def _member_updates(v: Village, s: Session, user: UserRow) -> Any:
    from desktop_app.core.services.members_import import MemberUpdate, apply_member_updates

    household, member = _person(v, s)
    update = MemberUpdate(2, member, household, {"name": "周立信", "share:人口股": Decimal("2")})
    return apply_member_updates(s, v.env.org.id, [update], event_date=date(2026, 3, 1), basis="Excel导入更新",
                                user=user)


WRITES: dict[str, Callable[[Village, Session, UserRow], Any]] = {
    "合同": _contract, "成员": _household, "组织": _organisation, "账套": _book, "资源": _parcel, "项目": _project,
    "资产清查": _stocktake, "财务公开": _disclosure, "收益分配": _distribution, "合同审查": _review,
    "股份类型": _share_types, "户信息": _household_edit, "成员信息": _member_edit, "成员变动": _member_event,
    "股份调整": _share_adjust, "成员导入": _member_import, "成员导入更新": _member_updates}
REFUSED = {"监督": "需要", "限其他村": "只负责指定的组织", "冒名": "不是本数据库的用户", "停用": "已停用"}


@pytest.mark.parametrize("area", list(WRITES))
def test_a_write_is_refused_to_a_supervisor_another_villages_user_and_a_made_up_one(village: Village,
                                                                                    area: str) -> None:
    write = WRITES[area]
    with village.env.db.read() as s:
        before = _counts(s)
    for who, user in village.intruders.items():
        with pytest.raises(PermissionDenied) as refused, village.env.db.begin("test") as s:
            write(village, s, user)
        message = str(refused.value)
        assert REFUSED[who] in message, (who, message)
        with village.env.db.read() as s:
            assert _counts(s) == before, (area, who)
    with village.env.db.begin("test") as s:  # the village's own bookkeeper may
        write(village, s, village.env.user)
    with village.env.db.read() as s:
        assert _counts(s) != before


def test_printing_the_disclosure_sheets_is_any_readers_but_only_a_real_users_of_that_village(
        village: Village) -> None:
    """Every role may print a village's 财务公开 (the record says who did); another village's user,
    a made-up row and a disabled user may not, and nothing is written for them."""
    from db.models import AuditEntry, DisclosureRecord
    from desktop_app.core.services.disclosure import (
        compute_disclosure_seal,
        parse_disclosure_period,
        record_disclosure_generated,
    )

    period = parse_disclosure_period("2026-01")

    def record(s: Session, user: UserRow) -> Any:
        seal = compute_disclosure_seal(s, village.env.book.id, period)
        return record_disclosure_generated(s, book_id=village.env.book.id, period=period, seal=seal, pages=2,
                                           content_sha256="0" * 64, user=user)

    with village.env.db.read() as s:
        before = _counts(s)
    for who in ("限其他村", "冒名", "停用"):
        with pytest.raises(PermissionDenied, match=REFUSED[who]), village.env.db.begin("test") as s:
            record(s, village.intruders[who])
        with village.env.db.read() as s:
            assert _counts(s) == before, who
    with village.env.db.begin("kj") as s:  # the transaction's name is not who the record names
        row = record(s, village.supervisor)
    assert row.generated_by == "赵监督"
    with village.env.db.read() as s:
        assert s.scalar(select(DisclosureRecord.generated_by)) == "赵监督"
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.entity == "disclosure")) == "jd"


def test_district_settings_are_a_district_officers(village: Village) -> None:
    from db.models import AuditEntry, DistrictSetting
    from desktop_app.core.services.district_settings import update_settings

    with village.env.db.read() as s:
        before = _counts(s)
    refused = {**village.intruders, "记账员": village.env.user}
    for who, user in refused.items():
        with pytest.raises(PermissionDenied) as err, village.env.db.begin("test") as s:
            update_settings(s, tiers="0,5,50", user=user)
        assert {**REFUSED, "限其他村": "需要", "记账员": "需要区级管理员"}[who] in str(err.value), (who, err.value)
        with village.env.db.read() as s:
            assert _counts(s) == before, who
    with village.env.db.begin("test") as s:
        assert update_settings(s, tiers="0,5,50", user=village.officer).bounds == (0, 5, 50)
    with village.env.db.read() as s:
        assert set(s.scalars(select(DistrictSetting.updated_by))) == {"quji"}
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.entity == "district_setting")) == "quji"
