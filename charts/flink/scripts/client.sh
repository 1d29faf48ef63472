# shellcheck shell=bash
# Functions of the chart's client pods (job submission Job, CronJob, helm test), sourced by bash.
# The images have no curl or grep: HTTP goes through bash's /dev/tcp, JSON is matched with [[ =~ ]].
# Needs FLINK_REST_HOST and FLINK_REST_PORT (the REST Service) and optionally WAIT_SECONDS.
set -euo pipefail

readonly rest_host=${FLINK_REST_HOST:?FLINK_REST_HOST is not set}
readonly rest_port=${FLINK_REST_PORT:?FLINK_REST_PORT is not set}
readonly wait_seconds=${WAIT_SECONDS:-300}

log() {
  printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2
}

# http_get PATH: prints the body of GET http://REST/PATH; fails on a connection error or a non-200 status.
http_get() {
  local path=$1 status line body=""
  exec 3<>"/dev/tcp/$rest_host/$rest_port" || return 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\nAccept: application/json\r\nConnection: close\r\n\r\n' \
    "$path" "$rest_host" >&3
  if ! IFS= read -r -t 10 status <&3; then
    exec 3<&-
    return 1
  fi
  while IFS= read -r -t 10 line <&3; do
    [[ $line == $'\r' || -z $line ]] && break
  done
  IFS= read -r -d '' -t 10 body <&3 || true
  exec 3<&-
  if [[ ! $status =~ ^HTTP/1\.[01]\ 200 ]]; then
    log "GET $path: ${status%$'\r'}"
    return 1
  fi
  printf '%s' "$body"
}

# wait_until DESCRIPTION COMMAND...: runs COMMAND every 2 s until it succeeds, for at most WAIT_SECONDS.
wait_until() {
  local description=$1 deadline=$((SECONDS + wait_seconds))
  shift
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${wait_seconds}s waiting for $description"
      return 1
    fi
    sleep 2
  done
  log "ok: $description"
}

# has_taskmanagers N: the cluster has at least N registered TaskManagers.
has_taskmanagers() {
  local body
  body=$(http_get /overview 2>/dev/null) || return 1
  [[ $body =~ \"taskmanagers\":([0-9]+) ]] && ((BASH_REMATCH[1] >= $1))
}

# has_running_job: a job is RUNNING with every task running (or finished); "RUNNING" alone is not enough,
# since a job is RUNNING while its tasks still wait for slots.
has_running_job() {
  local body job tasks running=0 finished=0 total=-1
  body=$(http_get /jobs/overview 2>/dev/null) || return 1
  [[ $body =~ (\{[^{}]*\"state\":\"RUNNING\"[^{}]*\"tasks\":\{[^{}]*\}) ]] || return 1
  job=${BASH_REMATCH[1]}
  [[ $job =~ \"tasks\":\{([^{}]*)\} ]] || return 1
  tasks=${BASH_REMATCH[1]}
  [[ $tasks =~ \"running\":([0-9]+) ]] && running=${BASH_REMATCH[1]}
  [[ $tasks =~ \"finished\":([0-9]+) ]] && finished=${BASH_REMATCH[1]}
  [[ $tasks =~ \"total\":([0-9]+) ]] && total=${BASH_REMATCH[1]}
  ((running > 0 && running + finished == total))
}

# flink_cli ARGS...: the Flink CLI against the REST Service.
flink_cli() {
  log "flink $*"
  /opt/flink/bin/entrypoint.sh flink "$1" -m "$rest_host:$rest_port" "${@:2}"
}
