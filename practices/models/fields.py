"""Model fields of our own."""

from wagtail.fields import RichTextField


class IndexedRichTextField(RichTextField):
    """A RichTextField whose every word reaches the search index.

    Its text for indexing keeps the characters the editor typed, so a description that
    mentions "<script>" or "<b" holds them as text; PostgreSQL's full-text parser reads such a
    run as an unterminated tag and drops every word after it (to_tsvector('Pupils <script>
    write plays') keeps only "pupil"). Angle brackets become spaces in the indexed text only.
    """

    def get_searchable_content(self, value):
        """Wagtail's plain text of the value, with < and > made spaces."""
        return [
            text.replace("<", " ").replace(">", " ")
            for text in super().get_searchable_content(value)
        ]
