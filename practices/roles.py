"""Groups, permissions and the review workflow (DESIGN.md, "Roles and workflow").

Everything here is idempotent: `setup_roles()` runs after every `migrate` (post_migrate) and
from `manage.py setup_roles`, and repairs what is missing or was changed by hand.
"""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    PageViewRestriction,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from .models import (
    CityEditorGroup,
    CityIndexPage,
    CityPage,
    FundingProgramme,
    HomePage,
    KeyTheme,
    NetworkIndexPage,
    OrganisationType,
    PracticeTag,
    ReviewTask,
    TargetAudience,
    UnfiledPracticesPage,
)
from .visibility import CITY_EDITORS_PREFIX, CURATORS_GROUP, MEMBERS_GROUP

WORKFLOW_NAME = "Network review"
TASK_NAME = "Curators approval"
CURATOR_PAGE_PERMISSIONS = ("add", "change", "publish", "bulk_delete", "lock", "unlock")
CITY_EDITOR_PAGE_PERMISSIONS = ("add", "change")
VOCABULARY_MODELS = (KeyTheme, TargetAudience, OrganisationType, FundingProgramme, PracticeTag)
MEDIA_PERMISSIONS = (
    ("wagtailimages", "image", ("add", "choose")),
    ("wagtaildocs", "document", ("add", "choose")),
)


def _permission(app_label, codename):
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def _page_permission(action):
    return _permission("wagtailcore", f"{action}_page")


def _grant_admin_and_media(group, collection=None):
    """Admin access, and adding/choosing images and documents in `collection` (default: the
    root, which covers every collection) and nowhere else."""
    group.permissions.add(_permission("wagtailadmin", "access_admin"))
    collection = collection or Collection.get_first_root_node()
    for app_label, model, actions in MEDIA_PERMISSIONS:
        for action in actions:
            GroupCollectionPermission.objects.get_or_create(
                group=group,
                collection=collection,
                permission=_permission(app_label, f"{action}_{model}"),
            )
    GroupCollectionPermission.objects.filter(group=group).exclude(collection=collection).delete()


def _city_collection(link, city):
    """The collection of the city's documents and images, created or renamed as needed."""
    collection = link.collection
    if collection is None:
        collection = Collection.get_first_root_node().add_child(name=city.title)
        link.collection = collection
        link.save(update_fields=["collection"])
    elif collection.name != city.title:
        collection.name = city.title
        collection.save(update_fields=["name"])
    return collection


def _grant_pages(group, page, actions):
    for action in actions:
        GroupPagePermission.objects.get_or_create(
            group=group, page=page, permission=_page_permission(action)
        )


def city_editor_group_name(city, taken=()):
    """A name for the editor group of `city` that no other group has (names hold 150
    characters): "City editors: Ghent", else with the country, else with the page id too."""
    for suffix in ("", f" ({city.country})", f" ({city.country}, page {city.pk})"):
        room = 150 - len(CITY_EDITORS_PREFIX) - len(suffix)
        name = f"{CITY_EDITORS_PREFIX}{city.title[:room]}{suffix}"
        if name not in taken:
            break
    return name  # with the page id it is unique


def city_editor_group(city):
    """The editor group of `city`, or None."""
    link = CityEditorGroup.objects.filter(city_id=city.pk).select_related("group").first()
    return link.group if link else None


@transaction.atomic
def ensure_city_editor_group(city):
    """Create (or repair, or rename after a published rename) the editor group of a city.

    The group is the one linked to the page (CityEditorGroup); a group is never taken over
    because of its name. The name follows the title in the database row, which Wagtail changes
    when a title is published (a draft rename stays in the revision until it is approved).
    """
    city = CityPage.objects.get(pk=city.pk)  # the row as stored: the published title
    link = CityEditorGroup.objects.filter(city=city).select_related("group").first()
    if link is None:
        # Databases from before the link: the city's group is the one with rights on it.
        group = (
            Group.objects.filter(
                name__startswith=CITY_EDITORS_PREFIX,
                page_permissions__page=city,
                city_link__isnull=True,
            )
            .order_by("pk")
            .first()
        )
        if group is None:
            taken = set(Group.objects.values_list("name", flat=True))
            group = Group.objects.create(name=city_editor_group_name(city, taken))
        link = CityEditorGroup.objects.create(city=city, group=group)
    group = link.group
    taken = set(Group.objects.exclude(pk=group.pk).values_list("name", flat=True))
    name = city_editor_group_name(city, taken)
    if group.name != name:
        group.name = name
        group.save(update_fields=["name"])
    _grant_admin_and_media(group, _city_collection(link, city))
    _grant_pages(group, city, CITY_EDITOR_PAGE_PERMISSIONS)
    # Editors of one city must not keep rights anywhere else (e.g. after a manual change).
    GroupPagePermission.objects.filter(group=group).exclude(page=city).delete()
    return group


def ensure_curators():
    """The Curators group: everything under Cities and Networks, and the vocabularies."""
    curators, _created = Group.objects.get_or_create(name=CURATORS_GROUP)
    _grant_admin_and_media(curators)
    sections = (
        *CityIndexPage.objects.all(),
        *NetworkIndexPage.objects.all(),
        *UnfiledPracticesPage.objects.all(),
    )
    for index in sections:
        _grant_pages(curators, index, CURATOR_PAGE_PERMISSIONS)
    curators.permissions.add(_permission("practices", "curate_practicepage"))
    curators.permissions.add(_permission("practices", "change_evidenceexplanation"))
    for model in VOCABULARY_MODELS:
        content_type = ContentType.objects.get_for_model(model)
        for action in ("add", "change", "delete"):
            curators.permissions.add(
                Permission.objects.get(
                    content_type=content_type, codename=f"{action}_{model._meta.model_name}"
                )
            )
    return curators


def _review_task():
    """The "Curators approval" task as a ReviewTask, converting Wagtail's plain one in place.

    Databases from before ReviewTask hold a GroupApprovalTask of that name; it gains the
    ReviewTask row (multi-table inheritance) and content type, so its id, its groups and every
    task state and log entry that point at it stay as they are, including reviews in progress.
    """
    task = ReviewTask.objects.filter(name=TASK_NAME).first()
    if task is not None:
        return task
    plain = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if plain is None:
        return ReviewTask.objects.create(name=TASK_NAME)
    task = ReviewTask(groupapprovaltask_ptr=plain)
    task.__dict__.update({k: v for k, v in plain.__dict__.items() if not k.startswith("_")})
    task.save_base(raw=True)  # only the child row: the parent rows exist
    content_type = ContentType.objects.get_for_model(ReviewTask)
    Task.objects.filter(pk=plain.pk).update(content_type=content_type)
    return ReviewTask.objects.get(pk=plain.pk)


def ensure_review_workflow(curators):
    """The "Network review" workflow (Curators approve), assigned at the Cities index."""
    task = _review_task()
    task.active = True
    task.save()
    task.groups.set([curators])
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not workflow.active:
        workflow.active = True
        workflow.save(update_fields=["active"])
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for index in CityIndexPage.objects.all():
        WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


# Groups Wagtail's first migration creates with rights on the whole tree (Moderators may
# publish anywhere): anyone put in them would bypass the review workflow.
WAGTAIL_DEFAULT_GROUPS = ("Editors", "Moderators")


def disarm_wagtail_default_groups():
    """Take every page and collection right from Wagtail's default groups (kept, emptied)."""
    defaults = Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS)
    GroupPagePermission.objects.filter(group__in=defaults).delete()
    GroupCollectionPermission.objects.filter(group__in=defaults).delete()


@transaction.atomic
def setup_roles():
    """Create or repair every group, permission and the workflow; return the groups by name."""
    disarm_wagtail_default_groups()
    members, _created = Group.objects.get_or_create(name=MEMBERS_GROUP)
    curators = ensure_curators()
    ensure_review_workflow(curators)
    groups = {MEMBERS_GROUP: members, CURATORS_GROUP: curators}
    for city in CityPage.objects.all():
        group = ensure_city_editor_group(city)
        groups[group.name] = group
    return groups


UNFILED_TITLE = "Unfiled practices"


@transaction.atomic
def unfiled_practices_page():
    """The page where imported practices without a city or network wait (created, as a
    draft under the home page, restricted to curators, the first time it is needed)."""
    page = UnfiledPracticesPage.objects.first()
    if page is None:
        home = HomePage.objects.first()
        page = UnfiledPracticesPage(title=UNFILED_TITLE, slug="unfiled-practices", live=False)
        home.add_child(instance=page)
        page.save_revision()
    curators = ensure_curators()
    restriction, _created = PageViewRestriction.objects.get_or_create(
        page=page, restriction_type=PageViewRestriction.GROUPS
    )
    restriction.groups.set([curators])
    return page


def make_members_only(page):
    """Restrict `page` (and its subtree) to Members and Curators; idempotent."""
    members = Group.objects.get(name=MEMBERS_GROUP)
    curators = Group.objects.get(name=CURATORS_GROUP)
    restriction = PageViewRestriction.objects.filter(
        page=page, restriction_type=PageViewRestriction.GROUPS
    ).first()
    if restriction is None:
        restriction = PageViewRestriction.objects.create(
            page=page, restriction_type=PageViewRestriction.GROUPS
        )
    restriction.groups.set([members, curators])
    return restriction
