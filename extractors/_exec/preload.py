"""What the reading processes start with: imported once by their forkserver.

Each evidence file is read in a child forked from a server process
(:mod:`extractors._exec.isolated`). Whatever that server has loaded, every child has for
free; the second engine's models otherwise load in each child that meets a scanned page
(0.18 s a file). Forking after they are loaded is safe: the engine runs on the calling
thread only (one intra-op thread), checked by tests/test_isolated.py. Tesseract's library
loads the default policy's language here too (0.17 s a file otherwise), when pages are read
with it (:func:`extractors._exec.tesseract.in_process`); it starts no thread (one OpenMP
thread: OMP_THREAD_LIMIT=1).
"""

from __future__ import annotations

import logging

import extractors.reading  # noqa: F401 (the reading code, imported once)
from checks.policy import load_policy
from extractors._exec import rapid, tesseract

rapid.is_available()  # loads the models, or notes once that the engine is missing
try:
    tesseract.load(load_policy(None).reading.ocr_lang)
except tesseract.OcrFailedError as e:  # each page then says so, as without the preload
    logging.getLogger(__name__).warning("%s", e)

import cv2  # noqa: E402 (after the reading code, which imports it anyway)

cv2.setNumThreads(1)  # one thread a reading process, as Tesseract and the second engine have
