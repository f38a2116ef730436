# SPDX-License-Identifier: GPL-2.0
# Count the results in the TAP stream of /usr/lib/hvpart/run-suites.
#
# Each program is one block: "# selftest: hvpart: NAME", its own output
# indented by "# ", then "ok|not ok N selftests: hvpart: NAME". Inside a
# block, a "# Totals: pass:.." line of kselftest.h/kselftest_harness.h gives
# the counts; else its own "ok"/"not ok" lines are counted; else the
# program's status is one result. A program that failed without reporting
# a failed test (crash, timeout, abort) adds one failure. Results the plan
# announced but that never came count as failures. Each test counts once.
# With -v flat=1 (several plain TAP streams, e.g. host unit tests) only the
# ok/not ok lines count and plans are not checked.
# Prints "FAILED: ..." lines, then "COUNTS <pass> <fail> <skip>".

function skipped(s) { return s ~ /#[ \t]*[Ss][Kk][Ii][Pp]/ }

function reset_block() {
	inblk = 1; bp = bf = bs = 0; totals = 0; nested = 0
}

/^1\.\.[0-9]+/ && !inblk { plan = substr($0, 4) + 0; next }

/^# selftest: hvpart: / { reset_block(); name = substr($0, 21); next }

inblk && /^# / {
	inner = substr($0, 3)
	if (inner ~ /^# Totals: /) {
		n = split(substr(inner, 11), kv, /[ :]+/)
		for (i = 1; i < n; i += 2)
			tot[kv[i]] = kv[i + 1] + 0
		tp += tot["pass"] + tot["xfail"]
		tf += tot["fail"] + tot["xpass"] + tot["error"]
		ts += tot["skip"]
		totals = 1
	} else if (inner ~ /^(not )?ok [0-9]+/) {
		nested = 1
		if (skipped(inner))
			bs++
		else if (inner ~ /^not ok/) {
			bf++
			print "FAILED: " name ": " inner
		} else
			bp++
	}
	next
}

/^(not )?ok [0-9]+/ {
	seen++
	if (!inblk) { name = $0; reset_block() }
	if (totals) {
		bp = tp; bf = tf; bs = ts
	} else if (!nested) {
		if (skipped($0)) bs = 1
		else if ($0 ~ /^ok/) bp = 1
	}
	if ($0 ~ /^not ok/ && !skipped($0) && bf == 0) {
		bf = 1
		print "FAILED: " name ": " $0
	}
	pass += bp; fail += bf; skip += bs
	inblk = 0; tp = tf = ts = 0
	next
}

END {
	if (flat) {
		printf "COUNTS %d %d %d\n", pass, fail, skip
		exit
	}
	if (seen < plan) {
		print "FAILED: " (plan - seen) " of " plan " planned tests never reported (last: " name ")"
		fail += plan - seen
	}
	if (!plan && !seen) {
		print "FAILED: no TAP output"
		fail++
	}
	printf "COUNTS %d %d %d\n", pass, fail, skip
}
