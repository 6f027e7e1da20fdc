#!/usr/bin/env python3
"""The push benchmark with and without the data-quality checks (issue 19, point 4).

Starts the API (Release) on 127.0.0.1 with a fresh SQLite file and two partnerships of the same shape: 10 monthly indicators
pushed for 100 wards, 24 months of history each. "plain" has no bounds, no rules and the outlier check off (outlierThreshold 0);
"quality" has bounds, the outlier check (3.5) and two validation rules on every indicator (rule i: IND-i <= IND-i + IND-(i+1),
so each indicator is in two). Then, for each kind of row, it pushes 1,000-row batches (one month of 10 indicators x 100 wards),
alternating the two partnerships batch by batch so both see the same machine load:
  new        months not stored yet;
  restated   the same months again, every value changed;
  unchanged  the same months again, every value as stored.
Before all that, --warmup seconds (default 20) of the same pushes go to two other partnerships of the same two shapes, so that what
is measured is the service's optimised code (tiered compilation recompiles hot code only after it has run a while).
It prints rows/s for each and the ratio quality / plain (and the same ratio from the median push's time, which a WAL checkpoint
landing on one push moves less). Usage: quality.py --api path/to/Csp.Api.dll [--batches 20] [--rounds 3]
"""
import argparse, http.client, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time, uuid

PLATFORM_KEY = "csp_platform_benchmark-operator-key"
INDICATORS, WARDS, HISTORY = 10, 100, 24


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Api:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method, path, body=None, key=PLATFORM_KEY, raw=None):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"X-Api-Key": key}
        if data is not None:
            headers["Content-Type"] = "application/json"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {text[:400]!r}")
        return json.loads(text) if text else None


def month(m):  # m = 0 is 2020-01
    return f"{2020 + m // 12}-{m % 12 + 1:02d}"


def rows(m, restated=False, wards_from=0):
    out = []
    for w in range(WARDS):
        for i in range(INDICATORS):
            value = 100 + (w * 7 + i * 13 + m) % 20 + (1 if restated else 0)
            out.append({"indicator": f"IND-{i}", "period": month(m), "area": f"E05{wards_from + w:06d}", "value": value,
                        "status": "provisional"})
    return json.dumps({"observations": out}).encode()


def setup(api, slug, quality):
    api.call("POST", "/v1/partnerships", {"slug": slug, "name": slug, "areaCode": "E09000028", "publicRead": False, "areaCheck": "off"})
    agency = api.call("POST", f"/v1/partnerships/{slug}/agencies", {"code": "MET", "name": "Met Police", "kind": "police"})["id"]
    for i in range(INDICATORS):
        body = {"code": f"IND-{i}", "name": f"Indicator {i}", "unit": "count", "direction": "decrease", "frequency": "monthly",
                "sourceAgencyId": agency, "outlierThreshold": 3.5 if quality else 0}
        if quality:
            body["bounds"] = {"min": 0, "max": 1000}
        api.call("POST", f"/v1/partnerships/{slug}/indicators", body)
    if quality:
        for i in range(INDICATORS):
            api.call("POST", f"/v1/partnerships/{slug}/validation-rules", {
                "code": f"R-{i}", "left": f"IND-{i}", "operator": "less_than_or_equal_to", "right": f"IND-{i} + IND-{(i + 1) % INDICATORS}"})
    key = api.call("POST", f"/v1/partnerships/{slug}/clients",
                   {"name": "feed", "agencyId": agency, "scopes": ["observations:write"]})["key"]
    return key


def push(api, slug, key, body, expect):
    started = time.perf_counter()
    result = api.call("POST", f"/v1/partnerships/{slug}/observations", key=key, raw=body)
    elapsed = time.perf_counter() - started
    if result["status"] != "ok" or result[expect] != INDICATORS * WARDS:
        raise RuntimeError(f"{slug}: expected {expect}, got {json.dumps(result)[:400]}")
    return elapsed, len(result.get("warnings", []))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api", required=True)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=20, help="seconds of pushes to partnerships that are not measured")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="csp-quality-bench-")
    port = free_port()
    env = dict(os.environ, ASPNETCORE_URLS=f"http://127.0.0.1:{port}", ASPNETCORE_ENVIRONMENT="Production",
               ConnectionStrings__Csp=f"Data Source={os.path.join(folder, 'bench.db')}", Auth__PlatformKey=PLATFORM_KEY,
               RateLimiting__Enabled="false", Database__SeedDemoData="false", Database__CreateIfMissing="true", Logging__LogLevel__Default="Warning")
    process = subprocess.Popen(["dotnet", args.api], cwd=os.path.dirname(os.path.abspath(args.api)), env=env,
                               stdout=subprocess.DEVNULL, stderr=sys.stderr)
    try:
        deadline = time.time() + 60
        while True:
            try:
                Api(port).call("GET", "/health/live")
                break
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    raise
                time.sleep(0.2)
        api = Api(port)
        # Warm-up on two partnerships of the same shape that are not measured: the runtime compiles hot code again, optimised,
        # only after it has run a while (tiered compilation), as it will have in a service that has been up for some time.
        warm = {"warm-plain": setup(api, "warm-plain", False), "warm-quality": setup(api, "warm-quality", True)}
        started, m = time.time(), 0
        while time.time() - started < args.warmup or m < HISTORY:
            # 48 months (all in the past), then again for another hundred wards.
            month_of, wards_from = m % 48, (m // 48 + 1) * 1000
            for slug, key in warm.items():
                push(api, slug, key, rows(month_of, wards_from=wards_from), "created")
                push(api, slug, key, rows(month_of, restated=True, wards_from=wards_from), "updated")
                push(api, slug, key, rows(month_of, restated=True, wards_from=wards_from), "unchanged")
            m += 1
        print(f"warm-up done ({m} months in {time.time() - started:.0f} s)", file=sys.stderr)
        keys = {"plain": setup(api, "plain", False), "quality": setup(api, "quality", True)}
        for slug, key in keys.items():  # 24 months of history
            for m in range(HISTORY):
                push(api, slug, key, rows(m), "created")
        print(f"history ready ({HISTORY} months x {INDICATORS * WARDS} rows per partnership)", file=sys.stderr)
        totals = {(kind, slug): [0.0, 0] for kind in ("new", "restated", "unchanged") for slug in keys}
        warned = {slug: 0 for slug in keys}
        times = {}
        first = HISTORY
        for r in range(args.rounds):
            months = list(range(first, first + args.batches))
            first += args.batches
            for kind, expect in (("new", "created"), ("restated", "updated"), ("unchanged", "unchanged")):
                bodies = [rows(m, restated=kind != "new") for m in months]
                for body in bodies:
                    order = ("plain", "quality") if len(bodies) % 2 == 0 else ("quality", "plain")
                    for slug in order:
                        elapsed, warnings = push(api, slug, keys[slug], body, expect)
                        totals[(kind, slug)][0] += elapsed
                        totals[(kind, slug)][1] += INDICATORS * WARDS
                        times.setdefault((kind, slug), []).append(elapsed)
                        warned[slug] += warnings
            print(f"round {r + 1} done", file=sys.stderr)
        print(f"\nPush benchmark with and without data-quality checks - SQLite file, {os.cpu_count()} cores, "
              f"{args.rounds} rounds x {args.batches} batches of {INDICATORS * WARDS} rows per kind, load average {os.getloadavg()[0]:.1f}")
        for kind in ("new", "restated", "unchanged"):
            plain = totals[(kind, "plain")][1] / totals[(kind, "plain")][0]
            quality = totals[(kind, "quality")][1] / totals[(kind, "quality")][0]
            median = statistics.median(times[(kind, "plain")]) / statistics.median(times[(kind, "quality")])
            print(f"  {kind:<10} plain {plain:>9,.0f} rows/s   quality {quality:>9,.0f} rows/s   quality/plain {quality / plain:6.0%}"
                  f"   (by the median push: {median:.0%})")
        print(f"  warnings returned: plain {warned['plain']}, quality {warned['quality']}")
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
