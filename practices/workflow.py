"""The review workflow in plain words (issue 15, "Plain workflow"; docs/roles.md).

Wagtail's review machinery is kept; what changes is what editors and curators read and click:

- `ReviewTask`, the curators' approval task: two actions, "Approve and publish" and "Request
  changes" (with a checklist of the inclusion criteria beside the comment, the ticked ones put
  at the top of the comment so that History, the e-mail and the banner all show them).
- The editor's footer menu (`plain_review_actions`, a `construct_page_action_menu` hook):
  "Submit for review" first, "Resubmit" after changes are requested, "Withdraw from review"
  instead of "Cancel workflow"; the curator's "Approve and publish" first.
- What happens next after submitting, and the curator's latest comment as a banner on the edit
  page while changes are requested (Django messages from the edit view's hooks).
- The city's other editors get the "changes requested" e-mail too (Wagtail sends it to the
  editor who submitted; templates/wagtailadmin/notifications/workflow_state_rejected*).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.template.defaultfilters import linebreaks_filter
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from wagtail.admin.action_menu import (
    ActionMenuItem,
    CancelWorkflowMenuItem,
    SubmitForModerationMenuItem,
)
from wagtail.admin.mail import WorkflowStateRejectionEmailNotifier
from wagtail.locks import WorkflowLock
from wagtail.models import GroupApprovalTask, WorkflowState
from wagtail.signals import workflow_rejected

# Lazy: the heading is written into the stored comment in the curator's admin language.
CRITERIA_HEADING = _("Not met yet:")


# The default criteria of settings (PRACTICE_INCLUSION_CRITERIA), marked here so that makemessages
# finds them; criteria a site sets in its environment show as written.
DEFAULT_CRITERIA = [
    gettext_noop("It aims to prevent or counter radicalisation leading to violent extremism"),
    gettext_noop("It has been carried out, and says where, since when and by whom"),
    gettext_noop("The description says what is done, with whom and how"),
    gettext_noop("The two key themes and the target audiences fit what it does"),
    gettext_noop("Evidence and evaluation are stated honestly (or that there is none yet)"),
    gettext_noop("The contact details are current and their publication was agreed"),
    gettext_noop("It holds no personal data about participants or cases"),
]


def inclusion_criteria():
    """The inclusion criteria a curator checks a practice against (PRACTICE_INCLUSION_CRITERIA)."""
    return list(settings.PRACTICE_INCLUSION_CRITERIA)


class RequestChangesForm(forms.Form):
    """The curator's "Request changes" form: the criteria not met yet, and a comment."""

    criteria = forms.MultipleChoiceField(
        label=_("Inclusion criteria not met yet"),
        help_text=_("Tick what the editors need to work on; it is listed above your comment."),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Comment for the editors"),
        help_text=_("What to change and why. The editors get it by e-mail and on the edit page."),
        widget=forms.Textarea({"rows": 6}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The criteria are read per form so that a changed setting needs no migration; the
        # text itself is the value, so the comment keeps its meaning if the list changes later.
        # The label in the curator's language; the value stays the setting's own text.
        self.fields["criteria"].choices = [(text, gettext(text)) for text in inclusion_criteria()]


def changes_requested_comment(criteria, comment):
    """The comment stored on the task state: the criteria not met, then the curator's words."""
    comment = (comment or "").strip()
    if not criteria:
        return comment
    # Written in the curator's language, as the heading is: the comment is kept as stored text.
    listed = "\n".join(f"- {gettext(criterion)}" for criterion in criteria)
    return f"{CRITERIA_HEADING}\n{listed}\n\n{comment}".strip()


class ReviewTask(GroupApprovalTask):
    """The curators' approval: "Approve and publish" or "Request changes" (with the criteria).

    A subclass of Wagtail's GroupApprovalTask (multi-table), so that the existing "Curators
    approval" task becomes one in place (roles.ensure_review_workflow) and its history stays.
    """

    def get_actions(self, obj, user):
        """One approve action (the workflow has one task, so approving publishes) and one reject."""
        if user.is_superuser or self._user_in_groups(user):
            return [
                ("approve", _("Approve and publish"), False),
                ("reject", _("Request changes"), True),
            ]
        return []

    def get_form_for_action(self, action):
        """The criteria checklist beside the comment for "Request changes"."""
        if action == "reject":
            return RequestChangesForm
        return super().get_form_for_action(action)

    def get_template_for_action(self, action):
        """The request-changes modal lays the checklist beside the comment box."""
        if action == "reject":
            return "wagtailadmin/workflow/request_changes_modal.html"
        return super().get_template_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        """Fold the ticked criteria into the comment; Wagtail's reject() takes only a comment."""
        if action_name == "reject":
            criteria = kwargs.pop("criteria", None) or []
            kwargs["comment"] = changes_requested_comment(criteria, kwargs.get("comment"))
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls):
        """Shown when an administrator picks a task type."""
        return _("Curators approve and publish, or request changes against the inclusion criteria")

    class Meta:
        verbose_name = _("review by curators")
        verbose_name_plural = _("reviews by curators")


# --- The footer action menu


class SubmitForReviewMenuItem(SubmitForModerationMenuItem):
    """Wagtail's submit action (same button name, action-submit) with plain labels."""

    def get_context_data(self, parent_context):
        """ "Resubmit" after changes were requested, else "Submit for review"."""
        context = super().get_context_data(parent_context)
        page = context.get("page")
        state = page.current_workflow_state if page is not None and page.pk else None
        needs_changes = state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES
        context["label"] = _("Resubmit") if needs_changes else _("Submit for review")
        return context


class WithdrawFromReviewMenuItem(CancelWorkflowMenuItem):
    """Wagtail's cancel action (action-cancel-workflow): the page goes back to being a draft."""

    label = _("Withdraw from review")


class InReviewMenuItem(ActionMenuItem):
    """The disabled main button while a page waits for the curators (instead of "Page locked")."""

    name = "action-in-review"
    label = _("In review by the curators")
    template_name = "wagtailadmin/workflow/in_review_menu_item.html"
    icon_name = "time"


# The order the footer shows: the reviewer's decision first, then submitting, then saving.
MENU_ORDER = {
    "approve": 0,
    "reject": 1,
    InReviewMenuItem.name: 2,
    "action-submit": 3,
    "action-save-draft": 4,
}


def plain_review_actions(menu_items, request, context):
    """construct_page_action_menu: plain labels, and the step that matters first (the default)."""
    page = context.get("page")
    state = page.current_workflow_state if page is not None and page.pk else None
    in_review = state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    reviewing = any(item.name == "approve" for item in menu_items)
    items = []
    for item in menu_items:
        if item.name == "action-submit":
            item = SubmitForReviewMenuItem(order=item.order)
        elif item.name == "action-cancel-workflow":
            item = WithdrawFromReviewMenuItem(order=item.order)
        elif item.name == "action-restart-workflow":
            continue  # with one task, "Resubmit" does the same
        elif item.name == "approve":
            item.label = _("Approve and publish")  # Wagtail appends " and Publish" itself
        elif item.name == "action-publish" and in_review and reviewing:
            continue  # the same as "Approve and publish", but would cancel the review
        elif item.name == "action-page-locked" and isinstance(context.get("lock"), WorkflowLock):
            item = InReviewMenuItem(order=item.order)
        items.append(item)
    items.sort(key=lambda item: MENU_ORDER.get(item.name, len(MENU_ORDER)))
    menu_items[:] = items


# --- Messages on the edit page


def _reviewer_groups(state):
    task = state.current_task_state.task.specific if state.current_task_state else None
    groups = getattr(task, "groups", None)
    return ", ".join(groups.values_list("name", flat=True)) if groups is not None else ""


def explain_what_happens_next(request, page):
    """after_create_page / after_edit_page: after "Submit for review", say who reviews and how."""
    if request.method != "POST" or not request.POST.get("action-submit"):
        return
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_IN_PROGRESS:
        return
    # A success message: Wagtail's admin has no icon for the info level.
    messages.success(
        request,
        _(
            "What happens next: the %(groups)s review “%(title)s” and have been sent an e-mail. "
            "You get an e-mail when they approve it (it is then published) or ask for changes "
            "(their comment is then shown at the top of this page). Until then the page is "
            "locked; “Withdraw from review” in the menu next to the main button unlocks it."
        )
        % {"groups": _reviewer_groups(state) or _("curators"), "title": page.title},
    )


def latest_change_request(page):
    """The task state whose comment asks for changes, while the page still needs them, or None."""
    state = page.current_workflow_state
    if state is None or state.status != WorkflowState.STATUS_NEEDS_CHANGES:
        return None
    return state.current_task_state


def show_change_request(request, page):
    """before_edit_page: the curator's latest comment as a banner, until resubmitted/approved."""
    if request.method != "GET":
        return
    task_state = latest_change_request(page)
    if task_state is None:
        return
    who = task_state.finished_by.get_full_name() or task_state.finished_by.get_username()
    comment = task_state.get_comment() or _("(no comment)")
    # The active language's date format and month names (the admin's language is the editor's
    # own), in the site's time zone: strftime would always write English month names.
    when = formats.date_format(timezone.localtime(task_state.finished_at), "DATE_FORMAT")
    messages.warning(
        request,
        format_html(
            "<strong>{}</strong>{}{}",
            _("Changes requested by %(who)s on %(date)s.") % {"who": who, "date": when},
            linebreaks_filter(comment, autoescape=True),
            _("Make the changes, then click “Resubmit” at the bottom of the page."),
        ),
        extra_tags="practices-change-request",
    )


# --- E-mail


class CityEditorsRejectionNotifier(WorkflowStateRejectionEmailNotifier):
    """The "changes requested" e-mail to the owning city's other editors (same templates).

    Wagtail's own notifier writes to the editor who submitted; a city's editors share the work.
    """

    def get_recipient_users(self, workflow_state, **kwargs):
        """The city's editor group, less the submitter (Wagtail's) and the curator who asked."""
        from .models import CityPage
        from .roles import city_editor_group

        page = workflow_state.content_object
        city = CityPage.objects.ancestor_of(page).first()
        group = city_editor_group(city) if city is not None else None
        if group is None:
            return set()
        skip = {workflow_state.requested_by_id, getattr(kwargs.get("user"), "pk", None)}
        return {user for user in group.user_set.all() if user.pk not in skip}


city_editors_rejection_notifier = CityEditorsRejectionNotifier()  # signals hold weak references
workflow_rejected.connect(
    city_editors_rejection_notifier,
    sender=WorkflowState,
    dispatch_uid="practices_changes_requested_city_editors",
)
