#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End-to-end tests of hvctl's management plane (create, start, list,
# console, stats, stop, kill, delete, the detached worker) against the
# real hvpart.ko, in the emulated machine (busybox sh, as root).  From the
# host:
#   scripts/vmrun -- run-suites mgmt
#   scripts/vmrun --files userspace -- sh tests/vm-mgmt.sh
# Prints TAP.  Needs hvctl on PATH and the guests of tests/guests/.
# Nothing here depends on timing but for generous upper bounds: every
# wait polls for what it waits for, for up to $WAIT seconds.
cd "$(dirname "$0")/.." || exit 1
T=$PWD/tests/guests
WAIT=60
top=/tmp/hvctl-mgmt
export HVPART_STATE_DIR=$top/conf HVPART_RUN_DIR=$top/run
out=$top/out
err=$top/err
rm -rf "$top"
mkdir -p "$top"
# shellcheck source=vm-lib.sh source-path=SCRIPTDIR
. "$PWD/tests/vm-lib.sh"

# state NAME: the partition's state, from hvctl list --json.
state()
{
	hvctl list --json | sed -n "s/.*\"name\": \"$1\", \"state\": \"\([a-z]*\)\".*/\1/p"
}

is_state() { [ "$(state "$1")" = "$2" ]; }
left_state() { [ "$(state "$1")" != "$2" ]; }

# pid NAME: the running worker's pid.
pid()
{
	hvctl list --json | sed -n "s/.*\"name\": \"$1\",.*\"pid\": \([0-9]*\),.*/\1/p"
}

# No partition fd is open: hvpart.ko's reference count is back to 0.
# holds_no PID FILE: process PID has no fd open on FILE.
holds_no()
{
	for f in /proc/"$1"/fd/*; do
		[ "$(readlink "$f")" = "$2" ] && return 1
	done
	return 0
}

no_partitions() { [ "$(cat /sys/module/hvpart/refcnt)" = 0 ]; }
gone() { [ ! -d "/proc/$1" ]; }
absent() { [ ! -e "$1" ]; }
log_has() { grep -qF -- "$2" "$1"; }

# --- create, list, delete --------------------------------------------------
t "list: no partitions" 0 hvctl list && has "$out" "NAME" &&
	hasnt "$out" "created"
t "list --json: an empty array" 0 hvctl list --json && has "$out" "[]"
t "create e1" 0 hvctl create e1 --memory 16M --hv-off crash "$T/echo.bin" a b &&
	has "$out" "created e1"
ok "e1.conf holds the options, the image and the arguments" \
	grep -qx "memory 16M" "$top/conf/e1.conf" &&
	has "$top/conf/e1.conf" "hv-off crash" &&
	has "$top/conf/e1.conf" "image $T/echo.bin" &&
	has "$top/conf/e1.conf" "arg b"
t "create e1 twice: an error" 2 hvctl create e1 "$T/echo.bin" &&
	has "$err" "a partition named e1 exists already"
t "create: a bad name" 2 hvctl create ../x "$T/echo.bin" &&
	has "$err" "bad partition name"
t "create: a bad option leaves nothing" 2 \
	hvctl create b1 --hv bogus "$T/echo.bin" &&
	has "$err" "unknown Hyper-V group 'bogus'"
ok "no b1.conf" absent "$top/conf/b1.conf"
t "create: a missing image" 2 hvctl create b2 /nonexistent &&
	has "$err" "cannot read IMAGE /nonexistent"
t "list: e1 created, 16M, 1 VP" 0 hvctl list &&
	has_re "$out" "^e1 +created +1 +16M"
t "start: no such partition" 2 hvctl start nope &&
	has "$err" "no partition named nope"

# --- start, a second start, the worker --------------------------------------
exec 7>"$top/caller-fd"
t "start e1" 0 hvctl start e1 && has_re "$out" "started e1 \(worker pid [0-9]+\)"
exec 7>&-
p1=$(sed -n 's/.*worker pid \([0-9]*\).*/\1/p' "$out")
t "list: e1 running with the worker's pid" 0 hvctl list &&
	has_re "$out" "^e1 +running +1 +16M +[0-9]+:[0-9][0-9]:[0-9][0-9] +$p1"
t "list --json: e1 running" 0 hvctl list --json &&
	has "$out" "\"name\": \"e1\", \"state\": \"running\", \"vps\": 1, \"memory\": 16777216," &&
	has "$out" "\"pid\": $p1,"
t "start e1 again: an error" 2 hvctl start e1 &&
	has "$err" "e1 is running already (worker pid $p1)"
ok "the worker is detached: a session of its own, init its parent" \
	[ "$(cut -d' ' -f6 "/proc/$p1/stat")" != "$(cut -d' ' -f6 /proc/$$/stat)" ] &&
	[ "$(cut -d' ' -f4 "/proc/$p1/stat")" = 1 ]
ok "the worker has no capabilities left" \
	grep -q "^CapEff:[[:space:]]*0000000000000000" "/proc/$p1/status"
ok "the worker's bounding set is empty" \
	grep -q "^CapBnd:[[:space:]]*0000000000000000" "/proc/$p1/status"
ok "the worker runs with no_new_privs" \
	grep -q "^NoNewPrivs:[[:space:]]*1" "/proc/$p1/status"
ok "the worker holds none of its caller's files" holds_no "$p1" "$top/caller-fd"
ok "the control socket is the owner's only" \
	[ "$(stat -c %a "$top/run/e1.sock")" = 600 ]

# --- console -----------------------------------------------------------------
# console_open NAME: hvctl console NAME reading the fifo $top/in (fd 3
# here), its output in $top/con.out.
console_open()
{
	rm -f "$top/in"
	mkfifo "$top/in"
	hvctl console "$1" <"$top/in" >"$top/con.out" 2>"$top/con.err" &
	cpid=$!
	exec 3>"$top/in"
}

console_open e1
ok "console: the guest's banner, printed before attaching" \
	until_ok log_has "$top/con.out" "echo: ready"
printf 'hello-1' >&3
ok "console: typed text comes back through the guest" \
	until_ok log_has "$top/con.out" "hello-1"
t "a second console at once: refused" 2 hvctl console e1 &&
	has "$err" "a console is attached already"
printf '\035' >&3
ok "console: Ctrl-] detaches" until_ok gone "$cpid"
wait "$cpid"
ok "console: status 0 after detaching" [ $? -eq 0 ]
exec 3>&-
ok "e1 runs on after the detach" is_state e1 running
console_open e1
printf 'again-2' >&3
ok "console: attach again" until_ok log_has "$top/con.out" "again-2"
exec 3>&-
ok "console: the end of the input detaches" until_ok gone "$cpid"
wait "$cpid"

t "stats e1" 0 hvctl stats e1 && has_re "$out" "^vp0-io +[1-9]" &&
	has_re "$out" "^vp0-exits +[1-9]" && has_re "$out" "^console-in +14$" &&
	has_re "$out" "^uptime +[0-9]+"
t "stats --json e1" 0 hvctl stats --json e1 &&
	has_re "$out" '^\{"uptime": [0-9]+, "vps": 1, "vp0-exits": [1-9][0-9]*, ' &&
	has "$out" '"console-in": 14'

# --- stop, delete --------------------------------------------------------------
t "delete a running partition: an error" 2 hvctl delete e1 &&
	has "$err" "e1 is running: 'hvctl stop e1' first"
t "stop e1: no shutdown channel, so a power-off" 0 hvctl stop e1 &&
	has "$out" "stopped e1"
ok "list: e1 stopped by hvctl stop" is_state e1 stopped
t "list says why" 0 hvctl list &&
	has_re "$out" "^e1 +stopped .* powered off by hvctl stop"
ok "e1's worker is gone" gone "$p1"
ok "e1's socket is gone" absent "$top/run/e1.sock"
ok "no partition is left in hvpart" until_ok no_partitions
t "stop e1 again: not running" 2 hvctl stop e1 &&
	has "$err" "e1 is not running (stopped)"
t "kill e1: not running" 2 hvctl kill e1
t "stats e1: not running" 2 hvctl stats e1 && has "$err" "e1 is not running"
t "console e1: not running" 2 hvctl console e1 &&
	has "$err" "e1 is not running"

# --- the guest ends on its own ------------------------------------------------
t "start --attach e1, then 'q' powers the guest off" 0 \
	sh -c "printf q | hvctl start --attach e1"
ok "e1 stopped: the guest powered off" \
	until_ok is_state e1 stopped
t "list --json: exit status 0 and why" 0 hvctl list --json &&
	has "$out" '"exit_status": 0, "reason": "the guest powered off or halted"'
t "create d1 (isa-debug-exit 0x2a)" 0 hvctl create d1 "$T/dexit.bin"
t "start d1" 0 hvctl start d1
ok "d1 stops on its own" until_ok is_state d1 stopped
t "list: why d1 stopped" 0 hvctl list --json &&
	has "$out" '"exit_status": 85, "reason": "the guest wrote 42 to isa-debug-exit"'

# --- a worker of several VPs (hvpart's local APIC) ---------------------------------
lapic=$(hvctl caps 2>/dev/null | sed -n 's/^local-apic *\([a-z]*\).*/\1/p')
t "create m4 (4 VPs: the BSP wakes 3 APs, then every VP halts)" 0 \
	hvctl create m4 --vps 4 "$T/smp.elf" halt
if [ "$lapic" = yes ]; then
	t "start m4" 0 hvctl start m4
	ok "m4 stops on its own" until_ok is_state m4 stopped
	t "list: m4 stopped with status 0, every VP halted" 0 \
		hvctl list --json &&
		has "$out" '"name": "m4", "state": "stopped", "vps": 4,' &&
		has "$out" '"exit_status": 0, "reason": "the guest powered off or halted"'
else
	t "start m4 without a local APIC: refused" 2 hvctl start m4 &&
		has "$err" "needs hvpart's local APIC"
fi
t "delete m4" 0 hvctl delete m4
t "create: --initrd with a relative path: refused" 2 \
	hvctl create r1 --initrd "mod.img x" "$T/mbinfo.elf" &&
	has "$err" "give the module as an absolute path"

# --- a worker that dies: SIGKILL ------------------------------------------------
t "create s1 (spins forever)" 0 hvctl create s1 --memory 8M "$T/spin.bin"
t "start s1" 0 hvctl start s1
p2=$(pid s1)
ok "s1 has a worker pid" [ -n "$p2" ]
kill -KILL "$p2"
ok "the SIGKILLed worker is gone" until_ok gone "$p2"
ok "list: s1 crashed" is_state s1 crashed
t "list says what happened" 0 hvctl list &&
	has_re "$out" "^s1 +crashed .*worker $p2 died without a clean exit"
ok "no stale socket" absent "$top/run/s1.sock"
ok "nothing left in hvpart (no partition, no pinned memory)" \
	until_ok no_partitions
t "start s1 after the crash" 0 hvctl start s1
p3=$(pid s1)
t "kill s1" 0 hvctl kill s1 && has "$out" "killed s1"
ok "the killed worker is gone" gone "$p3"
t "list: s1 killed" 0 hvctl list &&
	has_re "$out" "^s1 +killed .*killed by hvctl kill"
ok "nothing left after kill" until_ok no_partitions
t "a stale status file that says running" 0 \
	sed -i 's/^state .*/state running/' "$top/run/s1.status"
ok "list: s1 crashed, from the stale file" is_state s1 crashed

# --- SIGTERM to the worker ------------------------------------------------------
t "start s1 once more" 0 hvctl start s1
p4=$(pid s1)
kill -TERM "$p4"
ok "SIGTERM: the worker stops cleanly" until_ok is_state s1 stopped
t "list: SIGTERM" 0 hvctl list --json &&
	has "$out" '"exit_status": 143, "reason": "the worker got SIGTERM"'

# --- delete -------------------------------------------------------------------
t "delete s1" 0 hvctl delete s1 && has "$out" "deleted s1"
ok "s1's files are gone" absent "$top/conf/s1.conf"
ok "s1's status is gone" absent "$top/run/s1.status"
t "delete s1 again: no such partition" 2 hvctl delete s1 &&
	has "$err" "no partition named s1"
t "list: no s1" 0 hvctl list && hasnt "$out" "s1"

# --- a full disk ----------------------------------------------------------------
full=$top/full
mkdir -p "$full"
if mount -t tmpfs -o size=64k tmpfs "$full"; then
	mkdir -p "$full/conf" "$full/run"
	dd if=/dev/zero of="$full/fill" bs=4k count=64 2>/dev/null
	t "create on a full disk: an error" 2 env HVPART_STATE_DIR="$full/conf" \
		hvctl create f1 "$T/echo.bin" &&
		has "$err" "No space left on device"
	ok "create on a full disk leaves nothing" \
		[ -z "$(ls -A "$full/conf")" ]
	t "start with a full run directory: an error" 2 \
		env HVPART_RUN_DIR="$full/run" hvctl start e1 &&
		has "$err" "No space left on device" &&
		has "$err" "e1 did not start"
	ok "no socket left behind" absent "$full/run/e1.sock"
	ok "no partition left behind" until_ok no_partitions
	ok "e1 still stopped" is_state e1 stopped
	umount "$full"
else
	n=$((n + 1))
	echo "ok $n - full disk # SKIP no tmpfs"
fi

t "delete e1, d1" 0 sh -c 'hvctl delete e1 && hvctl delete d1'
t "list: empty again" 0 hvctl list --json && has "$out" "[]"
ok "no partition left at the end" until_ok no_partitions

echo "1..$n"
[ "$failed" -eq 0 ]
