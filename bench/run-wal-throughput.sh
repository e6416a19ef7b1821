#!/usr/bin/env bash
# Workload 1 - WAL throughput: pg_recvlogical vs a bare pgjdbc reader vs Debezium embedded vs our
# server delivering to one WebSocket subscriber, 1 and 1,000 rows per transaction.
# Options (passed through): --changes 200000 --rows-per-tx 1,1000 --debezium on|off --rls off|on
#   --transports jakarta,servlet-upgrade (our server drains each shape once per transport, each on a fresh server, same run)
source "$(dirname "$0")/common.sh"
run_workload wal-throughput "$@"
