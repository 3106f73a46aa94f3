#!/usr/bin/env bash
# `make deploy-check`: the files in deploy/ read by the tools that will run
# them. systemd's verifier on the unit (pointed at the release binary);
# Caddy's on the Caddyfile; then Caddy running that very file (its site
# name made a loopback address) in front of a release server started with
# the example environment's proxy setting: pages and /readyz pass through,
# the request id too, /metrics does not. Needs `make release` first.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${BONS_DEPLOY_BIN:-$PWD/target/release/bons}
[ -x "$bin" ] || { echo "deploy-check: $bin is missing: run make release first" >&2; exit 1; }
command -v caddy >/dev/null || scripts/setup.sh test
fail() { echo "deploy-check: $*" >&2; exit 1; }

work=$(mktemp -d -t bons-deploy-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# systemd: every directive known and valid, the binary executable.
sed "s|/opt/bons/bons|$bin|" deploy/bons.service >"$work/bons.service"
complaints=$(systemd-analyze verify "$work/bons.service" 2>&1 || true)
[ -z "$complaints" ] || fail "systemd-analyze verify deploy/bons.service: $complaints"
echo "deploy/bons.service: systemd-analyze verify says nothing"

# Caddy: the file as shipped.
caddy validate --adapter caddyfile --config deploy/Caddyfile >"$work/validate.log" 2>&1 ||
  { cat "$work/validate.log" >&2; fail "caddy validate deploy/Caddyfile"; }
echo "deploy/Caddyfile: caddy validate says Valid configuration"

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
bons_port=$(free_port)
caddy_port=$(free_port)

# The server as deploy/bons.env.example sets it behind a proxy.
grep -q '^BONS_TRUST_PROXY=true' deploy/bons.env.example || fail "bons.env.example does not set BONS_TRUST_PROXY=true"
(
  export DATABASE_URL="sqlite://$work/bons.db?mode=rwc" BONS_SECRET_FILE="$work/secret.key" \
    BONS_MAIL_DIR="$work/mail" LEPTOS_SITE_ADDR="127.0.0.1:$bons_port" LEPTOS_SITE_ROOT=target/site \
    LEPTOS_OUTPUT_NAME=bons BONS_TRUST_PROXY=true BONS_METRICS_TOKEN=jeton \
    BONS_PUBLIC_URL="http://127.0.0.1:$caddy_port" RUST_LOG=warn
  exec "$bin" serve
) >"$work/bons.log" 2>&1 &
pids+=($!)

# The shipped Caddyfile, its site served on loopback over HTTP and its
# upstream the server above; no admin endpoint (another Caddy may run).
{
  printf '{\n\tadmin off\n}\n'
  sed -e "s|^bons.castors.example {|http://127.0.0.1:$caddy_port {|" -e "s|127.0.0.1:3000|127.0.0.1:$bons_port|" deploy/Caddyfile
} >"$work/Caddyfile"
grep -q "reverse_proxy 127.0.0.1:$bons_port" "$work/Caddyfile" || fail "the Caddyfile's upstream was not found"
caddy run --adapter caddyfile --config "$work/Caddyfile" >"$work/caddy.log" 2>&1 &
pids+=($!)

front="http://127.0.0.1:$caddy_port"
for _ in $(seq 1 150); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$front/readyz" || true)" = 200 ] && break
  sleep 0.2
done
status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(status "$front/readyz")" = 200 ] || { cat "$work/bons.log" "$work/caddy.log" >&2; fail "/readyz through Caddy"; }
[ "$(status "$front/connexion")" = 200 ] || fail "the login page through Caddy"
id=$(curl -s -D - -o /dev/null -H 'X-Request-Id: essai-proxy-42' "$front/connexion" | tr -d '\r' |
  awk -F': ' 'tolower($1) == "x-request-id" { print $2 }')
[ "$id" = essai-proxy-42 ] || fail "the proxy's request id did not come back (got '$id')"
[ "$(status -H 'Authorization: Bearer jeton' "$front/metrics")" = 404 ] || fail "/metrics is reachable through Caddy"
[ "$(status -H 'Authorization: Bearer jeton' "http://127.0.0.1:$bons_port/metrics")" = 200 ] ||
  fail "/metrics on the server's own address"
echo "Caddy in front of bons: /readyz and pages pass, X-Request-Id comes back, /metrics stays on the server's address"
