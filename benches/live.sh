#!/usr/bin/env bash
# Whole-program measurements of the release binary, run under tmux like a person runs it:
#   1. startup: process start to first frame, and to the first frame with data (median of N);
#   2. idle: CPU time the demo uses in 30 s with nothing in progress (/proc/PID/stat);
#   3. journal: process start to the first frame showing the last known state of a big
#      account (200 distributions × 50 invalidations, 100,000 paths: `cargo bench --bench
#      journal` builds it), with a backend that never answers.
# Usage: benches/live.sh [runs]   (needs tmux; results go to BENCHMARKS.md by hand)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-11}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cfdash-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/cfdash"
work="$(mktemp -d)"
sock="cfdash-bench-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
tick=$(getconf CLK_TCK)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

wait_for() { # wait_for FILE PATTERN
  for _ in $(seq 1 200); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
  echo "timed out waiting for $2 in $1" >&2; return 1
}

start_once() { # start_once LOG PATTERN COMMAND: one start at 120x35, until PATTERN is logged
  tmux -L "$sock" -f /dev/null new-session -d -s s -x 120 -y 35 "$3 --log-file '$1'"
  wait_for "$1" "$2"
  tmux -L "$sock" send-keys -t s q
  sleep 0.3
  tmux -L "$sock" kill-server 2>/dev/null || true
}

logged_ms() { grep "$2" "$1" | sed 's/.*ms=//'; } # logged_ms LOG PATTERN

echo "startup ($runs runs, 120x35, demo, default latency)"
: > "$work/first" ; : > "$work/data"
for i in $(seq 1 "$runs"); do
  log="$work/start-$i.log"
  start_once "$log" "first frame with data" "'$bin' --demo --no-journal"
  logged_ms "$log" "first frame ms" >> "$work/first"
  logged_ms "$log" "first frame with data" >> "$work/data"
done
printf '  first frame:           median %.1f ms\n' "$(median < "$work/first")"
printf '  first frame with data: median %.1f ms\n' "$(median < "$work/data")"

echo "idle (30 s, nothing in progress, no activity elsewhere)"
log="$work/idle.log"
tmux -L "$sock" -f /dev/null new-session -d -s s -x 120 -y 35 \
  "CFDASH_SIM_DELAY_SCALE=0 CFDASH_SIM_ACTIVITY=0 '$bin' --demo --no-journal --log-file '$log'"
wait_for "$log" "first frame with data"
sleep 2
pid=$(pgrep -n -f "$bin --demo --no-journal --log-file $log")
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
before=$(cpu "$pid")
sleep 30
after=$(cpu "$pid")
tmux -L "$sock" send-keys -t s q
awk -v t="$((after - before))" -v hz="$tick" \
  'BEGIN { printf "  CPU in 30 s idle: %.2f s (%d ticks of 1/%d s)\n", t / hz, t, hz }'

journal="$CARGO_TARGET_DIR/bench-journal-2.sqlite"
if [ -f "$journal" ]; then
  echo "start from the journal ($runs runs, 120x35, $(du -h "$journal" | cut -f1) journal, a backend that never answers)"
  printf 'default_profile = "bench"\n[profiles.bench]\nendpoint_url = "http://127.0.0.1:9"\n' > "$work/bench.toml"
  : > "$work/jdata"
  for i in $(seq 1 "$runs"); do
    log="$work/journal-$i.log"
    cp "$journal" "$work/j.sqlite"
    start_once "$log" "first frame with data" \
      "AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x CFDASH_JOURNAL='$work/j.sqlite' '$bin' --config '$work/bench.toml'"
    logged_ms "$log" "first frame with data" >> "$work/jdata"
  done
  printf '  first frame with the last known state: median %.1f ms\n' "$(median < "$work/jdata")"
  # The same start without the journal: the profile's setup alone (no data to show).
  : > "$work/nojournal"
  for i in $(seq 1 "$runs"); do
    log="$work/nojournal-$i.log"
    start_once "$log" "first frame ms" \
      "AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x '$bin' --no-journal --config '$work/bench.toml'"
    logged_ms "$log" "first frame ms" >> "$work/nojournal"
  done
  printf '  the same start with --no-journal, first frame (empty): median %.1f ms\n' "$(median < "$work/nojournal")"
else
  echo "no $journal: run cargo bench --bench journal first"
fi
