"""Follow-ups and model answers in the prompt bank: every prompt has them, they point at
real key points, and a broken follow-up fails with one line naming file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.synthetic import report_from_text
from voicecoach.analysis.scoring import score_report
from voicecoach.prompts import (
    FOLLOW_UP_ELEMENTS,
    PromptError,
    follow_up_prompt,
    get_prompt,
    load_prompts,
)

GOOD = '''
category = "Leakage"
think_s = 20
answer_s = 90

[[prompt]]
id = "leak-x"
text = "Explain leakage."
model_answer = "Future information in training features."

[[prompt.key_point]]
id = "future"
label = "Future information"
phrases = ["future"]

[[prompt.key_point]]
id = "split"
label = "Time based split"
phrases = ["time based"]

[[prompt.follow_up]]
id = "split-probe"
text = "How would you split it?"
probes = ["split"]
elements = ["data"]
'''


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "broken.toml").write_text(text, encoding="utf-8")
    return tmp_path


def test_every_bank_prompt_has_two_follow_ups_and_a_model_answer():
    for p in load_prompts():
        assert len(p.follow_ups) >= 2, p.id
        assert p.model_answer, p.id
        words = len(p.model_answer.split())
        # 60-120 s spoken at 130-175 wpm.
        assert 150 <= words <= 300, (p.id, words)
        key_ids = {kp.id for kp in p.key_points}
        for fu in p.follow_ups:
            assert fu.text and fu.text != p.text, (p.id, fu.id)
            assert set(fu.probes) <= key_ids, (p.id, fu.id)
            assert set(fu.elements) <= set(FOLLOW_UP_ELEMENTS), (p.id, fu.id)
            assert fu.probes or fu.elements


def test_follow_ups_probe_what_the_article_says_interviewers_probe():
    """Across the bank, the probes reach data, constraints, tradeoffs, risks and monitoring,
    and every technical prompt has a follow-up on monitoring, risks or data."""
    elements = {e for p in load_prompts() for fu in p.follow_ups for e in fu.elements}
    assert {"data", "constraints", "tradeoffs", "risks", "monitoring"} <= elements
    for p in load_prompts():
        if p.category != "Behavioral":
            assert {e for fu in p.follow_ups for e in fu.elements} & {
                "monitoring", "risks", "data", "tradeoffs"}, p.id


def test_fraud_prompt_has_a_monitoring_probe():
    fraud = get_prompt("design-fraud-detection")
    probe = fraud.follow_up("monitoring")
    assert "monitoring" in probe.elements and "adaptation" in probe.probes


def test_model_answers_cover_every_key_point_and_score_structure_on_text():
    """The text path (plausible timing, no audio) for every model answer: the spoken
    check of a subset is in test_model_answers_spoken.py."""
    weak = []
    for p in load_prompts():
        report = report_from_text(p.model_answer, wpm=165, prompt_id=p.id)
        score_report(report, p)
        missed = [k["id"] for k in report.extra["coverage"]["key_points"] if not k["touched"]]
        if report.scores["structure"] < 80 or missed:
            weak.append((p.id, report.scores["structure"], missed))
    assert not weak


def test_follow_up_as_prompt_is_judged_on_what_it_probes():
    fraud = get_prompt("design-fraud-detection")
    as_prompt = get_prompt("design-fraud-detection/labels")
    assert as_prompt == follow_up_prompt(fraud, fraud.follow_up("labels"))
    assert as_prompt.parent == "design-fraud-detection"
    assert as_prompt.category == fraud.category
    assert [kp.id for kp in as_prompt.key_points] == ["labels"]
    with pytest.raises(PromptError, match="has no follow-up 'nope'"):
        get_prompt("design-fraud-detection/nope")


def test_good_file_loads_follow_ups(tmp_path):
    (p,) = load_prompts(write(tmp_path, GOOD))
    assert p.model_answer == "Future information in training features."
    (fu,) = p.follow_ups
    assert (fu.id, fu.probes, fu.elements) == ("split-probe", ("split",), ("data",))


@pytest.mark.parametrize(
    ("edit", "field"),
    [
        (('probes = ["split"]', 'probes = ["splitt"]'),
         "field prompt[0] (leak-x).follow_up[0].probes: 'splitt' is not a key point"),
        (('elements = ["data"]', 'elements = ["vibes"]'),
         "field prompt[0] (leak-x).follow_up[0].elements: 'vibes' is not a element"),
        (('probes = ["split"]\nelements = ["data"]', 'probes = []'),
         "field prompt[0] (leak-x).follow_up[0].probes: a follow-up must probe"),
        (('text = "How would you split it?"', 'txt = "x"'),
         "field prompt[0] (leak-x).follow_up[0].txt: unknown field"),
        (('id = "split-probe"', 'id = "Split"'), "field prompt[0] (leak-x).follow_up[0].id"),
        (('text = "How would you split it?"\n', ''),
         "field prompt[0] (leak-x).follow_up[0].text: missing"),
        (('model_answer = "Future information in training features."', 'model_answer = 3'),
         "field prompt[0] (leak-x).model_answer: must be a non-empty"),
    ],
)
def test_broken_follow_up_names_file_and_field(tmp_path, edit, field):
    assert edit[0] in GOOD
    write(tmp_path, GOOD.replace(*edit))
    with pytest.raises(PromptError) as err:
        load_prompts(tmp_path)
    message = str(err.value)
    assert message.startswith(str(tmp_path / "broken.toml") + ":")
    assert field in message
    assert "\n" not in message


def test_duplicate_follow_up_id(tmp_path):
    twice = GOOD + GOOD[GOOD.index("[[prompt.follow_up]]"):]
    write(tmp_path, twice)
    with pytest.raises(PromptError, match=r"follow_up\[1\]\.id: 'split-probe' appears twice"):
        load_prompts(tmp_path)
