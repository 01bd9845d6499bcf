"""The judgment set (tests/corpus/judgments.toml): is each praise and each fault one
a coach would give? Per rule: how often it fired where the labels say it should
(right) and where they say it should not (false praise / false fault), how often it
stayed silent where it should have fired (missed); and the contradictions (a praise
beside a fault that denies it, analysis/consistency.py) over every answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from tools.validate.corpus import load_toml, synthesize
from tools.validate.pairs import SNIPPET_RULES, snippet_engine


@dataclass
class Judged:
    id: str
    mode: str  # "text" or the voice
    praised: set[str]
    faulted: set[str]
    labels: dict
    contradictions: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RuleTally:
    right: int = 0
    wrong: int = 0
    missed: int = 0

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 1.0


def answers() -> list[dict]:
    return load_toml("judgments.toml")["answer"]


def _parts(text: str) -> list:
    """'a [2.0] b' -> ['a', 2.0, 'b'] for the synthesizer."""
    parts: list = []
    for piece in text.split():
        if piece.startswith("[") and piece.endswith("]"):
            parts.append(float(piece[1:-1]))
        elif parts and isinstance(parts[-1], str):
            parts[-1] += " " + piece
        else:
            parts.append(piece)
    return parts


def _judged(item: dict, mode: str, report) -> Judged:
    from voicecoach.analysis.consistency import contradictions, fault_keys, missed_topics

    praised = {s["id"] for s in report.extra.get("strengths", [])}
    faulted = {f.id for f in report.findings if f.severity != "info"}
    missed = missed_topics(report.extra.get("coverage", {}).get("key_points", []))
    return Judged(item["id"], mode, praised, faulted, item,
                  contradictions(sorted(praised), fault_keys(sorted(faulted), missed)))


def text_judgments() -> list[Judged]:
    from tools.synthetic import report_from_text
    from voicecoach.analysis.rules import ScoringRules
    from voicecoach.analysis.scoring import score_report
    from voicecoach.prompts import get_prompt

    rules = ScoringRules().with_overrides(SNIPPET_RULES)
    out = []
    for item in answers():
        report = report_from_text(item["text"], prompt_id=item.get("prompt"))
        score_report(report, get_prompt(item["prompt"]) if item.get("prompt") else None, rules)
        out.append(_judged(item, "text", report))
    return out


def spoken_judgments(quick: bool, voices: list[str], engine_name: str, model: str,
                     filler_prompt: bool) -> list[Judged]:
    from voicecoach.pipeline import score_file

    engine, settings = snippet_engine(engine_name, model, filler_prompt)
    out = []
    for item in answers():
        if not item.get("spoken") or (quick and item["id"] != "rambling-issue-12"):
            continue
        for voice in voices:
            clip = synthesize(f"judge-{item['id']}", _parts(item["text"]), voice)
            report = score_file(clip.path, engine, settings, item.get("prompt"))
            out.append(_judged(item, voice, report))
    return out


def tally(judged: list[Judged]) -> tuple[dict[str, RuleTally], dict[str, RuleTally]]:
    """Per praise rule and per fault rule, over the answers that label it."""
    praise: dict[str, RuleTally] = {}
    faults: dict[str, RuleTally] = {}
    for j in judged:
        lab = j.labels
        for given, yes, no, table in ((j.praised, "praise", "not_praise", praise),
                                      (j.faulted, "faults", "not_faults", faults)):
            for rule in lab.get(yes, []):
                t = table.setdefault(rule, RuleTally())
                if rule in given:
                    t.right += 1
                else:
                    t.missed += 1
            for rule in lab.get(no, []):
                if rule in given:
                    table.setdefault(rule, RuleTally()).wrong += 1
                else:
                    table.setdefault(rule, RuleTally())
    return praise, faults


def _false_praise(praise: dict[str, RuleTally]) -> tuple[int, int]:
    """(praises the labels deny, praises judged) over every praise rule."""
    return sum(t.wrong for t in praise.values()), sum(t.right + t.wrong for t in praise.values())


def judgments_table(judged: list[Judged]) -> list[str]:
    if not judged:
        return []
    praise, faults = tally(judged)
    modes = sorted({j.mode for j in judged})
    false_praise, given = _false_praise(praise)
    contradictions = sum(len(j.contradictions) for j in judged)
    lines = [f"Judgment set: {len({j.id for j in judged})} answers ({', '.join(modes)}; "
             f"{len(judged)} scored).", "",
             "| rule | kind | right | false | missed | precision |", "|---|---|---|---|---|---|"]
    for kind, table in (("praise", praise), ("fault", faults)):
        for rule, t in sorted(table.items()):
            lines.append(f"| {rule} | {kind} | {t.right} | {t.wrong} | {t.missed} | "
                         f"{t.precision:.2f} |")
    lines += ["", f"False praise: {false_praise} of {given} judged praises "
              f"({100 * false_praise / max(1, given):.0f}%); false faults: "
              f"{sum(t.wrong for t in faults.values())}; contradictions: {contradictions}."]
    return lines


def judgment_problems(judged: list[Judged]) -> list[str]:
    """The targets of issue #12: no contradiction, false praise <= 5%."""
    false_praise, given = _false_praise(tally(judged)[0])
    problems = [f"judgment {j.id} ({j.mode}): {a} praised beside {b}"
                for j in judged for a, b in j.contradictions]
    if given and false_praise / given > 0.05:
        problems.append(f"judgment set: false praise {false_praise}/{given} (> 5%)")
    return problems


def wrong_judgments(judged: list[Judged]) -> list[str]:
    """Every judgment that disagrees with its labels, for --details."""
    out = []
    for j in judged:
        lab = j.labels
        out += [f"{j.id} ({j.mode}): false praise {r}" for r in lab.get("not_praise", [])
                if r in j.praised]
        out += [f"{j.id} ({j.mode}): missed praise {r}" for r in lab.get("praise", [])
                if r not in j.praised]
        out += [f"{j.id} ({j.mode}): false fault {r}" for r in lab.get("not_faults", [])
                if r in j.faulted]
        out += [f"{j.id} ({j.mode}): missed fault {r}" for r in lab.get("faults", [])
                if r not in j.faulted]
    return out


if __name__ == "__main__":
    judged = text_judgments()
    print("\n".join(judgments_table(judged)))
    print("\n".join(["", *wrong_judgments(judged)]))
