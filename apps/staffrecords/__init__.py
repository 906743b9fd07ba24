"""Staff records (SPEC M19): certificates with expiry warnings (R-M19-10).

Actions (apps.staffrecords.actions): add_certificate, update_certificate. Pages under /staff-records/,
API under /api/v1/staff-records/. Who may: ``Cap.MANAGE_STAFF_RECORDS`` (办公室主任 company-wide,
管理处经理 for the staff of their projects)."""
