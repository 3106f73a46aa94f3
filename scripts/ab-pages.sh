#!/usr/bin/env bash
# Two release binaries of bons, one page, measured alternately with wrk (an
# outside tool, not the bench's own client): each binary on a fresh SQLite
# file with the demo data, the page asked for with and without brotli.
#
#   scripts/ab-pages.sh OLD_BINARY NEW_BINARY [PATH] [ROUNDS]
#
# Prints one line per run (binary, encoding, requests/s) and the means.
# Same machine, same minutes: read the ratios, not the absolute figures.
set -euo pipefail
cd "$(dirname "$0")/.."

old=$1 new=$2 path=${3:-/connexion} rounds=${4:-3}
command -v wrk >/dev/null || { echo "wrk is missing: scripts/setup.sh bench installs it" >&2; exit 1; }
work=$(mktemp -d -t bons-ab-XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# Starts `binary` on a fresh database; prints its address once it answers.
start() {
  local name=$1 binary=$2 port=$3
  mkdir -p "$work/$name"
  export DATABASE_URL="sqlite://$work/$name/bons.db?mode=rwc" BONS_SECRET_FILE="$work/$name/secret.key"
  export BONS_MAIL_DIR="$work/$name/mail" LEPTOS_SITE_ROOT=target/site RUST_LOG=warn
  "$binary" demo >/dev/null
  LEPTOS_SITE_ADDR="127.0.0.1:$port" "$binary" serve >"$work/$name/log" 2>&1 &
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 0.1
  done
  echo "$name did not answer on port $port" >&2
  exit 1
}

start old "$old" 3201
start new "$new" 3202

declare -A total
for round in $(seq 1 "$rounds"); do
  for name in old new; do
    port=$([ $name = old ] && echo 3201 || echo 3202)
    for encoding in identity br; do
      rate=$(wrk -t2 -c64 -d5s -H "Accept-Encoding: $encoding" "http://127.0.0.1:$port$path" |
        awk '/Requests\/sec/ { print $2 }')
      printf '%s round %d %-8s %s %s req/s\n' "$path" "$round" "$encoding" "$name" "$rate"
      key="$name $encoding"
      total[$key]=$(echo "${total[$key]:-0} + $rate" | bc -l)
    done
  done
done
for encoding in identity br; do
  o=$(echo "${total[old $encoding]} / $rounds" | bc -l)
  n=$(echo "${total[new $encoding]} / $rounds" | bc -l)
  printf '%s %-8s old %.0f  new %.0f  new/old %.0f %%\n' "$path" "$encoding" "$o" "$n" "$(echo "100 * $n / $o" | bc -l)"
done
