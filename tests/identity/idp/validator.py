from __future__ import annotations

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            # The test users whose last name is "Unverified" have an unverified address.
            "email_verified": user.last_name != "Unverified",
            "given_name": user.first_name,
            "family_name": user.last_name,
        }

    def validate_redirect_uri(self, client_id, redirect_uri, request, *args, **kwargs):
        # Snowball's test servers listen on ports chosen at run time: any local callback.
        return redirect_uri.startswith(("http://localhost:", "http://localhost/"))
