#!/usr/bin/env python3
# Issue 18, point 3: the floor the storage sets under the push (see docs/benchmarks.md). Raw SQLite, no API: after 200,000
# existing rows, 60 transactions of 1,000 rows in the restatement benchmark's download order, inserted (new), then updated
# (without the revision a push also writes), then updated again each with its revision row (restated, as a push writes it),
# into the observations and revisions tables as they are (text keys: GUIDs, ISO timestamps) and into the same tables with
# compact keys (integers), and into the tables as they are with each GUID stored as 16 bytes (blob-ids). WAL, 64 MB cache, as
# the API's writer. Each twice. Other kinds, by --kinds: int-keys (the tables as they are but the partnership and indicator
# integers), rev-clustered (the revisions clustered on their observation's key and id, with no other index).
# Usage: python3 tests/Csp.Api.Benchmarks/storage-floor.py [folder] [--kinds text,blob-ids,compact] [--page-size 4096]
#        [--group 1]   (folder default /tmp; about a minute; the files are removed. --group N: N batches per transaction)
import os, sqlite3, sys, time, uuid
args = sys.argv[1:]
def opt(name, default):
    if name not in args: return default
    i = args.index(name); value = args[i + 1]; del args[i:i + 2]; return value
KINDS = opt("--kinds", "text,blob-ids,compact").split(","); PAGE = int(opt("--page-size", "4096")); GROUP = int(opt("--group", "1"))
P = str(uuid.uuid4()); IND = [str(uuid.uuid4()) for _ in range(28)]; CLIENT = str(uuid.uuid4())
def period(m): y, mm = divmod(2024*12 + 11 - m, 12); return f"{y}-{mm+1:02d}"
BOROUGH = 28*24*24
def key(n):  # download order: borough n//16128 has wards 24b..24b+23
    b, i = divmod(n, BOROUGH); return i // 576, i // 24 % 24, b*24 + i % 24
def run(kind, path):
    if os.path.exists(path): os.remove(path)
    c = sqlite3.connect(path, isolation_level=None); c.execute(f"PRAGMA page_size={PAGE}"); c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA cache_size=-65536")
    if kind in ("text", "blob-ids", "int-keys", "rev-clustered"):
        # blob-ids: the same tables with each GUID stored as its 16 bytes instead of 36 characters (SQL Server's uniqueidentifier)
        g = (lambda t: uuid.UUID(t).bytes) if kind == "blob-ids" else (lambda t: t)
        P_, IND_, CLIENT_ = g(P), [g(i) for i in IND], g(CLIENT)
        if kind == "int-keys": P_, IND_ = 7, list(range(100, 128))
        c.executescript("""CREATE TABLE o (partnership_id TEXT NOT NULL, indicator_id TEXT NOT NULL, period TEXT NOT NULL, area TEXT NOT NULL,
          period_start TEXT NOT NULL, period_end TEXT NOT NULL, value TEXT NOT NULL, status TEXT NOT NULL, note TEXT NULL, client_id TEXT NULL,
          version INTEGER NOT NULL DEFAULT 1, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
          PRIMARY KEY (partnership_id, indicator_id, period, area)) WITHOUT ROWID;
          CREATE INDEX ix ON o (partnership_id, indicator_id, area, period);
          CREATE TABLE r (partnership_id TEXT NOT NULL, id TEXT NOT NULL, indicator_id TEXT NOT NULL, period TEXT NOT NULL,
          area TEXT NOT NULL, old_value TEXT NOT NULL, old_status TEXT NOT NULL, old_note TEXT NULL, old_client_id TEXT NULL,
          old_recorded_at TEXT NOT NULL, new_value TEXT NULL, new_status TEXT NULL, new_note TEXT NULL, new_client_id TEXT NULL,
          revised_at TEXT NOT NULL, reason TEXT NULL, PRIMARY KEY (partnership_id, id));
          CREATE INDEX rix ON r (partnership_id, indicator_id, period, area, id);""")
        if kind == "rev-clustered":
            c.executescript("""DROP TABLE r; CREATE TABLE r (partnership_id TEXT NOT NULL, id TEXT NOT NULL, indicator_id TEXT NOT NULL,
          period TEXT NOT NULL, area TEXT NOT NULL, old_value TEXT NOT NULL, old_status TEXT NOT NULL, old_note TEXT NULL,
          old_client_id TEXT NULL, old_recorded_at TEXT NOT NULL, new_value TEXT NULL, new_status TEXT NULL, new_note TEXT NULL,
          new_client_id TEXT NULL, revised_at TEXT NOT NULL, reason TEXT NULL,
          PRIMARY KEY (partnership_id, indicator_id, period, area, id)) WITHOUT ROWID;""")
        ins = "INSERT INTO o VALUES (?,?,?,?,?,?,?,?,NULL,?,1,?,?)"
        upd = "UPDATE o SET value=?, version=version+1, updated_at=? WHERE partnership_id=? AND indicator_id=? AND period=? AND area=?"
        def row(n, v):
            i, m, w = key(n); p = period(m); ts = "2026-12-02T15:55:00.1234567Z"
            return (P_, IND_[i], p, f"E05{w:06d}", p + "-01", p + "-28", str(v), "final", CLIENT_, ts, ts)
        def urow(n, v):
            i, m, w = key(n); return (str(v), "2026-12-02T15:56:00.1234567Z", P_, IND_[i], period(m), f"E05{w:06d}")
        rev = "INSERT INTO r VALUES (?,?,?,?,?,?,'final',NULL,?,?,?,'final',NULL,?,?,NULL)"
        def rrow(n, v, seq):  # UUIDv7-like ids, increasing as the API's are
            i, m, w = key(n)
            return (P_, g(f"0193d0a3-7f5e-7000-8000-{seq:012x}"), IND_[i], period(m), f"E05{w:06d}", str(v - 1), CLIENT_,
                    "2026-12-02T15:56:00.1234567Z", str(v), CLIENT_, "2026-12-02T15:57:00.1234567Z")
    else:
        c.executescript("""CREATE TABLE o (partnership INTEGER NOT NULL, indicator INTEGER NOT NULL, period INTEGER NOT NULL, area INTEGER NOT NULL,
          value TEXT NOT NULL, status INTEGER NOT NULL, note TEXT NULL, client INTEGER NULL, version INTEGER NOT NULL DEFAULT 1,
          created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (partnership, indicator, period, area)) WITHOUT ROWID;
          CREATE INDEX ix ON o (partnership, indicator, area, period);
          CREATE TABLE r (partnership INTEGER NOT NULL, id INTEGER NOT NULL, indicator INTEGER NOT NULL, period INTEGER NOT NULL,
          area INTEGER NOT NULL, old_value TEXT NOT NULL, old_status INTEGER NOT NULL, old_note TEXT NULL, old_client INTEGER NULL,
          old_recorded_at INTEGER NOT NULL, new_value TEXT NULL, new_status INTEGER NULL, new_note TEXT NULL, new_client INTEGER NULL,
          revised_at INTEGER NOT NULL, reason TEXT NULL, PRIMARY KEY (partnership, id));
          CREATE INDEX rix ON r (partnership, indicator, period, area, id);""")
        ins = "INSERT INTO o VALUES (?,?,?,?,?,?,NULL,?,1,?,?)"
        upd = "UPDATE o SET value=?, version=version+1, updated_at=? WHERE partnership=? AND indicator=? AND period=? AND area=?"
        def row(n, v):
            i, m, w = key(n); return (7, i, 24300 - m, w, str(v), 1, 3, 1764690900123, 1764690900123)
        def urow(n, v):
            i, m, w = key(n); return (str(v), 1764690960123, 7, i, 24300 - m, w)
        rev = "INSERT INTO r VALUES (?,?,?,?,?,?,1,NULL,?,?,?,1,NULL,?,?,NULL)"
        def rrow(n, v, seq):
            i, m, w = key(n); return (7, seq, i, 24300 - m, w, str(v - 1), 3, 1764690960123, str(v), 3, 1764691020123)
    # existing data: 200,000 rows, then 60 batches of new rows, then the same 60 batches restated
    for s in range(0, 200_000, 10_000):
        rows = [row(1_000_000 + n, n % 997 + .5) for n in range(s, s + 10_000)]
        c.execute("BEGIN"); c.executemany(ins, rows); c.execute("COMMIT")
    out = {}
    for shape in ("new", "updated", "restated"):
        value = {"new": 0.5, "updated": 1.5, "restated": 2.5}[shape]
        batches = [[(row if shape == "new" else urow)(n, n % 997 + value) for n in range(b*1000, b*1000+1000)] for b in range(60)]
        revisions = [[rrow(n, n % 997 + value, n + 1) for n in range(b*1000, b*1000+1000)] for b in range(60)]
        t = time.perf_counter()
        for k, (rows, revs) in enumerate(zip(batches, revisions)):
            if k % GROUP == 0: c.execute("BEGIN IMMEDIATE")
            c.executemany(ins if shape == "new" else upd, rows)
            if shape == "restated": c.executemany(rev, revs)
            if k % GROUP == GROUP - 1 or k == len(batches) - 1: c.execute("COMMIT")
        out[shape] = 60_000 / (time.perf_counter() - t)
    size = os.path.getsize(path) + os.path.getsize(path + "-wal"); c.close()
    return out, size
folder = args[0] if args else "/tmp"
print(f"SQLite {sqlite3.sqlite_version}, {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[0]}, "
      f"page size {PAGE}, {GROUP} batch(es) per transaction")
for kind in KINDS:
    for _ in range(2):
        path = os.path.join(folder, f"csp-storage-floor-{kind}.db")
        out, size = run(kind, path)
        for f in (path, path + "-wal", path + "-shm"):
            if os.path.exists(f): os.remove(f)
        print(f"{kind:13} new {out['new']:9,.0f} rows/s  updated {out['updated']:9,.0f} rows/s  "
              f"restated (update + revision) {out['restated']:9,.0f} rows/s   file {size/1e6:.0f} MB")
