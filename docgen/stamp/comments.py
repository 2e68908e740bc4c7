"""The comments pages: every comment attached to the plan, exactly as written.

Comments are people's own words, up to 20,000 characters in any script. They are drawn
as text, wrapped and carried over as many pages as they need, each paragraph in its
own direction; nothing in them is read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from docgen.stamp.document import BODY, HEADING, MUTED, SMALL, RecordPdf
from docgen.stamp.model import Comment
from docgen.stamp.wording import long_time, role_label


def draw_comments(pdf: RecordPdf, comments: Sequence[Comment]) -> None:
    """Draw the comments from a new page on; nothing at all when there are none."""
    if not comments:
        return
    title = "Employee comments" if {c.role for c in comments} == {"employee"} else "Comments"
    pdf.new_section(title)
    pdf.heading(title)
    pdf.para("Attached to the plan by the people asked to sign it, in the order they were "
             "made, reproduced exactly as written. Times are UTC.", size=SMALL, color=MUTED,
             space_after=8)
    for i, comment in enumerate(comments):
        if i:
            pdf.rule(gap=16)
        pdf.keep(48)
        role = f" ({role_label(comment.role)})" if comment.role else ""
        pdf.para(f"{comment.author}{role}", size=9.5, style="B", color=HEADING,
                 space_after=0)
        pdf.para(long_time(comment.at), size=SMALL, color=MUTED, space_after=5)
        pdf.para(comment.text, size=BODY, space_after=2)
