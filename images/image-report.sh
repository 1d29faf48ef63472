#!/usr/bin/env bash
# Prints the size of each image built by Jib (compressed, as pushed; uncompressed, as stored) and
# its layers, from the image tars. Usage: image-report.sh IMAGE_TAR...
set -euo pipefail

for image_tar in "$@"; do
  python3 - "$image_tar" <<'PY'
import gzip, io, json, sys, tarfile

with tarfile.open(sys.argv[1]) as archive:
    manifest = json.load(archive.extractfile("manifest.json"))[0]
    config = json.load(archive.extractfile(manifest["Config"]))
    history = [h for h in config.get("history", []) if not h.get("empty_layer")]
    rows, compressed_total, uncompressed_total = [], 0, 0
    for index, layer in enumerate(manifest["Layers"]):
        blob = archive.extractfile(layer).read()
        compressed = len(blob)
        uncompressed = len(gzip.decompress(blob)) if blob[:2] == b"\x1f\x8b" else compressed
        compressed_total += compressed
        uncompressed_total += uncompressed
        comment = history[index].get("comment", "") if index < len(history) else ""
        if index == 0:
            comment = "base image"
        elif comment == "extra files":
            # Name the directories this layer adds, e.g. opt/flink/usrlib.
            names = tarfile.open(fileobj=io.BytesIO(gzip.decompress(blob))).getnames()
            comment = "extra files: " + ", ".join(sorted({n.rsplit("/", 1)[0] for n in names if "." in n.rsplit("/", 1)[-1]}))
        rows.append((layer.split("/")[-1][:19], compressed, uncompressed, comment[:70]))

mib = lambda n: f"{n / 1048576:8.1f} MiB"
print(f"{manifest['RepoTags'][0]}: {mib(compressed_total).strip()} compressed, {mib(uncompressed_total).strip()} uncompressed")
print(f"  {'layer':19}  {'compressed':>12}  {'uncompressed':>12}  content")
for name, compressed, uncompressed, what in rows:
    print(f"  {name:19}  {mib(compressed):>12}  {mib(uncompressed):>12}  {what}")
PY
done
