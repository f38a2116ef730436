#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# End-to-end tests of who may use hvpart, in the emulated machine (busybox
# sh, as root): /dev/hvpart as dist/60-hvpart.rules sets it up (group
# hvpart, mode 0660, applied here by hand: the machine runs no udev), a
# user in the group who runs partitions, one outside it who gets a clear
# error.  From the host:
#   scripts/vmrun -- run-suites perms
# Prints TAP.
cd "$(dirname "$0")/.." || exit 1
G=$PWD/guests
T=$PWD/tests/guests
rule=$PWD/dist/60-hvpart.rules
WAIT=60
top=/tmp/hvctl-perms
out=$top/out
err=$top/err
unset HVPART_STATE_DIR HVPART_RUN_DIR
rm -rf "$top"
mkdir -p "$top"
chmod 0755 "$top"
# shellcheck source=vm-lib.sh source-path=SCRIPTDIR
. "$PWD/tests/vm-lib.sh"

# as USER CMD: CMD (one shell command line) as USER, with USER's groups.
as() { su -s /bin/sh "$1" -c "$2"; }
no_partitions() { [ "$(cat /sys/module/hvpart/refcnt)" = 0 ]; }

group=$(sed -n 's/.*GROUP="\([^"]*\)".*/\1/p' "$rule")
mode=$(sed -n 's/.*MODE="\([^"]*\)".*/\1/p' "$rule")
ok "the udev rule: group hvpart, mode 0660" \
	[ "$group" = hvpart ] && [ "$mode" = 0660 ]
ok "without it /dev/hvpart is root's only" \
	[ "$(stat -c %a /dev/hvpart)" = 600 ]

# alice is in group hvpart, bob is not.
touch /etc/passwd /etc/group
for u in alice:1000 bob:1001; do
	name=${u%:*} id=${u#*:}
	grep -q "^$name:" /etc/passwd ||
		echo "$name:x:$id:$id::$top/$name:/bin/sh" >>/etc/passwd
	grep -q "^$name:" /etc/group || echo "$name:x:$id:" >>/etc/group
	mkdir -p "$top/$name"
	chown "$id:$id" "$top/$name"
done
grep -q "^hvpart:" /etc/group || echo "hvpart:x:990:alice" >>/etc/group
chgrp "$group" /dev/hvpart
chmod "$mode" /dev/hvpart

t "bob, outside the group: a clear permission error" 2 \
	as bob "hvctl run --memory 2M $G/bootsector.bin" &&
	has "$err" "cannot open /dev/hvpart: Permission denied (root and its group may use it: hvpart"
t "bob: caps too" 2 as bob "hvctl caps" &&
	has "$err" "Permission denied"
t "alice, in group hvpart, runs a guest" 0 \
	as alice "hvctl run --memory 2M $G/bootsector.bin" &&
	has "$out" "hello from real mode"
t "alice creates a partition in her own state directory" 0 \
	as alice "hvctl create a1 --memory 2M $T/echo.bin"
ok "~alice/.local/state/hvpart/a1.conf" \
	[ -f "$top/alice/.local/state/hvpart/a1.conf" ]
t "alice starts it" 0 as alice "hvctl start a1"
pid=$(sed -n 's/.*worker pid \([0-9]*\).*/\1/p' "$out")
ok "its worker runs as alice" \
	grep -q "^Uid:[[:space:]]*1000[[:space:]]" "/proc/$pid/status"
t "alice lists it running" 0 as alice "hvctl list" && has "$out" "running"
t "bob cannot reach alice's worker" 2 \
	as bob "HVPART_RUN_DIR=$top/alice/.local/state/hvpart/run hvctl console a1" &&
	has "$err" "Permission denied"
t "bob does not see alice's partitions" 0 as bob "hvctl list" &&
	has "$out" "NAME"
ok "(none)" [ "$(wc -l <"$out")" -eq 1 ]
t "alice stops it" 0 as alice "hvctl stop a1"
t "alice deletes it" 0 as alice "hvctl delete a1"
ok "nothing left in hvpart" until_ok no_partitions

chgrp 0 /dev/hvpart
chmod 0600 /dev/hvpart
echo "1..$n"
[ "$failed" -eq 0 ]
