#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the end-to-end scripts (tests/vm-*.sh), sourced after
# they set $out and $err (where a test's stdout and stderr go) and, for
# until_ok, $WAIT (seconds; default 60).  Not a suite of its own.
# shellcheck disable=SC2154 # $out and $err are the sourcing script's
n=0
failed=0
next_todo=''
todo=''
WAIT=${WAIT:-60}

# todo REASON: the next test (and its checks) is a known failure: TAP's
# "# TODO", reported but not counted as failed.
todo() { next_todo=$1; }

# fail TEXT: a "not ok" line, counted unless it is a TODO.
fail()
{
	if [ -n "$todo" ]; then
		echo "not ok $n - $1 # TODO $todo"
	else
		echo "not ok $n - $1"
		failed=$((failed + 1))
	fi
}

# t NAME WANT_STATUS CMD...: run CMD, its stdout in $out, stderr in $err.
t()
{
	name=$1 want=$2 todo=$next_todo next_todo=''
	shift 2
	n=$((n + 1))
	"$@" >"$out" 2>"$err" </dev/null
	got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$name (status $got, want $want)"
		sed 's/^/#   out: /' "$out" | tail -n 10
		sed 's/^/#   err: /' "$err" | tail -n 10
		return 1
	fi
	echo "ok $n - $name${todo:+ # TODO $todo}"
}

# ok NAME CMD...: a check that CMD succeeds.
ok()
{
	name=$1 todo=''
	shift
	n=$((n + 1))
	if "$@"; then
		echo "ok $n - $name"
		return 0
	fi
	fail "$name"
	return 1
}

# has FILE TEXT: a check on the last test's output.
has()
{
	grep -qF -- "$2" "$1" && return 0
	n=$((n + 1))
	fail "output has '$2'"
	sed 's/^/#   /' "$1" | tail -n 10
	return 1
}

# hasnt FILE TEXT: the opposite.
hasnt()
{
	grep -qF -- "$2" "$1" || return 0
	n=$((n + 1))
	fail "output lacks '$2'"
	grep -F -- "$2" "$1" | sed 's/^/#   /' | head -n 5
	return 1
}

# has_re FILE ERE: has, with an extended regular expression.
has_re()
{
	grep -qE -- "$2" "$1" && return 0
	n=$((n + 1))
	fail "output matches '$2'"
	sed 's/^/#   /' "$1" | tail -n 15
	return 1
}

# skip NAME REASON: a test that cannot run here.
skip()
{
	n=$((n + 1))
	echo "ok $n - $1 # SKIP $2"
}

# until_ok CMD...: polls CMD, up to $WAIT seconds.
until_ok()
{
	i=0
	while ! "$@" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -ge $((WAIT * 5)) ] && return 1
		sleep 0.2 2>/dev/null || sleep 1
	done
	return 0
}
