#!/usr/bin/env python3
"""End-to-end checks of `agilemmu sweep` (run by CTest, one case per entry):
    sweep_test.py CASE AGILEMMU_BINARY
Each case works in its own temporary directory so CTest may run them in parallel."""
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "data")
TIMING = {"host_seconds", "stat.host_seconds", "accesses_per_second"}  # host timing: the only columns allowed to differ between runs


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(*args, cwd=None, rc=None):
    p = subprocess.run([BIN, *args], cwd=cwd, capture_output=True, text=True)
    if rc is not None and p.returncode != rc:
        raise Fail(f"{' '.join(args)}: exit {p.returncode}, expected {rc}\nstderr:\n{p.stderr}")
    return p


def read_csv(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    check(rows, f"{path} is empty")
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]], rows


def read_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def without_timing(rows):
    header = rows[0]
    keep = [i for i, c in enumerate(header) if c not in TIMING]
    return [[r[i] for i in keep] for r in rows]


def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(flatten(v, name))
        elif v is None:
            out[name] = ""
        elif isinstance(v, str):
            out[name] = v
        else:
            out[name] = json.dumps(v)
    return out


def sweep(spec, tmp, *extra, rc=0, out="r.csv"):
    p = run("sweep", os.path.join(DATA, spec), "--out", os.path.join(tmp, out), *extra, rc=rc)
    return p, os.path.join(tmp, out)


def case_small_csv(tmp):
    """4 points: right rows in product order, swept keys first, every statistic equal to a direct run."""
    _, out = sweep("small.yaml", tmp, "--jobs", "2")
    header, rows, _ = read_csv(out)
    check(header[:2] == ["mmu.mode", "format.levels"], f"swept keys not first: {header}")
    check(header[-4:] == ["host_seconds", "point", "status", "error"], f"tail columns: {header}")
    want = [(m, l) for m in ("shadow", "nested") for l in ("4", "5")]
    check([(r["mmu.mode"], r["format.levels"]) for r in rows] == want, f"rows not in product order: {rows}")
    base = os.path.realpath(os.path.join(HERE, "../../configs/agile.yaml"))
    for i, r in enumerate(rows):
        check(r["status"] == "ok" and r["error"] == "", f"row {i} not ok: {r}")
        check(r["point"] == str(i), f"row {i} has point {r['point']}")
        check(float(r["host_seconds"]) > 0, f"row {i}: host_seconds {r['host_seconds']}")
        # Independent oracle: the same point run by hand.
        j = os.path.join(tmp, f"direct{i}.json")
        run("run", base, "--set", f"mmu.mode={r['mmu.mode']}", "--set", f"format.levels={r['format.levels']}",
            "--json", j, rc=0)
        with open(j) as f:
            direct = flatten(json.load(f))
        check(direct, "the direct run wrote no statistics")
        for k, v in direct.items():
            if k not in TIMING:
                check(r.get(k) == v, f"row {i} column {k}: sweep {r.get(k)!r}, direct run {v!r}")
        check(r["mode"] == r["mmu.mode"], f"row {i}: the run did not get its --set: {r}")
    recs = read_jsonl(os.path.join(tmp, "r.jsonl"))
    check([x["point"] for x in recs] == [0, 1, 2, 3], "results.jsonl not in point order")
    check([(x["assignments"]["mmu.mode"], x["assignments"]["format.levels"]) for x in recs] == want, "jsonl rows")


def case_zip(tmp):
    """zip lists advance together: 2 axis values x 2 zip steps = 4 points, levels == nested_levels."""
    _, out = sweep("zip.yaml", tmp)
    header, rows, _ = read_csv(out)
    check(header[:3] == ["mmu.mode", "format.levels", "format.nested_levels"], f"header {header}")
    check(len(rows) == 4, f"{len(rows)} rows")
    for r in rows:
        check(r["format.levels"] == r["format.nested_levels"] and r["status"] == "ok", f"row {r}")


def case_resume(tmp):
    """--resume keeps finished points (even an edited one) and runs only the missing one; then none."""
    _, out = sweep("small.yaml", tmp, "--jobs", "2")
    jl = os.path.join(tmp, "r.jsonl")
    recs = read_jsonl(jl)
    recs[1]["stats"]["walks"] = 4242424242  # a value no run produces: must survive --resume
    del recs[2]                                   # as if the sweep was interrupted before point 2
    with open(jl, "w") as f:
        f.writelines(json.dumps(r) + "\n" for r in recs)
    p, _ = sweep("small.yaml", tmp, "--resume")
    check("(1 run, 3 kept from before)" in p.stderr, f"first resume: {p.stderr}")
    _, rows, _ = read_csv(out)
    check(rows[1]["walks"] == "4242424242", f"kept row was re-run: {rows[1]}")
    check(rows[2]["status"] == "ok" and rows[2]["walks"] == rows[0]["walks"], f"point 2: {rows[2]}")
    p, _ = sweep("small.yaml", tmp, "--resume")
    check("(0 run, 4 kept from before)" in p.stderr, f"second resume: {p.stderr}")
    p, _ = sweep("small.yaml", tmp)  # without --resume everything runs again
    check("(4 run, 0 kept from before)" in p.stderr, f"fresh run: {p.stderr}")
    _, rows, _ = read_csv(out)
    check(rows[1]["walks"] != "4242424242", "a fresh sweep kept an old row")


def case_failed_point(tmp):
    """format.levels=7 fails alone (exit 1, its message in its row and on stderr); the others are ok."""
    p, out = sweep("bad-value.yaml", tmp, "--jobs", "2", rc=1)
    _, rows, _ = read_csv(out)
    check([r["format.levels"] for r in rows] == ["4", "7", "5"], f"rows {rows}")
    bad = rows[1]
    check(bad["status"] == "failed", f"bad row: {bad}")
    check(bad["error"].startswith("exit 2: ") and "format.levels" in bad["error"], f"error cell: {bad['error']!r}")
    check(bad["mode"] == "", f"failed point has statistics: {bad}")
    for r in (rows[0], rows[2]):
        check(r["status"] == "ok" and r["error"] == "" and r["mode"] == "nested", f"good row: {r}")
    check("point 1 (format.levels=7) failed: exit 2" in p.stderr, f"stderr: {p.stderr}")
    # --resume re-runs only the failed point (and it fails again).
    p, _ = sweep("bad-value.yaml", tmp, "--resume", rc=1)
    check("(1 run, 2 kept from before), 1 failed" in p.stderr, f"resume after failure: {p.stderr}")


def case_interrupt(tmp):
    """SIGINT mid-sweep: exit 130, every point has a row (ok, stopped, or not run), --resume runs just the rest."""
    out, jl = os.path.join(tmp, "r.csv"), os.path.join(tmp, "r.jsonl")
    proc = subprocess.Popen([BIN, "sweep", os.path.join(DATA, "many.yaml"), "--out", out, "--quiet"],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline and proc.poll() is None:  # interrupt once a point has finished
        if os.path.exists(jl) and os.path.getsize(jl) > 0:
            break
        time.sleep(0.02)
    check(proc.poll() is None, "the sweep ended before it could be interrupted")
    proc.send_signal(signal.SIGINT)
    err = proc.communicate(timeout=60)[1]
    check(proc.returncode == 130, f"exit {proc.returncode}\n{err}")
    check("--resume runs the rest" in err, f"stderr: {err}")
    _, rows, _ = read_csv(out)
    check(len(rows) == 24, f"{len(rows)} rows")
    ok = sum(r["status"] == "ok" for r in rows)
    not_run = sum(r["error"] == "not run: the sweep was interrupted" for r in rows)
    stopped = sum("killed by signal" in r["error"] for r in rows)
    check(ok >= 1 and not_run >= 1 and ok + not_run + stopped == 24, f"ok {ok} not run {not_run} stopped {stopped}")
    p, _ = sweep("many.yaml", tmp, "--resume", "--jobs", "2")
    check(f"({24 - ok} run, {ok} kept from before), 0 failed" in p.stderr, f"resume: {p.stderr}")


def case_progress_tty(tmp):
    """The progress bar is drawn on a terminal, not with --quiet, never when stderr is a pipe."""
    check(shutil.which("script"), "script(1) (bsdutils) is not installed")
    def on_tty(*extra):
        cmd = " ".join([BIN, "sweep", os.path.join(DATA, "small.yaml"), "--out", os.path.join(tmp, "t.csv"), *extra])
        return subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True, text=True).stdout
    out = on_tty("--jobs", "2")
    check("] 4/4 points" in out and "\x1b[K" in out, f"no progress bar on a tty: {out!r}")
    out = on_tty("--quiet")
    check("points" not in out, f"--quiet still draws: {out!r}")
    p, _ = sweep("small.yaml", tmp)
    check("] 4/4 points" not in p.stderr and "\x1b[K" not in p.stderr, f"bar on a pipe: {p.stderr!r}")


def case_jobs_equal(tmp):
    """--jobs 1 and --jobs 4 give the same CSV and JSONL (apart from host_seconds)."""
    _, a = sweep("small.yaml", tmp, "--jobs", "1", out="a.csv")
    _, b = sweep("small.yaml", tmp, "--jobs", "4", out="b.csv")
    ra, rb = read_csv(a)[2], read_csv(b)[2]
    check(len(ra) == 5, f"{len(ra)} lines")
    check(without_timing(ra) == without_timing(rb), "CSV differs between --jobs 1 and --jobs 4")
    ja, jb = read_jsonl(os.path.join(tmp, "a.jsonl")), read_jsonl(os.path.join(tmp, "b.jsonl"))
    for x in ja + jb:
        x.pop("host_seconds")
        x.get("stats", {}).pop("host_seconds", None)
        x.get("stats", {}).pop("accesses_per_second", None)
    check(ja == jb, "JSONL differs between --jobs 1 and --jobs 4")


def emit_and_merge(tmp, spec, runner):
    jobs = os.path.join(tmp, "jobs.txt")
    outdir = os.path.join(tmp, "sweep-out")
    run("sweep", os.path.join(DATA, spec), "--emit-jobs", jobs, "--dir", outdir, "--quiet", rc=0)
    with open(jobs) as f:
        lines = f.read().splitlines()
    runner(jobs, lines)
    p = run("sweep", os.path.join(DATA, spec), "--merge", outdir, "--out", os.path.join(tmp, "merged.csv"))
    return p, lines, outdir


def case_emit_parallel_merge(tmp):
    """emit -> GNU parallel -j2 -> merge gives the direct sweep's CSV and JSONL (apart from host_seconds)."""
    check(shutil.which("parallel"), "GNU parallel is not installed (scripts/install-deps.sh installs it)")
    def par(jobs, lines):
        # A failing point makes its job exit non-zero; parallel's own exit code is not the check.
        with open(jobs) as f:
            subprocess.run(["parallel", "--will-cite", "-j2"], stdin=f, capture_output=True)
    for spec in ("small.yaml", "bad-value.yaml", "quoting.yaml"):
        d = os.path.join(tmp, spec)
        os.mkdir(d)
        want_rc = 1 if spec.startswith("bad") else 0
        p, lines, outdir = emit_and_merge(d, spec, par)
        check(p.returncode == want_rc, f"{spec}: merge exit {p.returncode}\n{p.stderr}")
        check(len(lines) == len(os.listdir(outdir)), f"{spec}: {len(lines)} jobs, files {os.listdir(outdir)}")
        sweep(spec, d, "--jobs", "2", rc=want_rc, out="direct.csv")
        merged, direct = read_csv(os.path.join(d, "merged.csv"))[2], read_csv(os.path.join(d, "direct.csv"))[2]
        check(without_timing(merged) == without_timing(direct), f"{spec}: merged CSV != direct CSV\n{merged}\n{direct}")
    _, rows, _ = read_csv(os.path.join(tmp, "quoting.yaml", "merged.csv"))
    check([r["guest.regions.0.name"] for r in rows] == ["my code", "it's", "a,b"], f"quoted values: {rows}")
    check(all(r["status"] == "ok" and r["cycles"] != "" for r in rows), f"every quoted point ran: {rows}")


def case_slurm_array(tmp):
    """scripts/sweep-slurm.sh with SLURM_ARRAY_TASK_ID=0..N-1 (as Slurm would) + merge = the direct sweep."""
    script = os.path.join(HERE, "../../scripts/sweep-slurm.sh")
    def array(jobs, lines):
        for i in range(len(lines)):
            subprocess.run(["bash", script, jobs], env={**os.environ, "SLURM_ARRAY_TASK_ID": str(i)}, check=True)
        past = subprocess.run(["bash", script, jobs], env={**os.environ, "SLURM_ARRAY_TASK_ID": str(len(lines))},
                              capture_output=True, text=True)
        check(past.returncode == 2 and "has no line" in past.stderr, f"task beyond the sweep: {past.stderr}")
    p, lines, _ = emit_and_merge(tmp, "zip.yaml", array)
    check(p.returncode == 0 and len(lines) == 4, f"merge exit {p.returncode}, {len(lines)} jobs\n{p.stderr}")
    sweep("zip.yaml", tmp, out="direct.csv")
    merged, direct = read_csv(os.path.join(tmp, "merged.csv"))[2], read_csv(os.path.join(tmp, "direct.csv"))[2]
    check(without_timing(merged) == without_timing(direct), "merged CSV != direct CSV")


def case_merge_missing(tmp):
    """Only some jobs ran: merge reports the others as failed (exit 1) naming the missing file."""
    def first_two(jobs, lines):
        for line in lines[:2]:
            subprocess.run(["bash", "-c", line], check=True)
    p, lines, outdir = emit_and_merge(tmp, "small.yaml", first_two)
    check(p.returncode == 1, f"merge exit {p.returncode}")
    _, rows, _ = read_csv(os.path.join(tmp, "merged.csv"))
    check([r["status"] for r in rows] == ["ok", "ok", "failed", "failed"], f"statuses {rows}")
    check("point-0002.json (job not run" in rows[2]["error"], f"error {rows[2]['error']!r}")
    # --emit-jobs --resume emits only the two missing points; after they run, the merge is complete.
    jobs2 = os.path.join(tmp, "jobs2.txt")
    run("sweep", os.path.join(DATA, "small.yaml"), "--emit-jobs", jobs2, "--dir", outdir, "--resume", "--quiet", rc=0)
    with open(jobs2) as f:
        rest = f.read().splitlines()
    check([l.split(" --point ")[1].split()[0] for l in rest] == ["2", "3"], f"resumed jobs: {rest}")
    for line in rest:
        subprocess.run(["bash", "-c", line], check=True)
    p = run("sweep", os.path.join(DATA, "small.yaml"), "--merge", outdir, "--out", os.path.join(tmp, "merged.csv"))
    check(p.returncode == 0, f"merge after the rest ran: {p.returncode} {p.stderr}")
    # A job line from an older version of the sweep refuses to run the wrong point.
    stale = lines[0].replace("mmu.mode=shadow", "mmu.mode=agile")
    r = subprocess.run(["bash", "-c", stale], capture_output=True, text=True)
    check(r.returncode == 2 and "changed since --emit-jobs" in r.stderr, f"stale job: {r.returncode} {r.stderr}")


def case_plot(tmp):
    """scripts/plot-sweep writes one PNG per requested statistic; a wrong column name is an error."""
    check(subprocess.run(["/usr/bin/python3", "-c", "import matplotlib"], capture_output=True).returncode == 0,
          "python3-matplotlib is not installed (scripts/install-deps.sh installs it)")
    _, out = sweep("zip.yaml", tmp)
    plot = os.path.join(HERE, "../../scripts/plot-sweep")
    pdir = os.path.join(tmp, "plots")
    p = subprocess.run([plot, out, "--x", "format.levels", "--series", "mmu.mode", "--y", "refs_per_walk,cycles",
                        "--out", pdir], capture_output=True, text=True)
    check(p.returncode == 0, f"plot-sweep failed: {p.stderr}")
    pngs = sorted(f for f in os.listdir(pdir) if f.endswith(".png"))
    # format.nested_levels follows format.levels (zip): no extra chart per its value.
    check(pngs == ["cycles--vs--format.levels--by--mmu.mode.png",
                   "refs_per_walk--vs--format.levels--by--mmu.mode.png"],
          f"charts: {pngs}")
    for f in pngs:
        with open(os.path.join(pdir, f), "rb") as fh:
            check(fh.read(8) == b"\x89PNG\r\n\x1a\n", f"{f} is not a PNG")
    p = subprocess.run([plot, out, "--y", "no_such_stat", "--out", pdir], capture_output=True, text=True)
    check(p.returncode != 0 and "no_such_stat: no such column" in p.stderr, f"bad --y: {p.returncode} {p.stderr}")
    p = subprocess.run([plot, out, "--y", "mode", "--out", pdir], capture_output=True, text=True)
    check(p.returncode != 0 and "not a number" in p.stderr, f"text --y: {p.returncode} {p.stderr}")


def case_base_axis_plots(tmp):
    """`base` as an axis runs each config file; `plots:` draws the charts, normalised to native."""
    p, out = sweep("bases.yaml", tmp, "--jobs", "2")
    header, rows, _ = read_csv(out)
    check(header[:2] == ["base", "format.levels"], f"header {header}")
    native, nested = "../../../configs/native.yaml", "../../../configs/nested.yaml"
    check([(r["base"], r["format.levels"]) for r in rows] == [(b, l) for b in (native, nested) for l in ("4", "5")],
          f"rows {rows}")
    for r in rows:
        check(r["status"] == "ok" and r["mode"] == os.path.basename(r["base"])[:-5], f"row ran the wrong config: {r}")
    pdir = os.path.join(tmp, "r-plots")
    names = sorted(os.listdir(pdir))
    want = [f"{y}--vs--format.levels--by--base--per--base=native.{e}"
            for y in ("cycles", "walk_refs") for e in ("csv", "png")]
    check(names == want, f"charts {names}\nstderr {p.stderr}")
    # The chart's numbers: each nested row divided by the native row of the same depth.
    by = {(r["base"], r["format.levels"]): r for r in rows}
    for y in ("cycles", "walk_refs"):
        with open(os.path.join(pdir, want[0 if y == "cycles" else 2])) as f:
            got = list(csv.reader(f))
        check(got[0] == ["format.levels", "base", f"{y} / {y} at base={native}"], f"chart header {got[0]}")
        for lv, b, v in got[1:]:
            expect = float(by[(b, lv)][y]) / float(by[(native, lv)][y])
            check(abs(float(v) - expect) < 1e-9, f"{y} at {b} levels {lv}: chart {v}, CSV ratio {expect}")
        # Nested walks make more references than native (2-D walks); with the caches on, their
        # cost in cycles is less than their count (1.37x at 4 levels when written).
        check(len(got) == 5 and float(got[3][2]) > (1.5 if y == "walk_refs" else 1.1),
              f"nested {y} not above native: {got}")
    # --no-plots skips them; a chart that cannot be drawn fails the sweep after the CSV is written.
    shutil.rmtree(pdir)
    sweep("bases.yaml", tmp, "--no-plots")
    check(not os.path.exists(pdir), "--no-plots drew charts")
    p, bad = sweep("bad-plot.yaml", tmp, rc=1, out="bad.csv")
    check("no_such_stat: no such column" in p.stderr and "plot of no_such_stat failed" in p.stderr, p.stderr)
    check([r["status"] for r in read_csv(bad)[1]] == ["ok", "ok"], "the CSV of a sweep whose plot failed")


def case_replicates(tmp):
    """replicates: 3 runs per point, seeds seed..seed+2; the CSV has mean, sd and the Student-t 95% half-width
    of every statistic (checked against the JSONL's runs); replicate 0 is the point run without replicates; the
    Pareto chart's numbers are per access with the interval scaled the same way."""
    import statistics
    p, out = sweep("replicates.yaml", tmp, "--jobs", "2")
    header, rows, _ = read_csv(out)
    check(len(rows) == 2 and all(r["status"] == "ok" for r in rows), f"rows {rows}")
    check("cycles.sd" in header and "cycles.ci95" in header and "replicates" in header, f"header {header}")
    runs = read_jsonl(os.path.join(tmp, "r.jsonl"))
    check(len(runs) == 6 and [x["replicate"] for x in runs] == [0, 1, 2] * 2, f"runs {[x.get('replicate') for x in runs]}")
    spread = False
    for i, r in enumerate(rows):
        mine = runs[3 * i:3 * i + 3]
        check([x["stats"]["seed"] for x in mine] == [1, 2, 3], f"seeds {[x['stats']['seed'] for x in mine]}")
        for stat in ("cycles", "walks"):
            v = [float(x["stats"][stat]) for x in mine]
            sd = statistics.stdev(v)
            check(abs(float(r[stat]) - statistics.mean(v)) < 1e-6, f"{stat} mean {r[stat]} of {v}")
            check(abs(float(r[stat + ".sd"]) - sd) < 1e-6, f"{stat} sd {r[stat + '.sd']} of {v}")
            check(abs(float(r[stat + ".ci95"]) - 4.303 * sd / 3 ** 0.5) < 1e-6, f"{stat} ci95 {r[stat + '.ci95']}")
            spread |= sd > 0
        check(r["replicates"] == "3" and r["mode"] == "agile", f"row {r}")
    check(spread, "the seeds changed nothing: replicates would measure no spread")
    # Replicate 0 = the sweep without replicates.
    _, plain = sweep("replicates.yaml", tmp, "--replicates", "1", "--no-plots", out="plain.csv")
    for r0, pr in zip(runs[::3], read_csv(plain)[1]):
        check(str(r0["stats"]["cycles"]) == pr["cycles"], f"replicate 0 {r0['stats']['cycles']} vs plain {pr['cycles']}")
    # The Pareto chart: y per access, interval divided alike, every point in it.
    with open(os.path.join(tmp, "r-plots", "cycles--vs--walks-pareto--per-accesses.csv")) as f:
        pts = list(csv.DictReader(f))
    check(len(pts) == 2, f"pareto points {pts}")
    for pt, r in zip(pts, rows):
        check(abs(float(pt["cycles"]) - float(r["cycles"]) / float(r["accesses"])) < 1e-9, f"{pt} vs {r['cycles']}")
        check(abs(float(pt["ci95"]) - float(r["cycles.ci95"]) / float(r["accesses"])) < 1e-9, f"{pt}")
    check(os.path.exists(os.path.join(tmp, "r-plots", "cycles--vs--walks-pareto--per-accesses.png")), "no PNG")


def case_pareto_marks(tmp):
    """plot-pareto: the front on the means, a dominated point whose interval meets its dominator's ringed,
    --baseline divides by the one named point."""
    src = os.path.join(tmp, "p.csv")
    with open(src, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["k", "area", "cycles", "cycles.ci95", "status"])
        w.writerows([["a", 1, 100, 5, "ok"], ["b", 2, 50, 5, "ok"], ["c", 3, 52, 5, "ok"], ["d", 4, 10, 1, "ok"]])
    plot = os.path.join(HERE, "../../scripts/plot-pareto")
    p = subprocess.run([plot, src, "--x", "area", "--y", "cycles", "--label", "k", "--baseline", "k=b"],
                       capture_output=True, text=True)
    check(p.returncode == 0, p.stderr)
    with open(os.path.join(tmp, "p-plots", "cycles--vs--area-pareto--baseline.csv")) as f:
        got = {r["k"]: r for r in csv.DictReader(f)}
    check([k for k in "abcd" if got[k]["pareto"] == "1"] == ["a", "b", "d"], f"front {got}")
    check(abs(float(got["c"]["cycles"]) - 52 / 50) < 1e-9 and abs(float(got["c"]["ci95"]) - 0.1) < 1e-9, f"{got['c']}")
    check(got["c"]["overlaps"] == "b" and "c" in got["b"]["overlaps"].split(), f"overlaps {got}")
    check(got["a"]["overlaps"] == "" and got["d"]["overlaps"] == "", f"overlaps {got}")
    p = subprocess.run([plot, src, "--x", "area", "--y", "cycles", "--baseline", "k=z"], capture_output=True, text=True)
    check(p.returncode != 0 and "0 rows match" in p.stderr, p.stderr)


CASES = {n[5:]: f for n, f in globals().items() if n.startswith("case_")}

if __name__ == "__main__":
    name, BIN = sys.argv[1], os.path.abspath(sys.argv[2])
    tmp = tempfile.mkdtemp(prefix=f"sweep-test-{name}-")
    try:
        CASES[name](tmp)
    except Fail as e:
        print(f"FAIL {name}: {e}\n(files kept in {tmp})")
        sys.exit(1)
    shutil.rmtree(tmp)
    print(f"ok {name}")
