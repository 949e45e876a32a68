#!/usr/bin/env bash
# Run the wirewatch pipeline on a Flink cluster through Beam's FlinkRunner.
#
#   deploy/flink/run_flink.sh [--dry-run] {batch|stream} [LAUNCHER OR BEAM FLAGS...]
#
# Flags after the mode go to the launcher unchanged (e.g. --events_topic projects/P/topics/T).
# The same launcher as the Dataflow template (deploy/dataflow/launcher.py) builds the same
# pipeline; only the runner options differ. Settings (environment variables):
#   FLINK_MASTER        host:port of the JobManager REST endpoint   (default localhost:8081)
#   ENVIRONMENT_TYPE    LOOPBACK | DOCKER | PROCESS                  (default LOOPBACK)
#   ENVIRONMENT_CONFIG  DOCKER: the SDK image with wirewatch installed (e.g. the Dataflow image);
#                       PROCESS: '{"command": "/opt/apache/beam/boot"}' on TaskManagers that have
#                       wirewatch installed. Not used with LOOPBACK.
#   PARALLELISM         default 2
#   INPUT, OUTPUT       batch: feed files / output dir, on storage every worker can read and write
#   SUBSCRIPTION        stream: projects/P/subscriptions/S
#   EXPANSION_SERVICE   stream: the Java expansion service for Beam's cross-language Pub/Sub
#                       reader (--pubsub_expansion_service): host:port of a running one, a
#                       path to its .jar, or auto (Beam fetches and runs it; needs java).
#                       Required: Python's own Pub/Sub reader does not run on Flink.
#   CHECKPOINT_MS       stream: Flink checkpoint interval in milliseconds (default 60000)
#   SDK_WORKERS         Python SDK worker processes per TaskManager (default 1; each loads
#                       the spaCy model, about 330 MiB)
#   FLINK_VERSION       the cluster's Flink minor version (default: Beam's default)
#   JOB_SERVER_JAR      path to a pre-downloaded beam-runners-flink-<v>-job-server jar (offline)
#   PYTHON              default python3
# --dry-run prints the command instead of running it.
set -euo pipefail

DRY_RUN=0
if [[ "${1:-}" == "--dry-run" ]]; then DRY_RUN=1; shift; fi
MODE="${1:-}"
case "$MODE" in
  batch|stream) shift ;;
  *) echo "usage: $0 [--dry-run] {batch|stream} [FLAGS...]" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FLINK_MASTER="${FLINK_MASTER:-localhost:8081}"
ENVIRONMENT_TYPE="${ENVIRONMENT_TYPE:-LOOPBACK}"
PARALLELISM="${PARALLELISM:-2}"
PYTHON="${PYTHON:-python3}"

cmd=("$PYTHON" "$ROOT/deploy/dataflow/launcher.py")
if [[ $MODE == batch ]]; then
  cmd+=(--input "${INPUT:-$ROOT/pipeline/sample}" --output "${OUTPUT:-$ROOT/wirewatch-out-flink}")
else
  : "${SUBSCRIPTION:?set SUBSCRIPTION (projects/P/subscriptions/S)}" "${OUTPUT:?set OUTPUT}"
  : "${EXPANSION_SERVICE:?set EXPANSION_SERVICE (host:port, a .jar, or auto): Flink reads Pub/Sub only through the cross-language reader}"
  cmd+=(--subscription "$SUBSCRIPTION" --output "$OUTPUT"
        --pubsub_expansion_service "$EXPANSION_SERVICE"
        --checkpointing_interval "${CHECKPOINT_MS:-60000}")
fi
cmd+=(--runner FlinkRunner --flink_master "$FLINK_MASTER" --environment_type "$ENVIRONMENT_TYPE"
      --parallelism "$PARALLELISM" --sdk_worker_parallelism "${SDK_WORKERS:-1}")
if [[ -n "${ENVIRONMENT_CONFIG:-}" ]]; then cmd+=(--environment_config "$ENVIRONMENT_CONFIG"); fi
if [[ -n "${FLINK_VERSION:-}" ]]; then cmd+=(--flink_version "$FLINK_VERSION"); fi
if [[ -n "${JOB_SERVER_JAR:-}" ]]; then cmd+=(--flink_job_server_jar "$JOB_SERVER_JAR"); fi
cmd+=("$@")
# LOOPBACK workers live in this process: it has to stay until the job ends.
if [[ $ENVIRONMENT_TYPE == LOOPBACK ]]; then cmd+=(--wait); fi

if [[ $DRY_RUN == 1 ]]; then
  printf '%q ' "${cmd[@]}"; printf '\n'
else
  exec "${cmd[@]}"
fi
