// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the client side of the worker's control socket (control.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"

/* Connects to the control socket at @path: an fd, or -errno. */
int ctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, ret;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/*
 * Writes all of @buf to @fd, a socket (without SIGPIPE) or any other fd:
 * 0, or -errno.
 */
int ctl_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (!n)
			return -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Sends request @req and reads the whole answer.  Returns 0 with the
 * "KEY VALUE" lines in @reply, -EREMOTEIO with the worker's error
 * message in @reply, or another -errno (-ECONNREFUSED, -ENOENT: no
 * worker listens).
 */
int ctl_request(const char *path, const char *req, char *reply, size_t size)
{
	char buf[8192], *nl;
	size_t len = 0;
	ssize_t n;
	int fd, ret;

	fd = ctl_connect(path);
	if (fd < 0)
		return fd;
	snprintf(buf, sizeof(buf), "%s\n", req);
	ret = ctl_write_all(fd, buf, strlen(buf));
	while (!ret && len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			ret = -errno;
		if (n <= 0)
			break;
		len += n;
	}
	close(fd);
	if (ret)
		return ret;
	buf[len] = '\0';
	nl = strchr(buf, '\n');
	if (!nl)
		return -EPROTO;
	*nl = '\0';
	if (!strcmp(buf, "ok")) {
		snprintf(reply, size, "%s", nl + 1);
		return 0;
	}
	if (!strncmp(buf, "error ", 6)) {
		snprintf(reply, size, "%s", buf + 6);
		return -EREMOTEIO;
	}
	return -EPROTO;
}

/* The value of @key in a reply's "KEY VALUE" lines, or NULL. */
const char *ctl_get(const char *reply, const char *key, char *buf,
		    size_t size)
{
	size_t klen = strlen(key), vlen;
	const char *p = reply, *end;

	while (*p) {
		end = strchrnul(p, '\n');
		if ((size_t)(end - p) > klen && !strncmp(p, key, klen) &&
		    p[klen] == ' ') {
			vlen = end - p - klen - 1;
			if (vlen >= size)
				vlen = size - 1;
			memcpy(buf, p + klen + 1, vlen);
			buf[vlen] = '\0';
			return buf;
		}
		p = *end ? end + 1 : end;
	}
	return NULL;
}
