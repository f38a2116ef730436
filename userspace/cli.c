// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: messages and argument parsing.  Every message is one line on
 * stderr that starts with "hvctl: ".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "libhvpart.h"
#include "util.h"

bool hvctl_verbose;

static void hvctl_vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "hvctl: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void hvctl_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvctl_vmsg("", fmt, ap);
	va_end(ap);
}

void hvctl_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hvctl_vmsg("warning: ", fmt, ap);
	va_end(ap);
}

/* Progress messages, printed with --verbose only. */
void hvctl_info(const char *fmt, ...)
{
	va_list ap;

	if (!hvctl_verbose)
		return;
	va_start(ap, fmt);
	hvctl_vmsg("", fmt, ap);
	va_end(ap);
}

/*
 * Opens /dev/hvpart (or $HVPART_DEVICE) and checks the API version.
 * Returns the fd, or -1 after printing why not.
 */
int hvctl_open_device(void)
{
	const char *path = getenv("HVPART_DEVICE");
	const char *hint = "";
	int fd, ver;

	if (!path || !*path)
		path = HVP_DEVICE_PATH;
	fd = hvp_open(path);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
			hint = " (is hvpart.ko loaded?)";
		else if (fd == -EACCES || fd == -EPERM)
			hint = " (root and its group may use it: hvpart, with the udev rule)";
		hvctl_err("cannot open %s: %s%s", path, strerror(-fd), hint);
		return -1;
	}

	ver = hvp_get_api_version(fd);
	if (ver < 0) {
		hvctl_err("%s: HVPART_GET_API_VERSION: %s", path,
			  strerror(-ver));
		goto close_fd;
	}
	if (ver != HVPART_API_VERSION) {
		hvctl_err("%s speaks hvpart API version %d, hvctl needs %d",
			  path, ver, HVPART_API_VERSION);
		goto close_fd;
	}
	return fd;

close_fd:
	close(fd);
	return -1;
}

/*
 * Parses a size: a decimal or 0x number with an optional K, M, G or T
 * suffix (powers of 1024, either case).
 */
int hvctl_parse_size(const char *s, uint64_t *size)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	case 't': case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		return -EINVAL;
	}
	if (shift && *++end)
		return -EINVAL;
	if (v > (~0ULL >> shift))
		return -ERANGE;
	*size = (uint64_t)v << shift;
	return 0;
}

int hvctl_parse_uint(const char *s, unsigned long max, unsigned long *val)
{
	unsigned long v;
	char *end;

	if (!*s || *s == '-')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end)
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*val = v;
	return 0;
}

/* Why a worker that ended with hvctl's exit status @status stopped. */
void hvctl_exit_reason(int status, char *buf, size_t size)
{
	static const char *const why[] = {
		[HVCTL_EXIT_OK] = "the guest powered off or halted",
		[HVCTL_EXIT_SETUP] = "the partition could not be set up",
		[HVCTL_EXIT_TRIPLE_FAULT] = "the guest triple faulted",
		[HVCTL_EXIT_BAD_GPA] = "the guest touched a GPA with no RAM",
		[HVCTL_EXIT_UNHANDLED] = "the VP stopped on an exit hvpart does not handle",
		[HVCTL_EXIT_EMULATION] = "hvctl could not emulate what the guest did",
		[HVCTL_EXIT_HV_ERROR] = "an hvpart ioctl failed",
		[HVCTL_EXIT_GUEST_CRASH] = "the guest reported a crash",
		[HVCTL_EXIT_RESET] = "the guest asked for a reset",
	};

	if (status == HVCTL_EXIT_SIGINT || status == HVCTL_EXIT_SIGTERM)
		snprintf(buf, size, "the worker got %s",
			 status == HVCTL_EXIT_SIGINT ? "SIGINT" : "SIGTERM");
	else if (status & 1)
		snprintf(buf, size, "the guest wrote %d to isa-debug-exit",
			 status >> 1);
	else if (status >= 0 && (size_t)status < ARRAY_SIZE(why) &&
		 why[status])
		snprintf(buf, size, "%s", why[status]);
	else
		snprintf(buf, size, "exit status %d", status);
}

/* @s as a JSON string, quotes included. */
void hvctl_json_str(FILE *f, const char *s)
{
	unsigned char c;

	fputc('"', f);
	for (; (c = *s); s++) {
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}
