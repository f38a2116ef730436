#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
# bench-guest.sh N ROUNDS [-v] [-l LROUNDS] [-i IOROUNDS] [-q FLAGS]
# [-N NETOPTS]: the emulated
# machine's half of scripts/bench.  Runs in /mnt/files with hvpart.ko
# loaded (scripts/vmrun does that).  Each round times the guest once under
# each hypervisor, in the order hvpart, KVM in odd rounds and KVM, hvpart
# in even ones (one module swap a round: rmmod hvpart and modprobe
# kvm_amd, or back).  Interleaved rounds, rather than all hvpart runs
# first, make a slow stretch of the (shared, emulating) host hit both
# hypervisors alike.  Prints "uname", "cpu", "vendor", "features",
# "result" (see bench.c) and "kvm" lines for scripts/bench; exits 1 if a
# step fails.  -v: the runners print every run on stderr.  ROUNDS 0: no
# exit-cost rows.
# -l LROUNDS: then LROUNDS rounds, alternating the same way, of the Linux
# rows: the Linux child (vmlinuz, child.cpio.gz, whose init runs
# clockbench with hvbench=1) booted with 2 VPs and 256 MiB by `hvctl run`,
# and by QEMU (./qemu-system-x86_64, its firmware in qemu-fw/) under KVM
# with -cpu host,FLAGS (default kvm=off; scripts/bench passes the Hyper-V
# enlightenments); ./boottime times each from the launch to the init's
# first line.  Prints "hostclock", "linuxcfg" and "linux BACKEND
# boot|clocksource|vdso|syscall VALUE" lines, or "linuxfail BACKEND WHY"
# (the rounds stop there) and the child's last console lines on stderr.
# -i IOROUNDS: then IOROUNDS rounds, alternating the same way, of the I/O
# rows: the same child with hvbench=io (its init runs iobench) and a disk
# and a network adapter: /tmp/iobench.img (64 MiB, in this machine's
# tmpfs) as hvctl's --disk (hv_storvsc's sda) and QEMU's virtio-blk
# (cache=writeback: both through this machine's page cache, no O_DIRECT
# on the image), and tap hvb0 (10.99.0.1/24, made persistent here by tunctl, with
# "iobench serve" on port 5001) as hvctl's --net (hv_netvsc) and QEMU's
# virtio-net-pci (its -netdev tap defaults: a vnet header, no vhost;
# -N NETOPTS: more -netdev tap options, e.g. vnet_hdr=off).  At
# each "hvbench-sample TAG" line of iobench, boottime runs a command that
# prints the VP exits so far (hvpart: the sum of "hvctl stats --pid"'s
# vpN-exits-total; KVM: debugfs's kvm/exits), and by reason.  Prints "io
# BACKEND PHASE IOS BYTES NS EXITS" lines, EXITS those of the phase's
# window less those of the idle window (iobench's "idle"), each followed
# by "iox BACKEND PHASE IOS REASON=EXITS..." (for the network, the
# child's packets too: tx-packets=N rx-packets=N), or "iofail BACKEND
# WHY".
n=${1:?N}
rounds=${2:?ROUNDS}
shift 2
verbose='' lrounds=0 iorounds=0 qemu_hv=kvm=off qemu_net=
while [ $# -gt 0 ]; do
	case $1 in
	-v) verbose=-v; shift ;;
	-l) lrounds=${2:?LROUNDS}; shift 2 ;;
	-i) iorounds=${2:?IOROUNDS}; shift 2 ;;
	-N) qemu_net=,${2:?NETOPTS}; shift 2 ;;
	-q) qemu_hv=${2:?FLAGS}; shift 2 ;;
	*) echo "bench: unknown argument $1" >&2; exit 2 ;;
	esac
done

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

# The Linux child: the same kernel, initramfs, memory and VPs for both.
LINUX_MEM=256M LINUX_VPS=2
LINUX_CMDLINE="console=ttyS0 quiet panic=-1 hvbench=1"
LINUX_MARKER="child: hvbench init"
# Seconds a boot may take, whole (about 15 in QEMU TCG), and the boots a
# figure may take: a boot that fails (hangs, or ends before clockbench's
# figures) is tried again and counted ("linuxretry BACKEND round R: WHY";
# on stderr the end of its console).  KVM's child does so now and then in
# this emulated machine (see scripts/bench).
LINUX_TIMEOUT=90 LINUX_TRIES=4

# linux hvpart|kvm: boot the Linux child, again if it hangs; "linux"
# lines, or "linuxfail" and status 1
linux()
{
	try=1
	while ! boot_linux "$1"; do
		[ "$again" = 1 ] || return 1
		try=$((try + 1))
	done
}

# boot_linux hvpart|kvm: boot the Linux child once; "linux" lines, or
# "linuxretry" (and $again 1) or "linuxfail", and status 1
boot_linux()
{
	use "$1"
	again=0
	log=/tmp/linux-$1-$round.log
	if [ "$1" = hvpart ]; then
		set -- hvctl run --vps "$LINUX_VPS" --memory "$LINUX_MEM" \
			--initrd child.cpio.gz vmlinuz "$LINUX_CMDLINE"
		who=hvpart
	else
		set -- ./qemu-system-x86_64 -L qemu-fw -no-user-config \
			-nodefaults -machine pc,accel=kvm \
			-cpu "host,$qemu_hv" -smp "$LINUX_VPS" -m "$LINUX_MEM" \
			-display none -monitor none -serial stdio -no-reboot \
			-kernel vmlinuz -initrd child.cpio.gz \
			-append "$LINUX_CMDLINE"
		who=kvm
	fi
	bt=$(./boottime -m "$LINUX_MARKER" -o "$log" -t "$LINUX_TIMEOUT" -- "$@")
	t=$(echo "$bt" | awk '$2 == "marker" { print $3 }')
	st=$(echo "$bt" | awk '$2 == "status" { print $3 }')
	# clockbench's lines, without the serial console's CRs
	tr -d '\r' <"$log" | awk -v b="$who" '
		$1 == "clockbench" && $2 ~ /^(clocksource|vdso|syscall)$/ {
			print "linux " b " " $2 " " $3 }' >/tmp/linux.res
	why=''
	if echo "$bt" | grep -q '^boottime timeout'; then
		[ "$t" = none ] && why="did not reach init" ||
			why="reached init in $t s"
		why="$why, and was killed after $LINUX_TIMEOUT s"
	elif [ "$t" = none ] || [ -z "$t" ]; then
		why="did not reach init (status ${st:-?})"
	elif ! grep -q " vdso " /tmp/linux.res ||
	     ! grep -q " syscall " /tmp/linux.res; then
		why="reached init in $t s, but no clockbench figures (status $st)"
	elif [ "$st" != 0 ]; then
		why="exited with status $st after its figures"
	fi
	if [ -n "$why" ] && [ "$try" -lt "$LINUX_TRIES" ]; then
		again=1
		echo "linuxretry $who round $round: $why"
		echo "bench: round $round: the Linux child under $who $why;" \
			"booting it again; the end of its console:" >&2
		tr -d '\r' <"$log" | tail -n 10 >&2
		return 1
	fi
	if [ -n "$why" ]; then
		echo "linuxfail $who round $round: $why"
		echo "bench: round $round: the Linux child under $who $why;" \
			"the end of its console and $1's messages:" >&2
		tr -d '\r' <"$log" | tail -n 25 >&2
		return 1
	fi
	echo "linux $who boot $t"
	cat /tmp/linux.res
}

if [ "$lrounds" -gt 0 ]; then
	echo "hostclock $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
	echo "linuxcfg $LINUX_VPS $LINUX_MEM"
fi
round=1
while [ "$round" -le "$lrounds" ]; do
	if [ $((round % 2)) = 1 ]; then
		first=hvpart second=kvm
	else
		first=kvm second=hvpart
	fi
	linux "$first" || break
	linux "$second" || break
	round=$((round + 1))
done

# The I/O rows: what iobench needs here.
IO_IMG=/tmp/iobench.img IO_TAP=hvb0 IO_PORT=5001 IO_SECS=3
# a boot, the modules, and 7 phases of IO_SECS with 2 s of samples each,
# the final check and the network's set-up: about a minute in QEMU TCG
IO_TIMEOUT=300
io_setup()
{
	dd if=/dev/zero of="$IO_IMG" bs=1M count=64 2>/dev/null ||
		fail "cannot write $IO_IMG"
	[ -e /dev/net/tun ] || modprobe tun || fail "no tun module"
	if ! tunctl -t "$IO_TAP" >/dev/null ||
	   ! ip addr add 10.99.0.1/24 dev "$IO_TAP" ||
	   ! ip link set "$IO_TAP" up; then
		fail "cannot set up tap $IO_TAP"
	fi
	./iobench serve "$IO_PORT" &
	io_server=$!
	# The exit counts, for boottime -s: the total, then KEY=COUNT by
	# reason (hvpart: exit reasons, hypercalls by code, interrupts
	# injected, over the VPs; KVM: some of its vCPU statistics)
	cat >/tmp/iosample-hvpart <<-'EOF'
	hvctl stats --pid "$HVB_PID" | awk '
		$1 ~ /-exits-total$/ { t += $2; next }
		{ k = $1; sub(/^vp[0-9]+-/, "", k) }
		k ~ /^(exit-|hypercall-|interrupts$)/ { c[k] += $2 }
		END {
			printf "%d", t
			for (k in c)
				if (c[k])
					printf " %s=%d", k, c[k]
			print ""
		}'
	EOF
	cat >/tmp/iosample-kvm <<-'EOF'
	cd /sys/kernel/debug/kvm || exit 1
	printf %s "$(cat exits)"
	for f in io_exits mmio_exits halt_exits irq_window_exits hypercalls \
		 irq_exits irq_injections insn_emulation signal_exits; do
		[ -r "$f" ] && printf ' %s=%s' "$f" "$(cat "$f")"
	done
	echo
	EOF
	# KVM's exit count is in debugfs (the machine's init mounts it)
	[ -d /sys/kernel/debug/kvm ] || [ -d /sys/kernel/debug ] ||
		fail "no debugfs"
}

# io hvpart|kvm: boot the I/O child, again if it fails; "io" lines, or
# "iofail" and status 1
io()
{
	try=1
	while ! boot_io "$1"; do
		[ "$again" = 1 ] || return 1
		try=$((try + 1))
	done
}

boot_io()
{
	use "$1"
	again=0
	log=/tmp/io-$1-$round.log
	cmdline="console=ttyS0 quiet panic=-1 hvbench=io hviosecs=$IO_SECS"
	ip neigh flush dev "$IO_TAP" 2>/dev/null
	if [ "$1" = hvpart ]; then
		set -- hvctl run --vps "$LINUX_VPS" --memory "$LINUX_MEM" \
			--initrd child.cpio.gz --disk "$IO_IMG" \
			--net "tap=$IO_TAP" vmlinuz \
			"$cmdline hviomods=hv_storvsc,sd_mod,hv_netvsc hviodisk=sda"
		who=hvpart
	else
		set -- ./qemu-system-x86_64 -L qemu-fw -no-user-config \
			-nodefaults -machine pc,accel=kvm \
			-cpu "host,$qemu_hv" -smp "$LINUX_VPS" -m "$LINUX_MEM" \
			-display none -monitor none -serial stdio -no-reboot \
			-drive "file=$IO_IMG,format=raw,if=virtio,cache=writeback" \
			-netdev "tap,id=n0,ifname=$IO_TAP,script=no,downscript=no$qemu_net" \
			-device virtio-net-pci,netdev=n0,romfile= \
			-kernel vmlinuz -initrd child.cpio.gz \
			-append "$cmdline hviomods=virtio_pci,virtio_blk,virtio_net hviodisk=vda"
		who=kvm
	fi
	bt=$(./boottime -m "$LINUX_MARKER" -o "$log" -t "$IO_TIMEOUT" \
		-s "sh /tmp/iosample-$who" -- "$@")
	st=$(echo "$bt" | awk '$2 == "status" { print $3 }')
	# iobench's lines and the exit counts, without the console's CRs:
	# "io" lines, or the first failure
	tr -d '\r' <"$log" | awk -v b="$who" '
		$1 == "hvbench-exits" {
			ex[$2] = $3
			for (i = 4; i <= NF; i++) {
				split($i, kv, "=")
				c[$2, kv[1]] = kv[2]
				keys[kv[1]] = 1
			}
		}
		$1 == "iobench" && $2 == "fail" && why == "" {
			why = "iobench " $3 ":"
			for (i = 4; i <= NF; i++) why = why " " $i
		}
		$1 == "iobench" && $2 == "verify" { verified = $3 }
		$1 == "iobench" && NF >= 5 && $2 != "fail" {
			ph[++n] = $2; line[n] = $3 " " $4 " " $5
			# the network phases: the packets each way (eth0)
			pk[n] = NF >= 7 ? " tx-packets=" $6 " rx-packets=" $7 : ""
		}
		$1 == "child:" && $2 == "iobench" && $3 != "status" && why == "" {
			why = $0
		}
		END {
			if (why == "" && verified == "")
				why = "no verified disk data"
			for (i = 1; i <= n && why == ""; i++) {
				p = ph[i]
				if (ex[p "-0"] !~ /^[0-9]+$/ ||
				    ex[p "-1"] !~ /^[0-9]+$/ ||
				    ex["idle-0"] !~ /^[0-9]+$/ ||
				    ex["idle-1"] !~ /^[0-9]+$/) {
					why = "no exit count for " p
					break
				}
				e = ex[p "-1"] - ex[p "-0"]
				e -= ex["idle-1"] - ex["idle-0"]
				out = out sprintf("io %s %s %s %d\n", b, p,
						  line[i], e)
				split(line[i], f, " ")
				out = out sprintf("iox %s %s %s", b, p, f[1])
				for (k in keys) {
					e = c[p "-1", k] - c[p "-0", k]
					e -= c["idle-1", k] - c["idle-0", k]
					if (e)
						out = out " " k "=" e
				}
				out = out pk[i] "\n"
			}
			if (why == "" && n != 6)
				why = "figures for " n " of 6 phases"
			if (why != "") {
				print "why " why
				exit
			}
			printf "io %s idle 0 0 0 %d\n", b,
				ex["idle-1"] - ex["idle-0"]
			printf "%s", out
		}' >/tmp/io.res
	why=$(sed -n 's/^why //p' /tmp/io.res)
	if echo "$bt" | grep -q '^boottime timeout'; then
		why="was killed after $IO_TIMEOUT s${why:+ ($why)}"
	elif [ -z "$why" ] && [ "$st" != 0 ]; then
		why="exited with status $st after its figures"
	fi
	if [ -n "$why" ] && [ "$try" -lt "$LINUX_TRIES" ]; then
		again=1
		echo "ioretry $who round $round: $why"
		echo "bench: I/O round $round: the child under $who: $why;" \
			"booting it again; the end of its console:" >&2
		tr -d '\r' <"$log" | tail -n 10 >&2
		return 1
	fi
	if [ -n "$why" ]; then
		echo "iofail $who round $round: $why"
		echo "bench: I/O round $round: the child under $who: $why;" \
			"the end of its console:" >&2
		tr -d '\r' <"$log" | tail -n 25 >&2
		return 1
	fi
	cat /tmp/io.res
}

if [ "$iorounds" -gt 0 ]; then
	io_setup
	echo "iocfg $LINUX_VPS $LINUX_MEM $IO_SECS"
fi
round=1
while [ "$round" -le "$iorounds" ]; do
	if [ $((round % 2)) = 1 ]; then
		first=hvpart second=kvm
	else
		first=kvm second=hvpart
	fi
	io "$first" || break
	io "$second" || break
	round=$((round + 1))
done
[ -n "${io_server:-}" ] && kill "$io_server"
echo "kvm $kvm_mods"
