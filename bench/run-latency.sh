#!/usr/bin/env bash
# Workload 2 - end-to-end latency, commit to receipt, under a 1-row-transaction load: Debezium
# embedded (baseline), then on each transport our server with RLS on (up to 10 users; the shipped
# USING (true) policy and one the server must check) and off, 1, 100, 1,000 subscribers, and
# Broadcast from Database (realtime.send from several connections).
# Options (passed through): --duration-s 30 --warmup-s 5 (load before the recorded window; not timed)
#   --subscribers 1,100,1000 --rls-subscribers 1,100,1000 --rls-users 10
#   --rls-policies shipped,filtering (authenticated's SELECT policy on wells: as shipped, USING (true),
#   or auth.uid() IS NOT NULL)
#   --rate 4000 (postgres_changes commits/s from one connection; 0 = as fast as it commits) --debezium on|off
#   --db-broadcast on|off --bdb-rate 10000 (realtime.send calls/s offered) --bdb-connections 8 (loader connections)
#   --end-wait-s 60 (how long each subscriber gets after the load for the END row)
#   --transports jakarta,servlet-upgrade (every phase on each in turn, each RLS setting on a fresh server, same run)
source "$(dirname "$0")/common.sh"
run_workload latency "$@"
