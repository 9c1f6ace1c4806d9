"""What was measured of the ID photo (证件照), for the PH rules."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PhotoInfo:
    """Measurements of the photo file; image fields are None when it could not be decoded.

    ``border_min_mean`` is the mean over the background sample (top band and upper side
    bands) of min(R, G, B); ``border_spread_mean`` the mean of max − min there. White has a
    high min and a small spread.
    """

    file: str
    format: str | None
    bytes: int
    width: int | None = None
    height: int | None = None
    border_min_mean: float | None = None
    border_spread_mean: float | None = None
