"""Masking personal data for logs."""

from __future__ import annotations

from model.privacy import mask_id, mask_name


def test_mask_id_keeps_four_and_four() -> None:
    """This test ensures that an ID number shows only its first and last four characters."""
    assert mask_id("33010619850312451X") == "3301**********451X"
    assert mask_id(" 11010519491231002x ".upper()) == "1101**********002X"


def test_mask_id_hides_short_strings_entirely() -> None:
    """This test ensures that a too-short value is masked completely."""
    assert mask_id("12345") == "*****"


def test_mask_name_keeps_family_name() -> None:
    """This test ensures that only the first character of a name is shown."""
    assert mask_name("王丽") == "王*"
    assert mask_name("欧阳娜娜") == "欧***"
