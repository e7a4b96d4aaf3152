"""The trainee's side of the classroom self-check: ask the hub's check service (``KAM_CHECK_URL``) with the
trainee's hub token. Nothing here reads a key or a digest; every failure is a ``CheckServiceError`` whose
message says, in the trainee's language, what happened and that the answers are saved."""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, Literal

from kamlib.errors import KamError
from kamlib.exercises import Answer, load_exercise

TIMEOUT_S = 5.0
MAX_BODY_BYTES = 256 * 1024  # as the service takes (kamlib.check_service.MAX_BODY_BYTES)
MAX_REPLY_BYTES = 256 * 1024
STATUSES = frozenset({"correct", "not_yet", "blank", "instructor", "too_short", "limited"})
RemoteStatus = Literal["correct", "not_yet", "blank", "instructor", "too_short", "limited"]
# The errors the service may answer with, and the parameters each takes: anything else is "a reply the workbook
# cannot read" (a proxy's page, another service, a newer version of it).
SERVICE_ERRORS: dict[str, frozenset[str]] = {
    "check.error.no_token": frozenset(),
    "check.error.bad_token": frozenset(),
    "check.error.not_allowed": frozenset(),
    "check.error.hub_unreachable": frozenset(),
    "check.error.too_large": frozenset({"limit"}),
    "check.error.bad_request": frozenset(),
    "check.error.too_many": frozenset({"seconds"}),
    "check.error.unknown_item": frozenset({"exercise", "item"}),
    "check.error.bad_answer": frozenset({"exercise", "item"}),
    "check.error.service_setup": frozenset({"exercise"}),
    "check.error.service": frozenset(),
    "grading.unknown_exercise": frozenset({"exercise"}),
    "grading.self_check_off": frozenset(),
}


class CheckServiceError(KamError):
    """The check service could not say right or not yet; the message says why (never a traceback)."""


@dataclasses.dataclass(frozen=True)
class RemoteCheck:
    """The service's answer: a status per item, the seconds to wait for items the rate limit held back, the
    items self-check never calls right (scored by the instructor), and the limit in force."""

    items: dict[str, RemoteStatus]
    retry_after: dict[str, int]
    instructor: tuple[str, ...]
    per_item: int
    window_minutes: int


def check_url() -> str:
    """The check service's address on a classroom hub (``KAM_CHECK_URL``); empty without a hub."""
    return os.environ.get("KAM_CHECK_URL", "").strip()


def _endpoint(base: str, exercise_id: str) -> str:
    parts = urllib.parse.urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CheckServiceError("check.client.bad_url", url=base[:200])
    return urllib.parse.urljoin(base if base.endswith("/") else base + "/", f"check/{exercise_id}")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The token goes to the address configured and nowhere else: a redirect is an error, not followed."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())  # the hub is ours: no proxy


def _service_error(status: int, body: bytes) -> CheckServiceError:
    """The refusal the service sent, or a plain one by its status when the body is not the service's."""
    try:
        data = json.loads(body.decode("utf-8"))
        key, params = data["error"], data.get("params", {})
        ok = (isinstance(key, str) and key in SERVICE_ERRORS and isinstance(params, dict)
              and set(params) == SERVICE_ERRORS[key]
              and all(isinstance(v, str | int) and not isinstance(v, bool) for v in params.values()))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        ok = False
    if ok:
        # ``details`` given (none), so no parameter the service names can be taken for it
        return CheckServiceError(key, None, **{k: str(v)[:80] for k, v in params.items()})
    if status in (401, 403):
        return CheckServiceError("check.error.not_allowed")
    if status >= 500:
        return CheckServiceError("check.client.unavailable", status=status)
    return CheckServiceError("check.client.refused", status=status)


def _read_reply(exercise_id: str, body: bytes) -> RemoteCheck:
    """The service's answer, checked: every item of the exercise with a known status, whole numbers elsewhere."""
    wanted = {i.id for i in load_exercise(exercise_id).items}
    try:
        data = json.loads(body.decode("utf-8"))
        items, retry = data["items"], data.get("retry_after", {})
        instructor, limit = data.get("instructor", []), data.get("limit", {})
        fine = (isinstance(items, dict) and set(items) == wanted and all(s in STATUSES for s in items.values())
                and isinstance(retry, dict) and all(k in wanted and _count(v) for k, v in retry.items())
                and isinstance(instructor, list) and all(i in wanted for i in instructor)
                and isinstance(limit, dict) and _count(limit.get("per_item", 1))
                and _count(limit.get("window_minutes", 1)))
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        fine = False
    if not fine:
        raise CheckServiceError("check.client.bad_reply")
    return RemoteCheck(items=dict(items), retry_after=dict(retry), instructor=tuple(instructor),
                       per_item=limit.get("per_item", 0), window_minutes=limit.get("window_minutes", 0))


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**7


def remote_check_reply(exercise_id: str, answers: Mapping[str, Answer], *, url: str | None = None,
                       token: str | None = None, timeout: float = TIMEOUT_S) -> RemoteCheck:
    """Ask the check service about ``answers`` (only the exercise's own items are sent)."""
    base = check_url() if url is None else url
    token = os.environ.get("JUPYTERHUB_API_TOKEN", "") if token is None else token
    if not token.strip():
        raise CheckServiceError("check.client.no_token")
    endpoint = _endpoint(base, exercise_id)
    items = {i.id for i in load_exercise(exercise_id).items}
    body = json.dumps({"answers": {k: v for k, v in answers.items() if k in items}}, ensure_ascii=False).encode()
    if len(body) > MAX_BODY_BYTES:
        raise CheckServiceError("check.error.too_large", limit=MAX_BODY_BYTES // 1024)
    request = urllib.request.Request(endpoint, data=body, method="POST", headers={
        "Authorization": f"token {token.strip()}", "Content-Type": "application/json", "Accept": "application/json"})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            reply = response.read(MAX_REPLY_BYTES + 1)
            status = response.status
    except urllib.error.HTTPError as exc:
        try:
            error_body = exc.read(MAX_REPLY_BYTES)
        except (OSError, http.client.HTTPException, AttributeError):
            error_body = b""
        finally:
            exc.close()
        raise _service_error(exc.code, error_body) from None
    except TimeoutError:
        raise CheckServiceError("check.client.timeout", seconds=f"{timeout:g}") from None
    except http.client.InvalidURL:
        raise CheckServiceError("check.client.bad_url", url=base[:200]) from None
    except http.client.HTTPException:  # not HTTP at all (another program on that port), or cut off
        raise CheckServiceError("check.client.bad_reply") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise CheckServiceError("check.client.timeout", seconds=f"{timeout:g}") from None
        raise CheckServiceError("check.client.unreachable", reason=str(reason)[:120]) from None
    if status != 200 or len(reply) > MAX_REPLY_BYTES:
        raise CheckServiceError("check.client.bad_reply")
    return _read_reply(exercise_id, reply)


def remote_check(exercise_id: str, answers: Mapping[str, Answer]) -> dict[str, RemoteStatus]:
    """Per item, the service's verdict ("limited": not checked now, see ``remote_check_reply`` for when)."""
    return remote_check_reply(exercise_id, answers).items
