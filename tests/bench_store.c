/* Benchmark: section 6, the storage.  Prints figures, asserts nothing.
 *
 *   bench_store [DIR]     work in a fresh DIR/bench-store.XXXXXX (default:
 *                         the current directory, so fsync costs are those of
 *                         the file system the bot would run on)
 *
 * Measures append+commit throughput for batches of 1, 10 and 100 records
 * (fsync=batch), replay time of a 1,000,000-record log, and the time to write
 * (and load) a snapshot of 100,000 users.
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"

#include <ftw.h>

#define BENCH_COMMIT_SECONDS 2     /* per batch size */
#define BENCH_COMMIT_MAX 20000     /* commits per batch size, on a fast disk */
#define BENCH_REPLAY_RECORDS 1000000
#define BENCH_SNAP_USERS 100000

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

/* A replay callback that touches every field, as a real one would. */
static int count_apply(void *ctx, const struct store_rec *r)
{
	uint64_t *n = ctx;
	for (int i = 0; i < r->nf; i++)
		*n += r->flen[i] > 0;
	return 0;
}

static void attempt_fields(char bufs[5][32], const char *f[5], uint64_t i)
{
	snprintf(bufs[0], 32, "%" PRIu64, 100000000 + i % 5000);
	snprintf(bufs[1], 32, "math");
	snprintf(bufs[2], 32, "%" PRIu64, 1 + i % 19);
	snprintf(bufs[3], 32, "ответ %" PRIu64, i % 977);
	snprintf(bufs[4], 32, "%d", (int)(i % 2));
	for (int k = 0; k < 5; k++)
		f[k] = bufs[k];
}

static void bench_commit(const char *root, int batch)
{
	char dir[PATH_MAX_LEN], err[512], bufs[5][32];
	const char *f[5];
	struct store s;
	snprintf(dir, sizeof dir, "%s/commit-%d", root, batch);
	if (store_open(&s, dir, FSYNC_BATCH, NULL, NULL, err, sizeof err) < 0) {
		printf("store: cannot open %s: %s\n", dir, err);
		return;
	}
	uint64_t commits = 0, recs = 0;
	double t0 = now_s(), t = 0;
	do {
		store_begin(&s);
		for (int i = 0; i < batch; i++, recs++) {
			attempt_fields(bufs, f, recs);
			store_add(&s, "attempt", 5, f);
		}
		if (store_commit(&s) < 0) {
			printf("store: commit failed\n");
			break;
		}
		commits++;
		t = now_s() - t0;
	} while (t < BENCH_COMMIT_SECONDS && commits < BENCH_COMMIT_MAX);
	printf("store: append+commit, batches of %3d: %8.0f commits/s %9.0f records/s  (%.3f ms per commit, fsync=batch)\n",
	       batch, (double)commits / t, (double)recs / t, 1000.0 * t / (double)commits);
	store_close(&s);
}

static void bench_replay(const char *root)
{
	char dir[PATH_MAX_LEN], err[512], bufs[5][32];
	const char *f[5];
	struct store s;
	snprintf(dir, sizeof dir, "%s/replay", root);
	if (store_open(&s, dir, FSYNC_OFF, NULL, NULL, err, sizeof err) < 0) {
		printf("store: cannot open %s: %s\n", dir, err);
		return;
	}
	double t0 = now_s();
	for (uint64_t i = 0; i < BENCH_REPLAY_RECORDS;) {
		store_begin(&s);
		for (int k = 0; k < 1000; k++, i++) {
			attempt_fields(bufs, f, i);
			store_add(&s, "attempt", 5, f);
		}
		store_commit(&s);
	}
	double write_s = now_s() - t0;
	int64_t bytes = s.log_bytes;
	store_close(&s);
	uint64_t touched = 0;
	t0 = now_s();
	int rc = store_open(&s, dir, FSYNC_OFF, count_apply, &touched, err, sizeof err);
	double t = now_s() - t0;
	printf("store: replay of %d records (%.1f MiB log): %.0f ms  (%.0f records/s; writing them took %.0f ms)%s\n",
	       BENCH_REPLAY_RECORDS, (double)bytes / 1048576.0, 1000.0 * t, (double)s.loaded / t, 1000.0 * write_s,
	       rc == 0 && s.loaded == BENCH_REPLAY_RECORDS ? "" : "  [FAILED]");
	if (rc == 0)
		store_close(&s);
}

static int dump_users(void *ctx, struct store *s)
{
	(void)ctx;
	char b[10][48];
	const char *f[10];
	for (int k = 0; k < 10; k++)
		f[k] = b[k];
	for (int i = 0; i < BENCH_SNAP_USERS; i++) {
		snprintf(b[0], 48, "%d", 100000000 + i);
		snprintf(b[1], 48, "Ученик %d", i);
		snprintf(b[2], 48, "%s", i % 3 ? "ru" : "en");
		snprintf(b[3], 48, "%s", i % 2 ? "math" : "inf");
		snprintf(b[4], 48, "%d", i * 7 % 5000);
		snprintf(b[5], 48, "%d", i % 40);
		snprintf(b[6], 48, "2026-%02d-%02d", 1 + i % 12, 1 + i % 28);
		snprintf(b[7], 48, "%d", 180);
		snprintf(b[8], 48, "%s", i % 5 ? "" : "19:00");
		snprintf(b[9], 48, "%d\t%d", i % 20, i % 3);
		int rc = store_snap_put(s, "user", 10, f);
		if (rc)
			return rc;
	}
	return 0;
}

static void bench_snapshot(const char *root)
{
	char dir[PATH_MAX_LEN], err[512];
	struct store s;
	snprintf(dir, sizeof dir, "%s/snapshot", root);
	if (store_open(&s, dir, FSYNC_BATCH, NULL, NULL, err, sizeof err) < 0) {
		printf("store: cannot open %s: %s\n", dir, err);
		return;
	}
	double t0 = now_s();
	int rc = store_compact(&s, dump_users, NULL);
	double t = now_s() - t0;
	int64_t bytes = s.snap_bytes;
	store_close(&s);
	uint64_t touched = 0;
	t0 = now_s();
	int rc2 = store_open(&s, dir, FSYNC_BATCH, count_apply, &touched, err, sizeof err);
	double tl = now_s() - t0;
	printf("store: snapshot of %d users (%.1f MiB): written in %.0f ms (fsync included), loaded in %.0f ms%s\n",
	       BENCH_SNAP_USERS, (double)bytes / 1048576.0, 1000.0 * t, 1000.0 * tl,
	       rc == 0 && rc2 == 0 && s.loaded == BENCH_SNAP_USERS ? "" : "  [FAILED]");
	if (rc2 == 0)
		store_close(&s);
}

int main(int argc, char **argv)
{
	char root[512];
	snprintf(root, sizeof root, "%s/bench-store.XXXXXX", argc > 1 ? argv[1] : ".");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	logst.level = LOG_WARN;
	(void)cfg;
	bench_commit(root, 1);
	bench_commit(root, 10);
	bench_commit(root, 100);
	bench_replay(root);
	bench_snapshot(root);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
