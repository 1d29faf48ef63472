#!/usr/bin/env bash
# flink-dist's bin/standalone-job.sh: `standalone-job.sh start-foreground [ARGS...]` (a container runs it in the foreground).
exec "$(dirname "$0")/entrypoint.sh" script standalone-job "$@"
