/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hvpart's tracepoints (the "hvpart" system: perf, trace-cmd, tracefs).
 * hv_core/stats.c defines them (CREATE_TRACE_POINTS) and is their only
 * caller.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM hvpart

#if !defined(HV_CORE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define HV_CORE_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(hvpart_entry,
	    TP_PROTO(u64 pt, u32 vp, u64 rip),
	    TP_ARGS(pt, vp, rip),
	    TP_STRUCT__entry(__field(u64, pt)
			     __field(u32, vp)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->pt = pt;
			   __entry->vp = vp;
			   __entry->rip = rip;),
	    TP_printk("p%llu vp%u rip 0x%llx", __entry->pt, __entry->vp,
		      __entry->rip)
);

/* reason: enum hvpart_stat_exit, which hv_core's exit reasons mirror */
TRACE_EVENT(hvpart_exit,
	    TP_PROTO(u64 pt, u32 vp, u32 reason, u64 rip),
	    TP_ARGS(pt, vp, reason, rip),
	    TP_STRUCT__entry(__field(u64, pt)
			     __field(u32, vp)
			     __field(u32, reason)
			     __field(u64, rip)),
	    TP_fast_assign(__entry->pt = pt;
			   __entry->vp = vp;
			   __entry->reason = reason;
			   __entry->rip = rip;),
	    TP_printk("p%llu vp%u reason %s rip 0x%llx", __entry->pt,
		      __entry->vp,
		      __print_symbolic(__entry->reason,
				       { HVPART_STAT_EXIT_NONE, "none" },
				       { HVPART_STAT_EXIT_IO, "io" },
				       { HVPART_STAT_EXIT_CPUID, "cpuid" },
				       { HVPART_STAT_EXIT_MSR_READ, "msr_read" },
				       { HVPART_STAT_EXIT_MSR_WRITE, "msr_write" },
				       { HVPART_STAT_EXIT_NPF, "npf" },
				       { HVPART_STAT_EXIT_HLT, "hlt" },
				       { HVPART_STAT_EXIT_SHUTDOWN, "shutdown" },
				       { HVPART_STAT_EXIT_HYPERCALL, "hypercall" },
				       { HVPART_STAT_EXIT_INTR_WINDOW, "intr_window" },
				       { HVPART_STAT_EXIT_UD, "ud" },
				       { HVPART_STAT_EXIT_XSETBV, "xsetbv" },
				       { HVPART_STAT_EXIT_RDPMC, "rdpmc" },
				       { HVPART_STAT_EXIT_WBINVD, "wbinvd" },
				       { HVPART_STAT_EXIT_UNHANDLED, "unhandled" }),
		      __entry->rip)
);

TRACE_EVENT(hvpart_hypercall,
	    TP_PROTO(u64 pt, u32 vp, u16 code, u16 status),
	    TP_ARGS(pt, vp, code, status),
	    TP_STRUCT__entry(__field(u64, pt)
			     __field(u32, vp)
			     __field(u16, code)
			     __field(u16, status)),
	    TP_fast_assign(__entry->pt = pt;
			   __entry->vp = vp;
			   __entry->code = code;
			   __entry->status = status;),
	    TP_printk("p%llu vp%u code 0x%04x status 0x%04x", __entry->pt,
		      __entry->vp, __entry->code, __entry->status)
);

TRACE_EVENT(hvpart_msr,
	    TP_PROTO(u64 pt, u32 vp, u32 msr, bool write, u64 data),
	    TP_ARGS(pt, vp, msr, write, data),
	    TP_STRUCT__entry(__field(u64, pt)
			     __field(u32, vp)
			     __field(u32, msr)
			     __field(bool, write)
			     __field(u64, data)),
	    TP_fast_assign(__entry->pt = pt;
			   __entry->vp = vp;
			   __entry->msr = msr;
			   __entry->write = write;
			   __entry->data = data;),
	    TP_printk("p%llu vp%u %s msr 0x%x data 0x%llx", __entry->pt,
		      __entry->vp, __entry->write ? "write" : "read",
		      __entry->msr, __entry->data)
);

/*
 * type: the TLFS pending-interruption type (0 interrupt, 2 NMI, ...);
 * rip and rflags: where the guest takes it.
 */
TRACE_EVENT(hvpart_inject,
	    TP_PROTO(u64 pt, u32 vp, u8 type, u8 vector, bool reinject,
		     u64 rip, u64 rflags),
	    TP_ARGS(pt, vp, type, vector, reinject, rip, rflags),
	    TP_STRUCT__entry(__field(u64, pt)
			     __field(u32, vp)
			     __field(u8, type)
			     __field(u8, vector)
			     __field(bool, reinject)
			     __field(u64, rip)
			     __field(u64, rflags)),
	    TP_fast_assign(__entry->pt = pt;
			   __entry->vp = vp;
			   __entry->type = type;
			   __entry->vector = vector;
			   __entry->reinject = reinject;
			   __entry->rip = rip;
			   __entry->rflags = rflags;),
	    TP_printk("p%llu vp%u type %u vector 0x%02x%s rip 0x%llx rflags 0x%llx",
		      __entry->pt, __entry->vp, __entry->type,
		      __entry->vector, __entry->reinject ? " (again)" : "",
		      __entry->rip, __entry->rflags)
);

TRACE_EVENT(hvpart_message,
	    TP_PROTO(u64 pt, u32 vp, u32 type),
	    TP_ARGS(pt, vp, type),
	    TP_STRUCT__entry(__field(u64, pt)
			     __field(u32, vp)
			     __field(u32, type)),
	    TP_fast_assign(__entry->pt = pt;
			   __entry->vp = vp;
			   __entry->type = type;),
	    TP_printk("p%llu vp%u type 0x%08x", __entry->pt, __entry->vp,
		      __entry->type)
);

#endif /* HV_CORE_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
