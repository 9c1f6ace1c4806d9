#!/usr/bin/env bash
# Install everything Pingshen needs on Debian 12 (system packages, a venv, the project),
# then run it on the bundled sample batch. Safe to run again: it skips what is there.
#   scripts/setup.sh            install, then run the sample batch
#   scripts/setup.sh --no-run   install only
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="python3 python3-venv tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-osd
      fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-uming fonts-arphic-ukai poppler-utils qpdf
      libgl1 libglib2.0-0
      libtesseract-dev libleptonica-dev pkg-config g++ python3-dev
      libreoffice-calc-nogui chromium"
# libgl1 and libglib2.0-0: OpenCV, under the second OCR engine (RapidOCR); libtesseract-dev
# to python3-dev: tesserocr is built against the system's Tesseract, the one the tesseract
# command runs (its wheel brings another version); LibreOffice and Chromium: the tests open
# the xlsx and HTML outputs in the programs people use
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "[setup] installing system packages:$missing"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating the virtual environment .venv"
  python3 -m venv .venv
fi
echo "[setup] installing the project and its pinned dependencies into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip==25.3"
.venv/bin/python -m pip install -q --disable-pip-version-check --no-binary tesserocr \
  -e '.[dev]'

if [ "${1:-}" != "--no-run" ]; then
  echo "[setup] running: .venv/bin/pingshen run fixtures/sample-batch --out out/sample"
  .venv/bin/pingshen run fixtures/sample-batch --out out/sample
fi
