"""Documents are as private as the pages that use them (issue 12, finding 5).

Wagtail serves any document to anyone who knows its URL (`/documents/<id>/<file>`, with
sequential ids), and its admin API lists every document to every editor. Here:

- a document is served to the people who manage its collection (its city's editors, curators)
  and to anyone who may see a page that links to it (Wagtail's reference index records the
  links from rich text and fields); to anyone else it does not exist (404);
- each city's editors upload into and choose from their city's collection only (roles.py), and
  the admin API lists a user only the documents of collections they may choose from.

The reference index is written by the task worker, so a document linked from a page just
published is served once the worker has run (a second or two).
"""

from django.contrib.contenttypes.models import ContentType
from django.http import Http404
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.models import Page, ReferenceIndex
from wagtail.permissions import policy_registry

from .models import PracticePage
from .visibility import visible_pages

MANAGING_ACTIONS = ["add", "change", "choose"]


def permission_policy():
    """Wagtail's permission policy for documents (looked up when used: apps must be ready)."""
    return policy_registry.get_by_type(get_document_model())


def document_visible_to(document, user):
    """Whether `user` may download `document`: they manage it, or see a page linking to it."""
    if permission_policy().user_has_any_permission_for_instance(user, MANAGING_ACTIONS, document):
        return True
    # The index records a page's references under Page's content type (its base model).
    page_type = ContentType.objects.get_for_model(Page)
    linking = ReferenceIndex.get_references_to(document).filter(base_content_type=page_type)
    page_ids = [int(pk) for pk in linking.values_list("object_id", flat=True)]
    pages = Page.objects.filter(pk__in=page_ids)
    archived = PracticePage.objects.filter(archived=True).values("pk")
    return visible_pages(pages, user).exclude(pk__in=archived).exists()


def guard_document(document, request):
    """before_serve_document: a document the reader may not see is not found."""
    if not document_visible_to(document, request.user):
        raise Http404


class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    """The admin API's documents, limited to the collections the user may choose from."""

    def get_queryset(self):
        """Wagtail's queryset, narrowed by the user's collection permissions."""
        collections = permission_policy().collections_user_has_any_permission_for(
            self.request.user, MANAGING_ACTIONS
        )
        return super().get_queryset().filter(collection__in=collections)


def register_documents_endpoint(router):
    """construct_admin_api (after Wagtail's own hook): the scoped documents endpoint."""
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
