"""The comments pages: every comment attached to the plan, exactly as written.

Comments are people's own words, up to 20,000 characters in any script. They are drawn
as text, wrapped and carried over as many pages as they need, each paragraph in its
own direction; nothing in them is read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence

from docgen.stamp import kinds
from docgen.stamp.document import BODY, HEADING, MUTED, SMALL, RecordPdf
from docgen.stamp.model import THE_PLAN, Comment, DocumentKind
from docgen.stamp.wording import RecordWords


def draw_comments(pdf: RecordPdf, comments: Sequence[Comment], w: RecordWords,
                  document: DocumentKind = THE_PLAN) -> None:
    """Draw the comments from a new page on; nothing at all when there are none."""
    if not comments:
        return
    title = (w._("Employee comments") if {c.role for c in comments} == {"employee"}
             else w._("Comments"))
    pdf.new_section(title)
    pdf.heading(title)
    pdf.para(w.about(kinds.COMMENTS_INTRO, document), size=SMALL, color=MUTED,
             space_after=8)
    for i, comment in enumerate(comments):
        if i:
            pdf.rule(gap=16)
        pdf.keep(48)
        author = (w._("%(name)s (%(role)s)", name=comment.author,
                      role=w.role_label(comment.role)) if comment.role else comment.author)
        pdf.para(author, size=9.5, style="B", color=HEADING, space_after=0)
        pdf.para(w.long_time(comment.at), size=SMALL, color=MUTED, space_after=5)
        pdf.para(comment.text, size=BODY, space_after=2)
