"""The dossier generator: determinism, planted defects, truth that agrees with the files."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image

from checks import check_declaration
from checks.policy import Policy
from extractors.declaration import parse_declaration
from extractors.photo import measure_photo
from fixtures.generate import coverage, generate, main, plan_batch
from fixtures.make_sample import jsonable, yaml_text
from model.rules import SEVERITY
from model.truth import Medium, Truth

# Rules that need only the declaration (and the photo, measured separately).
DECLARATION_CODES = {"APP002", "APP003", "APP004", "APP005", "ID001", "ID002", "TEN001",
                     "CE001", "CE002", "CE003", "CE004", "AS001", "SCR001", "SCR002",
                     "SCR004", "INT001", "INT002", "INT003", "INT004"}


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_thirty_applicants_plant_every_catalog_code(seed: int) -> None:
    """This test ensures that a 30-applicant plan plants every rule code and keeps some clean."""
    plans = plan_batch(30, seed, 0.4)
    planted = {e.code for p in plans for e in p.expects if not e.optional}
    assert planted == set(SEVERITY)
    assert sum(1 for p in plans if not p.expects) >= 5


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_declaration_truth_agrees_with_the_declaration_rules(seed: int, policy: Policy) -> None:
    """This test ensures that the truth's declaration-only codes are what the rules raise."""
    for plan in plan_batch(30, seed, 0.4):
        if plan.decl_raw is not None or "id_number" not in plan.decl["applicant"]:
            continue  # APP001: the rules do not run
        text = (yaml_text(plan.decl, "test") if plan.decl_file.endswith(".yaml")
                else json.dumps(jsonable(plan.decl), ensure_ascii=False))
        declaration = parse_declaration(text, plan.decl_file)
        assert declaration.application is not None, (plan.key, declaration.findings)
        result = check_declaration(declaration.application, policy, None)
        raised = {f.code for f in result.findings} & DECLARATION_CODES
        expected = {e.code for e in plan.expects if not e.optional} & DECLARATION_CODES
        assert raised == expected, (plan.key, plan.defects)
        assert result.mountain_bonus == plan.bonus, plan.key


def test_generation_is_deterministic(tmp_path: Path) -> None:
    """This test ensures that one seed gives byte-identical batches and truths."""
    generate(tmp_path / "a", 2, seed=5, scanned_share=0.6, jobs=1, progress=False)
    generate(tmp_path / "b", 2, seed=5, scanned_share=0.6, jobs=2, progress=False)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
    other = plan_batch(2, 6, 0.6)  # another seed, other people
    assert [p.person for p in other] != [p.person for p in plan_batch(2, 5, 0.6)]


def test_generate_refuses_an_existing_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                            ) -> None:
    """This test ensures that the generator never writes over an earlier batch."""
    (tmp_path / "batch").mkdir()
    assert main([str(tmp_path), "--applicants", "1"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_every_planted_defect_is_in_the_truth(generated: Path) -> None:
    """This test ensures that each applicant's planted defects are among its expected codes."""
    truth = Truth.load(generated / "truth.json")
    for key, a in truth.applicants.items():
        expected = {f.code for f in a.findings} | set(a.info_codes)
        assert set(a.defects) <= expected, key
        if not a.defects:
            assert not a.findings, key
        errors = any(f.severity == "error" and not f.optional for f in a.findings)
        assert (a.verdict == "fail") == errors
    planted, _ = coverage(truth)
    assert planted


def test_photos_have_exactly_the_planted_sizes(generated: Path, policy: Policy) -> None:
    """This test ensures that every photo on disk is as the truth says, and raises its codes."""
    from checks.identity import check_photo

    truth = Truth.load(generated / "truth.json")
    for key, a in truth.applicants.items():
        if a.zipped or a.photo is None or a.photo.filename is None:
            continue
        path = generated / "batch" / key / a.photo.filename
        with Image.open(path) as img:
            assert (img.format, img.width, img.height) == (a.photo.format, a.photo.width,
                                                           a.photo.height)
        assert path.stat().st_size == a.photo.bytes
        codes = {f.code for f in check_photo(measure_photo(path, a.photo.filename), policy)}
        assert codes == set(a.photo.codes), key


def test_files_in_truth_are_the_files_written(generated: Path) -> None:
    """This test ensures that truth.json lists every evidence file, and only those."""
    truth = Truth.load(generated / "truth.json")
    for key, a in truth.applicants.items():
        if a.zipped:
            with zipfile.ZipFile(generated / "batch" / f"{key}.zip") as z:
                names = {n.split("/", 1)[1] for n in z.namelist()}
        else:
            names = set(_files(generated / "batch" / key))
        names -= {"application.yaml", "application.json", "photo.jpg", "photo.png"}
        assert names == set(a.files), key


def test_born_digital_name_boxes_hold_the_name(generated: Path) -> None:
    """This test ensures that truth's name boxes on born-digital pages surround the name."""
    truth = Truth.load(generated / "truth.json")
    checked = 0
    for key, a in truth.applicants.items():
        for rel, f in a.files.items():
            if f.medium != Medium.BORN_DIGITAL or a.zipped:
                continue
            with pdfplumber.open(generated / "batch" / key / rel) as pdf:
                for p in f.pages:
                    page = pdf.pages[p.page - 1]
                    for n in p.names:
                        x0, top, x1, bottom = n.bbox
                        inside = "".join(c["text"] for c in page.chars
                                         if c["x0"] >= x0 - 2 and c["x1"] <= x1 + 2
                                         and c["top"] >= top - 2 and c["bottom"] <= bottom + 2)
                        assert a.name in inside or "ID004" in a.defects, (key, rel, p.page)
                        checked += 1
    assert checked > 0


def test_scanned_files_have_no_text_layer(generated: Path) -> None:
    """This test ensures that scanned uploads really are images (no text for a reader to take)."""
    truth = Truth.load(generated / "truth.json")
    seen = 0
    for key, a in truth.applicants.items():
        for rel, f in a.files.items():
            if f.medium != Medium.SCANNED or a.zipped:
                continue
            data = (generated / "batch" / key / rel).read_bytes()
            if data.startswith(b"%PDF"):
                with pdfplumber.open(io.BytesIO(data)) as pdf:
                    assert all(not page.chars for page in pdf.pages)
                    assert len(pdf.pages) == len(f.pages)
            else:
                with Image.open(io.BytesIO(data)) as img:
                    assert getattr(img, "n_frames", 1) == len(f.pages)
            seen += 1
    assert seen > 0


def test_phone_photos_may_be_stored_turned_with_an_exif_orientation() -> None:
    """This test ensures that an EXIF-tagged phone photo shows upright with the truth's boxes."""
    import random

    from PIL import ImageOps

    from fixtures.dossier.compose import FilePlan, write_drawn
    from fixtures.dossier.docs import DateStyle, Style, available_fonts

    plan = plan_batch(1, 3, 0.0)[0]
    doc = plan.doc("title")
    style = Style(layout=0, font=available_fonts()[0], date_style=DateStyle.CN)
    for seed in range(60):
        w = write_drawn(FilePlan("t.jpg", [doc], Medium.SCANNED, "jpg", phone=True),
                        {doc.doc_id: style}, random.Random(seed))
        if w.truth.note.startswith("EXIF"):
            break
    else:
        pytest.fail("no EXIF-tagged photo in 60 seeds")
    with Image.open(io.BytesIO(w.data)) as img:
        orientation = img.getexif().get(0x0112)
        assert orientation in (3, 6, 8)
        upright = ImageOps.exif_transpose(img)
        stored_size = img.size
    assert w.truth.pages[0].rotation == 0
    if orientation in (6, 8):
        assert upright.size == stored_size[::-1]
    x0, top, x1, bottom = w.truth.pages[0].names[0].bbox
    assert 0 <= x0 < x1 <= upright.width and 0 <= top < bottom <= upright.height
    # the name's box is darker than the page around it only in the upright picture
    box = upright.convert("L").crop((int(x0), int(top), int(x1), int(bottom)))
    assert box.getextrema()[0] < 100


def test_pages_carry_their_true_text(generated: Path) -> None:
    """This test ensures that every drawn page's truth holds its text, as a reader should get."""
    truth = Truth.load(generated / "truth.json")
    checked = 0
    for key, a in truth.applicants.items():
        for rel, f in a.files.items():
            if not f.pages or f.note in ("unreadable",):
                continue
            assert all(p.text.strip() for p in f.pages), (key, rel)
            if f.medium == Medium.BORN_DIGITAL and not a.zipped:
                with pdfplumber.open(generated / "batch" / key / rel) as pdf:
                    assert [p.extract_text() for p in pdf.pages] == [p.text for p in f.pages]
                checked += 1
    assert checked > 0
