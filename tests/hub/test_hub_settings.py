"""The classroom hub's configuration without a hub: its settings, what each server is told, its services and roles,
and the shipped settings file (these run everywhere; the real hub is ``test_classroom.py``)."""

from __future__ import annotations

import dataclasses
import subprocess
from pathlib import Path

import pytest

from kamlib import hub
from kamlib.hub import CHECK_SERVICE, HubError, HubSettings, settings_from_env

ROOT = Path(__file__).resolve().parents[2]
ENV_FILE = ROOT / "deploy" / "hub" / "kam-hub.env"
needs_deploy = pytest.mark.skipif(not ENV_FILE.is_file(), reason="the trainee bundle ships no deploy/")


def _env_file() -> dict[str, str]:
    pairs = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            pairs[name.strip()] = value.strip()
    return pairs


@needs_deploy
def test_the_shipped_settings_file_names_every_setting_with_its_default() -> None:
    pairs = _env_file()
    assert set(pairs) | {"KAM_HUB_ADMIN_TOKEN", "KAM_HUB_SSL_CERT", "KAM_HUB_SSL_KEY"} == set(hub._ENV)
    assert settings_from_env(pairs) == HubSettings(lang="zh")


def test_settings_come_from_the_environment() -> None:
    s = settings_from_env({"KAM_HUB_PORT": "443", "KAM_COURSE": "/srv/course", "KAM_HUB_SPAWNER": "systemd",
                           "KAM_HUB_MEM_LIMIT": "2G", "KAM_INSTRUCTORS_GROUP": "teachers", "KAM_LANG": "en"})
    assert (s.port, s.course, s.spawner, s.mem_limit, s.instructors_group, s.lang) == (
        443, Path("/srv/course"), "systemd", "2G", "teachers", "en")
    assert settings_from_env({}) == HubSettings()


def test_every_setting_not_accepted_is_named() -> None:
    with pytest.raises(HubError) as caught:
        settings_from_env({"KAM_HUB_PORT": "70000", "KAM_COURSE": "course", "KAM_HUB_SPAWNER": "docker",
                           "KAM_HUB_MEM_LIMIT": "lots", "KAM_TRAINEES_GROUP": "Class A", "KAM_HUB_SSL_CERT": "/c",
                           "KAM_HUB_CPU_LIMIT": "0"})
    message = caught.value.message("en")
    for name in ("KAM_HUB_PORT=70000", "KAM_COURSE=course", "KAM_HUB_SPAWNER=docker", "KAM_HUB_MEM_LIMIT=lots",
                 "KAM_TRAINEES_GROUP=Class A", "KAM_HUB_SSL_KEY", "KAM_HUB_CPU_LIMIT=0"):
        assert name in message
    assert "KAM_HUB_PORT" in caught.value.message("zh")


def test_the_trial_admin_token_is_refused_off_loopback() -> None:
    with pytest.raises(HubError) as caught:
        settings_from_env({"KAM_HUB_ADMIN_TOKEN": "x" * 64})  # every address
    assert "127.0.0.1" in caught.value.message("en")
    assert settings_from_env({"KAM_HUB_ADMIN_TOKEN": "x" * 64, "KAM_HUB_IP": "127.0.0.1"}).admin_token


def test_a_trainee_server_is_told_no_place_of_a_key() -> None:
    s = HubSettings()
    trainee = hub.user_environment(s, "li", Path("/home/li"), instructor=False)
    assert trainee["KAM_HOME"] == "/home/li/kam" and trainee["KAM_EXCHANGE"] == str(s.exchange)
    assert trainee["KAM_COURSE"] == str(s.course) and trainee["KAM_CHECK_URL"] == s.check_url
    assert trainee["KAM_SETTINGS"] == str(s.course / "course-settings.toml")  # the class's, not the trainee's
    assert not {"KAM_KEYS", "KAM_INSTRUCTOR_DIR", "KAM_SUBMISSIONS"} & set(trainee)
    assert all(str(s.instructor_dir) not in value for value in trainee.values())
    teacher = hub.user_environment(s, "wang", Path("/home/wang"), instructor=True)
    assert teacher["KAM_KEYS"] == str(s.keys) and teacher["KAM_INSTRUCTOR_DIR"] == str(s.instructor_dir)
    assert teacher["KAM_SUBMISSIONS"] == "/home/wang/kam/submissions"  # an instructor's tries never enter the class


def test_each_server_has_a_private_runtime_folder_and_its_kernels_use_unix_sockets(tmp_path: Path) -> None:
    import json
    import os
    import pwd

    s = HubSettings()
    env = hub.user_environment(s, "li", Path("/home/li"), instructor=False)
    assert env["JUPYTER_RUNTIME_DIR"] == "/run/kam/li"
    assert len(str(hub.kernel_socket_example(s.runtime))) <= hub.SOCKET_PATH_MAX
    hub.write_server_config(tmp_path / "jupyter")
    config = json.loads((tmp_path / "jupyter" / "jupyter_server_config.json").read_text())
    assert config["KernelManager"] == {"transport": "ipc"}  # no TCP ports for thirty servers to collide on
    from kamlib import server_config

    assert "KernelManager" not in server_config.server_config()  # kam lab (Windows too) keeps TCP
    me = pwd.getpwuid(os.getuid())
    folder = hub.prepare_runtime(tmp_path / "run", me)
    assert folder == tmp_path / "run" / me.pw_name and (folder.stat().st_mode & 0o777) == 0o700
    (tmp_path / "run" / "other").symlink_to(tmp_path)
    with pytest.raises(HubError):
        hub.prepare_runtime(tmp_path / "run", type("Account", (), {"pw_name": "other", "pw_uid": me.pw_uid,
                                                                       "pw_gid": me.pw_gid})())


def test_a_runtime_folder_too_long_for_a_socket_is_refused() -> None:
    with pytest.raises(HubError) as caught:
        settings_from_env({"KAM_HUB_RUNTIME": "/srv/" + "x" * 40})
    assert "KAM_HUB_RUNTIME" in caught.value.message("en") and "KAM_HUB_RUNTIME" in caught.value.message("zh")
    assert settings_from_env({"KAM_HUB_RUNTIME": "/run/class"}).runtime == Path("/run/class")


def test_services_and_roles() -> None:
    s = HubSettings()
    found = {svc["name"]: svc for svc in hub.services(s, Path("/opt/kam/venv"))}
    assert set(found) == {CHECK_SERVICE, "idle-culler"}  # no admin token off the trial
    check = found[CHECK_SERVICE]
    assert check["command"] == ["/opt/kam/venv/bin/kam", "check-service"] and check["user"] == "kam-check"
    assert check["url"] == "http://127.0.0.1:10101" and s.check_url.startswith(check["url"] + "/services/kam-check/")
    assert check["environment"]["KAM_KEYS"] == str(s.keys)
    assert found["idle-culler"]["user"] == "nobody" and "--timeout=3600" in found["idle-culler"]["command"]
    roles = {r["name"]: r for r in hub.roles(s)}
    assert f"access:services!service={CHECK_SERVICE}" in roles["user"]["scopes"]
    instructors = roles[hub.INSTRUCTOR_ROLE]
    assert instructors["groups"] == ["kam-instructors"] and "servers" in instructors["scopes"]
    # they watch, start and stop servers; they cannot enter one or act in a trainee's name
    assert not {"access:servers", "tokens", "admin:users", "admin:servers"} & set(instructors["scopes"])
    assert "admin" not in roles  # nobody is admin on a real server
    assert set(roles["idle-culler"]["scopes"]) == {"list:users", "read:users:activity", "read:servers",
                                                    "delete:servers"}
    trial = dataclasses.replace(s, ip="127.0.0.1", admin_token="t" * 64)
    assert hub.roles(trial)[-1] == {"name": "admin", "services": [hub.TRIAL_SERVICE]}
    assert any(svc.get("api_token") == "t" * 64 for svc in hub.services(trial, Path("/v")))


def test_a_course_with_self_check_data_or_instructor_material_is_refused(tmp_path: Path) -> None:
    course = tmp_path / "course"
    (course / "notebooks").mkdir(parents=True)
    (course / "notebooks" / "00_start_here.ipynb").write_text("{}")
    (course / "solutions").mkdir()
    (course / "kamlib" / "exercises").mkdir(parents=True)
    (course / "kamlib" / "exercises" / "ex00.check.json").write_text("{}")
    assert hub.check_data_files(course) == [course / "kamlib" / "exercises" / "ex00.check.json"]
    if hub.os.geteuid() == 0:
        found = hub.startup_problems(HubSettings(course=course, instructors_group="root", trainees_group="root",
                                                 check_user="root"), tmp_path / "venv")
        keys = [text.key for text in found]
        assert "hub.problem.instructor_material" in keys and "hub.problem.check_data" in keys
    else:
        assert [text.key for text in hub.startup_problems(HubSettings(), tmp_path)] == ["hub.problem.not_root"]


@needs_deploy
def test_install_script_explains_what_it_needs(tmp_path: Path) -> None:
    script = ROOT / "deploy" / "install.sh"
    done = subprocess.run([str(script), "--prefix", str(tmp_path / "venv")], capture_output=True, text=True)
    assert done.returncode == 2 and "--source is needed" in done.stderr
    done = subprocess.run([str(script), "--prefix", str(tmp_path / "v"), "--source", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "holds no kamlib" in done.stderr
    assert not (tmp_path / "v").exists()
