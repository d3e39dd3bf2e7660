"""Match results as JSON, as a table for a terminal, and candidate scores as CSV.

The JSON keeps each reason as data (its code and parameters); the table and the CSV say it in
the presenter's words, from the organizer's side.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

from portal.domain.matching import CandidatePair, MatchResult
from portal.presenters.reasons import hint_text, strengths, unmatched_text, veto_text, worth_knowing


def match_result_json(result: MatchResult) -> dict[str, Any]:
    """The documented JSON shape: pairs, unmatched, summary."""
    peer = result.format == "peer"
    pairs: list[dict[str, Any]] = []
    for pair in result.pairs:
        entry: dict[str, Any] = (
            {"peers": [pair.mentor, pair.mentee]}
            if peer
            else {"mentor": pair.mentor, "mentee": pair.mentee}
        )
        entry.update(score=pair.score, reasons=list(pair.reasons))
        pairs.append(entry)
    summary: dict[str, Any] = {
        "format": result.format,
        "objective": result.objective,
        "fairness": result.fairness,
        **asdict(result.figures),
        "hints": list(result.hints),
        # Whether the result is proved the exact optimum over every compatible pair.
        "certified": result.proof.certified,
        "pricing_passes": result.proof.passes,
    }
    return {
        "pairs": pairs,
        "unmatched": [
            {"email": u.email, "role": u.role, "reason": u.reason} for u in result.unmatched
        ],
        "summary": summary,
    }


def _proof_line(result: MatchResult) -> str:
    """Whether the result is proved the exact optimum, in a line."""
    passes = result.proof.passes
    plural = "pass" if passes == 1 else "passes"
    if result.proof.certified and passes == 0:
        return "Proved optimal: solved on every compatible pair"
    if result.proof.certified and result.fairness == "balanced":
        return (
            "Each solve proved exact for its objective: the plain optimum, then the fairer "
            f"blend above its floor ({passes} solve-and-price {plural} in all)"
        )
    if result.proof.certified:
        return f"Proved optimal: every compatible pair checked ({passes} solve-and-price {plural})"
    if result.format == "peer":
        return "Not proved optimal: a peer pool this large is solved on each peer's best candidates"
    return f"Not proved optimal: the pricing stopped after {passes} solve-and-price {plural}"


def match_result_table(result: MatchResult, title: str) -> str:
    """A plain-text report an organizer can read in a terminal."""
    figures = result.figures
    lines = [
        f"{title}: {figures.pairs} pairs, "
        f"{figures.matched_pct:g}% of {figures.participants} people matched",
        f"Scores: mean {figures.mean_score:g}, lowest {figures.min_score:g}, "
        f"10th percentile {figures.p10_score:g}",
        f"{figures.top5_pct:g}% got one of their five best candidates; "
        f"{figures.blocking_pairs} blocking pairs (both would gain 5 points by swapping)",
        _proof_line(result),
        "",
    ]
    peer = result.format == "peer"
    header = ("Peer", "Peer") if peer else ("Mentor", "Mentee")
    if result.pairs:
        left = max(len(header[0]), *(len(p.mentor) for p in result.pairs))
        right = max(len(header[1]), *(len(p.mentee) for p in result.pairs))
        lines.append(f"{header[0]:<{left}}  {header[1]:<{right}}  Score  Why")
        for pair in result.pairs:
            why = "; ".join(strengths(pair.reasons)[:3])
            caveat = worth_knowing(pair.reasons)
            if caveat:
                why = f"{why} ({caveat})" if why else caveat
            lines.append(
                f"{pair.mentor:<{left}}  {pair.mentee:<{right}}  {pair.score:>5.1f}  {why}"
            )
    if result.unmatched:
        lines += ["", f"Not matched ({len(result.unmatched)}):"]
        lines += [f"  {u.email} ({u.role}): {unmatched_text(u.reason)}" for u in result.unmatched]
    if result.hints:
        lines += ["", "To match more people:"]
        lines += [f"  - {hint_text(hint)}" for hint in result.hints]
    return "\n".join(lines)


def write_scores(path: Path, pairs: Iterable[CandidatePair], *, peer: bool) -> None:
    """Every candidate pair with its score or veto, so the optimum can be checked independently.

    The veto is given as its code (`veto`) and in words (`why_not`).
    """
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["peer_a", "peer_b", "score", "veto", "why_not"]
            if peer
            else ["mentor", "mentee", "score", "veto", "why_not"]
        )
        for pair in pairs:
            writer.writerow(
                [
                    pair.mentor,
                    pair.mentee,
                    "" if pair.score is None else pair.score,
                    pair.veto["code"] if pair.veto else "",
                    veto_text(pair.veto),
                ]
            )
