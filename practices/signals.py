"""Signal handlers: roles after migrate, and an editor group for every new city."""

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from wagtail.signals import page_unpublished

from .models import CityPage, PracticePage


@receiver(post_migrate)
def setup_roles_after_migrate(sender, **kwargs):
    """Create or repair groups and the workflow, and give the default Site the public
    address (site_address.py), once the practices app is migrated."""
    if sender.name != "practices":
        return
    from django.apps import apps
    from django.contrib.auth.management import create_permissions
    from wagtail.models import Collection

    from .roles import setup_roles
    from .site_address import sync_default_site

    if not Collection.objects.exists():
        return  # A flushed test database (TransactionTestCase): nothing to give rights on.
    # Apps listed after practices get their permissions in their own post_migrate, which has
    # not run yet; create them all now (idempotent) so the groups can be given them.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=kwargs.get("using", "default"))
    setup_roles()
    sync_default_site()


@receiver(post_save, sender=CityPage)
def give_each_city_its_editor_group(sender, instance, raw=False, **kwargs):
    """Creating (or renaming) a city in the admin or the importer creates (renames) its group."""
    if raw:
        return  # loaddata: the group comes with the fixture or from setup_roles.
    from .roles import ensure_city_editor_group

    ensure_city_editor_group(instance)


@receiver(page_unpublished)
def forget_sheets_of_unpublished_pages(sender, instance, **kwargs):
    """An unpublished page's stored PDFs go at once, not at its next render."""
    from .sheets.cache import forget_page

    forget_page(instance.pk)


@receiver(post_delete, sender=PracticePage)
@receiver(post_delete, sender=CityPage)
def forget_sheets_of_deleted_pages(sender, instance, **kwargs):
    """A deleted page's stored PDFs go with it."""
    from .sheets.cache import forget_page

    forget_page(instance.pk)
