#!/usr/bin/env bash
# Workload 3 - broadcast fan-out and connection scale with our own NIO WebSocket load generator.
# Options (passed through): --connections 10000 --scale-connections 19000 --group-size 6
#   --deliveries-per-s 100000 --duration-s 20 --warmup-s 5 --in-flight 200 --per-source 2500
#   --broadcast-format binary|text --transports jakarta,servlet-upgrade (each in turn, same run)
# Taken here, not passed through:
#   --server-cores 0,0-1   run everything once per CPU list (taskset -c syntax) for the server, in
#                          turn, then print each later run's deliveries/s and server CPU per delivery
#                          against the first's (the core-scaling ratio)
source "$(dirname "$0")/common.sh"
cores_list="" pass=()
while [ $# -gt 0 ]; do
  case "$1" in
    --server-cores) cores_list="$2"; shift 2 ;;
    *) pass+=("$1"); shift ;;
  esac
done
if [ -z "$cores_list" ]; then
  run_workload fanout "${pass[@]}"
fi
prepare_workload
command="bench/run-fanout.sh --server-cores $cores_list ${pass[*]}"
runs=() labels=()
IFS=, read -r -a cores_arr <<<"$cores_list"
for cores in "${cores_arr[@]}"; do
  marker="$(mktemp)"
  log "server on CPUs $cores"
  run_harness fanout "$cores" "$command" "${pass[@]}"
  runs+=("$(find "$BENCH_DIR/results" -name 'fanout-*.json' -newer "$marker" | sort | tail -1)")
  labels+=("cpus $cores")
  rm -f "$marker"
done
python3 "$BENCH_DIR/scaling.py" "$BENCH_DIR/results/fanout-scaling-$(date -u +%Y%m%d-%H%M%S).json" \
  "$(IFS='|'; echo "${labels[*]}")" "${runs[@]}"
