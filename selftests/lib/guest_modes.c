// SPDX-License-Identifier: GPL-2.0
/*
 * Host-prepared guest modes: the GDT, TSS and identity page tables that
 * vm_create() writes into guest memory, and the register state that puts a
 * VP into real mode, flat 32-bit protected mode or 64-bit long mode.
 */
#include "hvpart_util.h"

static uint64_t *gpa_u64(struct hv_vm *vm, uint64_t gpa)
{
	return vm_gpa_to_hva(vm, gpa);
}

/* A code or data descriptor from HV_X64_SEGMENT_REGISTER attributes. */
static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint16_t attr)
{
	return (limit & 0xffffULL) |
	       ((uint64_t)(base & 0xffffff) << 16) |
	       ((uint64_t)(attr & 0xff) << 40) |
	       ((uint64_t)((limit >> 16) & 0xf) << 48) |
	       ((uint64_t)((attr >> 12) & 0xf) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

void vm_setup_tables(struct hv_vm *vm)
{
	uint64_t *gdt = gpa_u64(vm, GDT_GPA);
	uint64_t *pml4 = gpa_u64(vm, PML4_GPA);
	uint64_t *pdpt = gpa_u64(vm, PDPT_GPA);
	uint64_t *pd = gpa_u64(vm, PD_GPA);
	uint8_t *tss = vm_gpa_to_hva(vm, TSS_GPA);
	int i;

	memset(gdt, 0, PAGE_SIZE);
	gdt[SEL_CODE64 / 8] = gdt_entry(0, 0xfffff, SEG_ATTR_CODE64);
	gdt[SEL_DATA / 8] = gdt_entry(0, 0xfffff, SEG_ATTR_DATA32);
	gdt[SEL_CODE32 / 8] = gdt_entry(0, 0xfffff, SEG_ATTR_CODE32);
	/* 64-bit TSS descriptor: two slots; the upper holds base 63:32 (0). */
	gdt[SEL_TSS / 8] = gdt_entry(TSS_GPA, 0x67, SEG_ATTR_TSS_BUSY);
	gdt[SEL_TSS / 8 + 1] = 0;

	/* No I/O permission bitmap: its offset points past the limit. */
	memset(tss, 0, PAGE_SIZE);
	tss[0x66] = 0x68;

	/* An empty IDT: tests that want a handler add its gate. */
	memset(vm_gpa_to_hva(vm, IDT_GPA), 0, PAGE_SIZE);

	memset(pml4, 0, PAGE_SIZE);
	memset(pdpt, 0, PAGE_SIZE);
	/*
	 * Accessed and dirty set up front: no guest page walk writes these
	 * shared tables, which VPs on several CPUs walk at once.
	 */
	pml4[0] = PDPT_GPA | PTE_P | PTE_RW | PTE_A;
	pdpt[0] = PD_GPA | PTE_P | PTE_RW | PTE_A;
	for (i = 0; i < 512; i++)
		pd[i] = ((uint64_t)i << 21) | PTE_P | PTE_RW | PTE_PS |
			PTE_A | PTE_D;
	memset(vm_gpa_to_hva(vm, PT_POOL_GPA), 0, PT_POOL_END - PT_POOL_GPA);
	vm->pt_next = PT_POOL_GPA;
}

static uint64_t *pt_next_level(struct hv_vm *vm, uint64_t *entry)
{
	if (!(*entry & PTE_P)) {
		HV_ASSERT(vm->pt_next < PT_POOL_END, "page-table pool empty");
		*entry = vm->pt_next | PTE_P | PTE_RW;
		vm->pt_next += PAGE_SIZE;
	}
	HV_ASSERT(!(*entry & PTE_PS), "GVA already covered by a large page");
	return gpa_u64(vm, *entry & PTE_ADDR_MASK);
}

/*
 * Maps the 4 KiB page at @gva to @gpa in the long-mode page tables, with
 * @pte_flags (PTE_P is implied) on the last level; upper levels are RW.
 */
void vm_map_gva(struct hv_vm *vm, uint64_t gva, uint64_t gpa, uint64_t pte_flags)
{
	uint64_t *table = gpa_u64(vm, PML4_GPA);
	int shift;

	HV_ASSERT(gva >= IDENTITY_MAP_END, "GVA %#llx is in the identity map",
		  (unsigned long long)gva);
	for (shift = 39; shift > 12; shift -= 9)
		table = pt_next_level(vm, &table[(gva >> shift) & 511]);
	table[(gva >> 12) & 511] = (gpa & PTE_ADDR_MASK) | pte_flags | PTE_P;
}

/* A 64-bit interrupt gate for @vector in the IDT at IDT_GPA. */
void vm_set_idt_gate(struct hv_vm *vm, int vector, uint64_t handler_gpa)
{
	uint64_t *gate = gpa_u64(vm, IDT_GPA + vector * 16);

	gate[0] = (handler_gpa & 0xffff) | ((uint64_t)SEL_CODE64 << 16) |
		  (0x8eULL << 40) |		/* P, DPL 0, interrupt gate */
		  ((handler_gpa >> 16) & 0xffff) << 48;
	gate[1] = handler_gpa >> 32;
}

void vp_setup_mode(struct hv_vp *vp, enum guest_mode mode, uint64_t rip)
{
	uint64_t rsp = STACK_TOP - (uint64_t)vp->index * 0x10000;
	struct hvpart_register regs[20];
	int n = 0;

	switch (mode) {
	case GUEST_MODE_REAL:
		/* Reset state but for CS:IP and SS:SP. */
		regs[n++] = hv_seg_reg(HVPART_REG_CS, 0, 0xffff, 0,
				       SEG_ATTR_CODE16);
		regs[n++] = hv_reg(HVPART_REG_RSP, REAL_STACK_TOP);
		break;
	case GUEST_MODE_PROT32:
		regs[n++] = hv_table_reg(HVPART_REG_GDTR, GDT_GPA, GDT_LIMIT);
		regs[n++] = hv_table_reg(HVPART_REG_IDTR, IDT_GPA, 0x7ff);
		regs[n++] = hv_reg(HVPART_REG_CR0, X86_CR0_PE | X86_CR0_ET |
				   X86_CR0_NE);
		regs[n++] = hv_seg_reg(HVPART_REG_CS, 0, 0xffffffff,
				       SEL_CODE32, SEG_ATTR_CODE32);
		break;
	case GUEST_MODE_LONG64:
		regs[n++] = hv_table_reg(HVPART_REG_GDTR, GDT_GPA, GDT_LIMIT);
		regs[n++] = hv_table_reg(HVPART_REG_IDTR, IDT_GPA, 0xfff);
		regs[n++] = hv_reg(HVPART_REG_CR3, PML4_GPA);
		regs[n++] = hv_reg(HVPART_REG_CR4, X86_CR4_PAE);
		regs[n++] = hv_reg(HVPART_REG_EFER, EFER_LME | EFER_LMA);
		regs[n++] = hv_reg(HVPART_REG_CR0, X86_CR0_PE | X86_CR0_MP |
				   X86_CR0_ET | X86_CR0_NE | X86_CR0_WP |
				   X86_CR0_PG);
		regs[n++] = hv_seg_reg(HVPART_REG_CS, 0, 0xffffffff,
				       SEL_CODE64, SEG_ATTR_CODE64);
		regs[n++] = hv_seg_reg(HVPART_REG_TR, TSS_GPA, 0x67, SEL_TSS,
				       SEG_ATTR_TSS_BUSY);
		break;
	}
	if (mode != GUEST_MODE_REAL) {
		regs[n++] = hv_seg_reg(HVPART_REG_DS, 0, 0xffffffff, SEL_DATA,
				       SEG_ATTR_DATA32);
		regs[n++] = hv_seg_reg(HVPART_REG_ES, 0, 0xffffffff, SEL_DATA,
				       SEG_ATTR_DATA32);
		regs[n++] = hv_seg_reg(HVPART_REG_SS, 0, 0xffffffff, SEL_DATA,
				       SEG_ATTR_DATA32);
		regs[n++] = hv_seg_reg(HVPART_REG_FS, 0, 0xffffffff, SEL_DATA,
				       SEG_ATTR_DATA32);
		regs[n++] = hv_seg_reg(HVPART_REG_GS, 0, 0xffffffff, SEL_DATA,
				       SEG_ATTR_DATA32);
		regs[n++] = hv_reg(HVPART_REG_RSP, rsp);
	}
	regs[n++] = hv_reg(HVPART_REG_RFLAGS, X86_RFLAGS_FIXED);
	regs[n++] = hv_reg(HVPART_REG_RIP, rip);
	HV_ASSERT(n <= 20, "regs overflow");
	vp_set_regs(vp, regs, n);
}

/* Copies a snippet to LOAD_GPA and points @vp at it in @mode. */
void vp_load_guest(struct hv_vp *vp, enum guest_mode mode, const void *start,
		   const void *end)
{
	vm_load(vp->vm, LOAD_GPA, start, end);
	vp_setup_mode(vp, mode, LOAD_GPA);
}
