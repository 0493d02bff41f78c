"""Validation of bundle requests at the edge: ids in, a clean ordered list of ints out."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Page ids are 64-bit signed integers in the database; a larger number names no practice.
MAX_PAGE_ID = 2**63 - 1


def bundle_limit_message(count):
    """The sentence shown when a bundle asks for more practices than the setting allows."""
    return _(
        "A bundle holds at most %(max)d practices and this selection has %(count)d. "
        "Narrow the selection and try again."
    ) % {"max": settings.PRACTICE_BUNDLE_MAX, "count": count}


class BundleForm(forms.Form):
    """?ids=12,15,31 (in print order) and an optional cover title."""

    ids = forms.CharField(
        max_length=2000,
        error_messages={
            "required": _("Choose at least one practice: add ?ids= with their numbers."),
            "max_length": _("The list of practices is too long for one bundle."),
        },
    )
    title = forms.CharField(max_length=150, required=False, strip=True)

    def clean_ids(self):
        """Practice ids as ints, duplicates removed, the order kept, at most the bundle cap."""
        pieces = [piece.strip() for piece in self.cleaned_data["ids"].split(",") if piece.strip()]
        if not pieces or not all(piece.isascii() and piece.isdigit() for piece in pieces):
            raise forms.ValidationError(
                _("Practice ids are whole numbers separated by commas, such as 12,15,31.")
            )
        ids = list(dict.fromkeys(int(piece) for piece in pieces))
        if max(ids) > MAX_PAGE_ID:
            raise forms.ValidationError(
                _("%(id)s is not the number of a practice.") % {"id": max(ids)}
            )
        if len(ids) > settings.PRACTICE_BUNDLE_MAX:
            raise forms.ValidationError(bundle_limit_message(len(ids)))
        return ids
