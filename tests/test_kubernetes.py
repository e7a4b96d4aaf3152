"""The classroom beyond one server (deploy/kubernetes/): the single-user image's Dockerfile, the Zero to JupyterHub
values, the self-check service's manifest. No Kubernetes and no Docker engine here: the files are checked as
files (well-formed, only keys the chart knows, pinned base image, the one install script), and the hub hook that
decides what each pod mounts is run for real on a trainee, an instructor and hostile user names."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import yaml
from traitlets.config import Config

from kamlib import check_service, hub
from kamlib.intake import is_safe_name
from kamlib.release_scan import TRAINEE_DATA_DIRS, TRAINEE_DATA_FILES

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "kubernetes"
DOCKERFILE = K8S / "Dockerfile"
INSTALL = ROOT / "deploy" / "install.sh"
pytestmark = pytest.mark.skipif(not K8S.is_dir(), reason="deploy/ is not part of the trainee bundle")

# The keys of the chart's closed sections (no other key allowed there), from values.schema.yaml of the Zero to
# JupyterHub chart 4.4.0. Sections left out here are free-form in the chart (hub.config, hub.extraConfig,
# hub.services, hub.loadRoles, the extraEnv/extraVolumes lists, networkPolicy rules).
CHART_VERSION = "4.4.0"
CLOSED: dict[str, set[str]] = {
    "": {"cull", "custom", "debug", "enabled", "fullnameOverride", "global", "httpRoute", "hub", "imagePullSecret",
         "imagePullSecrets", "ingress", "nameOverride", "prePuller", "proxy", "rbac", "scheduling", "singleuser"},
    "hub": {"activeServerLimit", "allowNamedServers", "annotations", "args", "authenticatePrometheus", "baseUrl",
            "command", "concurrentSpawnLimit", "config", "consecutiveFailureLimit", "containerSecurityContext",
            "cookieSecret", "db", "deploymentStrategy", "existingSecret", "extraConfig", "extraContainers",
            "extraEnv", "extraFiles", "extraPodSpec", "extraVolumeMounts", "extraVolumes", "fsGid", "image",
            "initContainers", "labels", "lifecycle", "livenessProbe", "loadRoles", "namedServerLimitPerUser",
            "networkPolicy", "nodeSelector", "pdb", "podSecurityContext", "readinessProbe", "redirectToServer",
            "resources", "revisionHistoryLimit", "service", "serviceAccount", "services", "shutdownOnLogout",
            "templatePaths", "templateVars", "tolerations"},
    "singleuser": {"allowPrivilegeEscalation", "cloudMetadata", "cmd", "cpu", "defaultUrl", "events",
                   "extraAnnotations", "extraContainers", "extraEnv", "extraFiles", "extraLabels", "extraNodeAffinity",
                   "extraPodAffinity", "extraPodAntiAffinity", "extraPodConfig", "extraResource", "extraTolerations",
                   "fsGid", "image", "initContainers", "lifecycleHooks", "memory", "networkPolicy", "networkTools",
                   "nodeSelector", "podNameTemplate", "profileList", "serviceAccountName", "startTimeout", "storage",
                   "uid"},
    "singleuser.storage": {"capacity", "dynamic", "extraLabels", "extraVolumeMounts", "extraVolumes",
                           "homeMountPath", "static", "type"},
    "singleuser.memory": {"guarantee", "limit"},
    "singleuser.cpu": {"guarantee", "limit"},
    "singleuser.image": {"name", "pullPolicy", "pullSecrets", "tag"},
    "singleuser.networkPolicy": {"allowedIngressPorts", "egress", "egressAllowRules", "enabled", "ingress",
                                 "interNamespaceAccessLabels"},
    "cull": {"adminUsers", "concurrency", "enabled", "every", "maxAge", "removeNamedServers", "timeout", "users"},
    "prePuller": {"annotations", "containerSecurityContext", "continuous", "extraImages", "extraTolerations", "hook",
                  "labels", "pause", "pullProfileListImages", "resources", "revisionHistoryLimit"},
    "prePuller.hook": {"containerSecurityContext", "daemonsetAnnotations", "enabled", "image", "nodeSelector",
                       "podSchedulingWaitDuration", "pullOnlyOnChanges", "resources", "serviceAccount",
                       "serviceAccountImagePuller", "tolerations"},
    "prePuller.continuous": {"daemonsetAnnotations", "enabled", "serviceAccount"},
}
# Where a section of ours is a chart section the list above does not spell out, the test must say so (no silent
# pass for a typo in a section nobody listed).
REQUIRED = {"hub": {"baseUrl"}, "singleuser.storage": {"type", "homeMountPath"}, "singleuser.image": {"name", "tag"},
            "cull": {"enabled"}, "prePuller.hook": {"enabled"}, "prePuller.continuous": {"enabled"}}


def _values() -> dict[str, Any]:
    return yaml.safe_load((K8S / "config.yaml").read_text(encoding="utf-8"))


def _manifests() -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((K8S / "kam-check.yaml").read_text(encoding="utf-8")) if doc]


def _kind(kind: str) -> dict[str, Any]:
    (found,) = [m for m in _manifests() if m["kind"] == kind]
    return found


# ---- the chart's values ---------------------------------------------------------------------------------------


def _unknown_keys(values: dict[str, Any], prefix: str = "") -> list[str]:
    """Keys of ours that the chart's closed sections do not know; descends only into closed sections."""
    bad = []
    for key, value in values.items():
        path = f"{prefix}.{key}" if prefix else key
        if key not in CLOSED[prefix]:
            bad.append(path)
        elif path in CLOSED and isinstance(value, dict):
            bad.extend(_unknown_keys(value, path))
    return bad


def test_values_are_yaml_with_only_keys_the_chart_knows() -> None:
    values = _values()
    assert _unknown_keys(values) == []
    for section in ("hub", "singleuser", "cull", "prePuller"):
        assert section in values
    for path, keys in REQUIRED.items():
        node: Any = values
        for part in path.split("."):
            node = node.get(part, {})
        if path != "hub":  # the chart's own values give hub.baseUrl
            assert keys <= set(node), (path, keys)


def test_the_key_check_catches_a_misspelt_key() -> None:
    values = _values()
    values["singleuser"]["defaultURL"] = "/x"
    values["cull"]["timout"] = 60
    assert _unknown_keys(values) == ["singleuser.defaultURL", "cull.timout"]


def test_default_url_is_the_start_page_in_the_app() -> None:
    url = _values()["singleuser"]["defaultUrl"]
    assert url.startswith("/voila/render/")
    assert (ROOT / url.removeprefix("/voila/render/")).is_file()


def test_culling_memory_and_prepuller_are_set() -> None:
    values = _values()
    cull = values["cull"]
    assert cull["enabled"] is True and cull["users"] is False and 0 < cull["timeout"] <= 4 * 3600
    memory = values["singleuser"]["memory"]
    assert _bytes(memory["guarantee"]) <= _bytes(memory["limit"])
    assert _bytes(memory["limit"]) >= 1024**3  # every page of the course open is about 1 GiB (README figures)
    assert values["prePuller"]["hook"]["enabled"] and values["prePuller"]["continuous"]["enabled"]
    assert values["hub"]["config"]["JupyterHub"]["authenticator_class"] != "dummy"


def _bytes(spec: str) -> int:
    """JupyterHub's byte specification (K, M, G, T: powers of 1024), as KubeSpawner reads it."""
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]?)", str(spec)).groups()  # type: ignore[union-attr]
    return int(float(number) * 1024 ** " KMGT".index(unit or " "))


# ---- what each pod mounts --------------------------------------------------------------------------------------


def _expand(template: Any, user: str) -> Any:
    """KubeSpawner's expansion of ``{unescaped_username}`` in volumes and mounts."""
    if isinstance(template, dict):
        return {k: _expand(v, user) for k, v in template.items()}
    if isinstance(template, str):
        return template.replace("{unescaped_username}", user)
    return template


def _hook(monkeypatch: pytest.MonkeyPatch, exchange: Path) -> Any:
    """The hub's pre-spawn hook, from hub.extraConfig, as the chart's hub config runs it."""
    monkeypatch.setenv("KAM_EXCHANGE", str(exchange))
    c = Config()
    for _key, code in sorted(_values()["hub"]["extraConfig"].items()):
        exec(compile(code, "hub.extraConfig", "exec"), {"c": c})
    return c.KubeSpawner.pre_spawn_hook


def _spawner(name: str, groups: tuple[str, ...] = ()) -> SimpleNamespace:
    storage = _values()["singleuser"]["storage"]
    home = {"volume-{user_server}": {"name": "volume-{user_server}", "mountPath": storage["homeMountPath"]}}
    user = SimpleNamespace(name=name, groups=[SimpleNamespace(name=g) for g in groups])
    return SimpleNamespace(user=user, volumes=dict(storage["extraVolumes"]),
                           volume_mounts={**home, **storage["extraVolumeMounts"]}, environment={}, mem_limit=None)


def test_a_trainee_mounts_only_their_own_exchange_folders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hook, spawner = _hook(monkeypatch, tmp_path), _spawner("li.wei")
    hook(spawner)
    assert (tmp_path / "inbound" / "li.wei").is_dir() and (tmp_path / "outbound" / "li.wei").is_dir()
    mounts = [_expand(m, "li.wei") for m in spawner.volume_mounts.values() if m["name"] == "kam-exchange"]
    assert sorted((m["subPath"], m["mountPath"], m.get("readOnly", False)) for m in mounts) == [
        ("inbound/li.wei", "/srv/kam/exchange/inbound/li.wei", False),
        ("outbound/li.wei", "/srv/kam/exchange/outbound/li.wei", True),
    ]
    assert {m["name"] for m in spawner.volume_mounts.values()} == {"volume-{user_server}", "kam-exchange"}
    assert "kam-keys" not in spawner.volumes and "KAM_INSTRUCTOR_DIR" not in spawner.environment
    env = _values()["singleuser"]["extraEnv"]
    assert env["KAM_EXCHANGE"] == "/srv/kam/exchange" and "KAM_KEYS" not in env and "KAM_INSTRUCTOR_DIR" not in env


def test_an_instructor_mounts_the_whole_exchange_the_keys_and_their_folder(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hook, spawner = _hook(monkeypatch, tmp_path), _spawner("instructor", ("kam-instructors",))
    hook(spawner)
    by_path = {m["mountPath"]: m for m in spawner.volume_mounts.values()}
    assert by_path["/srv/kam/exchange"]["name"] == "kam-exchange" and "subPath" not in by_path["/srv/kam/exchange"]
    assert by_path["/srv/kam/keys"] == {"name": "kam-keys", "mountPath": "/srv/kam/keys", "readOnly": True}
    assert by_path["/srv/kam/instructor"]["name"] == "kam-instructor"
    assert not any("{unescaped_username}" in str(m) for m in spawner.volume_mounts.values())
    assert spawner.environment["KAM_KEYS"] == "/srv/kam/keys"
    assert spawner.environment["KAM_INSTRUCTOR_DIR"] == "/srv/kam/instructor"
    assert spawner.environment["KAM_EXCHANGE_ANY_OWNER"] == "1"  # every pod is uid 1000: the mounts tell whose
    assert not (tmp_path / "inbound").exists()  # an instructor hands nothing in


def test_the_instructors_mounts_come_from_the_hub_group_not_from_the_name(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    hook = _hook(monkeypatch, tmp_path)
    for spawner in (_spawner("instructor"), _spawner("kam-instructors"), _spawner("t1", ("team-a",))):
        hook(spawner)
        assert "kam-keys" not in spawner.volumes


@pytest.mark.parametrize("name", ["../x", "a/b", "x..y", "x.", ".x", "Li", "a b", "", "a" * 65, "x\n"])
def test_a_user_name_that_cannot_name_a_folder_is_refused(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> None:
    hook = _hook(monkeypatch, tmp_path)
    with pytest.raises(ValueError):
        hook(_spawner(name))
    assert not (tmp_path / "inbound").exists()


def test_the_hubs_user_name_rule_is_the_hooks_and_names_are_safe_for_the_exchange(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pattern = _values()["hub"]["config"]["Authenticator"]["username_pattern"]
    assert f'KAM_USER_NAME = re.compile(r"{pattern}")' in _values()["hub"]["extraConfig"]["kam-exchange"]
    accepted = ["li.wei", "trainee01", "a", "a-b_c.d", "x" * 64]
    refused = ["../x", "a/b", "x..y", "x.", ".x", "Li", "a b", "", "x" * 65, "x\n"]
    for name in accepted:
        assert re.match(pattern, name) and is_safe_name(name), name
    for name in refused:
        assert not re.match(pattern, name), name


# ---- the self-check service ------------------------------------------------------------------------------------


def test_the_check_service_is_registered_and_reached_where_it_listens() -> None:
    values, deployment, service = _values(), _kind("Deployment"), _kind("Service")
    name = check_service.SERVICE_NAME
    assert name in values["hub"]["services"] and "url" not in values["hub"]["services"][name]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert env["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"] == {"name": "hub",
                                                                        "key": f"hub.services.{name}.apiToken"}
    assert env["JUPYTERHUB_SERVICE_NAME"]["value"] == name
    prefix = env["JUPYTERHUB_SERVICE_PREFIX"]["value"]
    port = int(env["JUPYTERHUB_SERVICE_URL"]["value"].rsplit(":", 1)[1])
    assert container["command"][-1] == "check-service"
    assert service["metadata"]["name"] == name and service["spec"]["ports"][0]["port"] == port
    assert values["singleuser"]["extraEnv"]["KAM_CHECK_URL"] == f"http://{name}:{port}{prefix}"
    (rule,) = values["singleuser"]["networkPolicy"]["egress"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert rule["to"][0]["podSelector"]["matchLabels"].items() <= labels.items()
    assert rule["ports"] == [{"port": port, "protocol": "TCP"}]
    assert labels["hub.jupyter.org/network-access-hub"] == "true"
    scope = f"access:services!service={name}"
    assert scope in values["hub"]["config"]["KubeSpawner"]["server_token_scopes"]
    assert scope in values["hub"]["loadRoles"]["user"]["scopes"]


def test_only_the_service_mounts_the_keys_and_read_only() -> None:
    deployment = _kind("Deployment")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    assert volumes["kam-keys"]["secret"]["secretName"] == "kam-keys" and mounts["kam-keys"]["readOnly"] is True
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["KAM_KEYS"] == mounts["kam-keys"]["mountPath"]
    assert env["KAM_INSTRUCTOR_DIR"] == mounts["kam-instructor"]["mountPath"]
    assert pod["automountServiceAccountToken"] is False and pod["securityContext"]["runAsNonRoot"] is True
    assert deployment["spec"]["replicas"] == 1  # the rate limit lives in the service's memory
    storage = _values()["singleuser"]["storage"]
    assert "secret" not in str(storage) and "kam-instructor" not in str(storage)
    policy = _kind("NetworkPolicy")
    users_pods = {"podSelector": {"matchLabels": {"component": "singleuser-server"}}}
    assert policy["spec"]["ingress"][0]["from"] == [users_pods]


def test_the_shared_volumes_are_read_write_many() -> None:
    claims = list(yaml.safe_load_all((K8S / "volumes.yaml").read_text(encoding="utf-8")))
    assert {c["metadata"]["name"]: c["spec"]["accessModes"] for c in claims} == {
        "kam-exchange": ["ReadWriteMany"], "kam-instructor": ["ReadWriteMany"]}


# ---- the same classroom as on one server -----------------------------------------------------------------------


def test_the_values_say_what_the_one_server_hub_says() -> None:
    """Start page, server token scopes, the instructors' role and the culler's timeout: one definition
    (kamlib.hub) and the chart's values agree."""
    values = _values()
    assert values["singleuser"]["defaultUrl"] == hub.START_PAGE
    assert values["hub"]["config"]["KubeSpawner"]["server_token_scopes"] == hub.SERVER_TOKEN_SCOPES
    assert values["hub"]["config"]["Spawner"]["disable_user_config"] is True
    role = values["hub"]["loadRoles"][hub.INSTRUCTOR_ROLE]
    assert role["scopes"] == hub.INSTRUCTOR_SCOPES and role["groups"] == ["kam-instructors"]
    assert values["hub"]["config"]["JupyterHub"]["load_groups"].keys() == {"kam-instructors"}
    assert "admin_users" not in values["hub"]["config"]["Authenticator"]  # instructors hold kam-instructor only
    assert values["cull"]["timeout"] == hub.HubSettings().idle_timeout
    assert values["hub"]["concurrentSpawnLimit"] == hub.HubSettings().spawn_limit
    assert values["hub"]["services"].keys() == {hub.CHECK_SERVICE}
    assert f"spawner.default_url = \"{hub.INSTRUCTOR_PAGE}\"" in values["hub"]["extraConfig"]["kam-exchange"]


# ---- the image ---------------------------------------------------------------------------------------------------


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions (continuation lines joined, comments left out): (INSTRUCTION, arguments)."""
    text = re.sub(r"\\\n", " ", "\n".join(
        line for line in DOCKERFILE.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")))
    return [(w.upper(), rest.strip()) for w, _, rest in (line.strip().partition(" ") for line in text.splitlines())
            if w]


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_the_image_starts_from_a_pinned_jupyter_docker_stacks_image() -> None:
    (arg,) = [rest for ins, rest in _instructions() if ins == "ARG" and rest.startswith("BASE_IMAGE=")]
    assert re.fullmatch(r"BASE_IMAGE=quay\.io/jupyter/minimal-notebook:\d{4}-\d{2}-\d{2}", arg), arg
    froms = [rest for ins, rest in _instructions() if ins == "FROM"]
    assert froms == ["${BASE_IMAGE} AS bundle", "${BASE_IMAGE}"]  # the image itself does not grow from the checkout


def test_both_stages_install_with_the_one_install_script_and_options_it_takes() -> None:
    help_text = subprocess.run(["bash", str(INSTALL), "--help"], capture_output=True, text=True, check=True).stdout
    refused = subprocess.run(["bash", str(INSTALL), "--no-such-option"], capture_output=True, text=True, check=False)
    assert refused.returncode == 2  # an option the script dropped fails the build, it is not ignored
    final = _stages()[-1]
    assert ("COPY", "deploy/install.sh /opt/kam/install.sh") in final
    for stage in _stages():
        runs = [rest for ins, rest in stage if ins == "RUN" and "install.sh" in rest]
        assert len(runs) == 1, runs
        call = runs[0].split("install.sh", 1)[1].split("&&")[0].split()
        options = [word for word in call if word.startswith("--")]
        assert {"--prefix", "--python", "--source"} <= set(options)
        for option in options:
            assert option in help_text, option


def test_only_the_hub_bundle_enters_the_image() -> None:
    bundle, final = _stages()
    assert any("release --hub /tmp/kam-bundle" in rest for ins, rest in bundle if ins == "RUN")
    copies = [rest for ins, rest in final if ins in ("COPY", "ADD")]
    assert copies == ["--from=bundle /tmp/kam-bundle /opt/kam/course", "deploy/install.sh /opt/kam/install.sh"]
    assert "--source /opt/kam/course" in next(rest for ins, rest in final if ins == "RUN")


def test_the_image_ends_as_the_notebook_user_and_holds_no_secret() -> None:
    final = _stages()[-1]
    users = [rest for ins, rest in final if ins == "USER"]
    assert users[0] == "root" and users[-1] == "${NB_UID}"
    for ins, rest in _instructions():
        if ins in ("ENV", "ARG", "LABEL"):
            assert not re.search(r"(?i)token|passw|secret|api_?key|cookie", rest), rest
        assert "solutions" not in rest and "keys" not in rest.lower(), rest


def test_the_image_is_what_the_values_and_the_service_expect() -> None:
    final = _stages()[-1]
    env = " ".join(rest for ins, rest in final if ins == "ENV")
    values = _values()
    assert f"KAM_COURSE={values['singleuser']['extraEnv']['KAM_COURSE']}" in env
    assert f"KAM_SETTINGS={values['singleuser']['extraEnv']['KAM_SETTINGS']}" in env
    assert "JUPYTER_CONFIG_PATH=/opt/kam/jupyter" in env
    assert "JUPYTER_RUNTIME_DIR=/tmp/kam-runtime" in env  # the kernels' sockets on the pod's own disk
    assert any("write_server_config(Path('/opt/kam/jupyter'))" in rest for ins, rest in final if ins == "RUN")
    venv_bin = "/opt/kam/venv/bin/"
    assert values["singleuser"]["cmd"] == venv_bin + "jupyterhub-singleuser"
    (container,) = _kind("Deployment")["spec"]["template"]["spec"]["containers"]
    assert container["command"][0] == venv_bin + "kam"
    assert container["image"] == f"{values['singleuser']['image']['name']}:{values['singleuser']['image']['tag']}"


def test_the_build_never_sends_trainee_data() -> None:
    ignored = {line.strip() for line in (K8S / "Dockerfile.dockerignore").read_text(encoding="utf-8").splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv"} <= ignored
    assert {f"**/{name}" for name in (*TRAINEE_DATA_DIRS, *TRAINEE_DATA_FILES)} <= ignored  # at any depth


def test_the_bundle_stage_command_builds_a_bundle_without_keys_or_self_check_data(tmp_path: Path) -> None:
    """The first stage's command as the Dockerfile runs it (kamlib from the copied checkout)."""
    import os
    import sys

    out = tmp_path / "kam-bundle"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KAM_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "kamlib.cli", "release", "--hub", str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (out / "notebooks" / "00_start_here.ipynb").is_file() and (out / "pyproject.toml").is_file()
    assert not (out / "solutions").exists() and not (out / "instructor").exists()
    assert not list(out.rglob("*.check.json"))
