"""Weak/strong answer pairs (tests/corpus/answers.toml): the strong answer must score
higher on structure and overall, and the weak one must carry the finding that names
its flaw; as text, and spoken through Whisper."""

from __future__ import annotations

from dataclasses import dataclass

from tools.validate.corpus import load_toml, synthesize

# The pairs are snippets of an answer, each checking rules on purpose: judged whatever
# their length (an app's answer below the minimum gets no structure verdict).
SNIPPET_RULES = {"min_judged_words": 0, "min_judged_s": 0.0}


@dataclass
class PairResult:
    id: str
    mode: str  # "text" or the voice
    source: str
    flaw: str
    weak: dict[str, int]
    strong: dict[str, int]
    weak_findings: list[str]
    filled_flags: int = 0  # filled pauses flagged in either answer: none is in the text
    engine: str = ""  # spoken pairs: the engine that heard them

    @property
    def ok_structure(self) -> bool:
        return self.strong["structure"] > self.weak["structure"]

    @property
    def ok_overall(self) -> bool:
        return self.strong["overall"] > self.weak["overall"]

    @property
    def ok_flaw(self) -> bool:
        return self.flaw in self.weak_findings

    @property
    def ok(self) -> bool:
        return self.ok_structure and self.ok_overall and self.ok_flaw


def text_pairs() -> list[PairResult]:
    from tools.synthetic import report_from_text
    from voicecoach.analysis.rules import ScoringRules
    from voicecoach.analysis.scoring import score_report
    from voicecoach.prompts import get_prompt

    out = []
    for p in load_toml("answers.toml")["pair"]:
        prompt = get_prompt(p["prompt"]) if p.get("prompt") else None
        reports = {}
        for side in ("weak", "strong"):
            r = report_from_text(p[side])
            score_report(r, prompt, ScoringRules().with_overrides(SNIPPET_RULES))
            reports[side] = r
        out.append(PairResult(p["id"], "text", p["source"], p["flaw"],
                              reports["weak"].scores, reports["strong"].scores,
                              [f.id for f in reports["weak"].findings]))
    return out


def snippet_engine(engine_name: str, model: str, filler_prompt: bool):
    """(engine, settings) that score spoken snippets whatever their length."""
    from voicecoach.asr.base import TranscribeOptions
    from voicecoach.asr.models import load_engine
    from voicecoach.config import Settings

    engine = load_engine(engine_name, model, TranscribeOptions(filler_prompt=filler_prompt))
    return engine, Settings(engine=engine_name, model=model, filler_prompt=filler_prompt,
                            scoring=SNIPPET_RULES)


def spoken_pairs(quick: bool, voices: list[str], engine_name: str, model: str,
                 filler_prompt: bool) -> list[PairResult]:
    from voicecoach.pipeline import score_file

    engine, settings = snippet_engine(engine_name, model, filler_prompt)
    out = []
    for p in load_toml("answers.toml")["pair"]:
        if not p.get("spoken") or (quick and not p.get("quick")):
            continue
        for voice in voices:
            reports = {}
            for side in ("weak", "strong"):
                clip = synthesize(f"pair-{p['id']}-{side}", [p[side]], voice)
                reports[side] = score_file(clip.path, engine, settings, p.get("prompt"))
            flags = sum(f.kind in ("filled_pause", "acoustic")
                        for r in reports.values() for f in r.fillers)
            out.append(PairResult(p["id"], voice, p["source"], p["flaw"],
                                  reports["weak"].scores, reports["strong"].scores,
                                  [f.id for f in reports["weak"].findings], flags,
                                  engine_name))
    return out
