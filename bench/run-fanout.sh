#!/usr/bin/env bash
# Workload 3 - broadcast fan-out and connection scale with our own NIO WebSocket load generator.
# Options (passed through): --connections 10000 --scale-connections 19000 --group-size 6
#   --deliveries-per-s 100000 --duration-s 20 --warmup-s 5 --in-flight 200 --per-source 2500
#   --broadcast-format binary|text --transports jakarta,servlet-upgrade (each in turn, same run)
# Taken here, not passed through:
#   --server-cores 0,0-1   run everything once per CPU list (taskset -c syntax) for the server, in
#                          turn, then print each later run's deliveries/s and server CPU per delivery
#                          against the first's (the core-scaling ratio)
#   --server-env-variants 'WARMUP_SECONDS=0|WARMUP_SECONDS=3'   the same, once per server environment
source "$(dirname "$0")/common.sh"
split_variants "$@"
if [ -z "$variant_flag" ]; then
  run_workload fanout "${pass[@]}"
fi
run_variants fanout "${pass[@]}"
