// SPDX-License-Identifier: GPL-2.0
/*
 * hv_vmx: the Intel VMX backend.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include "hv_core/hv.h"

int hv_vmx_probe(const struct hv_vendor_ops **ops)
{
	return -ENODEV;
}
