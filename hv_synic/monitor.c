// SPDX-License-Identifier: GPL-2.0
/*
 * Monitor ports: the TLFS monitored notification facility (MNF).
 *
 * A monitor port owns one page, struct hvpart_monitor_page.  The root maps
 * it from the port's fd and fills in, for each of 4 groups x 32 triggers,
 * the event connection to signal and a latency; a monitor connection
 * overlays the same page in the child.  The child triggers by setting a
 * pending bit (LOCK BTS), with no exit: hvpart notices by scanning the
 * page, as the TLFS says the hypervisor does, at the shortest latency
 * the root configured (clamped to [HV_MONITOR_MIN_NS, HV_MONITOR_MAX_NS]).
 * Each scan takes the pending bits of the enabled groups with one
 * atomic exchange and signals each bit's connection and flag as an
 * HvSignalEvent of the child would (hv_port_event()).
 *
 * A scanner only runs while the partition does.  Each scan clears
 * hv_synic_pt.monitor_ran; the next entry into the guest sets it again
 * and marks every monitor HV_MONITOR_RAN (hv_monitor_entry()).  A scan
 * that found nothing pending, with no entry since the one before, stops
 * the timer (HV_MONITOR_ASLEEP) and the next entry restarts it.  Bits a
 * VP sets while it stays in the guest for two periods are found once it
 * leaves it, at the host's next interrupt on its CPU at the latest.
 *
 * The timer is a soft hrtimer: it signals from softirq context, the
 * SynIC's raw lock and an eventfd's lock taking interrupts off.  The
 * list of connected monitors changes under port_lock; the entry path
 * reads it under RCU.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>

#include "hv_core/hv.h"

#define HV_MONITOR_GROUPS	4
#define HV_MONITOR_MIN_NS	(100 * NSEC_PER_USEC)
#define HV_MONITOR_MAX_NS	(10 * NSEC_PER_MSEC)

enum {
	HV_MONITOR_ASLEEP,	/* the timer is stopped until an entry */
	HV_MONITOR_RAN,		/* a VP entered since this monitor's scan */
};

static struct hvpart_monitor_page *hv_monitor_page(struct hv_monitor *mon)
{
	return page_address(mon->ov.page);
}

/*
 * Signal what is pending in the enabled groups; the next period in ns
 * (the shortest latency of a configured trigger there), and *@found.
 */
static u64 hv_monitor_scan(struct hv_monitor *mon, bool *found)
{
	struct hvpart_monitor_page *mp = hv_monitor_page(mon);
	u32 enabled = READ_ONCE(mp->trigger_state);
	u64 period = HV_MONITOR_MAX_NS;
	unsigned long bits;
	u32 g, b;

	*found = false;
	for (g = 0; g < HV_MONITOR_GROUPS; g++) {
		if (!(enabled & BIT(g)))
			continue;
		for (b = 0; b < 32; b++) {
			if (READ_ONCE(mp->parameter[g][b].connection_id))
				period = min_t(u64, period,
					       READ_ONCE(mp->latency[g][b]) * 100ULL);
		}
		if (!READ_ONCE(mp->trigger_group[g].pending))
			continue;
		/* the guest sets bits with locked instructions meanwhile */
		bits = xchg(&mp->trigger_group[g].pending, 0);
		*found = true;
		for_each_set_bit(b, &bits, 32)
			hv_port_event(mon->pt, NULL,
				      READ_ONCE(mp->parameter[g][b].connection_id),
				      READ_ONCE(mp->parameter[g][b].flag_number));
	}
	return max_t(u64, period, HV_MONITOR_MIN_NS);
}

static enum hrtimer_restart hv_monitor_fn(struct hrtimer *timer)
{
	struct hv_monitor *mon = container_of(timer, struct hv_monitor, timer);
	bool found;
	u64 period;

	/* entries from now on mark the monitors again */
	WRITE_ONCE(mon->pt->ports.monitor_ran, false);
	/* pairs with hv_monitor_wake(): flag cleared before the page is read */
	smp_mb();
	rcu_read_lock();
	period = hv_monitor_scan(mon, &found);
	rcu_read_unlock();
	if (!found && !test_and_clear_bit(HV_MONITOR_RAN, &mon->state)) {
		set_bit(HV_MONITOR_ASLEEP, &mon->state);
		/* ASLEEP visible before RAN is read: see hv_monitor_wake() */
		smp_mb__after_atomic();
		/*
		 * An entry that marked us before ASLEEP was set did not
		 * restart the timer: do it here.  One after it has.
		 */
		if (!test_and_clear_bit(HV_MONITOR_RAN, &mon->state) ||
		    !test_and_clear_bit(HV_MONITOR_ASLEEP, &mon->state))
			return HRTIMER_NORESTART;
	}
	hrtimer_forward_now(timer, ns_to_ktime(period));
	return HRTIMER_RESTART;
}

/* From hv_monitor_entry(): a VP is about to run. */
void hv_monitor_wake(struct hv_synic_pt *sp)
{
	struct hv_monitor *mon;

	WRITE_ONCE(sp->monitor_ran, true);
	/* pairs with hv_monitor_fn(): set before the list is walked */
	smp_mb();
	rcu_read_lock();
	list_for_each_entry_rcu(mon, &sp->monitors, node) {
		set_bit(HV_MONITOR_RAN, &mon->state);
		/* RAN visible before ASLEEP is read: see hv_monitor_fn() */
		smp_mb__after_atomic();
		if (test_and_clear_bit(HV_MONITOR_ASLEEP, &mon->state))
			hrtimer_start(&mon->timer, ns_to_ktime(HV_MONITOR_MIN_NS),
				      HRTIMER_MODE_REL_SOFT);
	}
	rcu_read_unlock();
}

struct hv_monitor *hv_monitor_alloc(struct hv_partition *pt)
{
	struct hv_monitor *mon = kzalloc(sizeof(*mon), GFP_KERNEL_ACCOUNT);

	if (!mon)
		return NULL;
	mon->ov.page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!mon->ov.page) {
		kfree(mon);
		return NULL;
	}
	mon->ov.writable = true;
	mon->pt = pt;
	INIT_LIST_HEAD(&mon->node);
	hrtimer_init(&mon->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	mon->timer.function = hv_monitor_fn;
	return mon;
}

/* With its port: disconnected, so no timer runs and no VP sees it. */
void hv_monitor_free(struct hv_monitor *mon)
{
	__free_page(mon->ov.page);
	kfree(mon);
}

/* HVPART_CONNECT_PORT of a monitor port: the page appears at @gpa. */
int hv_monitor_connect(struct hv_partition *pt, struct hv_port *port,
		       u32 conn_id, u64 gpa)
{
	struct hv_monitor *mon = port->monitor;
	int ret;

	lockdep_assert_held(&pt->ports.lock);
	if (mon->conn_id)
		return -EBUSY;
	ret = hv_mmu_overlay_set(pt, &mon->ov, true, gpa >> PAGE_SHIFT);
	if (ret)
		return ret;
	mon->conn_id = conn_id;
	/* the first entry starts the scans */
	set_bit(HV_MONITOR_ASLEEP, &mon->state);
	list_add_tail_rcu(&mon->node, &pt->ports.monitors);
	WRITE_ONCE(pt->ports.monitor_ran, false);
	return 0;
}

/*
 * Its connection goes, or the port: the child loses the page.  With the
 * partition (@gpa_space false) the overlay stays: the GPA space goes
 * after, with the VPs' overlays that its list still links.
 */
void hv_monitor_disconnect(struct hv_partition *pt, struct hv_port *port,
			   bool gpa_space)
{
	struct hv_monitor *mon = port->monitor;

	lockdep_assert_held(&pt->ports.lock);
	if (!mon->conn_id)
		return;
	list_del_rcu(&mon->node);
	/* no hv_monitor_wake() can start the timer after this */
	synchronize_rcu();
	hrtimer_cancel(&mon->timer);
	mon->state = 0;
	mon->conn_id = 0;
	if (gpa_space)
		hv_mmu_overlay_set(pt, &mon->ov, false, 0);
}

/* ---- the root's view: the port's fd, mmap()ed ------------------------ */

static vm_fault_t hv_monitor_vm_fault(struct vm_fault *vmf)
{
	struct hv_port *port = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = port->monitor->ov.page;
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct hv_monitor_vm_ops = {
	.fault = hv_monitor_vm_fault,
};

static int hv_monitor_mmap(struct file *filp, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE ||
	    !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	vma->vm_ops = &hv_monitor_vm_ops;
	return 0;
}

static int hv_monitor_release(struct inode *inode, struct file *filp)
{
	hv_port_put(filp->private_data);
	return 0;
}

const struct file_operations hv_monitor_fops = {
	.owner		= THIS_MODULE,
	.mmap		= hv_monitor_mmap,
	.release	= hv_monitor_release,
	.llseek		= noop_llseek,
};
