// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the worker gives up the privileges it no longer needs once its
 * partition is set up.  After that it only uses fds it already holds
 * (/dev/hvpart's, the partition's and VPs', its sockets and pipes) and
 * files it owns in RUNDIR, so it keeps no capability at all, and
 * no_new_privs keeps a later exec from gaining any.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "privs.h"

/* Returns 0, or -errno; the caller says what failed. */
int privs_drop(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
	int cap;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		return -errno;
	/* The bounding set first: dropping from it needs CAP_SETPCAP. */
	for (cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) <= 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EPERM)
			return -errno;
	}
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	return 0;
}
