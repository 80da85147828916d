"""End-to-end: deployment (issue 13).  README's Dockerfile and render.yaml
(extracted as tests/deploy_files.py does for `make image`), the container
image built from the Dockerfile's final stage and its root file system
running the bot against the Telegram double, and examflow.service's sandbox.

not tested: Render itself, and the Dockerfile's build stage (it pulls
debian:bookworm-slim from a registry this machine cannot reach; what runs is
the final stage, which is built here from the README's own text); `podman
run` (this sandbox's OCI runtime cannot set up cgroups: the image's root file
system runs under chroot, as its USER, in new mount and PID namespaces, so the
bot is PID 1 as in a container); the unit under a running systemd (no systemd
here; done by hand in a systemd-nspawn container, see README "systemd").
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time

from deploy_files import final_stage, make_context, readme_file
from e2e_telegram import ADMIN, new_double, wait_texts

ROOT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT = os.path.join(ROOT_DIR, "examflow.service")
MAX_EXPOSURE = 2.0
CA_BUNDLES = ("/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt",
              "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem")


def skip(why):
    print("  skip: " + why, flush=True)


# --- a small YAML reader: block mappings and sequences, plain or quoted
# scalars, comments.  Enough for render.yaml, and it refuses anything else
# (flow style, anchors, multi-line strings) instead of guessing. -------------------
def yaml_load(text):
    lines = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = re.sub(r"(^|\s)#.*$", "", raw).rstrip()
        if line.strip():
            if "\t" in raw[:len(raw) - len(raw.lstrip())]:
                raise ValueError("line %d: tab in indentation" % n)
            if re.search(r"^\s*[-\w]*\s*[:\-]?\s*[\[{&*|>]", line):
                raise ValueError("line %d: only block style is supported: %r" % (n, raw))
            lines.append((len(line) - len(line.lstrip()), line.strip(), n))
    value, i = _yaml_block(lines, 0, lines[0][0] if lines else 0)
    if i != len(lines):
        raise ValueError("line %d: unexpected indentation" % lines[i][2])
    return value


def _yaml_scalar(s):
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'":
        return s[1:-1]
    if s in ("true", "false"):
        return s == "true"
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    return s


def _yaml_block(lines, i, indent):
    if lines[i][1].startswith("- ") or lines[i][1] == "-":
        out = []
        while i < len(lines) and lines[i][0] == indent and lines[i][1].startswith("-"):
            rest = lines[i][1][1:].strip()
            if not rest:
                v, i = _yaml_block(lines, i + 1, lines[i + 1][0])
            elif re.match(r"[\w.-]+:(\s|$)", rest):
                # "- key: value" opens a mapping indented by the dash's width
                sub = [(indent + 2, rest, lines[i][2])]
                j = i + 1
                while j < len(lines) and lines[j][0] > indent:
                    sub.append(lines[j])
                    j += 1
                v, k = _yaml_block(sub, 0, indent + 2)
                if k != len(sub):
                    raise ValueError("line %d: bad indentation in a list item" % sub[k][2])
                i = j
            else:
                v, i = _yaml_scalar(rest), i + 1
            out.append(v)
        return out, i
    out = {}
    while i < len(lines) and lines[i][0] == indent:
        m = re.fullmatch(r"([\w.-]+):(?:\s+(.*))?", lines[i][1])
        if not m:
            raise ValueError("line %d: not 'key: value': %r" % (lines[i][2], lines[i][1]))
        key, rest = m.group(1), m.group(2)
        if key in out:
            raise ValueError("line %d: duplicate key %r" % (lines[i][2], key))
        if rest:
            out[key], i = _yaml_scalar(rest), i + 1
        elif i + 1 < len(lines) and lines[i + 1][0] > indent:
            out[key], i = _yaml_block(lines, i + 1, lines[i + 1][0])
        elif i + 1 < len(lines) and lines[i + 1][0] == indent and lines[i + 1][1].startswith("-"):
            out[key], i = _yaml_block(lines, i + 1, indent)
        else:
            out[key], i = None, i + 1
    return out, i


def test_yaml_reader_refuses_what_it_cannot_read(t):
    t.eq(yaml_load("a: 1\nb:\n  - c: x  # note\n    d: 'y'\n  - 2\n"), {"a": 1, "b": [{"c": "x", "d": "y"}, 2]},
         "parsed")
    for bad in ("a: [1, 2]\n", "a: {b: 1}\n", "a: &x 1\n", "a: |\n  text\n", "a: 1\na: 2\n", "a: 1\n  b: 2\n"):
        try:
            yaml_load(bad)
        except ValueError:
            continue
        t.fail("accepted %r" % bad)


def config_env_names(t):
    """Every environment name the binary accepts, from `examflow help config`."""
    p = t.run(["help", "config"])
    names = set(re.findall(r"\b(?:EXAMFLOW_[A-Z0-9_]+|TELEGRAM_BOT_TOKEN|GEMINI_API_KEY|ADMIN_TELEGRAM_ID|UPTIMEROBOT_API_KEY)\b",
                           p.stdout))
    t.check("EXAMFLOW_DATA_DIR" in names and "TELEGRAM_BOT_TOKEN" in names, "help config lists the names: %r" % names)
    return names


def dockerfile_stages(text):
    """[(FROM line, [instructions])] with continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    stages = []
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if re.match(r"FROM\s", line, re.I):
            stages.append((line, []))
        else:
            stages[-1][1].append(line)
    return stages


def image_env(instructions):
    env = {}
    for ins in instructions:
        if ins.upper().startswith("ENV "):
            for k, v in re.findall(r"(\w+)=(\S+)", ins[4:]):
                env[k] = v
    return env


def test_render_yaml_fields(t):
    y = yaml_load(readme_file("render.yaml"))
    services = y.get("services")
    t.check(isinstance(services, list) and len(services) == 1, "one service: %r" % services)
    s = services[0]
    t.eq(s.get("type"), "worker", "type (a poller needs no port: a background worker)")
    t.eq(s.get("runtime"), "docker", "runtime")
    t.eq(s.get("dockerfilePath"), "./Dockerfile", "dockerfilePath")
    t.eq(s.get("numInstances"), 1, "numInstances")
    t.check("scaling" not in s and "maxInstances" not in s, "no autoscaling: %r" % s.get("scaling"))
    t.check(s.get("plan") not in (None, "free"), "a disk needs a paid plan: %r" % s.get("plan"))
    grace = s.get("maxShutdownDelaySeconds")
    t.check(isinstance(grace, int) and 10 <= grace <= 300, "maxShutdownDelaySeconds: %r" % grace)
    disk = s.get("disk") or {}
    env = image_env(dockerfile_stages(readme_file("Dockerfile"))[-1][1])
    t.eq(disk.get("mountPath"), env.get("EXAMFLOW_DATA_DIR"), "the disk is mounted at the image's data_dir")
    t.check(isinstance(disk.get("sizeGB"), int) and disk["sizeGB"] >= 1 and disk.get("name"), "disk: %r" % disk)
    names = config_env_names(t)
    keys = {}
    for e in s.get("envVars") or []:
        t.check(set(e) <= {"key", "value", "sync"}, "envVar fields: %r" % e)
        t.check(e.get("key") in names, "%r is a name examflow reads (help config)" % e.get("key"))
        keys[e["key"]] = e
    for secret in ("TELEGRAM_BOT_TOKEN", "ADMIN_TELEGRAM_ID", "GEMINI_API_KEY"):
        t.check(secret in keys, "%s in envVars" % secret)
        t.check(keys[secret].get("sync") is False and "value" not in keys[secret],
                "%s is asked for (sync: false), never in the file: %r" % (secret, keys[secret]))


def test_dockerfile_stages(t):
    stages = dockerfile_stages(readme_file("Dockerfile"))
    t.check(len(stages) == 2, "a build stage and a final stage: %r" % [s[0] for s in stages])
    build_from, build = stages[0]
    t.check(re.fullmatch(r"FROM\s+\S+\s+AS\s+build", build_from, re.I), build_from)
    text = " ".join(build)
    t.check("musl-tools" in text and "make examflow" in text, "the build stage compiles with musl: %s" % text)
    t.check("COPY Makefile examflow.c" in text and "vendor/fetch-bearssl.sh" in text,
            "it builds from this repository's files: %s" % text)
    final_from, final = stages[1]
    t.check(re.fullmatch(r"FROM\s+scratch", final_from, re.I), "final stage FROM scratch: %s" % final_from)
    env = image_env(final)
    # it starts as root only to take /data, then runs as a numeric non-root user (run_as)
    runas = env.get("EXAMFLOW_RUN_AS", "")
    t.check(re.fullmatch(r"[1-9]\d*:[1-9]\d*", runas), "a numeric non-root EXAMFLOW_RUN_AS: %r" % runas)
    t.eq(env.get("EXAMFLOW_LOG_FILE"), "-", "logs to stderr")
    t.eq(env.get("EXAMFLOW_DATA_DIR"), "/data", "data_dir")
    t.check(env.get("EXAMFLOW_HEALTH_FILE", "").startswith("/data/"), "the health file is on the disk: %r" % env)
    chowned = [i for i in final if "--chown=%s" % runas in i]
    t.check(chowned and chowned[0].endswith(" /data"), "/data belongs to the user: %r" % final)
    t.check('ENTRYPOINT ["/examflow"]' in final and 'CMD ["run"]' in final, "examflow run: %r" % final)
    # make image's derivation: the same stage, its COPYs made local
    derived = final_stage(readme_file("Dockerfile"))
    t.check("--from" not in derived and "COPY out/root/ /" in derived, derived)


# --- the image ------------------------------------------------------------------------
def build_image(t):
    """The final stage, built by podman from the README's text, t.bin and the
    host's CA bundle; returns (tag, its config) or None (skipped)."""
    if t.asan:
        skip("the image takes the static release binary; the release suite builds it")
        return None
    podman = shutil.which("podman")
    if not podman:
        skip("no podman (.ci/run installs it: apt-get install podman)")
        return None
    if os.geteuid() != 0 or not shutil.which("unshare"):
        skip("running the image's root file system needs root and unshare")
        return None
    ca = next((c for c in CA_BUNDLES if os.path.exists(c)), None)
    t.check(ca, "a CA bundle on the host")
    ctx = os.path.join(t.tmp, "image")
    make_context(ctx, t.bin, ca)
    tag = "localhost/examflow-e2e-%d-%s" % (os.getpid(), t.name.lower().replace("_", "-"))
    p = subprocess.run([podman, "build", "-q", "-f", os.path.join(ctx, "Containerfile"), "-t", tag, ctx],
                       capture_output=True, text=True, timeout=120)
    t.check(p.returncode == 0, "podman build of the final stage:\n%s\n%s" % (p.stdout, p.stderr))
    t.on_cleanup(lambda: subprocess.run([podman, "rmi", "-f", tag], capture_output=True, timeout=60))
    p = subprocess.run([podman, "image", "inspect", tag], capture_output=True, text=True, timeout=60)
    cfg = json.loads(p.stdout)[0]["Config"]
    return tag, cfg


def export_rootfs(t, tag):
    """The image's root file system, unpacked as root keeps it (owners, modes)."""
    podman = shutil.which("podman")
    name = tag.rsplit("/", 1)[1]
    p = subprocess.run([podman, "create", "--name", name, tag], capture_output=True, text=True, timeout=60)
    t.check(p.returncode == 0, "podman create: %s" % p.stderr)
    tar = os.path.join(t.tmp, "rootfs.tar")
    try:
        p = subprocess.run([podman, "export", "-o", tar, name], capture_output=True, text=True, timeout=60)
        t.check(p.returncode == 0, "podman export: %s" % p.stderr)
    finally:
        subprocess.run([podman, "rm", "-f", name], capture_output=True, timeout=60)
    root = os.path.join(t.tmp, "rootfs")
    os.mkdir(root)
    with tarfile.open(tar) as tf:
        tf.extractall(root, numeric_owner=True)
    os.makedirs(os.path.join(root, "proc"), exist_ok=True)  # the runtime's mount point
    return root


# Runs as the namespaces' first process: chroot into the image, become its
# USER, cd to its WORKDIR, exec its ENTRYPOINT + CMD (so examflow is PID 1).
LAUNCH = r"""
import os, sys
root, wd, uid, gid = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
os.chroot(root); os.chdir(wd)
os.setgroups([]); os.setgid(gid); os.setuid(uid)
os.execve(sys.argv[5], sys.argv[5:], dict(os.environ))
"""


def run_image(t, root, cfg, env_extra):
    uid, gid = (int(x) for x in cfg["User"].split(":"))
    env = dict(e.split("=", 1) for e in cfg["Env"])
    env.update(env_extra)
    cmd = ["unshare", "--mount", "--pid", "--fork", "--mount-proc=%s" % os.path.join(root, "proc"),
           sys.executable, "-c", LAUNCH, root, cfg["WorkingDir"], str(uid), str(gid)] + cfg["Entrypoint"] + cfg["Cmd"]
    err = open(os.path.join(t.tmp, "image.stderr"), "w+")
    p = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=err, stderr=err, start_new_session=True)
    t.procs.append(p)
    p.out_path = p.err_path = err.name
    err.close()
    return p


def pid1_of(t, p):
    """The host pid of the namespace's PID 1 (unshare --fork's child), once it
    has become /examflow."""
    def child():
        try:
            with open("/proc/%d/task/%d/children" % (p.pid, p.pid)) as f:
                kids = f.read().split()
            if kids:
                with open("/proc/%s/comm" % kids[0]) as f:
                    return int(kids[0]) if f.read().strip() == "examflow" else None
        except OSError:
            pass
        return None
    return t.wait_for(child, 10, what="the image's PID 1 to exec /examflow")


def image_log(t):
    return t.read("image.stderr")


def test_image_root_runs_the_bot(t):
    built = build_image(t)
    if not built:
        return
    tag, cfg = built
    runas = dict(e.split("=", 1) for e in cfg["Env"]).get("EXAMFLOW_RUN_AS", "")
    t.check(re.fullmatch(r"[1-9]\d*:[1-9]\d*", runas), "a numeric non-root user to run as: %r" % runas)
    root = export_rootfs(t, tag)
    st = os.stat(os.path.join(root, "data"))
    uid = int(runas.split(":")[0])
    t.eq(st.st_uid, uid, "/data belongs to the image's user")
    t.check(not st.st_mode & 0o022, "/data is writable by nobody else: %o" % st.st_mode)
    t.eq(sorted(os.listdir(root)), ["data", "etc", "examflow", "proc", "tmp"], "the image holds only this")
    d = new_double(t)
    p = run_image(t, root, cfg, {"TELEGRAM_BOT_TOKEN": d.token, "EXAMFLOW_TELEGRAM_API": d.url,
                                 "ADMIN_TELEGRAM_ID": str(ADMIN), "EXAMFLOW_POLL_TIMEOUT": "1"})
    pid1 = pid1_of(t, p)
    with open("/proc/%d/status" % pid1) as f:
        status = f.read()
    t.check(re.search(r"^NSpid:\s+%d\s+1$" % pid1, status, re.M), "examflow is PID 1 in its namespace:\n%s" % status)
    t.check(re.search(r"^Uid:\s+%d\s" % uid, status, re.M), "it runs as %d" % uid)
    d.push_message(1001, "/start", first_name="Маша")
    texts = wait_texts(t, d, 1001, 1, timeout=20)
    t.check("Привет, Маша" in texts[0], texts[0])
    data = os.path.join(root, "data")
    t.wait_for(lambda: os.path.exists(os.path.join(data, "health.json")), 10, what="/data/health.json")
    for name in ("events.log", "lock", "health.json"):
        st = os.stat(os.path.join(data, name))
        t.check(st.st_uid == uid and st.st_mode & 0o777 == 0o600, "/data/%s: uid %d mode %o" % (name, st.st_uid, st.st_mode))
    t.check("used /start" in image_log(t) and "starting" in image_log(t), "the log goes to stderr:\n" + image_log(t)[-2000:])
    t0 = time.monotonic()
    os.kill(pid1, signal.SIGTERM)
    rc = t.wait_exit(p, 30, "the image's bot to stop after SIGTERM")
    took = time.monotonic() - t0
    t.eq(rc, 0, "exit code after SIGTERM")
    # Docker's default grace period is 10 s, Render's 30 s: well within both
    t.check(took < 5, "stopped in %.1f s" % took)
    with open(os.path.join(data, "health.json")) as f:
        t.check('"stopped"' in f.read(), "the health file says stopped")
    with open(os.path.join(data, "events.log"), errors="replace") as f:
        t.check(re.search(r"^user\t\d+\t\d+\t1001\tМаша", f.read(), re.M), "the student is stored in /data")


def test_image_on_a_root_owned_disk(t):
    """What README "Deploy on Render" says: a disk mounted root-owned 0755
    over /data is taken by the bot (run_as) before it drops root; without
    run_as, the image's user cannot write it, and the bot stops with exit
    code 4 (an admin must act) and says why, instead of restarting in a loop."""
    built = build_image(t)
    if not built:
        return
    tag, cfg = built
    runas = dict(e.split("=", 1) for e in cfg["Env"]).get("EXAMFLOW_RUN_AS", "")
    uid = int(runas.split(":")[0])
    root = export_rootfs(t, tag)
    data = os.path.join(root, "data")
    os.chown(data, 0, 0)
    os.chmod(data, 0o755)
    d = new_double(t)
    env = {"TELEGRAM_BOT_TOKEN": d.token, "EXAMFLOW_TELEGRAM_API": d.url, "EXAMFLOW_POLL_TIMEOUT": "1"}
    p = run_image(t, root, cfg, env)
    pid1 = pid1_of(t, p)
    d.push_message(1002, "/start")
    wait_texts(t, d, 1002, 1, timeout=20)
    st = os.stat(data)
    t.check(st.st_uid == uid and st.st_mode & 0o777 == 0o700, "/data taken: uid %d mode %o" % (st.st_uid, st.st_mode))
    with open("/proc/%d/status" % pid1) as f:
        t.check(re.search(r"^Uid:\s+%d\s+%d\s+%d\s+%d$" % (uid, uid, uid, uid), f.read(), re.M), "root dropped for good")
    t.check("running as %s (run_as)" % runas in image_log(t), image_log(t)[-2000:])
    os.kill(pid1, signal.SIGTERM)
    t.eq(t.wait_exit(p, 30, "the bot to stop"), 0, "exit code")
    # the same disk, root-owned again, and the image started as its user without run_as
    os.chown(data, 0, 0)
    os.chmod(data, 0o755)
    for f in os.listdir(data):
        os.chown(os.path.join(data, f), 0, 0)
    cfg2 = dict(cfg, User=runas)
    p = run_image(t, root, cfg2, dict(env, EXAMFLOW_RUN_AS=""))
    t.eq(t.wait_exit(p, 30, "the bot to give up on an unwritable disk"), 4, "exit code 4: an admin must act")
    t.check("Permission denied" in image_log(t), image_log(t)[-2000:])


# --- the systemd unit ----------------------------------------------------------------
def test_systemd_unit_exposure(t):
    tool = shutil.which("systemd-analyze")
    if not tool:
        skip("no systemd-analyze (.ci/run installs systemd)")
        return
    p = subprocess.run([tool, "security", "--offline=yes", UNIT], capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for examflow\.service: (\d+\.\d+)", p.stdout)
    t.check(m, "systemd-analyze security printed a score:\n%s\n%s" % (p.stdout[-2000:], p.stderr[-2000:]))
    score = float(m.group(1))
    t.check(score <= MAX_EXPOSURE, "exposure %.1f > %.1f:\n%s" % (score, MAX_EXPOSURE, p.stdout))
    # every directive is one this systemd knows (a typo is only a warning to systemd)
    unit_dir = os.path.join(t.tmp, "unit")
    os.mkdir(unit_dir)
    with open(UNIT) as f:
        text = f.read().replace("/usr/local/bin/examflow", t.bin)
    with open(os.path.join(unit_dir, "examflow.service"), "w") as f:
        f.write(text)
    p = subprocess.run([tool, "verify", os.path.join(unit_dir, "examflow.service")], capture_output=True,
                       text=True, timeout=60)
    bad = [l for l in (p.stdout + p.stderr).splitlines() if "examflow.service" in l]
    t.check(not bad, "systemd-analyze verify:\n" + "\n".join(bad))


def test_systemd_unit_keeps_what_the_bot_needs(t):
    """The lines the product's own behaviour depends on (README "systemd",
    "Updating"): notify and watchdog, reload, the paths cron's update and
    backup use, the sockets it opens, and no sandbox line that would stop the
    self-update's re-exec of /usr/local/bin/examflow."""
    with open(UNIT) as f:
        lines = [l.strip() for l in f if l.strip() and not l.lstrip().startswith("#")]
    kv = {}
    for l in lines:
        if "=" in l:
            k, v = l.split("=", 1)
            kv.setdefault(k, []).append(v)
    for k, v in (("Type", "notify"), ("NotifyAccess", "main"), ("KillMode", "mixed"), ("DynamicUser", "yes"),
                 ("StateDirectory", "examflow"), ("WorkingDirectory", "/var/lib/examflow"),
                 ("ExecReload", "/bin/kill -HUP $MAINPID"), ("RestartPreventExitStatus", "3 4")):
        t.check(kv.get(k) == [v], "%s=%s: %r" % (k, v, kv.get(k)))
    env = dict(x.split("=", 1) for x in kv.get("Environment", []))
    t.eq(env.get("EXAMFLOW_DATA_DIR"), "/var/lib/examflow/data", "data_dir (cron's update and backup use it)")
    t.check(env.get("EXAMFLOW_HEALTH_FILE", "").startswith("/var/lib/examflow/"), "the health file is in the state dir")
    t.check(env.get("EXAMFLOW_LOG_FILE", "").startswith("/var/lib/examflow/"), "the log is in the state dir")
    fams = set(" ".join(kv.get("RestrictAddressFamilies", [])).split())
    t.eq(fams, {"AF_UNIX", "AF_INET", "AF_INET6"}, "address families")
    for k in ("NoExecPaths", "InaccessiblePaths", "TemporaryFileSystem", "BindPaths", "BindReadOnlyPaths"):
        t.check(k not in kv, "%s would get between the bot and its binary or files" % k)
    mem = kv.get("MemoryMax", [""])[0]
    t.check(re.fullmatch(r"\d+M", mem) and int(mem[:-1]) >= 32, "MemoryMax with headroom: %r" % mem)
