"""End-to-end: `examflow demo`, the console transport over the same handlers.
not tested: an interactive terminal (tmux); stdin is a pipe here, which is what
the demo reads either way."""
import glob
import os

BANK = """subject: t
title: Тест

id: t-1
number: 1
text: Сколько будет 2+2?
answer: 4
solution: Два плюс два — четыре.

id: t-2
number: 1
text: Сколько будет 1+3?
answer: 4
solution: Один плюс три — четыре.
"""


def demo(t, script, args=(), bank=True):
    env = t.env()
    env.pop("EXAMFLOW_DATA_DIR")
    if bank:
        env["EXAMFLOW_TASKS_FILE"] = t.write("bank.txt", BANK)
        env["EXAMFLOW_TASKS_MODE"] = "replace"
    p = t.run(["demo"] + list(args), env=env, input="\n".join(script) + "\n", timeout=30)
    t.eq(p.returncode, 0, "demo exit code: " + p.stderr)
    return p.stdout


def test_golden_transcript(t):
    before = set(glob.glob("/tmp/examflow-demo-*"))
    out = demo(t, ["1", "2", "5", "#1", "1", "4", "/stats", "/quit"])
    steps = ["Привет", "[1] Тест", "Выберите номер задания", "[1] №1", "[2] Любое",
             "Сколько будет", "[#1] Решение", "Неверно", "Ответ: 4", "[1] Дальше",
             "Сколько будет", "Верно! +10", "Первый верный ответ", "Очки: 10", "Решено: 1 из 2"]
    pos = 0
    for s in steps:
        i = out.find(s, pos)
        t.check(i >= 0, "transcript lacks %r after position %d:\n%s" % (s, pos, out))
        pos = i + len(s)
    t.check("<b>" not in out and "&lt;" not in out, "HTML is rendered as plain text")
    after = set(glob.glob("/tmp/examflow-demo-*"))
    t.eq(after - before, set(), "the throw-away data directory is removed")


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
