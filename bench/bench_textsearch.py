"""Filtering 50,000 rows by a pinyin initialism (``textsearch.matches``) beside the raw limit.

    python bench/bench_textsearch.py [--rows N] [--repeat R]

Times ``matches("zs", *row)`` over every row, cold (first run: the pinyin keys are built) and
warm, and in the same run the raw limit: a plain ``in`` test of the same query on the same rows'
texts (what any filter must at least do). Prints medians and the ratio matches / raw. Moved here
from tests/ui/test_textsearch.py (tests assert behaviour, never time). The machine is shared:
read the ratios.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from desktop_app.core.textsearch import matches

CHARS = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=50_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(7)
    rows = [("".join(rng.choice(CHARS) for _ in range(3)), f"第{i % 20}组") for i in range(args.rows)]

    start = time.perf_counter()
    hits = [r for r in rows if matches("zs", *r)]
    cold = time.perf_counter() - start
    warm, raw = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        again = [r for r in rows if matches("zs", *r)]
        warm.append(time.perf_counter() - start)
        start = time.perf_counter()
        plain = [r for r in rows if "zs" in r[0] or "zs" in r[1]]
        raw.append(time.perf_counter() - start)
    assert again == hits and not plain
    w, r = statistics.median(warm), statistics.median(raw)
    print(f"{args.rows} 行，命中 {len(hits)} 行")
    print(f"matches 首次（建拼音键）：{cold * 1000:8.1f} ms   原始下限 {r * 1000:6.1f} ms   比值 {cold / r:6.1f}")
    print(f"matches 再次            ：{w * 1000:8.1f} ms   原始下限 {r * 1000:6.1f} ms   比值 {w / r:6.1f}")


if __name__ == "__main__":
    main()
