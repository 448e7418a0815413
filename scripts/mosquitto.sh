#!/usr/bin/env bash
# Starts a Mosquitto configured exactly as Attune ships it (deploy/mosquitto/attune.conf) in a
# state folder, with an admin account for the Attune server. Prints the env to use it.
#   scripts/mosquitto.sh <state-dir> <port> <server-password>
# With MOSQUITTO_TLS_CERT and MOSQUITTO_TLS_KEY (PEM files) it also listens for mqtts on
# MOSQUITTO_TLS_PORT (default 8883; bound like the plain listener unless MOSQUITTO_TLS_BIND is
# set), configured by deploy/mosquitto/attune-tls.conf. The printed env stays the plain listener's.
set -euo pipefail
STATE_DIR=$(realpath -m "${1:?state dir}")
MQTT_PORT=${2:?port}
SERVER_PASSWORD=${3:?server password}
MQTT_BIND=${MQTT_BIND:-127.0.0.1}
DYNSEC_PLUGIN=${DYNSEC_PLUGIN:-$( (ls /usr/lib/*/mosquitto_dynamic_security.so /usr/lib/mosquitto_dynamic_security.so 2>/dev/null || true) | head -1)}
[ -n "$DYNSEC_PLUGIN" ] || { echo "mosquitto_dynamic_security.so not found; install mosquitto 2.x" >&2; exit 1; }
mkdir -p "$STATE_DIR"
if [ ! -f "$STATE_DIR/dynamic-security.json" ]; then
  mosquitto_ctrl dynsec init "$STATE_DIR/dynamic-security.json" attune-server "$SERVER_PASSWORD" >/dev/null
fi
export STATE_DIR MQTT_PORT MQTT_BIND DYNSEC_PLUGIN
envsubst < "$(dirname "$0")/../deploy/mosquitto/attune.conf" > "$STATE_DIR/mosquitto.conf"
TLS_PORT=""
if [ -n "${MOSQUITTO_TLS_CERT:-}${MOSQUITTO_TLS_KEY:-}" ]; then
  [ -n "${MOSQUITTO_TLS_CERT:-}" ] && [ -n "${MOSQUITTO_TLS_KEY:-}" ] ||
    { echo "set both MOSQUITTO_TLS_CERT and MOSQUITTO_TLS_KEY, or neither" >&2; exit 1; }
  # Copied into the state folder, which the mosquitto user owns (it may not read the originals).
  install -d -m 700 "$STATE_DIR/tls"
  install -m 644 "$MOSQUITTO_TLS_CERT" "$STATE_DIR/tls/cert.pem"
  install -m 600 "$MOSQUITTO_TLS_KEY" "$STATE_DIR/tls/key.pem"
  TLS_PORT=${MOSQUITTO_TLS_PORT:-8883}
  TLS_BIND=${MOSQUITTO_TLS_BIND:-$MQTT_BIND}
  TLS_CERTFILE="$STATE_DIR/tls/cert.pem"
  TLS_KEYFILE="$STATE_DIR/tls/key.pem"
  export TLS_PORT TLS_BIND TLS_CERTFILE TLS_KEYFILE
  envsubst < "$(dirname "$0")/../deploy/mosquitto/attune-tls.conf" >> "$STATE_DIR/mosquitto.conf"
fi
# Started as root, Mosquitto drops to its own user, which must own its state.
if [ "$(id -u)" = 0 ] && id mosquitto >/dev/null 2>&1; then chown -R mosquitto: "$STATE_DIR"; fi
# The Attune server's role (subscribe to every device's scores and status, publish consent,
# remote configuration and the server's clock). Granted here, not by the server: dynamic security disconnects a client
# whose roles change. Safe to run again: an ACL or role that exists already is left as it is.
provision_server_role() {
  local ctrl=(mosquitto_ctrl -h 127.0.0.1 -p "$MQTT_PORT" -u attune-server -P "$SERVER_PASSWORD" dynsec)
  "${ctrl[@]}" createRole attune-server >/dev/null 2>&1 || true
  "${ctrl[@]}" addRoleACL attune-server subscribePattern 'attune/v2/devices/+/scores' allow >/dev/null 2>&1 || true
  "${ctrl[@]}" addRoleACL attune-server subscribePattern 'attune/v2/devices/+/status' allow >/dev/null 2>&1 || true
  # Several server instances subscribe through a shared group; Mosquitto checks the whole \$share/... filter.
  "${ctrl[@]}" addRoleACL attune-server subscribePattern '$share/+/attune/v2/devices/+/scores' allow >/dev/null 2>&1 || true
  "${ctrl[@]}" addRoleACL attune-server subscribePattern '$share/+/attune/v2/devices/+/status' allow >/dev/null 2>&1 || true
  "${ctrl[@]}" addRoleACL attune-server publishClientSend 'attune/v2/devices/+/consent' allow >/dev/null 2>&1 || true
  "${ctrl[@]}" addRoleACL attune-server publishClientSend 'attune/v2/devices/+/config' allow >/dev/null 2>&1 || true
  "${ctrl[@]}" addRoleACL attune-server publishClientSend 'attune/v2/server/time' allow >/dev/null 2>&1 || true
  "${ctrl[@]}" addClientRole attune-server attune-server >/dev/null 2>&1 || true
}

mosquitto -c "$STATE_DIR/mosquitto.conf" > "$STATE_DIR/mosquitto.log" 2>&1 &
echo $! > "$STATE_DIR/mosquitto.pid"
for _ in $(seq 1 50); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$MQTT_PORT") 2>/dev/null && { [ -z "$TLS_PORT" ] || (exec 3<>"/dev/tcp/127.0.0.1/$TLS_PORT") 2>/dev/null; }; then
    provision_server_role
    echo "MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT MQTT_USERNAME=attune-server MQTT_DYNSEC=true"
    exit 0
  fi
  sleep 0.1
done
echo "Mosquitto did not start; see $STATE_DIR/mosquitto.log" >&2
cat "$STATE_DIR/mosquitto.log" >&2
exit 1
