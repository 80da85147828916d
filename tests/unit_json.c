/* Unit tests for section 4 (JSON): tokenizer, accessors, writer.
 *
 * not tested:
 *  - the writer running out of memory (buf_reserve failing); the paths are
 *    the same "return -1" as misuse, which is tested;
 *  - documents of 2 GiB and more (JSON_ERR_TOOBIG): we do not allocate that
 *    in a unit test;
 *  - speed: tests/bench.py prints it, nothing here asserts a time.
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

#define NTOKS 512
#define JSON_ISDIGIT_T(c) ((c) >= '0' && (c) <= '9')

/* --- the table -------------------------------------------------------------------- */

struct row {
	const char *doc;
	int len;  /* -1: strlen(doc) */
	int want; /* token count, or the JSON_ERR_* expected */
	int off;  /* expected error offset; -1: not checked */
};

/* Valid documents.  Each one is also cut at every length: see test_prefixes(). */
static const struct row valid[] = {
	{"{}", -1, 1, -1},
	{"[]", -1, 1, -1},
	{"\"\"", -1, 1, -1},
	{"\"a\"", -1, 1, -1},
	{"true", -1, 1, -1},
	{"false", -1, 1, -1},
	{"null", -1, 1, -1},
	{"[[[]]]", -1, 3, -1},
	{"[{}]", -1, 2, -1},
	{"{\"\":\"\"}", -1, 3, -1},
	{"{\"a\":{\"a\":{\"a\":[]}}}", -1, 7, -1},
	{"{\"a\":1,\"b\":[true,false,null],\"c\":{\"d\":\"e\"}}", -1, 12, -1},
	{"[0,-0,1.5,-1.5e10,1E+2,1e-2,0.0,0e0,-0.5E-07,123456789012345678901234567890]", -1, 11, -1},
	{"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\uD83D\\uDE00\\uabcD\"]", -1, 2, -1},
	{"[\"\\uD800\",\"\\uDC00\",\"\\uDC00\\uD800\"]", -1, 4, -1},
	{"\"\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82\"", -1, 1, -1}, /* привет */
	{"\"\xF0\x9F\x98\x80\"", -1, 1, -1},                                 /* U+1F600 */
	{"[\"\xC2\x80\",\"\xDF\xBF\",\"\xE0\xA0\x80\",\"\xED\x9F\xBF\",\"\xEE\x80\x80\",\"\xEF\xBF\xBF\"]", -1, 7, -1},
	{"[\"\xF0\x90\x80\x80\",\"\xF4\x8F\xBF\xBF\",\"\xEF\xBB\xBF\",\"\x7F\"]", -1, 5, -1},
	{" \t\n\r[ \t\n\r1 \t\n\r, \"x\"\t]", -1, 3, -1},
	{"{\"a\" : [ ] , \"b\" :{ } }", -1, 5, -1},
	{"[\"a/b\",\"<\\/script>\"]", -1, 3, -1},
	/* trailing whitespace: a prefix that keeps the whole value is valid */
	{"[1,2] \n", -1, 3, -1},
	/* top-level numbers: a prefix may itself be a number */
	{"0", -1, 1, -1},
	{"-0", -1, 1, -1},
	{"12", -1, 1, -1},
	{"1.5e3", -1, 1, -1},
	{"-1E-2", -1, 1, -1},
	{" 7 ", -1, 1, -1},
};

/* Invalid documents, each with its error class. */
static const struct row invalid[] = {
	/* structure */
	{"", -1, JSON_ERR_INCOMPLETE, 0},
	{" \n\t ", -1, JSON_ERR_INCOMPLETE, 4},
	{"[", -1, JSON_ERR_INCOMPLETE, 1},
	{"{\"a\":", -1, JSON_ERR_INCOMPLETE, 5},
	{"[1,]", -1, JSON_ERR_SYNTAX, 3},
	{"{\"a\":1,}", -1, JSON_ERR_SYNTAX, 7},
	{"[,1]", -1, JSON_ERR_SYNTAX, 1},
	{"[1,,2]", -1, JSON_ERR_SYNTAX, 3},
	{"{,}", -1, JSON_ERR_SYNTAX, 1},
	{"{\"a\"}", -1, JSON_ERR_SYNTAX, 4},
	{"{\"a\" 1}", -1, JSON_ERR_SYNTAX, 5},
	{"{\"a\"::1}", -1, JSON_ERR_SYNTAX, 5},
	{"{\"a\":}", -1, JSON_ERR_SYNTAX, 5},
	{"{1:1}", -1, JSON_ERR_SYNTAX, 1},
	{"{'a':1}", -1, JSON_ERR_SYNTAX, 1},
	{"{a:1}", -1, JSON_ERR_SYNTAX, 1},
	{"['a']", -1, JSON_ERR_SYNTAX, 1},
	{"[1 2]", -1, JSON_ERR_SYNTAX, 3},
	{"[true false]", -1, JSON_ERR_SYNTAX, 6},
	{"]", -1, JSON_ERR_SYNTAX, 0},
	{"}", -1, JSON_ERR_SYNTAX, 0},
	{":", -1, JSON_ERR_SYNTAX, 0},
	{",", -1, JSON_ERR_SYNTAX, 0},
	{"[}", -1, JSON_ERR_SYNTAX, 1},
	{"{]", -1, JSON_ERR_SYNTAX, 1},
	{"[1}", -1, JSON_ERR_SYNTAX, 2},
	{"{\"a\":1]", -1, JSON_ERR_SYNTAX, 6},
	{"[\f]", -1, JSON_ERR_SYNTAX, 1},   /* form feed is no JSON whitespace */
	{"[\v]", -1, JSON_ERR_SYNTAX, 1},
	{"[\xC2\xA0]", -1, JSON_ERR_SYNTAX, 1}, /* NBSP neither */
	{"\xEF\xBB\xBF{}", -1, JSON_ERR_SYNTAX, 0}, /* a BOM */
	{"[\0]", 3, JSON_ERR_SYNTAX, 1},
	{"/* c */ 1", -1, JSON_ERR_SYNTAX, 0},
	/* exactly one top-level value */
	{"{}{}", -1, JSON_ERR_TRAILING, 2},
	{"1 2", -1, JSON_ERR_TRAILING, 2},
	{"\"a\" \"b\"", -1, JSON_ERR_TRAILING, 4},
	{"[] x", -1, JSON_ERR_TRAILING, 3},
	{"{} ,", -1, JSON_ERR_TRAILING, 3},
	{"truefalse", -1, JSON_ERR_TRAILING, 4},
	{"[1]\0", 4, JSON_ERR_TRAILING, 3},
	{"[1]]", -1, JSON_ERR_TRAILING, 3},
	/* literals */
	{"tru", -1, JSON_ERR_INCOMPLETE, 3},
	{"trux", -1, JSON_ERR_SYNTAX, 3},
	{"True", -1, JSON_ERR_SYNTAX, 0},
	{"nul", -1, JSON_ERR_INCOMPLETE, 3},
	{"[nulll]", -1, JSON_ERR_SYNTAX, 5},
	{"[NaN]", -1, JSON_ERR_SYNTAX, 1},
	{"[Infinity]", -1, JSON_ERR_SYNTAX, 1},
	{"[undefined]", -1, JSON_ERR_SYNTAX, 1},
	/* numbers */
	{"01", -1, JSON_ERR_NUMBER, 1},
	{"[01]", -1, JSON_ERR_NUMBER, 2},
	{"[-01]", -1, JSON_ERR_NUMBER, 3},
	{"[00]", -1, JSON_ERR_NUMBER, 2},
	{"[1.]", -1, JSON_ERR_NUMBER, 3},
	{"[.5]", -1, JSON_ERR_SYNTAX, 1},
	{"[-]", -1, JSON_ERR_NUMBER, 2},
	{"[- 1]", -1, JSON_ERR_NUMBER, 2},
	{"[+1]", -1, JSON_ERR_SYNTAX, 1},
	{"[1e]", -1, JSON_ERR_NUMBER, 3},
	{"[1e+]", -1, JSON_ERR_NUMBER, 4},
	{"[1.e5]", -1, JSON_ERR_NUMBER, 3},
	{"[-Infinity]", -1, JSON_ERR_NUMBER, 2},
	{"[0x10]", -1, JSON_ERR_SYNTAX, 2},
	{"[1.5.2]", -1, JSON_ERR_SYNTAX, 4},
	{"[1e5e5]", -1, JSON_ERR_SYNTAX, 4},
	{"[1,5]x", -1, JSON_ERR_TRAILING, 5},
	{"-", -1, JSON_ERR_INCOMPLETE, 1},
	{"1.", -1, JSON_ERR_INCOMPLETE, 2},
	{"1e-", -1, JSON_ERR_INCOMPLETE, 3},
	/* control characters in strings */
	{"\"\x01\"", -1, JSON_ERR_CONTROL, 1},
	{"\"a\nb\"", -1, JSON_ERR_CONTROL, 2},
	{"\"\t\"", -1, JSON_ERR_CONTROL, 1},
	{"\"\x1F\"", -1, JSON_ERR_CONTROL, 1},
	{"\"\0\"", 3, JSON_ERR_CONTROL, 1},
	{"{\"k\x0d\":1}", -1, JSON_ERR_CONTROL, 3},
	/* escapes */
	{"\"\\a\"", -1, JSON_ERR_ESCAPE, 2},
	{"\"\\x41\"", -1, JSON_ERR_ESCAPE, 2},
	{"\"\\'\"", -1, JSON_ERR_ESCAPE, 2},
	{"\"\\ \"", -1, JSON_ERR_ESCAPE, 2},
	{"\"\\0\"", -1, JSON_ERR_ESCAPE, 2},
	{"\"\\U0041\"", -1, JSON_ERR_ESCAPE, 2},
	{"\"\\u12\"", -1, JSON_ERR_ESCAPE, 5},
	{"\"\\u12G4\"", -1, JSON_ERR_ESCAPE, 5},
	{"\"\\u-123\"", -1, JSON_ERR_ESCAPE, 3},
	{"\"\\\"", -1, JSON_ERR_INCOMPLETE, 3},
	{"\"\\u00", -1, JSON_ERR_INCOMPLETE, 5},
	/* UTF-8 */
	{"\"\x80\"", -1, JSON_ERR_UTF8, 1},              /* lone continuation byte */
	{"\"\xBF\"", -1, JSON_ERR_UTF8, 1},
	{"\"\xC0\x80\"", -1, JSON_ERR_UTF8, 1},          /* overlong NUL */
	{"\"\xC1\xBF\"", -1, JSON_ERR_UTF8, 1},          /* overlong */
	{"\"\xE0\x80\x80\"", -1, JSON_ERR_UTF8, 2},      /* overlong */
	{"\"\xE0\x9F\xBF\"", -1, JSON_ERR_UTF8, 2},      /* overlong U+07FF */
	{"\"\xF0\x80\x80\x80\"", -1, JSON_ERR_UTF8, 2},  /* overlong */
	{"\"\xF0\x8F\xBF\xBF\"", -1, JSON_ERR_UTF8, 2},  /* overlong U+FFFF */
	{"\"\xED\xA0\x80\"", -1, JSON_ERR_UTF8, 2},      /* U+D800 encoded */
	{"\"\xED\xBF\xBF\"", -1, JSON_ERR_UTF8, 2},      /* U+DFFF encoded */
	{"\"\xED\xA0\xBD\xED\xB8\x80\"", -1, JSON_ERR_UTF8, 2}, /* CESU-8 pair */
	{"\"\xF4\x90\x80\x80\"", -1, JSON_ERR_UTF8, 2},  /* U+110000 */
	{"\"\xF5\x80\x80\x80\"", -1, JSON_ERR_UTF8, 1},
	{"\"\xF8\x88\x80\x80\x80\"", -1, JSON_ERR_UTF8, 1}, /* 5-byte form */
	{"\"\xFE\"", -1, JSON_ERR_UTF8, 1},
	{"\"\xFF\"", -1, JSON_ERR_UTF8, 1},
	{"\"\xC2\"", -1, JSON_ERR_UTF8, 2},              /* truncated inside the string */
	{"\"\xE2\x82\"", -1, JSON_ERR_UTF8, 3},
	{"\"\xF0\x9F\x98\"", -1, JSON_ERR_UTF8, 4},
	{"\"\xC2\xC2\x80\"", -1, JSON_ERR_UTF8, 2},
	{"\"\xE2\x82", -1, JSON_ERR_INCOMPLETE, 3},      /* truncated with the document */
	{"[\"\xD0\xBF\",\xD0\xBF]", -1, JSON_ERR_SYNTAX, 6}, /* UTF-8 outside a string */
	/* truncation */
	{"\"ab", -1, JSON_ERR_INCOMPLETE, 3},
	{"[1,", -1, JSON_ERR_INCOMPLETE, 3},
	{"[1", -1, JSON_ERR_INCOMPLETE, 2},
	{"{\"a\"", -1, JSON_ERR_INCOMPLETE, 4},
	{"{\"a\":1", -1, JSON_ERR_INCOMPLETE, 6},
	{"[[[]]", -1, JSON_ERR_INCOMPLETE, 5},
};

static int doc_len(const struct row *r)
{
	return r->len >= 0 ? r->len : (int)strlen(r->doc);
}

static void test_table(void)
{
	static struct json_tok t[NTOKS];
	for (size_t k = 0; k < sizeof valid / sizeof valid[0]; k++) {
		const struct row *r = &valid[k];
		int n = json_parse(r->doc, (size_t)doc_len(r), t, NTOKS);
		check_eq_int(n, r->want);
		if (n != r->want)
			fprintf(stderr, "     valid[%zu]: %s\n", k, r->doc);
		/* counting mode agrees */
		check_eq_int(json_parse(r->doc, (size_t)doc_len(r), NULL, INT_MAX), r->want);
	}
	for (size_t k = 0; k < sizeof invalid / sizeof invalid[0]; k++) {
		const struct row *r = &invalid[k];
		size_t off = (size_t)-1;
		int rc = json_parse_ex(r->doc, (size_t)doc_len(r), t, NTOKS, &off);
		check_eq_int(rc, r->want);
		if (r->off >= 0)
			check_eq_int(off, r->off);
		if (rc != r->want || (r->off >= 0 && off != (size_t)r->off))
			fprintf(stderr, "     invalid[%zu]: %s (%s at %zu)\n", k, r->doc, json_strerror(rc), off);
		check_eq_int(json_parse(r->doc, (size_t)doc_len(r), NULL, INT_MAX), r->want);
	}
}

/* Every prefix of a valid document is "need more bytes", never another
 * error: that is what feeding it one byte at a time would see.  A prefix
 * that still holds the whole value (only trailing whitespace cut) is the
 * same valid document; a prefix of a top-level number may be a number. */
static void test_prefixes_of(const char *doc, int len, int want)
{
	static struct json_tok t[NTOKS];
	int vend = len;
	while (vend > 0 && strchr(" \t\n\r", doc[vend - 1]))
		vend--;
	int lead = 0;
	while (lead < len && strchr(" \t\n\r", doc[lead]))
		lead++;
	int top_number = lead < len && (doc[lead] == '-' || JSON_ISDIGIT_T(doc[lead]));
	for (int k = 0; k < len; k++) {
		/* a copy of exactly k bytes, so ASan sees any read past the end */
		char *cut = malloc((size_t)k + 1);
		memcpy(cut, doc, (size_t)k);
		int rc = json_parse(cut, (size_t)k, t, NTOKS);
		if (k >= vend)
			check_eq_int(rc, want);
		else if (top_number && rc == 1)
			check(1);
		else
			check_eq_int(rc, JSON_ERR_INCOMPLETE);
		if (k < vend && rc != JSON_ERR_INCOMPLETE && !(top_number && rc == 1))
			fprintf(stderr, "     prefix %d of %s: %s\n", k, doc, json_strerror(rc));
		free(cut);
	}
}

static void test_prefixes(void)
{
	for (size_t k = 0; k < sizeof valid / sizeof valid[0]; k++)
		test_prefixes_of(valid[k].doc, doc_len(&valid[k]), valid[k].want);
}

/* --- structure of the tokens ----------------------------------------------------- */

static void test_tokens(void)
{
	const char *doc = "{\"a\":[1,\"x\"],\"b\":null}";
	struct json_tok t[16];
	int n = json_parse(doc, strlen(doc), t, 16);
	check_eq_int(n, 7);
	static const struct json_tok want[] = {
		{JSON_OBJECT, 0, 22, 2, -1}, {JSON_STRING, 2, 3, 0, 0}, {JSON_ARRAY, 5, 12, 2, 0},
		{JSON_NUMBER, 6, 7, 0, 2},   {JSON_STRING, 9, 10, 0, 2}, {JSON_STRING, 14, 15, 0, 0},
		{JSON_NULL, 17, 21, 0, 0},
	};
	for (int i = 0; i < 7 && i < n; i++) {
		check_eq_int(t[i].type, want[i].type);
		check_eq_int(t[i].start, want[i].start);
		check_eq_int(t[i].end, want[i].end);
		check_eq_int(t[i].size, want[i].size);
		check_eq_int(t[i].parent, want[i].parent);
	}
	/* the token limit: 7 tokens do not fit in 6; the 7th starts at 17 */
	size_t off = 0;
	check_eq_int(json_parse_ex(doc, strlen(doc), t, 6, &off), JSON_ERR_NOMEM);
	check_eq_int(off, 17);
	check_eq_int(json_parse(doc, strlen(doc), t, 7), 7);
	check_eq_int(json_parse(doc, strlen(doc), NULL, 6), JSON_ERR_NOMEM);
	check_eq_int(json_parse(doc, strlen(doc), t, 0), JSON_ERR_NOMEM);
	check_eq_int(json_parse(doc, strlen(doc), t, -5), JSON_ERR_NOMEM);
	/* the first problem in document order wins (found by the fuzzer) */
	check_eq_int(json_parse_ex("[1,2,3,x]", 9, t, 3, &off), JSON_ERR_NOMEM);
	check_eq_int(off, 5);
	check_eq_int(json_parse_ex("[1,2,3,x]", 9, t, 16, &off), JSON_ERR_SYNTAX);
	check_eq_int(off, 7);
	check_eq_int(json_parse_ex("[1,2,3,x]", 9, NULL, INT_MAX, &off), JSON_ERR_SYNTAX);
	/* json_parse_alloc sizes the array exactly and honours its cap */
	struct json_tok *a;
	check_eq_int(json_parse_alloc(doc, strlen(doc), 100, &a, NULL), 7);
	check(a && a[6].type == JSON_NULL);
	free(a);
	check_eq_int(json_parse_alloc(doc, strlen(doc), 6, &a, NULL), JSON_ERR_NOMEM);
	check(a == NULL);
	check_eq_int(json_parse_alloc("[1,", 3, 100, &a, &off), JSON_ERR_INCOMPLETE);
	check(a == NULL);
	check_eq_int(off, 3);
}

/* --- nesting ---------------------------------------------------------------------- */

static char *nested(int depth, const char *open, const char *close)
{
	size_t lo = strlen(open), lc = strlen(close);
	char *s = malloc((size_t)depth * (lo + lc) + 1), *p = s;
	for (int i = 0; i < depth; i++, p += lo)
		memcpy(p, open, lo);
	for (int i = 0; i < depth; i++, p += lc)
		memcpy(p, close, lc);
	*p = '\0';
	return s;
}

static void test_depth(void)
{
	static struct json_tok t[4 * JSON_MAX_DEPTH];
	size_t off;
	char *s = nested(JSON_MAX_DEPTH, "[", "]");
	check_eq_int(json_parse(s, strlen(s), t, 4 * JSON_MAX_DEPTH), JSON_MAX_DEPTH);
	check_eq_int(t[JSON_MAX_DEPTH - 1].parent, JSON_MAX_DEPTH - 2);
	check_eq_int(t[0].end, 2 * JSON_MAX_DEPTH);
	test_prefixes_of(s, (int)strlen(s), JSON_MAX_DEPTH);
	free(s);
	s = nested(JSON_MAX_DEPTH + 1, "[", "]");
	check_eq_int(json_parse_ex(s, strlen(s), t, 4 * JSON_MAX_DEPTH, &off), JSON_ERR_DEPTH);
	check_eq_int(off, JSON_MAX_DEPTH);
	free(s);
	/* objects count too: 63 objects around one array is at the limit */
	s = nested(JSON_MAX_DEPTH - 1, "{\"k\":", "}");
	{
		size_t opens = (size_t)(JSON_MAX_DEPTH - 1) * 5;
		char *doc = malloc(strlen(s) + 4);
		memcpy(doc, s, opens);
		memcpy(doc + opens, "[1]", 3);
		strcpy(doc + opens + 3, s + opens);
		check_eq_int(json_parse(doc, strlen(doc), t, 4 * JSON_MAX_DEPTH), 2 * (JSON_MAX_DEPTH - 1) + 2);
		/* one level more is too deep */
		memcpy(doc + opens, "[[]", 3);
		check_eq_int(json_parse_ex(doc, strlen(doc), t, 4 * JSON_MAX_DEPTH, &off), JSON_ERR_DEPTH);
		check_eq_int(off, opens + 1);
		free(doc);
	}
	free(s);
	/* a hostile depth fails fast and never touches the C stack */
	size_t big = 1000000;
	s = malloc(big);
	memset(s, '[', big);
	check_eq_int(json_parse(s, big, t, 4 * JSON_MAX_DEPTH), JSON_ERR_DEPTH);
	check_eq_int(json_parse(s, big, NULL, INT_MAX), JSON_ERR_DEPTH);
	free(s);
}

/* --- accessors -------------------------------------------------------------------- */

static void test_numbers(void)
{
	const char *doc = "[9223372036854775807,9223372036854775808,-9223372036854775808,"
	                  "-9223372036854775809,0,-0,1.0,1e3,12345678901234567890123,\"5\",true,-1,"
	                  "99999999999999999999]";
	struct json_tok t[32];
	int n = json_parse(doc, strlen(doc), t, 32);
	check_eq_int(n, 14);
	int64_t v = 42;
	check_eq_int(json_get_i64(doc, t, 1, &v), 0);
	check(v == INT64_MAX);
	check_eq_int(json_get_i64(doc, t, 2, &v), -1);
	check_eq_int(json_get_i64(doc, t, 3, &v), 0);
	check(v == INT64_MIN);
	check_eq_int(json_get_i64(doc, t, 4, &v), -1);
	check_eq_int(json_get_i64(doc, t, 5, &v), 0);
	check(v == 0);
	v = 1;
	check_eq_int(json_get_i64(doc, t, 6, &v), 0);
	check(v == 0);
	check_eq_int(json_get_i64(doc, t, 7, &v), -1); /* 1.0: not a plain integer */
	check_eq_int(json_get_i64(doc, t, 8, &v), -1); /* 1e3 */
	check_eq_int(json_get_i64(doc, t, 9, &v), -1);
	check_eq_int(json_get_i64(doc, t, 10, &v), -1); /* a string */
	check_eq_int(json_get_i64(doc, t, 11, &v), -1); /* true */
	check_eq_int(json_get_i64(doc, t, 12, &v), 0);
	check(v == -1);
	check_eq_int(json_get_i64(doc, t, 13, &v), -1);
	check_eq_int(json_get_i64(doc, t, -1, &v), -1);
	int b = 7;
	check_eq_int(json_get_bool(doc, t, 11, &b), 0);
	check_eq_int(b, 1);
	check_eq_int(json_get_bool(doc, t, 10, &b), -1);
	check_eq_int(json_get_bool(doc, t, -1, &b), -1);
	check_eq_int(json_is_null(doc, t, 11), 0);
	check_eq_int(json_is_null(doc, t, -1), 0);
	const char *d2 = "[false,null]";
	check_eq_int(json_parse(d2, strlen(d2), t, 32), 3);
	check_eq_int(json_get_bool(d2, t, 1, &b), 0);
	check_eq_int(b, 0);
	check_eq_int(json_is_null(d2, t, 2), 1);
	check_eq_int(json_get_bool(d2, t, 2, &b), -1);
}

/* Unescape string token 0 of doc; the result's bytes and length. */
static int unesc(const char *doc, struct buf *out)
{
	struct json_tok t[4];
	buf_reset(out);
	if (json_parse(doc, strlen(doc), t, 4) != 1)
		return -1;
	return json_get_str(doc, t, 0, out);
}

static void check_unesc_at(const char *doc, const char *want, size_t wlen, int line)
{
	struct buf b = BUF_INIT;
	int ok = unesc(doc, &b) == 0 && b.len == wlen && memcmp(b.p, want, wlen) == 0;
	check_at(ok, __FILE__, line, doc);
	/* json_eq agrees with json_get_str when there is no NUL to cut */
	if (!memchr(want, '\0', wlen)) {
		struct json_tok t[4];
		json_parse(doc, strlen(doc), t, 4);
		check_at(json_eq(doc, t, 0, want), __FILE__, line, "json_eq");
	}
	buf_free(&b);
}
#define check_unesc(doc, want) check_unesc_at(doc, want, sizeof(want) - 1, __LINE__)

static void test_unescape(void)
{
	check_unesc("\"plain\"", "plain");
	check_unesc("\"\"", "");
	check_unesc("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\/\b\f\n\r\t");
	check_unesc("\"\\u0041\\u00e9\\u20AC\"", "A\xC3\xA9\xE2\x82\xAC");
	check_unesc("\"\\u0000\"", "\0");
	check_unesc("\"\\uD83D\\uDE00\"", "\xF0\x9F\x98\x80");         /* a valid pair */
	check_unesc("\"\\ud83d\\uDe00\"", "\xF0\x9F\x98\x80");         /* hex case does not matter */
	check_unesc("\"\\uDBFF\\uDFFF\"", "\xF4\x8F\xBF\xBF");         /* U+10FFFF */
	check_unesc("\"\\uD800\\uDC00\"", "\xF0\x90\x80\x80");         /* U+10000 */
	check_unesc("\"\\uD800\"", "\xEF\xBF\xBD");                    /* lone high */
	check_unesc("\"\\uDC00\"", "\xEF\xBF\xBD");                    /* lone low */
	check_unesc("\"\\uDC00\\uD800\"", "\xEF\xBF\xBD\xEF\xBF\xBD"); /* reversed pair */
	check_unesc("\"\\uD800\\uD800\\uDC00\"", "\xEF\xBF\xBD\xF0\x90\x80\x80");
	check_unesc("\"\\uD800x\"", "\xEF\xBF\xBD" "x");
	check_unesc("\"\\uD800\\n\"", "\xEF\xBF\xBD\n");
	check_unesc("\"\\uD800\\u0041\"", "\xEF\xBF\xBD" "A");
	check_unesc("\"a\\uD800\"", "a\xEF\xBF\xBD");
	check_unesc("\"\xD0\x9F\xD1\x80\xD0\xB8\\n\xF0\x9F\x98\x80\"", "\xD0\x9F\xD1\x80\xD0\xB8\n\xF0\x9F\x98\x80");
	check_unesc("\"\\uFFFF\\uFEFF\"", "\xEF\xBF\xBF\xEF\xBB\xBF");

	/* json_eq, json_strdup */
	const char *doc = "[\"ab\",\"a\\u0062\",\"\\u0000x\",1,\"\"]";
	struct json_tok t[8];
	check_eq_int(json_parse(doc, strlen(doc), t, 8), 6);
	check(json_eq(doc, t, 1, "ab"));
	check(!json_eq(doc, t, 1, "abc"));
	check(!json_eq(doc, t, 1, "a"));
	check(!json_eq(doc, t, 1, ""));
	check(json_eq(doc, t, 2, "ab"));
	check(!json_eq(doc, t, 2, "abc"));
	check(!json_eq(doc, t, 2, "a"));
	check(!json_eq(doc, t, 3, "x"));
	check(!json_eq(doc, t, 3, ""));
	check(!json_eq(doc, t, 4, "1"));
	check(json_eq(doc, t, 5, ""));
	check(!json_eq(doc, t, -1, ""));
	char *s = json_strdup(doc, t, 2);
	check_eq_str(s, "ab");
	free(s);
	s = json_strdup(doc, t, 5);
	check_eq_str(s, "");
	free(s);
	check(json_strdup(doc, t, 3) == NULL); /* U+0000 would be cut */
	check(json_strdup(doc, t, 4) == NULL); /* a number */
	check(json_strdup(doc, t, -1) == NULL);
	struct buf b = BUF_INIT;
	check_eq_int(json_get_str(doc, t, 4, &b), -1);
	check_eq_int(json_get_str(doc, t, 1, &b), 0);
	check_eq_int(json_get_str(doc, t, 2, &b), 0); /* appends */
	check_eq_str(b.p, "abab");
	buf_free(&b);
}

static void test_lookup(void)
{
	const char *doc = "{\"a\":{\"b\":[10,{\"c\":\"deep\"},[20,21]],\"x.y\":1},"
	                  "\"dup\":1,\"dup\":2,\"\\u006Bey\":\"esc\",\"0\":\"zero\",\"e\":[],\"o\":{}}";
	struct json_tok t[64];
	int n = json_parse(doc, strlen(doc), t, 64);
	check(n > 0);
	int64_t v;
	check_eq_int(json_get_i64(doc, t, json_path(doc, t, n, 0, "a.b.0"), &v), 0);
	check(v == 10);
	check(json_eq(doc, t, json_path(doc, t, n, 0, "a.b.1.c"), "deep"));
	check_eq_int(json_get_i64(doc, t, json_path(doc, t, n, 0, "a.b.2.1"), &v), 0);
	check(v == 21);
	check_eq_int(json_path(doc, t, n, 0, "a.b.3"), -1);    /* past the end */
	check_eq_int(json_path(doc, t, n, 0, "a.b.-1"), -1);
	check_eq_int(json_path(doc, t, n, 0, "a.b.x"), -1);
	check_eq_int(json_path(doc, t, n, 0, "a.b.01x"), -1);
	check_eq_int(json_path(doc, t, n, 0, "a.b.99999999999"), -1);
	check_eq_int(json_path(doc, t, n, 0, "a.b.0.c"), -1);  /* through a number */
	check_eq_int(json_path(doc, t, n, 0, "a.x.y"), -1);    /* dotted keys cannot be named */
	check_eq_int(json_path(doc, t, n, 0, "nope"), -1);
	check_eq_int(json_path(doc, t, n, 0, "a."), -1);
	check_eq_int(json_path(doc, t, n, 0, ""), 0);
	check_eq_int(json_path(doc, t, n, -1, "a"), -1);
	check_eq_int(json_path(doc, t, n, n, "a"), -1);
	check_eq_int(json_get_i64(doc, t, json_path(doc, t, n, 0, "dup"), &v), 0);
	check(v == 1); /* the first of duplicate keys wins */
	check(json_eq(doc, t, json_path(doc, t, n, 0, "key"), "esc"));
	check(json_eq(doc, t, json_path(doc, t, n, 0, "0"), "zero")); /* digits name a key in an object */
	int a = json_obj_get(doc, t, n, 0, "a");
	check(a > 0 && t[a].type == JSON_OBJECT);
	check_eq_int(json_obj_get(doc, t, n, a, "dup"), -1);   /* not in this object */
	check_eq_int(json_obj_get(doc, t, n, 1, "a"), -1);     /* token 1 is a key, not an object */
	check_eq_int(json_obj_get(doc, t, n, -1, "a"), -1);
	check_eq_int(json_obj_get(doc, t, n, json_path(doc, t, n, 0, "o"), "a"), -1);
	check_eq_int(json_arr_get(t, n, json_path(doc, t, n, 0, "e"), 0), -1);
	/* iteration: every member of the top object, skipping subtrees */
	const char *keys[] = {"a", "dup", "dup", "key", "0", "e", "o"};
	int i = 1, k = 0;
	for (; k < t[0].size && i < n; k++) {
		check(json_eq(doc, t, i, keys[k]));
		check_eq_int(t[i].parent, 0);
		check_eq_int(t[i + 1].parent, 0);
		i = json_next(t, n, i + 1);
	}
	check_eq_int(k, 7);
	check_eq_int(i, n);
	check_eq_int(json_next(t, n, 0), n);
	check_eq_int(json_next(t, n, n - 1), n);
	check_eq_int(json_next(t, n, -1), n);
	/* array iteration */
	int arr = json_path(doc, t, n, 0, "a.b"), cnt = 0;
	for (int e = arr + 1, m = 0; m < t[arr].size; m++, e = json_next(t, n, e)) {
		check_eq_int(t[e].parent, arr);
		cnt++;
	}
	check_eq_int(cnt, 3);
}

/* --- writer ----------------------------------------------------------------------- */

/* write → parse → unescape gives back the original bytes. */
static void check_roundtrip_at(const char *s, size_t n, int line)
{
	struct buf w = BUF_INIT, r = BUF_INIT;
	struct json_tok t[2];
	int ok = json_w_strn(&w, s, n) == 0 && json_parse(w.p, w.len, t, 2) == 1 &&
	         json_get_str(w.p, t, 0, &r) == 0 && r.len == n && memcmp(r.p, s, n) == 0;
	check_at(ok, __FILE__, line, "round trip");
	if (!ok)
		fprintf(stderr, "     wrote %s\n", w.p ? w.p : "(null)");
	buf_free(&w);
	buf_free(&r);
}
#define check_roundtrip(s) check_roundtrip_at(s, sizeof(s) - 1, __LINE__)

static void check_written_at(const char *in, size_t n, const char *want, int line)
{
	struct buf w = BUF_INIT;
	int ok = json_w_strn(&w, in, n) == 0 && strcmp(w.p, want) == 0;
	check_at(ok, __FILE__, line, want);
	if (!ok)
		fprintf(stderr, "     wrote %s\n", w.p ? w.p : "(null)");
	buf_free(&w);
}
#define check_written(in, want) check_written_at(in, sizeof(in) - 1, want, __LINE__)

static void test_writer_strings(void)
{
	check_roundtrip("");
	check_roundtrip("he said \"hi\" and \\ left \\\"");
	check_roundtrip("\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14"
	                "\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f");
	check_roundtrip("a\0b");
	check_roundtrip("\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82, \xD0\xBC\xD0\xB8\xD1\x80! \xD1\x91\xD0\x81");
	check_roundtrip("\xF0\x9F\x98\x80\xF0\x9F\x91\x8D\xF0\x9F\x8F\xBD \xE2\x80\xA8 \xE2\x80\xA9 \xEF\xBB\xBF");
	check_roundtrip("</script> {\"a\":[1,2]} \\u0041 /");
	check_roundtrip("\xF4\x8F\xBF\xBF\xC2\x80\xEF\xBF\xBD");

	check_written("a\"b\\c/d", "\"a\\\"b\\\\c/d\"");
	check_written("\n\t\r\b\f\x01\x1f", "\"\\n\\t\\r\\b\\f\\u0001\\u001f\"");
	check_written("a\0b", "\"a\\u0000b\"");
	/* invalid UTF-8 never reaches the output: each bad byte is U+FFFD */
	check_written("a\xFF" "b", "\"a\xEF\xBF\xBD" "b\"");
	check_written("\xC3", "\"\xEF\xBF\xBD\"");
	check_written("\xC0\xAF", "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
	check_written("\xED\xA0\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
	check_written("\xE2\x82" "x", "\"\xEF\xBF\xBD\xEF\xBF\xBD" "x\"");
	check_written("\xF4\x90\x80\x80", "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");

	struct buf b = BUF_INIT;
	check_eq_int(json_w_str(&b, "x"), 0);
	check_eq_int(json_w_i64(&b, INT64_MIN), 0);
	check_eq_int(json_w_i64(&b, INT64_MAX), 0);
	check_eq_int(json_w_bool(&b, 1), 0);
	check_eq_int(json_w_bool(&b, 0), 0);
	check_eq_int(json_w_null(&b), 0);
	check_eq_str(b.p, "\"x\"-92233720368547758089223372036854775807truefalsenull");
	buf_free(&b);

	/* random bytes: the output always parses, and writing what we read back
	 * gives the same output (the replacement is stable) */
	unsigned seed = 12345;
	for (int round = 0; round < 3000; round++) {
		char in[64];
		size_t n = (size_t)(round % 64);
		for (size_t k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			/* mostly "interesting" bytes: controls, quotes, pieces of UTF-8 */
			static const char odd[] = "\"\\\xC3\xA9\xE2\x82\xAC\xF0\x9F\xED\xA0";
			switch (r % 4) {
			case 0: in[k] = (char)(r % 32); break;
			case 1: in[k] = odd[r % sizeof odd]; break;
			case 2: in[k] = (char)(0x80 | (r >> 4 & 0x7F)); break;
			default: in[k] = (char)('a' + r % 26);
			}
		}
		struct buf w1 = BUF_INIT, r1 = BUF_INIT, w2 = BUF_INIT;
		struct json_tok t[2];
		int ok = json_w_strn(&w1, in, n) == 0 && json_parse(w1.p, w1.len, t, 2) == 1 &&
		         json_get_str(w1.p, t, 0, &r1) == 0 && json_w_strn(&w2, r1.p, r1.len) == 0 &&
		         w1.len == w2.len && memcmp(w1.p, w2.p, w1.len) == 0;
		if (!ok) {
			check(ok);
			break;
		}
		buf_free(&w1);
		buf_free(&r1);
		buf_free(&w2);
	}
}

static void test_writer_struct(void)
{
	struct buf b = BUF_INIT;
	struct json_w w;
	json_w_init(&w, &b);
	json_w_obj_begin(&w);
	json_w_kv_i64(&w, "chat_id", 5000000001LL);
	json_w_kv_str(&w, "text", "\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82: \"42\"\n");
	json_w_key(&w, "reply_markup");
	json_w_obj_begin(&w);
	json_w_key(&w, "inline_keyboard");
	json_w_arr_begin(&w);
	json_w_arr_begin(&w);
	for (int i = 0; i < 2; i++) {
		json_w_obj_begin(&w);
		json_w_kv_str(&w, "text", i ? "B" : "A");
		json_w_kv_str(&w, "callback_data", i ? "ans:b" : "ans:a");
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_arr_begin(&w);
	json_w_arr_end(&w);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	json_w_kv_bool(&w, "disable_notification", 1);
	json_w_key(&w, "x");
	json_w_val_null(&w);
	json_w_key(&w, "raw");
	json_w_val_raw(&w, "[1,2]", 5);
	json_w_key(&w, "list");
	json_w_arr_begin(&w);
	json_w_val_i64(&w, -1);
	json_w_val_bool(&w, 0);
	json_w_val_str(&w, "s");
	json_w_val_strn(&w, "tt", 1);
	json_w_val_null(&w);
	json_w_obj_begin(&w);
	json_w_obj_end(&w);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	check_eq_int(json_w_finish(&w), 0);
	check_eq_str(b.p, "{\"chat_id\":5000000001,\"text\":\"\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82: \\\"42\\\"\\n\","
	                  "\"reply_markup\":{\"inline_keyboard\":[[{\"text\":\"A\",\"callback_data\":\"ans:a\"},"
	                  "{\"text\":\"B\",\"callback_data\":\"ans:b\"}],[]]},\"disable_notification\":true,"
	                  "\"x\":null,\"raw\":[1,2],\"list\":[-1,false,\"s\",\"t\",null,{}]}");
	struct json_tok t[64];
	int n = json_parse(b.p, b.len, t, 64);
	check(n > 0);
	int64_t v;
	check_eq_int(json_get_i64(b.p, t, json_path(b.p, t, n, 0, "chat_id"), &v), 0);
	check(v == 5000000001LL);
	check(json_eq(b.p, t, json_path(b.p, t, n, 0, "reply_markup.inline_keyboard.0.1.callback_data"), "ans:b"));

	/* misuse is an error, and it sticks */
	buf_reset(&b);
	json_w_init(&w, &b);
	json_w_obj_begin(&w);
	check_eq_int(json_w_val_i64(&w, 1), -1); /* a value without a key */
	check_eq_int(json_w_key(&w, "k"), -1);   /* stuck */
	check_eq_int(json_w_finish(&w), -1);

	buf_reset(&b);
	json_w_init(&w, &b);
	json_w_arr_begin(&w);
	check_eq_int(json_w_key(&w, "k"), -1); /* a key in an array */
	check_eq_int(json_w_finish(&w), -1);

	buf_reset(&b);
	json_w_init(&w, &b);
	json_w_arr_begin(&w);
	check_eq_int(json_w_obj_end(&w), -1); /* wrong closer */

	buf_reset(&b);
	json_w_init(&w, &b);
	json_w_obj_begin(&w);
	json_w_key(&w, "k");
	check_eq_int(json_w_key(&w, "k2"), -1); /* two keys in a row */

	buf_reset(&b);
	json_w_init(&w, &b);
	json_w_obj_begin(&w);
	json_w_key(&w, "k");
	check_eq_int(json_w_obj_end(&w), -1); /* a key without its value */

	buf_reset(&b);
	json_w_init(&w, &b);
	check_eq_int(json_w_arr_end(&w), -1); /* nothing open */

	buf_reset(&b);
	json_w_init(&w, &b);
	check_eq_int(json_w_finish(&w), -1); /* nothing written */
	json_w_val_i64(&w, 1);
	check_eq_int(json_w_finish(&w), 0);
	check_eq_int(json_w_val_i64(&w, 2), -1); /* a second top-level value */

	buf_reset(&b);
	json_w_init(&w, &b);
	json_w_arr_begin(&w);
	check_eq_int(json_w_finish(&w), -1); /* still open */

	buf_reset(&b);
	json_w_init(&w, &b);
	for (int i = 0; i < JSON_MAX_DEPTH; i++)
		check_eq_int(json_w_arr_begin(&w), 0);
	check_eq_int(json_w_arr_begin(&w), -1); /* too deep to be read back */
	buf_free(&b);
}

/* --- real answers ----------------------------------------------------------------- */

static const char telegram_updates[] =
	"{\"ok\":true,\"result\":["
	"{\"update_id\":843127001,\n"
	" \"message\":{\"message_id\":17,\"from\":{\"id\":6123456789,\"is_bot\":false,"
	"\"first_name\":\"\\u041c\\u0430\\u0448\\u0430\",\"username\":\"masha_ege\",\"language_code\":\"ru\"},"
	"\"chat\":{\"id\":6123456789,\"first_name\":\"\xD0\x9C\xD0\xB0\xD1\x88\xD0\xB0\",\"type\":\"private\"},"
	"\"date\":1732435200,\"text\":\"/start\",\"entities\":[{\"offset\":0,\"length\":6,\"type\":\"bot_command\"}]}},"
	"{\"update_id\":843127002,\n"
	" \"callback_query\":{\"id\":\"4382bfdwdsb323b2d9\",\"from\":{\"id\":6123456789,\"is_bot\":false,\"first_name\":\"M\"},"
	"\"message\":{\"message_id\":18,\"chat\":{\"id\":-1001234567890,\"title\":\"\\u0415\\u0413\\u042d \\\"2025\\\"\",\"type\":\"supergroup\"},"
	"\"date\":1732435201,\"text\":\"\\u0417\\u0430\\u0434\\u0430\\u043d\\u0438\\u0435 1\"},"
	"\"chat_instance\":\"-123\",\"data\":\"ans:42\"}},"
	"{\"update_id\":843127003,\"message\":{\"message_id\":19,\"from\":{\"id\":1,\"is_bot\":false,\"first_name\":\"x\"},"
	"\"chat\":{\"id\":1,\"type\":\"private\"},\"date\":1732435202,\"text\":\"\\ud83d\\ude00 3,14\"}}"
	"]}";

static const char gemini_answer[] =
	"{\n  \"candidates\": [\n    {\n      \"content\": {\n        \"parts\": [\n"
	"          {\n            \"text\": \"\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82: **42**.\\n\\n"
	"\xD0\xA1\xD0\xBD\xD0\xB0\xD1\x87\xD0\xB0\xD0\xBB\xD0\xB0 \\\"\xD0\xB4\xD0\xB5\xD0\xBB\xD0\xB8\xD0\xBC\\\" 84 / 2.\"\n"
	"          }\n        ],\n        \"role\": \"model\"\n      },\n"
	"      \"finishReason\": \"STOP\",\n      \"index\": 0,\n"
	"      \"safetyRatings\": [{\"category\": \"HARM_CATEGORY_HATE_SPEECH\", \"probability\": \"NEGLIGIBLE\"}]\n"
	"    }\n  ],\n"
	"  \"usageMetadata\": {\"promptTokenCount\": 112, \"candidatesTokenCount\": 31, \"totalTokenCount\": 143},\n"
	"  \"modelVersion\": \"gemini-2.0-flash\"\n}\n";

static void test_telegram(void)
{
	struct json_tok t[256];
	const char *d = telegram_updates;
	int n = json_parse(d, strlen(d), t, 256);
	check(n > 0);
	int ok = -1;
	check_eq_int(json_get_bool(d, t, json_obj_get(d, t, n, 0, "ok"), &ok), 0);
	check_eq_int(ok, 1);
	int res = json_obj_get(d, t, n, 0, "result");
	check(res > 0 && t[res].type == JSON_ARRAY && t[res].size == 3);
	int64_t ids[3] = {0}, chat = 0, v = 0;
	int u = res + 1;
	for (int k = 0; k < t[res].size; k++, u = json_next(t, n, u))
		check_eq_int(json_get_i64(d, t, json_obj_get(d, t, n, u, "update_id"), &ids[k]), 0);
	check(ids[0] == 843127001 && ids[1] == 843127002 && ids[2] == 843127003);
	check_eq_int(u, n);
	int u0 = json_path(d, t, n, 0, "result.0");
	check_eq_int(json_get_i64(d, t, json_path(d, t, n, u0, "message.chat.id"), &chat), 0);
	check(chat == 6123456789LL);
	check(json_eq(d, t, json_path(d, t, n, u0, "message.text"), "/start"));
	check(json_eq(d, t, json_path(d, t, n, u0, "message.from.first_name"), "\xD0\x9C\xD0\xB0\xD1\x88\xD0\xB0"));
	check(json_eq(d, t, json_path(d, t, n, u0, "message.chat.first_name"), "\xD0\x9C\xD0\xB0\xD1\x88\xD0\xB0"));
	check(json_eq(d, t, json_path(d, t, n, u0, "message.entities.0.type"), "bot_command"));
	check_eq_int(json_path(d, t, n, u0, "callback_query"), -1);
	int cq = json_path(d, t, n, 0, "result.1.callback_query");
	check(cq > 0);
	check(json_eq(d, t, json_obj_get(d, t, n, cq, "data"), "ans:42"));
	check_eq_int(json_get_i64(d, t, json_path(d, t, n, cq, "message.chat.id"), &v), 0);
	check(v == -1001234567890LL);
	char *title = json_strdup(d, t, json_path(d, t, n, cq, "message.chat.title"));
	check_eq_str(title, "\xD0\x95\xD0\x93\xD0\xAD \"2025\"");
	free(title);
	char *text = json_strdup(d, t, json_path(d, t, n, 0, "result.2.message.text"));
	check_eq_str(text, "\xF0\x9F\x98\x80 3,14");
	free(text);
	test_prefixes_of(d, (int)strlen(d), n);
}

static void test_gemini(void)
{
	struct json_tok t[128];
	const char *d = gemini_answer;
	int n = json_parse(d, strlen(d), t, 128);
	check(n > 0);
	char *s = json_strdup(d, t, json_path(d, t, n, 0, "candidates.0.content.parts.0.text"));
	check_eq_str(s, "\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82: **42**.\n\n"
	                "\xD0\xA1\xD0\xBD\xD0\xB0\xD1\x87\xD0\xB0\xD0\xBB\xD0\xB0 \"\xD0\xB4\xD0\xB5\xD0\xBB\xD0\xB8\xD0\xBC\" 84 / 2.");
	free(s);
	int parts = json_path(d, t, n, 0, "candidates.0.content.parts");
	check(parts > 0 && t[parts].type == JSON_ARRAY && t[parts].size == 1);
	check(json_eq(d, t, json_path(d, t, n, 0, "candidates.0.finishReason"), "STOP"));
	int64_t total = 0;
	check_eq_int(json_get_i64(d, t, json_path(d, t, n, 0, "usageMetadata.totalTokenCount"), &total), 0);
	check(total == 143);
	check_eq_int(json_path(d, t, n, 0, "candidates.1"), -1);
	test_prefixes_of(d, (int)strlen(d), n);
}

/* A getUpdates answer of several MiB: counted, allocated, parsed, walked. */
static void test_big(void)
{
	struct buf b = BUF_INIT;
	struct json_w w;
	json_w_init(&w, &b);
	json_w_obj_begin(&w);
	json_w_kv_bool(&w, "ok", 1);
	json_w_key(&w, "result");
	json_w_arr_begin(&w);
	int count = 20000;
	for (int i = 0; i < count; i++) {
		json_w_obj_begin(&w);
		json_w_kv_i64(&w, "update_id", 1000000 + i);
		json_w_key(&w, "message");
		json_w_obj_begin(&w);
		json_w_key(&w, "chat");
		json_w_obj_begin(&w);
		json_w_kv_i64(&w, "id", 6000000000LL + i);
		json_w_kv_str(&w, "type", "private");
		json_w_obj_end(&w);
		json_w_kv_str(&w, "text", "\xD0\x9E\xD1\x82\xD0\xB2\xD0\xB5\xD1\x82 \"42\" \xF0\x9F\x98\x80 "
		                          "\xD0\xB4\xD0\xBB\xD0\xB8\xD0\xBD\xD0\xBD\xD1\x8B\xD0\xB9 \xD1\x82\xD0\xB5\xD0\xBA\xD1\x81\xD1\x82 "
		                          "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
		json_w_obj_end(&w);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	check_eq_int(json_w_finish(&w), 0);
	check(b.len > 4 * 1024 * 1024 / 2);
	struct json_tok *t;
	int n = json_parse_alloc(b.p, b.len, 10 * 1000 * 1000, &t, NULL);
	check_eq_int(n, 5 + count * 13); /* {ok, result[...]} + 13 tokens per update */
	int res = json_obj_get(b.p, t, n, 0, "result");
	int64_t sum = 0, v;
	int u = res + 1, seen = 0;
	for (int k = 0; k < t[res].size; k++, u = json_next(t, n, u)) {
		if (json_get_i64(b.p, t, json_path(b.p, t, n, u, "message.chat.id"), &v) == 0)
			sum += v - 6000000000LL;
		seen++;
	}
	check_eq_int(seen, count);
	check(sum == (int64_t)count * (count - 1) / 2);
	free(t);
	buf_free(&b);
}

int main(void)
{
	test_table();
	test_prefixes();
	test_tokens();
	test_depth();
	test_numbers();
	test_unescape();
	test_lookup();
	test_writer_strings();
	test_writer_struct();
	test_telegram();
	test_gemini();
	test_big();
	return check_done();
}
