#!/usr/bin/env bash
# flink-dist's bin/kubernetes-jobmanager.sh, which Flink's native Kubernetes mode runs: `kubernetes-jobmanager.sh kubernetes-session|kubernetes-application [ARGS...]`.
exec "$(dirname "$0")/entrypoint.sh" kubernetes-jobmanager "$@"
