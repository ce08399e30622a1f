wm_bank.v
wm_buffer.v
wm_loader.v
wm_lane.v
wm_query_unit.v
