"""Registers the synthetic envs of the agent suite (Sep-v0, Bandit-v0 in archgym-test/)."""

from __future__ import annotations

import gymnasium as gym

SEP_ID = "archgym-test/Sep-v0"
BANDIT_ID = "archgym-test/Bandit-v0"

for _id, _entry in (
    (SEP_ID, "tests.agents.synthetic:SepEnv"),
    (BANDIT_ID, "tests.agents.synthetic:BanditEnv"),
):
    if _id not in gym.registry:
        gym.register(id=_id, entry_point=_entry)
