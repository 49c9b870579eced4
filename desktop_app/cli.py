"""Command-line interface. Every command calls the same services the GUI calls.

Messages are Chinese; the exit status is 0 on success, 1 when the user's request
cannot be done (the message says why), 2 for wrong usage, 3 when ``verify`` finds damage.
"""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

import desktop_app.sync  # noqa: F401  (registers the district database's refusal of local edits)
from db.engine import Database
from db.migrate import open_database
from db.models import Organisation
from desktop_app import paths
from desktop_app.commands.auth import (
    add_user_option,
    guard_writes,
    initial_admin_password,
    login,
    take_user_option,
)
from desktop_app.core.errors import UserError

Handler = Callable[[argparse.Namespace], int]


@contextmanager
def cli_session(args: argparse.Namespace, actor: str = "cli", *, create: bool = False) -> Iterator[Session]:
    """One command, one transaction: open the ``--db`` database, commit on success, always close."""
    db = open_db(args, create=create)
    try:
        with db.begin(actor) as session:
            yield session
    finally:
        db.close()


def open_db(args: argparse.Namespace, *, create: bool = False) -> Database:
    """Open the database named by ``--db`` (area command modules use this too): a file, or a district
    database's PostgreSQL URL (DESIGN-NOTES 35; a township is always a file)."""
    from db.engine import is_database_url, server_work_dir

    if is_database_url(args.db):
        if create and getattr(args, "district", None) is None:
            raise UserError("乡镇数据库只能是本机的数据库文件；PostgreSQL 只用于区级数据库（init --district 名称 --region 代码）",
                            field="--db")
        return guard_writes(open_database(args.db, create=create, work_dir=server_work_dir(
            paths.data_dir(getattr(args, "data_dir", None)), args.db)), args)
    return guard_writes(open_database(Path(args.db), create=create, backup_dir=paths.backup_dir(Path(args.db).parent)),
                        args)


def cmd_init(args: argparse.Namespace) -> int:
    from desktop_app.sync.identity import check_county_code, set_site

    if args.region is not None and args.district is None:
        raise UserError("--region 只用于区级数据库，请与 --district 名称 一起使用", field="--region")
    if args.district is not None:
        if args.region is None:
            raise UserError("区级数据库需要6位县级行政区划代码：请加 --region（如 320115）", field="--region")
        check_county_code(args.region)  # before any file is made
    existed = Path(args.db).exists()
    db = open_db(args, create=True)
    try:
        from desktop_app.core.services.users import create_user, list_users

        said = [f"{'已打开' if existed else '已创建'}数据库：{args.db}"]
        with db.begin("init") as s:
            if args.district is not None:
                me = set_site(s, "district", args.district, args.region)
                said.append(f"已设为区级数据库：{me.name}（区划代码 {me.region_code}）。此库只汇总各乡镇同步来的数据，"
                            "不能在此新增账套和凭证")
            if not list_users(s):
                password, show = initial_admin_password()
                create_user(s, username=args.admin, display_name="系统管理员", password=password,
                            roles=["sysadmin"], must_change_password=show)  # a made-up one is changed at once
                said.append(f"已创建系统管理员 {args.admin}（初始密码 {password if show else '为您输入或环境变量给出的密码'}"
                            f"{'，只显示这一次，请记下' if show else ''}）。{f'首次使用前须修改密码：python -m desktop_app passwd --user {args.admin}（或在图形界面登录时修改）。' if show else ''}")
        print("\n".join(said))  # after the commit: nothing is announced that was not written
    finally:
        db.close()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from desktop_app.core.demo import build_demo
    from desktop_app.core.demo.orgs import township_of

    if args.district is not None:
        return _demo_district(args)
    if args.townships is not None:
        raise UserError("--townships 只用于示例区，请与 --district 文件夹 一起使用", field="--townships")
    township_of(args.township, args.region)  # a wrong name or code is refused before any file is made
    with cli_session(args, "demo", create=True) as s:
        from desktop_app.sync.district_guard import is_district

        if is_district(s):
            raise UserError("区级数据库不能生成示例数据：区级数据库只汇总各乡镇同步来的数据")
        if s.scalar(select(func.count()).select_from(Organisation)):
            raise UserError(f"数据库 {args.db} 已有组织数据，示例数据只能生成到空数据库中")
        summary = build_demo(s, villages=args.villages, years=args.years, seed=args.seed,
                             township=args.township, region=args.region)
    print(f"已生成示例数据：{summary.villages} 个村，{summary.books} 个账套，{summary.users} 个用户")
    print(f"示例账号：admin / kuaiji / shenhe / jiandu / quji，密码均为 {summary.password}")
    return 0


def _demo_district(args: argparse.Namespace) -> int:
    from db.engine import is_database_url, server_work_dir
    from desktop_app.core.demo.district import build_district_demo

    if args.township is not None or args.region is not None:
        raise UserError("示例区的乡镇名称和代码自动编排：--township/--region 不能与 --district 一起使用",
                        field="--township")
    # --db postgresql+psycopg://…: the district on that (empty) server database, the townships in DIR
    server = args.db if is_database_url(getattr(args, "db", None) or "") else None
    made = build_district_demo(Path(args.district), townships=args.townships or 3, villages=args.villages,
                               years=args.years, seed=args.seed, district_db=server,
                               district_work_dir=server_work_dir(paths.data_dir(getattr(args, "data_dir", None)), server)
                               if server else None)
    print(f"已生成示例区：{made.folder}")
    for t in made.townships:
        ack = f"，确认包 {t.ack.name}" if t.ack is not None else ""
        print(f"  {t.name}（{t.region_code}）：{t.villages} 个村，{t.path}")
        print(f"      同步包 {t.package.name}（{t.changes} 条变更）已由区经管站导入{ack}")
    print(f"区级数据库：{made.district_label}（{made.district_name}）")
    print(f"用图形界面打开区级数据库：python -m desktop_app --db \"{made.district_label}\""
          f"{'（*** 处为数据库口令）' if server and '***' in made.district_label else ''}"
          f"（账号 quji 或 admin，密码 {made.password}）")
    print(f"乡镇数据库账号：admin / kuaiji / shenhe / jiandu / quji，密码均为 {made.password}")
    return 0


def cmd_orgs(args: argparse.Namespace) -> int:
    from desktop_app.core.rows import BookRow
    from desktop_app.core.services.orgs import list_books, list_organisations

    db = open_db(args)
    try:
        with db.begin() as s:
            orgs = list_organisations(s)
            books: dict[object, list[BookRow]] = {}
            for b in list_books(s):
                books.setdefault(b.organisation_id, []).append(b)
        if not orgs:
            print("（没有组织）")
        for o in orgs:
            print(f"{o.uscc}  {o.region_code}  {o.level:<2}  {o.name}")
            for b in books.get(o.id, []):
                print(f"    账套 {b.code}  {b.name}（{b.kind}，{b.chart_version}版，{b.start_period}启用）  {b.id}")
        print(f"共 {len(orgs)} 个组织")
    finally:
        db.close()
    return 0


# a district database on a PostgreSQL server: the file-level work is the server's own tools' job
SERVER_TOOLS = "区级数据库在 PostgreSQL 服务器上：{what}请用服务器自带的工具（{tool}，见 README 中 PostgreSQL 一段）"


def cmd_verify(args: argparse.Namespace) -> int:
    from db.engine import is_database_url
    from desktop_app.core.services.integrity import CheckResult, verify_database
    from desktop_app.core.services.restore import file_damage

    if is_database_url(args.db):
        raise UserError(SERVER_TOOLS.format(what="文件级检查", tool="pg_amcheck")
                        + "；各乡镇数据的审计链与封存码在图形界面的“数据接收”页核对", field="--db")
    if not Path(args.db).is_file():
        raise UserError(f"数据库文件不存在：{args.db}")
    # a file too damaged to open is reported, not opened; damage inside is found by the checks
    damage = file_damage(Path(args.db), deep=False)
    if damage:
        results = [CheckResult("数据库文件完整性", tuple(damage))]
    else:
        db = open_db(args)
        try:
            with db.engine.connect() as conn:
                results = verify_database(conn)
        finally:
            db.close()
    bad = 0
    for r in results:
        print(f"{'✓' if r.ok else '✗'} {r.name}{'：正常' if r.ok else ''}")
        for p in r.problems:
            print(f"    {p}")
        bad += len(r.problems)
    if bad:
        print(f"发现 {bad} 个问题。数据库可能被程序以外的方式修改或已损坏，请联系管理员并从备份恢复。")
        return 3
    print("检查通过：数据库完整，审计日志未被改动。")
    return 0


def cmd_self_test(args: argparse.Namespace) -> int:
    from desktop_app.core.selftest import run_self_test

    for line in run_self_test():
        print(line)
    print("自检通过")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from desktop_app.cli_metavars import chinese_metavars
    from desktop_app.cli_text import ChineseArgumentParser, chinese_argparse

    chinese_argparse()
    # every subcommand's parser is a ChineseArgumentParser too: help wrapped by display width
    parser = ChineseArgumentParser(prog="python -m desktop_app", description="阳光台账 命令行工具（不带参数运行则启动图形界面）")
    parser.add_argument("--data-dir", help="数据目录（默认为用户数据目录，或环境变量 SUNSHINE_LEDGER_DATA）")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    def add(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.add_argument("--db", help="数据库文件（默认为数据目录下的 ledger.db）；区级数据库也可以是 PostgreSQL 地址 "
                                    "postgresql+psycopg://用户@主机/库名")
        p.set_defaults(handler=handler)
        add_user_option(p)
        return p

    p = add("init", cmd_init, "创建（或升级）数据库，并在没有用户时创建系统管理员")
    p.add_argument("--admin", default="admin", help="系统管理员用户名（默认 admin）")
    p.add_argument("--district", help="建立区级数据库（区经管站汇总各乡镇数据用）：区级名称，如 江宁区经管站")
    p.add_argument("--region", help="与 --district 一起：6位县级行政区划代码，如 320115")
    p = add("demo", cmd_demo, "生成示例乡镇数据（用于试用和演示）；--district 文件夹 生成示例区（多个乡镇和区级数据库）")
    p.add_argument("--villages", type=int, default=20, help="村的数量（默认 20；示例区为每个乡镇的村数）")
    p.add_argument("--township", help="示例乡镇名称（默认 阳光街道）")
    p.add_argument("--region", help="示例乡镇的9位区划代码（县级6位 + 乡镇3位，默认 320115106）")
    p.add_argument("--district", metavar="文件夹", help="在此文件夹生成示例区：各乡镇数据库、区级数据库及同步包"
                   "（--db postgresql+psycopg://… 时区级数据库建在该服务器的空库中）")
    p.add_argument("--townships", type=int, help="与 --district 一起：乡镇数量（默认 3）")
    p.add_argument("--years", type=int, default=1, help="业务数据的年数（默认 1）")
    p.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）")
    add("orgs", cmd_orgs, "列出组织及其账套")
    add("verify", cmd_verify, "检查数据库完整性、外键和审计日志哈希链")
    add("self-test", cmd_self_test, "自检：建库迁移、生成并读回中文PDF")
    _register_area_commands(sub, add)
    chinese_metavars(parser)  # --org 组织, --period 期间 … in every command (cli_metavars.METAVARS)
    return parser


def _register_area_commands(sub: object, add: Callable[..., argparse.ArgumentParser]) -> None:
    import desktop_app.commands as commands
    from desktop_app.discovery import import_submodules

    for module in import_submodules(commands):
        register = getattr(module, "register", None)
        if callable(register):
            register(sub, add)
    _add_transfer_commands(add)


def _kinds_help(kinds: dict[str, Any]) -> str:
    return "、".join(f"{k.name}（{k.label}）" for k in kinds.values())


def _add_transfer_commands(add: Callable[..., argparse.ArgumentParser]) -> None:
    """``export KIND`` and ``import KIND FILE``: one command each, kinds from every area."""
    from desktop_app.commands import EXPORTS, IMPORTS
    from desktop_app.commands.imports import add_import_options, add_template_command, pipeline_kinds

    pipeline_kinds(IMPORTS)  # after the areas: a kind of the import pipeline takes over the area's handler
    if EXPORTS:
        p = add("export", _dispatch(EXPORTS, "导出"), f"导出 Excel：{_kinds_help(EXPORTS)}")
        p.add_argument("kind", choices=sorted(EXPORTS), metavar="类别", help="导出内容")
        p.add_argument("--org", help="组织（统一社会信用代码或12位区划代码）")
        p.add_argument("--all", action="store_true", help="全部组织（合同、欠款、审查支持）")
        p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
        p.add_argument("--period", help="期间（如项目收益的年度 2026）")
        p.add_argument("--year", help="年度（如年报 annual-tables 的 2026）")
        p.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（欠款、审查；默认今天）")
        p.add_argument("--out", required=True, help="输出文件 .xlsx")
    if IMPORTS:
        p = add("import", _dispatch(IMPORTS, "导入"), f"从 Excel 导入（先检查，全部无误才写入）：{_kinds_help(IMPORTS)}")
        p.add_argument("kind", choices=sorted(IMPORTS), metavar="类别", help="导入内容")
        p.add_argument("file", help="Excel 文件 .xlsx")
        p.add_argument("--org", help="组织（统一社会信用代码或12位区划代码）")
        p.add_argument("--book", help="账套编号或ID（组织只有一个账套时可省略）")
        p.add_argument("--dry-run", dest="dry_run", action="store_true", help="只检查，不写入")
        add_import_options(p)
    add_template_command(add)


def _refuse_import_in_district(args: argparse.Namespace) -> None:
    """Say so before checking a whole file: a district database takes data only by sync."""
    from desktop_app.sync.district_guard import DISTRICT_REFUSAL, is_district

    db = open_db(args)
    try:
        with db.read() as s:
            if is_district(s):
                raise UserError(DISTRICT_REFUSAL)
    finally:
        db.close()


def _dispatch(kinds: dict[str, Any], verb: str) -> Handler:
    def run(args: argparse.Namespace) -> int:
        kind = kinds[args.kind]
        if getattr(args, "all", False) and not kind.all_orgs:
            raise UserError(f"{verb} {kind.name} 不支持 --all，请用 --org 指定组织", field="--all")
        if not args.org and getattr(kind, "needs_org", True) and not (kind.all_orgs and getattr(args, "all", False)):
            hint = "，或用 --all" if kind.all_orgs else ""
            raise UserError(f"请用 --org 指定组织（统一社会信用代码或12位区划代码）{hint}", field="--org")
        if verb == "导入":
            _refuse_import_in_district(args)
        return int(kind.handler(args))

    return run


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv, user = take_user_option(sys.argv[1:] if argv is None else argv)  # --user anywhere, nested commands too
    args = parser.parse_args(argv)
    args.user = user or getattr(args, "user", None)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    if getattr(args, "db", None) is None:
        args.db = str(paths.default_db_path(args.data_dir))
    elif "://" not in args.db and not Path(args.db).parent.is_dir():  # a URL names a server, not a folder
        print(f"错误：文件夹不存在：{Path(args.db).parent}（--db {args.db}）", file=sys.stderr)
        return 1
    try:
        _precheck_out(args)
        login(args)  # --user: the password is checked before the command runs
        status = int(args.handler(args))
        sys.stdout.flush()  # a closed pipe shows here, inside the calm handling, not at exit
        return status
    except UserError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output went away (… | head): not the database's fault
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1
    except (OSError, sqlite3.Error, DBAPIError) as exc:  # one place for bad files and places
        print(f"错误：{calm_message(exc, args)}", file=sys.stderr)
        return 1


_OS_REASONS = {errno.EACCES: "没有权限", errno.EPERM: "没有权限", errno.EISDIR: "这是一个文件夹，不是文件",
               errno.ENOENT: "文件或文件夹不存在", errno.ENOTDIR: "路径中有一部分不是文件夹",
               errno.ENOSPC: "磁盘空间已满", errno.EROFS: "所在的磁盘是只读的", errno.EEXIST: "文件已存在"}


def calm_message(exc: BaseException, args: argparse.Namespace) -> str:
    """A Chinese sentence naming the file, for an OSError or a SQLite error that reached ``main``."""
    if isinstance(exc, OSError):
        reason = _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
        name = exc.filename or getattr(args, "out", None) or args.db
        return f"无法读写 {name}：{reason}。没有写入任何内容"
    text = str(getattr(exc, "orig", None) or exc).lower()
    db = getattr(args, "db", "")
    if "://" in db:  # a server: never print its password; say what failed in Chinese
        from db.engine import safe_url

        return f"无法使用 PostgreSQL 数据库 {safe_url(db)}：{getattr(exc, 'orig', None) or exc}。没有写入任何内容"
    if "readonly" in text or "read-only" in text:
        return f"数据库文件 {db} 是只读的，不能写入（查看类命令仍可使用）。请取得该文件及其文件夹的写入权限"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return f"数据库文件 {db} 已损坏或不是数据库文件，无法使用。请运行 verify 检查，并从备份恢复"
    if "locked" in text or "busy" in text:
        return f"数据库文件 {db} 正被其他程序使用（例如已打开的阳光台账窗口），请关闭后重试"
    if "unable to open" in text:
        return f"无法打开数据库文件 {db}：请检查路径和权限"
    return f"数据库 {db} 出错：{getattr(exc, 'orig', None) or exc}。没有写入任何内容"


_FILE_OUTS = frozenset({".pdf", ".xlsx", ".slcard", ".csv"})


def _precheck_out(args: argparse.Namespace) -> None:
    """Every command's ``--out FILE.pdf/.xlsx``: refused before any work when it names a folder or
    a place nobody may write (the command itself may still create missing folders)."""
    out = getattr(args, "out", None)
    if not out or Path(out).suffix.lower() not in _FILE_OUTS:
        return
    path = Path(out)
    if path.is_dir():
        raise UserError(f"{path} 是一个文件夹，请给出文件名", field="--out")
    if path.exists() and not os.access(path, os.W_OK):
        raise UserError(f"文件 {path} 不能写入（只读或没有权限）", field="--out")
    existing = next((p for p in path.absolute().parents if p.exists()), None)
    if existing is None or not existing.is_dir():
        raise UserError(f"{existing or path.parent} 不是文件夹，不能在其中写入 {path.name}", field="--out")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"文件夹 {existing} 不能写入（只读或没有权限）", field="--out")


def check_out_path(out: str | Path, *, folder: bool = False) -> Path:
    """Check an ``--out`` before any work is done (area commands call this): a file's folder must
    exist and be writable and the path must not be a folder; with ``folder`` the path is a
    writable folder (created if its parent exists). Returns the path; raises ``UserError``."""
    path = Path(out)
    if folder:
        if path.exists() and not path.is_dir():
            raise UserError(f"{path} 不是文件夹", field="--out")
        parent = path if path.is_dir() else path.parent
    else:
        if path.is_dir():
            raise UserError(f"{path} 是一个文件夹，请给出文件名", field="--out")
        parent = path.parent
        if path.exists() and not os.access(path, os.W_OK):
            raise UserError(f"文件 {path} 不能写入（只读或没有权限）", field="--out")
    if not parent.is_dir():
        raise UserError(f"文件夹不存在：{parent}", field="--out")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise UserError(f"文件夹 {parent} 不能写入（只读或没有权限）", field="--out")
    return path
