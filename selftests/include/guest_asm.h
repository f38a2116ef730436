/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code beside host code, the KVM selftests way, but in assembly: a
 * test writes each guest snippet as a top-level asm() block in the section
 * GUEST_SECTION, between two global labels <name>_start and <name>_end, and
 * the host copies the bytes in between to a fixed GPA (LOAD_GPA unless the
 * test says otherwise).  Inside a snippet an absolute address is therefore
 * written "label - <name>_start + LOAD_GPA"; RIP-relative and relative
 * branches need nothing special.  A snippet that switches to .code16 or
 * .code32 must end in .code64, the mode the compiler's own code assumes.
 *
 * Guests talk to the host through port I/O ("ucalls", as in KVM's
 * ucall_common.h); the library installs intercepts on these ports:
 *
 *   GUEST_SYNC n     out %eax, $UCALL_PORT_SYNC with EAX = n (clobbers EAX)
 *   GUEST_REPORT     out %al, $UCALL_PORT_REPORT; the host takes all of RAX
 *                    from the intercept message (clobbers nothing)
 *   GUEST_DONE       out %al, $UCALL_PORT_DONE
 *   GUEST_FAIL n     out %eax, $UCALL_PORT_FAIL with EAX = n (clobbers EAX)
 *   GUEST_ASSERT_EQ a, b, n   cmp a, b; GUEST_FAIL n unless equal
 *
 * The encodings are valid in 16-, 32- and 64-bit code alike.
 */
#ifndef SELFTEST_HVPART_GUEST_ASM_H
#define SELFTEST_HVPART_GUEST_ASM_H

#define UCALL_PORT_SYNC		0xe9
#define UCALL_PORT_DONE		0xea
#define UCALL_PORT_FAIL		0xeb
#define UCALL_PORT_REPORT	0xec
#define UCALL_PORT_FIRST	UCALL_PORT_SYNC
#define UCALL_PORT_LAST		UCALL_PORT_REPORT

#define GUEST_SECTION	".hvpart_guest_text"

#define __G_STR(x)	#x
#define G_STR(x)	__G_STR(x)

/* Opens and closes a snippet; each argument line ends in "\n". */
#define GUEST_ASM_BEGIN(name)						\
	".pushsection " GUEST_SECTION ", \"ax\", @progbits\n"		\
	".balign 16\n"							\
	".global " #name "_start\n"					\
	#name "_start:\n"
#define GUEST_ASM_END(name)						\
	".code64\n"							\
	".global " #name "_end\n"					\
	#name "_end:\n"							\
	".popsection\n"

/* Absolute address of a label of snippet @name once loaded at LOAD_GPA. */
#define G_ADDR(name, label)	"(" #label " - " #name "_start + " G_STR(LOAD_GPA) ")"

/* The host side of a snippet. */
#define GUEST_CODE_DECLARE(name)					\
	extern const unsigned char name##_start[], name##_end[]
#define GUEST_LABEL_DECLARE(label)	extern const unsigned char label[]
/* GPA of a (global) label of snippet @name once loaded at LOAD_GPA. */
#define GUEST_GPA(name, label)						\
	((uint64_t)((label) - (name##_start)) + LOAD_GPA)

__asm__(".macro GUEST_SYNC stage\n"
	"	mov $\\stage, %eax\n"
	"	out %eax, $" G_STR(UCALL_PORT_SYNC) "\n"
	".endm\n"
	".macro GUEST_REPORT\n"
	"	out %al, $" G_STR(UCALL_PORT_REPORT) "\n"
	".endm\n"
	".macro GUEST_DONE\n"
	"	out %al, $" G_STR(UCALL_PORT_DONE) "\n"
	"	hlt\n"
	"	jmp .-1\n"
	".endm\n"
	".macro GUEST_FAIL id\n"
	"	mov $\\id, %eax\n"
	"	out %eax, $" G_STR(UCALL_PORT_FAIL) "\n"
	".endm\n"
	".macro GUEST_ASSERT_EQ a, b, id\n"
	"	cmp \\a, \\b\n"
	"	je .Lguest_assert_ok\\@\n"
	"	GUEST_FAIL \\id\n"
	".Lguest_assert_ok\\@:\n"
	".endm\n");

#endif /* SELFTEST_HVPART_GUEST_ASM_H */
