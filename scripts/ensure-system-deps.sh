#!/usr/bin/env bash
# The browser tests drive Debian's Chromium; the UI and the PDF forms need fonts with
# Vietnamese glyphs. Install what is missing when we are root, otherwise say exactly what to run.
# Never skip the browser tests silently.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
[ -f /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# WeasyPrint (the official forms as PDF) draws text with Pango.
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0.so.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
# Liberation Serif 2 has the Vietnamese letters of the signature box (1.07 lacks most).
[ -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] || missing+=(fonts-liberation2)
# SoftHSM2: the PKCS#11 token the signature tests initialise and sign with (issue 5).
[ -f /usr/lib/softhsm/libsofthsm2.so ] || missing+=(softhsm2)
# OCR of scanned documents (issue 4): Tesseract with the Vietnamese data, through ocrmypdf.
command -v ocrmypdf >/dev/null 2>&1 || missing+=(ocrmypdf)
[ -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata ] || missing+=(tesseract-ocr tesseract-ocr-vie)
# DOCX drafts → PDF (issue 4): LibreOffice Writer without the GUI.
command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-writer-nogui)
# xgettext: the catalogue test extracts every translatable string to prove English is complete.
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

cmd="apt-get update && apt-get install -y ${missing[*]}"
if [ "$(id -u)" = "0" ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "The browser tests need system packages that are missing: ${missing[*]}" >&2
  echo "Run as root:  sudo sh -c '$cmd'" >&2
  exit 1
fi
