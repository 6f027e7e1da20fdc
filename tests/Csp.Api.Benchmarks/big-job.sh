#!/usr/bin/env bash
# Issue 18: the 500,000-row job's memory (see docs/benchmarks.md), in Release, against the API on 127.0.0.1 and a temp
# SQLite file. Extra arguments go to the benchmark: --rows 500000.
# Set ARTIFACTS to build into a separate artifacts folder (default: the projects' bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_release --bench
exec timeout 600 dotnet "$bench" --big-job --api "$api" "$@"
