"""Importers, one module per format: the LinkedIn data export (ZIP or CSV), LinkedIn content
analytics (XLSX), and the SSI and CRM CSVs (rows for many sellers, one shared skeleton).

Every importer streams its file, validates every row, and writes through an EventWriter inside
one transaction per import: any invalid row rolls the whole import back, and the summary names
the file and line of each problem. Batches posted to the ingestion API are read by
`metrics.importers.api_events`.
"""

from __future__ import annotations

from metrics.importers.crm import CRM_COLUMNS, import_crm_csv
from metrics.importers.linkedin_analytics import import_linkedin_analytics
from metrics.importers.linkedin_export import (
    EXPORT_NAMES,
    FEEDS,
    LINKEDIN_FILES,
    export_members,
    import_linkedin_export,
)
from metrics.importers.ssi import PILLARS, SSI_COLUMNS, import_ssi_csv, ssi_event

__all__ = [
    "CRM_COLUMNS",
    "EXPORT_NAMES",
    "FEEDS",
    "LINKEDIN_FILES",
    "PILLARS",
    "SSI_COLUMNS",
    "export_members",
    "import_crm_csv",
    "import_linkedin_analytics",
    "import_linkedin_export",
    "import_ssi_csv",
    "ssi_event",
]
