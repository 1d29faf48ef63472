#!/usr/bin/env bash
# The official flink image's entrypoint path (Flink's native Kubernetes mode starts containers with
# it, kubernetes.entry.path): the images' entrypoint.
exec /opt/flink/bin/entrypoint.sh "$@"
