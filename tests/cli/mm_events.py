"""mm_events.py AGILEMMU CONFIG TRACE MODE: replays a captured trace that carries memory-map events
(tests/programs/mm_churn) in MODE, LT and AT, with the translation-coherence checker on, and checks
that the events reached the guest OS model and the hypervisor: pages unmapped, moved and
re-protected by the program's own calls, page-table writes for them (trapped under shadow
paging), their MMU invalidations, pages faulting back in, every translation checked, no hard
fault."""
import json
import subprocess
import sys
import tempfile

binary, cfg, trace, mode = sys.argv[1:5]
fail = []
for timing in ("lt", "at"):
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        args = [binary, "run", cfg, "--quiet", "--no-host-timing", "--set", f"workload.trace={trace}", "--set",
                f"mmu.mode={mode}", "--set", f"mmu.timing={timing}", "--set", "mmu.check=true", "--json", f.name]
        if timing == "at":
            args += ["--set", "mmu.walkers=2", "--set", "workload.outstanding=4"]
        r = subprocess.run(args, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout, r.stderr)
            sys.exit(f"{mode} {timing}: exit code {r.returncode}")
        j = json.load(open(f.name))
    ev, v = j["mm_events"], j["vmm"]
    name = f"{mode} {timing}"

    def want(cond, what):
        if not cond:
            fail.append(f"{name}: {what}")

    for k in ("mmap", "munmap", "mremap", "brk", "mprotect", "madvise"):
        want(ev[k] > 0, f"no {k} event replayed")
    want(ev["exit"] == 1, f"exit events {ev['exit']}, expected 1")
    want(v["exits"] == 1, "the exit did not tear the address space down")
    # munmap, MADV_DONTNEED and brk shrinking dropped pages the program had touched...
    # (MADV_DONTNEED 16 pages, munmap 512 touched pages, brk 32 pages)
    want(ev["pages_dropped"] >= 16 + 512 + 32, f"only {ev['pages_dropped']} pages dropped")
    want(v["unmaps"] >= ev["pages_dropped"], "dropped pages were not unmapped")
    # ...the mremap moved the 1 MiB it had touched, mprotect and MADV_FREE rewrote leaves...
    want(v["moves"] >= 256, f"only {v['moves']} pages moved by mremap")
    want(v["protects"] >= 2 + 64, f"only {v['protects']} leaves rewritten by mprotect/MADV_FREE")
    # ...each of them a guest page-table write beyond those of the demand faults,
    writes_for_events = v["unmaps"] + v["protects"] + 2 * v["moves"]
    want(v["guest_pt_writes"] >= v["demand_faults"] + writes_for_events,
         f"guest_pt_writes {v['guest_pt_writes']} < demand faults {v['demand_faults']} + event writes {writes_for_events}")
    # trapped where the hypervisor shadows the guest's tables (all of them under shadow paging),
    traps = v["traps"]["pt_write"]
    if mode == "shadow":
        want(traps == v["guest_pt_writes"], f"pt_write traps {traps} != guest writes {v['guest_pt_writes']}")
    elif mode in ("native", "nested"):
        want(traps == 0, f"{traps} pt_write traps in {mode} mode")
    # and an MMU invalidation for every page the events changed.
    inv = j["mmu"]["invalidations_by_kind"]
    want(inv["page"] + inv["range"] >= v["unmaps"] + v["protects"] + v["moves"], f"too few invalidations {inv}")
    # Dropped pages the program touched again faulted back in.
    want(v["demand_faults"] >= 256 + 16 + 256 + 64, f"only {v['demand_faults']} demand faults")
    want(j["hard_faults"] == 0, f"{j['hard_faults']} hard faults")
    want(j["mmu"]["checked_translations"] == j["translations"],
         f"checked {j['mmu']['checked_translations']} of {j['translations']} translations")
    print(f"{name}: {j['accesses']} accesses, events {ev}, unmaps {v['unmaps']}, moves {v['moves']}, "
          f"protects {v['protects']}, guest pt writes {v['guest_pt_writes']}, pt_write traps {traps}, "
          f"{j['mmu']['checked_translations']} translations checked")
if fail:
    print("\n".join("FAIL " + f for f in fail))
    sys.exit(1)
