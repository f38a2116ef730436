#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# bench-guest.sh N ROUNDS [-v]: the emulated machine's half of
# scripts/bench.  Runs in /mnt/files with hvpart.ko loaded (scripts/vmrun
# does that).  Each round times the guest once under each hypervisor, in
# the order hvpart, KVM in odd rounds and KVM, hvpart in even ones (one
# module swap a round: rmmod hvpart and modprobe kvm_amd, or back).
# Interleaved rounds, rather than all hvpart runs first, make a slow
# stretch of the (shared, emulating) host hit both hypervisors alike.
# Prints "uname", "cpu", "vendor", "features", "result" (see bench.c) and
# "kvm" lines for scripts/bench; exits 1 if a step fails.  -v: the runners
# print every run on stderr.
n=${1:?N}
rounds=${2:?ROUNDS}
verbose=${3:-}

fail() { echo "bench: $*" >&2; exit 1; }

echo "uname $(uname -r)"
echo "cpu $(grep -m1 '^model name' /proc/cpuinfo | sed 's/^[^:]*: *//')"
if grep -qw vmx /proc/cpuinfo; then
	vendor=vmx kvm_vendor=kvm_intel
	# the VMX features that change how exits are handled
	feats='ept|vpid|ept_ad|flexpriority|tpr_shadow|vnmi|unrestricted_guest'
else
	vendor=svm kvm_vendor=kvm_amd
	# nrip_save: the CPU reports the next RIP, else a hypervisor must
	# know or decode the length
	feats='npt|nrip_save|decodeassists|vgif|flushbyasid|v_vmsave_vmload'
fi
echo "vendor $vendor"
echo "features $(grep -E '^(flags|vmx flags)' /proc/cpuinfo | head -n2 |
	cut -d: -f2 | tr ' ' '\n' | grep -xE "$feats" | sort -u | tr '\n' ' ')"

loaded=hvpart kvm_mods=

# the parameters hvpart.ko was first loaded with (vmrun writes them down)
HVPART_MODULE_ARGS=''
# shellcheck source=/dev/null
[ -r /etc/hvpart/config ] && . /etc/hvpart/config

# use hvpart|kvm: load that hypervisor's modules, unloading the other's
use()
{
	[ "$loaded" = "$1" ] && return 0
	if [ "$1" = kvm ]; then
		rmmod hvpart || fail "rmmod hvpart failed"
		# KVM cannot take SVM/VMX while hvpart holds it: on 6.12
		# loading kvm_amd fails (EIO), on 6.1 it loads and
		# KVM_CREATE_VM fails (EBUSY), so kvm-bench creating its VM is
		# the real proof
		modprobe "$kvm_vendor" ||
			fail "modprobe $kvm_vendor failed after rmmod hvpart"
		[ -c /dev/kvm ] || fail "$kvm_vendor loaded but /dev/kvm is missing"
		[ -n "$kvm_mods" ] || kvm_mods=$(lsmod | awk -v m="$kvm_vendor" \
			'$1 == "kvm" || $1 == m { printf "%s ", $1 }')
	else
		modprobe -r "$kvm_vendor" || fail "modprobe -r $kvm_vendor failed"
		# shellcheck disable=SC2086 # the first insmod's parameters
		insmod "$HVPART_KO" $HVPART_MODULE_ARGS ||
			fail "insmod hvpart.ko failed"
	fi
	loaded=$1
}

# bench hvpart|kvm: one timed run of every row
bench()
{
	use "$1"
	./"$1"-bench -n "$n" -r 1 ${verbose:+"$verbose"} ||
		fail "round $round: $1-bench failed"
}

round=1
while [ "$round" -le "$rounds" ]; do
	if [ $((round % 2)) = 1 ]; then
		bench hvpart
		bench kvm
	else
		bench kvm
		bench hvpart
	fi
	round=$((round + 1))
done
echo "kvm $kvm_mods"
