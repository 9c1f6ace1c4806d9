"""Colour names for marks: the nearest of a few names people use for pens and highlighters.

Pure. Takes the colours PDF drawing gives (grey, RGB or CMYK components 0–1, as pdfplumber
returns them) or pixel colours (RGB 0–255).
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence

# Hue ranges (degrees, lower bound) of the chromatic names, checked in order.
_HUES = ((15.0, "red"), (40.0, "orange"), (70.0, "yellow"), (170.0, "green"),
         (260.0, "blue"), (300.0, "purple"), (345.0, "pink"), (360.0, "red"))
MIN_SATURATION = 0.25  # below this a colour is grey (black, grey or white by its value)


def to_rgb(colour: object) -> tuple[float, float, float] | None:
    """A PDF colour (pdfplumber's ``stroking_color`` / ``non_stroking_color``) as RGB 0–1.

    A 1-tuple is grey, a 3-tuple RGB, a 4-tuple CMYK; None, a pattern name (a string) or
    anything else gives None.
    """
    if isinstance(colour, int | float):
        colour = (colour,)
    if not isinstance(colour, Sequence) or isinstance(colour, str):
        return None
    try:
        comps = [float(c) for c in colour]
    except (TypeError, ValueError):
        return None
    if len(comps) == 1:
        return (comps[0], comps[0], comps[0])
    if len(comps) == 3:
        return (comps[0], comps[1], comps[2])
    if len(comps) == 4:
        c, m, y, k = comps
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None


def name_of(rgb: tuple[float, float, float]) -> str:
    """The nearest name of an RGB colour (components 0–1).

    >>> name_of((1.0, 0.93, 0.0)), name_of((0.85, 0.1, 0.1)), name_of((1.0, 0.5, 0.75))
    ('yellow', 'red', 'pink')
    """
    r, g, b = (min(1.0, max(0.0, v)) for v in rgb)
    h, s, v = colorsys.rgb_to_hsv(r, g, b)
    if s < MIN_SATURATION or v < 0.15:
        return "black" if v < 0.35 else "white" if v > 0.9 and s < 0.1 else "grey"
    hue = h * 360.0
    return next(name for bound, name in _HUES if hue < bound)


def name_of_pixel(rgb: Sequence[float]) -> str:
    """:func:`name_of` for a pixel colour with components 0–255."""
    return name_of((float(rgb[0]) / 255.0, float(rgb[1]) / 255.0, float(rgb[2]) / 255.0))
