"""The practice editor's form: rules stated up front, checked when a practice is published."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.admin.forms import WagtailAdminPageForm

from .rules import publishing_problems

# Stated beside the fields the review workflow checks (rules.publishing_problems).
REQUIRED_TO_SUBMIT = gettext_lazy("Required to submit for review.")


class TypeaheadSelectMultiple(forms.SelectMultiple):
    """A multi-select that typeahead.js turns into a search box with removable choices.

    Without JavaScript it stays the plain multi-select, so the form works either way; the
    posted values are the same.
    """

    def __init__(self, attrs=None, choices=()):
        """Mark the select for the script."""
        super().__init__({"data-typeahead": "", **(attrs or {})}, choices)

    @property
    def media(self):
        """The script and its styles (static files, allowed by the admin's CSP)."""
        return forms.Media(
            js=["practices/typeahead.js"], css={"all": ["practices/editor_form.css"]}
        )


class YearInput(forms.NumberInput):
    """A year: a number box with the accepted years as its bounds (models.validate_year)."""

    def get_context(self, name, value, attrs):
        """Set min and max at render time, so next year moves on without a deploy."""
        from .models.pages import FIRST_YEAR, latest_year

        attrs = {"min": FIRST_YEAR, "max": latest_year(), "step": 1, **(attrs or {})}
        return super().get_context(name, value, attrs)


def _word_limit_help(limit):
    """The help sentence for a text with a soft word limit."""
    return ngettext(
        "At most %(limit)d word; a live count warns you past it.",
        "At most %(limit)d words; a live count warns you past it.",
        limit,
    ) % {"limit": limit}


class PracticePageForm(WagtailAdminPageForm):
    """States the template's rules in the help texts and checks them on publish or submit."""

    def __init__(self, *args, parent_page=None, **kwargs):
        """Put the rules into the help texts, and default the country from the owning city."""
        super().__init__(*args, parent_page=parent_page, **kwargs)
        self._state_rules()
        self._label_choices()
        if not self.instance.pk and parent_page is not None:
            self._default_country(parent_page.specific)

    def _help(self, name, *sentences):
        """Append sentences to a field's help text, when the user's form has that field."""
        if name in self.fields:
            field = self.fields[name]
            field.help_text = " ".join(str(part) for part in (field.help_text, *sentences) if part)

    def _state_rules(self):
        """Say what submitting for review needs before the editor fails at it."""
        required = settings.PRACTICE_KEY_THEMES_REQUIRED
        self._help(
            "key_themes",
            ngettext(
                "Choose exactly %(required)d key theme.",
                "Choose exactly %(required)d key themes.",
                required,
            )
            % {"required": required},
            REQUIRED_TO_SUBMIT,
        )
        self._help("target_audiences", _("Choose at least one."), REQUIRED_TO_SUBMIT)
        self._help("description", REQUIRED_TO_SUBMIT)
        self._help("country_of_origin", REQUIRED_TO_SUBMIT)
        for name, limit in settings.PRACTICE_WORD_LIMITS.items():
            self._help(name, _word_limit_help(limit))
        from .models.pages import FIRST_YEAR, latest_year

        years = _("A year from %(first)s to %(last)s.") % {
            "first": FIRST_YEAR,
            "last": latest_year(),
        }
        for name in ("start_year", "end_year", "last_update_year"):
            self._help(name, years)
        self._help("cities", _("Type part of a name and pick it from the list."))
        self._help("countries", _("Type part of a name and pick it from the list."))

    def _label_choices(self):
        """Name the blank choices of the radio buttons, and tell same-named cities apart."""
        if "evaluation_type" in self.fields:
            field = self.fields["evaluation_type"]
            field.choices = [("", _("Not stated yet")), *(c for c in field.choices if c[0])]
        if "organisation_type" in self.fields:
            self.fields["organisation_type"].empty_label = _("Not stated")
        if "cities" in self.fields:
            self.fields["cities"].label_from_instance = lambda city: (
                f"{city.title} ({city.country.name})" if city.country else city.title
            )

    def _default_country(self, parent):
        """A new practice under a city is most likely based in that city's country."""
        from .models.pages import CityPage

        wanted = "country_of_origin" in self.fields and not self.initial.get("country_of_origin")
        if wanted and isinstance(parent, CityPage) and parent.country:
            self.initial["country_of_origin"] = parent.country.code

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


def error_summary(form):
    """Every error of a bound page form and its inline forms, in form order, as
    (label, message, anchor id) triples; the anchor is the field's HTML id ("" for the form)."""
    items = [(None, error, "") for error in form.non_field_errors()]
    errors = form.errors
    for name in form.fields:
        if name in errors:
            bound = form[name]
            items.extend((bound.label, error, bound.auto_id) for error in errors[name])
    for prefix, formset in getattr(form, "formsets", {}).items():
        noun = formset.model._meta.verbose_name
        # Wagtail's inline panel lists its forms in the element with this id.
        items.extend((noun, error, f"id_{prefix}-FORMS") for error in formset.non_form_errors())
        for number, child in enumerate(formset.forms, start=1):
            if formset.can_delete and formset._should_delete_form(child):
                continue  # a form being removed is not validated
            for name in child.fields:
                for error in child.errors.get(name, []):
                    label = f"{noun} {number}: {child[name].label}"
                    items.append((label, error, child[name].auto_id))
            for error in child.non_field_errors():
                items.append((f"{noun} {number}", error, f"id_{prefix}-FORMS"))
    return items
