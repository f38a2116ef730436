// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-echo [-g] PORT: the Linux child's AF_VSOCK service for the
 * hv_sock tests (tests/vm-linux.sh, `hvctl connect`).  Listens on PORT
 * (any CID) and serves each connection in a child process: it sends
 * back every byte it reads until the root's EOF, then closes; with -g
 * it writes one greeting line and closes at once, without reading (the
 * guest ends the connection first).  Prints "vsock-echo: listening on
 * PORT" once the socket listens.  Static, for the child's initramfs.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/vm_sockets.h>

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

static void serve(int fd, int greet)
{
	static const char hello[] = "hello from the guest\n";
	char buf[65536];
	ssize_t n;

	if (greet) {
		write_all(fd, hello, sizeof(hello) - 1);
		return;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(fd, buf, n))
			return;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_ANY,
	};
	int greet = 0, fd, c;

	if (argc > 1 && !strcmp(argv[1], "-g")) {
		greet = 1;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: vsock-echo [-g] PORT\n");
		return 2;
	}
	sa.svm_port = strtoul(argv[1], NULL, 0);
	signal(SIGCHLD, SIG_IGN);
	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 16)) {
		fprintf(stderr, "vsock-echo: port %u: %s\n", sa.svm_port,
			strerror(errno));
		return 1;
	}
	printf("vsock-echo: listening on %u\n", sa.svm_port);
	fflush(stdout);
	for (;;) {
		c = accept(fd, NULL, NULL);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vsock-echo: accept: %s\n",
				strerror(errno));
			return 1;
		}
		if (!fork()) {
			close(fd);
			serve(c, greet);
			close(c);
			_exit(0);
		}
		close(c);
	}
}
