"""pytest entry point: builds the generated tans_engine with Icarus for each configuration of the
matrix and runs the cocotb bench (test_tans_engine.py) on it. Vectors come from the TS encoder."""
import pytest

from cocotb_bench import compiled, node, plant_mutation, run_bench
from test_tans_engine import CONFIGS, CORRUPT_LAYER, HERE, REPO

RTL = ["tans_fifo.v", "tans_table_ram.v", "tans_counter_chain.v", "tans_counter.v", "tans_lane_late.v", "tans_lane.v", "tans_decoder.v", "tans_engine.v"]


@pytest.mark.parametrize("states,symbol_bits,streams", CONFIGS, ids=[f"L{c[0]}_B{c[1]}_S{c[2]}" for c in CONFIGS])
def test_tans_engine(states, symbol_bits, streams):
    build = HERE / "sim_build" / f"L{states}_B{symbol_bits}_S{streams}"
    rtl_dir = build / "rtl"
    build.mkdir(parents=True, exist_ok=True)
    writer = compiled("src/cosim/write-tans-vectors.js")
    # RTL from the generator (not the committed copy), vectors from the TS encoder
    node("-e", "const [m,L,B,S,d]=process.argv.slice(1);import(m).then(async(g)=>g.writeGenerated(d,await g.generateTansRtl({states:+L,symbolBits:+B,streams:+S})))",
         (REPO / "dist/src/rtl/tans-rtl.js").as_uri(), states, symbol_bits, streams, rtl_dir)
    plant_mutation(rtl_dir, "TANS_MUTATION")
    vec = build / "vectors.json"
    node(writer, vec, states, symbol_bits, streams, 4, 11, 40, CORRUPT_LAYER)
    assert vec.is_file(), "vectors were not written"
    run_bench(sources=[rtl_dir / f for f in RTL], toplevel="tans_engine", module="test_tans_engine", build=build,
              test_dir=HERE, env={"TANS_VECTORS": str(vec)}, expected_tests=4)
