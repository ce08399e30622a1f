"""pytest entry point: builds the generated wm_query_unit with Icarus for each configuration of
the matrix and runs the cocotb bench (test_wm_query_unit.py) on it. Vectors come from the TS encoder."""
import pytest

from cocotb_bench import compiled, node, plant_mutation, run_bench
from test_wm_query_unit import CONFIGS, CORRUPT_LAYERS, HERE, REPO

RTL = ["wm_ram.v", "wm_level_bank.v", "wm_loader.v", "wm_lane.v", "wm_query_unit.v"]


@pytest.mark.parametrize("lanes,load_words,levels,buffer_words", CONFIGS, ids=[f"P{c[0]}_W{c[1]}_D{c[2]}_M{c[3]}" for c in CONFIGS])
def test_wm_query_unit(lanes, load_words, levels, buffer_words):
    build = HERE / "sim_build" / f"P{lanes}_W{load_words}_D{levels}_M{buffer_words}"
    rtl_dir = build / "rtl"
    build.mkdir(parents=True, exist_ok=True)
    writer = compiled("src/cosim/write-wm-vectors.js")
    node("-e", "const [m,P,W,D,M,d]=process.argv.slice(1);import(m).then(async(g)=>{const t=await import(m.replace('wm-rtl','tans-rtl'));"
         "t.writeGenerated(d,g.generateWmRtl({wmLanes:+P,wmLoadWords:+W,wmLevels:+D,wmBufferWords:+M}))})",
         (REPO / "dist/src/rtl/wm-rtl.js").as_uri(), lanes, load_words, levels, buffer_words, rtl_dir)
    plant_mutation(rtl_dir, "WM_MUTATION")
    vec = build / "vectors.json"
    node(writer, vec, lanes, load_words, levels, buffer_words, 5, 3, 120, *CORRUPT_LAYERS)
    assert vec.is_file(), "vectors were not written"
    run_bench(sources=[rtl_dir / f for f in RTL], toplevel="wm_query_unit", module="test_wm_query_unit", build=build,
              test_dir=HERE, env={"WM_VECTORS": str(vec)}, expected_tests=2)
