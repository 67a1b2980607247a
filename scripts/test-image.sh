#!/usr/bin/env bash
# Checks the container image on this machine (no Docker engine, root, podman).
# 1. ../shared/tools/container-check builds the unmodified Dockerfile offline,
#    starts it with a self-hosted configuration, waits for /healthz, runs the
#    image's own HEALTHCHECK and the smoke checks below (HTTP against the
#    container), then stops it with SIGTERM and reports the stop time and code.
# 2. podman directly (container-check's configuration; --network none, or
#    slirp4netns for PostgreSQL; never the default bridge):
#    - image config: USER node, EXPOSE 3000, VOLUME /data, CMD;
#    - a bad configuration (hosted mode without OPERATOR_EMAIL) exits 1 naming it;
#    - a fresh named volume, then a restart on it, with the hardened flags of
#      docs/self-hosting.md (--read-only, --cap-drop ALL, no-new-privileges);
#    - DATABASE_URL on the host's PostgreSQL (TEST_DATABASE_URL), if one answers.
#
#   bash scripts/test-image.sh            # everything; exit 0 only if all pass
#   HOST_URL=http://127.0.0.1:3000 bash scripts/test-image.sh --smoke-only
#                                         # just the HTTP checks, against any server
#
# Prints container-check's summary line ("container-check: ok build …s size …MB
# healthy …s healthcheck ok smoke ok stop …s exit 0") again at the end, then one
# line "test-image: ok" or "test-image: FAIL (…)".
set -uo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

# The settings the smoke run uses: a self-hosted installation on its embedded
# database in the image's /data volume.
PUBLIC_URL=http://localhost:3000
OPERATOR_EMAIL=privacy@example.com
RUN_ENV=(
  GATEHOUSE_MODE=self-hosted
  "PUBLIC_URL=$PUBLIC_URL"
  "OPERATOR_NAME=Example Ltd"
  "OPERATOR_EMAIL=$OPERATOR_EMAIL"
  LOG_LEVEL=info
)

# ------------------------------------------------------------------ smoke checks
# Run by container-check (in its own process group) with HOST_URL set.
smoke() {
  : "${HOST_URL:?HOST_URL must be set}"
  local failures=0 body status
  tmp=$(mktemp -d) || return 1
  trap 'rm -rf "$tmp"' EXIT

  # request NAME METHOD PATH [curl args…]: sets $status and $body
  request() {
    local name=$1 method=$2 path=$3; shift 3
    status=$(curl -sS --noproxy '*' --max-time 10 -o "$tmp/$name" -w '%{http_code}' -X "$method" "$@" "$HOST_URL$path" 2>"$tmp/$name.err") ||
      status="000 ($(tr -d '\n' <"$tmp/$name.err"))"
    body=$(cat "$tmp/$name" 2>/dev/null)
  }
  check() { # DESCRIPTION CONDITION-RESULT(0/1) DETAIL
    if [ "$2" = 0 ]; then echo "  ok    $1"; else echo "  FAIL  $1 — $3"; failures=$((failures + 1)); fi
  }

  echo "smoke checks against $HOST_URL"

  request healthz GET /healthz
  [ "$status" = 200 ] && [[ $body == *'"status":"ok"'* ]]
  check 'GET /healthz is 200 {"status":"ok"}' $? "got $status: ${body:0:200}"

  request readyz GET /readyz
  [ "$status" = 200 ] && [[ $body == *'"status":"ready"'* ]]
  check 'GET /readyz is 200 and "ready" (database reachable and migrated)' $? "got $status: ${body:0:200}"

  request index GET /
  [ "$status" = 200 ] && [[ $body == *'Join the waitlist'* ]]
  check 'GET / is 200 and shows "Join the waitlist"' $? "got $status: ${body:0:200}"

  # A script the page references, served from build/client by the server.
  local asset
  asset=$(grep -o '/assets/[A-Za-z0-9._-]*\.js' "$tmp/index" 2>/dev/null | head -n 1)
  if [ -n "$asset" ]; then
    request asset GET "$asset"
    [ "$status" = 200 ]
    check "GET $asset (a client asset the page uses) is 200" $? "got $status"
  else
    check "GET / references a /assets/*.js file" 1 "no /assets/…js reference in the page"
  fi

  # Joining the waitlist, as a visitor without JavaScript would: the form's
  # signed start time, a pause longer than the bot threshold, a same-origin POST.
  local stamp
  stamp=$(grep -o 'name="startedAt" value="[^"]*"' "$tmp/index" 2>/dev/null | head -n 1 | sed 's/.*value="//; s/"$//')
  sleep 2.2
  request waitlist POST /waitlist -H "Origin: $PUBLIC_URL" -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-urlencode 'email=smoke@example.com' --data-urlencode 'name=Smoke Test' --data-urlencode 'company=' \
    --data-urlencode 'website=' --data-urlencode "startedAt=$stamp"
  [ "$status" = 200 ] && [[ $body == *'Check your inbox'* ]]
  check "POST /waitlist (no JavaScript) joins and answers the confirmation page" $? "got $status: ${body:0:200}"

  request privacy GET /privacy
  [ "$status" = 200 ] && [[ $body == *"$OPERATOR_EMAIL"* ]]
  check "GET /privacy is 200 and names OPERATOR_EMAIL ($OPERATOR_EMAIL)" $? "got $status: ${body:0:200}"

  # CSRF: a state-changing request must prove it came from our own pages.
  request csrf POST / -H 'Content-Type: application/x-www-form-urlencoded' --data 'email=smoke%40example.com'
  [ "$status" = 403 ]
  check "POST / with no Origin and no Sec-Fetch-Site is 403 (CSRF)" $? "got $status: ${body:0:200}"

  request csrf-cross POST / -H 'Sec-Fetch-Site: cross-site' -H 'Origin: https://evil.example' --data 'x=1'
  [ "$status" = 403 ]
  check "POST / from another site (Sec-Fetch-Site: cross-site) is 403" $? "got $status: ${body:0:200}"

  # The same-origin request passes the CSRF check (whatever the page then answers).
  request csrf-same POST / -H "Origin: $PUBLIC_URL" --data 'x=1'
  [[ $status =~ ^[0-9]{3}$ ]] && [ "$status" != 403 ] && [ "$status" -lt 500 ]
  check "POST / with Origin $PUBLIC_URL (PUBLIC_URL) gets past the CSRF check (not 403, not 5xx)" $? "got $status: ${body:0:200}"

  if [ "$failures" -gt 0 ]; then echo "smoke: $failures check(s) failed"; return 1; fi
  echo "smoke: all checks passed"
}

if [ "${1:-}" = --smoke-only ]; then smoke; exit $?; fi
[ $# -eq 0 ] || { echo "usage: bash scripts/test-image.sh [--smoke-only]" >&2; exit 2; }

# ------------------------------------------------------------------ container-check
CONTAINER_CHECK=${CONTAINER_CHECK:-$ROOT/../shared/tools/container-check}
[ -x "$CONTAINER_CHECK" ] || { echo "test-image: FAIL (container-check not found at $CONTAINER_CHECK)"; exit 1; }
# container-check keeps all podman state in one cache dir. slirp4netns puts its API
# socket at CACHE/run/libpod/<64-hex container id>.net, and a socket path must be
# under 108 bytes: the tool's default (~/.cache/container-check, 28 bytes for root)
# is one byte too long, so `podman run` fails. Use a short path instead.
export CONTAINER_CHECK_CACHE=${CONTAINER_CHECK_CACHE:-/var/cache/gatehouse-cc}
CACHE=$CONTAINER_CHECK_CACHE
if [ $(( ${#CACHE} + 80 )) -ge 108 ]; then
  echo "test-image: FAIL (CONTAINER_CHECK_CACHE=$CACHE is too long: slirp4netns needs ${#CACHE} + 80 < 108 bytes)"
  exit 1
fi
IMAGE=localhost/container-check:latest # the tag container-check builds
LOG=$(mktemp "${TMPDIR:-/tmp}/test-image.XXXXXX")
trap 'rm -f "$LOG"' EXIT

env_args=()
for kv in "${RUN_ENV[@]}"; do env_args+=(--env "$kv"); done

printf -v smoke_cmd 'bash %q --smoke-only' "$SCRIPT_DIR/test-image.sh"
"$CONTAINER_CHECK" --context "$ROOT" "${env_args[@]}" --smoke "$smoke_cmd" 2>&1 | tee "$LOG"
cc_status=${PIPESTATUS[0]}
summary=$(grep '^container-check: \(ok\|FAIL\)' "$LOG" | tail -n 1)
if [ "$cc_status" != 0 ]; then
  echo
  echo "${summary:-container-check: no summary line}"
  echo "test-image: FAIL (container-check exited $cc_status)"
  exit 1
fi
failures=0
# A clean SIGTERM shutdown exits 0 well within podman's 10 s grace period.
if ! [[ $summary =~ \ exit\ 0$ ]]; then
  echo "  FAIL  the container did not exit 0 on SIGTERM: $summary"; failures=$((failures + 1))
fi

# ------------------------------------------------------------------ image checks (podman directly)
# The same podman configuration and lock as container-check; never the default
# bridge network (--network none: these runs need none).
export CONTAINERS_CONF=$CACHE/containers.conf CONTAINERS_STORAGE_CONF=$CACHE/storage.conf
pm() { flock -w 600 "$CACHE/lock" podman "$@"; }
echo
echo "image checks ($IMAGE)"

config=$(pm image inspect -f 'user={{.Config.User}} ports={{json .Config.ExposedPorts}} volumes={{json .Config.Volumes}} cmd={{json .Config.Cmd}}' "$IMAGE" 2>&1)
for want in 'user=node ' '"3000/tcp"' '"/data"' 'cmd=["node","build/server.js"]'; do
  if [[ $config == *"$want"* ]]; then echo "  ok    image config has $want"
  else echo "  FAIL  image config lacks $want: $config"; failures=$((failures + 1)); fi
done

# A bad configuration stops the server at once, exit 1, one line per problem.
out=$(timeout 60 flock -w 600 "$CACHE/lock" podman run --rm --network none --pull=never --no-healthcheck \
  -e GATEHOUSE_MODE=hosted -e "OPERATOR_NAME=Example Ltd" -e PORT=70000 "$IMAGE" 2>&1)
rc=$?
if [ "$rc" != 0 ] && [[ $out == *'OPERATOR_EMAIL: is required when GATEHOUSE_MODE=hosted'* ]] && [[ $out == *'PORT: must be at most 65535'* ]]; then
  echo "  ok    GATEHOUSE_MODE=hosted without OPERATOR_EMAIL (and PORT=70000) exits $rc naming both problems"
  echo "$out" | sed 's/^/        | /'
else
  echo "  FAIL  a bad configuration should exit non-zero naming OPERATOR_EMAIL and PORT; exit $rc:"
  echo "$out" | sed 's/^/        | /'
  failures=$((failures + 1))
fi

# The data volume: a fresh named volume is writable by `node`, the embedded
# database survives a restart, and the hardened run of docs/self-hosting.md works
# (read-only root file system with only /tmp as tmpfs, no capabilities, no
# privilege escalation). No network: probes run inside.
HARDENING=(--read-only --read-only-tmpfs=false --tmpfs /tmp --cap-drop ALL --security-opt no-new-privileges)
VOLUME=gatehouse-test-image-$$
cleanup() {
  rm -f "$LOG"
  for c in "$VOLUME-1" "$VOLUME-2" "$VOLUME-pg"; do pm rm -f -v "$c" >/dev/null 2>&1; done
  pm volume rm -f "$VOLUME" >/dev/null 2>&1
}
trap cleanup EXIT
probe='fetch("http://127.0.0.1:3000/readyz").then(async (r) => { console.log(r.status, await r.text()); process.exit(r.status === 200 ? 0 : 1) }, (e) => { console.log(String(e.cause?.code ?? e)); process.exit(1) })'
volume_run() { # NAME: start, wait for /readyz 200 (30 s), stop; sets $ready $stop_rc $owner $start_stats
  local name=$1 i
  ready="" stop_rc="" owner="" start_stats=""
  pm run -d --name "$name" --network none --pull=never --no-healthcheck "${HARDENING[@]}" \
    -v "$VOLUME:/data" "${RUN_ENV[@]/#/--env=}" "$IMAGE" >/dev/null 2>&1 || { ready="podman run failed"; return; }
  for i in $(seq 1 60); do
    ready=$(pm exec "$name" node -e "$probe" 2>&1) && break
    sleep 0.5
  done
  owner=$(pm exec "$name" stat -c '%U:%G %a' /data 2>&1)
  pm stop -t 10 "$name" >/dev/null 2>&1
  stop_rc=$(pm inspect -f '{{.State.ExitCode}}' "$name" 2>&1)
  start_stats=$(pm logs "$name" 2>&1 | grep -o '"startupMs":[0-9]*,"rssMb":[0-9]*' | tail -n 1)
}
pm volume create "$VOLUME" >/dev/null 2>&1
for n in 1 2; do
  volume_run "$VOLUME-$n"
  label=$([ "$n" = 1 ] && echo "first start (seeds the empty volume)" || echo "restart on the same volume")
  if [[ $ready == '200 {"status":"ready"'* ]] && [ "$stop_rc" = 0 ] && [ "$owner" = "node:node 700" ]; then
    echo "  ok    $label, hardened: /readyz 200, /data node:node 700, SIGTERM exit 0 ($start_stats)"
  else
    echo "  FAIL  $label, hardened: readyz: ${ready:-no answer}; /data: $owner; exit after SIGTERM: $stop_rc"
    pm logs --tail 20 "$VOLUME-$n" 2>&1 | sed 's/^/        | /'
    failures=$((failures + 1))
  fi
done

# PostgreSQL (DATABASE_URL): migrations at start, /readyz, SIGTERM. Uses the test
# suite's admin connection (TEST_DATABASE_URL) when psql is installed and it
# answers; skipped otherwise. The container reaches the host's 127.0.0.1 through
# slirp4netns as 10.0.2.2.
ADMIN_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
PG_DB=gatehouse_image_$$
if command -v psql >/dev/null && psql "$ADMIN_URL" -qAtc 'select 1' >/dev/null 2>&1; then
  psql "$ADMIN_URL" -qc "create database $PG_DB" >/dev/null
  trap 'cleanup; psql "$ADMIN_URL" -qc "drop database if exists $PG_DB" >/dev/null 2>&1' EXIT
  # the new database as the host sees it, and as the container does
  host_db_url=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.href)' "$ADMIN_URL" "$PG_DB")
  db_url=$(node -e 'const u = new URL(process.argv[1]); if (["127.0.0.1", "localhost"].includes(u.hostname)) u.hostname = "10.0.2.2"; console.log(u.href)' "$host_db_url")
  name=$VOLUME-pg ready="" stop_rc=""
  if pm run -d --name "$name" --network slirp4netns:allow_host_loopback=true --pull=never --no-healthcheck "${HARDENING[@]}" \
      "${RUN_ENV[@]/#/--env=}" --env "DATABASE_URL=$db_url" "$IMAGE" >/dev/null 2>&1; then
    for i in $(seq 1 60); do ready=$(pm exec "$name" node -e "$probe" 2>&1) && break; sleep 0.5; done
    pm stop -t 10 "$name" >/dev/null 2>&1
    stop_rc=$(pm inspect -f '{{.State.ExitCode}}' "$name" 2>&1)
    start_stats=$(pm logs "$name" 2>&1 | grep -o '"startupMs":[0-9]*,"rssMb":[0-9]*' | tail -n 1)
  fi
  applied=$(psql "$host_db_url" -qAtc 'select count(*) from kysely_migration' 2>&1)
  if [[ $ready == '200 {"status":"ready"'* ]] && [ "$stop_rc" = 0 ] && [[ $applied =~ ^[1-9][0-9]*$ ]]; then
    echo "  ok    DATABASE_URL (PostgreSQL): $applied migrations applied at start, /readyz 200, SIGTERM exit 0 ($start_stats)"
  else
    echo "  FAIL  DATABASE_URL (PostgreSQL): readyz: ${ready:-no answer}; migrations: $applied; exit after SIGTERM: $stop_rc"
    pm logs --tail 20 "$name" 2>&1 | sed 's/^/        | /'
    failures=$((failures + 1))
  fi
  pm rm -f -v "$name" >/dev/null 2>&1
else
  echo "  skip  DATABASE_URL (PostgreSQL): no psql, or $ADMIN_URL does not answer (set TEST_DATABASE_URL)"
fi

echo
echo "$summary"
if [ "$failures" -gt 0 ]; then echo "test-image: FAIL ($failures image check(s) failed)"; exit 1; fi
echo "test-image: ok"
