#!/usr/bin/env bash
# Installs the Debian packages plansign needs, only those missing, so a second run is quick.
#  - LibreOffice Writer without a GUI, and python3-uno for driving it warm over UNO;
#  - fonts: Noto (Latin, Greek, Cyrillic, Arabic, CJK) and the metric-compatible
#    stand-ins for Word's defaults (Carlito for Calibri, Caladea for Cambria, Liberation
#    for Arial/Times New Roman/Courier New), so documents lay out the same everywhere;
#    Symbola draws emoji in PDFs (LibreOffice 7.4 cannot embed colour emoji fonts);
#    Dancing Script and URW Z003 (fonts-urw-base35) write typed names in a signature hand
#    on the final record, DejaVu Sans Mono its hashes;
#  - poppler-utils (pdftotext, pdftoppm) for looking at PDFs; python3-venv for the venv;
#  - chromium, which the browser tests drive through Playwright (no browser download);
#  - postgresql (15 on Debian 12): the tests start a private, throwaway server from its
#    binaries to run the database tests on PostgreSQL too (no cluster of the system's is used);
#  - redis-server: a test starts a private one on a Unix socket to check that rate limit
#    counts kept in Redis are shared between web processes (the system's is not used);
#  - softhsm2: a software PKCS#11 token; tests/docgen/seal/test_seal_pkcs11.py makes a
#    token in a temporary SOFTHSM2_CONF and seals with a key held in it (hardware keys);
#  - libnss3-tools (certutil): pdfsig (poppler, over NSS) trusts the tests' own PKI only
#    through an NSS certificate database, which tests/docgen/seal/sealkit.py makes.
set -euo pipefail

packages=(
  libreoffice-writer-nogui python3-uno
  fonts-noto-core fonts-noto-cjk fonts-symbola
  fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation2 fonts-dejavu-core
  fonts-dancingscript fonts-urw-base35
  fontconfig poppler-utils python3-venv
  chromium
  postgresql
  redis-server
  softhsm2
  libnss3-tools
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Run as root, or install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
