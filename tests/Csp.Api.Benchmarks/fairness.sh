#!/usr/bin/env bash
# Issue 18: the fairness benchmark (see docs/benchmarks.md), in Release, against the API on 127.0.0.1 and a temp
# SQLite file. Extra arguments go to the benchmark: --seconds 15 (how long A pushes), or --atomic-job 100000 (A sends one atomic job of that many rows instead; with --bad-last-row its last row has an impossible period, so the job is rejected).
# Set ARTIFACTS to build into a separate artifacts folder (default: the projects' bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_release --bench
exec timeout 300 dotnet "$bench" --fairness --api "$api" "$@"
