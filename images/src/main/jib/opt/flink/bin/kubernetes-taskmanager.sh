#!/usr/bin/env bash
# flink-dist's bin/kubernetes-taskmanager.sh, which Flink's native Kubernetes mode runs.
exec "$(dirname "$0")/entrypoint.sh" kubernetes-taskmanager "$@"
