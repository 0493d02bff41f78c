"""URL routes: the machine channels unprefixed, then what people read under a language prefix.

Admin, documents, sitemap, API, OAI, feeds and catalogue keep one address and English. Sheets,
shortlist, saved searches, accounts and Wagtail's pages (last) sit in i18n_patterns: English
unprefixed, the other languages under /fr/, /nl/, /de/, /es/ (docs/i18n.md).
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path, reverse_lazy
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from practices import access, catalog, follow, oai, shortlist
from practices.admin_scoping import admin_overrides
from practices.api import api
from practices.feeds import LatestPracticesAtomFeed, LatestPracticesFeed

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # A few admin views that would show city editors other cities' drafts, checked first.
    path("admin/", include(admin_overrides())),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("api/", api.urls),
    path("feeds/practices.rss", LatestPracticesFeed(), name="practices_feed_rss"),
    path("feeds/practices.atom", LatestPracticesAtomFeed(), name="practices_feed_atom"),
    path("feeds/search.atom", follow.SearchFeed(), name="search_feed"),
    path("oai/", oai.endpoint, name="oai"),
    path("oai/practicehub.xsd", oai.schema, name="oai_schema"),
    path("catalog.ttl", catalog.catalog, {"rdf_format": "turtle"}, name="catalog_ttl"),
    path("catalog.jsonld", catalog.catalog, {"rdf_format": "json-ld"}, name="catalog_jsonld"),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns
    from django.views.static import serve

    urlpatterns += staticfiles_urlpatterns()
    # Uploaded images, but not documents: a document is served only by Wagtail's own view,
    # which applies its privacy (practices/documents.py); its file's direct address would not.
    media = settings.MEDIA_URL.strip("/")
    urlpatterns += [
        re_path(
            rf"^{media}/(?!documents/)(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

# What people read, in the reader's language; Wagtail's page serving last (it matches any path).
urlpatterns += i18n_patterns(
    path("sheets/", include("practices.sheets.urls")),
    path("shortlist/", include(shortlist.urls())),
    path("searches/", include(follow.urls())),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include(access.public_urls())),
    # Where a new member chooses a password (the link their approval e-mail carries).
    path(
        "accounts/password/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
