"""备份与恢复 on the command line (issue #19).

``backup [--to DIR]`` — into the data folder's backups/ (checked and catalogued) when DIR is that
folder or is not given; anywhere else sealed with the backup passphrase (.slbak).
``backup list`` — the catalogue: date, reason, size, checked ✓/✗.
``backup passphrase`` — set or change the passphrase (asked twice, never on the command line; the
first one may come from SUNSHINE_LEDGER_BACKUP_PASSPHRASE when there is no terminal).
``restore FILE [--force]`` — a plain or sealed backup; the passphrase is asked for (or taken from
the environment variable SUNSHINE_LEDGER_BACKUP_PASSPHRASE).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserError

ENV_PASSPHRASE = "SUNSHINE_LEDGER_BACKUP_PASSPHRASE"


def size_text(n: int) -> str:
    return f"{n / 1024 ** 2:.1f} MB" if n >= 1024 ** 2 else f"{max(1, round(n / 1024))} KB"


def _ask(prompt: str) -> str | None:
    if os.environ.get(ENV_PASSPHRASE):
        return os.environ[ENV_PASSPHRASE]
    if not sys.stdin or not sys.stdin.isatty():
        return None
    return getpass.getpass(f"{prompt}：")


def _refuse_server(args: argparse.Namespace, what: str, tool: str) -> None:
    from db.engine import is_database_url
    from desktop_app.cli import SERVER_TOOLS

    if is_database_url(args.db):
        raise UserError(SERVER_TOOLS.format(what=what, tool=tool), field="--db")


def _backup(args: argparse.Namespace) -> int:
    _refuse_server(args, "备份", "pg_dump")
    if args.action == "list":
        return _list(args)
    if args.action == "passphrase":
        return _passphrase(args)
    if args.action is not None:
        raise UserError(f"未知的操作“{args.action}”：可用 backup list、backup passphrase 或 backup --to 文件夹")
    from db.migrate import check_database_file
    from desktop_app.core.services.backups import backup_to_folder, backups_folder, is_outside

    src = Path(args.db)
    if not src.is_file():
        raise UserError(f"数据库文件不存在：{src}")
    check_database_file(src)  # never back up (nor make a folder for) a file that is not our database
    folder = Path(args.to) if args.to else backups_folder(src)
    if is_outside(src, folder):
        if folder.exists() and not folder.is_dir():
            raise UserError(f"{folder} 不是文件夹，请给出备份要放入的文件夹", field="--to")
        if not folder.is_dir() and folder.parent.is_dir():
            folder.mkdir()  # the new folder of a stick or a share, as `--to` always made it
        if not folder.is_dir():
            raise UserError(f"文件夹不存在：{folder}", field="--to")
    from desktop_app.cli import open_db

    db = open_db(args)
    try:
        with db.read("cli") as s:
            from desktop_app.core.services.backups import NO_PASSPHRASE, has_passphrase

            passphrase = None
            if is_outside(src, folder):
                if not has_passphrase(s):
                    raise UserError(NO_PASSPHRASE)
                passphrase = _ask("备份口令")
                if passphrase is None:
                    raise UserError(f"写到数据文件夹以外的备份需要备份口令：请在终端中运行，或设置环境变量 {ENV_PASSPHRASE}")
            result = backup_to_folder(s, src, folder, passphrase)
    finally:
        db.close()
    from db.backup import BackupEntry

    if isinstance(result, BackupEntry):
        mark = "已通过检查" if result.verified else f"未通过检查：{'；'.join(result.problems)}"
        print(f"已备份到：{result.path}（{size_text(result.size)}，{mark}）")
        return 0 if result.verified else 1
    print(f"已加密备份到：{result.path}（{size_text(result.size)}，已解密读回核对一致）")
    print(f"数据文件夹中另存了一份未加密副本：{result.local.path}")
    print("恢复此备份时需要输入备份口令，请妥善保管口令")
    return 0


def _list(args: argparse.Namespace) -> int:
    from db.backup import list_backups
    from desktop_app.core.services.backups import backups_folder

    folder = backups_folder(Path(args.db))
    entries = list_backups(folder, Path(args.db))
    if not entries:
        print(f"（{folder} 中没有备份）")
        return 0
    print(f"备份文件夹：{folder}")
    for e in entries:
        mark = {True: "✓ 已校验", False: "✗ 校验失败", None: "? 未校验"}[e.verified]
        print(f"{e.created:%Y-%m-%d %H:%M:%S}  {e.reason_text:<6}  {size_text(e.size):>9}  {mark}  {e.path.name}")
    print(f"共 {len(entries)} 个备份")
    return 0


def _passphrase(args: argparse.Namespace) -> int:
    from db.engine import is_database_url
    from desktop_app.cli import cli_session
    from desktop_app.commands.auth import LOGIN_HINT, login
    from desktop_app.core.services.backups import has_passphrase, set_passphrase

    what = "备份口令由系统管理员设置"
    if not is_database_url(args.db) and Path(args.db).is_file() and not _has_administrator(Path(args.db)):
        raise UserError(f"{what}，但此数据库还没有系统管理员：请先创建系统管理员（init 时创建，或在“用户管理”中添加）")
    if not getattr(args, "user", None):
        raise UserError(f"{what}，须由它的系统管理员操作：{LOGIN_HINT}", field="--user")
    login(args, force=True)
    user = args.acting  # the logged-in user; the service requires 系统管理员 (issue #16)
    if "sysadmin" not in user.roles:
        raise UserError(f"{what}，须由系统管理员操作（{user.display_name} 不是系统管理员）", field="--user")
    actor = user.username
    tty = bool(sys.stdin and sys.stdin.isatty())
    with cli_session(args, actor) as s:
        if not tty:  # a script may set the first passphrase from the environment, never change it
            if has_passphrase(s) or not os.environ.get(ENV_PASSPHRASE):
                raise UserError("请在终端中运行 backup passphrase：备份口令只能在提示后输入，不会出现在命令行上"
                                f"（首次设置也可由环境变量 {ENV_PASSPHRASE} 给出）")
            set_passphrase(s, os.environ[ENV_PASSPHRASE], user=user)
            print("备份口令已设置（取自环境变量）。恢复加密备份时需要输入它，请妥善保管")
            return 0
        current = getpass.getpass("原备份口令：") if has_passphrase(s) else None
        new = getpass.getpass("新备份口令（至少8个字符）：")
        if getpass.getpass("再输入一次新备份口令：") != new:
            raise UserError("两次输入的备份口令不一致，未修改")
        set_passphrase(s, new, user=user, current=current)
    print("备份口令已设置。写到数据文件夹以外的备份将用它加密，恢复时需要输入它，请妥善保管")
    return 0


def _restore(args: argparse.Namespace) -> int:
    """Check the backup, refuse while the database is open elsewhere, replace atomically
    (desktop_app/core/services/restore.py); the replaced database is kept in the backups folder."""
    from desktop_app.core.backup_crypto import is_sealed
    from desktop_app.core.services.restore import discard, finish_restore, prepare_restore

    _refuse_server(args, "恢复", "pg_restore")
    src, target = Path(args.file), Path(args.db)
    passphrase = None
    if src.is_file() and src.stat().st_size and is_sealed(src):
        passphrase = _ask("备份口令")
        if passphrase is None:
            raise UserError(f"备份文件 {src.name} 已加密：请在终端中运行以输入备份口令，或设置环境变量 {ENV_PASSPHRASE}")
    prepared = prepare_restore(src, target, passphrase=passphrase)
    try:
        if not prepared.check.damage:
            _say_what_changes(prepared.staged, target, args)
        if prepared.check.damage:
            print(f"备份文件 {src.name} 已损坏：", file=sys.stderr)
            for line in prepared.check.damage:
                print(f"    {line}", file=sys.stderr)
        elif prepared.check.findings:
            print(f"备份文件 {src.name} 未通过完整性检查（verify），发现 {len(prepared.check.findings)} 个问题：",
                  file=sys.stderr)
            for line in prepared.check.findings:
                print(f"    {line}", file=sys.stderr)
            if not args.force:
                raise UserError("备份中的数据可能被程序以外的方式修改过，未恢复，当前数据库未作任何改动。"
                                "确认仍要用它恢复，请加 --force")
            print("已确认（--force）：仍用此备份恢复", file=sys.stderr)
        if not prepared.check.damage:  # a damaged backup is refused below; a refused one leaves the file untouched
            _administrator_of(target, args)
        result, origin = finish_restore(prepared, force=args.force)
    finally:
        discard(prepared)
    if result.kept is not None:
        print(f"原数据库已另存为：{result.kept}")
    print(f"已从备份恢复：{src} → {target}")
    print(f"本机已启用新的安装标识 {origin}（恢复后的数据库不再沿用旧标识，以免同步冲突）")
    return 0


def _administrator_of(target: Path, args: argparse.Namespace,
                      what: str = "") -> None:
    """Replacing a sound database is its 系统管理员's decision (issue #16); a missing or damaged
    one can only be helped by a restore, so nobody's login is asked for then."""
    from desktop_app.commands.auth import LOGIN_HINT, login

    if not _has_administrator(target):
        return
    what = what or f"恢复会替换当前数据库 {target.name}"
    if not getattr(args, "user", None):
        raise UserError(f"{what}，须由它的系统管理员操作：{LOGIN_HINT}", field="--user")
    login(args, force=True)
    if "sysadmin" not in args.acting.roles:
        raise UserError(f"{what}，须由系统管理员操作（{args.acting.display_name} 不是系统管理员）", field="--user")


def _has_administrator(target: Path) -> bool:
    """Whether ``target`` is a sound ledger of ours with an active 系统管理员 (read only; a missing,
    damaged or foreign file has nobody to ask, and restore's own checks decide about it)."""
    from db.engine import read_only_uri
    from desktop_app.core.services.restore import file_damage

    if not target.is_file() or file_damage(target, deep=False):
        return False
    try:
        conn = sqlite3.connect(read_only_uri(target), uri=True)
        try:
            found = conn.execute("SELECT 1 FROM app_user WHERE active AND ',' || roles || ',' LIKE '%,sysadmin,%'"
                                 " LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False
    return found is not None


def _say_what_changes(staged: Path, target: Path, args: argparse.Namespace) -> None:
    """What the backup holds and what the current database would lose (kept as a backup file);
    a backup of another ledger replaces this one only with --force."""
    from desktop_app.core.services.restore import describe_backup

    ours = _has_administrator(target)
    about = describe_backup(staged, target if ours else None)
    latest = f"，最后一张凭证 {about.latest_voucher:%Y-%m-%d}" if about.latest_voucher else ""
    print(f"备份中有 {len(about.organisations)} 个组织{latest}，审计日志 {about.audit_last_n} 条")
    from desktop_app.core.services.backups import restore_passphrase_change

    if (change := restore_passphrase_change(staged, target)) is not None:
        print(f"注意：{change}")
    if not ours:  # nothing sound to compare with: restore's own checks decide
        return
    if not about.same_history:
        print(f"注意：此备份与当前数据库不是同一套账（审计日志不相连），当前数据库的 {about.lost_entries} 条审计记录"
              "所记的内容都不在备份中", file=sys.stderr)
        if not args.force:
            raise UserError("备份与当前数据库不是同一套账，未恢复，当前数据库未作任何改动。确认要用它替换当前数据库，请加 --force")
    elif about.lost_entries:
        print(f"恢复后，当前数据库在备份之后记录的 {about.lost_entries} 条审计记录所记的修改将不在现用数据库中"
              "（原数据库会另存为备份文件）")


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("backup", _backup, "备份数据库（backup list 列出备份，backup passphrase 设置备份口令）")
    p.add_argument("action", nargs="?", choices=("list", "passphrase"), metavar="操作",
                   help="list：列出数据文件夹中的备份；passphrase：设置或修改备份口令")
    p.add_argument("--to", help="备份到此文件夹（默认数据文件夹的 backups；其他文件夹或U盘上的备份用备份口令加密）")
    p = add("restore", _restore, "从备份文件恢复数据库（.db 或加密的 .slbak；恢复后启用新的安装标识）")
    p.add_argument("file", help="备份文件")
    p.add_argument("--force", action="store_true", help="备份未通过完整性检查（verify）或不是当前这套账时，确认仍用它恢复")
