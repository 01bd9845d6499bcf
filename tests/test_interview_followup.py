"""Follow-up selection: the probe targets the weakest part of *that* answer, is
deterministic, and says why it was asked. Text-path reports (no audio): the spoken
path is in test_tui_mock.py."""

from __future__ import annotations

from tools.synthetic import report_from_text
from voicecoach.analysis.scoring import score_report
from voicecoach.interview.followup import choose_follow_up
from voicecoach.interview.gaps import fixed_by_follow_ups, session_coverage, session_gaps
from voicecoach.prompts import Prompt, follow_up_prompt, get_prompt
from voicecoach.report import Report

FRAUD = get_prompt("design-fraud-detection")

# Thin: labels, imbalance, latency and a risk, but nothing on how it is watched in
# production and no fallback.
THIN_FRAUD = ("We have labels from chargebacks for past transactions. Fraud is rare, so I "
              "would use class weights. Then I would train a gradient boosted model on the "
              "transaction features, because it is fast. It has to answer in real time, under "
              "fifty milliseconds. The risk is false positives that block good customers.")
MONITORING_ANSWER = ("Chargebacks arrive weeks late, so I cannot wait for them. I would "
                     "monitor the score distribution and the approval rate every hour, and "
                     "alert when they drift, because fraudsters adapt quickly. Analysts review "
                     "a sample of flagged payments each day, which gives early labels, and I "
                     "would retrain weekly on matured labels.")


def scored(text: str, prompt: Prompt) -> Report:
    report = report_from_text(text, prompt_id=prompt.id)
    score_report(report, prompt)
    return report


def test_thin_fraud_answer_without_monitoring_gets_the_monitoring_probe():
    first = scored(THIN_FRAUD, FRAUD)
    gaps = session_gaps(FRAUD, [first])
    assert "adaptation" in gaps.missed_key_points and "monitoring" in gaps.missing_elements
    choice = choose_follow_up(FRAUD, gaps)
    assert choice is not None
    assert choice.follow_up.id == "monitoring"
    assert choice.reason.startswith("asked because monitoring never came up")
    assert "adversarial drift" in choice.reason
    assert set(choice.targets) == {"adaptation", "monitoring"}


def test_choice_is_deterministic():
    first = scored(THIN_FRAUD, FRAUD)
    choices = {choose_follow_up(FRAUD, session_gaps(FRAUD, [first])) for _ in range(5)}
    assert len(choices) == 1


def test_missed_labels_get_the_labels_probe():
    answer = ("Let me structure this. First, I would clarify the cost of a false positive. "
              "The model has to answer in real time, under fifty milliseconds, so I would "
              "start with a simple gradient boosted model because it is fast. Fraud is rare, "
              "so I would use class weights, which is a tradeoff against calibration. The "
              "risk is that fraudsters adapt, so I would monitor drift and retrain weekly, "
              "and fall back to rules when the model is down.")
    gaps = session_gaps(FRAUD, [scored(answer, FRAUD)])
    assert gaps.missed_key_points == ("labels",)
    choice = choose_follow_up(FRAUD, gaps)
    assert choice is not None and choice.follow_up.id == "labels"
    assert "labels: chargebacks arrive late" in choice.reason


def test_unresolved_it_depends_gets_a_tradeoff_probe():
    prompt = get_prompt("prod-batch-vs-realtime")
    answer = ("Batch or real time? Honestly it depends. Batch is a scheduled job that writes "
              "a table, and real time is a service. Both can work for new users and for "
              "fresh data, and both can fail, and we would monitor both.")
    first = scored(answer, prompt)
    gaps = session_gaps(prompt, [first])
    assert gaps.unresolved_depends == 1
    choice = choose_follow_up(prompt, gaps)
    assert choice is not None and choice.follow_up.id == "depends-on-what"
    assert choice.reason.startswith(
        "asked because \"it depends\" was left without saying on what")


def test_strong_answer_still_gets_a_deeper_probe_and_says_so():
    first = scored(FRAUD.model_answer or "", FRAUD)
    gaps = session_gaps(FRAUD, [first])
    assert gaps.missed_key_points == () and gaps.missing_elements == ()
    choice = choose_follow_up(FRAUD, gaps)
    assert choice is not None and choice.points == 0
    assert choice.follow_up.id == FRAUD.follow_ups[0].id
    assert choice.reason.startswith("asked to go deeper: the answer already covered")


def test_follow_up_answer_counts_toward_the_original_question():
    first = scored(THIN_FRAUD, FRAUD)
    probe = follow_up_prompt(FRAUD, FRAUD.follow_up("monitoring"))
    second = scored(MONITORING_ANSWER, probe)
    # The follow-up's own take is judged on the key point it probes.
    assert second.extra["coverage"]["total"] == 1 and second.extra["coverage"]["score"] == 100
    before = session_coverage(FRAUD, [first])
    after = session_coverage(FRAUD, [first, second])
    assert after["touched"] == before["touched"] + 1
    assert {p["id"]: p["touched_in"] for p in after["key_points"]}["adaptation"] == 1
    fixed = fixed_by_follow_ups(FRAUD, [first, second])
    assert fixed["elements"] == ["monitoring"]
    assert fixed["key_points"] == ["Adversarial drift: fraudsters adapt, so monitor and retrain"]
    # The second follow-up targets what is still missing, never the one already asked.
    gaps = session_gaps(FRAUD, [first, second])
    choice = choose_follow_up(FRAUD, gaps, asked=["monitoring"])
    assert choice is not None and choice.follow_up.id == "fallback"
    assert "fallback" in choice.targets


def test_every_follow_up_asked_gives_none():
    gaps = session_gaps(FRAUD, [scored(THIN_FRAUD, FRAUD)])
    assert choose_follow_up(FRAUD, gaps, asked=[f.id for f in FRAUD.follow_ups]) is None


def test_behavioral_answer_is_not_probed_for_monitoring():
    prompt = get_prompt("behav-production-incident")
    answer = "We had a pricing model and one day the prices were wrong. We found the bug."
    gaps = session_gaps(prompt, [scored(answer, prompt)])
    assert "monitoring" not in gaps.missing_elements
    assert "outcome" in gaps.missing_elements
