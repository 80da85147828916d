#!/usr/bin/env python3
"""What one instance needs per student: memory and disk (figures for README
"Scaling" and examflow.service's MemoryMax; printed, never asserted).

    python3 tests/scale.py ./examflow [--students 5000] [--heavy 50] [--answers 600]

Runs `examflow run` (watchdog and worker, as in production) against the Bot
API double (tests/tg_double.py, Telegram's limits off) on the embedded task
bank, and drives simulated students through the real conversation: /start,
the subject button (Математика), «Любое», then answer and «Дальше» in turn.
Every step waits until each student has had the bot's reply, so at most one
update per student is in flight and every student is a separate chat, as in
real life.

  1. many: --students students each answer 3 tasks (a first week's light
     use), all of them in flight together.  Resident memory (VmRSS, VmHWM
     from /proc/PID/status) of the watchdog and of the worker, idle and
     after; bytes of data_dir (events.log + snapshot) with the default
     compaction settings.
  2. month: --heavy students each answer --answers tasks (20 a day for 30
     days), compaction made eager (factor 2, from 1 KiB) so the snapshot
     always holds the live state: snapshot bytes / students is the disk one
     such student keeps after a month; the worker's memory growth the same.

Every process this script starts is killed at the end, also on errors.
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import kill, status_kib  # noqa: E402
from tg_double import TelegramDouble  # noqa: E402

TOKEN = "123456789:AAScaleTokenForTheDoubleOnly_abcdefghij"
PROCS = []


class ScaleDouble(TelegramDouble):
    """The double plus per-chat reply counts and each chat's last keyboards:
    the plain double scans every message ever sent for those, which is fine
    for a test and quadratic for thousands of students."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.count = {}
        self.keyboards = {}
        self.cv = threading.Condition()

    def _record_message(self, cid, mid, plain, ents, markup):
        msg = super()._record_message(cid, mid, plain, ents, markup)
        with self.cv:
            self.count[cid] = self.count.get(cid, 0) + 1
            if markup and "inline_keyboard" in markup:
                kb = self.keyboards.setdefault(cid, [])
                kb.append((mid, markup["inline_keyboard"]))
                del kb[:-3]
            self.cv.notify_all()
        return msg

    def press_fast(self, chat, label):
        with self.cv:
            kbs = list(reversed(self.keyboards.get(chat, [])))
        for mid, rows in kbs:
            for row in rows:
                for b in row:
                    if label in b.get("text", "") and "callback_data" in b:
                        return self.push_callback(chat, b["callback_data"], message_id=mid)
        raise RuntimeError("chat %d: no button %r" % (chat, label))

    def wait_counts(self, want, timeout):
        end = time.monotonic() + timeout
        with self.cv:
            while True:
                short = [c for c, n in want.items() if self.count.get(c, 0) < n]
                if not short:
                    return
                left = end - time.monotonic()
                if left <= 0:
                    raise RuntimeError("%d chats still waiting for a reply (e.g. %d)" % (len(short), short[0]))
                self.cv.wait(min(left, 0.5))


def worker_of(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            kids = [int(x) for x in f.read().split()]
        return kids[0] if kids else None
    except OSError:
        return None


def dir_bytes(path):
    total = 0
    for name in ("events.log", "snapshot"):
        try:
            total += os.path.getsize(os.path.join(path, name))
        except OSError:
            pass
    return total


class Bot:
    def __init__(self, binary, d, tmp, **extra):
        self.dir = tmp
        self.data = os.path.join(tmp, "data")
        env = {"PATH": "/usr/bin:/bin", "HOME": tmp, "LANG": "C.UTF-8",
               "TELEGRAM_BOT_TOKEN": d.token, "EXAMFLOW_TELEGRAM_API": d.url,
               "EXAMFLOW_GEMINI_API": "http://127.0.0.1:9", "EXAMFLOW_DATA_DIR": self.data,
               "EXAMFLOW_HEALTH_FILE": os.path.join(tmp, "health.json"),
               "EXAMFLOW_LOG_FILE": os.path.join(tmp, "bot.log"), "EXAMFLOW_LOG_LEVEL": "warn",
               "EXAMFLOW_POLL_TIMEOUT": "50"}
        env.update({k: str(v) for k, v in extra.items()})
        self.p = subprocess.Popen([os.path.abspath(binary), "run"], env=env, cwd=tmp,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=open(os.path.join(tmp, "stderr.txt"), "w"),
                                  start_new_session=True)
        PROCS.append(self.p)
        end = time.monotonic() + 20
        while not d.counter("polls"):
            if self.p.poll() is not None or time.monotonic() > end:
                raise RuntimeError("the bot did not start polling:\n" + self.log())
            time.sleep(0.01)
        self.worker = worker_of(self.p.pid)

    def log(self):
        out = ""
        for n in ("bot.log", "stderr.txt"):
            try:
                with open(os.path.join(self.dir, n), errors="replace") as f:
                    out += f.read()[-2000:]
            except OSError:
                pass
        return out

    def mem(self):
        return status_kib(self.p.pid), status_kib(self.worker)

    def stop(self):
        t0 = time.monotonic()
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=30)
        return time.monotonic() - t0


def drive(d, chats, answers, timeout, start=True):
    """Walk every chat through /start, subject, «Любое» (unless start is
    false), then answers × (answer, «Дальше»)."""
    want = {c: 0 for c in chats}

    def step(action):
        for c in chats:
            want[c] = d.count.get(c, 0) + 1
            action(c)
        d.wait_counts(want, timeout)

    if start:
        step(lambda c: d.push_message(c, "/start", first_name="Ученик%d" % c))
        step(lambda c: d.press_fast(c, "Математика"))
        step(lambda c: d.press_fast(c, "Любое"))
    for i in range(answers):
        step(lambda c: d.push_message(c, str(i % 7)))
        step(lambda c: d.press_fast(c, "Дальше"))


def live_bytes(data):
    """Bytes the live state takes as snapshot lines: the snapshot and the log
    replayed in order, the last row per key winning (README "The bot's
    records": user by id, task by user and task, num by user, subject and
    number, out until its sent), as compaction would write it."""
    live = {}
    for name in ("snapshot", "events.log"):
        try:
            f = open(os.path.join(data, name), "rb")
        except OSError:
            continue
        with f:
            for line in f:
                x = line.rstrip(b"\n").split(b"\t")
                t = x[0]
                if t in (b"begin", b"end", b"examflow-snapshot") or len(x) < 5:
                    continue
                if t == b"sent":
                    live.pop((b"out", x[3]), None)
                    continue
                key = (t, x[3]) + (tuple(x[4:5]) if t == b"task" else tuple(x[4:6]) if t == b"num" else ())
                live[key] = len(line)
    return sum(live.values()), len(live)


def mib(kib):
    return "%.1f MiB" % (kib / 1024.0)


def start_run(a, tmp, name):
    """The double (limits off) and the bot on a fresh data dir tmp/name, its start-up
    allocations settled before the idle reading; the caller stops the double."""
    d = ScaleDouble(token=TOKEN)
    d.set_limits(False)
    d.start()
    try:
        os.mkdir(os.path.join(tmp, name))
        bot = Bot(a.binary, d, os.path.join(tmp, name))
    except BaseException:
        d.stop()
        raise
    time.sleep(0.5)
    return d, bot


def many(a, tmp, out):
    """--students light students, all in flight together."""
    d, bot = start_run(a, tmp, "many")
    try:
        wd0, wk0 = bot.mem()
        t0 = time.monotonic()
        drive(d, list(range(100001, 100001 + a.students)), a.light, timeout=3600)
        took = time.monotonic() - t0
        wd1, wk1 = bot.mem()
        stop_s = bot.stop()
        disk = dir_bytes(bot.data)
        live, rows = live_bytes(bot.data)
    finally:
        d.stop()
    n = a.students
    out.append("== many: %d students, %d answers each, all at once (%.0f s)" % (n, a.light, took))
    out.append("watchdog      idle %s, after %s (peak %s)" % (mib(wd0["VmRSS"]), mib(wd1["VmRSS"]), mib(wd1["VmHWM"])))
    out.append("worker        idle %s, after %s (peak %s)" % (mib(wk0["VmRSS"]), mib(wk1["VmRSS"]), mib(wk1["VmHWM"])))
    out.append("both          after %s, peak %s" % (mib(wd1["VmRSS"] + wk1["VmRSS"]), mib(wd1["VmHWM"] + wk1["VmHWM"])))
    out.append("per student   %.0f bytes of worker memory" % ((wk1["VmRSS"] - wk0["VmRSS"]) * 1024.0 / n))
    out.append("data_dir      %d bytes on disk (default compaction), live state %d bytes in %d rows = %.0f bytes per student"
               % (disk, live, rows, live / float(n)))
    out.append("SIGTERM to exit: %.2f s" % stop_s)


def month(a, tmp, out):
    """--heavy students answering --answers tasks each (the bot sends at most
    one message a second to a chat, so this takes about 2 s per answer)."""
    d, bot = start_run(a, tmp, "month")
    try:
        _, wk0 = bot.mem()
        chats = list(range(200001, 200001 + a.heavy))
        t0 = time.monotonic()
        drive(d, chats, a.answers // 2, timeout=3600)
        half, _ = live_bytes(bot.data)
        half_mem = bot.mem()[1]
        drive(d, chats, a.answers - a.answers // 2, timeout=3600, start=False)
        took = time.monotonic() - t0
        _, wk1 = bot.mem()
        bot.stop()
        live, rows = live_bytes(bot.data)
        disk = dir_bytes(bot.data)
    finally:
        d.stop()
    n, k = a.heavy, a.answers
    per_answer = (live - half) / float(n * (k - k // 2))
    out.append("== month: %d students, %d answers each (%.0f s)" % (n, k, took))
    out.append("worker        idle %s, after %s: %.0f bytes per student (%.0f per answer in the second half)"
               % (mib(wk0["VmRSS"]), mib(wk1["VmRSS"]), (wk1["VmRSS"] - wk0["VmRSS"]) * 1024.0 / n,
                  (wk1["VmRSS"] - half_mem["VmRSS"]) * 1024.0 / (n * (k - k // 2))))
    out.append("live state    %d bytes in %d rows = %.0f bytes per student after %d answers, %.0f bytes per further answer"
               % (live, rows, live / float(n), k, per_answer))
    out.append("              20 answers a day for 30 days: about %.0f KiB per student"
               % ((live / float(n) + per_answer * (600 - k)) / 1024.0))
    out.append("data_dir      %d bytes on disk (default compaction)" % disk)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--students", type=int, default=2000)
    ap.add_argument("--light", type=int, default=1, help="answers per student in the many run")
    ap.add_argument("--heavy", type=int, default=50)
    ap.add_argument("--answers", type=int, default=100)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="examflow-scale-")
    outs = [[], []]
    errs = []

    def run(fn, out):
        try:
            fn(a, tmp, out)
        except Exception as e:  # reported below; the other run goes on
            errs.append("%s: %s" % (fn.__name__, e))

    try:
        ths = [threading.Thread(target=run, args=(fn, out)) for fn, out in ((many, outs[0]), (month, outs[1]))]
        for th in ths:
            th.start()
        for th in ths:
            th.join()
        for out in outs:
            print("\n".join(out))
        for e in errs:
            print("error: " + e)
    finally:
        for p in PROCS:
            kill(p)
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
