// SPDX-License-Identifier: GPL-2.0
/*
 * Ports and connections (HvCreatePort, HvConnectPort), the guest's
 * HvPostMessage and HvSignalEvent through them, and the root's own
 * messages and events into a child's SINTs.
 *
 * The root creates every port and connection of a partition (the
 * partition fd's HVPART_CREATE_PORT ...).  A port either targets a SINT
 * of a VP of the partition (a message goes into that SINT's slot or queue,
 * an event sets a flag in its part of the SIEF page) or belongs to the
 * root: a message then waits in the port's 16 buffers until the root
 * read()s it from the fd HVPART_CREATE_PORT returned, and an event
 * signals the root's eventfd.  The guest names a connection; the
 * connection names a port.
 *
 * A monitor port (monitor.c) owns a page that the root maps from the
 * port's fd and that its one connection overlays in the child.
 *
 * A child port may target HVPART_ANY_VP (HV_ANY_VP): each message or
 * event then goes to the sender if its SINT can take it, else to the
 * lowest-index VP whose SINT can, else to the lowest-index VP (whose
 * SynIC then answers HV_STATUS_INVALID_SYNIC_STATE).
 *
 * Lookups on the hypercall path are lock-free: both tables are xarrays
 * read under RCU.  Creating, connecting and deleting hold port_lock
 * (hv_synic_pt.lock); deleting a port waits for an RCU grace period
 * before dropping what it queued, so that no HvPostMessage still holds
 * it.  A root message port is reference counted: its fd may outlive the
 * port and the partition.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/anon_inodes.h>
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hv_core/hv.h"
#include "hv_core/tlfs.h"

static void hv_eventfd_signal(struct eventfd_ctx *ctx)
{
#ifdef HV_EVENTFD_SIGNAL_ONE_ARG
	eventfd_signal(ctx);
#else
	eventfd_signal(ctx, 1);
#endif
}

static void hv_port_free(struct kref *kref)
{
	struct hv_port *port = container_of(kref, struct hv_port, kref);

	if (port->eventfd)
		eventfd_ctx_put(port->eventfd);
	if (port->monitor)
		hv_monitor_free(port->monitor);
	kfree(port->root_msgs);
	kfree(port);
}

void hv_port_put(struct hv_port *port)
{
	kref_put(&port->kref, hv_port_free);
}

/* ---- the root's message fd ------------------------------------------ */

static ssize_t hv_port_read(struct file *filp, char __user *buf, size_t len,
			    loff_t *ppos)
{
	struct hv_port *port = filp->private_data;
	struct hvpart_message msg;
	size_t done = 0;
	ssize_t ret;
	bool gone;

	if (len < sizeof(msg))
		return -EINVAL;
	ret = mutex_lock_interruptible(&port->read_mutex);
	if (ret)
		return ret;
	while (len - done >= sizeof(msg)) {
		spin_lock(&port->root_lock);
		if (!port->count) {
			gone = port->deleted;
			spin_unlock(&port->root_lock);
			if (done || gone)
				break;
			ret = -EAGAIN;
			if (filp->f_flags & O_NONBLOCK)
				goto unlock;
			ret = wait_event_interruptible(port->root_wait,
						       READ_ONCE(port->count) ||
						       READ_ONCE(port->deleted));
			if (ret)
				goto unlock;
			continue;
		}
		msg = port->root_msgs[port->head];
		spin_unlock(&port->root_lock);
		/* dequeued only once the root has it: nothing is lost */
		if (copy_to_user(buf + done, &msg, sizeof(msg))) {
			ret = -EFAULT;
			goto unlock;
		}
		spin_lock(&port->root_lock);
		port->head = (port->head + 1) % HV_SYNIC_QUEUE_MAX;
		port->count--;
		spin_unlock(&port->root_lock);
		done += sizeof(msg);
	}
	ret = done;
unlock:
	mutex_unlock(&port->read_mutex);
	return done ? done : ret;
}

static __poll_t hv_port_poll(struct file *filp, poll_table *wait)
{
	struct hv_port *port = filp->private_data;
	__poll_t mask = 0;

	poll_wait(filp, &port->root_wait, wait);
	spin_lock(&port->root_lock);
	if (port->count)
		mask = EPOLLIN | EPOLLRDNORM;
	else if (port->deleted)
		mask = EPOLLHUP;
	spin_unlock(&port->root_lock);
	return mask;
}

static int hv_port_release(struct inode *inode, struct file *filp)
{
	hv_port_put(filp->private_data);
	return 0;
}

static const struct file_operations hv_port_fops = {
	.owner		= THIS_MODULE,
	.read		= hv_port_read,
	.poll		= hv_port_poll,
	.release	= hv_port_release,
	.llseek		= noop_llseek,
};

/* A guest's message to a root port: HV_STATUS_INSUFFICIENT_BUFFERS if full. */
static u16 hv_port_to_root(struct hv_port *port, const struct hvpart_message *msg)
{
	u16 ret = HV_STATUS_SUCCESS;

	spin_lock(&port->root_lock);
	if (port->count == HV_SYNIC_QUEUE_MAX) {
		ret = HV_STATUS_INSUFFICIENT_BUFFERS;
	} else {
		port->root_msgs[(port->head + port->count) %
				HV_SYNIC_QUEUE_MAX] = *msg;
		port->count++;
	}
	spin_unlock(&port->root_lock);
	if (!ret)
		wake_up_interruptible(&port->root_wait);
	return ret;
}

/* ---- creating and deleting ------------------------------------------- */

static int hv_port_check(struct hv_partition *pt,
			 const struct hvpart_port_info *info)
{
	bool root = info->flags & HVPART_PORT_TO_ROOT;
	bool event = info->port_type == HVPART_PORT_TYPE_EVENT;

	if ((info->flags & ~HVPART_PORT_FLAGS_MASK) || info->rsvd1 ||
	    hv_nonzero(info->rsvd0, sizeof(info->rsvd0)))
		return -EINVAL;
	if (!info->port_id || info->port_id > HVPART_PORT_ID_MAX)
		return -EINVAL;
	/* the root's page, no target: it signals event connections */
	if (info->port_type == HVPART_PORT_TYPE_MONITOR)
		return !root || info->target_vp || info->target_sint ||
		       info->base_flag || info->flag_count || info->eventfd ?
		       -EINVAL : 0;
	if (info->port_type != HVPART_PORT_TYPE_MESSAGE && !event)
		return -EINVAL;
	if (!event && (info->base_flag || info->flag_count))
		return -EINVAL;
	if (event && (!info->flag_count ||
		      info->base_flag + info->flag_count >
		      HVPART_EVENT_FLAGS_PER_SINT))
		return -EINVAL;
	if (root)
		return info->target_vp || info->target_sint ||
		       info->base_flag || (!event && info->eventfd) ||
		       (event && info->eventfd < 0) ? -EINVAL : 0;
	if (info->eventfd || info->target_sint >= HV_NR_SINTS ||
	    (info->target_vp >= pt->max_vps &&
	     info->target_vp != HVPART_ANY_VP))
		return -EINVAL;
	return 0;
}

static struct hv_port *hv_port_alloc(struct hv_partition *pt,
				     const struct hvpart_port_info *info)
{
	struct hv_port *port = kzalloc(sizeof(*port), GFP_KERNEL_ACCOUNT);
	struct eventfd_ctx *ctx;

	if (!port)
		return ERR_PTR(-ENOMEM);
	kref_init(&port->kref);
	mutex_init(&port->read_mutex);
	spin_lock_init(&port->root_lock);
	init_waitqueue_head(&port->root_wait);
	port->id = info->port_id;
	port->type = info->port_type;
	port->to_root = info->flags & HVPART_PORT_TO_ROOT;
	port->target_vp = info->target_vp;
	port->target_sint = info->target_sint;
	port->base_flag = info->base_flag;
	port->flag_count = info->flag_count;
	if (port->to_root && port->type == HVPART_PORT_TYPE_EVENT) {
		ctx = eventfd_ctx_fdget(info->eventfd);
		if (IS_ERR(ctx)) {
			kfree(port);
			return ERR_CAST(ctx);
		}
		port->eventfd = ctx;
	}
	if (port->type == HVPART_PORT_TYPE_MONITOR) {
		port->monitor = hv_monitor_alloc(pt);
		if (!port->monitor) {
			kfree(port);
			return ERR_PTR(-ENOMEM);
		}
	}
	if (port->to_root && port->type == HVPART_PORT_TYPE_MESSAGE) {
		port->root_msgs = kcalloc(HV_SYNIC_QUEUE_MAX, sizeof(struct
					  hv_message), GFP_KERNEL_ACCOUNT);
		if (!port->root_msgs) {
			kfree(port);
			return ERR_PTR(-ENOMEM);
		}
	}
	return port;
}

static int hv_port_insert(struct hv_partition *pt, struct hv_port *port)
{
	struct hv_synic_pt *sp = &pt->ports;
	int ret;

	lockdep_assert_held(&sp->lock);
	if (sp->nr_ports >= HV_MAX_PORTS)
		return -ENOSPC;
	ret = xa_insert(&sp->ports, port->id, port, GFP_KERNEL_ACCOUNT);
	if (ret)
		return ret == -EBUSY ? -EEXIST : ret;
	sp->nr_ports++;
	return 0;
}

/*
 * HVPART_CREATE_PORT: 0, or the new fd of a root message port, or -errno.
 * The fd is published last: once the port is in the table nothing fails.
 */
int hv_port_create(struct hv_partition *pt, const struct hvpart_port_info *info)
{
	struct hv_synic_pt *sp = &pt->ports;
	struct file *file = NULL;
	struct hv_port *port;
	int fd = 0, ret;

	if (!pt->local_apic)
		return -ENXIO;
	ret = hv_port_check(pt, info);
	if (ret)
		return ret;
	port = hv_port_alloc(pt, info);
	if (IS_ERR(port))
		return PTR_ERR(port);

	if (port->root_msgs || port->monitor) {
		fd = get_unused_fd_flags(O_CLOEXEC);
		if (fd < 0) {
			ret = fd;
			goto put_port;
		}
		kref_get(&port->kref);
		if (port->monitor)
			file = anon_inode_getfile("hvpart-monitor",
						  &hv_monitor_fops, port,
						  O_RDWR);
		else
			file = anon_inode_getfile("hvpart-port", &hv_port_fops,
						  port, O_RDONLY);
		if (IS_ERR(file)) {
			kref_put(&port->kref, hv_port_free);
			ret = PTR_ERR(file);
			goto put_fd;
		}
	}
	mutex_lock(&sp->lock);
	ret = hv_port_insert(pt, port);
	mutex_unlock(&sp->lock);
	if (ret)
		goto put_file;
	if (file)
		fd_install(fd, file);
	return fd;

put_file:
	if (file)
		fput(file);
put_fd:
	if (file)
		put_unused_fd(fd);
put_port:
	kref_put(&port->kref, hv_port_free);
	return ret;
}

/*
 * Out of the table: drop what it queued in the VPs (none are left when
 * the partition goes), wake its reader, and put the table's reference.
 */
static void hv_port_retire(struct hv_partition *pt, struct hv_port *port,
			   bool vps)
{
	struct hv_vp *vp;
	u32 i;

	for (i = 0; vps && !port->to_root && i < pt->max_vps; i++) {
		vp = READ_ONCE(pt->vps[i]);
		if (vp && (port->target_vp == i ||
			   port->target_vp == HVPART_ANY_VP))
			hv_synic_drop_port(vp, port);
	}
	spin_lock(&port->root_lock);
	port->deleted = true;
	spin_unlock(&port->root_lock);
	wake_up_interruptible(&port->root_wait);
	kref_put(&port->kref, hv_port_free);
}

int hv_port_delete(struct hv_partition *pt, u32 port_id)
{
	struct hv_synic_pt *sp = &pt->ports;
	struct hv_port *port;

	if (!pt->local_apic)
		return -ENXIO;
	if (!port_id || port_id > HVPART_PORT_ID_MAX)
		return -EINVAL;
	mutex_lock(&sp->lock);
	port = xa_erase(&sp->ports, port_id);
	if (port) {
		sp->nr_ports--;
		if (port->monitor)
			hv_monitor_disconnect(pt, port, true);
	}
	mutex_unlock(&sp->lock);
	if (!port)
		return -ENOENT;
	/* no HvPostMessage holds it after this (see the top of the file) */
	synchronize_rcu();
	hv_port_retire(pt, port, true);
	return 0;
}

/* HVPART_CONNECT_PORT (@connect) and HVPART_DISCONNECT_PORT. */
int hv_port_connect(struct hv_partition *pt,
		    const struct hvpart_connection *c, bool connect)
{
	struct hv_synic_pt *sp = &pt->ports;
	struct hv_port *port;
	void *entry;
	int ret = 0;

	if (!pt->local_apic)
		return -ENXIO;
	if (c->flags || c->rsvd || !c->connection_id ||
	    c->connection_id > HVPART_PORT_ID_MAX)
		return -EINVAL;
	if (connect ? !c->port_id || c->port_id > HVPART_PORT_ID_MAX :
		      c->port_id || c->monitor_gpa)
		return -EINVAL;
	/* hv_mmu_overlay_set() refuses a page past the GPA width */
	if (!PAGE_ALIGNED(c->monitor_gpa))
		return -EINVAL;

	mutex_lock(&sp->lock);
	if (!connect) {
		entry = xa_erase(&sp->conns, c->connection_id);
		if (!entry) {
			ret = -ENOENT;
			goto unlock;
		}
		sp->nr_conns--;
		port = xa_load(&sp->ports, xa_to_value(entry));
		if (port && port->monitor &&
		    port->monitor->conn_id == c->connection_id)
			hv_monitor_disconnect(pt, port, true);
		goto unlock;
	}
	port = xa_load(&sp->ports, c->port_id);
	if (!port) {
		ret = -ENOENT;
	} else if (!port->monitor != !c->monitor_gpa) {
		/* a monitor connection needs its page's place, no other */
		ret = -EINVAL;
	} else if (port->monitor && port->monitor->conn_id) {
		ret = -EBUSY;
	} else if (sp->nr_conns >= HV_MAX_CONNECTIONS) {
		ret = -ENOSPC;
	} else {
		ret = xa_insert(&sp->conns, c->connection_id,
				xa_mk_value(c->port_id), GFP_KERNEL_ACCOUNT);
		if (ret == -EBUSY)
			ret = -EEXIST;
		if (!ret && port->monitor) {
			ret = hv_monitor_connect(pt, port, c->connection_id,
						 c->monitor_gpa);
			if (ret)
				xa_erase(&sp->conns, c->connection_id);
		}
		if (!ret)
			sp->nr_conns++;
	}
unlock:
	mutex_unlock(&sp->lock);
	return ret;
}

void hv_port_pt_init(struct hv_partition *pt)
{
	mutex_init(&pt->ports.lock);
	xa_init(&pt->ports.ports);
	xa_init(&pt->ports.conns);
	INIT_LIST_HEAD(&pt->ports.monitors);
}

/* With the partition, after its VPs: no hypercall runs any more. */
void hv_port_pt_destroy(struct hv_partition *pt)
{
	struct hv_port *port;
	unsigned long id;

	/* the VPs and their queues are gone already */
	mutex_lock(&pt->ports.lock);
	xa_for_each(&pt->ports.ports, id, port) {
		if (port->monitor)
			hv_monitor_disconnect(pt, port, false);
	}
	mutex_unlock(&pt->ports.lock);
	xa_for_each(&pt->ports.ports, id, port)
		hv_port_retire(pt, port, false);
	xa_destroy(&pt->ports.ports);
	xa_destroy(&pt->ports.conns);
}

/* ---- the guest's hypercalls ------------------------------------------ */

/* The port behind @conn_id, of @type; NULL and *@status if none. */
static struct hv_port *hv_port_lookup(struct hv_partition *pt, u32 conn_id,
				      u32 type, u16 *status)
	__must_hold(RCU)
{
	struct hv_port *port;
	void *entry;

	entry = xa_load(&pt->ports.conns, conn_id);
	if (!entry) {
		*status = HV_STATUS_INVALID_CONNECTION_ID;
		return NULL;
	}
	port = xa_load(&pt->ports.ports, xa_to_value(entry));
	if (!port || port->type != type) {
		*status = HV_STATUS_INVALID_PORT_ID;
		return NULL;
	}
	return port;
}

/*
 * The VP a message (@message) or an event on @port goes to, @sender
 * sending it (NULL: a monitor); NULL if there is none.
 */
static struct hv_vp *hv_port_target(struct hv_partition *pt,
				    struct hv_port *port,
				    struct hv_vp *sender, bool message)
{
	struct hv_vp *vp, *first = NULL;
	u32 i;

	if (port->target_vp != HVPART_ANY_VP)
		return READ_ONCE(pt->vps[port->target_vp]);
	if (sender && hv_synic_can_take(sender, port->target_sint, message))
		return sender;
	for (i = 0; i < pt->max_vps; i++) {
		vp = READ_ONCE(pt->vps[i]);
		if (!vp)
			continue;
		if (hv_synic_can_take(vp, port->target_sint, message))
			return vp;
		if (!first)
			first = vp;
	}
	return first;
}

/* HvPostMessage: the input page as the guest wrote it. */
u16 hv_port_post_message(struct hv_vp *vp, const void *in)
{
	const struct hv_input_post_message *pm = in;
	struct hv_partition *pt = vp->pt;
	struct hv_queued_msg *q;
	struct hv_port *port;
	struct hv_vp *target;
	u16 status;

	if (pm->reserved || !pm->message_type ||
	    (pm->message_type & HV_MSG_TYPE_HYPERVISOR) ||
	    pm->payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return HV_STATUS_INVALID_PARAMETER;
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return HV_STATUS_INSUFFICIENT_MEMORY;
	q->msg.header.message_type = pm->message_type;
	q->msg.header.payload_size = pm->payload_size;
	memcpy(q->msg.u.payload, pm->payload, pm->payload_size);

	rcu_read_lock();
	port = hv_port_lookup(pt, pm->connection_id, HVPART_PORT_TYPE_MESSAGE,
			      &status);
	if (!port)
		goto unlock;
	q->msg.header.sender = port->id;
	if (port->to_root) {
		status = hv_port_to_root(port, &q->msg);
		goto unlock;
	}
	target = hv_port_target(pt, port, vp, true);
	if (!target) {
		status = HV_STATUS_INVALID_VP_INDEX;
		goto unlock;
	}
	q->port = port;
	status = hv_synic_post(target, port->target_sint, &q);
unlock:
	rcu_read_unlock();
	kfree(q);
	return status;
}

/*
 * An event on connection @conn_id, flag @flag: the guest's HvSignalEvent
 * (@sender the calling VP) or a monitor's trigger (@sender NULL).
 */
u16 hv_port_event(struct hv_partition *pt, struct hv_vp *sender, u32 conn_id,
		  u32 flag)
{
	struct hv_port *port;
	struct hv_vp *target;
	u16 status;

	rcu_read_lock();
	port = hv_port_lookup(pt, conn_id, HVPART_PORT_TYPE_EVENT, &status);
	if (!port)
		goto unlock;
	status = HV_STATUS_INVALID_PARAMETER;
	if (flag >= port->flag_count)
		goto unlock;
	status = HV_STATUS_SUCCESS;
	if (port->to_root) {
		hv_eventfd_signal(port->eventfd);
		goto unlock;
	}
	target = hv_port_target(pt, port, sender, false);
	status = HV_STATUS_INVALID_VP_INDEX;
	if (target)
		status = hv_synic_signal(target, port->target_sint,
					 port->base_flag + flag);
unlock:
	rcu_read_unlock();
	return status;
}

/* HvSignalEvent: connection id and flag number, fast or in memory. */
u16 hv_port_signal_event(struct hv_vp *vp, const void *in)
{
	const struct hv_input_signal_event *se = in;

	if (se->rsvdz)
		return HV_STATUS_INVALID_PARAMETER;
	return hv_port_event(vp->pt, vp, se->connection_id, se->flag_number);
}

/* ---- the root's messages and events into a child --------------------- */

static struct hv_vp *hv_port_root_vp(struct hv_partition *pt, u32 index,
				     u32 sint, int *ret)
{
	struct hv_vp *vp;

	*ret = -EINVAL;
	if (index >= pt->max_vps || sint >= HV_NR_SINTS)
		return NULL;
	vp = READ_ONCE(pt->vps[index]);
	*ret = vp ? 0 : -ENOENT;
	return vp;
}

/* HVPART_POST_MESSAGE */
int hv_port_root_post(struct hv_partition *pt,
		      const struct hvpart_post_message *pm)
{
	struct hv_queued_msg *q;
	struct hv_vp *vp;
	u16 status;
	int ret;

	if (!pt->local_apic)
		return -ENXIO;
	if (pm->flags || pm->rsvd1 || hv_nonzero(pm->rsvd0, sizeof(pm->rsvd0)) ||
	    !pm->message_type || (pm->message_type & HV_MSG_TYPE_HYPERVISOR) ||
	    pm->payload_size > HV_MESSAGE_PAYLOAD_BYTE_COUNT)
		return -EINVAL;
	vp = hv_port_root_vp(pt, pm->vp_index, pm->sint, &ret);
	if (!vp)
		return ret;
	q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
	if (!q)
		return -ENOMEM;
	q->msg.header.message_type = pm->message_type;
	q->msg.header.payload_size = pm->payload_size;
	memcpy(q->msg.u.payload, pm->payload, pm->payload_size);
	status = hv_synic_post(vp, pm->sint, &q);
	kfree(q);
	return hv_synic_status_errno(status);
}

/* HVPART_SIGNAL_EVENT */
int hv_port_root_signal(struct hv_partition *pt,
			const struct hvpart_signal_event *se)
{
	struct hv_vp *vp;
	int ret;

	if (!pt->local_apic)
		return -ENXIO;
	if ((se->flags & ~HVPART_SIGNAL_EVENT_FLAGS_MASK) || se->rsvd0 ||
	    se->rsvd1 || se->flag_number >= HVPART_EVENT_FLAGS_PER_SINT)
		return -EINVAL;
	/* no flag is set: its number must be 0 */
	if ((se->flags & HVPART_SIGNAL_EVENT_SINT_ONLY) && se->flag_number)
		return -EINVAL;
	vp = hv_port_root_vp(pt, se->vp_index, se->sint, &ret);
	if (!vp)
		return ret;
	if (se->flags & HVPART_SIGNAL_EVENT_SINT_ONLY)
		return hv_synic_status_errno(hv_synic_raise_sint(vp, se->sint));
	return hv_synic_status_errno(hv_synic_signal(vp, se->sint,
						     se->flag_number));
}
