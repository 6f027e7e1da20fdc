#!/usr/bin/env bash
# The push benchmark with and without the data-quality checks (bounds, outliers, two validation rules per indicator), in Release,
# against the API on 127.0.0.1 and a temp SQLite file. Extra arguments go to quality.py, e.g. ./quality.sh --batches 20 --rounds 3.
# Needs python3. Set ARTIFACTS to build into a separate artifacts folder (default: the project's bin/).
set -euo pipefail
source "$(dirname "$0")/lib.sh"
build_release
exec timeout 1200 python3 "$(dirname "$0")/quality.py" --api "$api" "$@"
