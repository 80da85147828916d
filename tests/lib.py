"""Shared helpers for the end-to-end tests (Python 3 standard library only).

A test file tests/e2e_NAME.py defines functions test_*(t).  The runner
(tests/run.py) runs each file in its own process, once per build (release,
ASan), through `python3 tests/lib.py --bin BIN --unit-dir DIR FILE`.

t.bin       the examflow binary under test
t.unit_dir  where the unit-test binaries of the same build are
t.tmp       a fresh temporary directory for this test
t.env(...)  a clean environment for the binary (no token unless given)
t.run(...)  run the binary to completion; fails the test on a sanitizer report
t.spawn(...) start the binary in the background; killed when the test ends
t.start_run(env, watchdog=...) / t.stop_run(p)  `examflow run` in the background
            (with or without the watchdog), started until ready, stopped by SIGTERM
t.bank()    a private copy of the shared fixture bank (tests/fixture_bank.txt)
t.check(cond, msg) / t.fail(msg)
t.wait_for(pred, timeout) until pred() is true; t.never(pred, seconds) it stays false

`python3 tests/lib.py --bin BIN --unit-dir DIR [--only NAME] [--shard I/N] FILE`
runs the tests of FILE (--shard: only every N-th test, starting at the I-th).
"""
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
# The small task bank the C and the Python tests share (one subject "t",
# tasks t-1 and t-2 numbered 1, t-3 numbered 2, every answer 4).
FIXTURE_BANK = os.path.join(TESTS_DIR, "fixture_bank.txt")
SANITIZER_MARKS = ("AddressSanitizer", "LeakSanitizer", "runtime error:", "UndefinedBehaviorSanitizer")


class TestFailure(Exception):
    pass


class T:
    def __init__(self, bin_path, unit_dir, name):
        self.bin = os.path.abspath(bin_path)
        self.unit_dir = os.path.abspath(unit_dir)
        self.asan = "asan" in self.bin
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="examflow-%s-" % name)
        self.procs = []
        self.cleanups = []

    # --- assertions ---------------------------------------------------------
    def check(self, cond, msg="check failed"):
        if not cond:
            raise TestFailure(msg)

    def fail(self, msg):
        raise TestFailure(msg)

    def eq(self, got, want, what="value"):
        if got != want:
            raise TestFailure("%s: got %r, want %r" % (what, got, want))

    # --- running the binary -------------------------------------------------
    def env(self, **extra):
        e = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": self.tmp,
            "LANG": "C.UTF-8",
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=86",
            "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=87",
            "EXAMFLOW_LOG_FILE": "-",
            "EXAMFLOW_DATA_DIR": os.path.join(self.tmp, "data"),
            "EXAMFLOW_HEALTH_FILE": os.path.join(self.tmp, "logs", "health.json"),
            # Nothing in a test may reach a real Telegram or Google host: the
            # defaults point at a closed local port unless a test sets a double.
            "EXAMFLOW_TELEGRAM_API": "http://127.0.0.1:9",
            "EXAMFLOW_GEMINI_API": "http://127.0.0.1:9",
            "EXAMFLOW_UPTIMEROBOT_API": "http://127.0.0.1:9",
        }
        for k, v in extra.items():
            if v is None:
                e.pop(k, None)
            else:
                e[k] = str(v)
        return e

    def sanitizer_check(self, text):
        for mark in SANITIZER_MARKS:
            if mark in text:
                raise TestFailure("sanitizer report:\n" + text[-3000:])

    def run(self, args, env=None, timeout=60, input=None, cwd=None):
        """Run examflow ARGS; returns CompletedProcess with text stdout/stderr."""
        p = subprocess.run([self.bin] + list(args), env=env if env is not None else self.env(),
                           cwd=cwd or self.tmp, input=input, capture_output=True,
                           timeout=timeout, text=True, errors="replace")
        self.sanitizer_check(p.stderr)
        return p

    def spawn(self, args, env=None, cwd=None, stdin=None):
        """Start examflow ARGS in the background (stdout/stderr to files in t.tmp)."""
        n = len(self.procs)
        out = open(os.path.join(self.tmp, "spawn%d.out" % n), "w+")
        err = open(os.path.join(self.tmp, "spawn%d.err" % n), "w+")
        p = subprocess.Popen([self.bin] + list(args), env=env if env is not None else self.env(),
                             cwd=cwd or self.tmp, stdout=out, stderr=err,
                             stdin=stdin if stdin is not None else subprocess.DEVNULL,
                             start_new_session=True)
        p.out_path, p.err_path = out.name, err.name
        p.env = env
        out.close()
        err.close()
        self.procs.append(p)
        return p

    def output_of(self, p):
        with open(p.out_path, errors="replace") as f:
            out = f.read()
        with open(p.err_path, errors="replace") as f:
            err = f.read()
        return out, err

    def wait_for(self, pred, timeout=10.0, interval=0.02, what="condition"):
        end = time.time() + timeout
        while time.time() < end:
            v = pred()
            if v:
                return v
            time.sleep(interval)
        raise TestFailure("timed out after %.1fs waiting for %s" % (timeout, what))

    def never(self, pred, seconds, interval=0.02, what="condition"):
        """Watch pred() for SECONDS and fail as soon as it is true: an absence can
        only be observed over a while (a window, not a wait for something)."""
        end = time.time() + seconds
        while time.time() < end:
            v = pred()
            if v:
                raise TestFailure("%s: %r" % (what, v))
            time.sleep(interval)

    # --- `examflow run` in the background --------------------------------------
    def start_run(self, env, watchdog=True, ready=None, timeout=20, what="the bot to be ready", opts=()):
        """Start `examflow [OPTS] run` (with the watchdog, or --no-watchdog) and wait
        until ready(p) is true; fails with the output and the log's tail if the
        process exits first.  Returns the Popen."""
        p = self.spawn(list(opts) + ["run"] + ([] if watchdog else ["--no-watchdog"]), env=env)
        if ready is not None:
            self.wait_for(lambda: ready(p) or p.poll() is not None, timeout=timeout, what=what)
            if p.poll() is not None:
                out, err = self.output_of(p)
                self.fail("examflow run exited %s before %s:\n%s\n%s" % (
                    p.returncode, what, err[-2000:], self.log_tail(env)))
        return p

    def stop_run(self, p, timeout=20, sig=signal.SIGTERM):
        """Send sig (SIGTERM: a graceful stop) and wait for the exit; returns its code."""
        p.send_signal(sig)
        return self.wait_exit(p, timeout, "examflow run to stop after signal %d" % sig)

    def wait_exit(self, p, timeout, what="examflow to exit"):
        try:
            return p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.fail("timed out after %ss waiting for %s\n%s" % (timeout, what, self.log_tail(getattr(p, "env", None))))

    def log_tail(self, env=None, n=3000):
        """The end of the log file env (or the default test env) names, if any."""
        path = (env or {}).get("EXAMFLOW_LOG_FILE") or os.path.join(self.tmp, "bot.log")
        try:
            with open(path, errors="replace") as f:
                return f.read()[-n:]
        except OSError:
            return ""

    def bank(self, rel="bank.txt"):
        """A private copy of the fixture bank (tests may rewrite it); returns its path."""
        with open(FIXTURE_BANK) as f:
            return self.write(rel, f.read())

    def write(self, rel, text, mode=0o600):
        path = os.path.join(self.tmp, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def read(self, rel):
        with open(os.path.join(self.tmp, rel), errors="replace") as f:
            return f.read()

    def on_cleanup(self, fn):
        self.cleanups.append(fn)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()
            # a sanitizer report from a background process fails the test too
            try:
                _, err = self.output_of(p)
                self.sanitizer_check(err)
            finally:
                pass
        for fn in reversed(self.cleanups):
            try:
                fn()
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)


def run_file(path, bin_path, unit_dir, only=None, shard=None):
    name = os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.path.insert(0, TESTS_DIR)
    spec.loader.exec_module(mod)
    tests = [(n, f) for n, f in sorted(vars(mod).items()) if n.startswith("test_") and callable(f)]
    if shard:
        i, n = shard
        tests = tests[i::n]
    passed = failed = 0
    for n, f in tests:
        if only and only not in n:
            continue
        t = T(bin_path, unit_dir, n)
        start = time.time()
        err = None
        try:
            f(t)
        except TestFailure as e:
            err = str(e)
        except Exception:
            err = traceback.format_exc()
        try:
            t.close()
        except TestFailure as e:
            err = err or str(e)
        took = time.time() - start
        if err:
            failed += 1
            print("FAIL %s.%s (%.1fs): %s" % (name, n, took, err), flush=True)
        else:
            passed += 1
            print("ok   %s.%s (%.1fs)" % (name, n, took), flush=True)
    print("%s: %d passed, %d failed" % (name, passed, failed), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--unit-dir", required=True)
    ap.add_argument("--only")
    ap.add_argument("--shard", help="I/N: only the tests whose index is I modulo N")
    ap.add_argument("file")
    a = ap.parse_args()
    shard = tuple(int(x) for x in a.shard.split("/")) if a.shard else None
    sys.exit(run_file(a.file, a.bin, a.unit_dir, a.only, shard))
