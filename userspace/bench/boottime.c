// SPDX-License-Identifier: GPL-2.0
/*
 * boottime: time from launching a command to a marker in its output,
 * for scripts/bench's linux-boot row.
 *
 *   boottime -m MARKER -o LOG [-t TIMEOUT_S] [-s SAMPLE] -- CMD [ARGS...]
 *
 * Reads CLOCK_MONOTONIC, starts CMD (its own process group, stdin
 * /dev/null, stdout and stderr into one pipe) and copies what CMD writes
 * to LOG as it arrives, looking for MARKER in it (anywhere, also across
 * reads).  When CMD closes its output and exits, prints
 *   boottime marker SECONDS|none
 *   boottime status N          CMD's exit status, 128+SIG if killed
 * and, if TIMEOUT_S (default 600) passed first, "boottime timeout" after
 * sending CMD's process group SIGTERM (SIGKILL 5 s later).  Exits 0 if
 * the marker came and CMD exited 0, else 1; 2 for bad usage.
 *
 * -s SAMPLE (the I/O rows' exit counts): for each line of CMD's output
 * that holds "hvbench-sample TAG", runs the shell command SAMPLE (sh -c,
 * with HVB_PID set to CMD's pid) at once, CMD's output waiting meanwhile,
 * and writes "hvbench-exits TAG VALUE" to LOG, VALUE the first line of
 * SAMPLE's output ("none" if it printed nothing), at most 1023 bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK		4096
#define MAX_MARKER	256
#define MAX_LINE	256
#define SAMPLE_KEY	"hvbench-sample "

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: boottime -m MARKER -o LOG [-t TIMEOUT_S] [-s SAMPLE] -- CMD [ARGS...]\n");
	exit(2);
}

static int write_all(int fd, const char *p, size_t len);

/*
 * The line @line holds a sample request: run @sample, write its first
 * word to @logfd as "hvbench-exits TAG VALUE".
 */
static void run_sample(const char *line, const char *sample, pid_t pid,
		       int logfd)
{
	char tag[64], val[1024] = "none", out[sizeof(val) + 96], env[32];
	const char *t = strstr(line, SAMPLE_KEY) + strlen(SAMPLE_KEY);
	FILE *f;
	int n;

	if (sscanf(t, "%63s", tag) != 1)
		return;
	snprintf(env, sizeof(env), "%d", (int)pid);
	setenv("HVB_PID", env, 1);
	f = popen(sample, "r");
	if (f) {
		if (!fgets(val, sizeof(val), f) || val[0] == '\n')
			strcpy(val, "none");
		val[strcspn(val, "\n")] = '\0';
		while (fgetc(f) != EOF)
			;
		pclose(f);
	}
	/* on a line of its own, whatever CMD wrote after the request */
	n = snprintf(out, sizeof(out), "\nhvbench-exits %s %s\n", tag, val);
	if (write_all(logfd, out, n))
		perror("boottime: log");
}

/*
 * Feeds @len bytes of output to the line collector in @line (@llen used),
 * running @sample for each whole line with a sample request.
 */
static void scan_lines(char *line, size_t *llen, const char *p, size_t len,
		       const char *sample, pid_t pid, int logfd)
{
	for (; len; p++, len--) {
		if (*p != '\n') {
			if (*llen < MAX_LINE - 1)
				line[(*llen)++] = *p;
			continue;
		}
		line[*llen] = '\0';
		if (strstr(line, SAMPLE_KEY))
			run_sample(line, sample, pid, logfd);
		*llen = 0;
	}
}

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		len -= w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	/* the last MAX_MARKER - 1 bytes of the previous read, then a read */
	char buf[MAX_MARKER + CHUNK];
	uint64_t t0, deadline, kill_at = 0, found = 0;
	int opt, pfd[2], logfd, status, timed_out = 0;
	const char *marker = NULL, *log = NULL, *sample = NULL;
	size_t mlen, keep = 0, llen = 0;
	char line[MAX_LINE];
	long timeout_s = 600;
	struct pollfd p;
	pid_t pid;
	ssize_t r;

	while ((opt = getopt(argc, argv, "+m:o:t:s:")) != -1) {
		switch (opt) {
		case 's':
			sample = optarg;
			break;
		case 'm':
			marker = optarg;
			break;
		case 'o':
			log = optarg;
			break;
		case 't':
			timeout_s = atol(optarg);
			if (timeout_s < 1 || timeout_s > 86400)
				usage();
			break;
		default:
			usage();
		}
	}
	if (!marker || !log || optind >= argc)
		usage();
	mlen = strlen(marker);
	if (!mlen || mlen >= MAX_MARKER)
		usage();
	logfd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (logfd < 0 || pipe2(pfd, O_CLOEXEC)) {
		perror("boottime");
		return 1;
	}

	t0 = now_ns();
	deadline = t0 + timeout_s * 1000000000ULL;
	pid = fork();
	if (pid < 0) {
		perror("boottime: fork");
		return 1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDONLY);

		setpgid(0, 0);
		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 ||
		    dup2(pfd[1], 2) < 0)
			_exit(126);
		execvp(argv[optind], argv + optind);
		perror(argv[optind]);
		_exit(127);
	}
	setpgid(pid, pid);	/* either side may run first */
	close(pfd[1]);

	p.fd = pfd[0];
	p.events = POLLIN;
	for (;;) {
		uint64_t now = now_ns(), until = kill_at ? kill_at : deadline;
		int ms = now >= until ? 0 : (int)((until - now) / 1000000) + 1;

		if (!ms) {
			if (kill_at) {
				kill(-pid, SIGKILL);
				break;
			}
			timed_out = 1;
			kill(-pid, SIGTERM);
			kill_at = now + 5000000000ULL;
			continue;
		}
		r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("boottime: poll");
			kill(-pid, SIGKILL);
			break;
		}
		if (!r)
			continue;
		r = read(pfd[0], buf + keep, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (!found && memmem(buf, keep + r, marker, mlen))
			found = now_ns();
		if (write_all(logfd, buf + keep, r)) {
			perror("boottime: log");
			kill(-pid, SIGKILL);
			break;
		}
		if (sample)
			scan_lines(line, &llen, buf + keep, r, sample, pid,
				   logfd);
		/* keep the tail, in which a marker may begin */
		if (keep + r >= mlen - 1) {
			memmove(buf, buf + keep + r - (mlen - 1), mlen - 1);
			keep = mlen - 1;
		} else {
			keep += r;
		}
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("boottime: waitpid");
			return 1;
		}
	}
	status = WIFEXITED(status) ? WEXITSTATUS(status) :
		 128 + WTERMSIG(status);

	if (found)
		printf("boottime marker %.3f\n", (found - t0) / 1e9);
	else
		printf("boottime marker none\n");
	printf("boottime status %d\n", status);
	if (timed_out)
		printf("boottime timeout %ld\n", timeout_s);
	return found && !status ? 0 : 1;
}
