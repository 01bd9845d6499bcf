"""score_report end to end on text reports: scores, findings, fillers, settings, scorecard."""

from __future__ import annotations

import json
import re

import pytest

from tools.synthetic import report_from_text
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.scoring import score_report
from voicecoach.config import Settings, load_settings
from voicecoach.errors import VoiceCoachError
from voicecoach.prompts import get_prompt
from voicecoach.report import SCORE_NAMES as SCORES
from voicecoach.report import Report
from voicecoach.scorecard import render_scorecard, top_fixes

WEAK = ("Okay so I would probably use XGBoost, or maybe a neural network, and then, um, we "
        "train it and then we tune it and then, uh, we check the accuracy and so it should "
        "work pretty well I guess, um, and then it depends.")
STRONG = ("Let me structure this in three parts: the data, the model, and how we run it "
          "safely. First, the data. Chargebacks arrive weeks late, so labels are delayed, and "
          "some fraud is never labeled. I would check for leakage and the class imbalance. "
          "Next, the model. Since scoring sits in the payment path, latency matters, so I "
          "would start with a simple baseline that keeps the P95 under fifty milliseconds. "
          "The tradeoff is a little accuracy for speed. The main risk is that fraudsters "
          "adapt, so I would monitor drift in the input distribution and alert on it, with a "
          "rules based fallback. To summarize: data first, a fast simple model, and strong "
          "monitoring.")


def scored(text: str, prompt_id: str | None = None, rules: ScoringRules | None = None
           ) -> Report:
    report = report_from_text(text, prompt_id=prompt_id)
    score_report(report, get_prompt(prompt_id) if prompt_id else None, rules)
    return report


def test_scores_are_integers_and_explained_by_findings():
    for text in (WEAK, STRONG):
        r = scored(text)
        assert set(r.scores) == set(SCORES)
        assert all(isinstance(v, int) and 0 <= v <= 100 for v in r.scores.values())
        deductions = r.extra["score_breakdown"]["deductions"]
        ids = {f.id for f in r.findings}
        for name in ("structure", "flow", "delivery", "fillers"):
            points = sum(d["points"] for d in deductions.get(name, []))
            assert r.scores[name] == max(0, round(100 - points)), name
            assert {d["finding"] for d in deductions.get(name, [])} <= ids


def test_strong_beats_weak_and_weak_names_its_flaws():
    weak, strong = scored(WEAK), scored(STRONG)
    assert strong.scores["structure"] > weak.scores["structure"]
    assert strong.scores["overall"] > weak.scores["overall"]
    assert {"model-before-data", "conjunction-chain", "unresolved-it-depends"} <= \
        {f.id for f in weak.findings}
    assert strong.extra["flow"]["style"] == "structured"


def test_findings_carry_the_specified_fields():
    r = scored(WEAK)
    data = json.loads(r.to_json())
    for f in data["findings"]:
        assert set(f) == {"id", "category", "severity", "message", "tip", "start", "end",
                          "evidence"}
        assert f["category"] in {"structure", "pacing", "pauses", "fillers", "flow", "content"}
        assert f["severity"] in {"major", "minor", "info"}
    located = [f for f in data["findings"] if f["id"] == "model-before-data"][0]
    assert located["start"] is not None
    assert "xgboost" in located["evidence"].lower()
    assert len({f["id"] for f in data["findings"]}) == len(data["findings"])


def test_filler_list_and_metrics_stay_consistent():
    r = scored(WEAK)
    assert r.metrics.filler_count == len(r.fillers) >= 3
    assert r.metrics.fillers_per_min == pytest.approx(
        len(r.fillers) / r.metrics.speaking_span_s * 60)
    again = Report.from_dict(json.loads(r.to_json()))
    assert again.scores == r.scores and again.extra["flow"] == r.extra["flow"]


def test_prompt_adds_coverage_and_content_weight():
    r = scored(STRONG, "design-fraud-detection")
    cov = r.extra["coverage"]
    assert cov["total"] == 6 and cov["touched"] >= 5
    touched = {k["id"] for k in cov["key_points"] if k["touched"]}
    assert {"labels", "latency", "imbalance", "fallback"} <= touched
    assert "content" in r.extra["score_breakdown"]["weights"]
    weak = scored(WEAK, "design-fraud-detection")
    missed = [f for f in weak.findings if f.id == "missed-key-points"]
    assert missed and missed[0].category == "content"


def test_rules_from_settings_table(tmp_path):
    path = tmp_path / "settings.toml"
    path.write_text('pace_max_wpm = 200\n[scoring]\nrun_on_words = 80\n'
                    'hedges = ["maybe"]\n', encoding="utf-8")
    rules = ScoringRules.from_settings(load_settings(path, environ={}))
    assert (rules.pace_max_wpm, rules.run_on_words, rules.hedges) == (200, 80, ("maybe",))
    for bad, field in (({"run_on_wordz": 3}, "run_on_wordz"), ({"run_on_words": "x"},
                       "run_on_words"), ({"hedges": [1]}, "hedges")):
        with pytest.raises(VoiceCoachError, match=f"field {field}"):
            ScoringRules.from_settings(Settings(scoring=bad))


def test_scorecard_shows_scores_top_fixes_with_times_and_what_went_well():
    r = scored(STRONG.replace("First, the data.", "First, um, uh, um, the data."),
               "design-fraud-detection")
    text = render_scorecard(r)
    assert "SCORES" in text and f"overall     {r.scores['overall']}" in text
    assert "FIX FIRST" in text and "WENT WELL" in text and "KEY POINTS" in text
    fixes = top_fixes(r.findings)
    assert 1 <= len(fixes) <= 3
    burst = [f for f in r.findings if f.id == "filler-burst"]
    assert burst and "0:" in text.split("FIX FIRST")[1].split("WENT WELL")[0]
    assert "Framed the answer up front" in text
    assert "thinking aloud: structured" in text
    assert "thinking aloud: rambling" in render_scorecard(scored(WEAK))


def test_scoring_again_is_idempotent_and_marks_spans():
    r = report_from_text(WEAK + " The the data is late.")
    score_report(r)
    first = (list(r.fillers), dict(r.scores), [f.id for f in r.findings])
    score_report(r, get_prompt("design-fraud-detection"))
    assert r.fillers == first[0] and r.metrics.filler_count == len(first[0])
    assert r.scores["structure"] == first[1]["structure"]
    assert "coverage" in r.extra
    kinds = {m["kind"] for m in r.extra["marks"]}
    assert kinds == {"hedge"} or kinds == {"hedge", "signpost"}
    assert all(m["start"] <= m["end"] for m in r.extra["marks"])


@pytest.mark.slow
def test_cli_json_and_scorecard_on_spoken_answers(capsys):
    """`voicecoach score FILE --json --prompt ID` on real synthesized speech."""
    from tools import validate
    from voicecoach.cli import main

    pair = next(p for p in validate.load_toml("answers.toml")["pair"]
                if p["id"] == "fraud-design")
    strong = validate.synthesize("pair-fraud-design-strong", [pair["strong"]], "flite")
    weak = validate.synthesize("pair-fraud-design-weak", [pair["weak"]], "flite")
    assert main(["score", str(strong.path), "--json", "--prompt", "design-fraud-detection"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["scores"]) == set(SCORES)
    assert data["coverage"]["touched"] >= 4 and data["flow"]["style"] == "structured"
    assert main(["score", str(weak.path), "--prompt", "design-fraud-detection"]) == 0
    card = capsys.readouterr().out
    fixes = [line for line in card.split("FIX FIRST")[1].split("\n\n")[0].splitlines()
             if line.startswith("  ") and line.strip()[:2] in ("1.", "2.", "3.")]
    assert len(fixes) == 3
    assert all(re.search(r"\[\w+, (whole answer|at \d+:\d\d|\d+:\d\d-\d+:\d\d)\]", f)
               for f in fixes), fixes
    assert "thinking aloud: rambling" in card


def test_a_quote_too_short_to_judge_gets_no_structure_verdict_and_no_overall():
    quote = ("And so, my fellow Americans, ask not what your country can do for you, "
             "ask what you can do for your country.")
    report = report_from_text(quote)
    score_report(report, get_prompt("design-fraud-detection"))
    assert "overall" not in report.scores and "structure" not in report.scores
    assert {"delivery", "fillers", "flow"} <= set(report.scores)
    data = json.loads(report.to_json())
    assert data["scores"]["overall"] is None and data["scores"]["structure"] is None
    assert data["not_judged"].startswith("Too short to judge")
    assert not {f.category for f in report.findings} & {"structure", "content"}
    assert Report.from_dict(data).scores == report.scores  # the nulls survive a reload
    assert "coverage" not in data
    assert all(s["category"] not in ("structure", "content") for s in data["strengths"])


def test_an_answer_at_the_minimum_is_judged():
    rules = ScoringRules()
    text = " ".join(["First, I would look at the data and the labels."] * 5)  # 50 words
    report = report_from_text(text, wpm=150.0)
    assert report.metrics.word_count >= rules.min_judged_words
    score_report(report, None, rules)
    assert "overall" in report.scores and "structure" in report.scores
    assert "not_judged" not in report.extra
