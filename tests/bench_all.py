#!/usr/bin/env python3
"""`make bench`: ExamFlow and python-telegram-bot 13 side by side (issue 16).

    python3 tests/bench_all.py ./examflow [--store tests/build/bench/bench_store]
        [--quick] [--only PHASES] [--bots examflow,ptb] [--storm N] [--bank N] [--seen N]
        [--markdown] [--readme README.md] [--save FILE] [--load FILE]

One run, one load, one Bot API double (tests/tg_double.py on 127.0.0.1, in this
process): each phase runs against ExamFlow (`examflow run --no-watchdog`) and
against tests/bench_ptb_bot.py, an equivalent small bot on python-telegram-bot
13 (Debian's python3-python-telegram-bot; installed with apt-get when missing
and this runs as root, else that column says "skipped").  It prints ONE table
with both bots, the ratio PTB / ExamFlow and the issue's target for each
figure, and a tag [PHASE] per line; `--only PHASE` reproduces that line alone.
Printed, never asserted: each target is marked "met" or "MISSED", and the exit
status is 0 unless the bench itself breaks (a phase that fails is reported as
FAILED and the others go on).  --save keeps the figures as JSON; --load prints
them again without running anything (--markdown: README's performance section;
--readme FILE: replace that section in FILE).

Phases (--only takes a comma list of these):
  startup   process start to the first getUpdates at the double, fresh data
            dir, 3-task bank; ExamFlow also with a one-certificate ca_file (the
            system CA bundle is loaded even for an http:// API URL)
  cpu       --updates updates (/start, a button, answers, /help, /stats, /task)
            from many private chats at once, the double's limits off: CPU
            (utime+stime from /proc/PID/stat) per update, until every reply is out;
            the kernel's share; idle CPU (schedstat) over 3 s before the load
  latency   --paced /help from new chats at 20 per second, limits on, no added
            round trip: update pushed at the double -> its sendMessage arriving
            there, p50 / p99; ExamFlow also on a fresh process with fsync = off
  rate      --chats chats send /help at once, 50 ms simulated round trip,
            Telegram's limits on (30/s overall, 1/s per chat): replies per second
  syscalls  the rate load again under `strace -f -c -p PID`: system calls / replies
            (the storm phase adds the same while its queued replies drain)
  storm     --storm distinct students send /start at once, limits on (replies
            queue: 30 go out per second): VmRSS and VmHWM once all are taken,
            CPU per /start; system calls per reply for --drain s while they drain;
            then the admin's /broadcast to all (RSS while it is queued); then
            the bot is killed (-9) and started again on that data directory:
            VmHWM at its first getUpdates (loading the data) and the time to it
  bcast     when ExamFlow refused that broadcast (it sends to at most 50,000):
            a storm of --bcast (49,000) students, then /broadcast to all of them:
            RSS before and while the broadcast is queued, per queued reply
  bank      a --bank task bank (tasks_file, tasks_mode = replace) and a student
            who has seen --seen of its tasks (data dir written by this script):
            start-up, RSS and the time of /task (update pushed -> reply at the double);
            when ExamFlow refuses the bank it runs again with 20,000 tasks, and the
            PTB bot gets the bank ExamFlow took
  replay    bench_store's replay of 1 M log records (ExamFlow only; --store)

Every process this script starts is killed at the end, also on errors and ^C.
The double is Python and shares the machine's cores with the bot under test:
wall-clock figures are upper bounds.
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (PROCS, SCRIPT, BenchDouble, BotProcess, CLK_TCK, FIXTURE_BANK,  # noqa: E402
                   SYSTEM_CA, TOKEN, cpu_ns, cpu_split, examflow_env, first_cert, kill,
                   machine, run_script, settle, status_kib)

HERE = os.path.dirname(os.path.abspath(__file__))
PTB_BOT = os.path.join(HERE, "bench_ptb_bot.py")
PTB_PYTHON = os.environ.get("BENCH_PTB_PYTHON", "/usr/bin/python3")   # Debian's python3, where apt puts PTB
ADMIN = 999000001
BCAST_TEXT = "Завтра пробный экзамен в 10:00. Удачи!"
EXAMFLOW, PTB = "examflow", "ptb"


# ---------------------------------------------------------------------------
# the double
# ---------------------------------------------------------------------------

class SideDouble(BenchDouble):
    """BenchDouble plus a bulk push for storms and push times per update."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.push_t = {}              # chat id -> monotonic time of its last pushed update

    def push_message(self, chat_id, text, **kw):
        u = super().push_message(chat_id, text, **kw)
        with self._lock:
            self.push_t[chat_id] = time.monotonic()
        return u

    def push_starts(self, chats, text="/start"):
        """One /start from each chat (a new student each), queued at once; the last update_id."""
        now = int(time.time())
        ent = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        with self._cond:
            t = time.monotonic()
            for cid in chats:
                user = {"id": cid, "is_bot": False, "first_name": "Ученик", "language_code": "ru"}
                msg = {"message_id": 1, "from": user, "chat": {"id": cid, "first_name": "Ученик", "type": "private"},
                       "date": now, "text": text, "entities": ent}
                self._updates.append({"message": msg, "update_id": self._next_update_id})
                self._next_update_id += 1
                self.push_t[cid] = t
            self._cond.notify_all()
            return self._next_update_id - 1

    def taken_through(self):
        with self._lock:
            return self._max_offset - 1


# ---------------------------------------------------------------------------
# /proc
# ---------------------------------------------------------------------------

def reset_hwm(pid):
    """Reset the peak resident set (VmHWM) of pid to its current RSS."""
    try:
        with open("/proc/%d/clear_refs" % pid, "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def cpu_s(pid):
    u, s = cpu_split(pid)
    return (u + s) / CLK_TCK


def dir_bytes(path):
    n = 0
    for root, _, files in os.walk(path):
        for f in files:
            try:
                n += os.path.getsize(os.path.join(root, f))
            except OSError:
                pass
    return n


# ---------------------------------------------------------------------------
# the two bots
# ---------------------------------------------------------------------------

class Proc(BotProcess):
    """One bot process (ExamFlow or the PTB bot) against double d, in directory wd
    (kept: a second Proc on the same wd starts again on its data)."""

    def __init__(self, kind, binary, d, wd, bank=FIXTURE_BANK, env_extra=None):
        self.kind = kind
        os.makedirs(wd, exist_ok=True)
        if kind == EXAMFLOW:
            env = examflow_env(d, wd, bank)
            env["ADMIN_TELEGRAM_ID"] = str(ADMIN)
            cmd = [os.path.abspath(binary), "run", "--no-watchdog"]
        else:
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": wd, "LANG": "C.UTF-8",
                   "PYTHONWARNINGS": "ignore"}
            cmd = [PTB_PYTHON, PTB_BOT, "--token", d.token, "--api", d.url, "--admin", str(ADMIN),
                   "--state", os.path.join(wd, "state.jsonl"), "--bank", bank]
        env.update(env_extra or {})
        super().__init__(cmd, env, d, wd)


def new_double(limits=False):
    d = SideDouble(token=TOKEN, limits=limits)
    d.start()
    return d


def started(kind, binary, d, wd, **kw):
    """A bot that has polled and answered one /help (past ExamFlow's probation)."""
    p = Proc(kind, binary, d, wd, **kw)
    first = p.first_poll()
    if first is None:
        raise BenchError("%s did not poll (exit %s):\n%s" % (kind, p.p.poll(), p.log_tail()))
    warm = 880000000 + len(PROCS)
    n0 = d.n_sent()
    d.push_message(warm, "/help")
    if not d.wait_until(lambda: any(s["chat_id"] == warm for s in d.sent_since(n0)), 30):
        raise BenchError("%s did not answer /help:\n%s" % (kind, p.log_tail()))
    return p, first


class BenchError(Exception):
    pass


def wait_replies(d, chats, n0, timeout):
    """Until every chat in chats has a reply accepted after index n0; returns the time of each."""
    want = set(chats)
    got = {}
    end = time.monotonic() + timeout
    i = n0
    while time.monotonic() < end:
        new = d.sent_since(i)
        i += len(new)
        for s in new:
            if s["chat_id"] in want and s["chat_id"] not in got:
                got[s["chat_id"]] = s
        if len(got) == len(want):
            break
        time.sleep(0.02)
    return got


def pct(xs, q):
    xs = sorted(xs)
    if not xs:
        return None
    k = min(len(xs) - 1, max(0, int(round(q / 100.0 * (len(xs) - 1)))))
    return xs[k]


# ---------------------------------------------------------------------------
# phases: each returns a dict of figures for one bot
# ---------------------------------------------------------------------------

def ph_startup(kind, binary, tmp, runs):
    r = {}
    variants = [("startup_ms", {})]
    if kind == EXAMFLOW:
        ca = first_cert(os.path.join(tmp, "one-ca.pem"))
        if ca:
            variants.append(("startup_1ca_ms", {"EXAMFLOW_CA_FILE": ca}))
    for key, env in variants:
        times = []
        for i in range(runs):
            d = new_double()
            p = Proc(kind, binary, d, os.path.join(tmp, "%s-start-%s-%d" % (kind, key, i)), env_extra=env)
            try:
                t = p.first_poll()
                if t is None:
                    raise BenchError("%s did not poll:\n%s" % (kind, p.log_tail()))
                times.append(t)
            finally:
                p.kill()
                d.stop()
        r[key] = min(times) * 1000                 # the least disturbed run: the machine is shared
        r[key + "_median"] = statistics.median(times) * 1000
    return r


def ph_main(kind, binary, tmp, a, phases):
    """cpu, latency, rate, syscalls on one process (fresh data dir, 3-task bank)."""
    r = {}
    d = new_double(limits=False)
    p, _ = started(kind, binary, d, os.path.join(tmp, kind + "-main"))
    try:
        time.sleep(1.0)
        settle(d, quiet=0.3, timeout=5)
        r["rss_idle_kib"] = status_kib(p.pid).get("VmRSS")
        c0 = cpu_ns(p.pid)            # schedstat: clock ticks are too coarse for a few idle seconds
        time.sleep(3.0)
        c1 = cpu_ns(p.pid)
        r["idle_cpu_ms_s"] = None if c0 is None or c1 is None else (c1 - c0) / 1e6 / 3.0
        if "cpu" in phases:
            n = a.updates
            chats = max(1, n // len(SCRIPT))
            n0 = d.n_sent()
            c0 = cpu_s(p.pid)
            sys0 = cpu_split(p.pid)[1]
            t0 = time.monotonic()
            for i in range(n):
                chat, step = 500000 + i % chats, i // chats
                how, text = SCRIPT[step % len(SCRIPT)]
                if how == "press":
                    d.push_callback(chat, text)
                else:
                    d.push_message(chat, text)
            ok = settle(d, quiet=1.5, timeout=300)
            r["cpu_us_per_update"] = (cpu_s(p.pid) - c0) / n * 1e6
            r["cpu_sys_us"] = (cpu_split(p.pid)[1] - sys0) / CLK_TCK / n * 1e6
            r["cpu_replies"] = d.n_sent() - n0
            r["cpu_updates"] = n
            r["cpu_wall_s"] = time.monotonic() - t0
            r["cpu_ok"] = ok
            # the same without what the bot burns while idle for that long (timers, polling)
            if r["idle_cpu_ms_s"] is not None:
                r["cpu_us_net"] = max(0.0, r["cpu_us_per_update"] - r["idle_cpu_ms_s"] * r["cpu_wall_s"] * 1000 / n)
        d.set_limits(True)
        if "latency" in phases:
            r.update(paced(d, a, 610000, "lat"))
        if "rate" in phases or "syscalls" in phases:
            d.set_latency(a.latency)
            time.sleep(1.5)
        if "rate" in phases:
            n0 = d.n_sent()
            base429 = d.count_429
            chats = list(range(700000, 700000 + a.chats))
            for c in chats:
                d.push_message(c, "/help")
            got = wait_replies(d, chats, n0, 60)
            ts = sorted(s["t"] for s in got.values())
            k = min(30, len(ts) - 2)
            r["rate"] = (len(ts) - 1 - k) / (ts[-1] - ts[k]) if len(ts) > 2 and ts[-1] > ts[k] else None
            r["rate_replies"], r["rate_chats"] = len(got), len(chats)
            r["rate_429"] = d.count_429 - base429
            time.sleep(1.5)
        if "syscalls" in phases:
            def load():
                chats = list(range(720000, 720000 + a.chats))
                n0 = d.n_sent()
                for c in chats:
                    d.push_message(c, "/help")
                wait_replies(d, chats, n0, 60)
                settle(d, quiet=1.0, timeout=10)
            r.update(strace_window(p.pid, d, os.path.join(tmp, kind + "-strace.txt"), load, "sys"))
        return r
    finally:
        p.kill()
        d.stop()


def strace_window(pid, d, out, load, key):
    """System calls of every thread of pid (strace -f -c) while load() runs, per reply accepted."""
    st = subprocess.Popen(["strace", "-f", "-c", "-o", out, "-p", str(pid)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    PROCS.append(st)
    n0 = d.n_sent()                     # strace counts from here (its attach takes milliseconds)
    time.sleep(1.0)                     # attached to every thread
    load()
    replies = d.n_sent() - n0           # replies sent while strace counted (a draining backlog
    st.send_signal(signal.SIGINT)       # goes on during the wait above)
    try:
        st.wait(timeout=20)
    except subprocess.TimeoutExpired:
        kill(st)
    calls, per = None, []
    try:
        with open(out) as f:
            for line in f:
                v = line.split()
                if line.rstrip().endswith(" total"):
                    calls = int(v[3])
                elif len(v) >= 5 and v[0][0].isdigit() and v[3].isdigit():
                    per.append((int(v[3]), v[-1]))
    except (OSError, ValueError, IndexError):
        pass
    r = {key + "_calls": calls, key + "_replies": replies,
         key + "_per_reply": calls / replies if calls and replies else None}
    if replies:
        r[key + "_top"] = ", ".join("%s %.1f" % (name, n / replies) for n, name in sorted(per, reverse=True)[:7])
    return r


def paced(d, a, base, key):
    """a.paced /help from new chats at 20/s; arrival -> reply percentiles."""
    n0 = d.n_sent()
    chats = list(range(base, base + a.paced))
    t0 = time.monotonic()
    for i, c in enumerate(chats):
        delay = t0 + i / 20.0 - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        d.push_message(c, "/help")
    got = wait_replies(d, chats, n0, 30)
    lat = [(s["t_recv"] - d.push_t[c]) * 1000 for c, s in got.items()]
    return {key + "_p50_ms": pct(lat, 50), key + "_p99_ms": pct(lat, 99), key + "_n": len(lat),
            key + "_top": sorted(lat)[-3:]}


def ph_latency_nofsync(binary, tmp, a):
    """The latency load on a fresh ExamFlow with fsync = off: how much of the tail is fsync."""
    d = new_double(limits=True)
    p, _ = started(EXAMFLOW, binary, d, os.path.join(tmp, "examflow-lat-nofsync"),
                   env_extra={"EXAMFLOW_FSYNC": "off"})
    try:
        time.sleep(1.0)
        return paced(d, a, 630000, "latoff")
    finally:
        p.kill()
        d.stop()


def ph_storm(kind, binary, tmp, a):
    r = {"storm_n": a.storm}
    d = new_double(limits=True)
    wd = os.path.join(tmp, kind + "-storm")
    p, _ = started(kind, binary, d, wd)
    try:
        time.sleep(1.0)
        settle(d, quiet=0.3, timeout=5)
        idle = status_kib(p.pid)
        r["rss_idle_kib"] = idle.get("VmRSS")
        reset_hwm(p.pid)
        c0 = cpu_s(p.pid)
        t0 = time.monotonic()
        last = d.push_starts(range(1000000, 1000000 + a.storm))
        taken = d.wait_until(lambda: d.taken_through() >= last, a.storm_timeout)
        r["storm_take_s"] = time.monotonic() - t0
        r["storm_taken"] = bool(taken)
        if not taken:
            r["storm_note"] = "took %d of %d in %d s" % (d.taken_through() - (last - a.storm), a.storm,
                                                         a.storm_timeout)
        # PTB hands updates to its dispatcher thread: wait until its RSS stops growing
        rss = stable_rss(p.pid, quiet=1.0 if kind == EXAMFLOW else 2.0, timeout=60)
        m = status_kib(p.pid)
        r["storm_rss_kib"], r["storm_hwm_kib"] = rss, m.get("VmHWM")
        r["storm_cpu_us"] = (cpu_s(p.pid) - c0) / a.storm * 1e6
        r["storm_replied"] = d.n_sent()
        # queued replies going out at Telegram's rate, no updates coming in
        r.update(strace_window(p.pid, d, os.path.join(tmp, kind + "-strace-drain.txt"),
                               lambda: time.sleep(a.drain), "drain"))
        # the admin's broadcast to everyone
        n0 = d.n_sent()
        last = d.push_message(ADMIN, "/broadcast " + BCAST_TEXT)["update_id"]
        d.wait_until(lambda: d.taken_through() >= last, 120)
        rss = stable_rss(p.pid, quiet=1.0 if kind == EXAMFLOW else 2.0, timeout=60)
        r["bcast_rss_kib"], r["bcast_hwm_kib"] = rss, status_kib(p.pid).get("VmHWM")
        r["bcast_note"] = bcast_outcome(kind, p)
        del n0
    finally:
        p.kill()
    # start again on the same data directory
    reset_dir = wd
    r["data_bytes"] = dir_bytes(os.path.join(reset_dir, "data") if kind == EXAMFLOW else reset_dir)
    try:
        q = Proc(kind, binary, d, reset_dir)
        first = q.first_poll(timeout=120)
        if first is None:
            r["load_note"] = "did not poll again: " + q.log_tail(300)
        else:
            m = status_kib(q.pid)
            r["load_s"], r["load_hwm_kib"], r["load_rss_kib"] = first, m.get("VmHWM"), m.get("VmRSS")
            if m.get("VmHWM") and m.get("VmRSS"):
                r["load_extra_kib"] = m["VmHWM"] - m["VmRSS"]
        q.kill()
    finally:
        d.stop()
    return r


def ph_bcast(kind, binary, tmp, a):
    """A /start storm of --bcast students, then the admin's /broadcast to all of them."""
    n = a.bcast
    r = {"bcast_n": n}
    d = new_double(limits=True)
    p, _ = started(kind, binary, d, os.path.join(tmp, kind + "-bcast"))
    try:
        last = d.push_starts(range(3000000, 3000000 + n))
        if not d.wait_until(lambda: d.taken_through() >= last, a.storm_timeout):
            r["bcast_n_note"] = "the storm of %d was not taken in %d s" % (n, a.storm_timeout)
            return r
        quiet = 1.0 if kind == EXAMFLOW else 2.0
        before = stable_rss(p.pid, quiet=quiet, timeout=60)
        last = d.push_message(ADMIN, "/broadcast " + BCAST_TEXT)["update_id"]
        d.wait_until(lambda: d.taken_through() >= last, 120)
        after = stable_rss(p.pid, quiet=quiet, timeout=60)
        r["bcastn_before_kib"], r["bcastn_rss_kib"] = before, after
        r["bcastn_outcome"] = bcast_outcome(kind, p)
        if after > before and "refused" not in r["bcastn_outcome"]:
            r["bcastn_per_reply"] = (after - before) * 1024.0 / n
        return r
    finally:
        p.kill()
        d.stop()


def bcast_outcome(kind, p):
    if kind != EXAMFLOW:
        return ""
    try:
        with open(os.path.join(p.dir, "bot.log"), errors="replace") as f:
            log = f.read()
    except OSError:
        return "?"
    m = re.findall(r"broadcast (?:queued for|to) (\d+) users", log)
    return "queued for %s" % m[-1] if m else "refused"


def stable_rss(pid, quiet, timeout):
    """VmRSS once it has not grown for `quiet` seconds (the largest seen)."""
    end = time.monotonic() + timeout
    best, since = 0, time.monotonic()
    while time.monotonic() < end:
        v = status_kib(pid).get("VmRSS", 0)
        if v > best:
            best, since = v, time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        time.sleep(0.1)
    return best


# --- the big bank ------------------------------------------------------------------

def write_bank(path, n):
    with open(path, "w", encoding="utf-8") as f:
        f.write("# generated by tests/bench_all.py: %d tasks, every answer 4\nsubject: b\ntitle: Бенч\n\n" % n)
        for i in range(n):
            f.write("id: b-%06d\nnumber: %d\ntext: Сколько будет %d+4-%d?\nanswer: 4\n"
                    "solution: %d+4-%d = 4.\n\n" % (i, i % 20 + 1, i, i, i, i))


def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC_T = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    t = _CRC_T
    for b in data:
        c = t[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def store_line(typ, seq, ts, fields):
    esc = lambda s: s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    body = "\t".join([typ, str(seq), str(ts)] + [esc(f) for f in fields]).encode("utf-8")
    return body + b"\t%08x\n" % crc32c(body)


def seed_examflow(data_dir, student, seen):
    """events.log with one batch: the student (subject b) and `seen` solved tasks."""
    os.makedirs(data_dir, mode=0o700, exist_ok=True)
    ts = int(time.time() * 1000)
    recs = [("user", [str(student), "Отличник", "b", "", "", "ach=0"])]
    recs += [("task", [str(student), "b-%06d" % i, "due=0 box=0 rir=0 solved=1"]) for i in range(seen)]
    with open(os.path.join(data_dir, "events.log"), "wb") as f:
        f.write(store_line("begin", 1, ts, [str(len(recs))]))
        for i, (typ, fields) in enumerate(recs):
            f.write(store_line(typ, 1 + i, ts, fields))


def seed_ptb(wd, student, seen):
    os.makedirs(wd, exist_ok=True)
    with open(os.path.join(wd, "state.jsonl"), "w", encoding="utf-8") as f:
        f.write(json.dumps({"id": student, "name": "Отличник", "subject": "b",
                            "seen": ["b-%06d" % i for i in range(seen)]}, ensure_ascii=False) + "\n")


def ph_bank(kind, binary, tmp, a, banks):
    r = {}
    student = 777000777
    for n in banks:
        path = os.path.join(tmp, "bank-%d.txt" % n)
        if not os.path.exists(path):
            write_bank(path, n)
        wd = os.path.join(tmp, "%s-bank-%d" % (kind, n))
        seen = min(a.seen, n - 1)
        if kind == EXAMFLOW:
            seed_examflow(os.path.join(wd, "data"), student, seen)
        else:
            seed_ptb(wd, student, seen)
        d = new_double(limits=True)
        p = Proc(kind, binary, d, wd, bank=path)
        try:
            first = p.first_poll(timeout=120)
            if first is None:
                why = [ln for ln in p.log_tail(3000).splitlines() if ln.strip()]
                r.setdefault("bank_refused", []).append((n, why[-1] if why else "exit %s" % p.p.poll()))
                continue
            r["bank_n"], r["bank_seen"], r["bank_start_ms"] = n, seen, first * 1000
            # past probation: a /help from another chat
            n0 = d.n_sent()
            d.push_message(881000001, "/help")
            wait_replies(d, [881000001], n0, 30)
            # /task and, as the baseline of the same path (poll, commit,
            # send) without choosing a task, /help from the same student
            lat = {"/task": [], "/help": []}
            for _ in range(a.task_runs):
                for cmd in ("/task", "/help"):
                    n0 = d.n_sent()
                    d.push_message(student, cmd)
                    got = wait_replies(d, [student], n0, 60)
                    if student in got:
                        lat[cmd].append((got[student]["t_recv"] - d.push_t[student]) * 1000)
                    time.sleep(1.2)         # 1 message per second per chat
            r["task_ms"] = statistics.median(lat["/task"]) if lat["/task"] else None
            r["help_ms"] = statistics.median(lat["/help"]) if lat["/help"] else None
            if r["task_ms"] is not None and r["help_ms"] is not None:
                r["choice_ms"] = max(0.0, r["task_ms"] - r["help_ms"])
            r["task_n"] = len(lat["/task"])
            r["bank_rss_kib"] = status_kib(p.pid).get("VmRSS")
            break
        finally:
            p.kill()
            d.stop()
    return r


def ph_replay(store):
    if not store or not os.access(store, os.X_OK):
        return {}
    wd = tempfile.mkdtemp(prefix="examflow-bench-store-")
    try:
        out = subprocess.run([store, wd], capture_output=True, text=True, timeout=300).stdout
    finally:
        shutil.rmtree(wd, ignore_errors=True)
    r = {"store_out": out}
    m = re.search(r"replay of (\d+) records.*?: (\d+) ms", out)
    if m:
        r["replay_n"], r["replay_ms"] = int(m.group(1)), int(m.group(2))
    m = re.search(r"batches of 100:\s+(\d+) commits/s", out)
    if m:
        r["commits100"] = int(m.group(1))
    return r


# ---------------------------------------------------------------------------

def ensure_ptb():
    """None when PTB 13 is importable by /usr/bin/python3, else why it is skipped."""
    def have():
        try:
            v = subprocess.run([PTB_PYTHON, "-W", "ignore", "-c", "import telegram; print(telegram.__version__)"],
                               capture_output=True, text=True, timeout=60).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None
        return v or None
    v = have()
    if v:
        return None, v
    if os.geteuid() != 0:
        return ("python3-python-telegram-bot is not installed and this is not root (as root: apt-get install "
                "python3-python-telegram-bot)"), None
    print("bench: installing python3-python-telegram-bot with apt-get ...", flush=True)
    install = ["apt-get", "install", "-y", "-q", "python3-python-telegram-bot"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    rc = subprocess.run(install, **quiet).returncode
    if rc != 0:                       # a stale package list: update it once and try again
        subprocess.run(["apt-get", "update", "-q"], **quiet)
        rc = subprocess.run(install, **quiet).returncode
    v = have()
    if v:
        return None, v
    return "apt-get install python3-python-telegram-bot failed (exit %d)" % rc, None


def fmt(v, f="%.1f"):
    return "-" if v is None else f % v


def fmt_ratio(r):
    if r is None:
        return "-"
    return "%.0fx" % r if r >= 10 else "%.1fx" % r if r >= 1 else "%.2gx" % r


def mib(kib):
    return None if kib is None else kib / 1024.0


def run(a):
    phases = set(a.only.split(",")) if a.only else {"startup", "cpu", "latency", "rate", "syscalls",
                                                      "storm", "bcast", "bank", "replay"}
    bots = a.bots.split(",")
    res = {EXAMFLOW: {}, PTB: {}, "failures": []}
    skip, ptb_version = None, None
    if PTB in bots:
        skip, ptb_version = ensure_ptb()
        if skip:
            bots.remove(PTB)
    else:
        skip = "not run (--bots %s)" % a.bots
    tmp = tempfile.mkdtemp(prefix="examflow-bench-all-")
    began = time.monotonic()
    timings = {}
    failures = []

    def phase(name, kind, fn, *args):
        """One phase for one bot; a failure is reported and the bench goes on."""
        t = time.monotonic()
        try:
            res[kind].update(fn(*args))
        except KeyboardInterrupt:
            raise
        except Exception as e:         # the bot under test broke, or the bench did
            failures.append("%s %s: %s: %s" % (name, kind, type(e).__name__, str(e).strip()[-400:]))
        timings[name + " " + kind] = time.monotonic() - t

    try:
        for kind in bots:
            if "startup" in phases:
                phase("startup", kind, ph_startup, kind, a.binary, tmp, a.startups)
            main_ph = phases & {"cpu", "latency", "rate", "syscalls"}
            if main_ph:
                phase("main", kind, ph_main, kind, a.binary, tmp, a, main_ph)
            if "latency" in phases and kind == EXAMFLOW:
                phase("latency-nofsync", kind, ph_latency_nofsync, a.binary, tmp, a)
            if "storm" in phases:
                phase("storm", kind, ph_storm, kind, a.binary, tmp, a)
            if "bcast" in phases and (res[EXAMFLOW].get("bcast_note") == "refused" or "storm" not in phases):
                phase("bcast", kind, ph_bcast, kind, a.binary, tmp, a)
            if "bank" in phases:
                banks = [a.bank] + ([20000] if a.bank > 20000 else [])
                if kind == PTB and res[EXAMFLOW].get("bank_n"):
                    banks = [res[EXAMFLOW]["bank_n"]]      # the same load as ExamFlow had
                phase("bank", kind, ph_bank, kind, a.binary, tmp, a, banks)
        if "replay" in phases and EXAMFLOW in bots:
            phase("replay", EXAMFLOW, ph_replay, a.store)
        res["failures"] = failures
    finally:
        for p in PROCS:
            kill(p)
        shutil.rmtree(tmp, ignore_errors=True)
    return res, skip, ptb_version, time.monotonic() - began, timings


# --- the table ---------------------------------------------------------------------

def rows(res, a):
    """(tag, label, examflow value, ptb value, ratio ptb/examflow, unit, target) per figure."""
    e, p = res[EXAMFLOW], res[PTB]

    def ratio(x, y):
        return None if x in (None, 0) or y is None else y / x

    out = []

    def add(tag, label, key, unit, target="", f="%.1f", conv=None, lower_better=True, ok=None):
        """ok(ExamFlow's value, ratio) -> True/False: the target met or missed (printed, never asserted)."""
        ev, pv = e.get(key), p.get(key)
        if conv:
            ev, pv = conv(ev), conv(pv)
        rt = ratio(ev, pv) if lower_better else ratio(pv, ev)
        if ok and ev is not None:
            verdict = ok(ev, rt)
            if verdict is not None:
                target += ": " + ("met" if verdict else "MISSED")
        out.append((tag, label, fmt(ev, f), fmt(pv, f), fmt_ratio(rt), unit, target))

    add("cpu", "CPU per handled update", "cpu_us_per_update", "us", "PTB/ExamFlow >= 5x", "%.0f",
        ok=lambda v, r: None if r is None else r >= 5)
    add("cpu", "  of which in the kernel (stime)", "cpu_sys_us", "us", "", "%.0f")
    add("cpu", "  the same less idle CPU over the run", "cpu_us_net", "us", "", "%.0f")
    add("cpu", "  idle CPU (no updates)", "idle_cpu_ms_s", "ms/s", "", "%.2f")
    add("storm", "CPU per /start during the storm (replies queued)", "storm_cpu_us", "us", "", "%.0f")
    add("syscalls", "system calls per reply at Telegram's rate", "sys_per_reply", "calls", "<= 3.5",
        ok=lambda v, r: v <= 3.5)
    add("storm", "  the same, queued replies draining (no updates)", "drain_per_reply", "calls", "<= 3.5",
        ok=lambda v, r: v <= 3.5)
    add("storm", "RSS idle", "rss_idle_kib", "MiB", "", "%.2f", mib)
    add("storm", "RSS after the %s-student /start storm" % "{:,}".format(a.storm), "storm_rss_kib", "MiB",
        "<= 16 MiB (100k students + 100k replies queued)", "%.2f", mib,
        ok=lambda v, r: (v <= 16) if a.storm >= 100000 else (False if v > 16 else None))
    add("storm", "  peak (VmHWM) during the storm", "storm_hwm_kib", "MiB", "", "%.2f", mib)
    add("storm", "RSS during a /broadcast to all of them", "bcast_rss_kib", "MiB", "", "%.2f", mib)
    if e.get("bcast_note") == "refused":
        t = out[-1]
        out[-1] = t[:2] + ("refused",) + t[3:4] + ("-",) + t[5:]
    add("bcast", "RSS during a /broadcast to all %s (after their storm)" % "{:,}".format(a.bcast), "bcastn_rss_kib",
        "MiB", "", "%.2f", mib)
    add("bcast", "  memory per queued broadcast reply", "bcastn_per_reply", "bytes", "", "%.0f")
    add("storm", "peak RSS loading that data dir (restart)", "load_hwm_kib", "MiB",
        "<= live state + small constant", "%.2f", mib)
    add("storm", "  of which transient (VmHWM - VmRSS there)", "load_extra_kib", "MiB",
        "small constant (read: <= 2 MiB)", "%.2f", mib, ok=lambda v, r: v <= 2.0)
    add("storm", "  start-up on that data dir, to 1st getUpdates", "load_s", "ms", "", "%.0f",
        lambda v: None if v is None else v * 1000)
    add("storm", "  data on disk", "data_bytes", "MiB", "", "%.1f", lambda v: None if v is None else v / 1048576)
    add("rate", "replies/s at 50 ms RTT, Telegram's limits on", "rate", "msg/s", ">= 29 (30/s is the limit)",
        lower_better=False, ok=lambda v, r: v >= 29)
    add("rate", "  429 answers", "rate_429", "", "0", "%d", ok=lambda v, r: v == 0)
    add("bank", "/task with a %s-task bank, %s seen, arrival -> reply" % ("{:,}".format(e.get("bank_n") or a.bank),
                                                                         "{:,}".format(e.get("bank_seen") or a.seen)),
        "task_ms", "ms", "", "%.1f")
    add("bank", "  /help from the same student (the same path, no task chosen)", "help_ms", "ms", "", "%.1f")
    add("bank", "  /task less /help: choosing the task", "choice_ms", "ms", "< 1 ms (100,000 tasks, 10,000 seen)", "%.1f",
        ok=lambda v, r: False if v >= 1 else (True if (e.get("bank_n") or 0) >= 100000 and
                                              (e.get("bank_seen") or 0) >= 10000 else None))
    add("bank", "  start-up with that bank, to 1st getUpdates", "bank_start_ms", "ms", "", "%.0f")
    add("startup", "start-up to 1st getUpdates (system CA bundle, best of %d)" % a.startups, "startup_ms", "ms", "<= 10 ms", "%.1f",
        ok=lambda v, r: v <= 10)
    add("startup", "  same, one-certificate ca_file", "startup_1ca_ms", "ms", "", "%.1f")
    add("latency", "update arrival -> reply, p50 (20/s, limits on)", "lat_p50_ms", "ms", "", "%.1f")
    add("latency", "update arrival -> reply, p99", "lat_p99_ms", "ms", "", "%.1f")
    add("latency", "  p50 / p99 with ExamFlow's fsync = off", "latoff_p50_ms", "ms", "", "%.1f")
    if e.get("latoff_p99_ms") is not None:
        t = out[-1]
        out[-1] = t[:2] + ("%.1f/%.1f" % (e["latoff_p50_ms"], e["latoff_p99_ms"]), "-", "-") + t[5:]
    add("replay", "storage replay of 1 M records", "replay_ms", "ms", "< 1000 ms", "%.0f",
        ok=lambda v, r: v < 1000)
    return [t for t in out if t[2] != "-" or t[3] != "-"]


def derived(res, a):
    """Sentences derived from the figures: memory per student and per queued reply, and
    the largest /start storm under the shipped unit's MemoryMax (an estimate)."""
    out = []
    mm = memorymax_bytes()
    name = {EXAMFLOW: "ExamFlow", PTB: "PTB bot"}
    N = "{:,}".format
    for kind in (EXAMFLOW, PTB):
        r = res[kind]
        per = None
        if r.get("storm_rss_kib") and r.get("rss_idle_kib") and r.get("storm_taken"):
            per = (r["storm_rss_kib"] - r["rss_idle_kib"]) * 1024.0 / a.storm
            out.append("%s: memory per student, with the reply to their /start queued: %.0f bytes "
                       "((RSS after the storm - idle RSS) / %s)" % (name[kind], per, N(a.storm)))
        bc = None
        if r.get("bcast_rss_kib") and r.get("storm_rss_kib") and "refused" not in (r.get("bcast_note") or ""):
            bc, n = (r["bcast_rss_kib"] - r["storm_rss_kib"]) * 1024.0 / a.storm, a.storm
        elif r.get("bcastn_per_reply"):
            bc, n = r["bcastn_per_reply"], a.bcast
        if bc is not None:
            out.append("%s: memory per queued reply (a %d-character broadcast, %s of them): %.0f bytes%s"
                       % (name[kind], len(BCAST_TEXT), N(n), max(bc, 0.0),
                          " (a broadcast is one text and a cursor; at most 32 of its messages are queued)"
                          if kind == EXAMFLOW and bc < 16 else ""))
        if kind == EXAMFLOW and r.get("bcast_note") == "refused":
            out.append("ExamFlow refused the /broadcast to all %s students" % N(a.storm))
        if mm and per:
            # loading the data dir after a restart can peak above the storm: take the larger
            worst = per
            if r.get("load_hwm_kib") and r.get("rss_idle_kib"):
                worst = max(per, (r["load_hwm_kib"] - r["rss_idle_kib"]) * 1024.0 / a.storm)
            base = (r.get("rss_idle_kib") or 0) * 1024
            most = int((mm - base) / worst / 1000) * 1000
            cap = max_users() if kind == EXAMFLOW else None
            out.append("%s: largest /start storm under examflow.service's MemoryMax=%dM: about %s students "
                       "(an estimate: linear in %.0f bytes per student, the larger of the storm and the "
                       "restart's load peak, from %.1f MiB idle; the page cache of the data files and, for "
                       "ExamFlow, the watchdog's ~1 MiB not counted)%s"
                       % (name[kind], mm >> 20, N(most), worst, base / 1048576.0,
                          "; one bot holds at most %s students (BOT_MAX_USERS): the rest are told it is full"
                          % N(cap) if cap and cap < most else ""))
    return out


def max_users():
    """examflow.c's BOT_MAX_USERS, or None."""
    try:
        with open(os.path.join(os.path.dirname(HERE), "examflow.c")) as f:
            m = re.search(r"^#define BOT_MAX_USERS (\d+)", f.read(), re.M)
        return int(m.group(1)) if m else None
    except OSError:
        return None


def memorymax_bytes():
    try:
        with open(os.path.join(os.path.dirname(HERE), "examflow.service")) as f:
            for line in f:
                m = re.match(r"\s*MemoryMax\s*=\s*(\d+)([KMG]?)", line)
                if m:
                    return int(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2)]
    except OSError:
        pass
    return None


def report(res, skip, ptb_version, a, took, timings, version):
    lines = []
    P = lines.append
    tbl = rows(res, a)
    P("ExamFlow vs python-telegram-bot 13, same load, same Bot API double (tests/bench_all.py; printed, never asserted)")
    P("examflow: %s" % version)
    P("ptb:      %s" % ("python-telegram-bot %s on %s, tests/bench_ptb_bot.py" % (ptb_version, PTB_PYTHON)
                        if not skip else "skipped: " + skip))
    P("machine:  %s" % machine())
    P("")
    w = max([len(t[1]) for t in tbl] + [40]) + 2
    hdr = "%-10s %-*s %10s %10s %8s  %-6s %s" % ("[phase]", w, "figure", "ExamFlow", "PTB 13", "PTB/EF", "unit",
                                                 "target (issue 16)")
    P(hdr)
    P("-" * len(hdr))
    for tag, label, ev, pv, ratio, unit, target in tbl:
        P("%-10s %-*s %10s %10s %8s  %-6s %s" % ("[" + tag + "]", w, label, ev, pv, ratio, unit, target))
    P("")
    for line in derived(res, a):
        P("derived: " + line)
    for kind in (EXAMFLOW, PTB):
        r = res[kind]
        for k, what in (("sys", "a /help each"), ("drain", "queued replies draining")):
            if r.get(k + "_top"):
                P("%s system calls per reply (%s), the most frequent: %s" % (
                    "ExamFlow" if kind == EXAMFLOW else "PTB bot", what, r[k + "_top"]))
    P("  (the double answers in one write, headers and body together, as nginx in front of Telegram sends")
    P("  a small answer: one read per answer; its split_writes = True sends them apart, as http.server does)")
    for f in res.get("failures", []):
        P("FAILED (no figure): " + f)
    if not os.path.exists(SYSTEM_CA):
        P("note: %s is missing: the start-up row ran without the system CA bundle" % SYSTEM_CA)
    for kind in (EXAMFLOW, PTB):
        r = res[kind]
        for k in ("storm_note", "load_note", "bcast_n_note"):
            if r.get(k):
                P("note: %s %s: %s" % (kind, k, r[k]))
        for n, why in r.get("bank_refused", []):
            P("note: %s refused the %s-task bank: %s" % (kind, "{:,}".format(n), why.strip()[:160]))
        for k, what in (("lat", ""), ("latoff", ", fsync = off")):
            if r.get(k + "_top"):
                P("note: %s latency phase%s: %d replies; the slowest three %s ms" % (
                    kind, what, r[k + "_n"], ", ".join("%.1f" % x for x in r[k + "_top"])))
        if r.get("startup_ms_median") is not None:
            P("note: %s start-up, median of %d runs: %.1f ms%s" % (
                kind, a.startups, r["startup_ms_median"], "" if r.get("startup_1ca_ms_median") is None else
                " (one-certificate ca_file: %.1f ms)" % r["startup_1ca_ms_median"]))
        if r.get("cpu_updates"):
            P("note: %s cpu phase: %d updates, %d replies accepted, %.0f s" % (kind, r["cpu_updates"], r["cpu_replies"],
                                                                           r["cpu_wall_s"]))
        if r.get("cpu_ok") is False:
            P("note: %s did not settle in the cpu phase" % kind)
        if r.get("rate_replies") is not None and r["rate_replies"] < r["rate_chats"]:
            P("note: %s answered %d of %d chats in the rate phase" % (kind, r["rate_replies"], r["rate_chats"]))
        if r.get("bcast_note") and kind == EXAMFLOW:
            P("note: ExamFlow /broadcast to %s students: %s" % ("{:,}".format(a.storm), r["bcast_note"]))
    P("")
    P("PTB/EF: PTB 13's figure over ExamFlow's (for replies/s the other way round): above 1, ExamFlow does better")
    P("how to reproduce a line: python3 tests/bench_all.py %s --only PHASE%s  (PHASE = the tag in brackets;"
      % (a.binary, " --quick" if a.quick else ""))
    P("  the sizes used here: --updates %d --paced %d --chats %d --latency %d --storm %d --bank %d --seen %d)"
      % (a.updates, a.paced, a.chats, a.latency, a.storm, a.bank, a.seen))
    P("  [replay] is tests/build/bench/bench_store DIR (make tests/build/bench/bench_store)")
    P("what the PTB bot does and does not do: the docstring of tests/bench_ptb_bot.py (no fsync; replies")
    P("  paced by PTB 13's MessageQueue, 29 per 1017 ms, sent on 4 worker threads; no retry after 429)")
    P("bench took %.0f s (%s)" % (took, ", ".join("%s %.0f s" % kv for kv in timings.items())))
    return lines, tbl


def markdown(res, a, tbl, took, ptb_version, skip):
    e = res[EXAMFLOW]
    L = []
    P = L.append
    P("## Performance")
    P("")
    P("`make bench` runs ExamFlow and an equivalent small bot on python-telegram-bot 13")
    P("(`tests/bench_ptb_bot.py`, Debian's `python3-python-telegram-bot`) on the same load")
    P("against the same Bot API double, and prints one table (`tests/bench_all.py`;")
    P("printed, never asserted; this section is its `--markdown` output). One run on the")
    P("development machine (%s), %s:" % (machine(), "PTB %s" % ptb_version if not skip else "PTB skipped"))
    P("")
    P("| figure | ExamFlow | PTB 13 | PTB / ExamFlow | unit | target | reproduce (`--only`) |")
    P("|---|---:|---:|---:|---|---|---|")
    for tag, label, ev, pv, ratio, unit, target in tbl:
        sub = label.startswith("  ")
        P("| %s%s | %s | %s | %s | %s | %s | `%s` |" % ("↳ " if sub else "", label.strip(), ev, pv, ratio, unit,
                                                      target, tag))
    P("")
    full, parent = [], ""
    for t in tbl:
        if not t[1].startswith("  "):
            parent = t[1]
        full.append(t[1] if not t[1].startswith("  ") else "%s (%s)" % (parent, t[1].strip()))
    missed = [f for f, t in zip(full, tbl) if t[6].endswith("MISSED")]
    met = [f for f, t in zip(full, tbl) if t[6].endswith(": met")]
    if missed:
        P("- Targets of issue 16 missed in this run: %s." % "; ".join(missed))
    if met:
        P("- Met: %s." % "; ".join(met))
    for line in derived(res, a):
        P("- " + line + ".")
    for n, why in e.get("bank_refused", []):
        P("- ExamFlow refused the %s-task bank (%s), so /task ran on %s tasks."
          % ("{:,}".format(n), re.sub(r"^.*?: (\d+ errors)", r"\1", why.strip())[:120],
             "{:,}".format(e["bank_n"]) if e.get("bank_n") else "no bank"))
    if e.get("replay_ms") is not None:
        P("- Storage (bench_store): replay of %s records in %d ms; %s commits/s in batches of 100 "
          "(fsync=batch)." % ("{:,}".format(e["replay_n"]), e["replay_ms"], "{:,}".format(e.get("commits100", 0))))
    P("- The PTB bot keeps its state in a JSON-lines file without fsync, paces replies with PTB 13's")
    P("  MessageQueue and does not retry after a 429; ExamFlow fsyncs each batch and keeps queued")
    P("  replies across restarts. The double is Python on the same 2 cores, and the machine is shared")
    P("  with other work: wall-clock figures are upper bounds and vary between runs (start-up, the")
    P("  latency tail, commits/s and CPU per update by up to 1.5-2x over a day's runs; memory and")
    P("  system-call counts by a few percent).")
    P("- Reproduce: `make bench`, or `python3 tests/bench_all.py ./examflow --only PHASE` for one row;")
    P("  `--quick` for smaller sizes. The whole run took %.0f s." % took)
    P("")
    return L


def main():
    ap = argparse.ArgumentParser(description="ExamFlow vs python-telegram-bot 13 (prints, never asserts)")
    ap.add_argument("binary", nargs="?", default="./examflow")
    ap.add_argument("--store", help="the bench_store binary (the replay figure)")
    ap.add_argument("--quick", action="store_true", help="smaller sizes (about a minute)")
    ap.add_argument("--only", help="comma list of phases: startup,cpu,latency,rate,syscalls,storm,bcast,bank,replay")
    ap.add_argument("--bots", default="examflow,ptb")
    ap.add_argument("--updates", type=int)
    ap.add_argument("--paced", type=int)
    ap.add_argument("--chats", type=int)
    ap.add_argument("--latency", type=int, default=50)
    ap.add_argument("--storm", type=int)
    ap.add_argument("--bcast", type=int, help="students of the broadcast phase (default: min(storm, 50000))")
    ap.add_argument("--storm-timeout", type=int, default=240)
    ap.add_argument("--bank", type=int)
    ap.add_argument("--seen", type=int)
    ap.add_argument("--drain", type=float, default=5.0, help="seconds of strace while storm replies drain")
    ap.add_argument("--task-runs", type=int, default=3)
    ap.add_argument("--startups", type=int, default=5, help="start-up runs per variant (the best is shown)")
    ap.add_argument("--save", help="also write the figures to this JSON file")
    ap.add_argument("--load", help="run nothing: print the figures saved with --save")
    ap.add_argument("--markdown", action="store_true", help="also print README's performance section")
    ap.add_argument("--readme", help="replace the '## Performance' section of this file with it")
    a = ap.parse_args()
    q = a.quick
    a.updates = a.updates or (300 if q else 600)
    a.paced = a.paced or (60 if q else 200)
    a.chats = a.chats or (90 if q else 240)
    a.storm = a.storm or (10000 if q else 100000)
    a.bcast = a.bcast or min(a.storm, 49000)   # a second storm of its own; the storm phase broadcasts to all
    a.bank = a.bank or (10000 if q else 100000)
    a.seen = a.seen if a.seen is not None else (1000 if q else 10000)
    if not a.load and not os.access(a.binary, os.X_OK):
        print("bench: %s is not an executable (make examflow first)" % a.binary)
        return 2
    try:
        version = subprocess.run([os.path.abspath(a.binary), "version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        version = "?"
    if a.load:
        # render an earlier run again (e.g. README's section after an edit of this script)
        with open(a.load, encoding="utf-8") as f:
            saved = json.load(f)
        res, skip, ptb_version, took, timings, version = (saved[k] for k in (
            "res", "skip", "ptb_version", "took", "timings", "version"))
        for k, v in saved["sizes"].items():
            setattr(a, k, v)
    else:
        res, skip, ptb_version, took, timings = run(a)
    if a.save:
        with open(a.save, "w", encoding="utf-8") as f:
            json.dump({"res": res, "skip": skip, "ptb_version": ptb_version, "took": took, "timings": timings,
                       "version": version, "sizes": {k: getattr(a, k) for k in (
                           "updates", "paced", "chats", "latency", "storm", "bcast", "bank", "seen", "quick", "startups")}},
                      f, ensure_ascii=False, indent=1)
    lines, tbl = report(res, skip, ptb_version, a, took, timings, version)
    print("\n".join(lines))
    if a.markdown or a.readme:
        md = markdown(res, a, tbl, took, ptb_version, skip)
        if a.markdown:
            print()
            print("\n".join(md))
        if a.readme:
            with open(a.readme, encoding="utf-8") as f:
                text = f.read()
            m = re.search(r"^## Performance\n.*?(?=^## )", text, re.S | re.M)
            if m:
                text = text[:m.start()] + "\n".join(md) + "\n" + text[m.end():]
                with open(a.readme, "w", encoding="utf-8") as f:
                    f.write(text)
                print("bench: %s: performance section replaced" % a.readme)
            else:
                print("bench: %s has no '## Performance' section followed by another '## '" % a.readme)
    return 0


if __name__ == "__main__":
    run_script(main, BenchError)
