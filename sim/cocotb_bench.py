"""What the pytest entry points of the cocotb benches share (sim/tans, sim/wm): running the TS side
(RTL generator, vector writers), planting a mutation, and building and running a bench on Icarus
so that it fails under pytest when any cocotb test fails or fewer ran than expected."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from cocotb_tools.runner import get_results, get_runner

REPO = Path(__file__).resolve().parent.parent


def node(*args):
    """Runs node in the repository; a failure fails the test with node's output."""
    r = subprocess.run(["node", *map(str, args)], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"node {' '.join(map(str, args))} failed (run `npx tsc -p .` first):\n{r.stdout}{r.stderr}")


def compiled(relative):
    """A compiled TS module under dist/, which the bench never runs without."""
    path = REPO / "dist" / relative
    if not path.is_file():
        pytest.fail(f"{path} is missing: run `npx tsc -p .` (the bench never runs without TS vectors)")
    return path


def plant_mutation(rtl_dir, variable):
    """$variable='{"file": ..., "from": ..., "to": ...}' plants a bug (to show the bench catches it)."""
    mutation = os.environ.get(variable)
    if not mutation:
        return
    m = json.loads(mutation)
    f = Path(rtl_dir) / m["file"]
    text = f.read_text()
    assert text.count(m["from"]) == 1, f"mutation: {m['from']!r} does not occur exactly once in {m['file']}"
    f.write_text(text.replace(m["from"], m["to"]))


def run_bench(*, sources, toplevel, module, build, test_dir, env, expected_tests):
    """Builds `sources` with Icarus and runs the cocotb `module` on `toplevel`; asserts every test ran and passed."""
    runner = get_runner("icarus")
    runner.build(sources=sources, hdl_toplevel=toplevel, build_dir=build, always=True, timescale=("1ns", "1ps"))
    xml = runner.test(hdl_toplevel=toplevel, test_module=module, build_dir=build, test_dir=test_dir,
                      extra_env=env, results_xml=str(Path(build) / "results.xml"))
    tests, failed = get_results(Path(xml))
    assert tests == expected_tests, f"expected {expected_tests} cocotb tests to run, {tests} ran"
    assert failed == 0, f"{failed} of {tests} cocotb tests failed (see the log above)"
