/*
 * examflow.c — a Telegram bot that helps school students prepare for their
 * state exams, in one file, as one static binary.
 *
 * WHAT IT IS
 *
 * A student opens the bot, picks a subject (Математика, Информатика, Русский
 * язык, Физика), gets a short-answer task like part 1 of the ЕГЭ, types the
 * answer, and is told at once whether it is right, with the solution.  The
 * bot keeps progress, points, daily streaks and a review queue of mistakes.
 * It is built for a $3 VPS run by a teacher: one binary, no runtime
 * dependencies, a few megabytes of memory, flat files for data, and a
 * watchdog parent that restarts the worker when something goes wrong.
 *
 * THE PROCESS PICTURE
 *
 *   examflow run
 *    └─ watchdog (parent)  supervises; owns the health file; never parses updates
 *        ├─ worker (child) one poll() loop: getUpdates, sends, storage, timers
 *        └─ notifier (short-lived child) tells the admin when the worker is down
 *
 * `examflow demo` runs the same handlers and storage with the terminal in
 * place of Telegram; `run --no-watchdog` runs the worker alone.
 *
 * THE LIFE OF ONE UPDATE
 *
 *   getUpdates on the poll lane (HTTP over BearSSL, section 5) → JSON tokens
 *   (section 4) → tg_classify reads Telegram's answer, tg_decode turns each
 *   update into a struct bot_in (section 11) → worker_cycle, the one batch
 *   cycle of both transports, opens a storage batch and bot_handle changes
 *   the in-memory state, appends full-row records and stages replies
 *   (section 10) → the batch and the new offset are written and fsynced once
 *   (section 6) → only then do the staged replies join the bot's outbox, and
 *   the send lane takes them out through the rate limiter (bot_out_first /
 *   bot_out_done) → the next getUpdates confirms the offset.  A kill -9
 *   anywhere loses nothing and counts nothing twice: the stored offset is the
 *   truth.  If the commit fails, the state is rebuilt from disk and the
 *   updates come again; a batch that can never be stored is skipped.
 *
 * HOW THE SECTIONS TALK
 *
 *   Each banner uses only the banners above it, so each could become its
 *   own file (tests/e2e_layout.py compiles every prefix of this file alone
 *   to prove it).  Only the configuration (3) and the command line (14)
 *   touch the global `cfg`: every other section is handed an options struct
 *   (ai_opts, health_opts, bot_opts, tg_opts inside worker_opts, wd_opts,
 *   upd_opts),
 *   built by *_opts_init() from a configuration, and a SIGHUP hands each a
 *   new one (tg_reload → the command line's cli_reload → worker_set_opts).
 *   The AI tutor knows no bot: a struct ai_req goes in, a struct ai_result
 *   comes back through a callback.  The worker reports one struct status;
 *   the watchdog and GET /health write it with one status_json().  The
 *   bot owns its outbox; the transports read it through bot_out_*.  The
 *   self-update (13) talks to a running bot only from outside, the way an
 *   admin would: it reads the health file the watchdog writes and sends
 *   the watchdog SIGUSR2.
 *
 * WHERE TO START READING
 *
 *   main() near the bottom, then cli_run(), then tg_run() (the worker's
 *   loop over its lanes), then worker_cycle() and bot_handle().  Every
 *   section starts with a banner and a paragraph saying what it does and how
 *   it reports errors.
 *
 * CONTENTS
 *
 *    1. Includes, limits, exit codes
 *    2. Utilities: time, buffers, UTF-8 and HTML, an int64 map, CRC-32C, files, logging
 *    3. Configuration: the key table
 *    4. JSON: tokenizer, accessors, writer
 *    5. HTTP/1.1 client over BearSSL
 *    6. Storage: append-only log and snapshot
 *    7. Exam domain: task bank, answer checking, task generators
 *    8. AI tutor: Gemini generateContent, cache, quota, memory
 *    9. Status and health: one status type, /health, /metrics, UptimeRobot, log rotation
 *   10. Bot: students, records, texts, handlers, the outbox
 *   11. Transports: the worker and its batch cycle, the console demo, the Telegram engine
 *   12. Watchdog and health file
 *   13. Self-update: signed releases, no downgrades, atomic swap, health-gated rollback
 *   14. Command line and main()
 *       Appendix: the embedded task bank (data, after main())
 *
 * EXTERNAL THINGS THIS PROGRAM RELIES ON
 *
 *   Telegram   getMe, deleteWebhook, setMyCommands, getUpdates (offset,
 *              timeout, allowed_updates = message, callback_query,
 *              my_chat_member), sendMessage (HTML parse mode, inline
 *              keyboards), answerCallbackQuery, sendChatAction (typing);
 *              errors 400 (description,
 *              parameters.migrate_to_chat_id), 401/404 (bad token), 403
 *              (blocked), 409 (another poller), 429 (parameters.retry_after).
 *   Gemini     POST /v1beta/models/MODEL:generateContent with
 *              x-goog-api-key; candidates[0].content.parts[*].text,
 *              finishReason, promptFeedback.blockReason, usageMetadata,
 *              429 RetryInfo.retryDelay and QuotaFailure.
 *   UptimeRobot GET of the heartbeat URL; POST /v2/getMonitors (form-encoded
 *              api_key, format=json) for `examflow uptime`.
 *   Served     with health_listen: GET /health (200/503 + JSON) and GET
 *              /metrics (Prometheus text), plain HTTP, Connection: close.
 *   HTTP       we send Host, User-Agent: examflow/VERSION, Content-Type:
 *              application/json, Content-Length, Connection: keep-alive; we
 *              read Content-Length, Transfer-Encoding: chunked, Connection,
 *              Content-Type, Retry-After, and Location (update downloads
 *              follow up to 5 redirects, from https:// only to https://).
 *   Files      examflow.conf (key = value); data_dir/{events.log, snapshot,
 *              lock, events.log.torn-*, events.log.quarantine-*}; log_file
 *              (one line per event, 0600); health_file (JSON, written by the
 *              watchdog); the system CA bundle or ca_file.  Self-update:
 *              update_url/manifest (signed text, section 13) and the file it
 *              names; data_dir/{update.lock, update-state, backup-*}; next to
 *              the binary examflow.new and examflow.prev; keygen's
 *              PREFIX.key and PREFIX.pub.
 *   Env        TELEGRAM_BOT_TOKEN, GEMINI_API_KEY, ADMIN_TELEGRAM_ID,
 *              UPTIMEROBOT_API_KEY, EXAMFLOW_<KEY> for every config key,
 *              EXAMFLOW_CONFIG (config path), NOTIFY_SOCKET, WATCHDOG_USEC.
 *   Signals    SIGTERM/SIGINT graceful stop; SIGHUP reopen the log, reload
 *              config and task bank; SIGUSR2 re-exec the binary on disk
 *              (`examflow update` sends it); SIGPIPE and SIGXFSZ ignored
 *              (errors, not deaths).
 *   Exit codes 0 ok, 1 temporary failure (restart is fine), 2 usage,
 *              3 configuration is wrong (do not restart), 4 data files need
 *              an admin (run `examflow repair`), 5 update: a release was
 *              refused or rolled back.
 *   Config     the key table cfg_keys in section 3 (examflow help config);
 *              the sections' options structs are filled from it in one
 *              place each (*_opts_init).
 *   Memory     about 1-2 MiB resident: BearSSL's state is ~40 KiB per HTTPS
 *              connection (1 poll + 4 send lanes), the rest grows with the
 *              number of students (a few hundred bytes each) and is capped by
 *              the named limits below.
 *
 * THE DATA FILES (section 6)
 *
 *   data_dir/events.log   every change, appended one batch at a time
 *   data_dir/snapshot     the compacted live state; the log continues it
 *   data_dir/lock         flock()ed by the owner, holds its pid
 *
 *   Both files hold one record per line, tab-separated, in UTF-8:
 *
 *     TYPE \t SEQ \t TS_MS \t FIELD ... \t CRC \n
 *
 *   TYPE is [a-z][a-z0-9_]*, SEQ goes up by one per record for the life
 *   of the directory, TS_MS is the wall clock at append time, and CRC is
 *   8 lower-case hex digits of CRC-32C over everything before the tab in
 *   front of it.  Inside fields, \ TAB LF CR are written \\ \t \n \r, so a
 *   record is always one line and `grep ^attempt events.log` works.
 *
 *   events.log:  a commit of several records opens with
 *       begin \t SEQ-OF-FIRST \t TS \t COUNT \t CRC
 *   and replay applies a batch whole or not at all.  Start-up cuts a torn
 *   tail (last line without newline or checksum, or a batch cut short) into
 *   events.log.torn-<time>; any other bad line stops start-up with its
 *   byte offset (exit 4) until `examflow repair` quarantines it.
 *
 *   snapshot:    examflow-snapshot \t SEQ \t TS \t 1 \t CRC      (version 1)
 *                ... records, each carrying SEQ ...
 *                end \t SEQ \t TS \t COUNT \t CRC
 *   It is written as snapshot.tmp, fsynced, renamed, and the directory is
 *   fsynced; only then is the log emptied.  Replay skips log records with
 *   a seq at or below the snapshot's, so a crash between the two steps
 *   is harmless.  A leftover snapshot.tmp is deleted.  A damaged snapshot
 *   stops start-up: without it the state would be silently lost.
 *
 *   The bot's record types (section 10): user, task, num, offset, out,
 *   sent, bcast; the tutor's (section 8): aiq, aic.
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
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h> /* PR_SET_PDEATHSIG: a worker must not outlive its watchdog */
#include <sys/random.h> /* getrandom(): the seed of a signing key */
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

/* What a release is built for, as `examflow version` prints it and a
 * release manifest names it: a binary for another target is never run. */
#if defined(__x86_64__)
#define EXAMFLOW_ARCH "x86_64"
#elif defined(__aarch64__)
#define EXAMFLOW_ARCH "aarch64"
#elif defined(__arm__)
#define EXAMFLOW_ARCH "arm"
#elif defined(__i386__)
#define EXAMFLOW_ARCH "i386"
#elif defined(__riscv) && __riscv_xlen == 64
#define EXAMFLOW_ARCH "riscv64"
#else
#define EXAMFLOW_ARCH "unknown"
#endif
#define EXAMFLOW_TARGET "linux-" EXAMFLOW_ARCH "-" EXAMFLOW_LIBC

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
	EXIT_DATA = 4,   /* data files need an admin (examflow repair) */
	EXIT_REFUSED = 5 /* update: a release was refused or rolled back; the installed binary is intact */
};

/* Marks a helper the program itself does not call but the unit tests and
 * fuzz targets do (it stays compiled, warnings stay errors). */
#define TEST_API __attribute__((unused))

#define LOG_LINE_MAX 2048      /* one event per line; longer messages are cut with "…" */
#define LOG_FORMAT_STACK 4096  /* a message up to this is formatted on the stack; longer ones on the heap */
#define PATH_MAX_LEN 1024      /* paths from the config; longer is a config error */

/* ==========================================================================
 * 2. Utilities: time, buffers, UTF-8 and HTML, an int64 map, CRC-32C, files, logging
 * ==========================================================================
 * Logging never fails the caller: if the log cannot be written, the line is
 * lost, never the work.  Buffer functions return 0 or -1 (out of memory).
 */

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

/* Encode code point cp (at most U+10FFFF) as UTF-8 into out; returns the
 * byte count.  The JSON unescaper and the answer normaliser share it. */
static int utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* --- UTF-8 and HTML ------------------------------------------------------- */

/* One UTF-8 character at s[0..n), n >= 1: its length with *cp set; 0 when
 * s is a valid start cut off by the end of the buffer (more bytes needed);
 * -(k + 1) when byte k makes it invalid (overlong, a surrogate, past
 * U+10FFFF, a stray continuation byte).  The one UTF-8 decoder: the JSON
 * tokenizer, the answer normaliser and the bank's checks all use it. */
static int utf8_scan(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned c = s[0], lo = 0x80, hi = 0xBF;
	int need;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0; /* below is overlong */
		else if (c == 0xED)
			hi = 0x9F; /* above is a surrogate */
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90; /* below is overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* above is past U+10FFFF */
	} else {
		return -1; /* a continuation byte, C0/C1 (overlong) or F5..FF */
	}
	uint32_t v = c & (0x3Fu >> need);
	for (int k = 1; k <= need; k++) {
		if ((size_t)k == n)
			return 0;
		if (s[k] < lo || s[k] > hi)
			return -(k + 1);
		v = v << 6 | (s[k] & 0x3Fu);
		lo = 0x80, hi = 0xBF;
	}
	*cp = v;
	return need + 1;
}

/* For text that is already whole: the character at s (U+FFFD and 1 byte
 * for anything invalid or cut off); 0 only when n is 0. */
static size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	int k = utf8_scan(s, n, cp);
	if (k > 0)
		return (size_t)k;
	*cp = 0xFFFD;
	return 1;
}

static int utf8_valid(const char *s, size_t n)
{
	uint32_t c;
	for (size_t i = 0; i < n;) {
		int k = utf8_scan((const unsigned char *)s + i, n - i, &c);
		if (k <= 0)
			return 0;
		i += (size_t)k;
	}
	return 1;
}

/* How many bytes of s[0..n) to keep so that at most max remain and no
 * UTF-8 sequence is cut: the one place text is shortened. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
	if (n <= max)
		return n;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n;
}

/* Copy src[0..n) into dst[cap] for one line of display: control
 * characters become spaces, a cut never splits a character. */
static void utf8_copy_line(char *dst, size_t cap, const char *src, size_t n)
{
	n = utf8_cut(src, n, cap - 1);
	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? ' ' : src[i];
	dst[n] = '\0';
}

/* Copy src into dst[size] without cutting a character. */
static void utf8_copy(char *dst, size_t size, const char *src)
{
	size_t n = utf8_cut(src, strlen(src), size - 1);
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/* Escape s[0..n) for Telegram's HTML parse mode: the one HTML escaper. */
static int html_escape_n(struct buf *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc;
		switch (s[i]) {
		case '<': rc = buf_puts(out, "&lt;"); break;
		case '>': rc = buf_puts(out, "&gt;"); break;
		case '&': rc = buf_puts(out, "&amp;"); break;
		case '"': rc = buf_puts(out, "&quot;"); break;
		default: rc = buf_putc(out, s[i]); break;
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int html_escape(struct buf *out, const char *s) { return html_escape_n(out, s, strlen(s)); }

/* Hex digits: the one table and the one reader. */
static const char hex_chars[] = "0123456789abcdef";

static int hex_digit(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Length of s[0..n) in UTF-16 code units, as Telegram counts. */
static size_t utf16_len(const char *s, size_t n)
{
	size_t units = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80)
			units += c >= 0xF0 ? 2 : 1;
	}
	return units;
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

/* The local day number (days since 1970-01-01 in a zone tz_min minutes
 * east of UTC): streaks, quotas and reminders count in it. */
static int local_day(int64_t ms, int tz_min)
{
	int64_t s = ms / 1000 + (int64_t)tz_min * 60;
	return (int)(s >= 0 ? s / 86400 : (s - 86399) / 86400);
}


/* --- an int64-keyed hash map ------------------------------------------------
 *
 * Open addressing with linear probing, at most half full.  A slot is elem
 * bytes whose first field is the int64_t key; key 0 marks an empty slot (no
 * Telegram user or chat has id 0).  Students, the rate limiter's chats and
 * the tutor's quotas each live in one.  There is no single removal: a
 * rebuild keeps the slots a filter wants.  Cost: elem bytes per slot, at most
 * 4 slots per entry (the table doubles when half full).
 */

struct imap {
	char *slots;                 /* cap * elem bytes */
	size_t elem, cap, n;         /* cap: 0 or a power of two; n: keys held */
};
#define IMAP_MIN_CAP 64

static int64_t imap_key(const struct imap *m, size_t i)
{
	int64_t k;
	memcpy(&k, m->slots + i * m->elem, sizeof k);
	return k;
}

/* Slot i, or NULL when it is empty: for iterating over 0..cap. */
static void *imap_at(const struct imap *m, size_t i)
{
	return imap_key(m, i) ? m->slots + i * m->elem : NULL;
}

/* Where key is, or the empty slot where it would go. */
static size_t imap_probe(const struct imap *m, int64_t key)
{
	size_t i = (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >> 17) & (m->cap - 1);
	while (imap_key(m, i) && imap_key(m, i) != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void *imap_get(const struct imap *m, int64_t key)
{
	return m->cap ? imap_at(m, imap_probe(m, key)) : NULL;
}

/* Rebuild at cap slots (a power of two, larger than the slots kept),
 * keeping those keep(slot, ctx) accepts (all when keep is NULL).  0, or -1
 * when out of memory (the map is unchanged). */
static int imap_rebuild(struct imap *m, size_t cap, int (*keep)(const void *slot, void *ctx), void *ctx)
{
	struct imap nm = {calloc(cap, m->elem), m->elem, cap, 0};
	if (!nm.slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		const void *s = imap_at(m, i);
		if (!s || (keep && !keep(s, ctx)))
			continue;
		memcpy(nm.slots + imap_probe(&nm, imap_key(m, i)) * nm.elem, s, nm.elem);
		nm.n++;
	}
	free(m->slots);
	*m = nm;
	return 0;
}

/* The slot of key; a new one (zeroed but for the key) when absent, and
 * *added set.  NULL when the map had to grow and could not. */
static void *imap_put(struct imap *m, int64_t key, int *added)
{
	*added = 0;
	void *s = imap_get(m, key);
	if (s)
		return s;
	if ((m->n + 1) * 2 > m->cap && imap_rebuild(m, m->cap ? m->cap * 2 : IMAP_MIN_CAP, NULL, NULL) < 0)
		return NULL;
	char *p = m->slots + imap_probe(m, key) * m->elem;
	memset(p, 0, m->elem);
	memcpy(p, &key, sizeof key);
	m->n++;
	*added = 1;
	return p;
}

static void imap_free(struct imap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
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

/* Is dir a directory we may keep files in: ours or root's, and writable by
 * nobody else (so nobody can plant a link in it)?  0, or -1 with errno
 * (ENOTDIR, EPERM). */
static int dir_trusted(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	if ((st.st_uid != geteuid() && st.st_uid != 0) || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Write a file atomically: a new temporary file with a random name (0600,
 * O_EXCL: never someone else's file or link), fsync, rename, fsync the dir. */
static int write_file_atomic(const char *path, const void *data, size_t n)
{
	char tmp[PATH_MAX_LEN + 16];
	if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp) {
		errno = ENAMETOOLONG;
		return -1;
	}
	int fd = mkostemp(tmp, O_CLOEXEC);
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

/* --- logging ---------------------------------------------------------------- */

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
static const char *const log_level_names[] = {"debug", "info", "warn", "error"};

/* The log's state.  Owned by main(): set up by log_open(), reopened on
 * SIGHUP; everything else only writes through log_msg(). */
static struct {
	int fd;          /* 2 (stderr) until log_open() succeeds */
	int level;       /* lines below this level are dropped */
	char path[PATH_MAX_LEN];
	char **secrets;  /* every secret ever configured: old ones stay secret after a rotation */
	int nsecrets, capsecrets;
} logst = {2, LOG_INFO, "", NULL, 0, 0};

/* Register a string that must never appear in anything we write.  No cap:
 * a key rotated many times is still redacted (a few dozen bytes each).
 * Out of memory: -1, and the caller must not use the secret. */
static int log_add_secret(const char *s)
{
	if (!s || strlen(s) < 4)
		return 0;
	for (int i = 0; i < logst.nsecrets; i++)
		if (strcmp(logst.secrets[i], s) == 0)
			return 0;
	if (logst.nsecrets == logst.capsecrets) {
		int cap = logst.capsecrets ? logst.capsecrets * 2 : 8;
		char **p = realloc(logst.secrets, (size_t)cap * sizeof *p);
		if (!p)
			return -1;
		logst.secrets = p;
		logst.capsecrets = cap;
	}
	char *copy = strdup(s);
	if (!copy)
		return -1;
	logst.secrets[logst.nsecrets++] = copy;
	return 0;
}

TEST_API static void log_clear_secrets(void)
{
	for (int i = 0; i < logst.nsecrets; i++) {
		explicit_bzero(logst.secrets[i], strlen(logst.secrets[i]));
		free(logst.secrets[i]);
	}
	free(logst.secrets);
	logst.secrets = NULL;
	logst.nsecrets = logst.capsecrets = 0;
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
 * token with "***".  The string only shrinks.  Everything that leaves the
 * process as text goes through it: log lines, health and status errors,
 * admin notices, `check` output. */
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

/* One line per event: "2026-11-24T09:00:00.000Z info  bot: message".
 * The whole message is redacted first and only then cut to LOG_LINE_MAX (a
 * cut could otherwise leave half a secret); newlines are folded so one
 * event stays one line. */
__attribute__((format(printf, 3, 4)))
static void log_msg(int level, const char *component, const char *fmt, ...)
{
	if (level < logst.level)
		return;
	char stack[LOG_FORMAT_STACK], *msg = stack, line[LOG_LINE_MAX], ts[40];
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(stack, sizeof stack, fmt, ap);
	va_end(ap);
	if (m >= (int)sizeof stack && (msg = malloc((size_t)m + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)m + 1, fmt, ap);
		va_end(ap);
	}
	if (!msg || m < 0)
		msg = strcpy(stack, "(a log message was lost: out of memory)");
	else if (msg == stack && m >= (int)sizeof stack)
		stack[sizeof stack - 1] = '\0';
	redact(msg);
	for (char *p = msg; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	iso8601_utc(ts, sizeof ts, wall_ms());
	int n = snprintf(line, sizeof line, "%s %-5s %s: ", ts, log_level_names[level], component);
	size_t room = sizeof line - (size_t)n - 5, len = strlen(msg), keep = utf8_cut(msg, len, room);
	memcpy(line + n, msg, keep);
	if (keep < len)
		memcpy(line + n + keep, "\xe2\x80\xa6", 3); /* "…" */
	len = (size_t)n + keep + (keep < len ? 3 : 0);
	line[len++] = '\n';
	if (msg != stack)
		free(msg);
	ssize_t w;
	do
		w = write(logst.fd, line, len);
	while (w < 0 && errno == EINTR);
}

/* Log every line of text (what a loader wrote into a memory stream). */
static void log_lines(int level, const char *component, const char *text)
{
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		if (n)
			log_msg(level, component, "%.*s", (int)(n < LOG_LINE_MAX / 2 ? n : LOG_LINE_MAX / 2), p);
		p += n + (p[n] == '\n');
	}
}

#define log_debug(comp, ...) log_msg(LOG_DEBUG, comp, __VA_ARGS__)
#define log_info(comp, ...) log_msg(LOG_INFO, comp, __VA_ARGS__)
#define log_warn(comp, ...) log_msg(LOG_WARN, comp, __VA_ARGS__)
#define log_error(comp, ...) log_msg(LOG_ERROR, comp, __VA_ARGS__)

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
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (logst.fd > 2)
		close(logst.fd);
	logst.fd = fd;
	snprintf(logst.path, sizeof logst.path, "%s", path);
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
	char uptimerobot_api[256];
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
	int core_dumps; /* index into cfg_off_on */
	char update_url[512];
	char update_pubkey[1024];    /* up to UPD_MAX_KEYS keys of ~135 characters */
	int update_health_timeout;
	int update_timeout;
	char source[PATH_MAX_LEN]; /* where the config came from, for messages */
};

/* Owned by main(): loaded once at start, replaced whole on SIGHUP. */
static struct config cfg;

enum { LANG_RU, LANG_EN, LANG_COUNT }; /* indexes of cfg_langs */
static const char *const cfg_langs[] = {"ru", "en", NULL};
static const char *const cfg_fsync_modes[] = {"batch", "always", "off", NULL};
static const char *const cfg_tasks_modes[] = {"add", "replace", NULL};
static const char *const cfg_log_levels[] = {"debug", "info", "warn", "error", NULL};
static const char *const cfg_off_on[] = {"off", "on", NULL};

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
	{"uptimerobot_api", NULL, CFG_STR, CFG_S(uptimerobot_api), "https://api.uptimerobot.com", 0, 0, NULL,
	 "UptimeRobot API base URL (for `examflow uptime`)."},
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
	{"core_dumps", NULL, CFG_CHOICE, CFG_N(core_dumps), "off", 0, 0, cfg_off_on,
	 "on: allow core dumps for debugging (they hold the token and keys); off: none are written."},
	{"update_url", NULL, CFG_STR, CFG_S(update_url), "", 0, 0, NULL,
	 "HTTPS directory holding the signed manifest of new releases (e.g. a GitHub .../releases/latest/download URL); empty turns `examflow update` off."},
	{"update_pubkey", NULL, CFG_STR, CFG_S(update_pubkey), "", 0, 0, NULL,
	 "Public key(s) release manifests must be signed with, as `examflow keygen` writes them; comma-separated while a key is rotated."},
	{"update_health_timeout", NULL, CFG_INT, CFG_N(update_health_timeout), "120", 3, 3600, NULL,
	 "Seconds a new version has after the re-exec to report healthy before `examflow update` rolls it back."},
	{"update_timeout", NULL, CFG_INT, CFG_N(update_timeout), "300", 2, 3600, NULL,
	 "Seconds one update download (the manifest or the binary) may take."},
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

static const char cfg_err_range[] = "value out of range";

/* Print err for key k and end the line: a number out of range names the
 * range ("value out of range (5..3600)"). */
static void cfg_put_err(FILE *errs, const struct cfg_key *k, const char *err)
{
	if (err == cfg_err_range)
		fprintf(errs, "%s (%ld..%ld)\n", err, k->min, k->max);
	else
		fprintf(errs, "%s\n", err);
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
		if (k->type == CFG_SECRET && log_add_secret(v) < 0)
			return "out of memory (the secret could not be protected)";
		snprintf(field, k->size, "%s", v);
		return NULL;
	case CFG_INT: {
		char *end;
		errno = 0;
		long n = strtol(v, &end, 10);
		if (!*v || *end || errno)
			return "not a whole number";
		if (n < k->min || n > k->max)
			return cfg_err_range;
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
			fprintf(errs, "%s:%d: %s: ", path, lineno, key);
			cfg_put_err(errs, k, err);
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
			fprintf(errs, "environment %s: ", name);
			cfg_put_err(errs, &cfg_keys[i], err);
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
 * 4. JSON: tokenizer, accessors, writer
 * ==========================================================================
 * json_parse() makes one pass over a whole document (strict RFC 8259) and
 * fills a caller-owned array of tokens in document order: type, byte span,
 * child count and parent.  Nothing is copied or allocated; strings stay
 * escaped in the caller's buffer until an accessor unescapes them.  It
 * returns the token count or a negative JSON_ERR_*; JSON_ERR_INCOMPLETE means
 * "the document stops too early" (more bytes could make it valid), every
 * other error means no continuation can.  json_parse_ex() also reports the
 * byte offset of the error, for the log.  There is no global state.
 *
 * The accessors only read buf and the tokens.  Those that take a token index
 * accept -1 (what a failed lookup returns) and then fail too, so lookups
 * chain: json_get_i64(buf, t, json_path(buf, t, n, 0, "message.chat.id"), &id).
 * They return 0 / -1, or an index / -1.
 *
 * The writer appends to a struct buf and escapes every string it is given,
 * so no user text ever reaches JSON through printf.  struct json_w adds the
 * commas and colons and keeps the first error, to be checked once at the end.
 */

#define JSON_MAX_DEPTH 64 /* nested objects/arrays: Telegram and Gemini answers nest about 10 deep; bounds the parser's stack */

enum json_type {
	JSON_OBJECT = 1, /* zero is left out so that a zeroed token is no valid type */
	JSON_ARRAY,
	JSON_STRING,
	JSON_NUMBER,
	JSON_TRUE,
	JSON_FALSE,
	JSON_NULL
};

enum {
	JSON_ERR_INCOMPLETE = -1, /* the document ends too early */
	JSON_ERR_SYNTAX = -2,     /* a byte the grammar does not allow here */
	JSON_ERR_NOMEM = -3,      /* more tokens than the caller's array holds */
	JSON_ERR_DEPTH = -4,      /* nesting deeper than JSON_MAX_DEPTH */
	JSON_ERR_UTF8 = -5,       /* invalid UTF-8 inside a string */
	JSON_ERR_ESCAPE = -6,     /* a backslash escape RFC 8259 does not define */
	JSON_ERR_CONTROL = -7,    /* a raw control character inside a string */
	JSON_ERR_NUMBER = -8,     /* a malformed number: leading zero, "1.", "-x", "1e" */
	JSON_ERR_TRAILING = -9,   /* more after the one top-level value */
	JSON_ERR_TOOBIG = -10     /* the input is longer than an int offset can address */
};

struct json_tok {
	int type;   /* enum json_type */
	int start;  /* offset of the first byte; for strings, just after the opening quote */
	int end;    /* offset one past the last byte; for strings, of the closing quote */
	int size;   /* objects: key/value pairs; arrays: elements; others: 0 */
	int parent; /* index of the enclosing object or array (for keys and values alike), -1 at top level */
};

static const char *json_strerror(int err)
{
	switch (err) {
	case JSON_ERR_INCOMPLETE: return "document is truncated";
	case JSON_ERR_SYNTAX: return "unexpected character";
	case JSON_ERR_NOMEM: return "too many tokens";
	case JSON_ERR_DEPTH: return "nested too deeply";
	case JSON_ERR_UTF8: return "invalid UTF-8 in a string";
	case JSON_ERR_ESCAPE: return "invalid escape in a string";
	case JSON_ERR_CONTROL: return "control character in a string";
	case JSON_ERR_NUMBER: return "malformed number";
	case JSON_ERR_TRAILING: return "data after the top-level value";
	case JSON_ERR_TOOBIG: return "document too large";
	}
	return err >= 0 ? "ok" : "unknown JSON error";
}

#define JSON_ISDIGIT(c) ((c) >= '0' && (c) <= '9')
#define JSON_ISSPACE(c) ((c) == ' ' || (c) == '\t' || (c) == '\n' || (c) == '\r')

/* --- tokenizer ------------------------------------------------------------------ */

/* One parse.  The stack of open containers replaces recursion, so depth costs
 * no C stack and is bounded by the array. */
struct json_parser {
	const char *buf;
	size_t len;
	size_t pos;                /* next byte to read; the error offset on failure */
	struct json_tok *toks;     /* NULL: only count */
	int ntoks;                 /* capacity (also caps counting) */
	int n;                     /* tokens made so far */
	int depth;                 /* open containers */
	int keep_depth;            /* tokens made deeper than this are neither kept nor counted */
	int open[JSON_MAX_DEPTH];  /* token index of each open container (JSON_UNKEPT: not kept) */
	unsigned char is_obj[JSON_MAX_DEPTH];
};

/* What the grammar expects next. */
enum { JS_VALUE, JS_ARR_FIRST, JS_OBJ_FIRST, JS_KEY, JS_COLON, JS_NEXT, JS_DONE };

#define JSON_UNKEPT INT_MAX /* the index of a token json_parse_shallow() skipped */

static int json_tok_new(struct json_parser *p, int type, size_t start, size_t end)
{
	if (p->depth > p->keep_depth)
		return JSON_UNKEPT;
	if (p->n >= p->ntoks)
		return JSON_ERR_NOMEM;
	if (p->toks) {
		struct json_tok *t = &p->toks[p->n];
		t->type = type;
		t->start = (int)start;
		t->end = (int)end;
		t->size = 0;
		t->parent = p->depth ? p->open[p->depth - 1] : -1;
	}
	return p->n++;
}

/* Check one UTF-8 sequence (RFC 3629: no overlongs, no surrogates, nothing
 * past U+10FFFF) whose lead byte is s[*ip] >= 0x80.  On success *ip moves
 * past it; on error *ip is the offending offset (len when truncated). */
static int json_scan_utf8(const unsigned char *s, size_t len, size_t *ip)
{
	uint32_t cp;
	int r = utf8_scan(s + *ip, len - *ip, &cp);
	if (r > 0) {
		*ip += (size_t)r;
		return 0;
	}
	if (r == 0) {
		*ip = len;
		return JSON_ERR_INCOMPLETE;
	}
	*ip += (size_t)(-r - 1); /* the offending byte */
	return JSON_ERR_UTF8;
}

/* Check the escape whose backslash is at s[*ip]; same reporting as above. */
static int json_scan_escape(const unsigned char *s, size_t len, size_t *ip)
{
	size_t i = *ip + 1;
	if (i == len) {
		*ip = len;
		return JSON_ERR_INCOMPLETE;
	}
	switch (s[i]) {
	case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
		*ip = i + 1;
		return 0;
	case 'u':
		for (size_t k = 1; k <= 4; k++) {
			if (i + k == len) {
				*ip = len;
				return JSON_ERR_INCOMPLETE;
			}
			if (hex_digit(s[i + k]) < 0) {
				*ip = i + k;
				return JSON_ERR_ESCAPE;
			}
		}
		*ip = i + 5;
		return 0;
	}
	*ip = i;
	return JSON_ERR_ESCAPE;
}

/* A string at p->pos (the opening quote).  Surrogate escapes are accepted
 * alone: the grammar allows them, and unescaping makes them U+FFFD. */
static int json_scan_string(struct json_parser *p)
{
	const unsigned char *s = (const unsigned char *)p->buf;
	size_t i = p->pos + 1, len = p->len;
	for (;;) {
		while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
			i++;
		if (i == len) {
			p->pos = len;
			return JSON_ERR_INCOMPLETE;
		}
		if (s[i] == '"')
			break;
		if (s[i] < 0x20) {
			p->pos = i;
			return JSON_ERR_CONTROL;
		}
		int rc = s[i] == '\\' ? json_scan_escape(s, len, &i) : json_scan_utf8(s, len, &i);
		if (rc < 0) {
			p->pos = i;
			return rc;
		}
	}
	int rc = json_tok_new(p, JSON_STRING, p->pos + 1, i);
	if (rc < 0)
		return rc;
	p->pos = i + 1;
	return 0;
}

/* A number at p->pos: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
 * A number that stops at the end of the input in a complete state is
 * complete: at top level "12" is a whole document. */
static int json_scan_number(struct json_parser *p)
{
	const char *s = p->buf;
	size_t i = p->pos, len = p->len;
	if (s[i] == '-')
		i++;
	if (i == len)
		goto truncated;
	if (s[i] == '0') {
		i++;
		if (i < len && JSON_ISDIGIT(s[i]))
			goto bad; /* leading zero */
	} else if (JSON_ISDIGIT(s[i])) {
		while (i < len && JSON_ISDIGIT(s[i]))
			i++;
	} else {
		goto bad;
	}
	if (i < len && s[i] == '.') {
		if (++i == len)
			goto truncated;
		if (!JSON_ISDIGIT(s[i]))
			goto bad;
		while (i < len && JSON_ISDIGIT(s[i]))
			i++;
	}
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i == len)
			goto truncated;
		if (!JSON_ISDIGIT(s[i]))
			goto bad;
		while (i < len && JSON_ISDIGIT(s[i]))
			i++;
	}
	int rc = json_tok_new(p, JSON_NUMBER, p->pos, i);
	if (rc < 0)
		return rc;
	p->pos = i;
	return 0;
truncated:
	p->pos = len;
	return JSON_ERR_INCOMPLETE;
bad:
	p->pos = i;
	return JSON_ERR_NUMBER;
}

static int json_scan_literal(struct json_parser *p, const char *word, int type)
{
	size_t n = strlen(word);
	for (size_t k = 0; k < n; k++) {
		if (p->pos + k == p->len) {
			p->pos = p->len;
			return JSON_ERR_INCOMPLETE;
		}
		if (p->buf[p->pos + k] != word[k]) {
			p->pos += k;
			return JSON_ERR_SYNTAX;
		}
	}
	int rc = json_tok_new(p, type, p->pos, p->pos + n);
	if (rc < 0)
		return rc;
	p->pos += n;
	return 0;
}

static int json_after_value(const struct json_parser *p)
{
	return p->depth ? JS_NEXT : JS_DONE;
}

static int json_open(struct json_parser *p, int is_obj)
{
	if (p->depth == JSON_MAX_DEPTH)
		return JSON_ERR_DEPTH;
	int t = json_tok_new(p, is_obj ? JSON_OBJECT : JSON_ARRAY, p->pos, 0);
	if (t < 0)
		return t;
	p->open[p->depth] = t;
	p->is_obj[p->depth] = (unsigned char)is_obj;
	p->depth++;
	p->pos++;
	return is_obj ? JS_OBJ_FIRST : JS_ARR_FIRST;
}

static int json_close(struct json_parser *p)
{
	p->depth--;
	if (p->toks && p->open[p->depth] != JSON_UNKEPT)
		p->toks[p->open[p->depth]].end = (int)p->pos + 1;
	p->pos++;
	return json_after_value(p);
}

/* A value starting with byte c at p->pos; returns the next state or an error. */
static int json_value(struct json_parser *p, char c)
{
	int rc;
	if (p->depth && !p->is_obj[p->depth - 1] && p->toks && p->open[p->depth - 1] != JSON_UNKEPT)
		p->toks[p->open[p->depth - 1]].size++;
	switch (c) {
	case '{': return json_open(p, 1);
	case '[': return json_open(p, 0);
	case '"': rc = json_scan_string(p); break;
	case 't': rc = json_scan_literal(p, "true", JSON_TRUE); break;
	case 'f': rc = json_scan_literal(p, "false", JSON_FALSE); break;
	case 'n': rc = json_scan_literal(p, "null", JSON_NULL); break;
	default:
		if (c != '-' && !JSON_ISDIGIT(c))
			return JSON_ERR_SYNTAX;
		rc = json_scan_number(p);
	}
	return rc < 0 ? rc : json_after_value(p);
}

/* The grammar as a loop over states: every byte is looked at once. */
static int json_run(struct json_parser *p)
{
	int st = JS_VALUE;
	for (;;) {
		while (p->pos < p->len && JSON_ISSPACE(p->buf[p->pos]))
			p->pos++;
		if (p->pos == p->len)
			return st == JS_DONE ? p->n : JSON_ERR_INCOMPLETE;
		char c = p->buf[p->pos];
		int in_obj = p->depth && p->is_obj[p->depth - 1];
		switch (st) {
		case JS_DONE:
			return JSON_ERR_TRAILING;
		case JS_OBJ_FIRST:
		case JS_KEY:
			if (c == '}' && st == JS_OBJ_FIRST) {
				st = json_close(p);
			} else if (c == '"') {
				int rc = json_scan_string(p);
				if (rc < 0)
					return rc;
				if (p->toks && p->open[p->depth - 1] != JSON_UNKEPT)
					p->toks[p->open[p->depth - 1]].size++;
				st = JS_COLON;
			} else {
				return JSON_ERR_SYNTAX;
			}
			break;
		case JS_COLON:
			if (c != ':')
				return JSON_ERR_SYNTAX;
			p->pos++;
			st = JS_VALUE;
			break;
		case JS_NEXT:
			if (c == ',') {
				p->pos++;
				st = in_obj ? JS_KEY : JS_VALUE;
			} else if (c == (in_obj ? '}' : ']')) {
				st = json_close(p);
			} else {
				return JSON_ERR_SYNTAX;
			}
			break;
		case JS_ARR_FIRST:
			if (c == ']') {
				st = json_close(p);
				break;
			}
			/* fall through */
		default:
			st = json_value(p, c);
		}
		if (st < 0)
			return st;
	}
}

/* Tokenize buf[0..len) into toks[0..ntoks), keeping only the tokens inside
 * at most keep_depth containers (the whole document is still checked): the
 * top of a document too big to keep whole.  Returns the token count or a
 * JSON_ERR_*; on error, *err_off (when not NULL) gets the byte offset that
 * failed (len for JSON_ERR_INCOMPLETE) and toks hold garbage.  The first
 * problem in document order wins: a document that overflows toks before its
 * syntax error is JSON_ERR_NOMEM.  toks may be NULL to count the tokens a
 * document needs (ntoks still caps the count). */
static int json_parse_depth(const char *buf, size_t len, struct json_tok *toks, int ntoks, int keep_depth,
                            size_t *err_off)
{
	struct json_parser p;
	p.buf = buf;
	p.len = len;
	p.pos = 0;
	p.toks = toks;
	p.ntoks = ntoks < 0 ? 0 : ntoks;
	p.n = 0;
	p.depth = 0;
	p.keep_depth = keep_depth;
	int rc = len >= (size_t)INT_MAX ? JSON_ERR_TOOBIG : json_run(&p);
	if (rc < 0 && err_off)
		*err_off = p.pos;
	return rc;
}

static int json_parse_ex(const char *buf, size_t len, struct json_tok *toks, int ntoks, size_t *err_off)
{
	return json_parse_depth(buf, len, toks, ntoks, JSON_MAX_DEPTH, err_off);
}

static int json_parse(const char *buf, size_t len, struct json_tok *toks, int ntoks)
{
	return json_parse_ex(buf, len, toks, ntoks, NULL);
}

/* Count, allocate, parse.  On success *out is malloc'd (the caller frees it)
 * and holds the returned number of tokens; more than max_toks is
 * JSON_ERR_NOMEM, so a hostile document cannot make us allocate without
 * bound.  On error *out is NULL. */
static int json_parse_alloc(const char *buf, size_t len, int max_toks, struct json_tok **out, size_t *err_off)
{
	*out = NULL;
	int n = json_parse_ex(buf, len, NULL, max_toks, err_off);
	if (n < 0)
		return n;
	struct json_tok *t = malloc((size_t)n * sizeof *t);
	if (!t) {
		if (err_off)
			*err_off = 0;
		return JSON_ERR_NOMEM;
	}
	n = json_parse_ex(buf, len, t, n, err_off);
	*out = t;
	return n;
}

/* --- accessors ------------------------------------------------------------------- */

/* The token after i's whole subtree (ntok when there is none): tokens come
 * in document order, so i's descendants are exactly the tokens that start
 * before i ends, and a binary search finds the first one that does not. */
static int json_next(const struct json_tok *t, int ntok, int i)
{
	if (i < 0 || i >= ntok)
		return ntok;
	if (t[i].type != JSON_OBJECT && t[i].type != JSON_ARRAY)
		return i + 1;
	int lo = i + 1, hi = ntok;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (t[mid].start < t[i].end)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The four hex digits at buf[pos..pos+4) as a number, or -1. */
static long json_hex4(const char *buf, int pos, int end)
{
	long v = 0;
	if (end - pos < 4)
		return -1;
	for (int k = 0; k < 4; k++) {
		int h = hex_digit((unsigned char)buf[pos + k]);
		if (h < 0)
			return -1;
		v = v << 4 | h;
	}
	return v;
}

/* Decode the escape whose backslash is at buf[*pos] (a string token's span
 * ends at end) into UTF-8 in out; returns the byte count and moves *pos past
 * it.  A \uD800-\uDBFF followed by \uDC00-\uDFFF is one code point; any other
 * surrogate is U+FFFD, so the result is always valid UTF-8. */
static int json_unescape_one(const char *buf, int *pos, int end, char out[4])
{
	int p = *pos;
	char c = p + 1 < end ? buf[p + 1] : '\0';
	*pos = p + 2;
	switch (c) {
	case '"': case '\\': case '/': out[0] = c; return 1;
	case 'b': out[0] = '\b'; return 1;
	case 'f': out[0] = '\f'; return 1;
	case 'n': out[0] = '\n'; return 1;
	case 'r': out[0] = '\r'; return 1;
	case 't': out[0] = '\t'; return 1;
	case 'u': break;
	default: /* the tokenizer never lets this through */
		*pos = p + 1;
		return utf8_encode(0xFFFD, out);
	}
	long cp = json_hex4(buf, p + 2, end);
	if (cp < 0)
		return utf8_encode(0xFFFD, out);
	*pos = p + 6;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		long lo = p + 7 < end && buf[p + 6] == '\\' && buf[p + 7] == 'u' ? json_hex4(buf, p + 8, end) : -1;
		if (lo >= 0xDC00 && lo <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			*pos = p + 12;
		} else {
			cp = 0xFFFD;
		}
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		cp = 0xFFFD;
	}
	return utf8_encode((uint32_t)cp, out);
}

/* Does string token i, unescaped, equal s[0..n)?  No allocation. */
static int json_eqn(const char *buf, const struct json_tok *t, int i, const char *s, size_t n)
{
	if (i < 0 || t[i].type != JSON_STRING)
		return 0;
	int pos = t[i].start, end = t[i].end;
	size_t k = 0;
	while (pos < end) {
		if (buf[pos] != '\\') {
			if (k == n || buf[pos] != s[k])
				return 0;
			pos++, k++;
			continue;
		}
		char u[4];
		size_t m = (size_t)json_unescape_one(buf, &pos, end, u);
		if (n - k < m || memcmp(u, s + k, m) != 0)
			return 0;
		k += m;
	}
	return k == n;
}

static int json_eq(const char *buf, const struct json_tok *t, int i, const char *s)
{
	return json_eqn(buf, t, i, s, strlen(s));
}

/* The value of key[0..n) in object obj, or -1.  With duplicate keys the
 * first wins. */
static int json_obj_getn(const char *buf, const struct json_tok *t, int ntok, int obj, const char *key, size_t n)
{
	if (obj < 0 || obj >= ntok || t[obj].type != JSON_OBJECT)
		return -1;
	int i = obj + 1;
	for (int k = 0; k < t[obj].size && i + 1 < ntok; k++) {
		if (json_eqn(buf, t, i, key, n))
			return i + 1;
		i = json_next(t, ntok, i + 1);
	}
	return -1;
}

static int json_obj_get(const char *buf, const struct json_tok *t, int ntok, int obj, const char *key)
{
	return json_obj_getn(buf, t, ntok, obj, key, strlen(key));
}

/* Element idx of array arr, or -1. */
static int json_arr_get(const struct json_tok *t, int ntok, int arr, int idx)
{
	if (arr < 0 || arr >= ntok || t[arr].type != JSON_ARRAY || idx < 0 || idx >= t[arr].size)
		return -1;
	int i = arr + 1;
	while (idx-- > 0 && i < ntok)
		i = json_next(t, ntok, i);
	return i < ntok ? i : -1;
}

/* Follow a dotted path from token from: "message.chat.id"; a segment of
 * digits indexes an array ("candidates.0.content").  Keys that contain a dot
 * cannot be named.  "" is from itself.  Returns the token index or -1. */
static int json_path(const char *buf, const struct json_tok *t, int ntok, int from, const char *dotted)
{
	int cur = from;
	if (cur < 0 || cur >= ntok)
		return -1;
	if (!*dotted)
		return cur;
	for (const char *seg = dotted;; ) {
		const char *dot = strchr(seg, '.');
		size_t n = dot ? (size_t)(dot - seg) : strlen(seg);
		if (t[cur].type == JSON_OBJECT) {
			cur = json_obj_getn(buf, t, ntok, cur, seg, n);
		} else if (t[cur].type == JSON_ARRAY && n > 0 && n <= 9) {
			int idx = 0;
			for (size_t k = 0; k < n && idx >= 0; k++)
				idx = JSON_ISDIGIT(seg[k]) ? idx * 10 + (seg[k] - '0') : -1;
			cur = json_arr_get(t, ntok, cur, idx);
		} else {
			return -1;
		}
		if (cur < 0 || !dot)
			return cur;
		seg = dot + 1;
	}
}

/* A number token that is a plain integer in int64_t range; fractions and
 * exponents are refused, never rounded.  0 or -1. */
static int json_get_i64(const char *buf, const struct json_tok *t, int i, int64_t *out)
{
	if (i < 0 || t[i].type != JSON_NUMBER)
		return -1;
	const char *s = buf + t[i].start, *e = buf + t[i].end;
	int neg = s < e && *s == '-';
	s += neg;
	if (s == e)
		return -1;
	int64_t v = 0; /* accumulated as a negative number, which reaches INT64_MIN */
	for (; s < e; s++) {
		if (!JSON_ISDIGIT(*s))
			return -1;
		int d = *s - '0';
		if (v < (INT64_MIN + d) / 10)
			return -1;
		v = v * 10 - d;
	}
	if (!neg) {
		if (v == INT64_MIN)
			return -1;
		v = -v;
	}
	*out = v;
	return 0;
}

/* *out = 1 for true, 0 for false; -1 for anything else. */
static int json_get_bool(const char *buf, const struct json_tok *t, int i, int *out)
{
	(void)buf;
	if (i < 0 || (t[i].type != JSON_TRUE && t[i].type != JSON_FALSE))
		return -1;
	*out = t[i].type == JSON_TRUE;
	return 0;
}

TEST_API static int json_is_null(const char *buf, const struct json_tok *t, int i)
{
	(void)buf;
	return i >= 0 && t[i].type == JSON_NULL;
}

/* Append string token i, unescaped to UTF-8, to out.  0, or -1 when i is no
 * string or memory runs out.  The result may contain NUL bytes (\u0000). */
static int json_get_str(const char *buf, const struct json_tok *t, int i, struct buf *out)
{
	if (i < 0 || t[i].type != JSON_STRING)
		return -1;
	int pos = t[i].start, end = t[i].end;
	/* unescaping never grows a string; appending nothing terminates an empty result */
	if (buf_reserve(out, (size_t)(end - pos)) < 0 || buf_append(out, "", 0) < 0)
		return -1;
	while (pos < end) {
		const char *bs = memchr(buf + pos, '\\', (size_t)(end - pos));
		int run = bs ? (int)(bs - buf) : end;
		if (buf_append(out, buf + pos, (size_t)(run - pos)) < 0)
			return -1;
		pos = run;
		if (pos < end) {
			char u[4];
			int m = json_unescape_one(buf, &pos, end, u);
			if (buf_append(out, u, (size_t)m) < 0)
				return -1;
		}
	}
	return 0;
}

/* String token i unescaped into a new NUL-terminated string (free() it), or
 * NULL: not a string, out of memory, or it contains U+0000, which a C string
 * would silently cut. */
TEST_API static char *json_strdup(const char *buf, const struct json_tok *t, int i)
{
	struct buf b = BUF_INIT;
	if (json_get_str(buf, t, i, &b) < 0 || memchr(b.p, '\0', b.len)) {
		buf_free(&b);
		return NULL;
	}
	return b.p;
}

/* --- writer ------------------------------------------------------------------------- */

/* Append s[0..n) as a JSON string: quotes, backslashes and control
 * characters escaped; each byte that is not part of valid UTF-8 becomes
 * U+FFFD, so the output is always valid JSON.  0 or -1 (out of memory). */
static int json_w_strn(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	if (buf_reserve(b, n + 2) < 0 || buf_putc(b, '"') < 0)
		return -1;
	while (i < n) {
		unsigned c = u[i];
		if (c >= 0x80) {
			size_t j = i;
			if (json_scan_utf8(u, n, &j) == 0) {
				i = j;
				continue;
			}
		} else if (c >= 0x20 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		char esc[6] = {'\\', (char)c, 0, 0, 0, 0};
		size_t elen = 2;
		const char *rep = esc;
		switch (c) {
		case '"': case '\\': break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		default:
			if (c >= 0x80) {
				rep = "\xEF\xBF\xBD";
				elen = 3;
			} else {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex_chars[c >> 4];
				esc[5] = hex_chars[c & 15];
				elen = 6;
			}
		}
		if (buf_append(b, s + run, i - run) < 0 || buf_append(b, rep, elen) < 0)
			return -1;
		run = ++i;
	}
	if (buf_append(b, s + run, n - run) < 0 || buf_putc(b, '"') < 0)
		return -1;
	return 0;
}

static int json_w_str(struct buf *b, const char *s)
{
	return json_w_strn(b, s, strlen(s));
}

static int json_w_i64(struct buf *b, int64_t v)
{
	return buf_printf(b, "%" PRId64, v);
}

static int json_w_bool(struct buf *b, int v)
{
	return buf_puts(b, v ? "true" : "false");
}

static int json_w_null(struct buf *b)
{
	return buf_puts(b, "null");
}

/* A structured writer: commas and colons come by themselves, misuse (a value
 * in an object without a key, a key in an array, unbalanced ends, a second
 * top-level value, nesting past JSON_MAX_DEPTH) is an error like running out
 * of memory.  The first error sticks: every later call returns -1 and writes
 * nothing, so a caller may check only json_w_finish(). */
struct json_w {
	struct buf *b;
	int depth;
	int err;                                  /* 0, or -1 after the first failure */
	int top_done;                             /* the top-level value was written */
	int after_key;                            /* a key was written; its value is due */
	unsigned char need_comma[JSON_MAX_DEPTH]; /* this container already has a member */
	unsigned char is_obj[JSON_MAX_DEPTH];
};

static void json_w_init(struct json_w *w, struct buf *b)
{
	memset(w, 0, sizeof *w);
	w->b = b;
}

static int json_w_check(struct json_w *w, int rc)
{
	if (rc < 0)
		w->err = -1;
	return w->err;
}

/* Before any value: check that one may come here, and write its comma. */
static int json_w_pre_value(struct json_w *w)
{
	if (w->err)
		return -1;
	if (w->depth == 0) {
		if (w->top_done)
			return json_w_check(w, -1);
		w->top_done = 1;
		return 0;
	}
	if (w->is_obj[w->depth - 1]) {
		if (!w->after_key)
			return json_w_check(w, -1);
		w->after_key = 0;
		return 0;
	}
	if (w->need_comma[w->depth - 1] && buf_putc(w->b, ',') < 0)
		return json_w_check(w, -1);
	w->need_comma[w->depth - 1] = 1;
	return 0;
}

static int json_w_key(struct json_w *w, const char *key)
{
	if (w->err)
		return -1;
	if (w->depth == 0 || !w->is_obj[w->depth - 1] || w->after_key)
		return json_w_check(w, -1);
	if (w->need_comma[w->depth - 1] && buf_putc(w->b, ',') < 0)
		return json_w_check(w, -1);
	w->need_comma[w->depth - 1] = 1;
	w->after_key = 1;
	return json_w_check(w, json_w_str(w->b, key) < 0 || buf_putc(w->b, ':') < 0 ? -1 : 0);
}

static int json_w_begin(struct json_w *w, int is_obj)
{
	if (json_w_pre_value(w) < 0)
		return -1;
	if (w->depth == JSON_MAX_DEPTH || buf_putc(w->b, is_obj ? '{' : '[') < 0)
		return json_w_check(w, -1);
	w->is_obj[w->depth] = (unsigned char)is_obj;
	w->need_comma[w->depth] = 0;
	w->depth++;
	return 0;
}

static int json_w_end(struct json_w *w, int is_obj)
{
	if (w->err)
		return -1;
	if (w->depth == 0 || w->is_obj[w->depth - 1] != is_obj || w->after_key)
		return json_w_check(w, -1);
	w->depth--;
	return json_w_check(w, buf_putc(w->b, is_obj ? '}' : ']'));
}

static int json_w_obj_begin(struct json_w *w) { return json_w_begin(w, 1); }
static int json_w_obj_end(struct json_w *w) { return json_w_end(w, 1); }
static int json_w_arr_begin(struct json_w *w) { return json_w_begin(w, 0); }
static int json_w_arr_end(struct json_w *w) { return json_w_end(w, 0); }

static int json_w_val_strn(struct json_w *w, const char *s, size_t n)
{
	return json_w_pre_value(w) < 0 ? -1 : json_w_check(w, json_w_strn(w->b, s, n));
}

static int json_w_val_str(struct json_w *w, const char *s)
{
	return json_w_val_strn(w, s, strlen(s));
}

static int json_w_val_i64(struct json_w *w, int64_t v)
{
	return json_w_pre_value(w) < 0 ? -1 : json_w_check(w, json_w_i64(w->b, v));
}

static int json_w_val_bool(struct json_w *w, int v)
{
	return json_w_pre_value(w) < 0 ? -1 : json_w_check(w, json_w_bool(w->b, v));
}

static int json_w_val_null(struct json_w *w)
{
	return json_w_pre_value(w) < 0 ? -1 : json_w_check(w, json_w_null(w->b));
}

/* Insert an already encoded JSON value (e.g. a reply_markup built by another
 * writer).  The caller vouches that it is valid JSON. */
static int json_w_val_raw(struct json_w *w, const char *json, size_t n)
{
	return json_w_pre_value(w) < 0 ? -1 : json_w_check(w, buf_append(w->b, json, n));
}

static int json_w_kv_str(struct json_w *w, const char *key, const char *s)
{
	return json_w_key(w, key) < 0 ? -1 : json_w_val_str(w, s);
}

static int json_w_kv_i64(struct json_w *w, const char *key, int64_t v)
{
	return json_w_key(w, key) < 0 ? -1 : json_w_val_i64(w, v);
}

static int json_w_kv_bool(struct json_w *w, const char *key, int v)
{
	return json_w_key(w, key) < 0 ? -1 : json_w_val_bool(w, v);
}

/* 0 when everything was written and every container closed, else -1. */
static int json_w_finish(const struct json_w *w)
{
	return w->err || w->depth || !w->top_done ? -1 : 0;
}

#undef JSON_ISDIGIT
#undef JSON_ISSPACE

/* ==========================================================================
 * 5. HTTP/1.1 client over BearSSL
 * ==========================================================================
 * Everything the bot says to the world goes through here: URLs, an
 * incremental response parser that never touches a socket, and a connection
 * state machine (resolve → connect → TLS handshake → write → read → idle
 * keep-alive) that one poll() loop drives for many connections at once.
 * A blocking wrapper over the same machine serves the CLI commands.
 *
 * Error idiom: every function returns 0 / HTTP_DONE / HTTP_PENDING or a
 * negative HTTP_ERR_* code; a connection also keeps a readable reason for
 * the admin (http_errstr) naming host:port only — never the URL, because
 * Telegram's token is part of the path (/bot<token>/getMe).
 *
 * Read in this order: http_url_parse, http_parse_feed (the parser),
 * http_start / http_step (the machine), http_request_sync.
 */

#define HTTP_MAX_HEADER_BYTES (16 * 1024)      /* Telegram's and Google's header blocks are < 2 KiB */
#define HTTP_MAX_BODY_BYTES (8 * 1024 * 1024)  /* one getUpdates answer can reach ~4 MiB */
#define HTTP_MAX_CHUNK_LINE 1024               /* hex size + extensions; real servers send < 20 bytes */
#define HTTP_MAX_PATH 2048                     /* base path + method + query; ours are < 300 bytes */
#define HTTP_MAX_REQUEST_HEAD (8 * 1024)       /* our own request line and headers */
#define HTTP_CONNECT_TIMEOUT_MS 10000          /* a TCP connect slower than this will not serve us */
#define HTTP_HANDSHAKE_TIMEOUT_MS 15000        /* TLS handshake incl. a slow RSA server */
#define HTTP_IDLE_MAX_MS 30000                 /* servers drop idle keep-alive sockets after ~60 s */
#define HTTP_DNS_TTL_MS (5 * 60 * 1000)        /* re-resolve every 5 min even without failures */
#define HTTP_DNS_SLOTS 16                      /* distinct hosts: Telegram, Gemini, pings, updates */
#define HTTP_DNS_TIMEOUT_MS 10000              /* a resolver slower than this is down: fail, or use the last answer */
#define HTTP_DNS_LOOKUPS 4                     /* lookups in flight (one thread each); a hung resolver holds one */
#define HTTP_DNS_STACK (256 * 1024)            /* a lookup thread's stack: getaddrinfo needs a few KiB */
#define HTTP_MAX_ADDRS 8                       /* addresses tried per host */
#define HTTP_TLS_SESSION_SLOTS 16              /* one resumable TLS session per host:port */
#define HTTP_MAX_CA_FILE_BYTES (4 * 1024 * 1024) /* Debian's bundle is ~220 KiB */
#define HTTP_MAX_CERT_BYTES (16 * 1024)        /* end-entity certificate kept for `check` */
#define HTTP_READ_CHUNK 16384                  /* bytes per recv(); one TLS record */
#define HTTP_READS_PER_STEP 64                 /* then yield to the other connections (fairness) */
#define HTTP_ERR_LEN 256                       /* readable reasons are one short line */
#define HTTP_MAX_REDIRECTS 5                   /* GitHub's release downloads take 2 hops */

/* Results.  The parser says NEED_MORE, the machine says PENDING: same value,
 * "nothing to report yet". */
enum {
	HTTP_NEED_MORE = 0,
	HTTP_PENDING = 0,
	HTTP_DONE = 1,
	HTTP_ERR_STATUS_LINE = -1,  /* not "HTTP/1.x NNN ..." */
	HTTP_ERR_HEADER = -2,       /* malformed header line */
	HTTP_ERR_HEADER_TOO_BIG = -3,
	HTTP_ERR_BODY_TOO_BIG = -4,
	HTTP_ERR_LENGTH = -5,       /* bad, negative, overflowing or conflicting Content-Length */
	HTTP_ERR_CHUNK = -6,        /* bad chunk size line or chunk framing */
	HTTP_ERR_TRUNCATED = -7,    /* peer closed before the response was complete */
	HTTP_ERR_UNSUPPORTED = -8,  /* a transfer coding or status we never asked for */
	HTTP_ERR_NOMEM = -9,
	HTTP_ERR_URL = -10,         /* bad URL or request arguments (a bug or a config error) */
	HTTP_ERR_DNS = -11,
	HTTP_ERR_CONNECT = -12,
	HTTP_ERR_TLS = -13,         /* certificate or handshake: a config problem, not a blip */
	HTTP_ERR_IO = -14,          /* reset, broken pipe */
	HTTP_ERR_TIMEOUT = -15,
	HTTP_ERR_REDIRECT = -16,    /* a redirect we do not follow: to plain HTTP, too many, no Location */
};

/* What an HTTP error code means, for logs and the admin. */
static const struct {
	int code;
	const char *text;
} http_err_texts[] = {
	{HTTP_ERR_STATUS_LINE, "garbage status line"},
	{HTTP_ERR_HEADER, "malformed header line"},
	{HTTP_ERR_HEADER_TOO_BIG, "header block over 16 KiB"},
	{HTTP_ERR_BODY_TOO_BIG, "body over the size cap"},
	{HTTP_ERR_LENGTH, "bad or conflicting Content-Length"},
	{HTTP_ERR_CHUNK, "bad chunk size or chunk framing"},
	{HTTP_ERR_TRUNCATED, "truncated: connection closed before the response was complete"},
	{HTTP_ERR_UNSUPPORTED, "unsupported transfer coding or status"},
	{HTTP_ERR_NOMEM, "out of memory"},
	{HTTP_ERR_URL, "bad URL or request"},
	{HTTP_ERR_DNS, "DNS lookup failed"},
	{HTTP_ERR_CONNECT, "connect failed"},
	{HTTP_ERR_TLS, "TLS failed"},
	{HTTP_ERR_IO, "connection error"},
	{HTTP_ERR_TIMEOUT, "timeout"},
	{HTTP_ERR_REDIRECT, "redirect refused"},
};

static const char *http_code_str(int code)
{
	for (size_t i = 0; i < sizeof http_err_texts / sizeof http_err_texts[0]; i++)
		if (http_err_texts[i].code == code)
			return http_err_texts[i].text;
	return code >= 0 ? "ok" : "error";
}

/* --- URLs -------------------------------------------------------------------- */

struct http_url {
	int tls;            /* https */
	int ipv6;           /* host is an IPv6 literal (brackets in Host:) */
	char host[256];     /* without brackets */
	char port[8];
	char path[HTTP_MAX_PATH]; /* base path, may be "" */
};

static int http_host_char(int c)
{
	return isalnum(c) || c == '-' || c == '.' || c == '_';
}

/* Parse "http[s]://host[:port][/path]" (host may be "[v6]").  No user info,
 * no fragment.  0 or HTTP_ERR_URL. */
static int http_url_parse(const char *url, struct http_url *u)
{
	memset(u, 0, sizeof *u);
	const char *s;
	if (strncasecmp(url, "https://", 8) == 0) {
		u->tls = 1;
		s = url + 8;
	} else if (strncasecmp(url, "http://", 7) == 0) {
		s = url + 7;
	} else {
		return HTTP_ERR_URL;
	}
	size_t hl = 0;
	if (*s == '[') {
		const char *end = strchr(s, ']');
		if (!end || end == s + 1 || (size_t)(end - s - 1) >= sizeof u->host)
			return HTTP_ERR_URL;
		hl = (size_t)(end - s - 1);
		memcpy(u->host, s + 1, hl);
		struct in6_addr a6;
		if (inet_pton(AF_INET6, u->host, &a6) != 1)
			return HTTP_ERR_URL;
		u->ipv6 = 1;
		s = end + 1;
	} else {
		while (http_host_char((unsigned char)s[hl]))
			hl++;
		if (hl == 0 || hl >= sizeof u->host)
			return HTTP_ERR_URL;
		memcpy(u->host, s, hl);
		s += hl;
	}
	if (*s == ':') {
		s++;
		size_t pl = 0;
		long port = 0;
		while (isdigit((unsigned char)s[pl]) && pl < 6)
			port = port * 10 + (s[pl++] - '0');
		if (pl == 0 || port < 1 || port > 65535)
			return HTTP_ERR_URL;
		snprintf(u->port, sizeof u->port, "%ld", port);
		s += pl;
	} else {
		snprintf(u->port, sizeof u->port, "%s", u->tls ? "443" : "80");
	}
	if (*s != '\0' && *s != '/' && *s != '?')
		return HTTP_ERR_URL;
	size_t rest = strcspn(s, "#");
	if (rest >= sizeof u->path)
		return HTTP_ERR_URL;
	for (size_t i = 0; i < rest; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return HTTP_ERR_URL; /* would split the request line */
	memcpy(u->path, s, rest);
	u->path[rest] = '\0';
	return 0;
}

/* --- the response parser ------------------------------------------------------ */

/* What we keep of one response.  body is owned here until a caller moves
 * it out (http_response_free releases it). */
struct http_response {
	int status;               /* 200, 404 ... */
	int minor;                /* HTTP/1.<minor> */
	int keep_alive;           /* the server lets us reuse the connection */
	int chunked;
	int64_t content_length;   /* -1 when absent */
	int retry_after;          /* seconds, -1 when absent or not a number */
	char content_type[128];   /* "" when absent; cut when longer */
	char location[HTTP_MAX_PATH]; /* "" when absent or too long (location_cut) */
	int location_cut;
	struct buf body;
};

static void http_response_free(struct http_response *r)
{
	buf_free(&r->body);
}

enum {
	HP_STATUS, HP_HEADERS, HP_BODY_LENGTH, HP_BODY_EOF,
	HP_CHUNK_SIZE, HP_CHUNK_DATA, HP_CHUNK_END, HP_TRAILERS, HP_DONE, HP_ERROR
};

/* Incremental parser for one response: bytes in, NEED_MORE / DONE / error
 * out.  No I/O: sockets, TLS and test strings all feed it the same way. */
struct http_parser {
	int state;                /* HP_* */
	int err;                  /* sticky error code once state is HP_ERROR */
	int head_request;         /* a response to HEAD has no body */
	size_t max_body;          /* cap for this request */
	size_t header_bytes;      /* status line + headers + trailers, against the cap */
	uint64_t remaining;       /* bytes left in the current body part or chunk */
	size_t line_len;
	struct http_response res;
	char line[HTTP_MAX_HEADER_BYTES + 1]; /* the line being assembled */
};

/* Get the parser ready for a new response, keeping the body's memory. */
static void http_parser_init(struct http_parser *p, size_t max_body, int head_request)
{
	struct buf body = p->res.body;
	memset(&p->res, 0, sizeof p->res);
	buf_reset(&body);
	p->res.body = body;
	p->res.content_length = -1;
	p->res.retry_after = -1;
	p->state = HP_STATUS;
	p->err = 0;
	p->head_request = head_request;
	p->max_body = max_body ? max_body : HTTP_MAX_BODY_BYTES;
	p->header_bytes = 0;
	p->remaining = 0;
	p->line_len = 0;
	p->line[0] = '\0';
}

static void http_parser_free(struct http_parser *p)
{
	http_response_free(&p->res);
}

static int http_fail(struct http_parser *p, int code)
{
	p->state = HP_ERROR;
	p->err = code;
	return code;
}

/* Collect bytes up to '\n' into p->line (without CR LF).  Returns 1 when a
 * line is complete, 0 when data ran out, or an error.  The header cap covers
 * header lines; chunk size lines have their own small cap. */
static int http_take_line(struct http_parser *p, const char *data, size_t len, size_t *i)
{
	int in_header = p->state == HP_STATUS || p->state == HP_HEADERS || p->state == HP_TRAILERS;
	size_t cap = in_header ? HTTP_MAX_HEADER_BYTES : HTTP_MAX_CHUNK_LINE;
	const char *start = data + *i;
	const char *nl = memchr(start, '\n', len - *i);
	size_t n = nl ? (size_t)(nl - start) + 1 : len - *i;
	if (in_header) {
		p->header_bytes += n;
		if (p->header_bytes > HTTP_MAX_HEADER_BYTES)
			return http_fail(p, HTTP_ERR_HEADER_TOO_BIG);
	}
	if (p->line_len + n > cap)
		return http_fail(p, in_header ? HTTP_ERR_HEADER_TOO_BIG : HTTP_ERR_CHUNK);
	memcpy(p->line + p->line_len, start, n);
	p->line_len += n;
	*i += n;
	if (!nl)
		return 0;
	p->line_len--; /* the '\n' */
	if (p->line_len && p->line[p->line_len - 1] == '\r')
		p->line_len--;
	p->line[p->line_len] = '\0';
	/* A NUL or a lone CR inside a line is how responses get split. */
	if (memchr(p->line, '\0', p->line_len) || memchr(p->line, '\r', p->line_len))
		return http_fail(p, in_header ? (p->state == HP_STATUS ? HTTP_ERR_STATUS_LINE : HTTP_ERR_HEADER)
					      : HTTP_ERR_CHUNK);
	return 1;
}

/* "HTTP/1.x NNN reason" */
static int http_status_line(struct http_parser *p)
{
	const char *s = p->line;
	if (strncmp(s, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)s[7]) || s[8] != ' ')
		return http_fail(p, HTTP_ERR_STATUS_LINE);
	for (int k = 9; k < 12; k++)
		if (!isdigit((unsigned char)s[k]))
			return http_fail(p, HTTP_ERR_STATUS_LINE);
	if (s[12] != '\0' && s[12] != ' ')
		return http_fail(p, HTTP_ERR_STATUS_LINE);
	int status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (status < 100 || status > 599)
		return http_fail(p, HTTP_ERR_STATUS_LINE);
	p->res.status = status;
	p->res.minor = s[7] - '0';
	p->res.keep_alive = p->res.minor >= 1; /* HTTP/1.0 closes unless told otherwise */
	p->state = HP_HEADERS;
	return 0;
}

/* Parse a decimal Content-Length; values past 2^53 are as good as hostile. */
static int http_parse_length(const char *v, int64_t *out)
{
	int64_t n = 0;
	if (!*v)
		return -1;
	for (; *v; v++) {
		if (!isdigit((unsigned char)*v) || n > ((int64_t)1 << 53) / 10)
			return -1;
		n = n * 10 + (*v - '0');
	}
	*out = n;
	return 0;
}

/* Is token t (case-insensitive) one of the comma-separated items of v? */
static int http_has_token(const char *v, const char *t)
{
	size_t tl = strlen(t);
	while (*v) {
		while (*v == ' ' || *v == '\t' || *v == ',')
			v++;
		size_t n = strcspn(v, ",");
		size_t m = n;
		while (m && (v[m - 1] == ' ' || v[m - 1] == '\t'))
			m--;
		if (m == tl && strncasecmp(v, t, tl) == 0)
			return 1;
		v += n;
	}
	return 0;
}

static int http_token_char(int c)
{
	return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* One "Name: value" line.  Only the headers we act on are kept. */
static int http_header_line(struct http_parser *p)
{
	char *s = p->line;
	if (*s == ' ' || *s == '\t')
		return http_fail(p, HTTP_ERR_HEADER); /* obsolete line folding */
	size_t nl = 0;
	while (http_token_char((unsigned char)s[nl]))
		nl++;
	if (nl == 0 || s[nl] != ':')
		return http_fail(p, HTTP_ERR_HEADER);
	s[nl] = '\0';
	char *v = s + nl + 1;
	while (*v == ' ' || *v == '\t')
		v++;
	size_t vl = strlen(v);
	while (vl && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
		v[--vl] = '\0';
	struct http_response *r = &p->res;
	if (strcasecmp(s, "Content-Length") == 0) {
		int64_t n;
		if (http_parse_length(v, &n) < 0)
			return http_fail(p, HTTP_ERR_LENGTH);
		if (r->content_length >= 0 && r->content_length != n)
			return http_fail(p, HTTP_ERR_LENGTH);
		r->content_length = n;
	} else if (strcasecmp(s, "Transfer-Encoding") == 0) {
		/* We never send TE or Accept-Encoding, so "chunked" is the only
		 * coding a sane server may use. */
		if (strcasecmp(v, "chunked") != 0 || r->chunked)
			return http_fail(p, HTTP_ERR_UNSUPPORTED);
		r->chunked = 1;
	} else if (strcasecmp(s, "Connection") == 0) {
		if (http_has_token(v, "close"))
			r->keep_alive = 0;
		else if (http_has_token(v, "keep-alive"))
			r->keep_alive = 1;
	} else if (strcasecmp(s, "Content-Type") == 0) {
		snprintf(r->content_type, sizeof r->content_type, "%s", v);
	} else if (strcasecmp(s, "Location") == 0) {
		/* Never cut: half a URL would send us somewhere else. */
		r->location_cut = vl >= sizeof r->location;
		snprintf(r->location, sizeof r->location, "%s", r->location_cut ? "" : v);
	} else if (strcasecmp(s, "Retry-After") == 0) {
		int64_t n;
		r->retry_after = http_parse_length(v, &n) == 0 && n <= INT_MAX ? (int)n : -1;
	}
	return 0;
}

/* The empty line after the headers: decide how the body is framed. */
static int http_headers_done(struct http_parser *p)
{
	struct http_response *r = &p->res;
	if (r->status < 200) {
		if (r->status == 101)
			return http_fail(p, HTTP_ERR_UNSUPPORTED); /* we never ask to switch */
		/* 100 Continue and friends: the real response follows.  Their
		 * bytes still count against the header cap. */
		r->content_length = -1;
		r->chunked = 0;
		r->content_type[0] = '\0';
		r->location[0] = '\0';
		r->location_cut = 0;
		r->retry_after = -1;
		p->state = HP_STATUS;
		return 0;
	}
	if (r->chunked && r->content_length >= 0)
		return http_fail(p, HTTP_ERR_LENGTH); /* both framings: a smuggling sign */
	if (p->head_request || r->status == 204 || r->status == 304) {
		p->state = HP_DONE;
		return HTTP_DONE;
	}
	if (r->chunked) {
		p->state = HP_CHUNK_SIZE;
		return 0;
	}
	if (r->content_length >= 0) {
		if ((uint64_t)r->content_length > p->max_body)
			return http_fail(p, HTTP_ERR_BODY_TOO_BIG);
		if (buf_reserve(&r->body, (size_t)r->content_length) < 0)
			return http_fail(p, HTTP_ERR_NOMEM);
		p->remaining = (uint64_t)r->content_length;
		p->state = p->remaining ? HP_BODY_LENGTH : HP_DONE;
		return p->remaining ? 0 : HTTP_DONE;
	}
	r->keep_alive = 0; /* the body ends when the server closes */
	p->state = HP_BODY_EOF;
	return 0;
}

/* "1a2b[;ext...]" */
static int http_chunk_size(struct http_parser *p)
{
	const char *s = p->line;
	uint64_t n = 0;
	size_t k = 0;
	for (; isxdigit((unsigned char)s[k]); k++) {
		if (n > (UINT64_C(1) << 52))
			return http_fail(p, HTTP_ERR_CHUNK); /* overflow */
		int c = tolower((unsigned char)s[k]);
		n = n * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	if (k == 0)
		return http_fail(p, HTTP_ERR_CHUNK);
	while (s[k] == ' ' || s[k] == '\t')
		k++;
	if (s[k] != '\0' && s[k] != ';')
		return http_fail(p, HTTP_ERR_CHUNK);
	if (n == 0) {
		p->state = HP_TRAILERS;
		return 0;
	}
	if (n > p->max_body - p->res.body.len)
		return http_fail(p, HTTP_ERR_BODY_TOO_BIG);
	p->remaining = n;
	p->state = HP_CHUNK_DATA;
	return 0;
}

/* Copy body bytes; returns the number taken. */
static int http_take_body(struct http_parser *p, const char *data, size_t len, size_t *i)
{
	size_t n = len - *i;
	if (p->state != HP_BODY_EOF && n > p->remaining)
		n = (size_t)p->remaining;
	if (p->state == HP_BODY_EOF && n > p->max_body - p->res.body.len)
		return http_fail(p, HTTP_ERR_BODY_TOO_BIG);
	if (buf_append(&p->res.body, data + *i, n) < 0)
		return http_fail(p, HTTP_ERR_NOMEM);
	*i += n;
	if (p->state != HP_BODY_EOF)
		p->remaining -= n;
	return 0;
}

/* Feed bytes.  *consumed says how many were used: on HTTP_DONE the rest
 * belongs to whatever follows (for us: a misbehaving server). */
static int http_parse_feed(struct http_parser *p, const char *data, size_t len, size_t *consumed)
{
	size_t i = 0;
	int rc = 0;
	while (rc == 0 && p->state != HP_DONE && p->state != HP_ERROR && i < len) {
		switch (p->state) {
		case HP_STATUS:
		case HP_HEADERS:
		case HP_TRAILERS:
		case HP_CHUNK_SIZE:
			rc = http_take_line(p, data, len, &i);
			if (rc <= 0)
				break;
			p->line_len = 0;
			if (p->state == HP_STATUS)
				rc = http_status_line(p);
			else if (p->state == HP_CHUNK_SIZE)
				rc = http_chunk_size(p);
			else if (p->line[0] == '\0')
				rc = p->state == HP_HEADERS ? http_headers_done(p) : (p->state = HP_DONE, HTTP_DONE);
			else
				rc = p->state == HP_HEADERS ? http_header_line(p) : 0; /* trailers are ignored */
			break;
		case HP_BODY_LENGTH:
			rc = http_take_body(p, data, len, &i);
			if (rc == 0 && p->remaining == 0) {
				p->state = HP_DONE;
				rc = HTTP_DONE;
			}
			break;
		case HP_CHUNK_DATA:
			rc = http_take_body(p, data, len, &i);
			if (rc == 0 && p->remaining == 0)
				p->state = HP_CHUNK_END;
			break;
		case HP_CHUNK_END:
			/* CR LF after the chunk data (a bare LF is tolerated). */
			if (data[i] == '\r' && p->remaining == 0) {
				p->remaining = 1; /* saw the CR */
				i++;
			} else if (data[i] == '\n') {
				p->remaining = 0;
				p->state = HP_CHUNK_SIZE;
				i++;
			} else {
				rc = http_fail(p, HTTP_ERR_CHUNK);
			}
			break;
		case HP_BODY_EOF:
			rc = http_take_body(p, data, len, &i);
			break;
		}
	}
	if (consumed)
		*consumed = i;
	if (p->state == HP_ERROR)
		return p->err;
	return p->state == HP_DONE ? HTTP_DONE : HTTP_NEED_MORE;
}

/* The peer closed the connection: done for a body read to EOF, an error
 * anywhere else. */
static int http_parse_eof(struct http_parser *p)
{
	if (p->state == HP_BODY_EOF)
		p->state = HP_DONE;
	else if (p->state != HP_DONE && p->state != HP_ERROR)
		http_fail(p, HTTP_ERR_TRUNCATED);
	return p->state == HP_DONE ? HTTP_DONE : p->err;
}

/* Readable reason for a parser error, e.g. "header block over 16 KiB". */
static const char *http_parse_errstr(const struct http_parser *p)
{
	return http_code_str(p->state == HP_ERROR ? p->err : 0);
}

/* --- trust anchors ------------------------------------------------------------ */

/* Where distributions keep their CA bundle, most common first. */
static const char *const http_ca_paths[] = {
	"/etc/ssl/certs/ca-certificates.crt", /* Debian, Ubuntu, Alpine */
	"/etc/pki/tls/certs/ca-bundle.crt",   /* RHEL, Fedora, CentOS */
	"/etc/ssl/ca-bundle.pem",             /* openSUSE */
	"/etc/ssl/cert.pem",                  /* Arch, Alpine, macOS-like */
};

/* A remembered DNS answer for one host:port. */
struct http_dns_entry {
	char host[256], port[8];
	int64_t expires_ms;                   /* mono_ms() after which we resolve again */
	int naddrs;
	struct sockaddr_storage addrs[HTTP_MAX_ADDRS];
	socklen_t lens[HTTP_MAX_ADDRS];
};

/* A getaddrinfo on a thread of its own, so a slow resolver never stalls the
 * poll loop.  Shared by every connection waiting for the same host:port.
 * References: the thread's, the client's slot's, one per waiting
 * connection; the last to let go frees it. */
struct http_lookup {
	pthread_mutex_t mu;                   /* guards refs, done, and the answer */
	int refs, done, gai_err, naddrs;
	int rfd, wfd;                         /* the thread closes wfd when done: rfd then polls readable */
	char host[256], port[8];
	struct sockaddr_storage addrs[HTTP_MAX_ADDRS];
	socklen_t lens[HTTP_MAX_ADDRS];
};

/* The last TLS session with one host:port, for an abbreviated handshake.
 * Holds a master secret: lives only in memory, wiped on free. */
struct http_tls_session {
	char host[256], port[8];
	int valid;
	br_ssl_session_parameters params;
};

/* Shared by every connection of the process: trust anchors (read-only after
 * http_client_init), the DNS cache and the TLS session cache.  Owned by
 * whoever called http_client_init (the worker or a CLI command). */
struct http_client {
	br_x509_trust_anchor *tas;
	size_t ntas;
	char ca_path[PATH_MAX_LEN];           /* where the anchors came from, "" if none */
	char err[HTTP_ERR_LEN];               /* why loading anchors failed */
	int64_t dns_ttl_ms;
	struct http_dns_entry dns[HTTP_DNS_SLOTS];
	struct http_lookup *lookups[HTTP_DNS_LOOKUPS]; /* in flight; finished ones are collected into dns */
	struct http_tls_session sessions[HTTP_TLS_SESSION_SLOTS];
	unsigned long connects;               /* TCP connections opened: for tests and metrics */
};

static void http_dn_append(void *ctx, const void *data, size_t len)
{
	buf_append(ctx, data, len); /* an allocation failure shows up as a short DN: anchor unusable, not unsafe */
}

static void *http_memdup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);
	if (q && n)
		memcpy(q, p, n);
	return q;
}

static void http_ta_free(br_x509_trust_anchor *ta)
{
	free(ta->dn.data);
	if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
		free(ta->pkey.key.rsa.n);
		free(ta->pkey.key.rsa.e);
	} else {
		free(ta->pkey.key.ec.q);
	}
}

/* Turn one DER certificate into a trust anchor appended to hc.  Returns 0,
 * 1 when the certificate is unusable (skipped), -1 on out of memory. */
static int http_add_anchor(struct http_client *hc, const unsigned char *der, size_t len)
{
	br_x509_decoder_context dc;
	struct buf dn = BUF_INIT;
	br_x509_decoder_init(&dc, http_dn_append, &dn);
	br_x509_decoder_push(&dc, der, len);
	const br_x509_pkey *pk = br_x509_decoder_get_pkey(&dc);
	if (!pk || !dn.p) {
		buf_free(&dn);
		return 1;
	}
	br_x509_trust_anchor *tas = realloc(hc->tas, (hc->ntas + 1) * sizeof *tas);
	if (!tas) {
		buf_free(&dn);
		return -1;
	}
	hc->tas = tas;
	br_x509_trust_anchor *ta = &tas[hc->ntas];
	memset(ta, 0, sizeof *ta);
	ta->dn.data = (unsigned char *)dn.p; /* ownership moves to the anchor */
	ta->dn.len = dn.len;
	ta->flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
	ta->pkey.key_type = pk->key_type;
	int ok;
	if (pk->key_type == BR_KEYTYPE_RSA) {
		ta->pkey.key.rsa.n = http_memdup(pk->key.rsa.n, pk->key.rsa.nlen);
		ta->pkey.key.rsa.nlen = pk->key.rsa.nlen;
		ta->pkey.key.rsa.e = http_memdup(pk->key.rsa.e, pk->key.rsa.elen);
		ta->pkey.key.rsa.elen = pk->key.rsa.elen;
		ok = ta->pkey.key.rsa.n && ta->pkey.key.rsa.e;
	} else {
		ta->pkey.key.ec.curve = pk->key.ec.curve;
		ta->pkey.key.ec.q = http_memdup(pk->key.ec.q, pk->key.ec.qlen);
		ta->pkey.key.ec.qlen = pk->key.ec.qlen;
		ok = ta->pkey.key.ec.q != NULL;
	}
	if (!ok) {
		http_ta_free(ta);
		return -1;
	}
	hc->ntas++;
	return 0;
}

/* Decode every CERTIFICATE in a PEM file into trust anchors.  Returns the
 * number added, or -1 with hc->err set. */
static int http_load_pem(struct http_client *hc, const char *path)
{
	struct buf file = BUF_INIT, der = BUF_INIT;
	if (read_file(path, &file, HTTP_MAX_CA_FILE_BYTES) < 0) {
		snprintf(hc->err, sizeof hc->err, "CA file %s: %s", path, strerror(errno));
		return -1;
	}
	br_pem_decoder_context pc;
	br_pem_decoder_init(&pc);
	size_t off = 0;
	int added = 0, in_cert = 0, rc = 0;
	/* A final newline makes the decoder see the last END line. */
	if (buf_putc(&file, '\n') < 0)
		rc = -1;
	while (rc == 0 && off < file.len) {
		off += br_pem_decoder_push(&pc, file.p + off, file.len - off);
		switch (br_pem_decoder_event(&pc)) {
		case BR_PEM_BEGIN_OBJ:
			in_cert = strcmp(br_pem_decoder_name(&pc), "CERTIFICATE") == 0 ||
				  strcmp(br_pem_decoder_name(&pc), "X509 CERTIFICATE") == 0;
			buf_reset(&der);
			br_pem_decoder_setdest(&pc, in_cert ? http_dn_append : NULL, &der);
			break;
		case BR_PEM_END_OBJ:
			if (in_cert) {
				int r = http_add_anchor(hc, (unsigned char *)der.p, der.len);
				if (r < 0)
					rc = -1;
				added += r == 0;
			}
			in_cert = 0;
			break;
		case BR_PEM_ERROR:
			snprintf(hc->err, sizeof hc->err, "CA file %s: not valid PEM near byte %zu", path, off);
			rc = -2;
			break;
		}
	}
	buf_free(&file);
	buf_free(&der);
	if (rc == -1)
		snprintf(hc->err, sizeof hc->err, "CA file %s: out of memory", path);
	if (rc == 0 && added == 0)
		snprintf(hc->err, sizeof hc->err, "CA file %s: no usable certificates", path);
	return rc < 0 || added == 0 ? -1 : added;
}

/* Set up the shared client: load the trust anchors from ca_file, or, when it
 * is NULL or "", from the first system bundle that exists.  Returns 0, or -1
 * with hc->err set (plain http:// still works; https:// will then fail with
 * that reason). */
static int http_client_init(struct http_client *hc, const char *ca_file)
{
	memset(hc, 0, sizeof *hc);
	hc->dns_ttl_ms = HTTP_DNS_TTL_MS;
	const char *path = ca_file && *ca_file ? ca_file : NULL;
	for (size_t i = 0; !path && i < sizeof http_ca_paths / sizeof http_ca_paths[0]; i++)
		if (access(http_ca_paths[i], R_OK) == 0)
			path = http_ca_paths[i];
	if (!path) {
		snprintf(hc->err, sizeof hc->err, "no CA bundle at the usual paths; set ca_file");
		return -1;
	}
	if (http_load_pem(hc, path) < 0)
		return -1;
	snprintf(hc->ca_path, sizeof hc->ca_path, "%s", path);
	return 0;
}

/* --- DNS cache ---------------------------------------------------------------- */

static struct http_dns_entry *http_dns_find(struct http_client *hc, const char *host, const char *port)
{
	for (int i = 0; i < HTTP_DNS_SLOTS; i++)
		if (hc->dns[i].naddrs && strcmp(hc->dns[i].host, host) == 0 && strcmp(hc->dns[i].port, port) == 0)
			return &hc->dns[i];
	return NULL;
}

/* Forget a host's addresses (after a connect failure the next attempt asks
 * the resolver again). */
static void http_dns_forget(struct http_client *hc, const char *host, const char *port)
{
	struct http_dns_entry *e = http_dns_find(hc, host, port);
	if (e)
		e->naddrs = 0;
}

/* Remember an answer for host:port (a slot of its own, else the one that
 * expires first). */
static void http_dns_store(struct http_client *hc, const struct http_lookup *l, int64_t now)
{
	struct http_dns_entry *e = http_dns_find(hc, l->host, l->port);
	if (!e) {
		e = &hc->dns[0];
		for (int i = 0; i < HTTP_DNS_SLOTS; i++) {
			if (!hc->dns[i].naddrs) {
				e = &hc->dns[i];
				break;
			}
			if (hc->dns[i].expires_ms < e->expires_ms)
				e = &hc->dns[i];
		}
	}
	memset(e, 0, sizeof *e);
	snprintf(e->host, sizeof e->host, "%s", l->host);
	snprintf(e->port, sizeof e->port, "%s", l->port);
	e->naddrs = l->naddrs;
	memcpy(e->addrs, l->addrs, sizeof e->addrs);
	memcpy(e->lens, l->lens, sizeof e->lens);
	e->expires_ms = now + hc->dns_ttl_ms;
}

static void http_lookup_unref(struct http_lookup *l)
{
	pthread_mutex_lock(&l->mu);
	int last = --l->refs == 0;
	pthread_mutex_unlock(&l->mu);
	if (!last)
		return;
	if (l->rfd >= 0)
		close(l->rfd);
	if (l->wfd >= 0)
		close(l->wfd);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

static int http_lookup_done(struct http_lookup *l)
{
	pthread_mutex_lock(&l->mu);
	int done = l->done;
	pthread_mutex_unlock(&l->mu);
	return done;
}

/* The lookup thread: one getaddrinfo, then wake every waiter and let go. */
static void *http_lookup_run(void *arg)
{
	struct http_lookup *l = arg;
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	int err = getaddrinfo(l->host, l->port, &hints, &res);
	pthread_mutex_lock(&l->mu);
	l->gai_err = err;
	for (struct addrinfo *a = err ? NULL : res; a && l->naddrs < HTTP_MAX_ADDRS; a = a->ai_next) {
		if (a->ai_addrlen > sizeof l->addrs[0])
			continue;
		memcpy(&l->addrs[l->naddrs], a->ai_addr, a->ai_addrlen);
		l->lens[l->naddrs++] = a->ai_addrlen;
	}
	if (!err && !l->naddrs)
		l->gai_err = EAI_NONAME;
	l->done = 1;
	close(l->wfd);
	l->wfd = -1;
	pthread_mutex_unlock(&l->mu);
	if (res)
		freeaddrinfo(res);
	http_lookup_unref(l);
	return NULL;
}

/* Finished lookups go into the cache and free their slots.  A failed one
 * keeps a previous answer alive a little longer: a resolver hiccup. */
static void http_lookup_collect(struct http_client *hc)
{
	int64_t now = mono_ms();
	for (int i = 0; i < HTTP_DNS_LOOKUPS; i++) {
		struct http_lookup *l = hc->lookups[i];
		if (!l || !http_lookup_done(l))
			continue;
		if (!l->gai_err) {
			http_dns_store(hc, l, now);
		} else {
			struct http_dns_entry *e = http_dns_find(hc, l->host, l->port);
			if (e) {
				log_warn("http", "DNS for %s failed (%s); using the previous answer", l->host, gai_strerror(l->gai_err));
				e->expires_ms = now + hc->dns_ttl_ms / 5;
			}
		}
		hc->lookups[i] = NULL;
		http_lookup_unref(l);
	}
}

/* A lookup for host:port: the one in flight, or a new thread.  The caller
 * holds a reference.  NULL when every slot is taken (hung resolvers) or out
 * of memory or threads, with the reason in *why. */
static struct http_lookup *http_lookup_start(struct http_client *hc, const char *host, const char *port,
                                             const char **why)
{
	int slot = -1;
	for (int i = 0; i < HTTP_DNS_LOOKUPS; i++) {
		struct http_lookup *l = hc->lookups[i];
		if (!l) {
			slot = slot < 0 ? i : slot;
		} else if (strcmp(l->host, host) == 0 && strcmp(l->port, port) == 0) {
			pthread_mutex_lock(&l->mu);
			l->refs++;
			pthread_mutex_unlock(&l->mu);
			return l;
		}
	}
	*why = "too many lookups in flight (the resolver does not answer)";
	if (slot < 0)
		return NULL;
	struct http_lookup *l = calloc(1, sizeof *l);
	int p[2] = {-1, -1};
	*why = "out of memory";
	if (!l || pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(l);
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	l->rfd = p[0];
	l->wfd = p[1];
	l->refs = 3; /* the thread, the slot, the caller */
	snprintf(l->host, sizeof l->host, "%s", host);
	snprintf(l->port, sizeof l->port, "%s", port);
	pthread_attr_t at;
	pthread_t th;
	pthread_attr_init(&at);
	pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&at, HTTP_DNS_STACK);
	int rc = pthread_create(&th, &at, http_lookup_run, l);
	pthread_attr_destroy(&at);
	if (rc != 0) {
		*why = "cannot start a resolver thread";
		l->refs = 1;
		http_lookup_unref(l);
		return NULL;
	}
	hc->lookups[slot] = l;
	return l;
}

static void http_client_free(struct http_client *hc)
{
	for (size_t i = 0; i < hc->ntas; i++)
		http_ta_free(&hc->tas[i]);
	free(hc->tas);
	hc->tas = NULL;
	hc->ntas = 0;
	explicit_bzero(hc->sessions, sizeof hc->sessions);
	for (int i = 0; i < HTTP_DNS_LOOKUPS; i++) { /* a thread still running frees its own */
		if (hc->lookups[i])
			http_lookup_unref(hc->lookups[i]);
		hc->lookups[i] = NULL;
	}
}

/* --- TLS session cache ---------------------------------------------------------- */

static struct http_tls_session *http_session_slot(struct http_client *hc, const char *host, const char *port, int create)
{
	struct http_tls_session *free_slot = NULL;
	for (int i = 0; i < HTTP_TLS_SESSION_SLOTS; i++) {
		struct http_tls_session *s = &hc->sessions[i];
		if (s->valid && strcmp(s->host, host) == 0 && strcmp(s->port, port) == 0)
			return s;
		if (!s->valid && !free_slot)
			free_slot = s;
	}
	if (!create)
		return NULL;
	if (!free_slot)
		free_slot = &hc->sessions[(unsigned)(mono_ms() % HTTP_TLS_SESSION_SLOTS)];
	explicit_bzero(free_slot, sizeof *free_slot);
	snprintf(free_slot->host, sizeof free_slot->host, "%s", host);
	snprintf(free_slot->port, sizeof free_slot->port, "%s", port);
	return free_slot;
}

/* --- a small DER walker, for what `examflow check` shows --------------------------- */

/* Read one TLV at *p (single-byte tags, definite lengths).  0, or -1 when
 * the encoding is bad or runs past end. */
static int der_next(const unsigned char **p, const unsigned char *end, int *tag,
		    const unsigned char **val, size_t *len)
{
	const unsigned char *s = *p;
	if (end - s < 2 || (s[0] & 0x1f) == 0x1f)
		return -1;
	*tag = s[0];
	size_t n = s[1];
	s += 2;
	if (n & 0x80) {
		int k = (int)(n & 0x7f);
		if (k == 0 || k > 4 || end - s < k)
			return -1;
		n = 0;
		while (k--)
			n = (n << 8) | *s++;
	}
	if ((size_t)(end - s) < n)
		return -1;
	*val = s;
	*len = n;
	*p = s + n;
	return 0;
}

/* Enter the SEQUENCE at *p: on success [*p, *end) is its content. */
static int der_enter(const unsigned char **p, const unsigned char **end, int want_tag)
{
	int tag;
	const unsigned char *v;
	size_t n;
	if (der_next(p, *end, &tag, &v, &n) < 0 || tag != want_tag)
		return -1;
	*p = v;
	*end = v + n;
	return 0;
}

/* What we read from the server's certificate. */
struct http_cert_info {
	char subject_cn[128];
	char not_after[32];                   /* "2027-03-01 12:00:00 UTC" */
	const unsigned char *san;             /* SubjectAltName GeneralNames content, or NULL */
	size_t san_len;
};

static void der_time(const unsigned char *v, size_t n, int tag, char *out, size_t outlen)
{
	char y[5];
	if (tag == 0x17 && n >= 12) { /* UTCTime YYMMDDHHMMSSZ: 50..99 are 19xx */
		snprintf(y, sizeof y, "%s%.2s", v[0] >= '5' ? "19" : "20", (const char *)v);
		v += 2;
	} else if (tag == 0x18 && n >= 14) {
		snprintf(y, sizeof y, "%.4s", (const char *)v);
		v += 4;
	} else {
		snprintf(out, outlen, "?");
		return;
	}
	snprintf(out, outlen, "%s-%.2s-%.2s %.2s:%.2s:%.2s UTC", y, (const char *)v, (const char *)v + 2,
		 (const char *)v + 4, (const char *)v + 6, (const char *)v + 8);
	for (char *c = out; *c; c++)
		if (!isprint((unsigned char)*c))
			*c = '?';
}

/* The CN of a Name (the last one, as browsers show). */
static void der_name_cn(const unsigned char *p, const unsigned char *end, char *out, size_t outlen)
{
	static const unsigned char oid_cn[] = {0x55, 0x04, 0x03};
	while (p < end) {
		const unsigned char *set_end = end, *atv_end;
		if (der_enter(&p, &set_end, 0x31) < 0)
			return;
		const unsigned char *q = p;
		p = set_end;
		while (q < set_end) {
			atv_end = set_end;
			if (der_enter(&q, &atv_end, 0x30) < 0)
				return;
			int tag;
			const unsigned char *v;
			size_t n;
			const unsigned char *r = q;
			q = atv_end;
			if (der_next(&r, atv_end, &tag, &v, &n) < 0 || tag != 0x06)
				return;
			if (n == sizeof oid_cn && memcmp(v, oid_cn, n) == 0 &&
			    der_next(&r, atv_end, &tag, &v, &n) == 0) {
				snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), (const char *)v);
				for (char *c = out; *c; c++)
					if ((unsigned char)*c < 32 || *c == 127)
						*c = '?';
			}
		}
	}
}

/* Walk a DER certificate for the subject CN, notAfter and the SAN
 * extension.  0, or -1 when the certificate does not parse. */
static int http_cert_parse(const unsigned char *der, size_t len, struct http_cert_info *ci)
{
	static const unsigned char oid_san[] = {0x55, 0x1d, 0x11};
	memset(ci, 0, sizeof *ci);
	const unsigned char *p = der, *end = der + len, *v;
	int tag;
	size_t n;
	if (der_enter(&p, &end, 0x30) < 0 || der_enter(&p, &end, 0x30) < 0) /* Certificate, TBS */
		return -1;
	if (p < end && *p == 0xa0 && der_next(&p, end, &tag, &v, &n) < 0) /* [0] version */
		return -1;
	for (int k = 0; k < 2; k++) /* serial, signature algorithm */
		if (der_next(&p, end, &tag, &v, &n) < 0)
			return -1;
	if (der_next(&p, end, &tag, &v, &n) < 0 || tag != 0x30) /* issuer */
		return -1;
	const unsigned char *vp = p, *vend = end;
	if (der_enter(&vp, &vend, 0x30) < 0 || der_next(&vp, vend, &tag, &v, &n) < 0 || /* notBefore */
	    der_next(&vp, vend, &tag, &v, &n) < 0)
		return -1;
	der_time(v, n, tag, ci->not_after, sizeof ci->not_after);
	if (der_next(&p, end, &tag, &v, &n) < 0) /* validity */
		return -1;
	if (der_next(&p, end, &tag, &v, &n) < 0 || tag != 0x30) /* subject */
		return -1;
	der_name_cn(v, v + n, ci->subject_cn, sizeof ci->subject_cn);
	while (p < end) { /* spki, optional unique ids, [3] extensions */
		if (der_next(&p, end, &tag, &v, &n) < 0)
			return -1;
		if (tag != 0xa3)
			continue;
		const unsigned char *e = v, *eend = v + n;
		if (der_enter(&e, &eend, 0x30) < 0)
			return -1;
		while (e < eend) {
			const unsigned char *x = e, *xend = eend;
			if (der_enter(&x, &xend, 0x30) < 0)
				return -1;
			e = xend;
			if (der_next(&x, xend, &tag, &v, &n) < 0 || tag != 0x06)
				return -1;
			if (n != sizeof oid_san || memcmp(v, oid_san, n) != 0)
				continue;
			if (x < xend && *x == 0x01 && der_next(&x, xend, &tag, &v, &n) < 0) /* critical */
				return -1;
			if (der_next(&x, xend, &tag, &v, &n) < 0 || tag != 0x04)
				return -1;
			const unsigned char *g = v, *gend = v + n;
			if (der_enter(&g, &gend, 0x30) < 0)
				return -1;
			ci->san = g;
			ci->san_len = (size_t)(gend - g);
		}
	}
	return 0;
}

/* Does the SAN list an iPAddress equal to ip? */
static int http_san_has_ip(const struct http_cert_info *ci, const unsigned char *ip, size_t iplen)
{
	if (!ci->san) /* a certificate without SANs: no pointer arithmetic on NULL */
		return 0;
	const unsigned char *p = ci->san, *end = ci->san + ci->san_len, *v;
	int tag;
	size_t n;
	while (p < end && der_next(&p, end, &tag, &v, &n) == 0)
		if (tag == 0x87 && n == iplen && memcmp(v, ip, n) == 0)
			return 1;
	return 0;
}

/* --- the X.509 engine wrapper -------------------------------------------------- */

/* Wraps BearSSL's minimal validator to keep the end-entity certificate (for
 * `check`) and to check an IP-literal host against the certificate's IP
 * addresses, which BearSSL 0.6 does not do (it matches dNSName only).  For
 * a named host BearSSL's own name check stays in charge. */
struct http_x509 {
	const br_x509_class *vtable;          /* first: BearSSL hands us &vtable */
	br_x509_minimal_context inner;
	int cert_no;                          /* index of the certificate being received */
	size_t ee_len;
	int ee_overflow;
	unsigned char ip[16];                 /* the IP-literal host, ip_len 0 for names */
	size_t ip_len;
	unsigned char ee[HTTP_MAX_CERT_BYTES];
};

#define HTTP_X509(ctx) ((struct http_x509 *)(void *)(ctx))
#define HTTP_INNER(ctx) (&HTTP_X509(ctx)->inner.vtable)

static void http_x509_start_chain(const br_x509_class **ctx, const char *server_name)
{
	struct http_x509 *x = HTTP_X509(ctx);
	x->cert_no = -1;
	x->ee_len = 0;
	x->ee_overflow = 0;
	x->inner.vtable->start_chain(HTTP_INNER(ctx), server_name);
}

static void http_x509_start_cert(const br_x509_class **ctx, uint32_t length)
{
	HTTP_X509(ctx)->cert_no++;
	HTTP_X509(ctx)->inner.vtable->start_cert(HTTP_INNER(ctx), length);
}

static void http_x509_append(const br_x509_class **ctx, const unsigned char *data, size_t len)
{
	struct http_x509 *x = HTTP_X509(ctx);
	if (x->cert_no == 0) {
		if (len > sizeof x->ee - x->ee_len) {
			x->ee_overflow = 1;
		} else {
			memcpy(x->ee + x->ee_len, data, len);
			x->ee_len += len;
		}
	}
	x->inner.vtable->append(HTTP_INNER(ctx), data, len);
}

static void http_x509_end_cert(const br_x509_class **ctx)
{
	HTTP_X509(ctx)->inner.vtable->end_cert(HTTP_INNER(ctx));
}

static unsigned http_x509_end_chain(const br_x509_class **ctx)
{
	struct http_x509 *x = HTTP_X509(ctx);
	unsigned r = x->inner.vtable->end_chain(HTTP_INNER(ctx));
	if (r == 0 && x->ip_len) {
		struct http_cert_info ci;
		if (x->ee_overflow || http_cert_parse(x->ee, x->ee_len, &ci) < 0 ||
		    !http_san_has_ip(&ci, x->ip, x->ip_len))
			r = BR_ERR_X509_BAD_SERVER_NAME;
	}
	return r;
}

static const br_x509_pkey *http_x509_get_pkey(const br_x509_class *const *ctx, unsigned *usages)
{
	const struct http_x509 *x = (const void *)ctx;
	return x->inner.vtable->get_pkey(&x->inner.vtable, usages);
}

static const br_x509_class http_x509_vtable = {
	sizeof(struct http_x509),
	http_x509_start_chain, http_x509_start_cert, http_x509_append,
	http_x509_end_cert, http_x509_end_chain, http_x509_get_pkey,
};

#undef HTTP_X509
#undef HTTP_INNER

/* BearSSL error codes in words an admin can act on. */
static const struct {
	int code;
	const char *text;
} tls_err_texts[] = {
	{BR_ERR_X509_EXPIRED, "certificate expired or not yet valid"},
	{BR_ERR_X509_BAD_SERVER_NAME, "certificate is for another host"},
	{BR_ERR_X509_NOT_TRUSTED, "unknown certificate authority"},
	{BR_ERR_X509_TIME_UNKNOWN, "system clock unknown, cannot check certificate dates"},
	{BR_ERR_X509_BAD_SIGNATURE, "certificate signature is invalid"},
	{BR_ERR_X509_NOT_CA, "an intermediate certificate is not a CA"},
	{BR_ERR_X509_FORBIDDEN_KEY_USAGE, "certificate may not be used for TLS servers"},
	{BR_ERR_X509_WEAK_PUBLIC_KEY, "certificate key is too weak"},
	{BR_ERR_X509_CRITICAL_EXTENSION, "certificate has an unsupported critical extension"},
	{BR_ERR_X509_DN_MISMATCH, "certificate chain is out of order"},
	{BR_ERR_X509_EMPTY_CHAIN, "server sent no certificate"},
	{BR_ERR_X509_UNSUPPORTED, "certificate uses an unsupported algorithm"},
	{BR_ERR_X509_LIMIT_EXCEEDED, "certificate chain is too large"},
	{BR_ERR_X509_WRONG_KEY_TYPE, "certificate key type does not match the cipher suite"},
	{BR_ERR_UNSUPPORTED_VERSION, "server does not speak TLS 1.0-1.2"},
	{BR_ERR_BAD_VERSION, "server does not speak TLS 1.0-1.2"},
	{BR_ERR_BAD_CIPHER_SUITE, "no cipher suite in common"},
	{BR_ERR_BAD_SIGNATURE, "server's handshake signature is invalid"},
	{BR_ERR_WRONG_KEY_USAGE, "certificate key usage does not allow this cipher suite"},
	{BR_ERR_BAD_MAC, "record integrity check failed"},
	{BR_ERR_NO_RANDOM, "no random source"},
	{BR_ERR_IO, "I/O error"},
};

/* "certificate expired or not yet valid", "server sent alert 40", ... */
static void tls_err_describe(int err, char *out, size_t len)
{
	for (size_t i = 0; i < sizeof tls_err_texts / sizeof tls_err_texts[0]; i++)
		if (tls_err_texts[i].code == err) {
			snprintf(out, len, "%s", tls_err_texts[i].text);
			return;
		}
	if (err >= BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT)
		snprintf(out, len, "server refused the handshake (alert %d)", err - BR_ERR_RECV_FATAL_ALERT);
	else if (err >= BR_ERR_SEND_FATAL_ALERT)
		snprintf(out, len, "handshake failed (we sent alert %d)", err - BR_ERR_SEND_FATAL_ALERT);
	else if (err >= BR_ERR_X509_OK && err < 64)
		snprintf(out, len, "certificate is malformed (X.509 error %d)", err);
	else
		snprintf(out, len, "handshake failed (BearSSL error %d)", err);
}

/* --- connections ---------------------------------------------------------------- */

enum { HC_CLOSED, HC_RESOLVE, HC_CONNECT, HC_TLS_HANDSHAKE, HC_WRITE, HC_READ, HC_IDLE };

/* BearSSL's per-connection state: about 40 KiB, allocated on the first
 * https:// use of a connection and kept while the connection object lives. */
struct http_tls {
	br_ssl_client_context cc;
	struct http_x509 x509;
	unsigned char iobuf[BR_SSL_BUFSIZE_BIDI];
};

/* One HTTP connection, driven by the caller's poll() loop.  Requests run one
 * at a time; between them the connection may sit IDLE for reuse. */
struct http_conn {
	int state;                            /* HC_* */
	int fd;
	int result;                           /* last http_step outcome */
	struct http_client *hc;
	int tls;
	char host[256], port[8];
	struct http_tls *t;                   /* NULL until the first https:// request */
	struct http_lookup *lookup;           /* HC_RESOLVE: the lookup waited for (a reference) */
	int naddrs, addr_next, connect_errno;
	struct sockaddr_storage addrs[HTTP_MAX_ADDRS];
	socklen_t lens[HTTP_MAX_ADDRS];
	struct buf out;                       /* the request being sent */
	size_t out_off;
	size_t max_body;                      /* body cap for the next requests */
	int64_t phase_deadline, deadline;     /* mono_ms(); the phase's and the whole request's */
	int64_t idle_since;
	int reused;                           /* this request rides on a kept-alive connection */
	int retried;                          /* a stale kept-alive connection was replaced once */
	int leftover;                         /* bytes arrived after the response: no reuse */
	size_t got;                           /* response bytes received for this request */
	int resumed;                          /* the last TLS handshake resumed a session */
	int requests;                         /* requests completed on this TCP connection */
	char cert_subject[128], cert_not_after[32]; /* from the last full handshake */
	char errstr[HTTP_ERR_LEN];
	struct http_parser parser;            /* holds the response (http_result) */
};

static void http_conn_init(struct http_conn *c)
{
	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->state = HC_CLOSED;
	c->max_body = HTTP_MAX_BODY_BYTES;
	c->phase_deadline = c->deadline = INT64_MAX;
}

/* Body cap for the following requests on c (0 restores the default). */
static void http_set_max_body(struct http_conn *c, size_t max)
{
	c->max_body = max ? max : HTTP_MAX_BODY_BYTES;
}

/* The response of the last request that returned HTTP_DONE; valid until the
 * next http_start or http_close.  The caller may take the body buffer. */
static struct http_response *http_result(struct http_conn *c)
{
	return &c->parser.res;
}

/* Drop the TCP connection (and its TLS state) but keep buffers and result. */
static void http_conn_drop(struct http_conn *c)
{
	if (c->fd >= 0 && c->t && c->tls && c->state >= HC_WRITE) {
		/* A close_notify, best effort: servers drop the TLS session
		 * of a connection that ended without one. */
		br_ssl_engine_close(&c->t->cc.eng);
		size_t len;
		unsigned char *p = br_ssl_engine_sendrec_buf(&c->t->cc.eng, &len);
		if (p && send(c->fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			log_debug("http", "close_notify to %s:%s not sent: %s", c->host, c->port, strerror(errno));
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->lookup)
		http_lookup_unref(c->lookup);
	c->lookup = NULL;
	c->state = HC_CLOSED;
}

/* Close the connection and free everything it holds.  c can be reused with
 * http_start afterwards. */
static void http_close(struct http_conn *c)
{
	http_conn_drop(c);
	c->phase_deadline = c->deadline = INT64_MAX;
	c->cert_subject[0] = c->cert_not_after[0] = '\0';
	if (c->t) {
		explicit_bzero(c->t, sizeof *c->t);
		free(c->t);
		c->t = NULL;
	}
	buf_free(&c->out);
	http_parser_free(&c->parser);
}

__attribute__((format(printf, 3, 4)))
static int http_conn_fail(struct http_conn *c, int code, const char *fmt, ...)
{
	int n = snprintf(c->errstr, sizeof c->errstr, "%s%s%s:%s: ", c->host[0] && strchr(c->host, ':') ? "[" : "",
			 c->host, c->host[0] && strchr(c->host, ':') ? "]" : "", c->port);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof c->errstr)
		vsnprintf(c->errstr + n, sizeof c->errstr - (size_t)n, fmt, ap);
	va_end(ap);
	http_conn_drop(c);
	c->phase_deadline = c->deadline = INT64_MAX;
	c->result = code;
	return code;
}

static const char *http_errstr(const struct http_conn *c)
{
	return c->errstr[0] ? c->errstr : "no error";
}

/* Subject CN and notAfter of the server certificate seen in the last full
 * TLS handshake.  0, or -1 when there is none. */
static int http_peer_cert(const struct http_conn *c, char *subject, size_t slen, char *not_after, size_t nlen)
{
	if (!c->cert_not_after[0])
		return -1;
	snprintf(subject, slen, "%s", c->cert_subject);
	snprintf(not_after, nlen, "%s", c->cert_not_after);
	return 0;
}

/* After a TLS failure: say it loudly (it is configuration, not a network
 * blip) and never resume that session. */
static int http_tls_fail(struct http_conn *c, int err)
{
	char why[200];
	tls_err_describe(err, why, sizeof why);
	struct http_cert_info ci;
	if (c->t && c->t->x509.ee_len && !c->t->x509.ee_overflow &&
	    http_cert_parse(c->t->x509.ee, c->t->x509.ee_len, &ci) == 0 && err >= BR_ERR_X509_OK && err < 64) {
		size_t n = strlen(why);
		snprintf(why + n, sizeof why - n, " (certificate CN \"%.64s\", valid until %.31s)", ci.subject_cn,
			 ci.not_after);
	}
	struct http_tls_session *s = http_session_slot(c->hc, c->host, c->port, 0);
	if (s)
		explicit_bzero(s, sizeof *s);
	log_warn("http", "TLS with %s:%s failed: %s", c->host, c->port, why);
	return http_conn_fail(c, HTTP_ERR_TLS, "TLS: %s", why);
}

/* Set up BearSSL for a new connection, resuming the host's last session. */
static int http_tls_begin(struct http_conn *c)
{
	struct http_client *hc = c->hc;
	if (!hc->ntas)
		return http_conn_fail(c, HTTP_ERR_TLS, "TLS: no trust anchors (%s)", hc->err[0] ? hc->err : "set ca_file");
	if (!c->t && !(c->t = malloc(sizeof *c->t)))
		return http_conn_fail(c, HTTP_ERR_NOMEM, "out of memory");
	struct http_tls *t = c->t;
	br_ssl_client_init_full(&t->cc, &t->x509.inner, hc->tas, hc->ntas);
	t->x509.vtable = &http_x509_vtable;
	br_ssl_engine_set_x509(&t->cc.eng, &t->x509.vtable);
	br_ssl_engine_set_buffer(&t->cc.eng, t->iobuf, sizeof t->iobuf, 1);
	/* An IP literal goes neither into SNI (RFC 6066) nor to BearSSL's
	 * dNSName check; our wrapper matches it against iPAddress SANs. */
	t->x509.ip_len = 0;
	if (inet_pton(AF_INET, c->host, t->x509.ip) == 1)
		t->x509.ip_len = 4;
	else if (inet_pton(AF_INET6, c->host, t->x509.ip) == 1)
		t->x509.ip_len = 16;
	struct http_tls_session *s = http_session_slot(hc, c->host, c->port, 0);
	if (s)
		br_ssl_engine_set_session_parameters(&t->cc.eng, &s->params);
	if (!br_ssl_client_reset(&t->cc, t->x509.ip_len ? NULL : c->host, s != NULL))
		return http_tls_fail(c, br_ssl_engine_last_error(&t->cc.eng));
	c->state = HC_TLS_HANDSHAKE;
	int64_t now = mono_ms();
	c->phase_deadline = now + HTTP_HANDSHAKE_TIMEOUT_MS;
	return HTTP_PENDING;
}

/* The handshake just finished: remember the session and the certificate. */
static void http_tls_established(struct http_conn *c)
{
	br_ssl_engine_context *eng = &c->t->cc.eng;
	struct http_tls_session *s = http_session_slot(c->hc, c->host, c->port, 1);
	br_ssl_session_parameters now;
	br_ssl_engine_get_session_parameters(eng, &now);
	c->resumed = s->valid && now.session_id_len && now.session_id_len == s->params.session_id_len &&
		     memcmp(now.session_id, s->params.session_id, now.session_id_len) == 0;
	s->params = now;
	s->valid = now.session_id_len > 0;
	explicit_bzero(&now, sizeof now);
	struct http_cert_info ci;
	if (!c->resumed && !c->t->x509.ee_overflow && http_cert_parse(c->t->x509.ee, c->t->x509.ee_len, &ci) == 0) {
		snprintf(c->cert_subject, sizeof c->cert_subject, "%s", ci.subject_cn);
		snprintf(c->cert_not_after, sizeof c->cert_not_after, "%s", ci.not_after);
	}
	log_debug("http", "TLS with %s:%s established%s", c->host, c->port, c->resumed ? " (resumed)" : "");
	c->state = HC_WRITE;
	c->phase_deadline = INT64_MAX;
}

static int http_conn_connected(struct http_conn *c)
{
	int one = 1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->hc->connects++;
	c->requests = 0;
	log_debug("http", "connected to %s:%s", c->host, c->port);
	if (c->tls)
		return http_tls_begin(c);
	c->state = HC_WRITE;
	c->phase_deadline = INT64_MAX;
	return HTTP_PENDING;
}

/* Try the next address; after the last one, give up and forget the DNS
 * answer so the next attempt resolves again. */
static int http_conn_connect_next(struct http_conn *c)
{
	while (c->addr_next < c->naddrs) {
		int i = c->addr_next++;
		int fd = socket(c->addrs[i].ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0) {
			c->connect_errno = errno;
			continue;
		}
		c->fd = fd;
		if (connect(fd, (struct sockaddr *)&c->addrs[i], c->lens[i]) == 0)
			return http_conn_connected(c);
		if (errno == EINPROGRESS) {
			c->state = HC_CONNECT;
			return HTTP_PENDING;
		}
		c->connect_errno = errno;
		close(fd);
		c->fd = -1;
	}
	http_dns_forget(c->hc, c->host, c->port);
	return http_conn_fail(c, HTTP_ERR_CONNECT, "connect: %s", strerror(c->connect_errno ? c->connect_errno : ECONNREFUSED));
}

/* CONNECT with the addresses of e. */
static int http_conn_use(struct http_conn *c, const struct http_dns_entry *e)
{
	c->naddrs = e->naddrs;
	memcpy(c->addrs, e->addrs, sizeof c->addrs);
	memcpy(c->lens, e->lens, sizeof c->lens);
	c->addr_next = 0;
	c->connect_errno = 0;
	int64_t now = mono_ms();
	c->phase_deadline = now + HTTP_CONNECT_TIMEOUT_MS;
	return http_conn_connect_next(c);
}

/* RESOLVE → CONNECT: a fresh TCP connection for the current request.  The
 * addresses come from the cache, or from a lookup thread (the connection
 * then waits in HC_RESOLVE, polling the lookup's pipe). */
static int http_conn_open(struct http_conn *c)
{
	http_conn_drop(c);
	http_lookup_collect(c->hc);
	struct http_dns_entry *e = http_dns_find(c->hc, c->host, c->port);
	if (e && e->expires_ms > mono_ms())
		return http_conn_use(c, e);
	const char *why = "";
	c->lookup = http_lookup_start(c->hc, c->host, c->port, &why);
	if (!c->lookup)
		return e ? http_conn_use(c, e) : http_conn_fail(c, HTTP_ERR_DNS, "DNS: %s", why);
	c->state = HC_RESOLVE;
	c->phase_deadline = mono_ms() + HTTP_DNS_TIMEOUT_MS;
	return HTTP_PENDING;
}

/* HC_RESOLVE: the lookup finished (or its time is up). */
static int http_conn_resolved(struct http_conn *c, int64_t now)
{
	int done = http_lookup_done(c->lookup), err = c->lookup->gai_err;
	if (!done && now < c->phase_deadline)
		return HTTP_PENDING;
	http_lookup_unref(c->lookup);
	c->lookup = NULL;
	http_lookup_collect(c->hc);
	struct http_dns_entry *e = http_dns_find(c->hc, c->host, c->port);
	if (e && (done ? !err || e->expires_ms > now : 1)) /* a fresh answer, or the last one on a failure */
		return http_conn_use(c, e);
	if (!done)
		return http_conn_fail(c, HTTP_ERR_DNS, "DNS: no answer within %d s", HTTP_DNS_TIMEOUT_MS / 1000);
	return http_conn_fail(c, HTTP_ERR_DNS, "DNS: %s", gai_strerror(err));
}

/* Is an idle kept-alive connection still worth using?  Anything readable
 * on it (EOF, a close_notify, stray bytes) means no. */
static int http_conn_idle_ok(struct http_conn *c, const struct http_url *u)
{
	if (c->state != HC_IDLE || c->fd < 0 || c->tls != u->tls || strcmp(c->host, u->host) != 0 ||
	    strcmp(c->port, u->port) != 0 || mono_ms() - c->idle_since > HTTP_IDLE_MAX_MS)
		return 0;
	struct pollfd pfd = {c->fd, POLLIN, 0};
	return poll(&pfd, 1, 0) == 0;
}

/* Does the caller's header block (CRLF-terminated lines) name this header? */
static int http_extra_has(const char *extra, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = extra; p && *p; p = strstr(p, "\r\n"), p = p ? p + 2 : NULL)
		if (strncasecmp(p, name, n) == 0 && p[n] == ':')
			return 1;
	return 0;
}

/* Build the request into c->out.  0 or HTTP_ERR_URL / HTTP_ERR_NOMEM.  A
 * body is JSON unless extra names its own Content-Type (a form, say). */
static int http_build_request(struct http_conn *c, const struct http_url *u, const char *method, const char *path,
			      const char *extra, const void *body, size_t len)
{
	size_t ml = strlen(method);
	if (ml == 0 || ml > 16 || strspn(method, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != ml)
		return HTTP_ERR_URL;
	for (const char *s = path; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return HTTP_ERR_URL;
	/* Extra headers are lines ending in CRLF; an empty line inside would
	 * end our header block early. */
	size_t el = extra ? strlen(extra) : 0;
	for (size_t i = 0; i < el; i++)
		if ((extra[i] == '\n' && (i < 2 || extra[i - 1] != '\r' || (i >= 3 && extra[i - 2] == '\n'))) ||
		    (extra[i] == '\r' && extra[i + 1] != '\n'))
			return HTTP_ERR_URL;
	if (el && (el < 2 || strcmp(extra + el - 2, "\r\n") != 0))
		return HTTP_ERR_URL;
	const char *sep = "";
	if (path[0] == '/' && u->path[0] && u->path[strlen(u->path) - 1] == '/')
		path++;
	else if (path[0] && path[0] != '/' && path[0] != '?' && (!u->path[0] || u->path[strlen(u->path) - 1] != '/'))
		sep = "/";
	if (!u->path[0] && !path[0])
		sep = "/";
	if (strlen(u->path) + strlen(path) + 1 >= HTTP_MAX_PATH || el > HTTP_MAX_REQUEST_HEAD)
		return HTTP_ERR_URL;
	int default_port = strcmp(u->port, u->tls ? "443" : "80") == 0;
	buf_reset(&c->out);
	int rc = 0;
	rc |= buf_printf(&c->out, "%s %s%s%s HTTP/1.1\r\nHost: %s%s%s%s%s\r\n", method, u->path, sep, path,
			 u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", default_port ? "" : ":",
			 default_port ? "" : u->port);
	rc |= buf_puts(&c->out, "User-Agent: examflow/" EXAMFLOW_VERSION "\r\nConnection: keep-alive\r\n");
	if (body && !http_extra_has(extra, "Content-Type"))
		rc |= buf_puts(&c->out, "Content-Type: application/json\r\n");
	if (body || strcmp(method, "POST") == 0)
		rc |= buf_printf(&c->out, "Content-Length: %zu\r\n", body ? len : 0);
	if (el)
		rc |= buf_puts(&c->out, extra);
	rc |= buf_puts(&c->out, "\r\n");
	if (body && len)
		rc |= buf_append(&c->out, body, len);
	return rc ? HTTP_ERR_NOMEM : 0;
}

/* Start a request on c: reuse c's idle connection when it goes to the same
 * place, else open a new one (DNS may block here, from the cache otherwise).
 * timeout_ms bounds the whole request.  HTTP_PENDING or an error. */
static int http_start(struct http_conn *c, struct http_client *hc, const struct http_url *base, const char *method,
		      const char *path, const char *extra_headers, const void *body, size_t len, int timeout_ms)
{
	int reuse = c->hc == hc && http_conn_idle_ok(c, base);
	if (!reuse)
		http_conn_drop(c);
	c->hc = hc;
	c->errstr[0] = '\0';
	c->tls = base->tls;
	snprintf(c->host, sizeof c->host, "%s", base->host);
	snprintf(c->port, sizeof c->port, "%s", base->port);
	int rc = http_build_request(c, base, method, path ? path : "", extra_headers, body, len);
	if (rc < 0)
		return http_conn_fail(c, rc, "%s", rc == HTTP_ERR_URL ? "bad request path, method or headers" : "out of memory");
	http_parser_init(&c->parser, c->max_body, strcmp(method, "HEAD") == 0);
	c->out_off = 0;
	c->got = 0;
	c->leftover = 0;
	c->retried = 0;
	c->reused = reuse;
	c->result = HTTP_PENDING;
	int64_t now = mono_ms();
	c->deadline = now + (timeout_ms > 0 ? timeout_ms : 1);
	if (reuse) {
		c->state = HC_WRITE;
		c->phase_deadline = INT64_MAX;
		log_debug("http", "reusing the connection to %s:%s", c->host, c->port);
		return HTTP_PENDING;
	}
	return http_conn_open(c);
}

/* When the next http_step is due even without I/O; INT64_MAX when idle. */
static int64_t http_deadline(const struct http_conn *c)
{
	if (c->state == HC_CLOSED || c->state == HC_IDLE)
		return INT64_MAX;
	return c->phase_deadline < c->deadline ? c->phase_deadline : c->deadline;
}

/* fd and events to poll for c; -1 when c waits for nothing (idle/closed). */
static int http_want(const struct http_conn *c, struct pollfd *pfd)
{
	pfd->fd = c->fd;
	pfd->events = 0;
	pfd->revents = 0;
	if (c->state == HC_RESOLVE && c->lookup) {
		pfd->fd = c->lookup->rfd; /* readable (EOF) once the thread is done */
		pfd->events = POLLIN;
		return 0;
	}
	if (c->fd < 0 || c->state == HC_CLOSED || c->state == HC_IDLE)
		return -1;
	if (c->state == HC_CONNECT) {
		pfd->events = POLLOUT;
	} else if (c->tls && c->t) {
		/* Request bytes waiting for the engine count as "want to
		 * write": the socket is writable at once and http_step pushes them. */
		unsigned st = br_ssl_engine_current_state(&c->t->cc.eng);
		int app_out = c->state == HC_WRITE && (st & BR_SSL_SENDAPP);
		pfd->events = (st & BR_SSL_SENDREC) || app_out ? POLLOUT : (st & BR_SSL_RECVREC) ? POLLIN : 0;
		/* Decrypted data left over when http_step yielded for fairness:
		 * ask for POLLOUT, which an idle socket reports at once. */
		if (st & BR_SSL_RECVAPP)
			pfd->events = POLLOUT;
	} else {
		pfd->events = c->state == HC_WRITE ? POLLOUT : POLLIN;
	}
	return 0;
}

/* A kept-alive connection died before the server said anything: the server
 * had closed it while idle.  Replace it once, transparently. */
static int http_conn_retry_stale(struct http_conn *c)
{
	log_debug("http", "kept-alive connection to %s:%s was stale; reconnecting", c->host, c->port);
	c->retried = 1;
	c->reused = 0;
	c->out_off = 0;
	c->got = 0;
	http_parser_init(&c->parser, c->max_body, c->parser.head_request);
	return http_conn_open(c);
}

static int http_conn_finish(struct http_conn *c)
{
	c->requests++;
	int keep = c->parser.res.keep_alive && !c->leftover;
	if (keep && c->tls && (br_ssl_engine_current_state(&c->t->cc.eng) & BR_SSL_CLOSED))
		keep = 0;
	if (keep) {
		c->state = HC_IDLE;
		c->idle_since = mono_ms();
	} else {
		http_conn_drop(c);
	}
	c->phase_deadline = c->deadline = INT64_MAX;
	c->result = HTTP_DONE;
	return HTTP_DONE;
}

static int http_conn_io_error(struct http_conn *c, int err, const char *what)
{
	if (c->reused && !c->got && !c->retried && (err == ECONNRESET || err == EPIPE))
		return http_conn_retry_stale(c);
	return http_conn_fail(c, HTTP_ERR_IO, "%s: %s", what, strerror(err));
}

/* Response bytes arrived.  Returns PENDING, DONE or an error. */
static int http_conn_feed(struct http_conn *c, const char *data, size_t n)
{
	size_t used = 0;
	c->got += n;
	int r = http_parse_feed(&c->parser, data, n, &used);
	if (r == HTTP_DONE) {
		c->leftover = used < n;
		return http_conn_finish(c);
	}
	if (r == HTTP_ERR_BODY_TOO_BIG)
		return http_conn_fail(c, r, "response: body over %zu bytes", c->parser.max_body);
	if (r < 0)
		return http_conn_fail(c, r, "response: %s", http_parse_errstr(&c->parser));
	return HTTP_PENDING;
}

/* The peer closed.  clean: a TCP FIN on plain HTTP, or a TLS close_notify. */
static int http_conn_eof(struct http_conn *c, int clean)
{
	if (c->state == HC_TLS_HANDSHAKE) {
		log_warn("http", "TLS with %s:%s failed: the server closed the connection during the handshake", c->host,
			 c->port);
		return http_conn_fail(c, HTTP_ERR_TLS, "TLS: server closed the connection during the handshake");
	}
	if (!c->got) {
		if (c->reused && !c->retried)
			return http_conn_retry_stale(c);
		return http_conn_fail(c, HTTP_ERR_TRUNCATED, "response: connection closed before any response");
	}
	if (!clean && c->parser.state == HP_BODY_EOF)
		return http_conn_fail(c, HTTP_ERR_TRUNCATED, "response: truncated (TLS closed without close_notify)");
	int r = http_parse_eof(&c->parser);
	if (r == HTTP_DONE)
		return http_conn_finish(c);
	return http_conn_fail(c, r, "response: %s", http_parse_errstr(&c->parser));
}

static int http_pump_plain(struct http_conn *c)
{
	while (c->state == HC_WRITE && c->out_off < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
		if (n > 0)
			c->out_off += (size_t)n;
		else if (n < 0 && errno == EINTR)
			continue;
		else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return HTTP_PENDING;
		else
			return http_conn_io_error(c, errno, "send");
	}
	c->state = HC_READ;
	char chunk[HTTP_READ_CHUNK];
	for (int k = 0; k < HTTP_READS_PER_STEP; k++) {
		ssize_t n = recv(c->fd, chunk, sizeof chunk, 0);
		if (n > 0) {
			int r = http_conn_feed(c, chunk, (size_t)n);
			if (r != HTTP_PENDING)
				return r;
		} else if (n == 0) {
			return http_conn_eof(c, 1);
		} else if (errno == EAGAIN || errno == EWOULDBLOCK) {
			return HTTP_PENDING;
		} else if (errno != EINTR) {
			return http_conn_io_error(c, errno, "recv");
		}
	}
	return HTTP_PENDING;
}

/* Move bytes between the socket, BearSSL and the parser until something
 * would block.  The engine says what it can do next; we obey in the order
 * send records, read app data, write app data, read records. */
static int http_pump_tls(struct http_conn *c)
{
	br_ssl_engine_context *eng = &c->t->cc.eng;
	for (int k = 0; k < HTTP_READS_PER_STEP; k++) {
		unsigned st = br_ssl_engine_current_state(eng);
		size_t len;
		unsigned char *p;
		if (st & BR_SSL_CLOSED) {
			int err = br_ssl_engine_last_error(eng);
			return err ? http_tls_fail(c, err) : http_conn_eof(c, 1);
		}
		if (c->state == HC_TLS_HANDSHAKE && (st & BR_SSL_SENDAPP))
			http_tls_established(c);
		if (st & BR_SSL_SENDREC) {
			p = br_ssl_engine_sendrec_buf(eng, &len);
			ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
			if (n > 0)
				br_ssl_engine_sendrec_ack(eng, (size_t)n);
			else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				return HTTP_PENDING;
			else if (n < 0 && errno != EINTR)
				return http_conn_io_error(c, errno, "send");
			continue;
		}
		if (st & BR_SSL_RECVAPP) {
			p = br_ssl_engine_recvapp_buf(eng, &len);
			int r = c->state == HC_READ ? http_conn_feed(c, (const char *)p, len) : HTTP_PENDING;
			br_ssl_engine_recvapp_ack(eng, len);
			if (c->state != HC_READ && r == HTTP_PENDING)
				c->leftover = 1; /* data nobody asked for */
			if (r != HTTP_PENDING)
				return r;
			continue;
		}
		if (c->state == HC_WRITE && (st & BR_SSL_SENDAPP)) {
			p = br_ssl_engine_sendapp_buf(eng, &len);
			size_t n = c->out.len - c->out_off;
			if (n > len)
				n = len;
			memcpy(p, c->out.p + c->out_off, n);
			c->out_off += n;
			br_ssl_engine_sendapp_ack(eng, n);
			if (c->out_off == c->out.len) {
				br_ssl_engine_flush(eng, 0);
				c->state = HC_READ;
			}
			continue;
		}
		if (st & BR_SSL_RECVREC) {
			p = br_ssl_engine_recvrec_buf(eng, &len);
			ssize_t n = recv(c->fd, p, len, 0);
			if (n > 0)
				br_ssl_engine_recvrec_ack(eng, (size_t)n);
			else if (n == 0)
				return http_conn_eof(c, 0);
			else if (errno == EAGAIN || errno == EWOULDBLOCK)
				return HTTP_PENDING;
			else if (errno != EINTR)
				return http_conn_io_error(c, errno, "recv");
			continue;
		}
		return HTTP_PENDING; /* the engine waits for nothing we can give */
	}
	return HTTP_PENDING;
}

static int http_timeout(struct http_conn *c)
{
	const char *phase = "while reading the body";
	if (c->state == HC_CONNECT)
		phase = "while connecting";
	else if (c->state == HC_TLS_HANDSHAKE)
		phase = "during the TLS handshake";
	else if (c->state == HC_WRITE)
		phase = "while sending the request";
	else if (!c->got)
		phase = "waiting for the response";
	else if (c->parser.state == HP_STATUS || c->parser.state == HP_HEADERS)
		phase = "while reading headers";
	if (c->state == HC_CONNECT)
		http_dns_forget(c->hc, c->host, c->port);
	return http_conn_fail(c, HTTP_ERR_TIMEOUT, "timeout %s", phase);
}

/* Advance c after poll() said revents (0 when only a deadline passed).
 * HTTP_PENDING, HTTP_DONE (see http_result) or an error (see http_errstr). */
static int http_step(struct http_conn *c, short revents, int64_t now_ms)
{
	if (c->state == HC_CLOSED || c->state == HC_IDLE)
		return c->result;
	int r = HTTP_PENDING;
	if (c->state == HC_RESOLVE && c->lookup) {
		c->result = http_conn_resolved(c, now_ms);
		return c->result;
	}
	if (c->state == HC_CONNECT && revents) {
		int err = 0;
		socklen_t el = sizeof err;
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
			err = errno;
		if (err == 0) {
			r = http_conn_connected(c);
		} else {
			c->connect_errno = err;
			close(c->fd);
			c->fd = -1;
			r = http_conn_connect_next(c);
		}
	}
	if (r == HTTP_PENDING && (revents || c->state == HC_WRITE) && c->state >= HC_TLS_HANDSHAKE &&
	    c->state <= HC_READ)
		r = c->tls ? http_pump_tls(c) : http_pump_plain(c);
	if (r == HTTP_PENDING && now_ms >= http_deadline(c))
		r = http_timeout(c);
	c->result = r;
	return r;
}

/* --- the blocking wrapper, for CLI commands ------------------------------------- */

/* Drive c with a private poll() until its request is done or failed. */
static int http_wait(struct http_conn *c)
{
	for (;;) {
		struct pollfd pfd;
		if (http_want(c, &pfd) < 0)
			return c->result;
		int64_t now = mono_ms(), dl = http_deadline(c);
		int ms = dl <= now ? 0 : dl - now > INT_MAX ? INT_MAX : (int)(dl - now);
		int n = poll(&pfd, 1, ms);
		if (n < 0 && errno != EINTR)
			return http_conn_fail(c, HTTP_ERR_IO, "poll: %s", strerror(errno));
		int r = http_step(c, n > 0 ? pfd.revents : 0, mono_ms());
		if (r != HTTP_PENDING)
			return r;
	}
}

/* One request to a full URL, blocking up to timeout_ms.  On HTTP_DONE *out
 * holds the response (free it with http_response_free); otherwise err says
 * why, naming host:port only. */
static int http_request_sync(struct http_client *hc, const char *method, const char *url, const char *extra_headers,
			     const void *body, size_t len, int timeout_ms, struct http_response *out, char *err,
			     size_t errlen)
{
	memset(out, 0, sizeof *out);
	struct http_url u;
	if (http_url_parse(url, &u) < 0) {
		snprintf(err, errlen, "bad URL (must be http:// or https://host[:port][/path])");
		return HTTP_ERR_URL;
	}
	struct http_conn *c = malloc(sizeof *c);
	if (!c) {
		snprintf(err, errlen, "out of memory");
		return HTTP_ERR_NOMEM;
	}
	http_conn_init(c);
	int r = http_start(c, hc, &u, method, "", extra_headers, body, len, timeout_ms);
	if (r == HTTP_PENDING)
		r = http_wait(c);
	if (r == HTTP_DONE) {
		*out = c->parser.res;
		memset(&c->parser.res.body, 0, sizeof c->parser.res.body);
	} else {
		snprintf(err, errlen, "%s", http_errstr(c));
	}
	http_close(c);
	free(c);
	return r;
}

/* --- redirects, for downloads ----------------------------------------------------- */

#define HTTP_MAX_URL (HTTP_MAX_PATH + 300)     /* scheme, host[:port] and path */

/* Resolve a Location header against the URL that answered with it: an
 * absolute http(s) URL, "//host/path", "/path", or a path relative to the
 * base's directory.  0, or HTTP_ERR_URL when it does not fit or is empty. */
static int http_redirect_target(const char *base, const char *loc, char *out, size_t outlen)
{
	const char *scheme_end = strstr(base, "://");
	if (!*loc || !scheme_end)
		return HTTP_ERR_URL;
	size_t scheme_len = (size_t)(scheme_end - base);
	const char *auth = scheme_end + 3;
	size_t auth_len = strcspn(auth, "/?#");
	int n;
	if (strncasecmp(loc, "https://", 8) == 0 || strncasecmp(loc, "http://", 7) == 0) {
		n = snprintf(out, outlen, "%s", loc);
	} else if (loc[0] == '/' && loc[1] == '/') {
		n = snprintf(out, outlen, "%.*s:%s", (int)scheme_len, base, loc);
	} else if (loc[0] == '/') {
		n = snprintf(out, outlen, "%.*s%s", (int)(auth + auth_len - base), base, loc);
	} else {
		const char *path = auth + auth_len;
		size_t path_len = *path == '/' ? strcspn(path, "?#") : 0;
		while (path_len && path[path_len - 1] != '/')
			path_len--;
		n = snprintf(out, outlen, "%.*s%.*s%s%s", (int)(auth + auth_len - base), base, (int)path_len, path,
			     path_len ? "" : "/", loc);
	}
	return n < 0 || (size_t)n >= outlen ? HTTP_ERR_URL : 0;
}

static int http_is_redirect(int status)
{
	return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* GET url with the body capped at max_body, following up to
 * HTTP_MAX_REDIRECTS redirects (static hosts such as GitHub Releases answer
 * with one to a storage host).  Starting from https://, every hop must be
 * https:// too: a redirect must never downgrade what the caller asked for.
 * timeout_ms bounds all hops together.  Like http_request_sync: on
 * HTTP_DONE *out holds the final response (any status but a redirect);
 * otherwise err says why, naming host:port only (a storage URL's query
 * string is a credential). */
static int http_get_sync(struct http_client *hc, const char *url, size_t max_body, int timeout_ms,
			 struct http_response *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	char *cur = malloc(HTTP_MAX_URL), *next = malloc(HTTP_MAX_URL);
	struct http_conn *c = malloc(sizeof *c);
	int r = HTTP_ERR_NOMEM, first_tls = 0;
	if (!cur || !next || !c) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	http_conn_init(c);
	http_set_max_body(c, max_body);
	snprintf(cur, HTTP_MAX_URL, "%s", url);
	int64_t deadline = mono_ms() + timeout_ms;
	for (int hop = 0;; hop++) {
		struct http_url u;
		if ((hop == 0 && strlen(url) >= HTTP_MAX_URL) || http_url_parse(cur, &u) < 0) {
			r = hop ? HTTP_ERR_REDIRECT : HTTP_ERR_URL;
			snprintf(err, errlen, hop ? "redirect to a URL we cannot use" : "bad URL (must be https://host[:port][/path])");
			break;
		}
		if (hop == 0)
			first_tls = u.tls;
		else if (first_tls && !u.tls) {
			r = HTTP_ERR_REDIRECT;
			snprintf(err, errlen, "%.100s:%s: redirect from https:// to plain http:// refused", u.host, u.port);
			break;
		}
		int64_t left = deadline - mono_ms();
		if (left <= 0) {
			r = HTTP_ERR_TIMEOUT;
			snprintf(err, errlen, "%.100s:%s: timeout (after %d redirects)", u.host, u.port, hop);
			break;
		}
		r = http_start(c, hc, &u, "GET", "", NULL, NULL, 0, left > INT_MAX ? INT_MAX : (int)left);
		if (r == HTTP_PENDING)
			r = http_wait(c);
		if (r != HTTP_DONE) {
			snprintf(err, errlen, "%s", http_errstr(c));
			break;
		}
		struct http_response *res = http_result(c);
		if (!http_is_redirect(res->status)) {
			*out = *res;
			memset(&res->body, 0, sizeof res->body);
			break;
		}
		r = HTTP_ERR_REDIRECT;
		if (hop == HTTP_MAX_REDIRECTS) {
			snprintf(err, errlen, "%.100s:%s: more than %d redirects", u.host, u.port, HTTP_MAX_REDIRECTS);
			break;
		}
		if (!res->location[0] || http_redirect_target(cur, res->location, next, HTTP_MAX_URL) < 0) {
			snprintf(err, errlen, "%.100s:%s: HTTP %d without a usable Location", u.host, u.port, res->status);
			break;
		}
		log_debug("http", "%s:%s answered %d: following the redirect", u.host, u.port, res->status);
		char *t = cur;
		cur = next;
		next = t;
	}
done:
	if (c) {
		http_close(c);
		free(c);
	}
	free(cur);
	free(next);
	return r;
}

/* ==========================================================================
 * 6. Storage: append-only log and snapshot
 * ==========================================================================
 * The bot's database is two flat files in data_dir: events.log, appended one
 * batch at a time and never rewritten in place, and snapshot, the compacted
 * live state.  Both hold typed records of string fields, one per line (the
 * format is described in the essay at the top).  This layer knows nothing
 * about Telegram or exams: the caller appends records in batches and gets
 * them back through a replay callback at start-up.
 *
 * A batch of several records is framed by a "begin" line giving its count,
 * so replay applies a batch whole or not at all: a kill -9 halfway through a
 * write can never leave half an update in effect.
 *
 * Error idiom: every function returns 0 or a negative errno (or
 * STORE_ECORRUPT: the files need an admin), logs one line saying what failed,
 * and never exits.  A failed commit leaves nothing partial on disk.
 */

#define STORE_MAX_FIELDS 16            /* the widest record (a user) has about 10 */
#define STORE_MAX_LINE (64 * 1024)     /* bytes in one escaped record line; an AI answer is < 16 KiB */
#define STORE_MAX_TYPE 31              /* bytes in a record type name: short words */
#define STORE_MAX_BATCH 100000         /* records per commit; a getUpdates batch is <= 100 updates */
#define STORE_MAX_FILE_BYTES ((size_t)1 << 30) /* replay reads a file whole; bigger means something is wrong */
#define STORE_SNAP_CHUNK (256 * 1024)  /* snapshot bytes buffered between writes */
#define STORE_SNAP_VERSION "1"         /* snapshot format version, in its header line */
#define STORE_COMPACT_FACTOR 4         /* defaults; the caller sets its own after store_open */
#define STORE_COMPACT_MIN_BYTES (1024 * 1024)
#define STORE_BACKUP_TRIES 5           /* a compaction racing a backup makes it start over */
#define STORE_PATH_LEN (PATH_MAX_LEN + 64) /* data_dir plus a file name with a timestamp */

/* Returned (negative, like the errnos) when a file is damaged beyond a torn
 * tail: start-up must stop and an admin must run `examflow repair`. */
#define STORE_ECORRUPT (-10000)

/* One record as replay hands it over.  Pointers are valid only during the
 * callback; fields are unescaped and NUL-terminated (flen excludes the NUL),
 * f[i] for i >= nf is unset. */
struct store_rec {
	const char *type;
	uint64_t seq;   /* in a snapshot: the sequence number the snapshot covers */
	int64_t ts_ms;  /* wall clock when the record was appended (or snapshotted) */
	int nf;
	const char *f[STORE_MAX_FIELDS];
	size_t flen[STORE_MAX_FIELDS];
};

struct store;
/* Replay callback: rebuild memory state from r; non-zero stops start-up. */
typedef int (*store_apply_fn)(void *ctx, const struct store_rec *r);
/* Compaction callback: write the whole live state with store_snap_put(). */
typedef int (*store_dump_fn)(void *ctx, struct store *s);

/* The open data directory.  One per process, owned by the worker. */
struct store {
	char dir[PATH_MAX_LEN];
	int lock_fd, log_fd;
	int fsync_mode;             /* FSYNC_BATCH, FSYNC_ALWAYS or FSYNC_OFF */
	int compact_factor;         /* compact when log > factor x snapshot ... */
	int64_t compact_min_bytes;  /* ... and log > this */
	uint64_t seq;               /* last sequence number handed out */
	uint64_t snap_seq;          /* the sequence number the snapshot covers */
	int64_t log_bytes;          /* committed length of events.log */
	int64_t snap_bytes;         /* size of snapshot */
	uint64_t loaded;            /* records replayed by store_open */
	int64_t tail_lost;          /* store_open cut a torn tail it could not save (disk full): its bytes */
	/* the open batch */
	int in_batch;
	int batch_lazy;             /* written without fdatasync (see store_begin_lazy) */
	int batch_n;
	uint64_t batch_seq0;        /* seq before the batch, for store_abort */
	struct buf batch;           /* its escaped lines */
	struct buf out;             /* "begin" line + batch, as written */
	int dirty;                  /* a failed commit may have left bytes past log_bytes */
	/* the snapshot being written by store_compact() */
	int snap_fd;
	struct buf snap;
	uint64_t snap_count;
	int64_t snap_written;
	int64_t snap_ts;
	int snap_err;
};

/* --- line format ---------------------------------------------------------- */

/* Where one parsed line's parts are (offsets into the line, fields still
 * escaped). */
struct store_line {
	size_t tlen;
	uint64_t seq;
	int64_t ts;
	int nf;
	size_t fo[STORE_MAX_FIELDS], fl[STORE_MAX_FIELDS];
};


static int store_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && memcmp(p, word, n) == 0;
}

/* Framing lines that are not records: batch header, snapshot header and trailer. */
static int store_is_marker(const char *type, size_t tlen)
{
	return store_is(type, tlen, "begin") || store_is(type, tlen, "end") ||
	       store_is(type, tlen, "examflow-snapshot");
}

/* A type the caller may use: [a-z][a-z0-9_]*, short, not a marker. */
static int store_type_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;
	if (n == 0 || n > STORE_MAX_TYPE || !(t[0] >= 'a' && t[0] <= 'z') || store_is_marker(t, n))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '_'))
			return 0;
	return 1;
}

static size_t store_fmt_u64(char *o, uint64_t v)
{
	char tmp[24];
	size_t n = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while (v /= 10);
	for (size_t i = 0; i < n; i++)
		o[i] = tmp[n - 1 - i];
	return n;
}

static size_t store_fmt_i64(char *o, int64_t v)
{
	if (v >= 0)
		return store_fmt_u64(o, (uint64_t)v);
	o[0] = '-';
	return 1 + store_fmt_u64(o + 1, (uint64_t)0 - (uint64_t)v);
}

static int store_parse_u64(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	if (n == 0 || n > 20)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		unsigned d = (unsigned)(p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int store_parse_i64(const char *p, size_t n, int64_t *out)
{
	uint64_t v;
	int neg = n > 0 && p[0] == '-';
	if (store_parse_u64(p + neg, n - (size_t)neg, &v) < 0 || v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	return 0;
}

static char *store_escape(char *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\': *o++ = '\\'; *o++ = '\\'; break;
		case '\t': *o++ = '\\'; *o++ = 't'; break;
		case '\n': *o++ = '\\'; *o++ = 'n'; break;
		case '\r': *o++ = '\\'; *o++ = 'r'; break;
		default: *o++ = s[i];
		}
	}
	return o;
}

/* Unescape p[0..n) in place (escapes already checked); returns the new length. */
static size_t store_unescape(char *p, size_t n)
{
	char *q = memchr(p, '\\', n);
	if (!q)
		return n;
	size_t i = (size_t)(q - p), o = i;
	while (i < n) {
		char c = p[i++];
		if (c == '\\') {
			c = p[i++];
			c = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
		}
		p[o++] = c;
	}
	return o;
}

/* Append one whole line "TYPE\tSEQ\tTS{\tFIELD}\tCRC\n" to b.  0, -ENOMEM, or
 * -E2BIG (b unchanged) when the line would exceed STORE_MAX_LINE. */
static int store_put_line(struct buf *b, const char *type, uint64_t seq, int64_t ts,
                          int nf, const char *const *f)
{
	size_t tlen = strlen(type), flen[STORE_MAX_FIELDS], need = tlen + 64;
	for (int i = 0; i < nf; i++) {
		flen[i] = strlen(f[i]);
		if (flen[i] > STORE_MAX_LINE)
			return -E2BIG;
		need += 2 * flen[i] + 1;
	}
	if (buf_reserve(b, need) < 0)
		return -ENOMEM;
	char *start = b->p + b->len, *o = start;
	memcpy(o, type, tlen);
	o += tlen;
	*o++ = '\t';
	o += store_fmt_u64(o, seq);
	*o++ = '\t';
	o += store_fmt_i64(o, ts);
	for (int i = 0; i < nf; i++) {
		*o++ = '\t';
		o = store_escape(o, f[i], flen[i]);
	}
	size_t len = (size_t)(o - start);
	if (len + 9 > STORE_MAX_LINE) {
		b->p[b->len] = '\0';
		return -E2BIG;
	}
	uint32_t c = crc32c(0, start, len);
	*o++ = '\t';
	for (int k = 28; k >= 0; k -= 4)
		*o++ = hex_chars[(c >> k) & 15];
	*o++ = '\n';
	b->len += (size_t)(o - start);
	b->p[b->len] = '\0';
	return 0;
}

/* Check one line p[0..len) (without its newline): checksum (when check_crc),
 * columns, numbers, escapes.  Returns NULL and fills l, or a short reason.
 * Never writes, so a scan can run over any bytes. */
static const char *store_parse(const char *p, size_t len, int check_crc, struct store_line *l)
{
	if (len > STORE_MAX_LINE)
		return "line too long";
	if (len < 9 || p[len - 9] != '\t')
		return "no checksum";
	size_t clen = len - 9;
	if (check_crc) {
		uint32_t want = 0;
		for (int i = 0; i < 8; i++) {
			int v = hex_digit(p[clen + 1 + (size_t)i]);
			if (v < 0)
				return "bad checksum";
			want = want << 4 | (uint32_t)v;
		}
		if (crc32c(0, p, clen) != want)
			return "checksum mismatch";
	}
	const char *end = p + clen, *q = p, *t;
	if (!(t = memchr(q, '\t', (size_t)(end - q))))
		return "too few columns";
	l->tlen = (size_t)(t - q);
	if (l->tlen == 0 || l->tlen > STORE_MAX_TYPE)
		return "bad type";
	for (size_t i = 0; i < l->tlen; i++)
		if (!((q[i] >= 'a' && q[i] <= 'z') || (q[i] >= '0' && q[i] <= '9') || q[i] == '_' || q[i] == '-'))
			return "bad type";
	q = t + 1;
	if (!(t = memchr(q, '\t', (size_t)(end - q))) || store_parse_u64(q, (size_t)(t - q), &l->seq) < 0)
		return "bad sequence number";
	q = t + 1;
	t = memchr(q, '\t', (size_t)(end - q));
	if (store_parse_i64(q, (size_t)((t ? t : end) - q), &l->ts) < 0)
		return "bad timestamp";
	l->nf = 0;
	while (t) {
		if (l->nf == STORE_MAX_FIELDS)
			return "too many fields";
		q = t + 1;
		t = memchr(q, '\t', (size_t)(end - q));
		const char *fe = t ? t : end;
		l->fo[l->nf] = (size_t)(q - p);
		l->fl[l->nf] = (size_t)(fe - q);
		l->nf++;
		for (const char *b = memchr(q, '\\', (size_t)(fe - q)); b; b = memchr(b, '\\', (size_t)(fe - b))) {
			if (b + 1 == fe || !strchr("\\tnr", b[1]))
				return "bad escape";
			b += 2;
			if (b >= fe)
				break;
		}
	}
	return NULL;
}

/* Turn a parsed line into a store_rec, unescaping and NUL-terminating the
 * type and fields in place (each NUL lands on the tab that followed). */
static void store_fill_rec(char *p, const struct store_line *l, struct store_rec *r)
{
	p[l->tlen] = '\0';
	r->type = p;
	r->seq = l->seq;
	r->ts_ms = l->ts;
	r->nf = l->nf;
	for (int i = 0; i < l->nf; i++) {
		char *f = p + l->fo[i];
		r->flen[i] = store_unescape(f, l->fl[i]);
		f[r->flen[i]] = '\0';
		r->f[i] = f;
	}
}

/* --- scanning whole files ------------------------------------------------- */

/* What a scan of events.log found.  good is where the last whole batch ends:
 * everything before it replays; bad is the first bad line (SIZE_MAX: none). */
struct store_scan {
	size_t good, bad;
	const char *why;
	int torn;           /* the bad part is a torn tail, not damage in the middle */
	uint64_t last_seq;  /* of the last record before good */
	uint64_t records;   /* records before good */
};

/* Is there a line with a valid checksum after the line starting at off? */
static int store_valid_after(const char *p, size_t n, size_t off)
{
	const char *nl = memchr(p + off, '\n', n - off);
	while (nl) {
		const char *line = nl + 1;
		struct store_line l;
		nl = memchr(line, '\n', (size_t)(p + n - line));
		if (nl && !store_parse(line, (size_t)(nl - line), 1, &l))
			return 1;
	}
	return 0;
}

/* Is there a valid line after the line at off that a later commit wrote:
 * a batch header, or a record with a seq at or past seq_end? */
static int store_valid_beyond(const char *p, size_t n, size_t off, uint64_t seq_end)
{
	const char *nl = memchr(p + off, '\n', n - off);
	while (nl) {
		const char *line = nl + 1;
		struct store_line l;
		nl = memchr(line, '\n', (size_t)(p + n - line));
		if (nl && !store_parse(line, (size_t)(nl - line), 1, &l) && (store_is(line, l.tlen, "begin") || l.seq >= seq_end))
			return 1;
	}
	return 0;
}

/* Check all of events.log p[0..n).  A line that fails its checksum (or has
 * no newline) with no valid line after it, or a batch cut short by the end of
 * the file, is a torn tail: the last write was interrupted.  So is a last
 * batch with anything wrong inside it and nothing written after it: power
 * loss can persist a later page of one append without an earlier one.
 * Anything else wrong is damage that needs `examflow repair`. */
static void store_scan_log(const char *p, size_t n, struct store_scan *sc)
{
	size_t off = 0, group_start = 0;
	uint64_t prev = 0, group_left = 0, group_next = 0, group_end = 0, pending = 0;
	int torn_like = 0;
	memset(sc, 0, sizeof *sc);
	sc->bad = SIZE_MAX;
	while (off < n) {
		const char *line = p + off, *nl = memchr(line, '\n', n - off);
		size_t len = nl ? (size_t)(nl - line) : n - off;
		struct store_line l;
		const char *why = nl ? store_parse(line, len, 1, &l) : "no newline at the end";
		torn_like = why != NULL;
		if (!why && store_is(line, l.tlen, "begin")) {
			uint64_t count = 0;
			if (group_left)
				why = "batch header inside a batch";
			else if (l.nf != 1 || store_parse_u64(line + l.fo[0], l.fl[0], &count) < 0 ||
			         count < 2 || count > STORE_MAX_BATCH || l.seq <= prev)
				why = "bad batch header";
			group_left = count;
			group_next = l.seq;
			group_end = l.seq + count;
			group_start = off;
		} else if (!why) {
			if (store_is_marker(line, l.tlen))
				why = "snapshot line in the log";
			else if (group_left ? l.seq != group_next : l.seq <= prev)
				why = "sequence number out of order";
			prev = l.seq;
			pending++;
			if (group_left && !why) {
				group_next++;
				group_left--;
			}
		}
		if (why) {
			sc->bad = off;
			sc->why = why;
			break;
		}
		off += len + 1;
		if (!group_left) {
			sc->good = off;
			sc->last_seq = prev;
			sc->records += pending;
			pending = 0;
		}
	}
	if (sc->bad != SIZE_MAX && group_left && !store_valid_beyond(p, n, sc->bad, group_end)) {
		sc->bad = group_start; /* the whole last batch goes: it never committed */
		sc->torn = 1;
	} else if (sc->bad != SIZE_MAX)
		sc->torn = torn_like && !store_valid_after(p, n, sc->bad);
	else if (group_left) {
		sc->bad = group_start;
		sc->why = "batch cut short";
		sc->torn = 1;
	}
}

/* Check a whole snapshot: header, records all at the header's seq, and an
 * "end" trailer whose count matches, ending the file.  NULL or a reason (and
 * the offset of the bad line in *bad). */
static const char *store_scan_snap(const char *p, size_t n, uint64_t *seq, uint64_t *count, size_t *bad)
{
	size_t off = 0;
	uint64_t nrec = 0;
	*bad = 0;
	while (off < n) {
		const char *line = p + off, *nl = memchr(line, '\n', n - off);
		struct store_line l;
		*bad = off;
		if (!nl)
			return "no newline at the end (half-written?)";
		const char *why = store_parse(line, (size_t)(nl - line), 1, &l);
		if (why)
			return why;
		if (off == 0) {
			if (!store_is(line, l.tlen, "examflow-snapshot") || l.nf != 1)
				return "not a snapshot header";
			if (!store_is(line + l.fo[0], l.fl[0], STORE_SNAP_VERSION))
				return "unknown snapshot version";
			*seq = l.seq;
		} else if (l.seq != *seq) {
			return "sequence number differs from the header's";
		} else if (store_is(line, l.tlen, "end")) {
			uint64_t c;
			if (l.nf != 1 || store_parse_u64(line + l.fo[0], l.fl[0], &c) < 0 || c != nrec)
				return "trailer count does not match";
			if ((size_t)(nl - p) + 1 != n)
				return "data after the trailer";
			*count = nrec;
			return NULL;
		} else if (store_is_marker(line, l.tlen)) {
			return "misplaced header";
		} else {
			nrec++;
		}
		off = (size_t)(nl - p) + 1;
	}
	*bad = off;
	return "no trailer (half-written?)";
}

/* Feed the records of p[0..n) (already checked by a scan) to apply, skipping
 * framing lines and records with seq < min_seq.  0 or the callback's error. */
static int store_replay(char *p, size_t n, uint64_t min_seq, store_apply_fn apply, void *ctx,
                        uint64_t *loaded, size_t *fail_off)
{
	size_t off = 0;
	while (off < n) {
		char *line = p + off, *nl = memchr(line, '\n', n - off);
		size_t len = (size_t)(nl - line);
		struct store_line l;
		if (!store_parse(line, len, 0, &l) && !store_is_marker(line, l.tlen) && l.seq >= min_seq) {
			struct store_rec r;
			store_fill_rec(line, &l, &r);
			int rc = apply ? apply(ctx, &r) : 0;
			if (rc) {
				*fail_off = off;
				return rc < 0 ? rc : -EINVAL;
			}
			(*loaded)++;
		}
		off += len + 1;
	}
	return 0;
}

/* --- files -------------------------------------------------------------- */

/* out (STORE_PATH_LEN bytes) = dir/name; dir is < PATH_MAX_LEN (checked by
 * the verbs), names are ours and short. */
static void store_path(char *out, const char *dir, const char *name)
{
	size_t d = strnlen(dir, PATH_MAX_LEN - 1), n = strnlen(name, STORE_PATH_LEN - PATH_MAX_LEN - 1);
	memcpy(out, dir, d);
	out[d] = '/';
	memcpy(out + d + 1, name, n);
	out[d + 1 + n] = '\0';
}

static int store_sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = fsync(fd) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

static int store_pwrite_all(int fd, const char *p, size_t n, off_t off)
{
	while (n) {
		ssize_t w = pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Read the whole file behind fd (its size now) into a fresh malloc'ed block. */
static int store_slurp(int fd, char **out, size_t *n)
{
	struct stat st;
	*out = NULL;
	*n = 0;
	if (fstat(fd, &st) < 0)
		return -errno;
	if ((uint64_t)st.st_size > STORE_MAX_FILE_BYTES)
		return -EFBIG;
	size_t size = (size_t)st.st_size, got = 0;
	char *p = malloc(size + 1);
	if (!p)
		return -ENOMEM;
	while (got < size) {
		ssize_t r = pread(fd, p + got, size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;
			free(p);
			return -e;
		}
		if (r == 0)
			break; /* shrank meanwhile: take what is there */
		got += (size_t)r;
	}
	p[got] = '\0';
	*out = p;
	*n = got;
	return 0;
}

/* Write p[0..n) to a new file DIR/STEM-<UTC time>[.k] (0600, fsynced) for an
 * admin to inspect; the name goes to name. */
static int store_save_aside(const char *dir, const char *stem, const char *p, size_t n, char *name)
{
	char ts[32];
	time_t t = (time_t)(wall_ms() / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
	int fd = -1;
	for (int k = 0; fd < 0 && k < 1000; k++) {
		if (k == 0)
			snprintf(name, STORE_PATH_LEN, "%s/%s-%s", dir, stem, ts);
		else
			snprintf(name, STORE_PATH_LEN, "%s/%s-%s.%d", dir, stem, ts, k);
		fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0 && errno != EEXIST)
			return -errno;
	}
	if (fd < 0)
		return -EEXIST;
	int rc = write_all(fd, p, n) < 0 || fsync(fd) < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		unlink(name);
	return rc < 0 ? rc : store_sync_dir(dir);
}

/* Take the exclusive lock on DIR/lock and write our pid in it.  Returns the
 * descriptor, or -errno with a message in err naming the holder's pid. */
static int store_lock(const char *dir, char *err, size_t errlen)
{
	char path[STORE_PATH_LEN], pid[32] = "";
	store_path(path, dir, "lock");
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t r = pread(fd, pid, sizeof pid - 1, 0);
		pid[r > 0 ? r : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(err, errlen, "data_dir %s is in use by pid %s", dir, pid[0] ? pid : "(unknown)");
		else
			snprintf(err, errlen, "cannot lock %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || store_pwrite_all(fd, pid, (size_t)n, 0) < 0)
		log_warn("store", "cannot write our pid into %s: %s", path, strerror(errno));
	return fd;
}

/* Record a failure: one log line, and the same text in err for the caller. */
__attribute__((format(printf, 3, 4)))
static void store_fail(char *err, size_t errlen, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("store", "%s", msg);
	if (err && errlen) {
		size_t n = strlen(msg) < errlen ? strlen(msg) : errlen - 1;
		memcpy(err, msg, n);
		err[n] = '\0';
	}
}

/* --- opening: snapshot, then the log on top -------------------------------- */

static int store_load_snapshot(struct store *s, store_apply_fn apply, void *ctx, char *err, size_t errlen)
{
	char path[STORE_PATH_LEN];
	store_path(path, s->dir, "snapshot.tmp");
	if (unlink(path) == 0)
		log_warn("store", "removed %s left by an interrupted compaction", path);
	store_path(path, s->dir, "snapshot");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0) {
		int e = errno;
		store_fail(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	char *p;
	size_t n, bad = 0;
	uint64_t count = 0;
	int rc = store_slurp(fd, &p, &n);
	close(fd);
	if (rc < 0) {
		store_fail(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	const char *why = store_scan_snap(p, n, &s->snap_seq, &count, &bad);
	if (why) {
		/* Never ignored: the log was cut when this file was made, so
		 * starting without it would silently lose the state. */
		store_fail(err, errlen, "%s is damaged at byte offset %zu (%s); restore data_dir from a backup",
		           path, bad, why);
		free(p);
		return STORE_ECORRUPT;
	}
	rc = store_replay(p, n, 0, apply, ctx, &s->loaded, &bad);
	if (rc)
		store_fail(err, errlen, "%s: the record at byte offset %zu was rejected (error %d)", path, bad, rc);
	s->snap_bytes = (int64_t)n;
	free(p);
	return rc;
}

static int store_load_log(struct store *s, store_apply_fn apply, void *ctx, char *err, size_t errlen)
{
	char path[STORE_PATH_LEN], aside[STORE_PATH_LEN];
	store_path(path, s->dir, "events.log");
	s->log_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->log_fd < 0) {
		int e = errno;
		store_fail(err, errlen, "cannot open %s: %s", path, strerror(e));
		return -e;
	}
	char *p;
	size_t n, bad = 0;
	struct store_scan sc;
	int rc = store_slurp(s->log_fd, &p, &n);
	if (rc < 0) {
		store_fail(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	store_scan_log(p, n, &sc);
	if (sc.bad != SIZE_MAX && !sc.torn) {
		store_fail(err, errlen, "%s: bad record at byte offset %zu (%s); stop the bot and run `examflow repair`",
		           path, sc.bad, sc.why);
		free(p);
		return STORE_ECORRUPT;
	}
	if (sc.good < n) {
		int saved = store_save_aside(s->dir, "events.log.torn", p + sc.good, n - sc.good, aside);
		if (saved < 0) /* a full disk must not stop the bot: the tail never committed anyway */
			log_error("store", "%s: cannot save its torn tail aside (%s): cutting %zu bytes in place, they are lost",
			          path, strerror(-saved), n - sc.good);
		rc = ftruncate(s->log_fd, (off_t)sc.good) < 0 || fsync(s->log_fd) < 0 ? -errno : 0;
		if (rc < 0) {
			store_fail(err, errlen, "%s: cannot cut its torn tail: %s", path, strerror(-rc));
			free(p);
			return rc;
		}
		if (saved < 0)
			s->tail_lost = (int64_t)(n - sc.good);
		else
			log_warn("store", "%s: cut off a torn tail of %zu bytes at byte offset %zu (%s); saved as %s",
			         path, n - sc.good, sc.good, sc.why, aside);
	}
	rc = store_replay(p, sc.good, s->snap_seq + 1, apply, ctx, &s->loaded, &bad);
	if (rc)
		store_fail(err, errlen, "%s: the record at byte offset %zu was rejected (error %d)", path, bad, rc);
	s->log_bytes = (int64_t)sc.good;
	s->seq = sc.last_seq > s->snap_seq ? sc.last_seq : s->snap_seq;
	free(p);
	return rc;
}

/* Release everything; an uncommitted batch is dropped (and said so). */
static void store_close(struct store *s)
{
	if (s->in_batch && s->batch_n)
		log_warn("store", "closing with an uncommitted batch of %d records: dropped", s->batch_n);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->snap_fd >= 0)
		close(s->snap_fd);
	if (s->lock_fd >= 0)
		close(s->lock_fd);
	s->log_fd = s->snap_fd = s->lock_fd = -1;
	s->in_batch = 0;
	buf_free(&s->batch);
	buf_free(&s->out);
	buf_free(&s->snap);
}

/* Open data_dir (created 0700), lock it, load the snapshot and replay the log
 * through apply (may be NULL).  0, -errno, or STORE_ECORRUPT; err gets the
 * reason.  After a failure the caller's replayed state is partial: discard it. */
static int store_open(struct store *s, const char *dir, int fsync_mode, store_apply_fn apply, void *ctx,
               char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	s->lock_fd = s->log_fd = s->snap_fd = -1;
	s->fsync_mode = fsync_mode;
	s->compact_factor = STORE_COMPACT_FACTOR;
	s->compact_min_bytes = STORE_COMPACT_MIN_BYTES;
	if (err && errlen)
		err[0] = '\0';
	/* A write past RLIMIT_FSIZE must fail with EFBIG, not kill us. */
	signal(SIGXFSZ, SIG_IGN);
	if (strlen(dir) >= sizeof s->dir) {
		store_fail(err, errlen, "data_dir is too long");
		return -ENAMETOOLONG;
	}
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	if (mkdir_p(dir, 0700) < 0) {
		int e = errno;
		store_fail(err, errlen, "cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	if (dir_trusted(dir) < 0) {
		int e = errno;
		store_fail(err, errlen, "%s: %s", dir,
		           e == EPERM ? "not ours: data_dir must belong to this user (or root) and be writable by nobody else"
		                      : strerror(e));
		return -e;
	}
	char msg[LOG_LINE_MAX] = "";
	s->lock_fd = store_lock(dir, msg, sizeof msg);
	int rc = s->lock_fd;
	if (rc < 0)
		store_fail(err, errlen, "%s", msg);
	if (rc >= 0)
		rc = store_load_snapshot(s, apply, ctx, err, errlen);
	if (rc == 0)
		rc = store_load_log(s, apply, ctx, err, errlen);
	if (rc < 0) {
		store_close(s);
		return rc;
	}
	log_info("store", "opened %s: %" PRIu64 " records, snapshot %" PRId64 " bytes, log %" PRId64
	         " bytes, at seq %" PRIu64, dir, s->loaded, s->snap_bytes, s->log_bytes, s->seq);
	return 0;
}

/* --- appending: begin, add, commit ------------------------------------------ */

static int store_begin(struct store *s)
{
	if (s->in_batch || s->snap_fd >= 0) {
		log_error("store", "store_begin: a batch or a compaction is already open");
		return -EBUSY;
	}
	s->in_batch = 1;
	s->batch_lazy = 0;
	s->batch_n = 0;
	s->batch_seq0 = s->seq;
	buf_reset(&s->batch);
	return 0;
}

/* A batch whose loss in a power cut is harmless (delivery marks: at worst a
 * reply goes out twice): written like any batch, so a crash of the process
 * loses nothing, but not fdatasynced; the next synced commit covers it,
 * because fdatasync flushes the whole file. */
static int store_begin_lazy(struct store *s)
{
	int rc = store_begin(s);
	if (rc == 0)
		s->batch_lazy = 1;
	return rc;
}

/* Check a record the caller wants written; 0 or -EINVAL (logged). */
static int store_check_rec(const char *who, const char *type, int nf, const char *const *fields)
{
	if (!store_type_ok(type)) {
		log_error("store", "%s: bad record type \"%.40s\"", who, type ? type : "(null)");
		return -EINVAL;
	}
	if (nf < 0 || nf > STORE_MAX_FIELDS) {
		log_error("store", "%s: %s record has %d fields (at most %d)", who, type, nf, STORE_MAX_FIELDS);
		return -EINVAL;
	}
	for (int i = 0; i < nf; i++)
		if (!fields[i]) {
			log_error("store", "%s: %s record has a NULL field %d", who, type, i);
			return -EINVAL;
		}
	return 0;
}

/* Buffer one record in the open batch (nothing is written yet).  -EINVAL for
 * a bad type or field count, -E2BIG for an oversized record (the batch keeps
 * its other records), -ENOMEM. */
static int store_add(struct store *s, const char *type, int nf, const char *const *fields)
{
	if (!s->in_batch) {
		log_error("store", "store_add outside a batch");
		return -EINVAL;
	}
	int rc = store_check_rec("store_add", type, nf, fields);
	if (rc < 0)
		return rc;
	if (s->batch_n >= STORE_MAX_BATCH) {
		log_error("store", "store_add: more than %d records in one batch", STORE_MAX_BATCH);
		return -E2BIG;
	}
	rc = store_put_line(&s->batch, type, s->seq + 1, wall_ms(), nf, fields);
	if (rc < 0) {
		log_error("store", "store_add: %s record refused: %s", type,
		          rc == -E2BIG ? "longer than STORE_MAX_LINE when escaped" : strerror(-rc));
		return rc;
	}
	s->seq++;
	s->batch_n++;
	return 0;
}

/* Write p[0..n) at the end of the log and make it durable as fsync_mode says. */
static int store_write(struct store *s, const char *p, size_t n)
{
	int rc;
	if (s->fsync_mode != FSYNC_ALWAYS || s->batch_lazy) {
		rc = store_pwrite_all(s->log_fd, p, n, (off_t)s->log_bytes);
		if (rc == 0 && s->fsync_mode == FSYNC_BATCH && !s->batch_lazy && fdatasync(s->log_fd) < 0)
			rc = -errno;
		return rc;
	}
	for (size_t off = 0; off < n;) {
		const char *nl = memchr(p + off, '\n', n - off);
		size_t len = (size_t)(nl - (p + off)) + 1;
		rc = store_pwrite_all(s->log_fd, p + off, len, (off_t)(s->log_bytes + (int64_t)off));
		if (rc == 0 && fdatasync(s->log_fd) < 0)
			rc = -errno;
		if (rc < 0)
			return rc;
		off += len;
	}
	return 0;
}

/* Write the open batch with one write and (fsync=batch) one fdatasync.  On
 * failure (ENOSPC, EIO, EFBIG...) the log is truncated back to where it was,
 * the error is returned and the batch stays open: call store_commit again to
 * retry, or store_abort.  An empty batch just closes. */
static int store_commit(struct store *s)
{
	if (!s->in_batch) {
		log_error("store", "store_commit without a batch");
		return -EINVAL;
	}
	if (s->batch_n == 0) {
		s->in_batch = 0;
		return 0;
	}
	const char *p = s->batch.p;
	size_t n = s->batch.len;
	if (s->batch_n > 1) {
		/* The header makes a batch all-or-nothing on replay. */
		char count[24];
		const char *f[1] = {count};
		count[store_fmt_u64(count, (uint64_t)s->batch_n)] = '\0';
		buf_reset(&s->out);
		if (store_put_line(&s->out, "begin", s->batch_seq0 + 1, wall_ms(), 1, f) < 0 ||
		    buf_append(&s->out, s->batch.p, s->batch.len) < 0) {
			log_error("store", "commit of %d records failed: out of memory", s->batch_n);
			return -ENOMEM;
		}
		p = s->out.p;
		n = s->out.len;
	}
	int rc = 0;
	if (s->dirty && ftruncate(s->log_fd, (off_t)s->log_bytes) < 0)
		rc = -errno;
	else
		s->dirty = 0;
	if (rc == 0)
		rc = store_write(s, p, n);
	if (rc < 0) {
		/* Nothing partial may stay: cut back to the last whole commit. */
		if (ftruncate(s->log_fd, (off_t)s->log_bytes) < 0)
			s->dirty = 1;
		else if (s->fsync_mode != FSYNC_OFF)
			fdatasync(s->log_fd);
		log_error("store", "commit of %d records failed: %s; events.log %s back to %" PRId64 " bytes",
		          s->batch_n, strerror(-rc), s->dirty ? "could not be cut" : "cut", s->log_bytes);
		return rc;
	}
	s->log_bytes += (int64_t)n;
	s->in_batch = 0;
	s->batch_n = 0;
	buf_reset(&s->batch);
	return 0;
}

/* Drop the open batch (e.g. after a failed commit the caller gives up on). */
static void store_abort(struct store *s)
{
	if (!s->in_batch)
		return;
	s->seq = s->batch_seq0;
	s->in_batch = 0;
	s->batch_n = 0;
	buf_reset(&s->batch);
}

/* --- compaction ----------------------------------------------------------- */

static int store_compact_needed(const struct store *s)
{
	return s->log_bytes > s->compact_min_bytes && s->log_bytes > (int64_t)s->compact_factor * s->snap_bytes;
}

static int store_snap_flush(struct store *s)
{
	if (s->snap_err == 0 && s->snap.len) {
		if (write_all(s->snap_fd, s->snap.p, s->snap.len) < 0)
			s->snap_err = -errno;
		s->snap_written += (int64_t)s->snap.len;
		buf_reset(&s->snap);
	}
	return s->snap_err;
}

/* Put one record of the live state into the snapshot being written (only
 * from inside a store_dump_fn).  Errors stick: the compaction then fails. */
static int store_snap_put(struct store *s, const char *type, int nf, const char *const *fields)
{
	if (s->snap_fd < 0) {
		log_error("store", "store_snap_put outside store_compact");
		return -EINVAL;
	}
	if (s->snap_err)
		return s->snap_err;
	int rc = store_check_rec("store_snap_put", type, nf, fields);
	if (rc == 0)
		rc = store_put_line(&s->snap, type, s->seq, s->snap_ts, nf, fields);
	if (rc < 0) {
		s->snap_err = rc;
		return rc;
	}
	s->snap_count++;
	return s->snap.len >= STORE_SNAP_CHUNK ? store_snap_flush(s) : 0;
}

/* Write the whole snapshot through dump, then finish it and make it durable
 * (always fsynced, whatever fsync_mode says: the log is cut right after). */
static int store_snap_write(struct store *s, store_dump_fn dump, void *ctx)
{
	char num[24];
	const char *f[1] = {num};
	snprintf(num, sizeof num, "%s", STORE_SNAP_VERSION);
	if (store_put_line(&s->snap, "examflow-snapshot", s->seq, s->snap_ts, 1, f) < 0)
		return -ENOMEM;
	int rc = dump(ctx, s);
	if (rc == 0)
		rc = s->snap_err;
	if (rc)
		return rc < 0 ? rc : -EINVAL;
	num[store_fmt_u64(num, s->snap_count)] = '\0';
	if (store_put_line(&s->snap, "end", s->seq, s->snap_ts, 1, f) < 0)
		return -ENOMEM;
	rc = store_snap_flush(s);
	if (rc == 0 && fsync(s->snap_fd) < 0)
		rc = -errno;
	return rc;
}

/* Replace the snapshot with the live state (temp file, fsync, rename, fsync
 * the directory), then start a fresh log.  A crash at any point leaves either
 * the old snapshot + log or the new snapshot + a log whose records it covers
 * (replay skips those).  No batch may be open. */
static int store_compact(struct store *s, store_dump_fn dump, void *ctx)
{
	char tmp[STORE_PATH_LEN], path[STORE_PATH_LEN];
	if (s->in_batch || s->snap_fd >= 0) {
		log_error("store", "store_compact while a batch or a compaction is open");
		return -EBUSY;
	}
	int64_t t0 = mono_ms(), old_log = s->log_bytes;
	store_path(tmp, s->dir, "snapshot.tmp");
	store_path(path, s->dir, "snapshot");
	s->snap_fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (s->snap_fd < 0) {
		int e = errno;
		log_error("store", "compaction: cannot create %s: %s", tmp, strerror(e));
		return -e;
	}
	s->snap_count = 0;
	s->snap_written = 0;
	s->snap_err = 0;
	s->snap_ts = wall_ms();
	buf_reset(&s->snap);
	int rc = store_snap_write(s, dump, ctx);
	close(s->snap_fd);
	s->snap_fd = -1;
	buf_free(&s->snap);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		log_error("store", "compaction failed: %s; the old snapshot and log stay in use", strerror(-rc));
		return rc;
	}
	rc = store_sync_dir(s->dir);
	if (rc < 0) {
		/* The log must not be cut before the rename is durable. */
		log_error("store", "compaction: cannot fsync %s: %s; the log is kept", s->dir, strerror(-rc));
		return rc;
	}
	s->snap_seq = s->seq;
	s->snap_bytes = s->snap_written;
	/* Failing from here on is harmless: the snapshot covers every record
	 * left in the log, and replay skips them. */
	if (ftruncate(s->log_fd, 0) < 0) {
		rc = -errno;
		log_error("store", "compaction: cannot cut events.log: %s", strerror(-rc));
		return rc;
	}
	s->log_bytes = 0;
	s->dirty = 0;
	if (s->fsync_mode != FSYNC_OFF && fdatasync(s->log_fd) < 0) {
		rc = -errno;
		log_error("store", "compaction: cannot fsync events.log: %s", strerror(-rc));
		return rc;
	}
	log_info("store", "compacted: snapshot of %" PRIu64 " records, %" PRId64 " bytes at seq %" PRIu64
	         "; log was %" PRId64 " bytes; %" PRId64 " ms", s->snap_count, s->snap_bytes, s->seq, old_log,
	         mono_ms() - t0);
	return 0;
}

/* Bytes on disk: snapshot + log. */
static int64_t store_bytes(const struct store *s)
{
	return s->snap_bytes + s->log_bytes;
}


/* --- admin verbs: backup and repair --------------------------------------- */

/* Print to out and log: the admin may have the log going to a file. */
__attribute__((format(printf, 2, 3)))
static void store_say_error(FILE *out, const char *fmt, ...)
{
	char msg[LOG_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_error("store", "%s", msg);
	fprintf(out, "error: %s\n", msg);
}

/* Read snapshot and events.log of a live data_dir consistently: the
 * snapshot is only ever replaced by rename, before the log is cut, so if
 * the same snapshot file is still in place after the log has been read, the
 * pair belongs together.  snap->p stays NULL when there is no snapshot. */
static int store_read_pair(const char *dir, struct buf *snap, struct buf *log)
{
	char sp[STORE_PATH_LEN], lp[STORE_PATH_LEN];
	store_path(sp, dir, "snapshot");
	store_path(lp, dir, "events.log");
	for (int attempt = 0; attempt < STORE_BACKUP_TRIES; attempt++) {
		struct stat before = {0}, after;
		int sfd = open(sp, O_RDONLY | O_CLOEXEC), rc = 0;
		if (sfd < 0 && errno != ENOENT)
			return -errno;
		if (sfd >= 0) {
			if (fstat(sfd, &before) < 0 || (rc = store_slurp(sfd, &snap->p, &snap->len)) < 0)
				rc = rc ? rc : -errno;
			close(sfd);
		}
		int lfd = rc ? -1 : open(lp, O_RDONLY | O_CLOEXEC);
		if (rc == 0 && lfd < 0 && errno != ENOENT)
			rc = -errno;
		if (lfd >= 0) {
			rc = store_slurp(lfd, &log->p, &log->len);
			close(lfd);
		}
		int now = stat(sp, &after) == 0;
		if (rc < 0)
			return rc;
		if (now == (sfd >= 0) && (!now || (after.st_ino == before.st_ino && after.st_dev == before.st_dev)))
			return 0;
		buf_free(snap);
		buf_free(log);
	}
	return -EAGAIN;
}

/* Copy data_dir to dest (a new or empty directory) while the bot may be
 * running: the snapshot and the log up to its last whole batch; then load
 * the copy to prove it.  Prints what it wrote to out. */
/* A backup goes into a new directory (created 0700) or an empty one that
 * is ours and writable by nobody else, so no planted file or link can be
 * written through.  0, or -errno (-ENOTEMPTY, -EPERM, ...). */
static int store_backup_target(const char *dest)
{
	char parent[PATH_MAX_LEN];
	snprintf(parent, sizeof parent, "%s", dest);
	char *slash = strrchr(parent, '/');
	if (slash && slash != parent) {
		*slash = '\0';
		if (mkdir_p(parent, 0700) < 0)
			return -errno;
	}
	if (mkdir(dest, 0700) == 0)
		return 0;
	if (errno != EEXIST)
		return -errno;
	struct stat st;
	if (lstat(dest, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
		return -EPERM;
	DIR *d = opendir(dest);
	if (!d)
		return -errno;
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n ? -ENOTEMPTY : 0;
}

static int store_backup(const char *dir, const char *dest, FILE *out)
{
	struct buf snap = BUF_INIT, log = BUF_INIT;
	char path[STORE_PATH_LEN], msg[LOG_LINE_MAX];
	struct store_scan sc;
	uint64_t sseq = 0, scount = 0;
	size_t bad;
	int rc = -ENAMETOOLONG;
	if (strlen(dir) >= PATH_MAX_LEN || strlen(dest) >= PATH_MAX_LEN) {
		store_say_error(out, "backup: path too long");
		return rc;
	}
	if ((rc = store_read_pair(dir, &snap, &log)) < 0) {
		store_say_error(out, "backup: cannot read %s: %s", dir, strerror(-rc));
		goto done;
	}
	if (!snap.p && !log.p) {
		rc = -ENOENT;
		store_say_error(out, "backup: %s has neither snapshot nor events.log: nothing to back up", dir);
		goto done;
	}
	const char *why = snap.p ? store_scan_snap(snap.p, snap.len, &sseq, &scount, &bad) : NULL;
	if (why) {
		store_say_error(out, "backup: %s/snapshot is damaged at byte offset %zu (%s)", dir, bad, why);
		rc = STORE_ECORRUPT;
		goto done;
	}
	store_scan_log(log.p ? log.p : "", log.len, &sc);
	if (sc.bad != SIZE_MAX && !sc.torn) {
		/* A torn tail is just a commit in progress; damage is not. */
		store_say_error(out, "backup: %s/events.log: bad record at byte offset %zu (%s); run `examflow repair` first",
		                dir, sc.bad, sc.why);
		rc = STORE_ECORRUPT;
		goto done;
	}
	if ((rc = store_backup_target(dest)) < 0) {
		store_say_error(out, "backup: %s: %s", dest,
		                rc == -ENOTEMPTY ? "not empty; give a new or empty directory"
		                : rc == -EPERM   ? "not ours, or writable by others; give a new directory"
		                                 : strerror(-rc));
		goto done;
	}
	static const char *const names[] = {"snapshot", "events.log"};
	for (int i = 0; i < 2; i++) {
		store_path(path, dest, names[i]);
		if (access(path, F_OK) == 0) {
			rc = -EEXIST;
			store_say_error(out, "backup: %s already exists; give a new directory", path);
			goto done;
		}
	}
	if (snap.p) {
		store_path(path, dest, "snapshot");
		if (write_file_atomic(path, snap.p, snap.len) < 0) {
			rc = -errno;
			store_say_error(out, "backup: cannot write %s: %s", path, strerror(-rc));
			goto done;
		}
		fprintf(out, "wrote %s: %zu bytes, %" PRIu64 " records at seq %" PRIu64 "\n", path, snap.len, scount, sseq);
	}
	store_path(path, dest, "events.log");
	if (write_file_atomic(path, log.p ? log.p : "", sc.good) < 0) {
		rc = -errno;
		store_say_error(out, "backup: cannot write %s: %s", path, strerror(-rc));
		goto done;
	}
	fprintf(out, "wrote %s: %zu bytes, %" PRIu64 " records up to seq %" PRIu64 "\n", path, sc.good, sc.records,
	        sc.last_seq);
	struct store v;
	rc = store_open(&v, dest, FSYNC_BATCH, NULL, NULL, msg, sizeof msg);
	if (rc < 0) {
		fprintf(out, "error: the copy does not load: %s\n", msg);
		goto done;
	}
	fprintf(out, "verified: the copy loads, %" PRIu64 " live records at seq %" PRIu64 "\n", v.loaded, v.seq);
	store_close(&v);
	store_path(path, dest, "lock");
	unlink(path);
done:
	buf_free(&snap);
	buf_free(&log);
	return rc;
}

/* Load data_dir as start-up would, but read-only: no lock, no torn tail cut
 * off, nothing written, so it works next to a running bot (the pair is read
 * consistently, as for a backup).  For `examflow selftest`: can this binary
 * read this data?  0, -errno or STORE_ECORRUPT, with err saying why; a
 * directory with no files yet is empty, not an error. */
static int store_read_only(const char *dir, store_apply_fn apply, void *ctx, uint64_t *loaded, char *err,
                           size_t errlen)
{
	struct buf snap = BUF_INIT, log = BUF_INIT;
	struct store_scan sc;
	uint64_t sseq = 0, scount = 0;
	size_t bad = 0;
	*loaded = 0;
	int rc = strlen(dir) >= PATH_MAX_LEN ? -ENAMETOOLONG : store_read_pair(dir, &snap, &log);
	if (rc < 0) {
		store_fail(err, errlen, "cannot read %s: %s", dir, strerror(-rc));
		goto done;
	}
	const char *why = snap.p ? store_scan_snap(snap.p, snap.len, &sseq, &scount, &bad) : NULL;
	if (why) {
		store_fail(err, errlen, "%s/snapshot is damaged at byte offset %zu (%s)", dir, bad, why);
		rc = STORE_ECORRUPT;
		goto done;
	}
	if (snap.p && (rc = store_replay(snap.p, snap.len, 0, apply, ctx, loaded, &bad)) != 0) {
		store_fail(err, errlen, "%s/snapshot: the record at byte offset %zu was rejected (error %d)", dir, bad, rc);
		goto done;
	}
	store_scan_log(log.p ? log.p : "", log.len, &sc);
	if (sc.bad != SIZE_MAX && !sc.torn) {
		store_fail(err, errlen, "%s/events.log: bad record at byte offset %zu (%s)", dir, sc.bad, sc.why);
		rc = STORE_ECORRUPT;
		goto done;
	}
	if (log.p && (rc = store_replay(log.p, sc.good, sseq + 1, apply, ctx, loaded, &bad)) != 0)
		store_fail(err, errlen, "%s/events.log: the record at byte offset %zu was rejected (error %d)", dir, bad, rc);
done:
	buf_free(&snap);
	buf_free(&log);
	return rc;
}

/* With the bot stopped: move the first damaged record of events.log and
 * everything after it into events.log.quarantine-<time>, keep the rest, and
 * check that the directory then loads.  Prints what it did to out. */
static int store_repair(const char *dir, FILE *out)
{
	char path[STORE_PATH_LEN], aside[STORE_PATH_LEN], msg[LOG_LINE_MAX] = "";
	struct buf snap = BUF_INIT, log = BUF_INIT;
	struct store_scan sc;
	uint64_t sseq = 0, scount = 0;
	size_t bad;
	int fd = -1, rc;
	if (strlen(dir) >= PATH_MAX_LEN) {
		store_say_error(out, "repair: path too long");
		return -ENAMETOOLONG;
	}
	int lock = store_lock(dir, msg, sizeof msg);
	if (lock < 0) {
		store_say_error(out, "repair: %s; stop the bot first", msg);
		return lock;
	}
	if ((rc = store_read_pair(dir, &snap, &log)) < 0) {
		store_say_error(out, "repair: cannot read %s: %s", dir, strerror(-rc));
		goto done;
	}
	const char *why = snap.p ? store_scan_snap(snap.p, snap.len, &sseq, &scount, &bad) : NULL;
	if (why) {
		store_say_error(out, "repair: %s/snapshot is damaged at byte offset %zu (%s); it cannot be rebuilt from "
		                "the log: restore data_dir from a backup", dir, bad, why);
		rc = STORE_ECORRUPT;
		goto done;
	}
	store_path(path, dir, "events.log");
	store_scan_log(log.p ? log.p : "", log.len, &sc);
	if (sc.bad == SIZE_MAX) {
		fprintf(out, "%s: %" PRIu64 " records, nothing to repair\n", path, sc.records);
		goto done;
	}
	size_t moved = log.len - sc.good, lines = 0;
	for (size_t i = sc.good; i < log.len; i++)
		lines += log.p[i] == '\n';
	rc = store_save_aside(dir, "events.log.quarantine", log.p + sc.good, moved, aside);
	if (rc == 0 && ((fd = open(path, O_WRONLY | O_CLOEXEC)) < 0 || ftruncate(fd, (off_t)sc.good) < 0 ||
	                fsync(fd) < 0))
		rc = -errno;
	if (rc < 0) {
		store_say_error(out, "repair: cannot move the damaged part of %s aside: %s", path, strerror(-rc));
		goto done;
	}
	fprintf(out, "%s: bad record at byte offset %zu (%s)\n", path, sc.bad, sc.why);
	fprintf(out, "moved %zu bytes (%zu lines) from byte offset %zu to %s\n", moved, lines + (log.p[log.len - 1] != '\n'),
	        sc.good, aside);
	fprintf(out, "kept %" PRIu64 " records up to seq %" PRIu64 "\n", sc.records, sc.last_seq);
done:
	if (fd >= 0)
		close(fd);
	close(lock);
	buf_free(&snap);
	buf_free(&log);
	if (rc == 0) {
		struct store v;
		rc = store_open(&v, dir, FSYNC_BATCH, NULL, NULL, msg, sizeof msg);
		if (rc == 0)
			fprintf(out, "verified: %s loads, %" PRIu64 " live records at seq %" PRIu64 "\n", dir, v.loaded, v.seq);
		else
			fprintf(out, "error: %s still does not load: %s\n", dir, msg);
		store_close(&v);
	}
	return rc;
}

#undef STORE_SNAP_CHUNK
#undef STORE_SNAP_VERSION
#undef STORE_BACKUP_TRIES

/* ==========================================================================
 * 7. Exam domain: task bank, answer checking, task generators
 * ==========================================================================
 * The bank is subjects → exam task numbers → tasks (text, accepted answers,
 * solution).  It has one plain-text format, written by people: the default
 * bank compiled into the binary is a string in that format, and an
 * operator's tasks_file is parsed by the same parser, so the embedded bank
 * tests the parser every time the program starts.
 *
 * Loading builds a complete new bank and swaps it in only when the input had
 * no error at all: a teacher's typo never leaves the bot with half a bank.
 * Errors go to a FILE* as "FILE:LINE: message" (the compiler convention, so
 * editors jump to the line) and loaders return the number of errors.
 *
 * Answers are compared after normalisation (bank_norm_rules, a table that is
 * also the test list); "order: any" tasks compare the multiset of digits,
 * "order: digits" tasks the digits in their order.  Then come the kind
 * examiner's rules (bank_kind_rules): a look-alike letter of the other
 * alphabet, a code written in groups, and a right number written with
 * units, as a fraction or after a bare "Ответ" is accepted, the last three
 * with a note on how the exam form wants it.
 *
 * Generators (the gen_ part, at the end of this section) make variants of
 * a task from a seed: text, answer and solution computed together.  A
 * variant's id is "GENERATOR@SEED" and bank_find() builds it on demand, so
 * everything that looks a task up by id works for generated tasks too.
 */

#define BANK_MAX_SUBJECTS 16          /* subjects: one inline keyboard's worth of buttons */
#define BANK_MAX_TASKS 20000          /* tasks in all: a big school's bank; memory is bounded by the file size */
#define BANK_MAX_ID_BYTES 32          /* task and subject ids: stored in every progress record */
#define BANK_MAX_TITLE_BYTES 128      /* titles and topics: 64 Cyrillic letters, they go on buttons */
#define BANK_MAX_TEXT_BYTES 3000      /* task text: a card (header + text) fits one 4096-char message */
#define BANK_MAX_SOLUTION_BYTES 3000  /* solution: sent as its own message, same reason */
#define BANK_MAX_ANSWERS 8            /* accepted answers per task: spellings of one answer, not a list */
#define BANK_MAX_ANSWER_BYTES 100     /* one accepted answer: part 1 answers are a number or a word or two */
#define BANK_MAX_NUMBER 99            /* exam task numbers: ЕГЭ has fewer than 30 */
#define BANK_MAX_LINE_BYTES 4096      /* one line of a bank file: a whole text fits on one line */
#define BANK_MAX_FILE_BYTES (16 << 20) /* a bank file: far above any real bank, bounds memory */
#define BANK_MAX_INPUT_BYTES 1024     /* a student's answer: longer cannot match any accepted answer */
#define BANK_MAX_REPORTED_ERRORS 100  /* errors printed per load; the count goes on */
#define GEN_CACHE_SLOTS 16            /* generated variants built at once: a handler holds two or three */

enum { BANK_ADD, BANK_REPLACE }; /* tasks_mode: add to the bank, or replace it */

struct bank_subject {
	char id[BANK_MAX_ID_BYTES + 1]; /* "math": stable, stored in progress records */
	char *title;                    /* "Математика (профиль)" */
	int ntasks;                     /* tasks of this subject in the bank */
};

/* How an answer is compared ("order:" in a bank file). */
enum {
	BANK_ORDER_EXACT, /* the text, after normalisation */
	BANK_ORDER_ANY,   /* "any": a set of digits in any order ("135" = "5 3 1") */
	BANK_ORDER_SEQ    /* "digits": digits in this order, may repeat ("12" = "1 2", not "21") */
};

/* What a task is: written in a bank text, or made by a generator.  A
 * generator also stands in the bank's task list as one entry of its
 * subject and number (id "GENERATOR@", no answers), so menus, counts and
 * the bot's choice of task see it; the bot turns that entry into a fresh
 * variant (bank_gen_fresh). */
enum { BANK_FIXED, BANK_GENERATOR, BANK_VARIANT };

/* One task.  All strings live in one allocation, mem, so a task is one
 * malloc and copying a bank is a memcpy per task. */
struct bank_task {
	char id[BANK_MAX_ID_BYTES + 1]; /* "math-01": stable, stored in progress records */
	int subject;                    /* index into bank.subjects */
	int number;                     /* exam task number, 1..BANK_MAX_NUMBER */
	const char *topic;              /* "Вероятность", or "" */
	const char *text;               /* may hold '\n' */
	const char *solution;           /* may be "" */
	const char *answers[BANK_MAX_ANSWERS]; /* accepted answers as written; [0] is shown to students */
	const char *norm[BANK_MAX_ANSWERS];    /* the same, normalised (digits for order any/digits) */
	int nanswers;                   /* >= 1; 0 for a generator's entry */
	int order;                      /* BANK_ORDER_*: how the answer is compared */
	int kind;                       /* BANK_FIXED, BANK_GENERATOR or BANK_VARIANT */
	int gen;                        /* generators and variants: index into gen_table */
	uint32_t seed;                  /* variants: the seed that made it */
	int line;                       /* where the task starts in its source */
	int seq;                        /* load order, to keep the file's order within a number */
	char *mem;
	size_t memlen;
};

/* The bank: owned by whoever loaded it; the bot keeps one and swaps in a
 * freshly loaded one on SIGHUP.  Tasks are sorted by subject, then number,
 * then load order, so one subject's (or one number's) tasks are contiguous. */
struct bank {
	struct bank_subject subjects[BANK_MAX_SUBJECTS];
	int nsubjects;
	struct bank_task *tasks;
	int ntasks, cap;
	int next_seq;
	struct gen_cache *cache;  /* variants built by bank_find(); NULL: no generators */
};

/* Variants built by bank_find(): a ring, so a pointer bank_find() returned
 * stays valid until GEN_CACHE_SLOTS other variants have been built. */
struct gen_cache {
	struct bank_task slot[GEN_CACHE_SLOTS];
	int next;
};

static void gen_cache_free(struct gen_cache *c)
{
	if (!c)
		return;
	for (int i = 0; i < GEN_CACHE_SLOTS; i++)
		free(c->slot[i].mem);
	free(c);
}


/* --- answer normalisation ---------------------------------------------------- */

/* The rules, in the order they apply.  This table is the documentation and
 * the test list: tests/unit_bank.c checks every row, so a row that lies
 * fails the build.  Rows with an order are for "order: any" or "order:
 * digits" tasks only, which compare digits after the rules up to "period". */
static const struct bank_norm_rule {
	const char *name;
	const char *does;
	const char *in;
	const char *out;
	int order; /* BANK_ORDER_* the row applies to */
} bank_norm_rules[] = {
	{"utf8", "invalid UTF-8 becomes U+FFFD, so it never matches a real answer", "a\xff", "a\xef\xbf\xbd", 0},
	{"invisible", "zero-width characters (U+200B-U+200D, U+2060, U+FEFF) are dropped", "1\xe2\x80\x8b" "2", "12", 0},
	{"spaces", "tab, newline, no-break and other Unicode spaces are spaces", "a\xc2\xa0\tb", "a b", 0},
	{"trim", "spaces at both ends are dropped", "  12 ", "12", 0},
	{"collapse", "runs of inner spaces become one", "два   слова", "два слова", 0},
	{"case", "A-Z and А-Я (Ѐ-Џ too) fold to lower case", "ПрИвЕт, Hi", "привет, hi", 0},
	{"yo", "ё and Ё compare as е", "Ёлочка", "елочка", 0},
	{"minus", "minus sign U+2212 and en dash U+2013 are '-'", "\xe2\x88\x92" "5", "-5", 0},
	{"prefix", "a leading \"ответ:\" or \"answer:\" is dropped", "Ответ: 7", "7", 0},
	{"period", "one trailing period is dropped", "лягте.", "лягте", 0},
	{"comma", "a number's decimal comma is a point", "0,25", "0.25", 0},
	{"zeros", "trailing zeros after the point are dropped", "0.50", "0.5", 0},
	{"point", "a bare fraction gets its 0", ",5", "0.5", 0},
	{"integer", "a number with only zeros after the point is an integer", "12,000", "12", 0},
	{"sign", "'+' is dropped, and -0 is 0", "-0,0", "0", 0},
	{"thousands", "digit groups of three separated by spaces are one number", "1 000 000", "1000000", 0},
	{"leading zeros", "a number may not start with 0 (codes like 0110 stay text)", "0110", "0110", 0},
	{"exponent", "1e3 is text, not 1000: exam answer forms have no exponents", "1e3", "1e3", 0},
	{"fraction", "1/2 is text, not 0.5: the exam wants decimals", "1/2", "1/2", 0},
	{"digit set", "order: any compares the digits, sorted; separators are space , . ;", "5, 3, 1.", "135", BANK_ORDER_ANY},
	{"digit set only", "order: any with anything but digits and separators never matches", "1 и 3", "", BANK_ORDER_ANY},
	{"digit row", "order: digits keeps the digits in their order, repeats too; separators are space , . ;", "2 1, 1", "211",
	 BANK_ORDER_SEQ},
	{"digit row only", "order: digits with anything but digits and separators never matches", "2-1-1", "", BANK_ORDER_SEQ},
};

/* Notes the checker adds to a verdict: the answer's number was checked,
 * but the exam's answer form wants it written differently. */
enum { BANK_NOTE_NONE, BANK_NOTE_UNITS, BANK_NOTE_FRACTION, BANK_NOTE_PREFIX, BANK_NOTE_COUNT };
static const char *const bank_notes[BANK_NOTE_COUNT][LANG_COUNT] = {
	[BANK_NOTE_UNITS] = {"На экзамене пишите только число: без единиц измерения и знака %, они уже есть в условии.",
	                     "On the exam, write the number alone: no units or %, the task already names them."},
	[BANK_NOTE_FRACTION] = {"В бланке ЕГЭ нет обыкновенных дробей: пишите десятичную дробь (1/4 → 0,25).",
	                        "The exam form has no fractions like 1/4: write a decimal (0,25)."},
	[BANK_NOTE_PREFIX] = {"В бланк пишется только ответ, без слова «Ответ».",
	                      "On the form, write the answer alone, without the word “Answer”."},
};

/* The kind examiner: what is accepted beyond the normalised text, each row
 * a test (tests/unit_bank.c) with the task's answer, what the student
 * types, the verdict and the note. */
static const struct bank_kind_rule {
	const char *name;
	const char *does;
	const char *answer; /* the task's accepted answer */
	int order;
	const char *typed;
	int correct;
	int note;           /* BANK_NOTE_* */
} bank_kind_rules[] = {
	{"look-alike", "a Latin letter that looks like a Cyrillic one counts as it in a Cyrillic answer", "раскосый",
	 BANK_ORDER_EXACT, "packocый", 1, BANK_NOTE_NONE},
	{"look-alike back", "... and a Cyrillic look-alike as Latin in a Latin answer", "xyz", BANK_ORDER_EXACT, "ху z", 0,
	 BANK_NOTE_NONE},
	{"look-alike back", "", "xyz", BANK_ORDER_EXACT, "хуz", 1, BANK_NOTE_NONE},
	{"other letters", "a letter with no look-alike still makes the answer wrong", "сор", BANK_ORDER_EXACT, "soр", 0,
	 BANK_NOTE_NONE},
	{"code groups", "a binary code may be written in groups, as the solutions do", "110011110", BANK_ORDER_EXACT,
	 "110 0 111 10", 1, BANK_NOTE_NONE},
	{"units", "a number with units is checked as the number, with a note", "25", BANK_ORDER_EXACT, "25 м", 1,
	 BANK_NOTE_UNITS},
	{"percent", "... a percent sign too", "12,5", BANK_ORDER_EXACT, "12,5 %", 1, BANK_NOTE_UNITS},
	{"degrees", "... and degrees", "70", BANK_ORDER_EXACT, "70°", 1, BANK_NOTE_UNITS},
	{"wrong units", "a wrong number with units is wrong, with the note", "25", BANK_ORDER_EXACT, "24 м", 0,
	 BANK_NOTE_UNITS},
	{"fraction", "a fraction equal to the answer is right, with a note", "0,5", BANK_ORDER_EXACT, "1/2", 1,
	 BANK_NOTE_FRACTION},
	{"fraction", "", "-0,75", BANK_ORDER_EXACT, "-3/4", 1, BANK_NOTE_FRACTION},
	{"wrong fraction", "a fraction that is not the answer is wrong, with the note", "0,5", BANK_ORDER_EXACT, "1/3", 0,
	 BANK_NOTE_FRACTION},
	{"bare Ответ", "\"Ответ 0,5\" without the colon: the number is checked, with a note", "0,5", BANK_ORDER_EXACT,
	 "Ответ 0,5", 1, BANK_NOTE_PREFIX},
	{"words stay words", "a word answer gets no number rules", "пять", BANK_ORDER_EXACT, "5 м", 0, BANK_NOTE_NONE},
};

/* Print the rule tables (for `examflow help answers` and the README). */
static void bank_print_rules(FILE *out)
{
	for (size_t i = 0; i < sizeof bank_norm_rules / sizeof bank_norm_rules[0]; i++) {
		const struct bank_norm_rule *r = &bank_norm_rules[i];
		if (!strcmp(r->name, "utf8") || !strcmp(r->name, "invisible") || !strcmp(r->name, "spaces"))
			fprintf(out, "  %-15s %s\n", r->name, r->does); /* examples are not printable */
		else
			fprintf(out, "  %-15s %s: \"%s\" -> \"%s\"\n", r->name, r->does, r->in, r->out);
	}
	for (size_t i = 0; i < sizeof bank_kind_rules / sizeof bank_kind_rules[0]; i++) {
		const struct bank_kind_rule *r = &bank_kind_rules[i];
		if (*r->does)
			fprintf(out, "  %-15s %s: answer \"%s\", typed \"%s\" -> %s%s\n", r->name, r->does, r->answer, r->typed,
			        r->correct ? "right" : "wrong", r->note ? " + note" : "");
	}
}

/* Map one code point through the per-character rules; returns 0 to drop it. */
static uint32_t bank_fold(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0x0410 && c <= 0x042F) /* А-Я */
		c += 0x20;
	else if (c >= 0x0400 && c <= 0x040F) /* Ѐ-Џ, Ё among them */
		c += 0x50;
	if (c == 0x0451) /* ё */
		return 0x0435;
	if (c == 0x2212 || c == 0x2013)
		return '-';
	if (c == 0x200B || c == 0x200C || c == 0x200D || c == 0x2060 || c == 0xFEFF)
		return 0;
	if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0xA0 ||
	    (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000)
		return ' ';
	return c;
}

static int bank_is_digit(int c) { return c >= '0' && c <= '9'; }

/* If s is a decimal number ("+0,50", "1 000", ",5"), rewrite it in canonical
 * form ("0.5", "1000", "0.5"); anything else is left alone.  0, or -1 when
 * memory ran out. */
static int bank_canon_number(struct buf *s)
{
	char ip[BANK_MAX_INPUT_BYTES + 1], fp[BANK_MAX_INPUT_BYTES + 1];
	size_t ni = 0, nf = 0;
	if (s->len > BANK_MAX_INPUT_BYTES)
		return 0;
	const char *p = s->p;
	int neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (*p == '0') {
		ip[ni++] = *p++;
		if (bank_is_digit(*p))
			return 0; /* leading zero: a code, not a number */
	} else if (bank_is_digit(*p)) {
		size_t run = 0;
		while (bank_is_digit(p[run]))
			ip[ni++] = p[run++];
		p += run;
		if (*p == ' ' && run > 3)
			return 0;
		while (*p == ' ') { /* thousands: " ddd" groups, nothing else */
			if (!bank_is_digit(p[1]) || !bank_is_digit(p[2]) || !bank_is_digit(p[3]) || bank_is_digit(p[4]))
				return 0;
			memcpy(ip + ni, p + 1, 3);
			ni += 3;
			p += 4;
		}
	}
	if (*p == '.' || *p == ',') {
		p++;
		while (bank_is_digit(*p))
			fp[nf++] = *p++;
		if (nf == 0)
			return 0;
	}
	if (*p != '\0' || ni + nf == 0)
		return 0;
	while (nf > 0 && fp[nf - 1] == '0')
		nf--;
	if (ni == 0)
		ip[ni++] = '0';
	if (nf == 0 && ni == 1 && ip[0] == '0')
		neg = 0;
	buf_reset(s);
	if ((neg && buf_putc(s, '-') < 0) || buf_append(s, ip, ni) < 0 ||
	    (nf && (buf_putc(s, '.') < 0 || buf_append(s, fp, nf) < 0)))
		return -1;
	return 0;
}

/* The normalisation behind bank_normalize(); numbers = 0 skips the number
 * rules (digit-set answers must keep every digit).  0, or -1 when the input
 * is longer than BANK_MAX_INPUT_BYTES or memory ran out (out is then ""). */
static int bank_norm(const char *in, struct buf *out, int numbers)
{
	buf_reset(out);
	if (buf_reserve(out, 0) < 0)
		return -1;
	out->p[0] = '\0'; /* a fresh buffer's first byte */
	size_t n = strnlen(in, BANK_MAX_INPUT_BYTES + 1);
	if (n > BANK_MAX_INPUT_BYTES)
		return -1;
	const unsigned char *u = (const unsigned char *)in;
	int space = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		i += utf8_decode(u + i, n - i, &c);
		c = bank_fold(c);
		if (c == 0)
			continue;
		if (c == ' ') {
			space = out->len > 0;
			continue;
		}
		char enc[4];
		if ((space && buf_putc(out, ' ') < 0) || buf_append(out, enc, (size_t)utf8_encode(c, enc)) < 0) {
			buf_reset(out);
			return -1;
		}
		space = 0;
	}
	static const char *const prefixes[] = {"ответ:", "answer:"};
	for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; k++) {
		size_t pl = strlen(prefixes[k]);
		if (out->len >= pl && memcmp(out->p, prefixes[k], pl) == 0) {
			buf_consume(out, pl + (out->p[pl] == ' '));
			break;
		}
	}
	if (out->len > 0 && out->p[out->len - 1] == '.')
		out->p[--out->len] = '\0';
	if (out->len > 0 && out->p[out->len - 1] == ' ')
		out->p[--out->len] = '\0';
	if (numbers && bank_canon_number(out) < 0) {
		buf_reset(out);
		return -1;
	}
	return 0;
}

/* Normalise a student's (or the bank's) answer with every rule of
 * bank_norm_rules except the digit set.  0, or -1 if too long (out = ""). */
static int bank_normalize(const char *in, struct buf *out) { return bank_norm(in, out, 1); }

/* The digits of an already normalised answer, sorted (BANK_ORDER_ANY:
 * "5, 3 1" → "135") or as written (BANK_ORDER_SEQ: "2 1, 1" → "211").
 * 0, or -1 if it holds anything but digits and separators, no digit at
 * all, or more than cap - 1 digits. */
static int bank_digits(const char *s, int order, char *out, size_t cap)
{
	size_t count[10] = {0}, total = 0;
	for (; *s; s++) {
		if (bank_is_digit(*s)) {
			if (total + 1 >= cap)
				return -1;
			count[*s - '0']++;
			out[total++] = *s;
		} else if (!strchr(" ,.;", *s)) {
			return -1;
		}
	}
	if (total == 0)
		return -1;
	if (order == BANK_ORDER_ANY)
		for (int d = 0; d < 10; d++)
			for (size_t k = 0; k < count[d]; k++)
				*out++ = (char)('0' + d);
	else
		out += total;
	*out = '\0';
	return 0;
}

/* Apply one rule row (or any input) the way answers are compared: the
 * normalised text, or the digits ("" when there are none). */
static int bank_norm_for_compare(const char *in, int order, struct buf *out)
{
	if (order == BANK_ORDER_EXACT)
		return bank_normalize(in, out);
	if (bank_norm(in, out, 0) < 0)
		return -1;
	char d[BANK_MAX_INPUT_BYTES + 1];
	int rc = bank_digits(out->p, order, d, sizeof d);
	buf_reset(out);
	return buf_puts(out, rc == 0 ? d : "") < 0 ? -1 : 0;
}

/* --- the kind examiner ---------------------------------------------------------- */

/* Latin letters and the Cyrillic ones they look like (lower case: the
 * normaliser has folded case, and В, Н, М, Т look alike in capitals). */
static const struct {
	char lat;
	uint32_t cyr;
} bank_twins[] = {
	{'a', 0x0430}, {'b', 0x0432}, {'c', 0x0441}, {'e', 0x0435}, {'h', 0x043D}, {'k', 0x043A},
	{'m', 0x043C}, {'o', 0x043E}, {'p', 0x0440}, {'t', 0x0442}, {'x', 0x0445}, {'y', 0x0443},
};
#define BANK_NTWINS (sizeof bank_twins / sizeof bank_twins[0])

/* Which alphabet a normalised answer is written in: 'c' Cyrillic, 'l'
 * Latin, 0 neither or both. */
static int bank_script(const char *s)
{
	int cyr = 0, lat = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0, n = strlen(s); i < n;) {
		uint32_t c;
		i += utf8_decode(u + i, n - i, &c);
		cyr |= c >= 0x0430 && c <= 0x045F;
		lat |= c >= 'a' && c <= 'z';
	}
	return cyr == lat ? 0 : cyr ? 'c' : 'l';
}

/* Rewrite the look-alike letters of s into the alphabet `script`. */
static int bank_to_script(const char *s, int script, struct buf *out)
{
	buf_reset(out);
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0, n = strlen(s); i < n;) {
		uint32_t c;
		i += utf8_decode(u + i, n - i, &c);
		for (size_t k = 0; k < BANK_NTWINS; k++)
			if (script == 'c' && c == (uint32_t)bank_twins[k].lat)
				c = bank_twins[k].cyr;
			else if (script == 'l' && c == bank_twins[k].cyr)
				c = (uint32_t)bank_twins[k].lat;
		char enc[4];
		if (buf_append(out, enc, (size_t)utf8_encode(c, enc)) < 0)
			return -1;
	}
	return buf_puts(out, "");
}

/* A binary code (only 0 and 1, at least 3 digits) written in groups:
 * "110 0 111 10" is "110011110". */
static int bank_code_groups(const char *typed, const char *want)
{
	if (strlen(want) < 3 || strspn(want, "01") != strlen(want) || strspn(typed, "01 ") != strlen(typed))
		return 0;
	for (; *want; want++, typed++) {
		while (*typed == ' ')
			typed++;
		if (*typed != *want)
			return 0;
	}
	return *typed == '\0';
}

/* Is s a canonical number as bank_canon_number writes it? */
static int bank_is_number(const char *s)
{
	if (*s == '-')
		s++;
	size_t n = strspn(s, "0123456789");
	if (n == 0 || (n > 1 && *s == '0'))
		return 0;
	if (s[n] == '.')
		return strspn(s + n + 1, "0123456789") > 0 && s[n + 1 + strspn(s + n + 1, "0123456789")] == '\0';
	return s[n] == '\0';
}

/* Does the fraction p/q equal the canonical decimal d? */
static int bank_fraction_is(long long p, long long q, const char *d)
{
	int neg = *d == '-';
	d += neg;
	__int128 num = 0, den = 1;
	int frac = 0;
	for (; *d; d++) {
		if (*d == '.') {
			frac = 1;
			continue;
		}
		if (num > ((__int128)1 << 58) || den > ((__int128)1 << 58))
			return 0; /* past 17 digits: no exam answer; and p*den, num*q stay below 2^127 */
		num = num * 10 + (*d - '0');
		if (frac)
			den *= 10;
	}
	if (neg)
		num = -num;
	return (__int128)p * den == num * (__int128)q;
}

/* The number at the start of a normalised answer, canonical, and where
 * the rest starts: "12,5 %" → "12.5" and "%".  0, or -1 when there is no
 * number there. */
static int bank_lead_number(const char *s, struct buf *num, const char **rest)
{
	size_t n = strspn(s, "+-0123456789 ,.");
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == ',' || s[n - 1] == '.'))
		n--;
	buf_reset(num);
	if (n == 0 || buf_append(num, s, n) < 0 || bank_canon_number(num) < 0 || !bank_is_number(num->p))
		return -1;
	*rest = s + n;
	while (**rest == ' ')
		(*rest)++;
	return 0;
}

/* Units after a number: "м", "%", "°", "км/ч", "см²" — letters and signs,
 * no digits, a word or two. */
static int bank_is_units(const char *s)
{
	size_t n = strlen(s);
	return n > 0 && n <= 24 && strpbrk(s, "0123456789") == NULL && strchr("+-,;:", s[0]) == NULL;
}

/* A numeric answer written the way the exam form does not want it: after
 * a bare "ответ", with units, or as a fraction.  Sets *correct by the
 * number and returns the note, or BANK_NOTE_NONE when the answer is not
 * of that shape. */
static int bank_kind_number(const struct bank_task *t, const char *typed, int *correct)
{
	int note = BANK_NOTE_NONE;
	static const char bare[] = "ответ";
	if (strncmp(typed, bare, sizeof bare - 1) == 0 && strchr(" -=", typed[sizeof bare - 1])) {
		typed += sizeof bare - 1;
		typed += strspn(typed, " -=");
		note = BANK_NOTE_PREFIX;
	}
	struct buf num = BUF_INIT;
	const char *rest;
	if (bank_lead_number(typed, &num, &rest) < 0) {
		buf_free(&num);
		return BANK_NOTE_NONE;
	}
	*correct = 0;
	if (*rest == '/') { /* p/q: whole numbers only */
		char *end;
		errno = 0;
		long long p = strtoll(num.p, &end, 10), q = strtoll(rest + 1, &end, 10);
		if (errno || strchr(num.p, '.') || !bank_is_digit(rest[1]) || q == 0 || (*end && !bank_is_units(end + (*end == ' ')))) {
			buf_free(&num);
			return BANK_NOTE_NONE;
		}
		for (int i = 0; i < t->nanswers; i++)
			*correct |= bank_is_number(t->norm[i]) && bank_fraction_is(p, q, t->norm[i]);
		note = BANK_NOTE_FRACTION;
	} else if (*rest == '\0' || bank_is_units(rest)) {
		for (int i = 0; i < t->nanswers; i++)
			*correct |= strcmp(num.p, t->norm[i]) == 0;
		if (*rest)
			note = BANK_NOTE_UNITS;
	} else {
		note = BANK_NOTE_NONE;
	}
	buf_free(&num);
	return note;
}

/* Check a student's answer to task t: 1 right, 0 wrong; *note (when not
 * NULL) gets a BANK_NOTE_* to show with the verdict. */
static int bank_answer_check(const struct bank_task *t, const char *user_answer, int *note)
{
	struct buf n = BUF_INIT, twin = BUF_INIT;
	int ok = 0, nt = BANK_NOTE_NONE;
	if (!t || !user_answer || bank_norm_for_compare(user_answer, t->order, &n) < 0 || n.len == 0)
		goto done;
	for (int i = 0; i < t->nanswers && !ok; i++) {
		int script = bank_script(t->norm[i]);
		ok = strcmp(n.p, t->norm[i]) == 0 ||
		     (script && bank_to_script(n.p, script, &twin) == 0 && strcmp(twin.p, t->norm[i]) == 0) ||
		     (t->order == BANK_ORDER_EXACT && bank_code_groups(n.p, t->norm[i]));
	}
	if (!ok && t->order == BANK_ORDER_EXACT && t->nanswers > 0 && bank_is_number(t->norm[0]))
		nt = bank_kind_number(t, n.p, &ok);
done:
	buf_free(&n);
	buf_free(&twin);
	if (note)
		*note = nt;
	return ok;
}

/* Does the student's answer match one of the task's accepted answers? */
TEST_API static int bank_answer_matches(const struct bank_task *t, const char *user_answer)
{
	return bank_answer_check(t, user_answer, NULL);
}

/* The note's text in a language (LANG_*), "" for none. */
static const char *bank_note_text(int note, int lang)
{
	if (note <= BANK_NOTE_NONE || note >= BANK_NOTE_COUNT)
		return "";
	return bank_notes[note][lang >= 0 && lang < LANG_COUNT ? lang : LANG_RU];
}

/* --- the bank in memory ----------------------------------------------------- */

static void bank_free(struct bank *b)
{
	for (int i = 0; i < b->nsubjects; i++)
		free(b->subjects[i].title);
	for (int i = 0; i < b->ntasks; i++)
		free(b->tasks[i].mem);
	free(b->tasks);
	gen_cache_free(b->cache);
	memset(b, 0, sizeof *b);
}

static int bank_subject_index(const struct bank *b, const char *id)
{
	for (int i = 0; i < b->nsubjects; i++)
		if (strcmp(b->subjects[i].id, id) == 0)
			return i;
	return -1;
}

static int bank_task_index(const struct bank *b, const char *id)
{
	/* Linear: at most BANK_MAX_TASKS short compares, microseconds per message. */
	for (int i = 0; i < b->ntasks; i++)
		if (strcmp(b->tasks[i].id, id) == 0)
			return i;
	return -1;
}

static int bank_grow(struct bank *b, int need)
{
	if (need <= b->cap)
		return 0;
	int cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	struct bank_task *t = realloc(b->tasks, (size_t)cap * sizeof *t);
	if (!t)
		return -1;
	b->tasks = t;
	b->cap = cap;
	return 0;
}

/* Point a task's strings into a new copy of its memory block. */
static void bank_task_rebase(struct bank_task *t, char *mem)
{
#define BANK_REBASE(p) ((p) = mem + ((p) - t->mem))
	BANK_REBASE(t->topic);
	BANK_REBASE(t->text);
	BANK_REBASE(t->solution);
	for (int i = 0; i < t->nanswers; i++) {
		BANK_REBASE(t->answers[i]);
		BANK_REBASE(t->norm[i]);
	}
#undef BANK_REBASE
	t->mem = mem;
}

/* dst = a deep copy of src.  0, or -1 (out of memory; dst is then empty). */
static int bank_copy(struct bank *dst, const struct bank *src)
{
	memset(dst, 0, sizeof *dst);
	for (int i = 0; i < src->nsubjects; i++) {
		dst->subjects[i] = src->subjects[i];
		dst->subjects[i].title = strdup(src->subjects[i].title);
		dst->nsubjects++;
		if (!dst->subjects[i].title)
			goto fail;
	}
	if (bank_grow(dst, src->ntasks) < 0)
		goto fail;
	for (int i = 0; i < src->ntasks; i++) {
		char *mem = malloc(src->tasks[i].memlen);
		if (!mem)
			goto fail;
		memcpy(mem, src->tasks[i].mem, src->tasks[i].memlen);
		dst->tasks[i] = src->tasks[i];
		bank_task_rebase(&dst->tasks[i], mem);
		dst->ntasks++;
	}
	dst->next_seq = src->next_seq;
	if (src->cache && !(dst->cache = calloc(1, sizeof *dst->cache)))
		goto fail;
	return 0;
fail:
	bank_free(dst);
	return -1;
}

static int bank_task_cmp(const void *a, const void *b)
{
	const struct bank_task *x = a, *y = b;
	if (x->subject != y->subject)
		return x->subject < y->subject ? -1 : 1;
	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static void bank_sort(struct bank *b)
{
	if (b->ntasks > 1)
		qsort(b->tasks, (size_t)b->ntasks, sizeof b->tasks[0], bank_task_cmp);
	for (int i = 0; i < b->nsubjects; i++)
		b->subjects[i].ntasks = 0;
	for (int i = 0; i < b->ntasks; i++)
		b->subjects[b->tasks[i].subject].ntasks++;
}

/* How many tasks a subject has with this exam number (0: any number). */
static int bank_count(const struct bank *b, int subject, int number)
{
	int n = 0;
	for (int i = 0; i < b->ntasks; i++)
		n += b->tasks[i].subject == subject && (number == 0 || b->tasks[i].number == number);
	return n;
}

/* The k-th task (from 0, in bank order) of a subject with this number (0:
 * any), or NULL when there are not that many. */
static const struct bank_task *bank_nth(const struct bank *b, int subject, int number, int k)
{
	for (int i = 0; i < b->ntasks; i++)
		if (b->tasks[i].subject == subject && (number == 0 || b->tasks[i].number == number) && k-- == 0)
			return &b->tasks[i];
	return NULL;
}

/* The distinct task numbers a subject has, ascending, into nums[0..max).
 * Returns how many there are (may exceed max). */
static int bank_numbers(const struct bank *b, int subject, int *nums, int max)
{
	int n = 0, last = 0;
	for (int i = 0; i < b->ntasks; i++) {
		const struct bank_task *t = &b->tasks[i];
		if (t->subject != subject || t->number == last)
			continue;
		if (n < max)
			nums[n] = t->number;
		n++;
		last = t->number;
	}
	return n;
}

/* --- the bank file format ---------------------------------------------------- */

/* The values of "order:", indexed by BANK_ORDER_*. */
static const char *const bank_order_names[] = {"exact", "any", "digits"};

static int bank_order_by_name(const char *s)
{
	for (int i = 0; i < (int)(sizeof bank_order_names / sizeof bank_order_names[0]); i++)
		if (strcmp(s, bank_order_names[i]) == 0)
			return i;
	return -1;
}

/* Every key a bank file may use.  A block with "title:" declares a subject;
 * any other block is a task. */
enum { BK_SUBJECT, BK_TITLE, BK_ID, BK_NUMBER, BK_TOPIC, BK_TEXT, BK_ANSWER, BK_ORDER, BK_SOLUTION, BK_COUNT };
#define BK_REPEAT 1 /* may appear several times in a block */
#define BK_LINES 2  /* continues on indented lines */
static const struct bank_key {
	const char *name;
	size_t max_bytes; /* 0: the value is checked by its own rule */
	unsigned flags;
	const char *help;
} bank_keys[BK_COUNT] = {
	[BK_SUBJECT] = {"subject", 0, 0, "subject id (a-z, 0-9, '-', '_'); in a task: which subject, if not the one declared above"},
	[BK_TITLE] = {"title", BANK_MAX_TITLE_BYTES, 0, "subject title shown on buttons; makes the block a subject declaration"},
	[BK_ID] = {"id", 0, 0, "task id, unique and stable: progress refers to it"},
	[BK_NUMBER] = {"number", 0, 0, "exam task number this task trains, 1-99"},
	[BK_TOPIC] = {"topic", BANK_MAX_TITLE_BYTES, 0, "optional short topic, e.g. Вероятность"},
	[BK_TEXT] = {"text", BANK_MAX_TEXT_BYTES, BK_LINES, "the task as the student sees it"},
	[BK_ANSWER] = {"answer", BANK_MAX_ANSWER_BYTES, BK_REPEAT, "an accepted answer; repeat the line for more"},
	[BK_ORDER] = {"order", 0, 0, "'any': a set of digits in any order; 'digits': digits in this order, may repeat"},
	[BK_SOLUTION] = {"solution", BANK_MAX_SOLUTION_BYTES, BK_LINES, "optional short solution shown after an answer"},
};

/* The block being read: raw values and the line of each key, checked as a
 * whole when the block ends. */
struct bank_block {
	int line;                 /* first line; 0 while no block is open */
	int key_line[BK_COUNT];   /* line of each key, 0 when absent */
	struct buf val[BK_COUNT]; /* values; answers are in ans[] */
	struct buf ans[BANK_MAX_ANSWERS];
	int ans_line[BANK_MAX_ANSWERS];
	int nans;
	int last;                 /* key an indented line would continue, -1 none,
	                           * -2 after a reported error (its lines are skipped) */
	int bad;                  /* an error was reported inside this block */
};

struct bank_parser {
	struct bank *b;       /* the new bank being built */
	const char *name;     /* source name for messages */
	FILE *errs;           /* NULL: count errors silently */
	int errors;
	int line;
	int subject;          /* subject declared last in this source, -1 none */
	int decl_line[BANK_MAX_SUBJECTS]; /* where this source declared subject i */
	int first_seq;        /* tasks with seq >= this come from this source */
	struct bank_block blk;
};

__attribute__((format(printf, 3, 4)))
static void bank_err(struct bank_parser *p, int line, const char *fmt, ...)
{
	p->errors++;
	if (p->blk.line)
		p->blk.bad = 1;
	if (!p->errs || p->errors > BANK_MAX_REPORTED_ERRORS)
		return;
	if (line > 0)
		fprintf(p->errs, "%s:%d: ", p->name, line);
	else
		fprintf(p->errs, "%s: ", p->name);
	va_list ap;
	va_start(ap, fmt);
	vfprintf(p->errs, fmt, ap);
	va_end(ap);
	fputc('\n', p->errs);
}

static void bank_block_reset(struct bank_block *k)
{
	k->line = 0;
	k->nans = 0;
	k->last = -1;
	k->bad = 0;
	for (int i = 0; i < BK_COUNT; i++) {
		k->key_line[i] = 0;
		buf_reset(&k->val[i]);
	}
	for (int i = 0; i < BANK_MAX_ANSWERS; i++)
		buf_reset(&k->ans[i]);
}

static void bank_block_free(struct bank_block *k)
{
	for (int i = 0; i < BK_COUNT; i++)
		buf_free(&k->val[i]);
	for (int i = 0; i < BANK_MAX_ANSWERS; i++)
		buf_free(&k->ans[i]);
}

static const char *bank_val(const struct bank_block *k, int key) { return k->val[key].p ? k->val[key].p : ""; }

/* Ids: 1..BANK_MAX_ID_BYTES of [a-z0-9_-], plus [A-Z.] for tasks. */
static int bank_valid_id(const char *s, int task)
{
	size_t n = strlen(s);
	if (n == 0 || n > BANK_MAX_ID_BYTES)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || bank_is_digit(*s) || *s == '-' || *s == '_' ||
		      (task && ((*s >= 'A' && *s <= 'Z') || *s == '.'))))
			return 0;
	return 1;
}

/* Report values over their key's limit. */
static void bank_check_lengths(struct bank_parser *p)
{
	struct bank_block *k = &p->blk;
	for (int i = 0; i < BK_COUNT; i++)
		if (k->key_line[i] && bank_keys[i].max_bytes && k->val[i].len > bank_keys[i].max_bytes)
			bank_err(p, k->key_line[i], "%s too long (%zu bytes, max %zu)", bank_keys[i].name, k->val[i].len,
			         bank_keys[i].max_bytes);
	for (int i = 0; i < k->nans; i++)
		if (k->ans[i].len > BANK_MAX_ANSWER_BYTES)
			bank_err(p, k->ans_line[i], "answer too long (%zu bytes, max %d)", k->ans[i].len, BANK_MAX_ANSWER_BYTES);
}

static void bank_end_subject(struct bank_parser *p)
{
	struct bank_block *k = &p->blk;
	for (int i = 0; i < BK_COUNT; i++)
		if (i != BK_SUBJECT && i != BK_TITLE && k->key_line[i])
			bank_err(p, k->key_line[i], "'%s:' does not belong in a subject declaration (the block has 'title:'; "
			         "leave a blank line before the first task)", bank_keys[i].name);
	for (int i = 0; i < k->nans; i++)
		bank_err(p, k->ans_line[i], "'answer:' does not belong in a subject declaration (the block has 'title:')");
	const char *id = bank_val(k, BK_SUBJECT), *title = bank_val(k, BK_TITLE);
	if (!k->key_line[BK_SUBJECT])
		bank_err(p, k->line, "subject declaration without 'subject:' (add an id, e.g. subject: math)");
	else if (!bank_valid_id(id, 0))
		bank_err(p, k->key_line[BK_SUBJECT], "bad subject id '%s' (use a-z, 0-9, '-', '_'; at most %d)", id,
		         BANK_MAX_ID_BYTES);
	if (!*title)
		bank_err(p, k->key_line[BK_TITLE], "empty 'title:'");
	bank_check_lengths(p);
	if (k->bad)
		return;
	int i = bank_subject_index(p->b, id);
	if (i >= 0 && p->decl_line[i]) {
		bank_err(p, k->line, "subject '%s' declared twice (first at line %d)", id, p->decl_line[i]);
		return;
	}
	if (i < 0 && p->b->nsubjects == BANK_MAX_SUBJECTS) {
		bank_err(p, k->line, "too many subjects (max %d)", BANK_MAX_SUBJECTS);
		return;
	}
	char *t = strdup(title);
	if (!t) {
		bank_err(p, k->line, "out of memory");
		return;
	}
	if (i < 0) {
		i = p->b->nsubjects++;
		snprintf(p->b->subjects[i].id, sizeof p->b->subjects[i].id, "%s", id);
		p->b->subjects[i].ntasks = 0;
	} else {
		free(p->b->subjects[i].title); /* a file may retitle an embedded subject */
	}
	p->b->subjects[i].title = t;
	p->decl_line[i] = k->line;
	p->subject = i;
}

/* Copy n bytes of s and a NUL to *cur; returns where they went. */
static const char *bank_put(char **cur, const char *s, size_t n)
{
	char *at = *cur;
	memcpy(at, s, n);
	at[n] = '\0';
	*cur += n + 1;
	return at;
}

/* Append the finished, checked block as a task with normalised answers. */
static void bank_add_task(struct bank_parser *p, int subject, int number, int order, char norm[][BANK_MAX_INPUT_BYTES + 1])
{
	struct bank_block *k = &p->blk;
	size_t size = k->val[BK_TOPIC].len + k->val[BK_TEXT].len + k->val[BK_SOLUTION].len + 3;
	for (int i = 0; i < k->nans; i++)
		size += k->ans[i].len + strlen(norm[i]) + 2;
	char *mem = malloc(size);
	if (!mem || bank_grow(p->b, p->b->ntasks + 1) < 0) {
		free(mem);
		bank_err(p, k->line, "out of memory");
		return;
	}
	struct bank_task *t = &p->b->tasks[p->b->ntasks++];
	memset(t, 0, sizeof *t);
	char *cur = mem;
	snprintf(t->id, sizeof t->id, "%s", bank_val(k, BK_ID));
	t->subject = subject;
	t->number = number;
	t->order = order;
	t->line = k->line;
	t->seq = p->b->next_seq++;
	t->topic = bank_put(&cur, bank_val(k, BK_TOPIC), k->val[BK_TOPIC].len);
	t->text = bank_put(&cur, bank_val(k, BK_TEXT), k->val[BK_TEXT].len);
	t->solution = bank_put(&cur, bank_val(k, BK_SOLUTION), k->val[BK_SOLUTION].len);
	for (int i = 0; i < k->nans; i++) {
		t->answers[i] = bank_put(&cur, k->ans[i].p, k->ans[i].len);
		t->norm[i] = bank_put(&cur, norm[i], strlen(norm[i]));
	}
	t->nanswers = k->nans;
	t->mem = mem;
	t->memlen = size;
}

static void bank_end_task(struct bank_parser *p)
{
	struct bank_block *k = &p->blk;
	const char *id = bank_val(k, BK_ID);
	int subject = p->subject, number = 0, order = BANK_ORDER_EXACT;

	if (!k->key_line[BK_ID])
		bank_err(p, k->line, "missing 'id:'");
	else if (!bank_valid_id(id, 1))
		bank_err(p, k->key_line[BK_ID], "bad id '%s' (use letters, digits, '-', '_', '.'; at most %d)", id,
		         BANK_MAX_ID_BYTES);
	if (k->key_line[BK_SUBJECT]) {
		subject = bank_subject_index(p->b, bank_val(k, BK_SUBJECT));
		if (subject < 0)
			bank_err(p, k->key_line[BK_SUBJECT], "unknown subject '%s' (declare it first with subject: and title:)",
			         bank_val(k, BK_SUBJECT));
	} else if (subject < 0) {
		bank_err(p, k->line, "task without a subject (declare one above with subject: and title:, or add 'subject:')");
	}
	if (!k->key_line[BK_NUMBER]) {
		bank_err(p, k->line, "missing 'number:'");
	} else {
		const char *s = bank_val(k, BK_NUMBER);
		char *end;
		long v = strtol(s, &end, 10);
		if (!bank_is_digit(*s) || *end || v < 1 || v > BANK_MAX_NUMBER)
			bank_err(p, k->key_line[BK_NUMBER], "bad number '%s' (expected 1..%d)", s, BANK_MAX_NUMBER);
		else
			number = (int)v;
	}
	if (!k->key_line[BK_TEXT])
		bank_err(p, k->line, "missing 'text:'");
	else if (k->val[BK_TEXT].len == 0)
		bank_err(p, k->key_line[BK_TEXT], "empty 'text:'");
	if (k->key_line[BK_ORDER]) {
		const char *o = bank_val(k, BK_ORDER);
		order = bank_order_by_name(o);
		if (order < 0) {
			bank_err(p, k->key_line[BK_ORDER], "bad order '%s' (expected 'exact', 'any' or 'digits')", o);
			order = BANK_ORDER_EXACT;
		}
	}
	if (k->nans == 0)
		bank_err(p, k->line, "missing 'answer:'");
	bank_check_lengths(p);

	char norm[BANK_MAX_ANSWERS][BANK_MAX_INPUT_BYTES + 1];
	struct buf n = BUF_INIT;
	for (int i = 0; i < k->nans; i++) {
		norm[i][0] = '\0';
		if (k->ans[i].len > BANK_MAX_ANSWER_BYTES)
			continue; /* reported above */
		if (bank_norm_for_compare(k->ans[i].p, order, &n) < 0)
			bank_err(p, k->ans_line[i], "out of memory");
		else if (n.len == 0 && order != BANK_ORDER_EXACT)
			bank_err(p, k->ans_line[i], "answer '%s' is not digits (the task has 'order: %s')", k->ans[i].p,
			         bank_order_names[order]);
		else if (n.len == 0)
			bank_err(p, k->ans_line[i], "empty 'answer:'");
		else
			snprintf(norm[i], sizeof norm[i], "%s", n.p);
	}
	buf_free(&n);

	int dup = k->key_line[BK_ID] ? bank_task_index(p->b, id) : -1;
	if (dup >= 0 && p->b->tasks[dup].seq >= p->first_seq)
		bank_err(p, k->key_line[BK_ID], "duplicate id '%s' (first at line %d)", id, p->b->tasks[dup].line);
	else if (dup >= 0)
		bank_err(p, k->key_line[BK_ID], "duplicate id '%s' (already in the bank)", id);
	if (!k->bad && p->b->ntasks == BANK_MAX_TASKS)
		bank_err(p, k->line, "too many tasks (max %d)", BANK_MAX_TASKS);
	if (!k->bad)
		bank_add_task(p, subject, number, order, norm);
}

static void bank_end_block(struct bank_parser *p)
{
	if (!p->blk.line)
		return;
	if (p->blk.key_line[BK_TITLE])
		bank_end_subject(p);
	else
		bank_end_task(p);
	bank_block_reset(&p->blk);
}

/* "key: value" at the start of a line. */
static void bank_key_line(struct bank_parser *p, const char *s, size_t n)
{
	struct bank_block *k = &p->blk;
	const char *colon = memchr(s, ':', n);
	size_t kl = colon ? (size_t)(colon - s) : 0;
	if (!colon || kl == 0 || kl > 20 || memchr(s, ' ', kl) || memchr(s, '\t', kl)) {
		if (!k->line)
			k->line = p->line;
		bank_err(p, p->line, "expected 'key: value' (to continue a text, indent the line)");
		k->last = -2;
		return;
	}
	int key = -1;
	for (int i = 0; i < BK_COUNT; i++)
		if (strlen(bank_keys[i].name) == kl && strncasecmp(s, bank_keys[i].name, kl) == 0)
			key = i;
	if (!k->line)
		k->line = p->line;
	if (key < 0) {
		bank_err(p, p->line, "unknown key '%.*s' (keys: subject, title, id, number, topic, text, answer, order, solution)",
		         (int)kl, s);
		k->last = -1;
		return;
	}
	const char *v = colon + 1, *end = s + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	k->last = key;
	if (bank_keys[key].flags & BK_REPEAT) {
		if (k->nans == BANK_MAX_ANSWERS) {
			bank_err(p, p->line, "too many answers (max %d)", BANK_MAX_ANSWERS);
			k->last = -2;
			return;
		}
		k->ans_line[k->nans] = p->line;
		if (buf_append(&k->ans[k->nans++], v, (size_t)(end - v)) < 0)
			bank_err(p, p->line, "out of memory");
		return;
	}
	if (k->key_line[key]) {
		bank_err(p, p->line, "duplicate key '%s' (first at line %d)", bank_keys[key].name, k->key_line[key]);
		k->last = -2;
		return;
	}
	k->key_line[key] = p->line;
	if (buf_append(&k->val[key], v, (size_t)(end - v)) < 0)
		bank_err(p, p->line, "out of memory");
}

/* An indented line: the previous text: or solution: goes on. */
static void bank_continuation(struct bank_parser *p, const char *s, size_t n)
{
	struct bank_block *k = &p->blk;
	if (k->line && k->last == -2)
		return;
	if (!k->line || k->last < 0) {
		bank_err(p, p->line, "indented line continues nothing (keys start at the beginning of a line)");
		return;
	}
	if (!(bank_keys[k->last].flags & BK_LINES)) {
		bank_err(p, p->line, "'%s:' takes one line (only text: and solution: continue on indented lines)",
		         bank_keys[k->last].name);
		return;
	}
	/* Two spaces or one tab of indent are the marker; deeper indent is kept
	 * (program code in informatics tasks). */
	size_t cut = s[0] == '\t' ? 1 : s[1] == ' ' ? 2 : 1;
	struct buf *v = &k->val[k->last];
	if (buf_putc(v, '\n') < 0 || buf_append(v, s + cut, n - cut) < 0)
		bank_err(p, p->line, "out of memory");
}

static void bank_parse_line(struct bank_parser *p, const char *s, size_t n)
{
	p->line++;
	if (p->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) { /* a BOM from Windows editors */
		s += 3;
		n -= 3;
	}
	if (n > 0 && s[n - 1] == '\r')
		n--;
	if (n > BANK_MAX_LINE_BYTES) {
		bank_err(p, p->line, "line too long (%zu bytes, max %d)", n, BANK_MAX_LINE_BYTES);
		return;
	}
	if (memchr(s, '\0', n)) {
		bank_err(p, p->line, "NUL byte (is this a text file?)");
		return;
	}
	if (!utf8_valid(s, n)) {
		bank_err(p, p->line, "bad UTF-8 (save the file as UTF-8)");
		return;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		bank_end_block(p);
	else if (s[0] == '#')
		; /* comment */
	else if (s[0] == ' ' || s[0] == '\t')
		bank_continuation(p, s, n);
	else
		bank_key_line(p, s, n);
}

/* Load bank text into b.  In BANK_ADD mode the text adds to what b holds;
 * in BANK_REPLACE mode it replaces it.  Returns the number of errors (each
 * printed to errs as "NAME:LINE: message" when errs is not NULL); on any
 * error b is left exactly as it was. */
static int bank_load_text(struct bank *b, const char *name, const char *text, size_t len, int mode, FILE *errs)
{
	struct bank nb;
	struct bank_parser p;
	memset(&p, 0, sizeof p);
	p.name = name;
	p.errs = errs;
	p.subject = -1;
	p.blk.last = -1;
	p.b = &nb;
	if (mode == BANK_ADD) {
		if (bank_copy(&nb, b) < 0) {
			bank_err(&p, 0, "out of memory");
			return p.errors;
		}
	} else {
		memset(&nb, 0, sizeof nb);
	}
	p.first_seq = nb.next_seq;
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		bank_parse_line(&p, text + i, n);
		i += n + 1;
	}
	bank_end_block(&p);
	bank_block_free(&p.blk);
	for (int i = 0; i < nb.nsubjects; i++)
		if (p.decl_line[i] && bank_count(&nb, i, 0) == 0)
			bank_err(&p, p.decl_line[i], "subject '%s' has no tasks", nb.subjects[i].id);
	if (nb.ntasks == 0 && !p.errors)
		bank_err(&p, 0, "no tasks");
	if (p.errors > BANK_MAX_REPORTED_ERRORS && errs)
		fprintf(errs, "%s: %d more errors not shown\n", name, p.errors - BANK_MAX_REPORTED_ERRORS);
	if (p.errors) {
		bank_free(&nb);
		return p.errors;
	}
	bank_sort(&nb);
	bank_free(b);
	*b = nb;
	return 0;
}

/* Load an operator's bank file (see bank_load_text for mode and errors). */
static int bank_load_file(struct bank *b, const char *path, int mode, FILE *errs)
{
	struct buf text = BUF_INIT;
	if (read_file(path, &text, BANK_MAX_FILE_BYTES) < 0) {
		if (errs) {
			if (errno == EFBIG)
				fprintf(errs, "%s: file too large (max %d bytes)\n", path, BANK_MAX_FILE_BYTES);
			else
				fprintf(errs, "%s: cannot read: %s\n", path, strerror(errno));
		}
		buf_free(&text);
		return 1;
	}
	int n = bank_load_text(b, path, text.p ? text.p : "", text.len, mode, errs);
	buf_free(&text);
	return n;
}

/* Print a value so that the parser reads it back: newlines become
 * newline + two spaces of indent. */
static void bank_dump_value(FILE *out, const char *key, const char *v)
{
	fprintf(out, "%s: ", key);
	for (; *v; v++) {
		fputc(*v, out);
		if (*v == '\n')
			fputs("  ", out);
	}
	fputc('\n', out);
}

/* Print the whole bank in the bank file format (examflow tasks dump): a
 * file an operator can start from, and what the answer checker reads. */
static void bank_dump(const struct bank *b, FILE *out)
{
	int fixed = 0;
	for (int i = 0; i < b->ntasks; i++)
		fixed += b->tasks[i].kind == BANK_FIXED;
	fprintf(out, "# examflow task bank: %d subjects, %d tasks\n", b->nsubjects, fixed);
	for (int s = 0; s < b->nsubjects; s++) {
		fprintf(out, "\nsubject: %s\ntitle: %s\n", b->subjects[s].id, b->subjects[s].title);
		for (int i = 0; i < b->ntasks; i++) {
			const struct bank_task *t = &b->tasks[i];
			if (t->subject != s || t->kind != BANK_FIXED)
				continue; /* generators are code, not text: `tasks sample` shows them */
			fprintf(out, "\nid: %s\nnumber: %d\n", t->id, t->number);
			if (*t->topic)
				fprintf(out, "topic: %s\n", t->topic);
			bank_dump_value(out, "text", t->text);
			for (int a = 0; a < t->nanswers; a++)
				fprintf(out, "answer: %s\n", t->answers[a]);
			if (t->order != BANK_ORDER_EXACT)
				fprintf(out, "order: %s\n", bank_order_names[t->order]);
			if (*t->solution)
				bank_dump_value(out, "solution", t->solution);
		}
	}
}

/* How many tasks of a kind (BANK_FIXED, BANK_GENERATOR) a subject has
 * with this number (0: any). */
static int bank_count_kind(const struct bank *b, int subject, int number, int kind)
{
	int n = 0;
	for (int i = 0; i < b->ntasks; i++)
		n += b->tasks[i].subject == subject && (number == 0 || b->tasks[i].number == number) && b->tasks[i].kind == kind;
	return n;
}

/* Subjects, task numbers and counts of fixed tasks and generators
 * (examflow tasks list). */
static void bank_list(const struct bank *b, FILE *out)
{
	for (int s = 0; s < b->nsubjects; s++) {
		int nums[BANK_MAX_NUMBER];
		int nn = bank_numbers(b, s, nums, BANK_MAX_NUMBER);
		fprintf(out, "%s  %s: %d tasks, %d generators, %d task numbers\n", b->subjects[s].id, b->subjects[s].title,
		        bank_count_kind(b, s, 0, BANK_FIXED), bank_count_kind(b, s, 0, BANK_GENERATOR), nn);
		for (int i = 0; i < nn && i < BANK_MAX_NUMBER; i++) {
			const struct bank_task *t = bank_nth(b, s, nums[i], 0);
			int c = bank_count_kind(b, s, nums[i], BANK_FIXED), g = bank_count_kind(b, s, nums[i], BANK_GENERATOR);
			fprintf(out, "  number %2d: %3d task%s + %d generator%s  %s\n", nums[i], c, c == 1 ? " " : "s", g, g == 1 ? " " : "s",
			        t && *t->topic ? t->topic : "");
		}
	}
}

/* --- task generators: the toolkit ---------------------------------------------
 *
 * A generator is a function of a random stream: it draws the numbers of a
 * variant, and writes its text, its answer and a solution that explains the
 * steps, all from the same variables, so the answer cannot disagree with
 * the text.  It returns 0, or -1 to reject a draw (an ugly or degenerate
 * variant): it is then called again on the same stream, which moves on,
 * so a seed still makes one variant, the same on every machine and after
 * every update that leaves the generator alone.  Changing a generator
 * changes its variants: give the changed one a new id, and students'
 * progress on the old variants is kept as for a deleted task.
 *
 * Numbers in texts go through gen_dec() (a finite decimal with a comma, as
 * the answer form wants it; a fraction that is not finite rejects the
 * draw) and counted nouns through gen_n(), the one Russian number
 * agreement: "1 яблоко", "3 яблока", "11 яблок".
 */

#define GEN_MAX_ID_BYTES 12  /* generator ids: "ID@" + 8 hex digits stays within BANK_MAX_ID_BYTES */
#define GEN_SEED_HEX 8       /* a seed is 32 bits, written as 8 lower-case hex digits */
#define GEN_FRESH_TRIES 64   /* seeds tried for a variant a student has not seen; past that the generator is exhausted for them */
#define GEN_MAX_REJECTS 10000 /* draws a generator may reject in a row: a generator that needs more is a bug */
#define GEN_RING 12          /* strings gen_dec()/gen_n() hand out before reusing one: a text uses a few at a time */
#define GEN_RING_BYTES 96    /* one of them: a number with its noun */

/* splitmix64: tiny, fast, and the same stream on every platform, so a seed
 * names a variant forever. */
struct gen_rng {
	uint64_t s;
};

static uint64_t gen_next(struct gen_rng *r)
{
	uint64_t z = (r->s += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* A whole number in lo..hi, both included. */
static int gen_int(struct gen_rng *r, int lo, int hi)
{
	return lo + (int)(gen_next(r) % (uint64_t)(hi - lo + 1));
}

/* One of n choices, 0..n-1. */
static int gen_pick(struct gen_rng *r, int n) { return gen_int(r, 0, n - 1); }
#define GEN_ONE_OF(r, arr) ((arr)[gen_pick((r), (int)(sizeof(arr) / sizeof((arr)[0])))])

/* What a generator writes. */
struct gen_out {
	struct buf text, sol;
	char answer[BANK_MAX_ANSWER_BYTES + 1];
	int order;  /* BANK_ORDER_* of the answer */
	int bad;    /* a number could not be written exactly: the draw is rejected */
	char ring[GEN_RING][GEN_RING_BYTES];
	int ri;
};

static char *gen_ring(struct gen_out *o)
{
	char *s = o->ring[o->ri];
	o->ri = (o->ri + 1) % GEN_RING;
	return s;
}

/* The Russian form of a noun for a count: forms is "one|few|many"
 * ("яблоко|яблока|яблок"); 1, 21, 101 take one; 2-4, 22-24 few; the rest,
 * 11-14 among them, many.  The one agreement rule of the program. */
static void ru_plural(long long n, const char *forms, char *out, size_t cap)
{
	long long a = n < 0 ? -n : n;
	int which = a % 10 == 1 && a % 100 != 11 ? 0 : a % 10 >= 2 && a % 10 <= 4 && (a % 100 < 12 || a % 100 > 14) ? 1 : 2;
	const char *s = forms;
	for (int k = 0; k < which; k++) {
		const char *bar = strchr(s, '|');
		if (!bar)
			break;
		s = bar + 1;
	}
	size_t len = strcspn(s, "|");
	snprintf(out, cap, "%.*s", (int)len, s);
}

/* num/den as the exam writes it: "12", "-0,25", "3,125".  0, or -1 when
 * the fraction is not a finite decimal of at most 6 places. */
static int gen_fmt_dec(long long num, long long den, char *out, size_t cap)
{
	if (den == 0)
		return -1;
	if (den < 0)
		num = -num, den = -den;
	int neg = num < 0;
	unsigned long long a = neg ? (unsigned long long)-num : (unsigned long long)num, d = (unsigned long long)den;
	int places = 0;
	while (a % d != 0) {
		if (places == 6 || a > ULLONG_MAX / 10)
			return -1;
		a *= 10;
		places++;
	}
	unsigned long long v = a / d, p10 = 1;
	for (int k = 0; k < places; k++)
		p10 *= 10;
	unsigned long long ip = v / p10, fp = v % p10;
	int w = places == 0 ? snprintf(out, cap, "%s%llu", neg && v ? "-" : "", ip)
	                    : snprintf(out, cap, "%s%llu,%0*llu", neg ? "-" : "", ip, places, fp);
	return w < 0 || (size_t)w >= cap ? -1 : 0; /* the loop stopped at the first exact place: no trailing zeros */
}

/* num/den for a text (see gen_fmt_dec); a non-finite one rejects the draw. */
static const char *gen_dec(struct gen_out *o, long long num, long long den)
{
	char *s = gen_ring(o), d[GEN_RING_BYTES - 4];
	if (gen_fmt_dec(num, den, d, sizeof d) < 0) {
		o->bad = 1;
		snprintf(s, GEN_RING_BYTES, "?");
	} else {
		snprintf(s, GEN_RING_BYTES, "%s%s", d[0] == '-' ? "−" : "", d + (d[0] == '-')); /* texts use the true minus */
	}
	return s;
}

/* A whole number with its noun: gen_n(o, 5, "яблоко|яблока|яблок") is "5 яблок". */
static const char *gen_n(struct gen_out *o, long long n, const char *forms)
{
	char *s = gen_ring(o), w[GEN_RING_BYTES];
	ru_plural(n, forms, w, sizeof w);
	int len = snprintf(s, GEN_RING_BYTES, "%s%lld %s", n < 0 ? "−" : "", n < 0 ? -n : n, w);
	if (len < 0 || len >= GEN_RING_BYTES)
		o->bad = 1;
	return s;
}

/* How many times, agreed: "в 3 раза", "в 5 раз", "в 2,5 раза" (a
 * fraction takes "раза"). */
static const char *gen_times(struct gen_out *o, long long num, long long den)
{
	char *s = gen_ring(o), d[GEN_RING_BYTES], w[16];
	if (gen_fmt_dec(num, den, d, sizeof d) < 0) {
		o->bad = 1;
		return "?";
	}
	if (strchr(d, ','))
		snprintf(w, sizeof w, "раза");
	else
		ru_plural(num / den, "раз|раза|раз", w, sizeof w);
	if (snprintf(s, GEN_RING_BYTES, "в %s %s", d, w) >= GEN_RING_BYTES)
		o->bad = 1;
	return s;
}

__attribute__((format(printf, 2, 3)))
static void gen_t(struct gen_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[BANK_MAX_TEXT_BYTES + 1];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp || buf_puts(&o->text, tmp) < 0)
		o->bad = 1;
}

__attribute__((format(printf, 2, 3)))
static void gen_s(struct gen_out *o, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char tmp[BANK_MAX_SOLUTION_BYTES + 1];
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp || buf_puts(&o->sol, tmp) < 0)
		o->bad = 1;
}

/* The answer num/den (an integer when den is 1). */
static void gen_ans(struct gen_out *o, long long num, long long den)
{
	if (gen_fmt_dec(num, den, o->answer, sizeof o->answer) < 0)
		o->bad = 1;
}

/* A text answer (a code, letters, digits in order). */
static void gen_ans_s(struct gen_out *o, const char *s, int order)
{
	snprintf(o->answer, sizeof o->answer, "%s", s);
	o->order = order;
}

/* Is num/den a finite decimal with at most `places` places? */
static int gen_finite(long long num, long long den, int places)
{
	char s[64];
	if (gen_fmt_dec(num, den, s, sizeof s) < 0)
		return 0;
	const char *c = strchr(s, ',');
	return !c || (int)strlen(c + 1) <= places;
}

/* A signed term for a formula: "+ 3", "− 3" (the true minus sign), or
 * nothing for 0; first = 1 writes "3", "−3". */
static const char *gen_sg(struct gen_out *o, long long v, int first)
{
	char *s = gen_ring(o);
	if (first)
		snprintf(s, GEN_RING_BYTES, "%s%lld", v < 0 ? "−" : "", v < 0 ? -v : v);
	else
		snprintf(s, GEN_RING_BYTES, "%s %lld", v < 0 ? "−" : "+", v < 0 ? -v : v);
	return s;
}

/* A number with the true minus sign: −5. */
static const char *gen_i(struct gen_out *o, long long v) { return gen_sg(o, v, 1); }

/* --- generators: mathematics ---------------------------------------------------- */

/* Pythagorean triples: right triangles with whole sides. */
static const int gen_triples[][3] = {{3, 4, 5}, {5, 12, 13}, {8, 15, 17}, {7, 24, 25}, {20, 21, 29}, {9, 40, 41}, {12, 35, 37}};

/* №1: a right triangle's side, an isosceles triangle's angle, an inscribed angle. */
static int gen_m_plane(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 4);
	if (kind <= 1) {
		const int *t = gen_triples[gen_pick(r, 7)];
		int k = gen_int(r, 1, 4), a = t[0] * k, b = t[1] * k, c = t[2] * k;
		if (c > 100)
			return -1;
		if (gen_pick(r, 2))
			a = t[1] * k, b = t[0] * k;
		if (kind == 0) {
			if (gen_pick(r, 2))
				gen_t(o, "В треугольнике ABC угол C равен 90°, AC = %d, BC = %d. Найдите AB.", a, b);
			else
				gen_t(o, "Катеты прямоугольного треугольника равны %d и %d. Найдите гипотенузу.", a, b);
			gen_s(o, "По теореме Пифагора квадрат гипотенузы равен сумме квадратов катетов: %d² + %d² = %d + %d = %d = %d². "
			      "Гипотенуза равна %d.", a, b, a * a, b * b, c * c, c, c);
			gen_ans(o, c, 1);
		} else {
			if (gen_pick(r, 2))
				gen_t(o, "В треугольнике ABC угол C прямой, AB = %d, AC = %d. Найдите BC.", c, a);
			else
				gen_t(o, "Гипотенуза прямоугольного треугольника равна %d, один из катетов равен %d. Найдите другой катет.", c, a);
			gen_s(o, "По теореме Пифагора квадрат катета равен разности квадратов гипотенузы и другого катета: "
			      "%d² − %d² = %d − %d = %d = %d². Катет равен %d.", c, a, c * c, a * a, b * b, b, b);
			gen_ans(o, b, 1);
		}
	} else if (kind == 2) {
		int v = 2 * gen_int(r, 10, 80); /* 20..160, even: base angles are whole */
		if (gen_pick(r, 2)) {
			gen_t(o, "В равнобедренном треугольнике ABC с основанием AC угол B равен %d°. Найдите угол A. Ответ дайте в градусах.", v);
			gen_s(o, "Углы при основании равнобедренного треугольника равны, а сумма углов треугольника 180°. "
			      "A = (180° − %d°) : 2 = %d°.", v, (180 - v) / 2);
			gen_ans(o, (180 - v) / 2, 1);
		} else {
			int base = (180 - v) / 2;
			gen_t(o, "Угол при основании равнобедренного треугольника равен %d°. Найдите угол при вершине, противолежащей основанию. "
			      "Ответ дайте в градусах.", base);
			gen_s(o, "Оба угла при основании равны %d°, а сумма углов треугольника 180°: 180° − 2·%d° = %d°.", base, base, 180 - 2 * base);
			gen_ans(o, 180 - 2 * base, 1);
		}
	} else {
		int arc = 2 * gen_int(r, 15, 165); /* 30..330, even */
		if (gen_pick(r, 2)) {
			gen_t(o, "Вписанный угол опирается на дугу окружности, градусная мера которой равна %d°. Найдите этот угол. "
			      "Ответ дайте в градусах.", arc);
			gen_s(o, "Вписанный угол равен половине дуги, на которую он опирается: %d° : 2 = %d°.", arc, arc / 2);
			gen_ans(o, arc / 2, 1);
		} else {
			if (arc >= 180)
				return -1; /* a central angle of a triangle-free picture: keep it under 180° */
			gen_t(o, "Центральный угол AOB окружности с центром O равен %d°. Найдите вписанный угол ACB, опирающийся на ту же дугу AB "
			      "(точка C лежит на большей дуге). Ответ дайте в градусах.", arc);
			gen_s(o, "Вписанный угол вдвое меньше центрального угла, опирающегося на ту же дугу: %d° : 2 = %d°.", arc, arc / 2);
			gen_ans(o, arc / 2, 1);
		}
	}
	return 0;
}

/* №2: vectors by coordinates. */
static int gen_m_vec(struct gen_out *o, struct gen_rng *r)
{
	int x1 = gen_int(r, -9, 9), y1 = gen_int(r, -9, 9), x2 = gen_int(r, -9, 9), y2 = gen_int(r, -9, 9);
	if ((x1 == 0 && y1 == 0) || (x2 == 0 && y2 == 0) || (x1 == x2 && y1 == y2))
		return -1;
	int kind = gen_pick(r, 3);
	gen_t(o, "Даны векторы a(%s; %s) и b(%s; %s). ", gen_i(o, x1), gen_i(o, y1), gen_i(o, x2), gen_i(o, y2));
	if (kind == 0) {
		int d = x1 * x2 + y1 * y2;
		gen_t(o, "Найдите скалярное произведение a·b.");
		gen_s(o, "Скалярное произведение равно сумме произведений соответствующих координат: a·b = "
		      "(%s)·(%s) + (%s)·(%s) = %s.", gen_i(o, x1), gen_i(o, x2), gen_i(o, y1), gen_i(o, y2), gen_i(o, d));
		gen_ans(o, d, 1);
	} else {
		int sx = kind == 1 ? x1 + x2 : x1 - x2, sy = kind == 1 ? y1 + y2 : y1 - y2;
		int len2 = sx * sx + sy * sy, len = 0;
		while ((len + 1) * (len + 1) <= len2)
			len++;
		if (len * len != len2 || len == 0)
			return -1; /* the length must be whole */
		gen_t(o, "Найдите длину вектора a %s b.", kind == 1 ? "+" : "−");
		gen_s(o, "Координаты вектора a %s b: (%s; %s). Его длина √((%s)² + (%s)²) = √%d = %d.", kind == 1 ? "+" : "−",
		      gen_i(o, sx), gen_i(o, sy), gen_i(o, sx), gen_i(o, sy), len2, len);
		gen_ans(o, len, 1);
	}
	return 0;
}

/* №3: volumes of a box, a cylinder and a cone. */
static int gen_m_solid(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 4);
	if (kind == 0) {
		int a = gen_int(r, 2, 12), b = gen_int(r, 2, 12), c = gen_int(r, 2, 12);
		gen_t(o, "Объём прямоугольного параллелепипеда равен %d. Два его ребра, выходящие из одной вершины, равны %d и %d. "
		      "Найдите третье ребро, выходящее из той же вершины.", a * b * c, a, b);
		gen_s(o, "Объём параллелепипеда равен произведению трёх его рёбер, выходящих из одной вершины: V = abc, "
		      "поэтому c = %d : (%d·%d) = %d.", a * b * c, a, b, c);
		gen_ans(o, c, 1);
	} else if (kind == 1) {
		int a = gen_int(r, 2, 15), b = gen_int(r, 2, 15), c = gen_int(r, 2, 15);
		gen_t(o, "Рёбра прямоугольного параллелепипеда, выходящие из одной вершины, равны %d, %d и %d. Найдите площадь его поверхности.", a, b, c);
		gen_s(o, "Поверхность состоит из трёх пар равных прямоугольников: S = 2(ab + bc + ac) = 2(%d + %d + %d) = %d.", a * b, b * c,
		      a * c, 2 * (a * b + b * c + a * c));
		gen_ans(o, 2 * (a * b + b * c + a * c), 1);
	} else if (kind == 2) {
		int rr = gen_int(r, 2, 10), h = gen_int(r, 2, 15);
		gen_t(o, "Радиус основания цилиндра равен %d, высота равна %d. Найдите объём цилиндра, делённый на π.", rr, h);
		gen_s(o, "Объём цилиндра — площадь основания, умноженная на высоту: V = πr²h = π·%d·%d = %dπ. Делим на π: %d.", rr * rr, h,
		      rr * rr * h, rr * rr * h);
		gen_ans(o, rr * rr * h, 1);
	} else {
		int rr = gen_int(r, 2, 12), h = gen_int(r, 2, 15);
		if (rr * rr * h % 3)
			return -1;
		gen_t(o, "Радиус основания конуса равен %d, высота равна %d. Найдите объём конуса, делённый на π.", rr, h);
		gen_s(o, "Объём конуса — треть произведения площади основания на высоту: V = πr²h/3 = π·%d·%d/3 = %dπ. Делим на π: %d.",
		      rr * rr, h, rr * rr * h / 3, rr * rr * h / 3);
		gen_ans(o, rr * rr * h / 3, 1);
	}
	return 0;
}

/* №4: classical probability, favourable over all. */
static int gen_m_prob(struct gen_out *o, struct gen_rng *r)
{
	static const int totals[] = {10, 20, 25, 40, 50, 80, 100, 125, 200, 250, 400, 500, 1000};
	int n = GEN_ONE_OF(r, totals), k = gen_int(r, 1, n - 1);
	if (!gen_finite(k, n, 3) || k * 20 < n)
		return -1; /* pleasant: at most three places, not a near-zero chance */
	int kind = gen_pick(r, 4);
	switch (kind) {
	case 0:
		gen_t(o, "В коробке %s, из них %s красные, остальные синие. Наугад достают один шар. Найдите вероятность того, что он "
		      "окажется синим.", gen_n(o, n, "шар|шара|шаров"), gen_n(o, k, "шар|шара|шаров"));
		gen_s(o, "Синих шаров %d − %d = %d. Вероятность — доля благоприятных исходов: %d : %d = %s.", n, k, n - k, n - k, n,
		      gen_dec(o, n - k, n));
		gen_ans(o, n - k, n);
		break;
	case 1:
		gen_t(o, "В среднем из %s, поступивших в продажу, %s неисправны. Найдите вероятность того, что один купленный фонарик "
		      "окажется исправным.", gen_n(o, n, "фонарика|фонариков|фонариков"), gen_n(o, k, "фонарик|фонарика|фонариков"));
		gen_s(o, "Исправных фонариков в среднем %d − %d = %d из %d, вероятность %d : %d = %s.", n, k, n - k, n, n - k, n, gen_dec(o, n - k, n));
		gen_ans(o, n - k, n);
		break;
	case 2:
		gen_t(o, "На конференции выступают %s, из них %s — из России. Порядок выступлений определяется жребием. Найдите "
		      "вероятность того, что первым будет выступать докладчик из России.", gen_n(o, n, "докладчик|докладчика|докладчиков"),
		      gen_n(o, k, "докладчик|докладчика|докладчиков"));
		gen_s(o, "Первым с равными шансами может оказаться любой из %d докладчиков, благоприятных исходов %d: %d : %d = %s.", n, k, k, n,
		      gen_dec(o, k, n));
		gen_ans(o, k, n);
		break;
	default:
		gen_t(o, "В сборнике %s по биологии, в %s из них встречается вопрос о грибах. На экзамене школьнику достаётся один "
		      "случайный билет. Найдите вероятность того, что в этом билете не будет вопроса о грибах.",
		      gen_n(o, n, "билет|билета|билетов"), gen_n(o, k, "билете|билетах|билетах"));
		gen_s(o, "Билетов без вопроса о грибах %d − %d = %d, вероятность %d : %d = %s.", n, k, n - k, n - k, n, gen_dec(o, n - k, n));
		gen_ans(o, n - k, n);
		break;
	}
	return 0;
}

/* C(n, k) for small n. */
static long long gen_binom(int n, int k)
{
	long long c = 1;
	for (int i = 1; i <= k; i++)
		c = c * (n - k + i) / i;
	return c;
}

/* №5: independent events, a fair coin. */
static int gen_m_prob2(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int n = gen_int(r, 2, 4), k = gen_int(r, 0, n);
		static const char *const what[] = {"орёл", "решка"};
		int w = gen_pick(r, 2);
		long long c = gen_binom(n, k), all = 1LL << n;
		gen_t(o, "Симметричную монету (орёл и решка выпадают с равными вероятностями) бросают %s. Найдите вероятность того, что "
		      "%s выпадет ровно %s.", gen_n(o, n, "раз|раза|раз"), what[w], gen_n(o, k, "раз|раза|раз"));
		gen_s(o, "Всего равновозможных исходов 2^%d = %lld. Исходов, где %s выпадает ровно %s, столько, сколькими способами можно "
		      "выбрать %d броска из %d: C(%d, %d) = %lld. Вероятность %lld : %lld = %s.", n, all, what[w], gen_n(o, k, "раз|раза|раз"),
		      k, n, n, k, c, c, all, gen_dec(o, c, all));
		gen_ans(o, c, all);
	} else {
		int p = gen_int(r, 5, 19) * 5, q = gen_int(r, 5, 19) * 5; /* percents */
		if (!gen_finite(p * q, 10000, 3))
			return -1; /* 0,35·0,45 = 0,1575: too many places for a pleasant answer */
		static const char *const ctx[][2] = {
			{"Стрелок попадает в мишень с вероятностью %s, второй стрелок — с вероятностью %s; стреляют они независимо, "
			 "каждый по одному разу.", "попадёт хотя бы один из них"},
			{"В магазине два независимо работающих платёжных терминала. Вероятность того, что к концу дня первый терминал "
			 "исправен, равна %s, второй — %s.", "исправен хотя бы один терминал"},
		};
		int c = gen_pick(r, 2);
		gen_t(o, ctx[c][0], gen_dec(o, p, 100), gen_dec(o, q, 100));
		if (kind == 1) {
			gen_t(o, " Найдите вероятность того, что %s.", ctx[c][1]);
			gen_s(o, "Противоположное событие — «не %s» — значит, оба раза неудача: (1 − %s)·(1 − %s) = %s·%s = %s. "
			      "Искомая вероятность 1 − %s = %s.", c ? "исправен ни один" : "попал ни один", gen_dec(o, p, 100), gen_dec(o, q, 100),
			      gen_dec(o, 100 - p, 100), gen_dec(o, 100 - q, 100), gen_dec(o, (100 - p) * (100 - q), 10000),
			      gen_dec(o, (100 - p) * (100 - q), 10000), gen_dec(o, 10000 - (100 - p) * (100 - q), 10000));
			gen_ans(o, 10000 - (100 - p) * (100 - q), 10000);
		} else {
			gen_t(o, " Найдите вероятность того, что %s.", c ? "исправны оба терминала" : "попадут оба стрелка");
			gen_s(o, "События независимы, поэтому вероятности перемножаются: %s·%s = %s.", gen_dec(o, p, 100), gen_dec(o, q, 100),
			      gen_dec(o, p * q, 10000));
			gen_ans(o, p * q, 10000);
		}
	}
	return 0;
}

/* №6: equations with one whole root. */
static int gen_m_eq(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 5), x = gen_int(r, -12, 12);
	if (kind == 0) { /* ax + b = c */
		int a = gen_int(r, 2, 9) * (gen_pick(r, 2) ? 1 : -1), b = gen_int(r, -20, 20);
		if (b == 0)
			return -1;
		gen_t(o, "Найдите корень уравнения %sx %s = %s.", gen_i(o, a), gen_sg(o, b, 0), gen_i(o, a * x + b));
		gen_s(o, "Переносим свободный член в правую часть: %sx = %s %s = %s, откуда x = %s : (%s) = %s.", gen_i(o, a),
		      gen_i(o, a * x + b), gen_sg(o, -b, 0), gen_i(o, a * x), gen_i(o, a * x), gen_i(o, a), gen_i(o, x));
		gen_ans(o, x, 1);
	} else if (kind == 1) { /* base^(x + b) = base^e */
		static const int bases[] = {2, 3, 5};
		int base = GEN_ONE_OF(r, bases), e = gen_int(r, 1, base == 2 ? 7 : 4), b = e - x;
		long long v = 1;
		for (int i = 0; i < e; i++)
			v *= base;
		if (b == 0)
			return -1;
		gen_t(o, "Найдите корень уравнения %d^(x %s) = %lld.", base, gen_sg(o, b, 0), v);
		gen_s(o, "%lld = %d^%d, поэтому показатели равны: x %s = %d, x = %s.", v, base, e, gen_sg(o, b, 0), e, gen_i(o, x));
		gen_ans(o, x, 1);
	} else if (kind == 2) { /* log_base(x + b) = e */
		static const int bases[] = {2, 3, 4, 5, 7};
		int base = GEN_ONE_OF(r, bases), e = gen_int(r, 1, 3);
		long long v = 1;
		for (int i = 0; i < e; i++)
			v *= base;
		long long b = v - x;
		if (b == 0 || v > 200)
			return -1;
		gen_t(o, "Найдите корень уравнения log_%d(x %s) = %d.", base, gen_sg(o, b, 0), e);
		gen_s(o, "По определению логарифма x %s = %d^%d = %lld, откуда x = %s. Проверка: x %s = %lld > 0.", gen_sg(o, b, 0), base, e, v,
		      gen_i(o, x), gen_sg(o, b, 0), v);
		gen_ans(o, x, 1);
	} else if (kind == 3) { /* sqrt(a x + b) = c */
		int a = gen_int(r, 2, 6), c = gen_int(r, 2, 9), b = c * c - a * x;
		if (b == 0 || b > 99 || b < -99)
			return -1;
		gen_t(o, "Найдите корень уравнения √(%dx %s) = %d.", a, gen_sg(o, b, 0), c);
		gen_s(o, "Возводим обе части в квадрат: %dx %s = %d, %dx = %s, x = %s. Правая часть %d положительна, так что корень подходит.",
		      a, gen_sg(o, b, 0), c * c, a, gen_i(o, a * x), gen_i(o, x), c);
		gen_ans(o, x, 1);
	} else { /* (x − p)(x − q) = 0 written out; the larger or the smaller root */
		int p = gen_int(r, -9, 9), q = gen_int(r, -9, 9);
		if (p == q)
			return -1;
		int big = gen_pick(r, 2), s = p + q, m = p * q;
		if (s == 0 || m == 0)
			return -1;
		char lin[32];
		if (s == 1)
			snprintf(lin, sizeof lin, "− x");
		else if (s == -1)
			snprintf(lin, sizeof lin, "+ x");
		else
			snprintf(lin, sizeof lin, "%s %dx", -s < 0 ? "−" : "+", s < 0 ? -s : s);
		gen_t(o, "Решите уравнение x² %s %s = 0. Если уравнение имеет более одного корня, в ответе запишите %s из них.", lin,
		      gen_sg(o, m, 0), big ? "больший" : "меньший");
		int hi = p > q ? p : q, lo = p > q ? q : p;
		gen_s(o, "По теореме Виета сумма корней %s, произведение %s: это %s и %s (проверьте подстановкой). %s корень %s.", gen_i(o, s),
		      gen_i(o, m), gen_i(o, lo), gen_i(o, hi), big ? "Больший" : "Меньший", gen_i(o, big ? hi : lo));
		gen_ans(o, big ? hi : lo, 1);
	}
	return 0;
}

/* №7: values of expressions with powers and logarithms. */
static int gen_m_expr(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) { /* log_b(x·b^k) − log_b x = k */
		static const int bases[] = {2, 3, 5};
		int b = GEN_ONE_OF(r, bases), k = gen_int(r, 1, 4), x = gen_int(r, 2, 15);
		long long p = 1;
		for (int i = 0; i < k; i++)
			p *= b;
		if (x % b == 0 || x * p > 2000)
			return -1;
		gen_t(o, "Найдите значение выражения log_%d %lld − log_%d %d.", b, x * p, b, x);
		gen_s(o, "Разность логарифмов с одним основанием — логарифм частного: log_%d (%lld : %d) = log_%d %lld = %d, потому что %d^%d = %lld.",
		      b, x * p, x, b, p, k, b, k, p);
		gen_ans(o, k, 1);
	} else if (kind == 1) { /* a^m · a^n : a^k */
		static const int bases[] = {2, 3, 5, 7};
		int a = GEN_ONE_OF(r, bases), m = gen_int(r, 2, 12), n = gen_int(r, -6, 9), k = gen_int(r, 2, 14);
		int e = m + n - k;
		if (e < 1 || e > (a == 2 ? 9 : 4) || n == 0)
			return -1;
		long long v = 1;
		for (int i = 0; i < e; i++)
			v *= a;
		gen_t(o, "Найдите значение выражения %d^%d · %d^(%s) : %d^%d.", a, m, a, gen_i(o, n), a, k);
		gen_s(o, "При умножении степеней с одним основанием показатели складываются, при делении вычитаются: "
		      "%d^(%d %s − %d) = %d^%d = %lld.", a, m, gen_sg(o, n, 0), k, a, e, v);
		gen_ans(o, v, 1);
	} else { /* (√a + √b)(√a − √b) */
		int a = gen_int(r, 2, 60), b = gen_int(r, 2, 60);
		int sa = 0, sb = 0;
		while ((sa + 1) * (sa + 1) <= a)
			sa++;
		while ((sb + 1) * (sb + 1) <= b)
			sb++;
		if (sa * sa == a || sb * sb == b || a == b)
			return -1; /* with a whole root the trick is not needed */
		gen_t(o, "Найдите значение выражения (√%d − √%d)(√%d + √%d).", a, b, a, b);
		gen_s(o, "Это разность квадратов: (√%d)² − (√%d)² = %d − %d = %s.", a, b, a, b, gen_i(o, a - b));
		gen_ans(o, a - b, 1);
	}
	return 0;
}

/* №9: a formula from physics or economics, solved for one quantity. */
static int gen_m_formula(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) { /* P = I²R, find I */
		int i = gen_int(r, 2, 15), rr = gen_int(r, 2, 40);
		gen_t(o, "Мощность постоянного тока (в ваттах) вычисляется по формуле P = I²R, где I — сила тока (в амперах), R — "
		      "сопротивление (в омах). Пользуясь этой формулой, найдите силу тока I, если мощность составляет %d Вт, а "
		      "сопротивление равно %d Ом. Ответ дайте в амперах.", i * i * rr, rr);
		gen_s(o, "I² = P : R = %d : %d = %d, откуда I = %d (сила тока положительна).", i * i * rr, rr, i * i, i);
		gen_ans(o, i, 1);
	} else if (kind == 1) { /* t_F = 1,8 t_C + 32 */
		int c = gen_int(r, -40, 120);
		long long f10 = 18LL * c + 320; /* tenths of a degree */
		if (f10 % 10)
			return -1; /* the Fahrenheit figure is given whole */
		gen_t(o, "Чтобы перевести температуру из шкалы Цельсия в шкалу Фаренгейта, пользуются формулой t_F = 1,8t_C + 32, где "
		      "t_C — температура в градусах Цельсия, t_F — в градусах Фаренгейта. Скольким градусам по шкале Цельсия "
		      "соответствует %s по шкале Фаренгейта?", gen_n(o, f10 / 10, "градус|градуса|градусов"));
		gen_s(o, "Выражаем t_C: t_C = (t_F − 32) : 1,8 = (%s − 32) : 1,8 = %s : 1,8 = %s.", gen_i(o, f10 / 10),
		      gen_i(o, f10 / 10 - 32), gen_i(o, c));
		gen_ans(o, c, 1);
	} else { /* E = mv²/2, find v */
		int m = gen_int(r, 1, 20) * 2, v = gen_int(r, 1, 30);
		long long e = (long long)m * v * v / 2;
		gen_t(o, "Кинетическая энергия тела (в джоулях) вычисляется по формуле E = mv²/2, где m — масса тела (в килограммах), "
		      "v — его скорость (в м/с). Найдите скорость тела массой %d кг, если его кинетическая энергия равна %lld Дж. "
		      "Ответ дайте в м/с.", m, e);
		gen_s(o, "v² = 2E : m = 2·%lld : %d = %d, значит v = %d м/с.", e, m, v * v, v);
		gen_ans(o, v, 1);
	}
	return 0;
}

/* №10: motion — towards each other, one after another, on a river. */
static int gen_m_motion(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int v1 = gen_int(r, 4, 20) * 5, v2 = gen_int(r, 4, 20) * 5, t = gen_int(r, 1, 6);
		int d = (v1 + v2) * t;
		static const char *const who[][2] = {{"автомобиль", "мотоцикл"}, {"грузовик", "автобус"}, {"поезд", "электропоезд"}};
		int w = gen_pick(r, 3);
		gen_t(o, "Из двух городов, расстояние между которыми %s, одновременно навстречу друг другу выехали %s и %s. "
		      "Скорость первого %d км/ч, скорость второго %d км/ч. Через сколько часов они встретятся?", gen_n(o, d, "километр|километра|километров"),
		      who[w][0], who[w][1], v1, v2);
		gen_s(o, "При движении навстречу расстояние сокращается со скоростью сближения %d + %d = %d км/ч. Время до встречи %d : %d = %d ч.",
		      v1, v2, v1 + v2, d, v1 + v2, t);
		gen_ans(o, t, 1);
	} else if (kind == 1) {
		int v1 = gen_int(r, 8, 30) * 2, dv = gen_int(r, 1, 10) * 2, gap = gen_int(r, 1, 6) * dv;
		int t10 = gap * 10 / dv;
		gen_t(o, "Велосипедист выехал из посёлка со скоростью %d км/ч. Когда он отъехал на %s, вслед за ним по той же дороге "
		      "выехал мотоциклист со скоростью %d км/ч. Через сколько часов мотоциклист догонит велосипедиста?",
		      v1, gen_n(o, gap, "километр|километра|километров"), v1 + dv);
		gen_s(o, "Мотоциклист сокращает отставание со скоростью %d − %d = %d км/ч, и %d км он отыграет за %d : %d = %s ч.", v1 + dv, v1, dv, gap,
		      gap, dv, gen_dec(o, t10, 10));
		gen_ans(o, gap, dv);
	} else {
		int v = gen_int(r, 6, 25), c = gen_int(r, 1, 5), t1 = gen_int(r, 1, 5);
		if (c >= v)
			return -1;
		int s = (v + c) * t1;
		if (s % (v - c))
			return -1;
		int t2 = s / (v - c);
		gen_t(o, "Моторная лодка прошла %s по течению реки за %s. Скорость течения %d км/ч. За сколько часов лодка пройдёт "
		      "тот же путь против течения?", gen_n(o, s, "километр|километра|километров"), gen_n(o, t1, "час|часа|часов"), c);
		gen_s(o, "Скорость по течению %d : %d = %d км/ч, собственная скорость лодки %d − %d = %d км/ч, против течения %d − %d = %d км/ч. "
		      "Время %d : %d = %d ч.", s, t1, v + c, v + c, c, v, v, c, v - c, s, v - c, t2);
		gen_ans(o, t2, 1);
	}
	return 0;
}

/* №10: joint work, percentages, mixtures. */
static int gen_m_work(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) { /* two pipes: 1/a + 1/b = 1/t */
		int a = gen_int(r, 2, 60), b = gen_int(r, 2, 60);
		if (a == b || (a * b) % (a + b))
			return -1;
		int t = a * b / (a + b);
		gen_t(o, "Первая труба наполняет бассейн за %s, вторая — за %s. За сколько часов наполнят бассейн обе трубы, работая "
		      "вместе?", gen_n(o, a, "час|часа|часов"), gen_n(o, b, "час|часа|часов"));
		gen_s(o, "За час первая труба наполняет 1/%d бассейна, вторая 1/%d, вместе 1/%d + 1/%d = %d/%d = 1/%d. Значит, весь бассейн — "
		      "за %d ч.", a, b, a, b, a + b, a * b, t, t);
		gen_ans(o, t, 1);
	} else if (kind == 1) { /* a price up p%, then down q% */
		int price = gen_int(r, 2, 50) * 100, p = gen_int(r, 1, 10) * 5, q = gen_int(r, 1, 8) * 5;
		long long after = (long long)price * (100 + p) * (100 - q);
		if (after % 10000)
			return -1;
		gen_t(o, "Товар стоил %s. Сначала его цену повысили на %d%%, а через месяц снизили на %d%%. Сколько рублей стал стоить товар?",
		      gen_n(o, price, "рубль|рубля|рублей"), p, q);
		gen_s(o, "После повышения цена стала %d·%s = %s руб., после снижения %s·%s = %lld руб. Проценты считаются каждый раз от "
		      "текущей цены, поэтому +%d%% и −%d%% не складываются.", price, gen_dec(o, 100 + p, 100), gen_dec(o, (long long)price * (100 + p), 100),
		      gen_dec(o, (long long)price * (100 + p), 100), gen_dec(o, 100 - q, 100), after / 10000, p, q);
		gen_ans(o, after / 10000, 1);
	} else { /* mixing two solutions */
		int m1 = gen_int(r, 1, 12), m2 = gen_int(r, 1, 12), c1 = gen_int(r, 1, 19) * 5, c2 = gen_int(r, 1, 19) * 5;
		if (c1 == c2 || (m1 * c1 + m2 * c2) % (m1 + m2))
			return -1;
		int c = (m1 * c1 + m2 * c2) / (m1 + m2);
		gen_t(o, "Смешали %s %d-процентного раствора соли и %s %d-процентного раствора той же соли. Сколько процентов "
		      "составляет концентрация получившегося раствора?", gen_n(o, m1, "литр|литра|литров"), c1,
		      gen_n(o, m2, "литр|литра|литров"), c2);
		gen_s(o, "Соли в первом растворе %s л, во втором %s л, всего %s л в %d л смеси. Концентрация %s : %d = %s, то есть %d%%.",
		      gen_dec(o, m1 * c1, 100), gen_dec(o, m2 * c2, 100), gen_dec(o, m1 * c1 + m2 * c2, 100), m1 + m2,
		      gen_dec(o, m1 * c1 + m2 * c2, 100), m1 + m2, gen_dec(o, c, 100), c);
		gen_ans(o, c, 1);
	}
	return 0;
}

/* №10: arithmetic and geometric progressions in a story. */
static int gen_m_prog(struct gen_out *o, struct gen_rng *r)
{
	if (gen_pick(r, 2)) {
		int a1 = gen_int(r, 2, 30), d = gen_int(r, 1, 12), n = gen_int(r, 5, 20);
		gen_t(o, "Спортсмен готовится к соревнованиям: в первый день он проплыл %s, а каждый следующий день проплывал на %s "
		      "больше, чем в предыдущий. Сколько метров он проплыл за первые %s?", gen_n(o, a1 * 100, "метр|метра|метров"),
		      gen_n(o, d * 50, "метр|метра|метров"), gen_n(o, n, "день|дня|дней"));
		int s = n * (2 * a1 * 100 + (n - 1) * d * 50) / 2;
		gen_s(o, "Дневные дистанции — арифметическая прогрессия с a₁ = %d и d = %d. Сумма n = %d членов: "
		      "S = (2a₁ + (n − 1)d)·n/2 = (%d + %d)·%d/2 = %d м.", a1 * 100, d * 50, n, 2 * a1 * 100, (n - 1) * d * 50, n, s);
		gen_ans(o, s, 1);
	} else {
		int b1 = gen_int(r, 1, 20), q = gen_int(r, 2, 3), n = gen_int(r, 3, q == 2 ? 9 : 6);
		long long term = b1;
		for (int i = 1; i < n; i++)
			term *= q;
		gen_t(o, "В лаборатории выращивают культуру бактерий. В начале опыта было %s, и каждый час их число увеличивается в %d "
		      "раза. Сколько колоний будет через %s?", gen_n(o, b1, "колония|колонии|колоний"), q, gen_n(o, n - 1, "час|часа|часов"));
		gen_s(o, "Числа колоний — геометрическая прогрессия с b₁ = %d и q = %d; через %d ч будет член с номером %d: "
		      "b%d = b₁·q^%d = %d·%d^%d = %lld.", b1, q, n - 1, n, n, n - 1, b1, q, n - 1, term);
		gen_ans(o, term, 1);
	}
	return 0;
}

/* №12: points of extremum and least values, found with the derivative. */
static int gen_m_extr(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 2);
	if (kind == 0) { /* y = x³ + bx² + cx + d with f' = 3(x − p)(x − q) */
		int p = gen_int(r, -8, 8), q = gen_int(r, -8, 8);
		if (p >= q || (p + q) % 2)
			return -1;
		int b = -3 * (p + q) / 2, c = 3 * p * q, d = gen_int(r, -20, 20);
		int want_max = gen_pick(r, 2);
		char poly[96];
		snprintf(poly, sizeof poly, "x³");
		if (b)
			snprintf(poly + strlen(poly), sizeof poly - strlen(poly), " %s %dx²", b < 0 ? "−" : "+", b < 0 ? -b : b);
		if (c)
			snprintf(poly + strlen(poly), sizeof poly - strlen(poly), " %s %dx", c < 0 ? "−" : "+", c < 0 ? -c : c);
		if (d)
			snprintf(poly + strlen(poly), sizeof poly - strlen(poly), " %s %d", d < 0 ? "−" : "+", d < 0 ? -d : d);
		gen_t(o, "Найдите точку %s функции y = %s.", want_max ? "максимума" : "минимума", poly);
		gen_s(o, "y′ = 3x² %s %s = 3(x %s)(x %s). Производная положительна левее %s, отрицательна между %s и %s и положительна "
		      "правее %s. Значит, %s — точка максимума, %s — точка минимума. Ответ: %s.",
		      gen_sg(o, 2 * b, 0), gen_sg(o, c, 0), gen_sg(o, -p, 0), gen_sg(o, -q, 0), gen_i(o, p), gen_i(o, p), gen_i(o, q), gen_i(o, q),
		      gen_i(o, p), gen_i(o, q), gen_i(o, want_max ? p : q));
		gen_ans(o, want_max ? p : q, 1);
	} else { /* y = (x − a)² + m on [l, h] holding a */
		int a = gen_int(r, -6, 9), m = gen_int(r, -15, 15), l = a - gen_int(r, 1, 5), h = a + gen_int(r, 1, 5);
		int b = -2 * a, c = a * a + m;
		char poly[64];
		snprintf(poly, sizeof poly, "x²");
		if (b)
			snprintf(poly + strlen(poly), sizeof poly - strlen(poly), " %s %dx", b < 0 ? "−" : "+", b < 0 ? -b : b);
		if (c)
			snprintf(poly + strlen(poly), sizeof poly - strlen(poly), " %s %d", c < 0 ? "−" : "+", c < 0 ? -c : c);
		if (a == 0)
			return -1; /* the vertex at 0 is too plain */
		gen_t(o, "Найдите наименьшее значение функции y = %s на отрезке [%s; %s].", poly, gen_i(o, l), gen_i(o, h));
		gen_s(o, "y′ = 2x %s обращается в нуль при x = %s; эта точка лежит на отрезке, левее неё функция убывает, правее растёт, "
		      "так что наименьшее значение — в ней: y(%s) = %s.", gen_sg(o, b, 0), gen_i(o, a), gen_i(o, a), gen_i(o, m));
		gen_ans(o, m, 1);
	}
	return 0;
}

/* --- generators: informatics ---------------------------------------------------- */

/* Logic operations as the exam writes them, and their tables. */
static const struct {
	const char *sign;
	int table[4]; /* value for (a, b) = 00, 01, 10, 11 */
} gen_logic_ops[] = {
	{"∧", {0, 0, 0, 1}}, {"∨", {0, 1, 1, 1}}, {"→", {1, 1, 0, 1}}, {"≡", {1, 0, 0, 1}},
};

/* №2: which column of a truth-table fragment is which variable. */
static int gen_i_truth(struct gen_out *o, struct gen_rng *r)
{
	static const char *const names[] = {"x", "y", "z"};
	int var[4], neg[4], op[3];
	for (int i = 0; i < 4; i++) {
		var[i] = gen_pick(r, 3);
		neg[i] = gen_pick(r, 3) == 0;
	}
	for (int i = 0; i < 3; i++)
		op[i] = gen_pick(r, 4);
	if (var[0] == var[1] || var[2] == var[3] || !((1 << var[0] | 1 << var[1] | 1 << var[2] | 1 << var[3]) == 7))
		return -1; /* every variable appears; no "x ∧ x" */
	int truth[8], ntrue = 0;
	for (int row = 0; row < 8; row++) {
		int v[3] = {row >> 2 & 1, row >> 1 & 1, row & 1}, l[4];
		for (int i = 0; i < 4; i++)
			l[i] = v[var[i]] ^ neg[i];
		int left = gen_logic_ops[op[0]].table[l[0] * 2 + l[1]], right = gen_logic_ops[op[2]].table[l[2] * 2 + l[3]];
		truth[row] = gen_logic_ops[op[1]].table[left * 2 + right];
		ntrue += truth[row];
	}
	if (ntrue < 2 || ntrue > 4)
		return -1;
	/* Columns show the variables in a shuffled order perm[col] = variable;
	 * the answer must be the one order that fits the rows shown. */
	static const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	const int *perm = perms[gen_pick(r, 6)];
	int fits = 0;
	for (int p = 0; p < 6; p++) {
		int ok = 1;
		for (int row = 0; row < 8 && ok; row++) { /* the shown row (columns) that comes from this assignment */
			int v[3] = {row >> 2 & 1, row >> 1 & 1, row & 1}, shown = 0;
			for (int c = 0; c < 3; c++)
				shown = shown * 2 + v[perm[c]];
			int w[3];
			for (int c = 0; c < 3; c++)
				w[perms[p][c]] = shown >> (2 - c) & 1;
			ok = truth[w[0] * 4 + w[1] * 2 + w[2]] == truth[row];
		}
		fits += ok;
	}
	if (fits != 1)
		return -1;
	gen_t(o, "Логическая функция F задаётся выражением (%s%s %s %s%s) %s (%s%s %s %s%s). Ниже приведены все наборы значений "
	      "переменных, при которых F истинна; столбцы соответствуют переменным x, y, z в неизвестном порядке.\n"
	      "Перем. 1  Перем. 2  Перем. 3  F",
	      neg[0] ? "¬" : "", names[var[0]], gen_logic_ops[op[0]].sign, neg[1] ? "¬" : "", names[var[1]], gen_logic_ops[op[1]].sign,
	      neg[2] ? "¬" : "", names[var[2]], gen_logic_ops[op[2]].sign, neg[3] ? "¬" : "", names[var[3]]);
	int shown_rows[8], n = 0;
	for (int row = 0; row < 8; row++)
		if (truth[row]) {
			int v[3] = {row >> 2 & 1, row >> 1 & 1, row & 1}, shown = 0;
			for (int c = 0; c < 3; c++)
				shown = shown * 2 + v[perm[c]];
			shown_rows[n++] = shown;
		}
	for (int i = 0; i < n; i++) /* sorted, so the order of rows tells nothing */
		for (int j = i + 1; j < n; j++)
			if (shown_rows[j] < shown_rows[i]) {
				int t = shown_rows[i];
				shown_rows[i] = shown_rows[j];
				shown_rows[j] = t;
			}
	for (int i = 0; i < n; i++)
		gen_t(o, "\n   %d         %d         %d     1", shown_rows[i] >> 2 & 1, shown_rows[i] >> 1 & 1, shown_rows[i] & 1);
	gen_t(o, "\nОпределите, какому столбцу соответствует каждая из переменных. В ответе напишите буквы x, y, z в том порядке, "
	      "в котором идут соответствующие им столбцы.");
	char ans[4] = {names[perm[0]][0], names[perm[1]][0], names[perm[2]][0], 0};
	gen_s(o, "F истинна на %s. Перебираем шесть возможных порядков столбцов и для каждого проверяем, что показанные строки — "
	      "ровно те наборы, где выражение истинно; подходит только порядок %s. Например, подставьте каждую строку в выражение "
	      "при x, y, z из столбцов %d, %d, %d.", gen_n(o, ntrue, "наборе|наборах|наборах"), ans,
	      1 + (perm[0] == 0 ? 0 : perm[1] == 0 ? 1 : 2), 1 + (perm[0] == 1 ? 0 : perm[1] == 1 ? 1 : 2),
	      1 + (perm[0] == 2 ? 0 : perm[1] == 2 ? 1 : 2));
	gen_ans_s(o, ans, BANK_ORDER_EXACT);
	return 0;
}

/* The least total length of k more code words next to a prefix-free code:
 * free subtrees at depth d take m words for m·d plus the best code of m
 * words (a complete tree). */
static int gen_fano_cost(int m)
{
	if (m <= 1)
		return 0;
	int l = 0;
	while ((2 << l) <= m)
		l++;
	return m * l + 2 * (m - (1 << l));
}

static int gen_is_prefix(const char *a, const char *b) { return strncmp(a, b, strlen(a)) == 0; }

/* №4: the shortest total length of the missing Fano code words. */
static int gen_i_fano(struct gen_out *o, struct gen_rng *r)
{
	static const char *const letters[] = {"А", "Б", "В", "Г", "Д", "Е"};
	int known = gen_int(r, 2, 3), more = gen_int(r, 1, 3);
	char codes[3][8];
	for (int i = 0; i < known; i++) {
		int len = gen_int(r, 1, 4);
		for (int k = 0; k < len; k++)
			codes[i][k] = (char)('0' + gen_pick(r, 2));
		codes[i][len] = '\0';
		for (int j = 0; j < i; j++)
			if (gen_is_prefix(codes[i], codes[j]) || gen_is_prefix(codes[j], codes[i]))
				return -1;
	}
	/* free roots: strings not prefixed by a code, prefixing none, whose parent prefixes a code */
	int depth[64], nfree = 0;
	for (int len = 1; len <= 5; len++)
		for (int bits = 0; bits < (1 << len); bits++) {
			char s[8];
			for (int k = 0; k < len; k++)
				s[k] = (char)('0' + (bits >> (len - 1 - k) & 1));
			s[len] = '\0';
			int blocked = 0, parent_used = len == 1;
			for (int i = 0; i < known; i++) {
				blocked |= gen_is_prefix(codes[i], s) || gen_is_prefix(s, codes[i]);
				char par[8];
				snprintf(par, sizeof par, "%.*s", len - 1, s);
				parent_used |= gen_is_prefix(par, codes[i]);
			}
			if (!blocked && parent_used && nfree < 64)
				depth[nfree++] = len;
		}
	if (nfree == 0)
		return -1;
	int best[4] = {0, 1 << 20, 1 << 20, 1 << 20};
	for (int f = 0; f < nfree; f++)
		for (int j = more; j >= 1; j--)
			for (int m = 1; m <= j; m++)
				if (best[j - m] + m * depth[f] + gen_fano_cost(m) < best[j])
					best[j] = best[j - m] + m * depth[f] + gen_fano_cost(m);
	gen_t(o, "По каналу связи передаются сообщения из букв");
	for (int i = 0; i < known + more; i++)
		gen_t(o, "%s %s", i == 0 ? "" : i == known + more - 1 ? " и" : ",", letters[i]);
	gen_t(o, "; для них используют неравномерный двоичный код, удовлетворяющий условию Фано (никакое кодовое слово не является "
	      "началом другого). Известны коды:");
	for (int i = 0; i < known; i++)
		gen_t(o, " %s — %s%s", letters[i], codes[i], i + 1 < known ? "," : ".");
	if (more == 1) {
		gen_t(o, " Какова наименьшая возможная длина кодового слова для буквы %s?", letters[known]);
	} else {
		gen_t(o, " Какова наименьшая возможная суммарная длина кодовых слов для букв");
		for (int i = known; i < known + more; i++)
			gen_t(o, "%s %s", i == known ? "" : i == known + more - 1 ? " и" : ",", letters[i]);
		gen_t(o, "?");
	}
	gen_s(o, "Новые слова не могут начинаться с известных кодов и не могут быть началом известных. Свободные «ветви» дерева "
	      "кодов начинаются на глубине");
	for (int f = 0; f < nfree; f++)
		gen_s(o, "%s %d", f ? "," : "", depth[f]);
	gen_s(o, ". Занимаем самые короткие из них; если свободных ветвей не хватает, одну ветвь делим надвое (каждое слово "
	      "становится на 1 длиннее). Наименьшая суммарная длина — %d.", best[more]);
	gen_ans(o, best[more], 1);
	return 0;
}

/* №5: an algorithm that appends bits to N's binary form. */
static long long gen_algo5(int rule, long long n)
{
	int ones = 0;
	for (long long t = n; t; t >>= 1)
		ones += (int)(t & 1);
	switch (rule) {
	case 0: /* even: append 10, odd: append 01 */
		return n % 2 == 0 ? n * 4 + 2 : n * 4 + 1;
	case 1: { /* parity bit, twice */
		long long m = n * 2 + (ones % 2);
		int ones2 = ones + (ones % 2);
		return m * 2 + (ones2 % 2);
	}
	default: /* odd: append 1; even: append 00 */
		return n % 2 ? n * 2 + 1 : n * 4;
	}
}

static int gen_i_algo(struct gen_out *o, struct gen_rng *r)
{
	static const char *const rules[] = {
		"если N чётное, в конец двоичной записи дописываются цифры 10, если нечётное — цифры 01",
		"к записи справа дописывается остаток от деления суммы её цифр на 2; затем к новой записи таким же образом "
		"дописывается ещё одна цифра — остаток от деления суммы её цифр на 2",
		"если N нечётное, к двоичной записи справа дописывается 1, если чётное — дописываются два нуля",
	};
	int rule = gen_pick(r, 3), ask_r = gen_pick(r, 2), x = gen_int(r, 30, 250);
	long long found = -1;
	if (ask_r) { /* the least R above x over all N: R grows with N in every rule, so N up to x suffices */
		for (long long m = 1; m <= x; m++) {
			long long v = gen_algo5(rule, m);
			if (v > x && (found < 0 || v < found))
				found = v;
		}
	} else {
		for (long long n = 1; found < 0; n++)
			if (gen_algo5(rule, n) > x)
				found = n;
	}
	gen_t(o, "Автомат получает на вход натуральное число N и строит по нему новое число R так: 1) строится двоичная запись "
	      "числа N; 2) %s; 3) полученная запись переводится в десятичную систему — это число R. ", rules[rule]);
	if (ask_r)
		gen_t(o, "Укажите наименьшее число R, большее %d, которое может получиться в результате работы автомата.", x);
	else
		gen_t(o, "Укажите наименьшее число N, для которого результат работы автомата больше %d.", x);
	gen_s(o, "Запись R — это запись N и ещё одна-две цифры справа, поэтому R растёт вместе с N. Перебираем N по возрастанию: ");
	if (ask_r) {
		long long n = 1;
		while (gen_algo5(rule, n) != found)
			n++;
		gen_s(o, "первым R > %d оказывается R = %lld при N = %lld. Можно проверить и соседние N: меньшие дают R ≤ %d.", x, found, n, x);
	} else {
		gen_s(o, "при N = %lld получается R = %lld > %d, а при N = %lld R = %lld ≤ %d.", found, gen_algo5(rule, found), x, found - 1,
		      gen_algo5(rule, found - 1), x);
	}
	gen_ans(o, found, 1);
	return 0;
}

/* №7: a raster image's size and palette. */
static int gen_i_img(struct gen_out *o, struct gen_rng *r)
{
	static const int sides[] = {64, 128, 160, 192, 256, 320, 384, 512, 640, 768, 1024};
	int w = GEN_ONE_OF(r, sides), h = GEN_ONE_OF(r, sides), bits = gen_int(r, 1, 8);
	long long bytes = (long long)w * h * bits / 8;
	if (gen_pick(r, 2)) {
		if (bytes % 1024)
			return -1;
		gen_t(o, "Какой минимальный объём памяти (в Кбайт) нужно зарезервировать, чтобы можно было сохранить любое растровое "
		      "изображение размером %d×%d пикселей при условии, что в изображении могут использоваться %s? В ответе запишите "
		      "только целое число, единицу измерения писать не нужно.", w, h, gen_n(o, 1LL << bits, "цвет|цвета|цветов"));
		gen_s(o, "%s — это %s на пиксель (2^%d = %d). Объём: %d·%d·%d = %s = %lld байт = %lld Кбайт.",
		      gen_n(o, 1LL << bits, "цвет|цвета|цветов"), gen_n(o, bits, "бит|бита|бит"), bits, 1 << bits, w, h, bits,
		      gen_n(o, (long long)w * h * bits, "бит|бита|бит"), bytes, bytes / 1024);
		gen_ans(o, bytes / 1024, 1);
	} else {
		if (bytes % 1024)
			return -1;
		long long kib = bytes / 1024;
		gen_t(o, "Для хранения произвольного растрового изображения размером %d×%d пикселей отведено %s памяти без учёта "
		      "размера заголовка файла. Для кодирования цвета каждого пикселя используется одинаковое количество бит. Какое "
		      "максимальное количество цветов можно использовать в изображении?", w, h, gen_n(o, kib, "Кбайт|Кбайт|Кбайт"));
		gen_s(o, "%lld Кбайт = %s; на каждый из %d·%d пикселей приходится %lld : %d = %s, значит, цветов не больше "
		      "2^%d = %d.", kib, gen_n(o, bytes * 8, "бит|бита|бит"), w, h, bytes * 8, w * h, gen_n(o, bits, "бит|бита|бит"), bits,
		      1 << bits);
		gen_ans(o, 1LL << bits, 1);
	}
	return 0;
}

/* Words with distinct letters, for counting words. */
static const char *const gen_words[] = {"ЛИСА", "КРОТ", "ВЕСНА", "ПОЛКА", "ЗЕБРА", "СТОЛ", "КНИГА", "МЕТРО", "ПИРОГ", "ЗАМОК", "ФОРТ", "ЛУНА"};

/* The letters of a word of Cyrillic capitals (2 bytes each). */
static int gen_letters(const char *w, char out[][3])
{
	int n = 0;
	for (; w[0] && w[1]; w += 2, n++)
		snprintf(out[n], 3, "%.2s", w);
	return n;
}

static int gen_is_vowel(const char *l) { return strstr("АЕЁИОУЫЭЮЯ", l) != NULL; }

/* №8: counting words with a condition, by brute force. */
static int gen_i_words(struct gen_out *o, struct gen_rng *r)
{
	const char *word = GEN_ONE_OF(r, gen_words);
	char let[8][3];
	int n = gen_letters(word, let), len = gen_int(r, 3, 5), kind = gen_pick(r, 4), x = gen_pick(r, n), k = gen_int(r, 1, 2);
	if (kind == 2 && len > n)
		return -1;
	long long count = 0, total = 1;
	for (int i = 0; i < len; i++)
		total *= n;
	for (long long code = 0; code < total; code++) {
		int d[5], c = (int)code, used = 0, ok = 1, cx = 0;
		for (int i = len - 1; i >= 0; i--, c /= n)
			d[i] = c % n;
		for (int i = 0; i < len; i++) {
			cx += d[i] == x;
			if (used >> d[i] & 1)
				ok = kind == 2 ? 0 : ok;
			used |= 1 << d[i];
		}
		if (kind == 0)
			ok = cx == k;
		else if (kind == 1)
			ok = gen_is_vowel(let[d[0]]) && !gen_is_vowel(let[d[len - 1]]);
		else if (kind == 2)
			ok = ok && d[0] != x;
		else
			ok = cx >= 1;
		count += ok;
	}
	gen_t(o, "Вася составляет %d-буквенные слова из букв слова %s. ", len, word);
	switch (kind) {
	case 0:
		gen_t(o, "Буквы могут повторяться, и в каждом слове буква %s встречается ровно %s. Словом считается любая "
		      "последовательность букв, не обязательно осмысленная. Сколько таких слов может составить Вася?", let[x],
		      gen_n(o, k, "раз|раза|раз"));
		gen_s(o, "Выбираем %s для буквы %s: C(%d, %d) способов; на остальные %d мест — любая из %d других букв. Итого %lld.",
		      k == 1 ? "место" : "места", let[x], len, k, len - k, n - 1, count);
		break;
	case 1:
		gen_t(o, "Буквы могут повторяться, слово должно начинаться с гласной и заканчиваться согласной. Словом считается "
		      "любая последовательность букв. Сколько таких слов может составить Вася?");
		gen_s(o, "Первая буква — любая из гласных слова, последняя — любая из согласных, в середине %d букв — любые из %d. "
		      "Перемножаем: %lld.", len - 2, n, count);
		break;
	case 2:
		gen_t(o, "Каждая буква используется не более одного раза, и слово не может начинаться с буквы %s. Сколько таких слов "
		      "может составить Вася?", let[x]);
		gen_s(o, "Первую букву выбираем из %d (все, кроме %s), каждую следующую — из оставшихся. Итого %lld.", n - 1, let[x], count);
		break;
	default:
		gen_t(o, "Буквы могут повторяться, но буква %s должна встретиться хотя бы один раз. Сколько таких слов может "
		      "составить Вася?", let[x]);
		gen_s(o, "Всех слов %d^%d = %lld, без буквы %s — %d^%d = %lld. Разность: %lld.", n, len, total, let[x], n - 1, len,
		      total - count, count);
		break;
	}
	gen_ans(o, count, 1);
	return 0;
}

/* №13: IP addresses and masks. */
static int gen_i_ip(struct gen_out *o, struct gen_rng *r)
{
	int p = gen_int(r, 17, 30), kind = gen_pick(r, 2);
	uint32_t mask = 0xFFFFFFFFu << (32 - p);
	char m[20];
	snprintf(m, sizeof m, "%u.%u.%u.%u", mask >> 24, mask >> 16 & 255, mask >> 8 & 255, mask & 255);
	if (kind == 0) {
		long long hosts = (1LL << (32 - p)) - 2;
		gen_t(o, "В терминологии сетей TCP/IP маска сети — двоичное число, которое показывает, какая часть IP-адреса узла "
		      "относится к адресу сети, а какая — к адресу узла в этой сети. Маска сети равна %s. Сколько в этой сети "
		      "адресов, которые можно назначить узлам, если адрес сети и широковещательный адрес узлам не назначают?", m);
		gen_s(o, "В маске %s — %s, на номер узла остаётся %s, то есть 2^%d = %lld адресов. Без двух служебных: %lld.", m,
		      gen_n(o, p, "единица|единицы|единиц"), gen_n(o, 32 - p, "бит|бита|бит"), 32 - p, hosts + 2, hosts);
		gen_ans(o, hosts, 1);
	} else {
		uint32_t ip = (uint32_t)gen_int(r, 10, 223) << 24 | (uint32_t)gen_int(r, 0, 255) << 16 | (uint32_t)gen_int(r, 0, 255) << 8 |
		              (uint32_t)gen_int(r, 1, 254);
		int byte = p <= 24 ? 3 : 4;
		uint32_t net = ip & mask;
		int v = byte == 3 ? (int)(net >> 8 & 255) : (int)(net & 255);
		int mb = byte == 3 ? (int)(mask >> 8 & 255) : (int)(mask & 255), ib = byte == 3 ? (int)(ip >> 8 & 255) : (int)(ip & 255);
		if (mb == 0 || mb == 255)
			return -1;
		gen_t(o, "Адрес сети получается поразрядной конъюнкцией IP-адреса узла и маски. Узел имеет IP-адрес %u.%u.%u.%u, маска "
		      "сети — %s. Чему равен %s слева байт адреса сети? Ответ запишите в виде десятичного числа.", ip >> 24, ip >> 16 & 255,
		      ip >> 8 & 255, ip & 255, m, byte == 3 ? "третий" : "четвёртый");
		char bi[9], bm[9], bv[9];
		for (int k = 0; k < 8; k++) {
			bi[k] = (char)('0' + (ib >> (7 - k) & 1));
			bm[k] = (char)('0' + (mb >> (7 - k) & 1));
			bv[k] = (char)('0' + (v >> (7 - k) & 1));
		}
		bi[8] = bm[8] = bv[8] = '\0';
		gen_s(o, "В этом байте: адрес %d = %s₂, маска %d = %s₂. Поразрядное «и»: %s₂ = %d.", ib, bi, mb, bm, bv, v);
		gen_ans(o, v, 1);
	}
	return 0;
}

/* Digits of a number in base b, least significant first, as an array. */
#define GEN_BIG_DIGITS 2400 /* 9^400 + ... in base 3 has ~800 digits; 2^2100 needs 2100 */
struct gen_big {
	unsigned char d[GEN_BIG_DIGITS];
	int base;
};

/* x += sign·b^k (sign ±1); -1 when the number would go negative or too long. */
static int gen_big_add(struct gen_big *x, int k, int sign)
{
	if (k >= GEN_BIG_DIGITS - 1)
		return -1;
	for (int i = k; i < GEN_BIG_DIGITS; i++) {
		int v = x->d[i] + sign;
		if (v >= 0 && v < x->base) {
			x->d[i] = (unsigned char)v;
			return 0;
		}
		x->d[i] = (unsigned char)(sign > 0 ? 0 : x->base - 1); /* carry or borrow */
	}
	return -1;
}

/* №14: digits in the record of an expression with powers. */
static int gen_i_base(struct gen_out *o, struct gen_rng *r)
{
	static const int radixes[] = {2, 3, 4, 5, 6, 7, 8, 9};
	int b = GEN_ONE_OF(r, radixes);
	/* three terms: big^e1 + mid^e2 − small, each base a power of b */
	int p1 = gen_int(r, 1, 3), p2 = gen_int(r, 1, 3), e1 = gen_int(r, 20, 600), e2 = gen_int(r, 5, 300), k3 = gen_int(r, 0, 30);
	long long base1 = 1, base2 = 1, c = 1;
	for (int i = 0; i < p1; i++)
		base1 *= b;
	for (int i = 0; i < p2; i++)
		base2 *= b;
	for (int i = 0; i < k3; i++) {
		c *= b;
		if (c > 100000)
			return -1;
	}
	int k1 = p1 * e1, k2 = p2 * e2;
	if (base1 > 50 || base2 > 50 || k1 <= k2 || k2 <= k3 || k1 > 2100)
		return -1;
	int mult3 = gen_int(r, 1, b - 1 > 3 ? 3 : b - 1); /* the small term: mult3·b^k3 */
	if (c * mult3 > 100000)
		return -1;
	struct gen_big x;
	memset(&x, 0, sizeof x);
	x.base = b;
	if (gen_big_add(&x, k1, 1) < 0 || gen_big_add(&x, k2, 1) < 0)
		return -1;
	for (int i = 0; i < mult3; i++)
		if (gen_big_add(&x, k3, -1) < 0)
			return -1;
	int digit = gen_pick(r, 2) ? b - 1 : 0, count = 0, top = GEN_BIG_DIGITS - 1;
	while (top > 0 && x.d[top] == 0)
		top--;
	for (int i = 0; i <= top; i++)
		count += x.d[i] == digit;
	if (count == 0)
		return -1;
	gen_t(o, "Значение арифметического выражения %lld^%d + %lld^%d − %lld записали в системе счисления с основанием %d. "
	      "Сколько цифр «%d» содержится в этой записи?", base1, e1, base2, e2, c * mult3, b, digit);
	gen_s(o, "Запишем всё через степени %d: %lld^%d = %d^%d, %lld^%d = %d^%d, %lld = %d·%d^%d. "
	      "Разность %d^%d − %d·%d^%d = (%d^%d − %d)·%d^%d записывается так: %s «%d», затем цифра %d, затем %s. "
	      "Прибавление %d^%d добавляет старшую единицу и %s между ней и этой разностью. Цифр «%d» в записи: %d.",
	      b, base1, e1, b, k1, base2, e2, b, k2, c * mult3, mult3, b, k3,
	      b, k2, mult3, b, k3, b, k2 - k3, mult3, b, k3, gen_n(o, k2 - k3 - 1, "цифра|цифры|цифр"), b - 1, b - mult3,
	      gen_n(o, k3, "ноль|нуля|нулей"), b, k1, gen_n(o, k1 - k2 - 1, "ноль|нуля|нулей"), digit, count);
	gen_ans(o, count, 1);
	return 0;
}

/* №16: a recursive function. */
static int gen_i_rec(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 2);
	if (kind == 0) { /* F(n) = a, n ≤ c; F(n) = F(n−1) + k·n */
		int a = gen_int(r, 1, 9), c = gen_int(r, 1, 3), k = gen_int(r, 1, 5), n = gen_int(r, 8, 25);
		long long f = a;
		for (int i = c + 1; i <= n; i++)
			f += (long long)k * i;
		gen_t(o, "Алгоритм вычисления значения функции F(n), где n — натуральное число, задан соотношениями:\n"
		      "F(n) = %d при n ≤ %d;\nF(n) = F(n − 1) + %d·n при n > %d.\nЧему равно значение функции F(%d)?", a, c, k, c, n);
		gen_s(o, "F(%d) = F(%d) + %d·(%d + %d + … + %d). Сумма чисел от %d до %d равна %d, поэтому F(%d) = %d + %d·%d = %lld.", n, c, k,
		      c + 1, c + 2, n, c + 1, n, (n + c + 1) * (n - c) / 2, n, a, k, (n + c + 1) * (n - c) / 2, f);
		gen_ans(o, f, 1);
	} else { /* F(n) = n, n ≥ top; F(n) = n + s + F(n + s): difference F(lo) − F(hi) */
		int top = gen_int(r, 2000, 2100), s = gen_int(r, 1, 3), add = gen_int(r, 1, 5), steps = gen_int(r, 2, 6);
		int hi = top - s * gen_int(r, 1, 2), lo = hi - s * steps;
		if (lo <= 0)
			return -1;
		/* F(lo) − F(hi) = sum over m = lo, lo+s, ..., hi−s of (m + add) */
		long long diff = 0;
		for (int m = lo; m < hi; m += s)
			diff += m + add;
		gen_t(o, "Алгоритм вычисления значения функции F(n), где n — натуральное число, задан соотношениями:\n"
		      "F(n) = n при n ≥ %d;\nF(n) = n + %d + F(n + %d) при n < %d.\nЧему равно значение выражения F(%d) − F(%d)?",
		      top, add, s, top, lo, hi);
		gen_s(o, "Раскроем F(%d) до F(%d): F(%d) = (%d + %d) + (%d + %d) + … + (%d + %d) + F(%d). Считать F(%d) не нужно — оно "
		      "сократится. Сумма %s равна %lld.", lo, hi, lo, lo, add, lo + s, add, hi - s, add, hi, hi,
		      gen_n(o, steps, "слагаемого|слагаемых|слагаемых"), diff);
		gen_ans(o, diff, 1);
	}
	return 0;
}

/* The game of task 19-21: one heap, moves +1, +k or ×m, the player who
 * makes it reach `win` wins.  w1[s]: the mover wins in one move; l1: every
 * move gives the other a win in one; w2: a move to l1 exists (and no
 * win in one); l2: every move gives w1 or w2, at least one w2. */
#define GEN_GAME_MAX 200 /* heaps up to this: exam games end by 100 or so */
struct gen_game {
	int k, m, win;
	unsigned char w1[GEN_GAME_MAX], l1[GEN_GAME_MAX], w2[GEN_GAME_MAX], l2[GEN_GAME_MAX];
};

static void gen_game_solve(struct gen_game *g)
{
	for (int s = g->win - 1; s >= 1; s--) {
		int mv[3] = {s + 1, s + g->k, s * g->m};
		g->w1[s] = mv[0] >= g->win || mv[1] >= g->win || mv[2] >= g->win;
	}
	for (int s = 1; s < g->win; s++) {
		int mv[3] = {s + 1, s + g->k, s * g->m}, all_w1 = 1;
		for (int i = 0; i < 3; i++)
			all_w1 &= mv[i] < g->win && g->w1[mv[i]];
		g->l1[s] = !g->w1[s] && all_w1;
	}
	for (int s = 1; s < g->win; s++) {
		int mv[3] = {s + 1, s + g->k, s * g->m}, any = 0;
		for (int i = 0; i < 3; i++)
			any |= mv[i] < g->win && g->l1[mv[i]];
		g->w2[s] = !g->w1[s] && any;
	}
	for (int s = 1; s < g->win; s++) {
		int mv[3] = {s + 1, s + g->k, s * g->m}, all = 1, any2 = 0;
		for (int i = 0; i < 3; i++) {
			int t = mv[i];
			all &= t < g->win && (g->w1[t] || g->w2[t]);
			any2 |= t < g->win && g->w2[t];
		}
		g->l2[s] = !g->w1[s] && all && any2;
	}
}

/* The common text of tasks 19-21. */
static int gen_game_text(struct gen_out *o, struct gen_rng *r, struct gen_game *g)
{
	memset(g, 0, sizeof *g);
	g->k = gen_int(r, 2, 5);
	g->m = gen_int(r, 2, 3);
	g->win = gen_int(r, 20, 120);
	if (g->win >= GEN_GAME_MAX)
		return -1;
	gen_game_solve(g);
	gen_t(o, "Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, "
	      "первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить %s или увеличить "
	      "количество камней в куче в %d раза. Игра завершается, когда количество камней в куче становится не менее %d; "
	      "победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ %d. ",
	      gen_n(o, g->k, "камень|камня|камней"), g->m, g->win, g->win - 1);
	return 0;
}

/* №19: Vanya wins by his first move after Petya's unlucky one. */
static int gen_i_game19(struct gen_out *o, struct gen_rng *r)
{
	struct gen_game g;
	if (gen_game_text(o, r, &g) < 0)
		return -1;
	int ans = -1;
	for (int s = 1; s < g.win && ans < 0; s++) {
		int mv[3] = {s + 1, s + g.k, s * g.m};
		for (int i = 0; i < 3; i++)
			if (mv[i] < g.win && g.w1[mv[i]])
				ans = s;
	}
	if (ans < 0)
		return -1;
	gen_t(o, "Известно, что Ваня выиграл своим первым ходом после неудачного первого хода Пети. Укажите минимальное значение S, "
	      "при котором такая ситуация возможна.");
	gen_s(o, "Ваня выигрывает одним ходом из кучи в t камней, если t·%d ≥ %d (умножение даёт больше всего). Нужно, чтобы Петя "
	      "мог своим ходом получить такую кучу, не закончив игру. Наименьшее подходящее S = %d: ход «×%d» даёт %s, и Ваня "
	      "побеждает.", g.m, g.win, ans, g.m, gen_n(o, ans * g.m, "камень|камня|камней"));
	gen_ans(o, ans, 1);
	return 0;
}

/* №20: the two least S where Petya wins by his second move. */
static int gen_i_game20(struct gen_out *o, struct gen_rng *r)
{
	struct gen_game g;
	if (gen_game_text(o, r, &g) < 0)
		return -1;
	int a = -1, b = -1;
	for (int s = 1; s < g.win && b < 0; s++)
		if (g.w2[s]) {
			if (a < 0)
				a = s;
			else
				b = s;
		}
	if (b < 0)
		return -1;
	gen_t(o, "Найдите два наименьших значения S, при которых у Пети есть выигрышная стратегия, причём Петя не может "
	      "выиграть за один ход, но может выиграть своим вторым ходом независимо от того, как будет ходить Ваня. Найденные "
	      "значения запишите в порядке возрастания через пробел.");
	gen_s(o, "Позиции, из которых любой ход даёт противнику выигрыш в один ход, — проигрышные: в них Петя и должен "
	      "отправить Ваню первым ходом. Наименьшие S, из которых есть ход в такую позицию (и нет выигрыша сразу): %d и %d.", a, b);
	char ans[32];
	snprintf(ans, sizeof ans, "%d %d", a, b);
	gen_ans_s(o, ans, BANK_ORDER_EXACT);
	return 0;
}

/* №21: the least S where Vanya wins by his first or second move. */
static int gen_i_game21(struct gen_out *o, struct gen_rng *r)
{
	struct gen_game g;
	if (gen_game_text(o, r, &g) < 0)
		return -1;
	int ans = -1;
	for (int s = 1; s < g.win && ans < 0; s++)
		if (g.l2[s])
			ans = s;
	if (ans < 0)
		return -1;
	gen_t(o, "Найдите минимальное значение S, при котором у Вани есть выигрышная стратегия, позволяющая ему выиграть первым или "
	      "вторым ходом при любой игре Пети, и при этом у Вани нет стратегии, которая позволит ему гарантированно выиграть "
	      "первым ходом.");
	gen_s(o, "Ищем позицию, из которой любой ход Пети ведёт либо в позицию выигрыша одним ходом, либо в позицию, где Ваня "
	      "выигрывает вторым ходом, причём хотя бы один ход — во вторую. Наименьшая такая S = %d.", ans);
	gen_ans(o, ans, 1);
	return 0;
}

/* №23: programs of an executor with two or three commands. */
static int gen_i_prog(struct gen_out *o, struct gen_rng *r)
{
	int k = gen_int(r, 2, 3), m = gen_int(r, 2, 3), a = gen_int(r, 1, 6), b = gen_int(r, 14, 40), through = -1, avoid = -1;
	int kind = gen_pick(r, 3);
	if (kind >= 1)
		through = gen_int(r, a + 3, b - 5);
	if (kind == 2)
		avoid = gen_int(r, through + 2, b - 1);
	long long ways[64 * 3 + 1] = {0};
	if (b > 64 * 3)
		return -1;
	ways[a] = 1;
	for (int x = a; x < b; x++) {
		if (!ways[x])
			continue;
		if (x == avoid)
			continue;
		int next[3] = {x + 1, x + k, x * m};
		for (int i = 0; i < 3; i++)
			if (next[i] <= b && (through < 0 || x >= through || next[i] <= through))
				ways[next[i]] += ways[x];
	}
	long long n = ways[b];
	if (avoid == b || n < 10 || n > 20000)
		return -1;
	if (through >= 0 && avoid >= 0 && avoid <= through)
		return -1;
	gen_t(o, "Исполнитель преобразует число на экране. У него три команды: 1. Прибавить 1; 2. Прибавить %d; 3. Умножить на %d. "
	      "Программа — это последовательность команд. Сколько существует программ, для которых при исходном числе %d результатом "
	      "является число %d", k, m, a, b);
	if (kind == 0)
		gen_t(o, "?");
	else if (kind == 1)
		gen_t(o, " и при этом траектория вычислений содержит число %d?", through);
	else
		gen_t(o, " и при этом траектория вычислений содержит число %d и не содержит числа %d?", through, avoid);
	gen_s(o, "Считаем динамически: число программ, приводящих в x, равно сумме чисел для тех y, из которых x получается одной "
	      "командой. ");
	if (kind >= 1)
		gen_s(o, "Траектория обязана пройти через %d, поэтому числа больше %d получаем только из %d и далее%s. ", through, through,
		      through, kind == 2 ? " и пропускаем число, которое запрещено" : "");
	gen_s(o, "Для %d получается %lld.", b, n);
	gen_ans(o, n, 1);
	return 0;
}

/* №7: a trigonometric value from another one, with the quarter given. */
static int gen_m_trig(struct gen_out *o, struct gen_rng *r)
{
	const int *t = gen_triples[gen_pick(r, 7)];
	int a = t[0], b = t[1], c = t[2], m = gen_int(r, 1, 6), given_cos = gen_pick(r, 2);
	if (gen_pick(r, 2))
		a = t[1], b = t[0];
	static const struct {
		const char *range;
		int cos_sign, sin_sign;
	} q[] = {{"(0; π/2)", 1, 1}, {"(π/2; π)", -1, 1}, {"(π; 3π/2)", -1, -1}, {"(3π/2; 2π)", 1, -1}};
	int k = gen_pick(r, 4);
	/* the given function is ±a/c, the asked one ±b/c; ask (m·c)·f */
	int gs = given_cos ? q[k].cos_sign : q[k].sin_sign, as = given_cos ? q[k].sin_sign : q[k].cos_sign;
	const char *gf = given_cos ? "cos" : "sin", *af = given_cos ? "sin" : "cos";
	gen_t(o, "Найдите %d%s α, если %s α = %s%d/%d и α ∈ %s.", m * c, af, gf, gs < 0 ? "−" : "", a, c, q[k].range);
	gen_s(o, "%s²α = 1 − %s²α = 1 − %d/%d = %d/%d, поэтому |%s α| = %d/%d. На промежутке %s %s %s, значит, %s α = %s%d/%d, "
	      "и %d%s α = %s.", af, gf, a * a, c * c, b * b, c * c, af, b, c, q[k].range, given_cos ? "синус" : "косинус",
	      as > 0 ? "положителен" : "отрицателен", af, as > 0 ? "" : "−", b, c, m * c, af, gen_i(o, as * m * b));
	gen_ans(o, as * m * b, 1);
	return 0;
}

/* №4: dice, rounded to hundredths as the exam asks. */
static int gen_m_dice(struct gen_out *o, struct gen_rng *r)
{
	int times = gen_int(r, 2, 3), kind = gen_pick(r, 4), s = gen_int(r, 2, 18), all = times == 2 ? 36 : 216, good = 0;
	static const char *const what[] = {"сумма выпавших очков равна %d", "сумма выпавших очков больше %d",
	                                   "наибольшее из выпавших чисел равно %d", "произведение выпавших очков равно %d"};
	if (kind == 3)
		s = gen_int(r, 2, 60);
	if (kind == 2 && s > 6)
		return -1;
	for (int x = 1; x <= 6; x++)
		for (int y = 1; y <= 6; y++)
			for (int z = 1; z <= (times == 2 ? 1 : 6); z++) {
				int v[3] = {x, y, times == 2 ? 0 : z}, sum = x + y + v[2], mx = x > y ? x : y, prod = x * y * (times == 2 ? 1 : z);
				mx = v[2] > mx ? v[2] : mx;
				good += kind == 0 ? sum == s : kind == 1 ? sum > s : kind == 2 ? mx == s : prod == s;
			}
	if (good == 0 || good == all)
		return -1;
	long long h = (200LL * good + all) / (2LL * all); /* hundredths, half up */
	char event[96];
	snprintf(event, sizeof event, what[kind], s);
	gen_t(o, "В случайном эксперименте симметричную игральную кость бросают %s. Найдите вероятность того, что %s. Результат "
	      "округлите до сотых.", times == 2 ? "дважды" : "трижды", event);
	gen_s(o, "Равновозможных исходов 6^%d = %d. Благоприятных исходов (%s) %d: их удобно пересчитать по таблице. "
	      "Вероятность %d/%d ≈ %s.", times, all, event, good, good, all, gen_dec(o, h, 100));
	gen_ans(o, h, 100);
	return 0;
}

/* №14: the base of a positional system from a number's record. */
static int gen_i_sys(struct gen_out *o, struct gen_rng *r)
{
	int base = gen_int(r, 3, 9), len = gen_int(r, 2, 4), digits[4], v = 0;
	for (int i = 0; i < len; i++) {
		digits[i] = gen_int(r, i == 0 ? 1 : 0, base - 1);
		v = v * base + digits[i];
	}
	if (digits[0] == 0 || v < 10)
		return -1;
	int maxd = 0, fits = 0;
	for (int i = 0; i < len; i++)
		maxd = digits[i] > maxd ? digits[i] : maxd;
	for (int b2 = maxd + 1; b2 <= 36; b2++) { /* the base must be the only one */
		int w = 0;
		for (int i = 0; i < len; i++)
			w = w * b2 + digits[i];
		fits += w == v;
	}
	if (fits != 1)
		return -1;
	char rec[8];
	for (int i = 0; i < len; i++)
		rec[i] = (char)('0' + digits[i]);
	rec[len] = '\0';
	gen_t(o, "Запись десятичного числа %d в системе счисления с основанием N выглядит как %s. Укажите основание N.", v, rec);
	gen_s(o, "Основание больше самой большой цифры записи (%d). Подставляем N = %d, %d, …: ", maxd, maxd + 1, maxd + 2);
	for (int b2 = maxd + 1; b2 <= base; b2++) {
		int w = 0;
		for (int i = 0; i < len; i++)
			w = w * b2 + digits[i];
		gen_s(o, "%s%s по основанию %d — это %d", b2 > maxd + 1 ? "; " : "", rec, b2, w);
	}
	gen_s(o, ". Подходит N = %d.", base);
	gen_ans(o, base, 1);
	return 0;
}

/* №11: passwords stored in whole bytes. */
static int gen_i_info(struct gen_out *o, struct gen_rng *r)
{
	int len = gen_int(r, 6, 30), alpha = gen_int(r, 10, 200), users = gen_int(r, 10, 500);
	int bits = 0;
	while ((1 << bits) < alpha)
		bits++;
	int bytes = (len * bits + 7) / 8;
	static const char *const what[] = {"пароль", "идентификатор", "номер пропуска"};
	int w = gen_pick(r, 3);
	gen_t(o, "При регистрации каждому пользователю выдаётся %s из %s. Используется алфавит из %s. Каждый символ кодируется "
	      "одинаковым и минимально возможным количеством бит, а %s целиком — минимально возможным целым количеством байт. "
	      "Сколько байт нужно для хранения %s %s?", what[w], gen_n(o, len, "символа|символов|символов"),
	      gen_n(o, alpha, "символа|символов|символов"), w == 2 ? "номер" : what[w],
	      w == 0 ? "паролей" : w == 1 ? "идентификаторов" : "номеров", gen_n(o, users, "пользователя|пользователей|пользователей"));
	gen_s(o, "Для %s нужно %s на символ (2^%d = %d ≥ %d). Один %s: %d·%d = %s, это %s. Всего %d·%d = %d байт.",
	      gen_n(o, alpha, "символа|символов|символов"), gen_n(o, bits, "бит|бита|бит"), bits, 1 << bits, alpha,
	      w == 2 ? "номер" : what[w], len, bits, gen_n(o, len * bits, "бит|бита|бит"), gen_n(o, bytes, "байт|байта|байт"), users, bytes,
	      users * bytes);
	gen_ans(o, users * bytes, 1);
	return 0;
}

/* №25-style counting on a segment: divisible by one number, not by another. */
static int gen_i_div(struct gen_out *o, struct gen_rng *r)
{
	int a = gen_int(r, 100, 5000), b = a + gen_int(r, 200, 5000), k = gen_int(r, 3, 19), m = gen_int(r, 2, 9);
	if (k == m || k % m == 0)
		return -1;
	int count = 0;
	long long last = 0;
	for (int x = a; x <= b; x++)
		if (x % k == 0 && x % m != 0) {
			count++;
			last = x;
		}
	if (count == 0)
		return -1;
	int ask_last = gen_pick(r, 2);
	if (ask_last) {
		gen_t(o, "Рассматриваются натуральные числа из отрезка [%d; %d]. Найдите наибольшее из них, которое делится на %d и не "
		      "делится на %d.", a, b, k, m);
		gen_s(o, "Идём от %d вниз по кратным %d и берём первое, не кратное %d: %lld.", b, k, m, last);
		gen_ans(o, last, 1);
	} else {
		gen_t(o, "Рассматриваются натуральные числа из отрезка [%d; %d]. Найдите количество таких чисел, которые делятся на %d и "
		      "не делятся на %d.", a, b, k, m);
		gen_s(o, "Кратных %d на отрезке столько, сколько чисел от ⌈%d/%d⌉ до ⌊%d/%d⌋; из них вычитаем кратные и %d, и %d (то есть "
		      "их наименьшему общему кратному). Остаётся %d.", k, a, k, b, k, k, m, count);
		gen_ans(o, count, 1);
	}
	return 0;
}


/* --- generators: physics (g = 10 м/с²) ---------------------------------------------- */

/* №1: uniformly accelerated motion. */
static int gen_p_kin(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int a = gen_int(r, 1, 8), t = gen_int(r, 2, 12);
		static const char *const who[] = {"Автомобиль", "Мотоцикл", "Поезд", "Лыжник"};
		const char *w = GEN_ONE_OF(r, who);
		gen_t(o, "%s, двигаясь равноускоренно из состояния покоя, за %s прошёл %s м. Найдите его ускорение. Ответ дайте в м/с².",
		      w, gen_n(o, t, "секунду|секунды|секунд"), gen_dec(o, a * t * t, 2));
		gen_s(o, "Без начальной скорости s = at²/2, откуда a = 2s/t² = 2·%s : %d = %d м/с².", gen_dec(o, a * t * t, 2), t * t, a);
		gen_ans(o, a, 1);
	} else if (kind == 1) {
		int v = gen_int(r, 2, 16) * 5;
		gen_t(o, "Мяч бросили вертикально вверх со скоростью %d м/с. На какую максимальную высоту он поднимется? Сопротивлением "
		      "воздуха пренебречь. Ответ дайте в метрах.", v);
		gen_s(o, "В верхней точке скорость равна нулю: v² = 2gh, h = v²/(2g) = %d : 20 = %s м.", v * v, gen_dec(o, v * v, 20));
		gen_ans(o, v * v, 20);
	} else {
		int v0 = gen_int(r, 1, 10), a = gen_int(r, 1, 6), t = gen_int(r, 2, 10);
		gen_t(o, "Проекция скорости тела на ось Ox меняется по закону vx = %d + %dt (все величины в СИ). Какой путь тело пройдёт "
		      "за первые %s? Ответ дайте в метрах.", v0, a, gen_n(o, t, "секунду|секунды|секунд"));
		gen_s(o, "Из закона: v₀ = %d м/с, a = %d м/с², движение не меняет направления. s = v₀t + at²/2 = %d·%d + %d·%d/2 = %s м.", v0, a,
		      v0, t, a, t * t, gen_dec(o, 2 * v0 * t + a * t * t, 2));
		gen_ans(o, 2 * v0 * t + a * t * t, 2);
	}
	return 0;
}

/* №2: forces — Newton's second law, friction, a spring. */
static int gen_p_dyn(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int m = gen_int(r, 1, 40), a = gen_int(r, 1, 9);
		gen_t(o, "Тело массой %d кг движется с ускорением %d м/с² под действием единственной силы. Найдите модуль этой силы. "
		      "Ответ дайте в ньютонах.", m, a);
		gen_s(o, "По второму закону Ньютона F = ma = %d·%d = %d Н.", m, a, m * a);
		gen_ans(o, m * a, 1);
	} else if (kind == 1) {
		int m = gen_int(r, 1, 50), mu = gen_int(r, 1, 9);
		gen_t(o, "Брусок массой %d кг равномерно тянут по горизонтальному столу горизонтальной силой. Коэффициент трения "
		      "скольжения между бруском и столом %s. Найдите модуль этой силы. Ответ дайте в ньютонах.", m, gen_dec(o, mu, 10));
		gen_s(o, "При равномерном движении тяга уравновешивает трение скольжения: F = μN = μmg = %s·%d·10 = %s Н (стол горизонтален, "
		      "сила горизонтальна, поэтому N = mg).", gen_dec(o, mu, 10), m, gen_dec(o, mu * m * 10, 10));
		gen_ans(o, mu * m * 10, 10);
	} else {
		int k = gen_int(r, 2, 40) * 10, x = gen_int(r, 1, 20);
		gen_t(o, "Пружина жёсткостью %d Н/м растянута на %d см. Найдите модуль силы упругости. Ответ дайте в ньютонах.", k, x);
		gen_s(o, "Закон Гука: F = kx = %d·%s = %s Н (сантиметры переводим в метры).", k, gen_dec(o, x, 100), gen_dec(o, k * x, 100));
		gen_ans(o, k * x, 100);
	}
	return 0;
}

/* №3: momentum and energy. */
static int gen_p_cons(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int m1 = gen_int(r, 1, 10), m2 = gen_int(r, 1, 10), v1 = gen_int(r, 1, 12);
		if ((m1 * v1 * 10) % (m1 + m2))
			return -1;
		gen_t(o, "Тележка массой %d кг, движущаяся со скоростью %d м/с, сталкивается с неподвижной тележкой массой %d кг и "
		      "сцепляется с ней. Найдите скорость тележек после сцепки. Ответ дайте в м/с.", m1, v1, m2);
		gen_s(o, "Импульс сохраняется: %d·%d = (%d + %d)·v, v = %d : %d = %s м/с.", m1, v1, m1, m2, m1 * v1, m1 + m2,
		      gen_dec(o, m1 * v1, m1 + m2));
		gen_ans(o, m1 * v1, m1 + m2);
	} else if (kind == 1) {
		int m = gen_int(r, 1, 20), v = gen_int(r, 1, 20);
		gen_t(o, "Тело массой %s кг движется со скоростью %d м/с. Найдите его кинетическую энергию. Ответ дайте в джоулях.",
		      gen_dec(o, m, 2), v);
		gen_s(o, "Eк = mv²/2 = %s·%d/2 = %s Дж.", gen_dec(o, m, 2), v * v, gen_dec(o, m * v * v, 4));
		gen_ans(o, m * v * v, 4);
	} else {
		int h = gen_int(r, 1, 20) * 5;
		int v2 = 20 * h, v = 0;
		while ((v + 1) * (v + 1) <= v2)
			v++;
		if (v * v != v2)
			return -1;
		gen_t(o, "Камень свободно падает без начальной скорости с высоты %d м. Найдите его скорость у поверхности земли. "
		      "Сопротивлением воздуха пренебречь. Ответ дайте в м/с.", h);
		gen_s(o, "Потенциальная энергия переходит в кинетическую: mgh = mv²/2, v = √(2gh) = √(2·10·%d) = √%d = %d м/с.", h, v2, v);
		gen_ans(o, v, 1);
	}
	return 0;
}

/* №4: oscillations and waves. */
static int gen_p_osc(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		static const int secs[] = {2, 4, 5, 8, 10, 16, 20, 25, 40, 50};
		int n = gen_int(r, 5, 120), t = GEN_ONE_OF(r, secs);
		if (!gen_finite(n, t, 2))
			return -1;
		gen_t(o, "Маятник совершил %s за %s. Найдите частоту колебаний. Ответ дайте в герцах.",
		      gen_n(o, n, "колебание|колебания|колебаний"), gen_n(o, t, "секунду|секунды|секунд"));
		gen_s(o, "Частота — число колебаний за секунду: ν = N/t = %d : %d = %s Гц.", n, t, gen_dec(o, n, t));
		gen_ans(o, n, t);
	} else if (kind == 1) {
		static const int freqs[] = {1, 2, 4, 5, 8, 10, 16, 20, 25, 40, 50, 80, 100};
		int v = gen_int(r, 1, 40) * 10, f = GEN_ONE_OF(r, freqs);
		if (!gen_finite(v, f, 2))
			return -1;
		gen_t(o, "Волна распространяется со скоростью %d м/с при частоте %d Гц. Найдите длину волны. Ответ дайте в метрах.", v, f);
		gen_s(o, "λ = v/ν = %d : %d = %s м.", v, f, gen_dec(o, v, f));
		gen_ans(o, v, f);
	} else {
		static const int sq[] = {4, 9, 16, 25};
		int k = GEN_ONE_OF(r, sq), root = k == 4 ? 2 : k == 9 ? 3 : k == 16 ? 4 : 5, up = gen_pick(r, 2);
		gen_t(o, "Массу груза пружинного маятника %s %s. Во сколько раз %s период его колебаний?", up ? "увеличили" : "уменьшили",
		      gen_times(o, k, 1), up ? "увеличится" : "уменьшится");
		gen_s(o, "T = 2π√(m/k): период пропорционален корню из массы, √%d = %d.", k, root);
		gen_ans(o, root, 1);
	}
	return 0;
}

/* №7-8: gas laws, heat, a heat engine. */
static int gen_p_gas(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int p1 = gen_int(r, 1, 30) * 10, v1 = gen_int(r, 2, 20), v2 = gen_int(r, 1, 20);
		if (v1 == v2 || (p1 * v1) % v2)
			return -1;
		gen_t(o, "Идеальный газ изотермически %s от %d до %d л. Начальное давление газа %d кПа. Найдите конечное давление, если "
		      "масса газа не менялась. Ответ дайте в кПа.", v2 < v1 ? "сжали" : "расширили", v1, v2, p1);
		gen_s(o, "При постоянных температуре и массе pV = const: p₂ = p₁V₁/V₂ = %d·%d : %d = %d кПа.", p1, v1, v2, p1 * v1 / v2);
		gen_ans(o, p1 * v1 / v2, 1);
	} else if (kind == 1) {
		int m10 = gen_int(r, 1, 50), dt = gen_int(r, 1, 80);
		static const struct {
			const char *name;
			int c;
		} sub[] = {{"воды", 4200}, {"алюминия", 920}, {"меди", 380}, {"стали", 500}};
		int s = gen_pick(r, 4);
		long long q = (long long)sub[s].c * m10 * dt; /* J·10 */
		if (q % 10000)
			return -1; /* kJ with at most 1 place is q/10000 */
		gen_t(o, "Какое количество теплоты нужно сообщить %s массой %s кг, чтобы нагреть %s на %d °C? Удельная теплоёмкость "
		      "%s %d Дж/(кг·°C). Ответ дайте в килоджоулях.", s == 0 ? "воде" : s == 1 ? "алюминиевому бруску" : s == 2 ? "медному бруску" : "стальному бруску",
		      gen_dec(o, m10, 10), s == 0 ? "её" : "его", dt, sub[s].name, sub[s].c);
		gen_s(o, "Q = cmΔt = %d·%s·%d = %s Дж = %s кДж.", sub[s].c, gen_dec(o, m10, 10), dt, gen_dec(o, q, 10), gen_dec(o, q, 10000));
		gen_ans(o, q, 10000);
	} else {
		int q1 = gen_int(r, 2, 50) * 100, eta = gen_int(r, 5, 60);
		if ((q1 * eta) % 100)
			return -1;
		int a = q1 * eta / 100;
		gen_t(o, "Тепловой двигатель за цикл получает от нагревателя %d Дж и отдаёт холодильнику %d Дж. Найдите КПД двигателя. "
		      "Ответ дайте в процентах.", q1, q1 - a);
		gen_s(o, "Работа за цикл A = Q₁ − Q₂ = %d − %d = %d Дж, КПД η = A/Q₁ = %d : %d = %s, то есть %d%%.", q1, q1 - a, a, a, q1,
		      gen_dec(o, eta, 100), eta);
		gen_ans(o, eta, 1);
	}
	return 0;
}

/* №11: direct current circuits. */
static int gen_p_circ(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		int r1 = gen_int(r, 1, 30), r2 = gen_int(r, 1, 30), par = gen_pick(r, 2);
		if (par && !gen_finite(r1 * r2, r1 + r2, 2))
			return -1;
		gen_t(o, "Резисторы сопротивлением %d Ом и %d Ом соединены %s. Найдите общее сопротивление участка цепи. Ответ дайте в омах.",
		      r1, r2, par ? "параллельно" : "последовательно");
		if (par) {
			gen_s(o, "При параллельном соединении 1/R = 1/R₁ + 1/R₂, R = R₁R₂/(R₁ + R₂) = %d : %d = %s Ом.", r1 * r2, r1 + r2,
			      gen_dec(o, r1 * r2, r1 + r2));
			gen_ans(o, r1 * r2, r1 + r2);
		} else {
			gen_s(o, "При последовательном соединении сопротивления складываются: %d + %d = %d Ом.", r1, r2, r1 + r2);
			gen_ans(o, r1 + r2, 1);
		}
	} else if (kind == 1) {
		int u = gen_int(r, 1, 40) * 3, rr = gen_int(r, 1, 60);
		if (!gen_finite(u, rr, 2))
			return -1;
		gen_t(o, "Напряжение на концах проводника %d В, его сопротивление %d Ом. Найдите силу тока в проводнике. Ответ дайте в амперах.",
		      u, rr);
		gen_s(o, "Закон Ома для участка цепи: I = U/R = %d : %d = %s А.", u, rr, gen_dec(o, u, rr));
		gen_ans(o, u, rr);
	} else {
		int i = gen_int(r, 1, 10), rr = gen_int(r, 1, 50), t = gen_int(r, 1, 10) * 10;
		gen_t(o, "По резистору сопротивлением %d Ом течёт постоянный ток %d А. Какое количество теплоты выделится в резисторе за %s? "
		      "Ответ дайте в килоджоулях.", rr, i, gen_n(o, t, "секунду|секунды|секунд"));
		gen_s(o, "Закон Джоуля — Ленца: Q = I²Rt = %d·%d·%d = %d Дж = %s кДж.", i * i, rr, t, i * i * rr * t, gen_dec(o, i * i * rr * t, 1000));
		gen_ans(o, i * i * rr * t, 1000);
	}
	return 0;
}

/* №13: geometric optics. */
static int gen_p_opt(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3);
	if (kind == 0) {
		/* d = F + u gives a whole image distance F(F + u)/u when u divides F² */
		int f = gen_int(r, 5, 40), divs[64], nd = 0;
		for (int u = 1; u <= 3 * f && nd < 64; u++)
			if (f * f % u == 0)
				divs[nd++] = u;
		int d = f + divs[gen_pick(r, nd)];
		int img = d * f / (d - f);
		if (gen_pick(r, 2)) {
			gen_t(o, "Предмет находится на расстоянии %d см от тонкой собирающей линзы с фокусным расстоянием %d см. На каком "
			      "расстоянии от линзы получится его изображение? Ответ дайте в сантиметрах.", d, f);
			gen_s(o, "Формула тонкой линзы: 1/d + 1/f = 1/F, f = dF/(d − F) = %d·%d : %d = %d см.", d, f, d - f, img);
			gen_ans(o, img, 1);
		} else {
			if (!gen_finite(img, d, 2))
				return -1;
			gen_t(o, "Предмет расположен на расстоянии %d см от тонкой собирающей линзы с фокусным расстоянием %d см. Найдите "
			      "линейное увеличение линзы (отношение размера изображения к размеру предмета).", d, f);
			gen_s(o, "Изображение находится на расстоянии f = dF/(d − F) = %d·%d : %d = %d см; увеличение Γ = f/d = %d : %d = %s.",
			      d, f, d - f, img, img, d, gen_dec(o, img, d));
			gen_ans(o, img, d);
		}
	} else if (kind == 1) {
		static const int dpt[] = {1, 2, 4, 5, 8, 10, 20, 25};
		int dd = GEN_ONE_OF(r, dpt);
		gen_t(o, "Оптическая сила собирающей линзы %d дптр. Найдите её фокусное расстояние. Ответ дайте в сантиметрах.", dd);
		gen_s(o, "F = 1/D = 1/%d м = %s м = %s см.", dd, gen_dec(o, 1, dd), gen_dec(o, 100, dd));
		gen_ans(o, 100, dd);
	} else {
		int a = gen_int(r, 5, 85);
		if (gen_pick(r, 2)) {
			gen_t(o, "Угол падения луча на плоское зеркало равен %d°. Найдите угол между падающим и отражённым лучами. Ответ дайте "
			      "в градусах.", a);
			gen_s(o, "Угол отражения равен углу падения, а угол между лучами — их сумма: %d° + %d° = %d°.", a, a, 2 * a);
			gen_ans(o, 2 * a, 1);
		} else {
			gen_t(o, "Угол между падающим лучом и плоскостью зеркала равен %d°. Найдите угол отражения. Ответ дайте в градусах.", a);
			gen_s(o, "Углы падения и отражения отсчитывают от перпендикуляра к зеркалу: угол падения 90° − %d° = %d°, угол "
			      "отражения такой же: %d°.", a, 90 - a, 90 - a);
			gen_ans(o, 90 - a, 1);
		}
	}
	return 0;
}

/* Elements for nuclear tasks: symbol, Z, a mass number. */
static const struct {
	const char *sym;
	int z, a;
} gen_nuclides[] = {
	{"U", 92, 238}, {"U", 92, 235}, {"Th", 90, 232}, {"Ra", 88, 226}, {"Rn", 86, 222}, {"Po", 84, 210},
	{"Pb", 82, 206}, {"Bi", 83, 209}, {"Co", 27, 60}, {"Sr", 38, 90}, {"Cs", 55, 137}, {"I", 53, 131},
	{"C", 6, 14}, {"K", 19, 40}, {"Pu", 94, 239}, {"Am", 95, 241},
};

/* №16: nuclei and radioactive decay. */
static int gen_p_nuc(struct gen_out *o, struct gen_rng *r)
{
	int kind = gen_pick(r, 3), e = gen_pick(r, (int)(sizeof gen_nuclides / sizeof gen_nuclides[0]));
	if (kind == 0) {
		int t = gen_int(r, 1, 30), k = gen_int(r, 1, 4);
		long long pct100 = 10000 >> k; /* hundredths of a percent */
		if ((t % 10 == 1 && t % 100 != 11) || ((t * k) % 10 == 1 && (t * k) % 100 != 11))
			return -1; /* "21 сутки" is right but reads oddly: keep to the plural */
		gen_t(o, "Период полураспада радиоактивного изотопа равен %s. Какой процент ядер этого изотопа останется нераспавшимся "
		      "через %s?", gen_n(o, t, "сутки|суток|суток"), gen_n(o, t * k, "сутки|суток|суток"));
		if (k == 1)
			gen_s(o, "Прошёл ровно один период полураспада: осталась половина ядер, 50%%.");
		else
			gen_s(o, "Прошло %d : %d = %d периода полураспада; за каждый период остаётся половина ядер: (1/2)^%d = 1/%d, то есть %s%%.",
			      t * k, t, k, k, 1 << k, gen_dec(o, pct100, 100));
		gen_ans(o, pct100, 100);
	} else if (kind == 1) {
		gen_t(o, "Сколько нейтронов содержит ядро %s с массовым числом %d? Зарядовое число этого элемента %d.", gen_nuclides[e].sym,
		      gen_nuclides[e].a, gen_nuclides[e].z);
		gen_s(o, "Массовое число — число нуклонов, зарядовое — число протонов: N = A − Z = %d − %d = %d.", gen_nuclides[e].a,
		      gen_nuclides[e].z, gen_nuclides[e].a - gen_nuclides[e].z);
		gen_ans(o, gen_nuclides[e].a - gen_nuclides[e].z, 1);
	} else {
		int na = gen_int(r, 1, 3), nb = gen_int(r, 0, 3), ask_a = gen_pick(r, 2);
		int a = gen_nuclides[e].a - 4 * na, z = gen_nuclides[e].z - 2 * na + nb;
		gen_t(o, "Ядро %s (A = %d, Z = %d) испытало %s и %s. Найдите %s получившегося ядра.", gen_nuclides[e].sym, gen_nuclides[e].a,
		      gen_nuclides[e].z, gen_n(o, na, "α-распад|α-распада|α-распадов"), gen_n(o, nb, "β⁻-распад|β⁻-распада|β⁻-распадов"),
		      ask_a ? "массовое число" : "зарядовое число");
		gen_s(o, "Каждый α-распад уменьшает A на 4 и Z на 2, каждый β⁻-распад увеличивает Z на 1, не меняя A. A = %d − 4·%d = %d, "
		      "Z = %d − 2·%d + %d = %d.", gen_nuclides[e].a, na, a, gen_nuclides[e].z, na, nb, z);
		gen_ans(o, ask_a ? a : z, 1);
	}
	return 0;
}

/* №4: hydrostatics — pressure at a depth, the buoyant force. */
static int gen_p_press(struct gen_out *o, struct gen_rng *r)
{
	static const struct {
		const char *in;
		int rho;
	} liq[] = {{"воде", 1000}, {"морской воде", 1030}, {"керосине", 800}, {"масле", 900}};
	int l = gen_pick(r, 4);
	if (gen_pick(r, 2)) {
		int h = gen_int(r, 1, 40);
		long long p = (long long)liq[l].rho * 10 * h; /* Pa */
		gen_t(o, "Какое давление оказывает столб жидкости на глубине %d м в %s (плотность %d кг/м³)? Атмосферное давление не "
		      "учитывайте. Ответ дайте в килопаскалях.", h, liq[l].in, liq[l].rho);
		gen_s(o, "p = ρgh = %d·10·%d = %lld Па = %s кПа.", liq[l].rho, h, p, gen_dec(o, p, 1000));
		gen_ans(o, p, 1000);
	} else {
		int v = gen_int(r, 1, 50); /* dm³ */
		long long f = (long long)liq[l].rho * 10 * v; /* N·1000 */
		gen_t(o, "Тело объёмом %d дм³ полностью погружено в жидкость плотностью %d кг/м³. Найдите действующую на него силу Архимеда. "
		      "Ответ дайте в ньютонах.", v, liq[l].rho);
		gen_s(o, "F = ρgV = %d·10·%s = %s Н (1 дм³ = 0,001 м³).", liq[l].rho, gen_dec(o, v, 1000), gen_dec(o, f, 1000));
		gen_ans(o, f, 1000);
	}
	return 0;
}

/* №11: Coulomb's law, by ratios. */
static int gen_p_field(struct gen_out *o, struct gen_rng *r)
{
	int a = gen_int(r, 2, 10), b = gen_int(r, 2, 10), c = gen_int(r, 2, 6);
	if (a * b == c * c)
		return -1;
	long long num = a * b, den = c * c;
	int up = num > den;
	if (!gen_finite(up ? num : den, up ? den : num, 2))
		return -1;
	gen_t(o, "Модуль заряда одного из двух точечных зарядов увеличили %s, второго — %s, а расстояние между ними "
	      "увеличили %s. Во сколько раз %s модуль силы их взаимодействия?", gen_times(o, a, 1), gen_times(o, b, 1),
	      gen_times(o, c, 1), up ? "увеличился" : "уменьшился");
	gen_s(o, "По закону Кулона F ~ q₁q₂/r²: сила умножается на %d·%d/%d² = %lld/%lld, то есть %s %s.", a, b, c, num, den,
	      up ? "увеличивается" : "уменьшается", up ? gen_dec(o, num, den) : gen_dec(o, den, num));
	gen_ans(o, up ? num : den, up ? den : num);
	return 0;
}

/* №12: a conductor in a magnetic field; induction. */
static int gen_p_magn(struct gen_out *o, struct gen_rng *r)
{
	if (gen_pick(r, 2)) {
		int b = gen_int(r, 1, 50) * 10, i = gen_int(r, 1, 20), l = gen_int(r, 5, 100); /* mT, A, cm */
		long long f = (long long)b * i * l; /* N·10^5 */
		if (!gen_finite(f, 100000, 3))
			return -1;
		gen_t(o, "Прямой проводник длиной %d см расположен перпендикулярно линиям однородного магнитного поля с индукцией %d мТл. "
		      "Сила тока в проводнике %d А. Найдите модуль силы Ампера. Ответ дайте в ньютонах.", l, b, i);
		gen_s(o, "F = BIl·sin 90° = %s·%d·%s = %s Н.", gen_dec(o, b, 1000), i, gen_dec(o, l, 100), gen_dec(o, f, 100000));
		gen_ans(o, f, 100000);
	} else {
		int dphi = gen_int(r, 1, 60), dt = gen_int(r, 1, 20); /* mWb, ms·10 */
		if (!gen_finite(dphi * 100, dt * 10, 2))
			return -1;
		gen_t(o, "Магнитный поток через контур равномерно изменился на %d мВб за %d мс. Найдите модуль ЭДС индукции в контуре. "
		      "Ответ дайте в вольтах.", dphi, dt * 10);
		gen_s(o, "|ε| = ΔΦ/Δt = %s Вб : %s с = %s В.", gen_dec(o, dphi, 1000), gen_dec(o, dt * 10, 1000), gen_dec(o, dphi, dt * 10));
		gen_ans(o, dphi, dt * 10);
	}
	return 0;
}

/* №7: the basic equation of the kinetic theory, by ratios. */
static int gen_p_mkt(struct gen_out *o, struct gen_rng *r)
{
	int a = gen_int(r, 2, 16), b = gen_int(r, 2, 16);
	if (a == b)
		return -1;
	int up = a > b;
	if (!gen_finite(up ? a : b, up ? b : a, 2))
		return -1;
	if (gen_pick(r, 2)) {
		gen_t(o, "Концентрацию молекул идеального газа увеличили %s, а среднюю кинетическую энергию их теплового движения "
		      "уменьшили %s. Во сколько раз %s давление газа?", gen_times(o, a, 1), gen_times(o, b, 1),
		      up ? "увеличилось" : "уменьшилось");
		gen_s(o, "p = (2/3)·n·E: давление умножается на %d/%d, то есть %s %s.", a, b, up ? "увеличивается" : "уменьшается",
		      up ? gen_times(o, a, b) : gen_times(o, b, a));
	} else {
		gen_t(o, "Абсолютную температуру идеального газа увеличили %s, а его концентрацию уменьшили %s. Во сколько "
		      "раз %s давление газа?", gen_times(o, a, 1), gen_times(o, b, 1), up ? "увеличилось" : "уменьшилось");
		gen_s(o, "p = nkT: давление умножается на %d/%d, то есть %s %s.", a, b, up ? "увеличивается" : "уменьшается",
		      up ? gen_times(o, a, b) : gen_times(o, b, a));
	}
	gen_ans(o, up ? a : b, up ? b : a);
	return 0;
}

/* --- the generator table ---------------------------------------------------------- */

/* Every generator: its id (stable: variants are named by it), the
 * built-in subject and exam number it trains, and a topic.  A generator
 * joins the bank only with the built-in subjects (bank_load_embedded). */
static const struct gen {
	const char *id;
	const char *subject;
	int number;
	const char *topic;
	int (*make)(struct gen_out *o, struct gen_rng *r);
} gen_table[] = {
	{"m-plane", "math", 1, "Планиметрия", gen_m_plane},
	{"m-vec", "math", 2, "Векторы", gen_m_vec},
	{"m-solid", "math", 3, "Стереометрия", gen_m_solid},
	{"m-prob", "math", 4, "Вероятность", gen_m_prob},
	{"m-dice", "math", 4, "Вероятность", gen_m_dice},
	{"m-prob2", "math", 5, "Вероятность", gen_m_prob2},
	{"m-eq", "math", 6, "Уравнения", gen_m_eq},
	{"m-expr", "math", 7, "Вычисления", gen_m_expr},
	{"m-trig", "math", 7, "Тригонометрия", gen_m_trig},
	{"m-formula", "math", 9, "Прикладная задача", gen_m_formula},
	{"m-motion", "math", 10, "Текстовая задача", gen_m_motion},
	{"m-work", "math", 10, "Текстовая задача", gen_m_work},
	{"m-prog", "math", 10, "Прогрессии", gen_m_prog},
	{"m-extr", "math", 12, "Производная", gen_m_extr},
	{"i-truth", "inf", 2, "Логика", gen_i_truth},
	{"i-fano", "inf", 4, "Кодирование", gen_i_fano},
	{"i-algo", "inf", 5, "Алгоритмы", gen_i_algo},
	{"i-img", "inf", 7, "Изображения", gen_i_img},
	{"i-words", "inf", 8, "Комбинаторика", gen_i_words},
	{"i-info", "inf", 11, "Количество информации", gen_i_info},
	{"i-ip", "inf", 13, "IP-адреса", gen_i_ip},
	{"i-base", "inf", 14, "Системы счисления", gen_i_base},
	{"i-sys", "inf", 14, "Системы счисления", gen_i_sys},
	{"i-rec", "inf", 16, "Рекурсия", gen_i_rec},
	{"i-game19", "inf", 19, "Теория игр", gen_i_game19},
	{"i-game20", "inf", 20, "Теория игр", gen_i_game20},
	{"i-game21", "inf", 21, "Теория игр", gen_i_game21},
	{"i-prog", "inf", 23, "Исполнитель", gen_i_prog},
	{"i-div", "inf", 25, "Делимость", gen_i_div},
	{"p-kin", "phys", 1, "Кинематика", gen_p_kin},
	{"p-dyn", "phys", 2, "Динамика", gen_p_dyn},
	{"p-cons", "phys", 3, "Законы сохранения", gen_p_cons},
	{"p-osc", "phys", 4, "Колебания и волны", gen_p_osc},
	{"p-press", "phys", 4, "Гидростатика", gen_p_press},
	{"p-mkt", "phys", 7, "Молекулярная физика", gen_p_mkt},
	{"p-gas", "phys", 8, "Термодинамика", gen_p_gas},
	{"p-circ", "phys", 11, "Постоянный ток", gen_p_circ},
	{"p-field", "phys", 11, "Электростатика", gen_p_field},
	{"p-magn", "phys", 12, "Магнитное поле", gen_p_magn},
	{"p-opt", "phys", 13, "Оптика", gen_p_opt},
	{"p-nuc", "phys", 16, "Ядерная физика", gen_p_nuc},
};
#define GEN_COUNT ((int)(sizeof gen_table / sizeof gen_table[0]))

static int gen_index(const char *id, size_t len)
{
	for (int i = 0; i < GEN_COUNT; i++)
		if (strlen(gen_table[i].id) == len && strncmp(gen_table[i].id, id, len) == 0)
			return i;
	return -1;
}

/* Make variant `seed` of generator g into o (its buffers are reset
 * first).  0, or -1 when the generator rejected GEN_MAX_REJECTS draws in a
 * row (a bug in the generator; tests/check_generators.py would fail). */
static int gen_make(int g, uint32_t seed, struct gen_out *o)
{
	struct gen_rng r = {(uint64_t)seed * 0x2545F4914F6CDD1DULL ^ (uint64_t)(g + 1) << 40};
	for (int tries = 0; tries < GEN_MAX_REJECTS; tries++) {
		buf_reset(&o->text);
		buf_reset(&o->sol);
		o->answer[0] = '\0';
		o->order = BANK_ORDER_EXACT;
		o->bad = 0;
		o->ri = 0;
		if (gen_table[g].make(o, &r) == 0 && !o->bad && o->text.len && o->answer[0])
			return 0;
	}
	return -1;
}

static void gen_out_free(struct gen_out *o)
{
	buf_free(&o->text);
	buf_free(&o->sol);
}

/* FNV-1a of a variant's text: two seeds that happen to make the same task
 * count as one task seen. */
static uint64_t gen_text_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* --- generated tasks in the bank ------------------------------------------------------ */

/* Parse "GENERATOR@SEED": the generator's index and the seed, or -1. */
static int gen_parse_id(const char *id, uint32_t *seed)
{
	const char *at = strchr(id, '@');
	if (!at || strlen(at + 1) != GEN_SEED_HEX)
		return -1;
	uint32_t v = 0;
	for (const char *p = at + 1; *p; p++) {
		int d = hex_digit(*p);
		if (d < 0 || (*p >= 'A' && *p <= 'F'))
			return -1; /* one spelling per variant: lower case */
		v = v << 4 | (uint32_t)d;
	}
	*seed = v;
	return gen_index(id, (size_t)(at - id));
}

/* Fill t with variant `seed` of generator g, of the bank's subject s.
 * 0, or -1 (out of memory, or a generator bug). */
static int gen_task(struct bank_task *t, int g, uint32_t seed, int s)
{
	struct gen_out o;
	memset(&o, 0, sizeof o);
	struct buf n = BUF_INIT;
	int rc = -1;
	if (gen_make(g, seed, &o) < 0 || bank_norm_for_compare(o.answer, o.order, &n) < 0 || n.len == 0)
		goto out;
	size_t tl = strlen(gen_table[g].topic), size = tl + o.text.len + o.sol.len + strlen(o.answer) + n.len + 5;
	char *mem = malloc(size), *cur = mem;
	if (!mem)
		goto out;
	free(t->mem);
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s@%0*x", gen_table[g].id, GEN_SEED_HEX, seed);
	t->subject = s;
	t->number = gen_table[g].number;
	t->kind = BANK_VARIANT;
	t->gen = g;
	t->seed = seed;
	t->order = o.order;
	t->topic = bank_put(&cur, gen_table[g].topic, tl);
	t->text = bank_put(&cur, o.text.p, o.text.len);
	t->solution = bank_put(&cur, o.sol.p ? o.sol.p : "", o.sol.len);
	t->answers[0] = bank_put(&cur, o.answer, strlen(o.answer));
	t->norm[0] = bank_put(&cur, n.p, n.len);
	t->nanswers = 1;
	t->mem = mem;
	t->memlen = size;
	rc = 0;
out:
	gen_out_free(&o);
	buf_free(&n);
	return rc;
}

/* Add each generator whose subject the bank has as one entry of the task
 * list (kind BANK_GENERATOR, id "GENERATOR@"), and make the variant cache.
 * 0, or -1 when out of memory. */
static int bank_attach_generators(struct bank *b)
{
	if (!b->cache && !(b->cache = calloc(1, sizeof *b->cache)))
		return -1;
	for (int g = 0; g < GEN_COUNT; g++) {
		int s = bank_subject_index(b, gen_table[g].subject);
		char id[BANK_MAX_ID_BYTES + 1];
		snprintf(id, sizeof id, "%s@", gen_table[g].id);
		if (s < 0 || bank_task_index(b, id) >= 0)
			continue;
		static const char note[] = "(генератор: каждый раз новый вариант)";
		size_t tl = strlen(gen_table[g].topic), size = tl + sizeof note + 2;
		char *mem = malloc(size), *cur = mem;
		if (!mem || bank_grow(b, b->ntasks + 1) < 0) {
			free(mem);
			return -1;
		}
		struct bank_task *t = &b->tasks[b->ntasks++];
		memset(t, 0, sizeof *t);
		snprintf(t->id, sizeof t->id, "%s", id);
		t->subject = s;
		t->number = gen_table[g].number;
		t->kind = BANK_GENERATOR;
		t->gen = g;
		t->seq = b->next_seq++;
		t->topic = bank_put(&cur, gen_table[g].topic, tl);
		t->text = bank_put(&cur, note, sizeof note - 1);
		t->solution = bank_put(&cur, "", 0);
		t->mem = mem;
		t->memlen = size;
	}
	bank_sort(b);
	return 0;
}

/* The task with this id, or NULL (a task a reload removed, say).  A
 * variant id "GENERATOR@SEED" is built on demand when the bank has that
 * generator; the pointer stays valid until GEN_CACHE_SLOTS other variants
 * have been looked up (handlers use it at once). */
static const struct bank_task *bank_find(const struct bank *b, const char *id)
{
	int i = bank_task_index(b, id);
	if (i >= 0)
		return &b->tasks[i];
	uint32_t seed;
	int g = gen_parse_id(id, &seed);
	if (g < 0 || !b->cache)
		return NULL;
	char tid[BANK_MAX_ID_BYTES + 1];
	snprintf(tid, sizeof tid, "%s@", gen_table[g].id);
	int e = bank_task_index(b, tid);
	if (e < 0)
		return NULL; /* this bank has no such generator */
	struct gen_cache *c = b->cache;
	for (int k = 0; k < GEN_CACHE_SLOTS; k++)
		if (c->slot[k].mem && strcmp(c->slot[k].id, id) == 0)
			return &c->slot[k];
	struct bank_task *t = &c->slot[c->next];
	if (gen_task(t, g, seed, b->tasks[e].subject) < 0)
		return NULL;
	c->next = (c->next + 1) % GEN_CACHE_SLOTS;
	return t;
}

/* A fresh variant id of generator entry gen (a BANK_GENERATOR task) into
 * id: one whose text differs from every variant in seen[0..nseen) (ids of
 * variants the student has had; others are skipped).  rnd seeds the draw.
 * 0, or -1 when even GEN_FRESH_TRIES seeds gave a seen text (then id is
 * the last one tried, and the caller may use it anyway). */
static int bank_gen_fresh(const struct bank_task *gen, const char *const *seen, int nseen, uint64_t rnd,
                          char id[BANK_MAX_ID_BYTES + 1])
{
	uint64_t *hash = nseen ? malloc((size_t)nseen * sizeof *hash) : NULL;
	int nh = 0;
	struct gen_out o;
	memset(&o, 0, sizeof o);
	for (int i = 0; i < nseen && hash; i++) {
		uint32_t seed;
		if (gen_parse_id(seen[i], &seed) == gen->gen && gen_make(gen->gen, seed, &o) == 0)
			hash[nh++] = gen_text_hash(o.text.p);
	}
	struct gen_rng r = {rnd * 0xD1342543DE82EF95ULL}; /* callers' rnd may step like splitmix itself: decorrelate */
	int rc = -1;
	for (int k = 0; k < GEN_FRESH_TRIES && rc < 0; k++) {
		uint32_t seed = (uint32_t)gen_next(&r);
		snprintf(id, BANK_MAX_ID_BYTES + 1, "%s@%0*x", gen_table[gen->gen].id, GEN_SEED_HEX, seed);
		if (gen_make(gen->gen, seed, &o) < 0)
			continue;
		uint64_t h = gen_text_hash(o.text.p);
		rc = 0;
		for (int i = 0; i < nh && rc == 0; i++)
			rc = hash[i] == h ? -1 : 0;
	}
	gen_out_free(&o);
	free(hash);
	return rc;
}

/* Print n variants of generator `name` from seed on, in the bank file
 * format (examflow tasks sample).  0, or -1 for an unknown name. */
static int gen_sample(const char *name, int n, uint32_t seed, FILE *out)
{
	int g = gen_index(name, strlen(name));
	if (g < 0)
		return -1;
	struct bank_task t;
	memset(&t, 0, sizeof t);
	for (int i = 0; i < n; i++, seed++) {
		if (gen_task(&t, g, seed, 0) < 0) {
			fprintf(out, "# %s@%0*x: the generator failed\n\n", name, GEN_SEED_HEX, seed);
			continue;
		}
		fprintf(out, "id: %s\nnumber: %d\ntopic: %s\n", t.id, t.number, t.topic);
		bank_dump_value(out, "text", t.text);
		fprintf(out, "answer: %s\n", t.answers[0]);
		if (t.order != BANK_ORDER_EXACT)
			fprintf(out, "order: %s\n", bank_order_names[t.order]);
		bank_dump_value(out, "solution", t.solution);
		fputc('\n', out);
	}
	free(t.mem);
	return 0;
}

/* The generators, one line each (examflow tasks sample with no name). */
static void gen_list(FILE *out)
{
	for (int g = 0; g < GEN_COUNT; g++)
		fprintf(out, "%-10s %-5s number %2d  %s\n", gen_table[g].id, gen_table[g].subject, gen_table[g].number, gen_table[g].topic);
}

/* --- the embedded default bank ---------------------------------------------- */

/* The text itself is data, 870 lines of it: it lives in the appendix after
 * main() so that the code reads without scrolling past it. */
extern const char bank_embedded_text[];
extern const size_t bank_embedded_len;


/* Load the embedded default bank and the generators into b, replacing what
 * it held.  Returns the number of errors (0 unless the bank was edited
 * badly). */
static int bank_load_embedded(struct bank *b)
{
	int n = bank_load_text(b, "embedded bank", bank_embedded_text, bank_embedded_len, BANK_REPLACE, stderr);
	if (n == 0 && bank_attach_generators(b) < 0) {
		fprintf(stderr, "embedded bank: out of memory\n");
		n = 1;
	}
	return n;
}

/* Validate a bank file the way the bot would load it (examflow tasks check):
 * with mode BANK_ADD on top of the embedded bank, with BANK_REPLACE alone.
 * Returns the number of errors, printed to errs. */
static int bank_check_file(const char *path, int mode, FILE *errs)
{
	struct bank b;
	memset(&b, 0, sizeof b);
	int n = mode == BANK_ADD ? bank_load_embedded(&b) : 0;
	n += bank_load_file(&b, path, mode, errs);
	bank_free(&b);
	return n;
}

#undef BK_REPEAT
#undef BK_LINES

/* ==========================================================================
 * 8. AI tutor: Gemini generateContent, cache, quota, memory
 * ==========================================================================
 * The tutor answers /ask, free text when no task is pending, and the
 * "Explain" button under a checked task.  It never blocks the worker: a
 * request becomes a job that rides one of ai_max_inflight connections of
 * its own (the AI lane), driven by the engine's poll() through ai_want() and
 * ai_step(); jobs beyond the cap wait in a bounded queue, and overflow is
 * answered at once with "busy, try in a minute".
 *
 * Every outcome is a result (struct ai_result: chat, final Telegram HTML,
 * flags) handed to the caller's on_result callback, always while the
 * caller's storage batch is open: ai_submit() answers at once from the cache
 * or with a refusal (busy, quota, off), and ai_deliver() hands over the jobs
 * that ai_step() finished.  The section's own records go through the
 * caller's emit callback into that same batch:
 *
 *   aiq  USER DAY COUNT        AI requests a student made on local day DAY
 *   aic  KEY EXPIRES_MS TEXT   a cached answer (the model's Markdown)
 *
 * The cache keeps the model's Markdown, not HTML, so a cached answer can
 * also go back into a student's conversation memory and a converter fix
 * applies to old entries.  The conversation memory itself is not stored:
 * it lasts a day at most and a restart may forget it.
 *
 * Error idiom: nothing here fails the caller.  Network errors, Gemini's
 * errors and garbage become a friendly result for the student and one log
 * line for the admin; a configuration error (400/403/404) is logged at
 * error level and shows in health (ai_working) and `examflow check`.
 */

#define AI_SLOTS_MAX 64                 /* connections: ai_max_inflight's maximum in the key table */
#define AI_QUEUE_MAX 32                 /* jobs waiting beyond the cap; a full queue answers "busy" */
#define AI_QUESTION_MAX 1000            /* characters of one question; longer is refused with a message */
#define AI_MEMORY_TURNS 3               /* exchanges (question + answer) remembered per student */
#define AI_MEMORY_TEXT_MAX 1500         /* bytes of each remembered text sent back as context: enough for the gist */
#define AI_MEMORY_USERS 2048            /* students with a memory at once; the least recent is forgotten */
#define AI_CACHE_MAX 512                /* cached answers, in memory and in storage */
#define AI_CACHE_MAX_BYTES (4 << 20)    /* their text in all: bounds memory and snapshot size */
#define AI_CACHE_TEXT_MAX (16 * 1024)   /* one cacheable answer; a storage line holds 64 KiB */
#define AI_CACHE_TTL_MS (7LL * 24 * 3600 * 1000) /* a week: exam facts do not go stale faster */
#define AI_KEY_LEN 24                   /* "q-ru-" + 16 hex digits + NUL */
#define AI_MAX_OUTPUT_TOKENS 2048       /* answer plus a thinking model's thoughts; an answer is ~300 */
#define AI_TEMPERATURE "0.4"            /* low: explanations, not creativity */
#define AI_BACKOFF_MIN_MS 1000          /* 5xx and network errors: 1 s doubling, inside ai_timeout */
#define AI_PAUSE_DEFAULT_S 60           /* a 429 without RetryInfo */
#define AI_PAUSE_MAX_S 3600             /* a RetryInfo longer than an hour is taken as an hour */
#define AI_TYPING_EVERY_MS 4500         /* Telegram shows "typing…" for 5 s */
#define AI_TYPING_RETRY_MS 300          /* the engine's request queue was full: try again soon */
#define AI_QUOTA_NOTE_AT 3              /* say how many questions are left when fewer than this remain */
#define AI_BODY_MAX (1 << 20)           /* a generateContent answer is a few KiB */
#define AI_JSON_TOKENS 16384            /* tokens of one answer: a long one needs a few hundred */
#define AI_PRE_SPLIT 3000               /* bytes of one <pre>: a code block is reopened past this so a message can be split */
#define AI_MD_DEPTH 3                   /* nesting of bold/italic the converter follows */
#define AI_MD_TICKS_MAX 16              /* a longer run of backticks is text, not a code span */
#define AI_ERR_LEN 160                  /* one reason for the log and health: "HTTP 404: model ... not found" */

/* What happened to a request: the result a student gets. */
enum ai_status {
	AI_PENDING = -1,  /* ai_submit: the answer comes later through ai_deliver */
	AI_OK,            /* the model's answer */
	AI_CUT,           /* finishReason MAX_TOKENS: what came, with a note */
	AI_REFUSED,       /* a blocked prompt or no candidates: a polite refusal */
	AI_BUSY,          /* the queue is full: try in a minute */
	AI_WAITING,       /* this student's previous question is still being answered */
	AI_QUOTA,         /* the student's daily quota is used up */
	AI_LIMITED,       /* Gemini said 429: try later */
	AI_ERROR,         /* network, 5xx after retries, garbage, configuration: a fallback */
	AI_OFF,           /* no key: the tutor is off */
	AI_TOO_LONG,      /* the question is longer than AI_QUESTION_MAX */
	AI_INTERRUPTED    /* a restart came between the question and its answer: ask again */
};

static const char *const ai_status_names[] = {"answer", "cut (MAX_TOKENS)", "refused", "busy", "waiting",
                                              "quota used up", "rate-limited", "error", "off", "too long",
                                              "interrupted"};

enum ai_kind { AI_ASK, AI_EXPLAIN };

/* One request, as the bot describes it.  Strings are only read during
 * ai_submit. */
struct ai_req {
	int64_t user_id, chat_id;
	int lang;                 /* LANG_RU / LANG_EN */
	int is_admin;             /* exempt from the daily quota */
	enum ai_kind kind;
	const char *text;         /* ASK: the question */
	const char *task_text;    /* ASK: the task being solved (hints only), or NULL; EXPLAIN: the task */
	const char *task_answer;  /* EXPLAIN: the accepted answer */
	const char *task_solution;/* EXPLAIN: the bank's solution, may be "" */
	const char *wrong;        /* EXPLAIN: the student's wrong answer, or NULL (right, or gave up) */
	const char *cache_key;    /* from ai_cache_key(); NULL or "": never cached */
};

/* What the caller gets, through on_result. */
struct ai_result {
	int64_t user_id, chat_id;
	enum ai_status status;
	const char *html;         /* final Telegram HTML; long texts are the caller's to split */
	int cached;               /* served from the cache: no request, no quota */
	int tokens;               /* usageMetadata.totalTokenCount, 0 when unknown */
	int64_t latency_ms;       /* submit to result */
};

typedef int (*ai_emit_fn)(void *ctx, const char *type, int nf, const char *const *f);

/* One request on its way. */
struct ai_job {
	struct ai_job *next;
	int64_t user_id, chat_id;
	int lang, is_admin, charged; /* charged: counted against today's quota */
	char key[AI_KEY_LEN];        /* "" when not cacheable */
	char *prompt;                /* the user turn as sent, for the memory */
	struct buf body;             /* the request JSON, kept for retries */
	int64_t t_submit, deadline;  /* mono ms; the deadline covers queue and retries */
	int64_t next_try, typing_at; /* mono ms */
	int attempts;
	int active;                  /* an HTTP request is on the wire */
	enum ai_status status;       /* once finished */
	struct buf text;             /* the model's Markdown */
	int tokens, pause_s, per_day;
};

struct ai_slot {
	struct http_conn conn;
	struct ai_job *job;          /* NULL: free (the connection may idle for reuse) */
};

/* A question on its way, as storage knows it ("aip" when accepted, "aid"
 * when answered): after a restart the open ones are told to ask again and
 * their quota given back, so no question is lost or counted unanswered. */
struct ai_pending {
	int64_t user;                /* the imap key: first (one question in flight per student) */
	int64_t chat;
	int lang, charged_day;       /* charged_day: the quota day it was counted on; 0 not charged */
	int open;                    /* asked, not answered yet */
};

struct ai_quota {
	int64_t user;                /* the imap key: first */
	int day, count;
};

struct ai_cache_ent {
	struct ai_cache_ent *prev, *next; /* LRU list, most recent first */
	int64_t expires_ms;               /* wall clock */
	size_t len;
	char key[AI_KEY_LEN];
	char text[];                      /* the model's Markdown, NUL-terminated */
};

struct ai_mem {
	int64_t user;                /* 0: empty */
	int day;
	int64_t used;                /* mono ms, for eviction */
	int n;                       /* exchanges held, oldest first */
	char *q[AI_MEMORY_TURNS], *a[AI_MEMORY_TURNS];
};

/* The tutor's settings.  ai_opts_init() fills them from a configuration;
 * SIGHUP hands a new set to ai_set_opts(). */
struct ai_opts {
	char key[128];               /* Gemini API key: a secret; "" turns the tutor off */
	char api[256];               /* base URL */
	char model[64];              /* "gemini-2.5-flash" or "models/gemini-2.5-flash" */
	int daily_limit;             /* questions per student per local day (admins are exempt) */
	int max_inflight;            /* connections; fixed at the first configuration */
	int timeout_s;               /* one answer, queue and retries included */
	int tz_offset_min;           /* the students' zone: "today" for the quota */
};

static void ai_opts_init(struct ai_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	snprintf(o->key, sizeof o->key, "%s", c->gemini_key);
	snprintf(o->api, sizeof o->api, "%s", c->gemini_api);
	snprintf(o->model, sizeof o->model, "%s", c->gemini_model);
	o->daily_limit = c->ai_daily_limit;
	o->max_inflight = c->ai_max_inflight;
	o->timeout_s = c->ai_timeout;
	o->tz_offset_min = c->tz_offset_min;
}

/* The model's name as it goes into the URL path. */
static const char *ai_model_name(const struct ai_opts *o)
{
	return strncmp(o->model, "models/", 7) == 0 ? o->model + 7 : o->model;
}

/* The tutor.  One instance, owned by the worker (the bot points at it). */
struct ai {
	struct ai_opts o;
	int enabled;                 /* a key is configured and the URL is sane */
	struct http_client *hc;      /* NULL until the engine attaches (replay needs no network) */
	struct http_url base;
	char path[HTTP_MAX_PATH];    /* /v1beta/models/MODEL:generateContent */
	char header[192];            /* "x-goog-api-key: KEY\r\n": a secret, never logged */
	int nslots;
	struct ai_slot *slots;
	int polled[AI_SLOTS_MAX];    /* ai_want: pfd index k belongs to slot polled[k] */
	int npolled;
	struct ai_job *queue, **queue_tail;
	int queued;
	struct ai_job *done, **done_tail;
	int ndone;
	int64_t paused_until;        /* mono ms: no calls before this (429) */
	int paused_day;              /* the pause is Gemini's daily quota */
	int working;                 /* the last real result was fine */
	char last_error[AI_ERR_LEN];
	struct imap quota;           /* struct ai_quota by user */
	struct imap pending;         /* struct ai_pending by user: questions in flight, durable */
	struct ai_cache_ent *lru_head, *lru_tail;
	int ncache;
	size_t cache_bytes;
	struct ai_mem mem[AI_MEMORY_USERS];
	/* the caller's side */
	void (*on_result)(void *ctx, const struct ai_result *r);
	ai_emit_fn emit;
	void *ctx;
	int (*on_typing)(void *ctx, int64_t chat_id); /* 0 sent, -1 not now */
	void *typing_ctx;
	long requests, cache_hits, failures;          /* counters for /metrics and tests */
	int64_t latency_ms_sum, latency_count;        /* answers from Gemini: submit to result */
};

/* --- texts: the one system instruction, prompts, and what students read ----- */

/* The system instruction: the tutor's whole character, in one place. */
static const char *const ai_system[LANG_COUNT] = {
	"Ты — репетитор, который готовит школьников к ЕГЭ и ОГЭ. Отвечай кратко и по делу "
	"(обычно не больше 150–200 слов), простыми словами, на русском языке. Объясняй идею и ход "
	"решения по шагам, называй типичные ошибки и как их избежать, опирайся на требования экзамена. "
	"Если ученик сейчас решает задачу, не называй готовый ответ: дай подсказку, наводящий вопрос "
	"или первый шаг. Если вопрос не про учёбу, вежливо верни разговор к подготовке к экзамену. "
	"Не выдумывай факты; если не уверен, так и скажи. Оформление: только простой Markdown — "
	"**жирный**, *курсив*, `код`, списки; без таблиц и без LaTeX (формулы пиши текстом, например x^2 + 3x = 0).",
	"You are a tutor preparing school students for the Russian state exams (EGE and OGE). Answer "
	"briefly and to the point (usually no more than 150-200 words), in plain words, in English. "
	"Explain the idea and the solution step by step, name typical mistakes and how to avoid them, "
	"and keep to what the exam requires. If the student is still solving a task, do not give the "
	"final answer: give a hint, a leading question or the first step. If a question is not about "
	"studying, politely steer back to exam preparation. Do not make facts up; if unsure, say so. "
	"Formatting: simple Markdown only - **bold**, *italic*, `code`, lists; no tables and no LaTeX "
	"(write formulas as text, e.g. x^2 + 3x = 0).",
};

enum ai_text_id {
	AT_OFF, AT_BUSY, AT_WAITING, AT_QUOTA, AT_LEFT, AT_LIMITED, AT_LIMITED_DAY, AT_REFUSED, AT_ERROR,
	AT_CUT, AT_CUT_EMPTY, AT_TOO_LONG, AT_ASK_USAGE, AT_RESET, AT_BTN_EXPLAIN, AT_NO_TASK,
	AT_P_HINT, AT_P_EXPLAIN, AT_P_WRONG, AT_P_RIGHT, AT_INTERRUPTED, AT_COUNT
};

static const char *const ai_texts[AT_COUNT][LANG_COUNT] = {
	[AT_OFF] = {"ИИ-репетитор сейчас выключен. Решайте задачи: /task", "The AI tutor is off right now. Practise with /task"},
	[AT_BUSY] = {"Сейчас очень много вопросов — попробуйте через минуту.", "Lots of questions right now — please try again in a minute."},
	[AT_WAITING] = {"Я ещё думаю над вашим прошлым вопросом — ответ скоро придёт.", "I'm still working on your previous question — the answer is coming."},
	[AT_QUOTA] = {"На сегодня вопросы к ИИ-репетитору закончились (%d в день). Завтра можно снова, а пока — задачи: /task",
	              "You've used today's AI tutor questions (%d a day). More tomorrow; meanwhile: /task"},
	[AT_LEFT] = {"\n\n<i>Вопросов к ИИ на сегодня осталось: %d</i>", "\n\n<i>AI questions left today: %d</i>"},
	[AT_LIMITED] = {"ИИ-репетитор сейчас перегружен. Попробуйте через %d с.", "The AI tutor is overloaded right now. Please try again in %d s."},
	[AT_LIMITED_DAY] = {"ИИ-репетитор исчерпал свой лимит на сегодня. Попробуйте завтра!", "The AI tutor has used up its limit for today. Please try again tomorrow!"},
	[AT_REFUSED] = {"Извините, на это я ответить не могу. Давайте вернёмся к подготовке к экзамену: /task",
	                "Sorry, I can't answer that. Let's get back to exam practice: /task"},
	[AT_ERROR] = {"Не получилось получить ответ от ИИ-репетитора. Попробуйте ещё раз чуть позже.",
	              "I couldn't get an answer from the AI tutor. Please try again a little later."},
	[AT_CUT] = {"\n\n<i>…ответ оборвался. Спросите, что осталось непонятным.</i>", "\n\n<i>…the answer was cut off. Ask about what is still unclear.</i>"},
	[AT_CUT_EMPTY] = {"Ответ получился слишком длинным. Попробуйте спросить о чём-то одном.", "The answer came out too long. Try asking about one thing at a time."},
	[AT_TOO_LONG] = {"Вопрос слишком длинный: сократите его до %d символов.", "That question is too long: please keep it under %d characters."},
	[AT_ASK_USAGE] = {"Напишите вопрос после команды, например:\n/ask как найти дискриминант?", "Write your question after the command, e.g.\n/ask how do I find the discriminant?"},
	[AT_RESET] = {"Начнём разговор с ИИ-репетитором заново.", "The AI tutor's conversation starts afresh."},
	[AT_BTN_EXPLAIN] = {"🤖 Объяснить", "🤖 Explain"},
	[AT_NO_TASK] = {"Эта задача больше недоступна. /task — новая задача.", "That task is no longer available. /task for a new one."},
	[AT_P_HINT] = {"Я сейчас решаю эту задачу (не называй ответ, только подсказки):\n%s\n\nМой вопрос: %s",
	               "I'm solving this task right now (no final answer, hints only):\n%s\n\nMy question: %s"},
	[AT_P_EXPLAIN] = {"Объясни решение задачи.\n\nЗадача: %s\n\nПравильный ответ: %s\n\nРешение из сборника: %s",
	                  "Explain how to solve this task.\n\nTask: %s\n\nCorrect answer: %s\n\nThe book's solution: %s"},
	[AT_P_WRONG] = {"\n\nЯ ответил: %s. Объясни, где я, вероятно, ошибся.", "\n\nI answered: %s. Explain where I probably went wrong."},
	[AT_P_RIGHT] = {"\n\nКратко закрепи главную идею решения.", "\n\nBriefly reinforce the key idea of the solution."},
	[AT_INTERRUPTED] = {"Бот перезапускался, пока ИИ-репетитор думал над вашим вопросом. Задайте его, пожалуйста, ещё раз — этот вопрос не засчитан в лимит.",
	                    "The bot restarted while the AI tutor was working on your question. Please ask it again — it does not count against your limit."},
};

static const char *ai_t(int lang, enum ai_text_id id)
{
	return ai_texts[id][lang >= 0 && lang < LANG_COUNT ? lang : LANG_RU];
}

/* --- Markdown to Telegram HTML ---------------------------------------------------
 *
 * The model writes Markdown; Telegram wants a small HTML.  Tags are only ever
 * written in pairs inside one line (or one code block), so whatever the model
 * sends, the HTML is well formed and a long answer can be split at any line.
 * Everything that is not markup is escaped with html_escape()'s rules.
 */

/* Letters and digits, for "is this marker inside a word": any non-ASCII
 * byte counts (Cyrillic letters are). */
static int ai_wordch(int c)
{
	return isalnum(c) || c >= 0x80;
}

static size_t ai_run(const char *s, size_t n, size_t i, char c)
{
	size_t k = 0;
	while (i + k < n && s[i + k] == c)
		k++;
	return k;
}

/* What one pass over a line already learned, so that no search runs over
 * the same bytes twice and a hostile answer converts in linear time: a
 * search that found no closer from position p finds none from any later
 * position either.  SIZE_MAX: not known yet. */
struct ai_md_memo {
	size_t no_code[AI_MD_TICKS_MAX]; /* no closing run of k backticks at or after this */
	size_t no_closer[2][2];          /* [c == '_'][want - 1]: no emphasis closer at or after this */
	size_t no_rb, no_rp;             /* no ']' / no ')' at or after this */
	size_t rb, lb;                   /* the first ']' after the last '[' looked at; the last '[' before it */
	size_t rp;                       /* the ')' of "](...)" after rb, or SIZE_MAX */
};

static void ai_md_memo_init(struct ai_md_memo *mm)
{
	memset(mm, 0xff, sizeof *mm); /* every field SIZE_MAX */
}

/* Just past the run of backticks that closes the code span opened at i,
 * or 0 when nothing closes it (the backticks are then text).  Runs of
 * AI_MD_TICKS_MAX or more backticks are text. */
static size_t ai_code_end(const char *s, size_t n, size_t i, struct ai_md_memo *mm)
{
	size_t k = ai_run(s, n, i, '`');
	if (k >= AI_MD_TICKS_MAX || i + k >= mm->no_code[k])
		return 0;
	for (size_t e = i + k; e < n;) {
		size_t m = s[e] == '`' ? ai_run(s, n, e, '`') : 0;
		if (m == k)
			return e + m;
		e += m ? m : 1;
	}
	mm->no_code[k] = i + k;
	return 0;
}

/* Where the closing marker of a run of want (1: italic, 2: bold) of c
 * opened just before `from` is, or n.  A closer follows a non-space; an
 * italic closer must not be glued to a word (2*3*4 stays arithmetic). */
static size_t ai_find_closer(const char *s, size_t n, size_t from, char c, size_t want, struct ai_md_memo *mm)
{
	size_t *none = &mm->no_closer[c == '_'][want - 1];
	if (from >= *none)
		return n;
	for (size_t j = from; j < n;) {
		if (s[j] == '`') { /* markers inside code spans do not count */
			size_t e = ai_code_end(s, n, j, mm);
			j = e ? e : j + ai_run(s, n, j, '`');
			continue;
		}
		if (s[j] != c) {
			j++;
			continue;
		}
		size_t m = ai_run(s, n, j, c);
		int after_space = j == from || isspace((unsigned char)s[j - 1]);
		if (!after_space && want == 2 && m >= 2)
			return j + m - 2; /* "***x***": the last two close the bold */
		if (!after_space && want == 1 && m == 1 && (j + 1 >= n || !ai_wordch((unsigned char)s[j + 1])))
			return j;
		if (!after_space && want == 1 && m >= 3)
			return j; /* "*x***": the first closes the italic, the rest is the bold's */
		j += m;
	}
	*none = from;
	return n;
}

static int ai_md_inline(const char *s, size_t n, struct buf *out, int depth);

/* `code`, with a run of k backticks closed by the same run. */
static size_t ai_md_code(const char *s, size_t n, size_t i, struct buf *out, struct ai_md_memo *mm)
{
	size_t k = ai_run(s, n, i, '`'), end = ai_code_end(s, n, i, mm);
	if (!end) { /* no closer: the backticks are text */
		buf_append(out, s + i, k);
		return i + k;
	}
	size_t a = i + k, b = end - k;
	if (b - a >= 2 && s[a] == ' ' && s[b - 1] == ' ')
		a++, b--;
	buf_puts(out, "<code>");
	html_escape_n(out, s + a, b - a);
	buf_puts(out, "</code>");
	return end;
}

/* [text](url) → "text (url)": links are shown, never made clickable. */
static size_t ai_md_link(const char *s, size_t n, size_t i, struct buf *out, struct ai_md_memo *mm)
{
	if (i >= mm->no_rb || (mm->rb != SIZE_MAX && i < mm->rb && mm->lb > i)) {
		buf_putc(out, '['); /* no ']' at all, or another '[' before it: text */
		return i + 1;
	}
	if (mm->rb == SIZE_MAX || i >= mm->rb) { /* the first ']' after i, its last '[', its ')' */
		const char *rb = memchr(s + i, ']', n - i);
		if (!rb) {
			mm->no_rb = i;
			buf_putc(out, '[');
			return i + 1;
		}
		mm->rb = (size_t)(rb - s);
		mm->lb = (size_t)((const char *)memrchr(s + i, '[', mm->rb - i) - s);
		const char *rp = NULL;
		if (mm->rb + 1 < n && s[mm->rb + 1] == '(' && mm->rb + 2 < mm->no_rp) {
			rp = memchr(s + mm->rb + 2, ')', n - mm->rb - 2);
			if (!rp)
				mm->no_rp = mm->rb + 2;
		}
		mm->rp = rp ? (size_t)(rp - s) : SIZE_MAX;
		if (mm->lb > i) {
			buf_putc(out, '[');
			return i + 1;
		}
	}
	size_t r = mm->rb;
	if (mm->rp == SIZE_MAX) {
		buf_putc(out, '[');
		return i + 1;
	}
	size_t u0 = r + 2, u1 = mm->rp;
	ai_md_inline(s + i + 1, r - i - 1, out, AI_MD_DEPTH); /* text only, no nested markup */
	if (u1 > u0 && !(u1 - u0 == r - i - 1 && memcmp(s + u0, s + i + 1, u1 - u0) == 0)) {
		buf_puts(out, " (");
		html_escape_n(out, s + u0, u1 - u0);
		buf_putc(out, ')');
	}
	return u1 + 1;
}

/* Bold/italic with * or _: an opener is followed by a non-space, and for
 * single markers and for _ is not glued to the word before (snake_case and
 * 2*3*4 stay as they are).  Unmatched markers are text. */
static size_t ai_md_emph(const char *s, size_t n, size_t i, struct buf *out, int depth, struct ai_md_memo *mm)
{
	char c = s[i];
	size_t k = ai_run(s, n, i, c);
	size_t want = k >= 2 ? 2 : 1;
	int glued = i > 0 && ai_wordch((unsigned char)s[i - 1]);
	int opener = i + want < n && !isspace((unsigned char)s[i + want]) && depth < AI_MD_DEPTH &&
	             !(glued && (want == 1 || c == '_'));
	size_t close = opener ? ai_find_closer(s, n, i + want, c, want, mm) : n;
	if (close < n && c == '_' && close + want < n && ai_wordch((unsigned char)s[close + want]))
		close = n;
	if (close >= n || close == i + want) {
		buf_append(out, s + i, k);
		return i + k;
	}
	const char *tag = want == 2 ? "b" : "i";
	buf_printf(out, "<%s>", tag);
	ai_md_inline(s + i + want, close - i - want, out, depth + 1);
	buf_printf(out, "</%s>", tag);
	return close + want;
}

/* One line (or a part of one) of inline Markdown. */
static int ai_md_inline(const char *s, size_t n, struct buf *out, int depth)
{
	struct ai_md_memo mm;
	ai_md_memo_init(&mm);
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		if (c == '`') {
			i = ai_md_code(s, n, i, out, &mm);
		} else if (c == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
			html_escape_n(out, s + i + 1, 1);
			i += 2;
		} else if ((c == '*' || c == '_') && depth < AI_MD_DEPTH) {
			i = ai_md_emph(s, n, i, out, depth, &mm);
		} else if (c == '[' && depth < AI_MD_DEPTH) {
			i = ai_md_link(s, n, i, out, &mm);
		} else {
			size_t j = i + 1;
			while (j < n && !strchr("`\\*_[", s[j]))
				j++;
			html_escape_n(out, s + i, j - i);
			i = j;
		}
	}
	return 0;
}

/* A fence line: up to 3 spaces, then ``` (or ~~~). */
static int ai_md_fence(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && i < 3 && s[i] == ' ')
		i++;
	return n - i >= 3 && (memcmp(s + i, "```", 3) == 0 || memcmp(s + i, "~~~", 3) == 0);
}

/* "---", "***", "___" (spaces allowed): a rule. */
static int ai_md_rule(const char *s, size_t n)
{
	int count = 0;
	char c = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == ' ')
			continue;
		if (!strchr("-*_", s[i]) || (c && s[i] != c))
			return 0;
		c = s[i];
		count++;
	}
	return count >= 3;
}

/* Convert the model's Markdown to Telegram HTML, appended to out.  0 or -1
 * (out of memory: out is then unusable).  Handles code blocks (<pre>),
 * inline code, bold, italic, headings (bold), bullets (•), numbered lists
 * (as they are), links (as text) and rules; everything else is escaped
 * text.  Tags always pair up, whatever the input. */
static int ai_md_to_html(const char *md, size_t len, struct buf *out)
{
	/* Every construct at most sextuples its bytes ("---" and '"' are the
	 * worst): with the room taken up front no append can fail halfway and
	 * leave a tag open. */
	if (len > SIZE_MAX / 8 - 64 || buf_reserve(out, len * 8 + 64) < 0 || buf_append(out, "", 0) < 0)
		return -1;
	int in_code = 0;
	size_t pre_bytes = 0, start_len = out->len;
	int first = 1;
	for (size_t pos = 0; pos <= len;) {
		const char *nl = memchr(md + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - md) : len, n = end - pos;
		const char *s = md + pos;
		if (n && s[n - 1] == '\r')
			n--;
		if (!nl && n == 0 && pos == len && pos > 0)
			break; /* the text ended with a newline */
		if (in_code) {
			if (ai_md_fence(s, n)) {
				buf_puts(out, "</pre>");
				in_code = 0;
			} else {
				if (pre_bytes > AI_PRE_SPLIT) {
					buf_puts(out, "</pre>\n<pre>");
					pre_bytes = 0;
				} else if (pre_bytes) {
					buf_putc(out, '\n');
				}
				html_escape_n(out, s, n);
				pre_bytes += n + 1;
			}
		} else {
			if (!first)
				buf_putc(out, '\n');
			size_t ind = 0;
			while (ind < n && (s[ind] == ' ' || s[ind] == '\t'))
				ind++;
			size_t h = ind;
			while (h < n && h - ind < 7 && s[h] == '#')
				h++;
			if (ai_md_fence(s, n)) {
				buf_puts(out, "<pre>");
				in_code = 1;
				pre_bytes = 0;
			} else if (h > ind && h - ind <= 6 && h < n && s[h] == ' ') {
				size_t e = n;
				while (e > h && (s[e - 1] == '#' || s[e - 1] == ' '))
					e--;
				buf_puts(out, "<b>");
				ai_md_inline(s + h + 1, e > h + 1 ? e - h - 1 : 0, out, 1);
				buf_puts(out, "</b>");
			} else if (ai_md_rule(s, n)) {
				buf_puts(out, "——————");
			} else if (ind + 1 < n && s[ind] && strchr("*-+", s[ind]) && s[ind + 1] == ' ') {
				buf_append(out, s, ind);
				buf_puts(out, "• ");
				ai_md_inline(s + ind + 2, n - ind - 2, out, 0);
			} else {
				ai_md_inline(s, n, out, 0);
			}
		}
		first = 0;
		if (!nl)
			break;
		pos = end + 1;
	}
	if (in_code)
		buf_puts(out, "</pre>");
	/* trailing blank lines say nothing */
	while (out->len > start_len && (out->p[out->len - 1] == '\n' || out->p[out->len - 1] == ' '))
		out->p[--out->len] = '\0';
	return 0;
}

/* --- parsing Gemini's answer ---------------------------------------------------- */

/* What one HTTP answer from generateContent means. */
struct ai_parsed {
	enum ai_status status;   /* AI_OK, AI_CUT, AI_REFUSED, AI_LIMITED or AI_ERROR */
	struct buf text;         /* the model's Markdown (AI_OK, AI_CUT) */
	int tokens;              /* usageMetadata.totalTokenCount */
	int pause_s;             /* AI_LIMITED: RetryInfo.retryDelay rounded up, or AI_PAUSE_DEFAULT_S */
	int per_day;             /* AI_LIMITED: a per-day quota was violated */
	int retry;               /* AI_ERROR: worth another try (5xx) */
	int config;              /* AI_ERROR: an admin must act (400/401/403/404) */
	char why[AI_ERR_LEN];    /* for the log: never the key, never the question */
};

/* "7s", "1.5s", "37.000123s" → whole seconds, rounded up; -1 if not that. */
static int ai_parse_duration(const char *s)
{
	long whole = 0;
	int frac = 0, digits = 0;
	for (; isdigit((unsigned char)*s); s++, digits++)
		if (whole < AI_PAUSE_MAX_S * 10L)
			whole = whole * 10 + (*s - '0');
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			frac |= *s != '0';
	if (!digits || strcmp(s, "s") != 0)
		return -1;
	whole += frac;
	return whole > AI_PAUSE_MAX_S ? AI_PAUSE_MAX_S : (int)whole;
}

/* Does string token i end with suffix? */
static int ai_tok_ends(const char *js, const struct json_tok *t, int i, const char *suffix)
{
	size_t n = strlen(suffix);
	return i >= 0 && t[i].type == JSON_STRING && (size_t)(t[i].end - t[i].start) >= n &&
	       memcmp(js + t[i].end - n, suffix, n) == 0;
}

/* error.details[]: RetryInfo.retryDelay, QuotaFailure violations, ErrorInfo reason. */
static void ai_parse_details(const char *js, const struct json_tok *t, int n, int details, struct ai_parsed *p,
                             int *key_invalid)
{
	if (details < 0 || t[details].type != JSON_ARRAY)
		return;
	for (int k = 0, d = details + 1; k < t[details].size; k++, d = json_next(t, n, d)) {
		int type = json_obj_get(js, t, n, d, "@type");
		struct buf v = BUF_INIT;
		if (ai_tok_ends(js, t, type, "RetryInfo") &&
		    json_get_str(js, t, json_obj_get(js, t, n, d, "retryDelay"), &v) == 0) {
			int s = ai_parse_duration(v.p);
			if (s >= 0)
				p->pause_s = s < 1 ? 1 : s;
		} else if (ai_tok_ends(js, t, type, "QuotaFailure")) {
			int vio = json_obj_get(js, t, n, d, "violations");
			for (int j = 0, e = vio + 1; vio >= 0 && t[vio].type == JSON_ARRAY && j < t[vio].size;
			     j++, e = json_next(t, n, e)) {
				buf_reset(&v);
				if (json_get_str(js, t, json_obj_get(js, t, n, e, "quotaId"), &v) == 0 && strstr(v.p, "PerDay"))
					p->per_day = 1;
			}
		} else if (ai_tok_ends(js, t, type, "ErrorInfo")) {
			*key_invalid |= json_eq(js, t, json_obj_get(js, t, n, d, "reason"), "API_KEY_INVALID");
		}
		buf_free(&v);
	}
}

/* An error answer: {"error": {"code", "message", "status", "details"}}. */
static void ai_parse_error(int http_status, const char *js, const struct json_tok *t, int n, const char *model,
                           struct ai_parsed *p)
{
	struct buf msg = BUF_INIT;
	int err = n > 0 ? json_obj_get(js, t, n, 0, "error") : -1;
	int key_invalid = 0;
	json_get_str(js, t, json_obj_get(js, t, n, err, "message"), &msg);
	ai_parse_details(js, t, n, json_obj_get(js, t, n, err, "details"), p, &key_invalid);
	const char *m = msg.p ? msg.p : "no message";
	p->status = AI_ERROR;
	if (http_status == 429) {
		p->status = AI_LIMITED;
		snprintf(p->why, sizeof p->why, "429 %s", p->per_day ? "daily quota exhausted" : "rate limited");
	} else if (http_status >= 500) {
		p->retry = http_status == 500 || http_status == 502 || http_status == 503 || http_status == 504;
		snprintf(p->why, sizeof p->why, "HTTP %d: %.100s", http_status, m);
	} else if (http_status == 404) {
		p->config = 1;
		snprintf(p->why, sizeof p->why, "HTTP 404: model '%.40s' not found (misspelled or retired? set gemini_model)",
		         model);
	} else if (key_invalid || http_status == 401 || http_status == 403) {
		p->config = 1;
		snprintf(p->why, sizeof p->why, "HTTP %d: the API key was rejected (fix gemini_key): %.80s", http_status, m);
	} else {
		p->config = http_status == 400;
		snprintf(p->why, sizeof p->why, "HTTP %d: %.120s", http_status, m);
	}
	buf_free(&msg);
}

/* A 200 answer: the candidates' text, or why there is none. */
static void ai_parse_answer(const char *js, const struct json_tok *t, int n, struct ai_parsed *p)
{
	int64_t v;
	if (json_get_i64(js, t, json_path(js, t, n, 0, "usageMetadata.totalTokenCount"), &v) == 0 && v >= 0 && v < INT_MAX)
		p->tokens = (int)v;
	int cand = json_path(js, t, n, 0, "candidates.0");
	int parts = json_path(js, t, n, cand, "content.parts");
	for (int k = 0, e = parts + 1; parts >= 0 && t[parts].type == JSON_ARRAY && k < t[parts].size;
	     k++, e = json_next(t, n, e)) {
		int thought = 0;
		json_get_bool(js, t, json_obj_get(js, t, n, e, "thought"), &thought);
		if (!thought)
			json_get_str(js, t, json_obj_get(js, t, n, e, "text"), &p->text);
	}
	if (p->text.p && memchr(p->text.p, '\0', p->text.len))
		p->text.len = strlen(p->text.p); /* a \u0000 ends the answer */
	int fin = json_obj_get(js, t, n, cand, "finishReason");
	struct buf reason = BUF_INIT;
	json_get_str(js, t, fin, &reason);
	int blocked = json_path(js, t, n, 0, "promptFeedback.blockReason");
	if (json_eq(js, t, fin, "MAX_TOKENS")) {
		p->status = AI_CUT;
		snprintf(p->why, sizeof p->why, "finishReason MAX_TOKENS%s", p->text.len ? "" : " with no text");
	} else if (p->text.len) {
		p->status = AI_OK;
	} else {
		p->status = AI_REFUSED;
		struct buf br = BUF_INIT;
		json_get_str(js, t, blocked, &br);
		snprintf(p->why, sizeof p->why, "%s%s", cand < 0 ? "no candidates" : "no text",
		         br.p ? ", promptFeedback.blockReason " : reason.p ? ", finishReason " : "");
		size_t l = strlen(p->why);
		snprintf(p->why + l, sizeof p->why - l, "%.40s", br.p ? br.p : reason.p ? reason.p : "");
		buf_free(&br);
	}
	buf_free(&reason);
}

/* Classify one HTTP answer (status and body); never fails, p->why says what
 * went wrong.  Free p->text afterwards. */
static void ai_parse_response(int http_status, const char *body, size_t len, const char *model, struct ai_parsed *p)
{
	memset(p, 0, sizeof *p);
	p->pause_s = AI_PAUSE_DEFAULT_S;
	struct json_tok *t = NULL;
	size_t eoff = 0;
	int n = json_parse_alloc(body ? body : "", len, AI_JSON_TOKENS, &t, &eoff);
	if (n > 0 && t[0].type != JSON_OBJECT)
		n = JSON_ERR_SYNTAX;
	if (http_status != 200) {
		ai_parse_error(http_status, body, t, n > 0 ? n : 0, model, p);
	} else if (n < 0) {
		p->status = AI_ERROR;
		snprintf(p->why, sizeof p->why, "HTTP 200 with a body that is no JSON object (%s at byte %zu)",
		         json_strerror(n), eoff);
	} else {
		ai_parse_answer(body, t, n, p);
	}
	free(t);
}

/* --- cache keys ------------------------------------------------------------------------ */

/* Append s normalised: case folded (А-Я, Ё too), spaces collapsed and
 * trimmed, trailing ?!.… dropped.  Two questions that differ only in that
 * share an answer. */
static void ai_norm_append(struct buf *out, const char *s)
{
	size_t n = s ? strlen(s) : 0, start = out->len;
	int space = 0;
	for (size_t i = 0; i < n;) {
		uint32_t c;
		i += utf8_decode((const unsigned char *)s + i, n - i, &c);
		c = bank_fold(c);
		if (c == 0)
			continue;
		if (c == ' ') {
			space = out->len > start;
			continue;
		}
		char enc[4];
		if (space)
			buf_putc(out, ' ');
		buf_append(out, enc, (size_t)utf8_encode(c, enc));
		space = 0;
	}
	for (;;) {
		size_t l = out->len;
		if (l > start && strchr("?!. ", out->p[l - 1]))
			out->len--;
		else if (l >= start + 3 && memcmp(out->p + l - 3, "\xe2\x80\xa6", 3) == 0) /* … */
			out->len -= 3;
		else
			break;
		out->p[out->len] = '\0';
	}
}

/* The cache key of a request: kind ('q' ask, 'x' explain), language and
 * the normalised parts, hashed (64-bit FNV-1a) so the question itself is
 * never written to disk.  out gets "q-ru-0123456789abcdef". */
static void ai_cache_key(char out[AI_KEY_LEN], char kind, int lang, const char *a, const char *b)
{
	struct buf nb = BUF_INIT;
	ai_norm_append(&nb, a);
	buf_putc(&nb, '\x1f'); /* a separator no normalised text contains */
	ai_norm_append(&nb, b);
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; nb.p && i < nb.len; i++)
		h = (h ^ (unsigned char)nb.p[i]) * 0x100000001b3ULL;
	buf_free(&nb);
	snprintf(out, AI_KEY_LEN, "%c-%s-%016" PRIx64, kind, cfg_langs[lang == LANG_EN ? 1 : 0], h);
}

/* --- the cache: an LRU list ------------------------------------------------------------- */

static void ai_lru_unlink(struct ai *a, struct ai_cache_ent *e)
{
	*(e->prev ? &e->prev->next : &a->lru_head) = e->next;
	*(e->next ? &e->next->prev : &a->lru_tail) = e->prev;
	e->prev = e->next = NULL;
}

static void ai_lru_push_front(struct ai *a, struct ai_cache_ent *e)
{
	e->prev = NULL;
	e->next = a->lru_head;
	*(a->lru_head ? &a->lru_head->prev : &a->lru_tail) = e;
	a->lru_head = e;
}

static void ai_cache_drop(struct ai *a, struct ai_cache_ent *e)
{
	ai_lru_unlink(a, e);
	a->ncache--;
	a->cache_bytes -= e->len;
	free(e);
}

/* The live entry for key (made most recent), or NULL; expired ones go. */
static struct ai_cache_ent *ai_cache_get(struct ai *a, const char *key, int64_t now_wall)
{
	for (struct ai_cache_ent *e = a->lru_head; e; e = e->next) {
		if (strcmp(e->key, key) != 0)
			continue;
		if (e->expires_ms <= now_wall) {
			ai_cache_drop(a, e);
			return NULL;
		}
		ai_lru_unlink(a, e);
		ai_lru_push_front(a, e);
		return e;
	}
	return NULL;
}

/* Insert or replace; the least recently used go when over the caps.
 * 0, or -1 (out of memory or too big to cache). */
static int ai_cache_put(struct ai *a, const char *key, int64_t expires_ms, const char *text, size_t len)
{
	if (len > AI_CACHE_TEXT_MAX || strlen(key) >= AI_KEY_LEN)
		return -1;
	for (struct ai_cache_ent *e = a->lru_head; e; e = e->next)
		if (strcmp(e->key, key) == 0) {
			ai_cache_drop(a, e);
			break;
		}
	struct ai_cache_ent *e = malloc(sizeof *e + len + 1);
	if (!e)
		return -1;
	snprintf(e->key, sizeof e->key, "%s", key);
	e->expires_ms = expires_ms;
	e->len = len;
	memcpy(e->text, text, len);
	e->text[len] = '\0';
	ai_lru_push_front(a, e);
	a->ncache++;
	a->cache_bytes += len;
	while (a->lru_tail && a->lru_tail != e && (a->ncache > AI_CACHE_MAX || a->cache_bytes > AI_CACHE_MAX_BYTES))
		ai_cache_drop(a, a->lru_tail);
	return 0;
}

/* --- the daily quota ---------------------------------------------------------------------- */

static int ai_today(const struct ai *a) { return local_day(wall_ms(), a->o.tz_offset_min); }

/* imap_rebuild's filter: today's counts only. */
static int ai_quota_current(const void *slot, void *ctx)
{
	return ((const struct ai_quota *)slot)->day >= *(const int *)ctx;
}

/* The entry for user (created when create is set), or NULL. */
static struct ai_quota *ai_quota_entry(struct ai *a, int64_t user, int create, int today)
{
	struct ai_quota *q = imap_get(&a->quota, user);
	if (q || !create)
		return q;
	/* yesterday's counts are dead weight: drop them before the map grows */
	if ((a->quota.n + 1) * 2 > a->quota.cap && a->quota.cap &&
	    imap_rebuild(&a->quota, a->quota.cap, ai_quota_current, &today) < 0)
		return NULL;
	int added;
	q = imap_put(&a->quota, user, &added);
	if (q && added)
		q->day = today;
	return q;
}

/* Requests user made today. */
static int ai_quota_used(struct ai *a, int64_t user, int today)
{
	struct ai_quota *q = ai_quota_entry(a, user, 0, today);
	return q && q->day == today ? q->count : 0;
}

static int ai_emit(struct ai *a, const char *type, int nf, const char *const *f)
{
	return a->emit ? a->emit(a->ctx, type, nf, f) : 0;
}

static void ai_save_quota(struct ai *a, const struct ai_quota *q, ai_emit_fn emit, void *ctx)
{
	char user[24], day[16], count[16];
	snprintf(user, sizeof user, "%" PRId64, q->user);
	snprintf(day, sizeof day, "%d", q->day);
	snprintf(count, sizeof count, "%d", q->count);
	const char *f[] = {user, day, count};
	if (emit)
		emit(ctx, "aiq", 3, f);
	else
		ai_emit(a, "aiq", 3, f);
}

/* Count one request (delta 1) or give one back (delta -1), durably. */
static void ai_quota_add(struct ai *a, int64_t user, int delta, int today)
{
	struct ai_quota *q = ai_quota_entry(a, user, 1, today);
	if (!q)
		return; /* out of memory: the request goes uncounted, never refused */
	if (q->day != today) {
		q->day = today;
		q->count = 0;
	}
	q->count += delta;
	if (q->count < 0)
		q->count = 0;
	ai_save_quota(a, q, NULL, NULL);
}

/* --- questions in flight -------------------------------------------------------------- */

static void ai_save_pending(struct ai *a, const struct ai_pending *p, ai_emit_fn emit, void *ctx)
{
	char user[24], chat[24], lang[8], day[16];
	snprintf(user, sizeof user, "%" PRId64, p->user);
	snprintf(chat, sizeof chat, "%" PRId64, p->chat);
	snprintf(lang, sizeof lang, "%d", p->lang);
	snprintf(day, sizeof day, "%d", p->charged_day);
	const char *f[] = {user, chat, lang, day};
	if (!emit)
		emit = a->emit, ctx = a->ctx;
	if (emit)
		emit(ctx, p->open ? "aip" : "aid", p->open ? 4 : 1, f);
}

/* imap_rebuild's filter: questions still open. */
static int ai_pending_open(const void *slot, void *ctx)
{
	(void)ctx;
	return ((const struct ai_pending *)slot)->open;
}

/* A question of user opens (asked) or closes (answered, or told to ask
 * again).  Returns the entry, NULL when out of memory (the question is
 * then only as durable as memory: an ask-again after a restart is lost). */
static struct ai_pending *ai_pending_set(struct ai *a, int64_t user, int64_t chat, int lang, int charged_day, int open)
{
	struct imap *m = &a->pending;
	struct ai_pending *p = imap_get(m, user);
	if (!p && !open)
		return NULL;
	if (!p && (m->n + 1) * 2 > m->cap && m->cap)
		imap_rebuild(m, m->cap, ai_pending_open, NULL); /* closed ones are history: drop them first */
	int added;
	if (!p && !(p = imap_put(m, user, &added)))
		return NULL;
	p->chat = chat;
	p->lang = lang;
	p->charged_day = charged_day;
	p->open = open;
	return p;
}

/* --- conversation memory ------------------------------------------------------------------ */

static void ai_mem_clear(struct ai_mem *m)
{
	for (int i = 0; i < m->n; i++) {
		free(m->q[i]);
		free(m->a[i]);
	}
	memset(m, 0, sizeof *m);
}

/* user's memory of today, or NULL. */
static struct ai_mem *ai_mem_find(struct ai *a, int64_t user, int today)
{
	for (int i = 0; i < AI_MEMORY_USERS; i++) {
		struct ai_mem *m = &a->mem[i];
		if (m->user != user)
			continue;
		if (m->day != today) {
			ai_mem_clear(m);
			return NULL;
		}
		return m;
	}
	return NULL;
}

/* A copy of at most AI_MEMORY_TEXT_MAX bytes of s, cut on a character:
 * context only needs the gist. */
static char *ai_mem_copy(const char *s)
{
	char *p = malloc(AI_MEMORY_TEXT_MAX + 1);
	if (p)
		utf8_copy(p, AI_MEMORY_TEXT_MAX + 1, s);
	return p;
}

static void ai_mem_push(struct ai *a, int64_t user, const char *q, const char *ans, int today)
{
	struct ai_mem *m = ai_mem_find(a, user, today);
	if (!m) { /* a free slot, else the least recently used */
		m = &a->mem[0];
		for (int i = 0; i < AI_MEMORY_USERS && m->user; i++)
			if (!a->mem[i].user || a->mem[i].used < m->used)
				m = &a->mem[i];
		ai_mem_clear(m);
		m->user = user;
		m->day = today;
	}
	char *qc = ai_mem_copy(q), *ac = ai_mem_copy(ans);
	if (!qc || !ac) {
		free(qc);
		free(ac);
		return;
	}
	if (m->n == AI_MEMORY_TURNS) {
		free(m->q[0]);
		free(m->a[0]);
		memmove(m->q, m->q + 1, (AI_MEMORY_TURNS - 1) * sizeof m->q[0]);
		memmove(m->a, m->a + 1, (AI_MEMORY_TURNS - 1) * sizeof m->a[0]);
		m->n--;
	}
	m->q[m->n] = qc;
	m->a[m->n] = ac;
	m->n++;
	m->used = mono_ms();
}

/* Forget user's conversation (/reset, a new subject). */
static void ai_reset(struct ai *a, int64_t user)
{
	if (!a)
		return;
	for (int i = 0; i < AI_MEMORY_USERS; i++)
		if (a->mem[i].user == user)
			ai_mem_clear(&a->mem[i]);
}

/* --- records ---------------------------------------------------------------------------- */

/* Replay: take an "aiq" or "aic" record.  Returns 1 if the record was ours
 * (applied, or skipped when expired or malformed), 0 if not. */
static int ai_apply(struct ai *a, const struct store_rec *r)
{
	if (strcmp(r->type, "aip") == 0 || strcmp(r->type, "aid") == 0) {
		int open = r->type[2] == 'p';
		if (a && r->nf >= (open ? 4 : 1))
			ai_pending_set(a, strtoll(r->f[0], NULL, 10), open ? strtoll(r->f[1], NULL, 10) : 0,
			               open ? (int)strtol(r->f[2], NULL, 10) : 0, open ? (int)strtol(r->f[3], NULL, 10) : 0, open);
		return 1;
	}
	if (strcmp(r->type, "aiq") == 0) {
		if (!a || r->nf < 3)
			return 1;
		int64_t user = strtoll(r->f[0], NULL, 10);
		int day = (int)strtol(r->f[1], NULL, 10), today = ai_today(a);
		if (!user || day < today)
			return 1; /* an old day's count is worth nothing */
		struct ai_quota *q = ai_quota_entry(a, user, 1, today);
		if (q) {
			q->day = day;
			q->count = (int)strtol(r->f[2], NULL, 10);
		}
		return 1;
	}
	if (strcmp(r->type, "aic") == 0) {
		if (!a || r->nf < 3)
			return 1;
		int64_t exp = strtoll(r->f[1], NULL, 10);
		if (exp > wall_ms() && ai_cache_put(a, r->f[0], exp, r->f[2], r->flen[2]) < 0)
			log_debug("ai", "replay: cache entry %s not kept (too big or out of memory)", r->f[0]);
		return 1;
	}
	return 0;
}

/* Compaction: today's quota counts and every live cache entry, oldest
 * first so that replay rebuilds the same LRU order. */
static void ai_dump(struct ai *a, ai_emit_fn emit, void *ctx)
{
	if (!a)
		return;
	int today = ai_today(a);
	for (size_t i = 0; i < a->quota.cap; i++) {
		const struct ai_quota *q = imap_at(&a->quota, i);
		if (q && q->day == today && q->count > 0)
			ai_save_quota(a, q, emit, ctx);
	}
	for (size_t i = 0; i < a->pending.cap; i++) {
		const struct ai_pending *p = imap_at(&a->pending, i);
		if (p && p->open)
			ai_save_pending(a, p, emit, ctx);
	}
	int64_t now = wall_ms();
	for (struct ai_cache_ent *e = a->lru_tail; e; e = e->prev) {
		if (e->expires_ms <= now)
			continue;
		char exp[24];
		snprintf(exp, sizeof exp, "%" PRId64, e->expires_ms);
		const char *f[] = {e->key, exp, e->text};
		emit(ctx, "aic", 3, f);
	}
}

/* --- set-up ------------------------------------------------------------------------------ */

static void ai_set_working(struct ai *a, int ok, const char *why)
{
	if (ok && !a->working)
		log_info("ai", "Gemini answers again");
	a->working = ok;
	if (!ok)
		snprintf(a->last_error, sizeof a->last_error, "gemini: %.140s", why ? why : "failed");
	else
		a->last_error[0] = '\0';
}

/* (Re)read the tutor's settings from a->o: URL, model, key, connections.
 * Without gemini_key, or with settings no request could carry, the tutor
 * is off.  0, or -1 when out of memory (tutor off). */
static int ai_configure(struct ai *a)
{
	a->enabled = 0;
	explicit_bzero(a->header, sizeof a->header);
	if (!a->o.key[0])
		return 0;
	const char *model = ai_model_name(&a->o);
	if (http_url_parse(a->o.api, &a->base) < 0) {
		log_error("ai", "gemini_api is not an http:// or https:// URL: the AI tutor is off");
		ai_set_working(a, 0, "gemini_api is not a URL");
		return 0;
	}
	if (strpbrk(a->o.key, "\r\n") || !*model || strpbrk(model, "/?# \r\n")) {
		log_error("ai", "gemini_key or gemini_model holds characters no key or model name has: the AI tutor is off");
		ai_set_working(a, 0, "gemini_key or gemini_model is malformed");
		return 0;
	}
	snprintf(a->path, sizeof a->path, "/v1beta/models/%.63s:generateContent", model);
	snprintf(a->header, sizeof a->header, "x-goog-api-key: %s\r\n", a->o.key);
	if (!a->slots) { /* the number of connections is fixed at the first configuration */
		int n = a->o.max_inflight < 1 ? 1 : a->o.max_inflight > AI_SLOTS_MAX ? AI_SLOTS_MAX : a->o.max_inflight;
		a->slots = calloc((size_t)n, sizeof *a->slots);
		if (!a->slots)
			return -1;
		a->nslots = n;
		for (int i = 0; i < n; i++) {
			http_conn_init(&a->slots[i].conn);
			http_set_max_body(&a->slots[i].conn, AI_BODY_MAX);
		}
	}
	a->enabled = 1;
	return 0;
}

/* Set up the tutor with options o.  hc may be NULL (ai_attach gives it before the
 * first ai_want: replay needs no network).  0, or -1 (out of memory). */
static int ai_init(struct ai *a, const struct ai_opts *o, struct http_client *hc)
{
	memset(a, 0, sizeof *a);
	a->o = *o;
	a->hc = hc;
	a->queue_tail = &a->queue;
	a->done_tail = &a->done;
	a->working = 1;
	a->quota.elem = sizeof(struct ai_quota);
	a->pending.elem = sizeof(struct ai_pending);
	return ai_configure(a);
}

/* SIGHUP: new settings.  A new key, model or URL applies to the next
 * attempt; max_inflight only at a restart. */
static void ai_set_opts(struct ai *a, const struct ai_opts *o)
{
	if (!a)
		return;
	explicit_bzero(a->o.key, sizeof a->o.key);
	a->o = *o;
	int was = a->enabled;
	a->working = 1;
	a->last_error[0] = '\0';
	if (ai_configure(a) < 0)
		log_error("ai", "out of memory: the AI tutor is off");
	if (was != a->enabled)
		log_info("ai", "AI tutor %s after reload", a->enabled ? "on" : "off");
}

static void ai_job_free(struct ai_job *j)
{
	if (!j)
		return;
	free(j->prompt);
	buf_free(&j->body);
	buf_free(&j->text);
	free(j);
}

static void ai_free(struct ai *a)
{
	for (int i = 0; a->slots && i < a->nslots; i++) {
		ai_job_free(a->slots[i].job);
		http_close(&a->slots[i].conn);
	}
	free(a->slots);
	struct ai_job *lists[2] = {a->queue, a->done};
	for (int k = 0; k < 2; k++)
		for (struct ai_job *j = lists[k], *next; j; j = next) {
			next = j->next;
			ai_job_free(j);
		}
	while (a->lru_head)
		ai_cache_drop(a, a->lru_head);
	for (int i = 0; i < AI_MEMORY_USERS; i++)
		ai_mem_clear(&a->mem[i]);
	imap_free(&a->quota);
	imap_free(&a->pending);
	explicit_bzero(a->header, sizeof a->header);
	memset(a, 0, sizeof *a);
}

/* Health: the last real result was fine, or the tutor is off. */
static int ai_working(const struct ai *a)
{
	return !a || !a->o.key[0] || a->working;
}

static const char *ai_errstr(const struct ai *a)
{
	return a && a->last_error[0] ? a->last_error : "no error";
}

/* --- results ----------------------------------------------------------------------------- */

/* The text a student reads for a result.  md: the model's text (AI_OK,
 * AI_CUT); arg: seconds (AI_LIMITED) or the limit (AI_QUOTA); left: quota
 * left after this answer, -1 for no note. */
static void ai_compose(struct buf *out, int lang, enum ai_status st, const char *md, int arg, int per_day, int left)
{
	switch (st) {
	case AI_OK:
	case AI_CUT:
		if (md && *md)
			ai_md_to_html(md, strlen(md), out);
		if (st == AI_CUT)
			buf_puts(out, ai_t(lang, md && *md ? AT_CUT : AT_CUT_EMPTY));
		if (left >= 0 && left < AI_QUOTA_NOTE_AT)
			buf_printf(out, ai_t(lang, AT_LEFT), left);
		break;
	case AI_REFUSED: buf_puts(out, ai_t(lang, AT_REFUSED)); break;
	case AI_BUSY: buf_puts(out, ai_t(lang, AT_BUSY)); break;
	case AI_WAITING: buf_puts(out, ai_t(lang, AT_WAITING)); break;
	case AI_QUOTA: buf_printf(out, ai_t(lang, AT_QUOTA), arg); break;
	case AI_LIMITED:
		if (per_day)
			buf_puts(out, ai_t(lang, AT_LIMITED_DAY));
		else
			buf_printf(out, ai_t(lang, AT_LIMITED), arg < 1 ? 1 : arg);
		break;
	case AI_OFF: buf_puts(out, ai_t(lang, AT_OFF)); break;
	case AI_TOO_LONG: buf_printf(out, ai_t(lang, AT_TOO_LONG), arg); break;
	case AI_INTERRUPTED: buf_puts(out, ai_t(lang, AT_INTERRUPTED)); break;
	default: buf_puts(out, ai_t(lang, AT_ERROR)); break;
	}
}

static void ai_hand_over(struct ai *a, int64_t user, int64_t chat, enum ai_status st, const char *html, int cached,
                         int tokens, int64_t latency)
{
	struct ai_result res = {user, chat, st, html ? html : "", cached, tokens, latency};
	if (a->on_result)
		a->on_result(a->ctx, &res);
}

/* An immediate result of ai_submit (no request made). */
static enum ai_status ai_answer_now(struct ai *a, const struct ai_req *r, enum ai_status st, const char *md, int arg,
                                    int cached)
{
	struct buf html = BUF_INIT;
	ai_compose(&html, r->lang, st, md, arg, a->paused_day, -1);
	if (cached)
		log_info("ai", "user %" PRId64 ": answer from the cache, 0 ms, 0 tokens", r->user_id);
	else
		log_info("ai", "user %" PRId64 ": %s, no request made", r->user_id, ai_status_names[st]);
	ai_hand_over(a, r->user_id, r->chat_id, st, html.p, cached, 0, 0);
	buf_free(&html);
	return st;
}

/* --- submitting --------------------------------------------------------------------------- */

/* The request JSON: system instruction, the conversation so far, the new
 * user turn, generation settings.  0 or -1. */
static int ai_build_body(struct buf *out, int lang, const struct ai_mem *m, const char *prompt)
{
	struct json_w w;
	json_w_init(&w, out);
	json_w_obj_begin(&w);
	json_w_key(&w, "systemInstruction");
	json_w_obj_begin(&w);
	json_w_key(&w, "parts");
	json_w_arr_begin(&w);
	json_w_obj_begin(&w);
	json_w_kv_str(&w, "text", ai_system[lang == LANG_EN ? LANG_EN : LANG_RU]);
	json_w_obj_end(&w);
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	json_w_key(&w, "contents");
	json_w_arr_begin(&w);
	for (int i = 0; m && i <= m->n; i++) {
		for (int role = 0; role < 2; role++) {
			if (i == m->n && role == 1)
				break;
			json_w_obj_begin(&w);
			json_w_kv_str(&w, "role", role ? "model" : "user");
			json_w_key(&w, "parts");
			json_w_arr_begin(&w);
			json_w_obj_begin(&w);
			json_w_kv_str(&w, "text", i == m->n ? prompt : role ? m->a[i] : m->q[i]);
			json_w_obj_end(&w);
			json_w_arr_end(&w);
			json_w_obj_end(&w);
		}
	}
	if (!m) {
		json_w_obj_begin(&w);
		json_w_kv_str(&w, "role", "user");
		json_w_key(&w, "parts");
		json_w_arr_begin(&w);
		json_w_obj_begin(&w);
		json_w_kv_str(&w, "text", prompt);
		json_w_obj_end(&w);
		json_w_arr_end(&w);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	json_w_key(&w, "generationConfig");
	json_w_obj_begin(&w);
	json_w_key(&w, "temperature");
	json_w_val_raw(&w, AI_TEMPERATURE, strlen(AI_TEMPERATURE));
	json_w_kv_i64(&w, "maxOutputTokens", AI_MAX_OUTPUT_TOKENS);
	json_w_obj_end(&w);
	json_w_obj_end(&w);
	return json_w_finish(&w);
}

/* The user turn for a request. */
static int ai_build_prompt(struct buf *out, const struct ai_req *r)
{
	int l = r->lang;
	if (r->kind == AI_EXPLAIN) {
		buf_printf(out, ai_t(l, AT_P_EXPLAIN), r->task_text ? r->task_text : "", r->task_answer ? r->task_answer : "",
		           r->task_solution && *r->task_solution ? r->task_solution : "—");
		if (r->wrong && *r->wrong)
			buf_printf(out, ai_t(l, AT_P_WRONG), r->wrong);
		else
			buf_puts(out, ai_t(l, AT_P_RIGHT));
	} else if (r->task_text && *r->task_text) {
		buf_printf(out, ai_t(l, AT_P_HINT), r->task_text, r->text ? r->text : "");
	} else {
		buf_puts(out, r->text ? r->text : "");
	}
	return out->p ? 0 : -1;
}

static int ai_user_waiting(const struct ai *a, int64_t user)
{
	for (int i = 0; i < a->nslots; i++)
		if (a->slots[i].job && a->slots[i].job->user_id == user)
			return 1;
	for (const struct ai_job *j = a->queue; j; j = j->next)
		if (j->user_id == user)
			return 1;
	return 0;
}

static int ai_inflight(const struct ai *a)
{
	int n = 0;
	for (int i = 0; i < a->nslots; i++)
		n += a->slots[i].job != NULL;
	return n;
}

/* Ask the tutor.  Answers at once (on_result is called before this
 * returns) from the cache or with a refusal, or queues a request whose
 * answer ai_deliver() hands over later.  Call it inside the caller's
 * storage batch: the quota record goes there.  Returns the status of the
 * immediate answer, or AI_PENDING. */
static enum ai_status ai_submit(struct ai *a, const struct ai_req *r)
{
	if (!a || !a->enabled || !a->hc)
		return a ? ai_answer_now(a, r, AI_OFF, NULL, 0, 0) : AI_OFF;
	const char *q = r->kind == AI_ASK ? r->text : r->task_text;
	if (!q)
		q = "";
	if (r->kind == AI_ASK && utf16_len(q, strlen(q)) > AI_QUESTION_MAX)
		return ai_answer_now(a, r, AI_TOO_LONG, NULL, AI_QUESTION_MAX, 0);
	int today = ai_today(a);
	int64_t now = mono_ms();
	struct ai_mem *m = r->kind == AI_ASK ? ai_mem_find(a, r->user_id, today) : NULL;
	/* a follow-up depends on what came before: only context-free requests share answers */
	int cacheable = r->cache_key && r->cache_key[0] && !m;
	struct ai_cache_ent *hit = cacheable ? ai_cache_get(a, r->cache_key, wall_ms()) : NULL;
	if (hit) {
		a->cache_hits++;
		enum ai_status st = ai_answer_now(a, r, AI_OK, hit->text, 0, 1);
		struct buf p = BUF_INIT;
		if (ai_build_prompt(&p, r) == 0)
			ai_mem_push(a, r->user_id, p.p, hit->text, today);
		buf_free(&p);
		return st;
	}
	if (ai_user_waiting(a, r->user_id))
		return ai_answer_now(a, r, AI_WAITING, NULL, 0, 0);
	if (now < a->paused_until)
		return ai_answer_now(a, r, AI_LIMITED, NULL, (int)((a->paused_until - now + 999) / 1000), 0);
	if (!r->is_admin && ai_quota_used(a, r->user_id, today) >= a->o.daily_limit)
		return ai_answer_now(a, r, AI_QUOTA, NULL, a->o.daily_limit, 0);
	if (ai_inflight(a) + a->queued >= a->nslots + AI_QUEUE_MAX)
		return ai_answer_now(a, r, AI_BUSY, NULL, 0, 0);
	struct ai_job *j = calloc(1, sizeof *j);
	struct buf prompt = BUF_INIT;
	if (!j || ai_build_prompt(&prompt, r) < 0 || ai_build_body(&j->body, r->lang, m, prompt.p) < 0) {
		log_error("ai", "out of memory building a request for user %" PRId64, r->user_id);
		ai_job_free(j);
		buf_free(&prompt);
		return ai_answer_now(a, r, AI_ERROR, NULL, 0, 0);
	}
	j->prompt = prompt.p;
	j->user_id = r->user_id;
	j->chat_id = r->chat_id;
	j->lang = r->lang;
	j->is_admin = r->is_admin;
	if (cacheable)
		snprintf(j->key, sizeof j->key, "%s", r->cache_key);
	j->t_submit = now;
	j->deadline = now + (int64_t)a->o.timeout_s * 1000;
	j->next_try = now;
	j->typing_at = now;
	j->status = AI_PENDING;
	if (!r->is_admin) {
		ai_quota_add(a, r->user_id, 1, today);
		j->charged = 1;
	}
	*a->queue_tail = j;
	a->queue_tail = &j->next;
	a->queued++;
	a->requests++;
	const struct ai_pending *p = ai_pending_set(a, r->user_id, r->chat_id, r->lang, j->charged ? today : 0, 1);
	if (p)
		ai_save_pending(a, p, NULL, NULL); /* in the asking update's batch: durable with it */
	log_debug("ai", "user %" PRId64 " asks (%zu bytes, %s)", r->user_id, strlen(q), r->kind == AI_EXPLAIN ? "explain" : "ask");
	return AI_PENDING;
}

/* --- the AI lane ------------------------------------------------------------------------- */

/* A job is over: log it, park it for ai_deliver. */
static void ai_finish(struct ai *a, struct ai_job *j, enum ai_status st, const char *why)
{
	int64_t ms = mono_ms() - j->t_submit;
	j->status = st;
	if (st == AI_ERROR || st == AI_LIMITED)
		a->failures++;
	if (why && *why)
		log_info("ai", "user %" PRId64 ": %s, %" PRId64 " ms, %d tokens, %d attempt%s (%s)", j->user_id,
		         ai_status_names[st], ms, j->tokens, j->attempts, j->attempts == 1 ? "" : "s", why);
	else
		log_info("ai", "user %" PRId64 ": %s, %" PRId64 " ms, %d tokens, %d attempt%s", j->user_id,
		         ai_status_names[st], ms, j->tokens, j->attempts, j->attempts == 1 ? "" : "s");
	j->next = NULL;
	*a->done_tail = j;
	a->done_tail = &j->next;
	a->ndone++;
}

/* Milliseconds until Gemini's daily quotas reset: midnight Pacific time
 * (taken as UTC-8; in summer that is an hour late, which only errs on the
 * side of not calling). */
static int64_t ai_ms_to_gemini_midnight(int64_t now_wall)
{
	const int64_t day = 86400000, off = 8 * 3600000LL;
	int64_t local = now_wall - off;
	int64_t next = (local / day + 1) * day;
	return next - local;
}

/* Either try again after a backoff inside the job's deadline, or give up. */
static void ai_retry_or_fail(struct ai *a, struct ai_slot *s, const char *why, int64_t now)
{
	struct ai_job *j = s->job;
	int64_t backoff = (int64_t)AI_BACKOFF_MIN_MS << (j->attempts < 6 ? j->attempts - 1 : 5);
	if (now + backoff + 1000 < j->deadline) { /* a try needs at least a second */
		log_warn("ai", "user %" PRId64 ": attempt %d failed (%s); retrying in %" PRId64 " ms", j->user_id,
		         j->attempts, why, backoff);
		j->next_try = now + backoff;
		return;
	}
	ai_set_working(a, 0, why);
	s->job = NULL;
	ai_finish(a, j, AI_ERROR, why);
}

/* One HTTP attempt of the job on slot s is over (r: http_step's result). */
static void ai_attempt_done(struct ai *a, struct ai_slot *s, int r, int64_t now)
{
	struct ai_job *j = s->job;
	j->active = 0;
	if (r != HTTP_DONE) {
		char why[AI_ERR_LEN];
		snprintf(why, sizeof why, "%.150s", http_errstr(&s->conn));
		http_conn_drop(&s->conn);
		ai_retry_or_fail(a, s, why, now);
		return;
	}
	struct http_response *res = http_result(&s->conn);
	struct ai_parsed p;
	ai_parse_response(res->status, res->body.p, res->body.len, a->o.model, &p);
	j->tokens = p.tokens;
	if (p.status == AI_ERROR && p.retry) {
		ai_retry_or_fail(a, s, p.why, now);
		buf_free(&p.text);
		return;
	}
	if (p.status == AI_LIMITED) {
		int64_t pause = p.per_day ? ai_ms_to_gemini_midnight(wall_ms()) : (int64_t)p.pause_s * 1000;
		a->paused_until = now + pause;
		a->paused_day = p.per_day;
		j->pause_s = (int)((pause + 999) / 1000);
		j->per_day = p.per_day;
		log_warn("ai", "Gemini %s: no calls for %" PRId64 " s", p.why, (pause + 999) / 1000);
	} else if (p.config) {
		log_error("ai", "Gemini refuses our requests: %s. The AI tutor cannot answer until an admin fixes "
		                "the configuration (examflow check shows it).", p.why);
	}
	ai_set_working(a, p.status != AI_ERROR && p.status != AI_LIMITED, p.why);
	j->text = p.text;
	s->job = NULL;
	ai_finish(a, j, p.status, p.why);
}

/* Start the next attempt of s's job. */
static void ai_start_attempt(struct ai *a, struct ai_slot *s, int64_t now)
{
	struct ai_job *j = s->job;
	j->attempts++;
	j->active = 1;
	int r = http_start(&s->conn, a->hc, &a->base, "POST", a->path, a->header, j->body.p, j->body.len,
	                   (int)(j->deadline - now));
	if (r != HTTP_PENDING)
		ai_attempt_done(a, s, r, now);
}

/* Move queued jobs onto free connections; fail those that waited too long
 * or arrive during a 429 pause; start due retries. */
static void ai_pump(struct ai *a, int64_t now)
{
	for (int i = 0; i < a->nslots; i++) {
		struct ai_slot *s = &a->slots[i];
		if (!s->job && a->queue) {
			struct ai_job *j = a->queue;
			a->queue = j->next;
			if (!a->queue)
				a->queue_tail = &a->queue;
			a->queued--;
			j->next = NULL;
			s->job = j;
		}
		struct ai_job *j = s->job;
		if (!j || j->active || j->next_try > now)
			continue;
		if (now < a->paused_until) {
			j->pause_s = (int)((a->paused_until - now + 999) / 1000);
			j->per_day = a->paused_day;
			s->job = NULL;
			ai_finish(a, j, AI_LIMITED, "paused after a 429");
		} else if (now >= j->deadline) {
			s->job = NULL;
			ai_set_working(a, 0, "timeout");
			ai_finish(a, j, AI_ERROR, "timeout");
		} else {
			ai_start_attempt(a, s, now);
		}
		if (!s->job)
			i--; /* the slot is free again: give it the next queued job */
	}
}

/* Fill pfd (at most max entries) with the AI lane's sockets, start queued
 * work, and lower *wake to the lane's deadlines and timers.  Returns the
 * number of entries used. */
static int ai_want(struct ai *a, struct pollfd *pfd, int max, int64_t *wake)
{
	if (!a || !a->slots || !a->hc)
		return 0;
	int64_t now = mono_ms();
	ai_pump(a, now);
	a->npolled = 0;
	for (int i = 0; i < a->nslots; i++) {
		struct ai_slot *s = &a->slots[i];
		struct ai_job *j = s->job;
		if (!j)
			continue;
		int64_t due = j->active ? http_deadline(&s->conn) : j->next_try;
		if (j->typing_at < due)
			due = j->typing_at;
		if (due < *wake)
			*wake = due;
		if (j->active && a->npolled < max && a->npolled < AI_SLOTS_MAX && http_want(&s->conn, &pfd[a->npolled]) >= 0)
			a->polled[a->npolled++] = i;
	}
	for (struct ai_job *j = a->queue; j; j = j->next)
		if (j->typing_at < *wake)
			*wake = j->typing_at;
	if (a->ndone)
		*wake = now;
	return a->npolled;
}

static void ai_typing(struct ai *a, struct ai_job *j, int64_t now)
{
	if (now < j->typing_at)
		return;
	int ok = a->on_typing ? a->on_typing(a->typing_ctx, j->chat_id) : 0;
	j->typing_at = now + (ok == 0 ? AI_TYPING_EVERY_MS : AI_TYPING_RETRY_MS);
}

/* Advance the lane after poll(): pfd as filled by ai_want (NULL when poll
 * timed out), n its entries.  Also sends "typing…" and starts retries.
 * Returns how many results wait for ai_deliver(). */
static int ai_step(struct ai *a, const struct pollfd *pfd, int n, int64_t now)
{
	if (!a || !a->slots || !a->hc)
		return 0;
	short rev[AI_SLOTS_MAX] = {0};
	for (int k = 0; pfd && k < n && k < a->npolled; k++)
		rev[a->polled[k]] = pfd[k].revents;
	a->npolled = 0;
	for (int i = 0; i < a->nslots; i++) {
		struct ai_slot *s = &a->slots[i];
		if (!s->job || !s->job->active)
			continue;
		if (!rev[i] && now < http_deadline(&s->conn) && s->conn.result == HTTP_PENDING)
			continue;
		int r = http_step(&s->conn, rev[i], now);
		if (r != HTTP_PENDING)
			ai_attempt_done(a, s, r, now);
	}
	ai_pump(a, now);
	for (int i = 0; i < a->nslots; i++)
		if (a->slots[i].job)
			ai_typing(a, a->slots[i].job, now);
	for (struct ai_job *j = a->queue; j; j = j->next)
		ai_typing(a, j, now);
	return a->ndone;
}

/* Hand the finished jobs to on_result, and write their records (quota
 * given back for failures, the cache entry for answers) through emit.  Call
 * it inside a storage batch.  Returns how many were delivered. */
static int ai_deliver(struct ai *a)
{
	if (!a)
		return 0;
	int n = 0, today = ai_today(a);
	while (a->done) {
		struct ai_job *j = a->done;
		a->done = j->next;
		a->ndone--;
		const char *md = j->text.p ? j->text.p : "";
		if (j->charged && (j->status == AI_ERROR || j->status == AI_LIMITED))
			ai_quota_add(a, j->user_id, -1, today); /* our failure costs the student nothing */
		if (j->status == AI_OK && j->key[0]) {
			int64_t exp = wall_ms() + AI_CACHE_TTL_MS;
			if (ai_cache_put(a, j->key, exp, md, strlen(md)) == 0) {
				char e[24];
				snprintf(e, sizeof e, "%" PRId64, exp);
				const char *f[] = {j->key, e, md};
				ai_emit(a, "aic", 3, f);
			}
		}
		if ((j->status == AI_OK || j->status == AI_CUT) && *md)
			ai_mem_push(a, j->user_id, j->prompt, md, today);
		const struct ai_pending *p = ai_pending_set(a, j->user_id, j->chat_id, j->lang, 0, 0);
		if (p)
			ai_save_pending(a, p, NULL, NULL); /* answered: in the same batch as the answer */
		int left = j->is_admin ? -1 : a->o.daily_limit - ai_quota_used(a, j->user_id, today);
		struct buf html = BUF_INIT;
		ai_compose(&html, j->lang, j->status, md, j->pause_s, j->per_day, left);
		int64_t latency = mono_ms() - j->t_submit;
		if (j->status == AI_OK || j->status == AI_CUT) {
			a->latency_ms_sum += latency;
			a->latency_count++;
		}
		ai_hand_over(a, j->user_id, j->chat_id, j->status, html.p, 0, j->tokens, latency);
		buf_free(&html);
		ai_job_free(j);
		n++;
	}
	a->done_tail = &a->done;
	return n;
}

/* A tutor with options o whose results and records go to the caller's
 * on_result and emit (NULL when out of memory: logged, the caller then
 * behaves as without a key). */
static struct ai *ai_new(const struct ai_opts *o, void (*on_result)(void *ctx, const struct ai_result *r),
                         ai_emit_fn emit, void *ctx)
{
	struct ai *a = malloc(sizeof *a);
	if (!a || ai_init(a, o, NULL) < 0) {
		if (a)
			ai_free(a);
		free(a);
		log_error("ai", "out of memory: the AI tutor is off");
		return NULL;
	}
	a->on_result = on_result;
	a->emit = emit;
	a->ctx = ctx;
	return a;
}

/* The engine's HTTP client and its "typing…" sender; NULLs detach. */
static void ai_attach(struct ai *a, struct http_client *hc, int (*on_typing)(void *, int64_t), void *typing_ctx)
{
	if (!a)
		return;
	a->hc = hc;
	a->on_typing = on_typing;
	a->typing_ctx = typing_ctx;
	if (a->enabled && hc)
		log_info("ai", "AI tutor on: model %s, %d connections, %d questions per student per day", a->o.model,
		         a->nslots, a->o.daily_limit);
}

static void ai_delete(struct ai *a)
{
	if (a) {
		ai_free(a);
		free(a);
	}
}

/* Is the tutor there to answer (on, and connected to the network)? */
static int ai_on(const struct ai *a)
{
	return a && a->enabled && a->hc;
}

/* After a restart, inside a batch: every question the last run accepted
 * and never answered gets a result telling the student to ask again, and
 * its quota back (when it was counted today).  Returns how many. */
static int ai_recover(struct ai *a)
{
	if (!a)
		return 0;
	int n = 0, today = ai_today(a);
	for (size_t i = 0; i < a->pending.cap; i++) {
		struct ai_pending *p = imap_at(&a->pending, i);
		if (!p || !p->open)
			continue;
		if (p->charged_day == today)
			ai_quota_add(a, p->user, -1, today);
		struct buf html = BUF_INIT;
		ai_compose(&html, p->lang, AI_INTERRUPTED, NULL, 0, 0, -1);
		ai_hand_over(a, p->user, p->chat, AI_INTERRUPTED, html.p, 0, 0, 0);
		buf_free(&html);
		p->open = 0;
		ai_save_pending(a, p, NULL, NULL);
		n++;
	}
	if (n)
		log_info("ai", "%d question%s interrupted by the restart: the students are asked to ask again", n,
		         n == 1 ? " was" : "s were");
	return n;
}

/* --- examflow check ------------------------------------------------------------------------ */

/* One blocking generateContent with a tiny prompt.  line gets one line for
 * the admin ("gemini: ok ...", "gemini: HTTP 404: model ... not found",
 * ...).  Returns EXIT_OK, EXIT_CONFIG (key or model wrong, bad URL) or
 * EXIT_FAIL (network, quota, server trouble). */
static int ai_check(const struct ai_opts *o, const char *ca_file, char *line, size_t len)
{
	if (!o->key[0]) {
		snprintf(line, len, "gemini: gemini_key not set (AI tutor off)");
		return EXIT_OK;
	}
	struct http_url u;
	if (http_url_parse(o->api, &u) < 0) {
		snprintf(line, len, "gemini: gemini_api is not an http(s):// URL");
		return EXIT_CONFIG;
	}
	struct http_client hc;
	if (http_client_init(&hc, ca_file && *ca_file ? ca_file : NULL) < 0 && u.tls) {
		snprintf(line, len, "gemini: no trusted CA certificates loaded (set ca_file)");
		return EXIT_CONFIG;
	}
	char url[512], header[192];
	size_t al = strlen(o->api);
	const char *model = ai_model_name(o);
	snprintf(url, sizeof url, "%.*s/v1beta/models/%.63s:generateContent",
	         (int)(al && o->api[al - 1] == '/' ? al - 1 : al) & 255, o->api, model);
	snprintf(header, sizeof header, "x-goog-api-key: %s\r\n", o->key);
	static const char body[] = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"Say OK.\"}]}],"
	                           "\"generationConfig\":{\"maxOutputTokens\":16}}";
	struct http_response res;
	char err[HTTP_ERR_LEN];
	int r = http_request_sync(&hc, "POST", url, header, body, sizeof body - 1, 20000, &res, err, sizeof err);
	explicit_bzero(header, sizeof header);
	int rc = EXIT_FAIL;
	if (r != HTTP_DONE) {
		snprintf(line, len, "gemini: %.200s", err); /* it names host:port */
		rc = r == HTTP_ERR_TLS ? EXIT_CONFIG : EXIT_FAIL;
	} else if (res.status == 200) {
		snprintf(line, len, "gemini: ok, model %.63s answers (%.100s:%.7s)", o->model, u.host, u.port);
		rc = EXIT_OK;
	} else {
		struct ai_parsed p;
		ai_parse_response(res.status, res.body.p, res.body.len, o->model, &p);
		snprintf(line, len, "gemini: %s", p.why);
		rc = p.config ? EXIT_CONFIG : EXIT_FAIL;
		buf_free(&p.text);
	}
	http_response_free(&res);
	http_client_free(&hc);
	return rc;
}

/* ==========================================================================
 * 9. Status and health: one status type, /health, /metrics, UptimeRobot, log rotation
 * ==========================================================================
 * Four small services for whoever operates the bot.  None of them may
 * stall the bot, so none of them blocks the worker:
 *
 *   - health_listen: a minimal HTTP/1.1 server inside the worker's poll()
 *     loop.  GET /health answers 200 or 503 with the health file's JSON as
 *     the worker sees itself; GET /metrics answers Prometheus text; any
 *     other path 404.  One request per connection, HEALTH_MAX_CLIENTS at
 *     once, a bounded request head, and a deadline for each connection: a
 *     slow or hostile client costs one slot for a few seconds, never the loop.
 *   - the UptimeRobot heartbeat: after a successful getUpdates, at most
 *     every check_interval, one GET of uptimerobot_heartbeat_url on a
 *     connection of its own, so the monitor shows polling health, not just
 *     a live process.  The URL is a secret: it is never logged (HTTP errors
 *     name host:port only).
 *   - log rotation by size (log_max_mb, log_keep): one fstat every few
 *     seconds; a log file renamed by someone else (logrotate) is followed.
 *   - `examflow uptime`: the account's monitors through UptimeRobot's API v2
 *     getMonitors, cached next to the health file so that repeated calls
 *     respect the free plan's 10 requests a minute.
 *
 * The section knows nothing of the engine: what it reports arrives through
 * struct health_metrics (one struct status plus counters), filled by the
 * caller's callback only when a request needs it; the engine (section 11)
 * lends it pollfds through health_want / health_step.  The status type and
 * its JSON writer at the top of the section are also the watchdog's: the
 * health file and GET /health are the same JSON.
 *
 * Error idiom: nothing here fails the caller.  A broken client is closed, a
 * failed heartbeat is counted and logged once per change, a listener that
 * cannot bind is logged and retried.  health_init returns 0 or -1 (logged);
 * the uptime command returns an exit code.
 */

#define HEALTH_MAX_CLIENTS 8             /* served at once; a monitor or Prometheus needs 1 */
#define HEALTH_MAX_REQUEST 2048          /* bytes of one request head; curl's and Prometheus' are < 300 */
#define HEALTH_READ_MS 3000              /* the whole request head must arrive within this (slowloris) */
#define HEALTH_WRITE_MS 5000             /* ... and the answer be taken within this */
#define HEALTH_LINGER_MS 1000            /* leftovers read after the answer, so close() sends no RST over it */
#define HEALTH_ACCEPTS_PER_STEP 16       /* then back to the bot: a connect flood cannot starve it */
#define HEALTH_BACKLOG 16                /* the kernel queues this many beyond our slots */
#define HEALTH_POLLFDS (2 + HEALTH_MAX_CLIENTS) /* listener + clients + the heartbeat connection */
#define HEALTH_RETRY_LISTEN_MS 10000     /* a port still taken at start-up is tried again this often */
#define HEALTH_PING_TIMEOUT_MS 10000     /* a heartbeat slower than this counts as failed */
#define HEALTH_PING_MAX_BODY (64 * 1024) /* UptimeRobot answers a few bytes */
#define HEALTH_ROTATE_CHECK_MS 5000      /* one fstat per 5 s; a log outgrowing its cap by much in 5 s is a bug */
#define HEALTH_UPTIME_TTL_MS 60000       /* getMonitors answers reused for a minute: 10 requests/min on the free plan */
#define HEALTH_UPTIME_TIMEOUT_MS 15000   /* one getMonitors, connect and TLS included */
#define HEALTH_UPTIME_MAX_BODY (1 << 20) /* 50 monitors with every field are ~50 KiB */
#define HEALTH_UPTIME_TOKENS 20000       /* ~40 tokens per monitor */
#define HEALTH_UPTIME_MONITORS 50        /* one getMonitors page (its maximum) */
#define HEALTH_NAME_LEN 128              /* a monitor's friendly name, cut on a UTF-8 boundary */
#define HEALTH_CAUSE_LEN 160


/* --- the worker's status: one type, one JSON writer -------------------------------
 *
 * The worker fills a struct status; the watchdog gets it over the pipe and
 * writes the health file with status_json(), and GET /health answers with
 * the same writer, so the file and the endpoint are the same JSON.
 */

#define STATUS_ERRORS 4                /* a snapshot names the current problems, not a history */
#define STATUS_ERROR_LEN 120           /* bytes per error; 4 x 120 x 6 (worst escaping) + fields < PIPE_BUF */

struct status {
	int bot_online;          /* polling is running: token accepted, no other copy (409) */
	int api_responsive;      /* a Telegram call succeeded recently */
	int database_connected;  /* the last storage commit succeeded */
	int ai_working;          /* the last AI call succeeded, or the tutor is off */
	int64_t last_update_at;  /* wall ms of the last update received; 0: none yet */
	int64_t queue_depth;     /* replies waiting in the outbox */
	int nerrors;
	char errors[STATUS_ERRORS][STATUS_ERROR_LEN]; /* short sentences, NUL-terminated or full */
};

/* Who reports: the health file's fields that are not the worker's view. */
struct status_who {
	int64_t pid;             /* the watchdog's (or the lone worker's) */
	int64_t worker_pid;      /* 0: no worker (null) */
	int64_t uptime_s, restarts;
	const char *restart_cause; /* NULL or "": null */
	const char *reason;      /* the reporter's own error, listed first; NULL or "": none */
};

static int status_healthy(const struct status *st)
{
	return st->bot_online && st->api_responsive && st->database_connected && st->ai_working;
}

/* Append one error (control characters become spaces; a cut never splits
 * a UTF-8 sequence).  Past STATUS_ERRORS it is left out. */
static void status_add_error(struct status *st, const char *text, size_t n)
{
	if (st->nerrors >= STATUS_ERRORS || !n)
		return;
	/* redacted before it is cut, like a log line: an upstream that echoes
	 * the request (a proxy, a self-hosted server) may quote a secret */
	char *copy = strndup(text, n);
	if (copy)
		redact(copy);
	utf8_copy_line(st->errors[st->nerrors++], STATUS_ERROR_LEN, copy ? copy : "(error text lost: out of memory)",
	               copy ? strlen(copy) : 32);
	free(copy);
}

/* The health file's JSON (see the README for each field), one line. */
static int status_json(const struct status *st, const struct status_who *who, struct buf *b)
{
	char ts[40];
	struct json_w j;
	json_w_init(&j, b);
	iso8601_utc(ts, sizeof ts, wall_ms());
	json_w_obj_begin(&j);
	json_w_kv_str(&j, "timestamp", ts);
	json_w_kv_bool(&j, "bot_online", st->bot_online);
	json_w_kv_bool(&j, "api_responsive", st->api_responsive);
	json_w_kv_bool(&j, "database_connected", st->database_connected);
	json_w_kv_bool(&j, "ai_working", st->ai_working);
	json_w_kv_bool(&j, "overall_healthy", status_healthy(st));
	json_w_key(&j, "errors");
	json_w_arr_begin(&j);
	if (who->reason && who->reason[0])
		json_w_val_str(&j, who->reason);
	for (int i = 0; i < st->nerrors && i < STATUS_ERRORS; i++)
		json_w_val_strn(&j, st->errors[i], strnlen(st->errors[i], STATUS_ERROR_LEN));
	json_w_arr_end(&j);
	json_w_kv_str(&j, "version", EXAMFLOW_VERSION);
	json_w_kv_i64(&j, "pid", who->pid);
	json_w_key(&j, "worker_pid");
	if (who->worker_pid)
		json_w_val_i64(&j, who->worker_pid);
	else
		json_w_val_null(&j);
	json_w_kv_i64(&j, "uptime_s", who->uptime_s > 0 ? who->uptime_s : 0);
	json_w_kv_i64(&j, "restarts", who->restarts);
	json_w_key(&j, "last_restart_cause");
	if (who->restart_cause && who->restart_cause[0])
		json_w_val_str(&j, who->restart_cause);
	else
		json_w_val_null(&j);
	json_w_key(&j, "last_update_at");
	if (st->last_update_at > 0) {
		iso8601_utc(ts, sizeof ts, st->last_update_at);
		json_w_val_str(&j, ts);
	} else {
		json_w_val_null(&j);
	}
	json_w_kv_i64(&j, "queue_depth", st->queue_depth);
	json_w_obj_end(&j);
	return json_w_finish(&j) < 0 || buf_putc(b, '\n') < 0 ? -1 : 0;
}

/* --- what the worker reports ----------------------------------------------------- */

enum health_err_kind { HEALTH_ERR_TELEGRAM, HEALTH_ERR_STORAGE, HEALTH_ERR_AI, HEALTH_ERR_KINDS };
static const char *const health_err_kinds[HEALTH_ERR_KINDS] = {"telegram", "storage", "ai"};

/* Everything /health and /metrics show about the bot.  Filled by the
 * caller's callback, only when a request needs it. */
struct health_metrics {
	struct status st;             /* the health file's fields, as the worker sees itself */
	int supervised;               /* a watchdog is our parent: "pid" is its pid */
	/* counters since this worker started */
	int64_t updates, replies_sent, replies_dropped, n429;
	int64_t errors_by_kind[HEALTH_ERR_KINDS];
	int64_t ai_calls;             /* requests sent to Gemini (cache hits are not calls) */
	int64_t ai_latency_ms_sum, ai_latency_count; /* answers timed so far */
	/* gauges */
	int64_t storage_bytes;         /* the outbox depth is st.queue_depth */
};

typedef void (*health_fill_fn)(void *ctx, struct health_metrics *m);

/* --- state ---------------------------------------------------------------------- */

enum { HEALTH_C_FREE, HEALTH_C_READ, HEALTH_C_WRITE, HEALTH_C_LINGER };
enum { HEALTH_PFD_LISTEN = -1, HEALTH_PFD_PING = -2 };

/* One connection to the listener: read one request head, answer, close. */
struct health_client {
	int fd;                       /* -1: a free slot */
	int state;                    /* HEALTH_C_* */
	int64_t deadline;             /* mono ms: the connection is closed when it passes */
	size_t inlen;
	char in[HEALTH_MAX_REQUEST];
	struct buf out;               /* the answer, head and body */
	size_t outoff;
};

/* Log rotation's state: one per process that writes the log. */
struct health_logrot {
	int64_t next_check;           /* mono ms */
	int64_t rotations;
	int failing;                  /* the last rotation failed: logged once */
};

/* Statuses we answer, and how often, for /metrics.  A table, not a switch. */
static const struct { int code; const char *text; } health_statuses[] = {
	{200, "OK"}, {400, "Bad Request"}, {404, "Not Found"}, {405, "Method Not Allowed"},
	{408, "Request Timeout"}, {431, "Request Header Fields Too Large"}, {500, "Internal Server Error"},
	{503, "Service Unavailable"},
};
#define HEALTH_NSTATUS ((int)(sizeof health_statuses / sizeof health_statuses[0]))

/* The section's settings; health_opts_init() fills them from a
 * configuration.  SIGHUP hands a new set to health_set_opts() (the listen
 * address only changes at a restart). */
struct health_opts {
	char listen[64];              /* host:port for /health and /metrics; "" off */
	char heartbeat_url[256];      /* UptimeRobot heartbeat: a secret; "" off */
	int64_t check_interval_ms;    /* heartbeat pace */
	int64_t log_max_bytes;        /* rotate the log at this size; 0 never */
	int log_keep;                 /* rotated files kept */
};

static void health_opts_init(struct health_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	snprintf(o->listen, sizeof o->listen, "%s", c->health_listen);
	snprintf(o->heartbeat_url, sizeof o->heartbeat_url, "%s", c->uptimerobot_heartbeat_url);
	o->check_interval_ms = (int64_t)c->check_interval * 1000;
	o->log_max_bytes = (int64_t)c->log_max_mb * 1024 * 1024;
	o->log_keep = c->log_keep;
}

/* The section's whole state.  One instance, owned by the engine (health_new)
 * or by a test. */
struct health {
	struct health_opts o;
	int lfd;                      /* listening socket; -1 when off or not bound yet */
	char addr[64];                /* health_listen, "" when off */
	int64_t listen_retry_at;      /* mono ms; after a failed bind */
	struct health_client cl[HEALTH_MAX_CLIENTS];
	int polled[HEALTH_POLLFDS];   /* health_want: pfd k is client polled[k] or HEALTH_PFD_* */
	int npolled;
	int64_t responses[HEALTH_NSTATUS];
	int64_t busy_refused;         /* connections turned away at the client cap */
	/* the heartbeat */
	struct http_conn ping;
	int pinging;                  /* a ping is on the wire */
	int64_t next_ping;            /* mono ms: no ping before this */
	int64_t pings_ok, pings_failed;
	int ping_failing, ping_bad_url; /* logged once per change */
	/* who we are, for /health ("restarts" etc. come from the watchdog's environment) */
	int64_t started_mono, started_wall, watchdog_started_wall;
	int64_t restarts;
	char restart_cause[HEALTH_CAUSE_LEN];
	struct health_logrot rot;
};

/* --- the listener ---------------------------------------------------------------- */

/* Split "host:port" ("[v6]:port", ":port" or "*:port" for any address). */
static int health_split_addr(const char *addr, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon = strrchr(addr, ':');
	if (!colon || !colon[1] || strlen(colon + 1) >= plen)
		return -1;
	size_t n = (size_t)(colon - addr);
	const char *h = addr;
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']')
		h++, n -= 2;
	if (n >= hlen)
		return -1;
	memcpy(host, h, n);
	host[n] = '\0';
	if (strcmp(host, "*") == 0)
		host[0] = '\0';
	snprintf(port, plen, "%s", colon + 1);
	return 0;
}

/* Bind and listen on h->addr.  0, or -1 (logged once per failure streak). */
static int health_listen_open(struct health *h, int64_t now)
{
	char host[64], port[16];
	if (health_split_addr(h->addr, host, sizeof host, port, sizeof port) < 0) {
		log_error("health", "health_listen \"%s\" is not host:port; the endpoint is off", h->addr);
		h->addr[0] = '\0';
		return -1;
	}
	struct addrinfo hints, *res = NULL;
	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	int gai = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (gai != 0) {
		log_error("health", "health_listen %s: %s; the endpoint is off", h->addr, gai_strerror(gai));
		h->addr[0] = '\0';
		return -1;
	}
	int err = 0;
	for (struct addrinfo *a = res; a && h->lfd < 0; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); /* a restarted worker meets TIME_WAIT */
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, HEALTH_BACKLOG) == 0) {
			h->lfd = fd;
		} else {
			err = errno;
			close(fd);
		}
	}
	freeaddrinfo(res);
	if (h->lfd < 0) {
		if (!h->listen_retry_at)
			log_error("health", "cannot listen on %s: %s; trying again every %d s", h->addr, strerror(err),
			          HEALTH_RETRY_LISTEN_MS / 1000);
		h->listen_retry_at = now + HEALTH_RETRY_LISTEN_MS;
		return -1;
	}
	log_info("health", "listening on %s (GET /health, GET /metrics)", h->addr);
	h->listen_retry_at = 0;
	return 0;
}

/* The port actually bound (health_listen = 127.0.0.1:0 in tests); 0 when off. */
TEST_API static int health_port(const struct health *h)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (h->lfd < 0 || getsockname(h->lfd, (struct sockaddr *)&ss, &len) < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static void health_env_i64(const char *name, int64_t *out)
{
	const char *v = getenv(name);
	char *end;
	if (v && *v) {
		long long n = strtoll(v, &end, 10);
		if (!*end && n >= 0)
			*out = n;
	}
}

/* Set up h.  listen_addr "" or NULL: no endpoint.  0, or -1 when the address
 * is unusable (logged; everything else still works, and a port that is merely
 * taken is retried later). */
static int health_init(struct health *h, const struct health_opts *o)
{
	const char *listen_addr = o->listen;
	memset(h, 0, sizeof *h);
	h->o = *o;
	h->lfd = -1;
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++)
		h->cl[i].fd = -1;
	http_conn_init(&h->ping);
	http_set_max_body(&h->ping, HEALTH_PING_MAX_BODY);
	int64_t now = mono_ms();
	h->started_mono = now;
	h->started_wall = wall_ms();
	/* Set by the watchdog for its worker (wd_child); absent
	 * under --no-watchdog, where this worker is all there is. */
	h->watchdog_started_wall = h->started_wall;
	health_env_i64("EXAMFLOW_WATCHDOG_STARTED", &h->watchdog_started_wall);
	health_env_i64("EXAMFLOW_RESTARTS", &h->restarts);
	const char *cause = getenv("EXAMFLOW_RESTART_CAUSE");
	snprintf(h->restart_cause, sizeof h->restart_cause, "%s", cause ? cause : "");
	if (!listen_addr || !*listen_addr)
		return 0;
	snprintf(h->addr, sizeof h->addr, "%s", listen_addr);
	if (health_listen_open(h, now) < 0)
		return h->addr[0] ? 0 : -1; /* still set: only the port was taken, retried later */
	return 0;
}

/* SIGHUP: new heartbeat URL, pace and log limits; the listen address
 * changes only at a restart (the socket is bound). */
static void health_set_opts(struct health *h, const struct health_opts *o)
{
	if (strcmp(o->listen, h->o.listen) != 0)
		log_warn("health", "health_listen changed; it takes effect at the next restart");
	char listen[sizeof h->o.listen];
	snprintf(listen, sizeof listen, "%s", h->o.listen);
	explicit_bzero(h->o.heartbeat_url, sizeof h->o.heartbeat_url);
	h->o = *o;
	snprintf(h->o.listen, sizeof h->o.listen, "%s", listen);
}

static void health_client_close(struct health_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->state = HEALTH_C_FREE;
	c->inlen = 0;
	c->outoff = 0;
	buf_free(&c->out);
}

static void health_free(struct health *h)
{
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++)
		health_client_close(&h->cl[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	h->lfd = -1;
	http_close(&h->ping);
	h->pinging = 0;
}

static void health_count(struct health *h, int code)
{
	for (int i = 0; i < HEALTH_NSTATUS; i++)
		if (health_statuses[i].code == code)
			h->responses[i]++;
}

static const char *health_status_text(int code)
{
	for (int i = 0; i < HEALTH_NSTATUS; i++)
		if (health_statuses[i].code == code)
			return health_statuses[i].text;
	return "Unknown";
}

/* Put a whole answer into c->out.  head_only: HEAD (no body). */
static int health_respond(struct health *h, struct health_client *c, int code, const char *ctype, const char *body,
                          size_t len, int head_only)
{
	health_count(h, code);
	buf_reset(&c->out);
	c->outoff = 0;
	int rc = buf_printf(&c->out,
	                    "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
	                    "Connection: close\r\n%s\r\n",
	                    code, health_status_text(code), ctype, len, code == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (rc == 0 && !head_only && len)
		rc = buf_append(&c->out, body, len);
	return rc;
}

/* A short answer for a connection we will not serve, sent best effort in one
 * non-blocking send (no slot is spent on it).  What the client already sent
 * is read first: close() over unread bytes would send a RST, and a RST can
 * overtake the answer. */
static void health_send_once(int fd, int code, const char *text)
{
	char msg[256], sink[HEALTH_MAX_REQUEST];
	for (int k = 0; k < 8 && recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0; k++)
		; /* a request head fits in one read; a flood is cut after 8 */
	int n = snprintf(msg, sizeof msg,
	                 "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
	                 code, health_status_text(code), strlen(text), text);
	if (n > 0 && send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the client is gone or its window is full: nothing to do */
	}
}

/* --- the two pages ----------------------------------------------------------------- */

/* The health file's JSON as the worker sees itself.  Returns 200 when
 * everything is healthy, else 503. */
static int health_page_health(const struct health *h, const struct health_metrics *m, int64_t now, struct buf *b)
{
	int64_t up_ms = m->supervised ? wall_ms() - h->watchdog_started_wall : now - h->started_mono;
	struct status_who who = {m->supervised ? getppid() : getpid(), getpid(), up_ms / 1000, h->restarts,
	                         h->restart_cause, NULL};
	if (status_json(&m->st, &who, b) < 0)
		return 500;
	return status_healthy(&m->st) ? 200 : 503;
}
/* Prometheus text exposition format 0.0.4: "# HELP", "# TYPE", then samples. */
static void health_prom_head(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void health_prom_val(struct buf *b, const char *name, const char *labels, int64_t v)
{
	buf_printf(b, "%s%s%s%s %" PRId64 "\n", name, labels ? "{" : "", labels ? labels : "", labels ? "}" : "", v);
}

/* The plain counters and gauges of struct health_metrics, as a table. */
static const struct {
	const char *name, *type, *help;
	size_t off;
} health_prom_fields[] = {
	{"examflow_updates_received_total", "counter", "Telegram updates handled by this worker.",
	 offsetof(struct health_metrics, updates)},
	{"examflow_replies_sent_total", "counter", "Replies Telegram accepted.", offsetof(struct health_metrics, replies_sent)},
	{"examflow_replies_dropped_total", "counter", "Replies given up on (refused by Telegram or too many failures).",
	 offsetof(struct health_metrics, replies_dropped)},
	{"examflow_telegram_429_total", "counter", "Telegram flood-control answers (429).",
	 offsetof(struct health_metrics, n429)},
	{"examflow_ai_calls_total", "counter", "AI tutor requests sent to Gemini.", offsetof(struct health_metrics, ai_calls)},
	{"examflow_outbox_depth", "gauge", "Replies waiting to be sent.", offsetof(struct health_metrics, st.queue_depth)},
	{"examflow_storage_bytes", "gauge", "Bytes of events.log and snapshot in data_dir.",
	 offsetof(struct health_metrics, storage_bytes)},
};

static int health_page_metrics(const struct health *h, const struct health_metrics *m, int64_t now, struct buf *b)
{
	char lab[96];
	health_prom_head(b, "examflow_build_info", "gauge", "Always 1; the version is a label.");
	snprintf(lab, sizeof lab, "version=\"%s\"", EXAMFLOW_VERSION);
	health_prom_val(b, "examflow_build_info", lab, 1);
	health_prom_head(b, "examflow_health_check", "gauge", "1 when the check passes (the health file's fields).");
	static const char *const checks[] = {"bot_online", "api_responsive", "database_connected", "ai_working",
	                                     "overall_healthy"};
	int vals[] = {m->st.bot_online, m->st.api_responsive, m->st.database_connected, m->st.ai_working,
	              status_healthy(&m->st)};
	for (int i = 0; i < 5; i++) {
		snprintf(lab, sizeof lab, "check=\"%s\"", checks[i]);
		health_prom_val(b, "examflow_health_check", lab, vals[i] ? 1 : 0);
	}
	for (size_t i = 0; i < sizeof health_prom_fields / sizeof health_prom_fields[0]; i++) {
		health_prom_head(b, health_prom_fields[i].name, health_prom_fields[i].type, health_prom_fields[i].help);
		int64_t v;
		memcpy(&v, (const char *)m + health_prom_fields[i].off, sizeof v);
		health_prom_val(b, health_prom_fields[i].name, NULL, v);
	}
	health_prom_head(b, "examflow_errors_total", "counter", "Failures by kind (heartbeat: UptimeRobot pings).");
	for (int k = 0; k < HEALTH_ERR_KINDS; k++) {
		snprintf(lab, sizeof lab, "kind=\"%s\"", health_err_kinds[k]);
		health_prom_val(b, "examflow_errors_total", lab, m->errors_by_kind[k]);
	}
	health_prom_val(b, "examflow_errors_total", "kind=\"heartbeat\"", h->pings_failed);
	health_prom_head(b, "examflow_ai_latency_seconds", "summary", "Time from a question to the AI tutor's answer.");
	buf_printf(b, "examflow_ai_latency_seconds_sum %.3f\n", (double)m->ai_latency_ms_sum / 1000.0);
	health_prom_val(b, "examflow_ai_latency_seconds_count", NULL, m->ai_latency_count);
	health_prom_head(b, "examflow_heartbeat_pings_total", "counter", "UptimeRobot heartbeat pings by result.");
	health_prom_val(b, "examflow_heartbeat_pings_total", "result=\"ok\"", h->pings_ok);
	health_prom_val(b, "examflow_heartbeat_pings_total", "result=\"failed\"", h->pings_failed);
	health_prom_head(b, "examflow_worker_restarts_total", "counter", "Worker restarts since the watchdog started.");
	health_prom_val(b, "examflow_worker_restarts_total", NULL, h->restarts);
	health_prom_head(b, "examflow_uptime_seconds", "gauge", "Seconds since this worker started.");
	health_prom_val(b, "examflow_uptime_seconds", NULL, (now - h->started_mono) / 1000);
	health_prom_head(b, "examflow_last_update_timestamp_seconds", "gauge",
	                 "Unix time of the last Telegram update received (0: none yet).");
	health_prom_val(b, "examflow_last_update_timestamp_seconds", NULL, m->st.last_update_at / 1000);
	health_prom_head(b, "examflow_log_rotations_total", "counter", "Log files rotated by size.");
	health_prom_val(b, "examflow_log_rotations_total", NULL, h->rot.rotations);
	health_prom_head(b, "examflow_health_responses_total", "counter", "Answers of this endpoint by HTTP status.");
	for (int i = 0; i < HEALTH_NSTATUS; i++) {
		snprintf(lab, sizeof lab, "code=\"%d\"", health_statuses[i].code);
		health_prom_val(b, "examflow_health_responses_total", lab, h->responses[i]);
	}
	health_prom_head(b, "examflow_health_busy_total", "counter", "Connections turned away at the client cap.");
	health_prom_val(b, "examflow_health_busy_total", NULL, h->busy_refused);
	return 200;
}

/* Pages by path.  The build functions return the HTTP status. */
static const struct {
	const char *path;
	const char *ctype;
	int (*build)(const struct health *h, const struct health_metrics *m, int64_t now, struct buf *b);
} health_routes[] = {
	{"/health", "application/json", health_page_health},
	{"/metrics", "text/plain; version=0.0.4; charset=utf-8", health_page_metrics},
};

/* The metrics, fetched from the caller at most once per health_step. */
struct health_lazy {
	health_fill_fn fill;
	void *ctx;
	int have;
	struct health_metrics m;
};

static const struct health_metrics *health_lazy_get(struct health_lazy *z)
{
	if (!z->have) {
		memset(&z->m, 0, sizeof z->m);
		if (z->fill)
			z->fill(z->ctx, &z->m);
		z->have = 1;
	}
	return &z->m;
}

/* Where the request head ends (just past the blank line), 0 if not yet. */
static size_t health_head_end(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '\n' && s[i + 1] == '\n')
			return i + 2;
		if (i + 3 < n && s[i] == '\r' && s[i + 1] == '\n' && s[i + 2] == '\r' && s[i + 3] == '\n')
			return i + 4;
	}
	return 0;
}

/* A whole request head is in c->in: decide and build the answer. */
static void health_answer(struct health *h, struct health_client *c, struct health_lazy *z, int64_t now)
{
	static const char text_plain[] = "text/plain; charset=utf-8";
	char method[16], target[256], version[16];
	/* c->in holds the blank line that ended the head (so strcspn stops
	 * inside it) and no NUL (refused on receipt) */
	size_t line = strcspn(c->in, "\r\n");
	char first[sizeof method + sizeof target + sizeof version + 4];
	int ok = line < sizeof first;
	if (ok) {
		memcpy(first, c->in, line);
		first[line] = '\0';
		char extra;
		ok = sscanf(first, "%15s %255s %15s %c", method, target, version, &extra) == 3 &&
		     strncmp(version, "HTTP/1.", 7) == 0 && target[0] == '/';
	}
	if (!ok) {
		health_respond(h, c, 400, text_plain, "bad request\n", 12, 0);
		return;
	}
	int head = strcmp(method, "HEAD") == 0;
	if (!head && strcmp(method, "GET") != 0) {
		health_respond(h, c, 405, text_plain, "only GET and HEAD\n", 18, 0);
		return;
	}
	target[strcspn(target, "?#")] = '\0';
	for (size_t i = 0; i < sizeof health_routes / sizeof health_routes[0]; i++) {
		if (strcmp(target, health_routes[i].path) != 0)
			continue;
		struct buf body = BUF_INIT;
		int code = health_routes[i].build(h, health_lazy_get(z), now, &body);
		if (code == 500 || !body.p)
			health_respond(h, c, 500, text_plain, "out of memory\n", 14, head);
		else
			health_respond(h, c, code, health_routes[i].ctype, body.p, body.len, head);
		buf_free(&body);
		return;
	}
	health_respond(h, c, 404, text_plain, "not found: try /health or /metrics\n", 35, head);
}

/* Push the answer out; when it is all sent, half-close and linger. */
static void health_client_send(struct health_client *c, int64_t now)
{
	while (c->outoff < c->out.len) {
		ssize_t n = send(c->fd, c->out.p + c->outoff, c->out.len - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n > 0) {
			c->outoff += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		} else {
			health_client_close(c);
			return;
		}
	}
	shutdown(c->fd, SHUT_WR);
	c->state = HEALTH_C_LINGER;
	c->deadline = now + HEALTH_LINGER_MS;
	buf_free(&c->out);
}

/* Bytes arrived on a client still sending its request head. */
static void health_client_read(struct health *h, struct health_client *c, struct health_lazy *z, int64_t now)
{
	ssize_t n;
	do
		n = recv(c->fd, c->in + c->inlen, sizeof c->in - c->inlen, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) { /* the client gave up, or an error */
		health_client_close(c);
		return;
	}
	if (memchr(c->in + c->inlen, '\0', (size_t)n)) {
		c->inlen += (size_t)n;
		health_respond(h, c, 400, "text/plain", "bad request\n", 12, 0);
	} else {
		c->inlen += (size_t)n;
		if (health_head_end(c->in, c->inlen))
			health_answer(h, c, z, now);
		else if (c->inlen == sizeof c->in)
			health_respond(h, c, 431, "text/plain", "request head too large\n", 23, 0);
		else
			return; /* more to come, within the deadline */
	}
	c->state = HEALTH_C_WRITE;
	c->deadline = now + HEALTH_WRITE_MS;
	health_client_send(c, now);
}

/* After the answer: read and drop whatever the client still sends, until it
 * closes (or the linger deadline). */
static void health_client_linger(struct health_client *c)
{
	char sink[512];
	for (int k = 0; k < 8; k++) {
		ssize_t n = recv(c->fd, sink, sizeof sink, 0);
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		break;
	}
	health_client_close(c);
}

static void health_client_io(struct health *h, struct health_client *c, short rev, struct health_lazy *z, int64_t now)
{
	if (c->state == HEALTH_C_READ && (rev & (POLLIN | POLLHUP | POLLERR)))
		health_client_read(h, c, z, now);
	else if (c->state == HEALTH_C_WRITE && (rev & (POLLOUT | POLLHUP | POLLERR)))
		health_client_send(c, now);
	else if (c->state == HEALTH_C_LINGER && (rev & (POLLIN | POLLHUP | POLLERR)))
		health_client_linger(c);
}

/* The deadline passed: a client still sending its head gets 408, anyone
 * else is simply closed. */
static void health_client_expire(struct health *h, struct health_client *c)
{
	if (c->state == HEALTH_C_READ) {
		health_count(h, 408);
		health_send_once(c->fd, 408, "request timeout\n");
	}
	health_client_close(c);
}

static void health_accept(struct health *h, int64_t now)
{
	for (int k = 0; k < HEALTH_ACCEPTS_PER_STEP; k++) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("health", "accept: %s", strerror(errno)); /* EMFILE: the next wake-up tries again */
			return;
		}
		struct health_client *c = NULL;
		for (int i = 0; i < HEALTH_MAX_CLIENTS && !c; i++)
			if (h->cl[i].fd < 0)
				c = &h->cl[i];
		if (!c) {
			h->busy_refused++;
			health_count(h, 503);
			health_send_once(fd, 503, "busy\n");
			close(fd);
			continue;
		}
		c->fd = fd;
		c->state = HEALTH_C_READ;
		c->inlen = 0;
		c->outoff = 0;
		c->deadline = now + HEALTH_READ_MS;
	}
}

/* --- the heartbeat ------------------------------------------------------------------ */

static void health_ping_done(struct health *h, int r)
{
	h->pinging = 0;
	int status = r == HTTP_DONE ? http_result(&h->ping)->status : 0;
	if (status >= 200 && status < 300) {
		h->pings_ok++;
		if (h->ping_failing)
			log_info("health", "UptimeRobot heartbeat pings work again");
		h->ping_failing = 0;
		return;
	}
	h->pings_failed++;
	if (!h->ping_failing) {
		/* http_errstr names host:port only; the URL's path is the secret */
		if (r == HTTP_DONE)
			log_warn("health", "UptimeRobot heartbeat ping answered HTTP %d", status);
		else
			log_warn("health", "UptimeRobot heartbeat ping failed: %s", http_errstr(&h->ping));
	}
	h->ping_failing = 1;
	if (r != HTTP_DONE)
		http_conn_drop(&h->ping);
}

/* Telegram answered a getUpdates: ping the heartbeat URL if one is set, none
 * is on the wire, and the last one started check_interval ago or more.
 * hc is the caller's HTTP client (trust anchors, DNS cache). */
static void health_polled_ok(struct health *h, struct http_client *hc, int64_t now)
{
	if (!h || !h->o.heartbeat_url[0] || h->pinging || now < h->next_ping)
		return;
	h->next_ping = now + h->o.check_interval_ms;
	struct http_url u;
	if (http_url_parse(h->o.heartbeat_url, &u) < 0) {
		if (!h->ping_bad_url)
			log_error("health", "uptimerobot_heartbeat_url is not an http:// or https:// URL: no heartbeat");
		h->ping_bad_url = 1;
		return;
	}
	h->ping_bad_url = 0;
	h->pinging = 1;
	int r = http_start(&h->ping, hc, &u, "GET", "", NULL, NULL, 0, HEALTH_PING_TIMEOUT_MS);
	if (r != HTTP_PENDING)
		health_ping_done(h, r);
}

/* --- log rotation ------------------------------------------------------------------- */

/* path → path.1 → path.2 … → path.KEEP (the oldest is overwritten), then
 * reopen path.  0, or -1 with errno (the log stays where it was). */
static int health_log_rotate(const char *path, int keep)
{
	char from[PATH_MAX_LEN + 16], to[PATH_MAX_LEN + 16];
	if (keep < 1)
		keep = 1;
	for (int i = keep - 1; i >= 1; i--) {
		snprintf(from, sizeof from, "%s.%d", path, i);
		snprintf(to, sizeof to, "%s.%d", path, i + 1);
		if (rename(from, to) < 0 && errno != ENOENT)
			return -1;
	}
	snprintf(to, sizeof to, "%s.1", path);
	if (rename(path, to) < 0)
		return -1;
	return log_open(path);
}

/* Every HEALTH_ROTATE_CHECK_MS: follow a log file renamed or removed by
 * someone else (logrotate, the other process), and rotate ours when it has
 * reached max_bytes (0: never).  1 when rotated, 0 when nothing to do, -1
 * when rotating failed (logged once per failure streak). */
static int health_log_check(struct health_logrot *r, int64_t max_bytes, int keep, int64_t now)
{
	if (now < r->next_check || !logst.path[0] || logst.fd <= 2)
		return 0;
	r->next_check = now + HEALTH_ROTATE_CHECK_MS;
	char path[PATH_MAX_LEN];
	snprintf(path, sizeof path, "%s", logst.path); /* log_open rewrites logst.path */
	struct stat fs, ps;
	if (fstat(logst.fd, &fs) < 0)
		return 0;
	if (stat(path, &ps) < 0 || ps.st_ino != fs.st_ino || ps.st_dev != fs.st_dev) {
		if (log_open(path) == 0)
			log_info("health", "log file was moved away; writing to a new %s", path);
		return 0;
	}
	if (max_bytes <= 0 || fs.st_size < max_bytes)
		return 0;
	if (health_log_rotate(path, keep) < 0) {
		if (!r->failing)
			log_error("health", "cannot rotate %s: %s; it keeps growing", path, strerror(errno));
		r->failing = 1;
		return -1;
	}
	r->failing = 0;
	r->rotations++;
	log_info("health", "log rotated at %lld bytes; the last %d kept as %s.1 and up", (long long)fs.st_size,
	         keep < 1 ? 1 : keep, path);
	return 1;
}

/* --- the poll loop's side ---------------------------------------------------------- */

/* Fill pfd[0..max) with what the section waits for; returns how many.  wake
 * is lowered to the next deadline. */
static int health_want(struct health *h, struct pollfd *pfd, int max, int64_t now, int64_t *wake)
{
	int n = 0;
	if (!h)
		return 0;
	h->npolled = 0;
	if (max > HEALTH_POLLFDS)
		max = HEALTH_POLLFDS;
	if (h->lfd >= 0 && n < max) {
		pfd[n] = (struct pollfd){h->lfd, POLLIN, 0};
		h->polled[n++] = HEALTH_PFD_LISTEN;
	} else if (h->addr[0] && h->listen_retry_at && h->listen_retry_at < *wake) {
		*wake = h->listen_retry_at;
	}
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++) {
		struct health_client *c = &h->cl[i];
		if (c->fd < 0)
			continue;
		if (c->deadline < *wake)
			*wake = c->deadline;
		if (n < max) {
			pfd[n] = (struct pollfd){c->fd, c->state == HEALTH_C_WRITE ? POLLOUT : POLLIN, 0};
			h->polled[n++] = i;
		}
	}
	if (h->pinging) {
		int64_t dl = http_deadline(&h->ping);
		if (dl < *wake)
			*wake = dl;
		if (n < max && http_want(&h->ping, &pfd[n]) >= 0)
			h->polled[n++] = HEALTH_PFD_PING;
	}
	if (h->rot.next_check < *wake && logst.path[0])
		*wake = h->rot.next_check > now ? h->rot.next_check : now;
	h->npolled = n;
	return n;
}

/* After poll(): serve clients, accept new ones, drive the heartbeat, check
 * the log's size.  pfd/n as filled by the last health_want.  fill(ctx, m) is
 * called (once) only when a page is built. */
static void health_step(struct health *h, const struct pollfd *pfd, int n, int64_t now, health_fill_fn fill, void *ctx)
{
	if (!h)
		return;
	struct health_lazy z;
	memset(&z, 0, sizeof z);
	z.fill = fill;
	z.ctx = ctx;
	short listen_rev = 0, ping_rev = 0;
	int ping_polled = 0;
	for (int k = 0; k < n && k < h->npolled; k++) {
		int who = h->polled[k];
		if (who == HEALTH_PFD_LISTEN) {
			listen_rev = pfd[k].revents;
		} else if (who == HEALTH_PFD_PING) {
			ping_rev = pfd[k].revents;
			ping_polled = 1;
		} else if (pfd[k].revents && h->cl[who].fd == pfd[k].fd) {
			health_client_io(h, &h->cl[who], pfd[k].revents, &z, now);
		}
	}
	for (int i = 0; i < HEALTH_MAX_CLIENTS; i++)
		if (h->cl[i].fd >= 0 && now >= h->cl[i].deadline)
			health_client_expire(h, &h->cl[i]);
	/* after the clients, so a slot freed above is not handed out twice */
	if (listen_rev && h->lfd >= 0)
		health_accept(h, now);
	if (h->lfd < 0 && h->addr[0] && h->listen_retry_at && now >= h->listen_retry_at)
		health_listen_open(h, now);
	h->npolled = 0;
	if (h->pinging && (ping_rev || !ping_polled || now >= http_deadline(&h->ping))) {
		int r = http_step(&h->ping, ping_rev, now);
		if (r != HTTP_PENDING)
			health_ping_done(h, r);
	}
	health_log_check(&h->rot, h->o.log_max_bytes, h->o.log_keep, now);
}

/* --- examflow uptime: UptimeRobot's getMonitors -------------------------------------- */

struct health_monitor {
	int status;                   /* UptimeRobot's code: 0 paused, 1 not checked, 2 up, 8 seems down, 9 down */
	char name[HEALTH_NAME_LEN];
};

struct health_uptime {
	int n, total;                 /* monitors here; in the account (pagination.total) */
	int64_t fetched_at;           /* wall ms */
	struct health_monitor mon[HEALTH_UPTIME_MONITORS];
};

static const struct { int code; const char *word; } health_monitor_states[] = {
	{0, "paused"}, {1, "not checked"}, {2, "up"}, {8, "seems down"}, {9, "down"},
};

static const char *health_monitor_word(int status)
{
	for (size_t i = 0; i < sizeof health_monitor_states / sizeof health_monitor_states[0]; i++)
		if (health_monitor_states[i].code == status)
			return health_monitor_states[i].word;
	return "unknown";
}


/* Parse a getMonitors answer.  0; -1 with err for an error answer or
 * garbage; -2 when UptimeRobot refused the api_key (a config error).  err
 * never repeats what UptimeRobot echoes back (its passed_value is the key). */
static int health_uptime_parse(const char *js, size_t len, struct health_uptime *u, char *err, size_t errlen)
{
	memset(u, 0, sizeof *u);
	struct json_tok *tk = NULL;
	size_t eoff = 0;
	int n = json_parse_alloc(js ? js : "", len, HEALTH_UPTIME_TOKENS, &tk, &eoff);
	int rc = -1;
	if (n < 1 || tk[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "UptimeRobot answered something that is not JSON (byte %zu)", eoff);
		goto out;
	}
	int stat = json_obj_get(js, tk, n, 0, "stat");
	if (stat < 0 || !json_eq(js, tk, stat, "ok")) {
		struct buf type = BUF_INIT, msg = BUF_INIT, param = BUF_INIT;
		json_get_str(js, tk, json_path(js, tk, n, 0, "error.type"), &type);
		json_get_str(js, tk, json_path(js, tk, n, 0, "error.message"), &msg);
		json_get_str(js, tk, json_path(js, tk, n, 0, "error.parameter_name"), &param);
		const char *t = type.p && *type.p ? type.p : "unknown error";
		snprintf(err, errlen, "UptimeRobot: %.60s%s%.40s%s%s%.120s", t, param.p && *param.p ? " (" : "",
		         param.p ? param.p : "", param.p && *param.p ? ")" : "", msg.p && *msg.p ? ": " : "",
		         msg.p ? msg.p : "");
		for (char *p = err; *p; p++)
			if ((unsigned char)*p < 0x20)
				*p = ' ';
		int key = (param.p && strcmp(param.p, "api_key") == 0) || strstr(t, "api_key") || strstr(t, "not_authorized");
		rc = key ? -2 : -1;
		buf_free(&type);
		buf_free(&msg);
		buf_free(&param);
		goto out;
	}
	int mons = json_obj_get(js, tk, n, 0, "monitors");
	if (mons < 0 || tk[mons].type != JSON_ARRAY) {
		snprintf(err, errlen, "UptimeRobot: the answer has no monitors list");
		goto out;
	}
	for (int i = 0, m = mons + 1; i < tk[mons].size; i++, m = json_next(tk, n, m)) {
		if (u->n == HEALTH_UPTIME_MONITORS)
			break;
		struct buf name = BUF_INIT;
		int64_t st = -1;
		json_get_i64(js, tk, json_obj_get(js, tk, n, m, "status"), &st);
		json_get_str(js, tk, json_obj_get(js, tk, n, m, "friendly_name"), &name);
		struct health_monitor *hm = &u->mon[u->n++];
		hm->status = st >= 0 && st < 100 ? (int)st : -1;
		utf8_copy_line(hm->name, sizeof hm->name, name.p ? name.p : "", name.len);
		buf_free(&name);
	}
	int64_t total = u->n;
	json_get_i64(js, tk, json_path(js, tk, n, 0, "pagination.total"), &total);
	u->total = total >= u->n && total < INT_MAX ? (int)total : u->n;
	rc = 0;
out:
	free(tk);
	return rc;
}

/* The cache sits next to the health file (it is operational state, not the
 * bot's data), or in data_dir when there is no health file. */
/* What `examflow uptime` needs; health_uptime_opts_init() fills it from a
 * configuration. */
struct health_uptime_opts {
	char key[128];                /* UptimeRobot API key: a secret */
	char api[256];                /* API base URL */
	char ca_file[PATH_MAX_LEN];   /* "" the system bundle */
	char cache[PATH_MAX_LEN + 32]; /* getMonitors answers kept here for a minute */
	char source[PATH_MAX_LEN];    /* where the configuration came from, for messages */
};

/* The cache lives next to the health file (or in data_dir without one). */
static void health_uptime_opts_init(struct health_uptime_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	snprintf(o->key, sizeof o->key, "%s", c->uptimerobot_key);
	snprintf(o->api, sizeof o->api, "%s", c->uptimerobot_api);
	snprintf(o->ca_file, sizeof o->ca_file, "%s", c->ca_file);
	snprintf(o->source, sizeof o->source, "%s", c->source);
	const char *hf = c->health_file, *slash = hf[0] ? strrchr(hf, '/') : NULL;
	if (hf[0] && slash)
		snprintf(o->cache, sizeof o->cache, "%.*s/uptimerobot_monitors.cache", (int)(slash - hf), hf);
	else if (hf[0])
		snprintf(o->cache, sizeof o->cache, "uptimerobot_monitors.cache");
	else
		snprintf(o->cache, sizeof o->cache, "%s/uptimerobot_monitors.cache", c->data_dir);
}

/* Cache format, one line each (names were cleaned of control characters):
 *   examflow-uptime 1 FETCHED_AT_MS TOTAL
 *   STATUS<TAB>FRIENDLY NAME
 * Only what we print is kept: never the key, never a monitor's URL. */
static int health_uptime_save(const char *path, const struct health_uptime *u)
{
	struct buf b = BUF_INIT;
	buf_printf(&b, "examflow-uptime 1 %" PRId64 " %d\n", u->fetched_at, u->total);
	for (int i = 0; i < u->n; i++)
		buf_printf(&b, "%d\t%s\n", u->mon[i].status, u->mon[i].name);
	char dir[PATH_MAX_LEN + 32];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir_p(dir, 0700);
	}
	int rc = b.p ? write_file_atomic(path, b.p, b.len) : -1;
	buf_free(&b);
	return rc;
}

static int health_uptime_load(const char *path, struct health_uptime *u)
{
	struct buf b = BUF_INIT;
	memset(u, 0, sizeof *u);
	if (read_file(path, &b, 256 * 1024) < 0 || !b.p) {
		buf_free(&b);
		return -1;
	}
	long long at = 0;
	int total = 0, used = 0;
	if (sscanf(b.p, "examflow-uptime 1 %lld %d%n", &at, &total, &used) != 2 || b.p[used] != '\n') {
		buf_free(&b);
		return -1;
	}
	u->fetched_at = at;
	u->total = total;
	for (char *p = b.p + used + 1; *p && u->n < HEALTH_UPTIME_MONITORS;) {
		char *nl = strchr(p, '\n'), *tab = strchr(p, '\t');
		if (!nl || !tab || tab > nl)
			break;
		struct health_monitor *m = &u->mon[u->n++];
		m->status = atoi(p);
		utf8_copy_line(m->name, sizeof m->name, tab + 1, (size_t)(nl - tab - 1));
		p = nl + 1;
	}
	buf_free(&b);
	return 0;
}

/* The API's base URL (config uptimerobot_api; tests point it at a fake). */

/* application/x-www-form-urlencoded value. */
static void health_form_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~')
			buf_putc(b, ch);
		else
			buf_printf(b, "%%%02X", ch);
	}
}

/* One POST getMonitors.  0; -1 with err (network, HTTP, answer); -2 when the
 * key was refused. */
static int health_uptime_fetch(const struct health_uptime_opts *o, struct health_uptime *u, char *err, size_t errlen)
{
	const char *base = o->api;
	size_t bl = strlen(base);
	while (bl && base[bl - 1] == '/')
		bl--;
	char url[512];
	snprintf(url, sizeof url, "%.*s/v2/getMonitors", (int)(bl < 400 ? bl : 400), base);
	struct http_url pu;
	if (http_url_parse(url, &pu) < 0) {
		snprintf(err, errlen, "uptimerobot_api is not an http:// or https:// URL");
		return -2;
	}
	struct http_client hc;
	if (http_client_init(&hc, o->ca_file[0] ? o->ca_file : NULL) < 0 && pu.tls) {
		snprintf(err, errlen, "no trusted CA certificates could be loaded (set ca_file)");
		http_client_free(&hc);
		return -1;
	}
	struct buf body = BUF_INIT;
	buf_puts(&body, "api_key=");
	health_form_escape(&body, o->key);
	buf_puts(&body, "&format=json");
	struct http_response res;
	char herr[HTTP_ERR_LEN];
	int rc = -1;
	int r = body.p ? http_request_sync(&hc, "POST", url,
	                                   "Content-Type: application/x-www-form-urlencoded\r\nCache-Control: no-cache\r\n",
	                                   body.p, body.len, HEALTH_UPTIME_TIMEOUT_MS, &res, herr, sizeof herr)
	               : HTTP_ERR_NOMEM;
	if (body.p)
		explicit_bzero(body.p, body.len); /* it holds the key */
	buf_free(&body);
	if (r != HTTP_DONE) {
		snprintf(err, errlen, "UptimeRobot: %s", r == HTTP_ERR_NOMEM ? "out of memory" : herr);
	} else if (res.status == 429) {
		snprintf(err, errlen, "UptimeRobot: rate limited (HTTP 429%s%d%s); the free plan allows 10 requests a minute",
		         res.retry_after > 0 ? ", retry in " : "", res.retry_after > 0 ? res.retry_after : 0,
		         res.retry_after > 0 ? " s" : "");
	} else if (res.status == 401 || res.status == 403) {
		snprintf(err, errlen, "UptimeRobot: HTTP %d: the api key was refused", res.status);
		rc = -2;
	} else if (res.status != 200) {
		snprintf(err, errlen, "UptimeRobot: HTTP %d", res.status);
	} else {
		rc = health_uptime_parse(res.body.p, res.body.len, u, err, errlen);
		u->fetched_at = wall_ms();
	}
	if (r == HTTP_DONE)
		http_response_free(&res);
	http_client_free(&hc);
	return rc;
}

static void health_uptime_print(const struct health_uptime *u, const char *note, FILE *out)
{
	fprintf(out, "UptimeRobot: %d monitor%s%s (%s)\n", u->total, u->total == 1 ? "" : "s",
	        u->total > u->n ? ", first page shown" : "", note);
	for (int i = 0; i < u->n; i++)
		fprintf(out, "  %-12s %s\n", health_monitor_word(u->mon[i].status), u->mon[i].name);
}

/* examflow uptime: the account's monitors and their state.  A cached answer
 * younger than HEALTH_UPTIME_TTL_MS is shown without asking; when asking
 * fails, a stale cache is shown with a warning.  Exit code: 0 shown fresh,
 * 1 not fetched (network, rate limit), 3 no key or the key was refused. */
static int health_uptime_cmd(const struct health_uptime_opts *o, FILE *out)
{
	if (!o->key[0]) {
		fprintf(stderr, "%s: uptimerobot_key is not set (put it in the config file or in the environment as "
		                "UPTIMEROBOT_API_KEY; a read-only key is enough)\n", o->source);
		return EXIT_CONFIG;
	}
	char note[96], err[400];
	const char *path = o->cache;
	struct health_uptime *u = calloc(1, sizeof *u), *cached = calloc(1, sizeof *cached);
	int rc = EXIT_FAIL;
	if (!u || !cached) {
		fprintf(stderr, "examflow: out of memory\n");
		goto out;
	}
	int64_t now = wall_ms();
	int have_cache = health_uptime_load(path, cached) == 0;
	int64_t age = now - cached->fetched_at;
	if (have_cache && age >= 0 && age < HEALTH_UPTIME_TTL_MS) {
		snprintf(note, sizeof note, "cached %lld s ago", (long long)(age / 1000));
		health_uptime_print(cached, note, out);
		rc = EXIT_OK;
		goto out;
	}
	int r = health_uptime_fetch(o, u, err, sizeof err);
	if (r == 0) {
		if (health_uptime_save(path, u) < 0)
			fprintf(stderr, "examflow: cannot write %s: %s (the next call asks UptimeRobot again)\n", path,
			        strerror(errno));
		health_uptime_print(u, "just fetched", out);
		rc = EXIT_OK;
		goto out;
	}
	fprintf(stderr, "examflow: %s\n", err);
	rc = r == -2 ? EXIT_CONFIG : EXIT_FAIL;
	if (have_cache && r != -2) {
		snprintf(note, sizeof note, "STALE: from %lld s ago", (long long)(age / 1000));
		health_uptime_print(cached, note, out);
	}
out:
	free(u);
	free(cached);
	return rc;
}

/* ==========================================================================
 * 10. Bot: students, records, texts, handlers, the outbox
 * ==========================================================================
 * The bot's whole state lives in memory (struct bot) and is rebuilt at start
 * from storage records; every change a handler makes is appended to the open
 * storage batch as a full-row record ("user", "task", "num", ...), so replay
 * is "last row wins" and compaction is "dump every live row".  Handlers never
 * do I/O: they change state and stage replies (bot_reply); the transport
 * (Telegram engine or console demo) commits the batch and only then lets the
 * staged replies go.  Handlers cannot fail on input: whatever a student
 * sends gets an answer or is ignored.
 */

#define BOT_NAME_MAX 64            /* display names are cut to this many bytes (UTF-8 safe) */
#define BOT_ID_MAX 32              /* task and subject ids */
#define BOT_CB_MAX 64              /* Telegram's limit for callback_data, in bytes */
#define BOT_TEXT_MAX 4096          /* Telegram's message limit, in UTF-16 code units */
#define BOT_ANSWER_MAX 200         /* an answer longer than this is not an answer */
#define BOT_KB_ROWS 16              /* Telegram allows 100 buttons; 99 task numbers fit at 8 a row */
#define BOT_KB_COLS 8
#define BOT_BCAST_MAX 50000        /* recipients of one /broadcast: one batch of "out" records, under STORE_MAX_BATCH */
#define BOT_TOP_N 10               /* leaderboard length */
#define BOT_MAX_USERS 1000000      /* hash table grows up to this; more is refused politely */
#define BOT_MARK_DROPPED (1ULL << 63) /* in marks: the message was dropped, not delivered */
#define BOT_BLOCKED_MAX 64         /* 403s remembered between two bot_record_marks() */
#define BOT_BODY_TOKENS 1024       /* a sendMessage body: a full keyboard (16 x 8 buttons) needs ~700 */

/* Points and levels: one table, the rules of the game. */
static const struct {
	int first_try;    /* points for a right answer on the first try */
	int later_try;    /* ... after a wrong attempt */
	int per_level;    /* level = points / per_level + 1 */
} bot_points = {10, 5, 100};

/* Spaced repetition: a wrong task comes back after these many days, until it
 * is answered right twice in a row. */
static const int bot_review_days[] = {1, 3, 7, 21};
#define BOT_REVIEW_STEPS ((int)(sizeof bot_review_days / sizeof bot_review_days[0]))
#define BOT_REVIEW_DONE 2 /* right answers in a row that end the review */

enum ach_kind { ACH_SOLVED, ACH_STREAK, ACH_LEVEL };
static const struct {
	enum ach_kind kind;
	int threshold;
	const char *ru, *en;
} bot_achievements[] = {
	{ACH_SOLVED, 1, "Первый верный ответ", "First correct answer"},
	{ACH_SOLVED, 10, "10 решённых задач", "10 tasks solved"},
	{ACH_SOLVED, 50, "50 решённых задач", "50 tasks solved"},
	{ACH_SOLVED, 100, "100 решённых задач", "100 tasks solved"},
	{ACH_SOLVED, 500, "500 решённых задач", "500 tasks solved"},
	{ACH_STREAK, 3, "3 дня подряд", "3-day streak"},
	{ACH_STREAK, 7, "Неделя без пропусков", "7-day streak"},
	{ACH_STREAK, 30, "30 дней подряд", "30-day streak"},
	{ACH_LEVEL, 2, "Уровень 2", "Level 2"},
	{ACH_LEVEL, 5, "Уровень 5", "Level 5"},
	{ACH_LEVEL, 10, "Уровень 10", "Level 10"},
	{ACH_LEVEL, 20, "Уровень 20", "Level 20"},
};
#define BOT_NACH ((int)(sizeof bot_achievements / sizeof bot_achievements[0]))

/* --- texts, per language ------------------------------------------------------ */

enum bot_text_id {
	T_GREETING, T_CHOOSE_SUBJECT, T_CHOOSE_NUMBER, T_ANY_NUMBER, T_TASK_CARD, T_TYPE_ANSWER,
	T_CORRECT, T_WRONG, T_SOLUTION, T_BTN_NEXT, T_BTN_SOLUTION, T_BTN_SUBJECT, T_BTN_BACK,
	T_NO_SUBJECT, T_NO_TASKS, T_HELP, T_CANCELLED, T_NOTHING_PENDING, T_UNKNOWN_CMD,
	T_HINT, T_STATS_HEAD, T_STATS_NONE, T_TOP_WEEK, T_TOP_ALL, T_TOP_EMPTY, T_TOP_YOU,
	T_REMIND_SET, T_REMIND_OFF, T_REMIND_USAGE, T_REMINDER, T_LANG_SET, T_LANG_USAGE,
	T_ACHIEVEMENT, T_ADMIN_ONLY, T_GROUP_PRIVATE, T_BROADCAST_USAGE, T_BROADCAST_QUEUED,
	T_REVIEW_MARK, T_TOO_LONG, T_UNSUPPORTED, T_LEVEL_UP, T_BROADCAST_BUSY, T_BROADCAST_DONE,
	T_BROADCAST_TOO_MANY, T_STATUS, T_STATS_ALL_HEAD, T_STATS_ALL_LINE, T_COUNT
};

static const char *const bot_texts[T_COUNT][LANG_COUNT] = {
	[T_GREETING] = {"Привет, %s! 👋\n\nЯ помогаю готовиться к ЕГЭ: даю задачи как в первой части экзамена, сразу проверяю ответ и показываю решение. Ошибки вернутся на повторение, а за регулярные занятия начисляются очки и серии дней.\n\nВыберите предмет:",
	                "Hi, %s! 👋\n\nI help you prepare for the state exam: short-answer tasks like part 1 of the exam, checked at once, with solutions. Mistakes come back for review, and regular practice earns points and streaks.\n\nChoose a subject:"},
	[T_CHOOSE_SUBJECT] = {"Выберите предмет:", "Choose a subject:"},
	[T_CHOOSE_NUMBER] = {"<b>%s</b>\nВыберите номер задания или «любое»:", "<b>%s</b>\nChoose a task number or “any”:"},
	[T_ANY_NUMBER] = {"Любое", "Any"},
	[T_TASK_CARD] = {"📘 <b>%s</b> · задание %d%s\n\n%s", "📘 <b>%s</b> · task %d%s\n\n%s"},
	[T_TYPE_ANSWER] = {"\n\n<i>Напишите ответ сообщением.</i>", "\n\n<i>Type your answer as a message.</i>"},
	[T_CORRECT] = {"✅ Верно! +%d очков.", "✅ Correct! +%d points."},
	[T_WRONG] = {"❌ Неверно. Попробуйте ещё раз или посмотрите решение.", "❌ Not quite. Try again or look at the solution."},
	[T_SOLUTION] = {"<b>Ответ:</b> %s\n<b>Решение:</b> %s", "<b>Answer:</b> %s\n<b>Solution:</b> %s"},
	[T_BTN_NEXT] = {"Дальше ▶️", "Next ▶️"},
	[T_BTN_SOLUTION] = {"Решение", "Solution"},
	[T_BTN_SUBJECT] = {"Сменить предмет", "Change subject"},
	[T_BTN_BACK] = {"◀️ Назад", "◀️ Back"},
	[T_NO_SUBJECT] = {"Сначала выберите предмет:", "Choose a subject first:"},
	[T_NO_TASKS] = {"В этом разделе пока нет задач. Выберите другой:", "No tasks here yet. Choose another:"},
	[T_HELP] = {"Команды:\n/task — следующая задача\n/subjects — выбрать предмет\n/stats — ваша статистика\n/top — рейтинг\n/remind ЧЧ — ежедневное напоминание (/remind off — выключить)\n/lang ru|en — язык\n/cancel — отменить текущую задачу\n/ask ВОПРОС — спросить ИИ-репетитора\n/reset — начать разговор с ИИ заново\n/help — эта справка",
	            "Commands:\n/task — next task\n/subjects — choose a subject\n/stats — your statistics\n/top — leaderboard\n/remind HH — daily reminder (/remind off to stop)\n/lang ru|en — language\n/cancel — drop the current task\n/ask QUESTION — ask the AI tutor\n/reset — start the AI conversation afresh\n/help — this help"},
	[T_CANCELLED] = {"Задача отменена. /task — новая задача.", "Task dropped. /task for a new one."},
	[T_NOTHING_PENDING] = {"Сейчас нет активной задачи. /task — получить задачу.", "No task is pending. /task to get one."},
	[T_UNKNOWN_CMD] = {"Не знаю такой команды. /help — список команд.", "I don't know that command. /help lists them."},
	[T_HINT] = {"Чтобы начать, нажмите /task или выберите предмет: /subjects. Справка: /help", "To practise, send /task or choose a subject with /subjects. Help: /help"},
	[T_STATS_HEAD] = {"📊 <b>Статистика</b>\nОчки: %d · уровень %d\nСерия: %d дн. (лучшая %d)\nМесто в рейтинге: %d из %d\nРешено: %d из %d попыток",
	                  "📊 <b>Statistics</b>\nPoints: %d · level %d\nStreak: %d days (best %d)\nRank: %d of %d\nSolved: %d of %d attempts"},
	[T_STATS_NONE] = {"Пока нет попыток. /task — первая задача!", "No attempts yet. /task for your first one!"},
	[T_TOP_WEEK] = {"🏆 <b>Рейтинг недели</b>", "🏆 <b>This week</b>"},
	[T_TOP_ALL] = {"🏅 <b>За всё время</b>", "🏅 <b>All time</b>"},
	[T_TOP_EMPTY] = {"пока пусто", "nobody yet"},
	[T_TOP_YOU] = {"Вы: %d место (%d очков)", "You: place %d (%d points)"},
	[T_REMIND_SET] = {"⏰ Напомню в %02d:00, если в этот день вы ещё не занимались.", "⏰ I'll remind you at %02d:00 on days you haven't practised yet."},
	[T_REMIND_OFF] = {"Напоминания выключены.", "Reminders are off."},
	[T_REMIND_USAGE] = {"Использование: /remind ЧЧ (0–23) или /remind off", "Usage: /remind HH (0–23) or /remind off"},
	[T_REMINDER] = {"⏰ Сегодня ещё не было занятий. Одна задача — пара минут: /task", "⏰ No practice yet today. One task takes two minutes: /task"},
	[T_LANG_SET] = {"Язык: русский.", "Language: English."},
	[T_LANG_USAGE] = {"Использование: /lang ru или /lang en", "Usage: /lang ru or /lang en"},
	[T_ACHIEVEMENT] = {"🎉 Достижение: <b>%s</b>", "🎉 Achievement: <b>%s</b>"},
	[T_ADMIN_ONLY] = {"Эта команда только для администратора.", "This command is for the admin only."},
	[T_GROUP_PRIVATE] = {"Задачи решаются в личных сообщениях со мной.", "Tasks are solved in a private chat with me."},
	[T_BROADCAST_USAGE] = {"Использование: /broadcast ТЕКСТ", "Usage: /broadcast TEXT"},
	[T_BROADCAST_QUEUED] = {"Рассылка поставлена в очередь: %d получателей.", "Broadcast queued for %d recipients."},
	[T_REVIEW_MARK] = {" · повторение", " · review"},
	[T_TOO_LONG] = {"Слишком длинный ответ. Ответ в ЕГЭ — число или слово.", "That answer is too long. Exam answers are a number or a word."},
	[T_UNSUPPORTED] = {"Я понимаю только текст. Ответ на задачу напишите сообщением.", "I only understand text. Type your answer as a message."},
	[T_LEVEL_UP] = {"⬆️ Новый уровень: %d!", "⬆️ Level up: %d!"},
	[T_BROADCAST_BUSY] = {"Предыдущая рассылка ещё идёт: осталось %d сообщений.", "The previous broadcast is still going: %d messages left."},
	[T_BROADCAST_DONE] = {"Рассылка завершена: доставлено %d из %d.", "Broadcast finished: %d of %d delivered."},
	[T_BROADCAST_TOO_MANY] = {"Слишком много получателей для одной рассылки: %zu (не больше %d).",
	                          "Too many recipients for one broadcast: %zu (at most %d)."},
	[T_STATUS] = {"<b>ExamFlow %s</b>\nработает: %" PRId64 " д %02" PRId64 ":%02" PRId64 "\nучеников: %zu, сегодня занимались: %d\n"
	              "обновлений сегодня: %ld\nв очереди: %ld\nошибок за час: %ld\nданные: %" PRId64 " КиБ",
	              "<b>ExamFlow %s</b>\nuptime: %" PRId64 "d %02" PRId64 ":%02" PRId64 "\nusers: %zu total, %d active today\n"
	              "updates today: %ld\nqueue: %ld\nerrors (last hour): %ld\nstorage: %" PRId64 " KiB"},
	[T_STATS_ALL_HEAD] = {"<b>Все ученики</b>", "<b>All students</b>"},
	[T_STATS_ALL_LINE] = {": учеников %ld, попыток %ld, верных %ld", ": %ld students, %ld attempts, %ld correct"},
};

/* --- state ---------------------------------------------------------------------- */

/* The bot's settings; bot_opts_init() fills them from a configuration,
 * SIGHUP hands a new set to bot_set_opts(). */
struct bot_opts {
	int lang;                     /* default language (LANG_*): a student's Telegram language wins */
	int tz_offset_min;            /* students' zone: streaks, reminders */
	int64_t admin_ids[CFG_MAX_ADMINS];
	int nadmins;
};

static void bot_opts_init(struct bot_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	o->lang = c->lang;
	o->tz_offset_min = c->tz_offset_min;
	o->nadmins = c->nadmins;
	memcpy(o->admin_ids, c->admin_ids, sizeof o->admin_ids);
}

struct bot_taskstate {
	char task[BOT_ID_MAX];
	int due_day;      /* review due on this local day; 0 = not in review */
	unsigned char box;           /* index into bot_review_days */
	unsigned char right_in_row;  /* right answers in a row while in review */
	unsigned char solved;        /* answered right at least once */
};

struct bot_numstat {
	char subject[BOT_ID_MAX];
	int number;
	int attempted, correct;
};

struct bot_user {
	int64_t id;          /* Telegram user id; equals the private chat id */
	char name[BOT_NAME_MAX + 1];
	int lang;            /* LANG_RU / LANG_EN */
	int lang_fixed;      /* chosen with /lang: the Telegram language no longer wins */
	char subject[BOT_ID_MAX];
	int num_filter;      /* task number chosen, 0 = any */
	char pending[BOT_ID_MAX];    /* task awaiting an answer */
	int pending_wrong;   /* wrong attempts on the pending task */
	char last_task[BOT_ID_MAX];
	int points, week_id, week_points;
	int streak, best_streak, last_day;
	int remind_hour;     /* -1 = off */
	int remind_day;      /* last day a reminder went out */
	int solved, attempts;
	uint32_t achievements;
	int blocked;
	struct bot_taskstate *tasks;
	int ntasks, captasks;
	struct bot_numstat *nums;
	int nnums, capnums;
};

/* A reply waiting for the batch to commit, then for the transport. */
struct bot_msg {
	uint64_t id;
	int64_t chat_id;
	char *body;          /* JSON body of sendMessage, chat_id included */
	int attempts;
	int64_t not_before;  /* monotonic ms: retry backoff */
	struct bot_msg *next;
};

/* The broadcast in progress: its messages are outbox ids first..last.
 * Persisted ("bcast"), so the final report survives a restart. */
struct bot_bcast {
	int64_t admin_chat;
	uint64_t first, last;
	int total;   /* recipients; 0 = no broadcast running */
	int failed;  /* messages dropped (counted since the last start) */
};

/* Counters for /status and /metrics; not persisted (they restart with the worker). */
struct bot_counters {
	int64_t started_ms;
	long updates, updates_today, commands, answers, errors, replies_sent, replies_dropped;
	long errors_hour[60]; /* errors per minute, ring of the last hour */
	int day;
};

struct bot {
	struct bot_opts o;
	const struct bank *bank;
	struct store *store;          /* NULL in pure unit tests */
	struct imap users;            /* struct bot_slot by id; the users are owned here */
	int64_t offset;               /* next Telegram update id to ask for */
	uint64_t next_msg_id;
	struct bot_msg *staged, **staged_tail; /* replies of the open batch */
	struct bot_msg *outbox, **outbox_tail; /* committed, not yet sent (FIFO); see bot_out_* */
	long outbox_len;
	uint64_t *marks;              /* ids that left the outbox, for the next bot_record_marks() */
	size_t nmarks, capmarks;      /* (the top bit: dropped, not delivered) */
	int64_t blocked[BOT_BLOCKED_MAX]; /* chats that answered 403, ditto */
	int nblocked;
	int in_batch;
	int store_failed;             /* a store_add failed (its -errno): the batch must not commit */
	int dumping;                  /* inside bot_dump(): records go to the snapshot */
	char username[64];            /* the bot's @username, for /cmd@name in groups */
	struct bot_bcast bcast;
	struct bot_counters ctr;
	uint64_t rng;
	struct ai *ai;                /* the AI tutor (section 8), owned by the worker; NULL: off */
};


/* --- small helpers -------------------------------------------------------------------- */

static uint64_t bot_rand(struct bot *b)
{
	/* xorshift64*: good enough to pick a task. */
	b->rng ^= b->rng >> 12;
	b->rng ^= b->rng << 25;
	b->rng ^= b->rng >> 27;
	return b->rng * 2685821657736338717ULL;
}

static int bot_today(const struct bot *b) { return local_day(wall_ms(), b->o.tz_offset_min); }

static int bot_is_admin(const struct bot *b, int64_t user_id)
{
	for (int i = 0; i < b->o.nadmins; i++)
		if (b->o.admin_ids[i] == user_id)
			return 1;
	return 0;
}
static int bot_week(int day) { return (day + 3) / 7; } /* weeks start on Monday */
static int bot_level(int points) { return points / bot_points.per_level + 1; }

static const char *bot_tl(int lang, enum bot_text_id id)
{
	return bot_texts[id][lang >= 0 && lang < LANG_COUNT ? lang : LANG_RU];
}

/* A text in the student's language. */
static const char *bot_t(const struct bot_user *u, enum bot_text_id id) { return bot_tl(u->lang, id); }

/* --- the user table ------------------------------------------------------------------- */

/* A slot of the user map: the id and the user (the user does not move
 * when the map grows, so a handler may hold it). */
struct bot_slot {
	int64_t id;
	struct bot_user *u;
};

static struct bot_user *bot_find_user(const struct bot *b, int64_t id)
{
	const struct bot_slot *s = imap_get(&b->users, id);
	return s ? s->u : NULL;
}

/* User slot i, or NULL: for walking every user (0 <= i < b->users.cap). */
static struct bot_user *bot_user_at(const struct bot *b, size_t i)
{
	const struct bot_slot *s = imap_at(&b->users, i);
	return s ? s->u : NULL;
}

static size_t bot_nusers(const struct bot *b) { return b->users.n; }

/* Find or create; NULL only when out of memory or past BOT_MAX_USERS. */
static struct bot_user *bot_get_user(struct bot *b, int64_t id)
{
	struct bot_user *u = bot_find_user(b, id);
	if (u)
		return u;
	if (bot_nusers(b) >= BOT_MAX_USERS || !(u = calloc(1, sizeof *u)))
		return NULL;
	int added;
	struct bot_slot *s = imap_put(&b->users, id, &added);
	if (!s) {
		free(u);
		return NULL;
	}
	u->id = id;
	u->lang = b->o.lang;
	u->remind_hour = -1;
	s->u = u;
	return u;
}

static void bot_free_user(struct bot_user *u)
{
	free(u->tasks);
	free(u->nums);
	free(u);
}

/* Make room for one more element in a per-user array (doubling from 8). */
static int bot_grow(void **arr, int *cap, int n, size_t elem)
{
	if (n < *cap)
		return 0;
	int ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

static struct bot_taskstate *bot_taskstate(struct bot_user *u, const char *task, int create)
{
	for (int i = 0; i < u->ntasks; i++)
		if (strcmp(u->tasks[i].task, task) == 0)
			return &u->tasks[i];
	if (!create)
		return NULL;
	if (bot_grow((void **)&u->tasks, &u->captasks, u->ntasks, sizeof *u->tasks) < 0)
		return NULL;
	struct bot_taskstate *t = &u->tasks[u->ntasks++];
	memset(t, 0, sizeof *t);
	utf8_copy(t->task, sizeof t->task, task);
	return t;
}

static struct bot_numstat *bot_numstat(struct bot_user *u, const char *subject, int number, int create)
{
	for (int i = 0; i < u->nnums; i++)
		if (u->nums[i].number == number && strcmp(u->nums[i].subject, subject) == 0)
			return &u->nums[i];
	if (!create)
		return NULL;
	if (bot_grow((void **)&u->nums, &u->capnums, u->nnums, sizeof *u->nums) < 0)
		return NULL;
	struct bot_numstat *n = &u->nums[u->nnums++];
	memset(n, 0, sizeof *n);
	utf8_copy(n->subject, sizeof n->subject, subject);
	n->number = number;
	return n;
}

/* --- records: the state as storage lines ---------------------------------------------
 *
 *   user   ID NAME SUBJECT PENDING LAST_TASK "k=v k=v ..." (lang, points, streak...)
 *   task   USER TASK "due=D box=B rir=R solved=S"   (review state of one task)
 *   num    USER SUBJECT NUMBER ATTEMPTED CORRECT   (accuracy per task number)
 *   offset NEXT_UPDATE_ID
 *   out    MSG_ID CHAT_ID JSON_BODY                (a reply not yet sent)
 *   sent   MSG_ID                                  (Telegram accepted it)
 *
 * Full rows, last one wins: replay is an upsert and compaction writes each
 * live row once.  The k=v field keeps the user row readable and lets a later
 * version add a counter without a format change (unknown keys are skipped).
 */

/* Where records go: the open batch, or the snapshot being written. */
static int bot_emit(struct bot *b, const char *type, int nf, const char *const *f)
{
	if (!b->store)
		return 0;
	int rc = b->dumping ? store_snap_put(b->store, type, nf, f) : store_add(b->store, type, nf, f);
	if (rc < 0 && !b->store_failed)
		b->store_failed = rc; /* the first error: -E2BIG/-EINVAL mean the batch itself is bad */
	return rc;
}

/* bot_emit as the AI tutor's emit callback (its records ride our batches). */
static int bot_emit_cb(void *ctx, const char *type, int nf, const char *const *f)
{
	return bot_emit(ctx, type, nf, f);
}

static const struct {
	const char *key;
	size_t off;
} bot_user_ints[] = {
#define BOT_UI(field) {#field, offsetof(struct bot_user, field)}
	BOT_UI(lang), BOT_UI(lang_fixed), BOT_UI(num_filter), BOT_UI(pending_wrong), BOT_UI(points),
	BOT_UI(week_id), BOT_UI(week_points), BOT_UI(streak), BOT_UI(best_streak), BOT_UI(last_day),
	BOT_UI(remind_hour), BOT_UI(remind_day), BOT_UI(solved), BOT_UI(attempts), BOT_UI(blocked),
#undef BOT_UI
};
#define BOT_NUSER_INTS ((int)(sizeof bot_user_ints / sizeof bot_user_ints[0]))

static int bot_save_user(struct bot *b, const struct bot_user *u)
{
	char id[24], kv[512];
	snprintf(id, sizeof id, "%" PRId64, u->id);
	size_t n = 0;
	for (int i = 0; i < BOT_NUSER_INTS; i++)
		n += (size_t)snprintf(kv + n, sizeof kv - n, "%s%s=%d", i ? " " : "", bot_user_ints[i].key,
		                      *(const int *)(const void *)((const char *)u + bot_user_ints[i].off));
	snprintf(kv + n, sizeof kv - n, " ach=%" PRIu32, u->achievements);
	const char *f[] = {id, u->name, u->subject, u->pending, u->last_task, kv};
	return bot_emit(b, "user", 6, f);
}

static int bot_save_task(struct bot *b, const struct bot_user *u, const struct bot_taskstate *t)
{
	char id[24], kv[96];
	snprintf(id, sizeof id, "%" PRId64, u->id);
	snprintf(kv, sizeof kv, "due=%d box=%d rir=%d solved=%d", t->due_day, t->box, t->right_in_row, t->solved);
	const char *f[] = {id, t->task, kv};
	return bot_emit(b, "task", 3, f);
}

static int bot_save_num(struct bot *b, const struct bot_user *u, const struct bot_numstat *s)
{
	char id[24], num[16], att[16], cor[16];
	snprintf(id, sizeof id, "%" PRId64, u->id);
	snprintf(num, sizeof num, "%d", s->number);
	snprintf(att, sizeof att, "%d", s->attempted);
	snprintf(cor, sizeof cor, "%d", s->correct);
	const char *f[] = {id, s->subject, num, att, cor};
	return bot_emit(b, "num", 5, f);
}

static int bot_save_offset(struct bot *b)
{
	char off[24];
	snprintf(off, sizeof off, "%" PRId64, b->offset);
	const char *f[] = {off};
	return bot_emit(b, "offset", 1, f);
}

static int bot_save_out(struct bot *b, const struct bot_msg *m)
{
	char id[24], chat[24];
	snprintf(id, sizeof id, "%" PRIu64, m->id);
	snprintf(chat, sizeof chat, "%" PRId64, m->chat_id);
	const char *f[] = {id, chat, m->body};
	return bot_emit(b, "out", 3, f);
}

static int bot_save_sent(struct bot *b, uint64_t id)
{
	char s[24];
	snprintf(s, sizeof s, "%" PRIu64, id);
	const char *f[] = {s};
	return bot_emit(b, "sent", 1, f);
}

static int bot_save_bcast(struct bot *b)
{
	char admin[24], first[24], last[24], total[16];
	snprintf(admin, sizeof admin, "%" PRId64, b->bcast.admin_chat);
	snprintf(first, sizeof first, "%" PRIu64, b->bcast.first);
	snprintf(last, sizeof last, "%" PRIu64, b->bcast.last);
	snprintf(total, sizeof total, "%d", b->bcast.total);
	const char *f[] = {admin, first, last, total};
	return bot_emit(b, "bcast", 4, f);
}

/* Parse "k=v k=v" into the named int fields; unknown keys are skipped. */
static void bot_parse_kv(const char *kv, const char *key, int *out)
{
	size_t kl = strlen(key);
	for (const char *p = kv; (p = strstr(p, key)) != NULL; p += kl)
		if ((p == kv || p[-1] == ' ') && p[kl] == '=') {
			*out = (int)strtol(p + kl + 1, NULL, 10);
			return;
		}
}

static int64_t bot_field_i64(const struct store_rec *r, int i)
{
	return i < r->nf ? strtoll(r->f[i], NULL, 10) : 0;
}

static void bot_msg_free(struct bot_msg *m)
{
	if (m) {
		free(m->body);
		free(m);
	}
}

static void bot_outbox_push(struct bot *b, struct bot_msg *m)
{
	m->next = NULL;
	*b->outbox_tail = m;
	b->outbox_tail = &m->next;
	b->outbox_len++;
}

/* Remove message id from the outbox (the head is the usual case). */
static void bot_outbox_remove(struct bot *b, uint64_t id)
{
	for (struct bot_msg **pp = &b->outbox; *pp; pp = &(*pp)->next) {
		if ((*pp)->id != id)
			continue;
		struct bot_msg *m = *pp;
		*pp = m->next;
		if (b->outbox_tail == &m->next)
			b->outbox_tail = pp;
		b->outbox_len--;
		bot_msg_free(m);
		return;
	}
}

/* The replay callback: rebuild memory from one record. */
static int bot_apply(void *ctx, const struct store_rec *r)
{
	struct bot *b = ctx;
	if (strcmp(r->type, "user") == 0 && r->nf >= 6) {
		struct bot_user *u = bot_get_user(b, bot_field_i64(r, 0));
		if (!u)
			return -1;
		utf8_copy(u->name, sizeof u->name, r->f[1]);
		utf8_copy(u->subject, sizeof u->subject, r->f[2]);
		utf8_copy(u->pending, sizeof u->pending, r->f[3]);
		utf8_copy(u->last_task, sizeof u->last_task, r->f[4]);
		for (int i = 0; i < BOT_NUSER_INTS; i++)
			bot_parse_kv(r->f[5], bot_user_ints[i].key, (int *)(void *)((char *)u + bot_user_ints[i].off));
		int ach = 0;
		bot_parse_kv(r->f[5], "ach", &ach);
		u->achievements = (uint32_t)ach;
	} else if (strcmp(r->type, "task") == 0 && r->nf >= 3) {
		struct bot_user *u = bot_get_user(b, bot_field_i64(r, 0));
		struct bot_taskstate *t = u ? bot_taskstate(u, r->f[1], 1) : NULL;
		if (!t)
			return -1;
		int box = 0, rir = 0, solved = 0;
		bot_parse_kv(r->f[2], "due", &t->due_day);
		bot_parse_kv(r->f[2], "box", &box);
		bot_parse_kv(r->f[2], "rir", &rir);
		bot_parse_kv(r->f[2], "solved", &solved);
		t->box = (unsigned char)(box < BOT_REVIEW_STEPS ? box : BOT_REVIEW_STEPS - 1);
		t->right_in_row = (unsigned char)rir;
		t->solved = (unsigned char)solved;
	} else if (strcmp(r->type, "num") == 0 && r->nf >= 5) {
		struct bot_user *u = bot_get_user(b, bot_field_i64(r, 0));
		struct bot_numstat *s = u ? bot_numstat(u, r->f[1], (int)bot_field_i64(r, 2), 1) : NULL;
		if (!s)
			return -1;
		s->attempted = (int)bot_field_i64(r, 3);
		s->correct = (int)bot_field_i64(r, 4);
	} else if (strcmp(r->type, "offset") == 0 && r->nf >= 1) {
		int64_t off = bot_field_i64(r, 0);
		if (off > b->offset)
			b->offset = off;
	} else if (strcmp(r->type, "out") == 0 && r->nf >= 3) {
		struct bot_msg *m = calloc(1, sizeof *m);
		if (!m || !(m->body = strdup(r->f[2]))) {
			free(m);
			return -1;
		}
		m->id = (uint64_t)bot_field_i64(r, 0);
		m->chat_id = bot_field_i64(r, 1);
		if (m->id >= b->next_msg_id)
			b->next_msg_id = m->id + 1;
		bot_outbox_push(b, m);
	} else if (strcmp(r->type, "bcast") == 0 && r->nf >= 4) {
		b->bcast.admin_chat = bot_field_i64(r, 0);
		b->bcast.first = (uint64_t)bot_field_i64(r, 1);
		b->bcast.last = (uint64_t)bot_field_i64(r, 2);
		b->bcast.total = (int)bot_field_i64(r, 3);
		b->bcast.failed = 0;
	} else if (strcmp(r->type, "sent") == 0 && r->nf >= 1) {
		bot_outbox_remove(b, (uint64_t)bot_field_i64(r, 0));
	} else if (ai_apply(b->ai, r)) {
		/* the tutor's quota counts and cached answers */
	} else {
		/* A record type from a newer version, or one another section owns
		 * (the AI cache): not ours to judge. */
		log_debug("bot", "replay: skipping record type '%s'", r->type);
	}
	return 0;
}

/* The compaction callback: every live row once. */
static int bot_dump(void *ctx, struct store *s)
{
	struct bot *b = ctx;
	(void)s;
	b->dumping = 1;
	b->store_failed = 0;
	for (size_t i = 0; i < b->users.cap; i++) {
		struct bot_user *u = bot_user_at(b, i);
		if (!u)
			continue;
		bot_save_user(b, u);
		for (int k = 0; k < u->ntasks; k++)
			bot_save_task(b, u, &u->tasks[k]);
		for (int k = 0; k < u->nnums; k++)
			bot_save_num(b, u, &u->nums[k]);
	}
	bot_save_offset(b);
	for (struct bot_msg *m = b->outbox; m; m = m->next)
		bot_save_out(b, m);
	if (b->bcast.total)
		bot_save_bcast(b);
	ai_dump(b->ai, bot_emit_cb, b);
	b->dumping = 0;
	return b->store_failed ? -EIO : 0;
}

static void bot_init(struct bot *b, const struct bank *bank, struct store *store, const struct bot_opts *o)
{
	memset(b, 0, sizeof *b);
	b->o = *o;
	b->bank = bank;
	b->store = store;
	b->users.elem = sizeof(struct bot_slot);
	b->staged_tail = &b->staged;
	b->outbox_tail = &b->outbox;
	b->next_msg_id = 1;
	b->rng = (uint64_t)wall_ms() ^ ((uint64_t)getpid() << 32) ^ 0x5DEECE66DULL;
	b->ctr.started_ms = wall_ms();
}

/* SIGHUP: new settings; they apply to the next update. */
static void bot_set_opts(struct bot *b, const struct bot_opts *o)
{
	b->o = *o;
}

static void bot_free_state(struct bot *b)
{
	for (size_t i = 0; i < b->users.cap; i++)
		if (bot_user_at(b, i))
			bot_free_user(bot_user_at(b, i));
	imap_free(&b->users);
	struct bot_msg *lists[2] = {b->staged, b->outbox};
	for (int k = 0; k < 2; k++)
		for (struct bot_msg *m = lists[k], *next; m; m = next) {
			next = m->next;
			bot_msg_free(m);
		}
	b->staged = b->outbox = NULL;
	b->staged_tail = &b->staged;
	b->outbox_tail = &b->outbox;
	b->outbox_len = 0;
	free(b->marks); /* marks of messages the rebuilt outbox holds again: they are resent */
	b->marks = NULL;
	b->nmarks = b->capmarks = 0;
	b->nblocked = 0;
	b->offset = 0;
	memset(&b->bcast, 0, sizeof b->bcast); /* rebuilt from its record, like the rest */
}

/* --- replies: keyboards, splitting, staging --------------------------------------- */

struct bot_kb {
	int nrows;
	int ncols[BOT_KB_ROWS];
	const char *label[BOT_KB_ROWS][BOT_KB_COLS];
	char data[BOT_KB_ROWS][BOT_KB_COLS][BOT_CB_MAX + 1];
};

/* Add a button to row `row`.  callback_data over 64 bytes is refused here,
 * where buttons are built, so Telegram never sees it. */
static void bot_kb_add(struct bot_kb *kb, int row, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void bot_kb_add(struct bot_kb *kb, int row, const char *label, const char *fmt, ...)
{
	if (row >= BOT_KB_ROWS || kb->ncols[row] >= BOT_KB_COLS) {
		log_error("bot", "button '%s' does not fit the keyboard (%d rows of %d): left out", label, BOT_KB_ROWS, BOT_KB_COLS);
		return;
	}
	char data[BOT_CB_MAX + 2];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(data, sizeof data, fmt, ap);
	va_end(ap);
	if (n < 0 || n > BOT_CB_MAX) {
		log_error("bot", "button '%s': callback_data longer than %d bytes, button left out", label, BOT_CB_MAX);
		return;
	}
	int c = kb->ncols[row]++;
	kb->label[row][c] = label;
	memcpy(kb->data[row][c], data, (size_t)n + 1);
	if (row >= kb->nrows)
		kb->nrows = row + 1;
}

/* How many bytes of s fit in one message: cut on a paragraph, then a line,
 * then a word boundary, never inside an HTML tag, entity or UTF-8 sequence,
 * and only where no element (<b>, <i>, <code>...) is open. */
static size_t bot_split_point(const char *s, size_t n, size_t max_units)
{
	size_t units = 0, best_para = 0, best_line = 0, best_word = 0, best_any = 0;
	int depth = 0, in_tag = 0, in_entity = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c & 0xC0) != 0x80) {
			size_t add = c >= 0xF0 ? 2 : 1;
			if (units + add > max_units)
				break;
			units += add;
			if (!in_tag && !in_entity && depth == 0 && i > 0)
				best_any = i;
		}
		if (c == '<') {
			in_tag = 1;
			depth += (i + 1 < n && s[i + 1] == '/') ? -1 : 1;
		} else if (c == '>' && in_tag) {
			in_tag = 0;
		} else if (c == '&') {
			in_entity = 1;
		} else if (c == ';' && in_entity) {
			in_entity = 0;
		}
		if (in_tag || in_entity || depth > 0)
			continue;
		if (c == '\n' && i + 1 < n && s[i + 1] == '\n')
			best_para = i + 2;
		else if (c == '\n')
			best_line = i + 1;
		else if (c == ' ')
			best_word = i + 1;
	}
	if (units < max_units && utf16_len(s, n) <= max_units)
		return n;
	if (best_para)
		return best_para;
	if (best_line)
		return best_line;
	if (best_word)
		return best_word;
	return best_any ? best_any : n; /* one enormous tag: let Telegram refuse it */
}

/* Build the JSON body of one sendMessage. */
static int bot_build_body(struct buf *out, int64_t chat, const char *text, size_t n, const struct bot_kb *kb)
{
	struct json_w w;
	json_w_init(&w, out);
	json_w_obj_begin(&w);
	json_w_key(&w, "chat_id");
	json_w_val_i64(&w, chat);
	json_w_key(&w, "text");
	json_w_val_strn(&w, text, n);
	json_w_key(&w, "parse_mode");
	json_w_val_str(&w, "HTML");
	if (kb && kb->nrows) {
		json_w_key(&w, "reply_markup");
		json_w_obj_begin(&w);
		json_w_key(&w, "inline_keyboard");
		json_w_arr_begin(&w);
		for (int r = 0; r < kb->nrows; r++) {
			json_w_arr_begin(&w);
			for (int c = 0; c < kb->ncols[r]; c++) {
				json_w_obj_begin(&w);
				json_w_key(&w, "text");
				json_w_val_str(&w, kb->label[r][c]);
				json_w_key(&w, "callback_data");
				json_w_val_str(&w, kb->data[r][c]);
				json_w_obj_end(&w);
			}
			json_w_arr_end(&w);
		}
		json_w_arr_end(&w);
		json_w_obj_end(&w);
	}
	return json_w_obj_end(&w);
}

/* Stage a reply (HTML text) for the open batch; long texts become several
 * messages, the keyboard goes under the last one.  Out of memory loses the
 * reply, logged, never the state. */
static void bot_reply(struct bot *b, int64_t chat, const char *html, const struct bot_kb *kb)
{
	size_t len = strlen(html), off = 0;
	while (off < len) {
		size_t take = bot_split_point(html + off, len - off, BOT_TEXT_MAX);
		struct buf body = BUF_INIT;
		int last = off + take >= len;
		struct bot_msg *m = calloc(1, sizeof *m);
		if (!m || bot_build_body(&body, chat, html + off, take, last ? kb : NULL) < 0) {
			log_error("bot", "out of memory building a reply to chat %" PRId64, chat);
			free(m);
			buf_free(&body);
			return;
		}
		m->id = b->next_msg_id++;
		m->chat_id = chat;
		m->body = body.p;
		m->next = NULL;
		*b->staged_tail = m;
		b->staged_tail = &m->next;
		bot_save_out(b, m);
		off += take;
	}
}

__attribute__((format(printf, 4, 5)))
static void bot_replyf(struct bot *b, int64_t chat, const struct bot_kb *kb, const char *fmt, ...)
{
	struct buf t = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && buf_reserve(&t, (size_t)n) == 0) {
		va_start(ap, fmt);
		vsnprintf(t.p, (size_t)n + 1, fmt, ap);
		va_end(ap);
		t.len = (size_t)n;
		bot_reply(b, chat, t.p, kb);
	}
	buf_free(&t);
}

/* After a successful commit: the staged replies may leave. */
static void bot_release_staged(struct bot *b)
{
	while (b->staged) {
		struct bot_msg *m = b->staged;
		b->staged = m->next;
		bot_outbox_push(b, m);
	}
	b->staged_tail = &b->staged;
}


/* --- the outbox, as the transports see it -------------------------------------------
 *
 * The transports never walk or unlink the bot's lists: they read the queue
 * in order (bot_out_first / bot_out_next), say what happened to a message
 * (bot_out_done, bot_out_drop_chat, bot_out_retarget, bot_note_blocked),
 * and record those outcomes in a batch of their own (bot_record_marks).
 * A message's attempts and not_before are the transport's to set.
 */

static struct bot_msg *bot_out_first(const struct bot *b) { return b->outbox; }
static struct bot_msg *bot_out_next(const struct bot_msg *m) { return m->next; }
static long bot_out_len(const struct bot *b) { return b->outbox_len; }

/* Message m left the outbox: delivered (ok) or given up.  Its mark goes
 * into the next bot_record_marks().  Out of memory loses the mark (a resend
 * after a restart), never the removal. */
static void bot_out_done(struct bot *b, struct bot_msg *m, int ok)
{
	if (b->nmarks == b->capmarks) {
		size_t cap = b->capmarks ? b->capmarks * 2 : 64;
		uint64_t *p = realloc(b->marks, cap * sizeof *p);
		if (p) {
			b->marks = p;
			b->capmarks = cap;
		}
	}
	if (b->nmarks < b->capmarks)
		b->marks[b->nmarks++] = m->id | (ok ? 0 : BOT_MARK_DROPPED);
	bot_outbox_remove(b, m->id);
}

/* Give up every queued message to chat (it blocked us) except those
 * keep(ctx, m) says are on the wire.  Returns how many were dropped. */
static int bot_out_drop_chat(struct bot *b, int64_t chat, int (*keep)(void *ctx, const struct bot_msg *m), void *ctx)
{
	int n = 0;
	for (struct bot_msg *m = b->outbox, *next; m; m = next) {
		next = m->next;
		if (m->chat_id == chat && !(keep && keep(ctx, m))) {
			bot_out_done(b, m, 0);
			n++;
		}
	}
	return n;
}

/* The same sendMessage body for another chat: parsed and written anew,
 * every field but chat_id copied as it was.  0, or -1 (body left alone). */
static int bot_body_retarget(const char *body, int64_t to, struct buf *out)
{
	struct json_tok tk[BOT_BODY_TOKENS];
	int n = json_parse(body, strlen(body), tk, BOT_BODY_TOKENS);
	if (n < 1 || tk[0].type != JSON_OBJECT)
		return -1;
	struct json_w w;
	json_w_init(&w, out);
	json_w_obj_begin(&w);
	json_w_key(&w, "chat_id");
	json_w_val_i64(&w, to);
	for (int k = 0, i = 1; k < tk[0].size; k++, i = json_next(tk, n, i + 1)) {
		if (json_eq(body, tk, i, "chat_id"))
			continue;
		struct buf key = BUF_INIT;
		int v = i + 1;
		if (json_get_str(body, tk, i, &key) < 0) {
			buf_free(&key);
			return -1;
		}
		json_w_key(&w, key.p ? key.p : "");
		int q = tk[v].type == JSON_STRING; /* a string token's span excludes its quotes */
		json_w_val_raw(&w, body + tk[v].start - q, (size_t)(tk[v].end - tk[v].start + 2 * q));
		buf_free(&key);
	}
	return json_w_obj_end(&w);
}

/* The group became a supergroup: its queued messages follow it. */
static void bot_out_retarget(struct bot *b, int64_t from, int64_t to)
{
	for (struct bot_msg *m = b->outbox; m; m = m->next) {
		if (m->chat_id != from)
			continue;
		struct buf nb = BUF_INIT;
		if (bot_body_retarget(m->body, to, &nb) == 0) {
			free(m->body);
			m->body = nb.p;
			m->chat_id = to;
		} else {
			buf_free(&nb);
			log_error("bot", "message %" PRIu64 " could not follow chat %" PRId64 " to %" PRId64, m->id, from, to);
		}
	}
}

/* Telegram said this chat is gone (403): recorded by bot_record_marks(). */
static void bot_note_blocked(struct bot *b, int64_t chat)
{
	if (b->nblocked < BOT_BLOCKED_MAX)
		b->blocked[b->nblocked++] = chat;
}

static int bot_has_marks(const struct bot *b) { return b->nmarks || b->nblocked; }

/* --- progress rules ------------------------------------------------------------------- */

/* Count today as a practice day: extends or restarts the streak. */
static void bot_touch_streak(struct bot_user *u, int today)
{
	if (u->last_day == today)
		return;
	u->streak = u->last_day == today - 1 ? u->streak + 1 : 1;
	if (u->streak > u->best_streak)
		u->best_streak = u->streak;
	u->last_day = today;
}

static void bot_add_points(struct bot_user *u, int pts, int today)
{
	int week = bot_week(today);
	if (u->week_id != week) {
		u->week_id = week;
		u->week_points = 0;
	}
	u->points += pts;
	u->week_points += pts;
}

/* Announce achievements newly earned, once each (the bit is persisted with
 * the user row in the same batch). */
static void bot_award(struct bot *b, struct bot_user *u, int64_t chat)
{
	for (int i = 0; i < BOT_NACH && i < 32; i++) {
		if (u->achievements & (1u << i))
			continue;
		int v = bot_achievements[i].kind == ACH_SOLVED   ? u->solved
		        : bot_achievements[i].kind == ACH_STREAK ? u->streak
		                                                 : bot_level(u->points);
		if (v < bot_achievements[i].threshold)
			continue;
		u->achievements |= 1u << i;
		bot_replyf(b, chat, NULL, bot_t(u, T_ACHIEVEMENT),
		           u->lang == LANG_EN ? bot_achievements[i].en : bot_achievements[i].ru);
	}
}

/* The review schedule after an answer. */
static void bot_review_update(struct bot_taskstate *t, int correct, int today)
{
	if (!correct) {
		t->box = 0;
		t->right_in_row = 0;
		t->due_day = today + bot_review_days[0];
		return;
	}
	t->solved = 1;
	if (!t->due_day)
		return; /* not in review: nothing to schedule */
	if (++t->right_in_row >= BOT_REVIEW_DONE) {
		t->due_day = 0;
		t->box = 0;
		t->right_in_row = 0;
		return;
	}
	if (t->box + 1 < BOT_REVIEW_STEPS)
		t->box++;
	t->due_day = today + bot_review_days[t->box];
}

/* --- the task bank as the bot sees it ------------------------------------------------ */

static const struct bank_subject *bank_subject_find(const struct bank *bk, const char *id)
{
	int i = bank_subject_index(bk, id);
	return i < 0 ? NULL : &bk->subjects[i];
}

static const char *bot_subject_title(const struct bot *b, const char *sid)
{
	const struct bank_subject *s = bank_subject_find(b->bank, sid);
	return s ? s->title : sid;
}

static const char *bot_task_subject(const struct bot *b, const struct bank_task *t)
{
	return b->bank->subjects[t->subject].id;
}

static int bot_task_in_scope(const struct bot *b, const struct bank_task *t, const struct bot_user *u)
{
	return strcmp(bot_task_subject(b, t), u->subject) == 0 && (!u->num_filter || t->number == u->num_filter);
}

/* The next task: due reviews first, then unseen tasks in the task number
 * where the student is weakest, then anything; never the last one again.
 * NULL when the scope has no task at all. */
static const struct bank_task *bot_pick_task(struct bot *b, struct bot_user *u, int today, int *is_review)
{
	const struct bank *bk = b->bank;
	const struct bank_task *best = NULL;
	*is_review = 0;
	for (int i = 0; i < bk->ntasks; i++) {
		const struct bank_task *t = &bk->tasks[i];
		if (!bot_task_in_scope(b, t, u) || strcmp(t->id, u->last_task) == 0)
			continue;
		struct bot_taskstate *st = bot_taskstate(u, t->id, 0);
		if (st && st->due_day && st->due_day <= today) {
			if (!best || st->due_day < bot_taskstate(u, best->id, 0)->due_day)
				best = t;
		}
	}
	if (best) {
		*is_review = 1;
		return best;
	}
	/* unseen tasks: weight task numbers by weakness (lower accuracy first) */
	double best_acc = 2.0;
	int count = 0;
	for (int pass = 0; pass < 2 && !best; pass++) {
		for (int i = 0; i < bk->ntasks; i++) {
			const struct bank_task *t = &bk->tasks[i];
			if (!bot_task_in_scope(b, t, u) || strcmp(t->id, u->last_task) == 0)
				continue;
			if (pass == 0 && bot_taskstate(u, t->id, 0))
				continue; /* seen */
			struct bot_numstat *ns = bot_numstat(u, bot_task_subject(b, t), t->number, 0);
			double acc = ns ? (ns->correct + 1.0) / (ns->attempted + 2.0) : 0.5;
			if (pass == 1)
				acc = 0.5; /* everything seen: any task, uniformly */
			if (acc < best_acc - 1e-9) {
				best_acc = acc;
				best = t;
				count = 1;
			} else if (acc < best_acc + 1e-9 && bot_rand(b) % (uint64_t)++count == 0) {
				best = t; /* reservoir sampling among equals */
			}
		}
	}
	if (!best) /* a scope with a single task: repeating it is all we can do */
		for (int i = 0; i < bk->ntasks && !best; i++)
			if (bot_task_in_scope(b, &bk->tasks[i], u))
				best = &bk->tasks[i];
	return best;
}

/* --- handlers ---------------------------------------------------------------------- */

enum bot_in_kind { IN_TEXT, IN_CALLBACK, IN_MEMBER, IN_OTHER };

/* One decoded update, whatever the transport (Telegram or the console). */
struct bot_in {
	enum bot_in_kind kind;
	int64_t chat_id;
	int is_private;
	int64_t from_id;
	const char *first_name;  /* may be NULL */
	const char *lang_code;   /* may be NULL */
	const char *text;        /* message text or callback data; NULL for other kinds */
	const char *member_status; /* my_chat_member: new status */
};

struct bot_call {
	struct bot *b;
	struct bot_user *u;
	const struct bot_in *in;
	int64_t chat;
	const char *args; /* after the command word, spaces skipped */
	int today;
};

/* --- the AI tutor: commands, the Explain button, results ----------------------------------
 *
 * These turn bot state into struct ai_req and the tutor's results back into
 * staged replies.
 */

/* on_result: stage the answer as a reply in the open batch. */
static void bot_ai_on_result(void *ctx, const struct ai_result *r)
{
	struct bot *b = ctx;
	bot_reply(b, r->chat_id, r->html, NULL);
}

/* The worker's tutor, wired to this bot (records and results through it). */
static void bot_attach_ai(struct bot *b, const struct ai_opts *o)
{
	b->ai = ai_new(o, bot_ai_on_result, bot_emit_cb, b);
}

static void bot_ai_ask(struct bot_call *c, const char *question)
{
	struct bot_user *u = c->u;
	if (!*question) {
		bot_reply(c->b, c->chat, ai_t(u->lang, AT_ASK_USAGE), NULL);
		return;
	}
	const struct bank_task *t = u->pending[0] ? bank_find(c->b->bank, u->pending) : NULL;
	char key[AI_KEY_LEN];
	ai_cache_key(key, 'q', u->lang, question, t ? t->id : "");
	struct ai_req r = {u->id, c->chat, u->lang, bot_is_admin(c->b, u->id), AI_ASK, question,
	                   t ? t->text : NULL, NULL, NULL, NULL, key};
	if (ai_submit(c->b->ai, &r) == AI_OFF && !c->b->ai)
		bot_reply(c->b, c->chat, ai_t(u->lang, AT_OFF), NULL);
}

/* /ask QUESTION */
static void cmd_ask(struct bot_call *c)
{
	bot_ai_ask(c, c->args);
}

/* /reset: forget the tutor's conversation. */
static void cmd_reset(struct bot_call *c)
{
	ai_reset(c->b->ai, c->u->id);
	bot_reply(c->b, c->chat, ai_t(c->u->lang, AT_RESET), NULL);
}

/* Free text with no task pending: the tutor's, when it is on (1), else the
 * bot's usual hint (0). */
static int bot_ai_free_text(struct bot_call *c, const char *text)
{
	if (!ai_on(c->b->ai))
		return 0;
	bot_ai_ask(c, text);
	return 1;
}

/* The student changed subject: the old conversation no longer applies. */
static void bot_ai_subject_changed(struct bot *b, int64_t user)
{
	ai_reset(b->ai, user);
}

/* Add the Explain button (callback "x:TASK" or "x:TASK:WRONG", the wrong
 * answer cut to fit Telegram's 64 bytes) under a checked task. */
static void bot_ai_kb(const struct bot *b, const struct bot_user *u, struct bot_kb *kb, const char *task,
                      const char *wrong)
{
	if (!ai_on(b->ai))
		return;
	char w[BOT_CB_MAX + 1] = "";
	size_t room = BOT_CB_MAX - 3 - strlen(task);
	if (wrong && *wrong && room >= 1 && room < sizeof w)
		utf8_copy(w, room + 1, wrong);
	if (w[0])
		bot_kb_add(kb, kb->nrows, ai_t(u->lang, AT_BTN_EXPLAIN), "x:%s:%s", task, w);
	else
		bot_kb_add(kb, kb->nrows, ai_t(u->lang, AT_BTN_EXPLAIN), "x:%s", task);
}

/* The Explain button: data is "TASK" or "TASK:WRONG".  Pressing it while
 * the task is still pending ends the attempt, like the Solution button. */
static void bot_ai_explain(struct bot_call *c, const char *data)
{
	struct bot_user *u = c->u;
	char id[BOT_ID_MAX];
	const char *colon = strchr(data, ':');
	size_t n = colon ? (size_t)(colon - data) : strlen(data);
	if (n >= sizeof id)
		return;
	memcpy(id, data, n);
	id[n] = '\0';
	const char *wrong = colon ? colon + 1 : NULL;
	const struct bank_task *t = bank_find(c->b->bank, id);
	/* only the task in front of the student (pending or just answered):
	 * forged button data must not explain, answer included, any other */
	if (!t || strcmp(u->last_task, t->id) != 0) {
		if (t)
			log_info("bot", "user %" PRId64 ": Explain for a task that is not theirs now: refused", u->id);
		bot_reply(c->b, c->chat, ai_t(u->lang, AT_NO_TASK), NULL);
		return;
	}
	if (strcmp(u->pending, t->id) == 0) {
		struct bot_taskstate *st = bot_taskstate(u, t->id, 1);
		if (st && !st->solved && !st->due_day) {
			bot_review_update(st, 0, c->today);
			bot_save_task(c->b, u, st);
		}
		u->pending[0] = '\0';
	}
	char key[AI_KEY_LEN];
	ai_cache_key(key, 'x', u->lang, t->id, wrong ? wrong : "");
	struct ai_req r = {u->id, c->chat, u->lang, bot_is_admin(c->b, u->id), AI_EXPLAIN, NULL,
	                   t->text, t->answers[0], t->solution, wrong, key};
	if (ai_submit(c->b->ai, &r) == AI_OFF && !c->b->ai)
		bot_reply(c->b, c->chat, ai_t(u->lang, AT_OFF), NULL);
}

static void bot_kb_subjects(const struct bot *b, struct bot_kb *kb)
{
	memset(kb, 0, sizeof *kb);
	for (int i = 0; i < b->bank->nsubjects; i++)
		bot_kb_add(kb, i / 2, b->bank->subjects[i].title, "s:%s", b->bank->subjects[i].id);
}

static void bot_show_subjects(struct bot_call *c, enum bot_text_id head)
{
	struct bot_kb kb;
	bot_kb_subjects(c->b, &kb);
	bot_reply(c->b, c->chat, bot_t(c->u, head), &kb);
}

static void bot_show_numbers(struct bot_call *c, const char *sid)
{
	int nums[BANK_MAX_NUMBER];
	int nn = bank_numbers(c->b->bank, bank_subject_index(c->b->bank, sid), nums, BANK_MAX_NUMBER);
	if (nn > BANK_MAX_NUMBER)
		nn = BANK_MAX_NUMBER;
	if (nn <= 0) {
		bot_show_subjects(c, T_NO_TASKS);
		return;
	}
	struct bot_kb kb;
	memset(&kb, 0, sizeof kb);
	char labels[BANK_MAX_NUMBER][12];
	int per_row = nn > 24 ? 8 : 4; /* a big bank still fits in BOT_KB_ROWS */
	for (int i = 0; i < nn; i++) {
		snprintf(labels[i], sizeof labels[i], "№%d", nums[i]);
		bot_kb_add(&kb, i / per_row, labels[i], "n:%s:%d", sid, nums[i]);
	}
	int row = (nn + per_row - 1) / per_row;
	bot_kb_add(&kb, row, bot_t(c->u, T_ANY_NUMBER), "n:%s:0", sid);
	bot_kb_add(&kb, row + 1, bot_t(c->u, T_BTN_BACK), "subj");
	struct buf title = BUF_INIT;
	html_escape(&title, bot_subject_title(c->b, sid));
	bot_replyf(c->b, c->chat, &kb, bot_t(c->u, T_CHOOSE_NUMBER), title.p ? title.p : "");
	buf_free(&title);
}

/* --- generated tasks: reviews and fresh variants -------------------------------------
 *
 * A generated variant is a task like any other once dealt: its id
 * ("GENERATOR@SEED") goes into pending, last_task and the review state,
 * and bank_find() rebuilds it.  bot_pick_task() sees the bank's tasks,
 * where a generator is one entry; these two turn that entry into a variant
 * the student has not had, and bring generated variants back for review.
 */

#define BOT_GEN_SEEN_MAX 4096 /* a student's variants of one generator compared for repeats: years of daily practice */

/* The generated variant in scope most overdue for review (not the last
 * task), or NULL. */
static const struct bank_task *bot_due_variant(struct bot *b, struct bot_user *u, int today)
{
	int best = -1;
	for (int i = 0; i < u->ntasks; i++) {
		const struct bot_taskstate *st = &u->tasks[i];
		if (!st->due_day || st->due_day > today || !strchr(st->task, '@') || strcmp(st->task, u->last_task) == 0 ||
		    (best >= 0 && st->due_day >= u->tasks[best].due_day))
			continue;
		const struct bank_task *t = bank_find(b->bank, st->task);
		if (t && bot_task_in_scope(b, t, u))
			best = i;
	}
	return best < 0 ? NULL : bank_find(b->bank, u->tasks[best].task);
}

/* A variant of generator entry gen that this student has not had (by
 * text, not only by seed), or NULL when out of memory. */
static const struct bank_task *bot_fresh_variant(struct bot *b, struct bot_user *u, const struct bank_task *gen)
{
	const char **seen = malloc((size_t)(u->ntasks + 1) * sizeof *seen);
	if (!seen)
		return NULL;
	int n = 0;
	size_t gl = strlen(gen->id); /* "GENERATOR@" */
	for (int i = 0; i < u->ntasks && n < BOT_GEN_SEEN_MAX; i++)
		if (strncmp(u->tasks[i].task, gen->id, gl) == 0)
			seen[n++] = u->tasks[i].task;
	if (strncmp(u->last_task, gen->id, gl) == 0)
		seen[n++] = u->last_task;
	char id[BANK_MAX_ID_BYTES + 1];
	bank_gen_fresh(gen, seen, n, bot_rand(b), id); /* exhausted: a repeat is all there is */
	free(seen);
	return bank_find(b->bank, id);
}

/* Give the next task in the student's scope (the caller saves the user). */
static void bot_send_task(struct bot_call *c)
{
	struct bot_user *u = c->u;
	if (!u->subject[0] || !bank_subject_find(c->b->bank, u->subject)) {
		bot_show_subjects(c, T_NO_SUBJECT);
		return;
	}
	int review = 1;
	const struct bank_task *t = bot_due_variant(c->b, u, c->today);
	if (!t)
		t = bot_pick_task(c->b, u, c->today, &review);
	if (t && t->kind == BANK_GENERATOR)
		t = bot_fresh_variant(c->b, u, t);
	if (!t) {
		u->num_filter = 0;
		bot_show_subjects(c, T_NO_TASKS);
		return;
	}
	utf8_copy(u->pending, sizeof u->pending, t->id);
	utf8_copy(u->last_task, sizeof u->last_task, t->id);
	u->pending_wrong = 0;
	struct buf text = BUF_INIT, title = BUF_INIT;
	html_escape(&title, bot_subject_title(c->b, bot_task_subject(c->b, t)));
	html_escape(&text, t->text);
	buf_puts(&text, bot_t(u, T_TYPE_ANSWER));
	struct bot_kb kb;
	memset(&kb, 0, sizeof kb);
	bot_kb_add(&kb, 0, bot_t(u, T_BTN_SOLUTION), "sol");
	bot_kb_add(&kb, 0, bot_t(u, T_BTN_NEXT), "next");
	bot_kb_add(&kb, 1, bot_t(u, T_BTN_SUBJECT), "subj");
	bot_replyf(c->b, c->chat, &kb, bot_t(u, T_TASK_CARD), title.p ? title.p : "", t->number,
	           review ? bot_t(u, T_REVIEW_MARK) : "", text.p ? text.p : "");
	buf_free(&text);
	buf_free(&title);
}

static void bot_after_task_kb(const struct bot_user *u, struct bot_kb *kb, int with_solution)
{
	memset(kb, 0, sizeof *kb);
	if (with_solution)
		bot_kb_add(kb, 0, bot_t(u, T_BTN_SOLUTION), "sol");
	bot_kb_add(kb, 0, bot_t(u, T_BTN_NEXT), "next");
	bot_kb_add(kb, 1, bot_t(u, T_BTN_SUBJECT), "subj");
}

static void bot_solution_text(const struct bot_user *u, const struct bank_task *t, struct buf *out)
{
	struct buf ans = BUF_INIT, sol = BUF_INIT;
	html_escape(&ans, t->answers[0]);
	html_escape(&sol, t->solution);
	buf_printf(out, bot_t(u, T_SOLUTION), ans.p ? ans.p : "", sol.p ? sol.p : "");
	buf_free(&ans);
	buf_free(&sol);
}

/* A student typed an answer to the pending task. */
static void bot_check_answer(struct bot_call *c, const char *answer)
{
	struct bot *b = c->b;
	struct bot_user *u = c->u;
	const struct bank_task *t = bank_find(b->bank, u->pending);
	if (!t) { /* the bank was reloaded without this task: move on gracefully */
		u->pending[0] = '\0';
		bot_send_task(c);
		return;
	}
	if (strlen(answer) > BOT_ANSWER_MAX) {
		bot_reply(b, c->chat, bot_t(u, T_TOO_LONG), NULL);
		return;
	}
	int note;
	int correct = bank_answer_check(t, answer, &note);
	struct bot_taskstate *st = bot_taskstate(u, t->id, 1);
	struct bot_numstat *ns = bot_numstat(u, bot_task_subject(b, t), t->number, 1);
	u->attempts++;
	if (ns) {
		ns->attempted++;
		ns->correct += correct;
		bot_save_num(b, u, ns);
	}
	bot_touch_streak(u, c->today);
	struct bot_kb kb;
	if (correct) {
		int pts = u->pending_wrong ? bot_points.later_try : bot_points.first_try;
		int level_before = bot_level(u->points);
		bot_add_points(u, pts, c->today);
		u->solved++;
		u->pending[0] = '\0';
		struct buf text = BUF_INIT;
		buf_printf(&text, bot_t(u, T_CORRECT), pts);
		if (note)
			buf_printf(&text, "\n%s", bank_note_text(note, u->lang));
		buf_puts(&text, "\n\n");
		bot_solution_text(u, t, &text);
		if (bot_level(u->points) > level_before) {
			buf_puts(&text, "\n\n");
			buf_printf(&text, bot_t(u, T_LEVEL_UP), bot_level(u->points));
		}
		bot_after_task_kb(u, &kb, 0);
		bot_ai_kb(b, u, &kb, t->id, NULL);
		bot_reply(b, c->chat, text.p ? text.p : "", &kb);
		buf_free(&text);
	} else {
		u->pending_wrong++;
		bot_after_task_kb(u, &kb, 1);
		bot_ai_kb(b, u, &kb, t->id, answer);
		struct buf text = BUF_INIT;
		buf_puts(&text, bot_t(u, T_WRONG));
		if (note)
			buf_printf(&text, "\n%s", bank_note_text(note, u->lang));
		bot_reply(b, c->chat, text.p ? text.p : bot_t(u, T_WRONG), &kb);
		buf_free(&text);
	}
	if (st) {
		bot_review_update(st, correct, c->today);
		bot_save_task(b, u, st);
	}
	bot_award(b, u, c->chat);
	b->ctr.answers++;
}

static void bot_show_solution(struct bot_call *c)
{
	struct bot_user *u = c->u;
	const struct bank_task *t = bank_find(c->b->bank, u->pending[0] ? u->pending : u->last_task);
	if (!t) {
		bot_reply(c->b, c->chat, bot_t(u, T_NOTHING_PENDING), NULL);
		return;
	}
	if (u->pending[0]) {
		/* seeing the solution ends the attempt; an unanswered task comes back for review */
		struct bot_taskstate *st = bot_taskstate(u, t->id, 1);
		if (st && !st->solved && !st->due_day) {
			bot_review_update(st, 0, c->today);
			bot_save_task(c->b, u, st);
		}
		u->pending[0] = '\0';
	}
	struct buf text = BUF_INIT;
	bot_solution_text(u, t, &text);
	struct bot_kb kb;
	bot_after_task_kb(u, &kb, 0);
	bot_ai_kb(c->b, u, &kb, t->id, NULL);
	bot_reply(c->b, c->chat, text.p ? text.p : "", &kb);
	buf_free(&text);
}

static void cmd_start(struct bot_call *c)
{
	struct buf name = BUF_INIT;
	html_escape(&name, c->u->name[0] ? c->u->name : "друг");
	struct bot_kb kb;
	bot_kb_subjects(c->b, &kb);
	bot_replyf(c->b, c->chat, &kb, bot_t(c->u, T_GREETING), name.p);
	buf_free(&name);
}

static void cmd_subjects(struct bot_call *c) { bot_show_subjects(c, T_CHOOSE_SUBJECT); }
static void cmd_task(struct bot_call *c) { bot_send_task(c); }
static void cmd_help(struct bot_call *c) { bot_reply(c->b, c->chat, bot_t(c->u, T_HELP), NULL); }

static void cmd_cancel(struct bot_call *c)
{
	if (!c->u->pending[0]) {
		bot_reply(c->b, c->chat, bot_t(c->u, T_NOTHING_PENDING), NULL);
		return;
	}
	c->u->pending[0] = '\0';
	bot_reply(c->b, c->chat, bot_t(c->u, T_CANCELLED), NULL);
}

/* 1-based rank by all-time points (ties share the better place). */
static int bot_rank(const struct bot *b, const struct bot_user *u)
{
	int rank = 1;
	for (size_t i = 0; i < b->users.cap; i++)
		if (bot_user_at(b, i) && bot_user_at(b, i)->points > u->points)
			rank++;
	return rank;
}

static void cmd_stats(struct bot_call *c)
{
	struct bot_user *u = c->u;
	if (!u->attempts) {
		bot_reply(c->b, c->chat, bot_t(u, T_STATS_NONE), NULL);
		return;
	}
	struct buf t = BUF_INIT;
	buf_printf(&t, bot_t(u, T_STATS_HEAD), u->points, bot_level(u->points), u->last_day >= c->today - 1 ? u->streak : 0,
	           u->best_streak, bot_rank(c->b, u), (int)bot_nusers(c->b), u->solved, u->attempts);
	for (int s = 0; s < c->b->bank->nsubjects; s++) {
		const struct bank_subject *sub = &c->b->bank->subjects[s];
		int att = 0, cor = 0;
		for (int i = 0; i < u->nnums; i++)
			if (strcmp(u->nums[i].subject, sub->id) == 0)
				att += u->nums[i].attempted, cor += u->nums[i].correct;
		if (!att)
			continue;
		buf_puts(&t, "\n\n<b>");
		html_escape(&t, sub->title);
		buf_printf(&t, "</b>: %d/%d (%d%%)", cor, att, cor * 100 / att);
		for (int n = 0; n <= BANK_MAX_NUMBER; n++)
			for (int i = 0; i < u->nnums; i++)
				if (u->nums[i].number == n && u->nums[i].attempted && strcmp(u->nums[i].subject, sub->id) == 0)
					buf_printf(&t, "\n  №%d: %d/%d (%d%%)", n, u->nums[i].correct, u->nums[i].attempted,
					           u->nums[i].correct * 100 / u->nums[i].attempted);
	}
	bot_reply(c->b, c->chat, t.p ? t.p : "", NULL);
	buf_free(&t);
}

static int bot_week_points(const struct bot_user *u, int week) { return u->week_id == week ? u->week_points : 0; }

/* Append one leaderboard: top N by (weekly or all-time) points, plus the
 * caller's own place when outside it.  Display names only, never ids. */
static void bot_top_list(struct bot_call *c, struct buf *t, int weekly)
{
	int week = bot_week(c->today);
	const struct bot_user *top[BOT_TOP_N];
	int ntop = 0;
	for (size_t i = 0; i < c->b->users.cap; i++) {
		const struct bot_user *u = bot_user_at(c->b, i);
		int pts = u ? (weekly ? bot_week_points(u, week) : u->points) : 0;
		if (!u || pts <= 0)
			continue;
		int pos = ntop < BOT_TOP_N ? ntop++ : BOT_TOP_N;
		if (pos == BOT_TOP_N) {
			const struct bot_user *last = top[BOT_TOP_N - 1];
			int lp = weekly ? bot_week_points(last, week) : last->points;
			if (pts <= lp)
				continue;
			pos = BOT_TOP_N - 1;
		}
		while (pos > 0) {
			const struct bot_user *p = top[pos - 1];
			int pp = weekly ? bot_week_points(p, week) : p->points;
			if (pp > pts || (pp == pts && p->id < u->id))
				break;
			top[pos] = top[pos - 1];
			pos--;
		}
		top[pos] = u;
	}
	buf_puts(t, bot_t(c->u, weekly ? T_TOP_WEEK : T_TOP_ALL));
	if (!ntop) {
		buf_printf(t, "\n%s", bot_t(c->u, T_TOP_EMPTY));
		return;
	}
	static const char *const medals[] = {"🥇", "🥈", "🥉"};
	int mine = 0;
	for (int i = 0; i < ntop; i++) {
		if (i < 3)
			buf_printf(t, "\n%s ", medals[i]);
		else
			buf_printf(t, "\n%d. ", i + 1);
		html_escape(t, top[i]->name[0] ? top[i]->name : "—");
		buf_printf(t, " — %d", weekly ? bot_week_points(top[i], week) : top[i]->points);
		mine |= top[i] == c->u;
	}
	int my = weekly ? bot_week_points(c->u, week) : c->u->points;
	if (!mine && my > 0) {
		int place = 1;
		for (size_t i = 0; i < c->b->users.cap; i++) {
			const struct bot_user *u = bot_user_at(c->b, i);
			if (u && (weekly ? bot_week_points(u, week) : u->points) > my)
				place++;
		}
		buf_puts(t, "\n");
		buf_printf(t, bot_t(c->u, T_TOP_YOU), place, my);
	}
}

static void cmd_top(struct bot_call *c)
{
	struct buf t = BUF_INIT;
	bot_top_list(c, &t, 1);
	buf_puts(&t, "\n\n");
	bot_top_list(c, &t, 0);
	bot_reply(c->b, c->chat, t.p ? t.p : "", NULL);
	buf_free(&t);
}

static void cmd_remind(struct bot_call *c)
{
	const char *a = c->args;
	if (strcmp(a, "off") == 0 || strcmp(a, "выкл") == 0) {
		c->u->remind_hour = -1;
		bot_reply(c->b, c->chat, bot_t(c->u, T_REMIND_OFF), NULL);
		return;
	}
	char *end;
	long h = strtol(a, &end, 10);
	if (!*a || (*end && *end != ':') || h < 0 || h > 23) {
		bot_reply(c->b, c->chat, bot_t(c->u, T_REMIND_USAGE), NULL);
		return;
	}
	c->u->remind_hour = (int)h;
	bot_replyf(c->b, c->chat, NULL, bot_t(c->u, T_REMIND_SET), (int)h);
}

static void cmd_lang(struct bot_call *c)
{
	for (int l = 0; l < LANG_COUNT; l++)
		if (strcmp(c->args, cfg_langs[l]) == 0) {
			c->u->lang = l;
			c->u->lang_fixed = 1;
			bot_reply(c->b, c->chat, bot_t(c->u, T_LANG_SET), NULL);
			return;
		}
	bot_reply(c->b, c->chat, bot_t(c->u, T_LANG_USAGE), NULL);
}

static void cmd_status(struct bot_call *c)
{
	struct bot *b = c->b;
	int active = 0;
	for (size_t i = 0; i < b->users.cap; i++)
		if (bot_user_at(b, i) && bot_user_at(b, i)->last_day == c->today)
			active++;
	long errs = 0;
	for (int i = 0; i < 60; i++)
		errs += b->ctr.errors_hour[i];
	int64_t up = (wall_ms() - b->ctr.started_ms) / 1000;
	bot_replyf(b, c->chat, NULL, bot_t(c->u, T_STATUS), EXAMFLOW_VERSION, up / 86400, up / 3600 % 24, up / 60 % 60, bot_nusers(b), active,
	           b->ctr.updates_today, b->outbox_len, errs, b->store ? store_bytes(b->store) / 1024 : 0);
}

static void cmd_stats_all(struct bot_call *c)
{
	struct bot *b = c->b;
	struct buf t = BUF_INIT;
	buf_puts(&t, bot_t(c->u, T_STATS_ALL_HEAD));
	for (int s = 0; s < b->bank->nsubjects; s++) {
		long att = 0, cor = 0, users = 0;
		for (size_t i = 0; i < b->users.cap; i++) {
			const struct bot_user *u = bot_user_at(b, i);
			int mine = 0;
			for (int k = 0; u && k < u->nnums; k++)
				if (strcmp(u->nums[k].subject, b->bank->subjects[s].id) == 0)
					att += u->nums[k].attempted, cor += u->nums[k].correct, mine = 1;
			users += mine;
		}
		buf_puts(&t, "\n");
		html_escape(&t, b->bank->subjects[s].title);
		buf_printf(&t, bot_t(c->u, T_STATS_ALL_LINE), users, att, cor);
	}
	bot_reply(b, c->chat, t.p ? t.p : "", NULL);
	buf_free(&t);
}

static void cmd_broadcast(struct bot_call *c)
{
	if (!*c->args) {
		bot_reply(c->b, c->chat, bot_t(c->u, T_BROADCAST_USAGE), NULL);
		return;
	}
	struct bot *b = c->b;
	if (b->bcast.total) {
		int left = 0;
		for (struct bot_msg *m = b->outbox; m; m = m->next)
			left += m->id >= b->bcast.first && m->id <= b->bcast.last;
		bot_replyf(b, c->chat, NULL, bot_t(c->u, T_BROADCAST_BUSY), left);
		return;
	}
	size_t rcpt = 0;
	for (size_t i = 0; i < b->users.cap; i++)
		rcpt += bot_user_at(b, i) && !bot_user_at(b, i)->blocked;
	if (rcpt > BOT_BCAST_MAX) {
		bot_replyf(b, c->chat, NULL, bot_t(c->u, T_BROADCAST_TOO_MANY), rcpt, BOT_BCAST_MAX);
		return;
	}
	struct buf text = BUF_INIT;
	html_escape(&text, c->args);
	int n = 0;
	uint64_t first = b->next_msg_id;
	for (size_t i = 0; i < b->users.cap; i++) {
		const struct bot_user *u = bot_user_at(b, i);
		if (!u || u->blocked)
			continue;
		bot_reply(b, u->id, text.p, NULL);
		n++;
	}
	buf_free(&text);
	if (n) {
		struct bot_bcast bc = {c->chat, first, b->next_msg_id - 1, n, 0};
		b->bcast = bc;
		bot_save_bcast(b);
	}
	log_info("bot", "broadcast queued for %d users", n);
	bot_replyf(b, c->chat, NULL, bot_t(c->u, T_BROADCAST_QUEUED), n);
}

/* A message left the outbox (ok: Telegram took it).  When the last one of
 * a broadcast is gone, the admin gets the final count.  Inside a batch. */
static void bot_bcast_note(struct bot *b, uint64_t id, int ok)
{
	struct bot_bcast *bc = &b->bcast;
	if (!bc->total || id < bc->first || id > bc->last)
		return;
	bc->failed += !ok;
	for (struct bot_msg *m = b->outbox; m; m = m->next)
		if (m->id >= bc->first && m->id <= bc->last)
			return;
	int delivered = bc->total - bc->failed;
	log_info("bot", "broadcast finished: %d of %d delivered", delivered < 0 ? 0 : delivered, bc->total);
	struct bot_user *admin = bot_find_user(b, bc->admin_chat);
	bot_replyf(b, bc->admin_chat, NULL, bot_tl(admin ? admin->lang : b->o.lang, T_BROADCAST_DONE), delivered < 0 ? 0 : delivered, bc->total);
	bc->total = 0;
	bot_save_bcast(b);
}

enum { CMD_ANY = 0, CMD_ADMIN = 1, CMD_PRIVATE = 2 };

/* The command table: name, handler, who may use it, where, and the line in
 * Telegram's command menu (setMyCommands; "" keeps it out of the menu).  The
 * menu lists the entries in this order. */
static const struct {
	const char *name;
	void (*fn)(struct bot_call *c);
	int flags;
	const char *menu[LANG_COUNT];
} bot_cmds[] = {
	{"task", cmd_task, CMD_PRIVATE, {"Следующая задача", "Next task"}},
	{"subjects", cmd_subjects, CMD_PRIVATE, {"Выбрать предмет", "Choose a subject"}},
	{"stats", cmd_stats, CMD_ANY, {"Моя статистика", "My statistics"}},
	{"top", cmd_top, CMD_ANY, {"Рейтинг", "Leaderboard"}},
	{"remind", cmd_remind, CMD_PRIVATE, {"Ежедневное напоминание", "Daily reminder"}},
	{"lang", cmd_lang, CMD_ANY, {"Язык", "Language"}},
	{"ask", cmd_ask, CMD_PRIVATE, {"Спросить ИИ-репетитора", "Ask the AI tutor"}},
	{"help", cmd_help, CMD_ANY, {"Справка", "Help"}},
	{"start", cmd_start, CMD_ANY, {"", ""}},
	{"cancel", cmd_cancel, CMD_PRIVATE, {"", ""}},
	{"reset", cmd_reset, CMD_PRIVATE, {"", ""}},
	{"status", cmd_status, CMD_ADMIN, {"", ""}},
	{"broadcast", cmd_broadcast, CMD_ADMIN, {"", ""}},
	{"stats_all", cmd_stats_all, CMD_ADMIN, {"", ""}},
};
#define BOT_NCMDS ((int)(sizeof bot_cmds / sizeof bot_cmds[0]))

/* Parse "/cmd@name args": returns 1 and fills cmd (lower-case) and args when
 * text is a command addressed to us (or to nobody in particular). */
static int bot_parse_command(const struct bot *b, const char *text, char *cmd, size_t cmdlen, const char **args)
{
	if (text[0] != '/')
		return 0;
	size_t i = 1, n = 0;
	while (text[i] && text[i] != ' ' && text[i] != '@' && text[i] != '\n') {
		if (n + 1 < cmdlen)
			cmd[n++] = (char)tolower((unsigned char)text[i]);
		i++;
	}
	cmd[n] = '\0';
	if (text[i] == '@') {
		size_t at = ++i;
		while (text[i] && text[i] != ' ' && text[i] != '\n')
			i++;
		if (b->username[0] && (strlen(b->username) != i - at || strncasecmp(text + at, b->username, i - at) != 0))
			return 0; /* a command for another bot */
	}
	while (text[i] == ' ' || text[i] == '\n')
		i++;
	*args = text + i;
	return n > 0;
}

static void bot_on_command(struct bot_call *c, const char *cmd)
{
	for (int i = 0; i < BOT_NCMDS; i++) {
		if (strcmp(cmd, bot_cmds[i].name) != 0)
			continue;
		if ((bot_cmds[i].flags & CMD_ADMIN) && !bot_is_admin(c->b, c->in->from_id)) {
			bot_reply(c->b, c->chat, bot_t(c->u, T_ADMIN_ONLY), NULL);
			return;
		}
		if ((bot_cmds[i].flags & CMD_PRIVATE) && !c->in->is_private) {
			bot_reply(c->b, c->chat, bot_t(c->u, T_GROUP_PRIVATE), NULL);
			return;
		}
		log_info("bot", "user %" PRId64 " used /%s", c->u->id, cmd);
		c->b->ctr.commands++;
		bot_cmds[i].fn(c);
		return;
	}
	bot_reply(c->b, c->chat, bot_t(c->u, T_UNKNOWN_CMD), NULL);
}

/* n:SUBJECT:NUMBER: the student chose a subject and a task number (0: any). */
static void cb_number(struct bot_call *c, const char *arg)
{
	struct bot_user *u = c->u;
	char sid[BOT_ID_MAX];
	const char *colon = strrchr(arg, ':');
	size_t len = colon ? (size_t)(colon - arg) : 0;
	if (!colon || len >= sizeof sid)
		return;
	memcpy(sid, arg, len);
	sid[len] = '\0';
	if (!bank_subject_find(c->b->bank, sid))
		return;
	if (strcmp(u->subject, sid) != 0)
		bot_ai_subject_changed(c->b, u->id);
	utf8_copy(u->subject, sizeof u->subject, sid);
	u->num_filter = atoi(colon + 1);
	u->last_task[0] = '\0';
	bot_send_task(c);
}

/* s:SUBJECT: the task numbers of a subject. */
static void cb_subject(struct bot_call *c, const char *arg)
{
	if (bank_subject_find(c->b->bank, arg))
		bot_show_numbers(c, arg);
}

static void cb_subjects(struct bot_call *c, const char *arg) { (void)arg; cmd_subjects(c); }
static void cb_next(struct bot_call *c, const char *arg) { (void)arg; bot_send_task(c); }
static void cb_solution(struct bot_call *c, const char *arg) { (void)arg; bot_show_solution(c); }

/* The button table: callback_data is "NAME" (exact) or "NAME:ARG" (prefix);
 * flags as in the command table (every button is about tasks: private). */
static const struct {
	const char *name;
	int has_arg;
	void (*fn)(struct bot_call *c, const char *arg);
	int flags;
} bot_buttons[] = {
	{"subj", 0, cb_subjects, CMD_PRIVATE},
	{"s", 1, cb_subject, CMD_PRIVATE},
	{"n", 1, cb_number, CMD_PRIVATE},
	{"next", 0, cb_next, CMD_PRIVATE},
	{"sol", 0, cb_solution, CMD_PRIVATE},
	{"x", 1, bot_ai_explain, CMD_PRIVATE},
};

/* A button press.  Whatever the data says, it is checked against the state
 * it claims: the handlers only act on the student's own current task. */
static void bot_on_callback(struct bot_call *c, const char *data)
{
	for (size_t i = 0; i < sizeof bot_buttons / sizeof bot_buttons[0]; i++) {
		size_t n = strlen(bot_buttons[i].name);
		if (strncmp(data, bot_buttons[i].name, n) != 0)
			continue;
		if ((bot_buttons[i].flags & CMD_PRIVATE) && !c->in->is_private) {
			bot_reply(c->b, c->chat, bot_t(c->u, T_GROUP_PRIVATE), NULL);
			return;
		}
		if (!bot_buttons[i].has_arg && data[n] == '\0') {
			bot_buttons[i].fn(c, "");
			return;
		}
		if (bot_buttons[i].has_arg && data[n] == ':') {
			bot_buttons[i].fn(c, data + n + 1);
			return;
		}
	}
	log_debug("bot", "unknown callback data from user %" PRId64, c->u->id);
}

/* Apply one update to the state and stage the replies.  The caller has
 * begun a storage batch and commits it after the whole getUpdates batch. */
static void bot_handle(struct bot *b, const struct bot_in *in)
{
	b->ctr.updates++;
	int today = bot_today(b);
	if (b->ctr.day != today) {
		b->ctr.day = today;
		b->ctr.updates_today = 0;
	}
	b->ctr.updates_today++;
	if (!in->from_id)
		return; /* channel posts and the like: nobody to answer */
	struct bot_user *u = bot_get_user(b, in->from_id);
	if (!u) {
		log_error("bot", "user table full or out of memory: update from %" PRId64 " ignored", in->from_id);
		return;
	}
	if (in->first_name && in->first_name[0])
		utf8_copy(u->name, sizeof u->name, in->first_name);
	if (!u->lang_fixed && in->lang_code && in->lang_code[0])
		u->lang = strncmp(in->lang_code, "ru", 2) == 0 || strncmp(in->lang_code, "uk", 2) == 0 ||
		                  strncmp(in->lang_code, "be", 2) == 0 || strncmp(in->lang_code, "kk", 2) == 0
		              ? LANG_RU
		              : strncmp(in->lang_code, "en", 2) == 0 ? LANG_EN : b->o.lang;
	struct bot_call c = {b, u, in, in->chat_id, "", today};
	if (in->kind == IN_MEMBER && in->is_private) { /* a group's membership says nothing about the student */
		u->blocked = in->member_status && (strcmp(in->member_status, "kicked") == 0 || strcmp(in->member_status, "left") == 0);
		log_info("bot", "user %" PRId64 " %s the bot", u->id, u->blocked ? "blocked" : "unblocked");
	} else if (in->is_private && u->blocked) {
		u->blocked = 0; /* they wrote to us: they are back */
	}
	if (in->kind == IN_CALLBACK && in->text) {
		bot_on_callback(&c, in->text);
	} else if (in->kind == IN_TEXT && in->text) {
		char cmd[32];
		const char *args;
		if (bot_parse_command(b, in->text, cmd, sizeof cmd, &args)) {
			c.args = args;
			bot_on_command(&c, cmd);
		} else if (!in->is_private) {
			/* group chatter: not for us */
		} else if (u->pending[0]) {
			bot_check_answer(&c, in->text);
		} else if (!bot_ai_free_text(&c, in->text)) {
			bot_reply(b, c.chat, bot_t(u, T_HINT), NULL);
		}
	} else if (in->kind == IN_OTHER && in->is_private) {
		bot_reply(b, c.chat, bot_t(u, T_UNSUPPORTED), NULL);
	}
	bot_save_user(b, u);
}

/* Daily reminders due now: at the student's hour, only on days without
 * practice, never to blocked users.  Called from the timer; the caller
 * wraps it in a batch. Returns how many were staged. */
static int bot_send_reminders(struct bot *b, int64_t now_ms)
{
	int today = local_day(now_ms, b->o.tz_offset_min);
	int hour = (int)(((now_ms / 1000 + (int64_t)b->o.tz_offset_min * 60) % 86400 + 86400) % 86400 / 3600);
	int n = 0;
	for (size_t i = 0; i < b->users.cap; i++) {
		struct bot_user *u = bot_user_at(b, i);
		if (!u || u->blocked || u->remind_hour != hour || u->last_day == today || u->remind_day == today)
			continue;
		u->remind_day = today;
		bot_reply(b, u->id, bot_t(u, T_REMINDER), NULL);
		bot_save_user(b, u);
		n++;
	}
	return n;
}

/* Telegram said this chat is gone (403): never write again until they do. */
static void bot_mark_blocked(struct bot *b, int64_t chat)
{
	struct bot_user *u = bot_find_user(b, chat);
	if (u && !u->blocked) {
		u->blocked = 1;
		bot_save_user(b, u);
		log_info("bot", "user %" PRId64 " blocked the bot or was deactivated: no more messages", chat);
	}
}

/* Inside a batch: record what left the outbox since the last call (one
 * "sent" line each), count broadcast deliveries, mark blocked chats. */
static void bot_record_marks(struct bot *b)
{
	for (size_t i = 0; i < b->nmarks; i++)
		bot_save_sent(b, b->marks[i] & ~BOT_MARK_DROPPED);
	for (size_t i = 0; i < b->nmarks; i++)
		bot_bcast_note(b, b->marks[i] & ~BOT_MARK_DROPPED, !(b->marks[i] & BOT_MARK_DROPPED));
	for (int i = 0; i < b->nblocked; i++)
		bot_mark_blocked(b, b->blocked[i]);
	b->nmarks = 0;
	b->nblocked = 0;
}

/* ==========================================================================
 * 11. Transports: the worker and its batch cycle, the console demo, the Telegram engine
 * ==========================================================================
 * The worker (struct worker) owns the bank, the storage and the bot, and
 * is given its options (struct worker_opts: every section's, filled by
 * worker_opts_init from a configuration).  Both transports run the same
 * cycle, worker_cycle(), for every batch: begin a storage batch, apply
 * (updates, delivery marks, the tutor's answers, reminders), record the new
 * offset, commit once, and only then let the staged replies out.  If the
 * commit fails (disk full, I/O error) the in-memory state is thrown away and
 * rebuilt from disk, the offset is not confirmed, and Telegram sends the
 * same updates again later: nothing is lost and nothing counts twice.  A
 * batch that can never be stored (a record over the size limit) is skipped:
 * the offset alone moves past it, logged.
 *
 * The Telegram engine is a loop over lanes (tg_lanes: signals, timers, the
 * poll lane, the send lane, the AI lane, the health lane), each a want()
 * that fills pollfds and a step() that acts on them.  It reads the bot's
 * outbox only through bot_out_*, classifies every answer Telegram gives with
 * tg_classify, and tells whoever runs it about itself through struct
 * tg_hooks (heartbeats and struct status for the watchdog, SIGHUP's reload).
 */


/* The Telegram engine's settings (the engine itself is further down). */
struct tg_opts {
	char token[128];              /* a secret: only ever inside request paths */
	char api[256];                /* Bot API base URL */
	char ca_file[PATH_MAX_LEN];   /* "" the system bundle */
	int poll_timeout_s;           /* getUpdates long poll */
	int64_t check_interval_ms;    /* health snapshots at least this often */
	int64_t admin_ids[CFG_MAX_ADMINS]; /* notices about the bot itself */
	int nadmins;
};

/* Everything a worker is told: each section's options and the storage's.
 * worker_opts_init() fills it from a configuration; SIGHUP brings a new one
 * through the caller's reload hook. */
struct worker_opts {
	struct bot_opts bot;
	struct ai_opts ai;
	struct health_opts health;
	struct tg_opts tg;
	char data_dir[PATH_MAX_LEN];
	int fsync_mode;               /* FSYNC_* */
	int compact_factor;
	int64_t compact_min_bytes;
	char tasks_file[PATH_MAX_LEN]; /* "" the embedded bank only */
	int tasks_mode;               /* BANK_ADD or BANK_REPLACE */
};

static void worker_opts_init(struct worker_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	bot_opts_init(&o->bot, c);
	ai_opts_init(&o->ai, c);
	health_opts_init(&o->health, c);
	snprintf(o->tg.token, sizeof o->tg.token, "%s", c->telegram_token);
	snprintf(o->tg.api, sizeof o->tg.api, "%s", c->telegram_api);
	snprintf(o->tg.ca_file, sizeof o->tg.ca_file, "%s", c->ca_file);
	o->tg.poll_timeout_s = c->poll_timeout;
	o->tg.check_interval_ms = (int64_t)c->check_interval * 1000;
	o->tg.nadmins = c->nadmins;
	memcpy(o->tg.admin_ids, c->admin_ids, sizeof o->tg.admin_ids);
	snprintf(o->data_dir, sizeof o->data_dir, "%s", c->data_dir);
	o->fsync_mode = c->fsync_mode;
	o->compact_factor = c->compact_factor;
	o->compact_min_bytes = (int64_t)c->compact_min_kb * 1024;
	snprintf(o->tasks_file, sizeof o->tasks_file, "%s", c->tasks_file);
	o->tasks_mode = c->tasks_mode == BANK_REPLACE ? BANK_REPLACE : BANK_ADD;
}

/* Forget the secrets an options set holds (before it is freed or replaced). */
static void worker_opts_wipe(struct worker_opts *o)
{
	explicit_bzero(o->tg.token, sizeof o->tg.token);
	explicit_bzero(o->ai.key, sizeof o->ai.key);
	explicit_bzero(o->health.heartbeat_url, sizeof o->health.heartbeat_url);
}

/* Everything a worker owns.  One instance, owned by the transport's main
 * function (demo_run or the Telegram worker). */
struct worker {
	struct worker_opts o;
	struct bank bank;
	struct store store;
	struct bot bot;
	int store_open;
	int64_t commit_backoff_ms;   /* after a failed commit */
	int64_t commit_retry_at;     /* mono ms: no new batch before this */
	int disk_ok;                 /* last commit succeeded */
	long commit_failures;        /* since the worker started, for /metrics */
	void (*on_reload)(void *ctx); /* the transport forgets pointers into the old state */
	void *reload_ctx;
	int restarted;               /* a watchdog restart: it has told the admin already */
};

/* Load the task bank: embedded, then tasks_file (add or replace).  Errors
 * in the file are printed as FILE:LINE and make this fail. */
static int worker_load_bank(struct bank *bk, const struct worker_opts *o, FILE *errs)
{
	memset(bk, 0, sizeof *bk);
	if (bank_load_embedded(bk) != 0) {
		fprintf(errs, "examflow: the embedded task bank failed to load (a bug)\n");
		return -1;
	}
	if (o->tasks_file[0]) {
		int n = bank_load_file(bk, o->tasks_file, o->tasks_mode, errs);
		if (n != 0) {
			fprintf(errs, "examflow: %s: %d error%s in the task bank file\n", o->tasks_file, n, n == 1 ? "" : "s");
			return -1;
		}
	}
	return 0;
}

/* Open storage and rebuild the bot's state from it. Returns 0, or an exit
 * code (EXIT_DATA for damaged files, EXIT_FAIL otherwise). */
static int worker_open_store(struct worker *w)
{
	char err[512];
	bot_free_state(&w->bot);
	int rc = store_open(&w->store, w->o.data_dir, w->o.fsync_mode, bot_apply, &w->bot, err, sizeof err);
	if (rc < 0) {
		log_error("store", "%s", err);
		fprintf(stderr, "examflow: %s\n", err);
		return rc == STORE_ECORRUPT ? EXIT_DATA : EXIT_FAIL;
	}
	w->store.compact_factor = w->o.compact_factor;
	w->store.compact_min_bytes = w->o.compact_min_bytes;
	w->store_open = 1;
	w->disk_ok = 1;
	return 0;
}

static int worker_init(struct worker *w, const struct worker_opts *o, FILE *errs)
{
	memset(w, 0, sizeof *w);
	w->o = *o;
	if (worker_load_bank(&w->bank, &w->o, errs) < 0)
		return EXIT_CONFIG;
	bot_init(&w->bot, &w->bank, &w->store, &w->o.bot);
	bot_attach_ai(&w->bot, &w->o.ai); /* before the replay: it holds the tutor's records */
	return worker_open_store(w);
}

static void worker_free(struct worker *w)
{
	bot_free_state(&w->bot);
	ai_delete(w->bot.ai);
	w->bot.ai = NULL;
	if (w->store_open)
		store_close(&w->store);
	bank_free(&w->bank);
	worker_opts_wipe(&w->o);
}

/* Throw the in-memory state away and rebuild it from disk, the truth.
 * Returns 0, or -1 when the data directory cannot be opened again. */
static int worker_rebuild(struct worker *w)
{
	store_close(&w->store);
	w->store_open = 0;
	if (w->on_reload)
		w->on_reload(w->reload_ctx);
	return worker_open_store(w) != 0 ? -1 : 0;
}

/* Commit the open batch.  On success the staged replies join the outbox;
 * on failure the state is rebuilt from disk and -1 is returned.  A batch
 * that can never be stored (a record over the size limit: -E2BIG, -EINVAL)
 * is not a disk problem: it returns -2 without the disk backoff. */
static int worker_commit(struct worker *w)
{
	int bad = w->bot.store_failed;
	if (!bad && w->store.batch_n == 0) { /* nothing happened: no news about the disk either */
		store_abort(&w->store);
		return 0;
	}
	int rc = bad ? bad : store_commit(&w->store);
	if (bad)
		store_abort(&w->store);
	if (bad == -E2BIG || bad == -EINVAL) {
		log_error("store", "a batch could not be stored (%s): it is dropped, the state rebuilt from disk",
		          strerror(-bad));
		return worker_rebuild(w) < 0 ? -1 : -2;
	}
	if (rc == 0) {
		bot_release_staged(&w->bot);
		if (!w->disk_ok)
			log_info("store", "storage works again");
		w->disk_ok = 1;
		w->commit_backoff_ms = 0;
		if (store_compact_needed(&w->store) && store_compact(&w->store, bot_dump, &w->bot) < 0)
			log_warn("store", "compaction failed; the log keeps growing until it succeeds");
		return 0;
	}
	w->disk_ok = 0;
	w->commit_failures++;
	w->commit_backoff_ms = w->commit_backoff_ms ? w->commit_backoff_ms * 2 : 1000;
	if (w->commit_backoff_ms > 60000)
		w->commit_backoff_ms = 60000;
	w->commit_retry_at = mono_ms() + w->commit_backoff_ms;
	log_error("store", "commit failed (%s): updates not confirmed, retrying in %" PRId64 " s",
	          strerror(rc < 0 && rc > -4096 ? -rc : EIO), w->commit_backoff_ms / 1000);
	worker_rebuild(w); /* throw away what the failed batch changed */
	w->disk_ok = 0;
	return -1;
}

/* What a batch applies: updates, delivery marks, the tutor's answers,
 * reminders.  It changes the bot's state and stages replies, nothing else. */
typedef void (*worker_apply_fn)(void *ctx, struct bot *b);

enum { WORKER_DURABLE, WORKER_LAZY }; /* fdatasync before replies go, or leave it to the OS (delivery marks) */

/* The batch cycle, the same for both transports: open a batch, let apply
 * change the state, record the update offset if it moved, commit once, and
 * only then let the staged replies out.  Returns 0 when committed; -1 when
 * not (disk trouble: the state was rebuilt from disk, try again after
 * commit_retry_at); -2 when the batch can never be stored: the state was
 * rebuilt and, if the batch moved the offset, the offset alone moves past
 * those updates so that they are skipped instead of retried forever. */
static int worker_cycle(struct worker *w, int lazy, worker_apply_fn apply, void *ctx)
{
	int64_t before = w->bot.offset;
	w->bot.store_failed = 0;
	if (lazy == WORKER_LAZY)
		store_begin_lazy(&w->store);
	else
		store_begin(&w->store);
	apply(ctx, &w->bot);
	int64_t after = w->bot.offset;
	if (after != before)
		bot_save_offset(&w->bot);
	int rc = worker_commit(w);
	if (rc == -2 && w->store_open && after > before) {
		log_error("store", "updates %" PRId64 "..%" PRId64 " skipped: their effects could not be stored", before,
		          after - 1);
		w->bot.store_failed = 0;
		store_begin(&w->store);
		w->bot.offset = after;
		bot_save_offset(&w->bot);
		worker_commit(w);
	}
	return rc;
}

static void worker_apply_marks(void *ctx, struct bot *b)
{
	(void)ctx;
	bot_record_marks(b);
}

/* Record what left the outbox (one lazy batch), if anything did. */
static void worker_record_marks(struct worker *w)
{
	if (bot_has_marks(&w->bot))
		worker_cycle(w, WORKER_LAZY, worker_apply_marks, NULL);
}

/* A new task bank (SIGHUP): kept only if it loads without errors, which
 * are logged line by line.  0 reloaded, -1 the old bank stays. */
static int worker_reload_bank(struct worker *w)
{
	char ebuf[4096] = "";
	FILE *ef = fmemopen(ebuf, sizeof ebuf - 1, "w");
	struct bank nb;
	int rc = worker_load_bank(&nb, &w->o, ef ? ef : stderr);
	if (ef)
		fclose(ef);
	if (rc == 0) {
		bank_free(&w->bank);
		w->bank = nb;
		w->bot.bank = &w->bank;
		return 0;
	}
	bank_free(&nb);
	log_lines(LOG_ERROR, "main", ebuf);
	log_error("main", "SIGHUP: the task bank has errors; keeping the old bank");
	return -1;
}

/* New options for every section (SIGHUP).  data_dir keeps its value until
 * a restart: the open store is the worker's state.  Returns what
 * worker_reload_bank() did. */
static int worker_set_opts(struct worker *w, const struct worker_opts *o)
{
	if (strcmp(o->data_dir, w->o.data_dir) != 0)
		log_warn("main", "SIGHUP: data_dir changed; it takes effect at the next restart");
	char dir[PATH_MAX_LEN];
	snprintf(dir, sizeof dir, "%s", w->o.data_dir);
	worker_opts_wipe(&w->o);
	w->o = *o;
	snprintf(w->o.data_dir, sizeof w->o.data_dir, "%s", dir);
	w->store.compact_factor = w->o.compact_factor;
	w->store.compact_min_bytes = w->o.compact_min_bytes;
	bot_set_opts(&w->bot, &w->o.bot);
	ai_set_opts(w->bot.ai, &w->o.ai);
	return worker_reload_bank(w);
}

/* --- the console demo ---------------------------------------------------------- */

#define DEMO_MAX_BUTTONS 16
#define DEMO_USER_ID 1 /* the one student at the terminal */

struct demo {
	char data[DEMO_MAX_BUTTONS][BOT_CB_MAX + 1]; /* buttons of the last message */
	int nbuttons;
	int hash; /* a task waits for an answer: buttons are "#N", bare numbers are answers */
};

/* Print Telegram HTML as plain terminal text. */
static void demo_print_html(FILE *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '<') {
			while (i < n && s[i] != '>')
				i++;
			continue;
		}
		if (s[i] == '&') {
			static const struct { const char *ent, *ch; } ents[] = {{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}, {"&quot;", "\""}};
			size_t k;
			for (k = 0; k < 4; k++)
				if (strncmp(s + i, ents[k].ent, strlen(ents[k].ent)) == 0)
					break;
			if (k < 4) {
				fputs(ents[k].ch, out);
				i += strlen(ents[k].ent) - 1;
				continue;
			}
		}
		fputc(s[i], out);
	}
}

/* Show one outgoing message as the student would see it. */
static void demo_show(struct demo *d, const char *body, FILE *out)
{
	struct json_tok toks[512];
	int n = json_parse(body, strlen(body), toks, 512);
	if (n < 0)
		return;
	int ti = json_obj_get(body, toks, n, 0, "text");
	if (ti >= 0) {
		struct buf text = BUF_INIT;
		json_get_str(body, toks, ti, &text);
		fputs("\n", out);
		demo_print_html(out, text.p ? text.p : "", text.len);
		fputs("\n", out);
		buf_free(&text);
	}
	int kb = json_path(body, toks, n, 0, "reply_markup.inline_keyboard");
	if (kb < 0)
		return;
	d->nbuttons = 0;
	for (int r = 0, ri = kb + 1; r < toks[kb].size; r++, ri = json_next(toks, n, ri)) {
		for (int c = 0, bi = ri + 1; c < toks[ri].size; c++, bi = json_next(toks, n, bi)) {
			int lt = json_obj_get(body, toks, n, bi, "text"), dt = json_obj_get(body, toks, n, bi, "callback_data");
			if (lt < 0 || dt < 0 || d->nbuttons == DEMO_MAX_BUTTONS)
				continue;
			struct buf label = BUF_INIT, data = BUF_INIT;
			json_get_str(body, toks, lt, &label);
			json_get_str(body, toks, dt, &data);
			utf8_copy(d->data[d->nbuttons], sizeof d->data[0], data.p ? data.p : "");
			++d->nbuttons;
			fprintf(out, "%s[%s%d] %s", c ? "  " : "", d->hash ? "#" : "", d->nbuttons, label.p ? label.p : "");
			buf_free(&label);
			buf_free(&data);
		}
		fputs("\n", out);
	}
}

/* Deliver the outbox to the terminal, then record it as sent. */
static void demo_flush(struct worker *w, struct demo *d, FILE *out)
{
	struct bot_user *u = bot_find_user(&w->bot, DEMO_USER_ID);
	d->hash = u && u->pending[0];
	for (struct bot_msg *m; (m = bot_out_first(&w->bot)) != NULL;) {
		demo_show(d, m->body, out);
		bot_out_done(&w->bot, m, 1);
	}
	fflush(out);
	worker_record_marks(w);
}

/* One line the student typed, as an update. */
static void demo_apply(void *ctx, struct bot *b)
{
	bot_handle(b, ctx);
}

/* examflow demo: the real handlers and storage, a terminal for Telegram. */
static int demo_run(const struct worker_opts *o, FILE *in, FILE *out)
{
	struct worker *w = calloc(1, sizeof *w);
	struct demo d = {0};
	if (!w)
		return EXIT_FAIL;
	int rc = worker_init(w, o, stderr);
	if (rc) {
		worker_free(w);
		free(w);
		return rc;
	}
	const char *user = getenv("USER");
	fprintf(out, "ExamFlow %s — console demo. You are a student; the bot answers below.\n"
	             "Type a message or a command (/start, /task, /stats, /help), a number to press a button\n"
	             "(#number while a task waits for your answer), /quit to leave.\n",
	        EXAMFLOW_VERSION);
	char line[4096];
	const char *first = "/start";
	for (;;) {
		const char *text = first;
		if (!text) {
			fputs("\n> ", out);
			fflush(out);
			if (!fgets(line, sizeof line, in))
				break;
			line[strcspn(line, "\r\n")] = '\0';
			if (strcmp(line, "/quit") == 0 || strcmp(line, "/exit") == 0)
				break;
			if (!line[0])
				continue;
			text = line;
		}
		first = NULL;
		struct bot_in ev = {IN_TEXT, DEMO_USER_ID, 1, DEMO_USER_ID, user && *user ? user : "Ученик", NULL, text, NULL};
		char *end;
		int hashed = text[0] == '#';
		long k = strtol(text + hashed, &end, 10);
		if (!*end && end != text + hashed && (hashed || !d.hash) && k >= 1 && k <= d.nbuttons) {
			ev.kind = IN_CALLBACK;
			ev.text = d.data[k - 1];
		}
		if (worker_cycle(w, WORKER_DURABLE, demo_apply, &ev) == 0)
			demo_flush(w, &d, out);
		else
			fprintf(out, "(storage failed: %s; the message was not processed)\n", w->o.data_dir);
	}
	fputs("\n", out);
	worker_free(w);
	free(w);
	return EXIT_OK;
}

/* --- the Telegram engine ------------------------------------------------------------ */

#define TG_SEND_CONNS 8                /* parallel sends: 30 msg/s needs RTT/33 ms of them (6 at 200 ms) */
#define TG_ACKS_MAX 256                /* answerCallbackQuery waiting to go; more are dropped (they only stop a spinner) */
#define TG_GLOBAL_GAP_MS 34            /* >= 1000/30: Telegram's 30 messages per second overall */
#define TG_CHAT_BURST 3                /* a private chat may get 3 messages at once ... */
#define TG_CHAT_GAP_MS 1050            /* ... then one per second (a margin for network jitter) */
#define TG_GROUP_BURST 3               /* groups: a short burst ... */
#define TG_GROUP_GAP_MS 3000           /* ... then 20 per minute */
#define TG_SEND_MAX_ATTEMPTS 8         /* 5xx / network failures before a message is dropped */
#define TG_BACKOFF_MIN_MS 1000         /* getUpdates errors: 1 s doubling ... */
#define TG_BACKOFF_MAX_MS 60000        /* ... to 60 s, with jitter */
#define TG_PROBE_S 1                   /* a probation getUpdates: an active copy ends it with a 409 within ~0.2 s */
#define TG_PROBE_GAP_MS 1000           /* between probes that found updates waiting (not ours to take yet) */
#define TG_PROBE_SAME_FIRST 3          /* probes seeing the same first update: nobody else takes them */
#define TG_REPOLL_MS 200               /* an active copy answers a 409 by polling again at once */
#define TG_CONFLICT_WINDOW_MS 60000    /* 409s counted over this long ... */
#define TG_CONFLICTS_TO_STANDBY 5      /* ... this many: another copy is here to stay, this one steps aside */
#define TG_STANDBY_PROBE_MS 30000      /* a copy on standby looks for the other one this often (jittered) */
#define TG_ROLE_NOTICE_MS 3600000      /* at most one standby / take-over notice an hour (no flapping spam) */
#define TG_REQUEST_TIMEOUT_MS 30000    /* any call but the long poll */
#define TG_POLL_GRACE_MS 15000         /* the long poll's deadline is its timeout plus this */
#define TG_MAX_TOKENS 200000           /* JSON tokens in one getUpdates answer: 100 updates need ~10k; 4 MiB of memory at most */
#define TG_RETRY_AFTER_MAX_S 3600     /* a longer retry_after is a broken server, not a plan */
#define TG_CHAT_SLOTS_MAX (1 << 20)    /* rate-limiter entries; an entry is 32 bytes */
#define TG_AI_PFDS 64                  /* the AI lane's sockets: ai_max_inflight's maximum */
#define TG_STOP_SENDS_MS 10000         /* on SIGTERM, the queued replies get this long to go (stop deadline: 20 s) */
#define TG_STOP_CONFIRM_MS 5000        /* ... and the last getUpdates that confirms the offset this long */
#define TG_NOTICE_MAX 512              /* one admin notice, bytes */
#define TG_POLL_LIMIT_MAX 100          /* getUpdates' own maximum (and default) */
#define TG_POLL_LIMIT_BACK 10          /* good polls at a lowered limit before it grows tenfold again */
#define TG_PREFIX_TOKENS 64            /* the top levels of one getUpdates answer with limit 1: ~12 */
#define TG_BODY_TOKENS 64              /* a sendMessage answer: ok, result (a message), description, parameters */
#define TG_DESC_LEN 256                /* Telegram's description of an error, for the log */

/* What the engine tells whoever runs it: heartbeats and status (the
 * watchdog's pipe, or nothing), and where a SIGHUP gets new options. */
enum tg_report_kind { TG_REPORT_BEAT, TG_REPORT_READY, TG_REPORT_HEALTH };
struct tg_hooks {
	void (*report)(void *ctx, enum tg_report_kind kind, const struct status *st); /* NULL: nobody listens */
	void *report_ctx;
	int (*reload)(void *ctx, struct worker_opts *o); /* 0 with new options, -1 keep (it logged why); NULL: none */
	void *reload_ctx;
};
#define TG_REPORT_EVERY_MS 1000        /* heartbeat pace; the watchdog wants one every 2 s */
#define TG_API_FRESH_S 120             /* no successful Telegram call for this long: tell the admin */

/* A working poll lane completes a call at least every poll_timeout seconds;
 * twice that plus 10 s forgives one slow round trip or one retried blip.
 * Longer without a successful call: api_responsive is false (/health 503). */
static int64_t tg_api_fresh_ms(const struct tg_opts *o)
{
	return (2 * (int64_t)o->poll_timeout_s + 10) * 1000;
}

enum tg_phase { TG_GETME, TG_DELWEBHOOK, TG_SETCOMMANDS, TG_SETCOMMANDS_EN, TG_POLL };

/* Telegram allows one getUpdates poller per token.  Every copy starts on
 * PROBATION: short polls whose updates it does not take, until it is sure
 * no other copy polls (no 409 came; or the same first update stayed
 * waiting, which an active copy would have taken).  An ACTIVE copy answers
 * an occasional 409 by polling again at once, which ends the newcomer's
 * probe with a 409 of its own: the newcomer goes to STANDBY (no polling,
 * data untouched) and probes again every TG_STANDBY_PROBE_MS, taking over
 * only when the other copy is gone.  Two established copies that keep
 * colliding (TG_CONFLICTS_TO_STANDBY in a window) make one step aside.  No
 * update is processed by two copies, none is lost (unconfirmed updates
 * wait at Telegram), and the roles cannot flap: a standby's probe costs the
 * active copy one 409 per TG_STANDBY_PROBE_MS, far below the threshold. */
enum tg_role { TG_PROBATION, TG_ACTIVE, TG_STANDBY };

/* Rate-limiter state of one chat. */
struct tg_chat {
	int64_t chat;       /* the imap key: first */
	int64_t last;       /* mono ms of the last refill */
	double tokens;      /* a token bucket: up to the burst, one per gap */
	int inflight;       /* a message to this chat is on the wire: keeps FIFO order */
	uint64_t passed;    /* == the scan's generation: its first message was passed over */
};

struct tg_send {
	struct http_conn conn;
	struct bot_msg *msg;  /* the message on the wire (still in the bot's outbox), or NULL */
	int is_ack;           /* the request is an answerCallbackQuery */
	int busy;
};

/* The engine.  One instance, owned by tg_worker_main(). */
struct tg {
	struct worker *w;
	const struct tg_opts *o;      /* &w->o.tg: replaced in place on SIGHUP */
	struct http_client hc;
	struct http_url api;
	char prefix[200];             /* "bot<token>/": a secret, never logged */
	enum tg_phase phase;
	struct http_conn poll;
	int polling;                  /* a request is on the poll lane */
	int64_t poll_at;              /* mono ms: start the next poll lane request */
	int64_t backoff_ms;
	int64_t last_conflict_log;
	enum tg_role role;
	int64_t conflict_at[TG_CONFLICTS_TO_STANDBY]; /* mono ms of the last 409s, a ring */
	int nconflict;
	int64_t probe_first;          /* PROBATION: the first update_id the last probe saw; 0 none */
	int probe_same;               /* probes in a row that saw it */
	int64_t role_notice_at;       /* wall ms of the last standby / take-over notice */
	int was_standby;              /* this copy has been on standby: its next ACTIVE is a take-over */
	int64_t last_ok_ms;           /* wall ms of the last successful Telegram call */
	struct tg_send send[TG_SEND_CONNS];
	int64_t global_ready_at;      /* mono ms: the next send may start */
	struct imap chats;            /* struct tg_chat by chat id */
	/* Requests that are not replies and are never persisted: button acks
	 * (they only stop a spinner) and admin notices (about the bot itself). */
	struct { const char *method; char *body; } acks[TG_ACKS_MAX];
	int nacks;
	/* admin notice debouncing: one message per condition change */
	int notified_disk;
	int64_t api_down_since;       /* wall ms; 0 while Telegram answers */
	volatile sig_atomic_t *stop;
	long n429, nsent_total, ndropped;
	uint64_t scan_gen;            /* tg_next_msg's pass counter */
	int64_t last_update_ms;       /* wall ms of the last update received */
	char last_error[STATUS_ERROR_LEN]; /* the last poll-lane failure, for health */
	int ready_sent, started_notice;
	struct tg_hooks hooks;
	struct status last_status;
	int64_t next_beat, next_status;
	struct health *health;        /* /health, /metrics, heartbeat, log rotation; NULL: none */
	int send_polled[TG_SEND_CONNS]; /* tg_send_want: 1 + the pfd index of each busy send, 0: none */
	int64_t next_minute;          /* wall ms: the next reminders batch */
	int poll_limit;               /* getUpdates' limit: lowered while answers hold too many JSON tokens */
	int poll_limit_good;          /* good polls since it was lowered */
	int hc_ready;                 /* hc was set up (tg_free frees it) */
};


/* imap_rebuild's filter when the table is at TG_CHAT_SLOTS_MAX: chats with
 * nothing on the wire go (their buckets refill to full in a few seconds). */
static int tg_chat_busy(const void *slot, void *ctx)
{
	(void)ctx;
	return ((const struct tg_chat *)slot)->inflight;
}

/* The limiter entry of a chat (created on first use); NULL when out of memory. */
static struct tg_chat *tg_chat(struct tg *t, int64_t chat)
{
	struct imap *m = &t->chats;
	if (!imap_get(m, chat) && (m->n + 1) * 2 > m->cap && m->cap * 2 > TG_CHAT_SLOTS_MAX &&
	    imap_rebuild(m, m->cap, tg_chat_busy, NULL) < 0)
		return NULL;
	int added;
	struct tg_chat *c = imap_put(m, chat, &added);
	if (c && added) {
		c->tokens = chat < 0 ? TG_GROUP_BURST : TG_CHAT_BURST;
		c->last = mono_ms();
	}
	return c;
}

/* Refill a chat's bucket up to now; returns when the next token is there
 * (now if there is one). */
static int64_t tg_chat_refill(struct tg_chat *c, int64_t now)
{
	int burst = c->chat < 0 ? TG_GROUP_BURST : TG_CHAT_BURST;
	double gap = c->chat < 0 ? TG_GROUP_GAP_MS : TG_CHAT_GAP_MS;
	if (now > c->last) {
		c->tokens += (double)(now - c->last) / gap;
		if (c->tokens > burst)
			c->tokens = burst;
		c->last = now;
	}
	if (c->tokens >= 1.0)
		return now;
	int64_t base = c->last > now ? c->last : now; /* after a 429, last is in the future */
	return base + (int64_t)((1.0 - c->tokens) * gap) + 1;
}

static int64_t tg_jitter(struct tg *t, int64_t ms)
{
	return ms / 2 + (int64_t)(bot_rand(&t->w->bot) % (uint64_t)(ms / 2 + 1));
}

static void tg_path(struct tg *t, char *out, size_t len, const char *method)
{
	snprintf(out, len, "/%s%s", t->prefix, method);
}

/* --- the poll lane: getMe, deleteWebhook, setMyCommands, then getUpdates --- */

/* setMyCommands: the command table's menu entries, in one language. */
static void tg_build_commands(struct buf *b, int lang)
{
	struct json_w w;
	json_w_init(&w, b);
	json_w_obj_begin(&w);
	json_w_key(&w, "commands");
	json_w_arr_begin(&w);
	for (int i = 0; i < BOT_NCMDS; i++) {
		if (!bot_cmds[i].menu[LANG_RU][0])
			continue;
		json_w_obj_begin(&w);
		json_w_kv_str(&w, "command", bot_cmds[i].name);
		json_w_kv_str(&w, "description", bot_cmds[i].menu[lang == LANG_EN ? LANG_EN : LANG_RU]);
		json_w_obj_end(&w);
	}
	json_w_arr_end(&w);
	if (lang == LANG_EN)
		json_w_kv_str(&w, "language_code", "en");
	json_w_obj_end(&w);
}

static int tg_start_poll(struct tg *t)
{
	struct buf body = BUF_INIT;
	char path[256];
	int timeout = TG_REQUEST_TIMEOUT_MS;
	const char *method;
	struct json_w w;
	switch (t->phase) {
	case TG_GETME:
		method = "getMe";
		buf_puts(&body, "{}");
		break;
	case TG_DELWEBHOOK:
		method = "deleteWebhook";
		buf_puts(&body, "{\"drop_pending_updates\":false}");
		break;
	case TG_SETCOMMANDS:
	case TG_SETCOMMANDS_EN:
		method = "setMyCommands";
		tg_build_commands(&body, t->phase == TG_SETCOMMANDS_EN ? LANG_EN : LANG_RU);
		break;
	default:
		method = "getUpdates";
		json_w_init(&w, &body);
		json_w_obj_begin(&w);
		json_w_key(&w, "offset");
		json_w_val_i64(&w, t->w->bot.offset);
		if (t->poll_limit < TG_POLL_LIMIT_MAX)
			json_w_kv_i64(&w, "limit", t->poll_limit);
		json_w_key(&w, "timeout");
		json_w_val_i64(&w, *t->stop ? 0 : t->role == TG_PROBATION ? TG_PROBE_S : t->o->poll_timeout_s);
		json_w_key(&w, "allowed_updates");
		json_w_arr_begin(&w);
		json_w_val_str(&w, "message");
		json_w_val_str(&w, "callback_query");
		json_w_val_str(&w, "my_chat_member");
		json_w_arr_end(&w);
		json_w_obj_end(&w);
		timeout = (t->role == TG_PROBATION ? TG_PROBE_S : t->o->poll_timeout_s) * 1000 + TG_POLL_GRACE_MS;
		break;
	}
	tg_path(t, path, sizeof path, method);
	int r = http_start(&t->poll, &t->hc, &t->api, "POST", path, NULL, body.p, body.len, timeout);
	buf_free(&body);
	t->polling = 1;
	return r;
}

/* A poll-lane failure: back off, fresh connection next time. */
static void tg_poll_failed(struct tg *t, const char *method, const char *why)
{
	http_conn_drop(&t->poll);
	t->backoff_ms = t->backoff_ms ? t->backoff_ms * 2 : TG_BACKOFF_MIN_MS;
	if (t->backoff_ms > TG_BACKOFF_MAX_MS)
		t->backoff_ms = TG_BACKOFF_MAX_MS;
	int64_t wait = tg_jitter(t, t->backoff_ms);
	t->poll_at = mono_ms() + wait;
	log_warn("telegram", "%s failed: %s; retrying in %.1f s", method, why, (double)wait / 1000);
	snprintf(t->last_error, sizeof t->last_error, "telegram %s: %s", method, why);
	t->w->bot.ctr.errors++;
	t->w->bot.ctr.errors_hour[(wall_ms() / 60000) % 60]++;
}

/* One update of a getUpdates answer, decoded.  The strings live in strs. */
struct tg_update {
	struct bot_in in;
	int is_callback;              /* a callback_query: it gets an ack whatever happens */
	int query_id;                 /* its id token, -1 when none */
	struct buf strs;              /* text, first_name, language_code, member status, NUL-separated */
};

/* Append string token i to u->strs; its offset, or -1 (out of memory). */
static long tg_keep_str(struct tg_update *u, const char *js, const struct json_tok *tk, int i)
{
	size_t off = u->strs.len;
	if (i < 0 || json_get_str(js, tk, i, &u->strs) < 0 || buf_putc(&u->strs, 0) < 0)
		return -1;
	return (long)off;
}

/* Decode update token ui into u; 0, or -1 for updates we do not handle
 * (the in.kind and is_callback fields are still set for the ack). */
static int tg_decode(const char *js, const struct json_tok *tk, int n, int ui, struct tg_update *u)
{
	memset(&u->in, 0, sizeof u->in);
	buf_reset(&u->strs);
	u->is_callback = 0;
	u->query_id = -1;
	long text = -1, name = -1, lang = -1, member = -1;
	int msg = json_obj_get(js, tk, n, ui, "message");
	int cb = json_obj_get(js, tk, n, ui, "callback_query");
	int mm = json_obj_get(js, tk, n, ui, "my_chat_member");
	int from = -1, chat = -1;
	if (msg >= 0) {
		from = json_obj_get(js, tk, n, msg, "from");
		chat = json_obj_get(js, tk, n, msg, "chat");
		int t = json_obj_get(js, tk, n, msg, "text");
		u->in.kind = IN_OTHER;
		if (t >= 0 && tk[t].type == JSON_STRING) {
			u->in.kind = IN_TEXT;
			if ((text = tg_keep_str(u, js, tk, t)) < 0)
				return -1;
		}
	} else if (cb >= 0) {
		from = json_obj_get(js, tk, n, cb, "from");
		chat = json_path(js, tk, n, cb, "message.chat");
		u->query_id = json_obj_get(js, tk, n, cb, "id");
		u->is_callback = 1;
		u->in.kind = IN_CALLBACK;
		int data = json_obj_get(js, tk, n, cb, "data");
		if (data < 0 || chat < 0)
			return -1; /* game callbacks or too-old messages: only the ack */
		if ((text = tg_keep_str(u, js, tk, data)) < 0)
			return -1;
	} else if (mm >= 0) {
		from = json_obj_get(js, tk, n, mm, "from");
		chat = json_obj_get(js, tk, n, mm, "chat");
		u->in.kind = IN_MEMBER;
		if ((member = tg_keep_str(u, js, tk, json_path(js, tk, n, mm, "new_chat_member.status"))) < 0)
			return -1;
	} else {
		return -1;
	}
	if (from < 0 || chat < 0)
		return -1;
	int64_t v;
	if (json_get_i64(js, tk, json_obj_get(js, tk, n, from, "id"), &v) < 0)
		return -1;
	u->in.from_id = v;
	if (json_get_i64(js, tk, json_obj_get(js, tk, n, chat, "id"), &v) < 0 || v == 0)
		return -1; /* 0 is no chat (and marks an empty slot in the rate limiter) */
	u->in.chat_id = v;
	int type = json_obj_get(js, tk, n, chat, "type");
	u->in.is_private = type >= 0 && json_eq(js, tk, type, "private");
	int fn = json_obj_get(js, tk, n, from, "first_name"), lc = json_obj_get(js, tk, n, from, "language_code");
	if ((fn >= 0 && (name = tg_keep_str(u, js, tk, fn)) < 0) || (lc >= 0 && (lang = tg_keep_str(u, js, tk, lc)) < 0))
		return -1;
	/* pointers only now: the buffer may have moved while it grew */
	u->in.text = text >= 0 ? u->strs.p + text : NULL;
	u->in.first_name = name >= 0 ? u->strs.p + name : NULL;
	u->in.lang_code = lang >= 0 ? u->strs.p + lang : NULL;
	u->in.member_status = member >= 0 ? u->strs.p + member : NULL;
	return 0;
}

/* Queue an answerCallbackQuery (not persisted: it only stops the spinner). */
static void tg_queue_ack(struct tg *t, const char *js, const struct json_tok *tk, int id)
{
	if (id < 0 || t->nacks == TG_ACKS_MAX)
		return;
	struct buf body = BUF_INIT, s = BUF_INIT;
	if (json_get_str(js, tk, id, &s) == 0) {
		struct json_w w;
		json_w_init(&w, &body);
		json_w_obj_begin(&w);
		json_w_key(&w, "callback_query_id");
		json_w_val_str(&w, s.p ? s.p : "");
		if (json_w_obj_end(&w) == 0) {
			t->acks[t->nacks].method = "answerCallbackQuery";
			t->acks[t->nacks++].body = body.p;
			body.p = NULL;
		}
	}
	buf_free(&s);
	buf_free(&body);
}

/* A message about the bot itself to every admin: not persisted (it may be
 * about the disk being full), not rate limited (a handful a day). */
__attribute__((format(printf, 2, 3)))
static void tg_admin_notice(struct tg *t, const char *fmt, ...)
{
	char text[TG_NOTICE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	redact(text); /* it may quote Telegram's or Gemini's words */
	log_warn("admin", "notice: %s", text);
	for (int i = 0; i < t->o->nadmins && t->nacks < TG_ACKS_MAX; i++) {
		struct buf html = BUF_INIT, body = BUF_INIT;
		buf_puts(&html, "⚠️ <b>ExamFlow</b>: ");
		html_escape(&html, text);
		if (html.p && bot_build_body(&body, t->o->admin_ids[i], html.p, html.len, NULL) == 0) {
			t->acks[t->nacks].method = "sendMessage";
			t->acks[t->nacks++].body = body.p;
			body.p = NULL;
		}
		buf_free(&html);
		buf_free(&body);
	}
}

/* Debounced conditions worth telling the admin: one message per change. */
static void tg_watch_conditions(struct tg *t)
{
	int64_t now = wall_ms();
	int api_ok = t->last_ok_ms && now - t->last_ok_ms < (int64_t)TG_API_FRESH_S * 1000;
	if (!api_ok && !t->api_down_since && t->started_notice)
		t->api_down_since = t->last_ok_ms ? t->last_ok_ms : now;
	if (api_ok && t->api_down_since) {
		int64_t mins = (now - t->api_down_since) / 60000;
		tg_admin_notice(t, "Telegram was unreachable for %" PRId64 " min (%s); connection restored.", mins,
		                t->last_error[0] ? t->last_error : "no answer");
		t->api_down_since = 0;
	}
	if (!t->w->disk_ok && !t->notified_disk) {
		tg_admin_notice(t, "storage commits fail in %s (disk full or I/O error): updates are not confirmed "
		                   "and will be processed once the disk works again.", t->w->o.data_dir);
		t->notified_disk = 1;
	} else if (t->w->disk_ok && t->notified_disk) {
		tg_admin_notice(t, "storage works again.");
		t->notified_disk = 0;
	}
}

/* A getUpdates answer as a batch for worker_cycle(). */
struct tg_batch {
	struct tg *t;
	const char *js;
	const struct json_tok *tk;
	int n, res;                   /* tokens; the result array's index */
};

/* Apply every update not applied before (the stored offset is the truth);
 * each moves the offset past itself, whether we handle its kind or not. */
static void tg_apply_updates(void *ctx, struct bot *b)
{
	struct tg_batch *x = ctx;
	const char *js = x->js;
	const struct json_tok *tk = x->tk;
	struct tg_update u = {.strs = BUF_INIT};
	for (int i = 0, ui = x->res + 1; i < tk[x->res].size; i++, ui = json_next(tk, x->n, ui)) {
		int64_t id;
		if (json_get_i64(js, tk, json_obj_get(js, tk, x->n, ui, "update_id"), &id) < 0) {
			log_warn("telegram", "an update without update_id: skipped");
			continue;
		}
		if (id < b->offset)
			continue; /* applied before a restart */
		if (id == INT64_MAX) {
			log_warn("telegram", "update_id out of range: skipped");
			continue;
		}
		b->offset = id + 1;
		int rc = tg_decode(js, tk, x->n, ui, &u);
		if (u.is_callback)
			tg_queue_ack(x->t, js, tk, u.query_id);
		if (rc < 0) {
			log_debug("telegram", "update %" PRId64 ": not a kind we handle, skipped", id);
			continue;
		}
		bot_handle(b, &u.in);
	}
	buf_free(&u.strs);
}

/* One getUpdates answer: the exactly-once cycle. */
static void tg_on_updates(struct tg *t, const char *js, const struct json_tok *tk, int n)
{
	struct worker *w = t->w;
	int res = json_obj_get(js, tk, n, 0, "result");
	if (res < 0 || tk[res].type != JSON_ARRAY) {
		tg_poll_failed(t, "getUpdates", "answer has no result array");
		return;
	}
	if (tk[res].size == 0)
		return;
	t->last_update_ms = wall_ms();
	int64_t before = w->bot.offset;
	struct tg_batch x = {t, js, tk, n, res};
	int rc = worker_cycle(w, WORKER_DURABLE, tg_apply_updates, &x);
	if (rc == -1)
		t->poll_at = w->commit_retry_at; /* nothing confirmed: the same updates come again */
	else if (rc == 0 && w->bot.offset == before)
		tg_poll_failed(t, "getUpdates", "no usable update_id in a non-empty answer"); /* do not spin */
}

/* Telegram's answer to any call, read once for both lanes. */
struct tg_answer {
	int status;                   /* HTTP status */
	int json;                     /* the body is a JSON object */
	int ok;                       /* "ok": true */
	int retry_after;              /* 429: seconds to wait, 1..TG_RETRY_AFTER_MAX_S */
	int64_t migrate_to;           /* 400: parameters.migrate_to_chat_id; 0 none */
	char description[TG_DESC_LEN]; /* "" none */
};

/* Classify res, whose body was parsed into tk[0..n) (n < 0: not JSON). */
static void tg_classify(const struct http_response *res, const char *js, const struct json_tok *tk, int n,
                        struct tg_answer *a)
{
	memset(a, 0, sizeof *a);
	a->status = res->status;
	a->json = n > 0 && tk[0].type == JSON_OBJECT;
	int64_t v;
	if (a->json) {
		json_get_bool(js, tk, json_obj_get(js, tk, n, 0, "ok"), &a->ok);
		struct buf d = BUF_INIT;
		if (json_get_str(js, tk, json_obj_get(js, tk, n, 0, "description"), &d) == 0 && d.p)
			utf8_copy(a->description, sizeof a->description, d.p);
		buf_free(&d);
		if (json_get_i64(js, tk, json_path(js, tk, n, 0, "parameters.migrate_to_chat_id"), &v) == 0)
			a->migrate_to = v;
	}
	if (a->status == 429) {
		a->retry_after = res->retry_after;
		if (a->json && json_get_i64(js, tk, json_path(js, tk, n, 0, "parameters.retry_after"), &v) == 0)
			a->retry_after = v > TG_RETRY_AFTER_MAX_S ? TG_RETRY_AFTER_MAX_S : (int)v;
		if (a->retry_after < 1)
			a->retry_after = 1;
		if (a->retry_after > TG_RETRY_AFTER_MAX_S)
			a->retry_after = TG_RETRY_AFTER_MAX_S;
	}
}

/* The update_id of the first update in an answer too big to tokenize
 * whole: only the top levels are kept (answer, result, the update's own
 * keys), so a few tokens hold it wherever it stands.  0, or -1. */
static int tg_first_update_id(const char *js, size_t len, int64_t *id)
{
	struct json_tok tk[TG_PREFIX_TOKENS];
	int n = json_parse_depth(js, len, tk, TG_PREFIX_TOKENS, 3, NULL);
	int res = n > 0 ? json_obj_get(js, tk, n, 0, "result") : -1;
	if (res < 0 || tk[res].type != JSON_ARRAY || tk[res].size < 1)
		return -1;
	return json_get_i64(js, tk, json_obj_get(js, tk, n, res + 1, "update_id"), id);
}

static void tg_apply_skip(void *ctx, struct bot *b)
{
	b->offset = *(const int64_t *)ctx;
}

/* getUpdates answered with more than TG_MAX_TOKENS JSON tokens (one student
 * sending messages with hundreds of formatting entities): ask for fewer
 * updates at a time, and step past an update that is too big on its own
 * (logged, the rest go on), so no answer can block the queue. */
static void tg_too_many_tokens(struct tg *t, const char *js, size_t len)
{
	if (t->poll_limit > 1) {
		t->poll_limit = t->poll_limit > TG_POLL_LIMIT_BACK ? TG_POLL_LIMIT_BACK : 1;
		t->poll_limit_good = 0;
		log_warn("telegram", "getUpdates: the answer holds more than %d JSON tokens; asking for %d update%s at a time",
		         TG_MAX_TOKENS, t->poll_limit, t->poll_limit == 1 ? "" : "s");
		return; /* poll again at once */
	}
	int64_t id;
	if (tg_first_update_id(js, len, &id) < 0 || id < t->w->bot.offset || id == INT64_MAX) {
		tg_poll_failed(t, "getUpdates", "an answer with too many JSON tokens, and no update_id to step past");
		return;
	}
	log_error("telegram", "update %" PRId64 " skipped: it alone holds more than %d JSON tokens", id, TG_MAX_TOKENS);
	int64_t next = id + 1;
	if (worker_cycle(t->w, WORKER_DURABLE, tg_apply_skip, &next) == -1)
		t->poll_at = t->w->commit_retry_at;
}

/* A good getUpdates: a lowered limit grows back, slowly. */
static void tg_poll_limit_ok(struct tg *t)
{
	if (t->poll_limit < TG_POLL_LIMIT_MAX && ++t->poll_limit_good >= TG_POLL_LIMIT_BACK) {
		t->poll_limit = t->poll_limit * 10 > TG_POLL_LIMIT_MAX ? TG_POLL_LIMIT_MAX : t->poll_limit * 10;
		t->poll_limit_good = 0;
	}
}

/* Role changes, logged, and told to the admin at most once an hour. */
static void tg_set_role(struct tg *t, enum tg_role role)
{
	static const char *const names[] = {"probation", "active", "standby"};
	if (t->role == role)
		return;
	int64_t now = wall_ms();
	int notify = !t->role_notice_at || now - t->role_notice_at >= TG_ROLE_NOTICE_MS;
	log_info("telegram", "polling role: %s → %s", names[t->role], names[role]);
	if (role == TG_STANDBY) {
		log_error("telegram", "another copy of the bot is polling with the same token: this copy is on standby "
		                      "(no polling, data untouched) and takes over when the other stops");
		if (notify)
			tg_admin_notice(t, "another copy of the bot is polling with the same token: this copy (pid %d) is on "
			                   "standby, touches no data and takes over by itself when the other stops.",
			                (int)getpid());
		t->was_standby = 1;
		t->poll_at = mono_ms() + tg_jitter(t, TG_STANDBY_PROBE_MS);
		http_conn_drop(&t->poll);
	} else if (role == TG_ACTIVE && t->was_standby) {
		if (notify)
			tg_admin_notice(t, "the other copy stopped polling: this copy (pid %d) took over.", (int)getpid());
		t->was_standby = 0;
	}
	if (notify && (role == TG_STANDBY || (role == TG_ACTIVE && t->role == TG_PROBATION && t->role_notice_at)))
		t->role_notice_at = now;
	t->role = role;
	t->nconflict = 0;
	t->probe_first = 0;
	t->probe_same = 0;
}

/* PROBATION: may this copy take the updates of a successful probe?  Yes
 * when no other copy polls: the probe came back empty (an active copy
 * would have ended it with a 409), or its first update stayed waiting
 * through TG_PROBE_SAME_FIRST probes (an active copy would have taken it). */
static int tg_probe_ok(struct tg *t, const char *js, const struct json_tok *tk, int n)
{
	int res = json_obj_get(js, tk, n, 0, "result");
	int64_t first = 0;
	if (res >= 0 && tk[res].type == JSON_ARRAY && tk[res].size > 0)
		json_get_i64(js, tk, json_obj_get(js, tk, n, res + 1, "update_id"), &first);
	if (first && first == t->probe_first)
		t->probe_same++;
	else
		t->probe_same = 1;
	t->probe_first = first;
	if (first && t->probe_same < TG_PROBE_SAME_FIRST)
		return 0;
	tg_set_role(t, TG_ACTIVE);
	return 1;
}

/* A 409: another copy's getUpdates ended ours. */
static void tg_conflict(struct tg *t, const char *why)
{
	int64_t now = mono_ms();
	http_conn_drop(&t->poll);
	if (!t->last_conflict_log || now - t->last_conflict_log >= 60000) {
		log_warn("telegram", "getUpdates: %s: another copy of the bot polls with this token", why);
		t->last_conflict_log = now;
	}
	if (t->role != TG_ACTIVE) { /* a newcomer yields to the copy that was here first */
		tg_set_role(t, TG_STANDBY);
		return;
	}
	t->conflict_at[t->nconflict++ % TG_CONFLICTS_TO_STANDBY] = now;
	int recent = 0;
	for (int i = 0; i < TG_CONFLICTS_TO_STANDBY && i < t->nconflict; i++)
		recent += now - t->conflict_at[i] < TG_CONFLICT_WINDOW_MS;
	if (recent >= TG_CONFLICTS_TO_STANDBY) /* two established copies: this one steps aside */
		tg_set_role(t, TG_STANDBY);
	else
		t->poll_at = now + TG_REPOLL_MS; /* take the poll back at once: a newcomer's probe then yields */
}

/* A finished poll-lane request. */
static void tg_poll_done(struct tg *t, int r)
{
	static const char *const names[] = {"getMe", "deleteWebhook", "setMyCommands", "setMyCommands", "getUpdates"};
	const char *method = names[t->phase];
	t->polling = 0;
	if (r != HTTP_DONE) {
		tg_poll_failed(t, method, http_errstr(&t->poll));
		return;
	}
	struct http_response *res = http_result(&t->poll);
	struct json_tok *tk = NULL;
	size_t eoff = 0;
	int n = json_parse_alloc(res->body.p ? res->body.p : "", res->body.len, TG_MAX_TOKENS, &tk, &eoff);
	const char *js = res->body.p;
	struct tg_answer a;
	tg_classify(res, js, tk, n, &a);
	if (a.status == 200 && a.ok && t->phase == TG_POLL && t->role == TG_PROBATION && !tg_probe_ok(t, js, tk, n)) {
		t->last_ok_ms = wall_ms(); /* Telegram answers; the updates are not ours to take yet */
		t->poll_at = mono_ms() + TG_PROBE_GAP_MS;
		free(tk);
		return;
	}
	if (a.status == 200 && a.ok) {
		t->backoff_ms = 0;
		t->last_ok_ms = wall_ms();
		t->last_error[0] = '\0';
		if (t->phase == TG_GETME) {
			int un = json_path(js, tk, n, 0, "result.username");
			struct buf name = BUF_INIT;
			if (un >= 0 && json_get_str(js, tk, un, &name) == 0)
				utf8_copy(t->w->bot.username, sizeof t->w->bot.username, name.p ? name.p : "");
			buf_free(&name);
			log_info("telegram", "connected as @%s", t->w->bot.username);
		}
		if (t->phase == TG_POLL) {
			tg_poll_limit_ok(t);
			tg_on_updates(t, js, tk, n);
			if (t->w->disk_ok && !t->last_error[0]) /* polling works end to end */
				health_polled_ok(t->health, &t->hc, mono_ms());
		} else {
			t->phase++;
		}
		free(tk);
		return;
	}
	free(tk);
	if (a.status == 200 && n == JSON_ERR_NOMEM && t->phase == TG_POLL) {
		tg_too_many_tokens(t, res->body.p ? res->body.p : "", res->body.len);
		return;
	}
	char why[TG_DESC_LEN + 64];
	if (!a.json && n < 0)
		snprintf(why, sizeof why, "HTTP %d whose body is not JSON (%s at byte %zu; %s)", a.status, json_strerror(n),
		         eoff, res->content_type);
	else if (!a.json)
		snprintf(why, sizeof why, "HTTP %d with a JSON body that is not an object", a.status);
	else
		snprintf(why, sizeof why, "HTTP %d: %s", a.status, a.description[0] ? a.description : "no description");
	if (a.status == 429) {
		t->poll_at = mono_ms() + (int64_t)a.retry_after * 1000;
		t->n429++;
		log_warn("telegram", "%s: 429, waiting %d s as told", method, a.retry_after);
	} else if (a.status == 409) {
		tg_conflict(t, why);
	} else if ((t->phase == TG_SETCOMMANDS || t->phase == TG_SETCOMMANDS_EN) && a.status >= 400 && a.status < 500) {
		log_warn("telegram", "%s refused (%s); continuing without the command list", method, why);
		t->phase++;
	} else if ((a.status == 401 || a.status == 404) && t->phase == TG_GETME) {
		log_error("telegram", "the bot token was rejected (%s): fix telegram_token", why);
		*t->stop = EXIT_CONFIG;
	} else {
		tg_poll_failed(t, method, why);
	}
}

/* --- the send lane ------------------------------------------------------------------ */

/* bot_out_drop_chat's keep: a message on the wire stays until its answer. */
static int tg_on_wire(void *ctx, const struct bot_msg *m)
{
	const struct tg *t = ctx;
	for (int i = 0; i < TG_SEND_CONNS; i++)
		if (t->send[i].msg == m)
			return 1;
	return 0;
}

/* Pick the next message that may go now: per-chat FIFO (only a chat's
 * first queued message is a candidate, and only if none is on the wire),
 * fair (the outbox is in arrival order, so chats interleave), within the
 * per-chat buckets.  *wake gets the earliest time something could go. */
static struct bot_msg *tg_next_msg(struct tg *t, int64_t now, int64_t *wake)
{
	uint64_t gen = ++t->scan_gen; /* chats passed over in this scan: their later messages wait */
	for (struct bot_msg *m = bot_out_first(&t->w->bot); m; m = bot_out_next(m)) {
		struct tg_chat *c = tg_chat(t, m->chat_id);
		if (!c)
			return NULL;
		if (c->passed == gen)
			continue;
		int64_t ready = m->not_before > now ? m->not_before : c->inflight ? INT64_MAX : tg_chat_refill(c, now);
		if (ready <= now)
			return m;
		c->passed = gen;
		if (ready < *wake)
			*wake = ready;
	}
	return NULL;
}

/* A finished send: what Telegram's answer means for the message. */
static void tg_send_done(struct tg *t, struct tg_send *s, int r)
{
	struct bot_msg *m = s->msg;
	s->busy = 0;
	s->msg = NULL;
	if (s->is_ack) {
		if (r != HTTP_DONE)
			http_conn_drop(&s->conn);
		return;
	}
	struct tg_chat *c = tg_chat(t, m->chat_id);
	if (c)
		c->inflight = 0;
	struct bot *b = &t->w->bot;
	struct tg_answer a = {0};
	if (r == HTTP_DONE) {
		struct http_response *res = http_result(&s->conn);
		struct json_tok tk[TG_BODY_TOKENS];
		const char *js = res->body.p ? res->body.p : "";
		tg_classify(res, js, tk, json_parse(js, res->body.len, tk, TG_BODY_TOKENS), &a);
	} else {
		http_conn_drop(&s->conn);
	}
	const char *why = a.description[0] ? a.description : "no description";
	if (a.status == 200) {
		t->last_ok_ms = wall_ms();
		t->nsent_total++;
		b->ctr.replies_sent++;
		bot_out_done(b, m, 1);
	} else if (a.status == 429) {
		t->n429++;
		m->attempts--; /* a 429 is not the message's fault */
		if (c) { /* an empty bucket whose next token comes exactly retry_after from now */
			c->tokens = 0;
			c->last = mono_ms() + (int64_t)a.retry_after * 1000 - (c->chat < 0 ? TG_GROUP_GAP_MS : TG_CHAT_GAP_MS);
		}
		log_warn("telegram", "sendMessage to chat %" PRId64 ": 429, pausing that chat %d s", m->chat_id, a.retry_after);
	} else if (a.status == 403) {
		log_info("telegram", "chat %" PRId64 ": %s", m->chat_id, why);
		int64_t chat = m->chat_id;
		bot_out_done(b, m, 0);
		t->ndropped += bot_out_drop_chat(b, chat, tg_on_wire, t);
		bot_note_blocked(b, chat);
	} else if (a.status == 400 && a.migrate_to) {
		log_info("telegram", "chat %" PRId64 " migrated to %" PRId64 ": queued messages follow it", m->chat_id,
		         a.migrate_to);
		bot_out_retarget(b, m->chat_id, a.migrate_to);
	} else if (a.status == 400 && (strstr(why, "message is not modified") || strstr(why, "query is too old"))) {
		bot_out_done(b, m, 1);
	} else if (a.status == 400) {
		log_error("telegram", "sendMessage to chat %" PRId64 " refused: %s; message dropped", m->chat_id, why);
		b->ctr.replies_dropped++;
		t->ndropped++;
		bot_out_done(b, m, 0);
	} else if (m->attempts >= TG_SEND_MAX_ATTEMPTS) { /* network, 5xx and the rest: retried */
		log_error("telegram", "sendMessage to chat %" PRId64 " failed %d times (%s); message dropped", m->chat_id,
		          m->attempts, r == HTTP_DONE ? "server error" : http_errstr(&s->conn));
		b->ctr.replies_dropped++;
		t->ndropped++;
		bot_out_done(b, m, 0);
	} else {
		int64_t delay = TG_BACKOFF_MIN_MS << (m->attempts < 6 ? m->attempts - 1 : 5);
		m->not_before = mono_ms() + tg_jitter(t, delay);
		b->ctr.errors++;
		b->ctr.errors_hour[(wall_ms() / 60000) % 60]++;
	}
}

/* Start as many sends as connections, the global pace and the buckets allow. */
static void tg_fill_sends(struct tg *t, int64_t now, int64_t *wake)
{
	char path[256];
	for (int i = 0; i < TG_SEND_CONNS; i++) {
		struct tg_send *s = &t->send[i];
		if (s->busy)
			continue;
		if (t->nacks) { /* button acks first: they stop a spinner on a phone */
			char *body = t->acks[0].body;
			tg_path(t, path, sizeof path, t->acks[0].method);
			memmove(t->acks, t->acks + 1, (size_t)--t->nacks * sizeof t->acks[0]);
			s->is_ack = 1;
			s->msg = NULL;
			s->busy = 1;
			int r = http_start(&s->conn, &t->hc, &t->api, "POST", path, NULL, body, strlen(body), TG_REQUEST_TIMEOUT_MS);
			free(body);
			if (r < 0) /* failed before any I/O (DNS, no memory): free the slot */
				tg_send_done(t, s, r);
			continue;
		}
		if (t->global_ready_at > now) {
			if (t->global_ready_at < *wake)
				*wake = t->global_ready_at;
			return;
		}
		struct bot_msg *m = tg_next_msg(t, now, wake);
		if (!m)
			return;
		struct tg_chat *c = tg_chat(t, m->chat_id);
		if (!c)
			return;
		c->tokens -= 1.0;
		c->inflight = 1;
		t->global_ready_at = now + TG_GLOBAL_GAP_MS;
		tg_path(t, path, sizeof path, "sendMessage");
		s->is_ack = 0;
		s->msg = m;
		s->busy = 1;
		m->attempts++;
		int r = http_start(&s->conn, &t->hc, &t->api, "POST", path, NULL, m->body, strlen(m->body), TG_REQUEST_TIMEOUT_MS);
		if (r < 0)
			tg_send_done(t, s, r);
	}
}

/* --- reporting to the supervisor ------------------------------------------------- */

static void tg_fill_status(const struct tg *t, struct status *st)
{
	memset(st, 0, sizeof *st);
	int64_t now = wall_ms();
	st->bot_online = t->phase == TG_POLL && t->role == TG_ACTIVE;
	st->api_responsive = t->last_ok_ms && now - t->last_ok_ms < tg_api_fresh_ms(t->o);
	st->database_connected = t->w->disk_ok;
	st->ai_working = ai_working(t->w->bot.ai);
	st->last_update_at = t->last_update_ms;
	st->queue_depth = bot_out_len(&t->w->bot);
	if (t->role == TG_STANDBY) {
		static const char standby[] = "standby: another copy of the bot polls with this token; this one waits";
		status_add_error(st, standby, sizeof standby - 1);
	} else if (t->last_error[0] && !st->api_responsive) {
		status_add_error(st, t->last_error, strlen(t->last_error));
	}
	if (!st->database_connected) {
		static const char disk[] = "storage: commits fail (disk full or I/O error in data_dir)";
		status_add_error(st, disk, sizeof disk - 1);
	}
	if (!st->ai_working)
		status_add_error(st, ai_errstr(t->w->bot.ai), strlen(ai_errstr(t->w->bot.ai)));
}

/* Once the first poll succeeded: the admin hears the bot is up. */
static void tg_on_ready(struct tg *t)
{
	if (t->w->store.tail_lost) /* once: the worker that cut it says so */
		tg_admin_notice(t, "the data directory's last, unfinished write (%" PRId64 " bytes) could not be saved aside "
		                   "(disk full?) and was cut off; no committed answer was lost. Free some space.",
		                t->w->store.tail_lost);
	if (t->w->restarted)
		return; /* one "started" per watchdog, not one per restart (a crash loop would spam) */
	tg_admin_notice(t, "version %s started (%d tasks, %zu students, %ld replies waiting).", EXAMFLOW_VERSION,
	                t->w->bank.ntasks, bot_nusers(&t->w->bot), bot_out_len(&t->w->bot));
}

/* Heartbeat every TG_REPORT_EVERY_MS; a snapshot when it changed, and at
 * least every check_interval. */
static void tg_report(struct tg *t, int64_t now)
{
	if (!t->started_notice && t->phase == TG_POLL && t->last_ok_ms) {
		t->started_notice = 1;
		tg_on_ready(t);
	}
	tg_watch_conditions(t);
	if (!t->hooks.report)
		return;
	if (now >= t->next_beat) {
		t->hooks.report(t->hooks.report_ctx, TG_REPORT_BEAT, NULL);
		t->next_beat = now + TG_REPORT_EVERY_MS;
	}
	struct status st;
	tg_fill_status(t, &st);
	if (now >= t->next_status || memcmp(&st, &t->last_status, sizeof st) != 0) {
		t->hooks.report(t->hooks.report_ctx, TG_REPORT_HEALTH, &st);
		t->last_status = st;
		t->next_status = now + t->o->check_interval_ms;
	}
	if (!t->ready_sent && t->phase == TG_POLL && t->last_ok_ms) {
		t->hooks.report(t->hooks.report_ctx, TG_REPORT_READY, &st);
		t->ready_sent = 1;
	}
}

/* --- the health section's view of the engine ------------------------------------- */

/* The health section for this worker; NULL when out of memory (logged: the
 * bot runs without it). */
static struct health *tg_health_new(const struct health_opts *o)
{
	struct health *h = malloc(sizeof *h);
	if (!h) {
		log_error("health", "out of memory: no health endpoint, heartbeat or log rotation");
		return NULL;
	}
	health_init(h, o);
	return h;
}

static void tg_health_delete(struct health *h)
{
	if (h) {
		health_free(h);
		free(h);
	}
}

/* health_fill_fn: what /health and /metrics show. */
static void tg_health_fill(void *ctx, struct health_metrics *m)
{
	const struct tg *t = ctx;
	const struct worker *w = t->w;
	tg_fill_status(t, &m->st);
	m->supervised = t->hooks.report != NULL;
	m->updates = w->bot.ctr.updates;
	m->replies_sent = w->bot.ctr.replies_sent;
	m->replies_dropped = w->bot.ctr.replies_dropped;
	m->n429 = t->n429;
	m->errors_by_kind[HEALTH_ERR_TELEGRAM] = w->bot.ctr.errors;
	m->errors_by_kind[HEALTH_ERR_STORAGE] = w->commit_failures;
	if (w->bot.ai) {
		m->ai_calls = w->bot.ai->requests;
		m->errors_by_kind[HEALTH_ERR_AI] = w->bot.ai->failures;
		m->ai_latency_ms_sum = w->bot.ai->latency_ms_sum;
		m->ai_latency_count = w->bot.ai->latency_count;
	}
	m->storage_bytes = w->store_open ? w->store.log_bytes + w->store.snap_bytes : 0;
}

/* "typing…" through the engine's queue of requests that are not replies
 * (acks, notices): cosmetic, so neither persisted nor rate limited.  -1
 * when the queue is full (ai_step tries again soon). */
static int tg_typing(void *ctx, int64_t chat)
{
	struct tg *t = ctx;
	char body[96];
	snprintf(body, sizeof body, "{\"chat_id\":%" PRId64 ",\"action\":\"typing\"}", chat);
	char *copy = t->nacks < TG_ACKS_MAX ? strdup(body) : NULL;
	if (!copy)
		return -1;
	t->acks[t->nacks].method = "sendChatAction";
	t->acks[t->nacks++].body = copy;
	return 0;
}

/* --- signals, reload, shutdown ----------------------------------------------------- */

/* Signals reach the loop through this pipe (STYLE rule 10).  Written only by
 * the handlers, read only by the signal lane. */
static int tg_sigpipe[2] = {-1, -1};

static void tg_on_signal(int sig)
{
	int e = errno;
	unsigned char c = (unsigned char)sig;
	if (tg_sigpipe[1] >= 0 && write(tg_sigpipe[1], &c, 1) < 0) {
		/* a full pipe already holds a wake-up */
	}
	errno = e;
}

/* Called before the worker loads anything, so a SIGTERM during start-up is
 * a graceful stop too. */
static int tg_install_signals(void)
{
	if (tg_sigpipe[0] >= 0)
		return 0;
	if (pipe(tg_sigpipe) < 0)
		return -1;
	set_nonblock(tg_sigpipe[0]);
	set_nonblock(tg_sigpipe[1]);
	fcntl(tg_sigpipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(tg_sigpipe[1], F_SETFD, FD_CLOEXEC);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tg_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

/* worker->on_reload: the state is rebuilt from disk, so no pointer into
 * the old outbox may survive. */
static void tg_forget_sends(void *ctx)
{
	struct tg *t = ctx;
	for (int i = 0; i < TG_SEND_CONNS; i++) {
		if (t->send[i].busy)
			http_conn_drop(&t->send[i].conn);
		t->send[i].busy = 0;
		t->send[i].msg = NULL;
	}
	for (size_t i = 0; i < t->chats.cap; i++) {
		struct tg_chat *c = imap_at(&t->chats, i);
		if (c)
			c->inflight = 0;
	}
}

/* SIGHUP: the caller's hook reloads the configuration (it also reopens the
 * log); every section gets its new options, the task bank is reloaded.
 * Anything invalid keeps the running version, logged. */
static void tg_reload(struct tg *t)
{
	if (t->role == TG_STANDBY) /* the operator says the other copy may be gone: look now */
		t->poll_at = mono_ms();
	struct worker_opts *o = malloc(sizeof *o);
	if (!o || !t->hooks.reload || t->hooks.reload(t->hooks.reload_ctx, o) < 0) {
		if (!o)
			log_error("main", "SIGHUP: out of memory; keeping the running configuration");
		free(o);
		return;
	}
	int bank = worker_set_opts(t->w, o);
	worker_opts_wipe(o);
	free(o);
	if (t->health)
		health_set_opts(t->health, &t->w->o.health);
	snprintf(t->prefix, sizeof t->prefix, "bot%s/", t->o->token);
	if (bank == 0)
		log_info("main", "SIGHUP: log reopened, configuration and task bank reloaded (%d tasks)", t->w->bank.ntasks);
	else
		log_info("main", "SIGHUP: log reopened, configuration reloaded; the old task bank stays");
}

/* --- the worker's event loop: lanes ------------------------------------------------
 *
 * Everything the loop waits for is a lane with two functions: want() fills
 * pollfds and lowers the wake-up time, step() acts on what poll() said (or
 * on the time).  tg_run is the loop over them.
 */

#define TG_POLLFDS (1 + 1 + TG_SEND_CONNS + TG_AI_PFDS + HEALTH_POLLFDS) /* signals, poll, sends, AI, health */

/* The signal pipe. */
static int tg_sig_want(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake)
{
	(void)t, (void)now, (void)wake;
	pfd[0] = (struct pollfd){tg_sigpipe[0], POLLIN, 0};
	return 1;
}

static void tg_sig_step(struct tg *t, const struct pollfd *pfd, int n, int64_t now)
{
	(void)now;
	if (n < 1 || !(pfd[0].revents & POLLIN))
		return;
	unsigned char sig[16];
	ssize_t k = read(tg_sigpipe[0], sig, sizeof sig);
	for (ssize_t i = 0; i < k; i++) {
		if (sig[i] == SIGHUP)
			tg_reload(t);
		else
			*t->stop = 1;
	}
}

/* The poll lane: getMe … getUpdates, one request at a time. */
static int tg_poll_want(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake)
{
	if (t->role == TG_STANDBY && now >= t->poll_at && !*t->stop)
		tg_set_role(t, TG_PROBATION); /* look for the other copy */
	if (!t->polling && now >= t->poll_at && now >= t->w->commit_retry_at) {
		int r = tg_start_poll(t);
		if (r < 0)
			tg_poll_done(t, r);
	}
	if (!t->polling) {
		if (t->poll_at < *wake)
			*wake = t->poll_at > now ? t->poll_at : now;
		return 0;
	}
	if (http_deadline(&t->poll) < *wake)
		*wake = http_deadline(&t->poll);
	return http_want(&t->poll, pfd) >= 0;
}

static void tg_poll_step(struct tg *t, const struct pollfd *pfd, int n, int64_t now)
{
	if (!t->polling)
		return;
	if (n < 1) { /* a request that finished without I/O (e.g. a DNS error at start) */
		if (t->poll.result != HTTP_PENDING)
			tg_poll_done(t, t->poll.result);
		else if (now >= http_deadline(&t->poll))
			tg_poll_done(t, http_step(&t->poll, 0, now));
		return;
	}
	if (!pfd[0].revents && now < http_deadline(&t->poll))
		return;
	int r = http_step(&t->poll, pfd[0].revents, now);
	if (r != HTTP_PENDING)
		tg_poll_done(t, r);
}

/* The send lane: replies through the rate limiter, acks and notices first. */
static int tg_send_want(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake)
{
	if (t->phase == TG_POLL)
		tg_fill_sends(t, now, wake);
	int n = 0;
	for (int i = 0; i < TG_SEND_CONNS; i++) {
		t->send_polled[i] = 0;
		if (!t->send[i].busy)
			continue;
		if (http_deadline(&t->send[i].conn) < *wake)
			*wake = http_deadline(&t->send[i].conn);
		if (http_want(&t->send[i].conn, &pfd[n]) >= 0)
			t->send_polled[i] = ++n; /* pfd index + 1 */
	}
	return n;
}

static void tg_send_step(struct tg *t, const struct pollfd *pfd, int n, int64_t now)
{
	(void)n;
	for (int i = 0; i < TG_SEND_CONNS; i++) {
		struct tg_send *s = &t->send[i];
		if (!s->busy || !t->send_polled[i])
			continue;
		short rev = pfd[t->send_polled[i] - 1].revents;
		if (!rev && now < http_deadline(&s->conn))
			continue;
		int r = http_step(&s->conn, rev, now);
		if (r != HTTP_PENDING)
			tg_send_done(t, s, r);
	}
	worker_record_marks(t->w);
}

/* The AI lane: the tutor's own connections; finished answers are a batch. */
static int tg_ai_want(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake)
{
	(void)now;
	return ai_want(t->w->bot.ai, pfd, TG_AI_PFDS, wake);
}

static void tg_apply_ai(void *ctx, struct bot *b)
{
	(void)b;
	ai_deliver(ctx);
}

static void tg_apply_ai_recover(void *ctx, struct bot *b)
{
	(void)b;
	ai_recover(ctx);
}

static void tg_ai_step(struct tg *t, const struct pollfd *pfd, int n, int64_t now)
{
	if (ai_step(t->w->bot.ai, n > 0 ? pfd : NULL, n, now) > 0)
		worker_cycle(t->w, WORKER_DURABLE, tg_apply_ai, t->w->bot.ai);
}

/* The health lane: /health, /metrics, the heartbeat, log rotation. */
static int tg_health_want(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake)
{
	return health_want(t->health, pfd, HEALTH_POLLFDS, now, wake);
}

static void tg_health_step(struct tg *t, const struct pollfd *pfd, int n, int64_t now)
{
	health_step(t->health, pfd, n, now, tg_health_fill, t);
}

/* Reminders: once a minute, a batch of whatever is due. */
static void tg_apply_reminders(void *ctx, struct bot *b)
{
	bot_send_reminders(b, *(const int64_t *)ctx);
}

static int tg_timer_want(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake)
{
	(void)pfd, (void)now;
	int64_t wall = wall_ms();
	if (wall >= t->next_minute) {
		t->next_minute = (wall / 60000 + 1) * 60000;
		worker_cycle(t->w, WORKER_DURABLE, tg_apply_reminders, &wall);
	}
	(void)wake; /* the heartbeat wakes the loop every second anyway */
	return 0;
}

static void tg_timer_step(struct tg *t, const struct pollfd *pfd, int n, int64_t now)
{
	(void)t, (void)pfd, (void)n, (void)now;
}

static const struct {
	int (*want)(struct tg *t, struct pollfd *pfd, int64_t now, int64_t *wake);
	void (*step)(struct tg *t, const struct pollfd *pfd, int n, int64_t now);
} tg_lanes[] = {
	{tg_sig_want, tg_sig_step},       /* first: a stop or a reload before anything else */
	{tg_timer_want, tg_timer_step},
	{tg_poll_want, tg_poll_step},
	{tg_send_want, tg_send_step},
	{tg_ai_want, tg_ai_step},
	{tg_health_want, tg_health_step},
};
#define TG_NLANES ((int)(sizeof tg_lanes / sizeof tg_lanes[0]))

/* Graceful stop: no more polling; the replies already promised go out
 * (through the limiter, for TG_STOP_SENDS_MS at most: in a rolling deploy
 * the next copy has its own outbox, so what stays here waits for this
 * copy's next start), they are recorded, and the offset is confirmed with a
 * last getUpdates(timeout=0). */
static void tg_shutdown(struct tg *t)
{
	http_close(&t->poll);
	int64_t until = mono_ms() + TG_STOP_SENDS_MS;
	for (;;) {
		int64_t now = mono_ms(), wake = now + 100;
		int busy = t->nacks > 0 || bot_out_len(&t->w->bot) > 0;
		for (int i = 0; i < TG_SEND_CONNS; i++)
			busy |= t->send[i].busy;
		if (!busy || now >= until)
			break;
		struct pollfd pfd[TG_SEND_CONNS];
		int np = tg_send_want(t, pfd, now, &wake);
		int ms = wake <= now ? 0 : wake - now > 100 ? 100 : (int)(wake - now);
		if (poll(pfd, (nfds_t)np, ms) <= 0)
			for (int k = 0; k < np; k++)
				pfd[k].revents = 0;
		tg_send_step(t, pfd, np, mono_ms());
	}
	if (bot_out_len(&t->w->bot))
		log_warn("telegram", "stopping with %ld replies not sent yet: they go out at the next start",
		         bot_out_len(&t->w->bot));
	worker_record_marks(t->w);
	if (t->phase == TG_POLL && t->role == TG_ACTIVE) { /* a standby's getUpdates would end the active copy's */
		char path[256], body[96];
		tg_path(t, path, sizeof path, "getUpdates");
		snprintf(body, sizeof body, "{\"offset\":%" PRId64 ",\"timeout\":0,\"limit\":1}", t->w->bot.offset);
		struct http_conn c;
		http_conn_init(&c);
		int r = http_start(&c, &t->hc, &t->api, "POST", path, NULL, body, strlen(body), TG_STOP_CONFIRM_MS);
		if (r == HTTP_PENDING)
			r = http_wait(&c);
		log_info("telegram", "offset %" PRId64 " %s", t->w->bot.offset, r == HTTP_DONE ? "confirmed" : "not confirmed (it is stored: nothing is lost)");
		http_close(&c);
	}
}

/* Set up the engine for worker w.  0, or an exit code. */
static int tg_init(struct tg *t, struct worker *w, const struct tg_hooks *hooks, volatile sig_atomic_t *stop)
{
	t->w = w;
	t->o = &w->o.tg;
	t->stop = stop;
	t->poll_limit = TG_POLL_LIMIT_MAX;
	t->chats.elem = sizeof(struct tg_chat);
	if (hooks)
		t->hooks = *hooks;
	w->on_reload = tg_forget_sends;
	w->reload_ctx = t;
	http_conn_init(&t->poll);
	for (int i = 0; i < TG_SEND_CONNS; i++)
		http_conn_init(&t->send[i].conn);
	if (http_url_parse(t->o->api, &t->api) < 0) {
		log_error("telegram", "telegram_api is not an http:// or https:// URL");
		return EXIT_CONFIG;
	}
	if (http_client_init(&t->hc, t->o->ca_file[0] ? t->o->ca_file : NULL) < 0 && t->api.tls) {
		log_error("telegram", "no trusted CA certificates could be loaded (set ca_file)");
		return EXIT_CONFIG;
	}
	t->hc_ready = 1;
	snprintf(t->prefix, sizeof t->prefix, "bot%s/", t->o->token);
	if (tg_install_signals() < 0) {
		log_error("main", "cannot create the signal pipe: %s", strerror(errno));
		return EXIT_FAIL;
	}
	ai_attach(w->bot.ai, &t->hc, tg_typing, t);
	worker_cycle(w, WORKER_DURABLE, tg_apply_ai_recover, w->bot.ai);
	t->health = tg_health_new(&w->o.health);
	return 0;
}

static void tg_free(struct tg *t)
{
	for (int i = 0; i < TG_SEND_CONNS; i++)
		http_close(&t->send[i].conn);
	http_close(&t->poll);
	ai_attach(t->w->bot.ai, NULL, NULL, NULL);
	tg_health_delete(t->health);
	if (t->hc_ready)
		http_client_free(&t->hc);
	for (int i = 0; i < t->nacks; i++)
		free(t->acks[i].body);
	imap_free(&t->chats);
	explicit_bzero(t->prefix, sizeof t->prefix);
}

/* The worker: one poll() loop over the lanes.  Returns the exit code. */
static int tg_run(struct worker *w, const struct tg_hooks *hooks)
{
	struct tg *t = calloc(1, sizeof *t);
	volatile sig_atomic_t stop = 0;
	if (!t)
		return EXIT_FAIL;
	int rc = tg_init(t, w, hooks, &stop);
	if (rc == 0)
		log_info("main", "worker started (pid %d), %d tasks, %zu students, %ld replies waiting", (int)getpid(),
		         w->bank.ntasks, bot_nusers(&w->bot), bot_out_len(&w->bot));
	while (rc == 0 && !stop) {
		int64_t now = mono_ms(), wake = now + TG_REPORT_EVERY_MS;
		tg_report(t, now);
		struct pollfd pfd[TG_POLLFDS];
		int at[TG_NLANES + 1], np = 0;
		for (int l = 0; l < TG_NLANES; l++) {
			at[l] = np;
			np += tg_lanes[l].want(t, pfd + np, now, &wake);
		}
		at[TG_NLANES] = np;
		int ms = wake <= now ? 0 : (int)(wake - now);
		int n = poll(pfd, (nfds_t)np, ms);
		if (n < 0 && errno != EINTR) {
			log_error("main", "poll: %s", strerror(errno));
			rc = EXIT_FAIL;
			break;
		}
		if (n <= 0)
			for (int k = 0; k < np; k++)
				pfd[k].revents = 0;
		now = mono_ms();
		for (int l = 0; l < TG_NLANES; l++)
			tg_lanes[l].step(t, pfd + at[l], at[l + 1] - at[l], now);
		if (!w->store_open)
			rc = EXIT_FAIL;
	}
	if (rc == 0 && stop == EXIT_CONFIG)
		rc = EXIT_CONFIG;
	else if (rc == 0 && w->store_open)
		tg_shutdown(t);
	tg_free(t);
	free(t);
	log_info("main", "worker stopped (exit %d)", rc);
	return rc;
}

/* ==========================================================================
 * 12. Watchdog and health file
 * ==========================================================================
 * `examflow run` is two processes.  The watchdog (wd_run, the parent) forks
 * the worker, reads a pipe of one-line messages from it, restarts it when it
 * dies or hangs, owns the health file and talks to systemd.  It holds no
 * Telegram, storage or AI state and no large buffer, so little in it can
 * break; everything that can break lives in the worker, which it replaces.
 *
 * The worker's side is a few tiny functions (wd_report_*), each writing one
 * line to the pipe:
 *     "B"          heartbeat, at least every WD_HEARTBEAT_MS from the poll loop
 *     "R"          ready: the worker has talked to Telegram (systemd READY=1)
 *     "H {json}"   health snapshot, a partial update: the keys it names change
 *     "N text"     a notice (logged by the parent; reserved)
 * Every line is at most PIPE_BUF bytes, so a write is atomic and lines never
 * interleave; the worker's end is non-blocking, so a busy parent costs a lost
 * heartbeat, never a stalled bot.  Any line counts as a sign of life.
 *
 * The parent reacts to four things: the worker's exit (SIGCHLD), silence
 * (no line for hang_timeout), signals, and its own timers.  Signal handlers
 * only write the signal number to a self-pipe; one poll() loop does the rest.
 *
 * Error idiom: wd_run returns the process exit code: 0 after a requested
 * stop, EXIT_FAIL after giving up on a crash loop, and the worker's own
 * EXIT_CONFIG / EXIT_DATA, which mean "do not restart".  The health file,
 * systemd datagrams and admin notices are best effort: logged, never fatal.
 *
 * Read in this order: wd_report_* (worker side), wd_run (the loop), then
 * wd_tick (timers), wd_worker_gone (crashes), wd_health_json (the file),
 * wd_status_cmd (`examflow status`).
 */


#define WD_HEARTBEAT_MS 2000            /* the worker says "B" at least this often */
#define WD_LINE_MAX PIPE_BUF            /* one message; writes up to PIPE_BUF are atomic */
#define WD_CAUSE_LEN 160                /* "hung (no heartbeat for 120.0 s)", "killed by signal SIGSEGV (core dumped)" */
#define WD_REASON_LEN 320               /* a cause with a sentence around it: notices, STATUS=, the file */
#define WD_BEAT_STALE_MS 10000          /* five missed heartbeats: not online, though not yet hung */
#define WD_HEALTH_MIN_GAP_MS 250        /* a burst of snapshots costs one file write, not one fsync each */
#define WD_READS_PER_WAKE 64            /* 512-byte reads per wake-up: a chatty worker cannot starve timers */
#define WD_SNAPSHOT_TOKENS 64           /* an "H" line has ~20 tokens; unknown keys are tolerated */
#define WD_STATUS_MAX_BYTES (64 * 1024) /* our health file is < 3 KiB; anything larger is not ours */
#define WD_STATUS_TOKENS 256            /* tokens in the health file: ~35 */
#define WD_STATUS_STALE_FACTOR 3        /* status: older than 3 rewrite intervals = the watchdog is gone */
#define WD_STATE_ENV "EXAMFLOW_WATCHDOG_STATE" /* "STREAK RESTARTS", handed over a SIGUSR2 re-exec */

/* Defaults of the timings that are not config keys (tests shorten them). */
#define WD_DEF_KILL_GRACE_MS 5000       /* SIGTERM → SIGKILL for a hung worker */
#define WD_DEF_STOP_DEADLINE_MS 20000   /* graceful stop; below TimeoutStopSec (30 s in examflow.service) */
#define WD_DEF_BACKOFF_BASE_MS 1000     /* first restart after 1 s ... */
#define WD_DEF_BACKOFF_MAX_MS 60000     /* ... doubling up to a minute */
#define WD_DEF_HEALTHY_RESET_MS 60000   /* a minute of heartbeats forgives earlier crashes */

typedef int (*wd_worker_fn)(int report_fd, void *ctx); /* runs in the child; returns its exit code */

/* How the watchdog behaves.  wd_opts_init() fills production values from the
 * config; tests shorten the timings. */
struct wd_opts {
	const char *health_file;    /* "" or NULL: none */
	int max_restarts;           /* restarts allowed in one crash streak */
	int64_t check_interval_ms;  /* health file rewritten at least this often */
	int64_t hang_timeout_ms;    /* silence that counts as hung */
	int64_t kill_grace_ms;      /* hung worker: SIGTERM, then SIGKILL after this */
	int64_t stop_deadline_ms;   /* shutdown: SIGTERM, then SIGKILL after this */
	int64_t backoff_base_ms, backoff_max_ms;
	int64_t healthy_reset_ms;   /* heartbeating this long ends a crash streak */
	char *const *argv;          /* for SIGUSR2 re-exec; NULL: re-exec is refused */
	const char *exec_path;      /* NULL: the binary we were started from */
	void (*notify)(const char *text, void *ctx); /* admin notice; must not block or wait for children */
	void *notify_ctx;
	int (*reload)(struct wd_opts *o); /* SIGHUP: load the configuration into *o; 0, or -1 keep (logged) */
};

static void wd_opts_init(struct wd_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	o->health_file = c->health_file;
	o->max_restarts = c->max_restarts;
	o->check_interval_ms = (int64_t)c->check_interval * 1000;
	o->hang_timeout_ms = (int64_t)cfg_hang_timeout(c) * 1000;
	o->kill_grace_ms = WD_DEF_KILL_GRACE_MS;
	o->stop_deadline_ms = WD_DEF_STOP_DEADLINE_MS;
	o->backoff_base_ms = WD_DEF_BACKOFF_BASE_MS;
	o->backoff_max_ms = WD_DEF_BACKOFF_MAX_MS;
	o->healthy_reset_ms = WD_DEF_HEALTHY_RESET_MS;
}

/* --- the worker's side of the pipe ---------------------------------------- */

/* One whole line or nothing: 0, or -1 when the pipe is full or gone. */
static int wd_send_line(int fd, const char *s, size_t n)
{
	if (fd < 0 || n > WD_LINE_MAX)
		return -1;
	ssize_t w;
	do
		w = write(fd, s, n);
	while (w < 0 && errno == EINTR);
	return w == (ssize_t)n ? 0 : -1;
}

static int wd_report_heartbeat(int fd) { return wd_send_line(fd, "B\n", 2); }
static int wd_report_ready(int fd) { return wd_send_line(fd, "R\n", 2); }

/* "N text": newlines folded so the notice stays one line; too long is -1. */
TEST_API static int wd_report_notice(int fd, const char *text)
{
	char line[WD_LINE_MAX];
	int n = snprintf(line, sizeof line, "N %s\n", text);
	if (n < 0 || (size_t)n >= sizeof line)
		return -1;
	for (int i = 0; i < n - 1; i++)
		if (line[i] == '\n' || line[i] == '\r')
			line[i] = ' ';
	return wd_send_line(fd, line, (size_t)n);
}

static int wd_encode_health(const struct status *h, int nerrors, struct buf *b)
{
	struct json_w w;
	buf_reset(b);
	if (buf_puts(b, "H ") < 0)
		return -1;
	json_w_init(&w, b);
	json_w_obj_begin(&w);
	json_w_kv_bool(&w, "bot_online", h->bot_online);
	json_w_kv_bool(&w, "api_responsive", h->api_responsive);
	json_w_kv_bool(&w, "database_connected", h->database_connected);
	json_w_kv_bool(&w, "ai_working", h->ai_working);
	json_w_kv_i64(&w, "last_update_at", h->last_update_at);
	json_w_kv_i64(&w, "queue_depth", h->queue_depth);
	json_w_key(&w, "errors");
	json_w_arr_begin(&w);
	for (int i = 0; i < nerrors; i++)
		json_w_val_strn(&w, h->errors[i], strnlen(h->errors[i], STATUS_ERROR_LEN));
	json_w_arr_end(&w);
	json_w_obj_end(&w);
	return json_w_finish(&w) < 0 || buf_putc(b, '\n') < 0 ? -1 : 0;
}

/* Send the whole snapshot.  If the errors make the line longer than
 * WD_LINE_MAX, the last errors are left out (the line must stay atomic).
 * 0, or -1 when nothing was sent. */
static int wd_report_health(int fd, const struct status *h)
{
	struct buf b = BUF_INIT;
	int rc = -1;
	int n = h->nerrors < 0 ? 0 : h->nerrors > STATUS_ERRORS ? STATUS_ERRORS : h->nerrors;
	for (; n >= 0; n--) {
		if (wd_encode_health(h, n, &b) < 0)
			break;
		if (b.len <= WD_LINE_MAX) {
			rc = wd_send_line(fd, b.p, b.len);
			break;
		}
	}
	buf_free(&b);
	return rc;
}

/* --- systemd ---------------------------------------------------------------- */

/* Send one sd_notify datagram ("READY=1", "WATCHDOG=1", "STATUS=..."):
 * 0 when sent or when NOTIFY_SOCKET is not set, -1 when sending failed.
 * "@name" is an abstract address: a leading NUL and no terminator. */
static int wd_sd_notify(const char *msg)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path)
		return 0;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	size_t n = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || n >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, n);
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';
	else
		len++; /* a path address counts its NUL */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	size_t mlen = strlen(msg);
	ssize_t r = sendto(fd, msg, mlen, MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
	close(fd);
	return r == (ssize_t)mlen ? 0 : -1;
}

__attribute__((format(printf, 1, 2)))
static void wd_sd_status(const char *fmt, ...)
{
	char msg[256] = "STATUS=";
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + 7, sizeof msg - 7, fmt, ap);
	va_end(ap);
	wd_sd_notify(msg);
}

/* Half of WATCHDOG_USEC in ms (systemd's advice), or 0 when systemd's
 * watchdog is off or meant for another process. */
static int64_t wd_sd_watchdog_ms(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	if (!usec || !getenv("NOTIFY_SOCKET"))
		return 0;
	if (pid && *pid && strtol(pid, NULL, 10) != (long)getpid())
		return 0;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(usec, &end, 10);
	if (errno || *end || v == 0)
		return 0;
	return v / 2000 ? (int64_t)(v / 2000) : 1;
}

/* --- the parent ------------------------------------------------------------- */

enum wd_state {
	WD_WAITING,  /* no worker: the next one starts at restart_at_ms */
	WD_RUNNING,  /* a worker is alive */
	WD_KILLING,  /* a hung worker got SIGTERM; SIGKILL at kill_at_ms */
	WD_STOPPING  /* shutdown or re-exec: the worker got SIGTERM; SIGKILL at kill_at_ms */
};
enum { WD_STOP_NONE, WD_STOP_EXIT, WD_STOP_REEXEC };

/* The watchdog's whole state; one instance, on wd_run()'s stack. */
struct wd {
	struct wd_opts *o;           /* the caller's; SIGHUP's reload replaces it in place */
	wd_worker_fn worker;
	void *ctx;
	enum wd_state state;
	int stop_kind;
	int done, exit_code;        /* the loop ends with exit_code */
	pid_t pid;                  /* the worker; 0 when none */
	int rfd;                    /* read end of its pipe; -1 when none */
	char line[WD_LINE_MAX + 1];
	size_t linelen;
	int overlong;               /* dropping the rest of a line that did not fit */
	int ready;                  /* this worker said "R" */
	int sd_ready_sent;          /* READY=1 goes out once per watchdog */
	int sigkill_sent;
	int was_fresh;
	int restarts;               /* since the watchdog started */
	int streak;                 /* crashes since the worker last ran healthy */
	int64_t boot_ms, started_ms, last_beat_ms, kill_at_ms, restart_at_ms;
	int64_t health_last_ms, health_next_ms;
	int health_dirty, health_failing;
	int64_t sd_wd_ms, sd_wd_next_ms;
	struct status snap;      /* the current worker's last report */
	char cause[WD_CAUSE_LEN];       /* why the last restart happened; "" before any */
	char hang_cause[WD_CAUSE_LEN];  /* set when a hang is detected, used when the worker is reaped */
	char down_reason[WD_REASON_LEN]; /* why the watchdog ended: "stopped", "crash loop: ..." */
	char exe[PATH_MAX_LEN];         /* the binary on disk, for re-exec */
};

/* Self-pipe for signals.  Owned by wd_run(); the handler only writes to [1],
 * and only in the process that created it (wd_sigpipe_owner). */
static int wd_sigpipe[2] = {-1, -1};
static pid_t wd_sigpipe_owner;
static const int wd_signals[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR2, SIGCHLD};
#define WD_NSIGNALS ((int)(sizeof wd_signals / sizeof wd_signals[0]))

static void wd_on_signal(int sig)
{
	int e = errno;
	if (getpid() != wd_sigpipe_owner) {
		/* a child forked without wd_fork(): behave as if we had no handler,
		 * rather than tell the watchdog about a signal it never got */
		signal(sig, SIG_DFL);
		if (sig != SIGCHLD)
			raise(sig);
		errno = e;
		return;
	}
	unsigned char c = (unsigned char)sig;
	ssize_t r = write(wd_sigpipe[1], &c, 1); /* full pipe: the loop is awake anyway */
	(void)r;
	errno = e;
}

/* fork() for anything the watchdog starts (the worker, a notifier): flushes
 * stdio first, and the child starts with default signal handling and
 * without the watchdog's self-pipe.  Returns like fork(). */
static pid_t wd_fork(void)
{
	fflush(NULL); /* or buffered output would be written twice */
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int i = 0; i < WD_NSIGNALS; i++)
		sigaction(wd_signals[i], &dfl, NULL);
	if (wd_sigpipe[0] >= 0) {
		close(wd_sigpipe[0]);
		close(wd_sigpipe[1]);
		wd_sigpipe[0] = wd_sigpipe[1] = -1;
	}
	return 0;
}

static const char *wd_signame(int sig, char *tmp, size_t len)
{
	static const struct { int sig; const char *name; } names[] = {
		{SIGHUP, "SIGHUP"}, {SIGINT, "SIGINT"}, {SIGQUIT, "SIGQUIT"}, {SIGILL, "SIGILL"},
		{SIGTRAP, "SIGTRAP"}, {SIGABRT, "SIGABRT"}, {SIGBUS, "SIGBUS"}, {SIGFPE, "SIGFPE"},
		{SIGKILL, "SIGKILL"}, {SIGUSR1, "SIGUSR1"}, {SIGSEGV, "SIGSEGV"}, {SIGUSR2, "SIGUSR2"},
		{SIGPIPE, "SIGPIPE"}, {SIGALRM, "SIGALRM"}, {SIGTERM, "SIGTERM"}, {SIGSYS, "SIGSYS"},
		{SIGXCPU, "SIGXCPU"}, {SIGXFSZ, "SIGXFSZ"},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].sig == sig)
			return names[i].name;
	snprintf(tmp, len, "signal %d", sig);
	return tmp;
}

/* "exited with code 1", "killed by signal SIGSEGV (core dumped)". */
static void wd_describe_exit(int status, char *out, size_t len)
{
	char tmp[32];
	if (WIFEXITED(status))
		snprintf(out, len, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, len, "killed by signal %s%s", wd_signame(WTERMSIG(status), tmp, sizeof tmp),
		         WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(out, len, "ended with status 0x%x", (unsigned)status);
}

static void wd_notify(struct wd *w, const char *text)
{
	if (w->o->notify)
		w->o->notify(text, w->o->notify_ctx);
}

/* Apply an "H" snapshot to h: the keys present change, the others stay.
 * 0, or -1 (and h untouched) when the JSON is not an object we can read. */
static int wd_parse_health(const char *s, size_t n, struct status *h)
{
	static const struct { const char *key; size_t off; } bools[] = {
		{"bot_online", offsetof(struct status, bot_online)},
		{"api_responsive", offsetof(struct status, api_responsive)},
		{"database_connected", offsetof(struct status, database_connected)},
		{"ai_working", offsetof(struct status, ai_working)},
	};
	struct json_tok t[WD_SNAPSHOT_TOKENS];
	int nt = json_parse(s, n, t, WD_SNAPSHOT_TOKENS);
	if (nt < 1 || t[0].type != JSON_OBJECT)
		return -1;
	struct status out = *h;
	for (size_t k = 0; k < sizeof bools / sizeof bools[0]; k++) {
		int v, i = json_obj_get(s, t, nt, 0, bools[k].key);
		if (i >= 0 && json_get_bool(s, t, i, &v) == 0)
			*(int *)(void *)((char *)&out + bools[k].off) = v;
	}
	/* 0 is a new worker's "none yet": the last known time stays */
	int64_t last = 0;
	if (json_get_i64(s, t, json_obj_get(s, t, nt, 0, "last_update_at"), &last) == 0 && last > 0)
		out.last_update_at = last;
	json_get_i64(s, t, json_obj_get(s, t, nt, 0, "queue_depth"), &out.queue_depth);
	int arr = json_obj_get(s, t, nt, 0, "errors");
	if (arr >= 0 && t[arr].type == JSON_ARRAY) {
		struct buf b = BUF_INIT;
		out.nerrors = 0;
		for (int k = 0; k < t[arr].size && out.nerrors < STATUS_ERRORS; k++) {
			buf_reset(&b);
			if (json_get_str(s, t, json_arr_get(t, nt, arr, k), &b) < 0 || b.len == 0)
				continue;
			status_add_error(&out, b.p, b.len);
		}
		buf_free(&b);
	}
	*h = out;
	return 0;
}

static int wd_fresh(const struct wd *w, int64_t now)
{
	int64_t stale = w->o->hang_timeout_ms < WD_BEAT_STALE_MS ? w->o->hang_timeout_ms : WD_BEAT_STALE_MS;
	return w->pid && w->state == WD_RUNNING && now - w->last_beat_ms < stale;
}

/* The health file: the worker's last snapshot as the watchdog sees it (a
 * worker that is down or silent is not online, whatever it said last). */
static int wd_health_json(const struct wd *w, int64_t now, struct buf *b)
{
	int alive = w->pid && w->state == WD_RUNNING;
	char why[WD_REASON_LEN] = "";
	if (w->done)
		snprintf(why, sizeof why, "%s", w->down_reason);
	else if (w->state == WD_STOPPING)
		snprintf(why, sizeof why, "stopping");
	else if (w->state == WD_KILLING)
		snprintf(why, sizeof why, "worker %s: being replaced", w->hang_cause);
	else if (w->state == WD_WAITING)
		snprintf(why, sizeof why, "worker down (%s): restarting in %lld s", w->cause,
		         (long long)((w->restart_at_ms - now + 999) / 1000));
	else if (!wd_fresh(w, now))
		snprintf(why, sizeof why, "no heartbeat from the worker for %lld s",
		         (long long)((now - w->last_beat_ms) / 1000));
	else if (!w->ready)
		snprintf(why, sizeof why, "worker starting: Telegram not reached yet");
	struct status st = w->snap; /* last_update_at and queue_depth: the last known, even while down */
	st.bot_online = wd_fresh(w, now) && w->ready && w->snap.bot_online;
	st.api_responsive = alive && w->snap.api_responsive;
	st.database_connected = alive && w->snap.database_connected;
	st.ai_working = alive && w->snap.ai_working;
	if (!alive)
		st.nerrors = 0;
	struct status_who who = {getpid(), w->pid, (now - w->boot_ms) / 1000, w->restarts, w->cause, why};
	buf_reset(b);
	return status_json(&st, &who, b);
}

static void wd_write_health(struct wd *w, int64_t now)
{
	w->health_dirty = 0;
	w->health_last_ms = now;
	w->health_next_ms = now + w->o->check_interval_ms;
	if (!w->o->health_file || !w->o->health_file[0])
		return;
	struct buf b = BUF_INIT;
	int rc = wd_health_json(w, now, &b);
	if (rc == 0)
		rc = write_file_atomic(w->o->health_file, b.p, b.len);
	if (rc < 0 && !w->health_failing)
		log_warn("watchdog", "cannot write health file %s: %s", w->o->health_file, strerror(errno));
	else if (rc == 0 && w->health_failing)
		log_info("watchdog", "health file %s written again", w->o->health_file);
	w->health_failing = rc < 0;
	buf_free(&b);
}

static void wd_install_signals(struct sigaction *old)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = wd_on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP; /* a stopped worker is found by silence, not SIGCHLD */
	for (int i = 0; i < WD_NSIGNALS; i++)
		sigaction(wd_signals[i], &sa, old ? &old[i] : NULL);
}

/* In a worker process: the restarts before it (0: the watchdog's first worker). */
static int wd_worker_restarts;

/* In the new child (after wd_fork): tie it to the parent, run the worker. */
__attribute__((noreturn))
static void wd_child(struct wd *w, int wfd, pid_t parent)
{
	/* If the watchdog is killed, the worker must not poll on alone: a new
	 * instance would meet it as a 409 conflict. */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(EXIT_FAIL);
	/* systemd listens to the main process only; the worker stays quiet. */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	set_nonblock(wfd);
	wd_worker_restarts = w->restarts;
	/* What /health and /metrics in the worker report about supervision. */
	char num[32];
	snprintf(num, sizeof num, "%d", w->restarts);
	setenv("EXAMFLOW_RESTARTS", num, 1);
	snprintf(num, sizeof num, "%" PRId64, wall_ms() - (mono_ms() - w->boot_ms));
	setenv("EXAMFLOW_WATCHDOG_STARTED", num, 1);
	if (w->cause[0])
		setenv("EXAMFLOW_RESTART_CAUSE", w->cause, 1);
	int rc = w->worker(wfd, w->ctx);
	_exit(rc < 0 || rc > 255 ? EXIT_FAIL : rc);
}

static int64_t wd_backoff_ms(const struct wd *w)
{
	int64_t d = w->o->backoff_base_ms;
	for (int i = 1; i < w->streak && d < w->o->backoff_max_ms; i++)
		d *= 2;
	return d < w->o->backoff_max_ms ? d : w->o->backoff_max_ms;
}

/* The worker is gone against our will: restart it after the backoff, or
 * give up when this streak has used up max_restarts. */
static void wd_crashed(struct wd *w, const char *cause, int64_t now)
{
	char text[WD_REASON_LEN];
	snprintf(w->cause, sizeof w->cause, "%s", cause);
	w->streak++;
	if (w->streak > w->o->max_restarts) {
		snprintf(w->down_reason, sizeof w->down_reason,
		         "crash loop: given up after %d restarts, last cause: %s", w->streak - 1, cause);
		log_error("watchdog", "%s", w->down_reason);
		wd_notify(w, w->down_reason);
		wd_sd_status("%s", w->down_reason);
		w->state = WD_WAITING;
		w->done = 1;
		w->exit_code = EXIT_FAIL;
		wd_write_health(w, now);
		return;
	}
	w->restarts++;
	int64_t delay = wd_backoff_ms(w);
	w->state = WD_WAITING;
	w->restart_at_ms = now + delay;
	snprintf(text, sizeof text, "worker %s; restarting in %.1f s", cause, (double)delay / 1000);
	log_error("watchdog", "%s (crash %d in a row)", text, w->streak);
	wd_sd_status("%s", text);
	if (w->streak == 1) /* one notice per streak: the give-up notice ends it */
		wd_notify(w, text);
	wd_write_health(w, now);
}

static void wd_start_worker(struct wd *w, int64_t now)
{
	int p[2];
	pid_t parent = getpid(), pid = -1;
	if (pipe2(p, O_CLOEXEC) == 0) {
		pid = wd_fork();
		if (pid == 0) {
			close(p[0]);
			wd_child(w, p[1], parent);
		}
		int e = errno;
		close(p[1]);
		if (pid < 0)
			close(p[0]);
		errno = e;
	}
	if (pid < 0) {
		char why[WD_CAUSE_LEN];
		snprintf(why, sizeof why, "could not be started: %s", strerror(errno));
		wd_crashed(w, why, now);
		return;
	}
	set_nonblock(p[0]);
	w->pid = pid;
	w->rfd = p[0];
	w->linelen = 0;
	w->overlong = 0;
	w->ready = 0;
	w->sigkill_sent = 0;
	w->started_ms = w->last_beat_ms = now;
	w->was_fresh = 1;
	int64_t last_update = w->snap.last_update_at, depth = w->snap.queue_depth;
	memset(&w->snap, 0, sizeof w->snap);
	w->snap.bot_online = 1; /* until the worker says otherwise */
	w->snap.last_update_at = last_update; /* last known until the new worker reports */
	w->snap.queue_depth = depth;
	w->state = WD_RUNNING;
	w->health_dirty = 1;
	if (w->restarts)
		log_info("watchdog", "worker %d started (restart %d, after: %s)", (int)pid, w->restarts, w->cause);
	else
		log_info("watchdog", "worker %d started", (int)pid);
	wd_sd_status("starting worker %d", (int)pid);
}

static void wd_handle_line(struct wd *w, const char *s, size_t n, int64_t now)
{
	w->last_beat_ms = now;
	if (n == 1 && s[0] == 'B')
		return;
	if (n == 1 && s[0] == 'R') {
		if (w->ready)
			return;
		w->ready = 1;
		w->health_dirty = 1;
		log_info("watchdog", "worker %d is ready", (int)w->pid);
		if (!w->sd_ready_sent) {
			wd_sd_notify("READY=1");
			w->sd_ready_sent = 1;
		}
		wd_sd_status("running, worker %d", (int)w->pid);
	} else if (n >= 2 && s[0] == 'H' && s[1] == ' ') {
		if (wd_parse_health(s + 2, n - 2, &w->snap) < 0)
			log_warn("watchdog", "worker %d sent an unreadable health snapshot", (int)w->pid);
		w->health_dirty = 1;
	} else if (n >= 2 && s[0] == 'N' && s[1] == ' ') {
		log_info("watchdog", "worker notice: %s", s + 2);
	} else {
		log_warn("watchdog", "worker %d sent an unknown message (%zu bytes)", (int)w->pid, n);
	}
}

static void wd_read_worker(struct wd *w, int64_t now)
{
	char chunk[512];
	for (int k = 0; k < WD_READS_PER_WAKE && w->rfd >= 0; k++) {
		ssize_t r = read(w->rfd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return; /* EAGAIN: all read */
		if (r == 0) { /* closed: the exit, or a worker that went silent for good */
			close(w->rfd);
			w->rfd = -1;
			return;
		}
		for (ssize_t i = 0; i < r; i++) {
			if (chunk[i] == '\n') {
				w->line[w->linelen] = '\0';
				if (!w->overlong)
					wd_handle_line(w, w->line, w->linelen, now);
				w->linelen = 0;
				w->overlong = 0;
			} else if (w->linelen < WD_LINE_MAX) {
				w->line[w->linelen++] = chunk[i];
			} else if (!w->overlong) {
				w->overlong = 1;
				log_warn("watchdog", "worker %d sent a line over %d bytes; dropped", (int)w->pid, WD_LINE_MAX);
			}
		}
	}
}

/* The worker process has been reaped. */
static void wd_worker_gone(struct wd *w, int status, int64_t now)
{
	char how[64];
	pid_t pid = w->pid;
	if (w->rfd >= 0) {
		wd_read_worker(w, now); /* its last words */
		if (w->rfd >= 0)
			close(w->rfd);
		w->rfd = -1;
	}
	w->pid = 0;
	wd_describe_exit(status, how, sizeof how);
	if (w->state == WD_STOPPING) {
		log_info("watchdog", "worker %d %s", (int)pid, how);
		return; /* wd_tick finishes the stop */
	}
	if (w->state == WD_KILLING) {
		log_info("watchdog", "hung worker %d %s", (int)pid, how);
		wd_crashed(w, w->hang_cause, now);
		return;
	}
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (code == EXIT_CONFIG || code == EXIT_DATA) {
		snprintf(w->down_reason, sizeof w->down_reason, "worker %s (%s): not restarting", how,
		         code == EXIT_CONFIG ? "configuration is wrong" : "data files need an admin");
		log_error("watchdog", "%s", w->down_reason);
		wd_notify(w, w->down_reason);
		wd_sd_status("%s", w->down_reason);
		w->state = WD_WAITING;
		w->done = 1;
		w->exit_code = code;
		wd_write_health(w, now);
		return;
	}
	wd_crashed(w, how, now);
}

static void wd_reap(struct wd *w, int64_t now)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == w->pid)
			wd_worker_gone(w, status, now);
	/* other children (notifiers) are just reaped */
}

/* Stop the worker for good (WD_STOP_EXIT) or to re-exec ourselves. */
static void wd_begin_stop(struct wd *w, int kind, int64_t now)
{
	if (w->stop_kind == kind || w->stop_kind == WD_STOP_EXIT)
		return;
	if (kind == WD_STOP_REEXEC && (!w->o->argv || !w->o->argv[0] || !(w->o->exec_path || w->exe[0]))) {
		log_warn("watchdog", "SIGUSR2: re-exec is not possible here (no argv or binary path); ignored");
		return;
	}
	w->stop_kind = kind;
	log_info("watchdog", "%s: stopping worker %d", kind == WD_STOP_EXIT ? "shutdown" : "re-exec", (int)w->pid);
	if (kind == WD_STOP_EXIT)
		wd_sd_notify("STOPPING=1");
	wd_sd_status(kind == WD_STOP_EXIT ? "stopping" : "re-executing");
	if (w->pid && w->state != WD_KILLING && w->state != WD_STOPPING) {
		kill(w->pid, SIGTERM);
		kill(w->pid, SIGCONT); /* a stopped worker could not act on SIGTERM */
		w->kill_at_ms = now + w->o->stop_deadline_ms;
		w->sigkill_sent = 0;
	}
	w->state = WD_STOPPING;
	wd_write_health(w, now);
}

/* Replace this process with the binary on disk (which self-update may just
 * have renamed into place).  Returns only on failure. */
static void wd_reexec(struct wd *w, int64_t now)
{
	const char *path = w->o->exec_path ? w->o->exec_path : w->exe;
	snprintf(w->down_reason, sizeof w->down_reason, "restarting: re-executing the binary");
	w->done = 1;
	wd_write_health(w, now);
	w->done = 0;
	log_info("watchdog", "re-executing %s", path);
	/* The crash streak survives the re-exec: a crash-looping bot that an
	 * updater re-executes must still give up (wd_inherit reads it). */
	char state[64];
	snprintf(state, sizeof state, "%d %d", w->streak, w->restarts);
	setenv(WD_STATE_ENV, state, 1);
	execv(path, w->o->argv);
	unsetenv(WD_STATE_ENV);
	log_error("watchdog", "cannot re-exec %s: %s; carrying on", path, strerror(errno));
}

/* After a re-exec: the crash streak and restart count of the watchdog we
 * were (absent, or not two small numbers: a fresh start). */
static void wd_inherit(struct wd *w)
{
	const char *v = getenv(WD_STATE_ENV);
	int streak, restarts;
	if (v && sscanf(v, "%d %d", &streak, &restarts) == 2 && streak >= 0 && restarts >= 0 &&
	    streak <= w->o->max_restarts + 1 && restarts < INT_MAX / 2) {
		w->streak = streak;
		w->restarts = restarts;
		log_info("watchdog", "re-executed: %d restart%s so far, %d crash%s in a row", restarts,
		         restarts == 1 ? "" : "s", streak, streak == 1 ? "" : "es");
	}
	unsetenv(WD_STATE_ENV);
}

static void wd_on_signal_byte(struct wd *w, int sig, int64_t now)
{
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("watchdog", "%s received", sig == SIGTERM ? "SIGTERM" : "SIGINT");
		wd_begin_stop(w, WD_STOP_EXIT, now);
		break;
	case SIGHUP:
		if (w->o->reload) { /* the configuration, and the log with it */
			if (w->o->reload(w->o) == 0)
				log_info("watchdog", "SIGHUP: configuration reloaded; workers start with it from now on");
			w->health_dirty = 1;
		} else if (logst.path[0]) { /* logrotate moved our file too; log_open must not get its own buffer */
			char path[PATH_MAX_LEN];
			snprintf(path, sizeof path, "%s", logst.path);
			log_open(path);
		}
		if (w->pid && w->state == WD_RUNNING)
			kill(w->pid, SIGHUP);
		log_info("watchdog", "SIGHUP forwarded to worker %d", (int)w->pid);
		break;
	case SIGUSR2:
		log_info("watchdog", "SIGUSR2 received: re-exec requested");
		wd_begin_stop(w, WD_STOP_REEXEC, now);
		break;
	case SIGCHLD:
		break; /* reaped after the whole batch */
	}
}

static void wd_drain_signals(struct wd *w, int64_t now)
{
	unsigned char sigs[64];
	ssize_t r;
	while ((r = read(wd_sigpipe[0], sigs, sizeof sigs)) > 0)
		for (ssize_t i = 0; i < r; i++)
			wd_on_signal_byte(w, sigs[i], now);
	wd_reap(w, now);
}

/* Everything driven by time: hang detection, SIGKILL deadlines, restarts,
 * the end of a stop, the healthy reset, systemd's watchdog, the file. */
static void wd_tick(struct wd *w, int64_t now)
{
	const struct wd_opts *o = w->o;
	if (w->state == WD_RUNNING && now - w->last_beat_ms >= o->hang_timeout_ms) {
		snprintf(w->hang_cause, sizeof w->hang_cause, "hung (no heartbeat for %.1f s)",
		         (double)(now - w->last_beat_ms) / 1000);
		log_error("watchdog", "worker %d %s: SIGTERM, SIGKILL in %.1f s", (int)w->pid, w->hang_cause,
		          (double)o->kill_grace_ms / 1000);
		kill(w->pid, SIGTERM);
		kill(w->pid, SIGCONT); /* a SIGSTOPped worker can only act on SIGTERM once continued */
		w->state = WD_KILLING;
		w->kill_at_ms = now + o->kill_grace_ms;
		w->sigkill_sent = 0;
		wd_write_health(w, now);
	}
	if ((w->state == WD_KILLING || w->state == WD_STOPPING) && w->pid && !w->sigkill_sent &&
	    now >= w->kill_at_ms) {
		log_warn("watchdog", "worker %d did not stop in time: SIGKILL", (int)w->pid);
		kill(w->pid, SIGKILL);
		w->sigkill_sent = 1;
	}
	if (w->state == WD_STOPPING && !w->pid) {
		if (w->stop_kind == WD_STOP_REEXEC) {
			wd_reexec(w, now);
			w->stop_kind = WD_STOP_NONE; /* still here: supervise on */
			w->state = WD_WAITING;
			w->restart_at_ms = now;
		} else {
			snprintf(w->down_reason, sizeof w->down_reason, "stopped");
			w->done = 1;
			w->exit_code = EXIT_OK;
			log_info("watchdog", "stopped");
			wd_write_health(w, now);
			return;
		}
	}
	if (w->state == WD_WAITING && !w->done && now >= w->restart_at_ms)
		wd_start_worker(w, now);
	if (w->done)
		return;
	int fresh = wd_fresh(w, now);
	if (fresh != w->was_fresh) {
		w->was_fresh = fresh;
		w->health_dirty = 1;
	}
	if (w->state == WD_RUNNING && w->streak && fresh && now - w->started_ms >= o->healthy_reset_ms) {
		log_info("watchdog", "worker %d healthy for %lld s: crash count reset", (int)w->pid,
		         (long long)((now - w->started_ms) / 1000));
		w->streak = 0;
	}
	if (w->sd_wd_ms && now >= w->sd_wd_next_ms) {
		if (fresh)
			wd_sd_notify("WATCHDOG=1");
		w->sd_wd_next_ms = now + w->sd_wd_ms;
	}
	if (now >= w->health_next_ms || (w->health_dirty && now - w->health_last_ms >= WD_HEALTH_MIN_GAP_MS))
		wd_write_health(w, now);
}

/* Milliseconds until wd_tick has something to do (at most a second). */
static int wd_poll_timeout(const struct wd *w, int64_t now)
{
	int64_t next = now + 1000;
#define WD_SOONER(t) do { if ((t) < next) next = (t); } while (0)
	if (w->state == WD_RUNNING) {
		WD_SOONER(w->last_beat_ms + w->o->hang_timeout_ms);
		if (w->was_fresh)
			WD_SOONER(w->last_beat_ms + WD_BEAT_STALE_MS);
		if (w->streak)
			WD_SOONER(w->started_ms + w->o->healthy_reset_ms);
	}
	if ((w->state == WD_KILLING || w->state == WD_STOPPING) && !w->sigkill_sent)
		WD_SOONER(w->kill_at_ms);
	if (w->state == WD_WAITING)
		WD_SOONER(w->restart_at_ms);
	WD_SOONER(w->health_next_ms);
	if (w->health_dirty)
		WD_SOONER(w->health_last_ms + WD_HEALTH_MIN_GAP_MS);
	if (w->sd_wd_ms)
		WD_SOONER(w->sd_wd_next_ms);
#undef WD_SOONER
	return next <= now ? 0 : (int)(next - now);
}

/* Supervise worker(ctx) until told to stop or until it is hopeless.
 * Returns the exit code for the process (see the section's banner). */
static int wd_run(struct wd_opts *o, wd_worker_fn worker, void *ctx)
{
	struct wd w;
	struct sigaction old[WD_NSIGNALS];
	memset(&w, 0, sizeof w);
	w.o = o;
	w.worker = worker;
	w.ctx = ctx;
	w.rfd = -1;
	w.boot_ms = mono_ms();
	w.state = WD_WAITING;
	w.restart_at_ms = w.boot_ms;
	w.sd_wd_ms = wd_sd_watchdog_ms();
	w.sd_wd_next_ms = w.boot_ms;
	wd_inherit(&w);
	/* Resolved now: after self-update renames a new binary into place,
	 * /proc/self/exe would name the old, deleted one. */
	ssize_t n = readlink("/proc/self/exe", w.exe, sizeof w.exe - 1);
	w.exe[n > 0 ? n : 0] = '\0';

	wd_sigpipe_owner = getpid();
	if (pipe2(wd_sigpipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_error("watchdog", "cannot create the signal pipe: %s", strerror(errno));
		return EXIT_FAIL;
	}
	if (o->health_file && o->health_file[0]) {
		char dir[PATH_MAX_LEN];
		snprintf(dir, sizeof dir, "%s", o->health_file);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (mkdir_p(dir, 0700) < 0)
				log_warn("watchdog", "cannot create %s: %s", dir, strerror(errno));
		}
	}
	wd_install_signals(old);
	log_info("watchdog", "examflow %s watchdog %d: max %d restarts, hang after %.1f s", EXAMFLOW_VERSION,
	         (int)getpid(), o->max_restarts, (double)o->hang_timeout_ms / 1000);

	while (!w.done) {
		int64_t now = mono_ms();
		wd_tick(&w, now);
		if (w.done)
			break;
		struct pollfd pfd[2] = {{wd_sigpipe[0], POLLIN, 0}, {w.rfd, POLLIN, 0}};
		int r = poll(pfd, w.rfd >= 0 ? 2 : 1, wd_poll_timeout(&w, mono_ms()));
		if (r < 0 && errno != EINTR) {
			log_error("watchdog", "poll: %s", strerror(errno));
			sleep(1); /* never spin */
		}
		now = mono_ms();
		if (r > 0 && w.rfd >= 0 && (pfd[1].revents & (POLLIN | POLLHUP | POLLERR)))
			wd_read_worker(&w, now);
		if (r > 0 && (pfd[0].revents & POLLIN))
			wd_drain_signals(&w, now);
	}

	if (w.rfd >= 0)
		close(w.rfd);
	for (int i = 0; i < WD_NSIGNALS; i++)
		sigaction(wd_signals[i], &old[i], NULL);
	close(wd_sigpipe[0]);
	close(wd_sigpipe[1]);
	wd_sigpipe[0] = wd_sigpipe[1] = -1;
	return w.exit_code;
}

/* --- examflow status ------------------------------------------------------------ */

/* "2026-11-24T09:00:00.000Z" → ms since the epoch; -1 if it is not that. */
static int64_t wd_parse_iso8601(const char *s)
{
	struct tm tm;
	int ms = 0, used = 0;
	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	           &tm.tm_min, &tm.tm_sec, &used) != 6)
		return -1;
	s += used;
	if (*s == '.') {
		int digits = 0;
		for (s++; isdigit((unsigned char)*s); s++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*s - '0');
		while (digits > 0 && digits < 3)
			ms *= 10, digits++;
	}
	if (strcmp(s, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

/* A string field into out, or "-" when absent or null. */
static void wd_status_str(const char *doc, const struct json_tok *t, int nt, const char *key, char *out, size_t len)
{
	struct buf b = BUF_INIT;
	int i = json_obj_get(doc, t, nt, 0, key);
	if (json_get_str(doc, t, i, &b) == 0 && b.len)
		utf8_copy_line(out, len, b.p, b.len);
	else
		snprintf(out, len, "-");
	buf_free(&b);
}

static int wd_status_bool(const char *doc, const struct json_tok *t, int nt, const char *key)
{
	int v = 0;
	return json_get_bool(doc, t, json_obj_get(doc, t, nt, 0, key), &v) == 0 && v;
}

static int64_t wd_status_int(const char *doc, const struct json_tok *t, int nt, const char *key)
{
	int64_t v = -1;
	json_get_i64(doc, t, json_obj_get(doc, t, nt, 0, key), &v);
	return v;
}

/* Print the health file for a human; 0 when it is fresh (written within
 * max_age_ms) and says overall_healthy, 1 otherwise (missing, unreadable,
 * stale, unhealthy). */
static int wd_status_report(const char *path, int64_t max_age_ms, FILE *out)
{
	static const struct { const char *key, *label; } flags[] = {
		{"bot_online", "bot online"}, {"api_responsive", "telegram api"},
		{"database_connected", "storage"}, {"ai_working", "ai tutor"},
	};
	struct buf b = BUF_INIT;
	struct json_tok *t = NULL;
	int rc = 1, nt = 0;
	char ts[64], ver[64], cause[WD_CAUSE_LEN], last[64];

	if (read_file(path, &b, WD_STATUS_MAX_BYTES) < 0) {
		fprintf(out, "examflow: cannot read the health file %s: %s (is the bot running?)\n", path, strerror(errno));
		goto done;
	}
	if (b.len)
		nt = json_parse_alloc(b.p, b.len, WD_STATUS_TOKENS, &t, NULL);
	if (nt < 1 || t[0].type != JSON_OBJECT) {
		fprintf(out, "examflow: %s is not a health file (%s)\n", path,
		        !b.len ? "empty" : nt < 0 ? json_strerror(nt) : "not a JSON object");
		goto done;
	}
	wd_status_str(b.p, t, nt, "timestamp", ts, sizeof ts);
	wd_status_str(b.p, t, nt, "version", ver, sizeof ver);
	wd_status_str(b.p, t, nt, "last_restart_cause", cause, sizeof cause);
	wd_status_str(b.p, t, nt, "last_update_at", last, sizeof last);
	int64_t written = wd_parse_iso8601(ts), age_ms = written < 0 ? -1 : wall_ms() - written;
	int fresh = written >= 0 && age_ms <= max_age_ms && age_ms >= -max_age_ms;
	int healthy = wd_status_bool(b.p, t, nt, "overall_healthy");

	if (!fresh)
		fprintf(out, "examflow %s: STALE (the watchdog has not written %s lately: is it running?)\n", ver, path);
	else
		fprintf(out, "examflow %s: %s\n", ver, healthy ? "healthy" : "UNHEALTHY");
	if (written >= 0)
		fprintf(out, "  written       %s (%lld s ago)\n", ts, (long long)(age_ms / 1000));
	else
		fprintf(out, "  written       %s (unreadable time)\n", ts);
	for (size_t k = 0; k < sizeof flags / sizeof flags[0]; k++)
		fprintf(out, "  %-13s %s\n", flags[k].label, wd_status_bool(b.p, t, nt, flags[k].key) ? "yes" : "NO");
	fprintf(out, "  watchdog      pid %lld, up %lld s, %lld restarts (last cause: %s)\n",
	        (long long)wd_status_int(b.p, t, nt, "pid"), (long long)wd_status_int(b.p, t, nt, "uptime_s"),
	        (long long)wd_status_int(b.p, t, nt, "restarts"), cause);
	int64_t wpid = wd_status_int(b.p, t, nt, "worker_pid");
	if (wpid > 0)
		fprintf(out, "  worker        pid %lld\n", (long long)wpid);
	else
		fprintf(out, "  worker        not running\n");
	fprintf(out, "  last update   %s\n", last);
	fprintf(out, "  outbox        %lld waiting\n", (long long)wd_status_int(b.p, t, nt, "queue_depth"));
	int errs = json_obj_get(b.p, t, nt, 0, "errors");
	int nerr = errs >= 0 && t[errs].type == JSON_ARRAY ? t[errs].size : 0;
	for (int k = 0; k < nerr; k++) {
		char e[256];
		struct buf s = BUF_INIT;
		if (json_get_str(b.p, t, json_arr_get(t, nt, errs, k), &s) == 0 && s.len) {
			utf8_copy_line(e, sizeof e, s.p, s.len);
			fprintf(out, "  %-13s %s\n", k ? "" : "errors", e);
		}
		buf_free(&s);
	}
	rc = fresh && healthy ? 0 : 1;
done:
	free(t);
	buf_free(&b);
	return rc;
}

/* `examflow status`: the health file is fresh when written within
 * WD_STATUS_STALE_FACTOR check intervals. */
static int wd_status_cmd(const struct wd_opts *o, FILE *out)
{
	int64_t interval = o->check_interval_ms > 0 ? o->check_interval_ms : 60000;
	return wd_status_report(o->health_file, WD_STATUS_STALE_FACTOR * interval, out);
}

#undef WD_NSIGNALS

/* ==========================================================================
 * 13. Self-update
 * ==========================================================================
 * `examflow update`, run by cron or a systemd timer, replaces the installed
 * binary with a newer signed release, proves it healthy on the running bot,
 * or puts the old one back.  Release makers use `examflow keygen` and
 * `examflow sign`.  The whole chain of trust is one ECDSA P-256 signature
 * (BearSSL; RFC 6979 nonces, so signing needs no randomness) over a small
 * text manifest that names the binary's size and SHA-256: nothing fetched
 * is believed before the signature and then the hash say so.
 *
 * One update (upd_update), step by step:
 *   lock → jitter → manifest: signature, product, target, expiry, version
 *   (newer than the running binary, than the highest version this machine
 *   ever accepted, and not one it rolled back) → binary: size, SHA-256 →
 *   examflow.new, fsynced → `NEW version` and `NEW selftest` → the running
 *   bot, found through its health file, must be healthy → backup of
 *   data_dir (the last UPD_BACKUPS_KEEP kept) → examflow.prev = a copy of
 *   the installed binary → rename examflow.new over it, fsync the directory
 *   → SIGUSR2 to the bot's watchdog (same pid; it re-executes the binary at
 *   its path) → the health file reports the new version healthy, or roll
 *   back: examflow.prev back in place, SIGUSR2 again (or start the bot again
 *   as it was, if the new binary took the process down), the version
 *   remembered as bad.
 * Until the rename nothing the bot uses has changed, and rename() replaces
 * the path in one step: there is always a binary at the path.
 *
 * Files: data_dir/update.lock (flock()ed, holds the pid), data_dir/
 * update-state ("highest VERSION" and "bad VERSION" lines), data_dir/
 * backup-<UTC time>-<version>/ (store_backup's copy); next to the binary:
 * examflow.new (vetted, not yet installed) and examflow.prev.
 *
 * Error idiom: each step returns UPD_OK or an outcome (UPD_TEMP: nothing
 * changed, try later; UPD_CONFIG; UPD_REFUSED; UPD_ROLLED_BACK) and leaves
 * one line in u->why; upd_update prints that line and maps the outcome to
 * the exit code through upd_outcomes.  The line, the log and argv never hold
 * a secret: the signing key is read from its file, the token is never
 * touched, and network errors name host:port, never a URL.
 */

#define UPD_MANIFEST_MAX_BYTES (8 * 1024)        /* ours are ~500 bytes: anything bigger is not ours */
#define UPD_MAX_BINARY_BYTES (64 * 1024 * 1024)  /* the static binary is ~1 MiB: a hostile size cannot fill memory or disk */
#define UPD_NOTES_MAX 300                        /* bytes of the one line of release notes (a notice, a log line) */
#define UPD_VERSION_MAX 32                       /* "1.10.0": numbers and dots */
#define UPD_VERSION_PARTS 4                      /* 1.2.3 or 1.2.3.4, each part below 10^9 */
#define UPD_TARGET_MAX 64                        /* "linux-x86_64-musl" */
#define UPD_FILE_NAME_MAX 128                    /* "examflow-1.10.0-linux-x86_64-musl" */
#define UPD_MAX_KEYS 4                           /* update_pubkey: the key in use, the next one, spares */
#define UPD_MAX_BAD 32                           /* versions remembered as rolled back; the oldest fall off */
#define UPD_STATE_MAX_BYTES (4 * 1024)           /* update-state: one "highest" and UPD_MAX_BAD "bad" lines */
#define UPD_KEY_FILE_MAX 512                     /* a key file is one line of ~100 bytes */
#define UPD_BACKUPS_KEEP 2                       /* backups of data_dir made by updates */
#define UPD_PROBE_TIMEOUT_MS 60000               /* `NEW version`, `NEW selftest` (replays data_dir: ~0.4 s per million records) */
#define UPD_PROBE_OUTPUT_MAX 4096                /* what we keep of a probe's output: its first lines say it all */
#define UPD_HEALTH_POLL_MS 100                   /* the health file is read this often while waiting */
#define UPD_JITTER_DEFAULT_S 300                 /* --jitter: up to 5 min, so a fleet does not hit the host at once */
#define UPD_JITTER_MAX_S 3600
#define UPD_EXPIRES_DEFAULT_DAYS 30              /* an old manifest stops being accepted after this */
#define UPD_EXPIRES_MAX_DAYS 3650
#define UPD_LINE_MAX 900                         /* the one line update prints: what happened and the release note */
#define UPD_PROC_MAX (256 * 1024)                /* the bot's /proc/PID/cmdline and environ, to start it again as it was */
#define UPD_SIG_LEN 64                           /* a raw ECDSA P-256 signature: r and s, 32 bytes each */
#define UPD_PUB_LEN 65                           /* an uncompressed P-256 point: 04 X Y */
#define UPD_PRIV_LEN 32                          /* a P-256 private scalar */
#define UPD_HASH_LEN 32                          /* SHA-256 */

static const char upd_manifest_magic[] = "examflow-release 1\n";
static const char upd_sig_prefix[] = "signature: ";
static const char upd_key_magic[] = "examflow-p256-private-key ";
static const char upd_pub_prefix[] = "p256:";

/* What `examflow update` does next and how it ends. */
enum upd_outcome { UPD_OK, UPD_CURRENT, UPD_TEMP, UPD_CONFIG, UPD_REFUSED, UPD_ROLLED_BACK };

static const struct {
	int exit_code;
	const char *prefix; /* before the reason, in the one line printed */
} upd_outcomes[] = {
	[UPD_OK] = {EXIT_OK, ""},
	[UPD_CURRENT] = {EXIT_OK, ""},
	[UPD_TEMP] = {EXIT_FAIL, "temporary failure, nothing changed: "},
	[UPD_CONFIG] = {EXIT_CONFIG, "configuration: "},
	[UPD_REFUSED] = {EXIT_REFUSED, "refused: "},
	[UPD_ROLLED_BACK] = {EXIT_REFUSED, "rolled back: "},
};

/* How updates behave.  upd_opts_init() fills it from a configuration; the
 * command line adds what only it knows. */
struct upd_opts {
	const char *url;            /* HTTPS directory holding `manifest`; "" turns updates off */
	const char *pubkeys;        /* update_pubkey, as configured */
	const char *data_dir, *health_file, *ca_file;
	int64_t health_timeout_ms;  /* for the new version to report healthy */
	int64_t http_timeout_ms;    /* one download, redirects included */
	const char *exe;            /* the installed binary; NULL: the one running (/proc/self/exe) */
	const char *config_path;    /* -c FILE, handed to `NEW selftest`; NULL: none */
	int check_only;             /* --check: say what would happen, change nothing */
	int jitter_s;               /* --jitter: wait up to this many seconds first */
	void (*notify)(const char *text, void *ctx); /* admin notice; may block for a few seconds */
	void *notify_ctx;
};

static void upd_opts_init(struct upd_opts *o, const struct config *c)
{
	memset(o, 0, sizeof *o);
	o->url = c->update_url;
	o->pubkeys = c->update_pubkey;
	o->data_dir = c->data_dir;
	o->health_file = c->health_file;
	o->ca_file = c->ca_file;
	o->health_timeout_ms = (int64_t)c->update_health_timeout * 1000;
	o->http_timeout_ms = (int64_t)c->update_timeout * 1000;
}

/* --- versions ------------------------------------------------------------------ */

/* "1.10.0" → {1, 10, 0, 0}.  0, or -1 for anything but 1 to
 * UPD_VERSION_PARTS dot-separated decimal numbers below 10^9. */
static int upd_version_parse(const char *s, uint32_t v[UPD_VERSION_PARTS])
{
	int n = 0;
	memset(v, 0, UPD_VERSION_PARTS * sizeof v[0]);
	for (;;) {
		int digits = 0;
		uint32_t x = 0;
		while (isdigit((unsigned char)*s) && digits < 9)
			x = x * 10 + (uint32_t)(*s++ - '0'), digits++;
		if (!digits || n == UPD_VERSION_PARTS)
			return -1;
		v[n++] = x;
		if (*s == '\0')
			return 0;
		if (*s++ != '.')
			return -1;
	}
}

/* Versions compare as numbers: 1.10.0 > 1.9.3, 1.2 == 1.2.0.  <0, 0, >0;
 * a string that is not a version sorts below every version. */
static int upd_version_cmp(const char *a, const char *b)
{
	uint32_t x[UPD_VERSION_PARTS], y[UPD_VERSION_PARTS];
	int ea = upd_version_parse(a, x) < 0, eb = upd_version_parse(b, y) < 0;
	if (ea || eb)
		return eb - ea;
	for (int i = 0; i < UPD_VERSION_PARTS; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

/* --- hex, hashes, keys, signatures ------------------------------------------------ */

static void upd_hex(char *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_chars[p[i] >> 4];
		out[2 * i + 1] = hex_chars[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Exactly 2n hex digits (either case) into n bytes.  0 or -1. */
static int upd_unhex(const char *s, size_t len, unsigned char *out, size_t n)
{
	if (len != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		int h = hex_digit((unsigned char)s[2 * i]), l = hex_digit((unsigned char)s[2 * i + 1]);
		if (h < 0 || l < 0)
			return -1;
		out[i] = (unsigned char)(h << 4 | l);
	}
	return 0;
}

static void upd_sha256(const void *p, size_t n, unsigned char out[UPD_HASH_LEN])
{
	br_sha256_context h;
	br_sha256_init(&h);
	br_sha256_update(&h, p, n);
	br_sha256_out(&h, out);
}

/* A public key as configured: the point, and a short id for messages. */
struct upd_key {
	unsigned char q[UPD_PUB_LEN];
	char id[9]; /* the first 4 bytes of SHA-256(q), in hex */
};

static void upd_key_id(const unsigned char q[UPD_PUB_LEN], char id[9])
{
	unsigned char h[UPD_HASH_LEN];
	upd_sha256(q, UPD_PUB_LEN, h);
	upd_hex(id, h, 4);
}

/* update_pubkey: "p256:HEX" keys separated by commas or spaces.  The number
 * of keys (0..UPD_MAX_KEYS), or -1 with why. */
static int upd_parse_keys(const char *s, struct upd_key *keys, char *why, size_t wlen)
{
	int n = 0;
	size_t pl = strlen(upd_pub_prefix);
	for (;;) {
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		size_t len = strcspn(s, ", \t\r\n");
		if (n == UPD_MAX_KEYS) {
			snprintf(why, wlen, "update_pubkey: more than %d keys", UPD_MAX_KEYS);
			return -1;
		}
		if (len <= pl || strncmp(s, upd_pub_prefix, pl) != 0 ||
		    upd_unhex(s + pl, len - pl, keys[n].q, UPD_PUB_LEN) < 0 || keys[n].q[0] != 0x04) {
			snprintf(why, wlen, "update_pubkey: key %d is not a public key as `examflow keygen` writes it (p256:04...)",
			         n + 1);
			return -1;
		}
		upd_key_id(keys[n].q, keys[n].id);
		n++;
		s += len;
	}
}

/* Does sig sign body under key?  ECDSA P-256 over SHA-256(body). */
static int upd_sig_ok(const char *body, size_t n, const unsigned char sig[UPD_SIG_LEN], const struct upd_key *key)
{
	unsigned char h[UPD_HASH_LEN];
	upd_sha256(body, n, h);
	br_ec_public_key pk = {BR_EC_secp256r1, (unsigned char *)key->q, UPD_PUB_LEN};
	return br_ecdsa_i31_vrfy_raw(&br_ec_p256_m31, h, sizeof h, &pk, sig, UPD_SIG_LEN) == 1;
}

/* A private key in memory; wiped by upd_signer_wipe. */
struct upd_signer {
	unsigned char x[UPD_PRIV_LEN];
	br_ec_private_key sk;
	unsigned char q[UPD_PUB_LEN];
	char id[9];
};

static void upd_signer_wipe(struct upd_signer *s) { explicit_bzero(s, sizeof *s); }

/* Read a key file written by `examflow keygen`.  0, or -1 with why (which
 * never quotes the file). */
static int upd_load_signer(const char *path, struct upd_signer *s, char *why, size_t wlen)
{
	char text[UPD_KEY_FILE_MAX + 1];
	size_t len = 0, ml = strlen(upd_key_magic);
	int rc = -1, fd = open(path, O_RDONLY | O_CLOEXEC);
	memset(s, 0, sizeof *s);
	if (fd < 0) {
		snprintf(why, wlen, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, text + len, sizeof text - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == sizeof text - 1)
			break;
	}
	close(fd);
	while (len && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		len--;
	static const unsigned char zero[UPD_PRIV_LEN];
	if (len < ml || memcmp(text, upd_key_magic, ml) != 0 || upd_unhex(text + ml, len - ml, s->x, UPD_PRIV_LEN) < 0 ||
	    memcmp(s->x, zero, sizeof zero) == 0) {
		snprintf(why, wlen, "%s is not a private key written by `examflow keygen`", path);
		goto done;
	}
	s->sk.curve = BR_EC_secp256r1;
	s->sk.x = s->x;
	s->sk.xlen = UPD_PRIV_LEN;
	if (br_ec_compute_pub(&br_ec_p256_m31, NULL, s->q, &s->sk) != UPD_PUB_LEN) {
		snprintf(why, wlen, "%s does not hold a usable P-256 key", path);
		goto done;
	}
	upd_key_id(s->q, s->id);
	rc = 0;
done:
	explicit_bzero(text, sizeof text);
	if (rc < 0)
		upd_signer_wipe(s);
	return rc;
}

/* Fill buf from the kernel's random pool.  0, or -1 with errno. */
static int upd_random(void *buf, size_t n)
{
	unsigned char *p = buf;
	while (n) {
		ssize_t r = getrandom(p, n, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/* --- the manifest ------------------------------------------------------------------ *
 *
 *   examflow-release 1
 *   product: examflow
 *   version: 0.2.0
 *   target: linux-x86_64-musl
 *   file: examflow-0.2.0-linux-x86_64-musl
 *   size: 1048576
 *   sha256: <64 hex digits>
 *   date: 2026-12-01T04:00:00.000Z
 *   expires: 2026-12-31T04:00:00.000Z
 *   key: <the signing key's id>
 *   notes: one line of release notes
 *   signature: <128 hex digits: r and s>
 *
 * The signature covers every byte before the signature line.  Fields may
 * come in any order; unknown ones are ignored (signed all the same), known
 * ones appear exactly once. */

struct upd_manifest {
	char product[32];
	char version[UPD_VERSION_MAX];
	char target[UPD_TARGET_MAX];
	char file[UPD_FILE_NAME_MAX];
	uint64_t size;
	unsigned char sha256[UPD_HASH_LEN];
	int64_t date_ms, expires_ms;
	char key[9];
	char notes[UPD_NOTES_MAX + 1];
};

enum upd_ftype { UPD_F_NAME, UPD_F_VERSION, UPD_F_FILE, UPD_F_SIZE, UPD_F_SHA256, UPD_F_TIME, UPD_F_KEYID, UPD_F_TEXT };

#define UPD_M(f) offsetof(struct upd_manifest, f), sizeof(((struct upd_manifest *)0)->f)
static const struct upd_field {
	const char *name;
	enum upd_ftype type;
	size_t off, size;
} upd_fields[] = {
	{"product", UPD_F_NAME, UPD_M(product)},
	{"version", UPD_F_VERSION, UPD_M(version)},
	{"target", UPD_F_NAME, UPD_M(target)},
	{"file", UPD_F_FILE, UPD_M(file)},
	{"size", UPD_F_SIZE, UPD_M(size)},
	{"sha256", UPD_F_SHA256, UPD_M(sha256)},
	{"date", UPD_F_TIME, UPD_M(date_ms)},
	{"expires", UPD_F_TIME, UPD_M(expires_ms)},
	{"key", UPD_F_KEYID, UPD_M(key)},
	{"notes", UPD_F_TEXT, UPD_M(notes)},
};
#define UPD_NFIELDS ((int)(sizeof upd_fields / sizeof upd_fields[0]))

/* Is every byte of s[0..n) in the set?  (The sets are short ASCII strings.) */
static int upd_all_in(const char *s, size_t n, const char *set)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr(set, s[i]))
			return 0;
	return 1;
}

#define UPD_LOWER "abcdefghijklmnopqrstuvwxyz"
#define UPD_DIGITS "0123456789"

/* Store one field's value into m.  NULL, or what is wrong with it. */
static const char *upd_set_field(struct upd_manifest *m, const struct upd_field *f, const char *v, size_t n)
{
	char *dst = (char *)m + f->off, tmp[48];
	uint32_t parts[UPD_VERSION_PARTS];
	switch (f->type) {
	case UPD_F_NAME:
	case UPD_F_VERSION:
	case UPD_F_FILE:
	case UPD_F_KEYID:
		if (!n || n >= f->size)
			return "empty or too long";
		if (f->type == UPD_F_NAME && !upd_all_in(v, n, UPD_LOWER UPD_DIGITS "_-"))
			return "not a name (a-z, 0-9, _ and -)";
		if (f->type == UPD_F_FILE && (v[0] == '.' || !upd_all_in(v, n, UPD_LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" UPD_DIGITS "._-")))
			return "not a plain file name";
		if (f->type == UPD_F_KEYID && (n != 8 || !upd_all_in(v, n, "0123456789abcdef")))
			return "not a key id (8 hex digits)";
		memcpy(dst, v, n);
		dst[n] = '\0';
		if (f->type == UPD_F_VERSION && upd_version_parse(dst, parts) < 0)
			return "not a version (numbers and dots, like 1.10.0)";
		return NULL;
	case UPD_F_TEXT:
		if (n >= f->size)
			return "longer than 300 bytes";
		if (!utf8_valid(v, n))
			return "not UTF-8";
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
				return "control characters";
		memcpy(dst, v, n);
		dst[n] = '\0';
		return NULL;
	case UPD_F_SIZE: {
		uint64_t x = 0;
		if (!n || n > 15 || !upd_all_in(v, n, UPD_DIGITS))
			return "not a size in bytes";
		for (size_t i = 0; i < n; i++)
			x = x * 10 + (uint64_t)(v[i] - '0');
		memcpy(dst, &x, sizeof x);
		return NULL;
	}
	case UPD_F_SHA256:
		return upd_unhex(v, n, (unsigned char *)dst, UPD_HASH_LEN) < 0 ? "not 64 hex digits" : NULL;
	case UPD_F_TIME: {
		int64_t ms = -1;
		if (n < sizeof tmp) {
			memcpy(tmp, v, n);
			tmp[n] = '\0';
			ms = wd_parse_iso8601(tmp);
		}
		if (ms < 0)
			return "not a UTC time like 2026-12-31T04:00:00Z";
		memcpy(dst, &ms, sizeof ms);
		return NULL;
	}
	}
	return "unsupported field";
}

/* Split a manifest into the signed body and the signature.  0, or -1 with
 * why: not a manifest at all, no signature line, or bytes after it. */
static int upd_manifest_split(const char *text, size_t n, size_t *body_len, unsigned char sig[UPD_SIG_LEN],
                              char *why, size_t wlen)
{
	size_t ml = strlen(upd_manifest_magic), sl = strlen(upd_sig_prefix);
	if (n < ml || memcmp(text, upd_manifest_magic, ml) != 0 || memchr(text, '\0', n)) {
		snprintf(why, wlen, "not a release manifest (it does not start with \"examflow-release 1\")");
		return -1;
	}
	if (text[n - 1] != '\n') {
		snprintf(why, wlen, "manifest cut short (no newline at the end)");
		return -1;
	}
	size_t last = n - 1;
	while (last > 0 && text[last - 1] != '\n')
		last--;
	if (n - last < sl || memcmp(text + last, upd_sig_prefix, sl) != 0 ||
	    upd_unhex(text + last + sl, n - 1 - last - sl, sig, UPD_SIG_LEN) < 0) {
		snprintf(why, wlen, "manifest without a signature line at its end (cut short or tampered with)");
		return -1;
	}
	*body_len = last;
	return 0;
}

/* Which key of keys[0..n) signed body: its index, or -1. */
static int upd_manifest_verify(const char *body, size_t len, const unsigned char sig[UPD_SIG_LEN],
                               const struct upd_key *keys, int n)
{
	for (int i = 0; i < n; i++)
		if (upd_sig_ok(body, len, sig, &keys[i]))
			return i;
	return -1;
}

/* Parse a (verified) body into m.  NULL, or a reason naming the line. */
static const char *upd_manifest_parse(const char *body, size_t len, struct upd_manifest *m, char *why, size_t wlen)
{
	unsigned seen = 0;
	int lineno = 1;
	memset(m, 0, sizeof *m);
	size_t off = strlen(upd_manifest_magic);
	while (off < len) {
		const char *line = body + off, *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		const char *colon = memchr(line, ':', ll);
		lineno++;
		off += ll + 1;
		if (!colon || colon == line || (size_t)(colon - line) + 1 >= ll || colon[1] != ' ' ||
		    !upd_all_in(line, (size_t)(colon - line), UPD_LOWER UPD_DIGITS "-")) {
			snprintf(why, wlen, "manifest line %d: expected \"name: value\"", lineno);
			return why;
		}
		size_t nl_len = (size_t)(colon - line);
		const char *v = colon + 2;
		size_t vl = ll - nl_len - 2;
		for (int k = 0; k < UPD_NFIELDS; k++) {
			if (strlen(upd_fields[k].name) != nl_len || memcmp(upd_fields[k].name, line, nl_len) != 0)
				continue;
			const char *err = (seen & 1u << k) ? "appears twice" : upd_set_field(m, &upd_fields[k], v, vl);
			if (err) {
				snprintf(why, wlen, "manifest line %d: %s: %s", lineno, upd_fields[k].name, err);
				return why;
			}
			seen |= 1u << k;
		}
	}
	for (int k = 0; k < UPD_NFIELDS; k++)
		if (!(seen & 1u << k)) {
			snprintf(why, wlen, "manifest without a %s line", upd_fields[k].name);
			return why;
		}
	return NULL;
}

/* What `BINARY version` printed: "examflow VERSION" first, then among the
 * other lines "target: TARGET".  0, or -1 when it did not say both. */
static int upd_parse_version_output(const char *s, char *version, size_t vlen, char *target, size_t tlen)
{
	if (strncmp(s, "examflow ", 9) != 0)
		return -1;
	size_t n = strcspn(s + 9, "\n");
	const char *t = strstr(s, "\ntarget: ");
	if (!n || n >= vlen || !t)
		return -1;
	memcpy(version, s + 9, n);
	version[n] = '\0';
	t += 9;
	n = strcspn(t, "\n");
	if (!n || n >= tlen)
		return -1;
	memcpy(target, t, n);
	target[n] = '\0';
	return 0;
}

/* --- files ------------------------------------------------------------------------- */

/* The directory part of path ("." when there is none) into dir. */
static void upd_dirname(const char *path, char *dir, size_t len)
{
	snprintf(dir, len, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, len, ".");
}

/* Replace path with data in one step: PATH.tmp (O_EXCL, O_NOFOLLOW, mode),
 * fsync, rename, fsync the directory.  0 or -errno; on failure path is as
 * it was. */
static int upd_write_atomic(const char *path, const void *data, size_t n, mode_t mode)
{
	char tmp[PATH_MAX_LEN + 16], dir[PATH_MAX_LEN];
	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return -ENAMETOOLONG;
	unlink(tmp); /* left by an interrupted run: ours to replace */
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, data, n) < 0 || fchmod(fd, mode) < 0 || fsync(fd) < 0 ? -errno : 0;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0) {
		unlink(tmp);
		return rc;
	}
	upd_dirname(path, dir, sizeof dir);
	return store_sync_dir(dir);
}

/* Copy src over dst atomically, with mode.  0 or -errno. */
static int upd_copy(const char *src, const char *dst, mode_t mode)
{
	struct buf b = BUF_INIT;
	int rc = read_file(src, &b, UPD_MAX_BINARY_BYTES) < 0 ? -errno : upd_write_atomic(dst, b.p ? b.p : "", b.len, mode);
	buf_free(&b);
	return rc;
}

/* A file-system error as an outcome: a full disk is temporary, a path we
 * may not write is configuration. */
static int upd_errno_outcome(int e)
{
	return e == EACCES || e == EPERM || e == EROFS || e == ENAMETOOLONG ? UPD_CONFIG : UPD_TEMP;
}

/* --- running a binary: `NEW version`, `NEW selftest` ------------------------------------ */

/* Run argv[0] with argv (stdin /dev/null, stdout and stderr into out, at
 * most UPD_PROBE_OUTPUT_MAX bytes kept) for at most timeout_ms.  0 when it
 * ended (*status as from waitpid), -1 with why when it could not run or was
 * killed at the deadline. */
static int upd_probe(char *const argv[], int64_t timeout_ms, struct buf *out, int *status, char *why, size_t wlen)
{
	int p[2];
	buf_reset(out);
	if (pipe2(p, O_CLOEXEC) < 0) {
		snprintf(why, wlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);
		if (nul >= 0)
			dup2(nul, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		snprintf(why, wlen, "fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	int64_t deadline = mono_ms() + timeout_ms;
	int open_pipe = 1, exited = 0;
	while (!exited || open_pipe) {
		struct pollfd pfd = {p[0], POLLIN, 0};
		int n = open_pipe ? poll(&pfd, 1, UPD_HEALTH_POLL_MS) : 0;
		if (n > 0) {
			char chunk[1024];
			ssize_t r = read(p[0], chunk, sizeof chunk);
			if (r > 0 && out->len < UPD_PROBE_OUTPUT_MAX)
				buf_append(out, chunk, (size_t)r < UPD_PROBE_OUTPUT_MAX - out->len ? (size_t)r : UPD_PROBE_OUTPUT_MAX - out->len);
			if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
				open_pipe = 0;
		}
		if (!exited && waitpid(pid, status, WNOHANG) == pid)
			exited = 1;
		if (exited && open_pipe && n == 0)
			open_pipe = 0; /* its children may hold the pipe: what it said is all read */
		if (!exited && mono_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, status, 0);
			close(p[0]);
			snprintf(why, wlen, "did not finish within %d s", (int)(timeout_ms / 1000));
			return -1;
		}
		if (!exited && !open_pipe)
			usleep(10000);
	}
	close(p[0]);
	return 0;
}

/* "exit 0", or a description and the first line of what it printed, for
 * the reason a probe failed. */
static void upd_probe_describe(int status, const struct buf *out, char *dst, size_t len)
{
	char how[64], first[160] = "";
	wd_describe_exit(status, how, sizeof how);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && !out->len)
		snprintf(how, sizeof how, "could not be executed");
	if (out->len)
		utf8_copy_line(first, sizeof first, out->p, strcspn(out->p, "\n"));
	snprintf(dst, len, "%s%s%s", how, first[0] ? ": " : "", first);
}

/* --- what this machine remembers: data_dir/update-state ------------------------------ */

struct upd_state {
	char highest[UPD_VERSION_MAX];            /* the highest version ever installed healthy; "" none */
	char bad[UPD_MAX_BAD][UPD_VERSION_MAX];   /* versions rolled back, oldest first */
	int nbad;
};

/* Read the state; a missing file is an empty state.  Lines we do not
 * understand are skipped (and said so). */
static void upd_state_load(const char *path, struct upd_state *st)
{
	struct buf b = BUF_INIT;
	uint32_t v[UPD_VERSION_PARTS];
	memset(st, 0, sizeof *st);
	if (read_file(path, &b, UPD_STATE_MAX_BYTES) < 0) {
		if (errno != ENOENT)
			log_warn("update", "cannot read %s: %s; starting from an empty state", path, strerror(errno));
		buf_free(&b);
		return;
	}
	for (char *line = b.p; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *sp = strchr(line, ' ');
		if (sp && strlen(sp + 1) < UPD_VERSION_MAX && upd_version_parse(sp + 1, v) == 0) {
			*sp = '\0';
			if (strcmp(line, "highest") == 0)
				snprintf(st->highest, sizeof st->highest, "%s", sp + 1);
			else if (strcmp(line, "bad") == 0 && st->nbad < UPD_MAX_BAD)
				snprintf(st->bad[st->nbad++], UPD_VERSION_MAX, "%s", sp + 1);
			else
				log_warn("update", "%s: line \"%s\" skipped", path, line);
		} else if (*line) {
			log_warn("update", "%s: a line that is not \"highest|bad VERSION\" skipped", path);
		}
		line = nl ? nl + 1 : NULL;
	}
	buf_free(&b);
}

static int upd_state_save(const char *path, const struct upd_state *st)
{
	struct buf b = BUF_INIT;
	int rc = 0;
	if (st->highest[0])
		rc |= buf_printf(&b, "highest %s\n", st->highest);
	for (int i = 0; i < st->nbad; i++)
		rc |= buf_printf(&b, "bad %s\n", st->bad[i]);
	if (rc == 0 && write_file_atomic(path, b.p ? b.p : "", b.len) < 0)
		rc = -1;
	if (rc < 0)
		log_error("update", "cannot write %s: %s", path, strerror(errno));
	buf_free(&b);
	return rc;
}

static int upd_state_is_bad(const struct upd_state *st, const char *version)
{
	for (int i = 0; i < st->nbad; i++)
		if (upd_version_cmp(st->bad[i], version) == 0)
			return 1;
	return 0;
}

static void upd_state_add_bad(struct upd_state *st, const char *version)
{
	if (upd_state_is_bad(st, version))
		return;
	if (st->nbad == UPD_MAX_BAD) { /* the oldest falls off */
		memmove(st->bad[0], st->bad[1], sizeof st->bad[0] * (UPD_MAX_BAD - 1));
		st->nbad--;
	}
	snprintf(st->bad[st->nbad++], UPD_VERSION_MAX, "%s", version);
}

static void upd_state_accept(struct upd_state *st, const char *version)
{
	if (!st->highest[0] || upd_version_cmp(version, st->highest) > 0)
		snprintf(st->highest, sizeof st->highest, "%s", version);
}

/* --- the running bot, as its health file names it --------------------------------- */

/* The bot's watchdog and how it was started, so that a new binary that
 * takes the process down can be replaced by the old one started the same
 * way.  cmdline and env hold NUL-separated strings as /proc has them; env
 * may hold the bot token: it is wiped, never printed. */
struct upd_bot {
	pid_t pid;                 /* 0: no bot of ours is running */
	int healthy;               /* as its health file says now */
	char state[160];           /* the health file's first reason when it is not healthy */
	char cwd[PATH_MAX_LEN];
	struct buf cmdline, env;
	char unit[128];            /* its systemd unit; "" when systemd did not start it */
	char note[300];            /* why no bot was found, for the message */
};

static void upd_bot_free(struct upd_bot *b)
{
	if (b->env.p)
		explicit_bzero(b->env.p, b->env.cap);
	buf_free(&b->env);
	buf_free(&b->cmdline);
}

/* Is pid a live process (not a zombie)? */
static int upd_alive(pid_t pid)
{
	char path[64], st[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t r = read(fd, st, sizeof st - 1);
	close(fd);
	if (r <= 0)
		return 0;
	st[r] = '\0';
	const char *paren = strrchr(st, ')');
	return paren && paren[1] == ' ' && paren[2] != 'Z' && paren[2] != 'X';
}

/* The binary pid runs, without the " (deleted)" Linux appends once the
 * file was replaced.  0 or -errno. */
static int upd_proc_exe(pid_t pid, char *out, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(path, out, len - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	size_t dl = strlen(" (deleted)");
	if ((size_t)n > dl && strcmp(out + n - dl, " (deleted)") == 0)
		out[n - dl] = '\0';
	return 0;
}

/* What the health file says now. */
struct upd_health {
	int64_t pid;
	char version[UPD_VERSION_MAX];
	int healthy;
	int64_t written_ms;        /* its timestamp; -1 unreadable */
	char first_error[160];     /* the watchdog's reason first: "stopped", "worker starting..." */
};

/* 0, or -1 when the file is missing or not a health file. */
static int upd_read_health(const char *path, struct upd_health *h)
{
	struct buf b = BUF_INIT;
	struct json_tok *t = NULL;
	char ts[64];
	int nt = 0, rc = -1;
	memset(h, 0, sizeof *h);
	h->written_ms = -1;
	if (path && path[0] && read_file(path, &b, WD_STATUS_MAX_BYTES) == 0 && b.len)
		nt = json_parse_alloc(b.p, b.len, WD_STATUS_TOKENS, &t, NULL);
	if (nt > 0 && t[0].type == JSON_OBJECT) {
		h->pid = wd_status_int(b.p, t, nt, "pid");
		wd_status_str(b.p, t, nt, "version", h->version, sizeof h->version);
		h->healthy = wd_status_bool(b.p, t, nt, "overall_healthy");
		wd_status_str(b.p, t, nt, "timestamp", ts, sizeof ts);
		h->written_ms = wd_parse_iso8601(ts);
		int errs = json_obj_get(b.p, t, nt, 0, "errors");
		struct buf e = BUF_INIT;
		if (errs >= 0 && t[errs].type == JSON_ARRAY && t[errs].size > 0 &&
		    json_get_str(b.p, t, json_arr_get(t, nt, errs, 0), &e) == 0 && e.len)
			utf8_copy_line(h->first_error, sizeof h->first_error, e.p, e.len);
		buf_free(&e);
		rc = 0;
	}
	free(t);
	buf_free(&b);
	return rc;
}

/* Read /proc/PID/NAME whole into b.  0 or -errno. */
static int upd_proc_read(pid_t pid, const char *name, struct buf *b)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
	return read_file(path, b, UPD_PROC_MAX) < 0 ? -errno : 0;
}

/* No watchdog in the health file: is a worker alone (`run --no-watchdog`)
 * holding data_dir?  It cannot re-exec; say so rather than "not running". */
static void upd_note_lonely_worker(const char *data_dir, const char *exe, struct upd_bot *bot)
{
	char path[STORE_PATH_LEN], pid[32] = "", bin[PATH_MAX_LEN];
	store_path(path, data_dir, "lock");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = fd >= 0 ? read(fd, pid, sizeof pid - 1) : -1;
	if (fd >= 0)
		close(fd);
	pid[r > 0 ? r : 0] = '\0';
	long n = strtol(pid, NULL, 10);
	if (n > 1 && n < INT_MAX && upd_alive((pid_t)n) && upd_proc_exe((pid_t)n, bin, sizeof bin) == 0 &&
	    strcmp(bin, exe) == 0)
		snprintf(bot->note, sizeof bot->note, "the bot runs without its watchdog (pid %ld), which cannot re-exec: "
		         "restart it", n);
}

/* Find the bot the health file names and check it runs our binary (a pid
 * in a stale file may belong to anything by now).  UPD_OK (bot->pid 0 when
 * there is none, with bot->note saying why) or UPD_CONFIG when we may not
 * look at it. */
static int upd_find_bot(const char *health_file, const char *data_dir, const char *exe, struct upd_bot *bot,
                        char *why, size_t wlen)
{
	struct upd_health h;
	char path[PATH_MAX_LEN];
	upd_bot_free(bot);
	memset(bot, 0, sizeof *bot);
	if (!health_file || !health_file[0]) {
		snprintf(bot->note, sizeof bot->note, "health_file is empty, so no running bot can be seen");
		upd_note_lonely_worker(data_dir, exe, bot);
		return UPD_OK;
	}
	if (upd_read_health(health_file, &h) < 0 || h.pid <= 1 || h.pid > INT_MAX || !upd_alive((pid_t)h.pid)) {
		snprintf(bot->note, sizeof bot->note, "the bot is not running (health file %.200s)", health_file);
		upd_note_lonely_worker(data_dir, exe, bot);
		return UPD_OK;
	}
	pid_t pid = (pid_t)h.pid;
	int rc = upd_proc_exe(pid, path, sizeof path);
	if (rc < 0) {
		snprintf(why, wlen, "cannot see which binary the bot (pid %d) runs: %s; run update as root or as the bot's user",
		         (int)pid, strerror(-rc));
		return UPD_CONFIG;
	}
	if (strcmp(path, exe) != 0) {
		snprintf(bot->note, sizeof bot->note, "the bot (pid %d) runs %.100s, not %.100s: not restarted", (int)pid, path,
		         exe);
		return UPD_OK;
	}
	bot->pid = pid;
	bot->healthy = h.healthy;
	snprintf(bot->state, sizeof bot->state, "%s", h.first_error[0] ? h.first_error : "unhealthy");
	char link[64];
	snprintf(link, sizeof link, "/proc/%d/cwd", (int)pid);
	ssize_t n = readlink(link, bot->cwd, sizeof bot->cwd - 1);
	bot->cwd[n > 0 ? n : 0] = '\0';
	if (upd_proc_read(pid, "cmdline", &bot->cmdline) < 0 || upd_proc_read(pid, "environ", &bot->env) < 0)
		log_warn("update", "cannot read how pid %d was started; if it dies it cannot be started again", (int)pid);
	/* systemd gives the processes of a service INVOCATION_ID and a cgroup
	 * named after the unit: then systemd, not we, starts it again. */
	int by_systemd = 0;
	for (size_t off = 0; bot->env.p && off < bot->env.len; off += strlen(bot->env.p + off) + 1)
		by_systemd |= strncmp(bot->env.p + off, "INVOCATION_ID=", 14) == 0;
	struct buf cg = BUF_INIT;
	if (by_systemd && upd_proc_read(pid, "cgroup", &cg) == 0 && cg.p) {
		for (char *line = strtok(cg.p, "\n"); line; line = strtok(NULL, "\n")) {
			char *last = strrchr(line, '/');
			size_t ll = last ? strlen(last + 1) : 0;
			if (ll > 8 && ll < sizeof bot->unit && strcmp(last + 1 + ll - 8, ".service") == 0)
				snprintf(bot->unit, sizeof bot->unit, "%s", last + 1);
		}
	}
	buf_free(&cg);
	return UPD_OK;
}

enum { UPD_W_HEALTHY, UPD_W_TIMEOUT, UPD_W_GONE, UPD_W_STOPPED };

/* Wait until the health file says pid runs version, healthy, in a file
 * written at or after since_ms; or pid is gone; or timeout_ms passed.
 * last gets the watchdog's last reason, for the message. */
static int upd_wait_health(const char *health_file, pid_t pid, const char *version, int64_t since_ms,
                           int64_t timeout_ms, char *last, size_t llen)
{
	int64_t deadline = mono_ms() + timeout_ms;
	struct upd_health h;
	last[0] = '\0';
	for (;;) {
		int alive = upd_alive(pid);
		if (upd_read_health(health_file, &h) == 0 && h.pid == pid) {
			if (h.first_error[0])
				snprintf(last, llen, "%s", h.first_error);
			if (h.healthy && strcmp(h.version, version) == 0 && h.written_ms >= since_ms)
				return UPD_W_HEALTHY;
		}
		if (!alive) /* its last words are in the file: a watchdog told to stop writes "stopped" */
			return h.pid == pid && strcmp(h.first_error, "stopped") == 0 ? UPD_W_STOPPED : UPD_W_GONE;
		if (mono_ms() >= deadline)
			return UPD_W_TIMEOUT;
		usleep(UPD_HEALTH_POLL_MS * 1000);
	}
}

/* Start the bot again as it was started (its binary path, command line,
 * directory and environment), detached, or ask systemd when systemd had
 * started it.  The new pid (0 for systemd), or -1 with why. */
static pid_t upd_start_bot(const struct upd_bot *bot, const char *exe, char *why, size_t wlen)
{
	if (bot->unit[0]) {
		char *argv[] = {"/bin/systemctl", "start", "--no-block", (char *)bot->unit, NULL};
		struct buf out = BUF_INIT;
		int status = 0;
		int rc = upd_probe(argv, UPD_PROBE_TIMEOUT_MS, &out, &status, why, wlen);
		if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
			upd_probe_describe(status, &out, why, wlen);
			rc = -1;
		}
		buf_free(&out);
		return rc < 0 ? -1 : 0;
	}
	if (!bot->cmdline.len || !bot->env.p) {
		snprintf(why, wlen, "how it was started is unknown");
		return -1;
	}
	/* NUL-separated strings into NULL-terminated arrays */
	size_t na = 0, ne = 0;
	for (size_t i = 0; i < bot->cmdline.len; i++)
		na += bot->cmdline.p[i] == '\0';
	for (size_t i = 0; i < bot->env.len; i++)
		ne += bot->env.p[i] == '\0';
	char **argv = calloc(na + 1, sizeof *argv), **envp = calloc(ne + 1, sizeof *envp);
	pid_t pid = -1;
	if (argv && envp) {
		size_t k = 0;
		for (size_t off = 0; off < bot->cmdline.len && k < na; off += strlen(bot->cmdline.p + off) + 1)
			argv[k++] = bot->cmdline.p + off;
		k = 0;
		for (size_t off = 0; off < bot->env.len && k < ne; off += strlen(bot->env.p + off) + 1)
			envp[k++] = bot->env.p + off;
		fflush(NULL);
		pid = fork();
		if (pid == 0) {
			setsid();
			int nul = open("/dev/null", O_RDWR);
			if (nul >= 0) {
				dup2(nul, 0);
				dup2(nul, 1);
				dup2(nul, 2);
			}
			if (bot->cwd[0] && chdir(bot->cwd) < 0)
				_exit(127);
			execve(exe, argv, envp);
			_exit(127);
		}
		if (pid < 0)
			snprintf(why, wlen, "fork: %s", strerror(errno));
	} else {
		snprintf(why, wlen, "out of memory");
	}
	free(argv);
	free(envp);
	return pid;
}

/* --- one update ----------------------------------------------------------------------- */

/* The state of one `examflow update` or `examflow rollback` run. */
struct upd {
	const struct upd_opts *o;
	char exe[PATH_MAX_LEN];                /* the installed binary */
	char new_path[PATH_MAX_LEN + 8], prev_path[PATH_MAX_LEN + 8];
	char state_path[STORE_PATH_LEN], lock_path[STORE_PATH_LEN];
	char base[HTTP_MAX_URL];               /* update_url without a trailing slash */
	mode_t mode;                           /* the installed binary's permission bits */
	struct upd_key keys[UPD_MAX_KEYS];
	int nkeys;
	const char *key_id;                    /* the key that verified the manifest */
	struct upd_state st;
	struct upd_manifest m;
	struct http_client hc;
	int hc_ready;
	int lock_fd;
	int new_written;                       /* examflow.new exists and is ours to remove */
	struct upd_bot bot;
	int64_t took_ms;                       /* re-exec to healthy */
	char why[UPD_LINE_MAX];                /* the one line: what happened, or why not */
};

__attribute__((format(printf, 3, 4)))
static int upd_fail(struct upd *u, int outcome, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(u->why, sizeof u->why, fmt, ap);
	va_end(ap);
	return outcome;
}

__attribute__((format(printf, 2, 3)))
static void upd_notify(const struct upd *u, const char *fmt, ...)
{
	char text[UPD_LINE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	log_info("update", "admin notice: %s", text);
	if (u->o->notify)
		u->o->notify(text, u->o->notify_ctx);
}

/* Paths, keys, the installed binary, trust anchors, the remembered state:
 * everything that is configuration, before anything touches the network. */
static int upd_prepare(struct upd *u)
{
	const struct upd_opts *o = u->o;
	uint32_t v[UPD_VERSION_PARTS];
	struct stat st;
	u->lock_fd = -1;
	if (upd_version_parse(EXAMFLOW_VERSION, v) < 0)
		return upd_fail(u, UPD_CONFIG, "this binary's version \"%s\" is not a release version (build with make VERSION=x.y.z)",
		                EXAMFLOW_VERSION);
	if (!o->url || !o->url[0])
		return upd_fail(u, UPD_CONFIG, "update_url is empty: updates are off");
	size_t ul = strlen(o->url);
	while (ul && o->url[ul - 1] == '/')
		ul--;
	if (strncasecmp(o->url, "https://", 8) != 0 || strpbrk(o->url, "?#") || ul + UPD_FILE_NAME_MAX + 2 >= sizeof u->base)
		return upd_fail(u, UPD_CONFIG, "update_url must be an https:// directory URL (no ?query)");
	snprintf(u->base, sizeof u->base, "%.*s", (int)ul, o->url);
	char why[200];
	u->nkeys = upd_parse_keys(o->pubkeys ? o->pubkeys : "", u->keys, why, sizeof why);
	if (u->nkeys < 0)
		return upd_fail(u, UPD_CONFIG, "%s", why);
	if (u->nkeys == 0)
		return upd_fail(u, UPD_CONFIG, "update_pubkey is empty: set it to the line `examflow keygen` wrote into PREFIX.pub");
	if (o->exe)
		snprintf(u->exe, sizeof u->exe, "%s", o->exe);
	else if (readlink("/proc/self/exe", u->exe, sizeof u->exe - 1) < 0)
		return upd_fail(u, UPD_CONFIG, "cannot tell where this binary is installed: /proc/self/exe: %s", strerror(errno));
	size_t dl = strlen(" (deleted)"), el = strlen(u->exe);
	if (el > dl && strcmp(u->exe + el - dl, " (deleted)") == 0)
		return upd_fail(u, UPD_TEMP, "this examflow was replaced on disk while it ran: run the new one");
	if (stat(u->exe, &st) < 0 || !S_ISREG(st.st_mode))
		return upd_fail(u, UPD_CONFIG, "%s is not a regular file", u->exe);
	u->mode = st.st_mode & 07777;
	snprintf(u->new_path, sizeof u->new_path, "%s.new", u->exe);
	snprintf(u->prev_path, sizeof u->prev_path, "%s.prev", u->exe);
	if (strlen(o->data_dir) + 32 >= PATH_MAX_LEN)
		return upd_fail(u, UPD_CONFIG, "data_dir is too long");
	store_path(u->state_path, o->data_dir, "update-state");
	store_path(u->lock_path, o->data_dir, "update.lock");
	if (http_client_init(&u->hc, o->ca_file) < 0) {
		http_client_free(&u->hc);
		return upd_fail(u, UPD_CONFIG, "no trusted CA certificates for https://: %s", u->hc.err);
	}
	u->hc_ready = 1;
	upd_state_load(u->state_path, &u->st);
	return UPD_OK;
}

/* Only one update or rollback at a time: flock on data_dir/update.lock. */
static int upd_lock(struct upd *u)
{
	char pid[32] = "";
	if (mkdir_p(u->o->data_dir, 0700) < 0)
		return upd_fail(u, upd_errno_outcome(errno), "cannot create %s: %s", u->o->data_dir, strerror(errno));
	int fd = open(u->lock_path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return upd_fail(u, upd_errno_outcome(errno), "cannot open %s: %s", u->lock_path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		ssize_t r = pread(fd, pid, sizeof pid - 1, 0);
		pid[r > 0 ? r : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		close(fd);
		if (e == EWOULDBLOCK)
			return upd_fail(u, UPD_TEMP, "another examflow update or rollback is running (pid %s)", pid[0] ? pid : "?");
		return upd_fail(u, UPD_TEMP, "cannot lock %s: %s", u->lock_path, strerror(e));
	}
	int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || store_pwrite_all(fd, pid, (size_t)n, 0) < 0)
		log_warn("update", "cannot write our pid into %s", u->lock_path);
	u->lock_fd = fd;
	return UPD_OK;
}

/* --jitter: sleep a random part of jitter_s seconds. */
static void upd_jitter(int jitter_s)
{
	uint32_t r = 0;
	if (jitter_s <= 0 || upd_random(&r, sizeof r) < 0)
		return;
	int64_t ms = (int64_t)(r % ((uint32_t)jitter_s * 1000 + 1));
	log_info("update", "--jitter: waiting %.1f s", (double)ms / 1000);
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000}, rem;
	while (nanosleep(&ts, &rem) < 0 && errno == EINTR)
		ts = rem;
}

/* A failed download as an outcome and a reason. */
static int upd_http_fail(struct upd *u, const char *what, int r, const char *err)
{
	int outcome = r == HTTP_ERR_URL || r == HTTP_ERR_TLS || r == HTTP_ERR_REDIRECT ? UPD_CONFIG
		      : r == HTTP_ERR_BODY_TOO_BIG                                        ? UPD_REFUSED
		                                                                          : UPD_TEMP;
	if (r == HTTP_ERR_BODY_TOO_BIG)
		return upd_fail(u, outcome, "%s: larger than %s", what,
		                strcmp(what, "manifest") == 0 ? "8 KiB: not a release manifest" : "the manifest says");
	return upd_fail(u, outcome, "%s: %s", what, err);
}

/* GET base/name into res (status 200 only).  UPD_OK or an outcome. */
static int upd_fetch(struct upd *u, const char *what, const char *name, size_t max, struct http_response *res)
{
	char url[HTTP_MAX_URL], err[HTTP_ERR_LEN];
	struct http_url hu;
	if (snprintf(url, sizeof url, "%s/%s", u->base, name) >= (int)sizeof url)
		return upd_fail(u, UPD_CONFIG, "update_url is too long");
	log_info("update", "fetching the %s", what);
	int r = http_get_sync(&u->hc, url, max, u->o->http_timeout_ms > INT_MAX ? INT_MAX : (int)u->o->http_timeout_ms,
	                      res, err, sizeof err);
	if (r != HTTP_DONE)
		return upd_http_fail(u, what, r, err);
	if (res->status != 200) {
		int st = res->status;
		http_url_parse(u->base, &hu);
		http_response_free(res);
		return upd_fail(u, UPD_TEMP, "%s: HTTP %d from %s (or where it redirected)", what, st, hu.host);
	}
	return UPD_OK;
}

/* The manifest: fetched, its signature checked with the configured keys,
 * then (only then) its fields read. */
static int upd_get_manifest(struct upd *u)
{
	struct http_response res;
	char why[300];
	unsigned char sig[UPD_SIG_LEN];
	size_t body_len;
	int r = upd_fetch(u, "manifest", "manifest", UPD_MANIFEST_MAX_BYTES, &res);
	if (r != UPD_OK)
		return r;
	const char *text = res.body.p ? res.body.p : "";
	if (upd_manifest_split(text, res.body.len, &body_len, sig, why, sizeof why) < 0) {
		r = upd_fail(u, UPD_REFUSED, "%s%s", why, strstr(res.content_type, "html") ? " (the server sent an HTML page)" : "");
		goto done;
	}
	int k = upd_manifest_verify(text, body_len, sig, u->keys, u->nkeys);
	if (k < 0) {
		/* Unverified, so only quoted as hex: which key does it claim? */
		char claimed[9] = "?";
		const char *kl = memmem(text, body_len, "\nkey: ", 6);
		if (kl && body_len - (size_t)(kl - text) > 14 && upd_all_in(kl + 6, 8, "0123456789abcdef") && kl[14] == '\n')
			snprintf(claimed, sizeof claimed, "%.8s", kl + 6);
		r = upd_fail(u, UPD_REFUSED, "the manifest's signature does not verify with update_pubkey (it names key %s; "
		             "tampered with, or signed with another key)", claimed);
		goto done;
	}
	u->key_id = u->keys[k].id;
	if (upd_manifest_parse(text, body_len, &u->m, why, sizeof why)) {
		r = upd_fail(u, UPD_REFUSED, "%s", why);
		goto done;
	}
	log_info("update", "manifest: examflow %s for %s, %" PRIu64 " bytes, signed by key %s", u->m.version, u->m.target,
	         u->m.size, u->key_id);
done:
	http_response_free(&res);
	return r;
}

/* Product, target, expiry, and the version rules: newer than the running
 * binary, than the highest version ever accepted here, and never one that
 * was rolled back here.  UPD_OK (go), UPD_CURRENT or UPD_REFUSED. */
static int upd_decide(struct upd *u)
{
	const struct upd_manifest *m = &u->m;
	char when[40];
	if (strcmp(m->product, "examflow") != 0)
		return upd_fail(u, UPD_REFUSED, "the release is for \"%s\", not examflow", m->product);
	if (strcmp(m->target, EXAMFLOW_TARGET) != 0)
		return upd_fail(u, UPD_REFUSED, "%s is built for %s; this machine runs %s", m->version, m->target, EXAMFLOW_TARGET);
	if (m->expires_ms <= wall_ms()) {
		iso8601_utc(when, sizeof when, m->expires_ms);
		return upd_fail(u, UPD_REFUSED, "the manifest of %s expired at %s (stale or replayed: publish a fresh one)",
		                m->version, when);
	}
	int cmp = upd_version_cmp(m->version, EXAMFLOW_VERSION);
	if (cmp == 0)
		return upd_fail(u, UPD_CURRENT, "already current: %s", EXAMFLOW_VERSION);
	if (cmp < 0)
		return upd_fail(u, UPD_REFUSED, "%s is older than the running %s: never installed (a downgrade, or a replayed release)",
		                m->version, EXAMFLOW_VERSION);
	if (upd_state_is_bad(&u->st, m->version))
		return upd_fail(u, UPD_REFUSED, "%s was rolled back on this machine: never retried (%s lists it)", m->version,
		                u->state_path);
	if (u->st.highest[0] && upd_version_cmp(m->version, u->st.highest) <= 0)
		return upd_fail(u, UPD_REFUSED, "%s is not newer than %s, the highest version this machine accepted (a replayed release?)",
		                m->version, u->st.highest);
	if (m->size == 0 || m->size > UPD_MAX_BINARY_BYTES)
		return upd_fail(u, UPD_REFUSED, "the manifest says the binary is %" PRIu64 " bytes (at most %d MiB is accepted)",
		                m->size, UPD_MAX_BINARY_BYTES >> 20);
	return UPD_OK;
}

/* The binary: downloaded, size and SHA-256 checked, written and fsynced as
 * examflow.new next to the installed one. */
static int upd_download(struct upd *u)
{
	struct http_response res;
	unsigned char h[UPD_HASH_LEN];
	int r = upd_fetch(u, "binary", u->m.file, (size_t)u->m.size, &res);
	if (r != UPD_OK)
		return r;
	upd_sha256(res.body.p ? res.body.p : "", res.body.len, h);
	if (res.body.len != u->m.size)
		r = upd_fail(u, UPD_REFUSED, "the binary is %zu bytes, the manifest says %" PRIu64 " (cut short or replaced)",
		             res.body.len, u->m.size);
	else if (memcmp(h, u->m.sha256, sizeof h) != 0)
		r = upd_fail(u, UPD_REFUSED, "the binary's SHA-256 is not the manifest's (tampered with or damaged on the way)");
	if (r == UPD_OK) {
		int rc = upd_write_atomic(u->new_path, res.body.p, res.body.len, u->mode);
		if (rc < 0)
			r = upd_fail(u, upd_errno_outcome(-rc), "cannot write %s: %s%s", u->new_path, strerror(-rc),
			             upd_errno_outcome(-rc) == UPD_CONFIG ? " (run update as the binary's owner, outside the service's sandbox)" : "");
		else
			u->new_written = 1;
	}
	http_response_free(&res);
	return r;
}

/* Before trusting it: `NEW version` must name the manifest's version and
 * target, and `NEW selftest` (config, task bank and data_dir, read-only)
 * must pass. */
static int upd_vet(struct upd *u)
{
	struct buf out = BUF_INIT;
	char why[300], ver[UPD_VERSION_MAX], target[UPD_TARGET_MAX];
	int status = 0, r = UPD_OK;
	char *vargv[] = {u->new_path, "version", NULL};
	char *sargv[] = {u->new_path, "-c", (char *)u->o->config_path, "selftest", NULL};
	if (!u->o->config_path) {
		sargv[1] = "selftest";
		sargv[2] = NULL;
	}
	if (upd_probe(vargv, UPD_PROBE_TIMEOUT_MS, &out, &status, why, sizeof why) < 0)
		r = upd_fail(u, UPD_REFUSED, "the new binary's `version` %s", why);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !out.p ||
	         upd_parse_version_output(out.p, ver, sizeof ver, target, sizeof target) < 0) {
		upd_probe_describe(status, &out, why, sizeof why);
		r = upd_fail(u, UPD_REFUSED, "the new binary does not run here (`version`: %s)", why);
	} else if (strcmp(ver, u->m.version) != 0 || strcmp(target, u->m.target) != 0) {
		r = upd_fail(u, UPD_REFUSED, "the new binary says it is %s for %s, the manifest says %s for %s", ver, target,
		             u->m.version, u->m.target);
	} else if (upd_probe(sargv, UPD_PROBE_TIMEOUT_MS, &out, &status, why, sizeof why) < 0) {
		r = upd_fail(u, UPD_REFUSED, "the new binary's selftest %s", why);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		upd_probe_describe(status, &out, why, sizeof why);
		r = upd_fail(u, UPD_REFUSED, "the new binary's selftest failed (%s)", why);
	}
	buf_free(&out);
	return r;
}

/* The health gate needs a healthy bot to begin with: a bot that cannot
 * reach Telegram now would make any new version look broken. */
static int upd_bot_ready(struct upd *u)
{
	if (u->bot.pid && !u->bot.healthy)
		return upd_fail(u, UPD_TEMP, "the running bot (pid %d) is not healthy (%s): updates wait for a healthy bot",
		                (int)u->bot.pid, u->bot.state);
	return UPD_OK;
}

/* Remove backup directories made by earlier updates but the newest keep. */
static void upd_prune_backups(const char *data_dir, int keep)
{
	char names[64][64];
	int n = 0;
	DIR *d = opendir(data_dir);
	struct dirent *e;
	while (d && (e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "backup-", 7) == 0 && strlen(e->d_name) < sizeof names[0] && n < 64)
			memcpy(names[n++], e->d_name, strlen(e->d_name) + 1);
	if (d)
		closedir(d);
	qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
	for (int i = 0; i < n - keep; i++) {
		static const char *const files[] = {"snapshot", "events.log", "lock"};
		char dir[STORE_PATH_LEN], path[STORE_PATH_LEN];
		store_path(dir, data_dir, names[i]);
		for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
			store_path(path, dir, files[k]);
			unlink(path);
		}
		if (rmdir(dir) < 0)
			log_warn("update", "cannot remove the old backup %s: %s", dir, strerror(errno));
		else
			log_info("update", "removed the old backup %s", dir);
	}
}

/* A consistent copy of data_dir (store_backup, verified by loading it) in
 * data_dir/backup-<UTC time>-<running version>; the newest UPD_BACKUPS_KEEP
 * are kept.  A data_dir without data needs none. */
static int upd_backup(struct upd *u)
{
	char sp[STORE_PATH_LEN], lp[STORE_PATH_LEN], dest[STORE_PATH_LEN], name[96], ts[32];
	const char *dir = u->o->data_dir;
	store_path(sp, dir, "snapshot");
	store_path(lp, dir, "events.log");
	if (access(sp, F_OK) < 0 && access(lp, F_OK) < 0) {
		log_info("update", "%s holds no data yet: no backup needed", dir);
		return UPD_OK;
	}
	time_t t = (time_t)(wall_ms() / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%Y%m%dT%H%M%SZ", &tm);
	for (int k = 0;; k++) {
		snprintf(name, sizeof name, k ? "backup-%s-%s.%d" : "backup-%s-%s", ts, EXAMFLOW_VERSION, k);
		store_path(dest, dir, name);
		if (access(dest, F_OK) < 0 || k == 100)
			break;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = f ? store_backup(dir, dest, f) : -ENOMEM;
	if (f)
		fclose(f);
	if (rc < 0) {
		const char *e = text ? strstr(text, "error: ") : NULL;
		char line[300];
		utf8_copy_line(line, sizeof line, e ? e + 7 : "out of memory", e ? strcspn(e + 7, "\n") : 13);
		free(text);
		return upd_fail(u, rc == -ENOSPC || rc == -EDQUOT ? UPD_TEMP : rc == STORE_ECORRUPT ? UPD_CONFIG : UPD_TEMP,
		                "backup of %s failed: %s", dir, line);
	}
	free(text);
	log_info("update", "backed up %s to %s", dir, dest);
	upd_prune_backups(dir, UPD_BACKUPS_KEEP);
	return UPD_OK;
}

/* examflow.prev = a copy of the installed binary, then examflow.new renamed
 * over the installed one: at every moment there is a binary at the path. */
static int upd_install(struct upd *u)
{
	int rc = upd_copy(u->exe, u->prev_path, u->mode);
	char dir[PATH_MAX_LEN];
	if (rc < 0)
		return upd_fail(u, upd_errno_outcome(-rc), "cannot keep the old binary as %s: %s", u->prev_path, strerror(-rc));
	if (rename(u->new_path, u->exe) < 0)
		return upd_fail(u, upd_errno_outcome(errno), "cannot rename %s to %s: %s", u->new_path, u->exe, strerror(errno));
	u->new_written = 0;
	upd_dirname(u->exe, dir, sizeof dir);
	if ((rc = store_sync_dir(dir)) < 0)
		log_warn("update", "fsync of %s: %s", dir, strerror(-rc));
	log_info("update", "installed %s as %s (the old one kept as %s)", u->m.version, u->exe, u->prev_path);
	return UPD_OK;
}

/* SIGUSR2 to the bot; wait for version to be healthy in the process the bot
 * runs now, or in a new one if the process died and was started again.
 * after gets one sentence on how it ended.  1 when healthy. */
static int upd_reexec_and_wait(struct upd *u, const char *version, char *after, size_t alen, int *stopped)
{
	char last[200];
	int64_t since = wall_ms(), t0 = mono_ms();
	pid_t pid = u->bot.pid;
	*stopped = 0;
	int w = kill(pid, SIGUSR2) < 0 ? UPD_W_GONE : UPD_W_TIMEOUT;
	if (w != UPD_W_GONE)
		w = upd_wait_health(u->o->health_file, pid, version, since, u->o->health_timeout_ms, last, sizeof last);
	u->took_ms = mono_ms() - t0;
	if (w == UPD_W_HEALTHY) {
		snprintf(after, alen, "pid %d healthy after %.1f s", (int)pid, (double)u->took_ms / 1000);
		return 1;
	}
	if (w == UPD_W_TIMEOUT) {
		snprintf(after, alen, "%s did not report healthy within %d s (%s)", version,
		         (int)(u->o->health_timeout_ms / 1000), last[0] ? last : "no health report");
		return 0;
	}
	if (w == UPD_W_STOPPED) {
		*stopped = 1;
		snprintf(after, alen, "the bot was stopped before %s proved healthy", version);
		return 0;
	}
	snprintf(after, alen, "the bot's process (pid %d) ended after the re-exec into %s", (int)pid, version);
	return 0;
}

/* Put examflow.prev back and bring the old version up again (the same
 * process, or started again as it was); remember the version as bad unless
 * the bot was merely stopped; tell the admin. */
static int upd_roll_back(struct upd *u, const char *reason, int stopped)
{
	char after[400] = "", why[200];
	int rc = upd_copy(u->prev_path, u->exe, u->mode);
	if (rc < 0) {
		upd_notify(u, "update to %s FAILED and could not be rolled back: %s; %s: %s", u->m.version, reason, u->prev_path,
		           strerror(-rc));
		return upd_fail(u, UPD_ROLLED_BACK, "%s; putting %s back FAILED (%s): restore it by hand (cp %s %s)", reason,
		                u->prev_path, strerror(-rc), u->prev_path, u->exe);
	}
	log_warn("update", "%s: %s put back", reason, u->prev_path);
	if (!stopped) {
		upd_state_add_bad(&u->st, u->m.version);
		upd_state_save(u->state_path, &u->st);
	}
	if (stopped) {
		snprintf(after, sizeof after, "%s is installed again; the bot was not started (it had been stopped)",
		         EXAMFLOW_VERSION);
	} else {
		int stop2 = 0;
		if (upd_alive(u->bot.pid))
			upd_reexec_and_wait(u, EXAMFLOW_VERSION, after, sizeof after, &stop2);
		if (!upd_alive(u->bot.pid) && !stop2) {
			pid_t pid = upd_start_bot(&u->bot, u->exe, why, sizeof why);
			if (pid < 0) {
				snprintf(after, sizeof after, "the bot is down and could not be started again (%s): start it", why);
			} else if (pid == 0) {
				snprintf(after, sizeof after, "asked systemd to start %s again", u->bot.unit);
			} else {
				char last[200];
				int w = upd_wait_health(u->o->health_file, pid, EXAMFLOW_VERSION, wall_ms(), u->o->health_timeout_ms,
				                        last, sizeof last);
				snprintf(after, sizeof after, "%s started again as it was started (pid %d)%s", EXAMFLOW_VERSION, (int)pid,
				         w == UPD_W_HEALTHY ? ", healthy" : ", not healthy yet: see examflow status");
			}
		} else if (stop2) {
			snprintf(after, sizeof after, "the bot was stopped meanwhile");
		} else {
			char tmp[400];
			snprintf(tmp, sizeof tmp, "%.300s", after);
			snprintf(after, sizeof after, "%s runs again: %.300s", EXAMFLOW_VERSION, tmp);
		}
	}
	upd_notify(u, "update to %s rolled back: %s; %s", u->m.version, reason, after);
	return upd_fail(u, UPD_ROLLED_BACK, "%s → %s: %s; %s%s", u->m.version, EXAMFLOW_VERSION, reason, after,
	                stopped ? " (not marked bad: the next run tries again)" : " (marked bad: never retried)");
}

/* After the rename: re-exec the running bot into the new version and wait
 * for it to be healthy, or roll back. */
static int upd_go_live(struct upd *u)
{
	char after[400];
	int stopped;
	if (!u->bot.pid || !upd_alive(u->bot.pid)) {
		upd_state_accept(&u->st, u->m.version);
		upd_state_save(u->state_path, &u->st);
		snprintf(after, sizeof after, "%s", u->bot.pid ? "the bot stopped during the update" : u->bot.note);
		upd_notify(u, "installed %s (was %s); %s: it starts with %s: %s", u->m.version, EXAMFLOW_VERSION, after,
		           u->m.version, u->m.notes);
		snprintf(u->why, sizeof u->why, "installed %s → %s; %s: it starts with %s: %s", EXAMFLOW_VERSION, u->m.version,
		         after, u->m.version, u->m.notes);
		return UPD_OK;
	}
	log_info("update", "SIGUSR2 to the bot (pid %d): re-exec into %s", (int)u->bot.pid, u->m.version);
	if (upd_reexec_and_wait(u, u->m.version, after, sizeof after, &stopped)) {
		upd_state_accept(&u->st, u->m.version);
		upd_state_save(u->state_path, &u->st);
		upd_notify(u, "updated %s → %s: %s", EXAMFLOW_VERSION, u->m.version, u->m.notes);
		snprintf(u->why, sizeof u->why, "updated %s → %s (%s): %s", EXAMFLOW_VERSION, u->m.version, after, u->m.notes);
		log_info("update", "%s", u->why);
		return UPD_OK;
	}
	return upd_roll_back(u, after, stopped);
}

static void upd_finish(struct upd *u)
{
	if (u->new_written && unlink(u->new_path) == 0)
		log_info("update", "removed %s", u->new_path);
	if (u->lock_fd >= 0)
		close(u->lock_fd);
	if (u->hc_ready)
		http_client_free(&u->hc);
	upd_bot_free(&u->bot);
}

/* Print the one line and return the exit code. */
static int upd_report(const struct upd *u, int outcome, const char *verb, FILE *out, FILE *err)
{
	int code = upd_outcomes[outcome].exit_code;
	log_msg(code == EXIT_OK ? LOG_INFO : LOG_ERROR, "update", "%s: %s%s (exit %d)", verb, upd_outcomes[outcome].prefix,
	        u->why, code);
	fprintf(code == EXIT_OK ? out : err, "examflow %s: %s%s\n", verb, upd_outcomes[outcome].prefix, u->why);
	return code;
}

/* `examflow update [--check] [--jitter[=S]]`.  Returns the exit code. */
static int upd_update(const struct upd_opts *o, FILE *out, FILE *err)
{
	struct upd *u = calloc(1, sizeof *u);
	if (!u) {
		fprintf(err, "examflow update: temporary failure, nothing changed: out of memory\n");
		return EXIT_FAIL;
	}
	u->o = o;
	signal(SIGXFSZ, SIG_IGN); /* a file size limit is "disk full", not a death */
	int r = upd_prepare(u);
	if (r == UPD_OK && !o->check_only)
		r = upd_lock(u);
	if (r == UPD_OK && !o->check_only)
		upd_jitter(o->jitter_s);
	if (r == UPD_OK)
		r = upd_get_manifest(u);
	if (r == UPD_OK)
		r = upd_decide(u);
	if (r == UPD_OK && o->check_only)
		snprintf(u->why, sizeof u->why, "would update %s → %s (%" PRIu64 " bytes, signed by key %s): %s",
		         EXAMFLOW_VERSION, u->m.version, u->m.size, u->key_id, u->m.notes);
	else if (r == UPD_OK && (r = upd_download(u)) == UPD_OK && (r = upd_vet(u)) == UPD_OK &&
	         (r = upd_find_bot(o->health_file, o->data_dir, u->exe, &u->bot, u->why, sizeof u->why)) == UPD_OK &&
	         (r = upd_bot_ready(u)) == UPD_OK && (r = upd_backup(u)) == UPD_OK && (r = upd_install(u)) == UPD_OK)
		r = upd_go_live(u);
	upd_finish(u);
	int code = upd_report(u, r, "update", out, err);
	free(u);
	return code;
}

/* `examflow rollback`: back to examflow.prev by hand.  The two binaries
 * swap places (a second rollback undoes the first), the version left is
 * remembered as bad, and a running bot is re-executed.  Exit code. */
static int upd_rollback(const struct upd_opts *o, FILE *out, FILE *err)
{
	struct upd *u = calloc(1, sizeof *u);
	struct buf vout = BUF_INIT, cur = BUF_INIT, prev = BUF_INIT;
	char why[300], ver[UPD_VERSION_MAX] = "", target[UPD_TARGET_MAX], after[400];
	int status = 0, r = UPD_OK, stopped = 0;
	uint32_t v[UPD_VERSION_PARTS];
	if (!u) {
		fprintf(err, "examflow rollback: out of memory\n");
		return EXIT_FAIL;
	}
	u->o = o;
	u->lock_fd = -1;
	signal(SIGXFSZ, SIG_IGN);
	if (o->exe)
		snprintf(u->exe, sizeof u->exe, "%s", o->exe);
	else if (readlink("/proc/self/exe", u->exe, sizeof u->exe - 1) < 0)
		r = upd_fail(u, UPD_CONFIG, "cannot tell where this binary is installed: %s", strerror(errno));
	struct stat st;
	if (r == UPD_OK && (stat(u->exe, &st) < 0 || !S_ISREG(st.st_mode)))
		r = upd_fail(u, UPD_CONFIG, "%s is not a regular file", u->exe);
	if (r == UPD_OK) {
		u->mode = st.st_mode & 07777;
		snprintf(u->prev_path, sizeof u->prev_path, "%s.prev", u->exe);
		store_path(u->state_path, o->data_dir, "update-state");
		store_path(u->lock_path, o->data_dir, "update.lock");
		upd_state_load(u->state_path, &u->st);
		r = upd_lock(u);
	}
	char *vargv[] = {u->prev_path, "version", NULL};
	if (r == UPD_OK && access(u->prev_path, F_OK) < 0)
		r = upd_fail(u, UPD_TEMP, "nothing to roll back to: %s does not exist", u->prev_path);
	else if (r == UPD_OK && upd_probe(vargv, UPD_PROBE_TIMEOUT_MS, &vout, &status, why, sizeof why) < 0)
		r = upd_fail(u, UPD_REFUSED, "%s does not run: `version` %s", u->prev_path, why);
	else if (r == UPD_OK && (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !vout.p ||
	                         upd_parse_version_output(vout.p, ver, sizeof ver, target, sizeof target) < 0 ||
	                         upd_version_parse(ver, v) < 0)) {
		upd_probe_describe(status, &vout, why, sizeof why);
		r = upd_fail(u, UPD_REFUSED, "%s does not run here (`version`: %s)", u->prev_path, why);
	}
	if (r == UPD_OK)
		r = upd_find_bot(o->health_file, o->data_dir, u->exe, &u->bot, u->why, sizeof u->why);
	if (r == UPD_OK) {
		int rc = read_file(u->exe, &cur, UPD_MAX_BINARY_BYTES) < 0 || read_file(u->prev_path, &prev, UPD_MAX_BINARY_BYTES) < 0
		         ? -errno : upd_write_atomic(u->exe, prev.p ? prev.p : "", prev.len, u->mode);
		if (rc == 0 && (rc = upd_write_atomic(u->prev_path, cur.p ? cur.p : "", cur.len, u->mode)) < 0)
			log_warn("update", "%s is back in place, but %s could not be kept as %s: %s", ver, EXAMFLOW_VERSION,
			         u->prev_path, strerror(-rc));
		else if (rc < 0)
			r = upd_fail(u, upd_errno_outcome(-rc), "cannot put %s back: %s", u->prev_path, strerror(-rc));
	}
	if (r == UPD_OK) {
		if (upd_version_parse(EXAMFLOW_VERSION, v) == 0) {
			upd_state_add_bad(&u->st, EXAMFLOW_VERSION);
			upd_state_save(u->state_path, &u->st);
		}
		snprintf(after, sizeof after, "%s", u->bot.note[0] ? u->bot.note : "the bot is not running");
		if (u->bot.pid && upd_alive(u->bot.pid) && !upd_reexec_and_wait(u, ver, after, sizeof after, &stopped))
			r = UPD_TEMP;
		if (u->bot.pid && !stopped && !upd_alive(u->bot.pid)) {
			pid_t pid = upd_start_bot(&u->bot, u->exe, why, sizeof why);
			if (pid > 0)
				snprintf(after, sizeof after, "started again as it was started (pid %d)", (int)pid);
			else if (pid == 0)
				snprintf(after, sizeof after, "asked systemd to start %s again", u->bot.unit);
			else
				snprintf(after, sizeof after, "the bot is down and could not be started again (%s)", why);
			r = pid >= 0 ? UPD_OK : UPD_TEMP;
		}
		upd_notify(u, "rolled back by hand: %s → %s (%s)", EXAMFLOW_VERSION, ver, after);
		snprintf(u->why, sizeof u->why, "rolled back %s → %s (%s)%s", EXAMFLOW_VERSION, ver, after,
		         r == UPD_OK ? "" : "; the binary is back, see examflow status");
	}
	buf_free(&vout);
	buf_free(&cur);
	buf_free(&prev);
	upd_finish(u);
	int code = upd_report(u, r, "rollback", out, err);
	free(u);
	return code;
}

/* --- for release makers: keygen and sign ------------------------------------------------ */

/* Create path with O_EXCL (never overwrite) and write text.  0 or -errno. */
static int upd_write_new_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	int rc = write_all(fd, text, strlen(text)) < 0 || fsync(fd) < 0 ? -errno : 0;
	close(fd);
	if (rc < 0)
		unlink(path);
	return rc;
}

/* `examflow keygen PREFIX`: PREFIX.key (private, 0600) and PREFIX.pub (the
 * update_pubkey line); refuses to overwrite either.  Exit code. */
static int upd_keygen(const char *prefix, FILE *out, FILE *err)
{
	char kpath[PATH_MAX_LEN], ppath[PATH_MAX_LEN];
	unsigned char seed[48], kbuf[BR_EC_KBUF_PRIV_MAX_SIZE], pbuf[BR_EC_KBUF_PUB_MAX_SIZE];
	char keyline[sizeof upd_key_magic + 2 * UPD_PRIV_LEN + 2], publine[64 + 2 * UPD_PUB_LEN + 2], hex[2 * UPD_PUB_LEN + 1];
	char id[9];
	br_hmac_drbg_context drbg;
	br_ec_private_key sk;
	br_ec_public_key pk;
	int code = EXIT_FAIL, rc;
	if (snprintf(kpath, sizeof kpath, "%s.key", prefix) >= (int)sizeof kpath ||
	    snprintf(ppath, sizeof ppath, "%s.pub", prefix) >= (int)sizeof ppath) {
		fprintf(err, "examflow keygen: PREFIX is too long\n");
		return EXIT_USAGE;
	}
	struct stat st;
	if (lstat(kpath, &st) == 0 || lstat(ppath, &st) == 0) {
		fprintf(err, "examflow keygen: %s exists: refusing to overwrite a key (pick another PREFIX)\n",
		        lstat(kpath, &st) == 0 ? kpath : ppath);
		return EXIT_FAIL;
	}
	/* The kernel's pool seeds BearSSL's HMAC-DRBG, which makes the key. */
	if (upd_random(seed, sizeof seed) < 0) {
		fprintf(err, "examflow keygen: getrandom: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof seed);
	if (br_ec_keygen(&drbg.vtable, &br_ec_p256_m31, &sk, kbuf, BR_EC_secp256r1) != UPD_PRIV_LEN ||
	    br_ec_compute_pub(&br_ec_p256_m31, &pk, pbuf, &sk) != UPD_PUB_LEN) {
		fprintf(err, "examflow keygen: key generation failed\n");
		goto done;
	}
	upd_hex(hex, kbuf, UPD_PRIV_LEN);
	snprintf(keyline, sizeof keyline, "%s%.64s\n", upd_key_magic, hex);
	upd_hex(hex, pbuf, UPD_PUB_LEN);
	snprintf(publine, sizeof publine, "update_pubkey = %s%s\n", upd_pub_prefix, hex);
	upd_key_id(pbuf, id);
	if ((rc = upd_write_new_file(kpath, keyline, 0600)) < 0) {
		fprintf(err, "examflow keygen: cannot create %s: %s\n", kpath, strerror(-rc));
		goto done;
	}
	/* Public by nature: it goes into every server's configuration. */
	if ((rc = upd_write_new_file(ppath, publine, 0644)) < 0) {
		fprintf(err, "examflow keygen: cannot create %s: %s\n", ppath, strerror(-rc));
		unlink(kpath);
		goto done;
	}
	fprintf(out, "examflow keygen: wrote %s (private: keep it off the servers, and a copy somewhere safe) and %s "
	        "(key %s: its line goes into examflow.conf)\n", kpath, ppath, id);
	code = EXIT_OK;
done:
	explicit_bzero(seed, sizeof seed);
	explicit_bzero(&drbg, sizeof drbg);
	explicit_bzero(kbuf, sizeof kbuf);
	explicit_bzero(hex, sizeof hex);
	explicit_bzero(keyline, sizeof keyline);
	explicit_bzero(&sk, sizeof sk);
	return code;
}

/* What `examflow sign` was asked for. */
struct upd_sign_args {
	const char *key_path;
	const char *dir;      /* where the release goes ("." by default) */
	const char *notes;    /* one line of release notes ("" allowed) */
	const char *binary;
	int expires_days;
};

/* `examflow sign`: ask BINARY for its version and target, copy it to
 * DIR/examflow-VERSION-TARGET and write DIR/manifest signed with the key.
 * Both files are published, so they are made 0644.  Exit code. */
static int upd_sign(const struct upd_sign_args *a, FILE *out, FILE *err)
{
	struct upd_signer s;
	struct upd_manifest m;
	struct upd_key self;
	struct buf vout = BUF_INIT, bin = BUF_INIT, man = BUF_INIT;
	char why[400], path[PATH_MAX_LEN + UPD_FILE_NAME_MAX], date[40], expires[40], hex[2 * UPD_SIG_LEN + 1];
	unsigned char h[UPD_HASH_LEN], sig[UPD_SIG_LEN];
	int status = 0, code = EXIT_FAIL, rc;
	uint32_t v[UPD_VERSION_PARTS];
	memset(&m, 0, sizeof m);
	size_t nl = strlen(a->notes);
	if (nl > UPD_NOTES_MAX || !utf8_valid(a->notes, nl) || strpbrk(a->notes, "\r\n\t")) {
		fprintf(err, "examflow sign: the notes must be one line of UTF-8 of at most %d bytes\n", UPD_NOTES_MAX);
		return EXIT_USAGE;
	}
	if (upd_load_signer(a->key_path, &s, why, sizeof why) < 0) {
		fprintf(err, "examflow sign: %s\n", why);
		return EXIT_CONFIG;
	}
	struct stat st;
	if (stat(a->key_path, &st) == 0 && (st.st_mode & 077))
		fprintf(err, "examflow sign: warning: %s can be read by others: chmod 600 it\n", a->key_path);
	char *vargv[] = {(char *)a->binary, "version", NULL};
	if (upd_probe(vargv, UPD_PROBE_TIMEOUT_MS, &vout, &status, why, sizeof why) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0 || !vout.p ||
	    upd_parse_version_output(vout.p, m.version, sizeof m.version, m.target, sizeof m.target) < 0) {
		if (!why[0] || WIFEXITED(status) || WIFSIGNALED(status))
			upd_probe_describe(status, &vout, why, sizeof why);
		fprintf(err, "examflow sign: `%s version` did not say its version and target (%s)\n", a->binary, why);
		goto done;
	}
	if (upd_version_parse(m.version, v) < 0) {
		fprintf(err, "examflow sign: %s is version \"%s\", not a release version (build it with make VERSION=x.y.z)\n",
		        a->binary, m.version);
		goto done;
	}
	if (read_file(a->binary, &bin, UPD_MAX_BINARY_BYTES) < 0) {
		fprintf(err, "examflow sign: cannot read %s: %s\n", a->binary, strerror(errno));
		goto done;
	}
	upd_sha256(bin.p ? bin.p : "", bin.len, h);
	snprintf(m.file, sizeof m.file, "examflow-%s-%s", m.version, m.target);
	int64_t now = wall_ms();
	iso8601_utc(date, sizeof date, now);
	iso8601_utc(expires, sizeof expires, now + (int64_t)a->expires_days * 86400 * 1000);
	upd_hex(hex, h, UPD_HASH_LEN);
	rc = buf_puts(&man, upd_manifest_magic);
	rc |= buf_printf(&man, "product: examflow\nversion: %s\ntarget: %s\nfile: %s\nsize: %zu\nsha256: %s\n", m.version,
	                 m.target, m.file, bin.len, hex);
	rc |= buf_printf(&man, "date: %s\nexpires: %s\nkey: %s\nnotes: %s\n", date, expires, s.id, a->notes);
	upd_sha256(man.p ? man.p : "", man.len, h);
	memcpy(self.q, s.q, UPD_PUB_LEN);
	if (rc || br_ecdsa_i31_sign_raw(&br_ec_p256_m31, &br_sha256_vtable, h, &s.sk, sig) != UPD_SIG_LEN ||
	    !upd_sig_ok(man.p, man.len, sig, &self)) {
		fprintf(err, "examflow sign: signing failed\n");
		goto done;
	}
	upd_hex(hex, sig, UPD_SIG_LEN);
	if (buf_printf(&man, "%s%s\n", upd_sig_prefix, hex) < 0 || mkdir_p(a->dir, 0755) < 0) {
		fprintf(err, "examflow sign: cannot create %s: %s\n", a->dir, strerror(errno));
		goto done;
	}
	snprintf(path, sizeof path, "%s/%s", a->dir, m.file);
	if ((rc = upd_write_atomic(path, bin.p ? bin.p : "", bin.len, 0644)) < 0) {
		fprintf(err, "examflow sign: cannot write %s: %s\n", path, strerror(-rc));
		goto done;
	}
	snprintf(path, sizeof path, "%s/manifest", a->dir);
	if ((rc = upd_write_atomic(path, man.p, man.len, 0644)) < 0) {
		fprintf(err, "examflow sign: cannot write %s: %s\n", path, strerror(-rc));
		goto done;
	}
	fprintf(out, "examflow sign: examflow %s for %s, %zu bytes, signed with key %s, expires %s: %s/manifest and %s/%s\n",
	        m.version, m.target, bin.len, s.id, expires, a->dir, a->dir, m.file);
	code = EXIT_OK;
done:
	upd_signer_wipe(&s);
	buf_free(&vout);
	buf_free(&bin);
	buf_free(&man);
	return code;
}

#undef UPD_M
#undef UPD_NFIELDS
#undef UPD_LOWER
#undef UPD_DIGITS


/* ==========================================================================
 * 14. Command line and main()
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

enum { CFG_NONE, CFG_LOAD, CFG_LOAD_LOG }; /* what a verb needs before it runs */

struct cli_cmd {
	const char *name;
	int (*fn)(struct cli_ctx *ctx);
	int min_args, max_args;
	int config; /* CFG_NONE / CFG_LOAD / CFG_LOAD_LOG (long-running: log to log_file) */
	const char *usage;
	const char *summary;
};

/* argv as main() got it, for the watchdog's SIGUSR2 re-exec, and the
 * command table, for the usage text.  Set once by cli_main(). */
static char **cli_argv;
static const struct cli_cmd *cli_table;

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

/* The running configuration as every section's options (heap: the struct
 * is a few KiB), NULL when out of memory. */
static struct worker_opts *cli_worker_opts(void)
{
	struct worker_opts *o = malloc(sizeof *o);
	if (o)
		worker_opts_init(o, &cfg);
	return o;
}

static void cli_free_opts(struct worker_opts *o)
{
	if (o)
		worker_opts_wipe(o);
	free(o);
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
	printf("target: %s\n", EXAMFLOW_TARGET);
	printf("compiler: %s\n", EXAMFLOW_CC);
	printf("libc: %s\n", EXAMFLOW_LIBC);
	printf("bearssl: %s\n", EXAMFLOW_BEARSSL_VERSION);
	printf("built: %s\n", EXAMFLOW_BUILD_DATE);
	return EXIT_OK;
}

static void cli_usage(FILE *out)
{
	fprintf(out, "usage: examflow [-c FILE] [COMMAND [ARGS]]\n\ncommands:\n");
	for (const struct cli_cmd *c = cli_table; c && c->name; c++)
		fprintf(out, "  %-22s %s\n", c->usage, c->summary);
	fprintf(out, "\nhelp topics: examflow help config | exit-codes | answers\n");
}

static const char cli_exit_codes_text[] =
	"exit codes:\n"
	"  0  ok\n"
	"  1  temporary failure (network, disk): restarting later is fine\n"
	"  2  usage: unknown command or bad arguments\n"
	"  3  configuration is wrong (bad key, bad value, missing or rejected token): fix it, do not restart\n"
	"  4  data files need an admin: run `examflow repair`\n"
	"  5  update: the release was refused (signature, target, expiry, not newer, checksum, failed self-test)\n"
	"     or rolled back (not healthy in time); the installed binary is unchanged or restored\n";

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
	if (strcmp(ctx->argv[0], "answers") == 0) {
		bank_print_rules(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "examflow: no help topic '%s' (topics: config, exit-codes, answers)\n", ctx->argv[0]);
	return EXIT_USAGE;
}

/* printf for what `check` prints: redacted like a log line (a server's
 * answer may quote a secret back). */
__attribute__((format(printf, 1, 2)))
static void cli_printf(const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0 && buf_reserve(&b, (size_t)n) == 0) {
		va_start(ap, fmt);
		vsnprintf(b.p, (size_t)n + 1, fmt, ap);
		va_end(ap);
		redact(b.p);
		fputs(b.p, stdout);
	}
	buf_free(&b);
}

/* One line per endpoint for `check`: DNS, TCP, TLS, HTTP. */
static int cli_check_telegram(void)
{
	struct http_client hc;
	struct http_url u;
	if (http_url_parse(cfg.telegram_api, &u) < 0) {
		cli_printf("telegram: telegram_api is not an http(s):// URL\n");
		return EXIT_CONFIG;
	}
	if (http_client_init(&hc, cfg.ca_file[0] ? cfg.ca_file : NULL) < 0 && u.tls) {
		if (cfg.ca_file[0])
			cli_printf("telegram: no CA certificate could be read from ca_file %s (missing, unreadable or not PEM)\n",
			       cfg.ca_file);
		else
			cli_printf("telegram: no trusted CA certificates found in the system bundle (set ca_file)\n");
		http_client_free(&hc);
		return EXIT_CONFIG;
	}
	char path[256];
	snprintf(path, sizeof path, "/bot%s/getMe", cfg.telegram_token);
	struct http_conn c;
	http_conn_init(&c);
	int r = http_start(&c, &hc, &u, "GET", path, NULL, NULL, 0, 15000);
	if (r == HTTP_PENDING)
		r = http_wait(&c);
	int rc = EXIT_FAIL;
	cli_printf("telegram: %s:%s (%s)\n", u.host, u.port, u.tls ? "https" : "http");
	if (r != HTTP_DONE) {
		/* one line per step that worked, then the one that failed */
		const char *step = r == HTTP_ERR_DNS ? "dns" : r == HTTP_ERR_CONNECT ? "tcp" : r == HTTP_ERR_TLS ? "tls" : "http";
		if (r != HTTP_ERR_DNS)
			cli_printf("  dns: ok\n");
		if (r != HTTP_ERR_DNS && r != HTTP_ERR_CONNECT)
			cli_printf("  tcp: ok\n");
		if (u.tls && r != HTTP_ERR_DNS && r != HTTP_ERR_CONNECT && r != HTTP_ERR_TLS)
			cli_printf("  tls: ok\n");
		cli_printf("  %s: FAILED: %s\n", step, http_errstr(&c));
		rc = r == HTTP_ERR_TLS ? EXIT_CONFIG : EXIT_FAIL;
		goto out;
	}
	char subj[128], exp[32];
	cli_printf("  dns: ok\n  tcp: ok\n");
	if (u.tls && http_peer_cert(&c, subj, sizeof subj, exp, sizeof exp) == 0)
		cli_printf("  tls: ok, certificate %s, valid until %s%s\n", subj, exp, c.resumed ? " (resumed)" : "");
	struct http_response *res = http_result(&c);
	struct json_tok tk[128];
	const char *js = res->body.p ? res->body.p : "";
	int n = json_parse(js, res->body.len, tk, 128);
	int un = n > 0 ? json_path(js, tk, n, 0, "result.username") : -1;
	struct buf name = BUF_INIT;
	if (res->status == 200 && un >= 0 && json_get_str(js, tk, un, &name) == 0) {
		cli_printf("  http: 200, getMe ok: bot @%s\n", name.p ? name.p : "");
		rc = EXIT_OK;
	} else if (res->status == 401 || res->status == 404) {
		cli_printf("  http: %d: the bot token was rejected (fix telegram_token)\n", res->status);
		rc = EXIT_CONFIG;
	} else {
		struct buf d = BUF_INIT;
		int di = n > 0 ? json_obj_get(js, tk, n, 0, "description") : -1;
		if (di >= 0)
			json_get_str(js, tk, di, &d);
		cli_printf("  http: %d: unexpected answer to getMe%s%.200s\n", res->status, d.p ? ": " : "", d.p ? d.p : "");
		buf_free(&d);
	}
	buf_free(&name);
out:
	http_close(&c);
	http_client_free(&hc);
	return rc;
}

/* check: everything an admin would want verified before starting. */
static int cli_check(struct cli_ctx *ctx)
{
	(void)ctx;
	cli_printf("config: ok (%s)\n", cfg.source);
	cli_printf("admin_id: %s\n", cfg.nadmins ? "set" : "not set (no admin alerts)");
	cli_printf("gemini_key: %s\n", cfg.gemini_key[0] ? "set" : "not set (AI tutor off)");
	struct worker_opts *o = cli_worker_opts();
	struct bank bk;
	if (!o || worker_load_bank(&bk, o, stdout) < 0) {
		if (o)
			bank_free(&bk);
		cli_free_opts(o);
		return o ? EXIT_CONFIG : EXIT_FAIL;
	}
	cli_printf("tasks: %d in %d subjects%s\n", bk.ntasks, bk.nsubjects, cfg.tasks_file[0] ? " (embedded + tasks_file)" : "");
	bank_free(&bk);
	if (!cfg.telegram_token[0]) {
		cli_printf("telegram_token: NOT SET (required for run)\n");
		cli_free_opts(o);
		return EXIT_CONFIG;
	}
	int tg_rc = cli_check_telegram();
	char line[300];
	int ai_rc = ai_check(&o->ai, cfg.ca_file, line, sizeof line);
	cli_free_opts(o);
	cli_printf("%s\n", line);
	return tg_rc ? tg_rc : ai_rc;
}

/* Send one notice to every admin, blocking (10 s at most per admin).  0,
 * or -1 when it did not reach all of them. */
static int cli_send_admin(const char *notice)
{
	char text[WD_REASON_LEN];
	snprintf(text, sizeof text, "%s", notice);
	redact(text); /* it may quote a crash cause, an upstream's words */
	struct http_client hc;
	struct http_url u;
	int failed = 0;
	if (http_url_parse(cfg.telegram_api, &u) < 0)
		return -1;
	if (http_client_init(&hc, cfg.ca_file[0] ? cfg.ca_file : NULL) < 0 && u.tls) {
		http_client_free(&hc);
		return -1;
	}
	for (int i = 0; i < cfg.nadmins; i++) {
		struct buf body = BUF_INIT, html = BUF_INIT;
		buf_puts(&html, "⚠️ <b>ExamFlow</b>: ");
		html_escape(&html, text);
		bot_build_body(&body, cfg.admin_ids[i], html.p, html.len, NULL);
		char path[256];
		snprintf(path, sizeof path, "/bot%s/sendMessage", cfg.telegram_token);
		struct http_conn c;
		http_conn_init(&c);
		int r = http_start(&c, &hc, &u, "POST", path, NULL, body.p, body.len, 10000);
		if (r == HTTP_PENDING)
			r = http_wait(&c);
		failed |= r != HTTP_DONE || http_result(&c)->status != 200;
		http_close(&c);
		buf_free(&body);
		buf_free(&html);
	}
	http_client_free(&hc);
	return failed ? -1 : 0;
}

/* The watchdog's notify hook: a short-lived child sends the admin message,
 * so the parent never blocks on the network nor holds an HTTP client. */
static void cli_notify_admin(const char *notice, void *ctx)
{
	(void)ctx;
	char text[WD_REASON_LEN];
	snprintf(text, sizeof text, "%s", notice);
	redact(text);
	log_warn("watchdog", "admin notice: %s", text);
	if (!cfg.nadmins || !cfg.telegram_token[0])
		return;
	pid_t pid = wd_fork();
	if (pid != 0)
		return; /* the watchdog reaps it */
	_exit(cli_send_admin(text) < 0 ? 1 : 0);
}

/* The updater's notify hook: it runs in the foreground, so it may block. */
static void cli_tell_admin(const char *text, void *ctx)
{
	(void)ctx;
	if (cfg.nadmins && cfg.telegram_token[0] && cli_send_admin(text) < 0)
		log_warn("update", "the admin could not be told (Telegram unreachable)");
}

/* The engine's reports, carried over the watchdog's pipe. */
static void cli_report(void *ctx, enum tg_report_kind kind, const struct status *st)
{
	int fd = *(int *)ctx;
	if (kind == TG_REPORT_BEAT)
		wd_report_heartbeat(fd);
	else if (kind == TG_REPORT_READY)
		wd_report_ready(fd);
	else
		wd_report_health(fd, st);
}

/* The worker's SIGHUP: reopen the log (logrotate), load the configuration
 * again and, if it is valid, make it the running one and hand every section
 * its options.  Invalid: the running one stays, and the log says why. */
static int cli_reload_config(const char *who)
{
	if (log_open(cfg.log_file) < 0)
		log_error("main", "cannot reopen log file %s: %s", cfg.log_file, strerror(errno));
	char ebuf[4096] = "";
	FILE *ef = fmemopen(ebuf, sizeof ebuf - 1, "w");
	struct config *nc = malloc(sizeof *nc);
	int nerr = nc ? cfg_load(nc, strcmp(cfg.source, "defaults") ? cfg.source : NULL, ef ? ef : stderr) : 1;
	if (ef)
		fclose(ef);
	if (nerr) {
		log_lines(LOG_ERROR, who, ebuf);
		log_error(who, "SIGHUP: the configuration has errors; keeping the running one");
		free(nc);
		return -1;
	}
	cfg = *nc;
	explicit_bzero(nc, sizeof *nc);
	free(nc);
	logst.level = cfg.log_level;
	if (log_open(cfg.log_file) < 0)
		log_error(who, "cannot open log file %s: %s", cfg.log_file, strerror(errno));
	return 0;
}

/* tg_hooks.reload: the worker's SIGHUP. */
static int cli_reload(void *ctx, struct worker_opts *o)
{
	(void)ctx;
	if (cli_reload_config("main") < 0)
		return -1;
	worker_opts_init(o, &cfg);
	return 0;
}

/* wd_opts.reload: the watchdog's SIGHUP.  Its own settings (health file,
 * timings, the token and admins for its notices) change now, and every
 * worker it starts from now on is forked with the new configuration. */
static int cli_wd_reload(struct wd_opts *o)
{
	if (cli_reload_config("watchdog") < 0)
		return -1;
	struct wd_opts n;
	wd_opts_init(&n, &cfg);
	n.argv = o->argv;
	n.exec_path = o->exec_path;
	n.notify = o->notify;
	n.notify_ctx = o->notify_ctx;
	n.reload = o->reload;
	*o = n;
	return 0;
}

/* The worker process: everything heavy lives here, not in the watchdog. */
static int cli_worker(int report_fd, void *ctx)
{
	(void)ctx;
	if (tg_install_signals() < 0) {
		log_error("main", "cannot create the signal pipe: %s", strerror(errno));
		return EXIT_FAIL;
	}
	struct worker *w = calloc(1, sizeof *w);
	struct worker_opts *o = cli_worker_opts();
	int rc = w && o ? worker_init(w, o, stderr) : EXIT_FAIL;
	cli_free_opts(o);
	if (w)
		w->restarted = wd_worker_restarts > 0;
	struct tg_hooks hooks = {report_fd >= 0 ? cli_report : NULL, &report_fd, cli_reload, NULL};
	if (rc == 0)
		rc = tg_run(w, &hooks);
	if (w)
		worker_free(w);
	free(w);
	return rc;
}

static int cli_run(struct cli_ctx *ctx)
{
	int watchdog = 1;
	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--no-watchdog") == 0)
			watchdog = 0;
		else if (strcmp(ctx->argv[i], "--foreground") != 0) {
			fprintf(stderr, "usage: examflow run [--no-watchdog] [--foreground]\n");
			return EXIT_USAGE;
		}
	}
	int rc = cli_need_token();
	if (rc)
		return rc;
	log_info("main", "examflow %s starting (%s, config %s)", EXAMFLOW_VERSION, watchdog ? "watchdog" : "no watchdog",
	         cfg.source);
	if (!watchdog)
		return cli_worker(-1, NULL);
	struct wd_opts o;
	wd_opts_init(&o, &cfg);
	o.argv = cli_argv;
	o.notify = cli_notify_admin;
	o.reload = cli_wd_reload;
	return wd_run(&o, cli_worker, NULL);
}

static int cli_demo(struct cli_ctx *ctx)
{
	const char *dir = NULL;
	for (int i = 0; i < ctx->argc; i++) {
		if (strcmp(ctx->argv[i], "--data") == 0 && i + 1 < ctx->argc)
			dir = ctx->argv[++i];
		else {
			fprintf(stderr, "usage: examflow demo [--data DIR]\n");
			return EXIT_USAGE;
		}
	}
	int rc = cfg_load(&cfg, ctx->config_path, stderr) ? EXIT_CONFIG : EXIT_OK;
	if (rc)
		return rc;
	logst.level = LOG_WARN; /* the terminal is the student's */
	char tmp[] = "/tmp/examflow-demo-XXXXXX";
	if (!dir && !(dir = mkdtemp(tmp))) {
		fprintf(stderr, "examflow: cannot create a temporary directory: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	snprintf(cfg.data_dir, sizeof cfg.data_dir, "%s", dir);
	struct worker_opts *o = cli_worker_opts();
	rc = o ? demo_run(o, stdin, stdout) : EXIT_FAIL;
	cli_free_opts(o);
	if (dir == tmp) { /* throw-away: remove what the demo wrote */
		char path[PATH_MAX_LEN + 32];
		static const char *const files[] = {"events.log", "snapshot", "lock"};
		for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
			snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
			unlink(path);
		}
		rmdir(tmp);
	}
	return rc;
}

#define CLI_SAMPLE_MAX 100000 /* variants per `tasks sample`: enough for any test, bounded output */

/* examflow tasks sample [GENERATOR [N] [--seed S]]: N variants (default 1)
 * from seed S (default 1, decimal or 0x hex), or the generator list. */
static int cli_tasks_sample(struct cli_ctx *ctx)
{
	const char *name = NULL;
	long n = 1;
	unsigned long long seed = 1;
	for (int i = 1; i < ctx->argc; i++) {
		char *end;
		const char *a = ctx->argv[i];
		if (strcmp(a, "--seed") == 0 && i + 1 < ctx->argc) {
			errno = 0;
			seed = strtoull(ctx->argv[++i], &end, 0);
			if (errno || *end || seed > UINT32_MAX) {
				fprintf(stderr, "examflow: bad seed '%s' (0..4294967295, or 0x hex)\n", ctx->argv[i]);
				return EXIT_USAGE;
			}
		} else if (!name) {
			name = a;
		} else {
			n = strtol(a, &end, 10);
			if (*end || n < 1 || n > CLI_SAMPLE_MAX) {
				fprintf(stderr, "examflow: bad count '%s' (1..%d)\n", a, CLI_SAMPLE_MAX);
				return EXIT_USAGE;
			}
		}
	}
	if (!name) {
		gen_list(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "all") == 0) {
		for (int g = 0; g < GEN_COUNT; g++)
			gen_sample(gen_table[g].id, (int)n, (uint32_t)seed, stdout);
		return EXIT_OK;
	}
	if (gen_sample(name, (int)n, (uint32_t)seed, stdout) < 0) {
		fprintf(stderr, "examflow: no generator '%s' (examflow tasks sample lists them)\n", name);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

static int cli_tasks(struct cli_ctx *ctx)
{
	const char *sub = ctx->argc ? ctx->argv[0] : "list";
	if (strcmp(sub, "check") == 0) {
		if (ctx->argc != 2) {
			fprintf(stderr, "usage: examflow tasks check FILE\n");
			return EXIT_USAGE;
		}
		int n = bank_check_file(ctx->argv[1], cfg.tasks_mode == BANK_REPLACE ? BANK_REPLACE : BANK_ADD, stderr);
		if (n) {
			fprintf(stderr, "%s: %d error%s\n", ctx->argv[1], n, n == 1 ? "" : "s");
			return EXIT_CONFIG;
		}
		printf("%s: ok\n", ctx->argv[1]);
		return EXIT_OK;
	}
	if (strcmp(sub, "sample") == 0)
		return cli_tasks_sample(ctx);
	if (ctx->argc > 1 || (strcmp(sub, "list") != 0 && strcmp(sub, "dump") != 0)) {
		fprintf(stderr, "usage: examflow tasks [list|dump|check FILE|sample [GENERATOR [N] [--seed S]]]\n");
		return EXIT_USAGE;
	}
	struct bank bk;
	struct worker_opts *o = cli_worker_opts();
	int rc = !o ? EXIT_FAIL : worker_load_bank(&bk, o, stderr) < 0 ? EXIT_CONFIG : EXIT_OK;
	cli_free_opts(o);
	if (rc) {
		if (rc == EXIT_CONFIG)
			bank_free(&bk);
		return rc;
	}
	if (strcmp(sub, "list") == 0)
		bank_list(&bk, stdout);
	else
		bank_dump(&bk, stdout);
	bank_free(&bk);
	return EXIT_OK;
}

static int cli_backup(struct cli_ctx *ctx)
{
	return store_backup(cfg.data_dir, ctx->argv[0], stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

static int cli_repair(struct cli_ctx *ctx)
{
	(void)ctx;
	return store_repair(cfg.data_dir, stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}

static int cli_status(struct cli_ctx *ctx)
{
	(void)ctx;
	struct wd_opts o;
	wd_opts_init(&o, &cfg);
	return wd_status_cmd(&o, stdout);
}

static int cli_uptime(struct cli_ctx *ctx)
{
	(void)ctx;
	struct health_uptime_opts o;
	health_uptime_opts_init(&o, &cfg);
	int rc = health_uptime_cmd(&o, stdout);
	explicit_bzero(&o, sizeof o);
	return rc;
}

/* export: CSV for a spreadsheet, from a consistent copy of the data.  A
 * student's name is theirs to choose: a cell starting with = + - @ TAB or
 * CR would be run as a formula by Excel and LibreOffice, so it gets a
 * leading ' (what both show as text). */
static void cli_csv_field(FILE *out, const char *s)
{
	int formula = *s && strchr("=+-@\t\r", *s);
	if (!formula && !strpbrk(s, ",\"\n\r")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (formula)
		fputc('\'', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static int cli_export(struct cli_ctx *ctx)
{
	const char *what = ctx->argc ? ctx->argv[0] : "users";
	if (strcmp(what, "users") && strcmp(what, "attempts") && strcmp(what, "progress")) {
		fprintf(stderr, "usage: examflow export [users|attempts|progress]\n");
		return EXIT_USAGE;
	}
	int rc;
	/* Read from a backup copy so a running bot keeps its lock and its files. */
	char tmp[] = "/tmp/examflow-export-XXXXXX";
	if (!mkdtemp(tmp)) {
		fprintf(stderr, "examflow: cannot create a temporary directory: %s\n", strerror(errno));
		return EXIT_FAIL;
	}
	FILE *devnull = fopen("/dev/null", "w");
	struct store st;
	struct bot *b = calloc(1, sizeof *b);
	char err[512];
	rc = EXIT_FAIL;
	if (b && devnull && store_backup(cfg.data_dir, tmp, devnull) == 0) {
		struct bot_opts bo;
		bot_opts_init(&bo, &cfg);
		bot_init(b, NULL, NULL, &bo);
		if (store_open(&st, tmp, FSYNC_OFF, bot_apply, b, err, sizeof err) == 0) {
			rc = EXIT_OK;
			store_close(&st);
		} else {
			fprintf(stderr, "examflow: %s\n", err);
		}
	} else {
		fprintf(stderr, "examflow: cannot read %s (see the message above)\n", cfg.data_dir);
	}
	if (rc == EXIT_OK) {
		if (strcmp(what, "users") == 0)
			printf("user_id,name,subject,points,level,streak,best_streak,solved,attempts,achievements,reminder_hour,blocked\n");
		else if (strcmp(what, "attempts") == 0)
			printf("user_id,task_id,solved,in_review,review_due_day\n");
		else
			printf("user_id,subject,task_number,attempted,correct\n");
		for (size_t i = 0; i < b->users.cap; i++) {
			const struct bot_user *u = bot_user_at(b, i);
			if (!u)
				continue;
			if (strcmp(what, "users") == 0) {
				printf("%" PRId64 ",", u->id);
				cli_csv_field(stdout, u->name);
				putchar(',');
				cli_csv_field(stdout, u->subject);
				printf(",%d,%d,%d,%d,%d,%d,%d,%d,%d\n", u->points, bot_level(u->points), u->streak, u->best_streak,
				       u->solved, u->attempts, __builtin_popcount(u->achievements), u->remind_hour, u->blocked);
			} else if (strcmp(what, "attempts") == 0) {
				for (int k = 0; k < u->ntasks; k++)
					printf("%" PRId64 ",%s,%d,%d,%d\n", u->id, u->tasks[k].task, u->tasks[k].solved,
					       u->tasks[k].due_day ? 1 : 0, u->tasks[k].due_day);
			} else {
				for (int k = 0; k < u->nnums; k++)
					printf("%" PRId64 ",%s,%d,%d,%d\n", u->id, u->nums[k].subject, u->nums[k].number,
					       u->nums[k].attempted, u->nums[k].correct);
			}
		}
	}
	if (b)
		bot_free_state(b);
	free(b);
	if (devnull)
		fclose(devnull);
	char path[PATH_MAX_LEN + 32];
	static const char *const files[] = {"events.log", "snapshot", "lock"};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", tmp, files[i]);
		unlink(path);
	}
	rmdir(tmp);
	return rc;
}

/* update and rollback: the section's options from the configuration, plus
 * what only the command line knows. */
static void cli_upd_opts(struct upd_opts *o, const struct cli_ctx *ctx)
{
	upd_opts_init(o, &cfg);
	o->config_path = ctx->config_path;
	o->notify = cli_tell_admin;
}

static int cli_update(struct cli_ctx *ctx)
{
	struct upd_opts o;
	cli_upd_opts(&o, ctx);
	for (int i = 0; i < ctx->argc; i++) {
		const char *a = ctx->argv[i];
		char *end = NULL;
		long j = 0;
		if (strcmp(a, "--check") == 0)
			o.check_only = 1;
		else if (strcmp(a, "--jitter") == 0)
			o.jitter_s = UPD_JITTER_DEFAULT_S;
		else if (strncmp(a, "--jitter=", 9) == 0 && (j = strtol(a + 9, &end, 10)) >= 0 && j <= UPD_JITTER_MAX_S &&
		         end != a + 9 && !*end)
			o.jitter_s = (int)j;
		else {
			fprintf(stderr, "usage: examflow update [--check] [--jitter[=SECONDS]] (at most %d s)\n", UPD_JITTER_MAX_S);
			return EXIT_USAGE;
		}
	}
	return upd_update(&o, stdout, stderr);
}

static int cli_rollback(struct cli_ctx *ctx)
{
	struct upd_opts o;
	cli_upd_opts(&o, ctx);
	return upd_rollback(&o, stdout, stderr);
}

/* selftest: what update asks of a new binary before trusting it: the
 * configuration, the task bank and data_dir load (read-only: the running
 * bot keeps its lock and its files). */
static int cli_selftest(struct cli_ctx *ctx)
{
	(void)ctx;
	struct worker_opts *o = cli_worker_opts();
	struct bank bk;
	char err[LOG_LINE_MAX] = "";
	uint64_t loaded = 0;
	if (!o)
		return EXIT_FAIL;
	if (worker_load_bank(&bk, o, stderr) < 0) {
		bank_free(&bk);
		cli_free_opts(o);
		fprintf(stderr, "examflow selftest: the task bank does not load\n");
		return EXIT_CONFIG;
	}
	int ntasks = bk.ntasks;
	bank_free(&bk);
	cli_free_opts(o);
	struct bot *b = calloc(1, sizeof *b);
	struct bot_opts bo;
	bot_opts_init(&bo, &cfg);
	int rc = -ENOMEM;
	if (b) {
		bot_init(b, NULL, NULL, &bo);
		rc = store_read_only(cfg.data_dir, bot_apply, b, &loaded, err, sizeof err);
		bot_free_state(b);
		free(b);
	}
	if (rc != 0) {
		fprintf(stderr, "examflow selftest: data_dir: %s\n", err[0] ? err : strerror(-rc));
		return rc == STORE_ECORRUPT ? EXIT_DATA : EXIT_FAIL;
	}
	printf("examflow selftest: ok: examflow %s for %s, config %s, %d tasks, %" PRIu64 " records in %s\n",
	       EXAMFLOW_VERSION, EXAMFLOW_TARGET, cfg.source, ntasks, loaded, cfg.data_dir);
	return EXIT_OK;
}

static int cli_keygen(struct cli_ctx *ctx)
{
	return upd_keygen(ctx->argv[0], stdout, stderr);
}

static int cli_sign(struct cli_ctx *ctx)
{
	struct upd_sign_args a = {NULL, ".", "", NULL, UPD_EXPIRES_DEFAULT_DAYS};
	for (int i = 0; i < ctx->argc; i++) {
		const char *s = ctx->argv[i], *next = i + 1 < ctx->argc ? ctx->argv[i + 1] : NULL;
		char *end = NULL;
		if (strcmp(s, "-k") == 0 && next)
			a.key_path = ctx->argv[++i];
		else if (strcmp(s, "-o") == 0 && next)
			a.dir = ctx->argv[++i];
		else if (strcmp(s, "-n") == 0 && next)
			a.notes = ctx->argv[++i];
		else if (strcmp(s, "-e") == 0 && next && (a.expires_days = (int)strtol(next, &end, 10)) >= 1 &&
		         a.expires_days <= UPD_EXPIRES_MAX_DAYS && !*end && ++i)
			continue;
		else if (s[0] != '-' && !a.binary)
			a.binary = s;
		else
			a.binary = NULL, i = ctx->argc;
	}
	if (!a.key_path || !a.binary) {
		fprintf(stderr, "usage: examflow sign -k PREFIX.key [-o DIR] [-n NOTE] [-e DAYS (1..%d, default %d)] BINARY\n",
		        UPD_EXPIRES_MAX_DAYS, UPD_EXPIRES_DEFAULT_DAYS);
		return EXIT_USAGE;
	}
	return upd_sign(&a, stdout, stderr);
}

static const struct cli_cmd cli_cmds[] = {
	{"run", cli_run, 0, 2, CFG_LOAD_LOG, "run [--no-watchdog]", "run the bot in the foreground (default command)"},
	{"demo", cli_demo, 0, 2, CFG_NONE, "demo [--data DIR]", "the bot in this terminal: no token, no network"},
	{"check", cli_check, 0, 0, CFG_LOAD, "check", "check the configuration, the task bank and Telegram (getMe)"},
	{"status", cli_status, 0, 0, CFG_LOAD, "status", "summarise the health file; exit 0 when healthy, 1 otherwise"},
	{"uptime", cli_uptime, 0, 0, CFG_LOAD, "uptime", "UptimeRobot monitors and their state (needs uptimerobot_key)"},
	{"tasks", cli_tasks, 0, 5, CFG_LOAD, "tasks [list|dump|check FILE|sample [GEN [N] [--seed S]]]",
	 "the task bank: counts, full text, validate a file, or variants of a generator"},
	{"backup", cli_backup, 1, 1, CFG_LOAD, "backup DIR", "consistent copy of data_dir while the bot runs"},
	{"export", cli_export, 0, 1, CFG_LOAD, "export [users|attempts|progress]", "CSV on stdout for a spreadsheet"},
	{"repair", cli_repair, 0, 0, CFG_LOAD, "repair", "quarantine a damaged record and everything after it"},
	{"update", cli_update, 0, 2, CFG_LOAD_LOG, "update [--check] [--jitter[=S]]", "install a newer signed release from update_url (for cron)"},
	{"rollback", cli_rollback, 0, 0, CFG_LOAD_LOG, "rollback", "go back to examflow.prev, the binary before the last update"},
	{"selftest", cli_selftest, 0, 0, CFG_LOAD, "selftest", "load configuration, task bank and data_dir read-only (update runs it)"},
	{"keygen", cli_keygen, 1, 1, CFG_NONE, "keygen PREFIX", "release makers: a signing key pair PREFIX.key, PREFIX.pub"},
	{"sign", cli_sign, 1, 9, CFG_NONE, "sign -k KEY [-o DIR] [-n NOTE] [-e DAYS] BINARY", "release makers: a signed release (binary + manifest) in DIR"},
	{"version", cli_version, 0, 0, CFG_NONE, "version", "print version, target, compiler, libc, BearSSL, build date"},
	{"help", cli_help, 0, 1, CFG_NONE, "help [TOPIC]", "this text, or a topic: config, exit-codes, answers"},
	{NULL, NULL, 0, 0, CFG_NONE, NULL, NULL},
};

/* Core dumps would hold the token and the keys: none unless the operator
 * sets core_dumps = on.  The limit the process started with is kept to be
 * given back.  Owned by cli_core_dumps(). */
static struct rlimit cli_core_limit;

static void cli_core_dumps(int allow)
{
	if (allow) {
		setrlimit(RLIMIT_CORE, &cli_core_limit);
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
		return;
	}
	getrlimit(RLIMIT_CORE, &cli_core_limit);
	struct rlimit none = {0, cli_core_limit.rlim_max};
	setrlimit(RLIMIT_CORE, &none);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

static int cli_main(int argc, char **argv)
{
	struct cli_ctx ctx = {0};
	cli_table = cli_cmds;
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
		if (c->config != CFG_NONE) {
			int rc = cli_load_config(&ctx, c->config == CFG_LOAD_LOG);
			if (rc)
				return rc;
			if (cfg.core_dumps)
				cli_core_dumps(1);
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
	cli_core_dumps(0);
	cli_argv = argv;
	return cli_main(argc, argv);
}
#endif

/* ==========================================================================
 * Appendix: the embedded task bank
 * ==========================================================================
 */

/* Our own original tasks, written for this project in the style of part 1 of
 * the ЕГЭ; exam task numbers follow the 2024-2025 specifications.  Every
 * computable answer is recomputed independently by
 * tests/check_bank_answers.py (run on `examflow tasks dump`).  Edit it like
 * any bank file: the same parser reads it at start-up and tests/unit_bank.c
 * fails on any error. */
const char bank_embedded_text[] =
	"# ExamFlow's embedded task bank: our own original tasks in the style of part 1\n"
	"# of the ЕГЭ.  Same format as an operator's tasks_file (see README).\n"
	"\n"
	"subject: math\n"
	"title: Математика (профиль)\n"
	"\n"
	"id: math-01\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: В треугольнике ABC угол C равен 90°, AC = 6, BC = 8. Найдите AB.\n"
	"answer: 10\n"
	"solution: По теореме Пифагора AB = √(6² + 8²) = √100 = 10.\n"
	"\n"
	"id: math-02\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: В равнобедренном треугольнике угол при вершине равен 40°. Найдите угол при основании. Ответ дайте в градусах.\n"
	"answer: 70\n"
	"solution: Углы при основании равны, их сумма 180° − 40° = 140°, каждый 70°.\n"
	"\n"
	"id: math-03\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: Вписанный угол опирается на дугу, градусная мера которой равна 124°. Найдите этот угол. Ответ дайте в градусах.\n"
	"answer: 62\n"
	"solution: Вписанный угол равен половине дуги, на которую опирается: 124° : 2 = 62°.\n"
	"\n"
	"id: math-04\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: Стороны параллелограмма равны 5 и 8, а угол между ними равен 30°. Найдите площадь параллелограмма.\n"
	"answer: 20\n"
	"solution: S = a·b·sin α = 5·8·sin 30° = 40·0,5 = 20.\n"
	"\n"
	"id: math-05\n"
	"number: 2\n"
	"topic: Векторы\n"
	"text: Дан вектор a(3; −4). Найдите длину вектора a.\n"
	"answer: 5\n"
	"solution: |a| = √(3² + (−4)²) = √25 = 5.\n"
	"\n"
	"id: math-06\n"
	"number: 2\n"
	"topic: Векторы\n"
	"text: Даны векторы a(2; 5) и b(−3; 4). Найдите скалярное произведение a·b.\n"
	"answer: 14\n"
	"solution: a·b = 2·(−3) + 5·4 = −6 + 20 = 14.\n"
	"\n"
	"id: math-07\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Объём прямоугольного параллелепипеда равен 60. Два его ребра, выходящие из одной вершины, равны 3 и 4. Найдите третье ребро, выходящее из той же вершины.\n"
	"answer: 5\n"
	"solution: V = abc, значит c = 60 : (3·4) = 5.\n"
	"\n"
	"id: math-08\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Радиус основания цилиндра равен 3, высота равна 5. Найдите объём цилиндра, делённый на π.\n"
	"answer: 45\n"
	"solution: V = πr²h = π·9·5 = 45π, делим на π: 45.\n"
	"\n"
	"id: math-09\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: В коробке 25 шаров, из них 7 красных. Наугад достают один шар. Найдите вероятность того, что он красный.\n"
	"answer: 0,28\n"
	"solution: P = 7 : 25 = 0,28.\n"
	"\n"
	"id: math-10\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: Симметричную монету (орёл и решка выпадают с равными вероятностями) бросают два раза. Найдите вероятность того, что орёл выпадет ровно один раз.\n"
	"answer: 0,5\n"
	"solution: Исходов четыре: ОО, ОР, РО, РР. Подходят ОР и РО: P = 2 : 4 = 0,5.\n"
	"\n"
	"id: math-11\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: В лотерее 400 билетов, из них 12 выигрышных. Найдите вероятность того, что купленный наугад билет не выиграет.\n"
	"answer: 0,97\n"
	"solution: Невыигрышных билетов 400 − 12 = 388, P = 388 : 400 = 0,97.\n"
	"\n"
	"id: math-12\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Стрелок три раза стреляет по мишени. Вероятность попадания при каждом выстреле равна 0,8, результаты выстрелов не зависят друг от друга. Найдите вероятность того, что стрелок попадёт в мишень все три раза.\n"
	"answer: 0,512\n"
	"solution: Выстрелы независимы, вероятности перемножаются: P = 0,8³ = 0,512.\n"
	"\n"
	"id: math-13\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Два станка работают независимо. Первый за смену ломается с вероятностью 0,1, второй — с вероятностью 0,2. Найдите вероятность того, что за смену оба станка проработают без поломок.\n"
	"answer: 0,72\n"
	"solution: P = (1 − 0,1)·(1 − 0,2) = 0,9·0,8 = 0,72.\n"
	"\n"
	"id: math-14\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Вероятность того, что батарейка бракованная, равна 0,05. Покупатель берёт две батарейки. Найдите вероятность того, что обе исправны.\n"
	"answer: 0,9025\n"
	"solution: P = 0,95·0,95 = 0,9025.\n"
	"\n"
	"id: math-15\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Найдите корень уравнения 2^(x − 3) = 16.\n"
	"answer: 7\n"
	"solution: 16 = 2⁴, значит x − 3 = 4, x = 7.\n"
	"\n"
	"id: math-16\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Найдите корень уравнения log₅(x + 4) = 2.\n"
	"answer: 21\n"
	"solution: x + 4 = 5² = 25, x = 21.\n"
	"\n"
	"id: math-17\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Найдите корень уравнения √(2x + 7) = 5.\n"
	"answer: 9\n"
	"solution: 2x + 7 = 25, x = 9. Проверка: √25 = 5.\n"
	"\n"
	"id: math-18\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Решите уравнение x² − 7x + 10 = 0. Если корней несколько, в ответе укажите больший.\n"
	"answer: 5\n"
	"solution: По теореме Виета корни 2 и 5, больший 5.\n"
	"\n"
	"id: math-19\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения log₂48 − log₂3.\n"
	"answer: 4\n"
	"solution: log₂48 − log₂3 = log₂(48 : 3) = log₂16 = 4.\n"
	"\n"
	"id: math-20\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения 27^(2/3) · 4^(−1/2).\n"
	"answer: 4,5\n"
	"solution: 27^(2/3) = 3² = 9, 4^(−1/2) = 1/2, произведение 4,5.\n"
	"\n"
	"id: math-21\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения (3,6 · 10³) : (1,2 · 10⁻¹).\n"
	"answer: 30000\n"
	"solution: 3,6 : 1,2 = 3, 10³ : 10⁻¹ = 10⁴, ответ 3·10⁴ = 30000.\n"
	"\n"
	"id: math-22\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Точка движется по закону x(t) = t³ − 4t² + 5 (x в метрах, t в секундах). Найдите её скорость в момент t = 3 с. Ответ дайте в м/с.\n"
	"answer: 3\n"
	"solution: v(t) = x′(t) = 3t² − 8t, v(3) = 27 − 24 = 3.\n"
	"\n"
	"id: math-23\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: Высота камня, брошенного вверх, меняется по закону h(t) = 20t − 5t² (h в метрах, t в секундах). Сколько секунд камень находился на высоте не менее 15 м?\n"
	"answer: 2\n"
	"solution: 20t − 5t² ≥ 15 ⇔ t² − 4t + 3 ≤ 0 ⇔ 1 ≤ t ≤ 3, то есть 3 − 1 = 2 с.\n"
	"\n"
	"id: math-24\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Лодка проплывает 48 км по течению реки за 3 ч, а против течения — за 4 ч. Найдите скорость течения. Ответ дайте в км/ч.\n"
	"answer: 2\n"
	"solution: По течению 48 : 3 = 16 км/ч, против 48 : 4 = 12 км/ч. Скорость течения (16 − 12) : 2 = 2 км/ч.\n"
	"\n"
	"id: math-25\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Цену товара сначала повысили на 20%, а затем снизили на 20%. На сколько процентов итоговая цена меньше исходной?\n"
	"answer: 4\n"
	"solution: 1,2·0,8 = 0,96 исходной цены, то есть меньше на 4%.\n"
	"\n"
	"id: math-26\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите наименьшее значение функции y = x² − 6x + 13 на отрезке [0; 5].\n"
	"answer: 4\n"
	"solution: Вершина параболы x = 3 лежит на отрезке, y(3) = 9 − 18 + 13 = 4; на концах y(0) = 13, y(5) = 8.\n"
	"\n"
	"id: math-27\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите точку максимума функции y = −x³ + 3x + 5.\n"
	"answer: 1\n"
	"solution: y′ = −3x² + 3 = 0 при x = ±1. Производная меняет знак с «+» на «−» в точке x = 1: это максимум.\n"
	"\n"
	"id: math-01-01\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: В треугольнике ABC угол A равен 47°, угол B равен 68°. Найдите угол C. Ответ дайте в градусах.\n"
	"answer: 65\n"
	"solution: Сумма углов треугольника 180°: C = 180° − 47° − 68° = 65°.\n"
	"\n"
	"id: math-01-02\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: Диагонали ромба равны 10 и 14. Найдите площадь ромба.\n"
	"answer: 70\n"
	"solution: Площадь ромба равна половине произведения диагоналей: 10·14 : 2 = 70.\n"
	"\n"
	"id: math-01-03\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: Центральный угол на 36° больше вписанного угла, опирающегося на ту же дугу. Найдите вписанный угол. Ответ дайте в градусах.\n"
	"answer: 36\n"
	"solution: Центральный угол вдвое больше вписанного: 2α − α = 36°, α = 36°.\n"
	"\n"
	"id: math-01-04\n"
	"number: 1\n"
	"topic: Планиметрия\n"
	"text: Средняя линия трапеции равна 11, а одно из оснований равно 7. Найдите другое основание.\n"
	"answer: 15\n"
	"solution: Средняя линия — полусумма оснований: (7 + b) : 2 = 11, b = 15.\n"
	"\n"
	"id: math-03-01\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Объём куба равен 64. Найдите площадь его полной поверхности.\n"
	"answer: 96\n"
	"solution: Ребро a = ∛64 = 4, поверхность 6a² = 6·16 = 96.\n"
	"\n"
	"id: math-03-02\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Радиус основания конуса равен 3, высота равна 7. Найдите объём конуса, делённый на π.\n"
	"answer: 21\n"
	"solution: V = πr²h/3 = π·9·7/3 = 21π, делим на π: 21.\n"
	"\n"
	"id: math-03-03\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Радиус шара равен 3. Найдите площадь его поверхности, делённую на π.\n"
	"answer: 36\n"
	"solution: S = 4πR² = 4π·9 = 36π, делим на π: 36.\n"
	"\n"
	"id: math-03-04\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Каждое ребро куба увеличили в 3 раза. Во сколько раз увеличился его объём?\n"
	"answer: 27\n"
	"solution: V = a³, поэтому объём растёт в 3³ = 27 раз.\n"
	"\n"
	"id: math-04-01\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: В классе 30 учащихся, из них 12 девочек. Дежурного выбирают по жребию. Найдите вероятность того, что дежурным будет мальчик.\n"
	"answer: 0,6\n"
	"solution: Мальчиков 30 − 12 = 18, P = 18 : 30 = 0,6.\n"
	"\n"
	"id: math-04-02\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: Симметричную монету бросают три раза. Найдите вероятность того, что орёл не выпадет ни разу.\n"
	"answer: 0,125\n"
	"solution: Исходов 2³ = 8, подходит один (РРР): P = 1 : 8 = 0,125.\n"
	"\n"
	"id: math-04-03\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: В сборнике 40 билетов, в 6 из них есть вопрос по оптике. Найдите вероятность того, что в случайно выбранном билете вопроса по оптике нет.\n"
	"answer: 0,85\n"
	"solution: Билетов без оптики 40 − 6 = 34, P = 34 : 40 = 0,85.\n"
	"\n"
	"id: math-05-01\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Стрелок попадает в мишень с вероятностью 0,7, выстрелы независимы. Он стреляет два раза. Найдите вероятность того, что он оба раза промахнётся.\n"
	"answer: 0,09\n"
	"solution: Промах с вероятностью 1 − 0,7 = 0,3; для независимых событий вероятности перемножаются: 0,3·0,3 = 0,09.\n"
	"\n"
	"id: math-05-02\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Вероятность того, что на экзамене попадётся задача по геометрии, равна 0,25, по теории вероятностей — 0,15. Задач сразу на обе темы нет. Найдите вероятность того, что задача будет на одну из этих двух тем.\n"
	"answer: 0,4\n"
	"solution: События несовместны, вероятности складываются: 0,25 + 0,15 = 0,4.\n"
	"\n"
	"id: math-05-03\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: В зале два автомата с водой, каждый неисправен с вероятностью 0,2 независимо от другого. Найдите вероятность того, что хотя бы один автомат исправен.\n"
	"answer: 0,96\n"
	"solution: Оба неисправны с вероятностью 0,2·0,2 = 0,04; противоположное событие: 1 − 0,04 = 0,96.\n"
	"\n"
	"id: math-06-01\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Найдите корень уравнения (1/7)^(x − 4) = 49.\n"
	"answer: 2\n"
	"solution: 49 = (1/7)^(−2), значит x − 4 = −2, x = 2.\n"
	"\n"
	"id: math-06-02\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Найдите корень уравнения √(x + 10) = x − 2. Если корней несколько, укажите больший.\n"
	"answer: 6\n"
	"solution: Возводим в квадрат: x + 10 = x² − 4x + 4, x² − 5x − 6 = 0, x = 6 или x = −1. При x = −1 правая часть отрицательна, остаётся x = 6.\n"
	"\n"
	"id: math-06-03\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Найдите корень уравнения log₂(5x − 1) = 4.\n"
	"answer: 3,4\n"
	"solution: 5x − 1 = 2⁴ = 16, 5x = 17, x = 3,4.\n"
	"\n"
	"id: math-07-01\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения log₆4 + log₆9.\n"
	"answer: 2\n"
	"solution: Сумма логарифмов — логарифм произведения: log₆36 = 2.\n"
	"\n"
	"id: math-07-02\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения 16^0,75.\n"
	"answer: 8\n"
	"solution: 16^0,75 = (2⁴)^(3/4) = 2³ = 8.\n"
	"\n"
	"id: math-07-03\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения (√18 − √2)·√2.\n"
	"answer: 4\n"
	"solution: √18·√2 − √2·√2 = √36 − 2 = 6 − 2 = 4.\n"
	"\n"
	"id: math-08-01\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Прямая y = 5x + 7 параллельна касательной к графику функции y = x² + 3x − 4. Найдите абсциссу точки касания.\n"
	"answer: 1\n"
	"solution: Параллельные прямые имеют равные угловые коэффициенты: y′ = 2x + 3 = 5, x = 1.\n"
	"\n"
	"id: math-08-02\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Точка движется по закону x(t) = t² − 6t + 11 (x в метрах, t в секундах). В какой момент времени её скорость была равна 4 м/с?\n"
	"answer: 5\n"
	"solution: Скорость — производная координаты: v(t) = 2t − 6 = 4, t = 5 с.\n"
	"\n"
	"id: math-08-03\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Найдите угловой коэффициент касательной к графику функции y = x³ − 2x в точке с абсциссой x₀ = 2.\n"
	"answer: 10\n"
	"solution: Угловой коэффициент касательной равен y′(x₀): y′ = 3x² − 2, y′(2) = 12 − 2 = 10.\n"
	"\n"
	"id: math-08-04\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Прямая y = 6x − 5 является касательной к графику функции y = x² + c. Найдите c.\n"
	"answer: 4\n"
	"solution: В точке касания y′ = 2x = 6, x = 3; y = 6·3 − 5 = 13 = 9 + c, c = 4.\n"
	"\n"
	"id: math-09-01\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: Высота мяча, брошенного вверх, меняется по закону h(t) = 1,4 + 14t − 5t² (h в метрах, t в секундах). Через сколько секунд после броска мяч окажется на наибольшей высоте?\n"
	"answer: 1,4\n"
	"solution: Вершина параболы: t = 14 : (2·5) = 1,4 с.\n"
	"\n"
	"id: math-09-02\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: Расстояние до линии горизонта l (в км) с высоты h (в км) находится по формуле l = √(2Rh), где R = 6400 км. С какой высоты видна линия горизонта на расстоянии 16 км? Ответ дайте в метрах.\n"
	"answer: 20\n"
	"solution: 16² = 2·6400·h, h = 256 : 12800 = 0,02 км = 20 м.\n"
	"\n"
	"id: math-09-03\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: При параллельном соединении резисторов R₁ и R₂ общее сопротивление R = R₁R₂/(R₁ + R₂). Каким должно быть R₂ (в омах), чтобы при R₁ = 12 Ом общее сопротивление было 4 Ом?\n"
	"answer: 6\n"
	"solution: 12R₂ = 4(12 + R₂), 8R₂ = 48, R₂ = 6 Ом.\n"
	"\n"
	"id: math-09-04\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: Период колебаний маятника T = 2√l (T в секундах, l — длина в метрах). Найдите длину маятника с периодом 3 с. Ответ дайте в метрах.\n"
	"answer: 2,25\n"
	"solution: √l = 3 : 2 = 1,5, l = 1,5² = 2,25 м.\n"
	"\n"
	"id: math-10-01\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Первый насос наполняет бак за 6 ч, второй — за 12 ч. За сколько часов наполнят бак оба насоса, работая вместе?\n"
	"answer: 4\n"
	"solution: Производительности складываются: 1/6 + 1/12 = 1/4 бака в час, время 4 ч.\n"
	"\n"
	"id: math-10-02\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Смешали 4 л 15-процентного раствора соли и 6 л 25-процентного. Сколько процентов составляет концентрация смеси?\n"
	"answer: 21\n"
	"solution: Соли 0,6 + 1,5 = 2,1 л на 10 л раствора: 21%.\n"
	"\n"
	"id: math-10-03\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Из двух городов, расстояние между которыми 390 км, одновременно навстречу друг другу выехали два автомобиля со скоростями 60 км/ч и 70 км/ч. Через сколько часов они встретятся?\n"
	"answer: 3\n"
	"solution: Скорость сближения 60 + 70 = 130 км/ч, время 390 : 130 = 3 ч.\n"
	"\n"
	"id: math-12-01\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите наибольшее значение функции y = 2x³ − 6x + 1 на отрезке [−2; 0].\n"
	"answer: 5\n"
	"solution: y′ = 6x² − 6 = 0 при x = −1 (на отрезке). y(−2) = −3, y(−1) = 5, y(0) = 1; наибольшее 5.\n"
	"\n"
	"id: math-12-02\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите точку минимума функции y = x³ − 12x + 7.\n"
	"answer: 2\n"
	"solution: y′ = 3x² − 12 = 0 при x = ±2; в точке x = 2 производная меняет знак с «−» на «+»: это минимум.\n"
	"\n"
	"id: math-12-03\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите наименьшее значение функции y = x + 9/x на отрезке [1; 6].\n"
	"answer: 6\n"
	"solution: y′ = 1 − 9/x² = 0 при x = 3; y(1) = 10, y(3) = 6, y(6) = 7,5; наименьшее 6.\n"
	"\n"
	"id: math-03-05\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Радиус основания цилиндра равен 2, высота равна 5. Найдите площадь боковой поверхности цилиндра, делённую на π.\n"
	"answer: 20\n"
	"solution: S = 2πrh = 2π·2·5 = 20π, делим на π: 20.\n"
	"\n"
	"id: math-03-06\n"
	"number: 3\n"
	"topic: Стереометрия\n"
	"text: Сторона основания правильной четырёхугольной пирамиды равна 6, высота равна 4. Найдите объём пирамиды.\n"
	"answer: 48\n"
	"solution: V = Sh/3 = 6²·4/3 = 48.\n"
	"\n"
	"id: math-04-04\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: На олимпиаду приехали 250 участников, из них 60 — из Москвы. Найдите вероятность того, что случайно выбранный участник не из Москвы.\n"
	"answer: 0,76\n"
	"solution: Не из Москвы 250 − 60 = 190 участников, P = 190 : 250 = 0,76.\n"
	"\n"
	"id: math-04-05\n"
	"number: 4\n"
	"topic: Вероятность\n"
	"text: Игральный кубик бросают дважды. Найдите вероятность того, что произведение выпавших очков нечётно.\n"
	"answer: 0,25\n"
	"solution: Произведение нечётно, только если оба числа нечётны: 3·3 = 9 исходов из 36, P = 0,25.\n"
	"\n"
	"id: math-05-04\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Вероятность того, что новый чайник прослужит больше года, равна 0,93, а больше двух лет — 0,81. Найдите вероятность того, что он прослужит больше года, но не больше двух лет.\n"
	"answer: 0,12\n"
	"solution: «Больше года» = «больше года, но не больше двух» + «больше двух лет» (несовместные события): 0,93 − 0,81 = 0,12.\n"
	"\n"
	"id: math-05-05\n"
	"number: 5\n"
	"topic: Вероятность событий\n"
	"text: Биатлонист стреляет по мишени 4 раза, вероятность попадания при каждом выстреле 0,8, выстрелы независимы. Найдите вероятность того, что первые три раза он попадёт, а в последний раз промахнётся.\n"
	"answer: 0,1024\n"
	"solution: Вероятности независимых событий перемножаются: 0,8·0,8·0,8·0,2 = 0,1024.\n"
	"\n"
	"id: math-06-04\n"
	"number: 6\n"
	"topic: Уравнения\n"
	"text: Решите уравнение x² + 4x − 21 = 0. Если корней несколько, в ответе укажите меньший.\n"
	"answer: -7\n"
	"solution: По теореме Виета x₁ + x₂ = −4, x₁x₂ = −21: корни 3 и −7, меньший −7.\n"
	"\n"
	"id: math-07-04\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите значение выражения 5^(log₅9 + 1).\n"
	"answer: 45\n"
	"solution: 5^(log₅9)·5¹ = 9·5 = 45.\n"
	"\n"
	"id: math-07-05\n"
	"number: 7\n"
	"topic: Вычисления\n"
	"text: Найдите tg α, если cos α = 0,8 и 0 < α < π/2.\n"
	"answer: 0,75\n"
	"solution: В первой четверти sin α > 0: sin α = √(1 − 0,64) = 0,6, tg α = 0,6 : 0,8 = 0,75.\n"
	"\n"
	"id: math-08-05\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: В какой точке касательная к графику функции y = x² − 8x + 3 параллельна оси абсцисс? Укажите абсциссу этой точки.\n"
	"answer: 4\n"
	"solution: Касательная параллельна оси Ox, когда y′ = 0: 2x − 8 = 0, x = 4.\n"
	"\n"
	"id: math-08-06\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Точка движется по закону x(t) = 2t³ − 3t² + 4 (x в метрах, t в секундах). Найдите её ускорение в момент t = 2 с. Ответ дайте в м/с².\n"
	"answer: 18\n"
	"solution: Ускорение — вторая производная: v = 6t² − 6t, a = 12t − 6 = 18 м/с².\n"
	"\n"
	"id: math-08-07\n"
	"number: 8\n"
	"topic: Производная\n"
	"text: Найдите значение производной функции y = 4√x в точке x₀ = 4.\n"
	"answer: 1\n"
	"solution: y′ = 4·1/(2√x) = 2/√x, y′(4) = 2/2 = 1.\n"
	"\n"
	"id: math-09-05\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: Сила тока в цепи I = U/R, где U = 220 В. Ток не должен превышать 5 А. Каким наименьшим может быть сопротивление R? Ответ в омах.\n"
	"answer: 44\n"
	"solution: 220/R ≤ 5 ⇔ R ≥ 44 Ом.\n"
	"\n"
	"id: math-09-06\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: Тормозной путь автомобиля s = v²/(2a), где a = 5 м/с². При какой наибольшей скорости v (в м/с) тормозной путь не превысит 90 м?\n"
	"answer: 30\n"
	"solution: v²/10 ≤ 90 ⇔ v² ≤ 900 ⇔ v ≤ 30 м/с.\n"
	"\n"
	"id: math-09-07\n"
	"number: 9\n"
	"topic: Прикладная задача\n"
	"text: После включения температура прибора меняется по закону T(t) = 20 + 30t − t² (T в °C, t в минутах). Прибор отключается, когда температура достигает 220 °C. Через сколько минут после включения он отключится?\n"
	"answer: 10\n"
	"solution: 20 + 30t − t² = 220 ⇔ t² − 30t + 200 = 0, t = 10 или t = 20. Температура впервые достигнет 220 °C при t = 10.\n"
	"\n"
	"id: math-10-04\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Поезд длиной 300 м проезжает мимо столба за 15 с. Найдите скорость поезда в км/ч.\n"
	"answer: 72\n"
	"solution: Мимо столба поезд проходит свою длину: 300 : 15 = 20 м/с = 20·3,6 = 72 км/ч.\n"
	"\n"
	"id: math-10-05\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: После снижения цены на 25% товар стал стоить 1800 рублей. Сколько рублей он стоил до снижения?\n"
	"answer: 2400\n"
	"solution: 1800 рублей — это 75% прежней цены: 1800 : 0,75 = 2400.\n"
	"\n"
	"id: math-10-06\n"
	"number: 10\n"
	"topic: Текстовая задача\n"
	"text: Первый рабочий выполняет заказ за 10 дней, а вместе со вторым — за 6 дней. За сколько дней выполнит заказ второй рабочий один?\n"
	"answer: 15\n"
	"solution: Производительность второго 1/6 − 1/10 = 1/15 заказа в день: 15 дней.\n"
	"\n"
	"id: math-12-04\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите наибольшее значение функции y = −x² + 8x − 5 на отрезке [0; 5].\n"
	"answer: 11\n"
	"solution: Вершина параболы x = 4 лежит на отрезке, ветви вниз: y(4) = −16 + 32 − 5 = 11.\n"
	"\n"
	"id: math-12-05\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите точку максимума функции y = x³ − 3x² − 9x + 2.\n"
	"answer: -1\n"
	"solution: y′ = 3x² − 6x − 9 = 3(x − 3)(x + 1). При переходе через x = −1 производная меняет знак с «+» на «−»: это максимум.\n"
	"\n"
	"id: math-12-06\n"
	"number: 12\n"
	"topic: Наибольшее и наименьшее значение\n"
	"text: Найдите наименьшее значение функции y = (x − 5)·e^(x − 4) на отрезке [3; 5].\n"
	"answer: -1\n"
	"solution: y′ = e^(x − 4)·(x − 4) = 0 при x = 4 — точка минимума: y(4) = −1·e⁰ = −1; на концах y(3) = −2/e > −1, y(5) = 0.\n"
	"\n"
	"subject: inf\n"
	"title: Информатика\n"
	"\n"
	"id: inf-01\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Логическая функция F задаётся выражением (x → y) ∧ ¬z. Дан фрагмент таблицы истинности функции F, содержащий неповторяющиеся строки; значения переменных даны по столбцам 1, 2, 3, последним указано значение F.\n"
	"  строка 1: 0, 1, 1; F = 0\n"
	"  строка 2: 1, 0, 0; F = 1\n"
	"  строка 3: 1, 1, 0; F = 1\n"
	"  Определите, какому столбцу таблицы соответствует каждая из переменных x, y, z. В ответе напишите буквы x, y, z в том порядке, в котором идут соответствующие им столбцы (сначала буква, соответствующая первому столбцу; затем — второму; затем — третьему).\n"
	"answer: yxz\n"
	"solution: F = 1 только при z = 0 и не (x = 1, y = 0). В строках 2 и 3 F = 1, значит, в обеих z = 0: нули в обеих строках есть только в столбце 3, это z. В строке 1 z = 1, и F = 0 при любых x, y. Строка 2 (1, 0, 0) даёт F = 1, поэтому столбец 1 — не x (иначе x = 1, y = 0 и F = 0). Значит, столбец 1 — y, столбец 2 — x: ответ yxz.\n"
	"\n"
	"id: inf-02\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Сколько существует наборов значений переменных x, y, z, w, при которых выражение ¬(x ∧ y) ∨ (z ≡ w) равно 1?\n"
	"answer: 14\n"
	"solution: Всего 16 строк. Выражение ложно, только когда x = y = 1 и z ≠ w: это 2 строки. 16 − 2 = 14.\n"
	"\n"
	"id: inf-03\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: Для кодирования букв А, Б, В, Г, Д используют неравномерный двоичный код, удовлетворяющий условию Фано: никакое кодовое слово не является началом другого. Для букв А, Б, В используются кодовые слова 0, 10, 110. Укажите наименьшую возможную суммарную длину кодовых слов для букв Г и Д.\n"
	"answer: 8\n"
	"solution: Свободными остаются только слова, начинающиеся с 111. Слово 111 взять нельзя: тогда для второй буквы не останется слова. Берём 1110 и 1111: 4 + 4 = 8.\n"
	"\n"
	"id: inf-04\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: Для букв А, Б, В используется двоичный код, удовлетворяющий условию Фано. Код буквы А — 0, буквы Б — 10. Какова наименьшая возможная длина кода буквы В?\n"
	"answer: 2\n"
	"solution: Код В не может начинаться с 0 и с 10 и не может быть 1 (это начало кода Б). Подходит 11, длина 2.\n"
	"\n"
	"id: inf-05\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: На вход алгоритма подаётся натуральное число N. Алгоритм строит по нему новое число R следующим образом.\n"
	"  1) Строится двоичная запись числа N.\n"
	"  2) К этой записи справа дописывается ещё один разряд: 0, если количество единиц в двоичной записи N чётное, и 1, если нечётное.\n"
	"  3) Полученная таким образом запись является двоичной записью искомого числа R.\n"
	"  Укажите минимальное число N, после обработки которого с помощью этого алгоритма получается число R, большее 100. В ответе это число запишите в десятичной системе счисления.\n"
	"answer: 50\n"
	"solution: Дописывание разряда даёт R = 2N или 2N + 1, поэтому N ≥ 50. N = 49 = 110001₂: единиц три, R = 1100011₂ = 99 — мало. N = 50 = 110010₂: единиц три, дописываем 1: R = 1100101₂ = 101 > 100.\n"
	"\n"
	"id: inf-06\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: К двоичной записи натурального числа N справа дописывают 1, если N нечётное, и 00, если N чётное. Получается число R. Укажите наименьшее R, большее 60.\n"
	"answer: 63\n"
	"solution: Для нечётного N: R = 2N + 1, для чётного R = 4N. 61 = 2·30 + 1, но 30 чётное. Наименьшие варианты: N = 31 даёт 63, N = 16 даёт 64. Ответ 63.\n"
	"\n"
	"id: inf-07\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Рисунок размером 1024 × 768 пикселей использует палитру из 65536 цветов. Сколько Кбайт занимает рисунок без сжатия?\n"
	"answer: 1536\n"
	"solution: 65536 = 2¹⁶, 16 бит = 2 байта на пиксель. 1024·768·2 = 1572864 байт = 1536 Кбайт.\n"
	"\n"
	"id: inf-08\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Для хранения растрового изображения 256 × 128 пикселей отведено 16 Кбайт. Какое наибольшее число цветов может быть в палитре?\n"
	"answer: 16\n"
	"solution: 16 Кбайт = 131072 бит, пикселей 32768, на пиксель 4 бита, цветов 2⁴ = 16.\n"
	"\n"
	"id: inf-09\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Сколько существует пятибуквенных слов из букв К, О, Т, в которых буква О встречается ровно 2 раза? Словом считается любая последовательность букв, не обязательно осмысленная; буквы могут повторяться.\n"
	"answer: 80\n"
	"solution: Место для двух О: C(5, 2) = 10 способов, остальные 3 места — К или Т: 2³ = 8. Итого 80.\n"
	"\n"
	"id: inf-10\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Составляют четырёхбуквенные слова из букв Л, Е, С, А; буквы могут повторяться, словом считается любая последовательность букв, не обязательно осмысленная. Сколько слов начинаются с гласной?\n"
	"answer: 128\n"
	"solution: Первая буква — Е или А (2 способа), остальные три — любые из 4: 2·4³ = 128.\n"
	"\n"
	"id: inf-11\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Пароль состоит из 15 символов, каждый — одна из 26 латинских букв или одна из 10 цифр. Каждый символ кодируется минимально возможным одинаковым числом бит, пароль — минимально возможным целым числом байт. Сколько байт нужно для 40 паролей?\n"
	"answer: 480\n"
	"solution: Символов 36, нужно 6 бит (2⁶ = 64). 15·6 = 90 бит → 12 байт. 40·12 = 480.\n"
	"\n"
	"id: inf-12\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Идентификатор состоит из 10 символов, каждый из 12 возможных. Символ кодируется минимальным одинаковым числом бит, идентификатор — минимальным целым числом байт. Сколько байт займут 50 идентификаторов?\n"
	"answer: 250\n"
	"solution: 12 символов → 4 бита. 10·4 = 40 бит = 5 байт. 50·5 = 250.\n"
	"\n"
	"id: inf-13\n"
	"number: 12\n"
	"topic: Исполнитель Редактор\n"
	"text: Редактор получает строку из 40 единиц и выполняет программу:\n"
	"  ПОКА нашлось (111) ИЛИ нашлось (22)\n"
	"    ЕСЛИ нашлось (111) ТО заменить (111, 2)\n"
	"    ИНАЧЕ заменить (22, 1)\n"
	"    КОНЕЦ ЕСЛИ\n"
	"  КОНЕЦ ПОКА\n"
	"  Команда «заменить» меняет первое слева вхождение. Какая строка получится?\n"
	"answer: 121\n"
	"solution: Сначала 40 = 13·3 + 1: получаем 13 двоек и 1. Далее каждые две двойки дают 1, три единицы — 2: 2…21 (13 двоек) → 2…21 (8 двоек) → 2221 → 121. Ни 111, ни 22 нет.\n"
	"\n"
	"id: inf-14\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Сколько всего IP-адресов (включая адрес сети и широковещательный) в сети с маской 255.255.255.224?\n"
	"answer: 32\n"
	"solution: 224 = 11100000₂, на номер узла остаётся 5 бит: 2⁵ = 32 адреса.\n"
	"\n"
	"id: inf-15\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Узел имеет IP-адрес 192.168.37.150 и маску 255.255.255.192. Чему равен последний байт адреса сети?\n"
	"answer: 128\n"
	"solution: Адрес сети — поразрядное И: 150 = 10010110₂, 192 = 11000000₂, 150 AND 192 = 10000000₂ = 128.\n"
	"\n"
	"id: inf-16\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: Значение выражения 4¹⁵ + 2²⁰ − 16 записали в двоичной системе. Сколько в этой записи единиц?\n"
	"answer: 17\n"
	"solution: 4¹⁵ = 2³⁰ — одна единица. 2²⁰ − 2⁴ — единицы в разрядах с 4-го по 19-й, их 16. Всего 17.\n"
	"\n"
	"id: inf-17\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: Значение арифметического выражения 4²⁰ + 2³⁰ − 16 записали в системе счисления с основанием 4. Сколько цифр 3 содержится в этой записи?\n"
	"answer: 13\n"
	"solution: 2³⁰ = 4¹⁵, 16 = 4². Число 4¹⁵ − 4² в четверичной записи — 13 троек и два нуля (333…300). Прибавление 4²⁰ дописывает старшую единицу, не затрагивая троек. Ответ 13.\n"
	"\n"
	"id: inf-18\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: Операнды арифметического выражения записаны в системе счисления с основанием 15: 2x3₁₅ + 1x4₁₅. В записи чисел переменной x обозначена неизвестная цифра из алфавита пятнадцатеричной системы счисления. Определите наименьшее значение x, при котором значение данного выражения кратно 13. Для найденного x вычислите частное от деления значения выражения на 13 и укажите его в ответе в десятичной системе счисления.\n"
	"answer: 64\n"
	"solution: 2x3₁₅ + 1x4₁₅ = (2·225 + 15x + 3) + (225 + 15x + 4) = 682 + 30x. Перебор x = 0, 1, 2, … даёт первое кратное 13 при x = 5: 682 + 150 = 832 = 13·64.\n"
	"\n"
	"id: inf-19\n"
	"number: 15\n"
	"topic: Логические выражения\n"
	"text: Найдите наименьшее натуральное A, при котором выражение (x + 2y < A) ∨ (y > x) ∨ (x > 30) истинно при любых целых неотрицательных x и y.\n"
	"answer: 91\n"
	"solution: Выражение ложно только при y ≤ x ≤ 30 и x + 2y ≥ A. Наибольшее x + 2y при этих условиях 30 + 60 = 90, поэтому нужно A > 90.\n"
	"\n"
	"id: inf-20\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: F(n) = 1 при n ≤ 2; F(n) = F(n − 1) + F(n − 2) при n > 2. Найдите F(15).\n"
	"answer: 610\n"
	"solution: Это числа Фибоначчи: 1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610.\n"
	"\n"
	"id: inf-21\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: G(1) = 2; G(n) = G(n − 1) + 3n при n > 1. Найдите G(10).\n"
	"answer: 164\n"
	"solution: G(10) = 2 + 3·(2 + 3 + … + 10) = 2 + 3·54 = 164.\n"
	"\n"
	"id: inf-22\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет две команды: 1) прибавить 1; 2) умножить на 2. Сколько существует программ, которые преобразуют число 1 в число 12?\n"
	"answer: 20\n"
	"solution: Пусть K(n) — число программ из 1 в n. K(1) = 1, K(n) = K(n − 1) + K(n/2) для чётного n. Получаем 1, 2, 2, 4, 4, 6, 6, 10, 10, 14, 14, 20.\n"
	"\n"
	"id: inf-23\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет две команды: 1) прибавить 1; 2) умножить на 3. Сколько существует программ, которые преобразуют число 2 в число 30 и траектория которых содержит число 10?\n"
	"answer: 6\n"
	"solution: Из 2 в 10: 3 программы (через 9 = 3·3, через 6 = 2·3, только сложение). Из 10 в 30: 2 программы (через 10·3 и только сложение). 3·2 = 6.\n"
	"\n"
	"id: inf-24\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Пусть M — сумма минимального и максимального натуральных делителей целого числа, не считая единицы и самого числа. Если таких делителей у числа нет, то считается, что M = 0. Напишите программу, которая перебирает целые числа, большие 500 000, в порядке возрастания и ищет среди них такие, для которых M оканчивается на цифру 7. В ответе запишите через пробел первое найденное число и соответствующее ему значение M.\n"
	"answer: 500010 250007\n"
	"order: digits\n"
	"solution: Минимальный делитель d ищется перебором от 2 до √n, максимальный равен n / d; у простого числа M = 0. Для 500001…500009 последняя цифра M не 7 (например, 500001 = 3·166667: M = 166670). Для 500010 = 2·250005: M = 2 + 250005 = 250007.\n"
	"\n"
	"id: inf-01-01\n"
	"number: 1\n"
	"topic: Графы\n"
	"text: Схема дорог N-ского района задана списком: дорогами соединены пункты А–Б, А–Г, А–Д, А–Е, Б–В, Б–Д, В–Е, В–Ж, Г–Д, Д–Е, Е–Ж. В таблице указана протяжённость каждой из этих дорог (в километрах). Таблицу и схему составляли независимо друг от друга, поэтому нумерация пунктов в таблице никак не связана с буквами на схеме.\n"
	"  П1–П4: 29 км\n"
	"  П1–П6: 35 км\n"
	"  П2–П4: 7 км\n"
	"  П2–П5: 3 км\n"
	"  П2–П6: 27 км\n"
	"  П3–П4: 34 км\n"
	"  П3–П5: 15 км\n"
	"  П3–П6: 22 км\n"
	"  П3–П7: 5 км\n"
	"  П4–П6: 4 км\n"
	"  П5–П7: 21 км\n"
	"  Определите длину дороги из пункта В в пункт Е. В ответе запишите целое число.\n"
	"answer: 15\n"
	"solution: Сопоставим пункты по числу дорог. На схеме: А — 4, Б — 3, В — 3, Г — 2, Д — 4, Е — 4, Ж — 2. В таблице: П1 — 2, П2 — 3, П3 — 4, П4 — 4, П5 — 3, П6 — 4, П7 — 2. Пункты с одинаковым числом дорог различаем по соседям; единственное соответствие даёт для дороги В–Е длину 15 км.\n"
	"\n"
	"id: inf-01-02\n"
	"number: 1\n"
	"topic: Графы\n"
	"text: Схема дорог N-ского района задана списком: дорогами соединены пункты А–В, А–Г, А–Ж, Б–В, Б–Г, Б–Д, В–Г, Г–Е, Г–Ж, Д–Е. В таблице указана протяжённость каждой из этих дорог (в километрах). Таблицу и схему составляли независимо друг от друга, поэтому нумерация пунктов в таблице никак не связана с буквами на схеме.\n"
	"  П1–П6: 27 км\n"
	"  П1–П7: 9 км\n"
	"  П2–П3: 22 км\n"
	"  П2–П4: 20 км\n"
	"  П2–П7: 25 км\n"
	"  П3–П7: 3 км\n"
	"  П4–П5: 4 км\n"
	"  П4–П7: 17 км\n"
	"  П5–П6: 28 км\n"
	"  П5–П7: 11 км\n"
	"  Определите длину дороги из пункта А в пункт В. В ответе запишите целое число.\n"
	"answer: 20\n"
	"solution: Сопоставим пункты по числу дорог. На схеме: А — 3, Б — 3, В — 3, Г — 5, Д — 2, Е — 2, Ж — 2. В таблице: П1 — 2, П2 — 3, П3 — 2, П4 — 3, П5 — 3, П6 — 2, П7 — 5. Пункты с одинаковым числом дорог различаем по соседям; единственное соответствие даёт для дороги А–В длину 20 км.\n"
	"\n"
	"id: inf-01-03\n"
	"number: 1\n"
	"topic: Графы\n"
	"text: Схема дорог N-ского района задана списком: дорогами соединены пункты А–Е, Б–В, Б–Г, Б–Е, Б–Ж, Г–Ж, Д–Е, Д–Ж, Е–Ж. В таблице указана протяжённость каждой из этих дорог (в километрах). Таблицу и схему составляли независимо друг от друга, поэтому нумерация пунктов в таблице никак не связана с буквами на схеме.\n"
	"  П1–П3: 32 км\n"
	"  П1–П4: 27 км\n"
	"  П2–П4: 21 км\n"
	"  П2–П6: 20 км\n"
	"  П3–П4: 3 км\n"
	"  П3–П5: 31 км\n"
	"  П3–П6: 15 км\n"
	"  П4–П6: 23 км\n"
	"  П6–П7: 11 км\n"
	"  Определите длину дороги из пункта Б в пункт Е. В ответе запишите целое число.\n"
	"answer: 15\n"
	"solution: Сопоставим пункты по числу дорог. На схеме: А — 1, Б — 4, В — 1, Г — 2, Д — 2, Е — 4, Ж — 4. В таблице: П1 — 2, П2 — 2, П3 — 4, П4 — 4, П5 — 1, П6 — 4, П7 — 1. Пункты с одинаковым числом дорог различаем по соседям; единственное соответствие даёт для дороги Б–Е длину 15 км.\n"
	"\n"
	"id: inf-01-04\n"
	"number: 1\n"
	"topic: Графы\n"
	"text: Схема дорог N-ского района задана списком: дорогами соединены пункты А–Б, А–Г, А–Д, А–Е, Б–Д, Б–Ж, В–Г, В–Д, Г–Ж, Д–Е, Е–Ж. В таблице указана протяжённость каждой из этих дорог (в километрах). Таблицу и схему составляли независимо друг от друга, поэтому нумерация пунктов в таблице никак не связана с буквами на схеме.\n"
	"  П1–П2: 31 км\n"
	"  П1–П6: 34 км\n"
	"  П1–П7: 35 км\n"
	"  П2–П3: 15 км\n"
	"  П2–П5: 19 км\n"
	"  П2–П7: 36 км\n"
	"  П3–П4: 24 км\n"
	"  П4–П6: 30 км\n"
	"  П4–П7: 13 км\n"
	"  П5–П6: 22 км\n"
	"  П5–П7: 38 км\n"
	"  Определите длину дороги из пункта А в пункт Д. В ответе запишите целое число.\n"
	"answer: 36\n"
	"solution: Сопоставим пункты по числу дорог. На схеме: А — 4, Б — 3, В — 2, Г — 3, Д — 4, Е — 3, Ж — 3. В таблице: П1 — 3, П2 — 4, П3 — 2, П4 — 3, П5 — 3, П6 — 3, П7 — 4. Пункты с одинаковым числом дорог различаем по соседям; единственное соответствие даёт для дороги А–Д длину 36 км.\n"
	"\n"
	"id: inf-01-05\n"
	"number: 1\n"
	"topic: Графы\n"
	"text: Схема дорог N-ского района задана списком: дорогами соединены пункты А–Б, А–Г, А–Д, Б–В, Б–Е, В–Е, В–Ж, Д–Е, Д–Ж. В таблице указана протяжённость каждой из этих дорог (в километрах). Таблицу и схему составляли независимо друг от друга, поэтому нумерация пунктов в таблице никак не связана с буквами на схеме.\n"
	"  П1–П7: 13 км\n"
	"  П2–П3: 16 км\n"
	"  П2–П5: 35 км\n"
	"  П2–П6: 30 км\n"
	"  П3–П5: 39 км\n"
	"  П3–П7: 36 км\n"
	"  П4–П5: 20 км\n"
	"  П4–П6: 22 км\n"
	"  П4–П7: 37 км\n"
	"  Определите длину дороги из пункта А в пункт Д. В ответе запишите целое число.\n"
	"answer: 37\n"
	"solution: Сопоставим пункты по числу дорог. На схеме: А — 3, Б — 3, В — 3, Г — 1, Д — 3, Е — 3, Ж — 2. В таблице: П1 — 1, П2 — 3, П3 — 3, П4 — 3, П5 — 3, П6 — 2, П7 — 3. Пункты с одинаковым числом дорог различаем по соседям; единственное соответствие даёт для дороги А–Д длину 37 км.\n"
	"\n"
	"id: inf-06-01\n"
	"number: 6\n"
	"topic: Черепаха\n"
	"text: Исполнитель Черепаха действует на плоскости с декартовой системой координат. В начальный момент Черепаха находится в начале координат, её голова направлена вдоль положительного направления оси ординат, хвост опущен; при опущенном хвосте Черепаха оставляет след в виде линии. Команды: Вперёд n — переместиться на n единиц в направлении головы; Назад n — в противоположном направлении; Направо m и Налево m — повернуться на m градусов по часовой и против часовой стрелки; Поднять хвост и Опустить хвост. Запись Повтори k [Команда1 Команда2 … КомандаS] означает, что последовательность команд повторится k раз. Черепахе был дан для исполнения следующий алгоритм:\n"
	"  Повтори 4 [Вперёд 9 Направо 90]\n"
	"  Определите, сколько точек с целочисленными координатами будут находиться внутри области, ограниченной линией, заданной данным алгоритмом. Точки на линии учитывать не следует.\n"
	"answer: 64\n"
	"solution: Черепаха рисует квадрат 9 × 9 с вершинами (0; 0) и (9; 9). Внутри, не на сторонах, лежат точки с x и y от 1 до 8: 8·8 = 64.\n"
	"\n"
	"id: inf-06-02\n"
	"number: 6\n"
	"topic: Черепаха\n"
	"text: Исполнитель Черепаха действует на плоскости с декартовой системой координат. В начальный момент Черепаха находится в начале координат, её голова направлена вдоль положительного направления оси ординат, хвост опущен; при опущенном хвосте Черепаха оставляет след в виде линии. Команды: Вперёд n — переместиться на n единиц в направлении головы; Назад n — в противоположном направлении; Направо m и Налево m — повернуться на m градусов по часовой и против часовой стрелки; Поднять хвост и Опустить хвост. Запись Повтори k [Команда1 Команда2 … КомандаS] означает, что последовательность команд повторится k раз. Черепахе был дан для исполнения следующий алгоритм:\n"
	"  Повтори 2 [Вперёд 12 Направо 90 Вперёд 7 Направо 90]\n"
	"  Определите, сколько точек с целочисленными координатами будут находиться внутри области, ограниченной линией, заданной данным алгоритмом. Точки на линии учитывать следует.\n"
	"answer: 104\n"
	"solution: Черепаха рисует прямоугольник: x от 0 до 7, y от 0 до 12. С учётом границы x принимает 8 значений, y — 13: 8·13 = 104.\n"
	"\n"
	"id: inf-06-03\n"
	"number: 6\n"
	"topic: Черепаха\n"
	"text: Исполнитель Черепаха действует на плоскости с декартовой системой координат. В начальный момент Черепаха находится в начале координат, её голова направлена вдоль положительного направления оси ординат, хвост опущен; при опущенном хвосте Черепаха оставляет след в виде линии. Команды: Вперёд n — переместиться на n единиц в направлении головы; Назад n — в противоположном направлении; Направо m и Налево m — повернуться на m градусов по часовой и против часовой стрелки; Поднять хвост и Опустить хвост. Запись Повтори k [Команда1 Команда2 … КомандаS] означает, что последовательность команд повторится k раз. Черепахе был дан для исполнения следующий алгоритм:\n"
	"  Повтори 7 [Вперёд 12 Направо 120]\n"
	"  Определите, сколько точек с целочисленными координатами будут находиться внутри области, ограниченной линией, заданной данным алгоритмом. Точки на линии учитывать не следует.\n"
	"answer: 56\n"
	"solution: Фигура — равносторонний треугольник со стороной 12 (повторы сверх трёх идут по тем же сторонам), вершины (0; 0), (0; 12) и (6√3; 6) ≈ (10,39; 6). При x = 1…10 внутри лежат y, для которых x/√3 < y < 12 − x/√3; подсчёт по столбцам даёт 56.\n"
	"\n"
	"id: inf-06-04\n"
	"number: 6\n"
	"topic: Черепаха\n"
	"text: Исполнитель Черепаха действует на плоскости с декартовой системой координат. В начальный момент Черепаха находится в начале координат, её голова направлена вдоль положительного направления оси ординат, хвост опущен; при опущенном хвосте Черепаха оставляет след в виде линии. Команды: Вперёд n — переместиться на n единиц в направлении головы; Назад n — в противоположном направлении; Направо m и Налево m — повернуться на m градусов по часовой и против часовой стрелки; Поднять хвост и Опустить хвост. Запись Повтори k [Команда1 Команда2 … КомандаS] означает, что последовательность команд повторится k раз. Черепахе был дан для исполнения следующий алгоритм:\n"
	"  Вперёд 10 Направо 90 Вперёд 4 Направо 90 Вперёд 6 Налево 90 Вперёд 6 Направо 90 Вперёд 4 Направо 90 Вперёд 10\n"
	"  Определите, сколько точек с целочисленными координатами будут находиться внутри области, ограниченной линией, заданной данным алгоритмом. Точки на линии учитывать не следует.\n"
	"answer: 45\n"
	"solution: Черепаха рисует фигуру в форме буквы L: прямоугольник x от 0 до 10, y от 0 до 4 и прямоугольник x от 0 до 4, y от 4 до 10. Внутренние точки: при y = 1…3 — x = 1…9 (27 точек), при y = 4 — x = 1…3 (3 точки), при y = 5…9 — x = 1…3 (15 точек). Итого 45.\n"
	"\n"
	"id: inf-06-05\n"
	"number: 6\n"
	"topic: Черепаха\n"
	"text: Исполнитель Черепаха действует на плоскости с декартовой системой координат. В начальный момент Черепаха находится в начале координат, её голова направлена вдоль положительного направления оси ординат, хвост опущен; при опущенном хвосте Черепаха оставляет след в виде линии. Команды: Вперёд n — переместиться на n единиц в направлении головы; Назад n — в противоположном направлении; Направо m и Налево m — повернуться на m градусов по часовой и против часовой стрелки; Поднять хвост и Опустить хвост. Запись Повтори k [Команда1 Команда2 … КомандаS] означает, что последовательность команд повторится k раз. Черепахе был дан для исполнения следующий алгоритм:\n"
	"  Повтори 2 [Вперёд 8 Направо 90 Вперёд 14 Направо 90] Поднять хвост Вперёд 3 Направо 90 Вперёд 5 Налево 90 Опустить хвост Повтори 2 [Вперёд 10 Направо 90 Вперёд 6 Направо 90]\n"
	"  Определите, сколько точек с целочисленными координатами будут находиться внутри пересечения областей, ограниченных линиями, заданными данным алгоритмом. Точки на линии учитывать следует.\n"
	"answer: 42\n"
	"solution: Первый прямоугольник: x от 0 до 14, y от 0 до 8. Затем Черепаха без следа переходит в (5; 3) и рисует второй: x от 5 до 11, y от 3 до 13. Пересечение: x от 5 до 11 (7 значений), y от 3 до 8 (6 значений): 7·6 = 42.\n"
	"\n"
	"id: inf-19-01\n"
	"number: 19\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить два камня или увеличить количество камней в куче в два раза. Игра завершается, когда количество камней в куче становится не менее 21. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 20. Известно, что Ваня выиграл своим первым ходом после неудачного первого хода Пети. Укажите минимальное значение S, при котором такая ситуация возможна.\n"
	"answer: 6\n"
	"solution: Ваня выигрывает первым ходом, если после хода Пети он может сразу довести кучу до 21 или больше. Перебирая S по возрастанию, ищем первое S, из которого у Пети есть ход в такую позицию, не заканчивающий игру: S = 6.\n"
	"\n"
	"id: inf-20-01\n"
	"number: 20\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить два камня или увеличить количество камней в куче в два раза. Игра завершается, когда количество камней в куче становится не менее 21. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 20. Найдите два наименьших значения S, при которых у Пети есть выигрышная стратегия, причём одновременно выполняются два условия: Петя не может выиграть за один ход; Петя может выиграть своим вторым ходом независимо от того, как будет ходить Ваня. Найденные значения запишите в ответе в порядке возрастания.\n"
	"answer: 5 8\n"
	"order: digits\n"
	"solution: Проигрышные позиции первого уровня — те, из которых любой ход даёт сопернику выигрыш одним ходом. Петя выигрывает вторым ходом, если из начальной позиции не выигрывает сразу, но может поставить Ваню в такую позицию. Наименьшие такие S: 5 и 8.\n"
	"\n"
	"id: inf-21-01\n"
	"number: 21\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить два камня или увеличить количество камней в куче в два раза. Игра завершается, когда количество камней в куче становится не менее 21. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 20. Найдите минимальное значение S, при котором одновременно выполняются два условия: у Вани есть выигрышная стратегия, позволяющая ему выиграть первым или вторым ходом при любой игре Пети; у Вани нет стратегии, которая позволит ему гарантированно выиграть первым ходом.\n"
	"answer: 7\n"
	"solution: Нужна позиция, из которой любой ход Пети ведёт в позицию, где Ваня выигрывает первым или вторым ходом, причём хотя бы один ход — в позицию, где Ваня выигрывает только вторым ходом. Наименьшее такое S = 7.\n"
	"\n"
	"id: inf-19-02\n"
	"number: 19\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить три камня или увеличить количество камней в куче в два раза. Игра завершается, когда количество камней в куче становится не менее 35. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 34. Известно, что Ваня выиграл своим первым ходом после неудачного первого хода Пети. Укажите минимальное значение S, при котором такая ситуация возможна.\n"
	"answer: 9\n"
	"solution: Ваня выигрывает первым ходом, если после хода Пети он может сразу довести кучу до 35 или больше. Перебирая S по возрастанию, ищем первое S, из которого у Пети есть ход в такую позицию, не заканчивающий игру: S = 9.\n"
	"\n"
	"id: inf-20-02\n"
	"number: 20\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить три камня или увеличить количество камней в куче в два раза. Игра завершается, когда количество камней в куче становится не менее 35. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 34. Найдите два наименьших значения S, при которых у Пети есть выигрышная стратегия, причём одновременно выполняются два условия: Петя не может выиграть за один ход; Петя может выиграть своим вторым ходом независимо от того, как будет ходить Ваня. Найденные значения запишите в ответе в порядке возрастания.\n"
	"answer: 14 16\n"
	"order: digits\n"
	"solution: Проигрышные позиции первого уровня — те, из которых любой ход даёт сопернику выигрыш одним ходом. Петя выигрывает вторым ходом, если из начальной позиции не выигрывает сразу, но может поставить Ваню в такую позицию. Наименьшие такие S: 14 и 16.\n"
	"\n"
	"id: inf-21-02\n"
	"number: 21\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу один камень, добавить три камня или увеличить количество камней в куче в два раза. Игра завершается, когда количество камней в куче становится не менее 35. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 34. Найдите минимальное значение S, при котором одновременно выполняются два условия: у Вани есть выигрышная стратегия, позволяющая ему выиграть первым или вторым ходом при любой игре Пети; у Вани нет стратегии, которая позволит ему гарантированно выиграть первым ходом.\n"
	"answer: 13\n"
	"solution: Нужна позиция, из которой любой ход Пети ведёт в позицию, где Ваня выигрывает первым или вторым ходом, причём хотя бы один ход — в позицию, где Ваня выигрывает только вторым ходом. Наименьшее такое S = 13.\n"
	"\n"
	"id: inf-19-03\n"
	"number: 19\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу два камня, добавить три камня или увеличить количество камней в куче в три раза. Игра завершается, когда количество камней в куче становится не менее 50. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 49. Известно, что Ваня выиграл своим первым ходом после неудачного первого хода Пети. Укажите минимальное значение S, при котором такая ситуация возможна.\n"
	"answer: 6\n"
	"solution: Ваня выигрывает первым ходом, если после хода Пети он может сразу довести кучу до 50 или больше. Перебирая S по возрастанию, ищем первое S, из которого у Пети есть ход в такую позицию, не заканчивающий игру: S = 6.\n"
	"\n"
	"id: inf-20-03\n"
	"number: 20\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу два камня, добавить три камня или увеличить количество камней в куче в три раза. Игра завершается, когда количество камней в куче становится не менее 50. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 49. Найдите два наименьших значения S, при которых у Пети есть выигрышная стратегия, причём одновременно выполняются два условия: Петя не может выиграть за один ход; Петя может выиграть своим вторым ходом независимо от того, как будет ходить Ваня. Найденные значения запишите в ответе в порядке возрастания.\n"
	"answer: 5 12\n"
	"order: digits\n"
	"solution: Проигрышные позиции первого уровня — те, из которых любой ход даёт сопернику выигрыш одним ходом. Петя выигрывает вторым ходом, если из начальной позиции не выигрывает сразу, но может поставить Ваню в такую позицию. Наименьшие такие S: 5 и 12.\n"
	"\n"
	"id: inf-21-03\n"
	"number: 21\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежит куча камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в кучу два камня, добавить три камня или увеличить количество камней в куче в три раза. Игра завершается, когда количество камней в куче становится не менее 50. Победителем считается игрок, сделавший последний ход. В начальный момент в куче было S камней, 1 ≤ S ≤ 49. Найдите минимальное значение S, при котором одновременно выполняются два условия: у Вани есть выигрышная стратегия, позволяющая ему выиграть первым или вторым ходом при любой игре Пети; у Вани нет стратегии, которая позволит ему гарантированно выиграть первым ходом.\n"
	"answer: 10\n"
	"solution: Нужна позиция, из которой любой ход Пети ведёт в позицию, где Ваня выигрывает первым или вторым ходом, причём хотя бы один ход — в позицию, где Ваня выигрывает только вторым ходом. Наименьшее такое S = 10.\n"
	"\n"
	"id: inf-19-04\n"
	"number: 19\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежат две кучи камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в одну из куч два камня или увеличить количество камней в одной из куч в три раза. Игра завершается, когда суммарное количество камней в кучах становится не менее 54. Победителем считается игрок, сделавший последний ход. В начальный момент в первой куче было 5 камней, во второй — S камней, 1 ≤ S ≤ 48. Известно, что Ваня выиграл своим первым ходом после неудачного первого хода Пети. Укажите минимальное значение S, при котором такая ситуация возможна.\n"
	"answer: 6\n"
	"solution: Ваня выигрывает первым ходом, если после хода Пети он может сразу довести сумму до 54 или больше. Перебирая S по возрастанию, ищем первое S, из которого у Пети есть ход в такую позицию, не заканчивающий игру: S = 6.\n"
	"\n"
	"id: inf-20-04\n"
	"number: 20\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежат две кучи камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в одну из куч два камня или увеличить количество камней в одной из куч в три раза. Игра завершается, когда суммарное количество камней в кучах становится не менее 54. Победителем считается игрок, сделавший последний ход. В начальный момент в первой куче было 5 камней, во второй — S камней, 1 ≤ S ≤ 48. Найдите два наименьших значения S, при которых у Пети есть выигрышная стратегия, причём одновременно выполняются два условия: Петя не может выиграть за один ход; Петя может выиграть своим вторым ходом независимо от того, как будет ходить Ваня. Найденные значения запишите в ответе в порядке возрастания.\n"
	"answer: 7 8\n"
	"order: digits\n"
	"solution: Проигрышные позиции первого уровня — те, из которых любой ход даёт сопернику выигрыш одним ходом. Петя выигрывает вторым ходом, если из начальной позиции не выигрывает сразу, но может поставить Ваню в такую позицию. Наименьшие такие S: 7 и 8.\n"
	"\n"
	"id: inf-21-04\n"
	"number: 21\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежат две кучи камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в одну из куч два камня или увеличить количество камней в одной из куч в три раза. Игра завершается, когда суммарное количество камней в кучах становится не менее 54. Победителем считается игрок, сделавший последний ход. В начальный момент в первой куче было 5 камней, во второй — S камней, 1 ≤ S ≤ 48. Найдите минимальное значение S, при котором одновременно выполняются два условия: у Вани есть выигрышная стратегия, позволяющая ему выиграть первым или вторым ходом при любой игре Пети; у Вани нет стратегии, которая позволит ему гарантированно выиграть первым ходом.\n"
	"answer: 5\n"
	"solution: Нужна позиция, из которой любой ход Пети ведёт в позицию, где Ваня выигрывает первым или вторым ходом, причём хотя бы один ход — в позицию, где Ваня выигрывает только вторым ходом. Наименьшее такое S = 5.\n"
	"\n"
	"id: inf-19-05\n"
	"number: 19\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежат две кучи камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в одну из куч один камень или увеличить количество камней в одной из куч в два раза. Игра завершается, когда суммарное количество камней в кучах становится не менее 81. Победителем считается игрок, сделавший последний ход. В начальный момент в первой куче было 10 камней, во второй — S камней, 1 ≤ S ≤ 70. Известно, что Ваня выиграл своим первым ходом после неудачного первого хода Пети. Укажите минимальное значение S, при котором такая ситуация возможна.\n"
	"answer: 18\n"
	"solution: Ваня выигрывает первым ходом, если после хода Пети он может сразу довести сумму до 81 или больше. Перебирая S по возрастанию, ищем первое S, из которого у Пети есть ход в такую позицию, не заканчивающий игру: S = 18.\n"
	"\n"
	"id: inf-20-05\n"
	"number: 20\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежат две кучи камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в одну из куч один камень или увеличить количество камней в одной из куч в два раза. Игра завершается, когда суммарное количество камней в кучах становится не менее 81. Победителем считается игрок, сделавший последний ход. В начальный момент в первой куче было 10 камней, во второй — S камней, 1 ≤ S ≤ 70. Найдите два наименьших значения S, при которых у Пети есть выигрышная стратегия, причём одновременно выполняются два условия: Петя не может выиграть за один ход; Петя может выиграть своим вторым ходом независимо от того, как будет ходить Ваня. Найденные значения запишите в ответе в порядке возрастания.\n"
	"answer: 30 34\n"
	"order: digits\n"
	"solution: Проигрышные позиции первого уровня — те, из которых любой ход даёт сопернику выигрыш одним ходом. Петя выигрывает вторым ходом, если из начальной позиции не выигрывает сразу, но может поставить Ваню в такую позицию. Наименьшие такие S: 30 и 34.\n"
	"\n"
	"id: inf-21-05\n"
	"number: 21\n"
	"topic: Теория игр\n"
	"text: Два игрока, Петя и Ваня, играют в следующую игру. Перед игроками лежат две кучи камней. Игроки ходят по очереди, первый ход делает Петя. За один ход игрок может добавить в одну из куч один камень или увеличить количество камней в одной из куч в два раза. Игра завершается, когда суммарное количество камней в кучах становится не менее 81. Победителем считается игрок, сделавший последний ход. В начальный момент в первой куче было 10 камней, во второй — S камней, 1 ≤ S ≤ 70. Найдите минимальное значение S, при котором одновременно выполняются два условия: у Вани есть выигрышная стратегия, позволяющая ему выиграть первым или вторым ходом при любой игре Пети; у Вани нет стратегии, которая позволит ему гарантированно выиграть первым ходом.\n"
	"answer: 29\n"
	"solution: Нужна позиция, из которой любой ход Пети ведёт в позицию, где Ваня выигрывает первым или вторым ходом, причём хотя бы один ход — в позицию, где Ваня выигрывает только вторым ходом. Наименьшее такое S = 29.\n"
	"\n"
	"id: inf-02-01\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Логическая функция F задаётся выражением (x ∧ ¬y) ∨ z. Дан фрагмент таблицы истинности функции F, содержащий неповторяющиеся строки; значения переменных даны по столбцам 1, 2, 3, последним указано значение F.\n"
	"  строка 1: 0, 0, 0; F = 0\n"
	"  строка 2: 0, 0, 1; F = 0\n"
	"  строка 3: 1, 0, 1; F = 1\n"
	"  Определите, какому столбцу таблицы соответствует каждая из переменных x, y, z. В ответе напишите буквы x, y, z в том порядке, в котором идут соответствующие им столбцы.\n"
	"answer: zxy\n"
	"solution: Строка 2: единица в столбце 3 — не z (было бы F = 1) и не x (тогда x = 1, y = 0, F = 1), значит столбец 3 — y. Строка 3: y = 1, F = 1 только при z = 1, значит z — столбец 1, x — столбец 2.\n"
	"\n"
	"id: inf-02-02\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Сколько существует наборов значений переменных x, y, z, w, при которых выражение (x → y) ∧ (z ∨ w) равно 1?\n"
	"answer: 9\n"
	"solution: x → y истинно на 3 наборах из 4 (ложно только при x = 1, y = 0), z ∨ w — тоже на 3 из 4. Переменные независимы: 3·3 = 9.\n"
	"\n"
	"id: inf-02-03\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Сколько существует наборов значений переменных x, y, z, при которых выражение (x ≡ y) → z равно 0?\n"
	"answer: 2\n"
	"solution: Импликация ложна, только когда посылка истинна, а следствие ложно: x = y и z = 0. Таких наборов два: 000 и 110.\n"
	"\n"
	"id: inf-04-01\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: Для кодирования букв А, Б, В, Г используют двоичный код, удовлетворяющий условию Фано. Коды букв А, Б, В — 0, 11, 101. Какова наименьшая возможная длина кода буквы Г?\n"
	"answer: 3\n"
	"solution: Код Г не может начинаться с 0, 11, 101 и не может быть началом этих кодов (1, 10). Остаётся 100: длина 3.\n"
	"\n"
	"id: inf-04-02\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: По каналу связи передаются буквы А, Б, В, Г, Д двоичным кодом, удовлетворяющим условию Фано. Для А, Б, В используются коды 00, 01, 10. Найдите наименьшую возможную суммарную длину кодов букв Г и Д.\n"
	"answer: 6\n"
	"solution: Свободны только слова, начинающиеся с 11. Само 11 взять нельзя — для второй буквы не останется слова. Берём 110 и 111: 3 + 3 = 6.\n"
	"\n"
	"id: inf-04-03\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: Буквы закодированы так: А — 0, Б — 10, В — 110, Г — 111. Раскодируйте сообщение 1100100111 и запишите получившееся слово.\n"
	"answer: ВАБАГ\n"
	"solution: Код удовлетворяет условию Фано, поэтому читаем слева однозначно: 110 | 0 | 10 | 0 | 111 — ВАБАГ.\n"
	"\n"
	"id: inf-05-01\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: Алгоритм получает натуральное N, строит его двоичную запись, дописывает к ней справа 1, а затем слева ещё одну 1. Полученная запись — двоичная запись числа R. Укажите наименьшее N, при котором R > 100.\n"
	"answer: 18\n"
	"solution: Для N из k двоичных цифр R = 2^(k+1) + 2N + 1. Пятизначные N (16–31) дают R = 65 + 2N > 100 при N ≥ 18; N = 17 даёт 99, меньшие N — ещё меньше.\n"
	"\n"
	"id: inf-05-02\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: На вход подаётся трёхзначное число N. Складываются первая и вторая цифры, затем вторая и третья. Две суммы записываются друг за другом в порядке невозрастания (без разделителей). Укажите наименьшее N, для которого результат равен 1511.\n"
	"answer: 296\n"
	"solution: Суммы 15 и 11. Чтобы N было меньше, первая сумма (a + b) должна быть 11, а вторая (b + c) 15; при c ≤ 9 b ≥ 6, a = 11 − b минимально при b = 9: a = 2, c = 6. N = 296.\n"
	"\n"
	"id: inf-05-03\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: Алгоритм строит двоичную запись натурального N и дописывает справа две последние цифры этой записи в том же порядке. Получается число R. Чему равно R при N = 13? Ответ запишите в десятичной системе.\n"
	"answer: 53\n"
	"solution: 13 = 1101₂, две последние цифры 01: R = 110101₂ = 53.\n"
	"\n"
	"id: inf-07-01\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Производится одноканальная (моно) звукозапись с частотой дискретизации 16 кГц и глубиной кодирования 16 бит. Запись длится 2 минуты, сжатие не используется. Сколько Кбайт занимает файл? Служебные данные не учитывать.\n"
	"answer: 3750\n"
	"solution: 16000·2 байта·120 с = 3 840 000 байт = 3750 Кбайт (1 Кбайт = 1024 байта).\n"
	"\n"
	"id: inf-07-02\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Сколько Кбайт занимает несжатый рисунок размером 640 × 480 пикселей с палитрой из 256 цветов?\n"
	"answer: 300\n"
	"solution: 256 = 2⁸, на пиксель 1 байт: 640·480 = 307 200 байт = 300 Кбайт.\n"
	"\n"
	"id: inf-07-03\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Несжатое изображение с палитрой из 2²⁴ цветов перекодировали в палитру из 256 цветов, не меняя размера. Во сколько раз уменьшился объём файла?\n"
	"answer: 3\n"
	"solution: Было 24 бита на пиксель, стало 8: 24 : 8 = 3.\n"
	"\n"
	"id: inf-08-01\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Составляют шестибуквенные слова из букв М, А, Р, Т (буквы могут повторяться, слово — любая последовательность букв). Сколько слов, в которых буква А встречается ровно один раз?\n"
	"answer: 1458\n"
	"solution: Место для А — 6 способов, на остальных 5 местах — любая из трёх других букв: 6·3⁵ = 1458.\n"
	"\n"
	"id: inf-08-02\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Сколько существует трёхзначных чисел в пятеричной системе счисления, все цифры которых различны?\n"
	"answer: 48\n"
	"solution: Первая цифра — 1…4 (4 способа), вторая — любая из оставшихся четырёх, третья — из трёх: 4·4·3 = 48.\n"
	"\n"
	"id: inf-08-03\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Все четырёхбуквенные слова из букв К, Л, М, Н (буквы могут повторяться) записаны в алфавитном порядке и пронумерованы с 1. Какое слово стоит под номером 27?\n"
	"answer: КЛММ\n"
	"solution: Слово под номером n — это n − 1 в четверичной системе при К = 0, Л = 1, М = 2, Н = 3: 26 = 0122₄ — КЛММ.\n"
	"\n"
	"id: inf-11-01\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Автомобильный номер состоит из 8 символов: 18 букв или 10 цифр. Каждый символ кодируется минимальным одинаковым числом бит, номер — минимальным целым числом байт. Сколько байт займут 60 номеров?\n"
	"answer: 300\n"
	"solution: Символов 28 → 5 бит (2⁵ = 32). 8·5 = 40 бит = 5 байт, 60·5 = 300 байт.\n"
	"\n"
	"id: inf-11-02\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Для 25 паролей отведено 500 байт. Пароль содержит 32 символа, каждый символ кодируется одинаковым минимальным числом бит, пароль — целым числом байт. Какова наибольшая мощность алфавита паролей?\n"
	"answer: 32\n"
	"solution: На пароль 500 : 25 = 20 байт = 160 бит, на символ 160 : 32 = 5 бит, значит символов не больше 2⁵ = 32.\n"
	"\n"
	"id: inf-11-03\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Пароль — 11 символов из алфавита в 7 символов; символ кодируется минимальным одинаковым числом бит, пароль — минимальным целым числом байт. Для каждого пользователя хранятся пароль и ещё 10 байт. Сколько байт нужно для 30 пользователей?\n"
	"answer: 450\n"
	"solution: 7 символов → 3 бита, 11·3 = 33 бита → 5 байт. На пользователя 5 + 10 = 15 байт, 30·15 = 450.\n"
	"\n"
	"id: inf-12-01\n"
	"number: 12\n"
	"topic: Исполнитель Редактор\n"
	"text: Редактор получает строку из 80 цифр 8 и выполняет программу:\n"
	"  ПОКА нашлось (888) ИЛИ нашлось (333)\n"
	"    ЕСЛИ нашлось (888) ТО заменить (888, 3)\n"
	"    ИНАЧЕ заменить (333, 8)\n"
	"    КОНЕЦ ЕСЛИ\n"
	"  КОНЕЦ ПОКА\n"
	"  Команда «заменить» меняет первое слева вхождение. Какая строка получится?\n"
	"answer: 3388\n"
	"solution: Сначала 80 = 26·3 + 2: 26 троек и 88. Дальше трижды 333 → 8 и затем 888 → 3: троек становится на 8 меньше: 26 → 18 → 10 → 2. Итог 3388 — в нём нет ни 888, ни 333.\n"
	"\n"
	"id: inf-12-02\n"
	"number: 12\n"
	"topic: Исполнитель Редактор\n"
	"text: Редактор получает строку из цифры 1 и 80 нулей после неё (1000…0) и выполняет программу:\n"
	"  ПОКА нашлось (10)\n"
	"    заменить (10, 001)\n"
	"  КОНЕЦ ПОКА\n"
	"  Сколько нулей будет в получившейся строке?\n"
	"answer: 160\n"
	"solution: Каждая замена сдвигает единицу на одну позицию вправо и добавляет один ноль. Единица дойдёт до конца за 80 замен: нулей 80 + 80 = 160.\n"
	"\n"
	"id: inf-12-03\n"
	"number: 12\n"
	"topic: Исполнитель Редактор\n"
	"text: Редактор получает строку из цифры 2 и 50 единиц после неё и выполняет программу:\n"
	"  ПОКА нашлось (21) ИЛИ нашлось (11)\n"
	"    ЕСЛИ нашлось (21) ТО заменить (21, 12)\n"
	"    ИНАЧЕ заменить (11, 2)\n"
	"    КОНЕЦ ЕСЛИ\n"
	"  КОНЕЦ ПОКА\n"
	"  Найдите сумму цифр получившейся строки.\n"
	"answer: 52\n"
	"solution: Обе замены не меняют сумму цифр (2 + 1 = 1 + 2, 1 + 1 = 2), а программа конечна, так как строка не удлиняется и двойки уходят вправо. Сумма 2 + 50 = 52.\n"
	"\n"
	"id: inf-12-04\n"
	"number: 12\n"
	"topic: Исполнитель Редактор\n"
	"text: Редактор получает строку из цифры 1 и 40 двоек после неё и выполняет программу:\n"
	"  ПОКА нашлось (12) ИЛИ нашлось (222)\n"
	"    ЕСЛИ нашлось (12) ТО заменить (12, 21)\n"
	"    ИНАЧЕ заменить (222, 1)\n"
	"    КОНЕЦ ЕСЛИ\n"
	"  КОНЕЦ ПОКА\n"
	"  Сколько единиц будет в получившейся строке?\n"
	"answer: 14\n"
	"solution: Единица уходит в конец (12 → 21). Затем каждая тройка 222 даёт единицу, которая тоже уходит в конец: 40 = 13·3 + 1, остаются одна двойка и 1 + 13 = 14 единиц.\n"
	"\n"
	"id: inf-13-01\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Узел имеет IP-адрес 10.14.200.77 и маску 255.255.240.0. Чему равен третий слева байт адреса сети?\n"
	"answer: 192\n"
	"solution: Адрес сети — поразрядное И: 200 = 11001000₂, 240 = 11110000₂, 200 AND 240 = 11000000₂ = 192.\n"
	"\n"
	"id: inf-13-02\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Сколько всего IP-адресов (включая адрес сети и широковещательный) в сети с маской 255.255.252.0?\n"
	"answer: 1024\n"
	"solution: 252 = 11111100₂, нулей в маске 2 + 8 = 10: 2¹⁰ = 1024 адреса.\n"
	"\n"
	"id: inf-13-03\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Узлы с IP-адресами 172.16.45.9 и 172.16.45.70 находятся в одной сети. Какое наибольшее количество единиц может быть в маске этой сети?\n"
	"answer: 25\n"
	"solution: 9 = 00001001₂, 70 = 01000110₂: первые три байта совпадают, в четвёртом совпадает только старший бит. Общая часть адресов — 24 + 1 = 25 бит.\n"
	"\n"
	"id: inf-14-01\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: Сколько нулей в двоичной записи числа 255·2¹⁰ + 7?\n"
	"answer: 7\n"
	"solution: 255·2¹⁰ = 11111111 и 10 нулей; +7 заменяет три последних нуля единицами: 111111110000000111₂ — нулей 7.\n"
	"\n"
	"id: inf-14-02\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: В системе счисления с некоторым основанием число 75 (десятичное) записывается как 113. Найдите это основание.\n"
	"answer: 8\n"
	"solution: b² + b + 3 = 75, b² + b − 72 = 0, b = 8 (113₈ = 64 + 8 + 3 = 75).\n"
	"\n"
	"id: inf-15-01\n"
	"number: 15\n"
	"topic: Логические выражения\n"
	"text: Обозначим через ДЕЛ(n, m) утверждение «натуральное число n делится без остатка на натуральное число m». Найдите наибольшее натуральное A, при котором формула (ДЕЛ(x, 12) ∨ ДЕЛ(x, 18)) → ДЕЛ(x, A) тождественно истинна (при любом натуральном x).\n"
	"answer: 6\n"
	"solution: A должно делить и 12, и 18 (при x = 12 и x = 18), то есть A | НОД(12, 18) = 6; A = 6 подходит: все кратные 12 и 18 делятся на 6.\n"
	"\n"
	"id: inf-15-02\n"
	"number: 15\n"
	"topic: Логические выражения\n"
	"text: Обозначим через m & n поразрядную конъюнкцию неотрицательных целых m и n. Найдите наименьшее неотрицательное целое A, при котором формула (x & 29 ≠ 0) → ((x & 12 = 0) → (x & A ≠ 0)) тождественно истинна.\n"
	"answer: 17\n"
	"solution: Формула ложна при x с единицами из 29 = 11101₂, но без единиц из 12 = 01100₂ и из A. Такие x имеют единицы только в битах 10001₂ = 17, значит A должно содержать биты 17: наименьшее A = 17.\n"
	"\n"
	"id: inf-15-03\n"
	"number: 15\n"
	"topic: Логические выражения\n"
	"text: На числовой прямой даны отрезки P = [10, 30] и Q = [20, 40]. Какова наименьшая длина отрезка A, при котором формула (x ∈ P) → ((x ∈ Q) ∨ (x ∈ A)) тождественно истинна?\n"
	"answer: 10\n"
	"solution: A должен покрыть точки P, не лежащие в Q, — промежуток [10, 20). Наименьший такой отрезок — [10, 20], длина 10.\n"
	"\n"
	"id: inf-15-04\n"
	"number: 15\n"
	"topic: Логические выражения\n"
	"text: Найдите наименьшее натуральное A, при котором выражение (2x + 3y ≠ 60) ∨ (A > x) ∨ (A > y) истинно при любых целых неотрицательных x и y.\n"
	"answer: 13\n"
	"solution: Выражение ложно, если 2x + 3y = 60 и x ≥ A, y ≥ A. Решения: (0, 20), (3, 18), (6, 16), (9, 14), (12, 12), (15, 10), … Наибольшее min(x, y) = 12, значит A = 13.\n"
	"\n"
	"id: inf-16-01\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: F(n) = n при n < 3; F(n) = F(n − 1) + 2·F(n − 2) при n ≥ 3. Найдите F(10).\n"
	"answer: 512\n"
	"solution: F(1) = 1, F(2) = 2, F(3) = 4, F(4) = 8, … — каждый раз удвоение (2ⁿ⁻¹ = 2ⁿ⁻² + 2·2ⁿ⁻³): F(10) = 2⁹ = 512.\n"
	"\n"
	"id: inf-16-02\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: Процедура F(n): если n > 0, то печатает n, затем вызывает F(n − 3), затем F(n div 2) (div — целочисленное деление). Найдите сумму чисел, напечатанных при вызове F(9).\n"
	"answer: 31\n"
	"solution: F(1) печатает 1; F(2): 2, 1 (сумма 3); F(3): 3, 1 (4); F(4): 4, 1, 2, 1 (8); F(6): 6 + F(3) + F(3) = 14. F(9) = 9 + F(6) + F(4) = 9 + 14 + 8 = 31.\n"
	"\n"
	"id: inf-16-03\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: F(n) = n при n ≥ 2025; F(n) = n + F(n + 2) при n < 2025. Найдите F(2020) − F(2023).\n"
	"answer: 4044\n"
	"solution: F(2020) = 2020 + 2022 + 2024 + 2026 = 8092, F(2023) = 2023 + 2025 = 4048. Разность 4044.\n"
	"\n"
	"id: inf-23-01\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет две команды: 1) прибавить 1; 2) прибавить 3. Сколько существует программ, которые преобразуют число 3 в число 15?\n"
	"answer: 60\n"
	"solution: K(n) = K(n − 1) + K(n − 3), K(3) = 1, а для чисел меньше 3 — 0: 1, 1, 1, 2, 3, 4, 6, 9, 13, 19, 28, 41, 60.\n"
	"\n"
	"id: inf-23-02\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет две команды: 1) прибавить 1; 2) умножить на 2. Сколько существует программ, которые преобразуют число 2 в число 20 и траектория которых не содержит числа 11?\n"
	"answer: 23\n"
	"solution: K(n) = K(n − 1) + K(n/2) (для чётных n), K(2) = 1, K(11) = 0: 1, 1, 2, 2, 3, 3, 5, 5, 7, 0, 3, 3, 6, 6, 11, 11, 16, 16, 23 для n = 2…20.\n"
	"\n"
	"id: inf-23-03\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет две команды: 1) прибавить 2; 2) умножить на 3. Сколько существует программ, которые преобразуют число 1 в число 27?\n"
	"answer: 12\n"
	"solution: Из нечётного числа обе команды дают нечётное. K(n) = K(n − 2) + K(n/3): K(1) = 1, K(3) = 2, K(5) = 2, K(7) = 2, K(9) = 4, …, K(27) = K(25) + K(9) = 8 + 4 = 12.\n"
	"\n"
	"id: inf-25-01\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Напишите программу, которая перебирает целые числа, большие 200 000, в порядке возрастания и ищет первое число, у которого ровно три различных натуральных делителя. В ответе запишите через пробел это число и его наибольший делитель, отличный от самого числа.\n"
	"answer: 201601 449\n"
	"order: digits\n"
	"solution: Ровно три делителя (1, p, p²) имеет только квадрат простого числа p. √200000 ≈ 447,2; ближайшее простое 449: 449² = 201601, делитель 449.\n"
	"\n"
	"id: inf-25-02\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Маска числа: символ «?» — ровно одна любая цифра, «*» — любая последовательность цифр, в том числе пустая. Найдите все натуральные числа, не превышающие 10⁶, которые соответствуют маске 3?7*1 и делятся на 741. В ответе запишите через пробел такое число и частное от его деления на 741.\n"
	"answer: 37791 51\n"
	"order: digits\n"
	"solution: Перебираем кратные 741 до 10⁶ и проверяем запись по маске (регулярное выражение ^3\\d7\\d*1$). Подходит единственное: 37791 = 741·51.\n"
	"\n"
	"id: inf-25-03\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Маска: «?» — ровно одна цифра, «*» — любая последовательность цифр (возможно, пустая). Среди чисел, не превышающих 10⁶, найдите соответствующие маске 4*5?8 и кратные 317. Запишите через пробел наименьшее такое число и количество таких чисел.\n"
	"answer: 416538 4\n"
	"order: digits\n"
	"solution: Перебор кратных 317 и проверка маски: подходят 416538, 435558, 454578, 473598 — наименьшее 416538, всего 4.\n"
	"\n"
	"id: inf-25-04\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Найдите первое целое число, большее 300 000, у которого ровно два различных натуральных делителя, не считая единицы и самого числа. Запишите через пробел это число и наибольший из этих двух делителей.\n"
	"answer: 300002 150001\n"
	"order: digits\n"
	"solution: Перебираем делители до √n (каждый d даёт и n/d). 300001 не подходит; 300002 = 2·150001, где 150001 — простое: делители 2 и 150001.\n"
	"\n"
	"id: inf-02-04\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Логическая функция F задаётся выражением (x → y) ∧ (y ∨ z). Дан фрагмент таблицы истинности функции F, содержащий неповторяющиеся строки; значения переменных даны по столбцам 1, 2, 3, последним указано значение F.\n"
	"  строка 1: 0, 0, 0; F = 0\n"
	"  строка 2: 0, 1, 0; F = 1\n"
	"  строка 3: 1, 1, 0; F = 0\n"
	"  Определите, какому столбцу таблицы соответствует каждая из переменных x, y, z. В ответе напишите буквы x, y, z в том порядке, в котором идут соответствующие им столбцы.\n"
	"answer: xzy\n"
	"solution: Строка 3: если столбец 3 — z или x, то x → y и y ∨ z истинны и F = 1; значит, столбец 3 — y, и F = 0 даёт x = 1 в одном из первых столбцов. Строка 2: F = 1 требует y ∨ z, а y = 0 — значит, z = 1 во втором столбце. Ответ xzy.\n"
	"\n"
	"id: inf-02-05\n"
	"number: 2\n"
	"topic: Логика\n"
	"text: Сколько существует наборов значений переменных x, y, z, w, v, при которых выражение (x ∨ y) ∧ (z ∨ w ∨ v) равно 1?\n"
	"answer: 21\n"
	"solution: x ∨ y истинно на 3 наборах из 4, z ∨ w ∨ v — на 7 из 8 (ложно только при всех нулях). Переменные независимы: 3·7 = 21.\n"
	"\n"
	"id: inf-04-04\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: Для букв А, Б, В, Г, Д, Е используют двоичный код, удовлетворяющий условию Фано. Коды букв А, Б, В, Г — 00, 010, 011, 101. Найдите наименьшую возможную суммарную длину кодов букв Д и Е.\n"
	"answer: 5\n"
	"solution: Слова 0… и 10 (начало 101) заняты. Свободны 11 и 100: они не начала друг друга и не начала занятых кодов. 2 + 3 = 5; короче нельзя — свободных слов длины 2, кроме 11, нет.\n"
	"\n"
	"id: inf-04-05\n"
	"number: 4\n"
	"topic: Кодирование\n"
	"text: Буквы закодированы так: А — 01, Б — 1, В — 001, Г — 000. Раскодируйте сообщение 0100110001 и запишите получившееся слово.\n"
	"answer: АВБГБ\n"
	"solution: Код удовлетворяет условию Фано, читаем слева: 01 | 001 | 1 | 000 | 1 — АВБГБ.\n"
	"\n"
	"id: inf-05-04\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: Алгоритм строит троичную запись натурального N и дописывает к ней справа остаток от деления суммы её цифр на 3. Полученная запись — троичная запись числа R. Укажите наименьшее N, при котором R > 80.\n"
	"answer: 27\n"
	"solution: R = 3N + r, r ≤ 2. При N = 26 = 222₃ сумма цифр 6, r = 0, R = 78. При N = 27 = 1000₃ r = 1, R = 82 > 80.\n"
	"\n"
	"id: inf-05-05\n"
	"number: 5\n"
	"topic: Алгоритмы\n"
	"text: Алгоритм строит двоичную запись натурального N и заменяет в ней каждую цифру противоположной (0 на 1, 1 на 0); ведущие нули отбрасываются. Получается двоичная запись числа R. Чему равно R при N = 83?\n"
	"answer: 44\n"
	"solution: 83 = 1010011₂ → 0101100₂ = 44.\n"
	"\n"
	"id: inf-07-04\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Стереозапись (два канала) с глубиной кодирования 16 бит длится 30 секунд и занимает без сжатия 2812,5 Кбайт. С какой частотой дискретизации (в кГц) она сделана?\n"
	"answer: 24\n"
	"solution: 2812,5·1024 = 2 880 000 байт. На секунду 2 880 000 : 30 = 96 000 байт, на отсчёт 2 канала·2 байта = 4 байта: 24 000 Гц = 24 кГц.\n"
	"\n"
	"id: inf-07-05\n"
	"number: 7\n"
	"topic: Изображения\n"
	"text: Несжатое изображение 800 × 600 пикселей занимает 468,75 Кбайт. Какое наибольшее число цветов может быть в его палитре?\n"
	"answer: 256\n"
	"solution: 468,75·1024·8 = 3 840 000 бит на 480 000 пикселей — 8 бит на пиксель, 2⁸ = 256 цветов.\n"
	"\n"
	"id: inf-08-04\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Составляют пятибуквенные слова из букв П, А, Р, К (слово — любая последовательность букв). Буква А встречается в слове не более одного раза и не стоит на первом месте. Сколько таких слов?\n"
	"answer: 567\n"
	"solution: Без А: 3⁵ = 243. С одной А не на первом месте: 4 места·3⁴ = 324. Всего 567.\n"
	"\n"
	"id: inf-08-05\n"
	"number: 8\n"
	"topic: Комбинаторика\n"
	"text: Сколько существует четырёхзначных чисел в шестнадцатеричной системе счисления, все цифры которых нечётны и различны?\n"
	"answer: 1680\n"
	"solution: Нечётных цифр восемь: 1, 3, 5, 7, 9, B, D, F (ноль среди них нет, так что первая цифра любая): 8·7·6·5 = 1680.\n"
	"\n"
	"id: inf-11-04\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Пропуск содержит код из 9 символов, алфавит — 22 символа. Символ кодируется минимальным одинаковым числом бит, код — минимальным целым числом байт; кроме кода, на сотрудника хранится 6 байт. Сколько байт нужно для 80 сотрудников?\n"
	"answer: 960\n"
	"solution: 22 символа → 5 бит, 9·5 = 45 бит → 6 байт. На сотрудника 6 + 6 = 12 байт, 80·12 = 960.\n"
	"\n"
	"id: inf-11-05\n"
	"number: 11\n"
	"topic: Количество информации\n"
	"text: Для 40 пользователей отведено 600 байт. На пользователя хранится пароль из 14 символов (символ — одинаковое минимальное число бит, пароль — минимальное целое число байт) и 5 байт дополнительных сведений. Какова наибольшая мощность алфавита паролей?\n"
	"answer: 32\n"
	"solution: На пользователя 15 байт, на пароль 10 байт = 80 бит. 5 бит на символ: 70 бит → 9 байт — помещается; 6 бит: 84 бита → 11 байт — нет. Значит, 2⁵ = 32 символа.\n"
	"\n"
	"id: inf-12-05\n"
	"number: 12\n"
	"topic: Исполнитель Редактор\n"
	"text: Редактор получает строку из цифры 5 и 60 двоек после неё и выполняет программу:\n"
	"  ПОКА нашлось (52) ИЛИ нашлось (2222)\n"
	"    ЕСЛИ нашлось (52) ТО заменить (52, 25)\n"
	"    ИНАЧЕ заменить (2222, 5)\n"
	"    КОНЕЦ ЕСЛИ\n"
	"  КОНЕЦ ПОКА\n"
	"  Сколько цифр 5 будет в получившейся строке?\n"
	"answer: 16\n"
	"solution: Пятёрка сначала уходит в конец. Затем каждые четыре двойки становятся пятёркой, которая тоже уходит вправо: 60 = 15·4, двоек не остаётся. Пятёрок 1 + 15 = 16.\n"
	"\n"
	"id: inf-13-04\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Сколько всего IP-адресов (включая адрес сети и широковещательный) в сети с адресом 192.168.32.0 и маской 255.255.224.0?\n"
	"answer: 8192\n"
	"solution: 224 = 11100000₂: нулей в маске 5 + 8 = 13, адресов 2¹³ = 8192.\n"
	"\n"
	"id: inf-13-05\n"
	"number: 13\n"
	"topic: IP-адреса\n"
	"text: Узел с IP-адресом 134.77.145.201 находится в сети с адресом 134.77.144.0. Каково наименьшее возможное значение третьего слева байта маски?\n"
	"answer: 240\n"
	"solution: 145 = 10010001₂, 144 = 10010000₂. Единицы маски идут подряд: 224 = 11100000₂ даёт 145 AND 224 = 128, а 240 = 11110000₂ — уже 144 (как и 248, 252, 254; 255 даёт 145). Наименьшее 240.\n"
	"\n"
	"id: inf-14-03\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: Сколько единиц в двоичной записи числа 8¹⁰ − 2⁵?\n"
	"answer: 25\n"
	"solution: 8¹⁰ = 2³⁰, а 2³⁰ − 2⁵ — единицы в разрядах с 5-го по 29-й: 25 единиц.\n"
	"\n"
	"id: inf-14-04\n"
	"number: 14\n"
	"topic: Системы счисления\n"
	"text: Найдите сумму цифр записи десятичного числа 200 в семеричной системе счисления.\n"
	"answer: 8\n"
	"solution: 200 = 4·49 + 0·7 + 4 = 404₇, сумма цифр 8.\n"
	"\n"
	"id: inf-15-05\n"
	"number: 15\n"
	"topic: Логические выражения\n"
	"text: Обозначим через ДЕЛ(n, m) утверждение «натуральное число n делится без остатка на натуральное число m». Найдите наибольшее натуральное A, при котором формула ¬ДЕЛ(x, A) → (ДЕЛ(x, 6) → ¬ДЕЛ(x, 4)) тождественно истинна.\n"
	"answer: 12\n"
	"solution: Формула равносильна (ДЕЛ(x, 6) ∧ ДЕЛ(x, 4)) → ДЕЛ(x, A): каждое кратное 12 делится на A. При x = 12 A | 12, наибольшее A = 12.\n"
	"\n"
	"id: inf-16-04\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: F(0) = 1; F(n) = F(n − 1) + n² при n > 0. Найдите F(10).\n"
	"answer: 386\n"
	"solution: F(10) = 1 + (1² + 2² + … + 10²) = 1 + 385 = 386.\n"
	"\n"
	"id: inf-16-05\n"
	"number: 16\n"
	"topic: Рекурсия\n"
	"text: F(n) = n при n < 10; F(n) = F(n div 2) + F(n − 10) + 1 при n ≥ 10 (div — целочисленное деление). Найдите F(40).\n"
	"answer: 41\n"
	"solution: F(10) = F(5) + F(0) + 1 = 6, F(20) = F(10) + F(10) + 1 = 13, F(15) = F(7) + F(5) + 1 = 13, F(30) = F(15) + F(20) + 1 = 27, F(40) = F(20) + F(30) + 1 = 41.\n"
	"\n"
	"id: inf-23-04\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет три команды: 1) прибавить 1; 2) умножить на 2; 3) умножить на 3. Сколько существует программ, которые преобразуют число 1 в число 18?\n"
	"answer: 96\n"
	"solution: K(n) = K(n − 1) + K(n/2) + K(n/3) (слагаемые — когда n делится), K(1) = 1: K(2) = 2, K(3) = 3, K(4) = 5, K(5) = 5, K(6) = 10, …, K(9) = 18, …, K(17) = 68, K(18) = 68 + 18 + 10 = 96.\n"
	"\n"
	"id: inf-23-05\n"
	"number: 23\n"
	"topic: Количество программ\n"
	"text: Исполнитель имеет две команды: 1) прибавить 1; 2) прибавить 2. Сколько существует программ, которые преобразуют число 1 в число 12, траектория которых содержит число 6 и не содержит числа 9?\n"
	"answer: 32\n"
	"solution: Из 1 в 6: числа Фибоначчи, 8 программ. Из 6 в 12 в обход 9: K(6) = 1, K(7) = 1, K(8) = 2, K(9) = 0, K(10) = 2, K(11) = 2, K(12) = 4. Итого 8·4 = 32.\n"
	"\n"
	"id: inf-25-05\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Найдите первое целое число, большее 600 000, у которого ровно четыре натуральных делителя, не считая единицы и самого числа, и все они нечётные. Запишите через пробел это число и наибольший из этих делителей.\n"
	"answer: 600025 120005\n"
	"order: digits\n"
	"solution: Перебираем числа по возрастанию, делители ищем до √n парами (d, n/d). 600025 = 5²·24001: делители 5, 25, 24001, 120005 — четыре, все нечётные.\n"
	"\n"
	"id: inf-25-06\n"
	"number: 25\n"
	"topic: Делители\n"
	"text: Маска: «?» — ровно одна цифра, «*» — любая последовательность цифр (возможно, пустая). Среди чисел, не превышающих 10⁶, найдите соответствующие маске 1?34* и кратные 159. Запишите через пробел наименьшее такое число и количество таких чисел.\n"
	"answer: 133401 6\n"
	"order: digits\n"
	"solution: Перебор кратных 159 до 10⁶ и проверка записи по маске: 133401 = 159·839 — наименьшее, всего таких чисел 6.\n"
	"\n"
	"subject: rus\n"
	"title: Русский язык\n"
	"\n"
	"id: rus-01\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) звонИт\n"
	"  2) тОрты\n"
	"  3) кухОнный\n"
	"  4) красИвее\n"
	"  5) жАлюзи\n"
	"answer: 124\n"
	"order: any\n"
	"solution: Верно: звонИт, тОрты, красИвее. Правильно кУхонный, жалюзИ.\n"
	"\n"
	"id: rus-02\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) катАлог\n"
	"  2) щавЕль\n"
	"  3) бАловать\n"
	"  4) договОр\n"
	"  5) портфЕль\n"
	"answer: 245\n"
	"order: any\n"
	"solution: Верно: щавЕль, договОр, портфЕль. Правильно каталОг, баловАть.\n"
	"\n"
	"id: rus-03\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) облегчИт\n"
	"  2) слИвовый\n"
	"  3) бАнты\n"
	"  4) Оптовый\n"
	"  5) углубИт\n"
	"answer: 135\n"
	"order: any\n"
	"solution: Верно: облегчИт, бАнты, углубИт. Правильно сливОвый, оптОвый.\n"
	"\n"
	"id: rus-04\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) дОнизу\n"
	"  2) понЯла\n"
	"  3) квартАл\n"
	"  4) ждАла\n"
	"  5) прИнял\n"
	"answer: 135\n"
	"order: any\n"
	"solution: Верно: дОнизу, квартАл, прИнял. Правильно понялА, ждалА.\n"
	"\n"
	"id: rus-05\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) з..ря, оз..рение, з..рево\n"
	"  2) к..сание, прик..снуться, к..саться\n"
	"  3) выр..сти, р..стение, пор..сль\n"
	"  4) г..рение, заг..релый, выг..рание\n"
	"  5) пл..вец, пл..вучий, пл..вник\n"
	"answer: 14\n"
	"order: any\n"
	"solution: 1) заря, озарение, зарево — корень -зар-/-зор-: без ударения пишется А. 4) горение, загорелый, выгорание — корень -гор-/-гар-: без ударения пишется О. 2) касание, касаться (-кас- перед суффиксом -а-), но прикоснуться (-кос-); 3) вырасти, растение (-раст- перед СТ), но поросль (-рос- без СТ); 5) пловец — исключение с О, но плавучий, плавник.\n"
	"\n"
	"id: rus-06\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) изл..жение, прил..гательное, пол..жить\n"
	"  2) ск..чок, выск..чка, ск..кать\n"
	"  3) р..внина, ср..внение, нар..вне\n"
	"  4) зам..реть, выт..реть, зап..реть\n"
	"  5) соб..рать, выж..гать, бл..стать\n"
	"answer: 345\n"
	"order: any\n"
	"solution: 3) равнина (исключение), сравнение, наравне — корень -равн- в значении «равный» пишется с А. 4) замереть, вытереть, запереть — в корнях с чередованием Е/И пишется Е, если после корня нет суффикса -а-. 5) собирать, выжигать, блистать — И перед суффиксом -а-. 1) изложение (перед Ж — О), но прилагательное (перед Г — А); 2) скачок (исключение), скакать — А, но выскочка (перед Ч — О).\n"
	"\n"
	"id: rus-07\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) выр..сли, водор..сли, р..сток\n"
	"  2) пол..жить, изл..гать, сл..гаемое\n"
	"  3) бл..стательный, зап..рать, заст..лать\n"
	"  4) обм..кнуть (кисть в краску), пром..кашка, нам..кнуть\n"
	"  5) г..рение, заг..реть, уг..р\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) выросли (-рос- без СТ), водоросли, росток (исключения) — О. 3) блистательный, запирать, застилать — И перед суффиксом -а-. 2) положить (перед Ж — О), но излагать, слагаемое (перед Г — А); 4) обмакнуть (-мак- = окунать), но промокашка, намокнуть (-мок- = пропускать жидкость); 5) горение, загореть (без ударения -гор-), но угар (под ударением).\n"
	"\n"
	"id: rus-08\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) прик..сновение, к..снуться, к..сающийся\n"
	"  2) изл..жение, предл..жить, сл..жение\n"
	"  3) з..мирать, ум..реть, выж..гать\n"
	"  4) оз..рение, з..рница, з..ря\n"
	"  5) выб..рающий, соб..ру, зад..рать\n"
	"answer: 24\n"
	"order: any\n"
	"solution: 2) изложение, предложить, сложение — корень -лаг-/-лож-: перед Ж пишется О. 4) озарение, зарница, заря — корень -зар-/-зор-: без ударения А. 1) прикосновение, коснуться (-кос- без суффикса -а-), но касающийся (-кас- + -а-); 3) замирать, выжигать (И перед -а-), но умереть (Е); 5) выбирающий, задирать (И перед -а-), но соберу (Е).\n"
	"\n"
	"id: rus-09\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) бе..вкусный, ра..жечь, и..гнать\n"
	"  2) пр..небречь, пр..вокзальный, пр..морский\n"
	"  3) о..бить, по..писать, на..строить\n"
	"  4) без..нициативный, раз..скать, пред..стория\n"
	"  5) об..грать, сверх..зысканный, меж..нститутский\n"
	"answer: 14\n"
	"order: any\n"
	"solution: 1) безвкусный, разжечь, изгнать — З перед звонкой. 4) безынициативный, разыскать, предыстория — Ы после приставки на согласный. 2) пренебречь, но привокзальный; 3) отбить, подписать; 5) обыграть, но сверхизысканный.\n"
	"\n"
	"id: rus-10\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) пр..образовать, пр..красный, пр..увеличить\n"
	"  2) ..делать, ..жечь, ..бить\n"
	"  3) по..ход, о..зыв, на..пись\n"
	"  4) и..сушить, ра..чётливый, во..ход\n"
	"  5) пр..школьный, пр..открыть, пр..вилегия\n"
	"answer: 1245\n"
	"order: any\n"
	"solution: 1) Е (пре- = пере-, очень). 2) С — приставка с- неизменна. 4) С перед глухой. 5) И (близость, неполнота действия; привилегия — словарное). 3) подход, но отзыв.\n"
	"\n"
	"id: rus-11\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) пр..открыть, пр..брежный, пр..клеить\n"
	"  2) пр..вышать, пр..старелый, пр..бывать (в город)\n"
	"  3) без..дейный, с..грать, сверх..нтересный\n"
	"  4) ра..бросать, ра..считать, и..править\n"
	"  5) пр..бавить, пр..сесть, пр..вокзальный\n"
	"answer: 15\n"
	"order: any\n"
	"solution: Приставка ПРИ- означает приближение, присоединение, близость, неполноту действия; ПРЕ- — «очень» или «пере-». 1) приоткрыть (неполнота), прибрежный (близость), приклеить (присоединение). 5) прибавить, присесть, привокзальный — И. 2) превышать, престарелый (Е), но прибывать (И); 3) безыдейный, сыграть (Ы после приставки на согласный), но сверхинтересный (после сверх- И сохраняется); 4) разбросать (З перед звонким), но рассчитать, исправить (С перед глухим).\n"
	"\n"
	"id: rus-12\n"
	"number: 11\n"
	"topic: Суффиксы\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) задумч..вый, обидч..вый, доверч..вый\n"
	"  2) ключ..к, замоч..к, орешн..к\n"
	"  3) груш..вый, ситц..вый, ландыш..вый\n"
	"  4) завед..вать, наслед..вать, расспраш..вать\n"
	"  5) милост..вый, нищ..та, мил..вать\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) задумчивый, обидчивый, доверчивый — суффикс -чив- пишется с И. 3) грушевый, ситцевый, ландышевый — после шипящих и Ц в безударном суффиксе -ев- пишется Е. 2) ключик, орешник (-ик-, -ник-: гласная сохраняется при склонении), но замочек (-ек-: выпадает); 4) заведовать, наследовать (-ова-: заведую), но расспрашивать (-ива-: расспрашиваю); 5) милостивый (-ив-), нищета (-ет-), миловать (-ова-).\n"
	"\n"
	"id: rus-13\n"
	"number: 11\n"
	"topic: Суффиксы\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) заканч..вать, разгляд..вать, накапл..вать\n"
	"  2) проповед..вать, исповед..вать, команд..вать\n"
	"  3) нож..вка, ситц..вый, кумач..вый\n"
	"  4) замоч..к, листоч..к, кусоч..к\n"
	"  5) завистл..вый, милост..вый, уклонч..вый\n"
	"answer: 245\n"
	"order: any\n"
	"solution: 2) проповедовать, исповедовать, командовать — суффикс -ова-, если в 1-м лице -ую (проповедую). 4) замочек, листочек, кусочек — суффикс -ек-: гласная выпадает при склонении (замочка). 5) завистливый, милостивый, уклончивый — суффиксы -лив-, -ив-, -чив- пишутся с И. 1) заканчивать, накапливать (И), но разглядывать (Ы) — суффиксы -ива-/-ыва-; 3) ножовка, кумачовый — под ударением О, но ситцевый — без ударения Е.\n"
	"\n"
	"id: rus-14\n"
	"number: 12\n"
	"topic: Глаголы и причастия\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) вид..мый, завис..шь, стел..шь\n"
	"  2) пен..щийся, кле..щий, та..вший\n"
	"  3) бре..шь, мел..шь, кол..шь\n"
	"  4) услыш..нный, посе..нный, расстрел..нный\n"
	"  5) хлопоч..т, мысл..т, бор..тся\n"
	"answer: 23\n"
	"order: any\n"
	"solution: 2) Я: пениться, клеить — II спряжение; таять — перед -вш- сохраняется я. 3) Е: брить — исключение I спряжения, молоть и колоть — I спряжение. 1) видимый, но стелешь; 4) услышанный, но посеянный; 5) хлопочут, мыслят, борются.\n"
	"\n"
	"id: rus-15\n"
	"number: 12\n"
	"topic: Глаголы и причастия\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) (они) бор..тся, стро..т, кле..т\n"
	"  2) (ты) кол..шь, бре..шь, стел..шь\n"
	"  3) завис..мый, вид..мый, колебл..мый\n"
	"  4) (ты) дыш..шь, смотр..шь, гон..шь\n"
	"  5) та..вший, се..вший, обид..вший\n"
	"answer: 24\n"
	"order: any\n"
	"solution: 2) колешь, бреешь, стелешь — I спряжение (колоть; брить и стелить — исключения), окончание -ешь. 4) дышишь, смотришь, гонишь — глаголы-исключения II спряжения, окончание -ишь. 1) борются (I спряжение), но строят, клеят (II); 3) зависимый, видимый (II спряжение, -им-), но колеблемый (I, -ем-); 5) таявший, сеявший (сохраняется гласная перед -ть), но обидевший.\n"
	"\n"
	"id: rus-16\n"
	"number: 13\n"
	"topic: НЕ с разными частями речи\n"
	"text: Укажите все варианты ответов, в которых НЕ с выделенным словом пишется СЛИТНО. Запишите номера ответов.\n"
	"  1) (НЕ)ВЗИРАЯ на плохую погоду, мы пошли в поход.\n"
	"  2) (НЕ)ЗАКОНЧЕННАЯ вовремя работа лежала на столе.\n"
	"  3) Это был вовсе (НЕ)ИНТЕРЕСНЫЙ фильм.\n"
	"  4) Герой повести умел (НЕ)НАВИДЕТЬ ложь.\n"
	"  5) Он оказался мне (НЕ)ДРУГ, а враг.\n"
	"answer: 14\n"
	"order: any\n"
	"solution: 1) НЕВЗИРАЯ — производный предлог, пишется слитно. 4) НЕНАВИДЕТЬ — без НЕ не употребляется. 2) причастие с зависимым словом («вовремя») — раздельно; 3) «вовсе не» усиливает отрицание — раздельно; 5) есть противопоставление с союзом А — раздельно.\n"
	"\n"
	"id: rus-17\n"
	"number: 13\n"
	"topic: НЕ с разными частями речи\n"
	"text: Укажите все варианты ответов, в которых НЕ с выделенным словом пишется СЛИТНО. Запишите номера ответов.\n"
	"  1) Зрители продолжали (НЕ)ДОУМЕВАТЬ, почему спектакль задерживается.\n"
	"  2) Дом был (НЕ)ВЫСОКИЙ, а низкий, в один этаж.\n"
	"  3) На столе лежала (НЕ)ПРОЧИТАННАЯ мною книга.\n"
	"  4) (НЕ)СМОТРЯ на усталость, мы дошли до вершины.\n"
	"  5) (НЕ)УДАЧА долго преследовала команду.\n"
	"answer: 145\n"
	"order: any\n"
	"solution: 1) НЕДОУМЕВАТЬ — без НЕ не употребляется. 4) НЕСМОТРЯ на — производный предлог, слитно. 5) НЕУДАЧА — существительное, которое можно заменить синонимом без НЕ (провал), противопоставления нет — слитно. 2) противопоставление с союзом А — раздельно; 3) причастие с зависимым словом («мною») — раздельно.\n"
	"\n"
	"id: rus-18\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  Стекля(1)ая ваза стояла на нечище(2)ом полу у окна, заставле(3)ого горшками с глиня(4)ыми фигурками.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: Стеклянная — исключение; заставленного — причастие с приставкой. Нечищеный — не- не делает слово приставочным; глиняный — суффикс -ян-.\n"
	"\n"
	"id: rus-19\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  Серебря(1)ые ложки, начище(2)ые до блеска, лежали на льня(3)ой скатерти рядом с только что испечё(4)ым хлебом.\n"
	"answer: 24\n"
	"order: any\n"
	"solution: Начищенные, испечённым — причастия с приставками. Серебряные, льняной — суффикс -ян-.\n"
	"\n"
	"id: rus-20\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  В гости(1)ой висели карти(2)ые пейзажи в золочё(3)ых рамах, а на полу лежал тка(4)ый ковёр.\n"
	"answer: 2\n"
	"order: any\n"
	"solution: Картинные: корень картин- + суффикс -н-. Гостиная — суффикс -ин-; золочёный и тканый — отглагольные прилагательные без приставки.\n"
	"\n"
	"id: rus-21\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  килограмм ПОМИДОРОВ\n"
	"  пара САПОГ\n"
	"  ЛЯЖЬТЕ на диван\n"
	"  в ДВУХСТАХ метрах\n"
	"  ПОЕЗЖАЙ быстрее\n"
	"answer: лягте\n"
	"solution: Повелительное наклонение глагола ЛЕЧЬ — ЛЯГ, ЛЯГТЕ; форм «ляжь», «ляжьте» в литературном языке нет. Верно: помидоров (родительный падеж множественного числа на -ов), сапог (нулевое окончание), в двухстах (оба корня числительного склоняются), поезжай (повелительное наклонение от «ехать»).\n"
	"\n"
	"id: rus-22\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  с ТЫСЯЧЬЮ рублей\n"
	"  пара ЧУЛОК\n"
	"  в ОБОИХ руках\n"
	"  пять ПОЛОТЕНЕЦ\n"
	"  ПОЕЗЖАЙТЕ медленнее\n"
	"answer: обеих\n"
	"solution: Собирательное числительное ОБА с существительными женского рода имеет формы ОБЕ, ОБЕИХ: в обеих руках. Верно: с тысячью (допустимо и «тысячей»), чулок и полотенец (нулевое окончание в родительном падеже множественного числа), поезжайте.\n"
	"\n"
	"id: rus-23\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  несколько АПЕЛЬСИНОВ\n"
	"  много ДЕЛ\n"
	"  ПЯТЬЮСТАМИ книгами\n"
	"  ПОЛОЖЬ на место\n"
	"  к ДВУМСТАМ рублям\n"
	"answer: положи\n"
	"solution: Повелительное наклонение глагола ПОЛОЖИТЬ — ПОЛОЖИ; форма «положь» просторечная. Верно: апельсинов (-ов в родительном падеже множественного числа), дел, пятьюстами и двумстам (в сложных числительных склоняются обе части).\n"
	"\n"
	"id: rus-24\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Ветер усилился и пошёл снег.\n"
	"  2) Солнце светило ярко но грело слабо.\n"
	"  3) Мы гуляли в парке и катались на лодке.\n"
	"  4) Я читал и книги и журналы.\n"
	"  5) На столе лежали яблоки груши сливы и абрикосы.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: 1) две основы, союз и: «усилился, и пошёл». 2) однородные сказуемые с но. 4) повторяющийся союз: «и книги, и журналы». 3) без запятых; 5) две запятые.\n"
	"\n"
	"id: rus-25\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Лес шумел и качался.\n"
	"  2) Было тихо и только вдали лаяла собака.\n"
	"  3) Он хотел ответить но промолчал.\n"
	"  4) Ни звука ни шороха не было слышно.\n"
	"  5) Днём и ночью шёл снег.\n"
	"answer: 234\n"
	"order: any\n"
	"solution: 2) две основы, союз и: «тихо, и только». 3) однородные сказуемые с но. 4) повторяющийся союз ни: «ни звука, ни шороха». 1) и 5) — одиночный союз и, запятая не нужна.\n"
	"\n"
	"id: rus-05-01\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Новый холодильник оказался ЭКОНОМИЧНЫМ: он расходует вдвое меньше электроэнергии.\n"
	"  2) Бабушка всегда была ЭКОНОМНОЙ хозяйкой и ничего не выбрасывала.\n"
	"  3) Администрация решила ПРЕДОСТАВИТЬ сотрудникам дополнительный выходной.\n"
	"  4) Артист вышел на сцену в ЭФФЕКТИВНОМ костюме, расшитом блёстками.\n"
	"  5) Экономисты обсуждали ЭКОНОМИЧЕСКИЕ последствия реформы.\n"
	"answer: эффектном\n"
	"solution: Ошибка в 4): нужен пароним ЭФФЕКТНЫЙ — производящий сильное впечатление (эффектный костюм); ЭФФЕКТИВНЫЙ — дающий результат (эффективный метод). Верно: экономичный — выгодный в расходе, экономный — бережливый, экономический — относящийся к экономике, предоставить — дать в распоряжение.\n"
	"\n"
	"id: rus-05-02\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Девочка росла СКРЫТНОЙ и никому не рассказывала о своих планах.\n"
	"  2) В старом замке археологи обнаружили СКРЫТЫЙ ход.\n"
	"  3) Туристы поселились в КОМФОРТАБЕЛЬНОМ номере с видом на море.\n"
	"  4) Командир ПРЕДСТАВИЛ солдатам нового сержанта.\n"
	"  5) Мастер славился ИСКУССТВЕННОЙ резьбой по дереву.\n"
	"answer: искусной\n"
	"solution: Ошибка в 5): нужен пароним ИСКУСНЫЙ — сделанный с большим мастерством (искусная резьба); ИСКУССТВЕННЫЙ — созданный человеком, ненатуральный (искусственный мех). Верно: скрытный — не делящийся с другими, скрытый — спрятанный, комфортабельный — благоустроенный, представить — познакомить.\n"
	"\n"
	"id: rus-05-03\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Туристы остановились на ночлег у БОЛОТНОГО берега озера, заросшего осокой.\n"
	"  2) В ДЛИННОМ коридоре горела одна лампа.\n"
	"  3) После ДЛИТЕЛЬНОЙ болезни Саша вернулся в школу.\n"
	"  4) Соседка оказалась ДОВЕРЧИВОЙ и открыла дверь незнакомцу.\n"
	"  5) Директор говорил с выпускниками ДОВЕРИТЕЛЬНЫМ тоном.\n"
	"answer: болотистого\n"
	"solution: Ошибка в 1): нужен пароним БОЛОТИСТЫЙ — изобилующий болотами, топкий (болотистый берег, болотистая местность); БОЛОТНЫЙ — относящийся к болоту, живущий на болоте (болотная птица). Верно: длинный — о протяжённости, длительный — о времени, доверчивый — легко доверяющий, доверительный — основанный на доверии.\n"
	"\n"
	"id: rus-05-04\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Возле старой мельницы медленно вращалось ВОДЯНОЕ колесо.\n"
	"  2) Спортсмены готовились к соревнованиям по ВОДНЫМ видам спорта.\n"
	"  3) На уроке биологии изучали ЖИТЕЙСКИЙ цикл бабочки.\n"
	"  4) Бабушка дала внучке мудрый ЖИТЕЙСКИЙ совет.\n"
	"  5) Перед турниром гимнастки соблюдали ЖЁСТКИЙ режим.\n"
	"answer: жизненный\n"
	"solution: Ошибка в 3): нужен пароним ЖИЗНЕННЫЙ — относящийся к жизни как процессу (жизненный цикл, жизненные силы); ЖИТЕЙСКИЙ — относящийся к повседневной жизни, бытовой (житейский совет). Верно: водяной — приводимый в действие водой, водный — связанный с водой, жёсткий — строгий.\n"
	"\n"
	"id: rus-05-05\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Зрители восхищались ЛИРИЧНЫМ исполнением старинного романса.\n"
	"  2) Поэт посвятил весне ЛИРИЧЕСКОЕ стихотворение.\n"
	"  3) Мастерская выполнила ГАРАНТИЙНЫЙ ремонт телефона.\n"
	"  4) Оля купила ПРАКТИЧЕСКОЕ пальто, которое не мнётся и не пачкается.\n"
	"  5) На уроке химии ученики выполняли ПРАКТИЧЕСКУЮ работу.\n"
	"answer: практичное\n"
	"solution: Ошибка в 4): нужен пароним ПРАКТИЧНЫЙ — удобный, прочный, пригодный в использовании (практичная одежда); ПРАКТИЧЕСКИЙ — связанный с практикой (практическая работа). Верно: лиричный — полный лиризма, лирический — относящийся к лирике, гарантийный — обеспеченный гарантией.\n"
	"\n"
	"id: rus-05-06\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Только НЕВЕЖА может всерьёз утверждать, что Земля плоская.\n"
	"  2) Компания ПРЕДОСТАВИЛА покупателям бесплатную доставку.\n"
	"  3) На ОТБОРОЧНЫЕ соревнования приехали лучшие гимнасты области.\n"
	"  4) Фермер продавал на рынке ОТБОРНЫЙ картофель.\n"
	"  5) Учитель отметил ГУМАННОСТЬ поступка мальчика, спасшего котёнка.\n"
	"answer: невежда\n"
	"solution: Ошибка в 1): нужен пароним НЕВЕЖДА — необразованный, мало знающий человек; НЕВЕЖА — грубый, невоспитанный человек. Верно: предоставить — дать в распоряжение, отборочный — служащий для отбора, отборный — лучший, отобранный, гуманность — человеколюбие.\n"
	"\n"
	"id: rus-05-07\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) После обеда котята стали СЫТНЫМИ и уснули на диване.\n"
	"  2) Дедушка построил ДОБРОТНЫЙ дом, который простоял сто лет.\n"
	"  3) Мама купила АБОНЕМЕНТ в бассейн на весь год.\n"
	"  4) Экскурсовод рассказал о ВЕКОВЫХ традициях города.\n"
	"  5) В этом озере водится ХИЩНАЯ рыба — щука и окунь.\n"
	"answer: сытыми\n"
	"solution: Ошибка в 1): нужен пароним СЫТЫЙ — утоливший голод (сытые котята); СЫТНЫЙ — хорошо насыщающий (сытный обед). Верно: добротный — прочный, хорошего качества, абонемент — документ на право пользования, вековой — существующий века, хищный — питающийся другими животными.\n"
	"\n"
	"id: rus-05-08\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Мальчик ОДЕЛ шапку и выбежал во двор.\n"
	"  2) Поездка на море выдалась УДАЧНОЙ.\n"
	"  3) Дядя слыл УДАЧЛИВЫМ рыбаком.\n"
	"  4) Учитель похвалил ВЕСКИЕ аргументы в сочинении.\n"
	"  5) Из-за ремонта на стадионе ввели ОГРАНИЧЕНИЯ для посетителей.\n"
	"answer: надел\n"
	"solution: Ошибка в 1): нужен пароним НАДЕТЬ — надеть что-либо на себя или на кого-то (надел шапку); ОДЕТЬ — одеть кого-либо (одеть ребёнка). Верно: удачный — успешный, удачливый — которому везёт, веский — убедительный, ограничение — правило, ограничивающее что-либо.\n"
	"\n"
	"id: rus-05-09\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) На двери кабинета висела ИНФОРМАЦИОННАЯ табличка.\n"
	"  2) Доклад получился ИНФОРМАТИВНЫМ: слушатели узнали много нового.\n"
	"  3) В ИГРАЛЬНОЙ комнате детского сада много игрушек.\n"
	"  4) На фестиваль приехали ДИПЛОМАНТЫ прошлых конкурсов.\n"
	"  5) ЗРИТЕЛЬНЫЙ зал был полон.\n"
	"answer: игровой\n"
	"solution: Ошибка в 3): нужен пароним ИГРОВОЙ — предназначенный для игры (игровая комната, игровая площадка); ИГРАЛЬНЫЙ — используемый как предмет игры (игральные карты, игральные кости). Верно: информационный — служащий для сообщения сведений, информативный — содержащий много сведений, дипломант — награждённый дипломом, зрительный — относящийся к зрителям.\n"
	"\n"
	"id: rus-05-10\n"
	"number: 5\n"
	"topic: Паронимы\n"
	"text: В одном из приведённых ниже предложений НЕВЕРНО употреблено выделенное слово. Исправьте лексическую ошибку, подобрав к выделенному слову пароним. Запишите подобранное слово.\n"
	"  1) Врач попросил пациента сделать глубокий ВДОХ.\n"
	"  2) Новый библиотекарь оказался ИСПОЛНИТЕЛЬСКИМ и аккуратным работником.\n"
	"  3) Мы купили билеты в ДРАМАТИЧЕСКИЙ театр.\n"
	"  4) У дороги рос ВЕКОВОЙ дуб.\n"
	"  5) На завтрак дети пили ЦЕЛЬНОЕ молоко.\n"
	"answer: исполнительным\n"
	"solution: Ошибка в 2): нужен пароним ИСПОЛНИТЕЛЬНЫЙ — старательно выполняющий поручения (исполнительный работник); ИСПОЛНИТЕЛЬСКИЙ — относящийся к исполнению произведений (исполнительское мастерство). Верно: вдох — вдыхание воздуха, драматический — относящийся к драме, вековой — очень старый, цельное молоко — необезжиренное.\n"
	"\n"
	"id: rus-06-01\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  В музее нам показали подлинный оригинал картины, который долго хранился в частной коллекции.\n"
	"answer: подлинный\n"
	"solution: Плеоназм — повтор смысла в сочетании слов. Оригинал — это и есть подлинник, поэтому слово «подлинный» лишнее: «показали оригинал картины».\n"
	"\n"
	"id: rus-06-02\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  Уставшие туристы вернулись обратно в лагерь только поздно вечером.\n"
	"answer: обратно\n"
	"solution: Плеоназм: «вернуться» уже значит «прийти обратно», поэтому слово «обратно» лишнее: «вернулись в лагерь».\n"
	"\n"
	"id: rus-06-03\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  В нашей фирме открылась свободная вакансия инженера-проектировщика.\n"
	"answer: свободная\n"
	"solution: Плеоназм: вакансия — это свободная должность, поэтому слово «свободная» лишнее: «открылась вакансия инженера».\n"
	"\n"
	"id: rus-06-04\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  Участники экспедиции впервые познакомились друг с другом на вокзале за час до отправления поезда.\n"
	"answer: впервые\n"
	"solution: Плеоназм: познакомиться можно только один раз, в первый раз, поэтому слово «впервые» лишнее: «познакомились друг с другом на вокзале».\n"
	"\n"
	"id: rus-06-05\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  На прощание коллеги подарили учительнице памятный сувенир с видом нашего города.\n"
	"answer: памятный\n"
	"solution: Плеоназм: сувенир — это подарок на память, поэтому слово «памятный» лишнее: «подарили сувенир».\n"
	"\n"
	"id: rus-06-06\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, заменив неверно употреблённое слово. Запишите подобранное слово, соблюдая нормы современного русского литературного языка.\n"
	"  Тренер сказал, что эта победа играет огромное значение для всей команды.\n"
	"answer: имеет\n"
	"solution: Нарушена лексическая сочетаемость: смешаны обороты «иметь значение» и «играть роль». Правильно: «победа имеет огромное значение».\n"
	"\n"
	"id: rus-06-07\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, заменив неверно употреблённое слово. Запишите подобранное слово, соблюдая нормы современного русского литературного языка.\n"
	"  В финале турнира наша команда неожиданно одержала поражение от соперников из соседней области.\n"
	"answer: потерпела\n"
	"solution: Нарушена лексическая сочетаемость: одерживают победу, а поражение терпят. Правильно: «команда потерпела поражение».\n"
	"\n"
	"id: rus-06-08\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, заменив неверно употреблённое слово. Запишите подобранное слово, соблюдая нормы современного русского литературного языка.\n"
	"  После аварии на водопроводе администрация района немедленно предприняла меры для её устранения.\n"
	"answer: приняла\n"
	"solution: Нарушена лексическая сочетаемость: меры принимают, а предпринимают шаги или попытки. Правильно: «администрация приняла меры».\n"
	"\n"
	"id: rus-06-09\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  Главный лейтмотив повести — любовь героя к родной земле и её людям.\n"
	"answer: главный\n"
	"solution: Плеоназм: лейтмотив — это главная, повторяющаяся мысль произведения, поэтому слово «главный» лишнее: «Лейтмотив повести — любовь…».\n"
	"\n"
	"id: rus-06-10\n"
	"number: 6\n"
	"topic: Лексические нормы\n"
	"text: Отредактируйте предложение: исправьте лексическую ошибку, исключив лишнее слово. Выпишите это слово.\n"
	"  Учёные двух университетов решили совместно сотрудничать при подготовке новой экспедиции.\n"
	"answer: совместно\n"
	"solution: Плеоназм: сотрудничать — значит работать вместе, поэтому слово «совместно» лишнее: «решили сотрудничать».\n"
	"\n"
	"id: rus-08-01\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение в построении предложения с причастным оборотом\n"
	"  Б) нарушение в построении предложения с деепричастным оборотом\n"
	"  В) неправильное употребление падежной формы существительного с предлогом\n"
	"  Г) нарушение связи между подлежащим и сказуемым\n"
	"  Д) ошибка в построении предложения с однородными членами\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Благодаря упорным тренировкам Саша стал чемпионом города.\n"
	"  2) Я люблю и восхищаюсь осенним лесом.\n"
	"  3) Писатель, чьи книги любят дети, приехал в нашу школу.\n"
	"  4) Те, кто хорошо подготовился к экзамену, чувствовали себя уверенно.\n"
	"  5) По окончании уроков мы пошли в библиотеку.\n"
	"  6) Я перечитал письма брата, присланное из армии.\n"
	"  7) Благодаря своего упорства спортсмен добился победы.\n"
	"  8) Все, кто пришли на встречу, получили подарки.\n"
	"  9) Выйдя из дома, нас застал сильный дождь.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 69782\n"
	"order: digits\n"
	"solution: А — 6: причастный оборот согласуется с определяемым словом и не разрывается им; правильно: письма, присланные из армии. Б — 9: действие деепричастия и сказуемого совершает одно лицо — подлежащее; правильно: Когда мы вышли из дома, нас застал дождь. В — 7: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: благодаря своему упорству. Г — 8: сказуемое согласуется с подлежащим в числе (кто, каждый, никто, один — единственное число; многие — множественное); правильно: все, кто пришёл. Д — 2: однородные члены должны одинаково управляться общим словом и быть однотипными, двойной союз ставится перед каждым однородным членом; правильно: люблю осенний лес и восхищаюсь им. Предложения 1, 3, 4, 5 построены верно.\n"
	"\n"
	"id: rus-08-02\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение видо-временной соотнесённости глагольных форм\n"
	"  Б) неправильное построение предложения с несогласованным приложением\n"
	"  В) неправильное построение предложения с косвенной речью\n"
	"  Г) ошибка в построении сложноподчинённого предложения\n"
	"  Д) нарушение в построении предложения с причастным оборотом\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Я подумал о том, что как хорошо летом в деревне.\n"
	"  2) В повести «Капитанской дочке» А. С. Пушкин описывает крестьянское восстание.\n"
	"  3) Когда я вернулся домой, мама готовит ужин.\n"
	"  4) Ребята, вернувшиеся из похода, долго делились впечатлениями.\n"
	"  5) Прочитав статью, я выписал из неё несколько цитат.\n"
	"  6) Журналист спросил у тренера, доволен ли он игрой команды.\n"
	"  7) Прочитанная книга мной вчера оказалась интересной.\n"
	"  8) Брат сказал, что я обязательно приду на твой день рождения.\n"
	"  9) Всё, что рассказал экскурсовод, было очень интересным.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 32817\n"
	"order: digits\n"
	"solution: А — 3: глаголы-сказуемые, обозначающие связанные действия, стоят в одном времени и соотносимом виде; правильно: мама готовила ужин. Б — 2: название в кавычках при родовом слове стоит в начальной форме; правильно: в повести «Капитанская дочка». В — 8: в косвенной речи местоимения и глаголы ставятся от лица передающего речь; правильно: что он обязательно придёт на мой день рождения. Г — 1: в придаточном не дублируют союзы и не повторяют местоимением слово, к которому относится «который»; правильно: о том, как хорошо. Д — 7: причастный оборот согласуется с определяемым словом и не разрывается им; правильно: Прочитанная мной вчера книга. Предложения 4, 5, 6, 9 построены верно.\n"
	"\n"
	"id: rus-08-03\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение в построении предложения с деепричастным оборотом\n"
	"  Б) неправильное употребление падежной формы существительного с предлогом\n"
	"  В) нарушение связи между подлежащим и сказуемым\n"
	"  Г) ошибка в построении предложения с однородными членами\n"
	"  Д) нарушение видо-временной соотнесённости глагольных форм\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Дождь шёл весь день, и мы остались дома.\n"
	"  2) Вернувшись домой, брат сразу сел за уроки.\n"
	"  3) В романе И. С. Тургенева «Отцы и дети» показан конфликт поколений.\n"
	"  4) Прочитав эту повесть, мне захотелось побывать на Севере.\n"
	"  5) Каждый, кто побывал на Байкале, запомнит его навсегда.\n"
	"  6) Отец приходит с работы и сел ужинать.\n"
	"  7) Мы не только посетили музей, но и театр.\n"
	"  8) Каждый из участников получили медаль.\n"
	"  9) Согласно приказа директора, занятия перенесли на субботу.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 49876\n"
	"order: digits\n"
	"solution: А — 4: действие деепричастия и сказуемого совершает одно лицо — подлежащее; правильно: Когда я прочитал эту повесть, мне захотелось…. Б — 9: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: согласно приказу. В — 8: сказуемое согласуется с подлежащим в числе (кто, каждый, никто, один — единственное число; многие — множественное); правильно: каждый получил. Г — 7: однородные члены должны одинаково управляться общим словом и быть однотипными, двойной союз ставится перед каждым однородным членом; правильно: посетили не только музей, но и театр. Д — 6: глаголы-сказуемые, обозначающие связанные действия, стоят в одном времени и соотносимом виде; правильно: пришёл с работы и сел. Предложения 1, 2, 3, 5 построены верно.\n"
	"\n"
	"id: rus-08-04\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение в построении предложения с причастным оборотом\n"
	"  Б) неправильное построение предложения с несогласованным приложением\n"
	"  В) ошибка в построении сложноподчинённого предложения\n"
	"  Г) неправильное употребление падежной формы существительного с предлогом\n"
	"  Д) неправильное построение предложения с косвенной речью\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Мы прочитали статью в газете «Вечерней Москве».\n"
	"  2) Согласно расписанию, поезд прибывает в девять утра.\n"
	"  3) По окончанию школы сестра поступила в университет.\n"
	"  4) Подруга призналась, что я давно мечтаю побывать в Париже.\n"
	"  5) Учитель сказал, что контрольная работа будет в пятницу.\n"
	"  6) Книга, которую я прочитал её вчера, мне очень понравилась.\n"
	"  7) Экспонаты, привезённых из Египта, выставили в главном зале.\n"
	"  8) Собранные школьниками деньги передали в приют для животных.\n"
	"  9) Многие из гостей остались до конца праздника.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 71634\n"
	"order: digits\n"
	"solution: А — 7: причастный оборот согласуется с определяемым словом и не разрывается им; правильно: экспонаты, привезённые. Б — 1: название в кавычках при родовом слове стоит в начальной форме; правильно: в газете «Вечерняя Москва». В — 6: в придаточном не дублируют союзы и не повторяют местоимением слово, к которому относится «который»; правильно: книга, которую я прочитал вчера. Г — 3: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: по окончании школы. Д — 4: в косвенной речи местоимения и глаголы ставятся от лица передающего речь; правильно: что она давно мечтает. Предложения 2, 5, 8, 9 построены верно.\n"
	"\n"
	"id: rus-08-05\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение связи между подлежащим и сказуемым\n"
	"  Б) нарушение в построении предложения с деепричастным оборотом\n"
	"  В) ошибка в построении предложения с однородными членами\n"
	"  Г) нарушение видо-временной соотнесённости глагольных форм\n"
	"  Д) неправильное построение предложения с несогласованным приложением\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Ученики, участвовавшие в олимпиаде, получили грамоты.\n"
	"  2) В стихотворении «Парусе» М. Ю. Лермонтов говорит о мятежной душе.\n"
	"  3) Возвращаясь из школы, мальчику встретилась бездомная собака.\n"
	"  4) Мы любовались закатом и слушали шум прибоя.\n"
	"  5) В походе мы научились ставить палатку и разведению костра.\n"
	"  6) Те, кто читал этот роман, наверняка запомнил его героев.\n"
	"  7) По приезде в город туристы отправились в гостиницу.\n"
	"  8) Весной река разливается и затопила луг.\n"
	"  9) Подойдя к реке, мы увидели лодку у берега.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 63582\n"
	"order: digits\n"
	"solution: А — 6: сказуемое согласуется с подлежащим в числе (кто, каждый, никто, один — единственное число; многие — множественное); правильно: те… запомнили. Б — 3: действие деепричастия и сказуемого совершает одно лицо — подлежащее; правильно: Возвращаясь из школы, мальчик встретил собаку. В — 5: однородные члены должны одинаково управляться общим словом и быть однотипными, двойной союз ставится перед каждым однородным членом; правильно: ставить палатку и разводить костёр. Г — 8: глаголы-сказуемые, обозначающие связанные действия, стоят в одном времени и соотносимом виде; правильно: разлилась и затопила. Д — 2: название в кавычках при родовом слове стоит в начальной форме; правильно: в стихотворении «Парус». Предложения 1, 4, 7, 9 построены верно.\n"
	"\n"
	"id: rus-08-06\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) неправильное употребление падежной формы существительного с предлогом\n"
	"  Б) нарушение в построении предложения с причастным оборотом\n"
	"  В) неправильное построение предложения с косвенной речью\n"
	"  Г) нарушение связи между подлежащим и сказуемым\n"
	"  Д) ошибка в построении сложноподчинённого предложения\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) По прибытии в порт корабль поставили на ремонт.\n"
	"  2) Мы шли по тропинке, ведущую к озеру.\n"
	"  3) Многие из тех, кто побывал в Петербурге, мечтает вернуться туда снова.\n"
	"  4) Картина, написанная молодым художником, получила первую премию.\n"
	"  5) Кто из вас знает дорогу к озеру?\n"
	"  6) Мама сказала, что я испекла вам пирог.\n"
	"  7) Меня интересует вопрос о том, что когда начнутся каникулы.\n"
	"  8) По приезду в лагерь дети отправились обедать.\n"
	"  9) Брат сказал, что придёт домой поздно.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 82637\n"
	"order: digits\n"
	"solution: А — 8: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: по приезде. Б — 2: причастный оборот согласуется с определяемым словом и не разрывается им; правильно: по тропинке, ведущей. В — 6: в косвенной речи местоимения и глаголы ставятся от лица передающего речь; правильно: что она испекла нам пирог. Г — 3: сказуемое согласуется с подлежащим в числе (кто, каждый, никто, один — единственное число; многие — множественное); правильно: многие… мечтают. Д — 7: в придаточном не дублируют союзы и не повторяют местоимением слово, к которому относится «который»; правильно: вопрос о том, когда. Предложения 1, 4, 5, 9 построены верно.\n"
	"\n"
	"id: rus-08-07\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) ошибка в построении предложения с однородными членами\n"
	"  Б) нарушение в построении предложения с деепричастным оборотом\n"
	"  В) нарушение видо-временной соотнесённости глагольных форм\n"
	"  Г) неправильное построение предложения с несогласованным приложением\n"
	"  Д) неправильное употребление падежной формы существительного с предлогом\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Вопреки советов врача дедушка продолжал работать в саду.\n"
	"  2) В поэме «Мёртвых душах» Н. В. Гоголь создал галерею помещиков.\n"
	"  3) Сестра интересуется и пишет о театре.\n"
	"  4) Мальчик долго смотрел на море и вдруг замечает парус.\n"
	"  5) Согласно правилам, в музее нельзя фотографировать со вспышкой.\n"
	"  6) Мы читали о том, как строились первые железные дороги.\n"
	"  7) Прочитанный вчера рассказ произвёл на меня сильное впечатление.\n"
	"  8) Решая задачу, у ученика возникли трудности.\n"
	"  9) Несколько студентов пришли на консультацию заранее.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 38421\n"
	"order: digits\n"
	"solution: А — 3: однородные члены должны одинаково управляться общим словом и быть однотипными, двойной союз ставится перед каждым однородным членом; правильно: интересуется театром и пишет о нём. Б — 8: действие деепричастия и сказуемого совершает одно лицо — подлежащее; правильно: Решая задачу, ученик столкнулся с трудностями. В — 4: глаголы-сказуемые, обозначающие связанные действия, стоят в одном времени и соотносимом виде; правильно: смотрел… и заметил. Г — 2: название в кавычках при родовом слове стоит в начальной форме; правильно: в поэме «Мёртвые души». Д — 1: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: вопреки советам. Предложения 5, 6, 7, 9 построены верно.\n"
	"\n"
	"id: rus-08-08\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение связи между подлежащим и сказуемым\n"
	"  Б) нарушение в построении предложения с причастным оборотом\n"
	"  В) ошибка в построении сложноподчинённого предложения\n"
	"  Г) ошибка в построении предложения с однородными членами\n"
	"  Д) неправильное построение предложения с косвенной речью\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Гости, приглашённые на юбилей, собрались к шести часам.\n"
	"  2) Артём пообещал, что я верну тебе книгу завтра.\n"
	"  3) Никто из нас не знали ответа на этот вопрос.\n"
	"  4) Путешественник рассказал о своих приключениях и что видел много интересного.\n"
	"  5) Посаженные деревья прошлой весной уже дали первые плоды.\n"
	"  6) Мы увидели дом, который его крыша была покрыта черепицей.\n"
	"  7) В рассказе А. П. Чехова «Хамелеон» высмеивается угодливость.\n"
	"  8) Я люблю смотреть на огонь и слушать треск поленьев.\n"
	"  9) Ни один из участников не опоздал.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 35642\n"
	"order: digits\n"
	"solution: А — 3: сказуемое согласуется с подлежащим в числе (кто, каждый, никто, один — единственное число; многие — множественное); правильно: никто не знал. Б — 5: причастный оборот согласуется с определяемым словом и не разрывается им; правильно: Посаженные прошлой весной деревья. В — 6: в придаточном не дублируют союзы и не повторяют местоимением слово, к которому относится «который»; правильно: дом, крыша которого. Г — 4: однородные члены должны одинаково управляться общим словом и быть однотипными, двойной союз ставится перед каждым однородным членом; правильно: рассказал о своих приключениях и о том, что видел. Д — 2: в косвенной речи местоимения и глаголы ставятся от лица передающего речь; правильно: что он вернёт мне книгу. Предложения 1, 7, 8, 9 построены верно.\n"
	"\n"
	"id: rus-08-09\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) нарушение в построении предложения с деепричастным оборотом\n"
	"  Б) неправильное употребление падежной формы существительного с предлогом\n"
	"  В) неправильное построение предложения с несогласованным приложением\n"
	"  Г) нарушение видо-временной соотнесённости глагольных форм\n"
	"  Д) нарушение связи между подлежащим и сказуемым\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Все, кто занимается в хоре, выступят на концерте.\n"
	"  2) Когда стемнело, мы зажгли фонари.\n"
	"  3) Книга, которую мне подарили, оказалась очень интересной.\n"
	"  4) Дети играли во дворе и не замечают, что начался дождь.\n"
	"  5) На выставке «Русском пейзаже» представили сорок картин.\n"
	"  6) Один из студентов сдали экзамен досрочно.\n"
	"  7) Наперекор непогоды рыбаки вышли в море.\n"
	"  8) Увидев друга, Петя помахал ему рукой.\n"
	"  9) Поднявшись на вершину, перед туристами открылся чудесный вид.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 97546\n"
	"order: digits\n"
	"solution: А — 9: действие деепричастия и сказуемого совершает одно лицо — подлежащее; правильно: Когда туристы поднялись на вершину, перед ними открылся вид. Б — 7: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: наперекор непогоде. В — 5: название в кавычках при родовом слове стоит в начальной форме; правильно: на выставке «Русский пейзаж». Г — 4: глаголы-сказуемые, обозначающие связанные действия, стоят в одном времени и соотносимом виде; правильно: играли… и не замечали. Д — 6: сказуемое согласуется с подлежащим в числе (кто, каждый, никто, один — единственное число; многие — множественное); правильно: один сдал. Предложения 1, 2, 3, 8 построены верно.\n"
	"\n"
	"id: rus-08-10\n"
	"number: 8\n"
	"topic: Грамматические нормы\n"
	"text: Установите соответствие между грамматическими ошибками и предложениями, в которых они допущены: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ГРАММАТИЧЕСКИЕ ОШИБКИ\n"
	"  А) ошибка в построении предложения с однородными членами\n"
	"  Б) ошибка в построении сложноподчинённого предложения\n"
	"  В) нарушение в построении предложения с причастным оборотом\n"
	"  Г) неправильное употребление падежной формы существительного с предлогом\n"
	"  Д) нарушение в построении предложения с деепричастным оборотом\n"
	"  ПРЕДЛОЖЕНИЯ\n"
	"  1) Все участники похода, кроме двоих, вернулись вовремя.\n"
	"  2) Согласно плана, строительство моста закончат летом.\n"
	"  3) Закончив работу, нам стало легче.\n"
	"  4) Вопреки прогнозу синоптиков, день выдался солнечным.\n"
	"  5) Картину, нарисованной юным художником, повесили в холле школы.\n"
	"  6) Я не только прочитал книгу, но и посмотрел её экранизацию.\n"
	"  7) Было видно, что как сильно устали туристы.\n"
	"  8) Мы ценим и заботимся о своих друзьях.\n"
	"  9) В журнале «Юный натуралист» напечатали статью о лесных птицах.\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 87523\n"
	"order: digits\n"
	"solution: А — 8: однородные члены должны одинаково управляться общим словом и быть однотипными, двойной союз ставится перед каждым однородным членом; правильно: ценим своих друзей и заботимся о них. Б — 7: в придаточном не дублируют союзы и не повторяют местоимением слово, к которому относится «который»; правильно: было видно, как сильно устали. В — 5: причастный оборот согласуется с определяемым словом и не разрывается им; правильно: картину, нарисованную. Г — 2: предлоги благодаря, согласно, вопреки, наперекор требуют дательного падежа, по окончании, по приезде — предложного; правильно: согласно плану. Д — 3: действие деепричастия и сказуемого совершает одно лицо — подлежащее; правильно: Закончив работу, мы почувствовали облегчение. Предложения 1, 4, 6, 9 построены верно.\n"
	"\n"
	"id: rus-14-01\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (ЧТО)БЫ ни случилось, я (ВСЁ)РАВНО приду на репетицию.\n"
	"  2) Мы приехали (В)НАЧАЛЕ девятого, (ПОТОМУ)ЧТО боялись опоздать.\n"
	"  3) Я (ТОЖЕ) решил записаться в секцию, (ЧТО)БЫ стать сильнее.\n"
	"  4) (ПО)ЭТОМУ мосту ходят редко, (ЗА)ТО по нему часто ездят велосипедисты.\n"
	"  5) (В)ТЕЧЕНИЕ недели стояла жара, (ПО)ЭТОМУ мы купались каждый день.\n"
	"answer: тожечтобы\n"
	"answer: тоже чтобы\n"
	"solution: 3) ТОЖЕ (= также, и я) и союз ЧТОБЫ (цель) пишутся слитно. 1) что бы — местоимение с частицей, всё равно — раздельно; 2) в начале (предлог с существительным, есть зависимое слово), потому что — раздельно; 4) по этому мосту — предлог с местоимением, зато — союз; 5) в течение — производный предлог пишется раздельно, поэтому — слитно.\n"
	"\n"
	"id: rus-14-02\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (ЗА)ЧЕМ ты пришёл так рано и (ПО)ЧЕМУ не позвонил?\n"
	"  2) (В)ВИДУ плохой погоды экскурсию отменили, и мы (ТАК)ЖЕ, как вчера, остались дома.\n"
	"  3) (НА)ВСТРЕЧУ с друзьями я опоздал, (ЗА)ТО принёс торт.\n"
	"  4) (С)НАЧАЛА книги мне стало интересно, (ТАК)ЧТО я читал всю ночь.\n"
	"  5) Он долго смотрел (В)ДАЛЬ и думал о (ТОМ)ЖЕ.\n"
	"answer: зачемпочему\n"
	"answer: зачем почему\n"
	"solution: 1) Наречия ЗАЧЕМ и ПОЧЕМУ пишутся слитно. 2) ввиду — предлог (слитно), так же, как — наречие с частицей (раздельно, есть «как»); 3) на встречу с друзьями — существительное с предлогом, зато — слитно; 4) с начала книги — существительное с предлогом, так что — раздельно; 5) вдаль — слитно, о том же — местоимение с частицей.\n"
	"\n"
	"id: rus-14-03\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) Мальчик (В)ПОСЛЕДСТВИИ стал врачом, (ЧТО)БЫ помогать людям.\n"
	"  2) Мы говорили о (ТОМ), что (В)СЛЕДСТВИЕ засухи урожай оказался плохим.\n"
	"  3) Брат сделал (ТО)ЖЕ, что и я, (ПО)ТОМУ что не знал другого способа.\n"
	"  4) (ПО)ВЕСЕННЕМУ ярко светило солнце, и (ВО)ВРЕМЯ прогулки мы загорели.\n"
	"  5) (В)ТЕЧЕНИИ реки было много омутов, (ПО)ЭТОМУ ловить рыбу было трудно.\n"
	"answer: впоследствиичтобы\n"
	"answer: впоследствии чтобы\n"
	"solution: 1) Наречие ВПОСЛЕДСТВИИ (= потом) и союз ЧТОБЫ пишутся слитно. 2) о том — раздельно; 3) то же, что и — раздельно, потому что — раздельно; 4) по-весеннему — через дефис, во время прогулки — предлог раздельно; 5) в течении реки — существительное с предлогом (раздельно), поэтому — слитно.\n"
	"\n"
	"id: rus-14-04\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (ИЗ)ЗА тучи выглянуло солнце, и (В)ДРУГ стало тепло.\n"
	"  2) Мы (ТАК)ЖЕ пошли в музей, (ЧТО)БЫ посмотреть новую выставку.\n"
	"  3) (НА)ВЕРХУ горы лежал снег, (ЗА)ТО внизу цвели сады.\n"
	"  4) (ПО)ЭТОЙ дороге (В)ПЕРВЫЕ проехал автобус.\n"
	"  5) (ПОЛ)АПЕЛЬСИНА я отдал сестре, а (ПОЛ)ЯБЛОКА — брату.\n"
	"answer: такжечтобы\n"
	"answer: также чтобы\n"
	"solution: 2) Союз ТАКЖЕ (= тоже) и союз ЧТОБЫ пишутся слитно. 1) из-за — через дефис; 3) на верху горы — существительное с предлогом и зависимым словом; 4) по этой — раздельно; 5) пол- перед гласной и перед Л пишется через дефис: пол-апельсина, пол-яблока.\n"
	"\n"
	"id: rus-14-05\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (В)НАЧАЛЕ мы растерялись, но (ПО)ТОМ быстро освоились.\n"
	"  2) (ВО)ВРЕМЯ урока (В)ДРУГ погас свет.\n"
	"  3) (С)ВЕРХУ донёсся шум, и мы (ТАК)И не уснули.\n"
	"  4) (В)ТЕЧЕНИЕ дня мы (НЕ)РАЗ останавливались отдохнуть.\n"
	"  5) (ЗА)ТО время, пока мы гуляли, (ПОЛ)ГОРОДА засыпало снегом.\n"
	"answer: вначалепотом\n"
	"answer: вначале потом\n"
	"solution: 1) Наречия ВНАЧАЛЕ (= сначала) и ПОТОМ пишутся слитно. 2) во время — предлог (раздельно); 3) так и — раздельно; 4) в течение, не раз — раздельно; 5) за то время — местоимение с предлогом (раздельно), полгорода — слитно.\n"
	"\n"
	"id: rus-14-06\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) Туристы шли (ПО)ДВОЕ, (ЧТО)БЫ не потеряться в толпе.\n"
	"  2) (НА)ВСТРЕЧУ нам ехал автобус, и мы (ЕЛЕ)ЕЛЕ успели отойти.\n"
	"  3) (ОТ)ТОГО, что ты молчишь, (НИ)ЧЕГО не изменится.\n"
	"  4) Он (НИ)КОГДА не опаздывал, (ПО)ЭТОМУ его уважали.\n"
	"  5) (В)ВИДУ опоздания нас посадили (В)КОНЦЕ зала.\n"
	"answer: никогдапоэтому\n"
	"answer: никогда поэтому\n"
	"solution: 4) Наречия НИКОГДА и ПОЭТОМУ пишутся слитно. 1) по двое — раздельно; 2) еле-еле — повтор через дефис; 3) от того, что — местоимение с предлогом (раздельно); 5) в конце зала — существительное с предлогом (раздельно).\n"
	"\n"
	"id: rus-14-07\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (ЗА)ТЕМ поворотом начинается лес, (ПО)ЭТОМУ мы и свернули.\n"
	"  2) Он (ВСЁ)ТАКИ решил ехать, (ХОТЯ)БЫ на один день.\n"
	"  3) (ЗА)ТО, что ты помог, я благодарен тебе (ОТ)ВСЕЙ души.\n"
	"  4) Мы шли (В)ПЕРЁД, (НЕ)СМОТРЯ на усталость.\n"
	"  5) (В)ДВОЁМ мы справились (ПО)НАСТОЯЩЕМУ быстро.\n"
	"answer: вперёднесмотря\n"
	"answer: вперёд несмотря\n"
	"solution: 4) Наречие ВПЕРЁД и предлог НЕСМОТРЯ (на) пишутся слитно. 1) за тем поворотом — местоимение с предлогом; 2) всё-таки — через дефис, хотя бы — раздельно; 3) за то, от всей — раздельно; 5) по-настоящему — через дефис.\n"
	"\n"
	"id: rus-14-08\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (ЧТО)БЫ ты ни выбрал, я поддержу тебя (ТАК)ЖЕ, как и раньше.\n"
	"  2) Мы (ТО)ЖЕ хотели поехать (НА)ЮГ.\n"
	"  3) (В)СЛЕДСТВИЕ ремонта дорогу перекрыли, (ПО)ЭТОМУ мы поехали в объезд.\n"
	"  4) (В)ПРОДОЛЖЕНИЕ часа шёл дождь, (ЗА)ТО потом выглянуло солнце.\n"
	"  5) (С)ПЕРВА мы вышли (ВО)ДВОР.\n"
	"answer: вследствиепоэтому\n"
	"answer: вследствие поэтому\n"
	"solution: 3) Предлог ВСЛЕДСТВИЕ (= из-за) и наречие ПОЭТОМУ пишутся слитно. 1) что бы — раздельно, так же, как — раздельно; 2) на юг — раздельно; 4) в продолжение — раздельно; 5) во двор — раздельно.\n"
	"\n"
	"id: rus-14-09\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) (КОЕ)КТО из ребят пришёл (ПО)РАНЬШЕ.\n"
	"  2) (В)ТЕЧЕНИЕ года он (ПО)НЕМНОГУ выучил английский.\n"
	"  3) Я (ТАК)И знал, что ты придёшь (ВО)ВРЕМЯ.\n"
	"  4) (ПОЛ)ЧАСА мы ждали автобус, (ЗА)ТО потом доехали быстро.\n"
	"  5) (ПО)МОЕМУ, ты (НА)ПРАСНО волнуешься.\n"
	"answer: полчасазато\n"
	"answer: полчаса зато\n"
	"solution: 4) ПОЛЧАСА (пол- перед согласной, кроме Л) и союз ЗАТО (= но) пишутся слитно. 1) кое-кто — через дефис; 2) в течение — раздельно; 3) так и — раздельно; 5) по-моему — через дефис.\n"
	"\n"
	"id: rus-14-10\n"
	"number: 14\n"
	"topic: Слитное, дефисное, раздельное написание\n"
	"text: Определите предложение, в котором оба выделенных слова пишутся СЛИТНО. Раскройте скобки и выпишите эти два слова.\n"
	"  1) Я посмотрел (В)ВЕРХ и увидел, что птицы летят (НА)ЮГ.\n"
	"  2) (ЧТО)БЫ успеть к поезду, мы вышли (ЗА)РАНЕЕ.\n"
	"  3) (ПО)ТОМУ, как он (ВСЁ)ВРЕМЯ улыбался, было ясно, что он рад.\n"
	"  4) (ИЗ)ДАЛЕКА донёсся гром, но мы (ВСЁ)ЖЕ решили не возвращаться.\n"
	"  5) (ТАК)КАК было поздно, все разошлись (ПО)ДОМАМ.\n"
	"answer: чтобызаранее\n"
	"answer: чтобы заранее\n"
	"solution: 2) Союз ЧТОБЫ (цель) и наречие ЗАРАНЕЕ пишутся слитно. 1) на юг — раздельно; 3) по тому, как — местоимение с предлогом, всё время — раздельно; 4) всё же — раздельно; 5) так как, по домам — раздельно.\n"
	"\n"
	"id: rus-17-01\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Ребята (1) уставшие после долгого перехода (2) расположились на поляне (3) и (4) разведя костёр (5) стали готовить ужин.\n"
	"answer: 1245\n"
	"order: any\n"
	"solution: Причастный оборот после определяемого слова (ребята) обособляется: 1, 2. Деепричастный оборот «разведя костёр» обособляется: 4, 5. Между однородными сказуемыми с одиночным И запятая не нужна (3).\n"
	"\n"
	"id: rus-17-02\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Освещённая (1) утренним солнцем (2) роща (3) казалась золотой (4) и (5) переливаясь на ветру (6) шумела листвой.\n"
	"answer: 56\n"
	"order: any\n"
	"solution: Причастный оборот перед определяемым словом (роща) не обособляется: 1, 2 не нужны. Деепричастный оборот обособляется: 5, 6. Перед И, соединяющим однородные сказуемые, запятой нет (4).\n"
	"\n"
	"id: rus-17-03\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Река (1) скованная льдом (2) спала (3) и только в полыньях (4) чернеющих у берега (5) поблёскивала вода.\n"
	"answer: 12345\n"
	"order: any\n"
	"solution: Причастные обороты после определяемых слов (река, полыньях) обособляются: 1, 2, 4, 5. Перед И, соединяющим две грамматические основы (река спала; вода поблёскивала), ставится запятая: 3.\n"
	"\n"
	"id: rus-17-04\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мальчик сидел на крыльце (1) обхватив колени руками (2) и смотрел на дорогу (3) ведущую к лесу.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Деепричастный оборот обособляется с обеих сторон: 1, 2. Причастный оборот после определяемого слова (дорогу) обособляется: 3.\n"
	"\n"
	"id: rus-17-05\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Не дождавшись автобуса (1) мы пошли пешком (2) по дороге (3) размытой недавним дождём.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: Деепричастный оборот в начале предложения отделяется запятой: 1. «Пошли пешком по дороге» — одно сказуемое с обстоятельствами, запятая не нужна (2). Причастный оборот после определяемого слова (дороге) обособляется: 3.\n"
	"\n"
	"id: rus-17-06\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Птицы (1) встревоженные шумом (2) поднялись с озера (3) и (4) покружив над камышами (5) улетели на юг.\n"
	"answer: 1245\n"
	"order: any\n"
	"solution: Причастный оборот после определяемого слова (птицы) обособляется: 1, 2. Деепричастный оборот после союза И обособляется: 4, 5. Между однородными сказуемыми с одиночным И запятая не нужна (3).\n"
	"\n"
	"id: rus-17-07\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Стоящий у ворот (1) сторож (2) открыл калитку (3) и (4) пропуская нас во двор (5) приветливо улыбнулся.\n"
	"answer: 45\n"
	"order: any\n"
	"solution: Причастный оборот перед определяемым словом (сторож) не обособляется: 1, 2 не нужны. Деепричастный оборот обособляется: 4, 5. Между однородными сказуемыми с одиночным И запятая не нужна (3).\n"
	"\n"
	"id: rus-17-08\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Деревья (1) посаженные вдоль аллеи (2) уже зацвели (3) наполняя воздух (4) сладким ароматом.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Причастный оборот после определяемого слова (деревья) обособляется: 1, 2. Деепричастный оборот отделяется запятой: 3; внутри оборота запятая не нужна (4).\n"
	"\n"
	"id: rus-17-09\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Задумавшись (1) девочка стояла у окна (2) и смотрела на снег (3) медленно падающий на крыши.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: Одиночное деепричастие «задумавшись» обособляется: 1. Между однородными сказуемыми с одиночным И запятая не нужна (2). Причастный оборот после определяемого слова (снег) обособляется: 3.\n"
	"\n"
	"id: rus-17-10\n"
	"number: 17\n"
	"topic: Обособленные члены предложения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Письма (1) полученные от бабушки (2) мама хранила в шкатулке (3) перевязанной (4) голубой лентой.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Причастные обороты после определяемых слов (письма, шкатулке) обособляются: 1, 2, 3. Внутри оборота «перевязанной голубой лентой» запятая не нужна (4).\n"
	"\n"
	"id: rus-18-01\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Эта книга (1) по мнению критиков (2) лучшая в творчестве писателя.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: «По мнению критиков» — вводное сочетание (указывает на источник сообщения), выделяется запятыми: 1, 2.\n"
	"\n"
	"id: rus-18-02\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Кажется (1) дождь (2) наконец (3) закончился.\n"
	"answer: 1\n"
	"order: any\n"
	"solution: «Кажется» — вводное слово (неуверенность): 1. «Наконец» в значении «в конце концов, после долгого ожидания» — обстоятельство, не выделяется: 2, 3 не нужны.\n"
	"\n"
	"id: rus-18-03\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Ребята (1) вы (2) конечно (3) слышали о новой выставке?\n"
	"answer: 123\n"
	"order: any\n"
	"solution: «Ребята» — обращение: 1. «Конечно» — вводное слово (уверенность): 2, 3.\n"
	"\n"
	"id: rus-18-04\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Он (1) однако (2) не спешил с ответом.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: «Однако» в середине предложения, не в начале части, — вводное слово, выделяется запятыми: 1, 2 (в начале части «однако» был бы союзом = но).\n"
	"\n"
	"id: rus-18-05\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Однако (1) погода испортилась (2) и прогулка (3) к сожалению (4) не состоялась.\n"
	"answer: 234\n"
	"order: any\n"
	"solution: «Однако» в начале предложения — союз (= но), запятая не нужна: 1. Запятая между частями сложносочинённого предложения с союзом И: 2. «К сожалению» — вводное (оценка): 3, 4.\n"
	"\n"
	"id: rus-18-06\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Вы (1) Пётр Иванович (2) очевидно (3) знаете (4) что экзамен перенесли?\n"
	"answer: 1234\n"
	"order: any\n"
	"solution: «Пётр Иванович» — обращение: 1, 2. «Очевидно» — вводное слово: 2, 3. Придаточная часть «что экзамен перенесли» отделяется: 4.\n"
	"\n"
	"id: rus-18-07\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Дорогой друг (1) я (2) к сожалению (3) не смогу приехать на твой праздник.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: «Дорогой друг» — обращение: 1. «К сожалению» — вводное сочетание: 2, 3.\n"
	"\n"
	"id: rus-18-08\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Во-первых (1) нужно выучить правила (2) во-вторых (3) решить как можно больше задач.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: «Во-первых», «во-вторых» — вводные слова (порядок мыслей), выделяются запятыми: 1, 2, 3.\n"
	"\n"
	"id: rus-18-09\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мы (1) безусловно (2) поддержим вас (3) Анна Сергеевна.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: «Безусловно» — вводное слово: 1, 2. «Анна Сергеевна» — обращение в конце предложения: 3.\n"
	"\n"
	"id: rus-18-10\n"
	"number: 18\n"
	"topic: Вводные слова и обращения\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Дождь (1) к счастью (2) прошёл стороной (3) и мы (4) всё-таки (5) успели на пикник.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: «К счастью» — вводное сочетание: 1, 2. Запятая между частями сложносочинённого предложения с союзом И: 3. «Всё-таки» здесь частица, не вводное слово: 4, 5 не нужны.\n"
	"\n"
	"id: rus-19-01\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мы вышли на поляну (1) где (2) как рассказывал лесник (3) часто пасутся лоси.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Придаточное «где… часто пасутся лоси» отделяется: 1. Внутри него — придаточное «как рассказывал лесник», выделяется с обеих сторон: 2, 3.\n"
	"\n"
	"id: rus-19-02\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Я знал (1) что брат придёт поздно (2) и (3) что он будет голоден.\n"
	"answer: 1\n"
	"order: any\n"
	"solution: Придаточная часть отделяется от главной: 1. Однородные придаточные, соединённые одиночным союзом И, запятой не разделяются: 2, 3 не нужны.\n"
	"\n"
	"id: rus-19-03\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Учитель объяснил (1) почему задача не решалась (2) и как нужно было рассуждать (3) чтобы получить верный ответ.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: Однородные придаточные «почему…» и «как…» соединены одиночным И — между ними запятой нет (2); от главной отделяются: 1. Придаточное цели «чтобы…» отделяется: 3.\n"
	"\n"
	"id: rus-19-04\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Если завтра будет тепло (1) то мы пойдём на речку (2) которая течёт за деревней.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: Придаточное условия отделяется запятой перед «то»: 1. Придаточное определительное «которая…» отделяется: 2.\n"
	"\n"
	"id: rus-19-05\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мама сказала (1) что (2) если мы закончим уроки (3) то сможем пойти в кино.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: На стыке союзов «что» и «если» запятая не ставится, потому что дальше идёт вторая часть двойного союза «то»: 2 не нужна. Запятые 1 и 3 отделяют придаточные.\n"
	"\n"
	"id: rus-19-06\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мама сказала (1) что (2) если мы закончим уроки (3) мы сможем пойти в кино.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: На стыке союзов «что» и «если» ставится запятая, когда дальше нет «то»: 2. Запятые 1 и 3 отделяют придаточные.\n"
	"\n"
	"id: rus-19-07\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Дом (1) в котором мы жили в детстве (2) стоял на холме (3) откуда была видна река.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Придаточное «в котором… в детстве» стоит внутри главного и выделяется с обеих сторон: 1, 2. Придаточное «откуда…» отделяется: 3.\n"
	"\n"
	"id: rus-19-08\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Ребята не знали (1) куда идти (2) потому что (3) дорогу занесло снегом.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: Придаточное «куда идти» отделяется: 1. Запятая ставится перед составным союзом «потому что» целиком (2), внутри него — нет (3).\n"
	"\n"
	"id: rus-19-09\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Было так тихо (1) что (2) когда падал лист (3) слышался его шорох.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Придаточное «что… слышался его шорох» отделяется: 1. На стыке союзов «что» и «когда» ставится запятая, потому что дальше нет «то»: 2. Придаточное «когда падал лист» выделяется: 3.\n"
	"\n"
	"id: rus-19-10\n"
	"number: 19\n"
	"topic: Сложноподчинённое предложение\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мы долго шли по лесу (1) пока не увидели озеро (2) о котором рассказывал дедушка.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: Придаточное времени «пока…» отделяется: 1. Придаточное определительное «о котором…» отделяется: 2.\n"
	"\n"
	"id: rus-20-01\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Дождь прекратился (1) и (2) когда мы вышли из дома (3) на небе сияла радуга.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Между частями, соединёнными союзом И, ставится запятая: 1. На стыке союзов «и» и «когда» запятая ставится, потому что дальше нет «то» или «так»: 2. Придаточное выделяется: 3.\n"
	"\n"
	"id: rus-20-02\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Дождь прекратился (1) и (2) когда мы вышли из дома (3) то увидели радугу.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: Между частями, соединёнными союзом И, ставится запятая: 1. На стыке «и когда» запятой нет, потому что дальше идёт «то»: 2 не нужна. Придаточное отделяется перед «то»: 3.\n"
	"\n"
	"id: rus-20-03\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Солнце скрылось за тучей (1) и стало так темно (2) что пришлось зажечь лампу (3) хотя был ещё день.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Части, соединённые союзом И, разделяются запятой: 1. Придаточные «что…» и «хотя…» отделяются: 2, 3.\n"
	"\n"
	"id: rus-20-04\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Мы долго ждали автобус (1) но он так и не пришёл (2) поэтому (3) пришлось идти пешком.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: Перед союзом НО между частями — запятая: 1. Перед частью «поэтому пришлось идти пешком» — запятая: 2. «Поэтому» — наречие, не вводное слово: 3 не нужна.\n"
	"\n"
	"id: rus-20-05\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Когда мы подошли к реке (1) оказалось (2) что мост разрушен (3) и что (4) лодок у берега тоже нет.\n"
	"answer: 12\n"
	"order: any\n"
	"solution: Придаточное времени отделяется: 1; придаточное изъяснительное «что мост разрушен» — тоже: 2. «Что мост разрушен» и «что лодок… нет» — однородные придаточные, соединённые одиночным союзом И: запятая между ними не ставится (3), после союза «что» — тоже (4).\n"
	"\n"
	"id: rus-20-06\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Лес становился всё гуще (1) и (2) хотя тропинка была хорошо видна (3) идти было трудно.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Части, соединённые союзом И, разделяются запятой: 1. На стыке «и хотя» запятая ставится, потому что дальше нет «но»: 2. Придаточное уступки выделяется: 3.\n"
	"\n"
	"id: rus-20-07\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Вечерело (1) и (2) если бы не фонари (3) то улица погрузилась бы во тьму.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: Части, соединённые союзом И, разделяются запятой: 1. На стыке «и если» запятой нет, потому что дальше идёт «то»: 2 не нужна. Перед «то» придаточное отделяется: 3.\n"
	"\n"
	"id: rus-20-08\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Брат сказал (1) что приедет к обеду (2) но его поезд задержался (3) и мы сели за стол без него.\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Придаточное «что…» отделяется: 1. Части сложносочинённого предложения с союзами НО и И разделяются запятыми: 2, 3.\n"
	"\n"
	"id: rus-20-09\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Ветер утих (1) туман рассеялся (2) и (3) едва взошло солнце (4) роса на траве заблестела.\n"
	"answer: 1234\n"
	"order: any\n"
	"solution: Части бессоюзного и сложносочинённого предложения разделяются запятыми: 1, 2. На стыке «и едва» запятая ставится, потому что дальше нет «то» или «как»: 3. Придаточное «едва взошло солнце» выделяется: 4.\n"
	"\n"
	"id: rus-20-10\n"
	"number: 20\n"
	"topic: Сложное предложение с разными видами связи\n"
	"text: Расставьте знаки препинания: укажите все цифры, на месте которых в предложении должны стоять запятые.\n"
	"  Я открыл окно (1) и в комнату ворвался свежий воздух (2) который пах морем (3) и (4) хотя было уже поздно (5) спать совсем не хотелось.\n"
	"answer: 12345\n"
	"order: any\n"
	"solution: Части, соединённые союзом И, разделяются запятыми: 1, 3. Придаточное «который пах морем» отделяется: 2. На стыке «и хотя» запятая ставится, потому что дальше нет «но»: 4. Придаточное уступки выделяется: 5.\n"
	"\n"
	"id: rus-22-01\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Кто из нас не мечтал в детстве о дальних странствиях?\n"
	"  Б) Мальчишка носился по двору, словно ураган.\n"
	"  В) В тот вечер мы съели целую гору пирожков.\n"
	"  Г) Я помню запах костра. Я помню шум реки. Я помню голоса друзей.\n"
	"  Д) Старые часы в углу сердито ворчали.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) литота\n"
	"  2) парцелляция\n"
	"  3) сравнение\n"
	"  4) анафора\n"
	"  5) олицетворение\n"
	"  6) оксюморон\n"
	"  7) риторический вопрос\n"
	"  8) эпифора\n"
	"  9) гипербола\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 73945\n"
	"order: digits\n"
	"solution: А — 7, риторический вопрос: вопрос, не требующий ответа. Б — 3, сравнение: сопоставление с помощью союзов как, будто, словно. В — 9, гипербола: художественное преувеличение. Г — 4, анафора: повтор слов в начале соседних частей. Д — 5, олицетворение: неживое наделено свойствами живого.\n"
	"\n"
	"id: rus-22-02\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Мы долго смотрели на изумрудную гладь озера.\n"
	"  Б) Новичок работал спустя рукава.\n"
	"  В) Слова его были мягкими, а поступки — жёсткими.\n"
	"  Г) Он решил уехать. Навсегда.\n"
	"  Д) Над городом разлилось море огней.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) парцелляция\n"
	"  2) эпитет\n"
	"  3) олицетворение\n"
	"  4) литота\n"
	"  5) градация\n"
	"  6) метафора\n"
	"  7) риторическое восклицание\n"
	"  8) фразеологизм\n"
	"  9) антитеза\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 28916\n"
	"order: digits\n"
	"solution: А — 2, эпитет: образное определение. Б — 8, фразеологизм: устойчивое сочетание слов. В — 9, антитеза: резкое противопоставление. Г — 1, парцелляция: часть предложения отделена точкой. Д — 6, метафора: перенос значения по сходству, скрытое сравнение.\n"
	"\n"
	"id: rus-22-03\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Ветер заглянул в окно и перелистал мою тетрадь.\n"
	"  Б) Озеро блестело, как зеркало.\n"
	"  В) Меня охватила светлая печаль.\n"
	"  Г) Он шёл, бежал, летел навстречу мечте.\n"
	"  Д) Что нужно человеку для счастья? Немного тепла и понимания.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) литота\n"
	"  2) анафора\n"
	"  3) оксюморон\n"
	"  4) градация\n"
	"  5) антитеза\n"
	"  6) сравнение\n"
	"  7) вопросно-ответная форма изложения\n"
	"  8) фразеологизм\n"
	"  9) олицетворение\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 96347\n"
	"order: digits\n"
	"solution: А — 9, олицетворение: неживое наделено свойствами живого. Б — 6, сравнение: сопоставление с помощью союзов как, будто, словно. В — 3, оксюморон: сочетание противоположных по смыслу слов. Г — 4, градация: нарастание по силе. Д — 7, вопросно-ответная форма изложения: автор задаёт вопрос и сам на него отвечает.\n"
	"\n"
	"id: rus-22-04\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Здесь родился мой дед, здесь прошло моё детство, здесь я хочу жить.\n"
	"  Б) Мы целый день проторчали на вокзале.\n"
	"  В) В саду полыхал костёр рябины.\n"
	"  Г) Над степью стоял томительный, знойный полдень.\n"
	"  Д) Я ждал тебя целую вечность.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) сравнение\n"
	"  2) гипербола\n"
	"  3) анафора\n"
	"  4) риторический вопрос\n"
	"  5) метафора\n"
	"  6) эпитет\n"
	"  7) оксюморон\n"
	"  8) разговорная лексика\n"
	"  9) литота\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 38562\n"
	"order: digits\n"
	"solution: А — 3, анафора: повтор слов в начале соседних частей. Б — 8, разговорная лексика: слова разговорного стиля. В — 5, метафора: перенос значения по сходству, скрытое сравнение. Г — 6, эпитет: образное определение. Д — 2, гипербола: художественное преувеличение.\n"
	"\n"
	"id: rus-22-05\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) До станции было рукой подать.\n"
	"  Б) Молодые спешат, старые не торопятся.\n"
	"  В) Река проснулась и побежала к морю.\n"
	"  Г) Как прекрасен лес ранним утром!\n"
	"  Д) Идёт снег, снег, снег…\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) лексический повтор\n"
	"  2) гипербола\n"
	"  3) сравнение\n"
	"  4) фразеологизм\n"
	"  5) риторическое восклицание\n"
	"  6) эпифора\n"
	"  7) антитеза\n"
	"  8) градация\n"
	"  9) олицетворение\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 47951\n"
	"order: digits\n"
	"solution: А — 4, фразеологизм: устойчивое сочетание слов. Б — 7, антитеза: резкое противопоставление. В — 9, олицетворение: неживое наделено свойствами живого. Г — 5, риторическое восклицание: восклицание, усиливающее чувство. Д — 1, лексический повтор: повтор одного и того же слова.\n"
	"\n"
	"id: rus-22-06\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Она улыбнулась. Впервые за долгое время.\n"
	"  Б) Вагоны тянулись друг за другом, будто бусины на нитке.\n"
	"  В) Бабушка рассказывала свои тихие, ласковые сказки.\n"
	"  Г) Лес стоял в осеннем золоте.\n"
	"  Д) Разве можно забыть такой закат?\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) парцелляция\n"
	"  2) литота\n"
	"  3) эпитет\n"
	"  4) сравнение\n"
	"  5) анафора\n"
	"  6) оксюморон\n"
	"  7) риторический вопрос\n"
	"  8) метафора\n"
	"  9) антитеза\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 14387\n"
	"order: digits\n"
	"solution: А — 1, парцелляция: часть предложения отделена точкой. Б — 4, сравнение: сопоставление с помощью союзов как, будто, словно. В — 3, эпитет: образное определение. Г — 8, метафора: перенос значения по сходству, скрытое сравнение. Д — 7, риторический вопрос: вопрос, не требующий ответа.\n"
	"\n"
	"id: rus-22-07\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) У неё в шкафу миллион платьев.\n"
	"  Б) Берёзы шептались о чём-то у крыльца.\n"
	"  В) Ждал весну, ждал письма, ждал чуда.\n"
	"  Г) Брат вернулся домой ни свет ни заря.\n"
	"  Д) В зале стояла звонкая тишина.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) антонимы\n"
	"  2) оксюморон\n"
	"  3) анафора\n"
	"  4) фразеологизм\n"
	"  5) литота\n"
	"  6) гипербола\n"
	"  7) олицетворение\n"
	"  8) сравнение\n"
	"  9) парцелляция\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 67342\n"
	"order: digits\n"
	"solution: А — 6, гипербола: художественное преувеличение. Б — 7, олицетворение: неживое наделено свойствами живого. В — 3, анафора: повтор слов в начале соседних частей. Г — 4, фразеологизм: устойчивое сочетание слов. Д — 2, оксюморон: сочетание противоположных по смыслу слов.\n"
	"\n"
	"id: rus-22-08\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Какая тишина стоит над озером!\n"
	"  Б) Он был богат, но одинок; она была бедна, но счастлива.\n"
	"  В) Снег лёг на поля, как белая скатерть.\n"
	"  Г) Сначала мы услышали шёпот, потом голоса, наконец крик.\n"
	"  Д) Дорогу укрыл ковёр из опавших листьев.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) метафора\n"
	"  2) сравнение\n"
	"  3) градация\n"
	"  4) парцелляция\n"
	"  5) эпифора\n"
	"  6) литота\n"
	"  7) антитеза\n"
	"  8) риторическое восклицание\n"
	"  9) оксюморон\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 87231\n"
	"order: digits\n"
	"solution: А — 8, риторическое восклицание: восклицание, усиливающее чувство. Б — 7, антитеза: резкое противопоставление. В — 2, сравнение: сопоставление с помощью союзов как, будто, словно. Г — 3, градация: нарастание по силе. Д — 1, метафора: перенос значения по сходству, скрытое сравнение.\n"
	"\n"
	"id: rus-22-09\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) От его крика задрожали стёкла во всём квартале.\n"
	"  Б) Мальчишки весь вечер гоняли мяч во дворе.\n"
	"  В) Вдалеке звенели серебристые колокольчики.\n"
	"  Г) Работа, работа и снова работа — так прошёл весь месяц.\n"
	"  Д) Почему мы так любим осень? Потому что осенью особенно красив лес.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) антитеза\n"
	"  2) лексический повтор\n"
	"  3) литота\n"
	"  4) вопросно-ответная форма изложения\n"
	"  5) анафора\n"
	"  6) разговорная лексика\n"
	"  7) метафора\n"
	"  8) гипербола\n"
	"  9) эпитет\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 86924\n"
	"order: digits\n"
	"solution: А — 8, гипербола: художественное преувеличение. Б — 6, разговорная лексика: слова разговорного стиля. В — 9, эпитет: образное определение. Г — 2, лексический повтор: повтор одного и того же слова. Д — 4, вопросно-ответная форма изложения: автор задаёт вопрос и сам на него отвечает.\n"
	"\n"
	"id: rus-22-10\n"
	"number: 22\n"
	"topic: Средства выразительности\n"
	"text: Установите соответствие между примерами и средствами выразительности, использованными в них: к каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРИМЕРЫ\n"
	"  А) Луна висела над крышами, будто фонарь.\n"
	"  Б) Тучи хмурились и сердились на землю.\n"
	"  В) Кто же не любит летних каникул?\n"
	"  Г) Мы вернулись домой. Усталые, но счастливые.\n"
	"  Д) Это была горькая радость прощания.\n"
	"  СРЕДСТВА ВЫРАЗИТЕЛЬНОСТИ\n"
	"  1) оксюморон\n"
	"  2) сравнение\n"
	"  3) парцелляция\n"
	"  4) анафора\n"
	"  5) риторический вопрос\n"
	"  6) эпифора\n"
	"  7) градация\n"
	"  8) олицетворение\n"
	"  9) литота\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБВГД.\n"
	"answer: 28531\n"
	"order: digits\n"
	"solution: А — 2, сравнение: сопоставление с помощью союзов как, будто, словно. Б — 8, олицетворение: неживое наделено свойствами живого. В — 5, риторический вопрос: вопрос, не требующий ответа. Г — 3, парцелляция: часть предложения отделена точкой. Д — 1, оксюморон: сочетание противоположных по смыслу слов.\n"
	"\n"
	"id: rus-11-03\n"
	"number: 11\n"
	"topic: Суффиксы\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) ноч..вать, ключ..вой, плач..вный\n"
	"  2) вил..чка, звёзд..чка, кош..чка\n"
	"  3) масл..це, плать..це, письм..цо\n"
	"  4) син..ва, плакс..вый, красн..ватый\n"
	"  5) глин..стый, серебр..стый, уступч..вый\n"
	"answer: 15\n"
	"order: any\n"
	"solution: 1) ночевать (-ева-: ночую), ключевой, плачевный — безударный суффикс -ев- после шипящих пишется с Е. 5) глинистый, серебристый (суффикс -ист-), уступчивый (-чив-) — И. 2) вилочка, звёздочка (-очк-), но кошечка (-ечк-); 3) маслице, платьице (-иц-, ударение до суффикса), но письмецо (-ец-, ударение на окончании); 4) синева, плаксивый, красноватый — разные буквы.\n"
	"\n"
	"id: rus-11-04\n"
	"number: 11\n"
	"topic: Суффиксы\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) горош..к, кармаш..к, ореш..к\n"
	"  2) прилипч..вый, улыбч..вый, замысл..ватый\n"
	"  3) кольц..вой, ситц..вый, лиц..вой\n"
	"  4) подпрыг..вать, разгляд..вать, раскач..вать\n"
	"  5) чаш..чка, ключ..к, ножич..к\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) горошек, кармашек, орешек — суффикс -ек-: гласная выпадает при склонении (горошка). 3) кольцевой, ситцевый, лицевой — после Ц в безударном суффиксе -ев- пишется Е. 2) прилипчивый, улыбчивый (-чив-), но замысловатый (-оват-); 4) подпрыгивать, раскачивать (-ива-), но разглядывать (-ыва-); 5) чашечка (-ечк-), ножичек (-ек-), но ключик (-ик-: гласная сохраняется, ключика).\n"
	"\n"
	"id: rus-12-03\n"
	"number: 12\n"
	"topic: Глаголы и причастия\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) (они) стро..т, мо..т, ве..т\n"
	"  2) (вы) ненавид..те, слыш..те, терп..те\n"
	"  3) вид..мый, колебл..мый, гон..мый\n"
	"  4) (он) гон..т, стел..т, бре..т\n"
	"  5) (они) пиш..т, реж..т, маж..т\n"
	"answer: 25\n"
	"order: any\n"
	"solution: 2) ненавидите, слышите, терпите — глаголы-исключения II спряжения, окончание -ите. 5) пишут, режут, мажут — I спряжение, окончание -ут. 1) строят (II), но моют, веют (I); 3) видимый, гонимый (II, -им-), но колеблемый (I, -ем-); 4) гонит (исключение II), но стелет, бреет (I).\n"
	"\n"
	"id: rus-12-04\n"
	"number: 12\n"
	"topic: Глаголы и причастия\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) (ты) скач..шь, пляш..шь, пряч..шь\n"
	"  2) (ты) обид..шь, завис..шь, верт..шь\n"
	"  3) стро..вший, се..вший, выкле..нный\n"
	"  4) колыш..щийся, бор..щийся, стел..щийся\n"
	"  5) (вы) держ..те, тащ..те, вид..те\n"
	"answer: 125\n"
	"order: any\n"
	"solution: 1) скачешь, пляшешь, прячешь — I спряжение (скакать, плясать, прятать), окончание -ешь. 2) обидишь, зависишь, вертишь — исключения II спряжения, -ишь. 5) держите, видите (исключения II), тащите (II) — -ите. 3) строивший, сеявший (сохраняется гласная перед -ть), выклеенный (-енн- после глаголов на -ить) — разные буквы; 4) колышущийся (У), но борющийся, стелющийся (Ю).\n"
	"\n"
	"id: rus-13-03\n"
	"number: 13\n"
	"topic: НЕ с разными частями речи\n"
	"text: Укажите все варианты ответов, в которых НЕ с выделенным словом пишется СЛИТНО. Запишите номера ответов.\n"
	"  1) На столе лежало (НЕ)БРЕЖНО написанное письмо.\n"
	"  2) Задача оказалась совсем (НЕ)ТРУДНОЙ.\n"
	"  3) К нам подошёл (НЕ)ЗНАКОМЫЙ мне человек.\n"
	"  4) Ещё (НЕ)ВЫСОХШАЯ краска блестела на солнце.\n"
	"  5) Он говорил (НЕ)ГРОМКО, а тихо.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) НЕБРЕЖНО — наречие на -о без противопоставления, можно заменить синонимом (неряшливо) — слитно. 3) НЕЗНАКОМЫЙ — прилагательное (не причастие), зависимое слово на написание не влияет — слитно. 2) «совсем не» усиливает отрицание — раздельно; 4) причастие с зависимым словом «ещё» — раздельно; 5) противопоставление с союзом А — раздельно.\n"
	"\n"
	"id: rus-13-04\n"
	"number: 13\n"
	"topic: НЕ с разными частями речи\n"
	"text: Укажите все варианты ответов, в которых НЕ с выделенным словом пишется СЛИТНО. Запишите номера ответов.\n"
	"  1) Молодому врачу мешал (НЕ)ДОСТАТОК опыта.\n"
	"  2) Мы шли по набережной (НЕ)СПЕША.\n"
	"  3) Это был (НЕ)ЛЕПЫЙ поступок.\n"
	"  4) Книга, (НЕ)ПРОЧИТАННАЯ до конца, лежала на полке.\n"
	"  5) Мне сегодня (НЕ)КОГДА отдыхать.\n"
	"answer: 135\n"
	"order: any\n"
	"solution: 1) НЕДОСТАТОК — существительное без противопоставления (= нехватка) — слитно. 3) НЕЛЕПЫЙ — без НЕ не употребляется. 5) НЕКОГДА — отрицательное наречие, под ударением НЕ — слитно. 2) с деепричастиями НЕ пишется раздельно; 4) причастие с зависимыми словами — раздельно.\n"
	"\n"
	"id: rus-16-03\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Расставьте знаки препинания. Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Утром было прохладно но к обеду стало жарко.\n"
	"  2) Дети бегали по лугу и собирали цветы.\n"
	"  3) В саду росли и яблони и груши и вишни.\n"
	"  4) Мы долго ждали автобус но так и не дождались.\n"
	"  5) Солнце село и на небе зажглись звёзды.\n"
	"answer: 145\n"
	"order: any\n"
	"solution: 1) две основы, союз НО: «прохладно, но к обеду». 4) однородные сказуемые с союзом НО: «автобус, но так и не дождались». 5) две основы, союз И: «село, и на небе». 2) однородные сказуемые с одиночным И — без запятой; 3) повторяющийся союз И — две запятые: «и яблони, и груши, и вишни».\n"
	"\n"
	"id: rus-16-04\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Расставьте знаки препинания. Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Ветер то стихал то снова усиливался.\n"
	"  2) Мальчик взял удочку и пошёл к реке.\n"
	"  3) Мы хотели пойти в лес но начался дождь.\n"
	"  4) Я купил и хлеб и молоко и сыр.\n"
	"  5) Дом был старый но крепкий.\n"
	"answer: 135\n"
	"order: any\n"
	"solution: 1) повторяющийся союз ТО — ТО: «то стихал, то снова усиливался». 3) две основы, союз НО: «в лес, но начался». 5) однородные определения с союзом НО: «старый, но крепкий». 2) однородные сказуемые с одиночным И — без запятой; 4) повторяющийся союз И — две запятые.\n"
	"\n"
	"id: rus-04-01\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) сирОты\n"
	"  2) дОсуг\n"
	"  3) углубИть\n"
	"  4) щЕколда\n"
	"  5) нАчатый\n"
	"answer: 135\n"
	"order: any\n"
	"solution: Верно: сирОты, углубИть, нАчатый. Правильно досУг, щеколдА.\n"
	"\n"
	"id: rus-04-02\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) звОнит\n"
	"  2) граждАнство\n"
	"  3) донЕльзя\n"
	"  4) мозаИчный\n"
	"  5) цЕпочка\n"
	"answer: 234\n"
	"order: any\n"
	"solution: Верно: граждАнство, донЕльзя, мозаИчный. Правильно звонИт, цепОчка.\n"
	"\n"
	"id: rus-04-03\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) вклЮчим\n"
	"  2) ходАтайство\n"
	"  3) Отрочество\n"
	"  4) зАвидно\n"
	"  5) новорОжденный\n"
	"answer: 234\n"
	"order: any\n"
	"solution: Верно: ходАтайство, Отрочество, зАвидно. Правильно включИм, новорождЁнный.\n"
	"\n"
	"id: rus-07-01\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  пара НОСКОВ\n"
	"  нет ТУФЕЛЬ\n"
	"  ИХНИЙ сад\n"
	"  ТРЕМЯСТАМИ метрами\n"
	"  ПОМАЖЬТЕ кремом\n"
	"answer: их\n"
	"solution: Притяжательное местоимение третьего лица — ИХ; «ихний» — просторечие. Верно: носков, туфель (нулевое окончание), тремястами (склоняются обе части), помажьте (от «помазать»).\n"
	"\n"
	"id: rus-07-02\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  нет ВАФЛЕЙ\n"
	"  ОБЕИМИ руками\n"
	"  в ПОЛУТОРА километрах\n"
	"  КЛАДИТЕ на стол\n"
	"  лучшие ДОКТОРА\n"
	"answer: вафель\n"
	"solution: Родительный падеж множественного числа от «вафля» — ВАФЕЛЬ (нулевое окончание). Верно: обеими (женский род), полутора (косвенные падежи), кладите, доктора.\n"
	"\n"
	"id: rus-07-03\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  пять ГЕКТАР\n"
	"  с ДВУМЯСТАМИ рублями\n"
	"  ЛЯГ на спину\n"
	"  пять КИЛОГРАММОВ\n"
	"  группа АРМЯН\n"
	"answer: гектаров\n"
	"solution: Родительный падеж множественного числа от «гектар» — ГЕКТАРОВ. Верно: двумястами (склоняются обе части), ляг (от «лечь»), килограммов, армян (нулевое окончание).\n"
	"\n"
	"id: rus-09-01\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) к..сательная, пл..вучий, ск..кать\n"
	"  2) пол..жение, выр..сший, заг..рать\n"
	"  3) зам..реть, зам..рать, уб..рать\n"
	"  4) отп..рать, зап..раться, расст..лать\n"
	"  5) р..стение, р..стовщик, отр..сль\n"
	"answer: 124\n"
	"order: any\n"
	"solution: 1) касательная (-кас- перед -а-), плавучий (-плав-), скакать — А. 2) положение (перед Ж — О), выросший (-рос- без СТ), загорать (-гор- без ударения) — О. 4) отпирать, запираться, расстилать — И перед суффиксом -а-. 3) замереть (Е), но замирать, убирать (И); 5) растение, отрасль — А, но ростовщик — О (исключение).\n"
	"\n"
	"id: rus-09-02\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) изл..гать, пол..гаться, прил..гательное\n"
	"  2) бл..стеть, бл..стательный, бл..стящий\n"
	"  3) выр..стать, р..стительный, нар..щение\n"
	"  4) м..кать (хлеб в молоко), пром..кнуть, м..кнуть\n"
	"  5) соч..тание, выч..тание, выт..реть\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) излагать, полагаться, прилагательное — перед Г пишется А. 3) вырастать, растительный (-раст-), наращение (-ращ-) — А. 2) блестеть, блестящий (Е), но блистательный (И); 4) макать (= окунать) — А, но промокнуть, мокнуть — О; 5) сочетание (исключение), вытереть — Е, но вычитание — И перед -а-.\n"
	"\n"
	"id: rus-10-01\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) бе..шумный, ра..пилить, во..ходить\n"
	"  2) пр..ехать, пр..бывать (на вокзал), пр..школьный\n"
	"  3) от..скать, под..грать, с..змала\n"
	"  4) пр..следовать, пр..вратности, пр..мерить\n"
	"  5) о..дать, по..бежать, на..писать\n"
	"answer: 123\n"
	"order: any\n"
	"solution: 1) бесшумный, распилить, восходить — С перед глухим согласным. 2) приехать, прибывать, пришкольный — И (приближение, близость). 3) отыскать, подыграть, сызмала — Ы после русской приставки на согласный. 4) преследовать, превратности (Е), но примерить (И); 5) отдать (Т), но подбежать, надписать (Д).\n"
	"\n"
	"id: rus-10-02\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) сверх..нтересный, пред..нфарктный, контр..гра\n"
	"  2) пр..пятствие, пр..небрегать, пр..зирать\n"
	"  3) пр..дорожный, пр..одолеть, пр..страстный\n"
	"  4) ра..цвет, и..пуг, бе..крайний\n"
	"  5) пред..юбилейный, об..ём, с..ёмка\n"
	"answer: 245\n"
	"order: any\n"
	"solution: 2) препятствие, пренебрегать, презирать — Е (словарные). 4) расцвет, испуг, бескрайний — С перед глухим. 5) предъюбилейный, объём, съёмка — Ъ перед Е, Ё, Ю, Я после приставки на согласный. 1) сверхинтересный, контригра (И после сверх-, контр-), но предынфарктный (Ы); 3) придорожный, пристрастный (И), но преодолеть (Е).\n"
	"\n"
	"id: rus-11-05\n"
	"number: 11\n"
	"topic: Суффиксы\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) заботл..вый, терпел..вый, молчал..вый\n"
	"  2) отрез..к, лесоч..к, пирож..к\n"
	"  3) уговар..вать, раздум..вать, заканч..вать\n"
	"  4) бел..зна, крут..зна, желт..зна\n"
	"  5) фасол..вый, алюмини..вый, ситц..вый\n"
	"answer: 145\n"
	"order: any\n"
	"solution: 1) заботливый, терпеливый, молчаливый — суффикс -лив- с И. 4) белизна, крутизна, желтизна — суффикс -изн-. 5) фасолевый, алюминиевый, ситцевый — безударный -ев- после мягких согласных и Ц. 2) отрезок, пирожок (О), но лесочек (-ек-); 3) уговаривать, заканчивать (-ива-), но раздумывать (-ыва-).\n"
	"\n"
	"id: rus-12-05\n"
	"number: 12\n"
	"topic: Глаголы и причастия\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) (они) дыш..т, слыш..т, держ..т\n"
	"  2) (ты) тащ..шь, леч..шь, пиш..шь\n"
	"  3) (вы) стро..те, бре..те, кле..те\n"
	"  4) вид..вший, терп..вший, обид..вший\n"
	"  5) (они) кол..т, пил..т, бор..тся\n"
	"answer: 14\n"
	"order: any\n"
	"solution: 1) дышат, слышат, держат — глаголы-исключения II спряжения, окончание -ат. 4) видевший, терпевший, обидевший — перед -вш- сохраняется гласная инфинитива (видеть). 2) тащишь, лечишь (II), но пишешь (I); 3) строите, клеите (II), но бреете (брить — I); 5) колют, борются (I), но пилят (II).\n"
	"\n"
	"id: rus-13-05\n"
	"number: 13\n"
	"topic: НЕ с разными частями речи\n"
	"text: Укажите все варианты ответов, в которых НЕ с выделенным словом пишется СЛИТНО. Запишите номера ответов.\n"
	"  1) (НЕ)ПРИЯТЕЛЬ наступал с севера.\n"
	"  2) Путь оказался (НЕ)БЛИЗКИМ, а очень далёким.\n"
	"  3) Он (НЕ)ДОСЛЫШАЛ последних слов.\n"
	"  4) (НЕ)ОКОНЧЕННОЕ к сроку строительство затянулось.\n"
	"  5) Это была ничуть (НЕ)СЛОЖНАЯ задача.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) НЕПРИЯТЕЛЬ (= враг) без НЕ в этом значении не употребляется — слитно. 3) НЕДОСЛЫШАТЬ — приставка недо- (неполнота действия) — слитно. 2) противопоставление с союзом А — раздельно; 4) причастие с зависимыми словами — раздельно; 5) «ничуть не» усиливает отрицание — раздельно.\n"
	"\n"
	"id: rus-15-01\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  Вяле(1)ая рыба лежала на деревя(2)ом столе рядом с нечище(3)ой картошкой и плетё(4)ой корзиной.\n"
	"answer: 2\n"
	"order: any\n"
	"solution: Деревянный — исключение из правила о суффиксе -ян-. Вяленый, нечищеный, плетёный — отглагольные прилагательные без приставки и зависимых слов: Н (не- приставкой не считается).\n"
	"\n"
	"id: rus-15-02\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  Работы были провере(1)ы учителем, оценки выставле(2)ы в журнал, а ребята после экзамена ели жаре(3)ую картошку с маринова(4)ыми грибами.\n"
	"answer: 4\n"
	"order: any\n"
	"solution: Маринованный — суффикс -ова- в отглагольном прилагательном даёт НН. Проверены, выставлены — краткие причастия (Н); жареный — отглагольное прилагательное без приставки (Н).\n"
	"\n"
	"id: rus-16-05\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Расставьте знаки препинания. Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Поднялся ветер и по озеру пошли волны.\n"
	"  2) Девочка то смеялась то плакала.\n"
	"  3) Я люблю и осень и весну и лето.\n"
	"  4) В лесу было тихо и прохладно.\n"
	"  5) Брат хорошо плавал но плохо нырял.\n"
	"answer: 125\n"
	"order: any\n"
	"solution: 1) две основы, союз И: «ветер, и по озеру». 2) повторяющийся союз ТО — ТО. 5) однородные сказуемые с союзом НО. 3) повторяющийся союз И — две запятые; 4) однородные члены с одиночным И — без запятой.\n"
	"\n"
	"id: rus-04-04\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) облегчИть\n"
	"  2) жалюзИ\n"
	"  3) кУхонный\n"
	"  4) тортЫ\n"
	"  5) катАлог\n"
	"answer: 123\n"
	"order: any\n"
	"solution: Верно: облегчИть, жалюзИ, кУхонный. Правильно тОрты, каталОг.\n"
	"\n"
	"id: rus-04-05\n"
	"number: 4\n"
	"topic: Ударение\n"
	"text: Укажите номера слов, в которых верно выделена буква, обозначающая ударный гласный звук.\n"
	"  1) ворвалАсь\n"
	"  2) прИбыв\n"
	"  3) оптОвый\n"
	"  4) клАла\n"
	"  5) лгАла\n"
	"answer: 134\n"
	"order: any\n"
	"solution: Верно: ворвалАсь, оптОвый, клАла. Правильно прибЫв, лгалА.\n"
	"\n"
	"id: rus-07-04\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  пара БОТИНОК\n"
	"  ТРОЕ подруг\n"
	"  ОБЕИХ сестёр\n"
	"  лучшие ИНЖЕНЕРЫ\n"
	"  ВЫЙДИ из комнаты\n"
	"answer: три\n"
	"solution: Собирательные числительные (двое, трое…) не сочетаются с существительными женского рода, обозначающими лиц: ТРИ подруги. Верно: ботинок (нулевое окончание), обеих (женский род), инженеры, выйди.\n"
	"\n"
	"id: rus-07-05\n"
	"number: 7\n"
	"topic: Формы слов\n"
	"text: В одном из выделенных ниже слов допущена ошибка в образовании формы слова. Исправьте ошибку и запишите слово правильно.\n"
	"  ЕЗЖАЙ домой\n"
	"  пара ГОЛЕНИЩ\n"
	"  ОБОИХ братьев\n"
	"  к ТРЁМСТАМ ученикам\n"
	"  ЛЯГТЕ на пол\n"
	"answer: поезжай\n"
	"solution: Повелительное наклонение глагола «ехать» в литературном языке — ПОЕЗЖАЙ; «езжай» — просторечие. Верно: голенищ, обоих (мужской род), трёмстам (склоняются обе части), лягте.\n"
	"\n"
	"id: rus-09-03\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) р..сточек, зар..сли, выр..сти\n"
	"  2) пл..вучесть, пл..вец, попл..вок\n"
	"  3) заг..релый, уг..реть, пог..релец\n"
	"  4) соб..рёт, зап..реть, ст..реть\n"
	"  5) пол..гать, предл..жение, сл..гаемое\n"
	"answer: 34\n"
	"order: any\n"
	"solution: 3) загорелый, угореть, погорелец — корень -гор-/-гар-: без ударения О. 4) соберёт, запереть, стереть — Е, так как после корня нет суффикса -а-. 1) росточек, заросли (О), но вырасти (А перед СТ); 2) плавучесть, поплавок (А), но пловец (исключение); 5) полагать, слагаемое (А перед Г), но предложение (О перед Ж).\n"
	"\n"
	"id: rus-09-04\n"
	"number: 9\n"
	"topic: Корни\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) м..лодёжный, з..мля, гл..деть\n"
	"  2) п..лоса, г..ловной, д..рожный\n"
	"  3) к..сички, оз..рение, зар..сли\n"
	"  4) ц..ркач, ц..плёнок, ц..фра\n"
	"  5) в..сёлый, з..лёный, л..сной\n"
	"answer: 25\n"
	"order: any\n"
	"solution: 2) полоса (пОлосы), головной (гОлову) — проверяемые безударные О, дорожный (дорога) — словарное слово с О. 5) весёлый (вЕсел), зелёный (зЕлень), лесной (лЕс) — Е. 1) молодёжный (О), земля (Е), глядеть (Я); 3) косички (О), озарение (А), заросли (О); 4) циркач, цифра (И), но цыплёнок (Ы, исключение).\n"
	"\n"
	"id: rus-10-03\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) пр..чудливый, пр..вередливый, пр..сяга\n"
	"  2) ра..сказ, во..звание, и..пытание\n"
	"  3) пред..дущий, без..сходный, сверх..нтересный\n"
	"  4) от..грать, пред..нфарктный, раз..скать\n"
	"  5) бе..сильный, бе..ценный, ра..тереть\n"
	"answer: 145\n"
	"order: any\n"
	"solution: 1) причудливый, привередливый, присяга — И (словарные слова). 4) отыграть, предынфарктный, разыскать — Ы после русской приставки на согласный. 5) бессильный, бесценный, растереть — С перед глухим. 2) рассказ, испытание (С), но воззвание (З перед звонким); 3) предыдущий, безысходный (Ы), но сверхинтересный (И после сверх-).\n"
	"\n"
	"id: rus-10-04\n"
	"number: 10\n"
	"topic: Приставки\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) об..явление, под..езд, в..юга\n"
	"  2) пр..бой, пр..одолеть, пр..увеличить\n"
	"  3) ..бросить, ..делка, ..жатый\n"
	"  4) пр..пятствовать, пр..зрение, пр..емник\n"
	"  5) в..ехать, с..ёжиться, ад..ютант\n"
	"answer: 345\n"
	"order: any\n"
	"solution: 3) сбросить, сделка, сжатый — приставка С- не меняется. 4) препятствовать, презрение, преемник — Е (словарные). 5) въехать, съёжиться, адъютант — Ъ после приставки перед Е, Ё, Ю. 1) объявление, подъезд (Ъ), но вьюга (Ь в корне); 2) прибой (И), но преодолеть, преувеличить (Е).\n"
	"\n"
	"id: rus-11-06\n"
	"number: 11\n"
	"topic: Суффиксы\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) тюл..вый, ключ..вой, глянц..вый\n"
	"  2) подсолн..чный, масл..це, сол..нка\n"
	"  3) вьюн..к, замоч..к, бубенч..к\n"
	"  4) выкрик..вать, заканч..вать, затяг..вать\n"
	"  5) доч..нька, мам..нька, сын..к\n"
	"answer: 14\n"
	"order: any\n"
	"solution: 1) тюлевый, ключевой, глянцевый — безударный суффикс -ев- после мягкого, шипящего и Ц. 4) выкрикивать, заканчивать, затягивать — суффикс -ива-. 2) подсолнечный (Е), маслице (И), солонка (О); 3) вьюнок (О), замочек (Е), бубенчик (И); 5) доченька, маменька (-еньк-), но сынок (О).\n"
	"\n"
	"id: rus-12-06\n"
	"number: 12\n"
	"topic: Глаголы и причастия\n"
	"text: Укажите номера рядов, в которых во всех словах пропущена одна и та же буква.\n"
	"  1) (он) гон..т, вер..т, стел..т\n"
	"  2) (они) пил..т, кле..т, стро..т\n"
	"  3) колебл..мый, вед..мый, уважа..мый\n"
	"  4) (ты) кол..шь, бор..шься, мел..шь\n"
	"  5) посе..нный, наве..нный, взлеле..нный\n"
	"answer: 245\n"
	"order: any\n"
	"solution: 2) пилят, клеят, строят — II спряжение, окончание -ят. 4) колешь, борешься, мелешь — I спряжение (колоть, бороться, молоть), -ешь. 5) посеянный, навеянный, взлелеянный — перед -нн- сохраняется Я инфинитива (сеять, веять, лелеять). 1) гонит, верит (II), но стелет (I); 3) колеблемый, уважаемый (Е), но ведомый (О).\n"
	"\n"
	"id: rus-13-06\n"
	"number: 13\n"
	"topic: НЕ с разными частями речи\n"
	"text: Укажите все варианты ответов, в которых НЕ с выделенным словом пишется СЛИТНО. Запишите номера ответов.\n"
	"  1) Мы шли, (НЕ)ЗАМЕЧАЯ дождя.\n"
	"  2) В комнате царил (НЕ)ВООБРАЗИМЫЙ беспорядок.\n"
	"  3) Это был (НЕ)ГЛУПЫЙ, а просто невнимательный человек.\n"
	"  4) Ученик (НЕ)ДОУЧИЛ урок.\n"
	"  5) (НЕ)ВЕЖЕСТВО бывает опаснее злобы.\n"
	"answer: 245\n"
	"order: any\n"
	"solution: 2) НЕВООБРАЗИМЫЙ (= огромный) — прилагательное без противопоставления — слитно; 5) НЕВЕЖЕСТВО без НЕ не употребляется — слитно. 4) НЕДОУЧИТЬ — приставка недо- (неполнота действия) — слитно. 1) с деепричастиями НЕ пишется раздельно; 3) противопоставление с союзом А — раздельно.\n"
	"\n"
	"id: rus-15-03\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  В просторной гости(1)ой на серебря(2)ых блюдах лежали варё(3)ые овощи и свежеиспечё(4)ый пирог.\n"
	"answer: 4\n"
	"order: any\n"
	"solution: Свежеиспечённый — сложное слово, вторая часть образована от приставочного глагола «испечь»: НН. Гостиная — суффикс -ин-; серебряный — суффикс -ян-; варёный — отглагольное прилагательное без приставки: Н.\n"
	"\n"
	"id: rus-15-04\n"
	"number: 15\n"
	"topic: Н и НН\n"
	"text: Укажите цифры, на месте которых пишется НН.\n"
	"  Ветре(1)ая погода сменилась безветре(2)ой, и мы пошли по песча(3)ой дорожке мимо кожа(4)ой мастерской.\n"
	"answer: 2\n"
	"order: any\n"
	"solution: Безветренный — приставочное прилагательное от «ветер» с суффиксом -енн-: НН. Ветреный — исключение с одной Н; песчаный, кожаный — суффикс -ан-: Н.\n"
	"\n"
	"id: rus-16-06\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Расставьте знаки препинания. Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Вдали показался лес и вскоре мы вошли в его тень.\n"
	"  2) Дети рисовали и пели песни.\n"
	"  3) Он говорил медленно но уверенно.\n"
	"  4) Не то дождь не то снег падал на землю.\n"
	"  5) Собака лаяла и рвалась с цепи.\n"
	"answer: 134\n"
	"order: any\n"
	"solution: 1) две основы, союз И: «лес, и вскоре». 3) однородные обстоятельства с союзом НО. 4) повторяющийся союз НЕ ТО — НЕ ТО: «не то дождь, не то снег». 2) и 5) однородные сказуемые с одиночным И — без запятой.\n"
	"\n"
	"id: rus-16-07\n"
	"number: 16\n"
	"topic: Знаки препинания\n"
	"text: Расставьте знаки препинания. Укажите номера предложений, в которых нужно поставить ОДНУ запятую.\n"
	"  1) Ни ветра ни дождя не было весь день.\n"
	"  2) Сестра любит читать и рисовать.\n"
	"  3) Поезд ушёл и на перроне стало тихо.\n"
	"  4) Мы купили хлеб молоко и сыр.\n"
	"  5) Он не только умён но и трудолюбив.\n"
	"answer: 1345\n"
	"order: any\n"
	"solution: 1) повторяющийся союз НИ — НИ. 3) две основы, союз И: «ушёл, и на перроне». 4) бессоюзная связь однородных членов: «хлеб, молоко и сыр». 5) двойной союз НЕ ТОЛЬКО — НО И: запятая перед НО. 2) однородные члены с одиночным И — без запятой.\n"
	"\n"
	"subject: phys\n"
	"title: Физика\n"
	"\n"
	"id: phys-01\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Автомобиль трогается с места с ускорением 2 м/с². Какой путь он пройдёт за 5 с? Ответ дайте в метрах.\n"
	"answer: 25\n"
	"solution: s = at²/2 = 2·25/2 = 25 м.\n"
	"\n"
	"id: phys-02\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Тело, двигавшееся со скоростью 10 м/с, равнозамедленно остановилось за 4 с. Найдите тормозной путь в метрах.\n"
	"answer: 20\n"
	"solution: s = (v₀ + 0)/2 · t = 5·4 = 20 м.\n"
	"\n"
	"id: phys-03\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Мяч бросили вертикально вверх со скоростью 20 м/с. На какую наибольшую высоту он поднимется? Сопротивление воздуха не учитывать, g = 10 м/с². Ответ в метрах.\n"
	"answer: 20\n"
	"solution: h = v²/(2g) = 400/20 = 20 м.\n"
	"\n"
	"id: phys-04\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Точка движется по окружности радиусом 2 м со скоростью 4 м/с. Найдите её центростремительное ускорение в м/с².\n"
	"answer: 8\n"
	"solution: a = v²/R = 16/2 = 8 м/с².\n"
	"\n"
	"id: phys-05\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: Сила 12 Н сообщает телу ускорение 3 м/с². Найдите массу тела в килограммах.\n"
	"answer: 4\n"
	"solution: m = F/a = 12/3 = 4 кг.\n"
	"\n"
	"id: phys-06\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: Пружину жёсткостью 200 Н/м растянули на 5 см. Найдите силу упругости в ньютонах.\n"
	"answer: 10\n"
	"solution: F = kx = 200·0,05 = 10 Н.\n"
	"\n"
	"id: phys-07\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: Брусок массой 2 кг равномерно тянут по горизонтальному столу горизонтальной силой. Коэффициент трения 0,3, g = 10 м/с². Найдите силу тяги в ньютонах.\n"
	"answer: 6\n"
	"solution: При равномерном движении тяга уравновешивает трение скольжения; сила горизонтальна, поэтому N = mg и F = μmg = 0,3·2·10 = 6 Н.\n"
	"\n"
	"id: phys-08\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Найдите импульс тела массой 3 кг, движущегося со скоростью 4 м/с. Ответ в кг·м/с.\n"
	"answer: 12\n"
	"solution: p = mv = 3·4 = 12 кг·м/с.\n"
	"\n"
	"id: phys-09\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Найдите кинетическую энергию тела массой 2 кг, движущегося со скоростью 3 м/с. Ответ в джоулях.\n"
	"answer: 9\n"
	"solution: E = mv²/2 = 2·9/2 = 9 Дж.\n"
	"\n"
	"id: phys-10\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Тело падает без начальной скорости с высоты 20 м. Найдите его скорость у земли в м/с. Сопротивление воздуха не учитывать, g = 10 м/с².\n"
	"answer: 20\n"
	"solution: mgh = mv²/2, v = √(2gh) = √400 = 20 м/с.\n"
	"\n"
	"id: phys-11\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Вагон массой 20 т, движущийся со скоростью 0,5 м/с, сцепляется с неподвижным вагоном массой 30 т. Найдите их скорость после сцепки в м/с.\n"
	"answer: 0,2\n"
	"solution: Импульс сохраняется: 20·0,5 = (20 + 30)·v, v = 10/50 = 0,2 м/с.\n"
	"\n"
	"id: phys-12\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Груз на пружине совершает 30 колебаний за 1 минуту. Найдите период колебаний в секундах.\n"
	"answer: 2\n"
	"solution: T = t/N = 60/30 = 2 с.\n"
	"\n"
	"id: phys-13\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Частота колебаний маятника 4 Гц. Сколько колебаний он совершит за полминуты?\n"
	"answer: 120\n"
	"solution: N = ν·t = 4·30 = 120.\n"
	"\n"
	"id: phys-14\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Лёгкий рычаг находится в равновесии. К одному его плечу длиной 20 см приложена вертикальная сила 6 Н. Какую вертикальную силу нужно приложить к другому плечу длиной 30 см, по другую сторону от оси, чтобы рычаг оставался в равновесии? Массой рычага пренебречь. Ответ дайте в ньютонах.\n"
	"answer: 4\n"
	"solution: Правило моментов: F₁l₁ = F₂l₂, F₂ = 6·20/30 = 4 Н.\n"
	"\n"
	"id: phys-15\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: Температура газа 27 °C. Выразите её в кельвинах.\n"
	"answer: 300\n"
	"solution: T = t + 273 = 300 К.\n"
	"\n"
	"id: phys-16\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: Объём идеального газа постоянной массы изотермически уменьшили с 6 л до 2 л. Начальное давление 100 кПа. Найдите конечное давление в кПа.\n"
	"answer: 300\n"
	"solution: При постоянных массе и температуре pV = const (закон Бойля — Мариотта): p₂ = 100·6/2 = 300 кПа.\n"
	"\n"
	"id: phys-17\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: Концентрация молекул идеального газа не менялась, а давление выросло в 2 раза. Во сколько раз выросла абсолютная температура?\n"
	"answer: 2\n"
	"solution: p = nkT: при неизменной n давление пропорционально T.\n"
	"\n"
	"id: phys-18\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Сколько теплоты нужно, чтобы нагреть 2 кг воды на 10 °C? Удельная теплоёмкость воды 4200 Дж/(кг·°C). Ответ в кДж.\n"
	"answer: 84\n"
	"solution: Q = cmΔt = 4200·2·10 = 84000 Дж = 84 кДж.\n"
	"\n"
	"id: phys-19\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Идеальный газ получил количество теплоты 500 Дж и при этом совершил работу 200 Дж. На сколько джоулей увеличилась внутренняя энергия газа?\n"
	"answer: 300\n"
	"solution: Первый закон термодинамики: Q = ΔU + A, ΔU = Q − A = 500 − 200 = 300 Дж.\n"
	"\n"
	"id: phys-20\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Тепловая машина за цикл получает от нагревателя 1000 Дж и отдаёт холодильнику 600 Дж. Найдите её КПД в процентах.\n"
	"answer: 40\n"
	"solution: η = (1000 − 600)/1000 = 0,4 = 40%.\n"
	"\n"
	"id: phys-21\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Резисторы 4 Ом и 6 Ом соединены последовательно и подключены к напряжению 20 В. Найдите силу тока в амперах.\n"
	"answer: 2\n"
	"solution: R = 4 + 6 = 10 Ом, I = U/R = 20/10 = 2 А.\n"
	"\n"
	"id: phys-22\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Два резистора по 10 Ом соединены параллельно. Найдите общее сопротивление в омах.\n"
	"answer: 5\n"
	"solution: 1/R = 1/10 + 1/10, R = 5 Ом.\n"
	"\n"
	"id: phys-23\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Лампа работает при напряжении 220 В, сила тока 0,5 А. Найдите мощность лампы в ваттах.\n"
	"answer: 110\n"
	"solution: P = UI = 220·0,5 = 110 Вт.\n"
	"\n"
	"id: phys-24\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Расстояние между двумя точечными зарядами увеличили в 2 раза. Во сколько раз уменьшилась сила их взаимодействия?\n"
	"answer: 4\n"
	"solution: По закону Кулона F ~ 1/r², поэтому сила уменьшится в 2² = 4 раза.\n"
	"\n"
	"id: phys-25\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Проводник длиной 0,5 м с током 4 А расположен в однородном магнитном поле с индукцией 0,2 Тл перпендикулярно линиям индукции. Найдите силу Ампера в ньютонах.\n"
	"answer: 0,4\n"
	"solution: F = BIl = 0,2·4·0,5 = 0,4 Н.\n"
	"\n"
	"id: phys-26\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Магнитный поток через контур равномерно изменился на 0,6 Вб за 0,2 с. Найдите модуль ЭДС индукции в вольтах.\n"
	"answer: 3\n"
	"solution: |ε| = ΔΦ/Δt = 0,6/0,2 = 3 В.\n"
	"\n"
	"id: phys-27\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Угол падения луча на плоское зеркало равен 35°. Найдите угол между падающим и отражённым лучами в градусах.\n"
	"answer: 70\n"
	"solution: Угол отражения равен углу падения, угол между лучами 35° + 35° = 70°.\n"
	"\n"
	"id: phys-28\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Оптическая сила собирающей линзы 4 дптр. Найдите её фокусное расстояние в сантиметрах.\n"
	"answer: 25\n"
	"solution: F = 1/D = 1/4 м = 0,25 м = 25 см.\n"
	"\n"
	"id: phys-29\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: Период полураспада изотопа 10 суток. Какой процент ядер останется нераспавшимся через 30 суток?\n"
	"answer: 12,5\n"
	"solution: 30 суток — три периода: (1/2)³ = 1/8 = 12,5%.\n"
	"\n"
	"id: phys-30\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: Сколько нейтронов в ядре урана ²³⁸₉₂U?\n"
	"answer: 146\n"
	"solution: N = A − Z = 238 − 92 = 146.\n"
	"\n"
	"id: phys-05-01\n"
	"number: 5\n"
	"topic: Механика\n"
	"text: Тело движется вдоль оси Ox, его координата меняется по закону x = 4 + 2t − t² (x — в метрах, t — в секундах). Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Начальная скорость тела равна 2 м/с.\n"
	"  2) Модуль ускорения тела равен 1 м/с².\n"
	"  3) В момент t = 1 с скорость тела равна нулю.\n"
	"  4) В момент t = 2 с тело находится в той же точке, что и при t = 0.\n"
	"  5) Путь, пройденный телом за первые 3 с, равен 3 м.\n"
	"answer: 134\n"
	"order: any\n"
	"solution: v = x′ = 2 − 2t, a = −2 м/с²: верно 1, неверно 2. v(1) = 0 — верно 3. x(2) = 4 + 4 − 4 = 4 = x(0) — верно 4. За 0–1 с тело прошло от 4 до 5 м (1 м), за 1–3 с вернулось от 5 до 1 м (4 м): путь 5 м — неверно 5.\n"
	"\n"
	"id: phys-05-02\n"
	"number: 5\n"
	"topic: Механика\n"
	"text: Автомобиль движется по прямой дороге. Его скорость в разные моменты времени: t = 0, 2, 4, 6, 8, 10 с; v = 0, 4, 8, 8, 8, 4 м/с. Считайте, что между соседними моментами скорость менялась равномерно. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) В интервале от 0 до 4 с модуль ускорения автомобиля был равен 2 м/с².\n"
	"  2) В интервале от 4 до 8 с автомобиль покоился.\n"
	"  3) Путь, пройденный за первые 4 с, равен 32 м.\n"
	"  4) В интервале от 8 до 10 с модуль ускорения был равен 2 м/с².\n"
	"  5) В интервале от 4 до 8 с автомобиль проехал 32 м.\n"
	"answer: 145\n"
	"order: any\n"
	"solution: 0–4 с: a = 8/4 = 2 м/с² (верно 1), путь = 8·4/2 = 16 м (неверно 3). 4–8 с: движение равномерное со скоростью 8 м/с, путь 8·4 = 32 м (неверно 2, верно 5). 8–10 с: |a| = 4/2 = 2 м/с² (верно 4).\n"
	"\n"
	"id: phys-05-03\n"
	"number: 5\n"
	"topic: Механика\n"
	"text: Мяч бросили вертикально вверх со скоростью 20 м/с. Сопротивлением воздуха пренебречь, g = 10 м/с². Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Время подъёма мяча до верхней точки равно 2 с.\n"
	"  2) Максимальная высота подъёма равна 40 м.\n"
	"  3) Через 3 с после броска скорость мяча направлена вниз и равна по модулю 10 м/с.\n"
	"  4) В верхней точке ускорение мяча равно нулю.\n"
	"  5) Мяч вернётся в точку броска через 4 с после броска.\n"
	"answer: 135\n"
	"order: any\n"
	"solution: t = v₀/g = 2 с (верно 1), h = v₀²/(2g) = 20 м (неверно 2). v(3) = 20 − 30 = −10 м/с (верно 3). Ускорение всё время g = 10 м/с² (неверно 4). Время полёта 2v₀/g = 4 с (верно 5).\n"
	"\n"
	"id: phys-05-04\n"
	"number: 5\n"
	"topic: Механика\n"
	"text: Груз массой 0,4 кг колеблется на пружине жёсткостью 40 Н/м с амплитудой 5 см. Трением пренебречь. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Период колебаний груза приблизительно равен 0,63 с.\n"
	"  2) Максимальная скорость груза равна 0,5 м/с.\n"
	"  3) Полная механическая энергия колебаний равна 0,1 Дж.\n"
	"  4) Если массу груза увеличить в 4 раза, период колебаний увеличится в 2 раза.\n"
	"  5) Максимальная сила упругости пружины равна 20 Н.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: ω = √(k/m) = 10 рад/с, T = 2π/ω ≈ 0,63 с (верно 1), v_max = Aω = 0,05·10 = 0,5 м/с (верно 2). E = kA²/2 = 40·0,0025/2 = 0,05 Дж (неверно 3). T ~ √m: в 4 раза больше масса — в 2 раза больше период (верно 4). F_max = kA = 2 Н (неверно 5).\n"
	"\n"
	"id: phys-05-05\n"
	"number: 5\n"
	"topic: Механика\n"
	"text: Тележка массой 2 кг, движущаяся со скоростью 3 м/с, сталкивается с неподвижной тележкой массой 1 кг, и дальше они движутся вместе. Трением пренебречь. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Скорость тележек после сцепки равна 2 м/с.\n"
	"  2) Суммарный импульс тележек до столкновения равен 6 кг·м/с.\n"
	"  3) Кинетическая энергия системы при столкновении сохранилась.\n"
	"  4) При столкновении в теплоту перешло 3 Дж механической энергии.\n"
	"  5) Импульс второй тележки после столкновения равен 4 кг·м/с.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: p = 2·3 = 6 кг·м/с (верно 2), v = 6/3 = 2 м/с (верно 1). E до = 2·9/2 = 9 Дж, после = 3·4/2 = 6 Дж: энергия не сохранилась (неверно 3), в теплоту ушло 3 Дж (верно 4). p₂ = 1·2 = 2 кг·м/с (неверно 5).\n"
	"\n"
	"id: phys-06-01\n"
	"number: 6\n"
	"topic: Механика: изменение величин\n"
	"text: Брусок соскальзывает с гладкой наклонной плоскости. Угол наклона плоскости увеличили. Как изменятся при этом ускорение бруска и модуль силы нормальной реакции опоры?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 12\n"
	"order: digits\n"
	"solution: Без трения a = g·sin α — растёт с углом (1); N = mg·cos α — уменьшается (2).\n"
	"\n"
	"id: phys-06-02\n"
	"number: 6\n"
	"topic: Механика: изменение величин\n"
	"text: Искусственный спутник перешёл с одной круговой орбиты вокруг Земли на другую круговую орбиту большего радиуса. Как изменились при этом скорость спутника и период его обращения?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 21\n"
	"order: digits\n"
	"solution: Сила тяготения сообщает центростремительное ускорение: GMm/r² = mv²/r, v = √(GM/r) — уменьшается (2); T = 2πr/v ~ r^(3/2) — увеличивается (1).\n"
	"\n"
	"id: phys-06-03\n"
	"number: 6\n"
	"topic: Механика: изменение величин\n"
	"text: Груз пружинного маятника заменили на груз большей массы, оставив прежними пружину и амплитуду колебаний. Как изменятся при этом период колебаний и максимальная потенциальная энергия пружины?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 13\n"
	"order: digits\n"
	"solution: T = 2π√(m/k) — увеличится (1). Максимальная энергия пружины kA²/2 от массы не зависит (3).\n"
	"\n"
	"id: phys-06-04\n"
	"number: 6\n"
	"topic: Механика: изменение величин\n"
	"text: Тело бросили вертикально вверх с начальной скоростью v₀; сопротивлением воздуха пренебречь, g — ускорение свободного падения. Установите соответствие между физическими величинами и формулами, по которым их можно рассчитать. К каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ФИЗИЧЕСКИЕ ВЕЛИЧИНЫ\n"
	"  А) максимальная высота подъёма\n"
	"  Б) время полёта до возвращения в точку броска\n"
	"  ФОРМУЛЫ\n"
	"  1) v₀/g\n"
	"  2) 2v₀/g\n"
	"  3) v₀²/(2g)\n"
	"  4) v₀²/g\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБ.\n"
	"answer: 32\n"
	"order: digits\n"
	"solution: Подъём длится v₀/g, высота h = v₀²/(2g) — это 3. Спуск длится столько же, весь полёт 2v₀/g — это 2.\n"
	"\n"
	"id: phys-06-05\n"
	"number: 6\n"
	"topic: Механика: изменение величин\n"
	"text: Шайба, скользившая по горизонтальному льду со скоростью v, останавливается под действием силы трения; коэффициент трения μ, g — ускорение свободного падения. Установите соответствие между физическими величинами и формулами, по которым их можно рассчитать. К каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ФИЗИЧЕСКИЕ ВЕЛИЧИНЫ\n"
	"  А) тормозной путь шайбы\n"
	"  Б) время торможения\n"
	"  ФОРМУЛЫ\n"
	"  1) v/(μg)\n"
	"  2) v²/(2μg)\n"
	"  3) μg\n"
	"  4) v²/(μg)\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБ.\n"
	"answer: 21\n"
	"order: digits\n"
	"solution: Ускорение торможения a = μg. Путь s = v²/(2a) = v²/(2μg) — это 2; время t = v/a = v/(μg) — это 1.\n"
	"\n"
	"id: phys-09-01\n"
	"number: 9\n"
	"topic: МКТ и термодинамика\n"
	"text: Один моль идеального одноатомного газа переводят из состояния 1 (p = 100 кПа, V = 10 л) в состояние 2 (p = 100 кПа, V = 20 л), а затем в состояние 3 (p = 50 кПа, V = 20 л). Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Работа газа в процессе 1–2 равна 1 кДж.\n"
	"  2) Температура газа в состоянии 3 равна его температуре в состоянии 1.\n"
	"  3) В процессе 2–3 газ получал теплоту.\n"
	"  4) В процессе 1–2 внутренняя энергия газа увеличилась на 1,5 кДж.\n"
	"  5) В процессе 1–2 газ получил количество теплоты 2 кДж.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: 1–2 изобарный: A = pΔV = 10⁵·0,01 = 1000 Дж (верно 1), ΔU = 3/2·pΔV = 1,5 кДж (верно 4), Q = A + ΔU = 2,5 кДж (неверно 5). pV в состояниях 1 и 3 одинаково (1000 Дж), значит T₁ = T₃ (верно 2). 2–3 изохорное охлаждение: газ отдаёт теплоту (неверно 3).\n"
	"\n"
	"id: phys-09-02\n"
	"number: 9\n"
	"topic: МКТ и термодинамика\n"
	"text: Идеальный газ в закрытом сосуде постоянного объёма нагрели от 300 К до 450 К. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Давление газа увеличилось в 1,5 раза.\n"
	"  2) Средняя кинетическая энергия теплового движения молекул увеличилась в 1,5 раза.\n"
	"  3) Газ совершил положительную работу.\n"
	"  4) Концентрация молекул газа уменьшилась.\n"
	"  5) Всё полученное газом количество теплоты пошло на увеличение его внутренней энергии.\n"
	"answer: 125\n"
	"order: any\n"
	"solution: При V = const p ~ T: в 450/300 = 1,5 раза (верно 1); E = 3/2·kT — тоже в 1,5 раза (верно 2). Объём не меняется: работы нет (неверно 3), концентрация та же (неверно 4), Q = ΔU (верно 5).\n"
	"\n"
	"id: phys-09-03\n"
	"number: 9\n"
	"topic: МКТ и термодинамика\n"
	"text: В закрытом сосуде под поршнем находятся воздух и водяной пар. Давление пара 1,2 кПа, давление насыщенного пара при этой температуре 2,4 кПа. Температура остаётся постоянной. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Относительная влажность воздуха в сосуде равна 50 %.\n"
	"  2) Если уменьшить объём сосуда в 2 раза, пар станет насыщенным.\n"
	"  3) Если уменьшить объём сосуда в 3 раза, давление пара станет 3,6 кПа.\n"
	"  4) Если увеличить объём сосуда в 2 раза, относительная влажность станет 25 %.\n"
	"  5) Если уменьшить объём сосуда в 3 раза, масса пара в сосуде не изменится.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: φ = 1,2/2,4 = 50 % (верно 1). При сжатии в 2 раза p = 2,4 кПа — насыщение (верно 2). Дальше давление пара не растёт выше 2,4 кПа, лишний пар конденсируется: неверно 3 и 5. При расширении в 2 раза p = 0,6 кПа, φ = 25 % (верно 4).\n"
	"\n"
	"id: phys-09-04\n"
	"number: 9\n"
	"topic: МКТ и термодинамика\n"
	"text: Идеальная тепловая машина работает по циклу Карно: температура нагревателя 500 К, холодильника 300 К. За цикл машина получает от нагревателя 2 кДж теплоты. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) КПД машины равен 40 %.\n"
	"  2) За цикл машина совершает работу 1,2 кДж.\n"
	"  3) За цикл холодильнику передаётся 1,2 кДж теплоты.\n"
	"  4) Если повысить температуру нагревателя, КПД машины увеличится.\n"
	"  5) КПД машины станет 100 %, если увеличить количество теплоты, получаемой от нагревателя.\n"
	"answer: 134\n"
	"order: any\n"
	"solution: η = 1 − 300/500 = 0,4 (верно 1), A = 0,4·2 = 0,8 кДж (неверно 2), Q₂ = 2 − 0,8 = 1,2 кДж (верно 3). η растёт с T₁ (верно 4) и не зависит от Q₁ (неверно 5).\n"
	"\n"
	"id: phys-09-05\n"
	"number: 9\n"
	"topic: МКТ и термодинамика\n"
	"text: Лёд массой 0,5 кг при температуре 0 °C расплавили и полученную воду нагрели до 20 °C. Удельная теплота плавления льда 330 кДж/кг, удельная теплоёмкость воды 4200 Дж/(кг·°C). Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Для плавления льда потребовалось 165 кДж.\n"
	"  2) Во время плавления температура льда повышалась.\n"
	"  3) Для нагревания воды до 20 °C потребовалось 42 кДж.\n"
	"  4) При плавлении внутренняя энергия вещества не изменилась.\n"
	"  5) Всего веществу передали 207 кДж теплоты.\n"
	"answer: 135\n"
	"order: any\n"
	"solution: Q₁ = λm = 330·0,5 = 165 кДж (верно 1); при плавлении температура постоянна (неверно 2), а внутренняя энергия растёт на полученную теплоту (неверно 4). Q₂ = cmΔt = 4200·0,5·20 = 42 кДж (верно 3). Всего 207 кДж (верно 5).\n"
	"\n"
	"id: phys-10-01\n"
	"number: 10\n"
	"topic: МКТ и термодинамика: изменение величин\n"
	"text: Идеальный газ постоянной массы изотермически сжимают. Как изменятся при этом давление газа и его внутренняя энергия?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 13\n"
	"order: digits\n"
	"solution: При T = const pV = const: объём уменьшается — давление растёт (1). Внутренняя энергия идеального газа зависит только от температуры (3).\n"
	"\n"
	"id: phys-10-02\n"
	"number: 10\n"
	"topic: МКТ и термодинамика: изменение величин\n"
	"text: Идеальный газ постоянной массы изобарно нагревают. Как изменятся при этом объём газа и концентрация его молекул?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 12\n"
	"order: digits\n"
	"solution: При p = const V ~ T — объём растёт (1); n = N/V при неизменном числе молекул уменьшается (2).\n"
	"\n"
	"id: phys-10-03\n"
	"number: 10\n"
	"topic: МКТ и термодинамика: изменение величин\n"
	"text: В идеальной тепловой машине, работающей по циклу Карно, понизили температуру холодильника, оставив прежними температуру нагревателя и количество теплоты, получаемой от нагревателя за цикл. Как изменятся КПД машины и работа, совершаемая за цикл?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 11\n"
	"order: digits\n"
	"solution: η = 1 − T₂/T₁ растёт при уменьшении T₂ (1); A = ηQ₁ при том же Q₁ тоже растёт (1).\n"
	"\n"
	"id: phys-10-04\n"
	"number: 10\n"
	"topic: МКТ и термодинамика: изменение величин\n"
	"text: Идеальный газ постоянной массы участвует в процессах. Установите соответствие между процессами и утверждениями, верными для них (ΔU — изменение внутренней энергии газа, A — работа газа, Q — полученное количество теплоты). К каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ПРОЦЕССЫ\n"
	"  А) изохорное нагревание\n"
	"  Б) изотермическое расширение\n"
	"  УТВЕРЖДЕНИЯ\n"
	"  1) ΔU = 0\n"
	"  2) A = 0\n"
	"  3) Q = 0\n"
	"  4) давление не меняется\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБ.\n"
	"answer: 21\n"
	"order: digits\n"
	"solution: Изохорный процесс: объём не меняется, A = 0 — это 2 (ΔU и Q не равны нулю, давление растёт). Изотермический: T = const, ΔU = 0 — это 1 (газ совершает работу за счёт теплоты, давление падает).\n"
	"\n"
	"id: phys-10-05\n"
	"number: 10\n"
	"topic: МКТ и термодинамика: изменение величин\n"
	"text: Идеальный газ в закрытом сосуде постоянного объёма охлаждают. Как изменятся при этом давление газа и средняя кинетическая энергия теплового движения его молекул?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 22\n"
	"order: digits\n"
	"solution: При V = const p ~ T — уменьшается (2); средняя кинетическая энергия 3/2·kT — тоже уменьшается (2).\n"
	"\n"
	"id: phys-14-01\n"
	"number: 14\n"
	"topic: Электродинамика и оптика\n"
	"text: Резисторы сопротивлением 2 Ом и 4 Ом соединены последовательно и подключены к идеальному источнику с напряжением 12 В. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Сила тока в цепи равна 2 А.\n"
	"  2) Напряжение на резисторе 2 Ом равно 8 В.\n"
	"  3) Мощность, выделяющаяся на резисторе 4 Ом, равна 16 Вт.\n"
	"  4) Если соединить эти резисторы параллельно, их общее сопротивление станет 4/3 Ом.\n"
	"  5) За 10 с в резисторе 2 Ом выделится 40 Дж теплоты.\n"
	"answer: 134\n"
	"order: any\n"
	"solution: I = 12/(2 + 4) = 2 А (верно 1); U₁ = 2·2 = 4 В (неверно 2); P₂ = I²R₂ = 16 Вт (верно 3); параллельно 2·4/(2 + 4) = 4/3 Ом (верно 4); Q₁ = I²R₁t = 4·2·10 = 80 Дж (неверно 5).\n"
	"\n"
	"id: phys-14-02\n"
	"number: 14\n"
	"topic: Электродинамика и оптика\n"
	"text: Плоский воздушный конденсатор ёмкостью 2 мкФ заряжен до напряжения 100 В. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Заряд конденсатора равен 200 мкКл.\n"
	"  2) Энергия конденсатора равна 0,01 Дж.\n"
	"  3) Если, отключив конденсатор от источника, увеличить расстояние между пластинами в 2 раза, его ёмкость увеличится в 2 раза.\n"
	"  4) Если, отключив конденсатор от источника, увеличить расстояние между пластинами в 2 раза, напряжение на нём станет 200 В.\n"
	"  5) Если, не отключая от источника, заполнить конденсатор диэлектриком с ε = 2, заряд конденсатора уменьшится.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: q = CU = 2·10⁻⁶·100 = 2·10⁻⁴ Кл (верно 1), W = CU²/2 = 0,01 Дж (верно 2). C = εε₀S/d: при d·2 ёмкость вдвое меньше (неверно 3), заряд сохраняется, U = q/C = 200 В (верно 4). С диэлектриком C растёт, при том же U заряд растёт (неверно 5).\n"
	"\n"
	"id: phys-14-03\n"
	"number: 14\n"
	"topic: Электродинамика и оптика\n"
	"text: Точечные заряды +2 нКл и −2 нКл находятся в вакууме на расстоянии 0,3 м друг от друга; k = 9·10⁹ Н·м²/Кл². Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Заряды притягиваются друг к другу.\n"
	"  2) Модуль силы их взаимодействия равен 0,4 мкН.\n"
	"  3) Напряжённость электрического поля в середине отрезка, соединяющего заряды, равна нулю.\n"
	"  4) Если расстояние между зарядами уменьшить в 3 раза, сила взаимодействия увеличится в 3 раза.\n"
	"  5) Потенциал электрического поля в середине отрезка, соединяющего заряды, равен нулю.\n"
	"answer: 125\n"
	"order: any\n"
	"solution: Разноимённые заряды притягиваются (верно 1); F = kq²/r² = 9·10⁹·4·10⁻¹⁸/0,09 = 4·10⁻⁷ Н (верно 2). В середине напряжённости обоих зарядов направлены к отрицательному и складываются (неверно 3), а потенциалы kq/r и −kq/r в сумме дают 0 (верно 5). F ~ 1/r²: в 9 раз (неверно 4).\n"
	"\n"
	"id: phys-14-04\n"
	"number: 14\n"
	"topic: Электродинамика и оптика\n"
	"text: Электрон влетает в однородное магнитное поле перпендикулярно линиям индукции. Действием других сил пренебречь. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Сила Лоренца не совершает работы над электроном.\n"
	"  2) Модуль скорости электрона в поле увеличивается.\n"
	"  3) Электрон движется по окружности.\n"
	"  4) Если увеличить скорость электрона в 2 раза, радиус его траектории увеличится в 2 раза.\n"
	"  5) Период обращения электрона тем больше, чем больше его скорость.\n"
	"answer: 134\n"
	"order: any\n"
	"solution: Сила Лоренца перпендикулярна скорости: работы нет (верно 1), модуль скорости постоянен (неверно 2), траектория — окружность (верно 3). r = mv/(|e|B) ~ v (верно 4), T = 2πm/(|e|B) от скорости не зависит (неверно 5).\n"
	"\n"
	"id: phys-14-05\n"
	"number: 14\n"
	"topic: Электродинамика и оптика\n"
	"text: Предмет находится на расстоянии 30 см от тонкой собирающей линзы с фокусным расстоянием 10 см. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Изображение предмета действительное.\n"
	"  2) Изображение находится на расстоянии 15 см от линзы.\n"
	"  3) Изображение увеличенное.\n"
	"  4) Оптическая сила линзы равна 10 дптр.\n"
	"  5) Если поместить предмет на расстоянии 5 см от линзы, его изображение будет действительным.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: 1/f = 1/10 − 1/30 = 1/15, f = 15 см > 0 — изображение действительное (верно 1, 2); Γ = f/d = 0,5 — уменьшенное (неверно 3). D = 1/0,1 м = 10 дптр (верно 4). При d < F изображение мнимое (неверно 5).\n"
	"\n"
	"id: phys-15-01\n"
	"number: 15\n"
	"topic: Электродинамика: изменение величин\n"
	"text: Плоский воздушный конденсатор подключён к источнику постоянного напряжения. Расстояние между его пластинами увеличили. Как изменятся при этом ёмкость конденсатора и заряд на его пластинах?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 22\n"
	"order: digits\n"
	"solution: C = ε₀S/d — уменьшается (2); напряжение задаёт источник, q = CU — уменьшается (2).\n"
	"\n"
	"id: phys-15-02\n"
	"number: 15\n"
	"topic: Электродинамика: изменение величин\n"
	"text: Плоский воздушный конденсатор зарядили и отключили от источника. Затем расстояние между пластинами увеличили. Как изменятся при этом заряд конденсатора и напряжение между пластинами?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 31\n"
	"order: digits\n"
	"solution: Отключённый конденсатор сохраняет заряд (3); ёмкость C = ε₀S/d уменьшается, U = q/C растёт (1).\n"
	"\n"
	"id: phys-15-03\n"
	"number: 15\n"
	"topic: Электродинамика: изменение величин\n"
	"text: Реостат подключён к источнику с ЭДС ℰ и внутренним сопротивлением r. Сопротивление реостата увеличили. Как изменятся при этом сила тока в цепи и напряжение на реостате?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 21\n"
	"order: digits\n"
	"solution: I = ℰ/(R + r) уменьшается (2); U = ℰ − Ir растёт, потому что падение напряжения на внутреннем сопротивлении уменьшается (1).\n"
	"\n"
	"id: phys-15-04\n"
	"number: 15\n"
	"topic: Электродинамика: изменение величин\n"
	"text: Частица массой m и зарядом q движется в однородном магнитном поле с индукцией B со скоростью v, перпендикулярной линиям индукции. Установите соответствие между физическими величинами и формулами, по которым их можно рассчитать. К каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ФИЗИЧЕСКИЕ ВЕЛИЧИНЫ\n"
	"  А) радиус траектории частицы\n"
	"  Б) период обращения частицы\n"
	"  ФОРМУЛЫ\n"
	"  1) mv/(qB)\n"
	"  2) 2πm/(qB)\n"
	"  3) qB/(mv)\n"
	"  4) 2πmv/(qB)\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБ.\n"
	"answer: 12\n"
	"order: digits\n"
	"solution: Сила Лоренца сообщает центростремительное ускорение: qvB = mv²/R, R = mv/(qB) — это 1; T = 2πR/v = 2πm/(qB) — это 2.\n"
	"\n"
	"id: phys-15-05\n"
	"number: 15\n"
	"topic: Электродинамика: изменение величин\n"
	"text: Луч монохроматического света переходит из воздуха в стекло. Как изменятся при этом скорость распространения света и его частота?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 23\n"
	"order: digits\n"
	"solution: v = c/n, n > 1 — скорость уменьшается (2); частота задаётся источником и при переходе не меняется (3), меняется длина волны.\n"
	"\n"
	"id: phys-17-01\n"
	"number: 17\n"
	"topic: Квантовая физика\n"
	"text: Частоту света, падающего на металлическую пластинку, увеличили; фотоэффект наблюдается в обоих случаях. Как изменятся при этом максимальная кинетическая энергия фотоэлектронов и работа выхода электронов из металла?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 13\n"
	"order: digits\n"
	"solution: Уравнение Эйнштейна: E_max = hν − A_вых — растёт с частотой (1); работа выхода — свойство металла (3).\n"
	"\n"
	"id: phys-17-02\n"
	"number: 17\n"
	"topic: Квантовая физика\n"
	"text: Ядро испытывает α-распад. Как изменятся при этом зарядовое число ядра и число нейтронов в нём?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 22\n"
	"order: digits\n"
	"solution: α-частица — ядро гелия ⁴₂He: Z уменьшается на 2 (2), A — на 4, число нейтронов N = A − Z — на 2 (2).\n"
	"\n"
	"id: phys-17-03\n"
	"number: 17\n"
	"topic: Квантовая физика\n"
	"text: Ядро испытывает β⁻-распад. Как изменятся при этом массовое число ядра и его зарядовое число?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 31\n"
	"order: digits\n"
	"solution: При β⁻-распаде нейтрон превращается в протон с вылетом электрона: A не меняется (3), Z увеличивается на 1 (1).\n"
	"\n"
	"id: phys-17-04\n"
	"number: 17\n"
	"topic: Квантовая физика\n"
	"text: Длину волны монохроматического света уменьшили. Как изменятся при этом энергия фотона и модуль импульса фотона?\n"
	"  Для каждой величины определите соответствующий характер изменения:\n"
	"  1) увеличится\n"
	"  2) уменьшится\n"
	"  3) не изменится\n"
	"  Запишите в ответ выбранные цифры для каждой величины в том порядке, в каком величины названы в вопросе. Цифры в ответе могут повторяться.\n"
	"answer: 11\n"
	"order: digits\n"
	"solution: E = hc/λ и p = h/λ: при меньшей длине волны обе величины растут (1 и 1).\n"
	"\n"
	"id: phys-17-05\n"
	"number: 17\n"
	"topic: Квантовая физика\n"
	"text: Свет частотой ν распространяется в вакууме; h — постоянная Планка, c — скорость света. Установите соответствие между физическими величинами и формулами, по которым их можно рассчитать. К каждой позиции первого столбца подберите соответствующую позицию из второго столбца.\n"
	"  ФИЗИЧЕСКИЕ ВЕЛИЧИНЫ\n"
	"  А) энергия фотона\n"
	"  Б) модуль импульса фотона\n"
	"  ФОРМУЛЫ\n"
	"  1) hν\n"
	"  2) hν/c\n"
	"  3) hc/ν\n"
	"  4) hν/c²\n"
	"  Запишите в ответ цифры, расположив их в порядке, соответствующем буквам: АБ.\n"
	"answer: 12\n"
	"order: digits\n"
	"solution: E = hν — это 1; p = E/c = hν/c = h/λ — это 2.\n"
	"\n"
	"id: phys-18-01\n"
	"number: 18\n"
	"topic: Физика: общие утверждения\n"
	"text: Даны утверждения о физических явлениях и закономерностях. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Сила тяжести, действующая у поверхности Земли на тело массой 2 кг, равна 20 Н (g = 10 м/с²).\n"
	"  2) При изобарном нагревании идеального газа постоянной массы его объём уменьшается.\n"
	"  3) Если длину металлического проводника увеличить в 2 раза, не меняя площади сечения, его сопротивление увеличится в 2 раза.\n"
	"  4) Энергия фотона обратно пропорциональна частоте излучения.\n"
	"  5) Период малых колебаний математического маятника не зависит от массы груза.\n"
	"answer: 135\n"
	"order: any\n"
	"solution: 1) F = mg = 20 Н — верно. 2) при p = const V ~ T — объём растёт. 3) R = ρl/S ~ l — верно. 4) E = hν — прямо пропорциональна. 5) T = 2π√(l/g) — верно.\n"
	"\n"
	"id: phys-18-02\n"
	"number: 18\n"
	"topic: Физика: общие утверждения\n"
	"text: Даны утверждения о физических явлениях и закономерностях. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Импульс тела массой 3 кг, движущегося со скоростью 2 м/с, равен 5 кг·м/с.\n"
	"  2) При последовательном соединении двух одинаковых резисторов общее сопротивление меньше сопротивления каждого из них.\n"
	"  3) Угол отражения света от плоского зеркала равен углу падения.\n"
	"  4) При α-распаде массовое число ядра уменьшается на 2.\n"
	"  5) При изотермическом процессе внутренняя энергия идеального газа постоянной массы не меняется.\n"
	"answer: 35\n"
	"order: any\n"
	"solution: 1) p = mv = 6 кг·м/с. 2) последовательно R = R₁ + R₂ — больше каждого. 3) закон отражения — верно. 4) α-частица уносит A = 4. 5) U идеального газа зависит только от T — верно.\n"
	"\n"
	"id: phys-18-03\n"
	"number: 18\n"
	"topic: Физика: общие утверждения\n"
	"text: Даны утверждения о физических явлениях и закономерностях. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Скорость свободно падающего тела через 2 с после начала падения без начальной скорости равна 20 м/с (g = 10 м/с², сопротивлением воздуха пренебречь).\n"
	"  2) При увеличении расстояния между двумя точечными зарядами в 2 раза сила их взаимодействия уменьшается в 2 раза.\n"
	"  3) Давление идеального газа постоянной массы при постоянном объёме прямо пропорционально абсолютной температуре.\n"
	"  4) За время, равное двум периодам полураспада, распадается 75 % исходных радиоактивных ядер.\n"
	"  5) Собирающая линза с фокусным расстоянием 0,5 м имеет оптическую силу 0,5 дптр.\n"
	"answer: 134\n"
	"order: any\n"
	"solution: 1) v = gt = 20 м/с — верно. 2) F ~ 1/r² — в 4 раза. 3) закон Шарля — верно. 4) остаётся (1/2)² = 25 %, распадается 75 % — верно. 5) D = 1/F = 2 дптр.\n"
	"\n"
	"id: phys-18-04\n"
	"number: 18\n"
	"topic: Физика: общие утверждения\n"
	"text: Даны утверждения о физических явлениях и закономерностях. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) Работа силы тяжести при перемещении тела по замкнутой траектории равна нулю.\n"
	"  2) При адиабатном расширении идеальный газ нагревается.\n"
	"  3) Сила Ампера, действующая на прямой проводник с током, расположенный вдоль линий магнитной индукции, равна нулю.\n"
	"  4) Частота фотона, излучаемого атомом при переходе между двумя энергетическими уровнями, не зависит от разности энергий этих уровней.\n"
	"  5) Кинетическая энергия тела массой 1 кг, движущегося со скоростью 4 м/с, равна 16 Дж.\n"
	"answer: 13\n"
	"order: any\n"
	"solution: 1) A = mg(h₁ − h₂) = 0 при возврате в начальную точку — верно. 2) Q = 0, A > 0, ΔU = −A < 0 — газ охлаждается. 3) F = BIl·sin 0° = 0 — верно. 4) hν = E₂ − E₁ — зависит. 5) E = mv²/2 = 8 Дж.\n"
	"\n"
	"id: phys-18-05\n"
	"number: 18\n"
	"topic: Физика: общие утверждения\n"
	"text: Даны утверждения о физических явлениях и закономерностях. Выберите все верные утверждения. Запишите цифры, под которыми они указаны.\n"
	"  1) При равноускоренном движении из состояния покоя путь пропорционален квадрату времени движения.\n"
	"  2) Чтобы нагреть 1 кг воды на 2 °C, ей нужно передать 8400 Дж теплоты (c = 4200 Дж/(кг·°C)).\n"
	"  3) Ёмкость плоского конденсатора увеличивается при увеличении расстояния между его пластинами.\n"
	"  4) Скорость света в стекле с показателем преломления 1,5 равна 2·10⁸ м/с (c = 3·10⁸ м/с).\n"
	"  5) В ядре ¹⁴₆C содержится 8 протонов.\n"
	"answer: 124\n"
	"order: any\n"
	"solution: 1) s = at²/2 — верно. 2) Q = cmΔt = 4200·1·2 = 8400 Дж — верно. 3) C = εε₀S/d — уменьшается. 4) v = c/n = 2·10⁸ м/с — верно. 5) протонов Z = 6 (нейтронов 8).\n"
	"\n"
	"id: phys-01-01\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Координата тела меняется по закону x = 5 − 3t (x в метрах, t в секундах). Найдите координату тела через 4 с после начала движения. Ответ в метрах.\n"
	"answer: -7\n"
	"solution: x(4) = 5 − 3·4 = −7 м.\n"
	"\n"
	"id: phys-02-01\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: Лифт движется вверх с ускорением 2 м/с². Найдите вес человека массой 60 кг в лифте (g = 10 м/с²). Ответ в ньютонах.\n"
	"answer: 720\n"
	"solution: N − mg = ma, вес P = N = m(g + a) = 60·12 = 720 Н.\n"
	"\n"
	"id: phys-02-02\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: Во сколько раз уменьшится сила притяжения космического аппарата к Земле, если его расстояние до центра Земли увеличится с R до 3R?\n"
	"answer: 9\n"
	"solution: По закону всемирного тяготения F ~ 1/r²: сила уменьшится в 3² = 9 раз.\n"
	"\n"
	"id: phys-03-01\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Пружина жёсткостью 400 Н/м сжата на 5 см. Найдите её потенциальную энергию в джоулях.\n"
	"answer: 0,5\n"
	"solution: E = kx²/2 = 400·0,05²/2 = 0,5 Дж.\n"
	"\n"
	"id: phys-04-01\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Период колебаний математического маятника 2 с. Каким станет период, если длину нити увеличить в 4 раза? Ответ в секундах.\n"
	"answer: 4\n"
	"solution: T = 2π√(l/g) ~ √l: период вырастет в √4 = 2 раза, до 4 с.\n"
	"\n"
	"id: phys-04-02\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Тело объёмом 0,002 м³ полностью погружено в воду (ρ = 1000 кг/м³, g = 10 м/с²). Найдите выталкивающую силу в ньютонах.\n"
	"answer: 20\n"
	"solution: Сила Архимеда F = ρgV = 1000·10·0,002 = 20 Н.\n"
	"\n"
	"id: phys-07-01\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: Идеальный газ постоянной массы изобарно нагрели от 300 К до 450 К. Начальный объём 4 л. Найдите конечный объём в литрах.\n"
	"answer: 6\n"
	"solution: При p = const V/T = const (закон Гей-Люссака): V₂ = 4·450/300 = 6 л.\n"
	"\n"
	"id: phys-07-02\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: Сколько молей вещества содержится в 64 г кислорода O₂ (M = 32 г/моль)?\n"
	"answer: 2\n"
	"solution: ν = m/M = 64/32 = 2 моль.\n"
	"\n"
	"id: phys-08-01\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Газ при постоянном давлении 200 кПа увеличил объём на 0,003 м³. Какую работу он совершил? Ответ в джоулях.\n"
	"answer: 600\n"
	"solution: A = pΔV = 200 000·0,003 = 600 Дж.\n"
	"\n"
	"id: phys-08-02\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Сколько теплоты нужно, чтобы расплавить 2 кг льда, взятого при 0 °C? Удельная теплота плавления льда 330 кДж/кг. Ответ в кДж.\n"
	"answer: 660\n"
	"solution: Лёд уже при температуре плавления: Q = λm = 330·2 = 660 кДж.\n"
	"\n"
	"id: phys-11-01\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Лампа мощностью 60 Вт горит 10 минут. Какую работу совершает электрический ток? Ответ в кДж.\n"
	"answer: 36\n"
	"solution: A = Pt = 60·600 = 36 000 Дж = 36 кДж.\n"
	"\n"
	"id: phys-12-01\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Через катушку индуктивностью 0,2 Гн течёт ток 3 А. Найдите энергию магнитного поля катушки в джоулях.\n"
	"answer: 0,9\n"
	"solution: W = LI²/2 = 0,2·9/2 = 0,9 Дж.\n"
	"\n"
	"id: phys-12-02\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Частица с зарядом 2·10⁻⁶ Кл влетает со скоростью 500 м/с перпендикулярно линиям однородного магнитного поля с индукцией 0,4 Тл. Найдите силу Лоренца в миллиньютонах.\n"
	"answer: 0,4\n"
	"solution: F = qvB = 2·10⁻⁶·500·0,4 = 4·10⁻⁴ Н = 0,4 мН.\n"
	"\n"
	"id: phys-12-03\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Рамка площадью 0,05 м² находится в однородном магнитном поле с индукцией 0,4 Тл, линии индукции перпендикулярны плоскости рамки. Найдите магнитный поток через рамку в веберах.\n"
	"answer: 0,02\n"
	"solution: Φ = BS·cos 0° = 0,4·0,05 = 0,02 Вб.\n"
	"\n"
	"id: phys-13-01\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Предмет находится на расстоянии 30 см от собирающей линзы с фокусным расстоянием 20 см. На каком расстоянии от линзы получится изображение? Ответ в сантиметрах.\n"
	"answer: 60\n"
	"solution: Формула тонкой линзы 1/d + 1/f = 1/F: 1/f = 1/20 − 1/30 = 1/60, f = 60 см.\n"
	"\n"
	"id: phys-13-02\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Линза даёт изображение предмета с увеличением 3. Высота предмета 4 см. Найдите высоту изображения в сантиметрах.\n"
	"answer: 12\n"
	"solution: Увеличение Γ = H/h, H = 3·4 = 12 см.\n"
	"\n"
	"id: phys-13-03\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Луч падает на плоское зеркало под углом 50° к его поверхности. Найдите угол отражения в градусах.\n"
	"answer: 40\n"
	"solution: Углы отсчитывают от перпендикуляра к зеркалу: угол падения 90° − 50° = 40°, угол отражения равен ему — 40°.\n"
	"\n"
	"id: phys-16-01\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: Ядро радия ²²⁶₈₈Ra испытывает α-распад. Найдите массовое число получившегося ядра.\n"
	"answer: 222\n"
	"solution: α-частица — ядро ⁴₂He: массовое число уменьшается на 4: 226 − 4 = 222.\n"
	"\n"
	"id: phys-16-02\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: В образце 800 радиоактивных ядер. Сколько из них в среднем распадётся за время, равное двум периодам полураспада?\n"
	"answer: 600\n"
	"solution: Останется 800·(1/2)² = 200 ядер, распадётся 800 − 200 = 600.\n"
	"\n"
	"id: phys-16-03\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: Энергия фотона равна 3,3·10⁻¹⁹ Дж. Найдите частоту света (h = 6,6·10⁻³⁴ Дж·с). Ответ выразите в единицах 10¹⁴ Гц.\n"
	"answer: 5\n"
	"solution: E = hν, ν = 3,3·10⁻¹⁹ / 6,6·10⁻³⁴ = 5·10¹⁴ Гц.\n"
	"\n"
	"id: phys-01-02\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Автомобиль за первые 2 ч проехал 150 км, а за следующий 1 ч — ещё 60 км. Найдите его среднюю путевую скорость за всё время движения в км/ч.\n"
	"answer: 70\n"
	"solution: Средняя скорость — весь путь на всё время: (150 + 60) : (2 + 1) = 70 км/ч.\n"
	"\n"
	"id: phys-01-03\n"
	"number: 1\n"
	"topic: Кинематика\n"
	"text: Камень бросили горизонтально с высоты 20 м. Через сколько секунд он упадёт на землю? Сопротивление воздуха не учитывать, g = 10 м/с².\n"
	"answer: 2\n"
	"solution: По вертикали движение свободное падение: h = gt²/2, t = √(2·20/10) = 2 с.\n"
	"\n"
	"id: phys-02-03\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: На тело массой 2 кг действуют две силы 3 Н и 4 Н, направленные под прямым углом друг к другу. Найдите ускорение тела в м/с².\n"
	"answer: 2,5\n"
	"solution: Равнодействующая √(3² + 4²) = 5 Н, по второму закону Ньютона a = F/m = 5/2 = 2,5 м/с².\n"
	"\n"
	"id: phys-02-04\n"
	"number: 2\n"
	"topic: Динамика\n"
	"text: Бруски массами 3 кг и 1 кг связаны лёгкой нитью и лежат на гладком горизонтальном столе. Брусок массой 3 кг тянут горизонтальной силой 12 Н, нить горизонтальна. Найдите силу натяжения нити в ньютонах.\n"
	"answer: 3\n"
	"solution: Общее ускорение a = 12/(3 + 1) = 3 м/с². Нить разгоняет только брусок 1 кг: T = 1·3 = 3 Н.\n"
	"\n"
	"id: phys-03-02\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Мяч массой 0,2 кг падает без начальной скорости с высоты 5 м. Найдите его кинетическую энергию у самой земли в джоулях. Сопротивлением воздуха пренебречь, g = 10 м/с².\n"
	"answer: 10\n"
	"solution: По закону сохранения энергии E = mgh = 0,2·10·5 = 10 Дж.\n"
	"\n"
	"id: phys-03-03\n"
	"number: 3\n"
	"topic: Законы сохранения\n"
	"text: Кран равномерно поднял груз массой 500 кг на высоту 12 м за 30 с. Найдите полезную мощность крана в ваттах (g = 10 м/с²).\n"
	"answer: 2000\n"
	"solution: N = A/t = mgh/t = 500·10·12/30 = 2000 Вт.\n"
	"\n"
	"id: phys-04-03\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Массу груза на пружине увеличили в 9 раз. Во сколько раз увеличился период его колебаний?\n"
	"answer: 3\n"
	"solution: T = 2π√(m/k) ~ √m: период вырос в √9 = 3 раза.\n"
	"\n"
	"id: phys-04-04\n"
	"number: 4\n"
	"topic: Колебания и статика\n"
	"text: Найдите давление, которое создаёт столб воды высотой 3 м (без учёта атмосферного давления), ρ = 1000 кг/м³, g = 10 м/с². Ответ в кПа.\n"
	"answer: 30\n"
	"solution: p = ρgh = 1000·10·3 = 30 000 Па = 30 кПа.\n"
	"\n"
	"id: phys-07-03\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: В сосуде 3·10²⁵ молекул газа. Сколько это молей? Число Авогадро 6·10²³ моль⁻¹.\n"
	"answer: 50\n"
	"solution: ν = N/N_A = 3·10²⁵ / 6·10²³ = 50 моль.\n"
	"\n"
	"id: phys-07-04\n"
	"number: 7\n"
	"topic: Молекулярная физика\n"
	"text: Газ в закрытом жёстком сосуде при 300 К имеет давление 100 кПа. Каким станет давление при нагревании до 360 К? Ответ в кПа.\n"
	"answer: 120\n"
	"solution: При V = const p/T = const (закон Шарля): p₂ = 100·360/300 = 120 кПа.\n"
	"\n"
	"id: phys-08-03\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Газу передали 800 Дж теплоты, и его внутренняя энергия увеличилась на 300 Дж. Какую работу совершил газ? Ответ в джоулях.\n"
	"answer: 500\n"
	"solution: Первый закон термодинамики: Q = ΔU + A, A = 800 − 300 = 500 Дж.\n"
	"\n"
	"id: phys-08-04\n"
	"number: 8\n"
	"topic: Термодинамика\n"
	"text: Температура нагревателя идеальной тепловой машины 500 К, холодильника — 350 К. Найдите максимально возможный КПД в процентах.\n"
	"answer: 30\n"
	"solution: КПД цикла Карно η = 1 − T₂/T₁ = 1 − 350/500 = 0,3 = 30%.\n"
	"\n"
	"id: phys-11-02\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Найдите сопротивление медного провода длиной 100 м и сечением 0,5 мм². Удельное сопротивление меди 0,017 Ом·мм²/м. Ответ в омах.\n"
	"answer: 3,4\n"
	"solution: R = ρl/S = 0,017·100/0,5 = 3,4 Ом.\n"
	"\n"
	"id: phys-11-03\n"
	"number: 11\n"
	"topic: Электричество\n"
	"text: Источник с ЭДС 12 В и внутренним сопротивлением 1 Ом замкнут на резистор 5 Ом. Найдите силу тока в амперах.\n"
	"answer: 2\n"
	"solution: Закон Ома для полной цепи: I = ε/(R + r) = 12/(5 + 1) = 2 А.\n"
	"\n"
	"id: phys-12-04\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Проводник длиной 0,4 м движется со скоростью 5 м/с перпендикулярно самому себе и линиям однородного магнитного поля с индукцией 0,5 Тл. Найдите ЭДС индукции на его концах в вольтах.\n"
	"answer: 1\n"
	"solution: ε = Bvl = 0,5·5·0,4 = 1 В.\n"
	"\n"
	"id: phys-12-05\n"
	"number: 12\n"
	"topic: Магнетизм\n"
	"text: Ток в катушке индуктивностью 0,5 Гн равномерно уменьшился с 6 А до 2 А за 0,1 с. Найдите модуль ЭДС самоиндукции в вольтах.\n"
	"answer: 20\n"
	"solution: |ε| = L·ΔI/Δt = 0,5·4/0,1 = 20 В.\n"
	"\n"
	"id: phys-13-04\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Радиостанция работает на частоте 6 МГц. Найдите длину волны в метрах (c = 3·10⁸ м/с).\n"
	"answer: 50\n"
	"solution: λ = c/ν = 3·10⁸ / 6·10⁶ = 50 м.\n"
	"\n"
	"id: phys-13-05\n"
	"number: 13\n"
	"topic: Оптика\n"
	"text: Оптическая сила рассеивающей линзы −5 дптр. Найдите модуль её фокусного расстояния в сантиметрах.\n"
	"answer: 20\n"
	"solution: |F| = 1/|D| = 1/5 м = 0,2 м = 20 см.\n"
	"\n"
	"id: phys-16-04\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: Ядро кобальта ⁶⁰₂₇Co испытывает β⁻-распад. Найдите зарядовое число получившегося ядра.\n"
	"answer: 28\n"
	"solution: При β⁻-распаде нейтрон превращается в протон: Z увеличивается на 1, 27 + 1 = 28 (A не меняется).\n"
	"\n"
	"id: phys-16-05\n"
	"number: 16\n"
	"topic: Ядерная физика\n"
	"text: Масса радиоактивного изотопа 64 г, период полураспада 5 суток. Какая масса изотопа останется через 20 суток? Ответ в граммах.\n"
	"answer: 4\n"
	"solution: 20 суток — четыре периода: 64·(1/2)⁴ = 4 г.\n";
const size_t bank_embedded_len = sizeof bank_embedded_text - 1;
