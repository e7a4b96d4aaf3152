"""The classroom's self-check service: answers from the real keys, authenticated by the hub, rate limited, logged;
and the exercise page's client, which turns every failure into a message.

The service runs in this process (tornado on loopback, a HubAuth whose ``user_for_token`` answers from a table
instead of asking a hub); the client's failures are tried against a real local HTTP server. The module spells out
the keys' answers (through ``model_answers``), so it is instructor material like the keys.
"""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import socket
import stat
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from kamlib import grading
from kamlib.check_client import CheckServiceError, remote_check, remote_check_reply
from kamlib.check_log import read_check_log
from kamlib.check_service import (
    MAX_BODY_BYTES,
    CheckService,
    Limits,
    attempt_identity,
    make_app,
)
from kamlib.exercises import exercise_ids, load_exercise
from kamlib.grading import build_check_data, key_check_rules, keys_dir, load_key, model_answers, self_check
from kamlib.i18n import LANGS

jupyterhub_auth = pytest.importorskip("jupyterhub.services.auth")
pytestmark = pytest.mark.solutions

SCOPE = "access:services!service=kam-check"
PREFIX = "/services/kam-check/"
MODELS: dict[str, dict[str, Any]] = {
    "tok-li": {"name": "li.wei", "kind": "user", "scopes": [SCOPE, "users:activity!user=li.wei"]},
    "tok-wang": {"name": "wang.min", "kind": "user", "scopes": [SCOPE]},
    "tok-noscope": {"name": "zhao", "kind": "user",
                    "scopes": ["access:servers!server=zhao/", "users:activity!user=zhao"]},
    "tok-service": {"name": "idle-culler", "kind": "service", "scopes": ["access:services"]},
}


class FakeHubAuth(jupyterhub_auth.HubAuth):
    """JupyterHub's HubAuth, except that ``user_for_token`` looks the token up in ``MODELS`` (token "tok-down":
    the hub cannot be reached, as HubAuth reports it)."""

    def user_for_token(self, token: str, *args: Any, sync: bool = True, **kwargs: Any) -> Any:
        async def ask() -> dict[str, Any] | None:
            if token == "tok-down":
                from tornado.web import HTTPError

                raise HTTPError(500, "Failed to connect to Hub API")
            return MODELS.get(token)

        return ask() if not sync else asyncio.run(ask())


class Clock:
    """A clock the tests move by hand (the window of the limit is an hour)."""

    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


class Served:
    """A tornado application served on a loopback port from a thread of its own."""

    def __init__(self, app: Any) -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(self.loop)
            from tornado.httpserver import HTTPServer
            from tornado.netutil import bind_sockets

            async def start() -> None:
                sockets = bind_sockets(0, "127.0.0.1")
                self.server = HTTPServer(app, max_body_size=2 * MAX_BODY_BYTES)
                self.server.add_sockets(sockets)
                self.port = sockets[0].getsockname()[1]

            self.loop.run_until_complete(start())
            ready.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        ready.wait(10)
        self.url = f"http://127.0.0.1:{self.port}{PREFIX}"

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.stop)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture
def instructor_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "instructor"
    folder.mkdir()
    return folder


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def make_service(instructor_dir: Path, clock: Clock) -> Iterator[Any]:
    """Start a service (keys: the course's own; log: the instructor folder's checks.jsonl); stopped after the test."""
    started: list[Served] = []

    def start(limits: Limits | None = None, keys: Path | None = None, settings: Path | None = None) -> Served:
        service = CheckService(keys or keys_dir(), instructor_dir / "checks.jsonl", limits or Limits(), settings, clock)
        served = Served(make_app(service, FakeHubAuth(access_scopes={SCOPE}), PREFIX))
        served.service = service  # type: ignore[attr-defined]
        started.append(served)
        return served

    yield start
    for served in started:
        served.stop()


def post(url: str, body: bytes, token: str | None = "tok-li", **headers: str) -> tuple[int, dict[str, Any]]:
    """A raw request, as a hostile client may send it: (status, JSON reply)."""
    if token:
        headers["Authorization"] = f"token {token}"
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def answers_json(answers: dict[str, Any]) -> bytes:
    return json.dumps({"answers": answers}).encode()


def wrong(exercise_id: str, answers: dict[str, Any]) -> dict[str, Any]:
    """The model answers with every choice item answered otherwise and every number off by a lot."""
    out = dict(answers)
    for item in load_exercise(exercise_id).items:
        value = out.get(item.id)
        if item.kind == "choice" and value is not None:
            out[item.id] = next(c for c in item.choices if c != value)
        elif item.kind == "number" and value is not None:
            out[item.id] = float(value) + 1234.5
    return out


# ---- right / not yet from the real key --------------------------------------------------------


@pytest.mark.parametrize("exercise_id", exercise_ids())
def test_the_service_says_what_the_practice_data_says(make_service: Any, exercise_id: str) -> None:
    """Rules built in memory from the key give the verdicts the shipped practice data gives, right and wrong."""
    served = make_service()
    key = load_key(exercise_id)
    for answers in (model_answers(key, "en"), wrong(exercise_id, model_answers(key, "en")), {}):
        got = remote_check_reply(exercise_id, answers, url=served.url, token="tok-li").items
        assert got == self_check(exercise_id, answers), exercise_id
    assert set(remote_check_reply(exercise_id, model_answers(key, "en"), url=served.url, token="tok-li")
               .items.values()) <= {"correct", "instructor"}


def test_right_and_not_yet_per_item_without_any_local_check_data(make_service: Any, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:
    """On the hub the trainee's copy has no *.check.json: the client never needs one."""
    monkeypatch.setattr(grading, "check_data_path", lambda _exercise_id: tmp_path / "none.check.json")
    served = make_service()
    key = model_answers(load_key("ex00"), "en")
    wrong_q1 = next(c for c in load_exercise("ex00").item("q1").choices if c != key["q1"])
    monkeypatch.setenv("KAM_CHECK_URL", served.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-li")
    verdict = remote_check("ex00", {"q1": wrong_q1, "q2": key["q2"], "q7": "ok", "q8": "x" * 300})
    assert (verdict["q1"], verdict["q2"], verdict["q3"]) == ("not_yet", "correct", "blank")
    assert (verdict["q7"], verdict["q8"]) == ("too_short", "instructor")
    reply = remote_check_reply("ex00", {"q1": key["q1"]})
    assert reply.items["q1"] == "correct" and reply.instructor == ("q7", "q8")


def test_nothing_of_the_key_is_in_the_reply(make_service: Any) -> None:
    served = make_service()
    for exercise_id in exercise_ids():
        key = load_key(exercise_id)
        status, reply = post(served.url + f"check/{exercise_id}", answers_json(model_answers(key, "en")))
        assert status == 200 and set(reply) == {"exercise", "items", "retry_after", "instructor", "limit"}
        text = json.dumps(reply, ensure_ascii=False)
        secrets = [r["digest"] for r in build_check_data(key)["items"].values() if "digest" in r]  # type: ignore[union-attr]
        secrets += [k.explanation[lang] for k in key.items for lang in LANGS]
        secrets += [k.example[lang] for k in key.items if k.example for lang in LANGS]
        assert [s for s in secrets if s in text] == []
        assert set(reply["items"].values()) <= {"correct", "instructor"}


# ---- who may ask ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("token", "status", "error"), [
    (None, 403, "check.error.no_token"),
    ("tok-unknown", 403, "check.error.bad_token"),
    ("tok-noscope", 403, "check.error.not_allowed"),  # a token without access:services!service=kam-check
    ("tok-service", 403, "check.error.not_allowed"),  # another service's token is no trainee
    ("tok-down", 503, "check.error.hub_unreachable"),
])
def test_only_a_hub_user_with_the_service_scope_is_answered(make_service: Any, instructor_dir: Path,
                                                            token: str | None, status: int, error: str) -> None:
    served = make_service()
    got = post(served.url + "check/ex00", answers_json({"q1": "ch1"}), token=token)
    assert got == (status, {"error": error, "params": {}})
    with pytest.raises(CheckServiceError) as err:
        remote_check_reply("ex00", {"q1": "ch1"}, url=served.url, token=token or "")
    assert err.value.text.key == (error if token else "check.client.no_token")
    assert not (instructor_dir / "checks.jsonl").exists()  # nothing checked, nothing logged


def test_a_token_in_the_url_is_not_taken(make_service: Any) -> None:
    served = make_service()
    assert post(served.url + "check/ex00?token=tok-li", answers_json({}), token=None)[0] == 403


# ---- strict input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "body", "status", "error"), [
    ("check/ex99", answers_json({}), 404, "grading.unknown_exercise"),
    ("check/..%2Fkeys", answers_json({}), 404, "grading.unknown_exercise"),
    ("check/ex00", b"not json", 400, "check.error.bad_request"),
    ("check/ex00", b"\xff\xfe", 400, "check.error.bad_request"),
    ("check/ex00", b"[1, 2]", 400, "check.error.bad_request"),
    ("check/ex00", json.dumps({"answers": ["q1"]}).encode(), 400, "check.error.bad_request"),
    ("check/ex00", json.dumps({"answers": {}, "user": "wang.min"}).encode(), 400, "check.error.bad_request"),
    ("check/ex00", b"[" * 100_000 + b"]" * 100_000, 400, "check.error.bad_request"),
    ("check/ex00", answers_json({"q99": "x"}), 400, "check.error.unknown_item"),
    ("check/ex00", answers_json({"q1": "not-a-choice"}), 400, "check.error.bad_answer"),
    ("check/ex00", answers_json({"q1": True}), 400, "check.error.bad_answer"),
    ("check/ex00", answers_json({"q3": ["lb", 7]}), 400, "check.error.bad_answer"),
    ("check/ex00", answers_json({"q4": "twenty"}), 400, "check.error.bad_answer"),
    ("check/ex00", b'{"answers": {"q4": Infinity}}', 400, "check.error.bad_answer"),
    ("check/ex00", answers_json({"q8": {"text": "x"}}), 400, "check.error.bad_answer"),
])
def test_bad_requests_are_refused_with_a_catalog_key(make_service: Any, path: str, body: bytes, status: int,
                                                     error: str) -> None:
    served = make_service()
    got_status, reply = post(served.url + path, body)
    assert (got_status, reply["error"]) == (status, error)


def test_a_huge_body_is_refused_before_it_is_read(make_service: Any) -> None:
    served = make_service()
    body = answers_json({"q8": "x" * (MAX_BODY_BYTES + 10)})
    assert post(served.url + "check/ex00", body) == (413, {"error": "check.error.too_large", "params": {"limit": 256}})
    with pytest.raises(CheckServiceError) as err:  # the client does not even send it
        remote_check_reply("ex00", {"q8": "x" * (MAX_BODY_BYTES + 10)}, url=served.url, token="tok-li")
    assert err.value.text.key == "check.error.too_large" and "256" in err.value.message("en")


def test_self_check_off_in_the_course_settings_is_said_plainly(make_service: Any, tmp_path: Path) -> None:
    settings = tmp_path / "course-settings.toml"
    settings.write_text("[exercises.ex00]\nself_check = false\n", encoding="utf-8")
    served = make_service(settings=settings)
    assert post(served.url + "check/ex00", answers_json({"q1": "ch1"})) == (
        403, {"error": "grading.self_check_off", "params": {}})
    assert post(served.url + "check/ex01", answers_json({}))[0] == 200  # only that exercise
    with pytest.raises(CheckServiceError) as err:
        remote_check_reply("ex00", {"q1": "ch1"}, url=served.url, token="tok-li")
    assert "turned self-check off" in err.value.message("en")


def test_a_missing_key_is_the_instructor_s_problem_and_names_no_path(make_service: Any, tmp_path: Path) -> None:
    served = make_service(keys=tmp_path / "no-keys")
    status, reply = post(served.url + "check/ex00", answers_json({"q1": "ch1"}))
    assert (status, reply) == (503, {"error": "check.error.service_setup", "params": {"exercise": "ex00"}})
    assert set(served.service.key_problems()) == set(exercise_ids())  # said when the service starts


# ---- the rate limit ------------------------------------------------------------------------------


def test_at_most_n_different_answers_per_item_per_window_and_repeats_are_free(make_service: Any,
                                                                               clock: Clock) -> None:
    served = make_service(Limits(per_item=3, window_s=3600))
    key = model_answers(load_key("ex00"), "en")
    choices = load_exercise("ex00").item("q1").choices
    others = [c for c in choices if c != key["q1"]]

    def check(q1: str, token: str = "tok-li") -> Any:
        return remote_check_reply("ex00", {"q1": q1, "q2": key["q2"]}, url=served.url, token=token)

    for value in others[:3]:
        clock.now += 60
        assert check(value).items["q1"] == "not_yet"
    clock.now += 60
    limited = check(key["q1"])  # a 4th different answer within the hour: not checked, so not said right
    assert limited.items["q1"] == "limited" and limited.retry_after == {"q1": 3600 - 3 * 60}
    assert limited.items["q2"] == "correct"  # other items are counted on their own (q2's answer is a repeat)
    assert (limited.per_item, limited.window_minutes) == (3, 60)
    assert check(others[0]).items["q1"] == "not_yet"  # the same answer again is free
    assert check(key["q1"], token="tok-wang").items["q1"] == "correct"  # another trainee has their own count
    clock.now += 3600 - 3 * 60 + 1  # the first answer leaves the window
    assert check(key["q1"]).items["q1"] == "correct"


def test_restarting_the_service_keeps_the_counts(make_service: Any, clock: Clock) -> None:
    served = make_service(Limits(per_item=2, window_s=3600))
    others = [c for c in load_exercise("ex00").item("q1").choices][:3]
    for value in others[:2]:
        remote_check_reply("ex00", {"q1": value}, url=served.url, token="tok-li")
    served.stop()
    again = make_service(Limits(per_item=2, window_s=3600))  # reads the log back
    assert remote_check_reply("ex00", {"q1": others[2]}, url=again.url, token="tok-li").items["q1"] == "limited"
    clock.now += 3601
    again = make_service(Limits(per_item=2, window_s=3600))
    assert remote_check_reply("ex00", {"q1": others[2]}, url=again.url, token="tok-li").items["q1"] != "limited"


def test_a_rule_judged_whole_counts_a_change_of_any_part_for_every_part() -> None:
    """ex04's proposed rule is judged whole: keeping rule_j1 while trying other parts is no free probe of it."""
    rules = key_check_rules(load_key("ex04"))
    a = {"rule_j1_price": 30.0, "rule_j2_technical": 32.0, "total_b1": 88.0}
    b = {**a, "rule_j2_technical": 33.0}
    assert attempt_identity("rule_j1_price", rules, a) != attempt_identity("rule_j1_price", rules, b)
    c = {**a, "total_b2": 80.0}  # a figure judged on its own is one item's answer
    assert attempt_identity("rule_j1_price", rules, a) == attempt_identity("rule_j1_price", rules, c)
    assert attempt_identity("total_b1", rules, a) == attempt_identity("total_b1", rules, b)


# ---- the log ----------------------------------------------------------------------------------------


def test_every_check_is_logged_without_the_answer(make_service: Any, instructor_dir: Path, clock: Clock) -> None:
    served = make_service(Limits(per_item=2, window_s=3600))
    old = os.umask(0)  # the log is 0640 whatever the umask
    try:
        key = model_answers(load_key("ex00"), "en")
        wrong_q1 = [c for c in load_exercise("ex00").item("q1").choices if c != key["q1"]]
        essay = "Zebra-unicorn plan for the account " * 3
        for q1 in (wrong_q1[0], wrong_q1[0], wrong_q1[1], key["q1"]):
            clock.now += 1
            remote_check_reply("ex00", {"q1": q1, "q8": essay}, url=served.url, token="tok-li")
        remote_check_reply("ex01", {}, url=served.url, token="tok-wang")  # nothing answered, nothing logged
    finally:
        os.umask(old)
    path = instructor_dir / "checks.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    text = path.read_text(encoding="utf-8")
    assert "Zebra" not in text and f'"{wrong_q1[0]}"' not in text.replace('"item":"q1"', "")
    lines = [json.loads(line) for line in text.splitlines()]
    assert {tuple(sorted(r)) for r in lines} == {("check", "counted", "exercise", "item", "status", "time", "user")}
    q1 = [(r["status"], r["counted"]) for r in lines if r["item"] == "q1"]
    assert q1 == [("not_yet", True), ("not_yet", False), ("not_yet", True), ("limited", False)]
    assert [r["status"] for r in lines if r["item"] == "q8"] == ["instructor"] * 4
    counts = read_check_log(path)
    assert set(counts) == {("li.wei", "ex00")}
    li = counts[("li.wei", "ex00")]
    assert (li.checks, li.attempts, li.tries, li.limited, li.right) == (4, 2, {"q1": 2}, 1, 0)
    assert li.last_status == {"q1": "not_yet", "q8": "instructor"} and li.first < li.last


def test_the_log_reader_skips_damaged_lines_and_a_missing_log(tmp_path: Path) -> None:
    assert read_check_log(tmp_path / "none.jsonl") == {}
    path = tmp_path / "checks.jsonl"
    good = {"time": "2025-06-01T08:00:00+00:00", "check": "a", "user": "li.wei", "exercise": "ex00", "item": "q1",
            "status": "correct", "counted": True}
    path.write_text("\n".join([json.dumps(good), "{not json", json.dumps({**good, "time": "yesterday"}),
                               json.dumps({**good, "user": 7}), "[]"]) + "\n", encoding="utf-8")
    (entry,) = read_check_log(path).values()
    assert (entry.checks, entry.attempts, entry.right) == (1, 1, 1)


# ---- the client against a real local HTTP server ---------------------------------------------------


class Fake(http.server.BaseHTTPRequestHandler):
    """Answers every POST with ``reply`` (status, headers, body) and records what it was sent."""

    reply: tuple[int, dict[str, str], bytes] = (200, {}, b"{}")
    seen: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []
    hold: threading.Event | None = None

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        type(self).seen.append((self.path, dict(self.headers), body))
        if self.hold is not None:
            self.hold.wait(10)
        status, headers, data = self.reply
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def fake() -> Iterator[tuple[type[Fake], str]]:
    handler = type("Handler", (Fake,), {"seen": [], "hold": None})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield handler, f"http://127.0.0.1:{server.server_address[1]}/services/kam-check/"
    if handler.hold is not None:
        handler.hold.set()
    server.shutdown()
    server.server_close()
    thread.join(10)


def _ok_reply(**changes: Any) -> bytes:
    items = {i.id: "not_yet" for i in load_exercise("ex00").items}
    reply = {"exercise": "ex00", "items": items, "retry_after": {}, "instructor": ["q7", "q8"],
             "limit": {"per_item": 10, "window_minutes": 60}, **changes}
    return json.dumps(reply).encode()


def test_the_client_sends_the_token_and_only_the_exercise_s_answers(fake: Any) -> None:
    handler, url = fake
    handler.reply = (200, {"Content-Type": "application/json"}, _ok_reply())
    reply = remote_check_reply("ex00", {"q1": "ch1", "stale_item": "x"}, url=url, token="secret-token")
    assert reply.items["q1"] == "not_yet" and reply.instructor == ("q7", "q8")
    ((path, headers, body),) = handler.seen
    assert path == "/services/kam-check/check/ex00" and headers["Authorization"] == "token secret-token"
    assert json.loads(body) == {"answers": {"q1": "ch1"}}


@pytest.mark.parametrize(("reply", "error"), [
    ((500, {}, b"<html>Internal error</html>"), "check.client.unavailable"),
    ((502, {}, b"Bad gateway"), "check.client.unavailable"),
    ((403, {}, b"<html>Forbidden</html>"), "check.error.not_allowed"),  # the hub's proxy page, not the service's
    ((404, {}, b"Not found"), "check.client.refused"),
    ((400, {}, json.dumps({"error": "errors.unexpected", "params": {}}).encode()), "check.client.refused"),
    ((400, {}, json.dumps({"error": "check.error.bad_answer", "params": {"x": 1}}).encode()), "check.client.refused"),
    ((400, {}, json.dumps({"error": "check.error.bad_answer", "params": {"exercise": "ex00", "item": "q4"}}).encode()),
     "check.error.bad_answer"),
    ((302, {"Location": "http://127.0.0.1:9/steal"}, b""), "check.client.refused"),  # never followed
    ((200, {}, b"<html>the hub's login page</html>"), "check.client.bad_reply"),
    ((200, {}, json.dumps({"items": {"q1": "correct"}}).encode()), "check.client.bad_reply"),  # items missing
    ((200, {}, _ok_reply(items={**json.loads(_ok_reply())["items"], "q1": "maybe"})), "check.client.bad_reply"),
    ((200, {}, _ok_reply(retry_after={"q1": "soon"})), "check.client.bad_reply"),
    ((200, {}, b"x" * 300_000), "check.client.bad_reply"),
])
def test_every_failure_of_the_service_is_a_message(fake: Any, reply: tuple[int, dict[str, str], bytes],
                                                   error: str) -> None:
    handler, url = fake
    handler.reply = reply
    with pytest.raises(CheckServiceError) as err:
        remote_check_reply("ex00", {"q1": "ch1"}, url=url, token="tok")
    assert err.value.text.key == error
    for lang in LANGS:
        assert err.value.message(lang) and "Traceback" not in err.value.message(lang)


def test_a_service_that_does_not_answer_in_time_is_a_message(fake: Any) -> None:
    handler, url = fake
    handler.hold = threading.Event()  # the server waits until the client has given up
    with pytest.raises(CheckServiceError) as err:
        remote_check_reply("ex00", {"q1": "ch1"}, url=url, token="tok", timeout=0.3)
    assert err.value.text.key == "check.client.timeout" and "0.3" in err.value.message("en")


def test_a_service_that_is_down_or_misnamed_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(CheckServiceError) as err:
        remote_check_reply("ex00", {}, url=f"http://127.0.0.1:{port}/services/kam-check/", token="tok")
    assert err.value.text.key == "check.client.unreachable"
    for url in ("file:///etc/passwd", "ftp://hub/", "hub:8000", "http://"):
        with pytest.raises(CheckServiceError) as err:
            remote_check_reply("ex00", {}, url=url, token="tok")
        assert err.value.text.key == "check.client.bad_url", url
    monkeypatch.setenv("KAM_CHECK_URL", f"http://127.0.0.1:{port}/")
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    with pytest.raises(CheckServiceError) as err:
        remote_check("ex00", {})
    assert err.value.text.key == "check.client.no_token"


# ---- the exercise page on the hub -----------------------------------------------------------------


def test_the_exercise_form_checks_through_the_service(make_service: Any, workbook_file: Path, clock: Clock,
                                                      monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from kamlib.forms.exercise import ExerciseForm
    from kamlib.forms.page import Page
    from tests.form_checks import fill_answers

    monkeypatch.setattr(grading, "check_data_path", lambda _exercise_id: tmp_path / "none.check.json")
    served = make_service(Limits(per_item=1, window_s=3600))
    monkeypatch.setenv("KAM_CHECK_URL", served.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-li")
    key = model_answers(load_key("ex00"), "en")
    wrong_q1 = next(c for c in load_exercise("ex00").item("q1").choices if c != key["q1"])
    form = ExerciseForm(Page(lang="en"), "ex00")
    fill_answers(form, {"q1": wrong_q1, "q5": key["q5"], "q7": "ok"})
    form.check.click()
    assert "not yet" in form.notes["q1"].text and "right" in form.notes["q5"].text
    assert "too short" in form.notes["q7"].text
    assert "Self-check: 1 right, 1 not yet right, 4 not answered yet, 2 written answers" in form.status.text
    fill_answers(form, {"q1": key["q1"], "q5": key["q5"], "q7": "ok"})
    form.check.click()  # a second different answer to q1 within the hour (the limit here is 1)
    assert form.notes["q1"].kind == "info" and "Not checked this time" in form.notes["q1"].text
    assert "about 60 minutes" in form.notes["q1"].text and "right" in form.notes["q5"].text
    assert "1 question was not checked" in form.status.text
    served.stop()
    form.check.click()  # the service is gone: a message in the trainee's language, the answers kept
    assert form.status.kind == "error" and "cannot be reached" in form.status.text
    assert "Traceback" not in form.status.text


def test_the_exercise_form_says_when_the_service_turned_self_check_off(make_service: Any, workbook_file: Path,
                                                                       monkeypatch: pytest.MonkeyPatch,
                                                                       tmp_path: Path) -> None:
    from kamlib.forms.exercise import ExerciseForm
    from kamlib.forms.page import Page

    settings = tmp_path / "instructor-settings.toml"
    settings.write_text("[exercises.ex00]\nself_check = false\n", encoding="utf-8")
    served = make_service(settings=settings)  # the trainee's own settings say on: the service's say off
    monkeypatch.setenv("KAM_CHECK_URL", served.url)
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "tok-li")
    form = ExerciseForm(Page(lang="zh"), "ex00")
    form.inputs["q1"].value = "ch1"
    form.check.click()
    assert form.status.kind == "info" and "关闭" in form.status.text and form.notes["q1"].text == ""


# ---- the command the hub runs, with JupyterHub's own HubAuth ---------------------------------------


class FakeHubApi(http.server.BaseHTTPRequestHandler):
    """The hub's ``GET /hub/api/user`` as HubAuth asks it: the model of the token's owner, else 403."""

    def do_GET(self) -> None:
        token = self.headers.get("Authorization", "").removeprefix("token ")
        model = MODELS.get(token)
        ok = self.path == "/hub/api/user" and model is not None
        body = json.dumps(model if ok else {"status": 403}).encode()
        self.send_response(200 if ok else 403)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kam_check_service_runs_as_the_hub_starts_it(instructor_dir: Path) -> None:
    """The environment JupyterHub gives a managed service, a hub API answering HubAuth, and the real command."""
    import signal
    import subprocess
    import sys
    import time

    hub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeHubApi)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(instructor_dir), "LANG": "C.UTF-8",
        "JUPYTERHUB_SERVICE_NAME": "kam-check", "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "JUPYTERHUB_SERVICE_PREFIX": PREFIX, "JUPYTERHUB_API_TOKEN": "the-service-s-own-token",
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{hub.server_address[1]}/hub/api",
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": json.dumps(["access:services", SCOPE]),
        "KAM_INSTRUCTOR_DIR": str(instructor_dir), "KAM_KEYS": str(keys_dir()),
    }
    proc = subprocess.Popen([sys.executable, "-m", "kamlib.cli", "--lang", "en", "check-service", "--limit", "5"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            # a hub started in the background of a shell passes SIGINT on ignored: it still stops
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    url = f"http://127.0.0.1:{port}{PREFIX}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert json.loads(response.read()) == {"service": "kam-check"}
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.communicate(timeout=5)
                time.sleep(0.2)
        key = model_answers(load_key("ex00"), "en")
        wrong_q1 = next(c for c in load_exercise("ex00").item("q1").choices if c != key["q1"])
        verdict = remote_check_reply("ex00", {"q1": wrong_q1, "q2": key["q2"]}, url=url, token="tok-li")
        assert (verdict.items["q1"], verdict.items["q2"], verdict.per_item) == ("not_yet", "correct", 5)
        for token, error in (("tok-unknown", "check.error.bad_token"), ("tok-noscope", "check.error.not_allowed")):
            with pytest.raises(CheckServiceError) as err:
                remote_check_reply("ex00", {"q1": key["q1"]}, url=url, token=token)
            assert err.value.text.key == error
        assert [r.user for r in read_check_log(instructor_dir / "checks.jsonl").values()] == ["li.wei"]
        proc.send_signal(signal.SIGINT)  # how the hub stops a managed service
        _out, err_text = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "Traceback" not in err_text
        assert f"listening on {url}" in err_text and "at most 5 different answers" in err_text
        assert "Class self-check stopped." in err_text
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        hub.shutdown()
        hub.server_close()


def test_a_loop_of_checks_is_held_back_per_trainee(make_service: Any, clock: Clock, instructor_dir: Path) -> None:
    """A script pressing Check in a loop would fill the log: a trainee gets MAX_CHECKS_PER_MINUTE a minute."""
    from kamlib.check_service import MAX_CHECKS_PER_MINUTE

    served = make_service()
    for _ in range(MAX_CHECKS_PER_MINUTE):
        clock.now += 1
        assert post(served.url + "check/ex00", answers_json({"q1": "ch1"}))[0] == 200
    assert post(served.url + "check/ex00", answers_json({"q1": "ch1"})) == (
        429, {"error": "check.error.too_many", "params": {"seconds": 60 - MAX_CHECKS_PER_MINUTE + 1}})
    assert post(served.url + "check/ex00", answers_json({"q1": "ch1"}), token="tok-wang")[0] == 200
    with pytest.raises(CheckServiceError) as err:
        remote_check_reply("ex00", {"q1": "ch1"}, url=served.url, token="tok-li")
    assert err.value.text.key == "check.error.too_many"
    clock.now += 60
    assert post(served.url + "check/ex00", answers_json({"q1": "ch1"}))[0] == 200
    lines = (instructor_dir / "checks.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == MAX_CHECKS_PER_MINUTE + 2  # what was held back was not logged


@pytest.mark.parametrize(("args", "env", "words"), [
    (["check-service"], {}, "KAM_INSTRUCTOR_DIR"),  # no log place trainees cannot read: no service
    (["check-service"], {"KAM_INSTRUCTOR_DIR": "{dir}", "JUPYTERHUB_SERVICE_URL": "unix:/run/x.sock"},
     "JUPYTERHUB_SERVICE_URL"),
    (["check-service", "--limit", "0"], {"KAM_INSTRUCTOR_DIR": "{dir}"}, "at least 1"),
])
def test_kam_check_service_explains_what_is_missing(args: list[str], env: dict[str, str], words: str,
                                                    instructor_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    from kamlib.cli import main as kam

    for name in ("KAM_INSTRUCTOR_DIR", "JUPYTERHUB_SERVICE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value.format(dir=instructor_dir))
    assert kam(["--lang", "en", *args]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
