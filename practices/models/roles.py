"""Which group edits which city: a link by page, never by name."""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _


class CityEditorGroup(models.Model):
    """The editor group of one city page.

    Groups used to be found by their name ("City editors: <title>"), so a second city with a
    name in use, or a draft rename, took over another city's group. The link is by page; the
    group's name only follows the city's published title, and is made unique.
    """

    city = models.OneToOneField(
        "practices.CityPage",
        on_delete=models.CASCADE,
        related_name="editor_group_link",
        verbose_name=_("city"),
    )
    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="city_link", verbose_name=_("group")
    )
    # The collection the city's editors upload into and choose documents and images from.
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="city_link",
        verbose_name=_("collection"),
    )

    class Meta:
        verbose_name = _("city editor group")

    def __str__(self):
        return self.group.name
