#!/usr/bin/env bash
# The SQLite WAL under load: two pushers restating ward figures (every push changes every value, so each one writes and
# makes the next plan read rebuild the document) while portals read the whole plan and observation series, for a
# bounded time on 127.0.0.1. Prints the -wal file's size every 5 s (and the peak of its size read every second) during the
# load and after it stops, and fails when
# the WAL reached LIMIT_MB or was not truncated (to at most 1 MB) within SETTLE seconds of the load stopping.
#   ./wal-load.sh                          # 60 s, 2 pushers of 336 rows, 8 plan readers, 8 observation readers
#   DURATION=30 PORT=5390 ./wal-load.sh
# Release build, API in Development on a temp SQLite file (the Southwark demo), rate limiting off.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
duration="${DURATION:-60}"
port="${PORT:-5089}"
limit_mb="${LIMIT_MB:-64}"
settle="${SETTLE:-30}"
base="http://127.0.0.1:$port"
reader="csp_demoreader_southwark-demo-read-key-not-secret"
police="csp_demopolice_southwark-demo-met-feed-key-not-secret"

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
build_release

work="$(mktemp -d)"
ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Csp="Data Source=$work/csp.db" RateLimiting__Enabled=false \
  Logging__LogLevel__Default=Warning DOTNET_CLI_TELEMETRY_OPTOUT=1 \
  dotnet "$api" --urls "$base" >"$work/api.log" 2>&1 &
api_pid=$!
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  kill "$api_pid" 2>/dev/null || true; wait "$api_pid" 2>/dev/null || true; rm -rf "$work"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  curl -fs "$base/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$base/health/ready" >/dev/null || { echo "API did not start:"; cat "$work/api.log"; exit 1; }

tenant="$base/v1/partnerships/southwark"
plan_id="$(curl -fs -H "X-Api-Key: $reader" "$tenant/plans/current" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
indicator_id="$(curl -fs -H "X-Api-Key: $reader" "$tenant/indicators?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')"

# A push of 4 police indicators x 84 months (2018-01 .. 2024-12) in the borough: 336 rows, every value new each time.
cat >"$work/push.lua" <<'LUA'
local n = 0
local codes = { "ROB-PERSONAL", "THEFT-PERSON", "VAWG-OFFENCES", "ASB-CALLS" }
request = function()
  n = n + 1
  local rows = {}
  for _, code in ipairs(codes) do
    for m = 0, 83 do
      local period = string.format("%04d-%02d", 2018 + math.floor(m / 12), m % 12 + 1)
      rows[#rows + 1] = string.format('{"indicator":"%s","period":"%s","area":"E09000028","value":%d,"status":"provisional"}',
        code, period, 100 + (n * 7 + m) % 500)
    end
  end
  return wrk.format("POST", nil, nil, '{"observations":[' .. table.concat(rows, ",") .. ']}')
end
LUA

wal() { local f="$work/csp.db-wal"; [[ -f "$f" ]] && stat -c %s "$f" || echo 0; }
mb() { awk -v b="$1" 'BEGIN{printf "%.1f", b/1048576}'; }

echo "WAL under load — ${duration}s: 2 pushers (336 rows each, every value changed), 8 whole-plan readers, 8 observation readers; $(nproc) cores"
wrk -t1 -c1 -d"${duration}s" -s "$work/push.lua" -H "X-Api-Key: $police" -H "Content-Type: application/json" "$tenant/observations" >"$work/push1.txt" & pids+=($!)
wrk -t1 -c1 -d"${duration}s" -s "$work/push.lua" -H "X-Api-Key: $police" -H "Content-Type: application/json" "$tenant/observations" >"$work/push2.txt" & pids+=($!)
wrk -t1 -c8 -d"${duration}s" -H "X-Api-Key: $reader" "$tenant/plans/$plan_id" >"$work/plan.txt" & pids+=($!)
wrk -t1 -c8 -d"${duration}s" -H "X-Api-Key: $reader" "$tenant/indicators/$indicator_id/observations?limit=200" >"$work/obs.txt" & pids+=($!)

peak=0
for t in $(seq 1 "$duration"); do
  sleep 1
  size="$(wal)"; (( size > peak )) && peak=$size
  (( t % 5 == 0 )) && printf '  t=%3ss  wal %8s MB   (peak so far %s MB)\n' "$t" "$(mb "$size")" "$(mb "$peak")"
done
for p in "${pids[@]}"; do wait "$p" || true; done
pids=()
for f in push1 push2 plan obs; do
  printf '  %-6s %s req/s, non-2xx/3xx %s\n' "$f" "$(awk '/^Requests\/sec:/{print $2}' "$work/$f.txt")" \
    "$(awk '/Non-2xx or 3xx responses:/{print $5}' "$work/$f.txt")"
done

settled=""
for t in $(seq 1 "$settle"); do
  sleep 1
  size="$(wal)"
  if (( t % 5 == 0 )); then printf '  stopped +%2ss  wal %8s MB\n' "$t" "$(mb "$size")"; fi
  if (( size <= 1048576 )); then settled="$t"; break; fi
done
echo "peak WAL $(mb "$peak") MB (limit $limit_mb MB); after the load: $(mb "$(wal)") MB${settled:+ within ${settled}s}"
grep -E "fail|error|Exception" "$work/api.log" | head -5 || true
for f in push1 push2 plan obs; do
  bad="$(awk '/Non-2xx or 3xx responses:/{print $5}' "$work/$f.txt")"
  [[ -z "$bad" ]] || { echo "FAIL: $f had $bad answers other than 2xx/3xx"; exit 1; }
done
(( peak < limit_mb * 1048576 )) || { echo "FAIL: the WAL reached $(mb "$peak") MB"; exit 1; }
[[ -n "$settled" ]] || { echo "FAIL: the WAL was not truncated within ${settle}s of the load stopping"; exit 1; }
echo "OK"
