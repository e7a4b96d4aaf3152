#!/usr/bin/env bash
# The workbook's Python environment for a classroom: a virtual environment at PREFIX, made with PYTHON, holding
# kamlib with its classroom extras ([hub]: JupyterHub and its idle culler) installed from SOURCE. SOURCE is the
# hub bundle (`kam release --hub DIR`: no solutions, no keys, no self-check data) or, for a self-study image, the
# trainee bundle. The one-server install (README, "A classroom on JupyterHub"), the Kubernetes image
# (deploy/kubernetes/Dockerfile), `kam hub --trial` and the hub test all build their environment with this script.
#
#   deploy/install.sh --prefix /opt/kam/venv [--python /usr/bin/python3] [--extras hub] [--proxy] [--source] DIR
#
# --python   the interpreter the environment is made from (default python3; 3.11 or newer). Trainees' servers
#            run as their own Unix accounts, so it must be one every account can run: Debian's /usr/bin/python3,
#            not one under a home folder such as /root/.pyenv (checked below).
# --extras   the optional dependencies to install with kamlib (default hub; "" for none).
# --proxy    also install JupyterHub's proxy (configurable-http-proxy, from npm; Node and npm from Debian's
#            packages when missing).
# Run again on an existing environment it installs kamlib from SOURCE again, and the dependencies only when
# SOURCE's pyproject.toml (or --extras) changed.
set -euo pipefail

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; }
prefix="" source="" python="python3" extras="hub" proxy=0
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix=${2:?--prefix needs a folder}; shift 2 ;;
    --source) source=${2:?--source needs a folder}; shift 2 ;;
    --python) python=${2:?--python needs an interpreter}; shift 2 ;;
    --extras) extras=${2-}; shift 2 ;;
    --proxy) proxy=1; shift ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "install.sh: unknown option: $1 (see --help)" >&2; exit 2 ;;
    *) [ -z "$source" ] || { echo "install.sh: one SOURCE only (see --help)" >&2; exit 2; }
       source=$1; shift ;;
  esac
done
fail() { echo "install.sh: $*" >&2; exit 2; }
[ -n "$prefix" ] || fail "--prefix is needed (e.g. /opt/kam/venv)"
[ -n "$source" ] || fail "--source is needed (the folder of \`kam release --hub DIR\`)"
[ -f "$source/pyproject.toml" ] && [ -d "$source/kamlib" ] || fail "$source holds no kamlib (pyproject.toml and kamlib/)"
source=$(cd "$source" && pwd)
case "$prefix" in /*) ;; *) prefix="$(pwd)/$prefix" ;; esac
command -v "$python" >/dev/null 2>&1 || fail "no Python at $python (Debian: apt-get install python3 python3-venv)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  fail "Python 3.11 or newer is needed; $python is $("$python" --version 2>&1)"

umask 022  # everything installed is readable by every account (trainees' servers run from it)
if [ ! -x "$prefix/bin/python" ]; then
  "$python" -m venv "$prefix" || fail "$python cannot make a virtual environment (Debian: apt-get install python3-venv)"
fi
pip=("$prefix/bin/python" -m pip --disable-pip-version-check --no-input)
spec="$source"
[ -n "$extras" ] && spec="$source[$extras]"
# The dependencies when the environment is new or SOURCE's pyproject.toml changed (a stamp records it); kamlib
# itself always from SOURCE, even when its version number is unchanged.
stamp="$prefix/.kam-dependencies"
wanted="$(sha256sum "$source/pyproject.toml" | cut -d' ' -f1) [$extras]"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  "${pip[@]}" install --quiet "$spec"
  echo "$wanted" >"$stamp"
fi
"${pip[@]}" install --quiet --no-deps --force-reinstall "$source"
chmod -R a+rX "$prefix"

# Every trainee account must be able to run this environment: try it as an account that owns nothing.
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1 && command -v runuser >/dev/null 2>&1; then
  if ! (cd / && runuser -u nobody -- "$prefix/bin/python" -c 'import kamlib' 2>/dev/null); then
    real=$(readlink -f "$prefix/bin/python")
    fail "other accounts cannot run $prefix/bin/python (it is $real): a folder on the way is closed to them. \
Make the environment from an interpreter every account can run (--python /usr/bin/python3) at a prefix outside \
any home folder."
  fi
fi

if [ "$proxy" = 1 ] && ! command -v configurable-http-proxy >/dev/null 2>&1; then
  if ! command -v npm >/dev/null 2>&1; then
    command -v apt-get >/dev/null 2>&1 || fail "npm is needed for the proxy: install Node.js and npm first"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
  fi
  npm install --global --silent configurable-http-proxy >/dev/null
  command -v configurable-http-proxy >/dev/null 2>&1 || fail "configurable-http-proxy was not installed"
fi

"$prefix/bin/python" - <<'EOF'
from importlib.metadata import PackageNotFoundError, version

found = []
for name in ("kamlib", "jupyterhub", "jupyterhub-idle-culler", "voila", "jupyterlab"):
    try:
        found.append(f"{name} {version(name)}")
    except PackageNotFoundError:
        pass
print("installed: " + ", ".join(found))
EOF
echo "environment: $prefix"
