#!/usr/bin/env bash
# Issue 18: the restatement benchmark (see docs/benchmarks.md), in Release, against the API on 127.0.0.1 and a temp
# SQLite file. Extra arguments go to the benchmark: --batches 400 --concurrency 2 --order download (the defaults;
# 1,000-row batches of each shape; 60 batches are quicker but move by 2x from run to run; --order scattered: the worst case;
# --unchanged-rounds 5: the unchanged phase, ~1.5 s, sent 5 times, each round's rate and their median printed;
# --second-partnership: then a second partnership as large, resending all its rows unchanged while the first sends new ones).
# Set ARTIFACTS to build into a separate artifacts folder (default: the projects' bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_release --bench
exec timeout 300 dotnet "$bench" --restatement --api "$api" "$@"
