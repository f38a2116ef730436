/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vendor interface, listed once.  Each vendor (hv_svm, hv_vmx) fills a
 * struct hv_vendor_ops with designated initializers; hv_core checks at
 * load time that no mandatory op is NULL and calls ops only through
 * hv_vendor_call().  Prototypes live in struct hv_vendor_ops (hv.h).
 */
#if !defined(HV_VENDOR_OP) || !defined(HV_VENDOR_OP_OPTIONAL)
#error "define HV_VENDOR_OP and HV_VENDOR_OP_OPTIONAL before including"
#endif

HV_VENDOR_OP(hardware_setup)
HV_VENDOR_OP(hardware_unsetup)
HV_VENDOR_OP(hardware_enable)
HV_VENDOR_OP(hardware_disable)
HV_VENDOR_OP(vp_create)
HV_VENDOR_OP(vp_free)
HV_VENDOR_OP(vp_run)
HV_VENDOR_OP(get_reg)
HV_VENDOR_OP(set_reg)
HV_VENDOR_OP(get_cpl)
HV_VENDOR_OP(clear_interrupt_shadow)
HV_VENDOR_OP(hypercall_insn)
HV_VENDOR_OP_OPTIONAL(vp_put)

#undef HV_VENDOR_OP
#undef HV_VENDOR_OP_OPTIONAL
