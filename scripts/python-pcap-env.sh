#!/usr/bin/env bash
# A local Python virtual environment with dpkt (scripts/requirements-pcap.txt) under
# .cache/pcapenv, to decode riskgate's pcap captures with an independent reader. Idempotent.
# Prints the environment's python path on stdout.
set -euo pipefail
DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$DIR/python-env.sh" pcapenv "$DIR/requirements-pcap.txt"
