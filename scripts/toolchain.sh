# Sourced by scripts/serve and scripts/test: each `ensure_*` installs one tool
# only when it is missing or at the wrong version, so a second run costs
# nothing. Versions are pinned here and in Cargo.lock, nowhere else.

TRUNK_VERSION=0.21.14

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

ensure_rust() {
  if ! command -v cargo >/dev/null 2>&1; then
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
  fi
  command -v cargo >/dev/null 2>&1 || {
    echo "cargo was not found. Install Rust first: https://rustup.rs" >&2
    exit 1
  }
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$HOME/.cargo/bin:$PATH"
}

ensure_wasm_target() {
  if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

ensure_trunk() {
  if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
    say "installing Trunk $TRUNK_VERSION (about 8 minutes on 2 cores)"
    cargo install --locked trunk --version "$TRUNK_VERSION"
  fi
}

# wasm-bindgen-cli must match the wasm-bindgen crate in Cargo.lock exactly.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen() {
  local want
  want=$(wasm_bindgen_version)
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
    say "installing wasm-bindgen-cli $want (matches Cargo.lock)"
    # Not --locked: one of its locked dependencies is missing from the registry.
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_chromium() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    say "installing Debian's chromium and chromium-driver (needs root)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
  fi
}

# Node.js and npm for the end-to-end tests, and their packages (pinned by
# tests/e2e/package-lock.json): playwright-core, which drives Debian's
# Chromium (it cannot download a browser here), and axe-core.
ensure_e2e_packages() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm (needs root)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
  fi
  # The stamp is the lock file the packages were installed from.
  if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.installed-from-lock 2>/dev/null; then
    say "installing the end-to-end tests' npm packages"
    (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error &&
      cp package-lock.json node_modules/.installed-from-lock)
  fi
}

ensure_python() {
  command -v python3 >/dev/null 2>&1 || {
    say "installing python3 (needs root)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y python3
  }
}

# Screenshots of the Chinese interface need a CJK font; Debian's minimal
# installs have none (learners' own machines do).
ensure_cjk_font() {
  if ! fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk"; then
    say "installing a CJK font for screenshots (fonts-wqy-microhei, needs root)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei
  fi
}

# Node.js (18 or newer) and npm, from Debian's packages when missing; code
# mode's build (scripts/build-code-mode) needs them.
ensure_node() {
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    say "installing Node.js and npm (needs root)"
    as_root apt-get update
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
  fi
  local major
  major=$(node -p 'process.versions.node.split(".")[0]')
  if [ "$major" -lt 18 ]; then
    echo "Node.js $(node --version) is too old: code mode's build needs Node.js 18 or newer" >&2
    exit 1
  fi
}
