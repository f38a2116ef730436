/* SPDX-License-Identifier: GPL-2.0 */
/* hello.elf: the calls between hello_head.S and hello.c. */
#ifndef HELLO_H
#define HELLO_H

#include <stdint.h>

struct mb_info;

/* Called by _start with the boot loader's EAX and EBX. */
void hello_main(uint32_t magic, const struct mb_info *mbi);

/* In hello_head.S: long mode with @pml4 as CR3; never returns. */
void enter_long_mode(uint32_t pml4) __attribute__((noreturn));

#endif /* HELLO_H */
