"""Stream of consciousness versus structured thinking aloud."""

from __future__ import annotations

from tools.synthetic import words_from_text
from voicecoach.analysis.flow import analyze_flow
from voicecoach.analysis.rules import ScoringRules
from voicecoach.analysis.structure import analyze_structure
from voicecoach.analysis.text import build_transcript

RULES = ScoringRules()

RAMBLE = ("Okay so I would probably use XGBoost, or maybe a neural network, and then we train "
          "it on the transactions and then we tune the hyperparameters and then we check the "
          "accuracy and so it should work pretty well I guess, and then we deploy it and maybe "
          "we also add some more features like the amount and the country and stuff, and then "
          "it depends.")
STRUCTURED = ("Let me structure my approach. First, I'd clarify the objective and constraints. "
              "Next, I'd analyze the data characteristics. Then, I'd evaluate modeling "
              "strategies based on those constraints. After that, I'd think through deployment "
              "and monitoring.")


def flow(text: str, wpm: float = 150):
    tr = build_transcript(words_from_text(text, wpm))
    s = analyze_structure(tr, RULES)
    return analyze_flow(tr, RULES, s.details["signpost_tokens"], s.details["framing_token"])


def ids(text: str) -> list[str]:
    return [d.finding.id for d in flow(text).deductions]


def test_rambling_answer_is_named_as_such():
    out = flow(RAMBLE)
    found = [d.finding.id for d in out.deductions]
    assert {"run-on", "conjunction-chain", "unresolved-it-depends", "hedging"} <= set(found)
    assert out.details["style"] == "rambling"


def test_structured_thinking_aloud_is_not_penalised():
    out = flow(STRUCTURED)
    assert out.deductions == []
    assert out.details["style"] == "structured"


def test_long_enumerating_sentence_is_not_a_run_on():
    text = ("First we check the labels and the schema and the joins for leakage, second we "
            "build a baseline with the cheapest features we have and measure it on a time "
            "split, and third we look at latency and memory before we even think about a "
            "bigger model for this problem.")
    assert "run-on" not in ids(text)


def test_one_change_of_mind_is_thinking_aloud():
    one = flow("We could use a ranking model, or maybe a classifier, since labels are binary.")
    (note,) = one.notes
    assert note.id == "self-corrections" and one.deductions == []
    many = ("We could rank, or maybe classify. Actually no, wait, sorry, let me rephrase. "
            "Scratch that, or rather we could rank.")
    assert "self-corrections" in ids(many)


def test_wait_as_a_verb_is_not_a_correction():
    out = flow("We wait for the labels, and the wait time is a week, so we wait until then.")
    assert not any(f.id == "self-corrections" for f in out.notes)
    assert out.deductions == []


def test_it_depends_resolved_or_not():
    assert "unresolved-it-depends" not in ids("It depends on the latency budget, which is "
                                              "fifty milliseconds here.")
    assert "unresolved-it-depends" in ids("Which model is best? It depends. We will see.")


def test_hedging_density():
    assert "hedging" in ids("Maybe we use the logs, I guess, and probably a tree, perhaps.")
    assert "hedging" not in ids("We use the logs and a tree, and the risk might be drift "
                                "when the catalog changes next season.")


def test_late_framing_and_signpost_stretch():
    filler = " ".join(["The data comes from the payment logs and the labels lag."] * 8)
    text = filler + " Let me structure this in three parts now."
    assert "late-framing" in ids(text)
    long = " ".join(["We look at the labels and the features in the logs today."] * 30)
    assert "no-signpost-stretch" in ids(long)
