#!/usr/bin/env bash
# Run the whole pipeline on the bundled sample mailbox: SQLite, local folders, no server to set up.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/mailbot demo "$@"
