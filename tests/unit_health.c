/* Unit tests for section 11: the health listener driven over real sockets on
 * 127.0.0.1 (200/503/404/405/400/HEAD, Prometheus text, oversized heads,
 * slowloris, the client cap, a port that is taken at first), the heartbeat
 * (against the listener itself), log rotation with small sizes, and
 * `examflow uptime`'s parsing and cache.
 *
 * not tested: a real getMonitors over the network (e2e_health.py has a
 * stdlib fake), IPv6 listening (may be absent in CI containers), EMFILE.
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

/* health_init with the default configuration's options, listening on addr. */
static int hinit(struct health *h, const char *addr)
{
	struct health_opts o;
	health_opts_init(&o, &cfg);
	snprintf(o.listen, sizeof o.listen, "%s", addr);
	return health_init(h, &o);
}

static struct health_metrics fake; /* what the fill callback reports */
static int fills;

static void fake_fill(void *ctx, struct health_metrics *m)
{
	(void)ctx;
	*m = fake;
	fills++;
}

static void fake_healthy(void)
{
	memset(&fake, 0, sizeof fake);
	fake.st.bot_online = fake.st.api_responsive = fake.st.database_connected = fake.st.ai_working = 1;
	fake.updates = 7;
	fake.replies_sent = 5;
	fake.replies_dropped = 1;
	fake.n429 = 2;
	fake.errors_by_kind[HEALTH_ERR_TELEGRAM] = 3;
	fake.errors_by_kind[HEALTH_ERR_STORAGE] = 4;
	fake.ai_calls = 2;
	fake.ai_latency_ms_sum = 1500;
	fake.ai_latency_count = 2;
	fake.st.queue_depth = 9;
	fake.storage_bytes = 12345;
	fake.st.last_update_at = 1700000000000LL;
}

/* One server iteration: want, poll up to ms, step. */
static void serve_once(struct health *h, int ms)
{
	struct pollfd pfd[HEALTH_POLLFDS];
	int64_t now = mono_ms(), wake = now + ms;
	int n = health_want(h, pfd, HEALTH_POLLFDS, now, &wake);
	int t = wake > now ? (int)(wake - now) : 0;
	poll(pfd, (nfds_t)n, t > ms ? ms : t);
	health_step(h, pfd, n, mono_ms(), fake_fill, NULL);
}

static void serve_for(struct health *h, int ms)
{
	int64_t end = mono_ms() + ms;
	while (mono_ms() < end)
		serve_once(h, 20);
}

static int client_open(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	set_nonblock(fd);
	return fd;
}

/* Read what the server sends until it closes (1), or until ms pass (0). */
static int client_read(struct health *h, int fd, struct buf *out, int ms)
{
	int64_t end = mono_ms() + ms;
	while (mono_ms() < end) {
		char chunk[4096];
		ssize_t n = recv(fd, chunk, sizeof chunk, 0);
		if (n > 0) {
			buf_append(out, chunk, (size_t)n);
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return 1;
		serve_once(h, 10);
	}
	return 0;
}

/* A whole exchange: returns the HTTP status (0: none), the response in out. */
static int request(struct health *h, int port, const char *req, struct buf *out)
{
	buf_reset(out);
	int fd = client_open(port);
	if (fd < 0)
		return 0;
	if (write_all(fd, req, strlen(req)) < 0) {
		close(fd);
		return 0;
	}
	int closed = client_read(h, fd, out, 5000);
	close(fd);
	int code = 0;
	if (!closed || !out->p || sscanf(out->p, "HTTP/1.1 %d", &code) != 1)
		return 0;
	return code;
}

static const char *body_of(const struct buf *b)
{
	const char *p = b->p ? strstr(b->p, "\r\n\r\n") : NULL;
	return p ? p + 4 : "";
}

/* --- Prometheus text format, checked line by line ------------------------- */

static int prom_name_ok(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
			return 0;
	return 1;
}

struct prom {
	char typed[64][64], types[64][16];
	int ntyped, nhelp, nsamples;
};

static const char *prom_type_of(const struct prom *p, const char *name)
{
	for (int i = 0; i < p->ntyped; i++)
		if (strcmp(p->typed[i], name) == 0)
			return p->types[i];
	return NULL;
}

/* 0 when text is valid exposition format 0.0.4 with a TYPE before every
 * sample; else the 1-based number of the first bad line. */
static int prom_check(const char *text, struct prom *p)
{
	memset(p, 0, sizeof *p);
	int lineno = 0;
	for (const char *s = text; *s;) {
		const char *nl = strchr(s, '\n');
		if (!nl)
			return lineno + 1; /* the last line must end in \n too */
		lineno++;
		char line[512];
		size_t len = (size_t)(nl - s);
		if (len >= sizeof line)
			return lineno;
		memcpy(line, s, len);
		line[len] = '\0';
		s = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0) {
			size_t n = strcspn(line + 7, " ");
			if (!prom_name_ok(line + 7, n) || !line[7 + n])
				return lineno;
			p->nhelp++;
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char name[64], type[16], extra;
			if (sscanf(line + 7, "%63s %15s %c", name, type, &extra) != 2 || !prom_name_ok(name, strlen(name)) ||
			    (strcmp(type, "counter") && strcmp(type, "gauge") && strcmp(type, "summary") &&
			     strcmp(type, "histogram") && strcmp(type, "untyped")) ||
			    prom_type_of(p, name) || p->ntyped == 64)
				return lineno;
			snprintf(p->typed[p->ntyped], 64, "%s", name);
			snprintf(p->types[p->ntyped++], 16, "%s", type);
			continue;
		}
		if (line[0] == '#')
			continue;
		size_t n = strcspn(line, "{ ");
		if (!prom_name_ok(line, n))
			return lineno;
		char name[64];
		snprintf(name, sizeof name, "%.*s", (int)n, line);
		const char *v = line + n;
		if (*v == '{') {
			const char *q = v + 1;
			for (;;) { /* name="value" pairs */
				size_t ln = strcspn(q, "=");
				if (!prom_name_ok(q, ln) || q[ln + 1] != '"')
					return lineno;
				q += ln + 2;
				while (*q && *q != '"')
					q += *q == '\\' && q[1] ? 2 : 1;
				if (*q != '"')
					return lineno;
				q++;
				if (*q == ',') {
					q++;
					continue;
				}
				if (*q != '}')
					return lineno;
				v = q + 1;
				break;
			}
		}
		if (*v != ' ')
			return lineno;
		char *end;
		strtod(v + 1, &end);
		if (end == v + 1 || *end)
			return lineno;
		const char *type = prom_type_of(p, name);
		if (!type) { /* a summary's _sum / _count belong to the base name */
			size_t nl2 = strlen(name);
			if (nl2 > 4 && strcmp(name + nl2 - 4, "_sum") == 0)
				name[nl2 - 4] = '\0';
			else if (nl2 > 6 && strcmp(name + nl2 - 6, "_count") == 0)
				name[nl2 - 6] = '\0';
			type = prom_type_of(p, name);
			if (!type || strcmp(type, "summary") != 0)
				return lineno;
		}
		p->nsamples++;
	}
	return 0;
}

/* The value of the sample "name" (with its labels, exactly), or -1. */
static double prom_value(const char *text, const char *series)
{
	size_t n = strlen(series);
	for (const char *s = text; s && *s; s = strchr(s, '\n'), s = s ? s + 1 : NULL)
		if (strncmp(s, series, n) == 0 && s[n] == ' ')
			return strtod(s + n + 1, NULL);
	return -1;
}

/* --- tests ---------------------------------------------------------------- */

static void test_split_addr(void)
{
	char host[64], port[16];
	check(health_split_addr("127.0.0.1:8080", host, sizeof host, port, sizeof port) == 0);
	check_eq_str(host, "127.0.0.1");
	check_eq_str(port, "8080");
	check(health_split_addr("[::1]:9", host, sizeof host, port, sizeof port) == 0);
	check_eq_str(host, "::1");
	check(health_split_addr(":8080", host, sizeof host, port, sizeof port) == 0);
	check_eq_str(host, "");
	check(health_split_addr("*:8080", host, sizeof host, port, sizeof port) == 0);
	check_eq_str(host, "");
	check(health_split_addr("localhost", host, sizeof host, port, sizeof port) < 0);
	check(health_split_addr("localhost:", host, sizeof host, port, sizeof port) < 0);
}

static void test_off(void)
{
	struct health h;
	check(hinit(&h, "") == 0);
	check(h.lfd < 0);
	struct pollfd pfd[HEALTH_POLLFDS];
	int64_t wake = mono_ms() + 1000;
	check_eq_int(health_want(&h, pfd, HEALTH_POLLFDS, mono_ms(), &wake), 0);
	health_step(&h, pfd, 0, mono_ms(), fake_fill, NULL);
	health_free(&h);
	check(hinit(&h, "no-port-here") < 0);
	health_free(&h);
	check_eq_int(health_want(NULL, pfd, HEALTH_POLLFDS, mono_ms(), &wake), 0);
}

static void test_pages(struct health *h, int port)
{
	struct buf r = BUF_INIT;
	fake_healthy();
	int before = fills;
	check_eq_int(request(h, port, "GET /health HTTP/1.1\r\nHost: x\r\n\r\n", &r), 200);
	check(fills == before + 1); /* metrics are fetched only for a page */
	check(strstr(r.p, "Content-Type: application/json\r\n") != NULL);
	check(strstr(r.p, "Connection: close\r\n") != NULL);
	const char *js = body_of(&r);
	struct json_tok tk[128];
	int n = json_parse(js, strlen(js), tk, 128);
	check(n > 0);
	static const char *const keys[] = {"timestamp", "bot_online", "api_responsive", "database_connected",
	                                   "ai_working", "overall_healthy", "errors", "version", "pid", "worker_pid",
	                                   "uptime_s", "restarts", "last_restart_cause", "last_update_at", "queue_depth"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		check(n > 0 && json_obj_get(js, tk, n, 0, keys[i]) >= 0);
	int v = -1;
	check(json_get_bool(js, tk, json_obj_get(js, tk, n, 0, "overall_healthy"), &v) == 0 && v == 1);
	int64_t q = -1;
	check(json_get_i64(js, tk, json_obj_get(js, tk, n, 0, "queue_depth"), &q) == 0 && q == 9);
	check(strstr(js, "\"last_update_at\":\"2023-11-14T22:13:20.000Z\"") != NULL);

	fake.st.api_responsive = 0;
	fake.st.nerrors = 1;
	snprintf(fake.st.errors[0], STATUS_ERROR_LEN, "telegram getUpdates: HTTP 502 \"bad\" gateway");
	check_eq_int(request(h, port, "GET /health HTTP/1.1\r\n\r\n", &r), 503);
	js = body_of(&r);
	check(strstr(js, "\"overall_healthy\":false") != NULL);
	check(strstr(js, "\"api_responsive\":false") != NULL);
	check(strstr(js, "HTTP 502 \\\"bad\\\" gateway") != NULL);
	fake_healthy();

	/* bare \n line ends, a query string, HEAD */
	check_eq_int(request(h, port, "GET /health?x=1 HTTP/1.0\n\n", &r), 200);
	check_eq_int(request(h, port, "HEAD /metrics HTTP/1.1\r\n\r\n", &r), 200);
	check(strcmp(body_of(&r), "") == 0);
	check(strstr(r.p, "Content-Length: 0\r\n") == NULL); /* HEAD tells the GET's length */
	check_eq_int(request(h, port, "GET / HTTP/1.1\r\n\r\n", &r), 404);
	check_eq_int(request(h, port, "GET /healthz HTTP/1.1\r\n\r\n", &r), 404);
	check_eq_int(request(h, port, "POST /health HTTP/1.1\r\nContent-Length: 0\r\n\r\n", &r), 405);
	check(strstr(r.p, "Allow: GET, HEAD\r\n") != NULL);
	check_eq_int(request(h, port, "hello\r\n\r\n", &r), 400);
	check_eq_int(request(h, port, "GET health HTTP/1.1\r\n\r\n", &r), 400);
	check_eq_int(request(h, port, "GET /health SPDY/3\r\n\r\n", &r), 400);
	check_eq_int(request(h, port, "GET /health HTTP/1.1 extra\r\n\r\n", &r), 400);
	char nul[] = "GET /health HTTP/1.1\r\nX: a\0b\r\n\r\n";
	int fd = client_open(port);
	write_all(fd, nul, sizeof nul - 1);
	buf_reset(&r);
	client_read(h, fd, &r, 3000);
	close(fd);
	check(r.p && strncmp(r.p, "HTTP/1.1 400", 12) == 0);
	buf_free(&r);
}

static void test_metrics(struct health *h, int port)
{
	struct buf r = BUF_INIT;
	fake_healthy();
	check_eq_int(request(h, port, "GET /metrics HTTP/1.1\r\n\r\n", &r), 200);
	check(strstr(r.p, "Content-Type: text/plain; version=0.0.4") != NULL);
	const char *text = body_of(&r);
	struct prom p;
	int bad = prom_check(text, &p);
	check_eq_int(bad, 0);
	if (bad)
		fprintf(stderr, "%s\n", text);
	check(p.nsamples >= 20);
	check(p.nhelp == p.ntyped);
	check(prom_value(text, "examflow_updates_received_total") == 7);
	check(prom_value(text, "examflow_replies_sent_total") == 5);
	check(prom_value(text, "examflow_replies_dropped_total") == 1);
	check(prom_value(text, "examflow_telegram_429_total") == 2);
	check(prom_value(text, "examflow_errors_total{kind=\"telegram\"}") == 3);
	check(prom_value(text, "examflow_errors_total{kind=\"storage\"}") == 4);
	check(prom_value(text, "examflow_errors_total{kind=\"ai\"}") == 0);
	check(prom_value(text, "examflow_errors_total{kind=\"heartbeat\"}") >= 0);
	check(prom_value(text, "examflow_ai_calls_total") == 2);
	check(prom_value(text, "examflow_ai_latency_seconds_sum") == 1.5);
	check(prom_value(text, "examflow_ai_latency_seconds_count") == 2);
	check(prom_value(text, "examflow_outbox_depth") == 9);
	check(prom_value(text, "examflow_storage_bytes") == 12345);
	check(prom_value(text, "examflow_worker_restarts_total") == 0);
	check(prom_value(text, "examflow_uptime_seconds") >= 0);
	check(prom_value(text, "examflow_health_check{check=\"overall_healthy\"}") == 1);
	check(prom_value(text, "examflow_health_responses_total{code=\"404\"}") >= 2);
	check(prom_value(text, "examflow_last_update_timestamp_seconds") == 1700000000);
	/* the checker itself refuses what it should */
	check(prom_check("x 1", &p) != 0);
	check(prom_check("# TYPE x counter\nx one\n", &p) != 0);
	check(prom_check("y 1\n", &p) != 0);
	check(prom_check("# TYPE x counter\nx{a=\"1\" 1\n", &p) != 0);
	buf_free(&r);
}

static void test_oversized(struct health *h, int port)
{
	struct buf r = BUF_INIT;
	char big[HEALTH_MAX_REQUEST + 500];
	int n = snprintf(big, sizeof big, "GET /health HTTP/1.1\r\nX-Long: ");
	memset(big + n, 'a', sizeof big - (size_t)n - 1);
	big[sizeof big - 1] = '\0';
	int fd = client_open(port);
	check(fd >= 0);
	/* the server stops reading at its cap: send what fits, non-blocking */
	send(fd, big, strlen(big), MSG_NOSIGNAL);
	check(client_read(h, fd, &r, 3000) == 1);
	check(r.p && strncmp(r.p, "HTTP/1.1 431", 12) == 0);
	close(fd);
	/* just under the cap is fine */
	char ok[HEALTH_MAX_REQUEST];
	n = snprintf(ok, sizeof ok, "GET /health HTTP/1.1\r\nX-Long: ");
	memset(ok + n, 'b', sizeof ok - (size_t)n - 5);
	memcpy(ok + sizeof ok - 5, "\r\n\r\n", 5);
	check_eq_int(strlen(ok), HEALTH_MAX_REQUEST - 1);
	check_eq_int(request(h, port, ok, &r), 200);
	buf_free(&r);
}

static void test_slowloris(struct health *h, int port)
{
	struct buf r = BUF_INIT;
	int64_t t0 = mono_ms();
	int slow = client_open(port);
	check(slow >= 0);
	write_all(slow, "GET /hea", 8);
	serve_for(h, 200);
	/* another client is answered at once, while the slow one is still open */
	int64_t t1 = mono_ms();
	check_eq_int(request(h, port, "GET /health HTTP/1.1\r\n\r\n", &r), 200);
	check(mono_ms() - t1 < 1000);
	char c;
	check(recv(slow, &c, 1, 0) < 0 && errno == EAGAIN); /* not closed yet */
	/* the slow one is closed at its deadline, with a 408 */
	buf_reset(&r);
	check(client_read(h, slow, &r, HEALTH_READ_MS + 2000) == 1);
	int64_t took = mono_ms() - t0;
	check(took >= HEALTH_READ_MS - 50 && took < HEALTH_READ_MS + 1000);
	check(r.p && strncmp(r.p, "HTTP/1.1 408", 12) == 0);
	close(slow);
	buf_free(&r);
}

static void test_cap(struct health *h, int port)
{
	struct buf r = BUF_INIT;
	int fds[HEALTH_MAX_CLIENTS];
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++) {
		fds[i] = client_open(port);
		write_all(fds[i], "GET /", 5);
	}
	serve_for(h, 200);
	int busy = 0;
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++)
		busy += h->cl[i].fd >= 0;
	check_eq_int(busy, HEALTH_MAX_CLIENTS);
	int64_t refused = h->busy_refused;
	/* one more: turned away at once, the loop never waits for it */
	int64_t t1 = mono_ms();
	check_eq_int(request(h, port, "GET /health HTTP/1.1\r\n\r\n", &r), 503);
	check(strstr(body_of(&r), "busy") != NULL);
	check(mono_ms() - t1 < 1000);
	check_eq_int(h->busy_refused, refused + 1);
	/* the slots come free at the deadline; then clients are served again */
	serve_for(h, HEALTH_READ_MS + 200);
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++) {
		check(h->cl[i].fd < 0);
		close(fds[i]);
	}
	check_eq_int(request(h, port, "GET /health HTTP/1.1\r\n\r\n", &r), 200);
	buf_free(&r);
}

/* A port someone else holds: the endpoint comes up once it is free. */
static void test_port_taken(void)
{
	int blocker = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a;
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	check(bind(blocker, (struct sockaddr *)&a, sizeof a) == 0 && listen(blocker, 1) == 0);
	getsockname(blocker, (struct sockaddr *)&a, &len);
	char addr[64];
	snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(a.sin_port));
	struct health h;
	check(hinit(&h, addr) == 0);
	check(h.lfd < 0 && h.listen_retry_at > 0);
	close(blocker);
	h.listen_retry_at = mono_ms(); /* do not wait the full retry interval */
	serve_once(&h, 10);
	check(h.lfd >= 0);
	check_eq_int(health_port(&h), ntohs(a.sin_port));
	health_free(&h);
}

static int count_in_file(const char *path, const char *needle)
{
	struct buf b = BUF_INIT;
	int n = 0;
	if (read_file(path, &b, 1 << 20) == 0 && b.p)
		for (const char *p = b.p; (p = strstr(p, needle)) != NULL; p++)
			n++;
	buf_free(&b);
	return n;
}

static void test_heartbeat(struct health *h, int port, const char *dir)
{
	char logp[PATH_MAX_LEN];
	snprintf(logp, sizeof logp, "%s/ping.log", dir);
	check(log_open(logp) == 0);
	struct http_client hc;
	http_client_init(&hc, "/nonexistent-ca-file"); /* plain http needs no anchors */
	h->o.check_interval_ms = 5000;
	/* the listener itself stands in for UptimeRobot; the query is the "secret" */
	snprintf(h->o.heartbeat_url, sizeof h->o.heartbeat_url,
	         "http://127.0.0.1:%d/health?secret-path-xyz", port);
	fake_healthy();
	int64_t ok0 = h->pings_ok;
	health_polled_ok(h, &hc, mono_ms());
	check(h->pinging);
	for (int i = 0; i < 200 && h->pinging; i++)
		serve_once(h, 10);
	check(!h->pinging);
	check_eq_int(h->pings_ok, ok0 + 1);
	/* at most once per check_interval */
	health_polled_ok(h, &hc, mono_ms());
	check(!h->pinging);
	health_polled_ok(h, &hc, h->next_ping - 1);
	check(!h->pinging);
	/* a failing URL: counted each time, logged once, recovery logged */
	snprintf(h->o.heartbeat_url, sizeof h->o.heartbeat_url,
	         "http://127.0.0.1:9/ping/secret-path-xyz");
	for (int k = 0; k < 2; k++) {
		health_polled_ok(h, &hc, h->next_ping);
		for (int i = 0; i < 300 && h->pinging; i++)
			serve_once(h, 10);
		check(!h->pinging);
	}
	check_eq_int(h->pings_failed, 2);
	snprintf(h->o.heartbeat_url, sizeof h->o.heartbeat_url,
	         "http://127.0.0.1:%d/health?secret-path-xyz", port);
	health_polled_ok(h, &hc, h->next_ping);
	for (int i = 0; i < 200 && h->pinging; i++)
		serve_once(h, 10);
	check_eq_int(h->pings_ok, ok0 + 2);
	/* a bad URL is one error line, not one per poll */
	snprintf(h->o.heartbeat_url, sizeof h->o.heartbeat_url, "ftp://x/secret-path-xyz");
	health_polled_ok(h, &hc, h->next_ping);
	health_polled_ok(h, &hc, h->next_ping);
	check(!h->pinging);
	h->o.heartbeat_url[0] = '\0';
	health_polled_ok(h, &hc, h->next_ping);
	check(!h->pinging);
	log_open("-");
	check_eq_int(count_in_file(logp, "heartbeat ping failed"), 1);
	check_eq_int(count_in_file(logp, "work again"), 1);
	check_eq_int(count_in_file(logp, "not an http"), 1);
	check_eq_int(count_in_file(logp, "secret-path-xyz"), 0);
	check_eq_int(count_in_file(logp, "/ping"), 0);
	http_client_free(&hc);
	struct buf r = BUF_INIT;
	check_eq_int(request(h, port, "GET /metrics HTTP/1.1\r\n\r\n", &r), 200);
	check(prom_value(body_of(&r), "examflow_heartbeat_pings_total{result=\"ok\"}") == (double)(ok0 + 2));
	check(prom_value(body_of(&r), "examflow_errors_total{kind=\"heartbeat\"}") == 2);
	buf_free(&r);
}

static int file_exists(const char *dir, const char *name)
{
	char p[PATH_MAX_LEN + 64];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	return access(p, F_OK) == 0;
}

static void test_rotation(const char *dir)
{
	char logp[PATH_MAX_LEN];
	snprintf(logp, sizeof logp, "%s/bot_service.log", dir);
	check(log_open(logp) == 0);
	struct health_logrot r;
	memset(&r, 0, sizeof r);
	char line[200];
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\0';
	int64_t now = 1000000;
	/* below the size: nothing */
	log_info("test", "%s", line);
	check_eq_int(health_log_check(&r, 100000, 3, now), 0);
	check(!file_exists(dir, "bot_service.log.1"));
	/* over the size: rotated; not checked again before the interval */
	for (int i = 0; i < 10; i++)
		log_info("test", "%s", line);
	check_eq_int(health_log_check(&r, 1000, 3, now + 1), 0); /* too early */
	check_eq_int(health_log_check(&r, 1000, 3, now += HEALTH_ROTATE_CHECK_MS), 1);
	check(file_exists(dir, "bot_service.log") && file_exists(dir, "bot_service.log.1"));
	check(count_in_file(logp, "log rotated") == 1); /* the new file starts with the note */
	check(count_in_file(logp, "xxxxxxxxxx") == 0);
	/* many rotations: never more than log_keep old files */
	for (int k = 0; k < 6; k++) {
		for (int i = 0; i < 10; i++)
			log_info("test", "round %d %s", k, line);
		check_eq_int(health_log_check(&r, 1000, 3, now += HEALTH_ROTATE_CHECK_MS), 1);
	}
	check(file_exists(dir, "bot_service.log.1") && file_exists(dir, "bot_service.log.2") &&
	      file_exists(dir, "bot_service.log.3"));
	check(!file_exists(dir, "bot_service.log.4"));
	check_eq_int(r.rotations, 7);
	char p3[PATH_MAX_LEN + 8];
	snprintf(p3, sizeof p3, "%s.1", logp);
	check(count_in_file(p3, "round 5") == 10); /* .1 is the newest */
	snprintf(p3, sizeof p3, "%s.3", logp);
	check(count_in_file(p3, "round 3") == 10);
	/* 0 MiB: never rotate */
	for (int i = 0; i < 10; i++)
		log_info("test", "%s", line);
	check_eq_int(health_log_check(&r, 0, 3, now += HEALTH_ROTATE_CHECK_MS), 0);
	/* someone else moved the file (logrotate): we follow to a new one */
	char moved[PATH_MAX_LEN + 8];
	snprintf(moved, sizeof moved, "%s/moved.log", dir);
	check(rename(logp, moved) == 0);
	check_eq_int(health_log_check(&r, 0, 3, now += HEALTH_ROTATE_CHECK_MS), 0);
	log_info("test", "after the move");
	check(count_in_file(logp, "after the move") == 1);
	check(count_in_file(moved, "after the move") == 0);
	/* a rotation that cannot happen is one error line, and the log goes on */
	log_open("-");
	check_eq_int(health_log_check(&r, 1, 3, now += HEALTH_ROTATE_CHECK_MS), 0); /* stderr: nothing to do */
}

static const char monitors_json[] =
	"{\"stat\":\"ok\",\"pagination\":{\"offset\":0,\"limit\":50,\"total\":6},\"monitors\":["
	"{\"id\":1,\"friendly_name\":\"ExamFlow heartbeat\",\"url\":\"https://heartbeat.example/secret\",\"type\":5,\"status\":2},"
	"{\"id\":2,\"friendly_name\":\"Site\\nwith newline\",\"status\":9},"
	"{\"id\":3,\"friendly_name\":\"Paused one\",\"status\":0},"
	"{\"id\":4,\"friendly_name\":\"Новый\",\"status\":1},"
	"{\"id\":5,\"friendly_name\":\"Wobbly\",\"status\":8},"
	"{\"id\":6,\"friendly_name\":\"Odd\",\"status\":3}]}";

static void test_uptime_parse(void)
{
	struct health_uptime *u = calloc(1, sizeof *u);
	char err[300];
	check_eq_int(health_uptime_parse(monitors_json, sizeof monitors_json - 1, u, err, sizeof err), 0);
	check_eq_int(u->n, 6);
	check_eq_int(u->total, 6);
	check_eq_str(u->mon[0].name, "ExamFlow heartbeat");
	check_eq_str(u->mon[1].name, "Site with newline");
	check_eq_str(health_monitor_word(u->mon[0].status), "up");
	check_eq_str(health_monitor_word(u->mon[1].status), "down");
	check_eq_str(health_monitor_word(u->mon[2].status), "paused");
	check_eq_str(health_monitor_word(u->mon[3].status), "not checked");
	check_eq_str(health_monitor_word(u->mon[4].status), "seems down");
	check_eq_str(health_monitor_word(u->mon[5].status), "unknown");
	check_eq_str(u->mon[3].name, "Новый");
	/* a refused key: a config error, and its echo is never repeated */
	static const char bad_key[] = "{\"stat\":\"fail\",\"error\":{\"type\":\"invalid_parameter\","
	                              "\"parameter_name\":\"api_key\",\"passed_value\":\"u999-SECRETKEY\"}}";
	check_eq_int(health_uptime_parse(bad_key, sizeof bad_key - 1, u, err, sizeof err), -2);
	check(strstr(err, "api_key") != NULL);
	check(strstr(err, "SECRETKEY") == NULL);
	static const char other[] = "{\"stat\":\"fail\",\"error\":{\"type\":\"internal\",\"message\":\"try\\nlater\"}}";
	check_eq_int(health_uptime_parse(other, sizeof other - 1, u, err, sizeof err), -1);
	check(strstr(err, "internal") != NULL && strstr(err, "try later") != NULL);
	check_eq_int(health_uptime_parse("<html>", 6, u, err, sizeof err), -1);
	check_eq_int(health_uptime_parse("{\"stat\":\"ok\"}", 13, u, err, sizeof err), -1);
	check_eq_int(health_uptime_parse("", 0, u, err, sizeof err), -1);
	/* names are cut on a character boundary */
	char name[8];
	utf8_copy_line(name, sizeof name, "абвгд", strlen("абвгд"));
	check_eq_str(name, "абв");
	utf8_copy_line(name, sizeof name, "ab\tc", 4);
	check_eq_str(name, "ab c");
	free(u);
}

static void test_uptime_cache(const char *dir)
{
	struct health_uptime *u = calloc(1, sizeof *u), *back = calloc(1, sizeof *back);
	char err[300], path[PATH_MAX_LEN + 64];
	snprintf(cfg.health_file, sizeof cfg.health_file, "%s/logs/health.json", dir);
	struct health_uptime_opts uo;
	health_uptime_opts_init(&uo, &cfg);
	snprintf(path, sizeof path, "%s", uo.cache);
	char want[PATH_MAX_LEN + 64];
	snprintf(want, sizeof want, "%s/logs/uptimerobot_monitors.cache", dir);
	check_eq_str(path, want);
	health_uptime_parse(monitors_json, sizeof monitors_json - 1, u, err, sizeof err);
	u->fetched_at = wall_ms();
	check(health_uptime_save(path, u) == 0);
	check(health_uptime_load(path, back) == 0);
	check_eq_int(back->n, u->n);
	check_eq_int(back->total, 6);
	check_eq_str(back->mon[1].name, "Site with newline");
	check_eq_int(back->mon[4].status, 8);
	check(count_in_file(path, "heartbeat.example") == 0); /* URLs are never cached */

	/* a fresh cache answers without the network: the API is a closed port */
	snprintf(uo.api, sizeof uo.api, "http://127.0.0.1:9");
	snprintf(uo.key, sizeof uo.key, "u123-testkey");
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	check_eq_int(health_uptime_cmd(&uo, f), EXIT_OK);
	fclose(f);
	check(strstr(out, "cached") != NULL);
	check(strstr(out, "  up           ExamFlow heartbeat\n") != NULL);
	check(strstr(out, "  seems down   Wobbly\n") != NULL);
	free(out);
	/* stale and the API unreachable: shown as STALE, exit 1 */
	u->fetched_at = wall_ms() - HEALTH_UPTIME_TTL_MS - 1000;
	health_uptime_save(path, u);
	f = open_memstream(&out, &outlen);
	check_eq_int(health_uptime_cmd(&uo, f), EXIT_FAIL);
	fclose(f);
	check(strstr(out, "STALE") != NULL);
	free(out);
	/* no key: a configuration error */
	uo.key[0] = '\0';
	f = open_memstream(&out, &outlen);
	check_eq_int(health_uptime_cmd(&uo, f), EXIT_CONFIG);
	fclose(f);
	free(out);
	/* a damaged cache is ignored */
	write_file_atomic(path, "garbage\n", 8);
	check(health_uptime_load(path, back) < 0);
	free(u);
	free(back);
}

static void rm_rf(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[PATH_MAX_LEN + 300];
	while (d && (e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			rm_rf(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	cfg_defaults(&cfg);
	logst.level = LOG_DEBUG;
	char dir[] = "/tmp/unit_health-XXXXXX";
	if (!mkdtemp(dir))
		return 1;

	test_split_addr();
	test_off();
	struct health *h = calloc(1, sizeof *h);
	check(hinit(h, "127.0.0.1:0") == 0);
	int port = health_port(h);
	check(port > 0);
	h->o.log_max_bytes = 0; /* the listener tests write no log file */
	test_pages(h, port);
	test_metrics(h, port);
	test_oversized(h, port);
	test_slowloris(h, port);
	test_cap(h, port);
	test_heartbeat(h, port, dir);
	health_free(h);
	free(h);
	test_port_taken();
	test_rotation(dir);
	test_uptime_parse();
	test_uptime_cache(dir);
	log_clear_secrets();
	rm_rf(dir);
	return check_done();
}
