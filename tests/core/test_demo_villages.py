"""The demo's village names: the default township keeps its 李家庄村, 东湖村 …; any other township
(``demo --township NAME --region CODE9``, each township of a demo district) has names of its own,
the same for the same region, and a district's townships share none."""

from __future__ import annotations

from desktop_app.core.demo.district import township_code
from desktop_app.core.demo.orgs import VILLAGE_STEMS, village_stems


def test_the_default_township_keeps_its_names_in_order() -> None:
    assert village_stems("320115106000", 3) == ["李家庄", "东湖", "杨柳"]
    names = village_stems("320115106", len(VILLAGE_STEMS) + 2)
    assert names[-2:] == ["李家庄2", "东湖2"] and len(set(names)) == len(names)


def test_another_region_has_its_own_names_the_same_each_time() -> None:
    a, b = village_stems("320115107000", 20), village_stems("320115108000", 20)
    assert a == village_stems("320115107", 20)  # deterministic: the region code decides
    assert a != b and a[:3] != VILLAGE_STEMS[:3]
    assert len(set(a)) == 20 and all(2 <= len(n) <= 3 for n in a)


def test_a_district_s_townships_share_no_village_name_even_past_the_pool() -> None:
    taken: set[str] = set()
    for i in range(8):
        names = village_stems(township_code(i), 200, taken)
        assert len(set(names)) == 200 and not taken & set(names)
        taken.update(names)
