#!/usr/bin/env bash
# Run the whole test suite against real servers: Dovecot (installed when missing), an in-process
# SMTP server, SQLite and PostgreSQL (127.0.0.1:5432 or MAILBOT_TEST_PG_URL), and Debian's chromium
# (installed when missing) for the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --test

if ! command -v dovecot >/dev/null 2>&1 || [ ! -x /usr/lib/dovecot/imap ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "installing dovecot-imapd (the test suite starts its own throwaway instances)" >&2
        # never let the package start the system-wide dovecot
        policy_created=""
        if [ ! -e /usr/sbin/policy-rc.d ]; then
            printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; policy_created=1
        fi
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends dovecot-imapd >/dev/null 2>&1 || {
            apt-get update -qq && apt-get install -y -q --no-install-recommends dovecot-imapd >/dev/null; }
        [ -n "$policy_created" ] && rm -f /usr/sbin/policy-rc.d
    else
        echo "dovecot-imapd is missing: sudo apt-get install dovecot-imapd (server tests will skip)" >&2
    fi
fi

# the browser tests drive Debian's chromium (fonts-dejavu-core: glyphs for Vietnamese text in screenshots)
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "installing chromium and fonts-dejavu-core (for the browser tests)" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null 2>&1 || {
            apt-get update -qq && apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core >/dev/null; }
    else
        echo "chromium is missing: sudo apt-get install chromium fonts-dejavu-core (browser tests will skip)" >&2
    fi
fi

.venv/bin/lint-imports pyproject.toml
exec .venv/bin/python -m pytest "$@"
