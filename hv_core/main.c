// SPDX-License-Identifier: GPL-2.0
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

static int __init hvpart_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit hvpart_exit(void)
{
	pr_info("unloaded\n");
}

module_init(hvpart_init);
module_exit(hvpart_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvpart: a Hyper-V TLFS hypervisor core");
