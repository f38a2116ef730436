# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2034
# Bochs helpers for `scripts/vmrun --vmx`: an emulated Intel machine with
# VMX, EPT and unrestricted guest (QEMU's TCG has no VMX). Source after
# common.sh.
#
# Bochs 2.7 (Debian's bochs, bochsbios, vgabios) boots the kernel from an
# isolinux ISO (isolinux, syslinux-common, xorriso); com1 goes to a file
# that a `tail --pid` streams into vmrun's console reader, so the run ends
# when Bochs does. Gotchas (see /work/shared/DESIGN.md): no `nogui`
# display in this build (rfb with timeout=0); Bochs stops in its debugger
# at reset unless given `-rc` with `continue`; keep the speaker off and
# the sound driver dummy; an ACPI power-off exits Bochs with status 1, so
# the guest's own markers say how the run went.
#
#   HVPART_BOCHS_CPU   cpu model (default corei7_skylake_x)
#   HVPART_BOCHS_IPS   emulated instructions per second of guest time
#                      (default 200000000: timers tick per instruction,
#                      so a high value makes the guest's clock run slow
#                      relative to the wall and keeps its timeouts lax)

HV_BOCHS_ISOLINUX=/usr/lib/ISOLINUX/isolinux.bin
HV_BOCHS_LDLINUX=/usr/lib/syslinux/modules/bios/ldlinux.c32
# Extra kernel command line under Bochs.
HV_BOCHS_APPEND="mitigations=off noxsave clearcpuid=ht"
# The fuzzers' default run in Bochs, in percent (scripts/vmrun exports it
# as HVPART_FUZZ_SCALE): Bochs is far slower than QEMU, and its guest
# clock too slow to bound them by time.
# shellcheck disable=SC2034 # used by scripts/vmrun
HV_BOCHS_FUZZ_SCALE=5
# The Linux child's cases in Bochs (scripts/vmrun exports it as
# HVPART_LINUX_TESTS): a child's boot takes minutes there, so only the
# short set of userspace/tests/vm-linux.sh.
# shellcheck disable=SC2034 # used by scripts/vmrun
HV_BOCHS_LINUX_TESTS=short

# hv_bochs_size_mb SIZE: QEMU-style memory size (512M, 1G) in MiB.
hv_bochs_size_mb()
{
	local s=$1

	case $s in
	*[Gg]) echo $((${s%[Gg]} * 1024)) ;;
	*[Mm]) echo "${s%[Mm]}" ;;
	*) echo $((s / 1048576)) ;;
	esac
}

# hv_bochs_iso DIR KERNEL INITRD CMDLINE: write DIR/boot.iso.
hv_bochs_iso()
{
	local dir=$1 kernel=$2 initrd=$3 cmdline=$4 root=$1/iso

	[[ -r $HV_BOCHS_ISOLINUX && -r $HV_BOCHS_LDLINUX ]] ||
		hv_die "isolinux or syslinux-common missing: run scripts/setup"
	mkdir -p "$root/isolinux"
	cp "$HV_BOCHS_ISOLINUX" "$HV_BOCHS_LDLINUX" "$root/isolinux/"
	cp "$kernel" "$root/vmlinuz"
	cp "$initrd" "$root/initrd"
	cat >"$root/isolinux/isolinux.cfg" <<-EOF
	default hvpart
	prompt 0
	timeout 0
	label hvpart
	  kernel /vmlinuz
	  append initrd=/initrd $cmdline
	EOF
	xorriso -as mkisofs -quiet -o "$dir/boot.iso" \
		-b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$root" ||
		hv_die "xorriso failed"
	rm -rf "$root"
}

# hv_bochs_start DIR KERNEL INITRD CMDLINE TIMEOUT SMP MEM CONSOLE: boot
# in the background; the serial console is streamed into CONSOLE (a fifo)
# until Bochs exits. Sets HV_BOCHS_PID (timeout(1) running Bochs; its
# status is Bochs's, or 124 on timeout).
hv_bochs_start()
{
	local dir=$1 kernel=$2 initrd=$3 cmdline=$4 timeout=$5 smp=$6
	local mem=$7 console=$8 mb

	mb=$(hv_bochs_size_mb "$mem")
	hv_bochs_iso "$dir" "$kernel" "$initrd" "$cmdline"
	: >"$dir/com1.txt"
	cat >"$dir/bochsrc" <<-EOF
	config_interface: textconfig
	display_library: rfb, options="timeout=0"
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	cpu: model=${HVPART_BOCHS_CPU:-corei7_skylake_x}, count=$smp, ips=${HVPART_BOCHS_IPS:-200000000}, reset_on_triple_fault=0
	memory: guest=$mb, host=$mb
	clock: sync=none, time0=local
	ata0-master: type=cdrom, path="$dir/boot.iso", status=inserted
	boot: cdrom
	com1: enabled=1, mode=file, dev="$dir/com1.txt"
	speaker: enabled=0
	sound: driver=dummy
	mouse: enabled=0
	log: $dir/bochs.log
	panic: action=fatal
	error: action=report
	info: action=ignore
	debug: action=ignore
	EOF
	echo continue >"$dir/bochs.rc"
	timeout -k 5 "$timeout" bochs -q -f "$dir/bochsrc" -rc "$dir/bochs.rc" \
		</dev/null >"$dir/bochs.out" 2>&1 &
	HV_BOCHS_PID=$!
	tail -n +1 -f --pid="$HV_BOCHS_PID" "$dir/com1.txt" >"$console" &
}
