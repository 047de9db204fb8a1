"""Database triggers that make the audit tables append-only (security.md DB-AU-3).

UPDATE is always refused. DELETE is refused unless an `AuditGuard` row exists (visible only inside the retention
purge's own transaction). Installed on SQLite and PostgreSQL by migration core.0003 (the change log and the audit
log) and core.0005 (the seal table of the HMAC chain); on PostgreSQL a statement-level trigger also refuses
TRUNCATE.
"""

# ruff: noqa: S608 (table names are module constants, never user input)

__all__ = ["AUDIT_TABLES", "install_audit_triggers", "remove_audit_triggers"]

AUDIT_TABLES = ("core_objectchange", "core_auditevent", "core_auditseal")
GUARD_TABLE = "core_auditguard"


def _sqlite_sql(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"WHEN NOT EXISTS (SELECT 1 FROM {GUARD_TABLE}) "
        f"BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;",
    ]


def _postgres_sql(table: str) -> list[str]:
    return [
        f"""
        CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$
        BEGIN
            IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM {GUARD_TABLE}) THEN
                RETURN OLD;
            END IF;
            RAISE EXCEPTION 'audit records are append-only';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only();",
        f"""
        CREATE OR REPLACE FUNCTION {table}_no_truncate() RETURNS trigger AS $$
        BEGIN
            RAISE EXCEPTION 'audit records are append-only';
        END;
        $$ LANGUAGE plpgsql;
        """,
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_no_truncate();",
    ]


def _tables(connection, tables) -> list[str]:
    """The tables asked for, else those of AUDIT_TABLES that exist (migration core.0003 runs before the seal table
    is created by core.0005)."""
    if tables is not None:
        return list(tables)
    existing = set(connection.introspection.table_names())
    return [table for table in AUDIT_TABLES if table in existing]


def install_audit_triggers(connection, tables=None) -> None:
    with connection.cursor() as cursor:
        for table in _tables(connection, tables):
            statements = _postgres_sql(table) if connection.vendor == "postgresql" else _sqlite_sql(table)
            for sql in statements:
                cursor.execute(sql)


def remove_audit_triggers(connection, tables=None) -> None:
    with connection.cursor() as cursor:
        for table in _tables(connection, tables):
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table};")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;")
