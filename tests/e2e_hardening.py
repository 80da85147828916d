"""End-to-end: the review's hardening items that show through the binary's
own verbs — backups never write through a planted link, exported names
never run as spreadsheet formulas, no core dumps unless asked for, secrets
never in what `check` prints even when the server quotes them back.

not tested here: redaction in /health, the health file and admin notices
(tests/e2e_telegram.py and e2e_ai.py drive the doubles that echo secrets);
log lines cut after redaction (tests/unit_base.c).
"""
import csv
import io
import os
import resource
import subprocess

BANK = "subject: t\ntitle: Тест\n\nid: t-1\nnumber: 1\ntext: 2+2?\nanswer: 4\n"


def env(t, **extra):
    return t.env(EXAMFLOW_TASKS_FILE=t.write("bank.txt", BANK), EXAMFLOW_TASKS_MODE="replace", **extra)


def demo_data(t, user):
    data = os.path.join(t.tmp, "data")
    e = env(t)
    e["USER"] = user
    p = t.run(["demo", "--data", data], env=e, input="1\n2\n4\n/quit\n")
    t.eq(p.returncode, 0, "demo: " + p.stderr)
    return data


def test_backup_refuses_planted_link(t):
    data = demo_data(t, "Аня")
    victim = t.write("victim.txt", "precious\n")
    dest = os.path.join(t.tmp, "backup")
    os.mkdir(dest, 0o700)
    os.symlink(victim, os.path.join(dest, "lock"))
    p = t.run(["backup", dest], env=env(t, EXAMFLOW_DATA_DIR=data))
    t.eq(p.returncode, 1, "exit code: " + p.stdout + p.stderr)
    t.check("not empty" in p.stdout + p.stderr, p.stdout + p.stderr)
    t.eq(open(victim).read(), "precious\n", "the link's target")
    shared = os.path.join(t.tmp, "shared")
    os.mkdir(shared)
    os.chmod(shared, 0o777)
    p = t.run(["backup", shared], env=env(t, EXAMFLOW_DATA_DIR=data))
    t.eq(p.returncode, 1, "a directory others may write to: " + p.stdout + p.stderr)
    new = os.path.join(t.tmp, "new", "backup")
    p = t.run(["backup", new], env=env(t, EXAMFLOW_DATA_DIR=data))
    t.eq(p.returncode, 0, "a new directory: " + p.stdout + p.stderr)


def test_export_neutralises_formulas(t):
    data = demo_data(t, '=HYPERLINK("http://x.example/","click")')
    p = t.run(["export", "users"], env=env(t, EXAMFLOW_DATA_DIR=data))
    t.eq(p.returncode, 0, p.stderr)
    rows = list(csv.reader(io.StringIO(p.stdout)))
    names = [r[1] for r in rows[1:]]
    t.eq(names, ["'=HYPERLINK(\"http://x.example/\",\"click\")"], "the name cell")


def core_limit(pid):
    for line in open("/proc/%d/limits" % pid):
        if line.startswith("Max core file size"):
            return line.split()[4]
    return None


def test_no_core_dumps_unless_asked(t):
    def unlimited():
        resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))

    for setting, want in (("off", "0"), ("on", "unlimited")):
        e = env(t, TELEGRAM_BOT_TOKEN="123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                EXAMFLOW_TELEGRAM_API="http://127.0.0.1:9", EXAMFLOW_CORE_DUMPS=setting,
                EXAMFLOW_DATA_DIR=os.path.join(t.tmp, "data-" + setting),
                EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot-%s.log" % setting))
        # ASan turns core dumps off on its own unless told otherwise
        e["ASAN_OPTIONS"] = (e.get("ASAN_OPTIONS", "") + ":disable_coredump=0").lstrip(":")
        p = subprocess.Popen([t.bin, "run", "--no-watchdog"], env=e, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=unlimited)
        try:
            t.wait_for(lambda: os.path.exists(os.path.join(t.tmp, "bot-%s.log" % setting)), 10,
                       what="the worker started")
            t.eq(core_limit(p.pid), want, "core file size limit with core_dumps = " + setting)
        finally:
            p.kill()
            p.wait()


def test_check_redacts_what_the_server_says(t):
    """A server that quotes the token back (a proxy, a self-hosted Bot API)
    must not make `check` print it."""
    import http.server
    import threading
    token = "7412589630:AAH3kqZsVnotarealtokenbutlongenough_x"

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = ('{"ok":false,"error_code":400,"description":"bad request to %s"}' % self.path).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        e = env(t, TELEGRAM_BOT_TOKEN=token, EXAMFLOW_TELEGRAM_API="http://127.0.0.1:%d" % srv.server_port)
        p = t.run(["check"], env=e)
        out = p.stdout + p.stderr
        t.check("AAH3kq" not in out and "7412589630" not in out, out)
        t.check("http:" in out, out)
    finally:
        srv.shutdown()
