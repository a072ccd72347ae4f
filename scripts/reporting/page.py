"""The report's files: index.html with the charts inside it (PNG data URIs, matplotlib),
figures.csv, and the short summary printed on the terminal."""

from __future__ import annotations

import base64
import csv
import html
import io
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from scripts.reporting.figures import HANDOFF_REASONS, TOP, Figures

EXPORT_COMMAND = "make export-uncertain"
CHART_SIZE = (8, 3.2)  # inches, at 100 dpi


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def charts(figures: Figures) -> Dict[str, str]:
    """The charts as base64 PNGs: "conversations" and "rates" over time, "topics" as bars."""
    labels = [p.label for p in figures.periods]
    result = {}
    figure, axes = plt.subplots(figsize=CHART_SIZE)
    axes.bar(labels, [p.conversations for p in figures.periods], color="#0b5cad")
    axes.set_ylabel("conversations")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(f"Conversations per {figures.unit}")
    axes.tick_params(axis="x", labelrotation=45)
    result["conversations"] = _png(figure)

    figure, axes = plt.subplots(figsize=CHART_SIZE)
    axes.plot(labels, [100 * p.handoff_rate for p in figures.periods], marker="o", label="conversations with a handoff")
    axes.plot(labels, [100 * p.fallback_rate for p in figures.periods], marker="s", label="messages that fell back")
    axes.plot(labels, [100 * p.clarification_rate for p in figures.periods], marker="^", label='"Mener du …?" per message')
    axes.set_ylabel("%")
    axes.set_ylim(bottom=0)
    axes.set_title(f"Handoff and fallback rates per {figures.unit}")
    axes.legend(fontsize="small")
    axes.tick_params(axis="x", labelrotation=45)
    result["rates"] = _png(figure)

    top = figures.topics.most_common(TOP)[::-1]
    figure, axes = plt.subplots(figsize=(CHART_SIZE[0], max(2.0, 0.3 * len(top) + 1)))
    axes.barh([key for key, _ in top], [n for _, n in top], color="#0b5cad")
    axes.set_xlabel("user messages")
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title("Top topics (faq keys)")
    result["topics"] = _png(figure)
    return result


def _percent(share: float) -> str:
    return f"{100 * share:.1f} %"


def rows(figures: Figures) -> List[Tuple[str, str, str, object]]:
    """The figures as CSV rows (section, name, period, value); period "total" for the whole range."""
    result: List[Tuple[str, str, str, object]] = []
    for period in figures.periods + [figures.total]:
        values = {
            "conversations": period.conversations, "user_messages": period.messages,
            "conversations_with_handoff": period.conversations_with_handoff,
            "handoff_rate": round(period.handoff_rate, 4), "fallbacks": period.fallbacks,
            "fallback_rate": round(period.fallback_rate, 4), "clarifications": period.clarifications,
            "clarification_rate": round(period.clarification_rate, 4),
        }
        values.update({f"handoffs_{reason}": period.handoffs[reason] for reason in HANDOFF_REASONS})
        result += [("activity", name, period.label, value) for name, value in values.items()]
    result += [
        ("length", "mean_user_messages", "total", round(figures.mean_length, 2)),
        ("length", "median_user_messages", "total", figures.median_length),
        ("language", "other_language_messages", "total", figures.other_language),
        ("language", "other_language_rate", "total", round(figures.other_language_rate, 4)),
    ]
    result += [("advice", name, "total", figures.advice[name]) for name in ("started", "completed", "stopped", "left")]
    result += [("advice_ended_at", f"{outcome}:{slot}", "total", n) for (outcome, slot), n in sorted(figures.stopped_at.items())]
    result += [("topic", key, "total", n) for key, n in figures.topics.most_common()]
    result += [("knowledge_item", key, "total", n) for key, n in figures.items.most_common()]
    return result


def write_csv(figures: Figures, path: Path) -> None:
    """Writes rows(figures) with a header line to `path` (UTF-8)."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["section", "name", "period", "value"])
        writer.writerows(rows(figures))


def _table(head: Sequence[str], body: Iterable[Sequence[object]], caption: str) -> str:
    cells = "".join(f"<th scope='col'>{html.escape(str(h))}</th>" for h in head)
    lines = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>" for row in body)
    return f"<table><caption>{html.escape(caption)}</caption><thead><tr>{cells}</tr></thead><tbody>{lines}</tbody></table>"


def _image(png: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{png}" alt="{html.escape(alt)}">'


STYLE = """body{font-family:system-ui,sans-serif;color:#1b1b1b;max-width:960px;margin:0 auto;padding:0 16px 40px}
table{border-collapse:collapse;margin:8px 0 20px}th,td{border:1px solid #c8ccd0;padding:4px 8px;text-align:left}
td:not(:first-child){text-align:right}caption{text-align:left;font-weight:600;padding:4px 0}
img{max-width:100%;height:auto}code{background:#f0f2f4;padding:1px 4px}"""


def index_html(figures: Figures, scope: str, export_command: str) -> str:
    """The report page; `scope` names the range read (e.g. "2026-11-01 – 2026-11-30"), `export_command` the export."""
    total, images = figures.total, charts(figures)
    periods = _table(
        [figures.unit, "conversations", "user messages", "with handoff", "fallbacks", '"Mener du …?"'],
        [(p.label, p.conversations, p.messages, p.conversations_with_handoff, p.fallbacks, p.clarifications)
         for p in figures.periods + [total]], f"Activity per {figures.unit}")
    handoffs = _table(["reason", "handoffs"], [(text, total.handoffs[key]) for key, text in HANDOFF_REASONS.items()],
                      "Handoffs to 72 20 00 30 by reason")
    advice = _table(["", "runs"], [(name, figures.advice[name]) for name in ("started", "completed", "stopped", "left")],
                    "Guided advice (advice_form)")
    ended = _table(["ended", "while asking for", "runs"],
                   [(outcome, slot, n) for (outcome, slot), n in sorted(figures.stopped_at.items())],
                   "Where the guided advice ended unfinished")
    topics = _table(["faq key", "messages"], figures.topics.most_common(TOP), "Top topics")
    items = _table(["knowledge item", "messages"], figures.items.most_common(TOP), "Top knowledge items")
    unsure = _table(["message (as stored)", "times", "model's guess"],
                    [(m.text, m.count, m.predicted) for m in figures.unsure],
                    f"The {TOP} most frequent messages the model was unsure about")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Assistant report {html.escape(scope)}</title>
<style>{STYLE}</style></head><body>
<h1>How the assistant is doing</h1>
<p>{html.escape(scope)}: <strong>{total.conversations}</strong> conversations, <strong>{total.messages}</strong> user
messages, {figures.mean_length:.1f} messages per conversation on average (median {figures.median_length:g}).
How each figure is counted: docs/report.md.</p>
<h2>Conversations</h2>{_image(images["conversations"], f"Bar chart of conversations per {figures.unit}")}{periods}
<h2>Handoffs and fallbacks</h2>{_image(images["rates"], "Line chart of handoff, fallback and clarification rates")}
<p>Conversations with a handoff: {_percent(total.handoff_rate)}. Messages that fell back: {_percent(total.fallback_rate)}.
"Mener du …?" clarifications: {_percent(total.clarification_rate)} of the messages.</p>{handoffs}
<h2>Guided advice</h2>{advice}{ended}
<h2>Topics</h2>{_image(images["topics"], "Bar chart of the most asked faq keys")}{topics}{items}
<p>Messages in another language: {figures.other_language} ({_percent(figures.other_language_rate)}).</p>
<h2>Messages the model was unsure about</h2>
<p>Export them for annotation with <code>{html.escape(export_command)}</code>.</p>{unsure}
</body></html>
"""


def summary(figures: Figures, scope: str) -> str:
    """A few lines for the terminal."""
    total = figures.total
    reasons = ", ".join(f"{key} {total.handoffs[key]}" for key in HANDOFF_REASONS)
    topics = ", ".join(f"{key} {n}" for key, n in figures.topics.most_common(3)) or "–"
    return "\n".join([
        f"{scope}: {total.conversations} conversations, {total.messages} user messages, "
        f"{figures.mean_length:.1f} per conversation",
        f"handoffs in {_percent(total.handoff_rate)} of the conversations ({reasons})",
        f"fallbacks {_percent(total.fallback_rate)}, \"Mener du …?\" {_percent(total.clarification_rate)} of the messages; "
        f"other language {_percent(figures.other_language_rate)}",
        f"guided advice: {figures.advice['started']} started, {figures.advice['completed']} completed, "
        f"{figures.advice['stopped']} stopped, {figures.advice['left']} left",
        f"top topics: {topics}; {len(figures.unsure)} unsure messages listed",
    ])
