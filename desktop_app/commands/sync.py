"""U盘同步 CLI: ``sync identity [--out FILE] [--name NAME]``, ``sync trust FILE [--yes]``,
``sync export --to DIR [--partner NAME|ORIGIN]``, ``sync import FILE|DIR ... [--dry-run]``, ``sync status``.

Exit status as everywhere: 0 done or nothing to do, 1 refused with a reason (a UserError,
printed by cli.main as "错误：…"). Export and import are the sync engine's
(desktop_app.sync.export / .apply), imported when used. ``sync import`` of several packages is
one run (``desktop_app.sync.import_run``): a refused package is printed as 未导入 with its reason
and the run goes on with the others; the exit status is then 1 and the first refusal is printed
last as "错误：…".
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop_app.core.errors import UserError

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
        raise UserError("请指定对方的名片文件（.slcard）")
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
            if result.path is None:
                print(result.message or f"{p.level_text}“{p.name}”：没有需要发送的新数据")
                continue
            what = f"{result.changes} 条变更" if result.changes else "没有新的变更，只带回确认信息"
            print(f"已导出给{p.level_text}“{p.name}”：{result.path}")
            again = "；对方导入并回送确认前，这些变更会在下次导出时重新发送" if result.changes else ""
            print(f"  第 {result.stream_seq} 号包，{what}，{_size(result.size)}；本机已留存副本{again}")
    finally:
        db.close()
    return 0


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{max(1, round(n / 1024))} KB"


def _report_lines(r: Any) -> list[str]:
    """What an import (or its dry run) found: the sender, rows per kind, each village's checks."""
    from desktop_app.sync.kinds import clock_warning, rows_heading, rows_text, sender_time

    when = sender_time(str(r.created_at))
    lines = [f"同步包：{r.file_name}（来自{r.sender_level_text}“{r.sender_name}”，第 {r.stream_seq} 号包，"
             f"生成于 {when}）"]
    if (skew := clock_warning(str(r.created_at))) is not None:
        lines.append(f"  提示：{skew}")
    if r.already_imported:
        return [*lines, r.message]
    lines.append(f"  新变更 {r.new_records} 条，本机已持有 {r.held_records} 条；审计记录新增 {r.audit_new} 条"
                 + (f"；附件 {r.attachments} 个" if r.attachments else ""))
    if r.rows:
        lines.append(f"  {rows_heading(r.rows)}：{rows_text(r.rows)}")
    for v in r.villages:
        checks = []
        if v.totals_matched is not None and v.totals:
            checks.append(f"{v.totals} 个月的控制数{'一致' if v.totals_matched else '不一致'}")
        if v.digest_matched is not None:
            checks.append(f"数据摘要{'一致' if v.digest_matched else '不一致'}")
        checked = "，".join(checks) or "未对账（双方持有的数据不同步，待下一个包）"
        lines.append(f"  {v.name}：{rows_text(v.rows, limit=4)}；{checked}")
    lines.extend(f"  问题：{p}" for p in r.problems)
    if r.message and not r.dry_run:
        lines.append(r.message)
    return lines


def _run_verdict(result: Any, dry_run: bool) -> str:
    """The run in one line: how many packages imported (passed the check), already imported,
    skipped, refused (failed the check), not attempted."""
    reports = [o.report for o in result.outcomes if o.report is not None]
    new = [r for r in reports if not r.already_imported]
    failed = len(result.refused) + sum(1 for r in new if r.problems)
    counts = [("检查通过" if dry_run else "已导入", sum(1 for r in new if not r.problems)),
              ("此前已导入", len(reports) - len(new)),
              ("不是发给本机的、已跳过", sum(1 for o in result.outcomes if o.skipped)),
              ("检查未通过" if dry_run else "未导入（被拒绝）", failed), ("未尝试", len(result.not_attempted))]
    total = len(result.outcomes) + len(result.not_attempted)
    return f"\n共 {total} 个同步包：" + "，".join(f"{k} {n} 个" for k, n in counts if n)


def _import(args: argparse.Namespace) -> int:
    from desktop_app.cli import open_db

    given = [args.file] if isinstance(args.file, str) else list(args.file or [])
    if not given:
        raise UserError("请指定要导入的同步数据包（.slsync），或U盘上放同步包的文件夹")
    from desktop_app.sync.apply import ImportRun
    from desktop_app.sync.import_run import BUSY, PackageOutcome, import_run, package_files

    files, folder = package_files(given)
    run = ImportRun()  # several packages: one 同步导入前 backup, before the first that writes
    db = open_db(args)
    if not args.dry_run and getattr(args, "acting", None) is None:  # refused before any backup or package
        from desktop_app.commands.auth import LOGIN_HINT

        db.close()
        raise UserError(f"此命令会修改数据库，需要登录：{LOGIN_HINT}。未导入任何同步包", field="--user")
    problems = False
    shown = 0

    def say(outcome: PackageOutcome) -> None:
        nonlocal problems, shown
        if outcome.refused and len(files) == 1:
            return  # raised below, as "错误：…", once the backup is checked
        if shown:
            print()
        shown += 1
        if outcome.refused:  # the run goes on with the next package; the first refusal is also raised below
            print(f"{'检查未通过' if args.dry_run else '未导入'} {outcome.file.name}：{outcome.refusal}")
            return
        if outcome.skipped:
            print(f"跳过 {outcome.file.name}：{outcome.refusal}")
            return
        report = outcome.report
        assert report is not None
        for line in _report_lines(report):
            print(line)
        problems = problems or bool(report.problems)
        if args.dry_run and not report.problems and not report.already_imported:
            print("检查通过（只检查，未导入任何数据）：确认无误后去掉 --dry-run 导入")

    try:
        result = import_run(db, files, folder=folder, actor="cli", run=run, dry_run=args.dry_run, each=say)
    finally:
        db.close()
        _verify_backup(run)
    if result.not_attempted:
        why = "数据库正忙，导入到此停止" if result.stopped == BUSY else "已取消"
        print("\n".join(f"未导入 {f.name}：{why}，未尝试" for f in result.not_attempted))
    if len(files) > 1:
        print(_run_verdict(result, args.dry_run))
    if result.refusal is not None:
        raise result.refusal
    if args.dry_run and problems:
        raise UserError("检查未通过，此包不能导入（见上面列出的问题），数据库未改动")
    return 0


def _verify_backup(run: Any) -> None:
    """The run's 同步导入前 backup checked once the imports are done (they did not wait for it)."""
    if run.backup is None:
        return
    entry = run.verify()
    if entry.verified:
        print(f"导入前的备份 {entry.path.name} 已校验通过")
    elif entry.verified is None:
        print(f"导入前的备份 {entry.path.name} 尚未校验：请在“备份与恢复”中重新校验")
    else:
        print(f"⚠ 导入前的备份 {entry.path.name} 校验未通过：{'；'.join(entry.problems)}。"
              "请运行 verify 检查数据库，并立即另做一份备份")


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
            print(f"  已发送：第 {o.stream_seq} 号包，{o.at.astimezone():%Y-%m-%d %H:%M}，{o.changes} 条变更（{o.file_name}）")
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
            print(f"  已接收：最新为第 {r.stream_seq} 号包，{r.at.astimezone():%Y-%m-%d %H:%M} 导入（对方生成于 "
                  f"{r.created_at.astimezone():%Y-%m-%d}）；本机共持有对方的 {st.received_total} 条变更")
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
    p.set_defaults(file=None, out=None, name=None, yes=False, to=None, partner=None, dry_run=False)
    actions = p.add_subparsers(dest="action", metavar="操作", required=True)

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        a: argparse.ArgumentParser = actions.add_parser(name, help=help_text, description=help_text)
        # --db may also follow the action (sync trust FILE --db X); SUPPRESS keeps one given before it
        a.add_argument("--db", default=argparse.SUPPRESS, help="数据库文件（默认为数据目录下的 ledger.db）")
        return a

    a = action("identity", "本机名片与指纹（--out 导出名片文件，--name 设置本机名称）")
    a.add_argument("--out", help="本机名片的输出文件（.slcard）")
    a.add_argument("--name", help="设置本机名称（如 大桥镇、江宁区经管站）")
    a = action("trust", "登记对方的名片（先与对方电话核对指纹）")
    a.add_argument("file", help="对方的名片 .slcard")
    a.add_argument("--yes", action="store_true", help="已与对方电话核对指纹，不再询问")
    a = action("export", "导出数据包：对方尚未确认收到的全部变更")
    a.add_argument("--to", required=True, help="U盘或文件夹")
    a.add_argument("--partner", help="只导出给这个对象（名称或安装标识；区级默认导出给全部乡镇）")
    a = action("import", "导入数据包（每个包全部无误才写入；几个包或一个文件夹共用一份导入前的备份）")
    a.add_argument("file", nargs="+", help="同步数据包 .slsync（可以是几个），或放同步包的文件夹（如U盘）")
    a.add_argument("--dry-run", dest="dry_run", action="store_true", help="只检查并列出将导入的内容，不写入")
    action("status", "各对方的同步状态：已发送、已确认、已接收")
