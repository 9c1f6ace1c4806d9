"""Page kinds from page text, and a scanned volume's pages split into documents (pure).

``classify_page`` scores every ``PageKind`` by weighted evidence found in the page's text:
key phrases (exact, or fuzzily for phrases of five characters or more, since OCR confuses and
drops characters), regexes (ISSN, CN, 18-digit ID numbers, capital-numeral amounts, patent
numbers) and a few layout cues (a short page with ISSN and CN is a cover; many page numbers
make a table of contents). The text may be a PDF text layer or Tesseract ``chi_sim`` OCR, in
which CJK characters can be separated by spaces and lines break anywhere: phrases are matched
against the text with all whitespace removed, after Unicode NFKC (full-width punctuation
becomes half-width).

``split_documents`` turns the kinds of a volume's pages into documents.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from model.report import PageKind

log = logging.getLogger(__name__)

K = PageKind

MIN_SCORE = 3.0
"""Below this much evidence for its best kind, a page is ``other``."""

STRONG_SCORE = 8.0
"""Evidence at which a clear winner gets full confidence."""

FUZZY_MIN_LEN = 5
"""Phrases this long or longer also match with one or two characters wrong or missing."""

FUZZY_CUTOFF = 80.0
"""rapidfuzz ``partial_ratio`` (0–100) from which a fuzzy phrase match counts."""

FUZZY_DISCOUNT = 0.8
"""A fuzzy phrase match counts this share of the phrase's weight."""

# Key phrases per kind, as (phrase, weight), written as NFKC gives them with no whitespace
# (full-width brackets and colons become half-width). 3–4: the document's own title or a
# field no other document prints; 2: a strong field label; 1 or less: supporting words.
_PHRASES: dict[PageKind, tuple[tuple[str, float], ...]] = {
    K.ID_CARD: (
        ("居民身份证", 3), ("签发机关", 3), ("有效期限", 3), ("公民身份号码", 1.5),
        ("住址", 1.5), ("民族", 1.5), ("复印件", 0.5), ("正面", 0.5), ("反面", 0.5),
    ),
    K.GRADUATION_CERTIFICATE: (
        ("毕业证书", 3), ("准予毕业", 3), ("修完教学计划", 2), ("规定的全部课程", 1.5),
        ("校(院)长", 2), ("成绩合格", 1), ("校名", 1), ("本校", 1),
    ),
    K.DEGREE_CERTIFICATE: (
        ("学位证书", 2.5), ("学位评定委员会", 3), ("学位条例", 2.5), ("业已毕业", 1.5),
        ("授予学位", 1), ("学习计划", 1),
    ),
    K.EDUCATION_REGISTRATION: (
        ("学历证书电子注册备案表", 4), ("电子注册", 2), ("备案表", 2), ("在线验证码", 3),
        ("学信网", 3), ("chsi", 2), ("学生服务与素质发展中心", 2), ("高等教育学生信息网", 2),
        ("更新日期", 1), ("备案证明", 1),
    ),
    K.OVERSEAS_CERTIFICATION: (
        ("国外学历学位认证书", 4), ("学位认证书", 2), ("留学服务中心", 3), ("教留服认", 2.5),
        ("特此认证", 2), ("国别", 1), ("颁发机构", 1), ("真实有效", 1),
    ),
    K.TITLE_CERTIFICATE: (
        ("专业技术职务任职资格证书", 4), ("任职资格", 3), ("资格名称", 2), ("专业技术职务", 2),
        ("人力资源和社会保障厅", 1.5), ("发证机关", 1.5), ("经评审", 1.5), ("工作单位", 1),
        ("取得时间", 1),
    ),
    K.AWARD_CERTIFICATE: (
        ("获奖证书", 3), ("荣誉证书", 3), ("以资鼓励", 2.5), ("荣获", 2), ("奖项名称", 2),
        ("获奖等级", 2), ("获奖者", 2), ("获奖项目", 2), ("同志", 1), ("称号", 1),
        ("特发此证", 1), ("奖", 1),
    ),
    K.PATENT_CERTIFICATE: (
        ("专利证书", 3), ("专利号", 2), ("发明人", 2), ("专利权人", 2), ("知识产权局", 2.5),
        ("授权公告日", 2), ("专利申请日", 2), ("实用新型", 1.5), ("专利法", 1),
        ("专利登记簿", 1), ("证书号第", 1),
    ),
    K.CE_CERTIFICATE: (
        ("继续教育", 3), ("学时证明", 3), ("公需科目", 2.5), ("专业科目", 1.5),
        ("专业技术人员", 1), ("考核合格", 1.5), ("继续教育基地", 1), ("合计", 0.5),
    ),
    K.JOURNAL_COVER: (
        ("本期要目", 3), ("本期导读", 3), ("主办", 1), ("月刊", 0.3), ("定价", 0.3),
    ),
    K.JOURNAL_COPYRIGHT: (
        ("主管单位", 2.5), ("编辑出版", 2.5), ("主编", 1), ("出版日期", 2), ("编辑部地址", 2),
        ("邮政编码", 1.5), ("国际标准连续出版物号", 1.5), ("国内统一连续出版物号", 1.5),
        ("本刊声明", 2), ("版权", 2), ("本刊已许可", 1.5), ("主办单位", 1), ("定价", 0.5),
    ),
    K.JOURNAL_TOC: (
        ("本期目录", 1), ("篇名", 1.5), ("页码", 1),
    ),
    K.ARTICLE: (
        ("摘要", 3), ("关键词", 3), ("中图分类号", 3), ("文献标志码", 2.5), ("文献标识码", 2.5),
        ("文章编号", 2), ("引言", 1.5), ("收稿日期", 2), ("责任编辑", 1), ("基金项目", 1),
        ("作者简介", 1), ("本文", 1),
    ),
    K.CONTRACT_COVER: (
        ("合同书", 2.5), ("合同编号", 1), ("甲方(发包人)", 2), ("乙方(承包人)", 2),
        ("发包人", 1), ("承包人", 1), ("签订日期", 2), ("签订地点", 2), ("合同名称", 1.5),
        ("民法典", 1.5), ("协商一致后订立", 1.5), ("全面履行", 1),
    ),
    K.CONTRACT_AMOUNT: (
        ("合同价款", 3), ("合同金额", 2), ("大写", 1), ("人民币", 1), ("工程概况", 2),
        ("合同工期", 2), ("付款方式", 2), ("预付款", 1.5), ("质量保证金", 1.5),
        ("固定总价", 1.5),
    ),
    K.CONTRACT_PARTICIPANTS: (
        ("项目主要参加人员", 4), ("参加人员", 2), ("主要工作内容", 2), ("角色/职务", 2),
        ("角色", 1), ("序号", 1.5), ("项目负责人", 1.5), ("技术负责人", 1.5), ("上述人员", 1.5),
        ("派驻", 1), ("项目名称", 1),
    ),
    K.CONTRACT_SEAL: (
        ("盖章", 2.5), ("法定代表人", 2.5), ("委托代理人", 2), ("以下无正文", 3),
        ("违约责任", 2), ("违约金", 1.5), ("其他约定", 1.5), ("签字", 1), ("补充协议", 1),
        ("争议", 1), ("一式", 1),
    ),
    K.OTHER: (
        ("参保", 2.5), ("社会保险", 2.5), ("缴费", 2), ("养老保险", 2), ("失业保险", 1),
        ("工伤保险", 1), ("参保缴费证明", 2), ("累计缴费", 1),
    ),
}

_CAPITALS = "零壹贰叁肆伍陆柒捌玖拾佰仟万亿"

# Regexes over the whitespace-free text, as (pattern, weight).
_REGEXES: dict[PageKind, tuple[tuple[re.Pattern[str], float], ...]] = {
    K.ID_CARD: ((re.compile(r"(?<!\d)\d{17}[\dX](?![\dX])"), 0.5),),
    K.DEGREE_CERTIFICATE: (
        (re.compile(r"[学硕博]士学位证书"), 1), (re.compile(r"授予.{0,8}学位"), 2),
    ),
    K.AWARD_CERTIFICATE: ((re.compile(r"[一二三特]等奖"), 1.5),),
    K.PATENT_CERTIFICATE: ((re.compile(r"ZL\d{4}"), 2),),
    K.JOURNAL_TOC: ((re.compile(r"目[次录]"), 3),),
    K.CONTRACT_AMOUNT: (
        (re.compile(rf"[{_CAPITALS}]{{2,}}[元圆]"), 2.5),
        (re.compile(r"[¥￥]\d[\d,]*(\.\d\d)?"), 1.5),
    ),
}

_ISSN = re.compile(r"(?:(ISSN):?|(?<![\dA-Za-z-]))(\d{4})-(\d{3})([\dX])(?![\d-])")
_CN = re.compile(r"(?<!\d)\d{2}-?\d{4}/[A-Z]{1,2}")  # OCR may drop the hyphen
_AUTHOR_LINE = re.compile(  # 2-4 character names, separated by commas or what OCR makes of them
    r"[\u4e00-\u9fff]{2,4}\d?(?:\s*[,、|\"”“]\s*[\u4e00-\u9fff]{2,4}\d?)+")
_IMPRINT = ("主管单位", "编辑出版", "主编", "出版日期", "编辑部", "邮政编码", "本刊声明",
            "本刊已许可")
_TOC_HEADING = re.compile(r"(本期)?[目日月自][次录]")  # a heading; OCR may read 目 as 日, 月, 自
_ISSUE = re.compile(r"第\d{1,3}期")
_SERIAL_ISSUE = re.compile(r"总第\d{1,4}期")
_NUMBER_TOKEN = re.compile(r"\d{1,3}")
_LINE_END_NUMBER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff](\d{1,3})$")
_WHITESPACE = re.compile(r"\s+")

MAX_PAGE_NUMBERS = 200
"""Only this many standalone numbers of a page are looked at for rising page numbers."""

SHORT_PAGE_CHARS = 350
"""A page with ISSN and CN and fewer characters than this looks like a journal cover."""


@dataclass(frozen=True, slots=True)
class _Text:
    """A page's text in the forms the cues look at."""

    flat: str  # NFKC, no whitespace (for phrases and regexes)
    lines: tuple[str, ...]  # NFKC lines, stripped, non-empty (for layout cues)


def normalise(text: str) -> str:
    r"""``text`` after NFKC with every run of whitespace removed.

    >>> normalise("毕 业 证 书\n准 予毕业（本科）")
    '毕业证书准予毕业(本科)'
    """
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text))


def _prepare(text: str) -> _Text:
    nfkc = unicodedata.normalize("NFKC", text)
    lines = tuple(s for s in (line.strip() for line in nfkc.splitlines()) if s)
    return _Text(flat=_WHITESPACE.sub("", nfkc), lines=lines)


def _one_misread(word: str) -> re.Pattern[str]:
    """A regex for ``word`` with any one of its characters misread."""
    return re.compile("|".join(re.escape(word[:i]) + "." + re.escape(word[i + 1:])
                               for i in range(len(word))))


# Four-character document titles: too short for a fuzzy ratio, but worth matching with one
# character misread (OCR gives 汞誉证书 for 荣誉证书).
_TITLES = {word: _one_misread(word) for word in (
    "毕业证书", "学位证书", "获奖证书", "荣誉证书", "专利证书", "学时证明", "继续教育", "任职资格",
)}


def _phrase_score(phrase: str, flat: str) -> float:
    """1 for an exact match, ``FUZZY_DISCOUNT`` for a close one, else 0."""
    if phrase in flat:
        return 1.0
    title = _TITLES.get(phrase)
    if title is not None and title.search(flat):
        return FUZZY_DISCOUNT
    if len(phrase) >= FUZZY_MIN_LEN and fuzz.partial_ratio(
            phrase, flat, score_cutoff=FUZZY_CUTOFF):
        return FUZZY_DISCOUNT
    return 0.0


def _page_numbers(lines: Sequence[str]) -> list[int]:
    """Numbers of 1–3 digits standing alone, or ending a line of CJK text (TOC page numbers)."""
    out: list[int] = []
    for line in lines:
        out += [int(tok) for tok in line.split() if _NUMBER_TOKEN.fullmatch(tok)]
        m = _LINE_END_NUMBER.search(line)
        if m:
            out.append(int(m.group(1)))
    return out


def _rising(numbers: Sequence[int]) -> list[int]:
    """The longest strictly rising run of ``numbers`` (not necessarily contiguous)."""
    best: list[list[int]] = []
    for i, n in enumerate(numbers):
        prev = [best[j] for j in range(i) if numbers[j] < n]
        best.append([*max(prev, key=len, default=[]), n])
    return max(best, key=len, default=[])


def _has_issn(flat: str) -> bool:
    """Whether ``flat`` prints an ISSN: after ``ISSN``, or bare with a valid check digit."""
    for m in _ISSN.finditer(flat):
        if m.group(1):
            return True
        digits = m.group(2) + m.group(3)
        check = -sum(int(d) * w for d, w in zip(digits, range(8, 1, -1), strict=True)) % 11
        if m.group(4) == ("X" if check == 10 else str(check)):
            return True
    return False


def _journal_cues(t: _Text, scores: dict[PageKind, float]) -> None:
    """ISSN, CN, 第N期, page-number and author-line evidence for the journal kinds.

    A table of contents has a heading line 目次 or 目录, page numbers that rise down the
    page (not 1, 2, 3, … as in a numbered table) and lines of authors separated by commas.
    A cover has little but the journal's ISSN and CN: they count most for it on a short
    page, or on one of middling length with none of the imprint's fields (主管单位, 主编,
    出版日期, …) and no real evidence of a table of contents or an article.
    """
    if any(_TOC_HEADING.match(normalise(line)) for line in t.lines):
        scores[K.JOURNAL_TOC] += 1.5
    rising = _rising(_page_numbers(t.lines)[:MAX_PAGE_NUMBERS])
    if len(rising) >= 3 and rising != list(range(rising[0], rising[0] + len(rising))):
        scores[K.JOURNAL_TOC] += min(4.0, 1.0 * len(rising))
    author_lines = sum(bool(_AUTHOR_LINE.fullmatch(line)) for line in t.lines)
    if author_lines >= 2:
        scores[K.JOURNAL_TOC] += min(4.0, 1.0 * author_lines)

    has_issn, has_cn = _has_issn(t.flat), bool(_CN.search(t.flat))
    ids = has_issn + has_cn
    if ids and len(t.flat) < SHORT_PAGE_CHARS:
        scores[K.JOURNAL_COVER] += 2.0
    if (ids and len(t.flat) < 2 * SHORT_PAGE_CHARS
            and max(scores[K.JOURNAL_TOC], scores[K.ARTICLE]) < MIN_SCORE
            and not any(_phrase_score(word, t.flat) for word in _IMPRINT)):
        scores[K.JOURNAL_COVER] += 2.5
    scores[K.JOURNAL_COVER] += 1.5 * ids + (1.0 if ids == 2 else 0.0)
    scores[K.JOURNAL_COPYRIGHT] += 1.0 * ids
    scores[K.ARTICLE] += 0.5 * ids
    scores[K.JOURNAL_TOC] += 0.3 * ids
    if _ISSUE.search(t.flat):
        for kind in (K.JOURNAL_COVER, K.JOURNAL_TOC, K.JOURNAL_COPYRIGHT, K.ARTICLE):
            scores[kind] += 0.5
    if _SERIAL_ISSUE.search(t.flat):
        scores[K.JOURNAL_COVER] += 1.0


def _ce_cues(t: _Text, scores: dict[PageKind, float]) -> None:
    """Several 学时 figures make a continuing-education certificate."""
    if t.flat.count("学时") >= 2:
        scores[K.CE_CERTIFICATE] += 1.5


_EXTRA_CUES: tuple[Callable[[_Text, dict[PageKind, float]], None], ...] = (
    _journal_cues, _ce_cues,
)


def score_page(text: str) -> dict[PageKind, float]:
    """The evidence for each kind (except ``unknown``) in ``text``; 0 means none."""
    t = _prepare(text)
    scores = {kind: 0.0 for kind in _PHRASES}
    if not t.flat:
        return scores
    lower = t.flat.lower()
    for kind, phrases in _PHRASES.items():
        for phrase, weight in phrases:
            haystack = lower if phrase.isascii() else t.flat
            scores[kind] += weight * _phrase_score(phrase, haystack)
    for kind, patterns in _REGEXES.items():
        for pattern, weight in patterns:
            if pattern.search(t.flat):
                scores[kind] += weight
    for cue in _EXTRA_CUES:
        cue(t, scores)
    return scores


def classify_page(text: str) -> tuple[PageKind, float]:
    """The kind of a page from its text, and a confidence in [0, 1].

    The kind with the most evidence wins. Confidence grows with that evidence (full at
    ``STRONG_SCORE``) and with its margin over the runner-up. With less than ``MIN_SCORE``
    of evidence for any kind the page is ``other``, with a low confidence.

    Args:
        text: the page's text layer or OCR text; whitespace and full-width forms are free.

    Returns:
        ``(kind, confidence)``; never ``PageKind.UNKNOWN``.
    """
    scores = score_page(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best_kind, best), (_, second) = ranked[0], ranked[1]
    if best < MIN_SCORE:
        return K.OTHER, round(0.3 * (1.0 - best / MIN_SCORE), 3)
    margin = (best - second) / best
    strength = min(1.0, best / STRONG_SCORE)
    confidence = round(strength * (0.4 + 0.6 * margin), 3)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("page kind %s (%.3f): %s", best_kind, confidence,
                  ", ".join(f"{k}={v:.1f}" for k, v in ranked[:3]))
    return best_kind, confidence


_PAPER_ORDER = {K.JOURNAL_COVER: 0, K.JOURNAL_COPYRIGHT: 1, K.JOURNAL_TOC: 2, K.ARTICLE: 3}
_CONTRACT_ORDER = {K.CONTRACT_COVER: 0, K.CONTRACT_AMOUNT: 1, K.CONTRACT_PARTICIPANTS: 2,
                   K.CONTRACT_SEAL: 3}
_MERGED = (K.OTHER, K.UNKNOWN)


def _continues(prev: PageKind, kind: PageKind, gap: int = 0) -> bool:
    """Whether a page of ``kind`` after one of ``prev`` belongs to the same document.

    ``gap`` unread pages (``other`` or ``unknown``) lie between the two; they may only lie
    inside a set, which must leave room for them (a missing part for each) unless they lie
    inside an article.
    """
    for order in (_PAPER_ORDER, _CONTRACT_ORDER):
        if prev in order and kind in order:
            return order[kind] - order[prev] > gap or (kind == prev == K.ARTICLE)
    return gap == 0 and kind == prev and kind in _MERGED


def split_documents(kinds: Sequence[PageKind]) -> list[tuple[int, int]]:
    """Split a volume's pages into documents by their kinds.

    Rules, applied to each page against the page before it:

    - A journal paper set runs cover → copyright → toc → article: a page continues the
      current set when its kind comes later in that order than the page before's. Any
      part may be missing (copyright → article continues; article → cover starts a new
      set), and consecutive article pages belong to one article.
    - A contract set likewise runs cover → amount → participants → seal, strictly forward.
    - Every certificate page (ID card, diplomas, registration, certification, title, award,
      patent, continuing education) is a document of its own.
    - Consecutive ``other`` pages are one document, as are consecutive ``unknown`` pages.
    - Except: a run of ``other``/``unknown`` pages between two pages of one set belongs to
      that set when the set has a missing part for each of them (cover, other, toc: the
      other page is the copyright page, unread) or when it lies between article pages.

    Args:
        kinds: the kind of each page, in page order.

    Returns:
        ``(start, end)`` page ranges, zero-based and half-open, covering every page in
        order; empty for no pages.
    """
    out: list[tuple[int, int]] = []
    start, pageno = 0, 1
    while pageno < len(kinds):
        run_end = pageno
        while run_end < len(kinds) and kinds[run_end] in _MERGED:
            run_end += 1
        if (pageno < run_end < len(kinds)
                and _continues(kinds[pageno - 1], kinds[run_end], gap=run_end - pageno)):
            pageno = run_end + 1  # the unread run and the page after it stay in the set
            continue
        if not _continues(kinds[pageno - 1], kinds[pageno]):
            out.append((start, pageno))
            start = pageno
        pageno += 1
    if kinds:
        out.append((start, len(kinds)))
    return out
