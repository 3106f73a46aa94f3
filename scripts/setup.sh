#!/usr/bin/env bash
# Installs what building and testing bons needs, skipping whatever is already
# there: the wasm32 target, cargo-leptos, the wasm-bindgen CLI matching
# Cargo.lock, the npm packages (Playwright, binaryen's wasm-opt) and, for
# tests, Debian's Chromium, Schemathesis and the invoices' validator
# (factur-x and saxonche, from PyPI). Nothing here downloads from GitHub.
#
#   scripts/setup.sh          what `make run` needs
#   scripts/setup.sh test     plus what `make test` needs
#   scripts/setup.sh bench    plus what `make bench` needs (Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1;34m==> %s\033[0m\n' "$*"; }

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "Adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(cargo leptos --version 2>/dev/null | awk '{print $2}')" != "$CARGO_LEPTOS_VERSION" ]; then
  say "Installing cargo-leptos $CARGO_LEPTOS_VERSION (takes about 15 minutes, once)"
  cargo install --locked --features no_downloads "cargo-leptos@$CARGO_LEPTOS_VERSION"
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (matches Cargo.lock)"
  # Not --locked: its own lockfile names a crate version the registry lacks.
  cargo install --force wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

if [ ! -x end2end/node_modules/.bin/wasm-opt ] || [ ! -x end2end/node_modules/.bin/playwright ] \
   || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "Installing npm packages (Playwright without its browsers, binaryen's wasm-opt)"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

if [ "${1:-}" = test ]; then
  # Schemathesis (PyPI), for `make api-test`, in a virtualenv of its own.
  SCHEMATHESIS_VERSION=4.32.5
  if [ "$(.tools/schemathesis/bin/schemathesis --version 2>/dev/null | awk '{print $3}')" != "$SCHEMATHESIS_VERSION" ]; then
    say "Installing Schemathesis $SCHEMATHESIS_VERSION in .tools/schemathesis"
    if ! python3 -m venv --help >/dev/null 2>&1; then
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
    fi
    rm -rf .tools/schemathesis
    python3 -m venv .tools/schemathesis
    .tools/schemathesis/bin/pip install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
  fi
  # The invoices' independent validator (scripts/check-invoices.py): the
  # EN 16931 XSD and schematron that `factur-x` ships, run by saxonche.
  FACTURX_VERSION=7.8 SAXONCHE_VERSION=13.1.1
  if ! .tools/facturx/bin/python -c "import facturx, saxonche, sys; \
      from importlib.metadata import version as v; \
      sys.exit(v('factur-x') != '$FACTURX_VERSION' or v('saxonche') != '$SAXONCHE_VERSION')" 2>/dev/null; then
    say "Installing factur-x $FACTURX_VERSION and saxonche $SAXONCHE_VERSION in .tools/facturx"
    rm -rf .tools/facturx
    python3 -m venv .tools/facturx
    .tools/facturx/bin/pip install --quiet "factur-x==$FACTURX_VERSION" "saxonche==$SAXONCHE_VERSION"
  fi
fi

# wrk, the outside load generator of scripts/ab-pages.sh (two binaries, one
# page, alternately), for `make bench`'s yardsticks checked by hand.
if [ "${1:-}" = bench ] && ! command -v wrk >/dev/null; then
  say "Installing wrk (Debian)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk bc
fi

# The browser tests, and the benchmark's phone at the counter.
if [ "${1:-}" = test ] || [ "${1:-}" = bench ]; then
  if [ ! -x /usr/bin/chromium ]; then
    say "Installing Debian's Chromium for the browser tests and the benchmark"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium
  fi
fi

# Caddy, to check deploy/Caddyfile by running it (scripts/deploy-check.sh);
# systemd-analyze, for deploy/bons.service, comes with systemd.
if [ "${1:-}" = test ]; then
  for tool in caddy:caddy systemd-analyze:systemd; do
    if ! command -v "${tool%%:*}" >/dev/null; then
      say "Installing ${tool#*:} (Debian) to check deploy/"
      SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${tool#*:}"
    fi
  done
fi
