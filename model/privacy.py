"""Masking personal data (ID numbers, names) before it reaches a log."""

from __future__ import annotations


def mask_id(id_number: str) -> str:
    """``33010619850312451X`` → ``3301**********451X``; short strings are fully masked."""
    s = id_number.strip()
    if len(s) < 10:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 8) + s[-4:]


def mask_name(name: str) -> str:
    """``王丽`` → ``王*``; ``欧阳娜娜`` → ``欧***``."""
    s = name.strip()
    return s[:1] + "*" * (len(s) - 1) if s else s
