/* Unit tests: utilities (buffers, redaction, CRC-32C) and the config table.
 * not tested: log_open's directory creation failure paths (need a read-only fs). */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

static void test_buf(void)
{
	struct buf b = BUF_INIT;
	check(buf_puts(&b, "hello") == 0);
	check(buf_printf(&b, " %d", 42) == 0);
	check_eq_str(b.p, "hello 42");
	buf_consume(&b, 6);
	check_eq_str(b.p, "42");
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	check_eq_int(b.len, 10002);
	buf_reset(&b);
	check_eq_int(b.len, 0);
	buf_free(&b);
	check(b.p == NULL);
}

static void test_crc(void)
{
	check_eq_int(crc32c(0, "123456789", 9), 0xE3069283u);
	/* incremental equals whole */
	check_eq_int(crc32c(crc32c(0, "1234", 4), "56789", 5), 0xE3069283u);
	check_eq_int(crc32c(0, "", 0), 0);
}

static void test_redact(void)
{
	log_clear_secrets();
	log_add_secret("AIzaSySECRETKEY123");
	char s[256];
	snprintf(s, sizeof s, "key=AIzaSySECRETKEY123 twice AIzaSySECRETKEY123 end");
	redact(s);
	check_eq_str(s, "key=*** twice *** end");
	snprintf(s, sizeof s, "GET /bot123456789:AAbbCCddEEffGGhhIIjjKKllMMnnOOppQQ_/getMe");
	redact(s);
	check_eq_str(s, "GET /bot***/getMe");
	snprintf(s, sizeof s, "user 12345 said 1:2");
	redact(s);
	check_eq_str(s, "user 12345 said 1:2");
	log_clear_secrets();
	/* no cap: after many rotations the newest key is still a secret */
	char key[32];
	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof key, "rotated-key-%02d-xyz", i);
		check(log_add_secret(key) == 0);
	}
	snprintf(s, sizeof s, "k=rotated-key-39-xyz and rotated-key-00-xyz");
	redact(s);
	check_eq_str(s, "k=*** and ***");
	/* a log line is redacted before it is cut: no half secret at the end */
	char path[] = "/tmp/examflow-unit-log-XXXXXX";
	int fd = mkstemp(path);
	check(fd >= 0);
	close(fd);
	check(log_open(path) == 0);
	char pad[LOG_LINE_MAX];
	for (int cut = LOG_LINE_MAX - 120; cut < LOG_LINE_MAX - 20; cut += 7) {
		memset(pad, 'x', (size_t)cut);
		pad[cut] = '\0';
		log_msg(LOG_ERROR, "t", "%s POST /bot7412589630:AAH3kq9ZsVnotarealtokenbutlongenough_x/getMe", pad);
	}
	log_msg(LOG_ERROR, "t", "%s", "еж\nрот"); /* folded to one line */
	log_open("-");
	struct buf b = BUF_INIT;
	check(read_file(path, &b, 1 << 20) == 0);
	check(b.p && strstr(b.p, "7412589") == NULL && strstr(b.p, "AAH3kq") == NULL);
	check(b.p && strstr(b.p, "еж рот\n") != NULL);
	size_t longest = 0;
	for (const char *q = b.p; q && *q;) {
		size_t n = strcspn(q, "\n");
		if (n > longest)
			longest = n;
		q += n + (q[n] == '\n');
	}
	check(longest < LOG_LINE_MAX);
	buf_free(&b);
	unlink(path);
	log_clear_secrets();
}

static void test_config_defaults(void)
{
	struct config c;
	cfg_defaults(&c);
	check_eq_str(c.telegram_api, "https://api.telegram.org");
	check_eq_str(c.data_dir, "data");
	check_eq_str(c.log_file, "logs/bot_service.log");
	check_eq_str(c.health_file, "logs/bot_health_status.json");
	check_eq_int(c.max_restarts, 100);
	check_eq_int(c.check_interval, 60);
	check_eq_int(c.tz_offset_min, 180);
	check_eq_int(c.fsync_mode, FSYNC_BATCH);
	check_eq_int(c.nadmins, 0);
	/* every default in the table is accepted by its own parser */
	for (int i = 0; i < CFG_NKEYS; i++)
		check(cfg_set(&c, &cfg_keys[i], cfg_keys[i].def) == NULL);
}

static void test_config_values(void)
{
	struct config c;
	cfg_defaults(&c);
	check(cfg_set(&c, cfg_find("max_restarts"), "abc") != NULL);
	check(cfg_set(&c, cfg_find("max_restarts"), "0") != NULL);
	check(cfg_set(&c, cfg_find("max_restarts"), "5") == NULL);
	/* a path's backslashes are separators only where the platform says so (Windows) */
	check(cfg_set(&c, cfg_find("data_dir"), "my\\data") == NULL);
	check_eq_str(c.data_dir, OS_PATH_ALT_SEP == '/' ? "my\\data" : "my/data");
	check_eq_int(c.max_restarts, 5);
	check(cfg_set(&c, cfg_find("admin_id"), "123, 4567890123") == NULL);
	check_eq_int(c.nadmins, 2);
	check(c.admin_ids[1] == 4567890123LL);
	struct bot_opts bo;
	bot_opts_init(&bo, &c);
	check(bo.nadmins == 2 && bo.admin_ids[0] == 123 && bo.admin_ids[1] == 4567890123LL);
	check(cfg_set(&c, cfg_find("admin_id"), "12x") != NULL);
	check(cfg_set(&c, cfg_find("fsync"), "always") == NULL);
	check_eq_int(c.fsync_mode, FSYNC_ALWAYS);
	check(cfg_set(&c, cfg_find("fsync"), "sometimes") != NULL);
	check(cfg_set(&c, cfg_find("health_listen"), "8080") != NULL);
	check(cfg_set(&c, cfg_find("health_listen"), "127.0.0.1:8080") == NULL);
	int m = 0;
	check(cfg_parse_tz("+03:00", &m) == 0 && m == 180);
	check(cfg_parse_tz("UTC+3", &m) == 0 && m == 180);
	check(cfg_parse_tz("-0530", &m) == 0 && m == -330);
	check(cfg_parse_tz("Asia/Vladivostok", &m) == 0 && m == 600);
	check(cfg_parse_tz("Mars/Olympus", &m) < 0);
	check(cfg_parse_tz("+25", &m) < 0);
	check_eq_str(cfg_suggest("telegram_tokn"), "telegram_token");
	check(cfg_suggest("zzzzzzzzzzzz") == NULL);
	char env[96];
	cfg_env_name(cfg_find("data_dir"), env, sizeof env);
	check_eq_str(env, "EXAMFLOW_DATA_DIR");
	cfg_env_name(cfg_find("telegram_token"), env, sizeof env);
	check_eq_str(env, "TELEGRAM_BOT_TOKEN");
	check_eq_int(cfg_hang_timeout(&c), 120);
}

struct t_slot {
	int64_t key;
	int value;
};

static int t_keep_even(const void *slot, void *ctx)
{
	(void)ctx;
	return ((const struct t_slot *)slot)->value % 2 == 0;
}

static void test_imap(void)
{
	struct imap m = {NULL, sizeof(struct t_slot), 0, 0};
	check(imap_get(&m, 5) == NULL);
	int added;
	for (int i = 1; i <= 1000; i++) {
		struct t_slot *s = imap_put(&m, (int64_t)i * 1000003 - 500000000, &added);
		check(s && added && s->value == 0);
		s->value = i;
	}
	check_eq_int((int)m.n, 1000);
	check(m.cap >= 2000 && (m.cap & (m.cap - 1)) == 0);
	struct t_slot *s = imap_put(&m, 7 * 1000003 - 500000000, &added);
	check(s && !added && s->value == 7);
	check(imap_get(&m, INT64_MIN) == NULL);
	s = imap_put(&m, INT64_MIN, &added); /* negative ids are group chats */
	check(s && added);
	s->value = 2;
	size_t seen = 0;
	for (size_t i = 0; i < m.cap; i++)
		seen += imap_at(&m, i) != NULL;
	check_eq_int((int)seen, 1001);
	check(imap_rebuild(&m, m.cap, t_keep_even, NULL) == 0);
	check_eq_int((int)m.n, 501);
	check(imap_get(&m, 7 * 1000003 - 500000000) == NULL);
	s = imap_get(&m, 8 * 1000003 - 500000000);
	check(s && s->value == 8);
	check(imap_get(&m, INT64_MIN) != NULL);
	imap_free(&m);
	check(m.cap == 0 && imap_get(&m, 8) == NULL);
}

static void test_utf8(void)
{
	uint32_t cp = 0;
	check_eq_int(utf8_scan((const unsigned char *)"\xd0\x96", 2, &cp), 2);
	check(cp == 0x416);
	check_eq_int(utf8_scan((const unsigned char *)"\xd0", 1, &cp), 0);            /* cut off: more needed */
	check_eq_int(utf8_scan((const unsigned char *)"\xe0\x80\x80", 3, &cp), -2);   /* overlong: byte 1 */
	check_eq_int(utf8_scan((const unsigned char *)"\xed\xa0\x80", 3, &cp), -2);   /* a surrogate */
	check_eq_int(utf8_scan((const unsigned char *)"\xf0\x9f\x98\x80", 4, &cp), 4);
	check(cp == 0x1F600);
	check_eq_int(utf8_scan((const unsigned char *)"\xf0\x9f\x98x", 4, &cp), -4); /* byte 3 */
	check_eq_int(utf8_scan((const unsigned char *)"\x80", 1, &cp), -1);
	check_eq_int((int)utf8_decode((const unsigned char *)"\xc0\xaf", 2, &cp), 1);
	check(cp == 0xFFFD);
	check_eq_int((int)utf8_cut("аб", 4, 3), 2);
	char line[8];
	utf8_copy_line(line, sizeof line, "a\tб\nвгд", 10);
	check_eq_str(line, "a б в");
	struct buf b = BUF_INIT;
	html_escape_n(&b, "<a href=\"x\">&</a>", 5);
	check_eq_str(b.p, "&lt;a hr");
	buf_free(&b);
	check_eq_int(hex_digit('F'), 15);
	check_eq_int(hex_digit('g'), -1);
}

int main(void)
{
	test_imap();
	test_utf8();
	test_buf();
	test_crc();
	test_redact();
	test_config_defaults();
	test_config_values();
	return check_done();
}
