"""A reproducible synthetic Norway: registry, residents, morbidity, contacts, outcomes."""
