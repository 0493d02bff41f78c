"""The importer explains bad input instead of crashing or storing it (issue 12, finding 9).

Each case used to end in a traceback (RecursionError, TypeError, PostgreSQL's DataError) or in
a silent change (a NUL stored on SQLite, two long tags merged). Every value is now checked
against the model's own limits before anything is written, alike on both databases.
"""

import copy
import json

from django.test import override_settings

from tests.practices.test_importer import FULL_RECORD, ImporterTestCase


def record(**changes):
    """A valid record with some fields changed."""
    data = copy.deepcopy(FULL_RECORD)
    data.update(changes)
    return data


class ImporterInputTests(ImporterTestCase):
    """Each bad value is named with its record and field; nothing changes."""

    def test_deeply_nested_json(self):
        self.assert_rejected("[" * 100_000 + "]" * 100_000, "is nested too deeply")

    def test_a_language_that_is_not_text(self):
        self.assert_rejected(
            [record(language=["en"])], "language: must be one language code such as en"
        )

    def test_a_web_address_longer_than_the_field(self):
        website = "https://example.org/" + "a" * 280
        self.assert_rejected(
            [record(contact={**FULL_RECORD["contact"], "website": website})],
            "contact.website: is 300 characters long; the maximum is 200.",
        )

    def test_a_nul_in_a_title(self):
        self.assert_rejected(
            [record(title="Online\x00 prevention")],
            "title: holds a control character ('\\x00') at position 7; remove it.",
        )

    def test_a_term_longer_than_a_vocabulary_label(self):
        path = self.write([record(key_themes=["T" * 151, "Local strategies/cities"])])
        from io import StringIO

        from django.core.management import CommandError, call_command

        err = StringIO()
        with self.assertRaises(CommandError):
            call_command(
                "import_practices", path, "--add-missing-terms", stdout=StringIO(), stderr=err
            )
        self.assertIn("key_themes[1]: is 151 characters long; the maximum is 150.", err.getvalue())

    def test_two_long_tags_are_not_merged(self):
        self.assert_rejected(
            [record(tags=["x" * 100 + "one", "x" * 100 + "two"])],
            "tags[1]: is 103 characters long; the maximum is 100.",
            "tags[2]: is 103 characters long; the maximum is 100.",
        )

    @override_settings(PRACTICE_IMPORT_MAX_TEXT_LENGTH=1000)
    def test_a_text_longer_than_the_limit(self):
        self.assert_rejected(
            [record(description="word " * 300)],
            "description: is 1499 characters long; the maximum is 1000.",
        )

    @override_settings(PRACTICE_IMPORT_MAX_FILE_MB=1)
    def test_a_file_larger_than_the_limit(self):
        big = json.dumps([record(description="word " * 250_000)])
        self.assert_rejected(big, "MB; the most one import takes is 1 MB")
