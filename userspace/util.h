/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVCTL_UTIL_H
#define HVCTL_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

#endif /* HVCTL_UTIL_H */
