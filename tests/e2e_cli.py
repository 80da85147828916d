"""End-to-end: the command line, configuration errors, exit codes, redaction.
not tested: /etc/examflow/examflow.conf discovery (needs writing to /etc)."""
import os
import re
import stat
import subprocess

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
EXIT_USAGE, EXIT_CONFIG = 2, 3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_version(t):
    p = t.run(["version"])
    t.eq(p.returncode, 0, "exit code")
    for word in ("examflow ", "compiler:", "libc:", "bearssl: 0.6", "built:"):
        t.check(word in p.stdout, "version output lacks %r:\n%s" % (word, p.stdout))


def test_release_binary_is_static(t):
    if t.asan:
        return  # the sanitizer build is dynamic by nature
    out = subprocess.run(["file", t.bin], capture_output=True, text=True).stdout
    t.check("statically linked" in out or "static-pie linked" in out, out)


def test_unknown_command_is_usage_error(t):
    p = t.run(["frobnicate"])
    t.eq(p.returncode, EXIT_USAGE, "exit code")
    t.check("unknown command 'frobnicate'" in p.stderr, p.stderr)
    t.check("usage:" in p.stderr, p.stderr)


def test_help_lists_commands_and_exit_codes(t):
    p = t.run(["help"])
    t.eq(p.returncode, 0, "exit code")
    for word in ("run", "check", "version", "exit codes", "configuration is wrong"):
        t.check(word in p.stdout, word)
    t.eq(t.run(["help", "nonsense"]).returncode, EXIT_USAGE, "bad topic")


def test_config_typo_names_file_line_and_suggestion(t):
    conf = t.write("examflow.conf", "# comment\n\ndata_dir = d\n" + "\n" * 3 + "telegram_tokn = x\n")
    p = t.run(["-c", conf, "check"])
    t.eq(p.returncode, EXIT_CONFIG, "exit code")
    t.check("examflow.conf:7: unknown key 'telegram_tokn' (did you mean 'telegram_token'?)" in p.stderr, p.stderr)


def test_config_bad_values(t):
    conf = t.write("examflow.conf", "max_restarts = lots\ncheck_interval = 1\nfsync = maybe\nno equals sign\n")
    p = t.run(["-c", conf, "check"])
    t.eq(p.returncode, EXIT_CONFIG, "exit code")
    t.check("examflow.conf:1: max_restarts: not a whole number" in p.stderr, p.stderr)
    t.check("examflow.conf:2: check_interval: value out of range (5..3600)" in p.stderr, p.stderr)
    t.check("examflow.conf:3: fsync: not one of the allowed values" in p.stderr, p.stderr)
    t.check("examflow.conf:4: expected 'key = value'" in p.stderr, p.stderr)


def test_config_found_in_cwd_and_env_var(t):
    t.write("examflow.conf", "bogus_key = 1\n")
    p = t.run(["check"])
    t.eq(p.returncode, EXIT_CONFIG, "./examflow.conf is read")
    other = t.write("other.conf", "log_level = debug\n")
    p = t.run(["check"], env=t.env(EXAMFLOW_CONFIG=other, TELEGRAM_BOT_TOKEN=TOKEN))
    t.check(p.returncode != EXIT_CONFIG, "EXAMFLOW_CONFIG wins over ./examflow.conf: " + p.stderr)
    t.check("config: ok (%s)" % other in p.stdout, p.stdout)
    t.check("Connection refused" in p.stdout, "check reached for the (closed) local API: " + p.stdout)


def test_env_overrides_and_bad_env(t):
    p = t.run(["check"], env=t.env(EXAMFLOW_MAX_RESTARTS="many"))
    t.eq(p.returncode, EXIT_CONFIG, "exit code")
    t.check("environment EXAMFLOW_MAX_RESTARTS: not a whole number" in p.stderr, p.stderr)


def test_run_without_token_is_config_error(t):
    p = t.run(["run"])
    t.eq(p.returncode, EXIT_CONFIG, "exit code")
    t.check("telegram_token is not set" in p.stderr, p.stderr)


def test_token_never_printed(t):
    """The token given through the environment must not reach any output or
    file, whatever the path: check, run, a config error next to it."""
    log = os.path.join(t.tmp, "logs", "bot.log")
    conf = t.write("examflow.conf", "telegram_api = http://127.0.0.1:9/%s\nbad_key = %s\n" % (TOKEN, TOKEN))
    good = t.write("good.conf", "telegram_api = http://127.0.0.1:9/%s\n" % TOKEN)
    env = t.env(TELEGRAM_BOT_TOKEN=TOKEN, EXAMFLOW_LOG_FILE=log, EXAMFLOW_LOG_LEVEL="debug")
    outputs = []
    for args in (["check"], ["-c", conf, "check"], ["help", "config"]):
        p = t.run(args, env=env, timeout=30)
        outputs.append(p.stdout + p.stderr)
    for n, watchdog in enumerate((False, True)):
        p = t.start_run(env, watchdog=watchdog, opts=["-c", good],
                        ready=lambda p: os.path.exists(log) and open(log).read().count("retrying") > n,
                        timeout=15, what="a retry in the log")
        t.stop_run(p, timeout=30)
        out, err = t.output_of(p)
        outputs.append(out + err)
    for root, _, files in os.walk(t.tmp):
        for f in files:
            if f.endswith(".conf"):
                continue
            with open(os.path.join(root, f), errors="replace") as fh:
                outputs.append(fh.read())
    secret = TOKEN.split(":")[1]
    for text in outputs:
        t.check(secret not in text, "token leaked:\n" + text[-2000:])


def test_log_file_created_0600(t):
    log = os.path.join(t.tmp, "logs", "bot.log")
    env = t.env(TELEGRAM_BOT_TOKEN=TOKEN, EXAMFLOW_LOG_FILE=log)
    p = t.start_run(env, watchdog=False, ready=lambda p: os.path.exists(log) and os.path.getsize(log) > 0,
                    timeout=10, what="the log file")
    t.eq(t.stop_run(p), 0, "exit code after SIGTERM")
    t.eq(stat.S_IMODE(os.stat(log).st_mode), 0o600, "log file mode")
    line = open(log).readline()
    t.check(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (debug|info |warn |error) \S+: ", line), line)


def test_conf_example_matches_key_table(t):
    p = t.run(["help", "config"])
    with open(os.path.join(ROOT, "examflow.conf.example")) as f:
        t.eq(f.read(), p.stdout, "examflow.conf.example vs `examflow help config` (regenerate: ./examflow help config > examflow.conf.example)")


def test_readme_documents_every_key(t):
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    keys = re.findall(r"^#(\w+) = ", t.run(["help", "config"]).stdout, re.M)
    t.check(len(keys) > 20, "key table parsed")
    missing = [k for k in keys if "`%s`" % k not in readme]
    t.check(not missing, "README.md lacks config keys: %s" % missing)
