#!/usr/bin/env bash
# The portal read benchmark (issue 5, point 3): the whole-plan GET (as is, and compressed as a browser asks for it) and its
# 304 path against /health/live, in one run on this machine, with wrk (64 connections, bounded time). Release build, API on 127.0.0.1 in Development on a temp SQLite
# file (so the Southwark demo data and the demo reader key exist), rate limiting off.
#   ./plan-read.sh                       # 3 rounds of 5 s per endpoint, 2 wrk threads
#   ROUNDS=5 DURATION=10s THREADS=2 ./plan-read.sh
#   PORT=5389 ./plan-read.sh             # another port than 5088, e.g. while another checkout runs it
# Set ARTIFACTS to build into a separate artifacts folder (default: the project's bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration="${DURATION:-5s}"
rounds="${ROUNDS:-3}"
threads="${THREADS:-2}"
connections="${CONNECTIONS:-64}"
port="${PORT:-5088}"
key="csp_demoreader_southwark-demo-read-key-not-secret"
base="http://127.0.0.1:$port"

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
build_release

work="$(mktemp -d)"
ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Csp="Data Source=$work/csp.db" RateLimiting__Enabled=false \
  Logging__LogLevel__Default=Warning DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  dotnet "$api" --urls "$base" >"$work/api.log" 2>&1 &
api_pid=$!
cleanup() { kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$base/health/ready" >/dev/null || { echo "API did not start:"; cat "$work/api.log"; exit 1; }

plans="$base/v1/partnerships/southwark/plans"
plan_id="$(curl -fs -H "X-Api-Key: $key" "$plans/current" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
plan="$plans/$plan_id"
etag="$(curl -fs -D - -o /dev/null -H "X-Api-Key: $key" "$plan" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')"
bytes="$(curl -fs -H "X-Api-Key: $key" "$plan" | wc -c)"
# What a portal's browser sends; wrk does not decode the body, it reads Content-Length bytes.
browser="Accept-Encoding: gzip, deflate, br"
coding="$(curl -fs -D - -o /dev/null -H "X-Api-Key: $key" -H "$browser" "$plan" | tr -d '\r' | awk -F': ' 'tolower($1)=="content-encoding"{print $2}')"
coded_bytes="$(curl -fs -H "X-Api-Key: $key" -H "$browser" "$plan" | wc -c)"
[[ -n "$coding" ]] || { echo "no Content-Encoding for '$browser'"; exit 1; }
[[ "$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $key" -H "If-None-Match: $etag" "$plan")" == 304 ]] || { echo "no 304 for $etag"; exit 1; }

# Warm-up (pools, the document cache, and the JIT: tiered compilation keeps recompiling hot methods for many seconds
# after start, and a first round measured during it is not the service's steady state): every endpoint, twice.
for _ in 1 2; do
  wrk -t "$threads" -c "$connections" -d 3s "$base/health/live" >/dev/null
  wrk -t "$threads" -c "$connections" -d 3s -H "X-Api-Key: $key" "$plan" >/dev/null
  wrk -t "$threads" -c "$connections" -d 3s -H "X-Api-Key: $key" -H "$browser" "$plan" >/dev/null
  wrk -t "$threads" -c "$connections" -d 3s -H "X-Api-Key: $key" -H "If-None-Match: $etag" "$plan" >/dev/null
done

run() { # name, wrk args...
  local name="$1"; shift
  local out; out="$(wrk -t "$threads" -c "$connections" -d "$duration" --latency "$@")"
  local rps p99 non2xx
  rps="$(awk '/^Requests\/sec:/{print $2}' <<<"$out")"
  p99="$(awk '$1=="99%"{print $2}' <<<"$out")"
  non2xx="$(awk '/Non-2xx or 3xx responses:/{print $5}' <<<"$out")"
  printf '  %-44s %10s req/s   p99 %8s   non-2xx/3xx %s\n' "$name" "$rps" "$p99" "${non2xx:-0}" >&2
  echo "$rps $p99"
}
to_ms() { awk -v v="$1" 'BEGIN{ if (v ~ /us$/) {sub(/us$/,"",v); print v/1000} else if (v ~ /ms$/) {sub(/ms$/,"",v); print v+0} else if (v ~ /s$/) {sub(/s$/,"",v); print v*1000} else print v }'; }

echo "Portal read benchmark — wrk -t$threads -c$connections -d$duration x $rounds rounds, $(nproc) cores, SQLite, plan $plan_id ($bytes bytes, $coded_bytes as $coding)" >&2
echo "  (the four rows alternate within each round, so a busy machine slows them alike; ratios are per round)" >&2
results=()
for round in $(seq 1 "$rounds"); do
  echo " round $round" >&2
  read -r live_rps live_p99 < <(run "GET /health/live" "$base/health/live")
  read -r plan_rps plan_p99 < <(run "GET /plans/{id} (reader key, 200)" -H "X-Api-Key: $key" "$plan")
  read -r coded_rps coded_p99 < <(run "GET /plans/{id} (browser, 200 $coding)" -H "X-Api-Key: $key" -H "$browser" "$plan")
  read -r nm_rps nm_p99 < <(run "GET /plans/{id} (If-None-Match, 304)" -H "X-Api-Key: $key" -H "If-None-Match: $etag" "$plan")
  results+=("$live_rps $plan_rps $nm_rps $(to_ms "$plan_p99") $(to_ms "$nm_p99") $coded_rps $(to_ms "$coded_p99")")
done

printf '%s\n' "${results[@]}" | awk -v coding="$coding" '
  { r200[NR] = $2 / $1; r304[NR] = $3 / $1; p200[NR] = $4; p304[NR] = $5; rc[NR] = $6 / $1; pc[NR] = $7;
    printf "  round %d: plan 200 / live %.0f%%, p99 %.2f ms; plan 200 %s / live %.0f%%, p99 %.2f ms; plan 304 / live %.0f%%, p99 %.2f ms\n",
           NR, 100*r200[NR], $4, coding, 100*rc[NR], $7, 100*r304[NR], $5 }
  function median(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
                                     return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
  END {
    m200 = median(r200, NR); m304 = median(r304, NR); q200 = median(p200, NR); q304 = median(p304, NR); mc = median(rc, NR); qc = median(pc, NR);
    printf "  median: plan 200 / live %.0f%% (target >= 50%%), p99 %.2f ms (target < 15 ms): %s\n", 100*m200, q200, (m200 >= 0.5 && q200 < 15) ? "met" : "NOT met";
    printf "  median: plan 200 %s / live %.0f%% (target >= 50%%), p99 %.2f ms (target < 15 ms): %s\n", coding, 100*mc, qc, (mc >= 0.5 && qc < 15) ? "met" : "NOT met";
    printf "  median: plan 304 / live %.0f%% (target >= 70%%), p99 %.2f ms: %s\n", 100*m304, q304, (m304 >= 0.7) ? "met" : "NOT met";
  }'
