"""Share 1 in class: the card a trainee shares (anonymised by default, exactly as previewed, 0640, replaced on
sharing again), the class's cards read back robustly (the trainee is the folder and its owner, never the file's
claim), the gallery (escaped, anonymised ones marked, both languages), and who handed in what, read live."""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import stat
from pathlib import Path

import pytest

from kamlib.class_gallery import gallery_html, gallery_page, preview_html
from kamlib.class_share import (
    MAX_SHARE_BYTES,
    ClassCard,
    SharedCard,
    list_shared,
    own_shared,
    pool_cards,
    read_class_cards,
    shared_card,
    withdraw_shared,
    write_shared_card,
)
from kamlib.errors import InputError
from kamlib.grading import load_key, model_answers
from kamlib.i18n import LANGS, t
from kamlib.live_class import read_live
from kamlib.model import Trainee
from kamlib.model.workbook import AccountPlan, KeyAccountPick
from kamlib.settings import CourseSettings, ExerciseSettings
from kamlib.submission import Group, GroupMember, Submission, write_submission
from tests.test_share_card import assert_no_name, leaky_plan

ME = getpass.getuser()  # the files a test writes belong to this user: on the hub a folder is named for its owner


def ranked_plan() -> tuple[AccountPlan, list[str]]:
    """The leaky plan with figures for this year and the account picked as a Top account."""
    plan, names = leaky_plan()
    account = plan.portfolio.items[-1].model_copy(update={"bp_wan": 800, "sow_pct": 60, "segment": "lb"})
    plan.portfolio.items[-1] = account
    plan.key_accounts = [KeyAccountPick(account_id=account.id, kind="top")]
    return plan, names


def card_of(trainee: str = "alice", goal: str = "Win the core system", anonymised: bool = True,
            box: str | None = "R3", pick: str | None = "top") -> SharedCard:
    return SharedCard(trainee_id=trainee, lang="en", anonymised=anonymised, account="Banking · Account A",
                      account_chosen=True, goal=goal, people=["CIO · Person 1"], radp_box=box,
                      radp_level=int(box[1]) if box else None, key_account=pick)  # type: ignore[arg-type]


def put(folder: Path, name: str, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# ---- what a trainee shares --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_shared_card_is_anonymised_by_default_and_keeps_no_name(lang: str) -> None:
    plan, names = ranked_plan()
    card = shared_card(plan, lang, "li.wei")  # type: ignore[arg-type]
    dumped = card.model_dump_json()
    assert card.anonymised and card.account_chosen
    assert_no_name(dumped, names)  # nor the review's "original → code" lines: the review is not carried
    assert "replacement" not in dumped and "review" not in dumped
    assert (card.radp_box, card.radp_level, card.key_account, card.mode) == ("R3", 3, "top", "R")
    assert [u.level for u in card.units] == [1, 2, 3, 3, 2, 3, 3]  # the tree top-down, names as codes
    named = shared_card(plan, lang, "li.wei", anonymise=False)  # type: ignore[arg-type]
    assert not named.anonymised and "Hefei <Bank> & Co" in named.account


def test_sharing_writes_0640_whatever_the_umask_and_sharing_again_replaces(tmp_path: Path) -> None:
    folder = tmp_path / "subs"
    old_mask = os.umask(0o077)
    try:
        first = write_shared_card(card_of("alice", goal="first"), folder)
    finally:
        os.umask(old_mask)
    assert first.parent == folder / "alice" and first.name.startswith("share1-") and first.suffix == ".json"
    if os.name == "posix":
        assert stat.S_IMODE(first.stat().st_mode) == 0o640
    second = write_shared_card(card_of("alice", goal="second"), folder)
    assert not first.exists() and own_shared("alice", folder) == second
    assert [p.name for p in (folder / "alice").iterdir()] == [second.name]  # no temporary file left
    (read,) = read_class_cards(folder).cards
    assert read.card.goal == "second"
    assert withdraw_shared("alice", folder) == 1 and own_shared("alice", folder) is None
    assert read_class_cards(folder).cards == []
    with pytest.raises(InputError):
        write_shared_card(card_of("../bob"), folder)


# ---- reading the class's cards ----------------------------------------------------------------------


def test_the_trainee_is_the_folder_never_the_files_claim(tmp_path: Path) -> None:
    put(tmp_path / "alice", "share1-20260101T000000000000Z.json", card_of("mallory").model_dump_json())
    (read,) = read_class_cards(tmp_path).cards
    assert read.trainee_id == "alice" and read.card.trainee_id == "mallory"
    html_text = gallery_html([read], [], "en")
    assert ">alice<" in html_text and "mallory" not in html_text


def test_one_bad_file_is_one_line_and_the_rest_shows(tmp_path: Path) -> None:
    good = card_of("dan").model_dump_json()
    put(tmp_path / "dan", "share1-20260101T000000000000Z.json", good)
    put(tmp_path / "amy", "share1-20260101T000000000000Z.json", "{ not json")
    put(tmp_path / "ben", "share1-20260101T000000000000Z.json", b"{" + b" " * (MAX_SHARE_BYTES + 10) + b"}")
    put(tmp_path / "cat", "share1-20260101T000000000000Z.json", json.dumps({"radp_box": "Z9", "extra": 1}))
    put(tmp_path / "deep", "share1-20260101T000000000000Z.json", "[" * 100_000 + "]" * 100_000)
    put(tmp_path / "bad name!", "share1-20260101T000000000000Z.json", good)
    put(tmp_path / "eve", "ex00-20260101T000000000000Z.json", good)  # a submission, not a card: not read here
    if os.name == "posix":
        (tmp_path / "fifo").mkdir()
        os.mkfifo(tmp_path / "fifo" / "share1-20260101T000000000000Z.json")  # would never answer a read
        (tmp_path / "link").mkdir()
        (tmp_path / "link" / "share1-20260101T000000000000Z.json").symlink_to(tmp_path / "dan" / "x.json")
    read = read_class_cards(tmp_path)
    assert [c.trainee_id for c in read.cards] == ["dan"]
    lines = {n.file.split("/")[0]: n.message("en") for n in read.not_shown}
    assert "JSON" in lines["amy"] and "more than a card may" in lines["ben"] and "not a Share 1 card" in lines["cat"]
    assert lines["deep"].startswith("Not shown: deep/") and "trainee ID" in lines["bad name!"]
    assert all(line.startswith("Not shown: ") and "\n" not in line for line in lines.values())
    if os.name == "posix":
        assert "not a regular file" in lines["fifo"] and "link" in lines["link"]
    assert "未显示" in read.not_shown[0].message("zh")


def test_the_newest_card_wins_without_falling_back_to_a_replaced_one(tmp_path: Path) -> None:
    put(tmp_path / "alice", "share1-20260101T000000000000Z.json", card_of(goal="named, replaced").model_dump_json())
    put(tmp_path / "alice", "share1-20260102T000000000000Z.json", "{ broken")
    read = read_class_cards(tmp_path)
    assert read.cards == [] and "share1-20260102" in read.not_shown[0].file


@pytest.mark.skipif(os.name != "posix", reason="file owners are a hub (Linux) matter")
def test_on_the_hub_a_card_counts_only_in_its_owners_folder(tmp_path: Path) -> None:
    inbound = tmp_path / "exchange" / "inbound"
    put(inbound / ME, "share1-20260101T000000000000Z.json", card_of(ME).model_dump_json())
    put(inbound / "someone-else", "share1-20260101T000000000000Z.json", card_of("someone-else").model_dump_json())
    read = list_shared(tmp_path / "exchange")
    assert [c.trainee_id for c in read.cards] == [ME]
    (line,) = read.not_shown
    assert f"belongs to {ME}, not to someone-else" in line.message("en")
    assert len(read_class_cards(inbound).cards) == 2  # collected files (no hub): no owners to compare


@pytest.mark.skipif(os.name != "posix", reason="file owners are a hub (Linux) matter")
def test_where_every_server_is_one_uid_the_exchange_compares_no_owner(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Kubernetes: every pod is uid 1000 and only a trainee's own folders are mounted into their pod; the
    instructors' pods say so with KAM_EXCHANGE_ANY_OWNER, and the dashboard and kam grade count every file."""
    from kamlib.intake import read_exchange

    inbound = tmp_path / "exchange" / "inbound"
    put(inbound / "someone-else", "share1-20260101T000000000000Z.json", card_of("someone-else").model_dump_json())
    submit(inbound, "someone-else")
    assert read_live(inbound, check_owner=True).status("someone-else", "ex00") == "missing"
    assert list_shared(tmp_path / "exchange").cards == []
    assert [r.reason for r in read_exchange(tmp_path / "exchange").rejected] == ["exchange.owner"]
    monkeypatch.setenv("KAM_EXCHANGE_ANY_OWNER", "1")
    live = read_live(inbound, check_owner=True)
    assert live.status("someone-else", "ex00") == "on_time" and not live.not_counted
    assert [c.trainee_id for c in list_shared(tmp_path / "exchange").cards] == ["someone-else"]
    intake = read_exchange(tmp_path / "exchange")
    assert not intake.rejected and [r.submission.trainee.id for r in intake.received] == ["someone-else"]


# ---- the gallery ------------------------------------------------------------------------------------


def classcard(trainee: str, card: SharedCard) -> ClassCard:
    return ClassCard(trainee, f"{trainee}/share1.json", dt.datetime(2026, 1, 1, tzinfo=dt.UTC), card)


@pytest.mark.parametrize("lang", LANGS)
def test_the_gallery_escapes_marks_anonymised_cards_and_speaks_the_viewers_language(lang: str) -> None:
    evil = "<script>alert(1)</script> \u202egnp.exe & \"q\""
    cards = [classcard("alice", card_of(goal=evil)), classcard("bob<i>", card_of(anonymised=False, box=None))]
    page = gallery_page(cards, [], lang)  # type: ignore[arg-type]
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "\u202e" not in page and "\\u202e" in page
    assert "bob&lt;i&gt;" in page and "<i>" not in page
    assert page.count("kam-card kam-anon") == 1 and page.count("class='kam-card'") == 1
    assert t("class_share.gallery.anonymised", lang) in page and t("class_share.gallery.named", lang) in page
    assert t("share.field.goal", lang) in page and t("class_share.gallery.kind.top", lang) in page
    assert "RADP R3" in page
    hidden = gallery_html(cards, [], lang, anonymous=True)  # type: ignore[arg-type]
    assert "alice" not in hidden and t("class_share.gallery.card_number", lang, number=2) in hidden
    assert t("class_share.gallery.none", lang) in gallery_html([], [], lang)  # type: ignore[arg-type]


def test_the_preview_is_the_gallerys_tile() -> None:
    card = card_of()
    assert preview_html(card, "alice", "en").split("</style>")[1] in gallery_html([classcard("alice", card)], [],
                                                                                  "en")


def test_pooled_counts_by_box_kind_and_level() -> None:
    cards = [classcard("a", card_of(box="R3", pick="top")), classcard("b", card_of(box="R3", pick="top")),
             classcard("c", card_of(box="A3", pick="strategic")), classcard("d", card_of(box="D1", pick=None)),
             classcard("e", card_of(box=None, pick=None)),
             classcard("f", SharedCard(lang="en", account_chosen=False))]
    pooled = pool_cards(cards)
    assert pooled.cards == 6 and pooled.boxes["top"]["R3"] == 2 and pooled.boxes["strategic"]["A3"] == 1
    assert pooled.boxes["other"] == {"D1": 1}
    assert pooled.levels == {3: 3, 1: 1}
    assert pooled.kinds == {"top": 2, "strategic": 1, "other": 2, "no_account": 1, "no_figures": 1}


# ---- who handed in what, live ----------------------------------------------------------------------


def submit(folder: Path, trainee: str, exercise: str = "ex00", group: list[str] | None = None) -> Path:
    answers = model_answers(load_key(exercise), "en")
    grp = Group(id="g1", name="G", members=[GroupMember(id=m) for m in group]) if group else None
    sub = Submission(exercise_id=exercise, trainee=Trainee(id=trainee, name=trainee.title()), answers=answers,
                     group=grp)
    return write_submission(sub, folder)


def test_live_status_on_time_late_group_and_missing(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    submit(subs, "alice")
    submit(subs, "bob", "ex01")
    submit(subs, "cat", "ex02", group=["cat", "dan"])
    (subs / "dan").mkdir()
    (subs / "eve").mkdir()
    write_shared_card(card_of("eve"), subs)  # a shared card is not a submission
    put(subs / "eve", "ex00-20260101T000000000000Z.json", "{ hostile")
    put(subs / "eve", "ex01-20260101T000000000000Z.json", submit(tmp_path / "x", "mallory", "ex01").read_bytes())
    settings = CourseSettings(exercises={"ex01": ExerciseSettings(due=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))})
    live = read_live(subs, settings=settings)
    assert live.trainees == ["alice", "bob", "cat", "dan", "eve"]
    assert live.status("alice", "ex00") == "on_time" and live.status("alice", "ex01") == "missing"
    assert live.status("bob", "ex01") == "late"
    assert live.status("cat", "ex02") == "on_time" and live.status("dan", "ex02") == "group"
    assert live.handed[("dan", "ex02")].by == "cat"
    assert live.status("eve", "ex00") == "missing" and live.status("eve", "ex01") == "missing"
    assert live.files == 5  # the card is not one
    reasons = sorted(r.message("en").split(":")[0] for r in live.not_counted)
    assert len(reasons) == 2
    stats = {s.exercise_id: s for s in live.stats()}
    assert (stats["ex00"].submitted, stats["ex00"].missing) == (1, 4)
    assert (stats["ex01"].submitted, stats["ex01"].late) == (1, 1)
    assert stats["ex02"].submitted == 2


@pytest.mark.skipif(os.name != "posix", reason="file owners are a hub (Linux) matter")
def test_on_the_hub_a_submission_counts_only_in_its_owners_folder(tmp_path: Path) -> None:
    inbound = tmp_path / "exchange" / "inbound"
    submit(inbound, ME)
    submit(inbound, "someone-else")
    live = read_live(inbound, check_owner=True)
    assert live.status(ME, "ex00") == "on_time" and live.status("someone-else", "ex00") == "missing"
    (line,) = live.not_counted
    assert line.message("en").startswith("Not counted: someone-else/ex00-") and "belongs to" in line.message("en")


def test_collected_folder_grading_skips_share_cards(tmp_path: Path) -> None:
    """A folder of collected submissions holds the class's Share 1 cards too: they are not graded or rejected."""
    from kamlib.intake import read_folder

    folder = tmp_path / "collected" / "t01"
    folder.mkdir(parents=True)
    (folder / "share1-20261204T100000000000Z.json").write_text('{"card": {}}', encoding="utf-8")
    intake = read_folder(tmp_path / "collected")
    assert not intake.rejected and not intake.received
    assert [name.endswith(".json") for name in intake.ignored] == [True]
