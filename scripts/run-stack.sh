#!/usr/bin/env bash
# `make run`: the whole product on the embedded defaults (SQLite database, Celery over SQLite,
# the small model on the CPU), from a fresh clone.
#   1. prepare the model, build the dataset, train and evaluate the gate, answer samples;
#   2. migrate the database, create an admin (its password is printed once);
#   3. start a worker and the web admin, print the URL;
#   4. submit the default trial through the job queue and follow it; when it has finished,
#      print base vs fine-tuned metrics and sample answers with sources;
#   5. keep the web admin running until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export HCMQA_HOME="${HCMQA_HOME:-$PWD/.hcmqa}"
PORT="${PORT:-5000}"
HCMQA=.venv/bin/hcmqa
LOGS="$HCMQA_HOME/logs"
mkdir -p "$LOGS"

$HCMQA demo

echo "== database"
$HCMQA db upgrade
if [ ! -f "$HCMQA_HOME/admin-created" ]; then
  password=$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(12))')
  echo "$password" | .venv/bin/flask --app webadmin create-admin admin --password-stdin >/dev/null
  touch "$HCMQA_HOME/admin-created"
  echo "   admin account created: user 'admin', password '$password' (shown only now;"
  echo "   reset it with: .venv/bin/flask --app webadmin create-admin admin --reset)"
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo "== worker and web admin (logs in $LOGS)"
$HCMQA worker --queues gpu,cpu >"$LOGS/worker.log" 2>&1 &
pids+=($!)
.venv/bin/flask --app webadmin run --host 127.0.0.1 --port "$PORT" >"$LOGS/web.log" 2>&1 &
pids+=($!)
sleep 3
echo "   web admin: http://127.0.0.1:$PORT  (log in as admin)"

echo "== default trial through the job queue"
line=$($HCMQA submit trial --preset cpu-default)
echo "   $line"
trial_id=$(echo "$line" | sed -n 's/^trial \([0-9]*\).*/\1/p')
run_dir="$HCMQA_HOME/runs/trial-$trial_id"
while :; do
  status=$(.venv/bin/python - "$trial_id" <<'PY'
import sys
from sqlalchemy import select
from db.models import Trial
from db.session import make_engine, make_session_factory
from worker.settings import WorkerSettings
settings = WorkerSettings.from_env()
factory = make_session_factory(make_engine(settings.database_url))
with factory() as s:
    t = s.get(Trial, int(sys.argv[1]))
    print(t.status if isinstance(t.status, str) else t.status.value)
PY
)
  case "$status" in
    succeeded) break ;;
    failed|cancelled) echo "   trial $trial_id ended $status; see the web admin and $LOGS/worker.log"; wait; exit 1 ;;
  esac
  $HCMQA jobs | tail -n +2 | head -n 3 | sed 's/^/   /'
  sleep 30
done

echo "== base vs fine-tuned (generated answers, 40 questions per test split)"
$HCMQA eval --limit 40 --out "$HCMQA_HOME/reports/base.json" 2>/dev/null | sed 's/^/   base       /'
$HCMQA eval --run "$run_dir" --limit 40 --out "$HCMQA_HOME/reports/fine-tuned.json" 2>/dev/null | sed 's/^/   fine-tuned /'
echo "== key-fact accuracy: fine-tuned next to base (the same 40 questions per split)"
.venv/bin/python - "$HCMQA_HOME/reports/base.json" "$HCMQA_HOME/reports/fine-tuned.json" <<'PY'
import json, sys
base, tuned = (json.load(open(p)) for p in sys.argv[1:3])
print(f"   {'split':16s} {'base':>6s} {'fine-tuned':>10s}   answer paths of the fine-tuned run")
for split, entry in tuned["splits"].items():
    b = base["splits"][split]["aggregate"]["key_fact_accuracy"]
    t = entry["aggregate"]
    paths = ", ".join(f"{k} {v:.0%}" for k, v in t.get("paths", {}).items() if v)
    print(f"   {split:16s} {b:6.3f} {t['key_fact_accuracy']:10.3f}   {paths}")
PY
echo "== sample answers from the fine-tuned trial"
# the trial's dataset's topic profile names the samples (the last one is off topic)
dataset=$(.venv/bin/python -c 'import json, sys; print(json.load(open(sys.argv[1]))["dataset"]["path"])' "$run_dir/manifest.json")
$HCMQA topic show --dataset "$dataset" | .venv/bin/python -c 'import json, sys; print("\n".join(json.load(sys.stdin)["sample_questions"]))' |
while IFS= read -r q; do
  echo "Q: $q"
  $HCMQA ask --run "$run_dir" "$q" 2>/dev/null < /dev/null | sed 's/^/   /'
done
echo
echo "web admin still running at http://127.0.0.1:$PORT; Ctrl-C stops it"
wait
