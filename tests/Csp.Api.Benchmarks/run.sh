#!/usr/bin/env bash
# The batch push benchmark (issue 4, point 8), in Release, against the API on 127.0.0.1 and a temp
# SQLite file. Extra arguments go to the benchmark, e.g. ./run.sh --batches 200 --concurrency 4 --shape mixed
# (rows: "monthly", the default, one month per batch as the monthly feeds send it; "mixed", 12 months per batch).
# Set ARTIFACTS to build into a separate artifacts folder (default: the projects' bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_release --bench
exec timeout 600 dotnet "$bench" --api "$api" "$@"
