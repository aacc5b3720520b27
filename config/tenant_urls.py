"""Every page inside an organisation, mounted once under o/<slug:org>/ by config/urls.py.

Each app lists its tenant pages relative to that prefix in `tenant_urlpatterns`, and every
one of their views is a `programme.tenancy.tenant_view`: it resolves the membership from the
`org` slug (404 for non-members) and hands the view a `Viewer`.
"""

from __future__ import annotations

from goals import urls as goals_urls
from identity import urls as identity_urls
from kickoff import urls as kickoff_urls
from metrics import urls as metrics_urls
from programme import urls as programme_urls
from showcase import urls as showcase_urls

urlpatterns = [
    *kickoff_urls.tenant_urlpatterns,
    *showcase_urls.tenant_urlpatterns,
    *goals_urls.tenant_urlpatterns,
    *metrics_urls.tenant_urlpatterns,
    *programme_urls.tenant_urlpatterns,
    *identity_urls.tenant_urlpatterns,
]
