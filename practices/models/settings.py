"""Texts curators keep in the admin's Settings menu (Wagtail's site settings)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

DEFAULT_EVIDENCE_EXPLANATION = _(
    "The evidence badge repeats what the practice's own team reported on the RAN practice "
    "template: whether the practice was evaluated, by its own organisation (internal) or by "
    "someone independent (external), and whether it was peer reviewed in a network meeting. "
    "The network's curators check each entry before it is published, but they do not rate "
    "practices or audit the evaluations."
)


@register_setting(icon="tick-inverse")
class EvidenceExplanation(BaseGenericSetting):
    """What the evidence badge means and who assigned it, shown beside the badge."""

    explanation = models.TextField(
        _("what the evidence badge means"),
        default=DEFAULT_EVIDENCE_EXPLANATION,
        help_text=_(
            "Shown under the badge on every practice page and sheet: what the badge means and "
            "who assigned it."
        ),
    )

    panels = [FieldPanel("explanation")]

    class Meta:
        verbose_name = _("evidence badge")
