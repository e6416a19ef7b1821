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
#   --sweep 100@500,100@1000,1000@50 (the RLS-off postgres_changes phases as subscribers@commits/s pairs
#   instead of --subscribers at --rate; --rls-subscribers none skips the RLS-on phases)
#   --db-broadcast on|off --bdb-rate 10000 (realtime.send calls/s offered) --bdb-connections 8 (loader connections)
#   --end-wait-s 60 (how long each subscriber gets after the load for the END row)
#   --transports jakarta,servlet-upgrade (every phase on each in turn, each RLS setting on a fresh server, same run)
# Taken here, not passed through:
#   --server-cores 0,0-1 (every phase once per server CPU list, then the core-scaling ratios)
#   --server-env-variants 'A=1|A=2' (every phase once per server environment, then the ratios)
source "$(dirname "$0")/common.sh"
split_variants "$@"
if [ -z "$variant_flag" ]; then
  run_workload latency "${pass[@]}"
fi
run_variants latency "${pass[@]}"
