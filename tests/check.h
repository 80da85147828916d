/* A tiny check helper for the unit tests: count, report file:line on
 * failure, print one summary line the test runner reads. */
#ifndef EXAMFLOW_CHECK_H
#define EXAMFLOW_CHECK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_passed, check_failed;

#define check(cond) check_at((cond) != 0, __FILE__, __LINE__, #cond)
#define check_eq_int(a, b) check_int_at((long long)(a), (long long)(b), __FILE__, __LINE__, #a " == " #b)
#define check_eq_str(a, b) check_str_at((a), (b), __FILE__, __LINE__, #a " == " #b)

static void check_at(int ok, const char *file, int line, const char *what)
{
	if (ok) {
		check_passed++;
		return;
	}
	check_failed++;
	fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
}

static void check_int_at(long long a, long long b, const char *file, int line, const char *what)
{
	check_at(a == b, file, line, what);
	if (a != b)
		fprintf(stderr, "     got %lld, want %lld\n", a, b);
}

static void check_str_at(const char *a, const char *b, const char *file, int line, const char *what)
{
	int ok = a && b && strcmp(a, b) == 0;
	check_at(ok, file, line, what);
	if (!ok)
		fprintf(stderr, "     got \"%s\", want \"%s\"\n", a ? a : "(null)", b ? b : "(null)");
}

/* Remove a test's scratch directory and all in it (a check: it must go). */
static void check_rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	check(system(cmd) == 0);
}

/* Prints "NAME: N passed, N failed" (NAME from the program's file name) and
 * returns the process exit code. */
static int check_done_named(const char *file)
{
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	char name[128];
	snprintf(name, sizeof name, "%s", base);
	char *dot = strrchr(name, '.');
	if (dot)
		*dot = '\0';
	printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
	fflush(stdout);
	return check_failed ? 1 : 0;
}
#define check_done() check_done_named(__FILE__)

#endif
