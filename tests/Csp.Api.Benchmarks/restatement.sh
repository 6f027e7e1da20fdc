#!/usr/bin/env bash
# Issue 18: the restatement benchmark (see docs/benchmarks.md), in Release, against the API on 127.0.0.1 and a temp
# SQLite file. Extra arguments go to the benchmark: --batches 60 --concurrency 2 (1,000-row batches of each shape).
# Set ARTIFACTS to build into a separate artifacts folder (default: the projects' bin/).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
if [[ -n "${ARTIFACTS:-}" ]]; then
  dotnet build "$root/api/Csp.Api.csproj" -c Release --artifacts-path "$ARTIFACTS" -v q -nologo
  dotnet build "$root/tests/Csp.Api.Benchmarks/Csp.Api.Benchmarks.csproj" -c Release --artifacts-path "$ARTIFACTS" -v q -nologo
  api="$ARTIFACTS/bin/Csp.Api/release/Csp.Api.dll"
  bench="$ARTIFACTS/bin/Csp.Api.Benchmarks/release/Csp.Api.Benchmarks.dll"
else
  dotnet build "$root/api/Csp.Api.csproj" -c Release -v q -nologo
  dotnet build "$root/tests/Csp.Api.Benchmarks/Csp.Api.Benchmarks.csproj" -c Release -v q -nologo
  api="$root/api/bin/Release/net10.0/Csp.Api.dll"
  bench="$root/tests/Csp.Api.Benchmarks/bin/Release/net10.0/Csp.Api.Benchmarks.dll"
fi
exec timeout 300 dotnet "$bench" --restatement --api "$api" "$@"
