"""Reading evidence files: text layer, OCR with the real Tesseract, and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from extractors.files import list_evidence, sniff_bytes
from extractors.reading import read_document
from extractors.text import join_cjk
from model.report import TextSource
from tests._images import image_pdf, text_image, text_pdf


def codes(doc) -> list[str]:
    """The finding codes of a read document."""
    return [f.code for f in doc.findings]


def test_text_layer_is_read_without_ocr(tmp_path: Path, policy) -> None:
    """This test ensures that a born-digital PDF's pages come from the text layer, in order."""
    pdf = text_pdf(tmp_path / "a.pdf", ["工程师资格证书 持证人 王丽 证书编号 2016001",
                                        "第二页 浙江工业大学 电子信息工程 本科"])
    doc = read_document(pdf, "a.pdf", policy.reading)
    assert [p.page for p in doc.pages] == [1, 2]
    assert all(p.text_source == TextSource.TEXT for p in doc.pages)
    assert "王丽" in doc.pages[0].text and "浙江工业大学" in doc.pages[1].text
    assert doc.findings == ()
    assert len(doc.sha256) == 64


@pytest.mark.needs_tesseract
def test_scanned_pdf_page_is_ocrd(tmp_path: Path, policy) -> None:
    """This test ensures that a PDF page with no text layer is rasterised and OCR'd in Chinese."""
    img = text_image(["毕业证书", "学生 王丽 于二〇〇七年六月毕业"])
    doc = read_document(image_pdf(tmp_path / "scan.pdf", img), "scan.pdf", policy.reading)
    (page,) = doc.pages
    assert page.text_source == TextSource.OCR
    assert "毕业证书" in page.text and "王丽" in page.text
    assert page.confidence >= policy.reading.min_ocr_confidence
    assert "FILE006" not in codes(doc)


@pytest.mark.needs_tesseract
def test_jpeg_named_pdf_is_read_by_content(tmp_path: Path, policy) -> None:
    """This test ensures that a JPEG saved with a .pdf name is read as the image it is."""
    path = tmp_path / "cert.pdf"
    text_image(["职称证书 工程师"]).save(path, "JPEG", quality=90)
    doc = read_document(path, "cert.pdf", policy.reading)
    assert doc.media_type == "jpeg"
    assert "工程师" in doc.pages[0].text


@pytest.mark.needs_tesseract
def test_blank_scan_raises_file006(tmp_path: Path, policy) -> None:
    """This test ensures that a page with no readable text gets FILE006 with its page."""
    path = tmp_path / "blank.png"
    text_image([]).save(path)
    doc = read_document(path, "blank.png", policy.reading)
    assert codes(doc) == ["FILE006"]
    assert doc.findings[0].evidence[0].page == 1


def test_truncated_pdf_is_file001(tmp_path: Path, policy) -> None:
    """This test ensures that a truncated PDF becomes FILE001 and does not raise."""
    good = text_pdf(tmp_path / "good.pdf", ["王丽"]).read_bytes()
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(good[:200])
    doc = read_document(bad, "bad.pdf", policy.reading)
    assert codes(doc) == ["FILE001"]
    assert doc.pages == ()


def test_garbage_with_pdf_name_is_file001(tmp_path: Path, policy) -> None:
    """This test ensures that bytes that are no PDF at all under a .pdf name give FILE001."""
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"this is not a pdf\n" * 20)
    doc = read_document(bad, "x.pdf", policy.reading)
    assert codes(doc) == ["FILE001"]
    assert "PDF" in doc.findings[0].message


def encrypted_copy(src: Path, user_password: str) -> Path:
    """An AES-128 encrypted copy of ``src`` (owner password "owner") beside it."""
    writer = PdfWriter(clone_from=PdfReader(src))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    enc = src.with_name("enc.pdf")
    with enc.open("wb") as f:
        writer.write(f)
    return enc


def test_encrypted_pdf_is_file002(tmp_path: Path, policy) -> None:
    """This test ensures that a PDF needing a user password becomes FILE002."""
    enc = encrypted_copy(text_pdf(tmp_path / "plain.pdf", ["王丽"]), "secret")
    doc = read_document(enc, "enc.pdf", policy.reading)
    assert codes(doc) == ["FILE002"]


def test_owner_password_only_pdf_is_read(tmp_path: Path, policy) -> None:
    """This test ensures that a PDF with only an owner password opens and is read."""
    src = text_pdf(tmp_path / "plain.pdf", ["工程师资格证书 持证人 王丽 编号 2016001"])
    enc = encrypted_copy(src, "")
    doc = read_document(enc, "enc.pdf", policy.reading)
    assert doc.findings == ()
    assert "王丽" in doc.pages[0].text


def test_docx_is_file003_with_type_named(tmp_path: Path, policy) -> None:
    """This test ensures that an Office file becomes FILE003 naming the type."""
    path = tmp_path / "notes.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    doc = read_document(path, "notes.docx", policy.reading)
    assert codes(doc) == ["FILE003"]
    assert "ZIP" in doc.findings[0].message


def test_file_over_byte_limit_is_file004(tmp_path: Path, policy) -> None:
    """This test ensures that a file larger than the policy's byte limit is refused (FILE004)."""
    path = text_pdf(tmp_path / "a.pdf", ["王丽"])
    rule = policy.reading.model_copy(update={"max_file_bytes": 100})
    doc = read_document(path, "a.pdf", rule)
    assert codes(doc) == ["FILE004"]
    assert "max_file_bytes" in doc.findings[0].message


def test_sniff_knows_common_types() -> None:
    """This test ensures that file types are told by their first bytes."""
    assert sniff_bytes(b"%PDF-1.7\n")[0] == "pdf"
    assert sniff_bytes(b"\xff\xd8\xff\xe0")[0] == "jpeg"
    assert sniff_bytes(b"\x89PNG\r\n\x1a\n")[0] == "png"
    assert sniff_bytes(b"II*\x00")[0] == "tiff"
    assert sniff_bytes(b"\x00\x00\x00\x18ftypheic")[0] == "heic"
    assert sniff_bytes(b"hello")[0] is None


def test_list_evidence_skips_declaration_photo_and_hidden(tmp_path: Path) -> None:
    """This test ensures that evidence excludes the declaration, the photo and hidden files."""
    for name in ["application.yaml", "photo.jpg", ".DS_Store", "a.pdf", "sub/论文.pdf",
                 ".git/x.pdf"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"x")
    rels = [p.relative_to(tmp_path).as_posix() for p in list_evidence(tmp_path)]
    assert rels == ["a.pdf", "sub/论文.pdf"]


def test_join_cjk_keeps_latin_spaces() -> None:
    """This test ensures that spaces between CJK characters go and others stay."""
    assert join_cjk("王 丽 是 engineer at 杭 州") == "王丽是 engineer at 杭州"


@pytest.mark.needs_tesseract
def test_page_pdfplumber_cannot_see_is_still_read(policy) -> None:
    """This test ensures that a page pdfplumber misses (pdfplumber issue 297) is OCR'd, not lost.

    The file is from the public corpus: pypdf and PDFium see one page, pdfplumber none.
    """
    from tests.conftest import CORPUS

    path = CORPUS / "pdfplumber" / "issue-297-example.pdf"
    if not path.is_file():
        pytest.skip("the public corpus is not beside this checkout")
    doc = read_document(path, path.name, policy.reading)
    assert [p.page for p in doc.pages] == [1]
    assert doc.pages[0].text_source == TextSource.OCR


def test_pdf_without_pages_is_file001(tmp_path: Path, policy) -> None:
    """This test ensures that a valid PDF with zero pages is reported, not silently empty."""
    path = tmp_path / "empty.pdf"
    with path.open("wb") as f:
        PdfWriter().write(f)
    doc = read_document(path, "empty.pdf", policy.reading)
    assert codes(doc) == ["FILE001"]


def test_pdf_pypdf_refuses_is_read_through_the_other_libraries(tmp_path: Path, policy) -> None:
    """This test ensures that a PDF without xref or startxref still gives its text."""
    content = b"BT /F1 24 Tf 72 700 Td (Engineering certificate 2021) Tj ET"
    body = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
            b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
            b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
            b"4 0 obj << /Length " + str(len(content)).encode() + b" >> stream\n" + content +
            b"\nendstream endobj\n"
            b"5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF\n")
    path = tmp_path / "noxref.pdf"
    path.write_bytes(body)
    with pytest.raises(Exception, match="startxref"):
        PdfReader(path)
    doc = read_document(path, "noxref.pdf", policy.reading)
    assert codes(doc) == []
    assert [p.text_source for p in doc.pages] == [TextSource.TEXT]
    assert "Engineering certificate 2021" in doc.pages[0].text


def _fake_tesseract(tmp_path: Path, body: str) -> str:
    """A ``tesseract`` that runs ``body`` (sh) before the real one; its path."""
    import shutil

    real = shutil.which("tesseract")
    assert real is not None
    script = tmp_path / "tesseract"
    # only an OCR call (an image first) meets the fault, not `tesseract --version`
    script.write_text(f"#!/bin/sh\ncase \"$1\" in -*) ;; *) {body} ;; esac\n"
                      f"exec {real} \"$@\"\n", encoding="utf-8")
    script.chmod(0o755)
    return str(script)


@pytest.mark.needs_tesseract
@pytest.mark.parametrize(("body", "read"), [
    # killed by a signal the first time (a crash): tried again, the page is read
    ('[ -e "$0.crashed" ] || { touch "$0.crashed"; kill -SEGV $$; }', True),
    # an error exit (what a file Tesseract cannot take gives): not tried again
    ('echo "Error in pixReadStream" >&2; touch "$0.$$"; exit 1', False),
])
def test_a_crashed_tesseract_is_tried_again_and_an_error_exit_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, read: bool,
        tesseract_command: None) -> None:
    """This test ensures that only a Tesseract killed by a signal gets a second try."""
    import pytesseract

    from extractors._exec import tesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd",
                        _fake_tesseract(tmp_path, body))
    img = text_image(["专业技术资格证书", "姓名：王丽"])
    if read:
        words = tesseract.image_to_words(img, "chi_sim", timeout=60)
        assert "王丽" in "".join(w.text for w in words)
        assert (tmp_path / "tesseract.crashed").exists()
    else:
        with pytest.raises(tesseract.OcrFailedError, match="pixReadStream"):
            tesseract.image_to_words(img, "chi_sim", timeout=60)
        assert len(list(tmp_path.glob("tesseract.*"))) == 1  # run once only


def test_a_scan_above_the_policy_dpi_is_read_at_it(tmp_path: Path, policy,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A 300 dpi scan is OCR'd at the policy's 200 dpi; its words stay in the scan's pixels."""
    from PIL import Image

    from extractors._exec import tesseract

    seen: list[tuple[int, int]] = []
    real = tesseract.image_to_words

    def recording(image, *args, **kwargs):  # the real OCR, its image's size noted
        seen.append(image.size)
        return real(image, *args, **kwargs)

    monkeypatch.setattr(tesseract, "image_to_words", recording)
    scan = text_image(["毕业证书", "学生 王丽 于二〇〇七年六月毕业"], size=(1860, 600), font_px=66)
    scan.save(tmp_path / "scan300.png", dpi=(300, 300))
    # the same page as the reader makes it at 200 dpi, saved so: read as it is
    scan.resize((1240, 400), Image.Resampling.LANCZOS).save(tmp_path / "scan200.png",
                                                             dpi=(200, 200))
    assert policy.reading.dpi == 200
    at300 = read_document(tmp_path / "scan300.png", "scan300.png", policy.reading)
    at200 = read_document(tmp_path / "scan200.png", "scan200.png", policy.reading)
    assert seen[0] == (1240, 400) and seen[-1] == (1240, 400)  # 2/3 of the scan, both
    assert "毕业证书" in at300.pages[0].text.replace(" ", "")
    assert at300.pages[0].text == at200.pages[0].text
    assert len(at300.pages[0].words) == len(at200.pages[0].words)
    for big, small in zip(at300.pages[0].words, at200.pages[0].words, strict=True):
        assert big.bbox == pytest.approx(tuple(v * 1.5 for v in small.bbox), abs=1e-6)
