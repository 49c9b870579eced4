"""argparse's own words in Chinese (usage, errors, help headings): everything the user reads is
Chinese. argparse looks its module-level ``_`` up at each call, so replacing it once suffices.
``ChineseArgumentParser`` lays its help out for Chinese text (``ChineseHelpFormatter``)."""

from __future__ import annotations

import argparse
import re
import unicodedata
from typing import Any

ARGPARSE_TEXT = {
    "usage: ": "用法：",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的值（%(type)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "需要以下参数之一：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


def chinese_argparse() -> None:
    argparse._ = lambda text: ARGPARSE_TEXT.get(text, text)  # type: ignore[attr-defined]


# -- help text wrapped for Chinese ---------------------------------------------------------------
# argparse wraps with textwrap: it counts a Chinese character as one column (a terminal shows it in
# two), breaks only at spaces and hyphens (our help has few spaces, so a long line was cut inside
# "contract-review" or "schedule"), and pads option names by characters ("--user 用户名" stood out
# of its column). ChineseHelpFormatter counts display columns (wide characters 2), breaks at spaces
# and between two Chinese characters, never inside an ASCII word, option, number or URL, and keeps
# closing punctuation on its line (no line starts with "，" or "）", none ends with "（").

_CLOSING = set("，。、；：？！）》」』】〕…,.;:?!)]}\u201d\u2019\uff05")  # and the right quotes, full-width percent
_OPENING = set("（《「『【〔“([{\u2018")  # and the left single quote
_SPACES = re.compile(r"\s+")


def char_width(char: str) -> int:
    """Columns a terminal gives ``char``: 2 for Chinese characters and full-width forms, else 1
    (0 for combining marks)."""
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    return sum(map(char_width, text))


def _atoms(chunk: str) -> list[str]:
    """A space-free chunk cut where a line may break: between two wide characters, after a Chinese
    closing mark and before a Chinese opening one, never inside a run of ASCII; closing punctuation
    stays after the character before it, opening punctuation before the one after it. A chunk with
    "://" (a URL) is one atom."""
    if "://" in chunk:
        return [chunk]
    atoms: list[str] = []
    for char in chunk:
        if atoms:
            prev = atoms[-1][-1]
            wide_pair = char_width(char) == 2 and char_width(prev) == 2
            after_close = prev in _CLOSING and char_width(prev) == 2  # "、" then "resources"
            before_open = char in _OPENING and char_width(char) == 2  # "assets" then "（"
            breakable = (wide_pair or after_close or before_open) and char not in _CLOSING and prev not in _OPENING
            if not breakable:
                atoms[-1] += char
                continue
        atoms.append(char)
    return atoms


def wrap_display(text: str, width: int) -> list[str]:
    """``text`` (whitespace collapsed) in lines of at most ``width`` display columns where it can
    break; a piece that cannot break and is longer than ``width`` gets a line of its own."""
    lines: list[str] = []
    line, used = "", 0
    for chunk in _SPACES.sub(" ", text).strip().split(" "):
        for n, atom in enumerate(_atoms(chunk) if chunk else []):
            gap = 1 if n == 0 and line else 0  # a space between chunks, none inside one
            w = display_width(atom)
            if line and used + gap + w > width:
                lines.append(line)
                line, used = atom, w
            else:
                line += " " * gap + atom
                used += gap + w
    if line:
        lines.append(line)
    return lines


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, measured in display columns and wrapped for Chinese (see above)."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_display(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_display(text, width))

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is argparse.SUPPRESS:
            return
        invocations = [self._format_action_invocation(action)]
        for sub in self._iter_indented_subactions(action):
            invocations.append(self._format_action_invocation(sub))
        longest = max(map(display_width, invocations)) + self._current_indent
        self._action_max_length = max(self._action_max_length, longest)

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = help_position
        if not action.help:
            parts = [f"{'':{self._current_indent}}{header}\n"]
        elif display_width(header) <= action_width:
            pad = " " * (action_width - display_width(header))
            parts = [f"{'':{self._current_indent}}{header}{pad}  "]
            indent_first = 0
        else:
            parts = [f"{'':{self._current_indent}}{header}\n"]
        if action.help and action.help.strip():
            lines = self._split_lines(self._expand_help(action), help_width)
            if lines:
                parts.append(f"{'':{indent_first}}{lines[0]}\n")
                parts.extend(f"{'':{help_position}}{line}\n" for line in lines[1:])
            elif not parts[0].endswith("\n"):
                parts.append("\n")
        elif not parts[0].endswith("\n"):
            parts.append("\n")
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return self._join_parts(parts)

    def _format_usage(self, usage: Any, actions: Any, groups: Any, prefix: str | None) -> str:
        """argparse's usage, laid out again in display columns (argparse measures the "用法："
        prefix and Chinese metavars by their length, and cuts a required option from its value:
        "--org" ending one line, "ORG" opening the next). argparse writes it on one line; its
        parts (a bracketed option, a required option with its value, a positional) are then
        wrapped to the width, continuation lines under the first part, or under the prefix when
        the command name leaves too little room."""
        if prefix is None:
            prefix = argparse._("usage: ")  # type: ignore[attr-defined]
        width = self._width
        try:
            self._width = 1_000_000
            line = super()._format_usage(usage, actions, groups, "").rstrip("\n")
        finally:
            self._width = width
        if "\n" in line or not line.startswith(self._prog):  # a usage text given whole: as argparse wrote it
            return prefix + line + "\n\n"
        parts = _USAGE_PART.findall(line[len(self._prog):])
        head = prefix + self._prog
        indent = display_width(head) + 1
        if parts and indent + max(map(display_width, parts)) > width:
            indent = display_width(prefix)
        lines, current = [], head
        for part in parts:
            if display_width(current) + 1 + display_width(part) > width and current.strip() and current != head:
                lines.append(current)
                current = " " * indent + part
            elif current == head and display_width(head) + 1 + display_width(part) > width and indent < display_width(head):
                lines.append(current)
                current = " " * indent + part
            else:
                current += " " + part
        lines.append(current)
        return "\n".join(lines) + "\n\n"

    def format_help(self) -> str:
        # section headings in Chinese end with a Chinese colon ("选项：", not "选项:")
        return _HEADING.sub(r"\1\2：", super().format_help())


# a usage part: a bracketed or grouped option, a required option with its value, or one word
_USAGE_PART = re.compile(r"\[[^\]]*?\]+(?=\s|$)|\([^)]*?\)+(?=\s|$)|--?[\w-]+ (?![-\[(])\S+|\S+")


_HEADING = re.compile(r"^( *)([^\x00-\x7f\s][^\n:]*):$", re.MULTILINE)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help is wrapped for Chinese; its subcommands' parsers are too
    (argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
