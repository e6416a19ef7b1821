#!/usr/bin/env bash
# Workload 2 - end-to-end latency, commit to receipt, under a 1-row-transaction load: Debezium
# embedded (baseline) and our server with RLS on (10 users) and off (1, 100, 1,000 subscribers).
# Options (passed through): --duration-s 30 --subscribers 1,100,1000 --rls-users 10
#   --rls-subscribers 100 (a list, as --subscribers) --rls-policies shipped,filtering
#   (authenticated's SELECT policy on wells: as shipped, USING (true), or auth.uid() IS NOT NULL)
#   --rate 4000 (commits/s; 0 = as fast as one connection commits) --debezium on|off
#   --db-broadcast on|off (Broadcast from Database phases: realtime.send at the same rate, 1, 100, 1,000 subscribers)
#   --warmup-s 5 (load before the recorded window; those rows are not timed)
#   --transports jakarta,servlet-upgrade (RLS on runs on the first; RLS off on each in turn, same run)
source "$(dirname "$0")/common.sh"
run_workload latency "$@"
