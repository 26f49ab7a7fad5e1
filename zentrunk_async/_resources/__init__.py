"""One module per resource: what to call, never how (no httpx here)."""

from .calls import Calls
from .credentials import Credentials
from .ip_acls import IPAccessControlLists
from .numbers import Numbers
from .origination_uris import OriginationURIs
from .trunks import Trunks

__all__ = ["Calls", "Credentials", "IPAccessControlLists", "Numbers", "OriginationURIs", "Trunks"]
