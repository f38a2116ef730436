/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TLFS synthetic interrupt controller of a VP (SynIC), its synthetic
 * timers, and the partition's ports and connections.  Only partitions
 * created with HVPART_CREATE_PARTITION_LOCAL_APIC have them: a SINT is a
 * fixed interrupt in the VP's local APIC.  See synic.c, stimer.c, port.c.
 */
#ifndef HV_SYNIC_SYNIC_H
#define HV_SYNIC_SYNIC_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/xarray.h>

#include <linux/hvpart.h>

#include "hv_mmu/mmu.h"

struct hv_vp;
struct hv_partition;
struct eventfd_ctx;
struct hvpart_port_info;
struct hvpart_connection;
struct hvpart_post_message;
struct hvpart_signal_event;

/*
 * hvpart's own names: this header reaches files that include the host's
 * Hyper-V headers, so the TLFS's names stay in hv_core/tlfs.h.
 */
#define HV_NR_SINTS			16
#define HV_NR_STIMERS			4
#define HV_SYNIC_QUEUE_MAX		16	/* queued messages a SINT */

/* A message waiting for its SINT's slot.  NOTE: hvpart helper. */
struct hv_queued_msg {
	struct list_head node;
	struct hv_port *port;	/* NULL: posted by the root */
	struct hvpart_message msg;	/* HV_MESSAGE */
};

/* One synthetic timer (HV_X64_MSR_STIMERn_CONFIG/COUNT). */
struct hv_stimer {
	struct hv_vp *vp;
	u32 index;
	u64 config;
	u64 count;
	u64 exp_time;		/* reference time it expires (next) */
	u64 period_ns;		/* periodic: the clamped period, else 0 */
	bool msg_pending;	/* an expiration message waits for its slot */
	struct hrtimer timer;
};

/*
 * The SynIC of one VP.  Its registers are written by the VP's own thread
 * (MSR writes in the run loop, the root's register ioctls, both under
 * vp_mutex) with @lock held; @lock also orders every delivery into the
 * SIM and SIEF pages, which may come from any thread or from a timer's
 * hard-irq callback.  A raw spinlock for that reason, and a leaf.
 */
struct hv_synic {
	raw_spinlock_t lock;
	u64 scontrol;
	u64 siefp;
	u64 simp;
	u64 sint[HV_NR_SINTS];
	struct hv_overlay msg_ov;	/* the SIM page */
	struct hv_overlay evt_ov;	/* the SIEF page */
	struct list_head queue[HV_NR_SINTS];
	u32 queued[HV_NR_SINTS];	/* entries posted by the root */
	struct hv_stimer stimer[HV_NR_STIMERS];
};

/*
 * A monitor port's page and its scanner (monitor.c).  @conn_id and the
 * overlay change under port_lock; @timer scans while the partition runs.
 */
struct hv_monitor {
	struct hv_partition *pt;
	struct list_head node;		/* hv_synic_pt.monitors, RCU */
	struct hv_overlay ov;		/* the page, in the child at ov.gfn */
	u32 conn_id;			/* the connection that placed it, or 0 */
	struct hrtimer timer;
	unsigned long state;		/* HV_MONITOR_* bits */
};

/* A port (HvCreatePort).  NOTE: hvpart helper - not TLFS. */
struct hv_port {
	struct kref kref;
	struct rcu_head rcu;
	u32 id;
	u32 type;		/* HVPART_PORT_TYPE_* */
	bool to_root;
	u32 target_vp;
	u8 target_sint;
	u16 base_flag;
	u16 flag_count;
	u32 queued;		/* messages queued in the target SINT */
	/* to the root: an eventfd, or a queue read from the port's fd */
	struct eventfd_ctx *eventfd;
	struct mutex read_mutex;	/* one reader at a time */
	spinlock_t root_lock;	/* root_msgs, head, count, deleted */
	wait_queue_head_t root_wait;
	u32 head;
	u32 count;
	bool deleted;
	struct hvpart_message *root_msgs;	/* HV_SYNIC_QUEUE_MAX of them */
	struct hv_monitor *monitor;		/* monitor ports */
};

/* The partition's ports and connections, by id (RCU readers). */
#define HV_MAX_PORTS		256
#define HV_MAX_CONNECTIONS	256

struct hv_synic_pt {
	struct mutex lock;	/* port_lock: creating and deleting */
	u32 nr_ports;
	u32 nr_conns;
	struct xarray ports;	/* port id -> struct hv_port */
	struct xarray conns;	/* connection id -> xa_mk_value(port id) */
	struct list_head monitors;	/* connected monitors, RCU readers */
	bool monitor_ran;	/* a VP entered since the monitors' last scan */
};

/* synic.c */
int hv_synic_vp_init(struct hv_vp *vp);
void hv_synic_vp_destroy(struct hv_vp *vp);
struct page *hv_synic_page(struct hv_vp *vp, bool sief);
bool hv_synic_is_msr(u32 msr);
int hv_synic_msr_read(struct hv_vp *vp, u32 msr, u64 *data);
int hv_synic_msr_write(struct hv_vp *vp, u32 msr, u64 data);
bool hv_synic_is_reg(u32 name);
int hv_synic_get_reg(struct hv_vp *vp, u32 name, u64 *val);
int hv_synic_set_reg(struct hv_vp *vp, u32 name, u64 val);
void hv_synic_eoi(struct hv_vp *vp, int vector);
u16 hv_synic_post(struct hv_vp *vp, u32 sint, struct hv_queued_msg **qp);
u16 hv_synic_signal(struct hv_vp *vp, u32 sint, u32 flag);
u16 hv_synic_raise_sint(struct hv_vp *vp, u32 sint);
bool hv_synic_can_take(struct hv_vp *vp, u32 sint, bool message);
bool hv_synic_deliver_timer(struct hv_stimer *t, u64 now);
void hv_synic_drop_port(struct hv_vp *vp, struct hv_port *port);
int hv_synic_status_errno(u16 status);

/* stimer.c */
void hv_stimer_init(struct hv_vp *vp);
void hv_stimer_destroy(struct hv_vp *vp);
int hv_stimer_get(struct hv_vp *vp, u32 idx, bool count, u64 *val);
int hv_stimer_set(struct hv_vp *vp, u32 idx, bool count, u64 val);
void hv_stimer_retry(struct hv_vp *vp, u32 sint);

/* port.c */
void hv_port_pt_init(struct hv_partition *pt);
void hv_port_pt_destroy(struct hv_partition *pt);
int hv_port_create(struct hv_partition *pt,
		   const struct hvpart_port_info *info);
int hv_port_delete(struct hv_partition *pt, u32 port_id);
int hv_port_connect(struct hv_partition *pt,
		    const struct hvpart_connection *c, bool connect);
int hv_port_root_post(struct hv_partition *pt,
		      const struct hvpart_post_message *pm);
int hv_port_root_signal(struct hv_partition *pt,
			const struct hvpart_signal_event *se);
u16 hv_port_post_message(struct hv_vp *vp, const void *in);
u16 hv_port_signal_event(struct hv_vp *vp, const void *in);
u16 hv_port_event(struct hv_partition *pt, struct hv_vp *sender, u32 conn_id,
		  u32 flag);
void hv_port_put(struct hv_port *port);

/* monitor.c */
struct hv_monitor *hv_monitor_alloc(struct hv_partition *pt);
void hv_monitor_free(struct hv_monitor *mon);
extern const struct file_operations hv_monitor_fops;
int hv_monitor_connect(struct hv_partition *pt, struct hv_port *port,
		       u32 conn_id, u64 gpa);
void hv_monitor_disconnect(struct hv_partition *pt, struct hv_port *port,
			   bool gpa_space);
void hv_monitor_wake(struct hv_synic_pt *sp);

/*
 * On the way into the guest: a VP that runs may set pending bits, so the
 * monitors scan again.  One load when they are awake.
 */
static inline void hv_monitor_entry(struct hv_synic_pt *sp)
{
	if (unlikely(!READ_ONCE(sp->monitor_ran)))
		hv_monitor_wake(sp);
}

#endif /* HV_SYNIC_SYNIC_H */
