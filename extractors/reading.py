"""Read one evidence file into pages of text: the text layer where there is one, OCR where not.

Problems with the file become findings on the returned DocumentRead (FILE001–FILE004,
FILE006); nothing here raises for bad input.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import itertools
import logging
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from checks.policy import ReadingRule
from extractors import files, kinds, marks_image, orient, preprocess, reread, text, textlayer
from extractors._backends import pdf
from extractors._exec import isolated as isolated_exec
from extractors._exec import tesseract, upright
from model.errors import (
    FileProblemError,
    UnreadableFileError,
    UnsafeFileError,
    UnsupportedTypeError,
)
from model.report import (
    BBox,
    DocumentRead,
    Evidence,
    Finding,
    PageKind,
    PageRead,
    TextSource,
    Word,
)
from model.rules import finding

log = logging.getLogger(__name__)

T = TypeVar("T")


def sha256_of(path: Path) -> str:
    """Hex sha256 of the file's bytes, read in chunks."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_document(path: Path, rel: str, rule: ReadingRule, *, isolated: bool = False,
                  sha256: str | None = None,
                  reader: Callable[..., Iterator[PageRead | Finding]] | None = None
                  ) -> DocumentRead:
    """Read ``path`` (shown as ``rel``) page by page under the policy's reading rule.

    With ``isolated``, the reading runs in a child process (:mod:`extractors._exec.isolated`):
    a file on which no page finishes within ``rule.stall_timeout_s`` is stopped (FILE004),
    one that crashes the reader or passes ``rule.max_reader_memory_mb`` is FILE001 or
    FILE004; either way the pages read before are kept. A reader killed by a signal (Tesseract
    crashing inside it, the OOM killer) is transient: the file is read once more from the
    start (:data:`tesseract.CRASH_RETRIES`), as a crashed ``tesseract`` command is. The batch
    reads every file so.

    ``reader``: what the child runs, ``read_events`` unless given (tests give one that
    crashes).
    """
    digest = sha256 or sha256_of(path)  # ``sha256``: the caller hashed the file already
    sniffed = files.sniff(path)
    target = reader or read_events
    for attempt in range(tesseract.CRASH_RETRIES + 1):
        pages: list[PageRead] = []
        findings: list[Finding] = []
        stopped = False
        if isolated:
            limits = isolated_exec.Limits(stall_s=rule.stall_timeout_s,
                                          memory_bytes=rule.max_reader_memory_mb << 20)
            events = isolated_exec.stream_isolated(target, (path, rel, rule, sniffed), limits,
                                                   label=rel)
        else:
            events = target(path, rel, rule, sniffed)
        try:
            for event in events:
                if isinstance(event, PageRead):
                    pages.append(event)
                elif isinstance(event, Finding):
                    findings.append(event)
        except isolated_exec.IsolatedError as e:
            if (isinstance(e, isolated_exec.ChildDiedError) and (e.exitcode or 0) < 0
                    and attempt < tesseract.CRASH_RETRIES):
                log.warning("the reading process was killed (%s) after %d pages; reading the "
                            "file again", e, len(pages))
                continue
            findings.append(_stopped(e, rel, len(pages), rule))
            stopped = True
        break
    return DocumentRead(file=rel, sha256=digest, media_type=sniffed.kind,
                        pages=tuple(classify_pages(pages)), findings=tuple(findings),
                        stopped=stopped)


def read_events(path: Path, rel: str, rule: ReadingRule, sniffed: files.Sniffed
                ) -> Iterator[PageRead | Finding]:
    """Each page as it is read, each with its findings after it; a file problem as a finding.

    Nothing raises for bad input: a library choking on a hostile file becomes FILE001.
    """
    try:
        kind = _accepted_kind(path, sniffed, rule)
        pages_iter = _read_pdf(path, rule) if kind == "pdf" else _read_image(path, rule)
        for page in pages_iter:
            yield page
            yield from _page_findings(page, rel, rule)
    except FileProblemError as e:
        yield finding(e.code, f"{rel}：{e.detail}", evidence=(Evidence(file=rel),))
    except MemoryError:
        yield _stopped(isolated_exec.ChildRaisedError("MemoryError", ""), rel, 0, rule)
    except Exception as e:  # a library choking on a hostile file: the batch goes on
        log.warning("unexpected error reading a file: %s", type(e).__name__, exc_info=True)
        msg = f"{rel}：文件无法读取（{type(e).__name__}）"
        yield finding("FILE001", msg, evidence=(Evidence(file=rel),))


def _stopped(e: isolated_exec.IsolatedError, rel: str, done: int, rule: ReadingRule) -> Finding:
    """The finding for a reading that did not finish; ``done`` pages were read before."""
    kept = f"，已读取的前 {done} 页保留" if done else ""
    evidence = (Evidence(file=rel, page=done + 1) if done else Evidence(file=rel),)
    if isinstance(e, isolated_exec.StalledError):
        log.warning("reading stalled after %d pages and was stopped", done)
        return finding("FILE004", f"{rel}：读取第 {done + 1} 页超过 {rule.stall_timeout_s:g} 秒"
                       f"无进展，已中止（stall_timeout_s）{kept}", evidence=evidence)
    if isinstance(e, isolated_exec.ChildRaisedError) and e.kind == "MemoryError":
        log.warning("reading ran out of its memory limit after %d pages", done)
        return finding("FILE004", f"{rel}：读取所需内存超过上限 {rule.max_reader_memory_mb} MB"
                       f"（max_reader_memory_mb），已中止{kept}", evidence=evidence)
    log.warning("reading failed after %d pages: %s", done, e)
    reason = e.kind if isinstance(e, isolated_exec.ChildRaisedError) else "读取进程异常退出"
    return finding("FILE001", f"{rel}：文件无法读取（{reason}）{kept}", evidence=evidence)


def _accepted_kind(path: Path, sniffed: files.Sniffed, rule: ReadingRule) -> str:
    size = path.stat().st_size
    if size > rule.max_file_bytes:
        raise UnsafeFileError(f"文件大小 {size} 字节，超过上限 {rule.max_file_bytes} 字节"
                              "（max_file_bytes）")
    if size == 0:
        raise UnreadableFileError("文件为空（0 字节）")
    if sniffed.kind in rule.accepted_types:
        return sniffed.kind
    if sniffed.kind is None and sniffed.expected in rule.accepted_types:
        raise UnreadableFileError(
            f"文件名表明是 {sniffed.expected.upper()}，但内容无法识别（文件损坏或并非该格式）")
    accepted = "、".join(t.upper() for t in rule.accepted_types)
    raise UnsupportedTypeError(f"不接受的文件类型：{sniffed.label}（接受 {accepted}）")


def _read_pdf(path: Path, rule: ReadingRule) -> Iterator[PageRead]:
    """Each page of a PDF, from whichever of pypdf, PDFium and pdfplumber can open it.

    Damaged files are common: one library refuses what another reads (a page tree that
    loops, a missing xref, a null /MediaBox). The page count is the largest any of them
    sees; a page's text layer comes from pdfplumber and its image from PDFium, and a page
    neither can give is kept, empty, with a note. Only a file that none of them opens is
    unreadable, with the first library's reason.
    """
    problems: list[UnreadableFileError] = []
    counts = []
    try:
        counts.append(pdf.page_count(path))
    except UnreadableFileError as e:
        problems.append(e)
    with contextlib.ExitStack() as stack:
        renderer = _try_open(stack, pdf.open_renderer, path, problems)
        layer = _try_open(stack, pdf.open_text_pages, path, problems)
        if renderer is None and layer is None:
            raise problems[0]
        if renderer is not None:
            counts.append(renderer.page_count())
        if layer is not None and (not counts or max(counts) <= rule.max_pages):
            counts.append(layer.page_count())
        total = max(counts)
        if total > rule.max_pages:
            raise UnsafeFileError(f"共 {total} 页，超过上限 {rule.max_pages} 页（max_pages）")
        if total == 0:
            raise problems[0] if problems else UnreadableFileError("PDF 中没有页面")
        layers = itertools.chain(layer if layer is not None else (),
                                 itertools.repeat(pdf.LayerPage(text="")))
        annotated = pdf.annotation_marks(path)
        for pageno, page_layer in zip(range(total), layers, strict=False):
            page = _pdf_page(pageno, page_layer, renderer, rule)
            marks = (*page.marks, *page_layer.marks, *annotated.get(pageno, ()))
            seals = (*page.seals, *page_layer.seals)
            yield dataclasses.replace(page, marks=marks, seals=seals) if marks or seals \
                else page


def _try_open(stack: contextlib.ExitStack,
              opener: Callable[[Path], contextlib.AbstractContextManager[T]], path: Path,
              problems: list[UnreadableFileError]) -> T | None:
    """``opener(path)`` entered on ``stack``, or None (the reason kept) when it cannot read.

    Raises:
        EncryptedPdfError: the library says a password is needed.
    """
    try:
        return stack.enter_context(opener(path))
    except UnreadableFileError as e:
        problems.append(e)
        return None


def _pdf_page(pageno: int, layer: pdf.LayerPage, renderer: pdf.PdfRenderer | None,
              rule: ReadingRule) -> PageRead:
    note = ""
    if text.visible_chars(layer.text) >= rule.min_text_chars:
        styles = renderer.char_styles(pageno) if _renders(renderer, pageno) else None
        problem = textlayer.text_layer_problem(layer.text, styles)
        if problem is None:
            return PageRead(page=pageno + 1, text=layer.text, text_source=TextSource.TEXT,
                            confidence=1.0, words=_layer_words(layer))
        note = f"文字层不可信（{problem}），已改用 OCR"
    if renderer is None or not _renders(renderer, pageno):
        return PageRead(page=pageno + 1, text="", text_source=TextSource.NONE, confidence=0.0,
                        note=note or "无可用文字层，且此页无法渲染")
    try:
        w, h = renderer.page_size(pageno)
        pixels = (w * rule.dpi / 72) * (h * rule.dpi / 72)
        if pixels > rule.max_page_pixels:
            raise UnsafeFileError(
                f"第 {pageno + 1} 页按 {rule.dpi} dpi 渲染为 {pixels:.0f} 像素，超过上限 "
                f"{rule.max_page_pixels}（max_page_pixels）")
        image = renderer.render(pageno, rule.dpi)
    except FileProblemError:
        raise
    except Exception as e:  # PDFium failing on one page: the others are still read
        log.warning("page %d could not be rendered: %s", pageno + 1, type(e).__name__)
        return PageRead(page=pageno + 1, text="", text_source=TextSource.NONE, confidence=0.0,
                        note=note or f"此页无法渲染（{type(e).__name__}）")
    page = _ocr_page(image, pageno + 1, rule, dpi=rule.dpi, unit=72 / rule.dpi)
    return dataclasses.replace(page, note=note) if note else page


def _renders(renderer: pdf.PdfRenderer | None, pageno: int) -> bool:
    return renderer is not None and pageno < renderer.page_count()


def _layer_words(layer: pdf.LayerPage) -> tuple[Word, ...]:
    return tuple(Word(text=t, bbox=box, conf=1.0, line=line)
                 for (t, box), line in zip(layer.words, layer.lines, strict=True))


def _read_image(path: Path, rule: ReadingRule) -> Iterator[PageRead]:
    Image.MAX_IMAGE_PIXELS = rule.max_page_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(path)
            img.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as e:
        raise UnsafeFileError(f"图像像素超过上限 {rule.max_page_pixels}（max_page_pixels）") from e
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as e:
        raise UnreadableFileError(f"图像无法解码：{type(e).__name__}: {e}"[:300]) from e
    with img:
        frames = getattr(img, "n_frames", 1)
        if frames > rule.max_pages:
            raise UnsafeFileError(f"共 {frames} 帧，超过上限 {rule.max_pages} 页（max_pages）")
        for index in range(frames):
            try:
                img.seek(index)
                frame = ImageOps.exif_transpose(img).convert("RGB")
            except (OSError, ValueError) as e:
                raise UnreadableFileError(f"第 {index + 1} 帧无法解码：{e}"[:300]) from e
            dpi = _dpi_of(img)
            if dpi is not None and dpi > rule.dpi * OVERSAMPLED:
                smaller, unit = _at_dpi(frame, dpi, rule.dpi)
                yield _ocr_page(smaller, index + 1, rule, dpi=rule.dpi, unit=unit)
            else:
                yield _ocr_page(frame, index + 1, rule, dpi=dpi, unit=1.0)


OVERSAMPLED = 1.2
"""An image declaring more than this times the policy's ``dpi`` is read at that ``dpi``."""


def _at_dpi(frame: Image.Image, dpi: int, wanted: int) -> tuple[Image.Image, float]:
    """``frame`` (scanned at ``dpi``) at ``wanted`` dpi, and its pixel in the source's.

    The policy's ``dpi`` is the resolution pages are read at (PDF pages are rendered at it):
    measured, 300 dpi read no better than 200 and took 41–55 % more CPU. A scan at 300 dpi
    is read at 200 as a PDF page is; its words are given back in the scan's own pixels.
    """
    f = wanted / dpi
    size = (max(1, round(frame.width * f)), max(1, round(frame.height * f)))
    return frame.resize(size, Image.Resampling.LANCZOS), frame.width / size[0]


def _dpi_of(img: Image.Image) -> int | None:
    """The resolution an image file declares, when it is plausible."""
    dpi = img.info.get("dpi")
    try:
        value = int(round(float(dpi[0]))) if dpi else 0
    except (TypeError, ValueError, IndexError):
        return None
    return value if 70 <= value <= 1200 else None


def _ocr_page(image: Image.Image, page: int, rule: ReadingRule, *, dpi: int | None = None,
              unit: float = 1.0) -> PageRead:
    """OCR one page image, turned upright and straightened first, words mapped back.

    ``unit`` converts the image's pixels to the page's own coordinates (72/dpi for a PDF
    page rendered at dpi, 1 for an image file).
    """
    try:
        # the brightest channel: highlighter, seals and pen marks fade, print stays dark
        # (benchmarks/preprocess.py: scanned pages 0.816 → 0.827, marked names 41 → 53/66);
        # unevenly lit pages (photos on a desk) also get their paper evened out
        ready = preprocess.flatten_light(image, below=preprocess.EVEN_LIGHT)
        read = upright.read_upright(ready, rule.ocr_lang,
                                    timeout=rule.page_timeout_s, dpi=dpi)
    except tesseract.OcrTimeoutError:
        log.warning("OCR of page %d ran past %s s and was cut off", page, rule.page_timeout_s)
        return PageRead(page=page, text="", text_source=TextSource.NONE, confidence=0.0,
                        timed_out=True)
    except tesseract.OcrFailedError as e:
        log.warning("OCR failed on page %d: %s", page, e)
        return PageRead(page=page, text="", text_source=TextSource.NONE, confidence=0.0)
    words = list(read.words)
    out = PageRead(page=page, text=text.words_to_text(words), text_source=TextSource.OCR,
                   confidence=text.mean_confidence(words), words=_ocr_words(words, unit),
                   rotation=read.quarter, skew=read.upright.skew)
    # the page turned upright once, for the second engine's crops and the marks
    up = orient.make_upright(image, out.rotation, out.skew)
    if rule.second_engine:
        out = reread.reread_page(image, out, unit, up)
    out = _image_marks(up, out, unit)
    if rule.second_engine:  # a name under a highlighter that Tesseract read nothing of
        out = reread.read_under_highlights(out, up, unit)
    return dataclasses.replace(out, skew=round(out.skew, 2))


def _image_marks(up: orient.Upright, page: PageRead, unit: float) -> PageRead:
    """The page with the marks and seals on its image (:mod:`extractors.marks_image`).

    They are looked for on ``up``, the page turned upright (where a line under a name is under
    it), with the typical height of its words, and given back in the page's coordinates.
    Never fails the page: a mark finder that breaks leaves the page without marks.
    """
    try:
        to_upright = np.linalg.inv(up.to_source)
        heights = [b[3] - b[1] for b in (orient.map_box(to_upright, tuple(v / unit for v in
                                                                          w.bbox))
                                         for w in page.words if len(w.text) >= 2)]
        height = float(np.median(heights)) if heights else min(up.image.size) / 60
        marks, seals = marks_image.find_marks(up.image, height)
    except Exception as e:
        log.warning("marks on page %d could not be read: %s", page.page, type(e).__name__)
        return page
    if not marks and not seals:
        return page

    def back(box: BBox) -> BBox:
        x0, top, x1, bottom = orient.map_box(up.to_source, box)
        return (x0 * unit, top * unit, x1 * unit, bottom * unit)

    return dataclasses.replace(
        page,
        marks=tuple(dataclasses.replace(m, bbox=back(m.bbox),
                                        parts=tuple(back(b) for b in m.parts))
                    for m in marks),
        seals=tuple(dataclasses.replace(s, bbox=back(s.bbox)) for s in seals))


def _ocr_words(words: list[tesseract.OcrWord], unit: float) -> tuple[Word, ...]:
    """Tesseract's words (boxes in the source image's pixels) in page coordinates, by line."""
    lines: dict[tuple[int, int, int, int], int] = {}
    out = []
    for w in words:
        x0, top, x1, bottom = w.bbox
        line = lines.setdefault(w.line_key, len(lines))
        out.append(Word(text=w.text, bbox=(x0 * unit, top * unit, x1 * unit, bottom * unit),
                        conf=w.conf, line=line))
    return tuple(out)


def _page_findings(page: PageRead, rel: str, rule: ReadingRule) -> list[Finding]:
    evidence = (Evidence(file=rel, page=page.page),)
    if page.timed_out:
        return [finding("FILE004", f"{rel} 第 {page.page} 页识别超过 {rule.page_timeout_s:g} 秒"
                        "被中止（page_timeout_s），其余页面照常处理", evidence=evidence)]
    if page.text_source == TextSource.TEXT or page.confidence >= rule.min_ocr_confidence:
        return []
    if page.text_source == TextSource.NONE:
        why = page.note or "OCR 失败"
    elif not page.text:
        why = "未识别出文字"
    else:
        why = f"识别置信度 {page.confidence:.2f} 低于 {rule.min_ocr_confidence:.2f}"
    return [finding("FILE006", f"{rel} 第 {page.page} 页文字无法可靠识别：{why}",
                    evidence=evidence)]


def classify_pages(pages: list[PageRead]) -> list[PageRead]:
    """Each page's kind with its confidence, and the document of the file it belongs to."""
    out = []
    for p in pages:
        kind, conf = kinds.classify_page(p.text) if p.text.strip() else (PageKind.UNKNOWN, 0.0)
        out.append(dataclasses.replace(p, kind=kind, kind_confidence=conf))
    for part, (start, end) in enumerate(kinds.split_documents([p.kind for p in out])):
        for i in range(start, end):
            out[i] = dataclasses.replace(out[i], part=part)
    return out
