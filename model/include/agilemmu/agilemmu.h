// The model's public API in one include: page-table formats and the reference walk (pt), the
// guest OS and hypervisor that build and change the tables (vmm), and the MMU with its TLBs and
// walk caches as a SystemC/TLM-2.0 module (mmu), and the statistics registry naming their counters
// (stats).
#pragma once

#include <agilemmu/version.h>

#include <agilemmu/config_issue.h>

#include <agilemmu/pt/format.h>
#include <agilemmu/pt/phys_mem.h>
#include <agilemmu/pt/print.h>
#include <agilemmu/pt/walk.h>
#include <agilemmu/pt/walk_timing.h>

#include <agilemmu/stats/registry.h>

#include <agilemmu/vmm/address_space.h>
#include <agilemmu/vmm/frame_alloc.h>
#include <agilemmu/vmm/radix_table.h>
#include <agilemmu/vmm/vmm.h>
#include <agilemmu/vmm/vmm_stats_group.h>

#include <agilemmu/mmu/mmu.h>
#include <agilemmu/mmu/mmu_config.h>
#include <agilemmu/mmu/mmu_ext.h>
#include <agilemmu/mmu/mmu_stats.h>
#include <agilemmu/mmu/mmu_stats_group.h>
#include <agilemmu/mmu/set_assoc.h>
#include <agilemmu/mmu/tlb.h>
#include <agilemmu/mmu/walk_caches.h>
