#!/usr/bin/env bash
# Scans a running demo server with Debian's sqlmap and wapiti, then records the results.
#
# The script prepares the demo firm in a fresh data folder under a temporary directory and starts
# the server on 127.0.0.1. It signs demo accounts in through the API (password and TOTP) and points
# both scanners at the server through a proxy that forwards only to that server. It writes a JSON
# summary and the raw reports to SCAN_OUTPUT_DIR/<database> and the results section of
# docs/security/scans.md for that database.
#
# Exit status: 0 when no tool confirmed an injection or a high-severity finding. 1 when one did,
# or the server returned a 5xx, or the audit chain failed to verify afterwards. 2 when the scan
# itself could not run or lost its sessions, so its results prove nothing.
#
# Environment:
#   SCAN_DATABASE_URL  PostgreSQL server to scan against (e.g. postgres://postgres@127.0.0.1:5432/db);
#                      the run uses a new schema there and drops it afterwards. Unset: SQLite.
#   SCAN_OUTPUT_DIR    folder for summary.json and the tool reports, one subfolder per database
#                      (default .test-artifacts/security-scan)
#   SCAN_UPDATE_DOCS   false leaves docs/security/scans.md unchanged (default true)
#   SCAN_KEEP_WORK     true keeps the temporary data folder and logs for inspection (default false)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
HELPERS=$ROOT/scripts/security-scan

OUTPUT_ROOT=${SCAN_OUTPUT_DIR:-$ROOT/.test-artifacts/security-scan}
UPDATE_DOCS=${SCAN_UPDATE_DOCS:-true}
KEEP_WORK=${SCAN_KEEP_WORK:-false}

# Attack depth: sqlmap level 2 adds more payload boundaries to level 1 and still finishes in
# minutes. Risk 1 leaves out the OR-based and heavy time-based payloads, because those can rewrite
# rows or load the database.
SQLMAP_LEVEL=2
SQLMAP_RISK=1
# GET /api/clients allows 120 requests per minute and session. One request per 0.55 s stays under
# that limit, so sqlmap compares real responses instead of 429 rejections.
CLIENT_LIST_DELAY_SECONDS=0.55
# Debian's wapiti 3.0.4 modules that suit a JSON API and a single-page app and need nothing outside
# this machine. Left out: ssrf and xxe (they need the wapiti3.ovh endpoint), nikto and wapp (they
# download databases from GitHub), buster (a long directory brute force) and brute_login_form
# (it would lock the demo accounts).
WAPITI_MODULES=backup,blindsql,cookieflags,crlf,csp,csrf,exec,file,htaccess,http_headers,methods,permanentxss,redirect,shellshock,sql,xss

log() { printf '== %s\n' "$*" >&2; }

# --- Tools --------------------------------------------------------------------------------------
if ! command -v sqlmap >/dev/null 2>&1 || ! command -v wapiti >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    log 'sqlmap or wapiti is missing: install them with "sudo apt-get install sqlmap wapiti", or run this script as root'
    exit 2
  fi
  log 'installing sqlmap and wapiti from Debian'
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq sqlmap wapiti >/dev/null
fi

# No proxy from the environment: every scanner request goes to the scope proxy started below.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# sqlmap and wapiti print terminal control sequences for a capable TERM, which would clutter the logs.
export TERM=dumb

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ledgerguard-scan.XXXXXX")
chmod 700 "$WORK"
mkdir -p "$WORK/targets" "$WORK/reports"
SERVER_PID=
PROXY_PID=
SCHEMA=

stop_process() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

cleanup() {
  stop_process "$PROXY_PID"
  stop_process "$SERVER_PID"
  if [ -n "$SCHEMA" ]; then
    psql "$SCAN_DATABASE_URL" -qc "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1 || true
  fi
  if [ "$KEEP_WORK" = true ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- Demo firm and server -----------------------------------------------------------------------
export DATA_DIR=$WORK/data
export HOST=127.0.0.1
export LOG_LEVEL=info
export BACKUP_SCHEDULE=off
# A reveal needs a second factor confirmed within STEP_UP_MINUTES (default 5). The scanners cannot
# complete a step-up, so the window covers the whole run (60 is the largest value the server accepts).
export STEP_UP_MINUTES=60
unset DATABASE_URL DATABASE_SCHEMA SMTP_URL KEK_SOURCE
DATABASE_LABEL=sqlite
if [ -n "${SCAN_DATABASE_URL:-}" ]; then
  SCHEMA=scan_$$_$RANDOM
  psql "$SCAN_DATABASE_URL" -qc "create schema $SCHEMA" >/dev/null
  export DATABASE_URL=$SCAN_DATABASE_URL DATABASE_SCHEMA=$SCHEMA
  DATABASE_LABEL=postgres
fi
OUTPUT_DIR=$OUTPUT_ROOT/$DATABASE_LABEL
rm -rf "$OUTPUT_DIR"
mkdir -p "$OUTPUT_DIR"

log 'building the web app if it is missing or stale'
node scripts/build-web.mjs

log "preparing the demo firm in $DATA_DIR ($DATABASE_LABEL)"
node bin/ledgerguard.mjs demo >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log" >&2; exit 2; }

log 'starting the server on 127.0.0.1 (PORT=0 picks a free port)'
PORT=0 node bin/ledgerguard.mjs start >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE=
for _ in $(seq 1 120); do
  BASE=$(grep -ao 'LedgerGuard 账安: http://127\.0\.0\.1:[0-9]*' "$WORK/server.log" | head -n 1 | sed 's/.*: //' || true)
  [ -n "$BASE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || break
  sleep 0.5
done
if [ -z "$BASE" ]; then
  log 'the server did not start'; tail -n 20 "$WORK/server.log" >&2; exit 2
fi
log "server at $BASE"

# --- Sessions and targets -----------------------------------------------------------------------
log 'signing in partner, auditor and secadmin (password and TOTP)'
node "$HELPERS/sign-in.mjs" "$BASE" "$DATA_DIR/demo/accounts.json" "$WORK/sessions.json" partner auditor secadmin
node "$HELPERS/targets.mjs" "$WORK/sessions.json" "$WORK/targets"

# Starts the scope proxy for one tool run; its log names every destination it rejected. Each run
# gets its own address file, so a stale address of the previous proxy is never read.
start_proxy() {
  local log_file=$1
  local address_file=$1.address
  : >"$log_file"
  : >"$address_file"
  node "$HELPERS/loopback-proxy.mjs" "$BASE" "$log_file" >"$address_file" 2>&1 &
  PROXY_PID=$!
  PROXY=
  for _ in $(seq 1 100); do
    PROXY=$(head -n 1 "$address_file")
    [[ $PROXY == http://127.0.0.1:* ]] && { rm -f "$address_file"; return 0; }
    sleep 0.1
  done
  log 'the scope proxy did not start'; cat "$address_file" >&2; exit 2
}

stop_proxy() {
  stop_process "$PROXY_PID"
  PROXY_PID=
}

# Records a command for the report, quoted for a shell. The server and proxy addresses, the work
# folder and the CSRF token become placeholders.
: >"$WORK/commands.txt"
record_command() {
  local line='' arg
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=,@%+-]+$ ]]; then
      line+="$arg "
    elif [[ $arg != *"'"* ]]; then
      line+="'$arg' "
    else
      line+="$(printf '%q' "$arg") "
    fi
  done
  line=${line% }
  line=${line//"$BASE"/<server>}
  line=${line//"$PROXY"/<scope-proxy>}
  line=${line//"$WORK"/<work>}
  if [ -n "${CSRF_TOKEN:-}" ]; then line=${line//"$CSRF_TOKEN"/<csrf-token>}; fi
  printf '%s\n' "$line" >>"$WORK/commands.txt"
}

# --- sqlmap -------------------------------------------------------------------------------------
SECONDS=0
for target in client-list audit-search client-reveal; do
  parameters=$(node -p "require('$WORK/targets/targets.json').sqlmap.find((t) => t.name === '$target').parameters.filter((p) => !p.includes(' ')).join(',')")
  start_proxy "$WORK/reports/proxy-sqlmap-$target.jsonl"
  args=(-r "$WORK/targets/$target.req" --batch --ignore-stdin --disable-coloring -v 1
    --level "$SQLMAP_LEVEL" --risk "$SQLMAP_RISK" --proxy "$PROXY" --timeout 30 --retries 1
    --answers 'follow=N' --output-dir "$WORK/sqlmap-$target")
  # Injection marks (`*`) in the request file select the points themselves; -p would be ignored.
  [ "$target" = client-reveal ] || args+=(-p "$parameters")
  [ "$target" = client-list ] && args+=(--delay "$CLIENT_LIST_DELAY_SECONDS")
  log "sqlmap: $target"
  record_command sqlmap "${args[@]}"
  sqlmap "${args[@]}" >"$WORK/reports/sqlmap-$target.log" 2>&1 || echo "sqlmap exited with status $?" >>"$WORK/reports/sqlmap-$target.log"
  stop_proxy
done
log "sqlmap finished in ${SECONDS}s"
echo "sqlmap $SECONDS" >>"$WORK/timings.txt"

# --- wapiti -------------------------------------------------------------------------------------
# mod_wapp downloads its Wappalyzer database from GitHub when it is missing from the config folder,
# even when the module is not selected. An empty database there keeps it offline.
mkdir -p "$WORK/wapiti-config"
echo '{"apps": {}, "categories": {}}' >"$WORK/wapiti-config/apps.json"

SECONDS=0
for account in partner auditor secadmin; do
  CSRF_TOKEN=$(node -p "require('$WORK/sessions.json').sessions.$account.csrfToken")
  start_urls=()
  while IFS= read -r url; do start_urls+=(-s "$url"); done < <(node -p "require('$WORK/targets/targets.json').wapiti.find((run) => run.account === '$account').startUrls.join('\n')")
  start_proxy "$WORK/reports/proxy-wapiti-$account.jsonl"
  # No -x: Debian's wapiti 3.0.4 crashes on any exclusion under Python 3.11 ("global flags not at
  # the start of the expression"). The start URLs leave out the routes that must not be crawled.
  args=(-u "$BASE/" --scope folder -m "$WAPITI_MODULES" -p "$PROXY"
    -c "$WORK/targets/wapiti-cookies-$account.json" -H "x-csrf-token: $CSRF_TOKEN" -H 'Accept-Language: en-US'
    "${start_urls[@]}" -d 3 -t 10 --max-scan-time 300 --max-attack-time 120
    --store-session "$WORK/wapiti-session-$account" --store-config "$WORK/wapiti-config" --flush-session
    --no-bugreport -f json -o "$WORK/reports/wapiti-$account.json" -v 1)
  log "wapiti: $account"
  record_command wapiti "${args[@]}"
  wapiti "${args[@]}" >"$WORK/reports/wapiti-$account.log" 2>&1 || echo "wapiti exited with status $?" >>"$WORK/reports/wapiti-$account.log"
  stop_proxy
done
CSRF_TOKEN=
log "wapiti finished in ${SECONDS}s"
echo "wapiti $SECONDS" >>"$WORK/timings.txt"

# --- Afterwards ---------------------------------------------------------------------------------
# A session that ended during the run would have turned the rest of it into unauthenticated requests.
node "$HELPERS/check-sessions.mjs" "$WORK/sessions.json" "$WORK/reports/sessions-after.json"

stop_process "$SERVER_PID"
SERVER_PID=
cp "$WORK/server.log" "$WORK/reports/server.log"

log 'verifying the audit chain after the scans'
set +e
node bin/ledgerguard.mjs audit verify >"$WORK/reports/audit-verify.log" 2>&1
echo "$?" >"$WORK/reports/audit-verify.status"
set -e

SQLMAP_VERSION=$(sqlmap --version 2>/dev/null | head -n 1)
WAPITI_VERSION=$(dpkg-query -W -f '${Version}' wapiti 2>/dev/null || echo unknown)
SQLMAP_PACKAGE=$(dpkg-query -W -f '${Version}' sqlmap 2>/dev/null || echo unknown)

set +e
node "$HELPERS/summarize.mjs" \
  --work "$WORK" --output "$OUTPUT_DIR" --database "$DATABASE_LABEL" \
  --sqlmap-version "$SQLMAP_VERSION (Debian package $SQLMAP_PACKAGE)" --wapiti-version "3.0.4 (Debian package $WAPITI_VERSION)" \
  --sqlmap-level "$SQLMAP_LEVEL" --sqlmap-risk "$SQLMAP_RISK" --wapiti-modules "$WAPITI_MODULES" \
  --docs "$([ "$UPDATE_DOCS" = true ] && echo "$ROOT/docs/security/scans.md")"
status=$?
set -e
exit "$status"
