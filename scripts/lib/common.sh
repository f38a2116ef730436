# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Shared helpers for the hvpart harness scripts. Source it from bash scripts
# that already run with `set -euo pipefail`; it defines no side effects
# beyond variables and functions.
#
#   HVPART_SCRIPTS  this scripts/ directory
#   HVPART_ROOT   repository root whose sources are built (default: the
#                 parent of HVPART_SCRIPTS)
#   HVPART_CACHE  cache of packages, kernels and sources (~/.cache/hvpart)
#   HVPART_BUILD  build tree (build/ in the repository)

HVPART_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HVPART_ROOT=${HVPART_ROOT:-${HVPART_SCRIPTS%/*}}
HVPART_CACHE=${HVPART_CACHE:-${HOME:-/root}/.cache/hvpart}
HVPART_BUILD=${HVPART_BUILD:-$HVPART_ROOT/build}
export HVPART_ROOT HVPART_CACHE HVPART_BUILD

# Kernels the project builds and boots, as the short names used on the
# command line (--kernel 6.1) and in env.sh variable names (KDIR_6_1).
HVPART_KERNELS=(6.1 6.12)

# The debug kernel (scripts/debug-kernel): 6.12 built here with lockdep,
# KASAN, kmemleak and UBSAN. Not in HVPART_KERNELS: setup does not build it.
HVPART_DEBUG_KERNEL=6.12-debug

# Modules copied (decompressed, with their dependencies) into every guest
# initramfs; the benchmark compares hvpart against KVM; tun gives hvctl
# --net its tap (tests/vm-linux.sh). The debug kernel builds KVM for AMD
# only (and no tun: the network test skips there).
HVPART_GUEST_MODULES=(kvm-amd kvm-intel tun)
HVPART_DEBUG_GUEST_MODULES=(kvm-amd)

# Kernel log lines that mean a test run must fail, and the taint bits
# (M machine check, B bad page, D oops, W warning, L soft lockup) that mean
# the same. hvpart.ko itself taints O and E (out-of-tree, unsigned): fine.
# The debug kernel's checkers mostly report as BUG: or WARNING: (lockdep,
# atomic sleep, KASAN); their other forms are listed too, and kmemleak's
# line after a scan that found leaks.
HVPART_KERR_RE='BUG:|Oops|WARNING:|general protection|[Kk]ernel panic|KASAN|UBSAN|KFENCE|kernel BUG at|Unable to handle|double fault|detected stall|blocked for more than|list_(add|del) corruption|refcount_t: |stack-protector|stack guard page'
HVPART_KERR_RE+='|possible circular locking|possible recursive locking|inconsistent lock state|lock inversion|suspicious RCU usage|sleeping function called from invalid context|scheduling while atomic|suspected memory leak|unreferenced object'
HVPART_TAINT_BAD=$(( (1 << 4) | (1 << 5) | (1 << 7) | (1 << 9) | (1 << 14) ))

hv_log()  { printf '%s\n' "$*" >&2; }
hv_step() { printf '==> %s\n' "$*" >&2; }
hv_die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# hv_load_env: source $HVPART_CACHE/env.sh, failing with a hint if absent.
hv_load_env()
{
	local env=$HVPART_CACHE/env.sh

	[[ -r $env ]] || hv_die "$env missing: run scripts/setup first"
	# shellcheck source=/dev/null
	. "$env"
	env=$HVPART_CACHE/debug-kernel/env.sh
	# shellcheck source=/dev/null
	[[ ! -r $env ]] || . "$env"
}

# hv_kernel_tag VER: the suffix of VER's env.sh variables (6.12-debug ->
# 6_12_debug).
hv_kernel_tag()
{
	local tag=${1//./_}

	printf '%s\n' "${tag//-/_}"
}

# hv_kernel_vars VER: set KDIR, VMLINUZ, VMLINUX, MODDIR, KVER for short
# name VER. VMLINUX (uncompressed) is empty if setup could not extract it.
hv_kernel_vars()
{
	local ver=$1 tag

	case $ver in
	6.1|6.12) ;;
	"$HVPART_DEBUG_KERNEL")
		[[ -n ${KDIR_6_12_debug:-} ]] ||
			hv_die "no $ver kernel yet: run scripts/debug-kernel" ;;
	*) hv_die "unknown kernel '$ver' (want one of: ${HVPART_KERNELS[*]} $HVPART_DEBUG_KERNEL)" ;;
	esac
	tag=$(hv_kernel_tag "$ver")
	local -n kdir_ref=KDIR_$tag vmlinuz_ref=VMLINUZ_$tag \
		moddir_ref=MODDIR_$tag kver_ref=KVER_$tag vmlinux_ref=VMLINUX_$tag
	KDIR=$kdir_ref
	VMLINUZ=$vmlinuz_ref
	VMLINUX=${vmlinux_ref:-}
	MODDIR=$moddir_ref
	KVER=$kver_ref
}

# hv_stage_module VER: mirror the module sources (Kbuild, hv_*/, uapi/,
# include/ and top-level *.c, *.h, *.S if any) into
# build/k-VER. Kbuild writes objects next to the sources, so each kernel
# gets its own copy. Files are copied only when their content changed and
# then get a fresh mtime, so make rebuilds exactly what changed.
hv_stage_module()
{
	local dst=$HVPART_BUILD/k-$1

	mkdir -p "$dst"
	rsync -rlpD --checksum --delete \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.d' \
		--exclude='*.a' --exclude='modules.order' \
		--exclude='Module.symvers' --exclude='.tmp_versions' \
		--exclude='.*.swp' --exclude='*~' \
		--include='/Kbuild' --include='/hv_*/***' --include='/uapi/***' \
		--include='/include/***' --include='/*.[chS]' --exclude='/*' \
		"$HVPART_ROOT/" "$dst/"
}

# hv_build_module VER [MAKE ARGS...]: stage and build build/k-VER with W=1
# and -Werror (always: other flags would make Kbuild rebuild everything);
# output on stdout and stderr. -Werror keeps an object that warned from
# being up to date, so an incremental build cannot hide its warning.
# Serialised per kernel with flock: parallel callers wait.
hv_build_module()
{
	local ver=$1 dst=$HVPART_BUILD/k-$1

	shift
	hv_kernel_vars "$ver"
	hv_stage_module "$ver"
	(
		flock 9
		make -C "$KDIR" M="$dst" W=1 KCFLAGS=-Werror -j"$(nproc)" "$@" \
			modules
	) 9>"$dst/.lock"
}

# hv_lint_lines LOG: print the compiler, sparse and modpost diagnostics in LOG.
hv_lint_lines()
{
	grep -E 'warning:|error:|WARNING:|ERROR:' "$1" || true
}
