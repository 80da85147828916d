"""End-to-end: the AI tutor (issue 7), the real binary against BOTH doubles:
tests/tg_double.py for Telegram and tests/gemini_double.py for Gemini.

Covers /ask with a Markdown answer, the conversation memory and /reset, the
Explain button, "typing…", a 5-second answer while ten other students get
their tasks undelayed, 429 with retryDelay, Gemini's per-day quota, the
students' daily quota across a restart and a new day, 500 then success, a
blocked prompt, a garbage body, the cache across a restart, the queue
overflow, `examflow check`, and the key never in a log, a URL or a file.

not tested: a real Gemini endpoint over TLS (no network here; the TLS path
is the same HTTP client the Telegram tests exercise); the health file's
ai_working (the watchdog writes it; here the bot runs --no-watchdog, and the
log line it is built from is checked instead).
"""
import os
import time

from e2e_telegram import bot_env, new_double, start_bot, stop_bot, wait_texts
from gemini_double import GeminiDouble

GKEY = "AIzaTestKeyForTheGeminiDouble-0123456789"


def new_gemini(t, **kw):
    g = GeminiDouble(key=GKEY, **kw)
    g.start()
    t.on_cleanup(g.stop)
    return g


def ai_env(t, d, g, **extra):
    kw = dict(GEMINI_API_KEY=GKEY, EXAMFLOW_GEMINI_API=g.url, EXAMFLOW_GEMINI_MODEL="gemini-2.5-flash")
    kw.update(extra)
    return bot_env(t, d, **kw)


def start(t, d, g, **extra):
    return start_bot(t, d, env=ai_env(t, d, g, **extra))


def log(t):
    return t.read("bot.log")


def answered(g):
    return [r for r in g.requests() if r["t_answer"] is not None]


def test_ask_answer_memory_reset_typing(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    chat = 7001
    # a model that takes a moment, as real ones do: "typing…" must show meanwhile
    from gemini_double import default_answer
    g.reply_text(default_answer("Как найти дискриминант?"), delay=0.5)
    d.push_message(chat, "/ask Как найти дискриминант?")
    texts = wait_texts(t, d, chat, 1)
    sent = d.sent(chat)[0]
    # Markdown became Telegram HTML: bold, italic, code, bullets, escaping
    t.check("Разбор вопроса" in texts[0] and "**" not in texts[0] and "`" not in texts[0], texts[0])
    t.check("• шаг 1" in texts[0] and "2 < 3 & 5 > 4" in texts[0], texts[0])
    t.check("<b>Разбор вопроса</b>" in sent["text"] and "<code>формулу</code>" in sent["text"], sent["text"])
    types = {e["type"] for e in sent["entities"]}
    t.check({"bold", "italic", "code"} <= types, types)
    reqs = g.requests()
    t.eq(len(reqs), 1, "requests to Gemini")
    r = reqs[0]
    t.check(r["key_ok"] and r["headers"].get("x-goog-api-key") == "***", "key in x-goog-api-key: %r" % r["headers"])
    t.eq(r["model"], "gemini-2.5-flash", "model")
    t.check("key=" not in r["query"] and not g.key_in_url, "key not in the URL")
    si = r["body"]["systemInstruction"]["parts"][0]["text"]
    t.check("ЕГЭ" in si and "не называй готовый ответ" in si, si)
    t.eq(r["question"], "Как найти дискриминант?", "question")
    gc = r["body"]["generationConfig"]
    t.check(gc["maxOutputTokens"] > 0 and 0 <= gc["temperature"] <= 1, gc)
    # "typing…" went out while Gemini was asked, before the answer
    acts = d.chat_actions(chat)
    t.check(acts and acts[0]["action"] == "typing" and acts[0]["t"] <= sent["t"], "typing before the answer: %r" % acts)
    # a follow-up carries the conversation
    d.push_message(chat, "/ask А если он отрицательный?")
    wait_texts(t, d, chat, 2)
    body = g.requests()[1]["body"]
    t.eq([c["role"] for c in body["contents"]], ["user", "model", "user"], "roles")
    t.check("Разбор вопроса" in body["contents"][1]["parts"][0]["text"], "the previous answer is context")
    # /reset forgets it
    d.push_message(chat, "/reset")
    texts = wait_texts(t, d, chat, 3)
    t.check("заново" in texts[2], texts[2])
    d.push_message(chat, "/ask Что такое корень?")
    wait_texts(t, d, chat, 4)
    t.eq(len(g.requests()[2]["body"]["contents"]), 1, "contents after /reset")
    # one info line per request: user, latency, tokens; never the question
    lines = [l for l in log(t).splitlines() if " ai: user %d: answer" % chat in l]
    t.eq(len(lines), 3, "log lines: %r" % lines)
    t.check(" ms, " in lines[0] and " tokens, 1 attempt" in lines[0], lines[0])
    t.check("дискриминант" not in log(t), "the question text is not logged")
    # free text with no task pending goes to the tutor too
    d.push_message(chat, "расскажи про синус")
    wait_texts(t, d, chat, 5)
    t.eq(g.requests()[-1]["question"], "расскажи про синус", "free text question")


def test_slow_answer_does_not_delay_tasks(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    asker = 7100
    g.reply_text("Медленный **ответ**", delay=5)
    d.push_message(asker, "/ask долгий вопрос")
    t.check(g.wait_for(lambda: len(g.requests()) >= 1, 5), "the question reached Gemini")
    t_asked = g.requests()[0]["t"]
    students = list(range(7101, 7111))
    for s in students:
        d.push_message(s, "/start")
    # each student picks the subject and gets a task while the model thinks
    for s in students:
        wait_texts(t, d, s, 1)
        d.press(s, "Тест")
    for s in students:
        wait_texts(t, d, s, 2)
        d.press(s, "Любое")
    for s in students:
        texts = wait_texts(t, d, s, 3)
        t.check("Сколько будет" in texts[2], texts[2])
    texts = wait_texts(t, d, asker, 1, timeout=15)
    t.check("Медленный" in texts[0], texts[0])
    t_answer = g.requests()[0]["t_answer"]
    task_times = [d.sent(s)[2]["t"] for s in students]
    t.check(max(task_times) < t_answer, "every task reply went out before the slow answer: %.2f vs %.2f"
            % (max(task_times) - t_asked, t_answer - t_asked))
    t.check(max(task_times) - t_asked < 4.0, "tasks were not held up: last after %.2f s" % (max(task_times) - t_asked))
    t.check(d.sent(asker)[0]["t"] >= t_answer, "the answer came after Gemini answered")


def test_429_retry_delay_is_honoured(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    g.reply_429(retry_delay="3s")
    d.push_message(7201, "/ask вопрос раз")
    texts = wait_texts(t, d, 7201, 1)
    t.check("перегружен" in texts[0] and "через 3 с" in texts[0], texts[0])
    d.push_message(7202, "/ask вопрос два")
    texts = wait_texts(t, d, 7202, 1)
    t.check("перегружен" in texts[0], texts[0])
    t.eq(len(g.requests()), 1, "no call during the pause")
    # ask again (each time from a new student) until Gemini is called again:
    # every question inside the pause is refused without a call, the first one
    # after it is answered
    paused_at = g.requests()[0]["t_answer"]
    chats = iter(range(7210, 7400))

    def answered():
        chat = next(chats)
        d.push_message(chat, "/ask вопрос три")
        text = wait_texts(t, d, chat, 1)[0]
        if "перегружен" in text:
            t.eq(len(g.requests()), 1, "no call during the pause")
            return None
        return text
    text = t.wait_for(answered, timeout=10, interval=0.2, what="an answer after the pause")
    t.check("Разбор вопроса" in text, text)
    t.eq(len(g.requests()), 2, "calls resume after retryDelay")
    resumed = g.requests()[1]["t"] - paused_at
    t.check(2.9 <= resumed < 5, "the pause lasted the retryDelay of 3 s: %.2f s" % resumed)
    t.check("429 rate limited" in log(t), "the 429 is logged")
    # the failed question was not counted against the student
    d.push_message(7201, "/ask вопрос раз")
    texts = wait_texts(t, d, 7201, 2)
    t.check("Разбор" in texts[1], texts[1])


def test_gemini_daily_quota_stops_calls(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    g.reply_429(retry_delay="2s", per_day=True)
    d.push_message(7301, "/ask вопрос")
    texts = wait_texts(t, d, 7301, 1)
    t.check("лимит на сегодня" in texts[0], texts[0])
    for i, s in enumerate((7302, 7303)):
        d.push_message(s, "/ask ещё вопрос %d" % i)
        texts = wait_texts(t, d, s, 1)
        t.check("лимит на сегодня" in texts[0], texts[0])
    # past retryDelay: still no calls, the quota is per day (asked again and
    # again, by new students, until a reply came 1 s after the retryDelay ended)
    paused_at = g.requests()[0]["t_answer"]
    chats = iter(range(7304, 7500))

    def refused_past_the_delay():
        chat = next(chats)
        d.push_message(chat, "/ask вопрос")
        texts = wait_texts(t, d, chat, 1)
        t.check("лимит на сегодня" in texts[0], texts[0])
        t.eq(len(g.requests()), 1, "no calls after a per-day 429")
        return time.monotonic() > paused_at + 3
    t.wait_for(refused_past_the_delay, timeout=15, interval=0.2, what="a refusal 1 s past the retryDelay")
    t.check("daily quota exhausted" in log(t), "logged")


def test_student_quota_across_restart_and_day(t):
    d, g = new_double(t), new_gemini(t)
    p = start(t, d, g, EXAMFLOW_AI_DAILY_LIMIT=2)
    chat = 7401
    d.push_message(chat, "/ask первый")
    texts = wait_texts(t, d, chat, 1)
    t.check("осталось: 1" in texts[0], "few left: the reply says so: %r" % texts[0])
    d.push_message(chat, "/ask второй")
    texts = wait_texts(t, d, chat, 2)
    t.check("осталось: 0" in texts[1], texts[1])
    d.push_message(chat, "/ask третий")
    texts = wait_texts(t, d, chat, 3)
    t.check("закончились (2 в день)" in texts[2], texts[2])
    t.eq(len(g.requests()), 2, "no call beyond the quota")
    t.eq(stop_bot(t, p), 0, "exit code")
    p = start(t, d, g, EXAMFLOW_AI_DAILY_LIMIT=2)
    d.push_message(chat, "/ask четвёртый")
    texts = wait_texts(t, d, chat, 4)
    t.check("закончились" in texts[3], "still used up after a restart: %r" % texts[3])
    # the admin is exempt
    d.push_message(42, "/ask вопрос админа")
    texts = wait_texts(t, d, 42, 1)
    t.check("Разбор" in texts[0], texts[0])
    t.eq(stop_bot(t, p), 0, "exit code")
    # tomorrow (in cfg.timezone) the student may ask again
    start(t, d, g, EXAMFLOW_AI_DAILY_LIMIT=2, EXAMFLOW_TEST_CLOCK_OFFSET=86400)
    d.push_message(chat, "/ask пятый")
    texts = wait_texts(t, d, chat, 5)
    t.check("Разбор" in texts[4], texts[4])


def test_500_then_success(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    g.reply_error(500)
    g.reply_error(503)
    d.push_message(7501, "/ask вопрос")
    texts = wait_texts(t, d, 7501, 1, timeout=20)
    t.check("Разбор вопроса" in texts[0], texts[0])
    t.eq([r["status"] for r in g.requests()], [500, 503, 200], "statuses")
    t.check("retrying" in log(t) and "3 attempts" in log(t), "retries logged")


def test_500_until_the_deadline(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g, EXAMFLOW_AI_TIMEOUT=5)
    for _ in range(10):
        g.reply_error(504)
    d.push_message(7502, "/ask вопрос")
    texts = wait_texts(t, d, 7502, 1, timeout=15)
    t.check("Не получилось" in texts[0], texts[0])
    n = len(g.requests())
    t.check(2 <= n <= 4, "a few retries inside 5 s, then a fallback: %d" % n)


def test_blocked_prompt(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    g.reply_blocked()
    d.push_message(7601, "/ask что-то недопустимое")
    texts = wait_texts(t, d, 7601, 1)
    t.check("не могу" in texts[0], texts[0])
    t.check("refused" in log(t) and "SAFETY" in log(t), "logged with the reason")


def test_max_tokens_and_garbage(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    g.reply_max_tokens("Ответ **оборвался** на полусло")
    d.push_message(7701, "/ask длинный вопрос")
    texts = wait_texts(t, d, 7701, 1)
    t.check("оборвался на полусло" in texts[0] and "ответ оборвался" in texts[0], texts[0])
    g.reply_garbage()
    d.push_message(7702, "/ask вопрос")
    texts = wait_texts(t, d, 7702, 1)
    t.check("Не получилось" in texts[0], texts[0])
    t.check("no JSON object" in log(t), "garbage logged")
    # the bot carries on
    d.push_message(7702, "/ask ещё")
    texts = wait_texts(t, d, 7702, 2)
    t.check("Разбор" in texts[1], texts[1])
    t.check("Gemini answers again" in log(t), "recovery logged")


def test_cache_across_restart(t):
    d, g = new_double(t), new_gemini(t)
    p = start(t, d, g)
    d.push_message(7801, "/ask Что такое логарифм?")
    first = wait_texts(t, d, 7801, 1)[0]
    t.eq(len(g.requests()), 1, "one request")
    t.eq(stop_bot(t, p), 0, "exit code")
    start(t, d, g)
    d.push_message(7802, "/ask  что такое ЛОГАРИФМ ")
    texts = wait_texts(t, d, 7802, 1)
    t.eq(texts[0], first, "the cached answer")
    d.push_message(7801, "/ask что такое логарифм")
    texts = wait_texts(t, d, 7801, 2)
    t.eq(texts[1], first, "the cached answer, same student after a restart")
    t.eq(len(g.requests()), 1, "no second request to Gemini")
    t.check("answer from the cache" in log(t), "cache hit logged")


def test_explain_button(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g)
    chat = 7901
    d.push_message(chat, "/start")
    wait_texts(t, d, chat, 1)
    d.press(chat, "Тест")
    wait_texts(t, d, chat, 2)
    d.press(chat, "Любое")
    texts = wait_texts(t, d, chat, 3)
    t.check("Сколько будет" in texts[2], texts[2])
    d.push_message(chat, "5")
    texts = wait_texts(t, d, chat, 4)
    t.check("Неверно" in texts[3], texts[3])
    t.check(d.press(chat, "Объяснить"), "an Explain button under the checked task")
    texts = wait_texts(t, d, chat, 5)
    t.check("Разбор" in texts[4], texts[4])
    q = g.requests()[0]["question"]
    t.check("Сколько будет" in q and "Правильный ответ: 4" in q and "Я ответил: 5" in q, q)
    # the explanation ended the attempt: the next message is not an answer
    d.push_message(chat, "4")
    wait_texts(t, d, chat, 6)
    t.check("Верно" not in d.texts(chat)[5], d.texts(chat)[5])
    # the same explanation again comes from the cache
    d.press(chat, "Объяснить", message_id=d.sent(chat)[3]["message_id"])
    texts = wait_texts(t, d, chat, 7)
    t.eq(texts[6], texts[4], "cached explanation")
    t.eq(len(g.requests()), 2, "requests: the explanation once, the free text once")


def test_queue_overflow_is_busy(t):
    d, g = new_double(t), new_gemini(t)
    start(t, d, g, EXAMFLOW_AI_MAX_INFLIGHT=1)
    g.reply_text("первый", delay=3)
    chats = list(range(8001, 8041))
    d.push_message(chats[0], "/ask медленный")
    t.check(g.wait_for(lambda: len(g.requests()) >= 1, 5), "first request")
    for c in chats[1:]:
        d.push_message(c, "/ask вопрос %d" % c)
    for c in chats:
        wait_texts(t, d, c, 1, timeout=30)
    busy = [c for c in chats if "через минуту" in d.texts(c)[0]]
    t.check(len(busy) == 39 - 32, "overflow beyond 32 queued is busy at once: %d" % len(busy))
    t.eq(len(g.requests()), 1 + 32, "requests")


def test_tutor_off_without_key(t):
    d = new_double(t)
    start_bot(t, d)
    d.push_message(8101, "/ask вопрос")
    texts = wait_texts(t, d, 8101, 1)
    t.check("выключен" in texts[0], texts[0])
    d.push_message(8101, "привет")
    texts = wait_texts(t, d, 8101, 2)
    t.check("/task" in texts[1], "the usual hint: %r" % texts[1])


def test_check_command(t):
    d, g = new_double(t), new_gemini(t)
    p = t.run(["check"], env=ai_env(t, d, g))
    t.eq(p.returncode, 0, "check ok: " + p.stdout + p.stderr)
    t.check("gemini: ok" in p.stdout, p.stdout)
    p = t.run(["check"], env=ai_env(t, d, g, EXAMFLOW_GEMINI_MODEL="gemini-0.1-retired"))
    t.eq(p.returncode, 3, "wrong model is a configuration error: " + p.stdout)
    t.check("404" in p.stdout and "gemini-0.1-retired" in p.stdout and "not found" in p.stdout, p.stdout)
    p = t.run(["check"], env=ai_env(t, d, g, GEMINI_API_KEY="AIzaWrongKeyWrongKeyWrongKey"))
    t.eq(p.returncode, 3, "wrong key is a configuration error: " + p.stdout)
    t.check("API key was rejected" in p.stdout, p.stdout)
    t.check("AIzaWrongKey" not in p.stdout + p.stderr and GKEY not in p.stdout + p.stderr, "no key printed")


def test_key_never_in_logs_urls_or_files(t):
    d, g = new_double(t), new_gemini(t)
    p = start(t, d, g)
    d.push_message(8201, "/ask вопрос")
    wait_texts(t, d, 8201, 1)
    g.reply_error(403)
    d.push_message(8202, "/ask вопрос два")
    wait_texts(t, d, 8202, 1)
    t.eq(stop_bot(t, p), 0, "exit code")
    # a wrong model: the admin-facing error names the model, never the key
    p = start(t, d, g, EXAMFLOW_GEMINI_MODEL="gemini-0.1-retired")
    d.push_message(8203, "/ask вопрос три")
    texts = wait_texts(t, d, 8203, 1)
    t.check("Не получилось" in texts[0], texts[0])
    t.check("gemini-0.1-retired" in log(t) and "not found" in log(t), "404 explained in the log")
    t.eq(stop_bot(t, p), 0, "exit code")
    t.check(not g.key_in_url, "key never in a URL")
    t.check(all("key" not in r["query"] for r in g.requests()), "no key query parameter")
    for root, _, files in os.walk(t.tmp):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                data = fh.read()
            t.check(GKEY.encode() not in data, "the key is in %s" % os.path.join(root, f))
    t.check(GKEY not in str(d.calls()), "never sent to Telegram")
