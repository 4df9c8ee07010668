#!/usr/bin/env bash
# Writes assets/screenshot.png: the demo at 120×35, a few seconds in, one invalidation
# watched, the paths of another open.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cfdash-target}"
cargo build --release --quiet
sock="cfdash-shot-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true' EXIT
tmux -L "$sock" -f /dev/null new-session -d -s s -x 120 -y 35 \
  "TERM=xterm-256color '$CARGO_TARGET_DIR/release/cfdash' --demo --log-file /tmp/cfdash-shot.log"
sleep 3
tmux -L "$sock" send-keys -t s Tab w j j Enter
sleep 1
tmux -L "$sock" capture-pane -e -p -t s | python3 scripts/screenshot.py assets/screenshot.png
echo "wrote assets/screenshot.png"
