#!/usr/bin/env python3
"""The test runner behind `make test`.

For every suite (release, asan: a binary plus a directory of unit-test
binaries built the same way) it runs each unit-test binary and each
tests/e2e_*.py file in its own process, reads their "NAME: N passed, N failed"
lines, and ends with one line "N passed, N failed" for everything.  Exit
status is non-zero if anything failed, crashed or timed out.

The files are independent (every test has its own temporary directory and
ports picked by the kernel), so they run in a pool of worker processes
(--jobs, default TEST_JOBS or 5 per CPU: the end-to-end tests mostly wait on
sockets and timers).  The slow end-to-end files are split into shards that
run side by side (SHARDS below; `lib.py --shard I/N` runs every N-th test).
The longest jobs start first, ordered by the timings of the previous run
(tests/build/test-times.json; a static guess without it).  Each file prints
one line when it is done; the summary names the slowest files and tests.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys
import threading
import time

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
TIMES_FILE = os.path.join(TESTS_DIR, "build", "test-times.json")
SUMMARY = re.compile(r"^(\S+): (\d+) passed, (\d+) failed$")
TEST_LINE = re.compile(r"^(ok  |FAIL) (\S+) \((\d+\.\d)s\)")
UNIT_TIMEOUT = 900  # seconds; the storage kill -9 loop (make chaos) is the slowest
E2E_TIMEOUT = 900
# Files whose tests are spread over this many processes (each shard runs
# every N-th test of the file).
SHARDS = {"e2e_telegram.py": 4, "e2e_watchdog.py": 4, "e2e_ai.py": 3, "e2e_health.py": 2, "e2e_update.py": 2,
          "e2e_broadcast.py": 3, "e2e_windows.py": 4}
# Without timings from an earlier run: a rough idea of each file's length.
GUESS = {"e2e_telegram.py": 100, "e2e_watchdog.py": 100, "e2e_update.py": 95, "e2e_ai.py": 50, "e2e_health.py": 30,
         "e2e_bank.py": 27, "e2e_windows.py": 30, "e2e_review.py": 21, "e2e_broadcast.py": 50, "e2e_generators.py": 15,
         "e2e_deploy.py": 10,
         "unit_watchdog": 10, "unit_health": 8, "unit_update": 6, "unit_http": 6, "unit_store": 4}

print_lock = threading.Lock()


class Job:
    def __init__(self, suite, name, cmd, timeout, env, shard=None):
        self.suite, self.name, self.cmd, self.timeout, self.env = suite, name, cmd, timeout, env
        self.shard = shard            # (i, n) or None
        self.key = "%s/%s" % (suite, name) + ("#%d/%d" % shard if shard else "")
        self.passed = self.failed = 0
        self.took = 0.0
        self.out = self.err = ""
        self.tests = []               # (seconds, test name) from lib.py's lines


def run_job(job):
    start = time.time()
    try:
        p = subprocess.run(job.cmd, capture_output=True, text=True, errors="replace",
                           timeout=job.timeout, env=job.env, stdin=subprocess.DEVNULL)
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = "timed out after %d s" % job.timeout
        rc = -1
    seen = False
    for line in out.splitlines():
        m = SUMMARY.match(line.strip())
        if m:
            seen = True
            job.passed += int(m.group(2))
            job.failed += int(m.group(3))
        m = TEST_LINE.match(line)
        if m:
            job.tests.append((float(m.group(3)), m.group(2)))
    if rc != 0 and job.failed == 0:
        job.failed = 1  # a crash, a sanitizer abort or a timeout is a failure
    if not seen and rc == 0:
        job.failed += 1
        err += "\n(no summary line printed)"
    job.took = time.time() - start
    job.out, job.err = out, err
    return job


def report_file(suite, name, jobs):
    """One line per file (its shards added up), then the failures' details."""
    passed = sum(j.passed for j in jobs)
    failed = sum(j.failed for j in jobs)
    took = sum(j.took for j in jobs)
    shards = " in %d shards" % len(jobs) if len(jobs) > 1 else ""
    status = "ok  " if failed == 0 else "FAIL"
    with print_lock:
        print("%s %-10s %-28s %4d passed, %d failed (%.1fs%s)" % (status, suite, name, passed, failed, took, shards),
              flush=True)
        for j in jobs:
            if not j.failed:
                continue
            for line in j.out.splitlines():
                if line.startswith("FAIL") or line.startswith("  "):
                    print("    " + line)
            if j.err.strip():
                print("    stderr%s: " % (" (shard %d/%d)" % j.shard if j.shard else "")
                      + j.err.strip()[-4000:].replace("\n", "\n    "))
            sys.stdout.flush()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", action="append", required=True,
                    help="NAME:BINARY:UNITDIR")
    ap.add_argument("--only", help="run only tests whose file name contains this")
    ap.add_argument("--jobs", type=int, default=int(os.environ.get("TEST_JOBS", "0") or 0),
                    help="processes at once (default: 5 per CPU, at least 4)")
    a = ap.parse_args()
    jobs_n = a.jobs or max(4, 5 * (os.cpu_count() or 1))
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    # TESTS_SKIP=name,name leaves out files still being written (local use only)
    skip = [x for x in os.environ.get("TESTS_SKIP", "").split(",") if x]

    def wanted(path):
        base = os.path.basename(path)
        return not (a.only and a.only not in base) and not any(k in base for k in skip)

    jobs = []
    files = []                        # (suite, name) in the order they are reported
    for spec in a.suite:
        suite, binary, unit_dir = spec.split(":")
        for u in sorted(glob.glob(os.path.join(unit_dir, "unit_*"))):
            if wanted(u):
                files.append((suite, os.path.basename(u)))
                jobs.append(Job(suite, os.path.basename(u), [u], UNIT_TIMEOUT, env))
        for e in sorted(glob.glob(os.path.join(TESTS_DIR, "e2e_*.py"))):
            if not wanted(e):
                continue
            name = os.path.basename(e)
            files.append((suite, name))
            n = SHARDS.get(name, 1)
            for i in range(n):
                cmd = [sys.executable, os.path.join(TESTS_DIR, "lib.py"), "--bin", binary, "--unit-dir", unit_dir]
                if n > 1:
                    cmd += ["--shard", "%d/%d" % (i, n)]
                jobs.append(Job(suite, name, cmd + [e], E2E_TIMEOUT, env, (i, n) if n > 1 else None))

    try:
        with open(TIMES_FILE) as f:
            history = json.load(f)
    except (OSError, ValueError):
        history = {}

    def expected(j):
        if j.key in history:
            return history[j.key]
        g = GUESS.get(j.name, 1.0)
        return g / (j.shard[1] if j.shard else 1) * (2 if j.suite == "asan" else 1)
    jobs.sort(key=expected, reverse=True)

    left = {}                         # (suite, name) -> shards still running
    for j in jobs:
        left[(j.suite, j.name)] = left.get((j.suite, j.name), 0) + 1
    done = {}
    start = time.time()
    print("running %d jobs (%d files) in %d processes" % (len(jobs), len(files), jobs_n), flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs_n) as pool:
        for j in concurrent.futures.as_completed([pool.submit(run_job, j) for j in jobs]):
            j = j.result()
            k = (j.suite, j.name)
            done.setdefault(k, []).append(j)
            left[k] -= 1
            if left[k] == 0:
                report_file(j.suite, j.name, sorted(done[k], key=lambda x: x.shard or (0, 1)))
    wall = time.time() - start

    try:
        os.makedirs(os.path.dirname(TIMES_FILE), exist_ok=True)
        history.update({j.key: round(j.took, 1) for j in jobs})
        with open(TIMES_FILE + ".tmp", "w") as f:
            json.dump(history, f, indent=0, sort_keys=True)
        os.replace(TIMES_FILE + ".tmp", TIMES_FILE)
    except OSError:
        pass

    per_file = sorted(((sum(j.took for j in done[k]), k) for k in done), reverse=True)
    print("slowest files (seconds of their processes, shards added up):")
    for took, (suite, name) in per_file[:6]:
        print("  %6.1fs  %-7s %s" % (took, suite, name))
    tests = sorted(((s, j.suite, n) for j in jobs for s, n in j.tests), reverse=True)
    print("slowest tests:")
    for took, suite, name in tests[:8]:
        print("  %6.1fs  %-7s %s" % (took, suite, name))
    cpu = os.times()
    print("wall %.1fs, CPU of the test processes %.1fs" % (wall, cpu.children_user + cpu.children_system))
    total_p = sum(j.passed for j in jobs)
    total_f = sum(j.failed for j in jobs)
    print("%d passed, %d failed" % (total_p, total_f), flush=True)
    sys.exit(1 if total_f else 0)


if __name__ == "__main__":
    main()
