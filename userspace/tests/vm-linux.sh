#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A Linux child partition, end to end, in the emulated machine: this
# machine's own Debian kernel boots under hvpart with the test initramfs
# (tests/linux/init, which scripts/lib/initramfs.sh packs), which reports
# what Linux chose from what hvpart offered.  Prints TAP; run-suites'
# "linux" check runs it.  By hand:
#   scripts/vmrun -- run-suites linux
# Each boot takes about 20 s of emulated time; bounds, never timings.
#
# HVPART_LINUX_TESTS picks the cases:
#   all    (the default) every case below;
#   short  the emulated Intel machine's set (Bochs, where a boot takes
#          minutes; scripts/vmrun --vmx picks it): a 2-VP boot with
#          every enlightenment and both CPUs checked, and one fallback
#          (--hv-off stimer: the local APIC timer), each powering off,
#          with 96 MiB instead of 256.
#          Left out: the other fallbacks, the panic, the reboot and
#          SIGINT, which needs a signal to end a guest (README, Limits).
# Then, in either set, each other kernel in tests/linux/extra (vmrun
# --vmx stages Debian's 6.1 there: the Bochs machine runs 6.12) boots
# once like the first case of the short set.
cd "$(dirname "$0")/.." || exit 1
K=tests/linux/vmlinuz
I=tests/linux/initramfs.cpio.gz
out=/tmp/linux-test.out
err=/tmp/linux-test.err
WAIT=${WAIT:-300}
cases=${HVPART_LINUX_TESTS:-all}
# shellcheck source=vm-lib.sh source-path=SCRIPTDIR
. "$PWD/tests/vm-lib.sh"

# boot [HVCTL OPTIONS] -- [KERNEL ARGS]: run the child with $vps VPs and
# $mem of memory, serial console, quiet boot.
vps=1
mem=256M
boot()
{
	opts=''
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		opts="$opts $1"
		shift
	done
	[ $# -gt 0 ] && shift
	# shellcheck disable=SC2086 # $opts: words
	timeout -s INT "$WAIT" hvctl run --vps "$vps" --memory "$mem" $opts \
		--initrd "$I" "$K" "console=ttyS0 quiet panic=-1 $*"
}

# tb NAME WANT CMD...: t, then how long it took, as a TAP comment.
tb()
{
	start=$(date +%s)
	t "$@"
	ret=$?
	echo "# $(($(date +%s) - start)) s"
	return $ret
}

# child KEY VALUE: the child reported KEY with VALUE.
child() { has "$out" "child: $1 $2"; }

# irq NAME: the child counted interrupts NAME on its CPUs.
irq() { has_re "$out" "^child: irq $1: [1-9]"; }

# every_enlightenment: what the child chose from the default offer, and
# that it ran its command and powered off.
every_enlightenment()
{
	child clocksource hyperv_clocksource_tsc_page &&
	child clockevent "clockevent0 Hyper-V clockevent" &&
	child cpus "$vps" && irq HVS &&
	child dmesg "Hypervisor detected: Microsoft Hyper-V" &&
	child dmesg "Hyper-V: LAPIC Timer Frequency: 0xc3500" &&
	child dmesg "Hyper-V: Using hypercall for remote TLB flush" &&
	child dmesg "Hyper-V: Using IPI hypercalls" &&
	child dmesg "Hyper-V: Using enlightened APIC (x2apic mode)" &&
	child dmesg "clocksource: Switched to clocksource hyperv_clocksource_tsc_page" &&
	hasnt "$out" "unchecked MSR access error" &&
	child running: "uname -sr" && has "$out" "Linux ${rel:-$(uname -r)}" &&
	child status 0 && child "done," "powering off"
}

# smp: the second VP came up by INIT-SIPI-SIPI, with its own synthetic
# timer, and the VPs exchanged IPIs (function calls) and flushes.
smp()
{
	child cpus 2 && child online 0-1 &&
	child clockevent "clockevent1 Hyper-V clockevent" &&
	irq HVS && irq CAL &&
	child dmesg "smpboot: Total of 2 processors activated" &&
	child status 0
}

stimer_off()
{
	tb "--hv-off stimer: the local APIC timer" 0 boot --hv-off stimer &&
		has_re "$out" "^child: clockevent clockevent0 lapic" &&
		hasnt "$out" "Hyper-V clockevent" &&
		child "done," "powering off"
}

# SIGINT while the child runs a command: hvctl ends the partition.  The
# signal goes to hvctl itself: the background subshell that runs boot()
# ignores SIGINT, as a non-interactive shell's jobs do.
sigint()
{
	boot -- -- sleep 600 >"$out" 2>"$err" &
	pid=$!
	i=0
	while [ $i -lt "$WAIT" ] && ! grep -q "child: running" "$out"; do
		sleep 1
		i=$((i + 1))
	done
	for d in /proc/[0-9]*; do
		[ "$(cat "$d/comm" 2>/dev/null)" = hvctl ] &&
			kill -INT "${d#/proc/}"
	done
	wait "$pid"
}

all_cases()
{
	tb "Linux, every enlightenment: powers off" 0 \
		boot -- -- uname -sr &&
		every_enlightenment

	tb "--hv-off tsc-page: the MSR clock source" 0 \
		boot --hv-off tsc-page &&
		child clocksource hyperv_clocksource_msr &&
		hasnt "$out" "hyperv_clocksource_tsc_page"

	stimer_off

	tb "--hv-off ipi,tlb-flush: native IPIs and TLB shootdowns" 0 \
		boot --hv-off ipi,tlb-flush &&
		hasnt "$out" "Using IPI hypercalls" &&
		hasnt "$out" "Using hypercall for remote TLB flush"

	tb "a panic: the crash MSRs, status 14" 14 boot -- hvtest=panic &&
		has "$out" "child: panicking" &&
		has "$err" "guest crash: P0="

	# --verbose: hvctl says why the run ended
	tb "a reboot: the FADT's reset register, status 16" 16 \
		boot --verbose -- hvtest=reboot &&
		has "$out" "child: rebooting" &&
		has "$err" "guest wrote the ACPI reset register"

	tb "SIGINT ends the child partition" 130 sigint &&
		child running: "sleep 600" && hasnt "$out" "child: status"

	vps=2
	tb "Linux, 2 VPs: both CPUs up, timers on both, IPIs" 0 \
		boot -- -- uname -sr &&
		smp
}

short_cases()
{
	# Debian's kernels decompress at 16 MiB into their init_size (56
	# MiB for 6.12), so 64 MiB is too little
	mem=96M
	vps=2
	tb "Linux, 2 VPs, every enlightenment: both CPUs up, powers off" 0 \
		boot -- -- uname -sr &&
		every_enlightenment && smp
	vps=1
	stimer_off
}

# extra_kernels: each tests/linux/extra/vmlinuz-KVER (vmrun --vmx stages
# Debian's 6.1 there, next to the machine's 6.12) boots once, with 2 VPs
# and every enlightenment: $vps, $mem as the set before left them.
extra_kernels()
{
	for K in tests/linux/extra/vmlinuz-*; do
		[ -r "$K" ] || continue
		rel=${K##*/vmlinuz-}
		vps=2
		tb "Linux $rel, 2 VPs, every enlightenment: powers off" 0 \
			boot -- -- uname -sr &&
			every_enlightenment && smp
	done
}

case $cases in
all|short) ;;
*)
	echo "Bail out! HVPART_LINUX_TESTS=$cases: neither all nor short"
	exit 1 ;;
esac
if ! [ -r "$K" ] || ! [ -r "$I" ]; then
	echo "1..0 # SKIP no child kernel or initramfs in tests/linux"
	exit 0
fi

"${cases}_cases"
extra_kernels
echo "1..$n"
[ "$failed" -eq 0 ]
