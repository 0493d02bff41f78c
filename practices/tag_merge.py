"""Merging practice tags: a snippet bulk action on the tag listing (Vocabularies > Practice tags).

Taggit and Wagtail have no merge. A curator ticks the tags that mean the same thing, keeps one
of them (or types a new name), and every practice tagged with the others gets the kept tag
instead, live and in its revisions (a draft keeps the tag too). The other tags are deleted;
their slugs become the kept tag's former slugs, so `?tag=<old slug>` search links, feeds and
saved searches find the merged tag's practices (search/forms.py). Live practices are indexed
again (search/signals.py sync). Each merge is written to the audit log.
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import log
from wagtail.models import Revision
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction

from .models import PracticePage, PracticeTag, TaggedPractice

LOG_ACTION = "practices.merge_tags"


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: the tag kept, the names merged into it, the practices re-pointed."""

    kept: PracticeTag
    merged_names: list[str]
    practice_ids: list[int]
    revisions: int


def merge_tags(kept, others, user=None):
    """Merge `others` into `kept` (a saved tag): re-point, remember slugs, delete, re-index."""
    from search.signals import sync  # search depends on practices, not the other way round

    others = [tag for tag in others if tag.pk != kept.pk]
    other_ids = [tag.pk for tag in others]
    with transaction.atomic():
        practice_ids = _repoint_live_tags(kept, other_ids)
        revisions, draft_ids = _repoint_revisions(kept, other_ids, practice_ids)
        former = [*kept.former_slugs]
        for tag in others:
            former.extend([tag.slug, *tag.former_slugs])
        former = [slug for slug in dict.fromkeys(former) if slug != kept.slug]
        # update(): the kept tag's own save signal would re-index all of its practices.
        PracticeTag.objects.filter(pk=kept.pk).update(former_slugs=former)
        kept.former_slugs = former
        PracticeTag.objects.filter(pk__in=other_ids).delete()
        log(
            instance=kept,
            action=LOG_ACTION,
            user=user,
            data={
                "merged": [tag.name for tag in others],
                "merged_slugs": [tag.slug for tag in others],
                "practices": len(practice_ids | draft_ids),
            },
        )
        sync(practice_ids)
    return MergeResult(
        kept, [tag.name for tag in others], sorted(practice_ids | draft_ids), revisions
    )


def _repoint_live_tags(kept, other_ids):
    """Give every practice tagged with `other_ids` the kept tag once; return their ids."""
    rows = TaggedPractice.objects.filter(tag_id__in=other_ids).order_by("content_object_id", "pk")
    practice_ids = set(rows.values_list("content_object_id", flat=True))
    has_kept = set(
        TaggedPractice.objects.filter(tag=kept, content_object_id__in=practice_ids).values_list(
            "content_object_id", flat=True
        )
    )
    repoint, seen = [], set(has_kept)
    for row_id, practice_id in rows.values_list("pk", "content_object_id"):
        if practice_id not in seen:
            repoint.append(row_id)
            seen.add(practice_id)
    # The rest would tag a practice twice with the kept tag.
    rows.exclude(pk__in=repoint).delete()
    TaggedPractice.objects.filter(pk__in=repoint).update(tag=kept)
    return practice_ids


def _repoint_revisions(kept, other_ids, practice_ids):
    """Rewrite the tags in the revisions of the practices concerned: those tagged live and
    those whose latest revision (a draft waiting to be published) holds one of the tags.

    Returns (revisions rewritten, ids of the practices whose draft only had the tag). An
    older revision of any other practice keeps the deleted tag's id; restoring it loses that
    tag, as modelcluster drops links to tags that no longer exist.
    """
    with_drafts = PracticePage.objects.filter(has_unpublished_changes=True).exclude(
        pk__in=practice_ids
    )
    draft_ids = set()
    for revision in Revision.objects.filter(pk__in=with_drafts.values("latest_revision_id")).only(
        "object_id", "content"
    ):
        if _mentions(revision.content, other_ids):
            draft_ids.add(int(revision.object_id))
    concerned = [str(pk) for pk in practice_ids | draft_ids]
    revisions = Revision.page_revisions.filter(object_id__in=concerned).only("content")
    rewritten = 0
    for revision in revisions.iterator():
        content = _repointed(revision.content, kept.pk, other_ids)
        if content is not None:
            revision.content = content
            revision.save(update_fields=["content"])
            rewritten += 1
    return rewritten, draft_ids


def _mentions(content, other_ids):
    """Whether a revision's content tags its practice with one of `other_ids`."""
    return any(item.get("tag") in other_ids for item in content.get("tagged_items") or [])


def _repointed(content, kept_id, other_ids):
    """The revision content with `other_ids` replaced by `kept_id` once; None if unchanged."""
    items = content.get("tagged_items") or []
    if not any(item.get("tag") in other_ids for item in items):
        return None
    result, tagged = [], set()
    for item in items:
        tag_id = kept_id if item.get("tag") in other_ids else item.get("tag")
        if tag_id in tagged:
            continue  # the practice had the kept tag already, or two of the merged ones
        tagged.add(tag_id)
        result.append({**item, "tag": tag_id})
    return {**content, "tagged_items": result}


class TagMergeForm(forms.Form):
    """Which tag to keep among those ticked, or a new name for the merged tag."""

    keep = forms.ModelChoiceField(
        label=_("Keep this tag"),
        queryset=PracticeTag.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    new_name = forms.CharField(
        label=_("Or give the merged tag a new name"),
        max_length=100,
        required=False,
        help_text=_("If a tag with this name exists already, the others are merged into it."),
    )

    def __init__(self, *args, tags=(), **kwargs):
        """Offer the ticked `tags` to keep."""
        super().__init__(*args, **kwargs)
        self.tags = list(tags)
        self.fields["keep"].queryset = PracticeTag.objects.filter(pk__in=[t.pk for t in self.tags])

    def clean_new_name(self):
        """The name without surrounding spaces."""
        return " ".join(self.cleaned_data["new_name"].split())

    def clean(self):
        """Exactly one way to name the result, and something to merge."""
        cleaned = super().clean()
        keep, new_name = cleaned.get("keep"), cleaned.get("new_name")
        if keep and new_name:
            raise forms.ValidationError(_("Choose a tag to keep or type a new name, not both."))
        if not keep and not new_name:
            raise forms.ValidationError(_("Choose the tag to keep, or type a new name."))
        if new_name:
            keep = PracticeTag.objects.filter(name__iexact=new_name).first()
        if not {tag.pk for tag in self.tags} - {keep.pk if keep else None}:
            raise forms.ValidationError(
                _("Tick at least two tags to merge, or one tag and a new name.")
            )
        cleaned["kept_tag"] = keep  # None: a new tag named new_name
        return cleaned


class MergeTagsBulkAction(SnippetBulkAction):
    """ "Merge into one tag" on the practice tag listing, for those who may change and delete
    tags (curators)."""

    display_name = _("Merge into one tag")
    action_type = "merge"
    aria_label = _("Merge the selected tags into one")
    template_name = "practices/admin/tag_merge.html"
    action_priority = 20
    form_class = TagMergeForm
    models = [PracticeTag]

    def dispatch(self, request, *args, **kwargs):
        """Refuse people who may not change and delete tags, on the server."""
        if not self.may_merge(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def may_merge(self, user):
        """Merging changes one tag and deletes the others: both rights are needed."""
        return self.permission_policy.user_has_permission(
            user, "change"
        ) and self.permission_policy.user_has_permission(user, "delete")

    def check_perm(self, snippet):
        """Each ticked tag must be one the user may delete."""
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "delete", snippet
        )

    def get_form_kwargs(self):
        """Hand the ticked tags to the form."""
        return {**super().get_form_kwargs(), "tags": self.get_actionable_objects()[0]}

    def annotate_items(self, items):
        """Each tag with how many practices carry it, for the confirmation page."""
        counts = dict(
            TaggedPractice.objects.filter(tag__in=items)
            .values_list("tag_id")
            .annotate(count=Count("pk"))
            .values_list("tag_id", "count")
        )
        for item in items:
            item.practice_count = counts.get(item.pk, 0)
        return items

    def get_execution_context(self):
        """The chosen tag (or new name) and the curator, for execute_action."""
        data = self.cleaned_form.cleaned_data
        return {
            **super().get_execution_context(),
            "kept": data["kept_tag"],
            "new_name": data["new_name"],
            "user": self.request.user,
        }

    @classmethod
    def execute_action(cls, objects, kept=None, new_name="", user=None, **kwargs):
        """Create the new tag if one was named, then merge the ticked tags into it."""
        if kept is None:
            kept = PracticeTag.objects.create(name=new_name)
        result = merge_tags(kept, objects, user=user)
        kwargs["self"].merge_result = result  # for the success message
        return len(result.merged_names), len(result.practice_ids)

    def get_success_message(self, num_parent_objects, num_child_objects):
        """How many tags went into which, and how many practices it touched."""
        merged = ngettext(
            "%(count)d tag merged into “%(kept)s”.",
            "%(count)d tags merged into “%(kept)s”.",
            num_parent_objects,
        ) % {"count": num_parent_objects, "kept": self.merge_result.kept.name}
        retagged = ngettext(
            "%(count)d practice re-tagged.", "%(count)d practices re-tagged.", num_child_objects
        ) % {"count": num_child_objects}
        return f"{merged} {retagged}"
