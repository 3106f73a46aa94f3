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
# Once the server answers, a member requests and uses a voucher at
# "Matériaux de l'Ouest" (the server functions a phone calls), and the till
# invoices it with one line that matches and one that does not.
"$py" - "$base" "$key" "$dir/bons.db" <<'PY'
import datetime, http.cookiejar, json, sqlite3, sys, time, urllib.parse, urllib.request

base, key, db = sys.argv[1:4]
for _ in range(100):
    try:
        urllib.request.urlopen(f"{base}/healthz", timeout=2)
        break
    except OSError:
        time.sleep(0.1)

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None

jar = http.cookiejar.CookieJar()
phone = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)

def call(name, **fields):
    request = urllib.request.Request(f"{base}/api/{name}", data=urllib.parse.urlencode(fields).encode(),
                                     headers={"Accept": "application/json"})
    with phone.open(request) as answer:
        return json.load(answer)

call("login", number="44000123B", password="castors")
supplier = sqlite3.connect(db).execute("SELECT id FROM suppliers WHERE name = ?", ("Matériaux de l'Ouest",)).fetchone()[0]
voucher = call("request_voucher", supplier_id=supplier, amount="42")
# The answer is the used card; its receipt holds number and code.
receipt = call("use_voucher", id=voucher)["receipt"]
# Yesterday, in no time zone's future.
yesterday = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
invoice = {"number": "API-TEST-1", "date": yesterday, "amount_cents": 5000, "lines": [
    {"voucher_number": receipt["number"], "code": receipt["code"], "amount_cents": 4200},
    {"voucher_number": "W2026.NA.442.09999999", "code": "1234", "amount_cents": 800}]}
request = urllib.request.Request(f"{base}/api/v1/invoices", data=json.dumps(invoice).encode(), headers={
    "Authorization": f"Bearer {key}", "Content-Type": "application/json"})
with urllib.request.urlopen(request) as answer:
    assert answer.status == 201, answer.status
print(f"api-test: voucher {receipt['number']} used and invoiced on API-TEST-1")
PY

"$st" --config-file scripts/schemathesis.toml run "$base/api/v1/openapi.json" \
  --header "Authorization: Bearer $key" \
  --checks all \
  --max-examples "${API_TEST_EXAMPLES:-100}" \
  --request-timeout 30
