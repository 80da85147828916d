"""End-to-end: task generators, checked independently, and `examflow tasks sample`.

tests/check_generators.py asks the binary for thousands of variants of every
generator (`examflow tasks sample GEN N --seed S`) and solves each one again
from its text with its own Python; it also checks the wording (placeholders,
Russian number agreement), pleasant answers, variety and determinism.

not tested: the bot dealing generated tasks (tests/unit_bot.c does, through
the handlers); the answer checker's rules (tests/unit_bank.c).
"""
import os
import re
import subprocess
import sys

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
CHECKER = os.path.join(TESTS_DIR, "check_generators.py")


def test_every_generator_recomputed(t):
    # Thousands per generator in the release build; the sanitizer build
    # checks the C side's memory on a smaller sample.
    n = "300" if t.asan else "2000"
    p = subprocess.run([sys.executable, CHECKER, t.bin, n, "1"], capture_output=True, text=True, timeout=600)
    t.sanitizer_check(p.stderr)
    t.check(p.returncode == 0, "generator check failed:\n" + p.stdout[-6000:] + p.stderr[-2000:])
    t.check(" 0 with problems" in p.stdout, p.stdout[-3000:])


def test_sample_cli(t):
    p = t.run(["tasks", "sample"])
    t.eq(p.returncode, 0, "tasks sample exit code")
    gens = [line.split()[0] for line in p.stdout.splitlines()]
    t.check(len(gens) >= 40, "generators listed: %r" % gens)
    a = t.run(["tasks", "sample", "m-prob", "3", "--seed", "0x2a"])
    b = t.run(["tasks", "sample", "m-prob", "3", "--seed", "42"])
    t.eq(a.returncode, 0, "sample exit code: " + a.stderr)
    t.eq(a.stdout, b.stdout, "0x2a and 42 are the same seed")
    t.check("id: m-prob@0000002a\n" in a.stdout and "id: m-prob@0000002c\n" in a.stdout, a.stdout)
    # The sample is a valid bank file once an id is given its subject: a teacher can keep a variant.
    body = a.stdout.replace("id: m-prob@", "id: kept-")
    path = t.write("kept.txt", "subject: mine\ntitle: Мои\n\n" + body)
    c = t.run(["tasks", "check", path], env=t.env(EXAMFLOW_TASKS_MODE="replace"))
    t.eq(c.returncode, 0, "a sample kept as a bank file:\n" + c.stderr)
    bad = t.run(["tasks", "sample", "no-such-gen"])
    t.eq(bad.returncode, 2, "unknown generator: usage error")
    t.check("no generator 'no-such-gen'" in bad.stderr, bad.stderr)
    bad = t.run(["tasks", "sample", "m-prob", "0"])
    t.eq(bad.returncode, 2, "a zero count is a usage error")


def test_list_counts_generators(t):
    p = t.run(["tasks", "list"])
    t.eq(p.returncode, 0, "exit code")
    t.check(re.search(r"^inf  Информатика: \d+ tasks, \d+ generators, \d+ task numbers$", p.stdout, re.M), p.stdout)
    t.check(re.search(r"^  number 19: +\d+ tasks? +\+ 1 generator ", p.stdout, re.M), p.stdout)
