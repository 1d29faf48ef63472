#!/usr/bin/env bash
# Entrypoint of the flinkstack JobManager and TaskManager images.
#
# It starts Flink's own entrypoint classes directly (there is no flink-dist and no bin/ scripts),
# computing the JVM memory flags the way Flink's scripts do. It never writes to the configuration
# directory: overrides from FLINK_PROPERTIES and -D arguments are passed as dynamic properties, so
# a read-only ConfigMap mount and a read-only root filesystem work.
set -euo pipefail

readonly FLINK_HOME=${FLINK_HOME:-/opt/flink}
readonly FLINK_CONF_DIR=${FLINK_CONF_DIR:-$FLINK_HOME/conf}
export FLINK_HOME FLINK_CONF_DIR
readonly FLINK_CLASSPATH="$FLINK_HOME/libs/*"
readonly LAUNCHER_CLASSPATH="$FLINK_HOME/classes:$FLINK_HOME/libs/*"

# Java 17 module access Flink needs (flink-dist ships these in env.java.opts.all). Added here so a
# user-supplied config.yaml cannot lose them.
readonly JAVA_MODULE_OPTS=(
  --add-exports=java.base/sun.net.util=ALL-UNNAMED
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED
  --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

usage() {
  cat <<'USAGE'
Usage: <image> COMMAND [ARGS...]

Commands:
  jobmanager [-Dkey=value ...]
      Start a JobManager of a session cluster; jobs are submitted through the REST API (port 8081).
  standalone-job [--job-classname CLASS] [--fromSavepoint PATH] [--allowNonRestoredState]
                 [-Dkey=value ...] [JOB ARGUMENTS ...]
      Start a JobManager of an application (job) cluster that runs the job in /opt/flink/usrlib.
      Without --job-classname, the jar's Main-Class is used.
  taskmanager [-Dkey=value ...]
      Start a TaskManager that registers with the JobManager at jobmanager.rpc.address.
  flink ARGS...
      Flink's command-line client, e.g. "flink run -m jobmanager:8081 -d /opt/flink/usrlib/traffic-analytics.jar"
      or "flink list -m jobmanager:8081".
  control wait [--rest URL] [--timeout DURATION] [--taskmanagers N] [--running-job] [--job-name NAME]
      Wait until the cluster's REST API answers (default $FLINK_REST_URL or http://localhost:8081), at
      least N TaskManagers are registered, and a job (named NAME) runs with all its tasks.
  help
      Print this message.
  Any other command that is an executable in the image (bash, java, ...) is run as given.

Environment:
  FLINK_PROPERTIES         Lines of "key: value" applied over conf/config.yaml (values may contain spaces).
  JOB_MANAGER_RPC_ADDRESS  Host name or IP of the JobManager (jobmanager.rpc.address and rest.address).
  FLINK_LOG_FORMAT         "text" (default) or "json" (one ECS JSON object per line).
  FLINK_CONF_DIR           Configuration directory (default /opt/flink/conf); never written to.
  DISABLE_JEMALLOC         "true" to use glibc malloc instead of jemalloc.
USAGE
}

die() {
  echo "entrypoint: $*" >&2
  exit 1
}

# Prints one "-Dkey=value" per line for each FLINK_PROPERTIES line "key: value". The value keeps its
# inner spaces; only the blanks around key and value are trimmed.
properties_from_environment() {
  local line key value number=0
  if [[ -n ${JOB_MANAGER_RPC_ADDRESS:-} ]]; then
    printf -- '-Djobmanager.rpc.address=%s\n' "$JOB_MANAGER_RPC_ADDRESS"
    printf -- '-Drest.address=%s\n' "$JOB_MANAGER_RPC_ADDRESS"
  fi
  while IFS= read -r line || [[ -n $line ]]; do
    number=$((number + 1))
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    if [[ ! $line =~ ^[[:space:]]*([^:[:space:]]+)[[:space:]]*:(.*)$ ]]; then
      die "FLINK_PROPERTIES line $number is not 'key: value': $line"
    fi
    key=${BASH_REMATCH[1]}
    value=${BASH_REMATCH[2]}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    printf -- '-D%s=%s\n' "$key" "$value"
  done <<<"${FLINK_PROPERTIES:-}"
}

# Collects the -Dkey=value / -D key=value arguments of the command line (for the memory calculation).
dynamic_properties_from_args() {
  while (($# > 0)); do
    case $1 in
      -D) (($# > 1)) && printf -- '-D%s\n' "$2"; shift ;;
      -D*) printf -- '%s\n' "$1" ;;
    esac
    shift
  done
}

use_jemalloc() {
  local library
  [[ ${DISABLE_JEMALLOC:-false} == true ]] && return 0
  for library in /usr/lib/*-linux-gnu/libjemalloc.so.2; do
    if [[ -f $library ]]; then
      export LD_PRELOAD=${LD_PRELOAD:+$LD_PRELOAD:}$library
      return 0
    fi
  done
}

# run_flink ROLE MAIN_CLASS [ARGS...]: computes memory flags for ROLE, then execs MAIN_CLASS.
run_flink() {
  local role=$1 main_class=$2
  shift 2
  [[ -r $FLINK_CONF_DIR/config.yaml ]] ||
    die "cannot read $FLINK_CONF_DIR/config.yaml as uid $(id -u) (set FLINK_CONF_DIR or mount it readable)"

  local env_properties=() arg_properties=() lines launch_output line
  lines=$(properties_from_environment) || exit 1
  [[ -n $lines ]] && mapfile -t env_properties <<<"$lines"
  lines=$(dynamic_properties_from_args "$@")
  [[ -n $lines ]] && mapfile -t arg_properties <<<"$lines"

  local jvm_flags=() dynamic_args=()
  if ! launch_output=$(java -XX:TieredStopAtLevel=1 -cp "$LAUNCHER_CLASSPATH" \
      -Dlog4j2.level=WARN dev.flinkstack.launcher.LaunchParameters "$role" \
      --configDir "$FLINK_CONF_DIR" "${env_properties[@]}" "${arg_properties[@]}" 2>&1); then
    die "$launch_output"
  fi
  while IFS= read -r line; do
    case $line in
      "jvm "*) jvm_flags+=("${line#jvm }") ;;
      "dynamic "*) dynamic_args+=("${line#dynamic }") ;;
    esac
  done <<<"$launch_output"

  local log_appender=text
  case ${FLINK_LOG_FORMAT:-text} in
    text) ;;
    json) log_appender=json ;;
    *) die "FLINK_LOG_FORMAT must be 'text' or 'json', not '${FLINK_LOG_FORMAT}'" ;;
  esac

  use_jemalloc
  cd "$FLINK_HOME"
  exec java "${jvm_flags[@]}" "${JAVA_MODULE_OPTS[@]}" \
    -Dlog4j.configurationFile="file:$FLINK_CONF_DIR/log4j-console.properties" \
    -Dflinkstack.log.appender="$log_appender" \
    -classpath "$FLINK_CLASSPATH" "$main_class" \
    --configDir "$FLINK_CONF_DIR" "${dynamic_args[@]}" "${env_properties[@]}" "$@"
}

main() {
  local command=${1:-help}
  (($# > 0)) && shift
  case $command in
    jobmanager)
      run_flink jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "$@" ;;
    standalone-job)
      run_flink jobmanager org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint "$@" ;;
    taskmanager)
      run_flink taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$@" ;;
    flink)
      cd "$FLINK_HOME"
      exec java "${JAVA_MODULE_OPTS[@]}" -Dlog4j2.level=ERROR -classpath "$FLINK_CLASSPATH" \
        org.apache.flink.client.cli.CliFrontend "$@" ;;
    control)
      exec java -XX:TieredStopAtLevel=1 -cp "$LAUNCHER_CLASSPATH" dev.flinkstack.control.Control "$@" ;;
    help | -h | --help)
      usage ;;
    *)
      if [[ $command != -* ]] && command -v "$command" >/dev/null; then
        exec "$command" "$@"
      fi
      echo "entrypoint: unknown command '$command'" >&2
      usage >&2
      exit 2 ;;
  esac
}

main "$@"
