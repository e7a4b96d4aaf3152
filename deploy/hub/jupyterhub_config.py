# JupyterHub's configuration for the workbook's classroom on one Linux server (README, "A classroom on
# JupyterHub"). Plain JupyterHub, run as root by the kam-hub systemd unit (kam-hub.service here):
#
#   /opt/kam/venv/bin/jupyterhub -f /etc/kam/jupyterhub_config.py
#
# Everything is set by kamlib.hub.configure from the environment (the unit reads /etc/kam/hub.env; every setting
# and its default is in kam-hub.env here), so that `kam hub --trial N` and the hub test run this very file:
#
# - logins: PAM, with the server's Unix accounts; allowed are the members of the trainees' group (kam-trainees)
#   and of the instructors' group (kam-instructors), who form the hub group of that name with the role
#   kam-instructor (the admin page: watch, start and stop the class's servers; not the admin role, which would let
#   them enter a trainee's server or act in a trainee's name);
# - servers: LocalProcessSpawner, each server as its trainee's own Unix account (never root: root is refused with
#   an explanation), its default URL the app's start page; with KAM_HUB_SPAWNER=systemd, SystemdSpawner, which also
#   enforces a memory limit per trainee (KAM_HUB_MEM_LIMIT); at most KAM_HUB_SPAWN_LIMIT servers start at once;
# - a pre-spawn hook that makes the trainee's exchange folders (kamlib.exchange.prepare_user) and private
#   ~/kam, and gives the server KAM_COURSE, KAM_EXCHANGE, KAM_HOME and KAM_CHECK_URL (instructors also
#   KAM_INSTRUCTOR_DIR and KAM_KEYS);
# - the single-user servers' config (JupyterLab, Voila, the app's Content-Security-Policy, kernel culling) written
#   from kamlib.server_config, the definition `kam lab` and `kam app` use too;
# - managed services: kam-check (the self-check service; it alone with the instructors reads the keys) and the
#   idle culler (stops a server idle for KAM_HUB_IDLE_TIMEOUT seconds);
# - before anything starts, the checks of kamlib.hub.startup_problems: the course is the hub bundle, read-only,
#   with no self-check data; the instructors' folder and keys are closed to everyone else.
from kamlib.errors import KamError
from kamlib.hub import configure

c = get_config()  # noqa: F821 (JupyterHub provides it)
try:
    configure(c)
except KamError as exc:  # said in both languages, without a traceback
    raise SystemExit(str(exc)) from None
