"""A SAML identity provider for the tests: a key and certificate made at test time, responses
signed with them (python3-saml's own signing, xmlsec), and, for the browser, a tiny IdP
speaking HTTP-Redirect in and HTTP-POST out on a real socket."""

from __future__ import annotations

import base64
import threading
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

NS = {
    "samlp": "urn:oasis:names:tc:SAML:2.0:protocol",
    "saml": "urn:oasis:names:tc:SAML:2.0:assertion",
}


def key_pair(common_name: str = "Test IdP") -> tuple[str, str]:
    """(private key PEM, certificate PEM), self-signed, valid for a day."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return key_pem, cert.public_bytes(serialization.Encoding.PEM).decode()


def _instant(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_authn_request(saml_request: str) -> dict[str, str]:
    """The ID and ACS URL of an HTTP-Redirect AuthnRequest."""
    xml = zlib.decompress(base64.b64decode(saml_request), -15)
    root = etree.fromstring(xml)
    return {"id": root.get("ID"), "acs": root.get("AssertionConsumerServiceURL")}


@dataclass
class SamlIdp:
    entity_id: str = "https://idp.example.test/metadata"
    sso_url: str = "https://idp.example.test/sso"
    key: str = ""
    cert: str = ""
    users: dict[str, dict[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.key:
            self.key, self.cert = key_pair()

    def metadata_xml(self) -> str:
        body = "".join(self.cert.strip().splitlines()[1:-1])
        return (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'entityID="{self.entity_id}"><md:IDPSSODescriptor '
            'protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo '
            'xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>'
            f"{body}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{self.sso_url}"/></md:IDPSSODescriptor></md:EntityDescriptor>'
        )

    def response(
        self,
        *,
        email: str,
        in_response_to: str,
        acs: str,
        audience: str,
        lifetime: timedelta = timedelta(minutes=5),
        issued: datetime | None = None,
        signing_key: str | None = None,
        signing_cert: str | None = None,
        tamper_email: str | None = None,
        first_name: str = "Sam",
        last_name: str = "Ell",
    ) -> str:
        """A Response with one signed Assertion, base64 as posted to the ACS."""
        now = issued or datetime.now(UTC)
        expires = now + lifetime
        assertion_id = f"_a{uuid.uuid4().hex}"
        attributes = "".join(
            f'<saml:Attribute Name="{name}"><saml:AttributeValue>{escape(value)}'
            "</saml:AttributeValue></saml:Attribute>"
            for name, value in (
                ("email", email),
                ("firstName", first_name),
                ("lastName", last_name),
            )
        )
        xml = (
            f'<samlp:Response xmlns:samlp="{NS["samlp"]}" xmlns:saml="{NS["saml"]}" '
            f'ID="_r{uuid.uuid4().hex}" Version="2.0" IssueInstant="{_instant(now)}" '
            f'Destination="{acs}" InResponseTo="{in_response_to}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/>'
            "</samlp:Status>"
            f'<saml:Assertion ID="{assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">'
            f"<saml:Issuer>{self.entity_id}</saml:Issuer>"
            "<saml:Subject>"
            '<saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
            f"{escape(email)}</saml:NameID>"
            '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
            f'<saml:SubjectConfirmationData NotOnOrAfter="{_instant(expires)}" '
            f'Recipient="{acs}" InResponseTo="{in_response_to}"/>'
            "</saml:SubjectConfirmation></saml:Subject>"
            f'<saml:Conditions NotBefore="{_instant(now - timedelta(minutes=1))}" '
            f'NotOnOrAfter="{_instant(expires)}">'
            f"<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience>"
            "</saml:AudienceRestriction></saml:Conditions>"
            f'<saml:AuthnStatement AuthnInstant="{_instant(now)}" '
            f'SessionIndex="_s{uuid.uuid4().hex}">'
            "<saml:AuthnContext><saml:AuthnContextClassRef>"
            "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
            "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
            f"<saml:AttributeStatement>{attributes}</saml:AttributeStatement>"
            "</saml:Assertion></samlp:Response>"
        )
        root = etree.fromstring(xml.encode())
        assertion = root.find("saml:Assertion", NS)
        # Signed on its own (exclusive C14N keeps the signature valid once put back).
        signed = OneLogin_Saml2_Utils.add_sign(
            etree.tostring(assertion),
            signing_key or self.key,
            signing_cert or self.cert,
            sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
            digest_algorithm=OneLogin_Saml2_Constants.SHA256,
        )
        root.replace(assertion, etree.fromstring(signed))
        text = etree.tostring(root).decode()
        if tamper_email:
            text = text.replace(f">{email}<", f">{tamper_email}<")
        return base64.b64encode(text.encode()).decode()


class IdpServer:
    """The test IdP on a real socket: GET /sso?SAMLRequest=... answers a page that posts a
    signed response for `user_email` to the SP's ACS (a browser follows it like any IdP's)."""

    def __init__(self, idp: SamlIdp, audience_for: callable) -> None:
        self.idp = idp
        self.user_email = ""
        self.audience_for = audience_for
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> IdpServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                query = parse_qs(urlparse(self.path).query)
                request = parse_authn_request(query["SAMLRequest"][0])
                posted = outer.idp.response(
                    email=outer.user_email,
                    in_response_to=request["id"],
                    acs=request["acs"],
                    audience=outer.audience_for(request["acs"]),
                )
                relay = query.get("RelayState", [""])[0]
                page = (
                    "<!doctype html><html><body><p>Test IdP: signing in "
                    f"{escape(outer.user_email)}</p>"
                    f'<form method="post" action="{escape(request["acs"])}">'
                    f'<input type="hidden" name="SAMLResponse" value="{posted}">'
                    f'<input type="hidden" name="RelayState" value="{escape(relay)}">'
                    '<button type="submit">Continue to Snowball</button></form></body></html>'
                )
                body = page.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
