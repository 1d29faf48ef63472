#!/usr/bin/env bash
# flink-dist's bin/sql-client.sh: Flink's SQL client.
exec "$(dirname "$0")/entrypoint.sh" sql-client "$@"
