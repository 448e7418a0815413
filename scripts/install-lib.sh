# Shared by scripts/install-server.sh and scripts/install-agent.sh (sourced, not run).
# A release is unpacked into PREFIX/releases/NAME, installed there with `npm ci --omit=dev`, and
# PREFIX/current points at it: an upgrade unpacks the next release beside it and moves the link,
# a rollback moves the link back. --root DIR installs under DIR as if it were / (no user, no
# ownership, no systemctl: for packaging and for the tests); --dry-run prints the steps only.

ROOT=""
DRY_RUN=0
FROM=""
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Prints a step, and runs it unless this is a dry run.
run() {
  echo "+ $*"
  if [ "$DRY_RUN" = 0 ]; then "$@"; fi
}

die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

require_node() {
  command -v node >/dev/null || die "node is not installed (Node.js 20.19 or newer)"
  command -v npm >/dev/null || die "npm is not installed (npm 11 or newer)"
  node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
    die "Node.js $(node --version) is too old: 20.19 or newer is required"
}

# Sets RELEASE_TARBALL from --from: a release tarball as is; a development checkout (it has
# scripts/release.sh and a .git folder) is built into one first; default: the release this script is in.
resolve_release() {
  local from="${FROM:-$SCRIPT_DIR/..}"
  if [ -f "$from" ]; then
    RELEASE_TARBALL=$(cd "$(dirname "$from")" && pwd)/$(basename "$from")
  elif [ -d "$from/.git" ] && [ -f "$from/scripts/release.sh" ]; then
    echo "+ bash $from/scripts/release.sh --out $WORK"
    if [ "$DRY_RUN" = 1 ]; then RELEASE_TARBALL="$WORK/attune-release.tar.gz"; return; fi
    RELEASE_TARBALL=$(bash "$from/scripts/release.sh" --out "$WORK")
  elif [ -d "$from/server/dist" ] && [ -f "$from/package-lock.json" ]; then
    local name
    name=$(basename "$(cd "$from" && pwd)")
    RELEASE_TARBALL="$WORK/$name.tar.gz"
    tar -czf "$RELEASE_TARBALL" -C "$(cd "$from/.." && pwd)" "$name"
  else
    die "--from $from is neither a release tarball, an unpacked release nor a development checkout"
  fi
}

# Unpacks the release into $ROOT$PREFIX/releases/<name> and runs `npm ci --omit=dev` there
# (for one workspace when $1 names it). Sets RELEASE_DIR (without $ROOT).
install_release() {
  local workspace="${1:-}" name
  if [ -f "$RELEASE_TARBALL" ]; then name=$(tar -tzf "$RELEASE_TARBALL" | awk -F/ 'NR == 1 { print $1 }'); else name=attune-release; fi
  [ -n "$name" ] || die "$RELEASE_TARBALL is empty"
  RELEASE_DIR="$PREFIX/releases/$name"
  run mkdir -p "$ROOT$PREFIX/releases"
  if [ -e "$ROOT$RELEASE_DIR" ]; then run rm -rf "$ROOT$RELEASE_DIR"; fi
  run tar -xzf "$RELEASE_TARBALL" -C "$ROOT$PREFIX/releases"
  local ws=()
  if [ -n "$workspace" ]; then ws=(--workspace "$workspace"); fi
  run npm ci --prefix "$ROOT$RELEASE_DIR" --omit=dev --no-audit --no-fund "${ws[@]}"
  run ln -sfn "releases/$name" "$ROOT$PREFIX/current"
}

# Creates a system user with its own group, unless it exists (or --root is given).
create_user() {
  local user="$1" home="$2" groups="${3:-}"
  if [ -n "$ROOT" ]; then
    echo "(--root: create the system user $user yourself)"
  elif id "$user" >/dev/null 2>&1; then
    echo "user $user exists"
  else
    local extra=()
    if [ -n "$groups" ]; then extra=(--groups "$groups"); fi
    run useradd --system --user-group --home-dir "$home" --no-create-home --shell /usr/sbin/nologin "${extra[@]}" "$user"
  fi
}

# Installs a file of the release (deploy/...) to DEST with this machine's node and --prefix written in.
install_template() {
  local src="$1" dest="$2" mode="$3" default_prefix="$4" node
  node=$(command -v node)
  run mkdir -p "$ROOT$(dirname "$dest")"
  echo "+ sed (node: $node, prefix: $PREFIX) $src > $ROOT$dest"
  if [ "$DRY_RUN" = 0 ]; then
    sed -e "s#/usr/bin/node #$node #" -e "s#$default_prefix/#$PREFIX/#g" "$ROOT$RELEASE_DIR/$src" > "$ROOT$dest"
    chmod "$mode" "$ROOT$dest"
  fi
}

# Installs deploy/systemd/<unit> and reloads systemd.
install_unit() {
  install_template "deploy/systemd/$1" "/etc/systemd/system/$1" 0644 "$2"
  if [ -z "$ROOT" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then run systemctl daemon-reload; fi
}

# Creates a folder with an owner and mode (the owner only when installing into the real root).
make_dir() {
  local dir="$1" owner="$2" mode="$3"
  run mkdir -p "$ROOT$dir"
  run chmod "$mode" "$ROOT$dir"
  if [ -z "$ROOT" ]; then run chown "$owner" "$ROOT$dir"; fi
}

# Parses the options both scripts share; the rest is handled by the caller's `extra_option`.
parse_options() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --from) FROM="$2"; shift 2 ;;
      --prefix) PREFIX="$2"; shift 2 ;;
      --root) ROOT="${2%/}"; shift 2 ;;
      --dry-run) DRY_RUN=1; shift ;;
      -h | --help) usage; exit 0 ;;
      *)
        if extra_option "$@"; then shift "$EXTRA_SHIFT"; else usage >&2; exit 2; fi
        ;;
    esac
  done
  [ -z "$ROOT" ] || ROOT=$(mkdir -p "$ROOT" && cd "$ROOT" && pwd)
  if [ -z "$ROOT" ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
    die "run as root (or with --root DIR to install into a folder, or --dry-run)"
  fi
  WORK=$(mktemp -d)
  trap 'rm -rf "$WORK"' EXIT
}
