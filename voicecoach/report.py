"""The scored report: one dataclass tree, serialised as `voicecoach.report/1` JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from voicecoach.model import Island, Span, Word

SCHEMA = "voicecoach.report/1"


@dataclass(frozen=True)
class Filler:
    text: str
    start: float
    end: float
    kind: str  # "filled_pause" | "discourse" | "repetition" | "acoustic"


@dataclass
class Metrics:
    word_count: int
    speaking_span_s: float  # first word start -> last word end
    speech_s: float  # voiced time inside the span (VAD)
    wpm: float  # word_count / speaking_span_s * 60
    articulation_wpm: float  # word_count / speech_s * 60
    pause_count: int  # pauses >= 1.0 s
    longest_pause_s: float
    think_time_s: float  # audio start -> first word
    filler_count: int
    fillers_per_min: float


@dataclass
class Finding:
    id: str
    category: str  # structure | pacing | pauses | fillers | flow | content
    severity: str  # "info" | "minor" | "major"
    message: str
    tip: str
    start: float | None = None
    end: float | None = None
    evidence: str = ""


@dataclass
class Report:
    audio_path: str
    duration_s: float
    engine_name: str
    engine_model: str
    words: list[Word]
    pauses: list[Span]
    speech: list[Span]
    fillers: list[Filler]
    metrics: Metrics
    prompt_id: str | None = None
    scores: dict[str, int] | None = None
    findings: list[Finding] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # analyzer details (coverage, ...)
    warnings: list[str] = field(default_factory=list)
    islands: list[Island] = field(default_factory=list)  # short voice, for dropped fillers

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "schema": SCHEMA,
            "audio": {"path": self.audio_path, "duration_s": _r(self.duration_s)},
            "engine": {"name": self.engine_name, "model": self.engine_model},
            "prompt_id": self.prompt_id,
            "transcript": {
                "text": self.text,
                "words": [
                    {"text": w.text, "start": _r(w.start), "end": _r(w.end),
                     "probability": _r(w.probability)}
                    for w in self.words
                ],
            },
            "speech": [{"start": _r(s.start), "end": _r(s.end)} for s in self.speech],
            "islands": [{"start": _r(s.start), "end": _r(s.end), "periodic": _r(s.periodic)}
                        for s in self.islands],
            "pauses": [
                {"start": _r(p.start), "end": _r(p.end), "duration_s": _r(p.duration)}
                for p in self.pauses
            ],
            "fillers": [{**asdict(f), "start": _r(f.start), "end": _r(f.end)}
                        for f in self.fillers],
            "metrics": {k: _r(v) if isinstance(v, float) else v
                        for k, v in asdict(self.metrics).items()},
            "warnings": self.warnings,
        }
        if self.scores is not None:
            # A score the answer was too short to earn is null (extra "not_judged" says why).
            data["scores"] = {k: self.scores.get(k) for k in SCORE_NAMES}
        data["findings"] = [asdict(f) for f in self.findings]
        data.update(self.extra)
        return data

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report stored as JSON (history, replay, compare)."""
        known = {"schema", "audio", "engine", "prompt_id", "transcript", "speech", "pauses",
                 "fillers", "metrics", "warnings", "scores", "findings", "islands"}
        return cls(
            audio_path=data["audio"]["path"],
            duration_s=data["audio"]["duration_s"],
            engine_name=data["engine"]["name"],
            engine_model=data["engine"]["model"],
            words=[Word(w["text"], w["start"], w["end"], w.get("probability", 1.0))
                   for w in data["transcript"]["words"]],
            pauses=[Span(p["start"], p["end"]) for p in data["pauses"]],
            speech=[Span(s["start"], s["end"]) for s in data.get("speech", [])],
            fillers=[Filler(**f) for f in data["fillers"]],
            metrics=Metrics(**data["metrics"]),
            prompt_id=data.get("prompt_id"),
            scores=None if data.get("scores") is None else
            {k: v for k, v in data["scores"].items() if v is not None},
            findings=[Finding(**f) for f in data.get("findings", [])],
            extra={k: v for k, v in data.items() if k not in known},
            warnings=list(data.get("warnings", [])),
            islands=[Island(**s) for s in data.get("islands", [])],
        )


SCORE_NAMES = ("overall", "structure", "delivery", "fillers", "flow")


def score_band(value: float) -> str:
    """"good" (80+), "fair" (60-79) or "poor": one colour scale for every view."""
    return "good" if value >= 80 else "fair" if value >= 60 else "poor"


def _r(x: float) -> float:
    return round(float(x), 3)
