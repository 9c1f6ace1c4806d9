"""Benchmark (run by hand): does small print read as well at 150 dpi as at 200 dpi?

    OMP_THREAD_LIMIT=1 .venv/bin/python benchmarks/small_print.py

One A4 page of Chinese contract and certificate sentences per type size (6.5, 7.5, 8.5 and
10.5 pt, WenQuanYi Zen Hei), rendered by PDFium at 150 and 200 dpi, turned to its brightest
channel and read by ``read_upright`` (chi_sim); character accuracy against the drawn text.

Measured 2026-11-26 (2 cores): 6.5 pt 0.959 / 0.968, 7.5 pt 0.962 / 0.968, 8.5 pt
0.962 / 0.981, 10.5 pt 0.967 / 0.975 (150 / 200 dpi): 200 dpi reads small print better,
so it stays the default although 150 dpi read mixed layouts in a better order
(benchmarks/preprocess.py).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from reportlab.pdfgen import canvas

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import pypdfium2 as pdfium
from rapidfuzz.distance import Levenshtein
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from extractors import preprocess
from extractors._exec import upright
from generators import fonts

LINES = [
    "本合同价款为固定总价，已包括设备材料费、安装调试费、人工费、措施费、税金及乙方为完成"
    "本工程所需的一切费用。",
    "注：上述人员为乙方派驻本项目的主要技术和管理人员，均为乙方正式职工，未经甲方书面同意"
    "不得更换。",
    "证书编号：103371200405003127，发证日期二〇二一年六月三十日，发证机关浙江省人力资源和"
    "社会保障厅。",
]
SIZES = (6.5, 7.5, 8.5, 10.5)
WIDTH = 480  # points of text per line


def _page(size: float) -> bytes:
    """An A4 PDF: the sentences four times over, wrapped, in ``size`` pt."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setFont("Z", size)
    y = 780.0
    for _ in range(4):
        for sentence in LINES:
            cur = ""
            for ch in sentence:
                if pdfmetrics.stringWidth(cur + ch, "Z", size) > WIDTH:
                    c.drawString(60, y, cur)
                    y -= size * 1.6
                    cur = ""
                cur += ch
            c.drawString(60, y, cur)
            y -= size * 1.6
    c.save()
    return buf.getvalue()


def main() -> None:
    """Print the accuracy per type size at 150 and 200 dpi."""
    pdfmetrics.registerFont(TTFont("Z", str(fonts.font_path()), subfontIndex=0))
    truth = "".join(LINES) * 4
    for size in SIZES:
        doc = pdfium.PdfDocument(_page(size))
        out = []
        for dpi in (150, 200):
            img = doc[0].render(scale=dpi / 72).to_pil().convert("RGB")
            read = upright.read_upright(preprocess.max_channel(img), "chi_sim", timeout=120,
                                        dpi=dpi)
            got = "".join(w.text for w in read.words)
            out.append(f"{dpi} dpi {1 - Levenshtein.distance(got, truth) / len(truth):.3f}")
        print(f"{size} pt: " + ", ".join(out))


if __name__ == "__main__":
    main()
