"""End-to-end: health_listen (GET /health, GET /metrics), the UptimeRobot
heartbeat and `examflow uptime`, with the real binary against the Telegram
double (tests/tg_double.py) and a tiny stdlib fake of UptimeRobot's API v2.

/health follows Telegram: 200 while polling works, 503 once no Telegram call
has succeeded for 2 x poll_timeout + 10 s, 200 again after the outage.  The
heartbeat URL is pinged only while polling succeeds and never logged.
/metrics parses as Prometheus text and its counters move.  Slow clients
holding every slot of the listener do not delay a student's reply.

not tested: log rotation by size (log_max_mb counts MiB, slow to fill end to
end; unit_health rotates with small sizes), "restarts" in /health under the
watchdog (it needs the watchdog to export EXAMFLOW_RESTARTS), a real
UptimeRobot.
"""
import http.client
import json
import os
import re
import socket
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from e2e_telegram import bot_env, new_double, replies, start_bot, stop_bot, wait_texts

SECRET_PING = "/ping/hb-SECRET-7f3a"
UPTIME_KEY = "u1234567-SECRETKEYabcdef"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def get(port, path, method="GET"):
    """(status, body) of one request, or (None, error text)."""
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request(method, path)
        r = c.getresponse()
        body = r.read().decode()
        c.close()
        return r.status, body
    except OSError as e:
        return None, str(e)


SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"'
                    r'(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*")*\})? (\S+)$')


def parse_prom(t, text):
    """Check Prometheus text format 0.0.4; returns {series: value}."""
    types, helps, series = {}, set(), {}
    t.check(text.endswith("\n"), "metrics end with a newline")
    for line in text.splitlines():
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            t.check(len(line.split(" ", 3)) == 4, "HELP has text: %r" % line)
            helps.add(name)
        elif line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            t.check(typ in ("counter", "gauge", "summary", "histogram", "untyped"), "type: %r" % line)
            t.check(name not in types, "one TYPE per metric: %r" % line)
            types[name] = typ
        elif line.startswith("#"):
            continue
        else:
            m = SAMPLE.match(line)
            t.check(m is not None, "sample line: %r" % line)
            name = m.group(1)
            base = re.sub(r"_(sum|count)$", "", name) if name not in types else name
            t.check(base in types, "TYPE before the sample %r" % line)
            t.check(base in helps, "HELP for %r" % base)
            series[name + (m.group(2) or "")] = float(m.group(3))
    return series


def health_env(t, d, port, **extra):
    return bot_env(t, d, EXAMFLOW_HEALTH_LISTEN="127.0.0.1:%d" % port, EXAMFLOW_CHECK_INTERVAL="5",
                   EXAMFLOW_UPTIMEROBOT_HEARTBEAT_URL=d.url + SECRET_PING, **extra)


def wait_status(t, port, want, timeout, path="/health"):
    last = [None]

    def ok():
        last[0] = get(port, path)
        return last[0][0] == want
    try:
        t.wait_for(ok, timeout=timeout, interval=0.2, what="%s %s" % (path, want))
    except Exception:
        t.fail("%s: wanted %s, last answer %r\nlog tail:\n%s" % (path, want, last[0], t.read("bot.log")[-3000:]))
    return json.loads(last[0][1]) if path == "/health" else last[0][1]


def test_health_follows_telegram_and_heartbeat(t):
    d = new_double(t)
    port = free_port()
    p = start_bot(t, d, env=health_env(t, d, port))
    h = wait_status(t, port, 200, 10)
    for k in ("timestamp", "bot_online", "api_responsive", "database_connected", "ai_working",
              "overall_healthy", "errors", "version", "pid", "worker_pid", "uptime_s", "restarts",
              "last_restart_cause", "last_update_at", "queue_depth"):
        t.check(k in h, "/health has %s: %r" % (k, h))
    t.check(h["overall_healthy"] is True and h["errors"] == [], h)
    t.eq(h["worker_pid"], p.pid, "worker_pid")
    t.wait_for(lambda: d.pings(), timeout=10, what="a first heartbeat ping")
    t.check(all(x["path"] == SECRET_PING and x["method"] == "GET" for x in d.pings()), d.pings())

    d.set_outage("502html")
    t_out = time.monotonic()
    h = wait_status(t, port, 503, 45)
    t.check(h["api_responsive"] is False and h["overall_healthy"] is False, h)
    t.check(h["errors"] and "getUpdates" in h["errors"][0], "the error names the failing call: %r" % h)
    # a heartbeat keeps pace with successful polls only: none during the outage
    # (3 s of grace for a long poll that was already on its way); the outage
    # has lasted 2 x poll_timeout + 10 s by now, longer than a check interval
    t_back = time.monotonic()
    d.set_outage(None)
    during = [x for x in d.pings() if t_out + 3 < x["t"] < t_back]
    t.eq(during, [], "pings during the outage")
    t.check(t_back - t_out > 10, "the outage lasted over 10 s (%.1f)" % (t_back - t_out))

    h = wait_status(t, port, 200, 70)
    t.check(h["api_responsive"] is True, h)
    t.wait_for(lambda: [x for x in d.pings() if x["t"] > t_back], timeout=30, what="a heartbeat after recovery")
    log = t.read("bot.log")
    t.check("hb-SECRET-7f3a" not in log and "/ping" not in log, "the heartbeat URL is never logged")
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")


def test_metrics_move_and_routes(t):
    d = new_double(t)
    port = free_port()
    p = start_bot(t, d, env=health_env(t, d, port))
    wait_status(t, port, 200, 10)
    st, text = get(port, "/metrics")
    t.eq(st, 200, "/metrics status")
    before = parse_prom(t, text)
    for name in ("examflow_updates_received_total", "examflow_replies_sent_total", "examflow_telegram_429_total",
                 'examflow_errors_total{kind="telegram"}', 'examflow_errors_total{kind="storage"}',
                 'examflow_errors_total{kind="ai"}', 'examflow_errors_total{kind="heartbeat"}',
                 "examflow_ai_calls_total", "examflow_ai_latency_seconds_sum", "examflow_outbox_depth",
                 "examflow_storage_bytes", "examflow_worker_restarts_total", "examflow_uptime_seconds"):
        t.check(name in before, "metric %s present" % name)
    chat = 1001
    d.push_message(chat, "/start", first_name="Маша")
    wait_texts(t, d, chat, 1)

    def moved():
        s = parse_prom(t, get(port, "/metrics")[1])
        return s if (s["examflow_updates_received_total"] >= before["examflow_updates_received_total"] + 1 and
                     s["examflow_replies_sent_total"] >= before["examflow_replies_sent_total"] + 1) else None
    after = t.wait_for(moved, timeout=10, what="counters after a message")
    t.check(after["examflow_storage_bytes"] > 0, "storage bytes grow after a commit: %r" % after)
    t.check(after['examflow_heartbeat_pings_total{result="ok"}'] >= 1, "heartbeat counted")
    t.eq(get(port, "/nope")[0], 404, "/nope")
    t.eq(get(port, "/health", method="POST")[0], 405, "POST /health")
    st, body = get(port, "/metrics", method="HEAD")
    t.eq((st, body), (200, ""), "HEAD /metrics")
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")


def test_slow_clients_never_stall_the_bot(t):
    d = new_double(t)
    port = free_port()
    p = start_bot(t, d, env=health_env(t, d, port))
    wait_status(t, port, 200, 10)
    slow = []
    for _ in range(12):  # more than the listener's 8 slots
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"GET /hea")
        slow.append(s)
    t_send = time.monotonic()
    d.push_message(2002, "/start")
    wait_texts(t, d, 2002, 1, timeout=5)
    t.check(time.monotonic() - t_send < 3, "a reply while slow clients hold the listener")
    st, body = get(port, "/health")
    t.check(st == 503 and "busy" in body, "a client over the cap is turned away at once: %r" % ((st, body),))
    wait_status(t, port, 200, 10)  # the slow ones are closed at their deadline
    closed = 0
    for s in slow:
        try:
            data = s.recv(4096)
            closed += data == b"" or data.startswith(b"HTTP/1.1 408") or data.startswith(b"HTTP/1.1 503")
        except OSError:
            closed += 1
        s.close()
    t.eq(closed, len(slow), "slow clients closed")
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")


class FakeUptimeRobot:
    """POST /v2/getMonitors, form-encoded, as UptimeRobot's API v2 answers it."""

    def __init__(self):
        self.requests = []
        fake = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n).decode()
                form = urllib.parse.parse_qs(body)
                fake.requests.append({"path": self.path, "form": form,
                                      "ctypes": self.headers.get_all("Content-Type") or []})
                if self.path != "/v2/getMonitors":
                    self.send_response(404)
                    self.end_headers()
                    return
                if form.get("api_key") != [UPTIME_KEY]:
                    out = {"stat": "fail", "error": {"type": "invalid_parameter", "parameter_name": "api_key",
                                                     "passed_value": form.get("api_key", [""])[0]}}
                else:
                    out = {"stat": "ok", "pagination": {"offset": 0, "limit": 50, "total": 3}, "monitors": [
                        {"id": 1, "friendly_name": "ExamFlow heartbeat", "url": "https://hb.example/x", "type": 5,
                         "status": 2},
                        {"id": 2, "friendly_name": "Школа", "type": 1, "status": 9},
                        {"id": 3, "friendly_name": "Old site", "type": 1, "status": 0}]}
                data = json.dumps(out).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.srv.server_address[1]
        threading.Thread(target=self.srv.serve_forever, daemon=True).start()

    def stop(self):
        self.srv.shutdown()
        self.srv.server_close()


def test_uptime_against_fake(t):
    f = FakeUptimeRobot()
    t.on_cleanup(f.stop)
    env = t.env(UPTIMEROBOT_API_KEY=UPTIME_KEY, EXAMFLOW_UPTIMEROBOT_API=f.url)
    r = t.run(["uptime"], env=env)
    t.eq(r.returncode, 0, "exit code: %s" % r.stderr)
    t.check("UptimeRobot: 3 monitors (just fetched)" in r.stdout, r.stdout)
    t.check("  up           ExamFlow heartbeat\n" in r.stdout, r.stdout)
    t.check("  down         Школа\n" in r.stdout, r.stdout)
    t.check("  paused       Old site\n" in r.stdout, r.stdout)
    t.eq(len(f.requests), 1, "requests")
    req = f.requests[0]
    t.eq(req["path"], "/v2/getMonitors", "path")
    t.eq(req["form"].get("api_key"), [UPTIME_KEY], "api_key in the form body")
    t.eq(req["form"].get("format"), ["json"], "format")
    t.eq(req["ctypes"], ["application/x-www-form-urlencoded"], "exactly one Content-Type, the form's")
    # within the minute: from the cache, UptimeRobot is not asked again
    r = t.run(["uptime"], env=env)
    t.eq(r.returncode, 0, "cached exit code")
    t.check("cached" in r.stdout and "ExamFlow heartbeat" in r.stdout, r.stdout)
    t.eq(len(f.requests), 1, "requests after a second call")
    cache = os.path.join(t.tmp, "logs", "uptimerobot_monitors.cache")
    t.check(os.path.exists(cache), "the cache sits next to the health file")
    with open(cache) as fh:
        text = fh.read()
    t.check(UPTIME_KEY not in text and "hb.example" not in text, "no key, no URL in the cache")
    # a refused key: configuration error, and the key is never printed
    env2 = t.env(UPTIMEROBOT_API_KEY="u999-WRONGKEY", EXAMFLOW_UPTIMEROBOT_API=f.url,
                 EXAMFLOW_HEALTH_FILE=os.path.join(t.tmp, "other", "health.json"))
    r = t.run(["uptime"], env=env2)
    t.eq(r.returncode, 3, "exit code for a refused key")
    t.check("api_key" in r.stderr and "WRONGKEY" not in r.stdout + r.stderr, r.stderr)
    # no key at all
    r = t.run(["uptime"], env=t.env(EXAMFLOW_UPTIMEROBOT_API=f.url))
    t.eq(r.returncode, 3, "exit code without a key")
    t.check("uptimerobot_key" in r.stderr, r.stderr)
