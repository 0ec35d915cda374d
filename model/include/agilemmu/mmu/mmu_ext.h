// TLM-2.0 extension carried by every CPU request to the Mmu (FIG. 8 block 102: the origin says
// whether the address is a gVA from a guest or an hVA from the host) and, on the way back, the
// walk's outcome: a fault when the response is TLM_ADDRESS_ERROR_RESPONSE.
#pragma once
#include <systemc>
#include <tlm>

#include <agilemmu/pt/walk.h>

namespace agilemmu::mmu {

enum class Origin : uint8_t { Guest, Host };

struct MmuExtension : tlm::tlm_extension<MmuExtension> {
  // request
  uint16_t asid = 0;
  uint16_t vmid = 0;
  Origin origin = Origin::Guest;
  pt::Access access = pt::Access::Read;
  bool user = true;
  // RISC-V sstatus.SUM (vsstatus.SUM for a guest): supervisor loads and stores may touch U pages.
  // Ignored for x86-64. (MXR is not carried: a TLB entry keeps both stages' permissions combined,
  // and MXR applies to each stage apart; pt::WalkRequest has it for walks.)
  bool sum = false;
  // Opaque to the MMU: copied into the WalkAccess of every reference of the walk made for this
  // request, so a memory or a testbench can attribute walk traffic to its request.
  uint64_t tag = 0;
  // response
  bool tlb_hit = false;
  uint64_t hpa = 0;
  pt::Fault fault;  // stage None unless the request faulted

  tlm::tlm_extension_base* clone() const override { return new MmuExtension(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const MmuExtension&>(o); }
};

// Carried by every page-table read and A/D write the walkers send out on compound_port and
// nested_port: which table entry it is. Targets may ignore it; a memory that keeps only the
// page-table bytes (our Dram without `store_data`) stores these writes, and a platform may route
// or count walk traffic by it.
struct WalkAccess : tlm::tlm_extension<WalkAccess> {
  pt::Table table = pt::Table::Native;
  uint8_t level = 0;
  uint64_t tag = 0;  // the MmuExtension::tag of the request the walk serves
  // Set by a target that serves nb_transport_fw itself on this socket (any legal answer, none of
  // it waiting in the caller): an `at` Mmu whose walk ports both say so runs its walks as state
  // machines advanced by the responses, without a thread switch per reference. A target that does
  // not know this extension leaves it false, and walks keep calling b_transport from a thread.
  bool nb_transport = false;
  tlm::tlm_extension_base* clone() const override { return new WalkAccess(*this); }
  void copy_from(const tlm::tlm_extension_base& o) override { *this = static_cast<const WalkAccess&>(o); }
};

}  // namespace agilemmu::mmu
