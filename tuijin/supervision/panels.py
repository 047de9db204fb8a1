"""The 驾驶舱 panel of 督办: completion by unit and by leader (selectors.stats_by_unit / stats_by_leader)."""
