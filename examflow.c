/*
 * examflow.c — a Telegram bot that helps school students prepare for their
 * state exams, in one file, as one static binary.
 *
 * WHAT IT IS
 *
 * A student opens the bot, picks a subject (Математика, Информатика, Русский
 * язык, Физика), gets a short-answer task like part 1 of the ЕГЭ, types the
 * answer, and is told at once whether it is right, with the solution. The bot
 * keeps progress, points, daily streaks and a review queue of mistakes, and
 * (when a Gemini key is configured) an AI tutor explains what went wrong.
 *
 * It is built for a $3 VPS run by a teacher: one binary, no runtime
 * dependencies, a few megabytes of memory, flat files for data, and a
 * watchdog parent that restarts the worker when something goes wrong.
 *
 * THE PROCESS PICTURE
 *
 *   examflow run
 *    └─ watchdog (parent)  supervises; owns the health file; never parses updates
 *        ├─ worker (child) one poll() loop: Telegram, AI, storage, HTTP health
 *        └─ notifier (short-lived child) tells the admin when the worker is down
 *
 * THE LIFE OF ONE UPDATE
 *
 *   getUpdates (HTTP over BearSSL, section 5) → JSON tokens (section 4) →
 *   bot handlers change the in-memory state and queue replies (section 8) →
 *   the batch's records and the new offset are appended to events.log and
 *   fsynced once (section 6) → only then do replies leave through the rate
 *   limiter → the next getUpdates confirms the offset.  A kill -9 anywhere
 *   loses nothing and counts nothing twice: the stored offset is the truth.
 *
 * WHERE TO START READING
 *
 *   main() at the very bottom, then cli_run(), then the section you care
 *   about.  Every section starts with a banner and a paragraph saying what it
 *   does and how it reports errors.
 *
 * CONTENTS
 *
 *    1. Includes, limits, exit codes
 *    2. Utilities: logging and redaction, buffers, time, CRC-32C, files
 *    3. Configuration: the key table
 *    4. JSON: tokenizer, accessors, writer
 *    5. HTTP/1.1 client over BearSSL
 *    6. Storage: append-only log and snapshot
 *    7. Exam domain: task bank and answer checking
 *    8. Command line and main()
 *
 * EXTERNAL THINGS THIS PROGRAM RELIES ON
 *
 *   Files      examflow.conf (key = value), data_dir/ (events.log, snapshot,
 *              lock), log_file (one line per event), health_file (JSON)
 *   Env        TELEGRAM_BOT_TOKEN, GEMINI_API_KEY, ADMIN_TELEGRAM_ID,
 *              UPTIMEROBOT_API_KEY, EXAMFLOW_<KEY> for every config key,
 *              EXAMFLOW_CONFIG (config path)
 *   Exit codes 0 ok, 1 temporary failure (restart is fine), 2 usage,
 *              3 configuration is wrong (do not restart), 4 data files need
 *              an admin (run `examflow repair`)
 *   Memory     a few MiB: buffers grow with the largest message seen and
 *              every growth is capped by a named limit below.
 */

/* ==========================================================================
 * 1. Includes, limits, exit codes
 * ==========================================================================
 * Every limit the program enforces lives here or at the top of its section,
 * with its unit and the reason for the number.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bearssl.h"

#ifndef EXAMFLOW_VERSION
#define EXAMFLOW_VERSION "dev"
#endif
#ifndef EXAMFLOW_BUILD_DATE
#define EXAMFLOW_BUILD_DATE "unknown"
#endif
#ifndef EXAMFLOW_BEARSSL_VERSION
#define EXAMFLOW_BEARSSL_VERSION "0.6"
#endif

#if defined(__GLIBC__)
#define EXAMFLOW_LIBC "glibc"
#else
#define EXAMFLOW_LIBC "musl" /* the only other libc we build with */
#endif

#if defined(__clang__)
#define EXAMFLOW_CC "clang " __clang_version__
#elif defined(__GNUC__)
#define EXAMFLOW_CC "gcc " __VERSION__
#else
#define EXAMFLOW_CC "unknown compiler"
#endif

/* Exit codes: distinct so that a supervisor can tell "try later" from
 * "stop trying". */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,   /* temporary failure: restarting is fine */
	EXIT_USAGE = 2,  /* bad command line */
	EXIT_CONFIG = 3, /* configuration is wrong: do not restart */
	EXIT_DATA = 4    /* data files need an admin (examflow repair) */
};

#define LOG_LINE_MAX 2048      /* one event per line; longer messages are cut with "…" */
#define LOG_MAX_SECRETS 8      /* token, Gemini key, UptimeRobot key and URL, spares */
#define PATH_MAX_LEN 1024      /* paths from the config; longer is a config error */

/* ==========================================================================
 * 2. Utilities: logging and redaction, buffers, time, CRC-32C, files
 * ==========================================================================
 * Logging never fails the caller: if the log cannot be written, the line is
 * lost, never the work.  Buffer functions return 0 or -1 (out of memory).
 */

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
static const char *const log_level_names[] = {"debug", "info", "warn", "error"};

/* The log's state.  Owned by main(): set up by log_open(), reopened on
 * SIGHUP; everything else only writes through log_msg(). */
static struct {
	int fd;          /* 2 (stderr) until log_open() succeeds */
	int level;       /* lines below this level are dropped */
	char path[PATH_MAX_LEN];
	char *secrets[LOG_MAX_SECRETS];
	int nsecrets;
} logst = {2, LOG_INFO, "", {0}, 0};

/* Register a string that must never appear in any line we write. */
static void log_add_secret(const char *s)
{
	if (!s || strlen(s) < 4 || logst.nsecrets == LOG_MAX_SECRETS)
		return;
	for (int i = 0; i < logst.nsecrets; i++)
		if (strcmp(logst.secrets[i], s) == 0)
			return;
	char *copy = strdup(s);
	if (copy)
		logst.secrets[logst.nsecrets++] = copy;
}

static void log_clear_secrets(void)
{
	for (int i = 0; i < logst.nsecrets; i++)
		free(logst.secrets[i]);
	logst.nsecrets = 0;
}

/* Is s[0..] the start of something shaped like a Telegram bot token
 * (digits ':' 30+ token characters)?  Returns its length or 0. */
static size_t token_shape_len(const char *s)
{
	size_t i = 0, j;
	while (isdigit((unsigned char)s[i]))
		i++;
	if (i < 5 || s[i] != ':')
		return 0;
	for (j = i + 1; isalnum((unsigned char)s[j]) || s[j] == '_' || s[j] == '-'; j++)
		;
	return j - i - 1 >= 30 ? j : 0;
}

/* Replace, in place, every registered secret and anything shaped like a bot
 * token with "***".  The string only shrinks. */
static void redact(char *s)
{
	for (int k = 0; k < logst.nsecrets; k++) {
		size_t n = strlen(logst.secrets[k]);
		char *p;
		while ((p = strstr(s, logst.secrets[k])) != NULL) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
	for (char *p = s; *p; p++) {
		if (p != s && isdigit((unsigned char)p[-1]))
			continue;
		size_t n = token_shape_len(p);
		if (n) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
}

static void iso8601_utc(char *out, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%03dZ", (int)(((ms % 1000) + 1000) % 1000));
}

static int64_t wall_ms(void);

/* One line per event: "2026-11-24T09:00:00.000Z info  bot: message".
 * Newlines inside the message are folded so one event stays one line. */
__attribute__((format(printf, 3, 4)))
static void log_msg(int level, const char *component, const char *fmt, ...)
{
	if (level < logst.level)
		return;
	char line[LOG_LINE_MAX], ts[40];
	iso8601_utc(ts, sizeof ts, wall_ms());
	int n = snprintf(line, sizeof line, "%s %-5s %s: ", ts, log_level_names[level], component);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		m = 0;
	if ((size_t)(n + m) >= sizeof line - 1)
		memcpy(line + sizeof line - 5, "\xe2\x80\xa6", 4); /* "…" */
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	redact(line);
	size_t len = strlen(line);
	line[len++] = '\n';
	ssize_t w;
	do
		w = write(logst.fd, line, len);
	while (w < 0 && errno == EINTR);
}

#define log_debug(comp, ...) log_msg(LOG_DEBUG, comp, __VA_ARGS__)
#define log_info(comp, ...) log_msg(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...) log_msg(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...) log_msg(LOG_ERROR, comp, __VA_ARGS__)

static int mkdir_p(const char *path, mode_t mode);

/* Open (or reopen, after logrotate) the log file; "-" or "" means stderr.
 * Returns 0, or -1 with errno and the log still on its previous target. */
static int log_open(const char *path)
{
	if (!path || !*path || strcmp(path, "-") == 0) {
		if (logst.fd > 2)
			close(logst.fd);
		logst.fd = 2;
		logst.path[0] = '\0';
		return 0;
	}
	char dir[PATH_MAX_LEN];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir_p(dir, 0700) < 0)
			return -1;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (logst.fd > 2)
		close(logst.fd);
	logst.fd = fd;
	snprintf(logst.path, sizeof logst.path, "%s", path);
	return 0;
}

static int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, log_level_names[i]) == 0)
			return i;
	return -1;
}

/* --- growable byte buffer ------------------------------------------------- */

struct buf {
	char *p;    /* NUL-terminated when non-NULL */
	size_t len; /* bytes used, not counting the NUL */
	size_t cap; /* bytes allocated */
};
#define BUF_INIT {0}

static int buf_reserve(struct buf *b, size_t extra)
{
	if (extra > SIZE_MAX / 2 - b->len)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	char *p = realloc(b->p, cap);
	if (!p)
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

static int buf_append(struct buf *b, const void *p, size_t n)
{
	if (buf_reserve(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int buf_puts(struct buf *b, const char *s) { return buf_append(b, s, strlen(s)); }

static int buf_putc(struct buf *b, int c)
{
	char ch = (char)c;
	return buf_append(b, &ch, 1);
}

__attribute__((format(printf, 2, 3)))
static int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_reserve(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

static void buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
	} else {
		memmove(b->p, b->p + n, b->len - n);
		b->len -= n;
	}
	if (b->p)
		b->p[b->len] = '\0';
}

static void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

/* --- time --------------------------------------------------------------------- */

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Tests shift the wall clock (streaks across midnight, quotas across days)
 * with EXAMFLOW_TEST_CLOCK_OFFSET=seconds.  Read once; owned by wall_ms(). */
static int64_t clock_offset_ms = INT64_MIN;

static int64_t wall_ms(void)
{
	if (clock_offset_ms == INT64_MIN) {
		const char *s = getenv("EXAMFLOW_TEST_CLOCK_OFFSET");
		clock_offset_ms = s ? strtoll(s, NULL, 10) * 1000 : 0;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_offset_ms;
}

/* --- CRC-32C (Castagnoli), for record checksums ----------------------------- */

static uint32_t crc32c(uint32_t crc, const void *data, size_t n)
{
	/* Table built on first use; read-only afterwards.  Owned by crc32c(). */
	static uint32_t table[256];
	static int ready;
	if (!ready) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	const unsigned char *p = data;
	crc = ~crc;
	while (n--)
		crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* --- files and descriptors -------------------------------------------------- */

/* Write everything or fail: 0, or -1 with errno. */
static int write_all(int fd, const void *data, size_t n)
{
	const char *p = data;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* mkdir -p: 0, or -1 with errno. */
static int mkdir_p(const char *path, mode_t mode)
{
	char tmp[PATH_MAX_LEN];
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Read a whole (small) file into b.  0, or -1 with errno; max caps the size. */
static int read_file(const char *path, struct buf *b, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	char chunk[8192];
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || b->len + (size_t)r > max || buf_append(b, chunk, (size_t)r) < 0) {
			int e = r < 0 ? errno : r == 0 ? 0 : EFBIG;
			close(fd);
			errno = e;
			return e ? -1 : 0;
		}
	}
}

/* Write a file atomically: temp file (0600), fsync, rename, fsync the dir. */
static int write_file_atomic(const char *path, const void *data, size_t n)
{
	char tmp[PATH_MAX_LEN + 16];
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, data, n) < 0 || fsync(fd) < 0) {
		int e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	char dir[PATH_MAX_LEN];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		strcpy(dir, ".");
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/* ==========================================================================
 * 3. Configuration: the key table
 * ==========================================================================
 * One table (cfg_keys) drives everything: parsing `key = value` lines, the
 * environment overrides, `examflow help config`, and examflow.conf.example
 * (a test checks that file against the table).  Errors are reported as
 * "FILE:LINE: message" on the stream the caller gives and counted; the caller
 * exits with EXIT_CONFIG.  Secrets are registered with the log's redaction as
 * soon as they are read.
 */

#define CFG_LINE_MAX 4096   /* a config line longer than this is an error, not cut */
#define CFG_MAX_ADMINS 8    /* admin_id may list a few people */

enum cfg_type { CFG_STR, CFG_SECRET, CFG_INT, CFG_IDS, CFG_CHOICE, CFG_TZ, CFG_ADDR };
enum { FSYNC_BATCH, FSYNC_ALWAYS, FSYNC_OFF };

/* The whole configuration.  One instance, `cfg`, owned by main(); the worker
 * reloads it on SIGHUP.  Strings are fixed arrays so a config never leaks. */
struct config {
	char telegram_token[128];
	char telegram_api[256];
	char gemini_key[128];
	char gemini_api[256];
	char gemini_model[64];
	int64_t admin_ids[CFG_MAX_ADMINS];
	int nadmins;
	char uptimerobot_key[128];
	char uptimerobot_heartbeat_url[256];
	char data_dir[PATH_MAX_LEN];
	char log_file[PATH_MAX_LEN];
	int log_level;
	int log_max_mb;
	int log_keep;
	char health_file[PATH_MAX_LEN];
	char health_listen[64];
	char ca_file[PATH_MAX_LEN];
	int max_restarts;
	int check_interval;
	int hang_timeout;
	int lang; /* index into cfg_langs */
	int tz_offset_min;
	char timezone[64];
	int fsync_mode;
	int compact_factor;
	int compact_min_kb;
	int poll_timeout;
	char tasks_file[PATH_MAX_LEN];
	int tasks_mode; /* index into cfg_tasks_modes */
	int ai_daily_limit;
	int ai_max_inflight;
	int ai_timeout;
	char source[PATH_MAX_LEN]; /* where the config came from, for messages */
};

/* Owned by main(): loaded once at start, replaced whole on SIGHUP. */
static struct config cfg;

static const char *const cfg_langs[] = {"ru", "en", NULL};
static const char *const cfg_fsync_modes[] = {"batch", "always", "off", NULL};
static const char *const cfg_tasks_modes[] = {"add", "replace", NULL};
static const char *const cfg_log_levels[] = {"debug", "info", "warn", "error", NULL};

struct cfg_key {
	const char *name;
	const char *env;   /* NULL: EXAMFLOW_<NAME in upper case> */
	enum cfg_type type;
	size_t off;        /* offsetof(struct config, field) */
	size_t size;       /* for strings: the field's size */
	const char *def;   /* default, as it would be written in the file */
	long min, max;     /* for numbers */
	const char *const *choices; /* for CFG_CHOICE: the value is the index */
	const char *help;
};

#define CFG_S(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define CFG_N(field) offsetof(struct config, field), 0

static const struct cfg_key cfg_keys[] = {
	{"telegram_token", "TELEGRAM_BOT_TOKEN", CFG_SECRET, CFG_S(telegram_token), "", 0, 0, NULL,
	 "Bot token from @BotFather. Secret: never logged. Better set in the environment."},
	{"telegram_api", NULL, CFG_STR, CFG_S(telegram_api), "https://api.telegram.org", 0, 0, NULL,
	 "Bot API base URL (a self-hosted Bot API server or a test double)."},
	{"admin_id", "ADMIN_TELEGRAM_ID", CFG_IDS, CFG_N(admin_ids), "", 0, 0, NULL,
	 "Telegram user id(s) of the admin, comma-separated: alerts and admin commands."},
	{"gemini_key", "GEMINI_API_KEY", CFG_SECRET, CFG_S(gemini_key), "", 0, 0, NULL,
	 "Gemini API key for the AI tutor; empty turns the tutor off. Secret."},
	{"gemini_api", NULL, CFG_STR, CFG_S(gemini_api), "https://generativelanguage.googleapis.com", 0, 0, NULL,
	 "Gemini API base URL."},
	{"gemini_model", NULL, CFG_STR, CFG_S(gemini_model), "gemini-2.5-flash", 0, 0, NULL,
	 "Gemini model name; model names change, so this is only a config value."},
	{"ai_daily_limit", NULL, CFG_INT, CFG_N(ai_daily_limit), "20", 0, 10000, NULL,
	 "AI tutor requests per student per day (admins are exempt)."},
	{"ai_max_inflight", NULL, CFG_INT, CFG_N(ai_max_inflight), "4", 1, 64, NULL,
	 "AI requests in flight at once; more wait in a bounded queue."},
	{"ai_timeout", NULL, CFG_INT, CFG_N(ai_timeout), "30", 5, 300, NULL,
	 "Seconds one AI answer may take, retries included."},
	{"uptimerobot_key", "UPTIMEROBOT_API_KEY", CFG_SECRET, CFG_S(uptimerobot_key), "", 0, 0, NULL,
	 "UptimeRobot API key (read-only is enough) for `examflow uptime`. Secret."},
	{"uptimerobot_heartbeat_url", NULL, CFG_SECRET, CFG_S(uptimerobot_heartbeat_url), "", 0, 0, NULL,
	 "UptimeRobot heartbeat URL pinged while polling works. Secret."},
	{"data_dir", NULL, CFG_STR, CFG_S(data_dir), "data", 0, 0, NULL,
	 "Directory for events.log and snapshot (created 0700)."},
	{"fsync", NULL, CFG_CHOICE, CFG_N(fsync_mode), "batch", 0, 0, cfg_fsync_modes,
	 "batch: one fdatasync per update batch before replies; always: per record; off: leave it to the OS (loses the last seconds on power loss)."},
	{"compact_factor", NULL, CFG_INT, CFG_N(compact_factor), "4", 2, 100, NULL,
	 "Compact when the log is this many times the snapshot..."},
	{"compact_min_kb", NULL, CFG_INT, CFG_N(compact_min_kb), "1024", 1, 1048576, NULL,
	 "...and larger than this many KiB."},
	{"log_file", NULL, CFG_STR, CFG_S(log_file), "logs/bot_service.log", 0, 0, NULL,
	 "Log file (created 0600); - for stderr."},
	{"log_level", NULL, CFG_CHOICE, CFG_N(log_level), "info", 0, 0, cfg_log_levels,
	 "debug, info, warn or error."},
	{"log_max_mb", NULL, CFG_INT, CFG_N(log_max_mb), "10", 0, 10240, NULL,
	 "Rotate the log at this size in MiB (0: never, e.g. when logrotate is used)."},
	{"log_keep", NULL, CFG_INT, CFG_N(log_keep), "5", 1, 100, NULL,
	 "Rotated log files to keep."},
	{"health_file", NULL, CFG_STR, CFG_S(health_file), "logs/bot_health_status.json", 0, 0, NULL,
	 "Health status JSON, written atomically."},
	{"health_listen", NULL, CFG_ADDR, CFG_S(health_listen), "", 0, 0, NULL,
	 "host:port for GET /health and /metrics (empty: off), e.g. 127.0.0.1:8080."},
	{"ca_file", NULL, CFG_STR, CFG_S(ca_file), "", 0, 0, NULL,
	 "PEM file of trusted CAs (empty: the system bundle, auto-detected)."},
	{"max_restarts", NULL, CFG_INT, CFG_N(max_restarts), "100", 1, 100000, NULL,
	 "Worker restarts allowed within the window before the watchdog gives up."},
	{"check_interval", NULL, CFG_INT, CFG_N(check_interval), "60", 5, 3600, NULL,
	 "Seconds between health checks and heartbeat pings."},
	{"hang_timeout", NULL, CFG_INT, CFG_N(hang_timeout), "0", 0, 3600, NULL,
	 "Seconds without a worker heartbeat before it counts as hung (0: 2 x check_interval)."},
	{"poll_timeout", NULL, CFG_INT, CFG_N(poll_timeout), "50", 0, 50, NULL,
	 "getUpdates long-poll timeout in seconds (Telegram's maximum is 50)."},
	{"lang", NULL, CFG_CHOICE, CFG_N(lang), "ru", 0, 0, cfg_langs,
	 "Default language of the bot: ru or en (a student's Telegram language wins)."},
	{"timezone", NULL, CFG_TZ, CFG_S(timezone), "Europe/Moscow", 0, 0, NULL,
	 "Students' default time zone for streaks and reminders: a UTC offset (+03:00, UTC+3) or a fixed-offset zone name."},
	{"tasks_file", NULL, CFG_STR, CFG_S(tasks_file), "", 0, 0, NULL,
	 "Your own task bank file (see README); empty: the embedded bank only."},
	{"tasks_mode", NULL, CFG_CHOICE, CFG_N(tasks_mode), "add", 0, 0, cfg_tasks_modes,
	 "add: tasks_file adds to the embedded bank; replace: it replaces it."},
};
#define CFG_NKEYS ((int)(sizeof cfg_keys / sizeof cfg_keys[0]))

/* Zones with a fixed offset (Russia has had no DST since 2014, and our
 * students live mostly there).  Anything else: give an explicit offset. */
static const struct { const char *name; int minutes; } cfg_zones[] = {
	{"UTC", 0}, {"Etc/UTC", 0}, {"Europe/London", 0}, {"Europe/Kaliningrad", 120},
	{"Europe/Moscow", 180}, {"Europe/Minsk", 180}, {"Europe/Volgograd", 180},
	{"Europe/Samara", 240}, {"Asia/Yekaterinburg", 300}, {"Asia/Tashkent", 300},
	{"Asia/Almaty", 300}, {"Asia/Omsk", 360}, {"Asia/Novosibirsk", 420},
	{"Asia/Krasnoyarsk", 420}, {"Asia/Irkutsk", 480}, {"Asia/Yakutsk", 540},
	{"Asia/Vladivostok", 600}, {"Asia/Magadan", 660}, {"Asia/Kamchatka", 720},
};

/* "+03:00", "-5", "UTC+3", "+0530", or a name from cfg_zones → minutes. */
static int cfg_parse_tz(const char *s, int *minutes)
{
	for (size_t i = 0; i < sizeof cfg_zones / sizeof cfg_zones[0]; i++)
		if (strcmp(s, cfg_zones[i].name) == 0) {
			*minutes = cfg_zones[i].minutes;
			return 0;
		}
	if (strncmp(s, "UTC", 3) == 0 || strncmp(s, "GMT", 3) == 0)
		s += 3;
	if (*s != '+' && *s != '-')
		return -1;
	int sign = *s++ == '-' ? -1 : 1, h = 0, m = 0, digits = 0;
	while (isdigit((unsigned char)*s) && digits < 2)
		h = h * 10 + (*s++ - '0'), digits++;
	if (!digits)
		return -1;
	if (*s == ':')
		s++;
	if (isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1]))
		m = (s[0] - '0') * 10 + (s[1] - '0'), s += 2;
	if (*s || h > 14 || m > 59)
		return -1;
	*minutes = sign * (h * 60 + m);
	return 0;
}

static int cfg_levenshtein(const char *a, const char *b)
{
	int la = (int)strlen(a), lb = (int)strlen(b);
	if (la > 63 || lb > 63)
		return 99;
	int d[64][64];
	for (int i = 0; i <= la; i++)
		d[i][0] = i;
	for (int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (int i = 1; i <= la; i++)
		for (int j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

static const struct cfg_key *cfg_find(const char *name)
{
	for (int i = 0; i < CFG_NKEYS; i++)
		if (strcmp(cfg_keys[i].name, name) == 0)
			return &cfg_keys[i];
	return NULL;
}

static const char *cfg_suggest(const char *name)
{
	const char *best = NULL;
	int bestd = 4; /* further than 3 edits is no suggestion */
	for (int i = 0; i < CFG_NKEYS; i++) {
		int d = cfg_levenshtein(name, cfg_keys[i].name);
		if (d < bestd)
			bestd = d, best = cfg_keys[i].name;
	}
	return best;
}

static void cfg_env_name(const struct cfg_key *k, char *out, size_t len)
{
	if (k->env) {
		snprintf(out, len, "%s", k->env);
		return;
	}
	size_t n = (size_t)snprintf(out, len, "EXAMFLOW_");
	for (const char *p = k->name; *p && n + 1 < len; p++)
		out[n++] = (char)toupper((unsigned char)*p);
	out[n] = '\0';
}

/* Store one value into c.  Returns NULL, or a message saying what is wrong
 * (never containing the value itself: it may be a secret). */
static const char *cfg_set(struct config *c, const struct cfg_key *k, const char *v)
{
	char *field = (char *)c + k->off;
	switch (k->type) {
	case CFG_STR:
	case CFG_SECRET:
	case CFG_ADDR:
		if (strlen(v) >= k->size)
			return "value too long";
		if (k->type == CFG_ADDR && *v && !strrchr(v, ':'))
			return "expected host:port";
		snprintf(field, k->size, "%s", v);
		if (k->type == CFG_SECRET)
			log_add_secret(v);
		return NULL;
	case CFG_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (!*v || *end || errno)
			return "not a whole number";
		if (n < k->min || n > k->max)
			return "value out of range";
		*(int *)(void *)field = (int)n;
		return NULL;
	}
	case CFG_IDS: {
		int n = 0;
		const char *p = v;
		while (*p) {
			char *end;
			errno = 0;
			long long id = strtoll(p, &end, 10);
			if (end == p || errno || id == 0)
				return "expected Telegram user id(s), comma-separated";
			if (n == CFG_MAX_ADMINS)
				return "too many ids (at most 8)";
			c->admin_ids[n++] = id;
			p = end;
			while (*p == ' ')
				p++;
			if (*p == ',')
				p++;
			while (*p == ' ')
				p++;
		}
		c->nadmins = n;
		return NULL;
	}
	case CFG_CHOICE:
		for (int i = 0; k->choices[i]; i++)
			if (strcmp(v, k->choices[i]) == 0) {
				*(int *)(void *)field = i;
				return NULL;
			}
		return "not one of the allowed values";
	case CFG_TZ:
		if (strlen(v) >= k->size || cfg_parse_tz(v, &c->tz_offset_min) < 0)
			return "unknown time zone (use an offset like +03:00 or a zone such as Europe/Moscow)";
		snprintf(field, k->size, "%s", v);
		return NULL;
	}
	return "unsupported key type";
}

static void cfg_defaults(struct config *c)
{
	memset(c, 0, sizeof *c);
	for (int i = 0; i < CFG_NKEYS; i++) {
		const char *err = cfg_set(c, &cfg_keys[i], cfg_keys[i].def);
		(void)err; /* defaults are valid: a unit test proves it */
	}
	snprintf(c->source, sizeof c->source, "defaults");
}

static char *cfg_trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Parse one config file into c.  Errors go to errs as "FILE:LINE: ...".
 * Returns the number of errors (0 = fine); -1 if the file cannot be read. */
static int cfg_load_file(struct config *c, const char *path, FILE *errs)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(errs, "%s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	char line[CFG_LINE_MAX + 2];
	int lineno = 0, nerr = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			fprintf(errs, "%s:%d: line longer than %d bytes\n", path, lineno, CFG_LINE_MAX);
			nerr++;
			int ch;
			while ((ch = fgetc(f)) != EOF && ch != '\n')
				;
			continue;
		}
		char *s = cfg_trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			fprintf(errs, "%s:%d: expected 'key = value'\n", path, lineno);
			nerr++;
			continue;
		}
		*eq = '\0';
		char *key = cfg_trim(s), *val = cfg_trim(eq + 1);
		size_t vl = strlen(val);
		if (vl >= 2 && ((val[0] == '"' && val[vl - 1] == '"') || (val[0] == '\'' && val[vl - 1] == '\''))) {
			val[vl - 1] = '\0';
			val++;
		}
		const struct cfg_key *k = cfg_find(key);
		if (!k) {
			const char *sug = cfg_suggest(key);
			if (sug)
				fprintf(errs, "%s:%d: unknown key '%s' (did you mean '%s'?)\n", path, lineno, key, sug);
			else
				fprintf(errs, "%s:%d: unknown key '%s' (see: examflow help config)\n", path, lineno, key);
			nerr++;
			continue;
		}
		const char *err = cfg_set(c, k, val);
		if (err) {
			fprintf(errs, "%s:%d: %s: %s\n", path, lineno, key, err);
			nerr++;
		}
	}
	fclose(f);
	snprintf(c->source, sizeof c->source, "%s", path);
	return nerr;
}

/* Apply environment overrides; errors name the variable. */
static int cfg_load_env(struct config *c, FILE *errs)
{
	int nerr = 0;
	for (int i = 0; i < CFG_NKEYS; i++) {
		char name[96];
		cfg_env_name(&cfg_keys[i], name, sizeof name);
		const char *v = getenv(name);
		if (!v)
			continue;
		const char *err = cfg_set(c, &cfg_keys[i], v);
		if (err) {
			fprintf(errs, "environment %s: %s\n", name, err);
			nerr++;
		}
	}
	return nerr;
}

/* Which file to read: -c FILE, else $EXAMFLOW_CONFIG, else ./examflow.conf,
 * else /etc/examflow/examflow.conf, else none (defaults). */
static const char *cfg_pick_path(const char *given)
{
	if (given)
		return given;
	const char *env = getenv("EXAMFLOW_CONFIG");
	if (env && *env)
		return env;
	if (access("examflow.conf", F_OK) == 0)
		return "examflow.conf";
	if (access("/etc/examflow/examflow.conf", F_OK) == 0)
		return "/etc/examflow/examflow.conf";
	return NULL;
}

/* Defaults, then the file, then the environment.  Returns the error count. */
static int cfg_load(struct config *c, const char *given_path, FILE *errs)
{
	cfg_defaults(c);
	const char *path = cfg_pick_path(given_path);
	int nerr = 0;
	if (path) {
		int r = cfg_load_file(c, path, errs);
		nerr += r < 0 ? 1 : r;
	}
	nerr += cfg_load_env(c, errs);
	return nerr;
}

static int cfg_is_admin(const struct config *c, int64_t user_id)
{
	for (int i = 0; i < c->nadmins; i++)
		if (c->admin_ids[i] == user_id)
			return 1;
	return 0;
}

/* The hang timeout actually in force. */
static int cfg_hang_timeout(const struct config *c)
{
	return c->hang_timeout ? c->hang_timeout : 2 * c->check_interval;
}

/* Print the key table as a commented config file (the source of truth for
 * examflow.conf.example and `examflow help config`). */
static void cfg_print_reference(FILE *out)
{
	fprintf(out, "# examflow.conf — every key, its default and its environment variable.\n"
	             "# Format: key = value; '#' starts a comment. The environment overrides the file.\n"
	             "# Generated from the key table in examflow.c (examflow help config).\n");
	for (int i = 0; i < CFG_NKEYS; i++) {
		const struct cfg_key *k = &cfg_keys[i];
		char env[96];
		cfg_env_name(k, env, sizeof env);
		fprintf(out, "\n# %s\n# env: %s", k->help, env);
		if (k->type == CFG_INT)
			fprintf(out, "; range %ld..%ld", k->min, k->max);
		if (k->type == CFG_CHOICE) {
			fprintf(out, "; one of:");
			for (int j = 0; k->choices[j]; j++)
				fprintf(out, " %s", k->choices[j]);
		}
		fprintf(out, "\n#%s = %s\n", k->name, k->def);
	}
}

#undef CFG_S
#undef CFG_N

/* ==========================================================================
 * 8. Command line and main()
 * ==========================================================================
 * One function per verb, found through cli_cmds; main() only parses -c and
 * dispatches.  die()-style exits are allowed here and nowhere below: a verb
 * returns the process exit code.
 */

struct cli_ctx {
	const char *config_path; /* -c FILE, or NULL */
	int argc;                /* arguments after the verb */
	char **argv;
};

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli_ctx *ctx);
	int min_args, max_args;
	const char *usage;
	const char *summary;
};

static const struct cli_cmd cli_cmds[];

/* Load the configuration for a verb; prints errors and returns EXIT_OK or
 * EXIT_CONFIG.  Opens the log only when open_log is set (long-running verbs):
 * one-shot verbs talk to the terminal. */
static int cli_load_config(struct cli_ctx *ctx, int open_log)
{
	int nerr = cfg_load(&cfg, ctx->config_path, stderr);
	if (nerr) {
		fprintf(stderr, "examflow: %d configuration error%s (exit %d)\n", nerr, nerr == 1 ? "" : "s", EXIT_CONFIG);
		return EXIT_CONFIG;
	}
	logst.level = cfg.log_level;
	if (open_log && log_open(cfg.log_file) < 0) {
		fprintf(stderr, "examflow: cannot open log file %s: %s\n", cfg.log_file, strerror(errno));
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

static int cli_need_token(void)
{
	if (cfg.telegram_token[0])
		return EXIT_OK;
	fprintf(stderr, "%s: telegram_token is not set (put it in the config file or in the environment as TELEGRAM_BOT_TOKEN)\n",
	        cfg.source);
	return EXIT_CONFIG;
}

static int cli_version(struct cli_ctx *ctx)
{
	(void)ctx;
	printf("examflow %s\n", EXAMFLOW_VERSION);
	printf("compiler: %s\n", EXAMFLOW_CC);
	printf("libc: %s\n", EXAMFLOW_LIBC);
	printf("bearssl: %s\n", EXAMFLOW_BEARSSL_VERSION);
	printf("built: %s\n", EXAMFLOW_BUILD_DATE);
	return EXIT_OK;
}

static void cli_usage(FILE *out)
{
	fprintf(out, "usage: examflow [-c FILE] [COMMAND [ARGS]]\n\ncommands:\n");
	for (const struct cli_cmd *c = cli_cmds; c->name; c++)
		fprintf(out, "  %-22s %s\n", c->usage, c->summary);
	fprintf(out, "\nhelp topics: examflow help config | exit-codes\n");
}

static const char cli_exit_codes_text[] =
	"exit codes:\n"
	"  0  ok\n"
	"  1  temporary failure (network, disk): restarting later is fine\n"
	"  2  usage: unknown command or bad arguments\n"
	"  3  configuration is wrong (bad key, bad value, missing or rejected token): fix it, do not restart\n"
	"  4  data files need an admin: run `examflow repair`\n";

static int cli_help(struct cli_ctx *ctx)
{
	if (ctx->argc == 0) {
		cli_usage(stdout);
		printf("\n%s", cli_exit_codes_text);
		return EXIT_OK;
	}
	if (strcmp(ctx->argv[0], "config") == 0) {
		cfg_print_reference(stdout);
		return EXIT_OK;
	}
	if (strcmp(ctx->argv[0], "exit-codes") == 0) {
		printf("%s", cli_exit_codes_text);
		return EXIT_OK;
	}
	fprintf(stderr, "examflow: no help topic '%s' (topics: config, exit-codes)\n", ctx->argv[0]);
	return EXIT_USAGE;
}

/* check: everything an admin would want verified before starting. */
static int cli_check(struct cli_ctx *ctx)
{
	int rc = cli_load_config(ctx, 0);
	if (rc)
		return rc;
	printf("config: ok (%s)\n", cfg.source);
	printf("telegram_token: %s\n", cfg.telegram_token[0] ? "set" : "NOT SET (required for run)");
	printf("admin_id: %s\n", cfg.nadmins ? "set" : "not set (no admin alerts)");
	printf("gemini_key: %s\n", cfg.gemini_key[0] ? "set" : "not set (AI tutor off)");
	return cfg.telegram_token[0] ? EXIT_OK : EXIT_CONFIG;
}

static int cli_run(struct cli_ctx *ctx)
{
	int rc = cli_load_config(ctx, 1);
	if (rc)
		return rc;
	if ((rc = cli_need_token()))
		return rc;
	log_info("main", "examflow %s: configuration ok (%s)", EXAMFLOW_VERSION, cfg.source);
	fprintf(stderr, "examflow: configuration is valid, but the bot engine is not built yet in this version\n");
	return EXIT_FAIL;
}

static const struct cli_cmd cli_cmds[] = {
	{"run", cli_run, 0, 2, "run", "run the bot (default command)"},
	{"check", cli_check, 0, 0, "check", "check the configuration and the endpoints"},
	{"version", cli_version, 0, 0, "version", "print version, compiler, libc, BearSSL, build date"},
	{"help", cli_help, 0, 1, "help [TOPIC]", "this text, or a topic: config, exit-codes"},
	{NULL, NULL, 0, 0, NULL, NULL},
};

static int cli_main(int argc, char **argv)
{
	struct cli_ctx ctx = {0};
	int i = 1;
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			ctx.config_path = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			cli_usage(stdout);
			return EXIT_OK;
		} else if (strcmp(argv[i], "--version") == 0) {
			return cli_version(&ctx);
		} else {
			fprintf(stderr, "examflow: unknown option '%s'\n", argv[i]);
			cli_usage(stderr);
			return EXIT_USAGE;
		}
	}
	const char *verb = i < argc ? argv[i++] : "run";
	for (const struct cli_cmd *c = cli_cmds; c->name; c++) {
		if (strcmp(c->name, verb) != 0)
			continue;
		ctx.argc = argc - i;
		ctx.argv = argv + i;
		if (ctx.argc < c->min_args || ctx.argc > c->max_args) {
			fprintf(stderr, "usage: examflow %s\n", c->usage);
			return EXIT_USAGE;
		}
		return c->fn(&ctx);
	}
	fprintf(stderr, "examflow: unknown command '%s'\n", verb);
	cli_usage(stderr);
	return EXIT_USAGE;
}

#ifndef EXAMFLOW_NO_MAIN
int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN); /* a closed socket is an error code, not a death */
	return cli_main(argc, argv);
}
#endif
