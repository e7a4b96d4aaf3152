"""Course settings (deck defaults, instructor overrides) and the RADP rules that use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from kamlib.errors import InputError, SettingsError
from kamlib.screening import radp_box, radp_level, radp_status
from kamlib.settings import CourseSettings, load_settings, settings_in_force

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_are_the_decks_values() -> None:
    s = CourseSettings()
    assert (s.radp.sow_retainable_pct, s.radp.sow_developable_pct) == (50, 10)
    assert (s.radp.bp_level1_wan, s.radp.bp_level2_wan, s.radp.bp_level3_wan) == (100, 300, 500)
    assert (s.picks.top, s.picks.strategic) == (3, 2)
    assert (s.bidding.j1_price.low, s.bidding.j1_price.high) == (30, 40)
    assert (s.bidding.j4_commercial.low, s.bidding.j4_commercial.high) == (8, 12)


def test_shipped_settings_file_states_the_defaults() -> None:
    shipped = load_settings(ROOT / "course-settings.toml")
    assert shipped.model_dump(exclude={"exercises"}) == CourseSettings().model_dump(exclude={"exercises"})


def test_instructor_override_is_in_force_and_marked(home: Path) -> None:
    (home / "course-settings.toml").write_text(
        "[radp]\nbp_level2_wan = 250\n[exercises.ex00]\nself_check = false\n", encoding="utf-8"
    )
    s = load_settings()
    assert s.radp.bp_level2_wan == 250 and s.radp.bp_level3_wan == 500
    assert not s.exercise("ex00").self_check and s.exercise("other").self_check
    changed = {name: (value, default) for name, value, default in settings_in_force(s) if value != default}
    assert changed["radp.bp_level2_wan"] == (250, 300)
    assert radp_level(260, s.radp) == 2


def test_bad_settings_name_the_field(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = home / "class.toml"
    path.write_text("[radp]\nbp_level1_wan = 400\nsow_developable_pct = -1\n", encoding="utf-8")
    monkeypatch.setenv("KAM_SETTINGS", str(path))
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert "D: lowest SoW (%)" in err.value.message("en") and str(path) in err.value.message("en")
    path.write_text("[radp\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="TOML"):
        load_settings()


@pytest.mark.parametrize(
    ("sow", "status"), [(100, "R"), (50, "R"), (49.9, "D"), (10, "D"), (9.99, "A"), (0.1, "A"), (0, "P")]
)
def test_radp_status_boundaries(sow: float, status: str) -> None:
    assert radp_status(sow) == status


@pytest.mark.parametrize(("bp", "level"), [(0, 0), (99.9, 0), (100, 1), (299, 1), (300, 2), (500, 3)])
def test_radp_level_boundaries(bp: float, level: int) -> None:
    assert radp_level(bp) == level


def test_radp_box_and_errors() -> None:
    assert radp_box(30, 800) == "D3"
    with pytest.raises(InputError) as err:
        radp_status(120)
    assert "0 到 100" in err.value.message("zh")
    with pytest.raises(InputError):
        radp_level(-5)


def test_the_course_folders_settings_apply_unless_the_home_or_kam_settings_has_its_own(
        home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed course (``KAM_COURSE``, e.g. the hub bundle) brings the class's settings with it."""
    course = tmp_path / "course"
    course.mkdir()
    (course / "course-settings.toml").write_text("[radp]\nbp_level2_wan = 260\n", encoding="utf-8")
    monkeypatch.setenv("KAM_COURSE", str(course))
    assert load_settings().radp.bp_level2_wan == 260
    (home / "course-settings.toml").write_text("[radp]\nbp_level2_wan = 250\n", encoding="utf-8")
    assert load_settings().radp.bp_level2_wan == 250  # the workbook home's own file comes first
    monkeypatch.setenv("KAM_SETTINGS", str(tmp_path / "none.toml"))
    assert load_settings() == CourseSettings()  # a settings file named but missing: the deck's defaults
