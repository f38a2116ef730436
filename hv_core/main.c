// SPDX-License-Identifier: GPL-2.0
/*
 * hvpart module init: pick the vendor backend, take SVM or VMX root on
 * every online CPU (and on CPUs that come online later), give it up on
 * unload, reboot, kexec and suspend (back on resume), and expose
 * /dev/hvpart last.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/percpu.h>
#include <linux/reboot.h>
#include <linux/syscore_ops.h>
#include <asm/mce.h>
#include <asm/ptrace.h>

#include "hv_core/hv.h"
#include "hv_ioctl/dev.h"

struct hv_vendor_ops hv_vendor __ro_after_init;

static DEFINE_PER_CPU(bool, hv_cpu_enabled);
static enum cpuhp_state hv_cpuhp_state;

/*
 * Is this CPU in virtualization root?  A CPU going offline, or a reboot,
 * drops root while VP threads may still be scheduled here: the run loop
 * checks, with interrupts off, before every entry.
 */
bool hv_cpu_root_active(void)
{
	return this_cpu_read(hv_cpu_enabled);
}

static int hv_cpu_online(unsigned int cpu)
{
	int ret;

	if (this_cpu_read(hv_cpu_enabled))
		return 0;
	ret = hv_vendor_call(hardware_enable)();
	if (ret)
		return ret;
	this_cpu_write(hv_cpu_enabled, true);
	return 0;
}

static void hv_cpu_disable(void *unused)
{
	if (!this_cpu_read(hv_cpu_enabled))
		return;
	hv_vendor_call(hardware_disable)();
	this_cpu_write(hv_cpu_enabled, false);
}

static int hv_cpu_offline(unsigned int cpu)
{
	hv_cpu_disable(NULL);
	return 0;
}

/*
 * Reboot, power off and kexec (kernel_kexec() runs the reboot notifiers)
 * leave root on every CPU.  The kernel's emergency hook for crashes
 * (cpu_emergency_register_virt_callback()) has a single slot that KVM
 * claims, and claiming it first makes a later kvm_amd/kvm_intel load
 * WARN: hvpart leaves it to KVM, so a kdump kernel may start with SVM or
 * VMX still on in the CPUs that crashed (see README, Limits).
 */
static int hv_reboot_notify(struct notifier_block *nb, unsigned long code,
			    void *unused)
{
	on_each_cpu(hv_cpu_disable, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block hv_reboot_nb = {
	.notifier_call = hv_reboot_notify,
};

/*
 * Suspend (S3, hibernation) and resume: the CPUs other than the one
 * these run on have gone offline through the hotplug callbacks already;
 * this one leaves root before the platform sleeps (VMX loses VMXON, SVM
 * its host-save area) and takes it again on resume, interrupts off, as
 * kvm_suspend() and kvm_resume() do.  VP threads are frozen, outside the
 * guest: the run loop checks root, with interrupts off, before entry.
 */
#ifdef HV_SYSCORE_HAS_DATA
#define HV_SYSCORE_ARGS	void *unused
#else
#define HV_SYSCORE_ARGS	void
#endif

static bool hv_root_at_suspend;

static int hv_suspend(HV_SYSCORE_ARGS)
{
	hv_root_at_suspend = hv_cpu_root_active();
	hv_cpu_disable(NULL);
	return 0;
}

static void hv_resume(HV_SYSCORE_ARGS)
{
	if (hv_root_at_suspend && hv_cpu_online(smp_processor_id()))
		pr_err("CPU %d: root not taken again after resume\n",
		       smp_processor_id());
}

#ifdef HV_SYSCORE_HAS_DATA
/* 6.18's syscore API, which Debian's 6.12 carries */
static const struct syscore_ops hv_syscore_ops = {
	.suspend	= hv_suspend,
	.resume		= hv_resume,
};

static struct syscore hv_syscore = { .ops = &hv_syscore_ops };

static void hv_syscore_register(void)
{
	register_syscore(&hv_syscore);
}

static void hv_syscore_unregister(void)
{
	unregister_syscore(&hv_syscore);
}
#else
static struct syscore_ops hv_syscore_ops = {
	.suspend	= hv_suspend,
	.resume		= hv_resume,
};

static void hv_syscore_register(void)
{
	register_syscore_ops(&hv_syscore_ops);
}

static void hv_syscore_unregister(void)
{
	unregister_syscore_ops(&hv_syscore_ops);
}
#endif

/*
 * A machine check that arrived in guest mode exited to us instead of
 * reaching the host's IDT: hand it to the host's handler, as if it came
 * from user mode, as KVM's kvm_machine_check() does.  Interrupts off,
 * right after the exit.
 */
void hv_host_machine_check(void)
{
#ifdef CONFIG_X86_MCE
	struct pt_regs regs = {
		.cs = 3,	/* RPL 3: like a user-mode #MC */
		.flags = X86_EFLAGS_IF,
	};

	do_machine_check(&regs);
#endif
}

/* As kvm_ops_update() does: a backend must fill every mandatory op. */
static bool hv_vendor_ops_complete(void)
{
	static const struct {
		const char *name;
		size_t offset;
	} mandatory[] = {
#define HV_VENDOR_OP(func)	{ #func, offsetof(struct hv_vendor_ops, func) },
#define HV_VENDOR_OP_OPTIONAL(func)
#include "hv_core/hv_vendor_ops.h"
	};
	bool ok = hv_vendor.pte_format && hv_vendor.vp_size;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mandatory); i++) {
		const void * const *op = (const void *)&hv_vendor +
					 mandatory[i].offset;

		if (!*op) {
			pr_err("%s backend lacks %s\n", hv_vendor.name,
			       mandatory[i].name);
			ok = false;
		}
	}
	return !WARN_ON(!ok);
}

static int hv_probe_vendor(void)
{
	const struct hv_vendor_ops *ops = NULL;
	int ret;

	ret = hv_svm_probe(&ops);
	if (ret == -ENODEV)
		ret = hv_vmx_probe(&ops);
	if (ret)
		return ret;
	hv_vendor = *ops;
	return hv_vendor_ops_complete() ? 0 : -EINVAL;
}

static int __init hvpart_init(void)
{
	int ret;

	ret = hv_probe_vendor();
	if (ret) {
		if (ret == -ENODEV)
			pr_err("no usable SVM or VMX on this CPU\n");
		return ret;
	}

	hv_xsave_init();
	ret = hv_spec_init();
	if (ret)
		return ret;
	ret = hv_vendor_call(hardware_setup)();
	if (ret)
		goto spec_exit;

	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "hvpart:online",
				hv_cpu_online, hv_cpu_offline);
	if (ret < 0)
		goto unsetup;
	hv_cpuhp_state = ret;

	ret = register_reboot_notifier(&hv_reboot_nb);
	if (ret)
		goto remove_cpuhp;
	hv_syscore_register();
	ret = hv_reftime_module_init();
	if (ret)
		goto unregister_reboot;

	/* /dev/hvpart must come last: userspace can use it at once. */
	ret = hv_dev_register();
	if (ret)
		goto reftime_exit;

	pr_info("%s root taken on %u CPUs\n", hv_vendor.name,
		num_online_cpus());
	return 0;

reftime_exit:
	hv_reftime_module_exit();
unregister_reboot:
	hv_syscore_unregister();
	unregister_reboot_notifier(&hv_reboot_nb);
remove_cpuhp:
	cpuhp_remove_state(hv_cpuhp_state);
unsetup:
	hv_vendor_call(hardware_unsetup)();
spec_exit:
	hv_spec_exit();
	return ret;
}

static void __exit hvpart_exit(void)
{
	hv_dev_unregister();
	hv_reftime_module_exit();
	hv_syscore_unregister();
	unregister_reboot_notifier(&hv_reboot_nb);
	cpuhp_remove_state(hv_cpuhp_state);
	hv_vendor_call(hardware_unsetup)();
	hv_spec_exit();
	pr_info("%s root released\n", hv_vendor.name);
}

module_init(hvpart_init);
module_exit(hvpart_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("hvpart: a Hyper-V TLFS hypervisor core");
