"""pytest entry point: builds the generated tans_engine with Icarus for each configuration of the
matrix and runs the cocotb bench (test_tans_engine.py) on it. Vectors come from the TS encoder."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from cocotb_tools.runner import get_results, get_runner

from test_tans_engine import CONFIGS, CORRUPT_LAYER, HERE, REPO

RTL = ["tans_fifo.v", "tans_table_ram.v", "tans_lane.v", "tans_decoder.v", "tans_engine.v"]


def node(*args):
    r = subprocess.run(["node", *map(str, args)], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"node {' '.join(map(str, args))} failed (run `npx tsc -p .` first):\n{r.stdout}{r.stderr}")


@pytest.mark.parametrize("states,symbol_bits,streams", CONFIGS, ids=[f"L{c[0]}_B{c[1]}_S{c[2]}" for c in CONFIGS])
def test_tans_engine(states, symbol_bits, streams):
    build = HERE / "sim_build" / f"L{states}_B{symbol_bits}_S{streams}"
    rtl_dir = build / "rtl"
    build.mkdir(parents=True, exist_ok=True)
    writer = REPO / "dist/src/cosim/write-tans-vectors.js"
    if not writer.is_file():
        pytest.fail(f"{writer} is missing: run `npx tsc -p .` (the bench never runs without TS vectors)")
    # RTL from the generator (not the committed copy), vectors from the TS encoder
    node("-e", "const [m,L,B,S,d]=process.argv.slice(1);import(m).then(async(g)=>g.writeGenerated(d,await g.generateTansRtl({states:+L,symbolBits:+B,streams:+S})))",
         (REPO / "dist/src/rtl/tans-rtl.js").as_uri(), states, symbol_bits, streams, rtl_dir)
    # TANS_MUTATION='{"file": ..., "from": ..., "to": ...}' plants a bug (to show the bench catches it)
    mutation = os.environ.get("TANS_MUTATION")
    if mutation:
        m = json.loads(mutation)
        f = rtl_dir / m["file"]
        text = f.read_text()
        assert text.count(m["from"]) == 1, f"mutation: {m['from']!r} does not occur exactly once in {m['file']}"
        f.write_text(text.replace(m["from"], m["to"]))
    vec = build / "vectors.json"
    node(writer, vec, states, symbol_bits, streams, 4, 11, 40, CORRUPT_LAYER)
    assert vec.is_file(), "vectors were not written"

    runner = get_runner("icarus")
    runner.build(sources=[rtl_dir / f for f in RTL], hdl_toplevel="tans_engine", build_dir=build, always=True,
                 timescale=("1ns", "1ps"))
    xml = runner.test(hdl_toplevel="tans_engine", test_module="test_tans_engine", build_dir=build, test_dir=HERE,
                      extra_env={"TANS_VECTORS": str(vec)}, results_xml=str(build / "results.xml"))
    tests, failed = get_results(Path(xml))
    assert tests == 4, f"expected 4 cocotb tests to run, {tests} ran"
    assert failed == 0, f"{failed} of {tests} cocotb tests failed (see the log above)"
