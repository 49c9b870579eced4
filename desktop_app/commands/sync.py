"""U盘同步 CLI: ``sync identity [--out FILE] [--name NAME]``, ``sync trust FILE [--yes]``,
``sync export --to DIR [--partner NAME|ORIGIN]``, ``sync import FILE [--dry-run]``, ``sync status``.

Exit status as everywhere: 0 done or nothing to do, 1 refused with a reason (a UserError,
printed by cli.main as "错误：…"). Export and import are the sync engine's
(desktop_app.sync.export / .apply), imported when used.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserError

ACTIONS = ("identity", "trust", "export", "import", "status")
CONFIRM = "请与对方电话核对指纹，一致请输入 y"


def _identity(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.sync.cards import write_card
    from desktop_app.sync.identity import my_card, set_site, site

    with cli_session(args, "cli") as s:
        if args.name is not None:
            me = site(s)
            me = set_site(s, me.level, args.name, me.region_code)
            print(f"已将本机名称设为：{me.name}")
        me = site(s)
        card, data = my_card(s)
    print(f"本机：{me.level_text}“{me.name}”  区划代码 {me.region_code or '（未设置）'}")
    print(f"安装标识：{card.origin}")
    print(f"指纹：{card.fingerprint}")
    if not me.named:
        hint = "请运行 sync identity --name 乡镇名称（如 大桥镇）设置名称，对方才能辨认本机"
        if args.out:
            raise UserError(f"本机名称仍为“本机”，名片未导出：{hint}", field="--name")
        print(f"提示：本机名称仍为“本机”。{hint}")
    if args.out:
        path = write_card(Path(args.out), data)
        print(f"已导出本机名片：{path}")
        print("请把名片文件交给对方登记（sync trust），并与对方电话核对上面的指纹")
    return 0


def _confirm(args: argparse.Namespace) -> None:
    if args.yes:
        return
    if not sys.stdin or not sys.stdin.isatty():
        raise UserError("无法在此确认指纹：请与对方电话核对指纹一致后，加 --yes 重新运行", field="--yes")
    answer = input(f"{CONFIRM}：").strip().lower()
    if answer not in ("y", "yes", "是"):
        raise UserError("指纹未确认，名片未登记")


def _trust(args: argparse.Namespace) -> int:
    from desktop_app.cli import cli_session
    from desktop_app.sync.cards import read_card
    from desktop_app.sync.identity import trust_card

    if not args.file:
        raise UserError("请指定对方的名片文件（.slcard）", field="FILE")
    card = read_card(Path(args.file))
    print(f"名片：{card.level_text}“{card.name}”  区划代码 {card.region_code or '（未设置）'}")
    print(f"安装标识：{card.origin}（生成于 {card.created_at}，程序版本 {card.program_version}）")
    print(f"指纹：{card.fingerprint}")
    _confirm(args)
    with cli_session(args, "cli") as s:
        result = trust_card(s, card, actor=s.info["actor"])
    print(result.message)
    return 0


def _pick_partners(session: Any, wanted: str | None) -> list[Any]:
    from desktop_app.sync.identity import partners, site

    me = site(session)
    active = partners(session, include_retired=False)
    if me.level == "township":
        targets = [p for p in active if p.level == "district"]
        if not targets:
            raise UserError("本机尚未登记区经管站的名片：请先用 sync trust 登记区经管站导出的名片")
    else:
        targets = [p for p in active if p.level == "township"]
        if not targets:
            raise UserError("区级数据库尚未登记任何乡镇的名片：请先用 sync trust 登记各乡镇导出的名片")
    if wanted:
        key = wanted.strip().lower().replace("-", "")
        chosen = [p for p in targets if p.name == wanted.strip() or p.origin.hex == key]
        if not chosen:
            names = "、".join(p.name for p in targets)
            raise UserError(f"没有名为“{wanted}”的同步对象（可选：{names}）", field="--partner")
        return chosen
    return targets


def _export(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db

    if not args.to:
        raise UserError("请用 --to 指定U盘或文件夹", field="--to")
    to_dir = Path(args.to)
    if not to_dir.is_dir():
        raise UserError(f"文件夹不存在：{to_dir}（请插入U盘，或指定已有的文件夹）", field="--to")
    db = open_db(args)
    try:
        with db.read("cli") as s:
            targets = _pick_partners(s, args.partner)
        from desktop_app.sync.export import export_package

        for p in targets:
            result = export_package(db, p.origin, to_dir, actor="cli", data_dir=Path(args.db).parent)
            if result.nothing_to_send and not getattr(result, "path", None):
                print(f"{p.level_text}“{p.name}”：没有需要发送的新数据")
                continue
            what = "（没有新的变更，只带回确认信息）" if result.nothing_to_send else f"，{result.changes} 条变更"
            print(f"已导出给{p.level_text}“{p.name}”：{result.path}（第 {result.stream_seq} 号包{what}，"
                  f"{_size(result.size)}）")
    finally:
        db.close()
    return 0


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _lines(report: Any) -> Iterable[str]:
    """The engine's report describes itself (``lines()``); otherwise its fields, one a line."""
    describe: Callable[[], Iterable[str]] | None = getattr(report, "lines", None)
    if callable(describe):
        return describe()
    fields = getattr(report, "__dataclass_fields__", {})
    return [f"{name}：{getattr(report, name)}" for name in fields]


def _import(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db

    if not args.file:
        raise UserError("请指定要导入的同步数据包（.slsync）", field="FILE")
    file = Path(args.file)
    if not file.is_file():
        raise UserError(f"同步数据包不存在：{file}", field="FILE")
    from desktop_app.sync.apply import import_package, read_package

    db = open_db(args)
    try:
        if args.dry_run:
            preview = read_package(db, file)
            for line in _lines(preview):
                print(line)
            print("（只检查，未导入任何数据）")
        else:
            report = import_package(db, file, actor="cli")
            for line in _lines(report):
                print(line)
    finally:
        db.close()
    return 0


def _status(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db
    from desktop_app.sync.identity import site
    from desktop_app.sync.status import partner_status

    db = open_db(args)
    try:
        with db.read("cli") as s:
            me = site(s)
            rows = partner_status(s)
    finally:
        db.close()
    print(f"本机：{me.level_text}“{me.name}”  区划代码 {me.region_code or '（未设置）'}")
    if not rows:
        print("尚未登记任何同步名片：请用 sync identity --out 导出本机名片交给对方，并用 sync trust 登记对方的名片")
        return 0
    for st in rows:
        p = st.partner
        state = "" if p.active else f"（已停用：由新电脑{'“' + st.successor_name + '”' if st.successor_name else ''}接替）"
        print(f"{p.level_text}“{p.name}”{state}  指纹 {p.fingerprint}")
        if st.last_sent:
            o = st.last_sent
            print(f"  已发送：第 {o.stream_seq} 号包，{o.at:%Y-%m-%d %H:%M}，{o.changes} 条变更（{o.file_name}）")
        elif p.active:
            print("  已发送：尚未导出过数据包")
        if p.active:
            acked = sum(min(x.held, x.acknowledged) for x in st.positions)
            held = sum(x.held for x in st.positions)
            if not held:
                print("  暂无需要发送给对方的变更")
            elif st.unacknowledged:
                print(f"  对方已确认收到 {acked} / {held} 条变更；尚有 {st.unacknowledged} 条未确认（下次导出会重新发送）")
            else:
                print(f"  对方已确认收到全部 {held} 条变更")
        if st.last_received:
            r = st.last_received
            print(f"  已接收：第 {r.stream_seq} 号包，{r.at:%Y-%m-%d %H:%M} 导入（对方生成于 {r.created_at:%Y-%m-%d}），"
                  f"{r.changes} 条新变更")
        else:
            print("  已接收：尚未导入过对方的数据包")
        if st.warning:
            print(f"  ⚠ {st.warning}")
    return 0


HANDLERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "identity": _identity, "trust": _trust, "export": _export, "import": _import, "status": _status,
}


def cmd_sync(args: argparse.Namespace) -> int:
    return HANDLERS[args.action](args)


def register(sub: Any, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("sync", cmd_sync, "U盘同步：identity 本机名片、trust 登记对方名片、export 导出数据包、import 导入数据包、status 同步状态")
    p.add_argument("action", choices=ACTIONS, help="identity [--out F] [--name N] | trust FILE [--yes] | "
                   "export --to DIR [--partner P] | import FILE [--dry-run] | status")
    p.add_argument("file", nargs="?", help="trust：对方的名片 .slcard；import：同步数据包 .slsync")
    p.add_argument("--out", help="identity：本机名片的输出文件（.slcard）")
    p.add_argument("--name", help="identity：设置本机名称（如 大桥镇、江宁区经管站）")
    p.add_argument("--yes", action="store_true", help="trust：已与对方电话核对指纹，不再询问")
    p.add_argument("--to", help="export：U盘或文件夹")
    p.add_argument("--partner", help="export：只导出给这个对象（名称或安装标识；区级默认导出给全部乡镇）")
    p.add_argument("--dry-run", dest="dry_run", action="store_true", help="import：只检查并列出将导入的内容，不写入")
