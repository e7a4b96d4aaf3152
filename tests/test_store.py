"""The workbook file: round trip, atomic save and backup, clear errors that never lose data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kamlib import paths
from kamlib.errors import InputError, WorkbookError
from kamlib.model import (
    SCHEMA_VERSION,
    Trainee,
    Workbook,
    load_workbook,
    save_workbook,
    update_workbook,
)
from kamlib.model.store import backup_path, create_workbook
from kamlib.model.workbook import Account, KeyAccountPick


def test_round_trip_keeps_every_section(workbook_file: Path) -> None:
    def change(wb):
        wb.plan.portfolio.items.append(Account(name="中国工商银行安徽省分行", bp_wan=800, sow_pct=12))
        wb.plan.key_accounts = [KeyAccountPick(account_id=wb.plan.portfolio.items[0].id, kind="top")]

    update_workbook(workbook_file, change, section="portfolio")
    wb = load_workbook(workbook_file)
    assert wb.plan.portfolio.items[0].name == "中国工商银行安徽省分行"
    assert wb.plan.portfolio.updated_at is not None
    assert wb.plan.key_accounts[0].account_id == wb.plan.portfolio.items[0].id
    text = workbook_file.read_text(encoding="utf-8")
    assert "中国工商银行" in text  # human-readable: no \\u escapes
    assert json.loads(text)["schema_version"] == SCHEMA_VERSION


def test_save_keeps_previous_version_and_leaves_no_temp_files(workbook_file: Path) -> None:
    before = workbook_file.read_text(encoding="utf-8")
    update_workbook(workbook_file, lambda wb: setattr(wb.trainee, "team", "Chengdu 3"))
    assert backup_path(workbook_file).read_text(encoding="utf-8") == before
    assert load_workbook(workbook_file).trainee.team == "Chengdu 3"
    assert sorted(p.name for p in workbook_file.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_corrupt_file_error_names_file_in_both_languages_and_keeps_it(workbook_file: Path) -> None:
    update_workbook(workbook_file, lambda wb: None)  # so that a backup exists
    workbook_file.write_text('{"schema_version": 2, "trainee": ', encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(workbook_file)
    message = str(err.value)
    assert str(workbook_file) in message
    assert "已损坏" in message and "damaged" in message
    assert str(backup_path(workbook_file)) in err.value.message("en")
    with pytest.raises(WorkbookError, match="Not saved"):
        save_workbook(Workbook(trainee=Trainee(id="li.wei", name="Li Wei")), workbook_file)
    assert workbook_file.read_text(encoding="utf-8") == '{"schema_version": 2, "trainee": '


def test_newer_schema_is_refused_and_untouched(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    data["schema_version"] = SCHEMA_VERSION + 1
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    before = workbook_file.read_bytes()
    with pytest.raises(WorkbookError) as err:
        update_workbook(workbook_file, lambda wb: None)
    assert f"{SCHEMA_VERSION + 1}" in err.value.message("en")
    assert "newer version" in err.value.message("en")
    assert "更新版本" in err.value.message("zh")
    assert workbook_file.read_bytes() == before


def test_invalid_field_is_named_with_what_is_accepted(workbook_file: Path) -> None:
    data = json.loads(workbook_file.read_text(encoding="utf-8"))
    data["plan"]["portfolio"]["items"] = [{"id": "a1", "name": "ACME", "sow_pct": 130}]
    workbook_file.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(workbook_file)
    en, zh = err.value.message("en"), err.value.message("zh")
    assert "Share of wallet SoW (%)" in en and "#1" in en and "greater than 100" in en
    assert "钱包份额 SoW(%)" in zh and "不能大于 100" in zh


def test_v1_file_is_migrated(home: Path) -> None:
    v1 = {
        "schema_version": 1,
        "trainee": {"id": "old", "name": "Old Hand", "team": "", "language": "en"},
        "plan": {"portfolio": {"items": [{"id": "k1", "name": "ICBC"}]}, "key_account": "k1"},
    }
    path = paths.workbook_path("old")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v1), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.schema_version == SCHEMA_VERSION
    assert wb.plan.key_accounts == [KeyAccountPick(account_id="k1", kind=None)]
    assert wb.plan.focus_account == "k1"
    update_workbook(path, lambda wb: None)
    assert json.loads(path.read_text(encoding="utf-8"))["schema_version"] == SCHEMA_VERSION
    assert json.loads(backup_path(path).read_text(encoding="utf-8"))["schema_version"] == 1


def test_rejected_change_leaves_file_unchanged(workbook_file: Path) -> None:
    before = workbook_file.read_bytes()

    def bad(wb):
        wb.plan.key_accounts.append(KeyAccountPick(account_id="nope", kind="top"))

    with pytest.raises(InputError) as err:
        update_workbook(workbook_file, bad)
    assert "nope" in err.value.message("en") and "nope" in err.value.message("zh")
    assert workbook_file.read_bytes() == before


def test_create_refuses_existing_file(workbook_file: Path) -> None:
    with pytest.raises(WorkbookError, match="already exists"):
        create_workbook(Trainee(id="li.wei", name="Someone"), workbook_file)


def test_not_a_workbook(home: Path) -> None:
    path = home / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(WorkbookError) as err:
        load_workbook(path)
    assert "not a workbook" in err.value.message("en")


@pytest.mark.parametrize("bad_id", ["", "../x", "a/b", ".hidden", "x" * 65])
def test_trainee_id_must_be_safe_as_a_file_name(bad_id: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Trainee(id=bad_id, name="X")


def test_default_id_is_the_hub_user_and_workbook_is_found(
    workbook_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert paths.default_trainee_id() == "hubuser"
    assert paths.find_workbook() == workbook_file  # hub user has no file: last used
    create_workbook(Trainee(id="hubuser", name="Hub"), paths.workbook_path("hubuser"))
    assert paths.find_workbook() == paths.workbook_path("hubuser")
    assert paths.find_workbook("elsewhere.json") == Path("elsewhere.json")
    monkeypatch.setenv("KAM_WORKBOOK", "/x/y.json")
    assert paths.find_workbook() == Path("/x/y.json")


def test_v2_file_is_migrated(home: Path) -> None:
    v2 = {
        "schema_version": 2,
        "trainee": {"id": "v2", "name": "Two", "team": "", "language": "zh"},
        "plan": {
            "portfolio": {"items": [{"id": "k1", "name": "ICBC", "bp_wan": 900, "sow_pct": 20}]},
            "key_accounts": ["k1"],
            "customer_tree": {"items": [
                {"id": "u1", "name": "ICBC", "level": 1, "kind": "unit"},
                {"id": "u2", "name": "Anhui", "level": 2, "parent_id": "u1", "kind": "dmu"},
            ]},
        },
    }
    path = paths.workbook_path("v2")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v2), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.plan.key_accounts == [KeyAccountPick(account_id="k1", kind=None)]
    assert [u.parent_id for u in wb.plan.customer_tree.items] == [None, "u1"]
    assert wb.plan.portfolio.items[0].bp_wan == 900


def test_v4_file_keeps_its_chapter_3_and_later_rows(home: Path) -> None:
    v4 = {
        "schema_version": 4,
        "trainee": {"id": "v4", "name": "Four", "team": "", "language": "en"},
        "plan": {
            "measures": {"items": [{"id": "m1", "priority": 2, "key_factor": "Price"}]},
            "campaign": {"items": [{"id": "c1", "person_id": "p1", "aim": "Visit"}]},
            "actions": {"items": [{"id": "a1", "text": "Trial", "target_on": "2026-01-05"}]},
            "bids": {"items": [{"id": "b1", "name": "Desktops 2026"}]},
            "assessments": {"items": [{"id": "s1", "taken_on": "2026-01-01", "answers": [True] * 4 + [False] * 4}]},
            "crises": {"items": [{"id": "x1", "title": "Late delivery", "severity": 3}]},
        },
    }
    path = paths.workbook_path("v4")
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(v4), encoding="utf-8")
    wb = load_workbook(path)
    assert wb.schema_version == SCHEMA_VERSION == 5
    assert wb.plan.actions.items[0].status == "planned" and wb.plan.actions.items[0].history == []
    assert (wb.plan.measures.items[0].key_factor, wb.plan.campaign.items[0].goal) == ("Price", None)
    assert [s.name for s in wb.plan.bids.items] == ["Desktops 2026"]
    assert wb.plan.crises.items[0].severity == 3 and wb.plan.strategy.chosen is None
