# Shared by the run-*.sh scripts: installs what is missing, builds the harness and our server,
# then runs one workload with the benchmark JVM pinned to the client core.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
SERVER_CORE="${BENCH_SERVER_CORE:-0}"
CLIENT_CORE="${BENCH_CLIENT_CORE:-1}"
PG_BIN="${BENCH_PG_BIN:-/usr/lib/postgresql/15/bin}"

log() { printf '[bench] %s\n' "$*"; }

ensure_pg_tools() {
  if [ -x "$PG_BIN/pg_recvlogical" ]; then return; fi
  log "pg_recvlogical not found in $PG_BIN: installing postgresql-client-15"
  if [ "$(id -u)" != 0 ]; then echo "need root to apt-get install postgresql-client-15 (or set BENCH_PG_BIN)" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client-15 >/dev/null
}

build() {
  local mvn_flags="-B -q"
  if [ "${BENCH_OFFLINE:-}" = 1 ]; then mvn_flags="$mvn_flags -o"; fi
  if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
    log "building our server (WAR + Liberty server 'bench' under target/liberty)"
    (cd "$REPO_DIR" && mvn $mvn_flags -DskipTests package liberty:create liberty:deploy -DserverName=bench)
    log "building the benchmark harness (bench/target)"
    (cd "$BENCH_DIR" && mvn $mvn_flags package)
  fi
}

run_workload() {
  local workload="$1"; shift
  prepare_workload
  cd "$BENCH_DIR"
  exec taskset -c "$CLIENT_CORE" java ${BENCH_CLIENT_JVM_ARGS:--Xmx4g} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "target/classes:target/lib/*" io.mudrock.bench.Bench "$workload" \
    --repo "$REPO_DIR" --server-core "$SERVER_CORE" --client-core "$CLIENT_CORE" --pg-bin "$PG_BIN" \
    --command "bench/run-$workload.sh${*:+ $*}" "$@"
}

# Installs, builds and lifts the open-file limit once, for scripts that run the harness several times.
prepare_workload() {
  ensure_pg_tools
  build
  # Every process here is capped at 20,000 open files (hard); take the whole allowance.
  ulimit -n "$(ulimit -Hn)" || true
  log "server on core(s) $SERVER_CORE, load generator on core $CLIENT_CORE, PostgreSQL on all cores"
}

# One harness run (no exec): run_harness <workload> <server cores> <recorded command> [options...]
run_harness() {
  local workload="$1" cores="$2" command="$3"; shift 3
  (cd "$BENCH_DIR" && taskset -c "$CLIENT_CORE" java ${BENCH_CLIENT_JVM_ARGS:--Xmx4g} \
    -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "target/classes:target/lib/*" io.mudrock.bench.Bench "$workload" \
    --repo "$REPO_DIR" --server-core "$cores" --client-core "$CLIENT_CORE" --pg-bin "$PG_BIN" --command "$command" "$@")
}

# The workload once per variant, then each later run's deliveries/s and server CPU per delivery
# against the first's: variants are the server CPU lists of --server-cores (taskset -c syntax; the
# core-scaling ratio) or the server environments of --server-env-variants (e.g.
# 'WARMUP_SECONDS=0|WARMUP_SECONDS=3'). run_variants <workload> [options...] after split_variants.
run_variants() {
  local workload="$1"; shift
  prepare_workload
  local command="bench/run-$workload.sh $variant_flag $variant_list${*:+ $*}" runs=() labels=() v marker
  IFS="$variant_sep" read -r -a variant_arr <<<"$variant_list"
  for v in "${variant_arr[@]}"; do
    marker="$(mktemp)"
    if [ "$variant_flag" = --server-cores ]; then
      log "server on CPUs $v"
      run_harness "$workload" "$v" "$command" "$@"
      labels+=("cpus $v")
    else
      log "server with $v"
      run_harness "$workload" "$SERVER_CORE" "$command" --server-env "$v" "$@"
      labels+=("$v")
    fi
    runs+=("$(find "$BENCH_DIR/results" -name "$workload-*.json" -newer "$marker" | sort | tail -1)")
    rm -f "$marker"
  done
  python3 "$BENCH_DIR/scaling.py" "$BENCH_DIR/results/$workload-variants-$(date -u +%Y%m%d-%H%M%S).json" \
    "$(IFS='|'; echo "${labels[*]}")" "${runs[@]}"
}

# Takes --server-cores and --server-env-variants out of the options: sets variant_flag,
# variant_list, variant_sep (empty flag: no variants) and pass (the rest).
split_variants() {
  variant_flag="" variant_list="" variant_sep="," pass=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --server-cores) variant_flag="$1" variant_list="$2" variant_sep=","; shift 2 ;;
      --server-env-variants) variant_flag="$1" variant_list="$2" variant_sep="|"; shift 2 ;;
      *) pass+=("$1"); shift ;;
    esac
  done
}
