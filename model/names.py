"""Person names compared as staff compare them: exactly, after normalising how they are written.

Shared by the field parsers (a participant's role, the authors) and the checks (the holder of
a certificate, the name on the ID card). Never fuzzy: 王丽 and 王莉 are two people.
"""

from __future__ import annotations

import re
import unicodedata

_DOTS = "·・•‧∙⋅･.．"
# Shapes that are the same glyph as a name character (Japanese kana and dashes OCR or a
# font may put in place of a Chinese character; NFKC leaves them alone). Only true look-
# alikes: two different name characters (王丽, 王莉) must never become equal.
_NAME_CONFUSABLES = str.maketrans(
    {
        "—": "一",  # em dash
        "―": "一",  # horizontal bar
        "ー": "一",  # katakana prolonged sound mark
        "─": "一",  # box drawing
        "ニ": "二",  # katakana ni
        "エ": "工",  # katakana e
        "カ": "力",  # katakana ka
        "ロ": "口",  # katakana ro
        "タ": "夕",  # katakana ta
        "ハ": "八",  # katakana ha
        "ト": "卜",  # katakana to
        "已": "己",  # 已 is no name character; OCR reads 己 as 已
    }
)
_DROP = re.compile(rf"[\s{re.escape(_DOTS)}]+")


def normalise_name(s: str) -> str:
    """A person's name in one form: NFKC, no spaces or middle dots, look-alikes unified.

    >>> normalise_name("买买提 · 艾力")
    '买买提艾力'
    """
    return _DROP.sub("", unicodedata.normalize("NFKC", s)).translate(_NAME_CONFUSABLES)


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same once normalised (never fuzzy: 王丽 ≠ 王莉)."""
    na, nb = normalise_name(a), normalise_name(b)
    return bool(na) and na == nb


def one_misread_away(read: str, name: str) -> bool:
    """Whether OCR's ``read`` may be ``name`` with one character misread, lost or doubled.

    Not the same name (see :func:`same_name`): a name read by OCR this close to the
    applicant's cannot say she is absent, nor that she is there. 邓俊 for 邓俊鑫, 荆勇 for
    张勇; a text layer's 王莉 is another person than 王丽 and must not be asked this.
    """
    from rapidfuzz.distance import Levenshtein

    a, b = normalise_name(read), normalise_name(name)
    return len(a) >= 2 and len(b) >= 2 and a != b and Levenshtein.distance(a, b) == 1
