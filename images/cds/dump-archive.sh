#!/usr/bin/env bash
# Dumps the images' class-data-sharing archive: the classes of flink.classlist, read from lib/'s jars
# and the base image's JRE, stored as the JVM maps them. Every JVM the entrypoint starts maps it, so
# a JobManager or TaskManager starts about a second faster.
#
# The JVM accepts an archive only with the same JRE and lib/ jars at the same paths, sizes and
# modification times as at run time, so the dump runs in a private mount namespace where the base
# image's JRE is /opt/java and the staged lib/ is /opt/flink/lib, with Jib's file times. Dumps of the
# same inputs differ in a few bytes, so an archive is kept per inputs in CACHE_DIR: a rebuild from the
# same inputs reuses it and makes the same image. Where a mount namespace cannot be made (no user
# namespaces, e.g. an unprivileged container), the images are built without the archive.
#
# Usage: dump-archive.sh BASE_IMAGE LIB_DIR CLASSLIST CACHE_DIR OUTPUT RPC_JAR
#        BASE_IMAGE is tar://PATH (a registry image has no archive).
#        RPC_JAR is flink-rpc-akka.jar, which Flink extracts from lib/ at run time; the classlist names
#        it relative to the directory the dump runs in (see rpc-classes.awk).
set -euo pipefail

readonly base_image=$1 lib_dir=$2 classlist=$3 cache_dir=$4 output=$5 rpc_jar=$6
# Jib's default modification time of every file it puts into an image.
readonly jib_file_time=@1

notice() {
  rm -f "$output"
  echo "class-data-sharing: $*; the images are built without the archive (they start about a second slower)" >&2
  exit 0
}

[[ $base_image == tar://* ]] || notice "the base image $base_image is not a tar"
readonly base_tar=${base_image#tar://}
mapfile -t jars < <(LC_ALL=C compgen -G "$lib_dir/*.jar" | LC_ALL=C sort)
key=$({
  sha256sum "$base_tar" "$classlist" "${BASH_SOURCE[0]}" | cut -d' ' -f1
  for jar in "${jars[@]}"; do echo "${jar##*/} $(stat -c %s "$jar")"; done
} | sha256sum | cut -c1-16)
readonly archive=$cache_dir/flink-$key.jsa

if [[ ! -f $archive ]]; then
  if ! unshare --mount --map-root-user true 2>/dev/null; then
    notice "no mount namespace can be made here"
  fi
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  layer=$(tar -xOf "$base_tar" manifest.json | sed 's/.*"Layers":\["\([^"]*\)".*/\1/')
  tar -xOf "$base_tar" "$layer" | tar -x -C "$work" ./opt/java
  touch -d "$jib_file_time" "${jars[@]}"
  classpath=$(printf '/opt/flink/lib/%s:' "${jars[@]##*/}")
  # shellcheck disable=SC2016 # expanded by the namespace's shell
  unshare --mount --map-root-user bash -euc '
    cd "$6"
    mount -t tmpfs tmpfs /opt
    mkdir -p /opt/java /opt/flink/lib
    mount --bind "$1" /opt/java
    mount --bind "$2" /opt/flink/lib
    /opt/java/bin/java -Xshare:dump -XX:SharedClassListFile="$3" -XX:SharedArchiveFile="$4" -cp "$5"
  ' _ "$work/opt/java" "$lib_dir" "$classlist" "$work/flink.jsa" "${classpath%:}" "$(dirname "$rpc_jar")" >"$work/dump.log" 2>&1 ||
    { tail -n 20 "$work/dump.log" >&2; echo "class-data-sharing: the dump failed (its log is above)" >&2; exit 1; }
  mkdir -p "$cache_dir"
  mv "$work/flink.jsa" "$archive"
fi
install -D -m 444 "$archive" "$output"
echo "class-data-sharing: $output ($(du -h "$output" | cut -f1), $(grep -vc '^#' "$classlist") classes)"
