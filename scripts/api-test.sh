#!/usr/bin/env bash
# `make api-test`: Schemathesis against a running server. Starts the debug
# `bons` on a fresh SQLite file with the demo data, gives "Matériaux de
# l'Ouest" a delivered voucher and an invoice (so lists are not empty and
# their schemas are really checked), creates an API key with
# `bons api-key create`, and runs every Schemathesis check on
# /api/v1/openapi.json. Fails on any server error or schema violation.
set -euo pipefail
cd "$(dirname "$0")/.."

st=.tools/schemathesis/bin/schemathesis
py=.tools/schemathesis/bin/python
[ -x "$st" ] || scripts/setup.sh test

export LEPTOS_OUTPUT_NAME=bons
cargo build -p server --bin bons

dir=$(mktemp -d -t bons-api-XXXXXX)
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
export DATABASE_URL="sqlite://$dir/bons.db?mode=rwc"
export BONS_SECRET_FILE="$dir/secret.key"
export LEPTOS_SITE_ADDR="127.0.0.1:$port"
export LEPTOS_SITE_ROOT=target/site
export RUST_LOG="${RUST_LOG:-warn}"

target/debug/bons demo >/dev/null
key=$(target/debug/bons api-key create --supplier-login ouest --label "Schemathesis")

target/debug/bons serve >"$dir/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fs "$base/healthz" >/dev/null && break
  sleep 0.1
done

# A member requests and uses a voucher at "Matériaux de l'Ouest" (the
# server functions a phone calls), and the till invoices it with one line
# that matches and one that does not.
jar="$dir/cookies"
json() { "$py" -c "import json, sys; print(json.load(sys.stdin)$1)"; }
curl -fs -c "$jar" -o /dev/null -d number=44000123B -d password=castors "$base/api/login"
supplier=$("$py" -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(
    "SELECT id FROM suppliers WHERE name = ?", ("Matériaux de l'"'"'Ouest",)).fetchone()[0])' "$dir/bons.db")
voucher=$(curl -fs -b "$jar" -H 'Accept: application/json' -d "supplier_id=$supplier" -d amount=42 "$base/api/request_voucher")
receipt=$(curl -fs -b "$jar" -H 'Accept: application/json' -d "id=$voucher" "$base/api/use_voucher")
number=$(echo "$receipt" | json '["number"]')
code=$(echo "$receipt" | json '["code"]')
today=$(TZ=Europe/Paris date +%F)
curl -fs -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"number\":\"API-TEST-1\",\"date\":\"$today\",\"amount_cents\":5000,\"lines\":[{\"voucher_number\":\"$number\",\"code\":\"$code\",\"amount_cents\":4200},{\"voucher_number\":\"W2026.NA.442.09999999\",\"code\":\"1234\",\"amount_cents\":800}]}" \
  "$base/api/v1/invoices"

"$st" --config-file scripts/schemathesis.toml run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks all \
  --max-examples "${API_TEST_EXAMPLES:-100}" \
  --request-timeout 30
