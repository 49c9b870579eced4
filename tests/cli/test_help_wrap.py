"""``--help`` of the main command and of every subcommand is wrapped for Chinese: lines fit the
terminal in display columns (a Chinese character takes two), a line breaks at a space or between two
Chinese characters but never inside an ASCII word, option, number or URL, no line starts with a
closing mark, and option names line up in their column."""

from __future__ import annotations

import argparse
import itertools
import re
from collections.abc import Iterator

import pytest

from desktop_app.cli import build_parser, main
from desktop_app.cli_text import ChineseArgumentParser, display_width, wrap_display

ASCII_WORD = re.compile(r"[!-~]+")  # a run of printable ASCII: a word, an option, a number, a path
CLOSING = "，。、；：？！）》」』】"


def _parsers(parser: argparse.ArgumentParser) -> Iterator[tuple[str, argparse.ArgumentParser]]:
    yield parser.prog, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases name one parser twice
                yield from _parsers(sub)


def _help_texts(parser: argparse.ArgumentParser) -> list[str]:
    texts = [parser.description or ""]
    for action in parser._actions:
        texts.append(action.help if isinstance(action.help, str) and "%(" not in action.help else "")
        if isinstance(action, argparse._SubParsersAction):
            texts.extend(str(choice.help or "") for choice in action._choices_actions)
    return [t for t in texts if t and t != argparse.SUPPRESS]


def test_wrap_breaks_between_chinese_characters_never_inside_ascii() -> None:
    text = "导出 Excel：annual-tables（农村集体资产年报）、contract-review（合同审查结果）、cash-journal（现金日记账）"
    for width in range(12, 60):
        lines = wrap_display(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            assert display_width(line) <= width or not re.search(r"[\u4e00-\u9fff]", line), (width, line)
            assert line[0] not in CLOSING, (width, line)
            assert not line.endswith("（"), (width, line)
        joined = "\n".join(lines)
        for word in ("Excel", "annual-tables", "contract-review", "cash-journal"):
            assert word in joined, (width, lines)
    assert wrap_display("数据库也可以是 postgresql+psycopg://用户@主机/库名", 20) == [
        "数据库也可以是", "postgresql+psycopg://用户@主机/库名"]  # a URL is never cut, even when too long
    assert wrap_display("九位区划代码（县级6位 + 乡镇3位）", 13) == ["九位区划代码", "（县级6位 +", "乡镇3位）"]
    assert display_width("用户名 ab") == 9


def test_subcommand_parsers_are_chinese_parsers() -> None:
    parser = build_parser()
    found = list(_parsers(parser))
    assert len(found) > 40  # the commands and their actions (sync export, bank import …)
    assert all(isinstance(p, ChineseArgumentParser) for _, p in found)


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_every_help_fits_the_terminal_and_keeps_words_whole(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    width = columns - 2  # argparse leaves two columns
    for prog, parser in _parsers(build_parser()):
        out = parser.format_help()
        lines = out.splitlines()
        for line in lines:
            if display_width(line) > width:  # only an unbreakable piece may overflow, alone on its line
                assert len(line.split()) == 1 or line.startswith("用法"), (prog, line)
            stripped = line.lstrip()
            assert not stripped or stripped[0] not in CLOSING, (prog, line)
        for text in _help_texts(parser):
            for word in ASCII_WORD.findall(text):
                assert word in out, (prog, word, out)
        # help texts start in one column, whatever the width of the option names before them
        starts = {display_width(m.group(1)) for m in re.finditer(r"^(  \S.*?  +)\S", out, re.MULTILINE)
                  if not m.group(1).startswith("  命令")}
        assert len(starts) <= 1, (prog, starts, out)


def test_python_m_desktop_app_help(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("用法：python -m desktop_app")
    assert "选项：" in out and "参数：" in out
    assert all(display_width(line) <= 78 for line in out.splitlines())
    for word in ("contract-review", "schedule", "installments", "resources", "SUNSHINE_LEDGER_NEW_PASSWORD"):
        assert word in out
    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    demo = capsys.readouterr().out
    user = next(line for line in demo.splitlines() if line.startswith("  --user"))
    villages = next(line for line in demo.splitlines() if line.startswith("  --villages"))
    assert display_width(user[: user.index("操作人")]) == display_width(villages[: villages.index("村的数量")])


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_a_required_option_stays_with_its_value_in_usage(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    for prog, parser in _parsers(build_parser()):
        usage = parser.format_usage().rstrip("\n").split("\n")
        for line, following in itertools.pairwise(usage):
            cut = re.search(r" (--?[\w-]+)$", line)
            assert not (cut and following.strip() and following.strip()[0] not in "[(-|"), (prog, line, following)
