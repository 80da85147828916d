"""End-to-end: the review's availability, configuration, secret and fairness
findings, each reproduced through the real binary against the doubles.

- too many JSON tokens in a getUpdates answer never stop other students'
  replies (the limit drops, an update too big alone is skipped);
- a resolver that never answers does not freeze the loop (DNS on a thread):
  run in a private mount namespace whose /etc/resolv.conf points at a UDP
  socket that swallows queries;
- the watchdog reloads the configuration on SIGHUP, and a worker it starts
  after a crash runs with the new one (not the start-up one); a broken
  config on SIGHUP keeps the running one;
- SIGUSR2 (re-exec) keeps the crash streak, so a crash loop still gives up;
- an upstream that quotes the API key back never puts it into the health
  file;
- forged buttons: Explain for another task and task buttons in a group.

not tested here: the AI questions in flight across a restart (e2e_ai.py),
storage's torn tails on a full disk (unit_store.c: RLIMIT_FSIZE).
"""
import fcntl
import json
import os
import random
import re
import signal
import socket
import subprocess

from e2e_telegram import ADMIN, bot_env, new_double, replies, start_bot, stop_bot, wait_texts
from e2e_watchdog import health, log, start_wd, wd_env
from gemini_double import GeminiDouble

GKEY = "AIzaReviewKeyThatMustNeverLeak-0123456789"


def entity_message(d, chat, n, from_id=None):
    """A group message with n formatting entities (7 JSON tokens each)."""
    text = "ab" * n
    ents = [{"type": "bold", "offset": 2 * i, "length": 1} for i in range(n)]
    return d.push_message(chat, text, from_id=from_id, extra={"entities": ents})


def test_too_many_tokens_never_block_the_queue(t):
    d = new_double(t)
    p = start_bot(t, d)
    # 100 group messages of 300 entities: ~210,000 tokens in one answer of 100
    for _ in range(100):
        entity_message(d, -500, 300, from_id=9001)
    # and one message that alone is over the limit (30,000 entities)
    huge = entity_message(d, -500, 30000, from_id=9001)
    d.push_message(7101, "/help")
    texts = wait_texts(t, d, 7101, 1, timeout=30)
    t.check("/task" in texts[0], texts)
    t.wait_for(lambda: d.confirmed_offset > huge["update_id"], 30, what="every update confirmed")
    lg = t.read("bot.log")
    t.check("more than 200000 JSON tokens; asking for 10 updates" in lg, lg[-3000:])
    t.check("update %d skipped: it alone holds more than 200000 JSON tokens" % huge["update_id"] in lg, lg[-3000:])
    t.check("non-JSON" not in lg, "the true reason is logged")
    t.eq(stop_bot(t, p), 0, "exit code")


def test_slow_dns_does_not_freeze_the_loop(t):
    try:
        probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, timeout=10)
    except (FileNotFoundError, subprocess.TimeoutExpired):
        probe = None
    if probe is None or probe.returncode != 0:
        print("SKIP test_slow_dns_does_not_freeze_the_loop: no mount namespaces here (unshare -m)")
        return
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # swallows every query
    for _ in range(50):  # a loopback address of our own: other test runs may be doing the same
        addr = "127.%d.%d.%d" % (random.randint(1, 254), random.randint(1, 254), random.randint(2, 254))
        try:
            sink.bind((addr, 53))
            break
        except OSError:
            continue
    t.on_cleanup(sink.close)
    rc = t.write("resolv.conf", "nameserver %s\noptions timeout:30 attempts:1\n" % addr)
    d = new_double(t)
    env = bot_env(t, d, GEMINI_API_KEY=GKEY, EXAMFLOW_GEMINI_API="http://gemini.slow-dns.test:9",
                  EXAMFLOW_AI_TIMEOUT=30)
    n0 = d.counter("polls")
    p = subprocess.Popen(["unshare", "-m", "sh", "-c", 'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"',
                          "sh", rc, t.bin, "run", "--no-watchdog"], env=env, cwd=t.tmp, start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    t.on_cleanup(lambda: p.poll() is None and p.kill())
    t.wait_for(lambda: d.counter("polls") > n0, 20, what="the first getUpdates")
    d.push_message(7201, "/ask сколько будет 2+2?")       # its lookup hangs on the resolver
    t.wait_for(lambda: "asks (" in t.read("bot.log"), 10, what="the question submitted")
    d.push_message(7202, "/help")                          # must not wait for that lookup
    texts = wait_texts(t, d, 7202, 1, timeout=5)
    t.check("/task" in texts[0], texts)
    t.eq(replies(d, 7201), [], "the question still waits for its resolver")
    t.eq(stop_bot(t, p), 0, "exit code (the lookup thread does not hold up the stop)")


def test_watchdog_reloads_config_for_the_next_worker(t):
    d = new_double(t)
    conf = t.write("examflow.conf", "lang = ru\n")
    env = wd_env(t, d, EXAMFLOW_CONFIG=conf)
    p, h = start_wd(t, d, env)
    t.write("examflow.conf", "lang = en\n")
    p.send_signal(signal.SIGHUP)
    t.wait_for(lambda: "watchdog: SIGHUP: configuration reloaded" in log(t), 10, what="the watchdog's reload")
    os.kill(h["worker_pid"], signal.SIGKILL)
    t.wait_for(lambda: (health(t) or {}).get("worker_pid") not in (None, h["worker_pid"]) and
               (health(t) or {}).get("overall_healthy"), 20, what="a new healthy worker")
    d.push_message(7301, "/help", language_code=None)      # no language of its own: the default
    t.check("Commands:" in wait_texts(t, d, 7301, 1)[0], "the new worker runs with lang = en")
    # a broken configuration on SIGHUP keeps the running one, and says so
    t.write("examflow.conf", "lang = fr\n")
    p.send_signal(signal.SIGHUP)
    t.wait_for(lambda: "keeping the running one" in log(t), 10, what="the refusal")
    d.push_message(7302, "/help", language_code=None)
    t.check("Commands:" in wait_texts(t, d, 7302, 1)[0], "still English")
    t.eq(t.stop_run(p), 0, "exit code")


def test_sigusr2_keeps_the_crash_streak(t):
    d = new_double(t)
    env = wd_env(t, d, EXAMFLOW_MAX_RESTARTS=2)
    data = os.path.join(t.tmp, "data")
    os.makedirs(data, exist_ok=True)
    holder = open(os.path.join(data, "lock"), "a+")  # every worker exits 1: a crash loop
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    t.on_cleanup(holder.close)
    p = t.spawn(["run"], env=env)
    t.wait_for(lambda: "(crash 1 in a row)" in log(t), 10, what="the first crash")
    p.send_signal(signal.SIGUSR2)
    rc = t.wait_exit(p, 30)
    t.eq(rc, 1, "the crash loop still gives up after the re-exec")
    lg = log(t)
    t.check("re-executed: 1 restart so far, 1 crash in a row" in lg, lg[-3000:])
    t.check("crash loop: given up after 2 restarts" in lg, lg[-3000:])
    t.eq(len(re.findall(r"watchdog: worker \d+ started", lg)), 3, "workers started (1 + max_restarts 2)")


def test_upstream_echo_never_reaches_the_health_file(t):
    d = new_double(t)
    g = GeminiDouble(key=GKEY)
    g.start()
    t.on_cleanup(g.stop)
    g.push("error", code=400, message="API key not valid: %s (token %s)" % (GKEY, d.token))
    env = wd_env(t, d, GEMINI_API_KEY=GKEY, EXAMFLOW_GEMINI_API=g.url)
    p, h = start_wd(t, d, env)
    d.push_message(7401, "/ask что такое производная?")
    wait_texts(t, d, 7401, 1)
    t.wait_for(lambda: not (health(t) or {}).get("ai_working", True), 15, what="ai_working false in the health file")
    text = open(os.path.join(t.tmp, "logs", "health.json")).read()
    t.check(GKEY not in text and d.token not in text and "AIzaReview" not in text, text)
    t.check("gemini" in json.loads(text)["errors"][-1], text)
    t.eq(t.stop_run(p), 0, "exit code")


def test_forged_buttons(t):
    d = new_double(t)
    p = start_bot(t, d)
    chat = 7501
    d.push_message(chat, "/start")
    wait_texts(t, d, chat, 1)
    d.push_callback(chat, "n:t:1")  # a task of number 1: t-1 or t-2
    card = wait_texts(t, d, chat, 2)[-1]
    other = "t-3"
    d.push_callback(chat, "x:" + other)
    refused = wait_texts(t, d, chat, 3)[-1]
    t.check("больше недоступна" in refused, refused)
    t.check("Сколько" not in refused and "Ответ" not in refused, "no task text or answer: " + refused)
    d.push_callback(-600, "next", from_id=chat)
    t.wait_for(lambda: replies(d, -600), 10, what="an answer in the group")
    t.check("в личных сообщениях" in replies(d, -600)[0], replies(d, -600))
    t.check(card, card)
    t.eq(stop_bot(t, p), 0, "exit code")


def test_question_in_flight_survives_a_restart(t):
    """A kill -9 while the tutor thinks: after the restart the student is told
    to ask again, and the question did not use up the daily limit."""
    d = new_double(t)
    g = GeminiDouble(key=GKEY)
    g.start()
    t.on_cleanup(g.stop)
    g.push("stall")
    env = bot_env(t, d, GEMINI_API_KEY=GKEY, EXAMFLOW_GEMINI_API=g.url, EXAMFLOW_AI_DAILY_LIMIT=1)
    p = start_bot(t, d, env)
    d.push_message(7601, "/ask что такое логарифм?")
    t.wait_for(lambda: g.requests(), 10, what="the question at Gemini")
    p.kill()
    p.wait()
    g.reply_text("Логарифм — это показатель степени.")
    p = start_bot(t, d, env)
    texts = wait_texts(t, d, 7601, 1)
    t.check("ещё раз" in texts[0], texts)
    d.push_message(7601, "/ask что такое логарифм?")
    texts = wait_texts(t, d, 7601, 2)
    t.check("показатель степени" in texts[1], "answered, not refused by the daily limit: %r" % texts)
    t.eq(stop_bot(t, p), 0, "exit code")
    # and nothing is told twice after a further restart
    p = start_bot(t, d, env)
    d.push_message(7601, "/help")
    texts = wait_texts(t, d, 7601, 3)
    t.eq(len([x for x in texts if "ещё раз" in x]), 1, "one ask-again: %r" % texts)
    t.eq(stop_bot(t, p), 0, "exit code")


def test_torn_tail_on_a_full_disk_does_not_stop_startup(t):
    """The torn tail cannot be saved aside (RLIMIT_FSIZE stands in for a full
    disk): it is cut in place, the bot starts, the admin is told."""
    import resource
    d = new_double(t)
    env = bot_env(t, d)
    data = os.path.join(t.tmp, "data")
    p = t.run(["demo", "--data", data], env=env, input="/start\n/quit\n")
    t.eq(p.returncode, 0, p.stderr)
    log_path = os.path.join(data, "events.log")
    good = os.path.getsize(log_path)
    with open(log_path, "ab") as f:
        f.write(b"x" * 8192)  # no newline: an interrupted write

    def small_files():
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))

    n0 = d.counter("polls")
    q = subprocess.Popen([t.bin, "run", "--no-watchdog"], env=dict(env, EXAMFLOW_DATA_DIR=data), cwd=t.tmp,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         preexec_fn=small_files, start_new_session=True)
    t.on_cleanup(lambda: q.poll() is None and q.kill())
    t.wait_for(lambda: d.counter("polls") > n0 or q.poll() is not None, 20, what="the first getUpdates")
    t.check(q.poll() is None, "the bot started: " + t.read("bot.log")[-2000:])
    t.eq(os.path.getsize(log_path), good, "the tail was cut in place")
    t.check(not [f for f in os.listdir(data) if f.startswith("events.log.torn-")], os.listdir(data))
    t.check("cutting 8192 bytes in place" in t.read("bot.log"), t.read("bot.log")[-2000:])
    t.wait_for(lambda: any("could not be saved aside" in x for x in d.texts(ADMIN)), 10, what="the admin's notice")
    q.terminate()
    q.wait()
