"""The prompt bank loads, covers the article's categories, and bad files fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.errors import VoiceCoachError
from voicecoach.prompts import (
    CATEGORIES,
    PromptError,
    get_prompt,
    load_prompts,
    phrase_tokens,
    prompts_dir,
)

GOOD = """
category = "Leakage"
think_s = 20
answer_s = 90

[[prompt]]
id = "leak-x"
text = "Explain leakage."

[[prompt.key_point]]
id = "future"
label = "Future information"
phrases = ["future", "label*"]
"""


def write(tmp_path: Path, text: str, name: str = "a.toml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_bank_has_40_prompts_in_every_category():
    prompts = load_prompts()
    assert len(prompts) >= 40
    assert {p.category for p in prompts} == set(CATEGORIES)
    assert len({p.id for p in prompts}) == len(prompts)
    for p in prompts:
        assert p.think_s > 0 and p.answer_s > 0
        assert len(p.key_points) >= 3, p.id


def test_get_prompt_and_unknown_id_suggests():
    assert get_prompt("design-fraud-detection").category == "ML system design"
    with pytest.raises(PromptError, match="did you mean design-fraud-detection"):
        get_prompt("design-fraud-detect")


def test_env_overrides_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("VOICECOACH_PROMPTS_DIR", str(write(tmp_path, GOOD)))
    assert prompts_dir() == tmp_path
    (p,) = load_prompts()
    assert (p.id, p.think_s, p.answer_s) == ("leak-x", 20, 90)
    assert p.key_points[0].phrases == ("future", "label*")


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (('category = "Leakage"', 'category = "Cooking"'), "field category"),
        (('id = "leak-x"', 'id = "Leak X"'), "field prompt[0].id"),
        (('text = "Explain leakage."', "text = 3"), "field prompt[0] (leak-x).text"),
        (("think_s = 20", "think_s = -5"), "field think_s"),
        (('phrases = ["future", "label*"]', "phrases = []"),
         "field prompt[0] (leak-x).key_point[0].phrases"),
        (('label = "Future information"', 'lable = "x"'),
         "field prompt[0] (leak-x).key_point[0].lable: unknown field"),
        (('text = "Explain leakage."', 'text = "Explain leakage'), "not valid TOML"),
        (('phrases = ["future", "label*"]', 'phrases = ["future"]\nsenses = ["ok", "?"]'),
         "field prompt[0] (leak-x).key_point[0].senses[1]: '?' has no words"),
    ],
)
def test_invalid_file_names_file_and_field(tmp_path, edit, field):
    write(tmp_path, GOOD.replace(*edit), "broken.toml")
    with pytest.raises(PromptError) as err:
        load_prompts(tmp_path)
    assert str(err.value).startswith(str(tmp_path / "broken.toml") + ":")
    assert field in str(err.value)
    assert isinstance(err.value, VoiceCoachError)


def test_a_users_prompt_says_other_ways_of_making_its_point(tmp_path):
    """A prompt of one's own has no shipped senses: its `senses` field lets a
    paraphrase with none of the phrases count, as the bank's senses do."""
    from tools.synthetic import words_from_text
    from voicecoach.analysis.coverage import analyze_coverage
    from voicecoach.analysis.text import build_transcript

    said = build_transcript(words_from_text(
        "A column filled in after the outcome gives the answer away."))
    plain = load_prompts(write(tmp_path, GOOD))[0]
    with_senses = load_prompts(write(tmp_path, GOOD.replace(
        'phrases = ["future", "label*"]',
        'phrases = ["future", "label*"]\nsenses = ["filled in after", "gives the answer away"]')
    ))[0]
    assert with_senses.key_points[0].senses == ("filled in after", "gives the answer away")
    assert plain.key_points[0].senses == ()
    (point,) = analyze_coverage(said, plain).details["key_points"]
    assert not point["touched"]
    (point,) = analyze_coverage(said, with_senses).details["key_points"]
    assert point["touched"] and "filled in after" in point["evidence"]


def test_duplicate_id_across_files(tmp_path):
    write(tmp_path, GOOD, "a.toml")
    write(tmp_path, GOOD, "b.toml")
    with pytest.raises(PromptError, match=r"b\.toml: field id: 'leak-x' already defined in a"):
        load_prompts(tmp_path)


def test_phrase_tokens():
    assert phrase_tokens("P95 latency") == ("p95", "latency")
    assert phrase_tokens("label*") == ("label*",)
    assert phrase_tokens("A/B test*") == ("a", "b", "test*")
    assert phrase_tokens("real-time") == ("real", "time")
