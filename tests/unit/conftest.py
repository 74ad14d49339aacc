"""Make the collection importable as ``ansible_collections.fleetops.sophos`` for plain pytest."""
import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_COLLECTIONS = os.path.join(_ROOT, ".venv", "collections")
_LINK = os.path.join(_COLLECTIONS, "ansible_collections", "fleetops", "sophos")

if not os.path.exists(_LINK):
    os.makedirs(os.path.dirname(_LINK), exist_ok=True)
    os.symlink(_ROOT, _LINK)
if _COLLECTIONS not in sys.path:
    sys.path.insert(0, _COLLECTIONS)
