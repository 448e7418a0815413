#!/usr/bin/env bash
# Installs the Attune server on this machine (Debian/Ubuntu with systemd, Node.js 20.19+): the
# system user attune, the release in /opt/attune/releases/<name> with /opt/attune/current pointing
# at it (`npm ci --omit=dev`), /etc/attune/server.env (from deploy/server.env.example, kept when it
# exists), /var/lib/attune, the attune-server.service unit, and the `attune` admin command
# (/usr/local/bin/attune, with the server's environment). Run it again with a newer release to upgrade. See docs/deploy.md.
set -euo pipefail
source "$(dirname "$0")/install-lib.sh"

PREFIX=/opt/attune

usage() {
  cat <<'USAGE'
usage: sudo scripts/install-server.sh [--from RELEASE] [--prefix DIR] [--root DIR] [--dry-run]
  --from RELEASE  a release tarball (scripts/release.sh), an unpacked release or a development
                  checkout (built into a release first); default: the release this script is in
  --prefix DIR    where the releases go (default /opt/attune)
  --root DIR      install under DIR as if it were / (no user, no systemctl): packaging and tests
  --dry-run       print the steps without changing anything
USAGE
}

extra_option() { return 1; }

parse_options "$@"
require_node
resolve_release
create_user attune /var/lib/attune
install_release
make_dir /etc/attune root:attune 0750
make_dir /var/lib/attune attune:attune 0750
if [ ! -e "$ROOT/etc/attune/server.env" ]; then
  run install -m 0640 "$ROOT$RELEASE_DIR/deploy/server.env.example" "$ROOT/etc/attune/server.env"
  if [ -z "$ROOT" ]; then run chown root:attune "$ROOT/etc/attune/server.env"; fi
fi
install_unit attune-server.service /opt/attune
install_template deploy/attune-admin.sh /usr/local/bin/attune 0755 /opt/attune

cat <<DONE

The server is installed in $ROOT$PREFIX/current. Next (docs/deploy.md):

  sudoedit /etc/attune/server.env                 # DATABASE_URL, MQTT_*, PUBLIC_URL
  sudo systemctl enable --now attune-server
  curl -fsS http://127.0.0.1:3000/readyz
  sudo -u attune attune admin create --username <you> --role it_admin

DONE
