"""manage.py rebuild_practice_index on each engine."""

from io import StringIO

from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

from practices.models import PracticePage
from search.backends import get_backend
from search.backends.base import SearchParams

from . import data
from .engines import DatabaseEngine, ElasticsearchEngine, closed_port_url, elasticsearch_settings


def rebuild(**options):
    """Run the command; return (stdout, stderr)."""
    out, err = StringIO(), StringIO()
    call_command("rebuild_practice_index", stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


class DatabaseEngineCommandTests(DatabaseEngine, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.practices = data.build()

    def test_a_rebuild_makes_the_engine_read_practices_changed_behind_its_back(self):
        anonymous = SearchParams(text="mediators")
        self.assertEqual(get_backend().search(anonymous).total, 2)
        # A bulk SQL update sends no signals, so the index still holds it.
        PracticePage.objects.filter(pk=self.practices.f.pk).update(archived=True)
        self.assertEqual(get_backend().search(anonymous).total, 2)
        out, _err = rebuild()
        self.assertIn("Wrote the search documents of 7 practices again", out)
        result = get_backend().search(anonymous)
        self.assertEqual(result.page_ids, [self.practices.c.pk])
        self.assertEqual(result.total, 1)


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
