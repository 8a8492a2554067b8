#!/usr/bin/env bash
# Builds an OCI image archive (for `ctr images import`) holding one wasm
# component as a layer of media type application/wasm (what
# containerd-shim-wasm reads) and, optionally, a policy file at
# /etc/wasock/policy.toml in an ordinary tar layer. No engine, no registry.
#
# Usage: oci-wasm-image.sh OUT.tar NAME:TAG COMPONENT.wasm [POLICY.toml]
set -euo pipefail
out=$1 ref=$2 wasm=$3 policy=${4:-}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/blobs/sha256" "$dir/root/etc/wasock"
blob() { # file -> digest (hex), copied into blobs/
    local h
    h=$(sha256sum "$1" | cut -d' ' -f1)
    cp "$1" "$dir/blobs/sha256/$h"
    echo "$h"
}
size() { stat -c %s "$1"; }
# The root filesystem layer: the policy (if any) and an empty marker, so
# there is always one layer to unpack.
: >"$dir/root/etc/wasock/.keep"
[ -n "$policy" ] && cp "$policy" "$dir/root/etc/wasock/policy.toml"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C "$dir/root" -cf "$dir/rootfs.tar" etc
root_h=$(blob "$dir/rootfs.tar")
wasm_h=$(blob "$wasm")
name=$(basename "$wasm")
# containerd 1.6 unpacks every layer, the wasm one too: a stream processor
# (wasm-layer-processor.sh, in containerd's config) turns it into an empty
# tar, whose digest is the layer's diff_id.
empty_h=$(head -c 10240 /dev/zero | sha256sum | cut -d' ' -f1)
cat >"$dir/config.json" <<JSON
{"architecture":"wasm","os":"wasip2","config":{"Entrypoint":["/$name"]},"rootfs":{"type":"layers","diff_ids":["sha256:$root_h","sha256:$empty_h"]}}
JSON
cfg_h=$(blob "$dir/config.json")
cat >"$dir/manifest.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:$cfg_h","size":$(size "$dir/config.json")},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:$root_h","size":$(size "$dir/rootfs.tar")},{"mediaType":"application/wasm","digest":"sha256:$wasm_h","size":$(size "$wasm")}]}
JSON
man_h=$(blob "$dir/manifest.json")
echo '{"imageLayoutVersion":"1.0.0"}' >"$dir/oci-layout"
cat >"$dir/index.json" <<JSON
{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:$man_h","size":$(size "$dir/manifest.json"),"annotations":{"io.containerd.image.name":"$ref","org.opencontainers.image.ref.name":"${ref##*:}"}}]}
JSON
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner \
    -C "$dir" -cf "$out" oci-layout index.json blobs
