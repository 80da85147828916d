"""End-to-end: `examflow run` WITH the watchdog (issue 8) against the Telegram double.

The real binary runs as two processes; the tests find the worker through the
health file's worker_pid (cross-checked with /proc/<parent>/task/<parent>/children)
and use small timings: check_interval 5 s (the minimum), hang_timeout 3 s,
poll_timeout 1 s, admin 42.

Covered: kill -9 of the worker (a new one after the 1 s backoff, every answer
counted exactly once in `examflow export users`, every reply delivered, within
the duplicate window of one in-flight message per chat, one admin notice naming
SIGKILL); SIGSTOP of the worker (hung, replaced, log and notice say hung);
a worker that exits at once every time (an honest trigger: another process
holds data_dir's flock, so each worker exits 1 → growing backoff, crash loop
given up, exit 1, one crash notice and one give-up notice); a worker exiting 4
on a damaged events.log and 3 on a rejected token (no restart, parent exits
with the same code); SIGTERM (exit 0, offset confirmed, replies not lost,
health file says stopped); SIGHUP (log reopened at the old path); SIGUSR2
(re-exec, same pid); kill -9 of the watchdog (the worker stops too); the health
file at each of these moments and `examflow status` (0 healthy, 1 stale or
stopped); NOTIFY_SOCKET (READY=1 after Telegram answered, once; WATCHDOG=1 at
half of WATCHDOG_USEC only while heartbeats are fresh; STATUS=; STOPPING=1;
all from the watchdog's pid; an abstract "@" address).

not tested:
  - /health and /metrics over HTTP (health_listen) and the UptimeRobot
    heartbeat URL: not part of this file's brief (see their own tests);
  - the 60 s "healthy for a while" streak reset and the 60 s backoff cap (too
    slow for an e2e test; unit_watchdog.c covers them with short timings);
  - a worker stuck in a busy loop (no honest trigger in the real binary;
    SIGSTOP stands in for it, and unit_watchdog.c has a spinning worker);
  - the SIGKILL after the 5 s grace for a hung worker that ignores SIGTERM (the
    real worker always honours SIGTERM once continued; unit_watchdog.c covers it);
  - notices for Telegram unreachable, disk full, AI failing (other issues' tests).
"""
import calendar
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import struct
import tempfile
import threading
import time

from e2e_telegram import bot_env, logged_notices, new_double, notices, replies, start_students, stop_bot, wait_texts

WD_ENV = {"EXAMFLOW_CHECK_INTERVAL": 5, "EXAMFLOW_HANG_TIMEOUT": 3, "EXAMFLOW_MAX_RESTARTS": 5,
          "EXAMFLOW_POLL_TIMEOUT": 1}
FIELDS = {"timestamp", "bot_online", "api_responsive", "database_connected", "ai_working",
          "overall_healthy", "errors", "version", "pid", "worker_pid", "uptime_s", "restarts",
          "last_update_at", "queue_depth"}
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$")


# --- helpers -----------------------------------------------------------------------------

def wd_env(t, d, **extra):
    return bot_env(t, d, **dict(WD_ENV, **extra))


def health_path(t):
    return os.path.join(t.tmp, "logs", "health.json")


def health(t):
    """The health file as a dict, or None while it is missing."""
    try:
        with open(health_path(t)) as f:
            return json.load(f)
    except FileNotFoundError:
        return None
    except ValueError as e:   # written atomically: a torn file is a bug
        t.fail("health file is not JSON: %s" % e)


def log(t):
    try:
        return t.read("bot.log")
    except FileNotFoundError:
        return ""


def alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def check_fields(t, h, p):
    t.check(h is not None, "health file exists")
    missing = FIELDS - set(h)
    t.check(not missing, "health file lacks %s: %r" % (sorted(missing), h))
    t.check(ISO.match(h["timestamp"]), "timestamp: %r" % h["timestamp"])
    for k in ("bot_online", "api_responsive", "database_connected", "ai_working", "overall_healthy"):
        t.check(isinstance(h[k], bool), "%s is a boolean: %r" % (k, h))
    t.eq(h["overall_healthy"], h["bot_online"] and h["api_responsive"] and h["database_connected"]
         and h["ai_working"], "overall_healthy is the conjunction")
    t.check(isinstance(h["errors"], list) and all(isinstance(e, str) for e in h["errors"]), "errors: %r" % h)
    t.eq(h["pid"], p.pid, "health pid (the watchdog)")
    t.check(h["worker_pid"] is None or isinstance(h["worker_pid"], int), "worker_pid: %r" % h)
    t.check(isinstance(h["uptime_s"], int) and h["uptime_s"] >= 0, "uptime_s: %r" % h)
    t.check(h["last_update_at"] is None or ISO.match(h["last_update_at"]), "last_update_at: %r" % h)
    t.check(isinstance(h["queue_depth"], int) and h["queue_depth"] >= 0, "queue_depth: %r" % h)
    raw = open(health_path(t)).read()
    t.check(TOKEN_SECRET not in raw, "no token in the health file")


TOKEN_SECRET = "AAFakeTokenForTestsOnly"


def healthy(t, p):
    h = health(t)
    return h if h and h.get("overall_healthy") and h.get("worker_pid") and h.get("pid") == p.pid else None


def start_wd(t, d, env):
    """Start the watchdog; wait until the health file says healthy.  Returns (proc, health)."""
    p = t.start_run(env, ready=lambda p: healthy(t, p), what="a healthy health file")
    h = healthy(t, p)
    check_fields(t, h, p)
    t.check(h["worker_pid"] in children(p.pid), "worker %r is the watchdog's child %r" % (
        h["worker_pid"], children(p.pid)))
    return p, h


def status(t, env):
    return t.run(["status"], env=env, timeout=20)


class HealthRecorder:
    """Reads the health file every 10 ms in a thread; keeps every distinct version."""

    def __init__(self, t):
        self.t, self.seen, self._stop = t, [], threading.Event()
        self._th = threading.Thread(target=self._loop, daemon=True)
        self._th.start()
        t.on_cleanup(self.stop)

    def _loop(self):
        last = None
        while not self._stop.is_set():
            try:
                with open(health_path(self.t)) as f:
                    raw = f.read()
                if raw != last:
                    last = raw
                    self.seen.append((time.monotonic(), json.loads(raw)))
            except (OSError, ValueError):
                pass
            self._stop.wait(0.01)

    def stop(self):
        self._stop.set()
        self._th.join(2)

    def find(self, pred):
        return [h for _, h in list(self.seen) if pred(h)]


class NotifyListener:
    """A Unix datagram socket standing in for systemd's NOTIFY_SOCKET; records
    (monotonic time, message, sender pid)."""

    def __init__(self, t, abstract=False):
        self.got, self._stop = [], threading.Event()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        if abstract:
            name = "examflow-test-%d-%d" % (os.getpid(), int(time.time() * 1000) % 1000000)
            self.sock.bind("\0" + name)
            self.address = "@" + name
        else:
            self.address = os.path.join(t.tmp, "notify.sock")
            if len(self.address) > 100:   # sun_path holds 108 bytes
                short = tempfile.mkdtemp(prefix="efn-", dir="/tmp")
                t.on_cleanup(lambda: shutil.rmtree(short, True))
                self.address = os.path.join(short, "n.sock")
            self.sock.bind(self.address)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.sock.settimeout(0.1)
        self._th = threading.Thread(target=self._loop, daemon=True)
        self._th.start()
        t.on_cleanup(self.stop)

    def _loop(self):
        while not self._stop.is_set():
            try:
                data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
            except socket.timeout:
                continue
            except OSError:
                return
            pid = None
            for level, kind, cdata in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("iII", cdata[:12])[0]
            self.got.append((time.monotonic(), data.decode("utf-8", "replace"), pid))

    def stop(self):
        self._stop.set()
        self._th.join(2)
        self.sock.close()

    def msgs(self, prefix=None, since=0.0):
        return [(ts, m, pid) for ts, m, pid in list(self.got)
                if ts >= since and (prefix is None or m.startswith(prefix))]


def log_times(t, pattern):
    """Wall-clock seconds of the log lines matching pattern."""
    out = []
    for line in log(t).splitlines():
        if re.search(pattern, line):
            stamp = line.split()[0]
            tm = time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")
            out.append(calendar.timegm(tm) + float("0" + stamp[19:23]))
    return out


def notices_settled(t, d):
    """Wait until every admin notice the log announces (the worker's and the
    watchdog's) reached the double; returns the notices."""
    t.check(d.wait_for(lambda: len(notices(d)) >= logged_notices(t), 10),
            "notices logged %d, delivered %r" % (logged_notices(t), notices(d)))
    return notices(d)


def worker_gone(t, pid, timeout=10):
    t.wait_for(lambda: not alive(pid), timeout=timeout, what="worker %d to be gone" % pid)


# --- tests -----------------------------------------------------------------------------------

def test_healthy_start_health_file_and_status(t):
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    version = t.run(["version"], env=env).stdout.split()[1]
    t.eq(h["version"], version, "version")
    t.eq(h["errors"], [], "no errors while healthy")
    t.eq(h["restarts"], 0, "restarts")
    t.eq(h["last_restart_cause"], None, "last_restart_cause before any restart")
    t.eq(h["last_update_at"], None, "last_update_at before any update")
    t.check(os.stat(health_path(t)).st_mode & 0o777 == 0o600, "health file is 0600")
    s = status(t, env)
    t.eq(s.returncode, 0, "status while healthy:\n" + s.stdout + s.stderr)
    t.check("healthy" in s.stdout and "pid %d" % p.pid in s.stdout and "pid %d" % h["worker_pid"] in s.stdout,
            s.stdout)
    before = time.time()
    d.push_message(20001, "/help")
    wait_texts(t, d, 20001, 1)
    h2 = t.wait_for(lambda: (health(t) or {}).get("last_update_at") and health(t), 5, what="last_update_at")
    ts = calendar.timegm(time.strptime(h2["last_update_at"][:19], "%Y-%m-%dT%H:%M:%S"))
    t.check(abs(ts - before) < 10, "last_update_at near now: %r" % h2["last_update_at"])
    # rewritten at least every check_interval (5 s) even when nothing changes
    stamp = h2["timestamp"]
    t.wait_for(lambda: (health(t) or {}).get("timestamp") != stamp, 7, what="a periodic rewrite")
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")


def test_kill9_worker_restarted_nothing_lost(t):
    """kill -9 of the worker mid-burst: a new worker after the 1 s backoff; every
    answer counted exactly once; every reply delivered (at most one duplicate per
    chat: the message in flight at the kill); one admin notice naming SIGKILL."""
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    rec = HealthRecorder(t)
    w1 = h["worker_pid"]
    chats = [21001, 21002, 21003]
    rounds = 4
    start_students(t, d, chats)
    t_kill = t_new = None
    for r in range(rounds):
        for c in chats:
            d.push_message(c, "4")
            d.push_callback(c, "next")
        if r == 1:
            time.sleep(0.05)  # into the burst: where the kill lands, not a wait
            os.kill(w1, signal.SIGKILL)
            t_kill = time.monotonic()
            h2 = t.wait_for(lambda: (health(t) or {}).get("worker_pid") not in (None, w1) and health(t),
                            timeout=10, what="a new worker in the health file")
            t_new = time.monotonic()
            w2 = h2["worker_pid"]
    took = t_new - t_kill
    t.check(0.8 <= took <= 4.0, "new worker %.2f s after the kill (backoff 1 s)" % took)
    t.check(w2 in children(p.pid) and w1 not in children(p.pid), "children %r" % children(p.pid))
    t.check(not alive(w1), "the killed worker was reaped")
    t.check(re.search(r"worker %d started \(restart 1, after: killed by signal SIGKILL\)" % w2, log(t)),
            "restart logged:\n" + log(t)[-2000:])
    # greeting, first card, per round a verdict and a card, one achievement
    want = 2 + 2 * rounds + 1
    t.check(d.wait_for(lambda: all(len(replies(d, c)) >= want for c in chats), 40),
            "all replies delivered: %r" % [len(replies(d, c)) for c in chats])
    t.check(d.wait_for(lambda: not d.pending_updates, 10), "all updates confirmed")
    # a late duplicate would come before the reply to a later message (a chat's
    # replies keep their order): once /stats is answered, the count is final
    for c in chats:
        d.push_message(c, "/stats")
    for c in chats:
        t.check(d.wait_for(lambda: any("Статистика" in x for x in replies(d, c)), 20), "/stats of %d" % c)
    for c in chats:
        got = [x for x in replies(d, c) if "Статистика" not in x]
        t.check(len(got) <= want + 1, "chat %d: %d replies, want %d (+1 duplicate at most): %r" % (
            c, len(got), want, got))
        verdicts = [x for x in got if "Верно" in x]
        t.check(rounds <= len(verdicts) <= rounds + 1, "chat %d verdicts: %r" % (c, verdicts))
    # the health file during the backoff, and after
    down = rec.find(lambda x: x.get("worker_pid") is None and x.get("restarts") == 1)
    t.check(down, "a health file written while the worker was down: %r" % [x for _, x in rec.seen])
    check_fields(t, down[0], p)
    t.check(not down[0]["bot_online"] and not down[0]["overall_healthy"], "down: %r" % down[0])
    t.check(down[0]["errors"] and down[0]["errors"][0].startswith("worker down (killed by signal SIGKILL)"),
            "reason first: %r" % down[0]["errors"])
    t.eq(down[0]["last_restart_cause"], "killed by signal SIGKILL", "last_restart_cause")
    h3 = t.wait_for(lambda: healthy(t, p), 5, what="healthy again")
    t.eq(h3["restarts"], 1, "restarts after one kill")
    t.eq(h3["worker_pid"], w2, "worker_pid")
    # exactly one admin notice about the crash
    t.check(d.wait_for(lambda: any("SIGKILL" in x for x in notices(d)), 10), "crash notice: %r" % notices(d))
    n = [x for x in notices(d) if "SIGKILL" in x]
    t.eq(len(n), 1, "crash notices: %r" % n)
    t.check("restarting" in n[0], n[0])
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")
    out = t.run(["export", "users"], env=env)
    t.eq(out.returncode, 0, "export: " + out.stderr)
    rows = [l.split(",") for l in out.stdout.strip().splitlines()]
    users = {int(r[0]): dict(zip(rows[0], r)) for r in rows[1:]}
    for c in chats:
        t.eq(int(users[c]["attempts"]), rounds, "attempts of %d (exactly once)" % c)
        t.eq(int(users[c]["points"]), 10 * rounds, "points of %d" % c)


def test_last_update_at_survives_a_restart(t):
    """README: last_update_at is the last known value, also across a worker restart."""
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    d.push_message(21501, "/help")
    wait_texts(t, d, 21501, 1)
    h1 = t.wait_for(lambda: (health(t) or {}).get("last_update_at") and health(t), 5, what="last_update_at")
    rec = HealthRecorder(t)
    os.kill(h1["worker_pid"], signal.SIGKILL)
    t.wait_for(lambda: (health(t) or {}).get("worker_pid") not in (None, h1["worker_pid"]), 10,
               what="a new worker")
    h2 = t.wait_for(lambda: healthy(t, p), 5, what="healthy again")
    w2 = h2["worker_pid"]
    # every version the new worker's reports produced, up to the periodic
    # rewrite (check_interval 5 s) after the healthy one, keeps the value
    t.wait_for(lambda: rec.find(lambda x: x.get("worker_pid") == w2 and x["timestamp"] > h2["timestamp"]), 8,
               what="a rewrite of the health file after the healthy one")
    for x in rec.find(lambda x: x.get("worker_pid") == w2):
        t.eq(x["last_update_at"], h1["last_update_at"], "last_update_at after the restart (no update since)")


def test_start_notice_once_per_watchdog(t):
    """Debounce: the admin hears "started" once per watchdog; a worker restart is
    told by the crash notice, not by another "started" (else a crash loop of
    workers that reach Telegram sends one per restart)."""
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    t.check(d.wait_for(lambda: any("started" in x for x in notices(d)), 10), "start notice: %r" % notices(d))
    for _ in range(2):
        w = health(t)["worker_pid"]
        os.kill(w, signal.SIGKILL)
        t.wait_for(lambda: (healthy(t, p) or {}).get("worker_pid") not in (None, w), 10, what="a new worker")
        t.wait_for(lambda: re.search(r"worker %d is ready" % health(t)["worker_pid"], log(t)), 5,
                   what="the new worker ready")
    ns = notices_settled(t, d)  # a "started" of the new worker would be logged before "is ready"
    t.eq(len([x for x in ns if "SIGKILL" in x]), 1, "crash notices (one per streak): %r" % ns)
    t.eq(len([x for x in ns if "started" in x]), 1, "start notices after two worker restarts: %r" % ns)


def test_sigstop_worker_detected_as_hung_and_replaced(t):
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    rec = HealthRecorder(t)
    w1 = h["worker_pid"]
    os.kill(w1, signal.SIGSTOP)
    t0 = time.monotonic()
    t.on_cleanup(lambda: alive(w1) and os.kill(w1, signal.SIGKILL))
    h2 = t.wait_for(lambda: healthy(t, p) if (healthy(t, p) or {}).get("worker_pid") not in (None, w1) else None,
                    timeout=20, what="a healthy replacement worker")
    took = time.monotonic() - t0
    t.check(took >= 2.5, "replaced only after the hang timeout (3 s): %.2f s" % took)
    t.check(took <= 12, "replaced within hang timeout + grace + backoff: %.2f s" % took)
    worker_gone(t, w1)
    t.check(re.search(r"worker %d hung \(no heartbeat for \d+\.\d s\)" % w1, log(t)),
            "log says hung:\n" + log(t)[-2000:])
    t.eq(h2["restarts"], 1, "restarts")
    t.check(h2["last_restart_cause"].startswith("hung (no heartbeat for "), h2["last_restart_cause"])
    hung = rec.find(lambda x: not x["bot_online"] and x["errors"] and "hung" in x["errors"][0])
    t.check(hung, "a health file saying hung: %r" % [x for _, x in rec.seen])
    check_fields(t, hung[0], p)
    t.check(not hung[0]["overall_healthy"], "not healthy while hung")
    d.push_message(24001, "/help")
    wait_texts(t, d, 24001, 1)
    t.check(d.wait_for(lambda: any("hung" in x for x in notices(d)), 10), "hang notice: %r" % notices(d))
    ns = notices_settled(t, d)
    t.eq(len([x for x in ns if "hung" in x]), 1, "hang notices: %r" % ns)
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")


def test_crash_loop_backoff_grows_then_given_up(t):
    """Honest trigger for a worker that exits at once: another process holds
    data_dir's lock (flock), so every worker exits 1 right after it starts."""
    d = new_double(t)
    env = wd_env(t, d, EXAMFLOW_MAX_RESTARTS=2)
    data = os.path.join(t.tmp, "data")
    os.makedirs(data, exist_ok=True)
    holder = open(os.path.join(data, "lock"), "a+")
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    t.on_cleanup(holder.close)
    t0 = time.monotonic()
    p = t.start_run(env)
    rc = t.wait_exit(p, 30)
    took = time.monotonic() - t0
    t.eq(rc, 1, "exit code after giving up (temporary failure: systemd's Restart= takes over)")
    t.check(took >= 2.8, "backoff 1 s + 2 s respected: %.2f s" % took)
    lg = log(t)
    starts = log_times(t, r"watchdog: worker \d+ started")
    t.eq(len(starts), 3, "workers started (1 + max_restarts 2):\n" + lg[-3000:])
    gap1, gap2 = starts[1] - starts[0], starts[2] - starts[1]
    t.check(0.9 <= gap1 < 1.8 and 1.9 <= gap2 < 3.0 and gap2 > gap1, "backoff grows: %.2f then %.2f s" % (gap1, gap2))
    t.check("in use by pid" in lg or "in use by pid" in t.output_of(p)[1], "the workers say why they exit")
    t.check("crash loop: given up after 2 restarts, last cause: exited with code 1" in lg, lg[-3000:])
    h = health(t)
    check_fields(t, h, p)
    t.check(not h["bot_online"] and h["worker_pid"] is None and h["restarts"] == 2, "health: %r" % h)
    t.check(h["errors"] and h["errors"][0].startswith("crash loop: given up after 2 restarts"), h["errors"])
    s = status(t, env)
    t.eq(s.returncode, 1, "status after giving up:\n" + s.stdout)
    t.check(d.wait_for(lambda: any("crash loop" in x for x in notices(d)), 15), "give-up notice: %r" % notices(d))
    ns = notices_settled(t, d)  # the watchdog has exited: its log is complete
    t.eq(len([x for x in ns if "crash loop" in x]), 1, "give-up notices: %r" % ns)
    t.eq(len([x for x in ns if "exited with code 1; restarting" in x]), 1, "crash notices (one per streak): %r" % ns)
    t.eq(d.calls("getUpdates"), [], "no worker ever polled")


def test_damaged_data_exit_4_no_restart(t):
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    for c in (25001, 25002, 25003):
        d.push_message(c, "/start")
        wait_texts(t, d, c, 1)
    t.eq(stop_bot(t, p), 0, "first run stops cleanly")
    path = os.path.join(t.tmp, "data", "events.log")
    lines = open(path, encoding="utf-8").read().split("\n")
    t.check(len(lines) >= 4, "events.log has records: %r" % lines)
    mid = len(lines) // 2
    f = lines[mid].split("\t")
    f[2] = str(int(f[2]) + 1)   # a changed timestamp: the CRC no longer matches, valid lines follow
    lines[mid] = "\t".join(f)
    open(path, "w", encoding="utf-8").write("\n".join(lines))
    open(os.path.join(t.tmp, "bot.log"), "w").close()
    p = t.start_run(env)
    rc = t.wait_exit(p, 20)
    t.eq(rc, 4, "exit code (data files need an admin):\n" + log(t)[-2000:])
    t.eq(len(log_times(t, r"watchdog: worker \d+ started")), 1, "no restart")
    h = health(t)
    check_fields(t, h, p)
    t.check(not h["bot_online"] and h["worker_pid"] is None, "health: %r" % h)
    t.check(h["errors"] and "data files need an admin" in h["errors"][0], h["errors"])
    t.check(d.wait_for(lambda: any("data files need an admin" in x for x in notices(d)), 15),
            "notice: %r" % notices(d))
    ns = notices_settled(t, d)  # the watchdog has exited: its log is complete
    t.eq(len([x for x in ns if "data files" in x]), 1, "one notice: %r" % ns)


def test_rejected_token_exit_3_no_restart(t):
    d = new_double(t)
    env = wd_env(t, d, TELEGRAM_BOT_TOKEN="999:wrong-token-for-the-double")
    p = t.start_run(env)
    rc = t.wait_exit(p, 20)
    t.eq(rc, 3, "exit code (configuration)")
    t.eq(len(d.calls("getMe")), 1, "getMe tried once: the worker was not restarted")
    h = health(t)
    check_fields(t, h, p)
    t.check(h["errors"] and "configuration is wrong" in h["errors"][0], h["errors"])
    t.check("token was rejected" in log(t), "log says why")


def test_sigterm_exit0_flushed_offset_confirmed(t):
    d = new_double(t)
    env = wd_env(t, d)
    nl = NotifyListener(t)
    env["NOTIFY_SOCKET"] = nl.address
    p, h = start_wd(t, d, env)
    w = h["worker_pid"]
    chat = 26001
    ups = [d.push_message(chat, "/start")] + [d.push_message(chat, "/help") for _ in range(4)]
    wait_texts(t, d, chat, 1)   # the batch is committed before its first reply goes out
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")
    t.check(nl.msgs("STOPPING=1"), "STOPPING=1 sent: %r" % nl.msgs())
    t.eq(d.confirmed_offset, ups[-1]["update_id"] + 1, "offset confirmed on the way out")
    t.eq(d.pending_updates, [], "no update left unconfirmed")
    worker_gone(t, w, 2)
    h = health(t)
    check_fields(t, h, p)
    t.eq((h["bot_online"], h["overall_healthy"], h["worker_pid"], h["errors"]), (False, False, None, ["stopped"]),
         "health after stop")
    s = status(t, env)
    t.eq(s.returncode, 1, "status after stop:\n" + s.stdout)
    t.check("UNHEALTHY" in s.stdout or "STALE" in s.stdout, s.stdout)
    # flushed: the user is stored, and the replies still owed go out after a restart, once
    users = t.run(["export", "users"], env=env).stdout
    t.check(str(chat) in users, "user stored: " + users)
    p2, _ = start_wd(t, d, env)
    wait_texts(t, d, chat, 5, timeout=20)
    # replies keep their order: a reply sent twice would come before this one's
    d.push_message(chat, "/lang ru")
    t.check(d.wait_for(lambda: any("Язык: русский" in x for x in replies(d, chat)), 20), "/lang answered")
    got = [x for x in replies(d, chat) if "Язык: русский" not in x]
    t.eq(len(got), 5, "replies after stop and restart: %r" % got)
    t.eq(stop_bot(t, p2), 0, "second exit code")


def test_sighup_reopens_log(t):
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    logf = os.path.join(t.tmp, "bot.log")
    os.rename(logf, logf + ".1")
    os.kill(p.pid, signal.SIGHUP)
    t.wait_for(lambda: os.path.exists(logf) and "SIGHUP forwarded" in log(t), 5,
               what="the watchdog's line in the new log")
    t.wait_for(lambda: "log reopened" in log(t), 5, what="the worker's line in the new log")
    d.push_message(27001, "/help")
    wait_texts(t, d, 27001, 1)
    t.wait_for(lambda: "user 27001 used /help" in log(t), 5, what="the worker logging to the new file")
    old = open(logf + ".1").read()
    t.check("27001" not in old, "nothing after the SIGHUP went to the renamed file")
    h2 = health(t)
    t.eq((h2["worker_pid"], h2["restarts"]), (h["worker_pid"], 0), "SIGHUP restarts nothing")
    t.eq(stop_bot(t, p), 0, "exit code")


def test_sigusr2_reexec_same_pid(t):
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    os.kill(p.pid, signal.SIGUSR2)
    t.wait_for(lambda: (healthy(t, p) or {}).get("worker_pid") not in (None, h["worker_pid"]), 20,
               what="a new worker after the re-exec")
    t.check("re-executing" in log(t), log(t)[-2000:])
    t.eq(len(log_times(t, r"watchdog \d+: max \d+ restarts")), 2, "the watchdog started twice (same pid)")
    t.check(p.poll() is None, "same process still running")
    d.push_message(28001, "/help")
    wait_texts(t, d, 28001, 1)
    t.eq(stop_bot(t, p), 0, "exit code")


def test_watchdog_killed_worker_stops_too(t):
    d = new_double(t)
    env = wd_env(t, d)
    p, h = start_wd(t, d, env)
    w = h["worker_pid"]
    t.on_cleanup(lambda: alive(w) and os.kill(w, signal.SIGKILL))
    d.push_message(29001, "/help")
    wait_texts(t, d, 29001, 1)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(5)
    worker_gone(t, w, 10)
    # the orphan got SIGTERM (PR_SET_PDEATHSIG) and stopped gracefully
    t.wait_for(lambda: "worker stopped (exit 0)" in log(t), 5, what="the worker's graceful stop in the log")
    t.eq(d.pending_updates, [], "offset confirmed by the orphan on its way out")
    t.check(d.confirmed_offset > 0, "offset confirmed")


def test_notify_socket_ready_watchdog_status_stopping(t):
    d = new_double(t)
    nl = NotifyListener(t)
    env = wd_env(t, d, NOTIFY_SOCKET=nl.address, WATCHDOG_USEC=2000000)
    p, h = start_wd(t, d, env)
    t.wait_for(lambda: nl.msgs("READY=1"), 10, what="READY=1")
    ready_at = nl.msgs("READY=1")[0][0]
    first_getme = d.calls("getMe")[0]["t"]
    t.check(ready_at >= first_getme, "READY=1 only after the worker talked to Telegram")
    t0 = time.monotonic()
    pings = t.wait_for(lambda: (lambda m: m if len(m) >= 4 else None)(nl.msgs("WATCHDOG=1", since=t0)), 8,
                       what="four WATCHDOG=1")
    every = (pings[3][0] - pings[0][0]) / 3
    t.check(0.75 <= every <= 1.25, "WATCHDOG=1 every 1 s (half of WATCHDOG_USEC): every %.2f s" % every)
    t.check(any(m.startswith("STATUS=running, worker %d" % h["worker_pid"]) for _, m, _ in nl.msgs("STATUS=")),
            "STATUS line: %r" % nl.msgs("STATUS="))
    # a worker restart does not make the watchdog say READY again
    os.kill(h["worker_pid"], signal.SIGKILL)
    t.wait_for(lambda: (healthy(t, p) or {}).get("worker_pid") not in (None, h["worker_pid"]), 10, what="restart")
    t.check(any("restarting in" in m for _, m, _ in nl.msgs("STATUS=")), "STATUS during the restart")
    t.eq(stop_bot(t, p), 0, "exit code")
    t.eq(len(nl.msgs("READY=1")), 1, "READY=1 once")
    t.check(nl.msgs("STOPPING=1"), "STOPPING=1 on SIGTERM")
    senders = {pid for _, _, pid in nl.msgs()}
    t.eq(senders, {p.pid}, "only the watchdog talks to systemd (senders)")


def test_notify_socket_abstract_address(t):
    d = new_double(t)
    nl = NotifyListener(t, abstract=True)
    env = wd_env(t, d, NOTIFY_SOCKET=nl.address)
    p, h = start_wd(t, d, env)
    t.wait_for(lambda: nl.msgs("READY=1"), 10, what="READY=1 on an abstract socket")
    t.eq(stop_bot(t, p), 0, "exit code")
    t.check(nl.msgs("STOPPING=1"), "STOPPING=1")


def test_watchdog_ping_only_while_heartbeats_fresh(t):
    """SIGSTOP with a long hang_timeout: after 10 s of silence the worker is stale:
    bot_online false, `status` 1, no WATCHDOG=1; SIGCONT brings all three back."""
    d = new_double(t)
    nl = NotifyListener(t)
    env = wd_env(t, d, NOTIFY_SOCKET=nl.address, WATCHDOG_USEC=1000000, EXAMFLOW_HANG_TIMEOUT=60)
    p, h = start_wd(t, d, env)
    w = h["worker_pid"]
    t.wait_for(lambda: nl.msgs("WATCHDOG=1"), 5, what="WATCHDOG=1")
    os.kill(w, signal.SIGSTOP)
    t.on_cleanup(lambda: alive(w) and os.kill(w, signal.SIGCONT))
    stale = t.wait_for(lambda: (lambda x: x if x and x["errors"] and
                                x["errors"][0].startswith("no heartbeat from the worker") else None)(health(t)),
                       16, what="the health file saying no heartbeat")
    t_stale = time.monotonic()
    check_fields(t, stale, p)
    t.check(not stale["bot_online"] and stale["worker_pid"] == w, "stale: %r" % stale)
    s = status(t, env)
    t.eq(s.returncode, 1, "status while the worker is silent:\n" + s.stdout)
    t.never(lambda: nl.msgs("WATCHDOG=1", since=t_stale + 0.1), 2,
            what="WATCHDOG=1 while heartbeats are stale (one is due every 0.5 s)")
    os.kill(w, signal.SIGCONT)
    t_cont = time.monotonic()
    h2 = t.wait_for(lambda: healthy(t, p), 6, what="healthy again after SIGCONT")
    t.eq((h2["worker_pid"], h2["restarts"]), (w, 0), "the same worker, not replaced")
    t.wait_for(lambda: nl.msgs("WATCHDOG=1", since=t_cont), 4, what="WATCHDOG=1 again")
    t.eq(status(t, env).returncode, 0, "status healthy again")
    t.eq(stop_bot(t, p), 0, "exit code")
