"""End-to-end: a /broadcast far larger than one batch, across kill -9, and a
batch that can never be stored (issue 16).

A broadcast is one record and a cursor over the roster: at most
BOT_BCAST_WINDOW (32) of its messages are queued at a time.  Here 600
students (made with my_chat_member "member" updates, which get no reply, so
the test spends its time on the broadcast) get one broadcast; the bot is
killed with -9 when about a third went out, started again, and must finish
it: every student gets the text, a copy twice only for the few messages
that were on the wire at the kill (at most the 4 send connections) or
delivered in the 100 ms their marks wait to be written together, and the
admin gets one final count with every student delivered.

not tested: a broadcast across a power loss (the cursor's batch is written
without fdatasync, like the delivery marks it moves with).
"""
import os
import signal

from e2e_telegram import ADMIN, bot_env, new_double, replies, start_bot, stop_bot, wait_texts

STUDENTS = 600
SEND_CONNS = 4  # TG_SEND_CONNS: messages that can be on the wire at a kill
# ... plus those delivered while their marks waited to be written together
# (WORKER_MARKS_EVERY_MS, 100 ms: at most 4 at Telegram's 30 a second)
RESENT_MAX = SEND_CONNS + 4


def test_broadcast_to_many_across_kill9(t):
    d = new_double(t, global_rate=1000.0)  # the bot keeps Telegram's 30/s itself
    env = bot_env(t, d)
    p = start_bot(t, d, env)
    chats = [20000 + i for i in range(STUDENTS)]
    for c in chats:
        d.push_my_chat_member(c, "member")
    t.check(d.wait_for(lambda: not d.pending_updates and d.confirmed_offset > 0, 30), "students known")
    d.push_message(ADMIN, "/broadcast Пробный экзамен в субботу")
    text = "Пробный экзамен в субботу"
    got = lambda: sum(1 for c in chats if text in "".join(d.texts(c)))
    t.check(d.wait_for(lambda: got() >= STUDENTS // 3, 60), "a third delivered before the kill: %d" % got())
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    before = got()
    t.check(before < STUDENTS, "the kill came before the end: %d of %d" % (before, STUDENTS))
    p = start_bot(t, d, env)
    t.check(d.wait_for(lambda: got() == STUDENTS, 90), "every student got it: %d of %d" % (got(), STUDENTS))
    done = lambda: [x for x in replies(d, ADMIN) if "Рассылка завершена" in x]
    t.check(d.wait_for(lambda: done(), 20), "the admin's final count: %r" % replies(d, ADMIN)[-3:])
    t.eq(done(), ["Рассылка завершена: доставлено %d из %d." % (STUDENTS + 1, STUDENTS + 1)], "one final count")
    copies = [sum(x.count(text) for x in d.texts(c)) for c in chats]
    twice = sum(1 for n in copies if n > 1)
    t.check(max(copies) <= 2 and twice <= RESENT_MAX,
            "a second copy only for what was on the wire or not yet marked at the kill: %d students twice" % twice)
    # one record and a cursor, not a message per student: no batch in the log
    # queued more of the broadcast's messages than the window
    t.check(d.wait_for(lambda: not d.pending_updates, 10), "all updates consumed")
    stop_bot(t, p)
    t.eq(max_broadcast_outs_per_batch(os.path.join(t.tmp, "data")) <= WINDOW, True,
         "broadcast messages queued in one batch <= %d" % WINDOW)


WINDOW = 32  # BOT_BCAST_WINDOW


def max_broadcast_outs_per_batch(data_dir):
    """The most broadcast "out" records (4th field "b") any one batch of
    events.log and the snapshot holds."""
    most = 0
    for name in ("snapshot", "events.log"):
        try:
            lines = open(os.path.join(data_dir, name), encoding="utf-8").read().splitlines()
        except FileNotFoundError:
            continue
        n = 0
        for line in lines:
            f = line.split("\t")
            if f[0] in ("begin", "examflow-snapshot"):
                n = 0
            elif f[0] == "out" and len(f) == 8 and f[6] == "b":  # out SEQ TS ID CHAT BODY b CRC
                n += 1
                most = max(most, n)
    return most


def test_unstorable_batch_does_not_stop_others(t):
    """A /broadcast whose text is larger than a record may be (64 KiB) makes a
    batch that can never be stored: it is skipped, the admin is told once,
    and the next student's /start is answered."""
    d = new_double(t)
    env = bot_env(t, d)
    p = start_bot(t, d, env)
    d.push_message(30001, "/start")
    wait_texts(t, d, 30001, 1)
    huge = d.push_message(ADMIN, "/broadcast " + "длинный текст " * 6000)
    t.check(d.wait_for(lambda: d.confirmed_offset > huge["update_id"], 20), "the unstorable update is skipped")
    d.push_message(30002, "/start")
    wait_texts(t, d, 30002, 1)
    t.check(d.wait_for(lambda: any("could not be stored" in x for x in d.texts(ADMIN)), 20),
            "the admin is told: %r" % d.texts(ADMIN)[-2:])
    t.check("skipped" in t.read("bot.log"), "the log names the skipped updates")
    t.eq(len([x for x in d.texts(30001) if "длинный текст" in x]), 0, "nobody got the unstored broadcast")
    stop_bot(t, p)


def test_start_storm_past_the_memory_window(t):
    """600 students send /start at once: 600 replies queue behind Telegram's
    30 messages a second, more than the 256 bodies kept in memory, so the
    rest wait in data_dir/outbox.spill.  A kill -9 halfway: after the
    restart every student has a greeting (twice only for what was on the
    wire), and once the backlog is gone the spill file is empty."""
    d = new_double(t, global_rate=1000.0)
    env = bot_env(t, d)
    p = start_bot(t, d, env)
    chats = [40000 + i for i in range(STUDENTS)]
    for c in chats:
        d.push_message(c, "/start")
    greeted = lambda: sum(1 for c in chats if replies(d, c))
    spill = os.path.join(t.tmp, "data", "outbox.spill")
    t.check(d.wait_for(lambda: os.path.exists(spill) and os.path.getsize(spill) > 0, 30),
            "the backlog past the window went to the spill file")
    t.check(d.wait_for(lambda: greeted() >= STUDENTS // 3, 60), "a third greeted before the kill: %d" % greeted())
    os.kill(p.pid, signal.SIGKILL)
    p.wait()
    t.check(greeted() < STUDENTS, "the kill came before the end")
    p = start_bot(t, d, env)
    t.check(d.wait_for(lambda: greeted() == STUDENTS, 90), "every student greeted: %d of %d" % (greeted(), STUDENTS))
    twice = sum(1 for c in chats if len(replies(d, c)) > 1)
    t.check(twice <= RESENT_MAX, "a second greeting only for what was on the wire or not yet marked: %d" % twice)
    t.check(d.wait_for(lambda: os.path.getsize(spill) == 0, 10), "the spill file is emptied when the backlog is gone")
    t.eq(oct(os.stat(spill).st_mode & 0o777), oct(0o600), "outbox.spill mode")
    stop_bot(t, p)
