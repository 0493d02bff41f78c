"""The evidence badge's explanation, as curators wrote it under Settings > Evidence badge."""

from django import template

from ..models import EvidenceExplanation

register = template.Library()


@register.simple_tag
def evidence_explanation():
    """What the evidence badge means and who assigned it."""
    return EvidenceExplanation.load().explanation
