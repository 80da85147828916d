/* Unit tests: the bot's rules without any transport — streaks across
 * midnight in the configured time zone, review scheduling, task choice,
 * achievements, reminders, leaderboard order, reply splitting, button data
 * limits, record round trip through replay and compaction.
 * not tested: handlers' exact wording (the e2e transcripts cover it). */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

/* The fixture bank the Python tests use too (tests run from the repository's
 * top directory): subject t; t-1, t-2 numbered 1, t-3 numbered 2; answers 4. */
#define FIXTURE_BANK "tests/fixture_bank.txt"
static char test_bank[4096];

static struct bank bk;
static struct bot_opts bopts; /* from the default configuration, set in main() */

/* "Delivered": through the outbox API, recorded like the transports do. */
static void deliver_all(struct bot *b)
{
	for (struct bot_msg *m; (m = bot_out_first(b)) != NULL;)
		bot_out_done(b, m, 1);
	bot_record_marks(b);
}

/* Feed one text message from user 1 and return the staged replies joined. */
static void say(struct bot *b, const char *text, struct buf *out)
{
	struct bot_in in = {IN_TEXT, 1, 1, 1, "Аня", "ru", text, NULL};
	bot_handle(b, &in);
	buf_reset(out);
	for (struct bot_msg *m = b->staged; m; m = m->next) {
		buf_puts(out, m->body);
		buf_puts(out, "\n");
	}
	bot_release_staged(b);
	deliver_all(b);
}

static void press(struct bot *b, const char *data, struct buf *out)
{
	struct bot_in in = {IN_CALLBACK, 1, 1, 1, "Аня", "ru", data, NULL};
	bot_handle(b, &in);
	buf_reset(out);
	for (struct bot_msg *m = b->staged; m; m = m->next)
		buf_puts(out, m->body);
	bot_release_staged(b);
	deliver_all(b);
}

static void test_days(void)
{
	/* 2026-11-24 20:59:59 UTC is 23:59:59 in Moscow (+3); one second later is the next day there */
	int64_t t0 = (int64_t)1795553999 * 1000;
	check_eq_int(local_day(t0, 180) + 1, local_day(t0 + 1000, 180));
	check_eq_int(local_day(t0, 0), local_day(t0 + 1000, 0)); /* still the same day in UTC */
	check(local_day(-1000, 0) == -1);                       /* before the epoch rounds down */
	/* weeks start on Monday: 2026-11-23 is a Monday */
	int mon = local_day((int64_t)1795392000 * 1000, 0);
	check_eq_int(bot_week(mon), bot_week(mon + 6));
	check(bot_week(mon) != bot_week(mon - 1));
}

static void test_streaks(void)
{
	struct bot_user u;
	memset(&u, 0, sizeof u);
	u.st = &bot_study_none;
	bot_touch_streak(&u, 100);
	check_eq_int(u.st->streak, 1);
	bot_touch_streak(&u, 100);
	check_eq_int(u.st->streak, 1); /* the same day counts once */
	bot_touch_streak(&u, 101);
	bot_touch_streak(&u, 102);
	check_eq_int(u.st->streak, 3);
	check_eq_int(u.st->best_streak, 3);
	bot_touch_streak(&u, 104); /* a day missed */
	check_eq_int(u.st->streak, 1);
	check_eq_int(u.st->best_streak, 3);
	check(bot_study_none.streak == 0); /* the shared "no practice" was never written */
	bot_free_user(&u);
}

static void test_review(void)
{
	struct bot_taskstate t;
	memset(&t, 0, sizeof t);
	bot_review_update(&t, 0, 10);
	check_eq_int(t.due_day, 11); /* 1 day */
	bot_review_update(&t, 1, 11);
	check_eq_int(t.due_day, 14); /* then 3 days */
	bot_review_update(&t, 0, 14);
	check_eq_int(t.due_day, 15); /* a mistake starts over */
	bot_review_update(&t, 1, 15);
	check_eq_int(t.due_day, 18);
	bot_review_update(&t, 1, 18);
	check_eq_int(t.due_day, 0); /* right twice in a row: out of review */
	check(t.solved);
	struct bot_taskstate u;
	memset(&u, 0, sizeof u);
	bot_review_update(&u, 1, 5);
	check_eq_int(u.due_day, 0); /* right the first time: never in review */
	/* the 1-3-7-21 ladder when the student keeps alternating */
	memset(&u, 0, sizeof u);
	bot_review_update(&u, 0, 0);
	int want[] = {3, 7, 21, 21};
	for (int i = 0; i < 4; i++) {
		int day = u.due_day;
		bot_review_update(&u, 1, day);
		check_eq_int(u.due_day - day, want[i]);
		u.right_in_row = 0; /* as if a wrong answer had intervened without resetting the box */
	}
}

static void test_flow_and_choice(void)
{
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &bk, NULL, &bopts);
	say(&b, "/start", &out);
	check(strstr(out.p, "Привет, Аня") != NULL);
	check(strstr(out.p, "\"callback_data\":\"s:t\"") != NULL);
	press(&b, "n:t:0", &out);
	struct bot_user *u = bot_find_user(&b, 1);
	check(u && u->st->pending[0]);
	char first[BOT_ID_MAX];
	snprintf(first, sizeof first, "%s", u->st->pending);
	say(&b, "5", &out);
	check(strstr(out.p, "Неверно") != NULL);
	check_eq_int(u->st->pending_wrong, 1);
	say(&b, "4", &out);
	check(strstr(out.p, "+5 очков") != NULL); /* a later try earns less */
	check_eq_int(u->st->points, 5);
	/* never the same task twice in a row, over many picks */
	int same = 0;
	for (int i = 0; i < 200; i++) {
		char last[BOT_ID_MAX];
		snprintf(last, sizeof last, "%s", u->st->last_task);
		press(&b, "next", &out);
		same += strcmp(last, u->st->pending) == 0;
	}
	check_eq_int(same, 0);
	/* a due review comes first */
	struct bot_taskstate *st = bot_taskstate(u, "t-3", 1);
	st->due_day = bot_today(&b) - 1;
	snprintf(bot_st(u)->last_task, sizeof u->st->last_task, "t-1");
	press(&b, "next", &out);
	check_eq_str(u->st->pending, "t-3");
	check(strstr(out.p, "повторение") != NULL);
	/* the number filter */
	press(&b, "n:t:2", &out);
	check_eq_str(u->st->pending, "t-3"); /* the only task numbered 2, even right after itself */
	/* hostile callback data is ignored, not a crash */
	press(&b, "n:", &out);
	press(&b, "n:zzz:1", &out);
	press(&b, "s:nonexistent", &out);
	press(&b, "", &out);
	say(&b, "/remind 25", &out);
	check(strstr(out.p, "Использование") != NULL);
	say(&b, "/remind 7", &out);
	check_eq_int(u->st->remind_hour, 7);
	say(&b, "/cancel", &out);
	check(!u->st->pending[0]);
	bot_free_state(&b);
	buf_free(&out);
}

static void test_achievements_once(void)
{
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &bk, NULL, &bopts);
	say(&b, "/start", &out);
	press(&b, "n:t:0", &out);
	say(&b, "/cancel", &out);
	int announced = 0;
	for (int i = 0; i < 12; i++) {
		press(&b, "next", &out);
		say(&b, "4", &out);
		announced += strstr(out.p, "Первый верный ответ") != NULL;
	}
	check_eq_int(announced, 1);
	struct bot_user *u = bot_find_user(&b, 1);
	check_eq_int(u->st->solved, 12);
	check(u->st->achievements & 1u);
	check(u->st->achievements & 2u); /* 10 solved */
	bot_free_state(&b);
	buf_free(&out);
}

static void test_reminders(void)
{
	struct bot b;
	bot_init(&b, &bk, NULL, &bopts);
	b.o.tz_offset_min = 180;
	int64_t now = (int64_t)1795500000 * 1000; /* some moment; compute its local hour */
	int hour = (int)(((now / 1000 + 180 * 60) % 86400) / 3600);
	int today = local_day(now, 180);
	struct bot_user *a = bot_get_user(&b, 10), *c = bot_get_user(&b, 11), *d = bot_get_user(&b, 12),
	                *e = bot_get_user(&b, 13);
	bot_st(a)->remind_hour = hour;              /* due */
	bot_st(c)->remind_hour = hour;
	bot_st(c)->last_day = today;                /* practised today: no reminder */
	bot_st(d)->remind_hour = hour;
	d->blocked = 1;                     /* blocked: never */
	bot_st(e)->remind_hour = (hour + 1) % 24;   /* another hour */
	check_eq_int(bot_send_reminders(&b, now), 1);
	check_eq_int(bot_send_reminders(&b, now + 60000), 0); /* once a day */
	check(b.staged && b.staged->chat_id == 10);
	check(bot_is_admin(&b, 0) == 0);
	b.o.admin_ids[0] = 123;
	b.o.nadmins = 1;
	check(bot_is_admin(&b, 123) && !bot_is_admin(&b, 124));
	bot_free_state(&b);
}

static void test_top_order(void)
{
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &bk, NULL, &bopts);
	int today = bot_today(&b);
	for (int i = 0; i < 15; i++) {
		struct bot_user *u = bot_get_user(&b, 987650 + i);
		char nm[16];
		snprintf(nm, sizeof nm, "U%02d", i);
		bot_set_name(u, nm);
		bot_st(u)->points = 10 * i;
		bot_st(u)->week_id = bot_week(today);
		bot_st(u)->week_points = 150 - 10 * i;
	}
	struct bot_user *me = bot_get_user(&b, 1);
	bot_set_name(me, "Me");
	bot_st(me)->points = 5;
	struct bot_call c = {&b, me, NULL, 1, "", today};
	struct buf t = BUF_INIT;
	bot_top_list(&c, &t, 0);
	check(strstr(t.p, "U14") && strstr(t.p, "U05"));
	check(!strstr(t.p, "U04"));              /* only the top 10 */
	check(strstr(t.p, "U14") < strstr(t.p, "U13")); /* descending */
	check(strstr(t.p, "Вы: 15 место") != NULL); /* my own place: 14 students have more */
	check(!strstr(t.p, "98765"));             /* no ids, only names */
	buf_reset(&t);
	bot_top_list(&c, &t, 1);
	check(strstr(t.p, "U00") < strstr(t.p, "U01")); /* weekly order differs */
	buf_free(&t);
	buf_free(&out);
	bot_free_state(&b);
}

static void test_split(void)
{
	/* short text: whole */
	check_eq_int(bot_split_point("abc", 3, 4096), 3);
	/* paragraphs preferred */
	struct buf s = BUF_INIT;
	for (int i = 0; i < 300; i++)
		buf_puts(&s, "слово ");
	buf_puts(&s, "\n\n");
	size_t para = s.len;
	for (int i = 0; i < 600; i++)
		buf_puts(&s, "слово ");
	size_t cut = bot_split_point(s.p, s.len, 4096);
	check_eq_int(cut, para);
	/* never inside a tag or an element */
	buf_reset(&s);
	for (int i = 0; i < 4090; i++)
		buf_putc(&s, 'a');
	buf_puts(&s, " <b>bold text</b> tail");
	cut = bot_split_point(s.p, s.len, 4096);
	check(cut <= 4091);
	/* emoji count as two UTF-16 units and are never cut in half */
	buf_reset(&s);
	for (int i = 0; i < 3000; i++)
		buf_puts(&s, "😀");
	cut = bot_split_point(s.p, s.len, 4096);
	check_eq_int(cut % 4, 0);
	check(utf16_len(s.p, cut) <= 4096);
	buf_free(&s);
}

static void test_kb_limit(void)
{
	struct bot_kb kb;
	memset(&kb, 0, sizeof kb);
	char big[100];
	memset(big, 'x', 80);
	big[80] = '\0';
	bot_kb_add(&kb, 0, "ok", "%s", "short");
	bot_kb_add(&kb, 0, "too long", "%s", big);
	check_eq_int(kb.ncols[0], 1); /* the 80-byte one was refused */
	char exact[65];
	memset(exact, 'y', 64);
	exact[64] = '\0';
	bot_kb_add(&kb, 1, "exactly 64", "%s", exact);
	check_eq_int(kb.ncols[1], 1);
}

/* Records: every row type survives storage, replay and compaction. */
static struct bot *replay_target;
static void test_records_roundtrip(void)
{
	char dir[] = "/tmp/examflow-unit-bot-XXXXXX";
	check(mkdtemp(dir) != NULL);
	struct store st;
	char err[256];
	struct bot b;
	bot_init(&b, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &b, err, sizeof err) == 0);
	store_begin(&st);
	struct buf out = BUF_INIT;
	struct bot_in in = {IN_TEXT, 7, 1, 7, "Имя\twith\ttabs\nand \\ backslash 😀", "ru", "/start", NULL};
	bot_handle(&b, &in);
	press(&b, "n:t:0", &out);
	say(&b, "5", &out);
	b.offset = 12345;
	bot_save_offset(&b);
	check(store_commit(&st) == 0);
	/* keep one unsent reply in the outbox */
	store_begin(&st);
	bot_reply(&b, 7, "не отправлено", NULL);
	check(store_commit(&st) == 0);
	bot_release_staged(&b);
	struct bot_user *u = bot_find_user(&b, 7);
	char name[BOT_NAME_MAX + 1];
	snprintf(name, sizeof name, "%s", bot_name(u));
	int attempts = u->st->attempts, ntasks = u->st->ntasks;
	store_close(&st);
	/* replay */
	struct bot r;
	bot_init(&r, &bk, &st, &bopts);
	replay_target = &r;
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &r, err, sizeof err) == 0);
	struct bot_user *v = bot_find_user(&r, 7);
	check(v != NULL);
	if (v) {
		check_eq_str(bot_name(v), name);
		check_eq_int(v->st->attempts, attempts);
		check_eq_int(v->st->ntasks, ntasks);
	}
	check_eq_int(r.offset, 12345);
	check_eq_int(r.outbox_len, 1);
	/* compaction: the same state afterwards */
	check(store_compact(&st, bot_dump, &r) == 0);
	store_close(&st);
	struct bot c;
	bot_init(&c, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &c, err, sizeof err) == 0);
	struct bot_user *w = bot_find_user(&c, 7);
	check(w && strcmp(bot_name(w), name) == 0 && w->st->attempts == attempts);
	check_eq_int(c.offset, 12345);
	check_eq_int(c.outbox_len, 1);
	store_close(&st);
	bot_free_state(&b);
	bot_free_state(&r);
	bot_free_state(&c);
	buf_free(&out);
	check_rm_rf(dir);
}

/* Forged button data: Explain only for the student's own current task,
 * and no task buttons in groups. */
static void test_forged_buttons(void)
{
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &bk, NULL, &bopts);
	say(&b, "/start", &out);
	press(&b, "n:t:1", &out);
	struct bot_user *u = bot_find_user(&b, 1);
	check(u && u->st->pending[0]);
	const char *other = strcmp(u->st->pending, "t-3") == 0 ? "t-1" : "t-3";
	char data[64];
	snprintf(data, sizeof data, "x:%s", other);
	press(&b, data, &out);
	check(strstr(out.p, "больше недоступна") != NULL); /* refused, no solution shown */
	check(strstr(out.p, "четыре") == NULL);
	check(u->st->pending[0]); /* and the pending task is untouched */
	snprintf(data, sizeof data, "x:%s", u->st->pending);
	press(&b, data, &out);
	check(strstr(out.p, "больше недоступна") == NULL); /* its own task: the tutor (off here) is asked */
	/* a button pressed in a group does nothing but say where tasks live */
	struct bot_in in = {IN_CALLBACK, -500, 0, 1, "Аня", "ru", "next", NULL};
	char before[BOT_ID_MAX];
	snprintf(before, sizeof before, "%s", u->st->last_task);
	bot_handle(&b, &in);
	check(b.staged && strstr(b.staged->body, "в личных сообщениях") != NULL);
	check_eq_str(u->st->last_task, before);
	bot_release_staged(&b);
	deliver_all(&b);
	bot_free_state(&b);
	buf_free(&out);
}

/* One student sending far faster than replies can go: the chat's queue
 * stops at BOT_CHAT_QUEUE_MAX (plus one "slow down"), and opens again. */
static void test_chat_queue_limit(void)
{
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &bk, NULL, &bopts);
	struct bot_in in = {IN_TEXT, 77, 1, 77, "Флуд", "ru", "/help", NULL};
	for (int i = 0; i < 100; i++) {
		bot_handle(&b, &in);
		bot_release_staged(&b);
	}
	int n = 0, slow = 0;
	for (struct bot_msg *m = bot_out_first(&b); m; m = bot_out_next(m)) {
		n += m->chat_id == 77;
		slow += strstr(m->body, "быстрее") != NULL;
	}
	check_eq_int(n, BOT_CHAT_QUEUE_MAX + 1);
	check_eq_int(slow, 1);
	/* another student is not held up */
	struct bot_in other = {IN_TEXT, 78, 1, 78, "Другой", "ru", "/help", NULL};
	bot_handle(&b, &other);
	check(b.staged && b.staged->chat_id == 78);
	bot_release_staged(&b);
	deliver_all(&b); /* the queue drains: answers again */
	bot_handle(&b, &in);
	check(b.staged && b.staged->chat_id == 77 && strstr(b.staged->body, "быстрее") == NULL);
	bot_release_staged(&b);
	deliver_all(&b);
	bot_free_state(&b);
	buf_free(&out);
}

/* worker_cycle's one handling of a batch that can never be stored: a record
 * too large is skipped at once (the offset alone moves past it); running
 * out of memory is retried, not taken for a full disk, then skipped too. */
static int t_cycle_kind;
static void t_apply_bad(void *ctx, struct bot *b)
{
	(void)ctx;
	b->offset += 1; /* an update taken */
	if (t_cycle_kind == 0) {
		static char big[STORE_MAX_LINE + 10];
		memset(big, 'x', sizeof big - 1);
		const char *f[] = {big};
		bot_emit(b, "user", 1, f);
	} else if (!b->store_failed) {
		b->store_failed = -ENOMEM;
	}
}

static void test_unstorable_batch(void)
{
	char dir[] = "/tmp/examflow-unit-worker-XXXXXX";
	check(mkdtemp(dir) != NULL);
	struct worker_opts o;
	worker_opts_init(&o, &cfg);
	snprintf(o.data_dir, sizeof o.data_dir, "%s", dir);
	o.tasks_file[0] = '\0';
	struct worker *w = calloc(1, sizeof *w);
	check(w && worker_init(w, &o, stderr) == 0);
	t_cycle_kind = 0;
	int64_t before = w->bot.offset;
	check_eq_int(worker_cycle(w, WORKER_DURABLE, t_apply_bad, NULL), -2);
	check(w->bot.offset == before + 1); /* skipped, not retried forever */
	check(w->disk_ok);                   /* and not called a disk problem */
	check_eq_int((int)w->skipped_batches, 1);
	t_cycle_kind = 1;
	check_eq_int(worker_cycle(w, WORKER_DURABLE, t_apply_bad, NULL), -1); /* out of memory: once more later */
	check(w->disk_ok);
	check_eq_int(worker_cycle(w, WORKER_DURABLE, t_apply_bad, NULL), -1);
	check_eq_int(worker_cycle(w, WORKER_DURABLE, t_apply_bad, NULL), -2); /* the third time: skipped */
	check(w->bot.offset == before + 2);
	check_eq_int((int)w->skipped_batches, 2);
	worker_free(w);
	free(w);
	check_rm_rf(dir);
}

static int t_keep_first(void *ctx, const struct bot_msg *m)
{
	return m == ctx;
}

/* The outbox API: migration rebuilds the body, drops keep what is on the wire. */
static void test_outbox_api(void)
{
	struct bot b;
	bot_init(&b, &bk, NULL, &bopts);
	struct bot_kb kb;
	memset(&kb, 0, sizeof kb);
	bot_kb_add(&kb, 0, "Дальше \"▶\"", "next");
	bot_reply(&b, -100, "<b>группа</b> \"один\"", &kb);
	bot_reply(&b, -100, "два", NULL);
	bot_reply(&b, 42, "другой чат", NULL);
	bot_release_staged(&b);
	check_eq_int((int)bot_out_len(&b), 3);
	bot_out_retarget(&b, -100, -1001234567890LL);
	struct bot_msg *m = bot_out_first(&b);
	check(m->chat_id == -1001234567890LL);
	struct json_tok tk[64];
	int n = json_parse(m->body, strlen(m->body), tk, 64);
	check(n > 0);
	int64_t chat = 0;
	check(json_get_i64(m->body, tk, json_obj_get(m->body, tk, n, 0, "chat_id"), &chat) == 0 && chat == -1001234567890LL);
	struct buf text = BUF_INIT;
	json_get_str(m->body, tk, json_obj_get(m->body, tk, n, 0, "text"), &text);
	check_eq_str(text.p, "<b>группа</b> \"один\"");
	check(json_path(m->body, tk, n, 0, "reply_markup.inline_keyboard") >= 0);
	check(strstr(m->body, "\"callback_data\":\"next\"") != NULL);
	check(strstr(m->body, "\"parse_mode\":\"HTML\"") != NULL);
	buf_free(&text);
	check(bot_out_next(m)->chat_id == -1001234567890LL);
	check(bot_out_next(bot_out_next(m))->chat_id == 42);
	/* a 403 drops the chat's queue, except the message on the wire */
	check_eq_int(bot_out_drop_chat(&b, -1001234567890LL, t_keep_first, m), 1);
	check_eq_int((int)bot_out_len(&b), 2);
	check(bot_out_first(&b) == m);
	bot_out_done(&b, m, 1);
	bot_note_blocked(&b, -1001234567890LL);
	check(bot_has_marks(&b));
	check_eq_int((int)b.nmarks, 2);
	bot_record_marks(&b);
	check(!bot_has_marks(&b));
	check_eq_int((int)bot_out_len(&b), 1);
	/* a body that is no JSON object is left alone */
	struct buf nb = BUF_INIT;
	check(bot_body_retarget("[1,2]", 5, &nb) < 0);
	buf_free(&nb);
	bot_free_state(&b);
}

/* Generated tasks through the handlers: dealt, checked, noted, reviewed,
 * never repeated. */
static void test_generated(void)
{
	struct bank eb;
	memset(&eb, 0, sizeof eb);
	check_eq_int(bank_load_embedded(&eb), 0);
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &eb, NULL, &bopts);
	say(&b, "/start", &out);
	press(&b, "n:inf:19", &out); /* number 19: a generator and a few fixed tasks */
	struct bot_user *u = bot_find_user(&b, 1);
	for (int i = 0; i < 50 && u && !strchr(u->st->pending, '@'); i++)
		press(&b, "next", &out);
	check(u && strncmp(u->st->pending, "i-game19@", 9) == 0);
	const struct bank_task *t = bank_find(&eb, u->st->pending);
	check(t && t->kind == BANK_VARIANT);
	char right[BANK_MAX_ANSWER_BYTES + 1];
	snprintf(right, sizeof right, "%s", t ? t->answers[0] : "");
	char first[BOT_ID_MAX];
	snprintf(first, sizeof first, "%s", u->st->pending);
	say(&b, "1", &out); /* S = 1 is never the answer of task 19 here: it needs a move to a winning heap */
	check(strstr(out.p, "Неверно") != NULL);
	say(&b, right, &out);
	check(strstr(out.p, "Верно") != NULL);
	struct bot_numstat *ns = bot_numstat(u, "inf", 19, 0);
	check(ns && ns->attempted == 2 && ns->correct == 1);
	struct bot_taskstate *st = bot_taskstate(u, first, 0);
	check(st && st->due_day > 0); /* wrong first: it comes back for review */
	/* 150 fresh variants, no text twice */
	char (*texts)[BANK_MAX_TEXT_BYTES + 1] = calloc(151, sizeof *texts);
	int n = 0, same = 0;
	for (int i = 0; i < 150 && texts; i++) {
		press(&b, "sol", &out); /* seen: the solution marks it */
		press(&b, "next", &out);
		const struct bank_task *v = bank_find(&eb, u->st->pending);
		check(v != NULL);
		if (!v || v->kind != BANK_VARIANT) /* one of the fixed tasks of number 19 */
			continue;
		for (int k = 0; k < n; k++)
			same += strcmp(texts[k], v->text) == 0 && strcmp(u->st->pending, first) != 0;
		snprintf(texts[n++], sizeof texts[0], "%s", v->text);
	}
	check_eq_int(same, 0);
	free(texts);
	/* a due generated variant comes first, marked as a review */
	st = bot_taskstate(u, first, 0);
	if (st)
		st->due_day = bot_today(&b) - 1;
	press(&b, "sol", &out);
	press(&b, "next", &out);
	check_eq_str(u->st->pending, first);
	check(strstr(out.p, "повторение") != NULL);
	/* the kind examiner's note reaches the student */
	press(&b, "n:math:4", &out);
	for (int i = 0; i < 50 && !strchr(u->st->pending, '@'); i++)
		press(&b, "next", &out);
	t = bank_find(&eb, u->st->pending);
	if (t && strchr(t->id, '@')) {
		char typed[BANK_MAX_ANSWER_BYTES + 8];
		snprintf(typed, sizeof typed, "%s %%", t->answers[0]);
		say(&b, typed, &out);
		check(strstr(out.p, "Верно") != NULL && strstr(out.p, "только число") != NULL);
	} else {
		check(!"no generated task in 50 picks of math number 4");
	}
	bot_free_state(&b);
	buf_free(&out);
	bank_free(&eb);
}

/* Task choice at scale: a 100,000-task bank and a student who has seen
 * 10,000 of it.  What is checked is the choice (never a seen task while
 * unseen ones remain, the last unseen one found, then any task but the
 * last); the time per /task is printed, never asserted. */
static void test_pick_scale(void)
{
	enum { NTASKS = 100000, NSEEN = 10000, NUMBERS = 25 };
	struct buf text = BUF_INIT;
	buf_puts(&text, "subject: s\ntitle: Большой\n\n");
	for (int i = 0; i < NTASKS; i++)
		buf_printf(&text, "id: s-%d\nnumber: %d\ntext: x%d\nanswer: %d\n\n", i, i % NUMBERS + 1, i, i);
	struct bank big;
	memset(&big, 0, sizeof big);
	check_eq_int(bank_load_text(&big, "big", text.p, text.len, BANK_REPLACE, stderr), 0);
	buf_free(&text);
	check_eq_int(big.ntasks, NTASKS);
	check(bank_find(&big, "s-99999") && bank_find(&big, "s-99999")->number == 99999 % NUMBERS + 1);
	check(bank_find(&big, "s-100000") == NULL);
	struct bot b;
	bot_init(&b, &big, NULL, &bopts);
	struct bot_user *u = bot_get_user(&b, 7);
	check(u != NULL);
	if (!u)
		return;
	snprintf(bot_st(u)->subject, sizeof u->st->subject, "s");
	char id[BOT_ID_MAX];
	for (int i = 0; i < NSEEN; i++) {
		snprintf(id, sizeof id, "s-%d", (i * 7919) % NTASKS);
		bot_taskstate(u, id, 1);
	}
	check_eq_int(u->st->ntasks, NSEEN);
	int today = bot_today(&b), review, bad = 0;
	enum { PICKS = 2000 };
	int64_t t0 = mono_ms();
	for (int i = 0; i < PICKS; i++) {
		const struct bank_task *t = bot_pick_task(&b, u, today, &review);
		bad += !t || review || bot_taskstate(u, t->id, 0) != NULL || strcmp(t->id, u->st->last_task) == 0;
		if (t)
			utf8_copy(bot_st(u)->last_task, sizeof u->st->last_task, t->id);
	}
	double ms = (double)(mono_ms() - t0) / PICKS;
	check_eq_int(bad, 0);
	printf("task choice: %.3f ms per /task (bank %d tasks, %d seen; printed, not asserted)\n", ms, NTASKS, NSEEN);
	/* a small subject scope: number 3 with all but one task seen */
	bot_st(u)->num_filter = 3;
	for (int i = 2; i < NTASKS; i += NUMBERS) {
		snprintf(id, sizeof id, "s-%d", i);
		if (i != 2 + NUMBERS * 1234)
			bot_taskstate(u, id, 1);
	}
	bot_st(u)->last_task[0] = '\0';
	const struct bank_task *t = bot_pick_task(&b, u, today, &review);
	check(t && strcmp(t->id, "s-30852") == 0); /* 2 + 25 * 1234 */
	/* all seen: any task of the number but the last one */
	if (t) {
		bot_taskstate(u, t->id, 1);
		utf8_copy(bot_st(u)->last_task, sizeof u->st->last_task, t->id);
	}
	for (int i = 0; i < 50; i++) {
		const struct bank_task *a = bot_pick_task(&b, u, today, &review);
		check(a && a->number == 3 && strcmp(a->id, u->st->last_task) != 0);
		if (a)
			utf8_copy(bot_st(u)->last_task, sizeof u->st->last_task, a->id);
	}
	/* a due review comes first, found in the history */
	struct bot_taskstate *st = bot_taskstate(u, "s-27", 0); /* number 3, seen above */
	check(st != NULL);
	if (st)
		st->due_day = today - 2;
	t = bot_pick_task(&b, u, today, &review);
	check(t && review && strcmp(t->id, "s-27") == 0);
	/* the history stays sorted: every entry is found again */
	int lost = 0;
	for (int i = 0; i < u->st->ntasks; i++)
		lost += bot_taskstate(u, u->st->tasks[i].task, 0) != &u->st->tasks[i];
	check_eq_int(lost, 0);
	bot_free_state(&b);
	bank_free(&big);
}

/* A backlog far past BOT_OUT_BODIES_MAX: the bodies past the window wait
 * in the spill file, come back byte for byte when sent, survive a restart
 * (from the log) and a compaction, and the spill file is emptied when the
 * backlog is gone. */
static void test_outbox_spill(void)
{
	enum { N = 1000 };
	char dir[] = "/tmp/examflow-unit-spill-XXXXXX";
	check(mkdtemp(dir) != NULL);
	struct store st;
	char err[256], text[64], path[512];
	struct bot b;
	bot_init(&b, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &b, err, sizeof err) == 0);
	store_begin(&st);
	for (int i = 0; i < N; i++) {
		snprintf(text, sizeof text, "ответ номер %d", i);
		bot_reply(&b, 1000 + i, text, NULL);
	}
	check(store_commit(&st) == 0);
	bot_release_staged(&b);
	check_eq_int(b.outbox_len, N);
	check(b.nbodies <= BOT_OUT_BODIES_MAX);
	check_eq_int(b.nspilled, N - b.nbodies);
	/* the replay (a restart) spills the same way, and compaction keeps every body */
	store_close(&st);
	bot_free_state(&b);
	struct bot r;
	bot_init(&r, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &r, err, sizeof err) == 0);
	check_eq_int(r.outbox_len, N);
	check(r.nbodies <= BOT_OUT_BODIES_MAX && r.nspilled > 0);
	check(r.nmsg_chunks >= (N + BOT_MSG_CHUNK - 1) / BOT_MSG_CHUNK);
	check(store_compact(&st, bot_dump, &r) == 0);
	/* sent in order: every body as it was written */
	int i = 0, wrong = 0;
	for (struct bot_msg *m; (m = bot_out_first(&r)) != NULL; i++) {
		const char *body = bot_out_body(&r, m);
		snprintf(text, sizeof text, "ответ номер %d\"", i);
		wrong += !body || !strstr(body, text) || m->chat_id != 1000 + i;
		bot_out_done(&r, m, 1);
	}
	check_eq_int(i, N);
	check_eq_int(wrong, 0);
	check_eq_int(r.nbodies, 0);
	check_eq_int(r.nspilled, 0);
	check(r.nmsgs == 0 && r.nmsg_chunks == 1); /* the pool shrank back to one chunk */
	struct stat sb;
	snprintf(path, sizeof path, "%s/outbox.spill", dir);
	check(stat(path, &sb) == 0 && sb.st_size == 0 && (sb.st_mode & 0777) == 0600);
	store_begin(&st);
	bot_record_marks(&r);
	check(store_commit(&st) == 0);
	store_close(&st);
	/* after the compaction and the marks: nothing is queued any more */
	struct bot c;
	bot_init(&c, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &c, err, sizeof err) == 0);
	check_eq_int(c.outbox_len, 0);
	store_close(&st);
	bot_free_state(&r);
	bot_free_state(&c);
	check_rm_rf(dir);
}

/* Students live in chunks under a 4-byte index: 3,000 cross both the
 * chunk size and index growth and keep their addresses and order; one who
 * only said /start has no practice of their own (after a replay too), a
 * short name needs no allocation, and a chat's queued count follows it
 * when it becomes a student. */
static void test_user_table(void)
{
	enum { N = 3000 };
	static const char *const names[] = {"Ученик", "Очень-очень длинное имя ученика"};
	char dir[] = "/tmp/examflow-unit-users-XXXXXX";
	check(mkdtemp(dir) != NULL);
	struct store st;
	char err[256];
	struct bot b;
	struct buf out = BUF_INIT;
	bot_init(&b, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &b, err, sizeof err) == 0);
	store_begin(&st);
	for (int i = 0; i < N; i++) {
		struct bot_in in = {IN_TEXT, 5000 + i, 1, 5000 + i, names[i % 2], "ru", "/start", NULL};
		bot_handle(&b, &in);
	}
	bot_reply(&b, 4999, "до первого сообщения", NULL); /* a chat that is no student yet */
	check(store_commit(&st) == 0);
	bot_release_staged(&b);
	struct bot_user *first = bot_find_user(&b, 5000);
	check_eq_int(bot_nusers(&b), N);
	check(first == bot_roster(&b, 0));
	check(b.capindex >= 2 * N);
	int wrong = 0;
	for (int i = 0; i < N; i++) {
		struct bot_user *u = bot_roster(&b, (size_t)i);
		wrong += u->id != 5000 + i || bot_find_user(&b, 5000 + i) != u || u->st != &bot_study_none;
		wrong += u->q.queued != 1 || strcmp(bot_name(u), names[i % 2]) != 0 || u->name_heap != (i % 2);
	}
	check_eq_int(wrong, 0);
	check(bot_find_user(&b, 4999) == NULL && bot_find_user(&b, 5000 + N) == NULL);
	check(bot_get_user(&b, 4999)->q.queued == 1); /* the count moved into the new student */
	/* past the limit a newcomer is told, and nobody else notices */
	b.max_users = bot_nusers(&b);
	for (int i = 0; i < 2; i++) {
		struct bot_in late = {IN_TEXT, 9000, 1, 9000, "Поздний", "ru", "/start", NULL};
		bot_handle(&b, &late);
	}
	check(bot_find_user(&b, 9000) == NULL && b.users_refused == 2);
	check(b.staged && b.staged->chat_id == 9000 && strstr(bot_out_body(&b, b.staged), "новых учеников"));
	struct bot_in known = {IN_TEXT, 5002, 1, 5002, names[0], "ru", "/help", NULL};
	bot_handle(&b, &known);
	check(b.staged_tail != &b.staged && bot_find_user(&b, 5002)->q.queued == 2);
	bot_release_staged(&b);
	deliver_all(&b);
	/* a name goes from long to short and back */
	bot_set_name(first, names[1]);
	check(first->name_heap && strcmp(bot_name(first), names[1]) == 0);
	bot_set_name(first, "Аня");
	check(!first->name_heap && strcmp(bot_name(first), "Аня") == 0);
	/* choosing a subject gives student 5001 practice of their own */
	store_begin(&st);
	bot_save_user(&b, first);
	bot_save_user(&b, bot_find_user(&b, 4999));
	struct bot_in choose = {IN_CALLBACK, 5001, 1, 5001, names[1], "ru", "n:t:0", NULL};
	bot_handle(&b, &choose);
	check(store_commit(&st) == 0);
	bot_release_staged(&b);
	check(bot_find_user(&b, 5001)->st != &bot_study_none && bot_find_user(&b, 5001)->st->pending[0]);
	check(bot_study_none.pending[0] == 0 && bot_study_none.remind_hour == -1);
	store_close(&st);
	/* the replay: the same roster, practice only where there was some */
	struct bot r;
	bot_init(&r, &bk, &st, &bopts);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &r, err, sizeof err) == 0);
	check_eq_int(bot_nusers(&r), N + 1);
	wrong = 0;
	for (int i = 0; i < N; i++) {
		const struct bot_user *u = bot_roster(&r, (size_t)i);
		wrong += u->id != 5000 + i || (u->st != &bot_study_none) != (i == 1);
	}
	check_eq_int(wrong, 0);
	check_eq_str(bot_name(bot_roster(&r, 0)), "Аня");
	check(bot_roster(&r, 1)->st->pending[0]);
	store_close(&st);
	bot_free_state(&b);
	bot_free_state(&r);
	buf_free(&out);
	check_rm_rf(dir);
}

int main(void)
{
	cfg_defaults(&cfg);
	bot_opts_init(&bopts, &cfg);
	logst.level = LOG_ERROR;
	FILE *f = fopen(FIXTURE_BANK, "r");
	size_t n = f ? fread(test_bank, 1, sizeof test_bank - 1, f) : 0;
	if (f)
		fclose(f);
	if (!n || bank_load_text(&bk, FIXTURE_BANK, test_bank, n, BANK_REPLACE, stderr) != 0) {
		fprintf(stderr, "cannot load %s (run from the repository's top directory)\n", FIXTURE_BANK);
		return 1;
	}
	test_days();
	test_streaks();
	test_review();
	test_flow_and_choice();
	test_achievements_once();
	test_reminders();
	test_outbox_api();
	test_forged_buttons();
	test_chat_queue_limit();
	test_unstorable_batch();
	test_top_order();
	test_split();
	test_kb_limit();
	test_records_roundtrip();
	test_generated();
	test_pick_scale();
	test_outbox_spill();
	test_user_table();
	bank_free(&bk);
	return check_done();
}
