/* SPDX-License-Identifier: GPL-2.0 */
/* smp.elf: what smp_tramp.S and smp.c share. */
#ifndef SMP_H
#define SMP_H

#include <stdint.h>

/* The AP start-up code, copied below 1 MiB */
extern char tramp_start[], tramp_end[];
/* APs that reached 32-bit mode */
extern volatile uint32_t ap_count;

#endif /* SMP_H */
