/* Unit and socket tests for section 5, the HTTP/1.1 client over BearSSL.
 *
 * The response parser is fed a table of good and hostile responses whole and
 * one byte at a time; then the real connection machine talks to
 * tests/http_double.py on 127.0.0.1 (plain HTTP and one TLS server per
 * certificate made by tests/gen_certs.sh).
 *
 * not tested:
 *   - DNS failures (a lookup of a bad name may wait on an unreachable
 *     resolver for many seconds on a box without network)
 *   - the DNS cache TTL expiring (would need a clock hook)
 *   - a kept-alive connection that the server closed while idle (the double
 *     never closes idle connections; the code path is small and logged)
 *   - IPv6 (the build boxes may not have ::1)
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

#define check_has(hay, needle) check_has_at((hay), (needle), __FILE__, __LINE__)

static void check_has_at(const char *hay, const char *needle, const char *file, int line)
{
	int ok = hay && strstr(hay, needle) != NULL;
	check_at(ok, file, line, "string contains the expected text");
	if (!ok)
		fprintf(stderr, "     \"%s\" lacks \"%s\"\n", hay ? hay : "(null)", needle);
}

/* --- URLs ------------------------------------------------------------------------ */

static void test_url(void)
{
	struct http_url u;
	check_eq_int(http_url_parse("https://api.telegram.org", &u), 0);
	check(u.tls);
	check_eq_str(u.host, "api.telegram.org");
	check_eq_str(u.port, "443");
	check_eq_str(u.path, "");
	check_eq_int(http_url_parse("http://127.0.0.1:8081/base/path?x=1#frag", &u), 0);
	check(!u.tls);
	check_eq_str(u.host, "127.0.0.1");
	check_eq_str(u.port, "8081");
	check_eq_str(u.path, "/base/path?x=1");
	check_eq_int(http_url_parse("http://[::1]:99/p", &u), 0);
	check(u.ipv6);
	check_eq_str(u.host, "::1");
	check_eq_str(u.port, "99");
	check_eq_int(http_url_parse("HTTP://Example.com", &u), 0);
	check_eq_str(u.port, "80");
	static const char *const bad[] = {
		"ftp://x", "http://", "http://:80", "http://host:0", "http://host:65536", "http://host:12a",
		"http://user@host/", "http://[zz]/", "http://[::1", "http://host/a b", "https://ho st",
		"http://host:/", "http://host\r\n/", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_eq_int(http_url_parse(bad[i], &u), HTTP_ERR_URL);
}

/* --- the parser table ------------------------------------------------------------------ */

struct pcase {
	const char *name;
	const char *data;
	int eof;            /* tell the parser the peer closed after the data */
	size_t max_body;    /* 0: default */
	int want;           /* HTTP_DONE or an error */
	int status;
	const char *body;
	int keep_alive;
};

static const struct pcase good_cases[] = {
	{"content-length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: application/json\r\n\r\nhello", 0, 0,
	 HTTP_DONE, 200, "hello", 1},
	{"chunked odd sizes", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n3;name=val\r\nbcd\r\n"
	 "1A \r\nefghijklmnopqrstuvwxyz0123\r\n0\r\nX-Trailer: t\r\n\r\n", 0, 0, HTTP_DONE, 200,
	 "abcdefghijklmnopqrstuvwxyz0123", 1},
	{"body to EOF", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until eof", 1, 0, HTTP_DONE, 200,
	 "body until eof", 0},
	{"connection close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", 0, 0, HTTP_DONE,
	 200, "ok", 0},
	{"100 continue first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\nX: y\r\n\r\n"
	 "HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew", 0, 0, HTTP_DONE, 201, "new", 1},
	{"204 no body", "HTTP/1.1 204 No Content\r\n\r\n", 0, 0, HTTP_DONE, 204, "", 1},
	{"bare LF, lower case", "HTTP/1.1 404 Not Found\ncontent-length: 3\nRETRY-AFTER: 7\n\nabc", 0, 0, HTTP_DONE,
	 404, "abc", 1},
	{"identical duplicate length", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nhi", 0, 0,
	 HTTP_DONE, 200, "hi", 1},
	{"1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 1\r\n\r\nx", 0, 0, HTTP_DONE,
	 200, "x", 1},
	{"no reason phrase", "HTTP/1.1 429\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n", 0, 0, HTTP_DONE, 429, "",
	 1},
	{"body exactly at cap", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", 0, 10, HTTP_DONE, 200,
	 "0123456789", 1},
	{"chunked exactly at cap", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
	 0, 10, HTTP_DONE, 200, "0123456789", 1},
};

static const struct pcase bad_cases[] = {
	{"garbage status line", "HTZP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 0, 0, HTTP_ERR_STATUS_LINE, 0, 0, 0},
	{"four digit status", "HTTP/1.1 2000 OK\r\n\r\n", 0, 0, HTTP_ERR_STATUS_LINE, 0, 0, 0},
	{"status 099", "HTTP/1.1 099 Old\r\n\r\n", 0, 0, HTTP_ERR_STATUS_LINE, 0, 0, 0},
	{"empty status line", "\r\nHTTP/1.1 200 OK\r\n\r\n", 0, 0, HTTP_ERR_STATUS_LINE, 0, 0, 0},
	{"HTTP/2", "HTTP/2 200\r\n\r\n", 0, 0, HTTP_ERR_STATUS_LINE, 0, 0, 0},
	{"header without colon", "HTTP/1.1 200 OK\r\nContent-Length 5\r\n\r\nhello", 0, 0, HTTP_ERR_HEADER, 0, 0, 0},
	{"space before colon", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\nhello", 0, 0, HTTP_ERR_HEADER, 0, 0, 0},
	{"obsolete folding", "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", 0, 0, HTTP_ERR_HEADER, 0, 0, 0},
	{"lone CR in header", "HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", 0, 0, HTTP_ERR_HEADER, 0, 0, 0},
	{"body over cap (length)", "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n0123456789a", 0, 10,
	 HTTP_ERR_BODY_TOO_BIG, 0, 0, 0},
	{"body over cap (chunked)", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n01234\r\n6\r\n56789a\r\n0\r\n\r\n",
	 0, 10, HTTP_ERR_BODY_TOO_BIG, 0, 0, 0},
	{"body over cap (EOF)", "HTTP/1.1 200 OK\r\n\r\n0123456789a", 1, 10, HTTP_ERR_BODY_TOO_BIG, 0, 0, 0},
	{"bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0, 0, HTTP_ERR_CHUNK, 0, 0, 0},
	{"empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 0, 0, HTTP_ERR_CHUNK, 0, 0, 0},
	{"negative chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\n", 0, 0, HTTP_ERR_CHUNK, 0,
	 0, 0},
	{"chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF1\r\n", 0, 0,
	 HTTP_ERR_CHUNK, 0, 0, 0},
	{"chunk without CRLF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n", 0, 0,
	 HTTP_ERR_CHUNK, 0, 0, 0},
	{"conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", 0, 0,
	 HTTP_ERR_LENGTH, 0, 0, 0},
	{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, 0, HTTP_ERR_LENGTH, 0, 0, 0},
	{"overflowing length", "HTTP/1.1 200 OK\r\nContent-Length: 184467440737095516160\r\n\r\n", 0, 0,
	 HTTP_ERR_LENGTH, 0, 0, 0},
	{"length list", "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello", 0, 0, HTTP_ERR_LENGTH, 0, 0, 0},
	{"empty length", "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", 0, 0, HTTP_ERR_LENGTH, 0, 0, 0},
	{"length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	 0, 0, HTTP_ERR_LENGTH, 0, 0, 0},
	{"gzip coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 0, HTTP_ERR_UNSUPPORTED, 0, 0, 0},
	{"101 switching", "HTTP/1.1 101 Switching Protocols\r\n\r\n", 0, 0, HTTP_ERR_UNSUPPORTED, 0, 0, 0},
	{"truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", 1, 0, HTTP_ERR_TRUNCATED, 0, 0, 0},
	{"truncated headers", "HTTP/1.1 200 OK\r\nContent-Len", 1, 0, HTTP_ERR_TRUNCATED, 0, 0, 0},
	{"truncated chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", 1, 0,
	 HTTP_ERR_TRUNCATED, 0, 0, 0},
	{"truncated before last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 1, 0,
	 HTTP_ERR_TRUNCATED, 0, 0, 0},
	{"nothing at all", "", 1, 0, HTTP_ERR_TRUNCATED, 0, 0, 0},
};

/* Feed data in pieces of step bytes (then EOF if asked).  Returns the result. */
static int feed_case(struct http_parser *p, const struct pcase *k, size_t len, size_t step)
{
	http_parser_init(p, k->max_body, 0);
	int r = HTTP_NEED_MORE;
	for (size_t off = 0; off < len && r == HTTP_NEED_MORE;) {
		size_t n = len - off < step ? len - off : step, used = 0;
		r = http_parse_feed(p, k->data + off, n, &used);
		check(used <= n);
		if (r == HTTP_NEED_MORE)
			check_eq_int(used, n); /* need-more means everything was taken */
		off += used;
	}
	if (r == HTTP_NEED_MORE && k->eof)
		r = http_parse_eof(p);
	return r;
}

static void test_parser(void)
{
	struct http_parser *p = calloc(1, sizeof *p);
	static const size_t steps[] = {SIZE_MAX, 1, 2, 7};
	for (size_t i = 0; i < sizeof good_cases / sizeof good_cases[0]; i++) {
		const struct pcase *k = &good_cases[i];
		for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
			int r = feed_case(p, k, strlen(k->data), steps[s]);
			if (r != HTTP_DONE)
				fprintf(stderr, "     case \"%s\", step %zu\n", k->name, steps[s]);
			check_eq_int(r, HTTP_DONE);
			check_eq_int(p->res.status, k->status);
			check_eq_str(p->res.body.p ? p->res.body.p : "", k->body);
			check_eq_int(p->res.keep_alive, k->keep_alive);
		}
	}
	/* a few fields of the table's first and sixth responses */
	feed_case(p, &good_cases[0], strlen(good_cases[0].data), 1);
	check_eq_str(p->res.content_type, "application/json");
	check_eq_int(p->res.content_length, 5);
	feed_case(p, &good_cases[6], strlen(good_cases[6].data), 1);
	check_eq_int(p->res.retry_after, 7);

	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		const struct pcase *k = &bad_cases[i];
		for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
			int r = feed_case(p, k, strlen(k->data), steps[s]);
			if (r != k->want)
				fprintf(stderr, "     case \"%s\", step %zu\n", k->name, steps[s]);
			check_eq_int(r, k->want);
			/* sticky: more bytes do not revive it */
			size_t used;
			check_eq_int(http_parse_feed(p, "HTTP/1.1 200 OK\r\n\r\n", 19, &used), k->want);
		}
	}

	/* The header cap: 17 KiB of headers is refused, whole and byte by byte. */
	struct buf big = BUF_INIT;
	buf_puts(&big, "HTTP/1.1 200 OK\r\n");
	while (big.len < HTTP_MAX_HEADER_BYTES + 1024)
		buf_puts(&big, "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
	buf_puts(&big, "Content-Length: 0\r\n\r\n");
	struct pcase k = {"header over cap", big.p, 0, 0, HTTP_ERR_HEADER_TOO_BIG, 0, 0, 0};
	check_eq_int(feed_case(p, &k, big.len, SIZE_MAX), HTTP_ERR_HEADER_TOO_BIG);
	check_eq_int(feed_case(p, &k, big.len, 1), HTTP_ERR_HEADER_TOO_BIG);
	check_has(http_parse_errstr(p), "16 KiB");
	/* one single header line longer than the cap */
	buf_reset(&big);
	buf_puts(&big, "HTTP/1.1 200 OK\r\nX: ");
	while (big.len < HTTP_MAX_HEADER_BYTES + 10)
		buf_putc(&big, 'a');
	k.data = big.p;
	check_eq_int(feed_case(p, &k, big.len, SIZE_MAX), HTTP_ERR_HEADER_TOO_BIG);
	/* interim 100 responses count against the same cap */
	buf_reset(&big);
	while (big.len < HTTP_MAX_HEADER_BYTES + 100)
		buf_puts(&big, "HTTP/1.1 100 Continue\r\n\r\n");
	k.data = big.p;
	check_eq_int(feed_case(p, &k, big.len, SIZE_MAX), HTTP_ERR_HEADER_TOO_BIG);
	buf_free(&big);

	/* bytes after a complete response are left for the caller */
	http_parser_init(p, 0, 0);
	size_t used = 0;
	const char *two = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxHTTP/1.1";
	check_eq_int(http_parse_feed(p, two, strlen(two), &used), HTTP_DONE);
	check_eq_int(used, strlen(two) - 8);
	/* a HEAD response has no body even with a length */
	http_parser_init(p, 0, 1);
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
	check_eq_int(http_parse_feed(p, head, strlen(head), &used), HTTP_DONE);

	http_parser_free(p);
	free(p);
}

/* --- the DER walker ------------------------------------------------------------------ */

static void test_der_garbage(void)
{
	/* hostile certificate bytes never crash the walker */
	unsigned char b[64];
	struct http_cert_info ci;
	for (int i = 0; i < 2000; i++) {
		for (size_t j = 0; j < sizeof b; j++)
			b[j] = (unsigned char)(rand() & 0xff);
		b[0] = 0x30;
		b[1] = (unsigned char)(rand() % 80);
		http_cert_parse(b, (size_t)(rand() % (int)sizeof b), &ci);
	}
	check(1);
	/* a certificate without SANs: no IP matches, and no arithmetic on NULL (UBSan) */
	struct http_cert_info none;
	memset(&none, 0, sizeof none);
	const unsigned char ip4[4] = {127, 0, 0, 1};
	check(!http_san_has_ip(&none, ip4, sizeof ip4));
	/* one iPAddress SAN [7] 127.0.0.1 */
	const unsigned char san[] = {0x87, 4, 127, 0, 0, 1};
	struct http_cert_info one = {"", "", san, sizeof san};
	check(http_san_has_ip(&one, ip4, sizeof ip4));
	const unsigned char other[4] = {127, 0, 0, 2};
	check(!http_san_has_ip(&one, other, sizeof other));
}

/* --- the double --------------------------------------------------------------------- */

struct dbl {
	pid_t pid;
	int in_fd;
	char certs[256];
	int port_plain, port_good, port_expired, port_wronghost, port_self, port_untrusted, port_nointer, port_chain;
};

static const char *tests_dir(void)
{
	static char dir[PATH_MAX_LEN];
	const char *env = getenv("EXAMFLOW_TESTS_DIR");
	if (env)
		return env;
	snprintf(dir, sizeof dir, "%s", __FILE__);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	return dir;
}

/* Make certificates, start the double, read its ports. */
static int dbl_start(struct dbl *d)
{
	memset(d, 0, sizeof *d);
	snprintf(d->certs, sizeof d->certs, "/tmp/examflow-http-certs.%d", (int)getpid());
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "sh '%s/gen_certs.sh' '%s' >/dev/null", tests_dir(), d->certs);
	if (system(cmd) != 0) {
		fprintf(stderr, "gen_certs.sh failed\n");
		return -1;
	}
	int out[2], in[2];
	if (pipe(out) < 0 || pipe(in) < 0)
		return -1;
	char script[PATH_MAX_LEN + 32];
	snprintf(script, sizeof script, "%s/http_double.py", tests_dir());
	d->pid = fork();
	if (d->pid == 0) {
		dup2(out[1], 1);
		dup2(in[0], 0);
		close(out[0]);
		close(in[1]);
		execlp("python3", "python3", script, "--certs", d->certs, (char *)NULL);
		_exit(127);
	}
	close(out[1]);
	close(in[0]);
	d->in_fd = in[1];
	FILE *f = fdopen(out[0], "r");
	char line[128], name[64];
	int port;
	while (f && fgets(line, sizeof line, f)) {
		if (strncmp(line, "ready", 5) == 0)
			break;
		if (sscanf(line, "%63s %d", name, &port) != 2)
			continue;
		int *slot = strcmp(name, "plain") == 0       ? &d->port_plain
			    : strcmp(name, "good") == 0      ? &d->port_good
			    : strcmp(name, "expired") == 0   ? &d->port_expired
			    : strcmp(name, "wronghost") == 0 ? &d->port_wronghost
			    : strcmp(name, "self") == 0      ? &d->port_self
			    : strcmp(name, "untrusted") == 0 ? &d->port_untrusted
			    : strcmp(name, "nointer") == 0   ? &d->port_nointer
			    : strcmp(name, "chain") == 0     ? &d->port_chain
							     : NULL;
		if (slot)
			*slot = port;
	}
	if (f)
		fclose(f);
	return d->port_plain && d->port_chain ? 0 : -1;
}

static void dbl_stop(struct dbl *d)
{
	if (d->pid > 0) {
		close(d->in_fd);
		kill(d->pid, SIGTERM);
		waitpid(d->pid, NULL, 0);
	}
	check_rm_rf(d->certs);
}

static void url_of(struct http_url *u, const char *scheme, const char *host, int port)
{
	char s[300];
	snprintf(s, sizeof s, "%s://%s:%d", scheme, host, port);
	if (http_url_parse(s, u) != 0)
		fprintf(stderr, "bad test URL %s\n", s);
}

/* One request on c, blocking.  Returns the http_step result. */
static int fetch(struct http_conn *c, struct http_client *hc, const struct http_url *u, const char *method,
		 const char *path, const char *extra, const char *body, int timeout_ms)
{
	int r = http_start(c, hc, u, method, path, extra, body, body ? strlen(body) : 0, timeout_ms);
	if (r == HTTP_PENDING)
		r = http_wait(c);
	return r;
}

static const char *body_of(struct http_conn *c)
{
	return http_result(c)->body.p ? http_result(c)->body.p : "";
}

/* Drive c with poll() until its request is on the wire and it waits for the answer. */
static int until_sent(struct http_conn *c)
{
	for (int k = 0; k < 500 && !http_sent_waiting(c); k++) {
		struct pollfd pfd;
		if (http_want(c, &pfd) < 0)
			return 0;
		if (os_poll(&pfd, 1, 10) <= 0)
			pfd.revents = 0;
		if (http_step(c, pfd.revents, mono_ms()) != HTTP_PENDING)
			return 0;
	}
	return http_sent_waiting(c);
}

/* An answer read late, without a poll() (the Telegram engine's send lane
 * under a backlog): there already, it completes at once; not there yet
 * (slow), the read finds nothing and poll() waits for it as before. */
static void test_read_late(struct http_conn *c, struct http_client *hc, const struct http_url *u, int slow)
{
	check_eq_int(http_start(c, hc, u, "GET", "/ok", NULL, NULL, 0, 5000), HTTP_PENDING);
	check(until_sent(c));
	struct timespec ts = {0, 100 * 1000 * 1000};
	os_nanosleep(&ts, NULL);
	check(http_sent_waiting(c)); /* nothing was read: it still waits, for all it knows */
	check_eq_int(http_step(c, POLLIN, mono_ms()), HTTP_DONE);
	check_eq_str(body_of(c), "hello");
	if (!slow)
		return;
	check_eq_int(http_start(c, hc, u, "GET", "/slow", NULL, NULL, 0, 5000), HTTP_PENDING);
	check(until_sent(c));
	check_eq_int(http_step(c, POLLIN, mono_ms()), HTTP_PENDING);
	check(http_sent_waiting(c));
	check_eq_int(http_wait(c), HTTP_DONE);
	check_eq_str(body_of(c), "slow");
}

static void test_plain(struct dbl *d, struct http_client *hc)
{
	struct http_url u;
	url_of(&u, "http", "127.0.0.1", d->port_plain);
	struct http_conn *c = malloc(sizeof *c);
	http_conn_init(c);

	/* keep-alive: three requests, one connection */
	unsigned long before = hc->connects;
	char first[64];
	check_eq_int(fetch(c, hc, &u, "GET", "/count", NULL, NULL, 5000), HTTP_DONE);
	check_eq_int(http_result(c)->status, 200);
	snprintf(first, sizeof first, "%s", body_of(c));
	check_has(first, "req=1");
	check_eq_int(fetch(c, hc, &u, "GET", "/count", NULL, NULL, 5000), HTTP_DONE);
	char want[64];
	snprintf(want, sizeof want, "%.*sreq=2", (int)(strstr(first, "req=") - first), first);
	check_eq_str(body_of(c), want);
	check_eq_int(fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "hello");
	check_eq_int(hc->connects - before, 1);
	check_eq_int(c->requests, 3);

	/* the request we send */
	check_eq_int(fetch(c, hc, &u, "POST", "/echo", "x-goog-api-key: k3y\r\n", "{\"a\":1}", 5000), HTTP_DONE);
	const char *e = body_of(c);
	check(strncmp(e, "POST /echo HTTP/1.1\r\n", 21) == 0);
	char host[64];
	snprintf(host, sizeof host, "Host: 127.0.0.1:%d\r\n", d->port_plain);
	check_has(e, host);
	check_has(e, "User-Agent: examflow/");
	check_has(e, "Connection: keep-alive\r\n");
	check_has(e, "Content-Type: application/json\r\n");
	check_has(e, "Content-Length: 7\r\n");
	check_has(e, "x-goog-api-key: k3y\r\n");
	check(strlen(e) > 11 && strcmp(e + strlen(e) - 11, "\r\n\r\n{\"a\":1}") == 0);
	check_eq_int(hc->connects - before, 1);

	/* chunked with odd sizes, split across writes */
	check_eq_int(fetch(c, hc, &u, "GET", "/chunked", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "{\"a\":\"abcdefghijklmnopqrstuvwx\"}");
	check_eq_str(http_result(c)->content_type, "application/json");

	/* headers and body in two writes, on the same kept-alive connection */
	before = hc->connects;
	check_eq_int(fetch(c, hc, &u, "GET", "/split", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "{\"ok\":true,\"result\":{\"message_id\":7}}");
	check_eq_int(fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "hello");
	check_eq_int(hc->connects - before, 0);

	test_read_late(c, hc, &u, 1);
	check_eq_int(hc->connects - before, 0);

	/* 100 Continue is skipped */
	check_eq_int(fetch(c, hc, &u, "GET", "/continue", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "after continue");

	/* Connection: close ends reuse */
	check_eq_int(fetch(c, hc, &u, "GET", "/close", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "bye");
	check_eq_int(c->state, HC_CLOSED);
	before = hc->connects;
	check_eq_int(fetch(c, hc, &u, "GET", "/eof", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "until the end");
	check_eq_int(hc->connects - before, 1);
	check_eq_int(c->state, HC_CLOSED);

	/* a 404 is a response, not an error */
	check_eq_int(fetch(c, hc, &u, "GET", "/nope", NULL, NULL, 5000), HTTP_DONE);
	check_eq_int(http_result(c)->status, 404);

	/* misbehaving servers: each an error with a reason, never the path */
	struct {
		const char *path;
		int timeout;
		int want;
		const char *why;
	} bad[] = {
		{"/bot123456:SECRETSECRETSECRETSECRETSECRETSECRET/stall", 400, HTTP_ERR_TIMEOUT, "timeout while reading headers"},
		{"/truncated", 5000, HTTP_ERR_TRUNCATED, "truncated"},
		{"/reset", 5000, HTTP_ERR_IO, "Connection reset"},
		{"/garbage", 5000, HTTP_ERR_STATUS_LINE, "garbage status line"},
		{"/bighdr", 5000, HTTP_ERR_HEADER_TOO_BIG, "header block over 16 KiB"},
		{"/bigbody", 5000, HTTP_ERR_BODY_TOO_BIG, "body over 100000 bytes"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		http_set_max_body(c, 100000);
		http_close(c); /* a fresh connection each: /reset must not look like a stale reuse */
		int r = fetch(c, hc, &u, "GET", bad[i].path, NULL, NULL, bad[i].timeout);
		if (r != bad[i].want)
			fprintf(stderr, "     path %s: %s\n", bad[i].path, http_errstr(c));
		check_eq_int(r, bad[i].want);
		check_has(http_errstr(c), bad[i].why);
		check_has(http_errstr(c), "127.0.0.1:");
		check(!strstr(http_errstr(c), "SECRET") && !strstr(http_errstr(c), "/"));
		check_eq_int(c->state, HC_CLOSED);
	}
	http_set_max_body(c, 0);

	/* after an error the connection is not reused */
	before = hc->connects;
	check_eq_int(fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 5000), HTTP_DONE);
	check_eq_int(hc->connects - before, 1);

	/* connection refused names host:port */
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	bind(s, (struct sockaddr *)&sa, sizeof sa);
	getsockname(s, (struct sockaddr *)&sa, &sl);
	close(s);
	struct http_url dead;
	url_of(&dead, "http", "127.0.0.1", ntohs(sa.sin_port));
	check_eq_int(fetch(c, hc, &dead, "GET", "/x", NULL, NULL, 5000), HTTP_ERR_CONNECT);
	check_has(http_errstr(c), "connect: Connection refused");

	/* request arguments that would break the request are refused */
	check_eq_int(http_start(c, hc, &u, "GET", "/a b", NULL, NULL, 0, 1000), HTTP_ERR_URL);
	check_eq_int(http_start(c, hc, &u, "get", "/", NULL, NULL, 0, 1000), HTTP_ERR_URL);
	check_eq_int(http_start(c, hc, &u, "GET", "/", "X: 1\r\n\r\nGET / HTTP/1.1\r\n", NULL, 0, 1000), HTTP_ERR_URL);
	check_eq_int(http_start(c, hc, &u, "GET", "/", "X: 1", NULL, 0, 1000), HTTP_ERR_URL);
	check_eq_int(http_start(c, hc, &u, "GET", "/", "\r\nX: 1\r\n", NULL, 0, 1000), HTTP_ERR_URL);
	check_eq_int(http_start(c, hc, &u, "GET", "/", "X: 1\nY: 2\r\n", NULL, 0, 1000), HTTP_ERR_URL);

	/* the blocking wrapper */
	struct http_response res;
	char err[HTTP_ERR_LEN], url[128];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", d->port_plain);
	check_eq_int(http_request_sync(hc, "GET", url, NULL, NULL, 0, 5000, &res, err, sizeof err), HTTP_DONE);
	check_eq_str(res.body.p, "hello");
	http_response_free(&res);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/garbage", d->port_plain);
	check_eq_int(http_request_sync(hc, "GET", url, NULL, NULL, 0, 5000, &res, err, sizeof err), HTTP_ERR_STATUS_LINE);
	check_has(err, "garbage status line");

	http_close(c);
	free(c);
}

/* Many requests in one poll loop: the slow one finishes last, the others do
 * not wait for it.  Asserts on completion order only. */
static void test_concurrent(struct dbl *d, struct http_client *hc)
{
	enum { N = 8 };
	struct http_url u;
	url_of(&u, "http", "127.0.0.1", d->port_plain);
	struct http_conn *c = calloc(N, sizeof *c);
	int order[N], done = 0, slow_rank = -1;
	for (int i = 0; i < N; i++) {
		http_conn_init(&c[i]);
		check_eq_int(http_start(&c[i], hc, &u, "GET", i == 0 ? "/slow" : i % 2 ? "/chunked" : "/ok", NULL, NULL, 0,
					10000),
			     HTTP_PENDING);
	}
	int results[N];
	for (int i = 0; i < N; i++)
		results[i] = HTTP_PENDING;
	while (done < N) {
		struct pollfd pfd[N];
		int idx[N], n = 0;
		int64_t next = INT64_MAX, now = mono_ms();
		for (int i = 0; i < N; i++) {
			if (results[i] != HTTP_PENDING)
				continue;
			if (http_want(&c[i], &pfd[n]) == 0)
				idx[n++] = i;
			if (http_deadline(&c[i]) < next)
				next = http_deadline(&c[i]);
		}
		int ms = next == INT64_MAX ? 1000 : next <= now ? 0 : (int)(next - now);
		int k = poll(pfd, (nfds_t)n, ms);
		if (k < 0)
			break;
		now = mono_ms();
		for (int j = 0; j < n; j++) {
			int i = idx[j];
			int r = http_step(&c[i], pfd[j].revents, now);
			if (r != HTTP_PENDING) {
				results[i] = r;
				order[done++] = i;
			}
		}
	}
	for (int i = 0; i < N; i++) {
		check_eq_int(results[i], HTTP_DONE);
		if (order[i] == 0)
			slow_rank = i;
	}
	check_eq_int(slow_rank, N - 1);
	check_eq_str(body_of(&c[0]), "slow");
	check_eq_str(body_of(&c[1]), "{\"a\":\"abcdefghijklmnopqrstuvwx\"}");
	for (int i = 0; i < N; i++)
		http_close(&c[i]);
	free(c);
}

static void test_tls(struct dbl *d, struct http_client *hc)
{
	struct http_url u;
	struct http_conn *c = malloc(sizeof *c);
	http_conn_init(c);

	/* the good chain connects, by name and by IP literal (iPAddress SAN) */
	url_of(&u, "https", "localhost", d->port_good);
	int r = fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 10000);
	if (r != HTTP_DONE)
		fprintf(stderr, "     good: %s\n", http_errstr(c));
	check_eq_int(r, HTTP_DONE);
	check_eq_str(body_of(c), "hello");
	char subject[128] = "", not_after[64] = "";
	check_eq_int(http_peer_cert(c, subject, sizeof subject, not_after, sizeof not_after), 0);
	check_eq_str(subject, "localhost");
	check(strlen(not_after) == 23 && strncmp(not_after, "20", 2) == 0 && strstr(not_after, " UTC"));

	/* keep-alive over TLS */
	unsigned long before = hc->connects;
	check_eq_int(fetch(c, hc, &u, "GET", "/chunked", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "{\"a\":\"abcdefghijklmnopqrstuvwx\"}");
	check_eq_int(fetch(c, hc, &u, "POST", "/echo", NULL, "{}", 5000), HTTP_DONE);
	check_has(body_of(c), "Host: localhost:");
	test_read_late(c, hc, &u, 0);
	check_eq_int(hc->connects - before, 0);

	/* session resumption on a new connection to the same host */
	http_close(c);
	check_eq_int(fetch(c, hc, &u, "GET", "/session", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "reused=1");
	check(c->resumed);
	check_eq_int(http_peer_cert(c, subject, sizeof subject, not_after, sizeof not_after), -1); /* fresh conn, resumed: no cert seen */

	/* a body of many TLS records (http_step yields between them) */
	check_eq_int(fetch(c, hc, &u, "GET", "/bigbody", NULL, NULL, 5000), HTTP_DONE);
	check_eq_int(http_result(c)->body.len, 300000);
	check(http_result(c)->body.p[299999] == 'z');

	/* body to EOF over TLS ends with close_notify */
	check_eq_int(fetch(c, hc, &u, "GET", "/eof", NULL, NULL, 5000), HTTP_DONE);
	check_eq_str(body_of(c), "until the end");

	url_of(&u, "https", "127.0.0.1", d->port_good);
	http_close(c);
	r = fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 10000);
	if (r != HTTP_DONE)
		fprintf(stderr, "     good by IP: %s\n", http_errstr(c));
	check_eq_int(r, HTTP_DONE);

	/* the complete chain through an intermediate connects too */
	url_of(&u, "https", "localhost", d->port_chain);
	http_close(c);
	r = fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 10000);
	if (r != HTTP_DONE)
		fprintf(stderr, "     chain: %s\n", http_errstr(c));
	check_eq_int(r, HTTP_DONE);

	/* each bad certificate is refused with its reason */
	struct {
		const char *name, *host;
		int port;
		const char *why;
	} bad[] = {
		{"expired", "localhost", d->port_expired, "certificate expired or not yet valid"},
		{"wrong host", "localhost", d->port_wronghost, "certificate is for another host"},
		{"wrong host by IP", "127.0.0.1", d->port_wronghost, "certificate is for another host"},
		{"self-signed", "localhost", d->port_self, "unknown certificate authority"},
		{"untrusted CA", "localhost", d->port_untrusted, "unknown certificate authority"},
		{"missing intermediate", "localhost", d->port_nointer, "unknown certificate authority"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		url_of(&u, "https", bad[i].host, bad[i].port);
		http_close(c);
		r = fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 10000);
		if (r != HTTP_ERR_TLS)
			fprintf(stderr, "     %s: %d %s\n", bad[i].name, r, http_errstr(c));
		check_eq_int(r, HTTP_ERR_TLS);
		check_has(http_errstr(c), bad[i].why);
		check_has(http_errstr(c), "TLS: ");
	}
	url_of(&u, "https", "localhost", d->port_expired);
	http_close(c);
	fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 10000);
	check_has(http_errstr(c), "valid until 2021-01-01 00:00:00 UTC");

	/* plain HTTP spoken to a TLS port, and TLS to a plain port, fail cleanly */
	url_of(&u, "https", "localhost", d->port_plain);
	http_close(c);
	r = fetch(c, hc, &u, "GET", "/ok", NULL, NULL, 1000);
	check(r < 0);

	/* the blocking wrapper, as `examflow check` uses it: the path holds a token */
	struct http_response res;
	char err[HTTP_ERR_LEN], url[160];
	snprintf(url, sizeof url, "https://localhost:%d/bot123456:SECRETSECRETSECRETSECRETSECRET/getMe", d->port_good);
	check_eq_int(http_request_sync(hc, "GET", url, NULL, NULL, 0, 5000, &res, err, sizeof err), HTTP_DONE);
	check_has(res.body.p, "examflow_test_bot");
	http_response_free(&res);
	snprintf(url, sizeof url, "https://localhost:%d/bot123456:SECRETSECRETSECRETSECRETSECRET/getMe",
		 d->port_wronghost);
	check_eq_int(http_request_sync(hc, "GET", url, NULL, NULL, 0, 5000, &res, err, sizeof err), HTTP_ERR_TLS);
	check(!strstr(err, "SECRET"));
	check_has(err, "certificate is for another host");

	http_close(c);
	free(c);
}

static void test_trust_store(struct dbl *d)
{
	struct http_client hc;
	check_eq_int(http_client_init(&hc, "/nonexistent/ca.pem"), -1);
	check_has(hc.err, "/nonexistent/ca.pem");
	struct http_url u;
	url_of(&u, "https", "localhost", d->port_good);
	struct http_conn *c = malloc(sizeof *c);
	http_conn_init(c);
	check_eq_int(fetch(c, &hc, &u, "GET", "/ok", NULL, NULL, 5000), HTTP_ERR_TLS);
	check_has(http_errstr(c), "no trust anchors");
	http_close(c);
	free(c);
	http_client_free(&hc);

	/* a file with no certificate in it */
	char path[300];
	snprintf(path, sizeof path, "%s/good.key", d->certs);
	check_eq_int(http_client_init(&hc, path), -1);
	check_has(hc.err, "no usable certificates");
	http_client_free(&hc);

	/* the system bundle, where this machine has one */
	if (access("/etc/ssl/certs/ca-certificates.crt", R_OK) == 0) {
		check_eq_int(http_client_init(&hc, NULL), 0);
		check(hc.ntas > 50);
		check_eq_str(hc.ca_path, "/etc/ssl/certs/ca-certificates.crt");
		/* our test CA is not in it: the good server is refused */
		c = malloc(sizeof *c);
		http_conn_init(c);
		check_eq_int(fetch(c, &hc, &u, "GET", "/ok", NULL, NULL, 5000), HTTP_ERR_TLS);
		check_has(http_errstr(c), "unknown certificate authority");
		http_close(c);
		free(c);
		http_client_free(&hc);
	}
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	/* The TLS refusals below log warnings by design; show them on demand. */
	logst.level = getenv("HTTP_TEST_DEBUG") ? LOG_DEBUG : LOG_ERROR;
	test_url();
	test_parser();
	test_der_garbage();

	struct dbl d;
	if (dbl_start(&d) < 0) {
		check(!"the test double started");
		dbl_stop(&d);
		return check_done();
	}
	struct http_client hc;
	char ca[300];
	snprintf(ca, sizeof ca, "%s/ca.pem", d.certs);
	check_eq_int(http_client_init(&hc, ca), 0);
	check_eq_int(hc.ntas, 1);
	test_plain(&d, &hc);
	test_concurrent(&d, &hc);
	test_tls(&d, &hc);
	test_trust_store(&d);
	http_client_free(&hc);
	dbl_stop(&d);
	return check_done();
}
