"""One ``demo`` command, timed by part (bench_demo.py runs it as a child process; instrumentation of
the bench, not of the program).

    PYTHONPATH=TREE python bench/demo_parts.py OUT.json demo --db NEW --villages N --years Y

Runs what ``python -m desktop_app demo …`` runs (``desktop_app.__main__.main``) in this process,
with timers wrapped around the program's writers (found by identity in every loaded module, so
``from … import`` names are wrapped too). Only the outermost timed call counts (a bulk post's own
change log and audit are part of the bulk post), and each part gets CPU (``process_time``) and wall:

- 启动与导入: the process's CPU before the command runs (interpreter, imports of the program);
- 打开与迁移数据库: ``db.migrate.open_database`` (creating the schema, migrations);
- 写入: ``voucher_bulk.bulk_post_vouchers``/``bulk_post_books``/``bulk_close_periods`` (with their line checks and
  numbering), ``db.changelog.bulk_insert``/``log_changes``, ``db.audit.record_audit``, ORM
  ``Session.flush`` (autoflushes included) and any other INSERT/UPDATE/DELETE a service executes;
- 提交: the transaction's commit without the flush it runs (SQLite's own write of the pages);
- 生成与计算: the rest (the demo's content generated, the services' checks, reads and sums,
  distributions computed, months sealed, argument parsing …).

Writes ``OUT.json``: {"parts": {part: [cpu, wall]}, "seeders": {seeder: [cpu, wall]}, "calls":
{name: [calls, CPU]}}; "seeders" splits 生成与计算 by the demo's seeders (``desktop_app.core.demo.SEEDERS``:
each one's time outside the timed writers); what is left of 生成与计算 is argument parsing, the
checks before the build and the like.
"""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CPU0 = time.process_time()  # the interpreter's start, before any import of the program
WALL0 = time.perf_counter()

_depth = 0
_inner: list[list[float]] = []  # per open transparent call: time of the timed calls inside it
parts: dict[str, list[float]] = {}
seeders: dict[str, list[float]] = {}  # 生成与计算 by seeder (their time outside the timed writers)
calls: dict[str, list[float]] = {}  # timed function -> [calls counted, CPU]


def timed(part: str, name: str, fn: Callable[..., Any], when: Callable[..., bool] | None = None, *,
          transparent: bool = False, into: dict[str, list[float]] | None = None) -> Callable[..., Any]:
    """``fn`` timed into ``part`` when no other timed call is running; a ``transparent`` one (commit)
    lets the calls inside it count as their own parts and keeps only the rest."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _depth
        if _depth or (when is not None and not when(*args, **kwargs)):
            return fn(*args, **kwargs)
        if transparent:
            _inner.append([0.0, 0.0])
        else:
            _depth += 1
        c, w = time.process_time(), time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            dc, dw = time.process_time() - c, time.perf_counter() - w
            if transparent:
                inside = _inner.pop()
                dc, dw = dc - inside[0], dw - inside[1]
            else:
                _depth -= 1
            for outer in _inner:
                outer[0] += dc
                outer[1] += dw
            t = (parts if into is None else into).setdefault(part, [0.0, 0.0])
            t[0] += dc
            t[1] += dw
            n = calls.setdefault(name, [0, 0.0])
            n[0] += 1
            n[1] += dc
    return wrapper


def _is_dml(self: Any, statement: Any, *args: Any, **kwargs: Any) -> bool:
    return bool(getattr(statement, "is_dml", False))


def wrap_everywhere(module_name: str, attr: str, part: str, when: Callable[..., bool] | None = None) -> None:
    """Replace the function in its module and in every loaded module that imported it by name."""
    module = sys.modules[module_name]
    original = getattr(module, attr)
    wrapper = timed(part, f"{module_name}.{attr}", original, when)
    for m in list(sys.modules.values()):
        d = getattr(m, "__dict__", None)
        if not d:
            continue
        for k, v in list(d.items()):
            if v is original:
                setattr(m, k, wrapper)


def main() -> int:
    out, argv = Path(sys.argv[1]), sys.argv[2:]
    from sqlalchemy.engine import Connection
    from sqlalchemy.orm import Session, SessionTransaction

    import desktop_app.__main__ as entry
    import desktop_app.cli
    import desktop_app.core.demo
    import desktop_app.core.services.voucher_bulk  # noqa: F401

    started_cpu, started_wall = time.process_time(), time.perf_counter()
    parts["启动与导入"] = [started_cpu, started_wall - WALL0]  # CPU since the process began
    wrap_everywhere("db.migrate", "open_database", "打开与迁移数据库")
    for module, name in [("desktop_app.core.services.voucher_bulk", "bulk_post_vouchers"),
                         ("desktop_app.core.services.voucher_bulk", "bulk_post_books"),
                         ("desktop_app.core.services.voucher_bulk", "bulk_close_periods"),
                         ("db.changelog", "bulk_insert"), ("db.changelog", "log_changes"),
                         ("db.audit", "record_audit")]:
        if hasattr(sys.modules[module], name):
            wrap_everywhere(module, name, "写入")
    Session.flush = timed("写入", "Session.flush", Session.flush)  # type: ignore[method-assign]
    Connection.execute = timed("写入", "DML execute", Connection.execute, _is_dml)  # type: ignore[method-assign]
    SessionTransaction.commit = timed("提交", "commit", SessionTransaction.commit,  # type: ignore[method-assign]
                                      transparent=True)
    demo = sys.modules["desktop_app.core.demo"]
    demo.SEEDERS[:] = [(label, timed(label, label, fn, transparent=True, into=seeders))  # type: ignore[attr-defined]
                       for label, fn in demo.SEEDERS]  # type: ignore[attr-defined]
    sys.argv = ["desktop_app", *argv]
    rc = entry.main()
    cpu, wall = time.process_time() - started_cpu, time.perf_counter() - started_wall
    counted = [sum(v[i] for k, v in parts.items() if k != "启动与导入") for i in (0, 1)]
    parts["生成与计算"] = [cpu - counted[0], wall - counted[1]]
    parts["合计"] = [time.process_time(), time.perf_counter() - WALL0]
    out.write_text(json.dumps({"parts": parts, "seeders": seeders, "calls": calls}, ensure_ascii=False), encoding="utf-8")
    return int(rc or 0)


if __name__ == "__main__":
    raise SystemExit(main())
