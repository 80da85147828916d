/* Unit tests: section 6, the append-only storage, on real files in a fresh
 * temporary directory.
 *
 * EXAMFLOW_CHAOS=1 runs the kill -9 loop 1000 times instead of 100;
 * EXAMFLOW_SEED=N repeats a run; EXAMFLOW_TEST_VERBOSE=1 shows the log.
 *
 * not tested: a real power cut (the kill -9 loop only loses what the process
 *   had not written; what fdatasync promises is the kernel's part);
 *   ENOSPC and EIO from a real device (EFBIG via RLIMIT_FSIZE takes the same
 *   path); a failing fsync of the directory during compaction.
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

#include <ftw.h>

static char root[256];

/* --- helpers -------------------------------------------------------------- */

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh, empty directory root/name; returns its path (static storage per slot). */
static const char *fresh(const char *name)
{
	static char paths[4][PATH_MAX_LEN];
	static int slot;
	char *p = paths[slot++ % 4];
	snprintf(p, PATH_MAX_LEN, "%s/%s", root, name);
	rm_rf(p);
	mkdir(p, 0700);
	return p;
}

static void slurp(const char *dir, const char *name, struct buf *b)
{
	char path[STORE_PATH_LEN];
	store_path(path, dir, name);
	buf_reset(b);
	if (read_file(path, b, (size_t)1 << 30) < 0)
		buf_reset(b);
}

static void spill(const char *dir, const char *name, const void *p, size_t n)
{
	char path[STORE_PATH_LEN];
	store_path(path, dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	check(fd >= 0);
	check(write_all(fd, p, n) == 0);
	close(fd);
}

static int64_t file_size(const char *dir, const char *name)
{
	char path[STORE_PATH_LEN];
	struct stat st;
	store_path(path, dir, name);
	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/* Name of the first file in dir starting with prefix, or "" (static). */
static const char *find_prefixed(const char *dir, const char *prefix)
{
	static char name[256];
	name[0] = '\0';
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(name, sizeof name, "%s", e->d_name);
			break;
		}
	if (d)
		closedir(d);
	return name;
}

static int count_prefixed(const char *dir, const char *prefix)
{
	int n = 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	if (d)
		closedir(d);
	return n;
}

/* Offset of the start of line number k (0-based) in p. */
static size_t line_off(const char *p, size_t n, int k)
{
	size_t off = 0;
	while (k-- > 0 && off < n)
		off = (size_t)((const char *)memchr(p + off, '\n', n - off) - p) + 1;
	return off;
}

/* --- a record collector: every replayed record, copied ------------------- */

struct grec {
	char type[40];
	uint64_t seq;
	int nf;
	char *f[STORE_MAX_FIELDS];
	size_t fl[STORE_MAX_FIELDS];
};
struct got {
	int n, cap, bad_nul;
	struct grec *r;
};

static int got_apply(void *ctx, const struct store_rec *r)
{
	struct got *g = ctx;
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 64;
		g->r = realloc(g->r, (size_t)g->cap * sizeof *g->r);
	}
	struct grec *x = &g->r[g->n++];
	snprintf(x->type, sizeof x->type, "%s", r->type);
	x->seq = r->seq;
	x->nf = r->nf;
	for (int i = 0; i < r->nf; i++) {
		if (r->f[i][r->flen[i]] != '\0')
			g->bad_nul++;
		x->f[i] = malloc(r->flen[i] + 1);
		memcpy(x->f[i], r->f[i], r->flen[i] + 1);
		x->fl[i] = r->flen[i];
	}
	return 0;
}

static void got_free(struct got *g)
{
	for (int k = 0; k < g->n; k++)
		for (int i = 0; i < g->r[k].nf; i++)
			free(g->r[k].f[i]);
	free(g->r);
	memset(g, 0, sizeof *g);
}

/* The awkward field values every round trip goes through. */
static const char *const odd[] = {
	"", "tab\there", "line\nbreak", "cr\rhere", "back\\slash", "\\t is not a tab", "emoji 😀🎓",
	"Кириллица: ёжик, ЁЛКА", "all\t\n\r\\mixed", "\\", "\t", "ends with \\", "\\\\n", "\n\n", "x",
};
#define NODD ((int)(sizeof odd / sizeof odd[0]))

/* Record k of the round-trip set: type, field count and fields. */
static int rt_record(int k, const char **type, const char *f[STORE_MAX_FIELDS])
{
	static const char *const types[] = {"user", "attempt", "offset"};
	int nf = k == 0 ? 0 : k == 1 ? STORE_MAX_FIELDS : 1 + k % 5;
	*type = types[k % 3];
	for (int i = 0; i < nf; i++)
		f[i] = odd[(k + i) % NODD];
	return nf;
}
#define NRT 40

static void rt_expect(const struct got *g, int from_seq_same)
{
	check_eq_int(g->n, NRT);
	check_eq_int(g->bad_nul, 0);
	for (int k = 0; k < g->n && k < NRT; k++) {
		const char *type, *f[STORE_MAX_FIELDS];
		int nf = rt_record(k, &type, f);
		check_eq_str(g->r[k].type, type);
		check_eq_int(g->r[k].nf, nf);
		if (!from_seq_same)
			check_eq_int(g->r[k].seq, (uint64_t)k + 1);
		for (int i = 0; i < nf && i < g->r[k].nf; i++) {
			check_eq_int(g->r[k].fl[i], strlen(f[i]));
			check(memcmp(g->r[k].f[i], f[i], strlen(f[i]) + 1) == 0);
		}
	}
}

/* --- a key-value application: "set" KEY VALUE, "del" KEY ------------------ */

#define KV_MAX 64
struct kv {
	int n;
	char key[KV_MAX][32];
	char *val[KV_MAX];
};

static void kv_set(struct kv *m, const char *k, const char *v)
{
	int i = 0;
	while (i < m->n && strcmp(m->key[i], k) != 0)
		i++;
	if (i == m->n) {
		if (m->n == KV_MAX)
			return;
		snprintf(m->key[m->n++], 32, "%s", k);
		m->val[i] = NULL;
	}
	free(m->val[i]);
	m->val[i] = strdup(v);
}

static void kv_del(struct kv *m, const char *k)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->key[i], k) == 0) {
			free(m->val[i]);
			m->n--;
			memmove(m->key[i], m->key[m->n], 32);
			m->val[i] = m->val[m->n];
			return;
		}
}

static const char *kv_get(const struct kv *m, const char *k)
{
	for (int i = 0; i < m->n; i++)
		if (strcmp(m->key[i], k) == 0)
			return m->val[i];
	return NULL;
}

static void kv_free(struct kv *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->val[i]);
	m->n = 0;
}

static int kv_equal(const struct kv *a, const struct kv *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++) {
		const char *v = kv_get(b, a->key[i]);
		if (!v || strcmp(v, a->val[i]) != 0)
			return 0;
	}
	return 1;
}

static int kv_apply(void *ctx, const struct store_rec *r)
{
	struct kv *m = ctx;
	if (strcmp(r->type, "set") == 0 && r->nf == 2)
		kv_set(m, r->f[0], r->f[1]);
	else if (strcmp(r->type, "del") == 0 && r->nf == 1)
		kv_del(m, r->f[0]);
	else
		return -EPROTO;
	return 0;
}

static int kv_dump(void *ctx, struct store *s)
{
	struct kv *m = ctx;
	for (int i = 0; i < m->n; i++) {
		const char *f[2] = {m->key[i], m->val[i]};
		int rc = store_snap_put(s, "set", 2, f);
		if (rc)
			return rc;
	}
	return 0;
}

/* Write set KEY VALUE into the open batch and the mirror. */
static int kv_put(struct store *s, struct kv *m, const char *k, const char *v)
{
	const char *f[2] = {k, v};
	if (m)
		kv_set(m, k, v);
	return store_add(s, "set", 2, f);
}

/* Open dir with kv_apply into m (emptied first); returns store_open's code. */
static int kv_open(struct store *s, const char *dir, int mode, struct kv *m, char *err, size_t errlen)
{
	kv_free(m);
	return store_open(s, dir, mode, kv_apply, m, err, errlen);
}

/* n single-record commits set k<i> = v<i>. */
static void kv_fill(struct store *s, struct kv *m, int from, int n)
{
	char k[32], v[64];
	for (int i = from; i < from + n; i++) {
		snprintf(k, sizeof k, "k%d", i);
		snprintf(v, sizeof v, "value %d\twith a tab, ё", i);
		check(store_begin(s) == 0);
		check(kv_put(s, m, k, v) == 0);
		check(store_commit(s) == 0);
	}
}

/* --- tests ---------------------------------------------------------------- */

/* A line with a correct checksum around any content. */
static void mkline(struct buf *b, const char *content)
{
	buf_reset(b);
	buf_printf(b, "%s\t%08x", content, crc32c(0, content, strlen(content)));
}

static void test_format(void)
{
	struct buf b = BUF_INIT, want = BUF_INIT;
	struct store_line l;
	const char *f[2] = {"a\tb\\", "ёж\n"};
	check(store_put_line(&b, "user", 7, 1700000000000, 2, f) == 0);
	mkline(&want, "user\t7\t1700000000000\ta\\tb\\\\\tёж\\n");
	buf_putc(&want, '\n');
	check_eq_str(b.p, want.p);
	check(store_parse(b.p, b.len - 1, 1, &l) == NULL);
	check_eq_int(l.nf, 2);
	check_eq_int(l.seq, 7);
	check_eq_int(l.ts, 1700000000000);

	/* zero fields versus one empty field */
	mkline(&b, "t\t1\t-5");
	check(store_parse(b.p, b.len, 1, &l) == NULL && l.nf == 0 && l.ts == -5);
	mkline(&b, "t\t1\t5\t");
	check(store_parse(b.p, b.len, 1, &l) == NULL && l.nf == 1 && l.fl[0] == 0);
	/* an upper-case checksum is still a checksum */
	mkline(&b, "t\t1\t5\tx");
	for (size_t i = b.len - 8; i < b.len; i++)
		b.p[i] = (char)toupper((unsigned char)b.p[i]);
	check(store_parse(b.p, b.len, 1, &l) == NULL);

	static const struct { const char *content, *why; } bad[] = {
		{"t\t1\t5\ta\\x", "bad escape"},
		{"t\t1\t5\tab\\", "bad escape"},
		{"t\t1\t5\t\\\\\\", "bad escape"},
		{"T\t1\t5", "bad type"},
		{"\t1\t5", "bad type"},
		{"t\t-1\t5", "bad sequence number"},
		{"t\t18446744073709551616\t5", "bad sequence number"},
		{"t\t1\t5x", "bad timestamp"},
		{"t\t1", "bad sequence number"},
		{"t", "too few columns"},
		{"t\t1\t5\t1\t2\t3\t4\t5\t6\t7\t8\t9\t10\t11\t12\t13\t14\t15\t16\t17", "too many fields"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mkline(&b, bad[i].content);
		const char *why = store_parse(b.p, b.len, 1, &l);
		check_eq_str(why, bad[i].why);
	}
	mkline(&b, "t\t1\t5\tx");
	b.p[6] ^= 1;
	check_eq_str(store_parse(b.p, b.len, 1, &l), "checksum mismatch");
	check_eq_str(store_parse("t\t1\t5", 5, 1, &l), "no checksum");

	/* unescape undoes escape, byte for byte, for every odd value */
	for (int i = 0; i < NODD; i++) {
		char esc[64], *e = store_escape(esc, odd[i], strlen(odd[i]));
		check_eq_int(store_unescape(esc, (size_t)(e - esc)), strlen(odd[i]));
		check(memcmp(esc, odd[i], strlen(odd[i])) == 0);
	}
	buf_free(&b);
	buf_free(&want);
}

static void rt_write_batches(struct store *s)
{
	/* batches of 1, 2, 3, ... records */
	for (int k = 0, size = 1; k < NRT; size++) {
		check(store_begin(s) == 0);
		for (int j = 0; j < size && k < NRT; j++, k++) {
			const char *type, *f[STORE_MAX_FIELDS];
			int nf = rt_record(k, &type, f);
			check(store_add(s, type, nf, f) == 0);
		}
		check(store_commit(s) == 0);
	}
}

static int rt_dump(void *ctx, struct store *s)
{
	(void)ctx;
	for (int k = 0; k < NRT; k++) {
		const char *type, *f[STORE_MAX_FIELDS];
		int nf = rt_record(k, &type, f);
		int rc = store_snap_put(s, type, nf, f);
		if (rc)
			return rc;
	}
	return 0;
}

static void test_roundtrip(void)
{
	const char *dir = fresh("rt");
	struct store s;
	struct got g = {0};
	char err[512];
	check(store_open(&s, dir, FSYNC_BATCH, got_apply, &g, err, sizeof err) == 0);
	check_eq_int(g.n, 0);
	rt_write_batches(&s);
	check_eq_int(s.seq, NRT);
	store_close(&s);

	/* through the log */
	check(store_open(&s, dir, FSYNC_BATCH, got_apply, &g, err, sizeof err) == 0);
	rt_expect(&g, 0);
	check_eq_int(s.seq, NRT);
	got_free(&g);

	/* through the snapshot */
	check(store_compact(&s, rt_dump, NULL) == 0);
	check_eq_int(s.log_bytes, 0);
	check_eq_int(file_size(dir, "events.log"), 0);
	check(file_size(dir, "snapshot") > 0);
	check_eq_int(store_bytes(&s), file_size(dir, "snapshot"));
	store_close(&s);
	check(store_open(&s, dir, FSYNC_BATCH, got_apply, &g, err, sizeof err) == 0);
	rt_expect(&g, 1);
	for (int k = 0; k < g.n; k++)
		check_eq_int(g.r[k].seq, NRT); /* snapshot records carry the seq it covers */
	check_eq_int(s.seq, NRT);
	check_eq_int(s.snap_seq, NRT);
	got_free(&g);

	/* sequence numbers go on from the snapshot */
	check(store_begin(&s) == 0);
	check(store_add(&s, "user", 1, odd) == 0);
	check(store_commit(&s) == 0);
	check_eq_int(s.seq, NRT + 1);
	store_close(&s);
	check(store_open(&s, dir, FSYNC_BATCH, got_apply, &g, err, sizeof err) == 0);
	check_eq_int(g.n, NRT + 1);
	check(g.n == NRT + 1 && g.r[NRT].seq == NRT + 1);
	store_close(&s);
	got_free(&g);

	/* files 0600 in a 0700 directory */
	const char *sub = fresh("modes");
	char deep[STORE_PATH_LEN];
	struct stat st;
	snprintf(deep, sizeof deep, "%s/a/b", sub);
	check(store_open(&s, deep, FSYNC_BATCH, NULL, NULL, err, sizeof err) == 0);
	check(store_compact(&s, rt_dump, NULL) == 0);
	store_close(&s);
	check(stat(deep, &st) == 0 && (st.st_mode & 0777) == 0700);
	static const char *const names[] = {"events.log", "snapshot", "lock"};
	for (int i = 0; i < 3; i++) {
		char p[STORE_PATH_LEN];
		store_path(p, deep, names[i]);
		check(stat(p, &st) == 0 && (st.st_mode & 0777) == 0600);
	}
}

static void test_api(void)
{
	const char *dir = fresh("api");
	struct store s;
	char err[512];
	const char *f[STORE_MAX_FIELDS + 1];
	for (int i = 0; i <= STORE_MAX_FIELDS; i++)
		f[i] = "v";
	check(store_open(&s, dir, FSYNC_BATCH, NULL, NULL, err, sizeof err) == 0);
	check_eq_int(store_add(&s, "user", 1, f), -EINVAL); /* outside a batch */
	check_eq_int(store_commit(&s), -EINVAL);
	check(store_begin(&s) == 0);
	check_eq_int(store_begin(&s), -EBUSY);
	check_eq_int(store_compact(&s, rt_dump, NULL), -EBUSY);
	check_eq_int(store_add(&s, "begin", 1, f), -EINVAL);
	check_eq_int(store_add(&s, "end", 1, f), -EINVAL);
	check_eq_int(store_add(&s, "User", 1, f), -EINVAL);
	check_eq_int(store_add(&s, "9user", 1, f), -EINVAL);
	check_eq_int(store_add(&s, "", 1, f), -EINVAL);
	check_eq_int(store_add(&s, NULL, 1, f), -EINVAL);
	check_eq_int(store_add(&s, "user", STORE_MAX_FIELDS + 1, f), -EINVAL);
	check_eq_int(store_add(&s, "user", -1, f), -EINVAL);
	const char *nul[1] = {NULL};
	check_eq_int(store_add(&s, "user", 1, nul), -EINVAL);
	check_eq_int(store_add(&s, "user", STORE_MAX_FIELDS, f), 0);

	/* too long once escaped: refused whole, never cut */
	char *big = malloc(STORE_MAX_LINE);
	memset(big, '\t', STORE_MAX_LINE / 2);
	big[STORE_MAX_LINE / 2] = '\0';
	const char *bf[1] = {big};
	check_eq_int(store_add(&s, "user", 1, bf), -E2BIG);
	memset(big, 'x', STORE_MAX_LINE - 100);
	big[STORE_MAX_LINE - 100] = '\0';
	check_eq_int(store_add(&s, "user", 1, bf), 0); /* long but fits */
	check_eq_int(s.batch_n, 2);
	check_eq_int(s.seq, 2);
	check(store_commit(&s) == 0);
	check_eq_int(s.log_bytes, file_size(dir, "events.log"));

	/* abort gives the sequence numbers back; an empty commit writes nothing */
	check(store_begin(&s) == 0);
	check(store_add(&s, "user", 1, f) == 0);
	store_abort(&s);
	check_eq_int(s.seq, 2);
	int64_t size = s.log_bytes;
	check(store_begin(&s) == 0);
	check(store_commit(&s) == 0);
	check_eq_int(file_size(dir, "events.log"), size);
	check_eq_int(store_snap_put(&s, "user", 1, f), -EINVAL); /* outside a compaction */
	store_close(&s);
	struct got g = {0};
	check(store_open(&s, dir, FSYNC_BATCH, got_apply, &g, err, sizeof err) == 0);
	check_eq_int(g.n, 2);
	check(g.n == 2 && g.r[1].fl[0] == STORE_MAX_LINE - 100);
	store_close(&s);
	got_free(&g);
	free(big);

	/* a callback that rejects a record stops start-up, naming the place */
	struct kv m = {0};
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == -EPROTO);
	check(strstr(err, "was rejected") != NULL);
	kv_free(&m);
	/* ... and the half-built state is never compacted over the data */
	int64_t log_before = file_size(dir, "events.log");
	check_eq_int(store_compact(&s, rt_dump, NULL), -EBADF);
	check_eq_int(file_size(dir, "events.log"), log_before);
	check(file_size(dir, "snapshot") <= 0);
}

/* The spill file reads ahead: bodies come back byte for byte in order, out
 * of order, past the window and bigger than it; after a reset the bytes
 * read ahead are gone (new puts at the same offsets are read, not the old). */
static void test_spill_ahead(void)
{
	const char *dir = fresh("spill");
	struct store s;
	char err[512];
	check(store_open(&s, dir, FSYNC_BATCH, NULL, NULL, err, sizeof err) == 0);
	enum { N = 100, LEN = 1000 };
	static char body[N][LEN], got[LEN], big[STORE_SPILL_AHEAD + 10], bigback[sizeof big];
	int64_t off[N], bigoff;
	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++) {
			memset(body[i], 'a' + (i + round) % 26, LEN);
			snprintf(body[i], LEN, "round %d body %d", round, i);
			check_eq_int(store_spill_put(&s, body[i], LEN, &off[i]), 0);
		}
		memset(big, 'z' - round, sizeof big);
		check_eq_int(store_spill_put(&s, big, sizeof big, &bigoff), 0);
		int ok = 1;
		for (int i = 0; i < N; i++) /* in order: one pread per window */
			ok &= store_spill_get(&s, off[i], LEN, got) == 0 && memcmp(got, body[i], LEN) == 0;
		for (int i = N - 1; i >= 0; i -= 7) /* backwards, across windows */
			ok &= store_spill_get(&s, off[i], LEN, got) == 0 && memcmp(got, body[i], LEN) == 0;
		check(ok);
		check_eq_int(store_spill_get(&s, bigoff, sizeof big, bigback), 0);
		check(memcmp(big, bigback, sizeof big) == 0);
		check(store_spill_get(&s, s.spill_end, 1, got) < 0); /* past the end: an error, not stale bytes */
		store_spill_reset(&s);
		check_eq_int((int)s.spill_end, 0);
	}
	store_close(&s);
}

static void test_fsync_modes(void)
{
	static const int modes[] = {FSYNC_BATCH, FSYNC_ALWAYS, FSYNC_OFF};
	for (int i = 0; i < 3; i++) {
		const char *dir = fresh("modes");
		struct store s;
		struct kv m = {0}, r = {0};
		char err[512];
		check(kv_open(&s, dir, modes[i], &r, err, sizeof err) == 0);
		kv_fill(&s, &m, 0, 3);
		check(store_begin(&s) == 0);
		check(kv_put(&s, &m, "a", "1") == 0 && kv_put(&s, &m, "b", "2") == 0 && kv_put(&s, &m, "c", "3") == 0);
		check(store_commit(&s) == 0);
		store_close(&s);
		check(kv_open(&s, dir, modes[i], &r, err, sizeof err) == 0);
		check(kv_equal(&m, &r));
		check_eq_int(s.seq, 6);
		store_close(&s);
		struct buf b = BUF_INIT;
		slurp(dir, "events.log", &b);
		check(b.p && strstr(b.p, "\nbegin\t4\t") != NULL); /* the batch header */
		buf_free(&b);
		kv_free(&m);
		kv_free(&r);
	}
}

/* Cut events.log at every byte of its last batch: start-up keeps everything
 * before it, sets the torn part aside, and can append again. */
static void torn_at_every_byte(const struct buf *full, size_t start, int keep)
{
	for (size_t cut = start; cut < full->len; cut++) {
		const char *dir = fresh("torn");
		spill(dir, "events.log", full->p, cut);
		struct store s;
		struct kv m = {0};
		char err[512];
		int rc = kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err);
		check_eq_int(rc, 0);
		check_eq_int(m.n, keep);
		check_eq_int(s.seq, keep);
		check_eq_int(file_size(dir, "events.log"), (int64_t)start);
		const char *torn = find_prefixed(dir, "events.log.torn-");
		check_eq_int(torn[0] != '\0', cut > start);
		if (cut > start) {
			struct buf t = BUF_INIT;
			slurp(dir, torn, &t);
			check(t.len == cut - start && memcmp(t.p, full->p + start, t.len) == 0);
			buf_free(&t);
		}
		if (rc == 0) {
			kv_fill(&s, &m, 100, 1);
			store_close(&s);
			check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), 0);
			check_eq_int(m.n, keep + 1);
			store_close(&s);
		}
		kv_free(&m);
	}
}

static void test_torn_tail(void)
{
	char dir[256]; /* fresh() reuses its slots: keep our own copy */
	snprintf(dir, sizeof dir, "%s", fresh("torn-src"));
	struct store s;
	struct kv m = {0};
	struct buf full = BUF_INIT;
	char err[512];
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 5);
	store_close(&s);
	slurp(dir, "events.log", &full);
	torn_at_every_byte(&full, line_off(full.p, full.len, 4), 4);

	/* a last batch of three goes whole or not at all */
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == 0);
	check(store_begin(&s) == 0);
	check(kv_put(&s, &m, "x", "1") == 0 && kv_put(&s, &m, "y", "2") == 0 && kv_put(&s, &m, "z", "3") == 0);
	check(store_commit(&s) == 0);
	store_close(&s);
	slurp(dir, "events.log", &full);
	torn_at_every_byte(&full, line_off(full.p, full.len, 5), 5);

	/* power loss: a later page of the last batch reached the disk and an
	 * earlier one did not (a damaged record inside it, its end intact) */
	const char *pl = fresh("powerloss");
	struct buf bad = BUF_INIT;
	buf_append(&bad, full.p, full.len);
	bad.p[line_off(bad.p, bad.len, 6) + 2] = '\0';
	spill(pl, "events.log", bad.p, bad.len);
	check_eq_int(kv_open(&s, pl, FSYNC_BATCH, &m, err, sizeof err), 0);
	check_eq_int(m.n, 5); /* the batch went whole */
	check_eq_int(count_prefixed(pl, "events.log.torn-"), 1);
	store_close(&s);
	/* ... but with a later commit after it, it is damage in the middle */
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == 0);
	kv_fill(&s, &m, 20, 1);
	store_close(&s);
	struct buf more = BUF_INIT;
	slurp(dir, "events.log", &more);
	more.p[line_off(more.p, more.len, 6) + 2] = '\0';
	pl = fresh("damage");
	spill(pl, "events.log", more.p, more.len);
	check_eq_int(kv_open(&s, pl, FSYNC_BATCH, &m, err, sizeof err), STORE_ECORRUPT);
	store_close(&s);
	buf_free(&more);
	buf_free(&bad);

	/* a bad checksum on the very last line is a torn tail too */
	const char *t = fresh("torn");
	full.p[full.len - 3] ^= 1;
	spill(t, "events.log", full.p, full.len);
	check_eq_int(kv_open(&s, t, FSYNC_BATCH, &m, err, sizeof err), 0);
	check_eq_int(m.n, 5);
	check_eq_int(count_prefixed(t, "events.log.torn-"), 1);
	store_close(&s);
	kv_free(&m);
	buf_free(&full);
}

static void test_damage_and_repair(void)
{
	const char *dir = fresh("damage");
	struct store s;
	struct kv m = {0};
	struct buf full = BUF_INIT, q = BUF_INIT;
	char err[512], want[128];
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 10);
	store_close(&s);
	slurp(dir, "events.log", &full);

	/* a flipped bit in record 5 of 10: start-up refuses with the offset */
	size_t off = line_off(full.p, full.len, 4);
	full.p[off + 12] ^= 0x01;
	spill(dir, "events.log", full.p, full.len);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), STORE_ECORRUPT);
	snprintf(want, sizeof want, "byte offset %zu", off);
	check(strstr(err, want) != NULL);
	check(strstr(err, "examflow repair") != NULL);
	check(strstr(err, "events.log") != NULL);
	check_eq_int(file_size(dir, "events.log"), (int64_t)full.len); /* untouched */

	/* repair refuses while someone holds the directory */
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	int lock = store_lock(dir, err, sizeof err);
	check(lock >= 0);
	check(store_repair(dir, f) < 0);
	close(lock);

	/* repair moves record 5 and the rest aside and keeps 1-4 */
	check_eq_int(store_repair(dir, f), 0);
	fclose(f);
	check(strstr(out, "stop the bot first") != NULL);
	check(strstr(out, want) != NULL);
	check(strstr(out, "events.log.quarantine-") != NULL);
	check(strstr(out, "kept 4 records") != NULL);
	check(strstr(out, "verified") != NULL);
	free(out);
	const char *qname = find_prefixed(dir, "events.log.quarantine-");
	slurp(dir, qname, &q);
	check(q.len == full.len - off && memcmp(q.p, full.p + off, q.len) == 0);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), 0);
	check_eq_int(m.n, 4);
	check_eq_int(s.seq, 4);
	kv_fill(&s, &m, 20, 1);
	check_eq_int(s.seq, 5);
	store_close(&s);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), 0);
	check_eq_int(m.n, 5);
	store_close(&s);

	/* nothing to repair */
	f = open_memstream(&out, &outlen);
	check_eq_int(store_repair(dir, f), 0);
	fclose(f);
	check(strstr(out, "nothing to repair") != NULL);
	free(out);

	/* damage inside a batch: the whole batch goes to quarantine */
	dir = fresh("damage2");
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 3);
	check(store_begin(&s) == 0);
	check(kv_put(&s, &m, "x", "1") == 0 && kv_put(&s, &m, "y", "2") == 0 && kv_put(&s, &m, "z", "3") == 0);
	check(store_commit(&s) == 0);
	kv_fill(&s, &m, 10, 2);
	store_close(&s);
	slurp(dir, "events.log", &full);
	full.p[line_off(full.p, full.len, 5) + 10] ^= 0x02; /* the batch's second record */
	spill(dir, "events.log", full.p, full.len);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), STORE_ECORRUPT);
	f = open_memstream(&out, &outlen);
	check_eq_int(store_repair(dir, f), 0);
	fclose(f);
	snprintf(want, sizeof want, "from byte offset %zu", line_off(full.p, full.len, 3));
	check(strstr(out, want) != NULL);
	free(out);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), 0);
	check_eq_int(m.n, 3);
	store_close(&s);

	/* a line with a good checksum but a sequence number going back is
	 * damage, not a torn tail, even at the very end */
	dir = fresh("damage3");
	struct buf b = BUF_INIT, line = BUF_INIT;
	const char *fv[2] = {"k", "v"};
	for (int seq = 1; seq <= 3; seq++)
		store_put_line(&b, "set", (uint64_t)seq, 0, 2, fv);
	store_put_line(&b, "set", 2, 0, 2, fv);
	spill(dir, "events.log", b.p, b.len);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), STORE_ECORRUPT);
	check(strstr(err, "out of order") != NULL);
	/* a snapshot framing line in the log is damage too */
	buf_reset(&b);
	store_put_line(&b, "set", 1, 0, 2, fv);
	mkline(&line, "end\t2\t0\t0");
	buf_append(&b, line.p, line.len);
	buf_putc(&b, '\n');
	store_put_line(&b, "set", 3, 0, 2, fv);
	spill(dir, "events.log", b.p, b.len);
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err), STORE_ECORRUPT);
	buf_free(&b);
	buf_free(&line);
	kv_free(&m);
	buf_free(&full);
	buf_free(&q);
}

/* Writes half the snapshot to disk, then dies like a kill -9 would. */
static int die_halfway_dump(void *ctx, struct store *s)
{
	struct kv *m = ctx;
	for (int i = 0; i < m->n / 2; i++) {
		const char *f[2] = {m->key[i], m->val[i]};
		store_snap_put(s, "set", 2, f);
	}
	store_snap_flush(s);
	raise(SIGKILL);
	return 0;
}

static void test_half_snapshot(void)
{
	const char *dir = fresh("halfsnap");
	struct store s;
	struct kv m = {0}, r = {0};
	struct buf b = BUF_INIT;
	char err[512];
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 20);
	check(store_compact(&s, kv_dump, &m) == 0);
	kv_fill(&s, &m, 20, 10); /* state B: snapshot + log */
	store_close(&s);

	pid_t pid = fork();
	if (pid == 0) {
		struct kv c = {0};
		if (kv_open(&s, dir, FSYNC_BATCH, &c, err, sizeof err) == 0)
			store_compact(&s, die_halfway_dump, &c);
		_exit(1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	check(file_size(dir, "snapshot.tmp") > 0);
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	check(kv_equal(&m, &r));
	check_eq_int(file_size(dir, "snapshot.tmp"), -1);
	store_close(&s);

	/* a leftover temp file with a bad checksum: the same */
	slurp(dir, "snapshot", &b);
	b.p[20] ^= 4;
	spill(dir, "snapshot.tmp", b.p, b.len);
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	check(kv_equal(&m, &r));
	store_close(&s);

	/* the snapshot itself damaged: refused (the log alone would silently
	 * lose the state), and repair says to restore from a backup */
	b.p[20] ^= 4;
	static const size_t cuts[] = {0, 1, 40};
	for (int i = 0; i < 3; i++) {
		size_t len = cuts[i] ? b.len - cuts[i] : b.len;
		if (cuts[i] == 0)
			b.p[b.len - 4] ^= 1; /* trailer checksum */
		spill(dir, "snapshot", b.p, len);
		if (cuts[i] == 0)
			b.p[b.len - 4] ^= 1;
		check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err), STORE_ECORRUPT);
		check(strstr(err, "snapshot is damaged") != NULL);
	}
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	check_eq_int(store_repair(dir, f), STORE_ECORRUPT);
	fclose(f);
	check(strstr(out, "restore data_dir from a backup") != NULL);
	free(out);
	spill(dir, "snapshot", b.p, b.len);
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	check(kv_equal(&m, &r));
	store_close(&s);
	buf_free(&b);
	kv_free(&m);
	kv_free(&r);
}

/* Runs in a child: commits fail with EFBIG past RLIMIT_FSIZE, leave nothing
 * behind, and succeed once the limit is raised.  Exit code 0 if all held. */
static int disk_full_child(const char *dir)
{
	int failed0 = check_failed;
	struct store s;
	struct kv m = {0}, r = {0};
	char err[512], v[80];
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 3);
	int64_t size0 = s.log_bytes;
	struct rlimit old, small;
	check(getrlimit(RLIMIT_FSIZE, &old) == 0);
	small = old;
	small.rlim_cur = (rlim_t)size0 + 40;
	check(setrlimit(RLIMIT_FSIZE, &small) == 0);

	check(store_begin(&s) == 0);
	memset(v, 'x', sizeof v - 1);
	v[sizeof v - 1] = '\0';
	check(kv_put(&s, &m, "a", v) == 0 && kv_put(&s, &m, "b", v) == 0 && kv_put(&s, &m, "c", v) == 0);
	check_eq_int(store_commit(&s), -EFBIG);
	check_eq_int(file_size(dir, "events.log"), size0); /* cut back */
	check_eq_int(store_commit(&s), -EFBIG);            /* still full: still nothing */
	check_eq_int(file_size(dir, "events.log"), size0);
	check(setrlimit(RLIMIT_FSIZE, &old) == 0);
	check_eq_int(store_commit(&s), 0); /* the same batch, retried */

	/* compaction on a full disk keeps the old snapshot and log */
	int64_t size1 = s.log_bytes;
	small.rlim_cur = 10;
	check(setrlimit(RLIMIT_FSIZE, &small) == 0);
	check_eq_int(store_compact(&s, kv_dump, &m), -EFBIG);
	check_eq_int(file_size(dir, "snapshot.tmp"), -1);
	check_eq_int(file_size(dir, "snapshot"), -1);
	check_eq_int(file_size(dir, "events.log"), size1);
	check(setrlimit(RLIMIT_FSIZE, &old) == 0);
	kv_fill(&s, &m, 10, 1);
	store_close(&s);
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	check(kv_equal(&m, &r));
	check_eq_int(s.seq, 7);
	store_close(&s);
	kv_free(&m);
	kv_free(&r);
	return check_failed > failed0;
}

/* Runs in a child: a torn tail that cannot be saved aside (the disk is
 * full) is cut in place, and start-up goes on. */
static int torn_full_child(const char *dir)
{
	int failed0 = check_failed;
	struct store s;
	struct kv m = {0};
	char err[512];
	check(kv_open(&s, dir, FSYNC_BATCH, &m, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 3);
	int64_t good = s.log_bytes;
	store_close(&s);
	char junk[4096];
	memset(junk, 'j', sizeof junk); /* no newline: torn */
	char path[PATH_MAX_LEN + 16];
	snprintf(path, sizeof path, "%s/events.log", dir);
	int fd = open(path, O_WRONLY | O_APPEND);
	check(fd >= 0 && write(fd, junk, sizeof junk) == (ssize_t)sizeof junk);
	close(fd);
	struct rlimit old, small;
	check(getrlimit(RLIMIT_FSIZE, &old) == 0);
	small = old;
	small.rlim_cur = 1024; /* smaller than the tail: it cannot be copied aside */
	check(setrlimit(RLIMIT_FSIZE, &small) == 0);
	struct kv r = {0};
	check_eq_int(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err), 0);
	check_eq_int((int)s.tail_lost, (int)sizeof junk);
	check_eq_int(file_size(dir, "events.log"), good);
	check_eq_int(count_prefixed(dir, "events.log.torn-"), 0);
	check(kv_equal(&m, &r));
	store_close(&s);
	check(setrlimit(RLIMIT_FSIZE, &old) == 0);
	kv_free(&m);
	kv_free(&r);
	return check_failed > failed0;
}

static void test_disk_full(void)
{
	const char *tf = fresh("torn-full");
	fflush(NULL);
	pid_t tp = fork();
	if (tp == 0)
		_exit(torn_full_child(tf));
	int tstatus = 0;
	waitpid(tp, &tstatus, 0);
	check(WIFEXITED(tstatus) && WEXITSTATUS(tstatus) == 0);

	const char *dir = fresh("full");
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0)
		_exit(disk_full_child(dir));
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status)); /* not killed by SIGXFSZ */
	check_eq_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
}

static void test_lock(void)
{
	const char *dir = fresh("lock");
	struct store s;
	char err[512];
	check(store_open(&s, dir, FSYNC_BATCH, NULL, NULL, err, sizeof err) == 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		struct store t;
		char e[512], want[64];
		int rc = store_open(&t, dir, FSYNC_BATCH, NULL, NULL, e, sizeof e);
		snprintf(want, sizeof want, "is in use by pid %ld", (long)getppid());
		_exit(rc == -EWOULDBLOCK && strstr(e, want) ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	store_close(&s);
	pid = fork();
	if (pid == 0) {
		struct store t;
		char e[512];
		int rc = store_open(&t, dir, FSYNC_BATCH, NULL, NULL, e, sizeof e);
		store_close(&t);
		_exit(rc == 0 ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_compaction(void)
{
	const char *dir = fresh("compact");
	struct store s;
	struct kv m = {0}, r1 = {0}, r2 = {0};
	char err[512], k[32], v[96];
	unsigned seed = 12345;
	check(kv_open(&s, dir, FSYNC_OFF, &r1, err, sizeof err) == 0);
	for (int i = 0; i < 3000;) {
		int n = 1 + (int)(rand_r(&seed) % 5);
		check(store_begin(&s) == 0);
		for (int j = 0; j < n; j++, i++) {
			snprintf(k, sizeof k, "user%u", rand_r(&seed) % 50);
			if (rand_r(&seed) % 7 == 0) {
				const char *f[1] = {k};
				kv_del(&m, k);
				check(store_add(&s, "del", 1, f) == 0);
			} else {
				snprintf(v, sizeof v, "%d\t%s\n%s", i, odd[i % NODD], odd[(i + 3) % NODD]);
				check(kv_put(&s, &m, k, v) == 0);
			}
		}
		check(store_commit(&s) == 0);
		if (i > 1500 && i < 1506)
			check(store_compact(&s, kv_dump, &m) == 0);
	}
	uint64_t seq = s.seq;
	store_close(&s);
	check(kv_open(&s, dir, FSYNC_OFF, &r1, err, sizeof err) == 0); /* snapshot + log */
	check(kv_equal(&m, &r1));
	check_eq_int(s.seq, seq);
	check(store_compact(&s, kv_dump, &r1) == 0);
	store_close(&s);
	check(kv_open(&s, dir, FSYNC_OFF, &r2, err, sizeof err) == 0); /* snapshot only */
	check(kv_equal(&r1, &r2));
	check_eq_int(s.seq, seq);
	check_eq_int(s.log_bytes, 0);
	store_close(&s);

	/* a crash between the snapshot's rename and cutting the log: the old
	 * log's records are all covered by the snapshot and skipped */
	struct buf oldlog = BUF_INIT;
	check(kv_open(&s, dir, FSYNC_OFF, &r2, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 5);
	slurp(dir, "events.log", &oldlog);
	check(store_compact(&s, kv_dump, &m) == 0);
	store_close(&s);
	spill(dir, "events.log", oldlog.p, oldlog.len);
	check(kv_open(&s, dir, FSYNC_OFF, &r2, err, sizeof err) == 0);
	check(kv_equal(&m, &r2));
	check_eq_int(s.seq, seq + 5);
	kv_fill(&s, &m, 40, 2); /* and appending after them works */
	store_close(&s);
	check(kv_open(&s, dir, FSYNC_OFF, &r2, err, sizeof err) == 0);
	check(kv_equal(&m, &r2));
	check_eq_int(s.seq, seq + 7);
	store_close(&s);
	buf_free(&oldlog);
	kv_free(&m);
	kv_free(&r1);
	kv_free(&r2);
}

static void test_bounded_growth(void)
{
	const char *dir = fresh("growth");
	struct store s;
	struct kv m = {0}, r = {0};
	char err[512], k[32], v[64];
	int compactions = 0;
	int64_t most = 0;
	check(kv_open(&s, dir, FSYNC_OFF, &r, err, sizeof err) == 0);
	s.compact_min_bytes = 16 * 1024;
	s.compact_factor = 4;
	for (int i = 0; i < 20000; i++) {
		snprintf(k, sizeof k, "user%d", i % 5);
		snprintf(v, sizeof v, "points=%d streak=%d", i, i / 5);
		check(store_begin(&s) == 0);
		kv_put(&s, &m, k, v);
		check(store_commit(&s) == 0);
		if (store_compact_needed(&s)) {
			check(store_compact(&s, kv_dump, &m) == 0);
			compactions++;
		}
		most = store_bytes(&s) > most ? store_bytes(&s) : most;
	}
	check(compactions > 10);
	check(most < 20 * 1024);
	check(file_size(dir, "events.log") + file_size(dir, "snapshot") < 20 * 1024);
	store_close(&s);
	check(kv_open(&s, dir, FSYNC_OFF, &r, err, sizeof err) == 0);
	check(kv_equal(&m, &r));
	check_eq_int(s.seq, 20000);
	store_close(&s);
	kv_free(&m);
	kv_free(&r);
}

static void test_backup(void)
{
	const char *dir = fresh("backup-src");
	char dest[STORE_PATH_LEN];
	snprintf(dest, sizeof dest, "%s/backup-dest/2026-01-01", root);
	rm_rf(dest);
	struct store s, t;
	struct kv m = {0}, r = {0};
	char err[512];
	check(kv_open(&s, dir, FSYNC_BATCH, &r, err, sizeof err) == 0);
	kv_fill(&s, &m, 0, 10);
	check(store_compact(&s, kv_dump, &m) == 0);
	kv_fill(&s, &m, 10, 5);
	check(store_begin(&s) == 0);
	check(kv_put(&s, &m, "x", "1") == 0 && kv_put(&s, &m, "y", "2") == 0);
	check(store_commit(&s) == 0);
	/* a commit in progress: half a batch at the end of the log */
	struct buf half = BUF_INIT;
	const char *fv[2] = {"never", "committed"};
	store_put_line(&half, "begin", 18, 0, 1, (const char *[]){"2"});
	store_put_line(&half, "set", 18, 0, 2, fv);
	char lp[STORE_PATH_LEN];
	store_path(lp, dir, "events.log");
	int lfd = open(lp, O_WRONLY | O_APPEND);
	check(write_all(lfd, half.p, half.len) == 0);
	close(lfd);

	/* while the store is open (locked) */
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	check_eq_int(store_backup(dir, dest, f), 0);
	fclose(f);
	check(strstr(out, "/snapshot: ") != NULL);
	check(strstr(out, "records up to seq 17") != NULL);
	check(strstr(out, "verified") != NULL);
	free(out);
	check(file_size(dest, "lock") == -1);
	check(kv_open(&t, dest, FSYNC_BATCH, &r, err, sizeof err) == 0);
	check(kv_equal(&m, &r));
	check_eq_int(t.seq, 17);
	check_eq_int(count_prefixed(dest, "events.log.torn"), 0);
	store_close(&t);

	/* nothing to back up is an error, not an empty copy */
	f = open_memstream(&out, &outlen);
	check_eq_int(store_backup(fresh("empty"), dest, f), -ENOENT);
	fclose(f);
	free(out);

	/* never over an existing backup */
	f = open_memstream(&out, &outlen);
	check_eq_int(store_backup(dir, dest, f), -ENOTEMPTY);
	fclose(f);
	free(out);

	/* a planted link in an existing directory is never written through */
	char planted[PATH_MAX_LEN], victim[PATH_MAX_LEN], link[PATH_MAX_LEN + 8];
	/* (own paths: fresh() reuses its buffers, and dir is one of them) */
	snprintf(planted, sizeof planted, "%s/planted", root);
	mkdir(planted, 0700);
	snprintf(victim, sizeof victim, "%s/victim", root);
	write_file_atomic(victim, "precious\n", 9);
	snprintf(link, sizeof link, "%s/lock", planted);
	check(symlink(victim, link) == 0);
	f = open_memstream(&out, &outlen);
	check_eq_int(store_backup(dir, planted, f), -ENOTEMPTY);
	fclose(f);
	free(out);
	struct buf vb = BUF_INIT;
	check(read_file(victim, &vb, 100) == 0 && vb.p && strcmp(vb.p, "precious\n") == 0);
	buf_free(&vb);
	/* a directory others may write to is refused */
	char shared[PATH_MAX_LEN];
	snprintf(shared, sizeof shared, "%s/shared", root);
	mkdir(shared, 0700);
	chmod(shared, 0777);
	f = open_memstream(&out, &outlen);
	check_eq_int(store_backup(dir, shared, f), -EPERM);
	fclose(f);
	free(out);
	/* an empty directory of ours is fine */
	f = open_memstream(&out, &outlen);
	char empty_ok[PATH_MAX_LEN];
	snprintf(empty_ok, sizeof empty_ok, "%s/empty-ok", root);
	mkdir(empty_ok, 0700);
	check_eq_int(store_backup(dir, empty_ok, f), 0);
	fclose(f);
	free(out);
	/* write_file_atomic replaces a link at the path, it never writes through it */
	char lpath[PATH_MAX_LEN + 16];
	snprintf(lpath, sizeof lpath, "%s/health.json", planted);
	check(symlink(victim, lpath) == 0);
	check(write_file_atomic(lpath, "{}\n", 3) == 0);
	vb = (struct buf)BUF_INIT;
	check(read_file(victim, &vb, 100) == 0 && vb.p && strcmp(vb.p, "precious\n") == 0);
	buf_free(&vb);
	/* data_dir writable by others is refused at open */
	char msg[LOG_LINE_MAX];
	struct store o;
	check(store_open(&o, shared, FSYNC_OFF, NULL, NULL, msg, sizeof msg) == -EPERM);
	check(strstr(msg, "not ours") != NULL);
	store_close(&s);
	buf_free(&half);
	kv_free(&m);
	kv_free(&r);
}

/* --- the kill -9 loop ---------------------------------------------------- */

/* The child writes batches of "kv" records: record v sets key v % CH_KEYS
 * to v, batch sizes follow from the first seq, so the state after any whole
 * number of batches is known exactly; a "total" record in the snapshot
 * counts the records behind it. */
#define CH_KEYS 37
struct chaos {
	uint64_t val[CH_KEYS], total, prev_seq;
	int bad;
};

static int chaos_batch_size(uint64_t first) { return 1 + (int)(first % 4); }

/* Every 8th record is big, so that some kills land inside a multi-page
 * write and leave a torn tail behind. */
#define CH_PAYLOAD 32768
static void chaos_payload(char *out, size_t n, uint64_t v)
{
	int len = snprintf(out, n, "v%" PRIu64 "\t\\ ё😀\n\r%" PRIu64, v, v * 7919);
	if (v % 8 == 0) {
		memset(out + len, 'x', n - (size_t)len - 1);
		out[n - 1] = '\0';
	}
}

static int chaos_apply(void *ctx, const struct store_rec *r)
{
	struct chaos *c = ctx;
	static char want[CH_PAYLOAD];
	uint64_t v;
	if (r->seq < c->prev_seq)
		c->bad++;
	c->prev_seq = r->seq;
	if (strcmp(r->type, "total") == 0) {
		if (r->nf != 1 || store_parse_u64(r->f[0], r->flen[0], &c->total) < 0)
			c->bad++;
		return 0;
	}
	if (strcmp(r->type, "kv") != 0 || r->nf != 3 || store_parse_u64(r->f[1], r->flen[1], &v) < 0) {
		c->bad++;
		return 0;
	}
	chaos_payload(want, sizeof want, v);
	int k = atoi(r->f[0] + 1);
	if (r->f[0][0] != 'k' || (uint64_t)k != v % CH_KEYS || strcmp(r->f[2], want) != 0 || r->flen[2] != strlen(want))
		c->bad++;
	else
		c->val[k] = v;
	c->total++;
	return 0;
}

static int chaos_dump(void *ctx, struct store *s)
{
	struct chaos *c = ctx;
	char key[16], val[24];
	static char pay[CH_PAYLOAD];
	const char *f[3] = {key, val, pay};
	for (int k = 0; k < CH_KEYS; k++) {
		if (!c->val[k])
			continue;
		snprintf(key, sizeof key, "k%d", k);
		snprintf(val, sizeof val, "%" PRIu64, c->val[k]);
		chaos_payload(pay, sizeof pay, c->val[k]);
		store_snap_put(s, "kv", 3, f);
	}
	snprintf(val, sizeof val, "%" PRIu64, c->total);
	f[0] = val;
	return store_snap_put(s, "total", 1, f);
}

static void chaos_child(const char *dir, int wfd)
{
	struct chaos c = {0};
	struct store s;
	char err[512], key[16], val[24];
	static char pay[CH_PAYLOAD];
	const char *f[3] = {key, val, pay};
	if (store_open(&s, dir, FSYNC_BATCH, chaos_apply, &c, err, sizeof err) < 0)
		_exit(3);
	s.compact_factor = 2;
	s.compact_min_bytes = 8 * 1024;
	for (;;) {
		uint64_t first = s.seq + 1, last = first + (uint64_t)chaos_batch_size(first) - 1;
		store_begin(&s);
		for (uint64_t v = first; v <= last; v++) {
			snprintf(key, sizeof key, "k%d", (int)(v % CH_KEYS));
			snprintf(val, sizeof val, "%" PRIu64, v);
			chaos_payload(pay, sizeof pay, v);
			if (store_add(&s, "kv", 3, f) < 0)
				_exit(4);
		}
		if (store_commit(&s) < 0)
			_exit(5);
		for (uint64_t v = first; v <= last; v++)
			c.val[v % CH_KEYS] = v;
		c.total += last - first + 1;
		if (write(wfd, &last, sizeof last) != sizeof last) /* < PIPE_BUF: atomic */
			_exit(6);
		if (store_compact_needed(&s) && store_compact(&s, chaos_dump, &c) < 0)
			_exit(7);
	}
}

/* Is seq the last record of a batch (or 0)? */
static int chaos_boundary(uint64_t seq)
{
	uint64_t b = 1;
	while (b - 1 < seq)
		b += (uint64_t)chaos_batch_size(b);
	return b - 1 == seq;
}

static void test_chaos(unsigned seed)
{
	const char *env = getenv("EXAMFLOW_CHAOS");
	int iters = env && atoi(env) > 0 ? 1000 : 100, kills = 0, torn = 0;
	uint64_t most = 0;
	const char *dir = fresh("chaos");
	srand(seed);
	for (int it = 0; it < iters; it++) {
		int p[2];
		check(pipe(p) == 0);
		fflush(NULL);
		pid_t pid = fork();
		if (pid == 0) {
			close(p[0]);
			chaos_child(dir, p[1]);
		}
		close(p[1]);
		usleep((useconds_t)(rand() % 25000));
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
			check(!"chaos child died by itself");
			fprintf(stderr, "     iteration %d: status %d\n", it, status);
		} else {
			kills++;
		}
		uint64_t v, committed = 0;
		while (read(p[0], &v, sizeof v) == sizeof v)
			committed = v;
		close(p[0]);

		struct chaos c = {0};
		struct store s;
		char err[512];
		int rc = store_open(&s, dir, FSYNC_BATCH, chaos_apply, &c, err, sizeof err);
		check_eq_int(rc, 0);
		if (rc < 0) {
			fprintf(stderr, "     iteration %d: %s\n", it, err);
			break;
		}
		uint64_t last = s.seq;
		int ok = c.bad == 0 && last >= committed && chaos_boundary(last) && c.total == last;
		for (int k = 0; k < CH_KEYS && ok; k++) {
			uint64_t want = 0;
			for (uint64_t x = last; x >= 1 && x + CH_KEYS > last; x--)
				if (x % CH_KEYS == (uint64_t)k)
					want = x;
			ok = c.val[k] == want;
		}
		check(ok);
		if (!ok)
			fprintf(stderr, "     iteration %d: replayed up to seq %" PRIu64 ", committed %" PRIu64
			        ", total %" PRIu64 ", bad %d\n", it, last, committed, c.total, c.bad);
		store_close(&s);
		torn = count_prefixed(dir, "events.log.torn-");
		most = last;
	}
	printf("chaos: %d kills (seed %u), %" PRIu64 " records committed, %d torn tails cut\n", kills, seed, most, torn);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(root, sizeof root, "%s/unit_store.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	if (!getenv("EXAMFLOW_TEST_VERBOSE"))
		logst.level = LOG_ERROR + 1; /* the tests provoke every error on purpose */
	const char *s = getenv("EXAMFLOW_SEED");
	unsigned seed = s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL) ^ (unsigned)getpid();
	(void)cfg;

	test_format();
	test_roundtrip();
	test_api();
	test_spill_ahead();
	test_fsync_modes();
	test_torn_tail();
	test_damage_and_repair();
	test_half_snapshot();
	test_disk_full();
	test_lock();
	test_compaction();
	test_bounded_growth();
	test_backup();
	test_chaos(seed);

	rm_rf(root);
	return check_done();
}
