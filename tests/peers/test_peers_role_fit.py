"""A directory role counts by how it fits the topic next to the other candidates' roles."""

from __future__ import annotations

import math

import numpy as np
import pytest

from companion.features.peers.role_profiles import RoleProfiles, default_profiles
from companion.features.peers.roles import role_fit
from companion.features.people import Person


class TableEmbeddings:
    """Fixed unit vectors per text: cosines the test chooses."""

    model_path = "table-embeddings-for-role-fit"

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = {k: np.asarray(v) / np.linalg.norm(v) for k, v in table.items()}

    def embed_many(self, texts: list[str]) -> list[np.ndarray]:
        return [self.table[t] for t in texts]

    def embed_query(self, text: str) -> np.ndarray:
        return self.table[text]


def _cosine_vector(c: float) -> list[float]:
    return [c, math.sqrt(1 - c * c)]


TOPIC = "who chose the battery?"
EMB = TableEmbeddings({
    TOPIC: [1.0, 0.0],
    "Engineer": _cosine_vector(0.30),
    "Designer": _cosine_vector(0.25),
    "Accountant": _cosine_vector(0.05),
})
PEOPLE = [Person(id="eng", name="E", role="Engineer"), Person(id="des", name="D", role="Designer"),
          Person(id="acc", name="A", role="Accountant"), Person(id="none", name="N")]


def test_the_best_fitting_role_gets_the_full_bonus_and_others_fall_with_the_gap():
    fit = role_fit(TOPIC, PEOPLE, EMB, temperature=0.05)
    assert fit["eng"] == pytest.approx(1.0)
    assert fit["des"] == pytest.approx(math.exp(-0.05 / 0.05))
    assert fit["acc"] == 0.0  # under the floor: a role unrelated to the topic earns nothing
    assert "none" not in fit  # no role, no bonus


def test_a_wider_temperature_narrows_the_gap_between_close_roles():
    narrow = role_fit(TOPIC, PEOPLE, EMB, temperature=0.01)
    wide = role_fit(TOPIC, PEOPLE, EMB, temperature=0.5)
    assert narrow["des"] < 0.01 < 0.9 < wide["des"] < 1.0


PROFILES = RoleProfiles(["Engineer", "Designer"], {
    "battery": [0.2, 0.8],  # the designers say "battery" four times as often
    "chose": [0.5, 0.5],
})


def test_a_role_profile_scores_the_role_that_says_the_topics_words():
    assert PROFILES.score(TOPIC, "designer") == pytest.approx((0.8 + 0.5) / 2 - 0.5)
    assert PROFILES.score(TOPIC, "Engineer") == pytest.approx((0.2 + 0.5) / 2 - 0.5)
    assert PROFILES.score(TOPIC, "Accountant") == 0.0  # a role the table does not know
    assert PROFILES.score("lunch plans", "Designer") == 0.0  # no term the table knows


def test_the_profile_can_give_the_best_fit_to_the_role_that_owns_the_topic():
    without = role_fit(TOPIC, PEOPLE, EMB, temperature=0.05, profiles=PROFILES)
    assert without["eng"] == pytest.approx(1.0)  # weight 0: the titles alone decide
    fit = role_fit(TOPIC, PEOPLE, EMB, temperature=0.05, profiles=PROFILES, profile_weight=0.5)
    assert fit["des"] == pytest.approx(1.0)
    assert fit["eng"] == pytest.approx(math.exp(-0.1 / 0.05))  # 0.30 - 0.075 vs 0.25 + 0.075
    assert fit["acc"] == 0.0  # no profile, still under the floor


def test_the_bundled_profiles_know_what_each_ami_role_owns():
    profiles = default_profiles()
    roles = ("Project Manager", "Marketing Expert", "Industrial Designer",
             "User Interface Designer")

    def best(topic: str) -> str:
        return max(roles, key=lambda r: profiles.score(topic, r))

    assert best("the agenda and the minutes") == "Project Manager"
    assert best("the survey of what users want and the market trends") == "Marketing Expert"
    assert best("the chip, the battery and the energy source") == "Industrial Designer"
    assert best("the button layout and the menu on the display") == "User Interface Designer"
