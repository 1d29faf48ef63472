#!/usr/bin/env bash
# Builds the offline base image of the Flink images: a minimal Debian root filesystem (mmdebstrap)
# plus a jlink'ed JRE 17 from this machine's JDK, written as a docker-archive tar that Jib reads
# through tar:// and `docker load` accepts. No registry and no container engine are needed.
#
# Usage: build-base-image.sh OUTPUT_TAR [IMAGE_REFERENCE]
set -euo pipefail

readonly output_tar=${1:?usage: build-base-image.sh OUTPUT_TAR [IMAGE_REFERENCE]}
readonly image_reference=${2:-flinkstack/jre-base:17}
readonly suite=bookworm
# This machine's own apt sources: the mirror it can reach.
apt_sources=${APT_SOURCES:-$(find /etc/apt/sources.list.d -name "*.sources" 2>/dev/null | sort | head -n 1)}
readonly apt_sources=${apt_sources:-/etc/apt/sources.list}
readonly java_home=${JDK_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}
# Debian packages the JRE and Flink need at run time: bash for the entrypoint, libstdc++ for RocksDB's
# JNI library, zlib for the JRE, jemalloc to keep RocksDB's native memory from fragmenting.
readonly packages=base-files,base-passwd,bash,coreutils,libc6,libgcc-s1,libstdc++6,zlib1g,tzdata,libjemalloc2
# JDK modules used by Flink 2.3 and its reporters (jdk.httpserver: Prometheus endpoint; java.rmi and
# jdk.management: JMX and CPU metrics; jdk.unsupported: Unsafe for Flink's memory segments;
# jdk.security.auth: Hadoop's login (UnixLoginModule), which the S3, GCS and Azure file systems run;
# java.compiler: javax.lang.model, which the Table planner checks class names with, e.g. for COUNT(DISTINCT)).
readonly java_modules=java.base,java.compiler,java.desktop,java.instrument,java.logging,java.management,java.management.rmi,java.naming,java.net.http,java.prefs,java.rmi,java.scripting,java.security.jgss,java.security.sasl,java.sql,java.transaction.xa,java.xml,jdk.charsets,jdk.crypto.ec,jdk.httpserver,jdk.jdwp.agent,jdk.jfr,jdk.management,jdk.management.agent,jdk.naming.dns,jdk.net,jdk.security.auth,jdk.unsupported,jdk.zipfs

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs

# chrootless: the packages are only unpacked, so no chroot, mount or user namespace is needed (this
# also works in an unprivileged container).
mmdebstrap --quiet --mode=chrootless --variant=extract --include="$packages" \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  "$suite" "$rootfs" "$apt_sources"

# Only what a container needs: drop apt state, docs and man pages.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/usr/share/{doc,man,info,locale}/*

"$java_home/bin/jlink" --add-modules "$java_modules" --output "$rootfs/opt/java" \
  --strip-debug --no-man-pages --no-header-files --compress=2

# The extract variant runs no maintainer scripts, so write the accounts ourselves. uid/gid 9999 is
# the `flink` user of the official Flink images, so volumes and securityContexts carry over.
cat > "$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/bash
flink:x:9999:9999:Apache Flink:/opt/flink:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
cat > "$rootfs/etc/group" <<'GROUP'
root:x:0:
flink:x:9999:
nogroup:x:65534:
GROUP
mkdir -p "$rootfs/tmp" "$rootfs/root"
chmod 1777 "$rootfs/tmp"

# Reproducible layer: sorted entries, fixed owner and mtime.
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$rootfs" -cf "$work/layer.tar" .
layer_digest=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)

cat > "$work/config.json" <<CONFIG
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"Env":["PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"]},
 "rootfs":{"type":"layers","diff_ids":["sha256:$layer_digest"]}}
CONFIG
config_digest=$(sha256sum "$work/config.json" | cut -d' ' -f1)
mv "$work/config.json" "$work/$config_digest.json"
mv "$work/layer.tar" "$work/$layer_digest.tar"
cat > "$work/manifest.json" <<MANIFEST
[{"Config":"$config_digest.json","RepoTags":["$image_reference"],"Layers":["$layer_digest.tar"]}]
MANIFEST

mkdir -p "$(dirname "$output_tar")"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work" \
  -cf "$output_tar" manifest.json "$config_digest.json" "$layer_digest.tar"
echo "base image $image_reference: $output_tar ($(du -h "$output_tar" | cut -f1))"
