#!/usr/bin/env bash
# Score jikimi.pii beside its peers (Presidio, ko-pii) in one run, on the independent labelled set.
#
#   scripts/pii-bench-peers.sh [evaluate.py options, e.g. --corpus generated --repeat 7]
#
# The peers live in a virtual environment of their own (PII_BENCH_VENV, /tmp/pii-bench-venv by
# default), made on first use from PyPI with the versions pinned in bench/pii/requirements.txt,
# jikimi installed beside them from this checkout. Nothing of theirs enters .venv, and nothing
# is downloaded at run time: Presidio runs on a blank Korean spaCy pipeline (see bench/pii/peers.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${PII_BENCH_VENV:-/tmp/pii-bench-venv}"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import presidio_analyzer, spacy, ko_pii, jikimi.pii" 2>/dev/null; then
    "$VENV/bin/pip" install --quiet -r "$ROOT/bench/pii/requirements.txt"
    "$VENV/bin/pip" install --quiet -e "$ROOT"
fi

cd "$ROOT"
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
    args=(--corpus independent)
fi
exec "$VENV/bin/python" bench/pii/evaluate.py "${args[@]}"
