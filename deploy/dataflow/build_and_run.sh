#!/usr/bin/env bash
# Build the wirewatch Flex Template and run it on Dataflow.
#
#   PROJECT=my-project REGION=europe-west1 BUCKET=my-bucket deploy/dataflow/build_and_run.sh [--dry-run] STEP
#
# STEP is one of
#   pubsub   create the input topic/subscription and the three output topics (idempotent)
#   build    build the image with Cloud Build and write the template spec to gs://BUCKET/templates/
#   stream   run the streaming job (Pub/Sub in, Avro files + Pub/Sub out)
#   batch    run a batch job over gs://BUCKET/feeds/
#   all      pubsub, build, stream
# --dry-run prints each command instead of running it (no gcloud, no credentials needed).
#
# Optional: REPOSITORY (Artifact Registry, default wirewatch), TAG (default: now),
# MACHINE_TYPE (default n1-standard-2), MAX_WORKERS (default 4), SERVICE_ACCOUNT (none),
# OUTPUT_ROOT (default gs://BUCKET/wirewatch; stream writes to .../stream, batch to .../batch-TIME).
set -euo pipefail

DRY_RUN=0
if [[ "${1:-}" == "--dry-run" ]]; then DRY_RUN=1; shift; fi
STEP="${1:-}"
case "$STEP" in
  pubsub|build|stream|batch|all) ;;
  *) echo "usage: $0 [--dry-run] {pubsub|build|stream|batch|all}" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

if [[ $DRY_RUN == 1 ]]; then
  PROJECT="${PROJECT:-PROJECT}" REGION="${REGION:-REGION}" BUCKET="${BUCKET:-BUCKET}"
else
  : "${PROJECT:?set PROJECT (the GCP project id)}" "${REGION:?set REGION (e.g. europe-west1)}" \
    "${BUCKET:?set BUCKET (a GCS bucket name, no gs://)}"
fi
REPOSITORY="${REPOSITORY:-wirewatch}"
if [[ $DRY_RUN == 0 && ( $STEP == stream || $STEP == batch ) ]]; then
  : "${TAG:?set TAG to the tag the build step printed (it names the image and the template)}"
fi
TAG="${TAG:-$(date -u +%Y%m%d-%H%M%S)}"
MACHINE_TYPE="${MACHINE_TYPE:-n1-standard-2}"
MAX_WORKERS="${MAX_WORKERS:-4}"

IMAGE="$REGION-docker.pkg.dev/$PROJECT/$REPOSITORY/wirewatch:$TAG"
TEMPLATE="gs://$BUCKET/templates/wirewatch-$TAG.json"
OUTPUT_ROOT="${OUTPUT_ROOT:-gs://$BUCKET/wirewatch}"
TOPICS="projects/$PROJECT/topics"
ITEMS_SUBSCRIPTION="projects/$PROJECT/subscriptions/wirewatch-items-sub"

# True when a resource already exists (never asked in a dry run).
exists() {
  [[ $DRY_RUN == 0 ]] && "$@" >/dev/null 2>&1
}

run() {
  if [[ $DRY_RUN == 1 ]]; then
    printf '%q ' "$@"; printf '\n'
  else
    "$@"
  fi
}

step_pubsub() {
  for topic in wirewatch-items wirewatch-events wirewatch-summaries wirewatch-deadletter; do
    exists gcloud pubsub topics describe "$topic" --project "$PROJECT" ||
      run gcloud pubsub topics create "$topic" --project "$PROJECT"
  done
  # The one subscription the pipeline reads. (Dataflow manages acks itself.)
  exists gcloud pubsub subscriptions describe wirewatch-items-sub --project "$PROJECT" ||
    run gcloud pubsub subscriptions create wirewatch-items-sub --project "$PROJECT" \
        --topic wirewatch-items --message-retention-duration 7d
}

step_build() {
  exists gcloud artifacts repositories describe "$REPOSITORY" --project "$PROJECT" --location "$REGION" ||
    run gcloud artifacts repositories create "$REPOSITORY" --project "$PROJECT" \
        --repository-format docker --location "$REGION"
  run gcloud builds submit "$ROOT" --project "$PROJECT" \
      --config "$ROOT/deploy/dataflow/cloudbuild.yaml" --substitutions "_IMAGE=$IMAGE"
  run gcloud dataflow flex-template build "$TEMPLATE" --project "$PROJECT" \
      --image "$IMAGE" --sdk-language PYTHON \
      --metadata-file "$ROOT/deploy/dataflow/metadata.json"
  echo "template: $TEMPLATE (image $IMAGE); run with TAG=$TAG" >&2
}

common_run_flags=()
set_common_run_flags() {  # $1: output directory
  common_run_flags=(
    --template-file-gcs-location "$TEMPLATE" --project "$PROJECT" --region "$REGION"
    --staging-location "gs://$BUCKET/staging" --temp-location "gs://$BUCKET/temp"
    --worker-machine-type "$MACHINE_TYPE" --max-workers "$MAX_WORKERS"
    --parameters "sdk_container_image=$IMAGE"
    --parameters "output=$1"
  )
  if [[ -n "${SERVICE_ACCOUNT:-}" ]]; then
    common_run_flags+=(--service-account-email "$SERVICE_ACCOUNT")
  fi
}

step_stream() {
  set_common_run_flags "$OUTPUT_ROOT/stream"
  run gcloud dataflow flex-template run "wirewatch-stream-$(date -u +%Y%m%d-%H%M%S)" \
      "${common_run_flags[@]}" --enable-streaming-engine \
      --parameters "subscription=$ITEMS_SUBSCRIPTION" \
      --parameters "events_topic=$TOPICS/wirewatch-events" \
      --parameters "summaries_topic=$TOPICS/wirewatch-summaries" \
      --parameters "deadletter_topic=$TOPICS/wirewatch-deadletter"
}

step_batch() {
  set_common_run_flags "$OUTPUT_ROOT/batch-$(date -u +%Y%m%d-%H%M%S)"
  run gcloud dataflow flex-template run "wirewatch-batch-$(date -u +%Y%m%d-%H%M%S)" \
      "${common_run_flags[@]}" \
      --parameters "input=gs://$BUCKET/feeds/*"
}

case "$STEP" in
  pubsub) step_pubsub ;;
  build)  step_build ;;
  stream) step_stream ;;
  batch)  step_batch ;;
  all)    step_pubsub; step_build; step_stream ;;
esac
