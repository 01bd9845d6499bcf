"""The shape of the reasoning, judged the way the article's interviewers judge it.

Elements a strong answer shows (framing, signposts, clarifying questions, data before
model, constraints, tradeoffs, risks, monitoring, a closing summary) each carry a
weight; the structure score is the share of expected weight present, minus the
article's anti-patterns (opening with a model, tool lists without reasons,
over-engineering). Which elements are expected depends on the prompt category
(behavioral answers are judged on outcome and lesson instead of data and monitoring)
and on length (a 20-word answer is not asked for a summary).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from voicecoach.analysis.outcome import Outcome, quote
from voicecoach.analysis.phrases import Match, lexicon
from voicecoach.analysis.questions import clarifying
from voicecoach.analysis.rules import FRAME_PRINCIPLE, FRAME_WHY_HOW, ScoringRules
from voicecoach.analysis.text import Sentence, Transcript

TECHNICAL = ("framing", "signposts", "clarify", "data_first", "constraints", "tradeoffs",
             "risks", "monitoring", "summary")
BEHAVIORAL = ("framing", "signposts", "tradeoffs", "risks", "outcome", "learning", "summary")

# Messages and tips for a missing element; {..} filled from what was heard.
MISSING = {
    "framing": ("no-framing", "No framing sentence at the start, so the listener cannot "
                "tell where the answer is going.",
                "Open with your plan in one sentence: \"Let me structure this in three "
                "parts: the data, the model, and how we run it.\""),
    "signposts": ("no-signposts", "No signposts (first, next, finally), so the parts of "
                  "the answer blur together.",
                  "Say where you are: \"First...\", \"Next...\", \"Finally...\"."),
    "clarify": ("no-clarifying", "No clarifying question or stated assumption.",
                "Ask what changes the design (real-time or batch? acceptable latency? cost "
                "of a false positive?) or state your assumptions out loud."),
    "data_first": ("no-data", "The data never came up: labels, quality, leakage, "
                   "imbalance.",
                   "Talk about data before models: \"Let's start by understanding the data: "
                   "the schema, how labels are made, leakage, imbalance.\""),
    "constraints": ("no-constraints", "No constraint named (latency, cost, memory, scale).",
                    "Anchor choices in a constraint: \"Since latency matters more than a "
                    "1-2% accuracy gain, I'd keep P95 under 40 ms.\""),
    "tradeoffs": ("no-tradeoffs", "No explicit tradeoff: choices are stated, not weighed.",
                  "Say what each choice costs: \"it gains accuracy, but costs memory and "
                  "interpretability.\""),
    "risks": ("no-risks", "No risks or failure modes.",
              "Say what could go wrong and what you would do then: leakage, drift, bias, "
              "a fallback."),
    "monitoring": ("no-monitoring", "Nothing on monitoring: how you would know it broke "
                   "in production.",
                   "Add how you would watch it: input and output distributions, alerts, "
                   "drift, retraining triggers, a fallback."),
    "summary": ("no-summary", "No closing summary.",
                "End with one sentence that ties it together: \"To summarize: ...\"."),
    "outcome": ("no-outcome", "No measurable outcome of the story.",
                "Close the story with a result in numbers: what improved, by how much."),
    "learning": ("no-learning", "No lesson learned.",
                 "Say what you learned and what you do differently since."),
}

PRAISE = {
    "framing": "Framed the answer up front",
    "signposts": "Signposted the parts of the answer",
    "clarify": "Clarified the problem or stated assumptions",
    "data_first": "Discussed the data before any model",
    "constraints": "Anchored choices in constraints",
    "tradeoffs": "Made tradeoffs explicit",
    "risks": "Raised risks and failure modes",
    "monitoring": "Covered monitoring and what happens in production",
    "summary": "Closed with a summary",
    "outcome": "Gave a measurable outcome",
    "learning": "Said what was learned",
}

_NOT_SIGNPOST_BEFORE = frozenset({"per", "a", "one", "split", "milli", "every", "at",
                                  "the", "in", "for"})
_PAUSE_AFTER_SIGNPOST = frozenset({"and", "but", "so"})


def profile_for(category: str | None) -> tuple[str, ...]:
    return BEHAVIORAL if category == "Behavioral" else TECHNICAL


def signpost_matches(tr: Transcript, rules: ScoringRules) -> list[Match]:
    """Signposts, plus "then" when it opens a clause (not "and then", a chain)."""
    texts = tr.texts
    out = []
    for m in lexicon(rules.signposts).find(texts):
        before = texts[m.first - 1] if m.first else ""
        # "per second", "the first model" are not signposts; "the first" is listed
        # explicitly as a phrase, so only a lone ordinal after these is skipped.
        if m.phrase in ("second", "first", "third", "last", "next") and \
                before in _NOT_SIGNPOST_BEFORE:
            continue
        out.append(m)
    for i, t in enumerate(tr.tokens):
        if t.text == "then" and tr.boundary_before(i, 0.3) and \
                (i == 0 or texts[i - 1] not in _PAUSE_AFTER_SIGNPOST):
            out.append(Match("then", i, i))
    return sorted(out, key=lambda m: m.first)


@dataclass
class StructureContext:
    tr: Transcript
    rules: ScoringRules
    find: dict[str, list[Match]]
    signposts: list[Match]
    present: dict[str, Match | None] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.tr.tokens)

    def at(self, m: Match) -> float:
        return self.tr.tokens[m.first].start

    def end(self, m: Match) -> float:
        return self.tr.tokens[m.last].end

    def span(self, a: int, b: int) -> str:
        return quote(self.tr.span_text(max(0, a), min(self.n - 1, b))).strip(" ,.;:?!")

    def said(self, m: Match, pad: int = 0) -> str:
        return self.span(m.first - pad, m.last + pad)

    @cached_property
    def choices(self) -> list[Match]:
        """Model and tool mentions, in order: where a choice is made."""
        return sorted(self.find["models"] + self.find["tools"], key=lambda m: m.first)

    @cached_property
    def reasons(self) -> set[int]:
        """Where a reason, tradeoff or constraint is given (token indices)."""
        f = self.find
        return {m.first for m in f["reasons"] + f["tradeoffs"] + f["constraints"]}


def _first_model(c: StructureContext) -> Match | None:
    return c.find["models"][0] if c.find["models"] else None


def _framing(c: StructureContext) -> Match | None:
    return next((m for m in c.find["framing"] if m.first < c.rules.framing_window_words), None)


def _signposts(c: StructureContext) -> Match | None:
    return c.signposts[1] if len(c.signposts) >= 2 else None


def _clarify(c: StructureContext) -> Match | None:
    found = clarifying(c.tr, c.rules)
    return found[0] if found else None


def _data_first(c: StructureContext) -> Match | None:
    data, model = (c.find["data"][0] if c.find["data"] else None), _first_model(c)
    if data is None or (model is not None and model.first < data.first):
        return None
    return data


def _summary(c: StructureContext) -> Match | None:
    tail = c.n - max(1, int(c.n * c.rules.summary_window_frac))
    return next((m for m in c.find["summary"] if m.first >= tail), None)


def _lexicon_element(name: str) -> Callable[[StructureContext], Match | None]:
    return lambda c: c.find[name][0] if c.find[name] else None


PRESENCE: dict[str, Callable[[StructureContext], Match | None]] = {
    "framing": _framing, "signposts": _signposts, "clarify": _clarify,
    "data_first": _data_first, "summary": _summary,
    **{name: _lexicon_element(name) for name in ("constraints", "tradeoffs", "risks",
                                                  "monitoring", "outcome", "learning")},
}
# Where a missing element belongs, so its finding points at a moment to change:
# "start": the first sentence; "choice": the first model or tool named (else the first
# sentence); "second": where the first signpost would go; "close": the last sentence.
ADD_AT = {"framing": "start", "signposts": "second", "clarify": "choice",
          "data_first": "choice", "constraints": "choice", "tradeoffs": "choice",
          "risks": "choice", "monitoring": "close", "summary": "close", "outcome": "close",
          "learning": "close"}
_ADD_WHERE = {"start": "at the start", "second": "after the opening sentence",
              "choice": "where the first choice is made", "close": "before the end"}


def add_at(c: StructureContext, element: str) -> tuple[Sentence, str] | None:
    """The sentence where the missing element would best be added, and where that is
    in words ("before the end"); "choice" falls back to the start when nothing is
    chosen."""
    sentences = c.tr.sentences
    if not sentences:
        return None
    where = ADD_AT.get(element, "start")
    if where == "choice" and c.choices:
        return sentences[c.tr.tokens[c.choices[0].first].sentence], _ADD_WHERE[where]
    if where == "second" and len(sentences) > 1:
        return sentences[1], _ADD_WHERE[where]
    if where == "close":
        return sentences[-1], _ADD_WHERE[where]
    return sentences[0], _ADD_WHERE["start"]


def _missing(c: StructureContext, out: Outcome, element: str, points: float) -> None:
    first_model = _first_model(c)
    if element == "data_first" and first_model is not None:
        out.take(points, "model-before-data", "structure",
                 f"Named a model ({c.said(first_model)}) before saying anything about the "
                 "data.", MISSING["data_first"][2], c.at(first_model), c.end(first_model),
                 c.said(first_model, 4))
        return
    fid, message, tip = MISSING[element]
    place = add_at(c, element)
    if place is None:
        out.take(points, fid, "structure", message, tip)
        return
    s, where = place
    out.take(points, fid, "structure", f"{message} Add it {where}.", tip, s.start, s.end,
             c.span(s.first, min(s.last, s.first + 12)))


def analyze_structure(tr: Transcript, rules: ScoringRules, category: str | None = None,
                      shown: dict[str, Match] | None = None) -> Outcome:
    """`shown`: elements a touched key point of the prompt already shows, in words the
    element's lexicon has not (analysis/coverage.py, SHOWS), where each is made."""
    out = Outcome()
    shown = shown or {}
    texts = tr.texts
    find = {name: lexicon(getattr(rules, name)).find(texts) for name in (
        "framing", "clarify", "data", "models", "tools", "reasons", "constraints",
        "tradeoffs", "risks", "monitoring", "summary", "overengineering", "simplicity",
        "outcome", "learning")}
    c = StructureContext(tr, rules, find, signpost_matches(tr, rules))
    for m in c.signposts:
        out.mark("signpost", c.at(m), c.end(m), tr.span_text(m.first, m.last))

    expected = [e for e in profile_for(category) if _long_enough(e, len(tr.words), rules)]
    weights = {e: rules.structure_weights.get(e, 0) for e in expected}
    total = sum(weights.values()) or 1
    for element in expected:
        match = c.present[element] = PRESENCE[element](c) or shown.get(element)
        if match is not None:
            out.praise(element, "structure", PRAISE[element], c.at(match), c.said(match))
        else:
            _missing(c, out, element, weights[element] * 100 / total)
    for rule in ANTI_PATTERNS:
        rule(c, out)
    framing_token = find["framing"][0].first if find["framing"] else None
    out.details = {
        "profile": "behavioral" if category == "Behavioral" else "technical",
        "expected": expected,
        "elements": {e: c.present.get(e) is not None for e in weights},
        "signposts": len(c.signposts),
        "signpost_times": [round(c.at(m), 2) for m in c.signposts],
        "signpost_tokens": [m.first for m in c.signposts],
        "framing_at": round(c.at(find["framing"][0]), 2) if find["framing"] else None,
        "framing_token": framing_token,
        "frames": frames_coverage(texts),
        # The sentence each element would be added at, so content coverage points a
        # missed key point of that topic at the same moment (analysis/coverage.py).
        "add_at": {e: (p[0].index, p[1]) for e in ADD_AT if (p := add_at(c, e))},
    }
    for frame, parts in out.details["frames"].items():
        if all(parts.values()):
            out.praise(f"frame-{frame}", "structure",
                       f"Covered the whole {FRAME_NAMES[frame]} frame")
    return out


def _long_enough(element: str, words: int, rules: ScoringRules) -> bool:
    need = {"framing": rules.min_words_framing, "signposts": rules.min_words_signposts,
            "summary": rules.min_words_summary}.get(element, 0)
    return words >= need


def opening_with_model(c: StructureContext, out: Outcome) -> None:
    """Opening with a model or tool, before any framing, data, question or reason."""
    choices = c.choices
    if not choices or choices[0].first >= c.rules.opening_window_words:
        return
    first = choices[0]
    context = [m for k in ("framing", "data", "clarify", "reasons", "constraints")
               for m in c.find[k] if m.first < first.first]
    if context:
        return
    out.take(10, "opening-with-model", "structure",
             f"Opened with a model or tool ({c.said(first)}) instead of the problem.",
             "Start from the goal and the data; bring in the model once you can say why "
             "it fits.", c.at(first), c.end(first), c.span(0, first.last + 3))


def tool_lists(c: StructureContext, out: Outcome) -> None:
    """Several tools in a row with no reason between them."""
    tools = sorted({m.first: m for m in c.find["tools"] + c.find["models"]}.values(),
                   key=lambda m: m.first)
    reasons = c.reasons
    runs: list[list[Match]] = []
    for m in tools:
        if runs and m.first - runs[-1][-1].last <= c.rules.tool_list_gap_words + 1 and \
                not any(runs[-1][-1].last < r < m.first for r in reasons):
            runs[-1].append(m)
        else:
            runs.append([m])
    lists = [r for r in runs if len({m.phrase for m in r}) >= c.rules.tool_list_min]
    c.present["tool_list"] = lists[0][0] if lists else None
    if not lists:
        return
    worst = max(lists, key=len)
    out.take(10, "tool-list", "structure",
             f"Listed {len(worst)} tools in a row without saying why "
             f"({', '.join(c.said(m) for m in worst)}).",
             "For each tool, give the reason and the cost: \"because decisions affect "
             "users, I'd use SHAP, but I'd check attribution stability.\"",
             c.at(worst[0]), c.end(worst[-1]), c.span(worst[0].first, worst[-1].last))


def unjustified_choice(c: StructureContext, out: Outcome) -> None:
    """A single choice with no reason, tradeoff or constraint in its sentence or the next
    (a tool list already says so)."""
    if c.present.get("tool_list") is not None:
        return
    reasons = c.reasons
    sentence = [c.tr.tokens[r].sentence for r in reasons]
    for m in c.choices:
        s = c.tr.tokens[m.first].sentence
        if not any(r in (s, s + 1) for r in sentence):
            out.take(5, "unjustified-choice", "structure",
                     f"Chose {c.said(m)} without a reason, tradeoff or constraint.",
                     "Say why it fits this problem and what it costs: Principle, "
                     "Technique, Limitation, Decision.",
                     c.at(m), c.end(m), c.span(m.first - 3, m.last + 4))
            return


def over_engineering(c: StructureContext, out: Outcome) -> None:
    """Heavy machinery with no word of simplicity or a baseline."""
    if not c.find["overengineering"] or c.find["simplicity"]:
        return
    m = c.find["overengineering"][0]
    out.take(10, "over-engineering", "structure",
             f"Reached for heavy machinery ({c.said(m)}) with no simple baseline.",
             "Start from the simplest model that could work, and say what evidence "
             "would justify something bigger.",
             c.at(m), c.end(m), c.span(m.first - 3, m.last + 3))


ANTI_PATTERNS: tuple[Callable[[StructureContext, Outcome], None], ...] = (
    opening_with_model, tool_lists, unjustified_choice, over_engineering)


FRAME_NAMES = {
    "why_how": "Why / How / What else / Limitations / Impact",
    "principle": "Principle -> Technique -> Limitation -> Decision",
}


def frames_coverage(texts: list[str]) -> dict[str, dict[str, bool]]:
    """Which parts of the article's two answer frames the answer touched."""
    return {
        "why_how": {part: bool(lexicon(phrases).find(texts))
                    for part, phrases in FRAME_WHY_HOW.items()},
        "principle": {part: bool(lexicon(phrases).find(texts))
                      for part, phrases in FRAME_PRINCIPLE.items()},
    }
