#!/usr/bin/env bash
# Start, stop or inspect the local Pub/Sub emulator for wirewatch (loopback only).
#
#   deploy/local/emulator.sh start [--port 8085] [--project wirewatch-local]
#   eval "$(deploy/local/emulator.sh start)"     # also exports PUBSUB_EMULATOR_HOST
#   deploy/local/emulator.sh status
#   deploy/local/emulator.sh stop
#
# Uses the repository's .venv when there is one, else the python on PATH.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${WIREWATCH_PYTHON:-}"
if [[ -z "$python" ]]; then
  if [[ -x "$repo/.venv/bin/python" ]]; then python="$repo/.venv/bin/python"; else python="python3"; fi
fi

case "${1:-}" in
  start|stop|status) exec "$python" -m wirewatch.pipeline.emulator "$@" ;;
  *) echo "usage: $(basename "$0") start|stop|status [--port N] [--project P] [--state-dir DIR]" >&2; exit 64 ;;
esac
