// SPDX-License-Identifier: GPL-2.0
/*
 * nlprobe: raw requests to hvpart's generic netlink family, for
 * tests/vm-netlink.sh: what hvctl never sends.
 *   nlprobe get ID      GET_PARTITION for partition ID: prints "ok ID" or
 *                       the error
 *   nlprobe dump        prints the id of each partition the dump shows
 *   nlprobe bogus ID    GET_PARTITION with an attribute the policy does
 *                       not allow: prints the error
 * Exits 0 if the request got an answer (even an error), 1 otherwise.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <linux/hvpart_genl.h>

static bool answered;

static int print_id(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[HVPART_A_MAX + 1];

	(void)arg;
	answered = true;
	if (!genlmsg_parse(nlmsg_hdr(msg), 0, tb, HVPART_A_MAX, NULL) &&
	    tb[HVPART_A_PARTITION_ID])
		printf("ok %llu\n", (unsigned long long)
		       nla_get_u64(tb[HVPART_A_PARTITION_ID]));
	return NL_OK;
}

static int print_err(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	(void)nla;
	(void)arg;
	answered = true;
	printf("error %s\n", strerror(-e->error));
	return NL_STOP;
}

int main(int argc, char **argv)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct nl_msg *msg = nlmsg_alloc();
	bool dump = argc == 2 && !strcmp(argv[1], "dump");
	int family, ret;

	if (!sk || !msg || genl_connect(sk) ||
	    (!dump && (argc != 3 || (strcmp(argv[1], "get") &&
				     strcmp(argv[1], "bogus"))))) {
		fprintf(stderr, "usage: nlprobe get|bogus ID | dump\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, HVPART_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "no family %s\n", HVPART_GENL_NAME);
		return 1;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, print_id, NULL);
	nl_socket_modify_err_cb(sk, NL_CB_CUSTOM, print_err, NULL);
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
		    dump ? NLM_F_DUMP : 0, HVPART_CMD_GET_PARTITION,
		    HVPART_GENL_VERSION);
	if (!dump)
		nla_put_u64(msg, HVPART_A_PARTITION_ID,
			    strtoull(argv[2], NULL, 0));
	if (argc == 3 && !strcmp(argv[1], "bogus"))
		nla_put_u32(msg, HVPART_A_NR_VPS, 1);
	ret = nl_send_auto(sk, msg);
	if (ret >= 0)
		nl_recvmsgs_default(sk);
	nlmsg_free(msg);
	nl_socket_free(sk);
	return answered || dump ? 0 : 1;
}
