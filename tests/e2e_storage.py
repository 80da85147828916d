"""End-to-end: the data directory through the real binary — a damaged log
stops start-up with the file and byte offset (exit 4), `examflow repair`
recovers the prefix, a torn tail is cut and kept aside, backup and export work
on a copy, files are 0600 in a 0700 directory.
not tested: a real full disk (tests/unit_store.c simulates it with RLIMIT_FSIZE)."""
import os
import stat

def env(t):
    return t.env(EXAMFLOW_TASKS_FILE=t.bank(), EXAMFLOW_TASKS_MODE="replace")


def make_data(t):
    """A data dir with a few committed batches, written by the demo (subject
    "t", task number 2 of the fixture bank, answered right)."""
    data = os.path.join(t.tmp, "data")
    p = t.run(["demo", "--data", data], env=env(t), input="1\n2\n4\n/stats\n/help\n/quit\n")
    t.eq(p.returncode, 0, "demo: " + p.stderr)
    return data


def test_files_are_private(t):
    data = make_data(t)
    t.eq(stat.S_IMODE(os.stat(data).st_mode), 0o700, "data_dir mode")
    for f in ("events.log", "lock"):
        t.eq(stat.S_IMODE(os.stat(os.path.join(data, f)).st_mode), 0o600, f + " mode")


def test_bad_record_stops_startup_and_repair_recovers(t):
    data = make_data(t)
    log = os.path.join(data, "events.log")
    raw = bytearray(open(log, "rb").read())
    lines = raw.split(b"\n")
    off = sum(len(l) + 1 for l in lines[:3]) + 2
    raw[off] ^= 0x20  # flip a bit in the fourth line
    open(log, "wb").write(raw)
    e = env(t)
    e["EXAMFLOW_DATA_DIR"] = data
    p = t.run(["demo", "--data", data], env=e, input="/quit\n")
    t.eq(p.returncode, 4, "start-up refuses damaged data (exit 4): " + p.stderr)
    t.check("byte offset" in p.stderr and "examflow repair" in p.stderr, p.stderr)
    r = t.run(["repair"], env=e)
    t.eq(r.returncode, 0, "repair: " + r.stdout + r.stderr)
    t.check("quarantine" in r.stdout, r.stdout)
    p = t.run(["demo", "--data", data], env=e, input="/quit\n")
    t.eq(p.returncode, 0, "starts after repair: " + p.stderr)


def test_torn_tail_is_cut_and_kept(t):
    data = make_data(t)
    log = os.path.join(data, "events.log")
    raw = open(log, "rb").read()
    open(log, "wb").write(raw[:-7])  # a write cut short by a crash
    e = env(t)
    p = t.run(["demo", "--data", data], env=e, input="/stats\n/quit\n")
    t.eq(p.returncode, 0, "starts with a torn tail: " + p.stderr)
    torn = [f for f in os.listdir(data) if f.startswith("events.log.torn-")]
    t.eq(len(torn), 1, "torn tail kept aside: %r" % os.listdir(data))


def test_backup_and_export(t):
    data = make_data(t)
    e = env(t)
    e["EXAMFLOW_DATA_DIR"] = data
    dest = os.path.join(t.tmp, "backup")
    b = t.run(["backup", dest], env=e)
    t.eq(b.returncode, 0, "backup: " + b.stdout + b.stderr)
    t.check("verified" in b.stdout, b.stdout)
    e2 = dict(e, EXAMFLOW_DATA_DIR=dest)
    x = t.run(["export", "users"], env=e2)
    t.eq(x.returncode, 0, "export from the backup: " + x.stderr)
    rows = x.stdout.strip().splitlines()
    t.check(rows[0].startswith("user_id,name,") and len(rows) == 2, x.stdout)
    t.check(",10,2," in rows[1] or ",10,1," in rows[1], "points and level of the demo student: " + rows[1])
    bad = t.run(["export", "nonsense"], env=e)
    t.eq(bad.returncode, 2, "usage error")
