#!/usr/bin/env bash
# The project's tests, exactly as CI runs them. Installs what the tests need when it is
# missing: tmux drives the whole-program tests, pgrep finds the process to signal, and
# moto (PyPI, with boto3) is the independent CloudFront emulator of tests/it/moto.rs (and
# tests/it/headless.rs, tests/it/e2e_tmux.rs), and the aws CLI (PyPI: awscli) reads what
# `cfdash sim serve` serves. The integration tests are one binary, tests/it/main.rs.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/cfdash-target}"

have() { command -v "$1" >/dev/null 2>&1; }
install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  if have apt-get; then
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
  elif have brew; then
    brew install "$@"
  else
    echo "scripts/test.sh: please install $* and run again" >&2
    exit 1
  fi
}
missing=()
have tmux || missing+=(tmux)
have pgrep || missing+=(procps)
have python3 || missing+=(python3 python3-pip)
[ ${#missing[@]} -eq 0 ] || install "${missing[@]}"
pip_install() {
  python3 -m pip install --quiet "$@" || python3 -m pip install --quiet --break-system-packages "$@"
}
python3 -c "import moto.server, boto3" >/dev/null 2>&1 || pip_install "moto[server]"
have aws || pip_install awscli
have aws || export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$PATH"


cargo test --locked "$@"
