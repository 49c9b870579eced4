"""The placeholders ``--help`` shows for an option's value (argparse's metavars), in Chinese.

argparse names a value after its option's ``dest`` in capitals (``--org ORG``, ``--period PERIOD``,
``import KIND FILE``), so the help mixed English placeholders with Chinese ones (``--user 用户名``).
One glossary here gives every value that has no metavar of its own the same Chinese name in every
command (``--org 组织`` wherever ``--org`` is); ``chinese_metavars`` applies it to the whole parser
tree once the commands are registered. A value with ``choices`` keeps argparse's list of them
(``{a4,a5}``): those are the words to type. A new option whose ``dest`` is missing here shows in
capitals, and tests/cli/test_help_metavars.py names it.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

# dest -> what the value is, as a short Chinese noun
METAVARS: dict[str, str] = {
    "account": "科目",
    "address": "地址",
    "admin": "用户名",
    "amount_for_members": "金额",
    "as_of": "日期",
    "asset": "资产编号",
    "book": "账套",
    "book_kind": "账套类型",
    "book_name": "账套名称",
    "chart": "会计制度",
    "contract": "合同编号",
    "credit_code": "信用代码",
    "data_dir": "文件夹",
    "date": "日期",
    "db": "数据库",
    "district": "区级名称",
    "excluded_rent": "金额",
    "file": "文件",
    "header_row": "行号",
    "images": "文件夹",
    "item": "行编号",
    "items": "行编号",
    "kind": "类别",
    "legal_rep": "姓名",
    "level": "层级",
    "month": "月份",
    "name": "名称",
    "operating_2004": "科目代码",
    "operating_2023": "科目代码",
    "org": "组织",
    "out": "文件",
    "partner": "对象",
    "payer": "交款人",
    "payload": "内容",
    "period": "期间",
    "phone": "电话",
    "plan": "年度",
    "reason": "原因",
    "ref": "凭证",
    "region": "区划代码",
    "region_name": "区划名称",
    "reserve": "金额",
    "seed": "种子",
    "sheet": "工作表",
    "start": "期间",
    "stocktake": "清查编号",
    "text": "内容",
    "tiers": "分档界限",
    "to": "文件夹",
    "total_2004": "科目代码",
    "total_2023": "科目代码",
    "township": "乡镇名称",
    "townships": "数量",
    "uscc": "信用代码",
    "villages": "数量",
    "voucher": "凭证号",
    "year": "年度",
    "years": "年数",
}

# where one command's value is something else than the glossary's: (the command's words, dest)
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("disclose", "out"): "路径",  # a PDF file, or with --all a folder
    ("report", "name"): "报表",  # trial-balance, income-expense …
    ("asset-report", "name"): "报表",
    ("book add", "kind"): "账套类型",
}


def parsers(parser: argparse.ArgumentParser, words: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Every parser of the tree with the command words that reach it (``("sync", "export")``)."""
    yield words, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            seen: set[int] = set()
            for name, sub in action.choices.items():
                if id(sub) not in seen:  # an alias names the same parser again
                    seen.add(id(sub))
                    yield from parsers(sub, (*words, name))


def takes_value(action: argparse.Action) -> bool:
    return action.nargs != 0 and not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction))


def chinese_metavars(parser: argparse.ArgumentParser) -> None:
    """Give every value of the tree without a metavar (and without choices) its Chinese name."""
    for words, p in parsers(parser):
        command = " ".join(words)
        for action in p._actions:
            if not takes_value(action) or action.metavar is not None or action.choices is not None:
                continue
            name = EXCEPTIONS.get((command, action.dest)) or METAVARS.get(action.dest)
            if name is not None:
                action.metavar = name
