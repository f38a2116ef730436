// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO emulation for hvpart's own devices (the xAPIC page): fetch the
 * faulting instruction, decode the few forms a driver uses for a 32-bit
 * register (MOV r/m32,r32; MOV r32,r/m32; MOV r/m32,imm32; and MOV
 * between EAX and an absolute offset, which compilers emit for a
 * constant address in 32-bit code), do the access and retire the
 * instruction.  Neither vendor reports the instruction's length on a
 * nested page fault, so the decoder measures it.  Anything else goes to
 * the root as the memory intercept it would be without the device, with
 * the instruction bytes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/mm.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include <asm/trapnr.h>

#include "hv_core/hv.h"

#define HV_MAX_INSN	15

struct hv_mmio_insn {
	u8 len;
	u8 size;		/* operand size: 2, 4 or 8 */
	bool write;
	int reg;		/* GPR, or -1 for an immediate */
	u32 imm;
};

/* 16, 32 or 64: the default operand and address size of CS. */
static int hv_emulate_mode(struct hv_vp *vp)
{
	union hvpart_register_value cs;

	if (!(hv_vp_read_reg64(vp, HVPART_REG_CR0) & X86_CR0_PE))
		return 16;
	if (hv_vp_get_reg(vp, HVPART_REG_CS, &cs))
		return 32;
	if ((hv_vp_read_reg64(vp, HVPART_REG_EFER) & EFER_LMA) &&
	    (cs.segment.attributes & BIT(13)))
		return 64;
	return cs.segment.attributes & BIT(14) ? 32 : 16;
}

/* Bytes of ModRM's memory operand after the ModRM byte: SIB and disp. */
static int hv_modrm_extra(const u8 *p, int n, u8 modrm, int asz)
{
	u8 mod = modrm >> 6, rm = modrm & 7;

	if (asz == 16) {
		if (mod == 1)
			return 1;
		if (mod == 2 || (mod == 0 && rm == 6))
			return 2;
		return 0;
	}
	if (rm == 4) {		/* SIB */
		if (n < 1)
			return -1;
		if (mod == 0 && (p[0] & 7) == 5)
			return 1 + 4;
		return 1 + (mod == 1 ? 1 : mod == 2 ? 4 : 0);
	}
	if (mod == 0 && rm == 5)	/* disp32 (RIP-relative in long mode) */
		return 4;
	return mod == 1 ? 1 : mod == 2 ? 4 : 0;
}

static int hv_decode_mov(const u8 *p, int n, int mode, struct hv_mmio_insn *d)
{
	bool opsz = false, adsz = false;
	int i = 0, extra, asz;
	u8 rex = 0, op, modrm;

	for (; i < n; i++) {
		switch (p[i]) {
		case 0x66:
			opsz = true;
			continue;
		case 0x67:
			adsz = true;
			continue;
		case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64:
		case 0x65: case 0xf0:
			continue;
		}
		break;
	}
	if (mode == 64 && i < n && (p[i] & 0xf0) == 0x40)
		rex = p[i++];
	if (mode == 64)
		asz = adsz ? 32 : 64;
	else
		asz = (mode == 16) != adsz ? 16 : 32;
	if (rex & 8)
		d->size = 8;
	else
		d->size = (mode == 16) != opsz ? 2 : 4;
	if (i >= n)
		return -EINVAL;
	op = p[i++];
	/* MOV EAX, moffs and MOV moffs, EAX: an address-sized offset */
	if (op == 0xa1 || op == 0xa3) {
		i += asz / 8;
		if (i > n)
			return -EINVAL;
		d->reg = HV_RAX;
		d->imm = 0;
		d->len = i;
		d->write = op == 0xa3;
		return 0;
	}
	if (i >= n)
		return -EINVAL;
	modrm = p[i++];
	if (op != 0x89 && op != 0x8b && op != 0xc7)
		return -EINVAL;
	if ((modrm >> 6) == 3 || (op == 0xc7 && (modrm & 0x38)))
		return -EINVAL;

	extra = hv_modrm_extra(p + i, n - i, modrm, asz);
	if (extra < 0)
		return -EINVAL;
	i += extra;

	d->reg = -1;
	d->imm = 0;
	if (op == 0xc7) {
		int isz = d->size == 2 ? 2 : 4;

		if (i + isz > n)
			return -EINVAL;
		d->imm = p[i] | p[i + 1] << 8;
		if (isz == 4)
			d->imm |= (u32)p[i + 2] << 16 | (u32)p[i + 3] << 24;
		i += isz;
	} else {
		d->reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
	}
	if (i > n)
		return -EINVAL;
	d->len = i;
	d->write = op != 0x8b;
	return 0;
}

/*
 * Up to HV_MAX_INSN bytes of the instruction at CS:RIP into @buf; the
 * vendor may have them already (SVM's decode assists).
 */
static int hv_fetch_insn(struct hv_vp *vp, u8 *buf)
{
	union hvpart_register_value cs;
	u64 gva, gpa;
	int n = 0;
	u32 res;

	if (vp->exit.insn_count) {
		n = min_t(int, vp->exit.insn_count, HV_MAX_INSN);
		memcpy(buf, vp->exit.insn, n);
		return n;
	}
	if (hv_vp_get_reg(vp, HVPART_REG_CS, &cs))
		return -EFAULT;
	gva = cs.segment.base + vp->rip;
	while (n < HV_MAX_INSN) {
		int chunk = min_t(int, HV_MAX_INSN - n,
				  PAGE_SIZE - offset_in_page(gva + n));

		if (hv_mmu_translate_gva(vp, gva + n, 0, &res, &gpa) ||
		    res != HVPART_TRANSLATE_GVA_SUCCESS ||
		    hv_mmu_read_gpa(&vp->pt->mmu, gpa, buf + n, chunk))
			break;
		n += chunk;
	}
	return n ? n : -EFAULT;
}

int hv_emulate_mmio(struct hv_vp *vp, u64 gpa)
{
	struct hv_exit *e = &vp->exit;
	struct hv_mmio_insn d;
	u8 insn[HV_MAX_INSN];
	int n, ret;
	u32 val;

	n = hv_fetch_insn(vp, insn);
	if (n > 0) {
		/* the root gets the bytes too if it must do the access */
		e->insn_count = min_t(int, n, sizeof(e->insn));
		memcpy(e->insn, insn, e->insn_count);
	}
	if (n <= 0 || hv_decode_mov(insn, n, hv_emulate_mode(vp), &d))
		return hv_exit_memory_message(vp);

	/* the APIC's registers are 32 bits: other sizes read 0, drop writes */
	if (d.write) {
		val = d.reg < 0 ? d.imm : (u32)vp->regs[d.reg];
		ret = d.size == 4 ? hv_lapic_mmio(vp, gpa, true, &val) : 0;
	} else {
		val = 0;
		ret = d.size == 4 ? hv_lapic_mmio(vp, gpa, false, &val) : 0;
		if (d.size == 2)
			vp->regs[d.reg] = (vp->regs[d.reg] & ~0xffffULL) | val;
		else
			vp->regs[d.reg] = val;
	}
	if (ret < 0)
		return ret;
	hv_vp_advance_rip(vp, d.len);
	return ret == HV_LAPIC_TO_ROOT ? 0 : 1;
}

/*
 * MOV to CR8 (REX.R 0F 22 /r, or AMD's LOCK 0F 22 /r), intercepted while
 * TPR holds an interrupt back: the new TPR goes through the local APIC.
 */
int hv_emulate_cr8_write(struct hv_vp *vp)
{
	u8 insn[HV_MAX_INSN], rex = 0;
	bool lock = false;
	int n, i = 0, reg;
	u64 val;

	n = hv_fetch_insn(vp, insn);
	for (; i < n && (insn[i] == 0xf0 || insn[i] == 0x66); i++)
		lock |= insn[i] == 0xf0;
	if (i < n && (insn[i] & 0xf0) == 0x40)
		rex = insn[i++];
	if (i + 3 > n || insn[i] != 0x0f || insn[i + 1] != 0x22 ||
	    (insn[i + 2] >> 6) != 3 ||
	    (((insn[i + 2] >> 3) & 7) | (rex & 4 ? 8 : 0) | (lock ? 8 : 0)) != 8)
		return hv_exit_unhandled(vp);
	reg = (insn[i + 2] & 7) | (rex & 1 ? 8 : 0);
	val = vp->regs[reg];
	if (val > 15) {
		hv_event_queue_exception(vp, X86_TRAP_GP, true, 0);
		return 1;
	}
	hv_lapic_write_tpr(vp, val << 4);
	hv_vp_advance_rip(vp, i + 3);
	return 1;
}
