/* Unit test: running out of memory while the data directory is replayed
 * loses nothing.  Only the allocation of a student's practice (struct
 * bot_study) fails here: the replay must fail (the worker restarts), never
 * go on with the student blank, and a later start finds everything.
 * not tested: other allocations (unit_bot's unstorable batch covers a
 * handler's out of memory). */
#include <stdlib.h>
#include <stddef.h>

static size_t fail_size; /* a malloc of exactly this many bytes fails while set */
static long nfailed;

static void *oom_malloc(size_t n)
{
	if (fail_size && n == fail_size) {
		nfailed++;
		return NULL;
	}
	return malloc(n);
}
#define malloc(n) oom_malloc(n)
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#undef malloc
#include "check.h"

#define FIXTURE_BANK "tests/fixture_bank.txt"

static void feed(struct bot *b, enum bot_in_kind kind, const char *text)
{
	struct bot_in in = {kind, 7, 1, 7, "Аня", "ru", text, NULL};
	bot_handle(b, &in);
	bot_release_staged(b);
	for (struct bot_msg *m; (m = bot_out_first(b)) != NULL;)
		bot_out_done(b, m, 1);
	bot_record_marks(b);
}

int main(void)
{
	static char text[4096];
	static struct bank bk;
	struct bot_opts o;
	cfg_defaults(&cfg);
	bot_opts_init(&o, &cfg);
	logst.level = LOG_ERROR + 1; /* the failures below are expected */
	FILE *f = fopen(FIXTURE_BANK, "r");
	size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
	if (f)
		fclose(f);
	if (!n || bank_load_text(&bk, FIXTURE_BANK, text, n, BANK_REPLACE, stderr) != 0) {
		fprintf(stderr, "cannot load %s (run from the repository's top directory)\n", FIXTURE_BANK);
		return 1;
	}
	char dir[] = "/tmp/examflow-unit-oom-XXXXXX";
	check(mkdtemp(dir) != NULL);
	struct store st;
	char err[256];
	struct bot b;
	bot_init(&b, &bk, &st, &o);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &b, err, sizeof err) == 0);
	store_begin(&st);
	feed(&b, IN_TEXT, "/start");
	feed(&b, IN_CALLBACK, "n:t:0");
	const struct bank_task *t = bank_find(&bk, bot_find_user(&b, 7)->st->pending);
	check(t != NULL);
	feed(&b, IN_TEXT, t ? t->answers[0] : "");
	feed(&b, IN_TEXT, "/remind 7");
	check(store_commit(&st) == 0);
	const struct bot_user *u = bot_find_user(&b, 7);
	int points = u->st->points, ntasks = u->st->ntasks;
	check(points > 0 && ntasks == 1 && u->st->remind_hour == 7);
	store_close(&st);
	bot_free_state(&b);

	/* a start while memory is short: it fails, and compaction is refused */
	struct bot r;
	bot_init(&r, &bk, &st, &o);
	fail_size = sizeof(struct bot_study);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &r, err, sizeof err) < 0);
	fail_size = 0;
	check(nfailed > 0);
	check(store_compact(&st, bot_dump, &r) < 0);
	store_close(&st);
	bot_free_state(&r);

	/* memory is back: everything is there */
	struct bot q;
	bot_init(&q, &bk, &st, &o);
	check(store_open(&st, dir, FSYNC_OFF, bot_apply, &q, err, sizeof err) == 0);
	u = bot_find_user(&q, 7);
	check(u && u->st->points == points && u->st->ntasks == ntasks && u->st->remind_hour == 7 &&
	      strcmp(u->st->subject, "t") == 0);
	store_close(&st);
	bot_free_state(&q);
	check_rm_rf(dir);
	return check_done();
}
