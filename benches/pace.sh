#!/usr/bin/env bash
# Pacing on a large account: `sim serve` with N distributions (nothing in progress, nothing
# made elsewhere) and CloudFront's reported rate limits (--sim-rate-limit cloudfront), the
# release binary at its defaults (4 requests a second, burst 10, half for the sweep).
#   1. The dashboard, under tmux at 120x35: time to the first screen's invalidations; the
#      throttled answers of its first 5 minutes; requests a minute in minutes 2 to 5 (only
#      the sweep, nothing in progress); time to the first sweep, against what the sweep's
#      share allows.
#   2. Beside it, on a sim serve of its own: `invalidations --all --rate R`, its time
#      against what R allows, and its throttled answers.
# Usage: benches/pace.sh [distributions] [rate]   (defaults 5000 and 4; 5000 takes ~45 min)
# Results go to BENCHMARKS.md by hand.
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-5000}"
rate="${2:-4}"
window="${PACE_WINDOW:-300}" # the "first minutes", in seconds (a quick check: PACE_WINDOW=90)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cfdash-target}"
cargo build --release --quiet
bin="$CARGO_TARGET_DIR/release/cfdash"
work="$(mktemp -d)"
sock="cfdash-pace-$$"
pids=()
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true

python3 - "$n" > "$work/account.toml" <<'EOF'
import sys
for i in range(int(sys.argv[1])):
    print(f'[[distribution]]\nid = "E{i:013}"\ndomain_name = "d{i:05}.cloudfront.net"\nhistory = 3\n')
EOF

serve() { # serve NAME: a sim serve of its own, its URL in $work/NAME.url (not in a
  # subshell: the trap stops what `pids` lists)
  "$bin" sim serve --sim-data "$work/account.toml" --sim-rate-limit cloudfront --sim-activity 0 \
    --log-file "$work/$1-serve.log" > "$work/$1.url" 2>/dev/null &
  pids+=($!)
  for _ in $(seq 1 100); do [ -s "$work/$1.url" ] && break; sleep 0.1; done
}
stat() { curl -s "$1/cfdash-sim/stats" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
logged() { grep "$2" "$1" | head -1 | sed 's/.*ms=\([0-9.]*\).*/\1/'; }

serve dash
serve report
dash_url=$(head -1 "$work/dash.url")
report_url=$(head -1 "$work/report.url")
printf 'default_profile = "big"\n\n[profiles.big]\nendpoint_url = "%s"\n' "$dash_url" > "$work/config.toml"
log="$work/dash.log"
t0=$(date +%s.%N)
tmux -L "$sock" -f /dev/null new-session -d -s s -x 120 -y 35 \
  "'$bin' --config '$work/config.toml' --no-journal --log-file '$log'"

# Beside it, the report.
(
  start=$(date +%s.%N)
  CFDASH_CONFIG=/nonexistent AWS_ENDPOINT_URL="$report_url" \
    "$bin" invalidations --all --json --rate "$rate" --no-journal > "$work/report.json"
  end=$(date +%s.%N)
  echo "$start $end" > "$work/report.time"
) &
pids+=($!)

sleep 60
r1=$(stat "$dash_url" requests)
sleep $((window - 60))
r5=$(stat "$dash_url" requests)
throttled5=$(stat "$dash_url" throttled)
echo "dashboard, $n distributions, first $window s"
printf '  first screen listed: %s ms after start (%s rows)\n' \
  "$(logged "$log" "first screen listed")" "$(grep "first screen listed" "$log" | sed 's/.*rows=\([0-9]*\).*/\1/')"
echo "  throttled answers: $throttled5 (of $r5 requests)"
awk -v a="$r1" -v b="$r5" -v w="$window" 'BEGIN { printf "  requests a minute from 60 s to %d s: %.1f\n", w, (b - a) * 60 / (w - 60) }'

until grep -q "first sweep listed" "$log"; do sleep 5; done
sweep_ms=$(logged "$log" "first sweep listed")
rows=$(grep "first screen listed" "$log" | sed 's/.*rows=\([0-9]*\).*/\1/')
echo "  first sweep: $(awk -v m="$sweep_ms" 'BEGIN { printf "%.0f s", m / 1000 }')"
# The sweep's own requests: the pages after the first, and every listing but the first
# screen's; its bucket holds 5 at the start and gains 2 a second.
awk -v m="$sweep_ms" -v n="$n" -v rows="$rows" 'BEGIN {
  pages = int((n + 99) / 100); reqs = (pages - 1) + (n - rows);
  allowed = (reqs - 5) / 2.0;
  printf "  the sweep share allows %.0f s for %d requests: ratio %.3f\n", allowed, reqs, m / 1000 / allowed }'
echo "  throttled answers by then: $(stat "$dash_url" throttled)"

wait "${pids[-1]}" 2>/dev/null || true
read -r start end < "$work/report.time"
echo "invalidations --all --rate $rate, $n distributions"
awk -v s="$start" -v e="$end" -v n="$n" -v r="$rate" 'BEGIN {
  pages = int((n + 99) / 100); reqs = pages + n; allowed = (reqs - 10) / r;
  printf "  took %.0f s; --rate allows %.0f s for %d requests: ratio %.3f\n", e - s, allowed, reqs, (e - s) / allowed }'
echo "  rows: $(python3 -c "import json,sys; print(len(json.load(open('$work/report.json'))))")"
echo "  throttled answers: $(stat "$report_url" throttled)"
tmux -L "$sock" send-keys -t s q
