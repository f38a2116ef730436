#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# zz_module_reload.sh: unloading and reloading hvpart.ko (TAP 13 by hand).
# Named to run after every other suite: it removes the module.
#
#   1. rmmod fails while a process holds a partition fd (and nothing else);
#   2. once that process is gone, rmmod succeeds;
#   3. /dev/hvpart and /sys/module/hvpart are gone;
#   4. insmod of the same hvpart.ko ($HVPART_KO) succeeds, /dev/hvpart is back;
#   5. a few more unload/load cycles succeed;
#   6. a guest runs again (the smoke suite);
#   7. the kernel log has no WARNING/BUG/Oops and no W or D taint.
#
# Needs root, hvpart.ko loaded, and the smoke program beside this script.
# Exit status: 0 pass, 1 fail, 4 skip (kselftest's KSFT_SKIP).

HVPART_KO=${HVPART_KO:-/lib/modules/hvpart.ko}
# the parameters the first insmod had (vmrun writes them down)
HVPART_MODULE_ARGS=''
# shellcheck source=/dev/null
[ -r /etc/hvpart/config ] && . /etc/hvpart/config
MODULE=hvpart
DEV=/dev/hvpart
KERR_RE='WARNING:|BUG:|Oops|general protection|kernel BUG at|Call Trace'
TAINT_WARN=512		# W: a WARN() fired
TAINT_DIE=128		# D: the kernel died (oops)

dir=$(cd "$(dirname "$0")" && pwd)
smoke=$dir/smoke
ready=/tmp/hvpart-reload.$$
holder=''
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1"; failed=1; }
diag() { echo "# $*"; }
result() { if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi; }

skip_all()
{
	echo "1..0 # SKIP $*"
	exit 4
}

# wait_for COND-COMMAND...: retry for up to 5 s.
wait_for()
{
	i=0
	while [ $i -lt 50 ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

# shellcheck disable=SC2317 # called through wait_for and trap
dev_present() { [ -e "$DEV" ]; }
# shellcheck disable=SC2317
dev_gone() { [ ! -e "$DEV" ] && [ ! -d "/sys/module/$MODULE" ]; }

# shellcheck disable=SC2317
cleanup()
{
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	rm -f "$ready" "$ready.smoke"
}
trap cleanup EXIT

echo "TAP version 13"
[ "$(id -u)" = 0 ] || skip_all "needs root"
if [ ! -e "$DEV" ] || [ ! -d "/sys/module/$MODULE" ]; then
	skip_all "hvpart.ko not loaded (no $DEV)"
fi
[ -r "$HVPART_KO" ] ||
	skip_all "HVPART_KO=$HVPART_KO not found: cannot reload what is removed"
[ -x "$smoke" ] || skip_all "$smoke not found"
echo "1..7"

# 1. A partition fd keeps the module in.
HVPART_HOLD=$ready "$smoke" >/dev/null 2>&1 &
holder=$!
if ! wait_for [ -s "$ready" ]; then
	diag "the holder never got its partition"
	not_ok rmmod_fails_while_partition_open
elif rmmod "$MODULE" 2>/dev/null; then
	diag "rmmod succeeded under an open partition fd"
	not_ok rmmod_fails_while_partition_open
	insmod "$HVPART_KO" $HVPART_MODULE_ARGS || { diag "insmod failed"; exit 1; }
else
	result rmmod_fails_while_partition_open "$(dev_present; echo $?)"
fi

# 2. Without it, the module goes.
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=''
if wait_for rmmod "$MODULE" 2>/dev/null; then
	ok rmmod_after_close
else
	diag "rmmod still fails: $(rmmod "$MODULE" 2>&1)"
	not_ok rmmod_after_close
	exit 1
fi

# 3. And so does its device.
wait_for dev_gone
result dev_removed $?

# 4. The same module comes back.
out=$(insmod "$HVPART_KO" $HVPART_MODULE_ARGS 2>&1)
rc=$?
[ $rc = 0 ] || diag "insmod $HVPART_KO: $out"
if [ $rc = 0 ] && wait_for dev_present; then
	ok insmod_again
else
	not_ok insmod_again
	exit 1
fi

# 5. More cycles, back to back.
rc=0
for i in 1 2 3; do
	if ! rmmod "$MODULE"; then
		diag "cycle $i: rmmod failed"
		rc=1
		break
	fi
	if ! insmod "$HVPART_KO" $HVPART_MODULE_ARGS; then
		diag "cycle $i: insmod failed"
		rc=1
		break
	fi
done
wait_for dev_present || rc=1
result reload_cycles $rc

# 6. Guests run again.
"$smoke" >"$ready.smoke" 2>&1
rc=$?
sed 's/^/# /' "$ready.smoke"
result guest_runs_after_reload $rc

# 7. Nothing in the kernel log.
rc=0
if dmesg | grep -E "$KERR_RE" >/dev/null; then
	dmesg | grep -E "$KERR_RE" | sed 's/^/# /'
	rc=1
fi
taint=$(cat /proc/sys/kernel/tainted)
if [ $((taint & (TAINT_WARN | TAINT_DIE))) != 0 ]; then
	diag "kernel tainted: $taint"
	rc=1
fi
result no_kernel_warnings $rc

exit $failed
