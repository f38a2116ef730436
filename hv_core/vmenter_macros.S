/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The speculation mitigations at guest entry and exit, as assembler
 * macros shared by hv_svm/vmenter.S and hv_vmx/vmenter.S, so that both
 * backends do the same thing at the same point (see hv_core/spec.c).
 * Each is an alternative keyed on the host kernel's mitigation state:
 * on a CPU that needs none of them they patch to nothing.
 */
#ifndef HV_CORE_VMENTER_MACROS_S
#define HV_CORE_VMENTER_MACROS_S

#ifdef __ASSEMBLY__
#include <asm/cpufeatures.h>
#include <asm/nospec-branch.h>

/*
 * Last thing before VMRUN/VMLAUNCH/VMRESUME, after every guest register
 * is loaded: clear CPU buffers (VERW).  Clobbers EFLAGS.ZF only.
 */
.macro HV_VMENTRY_MITIGATIONS
	VM_CLEAR_CPU_BUFFERS
.endm

/*
 * Right after the guest's registers are saved and cleared, before the
 * first RET or indirect branch of the host: fill the RSB, untrain
 * returns, clear branch history.  Needs a stack; clobbers RAX, RCX, RDX.
 */
.macro HV_VMEXIT_MITIGATIONS
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, X86_FEATURE_RSB_VMEXIT_LITE
#ifdef UNTRAIN_RET_VM
	UNTRAIN_RET_VM
#else
	UNTRAIN_RET
#endif
	CLEAR_BRANCH_HISTORY_VMEXIT
.endm

#endif /* __ASSEMBLY__ */
#endif /* HV_CORE_VMENTER_MACROS_S */
