#!/usr/bin/env bash
# Several builds of the API side by side on the plan-read rows (/health/live, the whole plan as is, its 304), to tell what a
# change to the read path costs on a shared machine: each build runs in its own process on its own demo database (idle while
# another is measured), the rows of every build alternate within each round, and besides req/s each row reports the server's
# CPU time per request (utime+stime of its process over the row / requests served), which other load on the machine moves far
# less than it moves throughput. Release builds, Development (demo data and reader key), rate limiting off.
#   ./plan-read-compare.sh /path/to/checkout-a /path/to/checkout-b ...   # each a checkout (git worktree, git archive) of the repo
#   ROUNDS=5 DURATION=2s WARMUPS=3 ./plan-read-compare.sh ...
set -euo pipefail
rounds="${ROUNDS:-5}"; duration="${DURATION:-2s}"; warmups="${WARMUPS:-3}"
key="csp_demoreader_southwark-demo-read-key-not-secret"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
(( $# > 0 )) || { echo "usage: $0 checkout..."; exit 2; }

names=(); bases=(); plans=(); etags=(); pids=(); works=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; rm -rf "${works[@]}"; }
trap cleanup EXIT
port=5500
for checkout in "$@"; do
  name="$(basename "$checkout")"; work="$(mktemp -d)"; port=$((port + 1)); base="http://127.0.0.1:$port"
  dotnet build "$checkout/api/Csp.Api.csproj" -c Release --artifacts-path "$work/artifacts" -v q -nologo >/dev/null
  ASPNETCORE_ENVIRONMENT=Development ConnectionStrings__Csp="Data Source=$work/csp.db" RateLimiting__Enabled=false \
    Logging__LogLevel__Default=Warning DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    dotnet "$work/artifacts/bin/Csp.Api/release/Csp.Api.dll" --urls "$base" >"$work/api.log" 2>&1 &
  pids+=($!); works+=("$work"); names+=("$name"); bases+=("$base")
done
for i in "${!bases[@]}"; do
  for _ in $(seq 1 120); do curl -fs "${bases[$i]}/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
  list="${bases[$i]}/v1/partnerships/southwark/plans"
  id="$(curl -fs -H "X-Api-Key: $key" "$list/current" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')"
  plans+=("$list/$id")
  etags+=("$(curl -fs -D - -o /dev/null -H "X-Api-Key: $key" "$list/$id" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')")
done

# Warm-up: tiered compilation keeps recompiling hot methods for many seconds after start.
for _ in $(seq 1 "$warmups"); do
  for i in "${!bases[@]}"; do
    wrk -t2 -c64 -d3s "${bases[$i]}/health/live" >/dev/null
    wrk -t2 -c64 -d3s -H "X-Api-Key: $key" "${plans[$i]}" >/dev/null
    wrk -t2 -c64 -d3s -H "X-Api-Key: $key" -H "If-None-Match: ${etags[$i]}" "${plans[$i]}" >/dev/null
  done
done

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
row() { # pid, wrk args -> "req/s p99 cpu-us-per-request"
  local pid="$1"; shift
  local before after out
  before="$(ticks "$pid")"; out="$(wrk -t2 -c64 -d"$duration" --latency "$@")"; after="$(ticks "$pid")"
  awk -v b="$before" -v a="$after" -v hz="$(getconf CLK_TCK)" '
    /requests in/ { n = $1 } /^Requests\/sec:/ { r = $2 } $1 == "99%" { p = $2 }
    END { printf "%s %s %.1f\n", r, p, (a - b) * 1e6 / hz / n }' <<<"$out"
}
echo "plan-read compare — wrk -t2 -c64 -d$duration x $rounds rounds, $(nproc) cores, $(date -Is), load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  for i in "${!bases[@]}"; do
    read -r lr lp lc < <(row "${pids[$i]}" "${bases[$i]}/health/live")
    read -r pr pp pc < <(row "${pids[$i]}" -H "X-Api-Key: $key" "${plans[$i]}")
    read -r nr np nc < <(row "${pids[$i]}" -H "X-Api-Key: $key" -H "If-None-Match: ${etags[$i]}" "${plans[$i]}")
    awk -v n="${names[$i]}" -v r="$round" -v lr="$lr" -v lp="$lp" -v lc="$lc" -v pr="$pr" -v pp="$pp" -v pc="$pc" \
        -v nr="$nr" -v np="$np" -v nc="$nc" 'BEGIN {
      printf "round %d %-12s live %6.0f/s %5.1f us p99 %-8s | 200 %6.0f/s %3.0f%% %5.1f us p99 %-8s | 304 %6.0f/s %3.0f%% %5.1f us p99 %s\n",
             r, n, lr, lc, lp, pr, 100 * pr / lr, pc, pp, nr, 100 * nr / lr, nc, np }'
  done
done
