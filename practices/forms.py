"""The practice editor's form: the template's rules are checked when a practice is published."""

from wagtail.admin.forms import WagtailAdminPageForm

from .rules import publishing_problems


class PracticePageForm(WagtailAdminPageForm):
    """Checks key themes, audiences and required texts on publish or submit, not on drafts."""

    def clean(self):
        """Apply the publishing rules unless Wagtail is saving a draft (deferred validation)."""
        cleaned_data = super().clean()
        if self.is_deferred_validation:
            return cleaned_data
        problems = publishing_problems(
            description=cleaned_data.get("description"),
            key_themes=list(cleaned_data.get("key_themes") or []),
            target_audiences=list(cleaned_data.get("target_audiences") or []),
            country_of_origin=cleaned_data.get("country_of_origin"),
        )
        for field, message in problems:
            if field not in self.errors:
                self.add_error(field, message)
        return cleaned_data
