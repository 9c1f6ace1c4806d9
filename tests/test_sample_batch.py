"""Tests of the bundled sample batch (fixtures/sample-batch) and of its generator."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import chinese_calendar
import pytest
import yaml
from PIL import Image
from stdnum.cn import ric

from fixtures import make_sample
from model.application import Application
from model.report import Severity
from model.rules import SEVERITY

FIXTURES = Path(make_sample.__file__).parent
BATCH = FIXTURES / "sample-batch"
TRUTH = FIXTURES / "sample_truth.json"
APPLICANTS = ("a01-clean", "a02-defects", "a03-scanned")
DIPLOMA = BATCH / "a03-scanned" / "certificates" / "毕业证书.jpg"

needs_font = pytest.mark.skipif(
    not make_sample.CJK_FONT_PATH.is_file(), reason="fonts-wqy-zenhei is not installed"
)


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _application(key: str) -> Application:
    folder = BATCH / key
    yaml_file = folder / "application.yaml"
    if yaml_file.exists():
        return Application.model_validate(yaml.safe_load(yaml_file.read_text(encoding="utf-8")))
    data = json.loads((folder / "application.json").read_text(encoding="utf-8"))
    return Application.model_validate(data)


def _working_days(start: dt.date, end: dt.date) -> int:
    days = (end - start).days + 1
    return sum(chinese_calendar.is_workday(start + dt.timedelta(days=i)) for i in range(days))


@needs_font
def test_regeneration_is_byte_identical(tmp_path: Path) -> None:
    """This test ensures that make_sample rewrites the committed batch byte for byte."""
    make_sample.make_batch(tmp_path)
    fresh, committed = _files(tmp_path), _files(BATCH)
    assert sorted(fresh) == sorted(committed)
    changed = [name for name in fresh if fresh[name] != committed[name]]
    assert changed == []


def test_batch_is_small() -> None:
    """This test ensures that the sample batch stays under 3 MB in all."""
    total = sum(len(b) for b in _files(BATCH).values())
    assert total < 3 * 1024 * 1024


def test_batch_yaml() -> None:
    """This test ensures that batch.yaml names the 2022 policy."""
    data = yaml.safe_load((BATCH / "batch.yaml").read_text(encoding="utf-8"))
    assert data == {"policy": "zj-anfang-2022", "title": "示例批次"}


@pytest.mark.parametrize("key", APPLICANTS)
def test_application_validates(key: str) -> None:
    """This test ensures that each applicant's declaration validates as an Application."""
    app = _application(key)
    assert app.applicant.name
    assert len(app.applicant.id_number) == 18


def test_a03_uses_json() -> None:
    """This test ensures that a03 exercises application.json instead of YAML."""
    assert (BATCH / "a03-scanned" / "application.json").is_file()
    assert not (BATCH / "a03-scanned" / "application.yaml").exists()


def test_clean_photo_meets_the_rules() -> None:
    """This test ensures that a01's photo has the planted valid size, ratio and background."""
    path = BATCH / "a01-clean" / "photo.jpg"
    assert 30 * 1024 < path.stat().st_size < 1024 * 1024
    with Image.open(path) as im:
        assert im.format == "JPEG"
        w, h = im.size
        rgb = im.convert("RGB")
    assert (w, h) == (390, 520)
    assert w > 215 and h > 300
    assert 0.65 <= w / h <= 0.8
    top = rgb.crop((0, 0, w, h // 10))
    left = rgb.crop((0, 0, w // 10, h // 2))
    right = rgb.crop((w - w // 10, 0, w, h // 2))
    for band in (top, left, right):
        assert min(lo for lo, _ in band.getextrema()) >= 235


def test_defect_photo_is_small_and_square() -> None:
    """This test ensures that a02's photo is a JPEG too small in bytes and of the wrong ratio."""
    path = BATCH / "a02-defects" / "photo.jpg"
    assert path.stat().st_size <= 30 * 1024  # PH003
    with Image.open(path) as im:
        assert im.format == "JPEG"  # not PH002
        w, h = im.size
    assert w > 215 and h > 300  # not PH004
    assert not 0.65 <= w / h <= 0.8  # PH005


@pytest.mark.parametrize("key", ["a01-clean", "a03-scanned"])
def test_clean_id_numbers_are_valid(key: str) -> None:
    """This test ensures that the clean applicants' ID numbers agree with GB 11643 and the data."""
    a = _application(key).applicant
    assert ric.is_valid(a.id_number)
    assert ric.get_birth_date(a.id_number) == a.birth_date
    assert ("男" if int(a.id_number[16]) % 2 else "女") == a.gender


def test_defect_id_number_is_valid_but_gender_differs() -> None:
    """This test ensures that a02 plants ID002 only: a valid number, the other gender."""
    a = _application("a02-defects").applicant
    assert ric.is_valid(a.id_number)
    assert ric.get_birth_date(a.id_number) == a.birth_date
    assert ("男" if int(a.id_number[16]) % 2 else "女") != a.gender


@pytest.mark.parametrize(
    ("key", "days", "chars_over"),
    [("a01-clean", 5, False), ("a02-defects", 3, True), ("a03-scanned", 5, False)],
)
def test_planted_publicity_and_statement(key: str, days: int, chars_over: bool) -> None:
    """This test ensures that publicity lengths and self-statement lengths are as planted."""
    a = _application(key).applicant
    assert a.publicity is not None
    assert _working_days(a.publicity.start, a.publicity.end) == days
    assert a.publicity.end <= dt.date(2022, 10, 27)
    assert (len(re.sub(r"\s", "", a.self_statement)) > 1000) is chars_over


def test_truth_is_consistent() -> None:
    """This test ensures that sample_truth.json's verdicts and summaries follow its codes."""
    truth = json.loads(TRUTH.read_text(encoding="utf-8"))
    assert sorted(truth) == sorted(APPLICANTS)
    for key, t in truth.items():
        codes = t["codes"]
        assert codes == sorted(set(codes))
        severities = {SEVERITY[c] for c in codes}
        if Severity.ERROR in severities:
            expected = "fail"
        elif Severity.WARNING in severities:
            expected = "review"
        else:
            expected = "pass"
        assert t["verdict"] == expected, key
        assert t["interview_codes"] == [c for c in codes if c.startswith("INT")]
        assert ("SCR004" in codes) == (t["mountain_bonus"] > 0)
        for name, code in t["file_codes"].items():
            assert (BATCH / key / name).is_file()
            assert code.startswith("FILE")


@pytest.mark.needs_tesseract
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")
def test_scanned_diploma_is_legible() -> None:
    """This test ensures that Tesseract (chi_sim) reads the holder's name and school."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    result = subprocess.run(
        ["tesseract", str(DIPLOMA), "-", "-l", "chi_sim"],
        capture_output=True,
        check=True,
        env=env,
        timeout=120,
    )
    text = result.stdout.decode("utf-8")
    text = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", text)
    assert "王丽" in text
    assert "杭州电子科技大学" in text
