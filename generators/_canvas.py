"""A reportlab Canvas that draws on every page once the number of pages is known."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reportlab.pdfgen.canvas import Canvas

Decorate = Callable[[Canvas, int, int], None]
"""Draws on one page: (canvas, zero-based page number, number of pages)."""


def numbered_canvas(decorate: Decorate) -> type[Canvas]:
    """Return a Canvas class that holds its pages back and calls ``decorate`` on each at save.

    For 第i页/共n页: the total is only known when the document is done, so every page's
    state is kept, and at ``save`` each is drawn again with ``decorate`` on top.
    """

    class _NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for pageno, state in enumerate(self._pages):
                self.__dict__.update(state)
                self.saveState()
                decorate(self, pageno, total)
                self.restoreState()
                super().showPage()
            super().save()

    return _NumberedCanvas
