"""Tests of the synthetic ID photos in fixtures/dossier/photos.py against the real PH checks."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import pytest
from PIL import Image

from checks.identity import check_photo
from checks.policy import Policy
from extractors.photo import measure_photo
from fixtures.dossier.photos import CODES, PhotoFacts, PhotoVariant, make_photo

SEEDS = {PhotoVariant.BIG_BYTES: (0, 1)}  # the 1 MB photos are the slow ones
DEFAULT_SEEDS = (0, 1, 2, 3)


def _cases() -> list[tuple[PhotoVariant, int, str]]:
    return [
        (variant, seed, "女" if seed % 2 else "男")
        for variant in PhotoVariant
        for seed in SEEDS.get(variant, DEFAULT_SEEDS)
    ]


@cache
def _photo(variant: PhotoVariant, seed: int, gender: str = "男") -> tuple[bytes, PhotoFacts]:
    """make_photo, once per argument set in this session."""
    return make_photo(variant, seed, gender=gender)


def _write(tmp_path: Path, data: bytes, facts: PhotoFacts) -> Path:
    path = tmp_path / facts.filename
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("variant", "seed", "gender"), _cases())
def test_photo_triggers_exactly_its_codes(
    tmp_path: Path, policy: Policy, variant: PhotoVariant, seed: int, gender: str
) -> None:
    """This test ensures that each variant triggers exactly its PH codes under the real checks."""
    data, facts = _photo(variant, seed, gender)
    path = _write(tmp_path, data, facts)
    info = measure_photo(path, facts.filename)
    codes = tuple(f.code for f in check_photo(info, policy))
    assert codes == facts.codes == CODES[variant]


@pytest.mark.parametrize(("variant", "seed", "gender"), _cases())
def test_facts_are_what_is_on_disk(variant: PhotoVariant, seed: int, gender: str) -> None:
    """This test ensures that PhotoFacts states the file's real format, size and name."""
    data, facts = _photo(variant, seed, gender)
    with Image.open(io.BytesIO(data)) as im:
        assert (im.format, im.width, im.height) == (facts.format, facts.width, facts.height)
    assert facts.bytes == len(data)
    suffix = {"JPEG": ".jpg", "PNG": ".png"}[facts.format]
    assert facts.filename == f"photo{suffix}"


def test_photos_are_deterministic_and_vary_with_the_seed() -> None:
    """This test ensures that the same seed gives the same bytes and another seed others."""
    for variant in (PhotoVariant.VALID, PhotoVariant.PNG, PhotoVariant.SMALL_PIXELS):
        assert make_photo(variant, 0) == _photo(variant, 0)
        assert _photo(variant, 0)[0] != _photo(variant, 2)[0]
    assert _photo(PhotoVariant.VALID, 0)[0] != _photo(PhotoVariant.VALID, 0, "女")[0]


def test_valid_photos_vary_in_size_within_the_rules() -> None:
    """This test ensures that valid photos come in several legal sizes and file sizes."""
    facts = [_photo(PhotoVariant.VALID, seed)[1] for seed in range(12)]
    assert len({(f.width, f.height) for f in facts}) >= 4
    for f in facts:
        assert f.width > 215 and f.height > 300
        assert 0.65 <= f.width / f.height <= 0.8
        assert 35 * 1024 <= f.bytes <= 900 * 1024


def test_size_variants_sit_on_the_right_side_of_the_limits() -> None:
    """This test ensures that the size variants break their limit and keep the others."""
    for seed in DEFAULT_SEEDS:
        gender = "女" if seed % 2 else "男"
        small = _photo(PhotoVariant.SMALL_BYTES, seed, gender)[1]
        assert small.bytes <= 30 * 1024
        pixels = _photo(PhotoVariant.SMALL_PIXELS, seed, gender)[1]
        assert pixels.width <= 215 or pixels.height <= 300
        assert 30 * 1024 < pixels.bytes < 1024 * 1024
        ratio = _photo(PhotoVariant.BAD_RATIO, seed, gender)[1]
        assert not 0.65 <= ratio.width / ratio.height <= 0.8
    assert _photo(PhotoVariant.BIG_BYTES, 0)[1].bytes >= 1024 * 1024


def test_unknown_gender_is_refused() -> None:
    """This test ensures that a gender other than 男 or 女 is refused."""
    with pytest.raises(ValueError, match="gender"):
        make_photo(PhotoVariant.VALID, 0, gender="M")
