#!/usr/bin/env bash
# Runs a build tool of build-tools/src/main/java, as built by Maven (make images builds it).
#
# Usage: tool.sh image-report TAR...
#        tool.sh image-extract TAR DIR PATH
#        tool.sh values-table CHART_DIR
set -euo pipefail

dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly dir
[[ -f $dir/target/classpath ]] || { echo "tool.sh: build-tools is not built: run 'make images'" >&2; exit 1; }
classpath="$dir/target/classes:$(<"$dir/target/classpath")"
readonly classpath

case ${1:-} in
  image-report) shift; exec java -cp "$classpath" dev.flinkstack.buildtools.ImageTar report "$@" ;;
  image-extract) shift; exec java -cp "$classpath" dev.flinkstack.buildtools.ImageTar extract "$@" ;;
  values-table) shift; exec java -cp "$classpath" dev.flinkstack.buildtools.ValuesTable "$@" ;;
  *) sed -n 's/^# \{0,1\}//; 4,6p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
esac
