"""Contact the team behind a practice: a form on the site, relayed by e-mail on the worker.

The visitor writes at `<practice url>contact/`; the message goes, by the task worker, to the
practice's contact person when they agreed to be listed publicly, else to the owning city's
editors, else to the curators (contact_recipients(): the one rule). Nobody's address is shown
to the visitor; the e-mail's Reply-To is the visitor's, so the answer comes from the
recipient's own mailbox. The sender gets a copy. Once delivered, the message's words and the
sender's details are emptied from the database (models/contact.py says what stays and why).
"""

import hashlib
import hmac

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from practicehub.tasks import retried

from .curation import addresses_by_language, curator_addresses
from .limits import counted, seconds_to_next_window, visitor_of
from .models import ContactMessage, PracticePage

Recipients = ContactMessage.Recipients


class ContactForm(forms.Form):
    """What a visitor writes to the team behind a practice; `homepage` is a trap for robots."""

    name = forms.CharField(label=gettext_lazy("Your name"), max_length=200)
    organisation = forms.CharField(
        label=gettext_lazy("Your organisation"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("A city, a network, an NGO… (optional)"),
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail address"),
        help_text=gettext_lazy("The answer comes to this address; you get a copy of your message."),
    )
    message = forms.CharField(
        label=gettext_lazy("Your message"),
        widget=forms.Textarea(attrs={"rows": 8}),
        min_length=20,
        max_length=5000,
    )
    # People never see this field (it is hidden by the stylesheet and skipped by the
    # keyboard); form-filling robots fill it in, and their message is dropped in silence.
    homepage = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def is_trap_filled(self):
        """Whether the robots' field was filled in."""
        return bool(self.cleaned_data.get("homepage"))


def contact_recipients(practice):
    """(Recipients kind, e-mail addresses) that a message about `practice` goes to."""
    if practice.contact_consent and practice.contact_email:
        return Recipients.CONTACT, [practice.contact_email]
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    city = practice.owning_city
    if city is not None:
        editors = users.filter(groups__city_link__city=city)
        editors = sorted(set(editors.values_list("email", flat=True)))
        if editors:
            return Recipients.CITY_EDITORS, editors
    curators = curator_addresses()
    if curators:
        return Recipients.CURATORS, curators
    return Recipients.NOBODY, []


def recipients_phrase(kind, practice):
    """Who a message goes to, as the visitor reads it (never an address)."""
    city = practice.owning_city
    city_name = city.title if city else ""
    return {
        Recipients.CONTACT: _("the practice's contact person"),
        Recipients.CITY_EDITORS: _("the editors of %(city)s") % {"city": city_name},
        Recipients.CURATORS: _("the curators of the practices' networks"),
        Recipients.NOBODY: "",
    }[kind]


def fingerprint(email):
    """A keyed hash of an address: the same sender is recognised, the address is not kept."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def may_send(request):
    """Whether this visitor may send one more message now (PRACTICE_CONTACT_LIMIT)."""
    return counted(
        f"practices.contact:{visitor_of(request)}",
        settings.PRACTICE_CONTACT_MESSAGES_PER_VISITOR,
        settings.PRACTICE_CONTACT_WINDOW,
    )


def contact_view(practice, request):
    """The contact form of a practice the visitor may see (Wagtail's serving checked that)."""
    kind, _addresses = contact_recipients(practice)
    if kind == Recipients.NOBODY:
        # No one to pass a message to (no consenting contact, no editor or curator with an
        # address): say so rather than take a message that would go nowhere.
        return TemplateResponse(
            request, "practices/contact_form.html", {"page": practice, "unreachable": True}
        )
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_trap_filled():
            return redirect(practice.url + "contact/sent/")
        if not may_send(request):
            minutes = -(-seconds_to_next_window(settings.PRACTICE_CONTACT_WINDOW) // 60)
            form.add_error(
                None,
                _(
                    "You have sent as many messages as one visitor may in a while. Please try "
                    "again in %(minutes)d minutes."
                )
                % {"minutes": minutes},
            )
            status = 429
        else:
            data = form.cleaned_data
            message = ContactMessage.objects.create(
                practice=practice,
                sender_name=data["name"],
                sender_organisation=data["organisation"],
                sender_email=data["email"],
                message=data["message"],
                language=translation.get_language() or settings.LANGUAGE_CODE,
                sender_fingerprint=fingerprint(data["email"]),
            )
            deliver_contact_message.enqueue(message.pk)
            return redirect(practice.url + "contact/sent/")
    elif request.method == "POST":
        status = 400
    return TemplateResponse(
        request,
        "practices/contact_form.html",
        {"page": practice, "form": form, "goes_to": recipients_phrase(kind, practice)},
        status=status,
    )


def contact_sent_view(practice, request):
    """The page after a message was sent."""
    return TemplateResponse(request, "practices/contact_sent.html", {"page": practice})


@task(takes_context=True)
@retried
def deliver_contact_message(message_id):
    """Send a contact message to its recipients and a copy to its sender, then forget it."""
    message = ContactMessage.objects.filter(pk=message_id, delivered_at__isnull=True).first()
    if message is None:
        return  # delivered already (a retry after a late failure)
    practice = PracticePage.objects.get(pk=message.practice_id)
    kind, addresses = contact_recipients(practice)
    sender_language = message.language or settings.LANGUAGE_CODE

    def context():
        # Built under each language's override: the page's address gets that language's prefix.
        return {
            "practice": practice,
            "practice_url": practice.full_url,
            "name": message.sender_name,
            "organisation": message.sender_organisation,
            "email": message.sender_email,
            "message": message.message,
            "goes_to": recipients_phrase(kind, practice) if addresses else "",
        }

    # Editors and curators read the relay in their own admin language; a practice's contact
    # person (no account, as a rule) in the practice's language when the interface has it.
    content_language = practice.language if practice.language in dict(settings.LANGUAGES) else None
    for language, group in addresses_by_language(addresses, default=content_language).items():
        with translation.override(language):
            EmailMessage(
                subject=_("A message about “%(title)s”") % {"title": practice.title},
                body=render_to_string("practices/email/contact_message.txt", context()),
                to=group,
                reply_to=[message.sender_email],
            ).send()
    # The sender's copy in the language of the page they wrote from (kept on the message).
    with translation.override(sender_language):
        EmailMessage(
            subject=_("Your message about “%(title)s”") % {"title": practice.title},
            body=render_to_string("practices/email/contact_copy.txt", context()),
            to=[message.sender_email],
        ).send()
    ContactMessage.objects.filter(pk=message.pk).update(
        sender_name="",
        sender_organisation="",
        sender_email="",
        message="",
        recipients=kind,
        recipient_count=len(addresses),
        delivered_at=timezone.now(),
    )
