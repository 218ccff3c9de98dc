"""Columnar work on bulk data (the Parquet lake) with Ibis expressions over DuckDB."""
