// SPDX-License-Identifier: GPL-2.0
/*
 * hvctl: building and tearing down a worker's partition.
 *
 * Setup order: capabilities, partition (with hvpart's local APICs when
 * it has them), VP limit, Hyper-V feature set, guest RAM at GPA 0, the
 * I/O intercepts, the VPs, the devices.  Teardown undoes whatever was
 * done, so it is safe after a setup that failed half way.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_tun.h>

#include "cli.h"
#include "hvfeatures.h"
#include "loader.h"
#include "tlfs.h"
#include "util.h"
#include "vmbus/vmbus.h"
#include "worker.h"

void worker_init(struct worker *w)
{
	memset(w, 0, sizeof(*w));
	w->sys_fd = -1;
	w->pt_fd = -1;
	w->io_wake_fd = -1;
	w->net_fd = -1;
	pthread_mutex_init(&w->dev_lock, NULL);
	pthread_mutex_init(&w->stop_lock, NULL);
}

static int worker_check_caps(struct worker *w, const struct worker_config *cfg)
{
	int max_vps, gpa_bits;

	w->vendor = hvp_check_extension(w->sys_fd, HVPART_CAP_VENDOR);
	if (hvp_check_extension(w->sys_fd, HVPART_CAP_IO_INTERCEPT) <= 0) {
		hvctl_err("hvpart cannot intercept I/O ports (no HVPART_CAP_IO_INTERCEPT)");
		return -EOPNOTSUPP;
	}
	w->has_completion =
		hvp_check_extension(w->sys_fd, HVPART_CAP_RUN_COMPLETION) > 0;
	w->has_translate =
		hvp_check_extension(w->sys_fd, HVPART_CAP_TRANSLATE_GVA) > 0;

	w->has_lapic =
		hvp_check_extension(w->sys_fd, HVPART_CAP_LOCAL_APIC) == 1;
	if (cfg->nr_vps > 1 && !w->has_lapic) {
		hvctl_err("%u VPs asked for: more than one needs hvpart's local APIC (HVPART_CAP_LOCAL_APIC), which the loaded hvpart lacks",
			  cfg->nr_vps);
		return -EOPNOTSUPP;
	}

	max_vps = hvp_check_extension(w->sys_fd, HVPART_CAP_MAX_VPS);
	if (max_vps > 0 && cfg->nr_vps > (unsigned int)max_vps) {
		hvctl_err("%u VPs asked for, hvpart allows %d per partition",
			  cfg->nr_vps, max_vps);
		return -EINVAL;
	}
	gpa_bits = hvp_check_extension(w->sys_fd, HVPART_CAP_MAX_GPA_BITS);
	if (gpa_bits > 0 && gpa_bits < 64 &&
	    cfg->ram_size > (1ull << gpa_bits)) {
		hvctl_err("%llu MiB of RAM asked for, guest physical addresses have %d bits",
			  (unsigned long long)(cfg->ram_size >> 20), gpa_bits);
		return -EINVAL;
	}
	return 0;
}

/*
 * Warns about each group turned on without a group it needs, or left on
 * with one turned off.
 */
static void worker_hv_warn_needs(const struct hvf_select *sel,
				 const uint64_t bits[HVF_NR_PROPS])
{
	uint32_t present = hvf_groups_present(bits);
	uint32_t warn = hvf_unmet_groups(sel, bits), unmet;
	char names[256];
	unsigned int i;

	for (i = 0; i < hvf_nr_groups; i++) {
		if (!(warn & (1u << i)))
			continue;
		unmet = hvf_unmet_needs(i, present);
		hvf_group_names(unmet, ", ", names, sizeof(names));
		hvctl_warn("Hyper-V group '%s' is of no use to a guest without %s",
			   hvf_groups[i].name, names);
	}
}

/* What the --hv options ask for, checked against what hvpart supports. */
static int worker_hv_resolve(struct worker *w, const struct hvf_select *sel,
			     uint64_t want[HVF_NR_PROPS])
{
	uint64_t supported[HVF_NR_PROPS];
	char err[768];
	unsigned int p;
	int ret;

	for (p = 0; p < HVF_NR_PROPS; p++) {
		ret = hvp_get_partition_property(w->pt_fd,
						 hvf_supported_code[p],
						 &supported[p]);
		if (ret) {
			hvctl_err("the loaded hvpart does not say which Hyper-V %s it supports (HVPART_GET_PARTITION_PROPERTY %u: %s): it cannot take --hv options",
				  hvf_prop_name[p], hvf_supported_code[p],
				  strerror(-ret));
			return ret;
		}
	}
	ret = hvf_resolve(sel, supported, want, err, sizeof(err));
	if (ret) {
		hvctl_err("%s", err);
		return ret;
	}
	worker_hv_warn_needs(sel, want);
	return 0;
}

/* --verbose: the feature set the guest will see. */
static void worker_hv_info(struct worker *w)
{
	uint64_t bits[HVF_NR_PROPS], spin;
	char names[512];
	unsigned int p;

	if (!hvctl_verbose)
		return;
	for (p = 0; p < HVF_NR_PROPS; p++)
		if (hvp_get_partition_property(w->pt_fd, hvf_prop_code[p],
					       &bits[p]))
			return;
	hvf_group_names(hvf_groups_present(bits), " ", names, sizeof(names));
	hvctl_info("Hyper-V: privileges 0x%llx, features 0x%llx, recommendations 0x%llx",
		   (unsigned long long)bits[HVF_PRIVILEGES],
		   (unsigned long long)bits[HVF_FEATURES],
		   (unsigned long long)bits[HVF_RECOMMENDATIONS]);
	hvctl_info("Hyper-V groups: %s", names);
	if (!hvp_get_partition_property(w->pt_fd, HVPART_PROP_SPIN_RETRY,
					&spin))
		hvctl_info("Hyper-V spin retry count: 0x%llx",
			   (unsigned long long)spin);
}

/*
 * Sets the partition's privilege mask, features, recommendations and
 * spin retry count as @sel asks; without --hv options they keep what
 * hvpart gives a new partition.
 */
static int worker_setup_hyperv(struct worker *w, const struct hvf_select *sel)
{
	uint64_t want[HVF_NR_PROPS];
	unsigned int p;
	int ret;

	if (sel && sel->given) {
		ret = worker_hv_resolve(w, sel, want);
		if (ret)
			return ret;
		for (p = 0; p < HVF_NR_PROPS; p++) {
			ret = hvp_set_partition_property(w->pt_fd,
							 hvf_prop_code[p],
							 want[p]);
			if (ret) {
				hvctl_err("cannot set the partition's Hyper-V %s to 0x%llx: %s",
					  hvf_prop_name[p],
					  (unsigned long long)want[p],
					  strerror(-ret));
				return ret;
			}
		}
	}
	if (sel && sel->spin_retry_set) {
		ret = hvp_set_partition_property(w->pt_fd,
						 HVPART_PROP_SPIN_RETRY,
						 sel->spin_retry);
		if (ret) {
			hvctl_err("cannot set the partition's spin retry count to %u: %s",
				  sel->spin_retry, strerror(-ret));
			return ret;
		}
	}
	worker_hv_info(w);
	return 0;
}

static int worker_setup_ram(struct worker *w, uint64_t size)
{
	void *ram;
	int ret;

	ram = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ram == MAP_FAILED) {
		ret = -errno;
		hvctl_err("cannot allocate %llu MiB of guest RAM: %s",
			  (unsigned long long)(size >> 20), strerror(-ret));
		return ret;
	}
	w->ram = ram;
	w->ram_size = size;

	ret = hvp_map_gpa_range(w->pt_fd, 0, size, ram,
				HVPART_MAP_READABLE | HVPART_MAP_WRITABLE |
				HVPART_MAP_EXECUTABLE);
	if (ret) {
		hvctl_err("HVPART_MAP_GPA_RANGE of %llu MiB at GPA 0: %s",
			  (unsigned long long)(size >> 20), strerror(-ret));
		return ret;
	}
	w->ram_mapped = true;
	return 0;
}

static int worker_setup_vps(struct worker *w, unsigned int nr_vps)
{
	unsigned int i;
	int ret;

	w->vps = calloc(nr_vps, sizeof(*w->vps));
	if (!w->vps) {
		hvctl_err("out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < nr_vps; i++) {
		ret = hvp_create_vp(w->sys_fd, w->pt_fd, i, &w->vps[i].vp);
		if (ret) {
			hvctl_err("cannot create VP%u: %s", i, strerror(-ret));
			return ret;
		}
		w->vps[i].w = w;
		w->nr_vps = i + 1;
	}
	return 0;
}

/* The I/O APIC's way to the local APICs: HVPART_ASSERT_INTERRUPT. */
static int worker_deliver(struct ioapic *io,
			  const struct hvpart_assert_interrupt *ai)
{
	struct worker *w = container_of(io, struct worker, ioapic);
	int ret;

	ret = w->has_lapic ? hvp_assert_interrupt(w->pt_fd, ai) : -ENXIO;
	if (ret && !w->assert_warned) {
		w->assert_warned = true;
		hvctl_warn("an I/O APIC interrupt (type %u, vector %u, destination 0x%llx) is lost: %s%s",
			   ai->type, ai->vector,
			   (unsigned long long)ai->destination,
			   w->has_lapic ? "HVPART_ASSERT_INTERRUPT: " : "",
			   w->has_lapic ? strerror(-ret) :
			   "the loaded hvpart has no local APIC");
	}
	return ret;
}

/* COM1's interrupt line is the I/O APIC's pin 4. */
static void worker_com1_irq(struct uart16550 *u, bool level)
{
	struct worker *w = container_of(u, struct worker, com1);

	ioapic_set_irq(&w->ioapic, WORKER_COM1_PIN, level);
}

/*
 * QEMU's SynIC test device, for partitions with the local APIC whose
 * guest may use the SynIC (HVPART_CAP_SYNIC, AccessSynicRegs granted).
 */
static int worker_setup_testdev(struct worker *w)
{
	uint64_t privileges;

	if (!w->has_lapic || w->io_wake_fd < 0 ||
	    hvp_check_extension(w->sys_fd, HVPART_CAP_SYNIC) != 1 ||
	    hvp_get_partition_property(w->pt_fd, HVPART_PROP_PRIVILEGE_MASK,
				       &privileges) ||
	    !(privileges & HV_MSR_SYNIC_AVAILABLE))
		return 0;
	hvtestdev_init(&w->testdev, w->pt_fd, w->nr_vps, w->io_wake_fd);
	w->has_testdev = true;
	hvctl_info("hyperv-testdev (QEMU's SynIC test device) at port 0x%x",
		   HVTESTDEV_BASE);
	return 0;
}

/* Opens (and creates if need be) tap device @name: an fd or -errno. */
static int worker_open_tap(const char *name)
{
	struct ifreq ifr;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* virtio-net headers: the guest's checksum and LSO offloads */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	return fd;
}

/* The network adapter of --net, on a tap device. */
static int worker_setup_net(struct worker *w)
{
	char ifname[16], err[256];
	uint8_t mac[6];
	int ret;

	if (vmbus_net_parse(w->net, ifname, mac, err, sizeof(err))) {
		hvctl_err("%s", err);
		return -EINVAL;
	}
	ret = worker_open_tap(ifname);
	if (ret < 0) {
		hvctl_err("--net: cannot open tap device %s (/dev/net/tun): %s",
			  ifname, strerror(-ret));
		return ret;
	}
	w->net_fd = ret;
	ret = vmbus_add_net(w->vmbus, w->net_fd, mac);
	if (ret) {
		hvctl_err("--net: cannot add the network adapter: %s",
			  strerror(-ret));
		return ret;
	}
	hvctl_info("VMBus: network adapter %02x:%02x:%02x:%02x:%02x:%02x on tap %s",
		   mac[0], mac[1], mac[2], mac[3], mac[4], mac[5], ifname);
	return 0;
}

/*
 * VMBus with its util devices, for partitions whose guest may use the
 * SynIC, post messages and signal events, as Hyper-V's children can.
 */
static int worker_setup_vmbus(struct worker *w,
			      const struct worker_config *cfg)
{
	const uint64_t need = HV_MSR_SYNIC_AVAILABLE | HV_POST_MESSAGES |
			      HV_SIGNAL_EVENTS;
	uint64_t privileges;
	unsigned int i;
	int ret;

	if (!w->has_lapic ||
	    hvp_check_extension(w->sys_fd, HVPART_CAP_SYNIC) != 1 ||
	    hvp_get_partition_property(w->pt_fd, HVPART_PROP_PRIVILEGE_MASK,
				       &privileges) ||
	    (privileges & need) != need) {
		if (!cfg->nr_disks && !w->net && !cfg->nr_vsock)
			return 0;
		hvctl_err("%s needs VMBus: hvpart's local APIC, and the SynIC, messages and events granted (--hv-on synic,messages)",
			  cfg->nr_disks ? "--disk" : w->net ? "--net" :
			  "--vsock-port");
		return -EINVAL;
	}
	w->vmbus = vmbus_create(w->pt_fd, w->ram, w->ram_size, w->nr_vps);
	if (!w->vmbus)
		return -ENOMEM;
	ret = vmbus_add_ics(w->vmbus);
	if (!ret && cfg->nr_disks)
		ret = vmbus_add_storage(w->vmbus, cfg->disks, cfg->nr_disks,
					w->nr_vps);
	if (!ret && w->net)
		ret = worker_setup_net(w);
	for (i = 0; !ret && i < cfg->nr_vsock; i++)
		ret = vmbus_add_vsock_port(w->vmbus, cfg->vsock[i]);
	if (ret)
		return ret;
	ret = vmbus_start(w->vmbus);
	if (ret)
		hvctl_err("cannot start VMBus: %s", strerror(-ret));
	else
		hvctl_info("VMBus: shutdown, time sync and heartbeat%s%s",
			   cfg->nr_disks ? ", SCSI" : "",
			   w->net ? ", network" : "");
	return ret;
}

int worker_setup_devices(struct worker *w, int in_fd, int out_fd)
{
	int ret;

	uart16550_init(&w->com1, COM1_BASE, in_fd, out_fd);
	debug_exit_init(&w->debug_exit, &w->power);
	bochs_shutdown_init(&w->shutdown, &w->power);
	acpi_pm_init(&w->acpi_pm, &w->power);
	fw_cfg_init(&w->fw_cfg, w->ram_size, w->nr_vps);
	pic_stub_init(&w->pic[0], PIC_MASTER_BASE);
	pic_stub_init(&w->pic[1], PIC_SLAVE_BASE);
	cmos_rtc_init(&w->rtc);
	ioapic_init(&w->ioapic, worker_deliver);
	if (w->has_lapic) {
		/* Interrupts need input noticed while the guest waits. */
		w->io_wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w->io_wake_fd < 0) {
			ret = -errno;
			hvctl_err("cannot create an eventfd: %s",
				  strerror(-ret));
			return ret;
		}
		w->com1.irq_set = worker_com1_irq;
		w->com1.wake_fd = w->io_wake_fd;
	}

	ret = worker_setup_testdev(w);
	if (ret)
		return ret;

	ret = port_bus_add(&w->bus, &w->com1.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->debug_exit.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->shutdown.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->acpi_pm.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->fw_cfg.dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->pic[0].dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->pic[1].dev);
	if (!ret)
		ret = port_bus_add(&w->bus, &w->rtc.dev);
	if (!ret && w->has_testdev)
		ret = port_bus_add(&w->bus, &w->testdev.dev);
	if (!ret)
		ret = mmio_bus_add(&w->mmio, &w->ioapic.dev);
	if (ret)
		hvctl_err("cannot add devices to the buses: %s",
			  strerror(-ret));
	return ret;
}

/*
 * Creates the partition with its RAM, VPs and devices.  Returns 0, or
 * -errno after printing why; call worker_destroy() either way.
 */
int worker_setup(struct worker *w, const struct worker_config *cfg)
{
	int ret;

	w->sys_fd = hvctl_open_device();
	if (w->sys_fd < 0)
		return -ENODEV;
	ret = worker_check_caps(w, cfg);
	if (ret)
		return ret;

	w->pt_fd = hvp_create_partition(w->sys_fd, w->has_lapic ?
					HVPART_CREATE_PARTITION_LOCAL_APIC : 0);
	if (w->pt_fd < 0) {
		ret = w->pt_fd;
		hvctl_err("HVPART_CREATE_PARTITION: %s", strerror(-ret));
		return ret;
	}
	ret = hvp_set_partition_property(w->pt_fd, HVPART_PROP_MAX_VPS,
					 cfg->nr_vps);
	if (ret) {
		hvctl_err("cannot set the partition's VP limit to %u: %s",
			  cfg->nr_vps, strerror(-ret));
		return ret;
	}
	ret = worker_setup_hyperv(w, cfg->hv);
	if (ret)
		return ret;

	ret = worker_setup_ram(w, cfg->ram_size);
	if (ret)
		return ret;
	if (cfg->ram_size > IOAPIC_BASE)
		hvctl_warn("guest RAM covers the I/O APIC at 0x%llx: the guest gets RAM there",
			   IOAPIC_BASE);

	/* Every port comes to the worker; its bus answers unclaimed ones. */
	ret = hvp_install_intercept(w->pt_fd, HVPART_INTERCEPT_TYPE_X64_IO_PORT,
				    HVPART_INTERCEPT_ACCESS_MASK_READ |
				    HVPART_INTERCEPT_ACCESS_MASK_WRITE,
				    0, 0xffff);
	if (ret) {
		hvctl_err("HVPART_INSTALL_INTERCEPT for ports 0-0xffff: %s",
			  strerror(-ret));
		return ret;
	}

	ret = worker_setup_vps(w, cfg->nr_vps);
	if (ret)
		return ret;
	w->net = cfg->net;
	ret = worker_setup_devices(w, cfg->in_fd, cfg->out_fd);
	if (ret)
		return ret;
	return worker_setup_vmbus(w, cfg);
}

/* Puts VP @index into the state @bs asks for. */
int worker_boot_vp(struct worker *w, unsigned int index,
		   const struct boot_state *bs)
{
	struct hvp_vp *vp = &w->vps[index].vp;
	struct hvpart_register regs[2];
	int ret;

	switch (bs->kind) {
	case BOOT_MULTIBOOT:
		ret = hvp_vp_set_flat32(vp, bs->entry, bs->gdt_base,
					bs->gdt_limit);
		if (ret)
			break;
		hvp_reg64(&regs[0], HVPART_REG_RAX, MULTIBOOT_BOOTLOADER_MAGIC);
		hvp_reg64(&regs[1], HVPART_REG_RBX, bs->mbi_addr);
		ret = hvp_set_regs(vp, regs, 2);
		break;
	case BOOT_LINUX64:
		ret = hvp_vp_set_long64(vp, bs->entry64, bs->cr3, bs->gdt_base,
					bs->gdt_limit, LINUX_BOOT_CS,
					LINUX_BOOT_DS);
		if (ret)
			break;
		hvp_reg64(&regs[0], HVPART_REG_RSI, bs->zero_page);
		ret = hvp_set_regs(vp, regs, 1);
		break;
	case BOOT_RAW:
		ret = hvp_vp_set_real_mode(vp, bs->cs, bs->ip);
		if (ret)
			break;
		hvp_reg64(&regs[0], HVPART_REG_RDX, bs->dl);
		hvp_reg64(&regs[1], HVPART_REG_RSP, bs->sp);
		ret = hvp_set_regs(vp, regs, 2);
		break;
	default:
		ret = -EINVAL;
		break;
	}
	if (ret)
		hvctl_err("VP%u: cannot set the boot state: %s", index,
			  strerror(-ret));
	return ret;
}

void worker_destroy(struct worker *w)
{
	unsigned int i, n = w->nr_vps;
	int ret;

	/* Its thread signals VPs and reads guest RAM: before both go. */
	vmbus_destroy(w->vmbus);
	w->vmbus = NULL;
	if (w->net_fd >= 0)
		close(w->net_fd);
	w->net_fd = -1;

	/* First, so that a late signal's handler touches no run page. */
	__atomic_store_n(&w->nr_vps, 0, __ATOMIC_SEQ_CST);
	for (i = 0; i < n; i++)
		hvp_destroy_vp(&w->vps[i].vp);
	free(w->vps);
	w->vps = NULL;

	if (w->has_testdev)
		hvtestdev_destroy(&w->testdev);
	w->has_testdev = false;

	if (w->ram_mapped) {
		ret = hvp_unmap_gpa_range(w->pt_fd, 0, w->ram_size);
		if (ret)
			hvctl_warn("HVPART_UNMAP_GPA_RANGE: %s", strerror(-ret));
		w->ram_mapped = false;
	}
	if (w->ram)
		munmap(w->ram, w->ram_size);
	w->ram = NULL;

	if (w->pt_fd >= 0)
		close(w->pt_fd);
	if (w->sys_fd >= 0)
		close(w->sys_fd);
	if (w->io_wake_fd >= 0)
		close(w->io_wake_fd);
	w->pt_fd = -1;
	w->sys_fd = -1;
	w->io_wake_fd = -1;
}
