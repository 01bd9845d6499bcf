"""Markdown and self-contained HTML exports of real scored takes; untrusted text escaped."""

from __future__ import annotations

from dataclasses import replace
from html.parser import HTMLParser

import pytest
from history_seed import DRIFT, scored_takes, seed_store

from voicecoach.asr.base import Word
from voicecoach.cli import main
from voicecoach.export import ExportTake, export_drill, export_take, take_html, take_markdown
from voicecoach.history import prompt_lookup, to_row
from voicecoach.report import Finding, Report
from voicecoach.store.db import DB_NAME, Store

pytestmark = pytest.mark.slow  # transcribes three clips once per session

EVIL = "<script>alert('pwned')</script>"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-store")
    store = Store(root / DB_NAME)
    takes = seed_store(store)
    yield store, takes
    store.close()


class Parsed(HTMLParser):
    """Tags, attributes and text of a page, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += attrs

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Parsed:
    p = Parsed()
    p.feed(html)
    return p


def evil_item() -> ExportTake:
    """A real report whose transcript, finding and prompt carry markup."""
    report = Report.from_dict(scored_takes()["weak"].report.to_dict())
    first = report.words[0]
    report.words = [Word(EVIL, first.start, first.end), *report.words[1:],
                    Word('"><img src=x onerror=alert(1)>', report.words[-1].end,
                         report.words[-1].end + 0.2)]
    report.findings.append(Finding("evil", "flow", "major", f"heard {EVIL}", "<b>tip</b>",
                                   1.0, 2.0, evidence=EVIL))
    row = to_row(type("T", (), {"id": 1, "prompt_id": DRIFT, "created_at": 0.0,
                                "duration_s": report.duration_s, "report": report})(),
                 prompt_lookup([]))
    return ExportTake(replace(row, prompt_text=f"Prompt {EVIL}"), report)


def test_html_renders_a_script_in_the_transcript_as_text():
    html = take_html(evil_item())
    page = parse(html)
    assert "script" not in page.tags and "img" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attrs)
    text = "".join(page.text)
    assert EVIL in text  # shown to the reader, literally
    assert '"><img src=x onerror=alert(1)>' in text
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in html


def test_html_is_self_contained(seeded):
    store, takes = seeded
    html = export_take(store, takes["weak"][0].id, "html")
    page = parse(html)
    assert page.tags.count("svg") >= 2  # score bars and the timeline
    assert "script" not in page.tags and "link" not in page.tags
    assert not [v for k, v in page.attrs if k in ("src", "href")]
    assert "default-src 'none'" in html  # CSP: nothing external, no scripts
    text = " ".join(page.text)
    weak = scored_takes()["weak"].report
    assert weak.words[3].text.strip() in text
    for finding in weak.findings:
        assert finding.message.split()[0] in text
    assert "Overall score on this prompt" not in text  # one take of the prompt so far


def test_html_has_a_trend_once_a_prompt_has_history(seeded):
    store, takes = seeded
    html = export_take(store, takes["strong"][-1].id, "html")
    assert "Overall score on this prompt" in html
    assert "<polyline" in html


def test_markdown_has_scores_findings_and_marked_transcript(seeded):
    store, takes = seeded
    text = export_take(store, takes["weak"][0].id, "md")
    report = scored_takes()["weak"].report
    assert text.startswith("# How do you detect and handle drift in a deployed model?\n")
    assert "| overall | structure | delivery | fillers | flow |" in text
    assert f"| {report.scores['overall']} |" in text
    assert "## Findings" in text and "## Transcript" in text
    assert "⏸" in text  # the 2.6 s pause is marked
    assert "~~" in text  # and at least one filler


def test_markdown_escapes_markup():
    text = take_markdown(evil_item())
    assert "<script>" not in text and "<img" not in text and "<b>" not in text
    assert "&lt;script&gt;" in text


def test_drill_export_lists_its_takes(seeded):
    store, takes = seeded
    drill = takes["jfk"][0].drill_id
    html = export_drill(store, drill, "html")
    assert "Overall score per prompt" in html
    assert "fellow Americans" in html
    md = export_drill(store, drill, "md")
    assert md.startswith(f"# Drill {drill}")
    assert "fellow Americans" in md


def test_cli_export_writes_html(seeded, tmp_path, monkeypatch, capsys):
    store, takes = seeded
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(store.root))
    out = tmp_path / "take.html"
    assert main(["export", str(takes["strong"][0].id), "-o", str(out)]) == 0
    assert out.read_text().startswith("<!doctype html>")
    assert main(["export", "--drill", str(takes["jfk"][0].drill_id)]) == 0
    assert "fellow Americans" in capsys.readouterr().out
    assert main(["export", "99999"]) == 2
    assert "no take #99999" in capsys.readouterr().err


def test_exports_say_what_went_well_and_which_key_points(seeded):
    """Markdown and HTML carry the result screen's "went well" and the key points
    touched and missed (both were left out)."""
    from voicecoach.export import md

    store, takes = seeded
    take = store.get(takes["strong"][-1].id)
    well = [s["message"] for s in take.report.extra["strengths"]]
    points = take.report.extra["coverage"]["key_points"]
    touched = [p["label"] for p in points if p["touched"]]
    missed = [p["label"] for p in points if not p["touched"]]
    assert well and touched and missed  # the structured answer has all three
    markdown = export_take(store, take.id, "md")
    page = " ".join(parse(export_take(store, take.id, "html")).text)
    heading = f"Key points ({len(touched)}/{len(points)} touched)"
    for text, escape in ((markdown, md), (page, str)):
        assert "Went well" in text and heading in text
        assert all(escape(m) in text for m in well)
        assert all(f"✓ touched: {escape(label)}" in text for label in touched)
        assert all(f"✗ missed: {escape(label)}" in text for label in missed)


def test_cli_export_picks_the_format_from_the_file_name(seeded, tmp_path, monkeypatch,
                                                        capsys):
    store, takes = seeded
    monkeypatch.setenv("VOICECOACH_DATA_DIR", str(store.root))
    take_id = str(takes["strong"][0].id)
    pdf = tmp_path / "x.pdf"
    assert main(["export", take_id, "-o", str(pdf)]) == 2  # was: Markdown in x.pdf
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and ".pdf" in err and "Markdown (.md) or HTML (.html)" in err
    assert not pdf.exists()
    assert main(["export", take_id, "--format", "md", "-o", str(tmp_path / "x.html")]) == 2
    assert "does not match" in capsys.readouterr().err
    out = tmp_path / "take.md"
    assert main(["export", take_id, "-o", str(out)]) == 0
    assert out.read_text().startswith("# ") and (out.stat().st_mode & 0o777) == 0o600
