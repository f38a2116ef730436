// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: the MMIO instruction decoder (insn.h).  The encodings follow the
 * Intel SDM, volume 2, chapter 2 (instruction format, ModRM and SIB
 * tables) and the MOV and MOVZX pages.  Anything else, a register
 * operand (ModRM.mod 3) or LOCK is refused with -EINVAL, so that the
 * worker stops the guest instead of guessing; -EAGAIN means @n bytes end
 * inside the instruction.
 */
#include <errno.h>
#include <string.h>

#include "insn.h"

/**
 * struct insn_cursor - the bytes being decoded
 * @b: the bytes
 * @n: how many there are
 * @i: the next one to take
 */
struct insn_cursor {
	const uint8_t *b;
	unsigned int n;
	unsigned int i;
};

static int take(struct insn_cursor *c, unsigned int len, uint64_t *val)
{
	unsigned int k;

	if (c->i + len > X86_MAX_INSN)
		return -EINVAL;
	if (c->i + len > c->n)
		return -EAGAIN;
	*val = 0;
	for (k = 0; k < len; k++)
		*val |= (uint64_t)c->b[c->i + k] << (8 * k);
	c->i += len;
	return 0;
}

/* Skips the memory operand of ModRM @modrm: SIB and displacement. */
static int skip_modrm(struct insn_cursor *c, uint8_t modrm,
		      unsigned int asize)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, disp = 0;
	uint64_t sib;
	int ret;

	if (mod == 3)
		return -EINVAL;		/* a register: no memory access */
	if (asize == 2) {
		if (mod == 1)
			disp = 1;
		else if (mod == 2 || rm == 6)
			disp = 2;
		return take(c, disp, &sib);
	}
	if (rm == 4) {
		ret = take(c, 1, &sib);
		if (ret)
			return ret;
		if (mod == 0 && (sib & 7) == 5)
			disp = 4;
	}
	if (mod == 1)
		disp = 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		disp = 4;		/* in 64-bit mode, RIP-relative */
	return take(c, disp, &sib);
}

/**
 * struct insn_prefixes - what the prefixes said
 * @opsize: 0x66
 * @adsize: 0x67
 * @rex: the REX byte (64-bit mode, right before the opcode), or 0
 */
struct insn_prefixes {
	bool opsize;
	bool adsize;
	uint8_t rex;
};

static int decode_prefixes(struct insn_cursor *c, enum insn_mode mode,
			   struct insn_prefixes *p)
{
	uint8_t b;

	memset(p, 0, sizeof(*p));
	for (;;) {
		if (c->i == X86_MAX_INSN)
			return -EINVAL;
		if (c->i == c->n)
			return -EAGAIN;
		b = c->b[c->i];
		switch (b) {
		case 0x66:
			p->opsize = true;
			break;
		case 0x67:
			p->adsize = true;
			break;
		case 0x26: case 0x2e: case 0x36: case 0x3e:
		case 0x64: case 0x65:	/* segments: the GPA is known */
		case 0xf2: case 0xf3:	/* REP: no meaning for MOV */
			break;
		default:
			if (mode == INSN_MODE_64 && (b & 0xf0) == 0x40) {
				p->rex = b;
				c->i++;
				continue;
			}
			return 0;	/* LOCK (0xf0) fails as an opcode */
		}
		p->rex = 0;	/* a REX before a legacy prefix is ignored */
		c->i++;
	}
}

static unsigned int operand_size(enum insn_mode mode,
				 const struct insn_prefixes *p)
{
	if (mode == INSN_MODE_64 && (p->rex & 0x08))
		return 8;
	if (mode == INSN_MODE_16)
		return p->opsize ? 4 : 2;
	return p->opsize ? 2 : 4;
}

static unsigned int address_size(enum insn_mode mode,
				 const struct insn_prefixes *p)
{
	switch (mode) {
	case INSN_MODE_16:
		return p->adsize ? 4 : 2;
	case INSN_MODE_32:
		return p->adsize ? 2 : 4;
	default:
		return p->adsize ? 4 : 8;
	}
}

/* Sign-extends the @len-byte @v to @size bytes. */
static uint64_t sign_extend(uint64_t v, unsigned int len, unsigned int size)
{
	uint64_t sign = 1ull << (len * 8 - 1);

	v = (v ^ sign) - sign;
	return size == 8 ? v : v & ((1ull << (size * 8)) - 1);
}

/* MOV AL/eAX <-> moffs (A0-A3): an address of the address size. */
static int decode_moffs(struct insn_cursor *c, enum insn_mode mode,
			const struct insn_prefixes *p, uint64_t op,
			struct mmio_insn *insn)
{
	uint64_t moffs;
	int ret;

	ret = take(c, address_size(mode, p), &moffs);
	if (ret)
		return ret;
	insn->size = op & 1 ? operand_size(mode, p) : 1;
	insn->reg_size = insn->size;
	insn->reg = 0;
	insn->write = op >= 0xa2;
	insn->len = c->i;
	return 0;
}

int insn_decode_mmio(const uint8_t *b, unsigned int n, enum insn_mode mode,
		     struct mmio_insn *insn)
{
	struct insn_cursor c = { .b = b, .n = n, .i = 0 };
	struct insn_prefixes p;
	unsigned int opsize, imm_len = 0;
	uint64_t op, modrm, imm;
	int ret;

	memset(insn, 0, sizeof(*insn));
	ret = decode_prefixes(&c, mode, &p);
	if (!ret)
		ret = take(&c, 1, &op);
	if (!ret && op == 0x0f) {
		ret = take(&c, 1, &op);
		op |= 0x0f00;
	}
	if (ret)
		return ret;
	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: case 0xc6: case 0xc7:
	case 0x0fb6: case 0x0fb7:
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		return decode_moffs(&c, mode, &p, op, insn);
	default:
		return -EINVAL;
	}
	ret = take(&c, 1, &modrm);
	if (ret)
		return ret;
	opsize = operand_size(mode, &p);

	insn->reg = ((modrm >> 3) & 7) | ((p.rex & 0x04) ? 8 : 0);
	switch (op) {
	case 0x88:	/* MOV r/m8, r8 */
	case 0x8a:	/* MOV r8, r/m8 */
		insn->size = 1;
		/* Without REX, 4-7 are AH, CH, DH, BH. */
		if (!p.rex && insn->reg >= 4) {
			insn->reg -= 4;
			insn->high_byte = true;
		}
		break;
	case 0x89:	/* MOV r/m, r */
	case 0x8b:	/* MOV r, r/m */
		insn->size = opsize;
		break;
	case 0xc6:	/* MOV r/m8, imm8 */
		insn->size = 1;
		imm_len = 1;
		break;
	case 0xc7:	/* MOV r/m, imm16/32 (sign-extended for 64) */
		insn->size = opsize;
		imm_len = opsize == 2 ? 2 : 4;
		break;
	case 0x0fb6:	/* MOVZX r, r/m8 */
	case 0x0fb7:	/* MOVZX r, r/m16 */
		insn->size = op == 0x0fb6 ? 1 : 2;
		insn->reg_size = opsize;
		break;
	}
	if (imm_len && (modrm & 0x38))
		return -EINVAL;		/* C6 and C7 are MOV only for /0 */
	ret = skip_modrm(&c, modrm, address_size(mode, &p));
	if (!ret && imm_len)
		ret = take(&c, imm_len, &imm);
	if (ret)
		return ret;

	insn->write = op == 0x88 || op == 0x89 || imm_len;
	if (imm_len) {
		insn->has_imm = true;
		insn->imm = sign_extend(imm, imm_len, insn->size);
		insn->reg = 0;
	}
	if (!insn->reg_size)
		insn->reg_size = insn->size;
	insn->len = c.i;
	return 0;
}

/*
 * A register after a load of @size bytes into it: 4 bytes zero-extend
 * (as in 64-bit mode; elsewhere the upper half is not visible), 1 and 2
 * bytes keep the rest, @high_byte writes bits 8-15.
 */
uint64_t insn_reg_write(uint64_t old, uint64_t val, unsigned int size,
			bool high_byte)
{
	if (high_byte)
		return (old & ~0xff00ull) | ((val & 0xff) << 8);
	switch (size) {
	case 1:
		return (old & ~0xffull) | (val & 0xff);
	case 2:
		return (old & ~0xffffull) | (val & 0xffff);
	case 4:
		return (uint32_t)val;
	default:
		return val;
	}
}

/* The @size low bytes of a register, or bits 8-15 with @high_byte. */
uint64_t insn_reg_read(uint64_t reg, unsigned int size, bool high_byte)
{
	if (high_byte)
		return (reg >> 8) & 0xff;
	return size == 8 ? reg : reg & ((1ull << (size * 8)) - 1);
}
