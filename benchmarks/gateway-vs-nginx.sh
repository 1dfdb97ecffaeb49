#!/usr/bin/env bash
# The gateway against nginx serving the same bytes as static files, same machine, same run.
# Needs: nginx and wrk (Debian: apt-get install -y nginx wrk), and the benchmarks jar:
#   mvn -B -ntp -q -pl benchmarks -am package -DskipTests
# Usage: benchmarks/gateway-vs-nginx.sh [FILE_MIB=1024] [SECONDS=15]
# Prints a markdown table (throughput / req/s / TTFB p50, ratio gateway/nginx). Never fails a build.
set -euo pipefail
cd "$(dirname "$0")/.."
MIB=${1:-1024}
SECS=${2:-15}
WORK=${VRN_BENCH_WORK:-/tmp/vrn-gateway-bench}
GW_PORT=18180
NGX_PORT=18190
mkdir -p "$WORK"
JAR=benchmarks/target/benchmarks.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -ntp -q -pl benchmarks -am package -DskipTests" >&2; exit 2; }

# The gateway (prepares the data, imports it as pieces, prints READY url fileCid blk1k blk256k).
mkfifo "$WORK/gw.in" 2>/dev/null || true
java -Xmx2g --add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  -cp "$JAR" venus.retrieval.bench.GatewayBenchServer "$WORK" "$GW_PORT" "$MIB" < "$WORK/gw.in" > "$WORK/gw.out" 2> "$WORK/gw.err" &
GW_PID=$!
exec 3> "$WORK/gw.in"   # hold the gateway's stdin open; closing it stops the gateway
cleanup() {
  exec 3>&- || true
  kill "$GW_PID" 2>/dev/null || true
  [ -f "$WORK/nginx.pid" ] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do grep -q '^READY' "$WORK/gw.out" 2>/dev/null && break; sleep 1; done
read -r _ GW FILE B1K B256K < <(grep '^READY' "$WORK/gw.out")

# nginx with sendfile, as a static file server of the same bytes.
cat > "$WORK/nginx.conf" <<NGX
worker_processes 2;
pid $WORK/nginx.pid;
error_log $WORK/nginx.err;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/nginx-tmp;
  proxy_temp_path $WORK/nginx-tmp;
  fastcgi_temp_path $WORK/nginx-tmp;
  uwsgi_temp_path $WORK/nginx-tmp;
  scgi_temp_path $WORK/nginx-tmp;
  types { application/octet-stream bin; }
  default_type application/octet-stream;
  server { listen 127.0.0.1:$NGX_PORT; root $WORK/www; }
}
NGX
mkdir -p "$WORK/nginx-tmp"
nginx -c "$WORK/nginx.conf" -p "$WORK"
NG=http://127.0.0.1:$NGX_PORT

# Both must serve the same bytes before anything is timed.
check() {
  local a b
  a=$(curl -s "$1" | sha256sum); b=$(curl -s "$2" | sha256sum)
  [ "$a" = "$b" ] || { echo "different bytes from $1 and $2" >&2; exit 1; }
}
check "$GW/ipfs/$FILE" "$NG/file.bin"
check "$GW/ipfs/$B1K?format=raw" "$NG/b1k/$B1K"
check "$GW/ipfs/$B256K?format=raw" "$NG/b256k/$B256K"
# JIT warm-up of the gateway (not timed).
for u in "$GW/ipfs/$B1K?format=raw" "$GW/ipfs/$B256K?format=raw" "$GW/ipfs/$FILE"; do wrk -t2 -c16 -d"${SECS}s" "$u" > /dev/null; done

rate() { wrk -t"$1" -c"$2" -d"${SECS}s" "$3" | awk '/Non-2xx/ {bad=1} /Requests\/sec/ {r=$2} END {print bad ? "errors" : r}'; }
xfer() { wrk -t1 -c1 -d"${SECS}s" "$1" | awk '/Transfer\/sec/ {print $2}'; }
p50() { wrk --latency -t1 -c1 -d"${SECS}s" "$1" | awk '/^ +50%/ {print $2}'; }
mbps() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /GB/) n *= 1024; else if (v ~ /KB/) n /= 1024; printf "%.0f", n }'; }
ms() { awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us/) n /= 1000; else if (v ~ /[0-9]s$/ && v !~ /ms/) n *= 1000; printf "%.3f", n }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

g_file=$(mbps "$(xfer "$GW/ipfs/$FILE")");      n_file=$(mbps "$(xfer "$NG/file.bin")")
g_1k=$(rate 2 64 "$GW/ipfs/$B1K?format=raw");    n_1k=$(rate 2 64 "$NG/b1k/$B1K")
g_256k=$(rate 2 16 "$GW/ipfs/$B256K?format=raw"); n_256k=$(rate 2 16 "$NG/b256k/$B256K")
g_ttfb=$(ms "$(p50 "$GW/ipfs/$B1K?format=raw")"); n_ttfb=$(ms "$(p50 "$NG/b1k/$B1K")")

echo "| measurement (${MIB} MiB file, ${SECS}s each) | gateway | nginx | gateway/nginx | goal |"
echo "|---|---|---|---|---|"
echo "| 1 file, single stream, MiB/s (wrk -t1 -c1) | $g_file | $n_file | $(ratio "$g_file" "$n_file") | >= 0.9 |"
echo "| 1 KiB raw block, req/s (wrk -t2 -c64) | $g_1k | $n_1k | $(ratio "$g_1k" "$n_1k") | >= 0.8 |"
echo "| 256 KiB raw block, req/s (wrk -t2 -c16) | $g_256k | $n_256k | $(ratio "$g_256k" "$n_256k") | >= 0.9 |"
echo "| time to first byte p50, ms (1 KiB, wrk -t1 -c1) | $g_ttfb | $n_ttfb | $(ratio "$g_ttfb" "$n_ttfb") | <= 1.5 |"
