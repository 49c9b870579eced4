"""Charts of accounts (会计科目表) of the 2004 and 2023 village accounting systems, read from data.

A code means nothing without its chart version: 153 is 固定资产清理 in 2004 and 在建工程 in 2023.
The charts, their metadata, the *roles* other code posts to or sums (``cash``, ``payables``,
``operating_income`` …) and the 2004 → 2023 mapping live in ``resources/charts/`` (see
``charts.json``). Every file is validated on first use and cached; a broken file raises
:class:`ChartFileError` naming the file and the line. Qt-free and SQLAlchemy-free.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Final, Literal, NoReturn, TypedDict, cast

from desktop_app.core.errors import NotFoundError

Category = Literal["资产", "负债", "所有者权益", "成本", "损益"]
Side = Literal["借", "贷"]
RoleKind = Literal["posting", "group"]

CATEGORIES: Final[tuple[Category, ...]] = ("资产", "负债", "所有者权益", "成本", "损益")
SIDES: Final[tuple[Side, ...]] = ("借", "贷")
CHART_COLUMNS: Final = ("code", "name", "category", "normal_side", "parent_code", "is_contra", "note")
MAPPING_COLUMNS: Final = ("from_version", "from_code", "to_version", "to_code", "note")
META_FILE: Final = "charts.json"

# The first digit of a first-level code gives its class; balance-sheet classes have a natural side.
_CATEGORY_BY_DIGIT: Final[dict[str, Category]] = {
    "1": "资产", "2": "负债", "3": "所有者权益", "4": "成本", "5": "损益",
}
_NATURAL_SIDE: Final[dict[str, Side]] = {"资产": "借", "成本": "借", "负债": "贷", "所有者权益": "贷"}


class ChartError(Exception):
    """A chart resource is missing or broken, or code asked for something the charts lack (a bug)."""


class ChartFileError(ChartError, ValueError):
    """A file under ``resources/charts`` is malformed; the message names the file and line."""


class UnknownRoleError(ChartError, KeyError):
    """No such role in ``charts.json``."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class RoleAbsentError(ChartError, LookupError):
    """The role exists, but the chart version has no such account (e.g. 待处理财产损溢 in 2004)."""

    def __init__(self, version: str, role: str, reason: str, label: str = "") -> None:
        super().__init__(f"{version} 版科目表没有“{label or role}”对应的科目：{reason}")
        self.version = version
        self.role = role
        self.reason = reason


class UnknownChartVersion(NotFoundError):
    """A chart version that is not shipped (may come from a user's file)."""


class UnknownAccountError(NotFoundError):
    """A code that is not in the given chart version (may come from a user's file)."""


@dataclass(frozen=True, slots=True)
class ChartAccount:
    version: str
    code: str
    name: str
    category: Category
    normal_side: Side
    parent_code: str | None
    is_contra: bool
    note: str

    @property
    def level(self) -> int:
        """1 for a first-level account (3 digits), 2 for 5 digits, 3 for 7 digits."""
        return (len(self.code) - 1) // 2


@dataclass(frozen=True, slots=True)
class AccountMapping:
    from_version: str
    from_code: str
    to_version: str
    to_code: str
    note: str


@dataclass(frozen=True)
class RoleSpec:
    """What a role means. ``codes[version]`` is empty where ``absent[version]`` says why.

    ``posting`` roles name at most one leaf account, to debit or credit directly; ``group`` roles
    name accounts whose balances (including all their sub-accounts) are summed.
    """

    name: str
    label: str
    kind: RoleKind
    codes: Mapping[str, tuple[str, ...]]
    absent: Mapping[str, str]
    note: str


class ChartMeta(TypedDict):
    version: str
    title: str
    document: str
    issued: str
    effective: str
    file: str
    first_level_required: int
    optional_codes: list[str]
    source: str
    statements: list[str]


@dataclass(frozen=True)
class _MappingSpec:
    from_version: str
    to_version: str
    file: str
    verified: bool
    note: str


@dataclass(frozen=True)
class _Meta:
    default_version: str
    versions: dict[str, ChartMeta]
    mappings: tuple[_MappingSpec, ...]
    roles: dict[str, RoleSpec]


# ---------------------------------------------------------------------------------------------
# Where the files are

@cache
def charts_dir() -> Path:
    """``resources/charts`` (``desktop_app.paths`` knows where resources are, frozen or not)."""
    from desktop_app.paths import resources_dir

    return resources_dir() / "charts"


def _dir(directory: Path | None) -> Path:
    return Path(directory) if directory is not None else charts_dir()


def clear_cache() -> None:
    """Forget everything read so far (tests, or after the files were replaced)."""
    for fn in (_load_meta, _load_chart, _load_roles, _load_mapping):
        fn.cache_clear()


# ---------------------------------------------------------------------------------------------
# Reading and validating

def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, list[str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ChartFileError(f"科目数据文件不存在：{path}") from None
    except UnicodeDecodeError as exc:
        raise ChartFileError(f"{path}：不是 UTF-8 编码（{exc}）") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != columns:
        raise ChartFileError(f"{path}：表头应为“{','.join(columns)}”，实为“{','.join(header or [])}”")
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise ChartFileError(f"{path} 第{reader.line_num}行：应有{len(columns)}列，实有{len(row)}列")
        rows.append((reader.line_num, [cell.strip() for cell in row]))
    return rows


def _parse_chart(path: Path, version: str) -> tuple[ChartAccount, ...]:
    accounts: dict[str, ChartAccount] = {}
    for line, (code, name, category, side, parent, contra, note) in _read_csv(path, CHART_COLUMNS):
        def fail(message: str, line: int = line, code: str = code) -> NoReturn:
            raise ChartFileError(f"{path} 第{line}行（科目 {code}）：{message}")

        if not (code.isascii() and code.isdigit()):
            fail("科目编码只能是数字")
        if code in accounts:
            fail("科目编码重复")
        if not name:
            fail("缺少科目名称")
        if category not in CATEGORIES:
            fail(f"类别“{category}”不合法，应为 {'、'.join(CATEGORIES)} 之一")
        if side not in SIDES:
            fail(f"余额方向“{side}”不合法，应为“借”或“贷”")
        if contra not in ("0", "1"):
            fail(f"is_contra 应为 0 或 1，实为“{contra}”")
        is_contra = contra == "1"
        if parent:
            up = accounts.get(parent)
            if up is None:
                fail(f"上级科目 {parent} 不存在，或排在本科目之后")
            if len(code) != len(parent) + 2 or not code.startswith(parent):
                fail(f"明细科目编码应为上级科目编码 {parent} 加两位数字")
            if category != up.category or side != up.normal_side:
                fail(f"类别和余额方向应与上级科目 {parent} 一致")
        else:
            if len(code) != 3:
                fail("一级科目编码应为三位数字")
            if category != _CATEGORY_BY_DIGIT.get(code[0]):
                fail(f"一级科目 {code} 的类别应为“{_CATEGORY_BY_DIGIT.get(code[0], '?')}”")
        natural = _NATURAL_SIDE.get(category)
        if natural is None and is_contra:
            fail("损益类科目不设备抵科目")
        if natural is not None and (side == natural) == is_contra:
            fail(f"{category}类{'备抵' if is_contra else ''}科目的余额方向不应为“{side}”")
        accounts[code] = ChartAccount(
            version=version, code=code, name=name, category=category,
            normal_side=side, parent_code=parent or None, is_contra=is_contra, note=note,
        )
    if not accounts:
        raise ChartFileError(f"{path}：没有任何科目")
    return tuple(accounts.values())


def _obj(value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ChartFileError(f"{META_FILE}：{where} 应为对象")
    return cast(dict[str, object], value)


def _str(obj: dict[str, object], key: str, where: str, default: str | None = None) -> str:
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise ChartFileError(f"{META_FILE}：{where}.{key} 应为字符串")
    return value


def _str_list(obj: dict[str, object], key: str, where: str) -> list[str]:
    value = obj.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ChartFileError(f"{META_FILE}：{where}.{key} 应为字符串数组")
    return [cast(str, v) for v in value]


def _date(obj: dict[str, object], key: str, where: str) -> str:
    text = _str(obj, key, where)
    try:
        date.fromisoformat(text)
    except ValueError:
        raise ChartFileError(f"{META_FILE}：{where}.{key} 应为 YYYY-MM-DD 日期，实为“{text}”") from None
    return text


@lru_cache(maxsize=8)
def _load_meta(directory: Path) -> _Meta:
    path = directory / META_FILE
    try:
        raw: object = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ChartFileError(f"科目元数据文件不存在：{path}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ChartFileError(f"{path}：无法解析（{exc}）") from None
    top = _obj(raw, "顶层")
    if top.get("schema") != 1:
        raise ChartFileError(f"{path}：不支持的 schema {top.get('schema')!r}（应为 1）")
    versions: dict[str, ChartMeta] = {}
    for version, entry in _obj(top.get("versions"), "versions").items():
        where = f"versions.{version}"
        item = _obj(entry, where)
        required = item.get("first_level_required")
        if not isinstance(required, int) or isinstance(required, bool) or required <= 0:
            raise ChartFileError(f"{path}：{where}.first_level_required 应为正整数")
        versions[version] = ChartMeta(
            version=version, title=_str(item, "title", where), document=_str(item, "document", where),
            issued=_date(item, "issued", where), effective=_date(item, "effective", where),
            file=_str(item, "file", where), first_level_required=required,
            optional_codes=_str_list(item, "optional_codes", where), source=_str(item, "source", where),
            statements=_str_list(item, "statements", where),
        )
    if not versions:
        raise ChartFileError(f"{path}：versions 为空")
    default_version = _str(top, "default_version", "顶层")
    if default_version not in versions:
        raise ChartFileError(f"{path}：default_version {default_version} 不在 versions 中")
    mappings: list[_MappingSpec] = []
    raw_mappings = top.get("mappings", [])
    if not isinstance(raw_mappings, list):
        raise ChartFileError(f"{path}：mappings 应为数组")
    for i, entry in enumerate(raw_mappings):
        where = f"mappings[{i}]"
        item = _obj(entry, where)
        spec = _MappingSpec(
            from_version=_str(item, "from_version", where), to_version=_str(item, "to_version", where),
            file=_str(item, "file", where), verified=item.get("verified") is True,
            note=_str(item, "note", where, ""),
        )
        if spec.from_version not in versions or spec.to_version not in versions:
            raise ChartFileError(f"{path}：{where} 引用了未知的版本")
        mappings.append(spec)
    roles: dict[str, RoleSpec] = {}
    for name, entry in _obj(top.get("roles"), "roles").items():
        where = f"roles.{name}"
        item = _obj(entry, where)
        kind = _str(item, "kind", where)
        if kind not in ("posting", "group"):
            raise ChartFileError(f"{path}：{where}.kind 应为 posting 或 group")
        raw_absent = _obj(item.get("absent", {}), f"{where}.absent")
        absent = {k: _str(raw_absent, k, f"{where}.absent") for k in raw_absent}
        unknown = (set(absent) | {k for k in item if k.isdigit()}) - set(versions)
        if unknown:
            raise ChartFileError(f"{path}：{where} 引用了未知的版本 {sorted(unknown)}")
        roles[name] = RoleSpec(
            name=name, label=_str(item, "label", where), kind=cast(RoleKind, kind),
            codes=MappingProxyType({v: tuple(_str_list(item, v, where)) for v in versions}),
            absent=MappingProxyType(absent),
            note=_str(item, "note", where, ""),
        )
    return _Meta(default_version, versions, tuple(mappings), roles)


@lru_cache(maxsize=16)
def _load_chart(directory: Path, version: str) -> tuple[ChartAccount, ...]:
    meta = _version_meta(directory, version)
    path = directory / meta["file"]
    accounts = _parse_chart(path, version)
    first = {a.code for a in accounts if a.parent_code is None}
    expected = meta["first_level_required"] + len(meta["optional_codes"])
    if len(first) != expected:
        raise ChartFileError(f"{path}：应有 {expected} 个一级科目（{meta['document']}），实有 {len(first)} 个")
    missing = [c for c in meta["optional_codes"] if c not in first]
    if missing:
        raise ChartFileError(f"{path}：缺少{META_FILE}所列的可选一级科目 {'、'.join(missing)}")
    return accounts


@lru_cache(maxsize=8)
def _load_roles(directory: Path) -> dict[str, RoleSpec]:
    meta = _load_meta(directory)
    for version in meta.versions:
        chart = {a.code: a for a in _load_chart(directory, version)}
        parents = {a.parent_code for a in chart.values()}
        for spec in meta.roles.values():
            codes = spec.codes[version]

            def fail(message: str, spec: RoleSpec = spec, version: str = version) -> NoReturn:
                raise ChartFileError(f"{META_FILE}：角色 {spec.name}（{version} 版）{message}")

            if not codes and version not in spec.absent:
                fail("没有科目，须在 absent 中说明原因")
            if codes and version in spec.absent:
                fail("既有科目又标为 absent")
            if len(set(codes)) != len(codes):
                fail("科目重复")
            for code in codes:
                if code not in chart:
                    fail(f"引用了不存在的科目 {code}")
                if any(code != other and code.startswith(other) for other in codes):
                    fail(f"科目 {code} 与其上级科目同时列出，会重复计算")
            if spec.kind == "posting" and (len(codes) > 1 or any(c in parents for c in codes)):
                fail("是记账角色，只能对应一个末级科目")
    return meta.roles


@lru_cache(maxsize=8)
def _load_mapping(directory: Path, from_version: str, to_version: str) -> tuple[AccountMapping, ...]:
    specs = [m for m in _load_meta(directory).mappings
             if (m.from_version, m.to_version) == (from_version, to_version)]
    if not specs:
        raise ChartError(f"没有 {from_version} 版到 {to_version} 版的科目对照表")
    path = directory / specs[0].file
    source = {a.code: a for a in _load_chart(directory, from_version)}
    target = {a.code for a in _load_chart(directory, to_version)}
    rows: dict[str, AccountMapping] = {}
    for line, (fv, fc, tv, tc, note) in _read_csv(path, MAPPING_COLUMNS):
        where = f"{path} 第{line}行"
        if (fv, tv) != (from_version, to_version):
            raise ChartFileError(f"{where}：版本应为 {from_version}→{to_version}，实为 {fv}→{tv}")
        if fc not in source:
            raise ChartFileError(f"{where}：{fv} 版没有科目 {fc}")
        if tc not in target:
            raise ChartFileError(f"{where}：{tv} 版没有科目 {tc}")
        if fc in rows:
            raise ChartFileError(f"{where}：科目 {fc} 重复对照")
        rows[fc] = AccountMapping(fv, fc, tv, tc, note)
    unmapped = [code for code in source if code not in rows]
    if unmapped:
        raise ChartFileError(f"{path}：以下 {from_version} 版科目没有对照：{'、'.join(unmapped)}")
    return tuple(rows[code] for code in source)


def _version_meta(directory: Path, version: str) -> ChartMeta:
    meta = _load_meta(directory)
    if version not in meta.versions:
        known = "、".join(meta.versions)
        raise UnknownChartVersion(f"未知的会计制度版本“{version}”（可选：{known}）", field="会计制度")
    return meta.versions[version]


# ---------------------------------------------------------------------------------------------
# Public API

def chart_versions(*, directory: Path | None = None) -> list[str]:
    """The shipped chart versions, oldest first: ``["2004", "2023"]``."""
    meta = _load_meta(_dir(directory))
    return sorted(meta.versions, key=lambda v: meta.versions[v]["effective"])


def default_chart_version(*, directory: Path | None = None) -> str:
    """The version new books use (2023)."""
    return _load_meta(_dir(directory)).default_version


def chart_version_for_date(day: date, *, directory: Path | None = None) -> str:
    """The version in force on ``day``: 2004 for 2005-01-01 … 2023-12-31, 2023 from 2024-01-01."""
    meta = _load_meta(_dir(directory))
    in_force = [v for v in chart_versions(directory=directory)
                if date.fromisoformat(meta.versions[v]["effective"]) <= day]
    if not in_force:
        raise UnknownChartVersion(f"{day.year}年{day.month}月{day.day}日没有适用的会计制度版本")
    return in_force[-1]


def chart_meta(version: str, *, directory: Path | None = None) -> ChartMeta:
    """Title, document number, dates, file name … of one version (a copy; safe to modify)."""
    meta = _version_meta(_dir(directory), version)
    return ChartMeta(**{**meta, "optional_codes": list(meta["optional_codes"]),
                        "statements": list(meta["statements"])})


def load_chart(version: str, *, directory: Path | None = None) -> list[ChartAccount]:
    """All accounts of ``version``, parents before children, in chart order."""
    return list(_load_chart(_dir(directory), version))


def get_account(version: str, code: str, *, directory: Path | None = None) -> ChartAccount:
    for account in _load_chart(_dir(directory), version):
        if account.code == code:
            return account
    raise UnknownAccountError(f"{version} 版科目表中没有科目 {code}", field="科目")


def subtree_codes(version: str, code: str, *, directory: Path | None = None) -> tuple[str, ...]:
    """``code`` and all its sub-accounts in the standard chart (what a group role sums)."""
    get_account(version, code, directory=directory)
    return tuple(a.code for a in _load_chart(_dir(directory), version) if a.code.startswith(code))


def is_leaf(version: str, code: str, *, directory: Path | None = None) -> bool:
    return subtree_codes(version, code, directory=directory) == (code,)


def role_names(*, directory: Path | None = None) -> list[str]:
    return list(_load_roles(_dir(directory)))


def role_spec(role: str, *, directory: Path | None = None) -> RoleSpec:
    roles = _load_roles(_dir(directory))
    if role not in roles:
        raise UnknownRoleError(f"charts.json 中没有角色“{role}”")
    return roles[role]


def account_roles(version: str, role: str, *, directory: Path | None = None) -> tuple[str, ...]:
    """The account codes ``role`` names in ``version``; empty if the version has none (see absent)."""
    _version_meta(_dir(directory), version)
    return role_spec(role, directory=directory).codes[version]


def account_role(version: str, role: str, *, directory: Path | None = None) -> str:
    """The one account code ``role`` names in ``version``.

    Raises :class:`RoleAbsentError` where the version lacks the account (e.g. 待处理财产损溢 in
    2004) and :class:`ChartError` where the role names several accounts (use ``account_roles``).
    """
    codes = account_roles(version, role, directory=directory)
    if not codes:
        spec = role_spec(role, directory=directory)
        raise RoleAbsentError(version, role, spec.absent[version], spec.label)
    if len(codes) > 1:
        raise ChartError(f"角色 {role} 在 {version} 版对应多个科目 {codes}，请用 account_roles")
    return codes[0]


def load_mapping_rows(from_version: str, to_version: str, *,
                      directory: Path | None = None) -> list[AccountMapping]:
    """Every account of ``from_version`` with its ``to_version`` account and the note, in chart order."""
    _version_meta(_dir(directory), from_version)
    _version_meta(_dir(directory), to_version)
    if from_version == to_version:
        return [AccountMapping(from_version, a.code, to_version, a.code, "同一版本")
                for a in _load_chart(_dir(directory), from_version)]
    return list(_load_mapping(_dir(directory), from_version, to_version))


def load_mapping(from_version: str, to_version: str, *, directory: Path | None = None) -> dict[str, str]:
    """``{from_code: to_code}`` for every account of ``from_version`` (first level and details)."""
    rows = load_mapping_rows(from_version, to_version, directory=directory)
    return {row.from_code: row.to_code for row in rows}


def mapping_verified(from_version: str, to_version: str, *, directory: Path | None = None) -> bool:
    """Whether the mapping was checked against the official 对照表 (not yet: False)."""
    return any(m.verified for m in _load_meta(_dir(directory)).mappings
               if (m.from_version, m.to_version) == (from_version, to_version))


__all__ = [
    "CATEGORIES", "SIDES", "AccountMapping", "Category", "ChartAccount", "ChartError",
    "ChartFileError", "ChartMeta", "RoleAbsentError", "RoleKind", "RoleSpec", "Side",
    "UnknownAccountError", "UnknownChartVersion", "UnknownRoleError", "account_role",
    "account_roles", "chart_meta", "chart_version_for_date", "chart_versions", "charts_dir",
    "clear_cache", "default_chart_version", "get_account", "is_leaf", "load_chart",
    "load_mapping", "load_mapping_rows", "mapping_verified", "role_names", "role_spec",
    "subtree_codes",
]
