"""Pure domain logic: no Flask, SQLAlchemy, Celery, nor any other inspect_app import.

Functions here take plain data (and ``today``/``now`` as arguments) and return plain data.
"""
