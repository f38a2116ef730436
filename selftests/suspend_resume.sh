#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# suspend_resume.sh: hvpart across a suspend and resume (TAP 13 by hand).
#
# /sys/power/pm_test=core runs a whole suspend to memory (freezer,
# devices, non-boot CPUs offline, syscore suspend on the boot CPU) and
# resumes after pm_test_delay seconds, without sleeping the platform.
# hvpart leaves root on each CPU on the way down (hotplug, syscore) and
# must take it again on the way up:
#   1. a guest runs before;
#   2. the suspend cycle succeeds;
#   3. a guest runs after, on every online CPU (taskset);
#   4. the kernel log has no WARNING/BUG/Oops and hvpart no complaint.
#
# Needs root, hvpart.ko loaded, the smoke program beside this script and
# a kernel with CONFIG_PM_DEBUG (pm_test).  Exit: 0 pass, 1 fail, 4 skip.

DEV=/dev/hvpart
KERR_RE='WARNING:|BUG:|Oops|general protection|kernel BUG at|Call Trace|hvpart: .*(not taken|failed)'
PM=/sys/power

dir=$(cd "$(dirname "$0")" && pwd)
smoke=$dir/smoke
log=/tmp/hvpart-suspend.$$
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1"; failed=1; }
diag() { echo "# $*"; }
result() { if [ "$2" = 0 ]; then ok "$1"; else not_ok "$1"; fi; }
skip_all() { echo "1..0 # SKIP $*"; exit 4; }

# shellcheck disable=SC2317 # called from the trap
cleanup()
{
	[ -w $PM/pm_test ] && echo none >$PM/pm_test
	rm -f "$log"
}
trap cleanup EXIT

run_smoke()
{
	"$@" "$smoke" >"$log" 2>&1
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$log"
	return $rc
}

echo "TAP version 13"
[ "$(id -u)" = 0 ] || skip_all "needs root"
[ -e "$DEV" ] || skip_all "hvpart.ko not loaded (no $DEV)"
[ -x "$smoke" ] || skip_all "$smoke not found"
[ -w $PM/pm_test ] || skip_all "no $PM/pm_test (CONFIG_PM_DEBUG)"
grep -qw mem $PM/state || skip_all "no suspend to memory here"
echo "1..4"
marker="hvpart suspend_resume test $$"
echo "$marker" >/dev/kmsg

run_smoke
result guest_runs_before $?

echo 1 >/sys/module/suspend/parameters/pm_test_delay 2>/dev/null
echo core >$PM/pm_test
if echo mem >$PM/state; then
	ok suspend_resume_cycle
else
	diag "echo mem >$PM/state failed"
	not_ok suspend_resume_cycle
fi
echo none >$PM/pm_test

rc=0
if command -v taskset >/dev/null 2>&1; then
	for c in /sys/devices/system/cpu/cpu[0-9]*; do
		cpu=${c##*/cpu}
		[ -r "$c/online" ] && [ "$(cat "$c/online")" = 0 ] && continue
		run_smoke taskset -c "$cpu" || { diag "CPU $cpu"; rc=1; }
	done
else
	run_smoke || rc=1
fi
result guest_runs_after_on_every_cpu $rc

rc=0
if dmesg | sed -n "/$marker/,\$p" | grep -E "$KERR_RE" >/dev/null; then
	dmesg | sed -n "/$marker/,\$p" | grep -E "$KERR_RE" | sed 's/^/# /'
	rc=1
fi
result no_kernel_complaints $rc

exit $failed
