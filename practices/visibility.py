"""Who may see what: the one place every channel (pages, listings, feeds, sitemap, search,
PDF, API) asks. Members-only content uses Wagtail's page view restrictions."""

from wagtail.models import PageViewRestriction

MEMBERS_GROUP = "Members"
CURATORS_GROUP = "Curators"
CITY_EDITORS_PREFIX = "City editors: "


def passes_restriction(restriction, user):
    """True when `user` gets past a page view restriction without a request (no passwords)."""
    if user.is_superuser:
        return True
    if restriction.restriction_type == PageViewRestriction.LOGIN:
        return user.is_authenticated
    if restriction.restriction_type == PageViewRestriction.GROUPS:
        if not user.is_authenticated:
            return False
        wanted = {group.pk for group in restriction.groups.all()}
        return bool(wanted & set(user.groups.values_list("pk", flat=True)))
    # Password (and unknown) restrictions are never passed outside a browser session.
    return False


def blocked_pages(user):
    """The restricted pages whose subtrees `user` may not see."""
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    return [r.page for r in restrictions if not passes_restriction(r, user)]


def is_member(user):
    """True for signed-in practitioners allowed to read members-only content."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(name__in=(MEMBERS_GROUP, CURATORS_GROUP)).exists()


def contact_visible(consent, user, member=None):
    """Whether `user` sees a practice's contact details: with consent anyone, else members.

    `member` is is_member(user) when the caller knows it already (one question for many).
    """
    if consent:
        return True
    return is_member(user) if member is None else member


def page_visible(page, user):
    """Whether `user` may see the one page `page`: visible_pages()'s rule without a query set."""
    return page.live and not any(page.path.startswith(b.path) for b in blocked_pages(user))


def is_restricted(page):
    """True when a view restriction covers `page` or an ancestor (members-only content)."""
    if not page.pk and not page.path:
        return False  # a preview of a page not yet saved has no place in the tree
    return page.get_view_restrictions().exists()


def unrestricted_pages(pages, user):
    """`pages` outside every view restriction `user` does not pass, live or not (harvesters
    are told about once-public practices that left: practices/oai.py)."""
    for page in blocked_pages(user):
        pages = pages.not_descendant_of(page, inclusive=True)
    return pages


def visible_pages(pages, user):
    """`pages` narrowed to the live ones outside every view restriction `user` does not pass."""
    return unrestricted_pages(pages.live(), user)
