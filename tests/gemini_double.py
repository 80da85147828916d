"""A fake Gemini API (generateContent) for ExamFlow's end-to-end tests (stdlib only).

    g = GeminiDouble(key="test-gemini-key")
    g.start()
    g.url                                  # -> config gemini_api
    g.reply_text("**Ответ**: 42", delay=5) # next request: this answer after 5 s
    g.reply_429(retry_delay="7s")          # the one after: quota exceeded
    ...                                    # queue empty: a deterministic echo answer
    g.requests()                           # what the bot asked, with timestamps
    g.key_in_url                           # True if any request had key= in its query
    g.stop()

Semantics reproduced from the real service (generativelanguage.googleapis.com):
  * POST /v1beta/models/{model}:generateContent; the key in x-goog-api-key
    (a ?key= in the URL is not accepted, and recorded so tests can forbid it).
    No key: 403 PERMISSION_DENIED "Method doesn't allow unregistered callers
    ..."; a wrong key: 400 INVALID_ARGUMENT "API key not valid. Please pass a
    valid API key." with an ErrorInfo detail, reason API_KEY_INVALID (that is
    what the real API answers for a bad key, not 403).
  * unknown model: 404 NOT_FOUND "models/X is not found for API version
    v1beta, or is not supported for generateContent. ..."; any other path:
    Google's HTML 404 page.
  * the body is checked like the real proto-JSON parser: invalid JSON, an
    unknown field ('Unknown name "x": Cannot find field.'), missing contents,
    a role other than user/model -> 400 INVALID_ARGUMENT.  Only the camelCase
    field names ExamFlow sends are known (the real API also takes snake_case).
  * answers: candidates[0].content.parts[*].text with finishReason and
    usageMetadata, modelVersion and responseId; blocked prompts as
    promptFeedback.blockReason without candidates; MAX_TOKENS; 429
    RESOURCE_EXHAUSTED whose details hold Help, QuotaFailure (quotaId
    ...PerMinute... or ...PerDay...) and RetryInfo.retryDelay; 500 INTERNAL,
    503 UNAVAILABLE, 504 DEADLINE_EXCEEDED; garbage bodies.
  * responses use Transfer-Encoding: chunked, as Google's front end usually
    does over HTTP/1.1 (the Telegram double sends Content-Length).

Every request is recorded: t (received), t_answer (answered), both
time.monotonic() of the test process (comparable with TelegramDouble's), the
parsed body, the model, the status sent and whether the key was valid.
Headers are recorded with lower-case names and the key replaced by "***".
"""

import hashlib
import json
import os
import re
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tg_double import HttpDouble, Reply  # noqa: E402

__all__ = ["GeminiDouble", "default_answer"]

DEFAULT_MODELS = ("gemini-2.5-flash", "gemini-2.5-flash-lite", "gemini-2.0-flash",
                  "gemini-flash-latest", "gemini-2.5-pro")

# Field names of GenerateContentRequest and its parts (camelCase, as ExamFlow sends them).
_TOP_FIELDS = {"contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig",
               "cachedContent", "model", "labels"}
_GEN_FIELDS = {"stopSequences", "responseMimeType", "responseSchema", "candidateCount",
               "maxOutputTokens", "temperature", "topP", "topK", "seed", "presencePenalty",
               "frequencyPenalty", "responseLogprobs", "logprobs", "thinkingConfig",
               "responseModalities", "mediaResolution", "speechConfig", "responseJsonSchema",
               "enableEnhancedCivicAnswers"}
_PART_FIELDS = {"text", "inlineData", "fileData", "functionCall", "functionResponse", "thought",
                "thoughtSignature", "executableCode", "codeExecutionResult"}

GOOGLE_404 = (b"<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 404 (Not Found)!!1"
              b"</title>\n  <p><b>404.</b> <ins>That\xe2\x80\x99s an error.</ins>\n  <p>The requested URL "
              b"<code>%s</code> was not found on this server.  <ins>That\xe2\x80\x99s all we know.</ins>\n")


def _err(code, status, message, details=None):
    e = {"code": code, "message": message, "status": status}
    if details:
        e["details"] = details
    return {"error": e}


def _tokens(s):
    return max(1, (len(s) + 3) // 4)


def default_answer(question):
    """The echo-ish answer used when nothing is queued: deterministic, with Markdown
    (bold, italic, code, a bulleted list) and characters that need HTML escaping."""
    q = " ".join(question.split())
    if len(q) > 200:
        q = q[:200] + "…"
    h = hashlib.sha256(question.encode("utf-8")).hexdigest()[:8]
    return ("**Разбор вопроса**: %s\n\n"
            "*Коротко*: сначала запишите условие, затем примените `формулу` шаг за шагом.\n\n"
            "* шаг 1: выпишите данные (помните, что 2 < 3 & 5 > 4);\n"
            "* шаг 2: подставьте значения в `a*b`;\n"
            "* шаг 3: проверьте ответ.\n\n"
            "Итог: **готово** (ref %s)" % (q, h))


class GeminiDouble(HttpDouble):
    server_header = "scaffolding on HTTPServer2"

    def __init__(self, key="test-gemini-key", models=DEFAULT_MODELS, **kw):
        super().__init__(**kw)
        self.key = key
        self.models = set(models)
        self._queue = []              # scripted replies, see push()
        self._requests = []
        self._key_in_url = False
        self._seq = 0

    # --- scripting ------------------------------------------------------------------
    def push(self, kind, delay=0.0, match=None, **kw):
        """Queue one reply for the next request whose prompt text contains match (any
        request when match is None).  kind: text, max_tokens, max_tokens_empty, blocked,
        429, error, garbage, reset, stall.  delay: seconds before answering."""
        with self._lock:
            self._queue.append({"kind": kind, "delay": delay, "match": match, **kw})

    def reply_text(self, text, delay=0.0, parts=1, match=None, usage=None):
        """A normal answer (finishReason STOP), split into `parts` text parts."""
        self.push("text", delay, match, text=text, parts=parts, usage=usage)

    def reply_max_tokens(self, text="Ответ оборвался на полусло", delay=0.0, match=None):
        self.push("max_tokens", delay, match, text=text)

    def reply_max_tokens_empty(self, delay=0.0, match=None):
        """MAX_TOKENS with a content that has no parts (what thinking models do)."""
        self.push("max_tokens_empty", delay, match)

    def reply_blocked(self, reason="SAFETY", delay=0.0, match=None):
        self.push("blocked", delay, match, reason=reason)

    def reply_429(self, retry_delay="7s", per_day=False, delay=0.0, match=None):
        """RESOURCE_EXHAUSTED; per_day=True: the daily quota (QuotaFailure quotaId ...PerDay...)."""
        self.push("429", delay, match, retry_delay=retry_delay, per_day=per_day)

    def reply_error(self, code=500, delay=0.0, match=None):
        """500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED, 400, 403, 404."""
        self.push("error", delay, match, code=code)

    def reply_garbage(self, body=b"<html><body>upstream connect error</body></html>", status=200,
                      ctype="text/html", delay=0.0, match=None):
        self.push("garbage", delay, match, body=body, status=status, ctype=ctype)

    # --- inspection -----------------------------------------------------------------
    def requests(self):
        """Every request: dicts with t, t_answer, wall, path, query, model, body (parsed
        JSON or None), headers (key redacted), key_ok, status, kind, prompt (all user texts),
        question (the texts of the last content)."""
        with self._lock:
            return [dict(r) for r in self._requests]

    @property
    def key_in_url(self):
        with self._lock:
            return self._key_in_url

    @property
    def queued(self):
        with self._lock:
            return len(self._queue)

    def wait_for(self, what, timeout=5.0):
        """Until what (an int: that many answered requests; or a callable) is true."""
        if isinstance(what, int):
            n = what
            what = lambda: sum(1 for r in self.requests() if r["t_answer"] is not None) >= n
        return bool(self.wait_until(what, timeout))

    # --- HTTP -----------------------------------------------------------------------
    def fault_reply(self, kind, opts):
        if kind == "500":
            return self._json(500, _err(500, "INTERNAL", "An internal error has occurred. Please retry "
                                        "or report in https://developers.generativeai.google/guide/troubleshooting"))
        if kind == "429":
            return self._json(429, self._quota_error(opts.get("retry_delay", "7s"), opts.get("per_day")))
        raise ValueError("unknown fault kind %r" % kind)

    def _json(self, status, obj):
        body = json.dumps(obj, ensure_ascii=False, indent=2).encode("utf-8")
        return Reply(status, body, "application/json; charset=UTF-8",
                     [("Vary", "Origin"), ("Vary", "X-Origin"), ("Vary", "Referer"),
                      ("X-XSS-Protection", "0"), ("X-Frame-Options", "SAMEORIGIN"),
                      ("X-Content-Type-Options", "nosniff")],
                     chunked=True)

    def _quota_error(self, retry_delay, per_day):
        model = "gemini-2.5-flash"
        qid = ("GenerateRequestsPerDayPerProjectPerModel-FreeTier" if per_day
               else "GenerateRequestsPerMinutePerProjectPerModel-FreeTier")
        details = [
            {"@type": "type.googleapis.com/google.rpc.Help",
             "links": [{"description": "Learn more about Gemini API quotas",
                        "url": "https://ai.google.dev/gemini-api/docs/rate-limits"}]},
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure",
             "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests",
                             "quotaId": qid, "quotaDimensions": {"location": "global", "model": model},
                             "quotaValue": "250" if per_day else "10"}]},
        ]
        if retry_delay:
            details.append({"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retry_delay})
        msg = ("You exceeded your current quota, please check your plan and billing details. For more "
               "information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.")
        if retry_delay:
            msg += " Please retry in %s." % retry_delay
        return _err(429, "RESOURCE_EXHAUSTED", msg, details)

    def handle(self, req):
        rec = {"t": req.t, "t_answer": None, "wall": time.time(), "path": req.path, "query": req.query,
               "method": req.method, "model": None, "body": None, "key_ok": False, "status": None,
               "kind": None, "prompt": "", "question": "", "conn": req.conn,
               "headers": {k.lower(): ("***" if k.lower() == "x-goog-api-key" else v)
                           for k, v in req.headers.items()}}
        qs = urllib.parse.parse_qs(req.query, keep_blank_values=True)
        with self._lock:
            self._requests.append(rec)
            if "key" in qs:
                self._key_in_url = True
        rep = self._route(req, rec, qs)
        with self._lock:
            rec["t_answer"] = time.monotonic()
            rec["status"] = rep.status if rep.action is None else rep.action
        return rep

    def _route(self, req, rec, qs):
        m = re.fullmatch(r"/v1beta/models/([^/:]+):generateContent", req.path)
        if not m or req.method != "POST":
            return Reply(404, GOOGLE_404 % req.path.encode("utf-8", "replace"), "text/html; charset=UTF-8")
        model = urllib.parse.unquote(m.group(1))
        rec["model"] = model
        key = req.headers.get("x-goog-api-key")
        if not key:
            return self._json(403, _err(403, "PERMISSION_DENIED",
                                        "Method doesn't allow unregistered callers (callers without "
                                        "established identity). Please use API Key or other form of API "
                                        "consumer identity to call this API."))
        if key != self.key:
            msg = "API key not valid. Please pass a valid API key."
            return self._json(400, _err(400, "INVALID_ARGUMENT", msg, [
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID",
                 "domain": "googleapis.com", "metadata": {"service": "generativelanguage.googleapis.com"}},
                {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US",
                 "message": msg}]))
        rec["key_ok"] = True
        fault = self._take_fault("generateContent")
        if fault:
            rec["kind"] = "fault " + fault[0]
            return self._fault(*fault)
        if model not in self.models:
            return self._json(404, _err(404, "NOT_FOUND",
                                        "models/%s is not found for API version v1beta, or is not supported "
                                        "for generateContent. Call ListModels to see the list of available "
                                        "models and their supported methods." % model))
        body, problem = self._parse_body(req.body)
        rec["body"] = body
        if problem:
            return self._json(400, _err(400, "INVALID_ARGUMENT", problem))
        prompt = "\n".join(p.get("text", "") for c in body.get("contents", [])
                           if c.get("role", "user") == "user" for p in c.get("parts", []))
        rec["prompt"] = prompt
        last = body["contents"][-1]
        rec["question"] = "".join(p.get("text", "") for p in last.get("parts", []))
        script = self._next_script(prompt)
        rec["kind"] = script["kind"] if script else "default"
        if script and script.get("delay"):
            self._sleep(script["delay"])
        return self._answer(script, body, prompt, rec["question"], model)

    def _next_script(self, prompt):
        with self._lock:
            for i, s in enumerate(self._queue):
                if s["match"] is None or s["match"] in prompt:
                    return self._queue.pop(i)
        return None

    def _parse_body(self, raw):
        try:
            body = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            return None, "Invalid JSON payload received. Unexpected token.\n"
        if not isinstance(body, dict):
            return None, "Invalid JSON payload received. Expected an object.\n"
        for k in body:
            if k not in _TOP_FIELDS:
                return body, 'Invalid JSON payload received. Unknown name "%s": Cannot find field.' % k
        gen = body.get("generationConfig") or {}
        if not isinstance(gen, dict):
            return body, "Invalid value at 'generation_config' (type.googleapis.com/google.ai.generativelanguage.v1beta.GenerationConfig)"
        for k in gen:
            if k not in _GEN_FIELDS:
                return body, ('Invalid JSON payload received. Unknown name "%s" at \'generation_config\': '
                              'Cannot find field.' % k)
        mot = gen.get("maxOutputTokens")
        if mot is not None and (not isinstance(mot, int) or isinstance(mot, bool)):
            return body, "Invalid value at 'generation_config.max_output_tokens' (TYPE_INT32)"
        temp = gen.get("temperature")
        if temp is not None and (not isinstance(temp, (int, float)) or not 0 <= temp <= 2):
            return body, "* GenerateContentRequest.generation_config.temperature: must be in [0.0, 2.0]\n"
        si = body.get("systemInstruction")
        if si is not None:
            if not isinstance(si, dict) or not isinstance(si.get("parts"), list):
                return body, "Invalid value at 'system_instruction' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)"
        contents = body.get("contents")
        if not contents:
            return body, "* GenerateContentRequest.contents: contents is not specified\n"
        if not isinstance(contents, list):
            return body, "Invalid value at 'contents' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content)"
        for i, c in enumerate(contents):
            if not isinstance(c, dict) or not isinstance(c.get("parts"), list) or not c["parts"]:
                return body, "* GenerateContentRequest.contents[%d].parts: contents.parts must not be empty.\n" % i
            if c.get("role", "user") not in ("user", "model"):
                return body, "Please use a valid role: user, model."
            for p in c["parts"]:
                if not isinstance(p, dict) or not p:
                    return body, "* GenerateContentRequest.contents[%d].parts[0].data: required oneof field 'data' must have one initialized field\n" % i
                for k in p:
                    if k not in _PART_FIELDS:
                        return body, ('Invalid JSON payload received. Unknown name "%s" at '
                                      '\'contents[%d].parts[0]\': Cannot find field.' % (k, i))
        if contents[-1].get("role", "user") == "model":
            return body, "Please ensure that multiturn requests alternate between user and model."
        return body, None

    def _answer(self, s, body, prompt, question, model):
        kind = s["kind"] if s else "text"
        with self._lock:
            self._seq += 1
            rid = "dbl-%06d" % self._seq
        if kind == "429":
            return self._json(429, self._quota_error(s.get("retry_delay"), s.get("per_day")))
        if kind == "error":
            code = s.get("code", 500)
            status, msg = {
                400: ("INVALID_ARGUMENT", "Request contains an invalid argument."),
                403: ("PERMISSION_DENIED", "The caller does not have permission"),
                404: ("NOT_FOUND", "Requested entity was not found."),
                500: ("INTERNAL", "An internal error has occurred. Please retry or report in "
                                  "https://developers.generativeai.google/guide/troubleshooting"),
                503: ("UNAVAILABLE", "The model is overloaded. Please try again later."),
                504: ("DEADLINE_EXCEEDED", "Deadline expired before operation could complete."),
            }.get(code, ("UNKNOWN", "Unknown error."))
            return self._json(code, _err(code, status, s.get("message", msg)))
        if kind == "garbage":
            return Reply(s.get("status", 200), s.get("body", b"garbage"), s.get("ctype", "text/html"),
                         chunked=True)
        if kind in ("reset", "close", "stall"):
            return Reply(action=kind)
        ptok = _tokens(prompt + json.dumps(body.get("systemInstruction", "")))
        if kind == "blocked":
            return self._json(200, {
                "promptFeedback": {"blockReason": s.get("reason", "SAFETY"), "safetyRatings": [
                    {"category": "HARM_CATEGORY_HARASSMENT", "probability": "HIGH", "blocked": True},
                    {"category": "HARM_CATEGORY_HATE_SPEECH", "probability": "NEGLIGIBLE"}]},
                "usageMetadata": {"promptTokenCount": ptok, "totalTokenCount": ptok},
                "modelVersion": model, "responseId": rid})
        if kind == "max_tokens_empty":
            content, finish, text = {"role": "model"}, "MAX_TOKENS", ""
        else:
            text = s["text"] if s and "text" in s else default_answer(question)
            n = max(1, int(s.get("parts", 1))) if s else 1
            step = -(-len(text) // n) or 1
            parts = [{"text": text[i:i + step]} for i in range(0, len(text), step)] or [{"text": ""}]
            content, finish = {"parts": parts, "role": "model"}, ("MAX_TOKENS" if kind == "max_tokens" else "STOP")
        ctok = _tokens(text) if text else 0
        usage = {"promptTokenCount": ptok, "candidatesTokenCount": ctok, "totalTokenCount": ptok + ctok + 7,
                 "promptTokensDetails": [{"modality": "TEXT", "tokenCount": ptok}], "thoughtsTokenCount": 7}
        if s and s.get("usage"):
            usage = s["usage"]
        return self._json(200, {"candidates": [{"content": content, "finishReason": finish, "index": 0}],
                                "usageMetadata": usage, "modelVersion": model, "responseId": rid})
