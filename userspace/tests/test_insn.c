// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests of the MMIO instruction decoder: a table of encodings in
 * 16-, 32- and 64-bit code, every truncation of each, and what it must
 * refuse.
 */
#include <errno.h>
#include <string.h>

#include "../insn.h"
#include "../util.h"
#include "test.h"

#define M16	INSN_MODE_16
#define M32	INSN_MODE_32
#define M64	INSN_MODE_64

/* One encoding and what it decodes to. */
struct insn_case {
	const char *what;
	enum insn_mode mode;
	unsigned int n;
	uint8_t b[16];
	unsigned int len, size, reg, reg_size;	/* reg_size 0: size */
	bool write, high_byte, has_imm;
	uint64_t imm;
};

#define LOAD(w, m, sz, r, ...) { w, m, sizeof((uint8_t[]){__VA_ARGS__}), \
	{ __VA_ARGS__ }, sizeof((uint8_t[]){__VA_ARGS__}), sz, r, 0, \
	false, false, false, 0 }
#define STORE(w, m, sz, r, ...) { w, m, sizeof((uint8_t[]){__VA_ARGS__}), \
	{ __VA_ARGS__ }, sizeof((uint8_t[]){__VA_ARGS__}), sz, r, 0, \
	true, false, false, 0 }
#define STIMM(w, m, sz, im, ...) { w, m, sizeof((uint8_t[]){__VA_ARGS__}), \
	{ __VA_ARGS__ }, sizeof((uint8_t[]){__VA_ARGS__}), sz, 0, 0, \
	true, false, true, im }

static const struct insn_case cases[] = {
	/* 32-bit code: the ModRM forms */
	LOAD("mov eax, [ebx]", M32, 4, 0, 0x8b, 0x03),
	LOAD("mov ecx, [0xfec00010]", M32, 4, 1, 0x8b, 0x0d,
	     0x10, 0x00, 0xc0, 0xfe),
	LOAD("mov edx, [esi+8]", M32, 4, 2, 0x8b, 0x56, 0x08),
	LOAD("mov ebx, [edi+0x100]", M32, 4, 3, 0x8b, 0x9f,
	     0x00, 0x01, 0x00, 0x00),
	LOAD("mov esp, [eax+ecx*4]", M32, 4, 4, 0x8b, 0x24, 0x88),
	LOAD("mov ebp, [esp+4]", M32, 4, 5, 0x8b, 0x6c, 0x24, 0x04),
	LOAD("mov esi, [ecx*2+0x1000]", M32, 4, 6, 0x8b, 0x34, 0x4d,
	     0x00, 0x10, 0x00, 0x00),
	LOAD("mov edi, [ebp+eax+0x12345678]", M32, 4, 7, 0x8b, 0xbc, 0x05,
	     0x78, 0x56, 0x34, 0x12),
	STORE("mov [ebx], eax", M32, 4, 0, 0x89, 0x03),
	STORE("mov [edx+0x10], ecx", M32, 4, 1, 0x89, 0x4a, 0x10),
	STORE("mov [0xfee000b0], eax", M32, 4, 0, 0x89, 0x05,
	      0xb0, 0x00, 0xe0, 0xfe),
	STORE("mov [ebx], ax", M32, 2, 0, 0x66, 0x89, 0x03),
	LOAD("mov si, [eax]", M32, 2, 6, 0x66, 0x8b, 0x30),
	STORE("mov [ebx], al", M32, 1, 0, 0x88, 0x03),
	LOAD("mov cl, [ebx]", M32, 1, 1, 0x8a, 0x0b),
	STIMM("mov dword [ebx], 0x12345678", M32, 4, 0x12345678,
	      0xc7, 0x03, 0x78, 0x56, 0x34, 0x12),
	STIMM("mov dword [0xfec00000], 0x10", M32, 4, 0x10,
	      0xc7, 0x05, 0x00, 0x00, 0xc0, 0xfe, 0x10, 0x00, 0x00, 0x00),
	STIMM("mov dword [esp+8], -1", M32, 4, 0xffffffff,
	      0xc7, 0x44, 0x24, 0x08, 0xff, 0xff, 0xff, 0xff),
	STIMM("mov word [ebx], 0x1234", M32, 2, 0x1234,
	      0x66, 0xc7, 0x03, 0x34, 0x12),
	STIMM("mov byte [ebx+1], 0x80", M32, 1, 0x80, 0xc6, 0x43, 0x01, 0x80),
	LOAD("ds: mov eax, [ebx]", M32, 4, 0, 0x3e, 0x8b, 0x03),
	LOAD("fs: mov eax, [ebx]", M32, 4, 0, 0x64, 0x8b, 0x03),
	LOAD("addr16 mov eax, [bx+si]", M32, 4, 0, 0x67, 0x8b, 0x00),
	LOAD("addr16 mov eax, [0x1234]", M32, 4, 0, 0x67, 0x8b, 0x06,
	     0x34, 0x12),
	/* 16-bit code */
	LOAD("mov ax, [bx]", M16, 2, 0, 0x8b, 0x07),
	LOAD("mov ax, [0x1234]", M16, 2, 0, 0x8b, 0x06, 0x34, 0x12),
	LOAD("mov dx, [bp+2]", M16, 2, 2, 0x8b, 0x56, 0x02),
	LOAD("mov bx, [si+0x100]", M16, 2, 3, 0x8b, 0x9c, 0x00, 0x01),
	LOAD("mov eax, [bx]", M16, 4, 0, 0x66, 0x8b, 0x07),
	LOAD("mov eax, [ebx+ecx*8]", M16, 4, 0, 0x66, 0x67, 0x8b, 0x04, 0xcb),
	STORE("mov [di], cx", M16, 2, 1, 0x89, 0x0d),
	STIMM("mov word [bx], 0xffff", M16, 2, 0xffff,
	      0xc7, 0x07, 0xff, 0xff),
	STIMM("mov dword [bx], 0x1", M16, 4, 1,
	      0x66, 0xc7, 0x07, 0x01, 0x00, 0x00, 0x00),
	/* 64-bit code: REX, RIP-relative */
	LOAD("mov eax, [rbx]", M64, 4, 0, 0x8b, 0x03),
	LOAD("mov rax, [rbx]", M64, 8, 0, 0x48, 0x8b, 0x03),
	LOAD("mov r8d, [rbx]", M64, 4, 8, 0x44, 0x8b, 0x03),
	LOAD("mov r15, [r12+8]", M64, 8, 15, 0x4d, 0x8b, 0x7c, 0x24, 0x08),
	LOAD("mov eax, [rip+0x100]", M64, 4, 0, 0x8b, 0x05,
	     0x00, 0x01, 0x00, 0x00),
	LOAD("mov r9w, [rax]", M64, 2, 9, 0x66, 0x44, 0x8b, 0x08),
	LOAD("mov eax, [ebx] (addr32)", M64, 4, 0, 0x67, 0x8b, 0x03),
	STORE("mov [rdi], r10", M64, 8, 10, 0x4c, 0x89, 0x17),
	STORE("mov [r13+0], ecx", M64, 4, 1, 0x41, 0x89, 0x4d, 0x00),
	LOAD("mov sil, [rax]", M64, 1, 6, 0x40, 0x8a, 0x30),
	STIMM("mov qword [rax], -2", M64, 8, 0xfffffffffffffffeull,
	      0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff),
	STIMM("mov dword [r11+r12*2+4], 7", M64, 4, 7,
	      0x43, 0xc7, 0x44, 0x63, 0x04, 0x07, 0x00, 0x00, 0x00),
	LOAD("66 REX.W: REX.W wins", M64, 8, 0, 0x66, 0x48, 0x8b, 0x03),
	LOAD("REX then 66: REX ignored", M64, 2, 0, 0x48, 0x66, 0x8b, 0x03),
	/* moffs: A0-A3 */
	LOAD("mov eax, [moffs32]", M32, 4, 0, 0xa1, 0x10, 0x00, 0xc0, 0xfe),
	STORE("mov [moffs32], eax", M32, 4, 0, 0xa3, 0x00, 0x00, 0xc0, 0xfe),
	LOAD("mov al, [moffs32]", M32, 1, 0, 0xa0, 0x00, 0x00, 0xc0, 0xfe),
	STORE("mov [moffs32], al", M32, 1, 0, 0xa2, 0x00, 0x00, 0xc0, 0xfe),
	STORE("mov [moffs32], ax", M32, 2, 0, 0x66, 0xa3,
	      0x00, 0x00, 0xc0, 0xfe),
	LOAD("mov ax, [moffs16]", M16, 2, 0, 0xa1, 0x34, 0x12),
	LOAD("mov eax, [moffs32] (addr32)", M16, 4, 0, 0x66, 0x67, 0xa1,
	     0x00, 0x00, 0xc0, 0xfe),
	LOAD("mov rax, [moffs64]", M64, 8, 0, 0x48, 0xa1,
	     0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	STORE("mov [moffs64], eax", M64, 4, 0, 0xa3,
	      0x00, 0x00, 0xc0, 0xfe, 0x00, 0x00, 0x00, 0x00),
	LOAD("mov eax, [moffs32] (addr32, 64-bit)", M64, 4, 0, 0x67, 0xa1,
	     0x00, 0x00, 0xc0, 0xfe),
};

static void check_case(const struct insn_case *t)
{
	struct mmio_insn in;
	unsigned int k;
	int ret;

	ret = insn_decode_mmio(t->b, t->n, t->mode, &in);
	if (ret) {
		printf("#   %s: %d\n", t->what, ret);
		test_failed = 1;
		return;
	}
	if (in.len != t->len || in.size != t->size || in.write != t->write ||
	    in.has_imm != t->has_imm || in.imm != t->imm ||
	    (!t->has_imm && in.reg != t->reg) ||
	    in.high_byte != t->high_byte ||
	    in.reg_size != (t->reg_size ? t->reg_size : t->size)) {
		printf("#   %s: len %u size %u write %d reg %u hb %d imm %d 0x%llx rs %u\n",
		       t->what, in.len, in.size, in.write, in.reg,
		       in.high_byte, in.has_imm, (unsigned long long)in.imm,
		       in.reg_size);
		test_failed = 1;
	}
	/* Every truncation asks for more bytes. */
	for (k = 0; k < t->n; k++)
		if (insn_decode_mmio(t->b, k, t->mode, &in) != -EAGAIN) {
			printf("#   %s: %u bytes not -EAGAIN\n", t->what, k);
			test_failed = 1;
		}
}

static void test_table(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* Trailing bytes are the next instruction's. */
static void test_extra_bytes(void)
{
	static const uint8_t b[16] = { 0x8b, 0x03, 0xf4, 0xf4, 0xf4 };
	struct mmio_insn in;

	CHECK_EQ(insn_decode_mmio(b, 16, M32, &in), 0);
	CHECK_EQ(in.len, 2);
}

static void test_high_bytes(void)
{
	static const uint8_t ah[] = { 0x8a, 0x23 };	/* mov ah, [ebx] */
	static const uint8_t bh[] = { 0x88, 0x3b };	/* mov [ebx], bh */
	static const uint8_t spl[] = { 0x40, 0x8a, 0x23 };
	struct mmio_insn in;

	CHECK_EQ(insn_decode_mmio(ah, 2, M32, &in), 0);
	CHECK(in.high_byte && in.reg == 0 && !in.write);
	CHECK_EQ(insn_decode_mmio(bh, 2, M64, &in), 0);
	CHECK(in.high_byte && in.reg == 3 && in.write);
	CHECK_EQ(insn_decode_mmio(spl, 3, M64, &in), 0);
	CHECK(!in.high_byte && in.reg == 4);

	CHECK_EQ(insn_reg_write(0x1122334455667788ull, 0xaa, 1, true),
		 0x112233445566aa88ull);
	CHECK_EQ(insn_reg_read(0x1122334455667788ull, 1, true), 0x77);
}

static void test_movzx(void)
{
	static const uint8_t b8[] = { 0x0f, 0xb6, 0x03 };	/* eax, byte */
	static const uint8_t w16[] = { 0x0f, 0xb7, 0x0b };	/* ecx, word */
	static const uint8_t q8[] = { 0x48, 0x0f, 0xb6, 0x03 };
	static const uint8_t h16[] = { 0x66, 0x0f, 0xb6, 0x03 };
	struct mmio_insn in;

	CHECK_EQ(insn_decode_mmio(b8, 3, M32, &in), 0);
	CHECK(in.size == 1 && in.reg_size == 4 && in.reg == 0 && !in.write);
	CHECK_EQ(in.len, 3);
	CHECK_EQ(insn_decode_mmio(w16, 3, M32, &in), 0);
	CHECK(in.size == 2 && in.reg_size == 4 && in.reg == 1);
	CHECK_EQ(insn_decode_mmio(q8, 4, M64, &in), 0);
	CHECK(in.size == 1 && in.reg_size == 8);
	CHECK_EQ(insn_decode_mmio(h16, 4, M32, &in), 0);
	CHECK(in.size == 1 && in.reg_size == 2);
	CHECK_EQ(insn_decode_mmio(b8, 2, M32, &in), -EAGAIN);
}

static void test_reg_write(void)
{
	uint64_t r = 0x1122334455667788ull;

	CHECK_EQ(insn_reg_write(r, 0xaabbccdd, 4, false), 0xaabbccdd);
	CHECK_EQ(insn_reg_write(r, 0xaabb, 2, false), 0x112233445566aabbull);
	CHECK_EQ(insn_reg_write(r, 0xaa, 1, false), 0x11223344556677aaull);
	CHECK_EQ(insn_reg_write(r, 5, 8, false), 5);
	CHECK_EQ(insn_reg_read(r, 2, false), 0x7788);
	CHECK_EQ(insn_reg_read(r, 4, false), 0x55667788);
	CHECK_EQ(insn_reg_read(r, 8, false), r);
}

static void test_refused(void)
{
	static const struct {
		const char *what;
		unsigned int n;
		uint8_t b[16];
		enum insn_mode mode;
	} bad[] = {
		{ "mov eax, ebx (register)", 2, { 0x8b, 0xc3 }, M32 },
		{ "add [ebx], eax", 2, { 0x01, 0x03 }, M32 },
		{ "lock mov", 3, { 0xf0, 0x89, 0x03 }, M32 },
		{ "c7 /1", 6, { 0xc7, 0x0b, 1, 2, 3, 4 }, M32 },
		{ "c6 /7", 3, { 0xc6, 0x3b, 1 }, M32 },
		{ "movsx", 3, { 0x0f, 0xbe, 0x03 }, M32 },
		{ "movs", 1, { 0xa5 }, M32 },
		{ "REX is inc in 32-bit code", 3, { 0x48, 0x8b, 0x03 }, M32 },
		{ "15 prefixes", 16, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		  0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		  0x8b }, M32 },
		{ "over 15 bytes", 16, { 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
		  0x66, 0x66, 0x66, 0x66, 0x66, 0xc7, 0x05, 0, 0, 0 }, M32 },
	};
	struct mmio_insn in;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (insn_decode_mmio(bad[i].b, bad[i].n, bad[i].mode, &in) !=
		    -EINVAL) {
			printf("#   %s decoded\n", bad[i].what);
			test_failed = 1;
		}
	}
	/* Nothing at all to decode. */
	CHECK_EQ(insn_decode_mmio(bad[0].b, 0, M32, &in), -EAGAIN);
}

int main(void)
{
	TEST(test_table);
	TEST(test_extra_bytes);
	TEST(test_high_bytes);
	TEST(test_movzx);
	TEST(test_reg_write);
	TEST(test_refused);
	return test_done();
}
