// SPDX-License-Identifier: GPL-2.0
/*
 * vsock-echo: the hv_sock tests' two ends (tests/vm-linux.sh).  Static,
 * for the child's initramfs and the emulated machine alike.
 *
 *   vsock-echo [-g] PORT   in the guest: listens on AF_VSOCK port PORT
 *                          (any CID), for `hvctl connect`
 *   vsock-echo -u PATH     in the root: listens on the unix stream socket
 *                          PATH, for a guest's connect() that
 *                          --vsock-port brings there
 *   vsock-echo -c PORT     in the guest: connects to the host's port PORT,
 *                          sends a line, ends its side, and prints
 *                          "vsock-echo: got LINE" with what came back
 *
 * A listener serves each connection in a child process: it sends back
 * every byte it reads until EOF, then closes; with -g it writes one
 * greeting line and closes at once, without reading (it ends the
 * connection first).  Listeners print "vsock-echo: listening on PORT"
 * (or PATH) once they listen.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
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

/* vsock-echo -c PORT */
static int client(unsigned int port)
{
	static const char ping[] = "ping from the guest";
	struct sockaddr_vm sa = {
		.svm_family = AF_VSOCK,
		.svm_cid = VMADDR_CID_HOST,
		.svm_port = port,
	};
	char buf[256];
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		printf("vsock-echo: connect to host port %u: %s\n", port,
		       strerror(errno));
		return 1;
	}
	if (write_all(fd, ping, sizeof(ping) - 1) || shutdown(fd, SHUT_WR)) {
		printf("vsock-echo: send: %s\n", strerror(errno));
		return 1;
	}
	while (len < sizeof(buf) - 1) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	printf("vsock-echo: got %s\n", buf);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	union {
		struct sockaddr sa;
		struct sockaddr_vm vm;
		struct sockaddr_un un;
	} a;
	socklen_t alen;
	int greet = 0, fd, c;
	const char *what;

	memset(&a, 0, sizeof(a));
	if (argc == 3 && !strcmp(argv[1], "-c"))
		return client(strtoul(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "-u")) {
		a.un.sun_family = AF_UNIX;
		snprintf(a.un.sun_path, sizeof(a.un.sun_path), "%s", argv[2]);
		unlink(argv[2]);
		alen = sizeof(a.un);
	} else {
		if (argc > 1 && !strcmp(argv[1], "-g")) {
			greet = 1;
			argv++;
			argc--;
		}
		if (argc != 2) {
			fprintf(stderr, "usage: vsock-echo [-g] PORT | -u PATH | -c PORT\n");
			return 2;
		}
		a.vm.svm_family = AF_VSOCK;
		a.vm.svm_cid = VMADDR_CID_ANY;
		a.vm.svm_port = strtoul(argv[1], NULL, 0);
		alen = sizeof(a.vm);
	}
	what = argv[argc - 1];
	signal(SIGCHLD, SIG_IGN);
	fd = socket(a.sa.sa_family, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, &a.sa, alen) || listen(fd, 16)) {
		fprintf(stderr, "vsock-echo: %s: %s\n", what, strerror(errno));
		return 1;
	}
	printf("vsock-echo: listening on %s\n", what);
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
