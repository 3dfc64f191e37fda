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
    echo "installing mailbot${extras} into .venv (log: .venv/install.log)" >&2
    if ! { .venv/bin/python -m pip install --upgrade pip && .venv/bin/python -m pip install -e ".${extras}"; } \
            > .venv/install.log 2>&1; then
        tail -n 30 .venv/install.log >&2
        exit 1
    fi
    touch "$stamp"
fi
