"""Becoming a member: a visitor asks on the site, a curator approves in the admin.

`/accounts/request-access/` takes a name, address, organisation and reason; the worker tells
the curators. Under "Member requests" in the admin a curator approves (the person's account,
made if they have none, joins Members, and the worker sends them a link to choose a password:
Django's own password-reset token) or declines (they are told, kindly). Only curators see the
requests.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, When
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from django_tasks import task
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from practicehub.tasks import retried

from .curation import (
    CuratorsMenuItem,
    CuratorsOnlyMixin,
    addresses_by_language,
    curator_addresses,
    curators_only,
    preferred_language,
)
from .limits import counted, seconds_to_next_window, visitor_of
from .models import MemberAccessRequest
from .visibility import MEMBERS_GROUP

Status = MemberAccessRequest.Status


class AccessRequestForm(forms.ModelForm):
    """What someone tells the curators to become a member; `homepage` is a trap for robots."""

    homepage = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    class Meta:
        model = MemberAccessRequest
        fields = ["name", "email", "organisation", "reason"]
        labels = {
            "name": gettext_lazy("Your name"),
            "email": gettext_lazy("Your e-mail address"),
            "organisation": gettext_lazy("Your organisation"),
            "reason": gettext_lazy("Why you would like to be a member"),
        }
        help_texts = {
            "organisation": gettext_lazy("The city, network or organisation you work for."),
            "reason": gettext_lazy("Your work, and what you would use the practices for."),
        }
        widgets = {"reason": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        """The reason is asked for: curators decide on it."""
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = True
        self.fields["reason"].max_length = 3000


def request_access_view(request):
    """The public form; a valid request is kept and the curators are told by the worker."""
    form = AccessRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["homepage"]:
            return redirect("request_access_sent")
        window = settings.PRACTICE_CONTACT_WINDOW
        if not counted(
            f"practices.access-request:{visitor_of(request)}",
            settings.PRACTICE_CONTACT_MESSAGES_PER_VISITOR,
            window,
        ):
            minutes = -(-seconds_to_next_window(window) // 60)
            form.add_error(
                None,
                _("Too many requests from here for now. Please try again in %(minutes)d minutes.")
                % {"minutes": minutes},
            )
            status = 429
        else:
            access_request = form.save()
            notify_curators.enqueue(access_request.pk)
            return redirect("request_access_sent")
    elif request.method == "POST":
        status = 400
    return TemplateResponse(
        request, "registration/request_access.html", {"form": form}, status=status
    )


def request_access_sent_view(request):
    """The page after a request was sent."""
    return TemplateResponse(request, "registration/request_access_sent.html", {})


def public_urls():
    """The public form's two URLs, under /accounts/."""
    return [
        path("request-access/", request_access_view, name="request_access"),
        path("request-access/sent/", request_access_sent_view, name="request_access_sent"),
    ]


# --- Deciding


def _unique_username(email):
    base = slugify(email.split("@")[0])[:140] or "member"
    users = get_user_model().objects
    name, n = base, 2
    while users.filter(username__iexact=name).exists():
        name, n = f"{base}-{n}", n + 1
    return name


@transaction.atomic
def approve(access_request, curator):
    """Give the person a member account (theirs if they have one) and queue their e-mail."""
    users = get_user_model().objects
    user = users.filter(email__iexact=access_request.email).order_by("pk").first()
    if user is None:
        user = users.create_user(
            username=_unique_username(access_request.email),
            email=access_request.email,
            first_name=access_request.name[:150],
        )
        user.set_unusable_password()  # they choose one through the e-mailed link
        user.save()
    user.groups.add(Group.objects.get(name=MEMBERS_GROUP))
    access_request.status = Status.APPROVED
    access_request.user = user
    access_request.decided_by = curator
    access_request.decided_at = timezone.now()
    access_request.save()
    transaction.on_commit(lambda: send_decision.enqueue(access_request.pk))
    return user


@transaction.atomic
def decline(access_request, curator):
    """Decline the request, keep who asked and when, and queue a kind e-mail."""
    access_request.status = Status.DECLINED
    access_request.decided_by = curator
    access_request.decided_at = timezone.now()
    access_request.reason = ""  # not needed once decided
    access_request.save()
    transaction.on_commit(lambda: send_decision.enqueue(access_request.pk))


def password_link(user):
    """An absolute link where `user` chooses a password (Django's reset token, single use)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    relative = reverse("password_reset_confirm", args=[uid, token])
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + relative


@task(takes_context=True)
@retried
def notify_curators(request_id):
    """Tell the curators that someone asks to become a member."""
    access_request = MemberAccessRequest.objects.filter(pk=request_id).first()
    addresses = curator_addresses()
    if access_request is None or not addresses:
        return
    link = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse(
        "member_requests:detail", args=[access_request.pk]
    )
    # Each curator reads it in their admin language (one e-mail per language).
    for language, group in addresses_by_language(addresses).items():
        with translation.override(language):
            EmailMessage(
                subject=_("%(name)s asks to become a member") % {"name": access_request.name},
                body=render_to_string(
                    "practices/email/access_request.txt",
                    {"request": access_request, "link": link},
                ),
                to=group,
                reply_to=[access_request.email],
            ).send()


def decision_language(access_request):
    """The language of the decision e-mail: the person's account's, else LANGUAGE_CODE."""
    # The request does not keep the language it was written in (no field for it yet), so an
    # account's preference is the one hint; a new account has none and gets LANGUAGE_CODE.
    user = access_request.user or (
        get_user_model()
        .objects.filter(is_active=True, email__iexact=access_request.email)
        .order_by("pk")
        .first()
    )
    return preferred_language(user) if user is not None else settings.LANGUAGE_CODE


@task(takes_context=True)
@retried
def send_decision(request_id):
    """Tell the person what the curators decided (with a password link when approved)."""
    access_request = MemberAccessRequest.objects.select_related("user").get(pk=request_id)
    # Inside the override, so that the links carry the language's prefix (/fr/accounts/…).
    with translation.override(decision_language(access_request)):
        context = {"request": access_request, "login": settings.WAGTAILADMIN_BASE_URL.rstrip("/")}
        if access_request.status == Status.APPROVED:
            user = access_request.user
            context["username"] = user.get_username()
            # A person who has a password signs in with it; a new account chooses one.
            context["password_link"] = "" if user.has_usable_password() else password_link(user)
            context["login"] += reverse("login")
            subject = _("You are now a member of Practice Hub")
            template = "practices/email/access_approved.txt"
        else:
            subject = _("Your request to become a member of Practice Hub")
            template = "practices/email/access_declined.txt"
        EmailMessage(
            subject=subject, body=render_to_string(template, context), to=[access_request.email]
        ).send()


# --- The curators' screens


class AccessRequestIndexView(CuratorsOnlyMixin, IndexView):
    """Every request, waiting ones first."""

    model = MemberAccessRequest
    page_title = gettext_lazy("Member requests")
    header_icon = "group"
    index_url_name = "member_requests:index"
    index_results_url_name = "member_requests:index_results"
    any_permission_required = None  # curators decide (CuratorsOnlyMixin)
    columns = [
        TitleColumn("name", label=gettext_lazy("Name"), url_name="member_requests:detail"),
        Column("organisation", label=gettext_lazy("Organisation")),
        Column("status", label=gettext_lazy("Status"), accessor="get_status_display"),
        DateColumn("requested_at", label=gettext_lazy("Requested")),
    ]

    def get_base_queryset(self):
        """Waiting requests first, then the newest."""
        waiting_first = Case(When(status=Status.PENDING, then=0), default=1)
        return MemberAccessRequest.objects.order_by(waiting_first, "-requested_at")


class AccessRequestDetailView(CuratorsOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """One request, with Approve and Decline while it waits."""

    template_name = "practices/admin/access_request.html"
    header_icon = "group"

    def get(self, request, *args, **kwargs):
        """Show the request."""
        self.access_request = get_object_or_404(MemberAccessRequest, pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_page_title(self):
        """The person's name."""
        return self.access_request.name

    def get_breadcrumbs_items(self):
        """Home > Member requests > the person."""
        return [
            *self.breadcrumbs_items,
            {"url": reverse("member_requests:index"), "label": _("Member requests")},
            {"url": "", "label": self.access_request.name},
        ]

    def get_context_data(self, **kwargs):
        """The request, and whether an account with its address exists already."""
        context = super().get_context_data(**kwargs)
        access_request = self.access_request
        context["access_request"] = access_request
        context["existing_account"] = (
            get_user_model().objects.filter(email__iexact=access_request.email).first()
        )
        return context


@require_POST
@curators_only
def decide_view(request, pk, decision):
    """Approve or decline a waiting request; once only."""
    access_request = get_object_or_404(MemberAccessRequest, pk=pk)
    if access_request.status != Status.PENDING:
        messages.error(
            request,
            _("This request was already decided: %(status)s.")
            % {"status": access_request.get_status_display().lower()},
        )
    elif decision == "approve":
        user = approve(access_request, request.user)
        messages.success(
            request,
            _("%(name)s is a member now (account “%(username)s”); they are e-mailed.")
            % {"name": access_request.name, "username": user.get_username()},
        )
    else:
        decline(access_request, request.user)
        messages.success(
            request, _("The request of %(name)s is declined; they are e-mailed.")
            % {"name": access_request.name},
        )  # fmt: skip
    return redirect("member_requests:detail", pk=access_request.pk)


class MemberRequestsViewSet(ViewSet):
    """The curators' listing of member requests and its menu item."""

    name = "member_requests"
    url_prefix = "member-requests"
    icon = "group"
    menu_label = gettext_lazy("Member requests")
    menu_order = 170
    add_to_admin_menu = True
    menu_item_class = CuratorsMenuItem

    def get_urlpatterns(self):
        """Listing, one request, and the two decisions."""
        return [
            path("", AccessRequestIndexView.as_view(), name="index"),
            path(
                "results/", AccessRequestIndexView.as_view(results_only=True), name="index_results"
            ),
            path("<int:pk>/", AccessRequestDetailView.as_view(), name="detail"),
            path("<int:pk>/approve/", decide_view, {"decision": "approve"}, name="approve"),
            path("<int:pk>/decline/", decide_view, {"decision": "decline"}, name="decline"),
        ]
