#!/usr/bin/env bash
# Installs the Attune bedside agent on this machine (Debian/Ubuntu with systemd, Node.js 20.19+):
# the system user attune-agent (in the video group, for the camera), the release in
# /opt/attune-agent/releases/<name> with /opt/attune-agent/current pointing at it (`npm ci
# --omit=dev` for the agent's workspace only), /etc/attune-agent for its configuration,
# /var/lib/attune-agent for its outbox, the attune-agent.service unit, and the `attune-agent`
# command in /usr/local/bin. Then it prints the enrolment command. Run it again with a newer
# release to upgrade. See docs/deploy.md, "Enrol an agent".
set -euo pipefail
source "$(dirname "$0")/install-lib.sh"

PREFIX=/opt/attune-agent
SERVER_URL="https://attune.hospital.example"

usage() {
  cat <<'USAGE'
usage: sudo scripts/install-agent.sh [--from RELEASE] [--prefix DIR] [--server URL] [--root DIR] [--dry-run]
  --from RELEASE  a release tarball (scripts/release.sh), an unpacked release or a development
                  checkout (built into a release first); default: the release this script is in
  --prefix DIR    where the releases go (default /opt/attune-agent)
  --server URL    the Attune server's address, for the printed enrolment command
  --root DIR      install under DIR as if it were / (no user, no systemctl): packaging and tests
  --dry-run       print the steps without changing anything
USAGE
}

extra_option() {
  case "$1" in
    --server) SERVER_URL="$2"; EXTRA_SHIFT=2 ;;
    *) return 1 ;;
  esac
}

parse_options "$@"
require_node
resolve_release
create_user attune-agent /var/lib/attune-agent video
install_release @attune/edge-agent
make_dir /etc/attune-agent attune-agent:attune-agent 0700
make_dir /var/lib/attune-agent attune-agent:attune-agent 0700
install_unit attune-agent.service /opt/attune-agent
run mkdir -p "$ROOT/usr/local/bin"
run ln -sfn "$PREFIX/current/edge-agent/bin/attune-agent.mjs" "$ROOT/usr/local/bin/attune-agent"

cat <<DONE

The agent is installed in $ROOT$PREFIX/current. Enrol it with a token from the server's Devices page
(the configuration goes to /etc/attune-agent/agent.json, its data to /var/lib/attune-agent):

  sudo -u attune-agent attune-agent enroll --server $SERVER_URL --token <TOKEN>
  sudo -u attune-agent attune-agent doctor --config /etc/attune-agent/agent.json
  sudo systemctl enable --now attune-agent

DONE
