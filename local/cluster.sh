#!/usr/bin/env bash
# Runs a local Flink cluster of the project's images with `docker run`: one JobManager and N
# TaskManagers on a container network, the host directory .local/flink-data mounted at /flink-data,
# and the example job running. Without a container engine, the same entrypoint, launcher and
# configuration run as plain local JVM processes from the image's files.
#
# Usage: cluster.sh start session|application [TASKMANAGERS]
#        cluster.sh stop
#        cluster.sh engine-available
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly ENGINE=${CONTAINER_ENGINE:-docker}
readonly REGISTRY=${IMAGE_REGISTRY:-flinkstack}
readonly TAG=${IMAGE_TAG:-2.3.0}
readonly JOBMANAGER_IMAGE=$REGISTRY/flink-jobmanager:$TAG
readonly TASKMANAGER_IMAGE=$REGISTRY/flink-taskmanager:$TAG
readonly NETWORK=flinkstack
readonly LABEL=dev.flinkstack.local-cluster=true
readonly LOCAL_DIR=${LOCAL_DIR:-$ROOT/.local}
readonly DATA_DIR=$LOCAL_DIR/flink-data
# containers or processes, set by start.
runtime=""
readonly JOB_JAR=/opt/flink/usrlib/traffic-analytics.jar
readonly JOB_CLASS=dev.flinkstack.traffic.TrafficAnalyticsJob
readonly JOB_MANAGER_METRICS_PORT=9249
read -r -a JOB_ARGUMENTS <<<"${JOB_ARGS:-}"

usage() {
  sed -n 's/^# \{0,1\}//; 7,9p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

engine_available() {
  command -v "$ENGINE" >/dev/null && "$ENGINE" info >/dev/null 2>&1
}

prepare_data_dir() {
  mkdir -p "$DATA_DIR"
  # The containers run as uid 9999; let them write checkpoints and output here.
  chmod a+rwx "$DATA_DIR"
}

# control ARGS...: the images' `control` command (waiting on the cluster), in the JobManager container
# or, without an engine, from the local copy of the image's files.
control() {
  if [[ $runtime == containers ]]; then
    "$ENGINE" exec flinkstack-jobmanager /opt/flink/bin/entrypoint.sh control "$@"
  else
    FLINK_HOME=$(local_flink_home) "$(local_flink_home)/bin/entrypoint.sh" control "$@"
  fi
}

start_containers() {
  local mode=$1 taskmanagers=$2 i
  "$ENGINE" network inspect "$NETWORK" >/dev/null 2>&1 || "$ENGINE" network create "$NETWORK" >/dev/null
  local common=(--detach --label "$LABEL" --network "$NETWORK" --volume "$DATA_DIR:/flink-data")
  local jobmanager_args=(jobmanager)
  [[ $mode == application ]] && jobmanager_args=(standalone-job --job-classname "$JOB_CLASS" "${JOB_ARGUMENTS[@]}")

  "$ENGINE" run "${common[@]}" --name flinkstack-jobmanager --network-alias jobmanager \
    --publish 127.0.0.1:8081:8081 --publish "127.0.0.1:$JOB_MANAGER_METRICS_PORT:9249" \
    "$JOBMANAGER_IMAGE" "${jobmanager_args[@]}" >/dev/null
  for ((i = 1; i <= taskmanagers; i++)); do
    "$ENGINE" run "${common[@]}" --name "flinkstack-taskmanager-$i" \
      --publish "127.0.0.1:$((JOB_MANAGER_METRICS_PORT + i)):9249" \
      "$TASKMANAGER_IMAGE" taskmanager >/dev/null
  done
}

submit_with_container() {
  "$ENGINE" run --rm --network "$NETWORK" --label "$LABEL" "$JOBMANAGER_IMAGE" \
    flink run -m jobmanager:8081 --detached "$JOB_JAR" "${JOB_ARGUMENTS[@]}"
}

# The image's /opt/flink, extracted from the JobManager image tar Jib built.
local_flink_home() {
  local image_tar=$ROOT/images/target/jib/flink-jobmanager.tar home=$LOCAL_DIR/flink-home
  [[ -f $image_tar ]] || { echo "cluster: $image_tar missing: run 'make images'" >&2; exit 1; }
  if [[ ! -d $home/opt/flink || $image_tar -nt $home ]]; then
    rm -rf "$home" && mkdir -p "$home"
    "$ROOT/build-tools/tool.sh" image-extract "$image_tar" "$home" opt/flink
  fi
  echo "$home/opt/flink"
}

# Local processes need what the container network gives for free: distinct ports and host paths.
# They listen on 127.0.0.1 only (the Prometheus reporter has no bind-address option).
# LOCAL_FLINK_PROPERTIES adds "key: value" lines of your own.
local_properties() {
  local metrics_port=$1
  cat <<PROPS
jobmanager.rpc.address: localhost
jobmanager.bind-host: 127.0.0.1
rest.address: localhost
rest.bind-address: 127.0.0.1
taskmanager.host: localhost
taskmanager.bind-host: 127.0.0.1
taskmanager.rpc.port: 0
taskmanager.data.port: 0
metrics.reporter.prom.port: $metrics_port
execution.checkpointing.dir: file://$DATA_DIR/checkpoints
execution.checkpointing.savepoint-dir: file://$DATA_DIR/savepoints
${LOCAL_FLINK_PROPERTIES:-}
PROPS
}

start_processes() {
  local mode=$1 taskmanagers=$2 flink_home i
  flink_home=$(local_flink_home)
  mkdir -p "$LOCAL_DIR/logs"
  local jobmanager_args=(jobmanager)
  [[ $mode == application ]] && jobmanager_args=(standalone-job --job-classname "$JOB_CLASS"
    --output "file://$DATA_DIR/output" "${JOB_ARGUMENTS[@]}")
  # Directories these processes create stay writable for a later container run (uid 9999).
  umask 0000
  FLINK_HOME=$flink_home FLINK_PROPERTIES=$(local_properties "$JOB_MANAGER_METRICS_PORT") \
    nohup "$flink_home/bin/entrypoint.sh" "${jobmanager_args[@]}" >"$LOCAL_DIR/logs/jobmanager.log" 2>&1 &
  echo $! >"$LOCAL_DIR/jobmanager.pid"
  for ((i = 1; i <= taskmanagers; i++)); do
    FLINK_HOME=$flink_home FLINK_PROPERTIES=$(local_properties $((JOB_MANAGER_METRICS_PORT + i))) \
      nohup "$flink_home/bin/entrypoint.sh" taskmanager >"$LOCAL_DIR/logs/taskmanager-$i.log" 2>&1 &
    echo $! >"$LOCAL_DIR/taskmanager-$i.pid"
  done
}

submit_with_process() {
  local flink_home key value dynamic_properties=()
  flink_home=$(local_flink_home)
  # The client puts its checkpoint settings into the job: give it the cluster's local paths.
  while IFS=: read -r key value; do
    [[ $key == execution.checkpointing.* ]] && dynamic_properties+=("-D$key=${value# }")
  done < <(local_properties "$JOB_MANAGER_METRICS_PORT")
  FLINK_HOME=$flink_home "$flink_home/bin/entrypoint.sh" flink run -m localhost:8081 --detached \
    "${dynamic_properties[@]}" "$flink_home/usrlib/traffic-analytics.jar" \
    --output "file://$DATA_DIR/output" "${JOB_ARGUMENTS[@]}"
}

start() {
  local mode=${1:-} taskmanagers=${2:-2} started=$SECONDS
  [[ $mode == session || $mode == application ]] || usage
  [[ $taskmanagers =~ ^[1-9][0-9]*$ ]] || { echo "cluster: TASKMANAGERS must be a positive number" >&2; exit 2; }
  stop >/dev/null
  prepare_data_dir
  if engine_available; then
    runtime=containers
    start_containers "$mode" "$taskmanagers"
  else
    runtime=processes
    echo "cluster: no container engine ($ENGINE) answers: running the image's files as local processes"
    start_processes "$mode" "$taskmanagers"
  fi
  control wait --timeout 90s --taskmanagers "$taskmanagers"
  if [[ $mode == session ]]; then
    echo "Submitting the example job to the session cluster..."
    if [[ $runtime == containers ]]; then submit_with_container; else submit_with_process; fi
  fi
  control wait --timeout 120s --running-job
  summary "$mode" "$taskmanagers" "$runtime" $((SECONDS - started))
}

summary() {
  local mode=$1 taskmanagers=$2 runtime=$3 seconds=$4 i
  cat <<SUMMARY

Flink $mode cluster running ($runtime, 1 JobManager + $taskmanagers TaskManagers); example job RUNNING after ${seconds}s.
  Web UI:          http://localhost:8081
  Metrics:         http://localhost:$JOB_MANAGER_METRICS_PORT/metrics (JobManager)
SUMMARY
  for ((i = 1; i <= taskmanagers; i++)); do
    echo "                   http://localhost:$((JOB_MANAGER_METRICS_PORT + i))/metrics (TaskManager $i)"
  done
  cat <<SUMMARY
  Checkpoints:     $DATA_DIR/checkpoints
  Savepoints:      $DATA_DIR/savepoints
  Job output:      $DATA_DIR/output/{aggregates,alerts,malformed}
  Stop it with:    make stop
SUMMARY
}

stop() {
  local pid_file
  if engine_available; then
    local containers=()
    mapfile -t containers < <("$ENGINE" ps --all --quiet --filter "label=$LABEL")
    ((${#containers[@]} == 0)) || "$ENGINE" rm --force "${containers[@]}" >/dev/null
    "$ENGINE" network rm "$NETWORK" >/dev/null 2>&1 || true
  fi
  for pid_file in "$LOCAL_DIR"/*.pid; do
    [[ -f $pid_file ]] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file"
  done
  echo "local cluster stopped"
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop ;;
  engine-available) engine_available ;;
  *) usage ;;
esac
