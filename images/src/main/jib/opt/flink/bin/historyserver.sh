#!/usr/bin/env bash
# flink-dist's bin/historyserver.sh: `historyserver.sh start-foreground [ARGS...]` (a container runs it in the foreground).
exec "$(dirname "$0")/entrypoint.sh" script history-server "$@"
