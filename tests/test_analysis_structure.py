"""Structure: the article's elements and anti-patterns, on hand-written answers."""

from __future__ import annotations

from tools.synthetic import words_from_text
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.structure import analyze_structure
from voicecoach.analysis.text import build_transcript

RULES = ScoringRules()

STRONG = (
    "Let me structure my answer in three parts: the data, the model, and how we run it. "
    "First, the data. I'd clarify how labels are generated and check for leakage. "
    "Next, the model. Since latency matters more than a small accuracy gain, I'd start "
    "with logistic regression as a baseline, and the tradeoff is some accuracy for speed. "
    "The main risk is drift, so I'd monitor the input distribution and alert on it, with "
    "a fallback to rules. Deployment goes through a canary, so a bad version reaches few "
    "users, and we retrain when the drift alert fires, not on a fixed calendar. A bigger "
    "model could add a point of recall, but it would cost memory and explanations. "
    "Finally, to summarize: data first, a simple model, and careful monitoring."
)


def ids(text: str, category: str | None = None) -> list[str]:
    out = analyze_structure(build_transcript(words_from_text(text)), RULES, category)
    return [d.finding.id for d in out.deductions]


def analyze(text: str, category: str | None = None):
    return analyze_structure(build_transcript(words_from_text(text)), RULES, category)


def test_strong_answer_has_every_element():
    out = analyze(STRONG)
    assert out.deductions == [], [d.finding for d in out.deductions]
    assert out.score == 100
    assert all(out.details["elements"].values())
    assert {s.id for s in out.strengths} >= {"framing", "data_first", "summary"}


def test_model_before_data_and_opening_with_model():
    found = ids("I'd start with XGBoost or a neural network, then look at the data labels.")
    assert "model-before-data" in found
    assert "opening-with-model" in found


def test_model_after_reason_and_data_is_not_an_opening_fault():
    found = ids("Since the tabular features are sparse, XGBoost gives a strong baseline.")
    assert "opening-with-model" not in found
    assert "model-before-data" not in found


def test_tool_list_without_reasons():
    found = ids("I'd start with XGBoost, then I'd try SHAP, then I'd use Optuna, "
                "then I'd deploy with MLflow.")
    assert "tool-list" in found
    reasoned = ids("I'd use XGBoost because the data is tabular, and SHAP since users are "
                   "affected, and Optuna to keep tuning cheap.")
    assert "tool-list" not in reasoned


def test_unjustified_choice():
    assert "unjustified-choice" in ids("I'd use SHAP to explain predictions.")
    assert "unjustified-choice" not in ids("I'd use SHAP because users need explanations.")


def test_over_engineering_unless_a_baseline_is_mentioned():
    assert "over-engineering" in ids("I'd use a large transformer with state of the art "
                                     "attention for the tabular data.")
    assert "over-engineering" not in ids("I'd start with a simple baseline and only try a "
                                         "large transformer if the data justifies it.")


def test_summary_counts_only_at_the_end():
    text = "To summarize the problem, we predict churn. " + STRONG.replace(
        "Finally, to summarize: data first, a simple model, and careful monitoring.",
        "We retrain weekly and watch the latency budget carefully every single day.")
    assert "no-summary" in ids(text)


def test_short_answers_are_not_asked_for_framing_or_summary():
    found = ids("Labels arrive late, so latency of the feedback is the tradeoff here.")
    assert "no-framing" not in found and "no-summary" not in found
    assert "no-monitoring" in found


def test_behavioral_profile_judges_outcome_and_lesson():
    story = ("Let me give the context, what went wrong, and what I changed. Our churn model "
             "lost half its precision because a partner changed a feature, which was my "
             "risk to own. The tradeoff was speed versus safety, so we rolled back.")
    found = ids(story, "Behavioral")
    assert "no-outcome" in found and "no-learning" in found
    assert "no-data" not in found and "no-monitoring" not in found


def test_frames_coverage_reported():
    frames = analyze(STRONG).details["frames"]
    assert set(frames) == {"why_how", "principle"}
    assert frames["why_how"]["why"] and frames["principle"]["decision"]


def test_per_second_is_not_a_signpost():
    out = analyze("We serve ten thousand requests per second and one per second more.")
    assert out.details["signposts"] == 0


def test_clarifying_needs_a_question_about_the_problem():
    """Issue #12: "Where was I, right?" and a misheard "for a lot of detection?" were
    praised as clarifying."""
    def praised(text: str) -> bool:
        return any(s.id == "clarify" for s in analyze(text).strengths)

    assert not praised("We train a tree. Where was I, right? The features come from logs.")
    assert not praised("We use a boosted model. And so, for a lot of detection? We deploy.")
    assert not praised("The model is a linear one on the features, does that make sense?")
    assert praised("Is this real time or batch, and what latency can we afford?")
    assert praised("What is the goal here, catching more fraud or annoying fewer customers?")
    assert praised("I'll assume we score every payment, two thousand per second.")


def test_missing_elements_point_at_where_to_add_them():
    out = analyze("We get the logs. I'd use XGBoost with class weights on the transactions. "
                  "It runs behind an API and we ship it next week to all users.")
    by_id = {d.finding.id: d.finding for d in out.deductions}
    choice = by_id["no-tradeoffs"]
    assert choice.start is not None and "XGBoost" in choice.evidence
    assert "where the first choice is made" in choice.message
    assert by_id["no-monitoring"].evidence.startswith("It runs behind")  # before the end
    assert not any(s.id == "tradeoffs" for s in out.strengths)  # "weights" is no tradeoff
