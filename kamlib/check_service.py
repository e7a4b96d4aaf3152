"""The classroom's self-check service: it holds the answer keys, trainees' kernels hold none.

Run by JupyterHub as the managed service ``kam-check`` (``kam check-service``), on the instructor's side. A
trainee's exercise page posts its answers with the trainee's hub token::

    POST <prefix>check/<exercise_id>    Authorization: token <JUPYTERHUB_API_TOKEN>    {"answers": {...}}
    200 {"exercise": ..., "items": {item_id: status}, "retry_after": {item_id: seconds},
         "instructor": [item ids self-check never calls right], "limit": {"per_item": n, "window_minutes": m}}
    4xx/5xx {"error": <catalog key>, "params": {...}}

The statuses are ``kamlib.grading.self_check``'s (computed from rules built in memory from the real key), plus
"limited": this trainee checked ``per_item`` different answers to that item within the window (checking the same
answer again is free). Every check is logged (time, user, exercise, item, status; never the answer) as JSON lines
in ``checks.jsonl``; ``kamlib.check_log.read_check_log`` counts the attempts for the dashboard.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
import math
import os
import re
import signal
import time
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tornado.web

from kamlib.check_log import CHECK_LOG, read_records
from kamlib.errors import GradingError, KamError, SettingsError
from kamlib.exercises import Answer, Item, exercise_ids, load_exercise, normalize_answer
from kamlib.i18n import Lang
from kamlib.safe_text import printable

log = logging.getLogger("kam.check")

SERVICE_NAME = "kam-check"
DEFAULT_PER_ITEM = 10  # different answers checked per item ...
DEFAULT_WINDOW_S = 3600  # ... per hour
MAX_BODY_BYTES = 256 * 1024  # a whole exercise's answers are a few kB; written answers run to a few thousand chars
MAX_CHECKS_PER_MINUTE = 30  # Check pressed by hand is far rarer; a loop would fill the log (and the hub's logins)
LOG_NAME = CHECK_LOG
LOG_MODE = 0o640
COUNTED_RULES = ("digest", "function")  # the rules whose verdict says right or not: these are rate limited
_NAME_CHARS = 40  # an id quoted back in an error is cut to this length


@dataclasses.dataclass(frozen=True)
class Limits:
    """At most ``per_item`` different answers checked per (trainee, exercise, item) per ``window_s`` seconds."""

    per_item: int = DEFAULT_PER_ITEM
    window_s: int = DEFAULT_WINDOW_S

    def __post_init__(self) -> None:
        if self.per_item < 1 or self.window_s < 1:
            raise ValueError("limits must be positive")


@dataclasses.dataclass(frozen=True)
class Reply:
    """An HTTP reply of the service: its status code and JSON payload."""

    status: int
    payload: dict[str, Any]


def refusal(status: int, key: str, **params: str | int) -> Reply:
    """An error reply: a catalog key (the trainee's page shows it translated) and its parameters."""
    return Reply(status, {"error": key, "params": params})


class RateLimiter:
    """Per (user, exercise, item): the different answers checked within the window, each with its first time.

    Only an answer not seen within the window counts; a repeat of one is free. After a restart the counts are
    read back from the log (``preload``), so restarting the service gives nobody a fresh allowance."""

    def __init__(self, limits: Limits, clock: Callable[[], float] = time.time) -> None:
        self.limits, self.clock = limits, clock
        self._seen: dict[tuple[str, str, str], dict[str, float]] = {}

    def _current(self, key: tuple[str, str, str], now: float) -> dict[str, float]:
        seen = self._seen.setdefault(key, {})
        for identity in [i for i, at in seen.items() if at <= now - self.limits.window_s]:
            del seen[identity]
        return seen

    def retry_after(self, key: tuple[str, str, str], identity: str) -> int | None:
        """None when this answer may be checked now, else the seconds until one more may be."""
        now = self.clock()
        seen = self._current(key, now)
        if identity in seen or len(seen) < self.limits.per_item:
            return None
        return max(1, math.ceil(min(seen.values()) + self.limits.window_s - now))

    def record(self, key: tuple[str, str, str], identity: str) -> bool:
        """Note that this answer was checked; True when it was a new one (it counts against the limit)."""
        seen = self._current(key, self.clock())
        if identity in seen:
            return False
        seen[identity] = self.clock()
        return True

    def preload(self, key: tuple[str, str, str], at: float) -> None:
        """A counted attempt read back from the log (its answer unknown: it never matches a repeat)."""
        self._seen.setdefault(key, {})[f"log:{uuid.uuid4().hex}"] = at


def _digest(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def attempt_identity(item_id: str, rules: Mapping[str, Mapping[str, Any]], answers: Mapping[str, Answer]) -> str:
    """What makes an answer to ``item_id`` a new one: the answer itself, or for a check that judges several items
    at once (``grading.CHECKS_TOGETHER``) the answers of all of them."""
    from kamlib.grading import CHECKS_TOGETHER

    rule = rules.get(item_id, {})
    if rule.get("check") == "function" and rule.get("function") in CHECKS_TOGETHER:
        together = sorted(i for i, r in rules.items() if r.get("check") == "function"
                          and r.get("function") == rule["function"])
        return _digest({i: answers.get(i) for i in together})
    return _digest(answers.get(item_id))


_KINDS: dict[str, tuple[type, ...]] = {  # the JSON types an answer of each kind of item may have
    "choice": (str,), "multi": (str, list), "number": (str, int, float), "text": (str,),
}


def parse_answers(exercise_id: str, body: bytes) -> dict[str, Answer] | Reply:
    """The answers of a request body, each in its stored form, or the refusal naming what is wrong.

    Strict: a JSON object ``{"answers": {item_id: answer}}`` and nothing else; every item id one of the exercise's;
    every answer of a type its item takes and accepted as the exercise form accepts it."""
    if len(body) > MAX_BODY_BYTES:
        return refusal(413, "check.error.too_large", limit=MAX_BODY_BYTES // 1024)
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return refusal(400, "check.error.bad_request")
    if not isinstance(data, dict) or set(data) != {"answers"} or not isinstance(data["answers"], dict):
        return refusal(400, "check.error.bad_request")
    items = {i.id: i for i in load_exercise(exercise_id).items}
    answers: dict[str, Answer] = {}
    for item_id, value in data["answers"].items():
        item: Item | None = items.get(item_id)
        if item is None:
            return refusal(400, "check.error.unknown_item", exercise=exercise_id, item=printable(item_id)[:_NAME_CHARS])
        fits = value is None or (isinstance(value, _KINDS[item.kind]) and not isinstance(value, bool))
        if isinstance(value, list):
            fits = fits and all(isinstance(v, str) for v in value)
        try:
            if not fits:
                raise ValueError(value)
            answers[item_id] = normalize_answer(item, value)
        except (ValueError, TypeError):
            return refusal(400, "check.error.bad_answer", exercise=exercise_id, item=item_id)
    return answers


class CheckLog:
    """``checks.jsonl``: one JSON line per item checked (created 0640; never the answer)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        data = "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in records)
        # Appended, not replaced (kamlib.atomic): many checks add to one log, each line in one write.
        flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0)
        try:
            fd = os.open(self.path, flags | os.O_CREAT | os.O_EXCL, LOG_MODE)
            os.fchmod(fd, LOG_MODE)  # whatever the umask
        except FileExistsError:
            fd = os.open(self.path, flags)
        try:
            os.write(fd, data.encode("utf-8"))  # one write per check: lines of two checks never interleave
        finally:
            os.close(fd)


class CheckService:
    """The checking itself, apart from HTTP: keys read from ``keys``, checks logged to ``log_path``."""

    def __init__(self, keys: Path, log_path: Path, limits: Limits = Limits(), settings: Path | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.keys, self.settings, self.clock = keys, settings, clock
        self.log = CheckLog(log_path)
        self.limiter = RateLimiter(limits, clock)
        self._recent: dict[str, list[float]] = {}  # user → times of their checks within the last minute
        self._rules: dict[str, tuple[tuple[int, int], dict[str, dict[str, Any]]]] = {}
        since = clock() - limits.window_s
        for r in read_records(log_path):
            at = r["time"].timestamp()
            if r.get("counted") is True and at > since:
                self.limiter.preload((r["user"], r["exercise"], r["item"]), at)

    @property
    def limits(self) -> Limits:
        return self.limiter.limits

    def key_file(self, exercise_id: str) -> Path:
        base = self.keys
        if not (base / f"{exercise_id}.toml").is_file() and (base / "keys").is_dir():
            base = base / "keys"  # the instructor named solutions/ itself, as load_key allows
        return base / f"{exercise_id}.toml"

    def rules(self, exercise_id: str) -> dict[str, dict[str, Any]]:
        """The exercise's self-check rules built from its key, read again whenever the key file changes."""
        from kamlib.grading import key_check_rules, load_key

        try:
            st = self.key_file(exercise_id).stat()
            stamp = (st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = (0, -1)
        cached = self._rules.get(exercise_id)
        if cached and cached[0] == stamp:
            return cached[1]
        rules = key_check_rules(load_key(exercise_id, self.keys))
        self._rules[exercise_id] = (stamp, rules)
        return rules

    def key_problems(self) -> dict[str, KamError]:
        """The exercises whose key cannot be used (said at start, so the instructor sees it before the class)."""
        problems: dict[str, KamError] = {}
        for exercise_id in exercise_ids():
            try:
                self.rules(exercise_id)
            except KamError as exc:
                problems[exercise_id] = exc
        return problems

    def _self_check_on(self, exercise_id: str) -> bool:
        from kamlib.settings import load_settings

        settings = load_settings(self.settings) if self.settings else load_settings()
        return settings.exercise(exercise_id).self_check

    def check(self, user: str, exercise_id: str, body: bytes) -> Reply:
        """Check one request of ``user`` (already authenticated by the hub)."""
        from kamlib.grading import instructor_items, self_check

        now = self.clock()
        recent = [at for at in self._recent.get(user, []) if at > now - 60]
        if len(recent) >= MAX_CHECKS_PER_MINUTE:
            self._recent[user] = recent
            return refusal(429, "check.error.too_many", seconds=max(1, math.ceil(recent[0] + 60 - now)))
        self._recent[user] = [*recent, now]
        if exercise_id not in exercise_ids():
            return refusal(404, "grading.unknown_exercise", exercise=printable(exercise_id)[:_NAME_CHARS])
        try:
            if not self._self_check_on(exercise_id):
                return refusal(403, "grading.self_check_off")
            rules = self.rules(exercise_id)
        except (SettingsError, GradingError) as exc:
            log.error("exercise %s cannot be checked: %s", exercise_id, exc)
            return refusal(503, "check.error.service_setup", exercise=exercise_id)
        answers = parse_answers(exercise_id, body)
        if isinstance(answers, Reply):
            return answers
        verdict: dict[str, str] = dict(self_check(exercise_id, answers, rules))
        retry: dict[str, int] = {}
        counted: dict[str, bool] = {}
        for item_id, status in verdict.items():
            if rules.get(item_id, {}).get("check") not in COUNTED_RULES or status == "blank":
                continue
            key, identity = (user, exercise_id, item_id), attempt_identity(item_id, rules, answers)
            wait = self.limiter.retry_after(key, identity)
            if wait is not None:
                verdict[item_id], retry[item_id] = "limited", wait
            else:
                counted[item_id] = self.limiter.record(key, identity)
        self._log(user, exercise_id, verdict, counted)
        return Reply(200, {
            "exercise": exercise_id, "items": verdict, "retry_after": retry,
            "instructor": list(instructor_items(exercise_id, rules)),
            "limit": {"per_item": self.limits.per_item, "window_minutes": math.ceil(self.limits.window_s / 60)},
        })

    def _log(self, user: str, exercise_id: str, verdict: dict[str, str], counted: dict[str, bool]) -> None:
        at = dt.datetime.fromtimestamp(self.clock(), dt.UTC).isoformat(timespec="milliseconds")
        check_id = uuid.uuid4().hex[:16]
        records = [{"time": at, "check": check_id, "user": user, "exercise": exercise_id, "item": item_id,
                    "status": status, "counted": counted.get(item_id, False)}
                   for item_id, status in verdict.items() if status != "blank"]
        try:
            self.log.append(records)
        except OSError as exc:  # the trainee still gets the answer; the instructor sees this in the hub's log
            log.error("cannot write the check log %s: %s", self.log.path, exc)


# ---- HTTP (tornado), authenticated by the hub ---------------------------------------------------

_TOKEN = re.compile(r"(?:token|bearer)\s+(\S+)", re.IGNORECASE)


class _JsonHandler(tornado.web.RequestHandler):
    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")

    def reply(self, reply: Reply) -> None:
        self.set_status(reply.status)
        self.finish(json.dumps(reply.payload, ensure_ascii=False))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.finish(json.dumps({"error": "check.error.service", "params": {}}))

    def check_xsrf_cookie(self) -> None:
        """Token-authenticated API: no cookies are read, so there is no cross-site form to guard against."""


class _AliveHandler(_JsonHandler):
    def get(self) -> None:
        self.reply(Reply(200, {"service": SERVICE_NAME}))


@tornado.web.stream_request_body
class _CheckHandler(_JsonHandler):
    """``POST <prefix>check/<exercise_id>``: authenticate with the hub, then check (the body is read only for a
    trainee the hub vouches for, and only up to ``MAX_BODY_BYTES``)."""

    def initialize(self, service: CheckService, auth: Any) -> None:
        self.service, self.auth = service, auth
        self.user: str | None = None
        self.body = bytearray()
        self.too_large = False

    async def prepare(self) -> None:
        if self.request.method != "POST":
            return  # tornado answers 405
        self.user = await self._authenticate()
        if self.user is None:
            return
        try:
            length = int(self.request.headers.get("Content-Length", "0"))
        except ValueError:
            length = 0
        if length > MAX_BODY_BYTES:
            self.reply(refusal(413, "check.error.too_large", limit=MAX_BODY_BYTES // 1024))

    def data_received(self, chunk: bytes) -> None:
        if self.user is None or self.too_large:
            return
        if len(self.body) + len(chunk) > MAX_BODY_BYTES:
            self.too_large, self.body = True, bytearray()
        else:
            self.body.extend(chunk)

    async def _authenticate(self) -> str | None:
        """The hub user whose token the request carries and who may use the service; otherwise a 403 (503 when
        the hub cannot be asked) has been sent and None is returned."""
        match = _TOKEN.fullmatch(self.request.headers.get("Authorization", "").strip())
        if not match:
            self.reply(refusal(403, "check.error.no_token"))
            return None
        try:
            model = await self.auth.user_for_token(match.group(1), sync=False)
        except Exception as exc:
            log.error("cannot ask the hub who this is: %s", exc)
            self.reply(refusal(503, "check.error.hub_unreachable"))
            return None
        if not isinstance(model, dict) or not isinstance(model.get("name"), str):
            self.reply(refusal(403, "check.error.bad_token"))
            return None
        try:
            allowed = model.get("kind", "user") == "user" and bool(self.auth.check_scopes(self.auth.access_scopes,
                                                                                           model))
        except (KeyError, TypeError, ValueError):
            allowed = False
        if not allowed:
            log.warning("%s %s lacks the scope %s", model.get("kind"), model["name"], sorted(self.auth.access_scopes))
            self.reply(refusal(403, "check.error.not_allowed"))
            return None
        return str(model["name"])

    def post(self, exercise_id: str) -> None:
        if self.too_large:
            self.reply(refusal(413, "check.error.too_large", limit=MAX_BODY_BYTES // 1024))
            return
        self.reply(self.service.check(self.user or "", exercise_id, bytes(self.body)))


def make_app(service: CheckService, auth: Any, prefix: str = f"/services/{SERVICE_NAME}/") -> tornado.web.Application:
    """The service's web application under ``prefix`` (JUPYTERHUB_SERVICE_PREFIX). ``auth`` is a
    ``jupyterhub.services.auth.HubAuth``: ``user_for_token``, ``access_scopes`` and ``check_scopes`` are used."""
    if not prefix.startswith("/"):
        prefix = "/" + prefix
    if not prefix.endswith("/"):
        prefix += "/"
    base = re.escape(prefix)
    return tornado.web.Application([
        (rf"{base}check/([^/]+)", _CheckHandler, {"service": service, "auth": auth}),
        (rf"{base}?", _AliveHandler),
    ], xsrf_cookies=False)


def make_hub_auth() -> Any:
    """JupyterHub's HubAuth, configured from the environment the hub gives its managed services; the scopes a
    token must carry default to ``access:services!service=<this service>``."""
    try:
        from jupyterhub.services.auth import HubAuth
    except ImportError as exc:
        raise KamError("check.service.no_jupyterhub") from exc
    auth = HubAuth()
    if not auth.access_scopes:  # run outside the hub (by hand): still demand the service's own scope
        auth.access_scopes = {f"access:services!service={os.environ.get('JUPYTERHUB_SERVICE_NAME') or SERVICE_NAME}"}
    return auth


# ---- the command: ``kam check-service`` ---------------------------------------------------------


def keys_folder(given: str | None = None) -> Path:
    """Where the service reads keys: ``--keys``, else ``KAM_KEYS``, else ``KAM_INSTRUCTOR_DIR/keys``, else the
    course's own (``grading.keys_dir``)."""
    from kamlib.grading import keys_dir

    return Path(given).expanduser() if given else keys_dir()


def log_file(given: str | None = None) -> Path:
    """Where the checks are logged: ``--log``, else ``KAM_INSTRUCTOR_DIR/checks.jsonl``; there is no default
    elsewhere (a log in a folder trainees can read would tell them each other's attempts)."""
    if given:
        return Path(given).expanduser()
    instructor = os.environ.get("KAM_INSTRUCTOR_DIR")
    if not instructor:
        raise KamError("check.service.no_log")
    return Path(instructor).expanduser() / LOG_NAME


def listen_address(port: int | None = None) -> tuple[str, int]:
    """Host and port from ``JUPYTERHUB_SERVICE_URL`` (the service's ``url`` in the hub's config); ``port`` wins."""
    from urllib.parse import urlsplit

    url = os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101")
    try:
        parts = urlsplit(url)
        host, default = parts.hostname or "127.0.0.1", parts.port
    except ValueError:
        raise KamError("check.service.bad_url", url=url) from None
    if parts.scheme != "http" or (port is None and default is None):
        raise KamError("check.service.bad_url", url=url)
    return host, port if port is not None else int(default or 0)


def run_service(keys: str | None = None, log_path: str | None = None, limits: Limits = Limits(),
                settings: str | None = None, port: int | None = None, lang: Lang = "zh") -> int:
    """Serve until stopped (the hub stops its managed services with SIGTERM)."""
    import asyncio

    from kamlib.i18n import t

    logging.basicConfig(level=logging.WARNING, format="[%(levelname)s %(asctime)s kam-check] %(message)s")
    log.setLevel(logging.INFO)  # our own lines; the libraries' only when they warn
    host, port = listen_address(port)
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX") or f"/services/{SERVICE_NAME}/"
    service = CheckService(keys_folder(keys), log_file(log_path), limits, Path(settings) if settings else None)
    auth = make_hub_auth()
    for exercise_id, problem in service.key_problems().items():
        log.warning("%s", t("check.service.key_problem", lang, exercise=exercise_id, problem=problem.message(lang)))

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):  # the hub stops its services with SIGINT, then SIGTERM;
            loop.add_signal_handler(signum, stop.set)  # a SIGINT ignored by whoever started the hub still counts
        server = make_app(service, auth, prefix).listen(port, address=host, max_body_size=2 * MAX_BODY_BYTES)
        log.info("%s", t("check.service.listening", lang, url=f"http://{host}:{port}{prefix}", keys=service.keys,
                         log=service.log.path, limit=limits.per_item, minutes=math.ceil(limits.window_s / 60)))
        await stop.wait()
        server.stop()
        log.info("%s", t("check.service.stopped", lang))

    asyncio.run(serve())
    return 0
