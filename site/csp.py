"""Content-Security-Policy for the whole site: django-csp's middleware, with a second policy
for the two admins.

The public site's policy (CONTENT_SECURITY_POLICY) allows no inline script or style. Wagtail's
admin still renders its widgets' set-up as inline scripts (date pickers, choosers, inline
panels) and Draftail adds inline styles; those scripts are written without the request, so they
cannot carry a nonce, and their ids vary, so they cannot be hashed. The admin policy
(ADMIN_CONTENT_SECURITY_POLICY) therefore allows inline scripts and styles but nothing from
other origins: no external scripts, styles, images, fonts, frames or connections (an injected
script cannot send what it reads elsewhere), no plugins, forms and <base> to the site only,
framed by the site only.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings


class SiteCSPMiddleware(CSPMiddleware):
    """django-csp's middleware with the admin policy on the admin URL prefixes."""

    def get_policy_parts(self, request, response, report_only=False):
        """The policy parts of django-csp, with the admin's directives under its prefixes."""
        parts = super().get_policy_parts(request, response, report_only=report_only)
        admin_policy = settings.ADMIN_CONTENT_SECURITY_POLICY
        in_admin = request.path_info.startswith(tuple(admin_policy["URL_PREFIXES"]))
        if in_admin and not report_only and parts.config is None:
            parts.config = admin_policy["DIRECTIVES"]
        return parts
