tans_fifo.v
tans_table_ram.v
tans_counter_chain.v
tans_counter.v
tans_lane_late.v
tans_lane.v
tans_decoder.v
tans_engine.v
