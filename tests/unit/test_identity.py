"""One person, one identity: look-alike names that must (and must not) be merged."""

from __future__ import annotations

import pytest

from companion.core.identity import name_parts, normalise_name, resolve_labels

# Invented colleagues: two Okonkwo-Hales share a surname, two Idrises share a first name.
DIRECTORY = {"selin-okonkwo-hale": "Dr Selin Okonkwo-Hale",
             "bram-okonkwo-hale": "Bram Okonkwo-Hale",
             "idris-vantongeren": "Idris Vantongeren", "idris-mbeki": "Idris Mbeki",
             "wren-castellano": "Wren Castellano"}
ALIASES = {normalise_name(name): pid for pid, name in DIRECTORY.items()}


def resolve(*labels: str, directory: bool = True) -> dict[str, str]:
    return resolve_labels(labels, ALIASES if directory else {}, DIRECTORY if directory else {})


@pytest.mark.parametrize("label", ["Dr Selin Okonkwo-Hale", "Selin Okonkwo-Hale",
                                   "SELIN OKONKWO-HALE", "Prof. Selin Okonkwo-Hale",
                                   "Selin Okonkwo-Hale (Analysis)", "Ms Selin Okonkwo-Hale MBE"])
def test_titles_suffixes_and_descriptions_do_not_change_who_it_is(label):
    assert resolve(label)[label] == "selin-okonkwo-hale"


def test_a_first_name_alone_joins_the_one_full_name_in_the_session():
    found = resolve("Wren", "Wren Castellano", "Bram Okonkwo-Hale", directory=False)
    assert found["Wren"] == found["Wren Castellano"] == "name:wren castellano"


def test_initial_forms_join_the_full_name_they_abbreviate():
    found = resolve("Gideon L", "Gideon Lachance", "G. Lachance", "Gideon Lomax-Reid",
                    directory=False)
    assert found["G. Lachance"] == "name:gideon lachance"
    # "Gideon L" fits two full names in the room: it stays its own speaker.
    assert found["Gideon L"] == "name:gideon l"


def test_colleagues_who_share_a_surname_are_never_merged():
    found = resolve("Selin Okonkwo-Hale", "Bram Okonkwo-Hale", "Dr Okonkwo-Hale")
    assert found["Selin Okonkwo-Hale"] != found["Bram Okonkwo-Hale"]
    # A title and a surname two people in the room share names neither of them.
    assert found["Dr Okonkwo-Hale"] not in {"selin-okonkwo-hale", "bram-okonkwo-hale"}


def test_a_titled_surname_joins_the_only_full_name_with_that_surname():
    found = resolve("Ms Castellano", "Wren Castellano", "Idris Mbeki")
    assert found["Ms Castellano"] == "wren-castellano"


def test_a_shared_first_name_alone_is_left_unresolved():
    found = resolve("Idris", "Idris Vantongeren", "Idris Mbeki")
    assert found["Idris"] == "name:idris"
    # With no full name in the room, the directory has two Idris's: still no guess.
    assert resolve("Idris", "Wren")["Idris"] == "name:idris"


def test_a_first_name_alone_in_a_session_falls_back_to_the_one_directory_person():
    # Third session: "Selin" alone, her colleague who shares the surname in the room.
    found = resolve("Selin", "Bram Okonkwo-Hale")
    assert found["Selin"] == "selin-okonkwo-hale"
    assert found["Bram Okonkwo-Hale"] == "bram-okonkwo-hale"


def test_corpus_codes_in_parentheses_are_part_of_the_label():
    found = resolve("Marketing (ES2006)", "Marketing (ES2007)", directory=False)
    assert found["Marketing (ES2006)"] != found["Marketing (ES2007)"]
    assert name_parts("Grad A (Bed002)").key == "grad a (bed002)"
