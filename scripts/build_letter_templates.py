"""Build the outcome letter templates (templates/letters/*.docx) with python-docx.

Like scripts/build_templates.py (whose styles, page set-up and writer this uses), this
made the first versions; HR edit them in Word since. It writes to a folder you name,
never over templates/letters/ unless you say --overwrite-hr-edits:

    python scripts/build_letter_templates.py --out DIR   # writes DIR/*.docx, then checks them

Three letters, one per outcome (docgen.letters.LETTER_TEMPLATES): successful completion,
extension, and goals not met. Each states the outcome, the check-ins held, each goal's
target, result, assessment and evidence, what happens next as the plan itself stated
it, how to raise a concern, and ends with the employee's signature line (the plan's own
anchor), so the letter goes through the signing flow and is stamped like the plan. Only
the employee signs it (its envelope has no other signer), so the letter states who
proposed the outcome and who approved it, and when, as the case's record holds them.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

from docx.shared import Pt

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("build_templates",
                                               ROOT / "scripts" / "build_templates.py")
assert _spec is not None and _spec.loader is not None
bt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bt)

B, LABEL, GREY = bt.B, bt.LABEL, bt.GREY

OPENINGS = {
    "successful": (
        "Your Performance Improvement Plan ended on {{ letter.end }}. At the final review, "
        "{{ manager.name }} and HR assessed each goal against the measure the plan set for "
        "it. The goals were met, and the plan is completed successfully."),
    "extension": (
        "Your Performance Improvement Plan was due to end on {{ letter.end }}. At the final "
        "review, {{ manager.name }} and HR assessed each goal against the measure the plan "
        "set for it. There is clear progress, but not every goal is met yet, so the plan "
        "is extended by {{ letter.extension.days_text }}, to {{ letter.extension.new_end }}."),
    "not_met": (
        "Your Performance Improvement Plan ended on {{ letter.end }}. At the final review, "
        "{{ manager.name }} and HR assessed each goal against the measure the plan set for "
        "it. The goals of the plan were not met."),
}
# Only the employee signs: the letter says whose decision it records.
DECISION = ("The outcome was proposed by {{ letter.proposed_by }} on {{ letter.proposed_on }} "
            "and approved by {{ letter.approved_by }} on {{ letter.approved_on }}.")
TITLES = {"successful": "Outcome of your Performance Improvement Plan: completed",
          "extension": "Outcome of your Performance Improvement Plan: extended",
          "not_met": "Outcome of your Performance Improvement Plan: goals not met"}
NEXT = {"successful": "What happens next", "extension": "What happens during the extension",
        "not_met": "What happens next"}


def header_marks(doc) -> None:
    """The DRAFT mark every template carries above the company line (``templates
    check`` T301): a letter is never a draft when it is sent, but the check holds for
    every template alike."""
    header = doc.sections[0].header
    first = header.paragraphs[0]
    for text, style in (("{%p if plan.draft %}", "Template Logic"),
                        ("DRAFT: NOT FOR SIGNATURE", "Header"), ("{%p endif %}",
                                                                 "Template Logic")):
        p = first.insert_paragraph_before(style=doc.styles[style])
        run = p.add_run(text)
        if text.startswith("DRAFT"):
            run.bold = True
            run.font.size = Pt(9)
            run.font.color.rgb = bt._rgb("9C2A2A")


def build(kind: str):
    doc, w = bt.new_template(f"outcome letter ({kind})")
    doc.core_properties.title = TITLES[kind]
    header_marks(doc)
    w.p(TITLES[kind], "Title")
    w.kv_table([
        ("Date", "{{ letter.date }}", None),
        ("To", "{{ employee.name }}{% if employee.title %}, {{ employee.title }}{% endif %}",
         None),
        ("From", bt.MANAGER_WITH_TITLE + " and " + bt.HR_WITH_TITLE, None),
        ("Plan", "{{ plan.title }}, {{ timeline.start }} to {{ letter.end }}"
                 "{% if plan.id %} (reference {{ plan.id }}){% endif %}", None),
    ])
    w.spacer()
    w.p("Dear {{ employee.name }},")
    w.p(OPENINGS[kind])
    w.p(DECISION)
    w.p("{{ letter.checkins_held }} of the {{ letter.checkins_scheduled }} check-ins "
        "scheduled were held; the record of each, with your acknowledgements and comments, "
        "is part of the plan's case file, which you can ask HR for.")
    w.logic("{%p if letter.summary %}")
    w.p("{{ letter.summary }}")
    w.logic("{%p endif %}")
    w.h1("Each goal: result and evidence")
    table = w.table((1.4, 6.0, 4.4, 4.8), ["Goal", "Goal and target", "Result",
                                            "Assessment"])
    w.tag_row(table, "{%tr for g in letter.goals %}")
    row = w.row(table, ["{{ g.number }}", None, "{{ g.result }}", [("{{ g.assessment }}", B)]],
                keep=True)
    cell = row.cells[1]
    cell.paragraphs[0].style = doc.styles["Table Text"]
    w.runs(cell.paragraphs[0], "{{ g.statement }}")
    w.cell_p(cell, [("Target: ", GREY), ("{{ g.target or \"—\" }}", GREY)])
    w.row(table, [[("Evidence: ", LABEL), "{{ g.evidence }}"]], span=True)
    w.tag_row(table, "{%tr endfor %}")
    w.spacer()
    w.h1(NEXT[kind])
    if kind == "extension":
        w.p([("Why the plan is extended: ", B), "{{ letter.extension.reason }}"])
        w.p("The check-ins continue as before until {{ letter.extension.new_end }}; if the "
            "goals changed, the amended plan is sent to you to acknowledge, and the original "
            "plan stays part of the record.")
    w.p([("As the plan stated: ", B), "{{ letter.next_steps }}"])
    w.logic("{%p if concerns %}")
    w.h1("Questions and concerns")
    w.p("{{ concerns }}")
    w.logic("{%p endif %}")
    w.h1("Acknowledgement")
    w.p("By signing, the employee confirms that they have received this letter. A "
        "signature confirms receipt only; it does not mean agreement with its contents, "
        "and the employee may add written comments, which become part of the record.",
        keep_next=True)
    w.logic("{%p for s in signers if s.role == 'employee' %}")
    line = w.p(["{{ s.anchor }}", " ", ("\t", {"underline": True})], "Signature Line")
    line.paragraph_format.keep_with_next = True
    w.p("{{ s.name }}{% if s.title %}, {{ s.title }}{% endif %}", "Signature Detail")
    w.p(["Date: ", ("\t", {"underline": True})], "Signature Detail", space_before=8)
    w.logic("{%p endfor %}")
    return doc


def check(paths: Sequence[Path]) -> int:
    sys.path.insert(0, str(ROOT))
    from docgen.letters import sample_letter_context
    from docgen.templatecheck import check_template

    count = 0
    for path in paths:
        for finding in check_template(path, sample_letter_context()):
            print(f"{path.name}: {finding}")
            count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--overwrite-hr-edits", action="store_true")
    args = parser.parse_args(argv)
    target = (ROOT / "templates" / "letters").resolve()
    if args.out.resolve() == target and any(target.glob("*.docx")) \
            and not args.overwrite_hr_edits:
        parser.error("--out is templates/letters/, the letters HR edit in Word: writing "
                     "there throws their edits away. Write elsewhere and compare, or pass "
                     "--overwrite-hr-edits if that is what you mean.")
    sys.path.insert(0, str(ROOT))
    from docgen.letters import LETTER_TEMPLATES

    args.out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in LETTER_TEMPLATES.items():
        doc = build(kind)
        bt.prune_styles(doc)
        path = args.out / f"{name}.docx"
        doc.save(path)
        written.append(path)
        print(f"wrote {path}")
    return 1 if check(written) else 0


if __name__ == "__main__":
    raise SystemExit(main())
