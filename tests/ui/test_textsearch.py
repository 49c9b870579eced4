"""Pinyin sort keys and search (desktop_app.core.textsearch; Qt-free, tested beside its users)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from desktop_app.core.textsearch import (
    haystack,
    matches,
    matches_haystack,
    pinyin_full,
    pinyin_initials,
    pinyin_key,
)


def test_initials_and_full_pinyin() -> None:
    assert pinyin_initials("张三") == "zs"
    assert pinyin_full("张三") == "zhangsan"
    assert pinyin_initials("第3组ABC") == "d3zabc"
    assert pinyin_initials("abc") == "abc"


def test_matches_text_initials_and_full_pinyin() -> None:
    assert matches("zs", "张三")
    assert not matches("zs", "李四")
    assert matches("ZS", "张三")
    assert matches("zhangsan", "张三")
    assert matches("zhang san", "张三")
    assert matches("张", "张三")
    assert matches("\uff5a\uff53", "张三")  # full-width "zs" typed with an IME
    assert matches("", "anything")
    assert matches("101", None, "1001", 3101)  # non-text values are searched as text
    assert not matches("x", None)


def test_surname_polyphones_match_both_readings_and_sort_by_the_surname_one() -> None:
    assert matches("stf", "单田芳") and matches("dtf", "单田芳")
    assert matches("zgf", "曾国藩")
    assert pinyin_key("曾国藩").startswith("zeng")
    assert pinyin_key("单田芳").startswith("shan")


def test_phrases_use_context_readings() -> None:
    assert pinyin_initials("重庆") == "cq"
    assert pinyin_initials("银行") == "yh"


def test_dictionary_order() -> None:
    names = ["张三", "白云", "安娜", "先锋", "西安", "习惯"]
    ordered = sorted(names, key=lambda t: (pinyin_key(t), t))
    assert ordered == ["安娜", "白云", "西安", "习惯", "先锋", "张三"]


@given(st.text(max_size=12))
def test_never_crashes_and_text_always_matches_itself(text: str) -> None:
    pinyin_key(text)
    assert matches(text, text)


def test_fifty_thousand_rows_filter_the_same_twice() -> None:
    """The speed of this filter is measured by bench/bench_textsearch.py (tests never assert time)."""
    chars = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏"
    rng = random.Random(7)
    rows = [("".join(rng.choice(chars) for _ in range(3)), f"第{i % 20}组") for i in range(50_000)]
    hits = [r for r in rows if matches("zs", *r)]
    again = [r for r in rows if matches("zs", *r)]
    assert hits == again and 0 < len(hits) < len(rows)
    assert not matches("zs", "王李", "第1组")  # no z-then-s initials: no hit


@given(st.text(max_size=6), st.lists(st.one_of(st.none(), st.text(max_size=8), st.integers()), max_size=3))
def test_haystack_search_equals_direct_search(query: str, texts: list[object]) -> None:
    hay = haystack(*texts)
    assert matches_haystack(query, hay) == matches(query, *texts)
    for text in texts:
        if isinstance(text, str) and query.strip() and query.strip().lower() in text.lower():
            assert matches(query, *texts)
