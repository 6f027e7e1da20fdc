#!/usr/bin/env bash
# The committee report benchmark (issue 20, point 6): the demo plan's report in HTML, warm (served from the report cache, as
# every read is until something in the partnership changes) and rebuilt (a cache miss on every request: each asks for another
# `since`, so the report is read, its charts drawn and the page rendered each time), with Markdown and Word for comparison.
# Sequential requests with curl (one at a time, so the figure is the report's own latency, not queueing), Release build,
# API on 127.0.0.1 in Development on a temp SQLite file (the Southwark demo), rate limiting off. Bounded: N requests each.
#   ./report.sh                 # 200 requests per case
#   N=500 PORT=5390 ./report.sh
# Set ARTIFACTS to build into a separate artifacts folder (default: the project's bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
n="${N:-200}"
port="${PORT:-5089}"
key="csp_demoreader_southwark-demo-read-key-not-secret"
base="http://127.0.0.1:$port"

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
report="$plans/$plan_id/report"
first_ms="$(curl -fs -o /dev/null -w '%{time_total}' -H "X-Api-Key: $key" "$report" | awk '{printf "%.1f", $1 * 1000}')"
html_bytes="$(curl -fs -H "X-Api-Key: $key" "$report" | wc -c)"
docx_bytes="$(curl -fs -H "X-Api-Key: $key" "$report?format=docx" | wc -c)"

# times URL-MAKER: N sequential requests, one latency (ms) per line. The maker prints the URL of request i.
times() {
  local make="$1" i
  for i in $(seq 1 "$n"); do
    curl -fs -o /dev/null -w '%{time_total}\n' -H "X-Api-Key: $key" "$($make "$i")"
  done | awk '{print $1 * 1000}'
}
stats() { # name: reads latencies (ms) on stdin, prints p50, p95, p99, max
  sort -n | awk -v name="$1" '{a[NR]=$1} END {
    printf "  %-44s p50 %7.1f ms   p95 %7.1f ms   p99 %7.1f ms   max %7.1f ms   (n=%d)\n", name,
      a[int(NR*0.50+0.5)], a[int(NR*0.95+0.5)], a[int(NR*0.99+0.5)], a[NR], NR }'
}
warm_html() { echo "$report"; }
warm_md() { echo "$report?format=markdown"; }
warm_docx() { echo "$report?format=docx"; }
# A different `since` per request (days back from 2000-01-01): a cache miss each time, so the report is rebuilt.
rebuilt() { echo "$report?since=$(date -u -d "2000-01-01 + $1 days" +%F)"; }
rebuilt_docx() { echo "$report?format=docx&since=$(date -u -d "2001-01-01 + $1 days" +%F)"; }

# Warm-up: pools, the JIT (tiered compilation settles late), the cache.
for i in $(seq 1 50); do
  curl -fs -o /dev/null -H "X-Api-Key: $key" "$report"
  curl -fs -o /dev/null -H "X-Api-Key: $key" "$(rebuilt "$((100000 + i))")"
done

echo "Report of the demo plan ($html_bytes bytes of HTML, $docx_bytes bytes of Word); first request after start: $first_ms ms"
times warm_html | stats "HTML, warm (cached)"
times rebuilt | stats "HTML, rebuilt every request"
times warm_md | stats "Markdown, warm (cached)"
times warm_docx | stats "Word, warm (cached)"
times rebuilt_docx | stats "Word, rebuilt every request"
