"""End-to-end: `examflow demo`, the console transport over the same handlers.

The golden conversation is compared, whole, with tests/demo.golden after
normalise() (version numbers, dates and times become placeholders).  After an
intended change of the wording, regenerate it and review the diff:

    EXAMFLOW_UPDATE_GOLDEN=1 python3 tests/lib.py --bin ./examflow \\
        --unit-dir tests/build/test --only golden tests/e2e_demo.py

not tested: an interactive terminal (tmux); stdin is a pipe here, which is what
the demo reads either way."""
import glob
import os
import re
import subprocess

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(TESTS_DIR, "demo.golden")
# The conversation of the golden transcript: subject "Тест", task number 2 (the
# fixture bank has one, so no random choice), a wrong answer, the solution,
# the next task (the same one), the right answer, the statistics.
GOLDEN_SCRIPT = ["1", "2", "5", "#1", "1", "4", "/stats", "/quit"]


def demo_env(t, bank=True):
    env = t.env()
    env.pop("EXAMFLOW_DATA_DIR")
    if bank:
        env["EXAMFLOW_TASKS_FILE"] = t.bank()
        env["EXAMFLOW_TASKS_MODE"] = "replace"
    return env


def demo(t, script, args=(), bank=True):
    p = t.run(["demo"] + list(args), env=demo_env(t, bank), input="\n".join(script) + "\n", timeout=30)
    t.eq(p.returncode, 0, "demo exit code: " + p.stderr)
    return p.stdout


def normalise(text):
    """What may differ between two runs of the same conversation, replaced."""
    text = re.sub(r"\b\d{4}-\d\d-\d\d\b|\b\d\d\.\d\d\.\d{4}\b", "<DATE>", text)
    text = re.sub(r"\b\d\d:\d\d(:\d\d)?\b", "<TIME>", text)
    return re.sub(r"\b\d+\.\d+\.\d+\b", "<VERSION>", text)


def lock_pid(directory):
    try:
        with open(os.path.join(directory, "lock")) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def test_golden_transcript(t):
    # Without --data the demo works in a throw-away /tmp/examflow-demo-*; other
    # demos may run at the same time, so ours is the one whose lock names its pid.
    p = subprocess.Popen([t.bin, "demo"], env=demo_env(t), cwd=t.tmp, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace")
    t.procs.append(p)
    p.out_path = p.err_path = os.devnull
    mine = t.wait_for(lambda: [d for d in glob.glob("/tmp/examflow-demo-*") if lock_pid(d) == p.pid], 10,
                      what="the demo's throw-away data directory")
    out, err = p.communicate("\n".join(GOLDEN_SCRIPT) + "\n", timeout=30)
    t.sanitizer_check(err)
    t.eq(p.returncode, 0, "demo exit code: " + err)
    steps = ["Привет", "[1] Тест", "Выберите номер задания", "[1] №1", "[2] №2", "[3] Любое",
             "Сколько будет 0+4?", "[#1] Решение", "Неверно", "Ответ: 4", "[1] Дальше",
             "Сколько будет 0+4?", "Верно! +10", "Первый верный ответ", "Очки: 10", "Решено: 1 из 2"]
    pos = 0
    for s in steps:
        i = out.find(s, pos)
        t.check(i >= 0, "transcript lacks %r after position %d:\n%s" % (s, pos, out))
        pos = i + len(s)
    t.check("<b>" not in out and "&lt;" not in out, "HTML is rendered as plain text")
    got = normalise(out)
    if os.environ.get("EXAMFLOW_UPDATE_GOLDEN"):
        with open(GOLDEN, "w") as f:
            f.write(got)
    with open(GOLDEN) as f:
        want = f.read()
    if got != want:
        import difflib
        diff = "".join(difflib.unified_diff(want.splitlines(True), got.splitlines(True), "demo.golden", "demo"))
        t.fail("the transcript differs from tests/demo.golden (regenerate it as e2e_demo.py says "
               "if the change is intended):\n" + diff)
    t.eq([d for d in mine if os.path.exists(d)], [], "the throw-away data directory is removed")


def test_normalise_keeps_the_words(t):
    t.eq(normalise("ExamFlow 0.1.0 — 2026-12-01 18:05, 01.12.2026 17:05:09"),
         "ExamFlow <VERSION> — <DATE> <TIME>, <DATE> <TIME>", "normalise")
    t.eq(normalise("Очки: 10 · уровень 1\nРешено: 1 из 2 попыток"), "Очки: 10 · уровень 1\nРешено: 1 из 2 попыток",
         "numbers that are not dates stay")


def test_embedded_bank_needs_no_setup(t):
    out = demo(t, ["/subjects", "/quit"], bank=False)
    for subject in ("Математика (профиль)", "Информатика", "Русский язык", "Физика"):
        t.check(subject in out, "embedded subject %s:\n%s" % (subject, out))


def test_data_dir_keeps_progress(t):
    data = os.path.join(t.tmp, "demo-data")
    demo(t, ["1", "2", "4", "/quit"], args=["--data", data])
    out = demo(t, ["/stats", "/quit"], args=["--data", data])
    t.check("Очки: 10" in out, "progress kept across runs:\n" + out)
    t.eq(oct(os.stat(os.path.join(data, "events.log")).st_mode & 0o777), oct(0o600), "data file mode")


def test_end_of_input_is_a_clean_exit(t):
    out = demo(t, ["/help"])
    t.check("/task" in out, out)
