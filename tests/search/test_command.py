"""manage.py rebuild_practice_index on each engine."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from . import data
from .engines import DatabaseEngine, ElasticsearchEngine, closed_port_url, elasticsearch_settings


def rebuild(**options):
    """Run the command; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("rebuild_practice_index", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


class DatabaseEngineCommandTests(DatabaseEngine, TestCase):
    def test_the_database_engine_has_nothing_to_rebuild_and_says_so(self):
        out, _err = rebuild()
        self.assertIn("there is no separate index to rebuild", out)


class ElasticsearchEngineCommandTests(ElasticsearchEngine, TestCase):
    @classmethod
    def setUpTestData(cls):
        data.build()

    def test_the_rebuild_reports_what_it_indexed_with_a_progress_bar(self):
        out, err = rebuild()
        self.assertRegex(
            out,
            r"Indexed 8 practices into test-practices-\d{20}; the alias test-practices now points to it\.",
        )
        self.assertIn("Indexing practices", err)
        self.assertIn("8/8", err)
        quiet_out, quiet_err = rebuild(verbosity=0)
        self.assertIn("Indexed 8 practices", quiet_out)
        self.assertEqual(quiet_err, "")

    def test_an_unreachable_cluster_is_a_command_error(self):
        with (
            override_settings(PRACTICE_SEARCH=elasticsearch_settings(closed_port_url(), TIMEOUT=1)),
            self.assertRaisesMessage(CommandError, "The practice index was not rebuilt"),
        ):
            rebuild()
