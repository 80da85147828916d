#!/usr/bin/env python3
"""Benchmark of the Telegram engine (issue 5) against the Bot API double.

    python3 tests/bench.py ./examflow [--updates 1500] [--chats 300] [--latency 50] [--nagle]

`make bench` runs tests/bench_all.py (ExamFlow and python-telegram-bot 13 side by
side, issue 16), which borrows this file's double, /proc readers and bot-process
helpers (BotProcess, kill, settle; tests/scale.py borrows status_kib); this script
is the more detailed look at ExamFlow's Telegram engine alone.

Runs `examflow run --no-watchdog` against tests/tg_double.py on 127.0.0.1 with a
small task bank and prints figures; it never asserts (exit status 0 unless the
bench itself breaks).  Measured:

  1. CPU time per handled update: N updates (/start, /help, /stats, /task,
     graded answers, one button press in ten) pushed at once, limits off, no latency; utime+stime of the bot
     from /proc/PID/stat (clock ticks) before and after, per update, plus the
     nanosecond run time of its threads from /proc/PID/task/*/schedstat as a
     cross-check.  Once with fsync=batch (the default) and once with fsync=off;
     and once with N group-chat remarks the bot reads and ignores (no replies),
     which isolates receiving/decoding/dispatching from sending.
  2. Resident memory: VmRSS after start (idle), VmRSS and VmHWM after the load of 1.
  3. Replies per second with a 50 ms simulated round trip and the double's
     Telegram limits on (30/s overall with a one-second burst, 1/s per private
     chat): C distinct chats each send one /help at once.
  4. Time from process start to the first getUpdates at the double (also with
     a one-certificate ca_file, which shows what loading the system CA bundle
     costs: the bot loads it even for an http:// API URL).

Every process this script starts is killed at the end, also on errors and ^C.
The double is Python in this same process; on a small machine it competes with
the bot for the CPU, so wall times are an upper bound for the bot's own cost.
"""
import argparse
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tg_double import TelegramDouble  # noqa: E402

class BenchDouble(TelegramDouble):
    """The double plus what the bench needs:
    * every getUpdates (arrival time, offset) as it arrives: calls() records a
      call only when it is answered, i.e. after the long poll;
    * every sendMessage's full time at the double (arrival to the end of the
      simulated round trip: calls() stops the clock before the second half);
    * TCP_NODELAY on accepted sockets, as nginx in front of the real Bot API
      has: http.server writes the status+headers and the body with two send()s,
      and without it Nagle holds the body until the bot's delayed ACK (~40 ms
      on Linux), which adds ~44 ms to every call on a reused connection.
      --nagle turns this off to reproduce the plain double."""

    nodelay = True

    def __init__(self, **kw):
        super().__init__(**kw)
        self.poll_arrivals = []       # (t, offset)
        self.send_spans = []          # (t arrival, t answered, conn)

    def _conn_open(self, sock):
        if self.nodelay:
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        return super()._conn_open(sock)

    def _m_getUpdates(self, p, req):
        try:
            off = int(p.get("offset") or 0)
        except (TypeError, ValueError):
            off = 0
        with self._lock:
            self.poll_arrivals.append((req.t, off))
        return super()._m_getUpdates(p, req)

    def _serve(self, req):
        rep = super()._serve(req)
        if req.path.lower().endswith("/sendmessage"):
            with self._lock:
                self.send_spans.append((req.t, time.monotonic(), req.conn))
        return rep

    def polls(self):
        with self._lock:
            return list(self.poll_arrivals)

    def sent_since(self, i):
        with self._lock:
            return self._sent[i:]

    def n_sent(self):
        """len(sent()) without copying every message."""
        with self._lock:
            return len(self._sent)

    def n_pending(self):
        """len(pending_updates) without copying every update."""
        with self._lock:
            return len(self._updates)


TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"

# The fixture bank the tests share: subject t, three tasks whose answer is 4.
FIXTURE_BANK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixture_bank.txt")

# What each chat of the CPU load sends, in order: 9 text messages and one button
# press ("Любое" on the number menu of subject t, which deals a task), so that
# the answers are graded (a wrong one, then right ones: points, an achievement).
SCRIPT = [("msg", "/start"), ("press", "n:t:0"), ("msg", "5"), ("msg", "4"), ("msg", "/help"),
          ("msg", "/stats"), ("msg", "/task"), ("msg", "4"), ("msg", "/stats"), ("msg", "/help")]

CLK_TCK = os.sysconf("SC_CLK_TCK")
PROCS = []          # every bot process started, for the final cleanup


# ---------------------------------------------------------------------------
# /proc readers
# ---------------------------------------------------------------------------

def cpu_split(pid):
    """(utime, stime) of the whole process (all threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    fields = s[s.rindex(")") + 2:].split()   # after "pid (comm) "; field 3 is fields[0]
    return int(fields[11]), int(fields[12])   # utime (14), stime (15)


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    return sum(cpu_split(pid))


def cpu_ns(pid):
    """Sum of the threads' on-CPU time from schedstat, in ns (None if unavailable)."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


class Load:
    """CPU used on the whole machine between start() and stop(), split into this
    script (the double), the bot and everything else (other users' processes),
    in percent of the machine (100% = all cores busy)."""

    def __init__(self, pid):
        self.pid = pid
        self.a = self._sample()

    def _sample(self):
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        t = os.times()
        own = (t.user + t.system) * CLK_TCK
        return sum(v[:8]), sum(v[:8]) - idle, own, cpu_ticks(self.pid)

    def stop(self):
        b = self._sample()
        total = max(1, b[0] - self.a[0])
        busy, own, bot = b[1] - self.a[1], b[2] - self.a[2], b[3] - self.a[3]
        pct = lambda x: 100.0 * x / total
        return {"bot": pct(bot), "double": pct(own), "other": max(0.0, pct(busy - own - bot))}


def threads(pid):
    try:
        return len(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return 0


def status_kib(pid):
    """{"VmRSS": kiB, "VmHWM": kiB} from /proc/PID/status; {} when pid is gone."""
    out = {}
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                k, _, v = line.partition(":")
                if k in ("VmRSS", "VmHWM"):
                    out[k] = int(v.split()[0])
    except OSError:
        pass
    return out


def fds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return -1


# ---------------------------------------------------------------------------
# running the bot
# ---------------------------------------------------------------------------

def examflow_env(d, wd, bank=FIXTURE_BANK):
    """The environment of `examflow run` against double d with everything in wd
    (data dir, health file, bot.log); bank: the tasks_file (replace), or None for
    the embedded bank."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": wd,
        "LANG": "C.UTF-8",
        "TELEGRAM_BOT_TOKEN": d.token,
        "EXAMFLOW_TELEGRAM_API": d.url,
        "EXAMFLOW_GEMINI_API": "http://127.0.0.1:9",
        "EXAMFLOW_DATA_DIR": os.path.join(wd, "data"),
        "EXAMFLOW_HEALTH_FILE": os.path.join(wd, "health.json"),
        "EXAMFLOW_LOG_FILE": os.path.join(wd, "bot.log"),
        "EXAMFLOW_LOG_LEVEL": "info",
        "EXAMFLOW_POLL_TIMEOUT": "50",
    }
    if bank:
        env["EXAMFLOW_TASKS_FILE"] = bank
        env["EXAMFLOW_TASKS_MODE"] = "replace"
    return env


class BotProcess:
    """One bot process (cmd with env, in directory wd) against double d: its own
    session, so that kill() takes its whole process group; its stdout and stderr
    appended to wd/stderr.txt; recorded in PROCS for the final cleanup."""

    def __init__(self, cmd, env, d, wd):
        self.d, self.dir = d, wd
        self.err = open(os.path.join(wd, "stderr.txt"), "a")
        self.n_polls0 = len(d.polls())
        self.t0 = time.monotonic()
        self.p = subprocess.Popen(cmd, env=env, cwd=wd, stdin=subprocess.DEVNULL, stdout=self.err,
                                  stderr=self.err, start_new_session=True)
        PROCS.append(self.p)
        self.pid = self.p.pid

    def first_poll(self, timeout=60):
        """Seconds from Popen to this process's first getUpdates at the double, or None."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            polls = self.d.polls()[self.n_polls0:]
            if polls:
                return polls[0][0] - self.t0
            if self.p.poll() is not None:
                return None
            time.sleep(0.001)
        return None

    def log_tail(self, n=2000):
        """The last n characters of wd/bot.log and of wd/stderr.txt."""
        out = []
        for name in ("bot.log", "stderr.txt"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    out.append(f.read()[-n:])
            except OSError:
                pass
        return "\n".join(out)

    def kill(self):
        """SIGKILL to the process group (if still running)."""
        kill(self.p)
        self.err.close()

    def stop(self):
        """SIGTERM to the process group, SIGKILL after 10 s; the exit status."""
        if self.p.poll() is None:
            try:
                os.killpg(self.p.pid, signal.SIGTERM)
                self.p.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                pass
        self.kill()
        return self.p.returncode


class Bot(BotProcess):
    """One `examflow run --no-watchdog` against double d, in its own temp dir."""

    def __init__(self, binary, d, tmp, name, bank=True, **env_extra):
        wd = tempfile.mkdtemp(prefix=name + "-", dir=tmp)
        env = examflow_env(d, wd, FIXTURE_BANK if bank else None)
        env.update({k: str(v) for k, v in env_extra.items()})
        super().__init__([os.path.abspath(binary), "run", "--no-watchdog"], env, d, wd)


def kill(p):
    if p.poll() is None:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass


def settle(d, quiet=1.0, timeout=60.0):
    """Wait until the count of accepted messages has not changed for `quiet` s
    and no update waits to be taken; False on timeout."""
    end = time.monotonic() + timeout
    last, since = -1, time.monotonic()
    while time.monotonic() < end:
        n = d.n_sent()
        if n != last:
            last, since = n, time.monotonic()
        elif time.monotonic() - since >= quiet and not d.n_pending():
            return True
        time.sleep(0.05)
    return False


def start(binary, tmp, name, **env):
    d = BenchDouble(token=TOKEN, limits=False)
    d.start()
    bot = Bot(binary, d, tmp, name, **env)
    first = bot.first_poll(timeout=20)
    if first is None:
        raise RuntimeError("bot %s did not poll (exit %s):\n%s" % (name, bot.p.poll(), bot.log_tail()))
    return d, bot, first


# ---------------------------------------------------------------------------
# the measurements
# ---------------------------------------------------------------------------

def bench_cpu(binary, tmp, n_updates, fsync, replies=True):
    """Measurements 1 and 2 for one fsync mode; returns a dict of figures.
    replies=False: plain text in a group chat, which the bot reads and ignores
    (no reply, no send): the cost of receiving, decoding and dispatching alone."""
    d, bot, first = start(binary, tmp, "cpu-%s-%s" % (fsync, "replies" if replies else "quiet"),
                          EXAMFLOW_FSYNC=fsync)
    try:
        time.sleep(0.5)                     # let start-up sends and writes finish
        settle(d, quiet=0.3, timeout=5)
        idle = status_kib(bot.pid)
        r = {"first_poll": first, "idle_rss": idle["VmRSS"], "idle_hwm": idle["VmHWM"],
             "threads": threads(bot.pid), "fds_idle": fds(bot.pid), "fsync": fsync}
        c0 = cpu_ticks(bot.pid)
        time.sleep(2)
        r["idle_cpu_ms_per_s"] = (cpu_ticks(bot.pid) - c0) * 1000.0 / CLK_TCK / 2
        sent0 = len(d.sent())
        polls0 = len(d.polls())
        calls0 = len(d.calls())
        msgs = []
        if replies:
            chats = max(1, n_updates // len(SCRIPT))
            for i in range(n_updates):
                chat, step = 500000 + i % chats, i // chats
                kind, text = SCRIPT[step % len(SCRIPT)]
                msgs.append((chat, text, kind))
        else:
            for i in range(n_updates):
                msgs.append((-100900 - i % 20, "просто разговор в группе %d" % i, 600000 + i % 200))
        n_press = sum(1 for m in msgs if m[2] == "press")
        load = Load(bot.pid)
        (u0, s0), ns0 = cpu_split(bot.pid), cpu_ns(bot.pid)
        t0 = time.monotonic()
        last_id = 0
        for chat, text, how in msgs:
            if how == "press":
                last_id = d.push_callback(chat, text)["update_id"]
            elif how == "msg":
                last_id = d.push_message(chat, text)["update_id"]
            else:
                last_id = d.push_message(chat, text, from_id=how)["update_id"]
        ok = settle(d, quiet=1.0, timeout=120)
        (u1, s1), ns1 = cpu_split(bot.pid), cpu_ns(bot.pid)
        r["load"] = load.stop()
        sent = d.sent()[sent0:]
        load = status_kib(bot.pid)
        polls = d.polls()[polls0:]
        done = [t for t, off in polls if off > last_id]   # the poll that confirms the last update
        r.update({
            "ok": ok, "updates": n_updates, "replies": len(sent), "with_replies": replies,
            "presses": n_press, "cb_answers": sum(1 for c in d.calls()[calls0:]
                                                  if c["method"] == "answerCallbackQuery"),
            "utime_s": (u1 - u0) / CLK_TCK, "stime_s": (s1 - s0) / CLK_TCK,
            "cpu_s": (u1 + s1 - u0 - s0) / CLK_TCK,
            "cpu_ns": None if ns0 is None or ns1 is None else ns1 - ns0,
            "processed_s": (done[0] - t0) if done else None,
            "wall_s": (sent[-1]["t"] - t0) if sent else None,
            "load_rss": load["VmRSS"], "load_hwm": load["VmHWM"],
            "polls": len(polls),
            "pending": len(d.pending_updates),
            "non200": sum(1 for c in d.calls()[calls0:] if c["status"] != 200),
        })
        if not ok:
            r["log"] = bot.log_tail()
        return r
    finally:
        bot.stop()
        d.stop()


def bench_rate(binary, tmp, n_chats, latency_ms, **env):
    """Measurement 3: n_chats chats each send one /help at once; limits on, latency."""
    d, bot, first = start(binary, tmp, "rate", **env)
    try:
        time.sleep(0.5)
        settle(d, quiet=0.3, timeout=5)
        d.set_limits(True)                  # 30/s overall (burst 30), 1/s per private chat
        d.set_latency(latency_ms)
        calls0 = len(d.calls())
        base429 = d.count_429
        chats = list(range(700000, 700000 + n_chats))
        load = Load(bot.pid)
        t0 = time.monotonic()
        for c in chats:
            d.push_message(c, "/help")
        want = set(chats)
        ok = d.wait_until(lambda: want <= {s["chat_id"] for s in d.sent()}, 60)
        ok = settle(d, quiet=1.0, timeout=20) and ok
        r_load = load.stop()
        sent = [s for s in d.sent() if s["chat_id"] in want]
        calls = [c for c in d.calls()[calls0:] if c["method"] == "sendMessage"]
        ts = sorted(s["t"] for s in sent)
        r = {"first_poll": first, "chats": n_chats, "replies": len(sent),
             "got_chats": len({s["chat_id"] for s in sent}), "ok": bool(ok),
             "n429": d.count_429 - base429, "latency_ms": latency_ms,
             "send_calls": len(calls), "load": r_load,
             "conns": len({c["conn"] for c in calls}),
             "first_reply_s": (ts[0] - t0) if ts else None,
             "span_s": (ts[-1] - ts[0]) if len(ts) > 1 else None}
        if len(ts) > 1 and ts[-1] > ts[0]:
            r["rate"] = (len(ts) - 1) / (ts[-1] - ts[0])
            # without the double's one-second burst of 30: from the 31st reply on
            k = min(30, len(ts) - 2)
            r["rate_steady"] = (len(ts) - 1 - k) / (ts[-1] - ts[k]) if ts[-1] > ts[k] else None
            # the best and worst full second after the first reply
            per_s = {}
            for t in ts:
                per_s[int(t - ts[0])] = per_s.get(int(t - ts[0]), 0) + 1
            full = [v for s, v in per_s.items() if s < int(ts[-1] - ts[0])]
            r["sec_min"], r["sec_max"] = (min(full), max(full)) if full else (None, None)
        # concurrency: most sendMessage requests at the double at once (whole round trip)
        with d._lock:
            spans = [x for x in d.send_spans if x[0] >= t0]
        ev = sorted([(a, 1) for a, _, _ in spans] + [(b, -1) for _, b, _ in spans])
        cur = peak = 0
        for _, k in ev:
            cur += k
            peak = max(peak, cur)
        r["inflight_peak"] = peak
        r["inflight_mean"] = (sum(b - a for a, b, _ in spans) / (max(b for _, b, _ in spans) - min(a for a, _, _ in spans))
                              if len(spans) > 1 else None)
        r["rtt_ms"] = statistics.median(b - a for a, b, _ in spans) * 1000 if spans else None
        if len(spans) > 1:
            starts = sorted(a for a, _, _ in spans)
            gap, at = max((y - x, x) for x, y in zip(starts, starts[1:]))
            r["gap_max_ms"], r["gap_at_s"] = gap * 1000, at - t0
        if r["n429"]:
            r["429_desc"] = sorted({c["description"] for c in d.calls()[calls0:] if c["status"] == 429})[:3]
        if not ok:
            r["log"] = bot.log_tail()
        return r
    finally:
        bot.stop()
        d.stop()


def bench_startup(binary, tmp, runs, bank, **env):
    """Measurement 4 alone: time to the first getUpdates, `runs` times."""
    out = []
    for i in range(runs):
        d, bot, first = start(binary, tmp, "start-%s-%d" % ("small" if bank else "embedded", i), bank=bank, **env)
        out.append(first)
        bot.stop()
        d.stop()
    return out


SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"


def first_cert(path):
    """Write the first certificate of the system CA bundle to path; path or None."""
    try:
        with open(SYSTEM_CA) as f:
            pem = f.read()
    except OSError:
        return None
    end = pem.find("-----END CERTIFICATE-----")
    begin = pem.find("-----BEGIN CERTIFICATE-----")
    if begin < 0 or end < begin:
        return None
    with open(path, "w") as f:
        f.write(pem[begin:end + len("-----END CERTIFICATE-----")] + "\n")
    return path


# ---------------------------------------------------------------------------

def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GiB" % (int(f.readline().split()[1]) / 1048576)
    except (OSError, ValueError, IndexError):
        pass
    return "nproc %d, %s, RAM %s, %s" % (os.cpu_count() or 0, model, mem, os.uname().release)


def us(x):
    return "%.1f" % (x * 1e6)


def ms(x):
    return "-" if x is None else "%.1f" % (x * 1000)


def mib(kib):
    return "%.2f" % (kib / 1024)


def row(name, value, unit, note=""):
    print("  %-44s %12s  %-8s %s" % (name, value, unit, note))


def main():
    ap = argparse.ArgumentParser(description="ExamFlow Telegram engine benchmark (prints, never asserts)")
    ap.add_argument("binary", nargs="?", default="./examflow")
    ap.add_argument("--updates", type=int, default=1500, help="updates per CPU load run (default 1500)")
    ap.add_argument("--chats", type=int, default=300, help="chats of the throughput run (default 300)")
    ap.add_argument("--latency", type=int, default=50, help="simulated round trip in ms (default 50)")
    ap.add_argument("--nagle", action="store_true",
                    help="leave Nagle on in the double (its 2-write answers then cost ~44 ms each)")
    ap.add_argument("--startups", type=int, default=3, help="extra start-up runs per bank (default 3)")
    a = ap.parse_args()

    BenchDouble.nodelay = not a.nagle
    if not os.access(a.binary, os.X_OK):
        print("bench: %s is not an executable (make examflow first)" % a.binary)
        return 2
    try:
        version = subprocess.run([os.path.abspath(a.binary), "version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip().replace("\n", "; ")
    except (OSError, subprocess.SubprocessError):
        version = "?"
    tmp = tempfile.mkdtemp(prefix="examflow-bench-")
    began = time.monotonic()
    try:
        quiet = bench_cpu(a.binary, tmp, a.updates, "batch", replies=False)
        res = {mode: bench_cpu(a.binary, tmp, a.updates, mode) for mode in ("batch", "off")}
        rate = bench_rate(a.binary, tmp, a.chats, a.latency)
        small = [quiet["first_poll"], res["batch"]["first_poll"], res["off"]["first_poll"], rate["first_poll"]]
        small += bench_startup(a.binary, tmp, a.startups, bank=True)
        embedded = bench_startup(a.binary, tmp, a.startups, bank=False)
        one_ca = None     # the same with a one-certificate CA file instead of the system bundle
        ca = first_cert(os.path.join(tmp, "one-ca.pem"))
        if ca:
            one_ca = bench_startup(a.binary, tmp, a.startups, bank=True, EXAMFLOW_CA_FILE=ca)
    finally:
        for p in PROCS:
            kill(p)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print("ExamFlow Telegram engine benchmark (tests/bench.py; printed, not asserted)")
    print("command: cd %s && python3 %s" % (os.getcwd(), " ".join(sys.argv)))
    print("binary:  %s (%s)" % (a.binary, version))
    print("machine: %s; clock tick %d/s" % (machine(), CLK_TCK))
    print("double:  tests/tg_double.py on 127.0.0.1 (Python, same machine, shares the CPU), TCP_NODELAY %s"
          % ("off (--nagle)" if a.nagle else "on"))
    print()
    print("1+2. CPU and memory: updates pushed at once, the double's limits off, no latency")
    print("     quiet = chatter in 20 group chats, read and ignored (no reply); replies = %d private"
          % max(1, a.updates // len(SCRIPT)))
    print("     chats each sending %s" % " ".join(t if k == "msg" else "[press %s]" % t for k, t in SCRIPT))
    print("     (the bot's own limiter, 30/s overall, paces the replies)")
    print("  %-34s %10s %10s %10s" % ("", "quiet", "replies", "replies"))
    print("  %-34s %10s %10s %10s" % ("fsync", "batch", "batch", "off"))
    runs = [quiet, res["batch"], res["off"]]

    def line(label, unit, f):
        print("  %-34s %10s %10s %10s  %s" % ((label,) + tuple(f(r) for r in runs) + (unit,)))

    line("updates", "", lambda r: r["updates"])
    line("of which button presses", "", lambda r: r["presses"])
    line("replies accepted by the double", "msgs", lambda r: r["replies"])
    line("answerCallbackQuery calls", "calls", lambda r: r["cb_answers"])
    line("CPU per update, utime+stime", "us", lambda r: us(r["cpu_s"] / r["updates"]))
    line("  of which user / system", "us", lambda r: "%s/%s" % (us(r["utime_s"] / r["updates"]),
                                                                 us(r["stime_s"] / r["updates"])))
    line("CPU per update, schedstat (ns)", "us",
         lambda r: "-" if r["cpu_ns"] is None else us(r["cpu_ns"] / 1e9 / r["updates"]))
    line("CPU total (tick = %d ms)" % (1000 // CLK_TCK), "s", lambda r: "%.2f" % r["cpu_s"])
    line("wall: push to last update confirmed", "s",
         lambda r: "-" if r["processed_s"] is None else "%.2f" % r["processed_s"])
    line("wall: push to last reply accepted", "s",
         lambda r: "-" if r["wall_s"] is None else "%.2f" % r["wall_s"])
    line("getUpdates calls during the load", "calls", lambda r: r["polls"])
    line("non-200 answers during the load", "calls", lambda r: r["non200"])
    line("machine CPU, other procs (not bench)", "%", lambda r: "%.1f" % r["load"]["other"])
    line("idle CPU after start", "ms/s", lambda r: "%.1f" % r["idle_cpu_ms_per_s"])
    line("VmRSS idle after start", "MiB", lambda r: mib(r["idle_rss"]))
    line("VmRSS after the load", "MiB", lambda r: mib(r["load_rss"]))
    line("VmHWM (peak RSS) after the load", "MiB", lambda r: mib(r["load_hwm"]))
    line("threads / open fds, idle", "", lambda r: "%d/%d" % (r["threads"], r["fds_idle"]))
    for r in runs:
        if not r["ok"]:
            print("  run fsync=%s %s DID NOT SETTLE (pending updates %d); log tail:\n%s"
                  % (r["fsync"], "replies" if r["with_replies"] else "quiet", r["pending"], r.get("log", "")))
    print()
    r = rate
    print("3. Throughput: %d chats send one /help each at once; %d ms round trip; the double's limits on"
          % (r["chats"], r["latency_ms"]))
    print("   (30/s overall with a burst of 30, 1/s per private chat with a burst of 3)")
    row("replies accepted / chats answered", "%d / %d" % (r["replies"], r["got_chats"]), "msgs",
        "" if r["ok"] else "(INCOMPLETE)")
    row("replies per second, first to last", "%.1f" % r["rate"] if r.get("rate") else "-", "msg/s",
        "over %.2f s" % r["span_s"] if r.get("span_s") else "")
    row("replies per second, 31st to last", "%.1f" % r["rate_steady"] if r.get("rate_steady") else "-",
        "msg/s", "(without the double's burst)")
    row("replies in a full second, min / max", "%s / %s" % (r.get("sec_min"), r.get("sec_max")), "msgs")
    row("429 answers", r["n429"], "count", "; ".join(r.get("429_desc", [])))
    row("sendMessage calls / connections used", "%d / %d" % (r["send_calls"], r["conns"]), "")
    row("sendMessage at the double at once, peak", r["inflight_peak"], "reqs",
        "mean %.2f" % r["inflight_mean"] if r.get("inflight_mean") else "")
    row("median sendMessage time at the double", "%.1f" % r["rtt_ms"] if r["rtt_ms"] else "-", "ms",
        "(simulated round trip %d ms)" % r["latency_ms"])
    row("largest gap between two sendMessage", "%.1f" % r["gap_max_ms"] if r.get("gap_max_ms") else "-", "ms",
        "at %.2f s after the push" % r["gap_at_s"] if r.get("gap_max_ms") else "")
    row("machine CPU: bot / double / other procs", "%.1f/%.1f/%.1f" % (r["load"]["bot"], r["load"]["double"],
                                                                       r["load"]["other"]), "%",
        "(100%% = all %d cores; 'other' is not this bench)" % (os.cpu_count() or 0))
    row("push to first reply", ms(r["first_reply_s"]), "ms")
    if "log" in r:
        print("  log tail:\n" + r["log"])
    print()
    print("4. Start-up: process start (Popen) to the first getUpdates arriving at the double")
    row("small bank (3 tasks, replace), median", ms(statistics.median(small)), "ms",
        "min %s max %s, %d runs" % (ms(min(small)), ms(max(small)), len(small)))
    row("embedded bank, median", ms(statistics.median(embedded)), "ms",
        "min %s max %s, %d runs" % (ms(min(embedded)), ms(max(embedded)), len(embedded)))
    if one_ca:
        row("small bank, ca_file with 1 certificate", ms(statistics.median(one_ca)), "ms",
            "min %s max %s, %d runs (default: %s)" % (ms(min(one_ca)), ms(max(one_ca)), len(one_ca),
                                                     SYSTEM_CA))
    print()
    print("targets (issue 5): tens of us CPU per update; a couple of MiB resident; >= 29 msg/s "
          "and zero 429s at 50 ms round trip")
    print("note: on 127.0.0.1 the kernel's loopback work for both ends of a send is partly charged to the")
    print("      sender, so 'system' CPU per reply includes some of the double's TCP receive path")
    print("bench took %.0f s" % (time.monotonic() - began))
    return 0


def _on_signal(signum, frame):
    raise KeyboardInterrupt


def run_script(main, errors=()):
    """Exit with main()'s status: SIGTERM, SIGINT and SIGHUP stop it as ^C does
    (exit 130), an exception of the classes in errors is printed (exit 1), and
    every process in PROCS is killed at the end, also on errors."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
    except errors as e:
        print("bench: %s" % e, file=sys.stderr)
        sys.exit(1)
    finally:
        for p in PROCS:
            kill(p)


if __name__ == "__main__":
    run_script(main)
