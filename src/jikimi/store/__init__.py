"""Storage: tables, engines (SQLite by default, PostgreSQL in production), migrations, unit of work.

Service modules reach the database only through this package.
"""
