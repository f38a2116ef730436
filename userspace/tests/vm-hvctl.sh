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
n=0
failed=0
out=/tmp/hvctl-test.out
err=/tmp/hvctl-test.err

# t NAME WANT_STATUS CMD...: run CMD, its stdout in $out, stderr in $err.
t()
{
	name=$1 want=$2
	shift 2
	n=$((n + 1))
	"$@" >"$out" 2>"$err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		echo "not ok $n - $name (status $got, want $want)"
		sed 's/^/#   out: /' "$out" | tail -n 10
		sed 's/^/#   err: /' "$err" | tail -n 10
		failed=$((failed + 1))
		return 1
	fi
	echo "ok $n - $name"
}

# has FILE TEXT: a check on the last test's output.
has()
{
	grep -qF -- "$2" "$1" && return 0
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - output has '$2'"
	sed 's/^/#   /' "$1" | tail -n 10
	return 1
}

# Run a guest that only a signal ends; SIG then wait.
signalled()
{
	hvctl run "$T/spin.bin" &
	pid=$!
	sleep 2
	kill "-$1" "$pid"
	wait "$pid"
}

# Piped input reaches the UART.
with_input()
{
	printf 'abcde' | hvctl run "$T/pm.bin"
}

t "hvctl --version" 0 hvctl --version
t "hvctl caps" 0 hvctl caps && has "$out" "vendor"
t "hello.elf: multiboot, long mode, shutdown port" 0 \
	hvctl run --verbose "$G/hello.elf" a b c &&
	has "$out" 'command line: "a b c"' &&
	has "$out" "64-bit mode" && has "$out" "640 KiB low, 64512 KiB" &&
	has "$err" '"Shutdown"'
t "hello.elf with 4 VPs and 128M" 0 \
	hvctl run --vps 4 --memory 128M "$G/hello.elf" &&
	has "$out" "130048 KiB above 1 MiB"
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
t "missing image" 2 hvctl run /nonexistent &&
	has "$err" "cannot open /nonexistent"
t "bad --memory" 2 hvctl run --memory 12Q "$G/hello.elf"
t "too many VPs" 2 hvctl run --vps 4096 "$G/hello.elf"
t "too little RAM for a multiboot kernel" 2 \
	hvctl run --memory 1M "$G/hello.elf"

echo "1..$n"
[ "$failed" -eq 0 ]
