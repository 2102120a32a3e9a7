"""Health data kept private: the tracker store's retention and file modes (store.py), and log
records without message text, sender ids or SQL parameters (logs.py)."""
