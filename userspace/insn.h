/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvctl: a decoder for the instructions a guest uses on MMIO: MOV between
 * memory and a register (88, 89, 8A, 8B; A0-A3 with AL/eAX and an
 * absolute address), MOV of an immediate to memory
 * (C6 /0, C7 /0) and MOVZX from memory (0F B6, 0F B7), with prefixes,
 * REX, ModRM, SIB and displacements in 16-, 32- and 64-bit code.  It
 * needs no address: the intercept message names the GPA.
 */
#ifndef HVCTL_INSN_H
#define HVCTL_INSN_H

#include <stdbool.h>
#include <stdint.h>

#define X86_MAX_INSN		15

enum insn_mode {
	INSN_MODE_16,
	INSN_MODE_32,
	INSN_MODE_64,
};

/**
 * struct mmio_insn - a decoded MMIO instruction
 * @len: its length in bytes, prefixes included
 * @write: it stores to memory (else it loads)
 * @size: bytes of the memory access: 1, 2, 4 or 8
 * @has_imm: a store of @imm (else of register @reg)
 * @imm: the immediate, sign-extended to @size
 * @reg: the register operand, 0 (RAX) to 15 (R15)
 * @high_byte: the register is AH, CH, DH or BH: bits 8-15 of @reg
 * @reg_size: bytes of @reg a load writes: @size, or more for MOVZX
 */
struct mmio_insn {
	unsigned int len;
	bool write;
	unsigned int size;
	bool has_imm;
	uint64_t imm;
	unsigned int reg;
	bool high_byte;
	unsigned int reg_size;
};

int insn_decode_mmio(const uint8_t *b, unsigned int n, enum insn_mode mode,
		     struct mmio_insn *insn);
uint64_t insn_reg_write(uint64_t old, uint64_t val, unsigned int size,
			bool high_byte);
uint64_t insn_reg_read(uint64_t reg, unsigned int size, bool high_byte);

#endif /* HVCTL_INSN_H */
