"""POST data for the practice page editor, shared by the editor, role and workflow tests."""

from django.utils.text import slugify
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text


def practice_form(title, *, themes, audiences, action, description="Prevents radicalisation."):
    """The editor's form data for a practice, submitted with `action` (e.g. "action-publish")."""
    data = nested_form_data(
        {
            "title": title,
            "slug": slugify(title),
            "description": rich_text(description),
            "country_of_origin": "BE",
            "evaluation_type": "none",
            "language": "en",
            "presented_at": inline_formset([]),
            "deliverable_links": inline_formset([]),
            "comments": inline_formset([]),
        }
    )
    # Multiple-choice fields are repeated keys, which nested_form_data would flatten.
    data["key_themes"] = [theme.pk for theme in themes]
    data["target_audiences"] = [audience.pk for audience in audiences]
    data[action] = "1"
    return data
