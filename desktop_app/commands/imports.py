"""``import KIND FILE`` and ``template KIND`` for every kind of the import pipeline (issue #15).

The kinds registered in ``desktop_app.excel.importers`` (``excel/import_*.py``) take over the
areas' own ``import`` handlers of the same name; ``cli._add_transfer_commands`` calls
:func:`pipeline_kinds` after the areas have registered theirs, so the pipeline wins. A kind the
pipeline does not have yet keeps its area's handler (which knows nothing of ``--mode``/``--map``/
``--sheet``/``--header-row``: such a kind refuses them rather than ignore them).

The command prints what the GUI preview shows: the sheet and header row found, each column and the
field it goes to (不导入 for the rest), the rows skipped and why, the counts, the changed rows field
by field, the notes and every problem; it writes only when the whole file is clean. 身份证号 are
printed masked (a terminal's scroll-back is no place for them).
"""

from __future__ import annotations

import argparse
import inspect
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.core.errors import UserError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from desktop_app.excel.importers import ImportCheck, Importer
    from desktop_app.excel.table_read import TableSpec

__all__ = ["PipelineKind", "add_template_command", "pipeline_kinds", "print_check"]

MAX_CHANGED = 50  # changed rows printed
MAX_SKIPPED = 50  # skipped rows printed
MAX_PROBLEMS = 200  # problems printed; the rest are counted
PIPELINE_OPTIONS = (("mode", "--mode"), ("maps", "--map"), ("sheet", "--sheet"), ("header_row", "--header-row"))


@dataclass(frozen=True)
class PipelineKind:
    """An ``import`` kind as ``cli._dispatch`` sees it (the shape of ``commands.Kind``, plus ``needs_org``)."""

    name: str
    label: str
    handler: Callable[[argparse.Namespace], int]
    all_orgs: bool = False
    needs_org: bool = True


def pipeline_kinds(imports: dict[str, Any]) -> None:
    """Put every registered pipeline kind into ``imports`` (over an area's handler of the same name);
    an area's kind the pipeline lacks refuses the pipeline-only options."""
    from desktop_app.excel import importers

    importers._load()
    for name, kind in list(imports.items()):
        if name not in importers.IMPORTERS:
            imports[name] = PipelineKind(kind.name, kind.label, _legacy(kind.name, kind.handler), kind.all_orgs)
    for name, imp in sorted(importers.IMPORTERS.items()):
        imports[name] = PipelineKind(name, imp.label, cmd_import, needs_org=imp.needs_org)


def _legacy(name: str, handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        given = [flag for attr, flag in PIPELINE_OPTIONS if getattr(args, attr, None)]
        if given:
            raise UserError(f"导入 {name} 暂不支持 {'、'.join(given)}", field=given[0])
        return int(handler(args))

    return run


def add_import_options(p: argparse.ArgumentParser) -> None:
    """The pipeline's options of ``import KIND FILE`` (the shared parser has kind, file, --org, --book, --dry-run)."""
    p.add_argument("--mode", choices=("add", "skip", "update"),
                   help="已有记录（按身份证号、资产编号、合同编号等）的处理：add 仅新增（默认，已有即报错）、"
                        "skip 跳过已有、update 更新已有（空白单元格保留原值）")
    p.add_argument("--map", dest="maps", action="append", metavar="列名=字段",
                   help="指定文件中某列导入为哪个字段（字段可写中文列名或英文名；“列名=”表示不导入该列），可多次使用")
    p.add_argument("--sheet", help="工作表名称（默认自动查找含表头的第一个工作表）")
    p.add_argument("--header-row", dest="header_row", type=int, metavar="行号", help="表头所在的行号（默认自动查找）")


def add_template_command(add: Callable[..., argparse.ArgumentParser]) -> None:
    from desktop_app.excel import importers

    importers._load()
    kinds = "、".join(f"{k}（{v.label}）" for k, v in sorted(importers.IMPORTERS.items()))
    p = add("template", cmd_template, f"生成导入模板（表头、“示例”工作表和填写说明）：{kinds or '（暂无）'}")
    p.add_argument("kind", choices=sorted(importers.IMPORTERS), metavar="类别", help="导入内容")
    p.add_argument("--out", required=True, help="输出文件 .xlsx")
    p.add_argument("--org", help="组织（统一社会信用代码或12位区划代码）：按该组织的设置生成列（如股份类型）")
    p.add_argument("--examples", action="store_true",
                   help="示例行写在第一个工作表（可直接试导入；默认示例在单独的“示例”工作表，不会被导入）")


def _field_key(spec: TableSpec, text: str) -> str:
    """A ``--map`` field written as its key, its label or one of its other names; "" (or 不导入) leaves a column out."""
    from desktop_app.excel.table_read import header_key

    if text in ("", "不导入"):
        return ""
    wanted = header_key(text)
    for f in spec.fields:
        if text == f.key or wanted in (header_key(f.label), *(header_key(s) for s in f.synonyms)):
            return f.key
    known = "、".join(f"{f.label}（{f.key}）" for f in spec.fields)
    raise UserError(f"--map 中的字段“{text}”不是{spec.title}的列，可选：{known}", field="--map")


def parse_maps(maps: list[str] | None, spec: TableSpec) -> dict[str, str]:
    """``--map "列名=字段"`` options as ``open_table``'s mapping (file header text → field key)."""
    from desktop_app.core.cellvalues import cell_text

    out: dict[str, str] = {}
    for item in maps or ():
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            raise UserError(f"--map “{item}”应写成 列名=字段，如 --map \"身份证号码=身份证号\"", field="--map")
        out[cell_text(header)] = _field_key(spec, cell_text(target))
    return out


_RIC = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def _masked(text: str) -> str:
    from desktop_app.core.ids import mask_ric

    return _RIC.sub(lambda m: mask_ric(m.group(0)), text)


_MODE_CHOICE = re.compile(r"选择“(仅新增|跳过已有|更新已有)”")
_MODE_FLAGS = {"仅新增": "add", "跳过已有": "skip", "更新已有": "update"}


def cli_words(text: str) -> str:
    """A message as the command line says it: the preview's 选择“更新已有” is ``--mode update`` here."""
    return _MODE_CHOICE.sub(lambda m: f"使用 --mode {_MODE_FLAGS[m.group(1)]}（{m.group(1)}）", text)


def print_check(check: ImportCheck, maps: Mapping[str, str] | None = None) -> None:
    """The preview, as text: layout, skipped rows, counts, changes, notes, problems."""
    from openpyxl.utils import get_column_letter

    layout = check.layout
    say: list[str] = [f"{check.title}：工作表“{layout.sheet}”，第{layout.header_row}行为表头"]
    by_column = {i: k for k, i in layout.columns.items()}
    labels = {f.key: f.label for f in layout.spec.fields}
    say.append("列的对应：")
    for i, header in enumerate(layout.headers):
        if i in by_column or header:
            target = labels.get(by_column[i], by_column[i]) if i in by_column else "不导入"
            say.append(f"  {get_column_letter(i + 1)}列“{header}” → {target}")
    absent = [f.label for f in layout.spec.fields if f.key not in layout.columns]
    if absent:
        say.append(f"  文件中没有的列：{'、'.join(absent)}")
    for header in maps or {}:
        if header not in layout.headers:
            say.append(f"  注意：--map 的列名“{header}”在第{layout.header_row}行中没有，未起作用")
    if check.skipped:
        say.append(f"略过的行（{len(check.skipped)} 行）：")
        say.extend(f"  {s}" for s in check.skipped[:MAX_SKIPPED])
        if len(check.skipped) > MAX_SKIPPED:
            say.append(f"  另有 {len(check.skipped) - MAX_SKIPPED} 行")
    say.append(f"检查结果：{check.summary()}")
    changed = [o for o in check.outcomes if o.status == "changed"]
    if changed:
        say.append(f"变化的行（{len(changed)} 行）：")
        for o in changed[:MAX_CHANGED]:
            who = " ".join(t for t in (o.key, o.name) if t)
            say.append(f"  第{o.row}行 {who}：{'；'.join(str(c) for c in o.changes)}")
        if len(changed) > MAX_CHANGED:
            say.append(f"  另有 {len(changed) - MAX_CHANGED} 行有变化")
    for note in check.notes:
        say.append(f"说明：{note}")
    if check.problems:
        say.append(f"错误（{len(check.problems)} 处）：")
        say.extend(f"  {p}" for p in check.problems[:MAX_PROBLEMS])
        if len(check.problems) > MAX_PROBLEMS:
            say.append(f"  另有 {len(check.problems) - MAX_PROBLEMS} 处")
    print("\n".join(_masked(cli_words(line)) for line in say))


def _options(imp: Importer, args: argparse.Namespace) -> dict[str, Any]:
    """The acting user, for a kind whose ``apply`` asks for one by name."""
    try:
        params = inspect.signature(imp.apply).parameters
    except (TypeError, ValueError):  # pragma: no cover - a builtin
        return {}
    return {"user": getattr(args, "acting", None)} if "user" in params else {}


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[Session]:
    """The import's one transaction. A check without a logged-in user (``--dry-run``, or a file
    checked before the login is asked for) is always rolled back, so it needs no login, like
    ``sync import --dry-run``: a kind may check rows by trying them in a savepoint (组织与账套, 项目),
    which the login guard would refuse although nothing can stay written."""
    from db.engine import is_database_url
    from desktop_app.cli import cli_session

    if not _trial(args) or is_database_url(args.db):
        with cli_session(args, "import") as s:
            yield s
        return
    from db.migrate import open_database
    from desktop_app import paths

    db = open_database(Path(args.db), create=False, backup_dir=paths.backup_dir(Path(args.db).parent))
    try:
        with db.session("import") as s, s.begin():
            acting = getattr(args, "acting", None)
            s.info["cli_user"] = acting
            if acting is not None:
                s.info["actor"] = acting.username
            yield s
            s.rollback()
    finally:
        db.close()


def _trial(args: argparse.Namespace) -> bool:
    return bool(args.dry_run) or getattr(args, "acting", None) is None


def cmd_import(args: argparse.Namespace) -> int:
    from desktop_app.commands import resolve_book
    from desktop_app.core.services.orgs import find_organisation
    from desktop_app.excel.importers import MODES, importer, run_import

    imp = importer(args.kind)
    mode = args.mode or ("add" if "add" in imp.modes else imp.modes[0])
    if mode not in imp.modes:
        raise UserError(f"{imp.label}不支持 --mode {mode}（{MODES[mode]}），可选："
                        f"{'、'.join(f'{m}（{MODES[m]}）' for m in imp.modes)}", field="--mode")
    if args.header_row is not None and args.header_row < 1:
        raise UserError("--header-row 应为表头所在的行号（从 1 起）", field="--header-row")
    path = Path(args.file)
    if not path.is_file():
        raise UserError(f"找不到文件：{path}", field="文件")
    with _session(args) as s:
        org_id = book_id = None
        if args.org:
            org = find_organisation(s, args.org)
            org_id = org.id
            if imp.needs_book or args.book:
                book_id = resolve_book(s, org, args.book).id
        elif imp.needs_org:
            raise UserError("请用 --org 指定组织（统一社会信用代码或12位区划代码）", field="--org")
        spec = imp.spec(s, org_id)
        maps = parse_maps(args.maps, spec)
        check, done = run_import(s, args.kind, path, organisation_id=org_id, book_id=book_id, mode=mode,
                                 mapping=maps or None, sheet=args.sheet, header_row=args.header_row,
                                 apply=not _trial(args), **_options(imp, args))
        print_check(check, maps)
        if not check.ok:
            raise UserError(f"发现 {len(check.problems)} 处错误，未写入任何数据")
        if done is None and not args.dry_run:  # a clean file, checked without a login
            from desktop_app.commands.auth import LOGIN_HINT

            raise UserError(f"此命令会修改数据库，需要登录：{LOGIN_HINT}。文件检查无误，未写入任何数据", field="--user")
    if done is None:
        print("检查通过；未写入（--dry-run）")
    else:
        print(done.message)
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    from desktop_app.excel.importers import importer, write_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UserError("模板文件应以 .xlsx 结尾", field="--out")
    imp = importer(args.kind)
    if args.org:
        from desktop_app.cli import cli_session
        from desktop_app.core.services.orgs import find_organisation

        with cli_session(args, "template") as s:
            org = find_organisation(s, args.org)
            write_template(args.kind, out, session=s, organisation_id=org.id, examples=args.examples)
    else:
        write_template(args.kind, out, examples=args.examples)
    print(f"已生成{imp.label}导入模板：{out}")
    return 0
