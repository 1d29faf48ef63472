#!/usr/bin/env bash
# A local monitoring stack for the `docker run` cluster of local/cluster.sh: starts the cluster
# (application mode, the example job), Prometheus scraping the JobManager and every TaskManager with
# the chart's alert rules (charts/flink/rules), and Grafana with the chart's dashboards (charts/flink/dashboards) when a
# Grafana binary or image is available. Everything listens on 127.0.0.1 only.
#
# Usage: monitor.sh start [TASKMANAGERS]
#        monitor.sh stop
#
# Prometheus: the `prometheus` binary on the PATH (Debian/Ubuntu package `prometheus`), else the
# image $PROMETHEUS_IMAGE if the container engine has it. Grafana: `grafana` / `grafana-server` on the
# PATH (home $GRAFANA_HOME), else the image $GRAFANA_IMAGE if present; without either it is skipped.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly ENGINE=${CONTAINER_ENGINE:-docker}
readonly STATE_DIR=${LOCAL_DIR:-$ROOT/.local}/monitoring
# The dashboards and alert rules the Helm chart ships: their only copy.
readonly DASHBOARDS_DIR=$ROOT/charts/flink/dashboards
readonly RULES_DIR=$ROOT/charts/flink/rules
readonly PROMETHEUS_PORT=${PROMETHEUS_PORT:-9090}
readonly GRAFANA_PORT=${GRAFANA_PORT:-3000}
readonly PROMETHEUS_IMAGE=${PROMETHEUS_IMAGE:-prom/prometheus}
readonly GRAFANA_IMAGE=${GRAFANA_IMAGE:-grafana/grafana}
readonly GRAFANA_HOME=${GRAFANA_HOME:-/usr/share/grafana}
readonly LABEL=dev.flinkstack.local-monitoring=true
# Ports local/cluster.sh publishes the reporters on: JobManager 9249, TaskManager i 9249+i.
readonly JOB_MANAGER_METRICS_PORT=9249

usage() {
  sed -n 's/^# \{0,1\}//; 7,8p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

engine_has_image() {
  command -v "$ENGINE" >/dev/null && "$ENGINE" image inspect "$1" >/dev/null 2>&1
}

wait_for_url() {
  local what=$1 url=$2 started=$SECONDS
  until curl -sf "$url" >/dev/null 2>&1; do
    if ((SECONDS - started > 60)); then
      echo "monitor: timed out after 60s waiting for $what at $url" >&2
      return 1
    fi
    sleep 1
  done
}

write_prometheus_config() {
  local taskmanagers=$1 rules=$2 i targets=()
  for ((i = 1; i <= taskmanagers; i++)); do
    targets+=("'localhost:$((JOB_MANAGER_METRICS_PORT + i))'")
  done
  mkdir -p "$STATE_DIR/prometheus-data"
  cat >"$STATE_DIR/prometheus.yml" <<CONFIG
# Written by local/monitor.sh.
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $rules
scrape_configs:
  - job_name: flink-jobmanager
    static_configs:
      - targets: ['localhost:$JOB_MANAGER_METRICS_PORT']
  - job_name: flink-taskmanager
    static_configs:
      - targets: [$(IFS=,; echo "${targets[*]}")]
CONFIG
}

start_prometheus() {
  if command -v prometheus >/dev/null; then
    write_prometheus_config "$1" "$RULES_DIR/flink-alerts.yaml"
    nohup prometheus --config.file="$STATE_DIR/prometheus.yml" --storage.tsdb.path="$STATE_DIR/prometheus-data" \
      --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$STATE_DIR/prometheus.log" 2>&1 &
    echo $! >"$STATE_DIR/prometheus.pid"
  elif engine_has_image "$PROMETHEUS_IMAGE"; then
    write_prometheus_config "$1" /etc/prometheus/rules/flink-alerts.yaml
    # Host networking: the cluster publishes its metrics ports on the host's 127.0.0.1.
    "$ENGINE" run --detach --name flinkstack-prometheus --label "$LABEL" --network host \
      --volume "$STATE_DIR/prometheus.yml:/etc/prometheus/prometheus.yml:ro" \
      --volume "$RULES_DIR:/etc/prometheus/rules:ro" \
      "$PROMETHEUS_IMAGE" --config.file=/etc/prometheus/prometheus.yml \
      --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >/dev/null
  else
    echo "monitor: no Prometheus: install the 'prometheus' package (apt-get install prometheus) or load the image $PROMETHEUS_IMAGE" >&2
    return 1
  fi
  wait_for_url Prometheus "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
}

# Provisioning for Grafana: the Prometheus data source and a dashboards provider for $1 (a directory).
write_grafana_provisioning() {
  local dashboards=$1 dir=$STATE_DIR/grafana/provisioning
  mkdir -p "$dir/datasources" "$dir/dashboards" "$STATE_DIR/grafana/data"
  cat >"$dir/datasources/prometheus.yaml" <<YAML
apiVersion: 1
datasources:
  - name: Prometheus
    uid: prometheus
    type: prometheus
    access: proxy
    url: http://127.0.0.1:$PROMETHEUS_PORT
    isDefault: true
    jsonData:
      timeInterval: 5s
YAML
  cat >"$dir/dashboards/flink.yaml" <<YAML
apiVersion: 1
providers:
  - name: flink
    folder: Flink
    type: file
    allowUiUpdates: false
    options:
      path: $dashboards
YAML
}

# Grafana settings, one KEY=VALUE a line; $1 is the home dashboard file.
grafana_settings() {
  cat <<SETTINGS
GF_SERVER_HTTP_ADDR=127.0.0.1
GF_SERVER_HTTP_PORT=$GRAFANA_PORT
GF_AUTH_ANONYMOUS_ENABLED=true
GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer
GF_SECURITY_ADMIN_USER=admin
GF_SECURITY_ADMIN_PASSWORD=admin
GF_ANALYTICS_REPORTING_ENABLED=false
GF_ANALYTICS_CHECK_FOR_UPDATES=false
GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH=$1
SETTINGS
}

# Prints "started" when Grafana runs, "skipped" when there is no Grafana to run.
start_grafana() {
  local binary="" settings=() setting run_args=()
  if command -v grafana >/dev/null; then
    binary=grafana
  elif command -v grafana-server >/dev/null; then
    binary="grafana-server"
  fi
  if [[ -n $binary ]]; then
    write_grafana_provisioning "$DASHBOARDS_DIR"
    mapfile -t settings < <(grafana_settings "$DASHBOARDS_DIR/flink-cluster.json")
    settings+=("GF_PATHS_PROVISIONING=$STATE_DIR/grafana/provisioning" "GF_PATHS_DATA=$STATE_DIR/grafana/data"
      "GF_PATHS_LOGS=$STATE_DIR/grafana")
    run_args=(--homepath "$GRAFANA_HOME")
    [[ $binary == grafana ]] && run_args=(server "${run_args[@]}")
    env "${settings[@]}" nohup "$binary" "${run_args[@]}" >"$STATE_DIR/grafana.log" 2>&1 &
    echo $! >"$STATE_DIR/grafana.pid"
  elif engine_has_image "$GRAFANA_IMAGE"; then
    write_grafana_provisioning /var/lib/grafana/dashboards/flink
    mapfile -t settings < <(grafana_settings /var/lib/grafana/dashboards/flink/flink-cluster.json)
    for setting in "${settings[@]}"; do run_args+=(--env "$setting"); done
    "$ENGINE" run --detach --name flinkstack-grafana --label "$LABEL" --network host "${run_args[@]}" \
      --volume "$STATE_DIR/grafana/provisioning:/etc/grafana/provisioning:ro" \
      --volume "$DASHBOARDS_DIR:/var/lib/grafana/dashboards/flink:ro" \
      "$GRAFANA_IMAGE" >/dev/null
  else
    echo skipped
    return 0
  fi
  wait_for_url Grafana "http://127.0.0.1:$GRAFANA_PORT/api/health" >&2
  echo started
}

start() {
  local taskmanagers=${1:-2} grafana
  [[ $taskmanagers =~ ^[1-9][0-9]*$ ]] || { echo "monitor: TASKMANAGERS must be a positive number" >&2; exit 2; }
  stop_monitoring
  mkdir -p "$STATE_DIR"
  "$ROOT/local/cluster.sh" start application "$taskmanagers"
  start_prometheus "$taskmanagers"
  grafana=$(start_grafana)
  cat <<SUMMARY

Monitoring the local cluster:
  Prometheus:      http://localhost:$PROMETHEUS_PORT (targets: /targets, alerts: /alerts)
SUMMARY
  if [[ $grafana == started ]]; then
    cat <<SUMMARY
  Grafana:         http://localhost:$GRAFANA_PORT (folder Flink; admin/admin to edit)
                   http://localhost:$GRAFANA_PORT/d/flink-cluster  http://localhost:$GRAFANA_PORT/d/flink-job  http://localhost:$GRAFANA_PORT/d/flink-taskmanagers
SUMMARY
  else
    cat <<SUMMARY
  Grafana:         not started: no grafana binary and no $GRAFANA_IMAGE image. Import the dashboards in
                   charts/flink/dashboards into any Grafana with a Prometheus data source for http://localhost:$PROMETHEUS_PORT
SUMMARY
  fi
  echo "  Stop it with:    make monitor-stop"
}

stop_monitoring() {
  local pid_file containers=()
  for pid_file in "$STATE_DIR"/*.pid; do
    [[ -f $pid_file ]] || continue
    kill "$(cat "$pid_file")" 2>/dev/null || true
    rm -f "$pid_file"
  done
  if command -v "$ENGINE" >/dev/null && "$ENGINE" info >/dev/null 2>&1; then
    mapfile -t containers < <("$ENGINE" ps --all --quiet --filter "label=$LABEL")
    ((${#containers[@]} == 0)) || "$ENGINE" rm --force "${containers[@]}" >/dev/null
  fi
}

case ${1:-} in
  start) shift; start "$@" ;;
  stop) stop_monitoring; "$ROOT/local/cluster.sh" stop; echo "monitoring stopped" ;;
  *) usage ;;
esac
