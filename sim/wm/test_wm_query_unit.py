"""cocotb bench for the generated wm_query_unit (Icarus), with its pytest entry point test_wm_runner.py.

Random valid/ready on every stream: gaps in the config writes and in the payload (X on every data
bus whose valid is low), payload beats of random length (1..LoadWords words), random ready per
lane. Checks every weight against the reference decoder's (vectors from the TS encoder), that a
lane's out_valid_o and out_symbol_o hold until taken, that in_ready_o is high only in LOAD and
cfg_ready_o only while idle, that neither depends on its valid, that a corrupted layer the
reference rejects raises error_o and a good one done_o, that with no stalls each phase takes the
cycle model's cycles, and that a reset at a random point clears the unit at once (the layer is
then replayed and must decode).

Vectors: dist/src/cosim/write-wm-vectors.js (missing vectors fail the run, never skip).
Run: python -m pytest sim -q   (needs `npx tsc -p .` first)
"""
import json
import os
import random
from pathlib import Path

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import FallingEdge, RisingEdge, Timer
from cocotb.types import LogicArray

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# (lanes, load words, levels, buffer words): the pytest parameter matrix
CONFIGS = [(1, 1, 8, 256), (2, 4, 8, 256)]
# (name, P(cfg/in valid low), P(out_ready low))
GENERATORS = [("free", 0.0, 0.0), ("idle", 0.5, 0.0), ("backpressure", 0.0, 0.6), ("both", 0.3, 0.3)]
CORRUPT_LAYERS = [1, 2]


def vectors():
    path = os.environ.get("WM_VECTORS", "")
    if not path or not Path(path).is_file():
        raise AssertionError(f"test vectors missing ({path!r}): generate them with write-wm-vectors.js")
    return json.loads(Path(path).read_text())


class Bench:
    def __init__(self, dut, v):
        self.dut = dut
        self.p = v["params"]
        self.layers = v["layers"]
        self.lanes = self.p["wmLanes"]
        self.w = self.p["wmLoadWords"]
        self.sb = self.p["symbolBits"]
        self.xdata = LogicArray("X" * (32 * self.w))

    async def start(self):
        cocotb.start_soon(Clock(self.dut.clk_i, 10, unit="ns").start())
        await self.reset()

    async def reset(self):
        d = self.dut
        await FallingEdge(d.clk_i)
        d.rst_ni.value = 0
        d.cfg_valid_i.value = 0
        d.cfg_addr_i.value = 0
        d.cfg_data_i.value = 0
        d.in_valid_i.value = 0
        d.in_count_i.value = 0
        d.in_data_i.value = 0
        d.out_ready_i.value = 0
        await RisingEdge(d.clk_i)
        await FallingEdge(d.clk_i)
        d.rst_ni.value = 1

    async def config(self, layer, rng, p_gap):
        d = self.dut
        for a, v in layer["config"]:
            while True:
                await FallingEdge(d.clk_i)
                gap = rng.random() < p_gap
                d.cfg_valid_i.value = 0 if gap else 1
                d.cfg_addr_i.value = LogicArray("X" * 12) if gap else a
                d.cfg_data_i.value = LogicArray("X" * 32) if gap else v
                await Timer(1, unit="ns")
                assert int(d.cfg_ready_o.value) == 1, "cfg_ready_o low while the unit is idle"
                if not gap:
                    break
        await FallingEdge(d.clk_i)
        d.cfg_valid_i.value = 0
        d.cfg_addr_i.value = 0

    async def run(self, layer, rng, p_idle, p_stall, full_beats=False, reset_at=None):
        """Feeds the payload and takes the weights until done_o or error_o. Returns (per-lane
        symbols, cycles per phase, done, error); with reset_at, resets in that busy cycle instead."""
        d = self.dut
        words = layer["words"]
        fed = 0
        got = [[] for _ in range(self.lanes)]
        held = [None] * self.lanes
        cycles = [0, 0, 0, 0]
        busy = 0
        for _ in range(200000):
            # registered outputs of the last edge (the first FallingEdge follows the go write)
            if int(d.done_o.value) or int(d.error_o.value):
                return got, cycles, int(d.done_o.value), int(d.error_o.value)
            phase = int(d.phase_o.value)
            if reset_at is not None and phase != 0 and busy == reset_at:
                d.rst_ni.value = 0
                await Timer(1, unit="ns")
                assert int(d.out_valid_o.value) == 0 and int(d.phase_o.value) == 0, "reset did not clear the outputs at once"
                assert int(d.done_o.value) == 0 and int(d.error_o.value) == 0 and int(d.in_ready_o.value) == 0
                await RisingEdge(d.clk_i)
                await FallingEdge(d.clk_i)
                d.rst_ni.value = 1
                return None
            left = len(words) - fed
            count = min(self.w, left) if full_beats else (rng.randint(1, min(self.w, left)) if left else 0)
            valid = count > 0 and rng.random() >= p_idle
            ready = 0
            for k in range(self.lanes):
                if rng.random() >= p_stall:
                    ready |= 1 << k
            d.out_ready_i.value = ready
            d.in_count_i.value = count
            if valid:
                data = 0
                for k in range(count):
                    data |= words[fed + k] << (32 * k)
                d.in_data_i.value = data
            else:
                d.in_data_i.value = self.xdata
            # in_ready_o must not depend on in_valid_i: sample it with in_valid_i low, then as driven
            d.in_valid_i.value = 0
            await Timer(1, unit="ns")
            r0 = int(d.in_ready_o.value)
            d.in_valid_i.value = 1 if valid else 0
            await Timer(1, unit="ns")
            assert int(d.in_ready_o.value) == r0, "in_ready_o depends on in_valid_i"
            assert r0 == (1 if phase == 1 else 0), f"in_ready_o is {r0} in phase {phase}"
            if phase != 0:
                assert int(d.cfg_ready_o.value) == 0, "cfg_ready_o high while a layer runs"
            vo = int(d.out_valid_o.value)
            syms = int(d.out_symbol_o.value) if vo else 0
            for k in range(self.lanes):
                v = (vo >> k) & 1
                s = (syms >> (k * self.sb)) & ((1 << self.sb) - 1)
                if held[k] is not None:
                    assert v and s == held[k], f"lane {k}: out_valid_o/out_symbol_o changed before the transfer"
                held[k] = None
                if v and (ready >> k) & 1:
                    got[k].append(s)
                elif v:
                    held[k] = s
            if valid and r0:
                fed += count
            if phase != 0:
                cycles[phase] += 1
                busy += 1
            await FallingEdge(d.clk_i)
        raise AssertionError(f"{layer['name']}: the unit did not finish")

    def check(self, layer, got, done, error):
        if layer["golden"] is None:
            assert error == 1 and done == 0, f"{layer['name']}: the reference rejects it ({layer['corrupt']}) but error_o is {error}"
            return 0
        code = int(self.dut.error_code_o.value)
        assert done == 1 and error == 0, f"{layer['name']}: done_o {done}, error_o {error} (code {code}) on a layer the reference decodes"
        n, sl = layer["weights"], layer["slice"]
        for k in range(self.lanes):
            want = layer["golden"][min(n, k * sl):min(n, (k + 1) * sl)]
            assert got[k] == want, f"{layer['name']}: lane {k} delivered {len(got[k])} weights, differing from the reference"
        return n


@cocotb.test()
async def random_valid_ready(dut):
    """Every generator over every layer: values, hold, ready rules, error_o where the reference rejects."""
    b = Bench(dut, vectors())
    await b.start()
    checked = 0
    for gi, (name, p_idle, p_stall) in enumerate(GENERATORS):
        rng = random.Random(17 + gi)
        for layer in b.layers:
            await b.config(layer, rng, p_idle)
            got, cycles, done, error = await b.run(layer, rng, p_idle, p_stall, full_beats=(name == "free"))
            checked += b.check(layer, got, done, error)
            if name == "free" and layer["cycles"]:
                c = layer["cycles"]
                assert cycles[1:] == [c["load"], c["start"], c["decode"]], \
                    f"{layer['name']}: LOAD/START/DECODE {cycles[1:]} cycles, the cycle model {c}"
    assert checked > 0, "no weight was checked"
    dut._log.info(f"checked {checked} weights over {len(GENERATORS)} generators")


@cocotb.test()
async def reset_at_random_points(dut):
    """A reset in LOAD, START or DECODE clears the outputs at once; the replayed layer decodes."""
    b = Bench(dut, vectors())
    await b.start()
    rng = random.Random(5)
    resets = 0
    for layer in [l for l in b.layers if l["golden"] is not None and l["cycles"]["start"] > 0][:2]:
        c = layer["cycles"]
        busy = c["load"] + c["start"] + c["decode"]
        # once in LOAD, once in START, once in DECODE
        for at in (rng.randrange(0, c["load"]), c["load"] + rng.randrange(0, c["start"]), c["load"] + c["start"] + rng.randrange(0, c["decode"])):
            await b.config(layer, rng, 0.2)
            if await b.run(layer, rng, 0.0, 0.0, full_beats=True, reset_at=at) is None:
                resets += 1
            await b.config(layer, rng, 0.2)
            got, _, done, error = await b.run(layer, rng, 0.2, 0.2)
            b.check(layer, got, done, error)
    assert resets > 0, "no reset happened"
