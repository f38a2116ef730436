// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the management plane's files: partition names, paths,
 * the configuration file (written, then read back as argv), the status
 * file, atomic writes, and the lock and what a dead worker leaves.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config.h"
#include "../runopts.h"
#include "../state.h"
#include "test.h"

static char dir[64];

static void test_names(void)
{
	CHECK(!state_check_name("a"));
	CHECK(!state_check_name("web-1.test_2"));
	CHECK(!state_check_name("01234567890123456789012345678901"));
	CHECK(state_check_name("012345678901234567890123456789012"));
	CHECK(state_check_name(""));
	CHECK(state_check_name("-a"));
	CHECK(state_check_name(".hidden"));
	CHECK(state_check_name("a/b"));
	CHECK(state_check_name("a b"));
	CHECK(state_check_name("a\nb"));
}

static void test_paths(void)
{
	struct part_paths p;
	char want[512];

	CHECK(!state_paths("vm1", &p, true));
	snprintf(want, sizeof(want), "%s/conf/vm1.conf", dir);
	CHECK(!strcmp(p.conf, want));
	snprintf(want, sizeof(want), "%s/run/vm1.sock", dir);
	CHECK(!strcmp(p.sock, want));
	snprintf(want, sizeof(want), "%s/run/vm1.lock", dir);
	CHECK(!strcmp(p.lock, want));
	CHECK(access(p.conf, F_OK) == -1);	/* not created */
	snprintf(want, sizeof(want), "%s/run", dir);
	CHECK(!access(want, W_OK));		/* the directory is */
}

static void test_config_roundtrip(void)
{
	char *args[3];
	struct run_opts o = {
		.nr_args = 3,
		.args = args,
		.nr_kv = 3,
		.kv = {
			{ "memory", "128M" },
			{ "hv-off", "crash,idle" },
			{ "verbose", NULL },
		},
	};
	struct part_paths p;
	struct part_config c;
	char *text;

	args[0] = "console=ttyS0";
	args[1] = "two words";
	args[2] = "";
	CHECK(!state_paths("cfg", &p, true));
	text = config_format("cfg", &o, "/abs/image.elf");
	CHECK(text);
	if (!text)
		return;
	CHECK(strstr(text, "\nmemory 128M\nhv-off crash,idle\nverbose\n"));
	CHECK(strstr(text, "\nimage /abs/image.elf\narg console=ttyS0\n"));
	CHECK(strstr(text, "\narg two words\narg"));
	CHECK(!state_write_file(p.conf, text, false));
	CHECK(state_write_file(p.conf, text, false) == -EEXIST);
	free(text);

	CHECK(!config_load(p.conf, &c));
	CHECK_EQ(c.argc, 10);
	if (c.argc == 10) {
		CHECK(!strcmp(c.argv[0], "start"));
		CHECK(!strcmp(c.argv[1], "--memory"));
		CHECK(!strcmp(c.argv[2], "128M"));
		CHECK(!strcmp(c.argv[3], "--hv-off"));
		CHECK(!strcmp(c.argv[4], "crash,idle"));
		CHECK(!strcmp(c.argv[5], "--verbose"));
		CHECK(!strcmp(c.argv[6], "/abs/image.elf"));
		CHECK(!strcmp(c.argv[7], "console=ttyS0"));
		CHECK(!strcmp(c.argv[8], "two words"));
		CHECK(!strcmp(c.argv[9], ""));
		CHECK(!c.argv[10]);
	}
	config_free(&c);
}

static void test_config_errors(void)
{
	struct part_paths p;
	struct part_config c;

	CHECK(!state_paths("bad", &p, true));
	CHECK(!state_write_file(p.conf, "memory 1M\n", false));
	CHECK(config_load(p.conf, &c) == -EINVAL);	/* no image */
	config_free(&c);
	CHECK(!state_write_file(p.conf, "Memory 1M\nimage /x\n", true));
	CHECK(config_load(p.conf, &c) == -EINVAL);	/* bad key */
	config_free(&c);
	CHECK(!state_write_file(p.conf, "image /x\nimage /y\n", true));
	CHECK(config_load(p.conf, &c) == -EINVAL);	/* two images */
	config_free(&c);
	CHECK(!state_write_file(p.conf, "# c\n\nimage /x\n", true));
	CHECK(!config_load(p.conf, &c));
	CHECK_EQ(c.argc, 2);
	config_free(&c);
}

static void test_status_roundtrip(void)
{
	struct part_status st = {
		.state = "stopped",
		.pid = 1234,
		.started = 1700000000,
		.stopped = 1700000100,
		.exit_status = 14,
		.reason = "the guest reported a crash",
	}, got;
	struct part_paths p;

	CHECK(!state_paths("st", &p, true));
	CHECK(status_read(p.status, &got) == -ENOENT);
	CHECK(!status_write(p.status, &st));
	CHECK(!status_read(p.status, &got));
	CHECK(!strcmp(got.state, "stopped"));
	CHECK_EQ(got.pid, 1234);
	CHECK_EQ(got.started, 1700000000);
	CHECK_EQ(got.stopped, 1700000100);
	CHECK_EQ(got.exit_status, 14);
	CHECK(!strcmp(got.reason, "the guest reported a crash"));
}

/* A status that says running under a free lock: a worker that died. */
static void test_reap(void)
{
	struct part_status st = { .state = "running", .pid = 4321 }, got;
	struct part_paths p;
	int fd;

	CHECK(!state_paths("dead", &p, true));
	CHECK(!status_write(p.status, &st));
	CHECK(!state_write_file(p.sock, "", false));	/* a stale socket */
	CHECK(!state_query(&p, &got));
	CHECK(!strcmp(got.state, "crashed"));
	CHECK(strstr(got.reason, "worker 4321 died"));
	CHECK(access(p.sock, F_OK) == -1);
	CHECK(!status_read(p.status, &got));
	CHECK(!strcmp(got.state, "crashed"));

	/* A held lock means a running worker: nothing is touched. */
	fd = state_lock(&p);
	CHECK(fd >= 0);
	CHECK(state_lock(&p) == -EWOULDBLOCK);
	st.pid = 99;
	CHECK(!status_write(p.status, &st));
	CHECK(!state_query(&p, &got));
	CHECK(!strcmp(got.state, "running"));
	CHECK_EQ(got.pid, 99);
	close(fd);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/hvctl-test-state.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(cmd, sizeof(cmd), "%s/conf", dir);
	setenv("HVPART_STATE_DIR", cmd, 1);
	snprintf(cmd, sizeof(cmd), "%s/run", dir);
	setenv("HVPART_RUN_DIR", cmd, 1);

	TEST(test_names);
	TEST(test_paths);
	TEST(test_config_roundtrip);
	TEST(test_config_errors);
	TEST(test_status_roundtrip);
	TEST(test_reap);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		return 1;
	return test_done();
}
