/* Unit tests: self-update (section "Self-update") and the HTTP client's
 * redirect handling it relies on.  Versions compare as numbers; update_pubkey
 * parses; a manifest signed here verifies, and no change to any byte of it,
 * no truncation and no other key does; every field is checked; Location
 * headers are parsed (whole and byte by byte) and resolved, and redirects
 * are followed (relative, absolute path, a loop, none, a cap) against a
 * local server; the remembered
 * state round-trips; keygen and sign write what update reads, and an
 * independent SHA-256/ECDSA check (openssl, when installed) accepts sign's
 * signature.
 * not tested here: the network, the swap and the rollback (tests/e2e_update.py
 *   drives those through the real binary).
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

static char tdir[64];

static void t_setup(void)
{
	snprintf(tdir, sizeof tdir, "/tmp/unit_update.%d", (int)getpid());
	check_rm_rf(tdir);
	check(mkdir_p(tdir, 0700) == 0);
}

static void t_cleanup(void)
{
	check_rm_rf(tdir);
}

/* --- versions ------------------------------------------------------------------ */

static void test_versions(void)
{
	static const struct { const char *a, *b; int cmp; } cases[] = {
		{"1.10.0", "1.9.3", 1}, {"1.9.3", "1.10.0", -1}, {"0.2.0", "0.1.0", 1}, {"0.1.0", "0.1.0", 0},
		{"1.2", "1.2.0", 0}, {"1.2.0.1", "1.2", 1}, {"2", "1.999.999", 1}, {"0.1.10", "0.1.9", 1},
		{"010.0", "10", 0}, {"999999999.0", "1.0", 1},
		/* not versions sort below every version */
		{"dev", "0.0.1", -1}, {"0.0.1", "dev", 1}, {"", "0", -1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int c = upd_version_cmp(cases[i].a, cases[i].b);
		c = c < 0 ? -1 : c > 0;
		check_int_at(c, cases[i].cmp, __FILE__, __LINE__, cases[i].a);
	}
	static const char *const bad[] = {"", "1.", ".1", "1..2", "1.2.3.4.5", "1.2a", "v1.2", "-1", "1,2", "1 .2",
					  "1234567890", "1.2.3-rc1", "+1"};
	uint32_t v[UPD_VERSION_PARTS];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_int_at(upd_version_parse(bad[i], v), -1, __FILE__, __LINE__, bad[i]);
	check(upd_version_parse("1.2.3.4", v) == 0 && v[0] == 1 && v[3] == 4);
	check(upd_version_parse(EXAMFLOW_VERSION, v) == 0); /* the Makefile's VERSION is a release version */
}

/* --- keys, signatures, the manifest -------------------------------------------------- */

/* A deterministic signer for the tests (a real key comes from getrandom). */
static void make_signer(struct upd_signer *s, struct upd_key *k, const char *seed)
{
	br_hmac_drbg_context drbg;
	unsigned char kbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, strlen(seed));
	memset(s, 0, sizeof *s);
	check(br_ec_keygen(&drbg.vtable, &br_ec_p256_m31, &s->sk, kbuf, BR_EC_secp256r1) == UPD_PRIV_LEN);
	memcpy(s->x, kbuf, UPD_PRIV_LEN);
	s->sk.x = s->x;
	check(br_ec_compute_pub(&br_ec_p256_m31, NULL, s->q, &s->sk) == UPD_PUB_LEN);
	upd_key_id(s->q, s->id);
	memcpy(k->q, s->q, UPD_PUB_LEN);
	upd_key_id(k->q, k->id);
}

static const char body_fmt[] =
	"examflow-release 1\n"
	"product: examflow\n"
	"version: 0.2.0\n"
	"target: linux-x86_64-musl\n"
	"file: examflow-0.2.0-linux-x86_64-musl\n"
	"size: 1048576\n"
	"sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n"
	"date: 2026-12-01T04:00:00.000Z\n"
	"expires: 2026-12-31T04:00:00Z\n"
	"key: %s\n"
	"notes: Быстрее ответы; fixes the streak bug.\n";

/* body + "signature: HEX\n" into out. */
static void sign_body(const struct upd_signer *s, const char *body, struct buf *out)
{
	unsigned char h[UPD_HASH_LEN], sig[UPD_SIG_LEN];
	char hex[2 * UPD_SIG_LEN + 1];
	upd_sha256(body, strlen(body), h);
	check(br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, h, &s->sk, sig) == UPD_SIG_LEN);
	hex_encode(hex, sig, UPD_SIG_LEN);
	buf_reset(out);
	buf_printf(out, "%s%s%s\n", body, upd_sig_prefix, hex);
}

/* Split, verify with keys, parse: 0 when all three accept text. */
static int accept_manifest(const char *text, size_t n, const struct upd_key *keys, int nkeys, struct upd_manifest *m)
{
	size_t body;
	unsigned char sig[UPD_SIG_LEN];
	char why[300];
	if (upd_manifest_split(text, n, &body, sig, why, sizeof why) < 0)
		return -1;
	if (upd_manifest_verify(text, body, sig, keys, nkeys) < 0)
		return -2;
	return upd_manifest_parse(text, body, m, why, sizeof why) ? -3 : 0;
}

static void test_keys(void)
{
	struct upd_signer s1, s2;
	struct upd_key k[UPD_MAX_KEYS + 1], parsed[UPD_MAX_KEYS];
	char hex1[2 * UPD_PUB_LEN + 1], hex2[2 * UPD_PUB_LEN + 1], line[1000], why[200];
	make_signer(&s1, &k[0], "seed one");
	make_signer(&s2, &k[1], "seed two");
	hex_encode(hex1, s1.q, UPD_PUB_LEN);
	hex_encode(hex2, s2.q, UPD_PUB_LEN);
	snprintf(line, sizeof line, "p256:%s", hex1);
	check_eq_int(upd_parse_keys(line, parsed, why, sizeof why), 1);
	check(memcmp(parsed[0].q, s1.q, UPD_PUB_LEN) == 0);
	check_eq_str(parsed[0].id, s1.id);
	snprintf(line, sizeof line, " p256:%s , p256:%s\t", hex2, hex1);
	check_eq_int(upd_parse_keys(line, parsed, why, sizeof why), 2);
	check_eq_str(parsed[0].id, s2.id);
	check_eq_str(parsed[1].id, s1.id);
	check_eq_int(upd_parse_keys("", parsed, why, sizeof why), 0);
	check_eq_int(upd_parse_keys(" , ", parsed, why, sizeof why), 0);
	static const char *const bad[] = {"p256:", "p256:04", "P256:", "rsa:0401", "04abcdef", "p256:zz"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check_int_at(upd_parse_keys(bad[i], parsed, why, sizeof why), -1, __FILE__, __LINE__, bad[i]);
	/* a point that is not uncompressed (02/03 prefix) */
	snprintf(line, sizeof line, "p256:02%s", hex1 + 2);
	check_eq_int(upd_parse_keys(line, parsed, why, sizeof why), -1);
	check(strstr(why, "not a public key") != NULL);
	snprintf(line, sizeof line, "p256:%s,p256:%s,p256:%s,p256:%s,p256:%s", hex1, hex1, hex1, hex1, hex1);
	check_eq_int(upd_parse_keys(line, parsed, why, sizeof why), -1);
	check(strstr(why, "more than 4") != NULL);
}

static void test_manifest_signature(void)
{
	struct upd_signer s1, s2;
	struct upd_key k1, k2, both[2];
	struct upd_manifest m;
	struct buf text = BUF_INIT, t2 = BUF_INIT;
	char body[1024];
	make_signer(&s1, &k1, "release key 1");
	make_signer(&s2, &k2, "release key 2");
	both[0] = k2;
	both[1] = k1;
	snprintf(body, sizeof body, body_fmt, s1.id);
	sign_body(&s1, body, &text);

	check_eq_int(accept_manifest(text.p, text.len, &k1, 1, &m), 0);
	check_eq_str(m.product, "examflow");
	check_eq_str(m.version, "0.2.0");
	check_eq_str(m.target, "linux-x86_64-musl");
	check_eq_str(m.file, "examflow-0.2.0-linux-x86_64-musl");
	check_eq_int(m.size, 1048576);
	check(m.sha256[0] == 0x9f && m.sha256[31] == 0x08);
	check_eq_int(m.expires_ms, (int64_t)1798689600 * 1000);
	check_eq_str(m.key, s1.id);
	check_eq_str(m.notes, "Быстрее ответы; fixes the streak bug.");
	/* a rotation: either configured key may have signed it */
	check_eq_int(accept_manifest(text.p, text.len, both, 2, &m), 0);
	check_eq_int(upd_manifest_verify(text.p, strlen(body), (unsigned char[UPD_SIG_LEN]){0}, both, 2), -1);
	/* another key */
	check_eq_int(accept_manifest(text.p, text.len, &k2, 1, &m), -2);
	/* every single changed byte of the whole manifest is refused */
	int accepted = 0;
	for (size_t i = 0; i < text.len; i++) {
		for (int bit = 0; bit < 8; bit += 3) {
			buf_reset(&t2);
			buf_append(&t2, text.p, text.len);
			t2.p[i] ^= (char)(1 << bit);
			accepted += accept_manifest(t2.p, t2.len, &k1, 1, &m) == 0;
		}
	}
	check_eq_int(accepted, 0);
	/* every truncation is refused, and so is anything appended */
	accepted = 0;
	for (size_t n = 0; n < text.len; n++)
		accepted += accept_manifest(text.p, n, &k1, 1, &m) == 0;
	check_eq_int(accepted, 0);
	buf_reset(&t2);
	buf_printf(&t2, "%sextra: 1\n", text.p);
	check(accept_manifest(t2.p, t2.len, &k1, 1, &m) != 0);
	/* an HTML page, an empty answer */
	static const char html[] = "<html><body>502 Bad Gateway</body></html>\n";
	check_eq_int(accept_manifest(html, strlen(html), &k1, 1, &m), -1);
	check_eq_int(accept_manifest("", 0, &k1, 1, &m), -1);
	upd_signer_wipe(&s1);
	upd_signer_wipe(&s2);
	buf_free(&text);
	buf_free(&t2);
}

/* One line of the body replaced (or removed, with repl NULL). */
static const char *field_case(const char *name, const char *repl)
{
	static char out[2048];
	char body[1024];
	snprintf(body, sizeof body, body_fmt, "0a1b2c3d");
	const char *p = strstr(body, name);
	const char *nl = strchr(p, '\n') + 1;
	snprintf(out, sizeof out, "%.*s%s%s%s", (int)(p - body), body, repl ? repl : "", repl ? "\n" : "", nl);
	return out;
}

static void test_manifest_fields(void)
{
	struct upd_manifest m;
	char why[300];
	const char *b = field_case("product:", "product: examflow");
	check(upd_manifest_parse(b, strlen(b), &m, why, sizeof why) == NULL);
	static const struct { const char *line, *repl, *want; } cases[] = {
		{"product:", "product: ExamFlow", "product: not a name"},
		{"version:", "version: 0.2.x", "version: not a version"},
		{"version:", "version: ", "version: empty"},
		{"target:", "target: linux/x86", "target: not a name"},
		{"file:", "file: ../../etc/passwd", "file: not a plain file name"},
		{"file:", "file: .hidden", "file: not a plain file name"},
		{"file:", "file: a/b", "file: not a plain file name"},
		{"size:", "size: 12kB", "size: not a size"},
		{"size:", "size: 9999999999999999", "size: not a size"},
		{"sha256:", "sha256: 9f86d0", "sha256: not 64 hex digits"},
		{"date:", "date: yesterday", "date: not a UTC time"},
		{"expires:", "expires: 2026-12-31 04:00:00", "expires: not a UTC time"},
		{"expires:", "expires: 2026-12-31T04:00:00+03:00", "expires: not a UTC time"},
		{"key:", "key: 0A1B2C3D", "key: not a key id"},
		{"notes:", "notes: a\tb", "notes: control characters"},
		{"notes:", "notes: \xff\xfe", "notes: not UTF-8"},
		{"product:", NULL, "without a product line"},
		{"sha256:", NULL, "without a sha256 line"},
		{"notes:", NULL, "without a notes line"},
		{"size:", "size: 1\nsize: 2", "size: appears twice"},
		{"size:", "size 1", "expected \"name: value\""},
		{"size:", "", "expected \"name: value\""},
		{"size:", "Size: 1", "expected \"name: value\""},
		{"size:", "size:1", "expected \"name: value\""},
		{"size:", "size: 1\r", "size: not a size"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		b = field_case(cases[i].line, cases[i].repl);
		const char *err = upd_manifest_parse(b, strlen(b), &m, why, sizeof why);
		check_at(err && strstr(err, cases[i].want), __FILE__, __LINE__, cases[i].want);
		if (err && !strstr(err, cases[i].want))
			fprintf(stderr, "     got \"%s\"\n", err);
	}
	/* unknown fields are signed like the rest and otherwise ignored */
	b = field_case("notes:", "notes: ok\nx-mirror: https://example.org");
	check(upd_manifest_parse(b, strlen(b), &m, why, sizeof why) == NULL);
	/* notes: exactly the limit, and one byte over */
	char notes[UPD_NOTES_MAX + 16];
	memset(notes, 'n', sizeof notes);
	snprintf(notes, sizeof notes, "notes: %.*s", UPD_NOTES_MAX, "");
	memset(notes + 7, 'n', UPD_NOTES_MAX);
	notes[7 + UPD_NOTES_MAX] = '\0';
	b = field_case("notes:", notes);
	check(upd_manifest_parse(b, strlen(b), &m, why, sizeof why) == NULL);
	notes[7 + UPD_NOTES_MAX] = 'n';
	notes[8 + UPD_NOTES_MAX] = '\0';
	b = field_case("notes:", notes);
	check(upd_manifest_parse(b, strlen(b), &m, why, sizeof why) != NULL);
}

static void test_version_output(void)
{
	char v[UPD_VERSION_MAX], t[UPD_TARGET_MAX];
	check(upd_parse_version_output("examflow 0.2.0\ntarget: linux-x86_64-musl\ncompiler: gcc\n", v, sizeof v, t, sizeof t) == 0);
	check_eq_str(v, "0.2.0");
	check_eq_str(t, "linux-x86_64-musl");
	check(upd_parse_version_output("examflow 0.2.0\ncompiler: gcc\n", v, sizeof v, t, sizeof t) < 0);
	check(upd_parse_version_output("Usage: foo\n", v, sizeof v, t, sizeof t) < 0);
	check(upd_parse_version_output("", v, sizeof v, t, sizeof t) < 0);
	check(upd_parse_version_output("examflow \ntarget: x\n", v, sizeof v, t, sizeof t) < 0);
	/* this very build says what `examflow version` prints */
	check(strncmp(EXAMFLOW_TARGET, "linux-", 6) == 0);
}

/* --- HTTP: Location and redirects ------------------------------------------------------ */

static void test_location_header(void)
{
	static const char resp[] = "HTTP/1.1 302 Found\r\nLocation: https://objects.example.com/a/b?X-Amz-Signature=ab%2F\r\n"
				   "Content-Length: 5\r\n\r\nmoved";
	for (int bytewise = 0; bytewise < 2; bytewise++) {
		struct http_parser *p = calloc(1, sizeof *p);
		http_parser_init(p, 0, 0);
		int r = HTTP_NEED_MORE;
		if (bytewise)
			for (size_t i = 0; i < sizeof resp - 1 && r == HTTP_NEED_MORE; i++)
				r = http_parse_feed(p, resp + i, 1, NULL);
		else
			r = http_parse_feed(p, resp, sizeof resp - 1, NULL);
		check_eq_int(r, HTTP_DONE);
		check_eq_int(p->res.status, 302);
		check_eq_str(p->res.location, "https://objects.example.com/a/b?X-Amz-Signature=ab%2F");
		check(!p->res.location_cut);
		http_parser_free(p);
		free(p);
	}
	/* a Location too long to keep is never cut to something else */
	struct buf big = BUF_INIT;
	buf_printf(&big, "HTTP/1.1 302 Found\r\nLocation: https://h/%0*d\r\nContent-Length: 0\r\n\r\n", HTTP_MAX_PATH, 7);
	struct http_parser *p = calloc(1, sizeof *p);
	http_parser_init(p, 0, 0);
	check_eq_int(http_parse_feed(p, big.p, big.len, NULL), HTTP_DONE);
	check(p->res.location_cut && p->res.location[0] == '\0');
	/* 100 Continue's headers do not leak into the real response */
	static const char cont[] = "HTTP/1.1 100 Continue\r\nLocation: https://wrong/\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	http_parser_init(p, 0, 0);
	check_eq_int(http_parse_feed(p, cont, sizeof cont - 1, NULL), HTTP_DONE);
	check_eq_str(p->res.location, "");
	http_parser_free(p);
	free(p);
	buf_free(&big);
}

static void test_redirect_target(void)
{
	static const struct { const char *base, *loc, *want; } cases[] = {
		{"https://github.com/o/r/releases/latest/download/manifest", "https://github.com/o/r/releases/download/v0.2.0/manifest",
		 "https://github.com/o/r/releases/download/v0.2.0/manifest"},
		{"https://a.example/x/y", "//cdn.example/z?sig=1", "https://cdn.example/z?sig=1"},
		{"https://a.example:8443/x/y?q=1", "/other", "https://a.example:8443/other"},
		{"https://a.example/x/y?q=/1", "z", "https://a.example/x/z"},
		{"https://a.example/x/", "z/w", "https://a.example/x/z/w"},
		{"https://a.example", "z", "https://a.example/z"},
		{"https://a.example/x", "http://plain.example/", "http://plain.example/"},
		{"https://[::1]:8443/d/manifest", "file", "https://[::1]:8443/d/file"},
	};
	char out[HTTP_MAX_URL];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = http_redirect_target(cases[i].base, cases[i].loc, out, sizeof out);
		check_int_at(rc, 0, __FILE__, __LINE__, cases[i].loc);
		check_str_at(out, cases[i].want, __FILE__, __LINE__, cases[i].loc);
	}
	check_eq_int(http_redirect_target("https://a/x", "", out, sizeof out), HTTP_ERR_URL);
	check_eq_int(http_redirect_target("no scheme", "/x", out, sizeof out), HTTP_ERR_URL);
	char tiny[16];
	check_eq_int(http_redirect_target("https://a/x", "/a-long-enough-path", tiny, sizeof tiny), HTTP_ERR_URL);
	check(http_is_redirect(301) && http_is_redirect(302) && http_is_redirect(303) && http_is_redirect(307) &&
	      http_is_redirect(308) && !http_is_redirect(304) && !http_is_redirect(300) && !http_is_redirect(200));
	/* a URL that is not http(s) is refused before any connection */
	struct http_client hc;
	struct http_response res;
	char err[HTTP_ERR_LEN];
	memset(&hc, 0, sizeof hc);
	check_eq_int(http_get_sync(&hc, "ftp://x/", 100, 1000, &res, err, sizeof err), HTTP_ERR_URL);
}

/* A plain-HTTP server in a child process, one answer per connection, by path. */
static void redirect_server(int ls)
{
	static const struct { const char *path, *answer; } routes[] = {
		{"/a", "HTTP/1.1 302 Found\r\nLocation: b\r\nContent-Length: 5\r\n\r\nmoved"},
		{"/b", "HTTP/1.1 301 Moved Permanently\r\nLocation: /c?x=1\r\nContent-Length: 0\r\n\r\n"},
		{"/c?x=1", "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\ndone"},
		{"/loop", "HTTP/1.1 307 Temporary Redirect\r\nLocation: /loop\r\nContent-Length: 0\r\n\r\n"},
		{"/noloc", "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n"},
		{"/big", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"},
	};
	for (;;) {
		int c = accept(ls, NULL, NULL);
		if (c < 0)
			_exit(0);
		char req[2048];
		size_t n = 0;
		while (n < sizeof req - 1 && !memmem(req, n, "\r\n\r\n", 4)) {
			ssize_t r = read(c, req + n, sizeof req - 1 - n);
			if (r <= 0)
				break;
			n += (size_t)r;
		}
		req[n] = '\0';
		const char *answer = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
		for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
			char line[64];
			snprintf(line, sizeof line, "GET %s HTTP/1.1\r\n", routes[i].path);
			if (strncmp(req, line, strlen(line)) == 0)
				answer = routes[i].answer;
		}
		if (write_all(c, answer, strlen(answer)) < 0)
			_exit(1);
		close(c);
	}
}

static void test_redirects_followed(void)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = {0};
	socklen_t al = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	check(bind(ls, (struct sockaddr *)&a, sizeof a) == 0 && listen(ls, 16) == 0);
	getsockname(ls, (struct sockaddr *)&a, &al);
	pid_t pid = fork();
	if (pid == 0)
		redirect_server(ls);
	close(ls);
	struct http_client hc;
	struct http_response res;
	char url[128], err[HTTP_ERR_LEN];
	http_client_init(&hc, "/nonexistent"); /* plain http:// needs no anchors */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/a", ntohs(a.sin_port));
	check_eq_int(http_get_sync(&hc, url, 100, 5000, &res, err, sizeof err), HTTP_DONE);
	check_eq_int(res.status, 200);
	check(res.body.p && strcmp(res.body.p, "done") == 0);
	http_response_free(&res);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/loop", ntohs(a.sin_port));
	check_eq_int(http_get_sync(&hc, url, 100, 5000, &res, err, sizeof err), HTTP_ERR_REDIRECT);
	check(strstr(err, "more than 5 redirects") != NULL);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/noloc", ntohs(a.sin_port));
	check_eq_int(http_get_sync(&hc, url, 100, 5000, &res, err, sizeof err), HTTP_ERR_REDIRECT);
	check(strstr(err, "without a usable Location") != NULL);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/big", ntohs(a.sin_port));
	check_eq_int(http_get_sync(&hc, url, 10, 5000, &res, err, sizeof err), HTTP_ERR_BODY_TOO_BIG);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/nothing", ntohs(a.sin_port));
	check_eq_int(http_get_sync(&hc, url, 100, 5000, &res, err, sizeof err), HTTP_DONE);
	check_eq_int(res.status, 404);
	http_response_free(&res);
	http_client_free(&hc);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* --- the remembered state --------------------------------------------------------------- */

static void test_state(void)
{
	char path[128];
	struct upd_state st, back;
	snprintf(path, sizeof path, "%s/update-state", tdir);
	upd_state_load(path, &st); /* missing: empty */
	check_eq_str(st.highest, "");
	check_eq_int(st.nbad, 0);
	upd_state_accept(&st, "0.2.0");
	upd_state_accept(&st, "0.1.9");
	check_eq_str(st.highest, "0.2.0");
	upd_state_accept(&st, "0.10.0");
	check_eq_str(st.highest, "0.10.0");
	upd_state_add_bad(&st, "0.11.0");
	upd_state_add_bad(&st, "0.11.0");
	check_eq_int(st.nbad, 1);
	check(upd_state_save(path, &st) == 0);
	upd_state_load(path, &back);
	check_eq_str(back.highest, "0.10.0");
	check(upd_state_is_bad(&back, "0.11.0") && upd_state_is_bad(&back, "0.11") && !upd_state_is_bad(&back, "0.10.0"));
	struct stat sb;
	check(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	/* the oldest bad version falls off */
	for (int i = 0; i < UPD_MAX_BAD + 3; i++) {
		char v[16];
		snprintf(v, sizeof v, "1.%d", i);
		upd_state_add_bad(&st, v);
	}
	check_eq_int(st.nbad, UPD_MAX_BAD);
	check(!upd_state_is_bad(&st, "0.11.0") && upd_state_is_bad(&st, "1.34"));
	/* lines it does not understand are skipped, the rest is kept */
	FILE *f = fopen(path, "w");
	fputs("highest 0.3.0\ngarbage\nbad x.y\nbad 0.4.0\nlowest 0.1.0\n", f);
	fclose(f);
	logst.level = LOG_ERROR; /* the warnings about skipped lines */
	upd_state_load(path, &back);
	logst.level = LOG_INFO;
	check_eq_str(back.highest, "0.3.0");
	check_eq_int(back.nbad, 1);
	check_eq_str(back.bad[0], "0.4.0");
}

/* --- keygen and sign, through files --------------------------------------------------- */

static void test_keygen_and_sign(void)
{
	char prefix[200], kpath[220], ppath[220], bin[220], out_dir[220], path[600], cmd[2000];
	snprintf(prefix, sizeof prefix, "%s/release", tdir);
	snprintf(kpath, sizeof kpath, "%s.key", prefix);
	snprintf(ppath, sizeof ppath, "%s.pub", prefix);
	FILE *devnull = fopen("/dev/null", "w");
	check_eq_int(upd_keygen(prefix, devnull, devnull), EXIT_OK);
	struct stat sb;
	check(stat(kpath, &sb) == 0 && (sb.st_mode & 0777) == 0600);
	check(stat(ppath, &sb) == 0);
	/* never overwritten */
	check_eq_int(upd_keygen(prefix, devnull, devnull), EXIT_FAIL);
	struct upd_signer s;
	char why[300];
	check(upd_load_signer(kpath, &s, why, sizeof why) == 0);
	/* the .pub line is a config line whose value parses to the same key */
	struct buf pub = BUF_INIT;
	check(read_file(ppath, &pub, 4096) == 0);
	check(strncmp(pub.p, "update_pubkey = p256:04", 23) == 0);
	check(strchr(pub.p, '\n') == pub.p + pub.len - 1);
	struct upd_key keys[UPD_MAX_KEYS];
	check_eq_int(upd_parse_keys(pub.p + 16, keys, why, sizeof why), 1);
	check(memcmp(keys[0].q, s.q, UPD_PUB_LEN) == 0);
	/* a damaged key file */
	snprintf(path, sizeof path, "%s/bad.key", tdir);
	FILE *f = fopen(path, "w");
	fputs("examflow-p256-private-key 00\n", f);
	fclose(f);
	struct upd_signer s2;
	check(upd_load_signer(path, &s2, why, sizeof why) < 0 && strstr(why, "not a private key"));

	/* a "binary" that answers `version` like ours */
	snprintf(bin, sizeof bin, "%s/fake", tdir);
	f = fopen(bin, "w");
	fputs("#!/bin/sh\nprintf 'examflow 0.3.1\\ntarget: linux-x86_64-musl\\ncompiler: none\\n'\n", f);
	fclose(f);
	chmod(bin, 0755);
	snprintf(out_dir, sizeof out_dir, "%s/rel", tdir);
	struct upd_sign_args a = {kpath, out_dir, "Новое: подсказки", bin, 30};
	check_eq_int(upd_sign(&a, devnull, devnull), EXIT_OK);
	snprintf(path, sizeof path, "%s/manifest", out_dir);
	struct buf man = BUF_INIT, file = BUF_INIT;
	check(read_file(path, &man, UPD_MANIFEST_MAX_BYTES) == 0);
	struct upd_manifest m;
	check_eq_int(accept_manifest(man.p, man.len, keys, 1, &m), 0);
	check_eq_str(m.version, "0.3.1");
	check_eq_str(m.file, "examflow-0.3.1-linux-x86_64-musl");
	check_eq_str(m.key, s.id);
	check_eq_str(m.notes, "Новое: подсказки");
	int64_t days = (m.expires_ms - m.date_ms) / 86400000;
	check_eq_int(days, 30);
	snprintf(path, sizeof path, "%s/%s", out_dir, m.file);
	check(read_file(path, &file, UPD_MAX_BINARY_BYTES) == 0);
	unsigned char h[UPD_HASH_LEN];
	upd_sha256(file.p, file.len, h);
	check(memcmp(h, m.sha256, sizeof h) == 0 && m.size == file.len);
	/* an independent check of the signature: openssl with the key as SPKI DER */
	if (system("command -v openssl >/dev/null 2>&1") == 0) {
		char hexq[2 * UPD_PUB_LEN + 1], der_hex[400];
		hex_encode(hexq, s.q, UPD_PUB_LEN);
		snprintf(der_hex, sizeof der_hex, "3059301306072a8648ce3d020106082a8648ce3d030107034200%s", hexq);
		size_t body = 0;
		unsigned char sig[UPD_SIG_LEN];
		check(upd_manifest_split(man.p, man.len, &body, sig, why, sizeof why) == 0);
		/* r and s as a DER SEQUENCE of two INTEGERs */
		unsigned char der[80];
		size_t n = 2;
		for (int k = 0; k < 2; k++) {
			const unsigned char *x = sig + 32 * k;
			size_t len = 32, lead = 0;
			while (len > 1 && x[0] == 0)
				x++, len--;
			lead = x[0] & 0x80 ? 1 : 0;
			der[n++] = 0x02;
			der[n++] = (unsigned char)(len + lead);
			if (lead)
				der[n++] = 0;
			memcpy(der + n, x, len);
			n += len;
		}
		der[0] = 0x30;
		der[1] = (unsigned char)(n - 2);
		char p_body[300], p_sig[300], p_key[300];
		snprintf(p_body, sizeof p_body, "%s/body", tdir);
		snprintf(p_sig, sizeof p_sig, "%s/sig.der", tdir);
		snprintf(p_key, sizeof p_key, "%s/pub.der", tdir);
		f = fopen(p_body, "w");
		fwrite(man.p, 1, body, f);
		fclose(f);
		f = fopen(p_sig, "w");
		fwrite(der, 1, n, f);
		fclose(f);
		f = fopen(p_key, "w");
		for (size_t i = 0; der_hex[2 * i]; i++)
			fputc(hex_digit(der_hex[2 * i]) << 4 | hex_digit(der_hex[2 * i + 1]), f);
		fclose(f);
		snprintf(cmd, sizeof cmd,
		         "openssl dgst -sha256 -keyform DER -verify %s -signature %s %s >/dev/null 2>&1", p_key, p_sig, p_body);
		check(system(cmd) == 0);
		/* and refuses the same signature over a changed body */
		f = fopen(p_body, "a");
		fputs("x", f);
		fclose(f);
		check(system(cmd) != 0);
	}
	/* sign refuses a binary that is not a release version, and bad notes */
	f = fopen(bin, "w");
	fputs("#!/bin/sh\nprintf 'examflow dev\\ntarget: linux-x86_64-musl\\n'\n", f);
	fclose(f);
	check_eq_int(upd_sign(&a, devnull, devnull), EXIT_FAIL);
	a.notes = "two\nlines";
	check_eq_int(upd_sign(&a, devnull, devnull), EXIT_USAGE);
	upd_signer_wipe(&s);
	buf_free(&pub);
	buf_free(&man);
	buf_free(&file);
	fclose(devnull);
}

int main(void)
{
	t_setup();
	test_versions();
	test_keys();
	test_manifest_signature();
	test_manifest_fields();
	test_version_output();
	test_location_header();
	test_redirect_target();
	test_redirects_followed();
	test_state();
	test_keygen_and_sign();
	t_cleanup();
	return check_done();
}
