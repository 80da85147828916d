"""End-to-end: the real binary against the Telegram Bot API double (tests/tg_double.py).

Covers the Telegram engine (issue 5) and the bot's conversation flows (issue 6):
start-up calls, the golden conversation, exactly-once across kill -9, 409 from a
second copy, 429 storms, blocked users, long replies, malformed updates, 502s,
graceful stop confirming the offset, group chats, admin commands.

not tested: a real Telegram server (no network here); migrate_to_chat_id resend
(covered by the engine code path but the double's migration needs a group flow).
"""
import os
import random
import re
import signal
import time

from tg_double import TelegramDouble

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
ADMIN = 42

def bot_env(t, d, **extra):
    bank = t.bank()  # tests/fixture_bank.txt: subject "t", tasks t-1, t-2 (number 1), t-3 (number 2)
    env = t.env(TELEGRAM_BOT_TOKEN=d.token, EXAMFLOW_TELEGRAM_API=d.url, EXAMFLOW_POLL_TIMEOUT="1",
                EXAMFLOW_TASKS_FILE=bank, EXAMFLOW_TASKS_MODE="replace", ADMIN_TELEGRAM_ID=ADMIN,
                EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot.log"), EXAMFLOW_LOG_LEVEL="debug")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start_bot(t, d, env=None):
    """`examflow run --no-watchdog`, until its first getUpdates reached d (the
    double counts a long poll as it begins; d.calls() lists it once answered)."""
    n0 = d.counter("polls")
    return t.start_run(env or bot_env(t, d), watchdog=False, ready=lambda p: d.counter("polls") > n0,
                       what="the first getUpdates")


def new_double(t, **kw):
    d = TelegramDouble(token=TOKEN, **kw)
    d.start()
    t.on_cleanup(d.stop)
    return d


NOTICE = "⚠️ ExamFlow"  # admin notices about the bot itself start like this


def replies(d, chat):
    """Texts sent to chat, without the admin notices about the bot itself."""
    return [x for x in d.texts(chat) if not x.startswith(NOTICE)]


def notices(d, chat=ADMIN):
    return [x for x in d.texts(chat) if x.startswith(NOTICE)]


def logged_notices(t, log="bot.log"):
    """Admin notices the log says were sent (each is logged before it goes out)."""
    try:
        text = t.read(log)
    except FileNotFoundError:
        return 0
    return len(re.findall(r" (?:admin: notice|watchdog: admin notice): ", text))


def wait_texts(t, d, chat, n, timeout=15):
    ok = d.wait_for(lambda: len(replies(d, chat)) >= n, timeout=timeout)
    if not ok:
        t.fail("chat %s: wanted %d messages, got %d: %r\nlog tail:\n%s" % (
            chat, n, len(replies(d, chat)), replies(d, chat), t.read("bot.log")[-3000:]))
    return replies(d, chat)


def start_students(t, d, chats):
    """/start in every chat, then the first task button: each chat ends with a
    task on screen (the welcome and the task card, two messages)."""
    for c in chats:
        d.push_message(c, "/start")
    for c in chats:
        wait_texts(t, d, c, 1)
        d.push_callback(c, "n:t:0")
    for c in chats:
        wait_texts(t, d, c, 2)


def answer_for(card):
    return "4"


def stop_bot(t, p):
    """SIGTERM; the exit code (fails if the bot is still running 20 s later)."""
    return t.stop_run(p)


def test_startup_calls(t):
    d = new_double(t)
    p = start_bot(t, d)
    t.check(d.wait_for(lambda: d.calls("getUpdates"), 5), "the first getUpdates answered")
    methods = [c["method"] for c in d.calls()]
    first = methods.index("getUpdates")
    for m in ("getMe", "deleteWebhook", "setMyCommands"):
        t.check(m in methods[:first], "%s before getUpdates: %r" % (m, methods[:first + 1]))
    t.eq(d.allowed_updates, ["callback_query", "message", "my_chat_member"], "allowed_updates")
    langs = sorted(k[1] or "" for k in d.commands)
    t.check("en" in langs and "" in langs, "commands set for default and en: %r" % d.commands)
    t.eq(stop_bot(t, p), 0, "exit code after SIGTERM")


def test_bad_token_is_config_error(t):
    d = new_double(t)
    env = bot_env(t, d, TELEGRAM_BOT_TOKEN="999:wrong-token-for-the-double")
    p = t.start_run(env, watchdog=False)
    rc = t.wait_exit(p, 20, "the bot with a rejected token to exit")
    t.eq(rc, 3, "exit code (configuration)")
    t.check("token was rejected" in t.read("bot.log"), "log says the token was rejected")
    t.check(len(d.calls("getMe")) == 1, "getMe tried once, no loop: %d" % len(d.calls("getMe")))


def test_golden_conversation(t):
    """start → subject → task → wrong → solution → next → correct → stats"""
    d = new_double(t)
    p = start_bot(t, d)
    chat = 1001
    d.push_message(chat, "/start", first_name="Маша")
    texts = wait_texts(t, d, chat, 1)
    t.check("Привет, Маша" in texts[0] and "Выберите предмет" in texts[0], texts[0])
    t.check(d.press(chat, "Тест"), "subject button")
    texts = wait_texts(t, d, chat, 2)
    t.check("Выберите номер задания" in texts[1], texts[1])
    t.check(d.press(chat, "Любое"), "any-number button")
    texts = wait_texts(t, d, chat, 3)
    t.check("Сколько будет" in texts[2] and "задание" in texts[2], texts[2])
    d.push_message(chat, "5")
    texts = wait_texts(t, d, chat, 4)
    t.check("Неверно" in texts[3], texts[3])
    t.check(d.press(chat, "Решение"), "solution button")
    texts = wait_texts(t, d, chat, 5)
    t.check("Ответ: 4" in texts[4] and "Решение:" in texts[4], texts[4])
    t.check(d.press(chat, "Дальше"), "next button")
    texts = wait_texts(t, d, chat, 6)
    t.check("Сколько будет" in texts[5], texts[5])
    t.check(texts[5] != texts[2], "never the same task twice in a row")
    d.push_message(chat, " 4 ")
    texts = wait_texts(t, d, chat, 7)
    t.check("Верно! +10" in texts[6], texts[6])
    texts = wait_texts(t, d, chat, 8)
    t.check("Первый верный ответ" in texts[7], "achievement announced: %r" % texts[7])
    d.push_message(chat, "/stats")
    texts = wait_texts(t, d, chat, 9)
    t.check("Очки: 10" in texts[8] and "Решено: 1 из 2" in texts[8], texts[8])
    # every button press was answered (the spinner stops)
    t.check(d.wait_for(lambda: len(d.callback_answers()) >= 4, 5), "answerCallbackQuery for each press")
    t.eq(stop_bot(t, p), 0, "exit code")


def test_english_user(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_message(2002, "/help", language_code="en")
    texts = wait_texts(t, d, 2002, 1)
    t.check("Commands:" in texts[0], texts[0])
    d.push_message(2002, "/lang ru", language_code="en")
    texts = wait_texts(t, d, 2002, 2)
    t.check("Язык: русский" in texts[1], texts[1])


def test_unknown_command_and_text(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_message(3003, "/frobnicate")
    d.push_message(3003, "привет")
    d.push_update({"message": {"message_id": 5, "date": int(time.time()),
                               "chat": {"id": 3003, "type": "private"},
                               "from": {"id": 3003, "is_bot": False, "first_name": "X"},
                               "sticker": {"file_id": "abc"}}})
    texts = wait_texts(t, d, 3003, 3)
    t.check("Не знаю такой команды" in texts[0], texts[0])
    t.check("/task" in texts[1], texts[1])
    t.check("только текст" in texts[2], texts[2])


def test_malformed_update_skipped_offset_advances(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_update({"message": {"text": 5, "chat": "nonsense"}})
    d.push_update({"callback_query": {"id": "x"}})
    d.push_message(4004, "/help")
    wait_texts(t, d, 4004, 1)
    t.check(d.wait_for(lambda: not d.pending_updates, 5), "all updates confirmed: %r" % d.pending_updates)


def test_group_chat_commands_only(t):
    d = new_double(t)
    start_bot(t, d)
    group = -100500
    d.push_message(group, "всем привет", from_id=5005)
    d.push_message(group, "/help@someotherbot", from_id=5005)
    d.push_message(group, "/top", from_id=5005)
    # a second command for us: replies keep the order of the messages, so once
    # its reply is there, a reply to the earlier messages would be there too
    d.push_message(group, "/top@examflow_test_bot", from_id=5005)
    texts = wait_texts(t, d, group, 2)
    t.eq(len(texts), 2, "only the commands for us are answered: %r" % texts)
    t.check("Рейтинг" in texts[0] and "Рейтинг" in texts[1], texts)


def test_admin_commands_refused_for_others(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_message(6006, "/status")
    d.push_message(ADMIN, "/status")
    t.check("только для администратора" in wait_texts(t, d, 6006, 1)[0], "refused for a student")
    t.check("ExamFlow " in wait_texts(t, d, ADMIN, 1)[0], "answered for the admin")


def conflicts(d):
    """getUpdates calls the double ended with 409 (another poller took over)."""
    return [c for c in d.calls("getUpdates") if c["status"] == 409]


def read_log(t, log):
    """A log file's text, "" while it does not exist yet."""
    try:
        return t.read(log)
    except FileNotFoundError:
        return ""


def wait_active(t, log="bot.log"):
    """A copy polls as the active one (past its probation)."""
    t.wait_for(lambda: "polling role: probation → active" in read_log(t, log), 10, what="%s: the active role" % log)


def test_admin_notice_on_start_and_second_copy(t):
    """A second copy with the same token (its own data_dir) goes to standby:
    one notice, the first copy keeps polling and answering, no flapping."""
    d = new_double(t)
    start_bot(t, d)
    t.check(d.wait_for(lambda: any("started" in x for x in notices(d)), 10), "start notice: %r" % notices(d))
    wait_active(t)
    env2 = bot_env(t, d, EXAMFLOW_DATA_DIR=os.path.join(t.tmp, "data2"), EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot2.log"))
    t.start_run(env2, watchdog=False)
    t.check(d.wait_for(lambda: any("another copy" in x for x in notices(d)), 20), "standby notice: %r" % notices(d))
    t.wait_for(lambda: "polling role: probation → standby" in read_log(t, "bot2.log"), 10, what="copy 2 on standby")
    t.check("standby" not in t.read("bot.log"), "the first copy stays active")
    d.push_message(7011, "/help")
    wait_texts(t, d, 7011, 1)
    t.check(d.wait_for(lambda: len(notices(d)) >= logged_notices(t, "bot.log") + logged_notices(t, "bot2.log"), 5),
            "every notice the logs announce reached Telegram")
    n = sum(1 for x in notices(d) if "another copy" in x)
    t.eq(n, 1, "one standby notice")
    t.check("user 7011 used /help" in t.read("bot.log") and "7011" not in t.read("bot2.log"),
            "the update went to the active copy only")


def test_long_broadcast_split_into_valid_pieces(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_message(7007, "/start")
    wait_texts(t, d, 7007, 1)
    para = ("Очень длинный абзац текста для проверки разбиения сообщения. " * 20).strip()
    text = "\n\n".join([para] * 9)
    t.check(len(text) > 10000, "text is long: %d" % len(text))
    d.push_message(ADMIN, "/broadcast " + text)
    t.check(d.wait_for(lambda: len(d.texts(7007)) >= 4, 15), "pieces arrived: %d" % len(d.texts(7007)))
    pieces = d.texts(7007)[1:]
    joined = "".join(pieces).replace("\n", "")
    t.check(joined == text.replace("\n", ""), "pieces add up to the text")
    t.check(all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in pieces), "each piece within 4096 UTF-16 units")


def test_blocked_user_never_messaged_again(t):
    d = new_double(t)
    start_bot(t, d)
    for chat in (8001, 8002):
        d.push_message(chat, "/start")
        wait_texts(t, d, chat, 1)
    d.block(8001)
    d.push_message(ADMIN, "/broadcast первое")
    t.check(d.wait_for(lambda: len(d.texts(8002)) >= 2, 10), "second user got the broadcast")
    t.check(d.wait_for(lambda: any(c["status"] == 403 for c in d.calls("sendMessage")), 5), "403 seen")
    n403 = sum(1 for c in d.calls("sendMessage") if c["params"].get("chat_id") == 8001)
    t.check(d.wait_for(lambda: any("доставлено 2 из 3" in x for x in replies(d, ADMIN)), 10),
            "final broadcast count to the admin: %r" % replies(d, ADMIN))
    d.push_message(ADMIN, "/broadcast второе")
    t.check(d.wait_for(lambda: len(d.texts(8002)) >= 3, 10), "second broadcast arrived")
    # the broadcast is over once the admin has its final count
    t.check(d.wait_for(lambda: len(broadcasts_done(d)) >= 2, 10), "second final count: %r" % replies(d, ADMIN))
    n403b = sum(1 for c in d.calls("sendMessage") if c["params"].get("chat_id") == 8001)
    t.eq(n403b, n403, "no further attempts to the blocked chat")
    # my_chat_member kicked → blocked as well, "member" → back
    kicked = d.push_my_chat_member(8002, "kicked")
    t.check(d.wait_for(lambda: d.confirmed_offset > kicked["update_id"], 10), "my_chat_member consumed")
    d.push_message(ADMIN, "/broadcast третье")
    wait_texts(t, d, ADMIN, 7)
    t.check(d.wait_for(lambda: len(broadcasts_done(d)) >= 3, 10), "third final count: %r" % replies(d, ADMIN))
    t.eq(len(d.texts(8002)), 3, "kicked user not messaged")


def broadcasts_done(d):
    """The admin's "broadcast finished" reports."""
    return [x for x in replies(d, ADMIN) if "Рассылка завершена" in x]


def test_429_storm_loses_nothing(t):
    d = new_double(t, chat_rate=0.5, chat_burst=1)
    start_bot(t, d)
    chat = 9009
    for i in range(8):
        d.push_message(chat, "/help")
    t.check(d.wait_for(lambda: len(d.texts(chat)) >= 8, 40), "all 8 replies: %d" % len(d.texts(chat)))
    t.check(d.count_429 > 0, "the double did send 429s")
    log = t.read("bot.log")
    t.check("429" in log, "429 logged")


def test_fair_between_chats(t):
    """One chat with many queued replies does not starve another."""
    d = new_double(t)
    start_bot(t, d)
    for i in range(12):
        d.push_message(10001, "/help")
    # the busy chat's twelve are in the bot before the other chat writes
    t.check(d.wait_for(lambda: d.texts(10001), 10), "the busy chat's first reply")
    d.push_message(10002, "/help")
    t.check(d.wait_for(lambda: len(d.texts(10002)) >= 1, 10), "second chat answered")
    first_other = [s["t"] for s in d.sent(10002)][0]
    busy_done = [s["t"] for s in d.sent(10001)]
    t.check(len([x for x in busy_done if x < first_other]) < 12, "the other chat did not wait for the busy one")
    t.check(d.wait_for(lambda: len(d.texts(10001)) >= 12, 30), "busy chat complete")
    t.eq(d.count_429, 0, "no 429 with Telegram's own limits")


def test_502_html_and_resets_recovered(t):
    d = new_double(t)
    start_bot(t, d)
    d.fail_next("getUpdates", 2, "502html")
    d.fail_next("sendMessage", 1, "reset")
    d.push_message(11011, "/help")
    texts = wait_texts(t, d, 11011, 1, timeout=30)
    t.check("/task" in texts[0], texts[0])
    t.check("non-JSON" in t.read("bot.log") or "502" in t.read("bot.log"), "502 logged")


def test_second_copy_does_not_spin(t):
    d = new_double(t)
    start_bot(t, d)
    wait_active(t)
    env2 = bot_env(t, d, EXAMFLOW_DATA_DIR=os.path.join(t.tmp, "data2"),
                   EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot2.log"))
    p2 = t.start_run(env2, watchdog=False)
    t.wait_for(lambda: "probation → standby" in read_log(t, "bot2.log"), 10, what="copy 2 on standby")
    n0, c0 = len(d.calls("getUpdates")), len(conflicts(d))
    t.never(lambda: len(conflicts(d)) > c0, 3, what="more 409s while one copy waits")
    n = len(d.calls("getUpdates")) - n0
    t.check(n < 10, "getUpdates calls in 3 s with one poller and one on standby: %d (spinning)" % n)
    logs = t.read("bot.log") + t.read("bot2.log")
    t.check("another copy of the bot is polling" in logs, "409 logged loudly")
    t.check(p2.poll() is None, "second copy still alive, on standby")


def test_rolling_deploy_hands_over(t):
    """The new copy starts while the old one runs (own data_dir each: every
    update in exactly one of them), the old one gets SIGTERM, the new one
    takes over (SIGHUP makes a standby look at once): nothing is answered
    twice and nothing is lost."""
    d = new_double(t)
    p1 = start_bot(t, d)
    for i in range(5):
        d.push_message(7100 + i, "/help")
    for i in range(5):
        wait_texts(t, d, 7100 + i, 1)
    wait_active(t)
    env2 = bot_env(t, d, EXAMFLOW_DATA_DIR=os.path.join(t.tmp, "data2"),
                   EXAMFLOW_LOG_FILE=os.path.join(t.tmp, "bot2.log"))
    p2 = t.start_run(env2, watchdog=False)
    t.wait_for(lambda: "probation → standby" in read_log(t, "bot2.log"), 10, what="the new copy on standby")
    for i in range(5, 10):
        d.push_message(7100 + i, "/help")
    t.eq(stop_bot(t, p1), 0, "the old copy stops")
    for i in range(10, 15):
        d.push_message(7100 + i, "/help")
    p2.send_signal(signal.SIGHUP)
    t.wait_for(lambda: "standby → probation" in read_log(t, "bot2.log"), 10,
               what="the standby looking at once after SIGHUP:\n" + read_log(t, "bot2.log")[-1500:])
    for i in range(15):
        wait_texts(t, d, 7100 + i, 1, timeout=20)
    t.check(d.wait_for(lambda: not d.pending_updates, 10), "every update confirmed")
    for i in range(15):
        t.eq(len(replies(d, 7100 + i)), 1, "chat %d answered exactly once" % (7100 + i))
    t.check("took over" in t.read("bot2.log") or "standby → probation" in t.read("bot2.log"), t.read("bot2.log")[-2000:])
    t.eq(stop_bot(t, p2), 0, "the new copy stops")


def test_sigterm_confirms_offset(t):
    d = new_double(t)
    p = start_bot(t, d)
    d.push_message(12012, "/help")
    wait_texts(t, d, 12012, 1)
    t.eq(stop_bot(t, p), 0, "exit code")
    last = max(c["params"].get("offset", 0) or 0 for c in d.calls("getUpdates"))
    t.check(d.confirmed_offset >= 1 and not d.pending_updates, "offset confirmed on shutdown: %r" % d.pending_updates)


def test_second_instance_on_same_data_dir_refused(t):
    d = new_double(t)
    start_bot(t, d)
    p = t.run(["run", "--no-watchdog"], env=bot_env(t, d, EXAMFLOW_LOG_FILE="-"), timeout=20)  # must exit at once
    t.check(p.returncode != 0, "second copy on the same data_dir must not run")
    t.check("in use by pid" in p.stderr, p.stderr[-500:])


def export_users(t, env):
    p = t.run(["export", "users"], env=env)
    t.eq(p.returncode, 0, "export exit code: " + p.stderr)
    rows = [l.split(",") for l in p.stdout.strip().splitlines()]
    head = rows[0]
    return {int(r[0]): dict(zip(head, r)) for r in rows[1:]}


def test_kill9_exactly_once(t):
    """kill -9 during a burst of answers: after restarts, every answer is counted
    exactly once (checked through `examflow export` and the bot's /stats)."""
    d = new_double(t)
    env = bot_env(t, d)
    chats = [13001, 13002, 13003]
    rounds = 10
    p = start_bot(t, d, env)
    start_students(t, d, chats)
    rng = random.Random(7)
    for r in range(rounds):
        for c in chats:
            d.push_message(c, "4")
            d.push_callback(c, "next")
        time.sleep(rng.uniform(0.0, 0.15))  # a random moment of the burst to kill at, not a wait
        if r % 3 == 1:
            os.kill(p.pid, signal.SIGKILL)
            p.wait()
            p = start_bot(t, d, env)
    t.check(d.wait_for(lambda: not d.pending_updates and d.confirmed_offset > 0, 30), "all updates consumed")
    # every reply goes out in the end (1 message/s per chat): greeting, first
    # card, then per round a verdict and a card, plus 3 achievements
    want = 2 + 2 * rounds + 3
    t.check(d.wait_for(lambda: all(len(d.texts(c)) >= want for c in chats), 90),
            "all replies delivered: %r" % [len(d.texts(c)) for c in chats])
    stop_bot(t, p)
    users = export_users(t, env)
    for c in chats:
        t.eq(int(users[c]["attempts"]), rounds, "attempts of %d" % c)
        t.eq(int(users[c]["solved"]), rounds, "solved of %d" % c)
        t.eq(int(users[c]["points"]), rounds * 10, "points of %d" % c)
    # the bot agrees: /stats after a fresh start
    p = start_bot(t, d, env)
    d.push_message(chats[0], "/stats")
    t.check(d.wait_for(lambda: any("Решено: %d из %d" % (rounds, rounds) in x for x in d.texts(chats[0])), 10),
            "stats say %d of %d" % (rounds, rounds))
    # achievements are awarded exactly once across kill -9 and replay: first
    # correct answer, 10 solved, level 2 (120 points); the announcement went out
    for c in chats:
        t.eq(int(users[c]["achievements"]), 3, "achievements of %d" % c)
        t.check(any("Первый верный ответ" in x for x in d.texts(c)), "announced to %d" % c)


def test_backlog_at_pace_split_answers_kill9(t):
    """A backlog going out at Telegram's pace with a 50 ms round trip, every
    answer in two writes (headers, then body): answers are read late, a burst
    at a time.  Every chat gets its reply; a kill -9 in the middle resends only
    what was on the wire or not yet marked (a burst or two, never the lot)."""
    d = new_double(t)
    d.split_writes = True
    d.set_latency(50)
    env = bot_env(t, d)
    p = start_bot(t, d, env)
    chats = list(range(16001, 16061))
    for c in chats:
        d.push_message(c, "/help")
    t.check(d.wait_for(lambda: sum(len(d.sent(c)) for c in chats) >= 25, 20), "a third of the replies went out")
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    p = start_bot(t, d, env)
    t.check(d.wait_for(lambda: all(d.sent(c) for c in chats), 30),
            "every chat got its reply: %d of %d" % (sum(1 for c in chats if d.sent(c)), len(chats)))
    time.sleep(0.5)
    again = sum(len(d.sent(c)) for c in chats) - len(chats)
    t.check(0 <= again <= 8, "replies sent twice after the kill -9: %d (at most ~2 bursts)" % again)
    t.eq(d.count_429, 0, "no 429 with Telegram's own limits")
    stop_bot(t, p)


def test_export_csv_and_backup(t):
    d = new_double(t)
    env = bot_env(t, d)
    p = start_bot(t, d, env)
    d.push_message(14014, "/start", first_name='Имя, с "кавычками"')
    wait_texts(t, d, 14014, 1)
    b = t.run(["backup", os.path.join(t.tmp, "bk")], env=env)
    t.eq(b.returncode, 0, "backup while running: " + b.stderr + b.stdout)
    stop_bot(t, p)
    users = export_users(t, env)
    t.check(14014 in users, "user exported")
    raw = t.run(["export", "users"], env=env).stdout
    t.check('"Имя, с ""кавычками"""' in raw, "CSV quoting: " + raw)
    for what in ("attempts", "progress"):
        q = t.run(["export", what], env=env)
        t.eq(q.returncode, 0, "export " + what)
        t.check(q.stdout.count("\n") >= 1, "header row")


def test_sighup_reloads_bank_keeps_progress(t):
    d = new_double(t)
    env = bot_env(t, d)
    p = start_bot(t, d, env)
    chat = 15015
    d.push_message(chat, "/start")
    wait_texts(t, d, chat, 1)
    d.push_callback(chat, "n:t:0")
    card = wait_texts(t, d, chat, 2)[1]
    t.check("Сколько будет" in card, card)
    # the new bank drops every old task (the pending one vanishes) and adds one
    bank = t.read("bank.txt")
    t.write("bank.txt", bank.split("id: t-1")[0] + "id: t-9\nnumber: 3\ntext: Сколько будет 5+5?\nanswer: 10\n")
    p.send_signal(signal.SIGHUP)
    t.wait_for(lambda: "task bank reloaded" in t.read("bot.log"), 10, what="reload logged")
    d.push_message(chat, "4")  # the answer to a task that no longer exists
    texts = wait_texts(t, d, chat, 3)
    t.check("5+5" in texts[2], "a vanished task is skipped gracefully: %r" % texts[2])
    d.push_message(chat, "10")
    texts = wait_texts(t, d, chat, 4)
    t.check("Верно" in texts[3], texts[3])
    # a broken bank file keeps the running bank
    t.write("bank.txt", "subject: t\nnonsense line\n")
    p.send_signal(signal.SIGHUP)
    t.wait_for(lambda: "keeping the old bank" in t.read("bot.log"), 10, what="bad bank refused")
    d.push_callback(chat, "next")
    texts = wait_texts(t, d, chat, 6)  # 5: the achievement for the first right answer
    t.check("5+5" in texts[5], "the old bank still serves: %r" % texts[5])
    t.eq(stop_bot(t, p), 0, "exit code")


def test_hostile_updates_do_not_stop_the_bot(t):
    """Regressions from review: chat id 0 (the rate limiter's empty-slot
    marker) and a message with a huge text; the bot keeps answering and does
    not spin."""
    d = new_double(t)
    p = start_bot(t, d)
    d.push_update({"message": {"message_id": 1, "date": 1, "text": "/help",
                               "chat": {"id": 0, "type": "private"}, "from": {"id": 0, "first_name": "x"}}})
    d.push_message(16015, "/start " + "я" * 100000)
    d.push_message(16016, "/help")
    wait_texts(t, d, 16016, 1)
    # with nothing left to fetch, each getUpdates is a 1 s long poll: three more
    # calls take two of them at least; a loop re-fetching an update would not wait
    n0 = len(d.calls("getUpdates"))
    t.check(d.wait_for(lambda: len(d.calls("getUpdates")) >= n0 + 3, 10), "polling goes on")
    calls = d.calls("getUpdates")[n0:n0 + 3]
    t.check(calls[2]["t"] - calls[0]["t"] >= 1.5, "no tight getUpdates loop: 3 calls in %.2f s"
            % (calls[2]["t"] - calls[0]["t"]))
    t.check(not d.pending_updates, "the hostile updates were confirmed: %r" % d.pending_updates)
    t.check(p.poll() is None, "still running")


def test_group_membership_does_not_block_the_student(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_message(17017, "/start")
    wait_texts(t, d, 17017, 1)
    # the student removes the bot from some group: not a block of their private chat
    d.push_update({"my_chat_member": {"chat": {"id": -100777, "type": "group", "title": "g"},
                                      "from": {"id": 17017, "is_bot": False, "first_name": "S"}, "date": 1,
                                      "old_chat_member": {"status": "member", "user": {"id": 1, "is_bot": True, "first_name": "b"}},
                                      "new_chat_member": {"status": "left", "user": {"id": 1, "is_bot": True, "first_name": "b"}}}})
    d.push_message(ADMIN, "/broadcast новость")
    t.check(d.wait_for(lambda: any("новость" in x for x in replies(d, 17017)), 10), "the student still gets broadcasts")
