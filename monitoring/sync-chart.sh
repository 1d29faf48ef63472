#!/usr/bin/env bash
# Copies the Grafana dashboards and Prometheus alert rules of monitoring/ into the Helm chart, which can
# only read files inside its own directory. monitoring/ is the only source: never edit the copies.
#
# Usage: sync-chart.sh           copy monitoring/dashboards/*.json -> charts/flink/dashboards/
#                                     monitoring/alerts/*.yaml      -> charts/flink/rules/
#        sync-chart.sh --check   change nothing; exit 1 and show the differences if the copies drifted
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
readonly CHART=${CHART_DIR:-$ROOT/charts/flink}

# source directory, file pattern, chart directory
readonly PAIRS=(
  "$ROOT/monitoring/dashboards" "*.json" "$CHART/dashboards"
  "$ROOT/monitoring/alerts" "*.yaml" "$CHART/rules"
)

usage() {
  sed -n 's/^# \{0,1\}//; 5,7p' "${BASH_SOURCE[0]}" >&2
  exit 2
}

sync() {
  local i source pattern target file
  for ((i = 0; i < ${#PAIRS[@]}; i += 3)); do
    source=${PAIRS[i]} pattern=${PAIRS[i + 1]} target=${PAIRS[i + 2]}
    mkdir -p "$target"
    # Copies of files that no longer exist in monitoring/ go too.
    for file in "$target"/$pattern; do
      [[ -e $file && ! -e $source/$(basename "$file") ]] && rm -f "$file"
    done
    for file in "$source"/$pattern; do
      cp "$file" "$target/"
    done
  done
  echo "monitoring: dashboards and rules copied into ${CHART#"$ROOT"/}"
}

check() {
  local i source pattern target file name drift=0
  for ((i = 0; i < ${#PAIRS[@]}; i += 3)); do
    source=${PAIRS[i]} pattern=${PAIRS[i + 1]} target=${PAIRS[i + 2]}
    local -A names=()
    for file in "$source"/$pattern "$target"/$pattern; do
      [[ -e $file ]] && names[$(basename "$file")]=1
    done
    for name in "${!names[@]}"; do
      if ! cmp -s "$source/$name" "$target/$name"; then
        drift=1
        echo "drift: ${target#"$ROOT"/}/$name differs from ${source#"$ROOT"/}/$name" >&2
        diff -u "$source/$name" "$target/$name" 2>&1 | head -20 >&2 || true
      fi
    done
    unset names
  done
  if ((drift)); then
    echo "monitoring: the chart's copies drifted from monitoring/: run 'make sync-monitoring'" >&2
    return 1
  fi
  echo "monitoring: the chart's dashboards and rules equal monitoring/"
}

case ${1:-} in
  "") sync ;;
  --check) check ;;
  *) usage ;;
esac
