"""End-to-end: examflow.exe (make windows) under Wine, against the same doubles.

The Windows build is the same examflow.c through its os_ platform layer
(section 1).  Here it runs under Wine on 127.0.0.1: `version`, `check` over
TLS with the test CA as ca_file, a student's /start → task → answer → /stats
with the watchdog, the AI tutor against the Gemini double, GET /health
from the health listener, a worker killed from outside (the watchdog starts a new
one), a stop by Ctrl-C (Wine turns SIGINT into CTRL_C_EVENT, what NSSM sends
first) that confirms the offset, `check` with no ca_file using the system
certificate store, a restart that replays the data directory,
a data directory written by the Linux build opened by the Windows build
(and the other way round), `rollback` swapping the running .exe's name,
and `update` from a release signed for Windows.

Skipped, with the reason printed, when examflow.exe or wine64 is missing
(.ci/run installs mingw-w64 and wine64) and in the sanitizer suite (which has
no Windows build).  One Wine prefix (tests/build/wineprefix) serves every
test; filling it the first time takes ~10 s.  A worker whose watchdog is
killed at the end of a test stops by itself (os_worker_fd's parent watch).

not tested: a real Windows (NSSM, the service control manager); WM_CLOSE
and WM_QUIT (Wine without a display creates no window, so taskkill without
/F finds none), CTRL_CLOSE_EVENT and CTRL_SHUTDOWN_EVENT; the system
certificate store accepting a certificate (Wine's ROOT store is the host's
bundle: only a refusal of the test CA is checked); the job object that ends a
worker whose watchdog was killed (Wine's job objects are partial); the
refusals and rollbacks of `update` (e2e_update.py covers them on Linux: the
same code, only the swap and the restart differ).
"""
import fcntl
import json
import os
import re
import shutil
import signal
import subprocess
import socket
import time
import urllib.error
import urllib.request

from gemini_double import GeminiDouble
from release_double import ReleaseServer
from tg_double import TelegramDouble, make_test_pki

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
EXE = os.path.join(TESTS_DIR, "..", "examflow.exe")
WINE = shutil.which("wine64") or "/usr/lib/wine/wine64"
PREFIX = os.path.join(TESTS_DIR, "build", "wineprefix")
TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
GKEY = "AIzaTestKeyForTheGeminiDouble-0123456789"
ADMIN = 42


def http_get(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return r.read().decode()
    except urllib.error.HTTPError as e:
        return e.read().decode()
    except OSError:
        return None


def skip_reason(t):
    if t.asan:
        return "the sanitizer suite has no Windows build"
    if not os.path.exists(EXE):
        return "no examflow.exe (make windows needs mingw-w64: apt-get install mingw-w64)"
    if not os.access(WINE, os.X_OK):
        return "no wine64 (apt-get install wine64)"
    return None


def skip(t):
    why = skip_reason(t)
    if why:
        print("  skip: " + why, flush=True)
        return True
    ensure_prefix(t)
    return False


def ensure_prefix(t):
    """Fill the shared Wine prefix once (the shards of this file wait for each
    other here: two first starts in one prefix would race)."""
    os.makedirs(os.path.dirname(PREFIX), exist_ok=True)
    with open(PREFIX + ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(PREFIX, "system.reg")):
            return
        env = t.env(WINEPREFIX=PREFIX, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=")
        env.pop("DISPLAY", None)
        p = subprocess.run([WINE, "wineboot", "--init"], env=env, capture_output=True, text=True, timeout=300)
        t.check(p.returncode == 0 and os.path.exists(os.path.join(PREFIX, "system.reg")),
                "wineboot --init in %s: %s" % (PREFIX, p.stderr[-1000:]))


def win(path):
    """A Unix path as Wine's Z: drive names it (forward slashes work on Windows)."""
    return "Z:" + os.path.abspath(path)


def wine_env(t, **extra):
    e = t.env(WINEPREFIX=PREFIX, WINEDEBUG="-all", WINEDLLOVERRIDES="mscoree,mshtml=",
              EXAMFLOW_DATA_DIR=win(os.path.join(t.tmp, "data")),
              EXAMFLOW_HEALTH_FILE=win(os.path.join(t.tmp, "logs", "health.json")),
              EXAMFLOW_LOG_FILE=win(os.path.join(t.tmp, "bot.log")))
    e.update({k: str(v) for k, v in extra.items()})
    e.pop("DISPLAY", None)  # console programs only: no X server wanted
    return e


def wine_run(t, args, env, timeout=120, input=None):
    p = subprocess.run([WINE, EXE] + list(args), env=env, cwd=t.tmp, input=input, capture_output=True,
                       timeout=timeout, text=True, errors="replace")
    return p


def wine_spawn(t, args, env, exe=EXE):
    n = len(t.procs)
    out = open(os.path.join(t.tmp, "wine%d.out" % n), "w+")
    err = open(os.path.join(t.tmp, "wine%d.err" % n), "w+")
    p = subprocess.Popen([WINE, exe] + list(args), env=env, cwd=t.tmp, stdout=out, stderr=err,
                         stdin=subprocess.DEVNULL, start_new_session=True)
    p.out_path, p.err_path, p.env = out.name, err.name, env
    out.close()
    err.close()
    t.procs.append(p)
    return p


def new_double(t, **kw):
    d = TelegramDouble(token=TOKEN, **kw)
    d.start()
    t.on_cleanup(d.stop)
    return d


def bot_env(t, d, windows=True, **extra):
    bank = t.bank()
    kw = dict(TELEGRAM_BOT_TOKEN=d.token, EXAMFLOW_TELEGRAM_API=d.url, EXAMFLOW_POLL_TIMEOUT="1",
              EXAMFLOW_TASKS_FILE=win(bank) if windows else bank, EXAMFLOW_TASKS_MODE="replace",
              EXAMFLOW_LOG_LEVEL="debug")
    kw.update(extra)
    if windows:
        return wine_env(t, **kw)
    return t.env(EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot.log"), **kw)


def texts(d, chat):
    return [x for x in d.texts(chat) if not x.startswith("⚠️ ExamFlow")]


def wait_texts(t, d, chat, n, timeout=20):
    if not d.wait_for(lambda: len(texts(d, chat)) >= n, timeout=timeout):
        t.fail("chat %s: wanted %d messages, got %r\nlog:\n%s" % (chat, n, texts(d, chat), t.log_tail(n=3000)))
    return texts(d, chat)


def student(t, d, chat):
    """/start, the first task, the right answer, /stats: returns the /stats text."""
    d.push_message(chat, "/start")
    wait_texts(t, d, chat, 1)
    d.push_callback(chat, "n:t:0")
    wait_texts(t, d, chat, 2)
    d.push_message(chat, "4")
    got = wait_texts(t, d, chat, 3)
    t.check("Верно" in got[2], "the answer was checked: %r" % got[2])
    return ask_stats(t, d, chat)


def ask_stats(t, d, chat):
    """/stats: its reply (the last message that is one)."""
    n = len([x for x in texts(d, chat) if "Статистика" in x])
    d.push_message(chat, "/stats")
    t.wait_for(lambda: len([x for x in texts(d, chat) if "Статистика" in x]) > n, timeout=20, what="/stats reply")
    return [x for x in texts(d, chat) if "Статистика" in x][-1]


def health(t):
    try:
        with open(os.path.join(t.tmp, "logs", "health.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def started(t, d, p, n0=0, timeout=60):
    t.wait_for(lambda: d.counter("polls") > n0 or p.poll() is not None, timeout=timeout,
               what="the first getUpdates from examflow.exe")
    if p.poll() is not None:
        out, err = t.output_of(p)
        t.fail("examflow.exe exited %s:\n%s\n%s" % (p.returncode, err[-2000:], t.log_tail()))


def test_version_and_check_over_tls(t):
    if skip(t):
        return
    env = wine_env(t)
    p = wine_run(t, ["version"], env)
    t.eq(p.returncode, 0, "exit code of version: " + p.stderr[-500:])
    t.check("target: windows-x86_64-mingw-w64" in p.stdout, "version names the Windows target:\n" + p.stdout)
    # rollback: `examflow.exe.prev version` runs through CreateProcess and a pipe, then
    # the running .exe (this very process) and .prev swap names (a running .exe is renamed, never written)
    bindir = os.path.join(t.tmp, "bin")
    os.makedirs(bindir)
    shutil.copy(EXE, os.path.join(bindir, "examflow.exe"))
    with open(EXE, "rb") as f, open(os.path.join(bindir, "examflow.exe.prev"), "wb") as g:
        g.write(f.read() + b"\0prev")  # the same program, told apart by its size
    p = subprocess.run([WINE, os.path.join(bindir, "examflow.exe"), "rollback"], env=env, cwd=t.tmp,
                       capture_output=True, text=True, timeout=120, errors="replace")
    t.eq(p.returncode, 0, "exit code of rollback:\n" + p.stdout + p.stderr)
    t.check("rolled back" in p.stdout, "rollback's report:\n" + p.stdout + p.stderr)
    t.eq(os.path.getsize(os.path.join(bindir, "examflow.exe")), os.path.getsize(EXE) + 5, "the .prev is the .exe now")
    t.eq(os.path.getsize(os.path.join(bindir, "examflow.exe.prev")), os.path.getsize(EXE), "and the other way round")
    pki = make_test_pki(os.path.join(t.tmp, "pki"))
    if pki is None:
        print("  skip: check over TLS (no openssl tool)", flush=True)
        return
    d = new_double(t, certfile=pki["cert"], keyfile=pki["key"])
    env = wine_env(t, TELEGRAM_BOT_TOKEN=TOKEN, EXAMFLOW_TELEGRAM_API=d.url_for("localhost"),
                   EXAMFLOW_CA_FILE=win(pki["ca"]))
    p = wine_run(t, ["check"], env)
    out = p.stdout + p.stderr
    t.eq(p.returncode, 0, "exit code of check:\n" + out)
    t.check("getMe ok: bot @examflow_test_bot" in p.stdout, "check reached the double over TLS:\n" + out)
    t.check(TOKEN.split(":")[1] not in out, "the token is not printed")
    # no ca_file: the Windows ROOT store (Wine fills it from the host's bundle), which knows no test CA
    env.pop("EXAMFLOW_CA_FILE")
    p = wine_run(t, ["check"], env)
    out = p.stdout + p.stderr
    t.check(p.returncode != 0 and "unknown certificate authority" in out,
            "without ca_file the system store is used and refuses the test CA:\n" + out)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_student_worker_kill_ctrl_c_and_replay(t):
    if skip(t):
        return
    d = new_double(t)
    g = GeminiDouble(key=GKEY)
    g.start()
    t.on_cleanup(g.stop)
    port = free_port()
    env = bot_env(t, d, GEMINI_API_KEY=GKEY, EXAMFLOW_GEMINI_API=g.url, EXAMFLOW_HEALTH_LISTEN="127.0.0.1:%d" % port,
                  ADMIN_TELEGRAM_ID=ADMIN)
    p = wine_spawn(t, ["run"], env)
    started(t, d, p)
    stats = student(t, d, 1001)
    t.check("Очки: 10" in stats, "/stats counts the right answer: %r" % stats)

    # the AI tutor, through the Gemini double
    d.push_message(1003, "/ask Как найти дискриминант?")
    got = wait_texts(t, d, 1003, 1)
    t.check("Разбор вопроса" in got[0], "the tutor's answer: %r" % got[0])
    t.eq(len(g.requests()), 1, "requests to Gemini")

    # the health listener
    body = t.wait_for(lambda: http_get(port, "/health"), timeout=20, what="GET /health")
    t.check('"bot_online":true' in body.replace(" ", ""), "GET /health: " + body[:500])

    # the worker is killed from outside: the watchdog starts another
    h = t.wait_for(lambda: (health(t) or {}).get("worker_pid") and health(t), timeout=20,
                   what="the health file naming the worker")
    wpid = h["worker_pid"]
    k = subprocess.run([WINE, "taskkill", "/F", "/PID", str(wpid)], env=env, capture_output=True, text=True,
                       timeout=60)
    t.eq(k.returncode, 0, "taskkill: " + k.stdout + k.stderr)
    t.wait_for(lambda: "watchdog: worker %d" % wpid in t.log_tail(n=100000) and
               (health(t) or {}).get("worker_pid", wpid) != wpid, timeout=30,
               what="the watchdog to notice the kill and start a new worker")
    n0 = d.counter("polls")
    t.wait_for(lambda: d.counter("polls") > n0, timeout=30, what="the new worker polling")
    # the admin hears of it from the watchdog itself (no fork for a notifier on Windows)
    t.wait_for(lambda: [x for x in d.texts(ADMIN) if "restarting" in x], timeout=30, what="the crash notice")
    d.push_message(1002, "/start")
    wait_texts(t, d, 1002, 1)
    stats = ask_stats(t, d, 1001)  # now "1 of 2" in the ranking

    # Ctrl-C (SIGINT under Wine): the worker commits and confirms its offset
    p.send_signal(signal.SIGINT)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        t.fail("examflow.exe did not stop on Ctrl-C\n" + t.log_tail())
    t.eq(rc, 0, "exit code after Ctrl-C")
    after = t.log_tail(n=100000).split("watchdog: SIGINT received")[-1]
    t.check(re.search(r"telegram: offset \d+ confirmed", after) and "worker stopped (exit 0)" in after,
            "the offset was confirmed after Ctrl-C:\n" + after[-2000:])

    # a restart replays the data directory: same stats, no update handled twice
    sent = len(texts(d, 1001))
    p = wine_spawn(t, ["run", "--no-watchdog"], env)
    started(t, d, p, n0=d.counter("polls"))
    t.eq(ask_stats(t, d, 1001), stats, "/stats after a restart")
    t.eq(len(texts(d, 1001)), sent + 1, "nothing answered twice")
    p.send_signal(signal.SIGINT)
    t.eq(p.wait(timeout=30), 0, "exit code after Ctrl-C (no watchdog)")


def test_data_dir_moves_between_linux_and_windows(t):
    if skip(t):
        return
    # written by the Linux build ...
    d = new_double(t)
    env = bot_env(t, d, windows=False, EXAMFLOW_DATA_DIR=os.path.join(t.tmp, "data"))
    n0 = d.counter("polls")
    p = t.start_run(env, watchdog=False, ready=lambda p: d.counter("polls") > n0, what="the Linux bot")
    stats = student(t, d, 2001)
    t.eq(t.stop_run(p), 0, "the Linux bot's exit code")
    # ... opened by the Windows build: the next updates come after the stored offset
    d2 = new_double(t, first_update_id=200000001)
    # paths as a Windows user writes them, with backslashes; the log's folder does not exist yet
    wlog = os.path.join(t.tmp, "wlogs", "bot.log")
    wenv = bot_env(t, d2, EXAMFLOW_DATA_DIR=win(os.path.join(t.tmp, "data")).replace("/", "\\"),
                   EXAMFLOW_LOG_FILE=win(wlog).replace("/", "\\"))
    p = wine_spawn(t, ["run", "--no-watchdog"], wenv)
    started(t, d2, p)
    t.eq(ask_stats(t, d2, 2001), stats, "/stats from the Linux data directory, on Windows")
    d2.push_message(2002, "/start")
    wait_texts(t, d2, 2002, 1)
    p.send_signal(signal.SIGINT)
    t.eq(p.wait(timeout=30), 0, "exit code after Ctrl-C")
    t.check(os.path.getsize(wlog) > 0, "the log went to its folder, made from a path with backslashes")
    # ... and back: the Linux build reads what Windows appended
    e = t.run(["export", "users"], env=env)
    t.eq(e.returncode, 0, "Linux export of the Windows-written directory: " + e.stderr[-500:])
    t.check("2002" in e.stdout and "2001" in e.stdout, "both students in the export:\n" + e.stdout[-1500:])


def test_update_renames_the_running_exe_and_the_restart_runs_the_new_one(t):
    """`update` on Windows: a release signed for windows-x86_64-mingw-w64
    (by `examflow.exe sign`, which runs the new binary's `version`), the
    running bot found and healthy, the data backed up, examflow.exe renamed
    to examflow.exe.prev and the new one put in its place while the bot runs;
    the bot keeps the old version until it is started again."""
    if skip(t):
        return
    root = os.path.join(TESTS_DIR, "..")
    new = os.path.join(t.tmp, "new.exe")
    p = subprocess.run(["x86_64-w64-mingw32-gcc", "-O0", "-D_GNU_SOURCE", "-DEXAMFLOW_VERSION=\"9.9.9\"",
                        "-DEXAMFLOW_BUILD_DATE=\"test\"", "-I", os.path.join(root, "vendor", "bearssl-0.6", "inc"),
                        "-o", new, os.path.join(root, "examflow.c"),
                        os.path.join(root, "vendor", "build-mingw", "libbearssl.a"),
                        "-lws2_32", "-lcrypt32", "-ladvapi32", "-luser32", "-static", "-lpthread"],
                       capture_output=True, text=True, timeout=300)
    t.eq(p.returncode, 0, "the new release's build: " + p.stderr[-1000:])
    k = subprocess.run([t.bin, "keygen", os.path.join(t.tmp, "rel")], capture_output=True, text=True)
    t.eq(k.returncode, 0, "keygen: " + k.stderr)
    pub = open(os.path.join(t.tmp, "rel.pub")).read().split("=", 1)[1].strip()
    out = os.path.join(t.tmp, "out")
    os.makedirs(out)
    env = wine_env(t, SIGNING_NOW="1")
    s = wine_run(t, ["sign", "-k", win(os.path.join(t.tmp, "rel.key")), "-o", win(out), "-n", "windows note", win(new)],
                 env)
    t.eq(s.returncode, 0, "sign under Wine: " + s.stdout + s.stderr)
    manifest = open(os.path.join(out, "manifest"), "rb").read()
    t.check(b"target: windows-x86_64-mingw-w64" in manifest, manifest.decode(errors="replace"))
    name = re.search(rb"^file: (\S+)$", manifest, re.M).group(1).decode()
    pki = make_test_pki(os.path.join(t.tmp, "pki"))
    if pki is None:
        print("  skip: update over TLS (no openssl tool)", flush=True)
        return
    srv = ReleaseServer(pki["cert"], pki["key"]).start()
    t.on_cleanup(srv.stop)
    srv.put("/rel/manifest", manifest)
    srv.put("/rel/" + name, open(os.path.join(out, name), "rb").read())

    d = new_double(t)
    exe = os.path.join(t.tmp, "bin", "examflow.exe")
    os.makedirs(os.path.dirname(exe))
    shutil.copy(EXE, exe)
    env = bot_env(t, d, EXAMFLOW_UPDATE_URL=srv.url_for("localhost") + "/rel", EXAMFLOW_UPDATE_PUBKEY=pub,
                  EXAMFLOW_CA_FILE=win(pki["ca"]))
    bot = wine_spawn(t, ["run"], env, exe=exe)
    h = t.wait_for(lambda: (health(t) or {}).get("overall_healthy") and health(t), timeout=60, what="a healthy bot")
    u = subprocess.run([WINE, exe, "update"], env=env, cwd=t.tmp, capture_output=True, text=True, timeout=120,
                       errors="replace")
    t.eq(u.returncode, 0, "update: " + u.stdout + u.stderr)
    t.check("installed 0.1.0 → 9.9.9; the running bot (pid %d) keeps 0.1.0 until its service restarts" % h["pid"]
            in u.stdout, "update says what happens on Windows:\n" + u.stdout + u.stderr)
    t.eq(sorted(os.listdir(os.path.dirname(exe))), ["examflow.exe", "examflow.exe.prev"], "the binaries")
    t.eq(os.path.getsize(exe), os.path.getsize(new), "the new binary is installed")
    t.check(any(x.startswith("backup-") for x in os.listdir(os.path.join(t.tmp, "data"))), "data backed up")
    t.eq((health(t) or {}).get("version"), "0.1.0", "the running bot keeps its version")
    bot.send_signal(signal.SIGINT)
    t.eq(bot.wait(timeout=30), 0, "exit code after Ctrl-C")
    bot = wine_spawn(t, ["run"], env, exe=exe)
    t.wait_for(lambda: (health(t) or {}).get("version") == "9.9.9", timeout=60, what="the new version running")
    bot.send_signal(signal.SIGINT)
    t.eq(bot.wait(timeout=30), 0, "exit code after Ctrl-C")
