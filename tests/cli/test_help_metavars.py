"""``--help`` names every value in Chinese (``--org 组织``, ``--period 期间``, ``import 类别 文件``),
the same name for the same option in every command: argparse's own placeholders are the option's
name in capitals (``--org ORG``), which mixed English into the Chinese help."""

from __future__ import annotations

import argparse
import re
from collections import defaultdict

import pytest

from desktop_app.cli import build_parser
from desktop_app.cli_metavars import parsers, takes_value

ASCII_LETTER = re.compile(r"[A-Za-z]")
# options whose value differs by command, on purpose: init --district names the district, demo
# --district is the folder it is written to; disclose --out may be a folder; book add --kind is a
# 账套类型
DIFFERS = {"--district", "--out", "--kind"}


def _values() -> list[tuple[str, argparse.Action, str]]:
    found = []
    for words, parser in parsers(build_parser()):
        formatter = parser._get_formatter()
        for action in parser._actions:
            if takes_value(action):
                shown = formatter._metavar_formatter(action, action.dest.upper())(1)[0]
                found.append((" ".join(words) or "(主命令)", action, shown))
    return found


def test_every_value_is_named_in_chinese() -> None:
    english = [(command, action.option_strings or action.dest, shown) for command, action, shown in _values()
               if action.choices is None and ASCII_LETTER.search(shown)]
    assert english == []


def test_the_same_option_has_the_same_name_everywhere() -> None:
    names: dict[str, set[str]] = defaultdict(set)
    for _command, action, shown in _values():
        if action.choices is None:
            for option in action.option_strings:
                names[option].add(shown)
    assert names["--org"] == {"组织"} and names["--period"] == {"期间"} and names["--user"] == {"用户名"}
    assert {option: sorted(shown) for option, shown in names.items() if len(shown) > 1 and option not in DIFFERS} == {}


@pytest.mark.parametrize("argv", [["report"], ["import"], ["sync", "export"], ["disclose"], ["demo"]])
def test_the_help_reads_chinese_placeholders(argv: list[str], monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    from desktop_app.cli import main

    with pytest.raises(SystemExit):
        main([*argv, "--help"])
    out = capsys.readouterr().out
    assert not re.search(r"--[a-z][\w-]* [A-Z][A-Z_]+\b", out), out  # no "--org ORG"
    assert "--db 数据库" in out
