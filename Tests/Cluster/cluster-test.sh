#!/usr/bin/env bash
# make cluster-test: a throwaway one-node Slurm on loopback runs a 4-task job array of
# `calib measure --shard K/4` with Tests/Cluster/measure-array.sbatch (the template that
# docs/cluster.md quotes), and the parts, concatenated in order, must equal the single-process
# output byte for byte, in NDJSON and in CSV.
#
# Installs slurm-wlm and munge from Debian when they are missing. Everything it makes (slurm.conf,
# munge key and socket, state, spool, logs, pid files, data) lives in one mktemp -d folder;
# munged, slurmctld and slurmd run in the foreground of background jobs, so their PIDs are
# known, and the EXIT trap stops each of them by that PID and removes the folder, whether the
# test passes, fails or is interrupted. Nothing outside the folder is configured or started, so
# a system Slurm or munge, if any, is left alone (only the ports could clash: they are random
# and checked free).
#
# Environment: SWIFT (the toolchain's swift), CLUSTER_TEST_LIMIT (seconds for everything after
# the build, default 600), CLUSTER_TEST_CALIB (a calib binary to use instead of building one),
# CLUSTER_TEST_KEEP=1 (keep the folder for a post-mortem), CLUSTER_TEST_THEN (a command run with
# bash after the checks pass, while the cluster is still up, with SLURM_CONF, CALIB and
# CLUSTER_DIR exported: how docs/cluster.md's recipes were tried against this Slurm).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
shards=4
jobscript=$repo/Tests/Cluster/measure-array.sbatch

say() { printf 'cluster-test: %s\n' "$*"; }
fail() {
  say "error: $*" >&2
  exit 1
}

# --- the cleanup, armed before anything is made or started ----------------------------------
# The folder once made; the PIDs of munged, slurmctld and slurmd once started; the PID of a
# running sbatch --wait; whether every check passed.
d=
declare -A daemon_pid=()
submitter=
passed=0

stop_daemon() { # NAME: TERM, up to 10 s to go, then KILL; only if the PID is still that daemon
  local name=$1 pid=${daemon_pid[$1]:-}
  [ -n "$pid" ] || return 0
  if [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = "$name" ]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (PID $pid) ignored SIGTERM: SIGKILL" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  unset "daemon_pid[$name]"
}

# The PIDs of job steps of this cluster: each slurmstepd listens on a socket in the spool.
job_steps() {
  [ -n "$d" ] && command -v ss >/dev/null || return 0
  ss -Hxlp 2>/dev/null | grep -F " $d/spool/" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u
}

cleanup() {
  local status=$?
  set +e
  # A second Ctrl-C must not cut the cleanup short: it is bounded (about 20 s at most).
  trap '' INT TERM HUP
  trap - EXIT
  if [ -n "$submitter" ]; then # timeout passes the signal on to its sbatch --wait
    kill -TERM "$submitter" 2>/dev/null
    wait "$submitter" 2>/dev/null
  fi
  # Jobs first, while the controller still answers; then the job steps (slurmstepd, which
  # slurmd detaches) must report to slurmctld and end: stopped under them, they linger.
  if [ -n "${daemon_pid[slurmctld]:-}" ]; then
    timeout 10 scancel --quiet --user=root 2>/dev/null
    for _ in $(seq 50); do
      [ -z "$(timeout 5 squeue -h -o %i 2>/dev/null)" ] && [ -z "$(job_steps)" ] && break
      sleep 0.2
    done
  fi
  # slurmd and slurmctld still talk to munged while they shut down: munged goes last.
  stop_daemon slurmd
  stop_daemon slurmctld
  stop_daemon munged
  for pid in $(job_steps); do # a step that did not end in 10 s, by the PID on its socket
    kill -KILL "$pid" 2>/dev/null
  done
  if [ "$passed" -ne 1 ] && [ -n "$d" ]; then
    for f in "$d"/log/*; do
      [ -s "$f" ] || continue
      # A daemon's standard error repeats its log file: shown only when there is no log.
      if [[ $f == *.out ]] && [ -s "${f%.out}.log" ]; then continue; fi
      echo "---- ${f#"$d"/} (last 30 lines)" >&2
      tail -n 30 "$f" >&2
    done
  fi
  if [ -n "$d" ] && [ "${CLUSTER_TEST_KEEP:-0}" = 1 ]; then
    say "kept $d"
  elif [ -n "$d" ]; then
    rm -rf "$d"
  fi
  if [ "$passed" -eq 1 ]; then
    say "PASS"
  else
    say "FAIL (exit status $status)" >&2
    [ "$status" -ne 0 ] || status=1
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# docs/cluster.md shows the job script indented under a marker; it must be this very file, so
# that the template users copy is the one tested here.
awk '/^<!-- Tests\/Cluster\/measure-array\.sbatch/ { on = 1; next }
  on && /^    / { printf "%s", blank; blank = ""; sub(/^    /, ""); print; started = 1; next }
  on && /^$/ { if (started) blank = blank "\n"; next }
  on && started { exit }' docs/cluster.md | cmp -s - "$jobscript" ||
  fail "docs/cluster.md does not quote $jobscript verbatim"

# slurmd starts every job as the user who submitted it, which only root can do.
[ "$(id -u)" -eq 0 ] || fail "needs root (slurmd must be able to start jobs as their user)"

# --- Slurm and munge from Debian, only when missing -----------------------------------------
PATH=$PATH:/usr/sbin:/sbin
missing=0
for tool in munged slurmctld slurmd sbatch sinfo squeue scancel; do
  command -v "$tool" >/dev/null || missing=1
done
if [ "$missing" -eq 1 ]; then
  say "installing slurm-wlm and munge (apt-get)"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y slurm-wlm munge
fi

# --- calib -----------------------------------------------------------------------------------
# The debug build `make test` made (already there in CI: a no-op), or one made now.
if [ -n "${CLUSTER_TEST_CALIB:-}" ]; then
  calib=$(realpath "$CLUSTER_TEST_CALIB")
else
  swift=${SWIFT:-$(command -v swift || echo /opt/swift/usr/bin/swift)}
  "$swift" build --product calib
  calib=$repo/.build/debug/calib
fi
[ -x "$calib" ] || fail "no calib binary at $calib"

# --- the folder -------------------------------------------------------------------------------
d=$(mktemp -d "${TMPDIR:-/tmp}/calib-cluster.XXXXXX")
mkdir -p "$d"/{etc,munge,state,spool,log,run,data}
# munged wants its socket's folder searchable by everyone (clients of any user connect).
chmod 0755 "$d" "$d/munge"
# Every wait below is bounded by what is left of the limit, so a daemon that never comes up or
# a job that never runs fails the test instead of hanging CI.
limit=${CLUSTER_TEST_LIMIT:-600}
deadline=$((SECONDS + limit))
in_time() { [ "$SECONDS" -lt "$deadline" ] || fail "over the time limit of $limit s"; }

# A port pair nobody listens on; random so that two runs, or a system Slurm on the default
# 6817/6818, do not meet.
port_free() { ! ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; }
for _ in $(seq 50); do
  port=$((20000 + RANDOM % 20000))
  port_free "$port" && port_free $((port + 1)) && break
done

# --- munge: its own key, socket, pid and log in the folder -----------------------------------
if command -v mungekey >/dev/null; then
  mungekey --create --keyfile="$d/munge/munge.key"
else
  dd if=/dev/urandom of="$d/munge/munge.key" bs=1024 count=1 status=none
fi
chmod 0400 "$d/munge/munge.key"
# In the foreground munged logs to standard error; --log-file and --pid-file only keep it off
# the system's paths.
munged --foreground --socket="$d/munge/munge.socket" \
  --key-file="$d/munge/munge.key" --pid-file="$d/munge/munged.pid" \
  --log-file="$d/log/munged.log" --seed-file="$d/munge/munged.seed" \
  >"$d/log/munged.out" 2>&1 &
daemon_pid[munged]=$!
until [ -S "$d/munge/munge.socket" ]; do
  kill -0 "${daemon_pid[munged]}" 2>/dev/null || fail "munged did not start"
  in_time
  sleep 0.1
done

# --- slurm.conf: one node on loopback, no cgroups, root, the folder's paths ------------------
cpus=$(nproc)
# Memory is not a consumable here (CR_Core), but a job's --mem must still fit the node's
# RealMemory: the machine's memory, and at least the template's 1G.
memory=$(awk '/^MemTotal:/ { m = int($2 / 1024); print (m < 1024 ? 1024 : m) }' /proc/meminfo)
cat >"$d/etc/slurm.conf" <<EOF
ClusterName=calibtest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/run/slurmctld.pid
SlurmdPidFile=$d/run/slurmd.pid
SlurmctldLogFile=$d/log/slurmctld.log
SlurmdLogFile=$d/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
# sbatch --wait polls every 2 s only when MinJobAge/2 <= 2 (otherwise 2, 8, 32, 32... s,
# which more than doubles the test's time); 5 s still keeps a finished job's record past
# the next poll.
MinJobAge=5
NodeName=calibnode NodeHostname=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory
PartitionName=calib Nodes=calibnode Default=YES MaxTime=INFINITE State=UP
EOF
# The client commands must reach this cluster only: no settings of another Slurm (a login
# node's SBATCH_ACCOUNT, or the variables of an enclosing job) may leak into them.
while read -r name; do
  unset "$name"
done < <(compgen -e | grep -E '^(SBATCH|SLURM|SQUEUE|SINFO|SCANCEL)_' || true)
export SLURM_CONF=$d/etc/slurm.conf

# -D: stay in the foreground, so that $! is the daemon; -c: a cold start, no state to recover.
slurmctld -D -c -f "$SLURM_CONF" >"$d/log/slurmctld.out" 2>&1 &
daemon_pid[slurmctld]=$!
slurmd -D -c -N calibnode -f "$SLURM_CONF" >"$d/log/slurmd.out" 2>&1 &
daemon_pid[slurmd]=$!

# Submitting before slurmd has registered races the controller: wait until the node is idle.
until [ "$(timeout 5 sinfo -h -n calibnode -o %T 2>/dev/null)" = idle ]; do
  for name in slurmctld slurmd; do
    kill -0 "${daemon_pid[$name]}" 2>/dev/null || fail "$name did not start"
  done
  in_time
  sleep 0.5
done
say "slurm up on 127.0.0.1:$port-$((port + 1)) after $((SECONDS + limit - deadline)) s" \
  "(node calibnode, $cpus CPUs)"

# --- the data: an instrument and a few thousand observations in replicate groups -------------
"$calib" fit Fixtures/absorbance-line.csv --x concentration --y absorbance --group standard \
  -o "$d/data/absorbance.json"
# 1500 samples of 1 to 4 replicates each, about 3750 rows, from a Park–Miller generator (exact
# in awk's doubles, so the same on every machine); concentrations reach past the standards'
# 0..10 so that the statuses vary. Two of the three boundaries of the 4 shards fall inside
# groups of several rows (s00368, s01136), which the shards must not split; the third falls
# between s00750 and s00751.
awk 'BEGIN {
  s = 20261127; print "sample,absorbance"
  for (i = 1; i <= 1500; i++) {
    s = (s * 16807) % 2147483647; n = 1 + s % 4
    s = (s * 16807) % 2147483647; x = (s % 12000) / 1000
    for (j = 1; j <= n; j++) {
      s = (s * 16807) % 2147483647; e = ((s % 2001) - 1000) / 250000
      printf "s%05d,%.5f\n", i, 0.004 + 0.0989 * x + e
    }
  }
}' >"$d/data/observations.csv"
say "$(($(wc -l <"$d/data/observations.csv") - 1)) observation rows in 1500 groups"

# --- single run against the array, in both formats -------------------------------------------
export CALIB=$calib # the job script runs ${CALIB:-calib}; sbatch passes the environment on
for format in ndjson csv; do
  args=(--y absorbance --group sample --format "$format")
  "$calib" measure "$d/data/absorbance.json" "$d/data/observations.csv" "${args[@]}" \
    -o "$d/data/single.$format"
  # --wait returns when every task has ended, with the highest exit status among them. It
  # runs in the background so that a signal to this script is handled at once (bash defers
  # traps until a foreground command ends, but `wait` returns).
  in_time
  timeout $((deadline - SECONDS)) sbatch --wait --quiet --array=1-$shards \
    --output="$d/log/$format-%A_%a.out" --chdir="$d" \
    "$jobscript" "$shards" "$d/data/absorbance.json" "$d/data/observations.csv" \
    "$d/parts-$format" "${args[@]}" &
  submitter=$!
  status=0
  wait "$submitter" || status=$?
  [ "$status" -ne 124 ] || fail "over the time limit of $limit s: the $format job array"
  [ "$status" -eq 0 ] || fail "the $format job array failed (highest exit status $status)"
  submitter=
  shopt -s nullglob
  parts=("$d/parts-$format"/part-*)
  shopt -u nullglob
  [ "${#parts[@]}" -eq "$shards" ] ||
    fail "$format: ${#parts[@]} parts instead of $shards"
  cat "${parts[@]}" >"$d/data/merged.$format"
  cmp "$d/data/single.$format" "$d/data/merged.$format" ||
    fail "$format: the merged parts differ from the single run"
  say "$format: $shards parts ($(wc -c <"$d/data/merged.$format") bytes," \
    "$(wc -l <"$d/data/merged.$format") lines) equal the single run"
done

if [ -n "${CLUSTER_TEST_THEN:-}" ]; then
  CLUSTER_DIR=$d bash -c "$CLUSTER_TEST_THEN" || fail "CLUSTER_TEST_THEN failed"
fi
passed=1
