#!/usr/bin/env bash
# Entrypoint of the flinkstack images (also /docker-entrypoint.sh, the official image's path), and
# the one implementation behind the bin/ scripts of flink-dist's names (flink, jobmanager.sh, ...).
#
# It takes the official image's commands and environment variables, and starts Flink's classes
# directly. Before any Flink process starts, one short JVM (LaunchParameters) loads the
# configuration with every override, expands ${VAR} references from the environment, validates it,
# computes the JVM memory flags the way Flink's scripts do, and writes the effective config.yaml
# into a private directory under /tmp: the configuration directory itself is never written (a
# read-only ConfigMap mount and a read-only root filesystem work), and no value from the
# environment appears in a process's arguments.
set -euo pipefail

readonly FLINK_HOME=${FLINK_HOME:-/opt/flink}
FLINK_CONF_DIR=${FLINK_CONF_DIR:-$FLINK_HOME/conf}
# The directories flink-dist's config.sh exports; Flink reads some of them (the SQL driver finds the
# SQL Gateway's jar through FLINK_OPT_DIR, plugins load from FLINK_PLUGINS_DIR).
readonly FLINK_BIN_DIR=$FLINK_HOME/bin FLINK_LIB_DIR=$FLINK_HOME/lib FLINK_OPT_DIR=$FLINK_HOME/opt
FLINK_PLUGINS_DIR=${FLINK_PLUGINS_DIR:-$FLINK_HOME/plugins}
export FLINK_HOME FLINK_BIN_DIR FLINK_LIB_DIR FLINK_OPT_DIR FLINK_PLUGINS_DIR
# lib/'s jars in name order, as the class-data-sharing archive was dumped (images/cds), then classes/:
# the images' own code (the launcher, the control command and, in the JobManager, the job status
# listener of the chart's job lifecycle).
FLINK_CLASSPATH=$(LC_ALL=C; printf '%s:' "$FLINK_HOME"/lib/*.jar)
readonly FLINK_CLASSPATH=$FLINK_CLASSPATH$FLINK_HOME/classes
# Every JVM maps the archive where the image has one. A derived image with other jars in lib/ starts
# without it, as fast as the official image; -Xlog keeps the JVM's notice of that off the output.
CLASS_DATA_SHARING=()
if [[ -f $FLINK_HOME/cds/flink.jsa ]]; then
  CLASS_DATA_SHARING=(-XX:SharedArchiveFile="$FLINK_HOME/cds/flink.jsa" -Xshare:auto -Xlog:cds=off -Xlog:class+path=off)
fi
readonly CLASS_DATA_SHARING

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

Commands (those of the official flink image, and more):
  jobmanager [HOST [WEBUI_PORT]] [-Dkey=value ...]
      JobManager of a session cluster; jobs are submitted through the REST API (port 8081).
  standalone-job [--job-classname CLASS] [--job-id ID] [--jars JAR[,JAR...]] [--fromSavepoint PATH]
                 [--allowNonRestoredState] [--host HOST] [-Dkey=value ...] [JOB ARGUMENTS ...]
      JobManager of an application (job) cluster that runs the job in /opt/flink/usrlib (or --jars).
  taskmanager [-Dkey=value ...]
      TaskManager that registers with the JobManager at jobmanager.rpc.address.
  history-server [-Dkey=value ...]
      History server (port 8082) for the jobs archived under historyserver.archive.fs.dir.
  sql-gateway [-Dkey=value ...]
      SQL Gateway (REST endpoint, port 8083) in front of the cluster at rest.address.
  sql-client [ARGS...]
      Flink's SQL client, e.g. "sql-client" (embedded, against rest.address) or "sql-client -f script.sql".
  flink ARGS...
      Flink's command-line client, e.g. "flink run -m jobmanager:8081 -d /opt/flink/usrlib/traffic-analytics.jar".
  control wait [--rest URL] [--timeout DURATION] [--taskmanagers N] [--running-job] [--job-name NAME]
      Wait until the cluster's REST API answers (default $FLINK_REST_URL or http://localhost:8081), at
      least N TaskManagers are registered, and a job (named NAME) runs with all its tasks.
  control savepoint --job-id ID [--rest URL] [--timeout DURATION] [--suspend] [--unless-definition HASH]
      Stop the application's job with a savepoint that its next JobManager restores (the Helm chart's
      upgrade, rollback, suspend and uninstall hook); fails, changing nothing, when it cannot.
  help
      Print this message.
  Any other command that is an executable in the image (bash, java, ...) is run as given.
  Flink's native Kubernetes mode calls kubernetes-jobmanager.sh and kubernetes-taskmanager.sh (on PATH).

Environment:
  FLINK_PROPERTIES                   Lines of "key: value" over conf/config.yaml (values may contain spaces).
  JOB_MANAGER_RPC_ADDRESS            Host name or IP of the JobManager (jobmanager.rpc.address, rest.address).
  TASK_MANAGER_NUMBER_OF_TASK_SLOTS  taskmanager.numberOfTaskSlots.
  ENABLE_BUILT_IN_PLUGINS            Jars of /opt/flink/opt to load as plugins, "a.jar;b.jar".
  DISABLE_JEMALLOC                   "true" to use glibc malloc instead of jemalloc.
  FLINK_LOG_FORMAT                   "text" (default) or "json" (one ECS JSON object per line).
  FLINK_LOG_FILE                     Log to this file instead of the console (sql-client: /tmp/flink-sql-client.log).
  FLINK_CONF_DIR                     Configuration directory (default /opt/flink/conf); never written to.
  ${VAR} in a configuration value (config.yaml or FLINK_PROPERTIES) is replaced by the variable VAR.
USAGE
}

die() {
  echo "entrypoint: $*" >&2
  exit 1
}

# Prints one "-Dkey=value" per line for the configuration the environment sets: JOB_MANAGER_RPC_ADDRESS,
# TASK_MANAGER_NUMBER_OF_TASK_SLOTS, and each FLINK_PROPERTIES line "key: value" (the value keeps its
# inner spaces; only the blanks around key and value are trimmed).
properties_from_environment() {
  local line key value number=0
  if [[ -n ${JOB_MANAGER_RPC_ADDRESS:-} ]]; then
    printf -- '-Djobmanager.rpc.address=%s\n' "$JOB_MANAGER_RPC_ADDRESS"
    printf -- '-Drest.address=%s\n' "$JOB_MANAGER_RPC_ADDRESS"
  fi
  if [[ -n ${TASK_MANAGER_NUMBER_OF_TASK_SLOTS:-} ]]; then
    printf -- '-Dtaskmanager.numberOfTaskSlots=%s\n' "$TASK_MANAGER_NUMBER_OF_TASK_SLOTS"
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

# The job id of a standalone-job command line (--job-id ID or -jid ID); status 1 without one.
job_id_from_args() {
  while (($# > 1)); do
    [[ $1 == --job-id || $1 == -jid ]] && { printf '%s\n' "$2"; return 0; }
    shift
  done
  return 1
}

# The arguments a session JobManager takes from a standalone-job command line: -D properties.
cluster_args() {
  while (($# > 0)); do
    case $1 in
      -D) (($# > 1)) && printf '%s\n' "$1" "$2"; shift ;;
      -D*) printf '%s\n' "$1" ;;
    esac
    shift
  done
}

# Sets ARGS to the command line with --host HOST (or -h HOST) as -Djobmanager.rpc.address=HOST: what
# the option means in the official image, which Flink 2.3's entrypoints parse but ignore.
host_as_property() {
  ARGS=()
  while (($# > 0)); do
    case $1 in
      --host | -h) (($# > 1)) && ARGS+=("-Djobmanager.rpc.address=$2"); shift ;;
      *) ARGS+=("$1") ;;
    esac
    shift
  done
}

# Collects the -Dkey=value / -D key=value arguments of the command line.
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

# ENABLE_BUILT_IN_PLUGINS="a.jar;b.jar": a plugins directory under /tmp with the image's plugins and
# these jars of opt/, each in a folder named after it, as the official image's entrypoint links them
# into plugins/ (which stays read-only here).
enable_built_in_plugins() {
  [[ -n ${ENABLE_BUILT_IN_PLUGINS:-} ]] || return 0
  local plugins_dir jar plugin
  local -a jars
  IFS=';' read -r -a jars <<<"$ENABLE_BUILT_IN_PLUGINS"
  for jar in "${jars[@]}"; do
    [[ -z $jar || -f $FLINK_HOME/opt/$jar ]] && continue
    die "ENABLE_BUILT_IN_PLUGINS: no $jar in $FLINK_HOME/opt; it has: $(cd "$FLINK_HOME/opt" && echo *.jar)"
  done
  plugins_dir=$(mktemp -d "${TMPDIR:-/tmp}/flink-plugins.XXXXXX")
  for plugin in "$FLINK_PLUGINS_DIR"/*/; do
    ln -s "$plugin" "$plugins_dir/$(basename "$plugin")"
  done
  for jar in "${jars[@]}"; do
    [[ -n $jar ]] || continue
    mkdir -p "$plugins_dir/${jar%.jar}"
    ln -sf "$FLINK_HOME/opt/$jar" "$plugins_dir/${jar%.jar}/$jar"
  done
  export FLINK_PLUGINS_DIR=$plugins_dir
}

# prepare ROLE [ARGS...]: validates the configuration with every override and writes the effective
# config.yaml into a new directory under /tmp; sets EFFECTIVE_CONF_DIR and, for the JobManager and
# TaskManager roles, JVM_FLAGS (memory flags and env.java.opts.*). For an application's JobManager
# with a fixed job id (role "application", --job-id) the launcher also picks the state the job
# starts from, or sets MAIN_CLASS to a session JobManager when the job already ended.
prepare() {
  local role=$1
  shift
  [[ -r $FLINK_CONF_DIR/config.yaml ]] ||
    die "cannot read $FLINK_CONF_DIR/config.yaml as uid $(id -u) (set FLINK_CONF_DIR or mount it readable)"

  local env_properties=() arg_properties=() job_id=() lines launch_output line
  lines=$(properties_from_environment) || exit 1
  [[ -n $lines ]] && mapfile -t env_properties <<<"$lines"
  lines=$(dynamic_properties_from_args "$@")
  [[ -n $lines ]] && mapfile -t arg_properties <<<"$lines"
  if [[ $role == application ]] && lines=$(job_id_from_args "$@"); then
    job_id=(--job-id "$lines")
  fi
  enable_built_in_plugins

  EFFECTIVE_CONF_DIR=$(mktemp -d "${TMPDIR:-/tmp}/flink-conf.XXXXXX")
  # The other files of the configuration directory (log4j, pod templates, ...) stay as they are.
  local file
  for file in "$FLINK_CONF_DIR"/*; do
    [[ -e $file && $(basename "$file") != config.yaml ]] && ln -s "$file" "$EFFECTIVE_CONF_DIR/"
  done
  JVM_FLAGS=()
  if ! launch_output=$(java "${CLASS_DATA_SHARING[@]}" -XX:TieredStopAtLevel=1 -cp "$FLINK_CLASSPATH" \
      -Dlog4j2.level=WARN dev.flinkstack.launcher.LaunchParameters "$role" --configDir "$FLINK_CONF_DIR" \
      --writeConfig "$EFFECTIVE_CONF_DIR" "${job_id[@]}" "${env_properties[@]}" "${arg_properties[@]}" 2>&1); then
    die "$launch_output"
  fi
  while IFS= read -r line; do
    case $line in
      "jvm "*) JVM_FLAGS+=("${line#jvm }") ;;
      "main-class "*) MAIN_CLASS=${line#main-class } ;;
      "notice "*) echo "entrypoint: ${line#notice }" >&2 ;;
    esac
  done <<<"$launch_output"
}

log_options() {
  local appender=text
  case ${FLINK_LOG_FORMAT:-text} in
    text) ;;
    json) appender=json ;;
    *) die "FLINK_LOG_FORMAT must be 'text' or 'json', not '${FLINK_LOG_FORMAT}'" ;;
  esac
  if [[ -n ${FLINK_LOG_FILE:-} ]]; then
    # A terminal UI (the SQL client) owns the console: its log goes to this file instead.
    cat >"$EFFECTIVE_CONF_DIR/log4j-file.properties" <<PROPERTIES
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
appender.file.name = file
appender.file.type = File
appender.file.fileName = $FLINK_LOG_FILE
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss,SSS} %-5p %-60c %x - %m%n
PROPERTIES
    printf '%s\n' "-Dlog4j.configurationFile=file:$EFFECTIVE_CONF_DIR/log4j-file.properties"
    return
  fi
  # Logging follows the mounted file, so a changed ConfigMap applies without a restart.
  printf '%s\n' "-Dlog4j.configurationFile=file:$FLINK_CONF_DIR/log4j-console.properties" \
    "-Dflinkstack.log.appender=$appender"
}

# run_flink ROLE MAIN_CLASS [ARGS...]: a JobManager or TaskManager process. When the launcher says the
# application's job already ended, a session JobManager starts instead, with the cluster arguments only.
run_flink() {
  local role=$1 logging=() args=("${@:3}")
  MAIN_CLASS=$2
  prepare "$role" "${args[@]}"
  if [[ $MAIN_CLASS != "$2" ]]; then
    mapfile -t args < <(cluster_args "${args[@]}")
  fi
  mapfile -t logging < <(log_options) || exit 1
  use_jemalloc
  cd "$FLINK_HOME"
  export FLINK_CONF_DIR=$EFFECTIVE_CONF_DIR
  exec java "${CLASS_DATA_SHARING[@]}" "${JVM_FLAGS[@]}" "${JAVA_MODULE_OPTS[@]}" "${logging[@]}" -classpath "$FLINK_CLASSPATH" \
    "$MAIN_CLASS" --configDir "$EFFECTIVE_CONF_DIR" "${args[@]}"
}

# run_tool EXTRA_CLASSPATH MAIN_CLASS [ARGS...]: a client-side process (CLI, SQL client and gateway,
# history server) with the effective configuration in FLINK_CONF_DIR, as Flink's scripts give it.
# An argument "@CONF_DIR@" becomes that directory.
run_tool() {
  local extra_classpath=$1 main_class=$2 logging=() args=() arg
  shift 2
  prepare client "$@"
  mapfile -t logging < <(log_options) || exit 1
  for arg in "$@"; do
    args+=("${arg/#@CONF_DIR@/$EFFECTIVE_CONF_DIR}")
  done
  cd "$FLINK_HOME"
  export FLINK_CONF_DIR=$EFFECTIVE_CONF_DIR
  exec java "${CLASS_DATA_SHARING[@]}" "${JAVA_MODULE_OPTS[@]}" "${logging[@]}" \
    -classpath "$FLINK_CLASSPATH${extra_classpath:+:$extra_classpath}" "$main_class" "${args[@]}"
}

# The jar of opt/ whose name starts with NAME, e.g. opt_jar flink-sql-gateway.
opt_jar() {
  local jar
  for jar in "$FLINK_HOME"/opt/"$1"-*.jar; do
    [[ -f $jar ]] && { echo "$jar"; return 0; }
  done
  die "no $1 jar in $FLINK_HOME/opt"
}

# jobmanager [HOST [WEBUI_PORT]] [ARGS...], as the official image and flink-dist's jobmanager.sh.
# (Flink 2.3's entrypoint ignores --webui-port, so the port is passed as rest.port.)
jobmanager() {
  local args=()
  if (($# > 0)) && [[ $1 != -* ]]; then
    args+=("-Djobmanager.rpc.address=$1")
    shift
    if (($# > 0)) && [[ $1 != -* ]]; then
      args+=("-Drest.port=$1")
      shift
    fi
  fi
  host_as_property "$@"
  run_flink jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint "${args[@]}" "${ARGS[@]}"
}

main() {
  local command=${1:-help}
  (($# > 0)) && shift
  case $command in
    jobmanager)
      jobmanager "$@" ;;
    standalone-job)
      host_as_property "$@"
      run_flink application org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint "${ARGS[@]}" ;;
    taskmanager)
      run_flink taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner "$@" ;;
    kubernetes-jobmanager)
      case ${1:-} in
        kubernetes-session) shift
          run_flink jobmanager org.apache.flink.kubernetes.entrypoint.KubernetesSessionClusterEntrypoint "$@" ;;
        kubernetes-application) shift
          run_flink jobmanager org.apache.flink.kubernetes.entrypoint.KubernetesApplicationClusterEntrypoint "$@" ;;
        *) echo "usage: kubernetes-jobmanager.sh kubernetes-session|kubernetes-application [ARGS...]" >&2; exit 2 ;;
      esac ;;
    kubernetes-taskmanager)
      run_flink taskmanager org.apache.flink.kubernetes.taskmanager.KubernetesTaskExecutorRunner "$@" ;;
    history-server)
      run_tool "" org.apache.flink.runtime.webmonitor.history.HistoryServer --configDir @CONF_DIR@ "$@" ;;
    sql-gateway)
      run_tool "$(opt_jar flink-sql-gateway)" org.apache.flink.table.gateway.SqlGateway "$@" ;;
    sql-client)
      # Its history file defaults to the home directory, /opt/flink: read-only.
      local mode=()
      [[ ${1:-} == embedded || ${1:-} == gateway ]] && { mode=("$1"); shift; }
      FLINK_LOG_FILE=${FLINK_LOG_FILE:-${TMPDIR:-/tmp}/flink-sql-client.log} \
        run_tool "$(opt_jar flink-sql-client):$(opt_jar flink-sql-gateway)" org.apache.flink.table.client.SqlClient \
        "${mode[@]}" --history "${TMPDIR:-/tmp}/flink-sql-history" "$@" ;;
    flink)
      run_tool "" org.apache.flink.client.cli.CliFrontend "$@" ;;
    control)
      run_tool "" dev.flinkstack.control.Control "$@" ;;
    script)
      # flink-dist's daemon scripts: NAME.sh start-foreground [ARGS...].
      [[ ${2:-} == start-foreground ]] || {
        echo "usage: $1.sh start-foreground [ARGS...] (in a container Flink runs in the foreground; stop the container to stop it)" >&2
        exit 2
      }
      main "$1" "${@:3}" ;;
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
