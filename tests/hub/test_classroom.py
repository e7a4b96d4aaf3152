"""A real classroom on loopback: the hub of ``deploy/hub/jupyterhub_config.py`` with three throw-away trainees and
an instructor (``kamlib.hub.TrialClass``, what ``kam hub --trial 3`` runs), driven as the class would.

Servers are spawned through the REST API; a trainee logs in through the login form in Chromium, gets the start
page's widgets, asks the self-check service (right / not yet) and submits exercise 00; another trainee's uid tries
what the exchange forbids; the instructor grades the exchange with ``kam grade`` and releases feedback, which the
trainee then sees. Every account, process and file of the trial is removed at the end, pass or fail.

Needs root, configurable-http-proxy, the classroom environment (``deploy/install.sh``; ``KAM_HUB_VENV``, default
/opt/kam-trial/venv), Chromium and Playwright; skipped without them, except where ``KAM_HUB_TEST=required`` (CI),
where a skip would hide a broken classroom: there the test fails. Spawn times and the memory of a server with the
start page open are written to ``test-artifacts/hub/figures.json``.
"""

from __future__ import annotations

import json
import os
import shutil
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kamlib import server_config
from kamlib.hub import INSTRUCTOR_ROLE, HubError, TrialClass, processes_of
from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.hub, pytest.mark.solutions]  # the trial takes the keys from solutions/keys

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "hub"
VENV = Path(os.environ.get("KAM_HUB_VENV") or "/opt/kam-trial/venv")
TIMEOUT = 60_000  # ms
TRAINEES = 3
FIGURES: dict[str, object] = {}


def _unavailable() -> str | None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "the classroom test creates Unix accounts: it needs root"
    if shutil.which("configurable-http-proxy") is None:
        return "configurable-http-proxy is not installed (npm install -g configurable-http-proxy)"
    if not (VENV / "bin" / "jupyterhub").is_file():
        return f"no classroom environment at {VENV} (deploy/install.sh --prefix {VENV} --source <hub bundle>)"
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    return None


@pytest.fixture(scope="module")
def trial() -> Iterator[TrialClass]:
    reason = _unavailable()
    if reason and os.environ.get("KAM_HUB_TEST") == "required":
        pytest.fail(f"the classroom test must run here: {reason}")
    if reason:
        pytest.skip(reason)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with TrialClass(TRAINEES, VENV, lang="en") as running:
        FIGURES["trial_start_s"] = round(time.perf_counter() - started, 1)
        uids = running.trial_uids()
        try:
            yield running
        finally:
            shutil.copy(running.hub_log, ARTIFACTS / "jupyterhub.log")
            (ARTIFACTS / "figures.json").write_text(json.dumps(FIGURES, indent=2) + "\n", encoding="utf-8")
    assert processes_of(uids) == [], "processes of the trial's accounts are left"
    for login in running.logins:
        with pytest.raises(KeyError):
            __import__("pwd").getpwnam(login.name)


@pytest.fixture(scope="module")
def browser(trial: TrialClass, chromium: object) -> object:
    return chromium


def _page(browser, name: str) -> Iterator[object]:
    """A browser window of one user; nothing may leave this machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 1400})
    outside: list[str] = []

    def leaving(route) -> None:
        outside.append(route.request.url)
        route.abort()

    context.route(lambda url: urlparse(url).hostname not in {"127.0.0.1", "localhost"}, leaving)
    page = context.new_page()
    try:
        yield page
    finally:
        if not page.is_closed():
            page.screenshot(path=str(ARTIFACTS / f"last-page-{name}.png"), full_page=True)
        context.close()
    assert outside == [], f"requests left this machine: {outside}"


@pytest.fixture(scope="module")
def trainee_page(browser) -> Iterator[object]:
    yield from _page(browser, "trainee1")


def _log_in(trial: TrialClass, page, name: str) -> None:
    login = _login(trial, name)
    page.goto(f"{trial.url}/hub/login")
    page.locator("#username_input").fill(login.name)
    page.locator("#password_input").fill(login.password)
    page.locator("#login_submit").click()


def _login(trial: TrialClass, name: str) -> object:
    return next(login for login in trial.logins if login.name == name)


def _memory(uid: int) -> dict[str, object]:
    """RSS and PSS (MiB) of every process of one account (its server and kernels), each and summed."""
    each = {}
    for pid in processes_of({uid}):
        try:
            rollup = {name: rest for name, _, rest in
                      (line.partition(":") for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines())
                      if name.isalpha()}
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        kind = "kernel" if b"ipykernel_launcher" in b" ".join(cmd) else Path(cmd[1].decode()).name if len(cmd) > 1 \
            else cmd[0].decode()
        each[f"{pid} {kind}"] = {k.lower() + "_mib": round(int(rollup[k].split()[0]) / 1024, 1) for k in ("Rss", "Pss")}
    return {"processes": each, "rss_mib": round(sum(m["rss_mib"] for m in each.values()), 1),
            "pss_mib": round(sum(m["pss_mib"] for m in each.values()), 1)}


def _named(uid: int, name: str) -> list[int]:
    """The processes of one account running the program ``name``."""
    found = []
    for pid in processes_of({uid}):
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() == name:
                found.append(pid)
        except OSError:
            continue
    return found


def _uid(name: str) -> int:
    import pwd

    return pwd.getpwnam(name).pw_uid


# ---- the tests, in the order a class goes -------------------------------------------------------------------------


def test_servers_spawn_through_the_rest_api_each_as_its_own_account(trial: TrialClass) -> None:
    times = {}
    for name in [*trial.trainees, trial.instructor]:
        times[name] = round(trial.spawn(name), 2)
        status, model = trial.api("GET", f"/users/{name}")
        assert status == 200
        pid = model["servers"][""]["state"]["pid"]
        assert Path(f"/proc/{pid}").stat().st_uid == _uid(name) != 0  # never root
    FIGURES["spawn_s"] = times
    status, group = trial.api("GET", f"/groups/{trial.instructors_group}")
    assert group["users"] == [trial.instructor] and group["roles"] == [INSTRUCTOR_ROLE]
    status, model = trial.api("GET", "/users/trainee1")
    assert not model["admin"] and model["roles"] == ["user"] and model["groups"] == []
    home = Path(__import__("pwd").getpwnam("trainee1").pw_dir)
    assert (home.stat().st_mode & 0o077) == 0 and (home / "kam").is_dir()  # a trainee's home is theirs alone


def test_root_never_gets_a_server(trial: TrialClass) -> None:
    status, _ = trial.api("POST", "/users/root")
    if status in (200, 201):  # the hub let the admin add it: the spawn must be refused, with the reason
        try:
            with pytest.raises(HubError):
                trial.spawn("root", timeout=20)
            assert "a server of the class never runs as root" in trial.log_tail(200)
        finally:
            trial.api("DELETE", "/users/root/server")
            trial.api("DELETE", "/users/root")
    for pid in processes_of({0}):  # no server of anyone runs as root
        try:
            assert b"jupyterhub-singleuser" not in Path(f"/proc/{pid}/cmdline").read_bytes()
        except FileNotFoundError:
            continue


def test_trainee_logs_in_sees_the_start_page_checks_and_submits(trial: TrialClass, trainee_page) -> None:
    page = trainee_page
    started = time.perf_counter()
    _log_in(trial, page, "trainee1")
    page.get_by_role("heading", name="Key Account Development and Management · Workbook").first.wait_for(
        timeout=TIMEOUT)
    page.locator(".widget-toggle-button").first.wait_for(timeout=TIMEOUT)  # the widgets are live
    FIGURES["login_to_widgets_s"] = round(time.perf_counter() - started, 2)
    assert "/user/trainee1/voila/render/notebooks/00_start_here.ipynb" in page.url
    trainee_id = page.locator(".widget-text", has_text="Trainee ID").locator("input")
    assert trainee_id.input_value() == "trainee1" and trainee_id.is_disabled()  # the hub says who this is
    time.sleep(2)  # the page settles before it is measured
    FIGURES["trainee_with_start_page"] = _memory(_uid("trainee1"))
    runtime = trial.settings.runtime / "trainee1"  # the server's own, with its kernels' sockets: no TCP port to share
    assert (runtime.stat().st_mode & 0o777) == 0o700 and runtime.stat().st_uid == _uid("trainee1")
    connections = [json.loads(p.read_text()) for p in runtime.glob("kernel-*.json")]
    assert connections and {c["transport"] for c in connections} == {"ipc"}
    page.locator(".widget-text", has_text="Name").first.locator("input").fill("Trainee One")
    page.get_by_role("button", name="Create / open my workbook").click()
    page.get_by_text("Your workbook has been created").wait_for(timeout=TIMEOUT)

    reply = page.goto(f"{trial.url}/user/trainee1/voila/render/exercises/ex00_warmup.ipynb")
    assert reply.headers.get("content-security-policy") == server_config.CSP  # the class's server config is in force
    page.locator(".widget-radio-box").first.wait_for(timeout=TIMEOUT)
    page.get_by_text("Chapter 1 Key account screening", exact=True).first.click()  # right
    page.get_by_text("User (using unit)", exact=True).first.click()  # not yet
    page.get_by_role("button", name="Self-check").click()
    page.get_by_text("Self-check: 1 right, 1 not yet right").wait_for(timeout=TIMEOUT)
    assert page.get_by_text("✔ right", exact=True).count() == 1  # q1, from the service's verdict
    assert page.get_by_text("⚠ not yet: think again", exact=True).count() == 1  # q2
    page.get_by_role("button", name="Submit").click()
    page.get_by_text("Submitted:").first.wait_for(timeout=TIMEOUT)
    assert not page.get_by_text("Traceback").count()

    log = trial.settings.instructor_dir / "checks.jsonl"  # the service (instructors' side) logged the check
    statuses = {r["item"]: r["status"] for r in map(json.loads, log.read_text().splitlines())
                if r["user"] == "trainee1"}
    assert statuses["q1"] == "correct" and statuses["q2"] == "not_yet"
    files = list((trial.settings.exchange / "inbound" / "trainee1").glob("ex00-*.json"))
    assert len(files) == 1 and (files[0].stat().st_mode & 0o777) == 0o640
    assert files[0].stat().st_uid == _uid("trainee1")


PROBES = textwrap.dedent('''
    import json, os, sys
    from pathlib import Path
    exchange, instructor, other = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
    out = {}
    def attempt(name, action):
        try:
            action()
            out[name] = "allowed"
        except PermissionError:
            out[name] = "denied"
        except Exception as exc:
            out[name] = f"{type(exc).__name__}: {exc}"[:200]
    inbox = exchange / "inbound" / other
    attempt("list inbound", lambda: os.listdir(exchange / "inbound"))
    attempt("list outbound", lambda: os.listdir(exchange / "outbound"))
    attempt("list other inbox", lambda: os.listdir(inbox))
    attempt("read other submission", lambda: open(next(iter(sys.argv[4:])), "rb").read())
    attempt("write other inbox", lambda: open(inbox / "ex00-20990101T000000000000Z.json", "x").write("{}"))
    attempt("read other feedback", lambda: open(exchange / "outbound" / other / "feedback.html").read())
    attempt("list instructors folder", lambda: os.listdir(instructor))
    attempt("read keys", lambda: [open(p).read() for p in (instructor / "keys").glob("*.toml")] or 1 / 0)
    attempt("read a key by name", lambda: open(instructor / "keys" / "ex00.toml").read())
    attempt("read other workbook", lambda: os.listdir(Path(os.environ["HOME"]).parent / other / "kam"))
    attempt("change the course", lambda: open(Path(os.environ["KAM_COURSE"]) / "notebooks" / "x.ipynb", "x"))
    from kamlib.model import Trainee
    from kamlib.submission import Submission, write_submission
    forged = Submission(exercise_id="ex00", trainee=Trainee(id=other, name="forged"), answers={})
    attempt("submit as the other", lambda: write_submission(forged))
    out["check data"] = [str(p) for p in Path(os.environ["KAM_COURSE"]).rglob("*.check.json")]
    import kamlib
    out["check data"] += [str(p) for p in Path(kamlib.__file__).parent.rglob("*.check.json")]
    out["key settings"] = sorted(k for k in os.environ if k in ("KAM_KEYS", "KAM_INSTRUCTOR_DIR"))
    print(json.dumps(out))
''')


def _probe(trial: TrialClass, user: str, other: str) -> dict[str, object]:
    submission = sorted((trial.settings.exchange / "inbound" / other).glob("ex00-*.json"))
    done = trial.run_as(user, [str(trial.venv / "bin" / "python"), "-c", PROBES, str(trial.settings.exchange),
                               str(trial.settings.instructor_dir), other, *map(str, submission)])
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_another_trainee_can_reach_nothing_of_trainee1_nor_any_key(trial: TrialClass) -> None:
    found = _probe(trial, "trainee2", "trainee1")
    denied = {k: v for k, v in found.items() if isinstance(v, str)}
    forged = denied.pop("submit as the other")
    assert denied == dict.fromkeys(denied, "denied"), denied
    assert forged.startswith("GradingError")  # the hub user is the only id that submits
    assert found["check data"] == [] and found["key settings"] == []
    assert not list((trial.settings.exchange / "inbound" / "trainee1").glob("ex00-2099*"))


def test_instructor_grades_the_exchange_and_releases_feedback(trial: TrialClass) -> None:
    kam = str(trial.venv / "bin" / "kam")
    graded = trial.run_as(trial.instructor, [kam, "--lang", "en", "grade", "--exchange"])
    assert graded.returncode == 0, graded.stderr + graded.stdout
    assert "New submissions read: 1" in graded.stdout and "Graded: results 1, trainees 1" in graded.stdout
    released = trial.run_as(trial.instructor, [kam, "--lang", "en", "feedback", "--no-charts", "--release"])
    assert released.returncode == 0, released.stderr + released.stdout
    page = trial.settings.exchange / "outbound" / "trainee1" / "feedback.html"
    assert page.is_file()
    shutil.copy(page, ARTIFACTS / "feedback-trainee1.html")
    assert "Trainee One" in page.read_text(encoding="utf-8")  # the page of that trainee's submission
    gradebook = trial.settings.instructor_dir / "gradebook"
    assert gradebook.is_dir() and gradebook.stat().st_gid == __import__("grp").getgrnam(
        trial.instructors_group).gr_gid
    found = _probe(trial, trial.instructor, "trainee1")
    assert found["list inbound"] == "allowed" and found["read other submission"] == "allowed"
    assert found["write other inbox"] == "denied"  # instructors read submissions, never write into a trainee's
    assert found["read keys"] == "allowed"


def test_trainee_sees_the_feedback_and_the_other_trainee_does_not(trial: TrialClass, trainee_page) -> None:
    page = trainee_page
    page.goto(f"{trial.url}/user/trainee1/voila/render/notebooks/00_start_here.ipynb")
    page.get_by_text("Feedback from your instructor").first.wait_for(timeout=TIMEOUT)
    assert _probe(trial, "trainee2", "trainee1")["read other feedback"] == "denied"
    token = trial.api("POST", "/users/trainee1/tokens", {"expires_in": 600})[1]["token"]
    assert _kernels(trial, "trainee1", token)  # the start page's
    page.locator(".widget-toggle-button").first.wait_for(timeout=TIMEOUT)  # the page is live (its kernel connected)
    page.close(run_before_unload=True)  # the trainee closes the tab: its kernel is shut down at once, not at culling
    started = time.perf_counter()
    while (left := _kernels(trial, "trainee1", token)) and time.perf_counter() - started < 15:
        time.sleep(0.2)
    FIGURES["hub_tab_closed_to_kernel_gone_s"] = round(time.perf_counter() - started, 2)
    assert left == [], "the page's kernel stayed after the trainee left the page"


def _kernels(trial: TrialClass, user: str, token: str) -> list[object]:
    import urllib.request

    request = urllib.request.Request(f"{trial.url}/user/{user}/api/kernels",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30) as reply:
        return json.loads(reply.read())


def test_instructor_watches_and_stops_servers_but_cannot_enter_one(trial: TrialClass) -> None:
    status, reply = trial.api("POST", f"/users/{trial.instructor}/tokens", {"expires_in": 600, "note": "test"})
    token = reply["token"]
    status, users = trial.api("GET", "/users", token=token)
    assert status == 200 and {u["name"] for u in users} >= set(trial.trainees)
    assert trial.api("POST", "/users/trainee1/tokens", {"expires_in": 60}, token=token)[0] == 403
    assert trial.api("DELETE", "/users/trainee3/server", token=token)[0] in (202, 204)  # stop a server
    import urllib.error
    import urllib.request

    request = urllib.request.Request(f"{trial.url}/user/trainee1/api/contents",
                                     headers={"Authorization": f"token {token}"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30)
    assert refused.value.code in (403, 404)


def test_instructor_logs_in_to_the_class_dashboard(trial: TrialClass, browser) -> None:
    for page in _page(browser, "instructor"):
        _log_in(trial, page, trial.instructor)
        page.locator(".jp-Notebook:visible").first.wait_for(timeout=TIMEOUT)
        page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=TIMEOUT)  # its kernel is ready
        assert "/user/instructor/lab/tree/instructor/dashboard.ipynb" in page.url
        assert not page.get_by_text("Jupyter news").count(), "the class's JupyterLab settings are not in force"
        listing = trial.run_as(trial.instructor, ["ls", str(trial.settings.instructor_dir)]).stdout.split()
        assert {"instructor", "keys", "notebooks", "exercises", "gradebook"} <= set(listing)
    # JupyterLab's terminal (where kam grade runs) starts a shell, though the account has no login shell
    token = trial.api("POST", f"/users/{trial.instructor}/tokens", {"expires_in": 600})[1]["token"]
    import urllib.request

    request = urllib.request.Request(f"{trial.url}/user/{trial.instructor}/api/terminals", data=b"", method="POST",
                                     headers={"Authorization": f"token {token}"})
    with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=30) as reply:
        assert reply.status == 200
    deadline = time.monotonic() + 10
    while not _named(_uid(trial.instructor), "bash") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _named(_uid(trial.instructor), "bash"), "no shell started for the instructor's terminal"
