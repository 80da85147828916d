"""Self-tests of the test doubles (tests/tg_double.py, tests/gemini_double.py).

They talk to the doubles with http.client exactly as a client would and prove
the behaviour the ExamFlow end-to-end tests rely on.  The examflow binary is
not used here.  The doubles model only what ExamFlow calls (JSON bodies, the
Bot API methods in examflow.c's "EXTERNAL THINGS" list, camelCase Gemini
fields): requests outside that are refused, and not tested here.

not tested:
  - the TLS test is skipped when the openssl tool is missing
"""

import http.client
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tg_double import TelegramDouble, make_test_pki, parse_html, utf16_len, HtmlError  # noqa: E402
from gemini_double import GeminiDouble  # noqa: E402

TOKEN = "123456:ABC-test-token"


class Resp:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body.decode("utf-8"))

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None


def request(base, path, body=None, headers=None, method=None, timeout=3.0, conn=None):
    """One HTTP request; returns Resp.  conn: reuse an http.client connection."""
    u = urllib.parse.urlsplit(base)
    own = conn is None
    if own:
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=timeout,
                                               context=headers.pop("_ctx") if headers and "_ctx" in headers else None)
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    try:
        conn.request(method or ("POST" if body is not None else "GET"), path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Resp(r.status, r.getheaders(), r.read())
    finally:
        if own:
            conn.close()


def tg(d, method, params=None, token=TOKEN, timeout=3.0, conn=None):
    """Call a Bot API method with its parameters in a JSON body, as ExamFlow does."""
    path = "/bot%s/%s" % (token, method)
    return request(d.url, path, json.dumps(params or {}).encode(), {"Content-Type": "application/json"},
                   timeout=timeout, conn=conn)


def gem(g, body, key="test-gemini-key", model="gemini-2.5-flash", query="", timeout=3.0):
    h = {"Content-Type": "application/json"}
    if key is not None:
        h["x-goog-api-key"] = key
    path = "/v1beta/models/%s:generateContent%s" % (model, query)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return request(g.url, path, raw, h, timeout=timeout)


def ask(text, history=()):
    contents = [{"role": r, "parts": [{"text": x}]} for r, x in history]
    contents.append({"role": "user", "parts": [{"text": text}]})
    return {"systemInstruction": {"parts": [{"text": "Ты репетитор."}]}, "contents": contents,
            "generationConfig": {"temperature": 0.3, "maxOutputTokens": 800}}


class Doubles:
    """with Doubles(t, tg=True) as (d, g): ... - always stopped, even on failure."""

    def __init__(self, **tg_opts):
        self.d = TelegramDouble(token=TOKEN, **tg_opts)

    def __enter__(self):
        return self.d.start()

    def __exit__(self, *exc):
        self.d.stop()


def err_desc(r):
    return r.json().get("description", "")


# ---------------------------------------------------------------------------
# Telegram double
# ---------------------------------------------------------------------------

def test_tg_auth_methods_and_json_params(t):
    with Doubles() as d:
        r = tg(d, "getMe", token="999:wrong")
        t.check(r.status == 401 and r.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"},
                "wrong token -> 401 Unauthorized, got %s %r" % (r.status, r.body))
        r = tg(d, "sendFoo")
        t.check(r.status == 404 and r.json() == {"ok": False, "error_code": 404, "description": "Not Found"},
                "unknown method -> 404")
        r = tg(d, "getme")
        t.check(r.status == 200 and r.json()["result"]["is_bot"] is True, "method names are case-insensitive")
        t.check(r.header("Content-Type") == "application/json" and r.header("Server").startswith("nginx"),
                "json content type and nginx server header")
        for chat in (14, 15, 16):
            r = tg(d, "sendMessage", {"chat_id": chat, "text": "привет <%d>" % chat})
            t.check(r.status == 200 and r.json()["result"]["text"] == "привет <%d>" % chat,
                    "sendMessage: %s %r" % (r.status, r.body[:200]))
        t.check(len(d.sent()) == 3 and d.sent(14)[0]["text"] == "привет <14>", "sent() records per chat")
        t.check([(c["method"], c["status"]) for c in d.calls()][:3] == [("getMe", 401), ("sendFoo", 404),
                                                                          ("getMe", 200)],
                "calls() logs every call with its status, refused ones included")
        t.check(len(d.calls("sendMessage")) == 3, "calls(method) counts every call")
        r = request(d.url, "/bot%s/sendMessage" % TOKEN, b"chat_id=1&text=x",
                    {"Content-Type": "application/x-www-form-urlencoded"})
        t.check(r.status == 400 and "application/json" in err_desc(r), "only JSON bodies: %r" % r.body)
        for method in ("editMessageText", "getWebhookInfo", "getMyCommands"):
            t.check(tg(d, method, {"chat_id": 1}).status == 404, "%s is not modelled: 404" % method)


def test_tg_offset_semantics(t):
    with Doubles() as d:
        ids = [d.push_message(5, "m%d" % i)["update_id"] for i in range(4)]
        t.check(ids == list(range(ids[0], ids[0] + 4)), "update ids increase by one")
        r = tg(d, "getUpdates").json()["result"]
        t.check([u["update_id"] for u in r] == ids, "no offset: all unconfirmed updates")
        r = tg(d, "getUpdates", {"offset": ids[0], "limit": 2}).json()["result"]
        t.check([u["update_id"] for u in r] == ids[:2], "limit honoured")
        r = tg(d, "getUpdates", {"offset": ids[2]}).json()["result"]
        t.check([u["update_id"] for u in r] == ids[2:], "offset confirms earlier updates")
        r = tg(d, "getUpdates", {"offset": ids[0]}).json()["result"]
        t.check([u["update_id"] for u in r] == ids[2:], "confirmed updates are forgotten for good")
        t.check(d.confirmed_offset == ids[2], "confirmed_offset is the highest offset used")
        r = tg(d, "getUpdates", {"offset": -1}).json()["result"]
        t.check([u["update_id"] for u in r] == ids[3:], "negative offset keeps the last -offset updates")
        r = tg(d, "getUpdates").json()["result"]
        t.check([u["update_id"] for u in r] == ids[3:], "and forgets the rest")
        r = tg(d, "getUpdates", {"offset": ids[3] + 1, "limit": 0}).json()
        t.check(r["ok"] and r["result"] == [], "all confirmed; limit 0 is clamped, not an error")
        nxt = d.push_message(5, "later")["update_id"]
        t.check(nxt == ids[3] + 1, "ids continue after confirmation")


def test_tg_long_poll_returns_early_on_push(t):
    with Doubles() as d:
        box = {}

        def poll():
            t0 = time.monotonic()
            box["r"] = tg(d, "getUpdates", {"timeout": 5, "allowed_updates": ["message"]}, timeout=8)
            box["dt"] = time.monotonic() - t0
        th = threading.Thread(target=poll, daemon=True)
        th.start()
        t.check(d.wait_until(lambda: d.counter("polls") == 1, 3), "the long poll is waiting")
        d.push_message(8, "hello")
        th.join(3)
        t.check("r" in box and box["r"].json()["result"][0]["message"]["text"] == "hello", "update delivered")
        t.check(box.get("dt", 99) < 1.5, "long poll answered early (%.2f s)" % box.get("dt", 99))
        t.check(d.allowed_updates == ["message"], "allowed_updates recorded")
        t0 = time.monotonic()
        r = tg(d, "getUpdates", {"offset": box["r"].json()["result"][0]["update_id"] + 1, "timeout": 1})
        dt = time.monotonic() - t0
        t.check(r.json()["result"] == [] and 0.9 <= dt < 1.8, "empty long poll lasts its timeout (%.2f s)" % dt)


def test_tg_second_poller_gets_older_one_409(t):
    with Doubles() as d:
        box = {}

        def poll():
            box["r"] = tg(d, "getUpdates", {"timeout": 5}, timeout=8)
            box["t"] = time.monotonic()
        th = threading.Thread(target=poll, daemon=True)
        th.start()
        t.check(d.wait_until(lambda: d.counter("polls") == 1, 3), "the first long poll is waiting")
        t1 = time.monotonic()
        r2 = tg(d, "getUpdates", {"timeout": 0})
        th.join(3)
        r1 = box.get("r")
        t.check(r1 is not None and r1.status == 409, "the older poll gets 409")
        t.check(r1 is not None and r1.json()["description"] ==
                "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                "409 text as the real server's")
        t.check(box.get("t", 99) - t1 < 1.0, "and gets it at once")
        t.check(r2.status == 200 and r2.json()["result"] == [], "the newer poll is served")
        r = tg(d, "deleteWebhook", {"drop_pending_updates": False}).json()
        t.check(r["result"] is True and r["description"] == "Webhook is already deleted", "deleteWebhook")
        t.check(tg(d, "getUpdates").status == 200, "polling works after deleteWebhook")


def test_tg_rate_limits(t):
    with Doubles(chat_burst=3) as d:
        codes = [tg(d, "sendMessage", {"chat_id": 7, "text": "x%d" % i}) for i in range(4)]
        t.check([r.status for r in codes[:3]] == [200] * 3, "burst of 3 to one private chat allowed")
        r = codes[3]
        body = r.json()
        t.check(r.status == 429 and body["parameters"]["retry_after"] >= 1 and
                body["description"] == "Too Many Requests: retry after %d" % body["parameters"]["retry_after"],
                "4th message -> 429 with retry_after: %r" % body)
        t.check(r.header("Retry-After") == str(body["parameters"]["retry_after"]), "Retry-After header")
        t.check(d.count_429 == 1 and len(d.sent(7)) == 3, "429 counted, rejected message not recorded")
        t.check(tg(d, "sendMessage", {"chat_id": 8, "text": "other"}).status == 200, "other chats unaffected")
        t0 = time.monotonic()
        t.check(d.wait_until(lambda: tg(d, "sendMessage", {"chat_id": 7, "text": "again"}).status == 200, 3),
                "allowed again after retry_after")
        t.check(0.5 <= time.monotonic() - t0 <= 1.5, "after about a second (1/s per chat): %.2f s"
                % (time.monotonic() - t0))
        t.check(len(d.sent(7)) == 4, "one more message to the chat")
        codes = [tg(d, "sendMessage", {"chat_id": -42, "text": "g%d" % i}).status for i in range(21)]
        t.check(codes[:20] == [200] * 20 and codes[20] == 429, "20 per minute per group")
        d.set_limits(True, global_rate=1.0, global_burst=5)
        codes = [tg(d, "sendMessage", {"chat_id": 1000 + i, "text": "b"}).status for i in range(6)]
        t.check(codes[:5] == [200] * 5 and codes[5] == 429, "overall limit: %r" % codes)
        d.set_limits(False)
        codes = {tg(d, "sendMessage", {"chat_id": 7, "text": "n%d" % i}).status for i in range(10)}
        t.check(codes == {200}, "limits off")


def test_tg_text_length_utf16(t):
    with Doubles(limits=False) as d:
        ok = lambda text, **kw: tg(d, "sendMessage", dict({"chat_id": 3, "text": text}, **kw))
        t.check(ok("a" * 4096).status == 200, "4096 ASCII characters accepted")
        r = ok("a" * 4097)
        t.check(r.status == 400 and err_desc(r) == "Bad Request: message is too long", "4097 -> too long")
        t.check(utf16_len("😀") == 2, "an emoji is two UTF-16 units")
        t.check(ok("😀" * 2048).status == 200, "2048 emoji = 4096 units accepted")
        r = ok("😀" * 2048 + "a")
        t.check(r.status == 400 and err_desc(r) == "Bad Request: message is too long", "4097 units -> too long")
        t.check(ok("ж" * 4096).status == 200, "Cyrillic counts one unit (not bytes)")
        t.check(ok("<b>" + "a" * 4090 + "</b>", parse_mode="HTML").status == 200,
                "length is measured after entity parsing")
        for empty in ("", "   \n ", "<b> </b>"):
            r = ok(empty, parse_mode="HTML")
            t.check(r.status == 400 and err_desc(r) == "Bad Request: message text is empty", "empty: %r" % empty)
        r = tg(d, "sendMessage", {"chat_id": 3})
        t.check(err_desc(r) == "Bad Request: message text is empty", "missing text")
        r = tg(d, "sendMessage", {"text": "x"})
        t.check(err_desc(r) == "Bad Request: chat_id is empty", "missing chat_id")


def test_tg_bad_html(t):
    with Doubles(limits=False) as d:
        bad = {
            "a < b": 'Unsupported start tag "" at byte offset 2',
            "<b>bold": 'Can\'t find end tag corresponding to start tag "b"',
            "<b>x</i>": 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
            "x</b>": "Unexpected end tag at byte offset 1",
            "line<br>next": 'Unsupported start tag "br" at byte offset 4',
            "AT&T": 'Unescaped "&"',
            "<b": "Unclosed start tag at byte offset 0",
            "ж<a href='x'": "Unclosed start tag at byte offset 2",
        }
        for text, want in bad.items():
            r = tg(d, "sendMessage", {"chat_id": 3, "text": text, "parse_mode": "HTML"})
            desc = err_desc(r)
            t.check(r.status == 400 and desc.startswith("Bad Request: can't parse entities: ") and want in desc,
                    "%r -> %s (got %r)" % (text, want, desc))
        good = ('<b>Задача 5</b> &lt;x&gt; &amp; 2 > 1 &quot;q&quot; &#128512; <i>i</i> <u>u</u> <s>s</s> '
                '<a href="https://e.x/?a=1&amp;b=2">link</a> <tg-spoiler>sp</tg-spoiler> '
                '<span class="tg-spoiler">sp2</span> <pre><code class="language-python">x = 1</code></pre> '
                '<blockquote expandable>q</blockquote> <code>a&lt;b</code>')
        r = tg(d, "sendMessage", {"chat_id": 3, "text": good, "parse_mode": "HTML"})
        t.check(r.status == 200, "valid HTML accepted: %r" % r.body[:300])
        res = r.json()["result"]
        t.check(res["text"].startswith('Задача 5 <x> & 2 > 1 "q" 😀'), "entities decoded: %r" % res["text"][:40])
        t.check({"type": "bold", "offset": 0, "length": 8} in res["entities"], "bold entity in UTF-16 units")
        t.check(any(e["type"] == "text_link" and e["url"] == "https://e.x/?a=1&b=2" for e in res["entities"]),
                "link entity with decoded href")
        r = tg(d, "sendMessage", {"chat_id": 3, "text": "AT&T <b>", "parse_mode": ""})
        t.check(r.status == 200, "no parse_mode: text is literal")
        r = tg(d, "sendMessage", {"chat_id": 3, "text": "*x*", "parse_mode": "MarkdownV2"})
        t.check(err_desc(r) == "Bad Request: unsupported parse_mode", "only HTML is modelled: %r" % err_desc(r))
        try:
            parse_html("<span>x</span>")
            t.fail("span without class accepted")
        except HtmlError as e:
            t.check("tg-spoiler" in str(e), "span needs class tg-spoiler")


def test_tg_callback_data_and_markup(t):
    with Doubles(limits=False) as d:
        def send(data):
            kb = {"inline_keyboard": [[{"text": "Дальше", "callback_data": data}]]}
            return tg(d, "sendMessage", {"chat_id": 4, "text": "t", "reply_markup": kb})
        t.check(send("a" * 64).status == 200, "64 bytes accepted")
        r = send("a" * 65)
        t.check(r.status == 400 and err_desc(r) == "Bad Request: BUTTON_DATA_INVALID", "65 bytes -> BUTTON_DATA_INVALID")
        t.check(send("ж" * 32).status == 200, "32 Cyrillic letters = 64 bytes accepted")
        t.check(err_desc(send("ж" * 33)) == "Bad Request: BUTTON_DATA_INVALID", "bytes, not characters, count")
        t.check(err_desc(send("")) == "Bad Request: BUTTON_DATA_INVALID", "empty callback_data refused")
        kb = json.dumps({"inline_keyboard": [[{"text": "Дальше", "callback_data": "next:5"}]]})
        t.check(tg(d, "sendMessage", {"chat_id": 4, "text": "t", "reply_markup": kb}).status == 200,
                "reply_markup as JSON text in a string")
        r = tg(d, "sendMessage", {"chat_id": 4, "text": "t", "reply_markup": {"inline_keyboard": [[{"text": "x"}]]}})
        t.check(r.status == 400 and "Text buttons are unallowed" in err_desc(r), "button without action refused")
        r = tg(d, "sendMessage", {"chat_id": 4, "text": "t", "reply_markup": "{not json"})
        t.check(r.status == 400 and "reply keyboard markup" in err_desc(r), "bad reply_markup JSON refused")
        last = d.sent(4)[-1]
        t.check(last["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "next:5", "markup recorded")


def test_tg_blocked_and_migrated(t):
    with Doubles(limits=False) as d:
        d.block(9)
        r = tg(d, "sendMessage", {"chat_id": 9, "text": "hi"})
        t.check(r.status == 403 and r.json() == {"ok": False, "error_code": 403,
                                                 "description": "Forbidden: bot was blocked by the user"},
                "blocked chat -> 403")
        t.check(tg(d, "sendChatAction", {"chat_id": 9, "action": "typing"}).status == 403, "also chat actions")
        d.push_my_chat_member(9, "member")
        t.check(tg(d, "sendMessage", {"chat_id": 9, "text": "hi"}).status == 200, "member again -> unblocked")
        u = d.push_my_chat_member(9, "kicked")
        t.check(u["my_chat_member"]["new_chat_member"]["status"] == "kicked", "my_chat_member update shape")
        t.check(d.push_update({"chat_member": {}}) is None, "chat_member not delivered by default")
        t.check(tg(d, "sendMessage", {"chat_id": 9, "text": "hi"}).status == 403, "kicked -> blocked")
        d.block(10, "deactivated")
        t.check(err_desc(tg(d, "sendMessage", {"chat_id": 10, "text": "x"})) == "Forbidden: user is deactivated",
                "deactivated user")
        d.migrate(-55, -1001234567890)
        r = tg(d, "sendMessage", {"chat_id": -55, "text": "x"})
        t.check(r.status == 400 and r.json()["parameters"] == {"migrate_to_chat_id": -1001234567890} and
                err_desc(r) == "Bad Request: group chat was upgraded to a supergroup chat", "migrate: %r" % r.body)
        r = tg(d, "sendMessage", {"chat_id": -1001234567890, "text": "x"})
        t.check(r.status == 200 and r.json()["result"]["chat"]["type"] == "supergroup", "new chat works")


def test_tg_fault_injection(t):
    with Doubles() as d:
        d.fail_next("getMe", 1, "502html")
        r = tg(d, "getMe")
        t.check(r.status == 502 and r.header("Content-Type").startswith("text/html") and b"nginx" in r.body,
                "502 with an nginx HTML page")
        d.fail_next("getMe", 1, "500")
        r = tg(d, "getMe")
        t.check(r.status == 500 and r.json()["error_code"] == 500, "500 JSON")
        d.fail_next("getMe", 1, "429", retry_after=4)
        r = tg(d, "getMe")
        t.check(r.status == 429 and r.json()["parameters"]["retry_after"] == 4 and r.header("Retry-After") == "4",
                "injected 429 with retry_after")
        d.fail_next("getMe", 1, "garbage")
        r = tg(d, "getMe")
        t.check(r.status == 200 and not r.body.startswith(b"{"), "garbage body")
        for kind in ("reset", "close"):
            d.fail_next("getMe", 1, kind)
            try:
                r = tg(d, "getMe")
                t.fail("%s: got an answer %s" % (kind, r.status))
            except (ConnectionError, http.client.HTTPException, OSError):
                pass
        d.fail_next("*", 1, "stall")
        t0 = time.monotonic()
        try:
            tg(d, "getUpdates", timeout=0.4)
            t.fail("stall: got an answer")
        except (socket.timeout, TimeoutError, OSError):
            pass
        t.check(time.monotonic() - t0 < 1.5, "stall is bounded by the client's timeout")
        d.release_stalls()
        t.check(tg(d, "getMe").status == 200, "next call after faults succeeds")
        d.fail_next("sendMessage", 2, "500")
        t.check(tg(d, "getMe").status == 200, "faults apply only to their method")
        t.check([tg(d, "sendMessage", {"chat_id": 1, "text": "x"}).status for _ in range(3)] == [500, 500, 200],
                "n counts down")
        d.set_outage("502html")
        t.check(tg(d, "getMe").status == 502 and tg(d, "sendMessage", {"chat_id": 2, "text": "x"}).status == 502,
                "outage applies to every call")
        d.set_outage(None)
        t.check(tg(d, "getMe").status == 200, "outage over")
        t.check(d.counter("faults") >= 10, "faults counted")


def test_tg_latency_and_keepalive(t):
    with Doubles() as d:
        d.set_latency(150)
        t0 = time.monotonic()
        tg(d, "getMe")
        dt = time.monotonic() - t0
        t.check(0.14 <= dt < 0.6, "latency adds a round trip (%.3f s)" % dt)
        d.set_latency(0)
        before = d.connections
        c = http.client.HTTPConnection("127.0.0.1", d.port, timeout=3)
        try:
            for i in range(5):
                r = tg(d, "sendMessage", {"chat_id": 100 + i, "text": "k"}, conn=c)
                t.check(r.status == 200, "keep-alive call %d" % i)
        finally:
            c.close()
        t.check(d.connections - before == 1, "five calls on one keep-alive connection: %d" % (d.connections - before))
        conns = {s["conn"] for s in d.sent()}
        t.check(len(conns) == 1, "sent() records the connection")


def test_tg_callbacks_actions_commands(t):
    with Doubles(limits=False) as d:
        kb = {"inline_keyboard": [[{"text": "Дальше ▶", "callback_data": "next"}, {"text": "Решение", "callback_data": "sol"}]]}
        tg(d, "sendMessage", {"chat_id": 6, "text": "<b>Задача</b>", "parse_mode": "HTML", "reply_markup": kb})
        mid2 = tg(d, "sendMessage", {"chat_id": 6, "text": "Q", "reply_markup": kb}).json()["result"]["message_id"]
        u = d.press(6, "Решение")
        cq = u["callback_query"]
        t.check(cq["data"] == "sol" and cq["message"]["message_id"] == mid2, "press() finds the button")
        r = tg(d, "answerCallbackQuery", {"callback_query_id": cq["id"]})
        t.check(r.status == 200 and r.json()["result"] is True, "answerCallbackQuery")
        r = tg(d, "answerCallbackQuery", {"callback_query_id": cq["id"]})
        t.check(err_desc(r) == "Bad Request: query is too old and response timeout expired or query ID is invalid",
                "second answer refused")
        t.check(len(d.callback_answers()) == 1 and d.callback_answers()[0]["latency"] < 2, "answers recorded")
        t.check(tg(d, "sendChatAction", {"chat_id": 6, "action": "typing"}).status == 200, "typing")
        r = tg(d, "sendChatAction", {"chat_id": 6, "action": "dancing"})
        t.check(err_desc(r) == "Bad Request: wrong parameter action in request", "bad action")
        t.check([a["action"] for a in d.chat_actions(6)] == ["typing"], "chat actions recorded")
        cmds = [{"command": "start", "description": "Начать"}, {"command": "task", "description": "Задача"}]
        t.check(tg(d, "setMyCommands", {"commands": cmds}).status == 200, "setMyCommands")
        t.check(tg(d, "setMyCommands", {"commands": cmds, "language_code": "en"}).status == 200,
                "setMyCommands with a language")
        r = tg(d, "setMyCommands", {"commands": [{"command": "Start!", "description": "x"}]})
        t.check(err_desc(r) == "Bad Request: BOT_COMMAND_INVALID", "bad command name")
        t.check(d.commands[("default", "")] == cmds and ("default", "en") in d.commands, "commands recorded")


def test_tg_utf8_and_allowed_updates(t):
    with Doubles(limits=False) as d:
        r = request(d.url, "/bot%s/sendMessage" % TOKEN, b'{"chat_id":1,"text":"\xff\xfe"}',
                 {"Content-Type": "application/json"})
        t.check(r.status == 400 and err_desc(r) == "Bad Request: strings must be encoded in UTF-8", "invalid UTF-8")
        r = request(d.url, "/bot%s/sendMessage" % TOKEN, b'{"chat_id":1,"text":"half \\ud83d pair"}',
                 {"Content-Type": "application/json"})
        t.check(err_desc(r) == "Bad Request: strings must be encoded in UTF-8", "lone surrogate")
        r = request(d.url, "/bot%s/sendMessage" % TOKEN, b'{"chat_id":1,"text":"pair \\ud83d\\ude00"}',
                 {"Content-Type": "application/json"})
        t.check(r.status == 200 and r.json()["result"]["text"] == "pair 😀", "surrogate pair escapes")
        tg(d, "getUpdates", {"allowed_updates": ["message", "callback_query"]})
        t.check(d.push_my_chat_member(1, "member") is None, "filtered by allowed_updates")
        t.check(d.push_message(1, "hi") is not None, "allowed type kept")
        tg(d, "getUpdates", {"timeout": 0})
        t.check(d.allowed_updates == ["callback_query", "message"], "allowed_updates remembered when omitted")
        r = request(d.url, "/ping/abc?x=1")
        t.check(r.status == 200 and d.pings()[0]["path"] == "/ping/abc", "heartbeat pings recorded")


def test_tg_stop_mid_poll_does_not_hang(t):
    d = TelegramDouble(token=TOKEN).start()
    box = {}

    def poll():
        try:
            box["r"] = tg(d, "getUpdates", {"timeout": 30}, timeout=10)
        except Exception as e:  # a dropped connection is fine
            box["e"] = e
    th = threading.Thread(target=poll, daemon=True)
    th.start()
    d.fail_next("getMe", 1, "stall")
    th2 = threading.Thread(target=lambda: box.setdefault("s", _quiet(lambda: tg(d, "getMe", timeout=10))),
                           daemon=True)
    th2.start()
    t.check(d.wait_until(lambda: d.counter("polls") == 1 and d.counter("faults") == 1, 3),
            "the poll waits and getMe stalls")
    t0 = time.monotonic()
    d.stop()
    t.check(time.monotonic() - t0 < 1.5, "stop() returns promptly (%.2f s)" % (time.monotonic() - t0))
    th.join(2)
    th2.join(2)
    t.check(not th.is_alive() and not th2.is_alive(), "pending poll and stalled call end at stop")
    try:
        socket.create_connection(("127.0.0.1", d.port), timeout=0.5).close()
        t.fail("still listening after stop")
    except OSError:
        pass
    url = d.url
    d.start()                       # "Telegram comes back" on the same address
    try:
        t.check(d.url == url and tg(d, "getMe").status == 200, "restart on the same port")
        d.push_message(3, "after restart")
        r = tg(d, "getUpdates", {"timeout": 2}, timeout=4)
        t.check(r.json()["result"][-1]["message"]["text"] == "after restart", "long poll works after restart")
    finally:
        d.stop()


def _quiet(f):
    try:
        return f()
    except Exception as e:
        return e


def test_tg_tls(t):
    pki = make_test_pki(os.path.join(t.tmp, "pki"))
    if pki is None:
        print("  (skipped: no openssl tool)")
        return
    d = TelegramDouble(token=TOKEN, certfile=pki["cert"], keyfile=pki["key"]).start()
    try:
        ctx = ssl.create_default_context(cafile=pki["ca"])
        r = request(d.url_for("localhost"), "/bot%s/getMe" % TOKEN, headers={"_ctx": ctx})
        t.check(r.status == 200 and r.json()["ok"], "getMe over TLS with the test CA")
        t.check(d.url.startswith("https://"), "https url")
        try:
            request(d.url_for("localhost"), "/bot%s/getMe" % TOKEN, headers={"_ctx": ssl.create_default_context()})
            t.fail("an unknown CA was accepted")
        except ssl.SSLError:
            pass
        t.check(d.wait_until(lambda: d.counter("tls_failures") == 1, 2), "failed handshake counted")
    finally:
        d.stop()


# ---------------------------------------------------------------------------
# Gemini double
# ---------------------------------------------------------------------------

def test_gemini_normal_and_default_answer(t):
    g = GeminiDouble().start()
    try:
        r = gem(g, ask("Сколько будет 2+2?"))
        t.check(r.status == 200 and r.header("Transfer-Encoding") == "chunked", "200, chunked like Google's")
        b = r.json()
        text = "".join(p["text"] for p in b["candidates"][0]["content"]["parts"])
        t.check(b["candidates"][0]["finishReason"] == "STOP" and b["candidates"][0]["content"]["role"] == "model",
                "finishReason STOP")
        t.check("Сколько будет 2+2?" in text and "**" in text and "`" in text and "\n* " in text and "*Коротко*" in text,
                "default answer echoes with Markdown: %r" % text[:80])
        t.check(text == "".join(p["text"] for p in gem(g, ask("Сколько будет 2+2?")).json()["candidates"][0]["content"]["parts"]),
                "default answer is deterministic")
        u = b["usageMetadata"]
        t.check(u["promptTokenCount"] > 0 and u["candidatesTokenCount"] > 0 and u["totalTokenCount"] >= 2,
                "usageMetadata token counts")
        g.reply_text("часть один, часть два", parts=2)
        b = gem(g, ask("q")).json()
        t.check(len(b["candidates"][0]["content"]["parts"]) == 2 and
                "".join(p["text"] for p in b["candidates"][0]["content"]["parts"]) == "часть один, часть два",
                "several parts")
        reqs = g.requests()
        t.check(len(reqs) == 3 and reqs[0]["question"] == "Сколько будет 2+2?" and reqs[0]["key_ok"] and
                reqs[0]["t"] <= reqs[0]["t_answer"] and reqs[0]["body"]["generationConfig"]["maxOutputTokens"] == 800,
                "requests recorded")
        t.check(reqs[0]["headers"]["x-goog-api-key"] == "***" and "test-gemini-key" not in repr(reqs),
                "key redacted in the record")
        t.check(not g.key_in_url, "no key in URL")
    finally:
        g.stop()


def test_gemini_key_model_and_body_checks(t):
    g = GeminiDouble().start()
    try:
        r = gem(g, ask("x"), key=None)
        e = r.json()["error"]
        t.check(r.status == 403 and e["status"] == "PERMISSION_DENIED" and "unregistered callers" in e["message"],
                "missing key -> 403 PERMISSION_DENIED")
        r = gem(g, ask("x"), key="wrong")
        e = r.json()["error"]
        t.check(r.status == 400 and e["status"] == "INVALID_ARGUMENT" and e["details"][0]["reason"] == "API_KEY_INVALID",
                "wrong key -> 400 API_KEY_INVALID")
        t.check(not g.key_in_url, "still no key in any URL")
        r = gem(g, ask("x"), key=None, query="?key=test-gemini-key")
        t.check(r.status == 403 and g.key_in_url, "a key in the query is refused, and recorded")
        r = gem(g, ask("x"), model="gemini-1.0-pro")
        e = r.json()["error"]
        t.check(r.status == 404 and e["status"] == "NOT_FOUND" and "models/gemini-1.0-pro is not found" in e["message"],
                "unknown model -> 404 NOT_FOUND")
        r = request(g.url, "/v1beta/models/gemini-2.5-flash:streamGenerateContent", b"{}",
                 {"x-goog-api-key": "test-gemini-key"})
        t.check(r.status == 404 and b"Error 404" in r.body, "other paths -> Google's HTML 404")
        bad = [(b"{nope", "Invalid JSON payload"),
               (ask("x") | {"sysInstr": {}}, 'Unknown name "sysInstr"'),
               ({"contents": []}, "contents is not specified"),
               ({"contents": [{"role": "assistant", "parts": [{"text": "x"}]}]}, "valid role"),
               ({"contents": [{"role": "user", "parts": [{"text": "x"}]}],
                 "generationConfig": {"maxTokens": 5}}, 'Unknown name "maxTokens"')]
        for body, want in bad:
            r = gem(g, body)
            e = r.json()["error"]
            t.check(r.status == 400 and e["status"] == "INVALID_ARGUMENT" and want in e["message"],
                    "%s -> 400 (%r)" % (want, e["message"]))
        r = gem(g, {"systemInstruction": {"parts": [{"text": "s"}]},
                    "contents": [{"parts": [{"text": "no role"}]}], "generationConfig": {"maxOutputTokens": 10}})
        t.check(r.status == 200, "a content without a role is the user's")
    finally:
        g.stop()


def test_gemini_scripted_failures(t):
    g = GeminiDouble().start()
    try:
        g.reply_429()
        r = gem(g, ask("x"))
        e = r.json()["error"]
        ri = [d for d in e["details"] if d["@type"].endswith("RetryInfo")]
        qf = [d for d in e["details"] if d["@type"].endswith("QuotaFailure")]
        t.check(r.status == 429 and e["status"] == "RESOURCE_EXHAUSTED" and ri and ri[0]["retryDelay"] == "7s",
                "429 with RetryInfo 7s")
        t.check(qf and "PerMinute" in qf[0]["violations"][0]["quotaId"], "per-minute quota by default")
        g.reply_429(retry_delay="3600s", per_day=True)
        e = gem(g, ask("x")).json()["error"]
        qf = [d for d in e["details"] if d["@type"].endswith("QuotaFailure")]
        t.check("PerDay" in qf[0]["violations"][0]["quotaId"], "per-day quota variant")
        g.reply_blocked()
        b = gem(g, ask("x")).json()
        t.check("candidates" not in b and b["promptFeedback"]["blockReason"] == "SAFETY", "blocked prompt")
        g.reply_max_tokens("обрыв")
        b = gem(g, ask("x")).json()
        t.check(b["candidates"][0]["finishReason"] == "MAX_TOKENS" and
                b["candidates"][0]["content"]["parts"][0]["text"] == "обрыв", "MAX_TOKENS with text")
        g.reply_max_tokens_empty()
        b = gem(g, ask("x")).json()
        t.check(b["candidates"][0]["finishReason"] == "MAX_TOKENS" and "parts" not in b["candidates"][0]["content"],
                "MAX_TOKENS without parts")
        for code, status in ((500, "INTERNAL"), (503, "UNAVAILABLE"), (504, "DEADLINE_EXCEEDED")):
            g.reply_error(code)
            r = gem(g, ask("x"))
            t.check(r.status == code and r.json()["error"]["status"] == status, "%d %s" % (code, status))
        g.reply_garbage()
        r = gem(g, ask("x"))
        t.check(r.status == 200 and r.body.startswith(b"<html>"), "garbage body")
        t.check(gem(g, ask("x")).status == 200 and g.queued == 0, "queue drained, default answer again")
        g.fail_next("generateContent", 1, "reset")
        try:
            gem(g, ask("x"))
            t.fail("reset: got an answer")
        except (ConnectionError, http.client.HTTPException, OSError):
            pass
        t.check(gem(g, ask("x")).status == 200, "after the reset")
    finally:
        g.stop()


def test_gemini_delay_does_not_block_others(t):
    g = GeminiDouble().start()
    try:
        g.reply_text("медленно", delay=0.8, match="slow")
        box = {}
        th = threading.Thread(target=lambda: box.setdefault("slow", gem(g, ask("slow question"), timeout=5)),
                              daemon=True)
        th.start()
        t.check(g.wait_until(lambda: g.requests(), 3), "the slow question arrived")
        t0 = time.monotonic()
        fast = gem(g, ask("fast question"))
        t.check(fast.status == 200 and time.monotonic() - t0 < 0.5, "a concurrent request is not delayed")
        th.join(3)
        slow = box.get("slow")
        t.check(slow is not None and slow.json()["candidates"][0]["content"]["parts"][0]["text"] == "медленно",
                "the matching script went to the slow question")
        reqs = {r["question"]: r for r in g.requests()}
        s, f = reqs["slow question"], reqs["fast question"]
        t.check(s["t"] < f["t"] < f["t_answer"] < s["t_answer"], "timestamps show the overlap")
        t.check(0.75 <= s["t_answer"] - s["t"] < 1.5, "delay honoured (%.2f s)" % (s["t_answer"] - s["t"]))
        t.check(g.wait_for(2, timeout=1), "wait_for(count)")
    finally:
        g.stop()
