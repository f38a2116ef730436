#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End-to-end tests of hvpart's generic netlink family and tracepoints,
# through hvctl monitor and hvctl stats and tracefs, in the emulated
# machine (busybox sh, as root).  From the host:
#   scripts/vmrun -- run-suites netlink
# Prints TAP.  Every wait polls for what it waits for, up to $WAIT
# seconds.
cd "$(dirname "$0")/.." || exit 1
G=$PWD/guests
T=$PWD/tests/guests
WAIT=60
top=/tmp/hvctl-netlink
export HVPART_STATE_DIR=$top/conf HVPART_RUN_DIR=$top/run
out=$top/out
err=$top/err
rm -rf "$top"
mkdir -p "$top"
# shellcheck source=vm-lib.sh source-path=SCRIPTDIR
. "$PWD/tests/vm-lib.sh"

log_has() { grep -qE -- "$2" "$1"; }
stats_has() { hvctl stats "$1" | grep -qE -- "$2"; }

# events ID: the events of partition ID, in order, on one line.
events()
{
	sed -n "s/^\([a-z-]*\) *partition $1 .*/\1/p" "$top/mon.out" | tr '\n' ' '
}

# --- hvctl monitor --------------------------------------------------------------
hvctl monitor >"$top/mon.out" 2>"$top/mon.err" &
mpid=$!
ok "monitor: subscribed" until_ok log_has "$top/mon.err" "listening for hvpart events"
t "a guest that triple faults" 4 hvctl run "$T/tf.bin"
t "a guest that reports a crash" 14 hvctl run "$T/crash.bin"
t "a guest that asks for a reset" 16 hvctl run "$T/reset.bin"
t "a guest that halts" 0 hvctl run "$G/bootsector.bin"
# (Each 'hvctl run' destroys its partition as it exits; the monitor may
# lag behind in a loaded machine: twice the usual wait.)
ok "monitor: the four partitions are destroyed" \
	until_ok until_ok [ "$(grep -c '^destroyed' "$top/mon.out")" -ge 4 ] ||
	sed 's/^/#   monitor: /' "$top/mon.out" "$top/mon.err"
id=$(sed -n 's/^triple-fault *partition \([0-9]*\) .*/\1/p' "$top/mon.out")
ok "monitor: the triple fault's partition" [ -n "$id" ]
ok "monitor: created, started, triple-fault, destroyed, in order" \
	[ "$(events "$id")" = "created started triple-fault destroyed " ]
has_re "$top/mon.out" "^triple-fault +partition $id pid [0-9]+ vp 0 rip 0x[0-9a-f]+$"
has_re "$top/mon.out" "^crashed +partition [0-9]+ pid [0-9]+ vp 0 crash-ctl 0x[0-9a-f]+ P0=0x1122334455667788 P1=0xffffffffffffffff P2=0x0 P3=0x7c"
has_re "$top/mon.out" "^reset-request +partition [0-9]+ pid [0-9]+ vp 0$"
has_re "$top/mon.out" "^halted +partition [0-9]+ pid [0-9]+ vp 0$"

t "create c1 (1000 CPUIDs, then it spins)" 0 \
	hvctl create c1 --memory 8M "$T/cpuid.bin"
t "start c1" 0 hvctl start c1
ok "monitor: c1 started, by its name" \
	until_ok log_has "$top/mon.out" "^started +partition [0-9]+ pid [0-9]+ name c1 vp 0$"

# --- hvctl stats ------------------------------------------------------------------
ok "c1 says it is done" until_ok stats_has c1 "^console-out +12$"
t "stats c1" 0 hvctl stats c1 && has_re "$out" "^partition-id +[0-9]+$" &&
	has_re "$out" "^vp0-exit-cpuid +1000$" &&
	has_re "$out" "^vp0-exit-io +1[2-9]$" &&
	has_re "$out" "^vp0-messages +1[2-9]$" &&
	has_re "$out" "^vp0-interrupts +0$" &&
	has_re "$out" "^vp0-guest-ns +[1-9][0-9]*$"
t "stats --json c1" 0 hvctl stats --json c1 &&
	has_re "$out" '"vp0-exit-cpuid": 1000,' &&
	has_re "$out" '"partition-id": [0-9]+,'
# --- who may read a partition's statistics ------------------------------------
P=$PWD/tests/nlprobe
idc1=$(hvctl stats c1 | sed -n 's/^partition-id *//p')
t "nlprobe dump shows c1's partition" 0 "$P" dump &&
	has_re "$out" "^ok $idc1$"
t "nlprobe get c1's partition" 0 "$P" get "$idc1" &&
	has_re "$out" "^ok $idc1$"
t "get: no such partition" 0 "$P" get 999999 &&
	has_re "$out" "^error No such file or directory$"
t "get with an attribute the policy does not take: EINVAL" 0 \
	"$P" bogus "$idc1" && has_re "$out" "^error Invalid argument$"
touch /etc/passwd /etc/group
grep -q "^bob:" /etc/passwd || echo "bob:x:1001:1001::/tmp:/bin/sh" >>/etc/passwd
grep -q "^bob:" /etc/group || echo "bob:x:1001:" >>/etc/group
t "another uid cannot read c1's statistics" 0 \
	su -s /bin/sh bob -c "$P get $idc1" &&
	has_re "$out" "^error No such file or directory$"
t "nor find c1 in a dump" 0 su -s /bin/sh bob -c "$P dump" &&
	hasnt "$out" "ok $idc1"

t "stop c1" 0 hvctl stop c1
ok "monitor: c1 destroyed, by its name" \
	until_ok log_has "$top/mon.out" "^destroyed +partition [0-9]+ pid [0-9]+ name c1$"
kill "$mpid"
wait "$mpid" 2>/dev/null

# monitor_two: hvctl monitor --json --count 2 around one short guest.
monitor_two()
{
	hvctl monitor --json --count 2 >"$top/mj.out" 2>"$top/mj.err" &
	m=$!
	until_ok log_has "$top/mj.err" "listening for hvpart events" || return 1
	hvctl run "$T/dexit.bin"
	wait "$m"
}

t "monitor --json --count 2" 0 monitor_two
has_re "$top/mj.out" '^\{"event": "created", "partition": [0-9]+, "pid": [0-9]+, "name": ""\}$'
has_re "$top/mj.out" '^\{"event": "started", "partition": [0-9]+, "pid": [0-9]+, "name": "", "vp": 0\}$'

# --- tracepoints ------------------------------------------------------------------
tr=/sys/kernel/tracing
[ -d "$tr/events" ] || mount -t tracefs nodev "$tr" 2>/dev/null ||
	tr=/sys/kernel/debug/tracing
ok "tracefs has the hvpart events" [ -d "$tr/events/hvpart/hvpart_exit" ]
for e in hvpart_entry hvpart_exit hvpart_hypercall hvpart_msr hvpart_inject \
	hvpart_message; do
	ok "tracepoint $e" [ -f "$tr/events/hvpart/$e/format" ]
done
echo >"$tr/trace"
echo 1 >"$tr/events/hvpart/enable"
t "hvinfo.elf, traced" 0 hvctl run "$G/hvinfo.elf"
echo 0 >"$tr/events/hvpart/enable"
cat "$tr/trace" >"$top/trace.out"
has_re "$top/trace.out" "hvpart_entry: p[0-9]+ vp0 rip 0x"
has_re "$top/trace.out" "hvpart_exit: p[0-9]+ vp0 reason cpuid rip 0x"
has_re "$top/trace.out" "hvpart_exit: p[0-9]+ vp0 reason io rip 0x"
has_re "$top/trace.out" "hvpart_exit: p[0-9]+ vp0 reason hypercall rip 0x"
has_re "$top/trace.out" "hvpart_hypercall: p[0-9]+ vp0 code 0x7fff status 0x0002"
has_re "$top/trace.out" "hvpart_hypercall: p[0-9]+ vp0 code 0x8001 status 0x0000"
has_re "$top/trace.out" "hvpart_msr: p[0-9]+ vp0 write msr 0x40000000 data 0x8000000000010000"
has_re "$top/trace.out" "hvpart_message: p[0-9]+ vp0 type 0x80010000"
echo >"$tr/trace"
# RDPMC raises #GP: an injected hardware exception (type 3, vector 13)
echo 1 >"$tr/events/hvpart/enable"
t "rdpmc.bin, traced: its #GP handler exits" 85 hvctl run "$T/rdpmc.bin"
echo 0 >"$tr/events/hvpart/enable"
cat "$tr/trace" >"$top/trace.out"
has_re "$top/trace.out" "hvpart_exit: p[0-9]+ vp0 reason rdpmc rip 0x"
has_re "$top/trace.out" "hvpart_inject: p[0-9]+ vp0 type 3 vector 0x0d"
echo >"$tr/trace"

t "delete c1" 0 hvctl delete c1
echo "1..$n"
[ "$failed" -eq 0 ]
