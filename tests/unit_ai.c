/* Unit tests for the AI tutor (section 10): Markdown to Telegram HTML,
 * Gemini answer classification, cache keys, the LRU cache, the daily
 * quota across days, submit decisions, request bodies, and the records'
 * round trip through real storage and compaction.
 *
 * not tested here: the AI lane's sockets (tests/e2e_ai.py drives them
 * against tests/gemini_double.py).
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

/* --- helpers ------------------------------------------------------------------ */

static char *md(const char *in)
{
	static struct buf out;
	buf_free(&out);
	check(ai_md_to_html(in, strlen(in), &out) == 0);
	return out.p ? out.p : (char *)"";
}

/* Is s well-formed Telegram HTML as we produce it: only b/i/code/pre
 * tags, properly nested, and every '&' starts one of our entities? */
static int html_ok(const char *s)
{
	const char *stack[64];
	int depth = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '&') {
			if (strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&amp;", 5) && strncmp(p, "&quot;", 6))
				return 0;
		} else if (*p == '>' || *p == '"') {
			return 0;
		} else if (*p == '<') {
			static const char *const tags[] = {"b", "i", "code", "pre"};
			int close = p[1] == '/';
			const char *name = p + 1 + close;
			const char *end = strchr(name, '>');
			if (!end)
				return 0;
			size_t n = (size_t)(end - name);
			const char *tag = NULL;
			for (int k = 0; k < 4; k++)
				if (strlen(tags[k]) == n && memcmp(tags[k], name, n) == 0)
					tag = tags[k];
			if (!tag)
				return 0;
			if (close) {
				if (!depth || stack[depth - 1] != tag)
					return 0;
				depth--;
			} else {
				if (depth == 64)
					return 0;
				stack[depth++] = tag;
			}
			p = end;
		}
	}
	return depth == 0;
}

/* Results and records a test tutor hands over. */
static struct {
	int n;
	enum ai_status status;
	int cached;
	char html[8192];
	int64_t chat;
} got;

static void on_result(void *ctx, const struct ai_result *r)
{
	(void)ctx;
	got.n++;
	got.status = r->status;
	got.cached = r->cached;
	got.chat = r->chat_id;
	snprintf(got.html, sizeof got.html, "%s", r->html);
}

#define REC_MAX 64
static struct {
	int n;
	char type[REC_MAX][8];
	char f[REC_MAX][3][128];
} recs;

static int collect(void *ctx, const char *type, int nf, const char *const *f)
{
	(void)ctx;
	if (recs.n == REC_MAX)
		return -1;
	snprintf(recs.type[recs.n], sizeof recs.type[0], "%s", type);
	for (int i = 0; i < nf && i < 3; i++)
		snprintf(recs.f[recs.n][i], sizeof recs.f[0][0], "%s", f[i]);
	recs.n++;
	return 0;
}

/* The last "aiq" record for user, as its count (-1: none). */
static int last_aiq(int64_t user)
{
	char u[24];
	snprintf(u, sizeof u, "%" PRId64, user);
	for (int i = recs.n - 1; i >= 0; i--)
		if (strcmp(recs.type[i], "aiq") == 0 && strcmp(recs.f[i][0], u) == 0)
			return atoi(recs.f[i][2]);
	return -1;
}

static struct http_client dummy_hc; /* never used: these tests never poll */

static void tutor(struct ai *a)
{
	snprintf(cfg.gemini_key, sizeof cfg.gemini_key, "unit-test-key-123");
	struct ai_opts o;
	ai_opts_init(&o, &cfg);
	check(ai_init(a, &o, &dummy_hc) == 0);
	check(a->enabled);
	a->on_result = on_result;
	a->emit = collect;
}

/* Finish the oldest queued job as if Gemini had answered. */
static void fake_answer(struct ai *a, enum ai_status st, const char *text)
{
	struct ai_job *j = a->queue;
	if (!j) {
		check(!"a job is queued");
		return;
	}
	a->queue = j->next;
	if (!a->queue)
		a->queue_tail = &a->queue;
	a->queued--;
	if (text)
		buf_puts(&j->text, text);
	j->attempts = 1;
	ai_finish(a, j, st, NULL);
	ai_deliver(a);
}

static struct ai_req ask(int64_t user, const char *q)
{
	static char key[AI_KEY_LEN];
	ai_cache_key(key, 'q', LANG_RU, q, "");
	struct ai_req r = {user, user, LANG_RU, 0, AI_ASK, q, NULL, NULL, NULL, NULL, key};
	return r;
}

/* --- Markdown ----------------------------------------------------------------- */

static void test_markdown(void)
{
	static const struct { const char *in, *out; } rows[] = {
		{"**bold**", "<b>bold</b>"},
		{"*it*", "<i>it</i>"},
		{"_it_", "<i>it</i>"},
		{"__b__", "<b>b</b>"},
		{"**жирный** и *курсив*", "<b>жирный</b> и <i>курсив</i>"},
		{"*a **b** c*", "<i>a <b>b</b> c</i>"},
		{"**a *b* c**", "<b>a <i>b</i> c</b>"},
		{"***x***", "<b><i>x</i></b>"},
		{"`a<b`", "<code>a&lt;b</code>"},
		{"``a ` b``", "<code>a ` b</code>"},
		{"`*not*`", "<code>*not*</code>"},
		{"```\nint x = 1 < 2;\n```", "<pre>int x = 1 &lt; 2;</pre>"},
		{"```python\nx = 1\n\ny = 2\n```\ntext", "<pre>x = 1\n\ny = 2</pre>\ntext"},
		{"* one\n* two", "• one\n• two"},
		{"- one\n  - sub\n+ three", "• one\n  • sub\n• three"},
		{"1. first\n2. **second**", "1. first\n2. <b>second</b>"},
		{"# Title", "<b>Title</b>"},
		{"### Заголовок ###", "<b>Заголовок</b>"},
		{"#hashtag", "#hashtag"},
		{"[учебник](https://example.org/a?b=1&c=2)", "учебник (https://example.org/a?b=1&amp;c=2)"},
		{"[https://x.y](https://x.y)", "https://x.y"},
		{"[not a link] (x)", "[not a link] (x)"},
		{"2 * 3 = 6", "2 * 3 = 6"},
		{"2*3*4 = 24", "2*3*4 = 24"},
		{"snake_case_name and x_1 + y_2", "snake_case_name and x_1 + y_2"},
		{"a < b & c > d \"q\"", "a &lt; b &amp; c &gt; d &quot;q&quot;"},
		{"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
		{"&amp;", "&amp;amp;"},
		{"**unclosed", "**unclosed"},
		{"*unclosed", "*unclosed"},
		{"** spaced **", "** spaced **"},
		{"*", "*"},
		{"**", "**"},
		{"****", "——————"},
		{"* * *", "——————"},
		{"`unclosed code", "`unclosed code"},
		{"```\nunclosed block", "<pre>unclosed block</pre>"},
		{"\\*not italic\\*", "*not italic*"},
		{"---", "——————"},
		{"line\r\nnext\r\n", "line\nnext"},
		{"text\n\n\n", "text"},
		{"", ""},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const char *h = md(rows[i].in);
		if (strcmp(h, rows[i].out) != 0)
			fprintf(stderr, "markdown row %zu: %s\n", i, rows[i].in);
		check_eq_str(h, rows[i].out);
		check(html_ok(h));
	}
}

/* Random Markdown-ish text never yields broken HTML. */
static void test_markdown_hostile(void)
{
	static const char alphabet[] = "**__``[]()#-+ \n\\<>&\"ab1ж.";
	uint64_t x = 88172645463325252ULL;
	int bad = 0;
	for (int round = 0; round < 20000; round++) {
		char in[64];
		size_t n = (size_t)(round % 60);
		for (size_t i = 0; i < n; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			in[i] = alphabet[x % (sizeof alphabet - 1)];
		}
		in[n] = '\0';
		struct buf out = BUF_INIT;
		ai_md_to_html(in, n, &out);
		if (!html_ok(out.p ? out.p : "")) {
			if (!bad++)
				fprintf(stderr, "broken HTML for [%s]: [%s]\n", in, out.p);
		}
		buf_free(&out);
	}
	check_eq_int(bad, 0);
}

/* Long hostile lines (unclosed markers, nested brackets) convert to
 * well-formed HTML that keeps every letter; the converter is linear
 * (make bench-style figures in the README: 64 KiB in under a millisecond,
 * where the quadratic one took a second). */
static void test_markdown_long_hostile(void)
{
	static const char *const pats[] = {"*a ", "**a ", "`` ` ", "[a", "[a](", "_a ", "*`a ", "[[a](", "a*b_c`d["};
	for (size_t p = 0; p < sizeof pats / sizeof pats[0]; p++) {
		struct buf in = BUF_INIT, out = BUF_INIT;
		while (in.len < 64 * 1024)
			buf_puts(&in, pats[p]);
		check(ai_md_to_html(in.p, in.len, &out) == 0);
		check(html_ok(out.p ? out.p : ""));
		size_t letters_in = 0, letters_out = 0;
		for (size_t i = 0; i < in.len; i++)
			letters_in += in.p[i] == 'a';
		for (size_t i = 0; out.p && i < out.len; i++)
			letters_out += out.p[i] == 'a';
		check(letters_out >= letters_in);
		buf_free(&in);
		buf_free(&out);
	}
}

/* Replay the records collected so far into a fresh tutor. */
static void replay_into(struct ai *b)
{
	for (int i = 0; i < recs.n; i++) {
		struct store_rec r;
		memset(&r, 0, sizeof r);
		r.type = recs.type[i];
		r.nf = strcmp(recs.type[i], "aid") == 0 ? 1 : 3;
		for (int k = 0; k < r.nf; k++) {
			r.f[k] = recs.f[i][k];
			r.flen[k] = strlen(recs.f[i][k]);
		}
		if (strcmp(recs.type[i], "aip") == 0) { /* four fields; the collector keeps three: the day is today's */
			static char day[16];
			snprintf(day, sizeof day, "%d", ai_today(b));
			r.f[3] = day;
			r.flen[3] = strlen(day);
			r.nf = 4;
		}
		ai_apply(b, &r);
	}
}

/* A question accepted but never answered (the process died) is told to
 * ask again after the restart, once, and its quota comes back. */
static void test_interrupted_question(void)
{
	struct ai a, b;
	tutor(&a);
	recs.n = 0;
	struct ai_req r = ask(31, "вопрос, который прервётся");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	int aip = 0;
	for (int i = 0; i < recs.n; i++)
		aip += strcmp(recs.type[i], "aip") == 0;
	check_eq_int(aip, 1);
	check_eq_int(last_aiq(31), 1);
	ai_free(&a); /* the restart */
	tutor(&b);
	replay_into(&b);
	check_eq_int(ai_quota_used(&b, 31, ai_today(&b)), 1);
	got.n = 0;
	check_eq_int(ai_recover(&b), 1);
	check_eq_int(got.n, 1);
	check_eq_int(got.status, AI_INTERRUPTED);
	check(strstr(got.html, "ещё раз") != NULL);
	check(got.chat == 31);
	check_eq_int(ai_quota_used(&b, 31, ai_today(&b)), 0);
	check_eq_int(last_aiq(31), 0);
	check_eq_int(ai_recover(&b), 0); /* once */
	ai_free(&b);
	/* after a compaction the open question is still known */
	struct ai c;
	tutor(&c);
	recs.n = 0;
	check_eq_int(ai_submit(&c, &r), AI_PENDING);
	recs.n = 0;
	ai_dump(&c, collect, NULL);
	int open = 0;
	for (int i = 0; i < recs.n; i++)
		open += strcmp(recs.type[i], "aip") == 0;
	check_eq_int(open, 1);
	ai_free(&c);
}

/* A long code block is cut into several <pre> so the reply can be split. */
static void test_markdown_long_code(void)
{
	struct buf in = BUF_INIT;
	buf_puts(&in, "```\n");
	for (int i = 0; i < 300; i++)
		buf_printf(&in, "line %03d of a long listing\n", i);
	buf_puts(&in, "```\n");
	const char *h = md(in.p);
	check(html_ok(h));
	check(strstr(h, "</pre>\n<pre>") != NULL);
	for (const char *p = h; (p = strstr(p, "<pre>")) != NULL; p++) {
		const char *e = strstr(p, "</pre>");
		check(e && e - p < AI_PRE_SPLIT + 100);
	}
	/* and bot_reply's splitter finds places to cut it below Telegram's limit */
	size_t cut = bot_split_point(h, strlen(h), BOT_TEXT_MAX);
	check(cut > 0 && cut < strlen(h));
	buf_free(&in);
}

/* --- Gemini's answers --------------------------------------------------------------- */

static void parse(int status, const char *body, struct ai_parsed *p)
{
	ai_parse_response(status, body, strlen(body), cfg.gemini_model, p);
}

static void test_parse(void)
{
	struct ai_parsed p;
	parse(200, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hello \"},{\"text\":\"**world**\"}],\"role\":\"model\"},"
	           "\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":10,\"totalTokenCount\":42}}", &p);
	check_eq_int(p.status, AI_OK);
	check_eq_str(p.text.p, "Hello **world**");
	check_eq_int(p.tokens, 42);
	buf_free(&p.text);

	parse(200, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"thinking...\",\"thought\":true},{\"text\":\"answer\"}]},"
	           "\"finishReason\":\"STOP\"}]}", &p);
	check_eq_int(p.status, AI_OK);
	check_eq_str(p.text.p, "answer");
	buf_free(&p.text);

	parse(200, "{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Ответ оборвался на полусло\"}]},\"finishReason\":\"MAX_TOKENS\"}]}", &p);
	check_eq_int(p.status, AI_CUT);
	check_eq_str(p.text.p, "Ответ оборвался на полусло");
	buf_free(&p.text);

	parse(200, "{\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"MAX_TOKENS\"}]}", &p);
	check_eq_int(p.status, AI_CUT);
	check(p.text.len == 0);
	buf_free(&p.text);

	parse(200, "{\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"totalTokenCount\":9}}", &p);
	check_eq_int(p.status, AI_REFUSED);
	check(strstr(p.why, "SAFETY") != NULL);
	check_eq_int(p.tokens, 9);
	buf_free(&p.text);

	parse(200, "{\"candidates\":[]}", &p);
	check_eq_int(p.status, AI_REFUSED);
	buf_free(&p.text);

	parse(200, "{}", &p);
	check_eq_int(p.status, AI_REFUSED);
	buf_free(&p.text);

	parse(200, "{\"candidates\":[{\"finishReason\":\"SAFETY\"}]}", &p);
	check_eq_int(p.status, AI_REFUSED);
	check(strstr(p.why, "SAFETY") != NULL);
	buf_free(&p.text);

	static const char *const garbage[] = {"<html><body>upstream connect error</body></html>", "", "[1,2]",
	                                      "{\"candidates\":", "\"text\""};
	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		parse(200, garbage[i], &p);
		check_eq_int(p.status, AI_ERROR);
		check(!p.retry && !p.config);
		buf_free(&p.text);
	}

	const char *q429 = "{\"error\":{\"code\":429,\"message\":\"You exceeded your current quota\",\"status\":\"RESOURCE_EXHAUSTED\","
	                   "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.Help\",\"links\":[]},"
	                   "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":\"m\","
	                   "\"quotaId\":\"GenerateRequestsPerMinutePerProjectPerModel-FreeTier\"}]},"
	                   "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"37s\"}]}}";
	parse(429, q429, &p);
	check_eq_int(p.status, AI_LIMITED);
	check_eq_int(p.pause_s, 37);
	check_eq_int(p.per_day, 0);
	buf_free(&p.text);

	const char *qday = "{\"error\":{\"code\":429,\"status\":\"RESOURCE_EXHAUSTED\",\"details\":["
	                   "{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":["
	                   "{\"quotaId\":\"GenerateRequestsPerDayPerProjectPerModel-FreeTier\"}]},"
	                   "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"1.5s\"}]}}";
	parse(429, qday, &p);
	check_eq_int(p.status, AI_LIMITED);
	check_eq_int(p.per_day, 1);
	check_eq_int(p.pause_s, 2);
	buf_free(&p.text);

	parse(429, "Too Many Requests", &p);
	check_eq_int(p.status, AI_LIMITED);
	check_eq_int(p.pause_s, AI_PAUSE_DEFAULT_S);
	buf_free(&p.text);

	static const int retry_codes[] = {500, 502, 503, 504};
	for (size_t i = 0; i < 4; i++) {
		parse(retry_codes[i], "{\"error\":{\"code\":500,\"message\":\"An internal error has occurred.\",\"status\":\"INTERNAL\"}}", &p);
		check_eq_int(p.status, AI_ERROR);
		check(p.retry && !p.config);
		buf_free(&p.text);
	}
	parse(502, "<html>bad gateway</html>", &p);
	check(p.status == AI_ERROR && p.retry);
	buf_free(&p.text);

	snprintf(cfg.gemini_model, sizeof cfg.gemini_model, "gemini-0.9-nonexistent");
	parse(404, "{\"error\":{\"code\":404,\"message\":\"models/gemini-0.9-nonexistent is not found\",\"status\":\"NOT_FOUND\"}}", &p);
	check(p.status == AI_ERROR && p.config && !p.retry);
	check(strstr(p.why, "gemini-0.9-nonexistent") != NULL);
	buf_free(&p.text);
	snprintf(cfg.gemini_model, sizeof cfg.gemini_model, "gemini-2.5-flash");

	parse(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\",\"status\":\"INVALID_ARGUMENT\","
	           "\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\",\"reason\":\"API_KEY_INVALID\"}]}}", &p);
	check(p.status == AI_ERROR && p.config);
	check(strstr(p.why, "API key was rejected") != NULL);
	buf_free(&p.text);

	parse(403, "{\"error\":{\"code\":403,\"message\":\"Method doesn't allow unregistered callers\",\"status\":\"PERMISSION_DENIED\"}}", &p);
	check(p.status == AI_ERROR && p.config && !p.retry);
	buf_free(&p.text);

	check_eq_int(ai_parse_duration("7s"), 7);
	check_eq_int(ai_parse_duration("0s"), 0);
	check_eq_int(ai_parse_duration("1.000s"), 1);
	check_eq_int(ai_parse_duration("1.001s"), 2);
	check_eq_int(ai_parse_duration("99999999999s"), AI_PAUSE_MAX_S);
	check_eq_int(ai_parse_duration("7"), -1);
	check_eq_int(ai_parse_duration("s"), -1);
	check_eq_int(ai_parse_duration("7m"), -1);
}

/* --- cache keys and the LRU ------------------------------------------------------------ */

static void test_cache_key(void)
{
	char a[AI_KEY_LEN], b[AI_KEY_LEN];
	ai_cache_key(a, 'q', LANG_RU, "Что такое дискриминант?", "");
	ai_cache_key(b, 'q', LANG_RU, "  что   такое ДИСКРИМИНАНТ ", "");
	check_eq_str(a, b);
	check(strncmp(a, "q-ru-", 5) == 0 && strlen(a) == 21);
	ai_cache_key(b, 'q', LANG_RU, "что такое\tдискриминант?!…", "");
	check_eq_str(a, b);
	ai_cache_key(a, 'q', LANG_RU, "Ёлка", "");
	ai_cache_key(b, 'q', LANG_RU, "елка", "");
	check_eq_str(a, b);
	ai_cache_key(b, 'q', LANG_EN, "елка", "");
	check(strcmp(a, b) != 0 && strncmp(b, "q-en-", 5) == 0);
	ai_cache_key(b, 'x', LANG_RU, "елка", "");
	check(strcmp(a, b) != 0);
	ai_cache_key(b, 'q', LANG_RU, "елка", "math-01");
	check(strcmp(a, b) != 0);
	ai_cache_key(b, 'q', LANG_RU, "елки", "");
	check(strcmp(a, b) != 0);
	/* the parts cannot run into each other */
	ai_cache_key(a, 'x', LANG_RU, "ab", "c");
	ai_cache_key(b, 'x', LANG_RU, "a", "bc");
	check(strcmp(a, b) != 0);
}

static void test_lru(void)
{
	struct ai a;
	tutor(&a);
	int64_t far = wall_ms() + 3600000;
	char key[AI_KEY_LEN];
	for (int i = 0; i < AI_CACHE_MAX + 10; i++) {
		snprintf(key, sizeof key, "q-ru-%016d", i);
		check(ai_cache_put(&a, key, far, "ответ", strlen("ответ")) == 0);
	}
	check_eq_int(a.ncache, AI_CACHE_MAX);
	snprintf(key, sizeof key, "q-ru-%016d", 9);
	check(ai_cache_get(&a, key, wall_ms()) == NULL); /* the 10 oldest went */
	snprintf(key, sizeof key, "q-ru-%016d", 10);
	check(ai_cache_get(&a, key, wall_ms()) != NULL); /* used: now the most recent */
	check(ai_cache_put(&a, "q-ru-new", far, "x", 1) == 0);
	check(ai_cache_get(&a, key, wall_ms()) != NULL);
	snprintf(key, sizeof key, "q-ru-%016d", 11);
	check(ai_cache_get(&a, key, wall_ms()) == NULL); /* the least recent went instead */
	/* replacing keeps one entry */
	int n = a.ncache;
	check(ai_cache_put(&a, "q-ru-new", far, "y", 1) == 0);
	check_eq_int(a.ncache, n);
	check_eq_str(ai_cache_get(&a, "q-ru-new", wall_ms())->text, "y");
	/* expired entries are not answers */
	check(ai_cache_put(&a, "q-ru-old", wall_ms() - 1, "z", 1) == 0);
	check(ai_cache_get(&a, "q-ru-old", wall_ms()) == NULL);
	/* too big to cache is refused, not cut */
	char *big = malloc(AI_CACHE_TEXT_MAX + 2);
	memset(big, 'a', AI_CACHE_TEXT_MAX + 1);
	big[AI_CACHE_TEXT_MAX + 1] = '\0';
	check(ai_cache_put(&a, "q-ru-big", far, big, AI_CACHE_TEXT_MAX + 1) < 0);
	/* the byte cap holds */
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof key, "x-ru-%016d", i);
		check(ai_cache_put(&a, key, far, big, AI_CACHE_TEXT_MAX) == 0);
	}
	check(a.cache_bytes <= AI_CACHE_MAX_BYTES);
	check(a.ncache <= AI_CACHE_MAX_BYTES / AI_CACHE_TEXT_MAX);
	free(big);
	ai_free(&a);
}

/* --- submitting: quota, cache, busy, bodies --------------------------------------------- */

static void test_quota_days(void)
{
	struct ai a;
	tutor(&a);
	a.o.daily_limit = 2;
	recs.n = 0;
	struct ai_req r = ask(7, "первый вопрос");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	check_eq_int(last_aiq(7), 1); /* counted durably at once */
	got.n = 0;
	fake_answer(&a, AI_OK, "**ответ**");
	check_eq_int(got.n, 1);
	check_eq_int(got.status, AI_OK);
	check(strstr(got.html, "<b>ответ</b>") != NULL);
	check(strstr(got.html, "осталось: 1") != NULL); /* few left: say so */
	r = ask(7, "второй вопрос");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	fake_answer(&a, AI_OK, "ещё ответ");
	check_eq_int(last_aiq(7), 2);
	r = ask(7, "третий вопрос");
	got.n = 0;
	check_eq_int(ai_submit(&a, &r), AI_QUOTA);
	check_eq_int(got.n, 1);
	check(strstr(got.html, "закончились (2 в день)") != NULL);
	check(a.queue == NULL);
	/* the same question again is free: from the cache (a fresh memory) */
	ai_reset(&a, 7);
	r = ask(7, "Первый вопрос?");
	got.n = 0;
	check_eq_int(ai_submit(&a, &r), AI_OK);
	check(got.cached && strstr(got.html, "<b>ответ</b>") && !strstr(got.html, "осталось"));
	check_eq_int(last_aiq(7), 2);
	/* admins are exempt */
	r = ask(7, "вопрос админа");
	r.is_admin = 1;
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	fake_answer(&a, AI_OK, "да");
	check_eq_int(last_aiq(7), 2);
	/* a failure gives the question back */
	r = ask(8, "вопрос");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	check_eq_int(last_aiq(8), 1);
	fake_answer(&a, AI_ERROR, NULL);
	check_eq_int(got.status, AI_ERROR);
	check_eq_int(last_aiq(8), 0);
	/* the next day in cfg.timezone starts afresh */
	int64_t saved = clock_offset_ms;
	clock_offset_ms += 86400000;
	r = ask(7, "новый день");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	check_eq_int(last_aiq(7), 1);
	fake_answer(&a, AI_OK, "ok");
	/* a record from yesterday replays as nothing */
	struct store_rec rec = {"aiq", 0, 0, 3, {"9", "0", "5"}, {1, 1, 1}};
	char day[16];
	snprintf(day, sizeof day, "%d", ai_today(&a) - 1);
	rec.f[1] = day;
	check_eq_int(ai_apply(&a, &rec), 1);
	check_eq_int(ai_quota_used(&a, 9, ai_today(&a)), 0);
	snprintf(day, sizeof day, "%d", ai_today(&a));
	check_eq_int(ai_apply(&a, &rec), 1);
	check_eq_int(ai_quota_used(&a, 9, ai_today(&a)), 5);
	clock_offset_ms = saved;
	/* many students: the table grows and stays findable */
	for (int64_t u = 1000; u < 1300; u++)
		ai_quota_add(&a, u, 1, ai_today(&a));
	for (int64_t u = 1000; u < 1300; u++)
		check(ai_quota_used(&a, u, ai_today(&a)) == 1);
	ai_free(&a);
}

static void test_submit_decisions(void)
{
	struct ai a;
	/* no key: off, politely */
	cfg.gemini_key[0] = '\0';
	struct ai_opts off;
	ai_opts_init(&off, &cfg);
	check(ai_init(&a, &off, &dummy_hc) == 0);
	a.on_result = on_result;
	struct ai_req r = ask(1, "вопрос");
	got.n = 0;
	check_eq_int(ai_submit(&a, &r), AI_OFF);
	check(got.n == 1 && strstr(got.html, "выключен"));
	check(ai_working(&a));
	ai_free(&a);

	tutor(&a);
	recs.n = 0;
	/* too long */
	struct buf q = BUF_INIT;
	for (int i = 0; i <= AI_QUESTION_MAX; i++)
		buf_puts(&q, "я");
	r = ask(1, q.p);
	check_eq_int(ai_submit(&a, &r), AI_TOO_LONG);
	check(strstr(got.html, "1000") != NULL);
	buf_free(&q);
	/* one question at a time per student */
	r = ask(1, "первый");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	r = ask(1, "второй");
	check_eq_int(ai_submit(&a, &r), AI_WAITING);
	check_eq_int(a.queued, 1);
	/* the queue is bounded: overflow is "busy" at once, not counted */
	int64_t u = 100;
	while (a.queued < a.nslots + AI_QUEUE_MAX) {
		r = ask(u++, "вопрос");
		check_eq_int(ai_submit(&a, &r), AI_PENDING);
	}
	r = ask(u, "вопрос");
	check_eq_int(ai_submit(&a, &r), AI_BUSY);
	check(strstr(got.html, "через минуту") != NULL);
	check_eq_int(last_aiq(u), -1);
	ai_free(&a);

	/* a 429 pause answers at once, with the seconds */
	tutor(&a);
	a.paused_until = mono_ms() + 7000;
	r = ask(2, "вопрос");
	check_eq_int(ai_submit(&a, &r), AI_LIMITED);
	check(strstr(got.html, "через 7 с") != NULL);
	a.paused_day = 1;
	check_eq_int(ai_submit(&a, &r), AI_LIMITED);
	check(strstr(got.html, "завтра") != NULL);
	ai_free(&a);
}

/* The request body: valid JSON, the system instruction, memory, settings, no key. */
static void test_bodies(void)
{
	struct ai a;
	tutor(&a);
	struct ai_req r = ask(5, "Как найти дискриминант?");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	struct buf *b = &a.queue->body;
	struct json_tok t[256];
	int n = json_parse(b->p, b->len, t, 256);
	check(n > 0);
	struct buf s = BUF_INIT;
	check(json_get_str(b->p, t, json_path(b->p, t, n, 0, "systemInstruction.parts.0.text"), &s) == 0);
	check_eq_str(s.p, ai_system[LANG_RU]);
	buf_reset(&s);
	check_eq_int(t[json_obj_get(b->p, t, n, 0, "contents")].size, 1);
	check(json_get_str(b->p, t, json_path(b->p, t, n, 0, "contents.0.parts.0.text"), &s) == 0);
	check_eq_str(s.p, "Как найти дискриминант?");
	int64_t v = 0;
	check(json_get_i64(b->p, t, json_path(b->p, t, n, 0, "generationConfig.maxOutputTokens"), &v) == 0 && v == AI_MAX_OUTPUT_TOKENS);
	check(json_path(b->p, t, n, 0, "generationConfig.temperature") >= 0);
	check(strstr(b->p, cfg.gemini_key) == NULL);
	fake_answer(&a, AI_OK, "D = b^2 - 4ac");
	/* a follow-up carries the conversation, alternating roles */
	r = ask(5, "А если D < 0?");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	b = &a.queue->body;
	n = json_parse(b->p, b->len, t, 256);
	check_eq_int(t[json_obj_get(b->p, t, n, 0, "contents")].size, 3);
	check(json_eq(b->p, t, json_path(b->p, t, n, 0, "contents.1.role"), "model"));
	check(json_eq(b->p, t, json_path(b->p, t, n, 0, "contents.1.parts.0.text"), "D = b^2 - 4ac"));
	check(json_eq(b->p, t, json_path(b->p, t, n, 0, "contents.2.parts.0.text"), "А если D < 0?"));
	check(a.queue->key[0] == '\0'); /* a follow-up is never cached */
	fake_answer(&a, AI_OK, "корней нет");
	/* /reset forgets */
	ai_reset(&a, 5);
	r = ask(5, "ещё вопрос");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	b = &a.queue->body;
	n = json_parse(b->p, b->len, t, 256);
	check_eq_int(t[json_obj_get(b->p, t, n, 0, "contents")].size, 1);
	fake_answer(&a, AI_OK, "ok");
	/* explain: the task, the answer, the solution, the wrong answer; English */
	char key[AI_KEY_LEN];
	ai_cache_key(key, 'x', LANG_EN, "math-01", "5");
	struct ai_req x = {6, 6, LANG_EN, 0, AI_EXPLAIN, NULL, "How much is 2+2?", "4", "Two plus two.", "5", key};
	check_eq_int(ai_submit(&a, &x), AI_PENDING);
	b = &a.queue->body;
	n = json_parse(b->p, b->len, t, 256);
	buf_reset(&s);
	check(json_get_str(b->p, t, json_path(b->p, t, n, 0, "contents.0.parts.0.text"), &s) == 0);
	check(strstr(s.p, "How much is 2+2?") && strstr(s.p, "Correct answer: 4") && strstr(s.p, "Two plus two.") &&
	      strstr(s.p, "I answered: 5"));
	check(json_eq(b->p, t, json_path(b->p, t, n, 0, "systemInstruction.parts.0.text"), ai_system[LANG_EN]));
	/* a cut answer gets its note */
	fake_answer(&a, AI_CUT, "half an ans");
	check(strstr(got.html, "half an ans") && strstr(got.html, "cut off"));
	/* an explanation is cached only when complete: the same press asks again */
	check_eq_int(ai_submit(&a, &x), AI_PENDING);
	fake_answer(&a, AI_OK, "full answer");
	got.n = 0;
	check_eq_int(ai_submit(&a, &x), AI_OK);
	check(got.cached && strstr(got.html, "full answer"));
	buf_free(&s);
	ai_free(&a);
}

static void test_compose(void)
{
	struct buf b = BUF_INIT;
	ai_compose(&b, LANG_RU, AI_REFUSED, NULL, 0, 0, -1);
	check(strstr(b.p, "не могу") != NULL && html_ok(b.p));
	buf_reset(&b);
	ai_compose(&b, LANG_EN, AI_CUT, "", 0, 0, -1);
	check(strstr(b.p, "too long") != NULL);
	buf_reset(&b);
	ai_compose(&b, LANG_RU, AI_ERROR, NULL, 0, 0, -1);
	check(strstr(b.p, "Попробуйте") != NULL);
	buf_reset(&b);
	ai_compose(&b, LANG_RU, AI_OK, "x", 0, 0, 5);
	check_eq_str(b.p, "x"); /* plenty left: no note */
	buf_free(&b);
}

/* --- records through real storage, replay and compaction ----------------------------------- */

static int rt_emit(void *ctx, const char *type, int nf, const char *const *f)
{
	return store_add(ctx, type, nf, f);
}

static int rt_snap_put(void *ctx, const char *type, int nf, const char *const *f)
{
	return store_snap_put(ctx, type, nf, f);
}

static int rt_apply(void *ctx, const struct store_rec *r)
{
	check(ai_apply(ctx, r) == 1);
	return 0;
}

static struct ai *rt_ai;
static int rt_dump(void *ctx, struct store *s)
{
	(void)ctx;
	ai_dump(rt_ai, rt_snap_put, s);
	return 0;
}

static void test_records_round_trip(void)
{
	char dir[] = "/tmp/unit_ai_XXXXXX";
	check(mkdtemp(dir) != NULL);
	struct ai a, b;
	tutor(&a);
	struct store s;
	char err[256];
	check(store_open(&s, dir, FSYNC_OFF, rt_apply, &a, err, sizeof err) == 0);
	a.emit = rt_emit;
	a.ctx = &s;
	store_begin(&s);
	struct ai_req r = ask(11, "Что такое синус?");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	fake_answer(&a, AI_OK, "Отношение **противолежащего** катета к гипотенузе.\tТаб и \\ слэш\nстрока");
	r = ask(12, "Что такое косинус?");
	check_eq_int(ai_submit(&a, &r), AI_PENDING);
	fake_answer(&a, AI_OK, "Прилежащий катет к гипотенузе.");
	check(store_commit(&s) == 0);
	store_close(&s);

	/* replay into a fresh tutor */
	tutor(&b);
	check(store_open(&s, dir, FSYNC_OFF, rt_apply, &b, err, sizeof err) == 0);
	check_eq_int(ai_quota_used(&b, 11, ai_today(&b)), 1);
	check_eq_int(ai_quota_used(&b, 12, ai_today(&b)), 1);
	check_eq_int(b.ncache, 2);
	check_eq_str(b.lru_head->key, a.lru_head->key); /* the newest first, as before */
	r = ask(13, "что такое синус");
	got.n = 0;
	b.emit = NULL;
	check_eq_int(ai_submit(&b, &r), AI_OK);
	check(got.cached && strstr(got.html, "<b>противолежащего</b>") && strstr(got.html, "Таб и \\ слэш\nстрока"));
	/* compaction keeps both, in LRU order; replay after it gives the same */
	rt_ai = &b;
	check(store_compact(&s, rt_dump, NULL) == 0);
	store_close(&s);
	struct ai c;
	tutor(&c);
	check(store_open(&s, dir, FSYNC_OFF, rt_apply, &c, err, sizeof err) == 0);
	check_eq_int(c.ncache, 2);
	check_eq_str(c.lru_head->key, b.lru_head->key);
	check_eq_str(c.lru_tail->key, b.lru_tail->key);
	check_eq_int(ai_quota_used(&c, 11, ai_today(&c)), 1);
	store_close(&s);
	/* not ours */
	struct store_rec other = {"user", 0, 0, 1, {"1"}, {1}};
	check_eq_int(ai_apply(&c, &other), 0);
	struct store_rec bad = {"aic", 0, 0, 1, {"q-ru-x"}, {6}};
	check_eq_int(ai_apply(&c, &bad), 1);
	check_eq_int(ai_apply(NULL, &bad), 1); /* no tutor: still ours, skipped */
	ai_free(&a);
	ai_free(&b);
	ai_free(&c);
	check_rm_rf(dir);
}

int main(void)
{
	cfg_defaults(&cfg);
	logst.level = LOG_ERROR;
	test_markdown();
	test_markdown_hostile();
	test_markdown_long_hostile();
	test_interrupted_question();
	test_markdown_long_code();
	test_parse();
	test_cache_key();
	test_lru();
	test_compose();
	test_quota_days();
	test_submit_decisions();
	test_bodies();
	test_records_round_trip();
	return check_done();
}
