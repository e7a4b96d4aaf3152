"""kamlib.account_names: when two names are one account, and how an import merges into the list."""

from __future__ import annotations

from kamlib.account_names import merge_accounts, name_key, repeated_names, same_name
from kamlib.model.workbook import Account, YearFigures


def test_names_compare_without_case_width_or_outer_spaces() -> None:
    full_width = "\uff29\uff23\uff22\uff23\u3000\uff08\u5b89\u5fbd\uff09"  # ＩＣＢＣ　（安徽） typed in full width
    assert name_key(full_width) == name_key("icbc (\u5b89\u5fbd)") == name_key("  ICBC   (\u5b89\u5fbd) ")
    assert name_key("Harbour Bank") != name_key("HarbourBank")  # a missing space is another name
    assert name_key("   ") == ""


def test_same_name_leaves_out_the_row_being_edited() -> None:
    accounts = [Account(name="Harbour Bank"), Account(name="Metro Hospital")]
    assert same_name(accounts, " harbour bank ") == (1, accounts[0])
    assert same_name(accounts, "Harbour Bank", except_id=accounts[0].id) is None
    assert same_name(accounts, "Newco") is None and same_name(accounts, "") is None


def test_repeated_names_are_grouped_in_list_order() -> None:
    a, b, c = Account(name="ACME"), Account(name="Beta"), Account(name="acme ")
    assert repeated_names([a, b, c]) == [[a, c]]
    assert repeated_names([a, b]) == []


def test_merge_adds_updates_and_leaves_out_what_it_cannot_place() -> None:
    known = Account(name="Harbour Bank", bp_wan=800, history=[YearFigures(year=2024, bp_wan=700)])
    twin1, twin2 = Account(name="Twin"), Account(name="twin")  # saved before names were checked
    accounts = [known, twin1, twin2]
    incoming = [(2, Account(name="HARBOUR BANK", bp_wan=900)), (3, Account(name="Newco", bp_wan=100)),
                (4, Account(name="newco", bp_wan=200)), (5, Account(name="Twin", bp_wan=50))]
    merge = merge_accounts(accounts, incoming)
    assert (merge.added, merge.updated) == (1, 1)
    assert accounts[0].id == known.id and accounts[0].bp_wan == 900 and accounts[0].history  # figures, history kept
    assert accounts[0].name == "Harbour Bank"  # the name as the list has it
    assert [a.name for a in accounts] == ["Harbour Bank", "Twin", "twin", "Newco"] and accounts[3].bp_wan == 100
    assert twin1.bp_wan is None and twin2.bp_wan is None  # neither twin is updated
    rows = {row: reason for row, reason in merge.left_out}
    assert sorted(rows) == [4, 5]
    assert rows[4].key == "account_names.repeated_in_file" and rows[4].params["first"] == 3
    several = rows[5].render("en")
    assert "2 times" in several and "“Twin” (account 2)" in several and "“twin” (account 3)" in several
    assert "\u201cTwin\u201d\uff08\u7b2c 2 \u4e2a\u5ba2\u6237\uff09" in rows[5].render("zh")
