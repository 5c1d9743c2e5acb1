"""The operational database (``ops.db``): small, transactional, multi-user records.

Users, sessions, the audit log, watchlists, alerts, the intelligence log and the
disruptions register live here, SQLite by default or PostgreSQL
(``PLAINSIGHT_DATABASE_URL``), through SQLAlchemy 2 with Alembic migrations.
"""
