/* libFuzzer target for section 4 (JSON): the tokenizer on arbitrary bytes,
 * then every accessor on what it accepted, with invariants that abort():
 *  - counting mode (toks == NULL) agrees with the real parse, and one token
 *    less is JSON_ERR_NOMEM;
 *  - a prefix of an accepted document is never rejected with anything but
 *    JSON_ERR_INCOMPLETE, unless it is itself a document;
 *  - tokens are in document order, inside the input, with sane parents, and
 *    json_next() skips exactly a subtree;
 *  - every key of every object is found again by json_obj_get();
 *  - every string unescapes to valid UTF-8 that the writer turns back into
 *    a one-token document which unescapes to the same bytes.
 * Build and run: make fuzz (FUZZ_SECONDS=60). */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"

#define FUZZ_TOKS 512

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "invariant failed: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static void fuzz_tokens(const char *buf, size_t len, const struct json_tok *t, int n)
{
	FUZZ_ASSERT(t[0].parent == -1);
	for (int i = 0; i < n; i++) {
		FUZZ_ASSERT(t[i].type >= JSON_OBJECT && t[i].type <= JSON_NULL);
		FUZZ_ASSERT(t[i].start >= 0 && t[i].start <= t[i].end && (size_t)t[i].end <= len);
		FUZZ_ASSERT(i == 0 || t[i].start > t[i - 1].start);
		FUZZ_ASSERT(i == 0 || (t[i].parent >= 0 && t[i].parent < i));
		if (i > 0) {
			const struct json_tok *p = &t[t[i].parent];
			FUZZ_ASSERT(p->type == JSON_OBJECT || p->type == JSON_ARRAY);
			FUZZ_ASSERT(t[i].start > p->start && t[i].end < p->end);
		}
		int nx = json_next(t, n, i);
		FUZZ_ASSERT(nx > i && nx <= n);
		for (int j = i + 1; j < nx; j++)
			FUZZ_ASSERT(t[j].start < t[i].end);
		if (t[i].type == JSON_OBJECT) {
			/* count the members by walking them, and look each key up */
			int k = i + 1, m = 0;
			for (; m < t[i].size; m++) {
				FUZZ_ASSERT(k + 1 < nx && t[k].type == JSON_STRING && t[k].parent == i);
				struct buf key = BUF_INIT;
				if (json_get_str(buf, t, k, &key) == 0 && !memchr(key.p, '\0', key.len)) {
					int v = json_obj_get(buf, t, n, i, key.p);
					FUZZ_ASSERT(v > i && v <= k + 1 && json_eq(buf, t, v - 1, key.p));
					if (!strchr(key.p, '.') && key.len)
						FUZZ_ASSERT(json_path(buf, t, n, i, key.p) == v);
				}
				buf_free(&key);
				k = json_next(t, n, k + 1);
			}
			FUZZ_ASSERT(k == nx);
		} else if (t[i].type == JSON_ARRAY) {
			int k = i + 1, m = 0;
			for (; m < t[i].size; m++) {
				FUZZ_ASSERT(k < nx && t[k].parent == i);
				if (m < 3)
					FUZZ_ASSERT(json_arr_get(t, n, i, m) == k);
				k = json_next(t, n, k);
			}
			FUZZ_ASSERT(k == nx);
		} else {
			FUZZ_ASSERT(t[i].size == 0 && nx == i + 1);
		}
	}
}

static void fuzz_scalars(const char *buf, const struct json_tok *t, int n)
{
	for (int i = 0; i < n; i++) {
		int64_t v;
		int b;
		if (json_get_i64(buf, t, i, &v) == 0) {
			struct buf w = BUF_INIT;
			/* a plain integer prints back as itself, except "-0" */
			FUZZ_ASSERT(json_w_i64(&w, v) == 0);
			int len = t[i].end - t[i].start;
			FUZZ_ASSERT((size_t)len == w.len ? memcmp(w.p, buf + t[i].start, w.len) == 0 : v == 0);
			buf_free(&w);
		}
		if (json_get_bool(buf, t, i, &b) == 0)
			FUZZ_ASSERT(b == (t[i].type == JSON_TRUE));
		FUZZ_ASSERT(json_is_null(buf, t, i) == (t[i].type == JSON_NULL));
		if (t[i].type != JSON_STRING)
			continue;
		struct buf s = BUF_INIT, w = BUF_INIT, r = BUF_INIT;
		struct json_tok t2[2];
		FUZZ_ASSERT(json_get_str(buf, t, i, &s) == 0);
		FUZZ_ASSERT(s.len <= (size_t)(t[i].end - t[i].start));
		/* the unescaped bytes are valid UTF-8 (the writer must leave them alone) */
		FUZZ_ASSERT(json_w_strn(&w, s.p, s.len) == 0);
		FUZZ_ASSERT(json_parse(w.p, w.len, t2, 2) == 1);
		FUZZ_ASSERT(json_get_str(w.p, t2, 0, &r) == 0);
		FUZZ_ASSERT(r.len == s.len && memcmp(r.p, s.p, s.len) == 0);
		if (!memchr(s.p, '\0', s.len)) {
			FUZZ_ASSERT(json_eq(buf, t, i, s.p));
			char *d = json_strdup(buf, t, i);
			FUZZ_ASSERT(d && strcmp(d, s.p) == 0);
			free(d);
		} else {
			FUZZ_ASSERT(json_strdup(buf, t, i) == NULL);
		}
		buf_free(&s);
		buf_free(&w);
		buf_free(&r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct json_tok t[FUZZ_TOKS];
	/* a private copy of exactly size bytes: any read past it is caught */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	size_t off = 0, count_off = 0;
	int n = json_parse_ex(buf, size, t, FUZZ_TOKS, &off);
	int counted = json_parse_ex(buf, size, NULL, INT_MAX, &count_off);
	/* errors come in document order: running out of tokens may come first */
	FUZZ_ASSERT(n == counted || (n == JSON_ERR_NOMEM && (counted > FUZZ_TOKS || (counted < 0 && count_off >= off))));
	FUZZ_ASSERT(n != counted || n >= 0 || off == count_off);
	FUZZ_ASSERT(n != 0);
	if (n < 0) {
		FUZZ_ASSERT(off <= size);
		FUZZ_ASSERT(n != JSON_ERR_INCOMPLETE || off == size);
		FUZZ_ASSERT(strcmp(json_strerror(n), "unknown JSON error") != 0);
		free(buf);
		return 0;
	}
	FUZZ_ASSERT(json_parse(buf, size, t, n - 1) == JSON_ERR_NOMEM);
	n = json_parse(buf, size, t, FUZZ_TOKS);
	/* prefixes: "need more", or themselves a document */
	size_t cuts[2] = {size - 1, size / 2};
	for (int c = 0; c < 2; c++) {
		int rc = json_parse(buf, cuts[c], NULL, INT_MAX);
		FUZZ_ASSERT(rc == JSON_ERR_INCOMPLETE || rc > 0);
	}
	fuzz_tokens(buf, size, t, n);
	fuzz_scalars(buf, t, n);
	json_path(buf, t, n, 0, "message.chat.id");
	json_path(buf, t, n, 0, "candidates.0.content.parts.0.text");
	json_path(buf, t, n, 0, "0.0.0");
	free(buf);
	return 0;
}
