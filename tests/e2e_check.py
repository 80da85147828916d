"""End-to-end: `examflow check` against the Telegram double served over TLS (issue 3's "Done when").

The certificates come from tests/gen_certs.sh (made once per run of this file):
the good one (localhost + 127.0.0.1, from the test CA) must pass and print the
bot's username and the certificate's subject and expiry; every bad one
(expired, another host name, self-signed, from a CA the client does not trust,
a leaf whose intermediate the server does not send) must be refused with its
reason in words, a non-zero exit, and without the token ever reaching the
server.  The token never appears in anything `check` prints, also at log level
debug.  A token the double rejects is reported as rejected (exit 3).

not tested:
  - the system CA bundle auto-detection paths (only that, without ca_file, the
    test CA is not trusted: the machine's bundle does not contain it);
  - DNS failures and a closed port (need a resolver we control / are covered by
    unit_http.c);
  - TLS session resumption and keep-alive (unit_http.c; `check` makes one request);
  - certificates that are not yet valid (gen_certs.sh makes none; BearSSL reports
    them with the same words as expired ones);
  - the Gemini endpoint line of `check` (issue 7's tests).
"""
import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time

from tg_double import TelegramDouble

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijklmn"
BOT = "examflow_test_bot"
TESTS_DIR = os.path.dirname(os.path.abspath(__file__))

_certs = {}


def certs(t):
    """The directory gen_certs.sh filled (made once for the whole file)."""
    if "dir" not in _certs:
        d = tempfile.mkdtemp(prefix="examflow-check-certs-")
        atexit.register(shutil.rmtree, d, True)
        try:
            p = subprocess.run(["sh", os.path.join(TESTS_DIR, "gen_certs.sh"), d], capture_output=True,
                               text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            t.fail("gen_certs.sh could not run: %s" % e)
        if p.returncode != 0:
            t.fail("gen_certs.sh failed (%d): %s" % (p.returncode, p.stderr[-2000:]))
        _certs["dir"] = d
    return _certs["dir"]


def cert_path(t, name):
    return os.path.join(certs(t), name)


def tls_double(t, cert, key, **kw):
    d = TelegramDouble(token=TOKEN, certfile=cert_path(t, cert), keyfile=cert_path(t, key), **kw)
    d.start()
    t.on_cleanup(d.stop)
    return d


def run_check(t, d, host="localhost", ca="ca.pem", token=TOKEN, **extra):
    """`examflow check` against d; ca is a file in the certificate directory, an
    absolute path, or None for no ca_file (the system bundle)."""
    env = t.env(TELEGRAM_BOT_TOKEN=token, EXAMFLOW_TELEGRAM_API=d.url_for(host),
                EXAMFLOW_CA_FILE=None if ca is None else (ca if os.path.isabs(ca) else cert_path(t, ca)),
                EXAMFLOW_LOG_LEVEL="debug", **extra)
    p = t.run(["check"], env=env, timeout=60)
    out = p.stdout + p.stderr
    for secret in (token, token.split(":", 1)[-1]):
        t.check(secret not in out, "the token appears in the output of check:\n" + out)
    return p, out


def not_after(t, cert):
    """The certificate's expiry as `check` prints it: "2029-02-26 09:44:39 UTC"."""
    p = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", cert_path(t, cert)],
                       capture_output=True, text=True, timeout=30)
    m = re.match(r"notAfter=(.*) GMT", p.stdout.strip())
    t.check(m, "openssl x509 -enddate: %r" % p.stdout)
    tm = time.strptime(" ".join(m.group(1).split()), "%b %d %H:%M:%S %Y")
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", tm)


def expect_ok(t, d, p, out, cert="good.pem"):
    t.eq(p.returncode, 0, "exit code of check:\n" + out)
    t.check("getMe ok: bot @%s" % BOT in p.stdout, "bot's username reported:\n" + out)
    want = "tls: ok, certificate localhost, valid until %s" % not_after(t, cert)
    t.check(want in p.stdout, "wanted %r in:\n%s" % (want, out))
    t.eq(len(d.calls("getMe")), 1, "getMe calls at the double")


def test_good_certificate_reports_username_subject_expiry(t):
    d = tls_double(t, "good.pem", "good.key")
    p, out = run_check(t, d)
    expect_ok(t, d, p, out)
    t.check("telegram: localhost:%d (https)" % d.port in p.stdout, "endpoint line:\n" + out)


def test_good_certificate_by_ip_address(t):
    """The URL names 127.0.0.1: the certificate's iPAddress SAN must match it."""
    d = tls_double(t, "good.pem", "good.key")
    p, out = run_check(t, d, host="127.0.0.1")
    expect_ok(t, d, p, out)


def test_complete_chain_through_intermediate(t):
    """The server sends leaf + intermediate: the chain to the test CA is complete."""
    d = tls_double(t, "leafi-chain.pem", "leafi.key")
    p, out = run_check(t, d)
    expect_ok(t, d, p, out, cert="leafi.pem")


def test_ca_file_replaces_the_trust_store(t):
    """ca_file = another CA: its leaf passes, and our test CA's leaf does not."""
    d = tls_double(t, "untrusted.pem", "untrusted.key")
    p, out = run_check(t, d, ca="untrusted-ca.pem")
    expect_ok(t, d, p, out, cert="untrusted.pem")
    d2 = tls_double(t, "good.pem", "good.key")
    p, out = run_check(t, d2, ca="untrusted-ca.pem")
    t.check(p.returncode != 0, "good.pem accepted although ca_file names another CA:\n" + out)
    t.check("unknown certificate authority" in p.stdout, out)
    t.eq(d2.calls(), [], "nothing reached the server")


def expect_refused(t, d, p, out, why):
    t.check(p.returncode != 0, "check accepted a bad certificate (exit 0):\n" + out)
    t.check("getMe ok" not in p.stdout, out)
    lines = [l for l in p.stdout.splitlines() if "FAILED" in l]
    t.check(lines and why in lines[0] and "TLS" in lines[0],
            "wanted a FAILED line saying %r, got:\n%s" % (why, out))
    # the token travels in the request path: it must never reach an unverified server
    t.eq(d.calls(), [], "API calls that reached the server")
    return lines[0]


BAD = [
    # name, cert, key, host, reason
    ("expired", "expired.pem", "expired.key", "localhost", "certificate expired or not yet valid"),
    ("wrong_host", "wronghost.pem", "wronghost.key", "localhost", "certificate is for another host"),
    ("wrong_host_by_ip", "wronghost.pem", "wronghost.key", "127.0.0.1", "certificate is for another host"),
    ("self_signed", "self.pem", "self.key", "localhost", "unknown certificate authority"),
    ("untrusted_ca", "untrusted.pem", "untrusted.key", "localhost", "unknown certificate authority"),
    ("missing_intermediate", "leafi.pem", "leafi.key", "localhost", "unknown certificate authority"),
]


def _bad_test(name, cert, key, host, why):
    def test(t):
        d = tls_double(t, cert, key)
        p, out = run_check(t, d, host=host)
        line = expect_refused(t, d, p, out, why)
        t.eq(p.returncode, 3, "exit code (a TLS refusal is not a network blip to retry)")
        if name == "expired":
            t.check("valid until 2021-01-01 00:00:00 UTC" in line, "expiry named: " + line)
        if name.startswith("wrong_host"):
            t.check("other.example" in line, "the certificate's name is shown: " + line)
    test.__name__ = "test_refused_" + name
    return test


for _b in BAD:
    globals()["test_refused_" + _b[0]] = _bad_test(*_b)


def test_without_ca_file_test_ca_is_not_trusted(t):
    """No ca_file: the system bundle, which does not know our test CA."""
    d = tls_double(t, "good.pem", "good.key")
    p, out = run_check(t, d, ca=None)
    if "no trusted CA certificates" in p.stdout:   # a machine without a CA bundle
        t.eq(p.returncode, 3, "exit code without any CA:\n" + out)
        t.eq(d.calls(), [], "nothing reached the server")
        return
    expect_refused(t, d, p, out, "unknown certificate authority")


def test_rejected_token_over_tls(t):
    d = tls_double(t, "good.pem", "good.key")
    p, out = run_check(t, d, token="999:wrong-token-for-the-double")
    t.eq(p.returncode, 3, "exit code for a rejected token:\n" + out)
    t.check("token was rejected" in p.stdout, out)
    t.check("tls: ok" in p.stdout, "TLS itself was fine:\n" + out)
    t.eq([c["status"] for c in d.calls()], [401], "one getMe, answered 401")


def test_rejected_token_over_http(t):
    d = TelegramDouble(token=TOKEN)
    d.start()
    t.on_cleanup(d.stop)
    p, out = run_check(t, d, host="127.0.0.1", ca=None, token="999:wrong-token-for-the-double")
    t.eq(p.returncode, 3, "exit code for a rejected token:\n" + out)
    t.check("token was rejected" in p.stdout, out)
    t.check("tls:" not in p.stdout, "no TLS line for http:\n" + out)


def test_missing_ca_file_named(t):
    """ca_file pointing at nothing: refused (exit 3), and the message names the
    file instead of advising to set ca_file (which is set)."""
    d = tls_double(t, "good.pem", "good.key")
    missing = os.path.join(t.tmp, "no-such-ca.pem")
    p, out = run_check(t, d, ca=missing)
    t.eq(p.returncode, 3, "exit code:\n" + out)
    t.eq(d.calls(), [], "nothing reached the server")
    t.check(missing in out, "the message names the unreadable ca_file %s:\n%s" % (missing, out))
