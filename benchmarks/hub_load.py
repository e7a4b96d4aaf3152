"""A class on one hub, measured: N simulated trainees (default 10) log in at once and open the app.

    sudo .venv/bin/python benchmarks/hub_load.py [--trainees 10] [--chapter notebooks/01_key_account_screening.ipynb]

Starts a local trial class (``kamlib.hub.TrialClass``, as ``kam hub --trial N``: loopback only, throw-away accounts,
all removed at the end, pass or fail; needs root, as the trial does), then every trainee, all at once as a class
does:

1. spawns through the hub's REST API (POST ``/hub/api/users/<name>/server``, then until the hub says ready);
2. opens the start page in the app: the Voila render (the page's notebook executes in its kernel), then the
   kernel's websocket and every widget's state, as the browser's widget manager asks for them (``request_states``);
3. registers on it (name typed, the button pressed: the workbook is made, the page redrawn);
4. opens a chapter page the same way (with a workbook, so its forms show);
5. switches the start page's language six times (a comm ``update`` of the language buttons, as a click sends; the
   page redraws in the other language), timed until the kernel is idle again; then one trainee alone, for
   comparison.

Memory per trainee is summed over every process of the trainee's account (server and kernels), from
``/proc/<pid>/smaps_rollup``: RSS (what it holds) and PSS (its fair share of the pages it shares with the other
trainees, such as the Python libraries: the sum of PSS is what the class really uses). CPU per step: the CPU time
of each trainee's account (median) and of the hub's own processes (hub, proxy, services), which other work on the
machine does not disturb, besides the whole machine's (``/proc/stat``) and the wall time. A trainee whose step
fails is listed and left out of the later steps. A table is printed and the figures are written to
``benchmarks/results/hub_load.json``. The load goes to 127.0.0.1 only, and every wait is bounded.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import pwd
import re
import statistics
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "hub_load.json"
START_PAGE = "notebooks/00_start_here.ipynb"
CHAPTER = "notebooks/01_key_account_screening.ipynb"
SPAWN_TIMEOUT_S = 180.0
PAGE_TIMEOUT_S = 180.0
REPLY_TIMEOUT_S = 120.0
ROUND_TRIPS = 3
_PAGE_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>', re.S)
_MIB = 1024


# ---- memory and CPU, from /proc -----------------------------------------------------------------------


@dataclass
class Memory:
    """What a set of processes holds: RSS and PSS in MiB, and how many processes."""

    rss_mib: float = 0.0
    pss_mib: float = 0.0
    processes: int = 0

    def __add__(self, other: Memory) -> Memory:
        return Memory(self.rss_mib + other.rss_mib, self.pss_mib + other.pss_mib, self.processes + other.processes)


def process_memory(pid: int) -> Memory:
    """RSS and PSS of one process (``smaps_rollup``); nothing when it is gone or unreadable."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                name, _, rest = line.partition(":")
                if name in ("Rss", "Pss"):
                    kib = int(rest.split()[0])
                    rss, pss = (kib, pss) if name == "Rss" else (rss, kib)
    except (OSError, ValueError, IndexError):
        return Memory()
    return Memory(rss / _MIB, pss / _MIB, 1)


def pids() -> Iterator[int]:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            yield int(entry.name)


def uid_of(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}").st_uid
    except OSError:
        return None


def memory_of_uid(uid: int) -> Memory:
    """Every process of one account: a trainee's server and kernels, on a hub with one account per trainee."""
    total = Memory()
    for pid in pids():
        if uid_of(pid) == uid:
            total = total + process_memory(pid)
    return total


def children(pid: int) -> list[int]:
    """The process tree under ``pid`` (``pid`` included)."""
    parent: dict[int, list[int]] = {}
    for p in pids():
        try:
            with open(f"/proc/{p}/stat", encoding="utf-8", errors="replace") as fh:
                ppid = int(fh.read().rpartition(")")[2].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        parent.setdefault(ppid, []).append(p)
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(parent.get(p, []))
    return tree


def process_cpu(pid: int) -> float:
    """CPU seconds a process has used, with those of its children that have ended."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as fh:
            fields = fh.read().rpartition(")")[2].split()
        return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime stime cutime cstime
    except (OSError, ValueError, IndexError):
        return 0.0


def cpu_of_uid(uid: int) -> float:
    """CPU seconds used so far by the live processes of one account (a trainee's server and kernels)."""
    return sum(process_cpu(pid) for pid in pids() if uid_of(pid) == uid)


def cpu_seconds() -> float:
    """CPU time the whole machine has spent busy so far (all cores; user, nice, system, irq, softirq, steal)."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = fh.readline().split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


# ---- the hub's REST API ------------------------------------------------------------------------------------


class Hub:
    """The hub's REST API with an admin token."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.http = AsyncHTTPClient(max_clients=200)

    async def api(self, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
        request = HTTPRequest(
            f"{self.url}/hub/api{path}", method=method, headers={"Authorization": f"token {self.token}"},
            body=None if body is None and method == "GET" else json.dumps(body or {}), request_timeout=60,
            allow_nonstandard_methods=True)
        try:
            reply = await self.http.fetch(request)
        except HTTPClientError as exc:
            body = exc.response.body[:300] if exc.response else b""
            raise RuntimeError(f"{method} {path}: HTTP {exc.code} {body!r}") from None
        return reply.code, json.loads(reply.body) if reply.body else None

    async def spawn(self, user: str) -> float:
        """Start a user's server and wait until the hub says it is ready; seconds taken."""
        start = time.perf_counter()
        await self.api("POST", f"/users/{quote(user)}/server")
        deadline = start + SPAWN_TIMEOUT_S
        while time.perf_counter() < deadline:
            _, model = await self.api("GET", f"/users/{quote(user)}")
            server = (model.get("servers") or {}).get("", {})
            if server.get("ready"):
                return time.perf_counter() - start
            await asyncio.sleep(0.1)
        raise TimeoutError(f"{user}'s server was not ready after {SPAWN_TIMEOUT_S:.0f} s")

    async def stop(self, user: str) -> None:
        with contextlib.suppress(Exception):
            await self.api("DELETE", f"/users/{quote(user)}/server")

    async def user_token(self, user: str) -> str:
        """A token of the user's own (what the browser's login gives), to open their pages."""
        _, model = await self.api("POST", f"/users/{quote(user)}/tokens",
                                  {"note": "load benchmark", "expires_in": 3600})
        return str(model["token"])


# ---- one page of the app ----------------------------------------------------------------------------------


def _message(msg_type: str, content: dict[str, Any], session: str, channel: str = "shell",
             metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "bench", "session": session,
                       "date": dt.datetime.now(dt.UTC).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": channel, "buffers": []}


def decode_frame(frame: str | bytes) -> dict[str, Any]:
    """A kernel message from the server's websocket: JSON text, or binary with buffers (the JSON part first)."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 + 4 * i: 8 + 4 * i], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0]:end].decode("utf-8"))


@dataclass
class PageFigures:
    render_s: float = 0.0  # the Voila page, notebook executed, last byte received
    widgets_s: float = 0.0  # then the websocket and every widget's state
    widgets: int = 0


@dataclass
class Page:
    """A page of the app held open as a browser holds it: its kernel's websocket stays connected."""

    path: str
    kernel_id: str
    ws: WebSocketClientConnection
    session: str
    states: dict[str, Any] = field(default_factory=dict)
    figures: PageFigures = field(default_factory=PageFigures)

    async def send(self, msg: dict[str, Any]) -> str:
        await self.ws.write_message(json.dumps(msg))
        return str(msg["header"]["msg_id"])

    async def until(self, done: Callable[[dict[str, Any]], bool], timeout: float = REPLY_TIMEOUT_S
                    ) -> list[dict[str, Any]]:
        """Read messages until ``done`` says so; every message read is returned."""
        seen: list[dict[str, Any]] = []

        async def read() -> None:
            while True:
                frame = await self.ws.read_message()
                if frame is None:
                    raise ConnectionError(f"the kernel's websocket closed ({self.path})")
                msg = decode_frame(frame)
                seen.append(msg)
                if done(msg):
                    return

        await asyncio.wait_for(read(), timeout)
        return seen

    async def request_states(self) -> dict[str, Any]:
        """What ipywidgets' manager does when a page loads: open the control comm and ask every widget's state."""
        comm_id = uuid.uuid4().hex
        await self.send(_message("comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control",
                                               "data": {}}, self.session, metadata={"version": "1.0.0"}))
        await self.send(_message("comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}},
                                 self.session))

        def states(msg: dict[str, Any]) -> bool:
            data = msg.get("content", {}).get("data", {})
            return msg.get("msg_type") == "comm_msg" and data.get("method") == "update_states"

        reply = (await self.until(states))[-1]
        self.states = reply["content"]["data"]["states"]
        return self.states

    def language_buttons(self) -> str | None:
        """The start page's language choice: the toggle buttons offering English."""
        for model_id, model in self.states.items():
            state = model.get("state", {})
            if model.get("model_name") == "ToggleButtonsModel" and "English" in state.get("_options_labels", []):
                return model_id
        return None

    def registration(self) -> tuple[str, str, str] | None:
        """The start page's registration form: a box holding three text fields then a button (name, trainee id,
        team, save); their model ids: name field, id field, button."""
        for model in self.states.values():
            if model.get("model_name") != "VBoxModel":
                continue
            kids = [str(c).removeprefix("IPY_MODEL_") for c in model["state"].get("children", [])]
            names = [self.states.get(k, {}).get("model_name") for k in kids]
            for i in range(len(names) - 3):
                if names[i:i + 4] == ["TextModel", "TextModel", "TextModel", "ButtonModel"]:
                    return kids[i], kids[i + 1], kids[i + 3]
        return None

    async def _wait_idle(self, msg: dict[str, Any]) -> float:
        """Send a message and wait until the kernel has done all it does about it; seconds taken."""
        start = time.perf_counter()
        msg_id = await self.send(msg)

        def idle(reply: dict[str, Any]) -> bool:
            return (reply.get("msg_type") == "status" and reply["parent_header"].get("msg_id") == msg_id
                    and reply["content"].get("execution_state") == "idle")

        await self.until(idle)
        return time.perf_counter() - start

    async def set_state(self, model_id: str, state: dict[str, Any]) -> float:
        """A widget's value changed in the browser (a click on toggle buttons, text typed)."""
        return await self._wait_idle(_message("comm_msg", {"comm_id": model_id, "data": {
            "method": "update", "state": state, "buffer_paths": []}}, self.session))

    async def click(self, model_id: str) -> float:
        return await self._wait_idle(_message("comm_msg", {"comm_id": model_id, "data": {
            "method": "custom", "content": {"event": "click"}}}, self.session))

    async def round_trip(self, model_id: str, index: int) -> float:
        """Toggle buttons set to ``index`` as a click does, until the kernel is idle again."""
        return await self.set_state(model_id, {"index": index})

    async def register(self, name: str, trainee_id: str) -> float:
        """Fill in the registration (the id only where the page left it empty) and press the button; the
        seconds the button's round trip took (the workbook is created, the page redrawn)."""
        form = self.registration()
        if form is None:
            raise RuntimeError("the start page shows no registration form")
        name_field, id_field, button = form
        await self.set_state(name_field, {"value": name})
        if not self.states[id_field]["state"].get("value"):
            await self.set_state(id_field, {"value": trainee_id})
        return await self.click(button)

    def close(self) -> None:
        self.ws.close()


async def open_page(http: AsyncHTTPClient, server_url: str, token: str, path: str) -> Page:
    """Render a notebook in the app (Voila) and connect to its kernel as the page's JavaScript would."""
    headers = {"Authorization": f"token {token}"}
    start = time.perf_counter()
    reply = await http.fetch(HTTPRequest(f"{server_url.rstrip('/')}/voila/render/{path}", headers=headers,
                                         request_timeout=PAGE_TIMEOUT_S))
    render_s = time.perf_counter() - start
    found = _PAGE_CONFIG.search(reply.body.decode("utf-8", "replace"))
    if not found:
        raise RuntimeError(f"no page configuration in the rendered {path}")
    kernel_id = json.loads(found.group(1))["kernelId"]
    ws_url = re.sub(r"^http", "ws", f"{server_url.rstrip('/')}/api/kernels/{kernel_id}/channels")
    ws = await websocket_connect(HTTPRequest(ws_url, headers=headers, request_timeout=60), max_message_size=1 << 28)
    page = Page(path, kernel_id, ws, uuid.uuid4().hex)
    states = await page.request_states()
    page.figures = PageFigures(render_s, time.perf_counter() - start - render_s, len(states))
    return page


# ---- a trainee and the class ----------------------------------------------------------------------------


@dataclass
class Trainee:
    name: str
    uid: int | None
    server_url: str = ""
    token: str = ""
    spawn_s: float = 0.0
    pages: dict[str, Page] = field(default_factory=dict)
    memory: dict[str, Memory] = field(default_factory=dict)
    failed: bool = False
    cpu: float = 0.0  # CPU seconds of the account's processes at the last look

    def measure(self, phase: str) -> None:
        if self.uid is not None:
            self.memory[phase] = memory_of_uid(self.uid)

    def cpu_since(self) -> float:
        """CPU seconds the account used since the last call."""
        if self.uid is None:
            return 0.0
        now = cpu_of_uid(self.uid)
        used, self.cpu = now - self.cpu, now
        return used


def spread(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {"median": statistics.median(ordered), "p90": ordered[max(0, round(0.9 * len(ordered)) - 1)],
            "max": ordered[-1]} if ordered else {"median": 0.0, "p90": 0.0, "max": 0.0}


@dataclass
class Results:
    trainees: int
    cores: int
    memory_gib: float
    spawn_s: dict[str, float] = field(default_factory=dict)
    start_page_render_s: dict[str, float] = field(default_factory=dict)
    start_page_widgets_s: dict[str, float] = field(default_factory=dict)
    register_s: dict[str, float] = field(default_factory=dict)
    chapter_render_s: dict[str, float] = field(default_factory=dict)
    chapter_widgets_s: dict[str, float] = field(default_factory=dict)
    round_trip_under_load_s: dict[str, float] = field(default_factory=dict)
    round_trip_alone_s: float = 0.0
    memory_mib: dict[str, dict[str, float]] = field(default_factory=dict)  # phase -> rss/pss median and max
    class_pss_mib: dict[str, float] = field(default_factory=dict)  # phase -> sum over trainees
    hub_overhead_mib: dict[str, float] = field(default_factory=dict)
    cpu_s: dict[str, float] = field(default_factory=dict)  # phase -> machine CPU seconds
    trainee_cpu_s: dict[str, float] = field(default_factory=dict)  # phase -> median CPU s of a trainee's account
    hub_cpu_s: dict[str, float] = field(default_factory=dict)  # phase -> CPU s of the hub, proxy and services
    wall_s: dict[str, float] = field(default_factory=dict)  # phase -> wall seconds
    widgets_per_page: dict[str, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)  # trainee, step: what went wrong


async def run_class(hub: Hub, names: list[str], chapter: str, hub_pid: int | None = None,
                    say: Callable[[str], None] = lambda _line: None) -> Results:
    """The whole measurement on a running hub whose trainees are ``names``. A trainee whose step fails is
    reported (``Results.failures``) and left out of the later steps; the others go on."""
    trainees = [Trainee(n, _uid(n)) for n in names]
    res = Results(len(names), os.cpu_count() or 0, _machine_gib())
    http = AsyncHTTPClient(max_clients=200)
    uids = {t.uid for t in trainees}

    def active() -> list[Trainee]:
        return [t for t in trainees if not t.failed]

    def hub_cpu() -> float:  # the hub, the proxy and the services: the hub's process tree less the trainees'
        return sum(process_cpu(p) for p in children(hub_pid) if uid_of(p) not in uids) if hub_pid else 0.0

    async def phase(name: str, work: Callable[[Trainee], Awaitable[Any]]) -> list[Any]:
        """Every trainee still in at once; a phase run again (the round trips) adds up."""
        say(f"{name}: {len(active())} trainees at once")
        group = active()
        for t in group:
            t.cpu_since()
        cpu, wall, hub_before = cpu_seconds(), time.perf_counter(), hub_cpu()

        async def guarded(t: Trainee) -> Any:
            try:
                return await work(t)
            except Exception as exc:  # a failed trainee is a result, not the end of the run
                t.failed = True
                res.failures.append(f"{t.name}, {name}: {type(exc).__name__}: {str(exc)[:200]}")
                return None

        out = await asyncio.gather(*(guarded(t) for t in group))
        for table, value in ((res.cpu_s, cpu_seconds() - cpu), (res.wall_s, time.perf_counter() - wall),
                             (res.hub_cpu_s, hub_cpu() - hub_before),
                             (res.trainee_cpu_s, statistics.median(t.cpu_since() for t in group))):
            table[name] = table.get(name, 0.0) + value
        if not active():
            raise RuntimeError("every trainee failed: " + "; ".join(res.failures[-3:]))
        return [v for t, v in zip(group, out, strict=True) if not t.failed]

    async def spawn(t: Trainee) -> float:
        t.token = await hub.user_token(t.name)
        t.server_url = f"{hub.url}/user/{quote(t.name)}"
        return await hub.spawn(t.name)

    def pages(key: str) -> list[PageFigures]:
        return [t.pages[key].figures for t in active()]

    try:
        res.spawn_s = spread(await phase("spawn", spawn))
        await asyncio.sleep(2)  # the servers settle
        _snapshot(trainees, res, "server", hub_pid)

        async def start_page(t: Trainee) -> None:
            t.pages["start"] = await open_page(http, t.server_url, t.token, START_PAGE)

        await phase("start page", start_page)
        res.start_page_render_s = spread([f.render_s for f in pages("start")])
        res.start_page_widgets_s = spread([f.widgets_s for f in pages("start")])
        res.widgets_per_page["start"] = pages("start")[0].widgets
        _snapshot(trainees, res, "server + start page", hub_pid)

        async def register(t: Trainee) -> float:  # the workbook is made; the chapter page then shows its forms
            return await t.pages["start"].register(f"Trainee {t.name}", t.name)

        res.register_s = spread(await phase("register", register))

        async def chapter_page(t: Trainee) -> None:
            t.pages["chapter"] = await open_page(http, t.server_url, t.token, chapter)

        await phase("chapter page", chapter_page)
        res.chapter_render_s = spread([f.render_s for f in pages("chapter")])
        res.chapter_widgets_s = spread([f.widgets_s for f in pages("chapter")])
        res.widgets_per_page["chapter"] = pages("chapter")[0].widgets
        _snapshot(trainees, res, "server + start page + chapter", hub_pid)

        trips: list[float] = []
        for i in range(ROUND_TRIPS * 2):  # English, back to Chinese, …: each switch redraws the page

            async def switch(t: Trainee, index: int = (i + 1) % 2) -> float:
                buttons = t.pages["start"].language_buttons()
                if buttons is None:
                    raise RuntimeError("the start page shows no language buttons")
                return await t.pages["start"].round_trip(buttons, index)

            trips.extend(await phase(f"{ROUND_TRIPS * 2} language switches", switch))
        res.round_trip_under_load_s = spread(trips)
        alone = active()[0]
        buttons = alone.pages["start"].language_buttons() or ""
        res.round_trip_alone_s = statistics.median(
            [await alone.pages["start"].round_trip(buttons, (i + 1) % 2) for i in range(4)])
    finally:
        for t in trainees:
            for page in t.pages.values():
                page.close()
        await asyncio.gather(*(hub.stop(t.name) for t in trainees))
    return res


def _snapshot(trainees: list[Trainee], res: Results, phase: str, hub_pid: int | None) -> None:
    for t in trainees:
        if not t.failed:
            t.measure(phase)
    got = [t.memory[phase] for t in trainees if phase in t.memory and not t.failed]
    if got:
        res.memory_mib[phase] = {"rss_median": statistics.median(m.rss_mib for m in got),
                                 "rss_max": max(m.rss_mib for m in got),
                                 "pss_median": statistics.median(m.pss_mib for m in got),
                                 "pss_max": max(m.pss_mib for m in got),
                                 "processes_median": statistics.median(m.processes for m in got)}
        res.class_pss_mib[phase] = sum(m.pss_mib for m in got)
    if hub_pid is not None:
        trainee_uids = {t.uid for t in trainees}
        rest = Memory()
        for pid in children(hub_pid):
            if uid_of(pid) not in trainee_uids:
                rest = rest + process_memory(pid)
        res.hub_overhead_mib[phase] = rest.pss_mib


def _uid(user: str) -> int | None:
    try:
        return pwd.getpwnam(user).pw_uid
    except KeyError:
        return None


def _machine_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


# ---- the report ------------------------------------------------------------------------------------------------


def table(res: Results) -> str:
    """The figures as a plain-text table."""
    rows: list[tuple[str, str]] = [
        ("trainees / cores / memory", f"{res.trainees} / {res.cores} / {res.memory_gib:.0f} GiB"),
        ("spawn, all at once (s)", _fmt(res.spawn_s)),
        ("start page: render (s)", _fmt(res.start_page_render_s)),
        ("start page: widgets ready after (s)", _fmt(res.start_page_widgets_s)),
        ("registration round trip, all at once (s)", _fmt(res.register_s)),
        ("chapter page: render (s)", _fmt(res.chapter_render_s)),
        ("chapter page: widgets ready after (s)", _fmt(res.chapter_widgets_s)),
        ("widget round trip, all at once (s)", _fmt(res.round_trip_under_load_s)),
        ("widget round trip, one trainee alone (s)", f"{res.round_trip_alone_s:.2f}"),
    ]
    for phase, m in res.memory_mib.items():
        rows.append((f"per trainee, {phase}: RSS (MiB)", f"median {m['rss_median']:.0f}, max {m['rss_max']:.0f}"))
        rows.append((f"per trainee, {phase}: PSS (MiB)", f"median {m['pss_median']:.0f}, max {m['pss_max']:.0f}"
                     f" ({m['processes_median']:.0f} processes)"))
        rows.append((f"class, {phase}: PSS total (MiB)", f"{res.class_pss_mib[phase]:.0f}"))
    for phase, mib in res.hub_overhead_mib.items():
        rows.append((f"hub, proxy and services, {phase}: PSS (MiB)", f"{mib:.0f}"))
    for phase, cpu in res.cpu_s.items():
        rows.append((f"CPU s, {phase}: machine; a trainee; hub; wall s",
                     f"{cpu:.1f}; {res.trainee_cpu_s[phase]:.2f}; {res.hub_cpu_s[phase]:.2f}; {res.wall_s[phase]:.1f}"))
    rows.append(("trainees who could not go on", str(len(res.failures)) if res.failures else "none"))
    rows.extend((f"  {i + 1}", failure) for i, failure in enumerate(res.failures))
    width = max(len(name) for name, _ in rows)
    return "\n".join([f"{'measurement':<{width}}  value", "-" * (width + 40)]
                     + [f"{name:<{width}}  {value}" for name, value in rows])


def _fmt(s: dict[str, float]) -> str:
    return f"median {s['median']:.2f}, p90 {s['p90']:.2f}, max {s['max']:.2f}" if s else "—"


def write_results(res: Results, path: Path = RESULTS) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(res), indent=2) + "\n", encoding="utf-8")


# ---- the command ----------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--trainees", type=int, default=10, help="simulated trainees (default 10)")
    parser.add_argument("--chapter", default=CHAPTER, help=f"the chapter page each opens (default {CHAPTER})")
    args = parser.parse_args(argv)
    if not 1 <= args.trainees <= 60:
        parser.error("--trainees: 1 to 60")
    from kamlib.hub import TrialClass

    trial = TrialClass(args.trainees, say=lambda line: print(line, flush=True))
    trial.preflight()  # nothing made yet
    try:
        trial.start()
        assert trial.hub is not None
        pid = trial.hub.pid

        async def measure() -> Results:  # the hub's HTTP client made in the loop that uses it
            return await run_class(Hub(trial.url, trial.admin_token), trial.trainees, args.chapter, pid,
                                   say=lambda line: print(line, flush=True))

        res = asyncio.run(measure())
    except BaseException:
        print(trial.log_tail(40), file=sys.stderr)
        raise
    finally:
        left = trial.close()
        if left:
            print("not removed: " + "; ".join(left), file=sys.stderr)
    print(table(res))
    write_results(res)
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
