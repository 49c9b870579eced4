"""Pinyin sort keys and pinyin-aware search for Chinese names (Qt-free).

``pinyin_key`` sorts Chinese text the way a dictionary does (syllable, then tone),
``matches`` lets a user find 张三 by typing ``zs``, ``zhangsan`` or ``张``.

Speed: pypinyin's own per-string conversion costs ~17 µs; here the text is split
with pypinyin's segmenter and each *word* is converted once and cached, so a cold
50k-row filter costs ~0.2 s and a warm one a few tens of ms.

多音字 in surnames: the first character of a text is read with its surname reading
when it is a known surname with a different common reading (单 shàn, 曾 zēng, 解 xiè,
仇 qiú …).  For sorting that reading wins; for search both readings match, so
``dtf`` and ``stf`` both find 单田芳.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

# pypinyin loads its phrase dictionary on import (~0.3 s), so it is imported on first use
# and the GUI warms it up in a background thread after the window has painted.
_pypinyin: dict[str, Any] = {}


def _py() -> dict[str, Any]:
    if not _pypinyin:
        import pypinyin
        from pypinyin.constants import RE_HANS
        from pypinyin.seg.simpleseg import seg

        _pypinyin.update(lazy_pinyin=pypinyin.lazy_pinyin, tone3=pypinyin.Style.TONE3, hans=RE_HANS, seg=seg)
    return _pypinyin


def warm_up() -> None:
    """Load the pinyin dictionaries now (call from a worker thread at start-up)."""
    _py()

__all__ = ["haystack", "matches", "matches_haystack", "pinyin_full", "pinyin_initials", "pinyin_key", "search_keys"]

# Surname readings (TONE3) for characters whose everyday reading differs.
_SURNAME_READINGS: dict[str, str] = {
    "单": "shan4",
    "曾": "zeng1",
    "解": "xie4",
    "仇": "qiu2",
    "朴": "piao2",
    "查": "zha1",
    "区": "ou1",
    "乐": "yue4",
    "盖": "ge3",
    "缪": "miao4",
    "覃": "qin2",
    "翟": "zhai2",
    "秘": "bi4",
    "种": "chong2",
    "召": "shao4",
    "折": "she2",
    "员": "yun4",
    "繁": "po2",
    "宿": "su4",
    "沈": "shen3",
    "任": "ren2",
    "华": "hua4",
    "纪": "ji3",
    "叶": "ye4",
    "过": "guo1",
    "都": "du1",
    "句": "gou1",
    "阚": "kan4",
    "谌": "chen2",
    "柏": "bai3",
    "薄": "bo2",
    "卜": "bu3",
    "曲": "qu1",
    "尉": "wei4",
    "黑": "he4",
    "长": "chang2",
    "隗": "wei3",
    "相": "xiang1",
    "冼": "xian3",
    "燕": "yan1",
    "藏": "zang4",
    "洗": "xian3",
}


_SEP = "\x00"  # joins a row's texts in a haystack; stripped from queries, so no match spans two


@lru_cache(maxsize=65536)
def _word_tone3(word: str) -> tuple[str, ...]:
    py = _py()
    return tuple(py["lazy_pinyin"](word, style=py["tone3"], neutral_tone_with_five=True))


def _normalise(text: str) -> str:
    if text.isascii():
        return text.lower()
    return unicodedata.normalize("NFKC", text).lower()


# A token is (syllable_or_text, is_pinyin).
def _tokens(text: str) -> list[tuple[str, bool]]:
    out: list[tuple[str, bool]] = []
    py = _py()
    for part in py["seg"](text):
        if py["hans"].match(part):
            out.extend((syl, True) for syl in _word_tone3(part))
        else:
            out.append((part, False))
    return out


def _strip_tone(syl: str) -> str:
    return syl.rstrip("012345")


def _surname_tokens(text: str, tokens: list[tuple[str, bool]]) -> list[tuple[str, bool]] | None:
    """Tokens with the first syllable replaced by the surname reading, or None."""
    if not tokens or not tokens[0][1]:
        return None
    reading = _SURNAME_READINGS.get(text[:1])
    if reading is None or reading == tokens[0][0]:
        return None
    return [(reading, True), *tokens[1:]]


def _sort_string(tokens: list[tuple[str, bool]]) -> str:
    # Syllables keep their tone digit, which also marks the syllable boundary:
    # "xi1an1" (西安) < "xian1" (先) < "xi2" ... as in a dictionary.
    return "".join(tok for tok, _ in tokens)


@lru_cache(maxsize=262144)
def pinyin_key(text: str) -> str:
    """Sort key for Chinese text: toned pinyin syllables, surname reading for the first character.

    Non-Chinese parts are kept (lower-cased), so digits sort before letters.
    Ties between different characters with the same reading are the caller's to break
    (sort on ``(pinyin_key(t), t)``).
    """
    text = _normalise(text)
    if text.isascii():
        return text
    tokens = _tokens(text)
    return _sort_string(_surname_tokens(text, tokens) or tokens)


def _keys_from(tokens: list[tuple[str, bool]]) -> tuple[str, str]:
    full = "".join(_strip_tone(tok) if is_py else tok for tok, is_py in tokens)
    initials = "".join(tok[0] if is_py else tok for tok, is_py in tokens)
    return "".join(full.split()), "".join(initials.split())


@lru_cache(maxsize=262144)
def _analyse(text: str) -> tuple[str, str, str, tuple[str, ...]]:
    """(normalised text, full pinyin, initials, all pinyin keys incl. surname readings)."""
    norm = _normalise(text)
    if norm.isascii():
        return norm, norm, norm, ()
    tokens = _tokens(norm)
    full, initials = _keys_from(tokens)
    keys = [full, initials]
    surname = _surname_tokens(norm, tokens)
    if surname is not None:
        keys.extend(_keys_from(surname))
    return norm, full, initials, tuple(dict.fromkeys(keys))


def search_keys(text: str) -> tuple[str, ...]:
    """Lower-case pinyin forms of ``text`` a query may be a substring of: full pinyin without
    tones or spaces, initials and, for a surname 多音字, the same two with the surname reading.
    Empty for text without Chinese characters."""
    return _analyse(text)[3]


def pinyin_initials(text: str) -> str:
    """Pinyin initials, e.g. ``"张三" -> "zs"``; non-Chinese characters are kept lower-cased."""
    return _analyse(text)[2]


def pinyin_full(text: str) -> str:
    """Full toneless pinyin without spaces, e.g. ``"张三" -> "zhangsan"``."""
    return _analyse(text)[1]


@lru_cache(maxsize=4096)
def _prepare_query(query: str) -> tuple[str, str | None]:
    """(plain lower-case query, query for pinyin keys or None when it cannot match pinyin)."""
    plain = _normalise(query.strip()).replace(_SEP, "")
    compact = "".join(plain.split())
    pinyin_q = compact if compact and compact.isascii() and compact.isalnum() else None
    return plain, pinyin_q


def matches(query: str, *texts: object) -> bool:
    """True when ``query`` is a case-insensitive substring of any text, of its full pinyin
    or of its pinyin initials (spaces in the query are ignored for pinyin).  An empty query
    matches everything; ``None`` texts are skipped; other values are searched as ``str``."""
    return matches_haystack(query, haystack(*texts))


def haystack(*texts: object) -> str:
    """Everything ``matches`` would search in ``texts``, in one string.

    A table builds one per row once; each filter is then a single substring test per row
    (``matches_haystack``), several times faster than calling ``matches`` per row.
    """
    parts: list[str] = []
    for value in texts:
        if value is None:
            continue
        text = (value if isinstance(value, str) else str(value)).replace(_SEP, "")
        parts.append(text.lower())
        if not text.isascii():
            norm, _, _, keys = _analyse(text)
            parts.append(norm)
            parts.extend(keys)
    return _SEP.join(parts)


def matches_haystack(query: str, hay: str) -> bool:
    """``matches(query, *texts)`` for ``hay = haystack(*texts)``."""
    plain, pinyin_q = _prepare_query(query)
    if not plain:
        return True
    return plain in hay or (pinyin_q is not None and pinyin_q in hay)
