"""The SSO settings form: checks what an admin typed before anything is saved."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from identity.models import IdentityProvider, SsoProtocol
from identity.sso.services import SsoSettings

DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# Public mail services nobody's IdP can vouch for: covering one would send strangers' sign-ins
# to this organisation's provider.
PUBLIC_MAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
     "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "proton.me",
     "protonmail.com", "mail.com", "yandex.ru", "seznam.cz"}
)  # fmt: skip
MAX_METADATA_BYTES = 512 * 1024


class SsoSettingsForm(forms.Form):
    protocol = forms.ChoiceField(
        label=_("Protocol"), choices=SsoProtocol.choices, widget=forms.RadioSelect
    )
    display_name = forms.CharField(
        label=_("Name on the sign-in button"),
        max_length=40,
        help_text=_('People see "Continue with" followed by this, e.g. "Acme sign-in".'),
    )
    domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,  # clean_domains says what is missing
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One or more, separated by commas or new lines (acme.com, acme.de). Addresses at "
            "these domains are sent to this provider, and the provider is trusted for them only."
        ),
    )
    server_url = forms.URLField(
        label=_("Issuer or discovery URL"),
        required=False,
        assume_scheme="https",
        help_text=_("e.g. https://login.microsoftonline.com/TENANT-ID/v2.0"),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=191, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Never shown again once saved. Leave empty to keep the stored one."),
    )
    metadata_url = forms.URLField(
        label=_("IdP metadata URL"),
        required=False,
        assume_scheme="https",
        help_text=_("Snowball reads it now and again every few hours (certificate changes)."),
    )
    metadata_xml = forms.CharField(
        label=_("Or the IdP metadata XML"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Paste the federation metadata file when the provider offers no URL."),
    )
    require_sso = forms.BooleanField(
        label=_("Require single sign-on"),
        required=False,
        help_text=_(
            "Members of this organisation can then only open it after signing in with this "
            "provider; password sign-in is refused for the addresses it covers."
        ),
    )
    allow_jit = forms.BooleanField(
        label=_("Add people the provider signs in who are not members yet, as sellers"),
        required=False,
        help_text=_("Off: only people already in this organisation may sign in with it."),
    )

    def __init__(self, *args, provider: IdentityProvider | None = None, **kwargs) -> None:
        self.provider = provider
        if provider is not None and "initial" not in kwargs:
            app = provider.social_app
            idp = app.settings.get("idp", {})
            kwargs["initial"] = {
                "protocol": provider.protocol,
                "display_name": provider.display_name,
                "domains": ", ".join(d.domain for d in provider.domains.all()),
                "server_url": app.settings.get("server_url", ""),
                "client_id": app.client_id if provider.protocol == SsoProtocol.OIDC else "",
                "metadata_url": idp.get("metadata_url", ""),
                "require_sso": provider.require_sso,
                "allow_jit": provider.allow_jit,
            }
        super().__init__(*args, **kwargs)

    def clean_domains(self) -> list[str]:
        raw = self.cleaned_data.get("domains", "")
        domains = sorted(
            {d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", raw) if d.strip()}
        )
        if not domains:
            raise forms.ValidationError(_("Give at least one e-mail domain."))
        bad = [d for d in domains if not DOMAIN.match(d)]
        if bad:
            raise forms.ValidationError(
                _("Not an e-mail domain: %(domains)s (write it as acme.com).")
                % {"domains": ", ".join(bad)}
            )
        public = [d for d in domains if d in PUBLIC_MAIL_DOMAINS]
        if public:
            raise forms.ValidationError(
                _("%(domains)s is a public mail service: no company's provider speaks for it.")
                % {"domains": ", ".join(public)}
            )
        if len(domains) > 50:
            raise forms.ValidationError(_("At most 50 domains."))
        return domains

    def clean(self) -> dict:
        data = super().clean()
        protocol = data.get("protocol")
        if protocol == SsoProtocol.OIDC:
            self._clean_oidc(data)
        elif protocol == SsoProtocol.SAML:
            self._clean_saml(data)
        return data

    def _clean_oidc(self, data: dict) -> None:
        if not data.get("server_url"):
            self.add_error("server_url", _("Give the provider's issuer or discovery URL."))
        if not data.get("client_id"):
            self.add_error("client_id", _("Give the client ID your provider issued Snowball."))
        keeps_secret = (
            self.provider is not None
            and self.provider.protocol == SsoProtocol.OIDC
            and bool(self.provider.social_app.secret)
        )
        if not data.get("client_secret") and not keeps_secret:
            self.add_error("client_secret", _("Give the client secret your provider issued."))

    def _clean_saml(self, data: dict) -> None:
        from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

        url, xml = data.get("metadata_url"), (data.get("metadata_xml") or "").strip()
        if not url and not xml and self.provider is not None:
            # Unchanged SAML settings: keep what is stored.
            idp = self.provider.social_app.settings.get("idp", {})
            if self.provider.protocol == SsoProtocol.SAML and idp.get("entity_id"):
                data["idp"] = idp
                return
        if not url and not xml:
            self.add_error("metadata_url", _("Give the IdP metadata URL, or paste its XML."))
            return
        try:
            if xml:
                if len(xml.encode()) > MAX_METADATA_BYTES:
                    raise ValueError("too large")
                parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)
            else:
                URLValidator(schemes=["https", "http"])(url)
                parsed = OneLogin_Saml2_IdPMetadataParser.parse_remote(url, timeout=10)
        except Exception:
            field = "metadata_xml" if xml else "metadata_url"
            self.add_error(
                field,
                _("This is not SAML IdP metadata Snowball can read (or the URL did not answer)."),
            )
            return
        idp = parsed.get("idp", {})
        sso = idp.get("singleSignOnService", {}).get("url")
        cert = idp.get("x509cert") or next(
            iter(idp.get("x509certMulti", {}).get("signing", [])), ""
        )
        if not idp.get("entityId") or not sso or not cert:
            field = "metadata_xml" if xml else "metadata_url"
            self.add_error(
                field,
                _("The metadata lacks the IdP's entity ID, sign-in URL or signing certificate."),
            )
            return
        data["idp"] = {
            "entity_id": idp["entityId"],
            "sso_url": sso,
            "x509cert": cert,
            **({"metadata_url": url} if url and not xml else {}),
        }

    def settings(self) -> SsoSettings:
        data = self.cleaned_data
        idp = data.get("idp", {})
        return SsoSettings(
            protocol=data["protocol"],
            display_name=data["display_name"].strip(),
            domains=data["domains"],
            require_sso=data["require_sso"],
            allow_jit=data["allow_jit"],
            server_url=data.get("server_url") or "",
            client_id=(data.get("client_id") or "").strip(),
            client_secret=(data.get("client_secret") or "").strip(),
            idp_entity_id=idp.get("entity_id", ""),
            idp_sso_url=idp.get("sso_url", ""),
            idp_x509cert=idp.get("x509cert", ""),
            idp_metadata_url=idp.get("metadata_url", ""),
        )
