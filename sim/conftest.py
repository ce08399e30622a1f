# (empty: its presence puts sim/ on sys.path, so that the benches' entry points import cocotb_bench)
