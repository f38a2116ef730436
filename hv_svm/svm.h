/* SPDX-License-Identifier: GPL-2.0 */
/* hv_svm private definitions; nothing outside hv_svm/ includes this. */
#ifndef HV_SVM_SVM_H
#define HV_SVM_SVM_H

#include <asm/svm.h>

#include "hv_core/hv.h"

struct svm_vp {
	struct hv_vp vp;		/* must stay first: hv_core allocates */
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u32 asid;
	int asid_cpu;
	u64 asid_gen;
	/* guest DR0-3: live in hardware once the guest has touched them */
	bool dr_live;
	struct svm_entry_snapshot *snap;	/* emulated_svm_erratum only */
	/* the software event svm_inject_event() injected, if any */
	u8 soft_len;
	u64 soft_rip;
	/* the external interrupt went in as a V_IRQ (svm_inject_virq()) */
	bool virq_injected;
	u64 db[4];
	u64 tsc_aux;
	/*
	 * NMI blocking, which SVM does not show without vNMI: set when an
	 * injected NMI reaches the guest, cleared once the IRET at
	 * @iret_rip has executed (RIP moved past it).  While an NMI waits
	 * for that, the guest single-steps the IRET (@ss_rflags: its own
	 * TF and RF before).
	 */
	bool nmi_injected;
	bool nmi_masked;
	bool iret_pending;
	bool nmi_singlestep;
	u64 iret_rip;
	u64 ss_rflags;
};

static_assert(offsetof(struct svm_vp, vp) == 0);

static inline struct svm_vp *to_svm_vp(struct hv_vp *vp)
{
	return container_of(vp, struct svm_vp, vp);
}

/* vmenter.S: load guest GPRs, VMLOAD, VMRUN, VMSAVE, save GPRs. */
void hv_svm_vmrun(u64 vmcb_pa, u64 *regs, u64 host_save_pa);

/* What svm_vp_run() needs to undo a lost VMRUN (see svm_lost_guest()). */
struct svm_entry_snapshot {
	struct vmcb_save_area save;
	u64 regs[HV_NR_GPRS];
	u32 event_inj;
	u32 event_inj_err;
};

/* svm.c */
void svm_dr_make_live(struct svm_vp *svm);
void svm_set_nmi_masked(struct svm_vp *svm, bool masked);

/* svm_regs.c */
int svm_get_reg(struct hv_vp *vp, u32 name, union hvpart_register_value *val);
int svm_set_reg(struct hv_vp *vp, u32 name,
		const union hvpart_register_value *val);

#endif /* HV_SVM_SVM_H */
