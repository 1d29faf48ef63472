#!/usr/bin/env bash
# flink-dist's bin/sql-gateway.sh: `sql-gateway.sh start-foreground [ARGS...]` (a container runs it in the foreground).
exec "$(dirname "$0")/entrypoint.sh" script sql-gateway "$@"
