// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/hvpart and the fds it hands out.  This layer validates what
 * userspace passes (sizes, flags, must-be-zero fields, pointers) and
 * translates UAPI structs into hv_core calls; it holds no policy.
 *
 * /dev/hvpart -> HVPART_CREATE_PARTITION -> partition fd
 *             -> HVPART_CREATE_VP -> VP fd (mmap: struct hvpart_run, and
 *                the SynIC's SIM and SIEF pages)
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hv_core/hv.h"
#include "hv_ioctl/dev.h"

static_assert(sizeof(struct hvpart_run) == 320);
static_assert(sizeof(struct hvpart_message) == 256);
static_assert(sizeof(struct hvpart_register) == 32);
static_assert(sizeof(struct hvpart_x64_io_port_intercept) == 128);
static_assert(sizeof(struct hvpart_x64_intercept_header) == 40);
static_assert(sizeof(struct hvpart_x64_hypercall_intercept) == 200);
static_assert(sizeof(struct hvpart_gpa_range) == 32);
static_assert(sizeof(struct hvpart_intercept) == 24);
static_assert(sizeof(struct hvpart_cpuid_entry) == 32);
static_assert(sizeof(struct hvpart_cpuid) == 32);
static_assert(sizeof(struct hvpart_port_info) == 32);
static_assert(sizeof(struct hvpart_port_id) == 8);
static_assert(sizeof(struct hvpart_connection) == 24);
static_assert(sizeof(struct hvpart_monitor_page) == 4096);
static_assert(sizeof(struct hvpart_post_message) == 264);
static_assert(sizeof(struct hvpart_signal_event) == 16);

/* ---- VP fd ---------------------------------------------------------- */

static int hv_vp_ioctl_regs(struct hv_vp *vp, void __user *uarg, bool set)
{
	struct hvpart_vp_registers hdr;
	struct hvpart_register *regs;
	u32 i;
	int ret = 0;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hv_nonzero(hdr.rsvd, sizeof(hdr.rsvd)) ||
	    !hdr.count || hdr.count > HVPART_MAX_REGISTERS_PER_CALL)
		return -EINVAL;

	regs = memdup_user(u64_to_user_ptr(hdr.regs_ptr),
			   array_size(hdr.count, sizeof(*regs)));
	if (IS_ERR(regs))
		return PTR_ERR(regs);

	for (i = 0; i < hdr.count; i++) {
		struct hvpart_register *r = &regs[i];

		if (r->rsvd1 || r->rsvd2) {
			ret = -EINVAL;
			break;
		}
		ret = set ? hv_vp_set_reg(vp, r->name, &r->value) :
			    hv_vp_get_reg(vp, r->name, &r->value);
		if (ret)
			break;
	}

	hdr.count = i;
	if (!set && i &&
	    copy_to_user(u64_to_user_ptr(hdr.regs_ptr), regs,
			 array_size(i, sizeof(*regs))))
		ret = -EFAULT;
	else if (copy_to_user(uarg, &hdr, sizeof(hdr)))
		ret = -EFAULT;
	kfree(regs);
	return ret;
}

static int hv_vp_ioctl_translate(struct hv_vp *vp, void __user *uarg)
{
	struct hvpart_translate_gva tr;
	int ret;

	if (copy_from_user(&tr, uarg, sizeof(tr)))
		return -EFAULT;
	if ((tr.flags & ~HVPART_TRANSLATE_GVA_FLAGS_MASK) || tr.result ||
	    tr.gpa || hv_nonzero(tr.rsvd, sizeof(tr.rsvd)))
		return -EINVAL;
	ret = hv_mmu_translate_gva(vp, tr.gva, tr.flags, &tr.result, &tr.gpa);
	if (ret)
		return ret;
	return copy_to_user(uarg, &tr, sizeof(tr)) ? -EFAULT : 0;
}

static long hv_vp_ioctl(struct file *filp, unsigned int cmd,
			unsigned long arg)
{
	struct hv_vp *vp = filp->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (vp->pt->mm != current->mm)
		return -EIO;

	switch (cmd) {
	case HVPART_RUN_VP:
	case HVPART_GET_VP_REGISTERS:
	case HVPART_SET_VP_REGISTERS:
	case HVPART_TRANSLATE_GVA:
		break;
	default:
		return -ENOTTY;
	}

	ret = mutex_lock_killable(&vp->vp_mutex);
	if (ret)
		return ret;
	switch (cmd) {
	case HVPART_RUN_VP:
		ret = arg ? -EINVAL : hv_vp_run(vp);
		break;
	case HVPART_GET_VP_REGISTERS:
		ret = hv_vp_ioctl_regs(vp, uarg, false);
		break;
	case HVPART_SET_VP_REGISTERS:
		ret = hv_vp_ioctl_regs(vp, uarg, true);
		break;
	case HVPART_TRANSLATE_GVA:
		ret = hv_vp_ioctl_translate(vp, uarg);
		break;
	}
	mutex_unlock(&vp->vp_mutex);
	return ret;
}

/* The pages of a VP fd's mapping: see HVPART_VP_MMAP_RUN_PGOFF. */
#define HV_VP_MMAP_PAGES	(HVPART_VP_MMAP_SIEF_PGOFF + 1)

/* The page at @pgoff, or NULL (beyond the last, or no SynIC). */
static struct page *hv_vp_mmap_page(struct hv_vp *vp, unsigned long pgoff)
{
	switch (pgoff) {
	case HVPART_VP_MMAP_RUN_PGOFF:
		return virt_to_page(vp->run);
	case HVPART_VP_MMAP_SIM_PGOFF:
		return hv_synic_page(vp, false);
	case HVPART_VP_MMAP_SIEF_PGOFF:
		return hv_synic_page(vp, true);
	}
	return NULL;
}

/*
 * mremap() can grow a mapping past what hv_vp_mmap() allows (beyond the
 * last page, or a private one over the SynIC pages): SIGBUS there.
 */
static vm_fault_t hv_vp_fault(struct vm_fault *vmf)
{
	struct hv_vp *vp = vmf->vma->vm_file->private_data;
	struct page *page = hv_vp_mmap_page(vp, vmf->pgoff);

	if (!page || (vmf->pgoff >= HVPART_VP_MMAP_SIM_PGOFF &&
		      !(vmf->vma->vm_flags & VM_SHARED)))
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct hv_vp_vm_ops = {
	.fault = hv_vp_fault,
};

/*
 * Any run of the VP fd's pages.  The SIM and SIEF pages only shared: a
 * private copy would silently stop following the guest's page.
 */
static int hv_vp_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct hv_vp *vp = filp->private_data;
	unsigned long pgoff = vma->vm_pgoff, pages = vma_pages(vma);

	if (pgoff >= HV_VP_MMAP_PAGES || pages > HV_VP_MMAP_PAGES - pgoff)
		return -EINVAL;
	if (pgoff + pages > HVPART_VP_MMAP_SIM_PGOFF) {
		if (!hv_synic_page(vp, false))
			return -ENXIO;
		if (!(vma->vm_flags & VM_SHARED))
			return -EINVAL;
	}
	vma->vm_ops = &hv_vp_vm_ops;
	return 0;
}

static int hv_vp_release(struct inode *inode, struct file *filp)
{
	struct hv_vp *vp = filp->private_data;

	/* the VP itself goes with its partition */
	hv_partition_put(vp->pt);
	return 0;
}

static const struct file_operations hv_vp_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hv_vp_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.mmap		= hv_vp_mmap,
	.release	= hv_vp_release,
	.llseek		= noop_llseek,
};

/* ---- partition fd --------------------------------------------------- */

static int hv_pt_ioctl_create_vp(struct hv_partition *pt, void __user *uarg)
{
	struct hvpart_create_vp args;
	struct hv_vp *vp;
	struct file *file;
	int fd, ret;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags || hv_nonzero(args.rsvd, sizeof(args.rsvd)))
		return -EINVAL;

	lockdep_assert_held(&pt->pt_mutex);
	if (args.vp_index >= pt->max_vps)
		return -EINVAL;
	if (pt->vps[args.vp_index])
		return -EEXIST;

	vp = hv_vp_create(pt, args.vp_index);
	if (IS_ERR(vp))
		return PTR_ERR(vp);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto destroy_vp;
	}
	file = anon_inode_getfile("hvpart-vp", &hv_vp_fops, vp, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto put_fd;
	}

	/* nothing can fail from here on */
	hv_partition_get(pt);
	WRITE_ONCE(pt->vps[args.vp_index], vp);
	pt->nr_vps++;
	fd_install(fd, file);
	return fd;

put_fd:
	put_unused_fd(fd);
destroy_vp:
	hv_vp_destroy(vp);
	return ret;
}

static int hv_pt_ioctl_property(struct hv_partition *pt, void __user *uarg,
				bool set)
{
	struct hvpart_partition_property prop;
	int ret;

	if (copy_from_user(&prop, uarg, sizeof(prop)))
		return -EFAULT;
	if (prop.flags || hv_nonzero(prop.rsvd, sizeof(prop.rsvd)))
		return -EINVAL;
	if (set)
		return hv_partition_set_property(pt, prop.code, prop.value);
	ret = hv_partition_get_property(pt, prop.code, &prop.value);
	if (ret)
		return ret;
	return copy_to_user(uarg, &prop, sizeof(prop)) ? -EFAULT : 0;
}

static int hv_pt_ioctl_set_cpuid(struct hv_partition *pt, void __user *uarg)
{
	struct hvpart_cpuid hdr;
	struct hvpart_cpuid_entry *e = NULL;
	int ret;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hv_nonzero(hdr.rsvd, sizeof(hdr.rsvd)) ||
	    hdr.nent > HVPART_MAX_CPUID_ENTRIES)
		return -EINVAL;
	if (hdr.nent) {
		e = memdup_user(u64_to_user_ptr(hdr.entries_ptr),
				array_size(hdr.nent, sizeof(*e)));
		if (IS_ERR(e))
			return PTR_ERR(e);
	}
	ret = hv_cpuid_set_table(pt, e, hdr.nent);
	kfree(e);
	return ret;
}

static int hv_pt_ioctl_gpa_range(struct hv_partition *pt, void __user *uarg,
				 bool map)
{
	struct hvpart_gpa_range r;

	if (copy_from_user(&r, uarg, sizeof(r)))
		return -EFAULT;
	if (r.rsvd)
		return -EINVAL;
	if (map)
		return hv_mmu_map(pt, r.guest_pfn, r.size, r.userspace_addr,
				  r.flags);
	if (r.userspace_addr || r.flags)
		return -EINVAL;
	return hv_mmu_unmap(pt, r.guest_pfn, r.size);
}

static int hv_pt_ioctl_intercept(struct hv_partition *pt, void __user *uarg,
				 bool install)
{
	struct hvpart_intercept icpt;

	if (copy_from_user(&icpt, uarg, sizeof(icpt)))
		return -EFAULT;
	if (install)
		return hv_partition_install_intercept(pt, &icpt);
	return hv_partition_remove_intercept(pt, &icpt);
}

/* Lock-free: it only sets bits in the target VPs' APICs and kicks them. */
static int hv_pt_ioctl_assert_interrupt(struct hv_partition *pt,
					void __user *uarg)
{
	struct hvpart_assert_interrupt args;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	return hv_lapic_assert(pt, &args);
}

/* ---- ports and connections (hv_synic/port.c): port_lock or lock-free */

static int hv_pt_ioctl_port(struct hv_partition *pt, unsigned int cmd,
			    void __user *uarg)
{
	union {
		struct hvpart_port_info info;
		struct hvpart_port_id id;
		struct hvpart_connection conn;
		struct hvpart_post_message post;
		struct hvpart_signal_event signal;
	} a;

	if (copy_from_user(&a, uarg, _IOC_SIZE(cmd)))
		return -EFAULT;
	switch (cmd) {
	case HVPART_CREATE_PORT:
		return hv_port_create(pt, &a.info);
	case HVPART_DELETE_PORT:
		if (a.id.flags)
			return -EINVAL;
		return hv_port_delete(pt, a.id.port_id);
	case HVPART_CONNECT_PORT:
		return hv_port_connect(pt, &a.conn, true);
	case HVPART_DISCONNECT_PORT:
		return hv_port_connect(pt, &a.conn, false);
	case HVPART_POST_MESSAGE:
		return hv_port_root_post(pt, &a.post);
	case HVPART_SIGNAL_EVENT:
		return hv_port_root_signal(pt, &a.signal);
	}
	return -ENOTTY;
}

static long hv_pt_ioctl(struct file *filp, unsigned int cmd,
			unsigned long arg)
{
	struct hv_partition *pt = filp->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (pt->mm != current->mm)
		return -EIO;

	/* GPA ranges and intercepts have locks of their own */
	switch (cmd) {
	case HVPART_MAP_GPA_RANGE:
		return hv_pt_ioctl_gpa_range(pt, uarg, true);
	case HVPART_UNMAP_GPA_RANGE:
		return hv_pt_ioctl_gpa_range(pt, uarg, false);
	case HVPART_INSTALL_INTERCEPT:
		return hv_pt_ioctl_intercept(pt, uarg, true);
	case HVPART_REMOVE_INTERCEPT:
		return hv_pt_ioctl_intercept(pt, uarg, false);
	case HVPART_ASSERT_INTERRUPT:
		return hv_pt_ioctl_assert_interrupt(pt, uarg);
	case HVPART_CREATE_PORT:
	case HVPART_DELETE_PORT:
	case HVPART_CONNECT_PORT:
	case HVPART_DISCONNECT_PORT:
	case HVPART_POST_MESSAGE:
	case HVPART_SIGNAL_EVENT:
		return hv_pt_ioctl_port(pt, cmd, uarg);
	case HVPART_SET_PARTITION_PROPERTY:
	case HVPART_GET_PARTITION_PROPERTY:
	case HVPART_CREATE_VP:
	case HVPART_SET_CPUID:
		break;
	default:
		return -ENOTTY;
	}

	ret = mutex_lock_killable(&pt->pt_mutex);
	if (ret)
		return ret;
	switch (cmd) {
	case HVPART_SET_PARTITION_PROPERTY:
		ret = hv_pt_ioctl_property(pt, uarg, true);
		break;
	case HVPART_GET_PARTITION_PROPERTY:
		ret = hv_pt_ioctl_property(pt, uarg, false);
		break;
	case HVPART_CREATE_VP:
		ret = hv_pt_ioctl_create_vp(pt, uarg);
		break;
	case HVPART_SET_CPUID:
		ret = hv_pt_ioctl_set_cpuid(pt, uarg);
		break;
	}
	mutex_unlock(&pt->pt_mutex);
	return ret;
}

static int hv_pt_release(struct inode *inode, struct file *filp)
{
	hv_partition_put(filp->private_data);
	return 0;
}

static const struct file_operations hv_pt_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hv_pt_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= hv_pt_release,
	.llseek		= noop_llseek,
};

/* ---- /dev/hvpart ---------------------------------------------------- */

static long hv_dev_check_extension(unsigned long cap)
{
	switch (cap) {
	case HVPART_CAP_MAX_VPS:
		return HV_MAX_VPS;
	case HVPART_CAP_VENDOR:
		return hv_vendor.vendor;
	case HVPART_CAP_IO_INTERCEPT:
	case HVPART_CAP_CPUID_INTERCEPT:
	case HVPART_CAP_MSR_INTERCEPT:
	case HVPART_CAP_HYPERCALL_INTERCEPT:
	case HVPART_CAP_RUN_COMPLETION:
	case HVPART_CAP_TRANSLATE_GVA:
	case HVPART_CAP_LOCAL_APIC:
	case HVPART_CAP_SYNIC:
	case HVPART_CAP_VP_SYNIC_PAGES:
	case HVPART_CAP_MONITOR:
		return 1;
	case HVPART_CAP_MAX_GPA_BITS:
		return hv_mmu_max_gpa_bits();
	case HVPART_CAP_MAX_MAPPINGS:
		return HV_MAX_MAPPINGS;
	case HVPART_CAP_SET_CPUID:
	case HVPART_CAP_SUPPORTED_CPUID:
		return HVPART_MAX_CPUID_ENTRIES;
	}
	return 0;
}

/*
 * HVPART_GET_SUPPORTED_CPUID: the leaves a child sees by default.  Too
 * small a buffer: -E2BIG, with @nent set to the number needed.
 */
static int hv_dev_get_supported_cpuid(void __user *uarg)
{
	struct hvpart_cpuid hdr;
	struct hvpart_cpuid_entry *e;
	int n, ret = 0;

	if (copy_from_user(&hdr, uarg, sizeof(hdr)))
		return -EFAULT;
	if (hdr.flags || hv_nonzero(hdr.rsvd, sizeof(hdr.rsvd)) ||
	    hdr.nent > HVPART_MAX_CPUID_ENTRIES)
		return -EINVAL;
	e = kcalloc(HVPART_MAX_CPUID_ENTRIES, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = hv_cpuid_get_supported(e, HVPART_MAX_CPUID_ENTRIES);
	if (n < 0) {
		ret = n;
		goto free;
	}
	if (n > hdr.nent) {
		ret = -E2BIG;
	} else if (copy_to_user(u64_to_user_ptr(hdr.entries_ptr), e,
				array_size(n, sizeof(*e)))) {
		ret = -EFAULT;
		goto free;
	}
	hdr.nent = n;
	if (copy_to_user(uarg, &hdr, sizeof(hdr)))
		ret = -EFAULT;
free:
	kfree(e);
	return ret;
}

static int hv_dev_create_partition(void __user *uarg)
{
	struct hvpart_create_partition args;
	struct hv_partition *pt;
	int fd;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if ((args.flags & ~HVPART_CREATE_PARTITION_FLAGS_MASK) ||
	    hv_nonzero(args.rsvd, sizeof(args.rsvd)))
		return -EINVAL;

	pt = hv_partition_create(args.flags);
	if (IS_ERR(pt))
		return PTR_ERR(pt);
	/* the last step: no unwinding once the fd exists */
	fd = anon_inode_getfd("hvpart-partition", &hv_pt_fops, pt,
			      O_RDWR | O_CLOEXEC);
	if (fd < 0)
		hv_partition_put(pt);
	return fd;
}

static long hv_dev_ioctl(struct file *filp, unsigned int cmd,
			 unsigned long arg)
{
	switch (cmd) {
	case HVPART_GET_API_VERSION:
		return arg ? -EINVAL : HVPART_API_VERSION;
	case HVPART_CHECK_EXTENSION:
		return hv_dev_check_extension(arg);
	case HVPART_GET_VP_MMAP_SIZE:
		return arg ? -EINVAL : PAGE_SIZE;
	case HVPART_CREATE_PARTITION:
		return hv_dev_create_partition((void __user *)arg);
	case HVPART_GET_SUPPORTED_CPUID:
		return hv_dev_get_supported_cpuid((void __user *)arg);
	}
	return -ENOTTY;
}

static const struct file_operations hv_dev_fops = {
	.owner		= THIS_MODULE,
	.unlocked_ioctl	= hv_dev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= noop_llseek,
};

static struct miscdevice hv_miscdev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "hvpart",
	.fops	= &hv_dev_fops,
	.mode	= 0600,
};

/* The netlink family first: /dev/hvpart is the last thing to appear. */
int hv_dev_register(void)
{
	int ret;

	ret = hv_nl_register();
	if (ret)
		return ret;
	ret = misc_register(&hv_miscdev);
	if (ret)
		hv_nl_unregister();
	return ret;
}

void hv_dev_unregister(void)
{
	misc_deregister(&hv_miscdev);
	hv_nl_unregister();
}
