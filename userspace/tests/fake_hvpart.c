// SPDX-License-Identifier: GPL-2.0
/*
 * The fake /dev/hvpart: see fake_hvpart.h.  Partition fds are /dev/null,
 * VP fds are 4 KiB memfds, so the run page mmap works for real.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fake_hvpart.h"

struct fake_hv fake;

/* RUN_VP of several VP threads takes the script in turn. */
static pthread_mutex_t fake_lock = PTHREAD_MUTEX_INITIALIZER;

void fake_reset(void)
{
	unsigned int i;

	for (i = 0; i < fake.nr_vps; i++)
		close(fake.vp_fd[i]);
	for (i = 0; i < fake.nr_ports; i++)
		if (fake.port_wr[i] >= 0)
			close(fake.port_wr[i]);
	if (fake.pt_fd > 0)
		close(fake.pt_fd);
	memset(&fake, 0, sizeof(fake));
	fake.pt_fd = -1;
	fake.caps[HVPART_CAP_MAX_VPS] = FAKE_MAX_VPS;
	fake.caps[HVPART_CAP_VENDOR] = HVPART_VENDOR_SVM;
	fake.caps[HVPART_CAP_IO_INTERCEPT] = 1;
	fake.caps[HVPART_CAP_RUN_COMPLETION] = 1;
	fake.caps[HVPART_CAP_TRANSLATE_GVA] = 1;
	fake.caps[HVPART_CAP_MAX_GPA_BITS] = 40;
	fake.caps[HVPART_CAP_MAX_MAPPINGS] = 64;
	/* what hvpart implements, and what a new partition gets: all of it */
	fake.props[HVPART_PROP_SUPPORTED_PRIVILEGES] = FAKE_PRIVILEGES;
	fake.props[HVPART_PROP_SUPPORTED_FEATURES] = FAKE_FEATURES;
	fake.props[HVPART_PROP_SUPPORTED_RECOMMENDATIONS] = FAKE_RECOMMENDATIONS;
	fake.props[HVPART_PROP_PRIVILEGE_MASK] = FAKE_PRIVILEGES;
	fake.props[HVPART_PROP_FEATURES] = FAKE_FEATURES;
	fake.props[HVPART_PROP_RECOMMENDATIONS] = FAKE_RECOMMENDATIONS;
	fake.props[HVPART_PROP_SPIN_RETRY] = 0xffffffff;
}

/* HVPART_{SET,GET}_PARTITION_PROPERTY */
static int fake_property(struct hvpart_partition_property *p, bool set)
{
	if (!p->code || p->code >= HVPART_PROP_COUNT) {
		errno = EINVAL;
		return -1;
	}
	if (fake.prop_err[p->code]) {
		errno = fake.prop_err[p->code];
		return -1;
	}
	if (!set) {
		p->value = fake.props[p->code];
		return 0;
	}
	if (p->code >= HVPART_PROP_SUPPORTED_PRIVILEGES) {
		errno = EPERM;
		return -1;
	}
	fake.prop_sets[p->code]++;
	fake.props[p->code] = p->value;
	if (p->code == HVPART_PROP_MAX_VPS)
		fake.max_vps_prop = p->value;
	return 0;
}

static struct hvpart_register *fake_find(uint32_t name, bool add)
{
	unsigned int i;

	for (i = 0; i < fake.nr_regs; i++)
		if (fake.regs[i].name == name)
			return &fake.regs[i];
	if (!add || fake.nr_regs == FAKE_MAX_REGS)
		return NULL;
	memset(&fake.regs[fake.nr_regs], 0, sizeof(fake.regs[0]));
	fake.regs[fake.nr_regs].name = name;
	return &fake.regs[fake.nr_regs++];
}

uint64_t fake_reg(uint32_t name)
{
	struct hvpart_register *r = fake_find(name, false);

	return r ? r->value.reg64 : 0;
}

struct hvpart_x64_segment fake_seg(uint32_t name)
{
	struct hvpart_register *r = fake_find(name, false);
	struct hvpart_x64_segment none = { 0 };

	return r ? r->value.segment : none;
}

void fake_set_reg(uint32_t name, uint64_t value)
{
	struct hvpart_register *r = fake_find(name, true);

	memset(&r->value, 0, sizeof(r->value));
	r->value.reg64 = value;
}

void fake_set_seg(uint32_t name, uint64_t base, uint16_t sel, uint16_t attr)
{
	struct hvpart_register *r = fake_find(name, true);

	memset(&r->value, 0, sizeof(r->value));
	r->value.segment.base = base;
	r->value.segment.limit = 0xffff;
	r->value.segment.selector = sel;
	r->value.segment.attributes = attr;
}

struct hvpart_message *fake_push(uint32_t type)
{
	struct hvpart_message *m = &fake.script[fake.script_len++];

	memset(m, 0, sizeof(*m));
	m->header.message_type = type;
	return m;
}

/* An IN, OUT, INS or OUTS: @access_info is HVPART_IO_ACCESS_* and size. */
struct hvpart_message *fake_push_io(uint16_t port, bool write,
				    unsigned int access_info, uint64_t rax,
				    uint8_t len)
{
	struct hvpart_message *m = fake_push(HVPART_MSG_X64_IO_PORT_INTERCEPT);
	struct hvpart_x64_io_port_intercept *io = &m->u.io_port;

	io->header.instruction_length = len;
	io->header.intercept_access_type = write ?
		HVPART_INTERCEPT_ACCESS_WRITE : HVPART_INTERCEPT_ACCESS_READ;
	io->port_number = port;
	io->access_info = access_info;
	io->rax = rax;
	return m;
}

/* HVPART_ASSERT_INTERRUPT: recorded, or failed as the kernel would. */
static int fake_assert(struct hvpart_assert_interrupt *ai)
{
	if (!(fake.create_flags & HVPART_CREATE_PARTITION_LOCAL_APIC)) {
		errno = ENXIO;
		return -1;
	}
	if (fake.assert_err) {
		errno = fake.assert_err;
		return -1;
	}
	if (ai->rsvd || (ai->flags & ~HVPART_INTERRUPT_FLAGS_MASK)) {
		errno = EINVAL;
		return -1;
	}
	if (fake.nr_asserts < FAKE_MAX_MSGS)
		fake.asserts[fake.nr_asserts++] = *ai;
	return 0;
}

static int fake_vp_index(int fd)
{
	unsigned int i;

	for (i = 0; i < fake.nr_vps; i++)
		if (fake.vp_fd[i] == fd)
			return i;
	return -1;
}

static int fake_run(int vp)
{
	static struct hvpart_message halt;
	struct hvpart_run *run;
	struct hvpart_message *m;
	int ret = 0;

	run = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED,
		   fake.vp_fd[vp], 0);
	if (run == MAP_FAILED)
		return -1;
	fake.runs++;
	if (run->completion & ~HVPART_RUN_COMPLETE_MASK) {
		errno = EINVAL;
		ret = -1;
		goto out;
	}
	if (run->completion & HVPART_RUN_COMPLETE_ADVANCE_RIP)
		fake_set_reg(HVPART_REG_RIP, fake_reg(HVPART_REG_RIP) +
			     fake.last_insn_len);
	if (run->completion & HVPART_RUN_COMPLETE_SET_RAX)
		fake_set_reg(HVPART_REG_RAX, run->completion_rax);
	run->completion = 0;
	if (run->immediate_exit) {
		memset(&run->msg, 0, sizeof(run->msg));
		errno = EINTR;
		ret = -1;
		goto out;
	}
	run->exits++;
	if (fake.script_pos < fake.script_len) {
		m = &fake.script[fake.script_pos++];
	} else {
		/* A halted VP asks again and again: nothing is appended. */
		memset(&halt, 0, sizeof(halt));
		halt.header.message_type = HVPART_MSG_X64_HALT;
		m = &halt;
	}
	/* What the VP state says, as a real intercept would report it. */
	m->u.intercept.rip = fake_reg(HVPART_REG_RIP);
	m->u.intercept.cs_segment = fake_seg(HVPART_REG_CS);
	m->u.intercept.rflags = fake_reg(HVPART_REG_RFLAGS);
	if (m->header.message_type == HVPART_MSG_X64_IO_PORT_INTERCEPT) {
		m->u.io_port.ds_segment = fake_seg(HVPART_REG_DS);
		m->u.io_port.es_segment = fake_seg(HVPART_REG_ES);
		m->u.io_port.rcx = fake_reg(HVPART_REG_RCX);
		m->u.io_port.rsi = fake_reg(HVPART_REG_RSI);
		m->u.io_port.rdi = fake_reg(HVPART_REG_RDI);
		if (m->u.intercept.intercept_access_type ==
		    HVPART_INTERCEPT_ACCESS_READ)
			m->u.io_port.rax = fake_reg(HVPART_REG_RAX);
	}
	run->msg = *m;
	fake.last_insn_len = m->u.intercept.instruction_length & 0xf;
out:
	munmap(run, 4096);
	return ret;
}

static int fake_regs(int vp, struct hvpart_vp_registers *arg, bool set)
{
	struct hvpart_register *regs =
		(struct hvpart_register *)(uintptr_t)arg->regs_ptr;
	struct hvpart_register *r;
	unsigned int i;

	if (arg->flags || !arg->count ||
	    arg->count > HVPART_MAX_REGISTERS_PER_CALL || vp != 0) {
		errno = EINVAL;
		return -1;
	}
	if (set)
		fake.set_regs_calls++;
	else
		fake.get_regs_calls++;
	for (i = 0; i < arg->count; i++) {
		r = fake_find(regs[i].name, set);
		if (set)
			r->value = regs[i].value;
		else if (r)
			regs[i].value = r->value;
		else
			memset(&regs[i].value, 0, sizeof(regs[i].value));
	}
	return 0;
}

static int fake_translate(struct hvpart_translate_gva *arg)
{
	fake.translates++;
	arg->result = fake.translate_result;
	arg->gpa = arg->gva + fake.translate_offset;
	return 0;
}

static int fake_create_vp(struct hvpart_create_vp *arg)
{
	int fd;

	if (fake.nr_vps == FAKE_MAX_VPS || arg->vp_index != fake.nr_vps) {
		errno = EINVAL;
		return -1;
	}
	fd = memfd_create("fake-vp", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, 4096) < 0)
		return -1;
	fake.vp_fd[fake.nr_vps++] = fd;
	return fd;
}

/* HVPART_CREATE_PORT: a root message port reads from a pipe. */
static int fake_create_port(const struct hvpart_port_info *info)
{
	int p[2];

	if (fake.nr_ports == FAKE_MAX_MSGS) {
		errno = ENOSPC;
		return -1;
	}
	fake.ports[fake.nr_ports] = *info;
	fake.port_wr[fake.nr_ports] = -1;
	if (!(info->flags & HVPART_PORT_TO_ROOT) ||
	    info->port_type != HVPART_PORT_TYPE_MESSAGE) {
		fake.nr_ports++;
		return 0;
	}
	if (pipe2(p, O_CLOEXEC))
		return -1;
	fake.port_wr[fake.nr_ports++] = p[1];
	return p[0];
}

/* Records @arg in @log (of FAKE_MAX_MSGS) unless @err says to fail. */
static int fake_log(void *log, unsigned int *n, const void *arg, size_t size,
		    int err)
{
	if (err) {
		errno = err;
		return -1;
	}
	if (*n < FAKE_MAX_MSGS)
		memcpy((char *)log + *n * size, arg, size);
	++*n;
	return 0;
}

static int fake_port_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case HVPART_CREATE_PORT:
		return fake_create_port(arg);
	case HVPART_DELETE_PORT:
		return fake_log(fake.deleted, &fake.nr_deleted,
				&((struct hvpart_port_id *)arg)->port_id,
				sizeof(uint32_t), 0);
	case HVPART_CONNECT_PORT:
		return fake_log(fake.conns, &fake.nr_conns, arg,
				sizeof(struct hvpart_connection), 0);
	case HVPART_DISCONNECT_PORT:
		fake.nr_disconnects++;
		return 0;
	case HVPART_POST_MESSAGE:
		return fake_log(fake.posts, &fake.nr_posts, arg,
				sizeof(struct hvpart_post_message),
				fake.post_err);
	case HVPART_SIGNAL_EVENT:
		return fake_log(fake.signals, &fake.nr_signals, arg,
				sizeof(struct hvpart_signal_event),
				fake.signal_err);
	}
	errno = ENOTTY;
	return -1;
}

int ioctl(int fd, unsigned long req, ...)
{
	int vp = fake_vp_index(fd);
	va_list ap;
	void *arg;
	int ret;

	va_start(ap, req);
	arg = va_arg(ap, void *);
	va_end(ap);

	switch (req) {
	case HVPART_GET_API_VERSION:
		return HVPART_API_VERSION;
	case HVPART_CHECK_EXTENSION:
		return (uintptr_t)arg < 16 ? fake.caps[(uintptr_t)arg] : 0;
	case HVPART_GET_VP_MMAP_SIZE:
		return 4096;
	case HVPART_CREATE_PARTITION:
		fake.create_flags = ((struct hvpart_create_partition *)arg)->flags;
		fake.pt_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		return fake.pt_fd;
	case HVPART_ASSERT_INTERRUPT:
		return fake_assert(arg);
	case HVPART_SET_PARTITION_PROPERTY:
		return fake_property(arg, true);
	case HVPART_GET_PARTITION_PROPERTY:
		return fake_property(arg, false);
	case HVPART_MAP_GPA_RANGE:
		fake.map = *(struct hvpart_gpa_range *)arg;
		return 0;
	case HVPART_UNMAP_GPA_RANGE:
		return 0;
	case HVPART_INSTALL_INTERCEPT:
		fake.intercept = *(struct hvpart_intercept *)arg;
		return 0;
	case HVPART_CREATE_VP:
		return fake_create_vp(arg);
	case HVPART_RUN_VP:
		if (vp < 0) {
			errno = EBADF;
			return -1;
		}
		pthread_mutex_lock(&fake_lock);
		ret = fake_run(vp);
		pthread_mutex_unlock(&fake_lock);
		return ret;
	case HVPART_GET_VP_REGISTERS:
		return fake_regs(vp, arg, false);
	case HVPART_SET_VP_REGISTERS:
		return fake_regs(vp, arg, true);
	case HVPART_TRANSLATE_GVA:
		return fake_translate(arg);
	case HVPART_CREATE_PORT:
	case HVPART_DELETE_PORT:
	case HVPART_CONNECT_PORT:
	case HVPART_DISCONNECT_PORT:
	case HVPART_POST_MESSAGE:
	case HVPART_SIGNAL_EVENT:
		return fake_port_ioctl(req, arg);
	default:
		errno = ENOTTY;
		return -1;
	}
}
