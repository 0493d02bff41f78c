"""The words of the database engine's index: one full-text table per database.

SQLite: an FTS5 table with the Porter stemmer (rowid = page id). PostgreSQL: a table of
tsvectors in the `english` configuration, with a GIN index. Each has three weighted parts,
the title, the labels (key themes, target audiences, cities, tags) and the body (the RAN
texts and the organisation), and answers the same three questions: which practices hold the
words (as a subquery the engine filters the documents with), how well each matches, and
which hold them in the title. Stop words are taken out of queries before either sees them
(search/words.py), so both databases match the same words.

The tables are created by migration search/0005 and written only by search/index.py.
"""

from django.db import connection

SQLITE_TABLE = "search_practicetext"
POSTGRES_TABLE = "search_practicetext"
POSTGRES_CONFIG = "english"

# Weights of (title, labels, body) in SQLite's bm25.
SQLITE_WEIGHTS = (10.0, 3.0, 1.0)


class SQLiteText:
    """An FTS5 table: title, labels, body; Porter stemming; accents folded."""

    create_sql = (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {SQLITE_TABLE} USING fts5("
        "title, labels, body, tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    drop_sql = f"DROP TABLE IF EXISTS {SQLITE_TABLE}"

    def delete(self, cursor, page_ids):
        """Forget the words of these practices."""
        for chunk in _chunks(page_ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {SQLITE_TABLE} WHERE rowid IN ({marks})", chunk)  # noqa: S608

    def insert(self, cursor, rows):
        """Store (page id, title, labels, body) rows."""
        cursor.executemany(
            f"INSERT INTO {SQLITE_TABLE} (rowid, title, labels, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            rows,
        )

    def clear(self, cursor):
        """Forget every practice's words."""
        cursor.execute(f"DELETE FROM {SQLITE_TABLE}")  # noqa: S608

    @staticmethod
    def _match(words, operator, columns):
        # Words are plain \w+ tokens (search.forms, search.words): each quoted is a valid
        # FTS5 string, which the table's tokenizer stems like the indexed text.
        joiner = " AND " if operator == "and" else " OR "
        return "{" + " ".join(columns) + "} : (" + joiner.join(f'"{w}"' for w in words) + ")"

    def matching(self, words, operator="and"):
        """(SQL, params) of a subquery selecting the page ids that hold the words."""
        match = self._match(words, operator, ("title", "labels", "body"))
        return f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s", [match]  # noqa: S608

    def scores(self, words, operator="and"):
        """Page id -> relevance (higher is better) of every practice holding the words."""
        match = self._match(words, operator, ("title", "labels", "body"))
        weights = ", ".join(str(weight) for weight in SQLITE_WEIGHTS)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid, bm25({SQLITE_TABLE}, {weights}) FROM {SQLITE_TABLE} "  # noqa: S608
                f"WHERE {SQLITE_TABLE} MATCH %s",
                [match],
            )
            # bm25 is lower for better matches.
            return {int(pk): -score for pk, score in cursor.fetchall()}

    def in_title(self, words):
        """The page ids whose title holds every word."""
        match = self._match(words, "and", ("title",))
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT rowid FROM {SQLITE_TABLE} WHERE {SQLITE_TABLE} MATCH %s",  # noqa: S608
                [match],
            )
            return {int(pk) for (pk,) in cursor.fetchall()}


class PostgresText:
    """A tsvector per practice (title weight A, labels B, body D) and one of the title."""

    create_sql = (
        f"CREATE TABLE IF NOT EXISTS {POSTGRES_TABLE} ("
        "page_id integer PRIMARY KEY, "
        "vector tsvector NOT NULL, title_vector tsvector NOT NULL) "
        # Vectors kept in the row rather than out-of-line (TOAST): a word held by half the
        # practices is matched and ranked by reading every row, 40 % faster inline.
        "WITH (toast_tuple_target = 8160); "
        f"ALTER TABLE {POSTGRES_TABLE} ALTER COLUMN vector SET STORAGE MAIN, "
        "ALTER COLUMN title_vector SET STORAGE MAIN; "
        f"CREATE INDEX IF NOT EXISTS {POSTGRES_TABLE}_vector ON {POSTGRES_TABLE} USING GIN (vector)"
    )
    drop_sql = f"DROP TABLE IF EXISTS {POSTGRES_TABLE}"

    def delete(self, cursor, page_ids):
        """Forget the words of these practices."""
        cursor.execute(f"DELETE FROM {POSTGRES_TABLE} WHERE page_id = ANY(%s)", [list(page_ids)])  # noqa: S608

    def insert(self, cursor, rows):
        """Store (page id, title, labels, body) rows as weighted tsvectors."""
        config = POSTGRES_CONFIG
        cursor.executemany(
            f"INSERT INTO {POSTGRES_TABLE} (page_id, vector, title_vector) VALUES (%s, "  # noqa: S608
            f"setweight(to_tsvector('{config}', %s), 'A') || "
            f"setweight(to_tsvector('{config}', %s), 'B') || "
            f"setweight(to_tsvector('{config}', %s), 'D'), to_tsvector('{config}', %s))",
            [
                (pk, *(_plain(text) for text in (title, labels, body, title)))
                for pk, title, labels, body in rows
            ],
        )

    def clear(self, cursor):
        """Forget every practice's words."""
        cursor.execute(f"DELETE FROM {POSTGRES_TABLE}")  # noqa: S608

    @staticmethod
    def _query(words, operator):
        # One plainto_tsquery per word, joined: the words are data, never query syntax.
        joiner = " && " if operator == "and" else " || "
        sql = joiner.join([f"plainto_tsquery('{POSTGRES_CONFIG}', %s)"] * len(words))
        return f"({sql})", list(words)

    def matching(self, words, operator="and"):
        """(SQL, params) of a subquery selecting the page ids that hold the words."""
        query, params = self._query(words, operator)
        return f"SELECT page_id FROM {POSTGRES_TABLE} WHERE vector @@ {query}", params  # noqa: S608

    def scores(self, words, operator="and"):
        """Page id -> relevance (higher is better) of every practice holding the words."""
        query, params = self._query(words, operator)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT page_id, ts_rank(vector, query.q) FROM {POSTGRES_TABLE}, "  # noqa: S608
                f"(SELECT {query} AS q) AS query WHERE vector @@ query.q",
                params,
            )
            return {int(pk): float(score) for pk, score in cursor.fetchall()}

    def in_title(self, words):
        """The page ids whose title holds every word."""
        query, params = self._query(words, "and")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT page_id FROM {POSTGRES_TABLE}, (SELECT {query} AS q) AS query "  # noqa: S608
                "WHERE vector @@ query.q AND title_vector @@ query.q",
                params,
            )
            return {int(pk) for (pk,) in cursor.fetchall()}


def for_vendor(vendor):
    """The full-text table of a database vendor; the database engine needs one of these."""
    if vendor == "sqlite":
        return SQLiteText()
    if vendor == "postgresql":
        return PostgresText()
    raise NotImplementedError(
        f"The database search engine runs on SQLite and PostgreSQL, not {vendor}."
    )


def full_text():
    """The full-text table of the default database."""
    return for_vendor(connection.vendor)


def _plain(text):
    """Text for PostgreSQL's parser: it reads "<" as the start of a tag and would skip every
    word up to the next ">" ("a <script> b" indexes only "a")."""
    return text.replace("<", " ").replace(">", " ")


def _chunks(items, size=500):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]
