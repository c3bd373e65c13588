#!/usr/bin/env bash
# ostop set-up: installs what is missing (Debian packages, npm dependencies),
# then builds what is stale (TypeScript, the native addon and its eBPF
# objects). Every step is skipped when its inputs have not changed, so
# `npm start` and `npm test` stay fast after the first run.
#
#   scripts/setup.sh            what running ostop needs
#   scripts/setup.sh --test     plus what the tests need
#   scripts/setup.sh --bench    plus the classic tools the benchmark compares against
#   scripts/setup.sh --quiet    print only what is installed or built
set -euo pipefail
cd "$(dirname "$0")/.."

mode=run quiet=0
for a in "$@"; do
  case "$a" in
    --test) mode=test ;;
    --bench) mode=bench ;;
    --quiet) quiet=1 ;;
    *) echo "setup: unknown option '$a'" >&2; exit 2 ;;
  esac
done
say() { echo "ostop setup: $*" >&2; }
info() { [ "$quiet" = 1 ] || say "$@"; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none)); install it, e.g. from your distribution or nodejs.org, then run this again"
  exit 1
fi

# Debian packages: the build toolchain for the addon and the eBPF objects
# (libdw-dev: elfutils' libdwfl, the profiler's ELF symbolisation).
pkgs=(make g++ python3 pkg-config clang llvm libbpf-dev libelf-dev libdw-dev zlib1g-dev bpftool)
# procps, sysstat and iproute2 give the classic tools the accuracy tests compare with;
# linux-perf the profiler's (perf record -g + perf report on the same program).
[ "$mode" = run ] || pkgs+=(procps sysstat iproute2 tmux util-linux gdb linux-perf)
[ "$mode" = bench ] && pkgs+=(htop btop net-tools libbpf-tools strace atop)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    say "missing packages: ${missing[*]}; this is not a Debian/Ubuntu system, install their equivalents by hand"
    exit 1
  fi
  if [ "$(id -u)" != 0 ]; then
    say "missing Debian packages: ${missing[*]}"
    say "run this once, then try again:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

stamp_dir=.setup-stamps
mkdir -p "$stamp_dir"
hash_of() { cat "$@" 2>/dev/null | sha256sum | cut -c1-16; }

# npm dependencies, reinstalled only when the manifest or the lock changes.
deps_hash=$(hash_of package.json package-lock.json)
if [ ! -d node_modules ] || [ "$(cat $stamp_dir/deps 2>/dev/null)" != "$deps_hash" ]; then
  say "installing npm dependencies"
  if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error >&2; else npm install --no-audit --no-fund --loglevel=error >&2; fi
  echo "$deps_hash" > $stamp_dir/deps
fi

# native addon + eBPF objects
native_hash=$(hash_of $(find native -path native/build -prune -o -path native/.output -prune -o -type f -print | sort) package.json)
if [ ! -f native/build/Release/ostop_native.node ] || [ "$(cat $stamp_dir/native 2>/dev/null)" != "$native_hash" ]; then
  say "building the native addon and eBPF programs"
  make -s -C native >&2
  npx node-gyp -C native rebuild --loglevel=error >&2
  echo "$native_hash" > $stamp_dir/native
fi

# TypeScript
# then one bundle of the CLI and blessed for a fast start (scripts/bundle.mjs;
# bin/ostop.js falls back to dist/src when the bundle is missing or older),
# and a first V8 code cache for it (bin/ostop.js: the TUI refines it later)
ts_hash=$(hash_of tsconfig.json scripts/bundle.mjs scripts/blessed-unused.json package-lock.json $(find src screens bench -name '*.ts' | sort))
if [ ! -f dist/src/cli.js ] || [ ! -f dist/ostop.cjs ] || [ "$(cat $stamp_dir/ts 2>/dev/null)" != "$ts_hash" ]; then
  info "compiling TypeScript"
  npx tsc -p tsconfig.json >&2
  node scripts/bundle.mjs >&2
  ./bin/ostop.js --version >/dev/null 2>&1 || true
  echo "$ts_hash" > $stamp_dir/ts
fi
info "ready"
