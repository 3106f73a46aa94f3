#!/usr/bin/env bash
# `make container-check`: builds deploy/Containerfile and runs the image as
# an operator would: healthy by its own HEALTHCHECK, pages and the site's
# hashed files served, not root, the demo loaded with `bons demo` inside,
# JSON logs, and `docker stop` a clean shutdown. Needs Docker and the base
# images `rust:1-bookworm` and `debian:bookworm-slim` (pulled, or provided:
# docs/OPERATIONS.md). Not part of `make test`: a cold build takes 40 minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${BONS_IMAGE:-bons:check}
fail() { echo "container-check: $*" >&2; exit 1; }
command -v docker >/dev/null || fail "docker is not installed"

if [ -z "${BONS_IMAGE:-}" ]; then
  docker build --network host -f deploy/Containerfile -t "$image" .
fi

name=bons-check-$$
volume=bons-check-$$
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  docker rm -f "$name" >/dev/null 2>&1 || true
  docker volume rm "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT

docker run -d --name "$name" -p "127.0.0.1:$port:3000" -v "$volume:/var/lib/bons" \
  -e BONS_PUBLIC_URL="http://127.0.0.1:$port" "$image" >/dev/null
base="http://127.0.0.1:$port"

# Its own health check says healthy (every 10 s: up to a minute).
for _ in $(seq 1 60); do
  [ "$(docker inspect -f '{{.State.Health.Status}}' "$name")" = healthy ] && break
  sleep 1
done
[ "$(docker inspect -f '{{.State.Health.Status}}' "$name")" = healthy ] ||
  { docker logs "$name" >&2; fail "the container is not healthy after a minute"; }
echo "healthy (HEALTHCHECK on /readyz)"

status() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(status "$base/readyz")" = 200 ] || fail "/readyz"
page=$(curl -fsS "$base/connexion") || fail "the login page"
css=$(grep -o '/pkg/[^"]*\.css' <<<"$page" | head -n 1)
[ -n "$css" ] || fail "no stylesheet linked from the login page"
[ "$(status -H 'Accept-Encoding: br' "$base$css")" = 200 ] || fail "the site file $css"
echo "the login page and $css are served"

uid=$(docker exec "$name" id -u)
[ "$uid" != 0 ] || fail "the server runs as root"
echo "runs as $(docker exec "$name" id -un) (uid $uid)"

demo=$(docker exec "$name" bons demo 2>&1) || { echo "$demo" >&2; fail "bons demo inside the container"; }
login() {
  curl -s -o /dev/null -w '%{http_code}' -X POST -H "Origin: $base" \
    --data-urlencode 'number=44000123B' --data-urlencode "password=$1" "$base/api/login"
}
[ "$(login castors)" = 200 ] && [ "$(login faux)" = 401 ] || fail "the demo member's login"
echo "bons demo loaded inside; the demo member logs in, a wrong password is refused"

docker logs "$name" 2>&1 | head -n 5 | python3 -c '
import json, sys
lines = [l for l in sys.stdin if l.startswith("{")]
assert lines, "no JSON log line"
for l in lines:
    json.loads(l)
print(f"logs are JSON lines ({len(lines)} read)")'

docker stop -t 30 "$name" >/dev/null
code=$(docker inspect -f '{{.State.ExitCode}}' "$name")
[ "$code" = 0 ] || { docker logs "$name" 2>&1 | tail -n 5 >&2; fail "docker stop: exit code $code"; }
docker logs "$name" 2>&1 | grep -q "bons arrêté proprement" || fail "no clean shutdown in the logs"
echo "docker stop: exit code 0, « bons arrêté proprement »"
