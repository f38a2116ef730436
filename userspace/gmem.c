// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: guest memory as the worker sees it.  Guest RAM is the worker's
 * own mapping, so an access is a bounds check and a memcpy; with paging
 * on, linear addresses go through HVPART_TRANSLATE_GVA first.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"
#include "insn.h"
#include "worker.h"

#define GMEM_PAGE_SIZE	4096ull

/* Host address of [@gpa, @gpa + @len), or NULL if that is not all RAM. */
void *gmem_gpa_ptr(struct worker *w, uint64_t gpa, uint64_t len)
{
	if (gpa > w->ram_size || len > w->ram_size - gpa)
		return NULL;
	return w->ram + gpa;
}

/*
 * Whether the VP translates linear addresses.  Long mode always pages,
 * real mode never does; in between only CR0.PG tells.
 */
int gmem_paging_enabled(struct worker_vp *wvp, uint16_t exec_state,
			bool *paging)
{
	uint64_t cr0;
	int ret;

	if (exec_state & HVPART_EXEC_STATE_EFER_LMA) {
		*paging = true;
		return 0;
	}
	if (!(exec_state & HVPART_EXEC_STATE_CR0_PE)) {
		*paging = false;
		return 0;
	}
	ret = hvp_get_reg64(&wvp->vp, HVPART_REG_CR0, &cr0);
	if (ret) {
		hvctl_err("VP%u: cannot read CR0: %s", wvp->vp.index,
			  strerror(-ret));
		return ret;
	}
	*paging = cr0 & HVP_CR0_PG;
	return 0;
}

static int gmem_translate(struct worker_vp *wvp, uint64_t gva, bool write,
			  uint64_t *gpa)
{
	uint32_t flags = write ? HVPART_TRANSLATE_GVA_VALIDATE_WRITE :
				 HVPART_TRANSLATE_GVA_VALIDATE_READ;
	uint32_t result;
	int ret;

	if (!wvp->w->has_translate) {
		hvctl_err("VP%u: paging is on and hvpart cannot translate GVAs (no HVPART_CAP_TRANSLATE_GVA)",
			  wvp->vp.index);
		return -EOPNOTSUPP;
	}
	ret = hvp_translate_gva(&wvp->vp, gva, flags, gpa, &result);
	if (ret) {
		hvctl_err("VP%u: HVPART_TRANSLATE_GVA 0x%llx: %s",
			  wvp->vp.index, (unsigned long long)gva,
			  strerror(-ret));
		return ret;
	}
	if (result != HVPART_TRANSLATE_GVA_SUCCESS) {
		hvctl_err("VP%u: guest %s of GVA 0x%llx faults (%s); page faults are not injected yet",
			  wvp->vp.index, write ? "write" : "read",
			  (unsigned long long)gva,
			  hvp_translate_result_name(result));
		return -EFAULT;
	}
	return 0;
}

/*
 * Copies @len bytes between @buf and the guest's linear address @gva,
 * page by page.  Returns 0, or -errno after printing what went wrong.
 */
int gmem_rw_gva(struct worker_vp *wvp, uint64_t gva, void *buf,
		unsigned int len, bool write, bool paging)
{
	uint8_t *b = buf;
	uint64_t gpa;
	unsigned int chunk;
	void *p;
	int ret;

	while (len) {
		chunk = GMEM_PAGE_SIZE - (gva & (GMEM_PAGE_SIZE - 1));
		if (chunk > len)
			chunk = len;
		gpa = gva;
		if (paging) {
			ret = gmem_translate(wvp, gva, write, &gpa);
			if (ret)
				return ret;
		}
		p = gmem_gpa_ptr(wvp->w, gpa, chunk);
		if (!p) {
			hvctl_err("VP%u: guest %s of GPA 0x%llx (GVA 0x%llx) is outside guest RAM",
				  wvp->vp.index, write ? "write" : "read",
				  (unsigned long long)gpa,
				  (unsigned long long)gva);
			return -EFAULT;
		}
		if (write)
			memcpy(p, b, chunk);
		else
			memcpy(b, p, chunk);
		gva += chunk;
		b += chunk;
		len -= chunk;
	}
	return 0;
}

/*
 * Decodes the instruction an intercept stopped at with @decode: from the
 * message's @nbytes bytes at @bytes when it carries enough, else from
 * guest memory at CS:RIP, the first page's bytes first, since the next
 * page may not be mapped and the instruction may end before it.  Returns what
 * @decode returns (-EAGAIN: it needs more bytes than there are), or
 * -errno from reading guest memory.
 */
int gmem_decode_insn(struct worker_vp *wvp,
		     const struct hvpart_x64_intercept_header *hdr,
		     const uint8_t *bytes, unsigned int nbytes,
		     gmem_decode_fn decode, void *arg)
{
	bool long_mode = worker_long_mode(hdr);
	uint8_t buf[X86_MAX_INSN];
	unsigned int first;
	uint64_t rip;
	bool paging;
	int ret;

	if (nbytes) {
		ret = decode(bytes, nbytes > 16 ? 16 : nbytes, arg);
		if (ret != -EAGAIN)
			return ret;
	}

	rip = hdr->rip + (long_mode ? 0 : hdr->cs_segment.base);
	if (!long_mode)
		rip &= 0xffffffff;
	ret = gmem_paging_enabled(wvp, hdr->execution_state, &paging);
	if (ret)
		return ret;
	first = GMEM_PAGE_SIZE - (rip & (GMEM_PAGE_SIZE - 1));
	if (first > X86_MAX_INSN)
		first = X86_MAX_INSN;
	ret = gmem_rw_gva(wvp, rip, buf, first, false, paging);
	if (ret)
		return ret;
	ret = decode(buf, first, arg);
	if (ret == -EAGAIN && first < X86_MAX_INSN) {
		ret = gmem_rw_gva(wvp, rip + first, buf + first,
				  X86_MAX_INSN - first, false, paging);
		if (ret)
			return ret;
		ret = decode(buf, X86_MAX_INSN, arg);
	}
	return ret;
}

/* Sets VP registers; WORKER_CONTINUE, or the status for a failed ioctl. */
int worker_set_regs(struct worker_vp *wvp, const struct hvpart_register *regs,
		    unsigned int n)
{
	int ret;

	ret = hvp_set_regs(&wvp->vp, regs, n);
	if (ret) {
		hvctl_err("VP%u: HVPART_SET_VP_REGISTERS: %s", wvp->vp.index,
			  strerror(-ret));
		return HVCTL_EXIT_HV_ERROR;
	}
	return WORKER_CONTINUE;
}
