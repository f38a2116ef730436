// SPDX-License-Identifier: GPL-2.0
/*
 * Vendor-neutral exit handling.  The vendor decodes a VM exit into
 * struct hv_exit; hv_handle_exit() either completes it here (CPUID,
 * emulated MSRs, empty I/O ports) or writes the TLFS intercept message
 * that ends HVPART_RUN_VP.
 *
 * Contract (as KVM's): return 1 to re-enter the guest, 0 after filling
 * the run page's message for the root, negative errno on failure.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/string.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

static u16 hv_exec_state(struct hv_vp *vp)
{
	u64 cr0 = hv_vp_read_reg64(vp, HVPART_REG_CR0);
	u64 efer = hv_vp_read_reg64(vp, HVPART_REG_EFER);
	u64 ints = hv_vp_read_reg64(vp, HVPART_REG_INTERRUPT_STATE);
	u16 state = hv_vp_cpl(vp) & HVPART_EXEC_STATE_CPL_MASK;

	if (cr0 & X86_CR0_PE)
		state |= HVPART_EXEC_STATE_CR0_PE;
	if (cr0 & X86_CR0_AM)
		state |= HVPART_EXEC_STATE_CR0_AM;
	if (efer & EFER_LMA)
		state |= HVPART_EXEC_STATE_EFER_LMA;
	if (ints & 1)
		state |= HVPART_EXEC_STATE_INTERRUPT_SHADOW;
	return state;
}

/* Start a message: header, and the intercept header every x64 one has. */
struct hvpart_message *hv_msg_begin(struct hv_vp *vp, u32 type,
				    size_t payload, u8 access)
{
	struct hvpart_message *msg = &vp->run->msg;
	struct hvpart_x64_intercept_header *h = &msg->u.intercept;
	union hvpart_register_value cs;

	memset(msg, 0, sizeof(*msg));
	msg->header.message_type = type;
	msg->header.payload_size = payload;

	h->vp_index = vp->index;
	h->instruction_length = vp->exit.insn_len & 0xf;
	h->intercept_access_type = access;
	h->execution_state = hv_exec_state(vp);
	if (!hv_vp_get_reg(vp, HVPART_REG_CS, &cs))
		h->cs_segment = cs.segment;
	h->rip = vp->rip;
	h->rflags = vp->rflags;
	return msg;
}

static struct hvpart_x64_segment hv_segment(struct hv_vp *vp, u32 name)
{
	union hvpart_register_value val;

	hv_vp_get_reg(vp, name, &val);
	return val.segment;
}

static int hv_exit_io(struct hv_vp *vp)
{
	struct hv_exit *e = &vp->exit;
	struct hvpart_x64_io_port_intercept *io;
	struct hvpart_message *msg;

	if (!e->io.string &&
	    !hv_partition_io_intercepted(vp->pt, e->io.port, e->io.size,
					 e->io.in)) {
		/* an empty bus: reads float high, writes go nowhere */
		if (e->io.in) {
			u64 ones = e->io.size == 4 ? 0xffffffffULL :
				   GENMASK_ULL(e->io.size * 8 - 1, 0);

			if (e->io.size == 4)
				vp->regs[HV_RAX] = ones;
			else
				vp->regs[HV_RAX] |= ones;
		}
		hv_vp_advance_rip(vp, e->insn_len);
		return 1;
	}

	msg = hv_msg_begin(vp, HVPART_MSG_X64_IO_PORT_INTERCEPT, sizeof(*io),
			   e->io.in ? HVPART_INTERCEPT_ACCESS_READ :
				      HVPART_INTERCEPT_ACCESS_WRITE);
	io = &msg->u.io_port;
	io->port_number = e->io.port;
	io->access_info = e->io.size;
	if (e->io.string)
		io->access_info |= HVPART_IO_ACCESS_STRING_OP;
	if (e->io.rep)
		io->access_info |= HVPART_IO_ACCESS_REP_PREFIX;
	io->instruction_byte_count = e->insn_count;
	memcpy(io->instruction_bytes, e->insn, sizeof(io->instruction_bytes));
	io->rax = vp->regs[HV_RAX];
	io->rcx = vp->regs[HV_RCX];
	io->rsi = vp->regs[HV_RSI];
	io->rdi = vp->regs[HV_RDI];
	io->ds_segment = hv_segment(vp, HVPART_REG_DS);
	io->es_segment = hv_segment(vp, HVPART_REG_ES);
	return 0;
}

static int hv_exit_cpuid(struct hv_vp *vp)
{
	u32 leaf = vp->regs[HV_RAX], subleaf = vp->regs[HV_RCX];
	struct hvpart_x64_cpuid_intercept *c;
	struct hvpart_message *msg;
	u32 eax, ebx, ecx, edx;

	hv_cpuid(vp, leaf, subleaf, &eax, &ebx, &ecx, &edx);
	if (hv_partition_range_intercepted(vp->pt,
					   HVPART_INTERCEPT_TYPE_X64_CPUID, leaf,
					   HVPART_INTERCEPT_ACCESS_MASK_EXECUTE)) {
		msg = hv_msg_begin(vp, HVPART_MSG_X64_CPUID_INTERCEPT,
				   sizeof(*c), HVPART_INTERCEPT_ACCESS_EXECUTE);
		c = &msg->u.cpuid;
		c->rax = vp->regs[HV_RAX];
		c->rcx = vp->regs[HV_RCX];
		c->rdx = vp->regs[HV_RDX];
		c->rbx = vp->regs[HV_RBX];
		c->default_result_rax = eax;
		c->default_result_rcx = ecx;
		c->default_result_rdx = edx;
		c->default_result_rbx = ebx;
		return 0;
	}
	vp->regs[HV_RAX] = eax;
	vp->regs[HV_RBX] = ebx;
	vp->regs[HV_RCX] = ecx;
	vp->regs[HV_RDX] = edx;
	hv_vp_advance_rip(vp, vp->exit.insn_len);
	return 1;
}

/* Synthetic MSRs: the hypervisor's own, never sent to the root. */
static int hv_exit_synthetic_msr(struct hv_vp *vp, u32 msr, bool write)
{
	u64 data = (vp->regs[HV_RDX] << 32) | (u32)vp->regs[HV_RAX];
	int ret;

	if (write) {
		ret = hv_hyperv_msr_write(vp, msr, data);
	} else {
		ret = hv_hyperv_msr_read(vp, msr, &data);
		if (ret >= 0) {
			vp->regs[HV_RAX] = (u32)data;
			vp->regs[HV_RDX] = data >> 32;
		}
	}
	if (ret < 0) {
		hv_event_queue_exception(vp, X86_TRAP_GP, true, 0);
		return 1;
	}
	hv_vp_advance_rip(vp, vp->exit.insn_len);
	/* a crash or reset message, or an idle VP, for the root */
	if (ret == HV_MSR_TO_ROOT &&
	    vp->run->msg.header.message_type != HVPART_MSG_X64_APIC_EOI)
		vp->run->msg.u.intercept.rip = vp->rip;
	return ret == HV_MSR_TO_ROOT ? 0 : 1;
}

static int hv_exit_msr(struct hv_vp *vp, bool write)
{
	u32 msr = vp->regs[HV_RCX];
	u32 access = write ? HVPART_INTERCEPT_ACCESS_MASK_WRITE :
			     HVPART_INTERCEPT_ACCESS_MASK_READ;
	struct hvpart_x64_msr_intercept *m;
	struct hvpart_message *msg;
	u64 data;
	int ret;

	hv_stats_msr(vp, msr, write);
	if (msr >= HV_X64_MSR_FIRST && msr <= HV_X64_MSR_LAST)
		return hv_exit_synthetic_msr(vp, msr, write);

	if (hv_partition_range_intercepted(vp->pt,
					   HVPART_INTERCEPT_TYPE_X64_MSR, msr,
					   access)) {
		msg = hv_msg_begin(vp, HVPART_MSG_X64_MSR_INTERCEPT,
				   sizeof(*m),
				   write ? HVPART_INTERCEPT_ACCESS_WRITE :
					   HVPART_INTERCEPT_ACCESS_READ);
		m = &msg->u.msr;
		m->msr_number = msr;
		m->rdx = vp->regs[HV_RDX];
		m->rax = vp->regs[HV_RAX];
		return 0;
	}

	if (write) {
		data = (vp->regs[HV_RDX] << 32) | (u32)vp->regs[HV_RAX];
		ret = hv_msr_write(vp, msr, data);
	} else {
		ret = hv_msr_read(vp, msr, &data);
		if (!ret) {
			vp->regs[HV_RAX] = (u32)data;
			vp->regs[HV_RDX] = data >> 32;
		}
	}
	if (ret < 0) {
		hv_event_queue_exception(vp, X86_TRAP_GP, true, 0);
		return 1;
	}
	hv_vp_advance_rip(vp, vp->exit.insn_len);
	/* an EOI the root must see (HVPART_MSG_X64_APIC_EOI) */
	return ret == HV_LAPIC_TO_ROOT ? 0 : 1;
}

/*
 * An access to vp->exit.npf's GPA the root must see: UNMAPPED_GPA where
 * no range maps it, GPA_INTERCEPT where the range's rights forbid it.
 */
int hv_exit_memory_message(struct hv_vp *vp)
{
	struct hv_exit *e = &vp->exit;
	struct hvpart_x64_memory_intercept *mem;
	struct hvpart_message *msg;
	u32 access;
	u32 type = HVPART_MSG_UNMAPPED_GPA;

	if (hv_mmu_gpa_access(&vp->pt->mmu, e->npf.gpa, &access))
		type = HVPART_MSG_GPA_INTERCEPT;

	msg = hv_msg_begin(vp, type, sizeof(*mem), e->npf.access);
	mem = &msg->u.memory;
	mem->cache_type = 6;	/* HV_CACHE_TYPE_WRITE_BACK */
	mem->guest_physical_address = e->npf.gpa;
	mem->instruction_byte_count = e->insn_count;
	memcpy(mem->instruction_bytes, e->insn, sizeof(mem->instruction_bytes));
	return 0;
}

static int hv_exit_npf(struct hv_vp *vp)
{
	if (hv_lapic_mmio_at(vp, vp->exit.npf.gpa))
		return hv_emulate_mmio(vp, vp->exit.npf.gpa);
	/* overlays (hypercall page, TSC page) are read-only: #GP */
	if (vp->exit.npf.access == HVPART_INTERCEPT_ACCESS_WRITE &&
	    hv_mmu_overlay_at(&vp->pt->mmu, vp->exit.npf.gpa >> PAGE_SHIFT)) {
		hv_event_queue_exception(vp, X86_TRAP_GP, true, 0);
		return 1;
	}
	return hv_exit_memory_message(vp);
}

int hv_exit_unhandled(struct hv_vp *vp)
{
	struct hvpart_unhandled_exit *u;
	struct hvpart_message *msg;

	msg = hv_msg_begin(vp, HVPART_MSG_HVPART_UNHANDLED_EXIT, sizeof(*u),
			   HVPART_INTERCEPT_ACCESS_READ);
	u = &msg->u.unhandled;
	u->vendor = hv_vendor.vendor;
	u->exit_code = vp->exit.code;
	u->exit_info1 = vp->exit.info1;
	u->exit_info2 = vp->exit.info2;
	vp_warn(vp, "unhandled exit %#llx (%#llx, %#llx)\n", vp->exit.code,
		vp->exit.info1, vp->exit.info2);
	return 0;
}

int hv_handle_exit(struct hv_vp *vp)
{
	struct hv_exit *e = &vp->exit;

	/* the guest may have ended an interrupt through the PV EOI flag */
	if (vp->pt->local_apic)
		hv_lapic_sync_pv_eoi(vp);

	switch (e->reason) {
	case HV_EXIT_NONE:
		return 1;
	case HV_EXIT_IO:
		return hv_exit_io(vp);
	case HV_EXIT_CPUID:
		return hv_exit_cpuid(vp);
	case HV_EXIT_MSR_READ:
		return hv_exit_msr(vp, false);
	case HV_EXIT_MSR_WRITE:
		return hv_exit_msr(vp, true);
	case HV_EXIT_NPF:
		return hv_exit_npf(vp);
	case HV_EXIT_HLT:
		/* the HLT retires; the root sees the VP halted after it */
		hv_vp_advance_rip(vp, e->insn_len);
		if (vp->pt->local_apic)
			return hv_lapic_halt(vp);
		hv_msg_begin(vp, HVPART_MSG_X64_HALT,
			     sizeof(struct hvpart_x64_intercept_header),
			     HVPART_INTERCEPT_ACCESS_EXECUTE);
		return 0;
	case HV_EXIT_SHUTDOWN:
		vp->shutdown = true;
		hv_msg_begin(vp, HVPART_MSG_UNRECOVERABLE_EXCEPTION,
			     sizeof(struct hvpart_x64_intercept_header),
			     HVPART_INTERCEPT_ACCESS_EXECUTE);
		return 0;
	case HV_EXIT_HYPERCALL:
		return hv_hypercall(vp);
	case HV_EXIT_INTR_WINDOW:
		vp->deliverability_notifications &= ~2ULL;
		hv_msg_begin(vp, HVPART_MSG_X64_INTERRUPTION_DELIVERABLE,
			     sizeof(struct hvpart_x64_interruption_deliverable),
			     HVPART_INTERCEPT_ACCESS_EXECUTE);
		return 0;
	case HV_EXIT_UD:
		hv_event_queue_exception(vp, X86_TRAP_UD, false, 0);
		return 1;
	case HV_EXIT_RDPMC:
		/* no PMU is offered: counter reads fault, as without a vPMU */
		hv_event_queue_exception(vp, X86_TRAP_GP, true, 0);
		return 1;
	case HV_EXIT_WBINVD:
		/* no device DMA to keep coherent: nothing to write back */
		hv_vp_advance_rip(vp, e->insn_len);
		return 1;
	case HV_EXIT_XSETBV:
		return hv_exit_xsetbv(vp);
	case HV_EXIT_CR8_WRITE:
		return hv_emulate_cr8_write(vp);
	case HV_EXIT_UNHANDLED:
		break;
	}
	return hv_exit_unhandled(vp);
}
