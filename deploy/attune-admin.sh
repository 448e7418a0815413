#!/bin/sh
# /usr/local/bin/attune (installed by scripts/install-server.sh): the server's admin command, with
# the server's configuration as attune-server.service has it. Run it as the attune user:
#   sudo -u attune attune admin create --username jdoe --role it_admin
set -a
. /etc/attune/server.env
set +a
export NODE_ENV=production ATTUNE_DATA_DIR=/var/lib/attune
exec /usr/bin/node /opt/attune/current/server/bin/attune.mjs "$@"
