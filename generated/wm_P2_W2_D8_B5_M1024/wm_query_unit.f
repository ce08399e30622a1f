wm_ram.v
wm_level_bank.v
wm_loader.v
wm_lane.v
wm_query_unit.v
