"""End-to-end: self-update (issue 12) through the real binary.

The binary under test is copied to t.tmp/bin/examflow (the "installed" one)
and runs the bot under its watchdog against the Telegram double while two
students keep answering.  Releases are real: this tree compiled once per file
with a higher VERSION (same libc as the binary under test, -O0 to stay fast),
signed by `examflow sign` with a key from `examflow keygen`, and served by
tests/release_double.py over HTTPS (certificates from gen_certs.sh), once
behind a GitHub-like chain of redirects to another host.  Broken releases are
small shell scripts that answer `version` like examflow and are signed the
same way (a broken build that passes its own checks is exactly that).

Covered: keygen/sign (0600 key, no overwrite, one-line .pub, independent
SHA-256 of the file); configuration errors (exit 3); update with no bot
running; on a running bot: --check, update (same pid, health file version
NEW, admin told with the note, examflow.prev, backup kept, no .new left),
already current, `rollback` by hand, the rolled-back version never retried, a
replayed older release refused; refusals with the bot untouched (404, HTML,
reset, stall, truncated and short manifest or binary, huge answers, tampered,
other key, other target, older, expired, SHA-256, a binary that does not run,
a failing selftest, redirect to plain HTTP, redirect loop, untrusted TLS, a
full disk, two updates at once); rollbacks: never healthy (the new version
cannot reach Telegram), a new binary that exits at once (the bot is started
again as it was), the bot stopped during the update.  After each running-bot
test every answer is counted exactly once (`examflow export users`), and the
running process reports the expected version.

not tested:
  - systemd: `systemctl start UNIT` after a new binary took the process down
    (no systemd here; the unit is found through INVOCATION_ID and the cgroup);
  - a manifest that names a size over 64 MiB (signing such a file takes
    longer than the rest of this file; the unit tests cover the parser and a
    1 GiB Content-Length is refused here);
  - `NEW selftest` that hangs (the 60 s probe timeout is too slow for a test);
  - --jitter's random wait beyond --jitter=0/1 (it only sleeps).
"""
import atexit
import hashlib
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import tempfile
import threading
import time

from e2e_telegram import ADMIN, TOKEN, notices, start_students
from release_double import ReleaseServer
from tg_double import TelegramDouble

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(TESTS_DIR)
# The binary under test's version (0.1.0 from the Makefile); kit() sets
# NEW two steps above it and REPLAY, an older release, one step above.
OLD, NEW, REPLAY, OLDER = "0.1.0", "0.1.2", "0.1.1", "0.0.1"
EXIT_OK, EXIT_FAIL, EXIT_CONFIG, EXIT_REFUSED = 0, 1, 3, 5
NOTE = "Новые задачи по физике; faster replies"


# --- built once per file ----------------------------------------------------------------

class Kit:
    """Certificates, signing keys and the NEW build, shared by the tests."""


_kit = None


def bump(version, n):
    parts = version.split(".")
    return ".".join(parts[:-1] + [str(int(parts[-1]) + n)])


def kit(t):
    global _kit, OLD, NEW, REPLAY
    if _kit is not None:
        return _kit
    k = Kit()
    k.dir = tempfile.mkdtemp(prefix="examflow-update-kit-")
    atexit.register(shutil.rmtree, k.dir, True)
    k.certs = os.path.join(k.dir, "certs")
    certs = subprocess.Popen(["sh", os.path.join(TESTS_DIR, "gen_certs.sh"), k.certs], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)  # meanwhile: keys and the build
    for name in ("release", "other"):
        p = subprocess.run([t.bin, "keygen", os.path.join(k.dir, name)], capture_output=True, text=True)
        t.sanitizer_check(p.stderr)
        assert p.returncode == 0, p.stderr
    k.key = os.path.join(k.dir, "release.key")
    k.other_key = os.path.join(k.dir, "other.key")
    k.pubkey = open(os.path.join(k.dir, "release.pub")).read().split("=", 1)[1].strip()
    out = subprocess.run([t.bin, "version"], capture_output=True, text=True).stdout
    k.target = re.search(r"^target: (\S+)$", out, re.M).group(1)
    OLD = re.search(r"^examflow (\S+)$", out, re.M).group(1)
    NEW, REPLAY = bump(OLD, 2), bump(OLD, 1)
    assert tuple(map(int, OLDER.split("."))) < tuple(map(int, OLD.split("."))), "tests want a version above 0.0.1"
    musl = "libc: musl" in out
    cc, lib = (["musl-gcc", "-static"], "vendor/build-musl/libbearssl.a") if musl else (["cc"], "vendor/build-cc/libbearssl.a")
    k.new_bin = os.path.join(k.dir, "build", "examflow")
    os.makedirs(os.path.dirname(k.new_bin))
    subprocess.run(cc + ["-O0", "-D_GNU_SOURCE", "-DEXAMFLOW_VERSION=\"%s\"" % NEW,
                         "-DEXAMFLOW_BUILD_DATE=\"test\"", "-I", os.path.join(ROOT, "vendor/bearssl-0.6/inc"),
                         "-o", k.new_bin, os.path.join(ROOT, "examflow.c"), os.path.join(ROOT, lib)],
                   check=True, capture_output=True, timeout=120)
    assert certs.wait(60) == 0, "gen_certs.sh failed"
    _kit = k
    return k


def script(k, name, version, target=None, selftest=0, run="exit 1", version_rc=0):
    """A shell script that answers like examflow: `version`, `selftest`, `run`.
    version_rc applies except while `examflow sign` asks (SIGNING_NOW set):
    a build that worked on the release maker's machine and fails here."""
    path = os.path.join(k.dir, "scripts", name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/sh\nfor a in \"$@\"; do case \"$a\" in\n"
                "  version) printf 'examflow %s\\ntarget: %s\\n'; [ -n \"$SIGNING_NOW\" ] && exit 0; exit %d;;\n"
                "  selftest) exit %d;;\n"
                "  run) %s;;\n"
                "esac; done\nexit 1\n" % (version, target or k.target, version_rc, selftest, run))
    os.chmod(path, 0o755)
    return path


def sign(t, k, binary, key=None, note=NOTE, env=None, expires=None):
    """Sign binary with `examflow sign`: (manifest bytes, file name, file bytes)."""
    out = tempfile.mkdtemp(dir=k.dir)
    args = [t.bin, "sign", "-k", key or k.key, "-o", out, "-n", note] + (["-e", str(expires)] if expires else []) + [binary]
    p = subprocess.run(args, capture_output=True, text=True, env=dict(env or os.environ, SIGNING_NOW="1"))
    t.sanitizer_check(p.stderr)
    t.eq(p.returncode, 0, "sign: " + p.stderr)
    manifest = open(os.path.join(out, "manifest"), "rb").read()
    name = re.search(rb"^file: (\S+)$", manifest, re.M).group(1).decode()
    data = open(os.path.join(out, name), "rb").read()
    return manifest, name, data


# --- one machine: the installed binary, the bot, the students ------------------------------

class UADouble(TelegramDouble):
    """The Telegram double, able to refuse one version of the bot (by User-Agent):
    a new version that cannot reach Telegram never becomes healthy."""
    refuse_ua = None

    def handle(self, req):
        if self.refuse_ua and self.refuse_ua in (req.headers.get("User-Agent") or ""):
            self._count("refused_ua")
            return self._fault("502html", {})
        return super().handle(req)


class Rig:
    def __init__(self, t, **env_extra):
        self.t, self.k = t, kit(t)
        self.d = UADouble(token=TOKEN, limits=False)
        self.d.start()
        t.on_cleanup(self.d.stop)
        self.srv = ReleaseServer(os.path.join(self.k.certs, "good.pem"), os.path.join(self.k.certs, "good.key")).start()
        t.on_cleanup(self.srv.stop)
        self.exe = os.path.join(t.tmp, "bin", "examflow")
        os.makedirs(os.path.dirname(self.exe))
        shutil.copy(t.bin, self.exe)
        os.chmod(self.exe, 0o755)
        self.old_sha = sha(self.exe)
        bank = t.bank()
        self.env = t.env(TELEGRAM_BOT_TOKEN=TOKEN, EXAMFLOW_TELEGRAM_API=self.d.url, EXAMFLOW_POLL_TIMEOUT=1,
                         EXAMFLOW_TASKS_FILE=bank, EXAMFLOW_TASKS_MODE="replace", ADMIN_TELEGRAM_ID=ADMIN,
                         EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot.log"), EXAMFLOW_LOG_LEVEL="debug",
                         EXAMFLOW_CHECK_INTERVAL=5, EXAMFLOW_HANG_TIMEOUT=3, EXAMFLOW_MAX_RESTARTS=5,
                         EXAMFLOW_UPDATE_URL=self.srv.url + "/rel", EXAMFLOW_UPDATE_PUBKEY=self.k.pubkey,
                         EXAMFLOW_CA_FILE=os.path.join(self.k.certs, "ca.pem"),
                         EXAMFLOW_UPDATE_HEALTH_TIMEOUT=20, EXAMFLOW_UPDATE_TIMEOUT=2)
        self.env.update({k: str(v) for k, v in env_extra.items()})
        self.bot = None
        self.extra_pids = []
        t.on_cleanup(self._kill_extra)

    # releases on the server
    def serve(self, release, base="/rel", srv=None):
        manifest, name, data = release
        (srv or self.srv).put(base + "/manifest", manifest)
        (srv or self.srv).put(base + "/" + name, data)
        return name

    # the installed binary
    def run(self, *args, env=None, timeout=60, preexec=None):
        p = subprocess.run([self.exe] + list(args), env=env or self.env, cwd=self.t.tmp, capture_output=True,
                           text=True, timeout=timeout, preexec_fn=preexec, errors="replace")
        self.t.sanitizer_check(p.stderr)
        return p

    def update(self, *args, **kw):
        return self.run("update", *args, **kw)

    def health(self):
        try:
            import json
            with open(os.path.join(self.t.tmp, "logs", "health.json")) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def start_bot(self, healthy=True):
        t = self.t
        n = len(t.procs)
        out = open(os.path.join(t.tmp, "bot%d.out" % n), "w+")
        err = open(os.path.join(t.tmp, "bot%d.err" % n), "w+")
        p = subprocess.Popen([self.exe, "run"], env=self.env, cwd=t.tmp, stdout=out, stderr=err,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        p.out_path, p.err_path = out.name, err.name
        out.close()
        err.close()
        t.procs.append(p)
        self.bot = p
        if healthy:
            self.wait_healthy(p.pid, OLD)
        else:
            self.t.wait_for(lambda: (self.health() or {}).get("pid") == p.pid, 20, what="a health file")
        return p

    def wait_healthy(self, pid, version, timeout=30):
        def ok():
            h = self.health()
            return h if h and h.get("pid") == pid and h.get("version") == version and h.get("overall_healthy") else None
        try:
            return self.t.wait_for(ok, timeout, what="pid %d healthy at %s" % (pid, version))
        except Exception:
            self.t.fail("pid %d not healthy at %s: %r\n%s" % (pid, version, self.health(), self.log()[-3000:]))

    def log(self):
        try:
            return self.t.read("bot.log")
        except OSError:
            return ""

    def stop_pid(self, pid):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        if self.bot and self.bot.pid == pid:
            self.bot.wait(timeout=30)
        else:
            self.t.wait_for(lambda: not alive(pid), 30, what="pid %d to stop" % pid)

    def _kill_extra(self):
        for pid in self.extra_pids:
            try:
                os.killpg(pid, signal.SIGKILL)
            except OSError:
                pass

    # checks that the machine is as it was
    def untouched(self, what):
        t = self.t
        t.eq(sha(self.exe), self.old_sha, "%s: the installed binary is unchanged" % what)
        t.check(not os.path.exists(self.exe + ".new"), "%s: no examflow.new left" % what)
        if self.bot:
            h = self.health()
            t.check(h and h["pid"] == self.bot.pid and h["version"] == OLD and self.bot.poll() is None,
                    "%s: the bot runs %s as before: %r" % (what, OLD, h))


class Students:
    """Two students who keep answering (a "4" to each card, then "next")."""

    def __init__(self, rig, chats=(31001, 31002)):
        self.rig, self.chats = rig, chats
        self.answers = {c: 0 for c in chats}
        self._stop = threading.Event()
        d, t = rig.d, rig.t
        start_students(t, d, chats)
        self._th = threading.Thread(target=self._loop, daemon=True)
        self._th.start()
        t.on_cleanup(self._stop.set)

    def _loop(self):
        while not self._stop.is_set():
            for c in self.chats:
                self.rig.d.push_message(c, "4")
                self.rig.d.push_callback(c, "next")
                self.answers[c] += 1
            self._stop.wait(0.25)

    def stop(self):
        self._stop.set()
        self._th.join(5)

    def check_counted(self, pid=None):
        """Stop answering, let the bot (pid) take every update, stop it, and count."""
        rig, t = self.rig, self.rig.t
        self.stop()
        t.check(rig.d.wait_for(lambda: not rig.d.pending_updates, 30),
                "all updates consumed: %d pending\n%s" % (len(rig.d.pending_updates), rig.log()[-2000:]))
        if pid:
            rig.stop_pid(pid)
        p = rig.run("export", "users")
        t.eq(p.returncode, 0, "export: " + p.stderr)
        rows = [l.split(",") for l in p.stdout.strip().splitlines()]
        users = {int(r[0]): dict(zip(rows[0], r)) for r in rows[1:]}
        for c in self.chats:
            t.eq(int(users[c]["attempts"]), self.answers[c], "answers of %d counted exactly once" % c)
        t.check(all(n >= 1 for n in self.answers.values()), "students answered during the test: %r" % self.answers)


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def one_line(t, p, code, *words):
    """The run ended with code and printed one line holding every word."""
    text = (p.stdout + p.stderr).strip()
    lines = [l for l in text.splitlines() if l.startswith("examflow update:") or l.startswith("examflow rollback:")]
    t.check(p.returncode == code and len(lines) == 1 and all(w in lines[0] for w in words),
            "want exit %d and one line with %r; got exit %d:\n%s" % (code, words, p.returncode, text[-2000:]))
    t.check(TOKEN.split(":")[1] not in text, "no token in the output")
    return lines[0]


# --- tests ----------------------------------------------------------------------------------

def test_keygen_sign_and_configuration(t):
    k = kit(t)
    t.eq(stat.S_IMODE(os.stat(k.key).st_mode), 0o600, "PREFIX.key mode")
    pub = open(os.path.join(k.dir, "release.pub")).read()
    t.check(re.fullmatch(r"update_pubkey = p256:04[0-9a-f]{128}\n", pub), "one config line: %r" % pub)
    p = t.run(["keygen", os.path.join(k.dir, "release")])
    t.eq(p.returncode, EXIT_FAIL, "keygen refuses to overwrite")
    t.check("refusing to overwrite" in p.stderr, p.stderr)
    t.eq(open(os.path.join(k.dir, "release.pub")).read(), pub, "the key pair is untouched")
    manifest, name, data = sign(t, k, k.new_bin)
    t.eq(name, "examflow-%s-%s" % (NEW, k.target), "file name")
    t.eq(data, open(k.new_bin, "rb").read(), "the file is the binary")
    text = manifest.decode()
    t.check(re.search(r"^sha256: %s$" % hashlib.sha256(data).hexdigest(), text, re.M), text)
    t.check(re.search(r"^size: %d$" % len(data), text, re.M) and ("notes: " + NOTE) in text, text)
    t.check(re.search(r"\nsignature: [0-9a-f]{128}\n$", text), text)
    priv = open(k.key).read().split()[1]
    t.check(priv not in text, "the private key is not in the manifest")
    t.check("5  update: the release was refused" in t.run(["help", "exit-codes"]).stdout, "help exit-codes names 5")
    t.check(re.search(r"^target: \S+-\S+-(musl|glibc)$", t.run(["version"]).stdout, re.M), "version names the target")

    rig = Rig(t)
    rig.serve(sign(t, k, k.new_bin))
    for env, want in (({"EXAMFLOW_UPDATE_URL": ""}, "update_url is empty"),
                      ({"EXAMFLOW_UPDATE_URL": rig.srv.url.replace("https", "http") + "/rel"}, "must be an https://"),
                      ({"EXAMFLOW_UPDATE_PUBKEY": ""}, "update_pubkey is empty"),
                      ({"EXAMFLOW_UPDATE_PUBKEY": "p256:04abcd"}, "not a public key"),
                      ({"EXAMFLOW_CA_FILE": os.path.join(t.tmp, "missing.pem")}, "no trusted CA")):
        p = rig.update(env=dict(rig.env, **env))
        one_line(t, p, EXIT_CONFIG, want)
        rig.untouched(want)
    p = rig.update("--jitter=nonsense")
    t.eq(p.returncode, 2, "bad --jitter is a usage error")
    # a bot without its watchdog cannot re-exec: installed, and the line says so
    lone = subprocess.Popen([rig.exe, "run", "--no-watchdog"], env=rig.env, cwd=t.tmp, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    t.procs.append(lone)
    lone.out_path = lone.err_path = os.devnull
    lock = os.path.join(t.tmp, "data", "lock")
    t.wait_for(lambda: os.path.exists(lock) and open(lock).read().strip() == str(lone.pid), 20, what="the lone worker")
    p = rig.update("--jitter=0")
    one_line(t, p, EXIT_OK, "installed %s → %s" % (OLD, NEW), "runs without its watchdog (pid %d)" % lone.pid, NOTE)
    lone.terminate()
    t.eq(lone.wait(20), 0, "the lone worker stops")
    t.eq(sha(rig.exe), hashlib.sha256(data).hexdigest(), "NEW installed")
    t.eq(sha(rig.exe + ".prev"), rig.old_sha, "the old one kept as examflow.prev")
    t.check(NEW in rig.run("version").stdout, "the installed binary is NEW")
    t.check(not [f for f in os.listdir(os.path.dirname(rig.exe)) if f.endswith((".new", ".tmp"))],
            "nothing left over: %r" % os.listdir(os.path.dirname(rig.exe)))
    t.eq(open(os.path.join(t.tmp, "data", "update-state")).read(), "highest %s\n" % NEW, "update-state")


def test_update_running_bot_rollback_by_hand_and_replay(t):
    rig = Rig(t)
    k = rig.k
    # GitHub Releases: .../releases/latest/download/NAME → .../download/vX/NAME on the same host
    # → a storage host with a signed query string
    store = ReleaseServer(os.path.join(k.certs, "good.pem"), os.path.join(k.certs, "good.key")).start()
    t.on_cleanup(store.stop)
    rig.srv.redirect("/o/r/releases/latest/download/", rig.srv.url_for("localhost") + "/o/r/releases/download/v2/")
    rig.srv.redirect("/o/r/releases/download/v2/", store.url + "/objects/{}?X-Amz-Signature=0a1b&X-Amz-Expires=300")
    release = sign(t, k, k.new_bin)
    rig.serve(release, base="/objects", srv=store)
    rig.env["EXAMFLOW_UPDATE_URL"] = rig.srv.url + "/o/r/releases/latest/download/"
    p = rig.start_bot()
    students = Students(rig)
    for day in ("01", "02"):  # backups of earlier updates: only the last two stay
        old = os.path.join(t.tmp, "data", "backup-200001%sT000000Z-0.0.1" % day)
        os.makedirs(old)
        t.write(os.path.join(old, "events.log"), "")

    c = rig.update("--check")
    one_line(t, c, EXIT_OK, "would update %s → %s" % (OLD, NEW), NOTE)
    rig.untouched("--check")
    t.check(not os.path.exists(os.path.join(t.tmp, "data", "update.lock")), "--check takes no lock")

    u = rig.update()
    line = one_line(t, u, EXIT_OK, "updated %s → %s" % (OLD, NEW), "pid %d healthy" % p.pid, NOTE)
    h = rig.wait_healthy(p.pid, NEW)
    t.eq(p.poll(), None, "the same process runs on")
    t.eq(sha(rig.exe), hashlib.sha256(release[2]).hexdigest(), "NEW installed")
    t.eq(sha(rig.exe + ".prev"), rig.old_sha, "examflow.prev is OLD")
    t.check(not os.path.exists(rig.exe + ".new"), "no examflow.new left")
    backups = sorted(f for f in os.listdir(os.path.join(t.tmp, "data")) if f.startswith("backup-"))
    t.eq(len(backups), 2, "the last two backups: %r" % backups)
    t.check(backups[0] == "backup-20000102T000000Z-0.0.1" and backups[1].endswith("-" + OLD), "which: %r" % backups)
    t.check({"snapshot", "events.log"} & set(os.listdir(os.path.join(t.tmp, "data", backups[1]))), "the backup holds data")
    t.check(rig.d.wait_for(lambda: any("updated %s → %s: %s" % (OLD, NEW, NOTE) in x for x in notices(rig.d)), 10),
            "the admin was told: %r" % notices(rig.d))
    paths = store.paths()
    t.check(any(x.startswith("/objects/manifest?X-Amz-Signature=") for x in paths), "redirects followed: %r" % paths)
    t.check(h["worker_pid"], "a worker runs")

    one_line(t, rig.update(), EXIT_OK, "already current: %s" % NEW)

    # by hand, back to OLD (the installed binary is now NEW: it runs the rollback)
    r = rig.run("rollback")
    one_line(t, r, EXIT_OK, "rolled back %s → %s" % (NEW, OLD), "pid %d healthy" % p.pid)
    rig.wait_healthy(p.pid, OLD)
    t.eq(sha(rig.exe), rig.old_sha, "OLD is installed again")
    t.eq(sha(rig.exe + ".prev"), hashlib.sha256(release[2]).hexdigest(), "NEW kept as examflow.prev")
    # NEW was rolled back here: never retried
    one_line(t, rig.update(), EXIT_REFUSED, "%s was rolled back on this machine" % NEW)
    # a replayed old release: newer than the running OLD, older than the highest ever accepted
    rig.serve(sign(t, k, script(k, "replay", REPLAY)), base="/objects", srv=store)
    one_line(t, rig.update(), EXIT_REFUSED, "%s is not newer than %s, the highest version" % (REPLAY, NEW))
    rig.untouched("replayed release")
    t.check(u.stdout.count("\n") == 1 and not u.stderr.strip(), "update printed one line:\n%s%s" % (u.stdout, u.stderr))
    t.check(line.startswith("examflow update: updated"), line)
    students.check_counted(p.pid)


def test_refused_releases_leave_the_bot_alone(t):
    rig = Rig(t)
    k = rig.k
    good = sign(t, k, k.new_bin)
    name = rig.serve(good)
    # a bot that is not healthy (here: not through to Telegram yet) cannot
    # show whether a new version is: the update waits
    rig.d.refuse_ua = "examflow/%s" % OLD
    p = rig.start_bot(healthy=False)
    sick = rig.update()
    one_line(t, sick, EXIT_FAIL, "the running bot (pid %d) is not healthy (worker starting" % p.pid,
             "updates wait for a healthy bot")
    rig.untouched("an unhealthy bot")
    rig.d.refuse_ua = None
    rig.wait_healthy(p.pid, OLD)
    students = Students(rig)
    manifest, data = good[0], good[2]
    man, binp = "/rel/manifest", "/rel/" + name

    def case(what, code, *words, setup=None, preexec=None, env=None):
        rig.serve(good)
        for path in (man, binp):
            rig.srv.behave(path, None)
        if setup:
            setup()
        res = rig.update(preexec=preexec, env=env)
        one_line(t, res, code, *words)
        rig.untouched(what)
        priv = open(k.key).read().split()[1]
        t.check(priv not in res.stdout + res.stderr + rig.log(), "%s: no private key anywhere" % what)

    tampered = manifest.replace(b"version: %s" % NEW.encode(), b"version: 9.9.9")
    other = sign(t, k, k.new_bin, key=k.other_key)
    other_id = re.search(rb"^key: (\w+)", other[0], re.M).group(1).decode()
    case("manifest 404", EXIT_FAIL, "manifest: HTTP 404", setup=lambda: rig.srv.behave(man, "404"))
    case("HTML instead of a manifest", EXIT_REFUSED, "not a release manifest", "HTML",
         setup=lambda: rig.srv.behave(man, "html"))
    case("connection reset", EXIT_FAIL, "manifest:", setup=lambda: rig.srv.behave(man, "reset"))
    case("manifest transfer cut", EXIT_FAIL, "manifest:", "truncated", setup=lambda: rig.srv.behave(man, "truncate"))
    case("manifest cut short", EXIT_REFUSED, "cut short", setup=lambda: rig.srv.behave(man, "short"))
    case("huge manifest", EXIT_REFUSED, "larger than 8 KiB", setup=lambda: rig.srv.behave(man, "huge"))
    case("tampered manifest", EXIT_REFUSED, "signature does not verify",
         setup=lambda: rig.srv.put(man, tampered))
    case("another key", EXIT_REFUSED, "signature does not verify", "names key %s" % other_id,
         setup=lambda: rig.serve(other))
    case("another target", EXIT_REFUSED, "built for linux-sparc64-musl",
         setup=lambda: rig.serve(sign(t, k, script(k, "sparc", NEW, target="linux-sparc64-musl"))))
    case("older", EXIT_REFUSED, "%s is older than the running %s" % (OLDER, OLD),
         setup=lambda: rig.serve(sign(t, k, script(k, "older", OLDER))))
    case("the same version", EXIT_OK, "already current: %s" % OLD,
         setup=lambda: rig.serve(sign(t, k, script(k, "same", OLD))))
    expired = sign(t, k, k.new_bin, env=dict(os.environ, EXAMFLOW_TEST_CLOCK_OFFSET=str(-3 * 86400)), expires=2)
    case("expired", EXIT_REFUSED, "expired at", setup=lambda: rig.serve(expired))
    case("binary 404", EXIT_FAIL, "binary: HTTP 404", setup=lambda: rig.srv.behave(binp, "404"))
    case("binary transfer cut", EXIT_FAIL, "binary:", "truncated", setup=lambda: rig.srv.behave(binp, "truncate"))
    case("binary cut short", EXIT_REFUSED, "the manifest says %d" % len(data), setup=lambda: rig.srv.behave(binp, "short"))
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x10
    case("tampered binary", EXIT_REFUSED, "SHA-256 is not the manifest's", setup=lambda: rig.srv.put(binp, flipped))
    case("huge binary", EXIT_REFUSED, "larger than the manifest says", setup=lambda: rig.srv.behave(binp, "huge"))
    case("stalled server", EXIT_FAIL, "binary:", "timeout", setup=lambda: rig.srv.behave(binp, "stall"))
    limit = len(data) // 2
    case("disk full", EXIT_FAIL, "cannot write", "File too large",
         preexec=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit)))
    case("a binary that does not run", EXIT_REFUSED, "does not run here", "exited with code 1",
         setup=lambda: rig.serve(sign(t, k, script(k, "dead", NEW, version_rc=1))))
    case("a failing selftest", EXIT_REFUSED, "selftest failed (exited with code 4",
         setup=lambda: rig.serve(sign(t, k, script(k, "noself", NEW, selftest=4))))
    plain = ReleaseServer().start()
    t.on_cleanup(plain.stop)
    plain.put("/rel/manifest", manifest)
    rig.srv.redirect("/tohttp/", plain.url + "/rel/")
    rig.srv.redirect("/loop/", "/loop/")
    case("redirect to plain HTTP", EXIT_CONFIG, "redirect from https:// to plain http:// refused",
         env=dict(rig.env, EXAMFLOW_UPDATE_URL=rig.srv.url + "/tohttp"))
    t.eq(plain.paths(), [], "nothing was fetched over plain HTTP")
    case("redirect loop", EXIT_CONFIG, "more than 5 redirects", env=dict(rig.env, EXAMFLOW_UPDATE_URL=rig.srv.url + "/loop"))
    mitm = ReleaseServer(os.path.join(k.certs, "untrusted.pem"), os.path.join(k.certs, "untrusted.key")).start()
    t.on_cleanup(mitm.stop)
    mitm.put("/rel/manifest", manifest)
    case("an untrusted certificate", EXIT_CONFIG, "TLS", env=dict(rig.env, EXAMFLOW_UPDATE_URL=mitm.url + "/rel"))

    # two runs at once: the second one waits for nobody
    rig.serve(good)
    rig.srv.behave(man, "stall")
    asked = len(rig.srv.paths())
    first = subprocess.Popen([rig.exe, "update"], env=dict(rig.env, EXAMFLOW_UPDATE_TIMEOUT="60"), cwd=t.tmp,
                             stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    t.wait_for(lambda: man in rig.srv.paths()[asked:], 10, what="the first update to fetch")
    second = rig.update()
    one_line(t, second, EXIT_FAIL, "another examflow update or rollback is running (pid %d)" % first.pid)
    rig.srv.release_stalls()
    out, err = first.communicate(timeout=30)
    t.sanitizer_check(err)
    t.eq(first.returncode, EXIT_FAIL, "the first run failed on the stalled manifest: " + out + err)
    rig.srv.behave(man, None)
    rig.untouched("two runs at once")
    t.check(not [x for x in notices(rig.d) if "update" in x or "rolled" in x],
            "no admin notice for refusals: %r" % notices(rig.d))
    students.check_counted(p.pid)


def test_rollback_when_the_new_version_never_becomes_healthy(t):
    rig = Rig(t, EXAMFLOW_UPDATE_HEALTH_TIMEOUT=3)
    rig.serve(sign(t, rig.k, rig.k.new_bin))
    p = rig.start_bot()
    students = Students(rig)
    rig.d.refuse_ua = "examflow/%s" % NEW  # the new version cannot reach Telegram
    u = rig.update()
    one_line(t, u, EXIT_REFUSED, "rolled back: %s → %s" % (NEW, OLD), "did not report healthy within 3 s",
             "%s runs again" % OLD, "marked bad")
    t.check(rig.d.counter("refused_ua") > 0, "NEW did run and try Telegram")
    rig.wait_healthy(p.pid, OLD)
    t.eq(p.poll(), None, "the same process runs on")
    rig.untouched("after the rollback")
    t.check(rig.d.wait_for(lambda: any("update to %s rolled back" % NEW in x for x in notices(rig.d)), 10),
            "the admin was told: %r" % notices(rig.d))
    rig.d.refuse_ua = None
    one_line(t, rig.update(), EXIT_REFUSED, "%s was rolled back on this machine: never retried" % NEW)
    students.check_counted(p.pid)


def test_rollback_when_the_new_binary_exits_at_once(t):
    rig = Rig(t)
    rig.serve(sign(t, rig.k, script(rig.k, "crash", NEW, run="exit 1")))
    p = rig.start_bot()
    students = Students(rig)
    u = rig.update()
    line = one_line(t, u, EXIT_REFUSED, "rolled back: %s → %s" % (NEW, OLD), "ended after the re-exec",
                    "started again as it was started", "healthy")
    pid = int(re.search(r"started again as it was started \(pid (\d+)\)", line).group(1))
    rig.extra_pids.append(pid)
    t.check(pid != p.pid and p.wait(5) == 1, "a new process; the old one is gone")
    rig.wait_healthy(pid, OLD)
    t.eq(sha(rig.exe), rig.old_sha, "OLD is installed again")
    t.check(rig.d.wait_for(lambda: any("rolled back" in x for x in notices(rig.d)), 10), "admin told")
    rig.bot = None
    students.check_counted(pid)


def test_bot_stopped_during_the_update(t):
    rig = Rig(t, EXAMFLOW_UPDATE_HEALTH_TIMEOUT=30)
    rig.serve(sign(t, rig.k, rig.k.new_bin))
    p = rig.start_bot()
    students = Students(rig)
    rig.d.refuse_ua = "examflow/%s" % NEW  # so that it is still waiting when the bot is stopped
    u = subprocess.Popen([rig.exe, "update"], env=rig.env, cwd=t.tmp, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    t.wait_for(lambda: (rig.health() or {}).get("version") == NEW, 20, what="NEW running (not yet healthy)")
    os.kill(p.pid, signal.SIGTERM)
    out, err = u.communicate(timeout=60)
    t.sanitizer_check(err)
    p.wait(10)
    res = subprocess.CompletedProcess(u.args, u.returncode, out, err)
    one_line(t, res, EXIT_REFUSED, "the bot was stopped before %s proved healthy" % NEW,
             "%s is installed again; the bot was not started" % OLD, "not marked bad")
    t.check(not alive(p.pid), "nothing started the bot again")
    rig.bot = None
    rig.untouched("stopped during the update")
    rig.d.refuse_ua = None
    one_line(t, rig.update("--check"), EXIT_OK, "would update %s → %s" % (OLD, NEW))
    p2 = rig.start_bot()  # the admin starts it again: the answers sent meanwhile are all there
    students.check_counted(p2.pid)
