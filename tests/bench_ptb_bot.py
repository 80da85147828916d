#!/usr/bin/python3
"""The comparison bot of `make bench` (tests/bench_all.py): a small ExamFlow-like
bot on python-telegram-bot 13 (Debian's python3-python-telegram-bot, 13.15).

    /usr/bin/python3 tests/bench_ptb_bot.py --token T --api http://127.0.0.1:PORT \
        --state FILE --bank FILE [--admin ID]

Not a test and not part of the product: it exists so that the bench can run the
same load against ExamFlow and against the usual way of writing such a bot.

What it does, per update, on PTB 13's standard pieces (Updater long polling,
Dispatcher, CommandHandler / MessageHandler / CallbackQueryHandler, the
MessageQueue that PTB 13 documents for Telegram's limits):
  * /start    registers the student (in memory) and answers with the subject menu
              (an inline keyboard, like ExamFlow's greeting);
  * /help     a fixed text;  /stats  points, answers, right answers;
  * /task     the next task of the student's subject: the first task of the bank
              the student has not seen (a set lookup per task, a scan of the
              bank), with a «Решение» button;
  * a button  "n:SUBJECT:NUMBER" chooses the subject and deals a task (and
              answers the callback query); other buttons are answered only;
  * text      graded against the pending task: right/wrong plus the solution,
              points;
  * /broadcast TEXT (admin only) queues TEXT for every student;
  * state: every change is one JSON line appended to --state and flushed (one
    write(2) per change) - no fsync, no snapshot/compaction, no checksums; the
    file is replayed at start-up.
What it does not do (ExamFlow does): fsync, per-chat rate limiting (only
MessageQueue's 29 messages per 1017 ms overall), retrying a reply after 429 or a
network error (PTB 13 raises; the reply is lost), keeping queued replies across
a restart, HTML escaping of names, review scheduling, streaks, achievements.
Replies go through MessageQueue (pacing in its one thread) and are sent on the
Dispatcher's worker threads (run_async), so several sends are in flight at once.
"""
import argparse
import json
import logging
import os
import signal
import sys
import time

import telegram
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.ext import (CallbackQueryHandler, CommandHandler, Filters, MessageHandler, Updater)
from telegram.ext import messagequeue as mq
from telegram.utils.request import Request


def load_bank(path):
    """The ExamFlow bank text format (blocks of "key: value"; "subject:" starts a subject)."""
    subjects, tasks = {}, []
    cur_subject, block = None, {}

    def flush():
        nonlocal block
        if "subject" in block:
            subjects[block["subject"]] = block.get("title", block["subject"])
        elif "id" in block and cur_subject:
            block["subj"] = cur_subject
            tasks.append(block)
        block = {}

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("#"):
                continue
            if not line.strip():
                flush()
                continue
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k == "subject":
                flush()
                cur_subject = v
            block[k] = v
    flush()
    return subjects, tasks


class State:
    """Students in a dict; every change appended to a JSON-lines file."""

    def __init__(self, path):
        self.path = path
        self.students = {}
        self.bcast_total = 0
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    try:
                        self.apply(json.loads(line))
                    except ValueError:
                        break       # a torn last line
        self.f = open(path, "a", encoding="utf-8")

    def apply(self, r):
        s = self.students.setdefault(r["id"], {"name": "", "subject": "", "pending": "", "points": 0,
                                              "answered": 0, "right": 0, "seen": set()})
        for k in ("name", "subject", "pending", "points", "answered", "right"):
            if k in r:
                s[k] = r[k]
        if "seen" in r:
            s["seen"].update(r["seen"])
        return s

    def change(self, sid, **kw):
        r = dict(kw, id=sid)
        s = self.apply(r)
        self.f.write(json.dumps(r, ensure_ascii=False) + "\n")
        self.f.flush()                 # one write(2); no fsync
        return s


class MQBot(telegram.Bot):
    """PTB 13's documented recipe for Telegram's limits: send_message through a MessageQueue."""

    def __init__(self, *a, mqueue=None, dispatcher_ref=None, **kw):
        super().__init__(*a, **kw)
        self._is_messages_queued_default = True
        self._msg_queue = mqueue
        self._disp = dispatcher_ref

    @mq.queuedmessage
    def _queued_send(self, *a, **kw):
        # paced by the queue's thread; the HTTP call itself on a worker thread
        d = self._disp[0]
        return d.run_async(telegram.Bot.send_message, self, *a, **kw)

    def send_message(self, *a, **kw):
        return self._queued_send(*a, **kw)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--token", required=True)
    ap.add_argument("--api", required=True, help="http://HOST:PORT of the Bot API")
    ap.add_argument("--state", required=True)
    ap.add_argument("--bank", required=True)
    ap.add_argument("--admin", type=int, default=0)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--poll-timeout", type=int, default=50)
    a = ap.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    subjects, tasks = load_bank(a.bank)
    by_subject = {}
    for t in tasks:
        by_subject.setdefault(t["subj"], []).append(t)
    task_by_id = {t["id"]: t for t in tasks}
    st = State(a.state)

    q = mq.MessageQueue(all_burst_limit=29, all_time_limit_ms=1017)
    disp_ref = [None]
    request = Request(con_pool_size=a.workers + 4)
    bot = MQBot(a.token, base_url=a.api.rstrip("/") + "/bot", request=request, mqueue=q,
                dispatcher_ref=disp_ref)
    up = Updater(bot=bot, use_context=True, workers=a.workers)
    disp_ref[0] = up.dispatcher

    def student(u):
        sid = u.effective_user.id
        s = st.students.get(sid)
        if s is None:
            s = st.change(sid, name=u.effective_user.first_name or "")
        return sid, s

    def subject_menu():
        return InlineKeyboardMarkup([[InlineKeyboardButton(title, callback_data="n:%s:0" % sid)]
                                     for sid, title in subjects.items()])

    def deal(chat, sid, s):
        bank = by_subject.get(s["subject"]) or []
        seen = s["seen"]
        pick = None
        for t in bank:                     # the first unseen task of the subject
            if t["id"] not in seen and t["id"] != s["pending"]:
                pick = t
                break
        if pick is None and bank:
            pick = bank[0]
        if pick is None:
            bot.send_message(chat, "Выберите предмет.", reply_markup=subject_menu())
            return
        st.change(sid, pending=pick["id"])
        bot.send_message(chat, "Задача %s (№%s)\n\n%s" % (pick["id"], pick.get("number", "?"), pick["text"]),
                         reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Решение",
                                                                                  callback_data="s:" + pick["id"])]]))

    def on_start(u, c):
        sid, s = student(u)
        bot.send_message(u.effective_chat.id, "Привет, %s! Выберите предмет:" % (s["name"] or "друг"),
                         reply_markup=subject_menu())

    def on_help(u, c):
        student(u)
        bot.send_message(u.effective_chat.id, "Команды: /task — задача, /stats — статистика, "
                                               "/help — эта справка. Ответ пишите сообщением.")

    def on_stats(u, c):
        sid, s = student(u)
        bot.send_message(u.effective_chat.id, "Очки: %d\nОтветов: %d, верных: %d"
                         % (s["points"], s["answered"], s["right"]))

    def on_task(u, c):
        sid, s = student(u)
        if not s["subject"]:
            bot.send_message(u.effective_chat.id, "Выберите предмет:", reply_markup=subject_menu())
            return
        deal(u.effective_chat.id, sid, s)

    def on_press(u, c):
        sid, s = student(u)
        data = u.callback_query.data or ""
        u.callback_query.answer()
        if data.startswith("n:"):
            subj = data.split(":")[1]
            if subj in subjects:
                s = st.change(sid, subject=subj)
                deal(u.effective_chat.id, sid, s)

    def on_text(u, c):
        if u.effective_chat.type != "private":
            return                         # group chatter: read and ignored
        sid, s = student(u)
        t = task_by_id.get(s["pending"])
        if not t:
            bot.send_message(u.effective_chat.id, "Нажмите /task, чтобы получить задачу.")
            return
        right = u.message.text.strip().lower() == t["answer"].strip().lower()
        s = st.change(sid, pending="", answered=s["answered"] + 1, right=s["right"] + right,
                      points=s["points"] + (10 if right else 0), seen=[t["id"]])
        bot.send_message(u.effective_chat.id, ("Верно! +10 очков." if right else
                                               "Неверно. Правильный ответ: %s" % t["answer"])
                         + "\n\n" + t.get("solution", ""))

    def on_broadcast(u, c):
        if u.effective_user.id != a.admin:
            bot.send_message(u.effective_chat.id, "Только для администратора.")
            return
        text = u.message.text.partition(" ")[2].strip()
        if not text:
            bot.send_message(u.effective_chat.id, "Использование: /broadcast ТЕКСТ")
            return
        n = 0
        for sid in list(st.students):
            bot.send_message(sid, text)
            n += 1
        bot.send_message(u.effective_chat.id, "Рассылка поставлена в очередь: %d получателей." % n)

    d = up.dispatcher
    d.add_handler(CommandHandler("start", on_start))
    d.add_handler(CommandHandler("help", on_help))
    d.add_handler(CommandHandler("stats", on_stats))
    d.add_handler(CommandHandler("task", on_task))
    d.add_handler(CommandHandler("broadcast", on_broadcast))
    d.add_handler(CallbackQueryHandler(on_press))
    d.add_handler(MessageHandler(Filters.text & ~Filters.command, on_text))

    def stop(signum, frame):
        os._exit(0)                        # the bench only needs a quick exit

    signal.signal(signal.SIGTERM, stop)
    up.start_polling(poll_interval=0.0, timeout=a.poll_timeout,
                     allowed_updates=["message", "callback_query"])
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
