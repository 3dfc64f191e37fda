#!/usr/bin/env bash
# Create ./.venv with mailbot installed (editable) and, with --test, the test extras.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "mailbot needs Python >= 3.11")'
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
extras=""
[ "${1:-}" = "--test" ] && extras="[test]"
stamp=".venv/.installed${extras}"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e ".${extras}"
    touch "$stamp"
fi
