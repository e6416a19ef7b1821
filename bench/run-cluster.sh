#!/usr/bin/env bash
# Workload 4 - one node against two nodes on Redis (issue 11), in one run: broadcast latency
# same-node and cross-node, server CPU per delivery per node, Redis CPU per message, publishes per
# broadcast, presence diff latency across nodes. Starts its own redis-server on a free port.
# Options (passed through): --subscribers 1000 --group-size 10 --deliveries-per-s 10000
#   --duration-s 20 --warmup-s 10 --tracks 200 --tracks-per-s 20 --server2-port 9381
#   --redis-core <cores> (default: the servers' core) --redis-server /usr/bin/redis-server
#   --idle-s 5 (idle CPU of the servers and Redis, measured before the phases and subtracted in the "net" figures)
source "$(dirname "$0")/common.sh"

if [ ! -x /usr/bin/redis-server ]; then
  log "redis-server not found: installing Debian's redis-server"
  if [ "$(id -u)" != 0 ]; then echo "need root to apt-get install redis-server" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

prepare_workload

# Liberty locks a server's workarea, so one server directory runs one process: node 2 runs a
# copy of 'bench' named 'bench2' (same WAR and configuration, its own workarea and logs).
SERVERS="$REPO_DIR/target/liberty/wlp/usr/servers"
rm -rf "$SERVERS/bench2"
mkdir -p "$SERVERS/bench2"
(cd "$SERVERS/bench" && tar --exclude=./workarea --exclude=./logs -cf - .) | (cd "$SERVERS/bench2" && tar -xf -)
log "node 2 runs Liberty server 'bench2', a copy of 'bench'"

run_harness cluster "$SERVER_CORE" "bench/run-cluster.sh${*:+ $*}" "$@"
