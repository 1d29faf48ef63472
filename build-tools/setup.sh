#!/usr/bin/env bash
# Brings this machine to what a make target needs: the Debian packages the target uses and, for
# targets that run containers, a running container engine. A no-op when everything is there. The
# Makefile runs it before each target that needs something, and .ci/run runs `make test`, so CI
# takes the path a user takes. The pinned tools (Helm) are the Makefile's `tools` target.
#
# Usage: setup.sh images|run|lint|tools|test|monitor|bench
#
# Environment: CONTAINER_ENGINE  docker (default), podman, or none (no containers: `make run` runs
#                                local processes).
set -euo pipefail

readonly engine=${CONTAINER_ENGINE:-docker}
readonly dockerd_log=${TMPDIR:-/tmp}/flinkstack-dockerd.log
readonly apt_log=${TMPDIR:-/tmp}/flinkstack-apt.log

usage() {
  sed -n 's/^# \{0,1\}//; 7,10p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

fail() {
  echo "setup: $*" >&2
  exit 1
}

# What each profile needs, as "debian-package:probe" pairs; the probe is a command on the PATH or an
# absolute path, so tools installed some other way count too.
requirements() {
  # objcopy: jlink strips the base image's JRE with it.
  local images=(mmdebstrap:mmdebstrap binutils:objcopy)
  case $1 in
    images) printf '%s\n' "${images[@]}" ;;
    run) printf '%s\n' "${images[@]}" curl:curl ;;
    lint) echo shellcheck:shellcheck ;;
    tools) echo npm:npm ;;
    monitor) printf '%s\n' "${images[@]}" curl:curl prometheus:prometheus ;;
    bench) printf '%s\n' "${images[@]}" curl:curl ;;
    # ZooKeeper's jars for the HA tests, Prometheus and promtool for the monitoring tests, ip and
    # unshare for the local-process test, tmux for the SQL client's terminal test.
    test) printf '%s\n' "${images[@]}" curl:curl shellcheck:shellcheck npm:npm prometheus:prometheus \
      prometheus:promtool zookeeper:/usr/share/java/zookeeper.jar iproute2:ip util-linux:unshare tmux:tmux ;;
  esac
  # The engine's package, when the profile needs containers and the engine is missing.
  case $1:$engine in
    test:docker | bench:docker) echo docker.io:dockerd ;;
    test:podman | bench:podman) echo podman:podman ;;
  esac
}

# "required", "optional" (used when it runs or can be started) or "no".
engine_need() {
  case $1 in
    test | bench) echo required ;;
    run | monitor) echo optional ;;
    *) echo no ;;
  esac
}

present() {
  local probe=$1
  if [[ $probe == /* ]]; then [[ -e $probe ]]; else command -v "$probe" >/dev/null; fi
}

can_be_root() {
  ((EUID == 0)) || command -v sudo >/dev/null
}

# Runs a command as root: directly, or through sudo.
as_root() {
  if ((EUID == 0)); then
    "$@"
  else
    sudo "$@"
  fi
}

# apt_step FAILURE_MESSAGE COMMAND...: runs an apt command as root, its output in the apt log; on
# failure prints the log's last lines and stops.
apt_step() {
  local message=$1
  shift
  if ! as_root env DEBIAN_FRONTEND=noninteractive "$@" >>"$apt_log" 2>&1; then
    echo "setup: $* failed. The last lines of $apt_log:" >&2
    tail -n 20 "$apt_log" >&2
    fail "$message"
  fi
}

install_packages() {
  local packages=("$@")
  local command="apt-get update && apt-get install -y --no-install-recommends ${packages[*]}"
  if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    fail "this is not a Debian-based machine (no apt-get): install these packages' equivalents yourself: ${packages[*]}"
  fi
  if ! can_be_root; then
    fail "missing Debian packages and neither root nor sudo to install them; as root, run: $command"
  fi
  echo "setup: installing Debian packages: ${packages[*]} (log: $apt_log)"
  : >"$apt_log"
  # A previous install that was interrupted leaves dpkg half-configured: finish it first.
  if [[ -n $(dpkg --audit 2>/dev/null) ]]; then
    apt_step "dpkg cannot finish an earlier, interrupted install" dpkg --configure -a
  fi
  # Error-Mode=any: an unreachable mirror fails here instead of leaving stale package lists.
  apt_step "cannot reach the Debian package mirror; nothing was installed. Check the network or the sources in /etc/apt, then run again" \
    apt-get update -o APT::Update::Error-Mode=any
  # Download everything before installing anything, so a broken connection installs nothing.
  apt_step "downloading the packages failed; nothing was installed" \
    apt-get install -y --no-install-recommends --download-only "${packages[@]}"
  apt_step "installing the packages failed" apt-get install -y --no-install-recommends "${packages[@]}"
}

engine_answers() {
  "$engine" info >/dev/null 2>&1
}

# Starts dockerd in the background (there is no systemd here) and waits until it answers, or exits.
start_dockerd() {
  local pid _
  echo "setup: starting the Docker engine (log: $dockerd_log)"
  # shellcheck disable=SC2016 # $1 expands in the inner shell
  pid=$(as_root bash -c 'nohup dockerd --host=unix:///var/run/docker.sock >"$1" 2>&1 & echo $!' _ "$dockerd_log")
  for _ in $(seq 1 60); do
    as_root docker info >/dev/null 2>&1 && return 0
    as_root kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  echo "setup: the Docker engine did not start. The last lines of $dockerd_log:" >&2
  as_root tail -n 20 "$dockerd_log" >&2 || true
  return 1
}

ensure_engine() {
  local need=$1
  [[ $need == no ]] && return 0
  if [[ $engine == none ]]; then
    [[ $need == required ]] && fail "this target runs containers: CONTAINER_ENGINE=none is not enough"
    return 0
  fi
  engine_answers && return 0
  if [[ $engine == docker ]] && command -v dockerd >/dev/null; then
    can_be_root || fail "the Docker engine is not running and only root can start it: as root, run: nohup dockerd >$dockerd_log 2>&1 &"
    if ! as_root docker info >/dev/null 2>&1; then
      start_dockerd ||
        fail "the Docker engine is installed but does not start (its log is above). Fix it, or run with CONTAINER_ENGINE=none to use local processes"
    fi
    engine_answers && return 0
    fail "the Docker engine runs, but user $(id -un) may not use it: sudo usermod -aG docker $(id -un), then log in again"
  fi
  # No engine installed: `make run` says so itself and runs local processes.
  [[ $need == optional ]] && return 0
  fail "no usable container engine: '$engine info' fails"
}

main() {
  (($# == 1)) || usage
  local profile=$1 package probe missing=()
  case $profile in
    images | run | lint | tools | test | monitor | bench) ;;
    *) usage ;;
  esac
  while IFS=: read -r package probe; do
    present "$probe" || missing+=("$package")
  done < <(requirements "$profile")
  if ((${#missing[@]} > 0)); then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
    install_packages "${missing[@]}"
  fi
  ensure_engine "$(engine_need "$profile")"
}

main "$@"
