# Sourced by the benchmark scripts: the repository root, and a Release build of the API (and, when asked, of this benchmark
# project) into the projects' bin/, or into $ARTIFACTS when it is set (a separate folder, so a build here does not disturb the
# Debug build of the tests). Sets api (and bench) to the built assemblies.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

build_release() { # build_release [--bench]
  local out=() projects=("$root/api/Csp.Api.csproj")
  [[ "${1:-}" == "--bench" ]] && projects+=("$root/tests/Csp.Api.Benchmarks/Csp.Api.Benchmarks.csproj")
  [[ -n "${ARTIFACTS:-}" ]] && out=(--artifacts-path "$ARTIFACTS")
  for project in "${projects[@]}"; do dotnet build "$project" -c Release "${out[@]}" -v q -nologo >/dev/null; done
  if [[ -n "${ARTIFACTS:-}" ]]; then
    api="$ARTIFACTS/bin/Csp.Api/release/Csp.Api.dll"
    bench="$ARTIFACTS/bin/Csp.Api.Benchmarks/release/Csp.Api.Benchmarks.dll"
  else
    api="$root/api/bin/Release/net10.0/Csp.Api.dll"
    bench="$root/tests/Csp.Api.Benchmarks/bin/Release/net10.0/Csp.Api.Benchmarks.dll"
  fi
}
