"""Role names used by the authorization tests."""
ANON, INSP, DEPT, BUREAU, STAFF = "anonymous", "inspector", "department_admin", "bureau_admin", "institution_staff"
SIGNED_IN = {INSP, DEPT, BUREAU, STAFF}
EVERYONE = SIGNED_IN | {ANON}
