#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End-to-end tests of hvctl against the real hvpart.ko, in the emulated
# machine (busybox sh).  From the host:
#   make -C userspace vm-test          (or, by hand:)
#   scripts/vmrun --files userspace -- sh tests/vm-hvctl.sh
# Prints TAP.  Needs hvctl on PATH and the guests built in guests/ and
# tests/guests/ (make -C userspace test-guests).
cd "$(dirname "$0")/.." || exit 1
G=guests
T=tests/guests
out=/tmp/hvctl-test.out
err=/tmp/hvctl-test.err
# shellcheck source=vm-lib.sh source-path=SCRIPTDIR
. "$PWD/tests/vm-lib.sh"

# hvpart's local APIC (HVPART_CAP_LOCAL_APIC): interrupts, --vps > 1.
lapic=$(hvctl caps 2>/dev/null | sed -n 's/^local-apic *\([a-z]*\).*/\1/p')
no_lapic="hvpart has no local APIC yet (hvctl caps: local-apic ${lapic:-?})"

con_has() { grep -qF -- "$2" "$1"; }

# vmbus_rescind: vmbus.elf's "rescind" mode, run by name, with two
# hv_sock connections asked for by hvctl connect: the guest opens the
# first and breaks it (status 0: the connection ends when the host
# rescinds), and never opens the second (status 2).  Prints the console,
# the statuses and the worker's log.
vmbus_rescind()
{
	top=/tmp/hvctl-vmbus-rescind
	rm -rf "$top"
	mkdir -p "$top"
	export HVPART_STATE_DIR=$top/conf HVPART_RUN_DIR=$top/run
	hvctl create vmr --verbose "$PWD/$T/vmbus.elf" rescind >/dev/null &&
	hvctl start vmr >/dev/null || return 1
	mkfifo "$top/in"
	hvctl console vmr <"$top/in" >"$top/con" 2>&1 &
	exec 3>"$top/in"
	until_ok con_has "$top/con" "waiting for an hv_sock offer, port 4242" &&
	timeout 60 hvctl connect vmr 4242 </dev/null >"$top/c1" 2>&1
	s1=$?
	until_ok con_has "$top/con" "waiting for an hv_sock offer, port 4243" &&
	timeout 60 hvctl connect vmr 4243 </dev/null >"$top/c2" 2>&1
	s2=$?
	until_ok con_has "$top/con" "vmbus: done"
	exec 3>&-
	cat "$top/con"
	echo "connect 4242: status $s1"
	echo "connect 4243: status $s2"
	cat "$top/c1" "$top/c2" "$top/run/vmr.log" >&2
	hvctl kill vmr >/dev/null 2>&1
	hvctl delete vmr >/dev/null 2>&1
	unset HVPART_STATE_DIR HVPART_RUN_DIR
}

# catching PID: true once PID has handlers for SIGINT and SIGTERM.
catching()
{
	cgt=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$cgt" ] && [ $((0x$cgt & 0x4002)) -eq $((0x4002)) ]
}

# Run a guest that only a signal ends; SIG then wait. The signal goes
# only once hvctl catches it: a job started with & ignores SIGINT until
# then, and on a slow kernel (the debug kernel) that took over 2 s.
signalled()
{
	sig=$1
	shift
	hvctl run "$@" "$T/spin.bin" &
	pid=$!
	i=0
	while [ $i -lt 300 ] && ! catching "$pid"; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 1
	kill "-$sig" "$pid"
	wait "$pid"
}

# smp_table N: the table of the last guests/smp.elf run with N VPs
# lists APIC IDs 0 to N-1 in order, each with timer ticks (the BSP's 20
# rounds at least), at least 20 PINGs on each AP and 20 PONGs per AP on
# the BSP, and "done" after it.  Counts depend on timing: bounds only.
smp_table()
{
	awk -v n="$1" '
		/^smp: APIC ID +timer ticks +IPIs received/ { head = NR; next }
		head && /\(P[IO]NGs/ {
			ipis = $2 == 0 ? 20 * (n - 1) : 20
			if ($2 != rows || $3 < ($2 == 0 ? 20 : 1) || $4 < ipis)
				bad = 1
			rows++
		}
		/^smp: done, shutting down/ { done = NR }
		END { exit !(head && rows == n && done > head && !bad) }
	' "$out" && return 0
	n=$((n + 1))
	fail "smp.elf's table: APIC IDs 0 to $(($1 - 1)), ticks, IPIs"
	sed 's/^/#   /' "$out" | tail -n 12
	return 1
}

# Piped input reaches the UART.
with_input()
{
	printf 'abcde' | hvctl run "$T/pm.bin"
}

t "hvctl --version" 0 hvctl --version
# caps asks a LOCAL_APIC partition where hvpart has one, as hvctl run does:
# every group, the SynIC's too.
t "hvctl caps" 0 hvctl caps && has "$out" "vendor" &&
	has "$out" "hv-privileges" && has "$out" "hv-features" &&
	has "$out" "hv-recommendations" && has_re "$out" "^hv-groups .*hypercall" &&
	has_re "$out" "^cpuid 0x0 " && has_re "$out" "^cpuid 0x80000001 " &&
	hasnt "$out" "cpuid 0xa " &&
	{ [ "$lapic" != yes ] ||
		{ has_re "$out" "^hv-groups .* synic .* start-vp$" &&
			hasnt "$out" "hv-missing"; }; }
t "hello.elf: multiboot, long mode, shutdown port" 0 \
	hvctl run --verbose "$G/hello.elf" a b c &&
	has "$out" 'command line: "a b c"' &&
	has "$out" "64-bit mode" && has "$out" "640 KiB low, 64512 KiB" &&
	has "$err" '"Shutdown"'
if [ "$lapic" = yes ]; then
	t "hello.elf with 4 VPs and 128M" 0 \
		hvctl run --vps 4 --memory 128M "$G/hello.elf" &&
		has "$out" "130048 KiB above 1 MiB"
else
	t "--vps 4 without a local APIC: refused" 2 \
		hvctl run --vps 4 --memory 128M "$G/hello.elf" &&
		has "$err" "needs hvpart's local APIC"
fi
# fw_cfg, the boot information's placement and Multiboot modules.
t "mbinfo.elf: fw_cfg and the boot information" 0 \
	hvctl run --memory 96M "$T/mbinfo.elf" a b &&
	has "$out" 'fw_cfg signature "QEMU", id 1, cpus 1, max cpus 1, ram 96 MiB, files 0' &&
	has "$out" "loaded at 0x00100000, magic ok" &&
	has "$out" "outside the image" && has "$out" 'command line "a b"' &&
	has "$out" "no modules"
t "mblow.elf: a kernel linked below 64 KiB" 0 hvctl run "$T/mblow.elf" &&
	has "$out" "loaded at 0x00002000, magic ok" &&
	has "$out" "outside the image" && has "$out" 'fw_cfg signature "QEMU"'
printf 'first module\nmore\n' >/tmp/hvctl-mod1
printf 'second' >/tmp/hvctl-mod2
dd if=/dev/zero of=/tmp/hvctl-mod-big bs=1024 count=1536 2>/dev/null
t "mbinfo.elf --initrd: two modules with arguments" 0 \
	hvctl run --verbose --initrd "/tmp/hvctl-mod1 x=1,,y,/tmp/hvctl-mod2" \
	"$T/mbinfo.elf" &&
	has "$out" "2 modules" &&
	has "$out" 'module 0 "/tmp/hvctl-mod1 x=1,y" 18 bytes, page-aligned yes, first line [first module]' &&
	has "$out" 'module 1 "/tmp/hvctl-mod2" 6 bytes, page-aligned yes, first line [second]' &&
	has "$err" 'module 1 "/tmp/hvctl-mod2" at'
t "mblow.elf --initrd, repeated" 0 \
	hvctl run --initrd /tmp/hvctl-mod2 --initrd /tmp/hvctl-mod1 \
	"$T/mblow.elf" &&
	has "$out" 'module 0 "/tmp/hvctl-mod2" 6 bytes, page-aligned yes' &&
	has "$out" 'module 1 "/tmp/hvctl-mod1" 18 bytes' &&
	has "$out" "outside the image"
t "--initrd that does not fit" 2 \
	hvctl run --memory 2M --initrd /tmp/hvctl-mod-big "$T/mbinfo.elf" &&
	has "$err" 'module 0 ("/tmp/hvctl-mod-big", 1572864 bytes) does not fit'
t "--initrd with a boot sector" 2 \
	hvctl run --initrd /tmp/hvctl-mod1 "$T/dexit.bin" &&
	has "$err" "need a Multiboot or Linux kernel"
t "--initrd of a missing file" 2 \
	hvctl run --initrd /nonexistent "$T/mbinfo.elf" &&
	has "$err" "cannot open /nonexistent"
t "--initrd with an empty module name" 2 \
	hvctl run --initrd "/tmp/hvctl-mod1," "$T/mbinfo.elf" &&
	has "$err" "bad --initrd"
# The I/O APIC and SMP, on hvpart's local APIC.
irq_input() { printf 'abc' | hvctl run "$T/irq.elf"; }
smp() { hvctl run --vps "$@"; }
if [ "$lapic" = yes ]; then
	t "irq.elf: COM1 on I/O APIC pin 4, edge and level" 0 irq_input &&
		has "$out" "I/O APIC version 0x00170011" &&
		has "$out" "edge interrupt, vector 0x24, byte 'a'" &&
		has "$out" "level interrupts, vector 0x25, bytes 'bc'"
	t "smp.elf --vps 4: INIT-SIPI-SIPI wakes 3 APs" 0 smp 4 "$T/smp.elf" &&
		has "$out" "fw_cfg says 4 CPUs" &&
		has "$out" "3 APs checked in"
	t "smp.elf --vps 64" 0 smp 64 --memory 32M "$T/smp.elf" &&
		has "$out" "63 APs checked in"
	t "smp.elf --vps 8 halt: every VP halted" 0 \
		smp 8 --verbose "$T/smp.elf" halt &&
		has "$out" "7 APs checked in" &&
		has "$err" "every VP is halted"
	t "mbinfo.elf --vps 3: APs left waiting, fw_cfg counts 3 CPUs" 0 \
		smp 3 "$T/mbinfo.elf" &&
		has "$out" "cpus 3, max cpus 3"
	t "--vps 65: usage error" 2 smp 65 "$T/smp.elf"
	t "acpi.elf --vps 3: a local APIC per VP in the MADT" 0 \
		smp 3 "$T/acpi.elf" &&
		has "$out" "acpi: MADT: 3 local APICs, fw_cfg says 3 CPUs"
	for v in 1 2 4; do
		t "guests/smp.elf --vps $v: APIC timers, IPI ping-pong" 0 \
			smp "$v" "$G/smp.elf" &&
			has "$out" "fw_cfg says $v CPU" &&
			has "$out" "smp: $v CPU" &&
			smp_table "$v"
	done
	t "synicdev.elf: hyperv-testdev SINT route, message and event connections" 0 \
		hvctl run --verbose "$T/synicdev.elf" &&
		has "$err" "hyperv-testdev (QEMU's SynIC test device) at port 0x3000" &&
		has "$out" "SET_SINT raised vector 0x50 twice, event flags clear" &&
		has "$out" "message back in SINT3: type 0x00004d5a, 20 bytes, [hyperv-testdev echo]" &&
		has "$out" "synicdev: payload matches" &&
		has "$out" "event back in SINT4: flags 0x00000002 of word 1" &&
		has "$out" "HvPostMessage after MSG_CONN_DESTROY status 0x0012" &&
		has "$out" "HvSignalEvent after EVT_CONN_DESTROY status 0x0012" &&
		has "$out" "port 0x3000 reads 0x00000000" &&
		has "$out" "synicdev: done" &&
		has "$err" "hyperv-testdev: ignored command 0x00990000: unknown command"
	# Each refused request is reported once per kind: type 99 is the
	# second unknown type, so it goes unreported.
	t "vmbus.elf: VMBus control messages Linux never sends, a broken ring, a fuzzer" 0 \
		hvctl run --verbose "$T/vmbus.elf" &&
		hasnt "$out" "vmbus: FAIL" &&
		has "$out" "vmbus: REQUESTOFFERS before contact: no answer" &&
		has "$out" "vmbus: INITIATE_CONTACT 0x00010001 (WIN7): version_supported 0" &&
		has "$out" "vmbus: INITIATE_CONTACT 0x00050000 (5.0) on SINT3: version_supported 0" &&
		has "$out" "vmbus: INITIATE_CONTACT 0x00050003 (5.3) on connection 4: version_supported 1, msg_conn_id 4" &&
		has "$out" "vmbus: offer relid 3: heartbeat IC, pipe mode, dedicated interrupt, connection 0x00002003" &&
		has "$out" "vmbus: 20 answers in order after the slot was held" &&
		has "$out" "vmbus: GPADL 0x00000100 (page beyond RAM): creation_status 0xc000000d" &&
		has "$out" "vmbus: GPADL 0x00000200 (duplicate handle): creation_status 0xc000000d" &&
		has "$out" "vmbus: GPADL 0x00000300 (60 pages in 3 messages): creation_status 0x00000000" &&
		has "$out" "vmbus: OPENCHANNEL relid 1 (target_vp 5): status 0xc000000d" &&
		has "$out" "vmbus: OPENCHANNEL relid 1 (4 ring pages, offset 2): status 0x00000000" &&
		has "$out" "vmbus: pipe flags 1, IC message type 0, IC flags 0x00000003" &&
		has "$out" "vmbus: SINT2 event flags 0x00000002" &&
		has "$out" "vmbus: the host looked (interrupt_mask set)" &&
		has "$out" "vmbus: GPADL_TORNDOWN 0x00000200" &&
		has "$out" "vmbus: message type 99: no answer" &&
		has "$out" "vmbus: OPENCHANNEL relid 1 (after the broken ring): status 0x00000000" &&
		has "$out" "vmbus: HvSignalEvent 0x00002001 after teardown of its ring: status 0x00000012" &&
		has "$out" "vmbus: GPADL 0x00000300 (after unload): creation_status 0x00000000" &&
		has "$out" "vmbus: fuzz: 2000 random control messages posted" &&
		has "$out" "vmbus: fuzz: 300 rounds of noise in an open ring" &&
		has "$out" "vmbus: fuzz: the server answers an unload, a contact and the offers" &&
		has "$out" "vmbus: done" &&
		has "$err" "vmbus: control message type 3 before contact (reported once)" &&
		has "$err" "vmbus: contact asks for answers on VP5 (reported once)" &&
		has "$err" "vmbus: GPADL 0x100 names a page beyond RAM (reported once)" &&
		has "$err" "vmbus: open of unknown channel 7 (reported once)" &&
		has "$err" "vmbus: shutdown channel 1: the guest's write index is out of its ring (reported once)" &&
		has "$err" "vmbus: control message type 19 (reported once)" &&
		hasnt "$err" "vmbus: control message type 99" &&
		has "$err" "vmbus: a control message of 4 bytes (reported once)"
	t "vmbus.elf rescind: hv_sock offers taken back, relids released" 0 \
		vmbus_rescind &&
		hasnt "$out" "vmbus: FAIL" &&
		has "$out" "vmbus: RELID_RELEASED of relid 1, not rescinded: no answer" &&
		has "$out" "vmbus: offer relid 4: port 4242, chn_flags 0x00002010, from the host" &&
		has "$out" "vmbus: OPENCHANNEL relid 4 (hv_sock, accepted): status 0x00000000" &&
		has "$out" "vmbus: inbound ring: packet type 6, pipe flags 1, 0 bytes" &&
		has "$out" "vmbus: RESCIND_CHANNELOFFER relid 4 (after a packet that is not pipe data)" &&
		has "$out" "vmbus: OPENCHANNEL relid 4 (rescinded): status 0xc0000001" &&
		has "$out" "vmbus: GPADL 0x00000401 (for the released relid): creation_status 0xc000000d" &&
		has "$out" "vmbus: GPADL 0x00000400 (handle 0x00000400 again): creation_status 0x00000000" &&
		has "$out" "vmbus: offer relid 4: port 4243, chn_flags 0x00002010, from the host" &&
		has "$out" "vmbus: RESCIND_CHANNELOFFER relid 4 (never opened)" &&
		has "$out" "vmbus: done" &&
		has "$out" "connect 4242: status 0" &&
		has "$out" "connect 4243: status 2" &&
		has "$err" "port 4243: the guest did not accept" &&
		has "$err" "vmbus: release of channel 1, not rescinded (reported once)" &&
		has "$err" "vmbus: hv_sock channel 4: a packet that is not hv_sock data: connection ended (reported once)"
else
	skip "irq.elf: COM1 on I/O APIC pin 4, edge and level" "$no_lapic"
	skip "smp.elf --vps 4: INIT-SIPI-SIPI wakes 3 APs" "$no_lapic"
	skip "smp.elf --vps 64" "$no_lapic"
	skip "smp.elf --vps 8 halt: every VP halted" "$no_lapic"
	skip "mbinfo.elf --vps 3: APs left waiting, fw_cfg counts 3 CPUs" \
		"$no_lapic"
	skip "acpi.elf --vps 3: a local APIC per VP in the MADT" "$no_lapic"
	for v in 1 2 4; do
		skip "guests/smp.elf --vps $v: APIC timers, IPI ping-pong" \
			"$no_lapic"
	done
	skip "synicdev.elf: hyperv-testdev SINT route, message and event connections" \
		"$no_lapic"
	skip "vmbus.elf: VMBus control messages Linux never sends, a broken ring" \
		"$no_lapic"
	t "irq.elf without a local APIC: I/O APIC MMIO, then no LAPIC" 6 \
		hvctl run "$T/irq.elf" &&
		has "$out" "I/O APIC version 0x00170011" &&
		has "$err" "unmapped GPA 0xfee000f0"
fi
# The ACPI tables as an OS finds them; power-off and reset through them.
t "acpi.elf: the ACPI tables, S5 through the FADT powers off" 0 \
	hvctl run --verbose "$T/acpi.elf" &&
	has "$out" "acpi: RSDP at 0x000e0000, revision 2, checksums ok" &&
	has "$out" "acpi: XSDT at" && has "$out" "acpi: FACP at" &&
	has "$out" "acpi: APIC at" && has "$out" "acpi: DSDT at" &&
	hasnt "$out" "BAD CHECKSUM" &&
	has "$out" "acpi: FADT: hardware-reduced, reset register 0x0602 value 0x01, sleep control 0x0600, sleep status 0x0601" &&
	has "$out" "acpi: MADT: I/O APIC 0 at 0xfec00000, GSI base 0" &&
	has "$out" "acpi: MADT: ISA IRQ 0 -> GSI 2" &&
	has "$out" "acpi: MADT: 1 local APICs, fw_cfg says 1 CPUs" &&
	hasnt "$out" "still here" &&
	has "$err" "guest entered ACPI S5 (soft off) at port 0x600: exit status 0"
t "acpi.elf reset: the FADT's reset register ends hvctl with status 16" \
	16 hvctl run --verbose "$T/acpi.elf" reset &&
	has "$out" "acpi: reset through the FADT" &&
	has "$err" "guest wrote the ACPI reset register (port 0x602)"
t "bootsector.bin: OUT, REP OUTSB, DL, halt" 0 \
	hvctl run --verbose "$G/bootsector.bin" &&
	has "$out" "via OUT" && has "$out" "boot drive 0x80" &&
	has "$err" "VP0 halted at RIP"
t "pm.bin: paged string I/O, INS from stdin, DF" 0 with_input &&
	has "$out" "through 0x40000000" && has "$out" "echo [abcde]" &&
	has "$out" "pm: backwards with DF"
t "dexit.bin: isa-debug-exit 0x2a" 85 hvctl run "$T/dexit.bin"
t "tf.bin: triple fault" 4 hvctl run "$T/tf.bin" &&
	has "$err" "triple fault"
t "unmapped.bin: unmapped GPA" 6 hvctl run "$T/unmapped.bin" &&
	has "$err" "unmapped GPA 0x80000000"
t "spin.bin: SIGINT" 130 signalled INT
t "spin.bin: SIGTERM" 143 signalled TERM
t "spin.bin: SIGINT with --verbose shows where the VP was" 130 \
	signalled INT --verbose &&
	has "$err" "VP0 registers:" && has_re "$err" "rip +0x0000000000007c0[0-9a-f]"
# The Hyper-V interface: hvinfo.elf prints what it finds and uses it.
t "hvinfo.elf: the default Hyper-V set" 0 hvctl run "$G/hvinfo.elf" &&
	has "$out" "CPUID.1:ECX[31] is set" &&
	has "$out" '0x40000000: vendor "Microsoft Hv"' &&
	has "$out" '0x40000001: interface "Hv#1"' &&
	has "$out" "0x40000002: version 10.0, build" &&
	has "$out" "AccessHypercallMsrs" && has "$out" "GuestCrashMsrs" &&
	has "$out" "UseRelaxedTiming" &&
	has "$out" "spin retry count 0xffffffff (never notify)" &&
	has "$out" "GUEST_OS_ID = 0x8000000000010000" &&
	has "$out" ": hypercall page at" &&
	has "$out" "hypercall 0x7fff (no such call): HV_STATUS_INVALID_HYPERCALL_CODE" &&
	has "$out" "HvExtCallQueryCapabilities: HV_STATUS_SUCCESS" &&
	has "$out" "HvExtCallQueryCapabilities (fast, output in RDX): HV_STATUS_SUCCESS" &&
	has "$out" "HvCallNotifyLongSpinWait (fast): HV_STATUS_SUCCESS" &&
	has "$out" "HvCallFlushVirtualAddressSpace (all VPs, all spaces): HV_STATUS_SUCCESS" &&
	has "$out" "VP_INDEX = 0" && has "$out" ": advanced by" &&
	has "$out" ": reference TSC page at" &&
	has_re "$out" "TSC page (invalid \(sequence 0\): the hypervisor says use TIME_REF_COUNT|valid)" &&
	has "$out" "done, shutting down"
t "hvinfo.elf: no granted MSR raises #GP" 0 hvctl run "$G/hvinfo.elf" &&
	hasnt "$out" "raised #GP"
t "hvinfo.elf --hv none: nothing is available" 0 \
	hvctl run --hv none "$G/hvinfo.elf" &&
	has "$out" "privileges 0x0000000000000000: none" &&
	has "$out" "features 0x00000000: none" &&
	has "$out" "recommendations 0x00000000: none" &&
	has "$out" "nothing is available" &&
	has "$out" "AccessHypercallMsrs not granted" &&
	has "$out" "AccessVpIndex not granted" &&
	hasnt "$out" "HYPERCALL =" && hasnt "$out" "TIME_REF_COUNT =" &&
	has "$out" "done, shutting down"
t "hvinfo.elf --hv-off hypercall: no hypercalls, the rest stays" 0 \
	hvctl run --hv-off hypercall "$G/hvinfo.elf" &&
	has "$out" "AccessHypercallMsrs not granted" &&
	hasnt "$out" "HYPERCALL =" && hasnt "$out" "HV_STATUS" &&
	has "$out" "VP_INDEX = 0" && has "$out" ": advanced by" &&
	has "$out" ": reference TSC page at"
t "hvinfo.elf --hv none --hv-on vpindex,time --hv-spin-retry 4096" 0 \
	hvctl run --hv none --hv-on vpindex,time --hv-spin-retry 4096 \
	"$G/hvinfo.elf" &&
	has "$out" "privileges 0x0000000000000042:" &&
	has "$out" "spin retry count 4096" && has "$out" "VP_INDEX = 0" &&
	has "$out" ": advanced by" &&
	has "$out" "AccessPartitionReferenceTsc not granted"
t "hvinfo.elf --hv-off xmm-output,ext-hypercalls" 0 \
	hvctl run --hv-off xmm-output,ext-hypercalls "$G/hvinfo.elf" &&
	has "$out" "EnableExtendedHypercalls not granted" &&
	hasnt "$out" "HvExtCallQueryCapabilities" &&
	has "$out" "HvCallNotifyLongSpinWait (fast): HV_STATUS_SUCCESS"
t "hvinfo.elf --hv-off tlb-flush,ex-processor-masks" 0 \
	hvctl run --hv-off tlb-flush --hv-off ex-processor-masks \
	"$G/hvinfo.elf" &&
	hasnt "$out" "HvCallFlushVirtualAddressSpace"
t "--verbose says the Hyper-V set" 0 \
	hvctl run --verbose --hv all --hv-off crash,idle "$G/hvinfo.elf" &&
	has "$err" "Hyper-V groups: hypercall vpindex" &&
	hasnt "$err" "crash" && hasnt "$err" " idle" &&
	hasnt "$out" "GuestCrashMsrs" && hasnt "$out" "GuestIdleState" &&
	has "$out" "AccessHypercallMsrs"
t "--hv tsc-page alone warns" 0 hvctl run --hv tsc-page "$G/hvinfo.elf" &&
	has "$err" "'tsc-page' is of no use to a guest without time"
# The groups of a LOCAL_APIC partition (the SynIC, timers, messages, the
# APIC MSRs, cluster IPIs, StartVirtualProcessor), in hvinfo's names.
lapic_groups=synic,stimer,stimer-direct,messages,apic,ipi,start-vp
if [ "$lapic" = yes ]; then
	t "--verbose: the local APIC's groups are in the default set" 0 \
		hvctl run --verbose "$G/hvinfo.elf" &&
		has "$err" "Hyper-V groups: hypercall vpindex" &&
		has "$err" " relaxed-timing synic stimer stimer-direct messages " &&
		has "$err" " stimer-direct messages apic ipi start-vp" &&
		has "$out" "AccessSynicRegs" &&
		has "$out" "AccessSyntheticTimerRegs" &&
		has "$out" "AccessIntrCtrlRegs" && has "$out" "PostMessages" &&
		has "$out" "SignalEvents" && has "$out" "StartVirtualProcessor" &&
		has "$out" "DirectSyntheticTimers" && has "$out" "UseApicMsrs" &&
		has "$out" "UseSyntheticClusterIpi"
	t "hvinfo.elf --hv-off $lapic_groups" 0 \
		hvctl run --verbose --hv-off "$lapic_groups" "$G/hvinfo.elf" &&
		has_re "$err" "Hyper-V groups: hypercall vpindex .* relaxed-timing$" &&
		hasnt "$err" "warning" &&
		hasnt "$out" "AccessSynicRegs" &&
		hasnt "$out" "AccessSyntheticTimerRegs" &&
		hasnt "$out" "AccessIntrCtrlRegs" &&
		hasnt "$out" "PostMessages" && hasnt "$out" "SignalEvents" &&
		hasnt "$out" "StartVirtualProcessor" &&
		hasnt "$out" "DirectSyntheticTimers" &&
		hasnt "$out" "UseApicMsrs" &&
		hasnt "$out" "UseSyntheticClusterIpi" &&
		has "$out" "AccessHypercallMsrs" &&
		has "$out" "UseRelaxedTiming" && has "$out" "done, shutting down"
	t "--hv-off synic warns that stimer and messages need it" 0 \
		hvctl run --hv-off synic "$G/hvinfo.elf" &&
		has "$err" "'stimer' is of no use to a guest without synic" &&
		has "$err" "'messages' is of no use to a guest without synic" &&
		hasnt "$err" "'stimer-direct'" &&
		hasnt "$out" "AccessSynicRegs" &&
		has "$out" "AccessSyntheticTimerRegs" &&
		has "$out" "done, shutting down"
	t "--hv none --hv-on stimer warns it needs synic and time" 0 \
		hvctl run --hv none --hv-on stimer "$G/hvinfo.elf" &&
		has "$err" "'stimer' is of no use to a guest without time, synic" &&
		has "$out" "privileges 0x0000000000000008:"
else
	skip "--verbose: the local APIC's groups are in the default set" \
		"$no_lapic"
	t "hvinfo.elf --hv-off $lapic_groups: nothing to turn off" 0 \
		hvctl run --hv-off "$lapic_groups" "$G/hvinfo.elf" &&
		hasnt "$err" "warning" && has "$out" "done, shutting down"
	t "--hv-on synic without the local APIC: refused" 2 \
		hvctl run --hv-on synic "$G/hvinfo.elf" &&
		has "$err" "does not implement Hyper-V group synic (privileges 0x4)"
	skip "--hv none --hv-on stimer warns it needs synic and time" \
		"$no_lapic"
fi
t "--hv bogus: usage error" 2 hvctl run --hv bogus "$G/hvinfo.elf" &&
	has "$err" "unknown Hyper-V group 'bogus'"
t "--hv-off hypercall,: usage error" 2 \
	hvctl run --hv-off hypercall, "$G/hvinfo.elf" &&
	has "$err" "empty Hyper-V group name"
t "--hv-on all: usage error" 2 hvctl run --hv-on all "$G/hvinfo.elf"
t "--hv-spin-retry 0x100000000: usage error" 2 \
	hvctl run --hv-spin-retry 0x100000000 "$G/hvinfo.elf"

# What a guest asks of the root through the synthetic MSRs.
t "crash.bin: crash notification with a message" 14 hvctl run "$T/crash.bin" &&
	has "$err" "guest crash: P0=0x1122334455667788 P1=0xffffffffffffffff P2=0x0 P3=0x7c" &&
	has "$err" "guest crash message: hvmsr: first line" &&
	has "$err" "guest crash message:  second line, a control character [.] and DEL [.]"
t "crashnm.bin: crash notification without a message" 14 \
	hvctl run "$T/crashnm.bin" &&
	has "$err" "guest crash: P0=0x1122334455667788" &&
	hasnt "$err" "guest crash message"
t "hvinfo.elf crash" 14 hvctl run "$G/hvinfo.elf" crash &&
	has "$err" "guest crash: P0=0xbadc0de P1=0x1 P2=0x2" &&
	has "$err" "guest crash message: hvinfo: a crash asked for"
t "crash.bin --hv-off crash: #GP, a triple fault" 4 \
	hvctl run --hv-off crash "$T/crash.bin"
t "hvinfo.elf crash --hv-off crash: not asked" 0 \
	hvctl run --hv-off crash "$G/hvinfo.elf" crash &&
	has "$out" "crash: GuestCrashMsrs not granted"
t "reset.bin: reset request" 16 hvctl run "$T/reset.bin" &&
	has "$err" "guest requested a reset"
t "reset.bin --hv-off reset: #GP, a triple fault" 4 \
	hvctl run --hv-off reset "$T/reset.bin"
t "hvinfo.elf reset" 16 hvctl run "$G/hvinfo.elf" reset &&
	has "$out" "reset: writing 1 to the RESET MSR" &&
	has "$err" "guest requested a reset"
t "idle.bin: a masked timer interrupt ends GUEST_IDLE" 0 \
	hvctl run --verbose "$T/idle.bin" &&
	has "$err" "VP0 halted at RIP" && hasnt "$err" "GUEST_IDLE"
t "idle.bin --hv-off idle: #GP, a triple fault" 4 \
	hvctl run --hv-off idle "$T/idle.bin"
t "hvinfo.elf idle" 0 hvctl run "$G/hvinfo.elf" idle &&
	has "$out" "idle: reading GUEST_IDLE, interrupts off" &&
	has "$out" "idle: woken up by the APIC timer, its interrupt pending" &&
	has "$out" "done, shutting"

# What the loaders refuse, with what the file looks like; --raw.
# poke FILE OFFSET BYTES: write BYTES (printf %b escapes: \0NNN octal)
# at OFFSET.
poke() { printf '%b' "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }
# fake_bzimage FILE VERSION XLOADFLAGS INIT_SIZE: a bzImage header (one
# setup sector, 2 KiB of kernel at 1 MiB, not relocatable) whose 64-bit
# entry checks long mode, RSI's zero page ("HdrS") and that the command
# line starts "abcd", then writes 0x2a to isa-debug-exit (status 85).
fake_bzimage()
{
	dd if=/dev/zero of="$1" bs=1024 count=3 2>/dev/null
	poke "$1" 497 '\0001\0000\0000\0200\0000\0000\0000'	# setup_sects, syssize
	poke "$1" 510 '\0125\0252\0353\0146HdrS'		# boot_flag, jump, magic
	poke "$1" 518 "$2"				# version
	poke "$1" 529 '\0001'				# loadflags: LOADED_HIGH
	poke "$1" 566 "$3"				# xloadflags
	poke "$1" 568 '\0377\0000\0000\0000'		# cmdline_size
	poke "$1" 608 "$4"				# init_size
	poke "$1" 1536 '\0110\0270\0210\0167\0146\0125\0104\0063\0042\0021\0110\0301\0350\0040\0075\0104\0063\0042\0021\0165\0040\0213\0206\0002\0002\0000\0000\0075\0110\0144\0162\0123\0165\0023\0213\0206\0050\0002\0000\0000\0213\0000\0075\0141\0142\0143\0144\0165\0004\0260\0052\0346\0364\0260\0001\0346\0364\0364'
}
bz=/tmp/hvctl-bz
fake_bzimage $bz.ok '\0017\0002' '\0001\0000' '\0000\0000\0020\0000'
t "a bzImage: long mode at the 64-bit entry, RSI, command line" 85 \
	hvctl run --verbose $bz.ok abcd efg &&
	has "$err" "Linux bzImage, boot protocol 2.15, kernel at 0x100000" &&
	has "$err" "64-bit entry 0x100200" &&
	has "$err" 'command line "abcd efg", zero page at 0x8000'
t "a bzImage whose command line is not 'abcd': its check fails" 3 \
	hvctl run $bz.ok xbcd
fake_bzimage $bz.old '\0013\0002' '\0001\0000' '\0000\0000\0020\0000'
t "a bzImage with boot protocol 2.11: refused" 2 hvctl run $bz.old &&
	has "$err" "Linux boot protocol 2.11 is too old"
fake_bzimage $bz.32 '\0017\0002' '\0000\0000' '\0000\0000\0020\0000'
t "a 32-bit-only bzImage: refused" 2 hvctl run $bz.32 &&
	has "$err" "a 32-bit-only Linux kernel"
fake_bzimage $bz.big '\0017\0002' '\0001\0000' '\0000\0000\0000\0020'
t "a bzImage too big for --memory 64M: refused" 2 \
	hvctl run --memory 64M $bz.big &&
	has "$err" "needs 256 MiB from 0x100000 on (init_size): too big for 64 MiB"
head -c 3000 $bz.ok >$bz.trunc
t "a truncated bzImage: refused" 2 hvctl run $bz.trunc &&
	has "$err" "truncated Linux kernel: its header says 3072 bytes, the file has 3000"
t "a bzImage with two --initrd files: refused" 2 \
	hvctl run --initrd /tmp/hvctl-mod1,/tmp/hvctl-mod2 $bz.ok abcd &&
	has "$err" "takes one --initrd FILE"
echo 'not a kernel' >/tmp/hvctl-text
t "a text file: refused" 2 hvctl run /tmp/hvctl-text &&
	has "$err" "not a bootable image: a text file" && has "$err" "--raw"
t "an ELF without a Multiboot header: refused" 2 \
	hvctl run "$(command -v hvctl)" &&
	has "$err" "not a bootable image: an ELF64 file without a Multiboot header"
head -c 510 "$T/dexit.bin" >/tmp/hvctl-nosig.bin
t "a truncated boot sector: refused" 2 hvctl run /tmp/hvctl-nosig.bin &&
	has "$err" "510 bytes: shorter than a boot sector"
t "--raw runs it anyway, without ACPI tables" 85 \
	hvctl run --verbose --raw /tmp/hvctl-nosig.bin &&
	hasnt "$err" "ACPI tables at"

t "missing image" 2 hvctl run /nonexistent &&
	has "$err" "cannot open /nonexistent"
t "bad --memory" 2 hvctl run --memory 12Q "$G/hello.elf"
t "too many VPs" 2 hvctl run --vps 4096 "$G/hello.elf"
t "too little RAM for a multiboot kernel" 2 \
	hvctl run --memory 1M "$G/hello.elf"

echo "1..$n"
[ "$failed" -eq 0 ]
