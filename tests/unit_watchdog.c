/* Unit tests: the watchdog (section "Watchdog and health"), with real
 * processes.  The test forks a child that runs wd_run() with short timings;
 * its workers are functions of this file and write what happens to them
 * ("start", "term", "hup") to an events file, with pid and time.  The test
 * reads that file, the health file, the notices file and the watchdog's exit
 * status.
 * not tested: fork() failing; WATCHDOG_PID naming another process; the
 *   re-exec of the real binary (/bin/sh stands in for it here); a worker
 *   that floods the pipe.
 */
#define EXAMFLOW_NO_MAIN
#include "../examflow.c"
#include "check.h"

static char tdir[256], events_path[300], health_path[300], notices_path[300];
static FILE *devnull; /* for status output nobody reads */

/* --- helpers -------------------------------------------------------------------- */

static void t_setup(const char *name)
{
	snprintf(tdir, sizeof tdir, "/tmp/unit_watchdog.%d.%s", (int)getpid(), name);
	check_rm_rf(tdir);
	check(mkdir_p(tdir, 0700) == 0);
	snprintf(events_path, sizeof events_path, "%s/events", tdir);
	snprintf(health_path, sizeof health_path, "%s/logs/health.json", tdir);
	snprintf(notices_path, sizeof notices_path, "%s/notices", tdir);
	alarm(30); /* safety net per test; the whole file takes ~15 s */
}

static void t_cleanup(void)
{
	check_rm_rf(tdir);
}

static void t_append(const char *path, const char *line)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0) {
		write_all(fd, line, strlen(line));
		close(fd);
	}
}

static void t_event(const char *name)
{
	char line[128];
	snprintf(line, sizeof line, "%s %d %lld\n", name, (int)getpid(), (long long)mono_ms());
	t_append(events_path, line);
}

struct ev {
	char name[16];
	int pid;
	int64_t ms;
};

/* Events named name (all when NULL), in order; returns the count. */
static int t_events(const char *name, struct ev *out, int max)
{
	FILE *f = fopen(events_path, "r");
	int n = 0;
	struct ev e;
	long long ms;
	while (f && n < max && fscanf(f, "%15s %d %lld", e.name, &e.pid, &ms) == 3) {
		e.ms = ms;
		if (!name || strcmp(e.name, name) == 0)
			out[n++] = e;
	}
	if (f)
		fclose(f);
	return n;
}

static int t_wait_events(const char *name, int count, int timeout_ms)
{
	struct ev e[64];
	int64_t end = mono_ms() + timeout_ms;
	int n;
	while ((n = t_events(name, e, 64)) < count && mono_ms() < end)
		usleep(10000);
	return n;
}

/* Lines in the notices file containing needle (all lines when NULL). */
static int t_notices(const char *needle)
{
	FILE *f = fopen(notices_path, "r");
	char line[512];
	int n = 0;
	while (f && fgets(line, sizeof line, f))
		if (!needle || strstr(line, needle))
			n++;
	if (f)
		fclose(f);
	return n;
}

static void t_notify(const char *text, void *ctx)
{
	(void)ctx;
	char line[WD_REASON_LEN + 2];
	snprintf(line, sizeof line, "%s\n", text);
	t_append(notices_path, line);
}

/* The health file, parsed. */
struct hf {
	struct buf b;
	struct json_tok *t;
	int n;
};

static int hf_load(struct hf *h)
{
	buf_free(&h->b);
	free(h->t);
	h->t = NULL;
	h->n = 0;
	if (read_file(health_path, &h->b, 65536) < 0 || h->b.len == 0)
		return -1;
	h->n = json_parse_alloc(h->b.p, h->b.len, 256, &h->t, NULL);
	return h->n > 0 ? 0 : -1;
}

static void hf_free(struct hf *h)
{
	buf_free(&h->b);
	free(h->t);
	h->t = NULL;
}

static int hf_bool(struct hf *h, const char *key)
{
	int v = -1;
	if (json_get_bool(h->b.p, h->t, json_obj_get(h->b.p, h->t, h->n, 0, key), &v) < 0)
		return -1;
	return v;
}

static int64_t hf_int(struct hf *h, const char *key)
{
	int64_t v = -1;
	json_get_i64(h->b.p, h->t, json_obj_get(h->b.p, h->t, h->n, 0, key), &v);
	return v;
}

/* Does the string at key (or errors[0] when key is "errors") contain needle? */
static int hf_has(struct hf *h, const char *key, const char *needle)
{
	int i = json_obj_get(h->b.p, h->t, h->n, 0, key);
	if (i >= 0 && h->t[i].type == JSON_ARRAY)
		i = json_arr_get(h->t, h->n, i, 0);
	struct buf s = BUF_INIT;
	int ok = json_get_str(h->b.p, h->t, i, &s) == 0 && s.p && strstr(s.p, needle);
	buf_free(&s);
	return ok;
}

/* Wait until the health file says bot_online == want and worker_pid == pid
 * (any pid when 0). */
static int t_wait_online(struct hf *h, int want, int pid, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;
	do {
		if (hf_load(h) == 0 && hf_bool(h, "bot_online") == want && (!pid || hf_int(h, "worker_pid") == pid))
			return 1;
		usleep(10000);
	} while (mono_ms() < end);
	return 0;
}

/* The watchdog's exit code, 128 + signal when killed, -1 on timeout (it is
 * then killed). */
static int t_wait_exit(pid_t p, int timeout_ms)
{
	int64_t end = mono_ms() + timeout_ms;
	int st;
	do {
		pid_t r = waitpid(p, &st, WNOHANG);
		if (r == p)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(10000);
	} while (mono_ms() < end);
	kill(p, SIGKILL);
	waitpid(p, &st, 0);
	return -1;
}

/* --- test workers ------------------------------------------------------------------- */

enum { TW_NORMAL, TW_EXIT, TW_STUCK };
struct tw {
	int mode;
	int code; /* TW_EXIT: the exit code */
};

static volatile sig_atomic_t tw_term, tw_hup;
static void tw_on_signal(int sig)
{
	if (sig == SIGTERM)
		tw_term = 1;
	else
		tw_hup = 1;
}

static int tw_main(int fd, void *ctx)
{
	const struct tw *c = ctx;
	pid_t parent = getppid();
	t_event("start");
	if (getenv("NOTIFY_SOCKET"))
		t_event("sdenv"); /* the worker must not see systemd's socket */
	if (c->mode == TW_EXIT)
		return c->code;
	wd_report_ready(fd);
	if (c->mode == TW_STUCK) { /* says ready, then nothing; ignores SIGTERM */
		signal(SIGTERM, SIG_IGN);
		while (getppid() == parent)
			usleep(20000);
		return 0;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = tw_on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	struct status h;
	memset(&h, 0, sizeof h);
	h.bot_online = h.api_responsive = h.database_connected = h.ai_working = 1;
	h.last_update_at = wall_ms();
	h.queue_depth = 3;
	wd_report_health(fd, &h);
	while (!tw_term && getppid() == parent) {
		if (tw_hup) {
			tw_hup = 0;
			t_event("hup");
		}
		wd_report_heartbeat(fd);
		usleep(30000);
	}
	t_event("term");
	return 0;
}

static void t_opts(struct wd_opts *o)
{
	memset(o, 0, sizeof *o);
	o->health_file = health_path;
	o->max_restarts = 5;
	o->check_interval_ms = 200;
	o->hang_timeout_ms = 600;
	o->kill_grace_ms = 300;
	o->stop_deadline_ms = 1000;
	o->backoff_base_ms = 100;
	o->backoff_max_ms = 800;
	o->healthy_reset_ms = 10000;
	o->notify = t_notify;
}

/* A notify hook that forks a child the way a careless caller might (plain
 * fork(), not wd_fork()); the child waits to be killed. */
static void t_notify_forking(const char *text, void *ctx)
{
	(void)text;
	(void)ctx;
	if (fork() != 0)
		return;
	t_event("notifier");
	for (int i = 0; i < 300; i++)
		usleep(10000);
	_exit(0);
}

/* Fork a watchdog running tw_main(c); env: "NAME=value" pairs set in it only. */
static pid_t t_spawn(struct wd_opts *o, struct tw *c, const char *const *env)
{
	fflush(NULL);
	pid_t p = fork();
	if (p == 0) {
		alarm(20);
		for (; env && *env; env++)
			putenv((char *)*env);
		_exit(wd_run(o, tw_main, c));
	}
	return p;
}

/* --- the tests -------------------------------------------------------------------- */

static void test_kill9_restarts(void)
{
	t_setup("kill9");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[8];
	t_opts(&o);
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_events("start", 1, 3000) == 1);
	check(t_wait_online(&h, 1, 0, 3000));
	check_eq_int(hf_int(&h, "restarts"), 0);
	check_eq_int(hf_int(&h, "queue_depth"), 3);
	check_eq_int(hf_bool(&h, "overall_healthy"), 1);
	check(wd_status_report(health_path, 10000, devnull) == 0);
	t_events("start", ev, 8);
	int64_t t0 = mono_ms();
	kill(ev[0].pid, SIGKILL);
	check(t_wait_events("start", 2, 3000) == 2);
	t_events("start", ev, 8);
	int64_t gap = ev[1].ms - t0;
	check(gap >= 90 && gap < 600); /* backoff_base_ms = 100 */
	check(t_wait_online(&h, 1, ev[1].pid, 3000));
	check_eq_int(hf_int(&h, "restarts"), 1);
	check(hf_has(&h, "last_restart_cause", "killed by signal SIGKILL"));
	check_eq_int(hf_int(&h, "pid"), wd);
	check_eq_int(t_notices("SIGKILL"), 1);
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	hf_free(&h);
	t_cleanup();
}

/* SIGTERM to a notifier child kills that child, and is not mistaken for a
 * SIGTERM to the watchdog (the child inherited its handler). */
static void test_notifier_child_signals(void)
{
	t_setup("notifier");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[8];
	t_opts(&o);
	o.notify = t_notify_forking;
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_events("start", 1, 3000) == 1);
	t_events("start", ev, 8);
	kill(ev[0].pid, SIGKILL);
	check(t_wait_events("notifier", 1, 3000) == 1);
	check(t_wait_events("start", 2, 3000) == 2);
	t_events("notifier", ev, 8);
	kill(ev[0].pid, SIGTERM);
	int64_t end = mono_ms() + 2000;
	while (kill(ev[0].pid, 0) == 0 && mono_ms() < end) /* gone once the watchdog reaps it */
		usleep(10000);
	check(kill(ev[0].pid, 0) < 0 && errno == ESRCH);
	usleep(100000);
	check(kill(wd, 0) == 0);
	check_eq_int(t_wait_events("term", 1, 0), 0); /* nobody stopped the worker */
	check(t_wait_online(&h, 1, 0, 3000));
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	hf_free(&h);
	t_cleanup();
}

static void test_crash_loop_gives_up(void)
{
	t_setup("loop");
	struct wd_opts o;
	struct tw c = {TW_EXIT, 1};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[16];
	t_opts(&o);
	o.max_restarts = 4;
	o.backoff_base_ms = 50;
	o.backoff_max_ms = 400;
	pid_t wd = t_spawn(&o, &c, NULL);
	check_eq_int(t_wait_exit(wd, 5000), EXIT_FAIL);
	int n = t_events("start", ev, 16);
	check_eq_int(n, 5); /* the first start and max_restarts restarts */
	for (int i = 2; i < n; i++)
		check(ev[i].ms - ev[i - 1].ms > ev[i - 1].ms - ev[i - 2].ms); /* backoff grows */
	check(n < 2 || ev[1].ms - ev[0].ms >= 45);
	check(n < 5 || ev[4].ms - ev[3].ms >= 380); /* capped at 400 */
	check_eq_int(t_notices("crash loop"), 1);
	check_eq_int(t_notices(NULL), 2); /* the first crash, then the give-up */
	check(t_notices("given up after 4 restarts, last cause: exited with code 1") == 1);
	check(hf_load(&h) == 0);
	check_eq_int(hf_bool(&h, "bot_online"), 0);
	check_eq_int(hf_bool(&h, "overall_healthy"), 0);
	check(hf_has(&h, "errors", "crash loop"));
	check_eq_int(hf_int(&h, "restarts"), 4);
	check(wd_status_report(health_path, 10000, devnull) == 1);
	hf_free(&h);
	t_cleanup();
}

static void test_sigstop_is_hung(void)
{
	t_setup("sigstop");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[8];
	t_opts(&o);
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_events("start", 1, 3000) == 1);
	check(t_wait_online(&h, 1, 0, 3000));
	t_events("start", ev, 8);
	int first = ev[0].pid;
	int64_t t0 = mono_ms();
	kill(first, SIGSTOP);
	check(t_wait_events("start", 2, 4000) == 2);
	t_events("start", ev, 8);
	check(ev[1].ms - t0 >= 550); /* hang_timeout_ms = 600 */
	/* SIGCONT came with the SIGTERM, so it could stop gracefully */
	t_events("term", ev, 8);
	check(ev[0].pid == first);
	check(t_wait_online(&h, 1, 0, 3000));
	check(hf_has(&h, "last_restart_cause", "hung (no heartbeat for 0.6 s)"));
	check_eq_int(t_notices("hung"), 1);
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	hf_free(&h);
	t_cleanup();
}

/* A worker that ignores SIGTERM: SIGKILL after the grace period when hung,
 * and after the deadline at shutdown. */
static void test_stuck_worker_is_killed(void)
{
	t_setup("stuck");
	struct wd_opts o;
	struct tw c = {TW_STUCK, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[8];
	t_opts(&o);
	o.hang_timeout_ms = 400;
	o.kill_grace_ms = 300;
	o.stop_deadline_ms = 500;
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_events("start", 2, 4000) == 2);
	t_events("start", ev, 8);
	check(ev[1].ms - ev[0].ms >= 780); /* hang 400 + grace 300 + backoff 100 */
	check(kill(ev[0].pid, 0) < 0 && errno == ESRCH);
	check(hf_load(&h) == 0 && hf_has(&h, "last_restart_cause", "hung"));
	int64_t t0 = mono_ms();
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	check(mono_ms() - t0 >= 450); /* waited for the deadline, then SIGKILL */
	check(kill(ev[1].pid, 0) < 0 && errno == ESRCH);
	hf_free(&h);
	t_cleanup();
}

static void test_config_exit_is_final(void)
{
	static const int codes[] = {EXIT_CONFIG, EXIT_DATA};
	for (int k = 0; k < 2; k++) {
		t_setup("config");
		struct wd_opts o;
		struct tw c = {TW_EXIT, codes[k]};
		struct hf h = {BUF_INIT, NULL, 0};
		struct ev ev[8];
		t_opts(&o);
		pid_t wd = t_spawn(&o, &c, NULL);
		check_eq_int(t_wait_exit(wd, 3000), codes[k]);
		check_eq_int(t_events("start", ev, 8), 1);
		check(hf_load(&h) == 0);
		check_eq_int(hf_bool(&h, "bot_online"), 0);
		check(hf_has(&h, "errors", k == 0 ? "configuration is wrong" : "data files need an admin"));
		check_eq_int(hf_int(&h, "restarts"), 0);
		hf_free(&h);
		t_cleanup();
	}
}

static void test_sigterm_stops(void)
{
	t_setup("sigterm");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[8];
	t_opts(&o);
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_online(&h, 1, 0, 3000));
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	check_eq_int(t_events("term", ev, 8), 1);
	check_eq_int(t_events("start", ev, 8), 1);
	check(kill(ev[0].pid, 0) < 0 && errno == ESRCH);
	check(hf_load(&h) == 0);
	check_eq_int(hf_bool(&h, "bot_online"), 0);
	check(hf_has(&h, "errors", "stopped"));
	int wp = json_obj_get(h.b.p, h.t, h.n, 0, "worker_pid");
	check(json_is_null(h.b.p, h.t, wp));
	struct stat st;
	check(stat(health_path, &st) == 0 && (st.st_mode & 0777) == 0600);
	char dir[320];
	snprintf(dir, sizeof dir, "%s/logs", tdir);
	check(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
	hf_free(&h);
	t_cleanup();
}

static void test_sighup_forwarded(void)
{
	t_setup("sighup");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	t_opts(&o);
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_online(&h, 1, 0, 3000));
	kill(wd, SIGHUP);
	check_eq_int(t_wait_events("hup", 1, 3000), 1);
	check_eq_int(t_wait_events("start", 1, 0), 1); /* forwarded, not restarted */
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	hf_free(&h);
	t_cleanup();
}

static void test_sigusr2_reexecs(void)
{
	t_setup("reexec");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	char script[400], marker[320];
	snprintf(marker, sizeof marker, "%s/reexec", tdir);
	snprintf(script, sizeof script, "echo \"$0 $EXAMFLOW_WATCHDOG_STATE\" > %s; exit 7", marker);
	char *argv[] = {"sh", "-c", script, "new", NULL};
	t_opts(&o);
	o.exec_path = "/bin/sh";
	o.argv = argv;
	pid_t wd = t_spawn(&o, &c, NULL);
	check(t_wait_online(&h, 1, 0, 3000));
	kill(wd, SIGUSR2);
	check_eq_int(t_wait_exit(wd, 3000), 7); /* the "new binary" ran in the watchdog's process */
	check_eq_int(t_wait_events("term", 1, 0), 1); /* the worker was stopped gracefully first */
	struct buf b = BUF_INIT;
	check(read_file(marker, &b, 100) == 0 && b.p && strcmp(b.p, "new 0 0\n") == 0); /* streak, restarts */
	buf_free(&b);
	check(hf_load(&h) == 0 && hf_has(&h, "errors", "re-executing"));
	hf_free(&h);
	t_cleanup();
	/* the new watchdog carries the crash streak on: a crash loop still gives up */
	struct wd w;
	memset(&w, 0, sizeof w);
	o.max_restarts = 5;
	w.o = &o;
	setenv(WD_STATE_ENV, "3 7", 1);
	wd_inherit(&w);
	check_eq_int(w.streak, 3);
	check_eq_int(w.restarts, 7);
	check(getenv(WD_STATE_ENV) == NULL);
	memset(&w, 0, sizeof w);
	w.o = &o;
	setenv(WD_STATE_ENV, "99 1", 1); /* more than max_restarts allows: not ours */
	wd_inherit(&w);
	check_eq_int(w.streak, 0);
	setenv(WD_STATE_ENV, "junk", 1);
	wd_inherit(&w);
	check_eq_int(w.restarts, 0);
}

/* Receive datagrams on fd until one equals want; 1 when seen. */
static int t_recv_until(int fd, const char *want, int timeout_ms, int *watchdogs)
{
	int64_t end = mono_ms() + timeout_ms;
	while (mono_ms() < end) {
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 50) <= 0)
			continue;
		char msg[300];
		ssize_t r = recv(fd, msg, sizeof msg - 1, 0);
		if (r <= 0)
			continue;
		msg[r] = '\0';
		if (watchdogs && strcmp(msg, "WATCHDOG=1") == 0)
			++*watchdogs;
		if (strcmp(msg, want) == 0)
			return 1;
	}
	return 0;
}

static void t_notify_socket(int abstract)
{
	t_setup(abstract ? "sdabs" : "sdpath");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct sockaddr_un sa;
	char env_sock[200], addr[120];
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	socklen_t len;
	if (abstract) {
		snprintf(addr, sizeof addr, "@examflow-test-%d", (int)getpid());
		memcpy(sa.sun_path, addr, strlen(addr));
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(addr));
	} else {
		snprintf(addr, sizeof addr, "/tmp/unit_watchdog.%d.sock", (int)getpid());
		unlink(addr);
		memcpy(sa.sun_path, addr, strlen(addr) + 1);
		len = (socklen_t)sizeof sa;
	}
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	check(fd >= 0 && bind(fd, (struct sockaddr *)&sa, len) == 0);
	snprintf(env_sock, sizeof env_sock, "NOTIFY_SOCKET=%s", addr);
	const char *env[] = {env_sock, "WATCHDOG_USEC=200000", NULL};
	t_opts(&o);
	pid_t wd = t_spawn(&o, &c, env);
	int watchdogs = 0;
	check(t_recv_until(fd, "READY=1", 3000, &watchdogs));
	check(t_recv_until(fd, "WATCHDOG=1", 1000, &watchdogs));
	check(t_recv_until(fd, "NOTHING", 450, &watchdogs) == 0); /* every 100 ms meanwhile */
	check(watchdogs >= 3);
	kill(wd, SIGTERM);
	check(t_recv_until(fd, "STOPPING=1", 3000, NULL));
	check_eq_int(t_wait_exit(wd, 3000), 0);
	check_eq_int(t_wait_events("sdenv", 1, 0), 0);
	close(fd);
	if (!abstract)
		unlink(addr);
	t_cleanup();
}

static void test_notify_socket(void)
{
	t_notify_socket(0);
	t_notify_socket(1);
	/* without NOTIFY_SOCKET there is nothing to do; a bad one is an error */
	unsetenv("NOTIFY_SOCKET");
	check_eq_int(wd_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	check_eq_int(wd_sd_notify("READY=1"), -1);
	setenv("NOTIFY_SOCKET", "/nonexistent/examflow.sock", 1);
	check_eq_int(wd_sd_notify("READY=1"), -1);
	unsetenv("NOTIFY_SOCKET");
}

/* A crash after a healthy period starts the backoff from the base again;
 * a crash right after a restart doubles it. */
static void test_backoff_resets_when_healthy(void)
{
	t_setup("reset");
	struct wd_opts o;
	struct tw c = {TW_NORMAL, 0};
	struct hf h = {BUF_INIT, NULL, 0};
	struct ev ev[8];
	t_opts(&o);
	o.backoff_base_ms = 400; /* wide enough apart that a loaded machine cannot blur base and doubled */
	o.backoff_max_ms = 6400;
	o.healthy_reset_ms = 300;
	pid_t wd = t_spawn(&o, &c, NULL);
	int64_t gap[3];
	for (int k = 0; k < 3; k++) {
		check(t_wait_events("start", k + 1, 3000) == k + 1);
		t_events("start", ev, 8);
		if (k < 2)
			check(t_wait_online(&h, 1, ev[k].pid, 3000));
		if (k == 1)
			usleep(500000); /* healthy for longer than healthy_reset_ms */
		int64_t t0 = mono_ms();
		kill(ev[k].pid, SIGKILL);
		check(t_wait_events("start", k + 2, 3000) == k + 2);
		t_events("start", ev, 8);
		gap[k] = ev[k + 1].ms - t0;
	}
	check(gap[0] >= 390 && gap[0] < 790);
	check(gap[1] >= 390 && gap[1] < 790); /* reset: base again */
	check(gap[2] >= 790 && gap[2] < 1600); /* no healthy period: doubled */
	check_eq_int(t_notices(NULL), 2);     /* one notice per crash streak */
	kill(wd, SIGTERM);
	check_eq_int(t_wait_exit(wd, 3000), 0);
	hf_free(&h);
	t_cleanup();
}

/* The pipe protocol and the pure helpers, without processes. */
static void test_protocol(void)
{
	int p[2];
	check(pipe(p) == 0);
	struct status h, back;
	memset(&h, 0, sizeof h);
	h.api_responsive = 1;
	h.ai_working = 1;
	h.last_update_at = 1764000000123;
	h.queue_depth = 42;
	h.nerrors = STATUS_ERRORS;
	snprintf(h.errors[0], STATUS_ERROR_LEN, "Нет связи с \"Telegram\" \\ 502");
	memset(h.errors[1], '\x01', STATUS_ERROR_LEN); /* not NUL-terminated, worst-case escaping */
	memset(h.errors[2], '"', STATUS_ERROR_LEN);
	snprintf(h.errors[3], STATUS_ERROR_LEN, "disk\nfull");
	check(wd_report_health(p[1], &h) == 0);
	char line[WD_LINE_MAX + 1];
	ssize_t n = read(p[0], line, sizeof line - 1);
	check(n > 2 && n <= WD_LINE_MAX && line[n - 1] == '\n' && memcmp(line, "H ", 2) == 0);
	check(n > 0 && memchr(line, '\n', (size_t)n - 1) == NULL); /* one line */
	memset(&back, 0, sizeof back);
	back.bot_online = 1;
	check(n > 3 && wd_parse_health(line + 2, (size_t)n - 3, &back) == 0);
	check_eq_int(back.bot_online, 0);
	check_eq_int(back.api_responsive, 1);
	check_eq_int(back.database_connected, 0);
	check_eq_int(back.ai_working, 1);
	check_eq_int(back.last_update_at, 1764000000123);
	check_eq_int(back.queue_depth, 42);
	check_eq_int(back.nerrors, STATUS_ERRORS);
	check_eq_str(back.errors[0], "Нет связи с \"Telegram\" \\ 502");
	check_eq_int(strlen(back.errors[1]), STATUS_ERROR_LEN - 1);
	check(back.errors[1][0] == ' '); /* control characters became spaces */
	check_eq_str(back.errors[3], "disk full");

	/* a partial update changes only what it names */
	const char *part = "{\"ai_working\":false,\"unknown\":[1,2,{\"x\":null}]}";
	check(wd_parse_health(part, strlen(part), &back) == 0);
	check_eq_int(back.ai_working, 0);
	check_eq_int(back.api_responsive, 1);
	check_eq_int(back.nerrors, STATUS_ERRORS);
	/* garbage leaves it alone */
	struct status before = back;
	const char *bad[] = {"", "[]", "{\"ai_working\":", "{\"a\":1}x", "nul"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check(wd_parse_health(bad[i], strlen(bad[i]), &back) == -1);
	check(memcmp(&before, &back, sizeof back) == 0);
	/* a long UTF-8 error is cut on a character boundary */
	struct buf js = BUF_INIT;
	buf_puts(&js, "{\"errors\":[\"");
	for (int i = 0; i < 200; i++)
		buf_puts(&js, "ж");
	buf_puts(&js, "\",\"\",5]}");
	check(wd_parse_health(js.p, js.len, &back) == 0);
	check_eq_int(back.nerrors, 1); /* the empty and the non-string are skipped */
	check(strlen(back.errors[0]) < STATUS_ERROR_LEN && strlen(back.errors[0]) % 2 == 0);
	buf_free(&js);

	check(wd_report_heartbeat(p[1]) == 0 && wd_report_ready(p[1]) == 0 && wd_report_notice(p[1], "a\nb") == 0);
	n = read(p[0], line, sizeof line - 1);
	check(n == 10 && memcmp(line, "B\nR\nN a b\n", 10) == 0);
	char big[WD_LINE_MAX + 10];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	check(wd_report_notice(p[1], big) == -1); /* too long for one atomic line */
	close(p[0]);
	close(p[1]);
	check(wd_report_heartbeat(-1) == -1);

	char s[80];
	wd_describe_exit(3 << 8, s, sizeof s);
	check_eq_str(s, "exited with code 3");
	wd_describe_exit(SIGKILL, s, sizeof s);
	check_eq_str(s, "killed by signal SIGKILL");
	wd_describe_exit(SIGSEGV | 0x80, s, sizeof s);
	check_eq_str(s, "killed by signal SIGSEGV (core dumped)");
	wd_describe_exit(SIGRTMIN + 1, s, sizeof s);
	check(strncmp(s, "killed by signal signal ", 24) == 0);

	char ts[40];
	iso8601_utc(ts, sizeof ts, 1764000000123);
	check_eq_int(wd_parse_iso8601(ts), 1764000000123);
	check_eq_int(wd_parse_iso8601("2025-11-24T16:00:00Z"), 1764000000000);
	check_eq_int(wd_parse_iso8601("2025-11-24 16:00:00Z"), -1);
	check_eq_int(wd_parse_iso8601("2025-11-24T16:00:00"), -1);
	check_eq_int(wd_parse_iso8601("2025-13-24T16:00:00Z"), -1);
}

/* The health JSON from a hand-made parent state: every field, and
 * bot_online false with a reason when the heartbeats are stale. */
static void test_health_json(void)
{
	struct wd_opts o;
	struct wd w;
	struct buf b = BUF_INIT;
	t_opts(&o);
	memset(&w, 0, sizeof w);
	w.o = &o;
	w.state = WD_RUNNING;
	w.pid = 4242;
	w.ready = 1;
	int64_t now = mono_ms();
	w.boot_ms = now - 3600 * 1000;
	w.last_beat_ms = now - 100;
	w.restarts = 2;
	snprintf(w.cause, sizeof w.cause, "killed by signal SIGSEGV");
	w.snap.bot_online = w.snap.api_responsive = w.snap.database_connected = w.snap.ai_working = 1;
	w.snap.last_update_at = 1764000000000;
	w.snap.queue_depth = 7;
	check(wd_health_json(&w, now, &b) == 0);
	struct json_tok t[64];
	int n = json_parse(b.p, b.len, t, 64);
	check(n > 0);
	static const char *const keys[] = {"timestamp", "bot_online", "api_responsive", "database_connected",
		"ai_working", "overall_healthy", "errors", "version", "pid", "worker_pid", "uptime_s", "restarts",
		"last_restart_cause", "last_update_at", "queue_depth"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		check(json_obj_get(b.p, t, n, 0, keys[i]) >= 0);
	check_eq_int(t[0].size, (int)(sizeof keys / sizeof keys[0])); /* nothing else */
	int64_t v = 0;
	int ok = 0;
	check(json_get_bool(b.p, t, json_obj_get(b.p, t, n, 0, "overall_healthy"), &ok) == 0 && ok == 1);
	check(json_get_i64(b.p, t, json_obj_get(b.p, t, n, 0, "uptime_s"), &v) == 0 && v == 3600);
	check(json_get_i64(b.p, t, json_obj_get(b.p, t, n, 0, "worker_pid"), &v) == 0 && v == 4242);
	check(json_eq(b.p, t, json_obj_get(b.p, t, n, 0, "last_update_at"), "2025-11-24T16:00:00.000Z"));
	check_eq_int(t[json_obj_get(b.p, t, n, 0, "errors")].size, 0);

	/* heartbeats stale (but not yet hung): offline, with the reason */
	w.last_beat_ms = now - 500;
	o.hang_timeout_ms = 400 * 1000;
	check(wd_health_json(&w, now + WD_BEAT_STALE_MS, &b) == 0);
	n = json_parse(b.p, b.len, t, 64);
	check(json_get_bool(b.p, t, json_obj_get(b.p, t, n, 0, "bot_online"), &ok) == 0 && ok == 0);
	check(json_get_bool(b.p, t, json_obj_get(b.p, t, n, 0, "overall_healthy"), &ok) == 0 && ok == 0);
	check(json_eq(b.p, t, json_path(b.p, t, n, 0, "errors.0"), "no heartbeat from the worker for 10 s"));

	/* the worker's own view and errors come through */
	w.last_beat_ms = now;
	w.snap.bot_online = 0;
	w.snap.nerrors = 1;
	snprintf(w.snap.errors[0], STATUS_ERROR_LEN, "getUpdates: 409 Conflict");
	check(wd_health_json(&w, now, &b) == 0);
	n = json_parse(b.p, b.len, t, 64);
	check(json_get_bool(b.p, t, json_obj_get(b.p, t, n, 0, "bot_online"), &ok) == 0 && ok == 0);
	check(json_eq(b.p, t, json_path(b.p, t, n, 0, "errors.0"), "getUpdates: 409 Conflict"));
	buf_free(&b);
}

static int t_status_of(const char *json, int64_t max_age_ms, const char *expect_text)
{
	write_file_atomic(health_path, json, strlen(json));
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int rc = wd_status_report(health_path, max_age_ms, out);
	fclose(out);
	if (expect_text && !strstr(text, expect_text)) {
		fprintf(stderr, "status output lacks \"%s\":\n%s", expect_text, text);
		rc = 99;
	}
	free(text);
	return rc;
}

static void test_status(void)
{
	t_setup("status");
	char dir[320], ts[40], json[1024];
	snprintf(dir, sizeof dir, "%s/logs", tdir);
	check(mkdir_p(dir, 0700) == 0);
	const char *fmt = "{\"timestamp\":\"%s\",\"bot_online\":true,\"api_responsive\":true,"
	                  "\"database_connected\":true,\"ai_working\":%s,\"overall_healthy\":%s,"
	                  "\"errors\":[%s],\"version\":\"1.2.3\",\"pid\":10,\"worker_pid\":11,\"uptime_s\":99,"
	                  "\"restarts\":1,\"last_restart_cause\":\"killed by signal SIGKILL\","
	                  "\"last_update_at\":null,\"queue_depth\":0}";
	iso8601_utc(ts, sizeof ts, wall_ms());
	snprintf(json, sizeof json, fmt, ts, "true", "true", "");
	check_eq_int(t_status_of(json, 10000, "examflow 1.2.3: healthy"), 0);
	snprintf(json, sizeof json, fmt, ts, "false", "false", "\"Gemini: 403 \\\"key\\\"\"");
	check_eq_int(t_status_of(json, 10000, "Gemini: 403 \"key\""), 1);
	check_eq_int(t_status_of(json, 10000, "UNHEALTHY"), 1);
	iso8601_utc(ts, sizeof ts, wall_ms() - 60000);
	snprintf(json, sizeof json, fmt, ts, "true", "true", "");
	check_eq_int(t_status_of(json, 10000, "STALE"), 1);
	check_eq_int(t_status_of(json, 70000, "healthy"), 0);
	iso8601_utc(ts, sizeof ts, wall_ms() + 60000); /* from the future: a clock jump */
	snprintf(json, sizeof json, fmt, ts, "true", "true", "");
	check_eq_int(t_status_of(json, 10000, "STALE"), 1);
	check_eq_int(t_status_of("", 10000, "not a health file"), 1);
	check_eq_int(t_status_of("{\"overall_healthy\":true", 10000, "not a health file"), 1);
	check_eq_int(t_status_of("[true]", 10000, "not a health file"), 1);
	check_eq_int(t_status_of("{\"overall_healthy\":true}", 10000, "STALE"), 1); /* no timestamp */
	unlink(health_path);
	check_eq_int(wd_status_report(health_path, 10000, devnull), 1);
	/* wd_status_cmd takes the freshness from the check interval */
	iso8601_utc(ts, sizeof ts, wall_ms() - 100 * 1000);
	snprintf(json, sizeof json, fmt, ts, "true", "true", "");
	write_file_atomic(health_path, json, strlen(json));
	struct wd_opts so = {.health_file = health_path, .check_interval_ms = 60000};
	check_eq_int(wd_status_cmd(&so, devnull), 0);
	so.check_interval_ms = 30000;
	check_eq_int(wd_status_cmd(&so, devnull), 1);
	t_cleanup();
}

int main(void)
{
	devnull = fopen("/dev/null", "w");
	logst.level = LOG_WARN; /* the watchdog's info lines would drown the failures */
	if (getenv("UNIT_WATCHDOG_VERBOSE"))
		logst.level = LOG_DEBUG;
	test_protocol();
	test_health_json();
	test_status();
	test_kill9_restarts();
	test_notifier_child_signals();
	test_crash_loop_gives_up();
	test_sigstop_is_hung();
	test_stuck_worker_is_killed();
	test_config_exit_is_final();
	test_sigterm_stops();
	test_sighup_forwarded();
	test_sigusr2_reexecs();
	test_notify_socket();
	test_backoff_resets_when_healthy();
	alarm(0);
	fclose(devnull);
	return check_done();
}
