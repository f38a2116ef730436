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
#   vmbus  the VMBus cases alone: the ICs, hv_sock, hvctl stop, --net,
#          --disk
#          (for loops over them);
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

# vmbus_util [VERSION]: the child bound hv_vmbus (with VERSION, 5.3 by
# default) and hv_utils to hvpart's three ICs, and the time sync IC set
# its clock (which init set to 2001 before it loaded hv_utils).
vmbus_util()
{
	child dmesg "hv_vmbus: Vmbus version:${1:-5.3}" &&
	child "vmbus device" "{0e0b6031-5213-4934-818b-38d90ced39db} hv_utils" &&
	child "vmbus device" "{9527e630-d0ae-497b-adce-e80ab0175caf} hv_utils" &&
	child "vmbus device" "{57164f39-9115-4e78-ab55-382f3bd5422d} hv_utils" &&
	child dmesg "hv_utils: Shutdown IC version 3.2" &&
	child dmesg "hv_utils: TimeSync IC version 3.0" &&
	child dmesg "hv_utils: Heartbeat IC version 3.0" &&
	year=$(sed -n 's/^child: year \([0-9]*\).*/\1/p' "$out") &&
	[ "${year:-0}" -ge 2025 ]
}

# vmbus_versions: the child capped at older VMBus versions (hv_vmbus's
# max_version) still gets its devices: 2.4 (Windows 8, the oldest Linux
# offers), 4.0, and 5.0 (the first on connection 4).
vmbus_versions()
{
	for v in 2.4:0x20004 4.0:0x40000 5.0:0x50000; do
		tb "VMBus version ${v%%:*}: hv_utils bound" 0 \
			boot -- "hvvmbus=${v#*:}" &&
			vmbus_util "${v%%:*}"
	done
}

# lx_start: a managed Linux child, lx (init's hvtest=wait), up to where
# it waits for the root, with its console in $top/con.out (and $out).
lx_top=/tmp/hvctl-linux-mgmt
lx_start()
{
	rm -rf "$lx_top"
	mkdir -p "$lx_top"
	export HVPART_STATE_DIR=$lx_top/conf HVPART_RUN_DIR=$lx_top/run
	hvctl create lx --vps 2 --memory "$mem" --initrd "$PWD/$I" "$PWD/$K" \
		"console=ttyS0 quiet panic=-1 hvtest=wait" >/dev/null &&
	hvctl start lx >/dev/null || return 1
	mkfifo "$lx_top/in"
	hvctl console lx <"$lx_top/in" >"$lx_top/con.out" 2>&1 &
	exec 3>"$lx_top/in"
	i=0
	while [ $i -lt "$WAIT" ] &&
	      ! grep -q "child: waiting for a shutdown request" "$lx_top/con.out"; do
		sleep 1
		i=$((i + 1))
	done
	cp "$lx_top/con.out" "$out"
	grep -q "child: waiting for a shutdown request" "$out"
}

# lx_stop: 'hvctl stop' asks lx to shut down through the shutdown IC,
# and the guest powers itself off.
lx_stop()
{
	hvctl stop --timeout 60 lx >"$err" 2>&1
	ret=$?
	exec 3>&-
	hvctl list >>"$err" 2>&1
	cp "$lx_top/con.out" "$out"
	hvctl delete lx >/dev/null 2>&1
	unset HVPART_STATE_DIR HVPART_RUN_DIR
	return $ret
}

# vsock_echo FILE...: each FILE to lx's echo service (port 5000) by
# hvctl connect, all at once; each comes back whole.
vsock_echo()
{
	pids=''
	for f in "$@"; do
		timeout 120 hvctl connect lx 5000 <"$f" >"$f.back" 2>"$f.err" &
		pids="$pids $!"
	done
	ret=0
	for p in $pids; do
		wait "$p" || ret=1
	done
	for f in "$@"; do
		cmp -s "$f" "$f.back" || { echo "$f came back different"; ret=1; }
		cat "$f.err"
	done
	return $ret
}

# vsock_greet: the greeting service (port 5001) closes first, while the
# root's side still has its input open: hvctl connect ends with it.
vsock_greet()
{
	sleep 60 | timeout 50 hvctl connect lx 5001
}

# vsock_many N: N connections one after another, more than there are
# relids and connections to hold at once: each must be taken back
# (rescinded) and released by the guest.
vsock_many()
{
	i=0
	while [ $i -lt "$1" ]; do
		echo "ping $i" >"$lx_top/ping"
		timeout 60 hvctl connect lx 5000 <"$lx_top/ping" >"$lx_top/pong" ||
			{ echo "connection $i failed"; return 1; }
		cmp -s "$lx_top/ping" "$lx_top/pong" ||
			{ echo "connection $i: wrong echo"; return 1; }
		i=$((i + 1))
	done
}

# vmbus_mgmt: the managed child's cases: hv_sock through hvctl connect,
# then hvctl stop through the shutdown IC.
vmbus_mgmt()
{
	tb "a managed child: hv_sock loaded, listens on 5000 and 5001" 0 \
		lx_start &&
		child vsock "vsock-echo: listening on 5000 vsock-echo: listening on 5001"
	dd if=/dev/urandom of="$lx_top/big" bs=1024 count=1024 2>/dev/null
	for i in 1 2 3 4; do
		dd if=/dev/urandom of="$lx_top/f$i" bs=1024 count=256 2>/dev/null
	done
	tb "hvctl connect: 1 MiB echoed by the guest through hv_sock" 0 \
		vsock_echo "$lx_top/big"
	tb "hvctl connect: 4 connections at once, 256 KiB each" 0 \
		vsock_echo "$lx_top/f1" "$lx_top/f2" "$lx_top/f3" "$lx_top/f4"
	t "hvctl connect: the guest closes first" 0 vsock_greet &&
		has "$out" "hello from the guest"
	tb "hvctl connect: 40 in a row, each relid released" 0 \
		vsock_many 40
	tb "hvctl connect: nothing listens, exit 2" 2 \
		hvctl connect lx 5999 &&
		has "$err" "did not accept"
	t "hvctl connect: a bad port, exit 2" 2 hvctl connect lx 0x1ffffffff &&
		has "$err" "bad PORT"
	t "hvctl connect: no such partition, exit 2" 2 hvctl connect nosuch 5000
	tb "hvctl stop: the shutdown IC, the guest powers off" 0 lx_stop &&
		child "vmbus device" "{0e0b6031-5213-4934-818b-38d90ced39db} hv_utils" &&
		has "$err" "stopped lx" &&
		has_re "$err" "^lx +stopped .*the guest powered off"
}

# vmbus_disk: the child's disks on the storage VSP (init's hvtest=disk):
# a 64 MiB sparse image, read-write, and a 1 MiB random one, read-only.
# From the host: the marker the child wrote reached the image, and the
# read-only image is unchanged.
vmbus_disk()
{
	rw=/tmp/hvpart-disk-rw.img
	ro=/tmp/hvpart-disk-ro.img
	rm -f "$rw" "$ro"
	truncate -s 64M "$rw" &&
	dd if=/dev/urandom of="$ro" bs=1M count=1 2>/dev/null || return 1
	ro_sum=$(md5sum <"$ro")
	first=$(dd if="$ro" bs=512 count=1 2>/dev/null | md5sum | head -c 32)
	boot --disk "$rw" --disk "$ro,ro" -- hvtest=disk || return 1
	marker=$(sed -n 's/^child: disk marker \([0-9a-z-]*\).*/\1/p' "$out")
	[ -n "$marker" ] &&
	[ "$(dd if="$rw" bs=512 skip=100 count=1 2>/dev/null |
	     head -c ${#marker})" = "$marker" ] &&
	[ "$(md5sum <"$ro")" = "$ro_sum" ] &&
	child disk "ro first sector $first"
}

# vmbus_net: the child's hv_netvsc on hvpart's network VSP, on tap
# hvnet0 (which hvctl creates; this side gives it 10.99.0.1/24 once it
# appears): pings, and 512 KiB each way through busybox nc, checked by
# md5 sum on both ends.  The child's file comes to nc listening on
# 5001; ours goes from nc listening on 5002.
vmbus_net()
{
	top=/tmp/hvctl-linux-net
	rm -rf "$top"
	mkdir -p "$top"
	dd if=/dev/urandom of="$top/out" bs=1024 count=512 2>/dev/null
	md5sum <"$top/out" >"$top/out.md5"
	# A listener whose input ends shuts its side down: keep it open.
	mkfifo "$top/hold"
	sleep 600 >"$top/hold" &
	hold=$!
	timeout 300 nc -l -p 5001 <"$top/hold" >"$top/in" &
	sink=$!
	timeout 300 nc -l -p 5002 <"$top/out" >/dev/null &
	src=$!
	boot --verbose --net tap=hvnet0 -- hvtest=net &
	pid=$!
	i=0
	while [ $i -lt 60 ] && ! [ -e /sys/class/net/hvnet0 ]; do
		sleep 1
		i=$((i + 1))
	done
	ip addr add 10.99.0.1/24 dev hvnet0 && ip link set hvnet0 up
	wait "$pid"
	ret=$?
	kill "$hold" "$sink" "$src" 2>/dev/null
	md5sum <"$top/in" >"$top/in.md5"
	return $ret
}

# The host's side of vmbus_net's traffic: both files whole.
net_files()
{
	top=/tmp/hvctl-linux-net
	child "net sent-md5" "$(cat "$top/in.md5")" &&
	child "net got-md5" "$(cat "$top/out.md5")" &&
	[ "$(stat -c %s "$top/in")" -eq 524288 ]
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

# vmbus_cases: after a default boot (its output in $out), the VMBus
# cases: the ICs and older versions, hv_sock, hvctl stop, --net, --disk.
vmbus_cases()
{
	ok "VMBus 5.3: hv_utils bound to the ICs, the time set" vmbus_util
	vmbus_versions
	vmbus_mgmt
	if ! [ -e /dev/net/tun ] && ! modprobe tun 2>/dev/null; then
		n=$((n + 1))
		echo "ok $n - --net: hv_netvsc # SKIP no tun in this machine's kernel"
	else
		tb "--net: hv_netvsc on a tap, pings, 512 KiB each way" 0 \
			vmbus_net &&
			child "net driver" hv_netvsc &&
			child "vmbus device" "{f8615163-df3e-46c5-913f-f2d2f965ed0e}" &&
			child "net operstate" up &&
			child "net ping" "5 packets transmitted, 5 packets received" &&
			child "net send status" 0 && child "net receive status" 0 &&
			net_files && child "done," "powering off" &&
			has_re "$err" "network: [0-9]+ frames to the tap, [0-9]+ from it"
	fi

	vps=2
	tb "--disk: SCSI on VMBus, partition, ext2, remount, trim, read-only" 0 \
		vmbus_disk &&
		child "vmbus device" "{ba6163d9-04a1-4d29-b605-72e2ffb1dc7f}" &&
		child disk "driver hv_storvsc" &&
		has_re "$out" "^child: disk sd[ab] 131072 sectors, ro 0" &&
		has_re "$out" "^child: disk sd[ab] 2048 sectors, ro 1" &&
		child disk "luns rw 131072 ro 2048" &&
		child disk partitioned && child disk "mkfs done" &&
		child disk mounted &&
		child disk "read back after a remount: same" &&
		child disk trimmed && child disk "ro write refused" &&
		hasnt "$out" "sdc"
	vps=1
	t "--disk: a missing image, exit 2" 2 \
		hvctl run --disk /nonexistent "$K" &&
		has "$err" "cannot open disk /nonexistent"
	t "--disk: an unknown option, exit 2" 2 \
		hvctl run --disk "$ro,bogus" "$K" &&
		has "$err" "bad --disk"
	t "--disk: without the SynIC, exit 2" 2 \
		hvctl run --hv-off synic --disk "$ro" "$K" &&
		has "$err" "--disk needs VMBus"
}

all_cases()
{
	tb "Linux, every enlightenment: powers off" 0 \
		boot -- -- uname -sr &&
		every_enlightenment
	vmbus_cases

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

# The VMBus cases alone, after one boot (for loops over them)
vmbus_alone()
{
	tb "Linux, every enlightenment: powers off" 0 \
		boot -- -- uname -sr &&
		every_enlightenment
	vmbus_cases
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
	ok "VMBus 5.3: hv_utils bound to the ICs, the time set" vmbus_util
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
all|short|vmbus) ;;
*)
	echo "Bail out! HVPART_LINUX_TESTS=$cases: not all, short or vmbus"
	exit 1 ;;
esac
if ! [ -r "$K" ] || ! [ -r "$I" ]; then
	echo "1..0 # SKIP no child kernel or initramfs in tests/linux"
	exit 0
fi

case $cases in
vmbus) vmbus_alone ;;
*)
	"${cases}_cases"
	extra_kernels ;;
esac
echo "1..$n"
[ "$failed" -eq 0 ]
