/* SPDX-License-Identifier: GPL-2.0 */
/* hvinfo.elf: the calls between hvinfo_head.S and hvinfo.c. */
#ifndef HVINFO_H
#define HVINFO_H

#include <stdint.h>

struct mb_info;

/* Called by _start in long mode; powers off at its end. */
void hvinfo_main(uint32_t magic, const struct mb_info *mbi);

/* What hvinfo_gp_entry pushed, then what the CPU pushed for the #GP. */
struct gp_frame {
	uint64_t pad, r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax;
	uint64_t error_code, rip, cs, rflags, rsp, ss;
};

/* The #GP vector: saves the registers, calls hvinfo_gp(), IRETQ. */
void hvinfo_gp_entry(void);

/* May change the registers in @f, RIP included, for the IRETQ. */
void hvinfo_gp(struct gp_frame *f);

#endif /* HVINFO_H */
