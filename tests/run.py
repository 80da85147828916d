#!/usr/bin/env python3
"""The test runner behind `make test`.

For every suite (release, asan: a binary plus a directory of unit-test
binaries built the same way) it runs each unit-test binary and each
tests/e2e_*.py file in its own process, reads their "NAME: N passed, N failed"
lines, and ends with one line "N passed, N failed" for everything.  Exit
status is non-zero if anything failed, crashed or timed out.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
SUMMARY = re.compile(r"^(\S+): (\d+) passed, (\d+) failed$")
UNIT_TIMEOUT = 900  # seconds; the storage kill -9 loop is the slowest
E2E_TIMEOUT = 900


def run_one(label, cmd, timeout, env=None):
    start = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=timeout, env=env, stdin=subprocess.DEVNULL)
        out, err, rc = p.stdout, p.stderr, p.returncode
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = "timed out after %d s" % timeout
        rc = -1
    passed = failed = 0
    seen = False
    for line in out.splitlines():
        m = SUMMARY.match(line.strip())
        if m:
            seen = True
            passed += int(m.group(2))
            failed += int(m.group(3))
    if rc != 0 and failed == 0:
        failed = 1  # a crash, a sanitizer abort or a timeout is a failure
    if not seen and rc == 0:
        failed += 1
        err += "\n(no summary line printed)"
    took = time.time() - start
    status = "ok  " if failed == 0 else "FAIL"
    print("%s %-10s %-28s %4d passed, %d failed (%.1fs)" % (status, label, os.path.basename(cmd[-1]) if cmd[0] == sys.executable else os.path.basename(cmd[0]), passed, failed, took), flush=True)
    if failed:
        for line in out.splitlines():
            if line.startswith("FAIL") or line.startswith("  "):
                print("    " + line)
        if err.strip():
            print("    stderr: " + err.strip()[-4000:].replace("\n", "\n    "))
    return passed, failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--suite", action="append", required=True,
                    help="NAME:BINARY:UNITDIR")
    ap.add_argument("--only", help="run only tests whose file name contains this")
    a = ap.parse_args()
    total_p = total_f = 0
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    # TESTS_SKIP=name,name leaves out files still being written (local use only)
    skip = [x for x in os.environ.get("TESTS_SKIP", "").split(",") if x]
    for spec in a.suite:
        name, binary, unit_dir = spec.split(":")
        units = sorted(glob.glob(os.path.join(unit_dir, "unit_*")))
        e2es = sorted(glob.glob(os.path.join(TESTS_DIR, "e2e_*.py")))
        for u in units:
            if (a.only and a.only not in os.path.basename(u)) or any(k in os.path.basename(u) for k in skip):
                continue
            p, f = run_one(name, [u], UNIT_TIMEOUT, env)
            total_p += p
            total_f += f
        for e in e2es:
            if (a.only and a.only not in os.path.basename(e)) or any(k in os.path.basename(e) for k in skip):
                continue
            cmd = [sys.executable, os.path.join(TESTS_DIR, "lib.py"), "--bin", binary,
                   "--unit-dir", unit_dir, e]
            p, f = run_one(name, cmd, E2E_TIMEOUT, env)
            total_p += p
            total_f += f
    print("%d passed, %d failed" % (total_p, total_f), flush=True)
    sys.exit(1 if total_f else 0)


if __name__ == "__main__":
    main()
