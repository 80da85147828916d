"""End-to-end: the task bank's answers, recomputed; `examflow tasks` verbs.

The embedded bank is dumped in the bank file format (by the unit test binary
with EXAMFLOW_BANK_DUMP, and by `examflow tasks dump`) and every computable
answer is recomputed by tests/check_bank_answers.py.

Assumes `examflow tasks check FILE` checks the way tasks_mode says
(EXAMFLOW_TASKS_MODE=add|replace), exits non-zero on errors and prints them
to stderr as FILE:LINE: message.

not tested: SIGHUP reload of tasks_file (the bot's tests); the `tasks` verbs
are skipped while the binary does not have them yet.
"""
import os
import subprocess
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(TESTS_DIR, "check_bank_answers.py")


def recompute(t, path):
    p = subprocess.run([sys.executable, CHECKER, path], capture_output=True, text=True, timeout=300)
    t.check(p.returncode == 0, "answer check failed:\n" + p.stdout[-4000:] + p.stderr[-2000:])
    t.check("recomputed " in p.stdout and " 0 problems" in p.stdout, p.stdout[-2000:])


def tasks_cli(t):
    """True when the binary has the `tasks` verb."""
    p = t.run(["tasks", "list"])
    return "unknown command" not in p.stderr


def test_embedded_answers_recomputed(t):
    unit = os.path.join(t.unit_dir, "unit_bank")
    t.check(os.path.exists(unit), "no unit_bank binary in " + t.unit_dir)
    dump = os.path.join(t.tmp, "bank.txt")
    env = t.env(EXAMFLOW_BANK_DUMP=dump)
    p = subprocess.run([unit], env=env, capture_output=True, text=True, timeout=300)
    t.sanitizer_check(p.stderr)
    t.eq(p.returncode, 0, "unit_bank exit code")
    recompute(t, dump)


def test_tasks_dump_recomputed(t):
    if not tasks_cli(t):
        return
    p = t.run(["tasks", "dump"])
    t.eq(p.returncode, 0, "tasks dump exit code")
    path = t.write("dump.txt", p.stdout)
    recompute(t, path)
    # The dump is a whole bank: it is valid as a replacement, and in add mode
    # every id in it is a duplicate of the embedded bank's.
    c = t.run(["tasks", "check", path], env=t.env(EXAMFLOW_TASKS_MODE="replace"))
    t.eq(c.returncode, 0, "tasks check of the dump (replace):\n" + c.stderr[-2000:])
    c = t.run(["tasks", "check", path], env=t.env(EXAMFLOW_TASKS_MODE="add"))
    t.check(c.returncode != 0, "the dump passed as an addition to the embedded bank")
    t.check(path + ":6: duplicate id 'math-01' (already in the bank)" in c.stderr, c.stderr[-2000:])


def test_tasks_list(t):
    if not tasks_cli(t):
        return
    p = t.run(["tasks", "list"])
    t.eq(p.returncode, 0, "exit code")
    for line in ("math  Математика (профиль): ", "inf  Информатика: ", "rus  Русский язык: ", "phys  Физика: "):
        t.check(line in p.stdout, "tasks list lacks %r:\n%s" % (line, p.stdout))


def test_tasks_check_reports_file_and_line(t):
    if not tasks_cli(t):
        return
    path = t.write("bad.txt", "subject: chem\ntitle: Химия\n\nid: c1\nnumber: 1\ntxet: Сколько?\nanswer: 2\n")
    p = t.run(["tasks", "check", path])
    t.check(p.returncode != 0, "a bad file passed the check")
    t.check(path + ":6: unknown key 'txet'" in p.stderr, p.stderr)
    t.check(path + ":4: missing 'text:'" in p.stderr, p.stderr)
    good = t.write("good.txt", "subject: chem\ntitle: Химия\n\nid: c1\nnumber: 1\ntext: Сколько?\nanswer: 2\n")
    p = t.run(["tasks", "check", good])
    t.eq(p.returncode, 0, "a good file failed the check:\n" + p.stderr)
