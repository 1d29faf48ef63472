#!/usr/bin/env bash
# Runs a local Flink cluster of the project's images with `docker run`: one JobManager and N
# TaskManagers on a container network, the host directory .local/flink-data mounted at /flink-data,
# and the example job running. Without a container engine, the same entrypoint, launcher and
# configuration run as plain local JVM processes from the image's files.
#
# STORAGE=s3 keeps checkpoints and savepoints in S3 instead: a local S3 API server (S3Proxy, which
# keeps the objects in its memory until `make stop`) runs next to the cluster, and Flink loads its
# S3 plugin.
#
# SOURCE=kafka (session clusters with a container engine): the example job reads the topic 'flows' of
# a local Kafka broker (the project's Kafka image) and writes its alerts to the topic 'alerts' in
# transactions; a SQL job on the same cluster, local/kafka-feeder.sql, fills 'flows' from the generator.
#
# Usage: cluster.sh start session|application [TASKMANAGERS]
#        cluster.sh sql [SCRIPT]
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
readonly USRLIB=/opt/flink/usrlib
# The job's classes, and the jars it needs beyond Flink (the Kafka connector and clients).
readonly JOB_JAR=traffic-analytics.jar DEPENDENCIES_JAR=traffic-analytics-dependencies.jar
readonly JOB_CLASS=dev.flinkstack.traffic.TrafficAnalyticsJob
readonly JOB_MANAGER_METRICS_PORT=9249
read -r -a JOB_ARGUMENTS <<<"${JOB_ARGS:-}"
readonly STORAGE=${STORAGE:-local}
readonly S3PROXY_JAR=${S3PROXY_JAR:-$ROOT/tests/target/distribution-jars/s3proxy.jar}
readonly S3_DIR=$LOCAL_DIR/s3
readonly S3_BUCKET=flink-state
readonly S3_PORT=9000
# Keys of the local server only, not secrets.
readonly S3_ACCESS_KEY=flinkstack-local S3_SECRET_KEY=flinkstack-local-secret
# Image tags are the Flink version (2.3.0, or 2.3.0-something).
readonly S3_PLUGIN=flink-s3-fs-hadoop-${TAG%%-*}.jar
readonly SOURCE=${SOURCE:-generator}
# images/kafka's tag is kafka.version in pom.xml.
KAFKA_IMAGE=${KAFKA_IMAGE:-$REGISTRY/kafka:$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$ROOT/pom.xml")}
readonly KAFKA_IMAGE
readonly KAFKA_PORT=9094
readonly KAFKA_TOPICS=(flows alerts)

usage() {
  sed -n 's/^# \{0,1\}//; 15,18p' "${BASH_SOURCE[0]}" >&2
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

# Where checkpoints and savepoints go, as "key: value" lines; S3's endpoint as the cluster reaches it.
storage_properties() {
  local s3_endpoint=$1
  if [[ $STORAGE == s3 ]]; then
    cat <<PROPS
execution.checkpointing.dir: s3://$S3_BUCKET/local/checkpoints
execution.checkpointing.savepoint-dir: s3://$S3_BUCKET/local/savepoints
s3.endpoint: $s3_endpoint
s3.path.style.access: true
s3.directory.marker.retention: keep
PROPS
  else
    cat <<PROPS
execution.checkpointing.dir: file://$DATA_DIR/checkpoints
execution.checkpointing.savepoint-dir: file://$DATA_DIR/savepoints
PROPS
  fi
}

# S3Proxy with its in-memory backend (its filesystem backends hang on the directory-marker deletes
# Flink's S3 plugin sends), on 127.0.0.1:9000 for the host too.
start_s3() {
  [[ -f $S3PROXY_JAR ]] || { echo "cluster: $S3PROXY_JAR missing: run 'make run STORAGE=s3'" >&2; exit 1; }
  mkdir -p "$S3_DIR"
  chmod a+rx "$S3_DIR"
  local host=127.0.0.1
  [[ $runtime == containers ]] && host=0.0.0.0
  cat >"$S3_DIR/s3proxy.conf" <<CONF
s3proxy.endpoint=http://$host:$S3_PORT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=transient
CONF
  if [[ $runtime == containers ]]; then
    "$ENGINE" run --detach --label "$LABEL" --network "$NETWORK" --name flinkstack-s3 --network-alias s3 \
      --publish "127.0.0.1:$S3_PORT:$S3_PORT" --volume "$S3PROXY_JAR:/opt/s3proxy.jar:ro" \
      --volume "$S3_DIR:/etc/s3proxy:ro" --env LOG_LEVEL=warn \
      --entrypoint java "$JOBMANAGER_IMAGE" -jar /opt/s3proxy.jar --properties /etc/s3proxy/s3proxy.conf >/dev/null
  else
    LOG_LEVEL=warn nohup java -jar "$S3PROXY_JAR" --properties "$S3_DIR/s3proxy.conf" >"$LOCAL_DIR/logs/s3proxy.log" 2>&1 &
    echo $! >"$LOCAL_DIR/s3proxy.pid"
  fi
  local i
  for ((i = 0; i < 60; i++)); do
    # Up when it refuses an unsigned request; then the bucket is created with a signed one.
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$S3_PORT/") == 403 ]]; then
      curl -sSf -X PUT --aws-sigv4 aws:amz:us-east-1:s3 --user "$S3_ACCESS_KEY:$S3_SECRET_KEY" \
        -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" "http://127.0.0.1:$S3_PORT/$S3_BUCKET" >/dev/null
      return 0
    fi
    sleep 1
  done
  echo "cluster: the local S3 server did not start" >&2
  exit 1
}

# Environment of every Flink process or container: the S3 plugin and the local server's keys.
storage_env() {
  [[ $STORAGE == s3 ]] || return 0
  echo "ENABLE_BUILT_IN_PLUGINS=$S3_PLUGIN"
  echo "AWS_ACCESS_KEY_ID=$S3_ACCESS_KEY"
  echo "AWS_SECRET_ACCESS_KEY=$S3_SECRET_KEY"
}

# The broker, on the cluster's network as kafka:9092 and on 127.0.0.1:9094 for the host; creating
# the topics (2 partitions each, one per TaskManager slot of the default cluster) waits for it.
start_kafka() {
  "$ENGINE" run --detach --label "$LABEL" --network "$NETWORK" --name flinkstack-kafka --network-alias kafka \
    --env KAFKA_HOST=kafka --env "KAFKA_EXTERNAL_ADDRESS=localhost:$KAFKA_PORT" \
    --publish "127.0.0.1:$KAFKA_PORT:$KAFKA_PORT" "$KAFKA_IMAGE" >/dev/null
  local topic i
  for topic in "${KAFKA_TOPICS[@]}"; do
    for ((i = 0; ; i++)); do
      "$ENGINE" exec flinkstack-kafka /opt/kafka/bin/kafka-topics.sh --bootstrap-server "localhost:$KAFKA_PORT" \
        --create --if-not-exists --topic "$topic" --partitions 2 >/dev/null 2>&1 && break
      ((i < 60)) || { echo "cluster: the Kafka broker did not start: $ENGINE logs flinkstack-kafka" >&2; exit 1; }
      sleep 1
    done
  done
}

# The example job's arguments: the user's, after those of the source.
job_arguments() {
  [[ $SOURCE == kafka ]] && printf '%s\n' --source kafka --kafka-bootstrap-servers kafka:9092 --alerts-topic alerts
  ((${#JOB_ARGUMENTS[@]} == 0)) || printf '%s\n' "${JOB_ARGUMENTS[@]}"
}

start_containers() {
  local mode=$1 taskmanagers=$2 i
  local common=(--detach --label "$LABEL" --network "$NETWORK" --volume "$DATA_DIR:/flink-data") variable
  if [[ $STORAGE == s3 ]]; then
    common+=(--env "FLINK_PROPERTIES=$(storage_properties "http://s3:$S3_PORT")")
    while read -r variable; do common+=(--env "$variable"); done < <(storage_env)
  fi
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
  # The client puts its checkpoint settings into the job: give it the cluster's.
  local storage=() variable
  if [[ $STORAGE == s3 ]]; then
    storage+=(--env "FLINK_PROPERTIES=$(storage_properties "http://s3:$S3_PORT")")
    while read -r variable; do storage+=(--env "$variable"); done < <(storage_env)
  fi
  local arguments=()
  mapfile -t arguments < <(job_arguments)
  # A session job gets the usrlib dependencies jar through -C (the same path in every container).
  "$ENGINE" run --rm --network "$NETWORK" --label "$LABEL" "${storage[@]}" "$JOBMANAGER_IMAGE" \
    flink run -m jobmanager:8081 --detached -C "file://$USRLIB/$DEPENDENCIES_JAR" "$USRLIB/$JOB_JAR" "${arguments[@]}"
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
$(storage_properties "http://127.0.0.1:$S3_PORT")
${LOCAL_FLINK_PROPERTIES:-}
PROPS
}

start_processes() {
  local mode=$1 taskmanagers=$2 flink_home i
  flink_home=$(local_flink_home)
  local jobmanager_args=(jobmanager)
  [[ $mode == application ]] && jobmanager_args=(standalone-job --job-classname "$JOB_CLASS"
    --output "file://$DATA_DIR/output" "${JOB_ARGUMENTS[@]}")
  # Directories these processes create stay writable for a later container run (uid 9999).
  umask 0000
  local variable
  while read -r variable; do export "${variable?}"; done < <(storage_env)
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
    [[ $key == execution.checkpointing.* || $key == s3.* ]] && dynamic_properties+=("-D$key=${value# }")
  done < <(local_properties "$JOB_MANAGER_METRICS_PORT")
  FLINK_HOME=$flink_home "$flink_home/bin/entrypoint.sh" flink run -m localhost:8081 --detached \
    "${dynamic_properties[@]}" "$flink_home/usrlib/$JOB_JAR" \
    --output "file://$DATA_DIR/output" "${JOB_ARGUMENTS[@]}"
}

start() {
  local mode=${1:-} taskmanagers=${2:-2} started=$SECONDS
  [[ $mode == session || $mode == application ]] || usage
  [[ $taskmanagers =~ ^[1-9][0-9]*$ ]] || { echo "cluster: TASKMANAGERS must be a positive number" >&2; exit 2; }
  [[ $STORAGE == local || $STORAGE == s3 ]] || { echo "cluster: STORAGE must be local or s3, not '$STORAGE'" >&2; exit 2; }
  [[ $SOURCE == generator || $SOURCE == kafka ]] || { echo "cluster: SOURCE must be generator or kafka, not '$SOURCE'" >&2; exit 2; }
  [[ $SOURCE == generator || $mode == session ]] ||
    { echo "cluster: SOURCE=kafka runs with 'make run' (a session cluster, where the job filling Kafka runs too)" >&2; exit 2; }
  stop >/dev/null
  prepare_data_dir
  mkdir -p "$LOCAL_DIR/logs"
  if engine_available; then
    runtime=containers
    "$ENGINE" network inspect "$NETWORK" >/dev/null 2>&1 || "$ENGINE" network create "$NETWORK" >/dev/null
  else
    runtime=processes
    echo "cluster: no container engine ($ENGINE) answers: running the image's files as local processes"
    [[ $SOURCE == generator ]] || { echo "cluster: SOURCE=kafka needs a container engine for the broker" >&2; exit 2; }
  fi
  [[ $STORAGE == s3 ]] && start_s3
  [[ $SOURCE == kafka ]] && start_kafka
  if [[ $runtime == containers ]]; then
    start_containers "$mode" "$taskmanagers"
  else
    start_processes "$mode" "$taskmanagers"
  fi
  control wait --timeout 90s --taskmanagers "$taskmanagers"
  if [[ $mode == session ]]; then
    if [[ $SOURCE == kafka ]]; then
      echo "Submitting the job filling the topic 'flows' (local/kafka-feeder.sql)..."
      sql "$ROOT/local/kafka-feeder.sql" >/dev/null
    fi
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
  if [[ $STORAGE == s3 ]]; then
    cat <<SUMMARY
  Checkpoints:     s3://$S3_BUCKET/local/checkpoints (http://127.0.0.1:$S3_PORT, in memory until make stop)
  Savepoints:      s3://$S3_BUCKET/local/savepoints
SUMMARY
  else
    cat <<SUMMARY
  Checkpoints:     $DATA_DIR/checkpoints
  Savepoints:      $DATA_DIR/savepoints
SUMMARY
  fi
  cat <<SUMMARY
  Job output:      $DATA_DIR/output/{aggregates,alerts,malformed}
SUMMARY
  if [[ $SOURCE == kafka ]]; then
    cat <<SUMMARY
  Kafka:           localhost:$KAFKA_PORT, topics flows (filled by the job kafka-feeder) and alerts (instead of output/alerts)
  Read alerts:     $ENGINE exec flinkstack-kafka /opt/kafka/bin/kafka-console-consumer.sh --bootstrap-server localhost:$KAFKA_PORT --topic alerts --from-beginning --isolation-level read_committed
SUMMARY
  fi
  echo "  Stop it with:    make stop"
}

# sql [SCRIPT]: Flink's SQL client against the running local cluster, with the example job's jar (its
# 'traffic-flow' format and 'traffic-generator' connector); with SCRIPT, it runs that file and exits.
sql() {
  local script=${1:-} usrlib=$USRLIB
  [[ -z $script || -f $script ]] || { echo "cluster: no SQL script $script" >&2; exit 2; }
  if engine_available && [[ -n $("$ENGINE" ps --quiet --filter name=^flinkstack-jobmanager$) ]]; then
    local options=(--rm --interactive --network "$NETWORK" --label "$LABEL")
    [[ -t 0 && -t 1 ]] && options+=(--tty)
    [[ -n $script ]] && options+=(--volume "$(cd "$(dirname "$script")" && pwd)/$(basename "$script"):/sql/script.sql:ro")
    local args=(sql-client --jar "$usrlib/$JOB_JAR" --jar "$usrlib/$DEPENDENCIES_JAR")
    [[ -n $script ]] && args+=(-f /sql/script.sql)
    "$ENGINE" run "${options[@]}" "$JOBMANAGER_IMAGE" "${args[@]}"
  elif [[ -f $LOCAL_DIR/jobmanager.pid ]]; then
    local flink_home
    flink_home=$(local_flink_home)
    usrlib=$flink_home/usrlib
    local args=(sql-client --jar "$usrlib/$JOB_JAR" --jar "$usrlib/$DEPENDENCIES_JAR")
    [[ -n $script ]] && args+=(-f "$script")
    FLINK_HOME=$flink_home FLINK_PROPERTIES=$(local_properties "$JOB_MANAGER_METRICS_PORT") \
      FLINK_LOG_FILE=$LOCAL_DIR/logs/sql-client.log "$flink_home/bin/entrypoint.sh" "${args[@]}"
  else
    echo "cluster: no local cluster runs: start one with 'make run'" >&2
    exit 1
  fi
}

stop() {
  local pid_file
  if engine_available; then
    local containers=()
    mapfile -t containers < <("$ENGINE" ps --all --quiet --filter "label=$LABEL")
    # A container that removes itself (--rm) may be going already.
    ((${#containers[@]} == 0)) || "$ENGINE" rm --force "${containers[@]}" >/dev/null 2>&1 || true
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
  sql) shift; sql "$@" ;;
  stop) stop ;;
  engine-available) engine_available ;;
  *) usage ;;
esac
