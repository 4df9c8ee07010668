#!/usr/bin/env bash
# Writes assets/screenshot.png: the demo at 120×35, a few seconds in, one invalidation
# watched, the paths of another open; then assets/screenshot-form.png: the form.
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

# The form: a few lines typed, one normalised, one covered, one wrong.
# (Apart, or the terminal reads Escape then n as Alt-n.)
for key in Escape Escape n; do
  tmux -L "$sock" send-keys -t s "$key"
  sleep 0.3
done
printf 'index.html\n/images/*\n/images/hero.jpg\n/products/summer sale.html\n/css/*.css\n/docs/\n#product:shoes' > /tmp/cfdash-shot-paths.txt
tmux -L "$sock" load-buffer /tmp/cfdash-shot-paths.txt
tmux -L "$sock" paste-buffer -p -t s
tmux -L "$sock" send-keys -t s Up Up
sleep 0.5
tmux -L "$sock" capture-pane -e -p -t s | python3 scripts/screenshot.py assets/screenshot-form.png
echo "wrote assets/screenshot-form.png"
