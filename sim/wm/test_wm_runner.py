"""pytest entry point: builds the generated wm_query_unit with Icarus for each configuration of
the matrix and runs the cocotb bench (test_wm_query_unit.py) on it. Vectors come from the TS encoder."""
import json
import os
import subprocess
from pathlib import Path

import pytest
from cocotb_tools.runner import get_results, get_runner

from test_wm_query_unit import CONFIGS, CORRUPT_LAYERS, HERE, REPO

RTL = ["wm_ram.v", "wm_level_bank.v", "wm_loader.v", "wm_lane.v", "wm_query_unit.v"]


def node(*args):
    r = subprocess.run(["node", *map(str, args)], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        pytest.fail(f"node {' '.join(map(str, args))} failed (run `npx tsc -p .` first):\n{r.stdout}{r.stderr}")


@pytest.mark.parametrize("lanes,load_words,levels,buffer_words", CONFIGS, ids=[f"P{c[0]}_W{c[1]}_D{c[2]}_M{c[3]}" for c in CONFIGS])
def test_wm_query_unit(lanes, load_words, levels, buffer_words):
    build = HERE / "sim_build" / f"P{lanes}_W{load_words}_D{levels}_M{buffer_words}"
    rtl_dir = build / "rtl"
    build.mkdir(parents=True, exist_ok=True)
    writer = REPO / "dist/src/cosim/write-wm-vectors.js"
    if not writer.is_file():
        pytest.fail(f"{writer} is missing: run `npx tsc -p .` (the bench never runs without TS vectors)")
    node("-e", "const [m,P,W,D,M,d]=process.argv.slice(1);import(m).then(async(g)=>{const t=await import(m.replace('wm-rtl','tans-rtl'));"
         "t.writeGenerated(d,g.generateWmRtl({wmLanes:+P,wmLoadWords:+W,wmLevels:+D,wmBufferWords:+M}))})",
         (REPO / "dist/src/rtl/wm-rtl.js").as_uri(), lanes, load_words, levels, buffer_words, rtl_dir)
    # WM_MUTATION='{"file": ..., "from": ..., "to": ...}' plants a bug (to show the bench catches it)
    mutation = os.environ.get("WM_MUTATION")
    if mutation:
        m = json.loads(mutation)
        f = rtl_dir / m["file"]
        text = f.read_text()
        assert text.count(m["from"]) == 1, f"mutation: {m['from']!r} does not occur exactly once in {m['file']}"
        f.write_text(text.replace(m["from"], m["to"]))
    vec = build / "vectors.json"
    node(writer, vec, lanes, load_words, levels, buffer_words, 5, 3, 120, *CORRUPT_LAYERS)
    assert vec.is_file(), "vectors were not written"

    runner = get_runner("icarus")
    runner.build(sources=[rtl_dir / f for f in RTL], hdl_toplevel="wm_query_unit", build_dir=build, always=True,
                 timescale=("1ns", "1ps"))
    xml = runner.test(hdl_toplevel="wm_query_unit", test_module="test_wm_query_unit", build_dir=build, test_dir=HERE,
                      extra_env={"WM_VECTORS": str(vec)}, results_xml=str(build / "results.xml"))
    tests, failed = get_results(Path(xml))
    assert tests == 2, f"expected 2 cocotb tests to run, {tests} ran"
    assert failed == 0, f"{failed} of {tests} cocotb tests failed (see the log above)"
