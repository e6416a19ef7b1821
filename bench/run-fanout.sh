#!/usr/bin/env bash
# Workload 3 - broadcast fan-out and connection scale with our own NIO WebSocket load generator.
# Options (passed through): --connections 10000 --scale-connections 19000 --group-size 6
#   --deliveries-per-s 100000 --duration-s 20 --warmup-s 5 --in-flight 200 --per-source 2500
#   --broadcast-format binary|text --transports jakarta,servlet-upgrade (each in turn, same run)
source "$(dirname "$0")/common.sh"
run_workload fanout "$@"
